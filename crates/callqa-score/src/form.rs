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
    /// threshold); for `courtesy` the impolite label's before an utterance fails the item
    /// (default: whatever the model decides).
    #[serde(default)]
    pub min_score: Option<f32>,
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
                match Detector::parse(&item.detector, step_labels, sentiment_labels) {
                    Ok(d) => {
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
    fn unknown_keys_are_rejected() {
        let r: Result<FormConfig, _> = toml::from_str("name = \"f\"\nsections = []\ncolour = 3\n");
        assert!(r.unwrap_err().to_string().contains("colour"));
    }
}
