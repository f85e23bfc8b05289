//! `callqa score` into a store that holds the same call under an older pipeline version: by
//! default both scorings stay and `callqa agents` counts the newest only; with `--supersede` the
//! older scoring goes, atomically, and the other calls of its ledger record stay intact. Covers
//! both a call scored anew and one skipped as already scored under its current key.
//!
//! Runs ASR on one bundled call (twice); skips (passes with a message) without the models.

mod common;

use callqa_store::{
    CallRow, CallScoreRow, ErrorRow, EvaluationRow, ShardRows, Store, UtteranceRow,
    read_current_rows, read_ledger, read_rows,
};
use chrono::TimeZone;
use common::{Stored, asr_ready, callqa, day, json_summary, pipeline, root, shard_of};
use std::path::Path;

const CALL: &str = "zh_bank_inbound_model_01";

fn old_scoring() -> Stored<'static> {
    Stored {
        call_id: CALL,
        date: day(2026, 11, 2),
        agent: "A1",
        pipeline: "inbound-zh",
        version: "2020.1.0",
        direction: "inbound",
        language: "zh",
        form: "inbound-zh",
        total: 5.0,
    }
}

fn other_call() -> Stored<'static> {
    Stored {
        call_id: "other",
        agent: "A9",
        total: 70.0,
        ..old_scoring()
    }
}

/// A store whose one record holds the call's old scoring, another call and an error row of the
/// call; and a manifest naming the bundled recording with the same call id, agent and date.
fn seed(dir: &Path) -> (String, String, ShardRows) {
    let out = dir.join("out");
    let (mut rows, keys) = shard_of(&[old_scoring(), other_call()]);
    rows.errors.push(ErrorRow {
        run_id: "seed".into(),
        source_uri: "/recordings/zh_bank_inbound_model_01.wav".into(),
        call_id: Some(CALL.into()),
        stage: "asr".into(),
        kind: "model".into(),
        message: "an earlier failure".into(),
        at: chrono::Utc
            .with_ymd_and_hms(2026, 11, 2, 10, 0, 0)
            .single()
            .expect("instant"),
    });
    Store::open(&out)
        .and_then(|mut s| s.commit_shard("seed", 0, &rows, &keys))
        .expect("seed store");
    let manifest = dir.join("manifest.csv");
    let audio = root().join(format!("fixtures/audio/{CALL}.wav"));
    std::fs::write(
        &manifest,
        format!(
            "call_id,path,agent_id,team,direction,started_at\n{CALL},{},A1,team-north,inbound,2026-11-02T09:00:00\n",
            audio.display()
        ),
    )
    .expect("manifest");
    (
        out.to_string_lossy().into_owned(),
        manifest.to_string_lossy().into_owned(),
        rows,
    )
}

fn score(out: &str, manifest: &str, extra: &[&str]) -> serde_json::Value {
    let p = pipeline("inbound-zh");
    let mut args = vec![
        "score",
        "--manifest",
        manifest,
        "--pipeline",
        &p,
        "--out",
        out,
        "--json",
        "--no-progress",
    ];
    args.extend(extra);
    let run = callqa(&args);
    let s = json_summary(&run);
    assert_eq!(run.status.code(), Some(0), "{s}");
    s
}

fn of<T: Clone>(rows: &[T], id: impl Fn(&T) -> &str, want: &str) -> Vec<T> {
    rows.iter().filter(|r| id(r) == want).cloned().collect()
}

