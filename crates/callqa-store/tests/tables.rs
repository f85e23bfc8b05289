//! End-to-end tests of the store: every table round-trips through Parquet, the ledger makes runs
//! atomic and resumable, partitions follow the call date, and an independent reader (pyarrow)
//! reads the dataset. All rows here are SYNTHETIC.

use arrow::datatypes::DataType;
use callqa_store::schema::{dict_type, timestamp_type};
use callqa_store::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::{Path, PathBuf};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn at(day: NaiveDate, secs: u32, micros: u32) -> DateTime<Utc> {
    let t = day
        .and_hms_micro_opt(secs / 3600, secs / 60 % 60, secs % 60, micros)
        .expect("time");
    Utc.from_utc_datetime(&t)
}

fn call(id: &str, date: NaiveDate, agent: Option<&str>) -> CallRow {
    CallRow {
        call_id: id.into(),
        call_key: format!("key-{id}"),
        source_uri: format!("/data/{id}.wav"),
        source_sha256: "ab".repeat(32),
        agent_id: agent.map(str::to_string),
        team: Some("blue".into()),
        direction: Some("inbound".into()),
        call_date: date,
        started_at: Some(at(date, 9 * 3600 + 61, 123_456)),
        started_at_source: Some("manifest".into()),
        duration_s: 183.25,
        channels: 2,
        sample_rate_hz: 8000,
        codec: None,
        language: "zh".into(),
        roles_inferred: false,
        role_confidence: Some(1.0),
        dropped_segments: 1,
        truncated: false,
        pipeline: "inbound-zh".into(),
        pipeline_version: "1.0.0".into(),
        form: "inbound-zh".into(),
        asr_model: "whisper-base".into(),
        asr_model_sha256: "cd".repeat(32),
        classifier_versions: Some("courtesy=aa;sentiment=bb".into()),
        extra: Some(r#"{"queue":"billing"}"#.into()),
        redacted_audio_uri: Some(format!("out/redacted_audio/{id}.wav")),
        processed_at: at(date, 12 * 3600, 1),
        run_id: "r1".into(),
    }
}

fn utterance(id: &str, date: NaiveDate, idx: u32) -> UtteranceRow {
    UtteranceRow {
        call_id: id.into(),
        call_date: date,
        idx,
        speaker: if idx.is_multiple_of(2) {
            "agent"
        } else {
            "customer"
        }
        .into(),
        start_ms: i64::from(idx) * 2000,
        end_ms: i64::from(idx) * 2000 + 1500,
        text: format!("您好 {idx}"),
        text_redacted: format!("您好 [PHONE] {idx}"),
        pii_spans:
            r#"[{"type":"phone","start_char":3,"end_char":14,"start_ms":300,"end_ms":1400}]"#.into(),
        asr_avg_logprob: Some(-0.25),
        no_speech_prob: if idx == 0 { None } else { Some(0.01) },
        sentiment: Some("neutral".into()),
        sentiment_score: Some(0.75),
        courtesy: if idx.is_multiple_of(2) {
            Some("polite".into())
        } else {
            None
        },
        courtesy_score: if idx.is_multiple_of(2) {
            Some(0.5)
        } else {
            None
        },
        script_step: if idx == 0 {
            Some("greeting".into())
        } else {
            None
        },
        script_step_score: if idx == 0 { Some(0.875) } else { None },
        script_steps: if idx == 0 {
            vec!["greeting".into(), "self_intro".into()]
        } else {
            vec![]
        },
        backchannel: idx == 3,
    }
}

fn activity(id: &str, date: NaiveDate, k: i64) -> ActivityRow {
    ActivityRow {
        call_id: id.into(),
        call_date: date,
        speaker: if k % 2 == 0 { "agent" } else { "customer" }.into(),
        start_ms: k * 1000,
        end_ms: k * 1000 + 800,
    }
}

fn evaluation(id: &str, date: NaiveDate, agent: &str, item: &str, result: &str) -> EvaluationRow {
    EvaluationRow {
        call_id: id.into(),
        call_date: date,
        agent_id: Some(agent.into()),
        form: "inbound-zh".into(),
        section: Some("opening".into()),
        item_id: item.into(),
        title: format!("title of {item}"),
        result: result.into(),
        score: if result == "pass" { 10.0 } else { 0.0 },
        weight: 10.0,
        auto_fail: false,
        detector: format!("script_step:{item}"),
        evidence_idx: if result == "pass" { Some(0) } else { None },
        evidence_start_ms: if result == "pass" { Some(0) } else { None },
        evidence_end_ms: if result == "pass" { Some(1500) } else { None },
        evidence_text: if result == "pass" {
            Some("您好".into())
        } else {
            None
        },
        confidence: if result == "pass" { 0.875 } else { 0.25 },
        review_reasons: if result == "fail" {
            vec!["asr_low_confidence".into()]
        } else {
            vec![]
        },
    }
}

fn score(id: &str, date: NaiveDate, agent: &str, team: &str, total: f64) -> CallScoreRow {
    CallScoreRow {
        call_id: id.into(),
        call_date: date,
        agent_id: Some(agent.into()),
        team: Some(team.into()),
        form: "inbound-zh".into(),
        total_score: total,
        auto_fail: total == 0.0,
        needs_review: total < 35.0,
        review_reasons: if total < 35.0 {
            vec!["courtesy_low_confidence".into(), "roles_uncertain".into()]
        } else {
            vec![]
        },
        items_passed: 8,
        items_failed: 2,
        items_na: 1,
        customer_sentiment_start: Some("negative".into()),
        customer_sentiment_end: Some("positive".into()),
        customer_sentiment_start_score: Some(-0.5),
        customer_sentiment_end_score: Some(0.25),
        duration_s: 120.0,
        agent_talk_s: 50.0,
        customer_talk_s: 40.0,
        agent_talk_ratio: 50.0 / 90.0,
        silence_ratio: 0.25,
        longest_silence_s: 7.5,
        longest_dead_air_s: 7.5,
        dead_air_count: 0,
        hold_count: 1,
        hold_s: 30.0,
        overtalk_count: 3,
        overtalk_s: 2.5,
        agent_interruptions: 1,
        customer_interruptions: 2,
        agent_speech_rate: 240.0,
        agent_first_words_s: if total > 50.0 { Some(0.5) } else { None },
    }
}

fn error(run: &str, date: NaiveDate) -> ErrorRow {
    ErrorRow {
        run_id: run.into(),
        source_uri: "/data/broken.mp3".into(),
        call_id: None,
        stage: "audio".into(),
        kind: "decode".into(),
        message: "not an audio file".into(),
        at: at(date, 3600, 42),
    }
}

/// A shard of two calls on two dates.
fn sample_shard() -> ShardRows {
    let (d1, d2) = (day(2026, 11, 23), day(2026, 11, 24));
    ShardRows {
        calls: vec![call("c1", d1, Some("a1")), call("c2", d2, None)],
        utterances: (0..5)
            .map(|i| utterance("c1", d1, i))
            .chain((0..3).map(|i| utterance("c2", d2, i)))
            .collect(),
        activity: (0..4)
            .map(|k| activity("c1", d1, k))
            .chain([activity("c2", d2, 0)])
            .collect(),
        evaluations: vec![
            evaluation("c1", d1, "a1", "greeting", "pass"),
            evaluation("c1", d1, "a1", "empathy", "na"),
            evaluation("c2", d2, "a1", "greeting", "fail"),
        ],
        call_scores: vec![
            score("c1", d1, "a1", "blue", 80.0),
            score("c2", d2, "a1", "blue", 0.0),
        ],
        errors: vec![error("r1", d2)],
    }
}

fn keys(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|i| format!("key-{i}")).collect()
}

