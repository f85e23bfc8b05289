//! Evaluation forms: the `[form]` table of a pipeline TOML, parsed and validated.
//!
//! ```toml
//! [form]
//! name = "inbound-zh"
//! title = "呼入电话质检表"
//! dead_air_limit_s = 10
//!
//! [[form.sections]]
//! id = "opening"
//! title = "开场"
//!
//! [[form.sections.items]]
//! id = "greeting"
//! title = "礼貌问候"
//! weight = 10
//! detector = "script_step:greeting"
//! window = { first_s = 20 }
//! ```
//!
//! # Auto-fail, review and confidence
//!
//! A call is auto-failed (total 0) only on high-confidence evidence; weaker evidence flags it for
//! a person to check (`call_scores.needs_review`, with `call_scores.review_reasons` naming why:
//! the names are [`callqa_core::ReviewReason`]) instead of silently zeroing it.
//!
//! - **Reliable utterance.** An utterance can fail an auto-fail item on its own only when its
//!   ASR confidence is adequate (Whisper `avg_logprob >= min_asr_avg_logprob`, form key), whose
//!   it is is certain (roles read off channels, or inferred with
//!   `role_confidence >= min_role_confidence`, form key; speaker not `unknown`), and it is a turn,
//!   not a back-channel (`Utterance::backchannel`: back-channels are skipped by the script-step
//!   and courtesy judgements altogether).
//! - **Courtesy.** An agent turn with p(impolite) `>= min_score` (the item's auto-fail threshold;
//!   0.7 in the shipped forms) fails the item, and the call when the item is `auto_fail`, if the
//!   turn is reliable. If the only such turns are unreliable, the item passes pending review,
//!   with `asr_low_confidence` and/or `roles_uncertain`, and the turn as evidence. A turn with
//!   p(impolite) in `[review_min_score, min_score)` (default review threshold 0.5) passes the
//!   item and flags the call with `courtesy_low_confidence`, the turn as evidence.
//! - **Any failed item** whose evidence is an utterance gets `asr_low_confidence` when that
//!   utterance's ASR confidence is low and `roles_uncertain` when its speaker is uncertain; on an
//!   auto-fail item such evidence is too weak to zero the call and the item passes, pending the
//!   review. Items that fail for lack of evidence (a script step not found in its window) and
//!   metric items keep their result.
//! - **Roles.** A call whose roles were inferred with `role_confidence < min_role_confidence`
//!   always gets `roles_uncertain`.
//!
//! Per-item confidence (`evaluations.confidence`, 0-1), the engine's certainty of the result:
//! - `script_step`: a pass on the classifier, the step's probability for the evidence utterance;
//!   a pass on a phrase, 1; a fail, 1 − the best step probability that `min_score` turned away
//!   (1 when none), halved when an agent turn in the window has low-confidence ASR.
//! - `courtesy`: a fail, p(impolite) of the evidence turn; a pass, 1 − the highest p(impolite)
//!   of an agent turn labelled impolite (1 when none is); a pass pending review on a turn that
//!   would have auto-failed the call, 1 − that fail's confidence.
//! - `sentiment`: the classifier probability of the evidence utterance's sentiment label;
//!   `hold_etiquette`: the hold-request/return step probabilities (the lower), 1 for a wait
//!   measured in silence; `phrase:` detectors: 1.
//! - `metric`: 1 when the value is at least 10 % away from the rule's limit, falling linearly
//!   to 0.5 at the limit.
//! - `na`: 1, except `customer_not_upset`: 1 − the highest p(negative) of a customer utterance.
//! - Then lowered for the evidence: multiplied by `role_confidence` when roles were inferred
//!   (for every detector that depends on who spoke), halved for an `unknown` speaker, halved for
//!   low-confidence ASR.

use callqa_core::Speaker;
use serde::Deserialize;

use crate::metrics::SpeechMetrics;

