//! Retention: `callqa forget CALL_ID...` and `callqa forget --older-than AGE` remove calls from
//! every table (the ledger records holding them rewritten atomically, the replaced part files
//! deleted), say how many rows went per table, keep every other call intact, and fail at once
//! while a run holds the output folder. No models needed.

mod common;

use callqa_store::{CallScoreRow, ErrorRow, ShardRows, Store, read_ledger, read_rows};
use chrono::TimeZone;
use common::{Stored, callqa, day, json_summary, shard_of};
use std::collections::BTreeSet;
use std::path::Path;

fn stored(id: &'static str, date: chrono::NaiveDate) -> Stored<'static> {
    Stored {
        call_id: id,
        date,
        agent: "A1",
        pipeline: "inbound-en",
        version: "1",
        direction: "inbound",
        language: "en",
        form: "inbound-en",
        total: 80.0,
    }
}

fn error(call: Option<&str>) -> ErrorRow {
    ErrorRow {
        run_id: "seed".into(),
        source_uri: format!("/recordings/{}.wav", call.unwrap_or("broken")),
        call_id: call.map(str::to_string),
        stage: "decode".into(),
        kind: "decode".into(),
        message: "an earlier failure".into(),
        at: chrono::Utc
            .with_ymd_and_hms(2026, 11, 2, 10, 0, 0)
            .single()
            .expect("instant"),
    }
}

/// Rows of every run table, as stored.
fn all(out: &Path) -> ShardRows {
    ShardRows {
        calls: read_rows(out).expect("calls"),
        utterances: read_rows(out).expect("utterances"),
        activity: read_rows(out).expect("activity"),
        evaluations: read_rows(out).expect("evaluations"),
        call_scores: read_rows(out).expect("call_scores"),
        errors: read_rows(out).expect("errors"),
    }
}

/// The rows of `rows` about calls other than `gone`, sorted per table.
fn without(rows: &ShardRows, gone: &[&str]) -> Vec<String> {
    let keep = |id: Option<&str>| id.is_none_or(|id| !gone.contains(&id));
    let mut v: Vec<String> = Vec::new();
    v.extend(
        rows.calls
            .iter()
            .filter(|r| keep(Some(&r.call_id)))
            .map(|r| format!("{r:?}")),
    );
    v.extend(
        rows.utterances
            .iter()
            .filter(|r| keep(Some(&r.call_id)))
            .map(|r| format!("{r:?}")),
    );
    v.extend(
        rows.activity
            .iter()
            .filter(|r| keep(Some(&r.call_id)))
            .map(|r| format!("{r:?}")),
    );
    v.extend(
        rows.evaluations
            .iter()
            .filter(|r| keep(Some(&r.call_id)))
            .map(|r| format!("{r:?}")),
    );
    v.extend(
        rows.call_scores
            .iter()
            .filter(|r| keep(Some(&r.call_id)))
            .map(|r| format!("{r:?}")),
    );
    v.extend(
        rows.errors
            .iter()
            .filter(|r| keep(r.call_id.as_deref()))
            .map(|r| format!("{r:?}")),
    );
    v.sort();
    v
}

fn holds(rows: &ShardRows, id: &str) -> Vec<&'static str> {
    let mut t = Vec::new();
    if rows.calls.iter().any(|r| r.call_id == id) {
        t.push("calls");
    }
    if rows.utterances.iter().any(|r| r.call_id == id) {
        t.push("utterances");
    }
    if rows.activity.iter().any(|r| r.call_id == id) {
        t.push("activity");
    }
    if rows.evaluations.iter().any(|r| r.call_id == id) {
        t.push("evaluations");
    }
    if rows.call_scores.iter().any(|r| r.call_id == id) {
        t.push("call_scores");
    }
    if rows.errors.iter().any(|r| r.call_id.as_deref() == Some(id)) {
        t.push("errors");
    }
    t
}

/// Part files on disk, and the part files the live ledger lists.
fn files(out: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut disk = BTreeSet::new();
    for t in [
        "calls",
        "utterances",
        "activity",
        "evaluations",
        "call_scores",
        "errors",
    ] {
        let Ok(parts) = std::fs::read_dir(out.join(t)) else {
            continue;
        };
        for p in parts.flatten() {
            for f in std::fs::read_dir(p.path()).expect("partition").flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                let part = p.file_name().to_string_lossy().into_owned();
                disk.insert(format!("{t}/{part}/{name}"));
            }
        }
    }
    let listed = read_ledger(out)
        .expect("ledger")
        .into_iter()
        .flat_map(|r| r.files.into_iter().map(|f| f.path))
        .collect();
    (disk, listed)
}

