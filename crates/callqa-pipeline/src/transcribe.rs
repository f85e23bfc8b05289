//! Audio → transcript, the one path every command takes (`callqa transcribe` through
//! [`transcribe`], `callqa score` through the runner's per-call step): decode and resample to
//! 16 kHz, apply the channel layout, VAD, for mono recordings diarization, then ASR.
//!
//! Channel layout: a multi-channel recording follows the configured channel map (one party per
//! channel, or `mono` to mix them); a single-channel recording is always mono: its two voices are
//! separated and its roles inferred (`roles_inferred = true`, with a `role_confidence`).
//!
//! Models are loaded once ([`SpeechEngines`]); each worker keeps its own Whisper states
//! ([`SpeechWorker`]). Mono calls: VAD on the mix, the diarizer (`callqa-diarize`: who speaks when,
//! by voice), then ASR with the diarization, which cuts utterances at voice changes and gives the
//! voices roles from what they say. Diarization is optional (`[diarize] enabled`): when it is off
//! or its model is missing (the run warns once) mono calls fall back to the ASR stage's pitch and
//! turn-order guess, with `role_confidence` capped at [`UNDIARIZED_ROLE_CONFIDENCE_MAX`] so that
//! the call goes to review; it never fails a call.

use crate::config::StageSettings;
use crate::pool::{InOrder, run_pool, worker_count};
use crate::run::RunError;
use callqa_asr::{AsrError, ChannelLayout, Transcriber, WhisperModel};
use callqa_audio::{AudioError, ProbeInfo};
use callqa_core::Transcript;
use callqa_diarize::{DiarizeConfig, Diarizer};
use callqa_models::ResolvedModel;
use callqa_vad::Vad;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The highest `role_confidence` a mono call gets when no diarization ran (model missing, or it
/// failed on the call): roles guessed from pitch and turn order alone are not trusted without a
/// look.
pub const UNDIARIZED_ROLE_CONFIDENCE_MAX: f32 = 0.4;

/// Why one recording could not be transcribed. Display: `file: what went wrong`.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The audio could not be read or decoded (the message names the file).
    #[error(transparent)]
    Decode(#[from] AudioError),
    /// No Whisper state could be made for the worker.
    #[error("{path}: {source}")]
    State {
        /// The recording.
        path: PathBuf,
        /// What whisper.cpp said.
        source: AsrError,
    },
    /// VAD or Whisper failed on the recording.
    #[error("{path}: {source}")]
    Asr {
        /// The recording.
        path: PathBuf,
        /// What failed.
        source: AsrError,
    },
}

impl SpeechError {
    /// The stage that failed, as the `errors.stage` column names it: `decode` or `asr`.
    pub fn stage(&self) -> &'static str {
        match self {
            SpeechError::Decode(_) => "decode",
            SpeechError::State { .. } | SpeechError::Asr { .. } => "asr",
        }
    }

    /// The kind of failure, a snake_case word for the `errors.kind` column.
    pub fn kind(&self) -> String {
        use callqa_audio::ErrorKind as K;
        match self {
            SpeechError::Decode(e) => match e.kind() {
                K::Io(_) => "unreadable",
                K::Empty => "empty_file",
                K::UnrecognisedFormat => "unrecognised_format",
                K::Corrupt(_) => "corrupt",
                K::NoAudioTrack => "no_audio_track",
                K::UnsupportedCodec(_) => "unsupported_codec",
                K::MissingParameter(_) => "missing_parameter",
                K::NoAudio => "no_audio",
                K::Decode(_) => "decode",
                K::Resample(_) => "resample",
                K::SampleRate(_) => "sample_rate",
                K::TooLarge { .. } => "too_large",
                K::TooLong { .. } => "too_long",
                K::TooManyChannels(_) | K::ChannelMap { .. } => "channels",
                _ => "audio",
            },
            SpeechError::State { .. } => "model",
            SpeechError::Asr {
                source: AsrError::Config(_),
                ..
            } => "config",
            SpeechError::Asr { .. } => "inference",
        }
        .to_string()
    }
}

