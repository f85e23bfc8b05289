//! Speaker diarization of mono recordings: takes a call's 16 kHz mono samples and its VAD speech
//! regions, gives who speaks when by voice ([`callqa_core::Diarization`]: one or two voices, their
//! turns, and how clearly they separate).
//!
//! How: the GE2E speaker encoder of resemblyzer 0.1.4 (Apache-2.0; converted to ONNX at set-up by
//! `models/speaker/build_ge2e_onnx.py`) embeds 1.6 s windows of speech every
//! [`DiarizeConfig::step_ms`]; the windows are clustered into two voices (average-linkage cosine,
//! refined by cosine k-means); two clusters whose centroids are too alike
//! ([`DiarizeConfig::one_voice_similarity`]) are one voice. Then every 10 ms speech frame is
//! re-assigned by how much the windows covering it resemble each voice, with a two-state Viterbi
//! pass that charges [`DiarizeConfig::switch_penalty`] per speaker change, so turns change where
//! the voice changes rather than on the window grid.
//!
//! The front end is resemblyzer's: the speech is levelled to -30 dBFS and turned into 40-band
//! power mel frames (librosa's `melspectrogram`: n_fft 400, hop 160, centred, not log).
//!
//! Model lookup ([`resolve_model`]): an explicit path, else
//! `$CALLQA_HOME/models/speaker/ge2e.onnx` (what the set-up command writes).
//!
//! ```no_run
//! use callqa_diarize::{DiarizeConfig, Diarizer};
//! use callqa_vad::{Vad, VadConfig};
//! let samples = vec![0.0f32; 16_000 * 30]; // a mono call at 16 kHz
//! let regions = Vad::new(&VadConfig::default())?.detect(&[&samples])?.remove(0);
//! let diarizer = Diarizer::new(&DiarizeConfig::default())?;
//! let d = diarizer.diarize(&samples, &regions)?;
//! for t in &d.turns {
//!     println!("voice {} {}-{} ms", t.voice, t.start_ms, t.end_ms);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod cluster;
pub mod mel;

use callqa_core::{Diarization, VoiceTurn};
use callqa_onnx::ort;
use callqa_vad::SpeechRegion;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Sample rate every input must have.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Embedding size of the GE2E encoder.
pub const EMBEDDING_DIM: usize = 256;
/// Milliseconds per mel frame.
const FRAME_MS: u64 = 10;
/// Cosine distance from the one-voice threshold at which the voice count is taken as certain.
const BOUNDARY_SCALE: f32 = 0.05;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum DiarizeError {
    /// No speaker-encoder model was found where we looked.
    #[error(
        "speaker encoder model not found (looked at {looked}); run the set-up command \
         (scripts/setup.sh) or `.venv/bin/python models/speaker/build_ge2e_onnx.py`, or give the \
         model path"
    )]
    ModelNotFound {
        /// The places searched.
        looked: String,
    },
    /// ONNX Runtime or the model could not be loaded.
    #[error(transparent)]
    Onnx(#[from] callqa_onnx::OnnxError),
    /// Running the model failed.
    #[error("{path}: speaker encoder inference failed: {message}")]
    Inference {
        /// The model file.
        path: PathBuf,
        /// What ONNX Runtime said.
        message: String,
    },
    /// A configuration value is out of range.
    #[error("invalid diarize setting: {0}")]
    Config(String),
}

/// Diarization settings (the `[diarize]` table of a pipeline). Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiarizeConfig {
    /// Speaker-encoder ONNX file; empty means `$CALLQA_HOME/models/speaker/ge2e.onnx`.
    pub model: Option<PathBuf>,
    /// Intra-op threads for the ONNX session (0 = ONNX Runtime's default; 1 suits a worker pool).
    pub threads: usize,
    /// Embedding windows per ONNX run (memory is about 26 KB per window).
    pub batch: usize,
    /// Length of an embedding window, milliseconds (GE2E was trained on 1600 ms partials).
    pub window_ms: u32,
    /// Step between embedding windows over the speech, milliseconds. Smaller steps cost time in
    /// proportion and place turn changes more finely.
    pub step_ms: u32,
    /// Speech is levelled to this RMS before the mel front end, dBFS (resemblyzer: -30).
    pub level_dbfs: f32,
    /// Two clusters whose centroid cosine similarity is at least this are one voice, in (0, 1).
    pub one_voice_similarity: f32,
    /// A cluster holding less than this share of the speech windows is not a second voice
    /// (a cough, a noise), in [0, 0.5).
    pub min_voice_share: f32,
    /// Less speech than this (seconds) is taken as one voice: too little to compare.
    pub min_speech_s: f32,
    /// Cost of a speaker change inside continuous speech in the resegmentation, in units of
    /// per-frame similarity difference (higher: fewer, longer turns).
    pub switch_penalty: f32,
    /// Cost of a speaker change across a pause (between two VAD regions), same units.
    pub pause_switch_penalty: f32,
    /// Consecutive turns of the same voice separated by a pause shorter than this are joined
    /// into one turn (a speaker's turn keeps its own pauses), milliseconds; 0 keeps every VAD
    /// region apart.
    pub merge_gap_ms: u32,
}

