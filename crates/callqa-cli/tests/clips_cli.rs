//! `callqa clips` end to end on two SYNTHETIC bundled calls scored by `callqa score`: a clip's
//! WAV length and format, the redaction tone over the customer's spoken phone number (placed
//! against the fixture's own timeline) and nowhere else, manifest rows against the stored
//! evaluations, the moment of an item failed for absence, and a self-contained index.html.
//!
//! Skips (passes with a message) when the models or the fixture audio are absent.

mod common;

use common::root;

use callqa_clips::audio::{TONE_HZ, tone_share};
use callqa_store::{EvaluationRow, read_rows};
use std::path::Path;
use std::process::{Command, Output};

/// The call where the customer reads out a phone number, and one with missing script steps.
const NUMBER_CALL: &str = "zh_ecommerce_inbound_model_01";
const MISSING_CALL: &str = "zh_ecommerce_inbound_missing_steps_01";

fn ready() -> bool {
    common::calls_ready(&[NUMBER_CALL, MISSING_CALL])
}

fn callqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

fn manifest_rows(pack: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(pack.join("manifest.csv")).expect("manifest.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let want: Vec<&str> = callqa_clips::MANIFEST_COLUMNS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(header, want);
    // No field of these calls holds a comma or a quote (ids, numbers, item and detector names).
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn spans(field: &str) -> Vec<(i64, i64)> {
    field
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (a, b) = s.split_once('-').expect("start-end");
            (a.parse().expect("ms"), b.parse().expect("ms"))
        })
        .collect()
}

fn wav(path: &Path) -> Vec<f32> {
    let d = callqa_audio::decode_16k(path, &callqa_audio::DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.info.sample_rate_hz, 16_000, "{}", path.display());
    assert_eq!(d.info.channels, 1);
    assert_eq!(d.info.codec, "pcm_s16le");
    d.channels.into_iter().next().unwrap_or_default()
}

/// The fixture timeline's turn where the customer says the phone number, ms.
fn spoken_number_ms() -> (i64, i64) {
    let path = root().join(format!("fixtures/calls/{NUMBER_CALL}.timeline.json"));
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("timeline")).expect("json");
    let turn = t["turns"]
        .as_array()
        .expect("turns")
        .iter()
        .find(|t| t["text"].as_str().unwrap_or_default().starts_with("一三九"))
        .expect("the phone-number turn");
    (
        turn["start_ms"].as_i64().expect("start"),
        turn["end_ms"].as_i64().expect("end"),
    )
}

