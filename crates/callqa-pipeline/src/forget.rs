//! Retention: `callqa forget` removes calls from every table of an output directory, by id or by
//! age, in one atomic ledger step ([`callqa_store::Store::forget`]), then deletes the replaced
//! part files so the removed rows are gone from disk, not only hidden.

use crate::run::{RunError, new_run_id};
use callqa_store::Store;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Which calls to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// These call ids.
    Calls(Vec<String>),
    /// Calls whose `call_date` is more than this many days before today.
    OlderThanDays(u64),
}

/// Today in the machine's local time zone (call dates are local dates).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// An age such as `365d` or `52w` in days.
pub fn parse_age(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let bad = || format!("{s:?} is not an age: use days or weeks, e.g. 365d or 52w");
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: u64 = num.parse().map_err(|_| bad())?;
    match unit {
        "d" => Ok(n),
        "w" => n.checked_mul(7).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// What a `forget` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ForgetSummary {
    /// Output directory.
    pub out: PathBuf,
    /// Run id of the ledger record that replaced the affected ones.
    pub run_id: String,
    /// With an age: calls dated before this day were removed.
    pub cutoff: Option<NaiveDate>,
    /// Calls removed.
    pub calls: usize,
    /// Call ids given that the store did not hold.
    pub not_found: Vec<String>,
    /// Rows removed per table (every run table named).
    pub removed: BTreeMap<String, u64>,
    /// Ledger records rewritten.
    pub records_rewritten: usize,
    /// Redacted audio copies (`calls.redacted_audio_uri` under the output folder) deleted.
    pub redacted_audio_deleted: usize,
}

/// Removes calls from every table of the store under `out` (see the module docs). Takes the
/// folder to itself: fails at once, naming it, while a run writes it. `today` anchors an age.
pub fn forget(
    out: &Path,
    which: &Which,
    today: NaiveDate,
    run_id: Option<String>,
) -> Result<ForgetSummary, RunError> {
    if !out.join(callqa_store::LEDGER_DIR).is_dir() {
        return Err(RunError::Usage(format!(
            "{}: not a callqa output directory (no {} folder)",
            out.display(),
            callqa_store::LEDGER_DIR
        )));
    }
    let mut store = Store::open_exclusive(out)?;
    let (ids, cutoff): (Vec<String>, Option<NaiveDate>) = match which {
        Which::Calls(ids) => (ids.clone(), None),
        Which::OlderThanDays(days) => {
            let cutoff = today.checked_sub_days(Days::new(*days)).ok_or_else(|| {
                RunError::Usage(format!("an age of {days} days reaches before any date"))
            })?;
            (callqa_store::calls_before(out, cutoff)?, Some(cutoff))
        }
    };
    let run_id = run_id.unwrap_or_else(|| format!("forget-{}", new_run_id()));
    let set: HashSet<String> = ids.iter().cloned().collect();
    // The calls' redacted audio copies go too: those a run wrote to `<out>/redacted_audio/`
    // (matched by file name, whichever way `--out` was spelled then).
    let audio: Vec<PathBuf> = callqa_store::read_rows::<callqa_store::CallRow>(out)?
        .into_iter()
        .filter(|c| set.contains(&c.call_id))
        .filter_map(|c| c.redacted_audio_uri.map(PathBuf::from))
        .filter(|p| p.parent().and_then(Path::file_name) == Some("redacted_audio".as_ref()))
        .filter_map(|p| p.file_name().map(|n| out.join("redacted_audio").join(n)))
        .collect();
    let done = store.forget(&run_id, &set)?;
    let mut redacted_audio_deleted = 0;
    for p in &audio {
        match std::fs::remove_file(p) {
            Ok(()) => redacted_audio_deleted += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(RunError::Usage(format!(
                    "{}: the call's rows are removed, but its redacted audio could not be deleted: {e}",
                    p.display()
                )));
            }
        }
    }
    drop(store);
    tracing::info!(out = %out.display(), calls = done.found.len(), records = done.records_rewritten, "calls forgotten");
    Ok(ForgetSummary {
        out: out.to_path_buf(),
        run_id,
        cutoff,
        calls: done.found.len(),
        not_found: done.not_found.into_iter().collect(),
        removed: done.removed,
        records_rewritten: done.records_rewritten,
        redacted_audio_deleted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_days_or_weeks() {
        assert_eq!(parse_age("365d"), Ok(365));
        assert_eq!(parse_age("52w"), Ok(364));
        for bad in ["", "d", "365", "12m", "-3d", "1.5d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
