//! `callqa score INPUTS... --pipeline P --out DIR` and `callqa rescore --from DIR --pipeline P`.
//!
//! Progress: a bar with ETA when stderr is a terminal, one log line per call otherwise. At the
//! end a one-screen summary (calls scored, skipped, failed, mean score, time per stage) on
//! stderr, or with `--json` one JSON object on stdout. Exit status: 0 when every call was scored
//! or skipped, 2 when some failed (the `errors` table says which), 1 when the run could not start.

use anyhow::{Context, bail};
use callqa_pipeline::dates::DateRange;
use callqa_pipeline::nightly::RunReport;
use callqa_pipeline::{
    CallEvent, CallStatus, Engines, Pipeline, Progress, RunOptions, RunSummary, inputs,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Recordings and folders of recordings (walked recursively).
    pub inputs: Vec<PathBuf>,
    /// Manifest CSV: `call_id,path,agent_id,team,direction,started_at` (extra columns kept; a
    /// `pipeline` column picks the pipeline by name). Repeatable.
    #[arg(long)]
    pub manifest: Vec<PathBuf>,
    /// Pipeline config. Repeat to score a mixed batch: each call goes to the pipeline its
    /// manifest row names, else the first whose direction (and language column) matches.
    #[arg(long, required = true)]
    pub pipeline: Vec<PathBuf>,
    /// Output directory for the tables. Several runs may write one at once (each call is scored
    /// once: a call another run has in flight is skipped and counted as claimed elsewhere).
    #[arg(long)]
    pub out: PathBuf,
    /// Parallel workers, each with its own Whisper state [default: cores / ASR threads].
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Calls per committed shard (a killed run loses at most one shard's work).
    #[arg(long, default_value_t = 8)]
    pub shard_calls: usize,
    /// Score only shard I of N (0-based) of the inputs, by a stable hash of `call_id`: N
    /// processes given the same inputs (same manifest) each take a disjoint part, together all.
    /// Any number of runs may write one --out at once; each call is scored once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<callqa_pipeline::shard::Shard>,
    /// Replace the stored scorings of the calls scored now (same call_id, scored before under an
    /// older pipeline version or other models), atomically; needs --out to itself (fails at once
    /// while another run writes it). Without it the older scorings stay in the tables and
    /// `agents`, `report` and `serve` count each call's newest scoring only.
    #[arg(long)]
    pub supersede: bool,
    /// Score only the calls of this day (YYYY-MM-DD, today, yesterday, -Nd): their call_date,
    /// from the manifest's started_at, the file name, else a dated folder (.../2026/12/03/... or
    /// .../2026-12-03/...), else the file's modification date.
    #[arg(long, value_name = "DAY", conflicts_with = "since")]
    pub date: Option<String>,
    /// Score only the calls of this day and later (same forms as --date).
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Write a run report (JSON: counts, failures with call id/stage/kind, durations, versions of
    /// callqa, pipelines and models, exit status) to this file, also when the run cannot start.
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// The exit statuses of `score` (and `rescore`), shown in `--help`.
pub const EXIT_CODES: &str = "Exit status: 0 every call scored or skipped; 2 the run finished and some calls failed (listed in --report and the errors table); 1 the run could not start or had to stop (bad arguments or pipeline, models missing, output folder locked or unwritable).";

#[derive(clap::Args)]
pub struct RescoreArgs {
    /// Output directory of an earlier `callqa score` run (its stored transcripts are reused).
    #[arg(long)]
    pub from: PathBuf,
    /// Pipeline config(s) with the new form and classifiers. Repeatable: each stored call goes to
    /// the pipeline of its stored pipeline name, else the first whose direction and language
    /// match; calls no given pipeline matches are left untouched (counted as `untouched`).
    #[arg(long, required = true)]
    pub pipeline: Vec<PathBuf>,
    /// Where to write the new tables [default: replace the scores in --from, atomically]. Needs
    /// the folder to itself: fails at once while a `callqa score` writes it.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// Flags `score` and `rescore` share.
#[derive(clap::Args)]
pub struct RunFlags {
    /// Run id (letters, digits, `.`, `_`, `-`) [default: UTC start time and process id].
    #[arg(long)]
    pub run_id: Option<String>,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress bar even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
}

/// True when `score`/`rescore` will draw a bar (then per-call log lines stay quiet).
pub fn draws_bar(no_progress: bool) -> bool {
    !no_progress && std::io::stderr().is_terminal()
}

struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new(no_progress: bool) -> Reporter {
        Reporter {
            bar: draws_bar(no_progress).then(|| {
                let bar = ProgressBar::new(0);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} calls, ETA {eta} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar
            }),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn started(&self, calls: usize) {
        if let Some(b) = &self.bar {
            b.set_length(calls as u64);
        }
        tracing::info!(calls, "run started");
    }

    fn call_finished(&self, e: &CallEvent) {
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(e.call_id.to_string());
                if let CallStatus::Failed { message, .. } = e.status {
                    b.suspend(|| eprintln!("callqa: {message}"));
                }
            }
            None => match e.status {
                CallStatus::Scored {
                    total_score,
                    auto_fail,
                } => tracing::info!(
                    call_id = e.call_id,
                    total_score,
                    auto_fail,
                    audio_s = e.audio_s,
                    "scored"
                ),
                CallStatus::Skipped { reason } => {
                    tracing::info!(call_id = e.call_id, reason = %reason, "skipped")
                }
                CallStatus::Failed { stage, message } => {
                    tracing::warn!(call_id = e.call_id, stage = %stage, "failed");
                    eprintln!("callqa: {message}");
                }
            },
        }
    }

    fn shard_committed(&self, shard: u32, calls: usize) {
        tracing::debug!(shard, calls, "shard committed");
    }
}

fn load_pipelines(paths: &[PathBuf]) -> anyhow::Result<Vec<Pipeline>> {
    paths
        .iter()
        .map(|p| Pipeline::load(p).map_err(anyhow::Error::from))
        .collect()
}

/// The summary screen.
fn render(verb: &str, s: &RunSummary) -> String {
    let mut out = format!(
        "callqa {verb}: run {} -> {}\n  calls       {} (scored {}, skipped {}, failed {})\n",
        s.run_id,
        s.out.display(),
        s.calls,
        s.scored,
        s.skipped,
        s.failed
    );
    if s.claimed_elsewhere > 0 {
        out.push_str(&format!(
            "  in flight   {} skipped: another run writing this folder had them claimed\n",
            s.claimed_elsewhere
        ));
    }
    if s.undated > 0 {
        out.push_str(&format!(
            "  undated     {} call(s) without a date (manifest started_at, [metadata] filename_pattern, dated folder): dated by file modification time (calls.started_at_source)\n",
            s.undated
        ));
    }
    if s.superseded > 0 {
        out.push_str(&format!(
            "  superseded  {} older scoring(s) of these calls replaced\n",
            s.superseded
        ));
    }
    if s.untouched > 0 {
        out.push_str(&format!(
            "  untouched   {} (no given pipeline matches their stored pipeline, direction and language)\n",
            s.untouched
        ));
    }
    match s.mean_score {
        Some(m) => out.push_str(&format!(
            "  mean score  {m:.1} / 100 ({} auto-failed)\n",
            s.auto_failed
        )),
        None => out.push_str("  mean score  - (no call scored in this run)\n"),
    }
    if s.audio_s > 0.0 {
        out.push_str(&format!(
            "  audio       {:.1} s in {:.1} s wall ({:.1}x real time)\n",
            s.audio_s,
            s.wall_s,
            s.audio_s / s.wall_s.max(1e-9)
        ));
    } else {
        out.push_str(&format!("  wall        {:.1} s\n", s.wall_s));
    }
    let mut stages: Vec<(&String, &f64)> = s.stage_s.iter().filter(|(_, v)| **v > 0.0).collect();
    stages.sort_by(|a, b| b.1.total_cmp(a.1));
    if !stages.is_empty() {
        let list: Vec<String> = stages
            .iter()
            .map(|(k, v)| format!("{k} {v:.1} s"))
            .collect();
        out.push_str(&format!(
            "  stages      {} (slowest: {})\n",
            list.join(", "),
            stages[0].0
        ));
    }
    if !s.failed_by_stage.is_empty() {
        let list: Vec<String> = s
            .failed_by_stage
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!(
            "  failed by   {} (details in the errors table)\n",
            list.join(", ")
        ));
    }
    out
}

fn print_summary(verb: &str, summary: &RunSummary, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(summary)?);
    } else {
        eprint!("{}", render(verb, summary));
    }
    Ok(())
}

