//! Helpers of the CLI tests that work on stores written directly (no ASR): the paths, the
//! `callqa` binary, and the rows of a scored call.

#![allow(dead_code)] // each test file uses a different part

use callqa_store::{ActivityRow, CallRow, CallScoreRow, EvaluationRow, ShardRows, UtteranceRow};
use chrono::{NaiveDate, TimeZone, Utc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CALLQA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/callqa")
}

/// True when every file in `paths` exists; says which one is missing otherwise.
pub fn files_present(paths: &[PathBuf]) -> bool {
    for p in paths {
        if !p.is_file() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", p.display());
            return false;
        }
    }
    true
}

/// True when everything a scoring run needs is installed; says why not otherwise.
pub fn asr_ready() -> bool {
    files_present(&[
        home().join("models/whisper/base/ggml-model.bin"),
        home().join("models/vad/silero_vad.onnx"),
        root().join("fixtures/audio/zh_bank_inbound_model_01.wav"),
    ]) && classifiers_ready()
}

/// [`asr_ready`], and the bundled calls `call_ids` have their audio.
pub fn calls_ready(call_ids: &[&str]) -> bool {
    let audio: Vec<PathBuf> = call_ids
        .iter()
        .map(|id| root().join(format!("fixtures/audio/{id}.wav")))
        .collect();
    asr_ready() && files_present(&audio)
}

/// True when the classifier models (all a rescore needs) are installed; says why not otherwise.
pub fn classifiers_ready() -> bool {
    for task in ["script_step", "courtesy", "sentiment"] {
        let p = home().join(format!("models/classifiers/{task}/model.toml"));
        if !p.is_file() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", p.display());
            return false;
        }
    }
    true
}

pub fn pipeline(name: &str) -> String {
    root()
        .join(format!("pipelines/{name}.toml"))
        .to_string_lossy()
        .into_owned()
}

pub fn callqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run callqa: {e}"))
}

/// The JSON summary a `--json` run prints as its last stdout line.
pub fn json_summary(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): stdout {stdout:?} stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// What a stored scored call is.
#[derive(Clone)]
pub struct Stored<'a> {
    pub call_id: &'a str,
    pub date: NaiveDate,
    pub agent: &'a str,
    pub pipeline: &'a str,
    pub version: &'a str,
    pub direction: &'a str,
    pub language: &'a str,
    pub form: &'a str,
    pub total: f64,
}

