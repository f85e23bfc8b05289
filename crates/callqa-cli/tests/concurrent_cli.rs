//! Several `callqa` processes on one output folder: two `score` runs started together on
//! overlapping calls score each call once (per-call claims), and an in-place `rescore` (or a
//! `score` while a rescore holds the folder) fails at once with a message naming the folder.
//!
//! Skips (passes with a message) when the models (Whisper base, Silero VAD, classifiers) or the
//! fixture audio (`fixtures/audio`, built by `scripts/setup.sh`) are absent.

mod common;

use callqa_store::{
    CallRow, CallScoreRow, EvaluationRow, Store, UtteranceRow, read_ledger, read_rows,
};
use common::{asr_ready, files_under, root};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn zh_pipeline() -> String {
    root()
        .join("pipelines/inbound-zh.toml")
        .to_string_lossy()
        .into_owned()
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

/// A folder holding copies of these (short, Mandarin) bundled calls.
fn calls_folder(dir: &Path, names: &[&str]) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    for n in names {
        std::fs::copy(
            root().join(format!("fixtures/audio/{n}.wav")),
            dir.join(format!("{n}.wav")),
        )
        .expect("copy fixture");
    }
    dir.to_string_lossy().into_owned()
}

fn score_cmd(inputs: &[&str], out: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_callqa"));
    c.arg("score")
        .args(inputs)
        .args(["--pipeline", &zh_pipeline(), "--out", out])
        .args([
            "--jobs",
            "1",
            "--shard-calls",
            "1",
            "--json",
            "--no-progress",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn count(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing: {v}"))
}

#[test]
fn two_score_runs_started_together_on_overlapping_calls_score_each_call_once() {
    if !asr_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    // 3 + 3 calls, 2 of them in both runs: 4 distinct calls.
    let a = calls_folder(
        &tmp.path().join("a"),
        &[
            "zh_telecom_inbound_rude_agent_01",
            "zh_ecommerce_inbound_missing_steps_01",
            "zh_ecommerce_outbound_missing_steps_01",
        ],
    );
    let b = calls_folder(
        &tmp.path().join("b"),
        &[
            "zh_ecommerce_inbound_missing_steps_01",
            "zh_ecommerce_outbound_missing_steps_01",
            "zh_telecom_outbound_model_01",
        ],
    );
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let first = score_cmd(&[&a], &out_s).spawn().expect("spawn a");
    let second = score_cmd(&[&b], &out_s).spawn().expect("spawn b");
    let (ra, rb) = (
        first.wait_with_output().expect("wait a"),
        second.wait_with_output().expect("wait b"),
    );
    assert_eq!(ra.status.code(), Some(0), "{ra:?}");
    assert_eq!(rb.status.code(), Some(0), "{rb:?}");
    let (sa, sb) = (summary(&ra), summary(&rb));
    println!("run a: {sa}\nrun b: {sb}");
    assert_eq!(count(&sa, "calls") + count(&sb, "calls"), 6);
    assert_eq!(count(&sa, "scored") + count(&sb, "scored"), 4, "{sa} {sb}");
    assert_eq!(
        count(&sa, "skipped") + count(&sb, "skipped"),
        2,
        "{sa} {sb}"
    );
    assert_eq!(count(&sa, "failed") + count(&sb, "failed"), 0);
    // A skip is either "in flight in the other run" (counted) or "committed by it meanwhile".
    assert!(count(&sa, "claimed_elsewhere") <= count(&sa, "skipped"));
    assert!(count(&sb, "claimed_elsewhere") <= count(&sb, "skipped"));

    // Every call once in every table.
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let ids: HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!((calls.len(), ids.len()), (4, 4), "{ids:?}");
    let evals: Vec<EvaluationRow> = read_rows(&out).expect("evaluations");
    let eval_keys: HashSet<(&str, &str)> = evals
        .iter()
        .map(|e| (e.call_id.as_str(), e.item_id.as_str()))
        .collect();
    assert_eq!(evals.len(), 4 * callqa_core::EVALUATION_ITEMS.len());
    assert_eq!(eval_keys.len(), evals.len(), "duplicate evaluation rows");
    assert_eq!(read_rows::<CallScoreRow>(&out).expect("scores").len(), 4);
    let utterances: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    let utt_keys: HashSet<(&str, u32)> = utterances
        .iter()
        .map(|u| (u.call_id.as_str(), u.idx))
        .collect();
    assert_eq!(utt_keys.len(), utterances.len(), "duplicate utterance rows");

    // The ledger: each call key committed by exactly one record, every listed file present, no
    // part file on disk that no record lists, and no lock or claim file left behind.
    let ledger = read_ledger(&out).expect("ledger");
    let mut by_key: BTreeMap<&str, usize> = BTreeMap::new();
    let mut listed = HashSet::new();
    for r in &ledger {
        for k in &r.call_keys {
            *by_key.entry(k.as_str()).or_default() += 1;
        }
        for f in &r.files {
            assert!(out.join(&f.path).is_file(), "{} missing", f.path);
            listed.insert(out.join(&f.path));
        }
    }
    assert_eq!(by_key.len(), 4, "{by_key:?}");
    assert!(by_key.values().all(|n| *n == 1), "{by_key:?}");
    let stored_keys: HashSet<&str> = calls.iter().map(|c| c.call_key.as_str()).collect();
    assert_eq!(stored_keys, by_key.keys().copied().collect());
    for f in files_under(&out) {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".parquet") {
            assert!(listed.contains(&f), "unlisted part file {}", f.display());
        }
        assert!(!name.ends_with(".tmp"), "leftover {}", f.display());
    }
    let leftover_locks: Vec<PathBuf> = ["runs", "claims"]
        .iter()
        .flat_map(|d| files_under(&out.join("_locks").join(d)))
        .collect();
    assert!(leftover_locks.is_empty(), "{leftover_locks:?}");

    // Both folders again: nothing is scored twice.
    let again = score_cmd(&[&a, &b], &out_s).output().expect("rerun");
    let s = summary(&again);
    assert_eq!((count(&s, "scored"), count(&s, "skipped")), (0, 6), "{s}");
    assert_eq!(read_rows::<CallRow>(&out).expect("calls").len(), 4);
}

#[test]
fn rescore_in_place_fails_fast_while_a_score_holds_the_folder_and_score_while_a_rescore_does() {
    if !asr_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    // A running `score` holds the folder lock shared: hold it the same way here.
    let run = Store::open(&out).expect("open as a score run would");
    let started = Instant::now();
    let res = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["rescore", "--from", &out_s, "--pipeline", &zh_pipeline()])
        .output()
        .expect("run rescore");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{res:?}");
    assert!(stderr.contains(&out_s), "names the folder: {stderr}");
    assert!(
        stderr.contains("another callqa run (a score) is writing to this output folder"),
        "{stderr}"
    );
    // It fails at once (the time is loading the classifiers), it does not wait for the run.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    drop(run);

    // The other way round: while a rewrite holds the folder, a score refuses to start writing.
    let rewrite = Store::open_exclusive(&out).expect("open to itself");
    let audio = root()
        .join("fixtures/audio/zh_telecom_inbound_rude_agent_01.wav")
        .to_string_lossy()
        .into_owned();
    let res = score_cmd(&[&audio], &out_s).output().expect("run score");
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{res:?}");
    assert!(stderr.contains(&out_s), "{stderr}");
    assert!(
        stderr.contains("is rewriting this output folder"),
        "{stderr}"
    );
    drop(rewrite);
    assert!(read_rows::<CallRow>(&out).expect("calls").is_empty());
}

#[test]
fn shards_of_one_batch_take_disjoint_calls_that_cover_it() {
    if !asr_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    // Files that fail at decode (each its own content, so no two are one recording): quick, and
    // each still yields a row naming its call.
    let inputs = tmp.path().join("calls");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    let ids: Vec<String> = (0..12).map(|i| format!("call-{i:02}")).collect();
    for id in &ids {
        std::fs::write(
            inputs.join(format!("{id}.wav")),
            format!("{id}: not audio\n"),
        )
        .expect("write");
    }
    let inputs_s = inputs.to_string_lossy().into_owned();
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let mut seen: Vec<String> = Vec::new();
    for i in 0..3 {
        let res = score_cmd(&[&inputs_s], &out_s)
            .args(["--shard", &format!("{i}/3")])
            .output()
            .expect("run");
        assert_eq!(res.status.code(), Some(2), "{res:?}");
        let s = summary(&res);
        assert_eq!(s["shard"], format!("{i}/3"), "{s}");
        let errors: Vec<callqa_store::ErrorRow> = read_rows(&out).expect("errors");
        let mine: Vec<String> = errors
            .iter()
            .filter(|e| e.run_id == s["run_id"].as_str().unwrap_or_default())
            .filter_map(|e| e.call_id.clone())
            .collect();
        assert_eq!(mine.len() as u64, count(&s, "calls"), "{s}");
        assert_eq!(count(&s, "failed"), count(&s, "calls"), "{s}");
        for id in &mine {
            assert_eq!(
                callqa_pipeline::shard::shard_of(id, 3),
                i,
                "{id} is not shard {i}'s"
            );
        }
        seen.extend(mine);
    }
    seen.sort();
    assert_eq!(seen, ids, "every call in exactly one shard");
    let bad = score_cmd(&[&inputs_s], &out_s)
        .args(["--shard", "3/3"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2), "clap usage error: {bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("I/N"));
}