/// An evaluation form: sections of weighted items, each judged by one detector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormConfig {
    /// Form name, written to the `form` column of the tables.
    pub name: String,
    /// Title shown to analysts, in the form's language.
    #[serde(default)]
    pub title: String,
    /// A silence longer than this, outside a hold the agent announced, is dead air (seconds).
    #[serde(default = "default_dead_air_limit_s")]
    pub dead_air_limit_s: f64,
    /// Silences at least this long may be holds; unannounced ones up to the dead-air limit are
    /// waits the agent imposed without asking (seconds).
    #[serde(default = "default_hold_min_s")]
    pub hold_min_s: f64,
    /// A hold request that ends at most this long before a silence announces it (seconds).
    #[serde(default = "default_hold_announce_window_s")]
    pub hold_announce_window_s: f64,
    /// Overlaps shorter than this are not counted as overtalk (milliseconds).
    #[serde(default = "default_min_overtalk_ms")]
    pub min_overtalk_ms: u64,
    /// A customer utterance classified negative with at least this probability makes the customer
    /// "upset" (used by `na_when = "customer_not_upset"`).
    #[serde(default = "default_upset_threshold")]
    pub upset_threshold: f32,
    /// Number of customer utterances averaged for sentiment at the start and at the end.
    #[serde(default = "default_sentiment_utterances")]
    pub sentiment_utterances: usize,
    /// An utterance whose Whisper average token log-probability (`utterances.asr_avg_logprob`) is
    /// below this is *low-confidence ASR*: its text may be garbled, so it cannot fail an auto-fail
    /// item on its own, and a failed item whose evidence it is flags the call for review
    /// (`asr_low_confidence`). Utterances without a log-probability (not from ASR) are never
    /// low-confidence. Default [`DEFAULT_MIN_ASR_AVG_LOGPROB`], calibrated on real speech (see the
    /// constant).
    #[serde(default = "default_min_asr_avg_logprob")]
    pub min_asr_avg_logprob: f32,
    /// When the roles were inferred from a mono recording (`calls.roles_inferred`), a
    /// `role_confidence` below this makes them *uncertain*: the call is flagged for review
    /// (`roles_uncertain`) and no agent utterance can fail an auto-fail item on its own. Default 0.6.
    #[serde(default = "default_min_role_confidence")]
    pub min_role_confidence: f32,
    /// The form's sections, in display order.
    pub sections: Vec<SectionConfig>,
}

fn default_dead_air_limit_s() -> f64 {
    10.0
}
fn default_hold_min_s() -> f64 {
    6.0
}
fn default_hold_announce_window_s() -> f64 {
    8.0
}
fn default_min_overtalk_ms() -> u64 {
    300
}
fn default_upset_threshold() -> f32 {
    0.6
}
fn default_sentiment_utterances() -> usize {
    2
}
fn default_min_asr_avg_logprob() -> f32 {
    DEFAULT_MIN_ASR_AVG_LOGPROB
}
fn default_min_role_confidence() -> f32 {
    0.6
}

/// Default of [`FormConfig::min_asr_avg_logprob`]: below -0.5 Whisper base's text is mostly
/// garbled.
///
/// Calibrated by `benches/asr_confidence.py` (report: `benches/asr_confidence.md`) on the 25
/// human-referenced real recordings of the shared test data (16 zh incl. 8 kHz telephone copies,
/// 9 en), clean and with white noise at 10/5/0/-5 dB SNR: 194 utterances, per-utterance error
/// rate (zh CER, en WER) against the aligned reference. Share of utterances with an error rate
/// over 30 % by avg_logprob band: [-0.2, 0) 12 %, [-0.4, -0.2) 31 %, [-0.6, -0.4) 50 %,
/// [-0.8, -0.6) 86 %, [-1.0, -0.8) 94 %, below -1.0 95-100 %. Below -0.5: 84 utterances
/// flagged, 93 % of them garbled, 78 of the 101 garbled utterances caught, none of the 65
/// near-clean ones (error rate <= 10 %) flagged. The garbled utterances it misses are confident
/// errors (avg_logprob cannot see them). Read and noised speech, not telephone conversation:
/// revisit on real calls.
pub const DEFAULT_MIN_ASR_AVG_LOGPROB: f32 = -0.5;

/// Default of [`ItemConfig::review_min_score`] on a `courtesy` item (lowered to `min_score` when
/// that is lower).
pub const DEFAULT_COURTESY_REVIEW_MIN_SCORE: f32 = 0.5;

/// A titled group of items.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    /// Section id.
    pub id: String,
    /// Section title, in the form's language.
    #[serde(default)]
    pub title: String,
    /// Items of the section.
    pub items: Vec<ItemConfig>,
}