fn sorted<T: Clone, K: Ord>(mut v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    v.sort_by_key(key);
    v
}

fn assert_tables_equal(out: &Path, want: &ShardRows) {
    let calls: Vec<CallRow> = read_rows(out).expect("read calls");
    assert_eq!(
        sorted(calls, |r| r.call_id.clone()),
        sorted(want.calls.clone(), |r| r.call_id.clone())
    );
    let utts: Vec<UtteranceRow> = read_rows(out).expect("read utterances");
    let k = |r: &UtteranceRow| (r.call_id.clone(), r.idx);
    assert_eq!(sorted(utts, k), sorted(want.utterances.clone(), k));
    let act: Vec<ActivityRow> = read_rows(out).expect("read activity");
    let k = |r: &ActivityRow| (r.call_id.clone(), r.start_ms);
    assert_eq!(sorted(act, k), sorted(want.activity.clone(), k));
    let ev: Vec<EvaluationRow> = read_rows(out).expect("read evaluations");
    let k = |r: &EvaluationRow| (r.call_id.clone(), r.item_id.clone());
    assert_eq!(sorted(ev, k), sorted(want.evaluations.clone(), k));
    let sc: Vec<CallScoreRow> = read_rows(out).expect("read call_scores");
    let k = |r: &CallScoreRow| r.call_id.clone();
    assert_eq!(sorted(sc, k), sorted(want.call_scores.clone(), k));
    let er: Vec<ErrorRow> = read_rows(out).expect("read errors");
    assert_eq!(er, want.errors);
}

fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else { return v };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(parquet_files(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

#[test]
fn every_table_round_trips() {
    let out = tempfile::tempdir().expect("tempdir");
    let rows = sample_shard();
    let mut store = Store::open(out.path()).expect("open");
    let rec = store
        .commit_shard("r1", 0, &rows, &keys(&["c1", "c2"]))
        .expect("commit");
    assert_eq!(
        rec.files.iter().map(|f| f.rows).sum::<u64>(),
        rows.len() as u64
    );
    assert_tables_equal(out.path(), &rows);
    assert!(store.is_done("key-c1") && store.is_done("key-c2") && !store.is_done("key-c3"));
    // a fresh handle sees the same done set
    let again = Store::open(out.path()).expect("reopen");
    assert_eq!(again.done_count(), 2);
    assert_eq!(again.orphans_removed(), 0);
    assert_tables_equal(out.path(), &rows);
}

#[test]
fn part_files_are_partitioned_by_call_date() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(out.path()).expect("open");
    store
        .commit_shard("r1", 7, &sample_shard(), &keys(&["c1", "c2"]))
        .expect("commit");
    let rel: Vec<String> = parquet_files(out.path())
        .iter()
        .map(|p| {
            p.strip_prefix(out.path())
                .expect("under out")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for t in [
        "calls",
        "utterances",
        "activity",
        "evaluations",
        "call_scores",
    ] {
        for d in ["2026-11-23", "2026-11-24"] {
            let want = format!("{t}/call_date={d}/part-r1-7.parquet");
            assert!(rel.contains(&want), "missing {want} in {rel:?}");
        }
    }
    assert!(rel.contains(&"errors/date=2026-11-24/part-r1-7.parquet".to_string()));
    assert!(rel.contains(&"_ledger/r1-7.json".to_string()));
    assert!(!rel.iter().any(|p| p.ends_with(".tmp")), "{rel:?}");
    // each partition holds only its own date's calls
    let calls: Vec<CallRow> = read_parquet(
        &out.path()
            .join("calls/call_date=2026-11-23/part-r1-7.parquet"),
        "2026-11-23",
    )
    .expect("read part");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].call_id, "c1");
    // the ledger lists exactly the files on disk
    // (besides the lock files the open handle holds: the folder's and its run's)
    let ledger = read_ledger(out.path()).expect("ledger");
    assert_eq!(ledger.len(), 1);
    let mut listed: Vec<String> = ledger[0].files.iter().map(|f| f.path.clone()).collect();
    listed.push("_ledger/r1-7.json".into());
    listed.extend(["_locks/runs/r1.lock".into(), "_locks/store.lock".into()]);
    listed.sort();
    assert_eq!(listed, rel);
    // Closing the handle removes its run's lock file; the folder's stays.
    drop(store);
    assert!(!out.path().join("_locks/runs/r1.lock").exists());
    assert!(out.path().join("_locks/store.lock").exists());
}

#[test]
fn written_schema_has_dictionary_timestamp_and_no_partition_column() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(out.path()).expect("open");
    store
        .commit_shard("r1", 0, &sample_shard(), &[])
        .expect("commit");
    let open = |rel: &str| {
        let f = fs::File::open(out.path().join(rel)).expect("open part");
        ParquetRecordBatchReaderBuilder::try_new(f).expect("parquet")
    };
    let b = open("calls/call_date=2026-11-23/part-r1-0.parquet");
    let s = b.schema().clone();
    assert_eq!(
        s.field_with_name("direction")
            .expect("direction")
            .data_type(),
        &dict_type()
    );
    assert_eq!(
        s.field_with_name("language").expect("language").data_type(),
        &dict_type()
    );
    assert_eq!(
        s.field_with_name("started_at")
            .expect("started_at")
            .data_type(),
        &timestamp_type()
    );
    assert_eq!(
        s.field_with_name("processed_at")
            .expect("processed_at")
            .data_type(),
        &timestamp_type()
    );
    assert_eq!(
        s.field_with_name("channels").expect("channels").data_type(),
        &DataType::UInt32
    );
    assert!(
        s.field_with_name("call_date").is_err(),
        "partition column must live in the path only"
    );
    // zstd and row group bound
    let md = b.metadata().clone();
    let col = md.row_group(0).column(0);
    assert!(matches!(
        col.compression(),
        parquet::basic::Compression::ZSTD(_)
    ));
    let u = open("utterances/call_date=2026-11-23/part-r1-0.parquet");
    let us = u.schema().clone();
    for c in ["speaker", "sentiment", "courtesy", "script_step"] {
        assert_eq!(
            us.field_with_name(c).expect(c).data_type(),
            &dict_type(),
            "{c}"
        );
    }
    let e = open("errors/date=2026-11-24/part-r1-0.parquet");
    assert_eq!(
        e.schema().field_with_name("at").expect("at").data_type(),
        &timestamp_type()
    );
    assert_eq!(
        e.schema()
            .field_with_name("stage")
            .expect("stage")
            .data_type(),
        &dict_type()
    );
}

