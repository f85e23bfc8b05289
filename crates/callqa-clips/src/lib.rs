//! Trainer clip packs: takes a callqa output directory (the tables `callqa score` writes) and an
//! evaluation item, and gives a folder a trainer can open: for the best (most confident passes)
//! or worst (clearest fails) calls of that item, the moment that decided it cut from the
//! recording with some context, both parties mixed, as a 16 kHz 16-bit PCM mono WAV; a redacted
//! transcript of the clip; `index.html` (a self-contained playlist: player, transcript, why the
//! item passed or failed) and `manifest.csv` (one row per clip, columns [`MANIFEST_COLUMNS`]).
//!
//! Personal data the redactor finds (numbers, e-mail addresses; see [`callqa_text`]) is
//! `[REDACTED]` in every text and a 1 kHz tone in the audio ([`pii`] says how text spans become
//! times).
//!
//! ```no_run
//! use callqa_clips::{ClipsConfig, Pick, build_pack};
//! use std::path::Path;
//!
//! let cfg = ClipsConfig::new("greeting", Pick::Worst(5));
//! let pack = build_pack(Path::new("out"), Path::new("packs/greeting-worst"), &cfg)?;
//! for clip in &pack.clips {
//!     println!("{} {} {:.2} {}", clip.rank, clip.call_id, clip.confidence, clip.clip_file);
//! }
//! # Ok::<(), callqa_clips::ClipsError>(())
//! ```

#![deny(missing_docs)]

pub mod audio;
mod pack;
pub mod pii;
pub mod select;

pub use chrono::NaiveDate;
pub use pack::{MANIFEST_COLUMNS, file_stem};
pub use select::{Filter, Moment, MomentKind, Pick};

use callqa_store::{ActivityRow, CallRow, EvaluationRow, StoreError, UtteranceRow};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What went wrong, naming the file or directory.
#[derive(Debug, thiserror::Error)]
pub enum ClipsError {
    /// The output directory could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A recording could not be decoded.
    #[error(transparent)]
    Audio(#[from] callqa_audio::AudioError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing a WAV file failed.
    #[error("{}: cannot write WAV: {source}", path.display())]
    Wav {
        /// The file.
        path: PathBuf,
        /// The encoder's error.
        source: hound::Error,
    },
    /// Writing the manifest failed.
    #[error("{}: cannot write CSV: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The CSV writer's error.
        source: csv::Error,
    },
    /// A problem with the input or the pack directory (named), with what to do.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl ClipsError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        ClipsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What to put in a pack.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipsConfig {
    /// Evaluation item id (`evaluations.item_id`: `greeting`, `farewell`, `courtesy`, ...).
    pub item: String,
    /// Best or worst, and how many clips.
    pub pick: Pick,
    /// Which calls may be chosen.
    pub filter: Filter,
    /// Context before and after the moment, ms (clipped to the recording). Default 3000.
    pub context_ms: i64,
    /// Longest moment shown (a long measured span is cut to its start), ms. Default 20000.
    pub max_moment_ms: i64,
    /// Length of the moment shown when there is nothing to point at (a step not said), ms.
    /// Default 8000.
    pub absence_ms: i64,
    /// Widening of every redaction tone on each side, ms. Default 250.
    pub tone_margin_ms: i64,
    /// A redaction tone is stretched over the rest of the speaker's phrase it falls in (their
    /// `activity` spans joined across pauses shorter than `phrase_gap_ms`), by at most this much
    /// on each side, ms. Default 3000; 0 turns it off. Utterance times from ASR can end before
    /// the words do (a spoken number split over two utterances).
    pub tone_extend_ms: i64,
    /// Pauses shorter than this join a speaker's activity spans into one phrase, ms. Default 300.
    pub phrase_gap_ms: i64,
    /// Folder that relative `calls.source_uri` paths are resolved against (default: the
    /// current directory, where `callqa score` resolved them).
    pub audio_root: Option<PathBuf>,
}

