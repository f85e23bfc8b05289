//! Diarization of real and synthetic two-party recordings mixed to mono, scored against their
//! reference timelines (share of single-speaker speech time given the right voice under the best
//! voice-to-speaker mapping), and of single-speaker clips (must be one voice).
//!
//! Every test skips (prints why, passes) when ONNX Runtime, the speaker model, Silero VAD or the
//! data (`../shared/data` next to the repository, `fixtures/audio` built by the set-up command) is
//! absent. Run with `cargo test --release -p callqa-diarize -- --nocapture` to see the figures.

mod common;

use callqa_diarize::{DiarizeConfig, mel};
use common::*;

/// The front end agrees with the numpy (librosa-style) mel that `build_ge2e_onnx.py` computes
/// for a fixed test signal and installs next to the model.
#[test]
fn mel_matches_the_python_reference() {
    let path = callqa_diarize::installed_model_path().with_file_name("mel_reference.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIP: {} absent (run the set-up command)", path.display());
        return;
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let want: Vec<Vec<f64>> = serde_json::from_value(v["mel"].clone())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let signal: Vec<f32> = (0..8000)
        .map(|n| {
            let t = f64::from(n) / 16_000.0;
            let pi2 = 2.0 * std::f64::consts::PI;
            (0.3 * (pi2 * (200.0 * t + 1500.0 * t * t)).sin()
                + 0.1 * (pi2 * 3000.0 * t).sin()
                + 0.05 * (pi2 * (6000.0 * t - 2000.0 * t * t)).sin()) as f32
        })
        .collect();
    let got = mel::MelFrontEnd::new().frames(&signal);
    assert_eq!(got.len(), want.len() * mel::N_MELS);
    let peak = want.iter().flatten().fold(0f64, |m, &x| m.max(x));
    let mut worst = 0f64;
    for (row, g) in want.iter().zip(got.chunks_exact(mel::N_MELS)) {
        for (&w, &g) in row.iter().zip(g) {
            worst = worst.max((w - f64::from(g)).abs() / peak);
        }
    }
    eprintln!("mel vs numpy reference: max abs diff {worst:.2e} of the peak");
    assert!(worst < 1e-4, "{worst}");
}

/// Clips of one person reading must come out as one voice.
#[test]
fn single_speaker_clips_are_one_voice() {
    let Some(data) = shared_data() else { return };
    let Some(d) = diarizer(&DiarizeConfig::default()) else {
        return;
    };
    let Some(vad) = vad() else { return };
    for name in [
        "asr_en/jfk.wav",
        "asr_en/librispeech-1995-1837-0001.wav",
        "asr_en/funasr_csharp_example_4_librispeech.wav",
        "asr_en/OSR_us_000_0034_8k.wav",
    ] {
        let Some(mut ch) = decode(&data.join(name), true) else {
            continue;
        };
        let samples = ch.swap_remove(0);
        let r = regions(&vad, &samples);
        let out = d.diarize(&samples, &r).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("{name}: {}", describe(&out));
        assert_eq!(out.voices, 1, "{name}: {out:?}");
        assert!((0.0..=1.0).contains(&out.confidence));
    }
}

/// faster-whisper's two-channel test file (one reader per channel) mixed to mono; the reference
/// is each channel's own VAD.
#[test]
fn stereo_diarization_wav_mixed_to_mono() {
    let Some(data) = shared_data() else { return };
    let Some(d) = diarizer(&DiarizeConfig::default()) else {
        return;
    };
    let Some(vad) = vad() else { return };
    let path = data.join("asr_en/stereo_diarization.wav");
    let (Some(stereo), Some(mut mono)) = (decode(&path, false), decode(&path, true)) else {
        return;
    };
    let truth = truth_from_channels(&vad, &stereo);
    let samples = mono.swap_remove(0);
    let out = d
        .diarize(&samples, &regions(&vad, &samples))
        .unwrap_or_else(|e| panic!("{e}"));
    let s = score(&out, &truth, samples.len() as u64 / 16);
    eprintln!(
        "stereo_diarization.wav (mono mix): {:.1} % right of {:.1} s single-speaker speech (coverage {:.1} %), {}",
        100.0 * s.accuracy,
        s.single_s,
        100.0 * s.coverage,
        describe(&out)
    );
    assert_eq!(out.voices, 2, "{out:?}");
    assert!(s.accuracy >= 0.95, "{s:?}");
}

