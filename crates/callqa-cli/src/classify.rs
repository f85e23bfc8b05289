//! `callqa classify`: courtesy, script steps and sentiment of sentences.
//!
//! `--text "..."` (repeatable) judges the given sentences; `--file FILE` each non-empty line of a
//! file (`-` = stdin). Text output, per sentence: the text, then `courtesy`, `script_steps` (each
//! step with its probability and character span, best first), `script_step` (the whole sentence's
//! top step) and `sentiment`. `--json` prints one JSON object per sentence with at least `text`,
//! `courtesy`, `courtesy_score`, `script_steps` (step labels, best first), `sentiment`,
//! `sentiment_score`; also `script_step`, `script_step_score`, `script_step_spans` (objects with
//! `step`, `score`, `char_start`, `char_end`, `text`) and `distributions` (label → probability per
//! task). `--models DIR` reads the models from another root (`DIR/classifiers/<task>/`,
//! `DIR/encoder/<name>/`) instead of `$CALLQA_HOME/models`.
//!
//! `--bench` measures utterances per second at batch sizes 1, 8 and 32 for every encoder variant
//! (`*.onnx` with a checksum in the encoder's `model.toml`) on the given sentences (or a built-in
//! 20-utterance call), and prints one line per setting (`--json`: one object per line).
use anyhow::{Context, bail};
use callqa_classify::{
    ClassifierPaths, Classifiers, Judgement, LoadOptions, default_models_root, step_labels,
};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// A sentence to judge (repeat for several).
    #[arg(long)]
    pub text: Vec<String>,
    /// Judge each non-empty line of this file (`-` for stdin).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Language of the text: zh, en or auto (picks the clause-splitting cues).
    #[arg(long, default_value = "auto")]
    pub lang: String,
    /// One JSON object per sentence, one per line.
    #[arg(long)]
    pub json: bool,
    /// Models root (default `$CALLQA_HOME/models`, i.e. `~/.cache/callqa/models`).
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Intra-op threads per ONNX session (1 is as fast on a quiet 2-core machine and much
    /// faster on a busy one).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Sentences per encoder run.
    #[arg(long, default_value_t = 8)]
    pub batch_size: usize,
    /// Load this ONNX file of the encoder folder instead of the manifest's (e.g. an int8 variant).
    #[arg(long)]
    pub encoder_file: Option<String>,
    /// Measure utterances per second (batch sizes 1/8/32, each encoder variant) instead of
    /// printing judgements.
    #[arg(long)]
    pub bench: bool,
    /// Seconds to spend per bench setting (at least one pass over the sentences).
    #[arg(long, default_value_t = 3.0)]
    pub bench_seconds: f64,
}

/// A 20-utterance Mandarin/English call (synthetic), used by `--bench` without `--file`/`--text`.
const BENCH_CALL: [&str; 20] = [
    "您好，欢迎致电中国移动，我是10086号客服，请问有什么可以帮您？",
    "你好，我这个月的话费怎么多扣了五十块钱",
    "很抱歉给您带来不便，请问您是机主本人吗？",
    "对，是我本人",
    "好的，麻烦您提供一下身份证后四位",
    "一二三四",
    "好的，请您稍等，我帮您查询一下",
    "嗯",
    "感谢您的耐心等待，查到您本月开通了一个视频会员业务",
    "我没开过啊，这是怎么回事",
    "这个业务是在本月三号通过短信开通的，我现在帮您退订，费用会在三个工作日内退回",
    "那好吧，谢谢",
    "总结一下，已经帮您退订视频会员，五十元三个工作日内退回，请问还有其他可以帮您的吗？",
    "没有了",
    "感谢您的来电，祝您生活愉快，再见",
    "Hello, thank you for calling. My name is Sarah, how can I help you today?",
    "I was charged twice for my subscription and I'm really annoyed.",
    "I'm sorry to hear that. Could you confirm your account number, please?",
    "Is there anything else I can help you with?",
    "Thank you for calling, have a nice day.",
];

