//! Pipeline configs (`pipelines/*.toml`): what to run on a call and which form to score it with.
//! Every key is documented here, next to the field that reads it.

use callqa_asr::{AsrConfig, BackchannelConfig, ChannelLayout};
use callqa_classify::ClassifierPaths;
use callqa_core::Speaker;
use callqa_diarize::DiarizeConfig;
use callqa_score::{Form, FormConfig};
use callqa_vad::VadConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A whole pipeline file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Identity of the pipeline.
    pub pipeline: PipelineSection,
    /// Speech recognition.
    #[serde(default)]
    pub asr: AsrSection,
    /// Which channel is which party.
    #[serde(default)]
    pub channels: ChannelsSection,
    /// Input limits: file size, duration, channel map (see [`AudioSection`]).
    #[serde(default)]
    pub audio: AudioSection,
    /// Voice activity detection (see `callqa_vad::VadConfig` for the keys); defaults when absent.
    #[serde(default)]
    pub vad: Option<toml::Value>,
    /// Speaker diarization of mono recordings (single-channel files, or `mono` channel maps):
    /// the `[diarize]` table takes `enabled` (default `true`) and the keys of
    /// `callqa_diarize::DiarizeConfig` (`model`: the speaker-encoder ONNX file, default
    /// `$CALLQA_HOME/models/speaker/ge2e.onnx`; `threads`, `window_ms`, `step_ms`,
    /// `one_voice_similarity`, `min_voice_share`, `min_speech_s`, `switch_penalty`, ...), all
    /// with defaults; absent means enabled with the defaults. Stereo recordings never use it.
    /// When it is disabled, or its model is missing (a warning, once), mono calls get roles from
    /// pitch and turn order with `role_confidence` at most 0.4, so they go to review; a missing
    /// model never fails a call.
    #[serde(default)]
    pub diarize: Option<toml::Value>,
    /// The classifier models.
    #[serde(default)]
    pub classifiers: ClassifiersSection,
    /// Call metadata when no manifest is given.
    #[serde(default)]
    pub metadata: MetadataSection,
    /// What personal data the run keeps (see [`PrivacySection`]).
    #[serde(default)]
    pub privacy: PrivacySection,
    /// The evaluation form.
    pub form: FormConfig,
}

/// `[pipeline]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSection {
    /// Pipeline name, written to the `pipeline` column.
    pub name: String,
    /// Version: bump it when the form or settings change; part of the key that decides whether a
    /// call was already scored.
    pub version: String,
    /// `zh`, `en` or `auto` (detected once per channel).
    pub language: String,
    /// `inbound` or `outbound`: the default direction of calls that the manifest does not name.
    #[serde(default = "default_direction")]
    pub direction: String,
}

fn default_direction() -> String {
    "inbound".into()
}

/// `[asr]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsrSection {
    /// Whisper model: an installed name (`base`, `tiny.en`; see `callqa models list`) or a path
    /// to any ggml Whisper file.
    #[serde(default = "default_model")]
    pub model: String,
    /// Domain vocabulary given to Whisper as its initial prompt (product names, not script lines).
    #[serde(default)]
    pub initial_prompt: String,
    /// Threads per Whisper state (keep workers × threads ≤ free cores).
    #[serde(default = "default_threads")]
    pub threads: usize,
    /// One party's words separated by a pause up to this long, with no sentence end between
    /// them, stay in one utterance; a longer pause starts a new one, ms (default 1000).
    #[serde(default)]
    pub join_pause_ms: Option<u32>,
    /// Stereo calls: speech on a channel at least this many dB quieter than the other channel
    /// at the same moment is the other party leaking across (line echo), not that party's
    /// speech; 0 turns the check off (default 15).
    #[serde(default)]
    pub crosstalk_db: Option<f32>,
    /// `[asr.backchannel]`: when a short acknowledgement inside the other party's turn is a
    /// back-channel (`enabled`, `max_ms` 1200, `max_words` 3, `max_chars` 4, `surround_ms` 400);
    /// keys left out keep their defaults.
    #[serde(default)]
    pub backchannel: Option<BackchannelConfig>,
    /// Beam size: 0 or 1 is greedy decoding (default, fastest); 2 to 16 is beam search, slower
    /// and more accurate (see the README's speed/accuracy table).
    #[serde(default)]
    pub beam_size: Option<u32>,
    /// Run the encoder on the full 30 s context whatever the window's length (default false:
    /// the context is shrunk to each window, several times faster on short windows).
    #[serde(default)]
    pub full_audio_ctx: Option<bool>,
    /// With the shrunk context, the encoder still sees at least this many seconds (default 0).
    #[serde(default)]
    pub min_audio_ctx_s: Option<f32>,
    /// whisper.cpp's flash-attention kernels (default false).
    #[serde(default)]
    pub flash_attn: Option<bool>,
    /// Longest window of packed speech per Whisper run, seconds, 1 to 30 (default 30).
    #[serde(default)]
    pub max_window_s: Option<f32>,
    /// Retry a window that fails Whisper's own checks at higher temperatures (default false).
    #[serde(default)]
    pub temperature_fallback: Option<bool>,
}

