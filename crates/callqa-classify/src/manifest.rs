//! The model contract: a model is a folder with `model.onnx` and `model.toml`.
//!
//! Classifier heads (`classifiers/<task>/model.toml`) are read into [`ModelManifest`], sentence
//! encoders (`encoder/<name>/model.toml`) into [`EncoderManifest`]. Every key is documented on the
//! field that reads it; [`ModelManifest::check`] and [`EncoderManifest::check`] validate the values
//! and name the key in their errors.

use crate::ClassifyError;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Name of the manifest file in a model folder.
pub const MANIFEST_FILE: &str = "model.toml";
/// Default name of the ONNX file in a model folder.
pub const MODEL_FILE: &str = "model.onnx";
/// Default name of the HF tokenizer file in an encoder or `text` model folder.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// The classification tasks callqa knows. A model folder must declare one of them; its labels may
/// differ from the default lists in `callqa_core`.
pub const TASKS: [&str; 3] = ["courtesy", "script_step", "sentiment"];

/// What a classifier head takes as input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// The model takes `input_ids` and `attention_mask` (int64 [batch, seq]) itself; its folder
    /// holds the tokenizer named by `tokenizer`.
    Text,
    /// The model takes `embedding` (f32 [batch, dim]): the output of the encoder named by
    /// `encoder`.
    Embedding,
}

/// SHA-256 checksums: either one hex string (of `model.onnx`) or a table of file name → hex.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Checksums {
    /// The hex SHA-256 of the model's ONNX file.
    Model(String),
    /// Hex SHA-256 per file name in the folder (e.g. `"model.onnx"`, `"tokenizer.json"`).
    Files(BTreeMap<String, String>),
}

impl Checksums {
    /// The expected hash of the ONNX file, where given.
    pub fn model_sha256<'a>(&'a self, model_file: &str) -> Option<&'a str> {
        match self {
            Checksums::Model(hex) => Some(hex),
            Checksums::Files(map) => map.get(model_file).map(String::as_str),
        }
    }
}

/// `model.toml` of a classifier head (`$CALLQA_HOME/models/classifiers/<task>/`).
///
/// ```toml
/// task = "script_step"
/// labels = ["greeting", "self_intro", "other"]
/// input_kind = "embedding"
/// encoder = "e5-small"
/// text_prefix = "query: "
/// version = "2026-11-24"
/// sha256 = "…hex of model.onnx…"
/// training_data = "models/train/data/zh/script_step.tsv"
/// [thresholds]
/// greeting = 0.5
/// [metrics]
/// macro_f1 = 0.91
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct ModelManifest {
    /// Which task the model serves: `courtesy`, `script_step` or `sentiment`.
    pub task: String,
    /// Label names in the order of the model's output columns. Must match the ONNX output size.
    pub labels: Vec<String>,
    /// `text` (the model tokenizes itself: input_ids/attention_mask) or `embedding` (the model
    /// takes the named encoder's sentence embedding).
    pub input_kind: InputKind,
    /// For `input_kind = "embedding"`: the encoder folder's name under `<models>/encoder/`, or a
    /// path (absolute, or relative to this folder) when it contains a `/`.
    #[serde(default)]
    pub encoder: Option<String>,
    /// For `input_kind = "embedding"`: SHA-256 of the encoder's ONNX file the head was trained
    /// on. When given, loading fails if the encoder found differs (embeddings of another encoder
    /// build would silently shift every score); only a warning when an encoder variant was asked
    /// for explicitly ([`crate::LoadOptions::encoder_file`]).
    #[serde(default)]
    pub encoder_sha256: Option<String>,
    /// For `input_kind = "text"`: the tokenizer file in this folder (HF `tokenizer.json` format).
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// For `input_kind = "text"`: truncate inputs to this many tokens (default 512).
    #[serde(default)]
    pub max_tokens: Option<usize>,
    /// Prefix put before every text before encoding (e5 models expect `"query: "`). For
    /// `embedding` models it must be what the head was trained with; empty when absent.
    #[serde(default)]
    pub text_prefix: Option<String>,
    /// The ONNX file in this folder (default `model.onnx`).
    #[serde(default)]
    pub model: Option<String>,
    /// Per-label probability thresholds in [0, 1]. A label is chosen (or, for script steps, a step
    /// is reported) only when its probability reaches its threshold. Labels not listed: 0 for the
    /// single-label decision, 0.5 for script-step hits.
    #[serde(default)]
    pub thresholds: BTreeMap<String, f32>,
    /// For `script_step`: the catch-all label that is never reported as a step (default `other`
    /// when the labels contain it).
    #[serde(default)]
    pub background_label: Option<String>,
    /// Model version, recorded with every score (free text: a date or a semver).
    pub version: String,
    /// SHA-256 of `model.onnx` (hex), or a table of file name → hex. Checked at load. One of
    /// `sha256` and `model_sha256` is required.
    #[serde(default)]
    pub sha256: Option<Checksums>,
    /// SHA-256 of the ONNX file (hex): another spelling of `sha256 = "…"`.
    #[serde(default)]
    pub model_sha256: Option<String>,
    /// SHA-256 of the tokenizer file (hex), for `text` models. Checked at load when given.
    #[serde(default)]
    pub tokenizer_sha256: Option<String>,
    /// Where the training data came from (free form: a string or a table).
    #[serde(default)]
    pub training_data: Option<toml::Value>,
    /// Evaluation figures (free form tables), shown by `callqa models` and the README.
    #[serde(default)]
    pub metrics: Option<toml::Value>,
}

