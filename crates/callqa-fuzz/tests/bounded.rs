//! The bounded fuzz run of the test suite: about a minute over the five targets (set
//! `CALLQA_FUZZ_SECONDS` to change it), zero panics, hangs, huge allocations and unclean
//! errors. A failure prints each finding with its case seed; replay one with
//! `callqa-fuzz --replay-seed SEED --target T`.

use callqa_fuzz::alloc::GuardedAlloc;
use callqa_fuzz::{Corpus, FuzzConfig, Target, default_root};
use std::time::Duration;

#[global_allocator]
static GLOBAL: GuardedAlloc = GuardedAlloc;

#[test]
fn bounded_fuzz_run_finds_no_panic_hang_huge_allocation_or_unclean_error() {
    let secs: f64 = std::env::var("CALLQA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    // The allocation guard sees a large request (checked here, not in a second test, because
    // tests run in parallel and this one must not count against the fuzz run).
    callqa_fuzz::alloc::reset();
    let big = std::hint::black_box(vec![0u8; 300 << 20]);
    assert!(callqa_fuzz::alloc::largest() >= 300 << 20);
    drop(big);
    let corpus = Corpus::load(&default_root()).expect("seed corpus (fixtures/, pipelines/)");
    for t in Target::ALL {
        let n = corpus.seeds.get(&t).map_or(0, Vec::len);
        println!("{}: {n} seeds", t.name());
    }
    let crashes = tempfile::tempdir().expect("temp dir");
    let config = FuzzConfig {
        duration: Duration::from_secs_f64(secs),
        seed: std::env::var("CALLQA_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20261203),
        input_timeout: Duration::from_secs(5),
        crash_dir: Some(crashes.path().to_path_buf()),
        ..FuzzConfig::default()
    };
    let report = callqa_fuzz::run(&corpus, &config).expect("fuzz run");
    print!("{}", report.table());
    println!(
        "seed {} elapsed {:.1} s inputs {} allocation guard {}",
        report.seed,
        report.elapsed.as_secs_f64(),
        report.inputs(),
        report.alloc_guard
    );
    assert!(report.alloc_guard, "the allocation guard is not installed");
    for t in Target::ALL {
        let st = &report.stats[&t];
        // Every target ran a real number of inputs, and both accepted some and refused some:
        // a target that only ever errors (or only ever accepts) is not exercising its parser.
        assert!(st.inputs >= 20, "{}: only {} inputs", t.name(), st.inputs);
        assert!(st.accepted > 0, "{}: nothing accepted", t.name());
        // The redactor takes any text: it has nothing to refuse.
        if t != Target::Pii {
            assert!(st.clean_errors > 0, "{}: nothing refused", t.name());
        }
    }
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} case {:#018x}: {}",
                f.target.name(),
                f.kind.name(),
                f.case_seed,
                f.message
            )
        })
        .collect();
    assert!(lines.is_empty(), "findings:\n{}", lines.join("\n"));
}
