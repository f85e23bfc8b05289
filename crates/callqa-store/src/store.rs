//! The output directory: atomic shard commits guarded by a run ledger, orphan clean-up on open,
//! and readers that see committed part files only. Several processes may write one directory at
//! once (see [`crate::lock`] for the folder lock, run locks and per-call claims).

use crate::StoreError;
use crate::lock::{self, Held, Mode};
use crate::rows::{
    ActivityRow, CallRow, CallScoreRow, ErrorRow, EvaluationRow, RowError, TableRow, UtteranceRow,
    to_batch,
};
use crate::schema::Table;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Most rows in one Parquet row group.
pub const MAX_ROW_GROUP_ROWS: usize = 128 * 1024;

/// The ledger directory under the output directory.
pub const LEDGER_DIR: &str = "_ledger";

/// Version of the ledger record format.
pub const LEDGER_FORMAT: u32 = 1;

/// The rows one shard of a run commits, all tables at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShardRows {
    /// `calls` rows.
    pub calls: Vec<CallRow>,
    /// `utterances` rows.
    pub utterances: Vec<UtteranceRow>,
    /// `activity` rows.
    pub activity: Vec<ActivityRow>,
    /// `evaluations` rows.
    pub evaluations: Vec<EvaluationRow>,
    /// `call_scores` rows.
    pub call_scores: Vec<CallScoreRow>,
    /// `errors` rows.
    pub errors: Vec<ErrorRow>,
}

impl ShardRows {
    /// Total rows over every table.
    pub fn len(&self) -> usize {
        self.calls.len()
            + self.utterances.len()
            + self.activity.len()
            + self.evaluations.len()
            + self.call_scores.len()
            + self.errors.len()
    }

    /// True when there is no row at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One part file a ledger record lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerFile {
    /// Table name.
    pub table: String,
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Rows in the file.
    pub rows: u64,
}

/// The commit record of one shard: `_ledger/<run_id>-<shard>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRecord {
    /// Record format version ([`LEDGER_FORMAT`]).
    pub format: u32,
    /// Run id.
    pub run_id: String,
    /// Shard number within the run.
    pub shard: u32,
    /// When the shard was committed (RFC 3339, UTC).
    pub committed_at: String,
    /// Call keys the shard completed (these calls are skipped by later runs).
    pub call_keys: Vec<String>,
    /// Part files the shard committed.
    pub files: Vec<LedgerFile>,
    /// Records (`<run_id>-<shard>` stems) this one replaces: from the moment this record exists,
    /// readers ignore those records, their part files and their call keys, and the next
    /// [`Store::open`] deletes them. `callqa rescore` replaces a whole output directory this way
    /// in one atomic step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
}

impl LedgerRecord {
    /// `<run_id>-<shard>`: the record's file stem and its name in `supersedes` lists.
    pub fn stem(&self) -> String {
        format!("{}-{}", self.run_id, self.shard)
    }
}

/// A handle on an output directory.
///
/// [`Store::open`] holds the folder lock shared, so any number of `score` runs may write at once:
/// each commits its own shards, and [`Store::claims`] keeps them from scoring the same call
/// twice. [`Store::open_exclusive`] is for operations that rewrite committed rows (in-place
/// rescoring, forgetting calls): it fails at once while any other handle is open, and opening
/// fails at once while it is held.
#[derive(Debug)]
pub struct Store {
    out: PathBuf,
    done: HashSet<String>,
    committed: BTreeSet<String>,
    orphans_removed: usize,
    /// The folder lock, shared or exclusive; released on drop.
    _folder: Held,
    /// The run locks this handle took (one per run id it committed), removed on drop.
    run_locks: HashMap<String, Held>,
}

impl Drop for Store {
    fn drop(&mut self) {
        for (_, held) in self.run_locks.drain() {
            held.remove();
        }
    }
}

impl Store {
    /// Opens (creating it if needed) an output directory for writing alongside other runs: takes
    /// the folder lock shared (failing at once with [`StoreError::Locked`] while an exclusive
    /// operation holds it), reads every ledger record, and deletes the part files and temporary
    /// files of interrupted runs (present, listed in no ledger record, and their run's lock
    /// free); a live run's not-yet-committed files are left alone.
    pub fn open(out: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_mode(out.as_ref(), Mode::Shared)
    }

