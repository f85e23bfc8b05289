//! Guards against Whisper's failure modes (pure functions, no model): text on silence, repeated
//! phrases, invented subtitle credits; and the Mandarin clean-up (Traditional → Simplified,
//! Chinese punctuation).

use serde::{Deserialize, Serialize};
use std::io::Write;

/// Phrases Whisper invents on silence or noise (subtitle credits and video outros it saw in
/// training). An utterance containing one is dropped. One list, kept small; matched after
/// Traditional → Simplified conversion and case folding.
pub const HALLUCINATION_PHRASES: &[&str] = &[
    "字幕由",
    "字幕提供",
    "字幕志愿者",
    "请不吝点赞",
    "点赞订阅转发",
    "明镜与点点栏目",
    "谢谢观看",
    "感谢观看",
    "订阅我的频道",
    "thanks for watching",
    "thank you for watching",
    "please subscribe",
    "subtitles by",
    "amara.org",
];

/// When a recognised segment is dropped or trimmed (the `[asr.filter]` table of a pipeline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterConfig {
    /// Drop a segment whose no-speech probability exceeds this while its average token
    /// log-probability is below `no_speech_logprob` (Whisper's own rule for text on silence).
    pub no_speech_prob: f32,
    /// See `no_speech_prob`.
    pub no_speech_logprob: f32,
    /// Drop a segment whose text compresses better than this (bytes / gzip bytes); repetitive
    /// output compresses well. Whisper's reference value is 2.4.
    pub max_compression_ratio: f32,
    /// Trim a unit (word, or CJK character n-gram) repeated more than this many times in a row
    /// down to one occurrence; the segment then counts as dropped.
    pub max_repeats: usize,
    /// Drop segments whose average token log-probability is below this (very unsure output).
    pub min_avg_logprob: f32,
    /// Drop segments containing one of [`HALLUCINATION_PHRASES`].
    pub drop_known_phrases: bool,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            no_speech_prob: 0.6,
            no_speech_logprob: -1.0,
            max_compression_ratio: 2.4,
            max_repeats: 3,
            min_avg_logprob: -2.0,
            drop_known_phrases: true,
        }
    }
}

/// Why a segment was dropped or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Kept as it is.
    Keep,
    /// Kept with a repeated phrase trimmed (counts as one dropped segment).
    Trimmed,
    /// Empty, whitespace or punctuation only (not counted as a dropped segment).
    DropEmpty,
    /// Likely text on silence.
    DropNoSpeech,
    /// Too repetitive (compression ratio).
    DropCompression,
    /// Too unsure.
    DropLowLogprob,
    /// A known invented phrase.
    DropKnownPhrase,
}

impl Verdict {
    /// True when the segment is discarded.
    pub fn is_drop(self) -> bool {
        !matches!(self, Verdict::Keep | Verdict::Trimmed)
    }
}

