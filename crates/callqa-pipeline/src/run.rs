//! Runs: `score` takes recordings through every stage into the tables; `rescore` re-applies
//! (changed) forms and classifiers to the transcripts already stored, without ASR.
//!
//! A run is idempotent and resumable. Every call gets a key — sha256 over the recording's sha256,
//! the pipeline name and version, the ASR model's sha256 and the classifier models' sha256s —
//! and the store's ledger lists the keys of committed calls: a call whose key is there is skipped.
//! Rows are committed in shards of a few calls (temporary names, rename, then the ledger record),
//! so a killed run loses at most the shard in flight and leaves no partial file behind.

use crate::config::{ConfigError, Pipeline};
use crate::inputs::{CallInput, InputError};
use crate::pool::{run_pool, worker_count};
use crate::transcribe::{SpeechEngines, SpeechWorker};
use callqa_classify::{ClassifierPaths, Classifiers, LoadOptions, UtteranceScores};
use callqa_core::{Speaker, SpeechSpan, Transcript, Utterance};
use callqa_score::{LabelScore, Scorecard, StepHit, UtteranceJudgement, evaluate};
use callqa_store::{
    ActivityRow, CallRow, CallScoreRow, Claim, ClaimOutcome, Claims, ErrorRow, EvaluationRow,
    ShardRows, Store, StoreError, UtteranceRow, read_current_rows, read_rows,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// The stages whose time a run reports, in pipeline order.
pub const STAGES: [&str; 6] = ["hash", "decode", "asr", "classify", "score", "write"];

/// Why a run could not start or had to stop (per-call problems are rows in `errors` instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A pipeline file is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A model could not be found or loaded.
    #[error("{0}")]
    Model(String),
    /// The output directory could not be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing to do with.
    #[error("{0}")]
    Usage(String),
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output directory (the tables and the ledger).
    pub out: PathBuf,
    /// Parallel workers, each with its own Whisper state; default: free cores / ASR threads.
    pub jobs: Option<usize>,
    /// Calls per committed shard (each shard is one part file per table and date). Smaller
    /// loses less to a crash; larger makes fewer files.
    pub shard_calls: usize,
    /// Run id (letters, digits, `.`, `_`, `-`); default: the UTC start time plus the process id.
    pub run_id: Option<String>,
    /// Score only the calls of this shard (stable hash of `call_id`, see [`crate::shard`]).
    pub shard: Option<crate::shard::Shard>,
    /// Replace the stored scorings of the calls this run scores (same `call_id`, an older
    /// pipeline version or other models): each shard's commit also rewrites the records holding
    /// them without them, atomically. Takes the output folder to itself
    /// ([`Store::open_exclusive`]). Off: the older scorings stay, and readers that aggregate
    /// count each call's newest only ([`callqa_store::read_current_rows`]).
    pub supersede: bool,
    /// Score only the calls whose `call_date` is in this range (`score --date` / `--since`);
    /// the others are counted in [`RunSummary::outside_dates`].
    pub dates: Option<crate::dates::DateRange>,
}

impl RunOptions {
    /// Defaults for an output directory.
    pub fn new(out: impl Into<PathBuf>) -> RunOptions {
        RunOptions {
            out: out.into(),
            jobs: None,
            shard_calls: 8,
            run_id: None,
            shard: None,
            supersede: false,
            dates: None,
        }
    }
}

/// What happened to one call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum CallStatus {
    /// Scored and written.
    Scored {
        /// Total score 0-100.
        total_score: f64,
        /// An auto-fail item failed.
        auto_fail: bool,
    },
    /// Not processed again.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Failed; recorded in `errors`.
    Failed {
        /// Stage that failed.
        stage: String,
        /// One-line message naming the file.
        message: String,
    },
}

/// One finished call, for progress reporting.
#[derive(Debug, Clone)]
pub struct CallEvent<'a> {
    /// Call id.
    pub call_id: &'a str,
    /// Recording.
    pub path: &'a Path,
    /// Outcome.
    pub status: &'a CallStatus,
    /// Audio length, seconds (0 when not decoded).
    pub audio_s: f64,
}

/// Receives run progress (a progress bar, log lines). Calls come from the run's main thread.
pub trait Progress {
    /// The run starts with this many calls.
    fn started(&self, _calls: usize) {}
    /// One call is done.
    fn call_finished(&self, _event: &CallEvent) {}
    /// A shard was committed.
    fn shard_committed(&self, _shard: u32, _calls: usize) {}
}

/// A [`Progress`] that reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// The end-of-run summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Run id.
    pub run_id: String,
    /// Output directory.
    pub out: PathBuf,
    /// Calls given (inputs that could be named, plus input errors).
    pub calls: usize,
    /// Calls scored in this run.
    pub scored: usize,
    /// Calls skipped (already scored with the same key, or a duplicate recording).
    pub skipped: usize,
    /// Calls that failed (rows in `errors`).
    pub failed: usize,
    /// Mean total score of the calls scored in this run.
    pub mean_score: Option<f64>,
    /// Calls scored with a failed auto-fail item.
    pub auto_failed: usize,
    /// Audio decoded, seconds.
    pub audio_s: f64,
    /// Wall time of the run, seconds.
    pub wall_s: f64,
    /// Seconds spent per stage, summed over workers ([`STAGES`]).
    pub stage_s: BTreeMap<String, f64>,
    /// Shards committed.
    pub shards: u32,
    /// Failures per stage.
    pub failed_by_stage: BTreeMap<String, usize>,
    /// Of the skipped calls, those another run writing the same output directory had in flight
    /// (claimed): that run commits them.
    pub claimed_elsewhere: usize,
    /// The shard scored (`i/N`), when the run took one; `calls` counts that shard's calls only.
    pub shard: Option<String>,
    /// Calls left out because their `call_date` is outside [`RunOptions::dates`].
    pub outside_dates: usize,
    /// The calls that failed: id, file, stage, kind, message (the run's rows in `errors`).
    pub failures: Vec<CallFailure>,
    /// Calls given with no date found (no manifest `started_at`, nothing the file-name pattern
    /// captured could be read, no dated folder): dated by the file's modification time or the
    /// run's date (`calls.started_at_source` says which).
    pub undated: usize,
    /// Stored scorings of the run's calls that it replaced (`score --supersede`).
    pub superseded: usize,
    /// Rescoring: stored calls that no given pipeline matches (by stored pipeline name, else
    /// direction and language), left as they are.
    pub untouched: usize,
}

/// One failed call of a run (as its `errors` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallFailure {
    /// Call id, where the input got one.
    pub call_id: Option<String>,
    /// The recording (or manifest line).
    pub source_uri: String,
    /// Stage that failed (`input`, `decode`, `asr`, `classify`, ...).
    pub stage: String,
    /// Kind of failure within the stage.
    pub kind: String,
    /// One-line message naming the file.
    pub message: String,
}

