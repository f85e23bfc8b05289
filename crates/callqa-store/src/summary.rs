//! Agent summaries: per agent and period, score statistics, item pass rates, rank in team and
//! change vs the preceding period, computed from the stored `call_scores` and `evaluations`.

use crate::StoreError;
use crate::current::read_current_rows;
use crate::rows::{AgentSummaryRow, CallScoreRow, EvaluationRow, TableRow};
use crate::schema::Table;
use crate::store::{sync_dir, write_parquet};
use callqa_core::EVALUATION_ITEMS;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

/// The period an agent summary groups calls by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// ISO week, Monday to Sunday.
    Week,
    /// Calendar month.
    Month,
}

impl Period {
    /// `week` or `month` (the partition value).
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// First and last day (inclusive) of the period holding `d`.
    pub fn bounds(self, d: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Period::Week => {
                let start = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
                (start, start + Days::new(6))
            }
            Period::Month => {
                let start = d.with_day(1).unwrap_or(d);
                let end = start
                    .checked_add_months(Months::new(1))
                    .and_then(|n| n.pred_opt())
                    .unwrap_or(start);
                (start, end)
            }
        }
    }

    /// First day of the period before the one starting at `start`.
    pub fn previous_start(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Week => start.checked_sub_days(Days::new(7)),
            Period::Month => start.checked_sub_months(Months::new(1)),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            _ => Err(format!("unknown period {s:?}: expected week or month")),
        }
    }
}

/// The `p`-quantile (0..=1) of values sorted ascending, by linear interpolation between the two
/// nearest ranks (numpy's default, `method="linear"`). `None` for no values.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Agent summaries of an output directory's committed `call_scores` and `evaluations`, each
/// call counted once: its newest scoring ([`crate::read_current_rows`]).
pub fn agent_summary(
    out: impl AsRef<Path>,
    period: Period,
) -> Result<Vec<AgentSummaryRow>, StoreError> {
    let out = out.as_ref();
    let scores: Vec<CallScoreRow> = read_current_rows(out)?;
    let evals: Vec<EvaluationRow> = read_current_rows(out)?;
    Ok(summarize(&scores, &evals, period))
}

/// Agent summaries from rows in memory. Rows without an agent id are left out. Output order:
/// period start, team, rank, agent id.
pub fn summarize(
    scores: &[CallScoreRow],
    evals: &[EvaluationRow],
    period: Period,
) -> Vec<AgentSummaryRow> {
    #[derive(Default)]
    struct Acc {
        scores: Vec<f64>,
        auto_fail: u32,
        needs_review: u32,
        teams: BTreeMap<Option<String>, u32>,
        pass: [u32; EVALUATION_ITEMS.len()],
        applicable: [u32; EVALUATION_ITEMS.len()],
    }
    // (period start, agent) → accumulator
    let mut acc: BTreeMap<(NaiveDate, String), Acc> = BTreeMap::new();
    for s in scores {
        let Some(agent) = &s.agent_id else { continue };
        let (start, _) = period.bounds(s.call_date);
        let a = acc.entry((start, agent.clone())).or_default();
        a.scores.push(s.total_score);
        a.auto_fail += u32::from(s.auto_fail);
        a.needs_review += u32::from(s.needs_review);
        *a.teams.entry(s.team.clone()).or_default() += 1;
    }
    let item_pos: HashMap<&str, usize> = EVALUATION_ITEMS
        .iter()
        .enumerate()
        .map(|(i, x)| (*x, i))
        .collect();
    for e in evals {
        let Some(agent) = &e.agent_id else { continue };
        let Some(&i) = item_pos.get(e.item_id.as_str()) else {
            continue;
        };
        let (start, _) = period.bounds(e.call_date);
        // Evaluations of a call without a call_scores row still count towards pass rates.
        let a = acc.entry((start, agent.clone())).or_default();
        match e.result.as_str() {
            "pass" => {
                a.pass[i] += 1;
                a.applicable[i] += 1;
            }
            "fail" => a.applicable[i] += 1,
            _ => {}
        }
    }
    let mut rows: Vec<AgentSummaryRow> = Vec::new();
    for ((start, agent), mut a) in acc {
        if a.scores.is_empty() {
            continue; // evaluations only: no scored call in the period
        }
        a.scores.sort_by(f64::total_cmp);
        let n = a.scores.len();
        let mean = a.scores.iter().sum::<f64>() / n as f64;
        // most frequent team; ties → the smallest name (BTreeMap order, None first)
        let team = a
            .teams
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
            .and_then(|(t, _)| t.clone());
        let mut pass_rates = [None; EVALUATION_ITEMS.len()];
        for (i, r) in pass_rates.iter_mut().enumerate() {
            if a.applicable[i] > 0 {
                *r = Some(f64::from(a.pass[i]) / f64::from(a.applicable[i]));
            }
        }
        let (_, end) = period.bounds(start);
        rows.push(AgentSummaryRow {
            agent_id: agent,
            team,
            period: period.as_str().to_string(),
            period_start: start,
            period_end: end,
            calls: n as u32,
            mean_score: mean,
            p10_score: quantile(&a.scores, 0.1).unwrap_or(mean),
            p90_score: quantile(&a.scores, 0.9).unwrap_or(mean),
            auto_fail_count: a.auto_fail,
            needs_review_count: a.needs_review,
            pass_rates,
            rank_in_team: 0,
            mean_score_change: None,
        });
    }
    // rank within (period, team): 1 = best mean, ties share the better rank
    let mut groups: BTreeMap<(NaiveDate, Option<String>), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups
            .entry((r.period_start, r.team.clone()))
            .or_default()
            .push(i);
    }
    for idx in groups.values() {
        for &i in idx {
            let better = idx
                .iter()
                .filter(|&&j| rows[j].mean_score > rows[i].mean_score)
                .count();
            rows[i].rank_in_team = better as u32 + 1;
        }
    }
    // change vs the agent's preceding period
    let means: HashMap<(NaiveDate, String), f64> = rows
        .iter()
        .map(|r| ((r.period_start, r.agent_id.clone()), r.mean_score))
        .collect();
    for r in &mut rows {
        r.mean_score_change = period
            .previous_start(r.period_start)
            .and_then(|p| means.get(&(p, r.agent_id.clone())))
            .map(|prev| r.mean_score - prev);
    }
    rows.sort_by(|a, b| {
        (a.period_start, &a.team, a.rank_in_team, &a.agent_id).cmp(&(
            b.period_start,
            &b.team,
            b.rank_in_team,
            &b.agent_id,
        ))
    });
    rows
}

