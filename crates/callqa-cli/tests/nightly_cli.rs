//! The nightly service: runs the `ExecStart=` command of `deploy/callqa-nightly.service` (its
//! paths mapped to a temporary folder, the binary to the one built) on a recordings folder laid
//! out by date: yesterday's calls are scored, an older day's are left out, a broken file fails;
//! the exit status is 2 as documented, and the run report says all of it with the versions.
//!
//! Runs ASR on two bundled calls; skips (passes with a message) without the models.

mod common;

use callqa_store::{CallRow, read_rows};
use common::{asr_ready, root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The unit file's `ExecStart=` command as arguments, and its `Environment=` pairs.
fn unit_command(unit: &Path) -> (Vec<String>, Vec<(String, String)>) {
    let text = std::fs::read_to_string(unit).expect("unit file");
    let mut exec = None;
    let mut env = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(cmd) = line.strip_prefix("ExecStart=") {
            assert!(exec.is_none(), "one ExecStart= line");
            assert!(
                !cmd.contains(['"', '\'', '\\']),
                "no quoting in ExecStart: {cmd}"
            );
            exec = Some(cmd.split_whitespace().map(str::to_string).collect());
        }
        if let Some(kv) = line.strip_prefix("Environment=")
            && let Some((k, v)) = kv.split_once('=')
        {
            env.push((k.to_string(), v.to_string()));
        }
    }
    (exec.expect("an ExecStart= line"), env)
}

#[test]
fn the_nightly_service_command_scores_yesterdays_folder_and_writes_its_report() {
    if !asr_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let map: [(&str, PathBuf); 4] = [
        ("/srv/callqa/recordings", t.join("recordings")),
        ("/srv/callqa/out", t.join("out")),
        ("/var/lib/callqa/reports", t.join("reports")),
        ("/etc/callqa/pipelines", root().join("pipelines")),
    ];
    let (cmd, env) = unit_command(&root().join("deploy/callqa-nightly.service"));
    assert_eq!(cmd[0], "/usr/local/bin/callqa");
    let args: Vec<String> = cmd[1..]
        .iter()
        .map(|a| {
            if !a.starts_with('/') {
                return a.clone();
            }
            let (from, to) = map
                .iter()
                .find(|(from, _)| a.starts_with(from))
                .unwrap_or_else(|| panic!("the test maps no folder for {a}"));
            format!("{}{}", to.display(), &a[from.len()..])
        })
        .collect();
    let report = t.join("reports/last-run.json");
    assert!(
        args.iter().any(|a| Path::new(a) == report),
        "the service writes its report: {args:?}"
    );

    // Yesterday's folder (YYYY/MM/DD) with two calls and a broken file; an older day's folder.
    let today = chrono::Local::now().date_naive();
    let yesterday = today.pred_opt().expect("yesterday");
    let older = yesterday
        .pred_opt()
        .and_then(|d| d.pred_opt())
        .expect("older");
    let day_dir = t
        .join("recordings")
        .join(yesterday.format("%Y/%m/%d").to_string());
    let old_dir = t
        .join("recordings")
        .join(older.format("%Y-%m-%d").to_string());
    std::fs::create_dir_all(&day_dir).expect("mkdir");
    std::fs::create_dir_all(&old_dir).expect("mkdir");
    for (name, dir) in [
        ("zh_bank_inbound_model_01.wav", &day_dir),
        ("zh_telecom_inbound_model_01.wav", &day_dir),
        ("zh_utility_inbound_model_01.wav", &old_dir),
    ] {
        std::fs::copy(root().join("fixtures/audio").join(name), dir.join(name)).expect("copy");
    }
    std::fs::write(day_dir.join("broken.wav"), b"not a recording").expect("write");

    let mut run = Command::new(env!("CARGO_BIN_EXE_callqa"));
    run.args(&args);
    for (k, v) in &env {
        // The models are where the test machine installed them, not under /var/lib.
        if k != "CALLQA_HOME" {
            run.env(k, v);
        }
    }
    let output = run.output().expect("run the service command");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "some calls failed: {stderr}");

    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("report json");
    assert_eq!(r["exit_code"], 2, "{r:#}");
    assert_eq!(r["dates"]["from"], yesterday.to_string(), "{r:#}");
    let c = &r["counts"];
    assert_eq!(
        (
            c["scored"].as_u64(),
            c["failed"].as_u64(),
            c["outside_dates"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{r:#}"
    );
    let f = &r["failures"][0];
    assert_eq!(f["call_id"], "broken", "{r:#}");
    assert!(f["stage"].as_str().is_some_and(|s| !s.is_empty()), "{r:#}");
    assert!(f["kind"].as_str().is_some_and(|s| !s.is_empty()), "{r:#}");
    assert_eq!(r["callqa_version"], env!("CARGO_PKG_VERSION"));
    let p = &r["pipelines"][0];
    assert_eq!(p["name"], "inbound-zh", "{r:#}");
    assert_eq!(p["asr_model"], "base", "{r:#}");
    assert_eq!(
        p["asr_model_sha256"].as_str().map(str::len),
        Some(64),
        "{r:#}"
    );
    assert!(
        p["classifiers"]
            .as_str()
            .is_some_and(|s| s.contains("sentiment=")),
        "{r:#}"
    );
    assert!(
        r["durations_s"]["wall"].as_f64().is_some_and(|w| w > 0.0),
        "{r:#}"
    );
    assert!(
        r["durations_s"]["asr"].as_f64().is_some_and(|w| w > 0.0),
        "{r:#}"
    );

    // Filed under yesterday, dated by the folder.
    let calls: Vec<CallRow> = read_rows(t.join("out")).expect("calls");
    assert_eq!(calls.len(), 2, "{calls:?}");
    for c in &calls {
        assert_eq!(c.call_date, yesterday);
        assert_eq!(c.started_at_source.as_deref(), Some("folder"));
    }
}
