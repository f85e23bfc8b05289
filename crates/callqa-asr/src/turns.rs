//! Words on the call timeline → utterances that are sentences and turns.
//!
//! Each party's words (a stereo channel, or a voice of a diarized mono call) are cut into
//! utterances:
//!
//! 1. after a word that ends a sentence (`。？！?!`, or a `.` that is not an abbreviation:
//!    [`crate::words::ends_sentence`]);
//! 2. where the party pauses longer than `join_pause_ms`;
//! 3. where another party takes a turn in the party's pause (a speaker change): it starts
//!    speaking in the pause and has stopped when the party resumes. Speaking on over the other
//!    party keeps one's own sentence whole.
//!
//! Cuts fall only between words, so no utterance ends inside a word. Then back-channels are
//! flagged ([`crate::backchannel`]), and a party's fragments that rule 3 cut apart only because
//! the other party said a back-channel ("I called on Monday [uh-huh] and nobody answered") are
//! joined again when no sentence end lies between them and the pause is at most `join_pause_ms`.
//! Times stay each party's own: overlapping speech keeps both parties' true starts and ends.

use crate::backchannel::{self, BackchannelConfig};
use crate::words::ends_sentence;

/// A word on the call timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Who said it: the channel (stereo) or the voice (diarized mono).
    pub party: usize,
    /// Start, ms on the call timeline.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// Text as Whisper gave it (English words keep their leading space).
    pub text: String,
    /// Log-probabilities of its tokens.
    pub logprobs: Vec<f32>,
    /// No-speech probability of the Whisper segment it came from.
    pub no_speech_prob: f32,
    /// The Whisper segment it came from (numbered per channel).
    pub segment: usize,
}

/// One utterance before roles are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The party (as in [`Word::party`]).
    pub party: usize,
    /// Start, ms.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// Text (Mandarin normalised: Simplified, Chinese punctuation; others trimmed).
    pub text: String,
    /// Mean log-probability over its tokens.
    pub avg_logprob: f32,
    /// Mean no-speech probability over its tokens.
    pub no_speech_prob: f32,
    /// A back-channel (see [`crate::backchannel`]).
    pub backchannel: bool,
    /// Indices of its words in the input.
    pub words: Vec<usize>,
    /// Where each word is in `text` and when it was said (empty when the text could not be
    /// aligned with its words).
    pub word_times: Vec<callqa_core::WordTime>,
}

/// How far before the end of a party's word another party may start and still count as starting
/// in the pause after it (token timestamps are coarse), ms.
const CHANGE_TOLERANCE_MS: u64 = 100;

