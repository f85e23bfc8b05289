//! callqa's output tables: takes the rows the pipeline produces per call (calls, utterances,
//! speech activity, evaluations, call scores, errors) and gives Hive-partitioned, zstd Parquet
//! tables under an output directory, committed atomically per shard with a run ledger that makes
//! runs resumable; reads them back into rows and computes agent summaries.
//!
//! ```
//! use callqa_store::{ActivityRow, ShardRows, Store, read_rows};
//! # fn main() -> Result<(), callqa_store::StoreError> {
//! let out = tempfile::tempdir().map_err(|e| callqa_store::StoreError::io("tmp", e))?;
//! let mut store = Store::open(out.path())?;
//! let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
//! let rows = ShardRows {
//!     activity: vec![ActivityRow {
//!         call_id: "c1".into(), call_date: day, speaker: "agent".into(), start_ms: 0, end_ms: 1200,
//!     }],
//!     ..Default::default()
//! };
//! store.commit_shard("run1", 0, &rows, &["key-c1".to_string()])?;
//! assert!(store.is_done("key-c1"));
//! // out/activity/call_date=2026-11-24/part-run1-0.parquet + out/_ledger/run1-0.json
//! let back: Vec<ActivityRow> = read_rows(out.path())?;
//! assert_eq!(back, rows.activity);
//! # Ok(()) }
//! ```
//!
//! The column lists live in [`schema`] (the one source of truth; `docs/schema.md` is generated
//! from it by [`schema::schema_markdown`]).

#![deny(missing_docs)]

mod current;
mod forget;
pub mod lock;
pub mod rows;
pub mod schema;
mod store;
pub mod summary;

pub use current::read_current_rows;
pub use forget::{Forgotten, Removal, Select, calls_before, plan_removal};
pub use lock::LOCK_DIR;
pub use rows::{
    ActivityRow, AgentSummaryRow, CallRow, CallScoreRow, ErrorRow, EvaluationRow,
    PASS_RATE_COLUMNS, RowError, TableRow, UtteranceRow, rows_to_batch, to_batch,
};
pub use schema::{Column, Table, schema_markdown};
pub use store::{
    Claim, ClaimOutcome, Claims, LEDGER_DIR, LEDGER_FORMAT, LedgerFile, LedgerRecord,
    MAX_ROW_GROUP_ROWS, ShardRows, Store, read_ledger, read_parquet, read_rows, write_parquet,
    writer_properties,
};
pub use summary::{Period, agent_summary, quantile, summarize, write_agent_summary};

use std::path::{Path, PathBuf};

/// What went wrong, with the file it happened to.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The Parquet library rejected a file.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The Parquet error.
        source: parquet::errors::ParquetError,
    },
    /// Decoding a record batch failed.
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The Arrow error.
        source: arrow::error::ArrowError,
    },
    /// A file holds something unexpected (a column missing or of the wrong type, a bad ledger
    /// record), or rows could not be converted.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// This run id and shard were committed already (a rerun must use a new run id).
    #[error("{}: shard already committed; use a new run id", path.display())]
    ShardExists {
        /// The existing ledger record.
        path: PathBuf,
    },
    /// Another process holds the output directory's folder lock in a conflicting way.
    #[error(
        "{}: {}", path.display(),
        if *exclusive {
            "another callqa run (a score) is writing to this output folder, and this operation needs it to itself; try again when that run has finished"
        } else {
            "another callqa run (an in-place rescore or a forget) is rewriting this output folder; try again when it has finished"
        }
    )]
    Locked {
        /// The output directory.
        path: PathBuf,
        /// True when this process wanted the folder to itself.
        exclusive: bool,
    },
    /// Another live process is writing a run with the same id.
    #[error("{}: run {run_id:?} is being written by another process; use another run id", path.display())]
    RunBusy {
        /// The run's lock file.
        path: PathBuf,
        /// The run id.
        run_id: String,
    },
    /// A run id or partition value that cannot be a file name.
    #[error(
        "{0:?} cannot be used in a file name: use letters, digits, '.', '_' and '-', not starting with '.' or '_'"
    )]
    BadName(String),
}

impl StoreError {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}
