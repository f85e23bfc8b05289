//! The figures of one week or month: selection of the period, aggregation over the stored rows.

use crate::calibrate::{Calibration, HumanRow, calibrate};
use crate::{ReportError, StoreData};
use callqa_core::{EVALUATION_ITEMS, fmt_clock};
use callqa_store::{AgentSummaryRow, EvaluationRow, Period, UtteranceRow, quantile, summarize};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Week (ISO, from Monday) or calendar month.
    pub period: Period,
    /// Any day of the period to report; `None`: the period of the latest scored call.
    pub anchor: Option<NaiveDate>,
    /// Fewest calls an agent needs in the period to be a team's service star.
    pub star_min_calls: u32,
    /// How many weak items (lowest pass rate, at least one fail) get evidence examples.
    pub weak_items: usize,
    /// Evidence examples per weak item (each from a different call).
    pub examples_per_item: usize,
    /// How many of the items that fell most to list.
    pub fallen_items: usize,
    /// Human QA rows: adds a calibration section over the period's calls.
    pub human: Option<Vec<HumanRow>>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            period: Period::Month,
            anchor: None,
            star_min_calls: 5,
            weak_items: 3,
            examples_per_item: 2,
            fallen_items: 5,
            human: None,
        }
    }
}

/// Parses `YYYY-MM` into the first day of that month.
pub fn parse_month(s: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .map_err(|_| ReportError::Invalid(format!("month {s:?} is not YYYY-MM")))
}

/// Parses `YYYY-MM-DD` (any day of the week to report).
pub fn parse_day(s: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ReportError::Invalid(format!("date {s:?} is not YYYY-MM-DD")))
}

/// One team's block: its calls, its agents (from [`callqa_store::summarize`]) and its star.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamBlock {
    /// Team name; `None` for calls without one.
    pub team: Option<String>,
    /// Calls scored in the period.
    pub calls: usize,
    /// Mean total score.
    pub mean: f64,
    /// 10th percentile of the total score.
    pub p10: f64,
    /// 90th percentile of the total score.
    pub p90: f64,
    /// Mean minus the team's mean in the previous period; `None` without calls then.
    pub change: Option<f64>,
    /// The team's agents, best rank first.
    pub agents: Vec<AgentSummaryRow>,
    /// Service star: the agent with the best mean among those with at least
    /// [`ReportOptions::star_min_calls`] calls; ties go to more calls, then the higher p10, then
    /// the smaller agent id. `None` when no agent has enough calls.
    pub star: Option<String>,
}

/// Pass rate of one item in the period and the previous one.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRate {
    /// Canonical item id.
    pub item_id: String,
    /// Item title (of the first form that has it).
    pub title: String,
    /// Passed results in the period.
    pub passed: u32,
    /// Applicable (pass or fail) results in the period.
    pub applicable: u32,
    /// `passed / applicable`; `None` when not applicable to any call.
    pub rate: Option<f64>,
    /// The previous period's rate.
    pub prev_rate: Option<f64>,
    /// `rate - prev_rate` when both exist.
    pub change: Option<f64>,
}

/// Customer sentiment at the start and the end of the calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sentiment {
    /// `transitions[start][end]` over `negative`, `neutral`, `positive`, unknown (no customer
    /// speech).
    pub transitions: [[u32; 4]; 4],
    /// Mean opening sentiment score in [-1, 1].
    pub mean_start: Option<f64>,
    /// Mean closing sentiment score.
    pub mean_end: Option<f64>,
    /// Calls whose sentiment label rose (negative → neutral, ...).
    pub improved: u32,
    /// Calls whose label fell.
    pub worsened: u32,
}

/// Sentiment labels in [`Sentiment::transitions`] order (the last: unknown).
pub(crate) const SENTIMENT_ORDER: [&str; 4] = ["negative", "neutral", "positive", "unknown"];

/// A call that auto-failed or needs review.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedCall {
    /// Call identifier.
    pub call_id: String,
    /// Agent.
    pub agent_id: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// When the call happened (start time, else date).
    pub when: String,
    /// Total score.
    pub total_score: f64,
    /// Auto-failed.
    pub auto_fail: bool,
    /// The failed auto-fail items.
    pub auto_fail_items: Vec<String>,
    /// Review reasons (empty when none).
    pub review_reasons: Vec<String>,
}

