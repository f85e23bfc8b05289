//! Data types shared by every callqa stage.
//!
//! The stages pass these along one way: the ASR stage produces a [`Transcript`] (utterances plus
//! per-party speech activity), the scoring stage annotates utterances, the store writes them. This
//! crate is also the one source of truth for the label and item-id lists: code, docs and tests read
//! them from here.
//!
//! ```
//! use callqa_core::{Speaker, Utterance};
//! let u = Utterance::new(0, Speaker::Agent, 1_200, 3_400, "您好，欢迎致电");
//! assert_eq!(u.duration_ms(), 2_200);
//! assert_eq!(Speaker::Agent.as_str(), "agent");
//! ```

#![deny(missing_docs)]

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Canonical evaluation item ids of the default forms. Reports, tests and dashboards key on them.
pub const EVALUATION_ITEMS: [&str; 11] = [
    "greeting",
    "self_intro",
    "identity_check",
    "empathy",
    "hold_etiquette",
    "summary",
    "anything_else",
    "farewell",
    "courtesy",
    "dead_air",
    "interruptions",
];

/// Labels of the `script_step` classifier.
pub const SCRIPT_STEP_LABELS: [&str; 12] = [
    "greeting",
    "self_intro",
    "identity_check",
    "need_probe",
    "solution",
    "hold_request",
    "hold_return",
    "empathy",
    "summary",
    "anything_else",
    "farewell",
    "other",
];

/// Labels of the `courtesy` classifier.
pub const COURTESY_LABELS: [&str; 3] = ["polite", "neutral", "impolite"];

/// Labels of the `sentiment` classifier.
pub const SENTIMENT_LABELS: [&str; 3] = ["negative", "neutral", "positive"];

/// Why a scored call needs a human review: the values of `call_scores.review_reasons`. Reports,
/// tests and dashboards key on these names; [`ReviewReason::ALL`] lists them and
/// [`ReviewReason::doc`] says what each means (the store's schema doc is generated from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// An agent utterance is impolite with a probability between the courtesy item's
    /// `review_min_score` and its auto-fail `min_score`: too weak to fail the call on.
    CourtesyLowConfidence,
    /// The roles were inferred from a mono recording and `role_confidence` is below the form's
    /// `min_role_confidence` (or the deciding speaker is `unknown`): who said what is uncertain.
    RolesUncertain,
    /// The evidence of a failed item (or of an impolite line that would auto-fail the call) is an
    /// utterance whose Whisper `avg_logprob` is below the form's `min_asr_avg_logprob`: the text
    /// may be garbled.
    AsrLowConfidence,
}

impl ReviewReason {
    /// Every reason, in the order they are reported.
    pub const ALL: [ReviewReason; 3] = [
        ReviewReason::CourtesyLowConfidence,
        ReviewReason::RolesUncertain,
        ReviewReason::AsrLowConfidence,
    ];

    /// The name written to tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::CourtesyLowConfidence => "courtesy_low_confidence",
            ReviewReason::RolesUncertain => "roles_uncertain",
            ReviewReason::AsrLowConfidence => "asr_low_confidence",
        }
    }

    /// One line on what the reason means.
    pub fn doc(self) -> &'static str {
        match self {
            ReviewReason::CourtesyLowConfidence => {
                "An agent utterance looks impolite, but with p(impolite) below the courtesy item's auto-fail `min_score` (and at least its `review_min_score`)."
            }
            ReviewReason::RolesUncertain => {
                "Roles were inferred from a mono recording with `role_confidence` below the form's `min_role_confidence`, or the deciding utterance's speaker is `unknown`."
            }
            ReviewReason::AsrLowConfidence => {
                "A failed item's evidence (or an impolite line that would have auto-failed the call) is an utterance with Whisper `avg_logprob` below the form's `min_asr_avg_logprob`."
            }
        }
    }
}

impl fmt::Display for ReviewReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReviewReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| format!("unknown review reason {s:?}"))
    }
}

/// A time on the call's timeline as `mm:ss.s` (minutes, seconds to a tenth), rounded to the
/// nearest tenth first so the seconds never read 60: 59 960 ms is `01:00.0`, not `00:60.0`.
/// Minutes go past 59 for calls over an hour (`61:05.0`). Evidence texts, transcripts and reports
/// print times with this one function.
///
/// ```
/// assert_eq!(callqa_core::fmt_clock(119_960), "02:00.0");
/// assert_eq!(callqa_core::fmt_clock(75_340), "01:15.3");
/// ```
pub fn fmt_clock(ms: u64) -> String {
    let tenths = ms.saturating_add(50) / 100;
    let (min, rest) = (tenths / 600, tenths % 600);
    format!("{:02}:{:02}.{}", min, rest / 10, rest % 10)
}

/// Who is speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    /// The call-centre agent.
    Agent,
    /// The caller (inbound) or the called party (outbound).
    Customer,
    /// Not known: a mono recording whose roles could not be told apart, or a single-voice clip.
    Unknown,
}

