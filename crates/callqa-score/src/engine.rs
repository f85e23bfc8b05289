//! The form engine: a classified transcript in, a scorecard with evidence out.

use callqa_core::{Speaker, Transcript, Utterance};
use serde::{Deserialize, Serialize};

use crate::form::{CallEnd, Detector, Form, ItemConfig, NaWhen, Window};
use crate::metrics::{self, SpeechMetrics};

/// A label with the classifier's probability for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label.
    pub label: String,
    /// Its probability.
    pub score: f32,
}

/// A script step found in an utterance (one utterance may hold several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepHit {
    /// Step label.
    pub step: String,
    /// Probability.
    pub score: f32,
}

/// What the classifiers said about one utterance; aligned by index with the transcript's
/// utterances. Fields the classifiers did not fill (e.g. courtesy of a customer line) are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UtteranceJudgement {
    /// Courtesy of an agent utterance.
    pub courtesy: Option<LabelScore>,
    /// Sentiment of any utterance.
    pub sentiment: Option<LabelScore>,
    /// Full sentiment distribution (label, probability) where available.
    #[serde(default)]
    pub sentiment_distribution: Vec<LabelScore>,
    /// Script steps found, above the model's thresholds, best first.
    #[serde(default)]
    pub script_steps: Vec<StepHit>,
}

impl UtteranceJudgement {
    /// The probability of `step`, if it was found.
    pub fn step_score(&self, step: &str) -> Option<f32> {
        self.script_steps
            .iter()
            .find(|h| h.step == step)
            .map(|h| h.score)
    }

    /// Sentiment as one number in [-1, 1]: P(positive) - P(negative).
    pub fn sentiment_value(&self) -> Option<f32> {
        if !self.sentiment_distribution.is_empty() {
            let p = |l: &str| {
                self.sentiment_distribution
                    .iter()
                    .find(|s| s.label == l)
                    .map_or(0.0, |s| s.score)
            };
            return Some(p("positive") - p("negative"));
        }
        self.sentiment.as_ref().map(|s| match s.label.as_str() {
            "positive" => s.score,
            "negative" => -s.score,
            _ => 0.0,
        })
    }
}

/// The outcome of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Does not apply to this call.
    Na,
}

impl Outcome {
    /// `pass`, `fail` or `na`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Na => "na",
        }
    }
}

/// What decided an item: an utterance, or for a fail the window that was searched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the deciding utterance, if one decided it.
    pub idx: Option<u32>,
    /// Start of the evidence span (the utterance, or the window searched), ms.
    pub start_ms: Option<u64>,
    /// End of the evidence span, ms.
    pub end_ms: Option<u64>,
    /// The utterance text, or a description of what was searched or measured.
    pub text: String,
}

/// One scored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Section id.
    pub section: String,
    /// Item id.
    pub item_id: String,
    /// Title shown to analysts.
    pub title: String,
    /// Outcome.
    pub result: Outcome,
    /// Points earned: the weight when passed, else 0.
    pub score: f64,
    /// The item's weight.
    pub weight: f64,
    /// The detector as written in the form.
    pub detector: String,
    /// Whether failing it fails the call.
    pub auto_fail: bool,
    /// What decided it.
    pub evidence: Evidence,
}

/// A scored call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// Form name.
    pub form: String,
    /// Every item of the form, `na` included, in form order.
    pub items: Vec<ItemResult>,
    /// Weighted share of applicable items passed, 0-100; 0 when an auto-fail item failed.
    pub total_score: f64,
    /// True when an auto-fail item failed.
    pub auto_fail: bool,
    /// Items passed.
    pub items_passed: u32,
    /// Items failed.
    pub items_failed: u32,
    /// Items not applicable.
    pub items_na: u32,
    /// Customer sentiment at the start of the call (label, and P(pos)-P(neg) mapped to [0, 1] as score).
    pub customer_sentiment_start: Option<LabelScore>,
    /// Customer sentiment at the end of the call.
    pub customer_sentiment_end: Option<LabelScore>,
    /// The speech metrics.
    pub metrics: SpeechMetrics,
}

