//! End-to-end: installed (converted) models transcribe real speech with whisper-rs.
//! Skips (prints, passes) when the model cache or ../shared data is absent.
use std::path::{Path, PathBuf};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    p.is_dir().then_some(p)
}

fn model(name: &str) -> Option<PathBuf> {
    match callqa_models::resolve_whisper(name) {
        Ok(m) => Some(m.path),
        Err(e) => {
            eprintln!("SKIP: {e}");
            None
        }
    }
}

fn read_wav(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).expect("test wav");
    let spec = r.spec();
    assert_eq!(spec.sample_rate, 16_000, "{}", path.display());
    let ch = spec.channels as usize;
    let s: Vec<f32> = r
        .samples::<i16>()
        .map(|x| x.expect("sample") as f32 / 32768.0)
        .collect();
    s.chunks(ch)
        .map(|c| c.iter().sum::<f32>() / ch as f32)
        .collect()
}

fn transcribe(model: &Path, wav: &Path, lang: &str) -> String {
    let ctx = WhisperContext::new_with_params(
        model.to_str().expect("utf8 path"),
        WhisperContextParameters::default(),
    )
    .expect("load model");
    let mut st = ctx.create_state().expect("state");
    let mut p = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    p.set_n_threads(1);
    p.set_language(Some(lang));
    p.set_print_progress(false);
    p.set_print_realtime(false);
    p.set_print_special(false);
    st.full(p, &read_wav(wav)).expect("transcribe");
    st.as_iter()
        .map(|s| s.to_str_lossy().expect("text").into_owned())
        .collect::<Vec<_>>()
        .join("")
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
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

const JFK: &str = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

fn check_jfk(name: &str) {
    let (Some(data), Some(m)) = (shared(), model(name)) else {
        eprintln!("SKIP: model {name} or ../shared/data absent");
        return;
    };
    let got = transcribe(&m, &data.join("asr_en/jfk.wav"), "en");
    let (r, h) = (words(JFK), words(&got));
    let wer = edit_distance(&r, &h) as f64 / r.len() as f64;
    println!("{name} jfk: {got:?} WER {:.1} %", wer * 100.0);
    assert!(wer <= 0.05, "{name}: WER {wer} for {got:?}");
}

#[test]
fn tiny_en_transcribes_jfk() {
    check_jfk("tiny.en");
}

#[test]
fn q8_0_models_transcribe_jfk() {
    check_jfk("tiny.en-q8_0");
    check_jfk("base-q8_0");
}

#[test]
fn base_transcribes_jfk() {
    check_jfk("base");
}

#[test]
fn base_transcribes_mandarin() {
    let (Some(data), Some(m)) = (shared(), model("base")) else {
        eprintln!("SKIP: model base or ../shared/data absent");
        return;
    };
    let manifest = std::fs::read_to_string(data.join("asr_zh/manifest.jsonl")).expect("manifest");
    let cjk = |s: &str| {
        s.chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .collect::<Vec<_>>()
    };
    // The two AISHELL-1 read-speech clips (human references).
    for line in manifest.lines().filter(|l| l.contains("aishell1_")).take(2) {
        let item: serde_json::Value = serde_json::from_str(line).expect("json");
        let file = item["file"].as_str().expect("file field");
        let reference = item["reference"].as_str().unwrap_or("");
        let got = transcribe(&m, &data.join("asr_zh").join(file), "zh");
        let (r, h) = (cjk(reference), cjk(&got));
        assert!(!h.is_empty(), "{file}: no CJK output: {got:?}");
        let cer = edit_distance(&r, &h) as f64 / r.len().max(1) as f64;
        println!(
            "base zh {file}: {got:?} vs {reference:?}: CER {:.1} %",
            cer * 100.0
        );
    }
}