#[test]
fn forget_removes_a_call_from_every_table_and_keeps_the_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let today = chrono::Local::now().date_naive();
    let old = day(2020, 1, 6);
    let calls = [stored("c1", today), stored("c2", old), stored("c3", today)];
    let audio = |id: &str| out.join(format!("redacted_audio/{id}.wav"));
    std::fs::create_dir_all(out.join("redacted_audio")).expect("mkdir");
    {
        let mut store = Store::open(&out).expect("store");
        let (mut rows, keys) = shard_of(&calls[..2]);
        rows.calls[0].redacted_audio_uri = Some(audio("c1").display().to_string());
        std::fs::write(audio("c1"), b"RIFF").expect("audio");
        rows.errors.push(error(None));
        store
            .commit_shard("seed", 0, &rows, &keys)
            .expect("shard 0");
        let (mut rows, keys) = shard_of(&calls[2..]);
        rows.calls[0].redacted_audio_uri = Some(audio("c3").display().to_string());
        std::fs::write(audio("c3"), b"RIFF").expect("audio");
        rows.errors.push(error(Some("c1"))); // c1's failure, recorded in another record
        store
            .commit_shard("seed", 1, &rows, &keys)
            .expect("shard 1");
    }
    let before = all(&out);
    assert_eq!(
        holds(&before, "c1").len(),
        6,
        "the seed holds c1 in every table"
    );
    let out_s = out.to_string_lossy().into_owned();

    let run = callqa(&["forget", "c1", "nope", "--out", &out_s, "--json"]);
    let s = json_summary(&run);
    assert_eq!(run.status.code(), Some(0), "{s}");
    assert_eq!(s["calls"], 1, "{s}");
    assert_eq!(s["not_found"], serde_json::json!(["nope"]), "{s}");
    assert_eq!(
        s["removed"],
        serde_json::json!({"calls": 1, "utterances": 4, "activity": 4, "evaluations": 1,
            "call_scores": 1, "errors": 1}),
        "{s}"
    );
    assert_eq!(s["redacted_audio_deleted"], 1, "{s}");
    assert!(!audio("c1").exists() && audio("c3").exists());
    let after = all(&out);
    assert!(
        holds(&after, "c1").is_empty(),
        "still in {:?}",
        holds(&after, "c1")
    );
    assert_eq!(
        without(&after, &[]),
        without(&before, &["c1"]),
        "the other rows are intact"
    );
    let keys: Vec<String> = read_ledger(&out)
        .expect("ledger")
        .into_iter()
        .flat_map(|r| r.call_keys)
        .collect();
    assert!(!keys.contains(&calls[0].key()), "{keys:?}");
    assert!(
        keys.contains(&calls[1].key()) && keys.contains(&calls[2].key()),
        "{keys:?}"
    );
    let (disk, listed) = files(&out);
    assert_eq!(
        disk, listed,
        "the replaced part files are deleted from disk"
    );
    let records = std::fs::read_dir(out.join("_ledger"))
        .expect("ledger dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .count();
    assert_eq!(
        records,
        read_ledger(&out).expect("ledger").len(),
        "replaced records deleted"
    );

    // By age: only the call dated in 2020 goes; the text output names each table.
    let run = callqa(&["forget", "--older-than", "365d", "--out", &out_s]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let text = String::from_utf8_lossy(&run.stderr);
    assert!(text.contains("1 call(s) removed"), "{text}");
    assert!(text.contains("utterances   4 row(s)"), "{text}");
    let after_age = all(&out);
    assert!(holds(&after_age, "c2").is_empty());
    assert_eq!(
        holds(&after_age, "c3").len(),
        5,
        "c3 stays (it has no error row)"
    );
    assert_eq!(without(&after_age, &[]), without(&before, &["c1", "c2"]));
    let cs: Vec<CallScoreRow> = read_rows(&out).expect("call_scores");
    assert_eq!(cs.len(), 1);

    // While a run holds the folder, forget fails at once and names it; nothing changes.
    let held = Store::open(&out).expect("a run's handle");
    let run = callqa(&["forget", "c3", "--out", &out_s]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains(&out_s), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    drop(held);
    assert_eq!(holds(&all(&out), "c3").len(), 5);

    // Bad arguments are one-line errors.
    let run = callqa(&["forget", "--older-than", "12m", "--out", &out_s]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("365d"));
    let run = callqa(&["forget", "--out", &out_s]);
    assert_eq!(run.status.code(), Some(1));
}
