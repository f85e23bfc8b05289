//! The form engine: a classified transcript in, a scorecard with evidence out.

use callqa_core::{ReviewReason, Speaker, Transcript, Utterance, fmt_clock};
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

/// Script steps whose mandated wording is courteous: an utterance classified as one of them, or
/// saying one of the form's phrases for them, cannot auto-fail the courtesy item on its own (it
/// goes to review).
pub const COURTEOUS_SCRIPT_STEPS: [&str; 6] = [
    "greeting",
    "self_intro",
    "empathy",
    "hold_return",
    "anything_else",
    "farewell",
];

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
    /// How sure the engine is of `result`, 0-1 (see the crate docs on confidence per detector).
    #[serde(default)]
    pub confidence: f64,
    /// Why this item needs a human look (empty when it does not).
    #[serde(default)]
    pub review_reasons: Vec<ReviewReason>,
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
    /// True when an auto-fail item failed (on reliable evidence: see the crate docs).
    pub auto_fail: bool,
    /// True when a person should check the call: `review_reasons` is not empty.
    pub needs_review: bool,
    /// Why the call needs review, each reason once, in [`ReviewReason::ALL`] order.
    pub review_reasons: Vec<ReviewReason>,
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

/// An utterance that can count as an agent turn for the script-step and courtesy judgements:
/// the agent's (or an unknown speaker's), and not a back-channel.
fn is_agent_turn(u: &Utterance) -> bool {
    is_agent(u) && !u.backchannel
}

/// An item's judgement before scoring.
struct Judged {
    result: Outcome,
    evidence: Evidence,
    /// Position in `transcript.utterances` of the evidence utterance, if one decided it.
    at: Option<usize>,
    confidence: f64,
    reasons: Vec<ReviewReason>,
}

impl Judged {
    fn new(result: Outcome, evidence: Evidence, confidence: f64) -> Judged {
        Judged {
            result,
            evidence,
            at: None,
            confidence,
            reasons: Vec::new(),
        }
    }

    /// Decided by the utterance at position `i`.
    fn by(result: Outcome, ctx: &CallContext, i: usize, confidence: f64) -> Judged {
        Judged {
            at: Some(i),
            ..Judged::new(result, ctx.utterance_evidence(i), confidence)
        }
    }

    fn na(text: impl Into<String>, confidence: f64) -> Judged {
        Judged::new(
            Outcome::Na,
            Evidence {
                text: text.into(),
                ..Evidence::default()
            },
            confidence,
        )
    }
}

struct CallContext<'a> {
    transcript: &'a Transcript,
    judgements: &'a [UtteranceJudgement],
    first_ms: u64,
    last_ms: u64,
    metrics: SpeechMetrics,
    first_upset: Option<usize>,
    /// `min_asr_avg_logprob` of the form.
    min_avg_logprob: f32,
    /// Roles read off channels, or inferred with `role_confidence >= min_role_confidence`.
    roles_certain: bool,
    /// Confidence factor of anything that depends on who spoke: `role_confidence` when the roles
    /// were inferred, else 1.
    role_factor: f64,
}

