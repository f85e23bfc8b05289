//! The callqa runner: reads pipeline configs, walks inputs (files, folders, manifests), runs every
//! stage per call on a worker pool — decode, VAD, ASR, classifiers, evaluation form — and hands
//! the rows to the store; rescoring re-applies forms and classifiers to stored transcripts. The
//! only crate that knows every stage.
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

pub mod config;
pub mod inputs;
pub mod run;

pub use config::{ConfigError, Pipeline, PipelineConfig, StageSettings};
pub use inputs::{CallInput, InputError};
pub use run::{
    CallEvent, CallStatus, Engines, NoProgress, Progress, RunError, RunOptions, RunSummary, STAGES,
    call_key, rescore, score,
};
