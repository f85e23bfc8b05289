//! The fuzz loop: seeded mutation, one input at a time on a worker thread under
//! `catch_unwind`, a per-input time budget (a hang is reported and the worker abandoned), the
//! allocation guard, and crash inputs saved with their case seed.

use crate::corpus::Corpus;
use crate::mutate::{mutate_audio, mutate_csv, mutate_json, mutate_text};
use crate::targets::{self, Outcome, Target};
use crate::{alloc, case_seed};
use fastrand::Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to run.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// Targets to feed; the time spent inside them is shared equally.
    pub targets: Vec<Target>,
    /// Total run time (wall clock).
    pub duration: Duration,
    /// Run seed: with the same corpus it gives the same sequence of inputs.
    pub seed: u64,
    /// An input still running after this long is reported as a hang.
    pub input_timeout: Duration,
    /// A single allocation request larger than this is reported.
    pub alloc_limit: usize,
    /// Where finding inputs are written (`<target>-<kind>-<case seed>.bin` and `.txt`).
    pub crash_dir: Option<PathBuf>,
    /// Stop after this many findings.
    pub max_findings: usize,
}

impl Default for FuzzConfig {
    fn default() -> Self {
        FuzzConfig {
            targets: Target::ALL.to_vec(),
            duration: Duration::from_secs(60),
            seed: 1,
            input_timeout: Duration::from_secs(10),
            alloc_limit: 256 << 20,
            crash_dir: None,
            max_findings: 20,
        }
    }
}

/// The kind of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The entry point panicked.
    Panic,
    /// The input ran past the time budget.
    Hang,
    /// One allocation request exceeded the limit.
    HugeAlloc,
    /// An error that is not one line naming the file.
    UncleanError,
    /// The harness could not write the input (disk full...).
    Harness,
}

impl FindingKind {
    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Panic => "panic",
            FindingKind::Hang => "hang",
            FindingKind::HugeAlloc => "huge-alloc",
            FindingKind::UncleanError => "unclean-error",
            FindingKind::Harness => "harness",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The target.
    pub target: Target,
    /// What went wrong.
    pub kind: FindingKind,
    /// The case seed that regenerates the input (`--replay-seed`).
    pub case_seed: u64,
    /// Panic message and place, error text, or allocation size.
    pub message: String,
    /// Where the input was saved, if a crash folder was given.
    pub saved: Option<PathBuf>,
}

/// Counts for one target.
#[derive(Debug, Clone, Default)]
pub struct TargetStats {
    /// Inputs run.
    pub inputs: u64,
    /// Inputs the entry point accepted.
    pub accepted: u64,
    /// Inputs refused with a clean error.
    pub clean_errors: u64,
    /// Findings of each kind.
    pub panics: u64,
    /// Inputs past the time budget.
    pub hangs: u64,
    /// Inputs that made one allocation past the limit.
    pub huge_allocs: u64,
    /// Errors that were not one line naming the file.
    pub unclean_errors: u64,
    /// Time spent on this target.
    pub busy: Duration,
    /// The slowest input.
    pub slowest: Duration,
    /// The largest single allocation any input made (0 without the guard).
    pub largest_alloc: usize,
}

impl TargetStats {
    /// Findings of every kind.
    pub fn findings(&self) -> u64 {
        self.panics + self.hangs + self.huge_allocs + self.unclean_errors
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct FuzzReport {
    /// The run seed.
    pub seed: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Whether allocations were guarded.
    pub alloc_guard: bool,
    /// Counts per target.
    pub stats: BTreeMap<Target, TargetStats>,
    /// Every finding (up to `max_findings`).
    pub findings: Vec<Finding>,
}

impl FuzzReport {
    /// Inputs run over all targets.
    pub fn inputs(&self) -> u64 {
        self.stats.values().map(|s| s.inputs).sum()
    }

    /// A plain-text table: one line per target.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<9} {:>9} {:>9} {:>12} {:>7} {:>6} {:>11} {:>13} {:>10} {:>12}\n",
            "target",
            "inputs",
            "accepted",
            "clean_error",
            "panics",
            "hangs",
            "huge_alloc",
            "unclean_error",
            "slowest_ms",
            "max_alloc_MB"
        );
        for (t, st) in &self.stats {
            s.push_str(&format!(
                "{:<9} {:>9} {:>9} {:>12} {:>7} {:>6} {:>11} {:>13} {:>10} {:>12.1}\n",
                t.name(),
                st.inputs,
                st.accepted,
                st.clean_errors,
                st.panics,
                st.hangs,
                st.huge_allocs,
                st.unclean_errors,
                st.slowest.as_millis(),
                st.largest_alloc as f64 / (1 << 20) as f64
            ));
        }
        s
    }
}

