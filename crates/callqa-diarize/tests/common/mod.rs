//! Shared helpers of the diarization tests and the bench: decoding, VAD, reference timelines and
//! the accuracy metric.

#![allow(dead_code)]

use callqa_audio::{DecodeOptions, decode_16k};
use callqa_core::Diarization;
use callqa_diarize::{DiarizeConfig, Diarizer};
use callqa_vad::{SpeechRegion, Vad, VadConfig};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/data` next to the repository, or `None` (with a printed note) when absent.
pub fn shared_data() -> Option<PathBuf> {
    let d = repo_root().join("../shared/data");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("SKIP: no shared test data at {}", d.display());
        None
    }
}

/// Ids of the fixture calls that have a timeline (`fixtures/calls/<id>.timeline.json`), sorted.
pub fn fixture_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/calls"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".timeline.json").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

/// The diarizer with `config`, or `None` (with a printed note) when the model or ONNX Runtime
/// is missing.
pub fn diarizer(config: &DiarizeConfig) -> Option<Diarizer> {
    match Diarizer::new(config) {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("SKIP: diarizer unavailable: {e}");
            None
        }
    }
}

/// Silero VAD (the default config), or `None` when unavailable.
pub fn vad() -> Option<Vad> {
    match Vad::new(&VadConfig {
        backend: callqa_vad::VadBackend::Silero,
        ..VadConfig::default()
    }) {
        Ok(v) => Some(v),
        Err(e) => {
            eprintln!("SKIP: Silero VAD unavailable: {e}");
            None
        }
    }
}

/// Decode to 16 kHz, one vector per channel (`mono` mixes them), or `None` when the file is absent.
pub fn decode(path: &Path, mono: bool) -> Option<Vec<Vec<f32>>> {
    if !path.is_file() {
        eprintln!("SKIP: {} absent", path.display());
        return None;
    }
    let opts = DecodeOptions {
        mono_mix: mono,
        ..DecodeOptions::default()
    };
    match decode_16k(path, &opts) {
        Ok(d) => Some(d.channels),
        Err(e) => panic!("{e}"),
    }
}

/// Speech regions of one channel.
pub fn regions(vad: &Vad, samples: &[f32]) -> Vec<SpeechRegion> {
    vad.detect(&[samples])
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
}

/// A reference timeline: per speaker, the spans (ms) they speak.
pub type Truth = Vec<Vec<(u64, u64)>>;

/// Reference from an RTTM file (speakers in order of first appearance).
pub fn truth_from_rttm(path: &Path) -> Truth {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names: Vec<String> = Vec::new();
    let mut truth: Truth = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.first() != Some(&"SPEAKER") || f.len() < 8 {
            continue;
        }
        let start: f64 = f[3]
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let dur: f64 = f[4]
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let k = match names.iter().position(|n| n == f[7]) {
            Some(k) => k,
            None => {
                names.push(f[7].to_string());
                truth.push(Vec::new());
                names.len() - 1
            }
        };
        truth[k].push(((start * 1000.0) as u64, ((start + dur) * 1000.0) as u64));
    }
    truth
}

/// Reference from a fixture call's timeline.json: agent then customer turns.
pub fn truth_from_timeline(path: &Path) -> Truth {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut truth: Truth = vec![Vec::new(), Vec::new()];
    for t in v["turns"].as_array().into_iter().flatten() {
        let k = usize::from(t["speaker"] != "agent");
        let (Some(s), Some(e)) = (t["start_ms"].as_u64(), t["end_ms"].as_u64()) else {
            panic!("{}: turn without start_ms/end_ms", path.display());
        };
        truth[k].push((s, e));
    }
    truth
}

/// Reference from per-channel VAD of a stereo recording (one speaker per channel).
pub fn truth_from_channels(vad: &Vad, channels: &[Vec<f32>]) -> Truth {
    channels
        .iter()
        .map(|c| {
            regions(vad, c)
                .iter()
                .map(|r| (r.start_ms(), r.end_ms()))
                .collect()
        })
        .collect()
}

/// How well a diarization matches a reference over single-speaker speech time.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    /// Single-speaker reference speech, seconds.
    pub single_s: f64,
    /// Share of it given the right voice, under the best voice-to-speaker mapping.
    pub accuracy: f64,
    /// Share of it given any voice.
    pub coverage: f64,
}

/// Score `d` against `truth` on a 10 ms grid: only instants where exactly one reference speaker
/// talks count; an instant with no voice counts as wrong.
pub fn score(d: &Diarization, truth: &Truth, duration_ms: u64) -> Score {
    let ticks = (duration_ms / 10) as usize + 1;
    let mut who = vec![0u8; ticks]; // bit k: speaker k talks
    for (k, spans) in truth.iter().enumerate().take(8) {
        for &(s, e) in spans {
            let (a, b) = ((s / 10) as usize, ((e / 10) as usize).min(ticks));
            for w in who.iter_mut().take(b).skip(a) {
                *w |= 1 << k;
            }
        }
    }
    let mut hyp = vec![u8::MAX; ticks];
    for t in &d.turns {
        let (a, b) = (
            (t.start_ms / 10) as usize,
            ((t.end_ms / 10) as usize).min(ticks),
        );
        if a < b {
            hyp[a..b].fill(t.voice);
        }
    }
    // counts[speaker][voice], voice 2 = none
    let n_spk = truth.len().max(1);
    let mut counts = vec![[0u64; 3]; n_spk];
    let mut single = 0u64;
    for (w, h) in who.iter().zip(&hyp) {
        if w.count_ones() != 1 {
            continue;
        }
        single += 1;
        let k = w.trailing_zeros() as usize;
        counts[k][usize::from((*h).min(2))] += 1;
    }
    let mut best = 0u64;
    for a in 0..n_spk {
        for b in 0..n_spk {
            // voice 0 -> speaker a, voice 1 -> speaker b (a == b when the voices merge)
            let right = counts[a][0] + if b != a { counts[b][1] } else { 0 };
            best = best.max(right);
        }
    }
    let assigned: u64 = counts.iter().map(|c| c[0] + c[1]).sum();
    Score {
        single_s: single as f64 / 100.0,
        accuracy: best as f64 / single.max(1) as f64,
        coverage: assigned as f64 / single.max(1) as f64,
    }
}

/// A diarization in one line.
pub fn describe(d: &Diarization) -> String {
    format!(
        "voices {} turns {} confidence {:.2}",
        d.voices,
        d.turns.len(),
        d.confidence
    )
}
