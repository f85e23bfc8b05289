//! Removing calls from every table: the live ledger records holding a call are replaced by one
//! record that holds their other rows (new part files) and supersedes them, so readers see the
//! rows with the call or without it, never a half-removed call. Used by `callqa forget`
//! (retention) and by `callqa score --supersede` (an older scoring of a call replaced).

use crate::StoreError;
use crate::current::{records_oldest_first, rows_by_record};
use crate::rows::{CallRow, ErrorRow, TableRow};
use crate::schema::Table;
use crate::store::{LedgerRecord, ShardRows, Store};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// What removing calls from a store takes: the rows of the affected ledger records that stay, and
/// the records to supersede. Commit `kept` with `kept_keys` through
/// [`Store::commit_shard_superseding`] with `supersedes` to remove the calls atomically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Removal {
    /// Rows of the affected records that are not about a removed call.
    pub kept: ShardRows,
    /// The affected records' call keys, less those of removed calls.
    pub kept_keys: Vec<String>,
    /// The affected records (`<run_id>-<shard>` stems).
    pub supersedes: Vec<String>,
    /// The affected records' part files (relative to the output directory): unused once a
    /// record superseding them is committed.
    pub replaced_files: Vec<String>,
    /// Rows removed, per table name (every run table named, zero where none went).
    pub removed: BTreeMap<String, u64>,
    /// The removed call ids found in the store.
    pub found: BTreeSet<String>,
}

impl Removal {
    /// True when no record holds any of the calls.
    pub fn is_empty(&self) -> bool {
        self.supersedes.is_empty()
    }
}

/// Which rows to remove.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    /// Every row of these calls, `errors` rows included (forgetting calls).
    Calls(&'a HashSet<String>),
    /// The scorings of these calls other than the one under the given call key (`call_id` →
    /// `call_key`); `errors` rows are kept (replacing older scorings: failures stay history).
    OtherScorings(&'a HashMap<String, String>),
}

impl Select<'_> {
    fn removes(&self, c: &CallRow) -> bool {
        match self {
            Select::Calls(ids) => ids.contains(&c.call_id),
            Select::OtherScorings(keep) => keep.get(&c.call_id).is_some_and(|k| *k != c.call_key),
        }
    }
}

/// Splits the rows of the affected records into kept and removed.
struct Splitter<'a> {
    out: &'a Path,
    /// The affected records, and per record the calls removed from it.
    affected: Vec<(LedgerRecord, HashSet<String>)>,
    removed: BTreeMap<String, u64>,
}

impl Splitter<'_> {
    fn split<T: TableRow>(&mut self, kept: &mut Vec<T>) -> Result<(), StoreError> {
        let n = self.removed.entry(T::TABLE.name().to_string()).or_default();
        let recs: Vec<LedgerRecord> = self.affected.iter().map(|(r, _)| r.clone()).collect();
        for (i, rows) in rows_by_record::<T>(self.out, &recs)? {
            let ids = &self.affected[i].1;
            for r in rows {
                if r.call_id().is_some_and(|id| ids.contains(id)) {
                    *n += 1;
                } else {
                    kept.push(r);
                }
            }
        }
        Ok(())
    }
}