impl Default for AsrSection {
    fn default() -> Self {
        AsrSection {
            model: default_model(),
            initial_prompt: String::new(),
            threads: default_threads(),
            join_pause_ms: None,
            crosstalk_db: None,
            backchannel: None,
            beam_size: None,
            full_audio_ctx: None,
            min_audio_ctx_s: None,
            flash_attn: None,
            max_window_s: None,
            temperature_fallback: None,
        }
    }
}

fn default_model() -> String {
    "base".into()
}
fn default_threads() -> usize {
    1
}

/// `[channels]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsSection {
    /// In a stereo recording, the channel (0 = left) that carries the agent; the other carries
    /// the customer. Mono recordings have their roles inferred.
    #[serde(default)]
    pub agent_channel: usize,
}

/// `[audio]`: what recordings a run accepts. A refused recording is an error row for that call
/// (`errors.stage = decode`, one line naming the file and the key), never a failed run. Sample
/// rates outside 8000..=192000 Hz are always refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioSection {
    /// `max_file_mb` (default 2048): larger files are refused before anything is decoded.
    #[serde(default = "default_max_file_mb")]
    pub max_file_mb: u64,
    /// `max_duration_s` (default 10800, 3 h): longer recordings are refused, from the header
    /// before decoding, or, for a stream that does not say its length, as soon as decoding
    /// passes the limit. A call is decoded whole at 16 kHz, 230 MB per channel-hour, so this
    /// bounds a worker's audio memory (3 h stereo: 1.4 GB).
    #[serde(default = "default_max_duration_s")]
    pub max_duration_s: f64,
    /// `channel_map` (default none): for recordings with more than two channels, the one or two
    /// source channels (0-based) to keep, in order, e.g. `[2, 3]`; `channels.agent_channel` then
    /// counts within the kept ones. Without it such recordings are refused. Mono and stereo
    /// recordings ignore it.
    #[serde(default)]
    pub channel_map: Option<Vec<usize>>,
}

impl Default for AudioSection {
    fn default() -> Self {
        AudioSection {
            max_file_mb: default_max_file_mb(),
            max_duration_s: default_max_duration_s(),
            channel_map: None,
        }
    }
}

fn default_max_file_mb() -> u64 {
    callqa_audio::DEFAULT_MAX_FILE_BYTES >> 20
}
fn default_max_duration_s() -> f64 {
    callqa_audio::DEFAULT_MAX_DURATION_S
}

impl AudioSection {
    /// Problems with the values, each starting with its key.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.max_file_mb == 0 || self.max_file_mb > 1 << 30 {
            out.push(format!(
                "audio.max_file_mb: {} is not between 1 and {}",
                self.max_file_mb,
                1u64 << 30
            ));
        }
        if !(self.max_duration_s.is_finite() && self.max_duration_s > 0.0) {
            out.push(format!(
                "audio.max_duration_s: {} is not a positive number of seconds",
                self.max_duration_s
            ));
        }
        if let Some(m) = &self.channel_map
            && (m.is_empty() || m.len() > 2 || (m.len() == 2 && m[0] == m[1]))
        {
            out.push(format!(
                "audio.channel_map: {m:?} must name one or two different channels, e.g. [0, 1]"
            ));
        }
        out
    }

    /// The limits `callqa_audio` applies.
    pub fn limits(&self) -> callqa_audio::Limits {
        callqa_audio::Limits {
            max_file_bytes: Some(self.max_file_mb.saturating_mul(1 << 20)),
            max_duration_s: Some(self.max_duration_s),
            channel_map: self.channel_map.clone(),
        }
    }
}

