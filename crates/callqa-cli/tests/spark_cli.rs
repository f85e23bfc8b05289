//! `spark/score_job.py` in Spark local mode on five bundled calls cut into two shards: the first
//! attempt of shard 0 has its `callqa score` process SIGKILLed after one commit and Spark retries
//! the task; every call ends up committed once, the job's Spark SQL agent summary equals
//! `callqa agents --json` row for row, and running the job again scores nothing.
//!
//! Needs Java 17+ and pyspark: `scripts/setup_spark.sh` installs them (pyspark into .venv) and
//! the test says SKIP, with the reason, where it cannot. Also skips (with a message) when the
//! models or the fixture audio are absent (run `scripts/setup.sh`).

mod common;

use callqa_store::{CallRow, EvaluationRow, read_ledger, read_rows};
use common::{asr_ready, root};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

/// Installs Java and pyspark if needed; false (with a SKIP line saying why) when it cannot.
fn spark_ready() -> bool {
    let res = Command::new("bash")
        .arg(root().join("scripts/setup_spark.sh"))
        .output();
    match res {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            println!(
                "SKIP: Spark test not run: scripts/setup_spark.sh failed ({}): {}",
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            );
            false
        }
        Err(e) => {
            println!("SKIP: Spark test not run: cannot run scripts/setup_spark.sh: {e}");
            false
        }
    }
}

/// Five short Mandarin calls of four agents in two teams; one moved a week earlier so that an
/// agent has a change against the previous week. (call_id, agent, team, direction, started_at)
const CALLS: [(&str, &str, &str, &str, &str); 5] = [
    (
        "zh_telecom_inbound_rude_agent_01",
        "A2002",
        "team-south",
        "inbound",
        "2026-11-05T10:10:00",
    ),
    (
        "zh_ecommerce_outbound_missing_steps_01",
        "A1002",
        "team-north",
        "outbound",
        "2026-11-06T10:30:00",
    ),
    (
        "zh_bank_outbound_model_01",
        "A2001",
        "team-south",
        "outbound",
        "2026-11-04T08:45:00",
    ),
    (
        "zh_ecommerce_inbound_missing_steps_01",
        "A1002",
        "team-north",
        "inbound",
        "2026-10-29T15:30:00",
    ),
    (
        "zh_telecom_outbound_model_01",
        "A1001",
        "team-north",
        "outbound",
        "2026-11-04T11:00:00",
    ),
];

fn write_manifest(path: &Path) {
    let mut text = String::from("call_id,path,agent_id,team,direction,started_at,language\n");
    for (id, agent, team, direction, at) in CALLS {
        let audio = root().join(format!("fixtures/audio/{id}.wav"));
        text.push_str(&format!(
            "{id},{},{agent},{team},{direction},{at},zh\n",
            audio.display()
        ));
    }
    std::fs::write(path, text).expect("write manifest");
}

fn job(manifest: &Path, out: &Path, dir: &Path, kill_shard: Option<u32>) -> Vec<serde_json::Value> {
    let report = dir.join("report.jsonl");
    let mut cmd = Command::new(root().join(".venv/bin/python"));
    cmd.arg(root().join("spark/score_job.py"))
        .args(["--master", "local[2,4]", "--shards", "2"])
        .arg("--manifest")
        .arg(manifest)
        .arg("--out")
        .arg(out)
        .arg("--callqa")
        .arg(env!("CARGO_BIN_EXE_callqa"))
        .args(["--jobs", "1", "--shard-calls", "1"])
        .arg("--summary-json")
        .arg(dir.join("summary.jsonl"))
        .arg("--report-json")
        .arg(&report);
    for p in ["inbound-zh", "outbound-zh"] {
        cmd.arg("--pipeline")
            .arg(root().join(format!("pipelines/{p}.toml")));
    }
    match kill_shard {
        Some(i) => cmd.env("CALLQA_SPARK_KILL_SHARD", i.to_string()),
        None => cmd.env_remove("CALLQA_SPARK_KILL_SHARD"),
    };
    let res = cmd.output().expect("run spark/score_job.py");
    assert_eq!(
        res.status.code(),
        Some(0),
        "job failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    json_lines(&report)
}

fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

fn n(v: &serde_json::Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

/// Equal as the same JSON, numbers within 1e-9 (sums in another order), a pass rate the Spark
/// row lacks equal to a null one (an item with no evaluation row in the data).
fn same(spark: &serde_json::Value, cli: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value;
    match (spark, cli) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            if (a - b).abs() <= 1e-9 * a.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{a} != {b}"))
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, vb) in b {
                let va = a.get(k).unwrap_or(&Value::Null);
                same(va, vb).map_err(|e| format!("{k}: {e}"))?;
            }
            match a.keys().find(|k| !b.contains_key(*k)) {
                Some(k) => Err(format!("{k}: not in callqa agents' row")),
                None => Ok(()),
            }
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{a} != {b}")),
    }
}

