//! Postal addresses: Chinese addresses built of administrative and street parts
//! (省/市/区/县/路/街/号/栋/单元/室/小区), English street addresses, UK postcodes and PO boxes.
//! ZIP codes and flat numbers given after their cue are found with the numbers.

use crate::{PiiKind, Raw};
use regex::Regex;
use std::sync::OnceLock;

/// Characters that never belong to a place name (they end or start the words around one).
const NOT_PLACE: &str =
    "在是住到寄的我你他她址了吗呢啊吧和跟就也都要送给往去来从这那个请问说下过回离您们就还再已经";

fn patterns() -> &'static [Regex; 3] {
    static P: OnceLock<[Regex; 3]> = OnceLock::new();
    P.get_or_init(|| {
        let name = format!(r"[\p{{Han}}--[{NOT_PLACE}]]");
        let admin = format!(
            "{name}{{1,8}}?(?:特别行政区|自治区|自治州|省|市|区|县|镇|乡|街道|村|大道|大街|路|街|巷|弄|胡同|条|小区|花园|家园|公寓|大厦|广场|新村|社区|苑)"
        );
        // A flat number said bare after its unit or building ("2单元1102", "三单元五零二").
        let room = r"(?:[0-9０-９零〇一二三四五六七八九幺两]{3,4}(?:室|房)?)?";
        let num = format!(r"(?:[A-Za-z]|[0-9０-９零〇一二三四五六七八九十百千幺两]+)(?:(?:号楼|栋|幢|单元){room}|号院|号|座|楼|层|室|户|弄|期)");
        let part = format!("(?:{admin}|{num})");
        // Two parts or more; or one named estate (阳光小区).
        let zh = format!(
            r"{part}(?:[ ,，]?{part})+|{name}{{2,6}}?(?:小区|花园|家园|新村|公寓)"
        );
        let en = concat!(
            r"\b\d{1,6}[A-Za-z]?,?\s+(?:[A-Za-z][a-z'’]+\s+){1,3}",
            r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|",
            r"close|crescent|terrace|square|sq|parkway|highway|hwy|circle|cir|trail|row|walk|gardens|grove|hill)\b\.?",
            r"(?:,?\s*(?i:apt|apartment|unit|flat|suite|#)\.?\s*[0-9A-Za-z]+)?",
        );
        let other = r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|(?i:\bP\.?\s?O\.?\s+box\s+\d+)";
        [
            Regex::new(&zh).expect("static regex"),
            Regex::new(en).expect("static regex"),
            Regex::new(other).expect("static regex"),
        ]
    })
}

/// US states and their two-letter postal abbreviations (capitalised as written), before a ZIP
/// code.
const US_STATES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
];

/// Words that never belong to an English street name ("5 minutes on the way").
const NOT_STREET: &[&str] = &[
    "on", "the", "a", "an", "to", "in", "at", "of", "for", "by", "and", "or", "my", "your", "is",
    "was", "minutes", "minute", "days", "hours", "weeks", "months", "years", "times", "more",
    "less", "other", "same", "whole", "one", "this", "that", "next", "last", "all",
];

/// After "地址是/为/在" or "address is": the address itself, up to the end of the clause.
fn after_cue() -> &'static Regex {
    static P: OnceLock<Regex> = OnceLock::new();
    P.get_or_init(|| {
        Regex::new(concat!(
            r"(?:地址(?:是|为|在|：|:)\s*|(?i:address is\s+))",
            r"([^，。,；;？?！!\n(（]{3,40})"
        ))
        .expect("static regex")
    })
}

/// Find postal addresses in `text`.
pub(crate) fn find(text: &str, out: &mut Vec<Raw>) {
    for c in after_cue().captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        let s = m.as_str().trim_end();
        // Only a place: digits, or a place suffix.
        let placeish = s.chars().any(|c| c.is_ascii_digit())
            || [
                "省", "市", "区", "县", "镇", "村", "路", "街", "号", "巷", "弄", "胡同", "street",
                "road", "avenue", "lane", "drive",
            ]
            .iter()
            .any(|w| s.to_lowercase().contains(w));
        let question = ["哪", "什么", "多少", "吗"].iter().any(|w| s.contains(w));
        if placeish && !question {
            out.push(Raw {
                kind: PiiKind::Address,
                start: m.start(),
                end: m.start() + s.len(),
            });
        }
    }
    // A lower-case postcode after its cue ("the postcode is cb23nz").
    static POSTCODE: OnceLock<Regex> = OnceLock::new();
    let postcode = POSTCODE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:post\s?code|postal code)(?:\s+(?:for|of)\s[^.?!,;]{1,40}?)?(?:\s+is)?\s*:?\s*\b([a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2})\b",
        )
        .expect("static regex")
    });
    for c in postcode.captures_iter(text) {
        if let Some(m) = c.get(1) {
            out.push(Raw {
                kind: PiiKind::Address,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    // A US ZIP code after its state ("Boulder, Colorado 80306", "Austin, TX 78701-1234").
    static ZIP: OnceLock<Regex> = OnceLock::new();
    let zip = ZIP.get_or_init(|| {
        // Abbreviations only after a city and comma: ID, OR, ME and IN are words too.
        let (abbr, names): (Vec<&str>, Vec<&str>) = US_STATES.iter().partition(|s| s.len() == 2);
        let (abbr, names) = (abbr.join("|"), names.join("|"));
        Regex::new(&format!(
            r"(?:\b(?:{names})|[A-Z][a-z]+,\s(?:{abbr})),?\s+(\d{{5}}(?:-\d{{4}})?)\b"
        ))
        .expect("static regex")
    });
    for c in zip.captures_iter(text) {
        if let Some(m) = c.get(1) {
            out.push(Raw {
                kind: PiiKind::Address,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    for (k, re) in patterns().iter().enumerate() {
        for m in re.find_iter(text) {
            if k == 1 {
                let lower = m.as_str().to_lowercase();
                let words: Vec<&str> = lower.split_whitespace().collect();
                // The words between the number and the street type.
                let inner = &words[1..words.len().saturating_sub(1)];
                if inner
                    .iter()
                    .any(|w| NOT_STREET.contains(&w.trim_end_matches(',')))
                {
                    continue;
                }
            }
            out.push(Raw {
                kind: PiiKind::Address,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}
