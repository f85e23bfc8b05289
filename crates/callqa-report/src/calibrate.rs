//! Calibration: how often callqa's item results agree with human QA analysts', per item and
//! overall, with Cohen's kappa, the confusion matrix, the disagreements (with callqa's evidence)
//! and the total-score error.

use crate::report::{UttIndex, evidence_of};
use crate::{ReportError, StoreData};
use callqa_core::fmt_clock;
use callqa_store::EvaluationRow;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// An item result: `pass`, `fail` or `na` (not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The item passed.
    Pass,
    /// The item failed.
    Fail,
    /// The item did not apply to the call.
    Na,
}

impl Outcome {
    /// Every outcome, in confusion-matrix order.
    pub const ALL: [Outcome; 3] = [Outcome::Pass, Outcome::Fail, Outcome::Na];

    /// `pass`, `fail` or `na`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Na => "na",
        }
    }

    /// Parses `pass`, `fail` or `na` (any case, surrounding blanks ignored).
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pass" => Some(Outcome::Pass),
            "fail" => Some(Outcome::Fail),
            "na" => Some(Outcome::Na),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Na => 2,
        }
    }
}

/// One row of a human QA CSV (`call_id,item_id,result[,total_score][,analyst]`).
#[derive(Debug, Clone, PartialEq)]
pub struct HumanRow {
    /// Call identifier (joins `evaluations.call_id`).
    pub call_id: String,
    /// Item id (joins `evaluations.item_id`).
    pub item_id: String,
    /// The analyst's result.
    pub result: Outcome,
    /// The analyst's total score of the call, 0-100, when given.
    pub total_score: Option<f64>,
    /// Who scored it, when the file names analysts.
    pub analyst: Option<String>,
    /// Line in the CSV file (1 = header).
    pub line: u64,
}

