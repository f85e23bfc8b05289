//! Where in an utterance the redactor found personal data, as text ranges and as times.
//!
//! [`utterance_redactions`] decides, per stored utterance, in this order:
//! 1. the `pii_spans` column (times placed by the text stage) when it holds spans;
//! 2. else, when `text` differs from `text_redacted` (stores written before `pii_spans`), the
//!    spans found by aligning the two ([`align`]), placed by character share of the utterance;
//! 3. else, when `text_redacted` still holds a tag (the raw text was not stored and no span is
//!    known), the whole utterance.
//!
//! Every span is widened by a margin on each side (within the utterance widened by it), then
//! stretched over the rest of the speaker's phrase ([`phrases`], [`extend_to_phrases`]) by at most
//! a set amount: ASR utterance times can end before the words do.
//!
//! The store keeps both the recognised text (`utterances.text`) and the redactor's copy
//! (`utterances.text_redacted`, spans replaced by tags such as `[PHONE]`, `[NUMBER]` or `[号码]`).
//! This module aligns the two to recover each replaced span: its characters in the original (for
//! the audio) and its tag in the redacted copy (to show `[REDACTED]` instead). A tag is `[`, one
//! to sixteen upper-case ASCII letters, `_` or CJK characters, `]`. The text between tags must
//! match the original exactly; where a replaced piece ends is chosen first so that the piece,
//! redacted on its own by [`callqa_text::redact`], is one tag (the redactor's rules), else as the
//! longest piece after which the texts agree (stored rows written by an older redactor). When
//! the two texts cannot be aligned at all the whole utterance counts as one span
//! ([`Redactions::whole`]), so an alignment failure hides more audio, never less.

use callqa_store::{ActivityRow, UtteranceRow};
use std::ops::Range;

/// The text shown for every redacted span.
pub const REDACTED: &str = "[REDACTED]";

/// Redacted spans of one utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redactions {
    /// Character ranges (not bytes) in the original text, in order.
    pub original_chars: Vec<Range<usize>>,
    /// Characters in the original text.
    pub original_len: usize,
    /// Byte ranges of the tags in the redacted text, in order (same count as `original_chars`).
    pub tags: Vec<Range<usize>>,
    /// True when the texts could not be aligned: the whole utterance is treated as personal data.
    pub whole: bool,
}

impl Redactions {
    /// True when nothing was redacted.
    pub fn is_empty(&self) -> bool {
        !self.whole && self.original_chars.is_empty()
    }

    /// Spans to replace by a tone, in ms of the recording: each text span mapped proportionally by
    /// character position onto the utterance `[start_ms, end_ms)`, widened by `margin_ms` each
    /// side, and kept within the utterance widened by the margin. The whole utterance (widened)
    /// when [`Redactions::whole`].
    pub fn times(&self, start_ms: i64, end_ms: i64, margin_ms: i64) -> Vec<(i64, i64)> {
        let (lo, hi) = (start_ms - margin_ms, end_ms.max(start_ms) + margin_ms);
        if self.whole {
            return vec![(lo.max(0), hi)];
        }
        let n = self.original_len.max(1) as f64;
        let dur = (end_ms - start_ms).max(0) as f64;
        self.original_chars
            .iter()
            .map(|r| {
                let a = start_ms + (dur * r.start as f64 / n).floor() as i64 - margin_ms;
                let b = start_ms + (dur * r.end as f64 / n).ceil() as i64 + margin_ms;
                (a.max(lo).max(0), b.min(hi))
            })
            .collect()
    }
}

/// The redacted text as trainers see it: every redactor tag replaced by [`REDACTED`] (when the
/// texts could not be aligned, every tag found in the redactor's copy).
pub fn display_text(redacted: &str, r: &Redactions) -> String {
    let found;
    let tags = if r.whole {
        found = find_tags(redacted);
        &found
    } else {
        &r.tags
    };
    let mut out = String::with_capacity(redacted.len());
    let mut last = 0;
    for t in tags {
        out.push_str(&redacted[last..t.start]);
        out.push_str(REDACTED);
        last = t.end;
    }
    out.push_str(&redacted[last..]);
    out
}

/// `text` with every redactor tag (`[PHONE]`, `[号码]`, ...) shown as [`REDACTED`].
pub fn mask_tags(text: &str) -> String {
    let r = Redactions {
        original_chars: Vec::new(),
        original_len: 0,
        tags: find_tags(text),
        whole: false,
    };
    display_text(text, &r)
}

/// How one utterance is shown and which of its times get the tone.
#[derive(Debug, Clone, PartialEq)]
pub struct UtteranceRedaction {
    /// The text to show: `text_redacted` with every tag as [`REDACTED`].
    pub text: String,
    /// Spans to replace by the tone, ms of the recording (widened by the margin).
    pub times: Vec<(i64, i64)>,
    /// True when the whole utterance is toned because no span could be placed.
    pub whole: bool,
}

