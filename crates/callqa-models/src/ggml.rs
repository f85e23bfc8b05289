//! Writing whisper.cpp's ggml model file from a CTranslate2 Whisper model.

use crate::ModelError;
use crate::ct2::Ct2Model;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The ggml file magic ("ggml" as a little-endian u32).
pub const GGML_MAGIC: u32 = 0x6767_6d6c;
/// Version of this converter, recorded in cache manifests: bump when the output changes.
pub const CONVERTER_VERSION: &str = "1";

/// Weight type of the matrices in the written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    /// float16 matrices (ftype 1), what the reference converter writes.
    F16,
    /// q8_0 matrices (ftype 7): blocks of 32 values, one f16 scale and 32 i8.
    Q8_0,
    /// q5_0 matrices (ftype 8): blocks of 32 values, one f16 scale and 32 5-bit values.
    Q5_0,
    /// q4_0 matrices (ftype 2): blocks of 32 values, one f16 scale and 32 4-bit values.
    Q4_0,
}

impl WeightType {
    /// The name used for installs and manifests (`f16`, `q8_0`, `q5_0`, `q4_0`).
    pub fn name(self) -> &'static str {
        match self {
            WeightType::F16 => "f16",
            WeightType::Q8_0 => "q8_0",
            WeightType::Q5_0 => "q5_0",
            WeightType::Q4_0 => "q4_0",
        }
    }

    /// The file-level ftype (with GGML_QNT_VERSION 2 for quantized files) and the tensor type
    /// of quantized matrices, as ggml numbers them.
    fn codes(self) -> (i32, u32) {
        match self {
            WeightType::F16 => (1, 1),
            WeightType::Q8_0 => (7 + 2 * 1000, 8),
            WeightType::Q5_0 => (8 + 2 * 1000, 6),
            WeightType::Q4_0 => (2 + 2 * 1000, 2),
        }
    }
}

/// Whisper hyper-parameters, in the order the ggml header stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
}

/// What a conversion wrote.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    pub hparams: Hparams,
    pub n_tokens: usize,
    /// (ggml name, ggml dims (ne, innermost first), ggml type id) per tensor, in file order.
    pub tensors: Vec<(String, Vec<usize>, u32)>,
    pub bytes: u64,
}

