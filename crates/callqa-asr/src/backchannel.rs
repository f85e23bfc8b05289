//! Back-channels: a short acknowledgement by one party ("嗯", "对", "好的", "uh-huh", "okay",
//! "right", "I see") said inside the other party's turn. The rule and its lexicon live here and
//! nowhere else:
//!
//! 1. **Words**: after dropping punctuation and case, the whole utterance is a run of lexicon
//!    entries ([`BACKCHANNELS_ZH`] for text with Chinese characters, [`BACKCHANNELS_EN`]
//!    otherwise) of at most `max_words` words (English) or `max_chars` characters (Chinese):
//!    "嗯嗯", "对对对", "好的", "uh-huh", "yeah, right", "oh I see".
//! 2. **Length**: at most `max_ms` long.
//! 3. **Inside the other's turn**: another party speaks before it (speech that overlaps its start,
//!    or ends at most `surround_ms` before it) and after it (speech that overlaps its end, or
//!    starts at most `surround_ms` after it).
//! 4. **Not an opening**: the same party does not go on with substantive speech right after it
//!    (within `surround_ms`): "Okay. So your card was..." takes the floor; "Okay." alone does not.
//!
//! A back-channel stays in the transcript (`Utterance::backchannel = true`) but is not a turn:
//! the script-step and courtesy judgements skip it, and the speech metrics count it neither as
//! an interruption nor as overtalk.

use serde::{Deserialize, Serialize};

/// English back-channel phrases (lowercase, no punctuation). An utterance is a back-channel
/// candidate when its words are a run of these.
pub const BACKCHANNELS_EN: &[&str] = &[
    "uh-huh",
    "uh huh",
    "uh",
    "huh",
    "mm-hmm",
    "mm hmm",
    "mhm",
    "mmhmm",
    "hmm",
    "mm",
    "hm",
    "um",
    "okay",
    "ok",
    "right",
    "yeah",
    "yes",
    "yep",
    "yup",
    "sure",
    "i see",
    "got it",
    "alright",
    "all right",
    "oh",
    "ah",
    "aha",
    "exactly",
    "true",
];

/// Mandarin back-channel words (Simplified). An utterance is a back-channel candidate when its
/// characters (punctuation dropped) are a run of these.
pub const BACKCHANNELS_ZH: &[&str] = &[
    "嗯", "恩", "对", "好", "好的", "是", "是的", "行", "哦", "噢", "喔", "啊", "嗯哼", "明白",
    "了解", "没错", "对的", "好吧", "可以", "知道",
];

/// When a short acknowledgement counts as a back-channel (the `[asr.backchannel]` table of a
/// pipeline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackchannelConfig {
    /// Flag back-channels at all.
    pub enabled: bool,
    /// Longest back-channel, ms.
    pub max_ms: u64,
    /// Most English words in a back-channel.
    pub max_words: usize,
    /// Most Chinese characters in a back-channel.
    pub max_chars: usize,
    /// The other party's speech may end this long before / start this long after it and still
    /// surround it, ms.
    pub surround_ms: u64,
}

