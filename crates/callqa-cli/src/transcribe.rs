//! `callqa transcribe FILE...`: recordings to turn-ordered transcripts, through the same
//! audio → transcript path as `callqa score` (`callqa_pipeline::transcribe`: decode, channel
//! layout, VAD, mono diarization, Whisper, on the runner's worker pool). Arguments and printing
//! only.
//!
//! Text output: a `# PATH language=.. duration=..s roles_inferred=..` line per file, then one line
//! per utterance, `[mm:ss.s-mm:ss.s] agent: text`.
//! `--json`: one JSON object per utterance per line with the fields `path`, `idx`, `speaker`,
//! `start_ms`, `end_ms`, `text`, `avg_logprob`, `no_speech_prob`, `language`, `roles_inferred`,
//! `role_confidence`, `backchannel` (names are a contract).
//! A file that cannot be read or transcribed gets a one-line error on stderr naming it; the others
//! are still processed; exit status 2 when any failed.
//!
//! Settings come from `--pipeline` (its `[asr]`, `[vad]`, `[channels]` and language) and are
//! overridden by the flags given.

use anyhow::Context;
use callqa_core::Transcript;
use callqa_pipeline::{
    SpeechEngines, SpeechOverrides, StageSettings, TranscribeOptions, Transcribed,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Recordings (wav, mp3, flac, ogg; mono or stereo; any rate).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Pipeline config to read the ASR, VAD and channel settings from.
    #[arg(long)]
    pub pipeline: Option<PathBuf>,
    /// Whisper model: installed name (`base`, `tiny.en`) or path to a ggml file [default: base].
    #[arg(long)]
    pub model: Option<String>,
    /// Language: zh, en or auto (detected once per channel) [default: auto].
    #[arg(long)]
    pub lang: Option<String>,
    /// Worker threads, each with its own Whisper state (files run in parallel) [default: cores].
    #[arg(long)]
    pub jobs: Option<usize>,
    /// whisper.cpp threads per worker (keep jobs × threads ≤ free cores) [default: 1].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Channel map: the parties in channel order (`agent,customer` or `customer,agent`), or
    /// `mono` to mix the channels and infer the roles; a single-channel recording is always
    /// mono [default: agent,customer].
    #[arg(long)]
    pub channels: Option<String>,
    /// Domain vocabulary given to Whisper as its initial prompt.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Run Whisper's encoder on the full 30 s context even for short windows (slower; the
    /// default shrinks it to each window's length).
    #[arg(long)]
    pub full_audio_ctx: bool,
    /// One JSON object per utterance, one per line.
    #[arg(long)]
    pub json: bool,
    /// Print per-file timings (decode, VAD+ASR, real-time factor) to stderr.
    #[arg(long)]
    pub timings: bool,
}

fn settings(args: &Args) -> anyhow::Result<StageSettings> {
    let base = match &args.pipeline {
        Some(p) => callqa_pipeline::Pipeline::load(p)?.stage_settings()?,
        None => StageSettings::defaults(),
    };
    let overrides = SpeechOverrides {
        model: args.model.clone(),
        language: args.lang.clone(),
        threads: args.threads,
        prompt: args.prompt.clone(),
        full_audio_ctx: args.full_audio_ctx,
        channels: args.channels.clone(),
    };
    base.with_overrides(&overrides)
        .context("transcription settings (--pipeline and flags)")
}

fn render(path: &Path, t: &Transcript, json: bool) -> String {
    let mut out = String::new();
    if json {
        for u in &t.utterances {
            let v = serde_json::json!({
                "path": path.to_string_lossy(),
                "idx": u.idx,
                "speaker": u.speaker.as_str(),
                "start_ms": u.start_ms,
                "end_ms": u.end_ms,
                "text": u.text,
                "avg_logprob": u.avg_logprob,
                "no_speech_prob": u.no_speech_prob,
                "language": t.language,
                "roles_inferred": t.roles_inferred,
                "role_confidence": t.role_confidence,
                "backchannel": u.backchannel,
                "words": u.words,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
    } else {
        out.push_str(&format!(
            "# {} language={} duration={:.1}s roles_inferred={} dropped_segments={}\n",
            path.display(),
            t.language,
            t.duration_ms as f64 / 1000.0,
            t.roles_inferred,
            t.dropped_segments
        ));
        for u in &t.utterances {
            out.push_str(&format!(
                "[{}-{}] {}: {}\n",
                callqa_core::fmt_clock(u.start_ms),
                callqa_core::fmt_clock(u.end_ms),
                u.speaker,
                u.text
            ));
        }
    }
    out
}

fn print_timing(path: &Path, t: &Transcribed) {
    let s = &t.timing;
    eprintln!(
        "{}: audio {:.1} s, decode {:.2} s, diarize {:.2} s, vad+asr {:.2} s, {:.1}x real time",
        path.display(),
        s.audio_s,
        s.decode_s,
        s.diarize_s,
        s.asr_s,
        s.audio_s / (s.decode_s + s.diarize_s + s.asr_s).max(1e-9)
    );
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = settings(&args)?;
    let threads = settings.asr.threads;
    let engines = SpeechEngines::load(vec![("transcribe".into(), settings)])?;
    let opts = TranscribeOptions { jobs: args.jobs };
    let stdout = std::io::stdout();
    let summary = callqa_pipeline::transcribe(&engines, 0, &args.files, &opts, |_, path, res| {
        match res {
            Ok(t) => {
                let mut lock = stdout.lock();
                lock.write_all(render(path, &t.transcript, args.json).as_bytes())?;
                lock.flush()?;
                if args.timings {
                    print_timing(path, &t);
                }
            }
            // The message names the file.
            Err(e) => eprintln!("callqa: {e}"),
        }
        Ok::<(), std::io::Error>(())
    })
    .context("writing the transcripts")?;
    if args.timings {
        eprintln!(
            "total: {} files, audio {:.1} s, wall {:.1} s, {:.1}x real time ({} jobs x {} threads, model {}, VAD {})",
            summary.files,
            summary.audio_s,
            summary.wall_s,
            summary.audio_s / summary.wall_s.max(1e-9),
            summary.jobs,
            threads,
            engines.model(0).name,
            engines.vad_backend(0)
        );
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