fn read_inputs(args: &Args) -> anyhow::Result<Vec<String>> {
    let mut texts: Vec<String> = args.text.clone();
    if let Some(file) = &args.file {
        let reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let f = std::fs::File::open(file)
                .with_context(|| format!("{}: cannot open", file.display()))?;
            Box::new(std::io::BufReader::new(f))
        };
        for (n, line) in reader.lines().enumerate() {
            let line =
                line.with_context(|| format!("{}: line {}: cannot read", file.display(), n + 1))?;
            let line = line.trim();
            if !line.is_empty() {
                texts.push(line.to_string());
            }
        }
    }
    Ok(texts)
}

fn paths(args: &Args) -> (PathBuf, ClassifierPaths) {
    let root = args.models.clone().unwrap_or_else(default_models_root);
    let paths = ClassifierPaths::under(&root);
    (root, paths)
}

fn load(
    paths: &ClassifierPaths,
    root: &Path,
    options: &LoadOptions,
) -> anyhow::Result<Classifiers> {
    Classifiers::load_with(paths, options).with_context(|| {
        format!(
            "cannot load the classifiers from {} (build them with the models set-up, or point \
             --models at a folder with classifiers/<task>/ and encoder/<name>/)",
            root.display()
        )
    })
}

fn distribution(l: &callqa_classify::Label) -> serde_json::Value {
    serde_json::Value::Object(
        l.distribution
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect(),
    )
}

fn json_line(text: &str, j: &Judgement) -> serde_json::Value {
    let chars: Vec<char> = text.chars().collect();
    let spans: Vec<serde_json::Value> = j
        .script_steps
        .iter()
        .map(|h| {
            let span: String = chars
                .get(h.char_start..h.char_end)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            serde_json::json!({
                "step": h.step,
                "score": h.score,
                "char_start": h.char_start,
                "char_end": h.char_end,
                "text": span,
            })
        })
        .collect();
    serde_json::json!({
        "text": text,
        "courtesy": j.courtesy.label,
        "courtesy_score": j.courtesy.score,
        "script_steps": step_labels(&j.script_steps),
        "script_step_spans": spans,
        "script_step": j.script_step.label,
        "script_step_score": j.script_step.score,
        "sentiment": j.sentiment.label,
        "sentiment_score": j.sentiment.score,
        "distributions": {
            "courtesy": distribution(&j.courtesy),
            "script_step": distribution(&j.script_step),
            "sentiment": distribution(&j.sentiment),
        },
    })
}

fn text_block(text: &str, j: &Judgement) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut s = format!("{text}\n");
    s += &format!(
        "  courtesy     {} {:.2}\n",
        j.courtesy.label, j.courtesy.score
    );
    if j.script_steps.is_empty() {
        s += "  script_steps (none)\n";
    }
    for (i, h) in j.script_steps.iter().enumerate() {
        let span: String = chars
            .get(h.char_start..h.char_end)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        let head = if i == 0 {
            "  script_steps"
        } else {
            "              "
        };
        s += &format!(
            "{head} {} {:.2} [{}..{}] {span}\n",
            h.step, h.score, h.char_start, h.char_end
        );
    }
    s += &format!(
        "  script_step  {} {:.2} (whole sentence)\n",
        j.script_step.label, j.script_step.score
    );
    s += &format!(
        "  sentiment    {} {:.2}\n",
        j.sentiment.label, j.sentiment.score
    );
    s
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut texts = read_inputs(&args)?;
    let (root, paths) = paths(&args);
    if args.bench {
        if texts.is_empty() {
            texts = BENCH_CALL.iter().map(|s| s.to_string()).collect();
        }
        return bench(&args, &root, &paths, &texts);
    }
    if texts.is_empty() {
        bail!("nothing to classify: give --text \"...\" or --file FILE");
    }
    let options = LoadOptions {
        threads: args.threads,
        batch_size: args.batch_size,
        encoder_file: args.encoder_file.clone(),
    };
    let classifiers = load(&paths, &root, &options)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Classify in chunks so a long file streams and memory stays bounded.
    for chunk in texts.chunks(256) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let judged = classifiers.classify_texts(&refs, &args.lang)?;
        for (text, j) in chunk.iter().zip(&judged) {
            if args.json {
                writeln!(out, "{}", json_line(text, j))?;
            } else {
                writeln!(out, "{}", text_block(text, j))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// ONNX files in the encoder folder the script-step head uses whose checksum the manifest lists.
fn encoder_variants(paths: &ClassifierPaths) -> Vec<String> {
    let Ok(head) = callqa_classify::ModelManifest::read(&paths.script_step) else {
        return Vec::new();
    };
    let Some(name) = head.encoder else {
        return Vec::new();
    };
    let dir = paths.encoders.join(name);
    let Ok(enc) = callqa_classify::EncoderManifest::read(&dir) else {
        return Vec::new();
    };
    let default = enc.model.clone().unwrap_or_else(|| "model.onnx".into());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".onnx"))
        .filter(|n| {
            let table = callqa_classify::checksum_table(
                enc.sha256.as_ref(),
                enc.model_sha256.as_deref(),
                None,
                &default,
                None,
            );
            table.contains_key(n)
        })
        .collect();
    files.sort();
    files
}