impl From<&ErrorRow> for CallFailure {
    fn from(e: &ErrorRow) -> CallFailure {
        CallFailure {
            call_id: e.call_id.clone(),
            source_uri: e.source_uri.clone(),
            stage: e.stage.clone(),
            kind: e.kind.clone(),
            message: e.message.clone(),
        }
    }
}

impl RunSummary {
    /// The stage that took the most time, with its seconds.
    pub fn slowest_stage(&self) -> Option<(&str, f64)> {
        self.stage_s
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, v)| (k.as_str(), *v))
    }

    /// Count a call scored in this run (the mean is kept as a running mean); gives its status.
    fn record_scored(&mut self, score: &CallScoreRow) -> CallStatus {
        self.scored += 1;
        let mean = self.mean_score.unwrap_or(0.0);
        self.mean_score = Some(mean + (score.total_score - mean) / self.scored as f64);
        if score.auto_fail {
            self.auto_failed += 1;
        }
        CallStatus::Scored {
            total_score: score.total_score,
            auto_fail: score.auto_fail,
        }
    }

    /// Count a call that failed at `stage`.
    fn record_failed(&mut self, stage: &str) {
        self.failed += 1;
        *self.failed_by_stage.entry(stage.to_string()).or_default() += 1;
    }

    /// 0 when every call was scored or skipped, 2 when some failed (the design's exit codes).
    pub fn exit_code(&self) -> u8 {
        if self.failed > 0 { 2 } else { 0 }
    }
}

/// One pipeline with the models it uses, ready to run. Route `i` is route `i` of
/// `Engines::speech` too.
struct Route {
    pipeline: Pipeline,
    classifiers: usize,
    /// `task=sha256;...` of the classifier models.
    classifier_versions: String,
}

/// Loaded models shared by the workers: the speech models (each distinct Whisper file once, the
/// VADs, the mono diarizer; none for rescoring) and each distinct classifier set once.
pub struct Engines {
    routes: Vec<Route>,
    speech: Option<SpeechEngines>,
    classifiers: Vec<(ClassifierPaths, Classifiers)>,
}

impl Engines {
    /// Load what the pipelines need. `with_asr` false loads no Whisper model or VAD (rescoring).
    pub fn load(
        pipelines: Vec<Pipeline>,
        with_asr: bool,
        classifier_threads: usize,
    ) -> Result<Engines, RunError> {
        if pipelines.is_empty() {
            return Err(RunError::Usage("no pipeline given".into()));
        }
        let speech = if with_asr {
            let routes = pipelines
                .iter()
                .map(|p| {
                    p.stage_settings()
                        .map(|s| (p.path.display().to_string(), s))
                })
                .collect::<Result<Vec<_>, ConfigError>>()?;
            Some(SpeechEngines::load(routes)?)
        } else {
            None
        };
        let mut classifiers: Vec<(ClassifierPaths, Classifiers)> = Vec::new();
        let mut routes = Vec::new();
        for pipeline in pipelines {
            // Validates the `[asr]`/`[vad]` tables even when no ASR is loaded (rescoring).
            pipeline.stage_settings()?;
            let paths = pipeline.classifier_paths();
            let cidx = match classifiers.iter().position(|(p, _)| *p == paths) {
                Some(i) => i,
                None => {
                    let c = Classifiers::load_with(
                        &paths,
                        &LoadOptions {
                            threads: classifier_threads,
                            ..LoadOptions::default()
                        },
                    )
                    .map_err(|e| {
                        RunError::Model(format!(
                            "{}: classifiers: {e} (build them with scripts/setup.sh)",
                            pipeline.path.display()
                        ))
                    })?;
                    classifiers.push((paths, c));
                    classifiers.len() - 1
                }
            };
            let mut ids = classifiers[cidx].1.model_ids();
            ids.sort_by(|a, b| a.task.cmp(&b.task));
            let classifier_versions = ids
                .iter()
                .map(|m| format!("{}={}", m.task, m.sha256))
                .collect::<Vec<_>>()
                .join(";");
            routes.push(Route {
                pipeline,
                classifiers: cidx,
                classifier_versions,
            });
        }
        Ok(Engines {
            routes,
            speech,
            classifiers,
        })
    }

    /// The route of a call: the pipeline its manifest row names (`pipeline` column), else the
    /// first whose direction (and, with a `language` column, language) matches, else the first.
    fn route_for(
        &self,
        direction: Option<&str>,
        extra: &BTreeMap<String, String>,
    ) -> Result<usize, String> {
        if let Some(name) = extra.get("pipeline").filter(|s| !s.trim().is_empty()) {
            return self
                .routes
                .iter()
                .position(|r| r.pipeline.config.pipeline.name == name.trim())
                .ok_or_else(|| {
                    format!(
                        "the manifest names pipeline {name:?}, which is not among the pipelines given ({})",
                        self.pipeline_names().join(", ")
                    )
                });
        }
        let language = extra.get("language").map(|s| s.trim());
        let fits = |r: &Route| {
            let p = &r.pipeline.config.pipeline;
            direction.is_none_or(|d| p.direction == d)
                && language.is_none_or(|l| p.language == l || p.language == "auto")
        };
        Ok(self.routes.iter().position(fits).unwrap_or(0))
    }

    /// The route of a stored call (rescoring): the given pipeline of the call's stored pipeline
    /// name, else the first whose direction and language match the call's (a call without a
    /// stored direction matches any; a pipeline of language `auto` any language). `None`: no
    /// given pipeline matches, and the call is left as it is.
    pub(crate) fn route_stored(&self, call: &CallRow) -> Option<usize> {
        let by_name = self
            .routes
            .iter()
            .position(|r| r.pipeline.config.pipeline.name == call.pipeline);
        by_name.or_else(|| {
            self.routes.iter().position(|r| {
                let p = &r.pipeline.config.pipeline;
                call.direction.as_deref().is_none_or(|d| p.direction == d)
                    && (p.language == call.language || p.language == "auto")
            })
        })
    }

    /// What each loaded pipeline runs: its name, version and file, and the versions of its models
    /// (Whisper when loaded with ASR; the classifiers always), for run reports.
    pub fn versions(&self) -> Vec<PipelineVersions> {
        self.routes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let p = &r.pipeline.config.pipeline;
                let asr = self.speech.as_ref().map(|s| s.model(i));
                PipelineVersions {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    path: r.pipeline.path.clone(),
                    language: p.language.clone(),
                    direction: p.direction.clone(),
                    form: r.pipeline.form.config.name.clone(),
                    asr_model: asr.map(|m| m.name.clone()),
                    asr_model_sha256: asr.map(|m| m.sha256.clone()),
                    classifiers: r.classifier_versions.clone(),
                }
            })
            .collect()
    }

    fn pipeline_names(&self) -> Vec<String> {
        self.routes
            .iter()
            .map(|r| r.pipeline.config.pipeline.name.clone())
            .collect()
    }
}

