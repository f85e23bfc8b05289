//! Utterance classifiers for callqa: **courtesy** (polite / neutral / impolite), **script steps**
//! (greeting, self_intro, need_probe, …, found per clause) and **sentiment** (negative / neutral /
//! positive), run with ONNX Runtime.
//!
//! Takes utterance texts (or a [`callqa_core::Transcript`]); gives per utterance a [`Judgement`]
//! (or [`UtteranceScores`]): the chosen label, its probability and the full distribution for each
//! task, plus every script step found in the utterance's clauses with its character span.
//!
//! Models are folders (the contract is in [`manifest`]): a sentence encoder
//! (`<models>/encoder/<name>/`: `model.onnx`, `tokenizer.json`, `model.toml`) shared by the
//! classifier heads (`<models>/classifiers/<task>/`: `model.onnx`, `model.toml`). A head either
//! takes the encoder's embedding (`input_kind = "embedding"`) or tokenizes itself
//! (`input_kind = "text"`). Users can drop in their own folder (other labels, other thresholds)
//! without code changes; [`verify_model_dir`] checks one. Each model is loaded once and shared
//! (`Classifiers` is `Send + Sync`); texts are encoded in batches padded to the longest member.
//!
//! Decisions: a task's label is the most probable label that reaches its `thresholds` entry
//! ([`decide`]). Script steps: the utterance is split into clauses ([`split_clauses`]); a clause's
//! own label (when it reaches its threshold) and any other label at or above its threshold (0.5
//! when none is given) are reported as [`StepHit`]s with the clause's character span, best first;
//! the background label (`other`) never is.
//!
//! ```no_run
//! use callqa_classify::{Classifiers, default_paths};
//! let classifiers = Classifiers::load(&default_paths(), 1)?;
//! let judged = classifiers.classify_texts(&["您好，我是10086号客服，请问有什么可以帮您？"], "zh")?;
//! for hit in &judged[0].script_steps {
//!     println!("{} {:.2} chars {}..{}", hit.step, hit.score, hit.char_start, hit.char_end);
//! }
//! println!("courtesy {} sentiment {}", judged[0].courtesy.label, judged[0].sentiment.label);
//! # Ok::<(), callqa_classify::ClassifyError>(())
//! ```

#![deny(missing_docs)]

pub mod clauses;
pub mod manifest;
mod model;

pub use clauses::{Clause, split_clauses};
pub use manifest::{
    Checksums, EncoderDir, EncoderManifest, InputKind, ModelDir, ModelManifest, TASKS,
    checksum_table,
};