#[test]
fn clips_cut_the_moment_mask_the_spoken_number_and_list_every_clip() {
    if !ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = tmp.path().join("manifest.csv");
    let src = std::fs::read_to_string(root().join("fixtures/manifest.csv")).expect("manifest");
    let mut lines = src.lines();
    let mut m = format!("{}\n", lines.next().expect("header"));
    for l in lines.filter(|l| l.starts_with(NUMBER_CALL) || l.starts_with(MISSING_CALL)) {
        m.push_str(&l.replace(",audio/", &format!(",{}/fixtures/audio/", root().display())));
        m.push('\n');
    }
    std::fs::write(&manifest, m).expect("write manifest");
    let out = tmp.path().join("out");
    let (out_s, manifest_s) = (out.to_string_lossy(), manifest.to_string_lossy());
    let pipeline = root().join("pipelines/inbound-zh.toml");
    let score = callqa(&[
        "score",
        "--manifest",
        &manifest_s,
        "--out",
        &out_s,
        "--pipeline",
        &pipeline.to_string_lossy(),
        "--json",
    ]);
    assert_eq!(score.status.code(), Some(0), "{score:?}");
    let evals: Vec<EvaluationRow> = read_rows(&out).expect("evaluations");

    // 1. A whole-call clip of the number call (context wider than the call): its length is the
    //    recording's, the tone covers the spoken number and nothing else is tone.
    let item = evals
        .iter()
        .find(|e| e.call_id == NUMBER_CALL && e.result == "pass")
        .map(|e| e.item_id.clone())
        .expect("a passed item");
    let pack = tmp.path().join("pack-best");
    let run = callqa(&[
        "clips",
        "--out",
        &out_s,
        "--pack",
        &pack.to_string_lossy(),
        "--item",
        &item,
        "--best",
        "2",
        "--context-s",
        "120",
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let rows = manifest_rows(&pack);
    let row = rows
        .iter()
        .find(|r| r["call_id"] == NUMBER_CALL)
        .expect("a clip of the number call");
    let samples = wav(&pack.join(&row["clip_file"]));
    let duration_ms =
        (callqa_audio::probe(&root().join(format!("fixtures/audio/{NUMBER_CALL}.wav")))
            .expect("probe")
            .duration_s
            * 1000.0)
            .round() as i64;
    assert_eq!(row["clip_start_ms"], "0");
    assert_eq!(row["clip_end_ms"], duration_ms.to_string());
    assert!(
        (samples.len() as i64 - duration_ms * 16).abs() <= 16,
        "{} samples for {duration_ms} ms",
        samples.len()
    );
    let red = spans(&row["redaction_spans_ms"]);
    assert!(!red.is_empty(), "no redaction in {row:?}");
    let (na, nb) = spoken_number_ms();
    let covered: i64 = red
        .iter()
        .map(|&(a, b)| (b.min(nb) - a.max(na)).max(0))
        .sum();
    let share = covered as f64 / (nb - na) as f64;
    eprintln!(
        "tone {red:?} ms; number said {na}-{nb} ms; covered {:.0} %",
        share * 100.0
    );
    assert!(
        share >= 0.8,
        "the tone covers {share:.2} of the spoken number"
    );
    let window = |a: i64| &samples[(a * 16) as usize..((a + 50) * 16) as usize];
    let inside = |t: i64| red.iter().any(|&(a, b)| t + 60 > a && t - 10 < b);
    for &(a, b) in &red {
        let mut t = a + 10;
        while t + 60 <= b {
            assert!(tone_share(window(t), TONE_HZ) > 0.9, "no tone at {t} ms");
            t += 50;
        }
    }
    let mut worst_outside = 0.0f64;
    let mut t = 0;
    while (t + 50) * 16 <= samples.len() as i64 {
        let w = window(t);
        let rms = (w.iter().map(|v| v * v).sum::<f32>() / w.len() as f32).sqrt();
        if !inside(t) && rms > 1e-3 {
            let s = tone_share(window(t), TONE_HZ);
            worst_outside = worst_outside.max(s);
        }
        t += 50;
    }
    eprintln!("largest 1 kHz share of a 50 ms window outside the spans: {worst_outside:.3}");
    assert!(
        worst_outside < 0.5,
        "tone-like audio outside the spans ({worst_outside:.2})"
    );
    let txt = std::fs::read_to_string(pack.join(&row["transcript_file"])).expect("transcript");
    assert!(txt.contains("[REDACTED]"), "{txt}");
    assert!(!txt.contains("139"), "{txt}");

    // 2. The worst clips of an item the missing-steps call failed for absence: one row per
    //    stored fail (at most 5), WAV lengths as the manifest says, the documented moment.
    let absent = evals
        .iter()
        .find(|e| {
            e.call_id == MISSING_CALL
                && e.result == "fail"
                && e.evidence_idx.is_none()
                && e.detector.starts_with("script_step:")
                && e.item_id != "empathy"
        })
        .expect("an item failed for absence");
    let fails = evals
        .iter()
        .filter(|e| e.item_id == absent.item_id && e.result == "fail")
        .count();
    let pack = tmp.path().join("pack-worst");
    let run = callqa(&[
        "clips",
        "--out",
        &out_s,
        "--pack",
        &pack.to_string_lossy(),
        "--item",
        &absent.item_id,
        "--worst",
        "5",
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let rows = manifest_rows(&pack);
    assert_eq!(rows.len(), fails.min(5));
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["rank"], (i + 1).to_string());
        assert_eq!(r["result"], "fail");
        let (a, b): (i64, i64) = (
            r["clip_start_ms"].parse().expect("ms"),
            r["clip_end_ms"].parse().expect("ms"),
        );
        let n = wav(&pack.join(&r["clip_file"])).len() as i64;
        assert!(
            (n - (b - a) * 16).abs() <= 16,
            "{}: {n} samples",
            r["clip_file"]
        );
    }
    let r = rows
        .iter()
        .find(|r| r["call_id"] == MISSING_CALL)
        .expect("the missing-steps call");
    let opening = callqa_clips::select::OPENING_ITEMS.contains(&absent.item_id.as_str());
    let (ws, we) = (
        absent.evidence_start_ms.expect("window start"),
        absent.evidence_end_ms.expect("window end"),
    );
    if opening {
        assert_eq!(r["moment"], "window_start");
        assert_eq!(r["moment_start_ms"], ws.to_string());
    } else {
        assert_eq!(r["moment"], "window_end");
        assert_eq!(r["moment_end_ms"], we.to_string());
    }
    let html = std::fs::read_to_string(pack.join("index.html")).expect("index.html");
    for r in &rows {
        assert!(html.contains(&format!("src=\"{}\"", r["clip_file"])));
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
}
