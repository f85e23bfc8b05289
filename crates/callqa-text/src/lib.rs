//! Text stage: finding and redacting personal data (PII) in call transcripts, Mandarin and
//! English.
//!
//! Takes one utterance's text (as ASR wrote it), optionally with its dialogue context (who said
//! it, and the agent's previous utterance), and gives the spans that identify the customer, each
//! typed ([`PiiKind`]): customer names, phone numbers, resident ID numbers (also partial answers
//! such as 后四位 / last four digits), bank and credit card numbers, account/order/member
//! numbers, e-mail addresses, postal addresses and dates of birth. Spans carry byte and character
//! offsets; [`timed_spans`] maps them onto the utterance's time span so audio can be redacted
//! too. [`redact`] replaces every span with its typed tag (`[NAME]`, `[PHONE]`, ...).
//!
//! The agent's own name and staff number are not customer data and are kept (QA checks them).
//! Names are recognised from context (我叫 / 我姓 / X先生 / "my name is" / Mr + name / letters
//! spelled one by one / the answer to the agent's identity question) with gazetteers of Chinese
//! surnames and English given names and surnames extracted from Faker (MIT; see
//! `data/build_gazetteers.py`), embedded at build time.
//!
//! ```
//! use callqa_text::{find_pii, redact, redact_in, Context, PiiKind};
//! assert_eq!(redact("我的手机号是13812345678"), "我的手机号是[PHONE]");
//! assert_eq!(redact("card ending 4 4 1 7 please"), "card ending [CARD] please");
//! assert_eq!(redact("我是工号1024的客服"), "我是工号1024的客服");
//! assert_eq!(redact("好的李先生"), "好的[NAME]先生");
//! let spans = find_pii("my email is jo.smith@example.com");
//! assert_eq!(spans[0].kind, PiiKind::Email);
//! assert_eq!((spans[0].start_char, spans[0].end_char), (12, 32));
//! // An answer to the agent's identity question is a name even without a cue word.
//! let ctx = Context { agent: false, question: Some("请问您怎么称呼？") };
//! assert_eq!(redact_in("张伟", &ctx), "[NAME]");
//! ```

#![deny(missing_docs)]

mod address;
mod dates;
mod gazetteer;
mod names;
mod numbers;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of personal data found; each has one tag ([`PiiKind::tag`]) and one name
/// ([`PiiKind::as_str`], used in the `pii_spans` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiKind {
    /// A customer's name (given name, surname or both; letters spelled one by one).
    Name,
    /// A phone number: mobile, landline, spoken digit strings.
    Phone,
    /// A national/resident ID number (中国居民身份证, SSN, passport), also a partial answer.
    Id,
    /// A bank or credit card number (also the last digits of one).
    Card,
    /// An account, order, member or other reference number given on request.
    Account,
    /// A postal address: street, house, flat, district; ZIP and postcodes.
    Address,
    /// An e-mail address, written or spoken ("at", "dot", 艾特, 点).
    Email,
    /// A date of birth.
    Dob,
}

impl PiiKind {
    /// Every kind, in documentation order.
    pub const ALL: [PiiKind; 8] = [
        PiiKind::Name,
        PiiKind::Phone,
        PiiKind::Id,
        PiiKind::Card,
        PiiKind::Account,
        PiiKind::Address,
        PiiKind::Email,
        PiiKind::Dob,
    ];

    /// The tag that replaces a span of this kind in redacted text.
    pub fn tag(self) -> &'static str {
        match self {
            PiiKind::Name => "[NAME]",
            PiiKind::Phone => "[PHONE]",
            PiiKind::Id => "[ID]",
            PiiKind::Card => "[CARD]",
            PiiKind::Account => "[ACCOUNT]",
            PiiKind::Address => "[ADDRESS]",
            PiiKind::Email => "[EMAIL]",
            PiiKind::Dob => "[DOB]",
        }
    }

    /// The lowercase name used in tables and JSON (`name`, `phone`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Name => "name",
            PiiKind::Phone => "phone",
            PiiKind::Id => "id",
            PiiKind::Card => "card",
            PiiKind::Account => "account",
            PiiKind::Address => "address",
            PiiKind::Email => "email",
            PiiKind::Dob => "dob",
        }
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the [`PiiKind`]s.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown PII kind {0:?}: expected one of name, phone, id, card, account, address, email, dob"
)]
pub struct ParsePiiKindError(pub String);