use callqa_core::{Speaker, Transcript};
use manifest::invalid_key;
use model::{EmbeddingHead, TokenModel, TokenOutput};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What can go wrong loading or running the classifiers. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A `model.toml` is not valid TOML or lacks a key or has a key of the wrong type (the
    /// message names the key).
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What the TOML reader said, on one line.
        message: String,
    },
    /// A `model.toml` key has a value we cannot use.
    #[error("{path}: key `{key}`: {problem}")]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// The key, dotted for tables (`thresholds.greeting`).
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A file the manifest names (or the manifest itself) is missing.
    #[error("{path}: missing (named by `{key}` in {manifest})")]
    MissingFile {
        /// The missing file.
        path: PathBuf,
        /// The manifest (or the folder) that needs it.
        manifest: PathBuf,
        /// The key that names it.
        key: String,
    },
    /// A model folder has no `model.toml` (or does not exist).
    #[error("{dir}: not a model folder (no model.toml)")]
    NotAModelFolder {
        /// The folder.
        dir: PathBuf,
    },
    /// A file's SHA-256 differs from the manifest's `sha256`.
    #[error("{path}: sha256 mismatch: model.toml says {expected}, the file has {actual}")]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// The hash in the manifest.
        expected: String,
        /// The hash of the file.
        actual: String,
    },
    /// The ONNX model's inputs or outputs are not what the contract says.
    #[error("{path}: {problem}")]
    Interface {
        /// The ONNX file.
        path: PathBuf,
        /// What does not fit.
        problem: String,
    },
    /// A tokenizer file could not be loaded.
    #[error("{path}: cannot load tokenizer: {message}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What the tokenizers crate said.
        message: String,
    },
    /// ONNX Runtime could not be loaded or the model could not be opened.
    #[error(transparent)]
    Onnx(#[from] callqa_onnx::OnnxError),
    /// Running a model failed.
    #[error("{path}: inference failed: {message}")]
    Run {
        /// The ONNX file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Where the models are: one folder per head, and the folder that holds encoder folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifierPaths {
    /// Courtesy head folder (`<models>/classifiers/courtesy`).
    pub courtesy: PathBuf,
    /// Script-step head folder (`<models>/classifiers/script_step`).
    pub script_step: PathBuf,
    /// Sentiment head folder (`<models>/classifiers/sentiment`).
    pub sentiment: PathBuf,
    /// Folder of encoder folders (`<models>/encoder`); a head's `encoder = "e5-small"` means
    /// `<encoders>/e5-small/`.
    pub encoders: PathBuf,
}

impl ClassifierPaths {
    /// The standard layout under a models root: `<root>/classifiers/<task>/`, `<root>/encoder/`.
    pub fn under(root: &Path) -> ClassifierPaths {
        let heads = root.join("classifiers");
        ClassifierPaths {
            courtesy: heads.join("courtesy"),
            script_step: heads.join("script_step"),
            sentiment: heads.join("sentiment"),
            encoders: root.join("encoder"),
        }
    }

    fn head(&self, task: Task) -> &Path {
        match task {
            Task::Courtesy => &self.courtesy,
            Task::ScriptStep => &self.script_step,
            Task::Sentiment => &self.sentiment,
        }
    }
}

/// The default models root: `$CALLQA_HOME/models` (`~/.cache/callqa/models`).
pub fn default_models_root() -> PathBuf {
    callqa_onnx::callqa_home().join("models")
}

/// [`ClassifierPaths::under`] the [`default_models_root`].
pub fn default_paths() -> ClassifierPaths {
    ClassifierPaths::under(&default_models_root())
}

/// How to load and run the models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Intra-op threads per ONNX session (0 = ONNX Runtime's default).
    pub threads: usize,
    /// Texts per encoder run (padded to the longest in the batch). Default 8 (fastest measured).
    pub batch_size: usize,
    /// Load this ONNX file of the encoder folder instead of the manifest's (e.g. an int8
    /// variant); its checksum must be listed in the encoder's `[sha256]` table.
    pub encoder_file: Option<String>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            threads: 1,
            batch_size: 8,
            encoder_file: None,
        }
    }
}

/// A chosen label with its probability and the model's whole distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    /// The chosen label (see [`decide`]).
    pub label: String,
    /// Its probability.
    pub score: f32,
    /// Every label with its probability, in the model's label order.
    pub distribution: Vec<(String, f32)>,
}

/// A script step found in a clause of an utterance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepHit {
    /// The step label (never the background label, e.g. `other`).
    pub step: String,
    /// Its probability in the clause.
    pub score: f32,
    /// The clause's first character (Unicode scalar values from the start of the text).
    pub char_start: usize,
    /// One past the clause's last character.
    pub char_end: usize,
}

/// The three judgements of one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    /// Courtesy of the whole text.
    pub courtesy: Label,
    /// Every script step found above its threshold in a clause, best first.
    pub script_steps: Vec<StepHit>,
    /// The whole text's top script step.
    pub script_step: Label,
    /// Sentiment of the whole text.
    pub sentiment: Label,
}

/// The judgements of one utterance of a transcript: agent and unknown speakers get all three,
/// customers only sentiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UtteranceScores {
    /// The utterance's `idx`.
    pub idx: u32,
    /// Who spoke.
    pub speaker: Speaker,
    /// Courtesy (agent and unknown speakers).
    pub courtesy: Option<Label>,
    /// Steps found per clause, best first (agent and unknown speakers; empty otherwise).
    pub script_steps: Vec<StepHit>,
    /// Whole-utterance top script step (agent and unknown speakers).
    pub script_step: Option<Label>,
    /// Sentiment (everyone).
    pub sentiment: Label,
}