/// The Mandarin conversation of two women (similar voices) against its RTTM timeline.
#[test]
fn mandarin_two_women_against_rttm() {
    let Some(data) = shared_data() else { return };
    let Some(d) = diarizer(&DiarizeConfig::default()) else {
        return;
    };
    let Some(vad) = vad() else { return };
    let path = data.join("calls_real/campplus_2speakers_example.wav");
    let Some(mut mono) = decode(&path, true) else {
        return;
    };
    let truth = truth_from_rttm(&path.with_extension("rttm"));
    let samples = mono.swap_remove(0);
    let out = d
        .diarize(&samples, &regions(&vad, &samples))
        .unwrap_or_else(|e| panic!("{e}"));
    let s = score(&out, &truth, samples.len() as u64 / 16);
    eprintln!(
        "campplus_2speakers_example.wav: {:.1} % right of {:.1} s single-speaker speech (coverage {:.1} %), {}",
        100.0 * s.accuracy,
        s.single_s,
        100.0 * s.coverage,
        describe(&out)
    );
    assert_eq!(out.voices, 2, "{out:?}");
    assert!(s.accuracy >= 0.95, "{s:?}");
}

/// The synthetic stereo fixture calls (agent left, customer right) mixed to mono, against their
/// timelines; both languages.
#[test]
fn fixture_calls_mixed_to_mono() {
    let Some(d) = diarizer(&DiarizeConfig::default()) else {
        return;
    };
    let Some(vad) = vad() else { return };
    let calls = repo_root().join("fixtures/calls");
    let audio = repo_root().join("fixtures/audio");
    let ids = fixture_ids();
    let mut per_lang: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for id in &ids {
        let Some(mut mono) = decode(&audio.join(format!("{id}.wav")), true) else {
            continue;
        };
        let samples = mono.swap_remove(0);
        let truth = truth_from_timeline(&calls.join(format!("{id}.timeline.json")));
        let out = d
            .diarize(&samples, &regions(&vad, &samples))
            .unwrap_or_else(|e| panic!("{e}"));
        let s = score(&out, &truth, samples.len() as u64 / 16);
        eprintln!(
            "{id} (mono mix): {:.1} % right of {:.1} s single-speaker speech (coverage {:.1} %), {}",
            100.0 * s.accuracy,
            s.single_s,
            100.0 * s.coverage,
            describe(&out)
        );
        assert_eq!(out.voices, 2, "{id}: {out:?}");
        per_lang
            .entry(id[..2].to_string())
            .or_default()
            .push(s.accuracy);
    }
    if per_lang.is_empty() {
        eprintln!("SKIP: no fixture audio under {}", audio.display());
        return;
    }
    for (lang, acc) in &per_lang {
        let mean = acc.iter().sum::<f64>() / acc.len() as f64;
        let min = acc.iter().copied().fold(1.0, f64::min);
        eprintln!(
            "{lang}: {} calls, mean {:.1} %, worst {:.1} %",
            acc.len(),
            100.0 * mean,
            100.0 * min
        );
        assert!(mean >= 0.95, "{lang}: mean {mean}");
        assert!(min >= 0.93, "{lang}: worst {min}");
    }
}

/// Each channel of a fixture call alone is one speaker (the agent channel also carries hold
/// music): it must come out as one voice.
#[test]
fn fixture_call_channels_alone_are_one_voice() {
    let Some(d) = diarizer(&DiarizeConfig::default()) else {
        return;
    };
    let Some(vad) = vad() else { return };
    let audio = repo_root().join("fixtures/audio");
    let ids = fixture_ids();
    let mut checked = 0;
    for id in &ids {
        let Some(stereo) = decode(&audio.join(format!("{id}.wav")), false) else {
            continue;
        };
        for (ch, samples) in stereo.iter().enumerate() {
            let out = d
                .diarize(samples, &regions(&vad, samples))
                .unwrap_or_else(|e| panic!("{e}"));
            eprintln!("{id} channel {ch}: {}", describe(&out));
            assert_eq!(out.voices, 1, "{id} channel {ch}: {out:?}");
            checked += 1;
        }
    }
    if checked == 0 {
        eprintln!("SKIP: no fixture audio under {}", audio.display());
    }
}
