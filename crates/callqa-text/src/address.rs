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
            "{name}{{1,8}}?(?:特别行政区|自治区|自治州|省|市|区|县|镇|乡|街道|村|大道|大街|路|街|巷|弄|胡同|小区|花园|家园|公寓|大厦|广场|新村|社区|苑)"
        );
        let num = r"(?:[A-Za-z]|[0-9０-９零〇一二三四五六七八九十百千幺两]+)(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|户|弄|期)";
        let part = format!("(?:{admin}|{num})");
        // Two parts or more; or one named estate (阳光小区).
        let zh = format!(
            r"{part}(?:[ ,，]?{part})+|{name}{{2,6}}?(?:小区|花园|家园|新村|公寓)"
        );
        let en = concat!(
            r"\b\d{1,6}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}",
            r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|",
            r"close|crescent|terrace|square|sq|parkway|highway|hwy|circle|cir|trail|row|walk|gardens|grove|hill)\b\.?",
            r"(?:,?\s*(?i:apt|apartment|unit|flat|suite|#)\.?\s*[0-9A-Za-z]+)?",
        );
        let other = r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|(?i)\bP\.?\s?O\.?\s+box\s+\d+";
        [
            Regex::new(&zh).expect("static regex"),
            Regex::new(en).expect("static regex"),
            Regex::new(other).expect("static regex"),
        ]
    })
}

/// Find postal addresses in `text`.
pub(crate) fn find(text: &str, out: &mut Vec<Raw>) {
    for re in patterns() {
        for m in re.find_iter(text) {
            out.push(Raw {
                kind: PiiKind::Address,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}
