//! Call dates: a start time captured from an AWS PCA-style file name
//! (`..._DT_2025-02-19T06-01-22_...`) with `[metadata] started_at_format` files the call under
//! that date (`calls.started_at_source` = `filename`); a recording without one is dated by its
//! modification time, recorded as `file_mtime`, and counted as `undated` in the run summary.
//!
//! Runs ASR on two bundled calls; skips (passes with a message) without the models.

mod common;

use callqa_store::{CallRow, read_rows};
use chrono::{NaiveDate, TimeZone};
use common::{asr_ready, callqa, json_summary, root};

#[test]
fn a_pca_style_file_name_dates_the_call_and_an_undated_one_is_counted_and_marked() {
    if !asr_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = tmp.path().join("rec");
    std::fs::create_dir_all(rec.join("misc")).expect("mkdir");
    let named = rec.join("Acme_Inbound_DT_2025-02-19T06-01-22_A1001.wav");
    std::fs::copy(
        root().join("fixtures/audio/zh_bank_inbound_model_01.wav"),
        &named,
    )
    .expect("copy");
    let plain = rec.join("misc/plain.wav");
    std::fs::copy(
        root().join("fixtures/audio/zh_telecom_inbound_model_01.wav"),
        &plain,
    )
    .expect("copy");
    let noon = chrono::Local
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("a local time");
    std::fs::File::options()
        .write(true)
        .open(&plain)
        .and_then(|f| f.set_modified(noon.into()))
        .expect("set mtime");
    let base = std::fs::read_to_string(root().join("pipelines/inbound-zh.toml")).expect("toml");
    let pipeline = tmp.path().join("pca.toml");
    std::fs::write(
        &pipeline,
        format!(
            "{base}\n[metadata]\nfilename_pattern = '_DT_(?P<started_at>[0-9T-]+)_(?P<agent_id>A\\d+)$'\nstarted_at_format = \"%Y-%m-%dT%H-%M-%S\"\n"
        ),
    )
    .expect("pipeline");
    let out = tmp.path().join("out");
    let (rec_s, p_s, out_s) = (
        rec.to_string_lossy().into_owned(),
        pipeline.to_string_lossy().into_owned(),
        out.to_string_lossy().into_owned(),
    );
    let run = callqa(&[
        "score",
        &rec_s,
        "--pipeline",
        &p_s,
        "--out",
        &out_s,
        "--json",
        "--no-progress",
    ]);
    let s = json_summary(&run);
    assert_eq!(run.status.code(), Some(0), "{s}");
    assert_eq!(
        (s["scored"].as_u64(), s["undated"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("no date found"), "{stderr}");

    let calls: Vec<CallRow> = read_rows(&out).expect("calls");
    let get = |stem: &str| {
        calls
            .iter()
            .find(|c| c.source_uri.ends_with(stem))
            .unwrap_or_else(|| panic!("no call of {stem}: {calls:?}"))
    };
    let c = get("_A1001.wav");
    assert_eq!(c.started_at_source.as_deref(), Some("filename"));
    assert_eq!(
        c.started_at,
        chrono::Utc.with_ymd_and_hms(2025, 2, 19, 6, 1, 22).single()
    );
    assert_eq!(
        c.call_date,
        NaiveDate::from_ymd_opt(2025, 2, 19).expect("date")
    );
    assert_eq!(c.agent_id.as_deref(), Some("A1001"));
    let c = get("plain.wav");
    assert_eq!(c.started_at_source.as_deref(), Some("file_mtime"));
    assert_eq!(c.started_at, None);
    assert_eq!(
        c.call_date,
        NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")
    );
    assert!(
        out.join("calls/call_date=2025-02-19").is_dir(),
        "filed under the date in its name"
    );

    // The text summary says it too.
    let run = callqa(&[
        "score",
        &rec_s,
        "--pipeline",
        &p_s,
        "--out",
        &out_s,
        "--no-progress",
    ]);
    let text = String::from_utf8_lossy(&run.stderr);
    assert!(text.contains("undated     1 call(s)"), "{text}");
}