/// Seconds spent on one recording.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpeechTiming {
    /// Length of the audio.
    pub audio_s: f64,
    /// Decoding and resampling.
    pub decode_s: f64,
    /// Mono diarization (its VAD pass and the speaker model); 0 when none ran.
    pub diarize_s: f64,
    /// VAD and Whisper.
    pub asr_s: f64,
}

/// One recording, transcribed.
#[derive(Debug, Clone)]
pub struct Transcribed {
    /// What decoding found: codec, rate, channels, duration, truncation, warnings.
    pub info: ProbeInfo,
    /// The turn-ordered transcript.
    pub transcript: Transcript,
    /// The recording went the mono way (voices separated, roles inferred).
    pub mono: bool,
    /// Diarization separated the voices (false for stereo, and for mono calls that fell back).
    pub diarized: bool,
    /// Where the time went.
    pub timing: SpeechTiming,
}

/// The speech models of one route (a pipeline, or the transcribe command's settings).
struct SpeechRoute {
    name: String,
    settings: StageSettings,
    whisper: usize,
    vad: Vad,
    /// Index into `MonoDiarizer::loaded`; `None` when the route disables diarization.
    diarizer: Option<usize>,
}

/// Loaded speech models shared by the workers: each distinct Whisper file once, one VAD per
/// route, the mono diarizer once.
pub struct SpeechEngines {
    whisper: Vec<(WhisperModel, ResolvedModel, callqa_asr::ModelOptions)>,
    routes: Vec<SpeechRoute>,
    diarizer: MonoDiarizer,
}

impl SpeechEngines {
    /// Load the models for each route: `(name, settings)`, the name used in messages and logs.
    pub fn load(routes: Vec<(String, StageSettings)>) -> Result<SpeechEngines, RunError> {
        if routes.is_empty() {
            return Err(RunError::Usage("no pipeline given".into()));
        }
        let mut whisper: Vec<(WhisperModel, ResolvedModel, callqa_asr::ModelOptions)> = Vec::new();
        let mut diarizer = MonoDiarizer::default();
        let mut loaded = Vec::with_capacity(routes.len());
        for (name, settings) in routes {
            let resolved = callqa_models::resolve_whisper(&settings.model)
                .map_err(|e| RunError::Model(format!("{name}: asr.model: {e}")))?;
            let options = settings.model_options;
            let idx = match whisper
                .iter()
                .position(|(_, r, o)| r.path == resolved.path && *o == options)
            {
                Some(i) => i,
                None => {
                    let model = WhisperModel::load_with(&resolved.path, &options)
                        .map_err(|e| RunError::Model(e.to_string()))?;
                    whisper.push((model, resolved, options));
                    whisper.len() - 1
                }
            };
            let vad = Vad::new(&settings.vad)
                .map_err(|e| RunError::Model(format!("{name}: VAD: {e}")))?;
            if vad.backend() == callqa_vad::BackendKind::Energy {
                tracing::warn!(
                    pipeline = %name,
                    "Silero VAD unavailable: using the energy detector (hold music and noise may be transcribed)"
                );
            }
            let diarizer_idx = settings.diarize.as_ref().map(|c| diarizer.load(c));
            loaded.push(SpeechRoute {
                name,
                settings,
                whisper: idx,
                vad,
                diarizer: diarizer_idx,
            });
        }
        Ok(SpeechEngines {
            whisper,
            routes: loaded,
            diarizer,
        })
    }

    /// Number of routes.
    pub fn routes(&self) -> usize {
        self.routes.len()
    }

    /// The Whisper model of a route (name, file, sha256). Panics on a route index out of range.
    pub fn model(&self, route: usize) -> &ResolvedModel {
        &self.whisper[self.routes[route].whisper].1
    }

