//! The in-memory index of an output folder: every committed row read once at start, grouped per
//! call, with the overview and agent summaries computed up front, so that a request only scans
//! small per-call records (a list page over 100,000 calls is one pass over a `Vec`).

use crate::ServeError;
use callqa_core::{EVALUATION_ITEMS, Speaker, Transcript, Utterance};
use callqa_score::{MetricOptions, SpeechMetrics, metrics};
use callqa_store::{
    ActivityRow, AgentSummaryRow, CallRow, CallScoreRow, EvaluationRow, Period, UtteranceRow,
    read_current_rows, read_rows, summarize,
};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One call with everything its page shows.
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// The `calls` row.
    pub call: CallRow,
    /// Its `call_scores` rows (one per form; the call's own form first).
    pub scores: Vec<CallScoreRow>,
    /// Its `evaluations` rows, in form order as stored.
    pub evaluations: Vec<EvaluationRow>,
    /// Its `utterances` rows, in turn order, with `text` and `pii_spans` emptied (only
    /// `text_redacted` is shown).
    pub utterances: Vec<UtteranceRow>,
    /// Its `activity` rows, by start.
    pub activity: Vec<ActivityRow>,
    /// Indices into [`StoreIndex::item_ids`] of the items that failed.
    failed_items: Vec<u16>,
}

impl CallRecord {
    /// The score of the call's own form (or the first one), if it was scored.
    pub fn score(&self) -> Option<&CallScoreRow> {
        self.scores.first()
    }

    /// Speech metrics recomputed from the stored activity and utterances with the default
    /// [`MetricOptions`] (silences, announced holds, overtalk) for the timeline.
    pub fn metrics(&self) -> SpeechMetrics {
        let speaker = |s: &str| s.parse::<Speaker>().unwrap_or(Speaker::Unknown);
        let ms = |v: i64| u64::try_from(v).unwrap_or(0);
        let transcript = Transcript {
            language: self.call.language.clone(),
            duration_ms: (self.call.duration_s.max(0.0) * 1000.0).round() as u64,
            roles_inferred: self.call.roles_inferred,
            role_confidence: self.call.role_confidence.unwrap_or(1.0) as f32,
            utterances: self
                .utterances
                .iter()
                .map(|u| Utterance {
                    idx: u.idx,
                    speaker: speaker(&u.speaker),
                    start_ms: ms(u.start_ms),
                    end_ms: ms(u.end_ms),
                    text: String::new(),
                    avg_logprob: u.asr_avg_logprob.map(|v| v as f32),
                    no_speech_prob: u.no_speech_prob.map(|v| v as f32),
                    backchannel: u.backchannel,
                    // Stored transcripts keep no word times.
                    words: Vec::new(),
                })
                .collect(),
            activity: self
                .activity
                .iter()
                .map(|a| callqa_core::SpeechSpan {
                    speaker: speaker(&a.speaker),
                    start_ms: ms(a.start_ms),
                    end_ms: ms(a.end_ms),
                })
                .collect(),
            dropped_segments: self.call.dropped_segments,
        };
        let hold_request_ends: Vec<u64> = self
            .utterances
            .iter()
            .filter(|u| {
                u.speaker == "agent"
                    && !u.backchannel
                    && u.script_steps.iter().any(|s| s == "hold_request")
            })
            .map(|u| ms(u.end_ms))
            .collect();
        metrics::compute(&transcript, &hold_request_ends, &MetricOptions::default())
    }
}

/// The filters of the calls list (all optional; as query parameters of `/calls` and
/// `/api/calls`). Empty strings count as absent, so an HTML form can send every field.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CallFilter {
    /// First call date, `YYYY-MM-DD` (inclusive).
    pub from: Option<String>,
    /// Last call date, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Agent id.
    pub agent: Option<String>,
    /// Form id.
    pub form: Option<String>,
    /// An item id that must have failed.
    pub item_failed: Option<String>,
    /// `yes` / `no`: auto-failed or not.
    pub auto_fail: Option<String>,
    /// `yes` / `no`: flagged for review or not.
    pub needs_review: Option<String>,
    /// Lowest total score (inclusive).
    pub score_min: Option<String>,
    /// Highest total score (inclusive).
    pub score_max: Option<String>,
    /// Closing customer sentiment label (`positive`, `neutral`, `negative`).
    pub sentiment_end: Option<String>,
    /// `date` (default), `score`, `duration`, `agent`; `-` in front for descending (default
    /// `-date`).
    pub sort: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Rows per page (default 50, at most 500).
    pub per_page: Option<String>,
}

