//! `callqa check PIPELINE... [--model DIR...]`: validate pipeline configs and the models they
//! name (Whisper file, Silero VAD, classifier folders with their checksums) without touching any
//! audio. Each problem is one line naming the file and the key; exit status 2 when any was found.

use callqa_pipeline::Pipeline;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Pipeline configs to check.
    pub pipelines: Vec<PathBuf>,
    /// Also verify a classifier model folder (`model.onnx` + `model.toml`), e.g. your own
    /// fine-tuned head before naming it in a pipeline. Repeatable.
    #[arg(long)]
    pub model: Vec<PathBuf>,
    /// Check the config only, not the models it names.
    #[arg(long)]
    pub config_only: bool,
}

/// Every problem of one pipeline, or what was verified.
fn check_pipeline(path: &Path, config_only: bool) -> Result<Vec<String>, Vec<String>> {
    let pipeline = Pipeline::load(path).map_err(|e| vec![e.to_string()])?;
    let settings = pipeline.stage_settings().map_err(|e| vec![e.to_string()])?;
    let form = &pipeline.form.config;
    let mut ok = vec![format!(
        "form {} ({} items in {} sections), language {}",
        form.name,
        pipeline.form.items().count(),
        form.sections.len(),
        pipeline.config.pipeline.language
    )];
    if config_only {
        return Ok(ok);
    }
    let mut problems = Vec::new();
    let file = path.display();
    match callqa_models::resolve_whisper(&settings.model) {
        Ok(m) => ok.push(format!(
            "asr.model {} = {} (sha256 {})",
            settings.model,
            m.path.display(),
            &m.sha256[..m.sha256.len().min(12)]
        )),
        Err(e) => problems.push(format!("{file}: asr.model: {e}")),
    }
    match settings.vad_backend() {
        Ok(v) => ok.push(format!("vad backend {v}")),
        Err(e) => problems.push(format!("{file}: vad: {e}")),
    }
    let paths = pipeline.classifier_paths();
    for (key, dir) in [
        ("classifiers.courtesy", &paths.courtesy),
        ("classifiers.script_step", &paths.script_step),
        ("classifiers.sentiment", &paths.sentiment),
    ] {
        if let Err(e) = callqa_classify::verify_model_dir(dir) {
            problems.push(format!("{file}: {key}: {e}"));
        }
    }
    if problems.is_empty() {
        // Loading checks what verifying each folder cannot: the encoder each head names exists
        // and is the one the head was trained on.
        match callqa_classify::Classifiers::load(&paths, 1) {
            Ok(c) => {
                for m in c.model_ids() {
                    ok.push(format!(
                        "{} {} (version {}, sha256 {})",
                        m.task,
                        m.dir.display(),
                        m.version,
                        &m.sha256[..m.sha256.len().min(12)]
                    ));
                }
            }
            Err(e) => problems.push(format!("{file}: classifiers: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(ok)
    } else {
        Err(problems)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.pipelines.is_empty() && args.model.is_empty() {
        anyhow::bail!("nothing to check: give pipeline files or --model DIR");
    }
    let mut failed = 0usize;
    for p in &args.pipelines {
        match check_pipeline(p, args.config_only) {
            Ok(lines) => {
                println!("{}: ok", p.display());
                for l in lines {
                    println!("  {l}");
                }
            }
            Err(problems) => {
                failed += 1;
                for l in problems {
                    eprintln!("callqa: {l}");
                }
            }
        }
    }
    for dir in &args.model {
        match callqa_classify::verify_model_dir(dir) {
            Ok(md) => println!(
                "{}: ok ({} model, labels {})",
                dir.display(),
                md.manifest.task,
                md.manifest.labels.join(", ")
            ),
            Err(e) => {
                failed += 1;
                eprintln!("callqa: {e}");
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