    /// The settings of a route. Panics on a route index out of range.
    pub fn settings(&self, route: usize) -> &StageSettings {
        &self.routes[route].settings
    }

    /// The VAD in use on a route: `silero` or `energy`.
    pub fn vad_backend(&self, route: usize) -> &'static str {
        backend_name(&self.routes[route].vad)
    }

    /// The most whisper.cpp threads any route runs per worker.
    pub fn max_asr_threads(&self) -> usize {
        self.routes
            .iter()
            .map(|r| r.settings.asr.threads)
            .max()
            .unwrap_or(1)
            .max(1)
    }
}

/// One worker's per-call state: a Whisper state per route, made on first use.
pub struct SpeechWorker<'e> {
    engines: &'e SpeechEngines,
    /// One Whisper state per model (not per route: routes on one model share it, each call
    /// setting its route's settings), made on first use. Per route, a worker that met all four
    /// shipped pipelines held four states of the same model, and peak memory grew with how many
    /// (worker, pipeline) pairs a batch happened to meet.
    states: Vec<Option<Transcriber>>,
}

impl<'e> SpeechWorker<'e> {
    /// A worker with no Whisper state yet.
    pub fn new(engines: &'e SpeechEngines) -> SpeechWorker<'e> {
        SpeechWorker {
            engines,
            states: (0..engines.whisper.len()).map(|_| None).collect(),
        }
    }

    /// The models this worker runs.
    pub fn engines(&self) -> &'e SpeechEngines {
        self.engines
    }

    /// Decode one recording and transcribe it with a route's settings. Panics on a route index
    /// out of range.
    pub fn transcribe_file(
        &mut self,
        route: usize,
        path: &Path,
    ) -> Result<Transcribed, SpeechError> {
        let engines = self.engines;
        let r = &engines.routes[route];
        let t = Instant::now();
        let decoded = callqa_audio::decode_16k_with(
            path,
            &callqa_audio::DecodeOptions::default(),
            &r.settings.audio,
        )?;
        let mut timing = SpeechTiming {
            audio_s: decoded.channels.first().map_or(0, Vec::len) as f64 / 16_000.0,
            decode_s: t.elapsed().as_secs_f64(),
            ..SpeechTiming::default()
        };
        let state_err = |source| SpeechError::State {
            path: path.to_path_buf(),
            source,
        };
        let worker = match &mut self.states[r.whisper] {
            Some(w) => {
                w.set_config(r.settings.asr.clone()).map_err(state_err)?;
                w
            }
            slot @ None => {
                let (model, _, _) = &engines.whisper[r.whisper];
                let state = Transcriber::new(model, r.settings.asr.clone()).map_err(state_err)?;
                slot.insert(state)
            }
        };
        let asr_err = |source| SpeechError::Asr {
            path: path.to_path_buf(),
            source,
        };
        let mono = is_mono(&r.settings.layout, decoded.channels.len());
        let (transcript, diarized) = if mono {
            let out =
                engines
                    .diarizer
                    .transcribe_mono(worker, r, &decoded.channels, path, &mut timing);
            out.map_err(asr_err)?
        } else {
            let t = Instant::now();
            let tr = worker
                .transcribe_call(&r.vad, &decoded.channels, &r.settings.layout)
                .map_err(asr_err)?;
            timing.asr_s = t.elapsed().as_secs_f64();
            (tr, false)
        };
        Ok(Transcribed {
            info: decoded.info,
            transcript,
            mono,
            diarized,
            timing,
        })
    }
}

fn backend_name(vad: &Vad) -> &'static str {
    match vad.backend() {
        callqa_vad::BackendKind::Silero => "silero",
        callqa_vad::BackendKind::Energy => "energy",
    }
}

/// A recording goes the mono way when the layout says so or it has a single channel (one
/// channel cannot be split into parties by a channel map).
fn is_mono(layout: &ChannelLayout, channels: usize) -> bool {
    matches!(layout, ChannelLayout::Mono) || channels <= 1
}