impl FromStr for PiiKind {
    type Err = ParsePiiKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches('[').trim_end_matches(']');
        PiiKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParsePiiKindError(s.to_string()))
    }
}

/// One span of personal data in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiSpan {
    /// What it is.
    pub kind: PiiKind,
    /// Start, byte offset into the text (a char boundary).
    pub start: usize,
    /// End (exclusive), byte offset.
    pub end: usize,
    /// Start, in characters (Unicode scalar values) from the start of the text.
    pub start_char: usize,
    /// End (exclusive), in characters.
    pub end_char: usize,
}

/// The dialogue around an utterance, which decides some spans: the agent's own name is not
/// customer data, and a short answer to the agent's identity or number question is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context<'a> {
    /// True when the agent said the utterance (self-introductions are then kept).
    pub agent: bool,
    /// The other party's (normally the agent's) utterance just before, when the text is the
    /// customer's answer to it.
    pub question: Option<&'a str>,
}

/// A span found before character offsets are attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// The personal data in `text`, with no dialogue context (see [`find_pii_in`]).
pub fn find_pii(text: &str) -> Vec<PiiSpan> {
    find_pii_in(text, &Context::default())
}

/// The personal data in `text`, said in the dialogue context `ctx`: spans in text order, not
/// overlapping.
pub fn find_pii_in(text: &str, ctx: &Context<'_>) -> Vec<PiiSpan> {
    let mut raw: Vec<Raw> = Vec::new();
    numbers::emails(text, &mut raw);
    address::find(text, &mut raw);
    dates::find(text, ctx, &mut raw);
    numbers::find(text, ctx, &mut raw);
    names::find(text, ctx, &mut raw);
    resolve(text, raw)
}

/// Sort, drop overlaps (the longer span wins, then the earlier found) and attach char offsets.
fn resolve(text: &str, mut raw: Vec<Raw>) -> Vec<PiiSpan> {
    // Stable sort keeps detection order among equal spans.
    let mut order: Vec<(usize, Raw)> = raw.drain(..).enumerate().collect();
    order.sort_by(|(ia, a), (ib, b)| (b.end - b.start).cmp(&(a.end - a.start)).then(ia.cmp(ib)));
    let mut kept: Vec<Raw> = Vec::new();
    for (_, r) in order {
        if r.start >= r.end || r.end > text.len() {
            continue;
        }
        if kept.iter().all(|k| r.end <= k.start || r.start >= k.end) {
            kept.push(r);
        }
    }
    kept.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(kept.len());
    let mut chars = 0;
    let mut pos = 0;
    for r in kept {
        chars += text[pos..r.start].chars().count();
        let start_char = chars;
        chars += text[r.start..r.end].chars().count();
        pos = r.end;
        out.push(PiiSpan {
            kind: r.kind,
            start: r.start,
            end: r.end,
            start_char,
            end_char: chars,
        });
    }
    out
}

/// Replace personal data in `text` with typed tags (`[PHONE]`, `[NAME]`, ...), with no dialogue
/// context.
pub fn redact(text: &str) -> String {
    redact_spans(text, &find_pii(text))
}

/// Replace personal data in `text`, said in the dialogue context `ctx`, with typed tags.
pub fn redact_in(text: &str, ctx: &Context<'_>) -> String {
    redact_spans(text, &find_pii_in(text, ctx))
}

/// Replace the given spans (sorted, not overlapping, as [`find_pii_in`] gives them) with their
/// tags. Spans that overlap an earlier one or do not lie on char boundaries are skipped.
pub fn redact_spans(text: &str, spans: &[PiiSpan]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        if s.start < last
            || s.end > text.len()
            || !text.is_char_boundary(s.start)
            || !text.is_char_boundary(s.end)
        {
            continue;
        }
        out.push_str(&text[last..s.start]);
        out.push_str(s.kind.tag());
        last = s.end;
    }
    out.push_str(&text[last..]);
    out
}

