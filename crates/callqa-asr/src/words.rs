//! Whisper tokens → whole words, and where sentences end.
//!
//! Whisper's vocabulary is byte-level BPE: a token is a run of bytes, not necessarily a word nor
//! even a whole character. The rules here put tokens back together:
//!
//! - a token that starts with a space starts a new word; one that does not continues the word
//!   before it ("'ve" continues "I", "ing" continues "call");
//! - a Chinese (CJK) character is a word of its own, and a character whose bytes are split over
//!   tokens is kept whole (a token starts a new word only when the bytes before it decode);
//! - punctuation-only tokens stay with the word before them ("help" + "?").
//!
//! Utterances are cut only between words, so no utterance ends inside a word.

/// One Whisper token with its window times (samples of the window, 16 kHz).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Raw bytes.
    pub bytes: Vec<u8>,
    /// Start in the window, samples.
    pub t0: usize,
    /// End in the window, samples.
    pub t1: usize,
    /// Log-probability.
    pub plog: f32,
}

/// A whole word built from tokens, window times.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowWord {
    /// Text, with the leading space of its first token (English) kept.
    pub text: String,
    /// Start in the window, samples (first token with a letter or digit).
    pub t0: usize,
    /// End in the window, samples.
    pub t1: usize,
    /// Log-probabilities of all its tokens (punctuation included).
    pub logprobs: Vec<f32>,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// True for bytes that hold no letter or digit (punctuation, spaces, nothing). Bytes that do not
/// decode on their own are not punctuation-only (they are part of a character).
fn punct_only(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => !s.chars().any(char::is_alphanumeric),
        Err(_) => false,
    }
}

/// Does `bytes` (a token) begin a CJK character? Decodable: its first character is CJK; a lead
/// byte alone: 0xE3-0xE9 (U+3000-U+9FFF) or 0xF0 (supplementary ideographs).
fn starts_cjk(bytes: &[u8]) -> bool {
    let valid_prefix = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    };
    match valid_prefix.chars().next() {
        Some(c) => is_cjk(c),
        None => matches!(bytes.first(), Some(0xE3..=0xE9 | 0xF0)),
    }
}

/// Group one segment's tokens into words.
pub fn words_from_tokens(tokens: &[Token]) -> Vec<WindowWord> {
    struct Acc {
        bytes: Vec<u8>,
        t0: Option<usize>,
        t1: usize,
        first_t0: usize,
        last_t1: usize,
        logprobs: Vec<f32>,
    }
    let mut acc: Vec<Acc> = Vec::new();
    for tok in tokens {
        if tok.bytes.is_empty() {
            continue;
        }
        let punct = punct_only(&tok.bytes);
        let new_word = match acc.last() {
            None => true,
            Some(_) if punct => false,
            Some(cur) => {
                let complete = std::str::from_utf8(&cur.bytes).ok();
                let space = tok.bytes[0] == b' ';
                let continuation = (0x80..0xC0).contains(&tok.bytes[0]);
                !continuation
                    && (space
                        || complete.is_some_and(|s| {
                            s.chars().last().is_some_and(is_cjk) || starts_cjk(&tok.bytes)
                        }))
            }
        };
        if new_word {
            acc.push(Acc {
                bytes: Vec::new(),
                t0: None,
                t1: tok.t0,
                first_t0: tok.t0,
                last_t1: tok.t1,
                logprobs: Vec::new(),
            });
        }
        let Some(w) = acc.last_mut() else { continue };
        w.bytes.extend_from_slice(&tok.bytes);
        w.logprobs.push(tok.plog);
        w.last_t1 = w.last_t1.max(tok.t1);
        if !punct {
            if w.t0.is_none() {
                w.t0 = Some(tok.t0);
            }
            w.t1 = w.t1.max(tok.t1);
        }
    }
    let mut out: Vec<WindowWord> = Vec::with_capacity(acc.len());
    let mut pending: Option<WindowWord> = None; // leading punctuation waiting for a word
    for a in acc {
        let text = String::from_utf8_lossy(&a.bytes).into_owned();
        let has_word = text.chars().any(char::is_alphanumeric);
        let (t0, t1) = match a.t0 {
            Some(t0) => (t0, a.t1.max(t0)),
            None => (a.first_t0, a.last_t1.max(a.first_t0)),
        };
        let mut w = WindowWord {
            text,
            t0,
            t1,
            logprobs: a.logprobs,
        };
        if !has_word {
            // Punctuation (or a stray byte) alone: it belongs to the word before it.
            if let Some(prev) = out.last_mut() {
                prev.text.push_str(&w.text);
                prev.logprobs.extend_from_slice(&w.logprobs);
            } else if let Some(p) = pending.as_mut() {
                p.text.push_str(&w.text);
                p.logprobs.extend_from_slice(&w.logprobs);
            } else {
                pending = Some(w);
            }
            continue;
        }
        if let Some(p) = pending.take() {
            w.text = p.text + &w.text;
            let mut lp = p.logprobs;
            lp.extend_from_slice(&w.logprobs);
            w.logprobs = lp;
        }
        out.push(w);
    }
    out
}

