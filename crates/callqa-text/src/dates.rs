//! Dates of birth: a date written or spoken after its cue (出生, 生日, "born", "date of birth"),
//! before 出生 ("1986年4月23号出生的"), or as the answer to the agent's question for it. Other dates (a bill's, an order's) are kept.

use crate::{Context, PiiKind, Raw, after, before};
use regex::Regex;
use std::sync::OnceLock;

const CUES: &[&str] = &["出生", "生日", "born", "birth", "dob", "d.o.b"];

/// Spoken day ordinals ("fourteenth", "twenty-first").
const ORDINAL: &str = r"(?:(?:twenty|thirty)[ -])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)";

/// A spoken or written year ("nineteen eighty-five", "two thousand and three", "1985").
const YEAR: &str = r"(?:\d{4}|(?:nineteen|twenty|two thousand(?: and)?)(?:[ -](?:hundred|oh|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|one|two|three|four|five|six|seven|eight|nine)){0,2})";

fn pattern() -> &'static Regex {
    static P: OnceLock<Regex> = OnceLock::new();
    P.get_or_init(|| {
        let zd = "[零〇一二三四五六七八九]";
        let zn = "[一二三四五六七八九十]";
        let month = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
        let re = format!(
            concat!(
                r"(?:\d{{2,4}}|{zd}{{2,4}})年 ?(?:\d{{1,2}}|{zn}{{1,3}})月 ?(?:(?:\d{{1,2}}|{zn}{{1,3}})[日号])?",
                r"|(?:\d{{1,2}}|{zn}{{1,3}})月 ?(?:\d{{1,2}}|{zn}{{1,3}})[日号]",
                r"|(?i:\b{m}\s+(?:of\s+)?\d{{4}}\b)|\b(?:19|20)\d{{2}}\b",
                r"|\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b|\b\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}\b",
                r"|(?i:\b{m}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)",
                r"|(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{m},?\s+\d{{4}}\b)",
                r"|\b(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b",
                r"|(?i:\b(?:{ord}|\d{{1,2}}(?:st|nd|rd|th)?)\s+(?:of\s+)?{m}(?:,?\s+{year})?)",
                r"|(?i:\b{m}\s+(?:the\s+)?(?:{ord}|\d{{1,2}}(?:st|nd|rd|th)?)(?:,?\s+{year})?)"
            ),
            ord = ORDINAL,
            year = YEAR,
            zd = zd,
            zn = zn,
            m = month
        );
        Regex::new(&re).expect("static regex")
    })
}

/// "我是九零年的", "我妈是1956年的": a person's birth year, said as what year they are "of".
fn birth_year() -> &'static Regex {
    static P: OnceLock<Regex> = OnceLock::new();
    P.get_or_init(|| {
        Regex::new(concat!(
            r"(?:我|他|她|妈|爸|母亲|父亲|老人|孩子|儿子|女儿|老公|老婆)(?:也|都)?是",
            r"((?:19|20)?\d{2}|[零〇一二三四五六七八九]{2,4})年的"
        ))
        .expect("static regex")
    })
}

/// Find dates of birth in `text`.
pub(crate) fn find(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    for c in birth_year().captures_iter(text) {
        if let Some(m) = c.get(1) {
            out.push(Raw {
                kind: PiiKind::Dob,
                start: m.start(),
                end: m.end() + "年".len(),
            });
        }
    }
    let asked = ctx
        .question
        .map(str::to_lowercase)
        .is_some_and(|q| CUES.iter().any(|c| q.contains(c)));
    for m in pattern().find_iter(text) {
        let prev = before(text, m.start(), 24);
        // The cue may also follow the date in Mandarin: "我是1986年4月23号出生的".
        let next = after(text, m.end(), 4);
        let cue_after = next.starts_with("出生") || next.starts_with("生的");
        if asked || cue_after || CUES.iter().any(|c| prev.contains(c)) {
            out.push(Raw {
                kind: PiiKind::Dob,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}
