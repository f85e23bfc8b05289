//! `build_pack` end to end on a synthetic store and generated recordings: ranking, skipped
//! recordings, WAV length and format, the redaction tone where a number was spoken (and not
//! elsewhere), redacted transcripts and page, manifest rows, file names from hostile call ids,
//! and rebuilding a pack in place.

use callqa_clips::audio::{TONE_HZ, tone_share};
use callqa_clips::{ClipsConfig, MANIFEST_COLUMNS, Pick, build_pack};
use callqa_store::{CallRow, EvaluationRow, ShardRows, Store, UtteranceRow};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()
}

const NUMBER: &str = "13812345678";

/// 8 kHz stereo, 10 s: the agent (left) "speaks" 300+450 Hz from 1.0 to 3.0 s, the customer
/// (right) 220+330 Hz from 3.2 to 5.2 s (where the number is said) and from 5.4 to 7.0 s.
fn write_call(path: &Path) {
    let rate = 8000u32;
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let speak = |t: f64, f1: f64, f2: f64| {
        0.15 * (2.0 * std::f64::consts::PI * f1 * t).sin()
            + 0.1 * (2.0 * std::f64::consts::PI * f2 * t).sin()
    };
    for i in 0..rate * 10 {
        let t = f64::from(i) / f64::from(rate);
        let l = if (1.0..3.0).contains(&t) {
            speak(t, 300.0, 450.0)
        } else {
            0.0
        };
        let r = if (3.2..5.2).contains(&t) || (5.4..7.0).contains(&t) {
            speak(t, 220.0, 330.0)
        } else {
            0.0
        };
        w.write_sample((l * 32767.0) as i16).expect("l");
        w.write_sample((r * 32767.0) as i16).expect("r");
    }
    w.finalize().expect("finalize");
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    hex::encode(Sha256::digest(bytes))
}

fn utterances(call: &str, spans: &str) -> Vec<UtteranceRow> {
    let u =
        |idx: u32, speaker: &str, s: i64, e: i64, text: &str, red: &str, pii: &str| UtteranceRow {
            call_id: call.into(),
            call_date: day(),
            idx,
            speaker: speaker.into(),
            start_ms: s,
            end_ms: e,
            text: text.into(),
            text_redacted: red.into(),
            pii_spans: pii.into(),
            ..Default::default()
        };
    vec![
        u(
            0,
            "agent",
            1000,
            3000,
            "Hello, thanks for calling.",
            "Hello, thanks for calling.",
            "[]",
        ),
        // 20 characters, the number is characters 5..16: 3.7-4.8 s by character share.
        u(
            1,
            "customer",
            3200,
            5200,
            &format!("call {NUMBER} now"),
            "call [PHONE] now",
            spans,
        ),
        u(2, "customer", 5400, 7000, "that's all", "that's all", "[]"),
    ]
}

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