/// Reads a human QA CSV: a header naming at least `call_id`, `item_id` and `result` (`pass`,
/// `fail`, `na`), optionally `total_score` (0-100, the same on every row of one call and analyst;
/// may be left empty) and `analyst`. Other columns are ignored. A bad row is an error naming the
/// file and line; so is a second row for the same analyst, call and item.
pub fn read_human_csv(path: impl AsRef<Path>) -> Result<Vec<HumanRow>, ReportError> {
    let path = path.as_ref();
    let bad = |line: u64, message: String| ReportError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        bad(line, e.to_string())
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_call), Some(c_item), Some(c_result)) =
        (col("call_id"), col("item_id"), col("result"))
    else {
        return Err(bad(
            1,
            format!(
                "header must name call_id, item_id and result (optional total_score, analyst); found {}",
                headers.join(",")
            ),
        ));
    };
    let (c_total, c_analyst) = (col("total_score"), col("analyst"));
    let mut rows = Vec::new();
    // (analyst, call, item) → line; (analyst, call) → (total, line)
    let mut seen: HashMap<(Option<String>, String, String), u64> = HashMap::new();
    let mut totals: HashMap<(Option<String>, String), (Option<f64>, u64)> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, csv::Position::line);
        let field = |i: usize| rec.get(i).unwrap_or("").to_string();
        let call_id = field(c_call);
        let item_id = field(c_item);
        if call_id.is_empty() || item_id.is_empty() {
            return Err(bad(line, "empty call_id or item_id".into()));
        }
        let raw = field(c_result);
        let result = Outcome::parse(&raw)
            .ok_or_else(|| bad(line, format!("result {raw:?} is not one of pass, fail, na")))?;
        let total_score = match c_total.map(field).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Some(v),
                _ => {
                    return Err(bad(
                        line,
                        format!("total_score {s:?} is not a number from 0 to 100"),
                    ));
                }
            },
        };
        let analyst = c_analyst.map(field).filter(|s| !s.is_empty());
        let key = (analyst.clone(), call_id.clone(), item_id.clone());
        if let Some(first) = seen.insert(key, line) {
            return Err(bad(
                line,
                format!(
                    "second result for call {call_id}, item {item_id}{} (first on line {first})",
                    analyst
                        .as_deref()
                        .map(|a| format!(", analyst {a}"))
                        .unwrap_or_default()
                ),
            ));
        }
        if total_score.is_some() {
            let tkey = (analyst.clone(), call_id.clone());
            match totals.get(&tkey) {
                Some((Some(t), first)) if (t - total_score.unwrap_or(*t)).abs() > 1e-9 => {
                    return Err(bad(
                        line,
                        format!(
                            "total_score differs from line {first} for the same call {call_id} and analyst"
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    totals.insert(tkey, (total_score, line));
                }
            }
        }
        rows.push(HumanRow {
            call_id,
            item_id,
            result,
            total_score,
            analyst,
            line,
        });
    }
    if rows.is_empty() {
        return Err(bad(1, "no data rows".into()));
    }
    Ok(rows)
}

/// A 3×3 confusion matrix over pass / fail / na: `counts[first][second]`, where the first rater
/// is the human analyst (rows) and the second callqa (columns), or two analysts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Row and column labels, in order: `["pass", "fail", "na"]`.
    pub labels: [&'static str; 3],
    /// Counts: `counts[i][j]` = cases the first rater called `labels[i]` and the second `labels[j]`.
    pub counts: [[u32; 3]; 3],
}

impl Default for Confusion {
    fn default() -> Self {
        Confusion::new()
    }
}

impl Confusion {
    /// An empty matrix.
    pub fn new() -> Confusion {
        Confusion {
            labels: ["pass", "fail", "na"],
            counts: [[0; 3]; 3],
        }
    }

    /// Counts one case.
    pub fn add(&mut self, first: Outcome, second: Outcome) {
        self.counts[first.index()][second.index()] += 1;
    }

    /// Cases counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Cases where both raters agree (the diagonal).
    pub fn agreed(&self) -> u32 {
        (0..3).map(|i| self.counts[i][i]).sum()
    }

    /// Share of agreeing cases; `None` with no case.
    pub fn agreement(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| f64::from(self.agreed()) / f64::from(n))
    }
}

/// Cohen's kappa of a confusion matrix: (p_o − p_e) / (1 − p_e), with p_o the observed agreement
/// and p_e the agreement expected by chance from each rater's marginal shares.
///
/// `None` when undefined: no case, or p_e = 1 — both raters gave every case the same single
/// result, so the formula is 0/0 (read the exact agreement, which is then 1, instead).
pub fn cohen_kappa(c: &Confusion) -> Option<f64> {
    let n = f64::from(c.total());
    if n == 0.0 {
        return None;
    }
    let po = f64::from(c.agreed()) / n;
    let pe: f64 = (0..3)
        .map(|k| {
            let row: u32 = c.counts[k].iter().sum();
            let col: u32 = (0..3).map(|i| c.counts[i][k]).sum();
            (f64::from(row) / n) * (f64::from(col) / n)
        })
        .sum();
    if (1.0 - pe).abs() < 1e-12 {
        return None;
    }
    Some((po - pe) / (1.0 - pe))
}

/// Agreement on one item (or `all` items together).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAgreement {
    /// Item id, or `all`.
    pub item_id: String,
    /// Compared results (one per human row that callqa also scored).
    pub n: u32,
    /// Results on which callqa and the analyst agree.
    pub agreed: u32,
    /// `agreed / n`; null when `n` is 0.
    pub agreement: Option<f64>,
    /// Cohen's kappa; null when undefined (see [`cohen_kappa`]).
    pub kappa: Option<f64>,
    /// Human (rows) × callqa (columns).
    pub confusion: Confusion,
}

impl ItemAgreement {
    fn from_confusion(item_id: &str, confusion: Confusion) -> ItemAgreement {
        ItemAgreement {
            item_id: item_id.to_string(),
            n: confusion.total(),
            agreed: confusion.agreed(),
            agreement: confusion.agreement(),
            kappa: cohen_kappa(&confusion),
            confusion,
        }
    }
}