/// Cut words into utterances (see the module doc). `activity` is speech without text that the
/// back-channel rule may see: `(party, start_ms, end_ms)`. `zh` selects the Mandarin text
/// clean-up. Each party's words must come in spoken order (as Whisper gave them). Output is
/// sorted by start.
pub fn build(
    words: &[Word],
    join_pause_ms: u64,
    activity: &[(usize, u64, u64)],
    bc: &BackchannelConfig,
    zh: bool,
) -> Vec<Draft> {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by_key(|&i| (words[i].start_ms, words[i].party, i));
    let mut parties: Vec<usize> = words.iter().map(|w| w.party).collect();
    parties.sort_unstable();
    parties.dedup();
    // Starts of every word, sorted, with their party: to find other parties starting in a pause.
    let starts: Vec<(u64, usize)> = order
        .iter()
        .map(|&i| (words[i].start_ms, words[i].party))
        .collect();
    // Another party took a turn in this party's pause from `from` to `to`: one of its words
    // starts in the pause and none is still going on when this party resumes (speaking on over
    // the other party keeps one's own turn whole; in a mono stream the voices alternate, so a
    // voice's words always lie between the other voice's).
    let turn_taken = |party: usize, from: u64, to: u64| {
        let lo = starts.partition_point(|s| s.0 < from);
        let starts_in_pause = starts[lo..]
            .iter()
            .take_while(|s| s.0 < to)
            .any(|s| s.1 != party);
        starts_in_pause
            && !order.iter().any(|&i| {
                let w = &words[i];
                w.party != party && w.start_ms < to && w.end_ms > to + CHANGE_TOLERANCE_MS
            })
    };

    // Pass 1: cut each party's words.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &p in &parties {
        // Spoken order: the input order of the party's words (Whisper's order), not their
        // (coarse) start times.
        let mine: Vec<usize> = (0..words.len()).filter(|&i| words[i].party == p).collect();
        let mut cur: Vec<usize> = Vec::new();
        for (k, &i) in mine.iter().enumerate() {
            cur.push(i);
            let Some(&j) = mine.get(k + 1) else { break };
            let (a, b) = (&words[i], &words[j]);
            let from = a
                .end_ms
                .saturating_sub(CHANGE_TOLERANCE_MS)
                .max(a.start_ms + 1);
            let cut = ends_sentence(&a.text)
                || b.start_ms.saturating_sub(a.end_ms) > join_pause_ms
                || turn_taken(p, from, b.start_ms.max(from));
            if cut {
                groups.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            groups.push(cur);
        }
    }
    let mut drafts: Vec<Draft> = groups
        .into_iter()
        .filter_map(|g| draft(words, g, zh))
        .collect();
    drafts.sort_by_key(|d| (d.start_ms, d.party, d.end_ms));
    flag_backchannels(&mut drafts, activity, bc);

    // Pass 3: join fragments cut apart only by the other party's back-channels.
    let mut changed = false;
    let mut out: Vec<Draft> = Vec::with_capacity(drafts.len());
    let mut consumed = vec![false; drafts.len()];
    for i in 0..drafts.len() {
        if consumed[i] {
            continue;
        }
        let mut cur = drafts[i].clone();
        loop {
            if cur.backchannel {
                break;
            }
            let last_word = cur
                .words
                .last()
                .map(|&w| words[w].text.as_str())
                .unwrap_or("");
            if ends_sentence(last_word) {
                break;
            }
            // The party's next utterance.
            let Some(n) = (i + 1..drafts.len()).find(|&n| {
                !consumed[n] && drafts[n].party == cur.party && drafts[n].start_ms >= cur.start_ms
            }) else {
                break;
            };
            let next = &drafts[n];
            if next.backchannel || next.start_ms.saturating_sub(cur.end_ms) > join_pause_ms {
                break;
            }
            let from = cur.end_ms.saturating_sub(CHANGE_TOLERANCE_MS);
            let only_backchannels = drafts.iter().all(|d| {
                d.party == cur.party
                    || d.backchannel
                    || !(d.start_ms >= from && d.start_ms < next.start_ms)
            });
            if !only_backchannels {
                break;
            }
            let mut ws = cur.words.clone();
            ws.extend_from_slice(&next.words);
            match draft(words, ws, zh) {
                Some(d) => cur = d,
                None => break,
            }
            consumed[n] = true;
            changed = true;
        }
        out.push(cur);
    }
    if changed {
        out.sort_by_key(|d| (d.start_ms, d.party, d.end_ms));
        flag_backchannels(&mut out, activity, bc);
    }
    out
}

fn flag_backchannels(drafts: &mut [Draft], activity: &[(usize, u64, u64)], bc: &BackchannelConfig) {
    let turns: Vec<backchannel::Turn<'_>> = drafts
        .iter()
        .map(|d| backchannel::Turn {
            party: d.party,
            start_ms: d.start_ms,
            end_ms: d.end_ms,
            text: &d.text,
        })
        .collect();
    let flags = backchannel::flag(&turns, activity, bc);
    for (d, f) in drafts.iter_mut().zip(flags) {
        d.backchannel = f;
    }
}