/// The redaction of one stored utterance (rules in the module doc), spans widened by
/// `margin_ms`.
pub fn utterance_redactions(u: &UtteranceRow, margin_ms: i64) -> UtteranceRedaction {
    let tags = find_tags(&u.text_redacted);
    let text = mask_tags(&u.text_redacted);
    let (lo, hi) = (u.start_ms - margin_ms, u.end_ms.max(u.start_ms) + margin_ms);
    let whole = || UtteranceRedaction {
        text: text.clone(),
        times: vec![(lo.max(0), hi)],
        whole: true,
    };
    match callqa_text::spans_from_json(&u.pii_spans) {
        Ok(spans) if !spans.is_empty() => {
            return UtteranceRedaction {
                text: text.clone(),
                times: spans
                    .iter()
                    .map(|s| {
                        let (a, b) = (s.start_ms as i64, (s.end_ms as i64).max(s.start_ms as i64));
                        ((a - margin_ms).max(lo).max(0), (b + margin_ms).min(hi))
                    })
                    .collect(),
                whole: false,
            };
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(
                call_id = %u.call_id,
                idx = u.idx,
                "pii_spans unreadable ({e}): the whole utterance gets the tone"
            );
            return whole();
        }
    }
    if u.text != u.text_redacted {
        let r = align(&u.text, &u.text_redacted);
        return UtteranceRedaction {
            text: display_text(&u.text_redacted, &r),
            times: r.times(u.start_ms, u.end_ms, margin_ms),
            whole: r.whole,
        };
    }
    if tags.is_empty() {
        UtteranceRedaction {
            text,
            times: Vec::new(),
            whole: false,
        }
    } else {
        whole()
    }
}

/// A speaker's phrases: their `activity` spans (`speaker`, or every party's when the speaker has
/// none) joined across pauses shorter than `gap_ms`, in order.
pub fn phrases(activity: &[ActivityRow], speaker: &str, gap_ms: i64) -> Vec<(i64, i64)> {
    let own: Vec<(i64, i64)> = activity
        .iter()
        .filter(|a| a.speaker == speaker)
        .map(|a| (a.start_ms, a.end_ms.max(a.start_ms)))
        .collect();
    let mut spans = if own.is_empty() {
        activity
            .iter()
            .map(|a| (a.start_ms, a.end_ms.max(a.start_ms)))
            .collect()
    } else {
        own
    };
    spans.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a - last.1 < gap_ms => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `span` stretched over every phrase it overlaps, by at most `max_ms` on each side.
pub fn extend_to_phrases(span: (i64, i64), phrases: &[(i64, i64)], max_ms: i64) -> (i64, i64) {
    let (mut a, mut b) = span;
    for &(pa, pb) in phrases.iter().filter(|p| p.0 < span.1 && p.1 > span.0) {
        a = a.min(pa.max(span.0 - max_ms));
        b = b.max(pb.min(span.1 + max_ms));
    }
    (a, b)
}

/// Align `original` with its redacted copy `redacted` (see the module doc).
pub fn align(original: &str, redacted: &str) -> Redactions {
    let original_len = original.chars().count();
    if original == redacted {
        return Redactions {
            original_chars: Vec::new(),
            original_len,
            tags: Vec::new(),
            whole: false,
        };
    }
    let mut spans = Vec::new();
    let mut found = false;
    for strict in [true, false] {
        spans.clear();
        let mut budget = 10_000usize;
        if walk(original, 0, redacted, 0, strict, &mut spans, &mut budget) {
            found = true;
            break;
        }
    }
    if found {
        let (original_chars, tags) = spans
            .into_iter()
            .map(|(o, t): (Range<usize>, Range<usize>)| {
                let a = original[..o.start].chars().count();
                let b = a + original[o.clone()].chars().count();
                (a..b, t)
            })
            .unzip();
        Redactions {
            original_chars,
            original_len,
            tags,
            whole: false,
        }
    } else {
        Redactions {
            original_chars: Vec::new(),
            original_len,
            tags: Vec::new(),
            whole: true,
        }
    }
}

/// True when `piece` redacted on its own is exactly one tag (`[...]`).
fn is_one_tag(piece: &str) -> bool {
    let r = callqa_text::redact(piece);
    r != piece && tag_len(&r) == Some(r.len())
}

/// The byte length of the redactor tag that `s` starts with, if it starts with one.
fn tag_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('[')?;
    let mut n = 0;
    for (i, c) in rest.char_indices() {
        if c == ']' {
            return (n > 0).then_some(i + 2);
        }
        let ok = c.is_ascii_uppercase() || c == '_' || matches!(c as u32, 0x4E00..=0x9FFF);
        n += 1;
        if !ok || n > 16 {
            return None;
        }
    }
    None
}

