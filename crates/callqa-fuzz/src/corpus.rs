//! The seed corpus: the repository's real files, shortened where decoding them whole would make
//! each input slow.

use crate::mutate::{AudioKind, audio_kind, shorten_wav};
use crate::targets::Target;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bytes of audio kept from each fixture WAV (about 0.75 s of 8 kHz stereo 16-bit).
const WAV_SEED_BYTES: usize = 24_000;
/// Bytes kept from the start of each compressed fixture (the header and the first frames).
const COMPRESSED_SEED_BYTES: usize = 32_000;

/// Optional pipeline tables appended to a copy of each shipped pipeline.
const OPTIONAL_TABLES: &str = "
[audio]
max_file_mb = 100
max_duration_s = 600.5
channel_map = [2, 3]

[diarize]
enabled = true
step_ms = 200

[vad]
threshold = 0.5
";

/// One seed input.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Where it came from.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Seeds per target.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The seeds of each target (never empty for a loaded target).
    pub seeds: BTreeMap<Target, Vec<Seed>>,
}

/// A corpus that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A folder or file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A target has no seed at all.
    #[error("no seed for target {0} under {1}")]
    Empty(&'static str, PathBuf),
}

fn read(path: &Path) -> Result<Vec<u8>, CorpusError> {
    std::fs::read(path).map_err(|source| CorpusError::Read {
        path: path.into(),
        source,
    })
}

fn files(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>, CorpusError> {
    let rd = std::fs::read_dir(dir).map_err(|source| CorpusError::Read {
        path: dir.into(),
        source,
    })?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// A ledger record as `callqa-store` writes it (`serde_json::to_vec_pretty` of a
/// [`callqa_store::LedgerRecord`]).
fn ledger_seeds() -> Vec<Seed> {
    let rec = callqa_store::LedgerRecord {
        format: callqa_store::LEDGER_FORMAT,
        run_id: "r1".into(),
        shard: 0,
        committed_at: "2026-12-03T10:00:00Z".into(),
        call_keys: vec!["a1b2c3".into(), "d4e5f6".into()],
        files: vec![
            callqa_store::LedgerFile {
                table: "calls".into(),
                path: "calls/date=2026-11-02/r1-0.parquet".into(),
                rows: 2,
            },
            callqa_store::LedgerFile {
                table: "utterances".into(),
                path: "utterances/date=2026-11-02/r1-0.parquet".into(),
                rows: 40,
            },
        ],
        supersedes: vec!["r0-0".into(), "r0-1".into()],
    };
    let mut plain = rec.clone();
    plain.supersedes.clear();
    [rec, plain]
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            serde_json::to_vec_pretty(r).ok().map(|bytes| Seed {
                name: format!("ledger-{i}.json"),
                bytes,
            })
        })
        .collect()
}

impl Corpus {
    /// Load the seeds under the repository root `root`: `fixtures/audio/*` and this crate's
    /// `corpus/*` (recordings), `pipelines/*.toml`, `fixtures/manifest.csv`, and ledger records
    /// made with `callqa-store`'s own types, and utterances from `crates/callqa-text/eval/*.jsonl`.
    pub fn load(root: &Path) -> Result<Corpus, CorpusError> {
        let mut seeds: BTreeMap<Target, Vec<Seed>> = BTreeMap::new();
        let audio_exts = ["wav", "flac", "mp3", "ogg"];
        let mut audio_files = files(&root.join("fixtures/audio"), &audio_exts)?;
        audio_files.extend(files(&root.join("crates/callqa-fuzz/corpus"), &audio_exts)?);
        for p in audio_files {
            let bytes = read(&p)?;
            let bytes = match audio_kind(&bytes) {
                AudioKind::Wav => shorten_wav(&bytes, WAV_SEED_BYTES),
                _ => bytes[..bytes.len().min(COMPRESSED_SEED_BYTES)].to_vec(),
            };
            seeds.entry(Target::Audio).or_default().push(Seed {
                name: p.display().to_string(),
                bytes,
            });
        }
        for p in files(&root.join("pipelines"), &["toml"])? {
            let bytes = read(&p)?;
            // The shipped pipelines leave the optional tables out: one copy of each sets them,
            // so that their keys are mutated too.
            let mut with_tables = bytes.clone();
            with_tables.extend_from_slice(OPTIONAL_TABLES.as_bytes());
            seeds.entry(Target::Toml).or_default().extend([
                Seed {
                    name: p.display().to_string(),
                    bytes,
                },
                Seed {
                    name: format!("{} + optional tables", p.display()),
                    bytes: with_tables,
                },
            ]);
        }
        let manifest = root.join("fixtures/manifest.csv");
        let bytes = read(&manifest)?;
        seeds.entry(Target::Manifest).or_default().push(Seed {
            name: manifest.display().to_string(),
            bytes,
        });
        seeds.entry(Target::Manifest).or_default().push(Seed {
            name: "all-columns.csv".into(),
            bytes: b"call_id,path,agent_id,team,direction,started_at,queue\n\
c1,a.wav,A1,north,inbound,2026-11-02T09:15:00,billing\n\
c2,\"b, c.wav\",A2,,outbound,20261102_091500,\n"
                .to_vec(),
        });
        seeds.insert(Target::Ledger, ledger_seeds());
        // Utterances (with the question before them) from the PII evaluation sets.
        for p in files(&root.join("crates/callqa-text/eval"), &["jsonl"])? {
            let text = String::from_utf8_lossy(&read(&p)?).into_owned();
            for (i, line) in text.lines().enumerate().step_by(7) {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                let question = v["question"].as_str().unwrap_or("");
                let utterance = v["text"].as_str().unwrap_or("");
                seeds.entry(Target::Pii).or_default().push(Seed {
                    name: format!("{}:{}", p.display(), i + 1),
                    bytes: format!("{question}\n{utterance}").into_bytes(),
                });
            }
        }
        for t in Target::ALL {
            if seeds.get(&t).is_none_or(Vec::is_empty) {
                return Err(CorpusError::Empty(t.name(), root.into()));
            }
        }
        Ok(Corpus { seeds })
    }
}