/// Identity of a loaded model, for run ledgers and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelId {
    /// `courtesy`, `script_step`, `sentiment`, or `encoder`.
    pub task: String,
    /// The model folder.
    pub dir: PathBuf,
    /// The ONNX file loaded.
    pub file: PathBuf,
    /// Version from the manifest (empty when the manifest has none).
    pub version: String,
    /// SHA-256 of the ONNX file (verified at load).
    pub sha256: String,
}

/// The threshold a label needs for the single-label decision (missing: 0).
fn decision_threshold(m: &ModelManifest, label: &str) -> f32 {
    m.thresholds.get(label).copied().unwrap_or(0.0)
}

/// The threshold a script step needs to be reported as a hit (missing: 0.5).
fn hit_threshold(m: &ModelManifest, label: &str) -> f32 {
    m.thresholds.get(label).copied().unwrap_or(0.5)
}

/// Choose a label: the most probable label that reaches its threshold; when none does, the most
/// probable label. Returns the index into `probs`. (Thresholds let a model say "only call it
/// impolite at 0.6 or more": below that the next best label wins.)
pub fn decide(probs: &[f32], thresholds: &[f32]) -> usize {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    order
        .iter()
        .copied()
        .find(|&i| probs[i] >= thresholds.get(i).copied().unwrap_or(0.0))
        .or_else(|| order.first().copied())
        .unwrap_or(0)
}

fn make_label(m: &ModelManifest, probs: &[f32]) -> Label {
    let thresholds: Vec<f32> = m.labels.iter().map(|l| decision_threshold(m, l)).collect();
    let i = decide(probs, &thresholds);
    Label {
        label: m.labels.get(i).cloned().unwrap_or_default(),
        score: probs.get(i).copied().unwrap_or(0.0),
        distribution: m
            .labels
            .iter()
            .cloned()
            .zip(probs.iter().copied())
            .collect(),
    }
}