/// `[classifiers]`: model folders (each with `model.onnx` and `model.toml`), relative to `root`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifiersSection {
    /// Root folder of the models; empty means `$CALLQA_HOME/models`.
    #[serde(default)]
    pub root: String,
    /// The sentence encoder the heads read.
    #[serde(default = "default_encoder")]
    pub encoder: String,
    /// Courtesy head.
    #[serde(default = "default_courtesy")]
    pub courtesy: String,
    /// Script-step head.
    #[serde(default = "default_script_step")]
    pub script_step: String,
    /// Sentiment head.
    #[serde(default = "default_sentiment")]
    pub sentiment: String,
    /// Intra-op threads per ONNX session.
    #[serde(default = "default_threads")]
    pub threads: usize,
}

impl Default for ClassifiersSection {
    fn default() -> Self {
        ClassifiersSection {
            root: String::new(),
            encoder: default_encoder(),
            courtesy: default_courtesy(),
            script_step: default_script_step(),
            sentiment: default_sentiment(),
            threads: default_threads(),
        }
    }
}

fn default_encoder() -> String {
    "encoder/e5-small".into()
}
fn default_courtesy() -> String {
    "classifiers/courtesy".into()
}
fn default_script_step() -> String {
    "classifiers/script_step".into()
}
fn default_sentiment() -> String {
    "classifiers/sentiment".into()
}

/// `[metadata]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSection {
    /// Regex over the file stem with named groups `call_id`, `agent_id`, `team`, `direction`,
    /// `started_at` (or `date`), used when no manifest names the call. Example:
    /// `^(?P<agent_id>A\d+)_(?P<started_at>\d{8}T\d{6})`.
    #[serde(default)]
    pub filename_pattern: Option<String>,
    /// strftime format of the `started_at` (or `date`) group of `filename_pattern`, tried before
    /// the common layouts (ISO 8601 with `:` or `-` in the time, `YYYYMMDD_HHMMSS`,
    /// `YYYYMMDDHHMMSS`, dates alone, Unix epoch seconds or milliseconds). Example for AWS
    /// PCA-style names (`..._DT_2025-02-19T06-01-22_...`): `%Y-%m-%dT%H-%M-%S`. A call whose start
    /// time cannot be read is dated by its file and counted as `undated` in the run summary.
    #[serde(default)]
    pub started_at_format: Option<String>,
}

/// `[privacy]`: what personal data a run stores. Personal data is found by `callqa-text`
/// (names, phone/ID/card/account numbers, addresses, e-mail, dates of birth, in Mandarin and
/// English) and replaced by typed tags in `utterances.text_redacted`; the spans are kept in
/// `utterances.pii_spans`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySection {
    /// `store_raw_text` (default `false`): keep the recognised text in `utterances.text`. When
    /// false, `text` holds the redacted text (the same as `text_redacted`), so no table holds the
    /// personal data found; the classifiers still read the raw text in memory during the run.
    /// `callqa rescore` then classifies the stored, redacted text and keeps the stored spans.
    #[serde(default)]
    pub store_raw_text: bool,
    /// `redact_audio` (default `false`): write a redacted copy of each recording to
    /// `<out>/redacted_audio/<call_id>.wav` (16 kHz 16-bit PCM, every channel, a 1 kHz tone over
    /// every `pii_spans` span) and record its path in `calls.redacted_audio_uri`. A copy that
    /// cannot be written is a warning, and the column stays null.
    #[serde(default)]
    pub redact_audio: bool,
}

/// A pipeline file that does not load or validate. Display: `file: key: problem`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// TOML syntax or an unknown / mistyped key.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said (it names the key and line).
        message: String,
    },
    /// Values that parse but do not make sense.
    #[error("{path}: {}", .problems.join("; "))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Each problem, starting with its key.
        problems: Vec<String>,
    },
}