/// A piece of evidence: what callqa based an item result on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Call identifier.
    pub call_id: String,
    /// Agent.
    pub agent_id: Option<String>,
    /// When the call happened (start time, else date).
    pub when: String,
    /// Where in the call (`mm:ss.t`), when known.
    pub at: Option<String>,
    /// The redacted utterance, or the metric statement; `None` when neither is stored.
    pub text: Option<String>,
    /// True when `text` is an utterance (false: a statement of what was searched or measured).
    pub quoted: bool,
    /// Detector that decided the item.
    pub detector: String,
    /// callqa's confidence, 0-1.
    pub confidence: f64,
}

/// A weak item and examples of its failures.
#[derive(Debug, Clone, PartialEq)]
pub struct WeakItem {
    /// The item's rates.
    pub item: ItemRate,
    /// Failed results, each from a different call: those with a quoted utterance first, then by
    /// confidence (highest first), then call id.
    pub examples: Vec<Evidence>,
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Week or month.
    pub period: Period,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// First day of the previous period.
    pub prev_start: Option<NaiveDate>,
    /// Calls scored in the period.
    pub calls: usize,
    /// Calls scored in the previous period.
    pub prev_calls: usize,
    /// Agents with calls in the period.
    pub agents: usize,
    /// Mean total score.
    pub mean_score: f64,
    /// The previous period's mean total score.
    pub prev_mean_score: Option<f64>,
    /// Calls per score band: `histogram[i]` counts scores in [10·i, 10·i + 10) (100 in the last).
    pub histogram: [u32; 10],
    /// Per team (teamless calls last), by team name.
    pub teams: Vec<TeamBlock>,
    /// Per canonical item, in form order.
    pub items: Vec<ItemRate>,
    /// Items whose pass rate fell against the previous period, most first.
    pub fallen: Vec<ItemRate>,
    /// Customer sentiment.
    pub sentiment: Sentiment,
    /// Auto-failed or review-flagged calls, auto-fails first, then by score, then call id.
    pub flagged: Vec<FlaggedCall>,
    /// Review reasons and how many calls carry each, most first.
    pub review_reasons: Vec<(String, u32)>,
    /// Calls auto-failed.
    pub auto_fails: usize,
    /// Calls flagged for review.
    pub needs_review: usize,
    /// Weakest items with examples.
    pub weak_items: Vec<WeakItem>,
    /// The star rule's minimum calls.
    pub star_min_calls: u32,
    /// Agreement with human QA over the period's calls, when human rows were given.
    pub calibration: Option<Calibration>,
}

/// Utterances by (call id, idx), for evidence lookup.
pub(crate) struct UttIndex<'a>(HashMap<(&'a str, u32), &'a UtteranceRow>);

