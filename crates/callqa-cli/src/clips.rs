//! `callqa clips --out DIR --pack PACKDIR --item ITEM (--best N | --worst N)`: a trainer's clip
//! pack of the best or worst examples of one evaluation item (WAV clips with the redaction tone,
//! redacted transcripts, `index.html`, `manifest.csv`); the work is in `callqa-clips`.

use anyhow::Context;
use callqa_clips::{ClipsConfig, Filter, Pick};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("pick").required(true).args(["best", "worst"])))]
pub struct Args {
    /// Output directory of `callqa score`.
    #[arg(long)]
    pub out: PathBuf,
    /// Folder to write the pack to (created; an earlier pack there is replaced).
    #[arg(long)]
    pub pack: PathBuf,
    /// Evaluation item id (greeting, farewell, courtesy, dead_air, ...).
    #[arg(long)]
    pub item: String,
    /// The N most confident passes.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub best: Option<u32>,
    /// The N clearest fails (auto-fails first).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub worst: Option<u32>,
    /// Only this agent's calls.
    #[arg(long)]
    pub agent: Option<String>,
    /// Only this team's calls.
    #[arg(long)]
    pub team: Option<String>,
    /// Only calls on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<callqa_clips::NaiveDate>,
    /// Seconds of context before and after the moment.
    #[arg(long, default_value_t = 3.0, value_parser = seconds)]
    pub context_s: f64,
    /// Length of the moment shown when the item has nothing to point at (a step not said), seconds.
    #[arg(long, default_value_t = 8.0, value_parser = seconds)]
    pub absence_s: f64,
    /// Folder that relative recording paths in the store are resolved against (default: the
    /// current directory).
    #[arg(long)]
    pub audio_root: Option<PathBuf>,
    /// Print the pack as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{s:?}: {e}"))?;
    if !(0.0..=600.0).contains(&v) {
        return Err(format!("{v} is not in 0-600 seconds"));
    }
    Ok(v)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pick = match (args.best, args.worst) {
        (Some(n), _) => Pick::Best(n as usize),
        (_, Some(n)) => Pick::Worst(n as usize),
        _ => anyhow::bail!("give --best N or --worst N"),
    };
    let mut cfg = ClipsConfig::new(&args.item, pick);
    cfg.filter = Filter {
        agent: args.agent,
        team: args.team,
        since: args.since,
    };
    cfg.context_ms = (args.context_s * 1000.0).round() as i64;
    cfg.absence_ms = (args.absence_s * 1000.0).round() as i64;
    cfg.audio_root = args.audio_root;
    let pack = callqa_clips::build_pack(&args.out, &args.pack, &cfg)
        .with_context(|| format!("cannot build the clip pack in {}", args.pack.display()))?;
    if args.json {
        let clips: Vec<serde_json::Value> = pack
            .clips
            .iter()
            .map(|c| {
                serde_json::json!({
                    "rank": c.rank,
                    "call_id": c.call_id,
                    "agent_id": c.agent_id,
                    "result": c.result,
                    "confidence": c.confidence,
                    "moment": c.moment.kind.as_str(),
                    "clip_file": c.clip_file,
                    "clip_start_ms": c.clip_start_ms,
                    "clip_end_ms": c.clip_end_ms,
                    "redactions": c.redactions.len(),
                })
            })
            .collect();
        let skipped: Vec<serde_json::Value> = pack
            .skipped
            .iter()
            .map(|s| serde_json::json!({"call_id": s.call_id, "reason": s.reason}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "pack": pack.dir.display().to_string(),
                "candidates": pack.candidates,
                "clips": clips,
                "skipped": skipped,
            })
        );
    } else {
        println!(
            "{:>4} {:<40} {:<8} {:<6} {:>5} {:>8} {:<15} clip",
            "rank", "call", "agent", "result", "conf", "secs", "moment"
        );
        for c in &pack.clips {
            println!(
                "{:>4} {:<40} {:<8} {:<6} {:>5.2} {:>8.1} {:<15} {}",
                c.rank,
                c.call_id,
                c.agent_id.as_deref().unwrap_or("-"),
                c.result,
                c.confidence,
                (c.clip_end_ms - c.clip_start_ms) as f64 / 1000.0,
                c.moment.kind.as_str(),
                c.clip_file
            );
        }
        for s in &pack.skipped {
            eprintln!("callqa clips: skipped {}: {}", s.call_id, s.reason);
        }
    }
    eprintln!(
        "callqa clips: {} of {} matching calls written to {} (index.html, manifest.csv)",
        pack.clips.len(),
        pack.candidates,
        pack.dir.display()
    );
    if pack.clips.is_empty() && !pack.skipped.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