/// Assemble one utterance from word indices (in time order); `None` when it holds no letter or
/// digit.
fn draft(words: &[Word], idx: Vec<usize>, zh: bool) -> Option<Draft> {
    let first = *idx.first()?;
    let raw: String = idx.iter().map(|&i| words[i].text.as_str()).collect();
    let text = if zh {
        crate::filter::normalize_zh(&raw)
    } else {
        raw.trim().to_string()
    };
    if !text.chars().any(char::is_alphanumeric) {
        return None;
    }
    let word_times = align_words(words, &idx, &text);
    let start_ms = idx
        .iter()
        .map(|&i| words[i].start_ms)
        .min()
        .unwrap_or(words[first].start_ms);
    let end_ms = idx
        .iter()
        .map(|&i| words[i].end_ms)
        .max()
        .unwrap_or(start_ms)
        .max(start_ms + 1);
    let (mut lp, mut ns, mut n) = (0f32, 0f32, 0usize);
    for &i in &idx {
        let w = &words[i];
        lp += w.logprobs.iter().sum::<f32>();
        ns += w.no_speech_prob * w.logprobs.len() as f32;
        n += w.logprobs.len();
    }
    let n = n.max(1) as f32;
    Some(Draft {
        party: words[first].party,
        start_ms,
        end_ms,
        text,
        avg_logprob: lp / n,
        no_speech_prob: ns / n,
        backchannel: false,
        words: idx,
        word_times,
    })
}

