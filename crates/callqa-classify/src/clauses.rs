//! Clause splitting for script steps: an agent turn often holds several steps in one breath
//! ("您好，欢迎致电…，我是10086号客服，请问有什么可以帮您？"), so each clause is classified on
//! its own.
//!
//! Boundaries: Chinese `，。！？；…` and English `, . ! ? ;` (a `.` or `,` between digits is not a
//! boundary: "3.5", "1,000"), line breaks, whitespace between two Chinese characters (ASR output
//! often marks pauses with spaces instead of punctuation), and — for unpunctuated text — the start
//! of a cue phrase that opens a new step ("请问", "我是", "my name is", "is there anything").
//! Clauses shorter than [`MIN_CLAUSE_UNITS`] (a CJK character counts 1, a Latin word 2) are
//! merged into the next clause (the last one into the previous).
//!
//! Spans are in characters (Unicode scalar values) of the input, end exclusive.

/// A clause: its character span in the utterance and its text (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// First character, counted in Unicode scalar values from the start of the utterance.
    pub char_start: usize,
    /// One past the last character.
    pub char_end: usize,
    /// The clause text (the utterance's characters in the span).
    pub text: String,
}

/// Clauses shorter than this (CJK characters count 1, Latin words 2) are merged with a neighbour.
pub const MIN_CLAUSE_UNITS: usize = 4;

/// Chinese cue phrases that open a new script step; split before them in unpunctuated text.
const ZH_CUES: [&str; 22] = [
    "您好",
    "你好",
    "欢迎",
    "我是",
    "我叫",
    "工号",
    "请问",
    "很抱歉",
    "非常抱歉",
    "不好意思",
    "对不起",
    "请您稍等",
    "请稍等",
    "麻烦您",
    "感谢您",
    "谢谢您",
    "让您久等",
    "还有其他",
    "还有什么",
    "祝您",
    "再见",
    "您的问题",
];

/// English cue phrases (lower case, matched at word starts).
const EN_CUES: [&str; 16] = [
    "my name is",
    "this is",
    "how can i",
    "how may i",
    "is there anything",
    "thank you",
    "thanks for",
    "i'm sorry",
    "i am sorry",
    "i apologize",
    "please hold",
    "can i have",
    "could you",
    "have a nice",
    "have a great",
    "goodbye",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

fn is_hard_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '！' | '？' | '；' | '…' | '!' | '?' | ';' | '\n' | '\r' | '｡' | '﹐' | '､'
    )
}