/// A loaded pipeline's versions (see [`Engines::versions`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineVersions {
    /// `[pipeline] name`.
    pub name: String,
    /// `[pipeline] version`.
    pub version: String,
    /// The pipeline file.
    pub path: PathBuf,
    /// `[pipeline] language`.
    pub language: String,
    /// `[pipeline] direction`.
    pub direction: String,
    /// The form's name.
    pub form: String,
    /// Whisper model name (loaded with ASR only).
    pub asr_model: Option<String>,
    /// Whisper model sha256 (loaded with ASR only).
    pub asr_model_sha256: Option<String>,
    /// `task=sha256;...` of the classifier models.
    pub classifiers: String,
}

/// The idempotence key of a call (see the module docs).
pub fn call_key(
    source_sha256: &str,
    pipeline: &Pipeline,
    asr_model_sha256: &str,
    classifier_versions: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        "callqa-call-key-v1",
        source_sha256,
        &pipeline.config.pipeline.name,
        &pipeline.config.pipeline.version,
        asr_model_sha256,
        classifier_versions,
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// A run id from the clock and the process id: sortable, and valid as a file name.
pub fn new_run_id() -> String {
    format!(
        "{}-{:05}",
        Utc::now().format("%Y%m%dT%H%M%SZ"),
        std::process::id() % 100_000
    )
}

/// A failure of one call.
#[derive(Debug, Clone)]
struct Failure {
    stage: &'static str,
    kind: String,
    message: String,
}

impl Failure {
    fn new(stage: &'static str, kind: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            stage,
            kind: kind.into(),
            message: message.into().replace('\n', " "),
        }
    }
}

/// The rows one call produces.
#[derive(Debug, Clone)]
struct CallRows {
    call: CallRow,
    utterances: Vec<UtteranceRow>,
    activity: Vec<ActivityRow>,
    evaluations: Vec<EvaluationRow>,
    score: CallScoreRow,
}

impl CallRows {
    fn append_to(self, shard: &mut ShardRows) {
        shard.calls.push(self.call);
        shard.utterances.extend(self.utterances);
        shard.activity.extend(self.activity);
        shard.evaluations.extend(self.evaluations);
        shard.call_scores.push(self.score);
    }
}

fn label_score(l: &callqa_classify::Label) -> LabelScore {
    LabelScore {
        label: l.label.clone(),
        score: l.score,
    }
}

/// The classifier output in the form engine's terms.
fn judgements(scores: &[UtteranceScores]) -> Vec<UtteranceJudgement> {
    scores
        .iter()
        .map(|s| UtteranceJudgement {
            courtesy: s.courtesy.as_ref().map(label_score),
            sentiment: Some(label_score(&s.sentiment)),
            sentiment_distribution: s
                .sentiment
                .distribution
                .iter()
                .map(|(label, score)| LabelScore {
                    label: label.clone(),
                    score: *score,
                })
                .collect(),
            script_steps: s
                .script_steps
                .iter()
                .map(|h| StepHit {
                    step: h.step.clone(),
                    score: h.score,
                })
                .collect(),
        })
        .collect()
}

/// Classify a transcript, score it against the route's form and build its rows. `call` carries
/// the call's metadata; its pipeline fields are filled in here. `stored_pii`: per utterance, the
/// `pii_spans` of a stored transcript whose text was stored redacted (rescoring), kept as they are.
fn scored_rows(
    engines: &Engines,
    route: &Route,
    mut call: CallRow,
    transcript: &Transcript,
    stored_pii: Option<&[Option<String>]>,
    timing: &mut StageTimes,
) -> Result<CallRows, Failure> {
    let t = Instant::now();
    let classifiers = &engines.classifiers[route.classifiers].1;
    let scores = classifiers
        .annotate(transcript)
        .map_err(|e| Failure::new("classify", "model", format!("{}: {e}", call.source_uri)))?;
    timing.add("classify", t);
    let t = Instant::now();
    let judged = judgements(&scores);
    let card = evaluate(&route.pipeline.form, transcript, &judged);
    let p = &route.pipeline.config;
    call.pipeline = p.pipeline.name.clone();
    call.pipeline_version = p.pipeline.version.clone();
    call.form = card.form.clone();
    call.classifier_versions = Some(route.classifier_versions.clone());
    call.language = transcript.language.clone();
    call.roles_inferred = transcript.roles_inferred;
    call.role_confidence = Some(f64::from(transcript.role_confidence));
    call.dropped_segments = transcript.dropped_segments;
    let pii = redact_utterances(transcript, stored_pii);
    let rows = build_rows(call, transcript, &scores, &card, &pii, &p.privacy);
    timing.add("score", t);
    Ok(rows)
}

/// Padding around each PII span's time, ms: the span's time is its share of the utterance's
/// characters, so the padding absorbs uneven speech rate.
const PII_PAD_MS: u64 = 150;

/// One utterance's personal data: the redacted text and the `pii_spans` column value.
struct Redacted {
    text: String,
    spans: String,
}

/// Find and redact the personal data of every utterance. Each is read in its dialogue context:
/// whether the agent said it (the agent's own name is kept), and the other party's utterance
/// just before as its question (a bare name after "怎么称呼" is a name). Utterances whose text
/// was stored redacted keep their stored spans (`stored`, when rescoring).
fn redact_utterances(transcript: &Transcript, stored: Option<&[Option<String>]>) -> Vec<Redacted> {
    let us = &transcript.utterances;
    us.iter()
        .enumerate()
        .map(|(i, u)| {
            if let Some(spans) = stored.and_then(|s| s.get(i)).and_then(Option::as_ref) {
                return Redacted {
                    text: u.text.clone(),
                    spans: spans.clone(),
                };
            }
            let question = question_before(us, i);
            let ctx = callqa_text::Context {
                agent: u.speaker == Speaker::Agent,
                question: question.as_deref(),
            };
            let found = callqa_text::find_pii_in(&u.text, &ctx);
            let words: Vec<callqa_text::WordSpan> = u
                .words
                .iter()
                .map(|w| {
                    let (a, b) = (w.start_char as usize, w.end_char as usize);
                    (a, b, w.start_ms, w.end_ms)
                })
                .collect();
            let timed = callqa_text::timed_spans_by_words(
                &found,
                u.text.chars().count(),
                u.start_ms,
                u.end_ms,
                PII_PAD_MS,
                &words,
            );
            Redacted {
                text: callqa_text::redact_spans(&u.text, &found),
                spans: callqa_text::spans_to_json(&timed),
            }
        })
        .collect()
}