/// `len(text) / len(gzip(text))` in bytes, as Whisper computes it (1.0 for empty text).
pub fn compression_ratio(text: &str) -> f32 {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return 1.0;
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if enc.write_all(bytes).is_err() {
        return 1.0;
    }
    match enc.finish() {
        Ok(z) if !z.is_empty() => bytes.len() as f32 / z.len() as f32,
        _ => 1.0,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Split text into units for repetition checks: words (with trailing punctuation dropped) for
/// alphabetic text, single characters for CJK.
fn units(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let mut buf = String::new();
        for c in word.chars() {
            if is_cjk(c) {
                if !buf.is_empty() {
                    out.push(std::mem::take(&mut buf));
                }
                out.push(c.to_string());
            } else if c.is_alphanumeric() || c == '\'' {
                buf.extend(c.to_lowercase());
            } else if !buf.is_empty() {
                out.push(std::mem::take(&mut buf));
            }
        }
        if !buf.is_empty() {
            out.push(buf);
        }
    }
    out
}

/// Collapse any n-gram (n = 1..=8 units) repeated more than `max_repeats` times in a row into a
/// single occurrence. Returns the new text when something was trimmed. Output joins units with
/// spaces for alphabetic text and without for CJK (punctuation inside the trimmed text is lost).
pub fn trim_repetitions(text: &str, max_repeats: usize) -> Option<String> {
    let u = units(text);
    let max_repeats = max_repeats.max(1);
    let mut out: Vec<String> = Vec::with_capacity(u.len());
    let mut i = 0;
    let mut trimmed = false;
    while i < u.len() {
        let mut best: Option<(usize, usize)> = None; // (n, repeats)
        for n in 1..=8usize {
            if i + n > u.len() {
                break;
            }
            let mut reps = 1;
            while i + (reps + 1) * n <= u.len()
                && u[i + reps * n..i + (reps + 1) * n] == u[i..i + n]
            {
                reps += 1;
            }
            if reps > max_repeats && best.is_none_or(|(bn, br)| n * reps > bn * br) {
                best = Some((n, reps));
            }
        }
        match best {
            Some((n, reps)) => {
                out.extend(u[i..i + n].iter().cloned());
                i += n * reps;
                trimmed = true;
            }
            None => {
                out.push(u[i].clone());
                i += 1;
            }
        }
    }
    if !trimmed {
        return None;
    }
    let mut s = String::new();
    for w in out {
        let cjk = w.chars().next().is_some_and(is_cjk);
        let prev_cjk = s.chars().last().is_some_and(is_cjk);
        if !(s.is_empty() || (cjk && prev_cjk)) {
            s.push(' ');
        }
        s.push_str(&w);
    }
    Some(s)
}

/// Judge one segment; on [`Verdict::Trimmed`] the text is replaced in place.
pub fn judge(
    text: &mut String,
    avg_logprob: f32,
    no_speech_prob: f32,
    cfg: &FilterConfig,
) -> Verdict {
    if text.contains('\u{FFFD}') {
        // Bytes that did not decode (a multi-byte character cut between tokens).
        *text = text.replace('\u{FFFD}', "");
    }
    let t = text.trim();
    if t.is_empty() || !t.chars().any(char::is_alphanumeric) {
        return Verdict::DropEmpty;
    }
    if cfg.drop_known_phrases {
        let folded = fast2s::convert(&t.to_lowercase());
        if HALLUCINATION_PHRASES.iter().any(|p| folded.contains(p)) {
            return Verdict::DropKnownPhrase;
        }
    }
    if no_speech_prob > cfg.no_speech_prob && avg_logprob < cfg.no_speech_logprob {
        return Verdict::DropNoSpeech;
    }
    if avg_logprob < cfg.min_avg_logprob {
        return Verdict::DropLowLogprob;
    }
    if let Some(trimmed) = trim_repetitions(t, cfg.max_repeats) {
        *text = trimmed;
        return Verdict::Trimmed;
    }
    if compression_ratio(t) > cfg.max_compression_ratio {
        return Verdict::DropCompression;
    }
    Verdict::Keep
}

/// Mandarin clean-up: Traditional → Simplified, no spaces between CJK characters, and ASCII
/// `, ? ! : ;` next to a CJK character turned into `， ？ ！ ： ；` (a `.` after CJK into `。`).
pub fn normalize_zh(text: &str) -> String {
    let s = fast2s::convert(text.trim());
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = out.chars().last();
        let next = chars[i + 1..].iter().copied().find(|c| *c != ' ');
        let near_cjk = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        if c == ' ' {
            // Drop spaces between wide characters (CJK text or CJK punctuation).
            let wide = |x: char| is_cjk(x) || is_cjk_punct(x);
            let prev_wide = prev.is_some_and(wide);
            let next_wide = next.is_some_and(|n| wide(n) || (is_ascii_punct(n) && prev_wide));
            if out.is_empty() || (prev_wide && next_wide) {
                continue;
            }
            out.push(c);
            continue;
        }
        let mapped = match c {
            ',' if near_cjk => '，',
            '?' if near_cjk => '？',
            '!' if near_cjk => '！',
            ':' if near_cjk => '：',
            ';' if near_cjk => '；',
            '.' if prev.is_some_and(is_cjk) => '。',
            other => other,
        };
        if is_cjk_punct(mapped) && out.ends_with(' ') {
            out.pop();
        }
        out.push(mapped);
    }
    out
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '？' | '！' | '：' | '；' | '、' | '“' | '”'
    )
}

