//! Speech that Whisper skipped in a packed window.
//!
//! On real (and mixed-to-mono) calls Whisper sometimes jumps over a stretch of a window: it
//! stops early or leaps ahead, and the token times of the words around the gap are smeared across
//! it (one Mandarin word "lasting" 15 s). The words are then on the wrong speaker's turn and the
//! skipped sentences are lost. Two repairs, both on the call timeline:
//!
//! 1. [`clamp_smeared`]: no word lasts longer than people speak it (`600 ms + 350 ms` per
//!    Chinese character or English word); a longer one keeps its start and loses the tail.
//! 2. [`missed_speech`]: the VAD speech of the window that no (clamped) word covers, in stretches
//!    of at least `min_ms`, is decoded again on its own by the caller.

use crate::turns::Word;

/// Longest plausible duration of one word as Whisper writes it, ms.
pub fn plausible_ms(text: &str) -> u64 {
    let cjk = text
        .chars()
        .filter(|c| matches!(*c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF))
        .count();
    let latin_words = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .filter(|w| !w.chars().any(|c| matches!(c as u32, 0x3400..=0x9FFF)))
        .count();
    600 + 350 * (cjk + latin_words).max(1) as u64
}

/// Cut words longer than [`plausible_ms`] back to that length; returns how many were cut.
pub fn clamp_smeared(words: &mut [Word]) -> usize {
    let mut cut = 0;
    for w in words.iter_mut() {
        let cap = w.start_ms + plausible_ms(&w.text);
        if w.end_ms > cap {
            w.end_ms = cap;
            cut += 1;
        }
    }
    cut
}

/// Stretches of `speech` (call-timeline spans, ms, sorted) that no word covers, each widened
/// words' span counting `margin_ms` either side, kept when at least `min_ms` long.
pub fn missed_speech(
    speech: &[(u64, u64)],
    words: &[Word],
    min_ms: u64,
    margin_ms: u64,
) -> Vec<(u64, u64)> {
    if min_ms == 0 {
        return Vec::new();
    }
    let mut covered: Vec<(u64, u64)> = words
        .iter()
        .map(|w| (w.start_ms.saturating_sub(margin_ms), w.end_ms + margin_ms))
        .collect();
    covered.sort_unstable();
    let mut out = Vec::new();
    for &(s, e) in speech {
        let mut cursor = s;
        for &(cs, ce) in &covered {
            if ce <= cursor || cs >= e {
                continue;
            }
            if cs > cursor && cs - cursor >= min_ms {
                out.push((cursor, cs));
            }
            cursor = cursor.max(ce);
            if cursor >= e {
                break;
            }
        }
        if cursor < e && e - cursor >= min_ms {
            out.push((cursor, e));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start_ms: u64, end_ms: u64) -> Word {
        Word {
            party: 0,
            start_ms,
            end_ms,
            text: text.into(),
            logprobs: vec![-0.1],
            no_speech_prob: 0.0,
            segment: 0,
        }
    }

    #[test]
    fn a_word_smeared_over_a_skipped_stretch_keeps_its_start_and_a_spoken_length() {
        let mut ws = vec![
            word("查到了", 21_400, 22_300),
            word("保果还在", 23_652, 39_122),
            word(" regular", 1_000, 1_400),
        ];
        assert_eq!(clamp_smeared(&mut ws), 1);
        assert_eq!(ws[1].end_ms, 23_652 + 600 + 4 * 350);
        assert_eq!(ws[0].end_ms, 22_300);
        assert_eq!(ws[2].end_ms, 1_400);
    }

    #[test]
    fn uncovered_speech_of_at_least_min_ms_is_found_and_short_gaps_are_not() {
        let ws = vec![word("a", 1_000, 2_000), word("b", 2_500, 3_000)];
        // Speech 0.5-10 s: 0.5-1.0 uncovered (too short), 3.0(+0.3)-10 uncovered.
        assert_eq!(
            missed_speech(&[(500, 10_000)], &ws, 2_000, 300),
            vec![(3_300, 10_000)]
        );
        // A second speech span with no words at all is missed whole.
        assert_eq!(
            missed_speech(&[(500, 3_000), (20_000, 23_000)], &ws, 2_000, 300),
            vec![(20_000, 23_000)]
        );
        assert!(missed_speech(&[(500, 10_000)], &ws, 0, 300).is_empty());
        assert!(missed_speech(&[(0, 1_900)], &[], 2_000, 300).is_empty());
    }
}