/// A run killed after renaming its part files but before writing its ledger record.
#[test]
fn parts_without_a_ledger_record_are_orphans_and_a_rerun_does_not_duplicate() {
    let out = tempfile::tempdir().expect("tempdir");
    let rows = sample_shard();
    let mut store = Store::open(out.path()).expect("open");
    store
        .commit_shard("r1", 0, &rows, &keys(&["c1", "c2"]))
        .expect("commit");

    // Simulate run r2 shard 0 killed before its ledger: its parts are in place, plus a temp file.
    let d3 = day(2026, 11, 25);
    let killed = ShardRows {
        calls: vec![
            call("c3", d3, Some("a2")),
            call("c1", day(2026, 11, 23), Some("a1")),
        ],
        utterances: vec![utterance("c3", d3, 0)],
        ..Default::default()
    };
    let mut scratch_store = Store::open(out.path().join("scratch")).expect("scratch");
    scratch_store
        .commit_shard("r2", 0, &killed, &keys(&["c3"]))
        .expect("scratch commit");
    for p in parquet_files(&out.path().join("scratch")) {
        let rel = p
            .strip_prefix(out.path().join("scratch"))
            .expect("rel")
            .to_path_buf();
        if rel.starts_with("_ledger") {
            continue;
        }
        let dest = out.path().join(&rel);
        fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        fs::copy(&p, &dest).expect("copy part");
    }
    fs::remove_dir_all(out.path().join("scratch")).expect("rm scratch");
    let tmp = out
        .path()
        .join("calls/call_date=2026-11-25/.part-r2-1.parquet.tmp");
    fs::write(&tmp, b"half a file").expect("tmp");

    // readers ignore the uncommitted parts even before clean-up
    let calls: Vec<CallRow> = read_rows(out.path()).expect("read");
    assert_eq!(calls.len(), 2);

    let reopened = Store::open(out.path()).expect("reopen");
    assert_eq!(
        reopened.orphans_removed(),
        3,
        "calls x2 partitions + utterances"
    );
    assert!(!tmp.exists());
    assert!(
        !out.path()
            .join("calls/call_date=2026-11-25/part-r2-0.parquet")
            .exists()
    );
    assert!(!reopened.is_done("key-c3"));
    assert!(reopened.is_done("key-c1"));
    assert_tables_equal(out.path(), &rows);

    // the rerun processes c3 only (c1 is done) and commits it once
    let mut store = reopened;
    let rerun = ShardRows {
        calls: vec![call("c3", d3, Some("a2"))],
        utterances: vec![utterance("c3", d3, 0)],
        ..Default::default()
    };
    assert!(!store.is_done("key-c3"));
    store
        .commit_shard("r3", 0, &rerun, &keys(&["c3"]))
        .expect("rerun");
    let calls: Vec<CallRow> = read_rows(out.path()).expect("read");
    let mut ids: Vec<String> = calls.into_iter().map(|c| c.call_id).collect();
    ids.sort();
    assert_eq!(ids, ["c1", "c2", "c3"]);
    // committing the same run and shard twice is refused (it would overwrite committed parts)
    let err = store.commit_shard("r3", 0, &rerun, &keys(&["c3"]));
    assert!(
        matches!(err, Err(StoreError::ShardExists { .. })),
        "{err:?}"
    );
    assert!(matches!(
        store.commit_shard("../evil", 1, &rerun, &[]),
        Err(StoreError::BadName(_))
    ));
}