/// One evaluation item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemConfig {
    /// Item id: stable, keyed on by reports and dashboards (see `callqa_core::EVALUATION_ITEMS`).
    pub id: String,
    /// Title shown to analysts.
    #[serde(default)]
    pub title: String,
    /// Weight in the total score (the total is the weighted share of applicable items passed).
    pub weight: f64,
    /// What decides the item: `script_step:<label>`, `courtesy`, `hold_etiquette`,
    /// `sentiment:<customer|agent>_<start|end> <==|!=> <label>`, `metric:<name> <op> <value>`
    /// (op one of `<= < >= > == !=`), `phrase:required` or `phrase:forbidden`.
    pub detector: String,
    /// Where in the call the detector looks (default: the whole call).
    #[serde(default)]
    pub window: Window,
    /// A failed auto-fail item sets the call's total to 0.
    #[serde(default)]
    pub auto_fail: bool,
    /// When the item does not apply and is scored `na`.
    #[serde(default)]
    pub na_when: Option<NaWhen>,
    /// Phrases for `phrase:` detectors (any one matches; whitespace, punctuation and case are
    /// ignored; a phrase right after a negation such as 不/没/not/don't does not count). On a
    /// `script_step:` item, an agent utterance in the window that says one passes the item too
    /// (mandated wording, and the spellings ASR gives it).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Minimum classifier probability: for `script_step:` the step's (default: the model's own
    /// threshold); for `courtesy` the auto-fail threshold, p(impolite) at or above which an
    /// agent utterance fails the item (default: whatever the model decides). On an auto-fail item
    /// the utterance must also be reliable: ASR confidence adequate (`min_asr_avg_logprob`), roles
    /// certain (`min_role_confidence`, speaker not `unknown`), not a back-channel.
    #[serde(default)]
    pub min_score: Option<f32>,
    /// `courtesy` only: the review threshold. An agent utterance with p(impolite) at or above
    /// this but below `min_score` does not fail the item (it passes) but flags the call for review
    /// (`courtesy_low_confidence`), with the utterance as evidence. Default
    /// [`DEFAULT_COURTESY_REVIEW_MIN_SCORE`] (or `min_score` when lower); no review band when
    /// `min_score` is unset.
    #[serde(default)]
    pub review_min_score: Option<f32>,
}

impl ItemConfig {
    /// The review threshold of a `courtesy` item: `review_min_score`, else
    /// [`DEFAULT_COURTESY_REVIEW_MIN_SCORE`] capped at `min_score`; `None` (no review band) when
    /// neither is set.
    pub fn courtesy_review_min_score(&self) -> Option<f32> {
        match (self.review_min_score, self.min_score) {
            (Some(r), _) => Some(r),
            (None, Some(m)) => Some(DEFAULT_COURTESY_REVIEW_MIN_SCORE.min(m)),
            (None, None) => None,
        }
    }
}

/// A time window relative to the call's start or end. Both set: the item may be satisfied in
/// either (e.g. the first 20 s or the last 30 s).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Within this many seconds of the first speech of the call.
    pub first_s: Option<f64>,
    /// Within this many seconds of the end of the last speech of the call.
    pub last_s: Option<f64>,
}

/// Conditions under which an item does not apply.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NaWhen {
    /// The customer never sounds upset (no customer utterance negative above `upset_threshold`).
    CustomerNotUpset,
    /// There is no hold: neither a hold request nor a return from hold.
    NoHold,
}

/// Comparison operators of `metric:` detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "<=" => Op::Le,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            ">" => Op::Gt,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            _ => return None,
        })
    }

    /// Apply the comparison.
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Le => left <= right,
            Op::Lt => left < right,
            Op::Ge => left >= right,
            Op::Gt => left > right,
            Op::Eq => (left - right).abs() < 1e-9,
            Op::Ne => (left - right).abs() >= 1e-9,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// Start or end of the call, for sentiment rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// The first utterances of the party.
    Start,
    /// The last utterances of the party.
    End,
}

/// A parsed detector.
#[derive(Debug, Clone, PartialEq)]
pub enum Detector {
    /// An agent utterance classified as this script step inside the window.
    ScriptStep(String),
    /// No agent utterance classified impolite inside the window.
    Courtesy,
    /// Agent asks before a hold and thanks after it.
    HoldEtiquette,
    /// A party's sentiment at the start or end compared with a label.
    Sentiment {
        /// Whose sentiment.
        speaker: Speaker,
        /// Start or end of the call.
        at: CallEnd,
        /// `true` for `==`, `false` for `!=`.
        equal: bool,
        /// The label compared with.
        label: String,
    },
    /// A speech metric compared with a number.
    Metric {
        /// Metric name (see `SpeechMetrics::NAMES`).
        name: String,
        /// Comparison.
        op: Op,
        /// Right-hand side.
        value: f64,
    },
    /// Required wording: an agent utterance in the window contains one of the phrases.
    PhraseRequired,
    /// Forbidden wording: no agent utterance in the window contains one of the phrases.
    PhraseForbidden,
}