fn bench(
    args: &Args,
    root: &Path,
    paths: &ClassifierPaths,
    texts: &[String],
) -> anyhow::Result<ExitCode> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut variants: Vec<Option<String>> = match &args.encoder_file {
        Some(f) => vec![Some(f.clone())],
        None => encoder_variants(paths).into_iter().map(Some).collect(),
    };
    if variants.is_empty() {
        variants.push(None);
    }
    // Encoder inputs per pass: every text, plus each clause of multi-clause texts.
    let mut inputs: Vec<String> = texts.to_vec();
    for t in texts {
        let clauses = callqa_classify::split_clauses(t, &args.lang);
        if clauses.len() > 1 {
            inputs.extend(clauses.into_iter().map(|c| c.text));
        }
    }
    inputs.sort();
    inputs.dedup();
    let encodes = inputs.len();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for variant in variants {
        let options = LoadOptions {
            threads: args.threads,
            batch_size: 1,
            encoder_file: variant.clone(),
        };
        let started = Instant::now();
        let mut classifiers = load(paths, root, &options)?;
        let load_s = started.elapsed().as_secs_f64();
        // Warm up (first runs allocate and optimise).
        classifiers.classify_texts(&refs, &args.lang)?;
        for batch in [1usize, 8, 32] {
            classifiers.set_batch_size(batch);
            let started = Instant::now();
            let mut done = 0usize;
            loop {
                classifiers.classify_texts(&refs, &args.lang)?;
                done += refs.len();
                if started.elapsed().as_secs_f64() >= args.bench_seconds {
                    break;
                }
            }
            let secs = started.elapsed().as_secs_f64();
            let per_s = done as f64 / secs;
            let encoder = variant.as_deref().unwrap_or("model.onnx");
            if args.json {
                let line = serde_json::json!({
                    "encoder_file": encoder,
                    "threads": args.threads,
                    "batch_size": batch,
                    "utterances": done,
                    "seconds": secs,
                    "utterances_per_s": per_s,
                    "encoder_inputs_per_utterance": encodes as f64 / texts.len().max(1) as f64,
                    "ms_per_20_utterance_call": 20_000.0 / per_s,
                    "load_s": load_s,
                });
                writeln!(out, "{line}")?;
            } else {
                writeln!(
                    out,
                    "encoder {encoder:<18} threads {} batch {batch:>2}: {per_s:7.1} utterances/s \
                     ({:6.1} ms per 20-utterance call; {done} utterances in {secs:.2} s; {:.1} \
                     encoder inputs per utterance; load {load_s:.2} s)",
                    args.threads,
                    20_000.0 / per_s,
                    encodes as f64 / texts.len().max(1) as f64
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