impl Stored<'_> {
    /// The call's key in the ledger (any string unique per call and scoring).
    pub fn key(&self) -> String {
        format!("key-{}-{}-{}", self.call_id, self.pipeline, self.version)
    }

    /// Every row of the call as a scoring run would write them: a short two-party transcript in
    /// its language, one evaluation, its score.
    pub fn rows(&self) -> ShardRows {
        let (id, date) = (self.call_id.to_string(), self.date);
        let lines: [(&str, &str); 4] = if self.language == "zh" {
            [
                ("agent", "您好，这里是客服中心，请问有什么可以帮您？"),
                ("customer", "我的信用卡被扣了两次年费。"),
                ("agent", "非常抱歉给您带来不便，我马上为您退还多扣的费用。"),
                ("customer", "好的，谢谢。"),
            ]
        } else {
            [
                (
                    "agent",
                    "Hello, thank you for calling, how can I help you today?",
                ),
                ("customer", "I was charged twice for my annual fee."),
                (
                    "agent",
                    "I am sorry about that, I will refund the extra charge now.",
                ),
                ("customer", "Great, thank you."),
            ]
        };
        let utterances = lines
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| UtteranceRow {
                call_id: id.clone(),
                call_date: date,
                idx: i as u32,
                speaker: speaker.to_string(),
                start_ms: i as i64 * 4000,
                end_ms: i as i64 * 4000 + 3500,
                text: text.to_string(),
                text_redacted: text.to_string(),
                pii_spans: "[]".into(),
                sentiment: Some("neutral".into()),
                sentiment_score: Some(0.5),
                ..UtteranceRow::default()
            })
            .collect::<Vec<_>>();
        let activity = utterances
            .iter()
            .map(|u| ActivityRow {
                call_id: id.clone(),
                call_date: date,
                speaker: u.speaker.clone(),
                start_ms: u.start_ms,
                end_ms: u.end_ms,
            })
            .collect();
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 22, 0, 0)
            .single()
            .expect("a valid instant");
        ShardRows {
            calls: vec![CallRow {
                call_id: id.clone(),
                call_key: self.key(),
                source_uri: format!("/recordings/{id}.wav"),
                source_sha256: format!("sha-{id}"),
                agent_id: Some(self.agent.into()),
                team: Some("team-north".into()),
                direction: Some(self.direction.into()),
                call_date: date,
                started_at: date.and_hms_opt(9, 0, 0).map(|t| t.and_utc()),
                duration_s: 16.0,
                channels: 2,
                sample_rate_hz: 8000,
                codec: Some("pcm_s16le".into()),
                language: self.language.into(),
                role_confidence: Some(1.0),
                pipeline: self.pipeline.into(),
                pipeline_version: self.version.into(),
                form: self.form.into(),
                asr_model: "base".into(),
                asr_model_sha256: "sha-whisper-base".into(),
                processed_at: at,
                run_id: "seed".into(),
                ..CallRow::default()
            }],
            utterances,
            activity,
            evaluations: vec![EvaluationRow {
                call_id: id.clone(),
                call_date: date,
                agent_id: Some(self.agent.into()),
                form: self.form.into(),
                section: Some("opening".into()),
                item_id: "greeting".into(),
                title: "Greeting".into(),
                result: if self.total >= 50.0 { "pass" } else { "fail" }.into(),
                score: if self.total >= 50.0 { 1.0 } else { 0.0 },
                weight: 1.0,
                auto_fail: false,
                detector: "script_step".into(),
                evidence_idx: Some(0),
                evidence_start_ms: Some(0),
                evidence_end_ms: Some(3500),
                evidence_text: Some(lines[0].1.into()),
                confidence: 0.9,
                review_reasons: Vec::new(),
            }],
            call_scores: vec![CallScoreRow {
                call_id: id,
                call_date: date,
                agent_id: Some(self.agent.into()),
                team: Some("team-north".into()),
                form: self.form.into(),
                total_score: self.total,
                auto_fail: false,
                needs_review: false,
                review_reasons: Vec::new(),
                items_passed: 1,
                items_failed: 0,
                items_na: 0,
                customer_sentiment_start: None,
                customer_sentiment_end: None,
                customer_sentiment_start_score: None,
                customer_sentiment_end_score: None,
                duration_s: 16.0,
                agent_talk_s: 7.0,
                customer_talk_s: 7.0,
                agent_talk_ratio: 0.5,
                silence_ratio: 0.1,
                longest_silence_s: 0.5,
                longest_dead_air_s: 0.5,
                dead_air_count: 0,
                hold_count: 0,
                hold_s: 0.0,
                overtalk_count: 0,
                overtalk_s: 0.0,
                agent_interruptions: 0,
                customer_interruptions: 0,
                agent_speech_rate: 200.0,
                agent_first_words_s: Some(0.0),
            }],
            errors: Vec::new(),
        }
    }
}

/// The rows of several calls in one shard.
pub fn shard_of(calls: &[Stored]) -> (ShardRows, Vec<String>) {
    let mut rows = ShardRows::default();
    let mut keys = Vec::new();
    for c in calls {
        let r = c.rows();
        rows.calls.extend(r.calls);
        rows.utterances.extend(r.utterances);
        rows.activity.extend(r.activity);
        rows.evaluations.extend(r.evaluations);
        rows.call_scores.extend(r.call_scores);
        keys.push(c.key());
    }
    (rows, keys)
}

/// Every file under `dir`, recursively (none when it cannot be read).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