/// Each word's characters in `text`, the words' joined text after normalisation (Mandarin:
/// Simplified characters and Chinese punctuation map one to one; spaces are dropped; both: the
/// ends trimmed). Walks the raw characters against the normalised ones, skipping raw spaces the
/// normalisation dropped; any other difference gives up (no word times, not wrong ones).
fn align_words(words: &[Word], idx: &[usize], text: &str) -> Vec<callqa_core::WordTime> {
    let norm: Vec<char> = text.chars().collect();
    let mut at = 0usize; // next character of `norm`
    let mut out = Vec::with_capacity(idx.len());
    for &i in idx {
        let w = &words[i];
        let start = at;
        for c in w.text.chars() {
            match norm.get(at) {
                Some(&n) if n == c || (c != ' ' && n != ' ') => at += 1,
                _ if c.is_whitespace() => {}
                _ => return Vec::new(),
            }
        }
        // A word's leading space belongs to the gap before it.
        let first = norm[start..at]
            .iter()
            .take_while(|c| c.is_whitespace())
            .count();
        out.push(callqa_core::WordTime {
            start_char: (start + first) as u32,
            end_char: at as u32,
            start_ms: w.start_ms,
            end_ms: w.end_ms.max(w.start_ms),
        });
    }
    if at == norm.len() { out } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of one party from "text@start-end" specs.
    fn ws(party: usize, spec: &[(&str, u64, u64)]) -> Vec<Word> {
        spec.iter()
            .map(|&(t, s, e)| Word {
                party,
                start_ms: s,
                end_ms: e,
                text: t.to_string(),
                logprobs: vec![-0.2],
                no_speech_prob: 0.1,
                segment: 0,
            })
            .collect()
    }

    /// Each word's text (by its char span in the utterance) and time.
    fn word_texts(d: &Draft) -> Vec<(String, u64, u64)> {
        let chars: Vec<char> = d.text.chars().collect();
        d.word_times
            .iter()
            .map(|w| {
                let t: String = chars[w.start_char as usize..w.end_char as usize]
                    .iter()
                    .collect();
                (t, w.start_ms, w.end_ms)
            })
            .collect()
    }

    #[test]
    fn word_times_follow_the_normalised_text() {
        // English: leading spaces trimmed, each word's own characters.
        let w = ws(
            0,
            &[
                (" My", 0, 200),
                (" number", 200, 600),
                (" is", 600, 700),
                (" 555.", 700, 1_500),
            ],
        );
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), false);
        assert_eq!(d[0].text, "My number is 555.");
        assert_eq!(
            word_texts(&d[0]),
            vec![
                ("My".into(), 0, 200),
                ("number".into(), 200, 600),
                ("is".into(), 600, 700),
                ("555.".into(), 700, 1_500)
            ]
        );
        // Mandarin: Traditional to Simplified, spaces dropped, punctuation made Chinese.
        let w = ws(
            0,
            &[
                (" 我的", 0, 400),
                ("電話", 400, 900),
                ("是", 900, 1_000),
                (" 138,", 1_000, 2_000),
                (" 好", 2_100, 2_300),
            ],
        );
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), true);
        assert_eq!(d[0].text, "我的电话是 138，好");
        assert_eq!(
            word_texts(&d[0]),
            vec![
                ("我的".into(), 0, 400),
                ("电话".into(), 400, 900),
                ("是".into(), 900, 1_000),
                ("138，".into(), 1_000, 2_000),
                ("好".into(), 2_100, 2_300)
            ]
        );
    }

    fn texts(d: &[Draft]) -> Vec<(usize, &str, bool)> {
        d.iter()
            .map(|d| (d.party, d.text.as_str(), d.backchannel))
            .collect()
    }

    #[test]
    fn sentences_are_cut_and_short_pauses_joined() {
        let w = ws(
            0,
            &[
                (" Hello,", 0, 300),
                (" thank", 350, 500),
                (" you.", 500, 700),
                (" My", 800, 900),
                (" name", 900, 1_000),
                // 900 ms pause inside the sentence: joined.
                (" is", 1_900, 2_000),
                (" Anna.", 2_000, 2_400),
                // 3 s pause without a sentence end: cut.
                (" So", 5_400, 5_600),
                (" anyway", 5_600, 6_000),
            ],
        );
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), false);
        assert_eq!(
            texts(&d),
            vec![
                (0, "Hello, thank you.", false),
                (0, "My name is Anna.", false),
                (0, "So anyway", false)
            ]
        );
        assert_eq!((d[1].start_ms, d[1].end_ms), (800, 2_400));
    }

    #[test]
    fn a_speaker_change_cuts_and_overlaps_keep_both_times() {
        let mut w = ws(
            1,
            &[
                (" I", 0, 200),
                ("'ve", 200, 400),
                (" waited", 400, 900),
                (" three", 900, 1_300),
                (" weeks", 1_300, 2_000),
                (" for", 2_000, 2_300),
                (" this", 2_300, 2_800),
            ],
        );
        // The agent starts talking while the customer is still speaking (at 1.5 s).
        w.extend(ws(
            0,
            &[
                (" I", 1_500, 1_600),
                (" understand,", 1_600, 2_200),
                (" sir.", 2_200, 2_600),
            ],
        ));
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), false);
        assert_eq!(
            texts(&d),
            vec![
                (1, "I've waited three weeks for this", false),
                (0, "I understand, sir.", false)
            ]
        );
        // Each party's own times: the agent's start is not moved to the customer's end.
        assert_eq!((d[1].start_ms, d[1].end_ms), (1_500, 2_600));
        assert_eq!((d[0].start_ms, d[0].end_ms), (0, 2_800));
    }

    #[test]
    fn mono_voice_changes_cut_without_a_pause() {
        let mut w = ws(
            0,
            &[
                (" Thanks", 0, 300),
                (" for", 300, 400),
                (" calling", 400, 800),
            ],
        );
        w.extend(ws(1, &[(" Hi", 800, 1_000), (" there", 1_000, 1_300)]));
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), false);
        assert_eq!(
            texts(&d),
            vec![(0, "Thanks for calling", false), (1, "Hi there", false)]
        );
    }

    #[test]
    fn a_backchannel_does_not_split_the_other_party_sentence() {
        let mut w = ws(
            1,
            &[
                (" I", 0, 200),
                (" called", 200, 700),
                (" on", 700, 900),
                (" Monday", 900, 1_400),
                // pause while the agent says "uh-huh"
                (" and", 1_900, 2_100),
                (" nobody", 2_100, 2_500),
                (" answered.", 2_500, 3_200),
            ],
        );
        w.extend(ws(0, &[(" Uh-huh.", 1_450, 1_800)]));
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), false);
        assert_eq!(
            texts(&d),
            vec![
                (1, "I called on Monday and nobody answered.", false),
                (0, "Uh-huh.", true)
            ]
        );
    }

    #[test]
    fn mandarin_words_join_without_spaces_and_normalise() {
        let w = ws(
            0,
            &[
                ("您", 0, 100),
                ("好,", 100, 200),
                ("工", 250, 300),
                ("號", 300, 400),
                ("一", 400, 500),
                ("。", 500, 510),
            ],
        );
        let d = build(&w, 1_000, &[], &BackchannelConfig::default(), true);
        assert_eq!(texts(&d), vec![(0, "您好，工号一。", false)]);
    }
}