impl Default for DiarizeConfig {
    fn default() -> Self {
        DiarizeConfig {
            model: None,
            threads: 1,
            batch: 32,
            window_ms: 1600,
            step_ms: 200,
            level_dbfs: -30.0,
            one_voice_similarity: 0.85,
            min_voice_share: 0.1,
            min_speech_s: 3.0,
            switch_penalty: 10.0,
            pause_switch_penalty: 0.3,
            merge_gap_ms: 1000,
        }
    }
}

impl DiarizeConfig {
    /// Check that every value is in range; the error names the key.
    pub fn validate(&self) -> Result<(), DiarizeError> {
        let bad = |m: String| Err(DiarizeError::Config(m));
        if self.batch == 0 {
            return bad("batch = 0 must be at least 1".into());
        }
        if !(200..=4000).contains(&self.window_ms) {
            return bad(format!(
                "window_ms = {} must be in 200..=4000",
                self.window_ms
            ));
        }
        if self.step_ms < 10 || self.step_ms > self.window_ms {
            return bad(format!(
                "step_ms = {} must be in 10..=window_ms",
                self.step_ms
            ));
        }
        if !(self.level_dbfs < 0.0 && self.level_dbfs > -80.0) {
            return bad(format!(
                "level_dbfs = {} must be in (-80, 0)",
                self.level_dbfs
            ));
        }
        if !(self.one_voice_similarity > 0.0 && self.one_voice_similarity < 1.0) {
            return bad(format!(
                "one_voice_similarity = {} must be in (0, 1)",
                self.one_voice_similarity
            ));
        }
        if !(self.min_voice_share >= 0.0 && self.min_voice_share < 0.5) {
            return bad(format!(
                "min_voice_share = {} must be in [0, 0.5)",
                self.min_voice_share
            ));
        }
        if !(self.min_speech_s >= 0.0 && self.min_speech_s.is_finite()) {
            return bad(format!("min_speech_s = {} must be >= 0", self.min_speech_s));
        }
        for (key, v) in [
            ("switch_penalty", self.switch_penalty),
            ("pause_switch_penalty", self.pause_switch_penalty),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return bad(format!("{key} = {v} must be >= 0"));
            }
        }
        Ok(())
    }
}

/// Where the set-up command puts the model: `$CALLQA_HOME/models/speaker/ge2e.onnx`.
pub fn installed_model_path() -> PathBuf {
    callqa_onnx::callqa_home()
        .join("models")
        .join("speaker")
        .join("ge2e.onnx")
}

/// Find the speaker encoder: `explicit` if given (must exist), else [`installed_model_path`].
/// (The resemblyzer wheel ships a torch file, not ONNX, so there is no `.venv` copy to fall back
/// on: the set-up command converts it.)
pub fn resolve_model(explicit: Option<&Path>) -> Result<PathBuf, DiarizeError> {
    let path = explicit.map_or_else(installed_model_path, Path::to_path_buf);
    if path.is_file() {
        Ok(path)
    } else {
        Err(DiarizeError::ModelNotFound {
            looked: path.display().to_string(),
        })
    }
}

/// The GE2E encoder behind one ONNX session (shared by worker threads through a mutex).
pub struct SpeakerEncoder {
    path: PathBuf,
    session: Mutex<ort::session::Session>,
}

impl std::fmt::Debug for SpeakerEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeakerEncoder")
            .field("path", &self.path)
            .finish()
    }
}