#[test]
fn spark_job_scores_shards_once_survives_a_killed_worker_and_matches_callqa_agents() {
    if !asr_ready() || !spark_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = tmp.path().join("manifest.csv");
    write_manifest(&manifest);
    let out = tmp.path().join("out");

    // First run: shard 0's first attempt is killed after one commit, and retried.
    let report = job(&manifest, &out, tmp.path(), Some(0));
    println!("first run: {report:?}");
    assert_eq!(report.len(), 2, "{report:?}");
    let shard0 = &report[0];
    assert_eq!(shard0["shard"], 0);
    assert!(
        n(shard0, "attempt") >= 1,
        "shard 0 was not retried: {shard0}"
    );
    // The retry skipped what the killed attempt had committed.
    assert!(n(shard0, "skipped") >= 1, "{shard0}");
    let given: u64 = report.iter().map(|r| n(r, "calls_given")).sum();
    assert_eq!(given, CALLS.len() as u64);
    for r in &report {
        assert_eq!(
            n(r, "calls"),
            n(r, "calls_given"),
            "shard hashes agree: {r}"
        );
        assert_eq!(n(r, "failed"), 0, "{r}");
    }

    // Each call committed once: one key per call over the ledger, the killed attempt's record
    // among them, one row per call and item.
    let ledger = read_ledger(&out).expect("ledger");
    let mut by_key: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &ledger {
        for k in &r.call_keys {
            *by_key.entry(k.as_str()).or_default() += 1;
        }
    }
    assert_eq!(by_key.len(), CALLS.len(), "{by_key:?}");
    assert!(by_key.values().all(|c| *c == 1), "{by_key:?}");
    assert!(
        ledger
            .iter()
            .any(|r| r.run_id.starts_with("spark-s0-a0-") && !r.call_keys.is_empty()),
        "the killed attempt committed nothing before it was killed"
    );
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let ids: HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!((calls.len(), ids.len()), (CALLS.len(), CALLS.len()));
    let evals: Vec<EvaluationRow> = read_rows(&out).expect("evaluations");
    let eval_keys: HashSet<(&str, &str)> = evals
        .iter()
        .map(|e| (e.call_id.as_str(), e.item_id.as_str()))
        .collect();
    assert_eq!(
        evals.len(),
        CALLS.len() * callqa_core::EVALUATION_ITEMS.len()
    );
    assert_eq!(eval_keys.len(), evals.len());

    // Spark SQL's agent summary equals callqa agents', row for row.
    let spark_rows = json_lines(&tmp.path().join("summary.jsonl"));
    let agents = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["agents", "--period", "week", "--json", "--out"])
        .arg(&out)
        .output()
        .expect("callqa agents");
    assert!(agents.status.success(), "{agents:?}");
    let cli_rows: Vec<serde_json::Value> = String::from_utf8_lossy(&agents.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("agents json"))
        .collect();
    assert_eq!(
        spark_rows.len(),
        cli_rows.len(),
        "{spark_rows:?}\n{cli_rows:?}"
    );
    assert_eq!(cli_rows.len(), 5, "4 agents, one of them in two weeks");
    for (s, c) in spark_rows.iter().zip(&cli_rows) {
        if let Err(e) = same(s, c) {
            panic!("rows differ ({e}):\nspark  {s}\ncallqa {c}");
        }
    }
    assert!(
        cli_rows.iter().any(|r| r["mean_score_change"].is_number()),
        "a change against the previous week is compared too"
    );

    // Second run: everything is in the ledger, nothing is scored again.
    let again = job(&manifest, &out, tmp.path(), None);
    println!("second run: {again:?}");
    for r in &again {
        assert_eq!(n(r, "scored"), 0, "{r}");
        assert_eq!(n(r, "skipped"), n(r, "calls_given"), "{r}");
    }
    assert_eq!(
        read_rows::<CallRow>(&out).expect("calls").len(),
        CALLS.len()
    );
}
