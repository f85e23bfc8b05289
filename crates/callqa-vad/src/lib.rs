//! Voice activity detection: takes 16 kHz mono `f32` samples per channel, gives speech regions
//! per channel (sample ranges on the channel's timeline).
//!
//! The detector is Silero VAD (an ONNX model shipped in the MIT-licensed `silero-vad` Python
//! wheel) run through ONNX Runtime ([`callqa_onnx`]), 32 ms (512-sample) chunks with Silero's
//! 64-sample context, all channels of a call in one batch. The probabilities are turned into
//! regions exactly as the wheel's `get_speech_timestamps` does (threshold with hysteresis,
//! minimum speech and silence durations, padding, maximum region length): see
//! [`regions_from_probs`].
//!
//! Where ONNX Runtime or the model is missing, [`Vad::new`] with [`VadBackend::Auto`] falls back
//! to an **energy detector** ([`EnergyVad`]) and says so ([`Vad::backend`] returns
//! [`BackendKind::Energy`], and a warning is logged). The energy detector is crude: it finds loud
//! frames relative to the channel's noise floor, so it can mark hold music or loud line noise as
//! speech; Silero does not (see the tests).
//!
//! Model lookup ([`resolve_model`]): an explicit path, else `$CALLQA_HOME/models/vad/silero_vad.onnx`
//! (what [`install_from_venv`] writes, for the set-up command), else the wheel's copy in a
//! `.venv` found from the current directory or the executable upwards.
//!
//! ```no_run
//! use callqa_vad::{Vad, VadConfig};
//! let vad = Vad::new(&VadConfig::default())?;
//! let samples = vec![0.0f32; 16_000 * 5]; // 5 s of 16 kHz silence
//! let regions = vad.detect(&[&samples])?;
//! assert!(regions[0].is_empty());
//! for r in &regions[0] {
//!     println!("{}-{} ms", r.start_ms(), r.end_ms());
//! }
//! # Ok::<(), callqa_vad::VadError>(())
//! ```

#![deny(missing_docs)]

mod energy;

pub use energy::EnergyVad;

use callqa_onnx::ort;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Sample rate every input must have.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Samples per Silero chunk at 16 kHz (32 ms).
pub const CHUNK_SAMPLES: usize = 512;
/// Context samples Silero prepends to every chunk (the tail of the previous chunk).
pub const CONTEXT_SAMPLES: usize = 64;
const STATE_LEN: usize = 128;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum VadError {
    /// No Silero model was found where we looked.
    #[error(
        "Silero VAD model not found (looked at {looked}); run the set-up command, or install the \
         `silero-vad` wheel into .venv, or give the model path"
    )]
    ModelNotFound {
        /// The places searched.
        looked: String,
    },
    /// ONNX Runtime or the model could not be loaded.
    #[error(transparent)]
    Onnx(#[from] callqa_onnx::OnnxError),
    /// Running the model failed.
    #[error("{path}: Silero VAD inference failed: {message}")]
    Inference {
        /// The model file.
        path: PathBuf,
        /// What ONNX Runtime said.
        message: String,
    },
    /// Copying the model into place failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A configuration value is out of range.
    #[error("invalid VAD setting: {0}")]
    Config(String),
}

/// Which detector to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VadBackend {
    /// Silero where it can be loaded, else the energy detector (with a warning).
    #[default]
    Auto,
    /// Silero only; an error where it cannot be loaded.
    Silero,
    /// The energy detector only (crude: hold music and loud noise count as speech).
    Energy,
}

/// The detector actually in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Silero VAD (ONNX).
    Silero,
    /// The energy fallback.
    Energy,
}

