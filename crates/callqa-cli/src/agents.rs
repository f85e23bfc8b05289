//! `callqa agents --out DIR --period week|month`: agent performance summaries from the stored
//! `call_scores` and `evaluations` — calls, mean / p10 / p90 score, auto-fails, calls flagged for
//! review, pass rate per canonical item, rank in team and the change against the previous period. Writes the
//! `agent_summary` table under DIR (replacing that period kind's previous summary) and prints it.

use anyhow::Context;
use callqa_core::EVALUATION_ITEMS;
use callqa_store::Period;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory of `callqa score`.
    #[arg(long)]
    pub out: PathBuf,
    /// Group calls by ISO week or calendar month.
    #[arg(long, default_value = "week")]
    pub period: Period,
    /// One JSON object per agent and period on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.out.join(callqa_store::LEDGER_DIR).is_dir() {
        anyhow::bail!(
            "{}: not a callqa output directory (run `callqa score ... --out {}` first)",
            args.out.display(),
            args.out.display()
        );
    }
    let rows = callqa_store::agent_summary(&args.out, args.period)
        .with_context(|| format!("{}: cannot read the stored scores", args.out.display()))?;
    callqa_store::write_agent_summary(&args.out, args.period, &rows)
        .with_context(|| format!("{}: cannot write agent_summary", args.out.display()))?;
    if args.json {
        for r in &rows {
            println!("{}", r.to_json("pass_rate"));
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<12} {:<12} {:<10} {:>5} {:>6} {:>6} {:>6} {:>5} {:>6} {:>4} {:>7}  lowest item pass rates",
        "period",
        "team",
        "agent",
        "calls",
        "mean",
        "p10",
        "p90",
        "fails",
        "review",
        "rank",
        "change"
    );
    for r in &rows {
        let mut items: Vec<(&str, f64)> = EVALUATION_ITEMS
            .iter()
            .filter_map(|i| r.pass_rate(i).map(|p| (*i, p)))
            .collect();
        items.sort_by(|a, b| a.1.total_cmp(&b.1));
        let worst: Vec<String> = items
            .iter()
            .take(3)
            .map(|(i, p)| format!("{i} {:.0}%", p * 100.0))
            .collect();
        println!(
            "{:<12} {:<12} {:<10} {:>5} {:>6.1} {:>6.1} {:>6.1} {:>5} {:>6} {:>4} {:>7}  {}",
            r.period_start.to_string(),
            r.team.as_deref().unwrap_or("-"),
            r.agent_id,
            r.calls,
            r.mean_score,
            r.p10_score,
            r.p90_score,
            r.auto_fail_count,
            r.needs_review_count,
            r.rank_in_team,
            fmt_opt(r.mean_score_change, 1),
            worst.join(", ")
        );
    }
    let review: u32 = rows.iter().map(|r| r.needs_review_count).sum();
    eprintln!(
        "callqa agents: {} rows ({}) written to {}; {review} calls need review (call_scores.needs_review)",
        rows.len(),
        args.period.as_str(),
        args.out.join("agent_summary").display()
    );
    Ok(ExitCode::SUCCESS)
}