    /// As [`Store::open`], with the folder to itself: fails at once with [`StoreError::Locked`]
    /// (naming the folder) while another handle (a `score` run) has it open. For operations that
    /// rewrite or delete committed rows.
    pub fn open_exclusive(out: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_mode(out.as_ref(), Mode::Exclusive)
    }

    fn open_mode(out: &Path, mode: Mode) -> Result<Store, StoreError> {
        let out = out.to_path_buf();
        let ledger_dir = out.join(LEDGER_DIR);
        fs::create_dir_all(&ledger_dir).map_err(|e| StoreError::io(&ledger_dir, e))?;
        let folder = lock::try_lock(&lock::store_lock_path(&out), mode)?.ok_or_else(|| {
            StoreError::Locked {
                path: out.clone(),
                exclusive: mode == Mode::Exclusive,
            }
        })?;
        let (orphans, removed) = remove_leftovers(&out)?;
        let (live, _) = read_ledger_split(&out, &mut |_| {})?;
        let mut done = HashSet::new();
        let mut committed = BTreeSet::new();
        for rec in live {
            done.extend(rec.call_keys);
            committed.extend(rec.files.into_iter().map(|f| f.path));
        }
        if orphans > 0 || removed > 0 {
            tracing::warn!(
                out = %out.display(),
                orphan_parts = orphans,
                temp_files = removed,
                "removed files of an interrupted run"
            );
        }
        for rel in &committed {
            if !out.join(rel).exists() {
                tracing::warn!(file = %rel, "a ledger record lists a part file that is missing");
            }
        }
        tracing::debug!(out = %out.display(), done = done.len(), files = committed.len(), "store opened");
        Ok(Store {
            out,
            done,
            committed,
            orphans_removed: orphans,
            _folder: folder,
            run_locks: HashMap::new(),
        })
    }

    /// Per-call claims on this directory, for workers that score calls while other runs write
    /// it too (see [`Claims`]).
    pub fn claims(&self) -> Claims {
        Claims {
            out: self.out.clone(),
            view: Mutex::new(LedgerView::default()),
        }
    }

    /// Takes the lock of run `run_id` (once per handle): its files are then never taken for an
    /// interrupted run's.
    fn lock_run(&mut self, run_id: &str) -> Result<(), StoreError> {
        if self.run_locks.contains_key(run_id) {
            return Ok(());
        }
        let path = lock::run_lock_path(&self.out, run_id);
        let held = lock::try_lock(&path, Mode::Exclusive)?.ok_or_else(|| StoreError::RunBusy {
            path: path.clone(),
            run_id: run_id.to_string(),
        })?;
        self.run_locks.insert(run_id.to_string(), held);
        Ok(())
    }

    /// The output directory.
    pub fn out_dir(&self) -> &Path {
        &self.out
    }

    /// True when a committed shard lists this call key.
    pub fn is_done(&self, call_key: &str) -> bool {
        self.done.contains(call_key)
    }

    /// Number of call keys committed so far.
    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// Part files of interrupted runs that [`Store::open`] deleted.
    pub fn orphans_removed(&self) -> usize {
        self.orphans_removed
    }

    /// Commits one shard: writes every table's part files (one per table and partition) under
    /// temporary names, fsyncs, renames them into place, then writes the ledger record that makes
    /// them visible. A crash before the ledger record leaves orphans that the next
    /// [`Store::open`] deletes, so the rerun processes the shard's calls again without duplicates.
    ///
    /// `call_keys` are the calls this shard completed; pass only calls that were scored, so that
    /// failed calls (in `rows.errors`) are retried by the next run.
    pub fn commit_shard(
        &mut self,
        run_id: &str,
        shard: u32,
        rows: &ShardRows,
        call_keys: &[String],
    ) -> Result<LedgerRecord, StoreError> {
        self.commit_shard_superseding(run_id, shard, rows, call_keys, &[])
    }

    /// The stems (`<run_id>-<shard>`) of every live ledger record.
    pub fn committed_records(&self) -> Result<Vec<String>, StoreError> {
        Ok(read_ledger(&self.out)?
            .iter()
            .map(LedgerRecord::stem)
            .collect())
    }

