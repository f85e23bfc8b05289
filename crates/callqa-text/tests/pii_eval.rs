//! The PII evaluation sets: precision and recall per entity type, printed as the tables the
//! README shows.
//!
//! - `eval/pii_eval.jsonl` (built by `eval/build_pii_eval.py` from real call-centre and dialogue
//!   corpora, the SYNTHETIC fixture scripts and written cases): the floors are asserted. The
//!   rules were fixed while looking at it, so it is no longer held out.
//! - `eval/pii_heldout.jsonl` (built by `eval/build_pii_heldout.py`, labelled before the
//!   redactor was run on it): its figures are printed, not asserted, so that they are reported
//!   rather than tuned to; the test asserts that the file is sound (unique ids, spans in range
//!   and equal to their labelled text, a source and licence per line, the minimum span count per
//!   type).
//! - `eval/pii_heldout2.jsonl` (built by `eval/build_pii_heldout2.py`, a fresh held-out set that
//!   nobody tuning the rules has seen, weighted towards names and account numbers): only its
//!   soundness is asserted (as above, plus the minimum span counts per type and language, at least
//!   60 written hard negatives, no dialogue shared with the two other sets, one licence per
//!   source); it is not scored here.
//! - `eval/pii_heldout3.jsonl` (built by `eval/build_pii_heldout3.py`, a third fresh held-out set,
//!   made once the second had been scored and looked at, again weighted towards names and
//!   account numbers): only its soundness is asserted, with the checks of the second; it is not
//!   scored here.
//! - `eval/pii_heldout4.jsonl` (built by `eval/build_pii_heldout4.py`, a fourth fresh held-out set,
//!   made once the third had been scored and looked at, again weighted towards names and account
//!   numbers): only its soundness is asserted, with the checks of the third; it is not scored here.
//!
//! A predicted span counts when it overlaps a labelled span of the same type; "masked" counts a
//! labelled span as hidden when any predicted span (of any type) overlaps it.

use callqa_text::{Context, PiiKind, find_pii_in};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Gold {
    #[serde(rename = "type")]
    kind: PiiKind,
    start_char: usize,
    end_char: usize,
    /// The labelled substring.
    text: String,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    source: String,
    licence: String,
    split: String,
    lang: String,
    speaker: String,
    question: Option<String>,
    text: String,
    pii: Vec<Gold>,
}

#[derive(Default, Clone, Copy)]
struct Count {
    gold: usize,
    found: usize,
    masked: usize,
    pred: usize,
    correct: usize,
}

fn parse(name: &str, text: &str) -> Vec<Item> {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{name} line {}: {e}", i + 1))
        })
        .collect()
}

fn items() -> Vec<Item> {
    parse(
        "eval/pii_eval.jsonl",
        include_str!("../eval/pii_eval.jsonl"),
    )
}

fn heldout() -> Vec<Item> {
    parse(
        "eval/pii_heldout.jsonl",
        include_str!("../eval/pii_heldout.jsonl"),
    )
}

fn heldout2() -> Vec<Item> {
    parse(
        "eval/pii_heldout2.jsonl",
        include_str!("../eval/pii_heldout2.jsonl"),
    )
}

fn heldout3() -> Vec<Item> {
    parse(
        "eval/pii_heldout3.jsonl",
        include_str!("../eval/pii_heldout3.jsonl"),
    )
}

