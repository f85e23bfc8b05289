//! callqa's reports for people: takes a `callqa score` output directory (the committed `calls`,
//! `utterances`, `evaluations` and `call_scores` tables) and gives
//!
//! - [`build_report`]: the week's or month's figures for management — score distribution, teams
//!   and agents (mean, p10, p90, rank, change against the previous period), item pass rates and
//!   the items that fell most, customer sentiment start → end, auto-fails and reviews, the service
//!   star per team, and evidence examples for the weakest items; [`render_html`] turns it into one
//!   self-contained HTML file (inline CSS, inline SVG charts, no script, no external request);
//! - [`calibrate`]: agreement between callqa and human QA results read by [`read_human_csv`] —
//!   per item exact agreement, Cohen's kappa and confusion matrix, the disagreements with
//!   callqa's evidence, total-score mean absolute error and correlation, per analyst and between
//!   analysts.
//!
//! Transcript text shown anywhere is the redacted text (`utterances.text_redacted`).
//!
//! ```
//! use callqa_report::{ReportOptions, StoreData, build_report, render_html};
//! use callqa_store::{CallScoreRow, Period};
//! # fn main() -> Result<(), callqa_report::ReportError> {
//! let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
//! let score = |id: &str, agent: &str, total: f64| CallScoreRow {
//!     call_id: id.into(), call_date: day, agent_id: Some(agent.into()), team: Some("north".into()),
//!     form: "inbound-en".into(), total_score: total, auto_fail: false, needs_review: false,
//!     review_reasons: vec![], items_passed: 0, items_failed: 0, items_na: 0,
//!     customer_sentiment_start: None, customer_sentiment_end: None,
//!     customer_sentiment_start_score: None, customer_sentiment_end_score: None,
//!     duration_s: 60.0, agent_talk_s: 30.0, customer_talk_s: 20.0, agent_talk_ratio: 0.6,
//!     silence_ratio: 0.2, longest_silence_s: 2.0, longest_dead_air_s: 2.0, dead_air_count: 0,
//!     hold_count: 0, hold_s: 0.0, overtalk_count: 0, overtalk_s: 0.0, agent_interruptions: 0,
//!     customer_interruptions: 0, agent_speech_rate: 150.0, agent_first_words_s: Some(0.5),
//! };
//! let data = StoreData {
//!     call_scores: vec![score("c1", "A1", 90.0), score("c2", "A1", 80.0), score("c3", "A2", 70.0)],
//!     ..Default::default()
//! };
//! let opts = ReportOptions { period: Period::Month, star_min_calls: 2, ..Default::default() };
//! let report = build_report(&data, &opts)?;
//! assert_eq!(report.calls, 3);
//! assert_eq!(report.teams[0].star.as_deref(), Some("A1")); // A2 has fewer than 2 calls
//! let html = render_html(&report);
//! assert!(html.contains("<svg") && !html.contains("https://"));
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod calibrate;
mod html;
mod report;
mod svg;
#[cfg(test)]
mod testdata;

pub use calibrate::{
    AnalystAgreement, Calibration, Confusion, Disagreement, HumanRow, ItemAgreement, Outcome,
    ScoreAgreement, calibrate, cohen_kappa, read_human_csv,
};
pub use html::{escape, render_html};
pub use report::{
    Evidence, FlaggedCall, ItemRate, Report, ReportOptions, Sentiment, TeamBlock, WeakItem,
    build_report, parse_day, parse_month,
};

use callqa_store::{
    CallRow, CallScoreRow, EvaluationRow, StoreError, UtteranceRow, read_current_rows,
};
use std::path::{Path, PathBuf};

/// What went wrong, naming the file (or output directory) it happened to.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the stored tables failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The directory is not a `callqa score` output directory.
    #[error("{}: not a callqa output directory (no _ledger; run `callqa score ... --out {}` first)", .0.display(), .0.display())]
    NotAnOutputDir(PathBuf),
    /// No scored call falls in the requested period (or none at all).
    #[error("no scored calls {0}")]
    NoCalls(String),
    /// A bad row or header in a human QA CSV.
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number (1 = the header).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A bad argument value (month, week date).
    #[error("{0}")]
    Invalid(String),
}

/// The stored tables a report or a calibration reads, held in memory.
#[derive(Debug, Clone, Default)]
pub struct StoreData {
    /// `calls` rows (call start times).
    pub calls: Vec<CallRow>,
    /// `call_scores` rows.
    pub call_scores: Vec<CallScoreRow>,
    /// `evaluations` rows.
    pub evaluations: Vec<EvaluationRow>,
    /// `utterances` rows (only `text_redacted` is ever shown).
    pub utterances: Vec<UtteranceRow>,
}

impl StoreData {
    /// Reads the committed rows of an output directory of `callqa score` (each call's newest
    /// scoring only, see [`callqa_store::read_current_rows`]).
    pub fn load(out: impl AsRef<Path>) -> Result<StoreData, ReportError> {
        let out = out.as_ref();
        if !out.join(callqa_store::LEDGER_DIR).is_dir() {
            return Err(ReportError::NotAnOutputDir(out.to_path_buf()));
        }
        Ok(StoreData {
            calls: read_current_rows(out)?,
            call_scores: read_current_rows(out)?,
            evaluations: read_current_rows(out)?,
            utterances: read_current_rows(out)?,
        })
    }
}
