//! `callqa report` and `callqa calibrate` end to end: on a synthetic store (fast; committed with
//! `Store::commit_shard`), in headless Chromium (`tests/browser/test_report.py` run by
//! `$CALLQA_PYTHON`), and on three bundled SYNTHETIC calls scored for real against the sample
//! human CSV (`fixtures/human_qa_sample.csv`).
//!
//! The browser test SKIPs (passes with a message) when `$CALLQA_PYTHON`, Chromium or
//! chromedriver is absent; the scored-calls test when the models or fixture audio are absent.

use callqa_store::{CallRow, CallScoreRow, EvaluationRow, ShardRows, Store, UtteranceRow};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn callqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn score(id: &str, date: &str, agent: &str, total: f64) -> CallScoreRow {
    CallScoreRow {
        call_id: id.into(),
        call_date: date.parse().expect("date"),
        agent_id: Some(agent.into()),
        team: Some("north".into()),
        form: "inbound-en".into(),
        total_score: total,
        auto_fail: total == 0.0,
        needs_review: false,
        review_reasons: vec![],
        items_passed: 0,
        items_failed: 0,
        items_na: 0,
        customer_sentiment_start: Some("negative".into()),
        customer_sentiment_end: Some("neutral".into()),
        customer_sentiment_start_score: Some(-0.4),
        customer_sentiment_end_score: Some(0.1),
        duration_s: 60.0,
        agent_talk_s: 30.0,
        customer_talk_s: 20.0,
        agent_talk_ratio: 0.6,
        silence_ratio: 0.2,
        longest_silence_s: 2.0,
        longest_dead_air_s: 2.0,
        dead_air_count: 0,
        hold_count: 0,
        hold_s: 0.0,
        overtalk_count: 0,
        overtalk_s: 0.0,
        agent_interruptions: 0,
        customer_interruptions: 0,
        agent_speech_rate: 150.0,
        agent_first_words_s: Some(0.5),
    }
}

fn eval(id: &str, date: &str, agent: &str, item: &str, result: &str) -> EvaluationRow {
    EvaluationRow {
        call_id: id.into(),
        call_date: date.parse().expect("date"),
        agent_id: Some(agent.into()),
        form: "inbound-en".into(),
        section: Some("opening".into()),
        item_id: item.into(),
        title: format!("{item} title"),
        result: result.into(),
        score: if result == "pass" { 10.0 } else { 0.0 },
        weight: 10.0,
        auto_fail: false,
        detector: format!("script_step:{item}"),
        evidence_idx: Some(0),
        evidence_start_ms: Some(300),
        evidence_end_ms: Some(2000),
        evidence_text: Some("raw text must not show".into()),
        confidence: 0.8,
        review_reasons: vec![],
    }
}

/// November 2026: A1 (3 calls, 90/80/100), A2 (3 calls, 70/60/0 auto-fail); October: A1 once.
/// Items `greeting` and `summary`; the greeting results below, summary always passes.
fn synthetic_store(out: &Path) {
    let calls = [
        ("c1", "2026-11-02", "A1", 90.0, "pass"),
        ("c2", "2026-11-03", "A1", 80.0, "pass"),
        ("c3", "2026-11-04", "A1", 100.0, "fail"),
        ("c4", "2026-11-02", "A2", 70.0, "fail"),
        ("c5", "2026-11-10", "A2", 60.0, "pass"),
        ("c6", "2026-11-11", "A2", 0.0, "fail"),
        ("o1", "2026-10-05", "A1", 75.0, "pass"),
    ];
    let mut rows = ShardRows::default();
    for (id, date, agent, total, greeting) in calls {
        rows.calls.push(CallRow {
            call_id: id.into(),
            call_key: format!("key-{id}"),
            call_date: date.parse().expect("date"),
            agent_id: Some(agent.into()),
            team: Some("north".into()),
            language: "en".into(),
            form: "inbound-en".into(),
            run_id: "r1".into(),
            ..Default::default()
        });
        rows.utterances.push(UtteranceRow {
            call_id: id.into(),
            call_date: date.parse().expect("date"),
            idx: 0,
            speaker: "agent".into(),
            start_ms: 300,
            end_ms: 2000,
            text: format!("hello this is {id} card 4111 1111 1111 1111"),
            text_redacted: format!("hello this is {id} card [CARD]"),
            ..Default::default()
        });
        rows.call_scores.push(score(id, date, agent, total));
        rows.evaluations
            .push(eval(id, date, agent, "greeting", greeting));
        rows.evaluations
            .push(eval(id, date, agent, "summary", "pass"));
    }
    let keys: Vec<String> = calls.iter().map(|c| format!("key-{}", c.0)).collect();
    let mut store = Store::open(out).expect("open store");
    store.commit_shard("r1", 0, &rows, &keys).expect("commit");
}

