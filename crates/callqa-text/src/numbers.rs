//! Numbers (phone, ID, card, account) in any spelling ASR writes them: `13812345678`,
//! `138-1234-5678`, `幺三八，一二三四…`, "oh seven seven double nine…", and e-mail addresses.
//! The kind comes from the number's shape (ID check digit, Luhn, mobile prefix) and the nearest
//! cue word before it (卡号, "account", 身份证…) or in the agent's question.

use crate::{Context, PiiKind, Raw, after, before};
use regex::Regex;
use std::sync::OnceLock;

/// Cue words and the kind of number they announce (lowercase; ASCII ones match whole words).
const CUES: &[(&str, PiiKind)] = &[
    ("手机", PiiKind::Phone),
    ("电话", PiiKind::Phone),
    ("联系方式", PiiKind::Phone),
    ("座机", PiiKind::Phone),
    ("来电", PiiKind::Phone),
    ("回拨", PiiKind::Phone),
    ("phone", PiiKind::Phone),
    ("mobile", PiiKind::Phone),
    ("cell", PiiKind::Phone),
    ("telephone", PiiKind::Phone),
    ("landline", PiiKind::Phone),
    ("call me", PiiKind::Phone),
    ("call", PiiKind::Phone),
    ("call back", PiiKind::Phone),
    ("callback", PiiKind::Phone),
    ("reach me", PiiKind::Phone),
    ("contact number", PiiKind::Phone),
    ("my number", PiiKind::Phone),
    ("your number", PiiKind::Phone),
    ("the number", PiiKind::Phone),
    ("best number", PiiKind::Phone),
    ("number to reach", PiiKind::Phone),
    ("身份证", PiiKind::Id),
    ("证件", PiiKind::Id),
    ("身份号", PiiKind::Id),
    ("护照", PiiKind::Id),
    ("通行证", PiiKind::Id),
    ("id", PiiKind::Id),
    ("identity", PiiKind::Id),
    ("social security", PiiKind::Id),
    ("social", PiiKind::Id),
    ("ssn", PiiKind::Id),
    ("passport", PiiKind::Id),
    ("license", PiiKind::Id),
    ("licence", PiiKind::Id),
    ("卡号", PiiKind::Card),
    ("银行卡", PiiKind::Card),
    ("信用卡", PiiKind::Card),
    ("储蓄卡", PiiKind::Card),
    ("借记卡", PiiKind::Card),
    ("card", PiiKind::Card),
    ("credit", PiiKind::Card),
    ("debit", PiiKind::Card),
    ("visa", PiiKind::Card),
    ("mastercard", PiiKind::Card),
    ("会员卡号", PiiKind::Account),
    ("会员卡", PiiKind::Account),
    ("账号", PiiKind::Account),
    ("帐号", PiiKind::Account),
    ("账户", PiiKind::Account),
    ("帐户", PiiKind::Account),
    ("户号", PiiKind::Account),
    ("订单", PiiKind::Account),
    ("单号", PiiKind::Account),
    ("会员", PiiKind::Account),
    ("编号", PiiKind::Account),
    ("保单", PiiKind::Account),
    ("合同号", PiiKind::Account),
    ("预约号", PiiKind::Account),
    ("编码", PiiKind::Account),
    ("预订号", PiiKind::Account),
    ("确认号", PiiKind::Account),
    ("取件码", PiiKind::Account),
    ("会员号", PiiKind::Account),
    ("工单号", PiiKind::Account),
    ("快递", PiiKind::Account),
    ("account", PiiKind::Account),
    ("order", PiiKind::Account),
    ("member", PiiKind::Account),
    ("membership", PiiKind::Account),
    ("reference", PiiKind::Account),
    ("ref", PiiKind::Account),
    ("policy", PiiKind::Account),
    ("invoice", PiiKind::Account),
    ("tracking", PiiKind::Account),
    ("booking", PiiKind::Account),
    ("loyalty", PiiKind::Account),
    ("rewards number", PiiKind::Account),
    ("frequent flyer", PiiKind::Account),
    ("pnr", PiiKind::Account),
    ("record locator", PiiKind::Account),
    ("confirmation", PiiKind::Account),
    ("ticket", PiiKind::Account),
    ("case number", PiiKind::Account),
    ("customer number", PiiKind::Account),
    ("order id", PiiKind::Account),
    ("account id", PiiKind::Account),
    ("customer id", PiiKind::Account),
    ("member id", PiiKind::Account),
    ("user id", PiiKind::Account),
    ("username", PiiKind::Account),
    ("user name", PiiKind::Account),
    ("用户名", PiiKind::Account),
    ("地址", PiiKind::Address),
    ("address", PiiKind::Address),
    ("邮编", PiiKind::Address),
    ("邮政编码", PiiKind::Address),
    ("zip", PiiKind::Address),
    ("postcode", PiiKind::Address),
    ("postal code", PiiKind::Address),
    ("room", PiiKind::Address),
    ("apartment", PiiKind::Address),
    ("apt", PiiKind::Address),
    ("flat", PiiKind::Address),
    ("unit", PiiKind::Address),
    ("suite", PiiKind::Address),
    ("出生", PiiKind::Dob),
    ("生日", PiiKind::Dob),
    ("born", PiiKind::Dob),
    ("birth", PiiKind::Dob),
    ("dob", PiiKind::Dob),
];