/// Byte ranges of every redactor tag in `s`.
fn find_tags(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = s[i..].find('[') {
        let at = i + off;
        match tag_len(&s[at..]) {
            Some(n) => {
                out.push(at..at + n);
                i = at + n;
            }
            None => i = at + 1,
        }
    }
    out
}

/// Match `o[oi..]` against `r[ri..]`, recording (original byte range, tag byte range) pairs.
/// Backtracks over where each replaced piece ends, longest first (the redactor's patterns are
/// greedy). `budget` bounds the work on pathological input.
fn walk(
    o: &str,
    oi: usize,
    r: &str,
    ri: usize,
    strict: bool,
    spans: &mut Vec<(Range<usize>, Range<usize>)>,
    budget: &mut usize,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    // Common prefix, by characters.
    let (mut oi, mut ri) = (oi, ri);
    loop {
        match (o[oi..].chars().next(), r[ri..].chars().next()) {
            (Some(a), Some(b)) if a == b => {
                // A tag may start with the same character as the original here ('[' is rare in
                // speech); try the tag first when one starts, then the literal match.
                if tag_len(&r[ri..]).is_some()
                    && let Some(found) = try_tag(o, oi, r, ri, strict, spans, budget)
                {
                    return found;
                }
                oi += a.len_utf8();
                ri += b.len_utf8();
            }
            (None, None) => return true,
            (_, Some('[')) if tag_len(&r[ri..]).is_some() => {
                return try_tag(o, oi, r, ri, strict, spans, budget).unwrap_or(false);
            }
            _ => return false,
        }
    }
}

