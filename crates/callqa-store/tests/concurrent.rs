//! Several handles on one output directory at once, as several processes would hold them: a
//! live writer's uncommitted files survive another open, the folder lock keeps exclusive
//! operations apart from runs, and per-call claims let each call be committed once.

use callqa_store::{ClaimOutcome, ShardRows, Store, StoreError};
use std::fs;

fn keys(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_live_writers_uncommitted_files_survive_another_open_and_a_dead_ones_go() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut writer = Store::open(out.path()).expect("open");
    writer
        .commit_shard("r1", 0, &ShardRows::default(), &keys(&["k0"]))
        .expect("commit");
    // r1's next shard, in flight: renamed into place but no ledger record yet, and a staged file.
    let dir = out.path().join("calls/call_date=2026-11-24");
    fs::create_dir_all(&dir).expect("mkdir");
    let part = dir.join("part-r1-1.parquet");
    let staged = dir.join(".part-r1-2.parquet.tmp");
    let record = out.path().join("_ledger/.r1-2.json.tmp");
    for f in [&part, &staged, &record] {
        fs::write(f, b"in flight").expect("write");
    }
    let beside = Store::open(out.path()).expect("second writer");
    assert_eq!(beside.orphans_removed(), 0);
    assert!(part.exists() && staged.exists() && record.exists());
    drop(beside);
    // The writer dies (its locks go with it): its leftovers are an interrupted run's.
    drop(writer);
    let after = Store::open(out.path()).expect("reopen");
    assert_eq!(after.orphans_removed(), 1);
    assert!(!part.exists() && !staged.exists() && !record.exists());
    assert!(after.is_done("k0"), "committed keys stay");
}

#[test]
fn exclusive_operations_and_runs_fail_fast_on_each_other_naming_the_folder() {
    let out = tempfile::tempdir().expect("tempdir");
    let run = Store::open(out.path()).expect("open");
    let err = Store::open_exclusive(out.path()).expect_err("a run holds the folder");
    let msg = err.to_string();
    assert!(matches!(
        err,
        StoreError::Locked {
            exclusive: true,
            ..
        }
    ));
    assert!(msg.starts_with(&out.path().display().to_string()), "{msg}");
    assert!(msg.contains("another callqa run"), "{msg}");
    // Runs share it.
    let second = Store::open(out.path()).expect("second run");
    drop((run, second));
    let only = Store::open_exclusive(out.path()).expect("free now");
    let err = Store::open(out.path()).expect_err("an exclusive operation holds the folder");
    assert!(matches!(
        err,
        StoreError::Locked {
            exclusive: false,
            ..
        }
    ));
    assert!(
        err.to_string().contains("rewriting this output folder"),
        "{err}"
    );
    assert!(Store::open_exclusive(out.path()).is_err());
    drop(only);
    assert!(Store::open(out.path()).is_ok());
}

#[test]
fn a_call_is_claimed_once_and_done_once_committed_by_another_run() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut a = Store::open(out.path()).expect("a");
    let b = Store::open(out.path()).expect("b");
    let (ca, cb) = (a.claims(), b.claims());
    let ClaimOutcome::Claimed(claim) = ca.try_claim("k1").expect("claim") else {
        panic!("a free call must be claimable");
    };
    assert_eq!(claim.key(), "k1");
    assert!(matches!(cb.try_claim("k1"), Ok(ClaimOutcome::InFlight)));
    // Another call is free meanwhile.
    assert!(matches!(cb.try_claim("k2"), Ok(ClaimOutcome::Claimed(_))));
    a.commit_shard("ra", 0, &ShardRows::default(), &keys(&["k1"]))
        .expect("commit");
    claim.release();
    let claim_file = out.path().join("_locks/claims/k1.lock");
    assert!(!claim_file.exists(), "a released claim leaves no file");
    // b opened before a committed, and sees the commit when it claims.
    assert!(matches!(cb.try_claim("k1"), Ok(ClaimOutcome::Done)));
    assert!(matches!(ca.try_claim("k1"), Ok(ClaimOutcome::Done)));
}

#[test]
fn a_claim_whose_holder_died_is_free_and_its_file_is_swept() {
    let out = tempfile::tempdir().expect("tempdir");
    let a = Store::open(out.path()).expect("a");
    let claims = a.claims();
    let ClaimOutcome::Claimed(claim) = claims.try_claim("k1").expect("claim") else {
        panic!("free");
    };
    // The holder dies without releasing: the lock goes, the file stays.
    drop(claim);
    let claim_file = out.path().join("_locks/claims/k1.lock");
    assert!(claim_file.exists());
    let b = Store::open(out.path()).expect("b");
    assert!(!claim_file.exists(), "open sweeps claim files nobody holds");
    assert!(matches!(
        b.claims().try_claim("k1"),
        Ok(ClaimOutcome::Claimed(_))
    ));
    // Names that are not file names are refused, not used as paths.
    assert!(matches!(
        b.claims().try_claim("../x"),
        Err(StoreError::BadName(_))
    ));
}

#[test]
fn a_run_id_being_written_by_another_handle_is_refused() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut a = Store::open(out.path()).expect("a");
    let mut b = Store::open(out.path()).expect("b");
    a.commit_shard("same", 0, &ShardRows::default(), &keys(&["k1"]))
        .expect("commit");
    let err = b
        .commit_shard("same", 1, &ShardRows::default(), &keys(&["k2"]))
        .expect_err("run id in use");
    assert!(matches!(err, StoreError::RunBusy { .. }), "{err}");
    assert!(err.to_string().contains("being written by another process"));
}
