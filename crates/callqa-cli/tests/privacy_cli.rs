//! `[privacy]` end to end: `callqa score` with `store_raw_text = false` and `redact_audio = true`
//! on two SYNTHETIC bundled calls with personal data (a Mandarin and an English bank call). The
//! same calls scored with `store_raw_text = true` give the raw text and the spans the redactor
//! found; then no table of the private run may hold any of those raw strings, the redacted audio
//! copies must exist, the logs at the default level must carry neither PII nor transcript text,
//! and rescoring the private run (which has only redacted text) must keep the spans.
//!
//! Skips (passes with a message) when the models or the fixture audio are absent.

mod common;

use common::root;

use callqa_store::{
    ActivityRow, CallRow, CallScoreRow, ErrorRow, EvaluationRow, UtteranceRow, read_rows,
};
use std::path::Path;
use std::process::{Command, Output};

const CALLS: [&str; 2] = ["zh_bank_inbound_model_01", "en_bank_inbound_model_01"];

fn ready() -> bool {
    common::calls_ready(&CALLS)
}

/// A manifest of the two calls, and copies of their pipelines with the given privacy settings.
fn setup(dir: &Path, store_raw_text: bool) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("fixtures/manifest.csv")).expect("manifest");
    let mut lines = manifest.lines();
    let header = lines.next().expect("header");
    let mut text = format!("{header}\n");
    for l in lines.filter(|l| CALLS.iter().any(|c| l.starts_with(&format!("{c},")))) {
        // Paths in the manifest are relative to it: make them absolute for the copy.
        let abs = root().join("fixtures").to_string_lossy().into_owned();
        text.push_str(&l.replacen(",audio/", &format!(",{abs}/audio/"), 1));
        text.push('\n');
    }
    let m = dir.join("manifest.csv");
    std::fs::write(&m, text).expect("write manifest");
    let mut args = vec!["--manifest".to_string(), m.to_string_lossy().into_owned()];
    for p in ["inbound-zh", "inbound-en"] {
        let src =
            std::fs::read_to_string(root().join(format!("pipelines/{p}.toml"))).expect("pipeline");
        assert!(src.contains("store_raw_text = false") && src.contains("redact_audio = true"));
        let src = src.replace(
            "store_raw_text = false",
            &format!("store_raw_text = {store_raw_text}"),
        );
        let path = dir.join(format!("{p}.toml"));
        std::fs::write(&path, src).expect("write pipeline");
        args.push("--pipeline".into());
        args.push(path.to_string_lossy().into_owned());
    }
    args
}

fn callqa(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .env_remove("CALLQA_LOG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

fn score(dir: &Path, out: &Path, store_raw_text: bool) -> Output {
    let mut args = vec![
        "score".to_string(),
        "--out".into(),
        out.to_string_lossy().into_owned(),
        "--json".into(),
    ];
    args.extend(setup(dir, store_raw_text));
    let o = callqa(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    o
}

/// Every stored row of every table a run writes, as text.
fn everything(out: &Path) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}",
        read_rows::<CallRow>(out).expect("calls"),
        read_rows::<UtteranceRow>(out).expect("utterances"),
        read_rows::<ActivityRow>(out).expect("activity"),
        read_rows::<EvaluationRow>(out).expect("evaluations"),
        read_rows::<CallScoreRow>(out).expect("call_scores"),
        read_rows::<ErrorRow>(out).expect("errors"),
    )
}

/// The raw strings of the spans in a utterance row that kept its raw text.
fn raw_pii(u: &UtteranceRow) -> Vec<String> {
    let spans: Vec<serde_json::Value> = serde_json::from_str(&u.pii_spans).expect("pii_spans json");
    spans
        .iter()
        .map(|s| {
            let a = s["start_char"].as_u64().expect("start_char") as usize;
            let b = s["end_char"].as_u64().expect("end_char") as usize;
            u.text.chars().skip(a).take(b - a).collect()
        })
        .collect()
}

#[test]
fn without_raw_text_no_table_or_log_holds_the_pii_found_and_audio_is_redacted() {
    if !ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    // The reference: raw text kept, so the PII the redactor finds can be read back.
    let raw_dir = tmp.path().join("raw");
    std::fs::create_dir_all(&raw_dir).expect("mkdir");
    score(&raw_dir, &raw_dir.join("out"), true);
    let raw_utts: Vec<UtteranceRow> = read_rows(raw_dir.join("out")).expect("utterances");
    let mut pii: Vec<String> = raw_utts.iter().flat_map(raw_pii).collect();
    // Single characters (a surname: 刘) also occur in unrelated words; the longer strings decide.
    pii.retain(|s| s.chars().count() >= 2);
    pii.sort();
    pii.dedup();
    println!("PII the redactor found in the two calls: {pii:?}");
    assert!(
        pii.len() >= 3,
        "the calls hold a name, card digits and a date of birth; found {pii:?}"
    );

    // The private run.
    let dir = tmp.path().join("private");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = dir.join("out");
    let run = score(&dir, &out, false);
    let utts: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    assert_eq!(utts.len(), raw_utts.len());
    assert!(utts.iter().all(|u| u.text == u.text_redacted));
    let tables = everything(&out);
    for s in &pii {
        assert!(!tables.contains(s.as_str()), "a table holds {s:?}");
    }

    // Redacted audio: one copy per call, its path recorded.
    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    assert_eq!(calls.len(), 2);
    for c in &calls {
        let uri = c
            .redacted_audio_uri
            .as_deref()
            .unwrap_or_else(|| panic!("no redacted audio for {}", c.call_id));
        let len = std::fs::metadata(uri).map(|m| m.len()).unwrap_or(0);
        assert!(len > 16_000, "{uri}: {len} bytes");
        assert!(uri.contains("redacted_audio"), "{uri}");
    }

    // Logs at the default level: no PII, no transcript text.
    let logs = String::from_utf8_lossy(&run.stderr);
    assert!(
        logs.contains("call processed"),
        "no per-call log lines: {logs}"
    );
    for s in &pii {
        assert!(!logs.contains(s.as_str()), "the log holds {s:?}");
    }
    for u in raw_utts.iter().filter(|u| u.text.chars().count() >= 8) {
        assert!(
            !logs.contains(&u.text),
            "the log holds transcript text {:?}",
            u.text
        );
    }

    // Rescoring the private store classifies the redacted text and keeps the spans.
    let mut args = vec![
        "rescore".to_string(),
        "--from".into(),
        out.to_string_lossy().into_owned(),
        "--json".into(),
    ];
    args.extend(setup(&dir, false).into_iter().skip(2));
    let r = callqa(&args);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let mut after: Vec<UtteranceRow> = read_rows(&out).expect("utterances");
    after.sort_by(|a, b| (&a.call_id, a.idx).cmp(&(&b.call_id, b.idx)));
    let mut sorted = utts.clone();
    sorted.sort_by(|a, b| (&a.call_id, a.idx).cmp(&(&b.call_id, b.idx)));
    let before: Vec<&String> = sorted.iter().map(|u| &u.pii_spans).collect();
    let kept: Vec<&String> = after.iter().map(|u| &u.pii_spans).collect();
    assert_eq!(kept, before, "rescoring lost the stored spans");
    let tables = everything(&out);
    for s in &pii {
        assert!(
            !tables.contains(s.as_str()),
            "after rescore a table holds {s:?}"
        );
    }
}