impl CallContext<'_> {
    fn judgement(&self, i: usize) -> Option<&UtteranceJudgement> {
        self.judgements.get(i)
    }

    /// The utterance's ASR confidence is below the form's cut (a NaN log-probability counts as
    /// low; no log-probability, i.e. text not from ASR, never does).
    fn asr_low(&self, i: usize) -> bool {
        self.transcript.utterances[i]
            .avg_logprob
            .is_some_and(|lp| lp.is_nan() || lp < self.min_avg_logprob)
    }

    /// Whose utterance it is, is certain: certain roles and a known speaker.
    fn role_certain(&self, i: usize) -> bool {
        self.roles_certain && self.transcript.utterances[i].speaker != Speaker::Unknown
    }

    /// Confidence factor of evidence from utterance `i`: the role factor, halved for an unknown
    /// speaker and halved again for low-confidence ASR.
    fn factor(&self, i: usize) -> f64 {
        let mut f = self.role_factor;
        if self.transcript.utterances[i].speaker == Speaker::Unknown {
            f *= 0.5;
        }
        if self.asr_low(i) {
            f *= 0.5;
        }
        f
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
            text: format!("{what} in {}-{}", fmt_clock(start), fmt_clock(end)),
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
                if !is_agent_turn(u) {
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
            is_agent_turn(u)
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
    let roles_certain =
        !transcript.roles_inferred || transcript.role_confidence >= cfg.min_role_confidence;
    let role_factor = if transcript.roles_inferred {
        f64::from(transcript.role_confidence).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let ctx = CallContext {
        transcript,
        judgements,
        first_ms,
        last_ms,
        metrics,
        first_upset,
        min_avg_logprob: cfg.min_asr_avg_logprob,
        roles_certain,
        role_factor,
    };

    let mut reasons: Vec<ReviewReason> = Vec::new();
    if !roles_certain {
        reasons.push(ReviewReason::RolesUncertain);
    }
    let mut items = Vec::new();
    for (section, item, detector) in form.items() {
        let j = review(&ctx, item, judge(&ctx, form, item, detector));
        reasons.extend(&j.reasons);
        items.push(ItemResult {
            section: section.id.clone(),
            item_id: item.id.clone(),
            title: item.title.clone(),
            result: j.result,
            score: if j.result == Outcome::Pass {
                item.weight
            } else {
                0.0
            },
            weight: item.weight,
            detector: item.detector.clone(),
            auto_fail: item.auto_fail,
            evidence: j.evidence,
            confidence: j.confidence.clamp(0.0, 1.0),
            review_reasons: j.reasons,
        });
    }
    let review_reasons: Vec<ReviewReason> = ReviewReason::ALL
        .into_iter()
        .filter(|r| reasons.contains(r))
        .collect();
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
        needs_review: !review_reasons.is_empty(),
        review_reasons,
        customer_sentiment_start: ctx
            .sentiment_at(Speaker::Customer, CallEnd::Start, n)
            .map(|(l, _)| l),
        customer_sentiment_end: ctx
            .sentiment_at(Speaker::Customer, CallEnd::End, n)
            .map(|(l, _)| l),
        metrics: ctx.metrics,
    }
}

/// The reliability check every item goes through after its detector: a failed item whose
/// evidence utterance has low-confidence ASR (`asr_low_confidence`) or an uncertain speaker
/// (`roles_uncertain`) is flagged for review; if the item is an auto-fail item, that evidence is
/// too weak to zero the call, so the item passes (pending the review) with confidence 1 − the
/// confidence the fail would have had.
fn review(ctx: &CallContext, item: &ItemConfig, mut j: Judged) -> Judged {
    let Some(i) = j.at.filter(|_| j.result == Outcome::Fail) else {
        return j;
    };
    let mut weak = false;
    if ctx.asr_low(i) {
        j.reasons.push(ReviewReason::AsrLowConfidence);
        weak = true;
    }
    if !ctx.role_certain(i) {
        j.reasons.push(ReviewReason::RolesUncertain);
        weak = true;
    }
    if weak && item.auto_fail {
        j.result = Outcome::Pass;
        j.confidence = 1.0 - j.confidence;
        j.evidence.text = format!("needs review, not auto-failed: {}", j.evidence.text);
    }
    j
}

/// Confidence of a metric rule: 1 when the measured value is at least 10 % (of the rule's value,
/// or 1 when that is smaller) away from the limit, falling linearly to 0.5 at the limit.
fn metric_confidence(actual: f64, limit: f64) -> f64 {
    let margin = (actual - limit).abs() / limit.abs().max(1.0);
    (0.5 + 5.0 * margin).min(1.0)
}

fn judge(ctx: &CallContext, form: &Form, item: &ItemConfig, detector: &Detector) -> Judged {
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
            // As sure as the most negative customer line is far from "upset".
            let most_negative = utts
                .iter()
                .enumerate()
                .filter(|(_, u)| u.speaker == Speaker::Customer)
                .filter_map(|(i, _)| ctx.judgement(i)?.sentiment.as_ref())
                .filter(|s| s.label == "negative")
                .map(|s| f64::from(s.score))
                .fold(0.0, f64::max);
            return Judged::na(
                "customer not upset",
                (1.0 - most_negative) * ctx.role_factor,
            );
        }
        Some(NaWhen::NoHold) if !has_hold => {
            return Judged::na("no hold in the call", 1.0);
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
            let candidates: Vec<(usize, f32)> = ctx
                .agent_utterances_with_step(step)
                .filter(|&(i, _)| ctx.in_window(&utts[i], w) && utts[i].end_ms >= not_before)
                .collect();
            let best = candidates
                .iter()
                .copied()
                .filter(|&(_, s)| item.min_score.is_none_or(|m| s >= m))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((i, p)) = best {
                return Judged::by(Outcome::Pass, ctx, i, f64::from(p) * ctx.factor(i));
            }
            // The item's phrases (mandated wording, common ASR spellings of it) also count: the
            // first agent turn in the window that says one.
            let phrases = item_phrases(item);
            let by_phrase = utts.iter().position(|u| {
                is_agent_turn(u)
                    && ctx.in_window(u, w)
                    && u.end_ms >= not_before
                    && says_phrase(&u.text, &phrases)
            });
            if let Some(i) = by_phrase {
                return Judged::by(Outcome::Pass, ctx, i, ctx.factor(i));
            }
            // A fail is as sure as the best hit the item's min_score turned away is weak, and less
            // so when garbled agent turns in the window may have held the step.
            let near_miss = candidates
                .iter()
                .map(|&(_, s)| f64::from(s))
                .fold(0.0, f64::max);
            let garbled = utts
                .iter()
                .enumerate()
                .any(|(i, u)| is_agent_turn(u) && ctx.in_window(u, w) && ctx.asr_low(i));
            let confidence = (1.0 - near_miss) * ctx.role_factor * if garbled { 0.5 } else { 1.0 };
            Judged::new(
                Outcome::Fail,
                ctx.window_evidence(w, format!("no agent utterance classified {step}")),
                confidence,
            )
        }
        Detector::Courtesy => {
            let auto_fail_min = item.min_score;
            let review_min = item.courtesy_review_min_score();
            let mut agent_count = 0;
            let impolite: Vec<(usize, f32)> = utts
                .iter()
                .enumerate()
                .filter(|(_, u)| is_agent_turn(u) && ctx.in_window(u, w))
                .inspect(|_| agent_count += 1)
                .filter_map(|(i, _)| {
                    let c = ctx.judgement(i)?.courtesy.as_ref()?;
                    (c.label == "impolite").then_some((i, c.score))
                })
                .collect();
            let worst = |keep: &dyn Fn(usize, f32) -> bool| {
                impolite
                    .iter()
                    .copied()
                    .filter(|&(i, p)| keep(i, p))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
            };
            // An utterance the script-step model finds to be one of the courteous script lines
            // (greeting, self-introduction, empathy, hold thanks, closing) while the courtesy
            // model calls it impolite is contradictory evidence: the two heads disagree, which on
            // real calls means an ASR-garbled or unusual phrasing of a script line far more often
            // than a rude one. It flags the call for review instead of auto-failing it.
            // The form's own mandated wording for those steps counts the same way.
            let script_phrases: Vec<String> = form
                .items()
                .filter(|(_, _, d)| {
                    matches!(d, Detector::ScriptStep(step)
                        if COURTEOUS_SCRIPT_STEPS.contains(&step.as_str()))
                })
                .flat_map(|(_, it, _)| item_phrases(it))
                .collect();
            let scripted = |i: usize| {
                ctx.judgement(i).is_some_and(|j| {
                    COURTEOUS_SCRIPT_STEPS
                        .iter()
                        .any(|s| j.step_score(s).is_some())
                }) || says_phrase(&utts[i].text, &script_phrases)
            };
            let strong_at = |i: usize, p: f32| auto_fail_min.is_none_or(|m| p >= m) && !scripted(i);
            // Strong evidence from a reliable utterance first: it fails the item whatever else
            // the call holds. Strong evidence from an unreliable one fails it too, and the
            // reliability check (`review`) then flags the call and keeps it from auto-failing.
            let reliable = |i: usize| !ctx.asr_low(i) && ctx.role_certain(i);
            if let Some((i, p)) = worst(&|i, p| strong_at(i, p) && reliable(i))
                .or_else(|| worst(&|i, p| strong_at(i, p)))
            {
                return Judged::by(Outcome::Fail, ctx, i, f64::from(p) * ctx.factor(i));
            }
            if let Some((i, p)) = worst(&|i, p| {
                review_min.is_some_and(|r| p >= r)
                    || (scripted(i) && auto_fail_min.is_none_or(|m| p >= m))
            }) {
                let mut j = Judged::by(
                    Outcome::Pass,
                    ctx,
                    i,
                    (1.0 - f64::from(p)) * ctx.role_factor,
                );
                let why = if scripted(i) {
                    "on a line the script-step model calls a courteous script step"
                } else {
                    "below the auto-fail threshold"
                };
                j.evidence.text = format!(
                    "needs review: p(impolite) {p:.2} {why}: {}",
                    j.evidence.text
                );
                j.reasons.push(ReviewReason::CourtesyLowConfidence);
                return j;
            }
            let max_p = worst(&|_, _| true).map_or(0.0, |(_, p)| f64::from(p));
            Judged::new(
                Outcome::Pass,
                ctx.window_evidence(w, format!("{agent_count} agent utterances, none impolite")),
                (1.0 - max_p) * ctx.role_factor,
            )
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
                        fmt_clock(wait.start_ms)
                    ),
                };
                return Judged::new(Outcome::Fail, e, ctx.role_factor);
            }
            let step_p = |i: usize, step: &str| {
                ctx.judgement(i)
                    .and_then(|j| j.step_score(step))
                    .map_or(1.0, f64::from)
                    * ctx.factor(i)
            };
            match (first_request, last_return) {
                (Some(r), Some(t)) if utts[r].start_ms <= utts[t].start_ms => {
                    let c = step_p(r, "hold_request").min(step_p(t, "hold_return"));
                    Judged::by(Outcome::Pass, ctx, r, c)
                }
                (None, Some(t)) => {
                    let mut j = Judged::by(Outcome::Fail, ctx, t, step_p(t, "hold_return"));
                    j.evidence.text =
                        format!("thanked for holding but never asked: {}", j.evidence.text);
                    j
                }
                (Some(r), _) => {
                    let mut j = Judged::by(Outcome::Fail, ctx, r, step_p(r, "hold_request"));
                    j.evidence.text =
                        format!("no thanks after the hold; request was: {}", j.evidence.text);
                    j
                }
                (None, None) => Judged::na("no hold in the call", 1.0),
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
                let p = ctx
                    .judgement(i)
                    .and_then(|j| j.sentiment.as_ref())
                    .map_or(0.5, |s| f64::from(s.score));
                let mut j = Judged::by(
                    if ok { Outcome::Pass } else { Outcome::Fail },
                    ctx,
                    i,
                    p * ctx.factor(i),
                );
                j.evidence.text =
                    format!("{} sentiment {}: {}", speaker, found.label, j.evidence.text);
                j
            }
            None => Judged::na(format!("no {speaker} utterances"), ctx.role_factor),
        },
        Detector::Metric { name, op, value } => {
            let Some(actual) = ctx.metrics.by_name(name) else {
                return Judged::na(format!("unknown metric {name}"), 0.0);
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
                e.text = format!("{} at {}", e.text, fmt_clock(s));
            }
            // Metrics of one party depend on who is who.
            let by_party = name.starts_with("agent_") || name.starts_with("customer_");
            let confidence =
                metric_confidence(actual, *value) * if by_party { ctx.role_factor } else { 1.0 };
            Judged::new(
                if ok { Outcome::Pass } else { Outcome::Fail },
                e,
                confidence,
            )
        }
        Detector::PhraseRequired | Detector::PhraseForbidden => {
            let phrases = item_phrases(item);
            let hit = utts
                .iter()
                .position(|u| is_agent(u) && ctx.in_window(u, w) && says_phrase(&u.text, &phrases));
            let required = matches!(detector, Detector::PhraseRequired);
            match (hit, required) {
                (Some(i), true) => Judged::by(Outcome::Pass, ctx, i, ctx.factor(i)),
                (Some(i), false) => Judged::by(Outcome::Fail, ctx, i, ctx.factor(i)),
                (None, true) => Judged::new(
                    Outcome::Fail,
                    ctx.window_evidence(w, "required phrase not said".into()),
                    ctx.role_factor,
                ),
                (None, false) => Judged::new(
                    Outcome::Pass,
                    ctx.window_evidence(w, "no forbidden phrase".into()),
                    ctx.role_factor,
                ),
            }
        }
    }
}