/// The other party's last turn before utterance `i` (up to three of its utterances, joined),
/// skipping the speaker's own earlier utterances and back-channels: what `i` may be answering
/// ("what is your phone number" before "seven one five" / "one three nine").
fn question_before(us: &[Utterance], i: usize) -> Option<String> {
    let me = us[i].speaker;
    let mut parts: Vec<&str> = Vec::new();
    for p in us[..i].iter().rev().filter(|p| !p.backchannel) {
        if p.speaker == me {
            if parts.is_empty() {
                continue;
            }
            break;
        }
        parts.push(&p.text);
        if parts.len() == 3 {
            break;
        }
    }
    parts.reverse();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn build_rows(
    call: CallRow,
    transcript: &Transcript,
    scores: &[UtteranceScores],
    card: &Scorecard,
    pii: &[Redacted],
    privacy: &crate::config::PrivacySection,
) -> CallRows {
    let redacted: Vec<String> = pii.iter().map(|r| r.text.clone()).collect();
    let utterances = transcript
        .utterances
        .iter()
        .zip(pii)
        .enumerate()
        .map(|(i, (u, red))| {
            let s = scores.get(i);
            let best_step = s.and_then(|s| {
                s.script_steps
                    .first()
                    .map(|h| (h.step.clone(), h.score))
                    .or_else(|| s.script_step.as_ref().map(|l| (l.label.clone(), l.score)))
            });
            UtteranceRow {
                call_id: call.call_id.clone(),
                call_date: call.call_date,
                idx: u.idx,
                speaker: u.speaker.as_str().to_string(),
                start_ms: u.start_ms as i64,
                end_ms: u.end_ms as i64,
                // Without store_raw_text no table holds the personal data found.
                text: if privacy.store_raw_text {
                    u.text.clone()
                } else {
                    red.text.clone()
                },
                text_redacted: red.text.clone(),
                pii_spans: red.spans.clone(),
                asr_avg_logprob: u.avg_logprob.map(f64::from),
                no_speech_prob: u.no_speech_prob.map(f64::from),
                sentiment: s.map(|s| s.sentiment.label.clone()),
                sentiment_score: s.map(|s| f64::from(s.sentiment.score)),
                courtesy: s.and_then(|s| s.courtesy.as_ref().map(|c| c.label.clone())),
                courtesy_score: s.and_then(|s| s.courtesy.as_ref().map(|c| f64::from(c.score))),
                script_step: best_step.as_ref().map(|(l, _)| l.clone()),
                script_step_score: best_step.map(|(_, p)| f64::from(p)),
                script_steps: s
                    .map(|s| callqa_classify::step_labels(&s.script_steps))
                    .unwrap_or_default(),
                backchannel: u.backchannel,
            }
        })
        .collect();
    let activity = transcript
        .activity
        .iter()
        .map(|a| ActivityRow {
            call_id: call.call_id.clone(),
            call_date: call.call_date,
            speaker: a.speaker.as_str().to_string(),
            start_ms: a.start_ms as i64,
            end_ms: a.end_ms as i64,
        })
        .collect();
    let evaluations = card
        .items
        .iter()
        .map(|item| {
            let e = &item.evidence;
            // Evidence quotes the redacted utterance; a searched window keeps its description.
            let text = match e.idx.and_then(|i| redacted.get(i as usize)) {
                Some(red) => Some(red.clone()),
                None => Some(e.text.clone()).filter(|t| !t.is_empty()),
            };
            EvaluationRow {
                call_id: call.call_id.clone(),
                call_date: call.call_date,
                agent_id: call.agent_id.clone(),
                form: card.form.clone(),
                section: Some(item.section.clone()),
                item_id: item.item_id.clone(),
                title: item.title.clone(),
                result: item.result.as_str().to_string(),
                score: item.score,
                weight: item.weight,
                auto_fail: item.auto_fail && item.result == callqa_score::Outcome::Fail,
                detector: item.detector.clone(),
                evidence_idx: e.idx,
                evidence_start_ms: e.start_ms.map(|v| v as i64),
                evidence_end_ms: e.end_ms.map(|v| v as i64),
                evidence_text: text,
                confidence: item.confidence,
                review_reasons: item
                    .review_reasons
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect(),
            }
        })
        .collect();
    let m = &card.metrics;
    // The engine scores sentiment on [0, 1]; the table keeps P(positive) - P(negative), [-1, 1].
    let signed = |l: &Option<LabelScore>| l.as_ref().map(|l| f64::from(l.score) * 2.0 - 1.0);
    let score = CallScoreRow {
        call_id: call.call_id.clone(),
        call_date: call.call_date,
        agent_id: call.agent_id.clone(),
        team: call.team.clone(),
        form: card.form.clone(),
        total_score: card.total_score,
        auto_fail: card.auto_fail,
        needs_review: card.needs_review,
        review_reasons: card
            .review_reasons
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        items_passed: card.items_passed,
        items_failed: card.items_failed,
        items_na: card.items_na,
        customer_sentiment_start: card
            .customer_sentiment_start
            .as_ref()
            .map(|l| l.label.clone()),
        customer_sentiment_end: card
            .customer_sentiment_end
            .as_ref()
            .map(|l| l.label.clone()),
        customer_sentiment_start_score: signed(&card.customer_sentiment_start),
        customer_sentiment_end_score: signed(&card.customer_sentiment_end),
        duration_s: m.duration_s,
        agent_talk_s: m.agent_talk_s,
        customer_talk_s: m.customer_talk_s,
        agent_talk_ratio: m.agent_talk_ratio,
        silence_ratio: m.silence_ratio,
        longest_silence_s: m.longest_silence_s,
        longest_dead_air_s: m.longest_dead_air_s,
        dead_air_count: m.dead_air_count,
        hold_count: m.hold_count,
        hold_s: m.hold_s,
        overtalk_count: m.overtalk_count,
        overtalk_s: m.overtalk_s,
        agent_interruptions: m.agent_interruptions,
        customer_interruptions: m.customer_interruptions,
        agent_speech_rate: m.agent_speech_rate,
        agent_first_words_s: m.agent_first_words_s,
    };
    CallRows {
        call,
        utterances,
        activity,
        evaluations,
        score,
    }
}

#[derive(Debug, Default, Clone)]
struct StageTimes(BTreeMap<&'static str, f64>);

impl StageTimes {
    fn add(&mut self, stage: &'static str, since: Instant) {
        *self.0.entry(stage).or_default() += since.elapsed().as_secs_f64();
    }

    fn add_secs(&mut self, stage: &'static str, secs: f64) {
        *self.0.entry(stage).or_default() += secs;
    }
}

/// What a worker hands back for one call.
struct Processed {
    index: usize,
    key: Option<String>,
    outcome: Result<Option<CallRows>, Failure>,
    skipped: Option<String>,
    audio_s: f64,
    times: StageTimes,
    /// The call's claim, held until its shard is committed.
    claim: Option<Claim>,
    /// Skipped because another run has it in flight.
    claimed_elsewhere: bool,
}

fn metadata_row(
    input: &CallInput,
    sha: &str,
    key: &str,
    run_id: &str,
    now: DateTime<Utc>,
) -> CallRow {
    CallRow {
        call_id: input.call_id.clone(),
        call_key: key.to_string(),
        source_uri: input.path.display().to_string(),
        source_sha256: sha.to_string(),
        agent_id: Some(input.agent_id.clone()),
        team: input.team.clone(),
        direction: input.direction.clone(),
        call_date: input.call_date,
        // Recorders write local time; it is stored as given, marked UTC (no zone is known).
        started_at: input.started_at.map(|t| t.and_utc()),
        started_at_source: Some(input.started_at_source.as_str().to_string()),
        duration_s: 0.0,
        channels: 0,
        sample_rate_hz: 0,
        codec: None,
        language: String::new(),
        roles_inferred: false,
        role_confidence: None,
        dropped_segments: 0,
        truncated: false,
        pipeline: String::new(),
        pipeline_version: String::new(),
        form: String::new(),
        asr_model: String::new(),
        asr_model_sha256: String::new(),
        classifier_versions: None,
        extra: if input.extra.is_empty() {
            None
        } else {
            serde_json::to_string(&input.extra).ok()
        },
        redacted_audio_uri: None,
        processed_at: now,
        run_id: run_id.to_string(),
    }
}

struct Shared<'a> {
    engines: &'a Engines,
    /// The output directory (redacted audio copies go under it).
    out: &'a Path,
    done: &'a HashSet<String>,
    claimed: &'a Mutex<HashMap<String, String>>,
    /// Claims on the output directory, shared with other runs writing it.
    claims: &'a Claims,
    run_id: &'a str,
}

fn process_one(
    shared: &Shared,
    worker: &mut SpeechWorker,
    index: usize,
    input: &CallInput,
    route_idx: usize,
) -> Processed {
    let mut times = StageTimes::default();
    let done = |key: Option<String>, outcome, skipped, audio_s, times| Processed {
        index,
        key,
        outcome,
        skipped,
        audio_s,
        times,
        claim: None,
        claimed_elsewhere: false,
    };
    let engines = shared.engines;
    let route = &engines.routes[route_idx];
    let resolved = worker.engines().model(route_idx);
    let t = Instant::now();
    // The size limit is checked before the content is hashed: an oversize file is never read.
    let limits = route.pipeline.config.audio.limits();
    let sha = match crate::inputs::recording_sha256(&input.path, &limits) {
        Ok(s) => s,
        Err(e) => {
            let (stage, kind) = e.stage_kind();
            let f = Failure::new(stage, kind, e.to_string());
            return done(None, Err(f), None, 0.0, times);
        }
    };
    times.add("hash", t);
    let key = call_key(
        &sha,
        &route.pipeline,
        &resolved.sha256,
        &route.classifier_versions,
    );
    if shared.done.contains(&key) {
        let why = "already scored (same recording, pipeline version and models)".to_string();
        return done(Some(key), Ok(None), Some(why), 0.0, times);
    }
    {
        let mut claimed = shared.claimed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(first) = claimed.get(&key) {
            let why = format!("same recording as call {first} in this run");
            return done(Some(key), Ok(None), Some(why), 0.0, times);
        }
        claimed.insert(key.clone(), input.call_id.clone());
    }
    // Another run writing the same directory may have the call in flight, or have committed it
    // since this run started.
    let claim = match shared.claims.try_claim(&key) {
        Ok(ClaimOutcome::Claimed(c)) => c,
        Ok(ClaimOutcome::InFlight) => {
            let why = "claimed by another run (in flight there)".to_string();
            let mut p = done(Some(key), Ok(None), Some(why), 0.0, times);
            p.claimed_elsewhere = true;
            return p;
        }
        Ok(ClaimOutcome::Done) => {
            let why =
                "already scored (committed by another run since this one started)".to_string();
            return done(Some(key), Ok(None), Some(why), 0.0, times);
        }
        Err(e) => {
            let f = Failure::new("write", "claim", e.to_string());
            return done(Some(key), Err(f), None, 0.0, times);
        }
    };
    let with_claim = |mut p: Processed| {
        p.claim = Some(claim);
        p
    };
    // Audio -> transcript: the same path `callqa transcribe` takes.
    let heard = match worker.transcribe_file(route_idx, &input.path) {
        Ok(h) => h,
        Err(e) => {
            let f = Failure::new(e.stage(), e.kind(), e.to_string());
            return with_claim(done(Some(key), Err(f), None, 0.0, times));
        }
    };
    let timing = heard.timing;
    times.add_secs("decode", timing.decode_s);
    times.add_secs("asr", timing.diarize_s + timing.asr_s);
    let audio_s = timing.audio_s;
    let info = &heard.info;
    for w in &info.warnings {
        tracing::warn!(call_id = %input.call_id, file = %input.path.display(), warning = %w, "audio");
    }
    let transcript = &heard.transcript;
    let mut call = metadata_row(input, &sha, &key, shared.run_id, Utc::now());
    call.duration_s = info.duration_s;
    call.channels = u32::from(info.channels);
    call.sample_rate_hz = info.sample_rate_hz;
    call.codec = Some(info.codec.clone());
    call.truncated = info.truncated;
    call.asr_model = resolved.name.clone();
    call.asr_model_sha256 = resolved.sha256.clone();
    let mut rows = scored_rows(engines, route, call, transcript, None, &mut times);
    if route.pipeline.config.privacy.redact_audio
        && let Ok(r) = &mut rows
    {
        let t = Instant::now();
        let spans =
            crate::redact_audio::pii_times(r.utterances.iter().map(|u| u.pii_spans.as_str()));
        let dest = shared.out.join("redacted_audio").join(format!(
            "{}.wav",
            crate::redact_audio::file_stem(&input.call_id)
        ));
        match crate::redact_audio::write_redacted(&input.path, &dest, &spans) {
            Ok(masked) => {
                tracing::debug!(call_id = %input.call_id, spans = spans.len(), masked_frames = masked, "redacted audio written");
                r.call.redacted_audio_uri = Some(dest.display().to_string());
            }
            Err(e) => {
                tracing::warn!(call_id = %input.call_id, error = %e, "redacted audio not written");
            }
        }
        times.add("redact_audio", t);
    }
    tracing::info!(
        call_id = %input.call_id,
        utterances = transcript.utterances.len(),
        dropped_segments = transcript.dropped_segments,
        mono = heard.mono,
        diarized = heard.diarized,
        audio_s,
        decode_s = timing.decode_s,
        diarize_s = timing.diarize_s,
        asr_s = timing.asr_s,
        "call processed"
    );
    with_claim(done(Some(key), rows.map(Some), None, audio_s, times))
}

fn error_row(run_id: &str, input_path: &str, call_id: Option<&str>, f: &Failure) -> ErrorRow {
    ErrorRow {
        run_id: run_id.to_string(),
        source_uri: input_path.to_string(),
        call_id: call_id.map(str::to_string),
        stage: f.stage.to_string(),
        kind: f.kind.clone(),
        message: f.message.clone(),
        at: Utc::now(),
    }
}

/// Accumulates rows and commits them shard by shard.
struct ShardWriter<'a> {
    store: &'a mut Store,
    run_id: String,
    shard: u32,
    rows: ShardRows,
    keys: Vec<String>,
    calls_in_shard: usize,
    write_s: f64,
    /// Claims of the calls in the shard, released once it is committed.
    claims: Vec<Claim>,
    /// Replace the stored scorings of the shard's calls (see [`RunOptions::supersede`]).
    supersede: bool,
    /// Superseding: calls skipped as already scored under their current key (`call_id` →
    /// `call_key`), whose other stored scorings go with the next commit.
    current: HashMap<String, String>,
    /// Stored scorings replaced so far.
    superseded: usize,
    /// The failures committed so far.
    failures: Vec<CallFailure>,
}