fn is_agent(u: &Utterance) -> bool {
    // Unknown speakers (a single-voice or unresolved mono recording) may be the agent.
    matches!(u.speaker, Speaker::Agent | Speaker::Unknown)
}

fn fmt_time(ms: u64) -> String {
    format!("{:02}:{:04.1}", ms / 60_000, (ms % 60_000) as f64 / 1000.0)
}

struct CallContext<'a> {
    transcript: &'a Transcript,
    judgements: &'a [UtteranceJudgement],
    first_ms: u64,
    last_ms: u64,
    metrics: SpeechMetrics,
    first_upset: Option<usize>,
}

impl CallContext<'_> {
    fn judgement(&self, i: usize) -> Option<&UtteranceJudgement> {
        self.judgements.get(i)
    }

    fn in_window(&self, u: &Utterance, w: &Window) -> bool {
        match (w.first_s, w.last_s) {
            (None, None) => true,
            (first, last) => {
                first.is_some_and(|s| u.start_ms as f64 <= self.first_ms as f64 + s * 1000.0)
                    || last.is_some_and(|s| u.end_ms as f64 >= self.last_ms as f64 - s * 1000.0)
            }
        }
    }

    fn window_evidence(&self, w: &Window, what: String) -> Evidence {
        let (start, end) = match (w.first_s, w.last_s) {
            (Some(s), None) => (self.first_ms, self.first_ms + (s * 1000.0) as u64),
            (None, Some(s)) => (
                self.last_ms.saturating_sub((s * 1000.0) as u64),
                self.last_ms,
            ),
            _ => (self.first_ms, self.last_ms),
        };
        let end = end.min(self.last_ms.max(self.first_ms));
        Evidence {
            idx: None,
            start_ms: Some(start),
            end_ms: Some(end),
            text: format!("{what} in {}-{}", fmt_time(start), fmt_time(end)),
        }
    }

    fn utterance_evidence(&self, i: usize) -> Evidence {
        let u = &self.transcript.utterances[i];
        Evidence {
            idx: Some(u.idx),
            start_ms: Some(u.start_ms),
            end_ms: Some(u.end_ms),
            text: u.text.clone(),
        }
    }

    fn agent_utterances_with_step<'s>(
        &'s self,
        step: &'s str,
    ) -> impl Iterator<Item = (usize, f32)> + 's {
        self.transcript
            .utterances
            .iter()
            .enumerate()
            .filter_map(move |(i, u)| {
                if !is_agent(u) {
                    return None;
                }
                self.judgement(i)
                    .and_then(|j| j.step_score(step))
                    .map(|s| (i, s))
            })
    }

    /// Mean sentiment of the first or last `n` substantive utterances of `speaker`.
    fn sentiment_at(&self, speaker: Speaker, at: CallEnd, n: usize) -> Option<(LabelScore, usize)> {
        let mut idxs: Vec<usize> = self
            .transcript
            .utterances
            .iter()
            .enumerate()
            .filter(|(i, u)| {
                u.speaker == speaker
                    && metrics::speech_units(&u.text) >= 2
                    && self
                        .judgement(*i)
                        .and_then(|j| j.sentiment_value())
                        .is_some()
            })
            .map(|(i, _)| i)
            .collect();
        // Start and end windows never overlap: each takes at most half the party's utterances.
        let half = if idxs.len() > 1 { idxs.len() / 2 } else { 1 };
        if at == CallEnd::End {
            idxs.reverse();
        }
        idxs.truncate(n.max(1).min(half));
        let values: Vec<f32> = idxs
            .iter()
            .filter_map(|&i| self.judgement(i)?.sentiment_value())
            .collect();
        if values.is_empty() {
            return None;
        }
        // The most negative of the window counts double: one angry sentence sets the tone.
        let min = values.iter().copied().fold(f32::INFINITY, f32::min);
        let mean = (values.iter().sum::<f32>() + min) / (values.len() as f32 + 1.0);
        let label = if mean <= -0.25 {
            "negative"
        } else if mean >= 0.25 {
            "positive"
        } else {
            "neutral"
        };
        Some((
            LabelScore {
                label: label.to_string(),
                score: (mean + 1.0) / 2.0,
            },
            idxs[0],
        ))
    }
}