/// Words that announce a number that identifies no person: a meter reading, a product model, a
/// flight or train, a software version. A number nearer to one of these than to any PII cue is
/// left alone (unless its shape alone makes it an ID or a card).
const NOT_PII_CUES: &[&str] = &[
    "reading",
    "meter",
    "读数",
    "电表",
    "水表",
    "model",
    "型号",
    "flight",
    "航班",
    "train",
    "车次",
    "version",
    "版本",
    "extension",
    "分机",
];

/// Words that ask for or give only part of a number: a short run after them is still PII.
const PARTIAL: &[&str] = &[
    "后四位",
    "后三位",
    "后六位",
    "后两位",
    "后几位",
    "末四位",
    "末三位",
    "末尾",
    "尾号",
    "最后四位",
    "最后三位",
    "前三位",
    "前四位",
    "前六位",
    "last four",
    "last 4",
    "last three",
    "last 3",
    "last six",
    "last digits",
    "last few digits",
    "ending in",
    "ends in",
    "ending with",
    "first three",
    "first four",
];

/// Words right before a number that mark it as the agent's staff number, which is not personal
/// data of the customer and is what QA checks for (`self_intro`).
const STAFF_MARKERS: &[&str] = &[
    "工号",
    "公号",
    "员工号",
    "坐席号",
    "agent",
    "agent id",
    "staff number",
    "staff id",
    "operator",
    "employee number",
    "employee id",
    "badge number",
];

/// Words right after a number that mark it as a staff number ("10086号客服").
const STAFF_SUFFIXES: &[&str] = &["号客服", "号坐席", "号话务员", "号为您服务", "号专员"];

/// Words right after a number that make it a quantity, a time or a date part, not an identifier.
const QUANTITY_SUFFIXES: &[&str] = &[
    "元", "块", "年", "月", "日", "号", "岁", "分", "秒", "个", "次", "天", "%", "万", "千", "百",
    "多", "余", "倍", "点", "米", "公里", "斤", "克", "g", "dollar", "buck", "percent", "minute",
    "second", "hour", "day", "week", "month", "year", "pound", "yuan", "rmb", "kg", "gb", "mb",
    "am", "pm", "o'clock", "times", "st ", "nd ", "rd ", "th ",
];

/// Characters allowed between the digits of one number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | ',' | '，' | '、' | '–' | '—' | '\u{3000}' | '(' | ')' | '嗯' | '呃'
    )
}

/// One spoken or written digit group with its place in the text.
#[derive(Debug, Clone)]
struct Unit {
    start: usize,
    end: usize,
    digits: String,
    /// "oh"/"o": a zero only between other digits.
    weak: bool,
    /// "double"/"triple": repeats the next unit.
    repeat: usize,
}

fn digit_word(w: &str) -> Option<(&'static str, bool)> {
    Some(match w {
        "zero" => ("0", false),
        "oh" | "o" => ("0", true),
        "one" => ("1", false),
        "two" => ("2", false),
        "three" => ("3", false),
        "four" => ("4", false),
        "five" => ("5", false),
        "six" => ("6", false),
        "seven" => ("7", false),
        "eight" => ("8", false),
        "nine" => ("9", false),
        _ => return None,
    })
}

fn chinese_digit(c: char) -> Option<char> {
    Some(match c {
        '零' | '〇' => '0',
        '幺' | '一' => '1',
        '二' | '两' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => return None,
    })
}