#[test]
fn a_corrupt_ledger_record_is_an_error_naming_the_file() {
    let out = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(out.path().join("_ledger")).expect("mkdir");
    fs::write(out.path().join("_ledger/r9-0.json"), b"{not json").expect("write");
    let err = Store::open(out.path()).expect_err("must fail");
    assert!(err.to_string().contains("r9-0.json"), "{err}");
}

/// Hand-made call scores for two agents of one team over two weeks (SYNTHETIC).
#[test]
fn agent_summary_numbers_match_hand_computation() {
    let out = tempfile::tempdir().expect("tempdir");
    let mon = day(2026, 11, 16); // a Monday
    let next = day(2026, 11, 23);
    let mut rows = ShardRows::default();
    // week 1: a1 scores 10,20,30,40,50 ; a2 scores 90 ; week 2: a1 scores 60,80
    for (i, s) in [10.0, 20.0, 30.0, 40.0, 50.0].iter().enumerate() {
        let d = mon + chrono::Days::new(i as u64);
        rows.call_scores
            .push(score(&format!("w1-{i}"), d, "a1", "blue", *s));
    }
    rows.call_scores
        .push(score("w1-x", mon, "a2", "blue", 90.0));
    rows.call_scores
        .push(score("w2-0", next, "a1", "blue", 60.0));
    rows.call_scores.push(score(
        "w2-1",
        next + chrono::Days::new(6),
        "a1",
        "blue",
        80.0,
    ));
    // greeting for a1 week 1: pass, pass, fail, na -> 2/3 ; empathy: only na -> null
    rows.evaluations = vec![
        evaluation("w1-0", mon, "a1", "greeting", "pass"),
        evaluation("w1-1", mon, "a1", "greeting", "pass"),
        evaluation("w1-2", mon, "a1", "greeting", "fail"),
        evaluation("w1-3", mon, "a1", "greeting", "na"),
        evaluation("w1-3", mon, "a1", "empathy", "na"),
        evaluation("w1-x", mon, "a2", "greeting", "pass"),
    ];
    let mut store = Store::open(out.path()).expect("open");
    store.commit_shard("r1", 0, &rows, &[]).expect("commit");

    let weeks = agent_summary(out.path(), Period::Week).expect("summary");
    assert_eq!(weeks.len(), 3);
    let get = |agent: &str, start: NaiveDate| {
        weeks
            .iter()
            .find(|r| r.agent_id == agent && r.period_start == start)
            .unwrap_or_else(|| panic!("no row {agent} {start}"))
    };
    let a1 = get("a1", mon);
    assert_eq!(a1.calls, 5);
    assert_eq!(a1.period, "week");
    assert_eq!(a1.period_end, day(2026, 11, 22));
    assert!((a1.mean_score - 30.0).abs() < 1e-9);
    // numpy.percentile([10,20,30,40,50], 10) = 10 + 0.4*10 = 14 ; 90 -> 40 + 0.6*10 = 46
    assert!((a1.p10_score - 14.0).abs() < 1e-9, "{}", a1.p10_score);
    assert!((a1.p90_score - 46.0).abs() < 1e-9, "{}", a1.p90_score);
    assert!((a1.pass_rate("greeting").expect("greeting") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(a1.pass_rate("empathy"), None);
    assert_eq!(a1.rank_in_team, 2);
    assert_eq!(a1.mean_score_change, None);
    assert_eq!(a1.auto_fail_count, 0);
    // 10, 20 and 30 are below the fixture's review line (35)
    assert_eq!(a1.needs_review_count, 3);
    let a2 = get("a2", mon);
    assert_eq!(a2.rank_in_team, 1);
    assert_eq!(a2.needs_review_count, 0);
    assert_eq!(a2.pass_rate("greeting"), Some(1.0));
    assert!((a2.p10_score - 90.0).abs() < 1e-9);
    let a1w2 = get("a1", next);
    assert_eq!(a1w2.calls, 2);
    // [60, 80]: p10 = 62, p90 = 78 ; mean 70, change vs week 1: +40
    assert!((a1w2.p10_score - 62.0).abs() < 1e-9);
    assert!((a1w2.p90_score - 78.0).abs() < 1e-9);
    assert!((a1w2.mean_score_change.expect("change") - 40.0).abs() < 1e-9);
    assert_eq!(a1w2.rank_in_team, 1);

    let months = agent_summary(out.path(), Period::Month).expect("summary");
    let m1 = months
        .iter()
        .find(|r| r.agent_id == "a1")
        .expect("a1 month");
    assert_eq!(m1.calls, 7);
    assert_eq!(
        (m1.period_start, m1.period_end),
        (day(2026, 11, 1), day(2026, 11, 30))
    );
    // sorted [10,20,30,40,50,60,80]: p10 h=0.6 -> 16 ; p90 h=5.4 -> 60 + 0.4*20 = 68
    assert!((m1.p10_score - 16.0).abs() < 1e-9, "{}", m1.p10_score);
    assert!((m1.p90_score - 68.0).abs() < 1e-9, "{}", m1.p90_score);

    // write, replace, read back
    write_agent_summary(out.path(), Period::Week, &weeks).expect("write");
    write_agent_summary(out.path(), Period::Week, &weeks[..1]).expect("replace");
    write_agent_summary(out.path(), Period::Month, &months).expect("write month");
    let back: Vec<AgentSummaryRow> = read_rows(out.path()).expect("read");
    assert_eq!(back.len(), 1 + months.len());
    assert!(back.contains(&weeks[0]));
    for m in &months {
        assert!(back.contains(m));
    }
    assert!(write_agent_summary(out.path(), Period::Month, &weeks).is_err());
}

/// The Python interpreter with pyarrow: `$CALLQA_PYTHON`, else `.venv/bin/python` in an ancestor.
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CALLQA_PYTHON").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join(".venv/bin/python"))
        .find(|p| p.exists())
}

#[test]
fn pyarrow_reads_the_dataset() {
    let Some(py) = python() else {
        eprintln!("SKIP pyarrow_reads_the_dataset: no python (set CALLQA_PYTHON)");
        return;
    };
    let has_pyarrow = std::process::Command::new(&py)
        .args(["-c", "import pyarrow.dataset"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pyarrow {
        eprintln!(
            "SKIP pyarrow_reads_the_dataset: {} has no pyarrow",
            py.display()
        );
        return;
    }
    let out = tempfile::tempdir().expect("tempdir");
    let rows = sample_shard();
    let mut store = Store::open(out.path()).expect("open");
    store
        .commit_shard("r1", 0, &rows, &keys(&["c1", "c2"]))
        .expect("commit");
    let weeks = agent_summary(out.path(), Period::Week).expect("summary");
    write_agent_summary(out.path(), Period::Week, &weeks).expect("write summary");
    // a leftover temp file must be invisible to pyarrow too
    fs::write(
        out.path()
            .join("calls/call_date=2026-11-23/.part-x.parquet.tmp"),
        b"junk",
    )
    .expect("tmp");

    let script = r#"
import sys, json, datetime
import pyarrow as pa, pyarrow.dataset as ds
out = sys.argv[1]
res = {}
for t in ["calls", "utterances", "activity", "evaluations", "call_scores", "errors", "agent_summary"]:
    d = ds.dataset(f"{out}/{t}", partitioning="hive")
    tab = d.to_table()
    res[t] = {"rows": tab.num_rows, "types": {f.name: str(f.type) for f in tab.schema}}
calls = ds.dataset(f"{out}/calls", partitioning="hive").to_table().sort_by("call_id").to_pylist()
res["c1_started_at"] = calls[0]["started_at"].isoformat()
res["c1_call_date"] = str(calls[0]["call_date"])
res["c2_agent"] = calls[1]["agent_id"]
typed = ds.dataset(f"{out}/calls", partitioning=ds.partitioning(pa.schema([("call_date", pa.date32())]), flavor="hive"))
res["typed_call_date"] = str(typed.schema.field("call_date").type)
u = ds.dataset(f"{out}/utterances", partitioning="hive").to_table().sort_by([("call_id", "ascending"), ("idx", "ascending")]).to_pylist()
res["u0_steps"] = u[0]["script_steps"]
res["u0_speaker"] = u[0]["speaker"]
try:
    import duckdb
    q = f"select count(*), typeof(any_value(call_date)) from read_parquet('{out}/calls/*/*.parquet', hive_partitioning=true)"
    res["duckdb_calls"] = list(duckdb.sql(q).fetchall()[0])
except ImportError:
    res["duckdb_calls"] = None
print(json.dumps(res))
"#;
    let o = std::process::Command::new(&py)
        .arg("-c")
        .arg(script)
        .arg(out.path())
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "pyarrow failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json from python");
    let n = |t: &str| v[t]["rows"].as_u64().unwrap_or(u64::MAX);
    assert_eq!(n("calls"), rows.calls.len() as u64);
    assert_eq!(n("utterances"), rows.utterances.len() as u64);
    assert_eq!(n("activity"), rows.activity.len() as u64);
    assert_eq!(n("evaluations"), rows.evaluations.len() as u64);
    assert_eq!(n("call_scores"), rows.call_scores.len() as u64);
    assert_eq!(n("errors"), rows.errors.len() as u64);
    assert_eq!(n("agent_summary"), weeks.len() as u64);
    let ty = |t: &str, c: &str| v[t]["types"][c].as_str().unwrap_or("").to_string();
    assert_eq!(ty("calls", "started_at"), "timestamp[us, tz=UTC]");
    assert_eq!(ty("calls", "processed_at"), "timestamp[us, tz=UTC]");
    assert_eq!(
        ty("calls", "language"),
        "dictionary<values=string, indices=int32, ordered=0>"
    );
    assert_eq!(
        ty("utterances", "speaker"),
        "dictionary<values=string, indices=int32, ordered=0>"
    );
    assert_eq!(ty("utterances", "script_steps"), "list<item: string>");
    assert_eq!(ty("utterances", "backchannel"), "bool");
    assert_eq!(ty("evaluations", "confidence"), "double");
    assert_eq!(ty("evaluations", "review_reasons"), "list<item: string>");
    assert_eq!(ty("call_scores", "needs_review"), "bool");
    assert_eq!(ty("call_scores", "review_reasons"), "list<item: string>");
    assert_eq!(ty("agent_summary", "needs_review_count"), "uint32");
    assert_eq!(
        ty("evaluations", "result"),
        "dictionary<values=string, indices=int32, ordered=0>"
    );
    assert_eq!(ty("errors", "at"), "timestamp[us, tz=UTC]");
    assert_eq!(ty("call_scores", "total_score"), "double");
    assert_eq!(ty("agent_summary", "period_start"), "date32[day]");
    assert_eq!(ty("agent_summary", "pass_rate_interruptions"), "double");
    assert!(
        !ty("calls", "call_date").is_empty(),
        "call_date from the hive path"
    );
    assert_eq!(v["typed_call_date"], "date32[day]");
    assert_eq!(v["c1_call_date"], "2026-11-23");
    assert_eq!(v["c1_started_at"], "2026-11-23T09:01:01.123456+00:00");
    assert_eq!(v["c2_agent"], serde_json::Value::Null);
    assert_eq!(v["u0_steps"], serde_json::json!(["greeting", "self_intro"]));
    assert_eq!(v["u0_speaker"], "agent");
    if v["duckdb_calls"].is_null() {
        eprintln!("duckdb not installed: DuckDB check skipped");
    } else {
        assert_eq!(
            v["duckdb_calls"],
            serde_json::json!([rows.calls.len(), "DATE"])
        );
    }
}

/// `callqa rescore` in place: one record replaces every earlier one; old parts and keys vanish.
#[test]
fn a_superseding_record_replaces_the_rows_of_the_records_it_names() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(out.path()).expect("open");
    let d = day(2026, 11, 23);
    let first = ShardRows {
        calls: vec![call("c1", d, Some("a1"))],
        utterances: vec![utterance("c1", d, 0)],
        ..Default::default()
    };
    store
        .commit_shard("r1", 0, &first, &keys(&["c1"]))
        .expect("r1");
    let second = ShardRows {
        calls: vec![call("c2", d, Some("a1"))],
        ..Default::default()
    };
    store
        .commit_shard("r1", 1, &second, &keys(&["c2"]))
        .expect("r1/1");
    let old = store.committed_records().expect("records");
    assert_eq!(old, ["r1-0", "r1-1"]);

    let replacement = ShardRows {
        calls: vec![call("c1", d, Some("a9")), call("c2", d, Some("a9"))],
        ..Default::default()
    };
    store
        .commit_shard_superseding("r2", 0, &replacement, &["new-c1".to_string()], &old)
        .expect("supersede");
    // Readers see only the replacement, at once (before any clean-up).
    let calls: Vec<CallRow> = read_rows(out.path()).expect("read");
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c.agent_id.as_deref() == Some("a9")));
    assert!(
        read_rows::<UtteranceRow>(out.path())
            .expect("utterances")
            .is_empty()
    );
    assert!(store.is_done("new-c1") && !store.is_done("key-c1"));
    // While the writer of r1 is open its files stay; once it is closed, the next open deletes
    // the replaced records and their part files.
    let meanwhile = Store::open(out.path()).expect("open beside");
    assert_eq!(meanwhile.orphans_removed(), 0);
    assert!(out.path().join("_ledger/r1-0.json").exists());
    drop((store, meanwhile));
    let reopened = Store::open(out.path()).expect("reopen");
    assert_eq!(
        reopened.orphans_removed(),
        3,
        "two calls parts and one utterances part"
    );
    assert!(!out.path().join("_ledger/r1-0.json").exists());
    assert_eq!(reopened.committed_records().expect("records"), ["r2-0"]);
    assert_eq!(read_rows::<CallRow>(out.path()).expect("read").len(), 2);
}