impl Speaker {
    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Agent => "agent",
            Speaker::Customer => "customer",
            Speaker::Unknown => "unknown",
        }
    }

    /// The other party, where there is one.
    pub fn other(self) -> Speaker {
        match self {
            Speaker::Agent => Speaker::Customer,
            Speaker::Customer => Speaker::Agent,
            Speaker::Unknown => Speaker::Unknown,
        }
    }
}

impl fmt::Display for Speaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A speaker name that is not `agent`, `customer` or `unknown`.
#[derive(Debug, thiserror::Error)]
#[error("unknown speaker {0:?}: expected agent, customer or unknown")]
pub struct ParseSpeakerError(pub String);

impl FromStr for Speaker {
    type Err = ParseSpeakerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agent" => Ok(Speaker::Agent),
            "customer" => Ok(Speaker::Customer),
            "unknown" => Ok(Speaker::Unknown),
            _ => Err(ParseSpeakerError(s.to_string())),
        }
    }
}

/// One stretch of speech by one party: what the ASR stage outputs and every later stage reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    /// Position in the turn-ordered transcript, from 0.
    pub idx: u32,
    /// Who said it.
    pub speaker: Speaker,
    /// Start on the call's timeline, milliseconds from the start of the recording.
    pub start_ms: u64,
    /// End on the call's timeline, milliseconds.
    pub end_ms: u64,
    /// The recognised (normalised) text.
    pub text: String,
    /// Whisper's average token log-probability, where the text came from ASR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_logprob: Option<f32>,
    /// Whisper's no-speech probability for the window, where the text came from ASR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_speech_prob: Option<f32>,
    /// A back-channel: a short acknowledgement (嗯, 对, 好的, uh-huh, okay, right) said inside the
    /// other party's turn. Kept in the transcript, but not a turn: the script-step and courtesy
    /// judgements skip it, and it is neither an interruption nor overtalk.
    #[serde(default)]
    pub backchannel: bool,
    /// When each word was said, where the ASR gave word times (not kept in the tables: a stored
    /// transcript has none). Lets later stages place a span of the text on the timeline (the
    /// audio under a phone number) instead of guessing from its share of the characters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<WordTime>,
}

/// One word of an utterance: its characters in [`Utterance::text`] and its time on the call's
/// timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordTime {
    /// First character (counted in chars, not bytes) of the word in the utterance's text.
    pub start_char: u32,
    /// One past its last character.
    pub end_char: u32,
    /// Start, milliseconds on the call's timeline.
    pub start_ms: u64,
    /// End, milliseconds.
    pub end_ms: u64,
}

impl Utterance {
    /// An utterance with no ASR confidence attached (ground truth, tests).
    pub fn new(idx: u32, speaker: Speaker, start_ms: u64, end_ms: u64, text: &str) -> Self {
        Utterance {
            idx,
            speaker,
            start_ms,
            end_ms,
            text: text.to_string(),
            avg_logprob: None,
            no_speech_prob: None,
            backchannel: false,
            words: Vec::new(),
        }
    }

    /// Length in milliseconds (0 for a malformed span whose end precedes its start).
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// A span of detected speech activity of one party (from VAD), used for the speech metrics:
/// silences, talk ratio, overtalk. Finer than utterances and present even where ASR dropped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeechSpan {
    /// Who was speaking.
    pub speaker: Speaker,
    /// Start, milliseconds from the start of the recording.
    pub start_ms: u64,
    /// End, milliseconds.
    pub end_ms: u64,
}

/// A stretch of a mono recording that diarization attributes to one voice. Voices are numbered
/// from 0 in order of first appearance; which voice is the agent is decided later, from what is
/// said (see `callqa-asr`'s role inference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceTurn {
    /// The voice (cluster) index, 0 or 1.
    pub voice: u8,
    /// Start, milliseconds from the start of the recording.
    pub start_ms: u64,
    /// End, milliseconds.
    pub end_ms: u64,
}

/// What speaker diarization of a mono recording gives: who speaks when, by voice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diarization {
    /// Distinct voices found: 0 (no speech), 1 (one voice) or 2.
    pub voices: u8,
    /// Single-voice stretches in time order, not overlapping.
    pub turns: Vec<VoiceTurn>,
    /// How clearly the voices separate, in [0, 1] (1: two well-separated clusters, or one voice
    /// with no doubt).
    pub confidence: f32,
}

impl Diarization {
    /// The voice speaking over most of `start_ms..end_ms`, if any turn overlaps it.
    pub fn voice_at(&self, start_ms: u64, end_ms: u64) -> Option<u8> {
        let mut overlap = [0u64; 2];
        for t in &self.turns {
            let o = t
                .end_ms
                .min(end_ms)
                .saturating_sub(t.start_ms.max(start_ms));
            if let Some(slot) = overlap.get_mut(t.voice as usize) {
                *slot += o;
            }
        }
        match overlap {
            [0, 0] => None,
            [a, b] => Some(if b > a { 1 } else { 0 }),
        }
    }
}