/// One item result on which an analyst and callqa differ, with callqa's evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// Call identifier.
    pub call_id: String,
    /// Item id.
    pub item_id: String,
    /// The analyst, when the CSV names one.
    pub analyst: Option<String>,
    /// The analyst's result.
    pub human: Outcome,
    /// callqa's result.
    pub callqa: Outcome,
    /// callqa's detector for the item.
    pub detector: String,
    /// callqa's confidence in its result, 0-1.
    pub confidence: f64,
    /// callqa's evidence: the redacted utterance, or a metric statement; null when none.
    pub evidence: Option<String>,
    /// Where the evidence starts in the call (`mm:ss.t`); null when none.
    pub evidence_at: Option<String>,
    /// Line of the human row in the CSV.
    pub line: u64,
}

/// Total-score agreement over calls that have both a human and a callqa total score.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ScoreAgreement {
    /// Calls compared (per analyst: one per analyst and call).
    pub n: u32,
    /// Mean absolute difference, points; null when `n` is 0.
    pub mae: Option<f64>,
    /// Mean of callqa − human, points (positive: callqa scores higher); null when `n` is 0.
    pub mean_difference: Option<f64>,
    /// Pearson correlation; null with fewer than 2 calls or when either side does not vary.
    pub correlation: Option<f64>,
}

impl ScoreAgreement {
    fn from_pairs(pairs: &[(f64, f64)]) -> ScoreAgreement {
        let n = pairs.len();
        if n == 0 {
            return ScoreAgreement::default();
        }
        let nf = n as f64;
        let mae = pairs.iter().map(|(h, c)| (c - h).abs()).sum::<f64>() / nf;
        let bias = pairs.iter().map(|(h, c)| c - h).sum::<f64>() / nf;
        ScoreAgreement {
            n: n as u32,
            mae: Some(mae),
            mean_difference: Some(bias),
            correlation: pearson(pairs),
        }
    }
}

fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 1e-12 || syy <= 1e-12 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// One analyst against callqa, or two analysts against each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalystAgreement {
    /// The analyst (first rater).
    pub analyst: String,
    /// callqa (`callqa`) or the second analyst.
    pub against: String,
    /// Item results compared over every item.
    pub n: u32,
    /// Share of equal results; null when `n` is 0.
    pub agreement: Option<f64>,
    /// Cohen's kappa over every item; null when undefined.
    pub kappa: Option<f64>,
    /// Total-score agreement over the calls both scored.
    pub total_score: ScoreAgreement,
}

/// Agreement between callqa and human QA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Rows in the human CSV.
    pub human_rows: u32,
    /// Human rows left out because their call is outside the report's period.
    pub outside_period: u32,
    /// Human rows with no callqa result for their call and item (call not scored, or item not in
    /// its form).
    pub unmatched: u32,
    /// Calls of the CSV that callqa has not scored, sorted.
    pub unscored_calls: Vec<String>,
    /// Calls compared.
    pub calls: u32,
    /// Every item together.
    pub overall: ItemAgreement,
    /// Per item, in canonical item order, then any other item id sorted.
    pub items: Vec<ItemAgreement>,
    /// Every disagreement, by call, item and analyst.
    pub disagreements: Vec<Disagreement>,
    /// Total scores, every analyst's together.
    pub total_score: ScoreAgreement,
    /// Per analyst against callqa; empty unless the CSV names two or more analysts.
    pub analysts: Vec<AnalystAgreement>,
    /// Per pair of analysts, over the (call, item) results both gave; empty unless two or more.
    pub inter_analyst: Vec<AnalystAgreement>,
}