/// `model.toml` of a sentence encoder (`$CALLQA_HOME/models/encoder/<name>/`).
///
/// ```toml
/// name = "e5-small"
/// kind = "encoder"
/// dim = 384
/// text_prefix = "query: "
/// max_tokens = 512
/// sha256 = "…hex of model.onnx…"
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct EncoderManifest {
    /// Encoder name; heads refer to it with `encoder = "<name>"`.
    pub name: String,
    /// Must be `encoder`.
    pub kind: String,
    /// Size of the sentence embedding (`sentence_embedding` f32 [batch, dim]).
    pub dim: usize,
    /// Prefix put before every text (e5: `"query: "`); heads may override it with their own.
    #[serde(default)]
    pub text_prefix: Option<String>,
    /// Inputs are truncated to this many tokens (special tokens included).
    pub max_tokens: usize,
    /// The ONNX file in this folder (default `model.onnx`).
    #[serde(default)]
    pub model: Option<String>,
    /// The tokenizer file in this folder (default `tokenizer.json`, HF format).
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// Version (free text).
    #[serde(default)]
    pub version: Option<String>,
    /// SHA-256 of `model.onnx` (hex), or a table of file name → hex (list every ONNX variant
    /// that may be loaded). Checked at load. One of `sha256` and `model_sha256` is required.
    #[serde(default)]
    pub sha256: Option<Checksums>,
    /// SHA-256 of the ONNX file (hex): another spelling of `sha256 = "…"`.
    #[serde(default)]
    pub model_sha256: Option<String>,
    /// SHA-256 of the tokenizer file (hex). Checked at load when given.
    #[serde(default)]
    pub tokenizer_sha256: Option<String>,
    /// Name of the ONNX output holding the sentence embedding (default `sentence_embedding`).
    #[serde(default)]
    pub output: Option<String>,
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ClassifyError> {
    let text = std::fs::read_to_string(path).map_err(|source| ClassifyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ClassifyError::Manifest {
        path: path.to_path_buf(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

pub(crate) fn invalid_key(path: &Path, key: &str, problem: impl Into<String>) -> ClassifyError {
    ClassifyError::Invalid {
        path: path.to_path_buf(),
        key: key.to_string(),
        problem: problem.into(),
    }
}

/// Hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, ClassifyError> {
    let io = |source| ClassifyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// All checksums a manifest gives, as file name → lower-case hex. `model_file` is the manifest's
/// own ONNX file (what a bare `sha256 = "…"` or `model_sha256` refers to).
pub fn checksum_table(
    sha256: Option<&Checksums>,
    model_sha256: Option<&str>,
    tokenizer_sha256: Option<&str>,
    model_file: &str,
    tokenizer_file: Option<&str>,
) -> BTreeMap<String, String> {
    let mut table = BTreeMap::new();
    match sha256 {
        Some(Checksums::Model(hex)) => {
            table.insert(model_file.to_string(), hex.clone());
        }
        Some(Checksums::Files(map)) => table.extend(map.clone()),
        None => {}
    }
    if let Some(hex) = model_sha256 {
        table.insert(model_file.to_string(), hex.to_string());
    }
    if let (Some(hex), Some(file)) = (tokenizer_sha256, tokenizer_file) {
        table.insert(file.to_string(), hex.to_string());
    }
    table
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_ascii_lowercase()))
        .collect()
}

/// A plain file name inside the folder (no separators, no `..`).
fn file_in(dir: &Path, manifest: &Path, key: &str, name: &str) -> Result<PathBuf, ClassifyError> {
    if name.is_empty() || name.contains('/') || name.contains('\\') || name == ".." {
        return Err(invalid_key(
            manifest,
            key,
            format!("{name:?} must be a file name inside the model folder"),
        ));
    }
    let path = dir.join(name);
    if !path.is_file() {
        return Err(ClassifyError::MissingFile {
            path,
            manifest: manifest.to_path_buf(),
            key: key.to_string(),
        });
    }
    Ok(path)
}

fn check_sums(
    dir: &Path,
    manifest: &Path,
    table: &BTreeMap<String, String>,
    model_file: &str,
) -> Result<(), ClassifyError> {
    if !table.contains_key(model_file) {
        return Err(invalid_key(
            manifest,
            "sha256",
            format!("no checksum for {model_file} (give sha256 or model_sha256)"),
        ));
    }
    for (name, expected) in table {
        // Other ONNX variants listed in the table (e.g. fp32 next to int8) are not loaded: skip.
        if name != model_file && name.ends_with(".onnx") {
            continue;
        }
        if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid_key(
                manifest,
                "sha256",
                format!("{expected:?} is not a 64-digit hex SHA-256"),
            ));
        }
        let path = file_in(dir, manifest, "sha256", name)?;
        let actual = sha256_file(&path)?;
        if actual != *expected {
            return Err(ClassifyError::ChecksumMismatch {
                path,
                expected: expected.clone(),
                actual,
            });
        }
    }
    Ok(())
}

/// A classifier folder whose manifest was read and checked (files present, checksums match).
#[derive(Debug, Clone)]
pub struct ModelDir {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: ModelManifest,
    /// The ONNX file.
    pub model_path: PathBuf,
    /// The tokenizer file, for `text` models.
    pub tokenizer_path: Option<PathBuf>,
    /// SHA-256 of the ONNX file (verified).
    pub sha256: String,
}

impl ModelManifest {
    /// Read `<dir>/model.toml` (syntax and types only; see [`ModelManifest::check`]).
    pub fn read(dir: &Path) -> Result<ModelManifest, ClassifyError> {
        read_toml(&dir.join(MANIFEST_FILE))
    }

    /// The ONNX file name (`model` key, default `model.onnx`).
    pub fn model_file(&self) -> &str {
        self.model.as_deref().unwrap_or(MODEL_FILE)
    }

    /// The prefix put before texts (empty when absent).
    pub fn prefix(&self) -> &str {
        self.text_prefix.as_deref().unwrap_or("")
    }

    /// The label never reported as a script step (`background_label`, else `other` if present).
    pub fn background(&self) -> Option<&str> {
        match &self.background_label {
            Some(l) => Some(l.as_str()),
            None => self
                .labels
                .iter()
                .find(|l| l.as_str() == "other")
                .map(String::as_str),
        }
    }

    /// Check the values (task known, labels non-empty and unique, thresholds for known labels and
    /// in [0, 1], the keys each input kind needs). `manifest` is the file, for the messages.
    pub fn check(&self, manifest: &Path) -> Result<(), ClassifyError> {
        if !TASKS.contains(&self.task.as_str()) {
            return Err(invalid_key(
                manifest,
                "task",
                format!(
                    "unknown task {:?}: expected one of {}",
                    self.task,
                    TASKS.join(", ")
                ),
            ));
        }
        if self.labels.len() < 2 {
            return Err(invalid_key(manifest, "labels", "needs at least two labels"));
        }
        for (i, l) in self.labels.iter().enumerate() {
            if l.trim().is_empty() {
                return Err(invalid_key(
                    manifest,
                    "labels",
                    format!("label {i} is empty"),
                ));
            }
            if self.labels[..i].contains(l) {
                return Err(invalid_key(
                    manifest,
                    "labels",
                    format!("{l:?} appears twice"),
                ));
            }
        }
        for (label, t) in &self.thresholds {
            if !self.labels.contains(label) {
                return Err(invalid_key(
                    manifest,
                    &format!("thresholds.{label}"),
                    format!("{label:?} is not one of the labels"),
                ));
            }
            if !(0.0..=1.0).contains(t) {
                return Err(invalid_key(
                    manifest,
                    &format!("thresholds.{label}"),
                    format!("{t} is outside [0, 1]"),
                ));
            }
        }
        if let Some(b) = &self.background_label
            && !self.labels.contains(b)
        {
            return Err(invalid_key(
                manifest,
                "background_label",
                format!("{b:?} is not one of the labels"),
            ));
        }
        match self.input_kind {
            InputKind::Embedding => {
                if self.encoder.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    return Err(invalid_key(
                        manifest,
                        "encoder",
                        "required when input_kind = \"embedding\"",
                    ));
                }
            }
            InputKind::Text => {
                if self
                    .tokenizer
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty())
                {
                    return Err(invalid_key(
                        manifest,
                        "tokenizer",
                        "required when input_kind = \"text\"",
                    ));
                }
                if self.max_tokens == Some(0) {
                    return Err(invalid_key(manifest, "max_tokens", "must be at least 1"));
                }
            }
        }
        if self.version.trim().is_empty() {
            return Err(invalid_key(manifest, "version", "is empty"));
        }
        Ok(())
    }

    /// Read and check a classifier folder: manifest valid, files present, checksums match. (The
    /// label count against the ONNX output is checked when the session opens, see
    /// [`crate::verify_model_dir`].)
    pub fn open_dir(dir: &Path) -> Result<ModelDir, ClassifyError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            return Err(ClassifyError::NotAModelFolder {
                dir: dir.to_path_buf(),
            });
        }
        let manifest = ModelManifest::read(dir)?;
        manifest.check(&manifest_path)?;
        let model_path = file_in(dir, &manifest_path, "model", manifest.model_file())?;
        let tokenizer_path = match (&manifest.input_kind, &manifest.tokenizer) {
            (InputKind::Text, Some(t)) => Some(file_in(dir, &manifest_path, "tokenizer", t)?),
            _ => None,
        };
        let table = checksum_table(
            manifest.sha256.as_ref(),
            manifest.model_sha256.as_deref(),
            manifest.tokenizer_sha256.as_deref(),
            manifest.model_file(),
            manifest.tokenizer.as_deref(),
        );
        check_sums(dir, &manifest_path, &table, manifest.model_file())?;
        let sha256 = table
            .get(manifest.model_file())
            .cloned()
            .unwrap_or_default();
        Ok(ModelDir {
            dir: dir.to_path_buf(),
            manifest,
            model_path,
            tokenizer_path,
            sha256,
        })
    }
}

