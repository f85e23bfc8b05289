//! Choosing the calls (ranking) and the moment of each call a clip shows.

use callqa_store::{CallRow, EvaluationRow, UtteranceRow};
use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::HashSet;

/// Best or worst examples, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Passes, the most confident first.
    Best(usize),
    /// Fails, the clearest first.
    Worst(usize),
}

impl Pick {
    /// How many clips are asked for.
    pub fn count(self) -> usize {
        match self {
            Pick::Best(n) | Pick::Worst(n) => n,
        }
    }
    /// The `evaluations.result` value this pick takes.
    pub fn result(self) -> &'static str {
        match self {
            Pick::Best(_) => "pass",
            Pick::Worst(_) => "fail",
        }
    }
}

/// Which calls may be chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this agent's calls (`agent_id`).
    pub agent: Option<String>,
    /// Only this team's calls (`calls.team`).
    pub team: Option<String>,
    /// Only calls on or after this date (`call_date`).
    pub since: Option<NaiveDate>,
}

/// One chosen evaluation with its call.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The evaluation row.
    pub eval: EvaluationRow,
    /// The call's row.
    pub call: CallRow,
}

/// Every evaluation of `item` that `pick` and `filter` allow, best first, at most one per call:
///
/// - **best**: passes not waiting for a review before those that are (`review_reasons` empty
///   first), then the highest `confidence`, then evidence that is an utterance before a window
///   or measure;
/// - **worst**: auto-fail items first (`auto_fail`: the fail zeroed the call), then fails not
///   waiting for a review, then the highest `confidence`, then utterance evidence first.
///
/// Ties go to the most recent call, then the call id (a stable order). Evaluations whose call has
/// no `calls` row are left out (no recording to cut).
pub fn rank(
    evals: &[EvaluationRow],
    calls: &[CallRow],
    item: &str,
    pick: Pick,
    filter: &Filter,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = evals
        .iter()
        .filter(|e| e.item_id == item && e.result == pick.result())
        .filter(|e| filter.since.is_none_or(|d| e.call_date >= d))
        .filter_map(|e| {
            let call = calls
                .iter()
                .find(|c| c.call_id == e.call_id && c.call_date == e.call_date)
                .or_else(|| calls.iter().find(|c| c.call_id == e.call_id))?;
            let agent = e.agent_id.as_ref().or(call.agent_id.as_ref());
            if filter.agent.as_ref().is_some_and(|a| agent != Some(a)) {
                return None;
            }
            if filter
                .team
                .as_ref()
                .is_some_and(|t| call.team.as_ref() != Some(t))
            {
                return None;
            }
            Some(Candidate {
                eval: e.clone(),
                call: call.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| compare(&a.eval, &b.eval, pick));
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert(c.eval.call_id.clone()));
    out
}

fn compare(a: &EvaluationRow, b: &EvaluationRow, pick: Pick) -> Ordering {
    let worst_first = match pick {
        Pick::Worst(_) => b.auto_fail.cmp(&a.auto_fail),
        Pick::Best(_) => Ordering::Equal,
    };
    worst_first
        .then(
            a.review_reasons
                .is_empty()
                .cmp(&b.review_reasons.is_empty())
                .reverse(),
        )
        .then(b.confidence.total_cmp(&a.confidence))
        .then(b.evidence_idx.is_some().cmp(&a.evidence_idx.is_some()))
        .then(b.call_date.cmp(&a.call_date))
        .then(a.call_id.cmp(&b.call_id))
}

/// How the moment a clip shows was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentKind {
    /// The evidence utterance.
    Utterance,
    /// A measured span (a dead-air gap, an unannounced wait, an interruption).
    Measured,
    /// Nothing to point at (the step was not said, or a pass over the whole window): the start
    /// of the window searched, where an opening step belongs.
    WindowStart,
    /// As `WindowStart`, at the end of the window, where a closing step belongs.
    WindowEnd,
    /// Empathy not shown: the customer's most negative utterance in the window, where it was due.
    CustomerUpset,
}

impl MomentKind {
    /// The name written to the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            MomentKind::Utterance => "utterance",
            MomentKind::Measured => "measured",
            MomentKind::WindowStart => "window_start",
            MomentKind::WindowEnd => "window_end",
            MomentKind::CustomerUpset => "customer_upset",
        }
    }

    /// What the moment is, for a trainer.
    pub fn describe(self) -> &'static str {
        match self {
            MomentKind::Utterance => "the utterance that decided the item",
            MomentKind::Measured => "the measured moment",
            MomentKind::WindowStart => {
                "nothing to point at: the start of the part of the call searched"
            }
            MomentKind::WindowEnd => {
                "nothing to point at: the end of the part of the call searched"
            }
            MomentKind::CustomerUpset => {
                "empathy not found: the customer's most negative utterance, where it was due"
            }
        }
    }
}

