//! `callqa forget CALL_ID... --out DIR` and `callqa forget --older-than 365d --out DIR`.

use anyhow::{Context, bail};
use callqa_pipeline::forget::{self, Which};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Call ids to remove from every table.
    pub call_ids: Vec<String>,
    /// Remove the calls dated (call_date) more than this long before today: days or weeks, e.g.
    /// 365d or 52w.
    #[arg(long, value_name = "AGE", conflicts_with = "call_ids")]
    pub older_than: Option<String>,
    /// Output directory of `callqa score`. Nothing else may write it meanwhile: forget fails at
    /// once while a run holds it.
    #[arg(long)]
    pub out: PathBuf,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let which = match (&args.older_than, args.call_ids.is_empty()) {
        (Some(age), _) => Which::OlderThanDays(forget::parse_age(age).map_err(anyhow::Error::msg)?),
        (None, false) => Which::Calls(args.call_ids.clone()),
        (None, true) => bail!("nothing to forget: give call ids or --older-than AGE"),
    };
    let today = forget::today();
    let s = forget::forget(&args.out, &which, today, None)
        .with_context(|| format!("{}: cannot forget calls", args.out.display()))?;
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "callqa forget: {} -> {} call(s) removed",
        s.out.display(),
        s.calls
    );
    if let Some(c) = s.cutoff {
        text.push_str(&format!(" (dated before {c})"));
    }
    text.push('\n');
    for (table, n) in &s.removed {
        text.push_str(&format!("  {table:<12} {n} row(s)\n"));
    }
    if s.redacted_audio_deleted > 0 {
        text.push_str(&format!(
            "  redacted audio files deleted: {}\n",
            s.redacted_audio_deleted
        ));
    }
    if !s.not_found.is_empty() {
        text.push_str(&format!("  not in the store: {}\n", s.not_found.join(", ")));
    }
    eprint!("{text}");
    Ok(ExitCode::SUCCESS)
}