/// Write `rows` to a part file without `drop` columns: a file from before those columns existed.
fn write_without<T: TableRow>(path: &Path, rows: &[T], drop: &[&str]) {
    let batch = rows_to_batch(rows).expect("batch");
    let keep: Vec<usize> = batch
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !drop.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let old = batch.project(&keep).expect("project");
    let file = fs::File::create(path).expect("create");
    let mut w = parquet::arrow::ArrowWriter::try_new(file, old.schema(), None).expect("writer");
    w.write(&old).expect("write");
    w.close().expect("close");
}

#[test]
fn review_columns_round_trip_and_files_without_them_read_as_unflagged() {
    let out = tempfile::tempdir().expect("tempdir");
    let d = day(2026, 11, 23);
    // Round trip of the values (sample_shard covers them too; here each one explicitly).
    let mut u = utterance("c1", d, 3);
    u.backchannel = true;
    let mut e = evaluation("c1", d, "a1", "courtesy", "pass");
    e.confidence = 0.375;
    e.review_reasons = vec!["courtesy_low_confidence".into()];
    let mut s = score("c1", d, "a1", "blue", 85.0);
    s.needs_review = true;
    s.review_reasons = vec!["asr_low_confidence".into(), "roles_uncertain".into()];
    let dir = out.path();
    let p = dir.join("new.parquet");
    write_parquet(&p, &[&u]).expect("write");
    assert_eq!(
        read_parquet::<UtteranceRow>(&p, "2026-11-23").expect("read"),
        vec![u.clone()]
    );
    write_parquet(&p, &[&e]).expect("write");
    assert_eq!(
        read_parquet::<EvaluationRow>(&p, "2026-11-23").expect("read"),
        vec![e.clone()]
    );
    write_parquet(&p, &[&s]).expect("write");
    assert_eq!(
        read_parquet::<CallScoreRow>(&p, "2026-11-23").expect("read"),
        vec![s.clone()]
    );

    // Files written before the columns: nothing flagged, every result reported as certain.
    let old = dir.join("old.parquet");
    write_without(&old, std::slice::from_ref(&u), &["backchannel"]);
    let back = read_parquet::<UtteranceRow>(&old, "2026-11-23").expect("read old");
    assert!(!back[0].backchannel);
    write_without(
        &old,
        std::slice::from_ref(&e),
        &["confidence", "review_reasons"],
    );
    let back = read_parquet::<EvaluationRow>(&old, "2026-11-23").expect("read old");
    assert_eq!(back[0].confidence, 1.0);
    assert!(back[0].review_reasons.is_empty());
    write_without(
        &old,
        std::slice::from_ref(&s),
        &["needs_review", "review_reasons"],
    );
    let back = read_parquet::<CallScoreRow>(&old, "2026-11-23").expect("read old");
    assert!(!back[0].needs_review);
    assert!(back[0].review_reasons.is_empty());
    assert_eq!(back[0].total_score, 85.0);
}
