//! Synthetic stored rows for the unit tests.

use crate::StoreData;
use callqa_store::{CallRow, CallScoreRow, EvaluationRow, UtteranceRow};
use chrono::{NaiveDate, TimeZone, Utc};

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

pub(crate) fn score(
    id: &str,
    date: NaiveDate,
    agent: &str,
    team: Option<&str>,
    total: f64,
) -> CallScoreRow {
    CallScoreRow {
        call_id: id.into(),
        call_date: date,
        agent_id: Some(agent.into()),
        team: team.map(String::from),
        form: "inbound-en".into(),
        total_score: total,
        auto_fail: false,
        needs_review: false,
        review_reasons: vec![],
        items_passed: 0,
        items_failed: 0,
        items_na: 0,
        customer_sentiment_start: Some("negative".into()),
        customer_sentiment_end: Some("positive".into()),
        customer_sentiment_start_score: Some(-0.5),
        customer_sentiment_end_score: Some(0.5),
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

pub(crate) fn eval(
    id: &str,
    date: NaiveDate,
    agent: &str,
    item: &str,
    result: &str,
) -> EvaluationRow {
    EvaluationRow {
        call_id: id.into(),
        call_date: date,
        agent_id: Some(agent.into()),
        form: "inbound-en".into(),
        section: None,
        item_id: item.into(),
        title: format!("Title of {item}"),
        result: result.into(),
        score: 0.0,
        weight: 10.0,
        auto_fail: false,
        detector: format!("script_step:{item}"),
        evidence_idx: None,
        evidence_start_ms: None,
        evidence_end_ms: None,
        evidence_text: None,
        confidence: 0.9,
        review_reasons: vec![],
    }
}

pub(crate) fn call(id: &str, date: NaiveDate, hour: u32) -> CallRow {
    let started = Utc
        .with_ymd_and_hms(
            chrono::Datelike::year(&date),
            chrono::Datelike::month(&date),
            chrono::Datelike::day(&date),
            hour,
            30,
            0,
        )
        .single();
    CallRow {
        call_id: id.into(),
        call_date: date,
        started_at: started,
        started_at_source: Some("manifest".into()),
        language: "en".into(),
        form: "inbound-en".into(),
        ..Default::default()
    }
}

pub(crate) fn utt(id: &str, date: NaiveDate, idx: u32, text: &str, redacted: &str) -> UtteranceRow {
    UtteranceRow {
        call_id: id.into(),
        call_date: date,
        idx,
        speaker: "agent".into(),
        start_ms: 1000 * i64::from(idx),
        end_ms: 1000 * i64::from(idx) + 900,
        text: text.into(),
        text_redacted: redacted.into(),
        ..Default::default()
    }
}

/// November 2026 (current) and October 2026 (previous): team north with A1 (3 calls, mean 90),
/// A2 (3 calls, mean 90, lower p10), A3 (1 call, 100); team south with B1 (2 calls); one teamless
/// call. `summary` passes everywhere in October and fails twice in November; `greeting` fails
/// once in November with an utterance as evidence whose raw text holds a secret.
pub(crate) fn store() -> StoreData {
    let nov = |day| d(2026, 11, day);
    let oct = |day| d(2026, 10, day);
    let mut s = StoreData::default();
    let calls: Vec<(&str, NaiveDate, &str, Option<&str>, f64)> = vec![
        ("n1", nov(2), "A1", Some("north"), 90.0),
        ("n2", nov(3), "A1", Some("north"), 85.0),
        ("n3", nov(4), "A1", Some("north"), 95.0),
        ("n4", nov(2), "A2", Some("north"), 100.0),
        ("n5", nov(3), "A2", Some("north"), 70.0),
        ("n6", nov(4), "A2", Some("north"), 100.0),
        ("n7", nov(5), "A3", Some("north"), 100.0),
        ("s1", nov(10), "B1", Some("south"), 0.0),
        ("s2", nov(11), "B1", Some("south"), 55.0),
        ("x1", nov(12), "C1", None, 60.0),
        ("o1", oct(6), "A1", Some("north"), 80.0),
        ("o2", oct(7), "B1", Some("south"), 50.0),
    ];
    for (id, date, agent, team, total) in calls {
        s.call_scores.push(score(id, date, agent, team, total));
        s.calls.push(call(id, date, 9));
        let summary = if ["n2", "s2"].contains(&id) {
            "fail"
        } else {
            "pass"
        };
        s.evaluations
            .push(eval(id, date, agent, "summary", summary));
        let greeting = if id == "n5" { "fail" } else { "pass" };
        s.evaluations
            .push(eval(id, date, agent, "greeting", greeting));
        s.evaluations.push(eval(id, date, agent, "empathy", "na"));
    }
    // s1 auto-failed on courtesy, s2 needs review
    s.call_scores[7].auto_fail = true;
    s.call_scores[7].review_reasons = vec!["low_asr_confidence".into()];
    s.call_scores[7].needs_review = true;
    s.call_scores[8].needs_review = true;
    s.call_scores[8].review_reasons = vec!["low_asr_confidence".into(), "roles_uncertain".into()];
    s.call_scores[8].customer_sentiment_end = Some("negative".into());
    let mut af = eval("s1", nov(10), "B1", "courtesy", "fail");
    af.auto_fail = true;
    s.evaluations.push(af);
    // greeting failure in n5 quotes utterance 0; the raw text holds a card number
    let g = s
        .evaluations
        .iter_mut()
        .find(|e| e.call_id == "n5" && e.item_id == "greeting");
    if let Some(g) = g {
        g.evidence_idx = Some(0);
        g.evidence_start_ms = Some(1500);
        g.evidence_text = Some("SECRET 4111 1111 1111 1111 yeah what".into());
    }
    s.utterances.push(utt(
        "n5",
        nov(3),
        0,
        "SECRET 4111 1111 1111 1111 yeah what",
        "[CARD] yeah what <b>now</b>",
    ));
    // summary failure in n2: no utterance, a statement
    if let Some(e) = s
        .evaluations
        .iter_mut()
        .find(|e| e.call_id == "n2" && e.item_id == "summary")
    {
        e.evidence_text = Some("no summary step found".into());
        e.confidence = 0.7;
    }
    s
}
