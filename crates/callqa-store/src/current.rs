//! The newest scoring of each call. A store can hold a call more than once: `callqa score` with a
//! newer pipeline version (without `--supersede`) commits a new scoring and keeps the older one.
//! Whatever aggregates (agent summaries, the report, the web app) reads only the newest: the rows
//! of the most recently committed ledger record holding the call.

use crate::StoreError;
use crate::rows::TableRow;
use crate::schema::Table;
use crate::store::{LedgerRecord, read_ledger, read_parquet};
use std::collections::HashMap;
use std::path::Path;

/// The order of live ledger records from oldest to newest commit (ties: run id, shard).
pub(crate) fn records_oldest_first(out: &Path) -> Result<Vec<LedgerRecord>, StoreError> {
    let mut recs = read_ledger(out)?;
    recs.sort_by(|a, b| {
        (&a.committed_at, &a.run_id, a.shard).cmp(&(&b.committed_at, &b.run_id, b.shard))
    });
    Ok(recs)
}

/// The partition value of a part file's path (`<table>/<column>=<value>/part-...`).
pub(crate) fn partition_of(rel: &str) -> String {
    rel.rsplit('/')
        .nth(1)
        .and_then(|d| d.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// Rows of table `T` per record: `(record index in `recs`, rows of that record's files)`.
pub(crate) fn rows_by_record<T: TableRow>(
    out: &Path,
    recs: &[LedgerRecord],
) -> Result<Vec<(usize, Vec<T>)>, StoreError> {
    let mut parts = Vec::new();
    for (i, rec) in recs.iter().enumerate() {
        let mut rows = Vec::new();
        for f in rec.files.iter().filter(|f| f.table == T::TABLE.name()) {
            rows.extend(read_parquet::<T>(
                &out.join(&f.path),
                &partition_of(&f.path),
            )?);
        }
        if !rows.is_empty() {
            parts.push((i, rows));
        }
    }
    Ok(parts)
}

/// Every committed row of one table, keeping for each call only the rows of its newest scoring
/// (the most recently committed live ledger record whose files of this table hold the call).
/// Rows about no call (`errors` rows without a call id) are all kept; `agent_summary` reads as
/// [`crate::read_rows`].
pub fn read_current_rows<T: TableRow>(out: impl AsRef<Path>) -> Result<Vec<T>, StoreError> {
    let out = out.as_ref();
    if !Table::RUN_TABLES.contains(&T::TABLE) {
        return crate::read_rows(out);
    }
    let recs = records_oldest_first(out)?;
    let parts = rows_by_record::<T>(out, &recs)?;
    let mut newest: HashMap<&str, usize> = HashMap::new();
    for (rank, rows) in &parts {
        for id in rows.iter().filter_map(TableRow::call_id) {
            newest.insert(id, *rank); // parts go oldest first: the last one seen wins
        }
    }
    let keep: Vec<Vec<bool>> = parts
        .iter()
        .map(|(rank, rows)| {
            rows.iter()
                .map(|r| r.call_id().is_none_or(|id| newest.get(id) == Some(rank)))
                .collect()
        })
        .collect();
    let mut out_rows = Vec::new();
    for ((_, rows), keep) in parts.into_iter().zip(keep) {
        out_rows.extend(
            rows.into_iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(r, _)| r),
        );
    }
    Ok(out_rows)
}
