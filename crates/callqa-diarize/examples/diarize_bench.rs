//! Diarization speed and accuracy.
//!
//! `cargo run --release -p callqa-diarize --example diarize_bench -- [--set KEY=VALUE]... [FILE...]`
//!
//! Each FILE is mixed to mono, run through Silero VAD and diarized; the bench prints voices, turns,
//! confidence and seconds of audio per wall second of diarization (VAD and decoding not counted),
//! and the accuracy where a reference `FILE.rttm` (same stem) lies beside it.
//! Without files it runs the development set: the shared recordings with a reference
//! (`stereo_diarization.wav`, the Mandarin RTTM conversation), single-speaker clips, and the
//! fixture calls, printing the accuracy on each. `--set` overrides a `[diarize]` key (TOML value).

#[path = "../tests/common/mod.rs"]
mod common;

use callqa_diarize::{DiarizeConfig, Diarizer};
use common::*;
use std::path::PathBuf;
use std::time::Instant;

enum Reference {
    None,
    OneVoice,
    /// One channel of a stereo recording (one speaker).
    OneVoiceChannel(usize),
    Channels,
    Rttm(PathBuf),
    Timeline(PathBuf),
}

fn dev_set() -> Vec<(PathBuf, Reference)> {
    let mut set = Vec::new();
    if let Some(data) = shared_data() {
        set.push((
            data.join("asr_en/stereo_diarization.wav"),
            Reference::Channels,
        ));
        let conv = data.join("calls_real/campplus_2speakers_example.wav");
        set.push((conv.clone(), Reference::Rttm(conv.with_extension("rttm"))));
        for f in [
            "asr_en/jfk.wav",
            "asr_en/librispeech-1995-1837-0001.wav",
            "asr_en/funasr_csharp_example_4_librispeech.wav",
            "asr_en/OSR_us_000_0034_8k.wav",
        ] {
            set.push((data.join(f), Reference::OneVoice));
        }
        for f in [
            "calls_real/gcpspeech_commercial_mono.wav",
            "calls_real/ibmwatson_english3.g712.wav",
            "calls_real/ibmwatson_Us_English_Narrowband_Sample_1.wav",
        ] {
            set.push((data.join(f), Reference::None));
        }
    }
    let calls = repo_root().join("fixtures/calls");
    let ids = fixture_ids();
    for id in &ids {
        set.push((
            repo_root().join(format!("fixtures/audio/{id}.wav")),
            Reference::Timeline(calls.join(format!("{id}.timeline.json"))),
        ));
    }
    for id in &ids {
        for ch in 0..2 {
            set.push((
                repo_root().join(format!("fixtures/audio/{id}.wav")),
                Reference::OneVoiceChannel(ch),
            ));
        }
    }
    set
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG=callqa_diarize=debug shows the cluster figures of each recording.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut overrides = String::new();
    let mut files: Vec<(PathBuf, Reference)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--set" {
            let kv = args.next().ok_or("--set needs KEY=VALUE")?;
            overrides.push_str(&kv);
            overrides.push('\n');
        } else {
            // A FILE with a sibling FILE.rttm (same stem) is scored against it.
            let path = PathBuf::from(a);
            let rttm = path.with_extension("rttm");
            let reference = if rttm.is_file() {
                Reference::Rttm(rttm)
            } else {
                Reference::None
            };
            files.push((path, reference));
        }
    }
    let config: DiarizeConfig = toml::from_str(&overrides)?;
    let diarizer = Diarizer::new(&config)?;
    let vad = vad().ok_or("Silero VAD unavailable")?;
    if files.is_empty() {
        files = dev_set();
    }
    let (mut audio_s, mut wall_s) = (0f64, 0f64);
    let mut accs: Vec<(String, f64)> = Vec::new();
    for (path, reference) in &files {
        let samples = match reference {
            Reference::OneVoiceChannel(ch) => match decode(path, false) {
                Some(mut st) if *ch < st.len() => st.swap_remove(*ch),
                _ => continue,
            },
            _ => match decode(path, true) {
                Some(mut mono) => mono.swap_remove(0),
                None => continue,
            },
        };
        let regions = regions(&vad, &samples);
        let t0 = Instant::now();
        let out = diarizer.diarize(&samples, &regions)?;
        let dt = t0.elapsed().as_secs_f64();
        let secs = samples.len() as f64 / 16_000.0;
        audio_s += secs;
        wall_s += dt;
        let mut name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        if let Reference::OneVoiceChannel(ch) = reference {
            name = format!("{name}[channel {ch}]");
        }
        let duration_ms = samples.len() as u64 / 16;
        let truth = match reference {
            Reference::Channels => decode(path, false).map(|st| truth_from_channels(&vad, &st)),
            Reference::Rttm(p) => Some(truth_from_rttm(p)),
            Reference::Timeline(p) => Some(truth_from_timeline(p)),
            Reference::OneVoice | Reference::OneVoiceChannel(_) | Reference::None => None,
        };
        let verdict = match (reference, truth) {
            (_, Some(t)) => {
                let s = score(&out, &t, duration_ms);
                accs.push((name.clone(), s.accuracy));
                format!(
                    "{:.1} % right of {:.1} s (coverage {:.1} %, {:.1} % of covered right)",
                    100.0 * s.accuracy,
                    s.single_s,
                    100.0 * s.coverage,
                    100.0 * s.accuracy / s.coverage.max(1e-9)
                )
            }
            (Reference::OneVoice | Reference::OneVoiceChannel(_), None) => {
                format!(
                    "one voice expected: {}",
                    if out.voices == 1 { "ok" } else { "WRONG" }
                )
            }
            _ => String::new(),
        };
        println!(
            "{name}: {secs:.1} s in {dt:.2} s ({:.1}x) {} {verdict}",
            secs / dt,
            describe(&out)
        );
    }
    if !accs.is_empty() {
        let mean = accs.iter().map(|a| a.1).sum::<f64>() / accs.len() as f64;
        println!(
            "mean accuracy {:.1} % over {} recordings",
            100.0 * mean,
            accs.len()
        );
    }
    println!(
        "total: {audio_s:.1} s of audio in {wall_s:.2} s = {:.1} audio seconds per wall second ({} thread(s))",
        audio_s / wall_s.max(1e-9),
        config.threads
    );
    Ok(())
}
