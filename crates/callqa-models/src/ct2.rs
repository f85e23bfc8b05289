//! Reading a CTranslate2 `model.bin` index without loading the data.

use crate::ModelError;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// CTranslate2 data type ids (`include/ctranslate2/types.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Type {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Ct2Type {
    fn from_id(id: u8) -> Option<Ct2Type> {
        Some(match id {
            0 => Ct2Type::F32,
            1 => Ct2Type::I8,
            2 => Ct2Type::I16,
            3 => Ct2Type::I32,
            4 => Ct2Type::F16,
            5 => Ct2Type::Bf16,
            _ => return None,
        })
    }
    fn size(self) -> usize {
        match self {
            Ct2Type::F32 | Ct2Type::I32 => 4,
            Ct2Type::I8 => 1,
            Ct2Type::I16 | Ct2Type::F16 | Ct2Type::Bf16 => 2,
        }
    }
}

/// One variable of a CTranslate2 model: where its data lies in the file.
#[derive(Debug, Clone)]
pub struct Ct2Var {
    pub name: String,
    pub dims: Vec<usize>,
    pub dtype: Ct2Type,
    pub offset: u64,
    pub nbytes: usize,
}

impl Ct2Var {
    pub fn numel(&self) -> usize {
        self.dims.iter().product()
    }
}

/// The variable index of a CTranslate2 `model.bin`; data is read on demand.
pub struct Ct2Model {
    pub path: PathBuf,
    pub spec: String,
    pub vars: HashMap<String, Ct2Var>,
    file: File,
}

fn bad(path: &Path, what: impl Into<String>) -> ModelError {
    ModelError::Format {
        path: path.to_path_buf(),
        problem: what.into(),
    }
}

fn rd<const N: usize>(r: &mut impl Read, path: &Path) -> Result<[u8; N], ModelError> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)
        .map_err(|e| bad(path, format!("truncated CTranslate2 model ({e})")))?;
    Ok(b)
}

fn rd_string(r: &mut impl Read, path: &Path) -> Result<String, ModelError> {
    let len = u16::from_le_bytes(rd::<2>(r, path)?) as usize;
    let mut b = vec![0u8; len];
    r.read_exact(&mut b)
        .map_err(|e| bad(path, format!("truncated CTranslate2 model ({e})")))?;
    while b.last() == Some(&0) {
        b.pop();
    }
    String::from_utf8(b).map_err(|_| bad(path, "variable name is not UTF-8"))
}

