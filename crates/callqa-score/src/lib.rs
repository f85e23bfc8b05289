//! Scoring stage: evaluation forms and speech metrics.
//!
//! Takes a [`callqa_core::Transcript`] with per-utterance classifier judgements
//! ([`UtteranceJudgement`]: courtesy, script steps, sentiment) and an evaluation [`Form`] from a
//! pipeline TOML; gives a [`Scorecard`]: one result per item (`pass`, `fail` or `na`) with the
//! evidence that decided it, the weighted total 0-100, auto-fail, customer sentiment at start and
//! end, and the [`SpeechMetrics`] (talk ratio, silences, holds, overtalk, speech rate).
//!
//! ```
//! use callqa_core::{Speaker, Transcript, Utterance, SCRIPT_STEP_LABELS, SENTIMENT_LABELS};
//! use callqa_score::{evaluate, Form, FormConfig, StepHit, UtteranceJudgement};
//!
//! let config: FormConfig = toml::from_str(r#"
//!     name = "mini"
//!     [[sections]]
//!     id = "opening"
//!     [[sections.items]]
//!     id = "greeting"
//!     weight = 1
//!     detector = "script_step:greeting"
//!     window = { first_s = 15 }
//! "#).unwrap();
//! let form = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).unwrap();
//! let transcript = Transcript {
//!     language: "zh".into(), duration_ms: 5_000, roles_inferred: false, role_confidence: 1.0,
//!     utterances: vec![Utterance::new(0, Speaker::Agent, 500, 2_000, "您好，欢迎致电")],
//!     activity: vec![], dropped_segments: 0,
//! };
//! let judgements = vec![UtteranceJudgement {
//!     script_steps: vec![StepHit { step: "greeting".into(), score: 0.93 }],
//!     ..Default::default()
//! }];
//! let card = evaluate(&form, &transcript, &judgements);
//! assert_eq!(card.total_score, 100.0);
//! assert_eq!(card.items[0].evidence.idx, Some(0));
//! ```

#![deny(missing_docs)]

mod engine;
pub mod form;
pub mod metrics;

pub use engine::{
    Evidence, ItemResult, LabelScore, Outcome, Scorecard, StepHit, UtteranceJudgement, evaluate,
};
pub use form::{Detector, Form, FormConfig, FormError, ItemConfig, NaWhen, Window};
pub use metrics::{MetricOptions, SpeechMetrics};