/// English abbreviations whose period does not end a sentence (lowercase, without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "prof", "approx",
];

/// True when a word ends a sentence: it ends with `。？！?!`, or with `.` that is not an
/// abbreviation (Mr., e.g.) nor an ellipsis ("...", "…": trailing off, often continued).
/// Closing quotes and brackets after the mark are ignored.
pub fn ends_sentence(word: &str) -> bool {
    let w = word
        .trim()
        .trim_end_matches(['"', '\'', '”', '’', ')', '）', '」', '』', ']']);
    let Some(last) = w.chars().last() else {
        return false;
    };
    match last {
        '。' | '？' | '！' | '?' | '!' => true,
        '.' => {
            if w.ends_with("..") || w.ends_with('…') {
                return false;
            }
            let stem = w
                .trim_end_matches('.')
                .trim_start_matches(|c: char| !c.is_alphanumeric());
            // ("No." is a sentence far more often than "No. 5" in a call: not listed.)
            !ABBREVIATIONS.contains(&stem.to_lowercase().as_str())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &[u8], t0: usize, t1: usize) -> Token {
        Token {
            bytes: s.to_vec(),
            t0,
            t1,
            plog: -0.1,
        }
    }

    fn texts(w: &[WindowWord]) -> Vec<String> {
        w.iter().map(|w| w.text.clone()).collect()
    }

    #[test]
    fn tokens_without_a_leading_space_continue_the_word() {
        let toks = [
            tok(b" I", 0, 10),
            tok(b"'ve", 10, 20),
            tok(b" got", 20, 30),
            tok(b" a", 30, 35),
            tok(b" compl", 35, 50),
            tok(b"aint", 50, 70),
            tok(b".", 70, 71),
        ];
        let w = words_from_tokens(&toks);
        assert_eq!(texts(&w), vec![" I've", " got", " a", " complaint."]);
        assert_eq!((w[0].t0, w[0].t1), (0, 20));
        // The period's time does not stretch the word.
        assert_eq!((w[3].t0, w[3].t1), (35, 70));
        assert_eq!(w[3].logprobs.len(), 3);
    }

    #[test]
    fn chinese_characters_stay_whole_and_are_words() {
        // 您 = E6 82 A8 split over two tokens; 好 = E5 A5 BD; "，" = EF BC 8C.
        let toks = [
            tok(&[0xE6, 0x82], 0, 10),
            tok(&[0xA8], 10, 20),
            tok("好".as_bytes(), 20, 30),
            tok("，".as_bytes(), 30, 31),
            tok("工号".as_bytes(), 31, 50),
        ];
        let w = words_from_tokens(&toks);
        assert_eq!(texts(&w), vec!["您", "好，", "工号"]);
        assert_eq!((w[0].t0, w[0].t1), (0, 20));
    }

    #[test]
    fn leading_punctuation_joins_the_first_word() {
        let w = words_from_tokens(&[tok(b" -", 0, 5), tok(b" Yes", 5, 20), tok(b"?", 20, 21)]);
        assert_eq!(texts(&w), vec![" - Yes?"]);
    }

    #[test]
    fn sentence_ends() {
        for w in [" help.", " you?", " now!", "吗？", "了。", " it.\"", " No."] {
            assert!(ends_sentence(w), "{w}");
        }
        for w in [" Mr.", " so...", " and,", "好，", " e.g.", " well…", " 3.5"] {
            assert!(!ends_sentence(w), "{w}");
        }
    }
}