/// Make the input of one case: a seed of `target` picked and mutated by the case's own PRNG.
pub fn make_input(corpus: &Corpus, target: Target, case: u64) -> (Vec<u8>, u64) {
    let mut rng = Rng::with_seed(case);
    let seeds = corpus.seeds.get(&target).map(Vec::as_slice).unwrap_or(&[]);
    if seeds.is_empty() {
        return (Vec::new(), 0);
    }
    let seed = &seeds[rng.usize(..seeds.len())].bytes;
    let other = &seeds[rng.usize(..seeds.len())].bytes;
    let variant = rng.u64(..);
    // Now and then the seed itself, unchanged, so that valid inputs keep being checked.
    if rng.u8(..50) == 0 {
        return (seed.clone(), variant);
    }
    let data = match target {
        Target::Audio => {
            let mut d = seed.clone();
            mutate_audio(&mut rng, &mut d, other);
            d
        }
        Target::Toml | Target::Manifest | Target::Ledger | Target::Pii => {
            let text = String::from_utf8_lossy(seed);
            let other = String::from_utf8_lossy(other);
            let out = match target {
                Target::Manifest => mutate_csv(&mut rng, &text, &other),
                Target::Ledger => mutate_json(&mut rng, &text, &other),
                _ => mutate_text(&mut rng, &text, &other),
            };
            let mut d = out.into_bytes();
            if rng.u8(..10) == 0 {
                // Bytes, not text: invalid UTF-8, NULs, cut characters.
                let rounds = 1 + rng.usize(..4);
                crate::mutate::havoc(&mut rng, &mut d, rounds, &[]);
            }
            d
        }
    };
    (data, variant)
}

struct Job {
    target: Target,
    data: Vec<u8>,
    variant: u64,
}

struct JobResult {
    outcome: Result<Outcome, String>,
    panicked: Option<String>,
    elapsed: Duration,
    largest_alloc: usize,
}

/// The panic message and place of the last panic on a worker thread.
type PanicSlot = Arc<Mutex<Option<String>>>;

struct Worker {
    jobs: Sender<Job>,
    results: Receiver<JobResult>,
    _dir: tempfile::TempDir,
}

impl Worker {
    fn spawn(slot: PanicSlot) -> std::io::Result<Worker> {
        let dir = tempfile::Builder::new().prefix("callqa-fuzz-").tempdir()?;
        let path = dir.path().to_path_buf();
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (res_tx, results) = mpsc::channel::<JobResult>();
        std::thread::Builder::new()
            .name("callqa-fuzz-worker".into())
            .spawn(move || {
                while let Ok(job) = job_rx.recv() {
                    let t = Instant::now();
                    alloc::reset();
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        targets::run(job.target, &job.data, &path, job.variant)
                    }));
                    let largest_alloc = alloc::largest();
                    let elapsed = t.elapsed();
                    let (outcome, panicked) = match r {
                        Ok(Ok(o)) => (Ok(o), None),
                        Ok(Err(e)) => (Err(format!("cannot write the input: {e}")), None),
                        Err(payload) => {
                            let msg = payload
                                .downcast_ref::<&str>()
                                .map(|s| (*s).to_string())
                                .or_else(|| payload.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "non-string panic".into());
                            let place = slot
                                .lock()
                                .map(|mut s| s.take())
                                .unwrap_or_default()
                                .unwrap_or_default();
                            (Ok(Outcome::Accepted), Some(format!("{msg} ({place})")))
                        }
                    };
                    let sent = res_tx.send(JobResult {
                        outcome,
                        panicked,
                        elapsed,
                        largest_alloc,
                    });
                    if sent.is_err() {
                        break;
                    }
                }
            })?;
        Ok(Worker {
            jobs,
            results,
            _dir: dir,
        })
    }
}

/// Run the fuzz loop on `corpus` as `config` says. The panic hook is replaced for the run (so
/// expected-to-be-caught panics do not flood the terminal) and restored afterwards.
pub fn run(corpus: &Corpus, config: &FuzzConfig) -> std::io::Result<FuzzReport> {
    let slot: PanicSlot = Arc::new(Mutex::new(None));
    let hook_slot = Arc::clone(&slot);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut s) = hook_slot.lock() {
            *s = Some(place);
        }
    }));
    let result = run_inner(corpus, config, &slot);
    std::panic::set_hook(previous);
    result
}

