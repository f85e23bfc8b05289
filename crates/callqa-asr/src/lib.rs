//! Speech recognition: takes 16 kHz `f32` channels of one call plus their VAD speech regions,
//! gives a turn-ordered [`callqa_core::Transcript`].
//!
//! Whisper (whisper.cpp through whisper-rs) runs only on speech: each channel's regions are packed
//! into windows of at most 30 s ([`windows::pack`]), each window is transcribed once, and token
//! timestamps map the text back onto the call timeline (one utterance per region a segment
//! touches). Output passes hallucination guards ([`filter`]): text on silence, repetition,
//! invented subtitle credits; what is dropped is counted in `Transcript::dropped_segments`.
//! Mandarin comes out in Simplified characters with Chinese punctuation.
//!
//! One [`WhisperModel`] per process (the weights), one [`Transcriber`] (a whisper state) per
//! worker thread; keep workers × `threads` at or below the free cores (whisper.cpp threads
//! spin-wait).
//!
//! Stereo calls: each channel is one party ([`ChannelLayout::Roles`]). Mono calls
//! ([`ChannelLayout::Mono`]): transcribed once, then roles guessed crudely ([`roles`]).
//!
//! ```no_run
//! use callqa_asr::{AsrConfig, ChannelLayout, Transcriber, WhisperModel};
//! use callqa_vad::{Vad, VadConfig};
//! let model = WhisperModel::load(std::path::Path::new("ggml-model.bin"))?;
//! let vad = Vad::new(&VadConfig::default())?;
//! let mut worker = Transcriber::new(&model, AsrConfig::default())?;
//! let agent = vec![0.0f32; 16_000 * 10];
//! let customer = vec![0.0f32; 16_000 * 10];
//! let t = worker.transcribe_call(&vad, &[agent, customer], &ChannelLayout::default())?;
//! for u in &t.utterances {
//!     println!("{} {}-{}: {}", u.speaker, u.start_ms, u.end_ms, u.text);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod filter;
pub mod roles;
pub mod windows;

pub use filter::FilterConfig;

use callqa_core::{Speaker, SpeechSpan, Transcript, Utterance};
use callqa_vad::{SpeechRegion, Vad};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

const SR: usize = 16_000;

/// Tokens of one segment that fall in one window piece: (piece, call start sample, call end
/// sample, text bytes, token log-probabilities).
type TokenGroup = (usize, u64, u64, Vec<u8>, Vec<f32>);

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// The model file could not be loaded.
    #[error("{path}: cannot load Whisper model: {message}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What whisper.cpp said.
        message: String,
    },
    /// whisper.cpp failed while transcribing.
    #[error("{path}: Whisper failed: {message}")]
    Inference {
        /// The model file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Voice activity detection failed.
    #[error(transparent)]
    Vad(#[from] callqa_vad::VadError),
    /// A setting is out of range or does not fit the input.
    #[error("invalid ASR setting: {0}")]
    Config(String),
}

/// ASR settings (the `[asr]` table of a pipeline). Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AsrConfig {
    /// Language: `zh`, `en` (any Whisper code), or `auto` (detected once per channel). Set it
    /// explicitly for Mandarin: detection mislabels robotic or noisy Mandarin.
    pub language: String,
    /// Text given to Whisper as preceding context (domain vocabulary, company names).
    pub initial_prompt: Option<String>,
    /// whisper.cpp threads per worker. Keep 1 on shared machines (its threads spin-wait).
    pub threads: usize,
    /// Longest window of packed speech per Whisper run, seconds (at most 30).
    pub max_window_s: f32,
    /// Regions closer than this are copied with the audio between them, ms.
    pub join_gap_ms: u32,
    /// Silence inserted between regions packed into one window, ms.
    pub window_gap_ms: u32,
    /// Shrink the encoder's audio context to the window length (1500 × len / 30 s plus 64,
    /// rounded up to a multiple of 64). Measured (examples/asr_bench.rs, 1 thread): jfk.wav with
    /// tiny.en 0/22 word errors either way, 2.9× faster; four real Mandarin clips with base
    /// 6/64 → 7/64 character errors, 4-7× faster; SYNTHETIC fixture calls 1.4-1.9× faster with
    /// 14 → 15 of 143 word errors (en, tiny.en) and 59 → 61 of 226 character errors (zh, base).
    /// On by default for speed; turn off for the last fraction of accuracy.
    pub reduce_audio_ctx: bool,
    /// Beam size; 0 or 1 = greedy decoding (fastest).
    pub beam_size: u32,
    /// Retry undecodable windows at higher temperature (slower; off by default).
    pub temperature_fallback: bool,
    /// Mono recordings: a new VAD region starting at least this long after the previous one ends
    /// switches speaker, ms (0: every new region is a new turn).
    pub mono_turn_gap_ms: u32,
    /// Mono recordings: two voices whose median pitches lie at least this many semitones apart
    /// are told apart by pitch; closer ones fall back to turn alternation.
    pub mono_voice_semitones: f32,
    /// Hallucination guards.
    pub filter: FilterConfig,
}

