//! Text stage: redaction of personal data in transcripts.
//!
//! Takes utterance text (Mandarin or English, as ASR wrote it) and gives a copy with the spans
//! that identify a person replaced by a tag: runs of four or more digits (phone, card, ID and
//! account numbers, staff numbers excepted), also when spoken as Chinese numerals (幺三八…) or
//! spaced out; e-mail addresses. What it does not catch: names and street addresses (no NER
//! model yet) — the README lists this as not done.
//!
//! ```
//! use callqa_text::redact;
//! assert_eq!(redact("我的手机号是13812345678"), "我的手机号是[号码]");
//! assert_eq!(redact("card ending 4 4 1 7 please"), "card ending [NUMBER] please");
//! assert_eq!(redact("我是工号1024的客服"), "我是工号1024的客服");
//! ```

#![deny(missing_docs)]

use regex::Regex;
use std::sync::OnceLock;

/// Characters that stand for a digit in spoken Chinese number strings (ids, phone numbers).
const CHINESE_DIGITS: &str = "零〇幺一二两三四五六七八九";

fn patterns() -> &'static (Regex, Regex, Regex) {
    static P: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    P.get_or_init(|| {
        let email =
            Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("static regex");
        // Four or more digits, allowing single spaces, hyphens or dots between them, optionally
        // with an ID-card check letter X.
        let digits = Regex::new(r"\d(?:[ \-.]?\d){3,}[Xx]?").expect("static regex");
        let zh = Regex::new(&format!(
            "[{CHINESE_DIGITS}](?:[ ，,]?[{CHINESE_DIGITS}]){{3,}}"
        ))
        .expect("static regex");
        (email, digits, zh)
    })
}

/// Words right before a number that mark it as the agent's staff number, which is not personal
/// data of the customer and is what QA checks for (`self_intro`).
const STAFF_MARKERS: [&str; 5] = ["工号", "公号", "agent", "staff number", "operator"];

/// Words right after a number that mark it as a staff number ("10086号客服").
const STAFF_SUFFIXES: [&str; 4] = ["号客服", "号坐席", "号话务员", "号为您服务"];

fn is_staff_number(text: &str, start: usize, end: usize) -> bool {
    if STAFF_SUFFIXES.iter().any(|s| text[end..].starts_with(s)) {
        return true;
    }
    let before: String = text[..start]
        .chars()
        .rev()
        .take(14)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let before = before.to_lowercase();
    STAFF_MARKERS
        .iter()
        .any(|m| before.trim_end().ends_with(m) || before.trim_end().ends_with(&format!("{m}是")))
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| matches!(c as u32, 0x4E00..=0x9FFF))
}

/// Replace personal data in `text` with tags (`[号码]`/`[NUMBER]`, `[邮箱]`/`[EMAIL]`).
pub fn redact(text: &str) -> String {
    let (email, digits, zh_digits) = patterns();
    let zh = has_cjk(text);
    let (number_tag, email_tag) = if zh {
        ("[号码]", "[邮箱]")
    } else {
        ("[NUMBER]", "[EMAIL]")
    };
    let out = email.replace_all(text, email_tag).into_owned();
    let mut result = String::with_capacity(out.len());
    let mut last = 0;
    let mut spans: Vec<(usize, usize)> = digits
        .find_iter(&out)
        .chain(zh_digits.find_iter(&out))
        .map(|m| (m.start(), m.end()))
        .filter(|&(s, e)| !is_staff_number(&out, s, e))
        .collect();
    spans.sort_unstable();
    for (s, e) in spans {
        if s < last {
            continue;
        }
        result.push_str(&out[last..s]);
        result.push_str(number_tag);
        last = e;
    }
    result.push_str(&out[last..]);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_shape_are_redacted() {
        assert_eq!(
            redact("身份证后四位是3X21"),
            "身份证后四位是3X21",
            "too short to identify"
        );
        assert_eq!(redact("身份证号110101199003071234"), "身份证号[号码]");
        assert_eq!(redact("身份证号11010119900307123X吗"), "身份证号[号码]吗");
        assert_eq!(redact("卡号是6222 0210 0112 3456"), "卡号是[号码]");
        assert_eq!(redact("电话幺三八，一二三四五六七八"), "电话[号码]");
        assert_eq!(
            redact("my number is 415-555-0199 ok"),
            "my number is [NUMBER] ok"
        );
        assert_eq!(
            redact("mail me at jo.smith@example.com"),
            "mail me at [EMAIL]"
        );
    }

    #[test]
    fn staff_numbers_and_ordinary_words_are_kept() {
        assert_eq!(redact("您好，我是工号1024"), "您好，我是工号1024");
        assert_eq!(redact("我是10086号客服"), "我是10086号客服");
        assert_eq!(
            redact("this is agent 4417 speaking"),
            "this is agent 4417 speaking"
        );
        assert_eq!(redact("一共三个月"), "一共三个月");
        assert_eq!(redact("It costs 30 dollars"), "It costs 30 dollars");
    }
}