/// `callqa agents --json` rows of agent A1.
fn agent_a1(out: &str) -> Vec<serde_json::Value> {
    let run = callqa(&["agents", "--out", out, "--period", "week", "--json"]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    String::from_utf8_lossy(&run.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["agent_id"] == "A1")
        .collect()
}

/// The other call's rows, its key and the call's error row are as seeded.
fn other_call_intact(out: &str, seeded: &ShardRows) {
    let calls: Vec<CallRow> = read_rows(out).expect("calls");
    assert_eq!(of(&calls, |r| &r.call_id, "other"), seeded.calls[1..]);
    let utts: Vec<UtteranceRow> = read_rows(out).expect("utterances");
    assert_eq!(
        of(&utts, |r| &r.call_id, "other"),
        of(&seeded.utterances, |r| &r.call_id, "other")
    );
    let evals: Vec<EvaluationRow> = read_rows(out).expect("evaluations");
    assert_eq!(of(&evals, |r| &r.call_id, "other"), seeded.evaluations[1..]);
    let scores: Vec<CallScoreRow> = read_rows(out).expect("call_scores");
    assert_eq!(
        of(&scores, |r| &r.call_id, "other"),
        seeded.call_scores[1..]
    );
    let errors: Vec<ErrorRow> = read_rows(out).expect("errors");
    assert_eq!(errors, seeded.errors, "the call's error history stays");
    let keys: Vec<String> = read_ledger(out)
        .expect("ledger")
        .into_iter()
        .flat_map(|r| r.call_keys)
        .collect();
    assert!(keys.contains(&other_call().key()), "{keys:?}");
    assert!(!keys.contains(&old_scoring().key()), "{keys:?}");
}

#[test]
fn the_default_keeps_both_scorings_and_agents_counts_the_newest_supersede_replaces_the_older() {
    if !asr_ready() {
        return;
    }
    // Default, then --supersede on the already-scored call.
    let tmp = tempfile::tempdir().expect("tmp");
    let (out, manifest, seeded) = seed(tmp.path());
    let s = score(&out, &manifest, &[]);
    assert_eq!(
        (s["scored"].as_u64(), s["superseded"].as_u64()),
        (Some(1), Some(0)),
        "{s}"
    );
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let mut versions: Vec<String> = of(&calls, |r| &r.call_id, CALL)
        .into_iter()
        .map(|c| c.pipeline_version)
        .collect();
    versions.sort();
    assert_eq!(
        versions,
        ["2020.1.0", "2026.12.2"],
        "both scorings are stored"
    );
    let current: Vec<CallScoreRow> = read_current_rows(&out).expect("call_scores");
    let newest = of(&current, |r| &r.call_id, CALL);
    assert_eq!(newest.len(), 1, "{newest:?}");
    let new_total = newest[0].total_score;
    assert_ne!(
        new_total, 5.0,
        "the bundled call scores differently from the seeded 5"
    );
    let a1 = agent_a1(&out);
    assert_eq!(a1.len(), 1, "{a1:?}");
    assert_eq!(a1[0]["calls"], 1, "agents counts the call once: {a1:?}");
    assert!(
        (a1[0]["mean_score"].as_f64().unwrap_or(f64::NAN) - new_total).abs() < 1e-9,
        "agents counts the newest scoring: {a1:?}"
    );

    let s = score(&out, &manifest, &["--supersede"]);
    assert_eq!(
        (
            s["scored"].as_u64(),
            s["skipped"].as_u64(),
            s["superseded"].as_u64()
        ),
        (Some(0), Some(1), Some(1)),
        "{s}"
    );
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let mine = of(&calls, |r| &r.call_id, CALL);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].pipeline_version, "2026.12.2");
    let scores: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    assert_eq!(of(&scores, |r| &r.call_id, CALL).len(), 1);
    other_call_intact(&out, &seeded);

    // --supersede on a store holding only the older scoring: the call is scored and replaces it
    // in the same commit.
    let tmp2 = tempfile::tempdir().expect("tmp");
    let (out2, manifest2, seeded2) = seed(tmp2.path());
    let s = score(&out2, &manifest2, &["--supersede"]);
    assert_eq!(
        (s["scored"].as_u64(), s["superseded"].as_u64()),
        (Some(1), Some(1)),
        "{s}"
    );
    let calls: Vec<CallRow> = read_rows(&out2).expect("calls");
    let mine = of(&calls, |r| &r.call_id, CALL);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].pipeline_version, "2026.12.2");
    for t in ["utterances", "evaluations", "call_scores"] {
        let n = match t {
            "utterances" => of(
                &read_rows::<UtteranceRow>(&out2).expect(t),
                |r| &r.call_id,
                CALL,
            )
            .iter()
            .filter(|u| u.text.contains("信用卡被扣了两次"))
            .count(),
            "evaluations" => of(
                &read_rows::<EvaluationRow>(&out2).expect(t),
                |r| &r.call_id,
                CALL,
            )
            .iter()
            .filter(|e| e.title == "Greeting")
            .count(),
            _ => of(
                &read_rows::<CallScoreRow>(&out2).expect(t),
                |r| &r.call_id,
                CALL,
            )
            .iter()
            .filter(|s| s.total_score == 5.0)
            .count(),
        };
        assert_eq!(n, 0, "{t} still holds the older scoring's rows");
    }
    other_call_intact(&out2, &seeded2);
    assert_eq!(
        read_ledger(&out2).expect("ledger").len(),
        1,
        "one record replaced the seed record"
    );
}