/// A tag starts at `r[ri..]`: find the original piece it replaced. `None` when no piece fits.
fn try_tag(
    o: &str,
    oi: usize,
    r: &str,
    ri: usize,
    strict: bool,
    spans: &mut Vec<(Range<usize>, Range<usize>)>,
    budget: &mut usize,
) -> Option<bool> {
    let tag = ri..ri + tag_len(&r[ri..])?;
    let ends: Vec<usize> = o[oi..]
        .char_indices()
        .map(|(i, c)| oi + i + c.len_utf8())
        .collect();
    for &end in ends.iter().rev() {
        if strict && !is_one_tag(&o[oi..end]) {
            continue;
        }
        let mark = spans.len();
        spans.push((oi..end, tag.clone()));
        if walk(o, end, r, tag.end, strict, spans, budget) {
            return Some(true);
        }
        spans.truncate(mark);
        if *budget == 0 {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(original: &str) -> (Redactions, String) {
        let red = callqa_text::redact(original);
        let r = align(original, &red);
        let shown = display_text(&red, &r);
        (r, shown)
    }

    // The redactor's tags and rules change (another stage owns them): these tests use personal
    // data every version finds (a mobile number, an e-mail address) and check where it is, not
    // which tag it got.

    #[test]
    fn number_and_email_spans_are_found_by_character() {
        let (r, shown) = check("call me on 13812345678 please");
        assert!(!r.whole, "{r:?}");
        assert_eq!(r.original_chars, vec![11..22]);
        assert_eq!(shown, "call me on [REDACTED] please");
        let (r, shown) = check("我的手机号是13812345678，邮箱jo.smith@example.com好");
        assert!(!r.whole, "{r:?}");
        assert_eq!(shown, "我的手机号是[REDACTED]，邮箱[REDACTED]好");
        assert_eq!(r.original_chars, vec![6..17, 20..40]);
        // Staff numbers are not personal data: nothing to hide.
        let (r, shown) = check("我是工号1024的客服");
        assert!(r.is_empty());
        assert_eq!(shown, "我是工号1024的客服");
    }

    #[test]
    fn a_replaced_piece_ends_where_the_rest_of_the_text_matches() {
        // '.' follows the number and could extend it: the piece is the longest one that the
        // redactor turns into one tag and after which the texts agree again.
        let r = align("call 13812345678. Thanks.", "call [X]. Thanks.");
        assert_eq!(r.original_chars, vec![5..16], "{r:?}");
        assert_eq!(
            display_text("call [X]. Thanks.", &r),
            "call [REDACTED]. Thanks."
        );
    }

    #[test]
    fn texts_that_do_not_align_hide_the_whole_utterance() {
        let r = align("my number is 5551234", "my number is [NUMBER] extra");
        assert!(r.whole);
        assert_eq!(r.times(1000, 3000, 250), vec![(750, 3250)]);
        // The redactor's copy is what is shown, its tags as [REDACTED]; brackets that are not a
        // tag stay.
        assert_eq!(
            display_text("my number is [NUMBER] extra [sic] [号码]", &r),
            "my number is [REDACTED] extra [sic] [REDACTED]"
        );
    }

    fn row(text: &str, redacted: &str, spans: &str) -> UtteranceRow {
        UtteranceRow {
            call_id: "c".into(),
            start_ms: 10_000,
            end_ms: 12_000,
            text: text.into(),
            text_redacted: redacted.into(),
            pii_spans: spans.into(),
            ..Default::default()
        }
    }

    #[test]
    fn stored_spans_then_alignment_then_the_whole_utterance() {
        // 1. pii_spans: their times, widened.
        let u = row(
            "call 13812345678 now",
            "call [PHONE] now",
            r#"[{"type":"phone","start_char":5,"end_char":16,"start_ms":10400,"end_ms":11700}]"#,
        );
        let r = utterance_redactions(&u, 250);
        assert_eq!(r.times, vec![(10_150, 11_950)]);
        assert_eq!(r.text, "call [REDACTED] now");
        assert!(!r.whole);
        // 2. No spans stored (an older store): aligned, by character share (5..16 of 20 chars).
        let u = row("call 13812345678 now", "call [NUMBER] now", "[]");
        let r = utterance_redactions(&u, 0);
        assert_eq!(r.times, vec![(10_500, 11_600)]);
        assert_eq!(r.text, "call [REDACTED] now");
        // 3. The raw text was not stored and no span is known: the whole utterance.
        let u = row("call [PHONE] now", "call [PHONE] now", "[]");
        let r = utterance_redactions(&u, 250);
        assert!(r.whole);
        assert_eq!(r.times, vec![(9750, 12_250)]);
        assert_eq!(
            mask_tags("a [PHONE] b [sic] [号码]"),
            "a [REDACTED] b [sic] [REDACTED]"
        );
        let u = row("call [PHONE] now", "call [PHONE] now", "not json");
        assert!(utterance_redactions(&u, 250).whole);
        // Nothing to hide.
        let u = row("hello there", "hello there", "[]");
        let r = utterance_redactions(&u, 250);
        assert!(r.times.is_empty() && !r.whole);
        assert_eq!(r.text, "hello there");
    }

    #[test]
    fn a_tone_is_stretched_over_the_rest_of_the_speakers_phrase() {
        let act = |speaker: &str, a: i64, b: i64| ActivityRow {
            call_id: "c".into(),
            call_date: Default::default(),
            speaker: speaker.into(),
            start_ms: a,
            end_ms: b,
        };
        // As stored for zh_ecommerce_inbound_model_01: the number was said 11.56-14.03 s, the
        // ASR utterance holding it ends at 12.43 s, VAD split the phrase at a 120 ms pause.
        let activity = vec![
            act("agent", 9372, 11420),
            act("customer", 11484, 12240),
            act("customer", 12360, 14120),
            act("customer", 16700, 17660),
        ];
        let p = phrases(&activity, "customer", 300);
        assert_eq!(p, vec![(11_484, 14_120), (16_700, 17_660)]);
        assert_eq!(
            extend_to_phrases((11_234, 12_684), &p, 3000),
            (11_234, 14_120)
        );
        // At most max_ms each side; nothing to stretch outside speech.
        assert_eq!(
            extend_to_phrases((11_234, 12_684), &p, 500),
            (11_234, 13_184)
        );
        assert_eq!(
            extend_to_phrases((15_000, 16_000), &p, 3000),
            (15_000, 16_000)
        );
        // A speaker with no activity of their own: every party's.
        assert_eq!(
            phrases(&activity, "unknown", 300),
            vec![(9372, 14_120), (16_700, 17_660)]
        );
    }

    #[test]
    fn rows_written_by_an_older_redactor_still_align() {
        // A year the current redactor may keep on its own, tagged by an older one: the piece is
        // where the rest of the texts agree.
        let r = align("March 1990, mostly", "March [NUMBER], mostly");
        assert!(!r.whole, "{r:?}");
        assert_eq!(r.original_chars, vec![6..10]);
        let r = align("号310,56288死", "号310,[号码]死");
        assert_eq!(r.original_chars, vec![5..10], "{r:?}");
        assert_eq!(display_text("号310,[号码]死", &r), "号310,[REDACTED]死");
    }

    #[test]
    fn times_map_characters_proportionally_and_widen_by_the_margin() {
        // 20 characters over 2 s: characters 10..20 are the second second.
        let r = Redactions {
            original_chars: std::iter::once(10..20).collect(),
            original_len: 20,
            tags: std::iter::once(0..1).collect(),
            whole: false,
        };
        assert_eq!(r.times(1000, 3000, 250), vec![(1750, 3250)]);
        assert_eq!(r.times(0, 2000, 250), vec![(750, 2250)]);
    }
}