/// The settings of the audio, VAD and ASR stages that a pipeline implies.
#[derive(Debug, Clone)]
pub struct StageSettings {
    /// Whisper model: installed name or path.
    pub model: String,
    /// How the Whisper file is loaded.
    pub model_options: callqa_asr::ModelOptions,
    /// ASR settings.
    pub asr: AsrConfig,
    /// VAD settings.
    pub vad: VadConfig,
    /// Which channel is which party.
    pub layout: ChannelLayout,
    /// Mono diarization settings; `None` when the `[diarize]` table disables it.
    pub diarize: Option<DiarizeConfig>,
    /// Input limits (the `[audio]` table).
    pub audio: callqa_audio::Limits,
}

/// A loaded, validated pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Where it was read from.
    pub path: PathBuf,
    /// The raw config.
    pub config: PipelineConfig,
    /// The validated form.
    pub form: Form,
    /// Compiled file-name pattern.
    pub filename_pattern: Option<regex::Regex>,
}

/// The languages a pipeline may name.
pub const LANGUAGES: [&str; 3] = ["zh", "en", "auto"];

impl Pipeline {
    /// Read and validate a pipeline file: every problem is reported with its key. Model files are
    /// not touched here (see `check`).
    pub fn load(path: &Path) -> Result<Pipeline, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        Self::from_toml(path, &text)
    }

    /// As [`Pipeline::load`], from text already read.
    pub fn from_toml(path: &Path, text: &str) -> Result<Pipeline, ConfigError> {
        let config: PipelineConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let mut problems = Vec::new();
        let p = &config.pipeline;
        if p.name.trim().is_empty() {
            problems.push("pipeline.name: must not be empty".to_string());
        }
        if p.version.trim().is_empty() {
            problems.push("pipeline.version: must not be empty".to_string());
        }
        if !LANGUAGES.contains(&p.language.as_str()) {
            problems.push(format!(
                "pipeline.language: {:?} is not one of {}",
                p.language,
                LANGUAGES.join(", ")
            ));
        }
        if !["inbound", "outbound"].contains(&p.direction.as_str()) {
            problems.push(format!(
                "pipeline.direction: {:?} is not inbound or outbound",
                p.direction
            ));
        }
        if config.asr.model.trim().is_empty() {
            problems.push("asr.model: must name a model or a file".to_string());
        }
        if config.asr.threads == 0 {
            problems.push("asr.threads: must be at least 1".to_string());
        }
        if config.channels.agent_channel > 1 {
            problems.push(format!(
                "channels.agent_channel: {} is not 0 or 1",
                config.channels.agent_channel
            ));
        }
        problems.extend(config.audio.problems());
        let filename_pattern = match &config.metadata.filename_pattern {
            Some(p) => match regex::Regex::new(p) {
                Ok(re) => Some(re),
                Err(e) => {
                    problems.push(format!("metadata.filename_pattern: not a valid regex: {e}"));
                    None
                }
            },
            None => None,
        };
        if let Some(f) = &config.metadata.started_at_format
            && let Err(e) = crate::dates::check_format(f)
        {
            problems.push(format!("metadata.started_at_format: {e}"));
        }
        let form = match Form::validate(
            config.form.clone(),
            &callqa_core::SCRIPT_STEP_LABELS,
            &callqa_core::SENTIMENT_LABELS,
        ) {
            Ok(f) => Some(f),
            Err(errors) => {
                problems.extend(errors.iter().map(|e| e.to_string()));
                None
            }
        };
        match form {
            Some(form) if problems.is_empty() => Ok(Pipeline {
                path: path.into(),
                config,
                form,
                filename_pattern,
            }),
            _ => Err(ConfigError::Invalid {
                path: path.into(),
                problems,
            }),
        }
    }

    /// What the audio, VAD and ASR stages need from this pipeline: the Whisper model name,
    /// [`AsrConfig`] (language, threads, prompt, turn joining, cross-talk, back-channels), [`VadConfig`] (the `[vad]` table) and the
    /// channel map. Errors name the file and the table.
    pub fn stage_settings(&self) -> Result<StageSettings, ConfigError> {
        let c = &self.config;
        let invalid = |problem: String| ConfigError::Invalid {
            path: self.path.clone(),
            problems: vec![problem],
        };
        let mut asr = AsrConfig {
            language: c.pipeline.language.clone(),
            threads: c.asr.threads,
            ..AsrConfig::default()
        };
        if !c.asr.initial_prompt.trim().is_empty() {
            asr.initial_prompt = Some(c.asr.initial_prompt.clone());
        }
        if let Some(ms) = c.asr.join_pause_ms {
            asr.join_pause_ms = ms;
        }
        if let Some(db) = c.asr.crosstalk_db {
            asr.crosstalk_db = db;
        }
        if let Some(b) = &c.asr.backchannel {
            asr.backchannel = b.clone();
        }
        if let Some(b) = c.asr.beam_size {
            asr.beam_size = b;
        }
        if let Some(full) = c.asr.full_audio_ctx {
            asr.reduce_audio_ctx = !full;
        }
        if let Some(s) = c.asr.min_audio_ctx_s {
            asr.min_audio_ctx_s = s;
        }
        if let Some(s) = c.asr.max_window_s {
            asr.max_window_s = s;
        }
        if let Some(t) = c.asr.temperature_fallback {
            asr.temperature_fallback = t;
        }
        let vad: VadConfig = match &c.vad {
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| invalid(format!("vad: {}", e.message())))?,
            None => VadConfig::default(),
        };
        asr.validate().map_err(|e| invalid(format!("asr: {e}")))?;
        vad.validate().map_err(|e| invalid(format!("vad: {e}")))?;
        let diarize = match &c.diarize {
            None => Some(DiarizeConfig::default()),
            Some(v) => {
                let mut v = v.clone();
                let enabled = match v.as_table_mut().and_then(|t| t.remove("enabled")) {
                    None => true,
                    Some(toml::Value::Boolean(b)) => b,
                    Some(other) => {
                        return Err(invalid(format!(
                            "diarize.enabled: expected true or false, found {other}"
                        )));
                    }
                };
                let d: DiarizeConfig = v
                    .try_into()
                    .map_err(|e: toml::de::Error| invalid(format!("diarize: {}", e.message())))?;
                d.validate().map_err(|e| invalid(format!("diarize: {e}")))?;
                enabled.then_some(d)
            }
        };
        let layout = if c.channels.agent_channel == 1 {
            ChannelLayout::Roles(vec![Speaker::Customer, Speaker::Agent])
        } else {
            ChannelLayout::default()
        };
        Ok(StageSettings {
            model: c.asr.model.clone(),
            model_options: callqa_asr::ModelOptions {
                flash_attn: c.asr.flash_attn.unwrap_or(false),
            },
            asr,
            vad,
            layout,
            diarize,
            audio: c.audio.limits(),
        })
    }

    /// The classifier folders this pipeline names, under [`Pipeline::models_root`].
    pub fn classifier_paths(&self) -> ClassifierPaths {
        let root = self.models_root();
        let c = &self.config.classifiers;
        let encoder = root.join(&c.encoder);
        ClassifierPaths {
            courtesy: root.join(&c.courtesy),
            script_step: root.join(&c.script_step),
            sentiment: root.join(&c.sentiment),
            // A head's `encoder = "e5-small"` is looked up beside the encoder folder named here.
            encoders: encoder
                .parent()
                .map_or_else(|| root.clone(), Path::to_path_buf),
        }
    }

    /// The models root: `[classifiers].root`, else `$CALLQA_HOME/models`.
    pub fn models_root(&self) -> PathBuf {
        if self.config.classifiers.root.is_empty() {
            callqa_home().join("models")
        } else {
            PathBuf::from(&self.config.classifiers.root)
        }
    }
}

