//! `callqa score`, `rescore` and `agents` end to end on the SYNTHETIC bundled calls: agreement
//! with the ground-truth labels, idempotent reruns, a SIGKILLed run that resumes without
//! duplicate rows, bad files recorded in `errors`, in-place rescoring, agent summaries.
//!
//! Skips (passes with a message) when the models (Whisper base, Silero VAD, classifiers) or the
//! fixture audio (`fixtures/audio`, built by `scripts/setup.sh`) are absent.

mod common;

use common::{asr_ready as ready, root};

use callqa_store::{CallRow, CallScoreRow, ErrorRow, EvaluationRow, UtteranceRow, read_rows};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn pipelines() -> Vec<String> {
    ["inbound-zh", "outbound-zh", "inbound-en", "outbound-en"]
        .iter()
        .flat_map(|p| {
            [
                "--pipeline".to_string(),
                root()
                    .join(format!("pipelines/{p}.toml"))
                    .to_string_lossy()
                    .into_owned(),
            ]
        })
        .collect()
}

fn callqa(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn summary(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): stdout {stdout:?} stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn expected_labels() -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let dir = root().join("fixtures/calls");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/calls")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n.ends_with(".json") && !n.ends_with(".timeline.json")
        })
        .collect();
    files.sort();
    for f in files {
        let call: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).expect("call json")).expect("json");
        let id = call["call_id"].as_str().expect("call_id").to_string();
        for (item, label) in call["expected"].as_object().expect("expected") {
            out.insert(
                (id.clone(), item.clone()),
                label.as_str().unwrap_or_default().to_string(),
            );
        }
    }
    out
}

