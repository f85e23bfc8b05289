//! A fuzz harness on stable Rust for callqa's input parsers and its PII redactor.
//!
//! Takes the repository's real files as seeds (recordings in `fixtures/audio` and this crate's
//! `corpus/`, `pipelines/*.toml`, `fixtures/manifest.csv`, ledger records made with
//! `callqa-store`'s types, utterances of `crates/callqa-text/eval/*.jsonl`), mutates them with structure-aware mutators ([`mutate`]: WAV chunk
//! sizes and `fmt ` fields, FLAC STREAMINFO and frame headers, MP3 frame headers and Xing
//! counts, Ogg page fields with the CRC recomputed, token and line edits of TOML/CSV, tree edits
//! of JSON, byte havoc) driven by a seeded PRNG, and runs each input through the real entry
//! points ([`targets`]: `callqa_audio::probe` + `open`/`decode_16k`, `Pipeline::load` +
//! `stage_settings`, `read_manifest`, `read_ledger`, and `callqa_text::find_pii_in` on utterances
//! from the PII evaluation sets, checking every span's offsets). It gives a [`runner::FuzzReport`]:
//! inputs tried per target and every finding (panic, hang past the per-input budget, one
//! allocation past the limit, an error that is not one line naming the file), each with the case
//! seed that regenerates it and, when asked, the input saved to a folder.
//!
//! `catch_unwind` is only the detector: a finding is a bug to fix in the crate that panicked.
//!
//! ```no_run
//! use callqa_fuzz::{Corpus, FuzzConfig, run};
//! use std::{path::Path, time::Duration};
//!
//! let corpus = Corpus::load(Path::new("."))?;
//! let report = run(&corpus, &FuzzConfig { duration: Duration::from_secs(10), ..Default::default() })?;
//! print!("{}", report.table());
//! assert!(report.findings.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod alloc;
pub mod corpus;
pub mod mutate;
pub mod runner;
pub mod targets;

pub use corpus::{Corpus, CorpusError};
pub use runner::{FindingKind, FuzzConfig, FuzzReport, TargetStats, make_input, run};
pub use targets::{Outcome, Target};

/// The repository root this crate was built in (the default place of the seeds).
pub fn default_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed of case `i` of `target` in the run seeded `run_seed` (splitmix64 of the three), so
/// that any one input can be regenerated on its own.
pub fn case_seed(run_seed: u64, target: Target, i: u64) -> u64 {
    let t = Target::ALL.iter().position(|&x| x == target).unwrap_or(0) as u64;
    let mut z = run_seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(t << 56)
        .wrapping_add(i);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