impl ShardWriter<'_> {
    fn commit(&mut self, progress: &dyn Progress) -> Result<(), StoreError> {
        if self.rows.is_empty() && self.current.is_empty() {
            return Ok(());
        }
        self.failures
            .extend(self.rows.errors.iter().map(CallFailure::from));
        let t = Instant::now();
        let older = if self.supersede {
            let mut keep = std::mem::take(&mut self.current);
            for c in &self.rows.calls {
                keep.insert(c.call_id.clone(), c.call_key.clone());
            }
            let select = callqa_store::Select::OtherScorings(&keep);
            callqa_store::plan_removal(self.store.out_dir(), select)?
        } else {
            callqa_store::Removal::default()
        };
        if older.is_empty() && self.rows.is_empty() {
            // Nothing to write: only already-scored calls without an older scoring.
            return Ok(());
        }
        if older.is_empty() {
            self.store
                .commit_shard(&self.run_id, self.shard, &self.rows, &self.keys)?;
        } else {
            // The new scorings and the other rows of the records holding the older ones, in one
            // record that supersedes those: readers see the old scorings or the new, never both.
            let mut rows = std::mem::take(&mut self.rows);
            let k = older.kept;
            rows.calls.extend(k.calls);
            rows.utterances.extend(k.utterances);
            rows.activity.extend(k.activity);
            rows.evaluations.extend(k.evaluations);
            rows.call_scores.extend(k.call_scores);
            rows.errors.extend(k.errors);
            self.keys.extend(older.kept_keys);
            self.store.commit_shard_superseding(
                &self.run_id,
                self.shard,
                &rows,
                &self.keys,
                &older.supersedes,
            )?;
            let replaced = older.removed.get("calls").copied().unwrap_or(0) as usize;
            self.superseded += replaced;
            tracing::info!(run_id = %self.run_id, shard = self.shard, replaced, "older scorings superseded");
        }
        self.write_s += t.elapsed().as_secs_f64();
        progress.shard_committed(self.shard, self.calls_in_shard);
        tracing::info!(run_id = %self.run_id, shard = self.shard, calls = self.calls_in_shard, "shard committed");
        self.shard += 1;
        self.rows = ShardRows::default();
        self.keys.clear();
        self.calls_in_shard = 0;
        for c in self.claims.drain(..) {
            c.release();
        }
        Ok(())
    }
}