/// Calls: `spans` (pii_spans stored, confidence 0.9), `aligned` (an older store: no spans, raw
/// text differs, 0.95), `missing` (no recording, 0.99), `changed` (recording altered since
/// scoring, 0.97), `../evil` (0.8), `failed` (a fail).
fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().to_path_buf();
    let out = root.join("out");
    let audio = root.join("audio");
    std::fs::create_dir_all(&audio).expect("audio dir");
    let mut rows = ShardRows::default();
    let calls = [
        ("spans", 0.9, "pass"),
        ("aligned", 0.95, "pass"),
        ("missing", 0.99, "pass"),
        ("changed", 0.97, "pass"),
        ("../evil", 0.8, "pass"),
        ("failed", 1.0, "fail"),
    ];
    for (i, (id, conf, result)) in calls.iter().enumerate() {
        let file = audio.join(format!("call{i}.wav"));
        if *id != "missing" {
            write_call(&file);
        }
        let sha = if file.is_file() {
            sha256(&file)
        } else {
            String::new()
        };
        if *id == "changed" {
            let mut bytes = std::fs::read(&file).expect("read");
            let n = bytes.len();
            bytes[n - 1] ^= 0x55;
            std::fs::write(&file, bytes).expect("alter");
        }
        rows.calls.push(CallRow {
            call_id: id.to_string(),
            call_key: format!("key{i}"),
            // Relative to the audio root the test passes.
            source_uri: format!("audio/call{i}.wav"),
            source_sha256: sha,
            agent_id: Some("A1".into()),
            team: Some("north".into()),
            call_date: day(),
            duration_s: 10.0,
            channels: 2,
            sample_rate_hz: 8000,
            ..Default::default()
        });
        let spans = if *id == "spans" {
            r#"[{"type":"phone","start_char":5,"end_char":16,"start_ms":3700,"end_ms":4800}]"#
        } else {
            "[]"
        };
        let mut utts = utterances(id, spans);
        if *id != "aligned" && *id != "spans" {
            // The raw text was not stored: the redacted text in both columns.
            utts[1].text = utts[1].text_redacted.clone();
            utts[1].pii_spans = spans.into();
        }
        if *id == "aligned" {
            utts[1].text_redacted = "call [NUMBER] now".into();
        }
        rows.utterances.extend(utts);
        rows.evaluations.push(EvaluationRow {
            call_id: id.to_string(),
            call_date: day(),
            agent_id: Some("A1".into()),
            form: "inbound-en".into(),
            section: None,
            item_id: "greeting".into(),
            title: "Greeting".into(),
            result: result.to_string(),
            score: 0.0,
            weight: 10.0,
            auto_fail: false,
            detector: "script_step:greeting".into(),
            evidence_idx: Some(0),
            evidence_start_ms: Some(1000),
            evidence_end_ms: Some(3000),
            evidence_text: Some("Hello, thanks for calling.".into()),
            confidence: *conf,
            review_reasons: Vec::new(),
        });
    }
    let mut store = Store::open(&out).expect("store");
    let keys: Vec<String> = (0..calls.len()).map(|i| format!("key{i}")).collect();
    store.commit_shard("run1", 0, &rows, &keys).expect("commit");
    Fixture {
        _tmp: tmp,
        root,
        out,
    }
}

fn read_wav(path: &Path) -> (hound::WavSpec, Vec<f32>) {
    let r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let s = r
        .into_samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32767.0)
        .collect();
    (spec, s)
}

fn ms(samples: &[f32], a: i64, b: i64) -> &[f32] {
    &samples[(a * 16) as usize..(b * 16) as usize]
}