fn finish(verb: &str, summary: &RunSummary, json: bool) -> anyhow::Result<ExitCode> {
    print_summary(verb, summary, json)?;
    Ok(ExitCode::from(summary.exit_code()))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started_at = chrono::Utc::now();
    let report = args.report.clone();
    let out = args.out.clone();
    let mut loaded: Option<(Engines, Option<DateRange>)> = None;
    let result = run_scoring(args, &mut loaded);
    let Some(path) = report else {
        return result.map(|s| ExitCode::from(s.exit_code()));
    };
    let (engines, dates) = match &loaded {
        Some((e, d)) => (Some(e), *d),
        None => (None, None),
    };
    let r = match (&result, engines) {
        (Ok(summary), Some(engines)) => RunReport::finished(started_at, summary, engines, dates),
        (Ok(_), None) => RunReport::not_run(started_at, &out, "no models loaded", None, dates),
        (Err(e), _) => RunReport::not_run(started_at, &out, &format!("{e:#}"), engines, dates),
    };
    r.write(&path)
        .with_context(|| format!("{}: cannot write the run report", path.display()))?;
    result.map(|_| ExitCode::from(r.exit_code))
}

/// Loads, runs and prints; `loaded` keeps the engines and dates for the report.
fn run_scoring(
    args: Args,
    loaded: &mut Option<(Engines, Option<DateRange>)>,
) -> anyhow::Result<RunSummary> {
    if args.inputs.is_empty() && args.manifest.is_empty() {
        bail!("nothing to score: give recordings, folders or --manifest FILE");
    }
    let today = callqa_pipeline::forget::today();
    let day = |s: &String| callqa_pipeline::dates::parse_day(s, today).map_err(anyhow::Error::msg);
    let dates = match (&args.date, &args.since) {
        (Some(d), _) => Some(DateRange::day(day(d)?)),
        (None, Some(s)) => Some(DateRange::since(day(s)?)),
        (None, None) => None,
    };
    let pipelines = load_pipelines(&args.pipeline)?;
    let pattern = pipelines.first().and_then(|p| p.filename_pattern.clone());
    let date_format = pipelines
        .first()
        .and_then(|p| p.config.metadata.started_at_format.clone());
    let (mut calls, mut errors) =
        inputs::gather_paths_with(&args.inputs, pattern.as_ref(), date_format.as_deref());
    for m in &args.manifest {
        let (c, e) = inputs::read_manifest(m).map_err(anyhow::Error::from)?;
        calls.extend(c);
        errors.extend(e);
    }
    let engines = Engines::load(pipelines, true, 1).context("cannot start the run")?;
    let engines = &loaded.insert((engines, dates)).0;
    let opts = RunOptions {
        jobs: args.jobs,
        shard_calls: args.shard_calls,
        run_id: args.run.run_id.clone(),
        shard: args.shard,
        supersede: args.supersede,
        dates,
        ..RunOptions::new(&args.out)
    };
    let reporter = Reporter::new(args.run.no_progress);
    let summary = callqa_pipeline::score(engines, &calls, &errors, &opts, &reporter);
    reporter.finish();
    let summary = summary?;
    print_summary("score", &summary, args.run.json)?;
    Ok(summary)
}