/// Human rows: the greeting as callqa has it except c1 (human fail) and c4 (human pass); summary
/// pass everywhere except c2 (human fail).
const HUMAN_CSV: &str = "call_id,item_id,result,total_score\n\
c1,greeting,fail,80\nc1,summary,pass,80\n\
c2,greeting,pass,70\nc2,summary,fail,70\n\
c3,greeting,fail,90\nc3,summary,pass,90\n\
c4,greeting,pass,70\nc4,summary,pass,70\n\
c5,greeting,pass,60\nc5,summary,pass,60\n\
c6,greeting,fail,0\nc6,summary,pass,0\n\
zz,greeting,pass,\n";

#[test]
fn report_writes_a_self_contained_page_and_names_bad_periods() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    synthetic_store(&out);
    let out_s = out.to_string_lossy().into_owned();
    let html = tmp.path().join("reports/nov.html");
    let html_s = html.to_string_lossy().into_owned();
    let r = callqa(&[
        "report",
        "--out",
        &out_s,
        "--period",
        "month",
        "--html",
        &html_s,
        "--star-min-calls",
        "3",
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let err = text(&r.stderr);
    assert!(
        err.contains("month 2026-11-01 to 2026-11-30: 6 calls"),
        "{err}"
    );
    assert!(err.contains("service stars: north A1"), "{err}");
    let page = std::fs::read_to_string(&html).expect("report written");
    for id in [
        "overview",
        "teams",
        "stars",
        "items",
        "sentiment",
        "reviews",
        "evidence",
    ] {
        assert!(page.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(!page.contains("id=\"calibration\""));
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(page.contains("card [CARD]") && !page.contains("4111"));
    assert!(page.contains("★ A1"));

    let week = callqa(&[
        "report",
        "--out",
        &out_s,
        "--period",
        "week",
        "--week",
        "2026-11-04",
        "--html",
        &html_s,
    ]);
    assert_eq!(week.status.code(), Some(0), "{week:?}");
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.contains("week of 2026-11-02"));
    assert!(text(&week.stderr).contains("4 calls"), "{week:?}");

    let none = callqa(&[
        "report", "--out", &out_s, "--month", "2026-09", "--html", &html_s,
    ]);
    assert_eq!(none.status.code(), Some(1));
    let err = text(&none.stderr);
    assert!(
        err.contains(
            "no scored calls in the month 2026-09-01 to 2026-09-30 (latest scored call: 2026-11-11)"
        ),
        "{err}"
    );
    let mixed = callqa(&[
        "report", "--out", &out_s, "--period", "week", "--month", "2026-11", "--html", &html_s,
    ]);
    assert_eq!(mixed.status.code(), Some(1));
    assert!(text(&mixed.stderr).contains("--month goes with --period month"));
    let bad = callqa(&[
        "report", "--out", &out_s, "--month", "11/2026", "--html", &html_s,
    ]);
    assert!(
        text(&bad.stderr).contains("month \"11/2026\" is not YYYY-MM"),
        "{bad:?}"
    );
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let e = callqa(&[
        "report",
        "--out",
        &empty.to_string_lossy(),
        "--html",
        &html_s,
    ]);
    assert_eq!(e.status.code(), Some(1));
    assert!(
        text(&e.stderr).contains("not a callqa output directory"),
        "{e:?}"
    );
}

#[test]
fn calibrate_prints_agreement_kappa_and_json_and_names_bad_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    synthetic_store(&out);
    let out_s = out.to_string_lossy().into_owned();
    let csv = tmp.path().join("human.csv");
    std::fs::write(&csv, HUMAN_CSV).expect("csv");
    let csv_s = csv.to_string_lossy().into_owned();

    let j = callqa(&["calibrate", "--out", &out_s, "--human", &csv_s, "--json"]);
    assert_eq!(j.status.code(), Some(0), "{j:?}");
    let v: serde_json::Value = serde_json::from_str(text(&j.stdout).trim()).expect("json");
    assert_eq!(v["human_rows"], 13);
    assert_eq!(v["unmatched"], 1);
    assert_eq!(v["unscored_calls"], serde_json::json!(["zz"]));
    assert_eq!(v["calls"], 6);
    // greeting: callqa pass c1 c2 c5, fail c3 c4 c6; human fail c1 c3 c6, pass c2 c4 c5.
    // human × callqa: pass→pass 2 (c2 c5), pass→fail 1 (c4), fail→pass 1 (c1), fail→fail 2.
    // p_o = 4/6, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, kappa = (2/3 − 1/2) / (1/2) = 1/3.
    let g = &v["items"][0];
    assert_eq!(g["item_id"], "greeting");
    assert_eq!(
        g["confusion"]["counts"],
        serde_json::json!([[2, 1, 0], [1, 2, 0], [0, 0, 0]])
    );
    assert!(
        (g["kappa"].as_f64().expect("kappa") - 1.0 / 3.0).abs() < 1e-9,
        "{g}"
    );
    // summary: callqa always pass, human one fail: p_e = (5/6)(6/6) = 5/6, p_o = 5/6 → kappa 0.
    let s = &v["items"][1];
    assert_eq!((s["n"].as_u64(), s["agreed"].as_u64()), (Some(6), Some(5)));
    assert!(s["kappa"].as_f64().expect("kappa").abs() < 1e-9, "{s}");
    assert_eq!(v["overall"]["agreed"], 9);
    assert_eq!(v["disagreements"].as_array().map(Vec::len), Some(3));
    let d = &v["disagreements"][0];
    assert_eq!(
        (d["call_id"].as_str(), d["item_id"].as_str()),
        (Some("c1"), Some("greeting"))
    );
    assert_eq!(d["evidence"], "hello this is c1 card [CARD]");
    assert_eq!(d["evidence_at"], "00:00.3");
    // total score: |90-80| + |80-70| + |100-90| + 0 + 0 + 0 = 30 over 6 calls
    assert_eq!(v["total_score"]["n"], 6);
    assert!((v["total_score"]["mae"].as_f64().expect("mae") - 5.0).abs() < 1e-9);
    assert!(v["analysts"].as_array().is_some_and(Vec::is_empty));

    let t = callqa(&["calibrate", "--out", &out_s, "--human", &csv_s]);
    assert_eq!(t.status.code(), Some(0), "{t:?}");
    let table = text(&t.stdout);
    assert!(table.contains("greeting"), "{table}");
    assert!(table.contains("disagreements (3):"), "{table}");
    assert!(!table.contains("4111"));

    std::fs::write(
        &csv,
        "call_id,item_id,result\nc1,greeting,pass\nc2,greeting,passed\n",
    )
    .expect("csv");
    let bad = callqa(&["calibrate", "--out", &out_s, "--human", &csv_s]);
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(
        err.contains(&format!("{csv_s}:3: result \"passed\"")),
        "{err}"
    );
    std::fs::write(&csv, "call_id,item_id,result\nnope,greeting,pass\n").expect("csv");
    let none = callqa(&["calibrate", "--out", &out_s, "--human", &csv_s]);
    assert_eq!(none.status.code(), Some(1));
    assert!(text(&none.stderr).contains("no row matches"), "{none:?}");
}

#[test]
fn report_renders_in_headless_chromium_without_external_requests() {
    let python = std::env::var_os("CALLQA_PYTHON")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    let Some(python) = python else {
        eprintln!(
            "SKIP: $CALLQA_PYTHON unset or absent (scripts/test.sh sets it to .venv/bin/python)"
        );
        return;
    };
    for p in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(p).exists() {
            eprintln!("SKIP: {p} absent (run scripts/setup.sh)");
            return;
        }
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    synthetic_store(&out);
    let csv = tmp.path().join("human.csv");
    std::fs::write(&csv, HUMAN_CSV).expect("csv");
    let html = tmp.path().join("report.html");
    let r = callqa(&[
        "report",
        "--out",
        &out.to_string_lossy(),
        "--html",
        &html.to_string_lossy(),
        "--human",
        &csv.to_string_lossy(),
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let b = Command::new(&python)
        .arg(root().join("tests/browser/test_report.py"))
        .arg(&html)
        .arg("--calibration")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert_eq!(
        b.status.code(),
        Some(0),
        "browser test failed: {}{}",
        text(&b.stdout),
        text(&b.stderr)
    );
    eprintln!("{}", text(&b.stdout).trim());
}

#[test]
fn sample_human_csv_is_the_ground_truth_plus_five_documented_disagreements() {
    let mut expected: BTreeMap<(String, String), String> = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("fixtures/calls")).expect("fixtures/calls") {
        let p = entry.expect("entry").path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.ends_with(".json") || name.ends_with(".timeline.json") {
            continue;
        }
        let call: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        let id = call["call_id"].as_str().expect("call_id").to_string();
        for (item, label) in call["expected"].as_object().expect("expected") {
            expected.insert(
                (id.clone(), item.clone()),
                label.as_str().expect("label").into(),
            );
        }
    }
    let rows = callqa_report::read_human_csv(root().join("fixtures/human_qa_sample.csv"))
        .expect("sample csv");
    let mut lead = 0;
    let mut differ = Vec::new();
    for r in &rows {
        let want = expected
            .get(&(r.call_id.clone(), r.item_id.clone()))
            .unwrap_or_else(|| {
                panic!(
                    "{}:{}: no such call and item in fixtures/calls",
                    r.call_id, r.item_id
                )
            });
        let same = r.result.as_str() == want;
        match r.analyst.as_deref() {
            Some("qa-lead") => {
                lead += 1;
                assert!(
                    same,
                    "line {}: qa-lead differs from the ground truth",
                    r.line
                );
            }
            Some("qa-2") => {
                if !same {
                    differ.push(format!("{} {}", r.call_id, r.item_id));
                }
            }
            other => panic!("line {}: unexpected analyst {other:?}", r.line),
        }
    }
    assert_eq!(lead, expected.len(), "qa-lead covers every call and item");
    assert_eq!(rows.len(), 2 * expected.len());
    // fixtures/build_human_sample.py, DISAGREEMENTS
    assert_eq!(differ.len(), 5, "{differ:?}");
}

fn models_ready() -> bool {
    let home = std::env::var_os("CALLQA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/callqa")
        });
    let needed = [
        home.join("models/whisper/base/ggml-model.bin"),
        home.join("models/vad/silero_vad.onnx"),
        home.join("models/classifiers/script_step/model.toml"),
        root().join("fixtures/audio/zh_telecom_inbound_model_01.wav"),
    ];
    for p in &needed {
        if !p.is_file() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", p.display());
            return false;
        }
    }
    true
}