/// Rows per page unless asked otherwise.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most rows one page may hold.
pub const MAX_PER_PAGE: usize = 500;

/// A filter with its values parsed.
#[derive(Debug, Clone, Default)]
struct ParsedFilter {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    team: Option<String>,
    agent: Option<String>,
    form: Option<String>,
    item_failed: Option<Option<u16>>,
    auto_fail: Option<bool>,
    needs_review: Option<bool>,
    score_min: Option<f64>,
    score_max: Option<f64>,
    sentiment_end: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn yes_no(name: &str, v: &Option<String>) -> Result<Option<bool>, String> {
    match present(v).map(str::to_ascii_lowercase).as_deref() {
        None | Some("any") => Ok(None),
        Some("yes" | "true" | "1") => Ok(Some(true)),
        Some("no" | "false" | "0") => Ok(Some(false)),
        Some(other) => Err(format!("{name}={other:?}: expected yes or no")),
    }
}

impl CallFilter {
    /// The page number (from 1) and rows per page.
    pub fn paging(&self) -> Result<(usize, usize), String> {
        let page = match present(&self.page) {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|&p| p >= 1)
                .ok_or_else(|| format!("page={p:?}: expected a number from 1"))?,
        };
        let per = match present(&self.per_page) {
            None => DEFAULT_PER_PAGE,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|&p| (1..=MAX_PER_PAGE).contains(&p))
                .ok_or_else(|| format!("per_page={p:?}: expected 1 to {MAX_PER_PAGE}"))?,
        };
        Ok((page, per))
    }

    fn parse(&self, index: &StoreIndex) -> Result<ParsedFilter, String> {
        let date = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, String> {
            present(v)
                .map(|s| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| format!("{name}={s:?}: expected a date YYYY-MM-DD"))
                })
                .transpose()
        };
        let num = |name: &str, v: &Option<String>| -> Result<Option<f64>, String> {
            present(v)
                .map(|s| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| format!("{name}={s:?}: expected a number"))
                })
                .transpose()
        };
        Ok(ParsedFilter {
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            team: present(&self.team).map(str::to_string),
            agent: present(&self.agent).map(str::to_string),
            form: present(&self.form).map(str::to_string),
            // An item nobody failed (or an unknown id) matches no call.
            item_failed: present(&self.item_failed).map(|i| index.item_pos(i)),
            auto_fail: yes_no("auto_fail", &self.auto_fail)?,
            needs_review: yes_no("needs_review", &self.needs_review)?,
            score_min: num("score_min", &self.score_min)?,
            score_max: num("score_max", &self.score_max)?,
            sentiment_end: present(&self.sentiment_end).map(str::to_ascii_lowercase),
        })
    }
}

impl ParsedFilter {
    fn matches(&self, r: &CallRecord) -> bool {
        let c = &r.call;
        if self.from.is_some_and(|d| c.call_date < d) || self.to.is_some_and(|d| c.call_date > d) {
            return false;
        }
        if let Some(t) = &self.team
            && c.team.as_deref() != Some(t.as_str())
        {
            return false;
        }
        if let Some(a) = &self.agent
            && c.agent_id.as_deref() != Some(a.as_str())
        {
            return false;
        }
        if let Some(f) = &self.form
            && c.form != *f
            && !r.scores.iter().any(|s| s.form == *f)
        {
            return false;
        }
        match self.item_failed {
            Some(None) => return false,
            Some(Some(i)) if !r.failed_items.contains(&i) => return false,
            _ => {}
        }
        let s = r.score();
        if let Some(want) = self.auto_fail
            && s.map(|s| s.auto_fail) != Some(want)
        {
            return false;
        }
        if let Some(want) = self.needs_review
            && s.map(|s| s.needs_review) != Some(want)
        {
            return false;
        }
        let total = s.map(|s| s.total_score);
        if let Some(m) = self.score_min
            && total.is_none_or(|t| t < m)
        {
            return false;
        }
        if let Some(m) = self.score_max
            && total.is_none_or(|t| t > m)
        {
            return false;
        }
        if let Some(l) = &self.sentiment_end
            && s.and_then(|s| s.customer_sentiment_end.as_deref()) != Some(l.as_str())
        {
            return false;
        }
        true
    }
}

/// One page of the calls list.
#[derive(Debug, Clone)]
pub struct CallPage<'a> {
    /// The calls of this page.
    pub calls: Vec<&'a CallRecord>,
    /// Calls matching the filter, over all pages.
    pub total: usize,
    /// This page, from 1.
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
}