fn hz_to_mel(f: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = (6.4f64).ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = (6.4f64).ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// The slaney mel filter bank `librosa.filters.mel(sr, n_fft, n_mels)` (fmin 0, fmax sr/2,
/// slaney norm), row-major `n_mels x (n_fft/2 + 1)`.
pub fn mel_filters(sr: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_freq = n_fft / 2 + 1;
    let fftfreqs: Vec<f64> = (0..n_freq)
        .map(|i| i as f64 * (1.0 / (n_fft as f64 * (1.0 / sr as f64))))
        .collect();
    let (mmin, mmax) = (hz_to_mel(0.0), hz_to_mel(sr as f64 / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| {
            let m = mmin + (mmax - mmin) * i as f64 / (n_mels + 1) as f64;
            mel_to_hz(m)
        })
        .collect();
    let fdiff: Vec<f64> = mel_f.windows(2).map(|w| w[1] - w[0]).collect();
    let mut out = vec![0f32; n_mels * n_freq];
    for i in 0..n_mels {
        let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for (j, &f) in fftfreqs.iter().enumerate() {
            let lower = -(mel_f[i] - f) / fdiff[i];
            let upper = (mel_f[i + 2] - f) / fdiff[i + 1];
            // numpy's maximum(0, -0.0) keeps -0.0 (librosa's [0][0] is -0.0); f64::max does
            // not say which zero it returns, so spell it out to be bit-exact in every build.
            let m = lower.min(upper);
            let w = if m >= 0.0 { m as f32 } else { 0.0 };
            out[i * n_freq + j] = (w as f64 * enorm) as f32;
        }
    }
    out
}

/// GPT-2's byte-level mapping: unicode char -> byte.
fn gpt2_byte_decoder() -> HashMap<char, u8> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.iter()
        .zip(cs)
        .filter_map(|(&b, c)| char::from_u32(c).map(|ch| (ch, b as u8)))
        .collect()
}

/// The text tokens (ids below `<|endoftext|>`) of a Whisper `tokenizer.json`, as raw bytes.
pub fn read_vocab(tokenizer_json: &Path) -> Result<Vec<Vec<u8>>, ModelError> {
    let text =
        std::fs::read_to_string(tokenizer_json).map_err(|e| ModelError::io(tokenizer_json, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ModelError::Format {
        path: tokenizer_json.to_path_buf(),
        problem: format!("not JSON: {e}"),
    })?;
    let bad = |p: &str| ModelError::Format {
        path: tokenizer_json.to_path_buf(),
        problem: p.to_string(),
    };
    let vocab = v
        .pointer("/model/vocab")
        .and_then(|x| x.as_object())
        .ok_or_else(|| bad("no model.vocab object"))?;
    let mut eot = vocab.get("<|endoftext|>").and_then(|x| x.as_u64());
    if eot.is_none()
        && let Some(added) = v.get("added_tokens").and_then(|x| x.as_array())
    {
        eot = added
            .iter()
            .find(|t| t.get("content").and_then(|c| c.as_str()) == Some("<|endoftext|>"))
            .and_then(|t| t.get("id").and_then(|i| i.as_u64()));
    }
    let eot = eot.ok_or_else(|| bad("no <|endoftext|> token"))? as usize;
    let dec = gpt2_byte_decoder();
    let mut tokens: Vec<Option<Vec<u8>>> = vec![None; eot];
    for (tok, id) in vocab {
        let Some(id) = id.as_u64().map(|i| i as usize) else {
            continue;
        };
        if id >= eot {
            continue;
        }
        let bytes: Option<Vec<u8>> = tok.chars().map(|c| dec.get(&c).copied()).collect();
        tokens[id] =
            Some(bytes.ok_or_else(|| bad(&format!("token {id} is not GPT-2 byte-level text")))?);
    }
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| bad(&format!("token id {i} is missing"))))
        .collect()
}

/// Reads the hyper-parameters from a CTranslate2 Whisper model.
pub fn hparams_of(m: &Ct2Model) -> Result<Hparams, ModelError> {
    let dim = |name: &str, i: usize| -> Result<i32, ModelError> {
        let v = m.var(name)?;
        v.dims
            .get(i)
            .map(|d| *d as i32)
            .ok_or_else(|| ModelError::Format {
                path: m.path.clone(),
                problem: format!("variable {name} has rank {}", v.dims.len()),
            })
    };
    let count_layers = |prefix: &str| {
        (0..)
            .take_while(|i| {
                m.vars
                    .contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))
            })
            .count() as i32
    };
    let n_audio_state = dim("encoder/position_encodings/encodings", 1)?;
    let n_text_state = dim("decoder/position_encodings/encodings", 1)?;
    Ok(Hparams {
        n_vocab: dim("decoder/embeddings/weight", 0)?,
        n_audio_ctx: dim("encoder/position_encodings/encodings", 0)?,
        n_audio_state,
        n_audio_head: m
            .scalar("encoder/num_heads")
            .map(|h| h as i32)
            .unwrap_or(n_audio_state / 64),
        n_audio_layer: count_layers("encoder"),
        n_text_ctx: dim("decoder/position_encodings/encodings", 0)?,
        n_text_state,
        n_text_head: m
            .scalar("decoder/num_heads")
            .map(|h| h as i32)
            .unwrap_or(n_text_state / 64),
        n_text_layer: count_layers("decoder"),
        n_mels: dim("encoder/conv1/weight", 1)?,
    })
}

/// How one ggml tensor is made from a CTranslate2 variable.
struct Plan {
    ggml: String,
    ct2: String,
    row_from: usize,
    rows: Option<usize>,
    /// Extra trailing dimension of 1 (conv biases are stored as [n_state, 1]).
    as_column: bool,
    f32: bool,
}

