//! `callqa transcribe FILE...`: decode, VAD and Whisper over recordings; prints turn-ordered
//! transcripts.
//!
//! Text output: a `# PATH language=.. duration=..s roles_inferred=..` line per file, then one line
//! per utterance, `[mm:ss.s-mm:ss.s] agent: text`.
//! `--json`: one JSON object per utterance per line with the fields `path`, `idx`, `speaker`,
//! `start_ms`, `end_ms`, `text`, `avg_logprob`, `no_speech_prob`, `language`, `roles_inferred`,
//! `role_confidence` (names are a contract).
//! A file that cannot be read or transcribed gets a one-line error on stderr naming it; the others
//! are still processed; exit status 2 when any failed.
//!
//! Settings come from `--pipeline` (its `[asr]`, `[vad]`, `[channels]` and language) and are
//! overridden by the flags given.

use anyhow::{Context, bail};
use callqa_asr::{AsrConfig, ChannelLayout, Transcriber, WhisperModel};
use callqa_core::{Speaker, Transcript};
use callqa_vad::{Vad, VadConfig};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

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
    /// `mono` to mix the channels and infer the roles [default: agent,customer].
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

fn parse_layout(s: &str) -> anyhow::Result<ChannelLayout> {
    if s.trim().eq_ignore_ascii_case("mono") {
        return Ok(ChannelLayout::Mono);
    }
    let roles = s
        .split(',')
        .map(|p| p.parse::<Speaker>())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--channels {s:?}"))?;
    if roles.is_empty() {
        bail!("--channels {s:?}: name at least one party");
    }
    Ok(ChannelLayout::Roles(roles))
}

struct Settings {
    model: String,
    asr: AsrConfig,
    vad: VadConfig,
    layout: ChannelLayout,
}

fn settings(args: &Args) -> anyhow::Result<Settings> {
    let mut s = Settings {
        model: "base".into(),
        asr: AsrConfig::default(),
        vad: VadConfig::default(),
        layout: ChannelLayout::default(),
    };
    if let Some(p) = &args.pipeline {
        let pipe = callqa_pipeline::config::Pipeline::load(p)?;
        let stage = pipe.stage_settings()?;
        s.model = stage.model;
        s.asr = stage.asr;
        s.vad = stage.vad;
        s.layout = stage.layout;
    }
    if let Some(m) = &args.model {
        s.model = m.clone();
    }
    if let Some(l) = &args.lang {
        s.asr.language = l.clone();
    }
    if let Some(t) = args.threads {
        s.asr.threads = t;
    }
    if let Some(p) = &args.prompt {
        s.asr.initial_prompt = Some(p.clone());
    }
    if args.full_audio_ctx {
        s.asr.reduce_audio_ctx = false;
    }
    if let Some(c) = &args.channels {
        s.layout = parse_layout(c)?;
    }
    s.asr.validate()?;
    s.vad.validate()?;
    Ok(s)
}

fn clock(ms: u64) -> String {
    format!("{:02}:{:04.1}", ms / 60_000, (ms % 60_000) as f64 / 1000.0)
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
                clock(u.start_ms),
                clock(u.end_ms),
                u.speaker,
                u.text
            ));
        }
    }
    out
}

struct Timing {
    audio_s: f64,
    decode_s: f64,
    asr_s: f64,
}

fn one_file(
    worker: &mut Transcriber,
    vad: &Vad,
    layout: &ChannelLayout,
    path: &Path,
) -> anyhow::Result<(Transcript, Timing)> {
    let t0 = Instant::now();
    let decoded = callqa_audio::decode_16k(path, &callqa_audio::DecodeOptions::default())?;
    let decode_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let transcript = worker
        .transcribe_call(vad, &decoded.channels, layout)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let timing = Timing {
        audio_s: decoded.channels.first().map_or(0, Vec::len) as f64 / 16_000.0,
        decode_s,
        asr_s: t1.elapsed().as_secs_f64(),
    };
    Ok((transcript, timing))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let s = settings(&args)?;
    let resolved = callqa_models::resolve_whisper(&s.model)?;
    let model = WhisperModel::load(&resolved.path)?;
    let vad = Vad::new(&s.vad)?;
    if vad.backend() == callqa_vad::BackendKind::Energy {
        eprintln!(
            "callqa: warning: Silero VAD unavailable, using the crude energy detector (hold music \
             and noise may be transcribed)"
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args
        .jobs
        .unwrap_or((cores / s.asr.threads.max(1)).max(1))
        .clamp(1, args.files.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    let mut failed = 0usize;
    let mut total_audio = 0f64;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, model, vad, s, files) = (&next, &model, &vad, &s, &args.files);
            scope.spawn(move || {
                let mut worker = match Transcriber::new(model, s.asr.clone()) {
                    Ok(w) => w,
                    Err(e) => {
                        let _ = tx.send((usize::MAX, Err(anyhow::Error::from(e))));
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(path) = files.get(i) else { break };
                    let res = one_file(&mut worker, vad, &s.layout, path);
                    if tx.send((i, res)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut next_print = 0usize;
        let stdout = std::io::stdout();
        for (i, res) in rx {
            if i == usize::MAX {
                if let Err(e) = res {
                    return Err(e);
                }
                continue;
            }
            pending.insert(i, res);
            while let Some(res) = pending.remove(&next_print) {
                let path = &args.files[next_print];
                match res {
                    Ok((t, timing)) => {
                        total_audio += timing.audio_s;
                        let mut lock = stdout.lock();
                        let _ = lock.write_all(render(path, &t, args.json).as_bytes());
                        let _ = lock.flush();
                        tracing::info!(
                            file = %path.display(),
                            utterances = t.utterances.len(),
                            dropped = t.dropped_segments,
                            audio_s = timing.audio_s,
                            decode_s = timing.decode_s,
                            asr_s = timing.asr_s,
                            "transcribed"
                        );
                        if args.timings {
                            eprintln!(
                                "{}: audio {:.1} s, decode {:.2} s, vad+asr {:.2} s, {:.1}x real time",
                                path.display(),
                                timing.audio_s,
                                timing.decode_s,
                                timing.asr_s,
                                timing.audio_s / (timing.decode_s + timing.asr_s).max(1e-9)
                            );
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        // The message names the file (audio errors carry their path).
                        eprintln!("callqa: {e}");
                    }
                }
                next_print += 1;
            }
        }
        Ok(())
    })?;
    if args.timings {
        let wall = started.elapsed().as_secs_f64();
        eprintln!(
            "total: {} files, audio {:.1} s, wall {:.1} s, {:.1}x real time ({} jobs x {} threads, model {}, VAD {:?})",
            args.files.len(),
            total_audio,
            wall,
            total_audio / wall.max(1e-9),
            jobs,
            s.asr.threads,
            resolved.name,
            vad.backend()
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_maps_parse() {
        assert_eq!(
            parse_layout("customer,agent").ok(),
            Some(ChannelLayout::Roles(vec![
                Speaker::Customer,
                Speaker::Agent
            ]))
        );
        assert_eq!(parse_layout("MONO").ok(), Some(ChannelLayout::Mono));
        assert!(parse_layout("agent,caller").is_err());
    }

    #[test]
    fn clock_formats_minutes_and_tenths() {
        assert_eq!(clock(83_450), "01:23.4");
        assert_eq!(clock(0), "00:00.0");
    }
}