/// Totals over the whole store, for the overview page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    /// Calls in the store.
    pub calls: usize,
    /// Calls with a score.
    pub scored: usize,
    /// Mean total score of the scored calls.
    pub mean_score: Option<f64>,
    /// Scored calls per 10-point bin: `[0,10)`, ..., `[90,100]`.
    pub score_histogram: [usize; 10],
    /// Auto-failed calls.
    pub auto_fails: usize,
    /// Calls flagged for review.
    pub needs_review: usize,
    /// Per item id: (passed, failed) over all calls, in canonical item order then the rest.
    pub item_results: Vec<ItemRate>,
    /// Per ISO week (Monday): calls and mean score.
    pub weeks: Vec<WeekPoint>,
    /// First call date.
    pub first_date: Option<NaiveDate>,
    /// Last call date.
    pub last_date: Option<NaiveDate>,
}

/// Pass and fail counts of one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRate {
    /// Item id.
    pub item_id: String,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
}

impl ItemRate {
    /// passed / (passed + failed), `None` when never applicable.
    pub fn rate(&self) -> Option<f64> {
        let n = self.passed + self.failed;
        (n > 0).then(|| self.passed as f64 / n as f64)
    }
}

/// One week of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct WeekPoint {
    /// Monday of the week.
    pub week_start: NaiveDate,
    /// Scored calls.
    pub calls: usize,
    /// Mean total score.
    pub mean_score: f64,
}

/// Everything the server shows, read from one output folder.
#[derive(Debug)]
pub struct StoreIndex {
    out: PathBuf,
    /// Calls, newest first (date, start time, id).
    calls: Vec<CallRecord>,
    by_id: HashMap<String, usize>,
    item_ids: Vec<String>,
    overview: Overview,
    summaries: BTreeMap<&'static str, Vec<AgentSummaryRow>>,
    teams: Vec<String>,
    agents: Vec<String>,
    forms: Vec<String>,
    /// How long loading took.
    pub load_time: std::time::Duration,
}

