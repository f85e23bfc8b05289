//! `callqa`: the command line over the callqa stage libraries. Arguments and printing only; the
//! work happens in the `callqa-*` crates.

mod agents;
mod calibrate;
mod check;
mod classify;
mod clips;
mod forget;
mod models;
mod probe;
mod report;
mod score;
mod serve;
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
    /// Score recordings end to end (decode, VAD, ASR, classifiers, form) into Parquet tables.
    #[command(after_help = score::EXIT_CODES)]
    Score(score::Args),
    /// Re-apply changed forms or classifiers to stored transcripts, without ASR.
    #[command(after_help = score::EXIT_CODES)]
    Rescore(score::RescoreArgs),
    /// Agent summaries per week or month from the stored scores.
    Agents(agents::Args),
    /// Validate pipeline configs and the models they name, without touching audio.
    Check(check::Args),
    /// Management report of a month or week as one self-contained HTML file.
    Report(report::Args),
    /// Agreement with human QA results: per item agreement, Cohen's kappa, confusion, score error.
    Calibrate(calibrate::Args),
    /// The analysts' web app over an output folder (read-only; 127.0.0.1 unless --token).
    Serve(serve::Args),
    /// Trainer clip packs: the best or worst examples of an item as redacted WAV clips, transcripts, index.html and manifest.csv.
    Clips(clips::Args),
    /// Retention: remove calls (by id, or --older-than 365d) from every table, atomically.
    Forget(forget::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Batch runs without a progress bar log one line per call (ids, timings and counts only;
    // transcript text never goes above debug).
    let batch_lines = match &cli.command {
        Command::Score(a) => !score::draws_bar(a.run.no_progress),
        Command::Rescore(a) => !score::draws_bar(a.run.no_progress),
        _ => false,
    };
    let default_filter = if batch_lines {
        format!(
            "warn,callqa_cli=info,callqa_pipeline=info,{}",
            callqa_audio::QUIET_DECODER_LOGS
        )
    } else {
        format!("warn,{}", callqa_audio::QUIET_DECODER_LOGS)
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CALLQA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Probe(args) => probe::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Models(args) => models::run(args),
        Command::Transcribe(args) => transcribe::run(args),
        Command::Score(args) => score::run(args),
        Command::Rescore(args) => score::rescore(args),
        Command::Agents(args) => agents::run(args),
        Command::Check(args) => check::run(args),
        Command::Report(args) => report::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Clips(args) => clips::run(args),
        Command::Forget(args) => forget::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("callqa: error: {err:#}");
            ExitCode::from(1)
        }
    }
}