    /// As [`Store::commit_shard`], and the new record replaces the records named in `supersedes`
    /// (see [`LedgerRecord::supersedes`]): one rename swaps the old rows for the new ones.
    pub fn commit_shard_superseding(
        &mut self,
        run_id: &str,
        shard: u32,
        rows: &ShardRows,
        call_keys: &[String],
        supersedes: &[String],
    ) -> Result<LedgerRecord, StoreError> {
        check_name(run_id)?;
        self.lock_run(run_id)?;
        let stem = format!("{run_id}-{shard}");
        let ledger_dir = self.out.join(LEDGER_DIR);
        let ledger_path = ledger_dir.join(format!("{stem}.json"));
        if ledger_path.exists() {
            return Err(StoreError::ShardExists { path: ledger_path });
        }
        let file_name = format!("part-{stem}.parquet");
        let mut staged: Vec<(PathBuf, PathBuf, LedgerFile)> = Vec::new();
        let result = (|| -> Result<(), StoreError> {
            stage_table(&self.out, &file_name, &rows.calls, &mut staged)?;
            stage_table(&self.out, &file_name, &rows.utterances, &mut staged)?;
            stage_table(&self.out, &file_name, &rows.activity, &mut staged)?;
            stage_table(&self.out, &file_name, &rows.evaluations, &mut staged)?;
            stage_table(&self.out, &file_name, &rows.call_scores, &mut staged)?;
            stage_table(&self.out, &file_name, &rows.errors, &mut staged)?;
            Ok(())
        })();
        if let Err(e) = result {
            for (tmp, _, _) in &staged {
                remove(tmp);
            }
            return Err(e);
        }
        // Rename into place. A failure part-way leaves renamed files without a ledger record:
        // try to remove them now; the next open removes whatever is left.
        let mut dirs = BTreeSet::new();
        for (i, (tmp, fin, _)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, fin) {
                for (t, f, _) in &staged[..i] {
                    remove(f);
                    remove(t);
                }
                for (t, _, _) in &staged[i..] {
                    remove(t);
                }
                return Err(StoreError::io(fin, e));
            }
            if let Some(d) = fin.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        let record = LedgerRecord {
            format: LEDGER_FORMAT,
            run_id: run_id.to_string(),
            shard,
            committed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            call_keys: call_keys.to_vec(),
            files: staged.iter().map(|(_, _, f)| f.clone()).collect(),
            supersedes: supersedes.to_vec(),
        };
        let json = serde_json::to_vec_pretty(&record).map_err(|e| StoreError::Invalid {
            path: ledger_path.clone(),
            message: e.to_string(),
        })?;
        let tmp = ledger_dir.join(format!(".{stem}.json.tmp"));
        write_synced(&tmp, &json)?;
        fs::rename(&tmp, &ledger_path).map_err(|e| StoreError::io(&ledger_path, e))?;
        sync_dir(&ledger_dir)?;
        if !supersedes.is_empty() {
            // Re-read: the replaced records' keys and files are no longer committed.
            let (live, _) = read_ledger_split(&self.out, &mut |_| {})?;
            self.done = live
                .iter()
                .flat_map(|r| r.call_keys.iter().cloned())
                .collect();
            self.committed = live
                .iter()
                .flat_map(|r| r.files.iter().map(|f| f.path.clone()))
                .collect();
        } else {
            self.done.extend(call_keys.iter().cloned());
            self.committed
                .extend(record.files.iter().map(|f| f.path.clone()));
        }
        tracing::debug!(
            run_id,
            shard,
            files = record.files.len(),
            rows = rows.len(),
            "shard committed"
        );
        Ok(record)
    }
}

/// The run id in a part or temporary file's stem `<run_id>-<shard>`.
fn run_of_stem(stem: &str) -> &str {
    stem.rsplit_once('-').map_or(stem, |(run, _)| run)
}