impl<'a> UttIndex<'a> {
    pub(crate) fn new(rows: &'a [UtteranceRow]) -> UttIndex<'a> {
        UttIndex(
            rows.iter()
                .map(|u| ((u.call_id.as_str(), u.idx), u))
                .collect(),
        )
    }
}

/// The evidence text of an evaluation: the evidence utterance's `text_redacted` when an utterance
/// decided it (never the raw text), else the stored statement of what was searched or measured.
/// The flag is true for an utterance.
pub(crate) fn evidence_of(e: &EvaluationRow, utts: &UttIndex<'_>) -> (Option<String>, bool) {
    match e.evidence_idx {
        Some(i) => (
            utts.0
                .get(&(e.call_id.as_str(), i))
                .map(|u| u.text_redacted.clone()),
            true,
        ),
        None => (e.evidence_text.clone().filter(|t| !t.is_empty()), false),
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Builds the report of one period from the stored rows. Errors when no call was scored in the
/// period (or at all).
pub fn build_report(data: &StoreData, opts: &ReportOptions) -> Result<Report, ReportError> {
    let period = opts.period;
    let anchor = match opts.anchor {
        Some(d) => d,
        None => data
            .call_scores
            .iter()
            .map(|s| s.call_date)
            .max()
            .ok_or_else(|| ReportError::NoCalls("in the output directory".into()))?,
    };
    let (start, end) = period.bounds(anchor);
    let prev = period.previous_start(start).map(|p| period.bounds(p));
    let in_range = |d: NaiveDate, r: (NaiveDate, NaiveDate)| d >= r.0 && d <= r.1;
    let cur: Vec<_> = data
        .call_scores
        .iter()
        .filter(|s| in_range(s.call_date, (start, end)))
        .collect();
    if cur.is_empty() {
        let latest = data.call_scores.iter().map(|s| s.call_date).max();
        return Err(ReportError::NoCalls(format!(
            "in the {} {start} to {end}{}",
            period.as_str(),
            latest.map_or_else(
                || " (the output directory has none)".to_string(),
                |d| format!(" (latest scored call: {d})")
            )
        )));
    }
    let prev_scores: Vec<_> = data
        .call_scores
        .iter()
        .filter(|s| prev.is_some_and(|r| in_range(s.call_date, r)))
        .collect();
    let cur_ids: HashSet<String> = cur.iter().map(|s| s.call_id.clone()).collect();
    let started: HashMap<&str, String> = data
        .calls
        .iter()
        .filter_map(|c| {
            c.started_at.map(|t| {
                (
                    c.call_id.as_str(),
                    t.format("%Y-%m-%d %H:%M UTC").to_string(),
                )
            })
        })
        .collect();
    let when =
        |id: &str, date: NaiveDate| started.get(id).cloned().unwrap_or_else(|| date.to_string());

    let totals: Vec<f64> = cur.iter().map(|s| s.total_score).collect();
    let prev_totals: Vec<f64> = prev_scores.iter().map(|s| s.total_score).collect();
    let mut histogram = [0u32; 10];
    for t in &totals {
        let bin = ((t / 10.0).floor().max(0.0) as usize).min(9);
        histogram[bin] += 1;
    }

    // Teams and agents: the store's summary over every row (so that changes see the previous
    // period), kept for this period.
    let summary = summarize(&data.call_scores, &data.evaluations, period);
    let mut team_scores: BTreeMap<Option<String>, Vec<f64>> = BTreeMap::new();
    for s in &cur {
        team_scores
            .entry(s.team.clone())
            .or_default()
            .push(s.total_score);
    }
    let mut prev_team: BTreeMap<Option<String>, Vec<f64>> = BTreeMap::new();
    for s in &prev_scores {
        prev_team
            .entry(s.team.clone())
            .or_default()
            .push(s.total_score);
    }
    let mut teams: Vec<TeamBlock> = Vec::new();
    for (team, mut v) in team_scores {
        v.sort_by(f64::total_cmp);
        let m = mean(&v).unwrap_or(0.0);
        let agents: Vec<AgentSummaryRow> = summary
            .iter()
            .filter(|r| r.period_start == start && r.team == team)
            .cloned()
            .collect();
        let star = agents
            .iter()
            .filter(|r| r.calls >= opts.star_min_calls)
            .max_by(|a, b| {
                a.mean_score
                    .total_cmp(&b.mean_score)
                    .then(a.calls.cmp(&b.calls))
                    .then(a.p10_score.total_cmp(&b.p10_score))
                    .then(b.agent_id.cmp(&a.agent_id))
            })
            .map(|r| r.agent_id.clone());
        teams.push(TeamBlock {
            change: prev_team.get(&team).and_then(|p| mean(p)).map(|p| m - p),
            calls: v.len(),
            mean: m,
            p10: quantile(&v, 0.1).unwrap_or(m),
            p90: quantile(&v, 0.9).unwrap_or(m),
            agents,
            star,
            team,
        });
    }
    // teamless calls last
    teams.sort_by(|a, b| (a.team.is_none(), &a.team).cmp(&(b.team.is_none(), &b.team)));

    // Items
    let mut titles: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for e in &data.evaluations {
        titles
            .entry((e.item_id.as_str(), e.form.as_str()))
            .or_insert(e.title.as_str());
    }
    let rate_in = |r: (NaiveDate, NaiveDate), item: &str| {
        let (mut p, mut a) = (0u32, 0u32);
        for e in &data.evaluations {
            if e.item_id == item && in_range(e.call_date, r) {
                match e.result.as_str() {
                    "pass" => {
                        p += 1;
                        a += 1;
                    }
                    "fail" => a += 1,
                    _ => {}
                }
            }
        }
        (p, a)
    };
    let items: Vec<ItemRate> = EVALUATION_ITEMS
        .iter()
        .map(|item| {
            let (passed, applicable) = rate_in((start, end), item);
            let rate = (applicable > 0).then(|| f64::from(passed) / f64::from(applicable));
            let prev_rate = prev.and_then(|r| {
                let (p, a) = rate_in(r, item);
                (a > 0).then(|| f64::from(p) / f64::from(a))
            });
            let title = titles
                .range((*item, "")..)
                .next()
                .filter(|((i, _), _)| i == item)
                .map_or(*item, |(_, t)| *t)
                .to_string();
            ItemRate {
                item_id: item.to_string(),
                title,
                passed,
                applicable,
                change: rate.zip(prev_rate).map(|(r, p)| r - p),
                rate,
                prev_rate,
            }
        })
        .collect();
    let mut fallen: Vec<ItemRate> = items
        .iter()
        .filter(|i| i.change.is_some_and(|c| c < 0.0))
        .cloned()
        .collect();
    fallen.sort_by(|a, b| {
        a.change
            .unwrap_or(0.0)
            .total_cmp(&b.change.unwrap_or(0.0))
            .then(a.item_id.cmp(&b.item_id))
    });
    fallen.truncate(opts.fallen_items);

    // Sentiment
    let mut sentiment = Sentiment::default();
    let pos = |l: &Option<String>| {
        l.as_deref()
            .and_then(|l| SENTIMENT_ORDER[..3].iter().position(|x| *x == l))
    };
    let (mut ss, mut se) = (Vec::new(), Vec::new());
    for s in &cur {
        let (a, b) = (
            pos(&s.customer_sentiment_start),
            pos(&s.customer_sentiment_end),
        );
        sentiment.transitions[a.unwrap_or(3)][b.unwrap_or(3)] += 1;
        if let (Some(a), Some(b)) = (a, b) {
            sentiment.improved += u32::from(b > a);
            sentiment.worsened += u32::from(b < a);
        }
        ss.extend(s.customer_sentiment_start_score);
        se.extend(s.customer_sentiment_end_score);
    }
    sentiment.mean_start = mean(&ss);
    sentiment.mean_end = mean(&se);

    // Auto-fails and reviews
    let mut af_items: HashMap<&str, Vec<String>> = HashMap::new();
    for e in &data.evaluations {
        if e.auto_fail && cur_ids.contains(&e.call_id) {
            af_items
                .entry(e.call_id.as_str())
                .or_default()
                .push(e.item_id.clone());
        }
    }
    let mut flagged: Vec<FlaggedCall> = cur
        .iter()
        .filter(|s| s.auto_fail || s.needs_review)
        .map(|s| FlaggedCall {
            call_id: s.call_id.clone(),
            agent_id: s.agent_id.clone(),
            team: s.team.clone(),
            when: when(&s.call_id, s.call_date),
            total_score: s.total_score,
            auto_fail: s.auto_fail,
            auto_fail_items: af_items
                .get(s.call_id.as_str())
                .cloned()
                .unwrap_or_default(),
            review_reasons: s.review_reasons.clone(),
        })
        .collect();
    flagged.sort_by(|a, b| {
        (!a.auto_fail)
            .cmp(&!b.auto_fail)
            .then(a.total_score.total_cmp(&b.total_score))
            .then(a.call_id.cmp(&b.call_id))
    });
    let mut reasons: BTreeMap<String, u32> = BTreeMap::new();
    for s in &cur {
        for r in &s.review_reasons {
            *reasons.entry(r.clone()).or_default() += 1;
        }
    }
    let mut review_reasons: Vec<(String, u32)> = reasons.into_iter().collect();
    review_reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    // Weak items with examples
    let utts = UttIndex::new(&data.utterances);
    let agent_of: HashMap<&str, Option<String>> = cur
        .iter()
        .map(|s| (s.call_id.as_str(), s.agent_id.clone()))
        .collect();
    let mut weak: Vec<&ItemRate> = items.iter().filter(|i| i.applicable > i.passed).collect();
    weak.sort_by(|a, b| {
        a.rate
            .unwrap_or(1.0)
            .total_cmp(&b.rate.unwrap_or(1.0))
            .then(b.applicable.cmp(&a.applicable))
    });
    weak.truncate(opts.weak_items);
    let weak_items = weak
        .into_iter()
        .map(|item| {
            let mut fails: Vec<(Evidence, bool)> = data
                .evaluations
                .iter()
                .filter(|e| {
                    e.item_id == item.item_id && e.result == "fail" && cur_ids.contains(&e.call_id)
                })
                .map(|e| {
                    let (text, quoted) = evidence_of(e, &utts);
                    let has_quote = quoted && text.is_some();
                    (
                        Evidence {
                            call_id: e.call_id.clone(),
                            agent_id: agent_of.get(e.call_id.as_str()).cloned().flatten(),
                            when: when(&e.call_id, e.call_date),
                            at: e
                                .evidence_start_ms
                                .map(|ms| fmt_clock(u64::try_from(ms).unwrap_or(0))),
                            text,
                            quoted,
                            detector: e.detector.clone(),
                            confidence: e.confidence,
                        },
                        has_quote,
                    )
                })
                .collect();
            fails.sort_by(|(a, qa), (b, qb)| {
                qb.cmp(qa)
                    .then(b.confidence.total_cmp(&a.confidence))
                    .then(a.call_id.cmp(&b.call_id))
            });
            let mut seen = HashSet::new();
            let examples = fails
                .into_iter()
                .map(|(e, _)| e)
                .filter(|e| seen.insert(e.call_id.clone()))
                .take(opts.examples_per_item)
                .collect();
            WeakItem {
                item: item.clone(),
                examples,
            }
        })
        .collect();

    let calibration = opts
        .human
        .as_ref()
        .map(|rows| calibrate(rows, data, Some(&cur_ids)));
    let agents: HashSet<&str> = cur.iter().filter_map(|s| s.agent_id.as_deref()).collect();
    Ok(Report {
        period,
        start,
        end,
        prev_start: prev.map(|p| p.0),
        calls: cur.len(),
        prev_calls: prev_scores.len(),
        agents: agents.len(),
        mean_score: mean(&totals).unwrap_or(0.0),
        prev_mean_score: mean(&prev_totals),
        histogram,
        teams,
        items,
        fallen,
        sentiment,
        auto_fails: cur.iter().filter(|s| s.auto_fail).count(),
        needs_review: cur.iter().filter(|s| s.needs_review).count(),
        flagged,
        review_reasons,
        weak_items,
        star_min_calls: opts.star_min_calls,
        calibration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{d, store};

    fn opts(period: Period, anchor: Option<NaiveDate>, star_min_calls: u32) -> ReportOptions {
        ReportOptions {
            period,
            anchor,
            star_min_calls,
            ..Default::default()
        }
    }

    fn build(o: &ReportOptions) -> Report {
        build_report(&store(), o).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn month_defaults_to_the_latest_and_compares_with_the_previous() {
        let r = build(&opts(Period::Month, None, 3));
        assert_eq!((r.start, r.end), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(r.prev_start, Some(d(2026, 10, 1)));
        assert_eq!((r.calls, r.prev_calls, r.agents), (10, 2, 5));
        assert!((r.mean_score - 75.5).abs() < 1e-9);
        assert_eq!(r.prev_mean_score, Some(65.0));
        // 0 | 55 | 60 | 70 | 85 | 90 95 100 100 100
        assert_eq!(r.histogram, [1, 0, 0, 0, 0, 1, 1, 1, 1, 5]);
        let teams: Vec<Option<&str>> = r.teams.iter().map(|t| t.team.as_deref()).collect();
        assert_eq!(teams, [Some("north"), Some("south"), None]);
        let north = &r.teams[0];
        assert_eq!(north.calls, 7);
        assert!((north.change.unwrap_or(f64::NAN) - (640.0 / 7.0 - 80.0)).abs() < 1e-9);
        // per-agent rows come from the store's summary: A1 changed by 90 - 80
        let a1 = north.agents.iter().find(|a| a.agent_id == "A1");
        assert_eq!(a1.and_then(|a| a.mean_score_change), Some(10.0));
    }

    #[test]
    fn service_star_needs_enough_calls_and_breaks_ties_by_calls_then_p10() {
        // A1 and A2 both mean 90 on 3 calls; A1's p10 (86) beats A2's (76). A3 (100) has 1 call.
        let r = build(&opts(Period::Month, None, 3));
        assert_eq!(r.teams[0].star.as_deref(), Some("A1"));
        assert_eq!(r.teams[1].star, None, "B1 has 2 calls");
        let r = build(&opts(Period::Month, None, 1));
        assert_eq!(r.teams[0].star.as_deref(), Some("A3"));
        assert_eq!(r.teams[1].star.as_deref(), Some("B1"));
        assert_eq!(r.star_min_calls, 1);
    }

    #[test]
    fn items_fallen_sentiment_and_flags() {
        let r = build(&opts(Period::Month, None, 3));
        let summary = r.items.iter().find(|i| i.item_id == "summary");
        let summary = summary.unwrap_or_else(|| panic!("no summary"));
        assert_eq!((summary.passed, summary.applicable), (8, 10));
        assert_eq!(summary.prev_rate, Some(1.0));
        assert_eq!(summary.title, "Title of summary");
        let empathy = r.items.iter().find(|i| i.item_id == "empathy");
        assert_eq!(empathy.and_then(|i| i.rate), None, "na everywhere");
        let fallen: Vec<&str> = r.fallen.iter().map(|i| i.item_id.as_str()).collect();
        assert_eq!(fallen, ["summary", "greeting"]);
        assert_eq!(r.sentiment.transitions[0][2], 9);
        assert_eq!(r.sentiment.transitions[0][0], 1);
        assert_eq!((r.sentiment.improved, r.sentiment.worsened), (9, 0));
        assert_eq!(r.sentiment.mean_start, Some(-0.5));
        assert_eq!((r.auto_fails, r.needs_review), (1, 2));
        let flagged: Vec<&str> = r.flagged.iter().map(|f| f.call_id.as_str()).collect();
        assert_eq!(flagged, ["s1", "s2"]);
        assert_eq!(r.flagged[0].auto_fail_items, ["courtesy"]);
        assert_eq!(r.flagged[0].when, "2026-11-10 09:30 UTC");
        assert_eq!(
            r.review_reasons,
            [
                ("low_asr_confidence".to_string(), 2),
                ("roles_uncertain".to_string(), 1)
            ]
        );
    }

    #[test]
    fn weak_items_quote_redacted_text_only() {
        let r = build(&opts(Period::Month, None, 3));
        let weak: Vec<&str> = r
            .weak_items
            .iter()
            .map(|w| w.item.item_id.as_str())
            .collect();
        assert_eq!(weak, ["courtesy", "summary", "greeting"]);
        let greeting = &r.weak_items[2].examples;
        assert_eq!(greeting.len(), 1);
        assert_eq!(greeting[0].call_id, "n5");
        assert_eq!(
            greeting[0].text.as_deref(),
            Some("[CARD] yeah what <b>now</b>")
        );
        assert!(greeting[0].quoted);
        assert_eq!(greeting[0].at.as_deref(), Some("00:01.5"));
        // two examples from two calls; higher confidence first
        let summary: Vec<&str> = r.weak_items[1]
            .examples
            .iter()
            .map(|e| e.call_id.as_str())
            .collect();
        assert_eq!(summary, ["s2", "n2"]);
        assert_eq!(
            r.weak_items[1].examples[1].text.as_deref(),
            Some("no summary step found")
        );
        let o = ReportOptions {
            examples_per_item: 1,
            weak_items: 1,
            ..opts(Period::Month, None, 3)
        };
        let r = build(&o);
        assert_eq!(r.weak_items.len(), 1);
        assert_eq!(r.weak_items[0].examples.len(), 1);
    }

    #[test]
    fn weeks_work_and_a_period_without_calls_is_an_error() {
        let r = build(&opts(Period::Week, Some(d(2026, 11, 3)), 3));
        assert_eq!((r.start, r.end), (d(2026, 11, 2), d(2026, 11, 8)));
        assert_eq!((r.calls, r.prev_calls), (7, 0));
        assert!(r.fallen.is_empty());
        let err = build_report(&store(), &opts(Period::Month, Some(d(2026, 9, 15)), 3))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("2026-09-01 to 2026-09-30"), "{err}");
        assert!(err.contains("latest scored call: 2026-11-12"), "{err}");
        let empty = build_report(&StoreData::default(), &ReportOptions::default());
        assert!(matches!(empty, Err(ReportError::NoCalls(_))));
    }

    #[test]
    fn months_parse() {
        assert_eq!(parse_month("2026-11").ok(), Some(d(2026, 11, 1)));
        for bad in ["2026-13", "2026", "nov", "2026-11-02"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
