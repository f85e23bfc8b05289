//! Name lists embedded at build time (see `data/build_gazetteers.py` for their source: Faker,
//! MIT): Chinese surnames, English given names and English surnames.

use std::collections::HashSet;
use std::sync::OnceLock;

const ZH_SURNAMES: &str = include_str!("../data/zh_surnames.txt");
const ZH_GIVEN_CHARS: &str = include_str!("../data/zh_given_chars.txt");
const EN_GIVEN: &str = include_str!("../data/en_given_names.txt");
const EN_SURNAMES: &str = include_str!("../data/en_surnames.txt");

fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

struct Lists {
    zh: HashSet<&'static str>,
    zh_given: HashSet<&'static str>,
    en: HashSet<String>,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| Lists {
        zh: lines(ZH_SURNAMES).collect(),
        zh_given: lines(ZH_GIVEN_CHARS).collect(),
        en: lines(EN_GIVEN)
            .chain(lines(EN_SURNAMES))
            .map(str::to_lowercase)
            .collect(),
    })
}

/// The Chinese surname `text` starts with, longest first (欧阳 before 欧), as a byte length.
pub(crate) fn zh_surname_at(text: &str) -> Option<usize> {
    let l = lists();
    let mut ends = text.char_indices().map(|(i, c)| i + c.len_utf8());
    let one = ends.next()?;
    if let Some(two) = ends.next()
        && l.zh.contains(&text[..two])
    {
        return Some(two);
    }
    l.zh.contains(&text[..one]).then_some(one)
}

/// True when `c` occurs in the Chinese given names of the gazetteer (伟, 明, 芳...).
pub(crate) fn zh_given_char(c: char) -> bool {
    let mut buf = [0u8; 4];
    lists().zh_given.contains(&*c.encode_utf8(&mut buf))
}

/// True when `word` is an English given name or surname (any case).
pub(crate) fn en_name(word: &str) -> bool {
    lists().en.contains(&word.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_embedded_and_read() {
        assert_eq!(zh_surname_at("李先生"), Some(3));
        assert_eq!(zh_surname_at("欧阳修"), Some(6));
        assert_eq!(zh_surname_at("的确"), None);
        assert!(en_name("Sarah") && en_name("johnson") && !en_name("about"));
    }
}