#[test]
fn best_pack_has_ranked_clips_with_the_tone_over_the_spoken_number() {
    let f = fixture();
    let pack_dir = f.root.join("pack");
    let mut cfg = ClipsConfig::new("greeting", Pick::Best(3));
    cfg.audio_root = Some(f.root.clone());
    let pack = build_pack(&f.out, &pack_dir, &cfg).expect("pack");

    // Ranking: missing (0.99) and changed (0.97) are skipped with their reason; then aligned
    // (0.95), spans (0.9), ../evil (0.8). The fail is not a "best".
    let ids: Vec<&str> = pack.clips.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(ids, ["aligned", "spans", "../evil"]);
    assert_eq!(pack.candidates, 5);
    let skipped: Vec<&str> = pack.skipped.iter().map(|s| s.call_id.as_str()).collect();
    assert_eq!(skipped, ["missing", "changed"]);
    assert!(
        pack.skipped[0].reason.contains("call2.wav"),
        "{:?}",
        pack.skipped
    );
    assert!(
        pack.skipped[1].reason.contains("sha256"),
        "{:?}",
        pack.skipped
    );

    for clip in &pack.clips {
        // Evidence 1.0-3.0 s with 3 s of context: 0-6 s (clipped at the start).
        assert_eq!((clip.clip_start_ms, clip.clip_end_ms), (0, 6000));
        let (spec, s) = read_wav(&pack_dir.join(&clip.clip_file));
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, 16_000, 16)
        );
        assert_eq!(s.len(), 96_000, "{}: 6 s at 16 kHz", clip.clip_file);
        // The tone covers the number (3.7-4.8 s, widened by 250 ms) and nothing else; where no
        // span is known (../evil: no raw text, no pii_spans) the whole utterance, widened.
        let (want, quiet): ((i64, i64), &[(i64, i64)]) = if clip.call_id == "../evil" {
            ((2950, 5450), &[(1000, 2900), (5500, 6000)])
        } else {
            (
                (3450, 5050),
                &[(1000, 3000), (3200, 3400), (5100, 5200), (5400, 6000)],
            )
        };
        assert_eq!(clip.redactions, vec![want], "{}", clip.call_id);
        let inside = tone_share(ms(&s, 3500, 5000), TONE_HZ);
        assert!(inside > 0.9, "{}: tone share {inside}", clip.call_id);
        for &(a, b) in quiet {
            let outside = tone_share(ms(&s, a, b), TONE_HZ);
            assert!(
                outside < 0.05,
                "{} {a}-{b}: tone share {outside}",
                clip.call_id
            );
        }
        // Both parties are in the mix: the agent's speech and the customer's after the number.
        let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        assert!(rms(ms(&s, 1200, 2800)) > 0.1);
        assert!(rms(ms(&s, 5550, 5950)) > 0.1);
        assert!(rms(ms(&s, 300, 900)) < 0.01);
        // The transcript shows [REDACTED], never the number.
        let txt = std::fs::read_to_string(pack_dir.join(&clip.transcript_file)).expect("txt");
        assert!(txt.contains("call [REDACTED] now"), "{txt}");
        assert!(!txt.contains(NUMBER) && !txt.contains("[PHONE]"), "{txt}");
    }

    // A hostile call id stays a file name inside the pack.
    assert_eq!(pack.clips[2].clip_file, "003_.._evil_greeting.wav");
    let mut names: Vec<String> = std::fs::read_dir(&f.root)
        .expect("root")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["audio", "out", "pack"]);

    // manifest.csv: the documented columns, one row per clip.
    let mut rd = csv::Reader::from_path(pack_dir.join("manifest.csv")).expect("manifest");
    let headers: Vec<String> = rd
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    let want: Vec<&str> = MANIFEST_COLUMNS.iter().map(|(n, _)| *n).collect();
    assert_eq!(headers, want);
    let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    assert_eq!(recs.len(), 3);
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    assert_eq!(&recs[0][col("rank")], "1");
    assert_eq!(&recs[0][col("call_id")], "aligned");
    assert_eq!(&recs[1][col("redactions")], "1");
    assert_eq!(&recs[1][col("redaction_spans_ms")], "3450-5050");
    assert_eq!(&recs[1][col("moment")], "utterance");
    assert_eq!(&recs[2][col("call_id")], "../evil");
    for r in &recs {
        assert!(pack_dir.join(&r[col("clip_file")]).is_file());
    }

    // index.html: self-contained, every clip with its player, no personal data.
    let html = std::fs::read_to_string(pack_dir.join("index.html")).expect("index");
    for c in &pack.clips {
        assert!(
            html.contains(&format!("src=\"{}\"", c.clip_file)),
            "{}",
            c.clip_file
        );
    }
    assert!(!html.contains(NUMBER));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"));
    assert!(html.contains("[REDACTED]") && html.contains("Skipped"));
}

#[test]
fn worst_pack_and_rebuilding_in_place() {
    let f = fixture();
    let pack_dir = f.root.join("pack");
    let mut cfg = ClipsConfig::new("greeting", Pick::Best(5));
    cfg.audio_root = Some(f.root.clone());
    cfg.context_ms = 500;
    let first = build_pack(&f.out, &pack_dir, &cfg).expect("pack");
    assert_eq!(first.clips.len(), 3);
    assert_eq!(
        (first.clips[0].clip_start_ms, first.clips[0].clip_end_ms),
        (500, 3500)
    );
    // The same folder again, now the worst: the previous pack's files are replaced.
    cfg.pick = Pick::Worst(5);
    let second = build_pack(&f.out, &pack_dir, &cfg).expect("pack");
    let ids: Vec<&str> = second.clips.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(ids, ["failed"]);
    let mut names: Vec<String> = std::fs::read_dir(&pack_dir)
        .expect("pack")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "001_failed_greeting.txt",
            "001_failed_greeting.wav",
            "index.html",
            "manifest.csv"
        ]
    );
    // A folder that is not a pack is refused, and so is an item the store does not have.
    let other = f.root.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    std::fs::write(other.join("notes.txt"), "keep me").expect("write");
    let err = build_pack(&f.out, &other, &cfg).expect_err("not a pack");
    assert!(err.to_string().contains("not a clip pack"), "{err}");
    assert!(other.join("notes.txt").is_file());
    let err = build_pack(&f.out, &pack_dir, &ClipsConfig::new("nope", Pick::Best(1)))
        .expect_err("unknown item");
    assert!(err.to_string().contains("greeting"), "{err}");
    let err = build_pack(&f.root, &pack_dir, &cfg).expect_err("not a store");
    assert!(
        err.to_string().contains("not a callqa output directory"),
        "{err}"
    );
}