impl ClipsConfig {
    /// The defaults for `item` and `pick`.
    pub fn new(item: &str, pick: Pick) -> Self {
        ClipsConfig {
            item: item.to_string(),
            pick,
            filter: Filter::default(),
            context_ms: 3000,
            max_moment_ms: 20_000,
            absence_ms: 8000,
            tone_margin_ms: 250,
            tone_extend_ms: 3000,
            phrase_gap_ms: 300,
            audio_root: None,
        }
    }
}

/// One line of a clip's transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipLine {
    /// `agent`, `customer` or `unknown`.
    pub speaker: String,
    /// Start, ms of the recording.
    pub start_ms: i64,
    /// End, ms of the recording.
    pub end_ms: i64,
    /// The redacted text (`[REDACTED]` over personal data).
    pub text: String,
    /// True for the evidence utterance.
    pub evidence: bool,
}

/// One clip of a pack (a manifest row).
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Position in the pack, from 1 (best or worst first).
    pub rank: usize,
    /// Call id.
    pub call_id: String,
    /// Agent id.
    pub agent_id: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Call date.
    pub call_date: chrono::NaiveDate,
    /// Form id.
    pub form: String,
    /// Item id.
    pub item_id: String,
    /// Item title (form language).
    pub title: String,
    /// `pass` or `fail`.
    pub result: String,
    /// `evaluations.confidence`.
    pub confidence: f64,
    /// True when the item failed as an auto-fail item.
    pub auto_fail: bool,
    /// Why the item needs a human look (empty when it does not).
    pub review_reasons: Vec<String>,
    /// The detector that decided the item.
    pub detector: String,
    /// Why the item passed or failed, redacted: the evidence utterance, or the metric or search
    /// statement.
    pub reason: String,
    /// The moment shown and how it was found.
    pub moment: Moment,
    /// WAV file name, relative to the pack.
    pub clip_file: String,
    /// Transcript file name, relative to the pack.
    pub transcript_file: String,
    /// Clip start, ms of the recording.
    pub clip_start_ms: i64,
    /// Clip end, ms of the recording.
    pub clip_end_ms: i64,
    /// `evaluations.evidence_start_ms`.
    pub evidence_start_ms: Option<i64>,
    /// `evaluations.evidence_end_ms`.
    pub evidence_end_ms: Option<i64>,
    /// Spans replaced by the tone, ms relative to the clip's start (merged, in order).
    pub redactions: Vec<(i64, i64)>,
    /// The transcript lines inside the clip.
    pub lines: Vec<ClipLine>,
}

/// A call that was chosen but could not be cut (the next one takes its place).
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// Call id.
    pub call_id: String,
    /// Why (names the file).
    pub reason: String,
}

/// What [`build_pack`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    /// The pack directory.
    pub dir: PathBuf,
    /// Evaluations that matched the item, pick and filter (one per call).
    pub candidates: usize,
    /// The clips written, in rank order.
    pub clips: Vec<Clip>,
    /// Chosen calls that could not be cut.
    pub skipped: Vec<Skipped>,
}