fn units(text: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end = i + c.len_utf8();
        if let Some(d) = c
            .to_digit(10)
            .filter(|_| c.is_ascii_digit() || ('０'..='９').contains(&c))
        {
            let d = if c.is_ascii_digit() {
                d
            } else {
                c as u32 - '０' as u32
            };
            out.push(Unit {
                start: i,
                end,
                digits: d.to_string(),
                weak: false,
                repeat: 0,
            });
        } else if let Some(d) = chinese_digit(c) {
            out.push(Unit {
                start: i,
                end,
                digits: d.to_string(),
                weak: false,
                repeat: 0,
            });
        } else if c.is_ascii_alphabetic() {
            let mut e = end;
            while let Some(&(j, d)) = it.peek() {
                if d.is_ascii_alphabetic() {
                    e = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            let w = text[i..e].to_ascii_lowercase();
            if let Some((d, weak)) = digit_word(&w) {
                out.push(Unit {
                    start: i,
                    end: e,
                    digits: d.to_string(),
                    weak,
                    repeat: 0,
                });
            } else if matches!(w.as_str(), "uh" | "um" | "er" | "erm") {
                // Hesitations inside a spoken number do not end it.
            } else if w == "double" || w == "triple" {
                out.push(Unit {
                    start: i,
                    end: e,
                    digits: String::new(),
                    weak: false,
                    repeat: if w == "double" { 2 } else { 3 },
                });
            } else if w == "x" && out.last().is_some_and(|u: &Unit| u.end == i) {
                // An ID check character written right after the digits.
                out.push(Unit {
                    start: i,
                    end: e,
                    digits: "X".to_string(),
                    weak: false,
                    repeat: 0,
                });
            } else {
                // A word that is not a digit breaks any run: mark it with an empty unit.
                out.push(Unit {
                    start: i,
                    end: e,
                    digits: String::new(),
                    weak: false,
                    repeat: 0,
                });
            }
        }
    }
    out
}

/// A candidate number: the digits and where they are.
#[derive(Debug)]
struct Run {
    start: usize,
    end: usize,
    digits: String,
}

fn runs(text: &str) -> Vec<Run> {
    let us = units(text);
    let mut out = Vec::new();
    let mut cur: Option<(Run, bool)> = None; // (run, has a strong digit)
    let mut pending_repeat = 0usize;
    let mut pending_start = 0usize;
    let flush = |cur: &mut Option<(Run, bool)>, out: &mut Vec<Run>| {
        if let Some((mut r, true)) = cur.take() {
            // Trailing "oh"s that are words ("oh, okay") are not digits.
            loop {
                let head = &text[r.start..r.end];
                let word_start = head
                    .char_indices()
                    .rev()
                    .find(|&(_, c)| !c.is_ascii_alphabetic())
                    .map_or(0, |(i, c)| i + c.len_utf8());
                let word = head[word_start..].to_ascii_lowercase();
                if word != "oh" && word != "o" {
                    break;
                }
                // "…two two four oh." ending the utterance, one space after a digit: a zero.
                let last_word = text[r.end..]
                    .chars()
                    .all(|c| c.is_whitespace() || matches!(c, '.' | '?' | '!'));
                let after_digit = head[..word_start]
                    .strip_suffix(' ')
                    .and_then(|h| h.chars().next_back())
                    .is_some_and(|c| c.is_ascii_alphanumeric());
                if last_word && after_digit && r.digits.len() > 1 {
                    break;
                }
                r.digits.pop();
                r.end = r.start + head[..word_start].trim_end_matches(is_separator).len();
            }
            out.push(r);
        }
    };
    for u in us {
        if u.repeat > 0 {
            // Keep an open run going only when the gap before is a separator.
            if let Some((r, _)) = &cur
                && !text[r.end..u.start].chars().all(is_separator)
            {
                flush(&mut cur, &mut out);
            }
            pending_repeat = u.repeat;
            pending_start = u.start;
            continue;
        }
        if u.digits.is_empty() {
            flush(&mut cur, &mut out);
            pending_repeat = 0;
            continue;
        }
        let digits = if pending_repeat > 0 {
            u.digits.repeat(pending_repeat)
        } else {
            u.digits.clone()
        };
        let start = if pending_repeat > 0 {
            pending_start
        } else {
            u.start
        };
        pending_repeat = 0;
        let joins = cur.as_ref().is_some_and(|(r, _)| {
            let gap = &text[r.end..start];
            let hesitation = |w: &str| {
                w.is_empty()
                    || matches!(w.to_ascii_lowercase().as_str(), "uh" | "um" | "er" | "erm")
            };
            let gap_ok = gap
                .chars()
                .all(|c| is_separator(c) || c.is_ascii_alphabetic())
                && gap
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .all(hesitation);
            gap.chars().count() <= 8 && gap_ok && !r.digits.ends_with('X')
        });
        if !joins {
            flush(&mut cur, &mut out);
        }
        match &mut cur {
            Some((r, strong)) => {
                r.digits.push_str(&digits);
                r.end = u.end;
                *strong |= !u.weak && digits != "X";
            }
            None => {
                if u.weak || digits == "X" {
                    // A run never starts with "oh" or X.
                    if u.weak {
                        cur = Some((
                            Run {
                                start,
                                end: u.end,
                                digits,
                            },
                            false,
                        ));
                    }
                } else {
                    cur = Some((
                        Run {
                            start,
                            end: u.end,
                            digits,
                        },
                        true,
                    ));
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// True when `needle` occurs in `hay` at byte `at` as a whole word (ASCII cues only need this).
fn whole_word(hay: &str, at: usize, needle: &str) -> bool {
    if !needle.is_ascii() {
        return true;
    }
    let ok_before = hay[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    let rest = &hay[at + needle.len()..];
    // "my social's 596…": a possessive 's still ends the word.
    let ok_after = rest.starts_with("'s")
        || rest
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '\'');
    ok_before && ok_after
}

/// The cue nearest the end of `hay` (lowercase), with how far before the end it stops.
fn nearest_cue(hay: &str) -> Option<(PiiKind, usize)> {
    let mut best: Option<(usize, usize, PiiKind)> = None; // (end, len, kind)
    for &(cue, kind) in CUES {
        for (at, _) in hay.match_indices(cue) {
            if !whole_word(hay, at, cue) {
                continue;
            }
            let end = at + cue.len();
            if best.is_none_or(|(e, l, _)| end > e || (end == e && cue.len() > l)) {
                best = Some((end, cue.len(), kind));
            }
        }
    }
    best.map(|(end, _, kind)| (kind, hay.len() - end))
}

fn has_any(hay: &str, words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| hay.match_indices(w).any(|(at, _)| whole_word(hay, at, w)))
}

/// The Chinese resident ID check character (GB 11643) of the first 17 digits.
fn id_valid(digits: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = digits.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// The Luhn check that bank card numbers pass.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn is_staff_number(text: &str, start: usize, end: usize) -> bool {
    let next = after(text, end, 6);
    if STAFF_SUFFIXES.iter().any(|s| next.starts_with(s)) {
        return true;
    }
    let prev = before(text, start, 16);
    let prev = prev.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '是' | ':' | '：'));
    let stripped = prev.strip_suffix("is").map(str::trim_end).unwrap_or(prev);
    let bare = stripped
        .strip_suffix("number")
        .map(str::trim_end)
        .unwrap_or(stripped);
    STAFF_MARKERS
        .iter()
        .any(|m| prev.ends_with(m) || stripped.ends_with(m) || bare.ends_with(m))
}

fn is_quantity(text: &str, start: usize, end: usize) -> bool {
    let next = after(text, end, 24);
    let next = next.trim_start();
    // "4,350 reward points", "12,000 miles": a count of points within the next two words.
    let counted = next.split_whitespace().take(2).any(|w| {
        matches!(
            w.trim_end_matches([',', '.']),
            "points" | "miles" | "credits" | "积分"
        )
    });
    // "at 10 30": a time of day.
    let digits: String = text[start..end]
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let clock = before(text, start, 3) == "at "
        && digits.len() >= 3
        && digits.len() <= 4
        && digits
            .split_at(digits.len() - 2)
            .0
            .parse::<u32>()
            .is_ok_and(|h| h < 24)
        && digits[digits.len() - 2..]
            .parse::<u32>()
            .is_ok_and(|m| m < 60);
    QUANTITY_SUFFIXES.iter().any(|s| next.starts_with(s))
        || counted
        || clock
        || is_money(text, start, end)
}

/// Words right after a number that make it an amount of money.
const CURRENCY_SUFFIXES: &[&str] = &[
    "元", "块", "美元", "欧元", "英镑", "港币", "dollar", "buck", "pound", "euro", "yuan", "rmb",
    "gbp", "usd", "eur", "cny",
];

/// An amount of money ("$12,509.36", "211.67 GBP", "383,257,136美元"): never an identifier,
/// whatever cue word comes before it ("your checking account balance is $9,313.74").
fn is_money(text: &str, start: usize, end: usize) -> bool {
    let next = after(text, end, 8);
    let next = next.trim_start();
    let prev = before(text, start, 2);
    prev.trim_end().ends_with(['$', '¥', '￥', '£', '€'])
        || CURRENCY_SUFFIXES.iter().any(|s| {
            next.starts_with(s)
                && (!s.is_ascii() || {
                    // "pounds", "dollars": the plural too.
                    let rest = &next[s.len()..];
                    let rest = rest.strip_prefix('s').unwrap_or(rest);
                    !rest.starts_with(|c: char| c.is_ascii_alphabetic())
                })
        })
}

/// Month names: a number right after one is a day or a year ("March 1, 2019"), not an
/// identifier. Dates of birth are found whole by the date rules.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

fn after_month(text: &str, start: usize) -> bool {
    let prev = before(text, start, 12);
    let prev = prev.trim_end_matches(|c: char| c.is_whitespace() || c == '.');
    prev.rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .is_some_and(|w| MONTHS.contains(&w))
}

/// The kind a cue right after the number gives it, in Chinese word order: "尾号6620的卡",
/// "尾号四四七六的手机" (a bare 卡 there is a bank card: 会员卡 and the like are cues of their own).
fn cue_after(text: &str, end: usize) -> Option<PiiKind> {
    let next = after(text, end, 9);
    let rest = next.strip_prefix('的')?;
    // "尾号是5537的那张信用卡".
    let rest = ["那张", "那个", "这张", "这个"]
        .iter()
        .find_map(|d| rest.strip_prefix(d))
        .unwrap_or(rest);
    CUES.iter()
        .filter(|(c, _)| !c.is_ascii() && rest.starts_with(c))
        .max_by_key(|(c, _)| c.len())
        .map(|&(_, k)| k)
        .or_else(|| rest.starts_with('卡').then_some(PiiKind::Card))
}

/// `2018-02-15`, `2018/2/15`: year, month and day.
fn iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let num = |p: &str, lo: u32, hi: u32| p.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v));
    parts.len() == 3
        && parts[0].len() == 4
        && num(parts[0], 1900, 2099)
        && num(parts[1], 1, 12)
        && num(parts[2], 1, 31)
}