/// The transcript of one call: what the ASR stage hands to scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Language code the call was transcribed in (`zh`, `en`, ...).
    pub language: String,
    /// Length of the recording, milliseconds.
    pub duration_ms: u64,
    /// True when the roles were inferred from a mono recording rather than read off channels.
    pub roles_inferred: bool,
    /// Confidence of the role assignment in [0, 1]; 1 for stereo recordings with a channel map.
    pub role_confidence: f32,
    /// Turn-ordered utterances (by start time).
    pub utterances: Vec<Utterance>,
    /// Speech activity per party, sorted by start.
    pub activity: Vec<SpeechSpan>,
    /// Segments the ASR stage dropped as likely hallucinations (repetition, text on silence).
    #[serde(default)]
    pub dropped_segments: u32,
}

impl Transcript {
    /// Renumber utterances in start order (ties: agent first) so `idx` is the turn order.
    pub fn sort_turns(&mut self) {
        self.utterances.sort_by(|a, b| {
            (a.start_ms, a.speaker, a.end_ms).cmp(&(b.start_ms, b.speaker, b.end_ms))
        });
        for (i, u) in self.utterances.iter_mut().enumerate() {
            u.idx = i as u32;
        }
        self.activity.sort_by_key(|a| (a.start_ms, a.speaker));
    }
}

/// The home of callqa's caches: `$CALLQA_HOME`, else `$XDG_CACHE_HOME/callqa`, else
/// `~/.cache/callqa`.
pub fn callqa_home() -> std::path::PathBuf {
    use std::path::PathBuf;
    if let Some(home) = std::env::var_os("CALLQA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home);
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("callqa");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("callqa")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_round_trips_through_text_and_json() {
        for s in [Speaker::Agent, Speaker::Customer, Speaker::Unknown] {
            assert_eq!(s.as_str().parse::<Speaker>().ok(), Some(s));
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert!("caller".parse::<Speaker>().is_err());
    }

    #[test]
    fn sort_turns_orders_by_start_and_renumbers() {
        let mut t = Transcript {
            language: "zh".into(),
            duration_ms: 10_000,
            roles_inferred: false,
            role_confidence: 1.0,
            utterances: vec![
                Utterance::new(0, Speaker::Customer, 5_000, 6_000, "b"),
                Utterance::new(1, Speaker::Agent, 1_000, 2_000, "a"),
            ],
            activity: vec![],
            dropped_segments: 0,
        };
        t.sort_turns();
        assert_eq!(t.utterances[0].text, "a");
        assert_eq!(t.utterances[0].idx, 0);
        assert_eq!(t.utterances[1].idx, 1);
    }

    #[test]
    fn voice_at_picks_the_voice_covering_most_of_the_span() {
        let d = Diarization {
            voices: 2,
            turns: vec![
                VoiceTurn {
                    voice: 0,
                    start_ms: 0,
                    end_ms: 1_000,
                },
                VoiceTurn {
                    voice: 1,
                    start_ms: 1_000,
                    end_ms: 3_000,
                },
            ],
            confidence: 0.9,
        };
        assert_eq!(d.voice_at(800, 2_000), Some(1));
        assert_eq!(d.voice_at(0, 900), Some(0));
        assert_eq!(d.voice_at(5_000, 6_000), None);
    }

    #[test]
    fn clock_rounds_to_a_tenth_and_never_shows_sixty_seconds() {
        assert_eq!(fmt_clock(0), "00:00.0");
        assert_eq!(fmt_clock(49), "00:00.0");
        assert_eq!(fmt_clock(50), "00:00.1");
        assert_eq!(fmt_clock(59_940), "00:59.9");
        assert_eq!(fmt_clock(59_950), "01:00.0");
        assert_eq!(fmt_clock(59_960), "01:00.0");
        assert_eq!(fmt_clock(59_999), "01:00.0");
        assert_eq!(fmt_clock(60_000), "01:00.0");
        assert_eq!(fmt_clock(119_960), "02:00.0");
        assert_eq!(fmt_clock(3_599_960), "60:00.0");
        assert_eq!(fmt_clock(3_661_000), "61:01.0");
        assert!(fmt_clock(u64::MAX).len() > 7);
    }

    #[test]
    fn review_reasons_round_trip_through_their_names() {
        for r in ReviewReason::ALL {
            assert_eq!(r.as_str().parse::<ReviewReason>(), Ok(r));
            let json = serde_json::to_string(&r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert!(!r.doc().is_empty());
        }
        assert!("vibes".parse::<ReviewReason>().is_err());
    }

    #[test]
    fn label_lists_have_no_duplicates() {
        for list in [
            &EVALUATION_ITEMS[..],
            &SCRIPT_STEP_LABELS[..],
            &COURTESY_LABELS[..],
            &SENTIMENT_LABELS[..],
        ] {
            let mut v = list.to_vec();
            v.sort();
            v.dedup();
            assert_eq!(v.len(), list.len());
        }
    }
}
