//! `callqa`: the command line over the callqa stage libraries. Arguments and printing only; the
//! work happens in the `callqa-*` crates.

mod classify;
mod models;
mod probe;
mod transcribe;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "callqa",
    version,
    about = "Offline speech-analytics QA for call-centre recordings"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print container, codec, sample rate, channels and duration of recordings.
    Probe(probe::Args),
    /// Judge sentences: courtesy, script steps (per clause) and sentiment.
    Classify(classify::Args),
    /// Whisper models: fetch, list, verify, convert CTranslate2 to ggml.
    Models(models::Args),
    /// Transcribe recordings (VAD + Whisper) into turn-ordered agent/customer utterances.
    Transcribe(transcribe::Args),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CALLQA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Probe(args) => probe::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Models(args) => models::run(args),
        Command::Transcribe(args) => transcribe::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("callqa: error: {err:#}");
            ExitCode::from(1)
        }
    }
}