/// Size of a clause in units: CJK characters count 1, Latin/digit words 2.
pub fn clause_units(text: &str) -> usize {
    let mut units = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            units += 1;
            in_word = false;
        } else if c.is_alphanumeric() || c == '\'' {
            if !in_word {
                units += 2;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    units
}

/// Where a cue phrase starts at `i` (char index), for the languages asked.
fn cue_at(chars: &[char], lower: &[char], i: usize, zh: bool, en: bool) -> bool {
    let matches = |cue: &str, hay: &[char]| {
        let cue: Vec<char> = cue.chars().collect();
        hay.get(i..i + cue.len())
            .is_some_and(|h| h == cue.as_slice())
    };
    if zh && ZH_CUES.iter().any(|cue| matches(cue, chars)) {
        return true;
    }
    if en {
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if word_start && EN_CUES.iter().any(|cue| matches(cue, lower)) {
            return true;
        }
    }
    false
}

/// Split an utterance into clauses (see the module docs). `lang` is `zh`, `en`, or anything else
/// for both cue lists. An utterance with no boundaries gives one clause; an empty one gives none.
pub fn split_clauses(text: &str, lang: &str) -> Vec<Clause> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let zh = !lang.eq_ignore_ascii_case("en");
    let en = !lang.eq_ignore_ascii_case("zh");
    let digit = |k: Option<&char>| k.is_some_and(|c| c.is_ascii_digit());

    // 1. Raw pieces between boundaries (boundary characters themselves are dropped).
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let boundary = if is_hard_break(c) {
            true
        } else if c == '.' || c == ',' {
            !(i > 0 && digit(chars.get(i - 1)) && digit(chars.get(i + 1)))
        } else if c.is_whitespace() {
            // Whitespace between two CJK characters marks a pause in ASR output.
            let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            prev.is_some_and(|c| is_cjk(*c)) && next.is_some_and(|c| is_cjk(*c))
        } else {
            false
        };
        if boundary {
            pieces.push((start, i));
            start = i + 1;
        } else if i > start && cue_at(&chars, &lower, i, zh, en) {
            pieces.push((start, i));
            start = i;
        }
        i += 1;
    }
    pieces.push((start, n));

    // 2. Trim whitespace and drop empty pieces.
    let trimmed: Vec<(usize, usize)> = pieces
        .into_iter()
        .filter_map(|(mut s, mut e)| {
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            let has_content = chars[s..e].iter().any(|c| c.is_alphanumeric());
            has_content.then_some((s, e))
        })
        .collect();

    // 3. Merge tiny clauses into the next one (the last into the previous).
    let units = |(s, e): (usize, usize)| clause_units(&chars[s..e].iter().collect::<String>());
    let mut merged: Vec<(usize, usize)> = Vec::new();
    let mut pending: Option<(usize, usize)> = None;
    for piece in trimmed {
        let piece = match pending.take() {
            Some((s, _)) => (s, piece.1),
            None => piece,
        };
        if units(piece) < MIN_CLAUSE_UNITS {
            pending = Some(piece);
        } else {
            merged.push(piece);
        }
    }
    if let Some(p) = pending {
        match merged.last_mut() {
            Some(last) => last.1 = p.1,
            None => merged.push(p),
        }
    }
    merged
        .into_iter()
        .map(|(s, e)| Clause {
            char_start: s,
            char_end: e,
            text: chars[s..e].iter().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str, lang: &str) -> Vec<String> {
        split_clauses(t, lang).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn chinese_punctuation_splits_and_tiny_greeting_merges_forward() {
        let t = "您好，欢迎致电中国移动，我是10086号客服，请问有什么可以帮您？";
        assert_eq!(
            texts(t, "zh"),
            [
                "您好，欢迎致电中国移动",
                "我是10086号客服",
                "请问有什么可以帮您"
            ]
        );
    }

    #[test]
    fn spans_are_character_offsets_into_the_input() {
        let t = "很抱歉让您久等了。请问您是机主本人吗？";
        let clauses = split_clauses(t, "zh");
        let chars: Vec<char> = t.chars().collect();
        assert_eq!(clauses.len(), 2);
        for c in &clauses {
            let span: String = chars[c.char_start..c.char_end].iter().collect();
            assert_eq!(span, c.text);
        }
        assert_eq!(clauses[1].char_start, 9);
        assert_eq!(clauses[1].char_end, 18);
    }

    #[test]
    fn unpunctuated_asr_text_splits_at_cue_phrases_and_cjk_spaces() {
        let t = "您好欢迎致电中国移动我是10086号客服请问有什么可以帮您";
        assert_eq!(
            texts(t, "zh"),
            [
                "您好欢迎致电中国移动",
                "我是10086号客服",
                "请问有什么可以帮您"
            ]
        );
        let t = "非常抱歉 给您带来不便 请问您是机主本人吗";
        assert_eq!(
            texts(t, "zh"),
            ["非常抱歉", "给您带来不便", "请问您是机主本人吗"]
        );
    }

    #[test]
    fn english_splits_on_punctuation_and_cues_but_not_inside_numbers() {
        let t = "Hello, thank you for calling Acme. My name is Sarah, how can I help you today?";
        assert_eq!(
            texts(t, "en"),
            [
                "Hello, thank you for calling Acme",
                "My name is Sarah",
                "how can I help you today"
            ]
        );
        let t = "Your bill is 3.50 dollars higher and 1,000 minutes were used";
        assert_eq!(texts(t, "en").len(), 1);
        let t = "sorry about that my name is Tom how can i help";
        assert_eq!(
            texts(t, "en"),
            ["sorry about that", "my name is Tom", "how can i help"]
        );
    }

    #[test]
    fn short_tail_merges_backward_and_empty_input_gives_nothing() {
        assert_eq!(
            texts("请问还有其他问题吗？好。", "zh"),
            ["请问还有其他问题吗？好"]
        );
        assert!(split_clauses("", "zh").is_empty());
        assert!(split_clauses(" ，。 ", "zh").is_empty());
        assert_eq!(texts("嗯", "zh"), ["嗯"]);
    }

    #[test]
    fn chinese_cues_are_off_for_english_and_english_cues_off_for_chinese() {
        // "this is" must not split a Chinese-configured utterance of English words.
        assert_eq!(texts("yes this is fine", "zh").len(), 1);
        assert_eq!(texts("yes this is fine", "en").len(), 1); // "yes" is too short: merged
        assert_eq!(texts("okay sure yes this is fine", "en").len(), 2);
    }

    #[test]
    fn units_count_cjk_chars_and_latin_words() {
        assert_eq!(clause_units("您好"), 2);
        assert_eq!(clause_units("Hello"), 2);
        assert_eq!(clause_units("我是10086号"), 5);
        assert_eq!(clause_units("I'm fine"), 4);
    }
}