/// Mono diarization: the one place it plugs into the path. Each distinct `[diarize]` config
/// loads its diarizer once (shared by the workers); a diarizer that cannot be loaded (no speaker
/// model) is kept as the reason, warned about once, at the first mono call that needed it.
#[derive(Default)]
struct MonoDiarizer {
    loaded: Vec<(DiarizeConfig, Result<Diarizer, String>)>,
    /// The "unavailable" warning was logged.
    warned: AtomicBool,
}

impl MonoDiarizer {
    /// The index of the diarizer for `config`, loading it on first sight.
    fn load(&mut self, config: &DiarizeConfig) -> usize {
        if let Some(i) = self.loaded.iter().position(|(c, _)| c == config) {
            return i;
        }
        let d = Diarizer::new(config).map_err(|e| e.to_string());
        self.loaded.push((config.clone(), d));
        self.loaded.len() - 1
    }

    /// Transcribe a mono call: VAD on the mix, the diarizer, then ASR with the diarization.
    /// Without a diarizer (disabled, model missing, or it failed on this call) the ASR stage
    /// guesses the roles from pitch and turn order, and `role_confidence` is capped at
    /// [`UNDIARIZED_ROLE_CONFIDENCE_MAX`]. Gives the transcript and whether it was diarized.
    fn transcribe_mono(
        &self,
        worker: &mut Transcriber,
        route: &SpeechRoute,
        channels: &[Vec<f32>],
        path: &Path,
        timing: &mut SpeechTiming,
    ) -> Result<(Transcript, bool), AsrError> {
        let (vad, name) = (&route.vad, &route.name);
        let mono = [callqa_asr::mix(channels)];
        let mut diarization = None;
        match route.diarizer.and_then(|i| self.loaded.get(i)) {
            Some((_, Ok(d))) => {
                let t = Instant::now();
                let regions = vad
                    .detect(&[&mono[0]])?
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                match d.diarize(&mono[0], &regions) {
                    Ok(found) => diarization = Some(found),
                    Err(e) => tracing::warn!(
                        pipeline = %name,
                        file = %path.display(),
                        error = %e,
                        "diarization failed; roles guessed from pitch and turn order, flagged for review"
                    ),
                }
                timing.diarize_s = t.elapsed().as_secs_f64();
            }
            Some((_, Err(why))) if !self.warned.swap(true, Ordering::SeqCst) => {
                tracing::warn!(
                    pipeline = %name,
                    reason = %why,
                    max_role_confidence = UNDIARIZED_ROLE_CONFIDENCE_MAX,
                    "mono recordings: no diarization; roles are guessed from pitch and turn \
                     order and flagged for review"
                );
            }
            Some((_, Err(_))) => {}
            None => {}
        }
        let t = Instant::now();
        let mut transcript =
            worker.transcribe_call_with(vad, &mono, &ChannelLayout::Mono, diarization.as_ref())?;
        timing.asr_s = t.elapsed().as_secs_f64();
        if let Some(d) = &diarization {
            tracing::debug!(
                file = %path.display(),
                voices = d.voices,
                turns = d.turns.len(),
                confidence = d.confidence,
                "diarized"
            );
        } else {
            transcript.role_confidence = transcript
                .role_confidence
                .min(UNDIARIZED_ROLE_CONFIDENCE_MAX);
        }
        Ok((transcript, diarization.is_some()))
    }
}

/// Overrides of a route's speech settings (the `callqa transcribe` flags); `None` keeps the
/// pipeline's (or the default) value.
#[derive(Debug, Clone, Default)]
pub struct SpeechOverrides {
    /// Whisper model: installed name or path to a ggml file.
    pub model: Option<String>,
    /// Language: `zh`, `en` (any Whisper code) or `auto`.
    pub language: Option<String>,
    /// whisper.cpp threads per worker.
    pub threads: Option<usize>,
    /// Whisper's initial prompt (domain vocabulary).
    pub prompt: Option<String>,
    /// Run the encoder on the full 30 s context even for short windows.
    pub full_audio_ctx: bool,
    /// Channel map: parties in channel order (`agent,customer`), or `mono`.
    pub channels: Option<String>,
}