/// The cache root (see [`callqa_core::callqa_home`]).
pub use callqa_core::callqa_home;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audio_table_sets_the_input_limits_and_bad_values_name_the_key() {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/inbound-en.toml"),
        )
        .unwrap_or_default();
        let limits = |extra: &str| {
            Pipeline::from_toml(Path::new("p.toml"), &format!("{src}\n{extra}"))
                .and_then(|p| p.stage_settings())
                .map(|s| s.audio)
        };
        assert_eq!(limits("").ok(), Some(callqa_audio::Limits::default()));
        let set = limits("[audio]\nmax_file_mb = 10\nmax_duration_s = 600\nchannel_map = [2, 3]\n");
        assert_eq!(
            set.ok(),
            Some(callqa_audio::Limits {
                max_file_bytes: Some(10 << 20),
                max_duration_s: Some(600.0),
                channel_map: Some(vec![2, 3]),
            })
        );
        for (bad, key) in [
            ("max_file_mb = 0", "audio.max_file_mb"),
            ("max_duration_s = -1", "audio.max_duration_s"),
            ("max_duration_s = nan", "audio.max_duration_s"),
            ("channel_map = [1, 1]", "audio.channel_map"),
            ("channel_map = []", "audio.channel_map"),
            ("channel_map = [0, 1, 2]", "audio.channel_map"),
            ("channel_map = [-1]", "channel_map"),
            ("max_seconds = 5", "max_seconds"),
        ] {
            let err = limits(&format!("[audio]\n{bad}\n"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.starts_with("p.toml: ") && err.contains(key),
                "{bad}: {err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
    }

    fn repo_pipelines() -> Vec<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines");
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn shipped_pipelines_validate_and_cover_every_canonical_item() {
        let files = repo_pipelines();
        assert!(
            files.len() >= 4,
            "expected the four default pipelines, found {files:?}"
        );
        for f in files {
            let p = Pipeline::load(&f).unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<&str> = p
                .form
                .items()
                .map(|(_, item, _)| item.id.as_str())
                .collect();
            for item in callqa_core::EVALUATION_ITEMS {
                assert!(ids.contains(&item), "{}: no item {item}", f.display());
            }
        }
    }

    #[test]
    fn the_diarize_table_is_optional_validated_and_can_disable_it() {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/inbound-en.toml"),
        )
        .unwrap_or_default();
        let settings = |extra: &str| {
            Pipeline::from_toml(Path::new("p.toml"), &format!("{src}\n{extra}"))
                .and_then(|p| p.stage_settings())
        };
        let default = settings("").map(|s| s.diarize);
        assert_eq!(default.ok(), Some(Some(DiarizeConfig::default())));
        let tuned = settings("[diarize]\nstep_ms = 200\n").map(|s| s.diarize);
        assert_eq!(tuned.ok().flatten().map(|d| d.step_ms), Some(200));
        let off = settings("[diarize]\nenabled = false\n").map(|s| s.diarize);
        assert_eq!(off.ok(), Some(None));
        for bad in [
            "[diarize]\nstep_ms = 0\n",
            "[diarize]\nstpe_ms = 200\n",
            "[diarize]\nenabled = 1\n",
        ] {
            let err = settings(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with("p.toml: diarize"), "{bad}: {err}");
        }
    }

    /// The stage settings of a shipped pipeline with `keys` added at the top of its `[asr]`
    /// table, read as `p.toml`.
    fn shipped_with_asr(pipeline: &str, keys: &str) -> Result<StageSettings, ConfigError> {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../pipelines/{pipeline}.toml")),
        )
        .unwrap_or_default();
        let text = src.replacen("[asr]\n", &format!("[asr]\n{keys}"), 1);
        Pipeline::from_toml(Path::new("p.toml"), &text).and_then(|p| p.stage_settings())
    }

    #[test]
    fn asr_turn_crosstalk_and_backchannel_keys_reach_the_asr_config() {
        let with_asr = |keys: &str| shipped_with_asr("inbound-en", keys);
        let default = with_asr("").map(|s| s.asr);
        let default = default.as_ref().ok();
        assert_eq!(default.map(|a| a.join_pause_ms), Some(1_000));
        assert_eq!(default.map(|a| a.crosstalk_db), Some(15.0));
        let tuned =
            with_asr("join_pause_ms = 600\ncrosstalk_db = 0\nbackchannel = { max_ms = 900 }\n")
                .map(|s| s.asr);
        let tuned = tuned.as_ref().ok();
        assert_eq!(tuned.map(|a| a.join_pause_ms), Some(600));
        assert_eq!(tuned.map(|a| a.crosstalk_db), Some(0.0));
        assert_eq!(tuned.map(|a| a.backchannel.max_ms), Some(900));
        // Keys left out of the back-channel table keep their defaults.
        assert_eq!(tuned.map(|a| a.backchannel.max_words), Some(3));
        for bad in [
            "crosstalk_db = -3\n",
            "join_pause_ms = 60000\n",
            "backchannel = { max_ms = 0 }\n",
            "backchannel = { max_mss = 900 }\n",
        ] {
            let err = with_asr(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with("p.toml: "), "{bad}: {err}");
            assert!(
                err.contains("backchannel") || err.contains("asr"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn asr_speed_keys_reach_the_asr_config_and_bad_values_name_the_key() {
        let with_asr = |keys: &str| shipped_with_asr("inbound-zh", keys);
        let default = with_asr("").ok();
        let default = default.as_ref();
        assert_eq!(default.map(|s| s.asr.beam_size), Some(0));
        assert_eq!(default.map(|s| s.asr.reduce_audio_ctx), Some(true));
        assert_eq!(default.map(|s| s.model_options.flash_attn), Some(false));
        let tuned = with_asr(
            "beam_size = 5\nfull_audio_ctx = true\nmin_audio_ctx_s = 8\nflash_attn = true\n\
             max_window_s = 20\ntemperature_fallback = true\n",
        )
        .ok();
        let tuned = tuned.as_ref();
        assert_eq!(tuned.map(|s| s.asr.beam_size), Some(5));
        assert_eq!(tuned.map(|s| s.asr.reduce_audio_ctx), Some(false));
        assert_eq!(tuned.map(|s| s.asr.min_audio_ctx_s), Some(8.0));
        assert_eq!(tuned.map(|s| s.asr.max_window_s), Some(20.0));
        assert_eq!(tuned.map(|s| s.asr.temperature_fallback), Some(true));
        assert_eq!(tuned.map(|s| s.model_options.flash_attn), Some(true));
        for (bad, key) in [
            ("beam_size = 40\n", "beam_size"),
            ("min_audio_ctx_s = 31\n", "min_audio_ctx_s"),
            ("max_window_s = 0.5\n", "max_window_s"),
        ] {
            let err = with_asr(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.starts_with("p.toml: ") && err.contains(key),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/inbound-zh.toml"),
        )
        .unwrap_or_default();
        let bad = src
            .replace("language = \"zh\"", "language = \"fr\"")
            .replace("script_step:greeting", "script_step:hello");
        let err = Pipeline::from_toml(Path::new("bad.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.toml: "), "{err}");
        assert!(err.contains("pipeline.language"), "{err}");
        assert!(err.contains("form.sections[0].items[0].detector"), "{err}");
        let typo = src.replace("[asr]\n", "[asr]\nmodle = \"x\"\n");
        let err = Pipeline::from_toml(Path::new("typo.toml"), &typo)
            .unwrap_err()
            .to_string();
        assert!(err.contains("modle"), "{err}");
    }

    #[test]
    fn started_at_format_is_read_and_checked() {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/inbound-zh.toml"),
        )
        .unwrap_or_default();
        let with = |format: &str| {
            let text = format!(
                "{src}\n[metadata]\nfilename_pattern = '_DT_(?P<started_at>[0-9T-]+)_'\nstarted_at_format = \"{format}\"\n"
            );
            Pipeline::from_toml(Path::new("p.toml"), &text)
        };
        let ok = with("%Y-%m-%dT%H-%M-%S").ok();
        assert_eq!(
            ok.as_ref()
                .and_then(|p| p.config.metadata.started_at_format.as_deref()),
            Some("%Y-%m-%dT%H-%M-%S")
        );
        for bad in ["%H-%M-%S", "%Y-%m-%Q"] {
            let err = with(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                err.starts_with("p.toml: ") && err.contains("metadata.started_at_format"),
                "{bad}: {err}"
            );
        }
    }
}