fn is_ascii_punct(c: char) -> bool {
    matches!(c, ',' | '?' | '!' | ':' | ';' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge_str(s: &str, lp: f32, ns: f32) -> (Verdict, String) {
        let mut t = s.to_string();
        let v = judge(&mut t, lp, ns, &FilterConfig::default());
        (v, t)
    }

    #[test]
    fn ordinary_sentences_are_kept() {
        for s in [
            "And so my fellow Americans, ask not what your country can do for you.",
            "您好，华信银行信用卡中心，工号二零零一，很高兴为您服务。",
            "好的好的，谢谢。",
        ] {
            assert_eq!(judge_str(s, -0.3, 0.05).0, Verdict::Keep, "{s}");
        }
    }

    #[test]
    fn subtitle_credits_are_dropped_even_in_traditional() {
        for s in [
            "字幕由Amara.org社区提供",
            "請不吝點贊 訂閱 轉發 打賞支持明鏡與點點欄目",
            "Thanks for watching!",
        ] {
            assert_eq!(judge_str(s, -0.2, 0.1).0, Verdict::DropKnownPhrase, "{s}");
        }
    }

    #[test]
    fn text_on_silence_is_dropped() {
        assert_eq!(judge_str("you", -1.4, 0.9).0, Verdict::DropNoSpeech);
        // Confident text with a high no-speech probability is kept (Whisper's rule).
        assert_eq!(judge_str("Yes, please.", -0.2, 0.9).0, Verdict::Keep);
        assert_eq!(judge_str("  ...  ", -0.2, 0.1).0, Verdict::DropEmpty);
    }

    #[test]
    fn repeated_phrases_are_trimmed() {
        let (v, t) = judge_str(
            "I need help with my card my card my card my card my card my card",
            -0.4,
            0.1,
        );
        assert_eq!(v, Verdict::Trimmed);
        assert_eq!(t, "i need help with my card");
        let (v, t) = judge_str("好的好的好的好的好的好的好的好的", -0.4, 0.1);
        assert_eq!(v, Verdict::Trimmed);
        assert_eq!(t, "好的");
        // Three in a row is allowed (max_repeats = 3).
        assert_eq!(judge_str("no no no", -0.3, 0.1).0, Verdict::Keep);
    }

    #[test]
    fn compression_ratio_flags_repetitive_text() {
        assert!(compression_ratio("ask not what your country can do for you") < 2.4);
        let rep = "thank you very much for calling. ".repeat(6)
            + "we value you. thank you very much for calling.";
        assert!(compression_ratio(&rep) > 2.4, "{}", compression_ratio(&rep));
        let mut t = rep.clone();
        let cfg = FilterConfig {
            max_repeats: 100,
            ..FilterConfig::default()
        };
        assert_eq!(judge(&mut t, -0.3, 0.1, &cfg), Verdict::DropCompression);
    }

    #[test]
    fn traditional_becomes_simplified_with_chinese_punctuation() {
        assert_eq!(
            normalize_zh("您好,請問有什麼可以幫您?"),
            "您好，请问有什么可以帮您？"
        );
        assert_eq!(normalize_zh("我 的 賬號: 一二三"), "我的账号：一二三");
        assert_eq!(normalize_zh("好的!謝謝."), "好的！谢谢。");
        // Latin text inside Chinese keeps its spaces and ASCII punctuation.
        assert_eq!(normalize_zh("我用 iPhone 15, OK"), "我用 iPhone 15, OK");
    }
}