/// Build a clip pack from the output directory `out` into `pack_dir` (created if needed).
///
/// `pack_dir` must be empty, absent, or a pack written before (it holds `manifest.csv`); the
/// files of the previous pack are replaced. Calls are ranked by [`select::rank`]; each clip
/// shows [`select::moment`] with `context_ms` either side, clipped to the recording. A chosen
/// call whose recording is missing, changed since scoring (sha256) or undecodable is skipped
/// with its reason and the next one is taken.
pub fn build_pack(out: &Path, pack_dir: &Path, cfg: &ClipsConfig) -> Result<Pack, ClipsError> {
    let t0 = Instant::now();
    if !out.join(callqa_store::LEDGER_DIR).is_dir() {
        return Err(ClipsError::Invalid {
            path: out.to_path_buf(),
            message: "not a callqa output directory (run `callqa score ... --out DIR` first)"
                .into(),
        });
    }
    let evals: Vec<EvaluationRow> = callqa_store::read_current_rows(out)?;
    if !evals.iter().any(|e| e.item_id == cfg.item) {
        let mut known: Vec<&str> = evals.iter().map(|e| e.item_id.as_str()).collect();
        known.sort_unstable();
        known.dedup();
        return Err(ClipsError::Invalid {
            path: out.join("evaluations"),
            message: format!(
                "no evaluation of item {:?}; items present: {}",
                cfg.item,
                known.join(", ")
            ),
        });
    }
    let calls: Vec<CallRow> = callqa_store::read_current_rows(out)?;
    let ranked = select::rank(&evals, &calls, &cfg.item, cfg.pick, &cfg.filter);
    let candidates = ranked.len();
    pack::prepare_dir(pack_dir)?;
    let (utterances, activity): (Vec<UtteranceRow>, Vec<ActivityRow>) = if ranked.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            callqa_store::read_current_rows(out)?,
            callqa_store::read_current_rows(out)?,
        )
    };
    let mut clips = Vec::new();
    let mut skipped = Vec::new();
    for cand in ranked {
        if clips.len() >= cfg.pick.count() {
            break;
        }
        let rank = clips.len() + 1;
        let call_utts: Vec<UtteranceRow> = utterances
            .iter()
            .filter(|u| u.call_id == cand.call.call_id && u.call_date == cand.call.call_date)
            .cloned()
            .collect();
        let call_activity: Vec<ActivityRow> = activity
            .iter()
            .filter(|a| a.call_id == cand.call.call_id && a.call_date == cand.call.call_date)
            .cloned()
            .collect();
        let t = Instant::now();
        match make_clip(rank, &cand, &call_utts, &call_activity, pack_dir, cfg) {
            Ok(clip) => {
                tracing::info!(
                    call_id = %clip.call_id,
                    rank,
                    clip_ms = clip.clip_end_ms - clip.clip_start_ms,
                    redactions = clip.redactions.len(),
                    elapsed_ms = t.elapsed().as_millis() as u64,
                    "clip written"
                );
                clips.push(clip);
            }
            Err(e) => {
                tracing::warn!(call_id = %cand.call.call_id, "clip skipped: {e}");
                skipped.push(Skipped {
                    call_id: cand.call.call_id.clone(),
                    reason: e.to_string(),
                });
            }
        }
    }
    let pack = Pack {
        dir: pack_dir.to_path_buf(),
        candidates,
        clips,
        skipped,
    };
    pack::write_manifest(&pack)?;
    pack::write_index(&pack, cfg)?;
    tracing::info!(
        clips = pack.clips.len(),
        skipped = pack.skipped.len(),
        candidates,
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "clip pack written"
    );
    Ok(pack)
}

/// A recording path from the store: as is when absolute, else under `audio_root` (or the
/// current directory).
fn recording_path(uri: &str, audio_root: Option<&Path>) -> PathBuf {
    let p = PathBuf::from(uri);
    match audio_root {
        Some(root) if p.is_relative() => root.join(p),
        _ => p,
    }
}

