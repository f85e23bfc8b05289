//! `callqa-fuzz`: run the fuzz harness for a while and print what it tried and found.
//!
//! `callqa-fuzz --seconds 60 | --hours 1 [--target audio|toml|manifest|ledger|pii|all] [--seed S]`;
//! `callqa-fuzz --replay FILE --target T [--variant V]` runs one saved input once;
//! `callqa-fuzz --replay-seed CASE --target T` regenerates one case from its seed and runs it.

use anyhow::{Context, bail};
use callqa_fuzz::alloc::GuardedAlloc;
use callqa_fuzz::{Corpus, FuzzConfig, Target};
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

#[global_allocator]
static GLOBAL: GuardedAlloc = GuardedAlloc;

#[derive(Parser)]
#[command(about = "Fuzz callqa's parsers: recordings, pipeline TOML, manifest CSV, ledger JSON")]
struct Args {
    /// Run this many seconds in all.
    #[arg(long, conflicts_with = "hours")]
    seconds: Option<f64>,
    /// Run this many hours in all.
    #[arg(long)]
    hours: Option<f64>,
    /// audio, toml, manifest, ledger or all.
    #[arg(long, default_value = "all")]
    target: String,
    /// Run seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Per-input time budget before an input counts as a hang, ms.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Largest single allocation allowed, MB.
    #[arg(long, default_value_t = 256)]
    alloc_limit_mb: usize,
    /// Where finding inputs are saved.
    #[arg(long, default_value = "fuzz-findings")]
    crashes: PathBuf,
    /// Repository root (seeds: fixtures/, pipelines/, crates/callqa-fuzz/corpus/).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Run one saved input once (needs a single --target).
    #[arg(long)]
    replay: Option<PathBuf>,
    /// Regenerate one case from its seed (hex 0x... or decimal) and run it once.
    #[arg(long)]
    replay_seed: Option<String>,
    /// Options variant for --replay (from the finding's .txt).
    #[arg(long, default_value_t = 0)]
    variant: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let targets: Vec<Target> = match args.target.as_str() {
        "all" => Target::ALL.to_vec(),
        t => vec![Target::parse(t).with_context(|| format!("--target: unknown target {t:?}"))?],
    };
    let root = args.root.clone().unwrap_or_else(callqa_fuzz::default_root);
    if args.replay.is_some() || args.replay_seed.is_some() {
        let [target] = targets[..] else {
            bail!("--replay needs one --target");
        };
        let (data, variant) = match (&args.replay, &args.replay_seed) {
            (Some(p), _) => (
                std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?,
                args.variant,
            ),
            (None, Some(s)) => {
                let case = match s.strip_prefix("0x") {
                    Some(h) => u64::from_str_radix(h, 16),
                    None => s.parse(),
                }
                .with_context(|| format!("--replay-seed: {s:?} is not a number"))?;
                let corpus = Corpus::load(&root)?;
                callqa_fuzz::make_input(&corpus, target, case)
            }
            (None, None) => unreachable!("checked above"),
        };
        let dir = tempfile::tempdir()?;
        let outcome = callqa_fuzz::targets::run(target, &data, dir.path(), variant)?;
        println!("{outcome:?}");
        return Ok(());
    }
    let secs = match (args.seconds, args.hours) {
        (Some(s), _) => s,
        (None, Some(h)) => h * 3600.0,
        (None, None) => 60.0,
    };
    if !(secs.is_finite() && secs > 0.0) {
        bail!("--seconds/--hours: must be a positive number");
    }
    let corpus = Corpus::load(&root)?;
    let config = FuzzConfig {
        targets,
        duration: Duration::from_secs_f64(secs),
        seed: args.seed,
        input_timeout: Duration::from_millis(args.timeout_ms),
        alloc_limit: args.alloc_limit_mb << 20,
        crash_dir: Some(args.crashes.clone()),
        max_findings: 1000,
    };
    eprintln!(
        "callqa-fuzz: seed {} for {secs:.0} s over {} target(s); findings go to {}",
        config.seed,
        config.targets.len(),
        args.crashes.display()
    );
    let report = callqa_fuzz::run(&corpus, &config)?;
    print!("{}", report.table());
    let crashes: u64 = report.stats.values().map(|s| s.findings()).sum();
    println!(
        "seed {}  elapsed {:.0} s  inputs {}  allocation guard {}  findings {}",
        report.seed,
        report.elapsed.as_secs_f64(),
        report.inputs(),
        if report.alloc_guard { "on" } else { "off" },
        crashes
    );
    for f in &report.findings {
        println!(
            "{} {} case {:#018x}: {}{}",
            f.target.name(),
            f.kind.name(),
            f.case_seed,
            f.message,
            f.saved
                .as_ref()
                .map(|p| format!(" [{}]", p.display()))
                .unwrap_or_default()
        );
    }
    if crashes > 0 {
        std::process::exit(1);
    }
    Ok(())
}