fn plans(h: &Hparams) -> Vec<Plan> {
    let mut p = Vec::new();
    let mut add = |ggml: String, ct2: String, row_from: usize, rows: Option<usize>, f32: bool| {
        p.push(Plan {
            ggml,
            ct2,
            row_from,
            rows,
            as_column: false,
            f32,
        })
    };
    add(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings".into(),
        0,
        None,
        true,
    );
    for c in ["conv1", "conv2"] {
        add(
            format!("encoder.{c}.weight"),
            format!("encoder/{c}/weight"),
            0,
            None,
            false,
        );
        add(
            format!("encoder.{c}.bias"),
            format!("encoder/{c}/bias"),
            0,
            None,
            true,
        );
    }
    let ln = |add: &mut dyn FnMut(String, String, usize, Option<usize>, bool), g: &str, c: &str| {
        add(format!("{g}.weight"), format!("{c}/gamma"), 0, None, true);
        add(format!("{g}.bias"), format!("{c}/beta"), 0, None, true);
    };
    let lin = |add: &mut dyn FnMut(String, String, usize, Option<usize>, bool),
               g: &str,
               c: &str,
               part: usize,
               d: usize,
               bias: bool| {
        add(
            format!("{g}.weight"),
            format!("{c}/weight"),
            part * d,
            Some(d),
            false,
        );
        if bias {
            add(
                format!("{g}.bias"),
                format!("{c}/bias"),
                part * d,
                Some(d),
                true,
            );
        }
    };
    let da = h.n_audio_state as usize;
    for i in 0..h.n_audio_layer {
        let g = format!("encoder.blocks.{i}");
        let c = format!("encoder/layer_{i}");
        ln(
            &mut add,
            &format!("{g}.attn_ln"),
            &format!("{c}/self_attention/layer_norm"),
        );
        lin(
            &mut add,
            &format!("{g}.attn.query"),
            &format!("{c}/self_attention/linear_0"),
            0,
            da,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.attn.key"),
            &format!("{c}/self_attention/linear_0"),
            1,
            da,
            false,
        );
        lin(
            &mut add,
            &format!("{g}.attn.value"),
            &format!("{c}/self_attention/linear_0"),
            2,
            da,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.attn.out"),
            &format!("{c}/self_attention/linear_1"),
            0,
            da,
            true,
        );
        ln(
            &mut add,
            &format!("{g}.mlp_ln"),
            &format!("{c}/ffn/layer_norm"),
        );
        add(
            format!("{g}.mlp.0.weight"),
            format!("{c}/ffn/linear_0/weight"),
            0,
            None,
            false,
        );
        add(
            format!("{g}.mlp.0.bias"),
            format!("{c}/ffn/linear_0/bias"),
            0,
            None,
            true,
        );
        add(
            format!("{g}.mlp.2.weight"),
            format!("{c}/ffn/linear_1/weight"),
            0,
            None,
            false,
        );
        add(
            format!("{g}.mlp.2.bias"),
            format!("{c}/ffn/linear_1/bias"),
            0,
            None,
            true,
        );
    }
    ln(&mut add, "encoder.ln_post", "encoder/layer_norm");
    add(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings".into(),
        0,
        None,
        true,
    );
    add(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight".into(),
        0,
        None,
        false,
    );
    let dt = h.n_text_state as usize;
    for i in 0..h.n_text_layer {
        let g = format!("decoder.blocks.{i}");
        let c = format!("decoder/layer_{i}");
        ln(
            &mut add,
            &format!("{g}.attn_ln"),
            &format!("{c}/self_attention/layer_norm"),
        );
        lin(
            &mut add,
            &format!("{g}.attn.query"),
            &format!("{c}/self_attention/linear_0"),
            0,
            dt,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.attn.key"),
            &format!("{c}/self_attention/linear_0"),
            1,
            dt,
            false,
        );
        lin(
            &mut add,
            &format!("{g}.attn.value"),
            &format!("{c}/self_attention/linear_0"),
            2,
            dt,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.attn.out"),
            &format!("{c}/self_attention/linear_1"),
            0,
            dt,
            true,
        );
        ln(
            &mut add,
            &format!("{g}.cross_attn_ln"),
            &format!("{c}/attention/layer_norm"),
        );
        lin(
            &mut add,
            &format!("{g}.cross_attn.query"),
            &format!("{c}/attention/linear_0"),
            0,
            dt,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.cross_attn.key"),
            &format!("{c}/attention/linear_1"),
            0,
            dt,
            false,
        );
        lin(
            &mut add,
            &format!("{g}.cross_attn.value"),
            &format!("{c}/attention/linear_1"),
            1,
            dt,
            true,
        );
        lin(
            &mut add,
            &format!("{g}.cross_attn.out"),
            &format!("{c}/attention/linear_2"),
            0,
            dt,
            true,
        );
        ln(
            &mut add,
            &format!("{g}.mlp_ln"),
            &format!("{c}/ffn/layer_norm"),
        );
        add(
            format!("{g}.mlp.0.weight"),
            format!("{c}/ffn/linear_0/weight"),
            0,
            None,
            false,
        );
        add(
            format!("{g}.mlp.0.bias"),
            format!("{c}/ffn/linear_0/bias"),
            0,
            None,
            true,
        );
        add(
            format!("{g}.mlp.2.weight"),
            format!("{c}/ffn/linear_1/weight"),
            0,
            None,
            false,
        );
        add(
            format!("{g}.mlp.2.bias"),
            format!("{c}/ffn/linear_1/bias"),
            0,
            None,
            true,
        );
    }
    ln(&mut add, "decoder.ln", "decoder/layer_norm");
    for x in p.iter_mut() {
        if x.ggml == "encoder.conv1.bias" || x.ggml == "encoder.conv2.bias" {
            x.as_column = true;
        }
    }
    p
}

