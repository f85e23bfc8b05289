//! `callqa report --out DIR --period month|week [--month YYYY-MM | --week YYYY-MM-DD] --html FILE
//! [--human FILE.csv] [--star-min-calls N]`: the period's management report as one
//! self-contained HTML file (the work is in `callqa-report`).

use anyhow::Context;
use callqa_report::{ReportOptions, StoreData, build_report, read_human_csv, render_html};
use callqa_store::Period;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory of `callqa score`.
    #[arg(long)]
    pub out: PathBuf,
    /// Report a calendar month or an ISO week (Monday to Sunday).
    #[arg(long, default_value = "month")]
    pub period: Period,
    /// Month to report, YYYY-MM (with --period month). Default: the latest month with scored calls.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Any day of the week to report, YYYY-MM-DD (with --period week). Default: the latest week
    /// with scored calls.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub week: Option<String>,
    /// The HTML file to write.
    #[arg(long)]
    pub html: PathBuf,
    /// Human QA results (call_id,item_id,result[,total_score][,analyst]): adds a calibration
    /// section over the period's calls.
    #[arg(long, value_name = "FILE.csv")]
    pub human: Option<PathBuf>,
    /// Fewest calls in the period for an agent to be the team's service star.
    #[arg(long, default_value_t = 5)]
    pub star_min_calls: u32,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let anchor = match (args.period, &args.month, &args.week) {
        (Period::Month, Some(m), None) => Some(callqa_report::parse_month(m)?),
        (Period::Week, None, Some(w)) => Some(callqa_report::parse_day(w)?),
        (_, None, None) => None,
        (Period::Month, _, Some(_)) => anyhow::bail!("--week goes with --period week"),
        (Period::Week, Some(_), _) => anyhow::bail!("--month goes with --period month"),
    };
    let human = match &args.human {
        Some(p) => Some(read_human_csv(p)?),
        None => None,
    };
    let data = StoreData::load(&args.out)?;
    let opts = ReportOptions {
        period: args.period,
        anchor,
        star_min_calls: args.star_min_calls,
        human,
        ..Default::default()
    };
    let report = build_report(&data, &opts)
        .with_context(|| format!("{}: cannot build the report", args.out.display()))?;
    let html = render_html(&report);
    if let Some(dir) = args.html.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    }
    std::fs::write(&args.html, &html).with_context(|| format!("{}", args.html.display()))?;
    let stars: Vec<String> = report
        .teams
        .iter()
        .filter_map(|t| {
            t.star
                .as_ref()
                .map(|s| format!("{} {s}", t.team.as_deref().unwrap_or("-")))
        })
        .collect();
    eprintln!(
        "callqa report: {} {} to {}: {} calls, {} agents, mean {:.1}, {} auto-failed, {} for review; service stars: {}{}",
        args.period.as_str(),
        report.start,
        report.end,
        report.calls,
        report.agents,
        report.mean_score,
        report.auto_fails,
        report.needs_review,
        if stars.is_empty() {
            format!("none (no agent with {} calls)", args.star_min_calls)
        } else {
            stars.join(", ")
        },
        report
            .calibration
            .as_ref()
            .map(|c| format!(
                "; calibration: {} results, agreement {}",
                c.overall.n,
                c.overall
                    .agreement
                    .map_or_else(|| "-".into(), |a| format!("{:.1}%", a * 100.0))
            ))
            .unwrap_or_default()
    );
    println!("{}", args.html.display());
    Ok(ExitCode::SUCCESS)
}