impl Default for BackchannelConfig {
    fn default() -> Self {
        BackchannelConfig {
            enabled: true,
            max_ms: 1_200,
            max_words: 3,
            max_chars: 4,
            surround_ms: 400,
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Can `s` be split into lexicon entries? (Greedy longest-first with backtracking; inputs are a
/// few units long.)
fn is_run<T: PartialEq + Copy>(s: &[T], lexicon: &[Vec<T>]) -> bool {
    if s.is_empty() {
        return true;
    }
    lexicon
        .iter()
        .any(|e| !e.is_empty() && s.starts_with(e) && is_run(&s[e.len()..], lexicon))
}

/// True when `text` reads as an acknowledgement (rule 1 of the module doc): only lexicon words,
/// and short.
pub fn is_backchannel_text(text: &str, cfg: &BackchannelConfig) -> bool {
    let lower = fast2s::convert(&text.to_lowercase());
    if lower.chars().any(is_cjk) {
        let chars: Vec<char> = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        if chars.is_empty() || chars.len() > cfg.max_chars || !chars.iter().all(|c| is_cjk(*c)) {
            return false;
        }
        let lex: Vec<Vec<char>> = BACKCHANNELS_ZH
            .iter()
            .map(|w| w.chars().collect())
            .collect();
        return is_run(&chars, &lex);
    }
    // Words: letters, digits, apostrophes and inner hyphens; everything else separates.
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = cleaned
        .split_whitespace()
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > cfg.max_words {
        return false;
    }
    let lex: Vec<Vec<&str>> = BACKCHANNELS_EN
        .iter()
        .map(|p| p.split(' ').collect())
        .collect();
    is_run(&words, &lex)
}

/// One utterance as the back-channel rule sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn<'a> {
    /// Who said it (a channel or a voice; any id).
    pub party: usize,
    /// Start, ms.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// The text.
    pub text: &'a str,
}

/// Flag the back-channels among `turns` (any order): one bool per turn. `other_speech` adds
/// speech of any party that has no text (VAD activity: `(party, start_ms, end_ms)`); it counts
/// for rule 3 only.
pub fn flag(
    turns: &[Turn<'_>],
    other_speech: &[(usize, u64, u64)],
    cfg: &BackchannelConfig,
) -> Vec<bool> {
    if !cfg.enabled {
        return vec![false; turns.len()];
    }
    let candidate: Vec<bool> = turns
        .iter()
        .map(|t| {
            t.end_ms.saturating_sub(t.start_ms) <= cfg.max_ms && is_backchannel_text(t.text, cfg)
        })
        .collect();
    // Substantive speech of each party (candidates excluded: two parties trading "okay"s do not
    // surround each other) plus the textless activity.
    let speech: Vec<(usize, u64, u64)> = turns
        .iter()
        .zip(&candidate)
        .filter(|(_, c)| !**c)
        .map(|(t, _)| (t.party, t.start_ms, t.end_ms))
        .chain(other_speech.iter().copied())
        .collect();
    let sur = cfg.surround_ms;
    turns
        .iter()
        .zip(&candidate)
        .map(|(t, &cand)| {
            if !cand {
                return false;
            }
            let others = || speech.iter().filter(|s| s.0 != t.party);
            let before = others().any(|&(_, s, e)| s < t.start_ms && e + sur >= t.start_ms);
            let after = others().any(|&(_, s, e)| e > t.end_ms && s <= t.end_ms + sur);
            // Rule 4: the same party takes the floor right after it.
            let opens = turns.iter().zip(&candidate).any(|(u, &c)| {
                !c && u.party == t.party && u.start_ms >= t.end_ms && u.start_ms <= t.end_ms + sur
            });
            before && after && !opens
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BackchannelConfig {
        BackchannelConfig::default()
    }

    #[test]
    fn lexicon_words_are_acknowledgements_and_sentences_are_not() {
        for t in [
            "Okay.",
            "Uh-huh.",
            "Mm-hmm",
            "Yeah, right.",
            "Oh, I see.",
            "Right, right.",
            "嗯。",
            "嗯嗯",
            "对对对",
            "好的。",
            "是的",
            "行。",
            "嗯，好的",
        ] {
            assert!(is_backchannel_text(t, &cfg()), "{t}");
        }
        for t in [
            "Okay, let me check that for you.",
            "Right now it says forty dollars.",
            "I see it on my statement.",
            "Yes, yes, yes, yes.",
            "好的，我帮您查一下。",
            "对，是我。",
            "没有了。",
            "Hello?",
            "",
            "...",
        ] {
            assert!(!is_backchannel_text(t, &cfg()), "{t}");
        }
    }

    fn turn(party: usize, s: u64, e: u64, text: &str) -> Turn<'_> {
        Turn {
            party,
            start_ms: s,
            end_ms: e,
            text,
        }
    }

    #[test]
    fn an_acknowledgement_inside_the_other_turn_is_a_backchannel() {
        let turns = [
            turn(
                1,
                0,
                4_000,
                "I was charged twice for the same order last week",
            ),
            turn(0, 3_000, 3_500, "Uh-huh."), // overlapping the customer
            turn(1, 4_300, 8_000, "and nobody answered my emails about it."),
            turn(0, 6_000, 6_400, "Right."), // fully inside
            turn(0, 8_500, 11_000, "I'm sorry about that, let me look."),
        ];
        assert_eq!(
            flag(&turns, &[], &cfg()),
            vec![false, true, false, true, false]
        );
    }

    #[test]
    fn a_reply_or_an_opening_is_not_a_backchannel() {
        // "Okay." answering a question, then silence: the other party does not go on.
        let reply = [
            turn(0, 0, 2_000, "Can I put you on hold for a minute?"),
            turn(1, 2_300, 2_800, "Okay."),
        ];
        assert_eq!(flag(&reply, &[], &cfg()), vec![false, false]);
        // "Okay." that opens the party's own turn.
        let opening = [
            turn(1, 0, 3_000, "My card was declined at the shop."),
            turn(0, 3_200, 3_600, "Okay."),
            turn(0, 3_800, 6_000, "Let me check your card status."),
            turn(1, 4_000, 4_500, "Thanks."),
        ];
        assert!(!flag(&opening, &[], &cfg())[1]);
        // Too long to be a back-channel.
        let long = [
            turn(1, 0, 3_000, "so the bill went up"),
            turn(0, 1_000, 2_500, "Okay."),
            turn(1, 3_100, 5_000, "by forty dollars"),
        ];
        assert!(!flag(&long, &[], &cfg())[1]);
    }

    #[test]
    fn textless_activity_of_the_other_party_counts_as_speech() {
        let turns = [turn(0, 2_000, 2_300, "嗯。")];
        let act = [(1, 0, 5_000)];
        assert_eq!(flag(&turns, &act, &cfg()), vec![true]);
        let off = BackchannelConfig {
            enabled: false,
            ..cfg()
        };
        assert_eq!(flag(&turns, &act, &off), vec![false]);
    }
}