/// VAD settings (the `[vad]` table of a pipeline). Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VadConfig {
    /// Detector: `auto` (Silero, else energy with a warning), `silero`, or `energy`.
    pub backend: VadBackend,
    /// Silero model file; empty means look it up (`$CALLQA_HOME/models/vad/silero_vad.onnx`,
    /// then the `silero-vad` wheel in `.venv`).
    pub model: Option<PathBuf>,
    /// A chunk whose speech probability is at least this starts (or continues) speech, in (0, 1).
    pub threshold: f32,
    /// Speech ends only after the probability falls below this (hysteresis). Default: `threshold
    /// - 0.15` (at least 0.01), as Silero's reference code does.
    pub neg_threshold: Option<f32>,
    /// Regions shorter than this are dropped (clicks, coughs), milliseconds.
    pub min_speech_duration_ms: u32,
    /// Silence must last this long to end a region, milliseconds. Longer values merge the
    /// pauses inside a sentence; shorter values give finer turn boundaries.
    pub min_silence_duration_ms: u32,
    /// Padding added to both ends of every region, milliseconds (so word edges are kept).
    pub speech_pad_ms: u32,
    /// Regions longer than this are split at their longest inner silence, seconds (0 = no limit).
    pub max_speech_duration_s: f32,
    /// When splitting long regions, only silences longer than this count as split points, ms.
    pub min_silence_at_max_speech_ms: u32,
    /// Intra-op threads for the ONNX session (0 = ONNX Runtime's default; 1 suits a worker pool).
    pub threads: usize,
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            backend: VadBackend::Auto,
            model: None,
            threshold: 0.5,
            neg_threshold: None,
            min_speech_duration_ms: 250,
            min_silence_duration_ms: 300,
            speech_pad_ms: 100,
            max_speech_duration_s: 20.0,
            min_silence_at_max_speech_ms: 98,
            threads: 1,
        }
    }
}

impl VadConfig {
    /// Check that every value is in range; the error names the key.
    pub fn validate(&self) -> Result<(), VadError> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(VadError::Config(format!(
                "threshold = {} must be in (0, 1)",
                self.threshold
            )));
        }
        if let Some(n) = self.neg_threshold
            && !(n > 0.0 && n <= self.threshold)
        {
            return Err(VadError::Config(format!(
                "neg_threshold = {n} must be in (0, threshold]"
            )));
        }
        if !(self.max_speech_duration_s >= 0.0 && self.max_speech_duration_s.is_finite()) {
            return Err(VadError::Config(format!(
                "max_speech_duration_s = {} must be >= 0 (0 = no limit)",
                self.max_speech_duration_s
            )));
        }
        if self.max_speech_duration_s > 0.0
            && self.max_speech_duration_s * 1000.0
                < (self.speech_pad_ms * 2 + 2 * CHUNK_SAMPLES as u32 / 16) as f32
        {
            return Err(VadError::Config(format!(
                "max_speech_duration_s = {} is shorter than twice speech_pad_ms",
                self.max_speech_duration_s
            )));
        }
        Ok(())
    }

    fn effective_neg_threshold(&self) -> f32 {
        self.neg_threshold
            .unwrap_or_else(|| (self.threshold - 0.15).max(0.01))
    }
}

/// A stretch of speech on one channel, in samples at 16 kHz (`end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpeechRegion {
    /// First sample.
    pub start: usize,
    /// One past the last sample.
    pub end: usize,
}

impl SpeechRegion {
    /// Start in milliseconds.
    pub fn start_ms(&self) -> u64 {
        self.start as u64 * 1000 / u64::from(SAMPLE_RATE_HZ)
    }
    /// End in milliseconds.
    pub fn end_ms(&self) -> u64 {
        self.end as u64 * 1000 / u64::from(SAMPLE_RATE_HZ)
    }
    /// Length in samples.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// True for an empty region.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Silero VAD behind one ONNX session (shared by workers through a mutex; a call's channels are
/// batched into one run per chunk).
pub struct SileroVad {
    path: PathBuf,
    session: Mutex<ort::session::Session>,
}

impl std::fmt::Debug for SileroVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroVad")
            .field("path", &self.path)
            .finish()
    }
}