/// Plans the removal of the rows `select` names from every run table of the store under `out`.
/// Reads the `calls` (and, forgetting, `errors`) files of every live record to find the affected
/// ones, then every file of those.
pub fn plan_removal(out: impl AsRef<Path>, select: Select) -> Result<Removal, StoreError> {
    let out = out.as_ref();
    let recs = records_oldest_first(out)?;
    // record index -> (call ids removed from it, call keys removed from it)
    let mut hit: BTreeMap<usize, (HashSet<String>, HashSet<String>)> = BTreeMap::new();
    let mut found: BTreeSet<String> = BTreeSet::new();
    for (i, rows) in rows_by_record::<CallRow>(out, &recs)? {
        for c in rows.iter().filter(|c| select.removes(c)) {
            let e = hit.entry(i).or_default();
            e.0.insert(c.call_id.clone());
            e.1.insert(c.call_key.clone());
            found.insert(c.call_id.clone());
        }
    }
    if let Select::Calls(ids) = select {
        for (i, rows) in rows_by_record::<ErrorRow>(out, &recs)? {
            for id in rows.iter().filter_map(|r| r.call_id.as_ref()) {
                if ids.contains(id) {
                    hit.entry(i).or_default().0.insert(id.clone());
                    found.insert(id.clone());
                }
            }
        }
    }
    let mut plan = Removal {
        found,
        ..Removal::default()
    };
    for t in Table::RUN_TABLES {
        plan.removed.insert(t.name().to_string(), 0);
    }
    if hit.is_empty() {
        return Ok(plan);
    }
    for (&i, (_, keys)) in &hit {
        let rec = &recs[i];
        plan.supersedes.push(rec.stem());
        plan.replaced_files
            .extend(rec.files.iter().map(|f| f.path.clone()));
        plan.kept_keys
            .extend(rec.call_keys.iter().filter(|k| !keys.contains(*k)).cloned());
    }
    let mut sp = Splitter {
        out,
        affected: hit
            .into_iter()
            .map(|(i, (ids, _))| (recs[i].clone(), ids))
            .collect(),
        removed: std::mem::take(&mut plan.removed),
    };
    let k = &mut plan.kept;
    sp.split(&mut k.calls)?;
    sp.split(&mut k.utterances)?;
    sp.split(&mut k.activity)?;
    sp.split(&mut k.evaluations)?;
    sp.split(&mut k.call_scores)?;
    match select {
        Select::Calls(_) => sp.split(&mut k.errors)?,
        Select::OtherScorings(_) => {
            let recs: Vec<LedgerRecord> = sp.affected.iter().map(|(r, _)| r.clone()).collect();
            for (_, rows) in rows_by_record::<ErrorRow>(out, &recs)? {
                k.errors.extend(rows);
            }
        }
    }
    plan.removed = sp.removed;
    Ok(plan)
}

/// The ids of the calls whose `call_date` is before `cutoff`.
pub fn calls_before(out: impl AsRef<Path>, cutoff: NaiveDate) -> Result<Vec<String>, StoreError> {
    let calls: Vec<CallRow> = crate::read_rows(out)?;
    let ids: BTreeSet<String> = calls
        .into_iter()
        .filter(|c| c.call_date < cutoff)
        .map(|c| c.call_id)
        .collect();
    Ok(ids.into_iter().collect())
}

/// What [`Store::forget`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forgotten {
    /// Rows removed per table name (every run table named).
    pub removed: BTreeMap<String, u64>,
    /// The given call ids that the store held.
    pub found: BTreeSet<String>,
    /// The given call ids that it did not hold.
    pub not_found: BTreeSet<String>,
    /// Ledger records replaced.
    pub records_rewritten: usize,
}

fn remove_file(p: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(p, e)),
    }
}

impl Store {
    /// Removes the calls `ids` from every run table (`errors` included) in one atomic step: the
    /// records holding them are superseded by one record (`<run_id>-0`) with their other rows;
    /// then the replaced part files and records are deleted.
    /// Open the store with [`Store::open_exclusive`]: nothing else may write it meanwhile.
    pub fn forget(&mut self, run_id: &str, ids: &HashSet<String>) -> Result<Forgotten, StoreError> {
        let plan = plan_removal(self.out_dir(), Select::Calls(ids))?;
        let not_found = ids
            .iter()
            .filter(|id| !plan.found.contains(*id))
            .cloned()
            .collect();
        if !plan.is_empty() {
            self.commit_shard_superseding(
                run_id,
                0,
                &plan.kept,
                &plan.kept_keys,
                &plan.supersedes,
            )?;
            // The removed rows leave the disk now, not at the next open: the replaced part files,
            // then the replaced records (a crash in between leaves records the new one hides).
            let out = self.out_dir().to_path_buf();
            for rel in &plan.replaced_files {
                remove_file(&out.join(rel))?;
            }
            for stem in &plan.supersedes {
                remove_file(&out.join(crate::LEDGER_DIR).join(format!("{stem}.json")))?;
            }
        }
        Ok(Forgotten {
            removed: plan.removed,
            found: plan.found,
            not_found,
            records_rewritten: plan.supersedes.len(),
        })
    }
}