#[test]
fn three_scored_bundled_calls_calibrate_against_the_sample_csv_and_report() {
    if !models_ready() {
        return;
    }
    let picked = [
        "en_telecom_inbound_dead_air_01",
        "zh_ecommerce_outbound_missing_steps_01",
        "zh_telecom_inbound_model_01",
    ];
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest_in =
        std::fs::read_to_string(root().join("fixtures/manifest.csv")).expect("manifest");
    let mut lines = manifest_in.lines();
    let mut manifest = format!("{}\n", lines.next().expect("header"));
    for l in lines {
        if picked.iter().any(|p| l.starts_with(&format!("{p},"))) {
            // paths are relative to the manifest's folder: point them at fixtures/
            manifest
                .push_str(&l.replace(",audio/", &format!(",{}/fixtures/audio/", root().display())));
            manifest.push('\n');
        }
    }
    let mpath = tmp.path().join("manifest.csv");
    std::fs::write(&mpath, &manifest).expect("manifest");
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let mut args: Vec<String> = [
        "score",
        "--manifest",
        &mpath.to_string_lossy(),
        "--out",
        &out_s,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for p in ["inbound-zh", "outbound-zh", "inbound-en", "outbound-en"] {
        args.push("--pipeline".into());
        args.push(
            root()
                .join(format!("pipelines/{p}.toml"))
                .to_string_lossy()
                .into_owned(),
        );
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = callqa(&refs);
    assert_eq!(s.status.code(), Some(0), "{s:?}");

    let sample = root().join("fixtures/human_qa_sample.csv");
    let sample_s = sample.to_string_lossy().into_owned();
    let j = callqa(&["calibrate", "--out", &out_s, "--human", &sample_s, "--json"]);
    assert_eq!(j.status.code(), Some(0), "{j:?}");
    let v: serde_json::Value = serde_json::from_str(text(&j.stdout).trim()).expect("json");
    let items = callqa_core::EVALUATION_ITEMS.len() as u64;
    assert_eq!(v["calls"], 3);
    assert_eq!(v["overall"]["n"].as_u64(), Some(3 * items * 2));
    assert_eq!(v["unmatched"].as_u64(), Some(15 * items * 2));
    assert_eq!(v["unscored_calls"].as_array().map(Vec::len), Some(15));

    // qa-lead's agreement must be callqa's agreement with the ground truth, counted here
    // directly from the stored evaluations.
    let evals: Vec<EvaluationRow> = callqa_store::read_rows(&out).expect("evaluations");
    let rows = callqa_report::read_human_csv(&sample).expect("sample");
    let truth: BTreeMap<(&str, &str), &str> = rows
        .iter()
        .filter(|r| r.analyst.as_deref() == Some("qa-lead"))
        .map(|r| ((r.call_id.as_str(), r.item_id.as_str()), r.result.as_str()))
        .collect();
    let agree = evals
        .iter()
        .filter(|e| {
            truth.get(&(e.call_id.as_str(), e.item_id.as_str())) == Some(&e.result.as_str())
        })
        .count();
    assert_eq!(evals.len() as u64, 3 * items);
    let lead = v["analysts"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["analyst"] == "qa-lead"))
        .expect("qa-lead row");
    assert_eq!(lead["n"].as_u64(), Some(3 * items));
    let want = agree as f64 / (3 * items) as f64;
    assert!((lead["agreement"].as_f64().expect("agreement") - want).abs() < 1e-12);
    eprintln!(
        "callqa vs qa-lead on 3 scored calls: {agree}/{} agree",
        3 * items
    );
    // every disagreement names its call and carries callqa's detector
    for d in v["disagreements"].as_array().expect("disagreements") {
        assert!(
            picked.contains(&d["call_id"].as_str().unwrap_or_default()),
            "{d}"
        );
        assert!(d["detector"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
    }
    // Between analysts: every (call, item) both gave, whether callqa scored the call or not;
    // they differ on the five deliberate disagreements only.
    let inter = &v["inter_analyst"][0];
    let all = 18 * items;
    assert_eq!(inter["n"].as_u64(), Some(all));
    let agreed = inter["agreement"]
        .as_f64()
        .map(|a| (a * all as f64).round() as u64);
    assert_eq!(agreed, Some(all - 5));

    let html = tmp.path().join("report.html");
    let r = callqa(&[
        "report",
        "--out",
        &out_s,
        "--html",
        &html.to_string_lossy(),
        "--human",
        &sample_s,
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let page = std::fs::read_to_string(&html).expect("report");
    assert!(page.contains("<section id=\"calibration\">"));
    assert!(page.contains("November 2026"));
    for id in picked {
        assert!(page.contains(id), "{id} not in the report");
    }
}