pub fn rescore(args: RescoreArgs) -> anyhow::Result<ExitCode> {
    let pipelines = load_pipelines(&args.pipeline)?;
    let engines = Engines::load(pipelines, false, 1).context("cannot start the rescore")?;
    let opts = RunOptions {
        run_id: args.run.run_id.clone(),
        ..RunOptions::new(args.out.clone().unwrap_or_else(|| args.from.clone()))
    };
    let reporter = Reporter::new(args.run.no_progress);
    let summary = callqa_pipeline::rescore(&engines, &args.from, &opts, &reporter);
    reporter.finish();
    finish("rescore", &summary?, args.run.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_counts_and_the_slowest_stage() {
        let mut s = RunSummary {
            run_id: "r1".into(),
            out: "out".into(),
            calls: 3,
            scored: 2,
            failed: 1,
            mean_score: Some(81.25),
            audio_s: 120.0,
            wall_s: 30.0,
            ..RunSummary::default()
        };
        s.stage_s.insert("asr".into(), 25.0);
        s.stage_s.insert("decode".into(), 1.0);
        s.failed_by_stage.insert("decode".into(), 1);
        let text = render("score", &s);
        assert!(text.contains("scored 2, skipped 0, failed 1"), "{text}");
        assert!(text.contains("mean score  81.2"), "{text}");
        assert!(text.contains("(slowest: asr)"), "{text}");
        assert!(text.contains("4.0x real time"), "{text}");
        assert!(text.contains("decode 1"), "{text}");
        assert!(!text.contains("in flight"), "{text}");
        s.skipped = 2;
        s.claimed_elsewhere = 2;
        let text = render("score", &s);
        assert!(
            text.contains("in flight   2 skipped: another run writing this folder"),
            "{text}"
        );
    }
}