impl SileroVad {
    /// Load the model with `threads` intra-op threads (0 = runtime default).
    pub fn open(path: &Path, threads: usize) -> Result<SileroVad, VadError> {
        let session = callqa_onnx::open_session(path, threads)?;
        Ok(SileroVad {
            path: path.to_path_buf(),
            session: Mutex::new(session),
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Speech probability per 512-sample chunk for each channel (channels may differ in length;
    /// each gets `ceil(len / 512)` values, the last chunk zero-padded as the reference does).
    pub fn probabilities(&self, channels: &[&[f32]]) -> Result<Vec<Vec<f32>>, VadError> {
        let batch = channels.len();
        if batch == 0 {
            return Ok(Vec::new());
        }
        let n_chunks: Vec<usize> = channels
            .iter()
            .map(|c| c.len().div_ceil(CHUNK_SAMPLES))
            .collect();
        let max_chunks = n_chunks.iter().copied().max().unwrap_or(0);
        let mut out: Vec<Vec<f32>> = n_chunks.iter().map(|&n| Vec::with_capacity(n)).collect();
        let width = CONTEXT_SAMPLES + CHUNK_SAMPLES;
        let mut input = vec![0f32; batch * width];
        let mut state = vec![0f32; 2 * batch * STATE_LEN];
        let mut context = vec![0f32; batch * CONTEXT_SAMPLES];
        let err = |m: String| VadError::Inference {
            path: self.path.clone(),
            message: m,
        };
        let mut session = self
            .session
            .lock()
            .map_err(|_| err("session lock poisoned by an earlier panic".into()))?;
        for k in 0..max_chunks {
            for (b, ch) in channels.iter().enumerate() {
                let row = &mut input[b * width..(b + 1) * width];
                row[..CONTEXT_SAMPLES]
                    .copy_from_slice(&context[b * CONTEXT_SAMPLES..(b + 1) * CONTEXT_SAMPLES]);
                let start = (k * CHUNK_SAMPLES).min(ch.len());
                let end = ((k + 1) * CHUNK_SAMPLES).min(ch.len());
                let dst = &mut row[CONTEXT_SAMPLES..];
                dst[..end - start].copy_from_slice(&ch[start..end]);
                dst[end - start..].fill(0.0);
                context[b * CONTEXT_SAMPLES..(b + 1) * CONTEXT_SAMPLES]
                    .copy_from_slice(&row[width - CONTEXT_SAMPLES..]);
            }
            let inputs: Vec<(String, ort::session::SessionInputValue)> = vec![
                (
                    "input".into(),
                    ort::value::Tensor::from_array(([batch, width], input.clone()))
                        .map_err(|e| err(e.to_string()))?
                        .into(),
                ),
                (
                    "state".into(),
                    ort::value::Tensor::from_array(([2, batch, STATE_LEN], state.clone()))
                        .map_err(|e| err(e.to_string()))?
                        .into(),
                ),
                (
                    "sr".into(),
                    ort::value::Tensor::from_array(((), vec![i64::from(SAMPLE_RATE_HZ)]))
                        .map_err(|e| err(e.to_string()))?
                        .into(),
                ),
            ];
            let outputs = session.run(inputs).map_err(|e| err(e.to_string()))?;
            let (_, probs) = outputs
                .get("output")
                .ok_or_else(|| err("model has no output named `output`".into()))?
                .try_extract_tensor::<f32>()
                .map_err(|e| err(e.to_string()))?;
            let (_, new_state) = outputs
                .get("stateN")
                .ok_or_else(|| err("model has no output named `stateN`".into()))?
                .try_extract_tensor::<f32>()
                .map_err(|e| err(e.to_string()))?;
            if probs.len() != batch || new_state.len() != state.len() {
                return Err(err(format!(
                    "unexpected output sizes {} and {} for batch {batch}",
                    probs.len(),
                    new_state.len()
                )));
            }
            state.copy_from_slice(new_state);
            for (b, o) in out.iter_mut().enumerate() {
                if k < n_chunks[b] {
                    o.push(probs[b]);
                }
            }
        }
        Ok(out)
    }
}

/// A voice activity detector: Silero, or the energy fallback.
#[derive(Debug)]
pub struct Vad {
    config: VadConfig,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Silero(SileroVad),
    Energy(EnergyVad),
}

impl Vad {
    /// Build the detector the config asks for (see [`VadBackend`]); `auto` falls back to the
    /// energy detector with a warning when Silero cannot be loaded.
    pub fn new(config: &VadConfig) -> Result<Vad, VadError> {
        config.validate()?;
        let silero = || -> Result<SileroVad, VadError> {
            let path = resolve_model(config.model.as_deref())?;
            SileroVad::open(&path, config.threads)
        };
        let inner = match config.backend {
            VadBackend::Energy => Inner::Energy(EnergyVad::default()),
            VadBackend::Silero => Inner::Silero(silero()?),
            VadBackend::Auto => match silero() {
                Ok(s) => Inner::Silero(s),
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        "Silero VAD unavailable; using the crude energy detector (hold music and \
                         loud noise may count as speech)"
                    );
                    Inner::Energy(EnergyVad::default())
                }
            },
        };
        Ok(Vad {
            config: config.clone(),
            inner,
        })
    }

    /// The detector in use.
    pub fn backend(&self) -> BackendKind {
        match self.inner {
            Inner::Silero(_) => BackendKind::Silero,
            Inner::Energy(_) => BackendKind::Energy,
        }
    }

    /// The settings.
    pub fn config(&self) -> &VadConfig {
        &self.config
    }

    /// Speech probability (or pseudo-probability, for the energy detector) per 32 ms chunk, per
    /// channel.
    pub fn probabilities(&self, channels: &[&[f32]]) -> Result<Vec<Vec<f32>>, VadError> {
        match &self.inner {
            Inner::Silero(s) => s.probabilities(channels),
            Inner::Energy(e) => Ok(channels.iter().map(|c| e.probabilities(c)).collect()),
        }
    }

    /// Speech regions per channel (16 kHz samples in, sample ranges out).
    pub fn detect(&self, channels: &[&[f32]]) -> Result<Vec<Vec<SpeechRegion>>, VadError> {
        let probs = self.probabilities(channels)?;
        Ok(probs
            .iter()
            .zip(channels)
            .map(|(p, c)| regions_from_probs(p, c.len(), &self.config))
            .collect())
    }
}

/// Turn per-chunk speech probabilities (one per 512 samples) into regions, mirroring
/// `get_speech_timestamps_from_probs` of the `silero-vad` wheel (with
/// `use_max_poss_sil_at_max_speech = True`): speech starts at a chunk `>= threshold`, ends after
/// `min_silence_duration_ms` below `neg_threshold`; regions shorter than `min_speech_duration_ms`
/// are dropped; regions longer than `max_speech_duration_s` are cut at their longest silence; all
/// are padded by `speech_pad_ms` (half the gap where two regions are closer than twice that).
pub fn regions_from_probs(
    probs: &[f32],
    total_samples: usize,
    cfg: &VadConfig,
) -> Vec<SpeechRegion> {
    let sr = f64::from(SAMPLE_RATE_HZ);
    let win = CHUNK_SAMPLES as f64;
    let threshold = cfg.threshold;
    let neg_threshold = cfg.effective_neg_threshold();
    let min_speech = sr * f64::from(cfg.min_speech_duration_ms) / 1000.0;
    let pad = sr * f64::from(cfg.speech_pad_ms) / 1000.0;
    let max_speech = if cfg.max_speech_duration_s > 0.0 {
        sr * f64::from(cfg.max_speech_duration_s) - win - 2.0 * pad
    } else {
        f64::INFINITY
    };
    let min_silence = sr * f64::from(cfg.min_silence_duration_ms) / 1000.0;
    let min_silence_at_max = sr * f64::from(cfg.min_silence_at_max_speech_ms) / 1000.0;

    let mut triggered = false;
    let mut speeches: Vec<(usize, usize)> = Vec::new();
    let mut cur_start: Option<usize> = None;
    let mut temp_end = 0usize;
    let mut prev_end = 0usize;
    let mut next_start = 0usize;
    let mut possible_ends: Vec<(usize, usize)> = Vec::new();

    for (i, &p) in probs.iter().enumerate() {
        let cur = CHUNK_SAMPLES * i;
        if p >= threshold && temp_end != 0 {
            let sil = cur - temp_end;
            if sil as f64 > min_silence_at_max {
                possible_ends.push((temp_end, sil));
            }
            temp_end = 0;
            if next_start < prev_end {
                next_start = cur;
            }
        }
        if p >= threshold && !triggered {
            triggered = true;
            cur_start = Some(cur);
            continue;
        }
        if triggered
            && let Some(start) = cur_start
            && (cur - start) as f64 > max_speech
        {
            if let Some(&(end, dur)) = possible_ends.iter().max_by_key(|(_, d)| *d) {
                speeches.push((start, end));
                next_start = end + dur;
                cur_start = if next_start < end + cur {
                    Some(next_start)
                } else {
                    triggered = false;
                    None
                };
                prev_end = 0;
                next_start = 0;
                temp_end = 0;
                possible_ends.clear();
            } else {
                speeches.push((start, cur));
                cur_start = None;
                prev_end = 0;
                next_start = 0;
                temp_end = 0;
                triggered = false;
                possible_ends.clear();
                continue;
            }
        }
        if p < neg_threshold && triggered {
            if temp_end == 0 {
                temp_end = cur;
            }
            if ((cur - temp_end) as f64) < min_silence {
                continue;
            }
            if let Some(start) = cur_start
                && (temp_end - start) as f64 > min_speech
            {
                speeches.push((start, temp_end));
            }
            cur_start = None;
            prev_end = 0;
            next_start = 0;
            temp_end = 0;
            triggered = false;
            possible_ends.clear();
            continue;
        }
    }
    let _ = (prev_end, next_start);
    if let Some(start) = cur_start
        && total_samples > start
        && (total_samples - start) as f64 > min_speech
    {
        speeches.push((start, total_samples));
    }

    let pad = pad as usize;
    let n = speeches.len();
    for i in 0..n {
        if i == 0 {
            speeches[i].0 = speeches[i].0.saturating_sub(pad);
        }
        if i + 1 < n {
            let gap = speeches[i + 1].0.saturating_sub(speeches[i].1);
            if gap < 2 * pad {
                speeches[i].1 += gap / 2;
                speeches[i + 1].0 = speeches[i + 1].0.saturating_sub(gap / 2);
            } else {
                speeches[i].1 = (speeches[i].1 + pad).min(total_samples);
                speeches[i + 1].0 = speeches[i + 1].0.saturating_sub(pad);
            }
        } else {
            speeches[i].1 = (speeches[i].1 + pad).min(total_samples);
        }
    }
    speeches
        .into_iter()
        .filter(|(s, e)| e > s)
        .map(|(start, end)| SpeechRegion { start, end })
        .collect()
}

/// Where the set-up command puts the model: `$CALLQA_HOME/models/vad/silero_vad.onnx`.
pub fn installed_model_path() -> PathBuf {
    callqa_onnx::callqa_home()
        .join("models")
        .join("vad")
        .join("silero_vad.onnx")
}

fn venv_model_candidates() -> Vec<PathBuf> {
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        starts.push(dir);
    }
    let mut found = Vec::new();
    for start in &starts {
        for ancestor in start.ancestors() {
            let lib = ancestor.join(".venv").join("lib");
            if let Ok(entries) = std::fs::read_dir(&lib) {
                for e in entries.flatten() {
                    let p = e
                        .path()
                        .join("site-packages")
                        .join("silero_vad")
                        .join("data")
                        .join("silero_vad.onnx");
                    if p.is_file() {
                        found.push(p);
                    }
                }
            }
        }
    }
    found
}

/// Find the Silero model: `explicit` if given (must exist), else [`installed_model_path`], else
/// the `silero-vad` wheel's copy in a `.venv` above the current directory or the executable.
pub fn resolve_model(explicit: Option<&Path>) -> Result<PathBuf, VadError> {
    if let Some(p) = explicit {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        return Err(VadError::ModelNotFound {
            looked: p.display().to_string(),
        });
    }
    let installed = installed_model_path();
    if installed.is_file() {
        return Ok(installed);
    }
    if let Some(p) = venv_model_candidates().into_iter().next() {
        return Ok(p);
    }
    Err(VadError::ModelNotFound {
        looked: format!(
            "{}, .venv/lib/python3*/site-packages/silero_vad/data/silero_vad.onnx",
            installed.display()
        ),
    })
}

/// Copy the `silero-vad` wheel's model from a `.venv` into [`installed_model_path`] (for the
/// set-up command). Returns the installed path; a no-op when it is already there.
pub fn install_from_venv() -> Result<PathBuf, VadError> {
    let dest = installed_model_path();
    if dest.is_file() {
        return Ok(dest);
    }
    let src =
        venv_model_candidates()
            .into_iter()
            .next()
            .ok_or_else(|| VadError::ModelNotFound {
                looked: ".venv/lib/python3*/site-packages/silero_vad/data/silero_vad.onnx".into(),
            })?;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|source| VadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let tmp = dest.with_extension("onnx.tmp");
    std::fs::copy(&src, &tmp).map_err(|source| VadError::Io {
        path: src.clone(),
        source,
    })?;
    std::fs::rename(&tmp, &dest).map_err(|source| VadError::Io {
        path: dest.clone(),
        source,
    })?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs_from_pattern(pattern: &[(f32, usize)]) -> Vec<f32> {
        pattern
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect()
    }

    #[test]
    fn one_region_padded_within_bounds() {
        // 1 s silence, 2 s speech, 1 s silence (31.25 chunks per second).
        let probs = probs_from_pattern(&[(0.01, 31), (0.9, 63), (0.01, 31)]);
        let total = probs.len() * CHUNK_SAMPLES;
        let r = regions_from_probs(&probs, total, &VadConfig::default());
        assert_eq!(r.len(), 1);
        let pad = 1600; // 100 ms
        assert_eq!(r[0].start, 31 * CHUNK_SAMPLES - pad);
        assert_eq!(r[0].end, 94 * CHUNK_SAMPLES + pad);
    }

    #[test]
    fn short_blips_are_dropped_and_short_gaps_bridged() {
        let cfg = VadConfig::default();
        // 160 ms blip (< 250 ms minimum) → nothing.
        let probs = probs_from_pattern(&[(0.0, 20), (0.9, 5), (0.0, 40)]);
        assert!(regions_from_probs(&probs, probs.len() * 512, &cfg).is_empty());
        // Two 1 s bursts with a 160 ms gap (< 300 ms min silence) → one region.
        let probs = probs_from_pattern(&[(0.0, 20), (0.9, 31), (0.0, 5), (0.9, 31), (0.0, 40)]);
        assert_eq!(regions_from_probs(&probs, probs.len() * 512, &cfg).len(), 1);
        // …with a 1 s gap → two regions.
        let probs = probs_from_pattern(&[(0.0, 20), (0.9, 31), (0.0, 31), (0.9, 31), (0.0, 40)]);
        assert_eq!(regions_from_probs(&probs, probs.len() * 512, &cfg).len(), 2);
    }

    #[test]
    fn hysteresis_keeps_speech_between_thresholds() {
        // 0.4 lies between neg_threshold (0.35) and threshold (0.5): speech continues.
        let probs = probs_from_pattern(&[(0.0, 10), (0.9, 20), (0.4, 40), (0.9, 20), (0.0, 40)]);
        let r = regions_from_probs(&probs, probs.len() * 512, &VadConfig::default());
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn long_speech_is_split_at_longest_silence() {
        let cfg = VadConfig {
            max_speech_duration_s: 5.0,
            ..VadConfig::default()
        };
        // 4 s speech, 200 ms pause (< min silence, so no natural end), 4 s speech.
        let probs = probs_from_pattern(&[(0.0, 10), (0.9, 125), (0.1, 6), (0.9, 125), (0.0, 40)]);
        let r = regions_from_probs(&probs, probs.len() * 512, &cfg);
        assert_eq!(r.len(), 2, "{r:?}");
        for reg in &r {
            assert!(reg.len() <= 5 * 16_000, "{reg:?}");
        }
    }

    #[test]
    fn speech_running_to_the_end_is_closed() {
        let probs = probs_from_pattern(&[(0.0, 10), (0.9, 50)]);
        let total = probs.len() * 512 - 100;
        let r = regions_from_probs(&probs, total, &VadConfig::default());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].end, total);
    }

    #[test]
    fn config_parses_from_toml_with_defaults_and_rejects_bad_values() {
        let cfg: VadConfig = toml::from_str("threshold = 0.6\nmin_silence_duration_ms = 500")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.threshold, 0.6);
        assert_eq!(cfg.speech_pad_ms, VadConfig::default().speech_pad_ms);
        assert!(cfg.validate().is_ok());
        let bad = VadConfig {
            threshold: 1.5,
            ..VadConfig::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("threshold")
        );
        assert!(toml::from_str::<VadConfig>("treshold = 0.5").is_err());
    }

    #[test]
    fn missing_explicit_model_names_the_path() {
        let e = resolve_model(Some(Path::new("/nonexistent/vad.onnx"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/vad.onnx"));
    }
}