impl Default for AsrConfig {
    fn default() -> Self {
        AsrConfig {
            language: "auto".into(),
            initial_prompt: None,
            threads: 1,
            max_window_s: 30.0,
            join_gap_ms: 1_000,
            window_gap_ms: 400,
            reduce_audio_ctx: true,
            beam_size: 0,
            temperature_fallback: false,
            mono_turn_gap_ms: 0,
            mono_voice_semitones: 5.0,
            filter: FilterConfig::default(),
        }
    }
}

impl AsrConfig {
    /// Check the values; the error names the key.
    pub fn validate(&self) -> Result<(), AsrError> {
        if !(self.max_window_s >= 1.0 && self.max_window_s <= 30.0) {
            return Err(AsrError::Config(format!(
                "max_window_s = {} must be in [1, 30]",
                self.max_window_s
            )));
        }
        if self.threads == 0 {
            return Err(AsrError::Config("threads must be at least 1".into()));
        }
        let lang = self.language.as_str();
        if lang != "auto" && whisper_rs::get_lang_id(lang).is_none() {
            return Err(AsrError::Config(format!(
                "language = {lang:?} is not a Whisper language code (or `auto`)"
            )));
        }
        Ok(())
    }
}

/// How a call's channels map to parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelLayout {
    /// One party per channel, in channel order (default: `[agent, customer]`).
    Roles(Vec<Speaker>),
    /// Mix all channels into one and infer the roles.
    Mono,
}

impl Default for ChannelLayout {
    fn default() -> Self {
        ChannelLayout::Roles(vec![Speaker::Agent, Speaker::Customer])
    }
}

/// A loaded Whisper model: load once per process, share between workers.
pub struct WhisperModel {
    ctx: WhisperContext,
    path: PathBuf,
}

impl std::fmt::Debug for WhisperModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperModel")
            .field("path", &self.path)
            .finish()
    }
}

impl WhisperModel {
    /// Load a ggml Whisper file.
    pub fn load(path: &Path) -> Result<WhisperModel, AsrError> {
        whisper_rs::install_logging_hooks();
        let err = |m: String| AsrError::Model {
            path: path.to_path_buf(),
            message: m,
        };
        if !path.is_file() {
            return Err(err("no such file".into()));
        }
        let p = path
            .to_str()
            .ok_or_else(|| err("path is not valid UTF-8".into()))?;
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        let ctx = WhisperContext::new_with_params(p, params).map_err(|e| err(e.to_string()))?;
        Ok(WhisperModel {
            ctx,
            path: path.to_path_buf(),
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True for multilingual models (English-only `.en` models return false).
    pub fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }
}

/// One recognised piece of speech on the call timeline, before role assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Channel index it came from (0 for a mono mix).
    pub channel: usize,
    /// Start, ms on the call timeline.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// Cleaned text.
    pub text: String,
    /// Mean token log-probability.
    pub avg_logprob: f32,
    /// No-speech probability of the window.
    pub no_speech_prob: f32,
}

/// What one channel gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelTranscript {
    /// Language used (detected or configured).
    pub language: String,
    /// Kept segments, in time order.
    pub segments: Vec<Segment>,
    /// Segments dropped (or trimmed) by the guards.
    pub dropped: u32,
    /// Windows run through Whisper.
    pub windows: usize,
}