fn heldout4() -> Vec<Item> {
    parse(
        "eval/pii_heldout4.jsonl",
        include_str!("../eval/pii_heldout4.jsonl"),
    )
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Per group (`group` of each item, and "all"), per kind.
fn evaluate(
    items: &[Item],
    group: impl Fn(&Item) -> &str,
    verbose: bool,
) -> BTreeMap<String, BTreeMap<PiiKind, Count>> {
    let mut out: BTreeMap<String, BTreeMap<PiiKind, Count>> = BTreeMap::new();
    for it in items {
        let ctx = Context {
            agent: it.speaker == "agent",
            question: it.question.as_deref(),
        };
        let pred = find_pii_in(&it.text, &ctx);
        for split in [group(it), "all"] {
            let table = out.entry(split.to_string()).or_default();
            for g in &it.pii {
                let c = table.entry(g.kind).or_default();
                c.gold += 1;
                let gs = (g.start_char, g.end_char);
                if pred
                    .iter()
                    .any(|p| p.kind == g.kind && overlaps(gs, (p.start_char, p.end_char)))
                {
                    c.found += 1;
                } else if verbose && split == "all" {
                    println!(
                        "  miss {:?} {:?} in {}: {:?}",
                        g.kind, &it.text, it.id, pred
                    );
                }
                if pred
                    .iter()
                    .any(|p| overlaps(gs, (p.start_char, p.end_char)))
                {
                    c.masked += 1;
                }
            }
            for p in &pred {
                let c = table.entry(p.kind).or_default();
                c.pred += 1;
                let ps = (p.start_char, p.end_char);
                if it
                    .pii
                    .iter()
                    .any(|g| g.kind == p.kind && overlaps(ps, (g.start_char, g.end_char)))
                {
                    c.correct += 1;
                } else if verbose && split == "all" {
                    let s: String = it
                        .text
                        .chars()
                        .skip(p.start_char)
                        .take(p.end_char - p.start_char)
                        .collect();
                    println!("  false {:?} {s:?} in {}: {:?}", p.kind, it.id, it.text);
                }
            }
        }
    }
    out
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.2}"))
}

/// Print one table per split (and "all"), as the README shows them.
fn print_tables(
    items: &[Item],
    group: impl Fn(&Item) -> &str,
    res: &BTreeMap<String, BTreeMap<PiiKind, Count>>,
) {
    for (split, table) in res {
        let n = items
            .iter()
            .filter(|i| split == "all" || group(i) == split)
            .count();
        println!("\nsplit {split} ({n} utterances)");
        println!("| type | labelled | recall | masked (any tag) | predicted | precision |");
        println!("|---|---:|---:|---:|---:|---:|");
        let mut total = Count::default();
        for (k, c) in table {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                k.tag(),
                c.gold,
                fmt(ratio(c.found, c.gold)),
                fmt(ratio(c.masked, c.gold)),
                c.pred,
                fmt(ratio(c.correct, c.pred))
            );
            total.gold += c.gold;
            total.found += c.found;
            total.masked += c.masked;
            total.pred += c.pred;
            total.correct += c.correct;
        }
        println!(
            "| all | {} | {} | {} | {} | {} |",
            total.gold,
            fmt(ratio(total.found, total.gold)),
            fmt(ratio(total.masked, total.gold)),
            total.pred,
            fmt(ratio(total.correct, total.pred))
        );
    }
}

#[test]
fn pii_evaluation_set_meets_the_floors() {
    let items = items();
    assert!(items.len() > 500, "the evaluation set is incomplete");
    let res = evaluate(&items, |it| it.split.as_str(), true);
    print_tables(&items, |it| it.split.as_str(), &res);
    // The goals, on all items: recall >= 0.95 for phone/ID/card/account, >= 0.85 for
    // names and addresses; precision >= 0.90 for every type.
    let all = &res["all"];
    let get = |k: PiiKind| all.get(&k).copied().unwrap_or_default();
    let mut missed = Vec::new();
    for (k, floor) in [
        (PiiKind::Phone, 0.95),
        (PiiKind::Id, 0.95),
        (PiiKind::Card, 0.95),
        (PiiKind::Account, 0.95),
        (PiiKind::Name, 0.85),
        (PiiKind::Address, 0.85),
    ] {
        let c = get(k);
        let r = ratio(c.found, c.gold).unwrap_or(0.0);
        if r < floor {
            missed.push(format!("{k} recall {r:.2} < {floor}"));
        }
    }
    for k in PiiKind::ALL {
        let c = get(k);
        if let Some(p) = ratio(c.correct, c.pred)
            && p < 0.90
        {
            missed.push(format!("{k} precision {p:.2} < 0.90"));
        }
    }
    assert!(missed.is_empty(), "goals missed: {}", missed.join("; "));
}

fn by_lang(it: &Item) -> &str {
    it.lang.as_str()
}

fn written_or_corpus(it: &Item) -> &str {
    if it.source == "written" {
        "written"
    } else {
        "corpus"
    }
}

/// The least number of labelled spans per type in the held-out set.
const HELDOUT_MIN_SPANS: [(PiiKind, usize); 8] = [
    (PiiKind::Id, 30),
    (PiiKind::Card, 30),
    (PiiKind::Phone, 30),
    (PiiKind::Account, 30),
    (PiiKind::Address, 30),
    (PiiKind::Name, 30),
    (PiiKind::Email, 15),
    (PiiKind::Dob, 15),
];

