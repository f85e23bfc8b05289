//! End-to-end ASR on real speech and on a synthetic stereo fixture call. Skips (prints why,
//! passes) when the Whisper model, ONNX Runtime / Silero, or the data is absent. The model comes
//! from `CALLQA_TEST_WHISPER` (a ggml file) or `$CALLQA_HOME/models/whisper/tiny.en/`.

use callqa_asr::{AsrConfig, ChannelLayout, Transcriber, WhisperModel};
use callqa_audio::{DecodeOptions, decode_16k};
use callqa_core::Speaker;
use callqa_vad::{Vad, VadBackend, VadConfig};
use std::path::{Path, PathBuf};

fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CALLQA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/callqa")
}

fn model(name: &str, env: &str) -> Option<WhisperModel> {
    let path = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        home()
            .join("models/whisper")
            .join(name)
            .join("ggml-model.bin")
    });
    if !path.is_file() {
        eprintln!("SKIP: no Whisper model at {} (set {env})", path.display());
        return None;
    }
    Some(WhisperModel::load(&path).unwrap_or_else(|e| panic!("{e}")))
}

fn vad() -> Option<Vad> {
    let cfg = VadConfig {
        backend: VadBackend::Silero,
        ..VadConfig::default()
    };
    match Vad::new(&cfg) {
        Ok(v) => Some(v),
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
    Some(
        decode_16k(path, &DecodeOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .channels,
    )
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn jfk_transcribes_to_the_reference_words() {
    let (Some(model), Some(vad)) = (model("tiny.en", "CALLQA_TEST_WHISPER"), vad()) else {
        return;
    };
    let Some(ch) = decode(Path::new("/work/shared/data/asr_en/jfk.wav")) else {
        return;
    };
    let cfg = AsrConfig {
        language: "en".into(),
        ..AsrConfig::default()
    };
    let mut w = Transcriber::new(&model, cfg).unwrap_or_else(|e| panic!("{e}"));
    let t = w
        .transcribe_call(&vad, &ch, &ChannelLayout::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let text: String = t
        .utterances
        .iter()
        .map(|u| u.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let got = words(&text);
    let reference = words(
        "And so my fellow Americans, ask not what your country can do for you, ask what you can \
         do for your country.",
    );
    let hits = reference.iter().filter(|w| got.contains(w)).count();
    assert!(hits * 10 >= reference.len() * 9, "{text}");
    // A single voice in a mono file: the speaker is unknown.
    assert!(t.utterances.iter().all(|u| u.speaker == Speaker::Unknown));
    for u in &t.utterances {
        assert!(u.start_ms < u.end_ms && u.end_ms <= t.duration_ms, "{u:?}");
        assert!(u.avg_logprob.is_some_and(|l| l < 0.0));
    }
}

#[test]
fn stereo_fixture_call_gives_both_parties_in_turn_order() {
    let (Some(model), Some(vad)) = (model("tiny.en", "CALLQA_TEST_WHISPER"), vad()) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(ch) = decode(&root.join("fixtures/audio/en_bank_inbound_model_01.wav")) else {
        return;
    };
    let cfg = AsrConfig {
        language: "en".into(),
        ..AsrConfig::default()
    };
    let mut w = Transcriber::new(&model, cfg).unwrap_or_else(|e| panic!("{e}"));
    let t = w
        .transcribe_call(&vad, &ch, &ChannelLayout::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(t.utterances.iter().any(|u| u.speaker == Speaker::Agent));
    assert!(t.utterances.iter().any(|u| u.speaker == Speaker::Customer));
    assert!(t.activity.iter().any(|a| a.speaker == Speaker::Customer));
    for pair in t.utterances.windows(2) {
        assert!(pair[0].start_ms <= pair[1].start_ms);
    }
    for u in &t.utterances {
        assert!(u.start_ms < u.end_ms && u.end_ms <= t.duration_ms, "{u:?}");
    }
    let first_agent = t
        .utterances
        .iter()
        .find(|u| u.speaker == Speaker::Agent)
        .map(|u| u.text.to_lowercase())
        .unwrap_or_default();
    assert!(
        [
            "good morning",
            "hello",
            "thank you for calling",
            "harbor bank"
        ]
        .iter()
        .any(|g| first_agent.contains(g)),
        "{first_agent}"
    );
    assert!(!t.roles_inferred);
}

#[test]
fn mandarin_fixture_call_is_simplified_with_chinese_punctuation() {
    let (Some(model), Some(vad)) = (model("base", "CALLQA_TEST_WHISPER_MULTI"), vad()) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(ch) = decode(&root.join("fixtures/audio/zh_bank_inbound_model_01.wav")) else {
        return;
    };
    let cfg = AsrConfig {
        language: "zh".into(),
        ..AsrConfig::default()
    };
    let mut w = Transcriber::new(&model, cfg).unwrap_or_else(|e| panic!("{e}"));
    let t = w
        .transcribe_call(&vad, &ch, &ChannelLayout::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let all: String = t.utterances.iter().map(|u| u.text.as_str()).collect();
    assert!(all.contains("您好") || all.contains("你好"), "{all}");
    assert!(!all.contains(','), "ASCII comma left in {all}");
    assert_eq!(fast_check_simplified(&all), all);
    assert!(t.utterances.iter().any(|u| u.speaker == Speaker::Customer));
}

fn fast_check_simplified(s: &str) -> String {
    callqa_asr::filter::normalize_zh(s)
}

#[test]
fn mono_fixture_call_gets_inferred_roles_matching_the_timeline() {
    let (Some(model), Some(vad)) = (model("tiny.en", "CALLQA_TEST_WHISPER"), vad()) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let id = "en_telecom_inbound_dead_air_01";
    let Some(ch) = decode(&root.join(format!("fixtures/audio/{id}.mono.wav"))) else {
        return;
    };
    let timeline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(format!("fixtures/calls/{id}.timeline.json")))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let turns = timeline["turns"].as_array().cloned().unwrap_or_default();
    let cfg = AsrConfig {
        language: "en".into(),
        ..AsrConfig::default()
    };
    let mut w = Transcriber::new(&model, cfg).unwrap_or_else(|e| panic!("{e}"));
    let t = w
        .transcribe_call(&vad, &ch, &ChannelLayout::Mono)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(t.roles_inferred);
    let (mut right, mut total) = (0, 0);
    for u in &t.utterances {
        // The timeline turn this utterance overlaps most.
        let best = turns.iter().max_by_key(|tt| {
            let (s, e) = (
                tt["start_ms"].as_u64().unwrap_or(0),
                tt["end_ms"].as_u64().unwrap_or(0),
            );
            e.min(u.end_ms).saturating_sub(s.max(u.start_ms))
        });
        if let Some(tt) = best {
            total += 1;
            right += usize::from(tt["speaker"].as_str() == Some(u.speaker.as_str()));
        }
    }
    assert!(total >= 10, "{t:?}");
    assert!(right * 10 >= total * 8, "{right}/{total} roles right");
}