impl SpeakerEncoder {
    /// Load the model with `threads` intra-op threads (0 = runtime default).
    pub fn open(path: &Path, threads: usize) -> Result<SpeakerEncoder, DiarizeError> {
        let session = callqa_onnx::open_session(path, threads)?;
        Ok(SpeakerEncoder {
            path: path.to_path_buf(),
            session: Mutex::new(session),
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Embed `batch` windows of `frames` mel frames each (`mels` is `[batch][frames][40]`,
    /// flattened): `[batch][256]`, flattened, each row L2-normalised.
    pub fn embed(
        &self,
        mels: Vec<f32>,
        batch: usize,
        frames: usize,
    ) -> Result<Vec<f32>, DiarizeError> {
        let err = |m: String| DiarizeError::Inference {
            path: self.path.clone(),
            message: m,
        };
        if mels.len() != batch * frames * mel::N_MELS {
            return Err(err(format!(
                "{} mel values for {batch} windows of {frames} frames",
                mels.len()
            )));
        }
        let input = ort::value::Tensor::from_array(([batch, frames, mel::N_MELS], mels))
            .map_err(|e| err(e.to_string()))?;
        let mut session = self
            .session
            .lock()
            .map_err(|_| err("session lock poisoned by an earlier panic".into()))?;
        let outputs = session
            .run(ort::inputs!["mels" => input])
            .map_err(|e| err(e.to_string()))?;
        let (_, emb) = outputs
            .get("embedding")
            .ok_or_else(|| err("model has no output named `embedding`".into()))?
            .try_extract_tensor::<f32>()
            .map_err(|e| err(e.to_string()))?;
        if emb.len() != batch * EMBEDDING_DIM {
            return Err(err(format!(
                "{} embedding values for a batch of {batch}",
                emb.len()
            )));
        }
        Ok(emb.to_vec())
    }
}

/// Window embeddings of a call's speech, and where each window lies.
#[derive(Debug, Clone)]
pub struct SpeechEmbeddings {
    /// Global 10 ms frame index of every speech frame, in time order (frame `i` is centred on
    /// `i * 10` ms).
    pub frames: Vec<usize>,
    /// First position in `frames` of each window (a window covers `window_frames` positions).
    pub window_starts: Vec<usize>,
    /// Frames per window.
    pub window_frames: usize,
    /// `[windows][EMBEDDING_DIM]`, flattened, L2-normalised rows.
    pub embeddings: Vec<f32>,
}

/// Speaker diarization of mono calls: one per process, shared by worker threads.
#[derive(Debug)]
pub struct Diarizer {
    config: DiarizeConfig,
    encoder: SpeakerEncoder,
    front_end: mel::MelFrontEnd,
}

impl Diarizer {
    /// Validate the config, find and load the speaker encoder.
    pub fn new(config: &DiarizeConfig) -> Result<Diarizer, DiarizeError> {
        config.validate()?;
        let path = resolve_model(config.model.as_deref())?;
        Ok(Diarizer {
            config: config.clone(),
            encoder: SpeakerEncoder::open(&path, config.threads)?,
            front_end: mel::MelFrontEnd::new(),
        })
    }

    /// The settings in use.
    pub fn config(&self) -> &DiarizeConfig {
        &self.config
    }

    /// Mel frames of the speech in `regions`, levelled, and their window embeddings.
    pub fn embed_speech(
        &self,
        samples: &[f32],
        regions: &[SpeechRegion],
    ) -> Result<SpeechEmbeddings, DiarizeError> {
        let frames = speech_frames(regions, samples.len());
        let window_frames = (self.config.window_ms as usize / FRAME_MS as usize).max(1);
        let step = (self.config.step_ms as usize / FRAME_MS as usize).max(1);
        let mut out = SpeechEmbeddings {
            frames,
            window_starts: Vec::new(),
            window_frames,
            embeddings: Vec::new(),
        };
        let n = out.frames.len();
        if n == 0 {
            return Ok(out);
        }
        // Level the speech to level_dbfs (a power gain on the mel frames).
        let (mut energy, mut count) = (0f64, 0usize);
        for r in regions {
            let r = &samples[r.start.min(samples.len())..r.end.min(samples.len())];
            energy += r.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
            count += r.len();
        }
        let mean_square = energy / count.max(1) as f64;
        if mean_square <= 1e-12 {
            // Digital silence: nothing to tell voices by.
            out.frames.clear();
            return Ok(out);
        }
        let gain = (10f64.powf(f64::from(self.config.level_dbfs) / 10.0) / mean_square) as f32;
        let mels = self.front_end.frames_at(samples, &out.frames, gain);

        let window_frames = window_frames.min(n);
        out.window_frames = window_frames;
        let mut start = 0;
        loop {
            out.window_starts.push(start);
            if start + window_frames >= n {
                break;
            }
            start = (start + step).min(n - window_frames);
        }
        let per_window = window_frames * mel::N_MELS;
        for chunk in out.window_starts.chunks(self.config.batch) {
            let mut batch = Vec::with_capacity(chunk.len() * per_window);
            for &s in chunk {
                batch.extend_from_slice(&mels[s * mel::N_MELS..s * mel::N_MELS + per_window]);
            }
            out.embeddings
                .extend(self.encoder.embed(batch, chunk.len(), window_frames)?);
        }
        Ok(out)
    }

    /// Diarize one call: `samples` are the whole call at 16 kHz mono, `regions` its speech (VAD
    /// regions on the same timeline). Turns cover the speech regions only.
    pub fn diarize(
        &self,
        samples: &[f32],
        regions: &[SpeechRegion],
    ) -> Result<Diarization, DiarizeError> {
        let regions = clean_regions(regions, samples.len());
        let speech = self.embed_speech(samples, &regions)?;
        Ok(self.decide(&regions, &speech))
    }

    /// Cluster, count voices and resegment (the part of [`Diarizer::diarize`] after the model).
    fn decide(&self, regions: &[SpeechRegion], speech: &SpeechEmbeddings) -> Diarization {
        let cfg = &self.config;
        let n = speech.frames.len();
        if n == 0 {
            return Diarization {
                voices: 0,
                turns: Vec::new(),
                confidence: 1.0,
            };
        }
        let merge_gap_ms = u64::from(cfg.merge_gap_ms);
        let one_voice = |confidence: f32| Diarization {
            voices: 1,
            turns: merge_turns(
                turns_from_labels(regions, &speech.frames, &vec![0; n]),
                merge_gap_ms,
            ),
            confidence,
        };
        let windows = speech.window_starts.len();
        let speech_s = n as f32 * FRAME_MS as f32 / 1000.0;
        if windows < 4 || speech_s < cfg.min_speech_s {
            return one_voice(0.5);
        }
        let dim = EMBEDDING_DIM;
        let emb = &speech.embeddings;
        // Average linkage on at most 400 windows (cubic time), then k-means over all of them.
        let stride = windows.div_ceil(400);
        let rows: Vec<usize> = (0..windows).step_by(stride).collect();
        let sub = cluster::average_linkage_two(emb, dim, &rows);
        let c0 = cluster::centroid(
            emb,
            dim,
            rows.iter()
                .zip(&sub)
                .filter(|(_, l)| **l == 0)
                .map(|(r, _)| *r),
        );
        let c1 = cluster::centroid(
            emb,
            dim,
            rows.iter()
                .zip(&sub)
                .filter(|(_, l)| **l == 1)
                .map(|(r, _)| *r),
        );
        let mut labels: Vec<u8> = (0..windows)
            .map(|w| {
                let e = &emb[w * dim..(w + 1) * dim];
                u8::from(cluster::dot(e, &c1) > cluster::dot(e, &c0))
            })
            .collect();
        let cents = cluster::refine_two(emb, dim, &mut labels, 10);
        let similarity = cluster::dot(&cents[0], &cents[1]);
        let share1 = labels.iter().filter(|&&l| l == 1).count() as f32 / windows as f32;
        let minority = share1.min(1.0 - share1);
        tracing::debug!(similarity, minority, windows, "diarize clusters");
        if similarity >= cfg.one_voice_similarity || minority < cfg.min_voice_share {
            // Confidence of "one voice": how far the clusters are past the decision boundary
            // (centroids more alike than the threshold, in units of 0.05 cosine; or a second
            // cluster smaller than min_voice_share, relative to it).
            let by_similarity = (similarity - cfg.one_voice_similarity) / BOUNDARY_SCALE;
            let by_share = if cfg.min_voice_share > 0.0 {
                (cfg.min_voice_share - minority) / cfg.min_voice_share
            } else {
                0.0
            };
            return one_voice(by_similarity.max(by_share).clamp(0.0, 1.0));
        }

        // Frame scores: mean over the windows covering a frame of cos(window, voice 0) -
        // cos(window, voice 1).
        let wf = speech.window_frames;
        let mut sum = vec![0f32; n];
        let mut weight = vec![0f32; n];
        let mut margins = Vec::with_capacity(windows);
        for (w, &s) in speech.window_starts.iter().enumerate() {
            let e = &emb[w * dim..(w + 1) * dim];
            let d = cluster::dot(e, &cents[0]) - cluster::dot(e, &cents[1]);
            margins.push(d.abs());
            for f in s..(s + wf).min(n) {
                sum[f] += d;
                weight[f] += 1.0;
            }
        }
        let score: Vec<f32> = sum
            .iter()
            .zip(&weight)
            .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
            .collect();
        // Cheaper switches across a pause than inside continuous speech.
        let penalty: Vec<f32> = (0..n)
            .map(|i| {
                if i > 0 && speech.frames[i] > speech.frames[i - 1] + 1 {
                    cfg.pause_switch_penalty
                } else {
                    cfg.switch_penalty
                }
            })
            .collect();
        let path = cluster::viterbi_two(&score, &penalty);
        let mut turns = merge_turns(
            turns_from_labels(regions, &speech.frames, &path),
            merge_gap_ms,
        );
        let voices = renumber_by_first_appearance(&mut turns);
        // Confidence of "two voices": how far the centroids are below the one-voice threshold
        // (units of 0.05 cosine), times the share of windows clearly nearer one voice than the
        // other (similarity difference above 0.05).
        let separation = ((cfg.one_voice_similarity - similarity) / BOUNDARY_SCALE).clamp(0.0, 1.0);
        let clear = margins.iter().filter(|&&m| m > 0.05).count() as f32 / windows as f32;
        Diarization {
            voices,
            turns,
            confidence: (separation * clear).clamp(0.0, 1.0),
        }
    }
}

/// Sorted, clamped, non-overlapping regions.
fn clean_regions(regions: &[SpeechRegion], len: usize) -> Vec<SpeechRegion> {
    let mut r: Vec<SpeechRegion> = regions
        .iter()
        .map(|r| SpeechRegion {
            start: r.start.min(len),
            end: r.end.min(len),
        })
        .filter(|r| r.end > r.start)
        .collect();
    r.sort_by_key(|r| r.start);
    let mut out: Vec<SpeechRegion> = Vec::with_capacity(r.len());
    for x in r {
        match out.last_mut() {
            Some(last) if x.start <= last.end => last.end = last.end.max(x.end),
            _ => out.push(x),
        }
    }
    out
}

/// Global frame indices whose centres lie inside a region.
fn speech_frames(regions: &[SpeechRegion], len: usize) -> Vec<usize> {
    let hop = mel::HOP;
    let mut frames = Vec::new();
    for r in regions {
        let first = r.start.div_ceil(hop);
        let last = r.end.min(len).div_ceil(hop); // exclusive
        frames.extend(first..last);
    }
    frames.dedup();
    frames
}

/// Turns from per-frame labels: each region is split where the label of its frames changes (at
/// the midpoint between the two frames); a region without frames takes the label of the frame
/// nearest to it.
fn turns_from_labels(regions: &[SpeechRegion], frames: &[usize], labels: &[u8]) -> Vec<VoiceTurn> {
    let ms = |sample: usize| sample as u64 * 1000 / u64::from(SAMPLE_RATE_HZ);
    let mut turns: Vec<VoiceTurn> = Vec::new();
    let mut k = 0; // first frame not before the current region
    for r in regions {
        while k < frames.len() && frames[k] * mel::HOP < r.start {
            k += 1;
        }
        let mut j = k;
        while j < frames.len() && frames[j] * mel::HOP < r.end {
            j += 1;
        }
        let mut push = |voice: u8, start: usize, end: usize| {
            if end > start {
                turns.push(VoiceTurn {
                    voice,
                    start_ms: ms(start),
                    end_ms: ms(end),
                });
            }
        };
        if j == k {
            let near = k.min(labels.len().saturating_sub(1));
            if let Some(&l) = labels.get(near) {
                push(l, r.start, r.end);
            }
            continue;
        }
        let mut start = r.start;
        for f in k + 1..j {
            if labels[f] != labels[f - 1] {
                let cut = (frames[f] * mel::HOP)
                    .saturating_sub(mel::HOP / 2)
                    .clamp(start, r.end);
                push(labels[f - 1], start, cut);
                start = cut;
            }
        }
        push(labels[j - 1], start, r.end);
        k = j;
    }
    turns
}

/// Join consecutive turns of the same voice separated by less than `gap_ms`.
fn merge_turns(turns: Vec<VoiceTurn>, gap_ms: u64) -> Vec<VoiceTurn> {
    let mut out: Vec<VoiceTurn> = Vec::with_capacity(turns.len());
    for t in turns {
        match out.last_mut() {
            Some(last) if last.voice == t.voice && t.start_ms <= last.end_ms + gap_ms => {
                last.end_ms = last.end_ms.max(t.end_ms);
            }
            _ => out.push(t),
        }
    }
    out
}

/// Number voices 0, 1 in order of first appearance; returns how many voices the turns use.
fn renumber_by_first_appearance(turns: &mut [VoiceTurn]) -> u8 {
    let Some(first) = turns.first().map(|t| t.voice) else {
        return 0;
    };
    let mut used = [false; 2];
    for t in turns.iter_mut() {
        t.voice = u8::from(t.voice != first);
        used[t.voice as usize] = true;
    }
    used.iter().filter(|&&u| u).count() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_parses_from_toml_with_defaults_and_names_bad_keys() {
        let cfg: DiarizeConfig =
            toml::from_str("step_ms = 200\nthreads = 2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.step_ms, 200);
        assert_eq!(cfg.window_ms, DiarizeConfig::default().window_ms);
        assert!(cfg.validate().is_ok());
        let bad = DiarizeConfig {
            one_voice_similarity: 1.5,
            ..DiarizeConfig::default()
        };
        let msg = bad.validate().unwrap_err().to_string();
        assert!(msg.contains("one_voice_similarity"), "{msg}");
        let bad = DiarizeConfig {
            step_ms: 5000,
            ..DiarizeConfig::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("step_ms"));
        assert!(toml::from_str::<DiarizeConfig>("stepms = 200").is_err());
    }

    #[test]
    fn missing_explicit_model_names_the_path() {
        let e = resolve_model(Some(Path::new("/nonexistent/ge2e.onnx"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/ge2e.onnx"), "{e}");
    }

    #[test]
    fn turns_split_regions_where_labels_change() {
        let regions = [
            SpeechRegion {
                start: 0,
                end: 16_000,
            },
            SpeechRegion {
                start: 32_000,
                end: 48_000,
            },
        ];
        let frames = speech_frames(&regions, 48_000);
        assert_eq!(frames.len(), 200);
        let labels: Vec<u8> = frames.iter().map(|&f| u8::from(f >= 50)).collect();
        let mut turns = turns_from_labels(&regions, &frames, &labels);
        assert_eq!(renumber_by_first_appearance(&mut turns), 2);
        let spans: Vec<(u8, u64, u64)> = turns
            .iter()
            .map(|t| (t.voice, t.start_ms, t.end_ms))
            .collect();
        assert_eq!(spans, vec![(0, 0, 495), (1, 495, 1000), (1, 2000, 3000)]);
    }

    #[test]
    fn same_voice_turns_join_across_short_pauses_only() {
        let t = |voice, start_ms, end_ms| VoiceTurn {
            voice,
            start_ms,
            end_ms,
        };
        let merged = merge_turns(
            vec![
                t(0, 0, 1000),
                t(0, 1500, 2000),
                t(1, 2100, 3000),
                t(1, 5000, 6000),
            ],
            1000,
        );
        assert_eq!(
            merged,
            vec![t(0, 0, 2000), t(1, 2100, 3000), t(1, 5000, 6000)]
        );
    }

    #[test]
    fn regions_are_clamped_sorted_and_merged() {
        let r = clean_regions(
            &[
                SpeechRegion { start: 50, end: 90 },
                SpeechRegion { start: 0, end: 60 },
                SpeechRegion {
                    start: 200,
                    end: 900,
                },
            ],
            500,
        );
        assert_eq!(
            r,
            vec![
                SpeechRegion { start: 0, end: 90 },
                SpeechRegion {
                    start: 200,
                    end: 500
                }
            ]
        );
    }

    #[test]
    fn diarizer_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Diarizer>();
    }
}