/// Assert that a held-out set is sound: unique ids, the split named, a source and licence per
/// line, a known speaker and language, every span in range and equal to its labelled text. Returns
/// the number of labelled spans per (type, language).
fn assert_sound(items: &[Item], split: &str) -> BTreeMap<(PiiKind, String), usize> {
    let mut ids = std::collections::HashSet::new();
    let mut spans: BTreeMap<(PiiKind, String), usize> = BTreeMap::new();
    for it in items {
        assert!(ids.insert(it.id.as_str()), "{}: id used twice", it.id);
        assert_eq!(it.split, split, "{}", it.id);
        assert!(
            matches!(it.lang.as_str(), "en" | "zh"),
            "{}: language {}",
            it.id,
            it.lang
        );
        assert!(
            !it.source.is_empty() && !it.licence.is_empty(),
            "{}: no source or licence",
            it.id
        );
        assert!(
            matches!(it.speaker.as_str(), "agent" | "customer"),
            "{}: speaker {}",
            it.id,
            it.speaker
        );
        let n = it.text.chars().count();
        for g in &it.pii {
            assert!(
                g.start_char < g.end_char && g.end_char <= n,
                "{}: span {}..{} outside 0..{n}",
                it.id,
                g.start_char,
                g.end_char
            );
            let got: String = it
                .text
                .chars()
                .skip(g.start_char)
                .take(g.end_char - g.start_char)
                .collect();
            assert_eq!(
                got, g.text,
                "{}: the span does not hold its labelled text",
                it.id
            );
            *spans.entry((g.kind, it.lang.clone())).or_default() += 1;
        }
    }
    spans
}

/// Labelled spans of one type, all languages together.
fn spans_of(spans: &BTreeMap<(PiiKind, String), usize>, kind: PiiKind) -> usize {
    spans
        .iter()
        .filter(|((k, _), _)| *k == kind)
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn pii_heldout_set_is_sound_and_its_figures_are_printed() {
    let items = heldout();
    assert!(items.len() >= 400, "the held-out set is incomplete");
    let spans = assert_sound(&items, "heldout");
    for (k, min) in HELDOUT_MIN_SPANS {
        let n = spans_of(&spans, k);
        assert!(n >= min, "{k}: {n} labelled spans, fewer than {min}");
    }
    // Scored and printed, not asserted: these are the figures the README reports.
    // Written cases apart from corpus lines.
    let group = written_or_corpus;
    let res = evaluate(&items, group, true);
    print_tables(&items, group, &res);
}

/// The least number of labelled spans per type in the second held-out set: names and accounts,
/// where the redactor was weakest, weigh most.
const HELDOUT2_MIN_SPANS: [(PiiKind, usize); 8] = [
    (PiiKind::Name, 60),
    (PiiKind::Account, 50),
    (PiiKind::Id, 25),
    (PiiKind::Card, 25),
    (PiiKind::Phone, 25),
    (PiiKind::Address, 25),
    (PiiKind::Email, 25),
    (PiiKind::Dob, 25),
];

/// The licence each source of the second held-out set carries.
const HELDOUT2_LICENCES: [(&str, &str); 6] = [
    ("sgd", "CC BY-SA 4.0"),
    ("taskmaster", "CC BY 4.0"),
    ("multiwoz21", "MIT"),
    ("crosswoz", "Apache-2.0"),
    ("kdconv", "Apache-2.0"),
    ("written", "callqa"),
];

/// The dialogue of a corpus line (`<source>:<dialog_id>:<turn>`); None for written cases.
fn dialogue(id: &str) -> Option<&str> {
    let mut parts = id.split(':');
    let (_, d, _) = (parts.next()?, parts.next()?, parts.next()?);
    Some(d)
}

/// What a later held-out set must hold beyond [`assert_sound`].
struct Later<'a> {
    split: &'a str,
    utterances: std::ops::RangeInclusive<usize>,
    licences: &'a [(&'a str, &'a str)],
    /// Types with at least 25 spans in each language.
    both_languages: &'a [PiiKind],
    /// Sets no line of which (nor any dialogue) this one may share.
    earlier: Vec<Item>,
    /// Also refuse a line whose text an earlier set holds (from the fourth set on).
    no_shared_text: bool,
}