fn normalise_for_phrase(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Negation cues (normalised: no spaces or punctuation) that, right before a phrase, turn it
/// around: "没有工号" does not give a staff number, "I won't transfer you" does not promise it.
const NEGATIONS: [&str; 19] = [
    "不", "没", "别", "未", "无", "勿", "没有", "不是", "不用", "不会", "不能", "not", "dont",
    "never", "no", "cannot", "cant", "wont", "didnt",
];

/// The item's phrases, normalised for matching.
fn item_phrases(item: &ItemConfig) -> Vec<String> {
    item.phrases
        .iter()
        .map(|p| normalise_for_phrase(p))
        .filter(|p| !p.is_empty())
        .collect()
}

/// True when `text` says one of `phrases` (already normalised) without a negation right before
/// it. Whitespace, punctuation and case are ignored.
pub(crate) fn says_phrase(text: &str, phrases: &[String]) -> bool {
    let t = normalise_for_phrase(text);
    phrases.iter().any(|p| {
        t.match_indices(p.as_str())
            .any(|(at, _)| !NEGATIONS.iter().any(|n| t[..at].ends_with(n)))
    })
}

/// Score one call against a form. `judgements` must be aligned with `transcript.utterances`
/// (missing entries count as "no judgement").
pub fn evaluate(
    form: &Form,
    transcript: &Transcript,
    judgements: &[UtteranceJudgement],
) -> Scorecard {
    let cfg = &form.config;
    let hold_request_ends: Vec<u64> = transcript
        .utterances
        .iter()
        .enumerate()
        .filter(|(i, u)| {
            is_agent(u)
                && judgements
                    .get(*i)
                    .and_then(|j| j.step_score("hold_request"))
                    .is_some()
        })
        .map(|(_, u)| u.end_ms)
        .collect();
    let metrics = metrics::compute(transcript, &hold_request_ends, &form.metric_options());
    let first_ms = transcript
        .utterances
        .iter()
        .map(|u| u.start_ms)
        .min()
        .unwrap_or(0);
    let last_ms = transcript
        .utterances
        .iter()
        .map(|u| u.end_ms)
        .max()
        .unwrap_or(transcript.duration_ms);
    let first_upset = transcript.utterances.iter().enumerate().position(|(i, u)| {
        u.speaker == Speaker::Customer
            && judgements
                .get(i)
                .and_then(|j| j.sentiment.as_ref())
                .is_some_and(|s| s.label == "negative" && s.score >= cfg.upset_threshold)
    });
    let ctx = CallContext {
        transcript,
        judgements,
        first_ms,
        last_ms,
        metrics,
        first_upset,
    };

    let mut items = Vec::new();
    for (section, item, detector) in form.items() {
        let (result, evidence) = judge(&ctx, form, item, detector);
        items.push(ItemResult {
            section: section.id.clone(),
            item_id: item.id.clone(),
            title: item.title.clone(),
            result,
            score: if result == Outcome::Pass {
                item.weight
            } else {
                0.0
            },
            weight: item.weight,
            detector: item.detector.clone(),
            auto_fail: item.auto_fail,
            evidence,
        });
    }
    let applicable: f64 = items
        .iter()
        .filter(|i| i.result != Outcome::Na)
        .map(|i| i.weight)
        .sum();
    let earned: f64 = items.iter().map(|i| i.score).sum();
    let auto_fail = items
        .iter()
        .any(|i| i.auto_fail && i.result == Outcome::Fail);
    let total_score = if auto_fail {
        0.0
    } else if applicable > 0.0 {
        100.0 * earned / applicable
    } else {
        100.0
    };
    let count = |o: Outcome| items.iter().filter(|i| i.result == o).count() as u32;
    let n = cfg.sentiment_utterances;
    Scorecard {
        form: cfg.name.clone(),
        items_passed: count(Outcome::Pass),
        items_failed: count(Outcome::Fail),
        items_na: count(Outcome::Na),
        items,
        total_score,
        auto_fail,
        customer_sentiment_start: ctx
            .sentiment_at(Speaker::Customer, CallEnd::Start, n)
            .map(|(l, _)| l),
        customer_sentiment_end: ctx
            .sentiment_at(Speaker::Customer, CallEnd::End, n)
            .map(|(l, _)| l),
        metrics: ctx.metrics,
    }
}

fn judge(
    ctx: &CallContext,
    form: &Form,
    item: &ItemConfig,
    detector: &Detector,
) -> (Outcome, Evidence) {
    let utts = &ctx.transcript.utterances;
    let hold_requests: Vec<usize> = ctx
        .agent_utterances_with_step("hold_request")
        .map(|(i, _)| i)
        .collect();
    let hold_returns: Vec<usize> = ctx
        .agent_utterances_with_step("hold_return")
        .map(|(i, _)| i)
        .collect();
    let has_hold = !hold_returns.is_empty()
        || ctx.metrics.hold_count > 0
        || ctx.metrics.unannounced_wait_count > 0;
    match item.na_when {
        Some(NaWhen::CustomerNotUpset) if ctx.first_upset.is_none() => {
            return (
                Outcome::Na,
                Evidence {
                    text: "customer not upset".into(),
                    ..Evidence::default()
                },
            );
        }
        Some(NaWhen::NoHold) if !has_hold => {
            return (
                Outcome::Na,
                Evidence {
                    text: "no hold in the call".into(),
                    ..Evidence::default()
                },
            );
        }
        _ => {}
    }
    let w = &item.window;
    match detector {
        Detector::ScriptStep(step) => {
            // Empathy and similar responses only count once the customer is upset.
            let not_before = match item.na_when {
                Some(NaWhen::CustomerNotUpset) => ctx.first_upset.map_or(0, |i| utts[i].start_ms),
                _ => 0,
            };
            let best = ctx
                .agent_utterances_with_step(step)
                .filter(|&(i, s)| {
                    ctx.in_window(&utts[i], w)
                        && utts[i].end_ms >= not_before
                        && item.min_score.is_none_or(|m| s >= m)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            // The item's phrases (mandated wording, common ASR spellings of it) also count: the
            // first agent utterance in the window that says one.
            let phrases = item_phrases(item);
            let by_phrase = || {
                utts.iter().enumerate().position(|(_, u)| {
                    is_agent(u)
                        && ctx.in_window(u, w)
                        && u.end_ms >= not_before
                        && says_phrase(&u.text, &phrases)
                })
            };
            match best.map(|(i, _)| i).or_else(by_phrase) {
                Some(i) => (Outcome::Pass, ctx.utterance_evidence(i)),
                None => (
                    Outcome::Fail,
                    ctx.window_evidence(w, format!("no agent utterance classified {step}")),
                ),
            }
        }
        Detector::Courtesy => {
            let mut agent_count = 0;
            let worst = utts
                .iter()
                .enumerate()
                .filter(|(_, u)| is_agent(u) && ctx.in_window(u, w))
                .inspect(|_| agent_count += 1)
                .filter_map(|(i, _)| {
                    let c = ctx.judgement(i)?.courtesy.as_ref()?;
                    (c.label == "impolite" && item.min_score.is_none_or(|m| c.score >= m))
                        .then_some((i, c.score))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            match worst {
                Some((i, _)) => (Outcome::Fail, ctx.utterance_evidence(i)),
                None => (
                    Outcome::Pass,
                    ctx.window_evidence(
                        w,
                        format!("{agent_count} agent utterances, none impolite"),
                    ),
                ),
            }
        }
        Detector::HoldEtiquette => {
            let first_request = hold_requests.first().copied();
            let last_return = hold_returns.last().copied();
            let limit = form.config.dead_air_limit_s;
            let unannounced = ctx
                .metrics
                .long_silences
                .iter()
                .find(|s| !s.announced_hold && s.seconds() <= limit);
            if let Some(wait) = unannounced {
                let e = Evidence {
                    idx: None,
                    start_ms: Some(wait.start_ms),
                    end_ms: Some(wait.end_ms),
                    text: format!(
                        "customer kept waiting {:.1} s at {} without being asked",
                        wait.seconds(),
                        fmt_time(wait.start_ms)
                    ),
                };
                return (Outcome::Fail, e);
            }
            match (first_request, last_return) {
                (Some(r), Some(t)) if utts[r].start_ms <= utts[t].start_ms => {
                    (Outcome::Pass, ctx.utterance_evidence(r))
                }
                (None, Some(t)) => {
                    let mut e = ctx.utterance_evidence(t);
                    e.text = format!("thanked for holding but never asked: {}", e.text);
                    (Outcome::Fail, e)
                }
                (Some(r), _) => {
                    let mut e = ctx.utterance_evidence(r);
                    e.text = format!("no thanks after the hold; request was: {}", e.text);
                    (Outcome::Fail, e)
                }
                (None, None) => (
                    Outcome::Na,
                    Evidence {
                        text: "no hold in the call".into(),
                        ..Evidence::default()
                    },
                ),
            }
        }
        Detector::Sentiment {
            speaker,
            at,
            equal,
            label,
        } => match ctx.sentiment_at(*speaker, *at, form.config.sentiment_utterances) {
            Some((found, i)) => {
                let ok = (found.label == *label) == *equal;
                let mut e = ctx.utterance_evidence(i);
                e.text = format!("{} sentiment {}: {}", speaker, found.label, e.text);
                (if ok { Outcome::Pass } else { Outcome::Fail }, e)
            }
            None => (
                Outcome::Na,
                Evidence {
                    text: format!("no {speaker} utterances"),
                    ..Evidence::default()
                },
            ),
        },
        Detector::Metric { name, op, value } => {
            let Some(actual) = ctx.metrics.by_name(name) else {
                return (
                    Outcome::Na,
                    Evidence {
                        text: format!("unknown metric {name}"),
                        ..Evidence::default()
                    },
                );
            };
            let ok = op.holds(actual, *value);
            let mut e = Evidence {
                text: format!("{name} = {actual:.1} (rule {} {value})", op.as_str()),
                ..Evidence::default()
            };
            // Point at the place that decided it, where there is one.
            let span = match name.as_str() {
                "longest_dead_air_s" | "dead_air_count" => ctx
                    .metrics
                    .long_silences
                    .iter()
                    .filter(|s| !s.announced_hold)
                    .max_by(|a, b| a.seconds().total_cmp(&b.seconds()))
                    .map(|s| (s.start_ms, s.end_ms)),
                "agent_interruptions" => ctx
                    .metrics
                    .overtalk
                    .iter()
                    .find(|o| o.started_by == Speaker::Agent)
                    .map(|o| (o.start_ms, o.end_ms)),
                _ => None,
            };
            if let Some((s, end)) = span {
                e.start_ms = Some(s);
                e.end_ms = Some(end);
                e.text = format!("{} at {}", e.text, fmt_time(s));
            }
            (if ok { Outcome::Pass } else { Outcome::Fail }, e)
        }
        Detector::PhraseRequired | Detector::PhraseForbidden => {
            let phrases = item_phrases(item);
            let hit = utts.iter().enumerate().find(|(_, u)| {
                is_agent(u) && ctx.in_window(u, w) && says_phrase(&u.text, &phrases)
            });
            let required = matches!(detector, Detector::PhraseRequired);
            match (hit, required) {
                (Some((i, _)), true) => (Outcome::Pass, ctx.utterance_evidence(i)),
                (Some((i, _)), false) => (Outcome::Fail, ctx.utterance_evidence(i)),
                (None, true) => (
                    Outcome::Fail,
                    ctx.window_evidence(w, "required phrase not said".into()),
                ),
                (None, false) => (
                    Outcome::Pass,
                    ctx.window_evidence(w, "no forbidden phrase".into()),
                ),
            }
        }
    }
}