/// An encoder folder whose manifest was read and checked.
#[derive(Debug, Clone)]
pub struct EncoderDir {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: EncoderManifest,
    /// The ONNX file.
    pub model_path: PathBuf,
    /// The tokenizer file.
    pub tokenizer_path: PathBuf,
    /// SHA-256 of the ONNX file (verified).
    pub sha256: String,
}

impl EncoderManifest {
    /// Read `<dir>/model.toml` (syntax and types only).
    pub fn read(dir: &Path) -> Result<EncoderManifest, ClassifyError> {
        read_toml(&dir.join(MANIFEST_FILE))
    }

    /// Check the values; `manifest` is the file, for the messages.
    pub fn check(&self, manifest: &Path) -> Result<(), ClassifyError> {
        if self.kind != "encoder" {
            return Err(invalid_key(
                manifest,
                "kind",
                format!("{:?}: expected \"encoder\"", self.kind),
            ));
        }
        if self.dim == 0 {
            return Err(invalid_key(manifest, "dim", "must be at least 1"));
        }
        if self.max_tokens < 3 {
            return Err(invalid_key(manifest, "max_tokens", "must be at least 3"));
        }
        Ok(())
    }

    /// Read and check an encoder folder: manifest valid, files present, checksums match.
    /// `model_file` overrides the manifest's ONNX file (e.g. an int8 variant next to it; its
    /// checksum must then be listed in a `[sha256]` table).
    pub fn open_dir(dir: &Path, model_file: Option<&str>) -> Result<EncoderDir, ClassifyError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            return Err(ClassifyError::NotAModelFolder {
                dir: dir.to_path_buf(),
            });
        }
        let manifest = EncoderManifest::read(dir)?;
        manifest.check(&manifest_path)?;
        let file = model_file
            .or(manifest.model.as_deref())
            .unwrap_or(MODEL_FILE);
        let model_path = file_in(dir, &manifest_path, "model", file)?;
        let tokenizer_file = manifest.tokenizer.as_deref().unwrap_or(TOKENIZER_FILE);
        let tokenizer_path = file_in(dir, &manifest_path, "tokenizer", tokenizer_file)?;
        let table = checksum_table(
            manifest.sha256.as_ref(),
            manifest.model_sha256.as_deref(),
            manifest.tokenizer_sha256.as_deref(),
            manifest.model.as_deref().unwrap_or(MODEL_FILE),
            Some(tokenizer_file),
        );
        check_sums(dir, &manifest_path, &table, file)?;
        let sha256 = table.get(file).cloned().unwrap_or_default();
        Ok(EncoderDir {
            dir: dir.to_path_buf(),
            manifest,
            model_path,
            tokenizer_path,
            sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
task = "courtesy"
labels = ["polite", "neutral", "impolite"]
input_kind = "embedding"
encoder = "e5-small"
text_prefix = "query: "
version = "1"
sha256 = "SHA"
training_data = "models/train/data/zh/courtesy.tsv"
[thresholds]
impolite = 0.6
[metrics]
accuracy = 0.9
"#;

    /// A head folder with a fake ONNX file and the manifest text (SHA replaced by its hash).
    fn folder(manifest: &str) -> tempfile::TempDir {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        };
        let onnx = dir.path().join(MODEL_FILE);
        std::fs::write(&onnx, b"not really onnx").ok();
        let sha = sha256_file(&onnx).unwrap_or_default();
        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            manifest.replace("SHA", &sha),
        )
        .ok();
        dir
    }

    fn open_err(manifest: &str) -> String {
        let dir = folder(manifest);
        match ModelManifest::open_dir(dir.path()) {
            Ok(_) => panic!("accepted a bad manifest:\n{manifest}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_good_folder_opens() {
        let dir = folder(GOOD);
        let md = match ModelManifest::open_dir(dir.path()) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(md.manifest.labels.len(), 3);
        assert_eq!(md.manifest.prefix(), "query: ");
        assert_eq!(md.manifest.thresholds.get("impolite"), Some(&0.6));
        assert_eq!(md.manifest.input_kind, InputKind::Embedding);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let e = open_err(&GOOD.replace("task = \"courtesy\"", "task = \"politeness\""));
        assert!(e.contains("model.toml") && e.contains("`task`"), "{e}");
        let e = open_err(&GOOD.replace("impolite = 0.6", "rude = 0.6"));
        assert!(e.contains("`thresholds.rude`"), "{e}");
        let e = open_err(&GOOD.replace("impolite = 0.6", "impolite = 1.6"));
        assert!(
            e.contains("`thresholds.impolite`") && e.contains("1.6"),
            "{e}"
        );
        let e = open_err(&GOOD.replace("encoder = \"e5-small\"", ""));
        assert!(e.contains("`encoder`"), "{e}");
        let e = open_err(&GOOD.replace("\"neutral\", \"impolite\"", "\"polite\""));
        assert!(e.contains("`labels`") && e.contains("twice"), "{e}");
        let e = open_err(&GOOD.replace("input_kind = \"embedding\"", "input_kind = \"text\""));
        assert!(e.contains("`tokenizer`"), "{e}");
    }

    #[test]
    fn missing_or_mistyped_keys_are_named_by_the_toml_reader() {
        let e = open_err(&GOOD.replace("labels = [\"polite\", \"neutral\", \"impolite\"]", ""));
        assert!(e.contains("model.toml") && e.contains("labels"), "{e}");
        let e = open_err(&GOOD.replace("input_kind = \"embedding\"", "input_kind = \"audio\""));
        assert!(e.contains("input_kind"), "{e}");
    }

    #[test]
    fn checksum_mismatch_names_the_file_and_both_hashes() {
        let dir = folder(GOOD);
        std::fs::write(dir.path().join(MODEL_FILE), b"tampered").ok();
        let e = match ModelManifest::open_dir(dir.path()) {
            Ok(_) => panic!("accepted a tampered model"),
            Err(e) => e,
        };
        assert!(matches!(e, ClassifyError::ChecksumMismatch { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("model.onnx") && msg.contains("sha256 mismatch"),
            "{msg}"
        );
        let e = open_err(&GOOD.replace("sha256 = \"SHA\"", "sha256 = \"abc\""));
        assert!(e.contains("`sha256`"), "{e}");
    }

    #[test]
    fn missing_files_are_named_with_the_key_that_needs_them() {
        let dir = folder(GOOD);
        std::fs::remove_file(dir.path().join(MODEL_FILE)).ok();
        let e = ModelManifest::open_dir(dir.path()).map(|_| ()).err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("model.onnx: missing") && msg.contains("`model`"),
            "{msg}"
        );
        let empty = tempfile::tempdir().ok();
        let msg = empty
            .as_ref()
            .and_then(|d| ModelManifest::open_dir(d.path()).err())
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("not a model folder (no model.toml)"), "{msg}");
    }

    #[test]
    fn model_sha256_and_tokenizer_sha256_spellings_are_checked() {
        let spelled = GOOD.replace("sha256 = \"SHA\"", "model_sha256 = \"SHA\"");
        let dir = folder(&spelled);
        if let Err(e) = ModelManifest::open_dir(dir.path()) {
            panic!("{e}");
        }
        std::fs::write(dir.path().join(MODEL_FILE), b"tampered").ok();
        assert!(matches!(
            ModelManifest::open_dir(dir.path()),
            Err(ClassifyError::ChecksumMismatch { .. })
        ));
        // No checksum at all: named.
        let e = open_err(&GOOD.replace("sha256 = \"SHA\"", ""));
        assert!(e.contains("`sha256`"), "{e}");
        // A text model's tokenizer checksum is verified too.
        let text = GOOD
            .replace("input_kind = \"embedding\"", "input_kind = \"text\"")
            .replace(
                "encoder = \"e5-small\"",
                "tokenizer = \"tokenizer.json\"\ntokenizer_sha256 = \"SHA\"",
            );
        let dir = folder(&text);
        std::fs::write(dir.path().join(TOKENIZER_FILE), b"{}").ok();
        let e = ModelManifest::open_dir(dir.path())
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("tokenizer.json: sha256 mismatch"), "{e}");
    }

    #[test]
    fn checksum_tables_check_listed_files_but_skip_other_onnx_variants() {
        let table = GOOD.replace("sha256 = \"SHA\"\n", "")
            + "[sha256]\n\"model.onnx\" = \"SHA\"\n\"model.int8.onnx\" = \"SHA\"\n";
        let dir = folder(&table);
        // model.int8.onnx does not exist, but it is not the file being loaded.
        if let Err(e) = ModelManifest::open_dir(dir.path()) {
            panic!("{e}");
        }
        let tok = table.replace("\"model.int8.onnx\"", "\"tokenizer.json\"");
        let dir = folder(&tok);
        let e = ModelManifest::open_dir(dir.path())
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("tokenizer.json: missing"));
    }
}