fn quantize_q8_0(data: &[f32], out: &mut Vec<u8>) {
    for block in data.chunks(32) {
        let amax = block.iter().fold(0f32, |a, x| a.max(x.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        for i in 0..32 {
            let x = block.get(i).copied().unwrap_or(0.0);
            out.push(((x * id).round() as i32).clamp(-128, 127) as i8 as u8);
        }
    }
}

/// The scale of a 4/5-bit block as ggml's reference quantizer sets it: the value of largest
/// magnitude, sign kept, over -2^(bits-1), so that it lands exactly on the lowest level.
fn block_scale(block: &[f32], levels: f32) -> (f32, f32) {
    let max = block
        .iter()
        .fold(0f32, |m, &x| if x.abs() > m.abs() { x } else { m });
    let d = max / -levels;
    (d, if d != 0.0 { 1.0 / d } else { 0.0 })
}

fn quantize_q4_0(data: &[f32], out: &mut Vec<u8>) {
    for block in data.chunks(32) {
        let (d, id) = block_scale(block, 8.0);
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        let q = |i: usize| {
            let x = block.get(i).copied().unwrap_or(0.0);
            ((x * id + 8.5) as i8).min(15) as u8
        };
        for j in 0..16 {
            out.push(q(j) | (q(j + 16) << 4));
        }
    }
}

fn quantize_q5_0(data: &[f32], out: &mut Vec<u8>) {
    for block in data.chunks(32) {
        let (d, id) = block_scale(block, 16.0);
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        let q = |i: usize| {
            let x = block.get(i).copied().unwrap_or(0.0);
            ((x * id + 16.5) as i8).min(31) as u8
        };
        let mut qh: u32 = 0;
        let mut qs = [0u8; 16];
        for (j, byte) in qs.iter_mut().enumerate() {
            let (a, b) = (q(j), q(j + 16));
            *byte = (a & 0x0F) | ((b & 0x0F) << 4);
            qh |= u32::from(a >> 4) << j;
            qh |= u32::from(b >> 4) << (j + 16);
        }
        out.extend_from_slice(&qh.to_le_bytes());
        out.extend_from_slice(&qs);
    }
}

/// Converts the CTranslate2 Whisper model in `ct2_dir` (model.bin, tokenizer.json) into the
/// ggml file `out`. Tensors are read and written one at a time.
pub fn convert_ct2_dir(
    ct2_dir: &Path,
    out: &Path,
    wtype: WeightType,
) -> Result<ConvertReport, ModelError> {
    let model = Ct2Model::open(&ct2_dir.join("model.bin"))?;
    convert_ct2(&model, &ct2_dir.join("tokenizer.json"), out, wtype)
}

/// Converts an opened CTranslate2 model plus its `tokenizer.json` into the ggml file `out`.
pub fn convert_ct2(
    model: &Ct2Model,
    tokenizer_json: &Path,
    out: &Path,
    wtype: WeightType,
) -> Result<ConvertReport, ModelError> {
    if model.spec != "WhisperSpec" {
        return Err(ModelError::Format {
            path: model.path.clone(),
            problem: format!("spec is {:?}, not a Whisper model", model.spec),
        });
    }
    let h = hparams_of(model)?;
    let vocab = read_vocab(tokenizer_json)?;
    let tmp = out.with_extension("bin.partial");
    let file = File::create(&tmp).map_err(|e| ModelError::io(&tmp, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let io = |e| ModelError::io(&tmp, e);
    let (ftype, qtype) = wtype.codes();
    let put = |w: &mut BufWriter<File>, v: i32| w.write_all(&v.to_le_bytes());
    put(&mut w, GGML_MAGIC as i32).map_err(io)?;
    for v in [
        h.n_vocab,
        h.n_audio_ctx,
        h.n_audio_state,
        h.n_audio_head,
        h.n_audio_layer,
        h.n_text_ctx,
        h.n_text_state,
        h.n_text_head,
        h.n_text_layer,
        h.n_mels,
        ftype,
    ] {
        put(&mut w, v).map_err(io)?;
    }
    let n_mels = h.n_mels as usize;
    let filters = mel_filters(16_000, 400, n_mels);
    put(&mut w, n_mels as i32).map_err(io)?;
    put(&mut w, 201).map_err(io)?;
    for f in &filters {
        w.write_all(&f.to_le_bytes()).map_err(io)?;
    }
    put(&mut w, vocab.len() as i32).map_err(io)?;
    for t in &vocab {
        put(&mut w, t.len() as i32).map_err(io)?;
        w.write_all(t).map_err(io)?;
    }
    let mut tensors = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    for p in plans(&h) {
        let var = model.var(&p.ct2)?;
        let rows = p
            .rows
            .unwrap_or_else(|| var.dims.first().copied().unwrap_or(1));
        let data = model.read_rows_f32(&p.ct2, p.row_from, rows)?;
        let mut shape: Vec<usize> = var.dims.clone();
        if shape.is_empty() {
            shape.push(1);
        }
        shape[0] = rows;
        if p.as_column {
            shape.push(1);
        }
        let ne: Vec<usize> = shape.iter().rev().copied().collect();
        let quant =
            wtype != WeightType::F16 && !p.f32 && shape.len() == 2 && ne[0].is_multiple_of(32);
        let ttype: u32 = if p.f32 {
            0
        } else if quant {
            qtype
        } else {
            1
        };
        buf.clear();
        match ttype {
            0 => data
                .iter()
                .for_each(|x| buf.extend_from_slice(&x.to_le_bytes())),
            1 => data
                .iter()
                .for_each(|x| buf.extend_from_slice(&half::f16::from_f32(*x).to_le_bytes())),
            8 => quantize_q8_0(&data, &mut buf),
            6 => quantize_q5_0(&data, &mut buf),
            _ => quantize_q4_0(&data, &mut buf),
        }
        drop(data);
        put(&mut w, ne.len() as i32).map_err(io)?;
        put(&mut w, p.ggml.len() as i32).map_err(io)?;
        put(&mut w, ttype as i32).map_err(io)?;
        for d in &ne {
            put(&mut w, *d as i32).map_err(io)?;
        }
        w.write_all(p.ggml.as_bytes()).map_err(io)?;
        w.write_all(&buf).map_err(io)?;
        tensors.push((p.ggml, ne, ttype));
    }
    w.flush().map_err(io)?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(|e| ModelError::io(out, e))?;
    let bytes = std::fs::metadata(out)
        .map_err(|e| ModelError::io(out, e))?
        .len();
    Ok(ConvertReport {
        hparams: h,
        n_tokens: vocab.len(),
        tensors,
        bytes,
    })
}

/// The header and tensor index of a ggml Whisper file, read back (for checks and tests).
#[derive(Debug, Clone)]
pub struct GgmlInfo {
    pub hparams: Hparams,
    pub ftype: i32,
    pub n_mel: usize,
    pub n_fft: usize,
    pub filters: Vec<f32>,
    pub tokens: Vec<Vec<u8>>,
    /// (name, ne, ggml type id, data offset)
    pub tensors: Vec<(String, Vec<usize>, u32, u64)>,
}

/// Reads the header, mel filters, vocabulary and tensor index of a ggml Whisper file.
pub fn read_ggml_info(path: &Path) -> Result<GgmlInfo, ModelError> {
    use std::io::{BufReader, Read, Seek};
    let f = File::open(path).map_err(|e| ModelError::io(path, e))?;
    let total = f.metadata().map_err(|e| ModelError::io(path, e))?.len();
    let mut r = BufReader::new(f);
    let bad = |p: String| ModelError::Format {
        path: path.to_path_buf(),
        problem: p,
    };
    let i32_ = |r: &mut BufReader<File>| -> Result<i32, ModelError> {
        let mut b = [0u8; 4];
        r.read_exact(&mut b).map_err(|e| ModelError::io(path, e))?;
        Ok(i32::from_le_bytes(b))
    };
    let magic = i32_(&mut r)? as u32;
    if magic != GGML_MAGIC {
        return Err(bad(format!("not a ggml file (magic {magic:#010x})")));
    }
    let mut hp = [0i32; 11];
    for v in hp.iter_mut() {
        *v = i32_(&mut r)?;
    }
    let hparams = Hparams {
        n_vocab: hp[0],
        n_audio_ctx: hp[1],
        n_audio_state: hp[2],
        n_audio_head: hp[3],
        n_audio_layer: hp[4],
        n_text_ctx: hp[5],
        n_text_state: hp[6],
        n_text_head: hp[7],
        n_text_layer: hp[8],
        n_mels: hp[9],
    };
    let cap = |n: i32, what: &str| -> Result<usize, ModelError> {
        usize::try_from(n)
            .ok()
            .filter(|&n| (n as u64) < total)
            .ok_or_else(|| bad(format!("implausible {what} {n}")))
    };
    let n_mel = cap(i32_(&mut r)?, "n_mel")?;
    let n_fft = cap(i32_(&mut r)?, "n_fft")?;
    let mut fb = vec![0u8; n_mel * n_fft * 4];
    r.read_exact(&mut fb).map_err(|e| ModelError::io(path, e))?;
    let filters = fb
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let n_tok = cap(i32_(&mut r)?, "token count")?;
    let mut tokens = Vec::with_capacity(n_tok);
    for _ in 0..n_tok {
        let len = cap(i32_(&mut r)?, "token length")?;
        let mut t = vec![0u8; len];
        r.read_exact(&mut t).map_err(|e| ModelError::io(path, e))?;
        tokens.push(t);
    }
    let mut tensors = Vec::new();
    loop {
        let mut b = [0u8; 4];
        match r.read(&mut b[..1]) {
            Ok(0) => break,
            Ok(_) => r
                .read_exact(&mut b[1..])
                .map_err(|e| ModelError::io(path, e))?,
            Err(e) => return Err(ModelError::io(path, e)),
        }
        let n_dims = i32::from_le_bytes(b);
        if !(1..=4).contains(&n_dims) {
            return Err(bad(format!("tensor with {n_dims} dimensions")));
        }
        let name_len = cap(i32_(&mut r)?, "name length")?;
        let ttype = i32_(&mut r)? as u32;
        let mut ne = Vec::new();
        for _ in 0..n_dims {
            ne.push(cap(i32_(&mut r)?, "dimension")?);
        }
        let mut name = vec![0u8; name_len];
        r.read_exact(&mut name)
            .map_err(|e| ModelError::io(path, e))?;
        let name = String::from_utf8_lossy(&name).into_owned();
        let n: usize = ne.iter().product();
        let nbytes = match ttype {
            0 => n * 4,
            1 => n * 2,
            8 => n / 32 * 34,
            6 => n / 32 * 22,
            2 => n / 32 * 18,
            t => return Err(bad(format!("tensor {name}: unsupported type {t}"))),
        };
        let offset = r.stream_position().map_err(|e| ModelError::io(path, e))?;
        r.seek_relative(nbytes as i64)
            .map_err(|e| ModelError::io(path, e))?;
        tensors.push((name, ne, ttype, offset));
    }
    Ok(GgmlInfo {
        hparams,
        ftype: hp[10],
        n_mel,
        n_fft,
        filters,
        tokens,
        tensors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips() {
        for f in [0.0, 300.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(f)) - f).abs() < 1e-6, "{f}");
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn gpt2_byte_decoder_is_a_bijection() {
        let d = gpt2_byte_decoder();
        assert_eq!(d.len(), 256);
        let mut seen: Vec<u8> = d.values().copied().collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 256);
        assert_eq!(d[&'Ġ'], b' ');
        assert_eq!(d[&'a'], b'a');
    }

    #[test]
    fn q8_0_blocks_round_trip_within_half_step() {
        let data: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.37).sin() * 3.0).collect();
        let mut out = Vec::new();
        quantize_q8_0(&data, &mut out);
        assert_eq!(out.len(), 2 * 34);
        for (b, block) in out.chunks(34).zip(data.chunks(32)) {
            let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
            for (q, x) in b[2..].iter().zip(block) {
                assert!(((*q as i8) as f32 * d - x).abs() <= d * 0.5 + 1e-3);
            }
        }
    }

    /// Dequantizes as ggml's `dequantize_row_q4_0` / `_q5_0` do.
    fn dequant(b: &[u8], bits: u32) -> Vec<f32> {
        let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        let (qh, qs) = if bits == 5 {
            (u32::from_le_bytes([b[2], b[3], b[4], b[5]]), &b[6..22])
        } else {
            (0, &b[2..18])
        };
        let off = if bits == 5 { 16 } else { 8 };
        let mut v = vec![0f32; 32];
        for j in 0..16 {
            let hi0 = ((qh >> j) & 1) << 4;
            let hi1 = ((qh >> (j + 16)) & 1) << 4;
            v[j] = ((u32::from(qs[j] & 0x0F) | hi0) as i32 - off) as f32 * d;
            v[j + 16] = ((u32::from(qs[j] >> 4) | hi1) as i32 - off) as f32 * d;
        }
        v
    }

    #[test]
    fn q4_0_and_q5_0_blocks_round_trip_within_a_step() {
        let data: Vec<f32> = (0..64)
            .map(|i| ((i as f32) * 0.37).sin() * 3.0 - 0.4)
            .collect();
        for (bits, size, f) in [
            (4u32, 18usize, quantize_q4_0 as fn(&[f32], &mut Vec<u8>)),
            (5, 22, quantize_q5_0),
        ] {
            let mut out = Vec::new();
            f(&data, &mut out);
            assert_eq!(out.len(), 2 * size, "{bits}-bit");
            for (b, block) in out.chunks(size).zip(data.chunks(32)) {
                let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32().abs();
                let back = dequant(b, bits);
                for (y, x) in back.iter().zip(block) {
                    // Round to nearest: half a step, plus f16 rounding of the scale.
                    assert!((y - x).abs() <= d * 0.5 + 2e-3, "{bits}-bit: {x} -> {y}");
                }
                // The value of largest magnitude lands exactly on the lowest level.
                let m = block
                    .iter()
                    .fold(0f32, |m, &x| if x.abs() > m.abs() { x } else { m });
                assert!(
                    back.iter()
                        .any(|y| (y - m).abs() <= 2e-3 * m.abs().max(1.0))
                );
            }
        }
    }
}