/// Script steps found in one clause: the clause's own label (the best label reaching its
/// threshold, as [`decide`] chooses, but only when it does reach it), plus any other label whose
/// probability reaches its threshold (0.5 when the manifest gives none): a merged clause may hold
/// two steps. The background label (`other`) is never a step.
fn clause_hits(m: &ModelManifest, probs: &[f32], clause: (usize, usize)) -> Vec<StepHit> {
    let background = m.background();
    let thresholds: Vec<f32> = m.labels.iter().map(|l| decision_threshold(m, l)).collect();
    let top = decide(probs, &thresholds);
    let top_reaches = probs
        .get(top)
        .is_some_and(|p| *p >= thresholds.get(top).copied().unwrap_or(0.0));
    m.labels
        .iter()
        .zip(probs)
        .enumerate()
        .filter(|(i, (l, p))| {
            Some(l.as_str()) != background
                && ((*i == top && top_reaches) || **p >= hit_threshold(m, l))
        })
        .map(|(_, (l, p))| StepHit {
            step: l.clone(),
            score: *p,
            char_start: clause.0,
            char_end: clause.1,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Task {
    Courtesy,
    ScriptStep,
    Sentiment,
}

impl Task {
    const ALL: [Task; 3] = [Task::Courtesy, Task::ScriptStep, Task::Sentiment];
    fn name(self) -> &'static str {
        match self {
            Task::Courtesy => "courtesy",
            Task::ScriptStep => "script_step",
            Task::Sentiment => "sentiment",
        }
    }
}

enum HeadModel {
    Embedding {
        encoder: usize,
        model: EmbeddingHead,
    },
    Text(Box<TokenModel>),
}

struct Head {
    dir: ModelDir,
    model: HeadModel,
}

struct Encoder {
    dir: EncoderDir,
    model: TokenModel,
}

/// The loaded classifiers: one session per model, shared by every caller (`Send + Sync`).
pub struct Classifiers {
    encoders: Vec<Encoder>,
    heads: Vec<Head>,
    batch_size: usize,
}

/// Resolve a head's `encoder` key to a folder.
fn encoder_folder(head_dir: &Path, encoders: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() || name.contains('/') {
        head_dir.join(p)
    } else {
        encoders.join(name)
    }
}

fn check_width(
    manifest: &Path,
    labels: usize,
    width: Option<usize>,
    model: &Path,
) -> Result<(), ClassifyError> {
    match width {
        Some(w) if w != labels => Err(invalid_key(
            manifest,
            "labels",
            format!(
                "{labels} labels but {} outputs {w} probabilities",
                model.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Check a classifier folder completely: manifest valid, files present, checksums match, the ONNX
/// model opens and its output size equals the number of labels. Needs ONNX Runtime.
pub fn verify_model_dir(dir: &Path) -> Result<ModelDir, ClassifyError> {
    let md = ModelManifest::open_dir(dir)?;
    let manifest = dir.join(manifest::MANIFEST_FILE);
    let width = match (&md.manifest.input_kind, &md.tokenizer_path) {
        (InputKind::Text, Some(tok)) => {
            TokenModel::open(
                &md.model_path,
                tok,
                md.manifest.max_tokens.unwrap_or(512),
                TokenOutput::Probabilities,
                None,
                1,
            )?
            .width
        }
        _ => EmbeddingHead::open(&md.model_path, 1)?.width,
    };
    check_width(&manifest, md.manifest.labels.len(), width, &md.model_path)?;
    Ok(md)
}

/// One text to score and which tasks it needs.
struct Item<'a> {
    text: &'a str,
    lang: &'a str,
    full: bool,
}

struct Scored {
    courtesy: Option<Label>,
    script_step: Option<Label>,
    script_steps: Vec<StepHit>,
    sentiment: Label,
}

impl Classifiers {
    /// Load the three heads and the encoders they name, with `threads` intra-op threads per
    /// session and default options. Every folder is verified (manifest, files, checksums, label
    /// count against the ONNX output).
    pub fn load(paths: &ClassifierPaths, threads: usize) -> Result<Classifiers, ClassifyError> {
        Classifiers::load_with(
            paths,
            &LoadOptions {
                threads,
                ..LoadOptions::default()
            },
        )
    }

    /// [`Classifiers::load`] with all options.
    pub fn load_with(
        paths: &ClassifierPaths,
        options: &LoadOptions,
    ) -> Result<Classifiers, ClassifyError> {
        let mut encoders: Vec<Encoder> = Vec::new();
        let mut heads = Vec::new();
        for task in Task::ALL {
            let dir = paths.head(task);
            let md = ModelManifest::open_dir(dir)?;
            let manifest_path = dir.join(manifest::MANIFEST_FILE);
            if md.manifest.task != task.name() {
                return Err(invalid_key(
                    &manifest_path,
                    "task",
                    format!(
                        "{:?}, but the folder is loaded as the {} model",
                        md.manifest.task,
                        task.name()
                    ),
                ));
            }
            let model = match md.manifest.input_kind {
                InputKind::Text => {
                    let tok = md.tokenizer_path.clone().ok_or_else(|| {
                        invalid_key(&manifest_path, "tokenizer", "required for text models")
                    })?;
                    let m = TokenModel::open(
                        &md.model_path,
                        &tok,
                        md.manifest.max_tokens.unwrap_or(512),
                        TokenOutput::Probabilities,
                        None,
                        options.threads,
                    )?;
                    check_width(
                        &manifest_path,
                        md.manifest.labels.len(),
                        m.width,
                        &md.model_path,
                    )?;
                    HeadModel::Text(Box::new(m))
                }
                InputKind::Embedding => {
                    let name = md.manifest.encoder.clone().unwrap_or_default();
                    let folder = encoder_folder(dir, &paths.encoders, &name);
                    let index = match encoders.iter().position(|e| e.dir.dir == folder) {
                        Some(i) => i,
                        None => {
                            let ed = EncoderManifest::open_dir(
                                &folder,
                                options.encoder_file.as_deref(),
                            )?;
                            let model = TokenModel::open(
                                &ed.model_path,
                                &ed.tokenizer_path,
                                ed.manifest.max_tokens,
                                TokenOutput::Embedding,
                                ed.manifest.output.as_deref(),
                                options.threads,
                            )?;
                            if let Some(w) = model.width
                                && w != ed.manifest.dim
                            {
                                return Err(invalid_key(
                                    &folder.join(manifest::MANIFEST_FILE),
                                    "dim",
                                    format!(
                                        "{} but {} outputs {w}",
                                        ed.manifest.dim,
                                        ed.model_path.display()
                                    ),
                                ));
                            }
                            tracing::debug!(encoder = %folder.display(), "encoder loaded");
                            encoders.push(Encoder { dir: ed, model });
                            encoders.len() - 1
                        }
                    };
                    if let Some(want) = &md.manifest.encoder_sha256 {
                        let want = want.trim().to_ascii_lowercase();
                        let have = &encoders[index].dir.sha256;
                        if want != *have {
                            if options.encoder_file.is_some() {
                                tracing::warn!(
                                    head = %dir.display(),
                                    "head was trained on encoder {want}, running on {have}"
                                );
                            } else {
                                return Err(invalid_key(
                                    &manifest_path,
                                    "encoder_sha256",
                                    format!(
                                        "the head was trained on encoder {want}, but {} is {have} \
                                         (retrain the head or restore that encoder)",
                                        encoders[index].dir.model_path.display()
                                    ),
                                ));
                            }
                        }
                    }
                    let head = EmbeddingHead::open(&md.model_path, options.threads)?;
                    let dim = encoders[index].dir.manifest.dim;
                    if let Some(d) = head.in_dim
                        && d != dim
                    {
                        return Err(ClassifyError::Interface {
                            path: md.model_path.clone(),
                            problem: format!(
                                "takes embeddings of size {d}, but encoder {name:?} gives {dim}"
                            ),
                        });
                    }
                    check_width(
                        &manifest_path,
                        md.manifest.labels.len(),
                        head.width,
                        &md.model_path,
                    )?;
                    HeadModel::Embedding {
                        encoder: index,
                        model: head,
                    }
                }
            };
            tracing::debug!(task = task.name(), version = %md.manifest.version, "classifier loaded");
            heads.push(Head { dir: md, model });
        }
        Ok(Classifiers {
            encoders,
            heads,
            batch_size: options.batch_size.max(1),
        })
    }

    /// Texts per encoder run.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Change the texts per encoder run (at least 1).
    pub fn set_batch_size(&mut self, batch_size: usize) {
        self.batch_size = batch_size.max(1);
    }

    /// The manifest of a task's head (`courtesy`, `script_step`, `sentiment`).
    pub fn manifest(&self, task: &str) -> Option<&ModelManifest> {
        self.heads
            .iter()
            .find(|h| h.dir.manifest.task == task)
            .map(|h| &h.dir.manifest)
    }

    /// The loaded models (heads and encoders) with versions and hashes, for the run ledger.
    pub fn model_ids(&self) -> Vec<ModelId> {
        let mut ids: Vec<ModelId> = self
            .heads
            .iter()
            .map(|h| ModelId {
                task: h.dir.manifest.task.clone(),
                dir: h.dir.dir.clone(),
                file: h.dir.model_path.clone(),
                version: h.dir.manifest.version.clone(),
                sha256: h.dir.sha256.clone(),
            })
            .collect();
        for e in &self.encoders {
            ids.push(ModelId {
                task: "encoder".into(),
                dir: e.dir.dir.clone(),
                file: e.dir.model_path.clone(),
                version: e.dir.manifest.version.clone().unwrap_or_default(),
                sha256: e.dir.sha256.clone(),
            });
        }
        ids
    }

    /// Courtesy, script steps and sentiment of each text. `lang` (`zh`, `en`, `auto`) picks the
    /// clause-splitting cues.
    pub fn classify_texts(
        &self,
        texts: &[&str],
        lang: &str,
    ) -> Result<Vec<Judgement>, ClassifyError> {
        let items: Vec<Item> = texts
            .iter()
            .map(|t| Item {
                text: t,
                lang,
                full: true,
            })
            .collect();
        Ok(self
            .score(&items)?
            .into_iter()
            .map(|s| Judgement {
                courtesy: s.courtesy.unwrap_or_else(empty_label),
                script_steps: s.script_steps,
                script_step: s.script_step.unwrap_or_else(empty_label),
                sentiment: s.sentiment,
            })
            .collect())
    }

    /// Score every utterance of a call in batches: agent and unknown speakers get courtesy,
    /// script steps and sentiment; customers get sentiment only.
    pub fn annotate(&self, transcript: &Transcript) -> Result<Vec<UtteranceScores>, ClassifyError> {
        let items: Vec<Item> = transcript
            .utterances
            .iter()
            .map(|u| Item {
                text: &u.text,
                lang: &transcript.language,
                full: u.speaker != Speaker::Customer,
            })
            .collect();
        let scored = self.score(&items)?;
        Ok(transcript
            .utterances
            .iter()
            .zip(scored)
            .map(|(u, s)| UtteranceScores {
                idx: u.idx,
                speaker: u.speaker,
                courtesy: s.courtesy,
                script_steps: s.script_steps,
                script_step: s.script_step,
                sentiment: s.sentiment,
            })
            .collect())
    }

    fn head(&self, task: Task) -> Result<&Head, ClassifyError> {
        self.heads
            .iter()
            .find(|h| h.dir.manifest.task == task.name())
            .ok_or_else(|| ClassifyError::Interface {
                path: PathBuf::from(task.name()),
                problem: "model not loaded".into(),
            })
    }

    /// Run a token model over `texts` in length-sorted batches; one row per text.
    fn run_tokens(
        &self,
        model: &TokenModel,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, ClassifyError> {
        let encoded = model.encode(texts)?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encoded[i].len());
        let mut rows: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(self.batch_size) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| encoded[i].as_slice()).collect();
            let (values, width) = model.run_batch(&batch)?;
            for (k, &i) in chunk.iter().enumerate() {
                rows[i] = values
                    .get(k * width..(k + 1) * width)
                    .map(<[f32]>::to_vec)
                    .unwrap_or_default();
            }
        }
        Ok(rows)
    }

    /// Probabilities of `task` for each text (deduplicated), with shared embeddings cached.
    fn probabilities(
        &self,
        task: Task,
        texts: &[&str],
        embeddings: &mut [HashMap<String, Vec<f32>>],
    ) -> Result<HashMap<String, Vec<f32>>, ClassifyError> {
        let head = self.head(task)?;
        let m = &head.dir.manifest;
        let mut unique: Vec<&str> = texts.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let prefixed: Vec<String> = unique
            .iter()
            .map(|t| format!("{}{t}", m.prefix()))
            .collect();
        let (values, width) = match &head.model {
            HeadModel::Text(model) => {
                let rows = self.run_tokens(model, &prefixed)?;
                let width = rows.first().map_or(m.labels.len(), Vec::len);
                (rows.concat(), width)
            }
            HeadModel::Embedding { encoder, model } => {
                let enc = &self.encoders[*encoder];
                let cache = &mut embeddings[*encoder];
                let missing: Vec<String> = prefixed
                    .iter()
                    .filter(|p| !cache.contains_key(*p))
                    .cloned()
                    .collect();
                if !missing.is_empty() {
                    let rows = self.run_tokens(&enc.model, &missing)?;
                    for (text, row) in missing.into_iter().zip(rows) {
                        cache.insert(text, row);
                    }
                }
                let dim = enc.dir.manifest.dim;
                let mut flat = Vec::with_capacity(prefixed.len() * dim);
                for p in &prefixed {
                    let row = cache.get(p).map(Vec::as_slice).unwrap_or_default();
                    if row.len() != dim {
                        return Err(ClassifyError::Run {
                            path: enc.dir.model_path.clone(),
                            message: format!("embedding of size {}, expected {dim}", row.len()),
                        });
                    }
                    flat.extend_from_slice(row);
                }
                if prefixed.is_empty() {
                    (Vec::new(), m.labels.len())
                } else {
                    model.run(flat, prefixed.len(), dim)?
                }
            }
        };
        if width != m.labels.len() {
            return Err(invalid_key(
                &head.dir.dir.join(manifest::MANIFEST_FILE),
                "labels",
                format!(
                    "{} labels but {} outputs {width} probabilities",
                    m.labels.len(),
                    head.dir.model_path.display()
                ),
            ));
        }
        if values.len() != unique.len() * width {
            return Err(ClassifyError::Run {
                path: head.dir.model_path.clone(),
                message: format!(
                    "{} values for {} texts of {width} labels",
                    values.len(),
                    unique.len()
                ),
            });
        }
        Ok(unique
            .into_iter()
            .zip(values.chunks(width.max(1)))
            .map(|(t, row)| (t.to_string(), row.to_vec()))
            .collect())
    }

    fn score(&self, items: &[Item]) -> Result<Vec<Scored>, ClassifyError> {
        let mut embeddings: Vec<HashMap<String, Vec<f32>>> =
            vec![HashMap::new(); self.encoders.len()];
        // Clauses of the items that get script steps (a single clause reuses the whole text).
        let clauses: Vec<Vec<Clause>> = items
            .iter()
            .map(|it| {
                if it.full {
                    split_clauses(it.text, it.lang)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let wholes: Vec<&str> = items.iter().map(|it| it.text).collect();
        let full_wholes: Vec<&str> = items
            .iter()
            .filter(|it| it.full)
            .map(|it| it.text)
            .collect();
        let mut step_texts = full_wholes.clone();
        for cs in clauses.iter().filter(|cs| cs.len() > 1) {
            step_texts.extend(cs.iter().map(|c| c.text.as_str()));
        }
        let sentiment = self.probabilities(Task::Sentiment, &wholes, &mut embeddings)?;
        let courtesy = self.probabilities(Task::Courtesy, &full_wholes, &mut embeddings)?;
        let steps = self.probabilities(Task::ScriptStep, &step_texts, &mut embeddings)?;
        let step_m = &self.head(Task::ScriptStep)?.dir.manifest;
        let court_m = &self.head(Task::Courtesy)?.dir.manifest;
        let sent_m = &self.head(Task::Sentiment)?.dir.manifest;
        let get =
            |map: &HashMap<String, Vec<f32>>, t: &str| map.get(t).cloned().unwrap_or_default();
        let mut out = Vec::with_capacity(items.len());
        for (it, cs) in items.iter().zip(&clauses) {
            let sentiment = make_label(sent_m, &get(&sentiment, it.text));
            if !it.full {
                out.push(Scored {
                    courtesy: None,
                    script_step: None,
                    script_steps: Vec::new(),
                    sentiment,
                });
                continue;
            }
            let whole = get(&steps, it.text);
            let mut hits = Vec::new();
            match cs.as_slice() {
                [] => {}
                [one] => hits.extend(clause_hits(step_m, &whole, (one.char_start, one.char_end))),
                many => {
                    for c in many {
                        let p = get(&steps, &c.text);
                        hits.extend(clause_hits(step_m, &p, (c.char_start, c.char_end)));
                    }
                    // A step only the whole utterance shows (context spread over clauses).
                    let span = (
                        many.first().map_or(0, |c| c.char_start),
                        many.last().map_or(0, |c| c.char_end),
                    );
                    for h in clause_hits(step_m, &whole, span) {
                        if !hits.iter().any(|k| k.step == h.step) {
                            hits.push(h);
                        }
                    }
                }
            }
            hits.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.char_start.cmp(&b.char_start))
            });
            out.push(Scored {
                courtesy: Some(make_label(court_m, &get(&courtesy, it.text))),
                script_step: Some(make_label(step_m, &whole)),
                script_steps: hits,
                sentiment,
            });
        }
        Ok(out)
    }
}

fn empty_label() -> Label {
    Label {
        label: String::new(),
        score: 0.0,
        distribution: Vec::new(),
    }
}

/// The step labels of hits, best first, each once.
pub fn step_labels(hits: &[StepHit]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in hits {
        if !out.contains(&h.step) {
            out.push(h.step.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decide_takes_the_best_label_that_reaches_its_threshold() {
        // impolite is most probable but below its 0.6 threshold: the next best wins.
        assert_eq!(decide(&[0.15, 0.30, 0.55], &[0.5, 0.0, 0.6]), 1);
        assert_eq!(decide(&[0.15, 0.20, 0.65], &[0.5, 0.0, 0.6]), 2);
        // Nothing reaches its threshold: plain argmax.
        assert_eq!(decide(&[0.3, 0.3, 0.4], &[0.9, 0.9, 0.9]), 2);
        // Ties go to the earlier label; missing thresholds count as 0.
        assert_eq!(decide(&[0.5, 0.5], &[]), 0);
        assert_eq!(decide(&[], &[]), 0);
    }

    fn manifest(labels: &[&str], thresholds: &[(&str, f32)]) -> ModelManifest {
        let mut toml = format!(
            "task = \"script_step\"\nlabels = {:?}\ninput_kind = \"embedding\"\nencoder = \"e\"\n\
             version = \"1\"\nsha256 = \"{}\"\n[thresholds]\n",
            labels,
            "0".repeat(64)
        );
        for (l, t) in thresholds {
            toml.push_str(&format!("{l} = {t}\n"));
        }
        match toml::from_str(&toml) {
            Ok(m) => m,
            Err(e) => panic!("test manifest does not parse: {e}"),
        }
    }

    #[test]
    fn clause_hits_skip_background_and_use_label_thresholds() {
        let m = manifest(
            &["greeting", "self_intro", "need_probe", "other"],
            &[("greeting", 0.3), ("need_probe", 0.6), ("other", 0.0)],
        );
        // self_intro is the clause's label (no threshold given); greeting 0.3 ≥ its 0.3 too.
        let hits = clause_hits(&m, &[0.3, 0.4, 0.1, 0.2], (2, 9));
        let steps: Vec<&str> = hits.iter().map(|h| h.step.as_str()).collect();
        assert_eq!(steps, ["greeting", "self_intro"]);
        assert_eq!((hits[0].char_start, hits[0].char_end), (2, 9));
        // need_probe is the most probable but below its 0.6: the clause's label becomes
        // self_intro (0.25, no threshold); need_probe is not reported.
        let hits = clause_hits(&m, &[0.05, 0.25, 0.55, 0.15], (0, 4));
        let steps: Vec<&str> = hits.iter().map(|h| h.step.as_str()).collect();
        assert_eq!(steps, ["self_intro"]);
        // The background label is never a step, however probable.
        assert!(clause_hits(&m, &[0.0, 0.0, 0.0, 1.0], (0, 1)).is_empty());
        // A second label without a threshold needs 0.5.
        let hits = clause_hits(&m, &[0.0, 0.45, 0.0, 0.55], (0, 1));
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn labels_carry_the_full_distribution_in_model_order() {
        let m = manifest(&["greeting", "self_intro", "other"], &[]);
        let l = make_label(&m, &[0.2, 0.7, 0.1]);
        assert_eq!(l.label, "self_intro");
        assert!((l.score - 0.7).abs() < 1e-6);
        assert_eq!(l.distribution[0].0, "greeting");
        assert_eq!(l.distribution.len(), 3);
    }

    #[test]
    fn step_labels_are_unique_best_first() {
        let hit = |s: &str, p: f32| StepHit {
            step: s.into(),
            score: p,
            char_start: 0,
            char_end: 1,
        };
        let hits = [
            hit("greeting", 0.9),
            hit("need_probe", 0.8),
            hit("greeting", 0.6),
        ];
        assert_eq!(step_labels(&hits), ["greeting", "need_probe"]);
    }

    #[test]
    fn classifiers_can_be_shared_by_worker_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Classifiers>();
    }

    #[test]
    fn default_layout_under_a_root() {
        let p = ClassifierPaths::under(Path::new("/m"));
        assert_eq!(p.script_step, Path::new("/m/classifiers/script_step"));
        assert_eq!(p.encoders, Path::new("/m/encoder"));
    }
}
