//! Locks that let several processes write one output directory: the folder lock, run locks and
//! per-call claims, all advisory `flock`s (through `std::fs::File::try_lock*`) on files under
//! `<out>/_locks/`.
//!
//! - `_locks/store.lock`: every `score` run holds it shared for its whole life; operations that
//!   rewrite committed rows (in-place `rescore`, `forget`) hold it exclusively
//!   ([`crate::Store::open_exclusive`]). Nobody waits: whoever cannot take it fails at once with
//!   [`StoreError::Locked`].
//! - `_locks/runs/<run_id>.lock`: held exclusively by the process that writes run `<run_id>`
//!   from before its first part file until it ends. A part file no ledger record lists is an
//!   orphan of an interrupted run only when its run's lock is free; a live writer's files are
//!   left alone.
//! - `_locks/claims/<call_key>.lock`: held exclusively while a call is in flight, from before it
//!   is decoded until its shard is committed, so two runs never score the same call at once.
//!
//! A lock dies with its process (a SIGKILLed run frees its locks), so a lock file left behind is
//! harmless: the next process takes it. Lock files are removed when released; taking one checks
//! that the locked file is still the one at the path (so removing never lets two holders in).

use crate::StoreError;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock directory under the output directory.
pub const LOCK_DIR: &str = "_locks";

/// The folder lock file, relative to the output directory.
pub(crate) fn store_lock_path(out: &Path) -> PathBuf {
    out.join(LOCK_DIR).join("store.lock")
}

/// A run's lock file.
pub(crate) fn run_lock_path(out: &Path, run_id: &str) -> PathBuf {
    out.join(LOCK_DIR)
        .join("runs")
        .join(format!("{run_id}.lock"))
}

/// A call's claim file.
pub(crate) fn claim_path(out: &Path, call_key: &str) -> PathBuf {
    out.join(LOCK_DIR)
        .join("claims")
        .join(format!("{call_key}.lock"))
}

/// How a lock is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Shared,
    Exclusive,
}

/// A held lock on a file; released (and the file left in place) when dropped.
#[derive(Debug)]
pub(crate) struct Held {
    file: File,
    path: PathBuf,
}

impl Held {
    /// Remove the lock file, then release the lock. Only the holder of an exclusive lock may
    /// remove its file: another process that opened the same file waits on it, then sees on
    /// taking it that the path no longer names it, and opens the path afresh.
    pub(crate) fn remove(self) {
        if let Err(e) = fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %self.path.display(), error = %e, "could not remove a lock file");
        }
        drop(self);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Take a lock on `path` without waiting, creating the file (and its folder) if needed.
/// `Ok(None)`: another process holds a conflicting lock.
pub(crate) fn try_lock(path: &Path, mode: Mode) -> Result<Option<Held>, StoreError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    // A holder may remove the file between our open and our lock: then the lock we got is on a
    // file nobody else will look at, so open the path again.
    for _ in 0..64 {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| StoreError::io(path, e))?;
        let taken = match mode {
            Mode::Shared => file.try_lock_shared(),
            Mode::Exclusive => file.try_lock(),
        };
        match taken {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(StoreError::io(path, e)),
        }
        if still_at_path(&file, path) {
            return Ok(Some(Held {
                file,
                path: path.to_path_buf(),
            }));
        }
    }
    Err(StoreError::io(
        path,
        std::io::Error::other("the lock file keeps being replaced"),
    ))
}

/// True when `path` still names the open `file` (same device and inode).
#[cfg(unix)]
fn still_at_path(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere a lock file is never removed while held, so the path always names it.
#[cfg(not(unix))]
fn still_at_path(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_and_shared_shares() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("a/b.lock");
        let s1 = try_lock(&p, Mode::Shared).expect("lock").expect("free");
        let s2 = try_lock(&p, Mode::Shared)
            .expect("lock")
            .expect("shared twice");
        assert!(try_lock(&p, Mode::Exclusive).expect("lock").is_none());
        drop(s1);
        assert!(try_lock(&p, Mode::Exclusive).expect("lock").is_none());
        drop(s2);
        let x = try_lock(&p, Mode::Exclusive)
            .expect("lock")
            .expect("free again");
        assert!(try_lock(&p, Mode::Shared).expect("lock").is_none());
        x.remove();
        assert!(!p.exists());
        assert!(try_lock(&p, Mode::Exclusive).expect("lock").is_some());
    }

    #[test]
    fn a_removed_lock_file_is_not_held_twice() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("c.lock");
        let held = try_lock(&p, Mode::Exclusive).expect("lock").expect("free");
        // Another handle on the same (soon removed) file.
        let stale = File::open(&p).expect("open");
        held.remove();
        // Whoever locks the removed file is not told it holds the path's lock...
        assert!(stale.try_lock().is_ok());
        assert!(!still_at_path(&stale, &p));
        // ...and a fresh lock on the path is independent of it.
        let fresh = try_lock(&p, Mode::Exclusive).expect("lock").expect("free");
        assert!(still_at_path(&fresh.file, &p));
    }
}
