//! `callqa classify` end to end on the tiny SYNTHETIC test models of callqa-classify
//! (crates/callqa-classify/tests/data/tiny). Skips (passes with a message) when ONNX Runtime is
//! not installed.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tiny_models() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../callqa-classify/tests/data/tiny")
}

fn callqa(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run callqa: {e}"),
    }
}

/// True (after printing why) when the run failed only because ONNX Runtime is missing.
fn runtime_missing(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && err.contains("ONNX Runtime") {
        eprintln!("skipping: {err}");
        return true;
    }
    false
}

#[test]
fn json_lines_carry_the_contract_fields() {
    let models = tiny_models();
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let file = dir.path().join("lines.txt");
    std::fs::write(
        &file,
        "您好，欢迎致电中国移动，我是10086号客服，请问有什么可以帮您？\n\n你听不懂人话吗\n太感谢了，问题解决了\n",
    )
    .ok();
    let out = callqa(&[
        "classify",
        "--models",
        &models.to_string_lossy(),
        "--file",
        &file.to_string_lossy(),
        "--lang",
        "zh",
        "--json",
    ]);
    if runtime_missing(&out) {
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
        .collect();
    assert_eq!(lines.len(), 3, "one object per non-empty line:\n{stdout}");
    for l in &lines {
        for key in [
            "text",
            "courtesy",
            "courtesy_score",
            "script_steps",
            "sentiment",
            "sentiment_score",
            "script_step_spans",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
    }
    let steps: Vec<&str> = lines[0]["script_steps"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str()).collect())
        .unwrap_or_default();
    for want in ["greeting", "self_intro", "need_probe"] {
        assert!(steps.contains(&want), "{want} not in {steps:?}");
    }
    assert_eq!(lines[1]["courtesy"], "impolite");
    assert_eq!(lines[2]["sentiment"], "positive");
    let span = &lines[0]["script_step_spans"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["step"] == "self_intro").cloned())
        .unwrap_or_default();
    assert_eq!(span["text"], "我是10086号客服");
}

#[test]
fn text_output_names_each_judgement() {
    let models = tiny_models();
    let out = callqa(&[
        "classify",
        "--models",
        &models.to_string_lossy(),
        "--text",
        "Sorry for the wait, please hold.",
    ]);
    if runtime_missing(&out) {
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for word in ["courtesy", "script_steps", "sentiment", "empathy"] {
        assert!(stdout.contains(word), "{word} missing:\n{stdout}");
    }
}

#[test]
fn a_missing_models_folder_is_named_and_fails() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let out = callqa(&[
        "classify",
        "--models",
        &dir.path().to_string_lossy(),
        "--text",
        "你好",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("classifiers/courtesy"), "{err}");
}

#[test]
fn bench_prints_one_line_per_batch_size() {
    let models = tiny_models();
    let out = callqa(&[
        "classify",
        "--models",
        &models.to_string_lossy(),
        "--bench",
        "--bench-seconds",
        "0",
        "--json",
    ]);
    if runtime_missing(&out) {
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let batches: Vec<u64> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["utterances"].as_u64() == Some(20))
        .filter_map(|v| v["batch_size"].as_u64())
        .collect();
    assert_eq!(batches, [1, 8, 32], "{stdout}");
}