/// A form that does not validate; `key` is the TOML path of the offending value.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{key}: {message}")]
pub struct FormError {
    /// Where in the TOML: e.g. `form.sections[0].items[2].detector`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl Detector {
    /// Parse the detector syntax of [`ItemConfig::detector`].
    pub fn parse(
        s: &str,
        step_labels: &[&str],
        sentiment_labels: &[&str],
    ) -> Result<Detector, String> {
        let s = s.trim();
        let (kind, arg) = match s.split_once(':') {
            Some((k, a)) => (k.trim(), a.trim()),
            None => (s, ""),
        };
        match kind {
            "script_step" => {
                if step_labels.contains(&arg) {
                    Ok(Detector::ScriptStep(arg.to_string()))
                } else {
                    Err(format!(
                        "unknown script step {arg:?}; known: {}",
                        step_labels.join(", ")
                    ))
                }
            }
            "courtesy" if arg.is_empty() => Ok(Detector::Courtesy),
            "hold_etiquette" if arg.is_empty() => Ok(Detector::HoldEtiquette),
            "phrase" => match arg {
                "required" => Ok(Detector::PhraseRequired),
                "forbidden" => Ok(Detector::PhraseForbidden),
                _ => Err(format!(
                    "phrase detector must be phrase:required or phrase:forbidden, got {s:?}"
                )),
            },
            "metric" => {
                let parts: Vec<&str> = arg.split_whitespace().collect();
                let [name, op, value] = parts[..] else {
                    return Err(format!(
                        "metric detector must read `metric:<name> <op> <number>`, got {s:?}"
                    ));
                };
                if !SpeechMetrics::NAMES.contains(&name) {
                    return Err(format!(
                        "unknown metric {name:?}; known: {}",
                        SpeechMetrics::NAMES.join(", ")
                    ));
                }
                let op = Op::parse(op)
                    .ok_or_else(|| format!("unknown operator {op:?}; use <= < >= > == !="))?;
                let value: f64 = value
                    .parse()
                    .map_err(|_| format!("{value:?} is not a number"))?;
                Ok(Detector::Metric {
                    name: name.to_string(),
                    op,
                    value,
                })
            }
            "sentiment" => {
                let parts: Vec<&str> = arg.split_whitespace().collect();
                let [who_at, op, label] = parts[..] else {
                    return Err(format!(
                        "sentiment detector must read `sentiment:customer_end != negative`, got {s:?}"
                    ));
                };
                let (who, at) = who_at
                    .rsplit_once('_')
                    .ok_or_else(|| format!("{who_at:?}: expected <customer|agent>_<start|end>"))?;
                let speaker = match who {
                    "customer" => Speaker::Customer,
                    "agent" => Speaker::Agent,
                    _ => return Err(format!("{who:?}: expected customer or agent")),
                };
                let at = match at {
                    "start" => CallEnd::Start,
                    "end" => CallEnd::End,
                    _ => return Err(format!("{at:?}: expected start or end")),
                };
                let equal = match op {
                    "==" => true,
                    "!=" => false,
                    _ => return Err(format!("{op:?}: sentiment rules compare with == or !=")),
                };
                if !sentiment_labels.contains(&label) {
                    return Err(format!(
                        "unknown sentiment {label:?}; known: {}",
                        sentiment_labels.join(", ")
                    ));
                }
                Ok(Detector::Sentiment {
                    speaker,
                    at,
                    equal,
                    label: label.to_string(),
                })
            }
            _ => Err(format!(
                "unknown detector {s:?}; use script_step:<step>, courtesy, hold_etiquette, \
                 sentiment:<party>_<start|end> <op> <label>, metric:<name> <op> <value>, phrase:required|forbidden"
            )),
        }
    }
}

/// A form with its detectors parsed: what the engine runs.
#[derive(Debug, Clone)]
pub struct Form {
    /// The configuration as read.
    pub config: FormConfig,
    /// Per section, per item: the parsed detector (same shape as `config.sections`).
    pub detectors: Vec<Vec<Detector>>,
}

