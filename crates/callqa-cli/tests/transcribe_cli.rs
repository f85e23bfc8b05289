//! `callqa transcribe` end to end: JSON-lines contract, per-file errors, exit status, hold music.
//! Skips (passes with a message) when the tiny.en Whisper model (`CALLQA_TEST_WHISPER` or
//! `$CALLQA_HOME/models/whisper/tiny.en/ggml-model.bin`), ONNX Runtime or the audio is absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CALLQA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/callqa")
}

fn model() -> Option<String> {
    let p = std::env::var_os("CALLQA_TEST_WHISPER")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join("models/whisper/tiny.en/ggml-model.bin"));
    if p.is_file() {
        Some(p.to_string_lossy().into_owned())
    } else {
        eprintln!("SKIP: no Whisper model at {}", p.display());
        None
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn callqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

fn silero_missing(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("energy detector") || err.contains("ONNX Runtime") {
        eprintln!("SKIP: Silero VAD unavailable: {err}");
        return true;
    }
    false
}

#[test]
fn json_lines_carry_the_contract_fields_and_bad_files_fail_alone() {
    let Some(model) = model() else { return };
    let jfk = "/work/shared/data/asr_en/jfk.wav";
    if !Path::new(jfk).is_file() {
        eprintln!("SKIP: {jfk} absent");
        return;
    }
    let bad = root().join("Cargo.toml");
    let bad = bad.to_string_lossy();
    let out = callqa(&[
        "transcribe",
        &bad,
        jfk,
        "--model",
        &model,
        "--lang",
        "en",
        "--json",
        "--jobs",
        "1",
    ]);
    if silero_missing(&out) {
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let err_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("callqa:")).collect();
    assert_eq!(err_lines.len(), 1, "{err}");
    assert!(err_lines[0].contains("Cargo.toml"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!rows.is_empty());
    let mut text = String::new();
    for r in &rows {
        for key in [
            "path",
            "speaker",
            "start_ms",
            "end_ms",
            "text",
            "avg_logprob",
        ] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
        assert_eq!(r["path"], jfk);
        text.push_str(r["text"].as_str().unwrap_or(""));
    }
    assert!(text.to_lowercase().contains("your country"), "{text}");
}

#[test]
fn hold_music_and_noise_give_no_utterances() {
    let Some(model) = model() else { return };
    let f = root().join("fixtures/audio/hold_music_noise.wav");
    if !f.is_file() {
        eprintln!("SKIP: {} absent", f.display());
        return;
    }
    let out = callqa(&[
        "transcribe",
        &f.to_string_lossy(),
        "--model",
        &model,
        "--lang",
        "en",
        "--json",
    ]);
    if silero_missing(&out) {
        return;
    }
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn text_output_names_speakers_with_timestamps() {
    let Some(model) = model() else { return };
    let f = root().join("fixtures/audio/en_bank_inbound_model_01.wav");
    if !f.is_file() {
        eprintln!("SKIP: {} absent", f.display());
        return;
    }
    let out = callqa(&[
        "transcribe",
        &f.to_string_lossy(),
        "--model",
        &model,
        "--lang",
        "en",
        "--channels",
        "customer,agent",
    ]);
    if silero_missing(&out) {
        return;
    }
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Channels swapped: the greeting on the left channel is now labelled customer.
    let first = stdout
        .lines()
        .find(|l| l.starts_with('['))
        .unwrap_or_default();
    assert!(first.starts_with("[00:00."), "{stdout}");
    assert!(first.contains("] customer: "), "{stdout}");
    assert!(stdout.lines().any(|l| l.contains("] agent: ")), "{stdout}");
}