/// A speech setting that does not make sense.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// The channel map does not parse.
    #[error("channel map {value:?}: {problem}")]
    Channels {
        /// What was given.
        value: String,
        /// Why it does not parse.
        problem: String,
    },
    /// An ASR setting is out of range (the message names the key).
    #[error(transparent)]
    Asr(#[from] AsrError),
    /// A VAD setting is out of range (the message names the key).
    #[error(transparent)]
    Vad(#[from] callqa_vad::VadError),
}

/// Parse a channel map: `mono`, or the parties in channel order (`agent,customer`,
/// `customer,agent`).
pub fn parse_channel_map(s: &str) -> Result<ChannelLayout, SettingError> {
    let problem = |problem: String| SettingError::Channels {
        value: s.to_string(),
        problem,
    };
    if s.trim().eq_ignore_ascii_case("mono") {
        return Ok(ChannelLayout::Mono);
    }
    let roles = s
        .split(',')
        .map(|p| p.trim().parse::<callqa_core::Speaker>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| problem(e.to_string()))?;
    if roles.is_empty() {
        return Err(problem("name at least one party".into()));
    }
    Ok(ChannelLayout::Roles(roles))
}

impl StageSettings {
    /// The settings when no pipeline is given: Whisper `base`, language `auto`, default VAD,
    /// `agent,customer`.
    pub fn defaults() -> StageSettings {
        StageSettings {
            model: "base".into(),
            model_options: callqa_asr::ModelOptions::default(),
            asr: callqa_asr::AsrConfig::default(),
            vad: callqa_vad::VadConfig::default(),
            layout: ChannelLayout::default(),
            diarize: Some(DiarizeConfig::default()),
            audio: callqa_audio::Limits::default(),
        }
    }

    /// Load the VAD these settings name and say which detector it is (`silero`, or `energy`
    /// where Silero cannot be loaded and the backend is `auto`), as `callqa check` reports it.
    pub fn vad_backend(&self) -> Result<&'static str, SettingError> {
        Ok(backend_name(&Vad::new(&self.vad)?))
    }

    /// These settings with `o` applied, validated.
    pub fn with_overrides(mut self, o: &SpeechOverrides) -> Result<StageSettings, SettingError> {
        if let Some(m) = &o.model {
            self.model = m.clone();
        }
        if let Some(l) = &o.language {
            self.asr.language = l.clone();
        }
        if let Some(t) = o.threads {
            self.asr.threads = t;
        }
        if let Some(p) = &o.prompt {
            self.asr.initial_prompt = Some(p.clone());
        }
        if o.full_audio_ctx {
            self.asr.reduce_audio_ctx = false;
        }
        if let Some(c) = &o.channels {
            self.layout = parse_channel_map(c)?;
        }
        self.asr.validate()?;
        self.vad.validate()?;
        Ok(self)
    }
}

/// How [`transcribe`] runs.
#[derive(Debug, Clone, Default)]
pub struct TranscribeOptions {
    /// Parallel workers, each with its own Whisper state; default: free cores / ASR threads.
    pub jobs: Option<usize>,
}

/// What a [`transcribe`] run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TranscribeSummary {
    /// Recordings given.
    pub files: usize,
    /// Recordings that failed.
    pub failed: usize,
    /// Audio transcribed, seconds.
    pub audio_s: f64,
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Workers used.
    pub jobs: usize,
}