impl Form {
    /// Validate a form against the label sets of the classifiers it will read. Returns every
    /// problem found, each naming its key.
    pub fn validate(
        config: FormConfig,
        step_labels: &[&str],
        sentiment_labels: &[&str],
    ) -> Result<Form, Vec<FormError>> {
        let mut errors = Vec::new();
        let mut err = |key: String, message: String| errors.push(FormError { key, message });
        if config.name.trim().is_empty() {
            err("form.name".into(), "must not be empty".into());
        }
        if !(config.min_asr_avg_logprob.is_finite() && config.min_asr_avg_logprob <= 0.0) {
            err(
                "form.min_asr_avg_logprob".into(),
                format!(
                    "must be a log-probability <= 0, got {}",
                    config.min_asr_avg_logprob
                ),
            );
        }
        if !(0.0..=1.0).contains(&config.min_role_confidence) {
            err(
                "form.min_role_confidence".into(),
                format!(
                    "must be a number in [0, 1], got {}",
                    config.min_role_confidence
                ),
            );
        }
        for (k, v) in [
            ("dead_air_limit_s", config.dead_air_limit_s),
            ("hold_min_s", config.hold_min_s),
            ("hold_announce_window_s", config.hold_announce_window_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                err(
                    format!("form.{k}"),
                    format!("must be a positive number of seconds, got {v}"),
                );
            }
        }
        if config.sections.is_empty() {
            err(
                "form.sections".into(),
                "a form needs at least one section".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        let mut detectors = Vec::new();
        for (si, section) in config.sections.iter().enumerate() {
            let mut section_detectors = Vec::new();
            if section.items.is_empty() {
                err(
                    format!("form.sections[{si}].items"),
                    "a section needs at least one item".into(),
                );
            }
            for (ii, item) in section.items.iter().enumerate() {
                let key = format!("form.sections[{si}].items[{ii}]");
                if item.id.trim().is_empty() {
                    err(format!("{key}.id"), "must not be empty".into());
                } else if !seen.insert(item.id.clone()) {
                    err(
                        format!("{key}.id"),
                        format!("duplicate item id {:?}", item.id),
                    );
                }
                if !(item.weight.is_finite() && item.weight >= 0.0) {
                    err(
                        format!("{key}.weight"),
                        format!("must be a number >= 0, got {}", item.weight),
                    );
                }
                for (k, v) in [
                    ("first_s", item.window.first_s),
                    ("last_s", item.window.last_s),
                ] {
                    if let Some(v) = v
                        && !(v.is_finite() && v > 0.0)
                    {
                        err(
                            format!("{key}.window.{k}"),
                            format!("must be a positive number of seconds, got {v}"),
                        );
                    }
                }
                for (k, v) in [
                    ("min_score", item.min_score),
                    ("review_min_score", item.review_min_score),
                ] {
                    if let Some(v) = v
                        && !(0.0..=1.0).contains(&v)
                    {
                        err(
                            format!("{key}.{k}"),
                            format!("must be a probability in [0, 1], got {v}"),
                        );
                    }
                }
                if let (Some(r), Some(m)) = (item.review_min_score, item.min_score)
                    && r > m
                {
                    err(
                        format!("{key}.review_min_score"),
                        format!("must not be above min_score ({m}), got {r}"),
                    );
                }
                match Detector::parse(&item.detector, step_labels, sentiment_labels) {
                    Ok(d) => {
                        if item.review_min_score.is_some() && d != Detector::Courtesy {
                            err(
                                format!("{key}.review_min_score"),
                                "only a courtesy item has a review threshold".into(),
                            );
                        }
                        if matches!(d, Detector::PhraseRequired | Detector::PhraseForbidden)
                            && item.phrases.is_empty()
                        {
                            err(
                                format!("{key}.phrases"),
                                "a phrase detector needs at least one phrase".into(),
                            );
                        }
                        section_detectors.push(d);
                    }
                    Err(m) => {
                        err(format!("{key}.detector"), m);
                        section_detectors.push(Detector::Courtesy);
                    }
                }
            }
            detectors.push(section_detectors);
        }
        if errors.is_empty() {
            Ok(Form { config, detectors })
        } else {
            Err(errors)
        }
    }

    /// Items in form order with their detectors.
    pub fn items(&self) -> impl Iterator<Item = (&SectionConfig, &ItemConfig, &Detector)> {
        self.config
            .sections
            .iter()
            .zip(&self.detectors)
            .flat_map(|(section, dets)| {
                section
                    .items
                    .iter()
                    .zip(dets)
                    .map(move |(item, det)| (section, item, det))
            })
    }

    /// The metric knobs this form sets.
    pub fn metric_options(&self) -> crate::metrics::MetricOptions {
        crate::metrics::MetricOptions {
            dead_air_limit_s: self.config.dead_air_limit_s,
            hold_min_s: self.config.hold_min_s,
            hold_announce_window_s: self.config.hold_announce_window_s,
            min_overtalk_ms: self.config.min_overtalk_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callqa_core::{SCRIPT_STEP_LABELS, SENTIMENT_LABELS};

    fn parse(s: &str) -> Result<Detector, String> {
        Detector::parse(s, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS)
    }

    #[test]
    fn detectors_parse() {
        assert_eq!(
            parse("script_step:greeting"),
            Ok(Detector::ScriptStep("greeting".into()))
        );
        assert_eq!(parse("courtesy"), Ok(Detector::Courtesy));
        assert_eq!(
            parse("metric:longest_dead_air_s <= 10"),
            Ok(Detector::Metric {
                name: "longest_dead_air_s".into(),
                op: Op::Le,
                value: 10.0
            })
        );
        assert_eq!(
            parse("sentiment:customer_end != negative"),
            Ok(Detector::Sentiment {
                speaker: Speaker::Customer,
                at: CallEnd::End,
                equal: false,
                label: "negative".into()
            })
        );
        assert!(
            parse("script_step:greetings")
                .unwrap_err()
                .contains("unknown script step")
        );
        assert!(
            parse("metric:nope <= 1")
                .unwrap_err()
                .contains("unknown metric")
        );
        assert!(
            parse("metric:hold_s =< 1")
                .unwrap_err()
                .contains("operator")
        );
        assert!(parse("sentiment:boss_end == negative").is_err());
        assert!(parse("vibes").unwrap_err().contains("unknown detector"));
    }

    #[test]
    fn validation_names_the_key_of_every_problem() {
        let toml_src = r#"
            name = "f"
            [[sections]]
            id = "s"
            [[sections.items]]
            id = "a"
            weight = 1
            detector = "script_step:greeting"
            [[sections.items]]
            id = "a"
            weight = -1
            detector = "phrase:required"
        "#;
        let config: FormConfig = toml::from_str(toml_src).expect("test TOML parses");
        let errors = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert!(keys.contains(&"form.sections[0].items[1].id"), "{keys:?}");
        assert!(
            keys.contains(&"form.sections[0].items[1].weight"),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"form.sections[0].items[1].phrases"),
            "{keys:?}"
        );
    }

    #[test]
    fn review_and_reliability_keys_are_checked() {
        let toml_src = r#"
            name = "f"
            min_asr_avg_logprob = 0.5
            min_role_confidence = 1.5
            [[sections]]
            id = "s"
            [[sections.items]]
            id = "courtesy"
            weight = 1
            detector = "courtesy"
            min_score = 0.7
            review_min_score = 0.8
            [[sections.items]]
            id = "greeting"
            weight = 1
            detector = "script_step:greeting"
            review_min_score = 0.5
        "#;
        let config: FormConfig = toml::from_str(toml_src).expect("test TOML parses");
        let errors = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        for k in [
            "form.min_asr_avg_logprob",
            "form.min_role_confidence",
            "form.sections[0].items[0].review_min_score",
            "form.sections[0].items[1].review_min_score",
        ] {
            assert!(keys.contains(&k), "{k} not in {keys:?}");
        }
        // Defaults: the calibrated ASR cut, 0.6 for roles, review band from 0.5 up to min_score.
        let config: FormConfig = toml::from_str(
            "name = \"f\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\n\
             weight = 1\ndetector = \"courtesy\"\nmin_score = 0.4\n",
        )
        .expect("test TOML parses");
        assert_eq!(config.min_asr_avg_logprob, DEFAULT_MIN_ASR_AVG_LOGPROB);
        assert_eq!(config.min_role_confidence, 0.6);
        let item = &config.sections[0].items[0];
        assert_eq!(item.courtesy_review_min_score(), Some(0.4));
        let mut item = item.clone();
        item.min_score = None;
        assert_eq!(item.courtesy_review_min_score(), None);
        item.min_score = Some(0.7);
        assert_eq!(item.courtesy_review_min_score(), Some(0.5));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let r: Result<FormConfig, _> = toml::from_str("name = \"f\"\nsections = []\ncolour = 3\n");
        assert!(r.unwrap_err().to_string().contains("colour"));
    }
}
