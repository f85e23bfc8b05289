//! Write/read speed of the store on SYNTHETIC rows: `cargo run --release -p callqa-store
//! --example store_bench -- [calls] [utterances_per_call]` (defaults 2000 and 60). Prints rows/s.

use callqa_store::{ActivityRow, CallScoreRow, ShardRows, Store, UtteranceRow, read_rows};
use chrono::NaiveDate;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let per_call: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let base = NaiveDate::from_ymd_opt(2026, 11, 1).ok_or("date")?;
    let mut rows = ShardRows::default();
    for c in 0..calls {
        let call_id = format!("call-{c:06}");
        let call_date = base + chrono::Days::new((c % 7) as u64);
        for i in 0..per_call {
            let start = (i * 3000) as i64;
            let speaker = if i % 2 == 0 { "agent" } else { "customer" };
            rows.utterances.push(UtteranceRow {
                call_id: call_id.clone(),
                call_date,
                idx: i as u32,
                speaker: speaker.into(),
                start_ms: start,
                end_ms: start + 2500,
                text: format!("您好，这里是客服中心，请问有什么可以帮您 {i}"),
                text_redacted: format!("您好，这里是客服中心，请问有什么可以帮您 {i}"),
                pii_spans: "[]".to_string(),
                asr_avg_logprob: Some(-0.3),
                no_speech_prob: Some(0.02),
                sentiment: Some("neutral".into()),
                sentiment_score: Some(0.8),
                courtesy: Some("polite".into()),
                courtesy_score: Some(0.9),
                script_step: Some("greeting".into()),
                script_step_score: Some(0.7),
                script_steps: vec!["greeting".into()],
                backchannel: false,
            });
            rows.activity.push(ActivityRow {
                call_id: call_id.clone(),
                call_date,
                speaker: speaker.into(),
                start_ms: start,
                end_ms: start + 2400,
            });
        }
        rows.call_scores.push(CallScoreRow {
            call_id: call_id.clone(),
            call_date,
            agent_id: Some(format!("agent-{}", c % 40)),
            team: Some(format!("team-{}", c % 4)),
            form: "inbound-zh".into(),
            total_score: (c % 100) as f64,
            auto_fail: false,
            needs_review: c % 10 == 0,
            review_reasons: if c % 10 == 0 {
                vec!["courtesy_low_confidence".into()]
            } else {
                vec![]
            },
            items_passed: 9,
            items_failed: 1,
            items_na: 1,
            customer_sentiment_start: Some("neutral".into()),
            customer_sentiment_end: Some("positive".into()),
            customer_sentiment_start_score: Some(0.0),
            customer_sentiment_end_score: Some(0.5),
            duration_s: 180.0,
            agent_talk_s: 80.0,
            customer_talk_s: 70.0,
            agent_talk_ratio: 0.53,
            silence_ratio: 0.2,
            longest_silence_s: 4.0,
            longest_dead_air_s: 4.0,
            dead_air_count: 0,
            hold_count: 0,
            hold_s: 0.0,
            overtalk_count: 2,
            overtalk_s: 1.0,
            agent_interruptions: 1,
            customer_interruptions: 1,
            agent_speech_rate: 250.0,
            agent_first_words_s: Some(0.4),
        });
    }
    let total = rows.len();
    let dir = tempfile::tempdir()?;
    for rep in 0..3 {
        let out = dir.path().join(format!("rep{rep}"));
        let mut store = Store::open(&out)?;
        let t = Instant::now();
        store.commit_shard("bench", 0, &rows, &[])?;
        let w = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let u: Vec<UtteranceRow> = read_rows(&out)?;
        let r = t.elapsed().as_secs_f64();
        let bytes: u64 = walk_size(&out);
        println!(
            "rep {rep}: {total} rows written in {w:.3} s ({:.0} rows/s, {:.1} MB on disk); {} utterance rows read in {r:.3} s ({:.0} rows/s)",
            total as f64 / w,
            bytes as f64 / 1e6,
            u.len(),
            u.len() as f64 / r
        );
    }
    Ok(())
}

fn walk_size(p: &std::path::Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let q = e.path();
            n += if q.is_dir() {
                walk_size(&q)
            } else {
                q.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    n
}