/// The stem `<run_id>-<shard>` of a part file (`part-<stem>.parquet`), a staged part file
/// (`.part-<stem>.parquet.tmp`) or a staged ledger record (`.<stem>.json.tmp`).
fn stem_of_file(name: &str) -> Option<&str> {
    if let Some(s) = name.strip_prefix(".part-") {
        return s.strip_suffix(".parquet.tmp");
    }
    if let Some(s) = name.strip_prefix("part-") {
        return s.strip_suffix(".parquet");
    }
    name.strip_prefix('.')?.strip_suffix(".json.tmp")
}

/// Deletes what interrupted runs left: part files no live ledger record lists, temporary files,
/// superseded ledger records, and lock files nobody holds. A file is an interrupted run's only
/// while its run's lock can be taken; the ledger is read again under those locks, so a run that
/// committed and ended meanwhile keeps its files. Gives (orphan part files, temporary files and
/// superseded records) removed.
fn remove_leftovers(out: &Path) -> Result<(usize, usize), StoreError> {
    let ledger_dir = out.join(LEDGER_DIR);
    let (live, superseded) = read_ledger_split(out, &mut |_| {})?;
    let committed: BTreeSet<String> = live
        .iter()
        .flat_map(|r| r.files.iter().map(|f| f.path.clone()))
        .collect();
    // (path, relative path or None for temporaries, run id)
    let mut candidates: Vec<(PathBuf, Option<String>, String)> = Vec::new();
    for t in Table::RUN_TABLES {
        for (path, rel) in part_files(out, t, true)? {
            let name = file_name(&path);
            let Some(stem) = stem_of_file(&name) else {
                continue;
            };
            let run = run_of_stem(stem).to_string();
            if name.starts_with('.') {
                candidates.push((path, None, run));
            } else if !committed.contains(&rel) {
                candidates.push((path, Some(rel), run));
            }
        }
    }
    if let Ok(entries) = fs::read_dir(&ledger_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = stem_of_file(&name).filter(|_| name.ends_with(".json.tmp")) {
                let run = run_of_stem(stem).to_string();
                candidates.push((e.path(), None, run));
            }
        }
    }
    let mut dead: HashMap<String, Option<Held>> = HashMap::new();
    let runs = candidates
        .iter()
        .map(|(_, _, r)| r.clone())
        .chain(superseded.iter().map(|s| run_of_stem(s).to_string()));
    for run in runs {
        if dead.contains_key(&run) || check_name(&run).is_err() {
            continue;
        }
        let held = lock::try_lock(&lock::run_lock_path(out, &run), Mode::Exclusive)?;
        dead.insert(run, held);
    }
    let is_dead = |run: &str| dead.get(run).is_some_and(Option::is_some);
    let (mut orphans, mut removed) = (0usize, 0usize);
    if dead.values().any(Option::is_some) {
        // Under the dead runs' locks: what is committed now stays.
        let (live, superseded) = read_ledger_split(out, &mut |_| {})?;
        let committed: BTreeSet<String> = live
            .iter()
            .flat_map(|r| r.files.iter().map(|f| f.path.clone()))
            .collect();
        for (path, rel, run) in &candidates {
            if !is_dead(run) {
                continue;
            }
            match rel {
                None => {
                    remove(path);
                    removed += 1;
                }
                Some(rel) if !committed.contains(rel) => {
                    remove(path);
                    orphans += 1;
                }
                Some(_) => {}
            }
        }
        // Superseded records go after their part files (removed above as orphans): a crash in
        // between leaves records that the superseding record still hides.
        for stem in &superseded {
            if is_dead(run_of_stem(stem)) {
                remove(&ledger_dir.join(format!("{stem}.json")));
                removed += 1;
            }
        }
    }
    for held in dead.into_values().flatten() {
        held.remove();
    }
    // Lock files of ended runs and released claims that nobody holds.
    for sub in ["runs", "claims"] {
        let dir = out.join(lock::LOCK_DIR).join(sub);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(Some(held)) = lock::try_lock(&e.path(), Mode::Exclusive) {
                held.remove();
            }
        }
    }
    Ok((orphans, removed))
}

/// What [`Claims::try_claim`] found.
#[derive(Debug)]
pub enum ClaimOutcome {
    /// The call is this process's to score; keep the claim until its shard is committed.
    Claimed(Claim),
    /// Another live run holds the claim: it is scoring the call now.
    InFlight,
    /// A ledger record lists the call (another run committed it since this one started).
    Done,
}