/// A worker: one Whisper state plus the settings. Create one per thread.
pub struct Transcriber {
    state: WhisperState,
    config: AsrConfig,
    path: PathBuf,
    multilingual: bool,
    eot: i32,
}

impl Transcriber {
    /// A worker on `model` with these settings.
    pub fn new(model: &WhisperModel, config: AsrConfig) -> Result<Transcriber, AsrError> {
        config.validate()?;
        if !model.is_multilingual() && !matches!(config.language.as_str(), "en" | "auto") {
            return Err(AsrError::Config(format!(
                "{}: an English-only model cannot transcribe language {:?}",
                model.path.display(),
                config.language
            )));
        }
        let state = model.ctx.create_state().map_err(|e| AsrError::Model {
            path: model.path.clone(),
            message: e.to_string(),
        })?;
        Ok(Transcriber {
            state,
            config,
            path: model.path.clone(),
            multilingual: model.is_multilingual(),
            eot: model.ctx.token_eot(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &AsrConfig {
        &self.config
    }

    fn err(&self, m: impl std::fmt::Display) -> AsrError {
        AsrError::Inference {
            path: self.path.clone(),
            message: m.to_string(),
        }
    }

    /// Detect the language of (up to 30 s of) speech.
    pub fn detect_language(&mut self, samples: &[f32]) -> Result<String, AsrError> {
        if !self.multilingual {
            return Ok("en".into());
        }
        let n = samples.len().min(30 * SR);
        self.state
            .pcm_to_mel(&samples[..n], self.config.threads)
            .map_err(|e| self.err(e))?;
        let (id, _) = self
            .state
            .lang_detect(0, self.config.threads)
            .map_err(|e| self.err(e))?;
        Ok(whisper_rs::get_lang_str(id).unwrap_or("en").to_string())
    }

    /// Transcribe one channel's speech regions (16 kHz samples).
    pub fn transcribe_channel(
        &mut self,
        channel_idx: usize,
        samples: &[f32],
        regions: &[SpeechRegion],
    ) -> Result<ChannelTranscript, AsrError> {
        let max_len = (self.config.max_window_s * SR as f32) as usize;
        let wins = windows::pack(
            regions,
            max_len,
            self.config.join_gap_ms as usize * SR / 1000,
            self.config.window_gap_ms as usize * SR / 1000,
        );
        let mut out = ChannelTranscript {
            language: self.config.language.clone(),
            windows: wins.len(),
            ..ChannelTranscript::default()
        };
        if wins.is_empty() {
            if out.language == "auto" {
                out.language = if self.multilingual { "und" } else { "en" }.into();
            }
            return Ok(out);
        }
        if out.language == "auto" {
            let first = wins[0].samples(samples);
            out.language = self.detect_language(&first)?;
        }
        for win in &wins {
            let audio = win.samples(samples);
            let lang = out.language.clone();
            let mut part = ChannelTranscript::default();
            let derailed = self.run_window(channel_idx, win, &audio, &lang, true, &mut part)?;
            // An initial prompt sometimes derails Whisper on short, choppy windows (no
            // timestamps, garbage bytes, repetition): rerun such a window without it.
            if derailed && self.config.initial_prompt.is_some() {
                tracing::debug!(
                    channel = channel_idx,
                    "window rerun without the initial prompt"
                );
                part = ChannelTranscript::default();
                self.run_window(channel_idx, win, &audio, &lang, false, &mut part)?;
            }
            out.dropped += part.dropped;
            out.segments.append(&mut part.segments);
        }
        Ok(out)
    }

    fn run_window(
        &mut self,
        channel_idx: usize,
        win: &windows::Window,
        audio: &[f32],
        language: &str,
        use_prompt: bool,
        out: &mut ChannelTranscript,
    ) -> Result<bool, AsrError> {
        // Signs that Whisper went off the rails in this window.
        let mut derailed = false;
        let strategy = if self.config.beam_size > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: self.config.beam_size as i32,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(self.config.threads as i32);
        params.set_language(Some(language));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_token_timestamps(true);
        params.set_suppress_blank(true);
        params.set_suppress_nst(true);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_temperature(0.0);
        if !self.config.temperature_fallback {
            params.set_temperature_inc(0.0);
        }
        if let Some(prompt) = self.config.initial_prompt.as_deref().filter(|_| use_prompt) {
            params.set_initial_prompt(prompt);
        }
        // Whisper wants at least 1 s of input; pad short windows with silence.
        let padded;
        let mut audio = audio;
        if audio.len() < SR + SR / 10 {
            let mut p = audio.to_vec();
            p.resize(SR + SR / 10, 0.0);
            padded = p;
            audio = &padded;
        }
        if self.config.reduce_audio_ctx {
            params.set_audio_ctx(audio_ctx_for(audio.len()));
        }
        self.state.full(params, audio).map_err(|e| self.err(e))?;
        let zh = language == "zh";
        for seg in self.state.as_iter() {
            let no_speech = seg.no_speech_probability();
            // Group tokens by the window piece their midpoint falls in.
            let mut groups: Vec<TokenGroup> = Vec::new();
            for k in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(k) else {
                    continue;
                };
                let data = tok.token_data();
                if data.id >= self.eot {
                    continue;
                }
                let Ok(bytes) = tok.to_bytes() else { continue };
                // t0/t1 are centiseconds in the window.
                let t0 = (data.t0.max(0) as usize) * SR / 100;
                let t1 = (data.t1.max(data.t0).max(0) as usize) * SR / 100;
                let mid = (t0 + t1) / 2;
                let piece = win.piece_of(mid);
                let (c0, c1) = (win.to_call(piece, t0), win.to_call(piece, t1.max(t0)));
                // Punctuation-only tokens stay with the text before them.
                let punct_only = !bytes
                    .iter()
                    .any(|b| b.is_ascii_alphanumeric() || *b >= 0x80);
                match groups.last_mut() {
                    Some(g) if g.0 == piece || punct_only => {
                        if g.0 == piece {
                            g.2 = g.2.max(c1 as u64);
                        }
                        g.3.extend_from_slice(bytes);
                        g.4.push(data.plog);
                    }
                    _ => {
                        groups.push((piece, c0 as u64, c1 as u64, bytes.to_vec(), vec![data.plog]))
                    }
                }
            }
            // A zero-length group is a token whose timestamp fell into a neighbouring piece:
            // give it to the next group of the segment (or the previous one at the end).
            let mut merged: Vec<TokenGroup> = Vec::with_capacity(groups.len());
            let mut carry: Option<TokenGroup> = None;
            let n_groups = groups.len();
            for (k, mut g) in groups.into_iter().enumerate() {
                if let Some(c) = carry.take() {
                    let mut bytes = c.3;
                    bytes.extend_from_slice(&g.3);
                    g.3 = bytes;
                    let mut lp = c.4;
                    lp.extend_from_slice(&g.4);
                    g.4 = lp;
                }
                if g.2 <= g.1 && g.4.len() > 3 {
                    derailed = true;
                }
                if g.2 <= g.1 && n_groups > 1 {
                    if k + 1 < n_groups {
                        carry = Some(g);
                        continue;
                    }
                    if let Some(prev) = merged.last_mut() {
                        prev.3.extend_from_slice(&g.3);
                        prev.4.extend_from_slice(&g.4);
                        continue;
                    }
                }
                merged.push(g);
            }
            for (_, c0, c1, bytes, logps) in merged {
                let raw = String::from_utf8_lossy(&bytes).into_owned();
                derailed |= raw.contains('\u{FFFD}');
                let mut text = if zh {
                    filter::normalize_zh(&raw)
                } else {
                    raw.trim().to_string()
                };
                let avg = logps.iter().sum::<f32>() / logps.len().max(1) as f32;
                let verdict = filter::judge(&mut text, avg, no_speech, &self.config.filter);
                if verdict == filter::Verdict::DropEmpty {
                    continue;
                }
                if verdict != filter::Verdict::Keep {
                    derailed = true;
                    out.dropped += 1;
                    tracing::debug!(
                        ?verdict,
                        start_ms = c0 * 1000 / SR as u64,
                        "segment filtered"
                    );
                }
                if verdict.is_drop() {
                    continue;
                }
                let start_ms = c0 * 1000 / SR as u64;
                let end_ms = (c1 * 1000 / SR as u64).max(start_ms + 1);
                out.segments.push(Segment {
                    channel: channel_idx,
                    start_ms,
                    end_ms,
                    text,
                    avg_logprob: avg,
                    no_speech_prob: no_speech,
                });
            }
        }
        Ok(derailed)
    }

    /// Run VAD and ASR over a whole call and build its transcript. `channels` are 16 kHz
    /// samples per channel; with [`ChannelLayout::Mono`] they are mixed first.
    pub fn transcribe_call(
        &mut self,
        vad: &Vad,
        channels: &[Vec<f32>],
        layout: &ChannelLayout,
    ) -> Result<Transcript, AsrError> {
        let frames = channels.iter().map(Vec::len).max().unwrap_or(0);
        let duration_ms = (frames * 1000 / SR) as u64;
        match layout {
            ChannelLayout::Roles(roles) => {
                if roles.len() < channels.len() && channels.len() > 1 {
                    return Err(AsrError::Config(format!(
                        "the channel map names {} parties but the recording has {} channels",
                        roles.len(),
                        channels.len()
                    )));
                }
                let views: Vec<&[f32]> = channels.iter().map(Vec::as_slice).collect();
                let regions = vad.detect(&views)?;
                let mut t = Transcript {
                    language: String::new(),
                    duration_ms,
                    roles_inferred: false,
                    role_confidence: 1.0,
                    utterances: Vec::new(),
                    activity: Vec::new(),
                    dropped_segments: 0,
                };
                let mut langs = Vec::new();
                for (c, (samples, regs)) in channels.iter().zip(&regions).enumerate() {
                    let speaker = if channels.len() == 1 {
                        Speaker::Unknown
                    } else {
                        roles.get(c).copied().unwrap_or(Speaker::Unknown)
                    };
                    t.activity.extend(regs.iter().map(|r| SpeechSpan {
                        speaker,
                        start_ms: r.start_ms(),
                        end_ms: r.end_ms(),
                    }));
                    let ct = self.transcribe_channel(c, samples, regs)?;
                    t.dropped_segments += ct.dropped;
                    if ct.windows > 0 {
                        langs.push(ct.language.clone());
                    }
                    t.utterances
                        .extend(ct.segments.into_iter().map(|s| Utterance {
                            idx: 0,
                            speaker,
                            start_ms: s.start_ms,
                            end_ms: s.end_ms.min(duration_ms.max(s.start_ms + 1)),
                            text: s.text,
                            avg_logprob: Some(s.avg_logprob),
                            no_speech_prob: Some(s.no_speech_prob),
                            backchannel: false,
                        }));
                }
                t.language = pick_language(&langs, &self.config.language);
                t.sort_turns();
                Ok(t)
            }
            ChannelLayout::Mono => {
                let mono = mix(channels);
                let regions = vad.detect(&[&mono])?;
                let regs = regions.into_iter().next().unwrap_or_default();
                let ct = self.transcribe_channel(0, &mono, &regs)?;
                // Turns are VAD regions: each segment stands for the region it lies in, so a
                // speaker switch can only happen where a new region starts.
                let triples: Vec<(u64, u64, &str)> = ct
                    .segments
                    .iter()
                    .map(|s| {
                        let (a, b) = region_of(&regs, s.start_ms, s.end_ms);
                        (a, b, s.text.as_str())
                    })
                    .collect();
                let pitches: Vec<Option<f32>> = ct
                    .segments
                    .iter()
                    .map(|s| {
                        let a = (s.start_ms as usize * SR / 1000).min(mono.len());
                        let b = (s.end_ms as usize * SR / 1000).clamp(a, mono.len());
                        roles::median_pitch_hz(&mono[a..b])
                    })
                    .collect();
                let voices = roles::pitch_sides(&pitches, self.config.mono_voice_semitones);
                let guess = roles::infer_roles_with(
                    &triples,
                    u64::from(self.config.mono_turn_gap_ms),
                    voices.as_deref(),
                );
                let utterances: Vec<Utterance> = ct
                    .segments
                    .iter()
                    .zip(&guess.speakers)
                    .map(|(s, &speaker)| Utterance {
                        idx: 0,
                        speaker,
                        start_ms: s.start_ms,
                        end_ms: s.end_ms.min(duration_ms.max(s.start_ms + 1)),
                        text: s.text.clone(),
                        avg_logprob: Some(s.avg_logprob),
                        no_speech_prob: Some(s.no_speech_prob),
                        backchannel: false,
                    })
                    .collect();
                let activity = mono_activity(&regs, &utterances);
                let mut t = Transcript {
                    language: pick_language(
                        &[ct.language.clone()][..(ct.windows > 0) as usize],
                        &self.config.language,
                    ),
                    duration_ms,
                    roles_inferred: true,
                    role_confidence: guess.confidence,
                    utterances,
                    activity,
                    dropped_segments: ct.dropped,
                };
                t.sort_turns();
                Ok(t)
            }
        }
    }
}

/// Speech activity for a mono call: each VAD region takes the speaker of the utterance that
/// overlaps it most (`unknown` when none does).
fn mono_activity(regs: &[SpeechRegion], utts: &[Utterance]) -> Vec<SpeechSpan> {
    regs.iter()
        .map(|r| {
            let (s, e) = (r.start_ms(), r.end_ms());
            let speaker = utts
                .iter()
                .map(|u| (u.end_ms.min(e).saturating_sub(u.start_ms.max(s)), u.speaker))
                .filter(|(o, _)| *o > 0)
                .max_by_key(|(o, _)| *o)
                .map_or(Speaker::Unknown, |(_, sp)| sp);
            SpeechSpan {
                speaker,
                start_ms: s,
                end_ms: e,
            }
        })
        .collect()
}

/// The VAD region (as ms) that overlaps `start..end` most, or the span itself when none does.
fn region_of(regs: &[SpeechRegion], start: u64, end: u64) -> (u64, u64) {
    regs.iter()
        .map(|r| (r.start_ms(), r.end_ms()))
        .map(|(a, b)| (end.min(b).saturating_sub(start.max(a)), a, b))
        .filter(|(o, _, _)| *o > 0)
        .max_by_key(|(o, _, _)| *o)
        .map_or((start, end), |(_, a, b)| (a, b))
}

fn pick_language(detected: &[String], configured: &str) -> String {
    if configured != "auto" {
        return configured.to_string();
    }
    detected
        .first()
        .cloned()
        .unwrap_or_else(|| "und".to_string())
}

/// Average channels into one.
pub fn mix(channels: &[Vec<f32>]) -> Vec<f32> {
    match channels {
        [] => Vec::new(),
        [one] => one.clone(),
        many => {
            let n = many.iter().map(Vec::len).max().unwrap_or(0);
            let k = many.len() as f32;
            (0..n)
                .map(|i| {
                    many.iter()
                        .map(|c| c.get(i).copied().unwrap_or(0.0))
                        .sum::<f32>()
                        / k
                })
                .collect()
        }
    }
}

/// The encoder audio context for a window of `samples` 16 kHz samples: 1500 frames per 30 s,
/// scaled, plus 64 frames of margin, rounded up to a multiple of 64 and capped at 1500.
pub fn audio_ctx_for(samples: usize) -> i32 {
    let frames = (samples * 1500).div_ceil(30 * SR) + 64;
    (frames.div_ceil(64) * 64).min(1500) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_ctx_scales_with_window_length() {
        assert_eq!(audio_ctx_for(30 * SR), 1500);
        assert_eq!(audio_ctx_for(10 * SR), 576);
        assert!(audio_ctx_for(SR) >= 64);
    }

    #[test]
    fn config_reads_toml_and_checks_language() {
        let c: AsrConfig = toml::from_str("language = \"zh\"\n[filter]\nmax_repeats = 5")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.filter.max_repeats, 5);
        assert!(c.validate().is_ok());
        let bad = AsrConfig {
            language: "klingon".into(),
            ..AsrConfig::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("language"));
    }

    #[test]
    fn mix_averages_channels() {
        assert_eq!(mix(&[vec![1.0, 1.0], vec![0.0]]), vec![0.5, 0.5]);
    }
}