/// Replaces the summary of one period kind: writes
/// `agent_summary/period=<week|month>/part-summary.parquet` under a temporary name, renames it
/// over the previous one (atomic), then removes any other part file in that directory.
pub fn write_agent_summary(
    out: impl AsRef<Path>,
    period: Period,
    rows: &[AgentSummaryRow],
) -> Result<(), StoreError> {
    let table = Table::AgentSummary;
    let dir = out.as_ref().join(table.name()).join(format!(
        "{}={}",
        table.partition_column(),
        period.as_str()
    ));
    fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let refs: Vec<&AgentSummaryRow> = rows
        .iter()
        .filter(|r| r.partition_value() == period.as_str())
        .collect();
    if refs.len() != rows.len() {
        return Err(StoreError::Invalid {
            path: dir,
            message: format!("rows of another period kind than {}", period.as_str()),
        });
    }
    let fin = dir.join("part-summary.parquet");
    let tmp = dir.join(".part-summary.parquet.tmp");
    if let Err(e) = write_parquet(&tmp, &refs) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, &fin).map_err(|e| StoreError::io(&fin, e))?;
    sync_dir(&dir)?;
    for entry in fs::read_dir(&dir).map_err(|e| StoreError::io(&dir, e))? {
        let p = entry.map_err(|e| StoreError::io(&dir, e))?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p != fin && name.starts_with("part-") && name.ends_with(".parquet") {
            fs::remove_file(&p).map_err(|e| StoreError::io(&p, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        // numpy.percentile([10, 20, 30, 40, 50], [10, 90]) == [14.0, 46.0]
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert!((quantile(&v, 0.1).unwrap_or(f64::NAN) - 14.0).abs() < 1e-12);
        assert!((quantile(&v, 0.9).unwrap_or(f64::NAN) - 46.0).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.1), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn periods_start_on_monday_and_the_first_of_the_month() {
        // 2026-11-24 is a Tuesday
        assert_eq!(
            Period::Week.bounds(d(2026, 11, 24)),
            (d(2026, 11, 23), d(2026, 11, 29))
        );
        assert_eq!(
            Period::Week.bounds(d(2026, 11, 29)),
            (d(2026, 11, 23), d(2026, 11, 29))
        );
        assert_eq!(
            Period::Month.bounds(d(2026, 2, 14)),
            (d(2026, 2, 1), d(2026, 2, 28))
        );
        assert_eq!(
            Period::Month.bounds(d(2026, 12, 31)),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(
            Period::Month.previous_start(d(2026, 1, 1)),
            Some(d(2025, 12, 1))
        );
    }
}