/// Transcribe recordings with one route's settings on the runner's worker pool. `each(index,
/// path, result)` gets every recording's transcript or error in input order, each as soon as it
/// and those before it are done; a per-file error never stops the others. An error returned by
/// `each` (say, a closed stdout) stops the run and is returned.
pub fn transcribe<E>(
    engines: &SpeechEngines,
    route: usize,
    files: &[PathBuf],
    opts: &TranscribeOptions,
    mut each: impl FnMut(usize, &Path, Result<Transcribed, SpeechError>) -> Result<(), E>,
) -> Result<TranscribeSummary, E> {
    let started = Instant::now();
    let jobs = worker_count(opts.jobs, engines.max_asr_threads(), files.len());
    let mut summary = TranscribeSummary {
        files: files.len(),
        jobs,
        ..TranscribeSummary::default()
    };
    let mut order = InOrder::new();
    run_pool(
        jobs,
        files.len(),
        || SpeechWorker::new(engines),
        |worker, i| worker.transcribe_file(route, &files[i]),
        |i, res| {
            order.push(i, res, |i, res| {
                let path = &files[i];
                match &res {
                    Ok(t) => {
                        summary.audio_s += t.timing.audio_s;
                        tracing::info!(
                            file = %path.display(),
                            utterances = t.transcript.utterances.len(),
                            dropped = t.transcript.dropped_segments,
                            mono = t.mono,
                            diarized = t.diarized,
                            audio_s = t.timing.audio_s,
                            decode_s = t.timing.decode_s,
                            diarize_s = t.timing.diarize_s,
                            asr_s = t.timing.asr_s,
                            "transcribed"
                        );
                    }
                    Err(e) => {
                        summary.failed += 1;
                        tracing::debug!(file = %path.display(), stage = e.stage(), kind = %e.kind(), "transcription failed");
                    }
                }
                each(i, path, res)
            })
        },
    )?;
    summary.wall_s = started.elapsed().as_secs_f64();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use callqa_core::Speaker;

    #[test]
    fn single_channel_recordings_go_the_mono_way() {
        let stereo = ChannelLayout::Roles(vec![Speaker::Agent, Speaker::Customer]);
        assert!(is_mono(&stereo, 1));
        assert!(!is_mono(&stereo, 2));
        assert!(is_mono(&ChannelLayout::Mono, 2));
    }

    #[test]
    fn channel_maps_parse() {
        assert_eq!(
            parse_channel_map("customer, agent").ok(),
            Some(ChannelLayout::Roles(vec![
                Speaker::Customer,
                Speaker::Agent
            ]))
        );
        assert_eq!(parse_channel_map("MONO").ok(), Some(ChannelLayout::Mono));
        let e = parse_channel_map("agent,caller")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("agent,caller")));
    }

    #[test]
    fn overrides_apply_and_are_validated() {
        let o = SpeechOverrides {
            language: Some("en".into()),
            threads: Some(2),
            full_audio_ctx: true,
            channels: Some("mono".into()),
            ..SpeechOverrides::default()
        };
        let s = StageSettings::defaults().with_overrides(&o).ok();
        let s = s.as_ref();
        assert_eq!(s.map(|s| s.asr.language.as_str()), Some("en"));
        assert_eq!(s.map(|s| s.asr.threads), Some(2));
        assert_eq!(s.map(|s| s.asr.reduce_audio_ctx), Some(false));
        assert_eq!(s.map(|s| &s.layout), Some(&ChannelLayout::Mono));
        let bad = SpeechOverrides {
            language: Some("klingon".into()),
            ..SpeechOverrides::default()
        };
        assert!(StageSettings::defaults().with_overrides(&bad).is_err());
    }

    #[test]
    fn decode_errors_name_the_file_and_the_stage() {
        let e = match callqa_audio::decode_16k(
            Path::new("no/such/call.wav"),
            &callqa_audio::DecodeOptions::default(),
        ) {
            Err(e) => SpeechError::from(e),
            Ok(_) => panic!("a missing file decoded"),
        };
        assert_eq!(e.stage(), "decode");
        assert_eq!(e.kind(), "unreadable");
        assert!(e.to_string().contains("no/such/call.wav"), "{e}");
    }
}