/// Score recordings: decode, VAD, ASR, classifiers, form, tables. `input_errors` (missing files,
/// bad manifest rows) become rows in `errors`. Per-call failures never stop the run; a store
/// failure does (what was committed stays committed).
pub fn score(
    engines: &Engines,
    calls: &[CallInput],
    input_errors: &[InputError],
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let Some(speech) = engines.speech.as_ref() else {
        return Err(RunError::Usage(
            "the models were loaded without ASR (for rescoring); load them with ASR to score"
                .into(),
        ));
    };
    let started = Instant::now();
    let run_id = opts.run_id.clone().unwrap_or_else(new_run_id);
    // A shard takes its calls, and the input errors whose path hashes to it (each recorded once
    // over the N shards).
    let (shard_calls_in, shard_errors);
    let (calls, input_errors) = match opts.shard {
        Some(s) => {
            shard_calls_in = calls
                .iter()
                .filter(|c| s.contains(&c.call_id))
                .cloned()
                .collect::<Vec<_>>();
            shard_errors = input_errors
                .iter()
                .filter(|e| s.contains(&e.path))
                .cloned()
                .collect::<Vec<_>>();
            (&shard_calls_in[..], &shard_errors[..])
        }
        None => (calls, input_errors),
    };
    // Nightly runs take one day (or the days since one) of a folder laid out by date.
    let dated_calls;
    let mut outside_dates = 0;
    let calls = match opts.dates {
        Some(range) => {
            dated_calls = calls
                .iter()
                .filter(|c| range.contains(c.call_date))
                .cloned()
                .collect::<Vec<_>>();
            outside_dates = calls.len() - dated_calls.len();
            &dated_calls[..]
        }
        None => calls,
    };
    // Superseding rewrites other runs' records: no other run may write meanwhile.
    let mut store = if opts.supersede {
        Store::open_exclusive(&opts.out)?
    } else {
        Store::open(&opts.out)?
    };
    let done: HashSet<String> = {
        let recs = callqa_store::read_ledger(&opts.out)?;
        recs.into_iter().flat_map(|r| r.call_keys).collect()
    };
    let mut summary = RunSummary {
        run_id: run_id.clone(),
        out: opts.out.clone(),
        calls: calls.len() + input_errors.len(),
        shard: opts.shard.map(|s| s.to_string()),
        outside_dates,
        undated: calls
            .iter()
            .filter(|c| c.started_at_source.is_fallback())
            .count(),
        ..RunSummary::default()
    };
    if summary.undated > 0 {
        tracing::warn!(
            calls = summary.undated,
            "no date found (manifest started_at, [metadata] filename_pattern, dated folder): dated by the file's modification time (calls.started_at_source)"
        );
    }
    let mut writer = ShardWriter {
        store: &mut store,
        run_id: run_id.clone(),
        shard: 0,
        rows: ShardRows::default(),
        keys: Vec::new(),
        calls_in_shard: 0,
        write_s: 0.0,
        claims: Vec::new(),
        supersede: opts.supersede,
        current: HashMap::new(),
        superseded: 0,
        failures: Vec::new(),
    };
    progress.started(summary.calls);
    for e in input_errors {
        let f = Failure::new("input", "input", e.to_string());
        writer
            .rows
            .errors
            .push(error_row(&run_id, &e.path, None, &f));
        summary.record_failed("input");
        tracing::warn!(file = %e.path, problem = %e.message, "input skipped");
    }
    // Route every call first: a call naming an unknown pipeline is an input error.
    let mut routed: Vec<(usize, usize)> = Vec::with_capacity(calls.len());
    for (i, c) in calls.iter().enumerate() {
        match engines.route_for(c.direction.as_deref(), &c.extra) {
            Ok(r) => routed.push((i, r)),
            Err(msg) => {
                let f = Failure::new("input", "pipeline", format!("{}: {msg}", c.path.display()));
                writer.rows.errors.push(error_row(
                    &run_id,
                    &c.path.display().to_string(),
                    Some(&c.call_id),
                    &f,
                ));
                summary.record_failed("input");
                let status = CallStatus::Failed {
                    stage: "input".into(),
                    message: f.message.clone(),
                };
                progress.call_finished(&CallEvent {
                    call_id: &c.call_id,
                    path: &c.path,
                    status: &status,
                    audio_s: 0.0,
                });
            }
        }
    }
    let jobs = worker_count(opts.jobs, speech.max_asr_threads(), routed.len());
    let shard_calls = opts.shard_calls.max(1);
    let claimed = Mutex::new(HashMap::new());
    let claims = writer.store.claims();
    let shared = Shared {
        engines,
        out: &opts.out,
        done: &done,
        claimed: &claimed,
        claims: &claims,
        run_id: &run_id,
    };
    let result = run_pool(
        jobs,
        routed.len(),
        || SpeechWorker::new(speech),
        |worker, n| {
            let (i, route) = routed[n];
            process_one(&shared, worker, i, &calls[i], route)
        },
        |_, p| -> Result<(), RunError> {
            let input = &calls[p.index];
            for (stage, s) in &p.times.0 {
                *summary.stage_s.entry(stage.to_string()).or_default() += s;
            }
            summary.audio_s += p.audio_s;
            writer.claims.extend(p.claim);
            let status = match p.outcome {
                Ok(Some(rows)) => {
                    let status = summary.record_scored(&rows.score);
                    writer.keys.extend(p.key);
                    rows.append_to(&mut writer.rows);
                    writer.calls_in_shard += 1;
                    status
                }
                Ok(None) => {
                    summary.skipped += 1;
                    if writer.supersede
                        && let Some(key) = p.key.as_ref().filter(|k| done.contains(*k))
                    {
                        writer.current.insert(input.call_id.clone(), key.clone());
                    }
                    summary.claimed_elsewhere += usize::from(p.claimed_elsewhere);
                    CallStatus::Skipped {
                        reason: p.skipped.unwrap_or_default(),
                    }
                }
                Err(f) => {
                    summary.record_failed(f.stage);
                    tracing::warn!(call_id = %input.call_id, stage = f.stage, kind = %f.kind, "call failed");
                    writer.rows.errors.push(error_row(
                        &run_id,
                        &input.path.display().to_string(),
                        Some(&input.call_id),
                        &f,
                    ));
                    // Failed calls count towards the shard so that their error rows are not
                    // held back behind a long run of failures.
                    writer.calls_in_shard += 1;
                    CallStatus::Failed {
                        stage: f.stage.to_string(),
                        message: f.message,
                    }
                }
            };
            progress.call_finished(&CallEvent {
                call_id: &input.call_id,
                path: &input.path,
                status: &status,
                audio_s: p.audio_s,
            });
            if writer.calls_in_shard >= shard_calls {
                writer.commit(progress)?;
            }
            Ok(())
        },
    );
    result?;
    writer.commit(progress)?;
    summary.shards = writer.shard;
    summary.superseded = writer.superseded;
    summary.failures = std::mem::take(&mut writer.failures);
    summary.stage_s.insert("write".into(), writer.write_s);
    summary.wall_s = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A stored call: its `calls` row, the transcript rebuilt from `utterances` and `activity`, and
/// per utterance the stored `pii_spans` where its text was stored redacted (non-empty spans and
/// `text` equal to `text_redacted`: the spans cannot be found again in the tags).
type StoredCall = (CallRow, Transcript, Vec<Option<String>>);

/// Transcripts as stored (each call's newest scoring).
fn stored_transcripts(from: &Path) -> Result<Vec<StoredCall>, RunError> {
    let calls: Vec<CallRow> = read_current_rows(from)?;
    let utterances: Vec<UtteranceRow> = read_current_rows(from)?;
    let activity: Vec<ActivityRow> = read_current_rows(from)?;
    let mut utts: HashMap<String, Vec<UtteranceRow>> = HashMap::new();
    for u in utterances {
        utts.entry(u.call_id.clone()).or_default().push(u);
    }
    let mut acts: HashMap<String, Vec<ActivityRow>> = HashMap::new();
    for a in activity {
        acts.entry(a.call_id.clone()).or_default().push(a);
    }
    let speaker = |s: &str| s.parse::<Speaker>().unwrap_or(Speaker::Unknown);
    let mut out = Vec::with_capacity(calls.len());
    for c in calls {
        let mut us = utts.remove(&c.call_id).unwrap_or_default();
        us.sort_by_key(|u| u.idx);
        let stored_pii: Vec<Option<String>> = us
            .iter()
            .map(|u| {
                let none = matches!(u.pii_spans.trim(), "" | "[]");
                (!none && u.text == u.text_redacted).then(|| u.pii_spans.clone())
            })
            .collect();
        let utterances = us
            .into_iter()
            .map(|u| Utterance {
                idx: u.idx,
                speaker: speaker(&u.speaker),
                start_ms: u.start_ms.max(0) as u64,
                end_ms: u.end_ms.max(0) as u64,
                text: u.text,
                avg_logprob: u.asr_avg_logprob.map(|v| v as f32),
                no_speech_prob: u.no_speech_prob.map(|v| v as f32),
                backchannel: u.backchannel,
                // Stored transcripts keep no word times.
                words: Vec::new(),
            })
            .collect();
        let mut activity: Vec<SpeechSpan> = acts
            .remove(&c.call_id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| SpeechSpan {
                speaker: speaker(&a.speaker),
                start_ms: a.start_ms.max(0) as u64,
                end_ms: a.end_ms.max(0) as u64,
            })
            .collect();
        activity.sort_by_key(|a| (a.start_ms, a.speaker));
        let transcript = Transcript {
            language: c.language.clone(),
            duration_ms: (c.duration_s * 1000.0).round().max(0.0) as u64,
            roles_inferred: c.roles_inferred,
            role_confidence: c.role_confidence.unwrap_or(1.0) as f32,
            utterances,
            activity,
            dropped_segments: c.dropped_segments,
        };
        out.push((c, transcript, stored_pii));
    }
    Ok(out)
}

/// Re-apply the pipelines' forms and classifiers to the transcripts stored under `from`, without
/// ASR. The new rows go to `opts.out`; when that is `from` itself, one shard replaces every
/// stored record atomically (readers see the old scores or the new, never both). Calls route to
/// pipelines by stored pipeline name, else direction and language (as in [`score`]); a call no
/// given pipeline matches is left as it is (kept in place; not written to another `opts.out`)
/// and counted in [`RunSummary::untouched`].
pub fn rescore(
    engines: &Engines,
    from: &Path,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    if !from.join(callqa_store::LEDGER_DIR).is_dir() {
        return Err(RunError::Usage(format!(
            "{}: not a callqa output directory (no {} folder)",
            from.display(),
            callqa_store::LEDGER_DIR
        )));
    }
    let run_id = opts.run_id.clone().unwrap_or_else(new_run_id);
    let in_place = same_dir(from, &opts.out);
    // Rewriting a store must not race a `score` writing it: take the folder to itself first
    // (fails at once, naming the folder, while a run holds it).
    let mut store = Store::open_exclusive(&opts.out)?;
    let stored = stored_transcripts(from)?;
    let old_errors: Vec<ErrorRow> = if in_place {
        read_rows(from)?
    } else {
        Vec::new()
    };
    let supersedes = if in_place {
        store.committed_records()?
    } else {
        Vec::new()
    };
    let mut summary = RunSummary {
        run_id: run_id.clone(),
        out: opts.out.clone(),
        calls: stored.len(),
        ..RunSummary::default()
    };
    progress.started(stored.len());
    let mut rows = ShardRows {
        errors: old_errors,
        ..ShardRows::default()
    };
    let mut keys = Vec::new();
    let mut times = StageTimes::default();
    let now = Utc::now();
    // Stored calls no given pipeline matches: left as they are (in place, their rows and keys
    // are carried into the replacing record unchanged).
    let mut untouched: Vec<(String, String)> = Vec::new();
    for (call, transcript, stored_pii) in stored {
        let Some(route_idx) = engines.route_stored(&call) else {
            summary.untouched += 1;
            let status = CallStatus::Skipped {
                reason: format!(
                    "untouched: no given pipeline matches its stored pipeline {:?} ({}, {})",
                    call.pipeline,
                    call.direction.as_deref().unwrap_or("no direction"),
                    call.language
                ),
            };
            progress.call_finished(&CallEvent {
                call_id: &call.call_id,
                path: Path::new(&call.source_uri),
                status: &status,
                audio_s: 0.0,
            });
            untouched.push((call.call_id, call.call_key));
            continue;
        };
        let route = &engines.routes[route_idx];
        let key = call_key(
            &call.source_sha256,
            &route.pipeline,
            &call.asr_model_sha256,
            &route.classifier_versions,
        );
        let (call_id, path) = (call.call_id.clone(), PathBuf::from(&call.source_uri));
        let mut call = call;
        call.call_key = key.clone();
        call.processed_at = now;
        call.run_id = run_id.clone();
        let status = match scored_rows(
            engines,
            route,
            call,
            &transcript,
            Some(&stored_pii),
            &mut times,
        ) {
            Ok(r) => {
                let st = summary.record_scored(&r.score);
                r.append_to(&mut rows);
                keys.push(key);
                st
            }
            Err(f) => {
                summary.record_failed(f.stage);
                let e = error_row(&run_id, &path.display().to_string(), Some(&call_id), &f);
                summary.failures.push(CallFailure::from(&e));
                rows.errors.push(e);
                CallStatus::Failed {
                    stage: f.stage.to_string(),
                    message: f.message,
                }
            }
        };
        progress.call_finished(&CallEvent {
            call_id: &call_id,
            path: &path,
            status: &status,
            audio_s: transcript.duration_ms as f64 / 1000.0,
        });
    }
    if summary.failed > 0 && in_place {
        // Replacing the store would drop the failed calls' stored transcripts: keep it as it is.
        return Err(RunError::Usage(format!(
            "{}: {} of {} calls could not be rescored; the stored tables are left unchanged",
            from.display(),
            summary.failed,
            summary.calls
        )));
    }
    let t = Instant::now();
    if in_place && !untouched.is_empty() {
        let ids: HashSet<&str> = untouched.iter().map(|(id, _)| id.as_str()).collect();
        carry_rows(from, &ids, &mut rows)?;
        keys.extend(untouched.into_iter().map(|(_, key)| key));
    }
    // In place with nothing rescored, the store stays as it is.
    let nothing_rescored = summary.scored == 0 && summary.failed == 0;
    let keep_as_is = rows.is_empty() && supersedes.is_empty() || in_place && nothing_rescored;
    if !keep_as_is {
        store.commit_shard_superseding(&run_id, 0, &rows, &keys, &supersedes)?;
        summary.shards = 1;
    }
    times.add("write", t);
    for (stage, s) in times.0 {
        summary.stage_s.insert(stage.to_string(), s);
    }
    summary.wall_s = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Adds the stored rows of the calls `ids` (every table but `errors`, which is carried whole)
/// to `rows` as they are.
fn carry_rows(from: &Path, ids: &HashSet<&str>, rows: &mut ShardRows) -> Result<(), StoreError> {
    let keep = |id: &String| ids.contains(id.as_str());
    rows.calls.extend(
        read_rows::<CallRow>(from)?
            .into_iter()
            .filter(|r| keep(&r.call_id)),
    );
    rows.utterances.extend(
        read_rows::<UtteranceRow>(from)?
            .into_iter()
            .filter(|r| keep(&r.call_id)),
    );
    rows.activity.extend(
        read_rows::<ActivityRow>(from)?
            .into_iter()
            .filter(|r| keep(&r.call_id)),
    );
    rows.evaluations.extend(
        read_rows::<EvaluationRow>(from)?
            .into_iter()
            .filter(|r| keep(&r.call_id)),
    );
    rows.call_scores.extend(
        read_rows::<CallScoreRow>(from)?
            .into_iter()
            .filter(|r| keep(&r.call_id)),
    );
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_valid_file_names() {
        let id = new_run_id();
        assert!(
            id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{id}"
        );
        assert!(id.len() > 16);
    }

    #[test]
    fn recorded_calls_give_counts_and_the_mean_score() {
        let mut s = RunSummary::default();
        let row = |total_score: f64, auto_fail: bool| CallScoreRow {
            call_id: "c".into(),
            call_date: chrono::NaiveDate::MIN,
            agent_id: None,
            team: None,
            form: "f".into(),
            total_score,
            auto_fail,
            needs_review: false,
            review_reasons: Vec::new(),
            items_passed: 0,
            items_failed: 0,
            items_na: 0,
            customer_sentiment_start: None,
            customer_sentiment_end: None,
            customer_sentiment_start_score: None,
            customer_sentiment_end_score: None,
            duration_s: 0.0,
            agent_talk_s: 0.0,
            customer_talk_s: 0.0,
            agent_talk_ratio: 0.0,
            silence_ratio: 0.0,
            longest_silence_s: 0.0,
            longest_dead_air_s: 0.0,
            dead_air_count: 0,
            hold_count: 0,
            hold_s: 0.0,
            overtalk_count: 0,
            overtalk_s: 0.0,
            agent_interruptions: 0,
            customer_interruptions: 0,
            agent_speech_rate: 0.0,
            agent_first_words_s: None,
        };
        assert_eq!(s.mean_score, None);
        for (score, fail) in [(80.0, false), (0.0, true), (70.0, false)] {
            s.record_scored(&row(score, fail));
        }
        s.record_failed("decode");
        s.record_failed("decode");
        assert_eq!((s.scored, s.auto_failed, s.failed), (3, 1, 2));
        assert!((s.mean_score.unwrap_or(0.0) - 50.0).abs() < 1e-9);
        assert_eq!(s.failed_by_stage.get("decode"), Some(&2));
    }

    #[test]
    fn slowest_stage_and_exit_code() {
        let mut s = RunSummary::default();
        assert_eq!(s.slowest_stage(), None);
        s.stage_s.insert("asr".into(), 12.0);
        s.stage_s.insert("decode".into(), 1.0);
        assert_eq!(s.slowest_stage(), Some(("asr", 12.0)));
        assert_eq!(s.exit_code(), 0);
        s.failed = 1;
        assert_eq!(s.exit_code(), 2);
    }
}