/// A held claim on one call. Dropping it frees the call for other runs;
/// [`Claim::release`] also removes its file (do that once the call's shard is committed).
#[derive(Debug)]
pub struct Claim {
    held: Held,
    key: String,
}

impl Claim {
    /// The call key claimed.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Frees the call and removes its claim file.
    pub fn release(self) {
        self.held.remove();
    }
}

/// The call keys that committed ledger records list, read incrementally.
#[derive(Debug, Default)]
struct LedgerView {
    stems: HashSet<String>,
    done: HashSet<String>,
}

/// Per-call claims on an output directory (`_locks/claims/<call_key>.lock`, an exclusive flock
/// while the call is in flight), so that runs writing the same directory at once score each call
/// once. Shared by a run's workers (`&self`).
///
/// ```
/// use callqa_store::{ClaimOutcome, Store};
/// # fn main() -> Result<(), callqa_store::StoreError> {
/// let out = tempfile::tempdir().map_err(|e| callqa_store::StoreError::io("tmp", e))?;
/// let mut store = Store::open(out.path())?;
/// let claims = store.claims();
/// let ClaimOutcome::Claimed(claim) = claims.try_claim("key-c1")? else { unreachable!() };
/// // A second run (here a second handle) finds the call in flight...
/// let other = Store::open(out.path())?.claims();
/// assert!(matches!(other.try_claim("key-c1")?, ClaimOutcome::InFlight));
/// // ...and, once the first commits it and lets go, done.
/// store.commit_shard("run1", 0, &Default::default(), &["key-c1".to_string()])?;
/// claim.release();
/// assert!(matches!(other.try_claim("key-c1")?, ClaimOutcome::Done));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Claims {
    out: PathBuf,
    view: Mutex<LedgerView>,
}

impl Claims {
    /// Claims a call without waiting. After taking the claim the ledger is read again (the
    /// records written since the last look), so a call another run committed meanwhile comes
    /// back [`ClaimOutcome::Done`].
    pub fn try_claim(&self, call_key: &str) -> Result<ClaimOutcome, StoreError> {
        check_name(call_key)?;
        let path = lock::claim_path(&self.out, call_key);
        let Some(held) = lock::try_lock(&path, Mode::Exclusive)? else {
            return Ok(ClaimOutcome::InFlight);
        };
        if self.is_committed(call_key)? {
            held.remove();
            return Ok(ClaimOutcome::Done);
        }
        Ok(ClaimOutcome::Claimed(Claim {
            held,
            key: call_key.to_string(),
        }))
    }

    /// True when a live ledger record lists the call key (records are read as they appear).
    pub fn is_committed(&self, call_key: &str) -> Result<bool, StoreError> {
        let mut view = self.view.lock().unwrap_or_else(|p| p.into_inner());
        let dir = self.out.join(LEDGER_DIR);
        let mut fresh = Vec::new();
        for e in fs::read_dir(&dir).map_err(|e| StoreError::io(&dir, e))? {
            let name = e
                .map_err(|e| StoreError::io(&dir, e))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if let Some(stem) = name
                .strip_suffix(".json")
                .filter(|_| !name.starts_with('.'))
                && !view.stems.contains(stem)
            {
                fresh.push(stem.to_string());
            }
        }
        let mut rebuild = false;
        for stem in fresh {
            let path = dir.join(format!("{stem}.json"));
            let rec = match fs::read(&path) {
                Ok(bytes) => serde_json::from_slice::<LedgerRecord>(&bytes).map_err(|e| {
                    StoreError::Invalid {
                        path: path.clone(),
                        message: format!("not a ledger record: {e}"),
                    }
                })?,
                // Superseded and removed since the listing.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(&path, e)),
            };
            rebuild |= !rec.supersedes.is_empty();
            view.done.extend(rec.call_keys);
            view.stems.insert(stem);
        }
        if rebuild {
            // A record replaced others: their keys no longer count.
            let (live, _) = read_ledger_split(&self.out, &mut |_| {})?;
            view.done = live
                .iter()
                .flat_map(|r| r.call_keys.iter().cloned())
                .collect();
        }
        Ok(view.done.contains(call_key))
    }
}