/// True when a [`NOT_PII_CUES`] word stands in `prev` (the text before a number) nearer its end
/// than the PII cue `gap` bytes before the end (or when there is no PII cue).
fn not_pii_nearer(prev: &str, gap: Option<usize>) -> bool {
    last_end(prev, NOT_PII_CUES).is_some_and(|e| gap.is_none_or(|g| prev.len() - e < g))
}

/// Where the last whole-word occurrence of any of `words` ends in `hay`.
fn last_end(hay: &str, words: &[&str]) -> Option<usize> {
    words
        .iter()
        .flat_map(|w| {
            hay.match_indices(w)
                .filter(|(at, _)| whole_word(hay, *at, w))
                .map(|(at, _)| at + w.len())
        })
        .max()
}

/// Find phone, ID, card and account numbers (and number-only postcodes/dates of birth after their
/// cue) in `text`.
pub(crate) fn find(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    let q = ctx.question.map(str::to_lowercase).unwrap_or_default();
    let q_cue = nearest_cue(&q).map(|(k, _)| k);
    let q_partial = has_any(&q, PARTIAL);
    for r in runs(text) {
        let n = r.digits.len();
        if n < 3 || is_staff_number(text, r.start, r.end) {
            continue;
        }
        // Digits glued to letters (TR7208, a train) belong to a code the reference rules judge;
        // digits next to a colon are a time (11:00-14:00).
        // So do digits with letters right after them (WH-1000XM4, a product model).
        let glued = text[..r.start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == ':')
            || text[r.end..].starts_with(|c: char| c == ':' || c.is_ascii_alphabetic());
        if glued {
            // One or two capitals before spoken digits after an account or ID cue
            // ("订单号是E幺二三三五幺三", "护照号 E 幺二…"): the whole code.
            let head = text[..r.start].trim_end_matches(' ');
            let letters = head
                .chars()
                .rev()
                .take_while(char::is_ascii_uppercase)
                .count();
            let letter_start = head.len() - letters;
            let cue = nearest_cue(&before(text, letter_start, 32)).map(|(k, _)| k);
            let spoken = !text[r.start..r.end].chars().any(|c| c.is_ascii_digit());
            let alone = head[..letter_start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            if (1..=2).contains(&letters)
                && alone
                && spoken
                && n >= 5
                && let Some(kind @ (PiiKind::Account | PiiKind::Id)) = cue
            {
                out.push(Raw {
                    kind,
                    start: letter_start,
                    end: r.end,
                });
            }
            continue;
        }
        if is_money(text, r.start, r.end) || after_month(text, r.start) {
            continue;
        }
        // A calendar date written with dashes or slashes (2018-02-15) is a date, not a number.
        if iso_date(&text[r.start..r.end]) {
            continue;
        }
        let prev = before(text, r.start, 32);
        let cue = nearest_cue(&prev);
        let local = cue.map(|(k, _)| k).or_else(|| cue_after(text, r.end));
        // A meter reading, a flight or a model number: nearer its own cue than to any PII cue.
        let not_pii = not_pii_nearer(&prev, cue.map(|(_, gap)| gap));
        let shaped =
            (n == 18 && id_valid(&r.digits)) || ((13..=19).contains(&n) && luhn(&r.digits));
        if not_pii && !shaped {
            continue;
        }
        // Written with a leading "+": an international phone number.
        let plus = text[..r.start].trim_end().ends_with('+');
        let partial = has_any(&prev, PARTIAL) || q_partial;
        let asked = q_cue.is_some() && local.is_none();
        let year = n == 4 && (r.digits.starts_with("19") || r.digits.starts_with("20"));
        if local.is_none() && is_quantity(text, r.start, r.end) {
            continue;
        }
        // "opened in 1998", "since 2015": a year, whatever cue came before.
        if year && (prev.ends_with("in ") || prev.ends_with("since ")) {
            continue;
        }
        if n < 4 && !(partial || asked) {
            continue;
        }
        let kind = if n == 18 && id_valid(&r.digits) {
            PiiKind::Id
        } else if plus {
            PiiKind::Phone
        } else if let Some(k @ (PiiKind::Account | PiiKind::Id | PiiKind::Card)) = local {
            k
        } else if n == 11 && r.digits.starts_with('1') && !r.digits.starts_with("10") {
            PiiKind::Phone
        } else if (13..=19).contains(&n) && luhn(&r.digits) && local.is_none() {
            PiiKind::Card
        } else if let Some(k) = local {
            k
        } else if r.digits.starts_with('0') && (10..=12).contains(&n) {
            PiiKind::Phone
        } else if let Some(k) = q_cue {
            k
        } else if n == 10 && !r.digits.starts_with(['0', '1']) {
            PiiKind::Phone
        } else if r.digits.ends_with('X') || n == 18 {
            PiiKind::Id
        } else if year && n == 4 {
            continue;
        } else {
            PiiKind::Account
        };
        if kind == PiiKind::Dob {
            // Dates of birth are found whole by the date rules; a bare number after the cue
            // (19900307) is one too.
            if n < 6 {
                continue;
            }
        }
        out.push(Raw {
            kind,
            start: r.start,
            end: r.end,
        });
    }
    alphanumeric_refs(text, out);
    cued_codes(text, q_cue, out);
    usernames(text, &q, out);
}

/// Codes of letters and digits after an account cue ("your reference number is S7WWFYCU", "the
/// confirmation code they gave me was QK7P2M", "order AB12-3456"): booking references and
/// order numbers that the digit rules cannot see because they are mostly letters.
fn cued_codes(text: &str, question_cue: Option<PiiKind>, out: &mut Vec<Raw>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        // A code written whole ("S7WWFYCU", "AB12-3456") or spelled ("A L 6 L W 6").
        Regex::new(r"(?i)(?-u:\b)(?:[a-z0-9](?: [a-z0-9]){3,}|[a-z0-9]+(?:-[a-z0-9]+)*)(?-u:\b)")
            .expect("static regex")
    });
    for m in re.find_iter(text) {
        // The "s" of "it's 8 2 0 3" is no part of a code.
        if text[..m.start()].ends_with(['\'', '’']) {
            continue;
        }
        let code = m.as_str();
        let alnum = code.chars().filter(char::is_ascii_alphanumeric).count();
        let digits = code.chars().filter(char::is_ascii_digit).count();
        let letters = alnum - digits;
        let upper = code.chars().all(|c| !c.is_ascii_lowercase());
        let prev = before(text, m.start(), 40);
        let cue = nearest_cue(&prev);
        // Right after the cue ("reference number is HYPRVMOQ"): an all-capitals code of
        // letters only counts too.
        let right_after = cue.is_some_and(|(_, gap)| {
            let between = prev[prev.len() - gap..].trim();
            between.split_whitespace().all(|w| {
                matches!(
                    w,
                    "number" | "no" | "no." | "code" | "id" | "#" | "is" | "was" | ":"
                )
            })
        });
        // Mixed, 5 to 16 characters, and not a word with a digit stuck on by ASCII case rules
        // alone: lowercase codes need as many digits as a short word would never carry.
        let mixed = digits > 0 && letters > 0 && (5..=16).contains(&alnum);
        let capitals = digits == 0 && upper && (6..=12).contains(&alnum) && right_after;
        if !(mixed || capitals)
            || !(upper || digits >= 2)
            || is_staff_number(text, m.start(), m.end())
        {
            continue;
        }
        let gap = match cue {
            Some((PiiKind::Account, gap)) => gap,
            // Asked for ("what's your booking reference?") and answered without a cue word.
            None if question_cue == Some(PiiKind::Account) => prev.len(),
            _ => continue,
        };
        if not_pii_nearer(&prev, Some(gap)) {
            continue;
        }
        out.push(Raw {
            kind: PiiKind::Account,
            start: m.start(),
            end: m.end(),
        });
    }
}