impl Ct2Model {
    /// Reads the index of `path` (a CTranslate2 `model.bin`, binary version 4 to 6).
    pub fn open(path: &Path) -> Result<Ct2Model, ModelError> {
        let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
        let total = file.metadata().map_err(|e| ModelError::io(path, e))?.len();
        let mut r = BufReader::new(file.try_clone().map_err(|e| ModelError::io(path, e))?);
        let version = u32::from_le_bytes(rd::<4>(&mut r, path)?);
        if !(4..=6).contains(&version) {
            return Err(bad(
                path,
                format!("unsupported CTranslate2 binary version {version} (expected 4 to 6)"),
            ));
        }
        let spec = rd_string(&mut r, path)?;
        let _revision = u32::from_le_bytes(rd::<4>(&mut r, path)?);
        let n = u32::from_le_bytes(rd::<4>(&mut r, path)?);
        let mut vars = HashMap::new();
        for _ in 0..n {
            let name = rd_string(&mut r, path)?;
            let rank = rd::<1>(&mut r, path)?[0] as usize;
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(u32::from_le_bytes(rd::<4>(&mut r, path)?) as usize);
            }
            let id = rd::<1>(&mut r, path)?[0];
            let dtype = Ct2Type::from_id(id)
                .ok_or_else(|| bad(path, format!("variable {name}: unknown data type id {id}")))?;
            let nbytes = u32::from_le_bytes(rd::<4>(&mut r, path)?) as usize;
            let offset = r.stream_position().map_err(|e| ModelError::io(path, e))?;
            let numel: usize = dims.iter().product();
            if numel * dtype.size() != nbytes || offset + nbytes as u64 > total {
                return Err(bad(
                    path,
                    format!(
                        "variable {name}: {nbytes} bytes do not match its shape or the file size"
                    ),
                ));
            }
            r.seek_relative(nbytes as i64)
                .map_err(|e| ModelError::io(path, e))?;
            vars.insert(
                name.clone(),
                Ct2Var {
                    name,
                    dims,
                    dtype,
                    offset,
                    nbytes,
                },
            );
        }
        // Aliases (e.g. decoder/projection/weight -> decoder/embeddings/weight).
        if let Ok(b) = rd::<4>(&mut r, path) {
            let na = u32::from_le_bytes(b);
            for _ in 0..na {
                let alias = rd_string(&mut r, path)?;
                let target = rd_string(&mut r, path)?;
                if let Some(v) = vars.get(&target).cloned() {
                    vars.entry(alias).or_insert(v);
                }
            }
        }
        Ok(Ct2Model {
            path: path.to_path_buf(),
            spec,
            vars,
            file,
        })
    }

    pub fn var(&self, name: &str) -> Result<&Ct2Var, ModelError> {
        self.vars
            .get(name)
            .ok_or_else(|| bad(&self.path, format!("variable {name} is missing")))
    }

    fn raw(&self, v: &Ct2Var, elem_from: usize, elem_count: usize) -> Result<Vec<u8>, ModelError> {
        let sz = v.dtype.size();
        let mut buf = vec![0u8; elem_count * sz];
        let mut f = &self.file;
        f.seek(SeekFrom::Start(v.offset + (elem_from * sz) as u64))
            .map_err(|e| ModelError::io(&self.path, e))?;
        f.read_exact(&mut buf)
            .map_err(|e| ModelError::io(&self.path, e))?;
        Ok(buf)
    }

    /// Reads rows `[row_from, row_from + rows)` of a variable (rows = first dimension) as f32.
    /// int8 weights are dequantised with their `<name>_scale` companion (one scale per row).
    pub fn read_rows_f32(
        &self,
        name: &str,
        row_from: usize,
        rows: usize,
    ) -> Result<Vec<f32>, ModelError> {
        let v = self.var(name)?;
        let row_len: usize = if v.dims.is_empty() {
            1
        } else {
            v.dims[1..].iter().product()
        };
        let n_rows = v.dims.first().copied().unwrap_or(1);
        if row_from + rows > n_rows {
            return Err(bad(
                &self.path,
                format!("variable {name}: rows {row_from}+{rows} out of {n_rows}"),
            ));
        }
        let raw = self.raw(v, row_from * row_len, rows * row_len)?;
        let out: Vec<f32> = match v.dtype {
            Ct2Type::F32 => raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Ct2Type::F16 => raw
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Ct2Type::Bf16 => raw
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Ct2Type::I16 => raw
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32)
                .collect(),
            Ct2Type::I32 => raw
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
            Ct2Type::I8 => {
                let scales = self.read_rows_f32(&format!("{name}_scale"), row_from, rows)?;
                raw.chunks_exact(row_len)
                    .zip(scales)
                    .flat_map(|(row, s)| row.iter().map(move |&q| (q as i8) as f32 / s))
                    .collect()
            }
        };
        Ok(out)
    }

    /// Reads a whole variable as f32.
    pub fn read_f32(&self, name: &str) -> Result<Vec<f32>, ModelError> {
        let v = self.var(name)?;
        let rows = v.dims.first().copied().unwrap_or(1);
        self.read_rows_f32(name, 0, rows)
    }

    /// Reads a scalar integer variable (e.g. `encoder/num_heads`), if present.
    pub fn scalar(&self, name: &str) -> Option<i64> {
        self.read_f32(name)
            .ok()
            .and_then(|v| v.first().map(|x| *x as i64))
    }
}