#[test]
fn bundled_calls_match_their_labels_rerun_is_idempotent_rescore_and_agents_work() {
    if !ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let manifest = root()
        .join("fixtures/manifest.csv")
        .to_string_lossy()
        .into_owned();
    let mut score_args = args(&["score", "--manifest", &manifest, "--out", &out_s, "--json"]);
    score_args.extend(pipelines());
    let first = callqa(&score_args);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let s = summary(&first);
    assert_eq!(s["scored"], 18, "{s}");
    assert_eq!(s["failed"], 0, "{s}");

    // Every canonical item has a row for every call, `na` included, with evidence.
    let evals: Vec<EvaluationRow> = read_rows(&out).expect("evaluations");
    assert_eq!(evals.len(), 18 * callqa_core::EVALUATION_ITEMS.len());
    for e in &evals {
        assert!(["pass", "fail", "na"].contains(&e.result.as_str()), "{e:?}");
        if e.result == "pass" && e.detector.starts_with("script_step:") {
            assert!(
                e.evidence_idx.is_some() && e.evidence_start_ms.is_some(),
                "{e:?}"
            );
        }
        if e.result != "na" {
            assert!(
                e.evidence_text.as_deref().is_some_and(|t| !t.is_empty()),
                "{e:?}"
            );
        }
    }
    let expected = expected_labels();
    let (mut hits, mut total) = (0usize, 0usize);
    let mut per_item: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for e in &evals {
        let Some(want) = expected.get(&(e.call_id.clone(), e.item_id.clone())) else {
            continue;
        };
        total += 1;
        let entry = per_item.entry(e.item_id.as_str()).or_default();
        entry.1 += 1;
        if *want == e.result {
            hits += 1;
            entry.0 += 1;
        } else {
            println!(
                "  miss: {} {} expected {want}, got {}",
                e.call_id, e.item_id, e.result
            );
        }
    }
    let share = hits as f64 / total.max(1) as f64;
    for (item, (h, n)) in &per_item {
        println!("  {item:15} {h}/{n}");
    }
    println!(
        "bundled SYNTHETIC calls: {hits}/{total} (call, item) pairs match the ground truth = {:.1} %",
        share * 100.0
    );
    assert_eq!(total, 18 * 11);
    assert!(
        share >= 0.90,
        "only {:.1} % of (call, item) pairs match",
        share * 100.0
    );

    let scores: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    assert_eq!(scores.len(), 18);
    for c in &scores {
        assert!((0.0..=100.0).contains(&c.total_score), "{c:?}");
        for l in [&c.customer_sentiment_start, &c.customer_sentiment_end] {
            assert!(
                l.as_deref()
                    .is_some_and(|l| callqa_core::SENTIMENT_LABELS.contains(&l)),
                "{c:?}"
            );
        }
        if c.auto_fail {
            assert_eq!(c.total_score, 0.0);
        }
        assert_eq!(c.needs_review, !c.review_reasons.is_empty(), "{c:?}");
        for r in &c.review_reasons {
            assert!(r.parse::<callqa_core::ReviewReason>().is_ok(), "{c:?}");
        }
    }
    for e in &evals {
        assert!((0.0..=1.0).contains(&e.confidence), "{e:?}");
    }
    let flagged = scores.iter().filter(|c| c.needs_review).count();
    println!("bundled SYNTHETIC calls flagged for review: {flagged}/18");
    for c in scores.iter().filter(|c| c.needs_review) {
        println!("  review: {} {:?}", c.call_id, c.review_reasons);
    }
    let utterances: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    assert!(
        utterances.iter().any(|u| u.pii_spans != "[]"),
        "nothing redacted"
    );
    // The shipped pipelines store only redacted text ([privacy] store_raw_text = false).
    assert!(utterances.iter().all(|u| u.text == u.text_redacted));

    // A second run skips everything and writes nothing new.
    let again = callqa(&score_args);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    let s = summary(&again);
    assert_eq!(
        (s["scored"].as_u64(), s["skipped"].as_u64()),
        (Some(0), Some(18)),
        "{s}"
    );
    assert_eq!(read_rows::<CallRow>(&out).expect("calls").len(), 18);

    // A changed form rescored into another directory: the original stays as it was.
    let changed = tmp.path().join("inbound-zh-v2.toml");
    let text = std::fs::read_to_string(root().join("pipelines/inbound-zh.toml")).expect("pipeline");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("version = ") {
                "version = \"2099.1.1\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .replacen("weight = 10\n", "weight = 40\n", 1);
    assert!(
        text.contains("2099.1.1"),
        "the shipped pipeline's version line changed"
    );
    std::fs::write(&changed, text).expect("write pipeline");
    let other = tmp.path().join("rescored");
    let mut rescore = args(&[
        "rescore",
        "--from",
        &out_s,
        "--out",
        &other.to_string_lossy(),
        "--json",
        "--pipeline",
        &changed.to_string_lossy(),
    ]);
    rescore.extend(pipelines().into_iter().skip(2));
    let r = callqa(&rescore);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let moved: Vec<CallRow> = read_rows(&other).expect("rescored calls");
    assert_eq!(moved.len(), 18);
    assert!(moved.iter().any(|c| c.pipeline_version == "2099.1.1"));
    assert!(
        read_rows::<CallRow>(&out)
            .expect("calls")
            .iter()
            .all(|c| c.pipeline_version != "2099.1.1")
    );

    // Rescoring in place replaces the scores: still one row per call and item.
    let mut in_place = args(&["rescore", "--from", &out_s, "--json"]);
    in_place.extend(pipelines());
    let r = callqa(&in_place);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let ids: HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!((calls.len(), ids.len()), (18, 18));
    assert_eq!(
        read_rows::<EvaluationRow>(&out).expect("evaluations").len(),
        18 * 11
    );
    assert_eq!(
        read_rows::<UtteranceRow>(&out).expect("utterances").len(),
        utterances.len()
    );

    // Agent summary: six agents, three calls each, in one ISO week.
    let a = callqa(&args(&[
        "agents", "--out", &out_s, "--period", "week", "--json",
    ]));
    assert_eq!(a.status.code(), Some(0), "{a:?}");
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&a.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 6, "{rows:?}");
    let calls_total: u64 = rows.iter().filter_map(|r| r["calls"].as_u64()).sum();
    assert_eq!(calls_total, 18);
    let review_total: u64 = rows
        .iter()
        .filter_map(|r| r["needs_review_count"].as_u64())
        .sum();
    let scores: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    assert_eq!(
        review_total,
        scores.iter().filter(|c| c.needs_review).count() as u64,
        "{rows:?}"
    );
    for r in &rows {
        let rank = r["rank_in_team"].as_u64().unwrap_or(0);
        assert!((1..=3).contains(&rank), "{r}");
        assert!(r["pass_rate"]["greeting"].is_number(), "{r}");
    }
    assert!(out.join("agent_summary/period=week").is_dir());
}