/// The soundness of the second and later held-out sets, then their tables printed (not
/// asserted): each was first scored once, after the rules were fixed on the sets before it (see
/// the README, "Personal data").
fn check_later_heldout(set: &[Item], rules: Later<'_>) {
    assert!(
        rules.utterances.contains(&set.len()),
        "{}: {} utterances, not {:?}",
        rules.split,
        set.len(),
        rules.utterances
    );
    let spans = assert_sound(set, rules.split);
    for (k, min) in HELDOUT2_MIN_SPANS {
        let n = spans_of(&spans, k);
        assert!(n >= min, "{k}: {n} labelled spans, fewer than {min}");
    }
    for &kind in rules.both_languages {
        for lang in ["en", "zh"] {
            let n = spans.get(&(kind, lang.to_string())).copied().unwrap_or(0);
            assert!(n >= 25, "{kind}/{lang}: {n} labelled spans, fewer than 25");
        }
    }
    for it in set {
        for (i, a) in it.pii.iter().enumerate() {
            for b in &it.pii[i + 1..] {
                assert!(
                    !overlaps((a.start_char, a.end_char), (b.start_char, b.end_char)),
                    "{}: spans {:?} and {:?} overlap",
                    it.id,
                    a.text,
                    b.text
                );
            }
        }
    }
    let negatives: Vec<&Item> = set
        .iter()
        .filter(|it| it.id.starts_with("written:neg"))
        .collect();
    assert!(
        negatives.len() >= 60,
        "{} written hard negatives, fewer than 60",
        negatives.len()
    );
    for it in &negatives {
        assert!(it.pii.is_empty(), "{}: a hard negative with a label", it.id);
    }
    for it in set {
        let want = rules
            .licences
            .iter()
            .find(|(s, _)| *s == it.source)
            .map(|(_, l)| *l);
        assert_eq!(
            Some(it.licence.as_str()),
            want,
            "{}: source {} with licence {}",
            it.id,
            it.source,
            it.licence
        );
    }
    // Held out: no dialogue that an earlier set drew a line from.
    let seen: std::collections::HashSet<&str> = rules
        .earlier
        .iter()
        .filter_map(|it| dialogue(&it.id))
        .collect();
    let texts: std::collections::HashSet<String> = rules
        .earlier
        .iter()
        .map(|it| it.text.trim().to_lowercase())
        .collect();
    for it in set {
        if let Some(d) = dialogue(&it.id) {
            assert!(
                !seen.contains(d),
                "{}: dialogue {d} is in an earlier set",
                it.id
            );
        }
        assert!(
            !rules.no_shared_text || !texts.contains(&it.text.trim().to_lowercase()),
            "{}: the line is in an earlier set",
            it.id
        );
    }
    let res = evaluate(set, by_lang, true);
    print_tables(set, by_lang, &res);
}

#[test]
fn pii_heldout2_set_is_sound() {
    let earlier = items().into_iter().chain(heldout()).collect();
    check_later_heldout(
        &heldout2(),
        Later {
            split: "heldout2",
            utterances: 450..=600,
            licences: &HELDOUT2_LICENCES,
            both_languages: &[PiiKind::Name],
            earlier,
            no_shared_text: false,
        },
    );
}

/// The licence each source of the third and fourth held-out sets carries.
const HELDOUT3_LICENCES: [(&str, &str); 5] = [
    ("sgd", "CC BY-SA 4.0"),
    ("multiwoz21", "MIT"),
    ("crosswoz", "Apache-2.0"),
    ("kdconv", "Apache-2.0"),
    ("written", "callqa"),
];

#[test]
fn pii_heldout3_set_is_sound() {
    let earlier = items()
        .into_iter()
        .chain(heldout())
        .chain(heldout2())
        .collect();
    check_later_heldout(
        &heldout3(),
        Later {
            split: "heldout3",
            utterances: 450..=600,
            licences: &HELDOUT3_LICENCES,
            both_languages: &[PiiKind::Name, PiiKind::Account],
            earlier,
            no_shared_text: false,
        },
    );
}

#[test]
fn pii_heldout4_set_is_sound() {
    let earlier = items()
        .into_iter()
        .chain(heldout())
        .chain(heldout2())
        .chain(heldout3())
        .collect();
    check_later_heldout(
        &heldout4(),
        Later {
            split: "heldout4",
            utterances: 350..=450,
            licences: &HELDOUT3_LICENCES,
            both_languages: &[PiiKind::Name, PiiKind::Account],
            earlier,
            no_shared_text: true,
        },
    );
}