/// A span placed on the call's timeline: what the `pii_spans` column stores (as a JSON array) and
/// what audio redaction reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedSpan {
    /// What it is.
    #[serde(rename = "type")]
    pub kind: PiiKind,
    /// Start, in characters into the utterance's raw text.
    pub start_char: usize,
    /// End (exclusive), in characters.
    pub end_char: usize,
    /// Start on the call's timeline, milliseconds.
    pub start_ms: u64,
    /// End on the call's timeline, milliseconds.
    pub end_ms: u64,
}

/// Place `spans` of a text of `text_chars` characters said from `start_ms` to `end_ms`: each
/// span's time is its share of the characters (the stored utterance has no word times), widened
/// by `pad_ms` on each side and kept inside the utterance, so audio redaction covers the words
/// even where speech rate varies.
pub fn timed_spans(
    spans: &[PiiSpan],
    text_chars: usize,
    start_ms: u64,
    end_ms: u64,
    pad_ms: u64,
) -> Vec<TimedSpan> {
    timed_spans_by_words(spans, text_chars, start_ms, end_ms, pad_ms, &[])
}

/// A word of the utterance for [`timed_spans_by_words`]: `(start_char, end_char, start_ms,
/// end_ms)`, characters counted in chars.
pub type WordSpan = (usize, usize, u64, u64);

/// As [`timed_spans`], but a span that overlaps words (`words`, from the ASR's word times) runs
/// from the first of them to start to the last of them to end, widened by `pad_ms`. A span no
/// word covers, and every span when `words` do not fit the text (a word past its end), falls back
/// to its share of the characters.
pub fn timed_spans_by_words(
    spans: &[PiiSpan],
    text_chars: usize,
    start_ms: u64,
    end_ms: u64,
    pad_ms: u64,
    words: &[WordSpan],
) -> Vec<TimedSpan> {
    let dur = end_ms.saturating_sub(start_ms);
    let n = text_chars.max(1) as u64;
    let words_fit = words.iter().all(|w| w.0 <= w.1 && w.1 <= text_chars);
    spans
        .iter()
        .map(|s| {
            let covering = words
                .iter()
                .filter(|w| words_fit && w.0 < s.end_char && s.start_char < w.1);
            let by_words = covering.fold(None, |acc: Option<(u64, u64)>, w| {
                Some(acc.map_or((w.2, w.3), |(a, b)| (a.min(w.2), b.max(w.3))))
            });
            let (a, b) = by_words.unwrap_or((
                start_ms + dur * (s.start_char as u64).min(n) / n,
                start_ms + dur * (s.end_char as u64).min(n) / n,
            ));
            TimedSpan {
                kind: s.kind,
                start_char: s.start_char,
                end_char: s.end_char,
                start_ms: a.saturating_sub(pad_ms).max(start_ms),
                end_ms: (b + pad_ms).min(end_ms.max(start_ms)),
            }
        })
        .collect()
}

/// The `pii_spans` column's value for `spans`: a JSON array of [`TimedSpan`] objects
/// (`[{"type":"phone","start_char":6,"end_char":17,"start_ms":1200,"end_ms":3400}]`), `[]` when
/// there are none.
pub fn spans_to_json(spans: &[TimedSpan]) -> String {
    serde_json::to_string(spans).unwrap_or_else(|_| "[]".to_string())
}

/// Read a `pii_spans` column value written by [`spans_to_json`]; an empty string reads as none.
pub fn spans_from_json(json: &str) -> Result<Vec<TimedSpan>, serde_json::Error> {
    if json.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(json)
}

/// Characters before byte offset `at`, at most `n` of them, lowercased (for cue matching).
pub(crate) fn before(text: &str, at: usize, n: usize) -> String {
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0);
    head[start..].to_lowercase()
}

