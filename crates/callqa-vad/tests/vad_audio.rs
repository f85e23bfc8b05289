//! Silero VAD on real and synthetic audio: hold music and line noise are not speech, speech is.
//! Every test skips (prints why, passes) when ONNX Runtime, the model or the data is absent.

use callqa_audio::{DecodeOptions, decode_16k};
use callqa_vad::{BackendKind, SpeechRegion, Vad, VadBackend, VadConfig};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn silero() -> Option<Vad> {
    let cfg = VadConfig {
        backend: VadBackend::Silero,
        ..VadConfig::default()
    };
    match Vad::new(&cfg) {
        Ok(v) => {
            assert_eq!(v.backend(), BackendKind::Silero);
            Some(v)
        }
        Err(e) => {
            eprintln!("SKIP: Silero VAD unavailable: {e}");
            None
        }
    }
}

fn decode(path: &Path) -> Option<Vec<Vec<f32>>> {
    if !path.is_file() {
        eprintln!("SKIP: {} absent", path.display());
        return None;
    }
    match decode_16k(path, &DecodeOptions::default()) {
        Ok(d) => Some(d.channels),
        Err(e) => panic!("{e}"),
    }
}

fn total_ms(regions: &[SpeechRegion]) -> u64 {
    regions.iter().map(|r| r.end_ms() - r.start_ms()).sum()
}

/// 2 s silence, 10 s of a chord melody with a soft beat, 10 s white-ish noise, 2 s silence.
fn synthetic_hold_music_noise() -> Vec<f32> {
    let sr = 16_000usize;
    let mut out = vec![0f32; 2 * sr];
    let notes = [261.6f32, 329.6, 392.0, 523.3, 392.0, 329.6];
    for i in 0..10 * sr {
        let t = i as f32 / sr as f32;
        let f = notes[(i / (sr / 2)) % notes.len()];
        let env = 0.5 + 0.5 * (2.0 * std::f32::consts::PI * 2.0 * t).sin().abs();
        let s = (2.0 * std::f32::consts::PI * f * t).sin()
            + 0.5 * (2.0 * std::f32::consts::PI * f * 1.5 * t).sin();
        out.push(0.15 * env * s);
    }
    let mut x: u32 = 12345;
    for _ in 0..10 * sr {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push(0.05 * ((x as f32 / u32::MAX as f32) * 2.0 - 1.0));
    }
    out.extend(std::iter::repeat_n(0.0, 2 * sr));
    out
}

#[test]
fn hold_music_and_line_noise_are_not_speech() {
    let Some(vad) = silero() else { return };
    let fixture = repo_root().join("fixtures/audio/hold_music_noise.wav");
    let samples = match decode(&fixture) {
        Some(mut ch) => ch.swap_remove(0),
        None => {
            eprintln!("using a synthesised equivalent");
            synthetic_hold_music_noise()
        }
    };
    let regions = vad.detect(&[&samples]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        total_ms(&regions[0]) < 500,
        "hold music / noise marked as speech: {:?}",
        regions[0]
    );
    let synth = synthetic_hold_music_noise();
    let regions = vad.detect(&[&synth]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        total_ms(&regions[0]) < 500,
        "synthetic music / noise marked as speech: {:?}",
        regions[0]
    );
}

#[test]
fn real_speech_is_covered() {
    let Some(vad) = silero() else { return };
    let Some(ch) = decode(Path::new("/work/shared/data/asr_en/jfk.wav")) else {
        return;
    };
    let samples = &ch[0];
    let regions = vad.detect(&[samples]).unwrap_or_else(|e| panic!("{e}"));
    let r = &regions[0];
    assert!(!r.is_empty());
    // jfk.wav: 11 s, speech from about 0.3 s to 10.5 s with pauses between phrases.
    let dur_ms = samples.len() as u64 * 1000 / 16_000;
    assert!(r[0].start_ms() < 1_000, "{r:?}");
    assert!(r[r.len() - 1].end_ms() > 9_500, "{r:?}");
    assert!(r[r.len() - 1].end_ms() <= dur_ms);
    assert!(total_ms(r) > 6_000, "{r:?}");
    for w in r.windows(2) {
        assert!(w[0].end <= w[1].start, "overlapping regions {r:?}");
    }
}

#[test]
fn stereo_call_regions_follow_each_party_turns() {
    let Some(vad) = silero() else { return };
    let id = "en_bank_inbound_model_01";
    let Some(ch) = decode(&repo_root().join(format!("fixtures/audio/{id}.wav"))) else {
        return;
    };
    let timeline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join(format!("fixtures/calls/{id}.timeline.json")))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let views: Vec<&[f32]> = ch.iter().map(Vec::as_slice).collect();
    let regions = vad.detect(&views).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(regions.len(), 2);
    let turns = timeline["turns"].as_array().cloned().unwrap_or_default();
    assert!(!turns.is_empty());
    for t in &turns {
        let chan = if t["speaker"] == "agent" { 0 } else { 1 };
        let (s, e) = (
            t["start_ms"].as_u64().unwrap_or(0),
            t["end_ms"].as_u64().unwrap_or(0),
        );
        let covered: u64 = regions[chan]
            .iter()
            .map(|r| r.end_ms().min(e).saturating_sub(r.start_ms().max(s)))
            .sum();
        assert!(
            covered * 10 >= (e - s) * 8,
            "turn {t} only {covered} ms covered on channel {chan}"
        );
    }
}
