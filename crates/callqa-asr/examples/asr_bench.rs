//! Accuracy and speed of full vs reduced encoder audio context.
//!
//! `cargo run --release -p callqa-asr --example asr_bench -- MODEL LANG 'FILE|REFERENCE'...`
//! Prints, per file and setting, wall seconds (best of 2, settings alternated) for VAD + ASR, the
//! error rate against the reference (WER for `en`, CER otherwise; all channels' text joined in
//! turn order) and the hypothesis.

use callqa_asr::{AsrConfig, ChannelLayout, Transcriber, WhisperModel};
use callqa_vad::{Vad, VadConfig};
use std::path::Path;
use std::time::Instant;

fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn units(s: &str, words: bool) -> Vec<String> {
    let s = callqa_asr::filter::normalize_zh(&s.to_lowercase());
    if words {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| c.to_string())
            .collect()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err("usage: asr_bench MODEL LANG 'FILE|REFERENCE'...".into());
    }
    let model = WhisperModel::load(Path::new(&args[0]))?;
    let lang = args[1].clone();
    let vad = Vad::new(&VadConfig::default())?;
    let mut workers = Vec::new();
    for reduce in [false, true] {
        let cfg = AsrConfig {
            language: lang.clone(),
            reduce_audio_ctx: reduce,
            ..AsrConfig::default()
        };
        workers.push(Transcriber::new(&model, cfg)?);
    }
    let mut totals = [(0usize, 0usize, 0f64); 2];
    let mut audio_total = 0f64;
    for spec in &args[2..] {
        let (file, reference) = spec.split_once('|').unwrap_or((spec.as_str(), ""));
        let ch = callqa_audio::decode_16k(Path::new(file), &Default::default())?.channels;
        let audio_s = ch[0].len() as f64 / 16_000.0;
        audio_total += audio_s;
        let reference = units(reference, lang == "en");
        let mut best = [f64::MAX; 2];
        let mut hyp = [String::new(), String::new()];
        for _round in 0..2 {
            for (k, w) in workers.iter_mut().enumerate() {
                let t0 = Instant::now();
                let t = w.transcribe_call(&vad, &ch, &ChannelLayout::default())?;
                best[k] = best[k].min(t0.elapsed().as_secs_f64());
                hyp[k] = t
                    .utterances
                    .iter()
                    .map(|u| u.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        for k in 0..2 {
            let h = units(&hyp[k], lang == "en");
            let e = edit_distance(&reference, &h);
            totals[k].0 += e;
            totals[k].1 += reference.len();
            totals[k].2 += best[k];
            println!(
                "{file}\t{}\t{audio_s:.1}s\t{:.2}s\t{:.1}x\terr {}/{} = {:.1}%\t{}",
                if k == 0 { "full" } else { "reduced" },
                best[k],
                audio_s / best[k],
                e,
                reference.len(),
                100.0 * e as f64 / reference.len().max(1) as f64,
                hyp[k]
            );
        }
    }
    for (k, (e, n, s)) in totals.iter().enumerate() {
        println!(
            "TOTAL {}\taudio {audio_total:.1}s\twall {s:.2}s\t{:.1}x\terr {e}/{n} = {:.1}%",
            if k == 0 { "full" } else { "reduced" },
            audio_total / s,
            100.0 * *e as f64 / (*n).max(1) as f64
        );
    }
    Ok(())
}