/// Writes each partition's rows of one table to a temporary file beside its final name.
fn stage_table<T: TableRow>(
    out: &Path,
    file_name: &str,
    rows: &[T],
    staged: &mut Vec<(PathBuf, PathBuf, LedgerFile)>,
) -> Result<(), StoreError> {
    let table = T::TABLE;
    let mut parts: BTreeMap<String, Vec<&T>> = BTreeMap::new();
    for r in rows {
        parts.entry(r.partition_value()).or_default().push(r);
    }
    for (value, rows) in parts {
        check_name(&value)?;
        let dir_rel = format!("{}/{}={}", table.name(), table.partition_column(), value);
        let dir = out.join(&dir_rel);
        fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let fin = dir.join(file_name);
        let tmp = dir.join(format!(".{file_name}.tmp"));
        write_parquet(&tmp, &rows)?;
        staged.push((
            tmp,
            fin,
            LedgerFile {
                table: table.name().to_string(),
                path: format!("{dir_rel}/{file_name}"),
                rows: rows.len() as u64,
            },
        ));
    }
    Ok(())
}

/// The writer settings of every part file: zstd level 3, row groups of at most
/// [`MAX_ROW_GROUP_ROWS`] rows.
pub fn writer_properties() -> WriterProperties {
    let level = ZstdLevel::try_new(3).unwrap_or_default();
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .set_created_by(format!("callqa-store {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Writes rows to one Parquet file (the file schema of their table), fsynced.
pub fn write_parquet<T: TableRow>(path: &Path, rows: &[&T]) -> Result<(), StoreError> {
    let wrap = |e: RowError| StoreError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::create(path).map_err(|e| StoreError::io(path, e))?;
    let schema = T::TABLE.file_schema();
    let pq = |e| StoreError::Parquet {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = ArrowWriter::try_new(file, schema, Some(writer_properties())).map_err(pq)?;
    for chunk in rows.chunks(MAX_ROW_GROUP_ROWS) {
        let batch = to_batch(chunk).map_err(wrap)?;
        w.write(&batch).map_err(pq)?;
    }
    let file = w.into_inner().map_err(pq)?;
    file.sync_all().map_err(|e| StoreError::io(path, e))?;
    Ok(())
}

/// Reads every row of one Parquet part file; `partition` is the value of its directory's
/// `<column>=<value>`.
pub fn read_parquet<T: TableRow>(path: &Path, partition: &str) -> Result<Vec<T>, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let pq = |e| StoreError::Parquet {
        path: path.to_path_buf(),
        source: e,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(pq)?
        .build()
        .map_err(pq)?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| StoreError::Arrow {
            path: path.to_path_buf(),
            source: e,
        })?;
        out.extend(
            T::from_batch(&batch, partition).map_err(|e| StoreError::Invalid {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?,
        );
    }
    Ok(out)
}

/// Every committed row of one table under an output directory.
///
/// Run tables: only part files a ledger record lists (an interrupted or concurrent run's files are
/// not seen). `agent_summary`: every part file. A missing table directory reads as no rows.
pub fn read_rows<T: TableRow>(out: impl AsRef<Path>) -> Result<Vec<T>, StoreError> {
    let out = out.as_ref();
    let table = T::TABLE;
    let committed: Option<BTreeSet<String>> = if Table::RUN_TABLES.contains(&table) {
        let recs = read_ledger_with(out, &mut |_| {})?;
        Some(
            recs.into_iter()
                .flat_map(|r| r.files)
                .map(|f| f.path)
                .collect(),
        )
    } else {
        None
    };
    let mut rows = Vec::new();
    for (path, rel) in part_files(out, table, false)? {
        if let Some(c) = &committed
            && !c.contains(&rel)
        {
            continue;
        }
        let partition = path
            .parent()
            .map(file_name)
            .and_then(|d| d.split_once('=').map(|(_, v)| v.to_string()))
            .unwrap_or_default();
        rows.extend(read_parquet::<T>(&path, &partition)?);
    }
    Ok(rows)
}

/// Every live ledger record under an output directory (superseded ones left out), sorted by run
/// id and shard.
pub fn read_ledger(out: impl AsRef<Path>) -> Result<Vec<LedgerRecord>, StoreError> {
    read_ledger_with(out.as_ref(), &mut |_| {})
}

/// The live records, and the stems of records that a live record supersedes.
fn read_ledger_split(
    out: &Path,
    on_tmp: &mut dyn FnMut(&Path),
) -> Result<(Vec<LedgerRecord>, BTreeSet<String>), StoreError> {
    let all = read_all_ledger(out, on_tmp)?;
    let superseded: BTreeSet<String> = all
        .iter()
        .flat_map(|r| r.supersedes.iter().cloned())
        .collect();
    let live = all
        .into_iter()
        .filter(|r| !superseded.contains(&r.stem()))
        .collect();
    Ok((live, superseded))
}

fn read_ledger_with(
    out: &Path,
    on_tmp: &mut dyn FnMut(&Path),
) -> Result<Vec<LedgerRecord>, StoreError> {
    Ok(read_ledger_split(out, on_tmp)?.0)
}

fn read_all_ledger(
    out: &Path,
    on_tmp: &mut dyn FnMut(&Path),
) -> Result<Vec<LedgerRecord>, StoreError> {
    let dir = out.join(LEDGER_DIR);
    let mut recs = Vec::new();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(recs),
        Err(e) => return Err(StoreError::io(&dir, e)),
    };
    for entry in entries {
        let path = entry.map_err(|e| StoreError::io(&dir, e))?.path();
        let name = file_name(&path);
        if name.starts_with('.') {
            if name.ends_with(".tmp") {
                on_tmp(&path);
            }
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
        let rec: LedgerRecord =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Invalid {
                path: path.clone(),
                message: format!("not a ledger record: {e}"),
            })?;
        recs.push(rec);
    }
    recs.sort_by(|a, b| (&a.run_id, a.shard).cmp(&(&b.run_id, b.shard)));
    Ok(recs)
}

/// `(path, path relative to out with '/')` of the table's part files, sorted; `with_hidden` adds
/// files whose names start with `.` (temporaries).
fn part_files(
    out: &Path,
    table: Table,
    with_hidden: bool,
) -> Result<Vec<(PathBuf, String)>, StoreError> {
    let tdir = out.join(table.name());
    let mut files = Vec::new();
    let parts = match fs::read_dir(&tdir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(StoreError::io(&tdir, e)),
    };
    let prefix = format!("{}=", table.partition_column());
    for p in parts {
        let pdir = p.map_err(|e| StoreError::io(&tdir, e))?.path();
        let pname = file_name(&pdir);
        if !pdir.is_dir() || !pname.starts_with(&prefix) {
            continue;
        }
        for f in fs::read_dir(&pdir).map_err(|e| StoreError::io(&pdir, e))? {
            let path = f.map_err(|e| StoreError::io(&pdir, e))?.path();
            let name = file_name(&path);
            let visible = name.starts_with("part-") && name.ends_with(".parquet");
            let hidden = with_hidden && name.starts_with('.');
            if path.is_file() && (visible || hidden) {
                let rel = format!("{}/{}/{}", table.name(), pname, name);
                files.push((path, rel));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Run ids and partition values become file names: letters, digits, `.`, `_`, `-`, not starting
/// with `.` or `_`.
fn check_name(s: &str) -> Result<(), StoreError> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && !s.starts_with('.')
        && !s.starts_with('_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadName(s.to_string()))
    }
}

fn remove(p: &Path) {
    if let Err(e) = fs::remove_file(p)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(file = %p.display(), error = %e, "could not remove a leftover file");
    }
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let mut f = File::create(path).map_err(|e| StoreError::io(path, e))?;
    f.write_all(bytes).map_err(|e| StoreError::io(path, e))?;
    f.sync_all().map_err(|e| StoreError::io(path, e))
}

/// fsync a directory so a rename in it is durable (a no-op where directories cannot be opened).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    match File::open(dir) {
        Ok(f) => {
            let _ = f.sync_all();
            Ok(())
        }
        Err(e) if cfg!(unix) => Err(StoreError::io(dir, e)),
        Err(_) => Ok(()),
    }
}
