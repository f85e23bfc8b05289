//! The callqa runner: reads a pipeline config, walks inputs, runs every stage per call, and hands
//! rows to the store. The only crate that knows every stage.

pub mod config;
pub mod inputs;

pub use config::{ConfigError, Pipeline, PipelineConfig};
pub use inputs::{CallInput, InputError};