/// Compares human results with callqa's stored evaluations and scores. With `scope`, only calls
/// in that set are compared (the rest count as `outside_period`). With several analysts, every
/// analyst's row is one comparison in the per-item figures.
pub fn calibrate(
    human: &[HumanRow],
    data: &StoreData,
    scope: Option<&HashSet<String>>,
) -> Calibration {
    let utts = UttIndex::new(&data.utterances);
    let mut evals: HashMap<(&str, &str), &EvaluationRow> = HashMap::new();
    for e in &data.evaluations {
        evals
            .entry((e.call_id.as_str(), e.item_id.as_str()))
            .or_insert(e);
    }
    let mut scores: HashMap<&str, f64> = HashMap::new();
    for s in &data.call_scores {
        scores.entry(s.call_id.as_str()).or_insert(s.total_score);
    }
    let scored: HashSet<&str> = evals.keys().map(|(c, _)| *c).collect();
    let in_scope = |call: &str| scope.is_none_or(|s| s.contains(call));

    let mut outside = 0u32;
    let mut unmatched = 0u32;
    let mut unscored: BTreeSet<String> = BTreeSet::new();
    let mut calls: BTreeSet<&str> = BTreeSet::new();
    let mut overall = Confusion::new();
    let mut per_item: BTreeMap<&str, Confusion> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut per_analyst: BTreeMap<&str, Confusion> = BTreeMap::new();
    // analyst → call → (human total, callqa total)
    let mut totals: BTreeMap<&str, BTreeMap<&str, (f64, f64)>> = BTreeMap::new();
    // analyst → (call, item) → result, for inter-analyst agreement
    let mut labels: BTreeMap<&str, BTreeMap<(&str, &str), Outcome>> = BTreeMap::new();
    for h in human {
        if !in_scope(&h.call_id) {
            outside += 1;
            continue;
        }
        let analyst = h.analyst.as_deref().unwrap_or("");
        labels
            .entry(analyst)
            .or_default()
            .insert((h.call_id.as_str(), h.item_id.as_str()), h.result);
        if let (Some(t), Some(c)) = (h.total_score, scores.get(h.call_id.as_str())) {
            totals
                .entry(analyst)
                .or_default()
                .insert(h.call_id.as_str(), (t, *c));
        }
        let Some(e) = evals.get(&(h.call_id.as_str(), h.item_id.as_str())) else {
            unmatched += 1;
            if !scored.contains(h.call_id.as_str()) {
                unscored.insert(h.call_id.clone());
            }
            continue;
        };
        let Some(ours) = Outcome::parse(&e.result) else {
            unmatched += 1;
            continue;
        };
        calls.insert(h.call_id.as_str());
        overall.add(h.result, ours);
        per_item
            .entry(h.item_id.as_str())
            .or_default()
            .add(h.result, ours);
        per_analyst.entry(analyst).or_default().add(h.result, ours);
        if h.result != ours {
            let ev = evidence_of(e, &utts);
            disagreements.push(Disagreement {
                call_id: h.call_id.clone(),
                item_id: h.item_id.clone(),
                analyst: h.analyst.clone(),
                human: h.result,
                callqa: ours,
                detector: e.detector.clone(),
                confidence: e.confidence,
                evidence: ev.0,
                evidence_at: e
                    .evidence_start_ms
                    .map(|ms| fmt_clock(u64::try_from(ms).unwrap_or(0))),
                line: h.line,
            });
        }
    }
    disagreements.sort_by(|a, b| {
        (&a.call_id, item_rank(&a.item_id), &a.item_id, &a.analyst).cmp(&(
            &b.call_id,
            item_rank(&b.item_id),
            &b.item_id,
            &b.analyst,
        ))
    });
    let mut items: Vec<ItemAgreement> = per_item
        .iter()
        .map(|(id, c)| ItemAgreement::from_confusion(id, *c))
        .collect();
    items.sort_by(|a, b| {
        (item_rank(&a.item_id), &a.item_id).cmp(&(item_rank(&b.item_id), &b.item_id))
    });
    let all_pairs: Vec<(f64, f64)> = totals.values().flat_map(|m| m.values().copied()).collect();
    let named = |a: &str| {
        if a.is_empty() {
            "(unnamed)".to_string()
        } else {
            a.to_string()
        }
    };
    let (mut analysts, mut inter) = (Vec::new(), Vec::new());
    if labels.len() >= 2 {
        for (a, c) in &per_analyst {
            let pairs: Vec<(f64, f64)> = totals
                .get(a)
                .map(|m| m.values().copied().collect())
                .unwrap_or_default();
            analysts.push(AnalystAgreement {
                analyst: named(a),
                against: "callqa".into(),
                n: c.total(),
                agreement: c.agreement(),
                kappa: cohen_kappa(c),
                total_score: ScoreAgreement::from_pairs(&pairs),
            });
        }
        let names: Vec<&&str> = labels.keys().collect();
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                let (la, lb) = (&labels[**a], &labels[**b]);
                let mut c = Confusion::new();
                for (k, ra) in la {
                    if let Some(rb) = lb.get(k) {
                        c.add(*ra, *rb);
                    }
                }
                let ta = totals.get(**a);
                let tb = totals.get(**b);
                let pairs: Vec<(f64, f64)> = match (ta, tb) {
                    (Some(ta), Some(tb)) => ta
                        .iter()
                        .filter_map(|(call, (x, _))| tb.get(call).map(|(y, _)| (*x, *y)))
                        .collect(),
                    _ => Vec::new(),
                };
                inter.push(AnalystAgreement {
                    analyst: named(a),
                    against: named(b),
                    n: c.total(),
                    agreement: c.agreement(),
                    kappa: cohen_kappa(&c),
                    total_score: ScoreAgreement::from_pairs(&pairs),
                });
            }
        }
    }
    Calibration {
        human_rows: human.len() as u32,
        outside_period: outside,
        unmatched,
        unscored_calls: unscored.into_iter().collect(),
        calls: calls.len() as u32,
        overall: ItemAgreement::from_confusion("all", overall),
        items,
        disagreements,
        total_score: ScoreAgreement::from_pairs(&all_pairs),
        analysts,
        inter_analyst: inter,
    }
}

