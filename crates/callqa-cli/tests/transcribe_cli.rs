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

/// Share of single-speaker truth time (one party talking in the timeline) that an output
/// utterance covers, and of that, the share with the right role (10 ms bins).
fn role_accuracy(timeline: &serde_json::Value, lines: &[serde_json::Value]) -> (f64, f64) {
    const BIN: u64 = 10;
    let n = timeline["duration_ms"].as_u64().unwrap_or(0) / BIN + 1;
    let mut truth = vec![[false; 2]; n as usize];
    for t in timeline["turns"].as_array().into_iter().flatten() {
        let who = usize::from(t["speaker"].as_str() == Some("customer"));
        let (s, e) = (
            t["start_ms"].as_u64().unwrap_or(0),
            t["end_ms"].as_u64().unwrap_or(0),
        );
        for b in (s / BIN)..(e / BIN).min(n) {
            truth[b as usize][who] = true;
        }
    }
    let mut got = vec![None; n as usize];
    for u in lines {
        let role = match u["speaker"].as_str() {
            Some("agent") => 0,
            Some("customer") => 1,
            _ => continue,
        };
        let (s, e) = (
            u["start_ms"].as_u64().unwrap_or(0),
            u["end_ms"].as_u64().unwrap_or(0),
        );
        for b in (s / BIN)..(e / BIN + 1).min(n) {
            got[b as usize] = Some(role);
        }
    }
    let (mut single, mut covered, mut right) = (0u64, 0u64, 0u64);
    for (t, g) in truth.iter().zip(&got) {
        if t[0] == t[1] {
            continue;
        }
        single += 1;
        if let Some(role) = g {
            covered += 1;
            right += u64::from(t[*role]);
        }
    }
    (
        covered as f64 / single.max(1) as f64,
        right as f64 / covered.max(1) as f64,
    )
}

/// The mono versions of bundled SYNTHETIC calls (both parties mixed) through the whole mono
/// path: VAD, voice diarization, Whisper base, roles from what each voice says. Against the
/// calls' timelines; `benches/mono_roles.py` runs all 18 stereo calls mixed to mono the same way.
#[test]
fn mono_fixture_calls_get_the_right_roles_end_to_end() {
    let base = home().join("models/whisper/base/ggml-model.bin");
    let ge2e = home().join("models/speaker/ge2e.onnx");
    for p in [&base, &ge2e] {
        if !p.is_file() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", p.display());
            return;
        }
    }
    for (id, pipeline) in [
        ("en_telecom_inbound_dead_air_01", "inbound-en"),
        ("zh_ecommerce_inbound_missing_steps_01", "inbound-zh"),
        ("zh_telecom_outbound_model_01", "outbound-zh"),
    ] {
        let wav = root().join(format!("fixtures/audio/{id}.mono.wav"));
        if !wav.is_file() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", wav.display());
            return;
        }
        let pipeline = root().join(format!("pipelines/{pipeline}.toml"));
        let out = callqa(&[
            "transcribe",
            "--json",
            "--jobs",
            "1",
            "--threads",
            "2",
            "--pipeline",
            &pipeline.to_string_lossy(),
            &wav.to_string_lossy(),
        ]);
        if silero_missing(&out) {
            return;
        }
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let timeline: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(format!("fixtures/calls/{id}.timeline.json")))
                .unwrap_or_default(),
        )
        .unwrap_or_default();
        let (coverage, accuracy) = role_accuracy(&timeline, &lines);
        let unknown = lines.iter().filter(|u| u["speaker"] == "unknown").count();
        println!(
            "{id} (mono): {:.1} % of covered single-speaker time with the right role, \
             coverage {:.1} %, {} utterances, {unknown} unknown",
            100.0 * accuracy,
            100.0 * coverage,
            lines.len()
        );
        assert!(lines.iter().all(|u| u["roles_inferred"] == true), "{id}");
        assert_eq!(unknown, 0, "{id}");
        assert!(accuracy >= 0.9, "{id}: {accuracy}");
        assert!(coverage >= 0.75, "{id}: {coverage}");
    }
}