/// The recording the player gets for a call: the redacted copy (`calls.redacted_audio_uri`)
/// where the pipeline wrote one, else the source recording (`calls.source_uri`). `None` for a
/// URI that is not a local path.
pub fn audio_path(call: &CallRow) -> Option<PathBuf> {
    let uri = call
        .redacted_audio_uri
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(call.source_uri.trim());
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    if path.is_empty() || path.contains("://") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// The result of a reader thread (a panic in it reported as an error on the store).
fn joined<T>(
    h: std::thread::ScopedJoinHandle<'_, Result<Vec<T>, callqa_store::StoreError>>,
    out: &Path,
) -> Result<Vec<T>, callqa_store::StoreError> {
    h.join().unwrap_or_else(|_| {
        Err(callqa_store::StoreError::Invalid {
            path: out.to_path_buf(),
            message: "a table reader thread panicked".into(),
        })
    })
}

impl StoreIndex {
    /// Reads every committed row of `out` (calls, call_scores, evaluations, utterances,
    /// activity, agent_summary).
    pub fn load(out: &Path) -> Result<StoreIndex, ServeError> {
        let t0 = Instant::now();
        if !out.is_dir() {
            return Err(ServeError::NotAStore {
                path: out.to_path_buf(),
                message: "not a directory".into(),
            });
        }
        // The tables are independent: read them side by side (each call's newest scoring).
        let (calls, scores, evals, utts, acts, stored_summary) = std::thread::scope(|s| {
            let utts = s.spawn(|| read_current_rows::<UtteranceRow>(out));
            let evals = s.spawn(|| read_current_rows::<EvaluationRow>(out));
            let acts = s.spawn(|| read_current_rows::<ActivityRow>(out));
            let calls = read_current_rows::<CallRow>(out);
            let scores = read_current_rows::<CallScoreRow>(out);
            let summary = read_rows::<AgentSummaryRow>(out);
            (
                calls,
                scores,
                joined(evals, out),
                joined(utts, out),
                joined(acts, out),
                summary,
            )
        });
        let (calls, scores, evals, utts, acts, stored_summary) =
            (calls?, scores?, evals?, utts?, acts?, stored_summary?);
        if calls.is_empty() && !out.join("calls").is_dir() {
            return Err(ServeError::NotAStore {
                path: out.to_path_buf(),
                message: "no calls table: is this the --out folder of `callqa score`?".into(),
            });
        }
        let mut index =
            StoreIndex::from_rows(out, calls, scores, evals, utts, acts, stored_summary);
        index.load_time = t0.elapsed();
        tracing::info!(
            calls = index.calls.len(),
            ms = index.load_time.as_millis() as u64,
            "store loaded"
        );
        Ok(index)
    }

    /// Builds the index from rows in memory (what [`StoreIndex::load`] does after reading).
    /// Agent summaries come from `stored_summary` where it holds a period kind, else they are
    /// computed with [`callqa_store::summarize`].
    pub fn from_rows(
        out: &Path,
        calls: Vec<CallRow>,
        scores: Vec<CallScoreRow>,
        evals: Vec<EvaluationRow>,
        utts: Vec<UtteranceRow>,
        acts: Vec<ActivityRow>,
        stored_summary: Vec<AgentSummaryRow>,
    ) -> StoreIndex {
        let mut summaries: BTreeMap<&'static str, Vec<AgentSummaryRow>> = BTreeMap::new();
        for period in [Period::Week, Period::Month] {
            let stored: Vec<AgentSummaryRow> = stored_summary
                .iter()
                .filter(|r| r.period == period.as_str())
                .cloned()
                .collect();
            let rows = if stored.is_empty() {
                summarize(&scores, &evals, period)
            } else {
                stored
            };
            summaries.insert(period.as_str(), rows);
        }

        let mut records: Vec<CallRecord> = calls
            .into_iter()
            .map(|call| CallRecord {
                call,
                scores: Vec::new(),
                evaluations: Vec::new(),
                utterances: Vec::new(),
                activity: Vec::new(),
                failed_items: Vec::new(),
            })
            .collect();
        // Newest first; a call id committed twice (should not happen) keeps its latest row.
        records.sort_by(|a, b| {
            (
                b.call.call_date,
                b.call.started_at,
                &b.call.processed_at,
                &a.call.call_id,
            )
                .cmp(&(
                    a.call.call_date,
                    a.call.started_at,
                    &a.call.processed_at,
                    &b.call.call_id,
                ))
        });
        let mut by_id = HashMap::with_capacity(records.len());
        let mut keep = vec![true; records.len()];
        for (i, r) in records.iter().enumerate() {
            if by_id.contains_key(&r.call.call_id) {
                keep[i] = false;
            } else {
                by_id.insert(r.call.call_id.clone(), i);
            }
        }
        if keep.iter().any(|k| !k) {
            let mut it = keep.iter();
            records.retain(|_| *it.next().unwrap_or(&true));
            by_id = records
                .iter()
                .enumerate()
                .map(|(i, r)| (r.call.call_id.clone(), i))
                .collect();
        }

        for s in scores {
            if let Some(&i) = by_id.get(&s.call_id) {
                records[i].scores.push(s);
            }
        }
        let mut item_ids: Vec<String> = EVALUATION_ITEMS.iter().map(|s| s.to_string()).collect();
        let mut item_pos: HashMap<String, u16> = item_ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u16))
            .collect();
        let mut item_counts: Vec<(usize, usize)> = vec![(0, 0); item_ids.len()];
        for e in evals {
            let Some(&i) = by_id.get(&e.call_id) else {
                continue;
            };
            let pos = *item_pos.entry(e.item_id.clone()).or_insert_with(|| {
                item_ids.push(e.item_id.clone());
                item_counts.push((0, 0));
                (item_ids.len() - 1) as u16
            });
            match e.result.as_str() {
                "pass" => item_counts[pos as usize].0 += 1,
                "fail" => {
                    item_counts[pos as usize].1 += 1;
                    if !records[i].failed_items.contains(&pos) {
                        records[i].failed_items.push(pos);
                    }
                }
                _ => {}
            }
            records[i].evaluations.push(e);
        }
        for mut u in utts {
            if let Some(&i) = by_id.get(&u.call_id) {
                // Pages show `text_redacted` only: the raw text and its PII spans are not kept.
                u.text = String::new();
                u.pii_spans = String::new();
                records[i].utterances.push(u);
            }
        }
        for a in acts {
            if let Some(&i) = by_id.get(&a.call_id) {
                records[i].activity.push(a);
            }
        }
        for r in &mut records {
            let form = r.call.form.clone();
            r.scores.sort_by_key(|s| (s.form != form, s.form.clone()));
            r.utterances.sort_by_key(|u| (u.idx, u.start_ms));
            r.activity.sort_by_key(|a| (a.start_ms, a.end_ms));
        }

        let mut ov = Overview {
            calls: records.len(),
            ..Default::default()
        };
        let mut sum = 0.0;
        let mut weeks: BTreeMap<NaiveDate, (usize, f64)> = BTreeMap::new();
        for r in &records {
            let d = r.call.call_date;
            ov.first_date = Some(ov.first_date.map_or(d, |f| f.min(d)));
            ov.last_date = Some(ov.last_date.map_or(d, |l| l.max(d)));
            let Some(s) = r.score() else { continue };
            ov.scored += 1;
            sum += s.total_score;
            let bin = ((s.total_score / 10.0).floor().max(0.0) as usize).min(9);
            ov.score_histogram[bin] += 1;
            ov.auto_fails += usize::from(s.auto_fail);
            ov.needs_review += usize::from(s.needs_review);
            let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            let w = weeks.entry(monday).or_default();
            w.0 += 1;
            w.1 += s.total_score;
        }
        ov.mean_score = (ov.scored > 0).then(|| sum / ov.scored as f64);
        ov.weeks = weeks
            .into_iter()
            .map(|(week_start, (n, s))| WeekPoint {
                week_start,
                calls: n,
                mean_score: s / n as f64,
            })
            .collect();
        ov.item_results = item_ids
            .iter()
            .zip(&item_counts)
            .filter(|(_, (p, f))| p + f > 0)
            .map(|(id, &(passed, failed))| ItemRate {
                item_id: id.clone(),
                passed,
                failed,
            })
            .collect();

        let distinct = |f: &dyn Fn(&CallRecord) -> Option<String>| -> Vec<String> {
            let mut v: Vec<String> = records.iter().filter_map(f).collect();
            v.sort();
            v.dedup();
            v
        };
        let teams = distinct(&|r| r.call.team.clone());
        let agents = distinct(&|r| r.call.agent_id.clone());
        let forms = distinct(&|r| Some(r.call.form.clone()));
        StoreIndex {
            out: out.to_path_buf(),
            calls: records,
            by_id,
            item_ids,
            overview: ov,
            summaries,
            teams,
            agents,
            forms,
            load_time: std::time::Duration::ZERO,
        }
    }

    /// The output folder.
    pub fn out_dir(&self) -> &Path {
        &self.out
    }

    /// Every call, newest first.
    pub fn calls(&self) -> &[CallRecord] {
        &self.calls
    }

    /// One call by id (an exact match on `call_id`; nothing else is looked up).
    pub fn call(&self, call_id: &str) -> Option<&CallRecord> {
        self.by_id.get(call_id).map(|&i| &self.calls[i])
    }

    /// Item ids seen in the evaluations: the canonical items first, then any others.
    pub fn item_ids(&self) -> &[String] {
        &self.item_ids
    }

    fn item_pos(&self, item: &str) -> Option<u16> {
        self.item_ids
            .iter()
            .position(|i| i == item)
            .map(|p| p as u16)
    }

    /// The overview totals.
    pub fn overview(&self) -> &Overview {
        &self.overview
    }

    /// Agent summaries of a period kind (`week` or `month`).
    pub fn summaries(&self, period: Period) -> &[AgentSummaryRow] {
        self.summaries
            .get(period.as_str())
            .map_or(&[][..], Vec::as_slice)
    }

    /// Teams, agents and forms seen (for the filter drop-downs).
    pub fn choices(&self) -> (&[String], &[String], &[String]) {
        (&self.teams, &self.agents, &self.forms)
    }

    /// Calls of one agent, newest first.
    pub fn agent_calls(&self, agent_id: &str) -> Vec<&CallRecord> {
        self.calls
            .iter()
            .filter(|r| r.call.agent_id.as_deref() == Some(agent_id))
            .collect()
    }

    /// One page of the calls matching a filter. An error names the parameter that is wrong.
    pub fn query(&self, filter: &CallFilter) -> Result<CallPage<'_>, String> {
        let f = filter.parse(self)?;
        let (page, per_page) = filter.paging()?;
        let mut hits: Vec<&CallRecord> = self.calls.iter().filter(|r| f.matches(r)).collect();
        let sort = present(&filter.sort).unwrap_or("-date");
        let (desc, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort),
        };
        let score = |r: &CallRecord| r.score().map_or(f64::NEG_INFINITY, |s| s.total_score);
        match key {
            // Stored order is newest first.
            "date" => {
                if !desc {
                    hits.reverse();
                }
            }
            "score" => hits.sort_by(|a, b| score(a).total_cmp(&score(b))),
            "duration" => hits.sort_by(|a, b| a.call.duration_s.total_cmp(&b.call.duration_s)),
            "agent" => hits.sort_by(|a, b| a.call.agent_id.cmp(&b.call.agent_id)),
            other => {
                return Err(format!(
                    "sort={other:?}: expected date, score, duration or agent (- in front for descending)"
                ));
            }
        }
        if desc && key != "date" {
            hits.reverse();
        }
        let total = hits.len();
        let calls = hits
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        Ok(CallPage {
            calls,
            total,
            page,
            per_page,
        })
    }
}
