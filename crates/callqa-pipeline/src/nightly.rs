//! The run report of `callqa score --report FILE.json`, for monitoring unattended (nightly) runs:
//! counts, failures (call id, stage, kind), durations, the versions of callqa, the pipelines and
//! their models, and the exit status. Written atomically (a temporary file, then a rename), also
//! when the run could not start.

use crate::dates::DateRange;
use crate::run::{CallFailure, Engines, PipelineVersions, RunSummary};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Exit status: every call scored or skipped.
pub const EXIT_OK: u8 = 0;
/// Exit status: the run could not start or had to stop (bad arguments or pipeline, models
/// missing, output folder locked or unwritable); `error` in the report says why.
pub const EXIT_NOT_RUN: u8 = 1;
/// Exit status: the run finished and some calls failed (`failures` in the report, rows in the
/// `errors` table); the others were scored.
pub const EXIT_SOME_FAILED: u8 = 2;

/// Version of the report format.
pub const REPORT_FORMAT: u32 = 1;

/// The report of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Report format version ([`REPORT_FORMAT`]).
    pub format: u32,
    /// callqa's version.
    pub callqa_version: String,
    /// When the run started (UTC).
    pub started_at: DateTime<Utc>,
    /// When it ended (UTC).
    pub finished_at: DateTime<Utc>,
    /// The exit status the command returns ([`EXIT_OK`], [`EXIT_NOT_RUN`], [`EXIT_SOME_FAILED`]).
    pub exit_code: u8,
    /// Why the run could not start or stopped (exit status 1).
    pub error: Option<String>,
    /// Output directory.
    pub out: PathBuf,
    /// The days scored (`--date` / `--since`), if limited.
    pub dates: Option<DateRange>,
    /// Run id (empty when the run did not start).
    pub run_id: String,
    /// Counts.
    pub counts: Counts,
    /// The failed calls.
    pub failures: Vec<CallFailure>,
    /// Durations, seconds: `wall` and per stage (summed over workers).
    pub durations_s: BTreeMap<String, f64>,
    /// Audio decoded, seconds.
    pub audio_s: f64,
    /// The pipelines and their models.
    pub pipelines: Vec<PipelineVersions>,
}

/// Call counts of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Calls given (after the date and shard selection), input errors included.
    pub calls: usize,
    /// Scored in this run.
    pub scored: usize,
    /// Skipped (already scored, duplicate recordings, scored by another run).
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Left out: outside the dates.
    pub outside_dates: usize,
    /// Dated by file modification time or run date (no date found).
    pub undated: usize,
    /// Older scorings replaced (`--supersede`).
    pub superseded: usize,
    /// Mean total score of the calls scored.
    pub mean_score: Option<f64>,
}

impl RunReport {
    /// The report of a run that ended with `summary`.
    pub fn finished(
        started_at: DateTime<Utc>,
        summary: &RunSummary,
        engines: &Engines,
        dates: Option<DateRange>,
    ) -> RunReport {
        let mut durations_s: BTreeMap<String, f64> = summary.stage_s.clone();
        durations_s.insert("wall".into(), summary.wall_s);
        RunReport {
            format: REPORT_FORMAT,
            callqa_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: Utc::now(),
            exit_code: summary.exit_code(),
            error: None,
            out: summary.out.clone(),
            dates,
            run_id: summary.run_id.clone(),
            counts: Counts {
                calls: summary.calls,
                scored: summary.scored,
                skipped: summary.skipped,
                failed: summary.failed,
                outside_dates: summary.outside_dates,
                undated: summary.undated,
                superseded: summary.superseded,
                mean_score: summary.mean_score,
            },
            failures: summary.failures.clone(),
            durations_s,
            audio_s: summary.audio_s,
            pipelines: engines.versions(),
        }
    }

    /// The report of a run that could not start or had to stop: `error` (one line), exit status
    /// [`EXIT_NOT_RUN`]; `engines` when the models were loaded.
    pub fn not_run(
        started_at: DateTime<Utc>,
        out: &Path,
        error: &str,
        engines: Option<&Engines>,
        dates: Option<DateRange>,
    ) -> RunReport {
        let finished_at = Utc::now();
        let wall = (finished_at - started_at).num_milliseconds().max(0) as f64 / 1000.0;
        RunReport {
            format: REPORT_FORMAT,
            callqa_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at,
            exit_code: EXIT_NOT_RUN,
            error: Some(error.replace('\n', " ")),
            out: out.to_path_buf(),
            dates,
            run_id: String::new(),
            counts: Counts::default(),
            failures: Vec::new(),
            durations_s: BTreeMap::from([("wall".to_string(), wall)]),
            audio_s: 0.0,
            pipelines: engines.map(Engines::versions).unwrap_or_default(),
        }
    }

    /// Writes the report as pretty JSON to `path` atomically (a temporary file beside it, then a
    /// rename), creating its folder.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report.json".into());
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_did_not_start_reports_its_error_and_exit_status() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("reports/run.json");
        let r = RunReport::not_run(Utc::now(), dir.path(), "out: locked\nby a run", None, None);
        r.write(&path).expect("write");
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        assert_eq!(v["exit_code"], EXIT_NOT_RUN);
        assert_eq!(v["error"], "out: locked by a run");
        assert_eq!(v["counts"]["scored"], 0);
        assert!(v["durations_s"]["wall"].is_number());
        assert_eq!(v["callqa_version"], env!("CARGO_PKG_VERSION"));
        let left: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
    }
}