/// Cues for a user name or login (`cminh730`): a word mixing letters and digits after them is an
/// account identifier.
const USERNAME_CUES: &[&str] = &[
    "username",
    "user name",
    "user id",
    "account id",
    "login",
    "用户名",
    "账号名",
];

fn usernames(text: &str, question: &str, out: &mut Vec<Raw>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"\b[A-Za-z][A-Za-z0-9._-]*\d[A-Za-z0-9._-]*\b").expect("static regex")
    });
    let asked = USERNAME_CUES.iter().any(|c| question.contains(c));
    for m in re.find_iter(text) {
        let prev = before(text, m.start(), 20);
        if asked || USERNAME_CUES.iter().any(|c| prev.contains(c)) {
            out.push(Raw {
                kind: PiiKind::Account,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}

/// Order and booking references that mix letters and digits (`AB123456`, `ORD-99812`).
fn alphanumeric_refs(text: &str, out: &mut Vec<Raw>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        // ASCII word boundaries: a reference glued to Chinese text ("会员号是VIP2023081577").
        Regex::new(r"(?-u:\b)[A-Z]{1,4}-?\d{5,}(?-u:\b)|(?-u:\b)\d{3,}[A-Z]{1,3}\d{2,}(?-u:\b)")
            .expect("static regex")
    });
    for m in re.find_iter(text) {
        if is_staff_number(text, m.start(), m.end()) {
            continue;
        }
        // A passport number (护照号E83104110) is an ID; every other such code an account.
        let kind = match nearest_cue(&before(text, m.start(), 32)) {
            Some((PiiKind::Id, _)) => PiiKind::Id,
            _ => PiiKind::Account,
        };
        out.push(Raw {
            kind,
            start: m.start(),
            end: m.end(),
        });
    }
}

/// The spoken e-mail address: a local part (words joined by dot/underscore/点/下划线, letters
/// spelled one by one "x i a o l i", Chinese digits "幺二三"), "at"/艾特/@, a domain of one or
/// two words ("acme corp") or Chinese digits (一六三), then dot + top-level domain (康姆 is
/// "com" as Mandarin speakers say it).
fn spoken_email_pattern() -> String {
    let zh = "[幺一二两三四五六七八九零〇]+";
    let word = format!("(?:(?-u:\\b)[a-z0-9]+|{zh})");
    let spelled = r"(?-u:\b)[a-z0-9](?:\s[a-z0-9](?-u:\b)){2,}";
    let local =
        format!("(?:{spelled}|{word}(?:\\s*(?:dot|underscore|点|下划线|\\.|_)\\s*{word})*)");
    let at = r"(?:(?-u:\b)at(?-u:\b)|艾特|@)";
    let domain = format!("(?:[a-z0-9]+(?:\\s[a-z]+)?|{zh})");
    let tld = r"(?:\s*(?:(?-u:\b)dot(?-u:\b)|点|\.)\s*(?:[a-z]{2,}(?-u:\b)|康姆))+";
    format!("(?i){local}\\s*{at}\\s*{domain}{tld}")
}

/// E-mail addresses: written (`jo.smith@example.com`) or spoken ("jo dot smith at gmail dot
/// com", `zhangwei艾特qq点com`).
pub(crate) fn emails(text: &str, out: &mut Vec<Raw>) {
    static RE: OnceLock<[Regex; 2]> = OnceLock::new();
    let res = RE.get_or_init(|| {
        [
            Regex::new(
                r"[A-Za-z0-9._%+-]+\s?@\s?[A-Za-z0-9-]+(?:\s?\.\s?[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            )
            .expect("static regex"),
            Regex::new(&spoken_email_pattern()).expect("static regex"),
        ]
    });
    for (k, re) in res.iter().enumerate() {
        for m in re.find_iter(text) {
            let s = m.as_str().to_lowercase();
            // "look at this dot com thing": a spoken address ends with a known top-level domain;
            // a written one (with "@" and a dot) may end with any ("alex99@proton.me").
            let written = k == 0;
            let tld_ok = written
                || [
                    "com", "cn", "net", "org", "edu", "gov", "io", "uk", "co", "us", "de", "康姆",
                ]
                .iter()
                .any(|t| s.ends_with(t));
            if tld_ok {
                out.push(Raw {
                    kind: PiiKind::Email,
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        assert!(id_valid("110101199003071233"));
        assert!(id_valid("11010519491231002X"));
        assert!(!id_valid("11010519491231002Y"));
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
    }

    #[test]
    fn spoken_digits_join_into_runs() {
        let r = runs("幺三八，一二三四五六七八");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].digits, "13812345678");
        let r = runs("oh seven seven double nine one two");
        assert_eq!(r[0].digits, "0779912");
        let r = runs("oh, okay, one moment");
        assert!(r.iter().all(|r| r.digits.len() < 3), "{r:?}");
    }
}

#[cfg(test)]
mod cue_tests {
    use crate::{Context, PiiKind, find_pii, find_pii_in};

    fn kinds(text: &str) -> Vec<(PiiKind, &str)> {
        find_pii(text)
            .into_iter()
            .map(|s| (s.kind, &text[s.start..s.end]))
            .collect()
    }

    #[test]
    fn booking_codes_after_an_account_cue() {
        assert_eq!(
            kinds("Your reference number is S7WWFYCU. Anything else?"),
            vec![(PiiKind::Account, "S7WWFYCU")]
        );
        assert_eq!(
            kinds("the confirmation code they gave me was QK7P2M"),
            vec![(PiiKind::Account, "QK7P2M")]
        );
        assert_eq!(
            kinds("order AB12-3456 please"),
            vec![(PiiKind::Account, "AB12-3456")]
        );
        // Train and model codes are no account; nor is a word without a cue.
        assert!(kinds("Your train is TR7909, it leaves at noon").is_empty());
        assert!(kinds("the model number is WH-1000XM4").is_empty());
        assert!(kinds("I like the A7III camera").is_empty());
    }

    #[test]
    fn numbers_announced_as_readings_or_phones() {
        assert!(kinds("can you take the reading now? It's zero eight three five two.").is_empty());
        assert_eq!(
            kinds("I'll call you back on the number ending in six four one two"),
            vec![(PiiKind::Phone, "six four one two")]
        );
        assert_eq!(
            kinds("uh eight one eight, uh, five five five, two two four oh"),
            vec![(
                PiiKind::Phone,
                "eight one eight, uh, five five five, two two four oh"
            )]
        );
        assert_eq!(
            kinds("我那张尾号6620的卡被冻结了"),
            vec![(PiiKind::Card, "6620")]
        );
        // "oh" as a word after a number is still no digit.
        assert_eq!(
            kinds("my account is 55512345, oh, and one more thing"),
            vec![(PiiKind::Account, "55512345")]
        );
    }

    #[test]
    fn spoken_emails_with_chinese_digits_spelled_letters_and_two_word_domains() {
        assert_eq!(
            kinds("邮箱幺二三四五六七八九艾特qq点康姆"),
            vec![(PiiKind::Email, "幺二三四五六七八九艾特qq点康姆")]
        );
        assert_eq!(
            kinds("发到我邮箱 x i a o l i 艾特 一六三 点 com"),
            vec![(PiiKind::Email, "x i a o l i 艾特 一六三 点 com")]
        );
        assert_eq!(
            kinds("sam at sam jones dot net"),
            vec![(PiiKind::Email, "sam at sam jones dot net")]
        );
        assert_eq!(
            kinds("my work email, d.kim at acme corp dot com"),
            vec![(PiiKind::Email, "d.kim at acme corp dot com")]
        );
    }

    #[test]
    fn us_zip_codes_after_their_state() {
        assert_eq!(
            kinds("PO Box 4471, Boulder, Colorado 80306"),
            vec![
                (PiiKind::Address, "PO Box 4471"),
                (PiiKind::Address, "80306")
            ]
        );
        assert_eq!(kinds("Austin, TX 78701"), vec![(PiiKind::Address, "78701")]);
        assert!(kinds("employee ID 44812, how can I help?").is_empty());
    }

    #[test]
    fn codes_answered_to_the_question_spelled_or_all_capitals() {
        let ctx = Context {
            agent: false,
            question: Some("Can I have the booking reference?"),
        };
        let text = "yeah it's Y7QM3B";
        let got: Vec<_> = find_pii_in(text, &ctx)
            .into_iter()
            .map(|s| (s.kind, &text[s.start..s.end]))
            .collect();
        assert_eq!(got, vec![(PiiKind::Account, "Y7QM3B")]);
        assert_eq!(
            kinds("the reference number is HYPRVMOQ."),
            vec![(PiiKind::Account, "HYPRVMOQ")]
        );
        // Capitals alone only right after the cue: "the booking is for TWO PEOPLE" is no code.
        assert!(kinds("the booking is for BRIGHTON tomorrow").is_empty());
        assert_eq!(
            kinds("the booking code is A L 6 L W 6"),
            vec![(PiiKind::Account, "A L 6 L W 6")]
        );
        assert_eq!(
            kinds("um my PNR is FT3138 I think"),
            vec![(PiiKind::Account, "FT3138")]
        );
        assert_eq!(
            kinds("您的预约号是A3087，到了出示一下"),
            vec![(PiiKind::Account, "A3087")]
        );
        assert_eq!(
            kinds("机票订单号是E幺二三三五幺三"),
            vec![(PiiKind::Account, "E幺二三三五幺三")]
        );
        assert_eq!(kinds("护照号E83104110"), vec![(PiiKind::Id, "E83104110")]);
        assert_eq!(
            kinds("uh my social's 596 23 6070"),
            vec![(PiiKind::Id, "596 23 6070")]
        );
    }

    #[test]
    fn dates_staff_ids_and_cues_after_the_number() {
        assert!(kinds("非营业时段2018-02-15至2018-02-18全天").is_empty());
        assert!(
            kinds("This is Marcus, agent ID 3068, from the billing team.")
                .iter()
                .all(|(k, _)| *k == PiiKind::Name)
        );
        assert_eq!(
            kinds("就是尾号是5537的那张信用卡"),
            vec![(PiiKind::Card, "5537")]
        );
        assert_eq!(
            kinds("港澳通行证 号码是C38120457"),
            vec![(PiiKind::Id, "C38120457")]
        );
        let ctx = Context {
            agent: false,
            question: Some("What's your passport number?"),
        };
        let text = "it's 8 2 0 3 9 1";
        let got: Vec<_> = find_pii_in(text, &ctx)
            .into_iter()
            .map(|s| (s.kind, &text[s.start..s.end]))
            .collect();
        assert_eq!(got, vec![(PiiKind::Id, "8 2 0 3 9 1")]);
    }

    #[test]
    fn counts_times_and_amounts_are_no_identifiers() {
        assert!(kinds("积分显示只有2860分 上个月还有5000多").is_empty());
        assert!(kinds("you have 4,350 reward points available").is_empty());
        assert!(kinds("the appointment was for June 14 at 10 30").is_empty());
        assert!(kinds("the total fee is 60.08 pounds, payable at the station").is_empty());
    }

    #[test]
    fn birth_years_and_birthdays_without_a_year() {
        assert_eq!(kinds("我是九零年的"), vec![(PiiKind::Dob, "九零年")]);
        assert_eq!(
            kinds("我妈是1956年的 具体哪天记不清"),
            vec![(PiiKind::Dob, "1956年")]
        );
        assert_eq!(kinds("我生日是6月30号"), vec![(PiiKind::Dob, "6月30号")]);
        assert_eq!(
            kinds("I was born in May of 1977"),
            vec![(PiiKind::Dob, "May of 1977")]
        );
        assert_eq!(
            kinds("my father, born in 1944"),
            vec![(PiiKind::Dob, "1944")]
        );
        // A year with no birth cue is kept.
        assert!(kinds("我是2019年办的卡").is_empty());
        assert!(kinds("the account was opened in 1998").is_empty());
    }
}