fn sha256_file(path: &Path) -> Result<String, ClipsError> {
    let mut f = std::fs::File::open(path).map_err(|e| ClipsError::io(path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| ClipsError::io(path, e))?;
    Ok(hex::encode(h.finalize()))
}

fn make_clip(
    rank: usize,
    cand: &select::Candidate,
    utts: &[UtteranceRow],
    activity: &[ActivityRow],
    pack_dir: &Path,
    cfg: &ClipsConfig,
) -> Result<Clip, ClipsError> {
    let (e, call) = (&cand.eval, &cand.call);
    // The pipeline's redacted copy when it wrote one (the tone is added again on top), else the
    // recording, checked against the hash it was scored with.
    let redacted_copy = call
        .redacted_audio_uri
        .as_deref()
        .map(|u| recording_path(u, cfg.audio_root.as_deref()))
        .filter(|p| p.is_file());
    let path = match &redacted_copy {
        Some(p) => p.clone(),
        None => recording_path(&call.source_uri, cfg.audio_root.as_deref()),
    };
    if !path.is_file() {
        return Err(ClipsError::Invalid {
            path,
            message: "recording not found (pass --audio-root when the store holds relative paths)"
                .into(),
        });
    }
    if redacted_copy.is_none()
        && !call.source_sha256.is_empty()
        && sha256_file(&path)? != call.source_sha256
    {
        return Err(ClipsError::Invalid {
            path,
            message: "recording changed since it was scored (sha256 differs); rescore it".into(),
        });
    }
    let info = callqa_audio::probe(&path)?;
    let duration_ms = (info.duration_s * 1000.0).round() as i64;
    let moment = select::moment(e, utts, cfg.max_moment_ms, cfg.absence_ms);
    let clip_start = (moment.start_ms - cfg.context_ms).clamp(0, duration_ms);
    let clip_end = (moment.end_ms + cfg.context_ms).clamp(clip_start, duration_ms);
    if clip_end <= clip_start {
        return Err(ClipsError::Invalid {
            path,
            message: format!(
                "the moment {}-{} ms lies outside the recording ({duration_ms} ms)",
                moment.start_ms, moment.end_ms
            ),
        });
    }
    let mut samples = audio::cut_mixed(&path, clip_start, clip_end)?;

    // Transcript lines and redaction spans of every utterance that overlaps the clip.
    let mut lines = Vec::new();
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for u in utts
        .iter()
        .filter(|u| u.end_ms > clip_start && u.start_ms < clip_end)
    {
        let r = pii::utterance_redactions(u, cfg.tone_margin_ms);
        let phrases = pii::phrases(activity, &u.speaker, cfg.phrase_gap_ms);
        spans.extend(
            r.times
                .iter()
                .map(|&t| pii::extend_to_phrases(t, &phrases, cfg.tone_extend_ms)),
        );
        lines.push(ClipLine {
            speaker: u.speaker.clone(),
            start_ms: u.start_ms,
            end_ms: u.end_ms,
            text: r.text,
            evidence: e.evidence_idx == Some(u.idx),
        });
    }
    lines.sort_by_key(|l| (l.start_ms, l.end_ms));
    let mut rel: Vec<(i64, i64)> = spans
        .into_iter()
        .map(|(a, b)| {
            (
                (a - clip_start).max(0),
                (b - clip_start).min(clip_end - clip_start),
            )
        })
        .filter(|(a, b)| b > a)
        .collect();
    rel.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in rel {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    for &(a, b) in &merged {
        audio::apply_tone(&mut samples, a, b);
    }

    let reason = match lines.iter().find(|l| l.evidence) {
        Some(l) => format!(
            "{} at {}: {}",
            l.speaker,
            callqa_core::fmt_clock(l.start_ms.max(0) as u64),
            l.text
        ),
        // Metric and search statements (or the stored, redacted evidence utterance).
        None => pii::mask_tags(e.evidence_text.as_deref().unwrap_or_default()),
    };
    let stem = pack::file_stem(rank, &call.call_id, &e.item_id);
    let clip_file = format!("{stem}.wav");
    let transcript_file = format!("{stem}.txt");
    audio::write_wav(&pack_dir.join(&clip_file), &samples)?;
    let clip = Clip {
        rank,
        call_id: call.call_id.clone(),
        agent_id: e.agent_id.clone().or_else(|| call.agent_id.clone()),
        team: call.team.clone(),
        call_date: e.call_date,
        form: e.form.clone(),
        item_id: e.item_id.clone(),
        title: e.title.clone(),
        result: e.result.clone(),
        confidence: e.confidence,
        auto_fail: e.auto_fail,
        review_reasons: e.review_reasons.clone(),
        detector: e.detector.clone(),
        reason,
        moment,
        clip_file,
        transcript_file,
        clip_start_ms: clip_start,
        clip_end_ms: clip_end,
        evidence_start_ms: e.evidence_start_ms,
        evidence_end_ms: e.evidence_end_ms,
        redactions: merged,
        lines,
    };
    pack::write_transcript(pack_dir, &clip)?;
    Ok(clip)
}
