//! `callqa rescore` on a store holding calls of several languages and directions: each stored
//! call goes to the given pipeline of its stored name, else of its direction and language; calls
//! no given pipeline matches keep their rows and keys, and the summary counts them.
//!
//! The store is written directly (no ASR); the rescore needs the classifier models and skips
//! (passes with a message) without them.

mod common;

use callqa_store::{
    CallRow, CallScoreRow, EvaluationRow, Store, UtteranceRow, read_ledger, read_rows,
};
use common::{Stored, callqa, classifiers_ready, day, json_summary, pipeline, shard_of};
use std::collections::BTreeMap;

fn by_id<T: Clone>(rows: &[T], id: impl Fn(&T) -> &str) -> BTreeMap<String, Vec<T>> {
    let mut m: BTreeMap<String, Vec<T>> = BTreeMap::new();
    for r in rows {
        m.entry(id(r).to_string()).or_default().push(r.clone());
    }
    m
}

#[test]
fn rescore_with_one_pipeline_changes_only_the_calls_it_matches() {
    if !classifiers_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let base = Stored {
        call_id: "zh_in",
        date: day(2026, 11, 2),
        agent: "A1",
        pipeline: "inbound-zh",
        version: "2026.11.0",
        direction: "inbound",
        language: "zh",
        form: "old-form",
        total: 40.0,
    };
    let calls = [
        base.clone(),
        // Matched by direction and language (the stored pipeline name is not given).
        Stored {
            call_id: "zh_in_renamed",
            pipeline: "inbound-zh-legacy",
            ..base.clone()
        },
        Stored {
            call_id: "zh_out",
            pipeline: "outbound-zh",
            direction: "outbound",
            ..base.clone()
        },
        Stored {
            call_id: "en_in",
            pipeline: "inbound-en",
            language: "en",
            ..base.clone()
        },
        Stored {
            call_id: "en_out",
            pipeline: "outbound-en",
            direction: "outbound",
            language: "en",
            ..base.clone()
        },
    ];
    let (rows, keys) = shard_of(&calls);
    Store::open(&out)
        .and_then(|mut s| s.commit_shard("seed", 0, &rows, &keys))
        .expect("seed store");

    let out_s = out.to_string_lossy().into_owned();
    let p = pipeline("inbound-zh");
    let run = callqa(&[
        "rescore",
        "--from",
        &out_s,
        "--pipeline",
        &p,
        "--json",
        "--no-progress",
    ]);
    let s = json_summary(&run);
    assert_eq!(run.status.code(), Some(0), "{s}");
    assert_eq!(s["calls"], 5, "{s}");
    assert_eq!(s["scored"], 2, "{s}");
    assert_eq!(s["untouched"], 3, "{s}");
    assert_eq!(s["failed"], 0, "{s}");

    let scores: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    let scores = by_id(&scores, |r| &r.call_id);
    assert_eq!(scores.len(), 5, "{scores:?}");
    for id in ["zh_in", "zh_in_renamed"] {
        let forms: Vec<&str> = scores[id].iter().map(|r| r.form.as_str()).collect();
        assert_eq!(forms, ["inbound-zh"], "{id} is rescored under inbound-zh");
    }
    let calls_after: Vec<CallRow> = read_rows(&out).expect("calls");
    let calls_after = by_id(&calls_after, |r| &r.call_id);
    assert_eq!(calls_after["zh_in_renamed"][0].pipeline, "inbound-zh");
    let utts: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    let utts = by_id(&utts, |r| &r.call_id);
    let evals: Vec<EvaluationRow> = read_rows(&out).expect("evaluations");
    let evals = by_id(&evals, |r| &r.call_id);
    for (i, id) in ["zh_out", "en_in", "en_out"].iter().enumerate() {
        let before = calls[i + 2].rows();
        assert_eq!(scores[*id], before.call_scores, "{id}: call_scores kept");
        assert_eq!(calls_after[*id], before.calls, "{id}: calls kept");
        assert_eq!(utts[*id], before.utterances, "{id}: utterances kept");
        assert_eq!(evals[*id], before.evaluations, "{id}: evaluations kept");
    }
    // The untouched calls stay done: their keys are in the live ledger.
    let live: Vec<String> = read_ledger(&out)
        .expect("ledger")
        .into_iter()
        .flat_map(|r| r.call_keys)
        .collect();
    for c in &calls[2..] {
        assert!(live.contains(&c.key()), "{} lost its ledger key", c.call_id);
    }

    // The text summary says how many were left alone.
    let run = callqa(&[
        "rescore",
        "--from",
        &out_s,
        "--pipeline",
        &p,
        "--no-progress",
    ]);
    let text = String::from_utf8_lossy(&run.stderr);
    assert!(text.contains("untouched   3"), "{text}");

    // Two pipelines: the English inbound call is now rescored too; the outbound ones still not.
    let en = pipeline("inbound-en");
    let run = callqa(&[
        "rescore",
        "--from",
        &out_s,
        "--pipeline",
        &p,
        "--pipeline",
        &en,
        "--json",
        "--no-progress",
    ]);
    let s = json_summary(&run);
    assert_eq!(
        (s["scored"].as_u64(), s["untouched"].as_u64()),
        (Some(3), Some(2)),
        "{s}"
    );
    let scores: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    let scores = by_id(&scores, |r| &r.call_id);
    assert_eq!(scores["en_in"][0].form, "inbound-en");
    assert_eq!(scores["en_out"][0].form, "old-form");
    assert_eq!(scores["zh_out"][0].form, "old-form");
}