/// Characters from byte offset `at`, at most `n` of them, lowercased.
pub(crate) fn after(text: &str, at: usize, n: usize) -> String {
    text[at..]
        .chars()
        .take(n)
        .collect::<String>()
        .to_lowercase()
}

/// A CJK ideograph.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PiiKind, String)> {
        find_pii(text)
            .into_iter()
            .map(|s| (s.kind, text[s.start..s.end].to_string()))
            .collect()
    }

    #[test]
    fn kinds_round_trip_through_names_and_tags() {
        for k in PiiKind::ALL {
            assert_eq!(k.as_str().parse::<PiiKind>().ok(), Some(k));
            assert_eq!(k.tag().parse::<PiiKind>().ok(), Some(k));
        }
        assert!("nickname".parse::<PiiKind>().is_err());
    }

    #[test]
    fn spans_carry_byte_and_char_offsets() {
        let text = "电话13812345678谢谢";
        let s = find_pii(text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, PiiKind::Phone);
        assert_eq!(&text[s[0].start..s[0].end], "13812345678");
        assert_eq!((s[0].start_char, s[0].end_char), (2, 13));
    }

    #[test]
    fn timed_spans_take_their_share_of_the_utterance_and_round_trip_as_json() {
        let text = "电话13812345678谢谢"; // 15 chars over 1.5 s: 100 ms a char
        let t = timed_spans(&find_pii(text), text.chars().count(), 1000, 2500, 0);
        assert_eq!((t[0].start_ms, t[0].end_ms), (1200, 2300));
        let padded = timed_spans(&find_pii(text), 15, 1000, 2500, 500);
        assert_eq!((padded[0].start_ms, padded[0].end_ms), (1000, 2500));
        let json = spans_to_json(&t);
        assert!(json.contains(r#""type":"phone""#), "{json}");
        assert_eq!(spans_from_json(&json).ok(), Some(t));
        assert_eq!(spans_from_json("").ok(), Some(vec![]));
        assert!(spans_from_json("{oops").is_err());
    }

    #[test]
    fn word_times_place_a_span_where_its_words_were_said() {
        // "My number is 555 0123 thanks": the number said slowly, from 1.0 to 4.0 s of a 5 s
        // utterance; its share of the characters would put it at 2.3 to 3.9 s.
        let text = "My number is 555 0123 thanks";
        let words: Vec<WordSpan> = vec![
            (0, 2, 0, 200),
            (3, 9, 200, 600),
            (10, 12, 600, 1_000),
            (13, 16, 1_000, 2_500),
            (17, 21, 2_500, 4_000),
            (22, 28, 4_000, 5_000),
        ];
        let found = find_pii(text);
        assert_eq!(found.len(), 1, "{found:?}");
        let t = timed_spans_by_words(&found, text.chars().count(), 0, 5_000, 0, &words);
        assert_eq!((t[0].start_ms, t[0].end_ms), (1_000, 4_000));
        let share = timed_spans(&found, text.chars().count(), 0, 5_000, 0);
        assert_ne!((share[0].start_ms, share[0].end_ms), (1_000, 4_000));
        // Words that do not fit the text (a word past its end): the character share.
        let stale = vec![(0, 40, 0, 5_000)];
        let t = timed_spans_by_words(&found, text.chars().count(), 0, 5_000, 0, &stale);
        assert_eq!(t, share);
    }

    #[test]
    fn numbers_of_every_shape_get_their_type() {
        assert_eq!(redact("身份证号110101199003071233"), "身份证号[ID]");
        assert_eq!(redact("身份证号11010519491231002X吗"), "身份证号[ID]吗");
        assert_eq!(redact("卡号是6222 0210 0112 3456"), "卡号是[CARD]");
        assert_eq!(
            redact("4111 1111 1111 1111"),
            "[CARD]",
            "Luhn-valid, no cue"
        );
        assert_eq!(redact("电话幺三八，一二三四五六七八"), "电话[PHONE]");
        assert_eq!(
            redact("my number is 415-555-0199 ok"),
            "my number is [PHONE] ok"
        );
        assert_eq!(
            redact("it's oh seven seven double nine one two three four five six"),
            "it's [PHONE]"
        );
        assert_eq!(redact("座机是010-62345678"), "座机是[PHONE]");
        assert_eq!(redact("订单号是20231105778"), "订单号是[ACCOUNT]");
        assert_eq!(
            redact("my account number is 7 7 4 2 1 9"),
            "my account number is [ACCOUNT]"
        );
        assert_eq!(
            redact("mail me at jo.smith@example.com"),
            "mail me at [EMAIL]"
        );
        assert_eq!(redact("zhangwei艾特qq点com"), "[EMAIL]");
        assert_eq!(redact("it's jo dot smith at gmail dot com"), "it's [EMAIL]");
    }

    #[test]
    fn amounts_and_calendar_dates_are_not_identifiers_even_after_a_cue() {
        // Money, whatever cue comes before it.
        assert_eq!(
            redact("your savings account balance is $4,210.55"),
            "your savings account balance is $4,210.55"
        );
        assert_eq!(redact("订单金额1,299.00元"), "订单金额1,299.00元");
        assert_eq!(redact("the fee is 86.40 GBP"), "the fee is 86.40 GBP");
        // A day and year after a month name.
        assert_eq!(
            redact("the booking is for June 3, 2025"),
            "the booking is for June 3, 2025"
        );
        // An account number is still one.
        assert_eq!(
            redact("my account number is 5520 1187 43"),
            "my account number is [ACCOUNT]"
        );
    }

    #[test]
    fn number_shapes_and_cues_that_fix_the_type() {
        // A leading "+": an international phone number.
        assert_eq!(redact("+86 139 0011 2233是我手机"), "+[PHONE]是我手机");
        assert_eq!(
            redact("reach me at +44 7700 900321"),
            "reach me at +[PHONE]"
        );
        // The noun after the digits in Mandarin word order (尾号X的手机 / 的信用卡).
        assert_eq!(
            kinds("尾号三三零一的手机"),
            vec![(PiiKind::Phone, "三三零一".to_string())]
        );
        assert_eq!(
            kinds("尾号8802的信用卡"),
            vec![(PiiKind::Card, "8802".to_string())]
        );
        // "call" before a number.
        let ctx = Context {
            agent: true,
            question: Some("Is the flat near a park?"),
        };
        assert_eq!(
            redact_in("you can call 408-555-0187", &ctx),
            "you can call [PHONE]"
        );
        // A reference glued to Chinese text.
        assert_eq!(redact("会员号是VIP88120034"), "会员号是[ACCOUNT]");
        // A written e-mail address with any top-level domain.
        assert_eq!(redact("邮箱是li.na@example.me"), "邮箱是[EMAIL]");
    }

    #[test]
    fn partial_id_answers_are_redacted() {
        assert_eq!(redact("身份证后四位是321X"), "身份证后四位是[ID]");
        let ctx = Context {
            agent: false,
            question: Some("麻烦您报一下身份证后三位"),
        };
        assert_eq!(redact_in("三二一", &ctx), "[ID]");
        assert_eq!(redact_in("是417", &ctx), "是[ID]");
        let ctx = Context {
            agent: false,
            question: Some("Can you confirm the last four digits of your card?"),
        };
        assert_eq!(redact_in("Sure, 4417.", &ctx), "Sure, [CARD].");
    }

    #[test]
    fn staff_numbers_and_ordinary_numbers_are_kept() {
        assert_eq!(redact("您好，我是工号1024"), "您好，我是工号1024");
        assert_eq!(redact("我是10086号客服"), "我是10086号客服");
        assert_eq!(
            redact("this is agent 4417 speaking"),
            "this is agent 4417 speaking"
        );
        assert_eq!(redact("一共三个月"), "一共三个月");
        assert_eq!(redact("It costs 30 dollars"), "It costs 30 dollars");
        assert_eq!(redact("退款1500元"), "退款1500元");
        assert_eq!(redact("2023年买的"), "2023年买的");
        assert_eq!(redact("等了一两分钟"), "等了一两分钟");
        assert_eq!(redact("that was in 2019"), "that was in 2019");
        assert!(kinds("请问还有什么可以帮您").is_empty());
    }

    #[test]
    fn chinese_names_after_their_cues() {
        assert_eq!(redact("我叫王小明"), "我叫[NAME]");
        assert_eq!(redact("我姓李，木子李"), "我姓[NAME]，[NAME]");
        assert_eq!(redact("免贵姓欧阳"), "免贵姓[NAME]");
        assert_eq!(redact("张女士您好"), "[NAME]女士您好");
        assert_eq!(redact("谢谢李女士"), "谢谢[NAME]女士");
        assert_eq!(redact("本人是陈建国"), "本人是[NAME]");
        assert_eq!(redact("您好，请问是刘先生吗"), "您好，请问是[NAME]先生吗");
        assert_eq!(redact("我姓张，弓长张"), "我姓[NAME]，[NAME]");
    }

    #[test]
    fn english_names_after_their_cues() {
        assert_eq!(
            redact("Hi, my name is Sarah Johnson."),
            "Hi, my name is [NAME]."
        );
        assert_eq!(
            redact("this is David Miller calling"),
            "this is [NAME] calling"
        );
        assert_eq!(redact("Thank you Mr. Thompson"), "Thank you Mr. [NAME]");
        assert_eq!(redact("it's spelled S M I T H"), "it's spelled [NAME]");
        assert_eq!(redact("this is about my bill"), "this is about my bill");
        let ctx = Context {
            agent: false,
            question: Some("Who am I speaking with today?"),
        };
        assert_eq!(redact_in("Emily Carter.", &ctx), "[NAME].");
    }

    #[test]
    fn the_agents_own_name_is_kept() {
        let agent = Context {
            agent: true,
            question: None,
        };
        assert_eq!(
            redact_in("您好，我叫王芳，很高兴为您服务", &agent),
            "您好，我叫王芳，很高兴为您服务"
        );
        assert_eq!(
            redact_in("Thank you for calling, my name is Emma.", &agent),
            "Thank you for calling, my name is Emma."
        );
        assert_eq!(redact_in("好的张先生", &agent), "好的[NAME]先生");
    }

    #[test]
    fn addresses_and_postcodes() {
        assert_eq!(
            redact("地址是北京市朝阳区建国路88号3栋2单元1201室"),
            "地址是[ADDRESS]"
        );
        assert_eq!(redact("我住在阳光小区5栋"), "我住在[ADDRESS]");
        assert_eq!(
            redact("I live at 42 Maple Street, Springfield"),
            "I live at [ADDRESS], Springfield"
        );
        assert_eq!(redact("the zip code is 90210"), "the zip code is [ADDRESS]");
        assert_eq!(redact("postcode SW1A 1AA"), "postcode [ADDRESS]");
        assert_eq!(redact("这个问题很重要"), "这个问题很重要");
        assert_eq!(redact("我在路上"), "我在路上");
    }

    #[test]
    fn a_date_before_chu_sheng_is_a_date_of_birth_and_a_flat_number_ends_the_address() {
        assert_eq!(redact("我是1979年10月2号出生的"), "我是[DOB]出生的");
        assert_eq!(redact("1979年10月2号下的单"), "1979年10月2号下的单");
        assert_eq!(
            kinds("住在朝阳区安立路5号楼1单元1203"),
            vec![(PiiKind::Address, "朝阳区安立路5号楼1单元1203".to_string())]
        );
    }

    #[test]
    fn dates_of_birth_need_their_cue() {
        assert_eq!(redact("出生日期是1990年3月7日"), "出生日期是[DOB]");
        assert_eq!(redact("我的生日是一九八五年五月二十号"), "我的生日是[DOB]");
        assert_eq!(
            redact("I was born on March 3rd, 1985"),
            "I was born on [DOB]"
        );
        assert_eq!(redact("date of birth 03/07/1990"), "date of birth [DOB]");
        assert_eq!(redact("账单日是2024年3月1日"), "账单日是2024年3月1日");
    }
}
