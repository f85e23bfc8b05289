//! The PII evaluation set (`eval/pii_eval.jsonl`, built by `eval/build_pii_eval.py` from real
//! call-centre and dialogue corpora, the SYNTHETIC fixture scripts and written cases): precision
//! and recall per entity type, printed as the table the README shows, with the floors asserted.
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
}

#[derive(Deserialize)]
struct Item {
    id: String,
    split: String,
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

fn items() -> Vec<Item> {
    let text = include_str!("../eval/pii_eval.jsonl");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("eval/pii_eval.jsonl line {}: {e}", i + 1))
        })
        .collect()
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Per split ("dev", "test", "all"), per kind.
fn evaluate(items: &[Item], verbose: bool) -> BTreeMap<String, BTreeMap<PiiKind, Count>> {
    let mut out: BTreeMap<String, BTreeMap<PiiKind, Count>> = BTreeMap::new();
    for it in items {
        let ctx = Context {
            agent: it.speaker == "agent",
            question: it.question.as_deref(),
        };
        let pred = find_pii_in(&it.text, &ctx);
        for split in [it.split.as_str(), "all"] {
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

#[test]
fn pii_evaluation_set_meets_the_floors() {
    let items = items();
    assert!(items.len() > 500, "the evaluation set is incomplete");
    let res = evaluate(&items, true);
    for (split, table) in &res {
        let n = items
            .iter()
            .filter(|i| split == "all" || &i.split == split)
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
