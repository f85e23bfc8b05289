//! Synthetic store rows (no audio) for the server's tests and its 100,000-call bench: calls spread
//! over 13 weeks, 200 agents in 20 teams, every canonical item evaluated, a short transcript and
//! speech activity per call. Deterministic for a seed; the values are made up, not realistic.

use callqa_core::EVALUATION_ITEMS;
use callqa_store::{ActivityRow, CallRow, CallScoreRow, EvaluationRow, ShardRows, UtteranceRow};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The first call date of synthetic stores.
pub fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 7).unwrap_or_default()
}

/// The id of synthetic call `i`.
pub fn call_id(i: usize) -> String {
    format!("syn-{i:06}")
}

const SENTIMENTS: [&str; 3] = ["positive", "neutral", "negative"];

/// Rows of calls `first .. first + n`, each with `utterances` utterances (at least 2).
pub fn shard(first: usize, n: usize, utterances: usize, seed: u64) -> ShardRows {
    let mut rows = ShardRows::default();
    let utterances = utterances.max(2);
    for i in first..first + n {
        let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let id = call_id(i);
        let date = first_date() + Duration::days(rng.below(91) as i64);
        let agent_n = rng.below(200);
        let agent = format!("agent-{agent_n:03}");
        let team = format!("team-{:02}", agent_n % 20);
        let started: DateTime<Utc> = date
            .and_hms_opt(8 + rng.below(10) as u32, rng.below(60) as u32, 0)
            .unwrap_or_default()
            .and_utc();
        let duration_s = 120.0 + rng.unit() * 480.0;
        let dur_ms = (duration_s * 1000.0) as i64;
        let skill = 0.6 + 0.35 * ((agent_n % 7) as f64 / 6.0);
        rows.calls.push(CallRow {
            call_id: id.clone(),
            call_key: format!("key-{id}"),
            source_uri: format!("/nonexistent/synthetic/{id}.wav"),
            source_sha256: format!("{:064x}", rng.next_u64()),
            agent_id: Some(agent.clone()),
            team: Some(team.clone()),
            direction: Some(
                if rng.unit() < 0.8 {
                    "inbound"
                } else {
                    "outbound"
                }
                .into(),
            ),
            call_date: date,
            started_at: Some(started),
            started_at_source: Some("manifest".into()),
            duration_s,
            channels: 2,
            sample_rate_hz: 8000,
            codec: Some("pcm_mulaw".into()),
            language: "en".into(),
            roles_inferred: false,
            role_confidence: Some(1.0),
            dropped_segments: 0,
            truncated: false,
            pipeline: "synthetic".into(),
            pipeline_version: "1".into(),
            form: "standard".into(),
            asr_model: "synthetic".into(),
            asr_model_sha256: "0".repeat(64),
            classifier_versions: None,
            extra: None,
            redacted_audio_uri: None,
            processed_at: started + Duration::days(1),
            run_id: "synth".into(),
        });
        // Utterances alternate agent / customer, evenly over the call.
        let step = dur_ms / utterances as i64;
        let mut customer_labels = Vec::new();
        for k in 0..utterances {
            let speaker = if k % 2 == 0 { "agent" } else { "customer" };
            let start = k as i64 * step + 200;
            let end = start + step * 3 / 4;
            let sentiment = SENTIMENTS[rng.below(3) as usize];
            if speaker == "customer" {
                customer_labels.push(sentiment);
            }
            rows.utterances.push(UtteranceRow {
                call_id: id.clone(),
                call_date: date,
                idx: k as u32,
                speaker: speaker.into(),
                start_ms: start,
                end_ms: end,
                text: format!("raw text {k} of {id} with account 4111 1111 1111 1111"),
                text_redacted: format!("text {k} of {id} with account [CARD]"),
                pii_spans: "[]".into(),
                asr_avg_logprob: Some(-0.2 - rng.unit() * 0.3),
                no_speech_prob: Some(0.01),
                sentiment: Some(sentiment.into()),
                sentiment_score: Some(0.5 + rng.unit() * 0.5),
                courtesy: (speaker == "agent").then(|| "polite".into()),
                courtesy_score: (speaker == "agent").then_some(0.9),
                script_step: (k == 0).then(|| "greeting".into()),
                script_step_score: (k == 0).then_some(0.95),
                script_steps: if k == 0 {
                    vec!["greeting".into()]
                } else {
                    vec![]
                },
                backchannel: false,
            });
            rows.activity.push(ActivityRow {
                call_id: id.clone(),
                call_date: date,
                speaker: speaker.into(),
                start_ms: start,
                end_ms: end,
            });
        }
        let (mut passed, mut failed, mut total_w, mut earned) = (0u32, 0u32, 0.0, 0.0);
        let mut auto_fail = false;
        for (k, item) in EVALUATION_ITEMS.iter().enumerate() {
            let pass = rng.unit() < skill;
            let af = *item == "courtesy" && !pass;
            auto_fail |= af;
            let weight = 10.0;
            total_w += weight;
            if pass {
                passed += 1;
                earned += weight;
            } else {
                failed += 1;
            }
            let ev = (k % utterances) as i64;
            rows.evaluations.push(EvaluationRow {
                call_id: id.clone(),
                call_date: date,
                agent_id: Some(agent.clone()),
                form: "standard".into(),
                section: Some(if k < 8 { "Script" } else { "Conduct" }.into()),
                item_id: item.to_string(),
                title: item.replace('_', " "),
                result: if pass { "pass" } else { "fail" }.into(),
                score: if pass { weight } else { 0.0 },
                weight,
                auto_fail: af,
                detector: format!("script_step:{item}"),
                evidence_idx: Some(ev as u32),
                evidence_start_ms: Some(ev * step + 200),
                evidence_end_ms: Some(ev * step + 200 + step * 3 / 4),
                evidence_text: Some(format!("text {ev} of {id} with account [CARD]")),
                confidence: 0.5 + rng.unit() * 0.5,
                review_reasons: vec![],
            });
        }
        let needs_review = rng.unit() < 0.1;
        let total = if auto_fail {
            0.0
        } else {
            100.0 * earned / total_w
        };
        rows.call_scores.push(CallScoreRow {
            call_id: id.clone(),
            call_date: date,
            agent_id: Some(agent),
            team: Some(team),
            form: "standard".into(),
            total_score: total,
            auto_fail,
            needs_review,
            review_reasons: if needs_review {
                vec!["asr_low_confidence".into()]
            } else {
                vec![]
            },
            items_passed: passed,
            items_failed: failed,
            items_na: 0,
            customer_sentiment_start: customer_labels.first().map(|s| s.to_string()),
            customer_sentiment_end: customer_labels.last().map(|s| s.to_string()),
            customer_sentiment_start_score: Some(0.0),
            customer_sentiment_end_score: Some(0.0),
            duration_s,
            agent_talk_s: duration_s * 0.4,
            customer_talk_s: duration_s * 0.35,
            agent_talk_ratio: 0.53,
            silence_ratio: 0.25,
            longest_silence_s: 3.0,
            longest_dead_air_s: 3.0,
            dead_air_count: 0,
            hold_count: 0,
            hold_s: 0.0,
            overtalk_count: 0,
            overtalk_s: 0.0,
            agent_interruptions: 0,
            customer_interruptions: 0,
            agent_speech_rate: 2.5,
            agent_first_words_s: Some(0.2),
        });
    }
    rows
}
