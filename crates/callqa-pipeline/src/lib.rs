//! The callqa runner: reads pipeline configs, walks inputs (files, folders, manifests), runs every
//! stage per call on a worker pool — decode, VAD, ASR, classifiers, evaluation form — and hands
//! the rows to the store; rescoring re-applies forms and classifiers to stored transcripts. The
//! only crate that knows every stage.
//!
//! Takes recordings (paths, or a manifest) and pipeline configs; gives Parquet rows through
//! [`score`] / [`rescore`], or transcripts through [`transcribe()`]. The audio → transcript part
//! (decode, channel layout, VAD, mono diarization, ASR) is one path, [`transcribe`]'s module,
//! and both [`score`] and [`transcribe()`] run it on the same worker pool.
//!
//! ```no_run
//! use callqa_pipeline::{Engines, NoProgress, Pipeline, RunOptions, inputs, score};
//! let pipeline = Pipeline::load(std::path::Path::new("pipelines/inbound-zh.toml"))?;
//! let engines = Engines::load(vec![pipeline], true, 1)?;
//! let (calls, errors) = inputs::read_manifest(std::path::Path::new("fixtures/manifest.csv"))?;
//! let summary = score(&engines, &calls, &errors, &RunOptions::new("out"), &NoProgress)?;
//! println!("{} scored, {} skipped, {} failed", summary.scored, summary.skipped, summary.failed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Transcripts only (what `callqa transcribe` prints), in input order as they finish:
//!
//! ```no_run
//! use callqa_pipeline::{SpeechEngines, StageSettings, TranscribeOptions, transcribe};
//! let engines = SpeechEngines::load(vec![("default".into(), StageSettings::defaults())])?;
//! let files = vec![std::path::PathBuf::from("call.wav")];
//! transcribe(&engines, 0, &files, &TranscribeOptions::default(), |_, path, res| {
//!     match res {
//!         Ok(t) => println!("{}: {} utterances", path.display(), t.transcript.utterances.len()),
//!         Err(e) => eprintln!("{e}"),
//!     }
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod dates;
pub mod forget;
pub mod inputs;
pub mod nightly;
mod pool;
pub mod redact_audio;
pub mod run;
pub mod shard;
pub mod transcribe;

pub use config::{ConfigError, Pipeline, PipelineConfig, StageSettings};
pub use inputs::{CallInput, InputError};
pub use run::{
    CallEvent, CallFailure, CallStatus, Engines, NoProgress, PipelineVersions, Progress, RunError,
    RunOptions, RunSummary, STAGES, call_key, rescore, score,
};
pub use transcribe::{
    SpeechEngines, SpeechError, SpeechOverrides, SpeechTiming, SpeechWorker, TranscribeOptions,
    TranscribeSummary, Transcribed, transcribe,
};