fn run_inner(
    corpus: &Corpus,
    config: &FuzzConfig,
    slot: &PanicSlot,
) -> std::io::Result<FuzzReport> {
    let started = Instant::now();
    let alloc_guard = alloc::installed();
    let mut stats: BTreeMap<Target, TargetStats> = config
        .targets
        .iter()
        .map(|&t| (t, TargetStats::default()))
        .collect();
    let mut findings = Vec::new();
    let mut worker = Worker::spawn(Arc::clone(slot))?;
    let mut abandoned = 0usize;
    if let Some(d) = &config.crash_dir {
        std::fs::create_dir_all(d)?;
    }
    let per_target = config.duration / (config.targets.len().max(1) as u32);
    let mut counter: BTreeMap<Target, u64> = BTreeMap::new();
    // Each turn: the target with the least time so far, until each had its share.
    while let Some(target) = config
        .targets
        .iter()
        .copied()
        .filter(|t| stats.get(t).is_some_and(|s| s.busy < per_target))
        .min_by_key(|t| stats.get(t).map(|s| s.busy))
    {
        // The duration is wall time: mutation and file writing count too.
        if findings.len() >= config.max_findings || started.elapsed() >= config.duration {
            break;
        }
        let i = counter.entry(target).or_insert(0);
        let case = case_seed(config.seed, target, *i);
        *i += 1;
        let (data, variant) = make_input(corpus, target, case);
        let saved_data = data.clone();
        let t = Instant::now();
        if worker
            .jobs
            .send(Job {
                target,
                data,
                variant,
            })
            .is_err()
        {
            worker = Worker::spawn(Arc::clone(slot))?;
            continue;
        }
        let got = worker.results.recv_timeout(config.input_timeout);
        let st = stats.entry(target).or_default();
        st.inputs += 1;
        let mut found: Vec<(FindingKind, String)> = Vec::new();
        match got {
            Ok(r) => {
                st.busy += r.elapsed;
                st.slowest = st.slowest.max(r.elapsed);
                st.largest_alloc = st.largest_alloc.max(r.largest_alloc);
                if let Some(p) = r.panicked {
                    st.panics += 1;
                    found.push((FindingKind::Panic, p));
                } else {
                    match r.outcome {
                        Ok(Outcome::Accepted) => st.accepted += 1,
                        Ok(Outcome::CleanError) => st.clean_errors += 1,
                        Ok(Outcome::UncleanError(m)) => {
                            st.unclean_errors += 1;
                            found.push((FindingKind::UncleanError, m));
                        }
                        Err(m) => found.push((FindingKind::Harness, m)),
                    }
                }
                if r.largest_alloc > config.alloc_limit {
                    st.huge_allocs += 1;
                    found.push((
                        FindingKind::HugeAlloc,
                        format!(
                            "one allocation of {} MB (limit {} MB)",
                            r.largest_alloc >> 20,
                            config.alloc_limit >> 20
                        ),
                    ));
                }
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                st.busy += t.elapsed();
                st.hangs += 1;
                found.push((
                    FindingKind::Hang,
                    format!("no result after {} ms", config.input_timeout.as_millis()),
                ));
                // The stuck thread cannot be stopped: leave it and start another.
                abandoned += 1;
                worker = Worker::spawn(Arc::clone(slot))?;
            }
        }
        for (kind, message) in found {
            let saved = match &config.crash_dir {
                Some(d) => {
                    let stem = format!("{}-{}-{case:016x}", target.name(), kind.name());
                    let bin = d.join(format!("{stem}.bin"));
                    std::fs::write(&bin, &saved_data)?;
                    std::fs::write(
                        d.join(format!("{stem}.txt")),
                        format!(
                            "target: {}\nkind: {}\nrun seed: {}\ncase seed: {case:#018x}\nvariant: {variant}\n{message}\n",
                            target.name(),
                            kind.name(),
                            config.seed
                        ),
                    )?;
                    Some(bin)
                }
                None => None,
            };
            findings.push(Finding {
                target,
                kind,
                case_seed: case,
                message,
                saved,
            });
        }
        if abandoned >= 4 {
            break;
        }
    }
    Ok(FuzzReport {
        seed: config.seed,
        elapsed: started.elapsed(),
        alloc_guard,
        stats,
        findings,
    })
}