/// Canonical item order (position in `EVALUATION_ITEMS`), other ids after.
fn item_rank(id: &str) -> usize {
    callqa_core::EVALUATION_ITEMS
        .iter()
        .position(|x| *x == id)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::{Fail, Na, Pass};

    fn matrix(counts: [[u32; 3]; 3]) -> Confusion {
        Confusion {
            counts,
            ..Confusion::new()
        }
    }

    #[test]
    fn kappa_of_a_hand_computed_two_by_two() {
        // 50 cases: both pass 20, human pass / callqa fail 5, human fail / callqa pass 10, both
        // fail 15. p_o = 35/50 = 0.7; marginals human 25/25, callqa 30/20:
        // p_e = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 − 0.5) / 0.5 = 0.4.
        let c = matrix([[20, 5, 0], [10, 15, 0], [0, 0, 0]]);
        let k = cohen_kappa(&c).unwrap_or(f64::NAN);
        assert!((k - 0.4).abs() < 1e-12, "{k}");
        assert_eq!(c.agreement(), Some(0.7));
    }

    #[test]
    fn kappa_of_a_three_category_case_matches_sklearn() {
        // sklearn.metrics.cohen_kappa_score(
        //   ["pass"]*6+["fail"]*3+["na"]*3, ["pass"]*5+["fail"]+["fail"]*2+["na"]+["na"]*2+["pass"])
        // = 0.6 (hand: p_o = 9/12 = 0.75; marginals 6/3/3 on both sides, so
        // p_e = (6·6 + 3·3 + 3·3)/144 = 0.375; (0.75 − 0.375) / 0.625 = 0.6)
        let c = matrix([[5, 1, 0], [0, 2, 1], [1, 0, 2]]);
        let k = cohen_kappa(&c).unwrap_or(f64::NAN);
        assert!((k - 0.6).abs() < 1e-12, "{k}");
    }

    #[test]
    fn perfect_and_chance_and_degenerate_kappa() {
        assert_eq!(
            cohen_kappa(&matrix([[3, 0, 0], [0, 2, 0], [0, 0, 0]])),
            Some(1.0)
        );
        // independent raters: p_o == p_e → 0
        let k = cohen_kappa(&matrix([[1, 1, 0], [1, 1, 0], [0, 0, 0]])).unwrap_or(f64::NAN);
        assert!(k.abs() < 1e-12);
        // everyone "pass": expected agreement 1 → undefined, agreement still 1
        let all_pass = matrix([[7, 0, 0], [0, 0, 0], [0, 0, 0]]);
        assert_eq!(cohen_kappa(&all_pass), None);
        assert_eq!(all_pass.agreement(), Some(1.0));
        assert_eq!(cohen_kappa(&Confusion::new()), None);
        assert_eq!(Confusion::default(), Confusion::new());
    }

    #[test]
    fn pearson_and_mae() {
        let s = ScoreAgreement::from_pairs(&[(80.0, 90.0), (60.0, 60.0), (100.0, 95.0)]);
        assert_eq!(s.n, 3);
        assert!((s.mae.unwrap_or(f64::NAN) - 5.0).abs() < 1e-12);
        assert!((s.mean_difference.unwrap_or(f64::NAN) - 5.0 / 3.0).abs() < 1e-12);
        // numpy.corrcoef([80, 60, 100], [90, 60, 95])[0, 1] = 0.924473451641905
        assert!((s.correlation.unwrap_or(f64::NAN) - 0.924_473_451_641_905).abs() < 1e-12);
        assert_eq!(ScoreAgreement::from_pairs(&[(1.0, 2.0)]).correlation, None);
        assert_eq!(ScoreAgreement::from_pairs(&[]).mae, None);
    }

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let p = dir.join("human.csv");
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    #[test]
    fn csv_rows_parse_and_bad_rows_name_file_and_line() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = write(
            tmp.path(),
            "call_id,item_id,result,total_score,analyst\nc1,greeting,PASS,90,ann\nc1,summary,na,90,ann\nc1,greeting,fail,,bob\n",
        );
        let rows = read_human_csv(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].result, Pass);
        assert_eq!(rows[1].result, Na);
        assert_eq!(rows[2].total_score, None);
        assert_eq!(rows[2].analyst.as_deref(), Some("bob"));
        assert_eq!(rows[2].line, 4);

        let cases = [
            (
                "call_id,item_id,result\nc1,greeting,maybe\n",
                ":2: result \"maybe\"",
            ),
            (
                "call_id,item_id,outcome\nc1,greeting,pass\n",
                ":1: header must name",
            ),
            (
                "call_id,item_id,result\nc1,greeting,pass\nc1,greeting,fail\n",
                ":3: second result",
            ),
            (
                "call_id,item_id,result,total_score\nc1,greeting,pass,101\n",
                ":2: total_score",
            ),
            (
                "call_id,item_id,result,total_score\nc1,greeting,pass,90\nc1,summary,pass,80\n",
                ":3: total_score differs",
            ),
            (
                "call_id,item_id,result\n,greeting,pass\n",
                ":2: empty call_id",
            ),
            ("call_id,item_id,result\nc1,greeting\n", ":2:"),
            ("call_id,item_id,result\n", ":1: no data rows"),
        ];
        for (text, want) in cases {
            let p = write(tmp.path(), text);
            let err = read_human_csv(&p).map(|_| ()).err().map(|e| e.to_string());
            let err = err.unwrap_or_else(|| panic!("accepted {text:?}"));
            assert!(err.starts_with(&p.display().to_string()), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
        }
        let missing = read_human_csv(tmp.path().join("absent.csv"))
            .err()
            .map(|e| e.to_string());
        assert!(missing.is_some_and(|e| e.contains("absent.csv")));
    }

    fn eval(call: &str, item: &str, result: &str) -> EvaluationRow {
        EvaluationRow {
            call_id: call.into(),
            call_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default(),
            agent_id: Some("A1".into()),
            form: "f".into(),
            section: None,
            item_id: item.into(),
            title: item.into(),
            result: result.into(),
            score: 0.0,
            weight: 10.0,
            auto_fail: false,
            detector: format!("script_step:{item}"),
            evidence_idx: None,
            evidence_start_ms: None,
            evidence_end_ms: None,
            evidence_text: Some("metric statement".into()),
            confidence: 0.9,
            review_reasons: vec![],
        }
    }

    fn human(call: &str, item: &str, r: Outcome, analyst: &str, line: u64) -> HumanRow {
        HumanRow {
            call_id: call.into(),
            item_id: item.into(),
            result: r,
            total_score: None,
            analyst: Some(analyst.into()),
            line,
        }
    }

    #[test]
    fn calibration_counts_items_disagreements_analysts_and_scope() {
        let data = StoreData {
            evaluations: vec![
                eval("c1", "greeting", "pass"),
                eval("c1", "summary", "fail"),
                eval("c2", "greeting", "pass"),
                eval("c2", "summary", "pass"),
            ],
            ..Default::default()
        };
        let rows = vec![
            human("c1", "greeting", Pass, "ann", 2),
            human("c1", "summary", Fail, "ann", 3),
            human("c2", "greeting", Pass, "ann", 4),
            human("c2", "summary", Fail, "ann", 5), // disagrees with callqa
            human("c1", "greeting", Pass, "bob", 6),
            human("c1", "summary", Pass, "bob", 7), // disagrees with callqa and ann
            human("c3", "greeting", Pass, "bob", 8), // call not scored
        ];
        let c = calibrate(&rows, &data, None);
        assert_eq!(c.human_rows, 7);
        assert_eq!(c.unmatched, 1);
        assert_eq!(c.unscored_calls, vec!["c3".to_string()]);
        assert_eq!(c.calls, 2);
        assert_eq!(c.overall.n, 6);
        assert_eq!(c.overall.agreed, 4);
        assert_eq!(c.items[0].item_id, "greeting");
        assert_eq!(c.items[0].agreement, Some(1.0));
        assert_eq!(c.items[0].kappa, None); // everyone said pass
        let summary = &c.items[1];
        assert_eq!(
            (summary.item_id.as_str(), summary.n, summary.agreed),
            ("summary", 3, 1)
        );
        // human rows × callqa columns: fail→fail 1, fail→pass 1, pass→fail 1
        assert_eq!(summary.confusion.counts, [[0, 1, 0], [1, 1, 0], [0, 0, 0]]);
        assert_eq!(c.disagreements.len(), 2);
        assert_eq!(
            (
                c.disagreements[0].call_id.as_str(),
                c.disagreements[0].analyst.as_deref()
            ),
            ("c1", Some("bob"))
        );
        assert_eq!(
            c.disagreements[0].evidence.as_deref(),
            Some("metric statement")
        );
        assert_eq!(c.analysts.len(), 2);
        assert_eq!(c.analysts[0].analyst, "ann");
        assert_eq!(c.analysts[0].agreement, Some(0.75));
        assert_eq!(c.inter_analyst.len(), 1);
        // ann vs bob share (c1, greeting) and (c1, summary): agree on 1 of 2
        assert_eq!(c.inter_analyst[0].n, 2);
        assert_eq!(c.inter_analyst[0].agreement, Some(0.5));

        let scope: HashSet<String> = ["c2".to_string()].into();
        let c = calibrate(&rows, &data, Some(&scope));
        assert_eq!(c.outside_period, 5);
        assert_eq!(c.overall.n, 2);
        assert!(c.analysts.is_empty(), "one analyst in scope");
    }
}