#[test]
fn a_killed_run_resumes_without_duplicates_and_bad_files_become_error_rows() {
    if !ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("calls");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    let names = [
        "zh_bank_outbound_model_01",
        "zh_utility_inbound_model_01",
        "zh_ecommerce_inbound_model_01",
        "zh_telecom_inbound_rude_agent_01",
    ];
    for n in names {
        std::fs::copy(
            root().join(format!("fixtures/audio/{n}.wav")),
            inputs.join(format!("{n}.wav")),
        )
        .expect("copy fixture");
    }
    std::fs::write(inputs.join("notes.wav"), "this is a text file, not audio\n").expect("write");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let zh = root()
        .join("pipelines/inbound-zh.toml")
        .to_string_lossy()
        .into_owned();
    let missing = tmp.path().join("gone.wav").to_string_lossy().into_owned();
    let run_args = args(&[
        "score",
        &inputs.to_string_lossy(),
        &missing,
        "--pipeline",
        &zh,
        "--out",
        &out_s,
        "--shard-calls",
        "1",
        "--jobs",
        "1",
        "--json",
    ]);

    // Kill the first run (SIGKILL) once it has committed one shard.
    let mut child = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(&run_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn callqa");
    let started = Instant::now();
    let ledger = out.join("_ledger");
    let committed = || {
        std::fs::read_dir(&ledger)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0)
    };
    while committed() < 2 && started.elapsed() < Duration::from_secs(600) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended before it could be killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let before_kill = committed();
    assert!(before_kill >= 2, "no shard committed in time");

    let rerun = callqa(&run_args);
    assert_eq!(rerun.status.code(), Some(2), "{rerun:?}");
    let s = summary(&rerun);
    let skipped = s["skipped"].as_u64().unwrap_or(0);
    assert!(skipped >= 1, "the rerun redid committed calls: {s}");
    assert_eq!(s["scored"].as_u64().unwrap_or(0) + skipped, 4, "{s}");

    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let ids: HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(
        (calls.len(), ids.len()),
        (4, 4),
        "duplicate or missing calls"
    );
    assert!(
        calls
            .iter()
            .all(|c| c.agent_id.as_deref() == Some("unknown"))
    );
    let utterances: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    let keys: HashSet<(&str, u32)> = utterances
        .iter()
        .map(|u| (u.call_id.as_str(), u.idx))
        .collect();
    assert_eq!(keys.len(), utterances.len(), "duplicate utterance rows");
    assert_eq!(
        read_rows::<EvaluationRow>(&out).expect("evaluations").len(),
        4 * 11
    );

    // The text file and the missing path are rows in `errors` (at least once per run that saw
    // them), naming the file and the stage.
    let errors: Vec<ErrorRow> = read_rows(&out).expect("errors");
    assert!(
        errors.iter().any(|e| e.source_uri.ends_with("notes.wav")
            && e.stage == "decode"
            && e.message.contains("notes.wav")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.source_uri.ends_with("gone.wav") && e.stage == "input"),
        "{errors:?}"
    );
    // No temporary or orphaned part file is left behind.
    for entry in common::files_under(&out) {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(!name.ends_with(".tmp"), "leftover {}", entry.display());
    }
}

#[test]
fn score_without_inputs_or_with_a_bad_pipeline_fails_to_start() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out").to_string_lossy().into_owned();
    let zh = root()
        .join("pipelines/inbound-zh.toml")
        .to_string_lossy()
        .into_owned();
    let r = callqa(&args(&["score", "--pipeline", &zh, "--out", &out]));
    assert_eq!(r.status.code(), Some(1), "{r:?}");
    assert!(String::from_utf8_lossy(&r.stderr).contains("nothing to score"));
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[pipeline]\nname = \"x\"\n").expect("write");
    let r = callqa(&args(&[
        "score",
        &zh,
        "--pipeline",
        &bad.to_string_lossy(),
        "--out",
        &out,
    ]));
    assert_eq!(r.status.code(), Some(1), "{r:?}");
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("bad.toml"),
        "{r:?}"
    );
}

#[test]
fn check_validates_pipelines_and_names_the_key_of_a_problem() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zh = root().join("pipelines/inbound-zh.toml");
    let r = callqa(&args(&["check", "--config-only", &zh.to_string_lossy()]));
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    assert!(String::from_utf8_lossy(&r.stdout).contains("inbound-zh.toml: ok"));
    let text = std::fs::read_to_string(&zh).expect("pipeline");
    let bad = tmp.path().join("typo.toml");
    std::fs::write(
        &bad,
        text.replace("detector = \"courtesy\"", "detector = \"curtesy\""),
    )
    .expect("write");
    let r = callqa(&args(&["check", &bad.to_string_lossy()]));
    assert_eq!(r.status.code(), Some(2), "{r:?}");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("typo.toml") && err.contains(".detector"),
        "{err}"
    );
    if ready() {
        let r = callqa(&args(&["check", &zh.to_string_lossy()]));
        assert_eq!(r.status.code(), Some(0), "{r:?}");
        let out = String::from_utf8_lossy(&r.stdout);
        assert!(
            out.contains("asr.model base") && out.contains("script_step"),
            "{out}"
        );
    }
}
