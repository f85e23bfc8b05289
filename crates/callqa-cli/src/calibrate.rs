//! `callqa calibrate --out DIR --human FILE.csv [--json]`: agreement between callqa's stored
//! item results and human QA — per item exact agreement, Cohen's kappa and confusion matrix, the
//! disagreements with callqa's evidence, total-score error, per analyst (the work is in
//! `callqa-report`).

use callqa_report::{AnalystAgreement, Calibration, StoreData, calibrate, read_human_csv};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory of `callqa score`.
    #[arg(long)]
    pub out: PathBuf,
    /// Human QA results: call_id,item_id,result (pass, fail, na), optional total_score, analyst.
    #[arg(long, value_name = "FILE.csv")]
    pub human: PathBuf,
    /// One JSON object on stdout instead of the tables (fields: see README).
    #[arg(long)]
    pub json: bool,
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

fn print_agreements(title: &str, rows: &[AnalystAgreement]) {
    println!("\n{title}");
    println!(
        "{:<14} {:<14} {:>5} {:>7} {:>6} {:>6} {:>6} {:>6}",
        "analyst", "against", "n", "agree", "kappa", "calls", "mae", "corr"
    );
    for a in rows {
        println!(
            "{:<14} {:<14} {:>5} {:>7} {:>6} {:>6} {:>6} {:>6}",
            a.analyst,
            a.against,
            a.n,
            pct(a.agreement),
            num(a.kappa, 2),
            a.total_score.n,
            num(a.total_score.mae, 1),
            num(a.total_score.correlation, 2)
        );
    }
}

fn print_table(c: &Calibration) {
    println!(
        "{:<16} {:>5} {:>7} {:>6}   confusion, human rows → callqa pass/fail/na",
        "item", "n", "agree", "kappa"
    );
    for it in c.items.iter().chain(std::iter::once(&c.overall)) {
        let m = it.confusion.counts;
        println!(
            "{:<16} {:>5} {:>7} {:>6}   pass {}/{}/{}  fail {}/{}/{}  na {}/{}/{}",
            it.item_id,
            it.n,
            pct(it.agreement),
            num(it.kappa, 2),
            m[0][0],
            m[0][1],
            m[0][2],
            m[1][0],
            m[1][1],
            m[1][2],
            m[2][0],
            m[2][1],
            m[2][2]
        );
    }
    let s = &c.total_score;
    println!(
        "\ntotal score: {} calls, mean absolute error {}, mean difference (callqa - human) {}, correlation {}",
        s.n,
        num(s.mae, 1),
        num(s.mean_difference, 1),
        num(s.correlation, 2)
    );
    if !c.analysts.is_empty() {
        print_agreements("per analyst, against callqa", &c.analysts);
        print_agreements("between analysts", &c.inter_analyst);
    }
    println!("\ndisagreements ({}):", c.disagreements.len());
    for d in &c.disagreements {
        println!(
            "  {} {} {}: human {} / callqa {} [{}, {:.2}{}] {}",
            d.call_id,
            d.item_id,
            d.analyst.as_deref().unwrap_or("-"),
            d.human.as_str(),
            d.callqa.as_str(),
            d.detector,
            d.confidence,
            d.evidence_at
                .as_deref()
                .map(|a| format!(", at {a}"))
                .unwrap_or_default(),
            d.evidence.as_deref().unwrap_or("(no evidence stored)")
        );
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rows = read_human_csv(&args.human)?;
    let data = StoreData::load(&args.out)?;
    let c = calibrate(&rows, &data, None);
    if c.overall.n == 0 {
        anyhow::bail!(
            "{}: no row matches a call and item scored in {} ({} rows; calls not scored: {})",
            args.human.display(),
            args.out.display(),
            c.human_rows,
            c.unscored_calls.len()
        );
    }
    if args.json {
        // A closed pipe (`| head`) is an error, not a panic.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", serde_json::to_string(&c)?)?;
    } else {
        print_table(&c);
    }
    eprintln!(
        "callqa calibrate: {} human rows, {} compared on {} calls, {} without a callqa result; agreement {}, kappa {}",
        c.human_rows,
        c.overall.n,
        c.calls,
        c.unmatched,
        pct(c.overall.agreement),
        num(c.overall.kappa, 2)
    );
    Ok(ExitCode::SUCCESS)
}