/// The part of the call a clip is about, before context is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// How it was found.
    pub kind: MomentKind,
    /// Start, ms of the recording.
    pub start_ms: i64,
    /// End, ms of the recording.
    pub end_ms: i64,
}

/// Items that belong at the opening of a call: when there is nothing to point at, their clip
/// shows the start of the window searched. Every other item shows its end (the closing steps:
/// summary, anything else, farewell), except `empathy` (see [`moment`]).
pub const OPENING_ITEMS: [&str; 3] = ["greeting", "self_intro", "identity_check"];

/// Detectors whose evidence span without an utterance is a measured moment rather than the
/// window searched (`metric:...`, `hold_etiquette`).
fn measured(detector: &str) -> bool {
    detector.starts_with("metric:") || detector == "hold_etiquette"
}

/// The moment of `eval` a clip shows (see the README, "Trainer clip packs"):
///
/// 1. evidence that is an utterance: that utterance;
/// 2. a measured span (metric and hold detectors): that span, its first `max_moment_ms`;
/// 3. otherwise the evidence span is the window the detector searched (a step not said, a pass
///    over the whole window): `absence_ms` of it, for `empathy` around the customer's most
///    negative utterance in the window, for [`OPENING_ITEMS`] at its start, for the others at its
///    end;
/// 4. no evidence times at all: the first `absence_ms` of the call.
pub fn moment(
    eval: &EvaluationRow,
    utterances: &[UtteranceRow],
    max_moment_ms: i64,
    absence_ms: i64,
) -> Moment {
    let (Some(s), Some(e)) = (eval.evidence_start_ms, eval.evidence_end_ms) else {
        return Moment {
            kind: MomentKind::WindowStart,
            start_ms: 0,
            end_ms: absence_ms,
        };
    };
    let e = e.max(s);
    if eval.evidence_idx.is_some() {
        return Moment {
            kind: MomentKind::Utterance,
            start_ms: s,
            end_ms: e.min(s + max_moment_ms),
        };
    }
    if measured(&eval.detector) {
        return Moment {
            kind: MomentKind::Measured,
            start_ms: s,
            end_ms: e.min(s + max_moment_ms),
        };
    }
    if eval.item_id == "empathy" {
        let upset = utterances
            .iter()
            .filter(|u| u.call_id == eval.call_id && u.speaker == "customer")
            .filter(|u| u.start_ms >= s && u.end_ms <= e)
            .filter(|u| u.sentiment.as_deref() == Some("negative"))
            .max_by(|a, b| {
                a.sentiment_score
                    .unwrap_or(0.0)
                    .total_cmp(&b.sentiment_score.unwrap_or(0.0))
            });
        if let Some(u) = upset {
            return Moment {
                kind: MomentKind::CustomerUpset,
                start_ms: u.start_ms,
                end_ms: u.end_ms.max(u.start_ms).min(u.start_ms + max_moment_ms),
            };
        }
    }
    if OPENING_ITEMS.contains(&eval.item_id.as_str()) {
        Moment {
            kind: MomentKind::WindowStart,
            start_ms: s,
            end_ms: e.min(s + absence_ms),
        }
    } else {
        Moment {
            kind: MomentKind::WindowEnd,
            start_ms: s.max(e - absence_ms),
            end_ms: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    pub(crate) fn eval(call: &str, item: &str, result: &str, conf: f64) -> EvaluationRow {
        EvaluationRow {
            call_id: call.into(),
            call_date: day(2),
            agent_id: Some("A1".into()),
            form: "f".into(),
            section: None,
            item_id: item.into(),
            title: item.into(),
            result: result.into(),
            score: 0.0,
            weight: 10.0,
            auto_fail: false,
            detector: format!("script_step:{item}"),
            evidence_idx: Some(1),
            evidence_start_ms: Some(1000),
            evidence_end_ms: Some(2000),
            evidence_text: None,
            confidence: conf,
            review_reasons: Vec::new(),
        }
    }

    fn call(id: &str, team: &str, d: u32) -> CallRow {
        CallRow {
            call_id: id.into(),
            source_uri: format!("{id}.wav"),
            agent_id: Some("A1".into()),
            team: Some(team.into()),
            call_date: day(d),
            ..Default::default()
        }
    }

    #[test]
    fn best_is_the_most_confident_pass_and_review_goes_last() {
        let mut evals = vec![
            eval("a", "greeting", "pass", 0.7),
            eval("b", "greeting", "pass", 0.95),
            eval("c", "greeting", "pass", 0.99),
            eval("d", "greeting", "fail", 1.0),
            eval("e", "farewell", "pass", 1.0),
        ];
        evals[2].review_reasons = vec!["asr_low_confidence".into()];
        let calls: Vec<CallRow> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|c| call(c, "north", 2))
            .collect();
        let got: Vec<String> = rank(
            &evals,
            &calls,
            "greeting",
            Pick::Best(5),
            &Filter::default(),
        )
        .into_iter()
        .map(|c| c.eval.call_id)
        .collect();
        assert_eq!(got, ["b", "a", "c"]);
    }

    #[test]
    fn worst_puts_auto_fails_first_then_confidence_and_filters_apply() {
        let mut evals = vec![
            eval("a", "courtesy", "fail", 0.99),
            eval("b", "courtesy", "fail", 0.8),
            eval("c", "courtesy", "fail", 0.9),
            eval("d", "courtesy", "fail", 1.0),
        ];
        evals[1].auto_fail = true;
        evals[3].evidence_idx = None;
        let mut calls = vec![
            call("a", "north", 2),
            call("b", "north", 2),
            call("c", "south", 2),
        ];
        let got = |evals: &[EvaluationRow], calls: &[CallRow], f: &Filter| -> Vec<String> {
            rank(evals, calls, "courtesy", Pick::Worst(9), f)
                .into_iter()
                .map(|c| c.eval.call_id)
                .collect()
        };
        // d has no calls row: no recording, left out.
        assert_eq!(got(&evals, &calls, &Filter::default()), ["b", "a", "c"]);
        let team = Filter {
            team: Some("south".into()),
            ..Default::default()
        };
        assert_eq!(got(&evals, &calls, &team), ["c"]);
        calls[0].call_date = day(1);
        evals[0].call_date = day(1);
        let since = Filter {
            since: Some(day(2)),
            ..Default::default()
        };
        assert_eq!(got(&evals, &calls, &since), ["b", "c"]);
        let agent = Filter {
            agent: Some("A2".into()),
            ..Default::default()
        };
        assert!(got(&evals, &calls, &agent).is_empty());
    }

    fn utt(call: &str, speaker: &str, s: i64, e: i64, sentiment: &str, p: f64) -> UtteranceRow {
        UtteranceRow {
            call_id: call.into(),
            call_date: day(2),
            speaker: speaker.into(),
            start_ms: s,
            end_ms: e,
            sentiment: Some(sentiment.into()),
            sentiment_score: Some(p),
            ..Default::default()
        }
    }

    #[test]
    fn moments_for_evidence_measures_and_absences() {
        let e = eval("a", "greeting", "pass", 0.9);
        let m = moment(&e, &[], 20_000, 8_000);
        assert_eq!(
            (m.kind, m.start_ms, m.end_ms),
            (MomentKind::Utterance, 1000, 2000)
        );
        // A missing greeting: the window searched was 0.3-20.3 s; the clip shows its start.
        let mut g = eval("a", "greeting", "fail", 0.5);
        (g.evidence_idx, g.evidence_start_ms, g.evidence_end_ms) = (None, Some(300), Some(20_300));
        let m = moment(&g, &[], 20_000, 8_000);
        assert_eq!(
            (m.kind, m.start_ms, m.end_ms),
            (MomentKind::WindowStart, 300, 8300)
        );
        // A missing farewell: the window's end (the end of the call).
        let mut f = g.clone();
        f.item_id = "farewell".into();
        f.evidence_start_ms = Some(26_700);
        f.evidence_end_ms = Some(56_700);
        let m = moment(&f, &[], 20_000, 8_000);
        assert_eq!(
            (m.kind, m.start_ms, m.end_ms),
            (MomentKind::WindowEnd, 48_700, 56_700)
        );
        // Dead air: the measured gap, capped.
        let mut d = f.clone();
        d.item_id = "dead_air".into();
        d.detector = "metric:longest_dead_air_s <= 10".into();
        d.evidence_start_ms = Some(30_000);
        d.evidence_end_ms = Some(55_000);
        let m = moment(&d, &[], 20_000, 8_000);
        assert_eq!(
            (m.kind, m.start_ms, m.end_ms),
            (MomentKind::Measured, 30_000, 50_000)
        );
        // Missing empathy: the customer's most negative utterance in the window.
        let mut em = g.clone();
        em.item_id = "empathy".into();
        em.evidence_end_ms = Some(60_000);
        let utts = vec![
            utt("a", "customer", 5000, 7000, "negative", 0.6),
            utt("a", "customer", 9000, 12_000, "negative", 0.9),
            utt("a", "agent", 13_000, 14_000, "negative", 0.99),
            utt("b", "customer", 15_000, 16_000, "negative", 0.99),
            utt("a", "customer", 17_000, 18_000, "neutral", 0.99),
        ];
        let m = moment(&em, &utts, 20_000, 8_000);
        assert_eq!(
            (m.kind, m.start_ms, m.end_ms),
            (MomentKind::CustomerUpset, 9000, 12_000)
        );
        // No negative customer utterance: the end of the window.
        let m = moment(&em, &utts[2..], 20_000, 8_000);
        assert_eq!(m.kind, MomentKind::WindowEnd);
    }
}
