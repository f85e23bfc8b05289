//! Row structs of the output tables and their conversion to and from Arrow record batches.
//!
//! Enum-like values (speaker, result, labels, ...) are plain strings here and dictionary-encoded
//! columns on disk. Integers in milliseconds are `i64` (the pipeline converts with `as i64`).
//! Instants are kept to the microsecond.

use crate::schema::{Table, string_list_type, timestamp_type};
use arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, ListArray, ListBuilder,
    RecordBatch, StringArray, StringBuilder, StringDictionaryBuilder, TimestampMicrosecondArray,
    UInt32Array,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int32Type};
use callqa_core::EVALUATION_ITEMS;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// A problem converting rows to a batch or a batch to rows (wrapped with the file by the caller).
#[derive(Debug, thiserror::Error)]
#[error("{table}: {message}")]
pub struct RowError {
    /// Table name.
    pub table: &'static str,
    /// What went wrong.
    pub message: String,
}

/// A row of one output table.
pub trait TableRow: Sized + Clone {
    /// The table the row belongs to.
    const TABLE: Table;
    /// The Hive partition value of the row (`YYYY-MM-DD`, or the period kind).
    fn partition_value(&self) -> String;
    /// Columns (all but the partition column) built from rows.
    fn columns(rows: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError>;
    /// Rows read from a batch of a part file whose partition value is `partition`.
    fn from_batch(batch: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError>;
    /// The call the row is about, where it is about one (every run table but `errors` rows
    /// without a call; not `agent_summary`).
    fn call_id(&self) -> Option<&str> {
        None
    }
}

/// Rows → a record batch with the table's file schema (the partition column left out).
pub fn to_batch<T: TableRow>(rows: &[&T]) -> Result<RecordBatch, RowError> {
    let table = T::TABLE;
    let err = |message: String| RowError {
        table: table.name(),
        message,
    };
    let mut cols: HashMap<&str, ArrayRef> = T::columns(rows)?.into_iter().collect();
    let schema = table.file_schema();
    let mut arrays = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let a = cols
            .remove(f.name().as_str())
            .ok_or_else(|| err(format!("no values built for column {}", f.name())))?;
        arrays.push(a);
    }
    if let Some(extra) = cols.keys().next() {
        return Err(err(format!("column {extra} is not in the schema")));
    }
    RecordBatch::try_new(schema, arrays).map_err(|e| err(e.to_string()))
}

/// Rows → a batch, for rows held by value.
pub fn rows_to_batch<T: TableRow>(rows: &[T]) -> Result<RecordBatch, RowError> {
    let refs: Vec<&T> = rows.iter().collect();
    to_batch(&refs)
}

// ---------------------------------------------------------------------------------------------
// Rows

/// `calls`: one row per processed call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallRow {
    /// Call identifier.
    pub call_id: String,
    /// Idempotence key recorded in the ledger.
    pub call_key: String,
    /// Path or URI of the recording.
    pub source_uri: String,
    /// sha256 of the recording (hex).
    pub source_sha256: String,
    /// Agent identifier.
    pub agent_id: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// `inbound` / `outbound`.
    pub direction: Option<String>,
    /// Date of the call (partition).
    pub call_date: NaiveDate,
    /// Start of the call.
    pub started_at: Option<DateTime<Utc>>,
    /// Where `started_at` / `call_date` came from: `manifest`, `filename`, `folder`, `file_mtime`,
    /// `run_date` (none in files written before the column).
    pub started_at_source: Option<String>,
    /// Length, seconds.
    pub duration_s: f64,
    /// Channels.
    pub channels: u32,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Codec.
    pub codec: Option<String>,
    /// Language code.
    pub language: String,
    /// Roles inferred from mono.
    pub roles_inferred: bool,
    /// Role assignment confidence.
    pub role_confidence: Option<f64>,
    /// Dropped ASR segments.
    pub dropped_segments: u32,
    /// Only part of the recording processed.
    pub truncated: bool,
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline version.
    pub pipeline_version: String,
    /// Form id.
    pub form: String,
    /// ASR model name.
    pub asr_model: String,
    /// ASR model sha256.
    pub asr_model_sha256: String,
    /// `name=sha256;...`.
    pub classifier_versions: Option<String>,
    /// JSON object of extra manifest columns.
    pub extra: Option<String>,
    /// Path of the redacted copy of the recording, when the pipeline wrote one.
    pub redacted_audio_uri: Option<String>,
    /// Processing time.
    pub processed_at: DateTime<Utc>,
    /// Run id.
    pub run_id: String,
}

/// `utterances`: one row per utterance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UtteranceRow {
    /// Call identifier.
    pub call_id: String,
    /// Date of the call (partition).
    pub call_date: NaiveDate,
    /// Turn index.
    pub idx: u32,
    /// `agent` / `customer` / `unknown`.
    pub speaker: String,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Text.
    pub text: String,
    /// Redacted text.
    pub text_redacted: String,
    /// The personal data found, as a JSON array (see the column doc; `callqa_text::spans_from_json`
    /// reads it).
    pub pii_spans: String,
    /// Whisper average log-probability.
    pub asr_avg_logprob: Option<f64>,
    /// Whisper no-speech probability.
    pub no_speech_prob: Option<f64>,
    /// Sentiment label.
    pub sentiment: Option<String>,
    /// Sentiment probability.
    pub sentiment_score: Option<f64>,
    /// Courtesy label.
    pub courtesy: Option<String>,
    /// Courtesy probability.
    pub courtesy_score: Option<f64>,
    /// Best script step.
    pub script_step: Option<String>,
    /// Its probability.
    pub script_step_score: Option<f64>,
    /// Every step detected.
    pub script_steps: Vec<String>,
    /// A back-channel, not a turn.
    pub backchannel: bool,
}

/// `activity`: one VAD speech span of one party.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    /// Call identifier.
    pub call_id: String,
    /// Date of the call (partition).
    pub call_date: NaiveDate,
    /// `agent` / `customer` / `unknown`.
    pub speaker: String,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
}

/// `evaluations`: one form item of one call.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    /// Call identifier.
    pub call_id: String,
    /// Date of the call (partition).
    pub call_date: NaiveDate,
    /// Agent identifier.
    pub agent_id: Option<String>,
    /// Form id.
    pub form: String,
    /// Section.
    pub section: Option<String>,
    /// Item id.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// `pass` / `fail` / `na`.
    pub result: String,
    /// Points earned.
    pub score: f64,
    /// Weight.
    pub weight: f64,
    /// Failed auto-fail item.
    pub auto_fail: bool,
    /// Detector.
    pub detector: String,
    /// Evidence utterance idx.
    pub evidence_idx: Option<u32>,
    /// Evidence start, ms.
    pub evidence_start_ms: Option<i64>,
    /// Evidence end, ms.
    pub evidence_end_ms: Option<i64>,
    /// Evidence text.
    pub evidence_text: Option<String>,
    /// Confidence of the result, 0-1.
    pub confidence: f64,
    /// Why the item needs review (`callqa_core::ReviewReason` names).
    pub review_reasons: Vec<String>,
}

/// `call_scores`: one row per call and form.
#[derive(Debug, Clone, PartialEq)]
pub struct CallScoreRow {
    /// Call identifier.
    pub call_id: String,
    /// Date of the call (partition).
    pub call_date: NaiveDate,
    /// Agent identifier.
    pub agent_id: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Form id.
    pub form: String,
    /// Total score 0-100.
    pub total_score: f64,
    /// Auto-failed.
    pub auto_fail: bool,
    /// Flagged for a human review.
    pub needs_review: bool,
    /// Why (`callqa_core::ReviewReason` names).
    pub review_reasons: Vec<String>,
    /// Items passed.
    pub items_passed: u32,
    /// Items failed.
    pub items_failed: u32,
    /// Items not applicable.
    pub items_na: u32,
    /// Opening customer sentiment label.
    pub customer_sentiment_start: Option<String>,
    /// Closing customer sentiment label.
    pub customer_sentiment_end: Option<String>,
    /// Opening customer sentiment, [-1, 1].
    pub customer_sentiment_start_score: Option<f64>,
    /// Closing customer sentiment, [-1, 1].
    pub customer_sentiment_end_score: Option<f64>,
    /// Length, s.
    pub duration_s: f64,
    /// Agent speech, s.
    pub agent_talk_s: f64,
    /// Customer speech, s.
    pub customer_talk_s: f64,
    /// Agent talk ratio.
    pub agent_talk_ratio: f64,
    /// Silence ratio.
    pub silence_ratio: f64,
    /// Longest silence, s.
    pub longest_silence_s: f64,
    /// Longest dead air, s.
    pub longest_dead_air_s: f64,
    /// Dead-air silences.
    pub dead_air_count: u32,
    /// Announced holds.
    pub hold_count: u32,
    /// Hold time, s.
    pub hold_s: f64,
    /// Overtalk stretches.
    pub overtalk_count: u32,
    /// Overtalk time, s.
    pub overtalk_s: f64,
    /// Agent interruptions.
    pub agent_interruptions: u32,
    /// Customer interruptions.
    pub customer_interruptions: u32,
    /// Agent speech rate.
    pub agent_speech_rate: f64,
    /// Seconds to the agent's first words.
    pub agent_first_words_s: Option<f64>,
}

/// `agent_summary`: one agent in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSummaryRow {
    /// Agent identifier.
    pub agent_id: String,
    /// Team.
    pub team: Option<String>,
    /// `week` / `month` (partition).
    pub period: String,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day (inclusive).
    pub period_end: NaiveDate,
    /// Calls.
    pub calls: u32,
    /// Mean total score.
    pub mean_score: f64,
    /// 10th percentile.
    pub p10_score: f64,
    /// 90th percentile.
    pub p90_score: f64,
    /// Auto-failed calls.
    pub auto_fail_count: u32,
    /// Calls flagged for review.
    pub needs_review_count: u32,
    /// Pass rate per canonical item, in the order of [`callqa_core::EVALUATION_ITEMS`].
    pub pass_rates: [Option<f64>; EVALUATION_ITEMS.len()],
    /// Rank in team by mean score (1 = best).
    pub rank_in_team: u32,
    /// Change of the mean score vs the preceding period.
    pub mean_score_change: Option<f64>,
}

impl AgentSummaryRow {
    /// The row as a JSON object, with the per-item pass rates as an object under
    /// `pass_rates_key` (`callqa agents --json` writes `pass_rate`, the web app's API
    /// `pass_rates`: both are published field names).
    pub fn to_json(&self, pass_rates_key: &str) -> serde_json::Value {
        let rates: serde_json::Map<String, serde_json::Value> = EVALUATION_ITEMS
            .iter()
            .zip(&self.pass_rates)
            .map(|(item, rate)| (item.to_string(), serde_json::json!(rate)))
            .collect();
        let mut row = serde_json::json!({
            "agent_id": self.agent_id,
            "team": self.team,
            "period": self.period,
            "period_start": self.period_start.to_string(),
            "period_end": self.period_end.to_string(),
            "calls": self.calls,
            "mean_score": self.mean_score,
            "p10_score": self.p10_score,
            "p90_score": self.p90_score,
            "auto_fail_count": self.auto_fail_count,
            "needs_review_count": self.needs_review_count,
            "rank_in_team": self.rank_in_team,
            "mean_score_change": self.mean_score_change,
        });
        if let Some(obj) = row.as_object_mut() {
            obj.insert(pass_rates_key.to_string(), serde_json::Value::Object(rates));
        }
        row
    }

    /// The pass rate of a canonical item (`None` for an unknown item or no applicable results).
    pub fn pass_rate(&self, item: &str) -> Option<f64> {
        let i = EVALUATION_ITEMS.iter().position(|x| *x == item)?;
        self.pass_rates[i]
    }
}

/// `errors`: one failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    /// Run id.
    pub run_id: String,
    /// Recording that failed.
    pub source_uri: String,
    /// Call id, when known.
    pub call_id: Option<String>,
    /// Stage.
    pub stage: String,
    /// Kind.
    pub kind: String,
    /// One-line message.
    pub message: String,
    /// When (partition by its UTC date).
    pub at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// Column builders

fn a_str<'a>(v: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(v))
}
fn a_ostr<'a>(v: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(v.collect::<StringArray>())
}
fn a_dict<'a>(v: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    let mut b = StringDictionaryBuilder::<Int32Type>::new();
    for x in v {
        b.append_option(x);
    }
    Arc::new(b.finish())
}
fn a_i64(v: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(v.collect::<Int64Array>())
}
fn a_u32(v: impl Iterator<Item = Option<u32>>) -> ArrayRef {
    Arc::new(v.collect::<UInt32Array>())
}
fn a_f64(v: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(v.collect::<Float64Array>())
}
fn a_bool(v: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(v.map(Some).collect::<BooleanArray>())
}
fn a_date(v: impl Iterator<Item = NaiveDate>) -> ArrayRef {
    Arc::new(v.map(|d| Some(date_to_days(d))).collect::<Date32Array>())
}
fn a_ts(v: impl Iterator<Item = Option<DateTime<Utc>>>) -> ArrayRef {
    let a: TimestampMicrosecondArray = v.map(|t| t.map(|t| t.timestamp_micros())).collect();
    Arc::new(a.with_timezone("UTC"))
}
fn a_list<'a>(v: impl Iterator<Item = &'a [String]>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for items in v {
        for s in items {
            b.values().append_value(s);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Days since 1970-01-01 (Arrow `Date32`).
pub fn date_to_days(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

/// Arrow `Date32` → date.
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    EPOCH.checked_add_signed(chrono::Duration::days(i64::from(days)))
}

/// `YYYY-MM-DD` partition value of a date.
pub fn date_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// ---------------------------------------------------------------------------------------------
// Column readers

struct Reader<'a> {
    table: &'static str,
    batch: &'a RecordBatch,
}

impl<'a> Reader<'a> {
    fn new<T: TableRow>(batch: &'a RecordBatch) -> Self {
        Reader {
            table: T::TABLE.name(),
            batch,
        }
    }

    fn err(&self, message: String) -> RowError {
        RowError {
            table: self.table,
            message,
        }
    }

    /// The column cast to `to`; `None` when the file lacks it (an older file without an added
    /// column).
    fn column(&self, name: &str, to: &DataType) -> Result<Option<ArrayRef>, RowError> {
        let Some(c) = self.batch.column_by_name(name) else {
            return Ok(None);
        };
        if c.data_type() == to {
            return Ok(Some(c.clone()));
        }
        cast(c, to)
            .map(Some)
            .map_err(|e| self.err(format!("column {name}: {e}")))
    }

    fn missing(&self, name: &str) -> RowError {
        self.err(format!("column {name} is missing"))
    }

    fn null(&self, name: &str, row: usize) -> RowError {
        self.err(format!(
            "column {name}: null in row {row} of a required column"
        ))
    }

    fn ostr(&self, name: &str) -> Result<Vec<Option<String>>, RowError> {
        let n = self.batch.num_rows();
        let Some(c) = self.column(name, &DataType::Utf8)? else {
            return Ok(vec![None; n]);
        };
        let a = c
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| self.err(format!("column {name}: not a string")))?;
        Ok(a.iter().map(|x| x.map(str::to_string)).collect())
    }

    fn str(&self, name: &str) -> Result<Vec<String>, RowError> {
        if self.batch.column_by_name(name).is_none() {
            return Err(self.missing(name));
        }
        self.ostr(name)?
            .into_iter()
            .enumerate()
            .map(|(i, x)| x.ok_or_else(|| self.null(name, i)))
            .collect()
    }

    fn prim<A, V>(
        &self,
        name: &str,
        ty: DataType,
        get: impl Fn(&A, usize) -> V,
    ) -> Result<Vec<Option<V>>, RowError>
    where
        A: Array + 'static,
        V: Clone,
    {
        let n = self.batch.num_rows();
        let Some(c) = self.column(name, &ty)? else {
            return Ok(vec![None; n]);
        };
        let a = c
            .as_any()
            .downcast_ref::<A>()
            .ok_or_else(|| self.err(format!("column {name}: not {ty}")))?;
        Ok((0..a.len())
            .map(|i| if a.is_null(i) { None } else { Some(get(a, i)) })
            .collect())
    }

    fn required<V>(&self, name: &str, v: Vec<Option<V>>) -> Result<Vec<V>, RowError> {
        if self.batch.column_by_name(name).is_none() {
            return Err(self.missing(name));
        }
        v.into_iter()
            .enumerate()
            .map(|(i, x)| x.ok_or_else(|| self.null(name, i)))
            .collect()
    }

    fn oi64(&self, name: &str) -> Result<Vec<Option<i64>>, RowError> {
        self.prim::<Int64Array, i64>(name, DataType::Int64, |a, i| a.value(i))
    }
    fn i64(&self, name: &str) -> Result<Vec<i64>, RowError> {
        self.required(name, self.oi64(name)?)
    }
    fn ou32(&self, name: &str) -> Result<Vec<Option<u32>>, RowError> {
        self.prim::<UInt32Array, u32>(name, DataType::UInt32, |a, i| a.value(i))
    }
    fn u32(&self, name: &str) -> Result<Vec<u32>, RowError> {
        self.required(name, self.ou32(name)?)
    }
    fn of64(&self, name: &str) -> Result<Vec<Option<f64>>, RowError> {
        self.prim::<Float64Array, f64>(name, DataType::Float64, |a, i| a.value(i))
    }
    fn f64(&self, name: &str) -> Result<Vec<f64>, RowError> {
        self.required(name, self.of64(name)?)
    }
    fn bool(&self, name: &str) -> Result<Vec<bool>, RowError> {
        let v = self.prim::<BooleanArray, bool>(name, DataType::Boolean, |a, i| a.value(i))?;
        self.required(name, v)
    }
    fn date(&self, name: &str) -> Result<Vec<NaiveDate>, RowError> {
        let v = self.prim::<Date32Array, i32>(name, DataType::Date32, |a, i| a.value(i))?;
        self.required(name, v)?
            .into_iter()
            .map(|d| days_to_date(d).ok_or_else(|| self.err(format!("column {name}: bad date"))))
            .collect()
    }
    fn ots(&self, name: &str) -> Result<Vec<Option<DateTime<Utc>>>, RowError> {
        let v =
            self.prim::<TimestampMicrosecondArray, i64>(name, timestamp_type(), |a, i| a.value(i))?;
        v.into_iter()
            .map(|x| match x {
                None => Ok(None),
                Some(us) => DateTime::<Utc>::from_timestamp_micros(us)
                    .map(Some)
                    .ok_or_else(|| self.err(format!("column {name}: timestamp out of range"))),
            })
            .collect()
    }
    fn ts(&self, name: &str) -> Result<Vec<DateTime<Utc>>, RowError> {
        self.required(name, self.ots(name)?)
    }
    fn list(&self, name: &str) -> Result<Vec<Vec<String>>, RowError> {
        let n = self.batch.num_rows();
        let Some(c) = self.column(name, &string_list_type())? else {
            return Ok(vec![Vec::new(); n]);
        };
        let a = c
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(|| self.err(format!("column {name}: not a list")))?;
        let mut out = Vec::with_capacity(n);
        for i in 0..a.len() {
            if a.is_null(i) {
                out.push(Vec::new());
                continue;
            }
            let vals = a.value(i);
            let s = vals
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| self.err(format!("column {name}: not a list of strings")))?;
            out.push(s.iter().flatten().map(str::to_string).collect());
        }
        Ok(out)
    }
}

fn parse_date(table: &'static str, s: &str) -> Result<NaiveDate, RowError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| RowError {
        table,
        message: format!("partition value {s:?} is not a date: {e}"),
    })
}

/// Zip column vectors into rows: `zip_rows!(n; a, b, c => |a, b, c| Row { .. })`.
macro_rules! zip_rows {
    ($($v:ident),+ => $body:expr) => {{
        $(let mut $v = $v.into_iter();)+
        let mut out = Vec::new();
        loop {
            $(let Some($v) = $v.next() else { break };)+
            out.push($body);
        }
        out
    }};
}

// ---------------------------------------------------------------------------------------------
// Per-table conversions

impl TableRow for CallRow {
    const TABLE: Table = Table::Calls;
    fn call_id(&self) -> Option<&str> {
        Some(&self.call_id)
    }
    fn partition_value(&self) -> String {
        date_key(self.call_date)
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        Ok(vec![
            ("call_id", a_str(r.iter().map(|x| x.call_id.as_str()))),
            ("call_key", a_str(r.iter().map(|x| x.call_key.as_str()))),
            ("source_uri", a_str(r.iter().map(|x| x.source_uri.as_str()))),
            (
                "source_sha256",
                a_str(r.iter().map(|x| x.source_sha256.as_str())),
            ),
            ("agent_id", a_ostr(r.iter().map(|x| x.agent_id.as_deref()))),
            ("team", a_ostr(r.iter().map(|x| x.team.as_deref()))),
            (
                "direction",
                a_dict(r.iter().map(|x| x.direction.as_deref())),
            ),
            ("started_at", a_ts(r.iter().map(|x| x.started_at))),
            (
                "started_at_source",
                a_dict(r.iter().map(|x| x.started_at_source.as_deref())),
            ),
            ("duration_s", a_f64(r.iter().map(|x| Some(x.duration_s)))),
            ("channels", a_u32(r.iter().map(|x| Some(x.channels)))),
            (
                "sample_rate_hz",
                a_u32(r.iter().map(|x| Some(x.sample_rate_hz))),
            ),
            ("codec", a_ostr(r.iter().map(|x| x.codec.as_deref()))),
            (
                "language",
                a_dict(r.iter().map(|x| Some(x.language.as_str()))),
            ),
            ("roles_inferred", a_bool(r.iter().map(|x| x.roles_inferred))),
            (
                "role_confidence",
                a_f64(r.iter().map(|x| x.role_confidence)),
            ),
            (
                "dropped_segments",
                a_u32(r.iter().map(|x| Some(x.dropped_segments))),
            ),
            ("truncated", a_bool(r.iter().map(|x| x.truncated))),
            ("pipeline", a_str(r.iter().map(|x| x.pipeline.as_str()))),
            (
                "pipeline_version",
                a_str(r.iter().map(|x| x.pipeline_version.as_str())),
            ),
            ("form", a_str(r.iter().map(|x| x.form.as_str()))),
            ("asr_model", a_str(r.iter().map(|x| x.asr_model.as_str()))),
            (
                "asr_model_sha256",
                a_str(r.iter().map(|x| x.asr_model_sha256.as_str())),
            ),
            (
                "classifier_versions",
                a_ostr(r.iter().map(|x| x.classifier_versions.as_deref())),
            ),
            ("extra", a_ostr(r.iter().map(|x| x.extra.as_deref()))),
            (
                "redacted_audio_uri",
                a_ostr(r.iter().map(|x| x.redacted_audio_uri.as_deref())),
            ),
            ("processed_at", a_ts(r.iter().map(|x| Some(x.processed_at)))),
            ("run_id", a_str(r.iter().map(|x| x.run_id.as_str()))),
        ])
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let call_date = parse_date(Self::TABLE.name(), partition)?;
        let call_id = rd.str("call_id")?;
        let call_key = rd.ostr("call_key")?;
        let source_uri = rd.str("source_uri")?;
        let source_sha256 = rd.str("source_sha256")?;
        let agent_id = rd.ostr("agent_id")?;
        let team = rd.ostr("team")?;
        let direction = rd.ostr("direction")?;
        let started_at = rd.ots("started_at")?;
        // Files written before the column: not known.
        let started_at_source = rd.ostr("started_at_source")?;
        let duration_s = rd.f64("duration_s")?;
        let channels = rd.u32("channels")?;
        let sample_rate_hz = rd.u32("sample_rate_hz")?;
        let codec = rd.ostr("codec")?;
        let language = rd.str("language")?;
        let roles_inferred = rd.bool("roles_inferred")?;
        let role_confidence = rd.of64("role_confidence")?;
        let dropped_segments = rd.ou32("dropped_segments")?;
        let truncated =
            rd.prim::<BooleanArray, bool>("truncated", DataType::Boolean, |a, i| a.value(i))?;
        let pipeline = rd.str("pipeline")?;
        let pipeline_version = rd.str("pipeline_version")?;
        let form = rd.ostr("form")?;
        let asr_model = rd.str("asr_model")?;
        let asr_model_sha256 = rd.str("asr_model_sha256")?;
        let classifier_versions = rd.ostr("classifier_versions")?;
        let extra = rd.ostr("extra")?;
        // Files written before the column: no redacted copy.
        let redacted_audio_uri = rd.ostr("redacted_audio_uri")?;
        let processed_at = rd.ts("processed_at")?;
        let run_id = rd.str("run_id")?;
        Ok(
            zip_rows!(call_id, call_key, source_uri, source_sha256, agent_id, team, direction,
            started_at, started_at_source, duration_s, channels, sample_rate_hz, codec, language,
            roles_inferred, role_confidence, dropped_segments, truncated, pipeline, pipeline_version, form,
            asr_model, asr_model_sha256, classifier_versions, extra, redacted_audio_uri,
            processed_at, run_id
            => CallRow {
                call_id, call_key: call_key.unwrap_or_default(), source_uri, source_sha256,
                agent_id, team, direction, call_date, started_at, started_at_source, duration_s,
                channels,
                sample_rate_hz, codec, language, roles_inferred, role_confidence,
                dropped_segments: dropped_segments.unwrap_or(0),
                truncated: truncated.unwrap_or(false), pipeline, pipeline_version,
                form: form.unwrap_or_default(), asr_model, asr_model_sha256,
                classifier_versions, extra, redacted_audio_uri, processed_at, run_id,
            }),
        )
    }
}

impl TableRow for UtteranceRow {
    const TABLE: Table = Table::Utterances;
    fn call_id(&self) -> Option<&str> {
        Some(&self.call_id)
    }
    fn partition_value(&self) -> String {
        date_key(self.call_date)
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        Ok(vec![
            ("call_id", a_str(r.iter().map(|x| x.call_id.as_str()))),
            ("idx", a_u32(r.iter().map(|x| Some(x.idx)))),
            (
                "speaker",
                a_dict(r.iter().map(|x| Some(x.speaker.as_str()))),
            ),
            ("start_ms", a_i64(r.iter().map(|x| Some(x.start_ms)))),
            ("end_ms", a_i64(r.iter().map(|x| Some(x.end_ms)))),
            ("text", a_str(r.iter().map(|x| x.text.as_str()))),
            (
                "text_redacted",
                a_str(r.iter().map(|x| x.text_redacted.as_str())),
            ),
            ("pii_spans", a_str(r.iter().map(|x| x.pii_spans.as_str()))),
            (
                "asr_avg_logprob",
                a_f64(r.iter().map(|x| x.asr_avg_logprob)),
            ),
            ("no_speech_prob", a_f64(r.iter().map(|x| x.no_speech_prob))),
            (
                "sentiment",
                a_dict(r.iter().map(|x| x.sentiment.as_deref())),
            ),
            (
                "sentiment_score",
                a_f64(r.iter().map(|x| x.sentiment_score)),
            ),
            ("courtesy", a_dict(r.iter().map(|x| x.courtesy.as_deref()))),
            ("courtesy_score", a_f64(r.iter().map(|x| x.courtesy_score))),
            (
                "script_step",
                a_dict(r.iter().map(|x| x.script_step.as_deref())),
            ),
            (
                "script_step_score",
                a_f64(r.iter().map(|x| x.script_step_score)),
            ),
            (
                "script_steps",
                a_list(r.iter().map(|x| x.script_steps.as_slice())),
            ),
            ("backchannel", a_bool(r.iter().map(|x| x.backchannel))),
        ])
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let call_date = parse_date(Self::TABLE.name(), partition)?;
        let call_id = rd.str("call_id")?;
        let idx = rd.u32("idx")?;
        let speaker = rd.str("speaker")?;
        let start_ms = rd.i64("start_ms")?;
        let end_ms = rd.i64("end_ms")?;
        let text = rd.str("text")?;
        let text_redacted = rd.str("text_redacted")?;
        // Files written before the column: spans unknown, read as none.
        let pii_spans = rd.ostr("pii_spans")?;
        let asr_avg_logprob = rd.of64("asr_avg_logprob")?;
        let no_speech_prob = rd.of64("no_speech_prob")?;
        let sentiment = rd.ostr("sentiment")?;
        let sentiment_score = rd.of64("sentiment_score")?;
        let courtesy = rd.ostr("courtesy")?;
        let courtesy_score = rd.of64("courtesy_score")?;
        let script_step = rd.ostr("script_step")?;
        let script_step_score = rd.of64("script_step_score")?;
        let script_steps = rd.list("script_steps")?;
        // Files written before the column: no utterance was flagged.
        let backchannel =
            rd.prim::<BooleanArray, bool>("backchannel", DataType::Boolean, |a, i| a.value(i))?;
        Ok(
            zip_rows!(call_id, idx, speaker, start_ms, end_ms, text, text_redacted, pii_spans,
            asr_avg_logprob, no_speech_prob, sentiment, sentiment_score, courtesy,
            courtesy_score, script_step, script_step_score, script_steps, backchannel
            => UtteranceRow {
                call_id, call_date, idx, speaker, start_ms, end_ms, text, text_redacted,
                pii_spans: pii_spans.unwrap_or_else(|| "[]".to_string()),
                asr_avg_logprob, no_speech_prob, sentiment, sentiment_score, courtesy,
                courtesy_score, script_step, script_step_score, script_steps,
                backchannel: backchannel.unwrap_or(false),
            }),
        )
    }
}

impl TableRow for ActivityRow {
    const TABLE: Table = Table::Activity;
    fn call_id(&self) -> Option<&str> {
        Some(&self.call_id)
    }
    fn partition_value(&self) -> String {
        date_key(self.call_date)
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        Ok(vec![
            ("call_id", a_str(r.iter().map(|x| x.call_id.as_str()))),
            (
                "speaker",
                a_dict(r.iter().map(|x| Some(x.speaker.as_str()))),
            ),
            ("start_ms", a_i64(r.iter().map(|x| Some(x.start_ms)))),
            ("end_ms", a_i64(r.iter().map(|x| Some(x.end_ms)))),
        ])
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let call_date = parse_date(Self::TABLE.name(), partition)?;
        let call_id = rd.str("call_id")?;
        let speaker = rd.str("speaker")?;
        let start_ms = rd.i64("start_ms")?;
        let end_ms = rd.i64("end_ms")?;
        Ok(
            zip_rows!(call_id, speaker, start_ms, end_ms => ActivityRow {
                call_id, call_date, speaker, start_ms, end_ms,
            }),
        )
    }
}

impl TableRow for EvaluationRow {
    const TABLE: Table = Table::Evaluations;
    fn call_id(&self) -> Option<&str> {
        Some(&self.call_id)
    }
    fn partition_value(&self) -> String {
        date_key(self.call_date)
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        Ok(vec![
            ("call_id", a_str(r.iter().map(|x| x.call_id.as_str()))),
            ("agent_id", a_ostr(r.iter().map(|x| x.agent_id.as_deref()))),
            ("form", a_str(r.iter().map(|x| x.form.as_str()))),
            ("section", a_ostr(r.iter().map(|x| x.section.as_deref()))),
            ("item_id", a_str(r.iter().map(|x| x.item_id.as_str()))),
            ("title", a_str(r.iter().map(|x| x.title.as_str()))),
            ("result", a_dict(r.iter().map(|x| Some(x.result.as_str())))),
            ("score", a_f64(r.iter().map(|x| Some(x.score)))),
            ("weight", a_f64(r.iter().map(|x| Some(x.weight)))),
            ("auto_fail", a_bool(r.iter().map(|x| x.auto_fail))),
            ("detector", a_str(r.iter().map(|x| x.detector.as_str()))),
            ("evidence_idx", a_u32(r.iter().map(|x| x.evidence_idx))),
            (
                "evidence_start_ms",
                a_i64(r.iter().map(|x| x.evidence_start_ms)),
            ),
            (
                "evidence_end_ms",
                a_i64(r.iter().map(|x| x.evidence_end_ms)),
            ),
            (
                "evidence_text",
                a_ostr(r.iter().map(|x| x.evidence_text.as_deref())),
            ),
            ("confidence", a_f64(r.iter().map(|x| Some(x.confidence)))),
            (
                "review_reasons",
                a_list(r.iter().map(|x| x.review_reasons.as_slice())),
            ),
        ])
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let call_date = parse_date(Self::TABLE.name(), partition)?;
        let call_id = rd.str("call_id")?;
        let agent_id = rd.ostr("agent_id")?;
        let form = rd.str("form")?;
        let section = rd.ostr("section")?;
        let item_id = rd.str("item_id")?;
        let title = rd.str("title")?;
        let result = rd.str("result")?;
        let score = rd.f64("score")?;
        let weight = rd.f64("weight")?;
        let auto_fail =
            rd.prim::<BooleanArray, bool>("auto_fail", DataType::Boolean, |a, i| a.value(i))?;
        let detector = rd.str("detector")?;
        let evidence_idx = rd.ou32("evidence_idx")?;
        let evidence_start_ms = rd.oi64("evidence_start_ms")?;
        let evidence_end_ms = rd.oi64("evidence_end_ms")?;
        let evidence_text = rd.ostr("evidence_text")?;
        // Files written before per-item confidence: every result was reported as certain.
        let confidence = rd.of64("confidence")?;
        let review_reasons = rd.list("review_reasons")?;
        Ok(
            zip_rows!(call_id, agent_id, form, section, item_id, title, result, score, weight,
            auto_fail, detector, evidence_idx, evidence_start_ms, evidence_end_ms, evidence_text,
            confidence, review_reasons
            => EvaluationRow {
                call_id, call_date, agent_id, form, section, item_id, title, result, score,
                weight, auto_fail: auto_fail.unwrap_or(false), detector, evidence_idx,
                evidence_start_ms, evidence_end_ms, evidence_text,
                confidence: confidence.unwrap_or(1.0), review_reasons,
            }),
        )
    }
}

impl TableRow for CallScoreRow {
    const TABLE: Table = Table::CallScores;
    fn call_id(&self) -> Option<&str> {
        Some(&self.call_id)
    }
    fn partition_value(&self) -> String {
        date_key(self.call_date)
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        let f = |g: fn(&CallScoreRow) -> f64| a_f64(r.iter().map(move |x| Some(g(x))));
        let u = |g: fn(&CallScoreRow) -> u32| a_u32(r.iter().map(move |x| Some(g(x))));
        Ok(vec![
            ("call_id", a_str(r.iter().map(|x| x.call_id.as_str()))),
            ("agent_id", a_ostr(r.iter().map(|x| x.agent_id.as_deref()))),
            ("team", a_ostr(r.iter().map(|x| x.team.as_deref()))),
            ("form", a_str(r.iter().map(|x| x.form.as_str()))),
            ("total_score", f(|x| x.total_score)),
            ("auto_fail", a_bool(r.iter().map(|x| x.auto_fail))),
            ("needs_review", a_bool(r.iter().map(|x| x.needs_review))),
            (
                "review_reasons",
                a_list(r.iter().map(|x| x.review_reasons.as_slice())),
            ),
            ("items_passed", u(|x| x.items_passed)),
            ("items_failed", u(|x| x.items_failed)),
            ("items_na", u(|x| x.items_na)),
            (
                "customer_sentiment_start",
                a_dict(r.iter().map(|x| x.customer_sentiment_start.as_deref())),
            ),
            (
                "customer_sentiment_end",
                a_dict(r.iter().map(|x| x.customer_sentiment_end.as_deref())),
            ),
            (
                "customer_sentiment_start_score",
                a_f64(r.iter().map(|x| x.customer_sentiment_start_score)),
            ),
            (
                "customer_sentiment_end_score",
                a_f64(r.iter().map(|x| x.customer_sentiment_end_score)),
            ),
            ("duration_s", f(|x| x.duration_s)),
            ("agent_talk_s", f(|x| x.agent_talk_s)),
            ("customer_talk_s", f(|x| x.customer_talk_s)),
            ("agent_talk_ratio", f(|x| x.agent_talk_ratio)),
            ("silence_ratio", f(|x| x.silence_ratio)),
            ("longest_silence_s", f(|x| x.longest_silence_s)),
            ("longest_dead_air_s", f(|x| x.longest_dead_air_s)),
            ("dead_air_count", u(|x| x.dead_air_count)),
            ("hold_count", u(|x| x.hold_count)),
            ("hold_s", f(|x| x.hold_s)),
            ("overtalk_count", u(|x| x.overtalk_count)),
            ("overtalk_s", f(|x| x.overtalk_s)),
            ("agent_interruptions", u(|x| x.agent_interruptions)),
            ("customer_interruptions", u(|x| x.customer_interruptions)),
            ("agent_speech_rate", f(|x| x.agent_speech_rate)),
            (
                "agent_first_words_s",
                a_f64(r.iter().map(|x| x.agent_first_words_s)),
            ),
        ])
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let call_date = parse_date(Self::TABLE.name(), partition)?;
        // Columns added after the contract read as 0 / null from files that lack them.
        let f0 = |name: &str| -> Result<Vec<f64>, RowError> {
            Ok(rd
                .of64(name)?
                .into_iter()
                .map(|x| x.unwrap_or(0.0))
                .collect())
        };
        let u0 = |name: &str| -> Result<Vec<u32>, RowError> {
            Ok(rd.ou32(name)?.into_iter().map(|x| x.unwrap_or(0)).collect())
        };
        let call_id = rd.str("call_id")?;
        let agent_id = rd.ostr("agent_id")?;
        let team = rd.ostr("team")?;
        let form = rd.str("form")?;
        let total_score = rd.f64("total_score")?;
        let auto_fail = rd.bool("auto_fail")?;
        // Files written before review flags: no call was flagged.
        let needs_review: Vec<bool> = rd
            .prim::<BooleanArray, bool>("needs_review", DataType::Boolean, |a, i| a.value(i))?
            .into_iter()
            .map(|x| x.unwrap_or(false))
            .collect();
        let review_reasons = rd.list("review_reasons")?;
        let items_passed = rd.u32("items_passed")?;
        let items_failed = rd.u32("items_failed")?;
        let items_na = u0("items_na")?;
        let customer_sentiment_start = rd.ostr("customer_sentiment_start")?;
        let customer_sentiment_end = rd.ostr("customer_sentiment_end")?;
        let customer_sentiment_start_score = rd.of64("customer_sentiment_start_score")?;
        let customer_sentiment_end_score = rd.of64("customer_sentiment_end_score")?;
        let duration_s = f0("duration_s")?;
        let agent_talk_s = f0("agent_talk_s")?;
        let customer_talk_s = f0("customer_talk_s")?;
        let agent_talk_ratio = rd.f64("agent_talk_ratio")?;
        let silence_ratio = rd.f64("silence_ratio")?;
        let longest_silence_s = rd.f64("longest_silence_s")?;
        let longest_dead_air_s = f0("longest_dead_air_s")?;
        let dead_air_count = u0("dead_air_count")?;
        let hold_count = u0("hold_count")?;
        let hold_s = f0("hold_s")?;
        let overtalk_count = rd.u32("overtalk_count")?;
        let overtalk_s = f0("overtalk_s")?;
        let agent_interruptions = u0("agent_interruptions")?;
        let customer_interruptions = u0("customer_interruptions")?;
        let agent_speech_rate = rd.f64("agent_speech_rate")?;
        let agent_first_words_s = rd.of64("agent_first_words_s")?;
        Ok(
            zip_rows!(call_id, agent_id, team, form, total_score, auto_fail, needs_review,
            review_reasons, items_passed, items_failed, items_na, customer_sentiment_start, customer_sentiment_end,
            customer_sentiment_start_score, customer_sentiment_end_score, duration_s,
            agent_talk_s, customer_talk_s, agent_talk_ratio, silence_ratio, longest_silence_s,
            longest_dead_air_s, dead_air_count, hold_count, hold_s, overtalk_count, overtalk_s,
            agent_interruptions, customer_interruptions, agent_speech_rate, agent_first_words_s
            => CallScoreRow {
                call_id, call_date, agent_id, team, form, total_score, auto_fail, needs_review,
                review_reasons, items_passed, items_failed, items_na, customer_sentiment_start, customer_sentiment_end,
                customer_sentiment_start_score, customer_sentiment_end_score, duration_s,
                agent_talk_s, customer_talk_s, agent_talk_ratio, silence_ratio,
                longest_silence_s, longest_dead_air_s, dead_air_count, hold_count, hold_s,
                overtalk_count, overtalk_s, agent_interruptions, customer_interruptions,
                agent_speech_rate, agent_first_words_s,
            }),
        )
    }
}

impl TableRow for AgentSummaryRow {
    const TABLE: Table = Table::AgentSummary;
    fn partition_value(&self) -> String {
        self.period.clone()
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        let mut v: Vec<(&'static str, ArrayRef)> = vec![
            ("agent_id", a_str(r.iter().map(|x| x.agent_id.as_str()))),
            ("team", a_ostr(r.iter().map(|x| x.team.as_deref()))),
            ("period_start", a_date(r.iter().map(|x| x.period_start))),
            ("period_end", a_date(r.iter().map(|x| x.period_end))),
            ("calls", a_u32(r.iter().map(|x| Some(x.calls)))),
            ("mean_score", a_f64(r.iter().map(|x| Some(x.mean_score)))),
            ("p10_score", a_f64(r.iter().map(|x| Some(x.p10_score)))),
            ("p90_score", a_f64(r.iter().map(|x| Some(x.p90_score)))),
            (
                "auto_fail_count",
                a_u32(r.iter().map(|x| Some(x.auto_fail_count))),
            ),
            (
                "needs_review_count",
                a_u32(r.iter().map(|x| Some(x.needs_review_count))),
            ),
            (
                "rank_in_team",
                a_u32(r.iter().map(|x| Some(x.rank_in_team))),
            ),
            (
                "mean_score_change",
                a_f64(r.iter().map(|x| x.mean_score_change)),
            ),
        ];
        for (i, name) in PASS_RATE_COLUMNS.iter().enumerate() {
            v.push((name, a_f64(r.iter().map(|x| x.pass_rates[i]))));
        }
        Ok(v)
    }
    fn from_batch(b: &RecordBatch, partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let agent_id = rd.str("agent_id")?;
        let team = rd.ostr("team")?;
        let period_start = rd.date("period_start")?;
        let period_end = rd.date("period_end")?;
        let calls = rd.u32("calls")?;
        let mean_score = rd.f64("mean_score")?;
        let p10_score = rd.f64("p10_score")?;
        let p90_score = rd.f64("p90_score")?;
        let auto_fail_count = rd.u32("auto_fail_count")?;
        // Summaries written before review flags count none.
        let needs_review_count: Vec<u32> = rd
            .ou32("needs_review_count")?
            .into_iter()
            .map(|x| x.unwrap_or(0))
            .collect();
        let rank_in_team = rd.u32("rank_in_team")?;
        let mean_score_change = rd.of64("mean_score_change")?;
        let rates: Vec<Vec<Option<f64>>> = PASS_RATE_COLUMNS
            .iter()
            .map(|c| rd.of64(c))
            .collect::<Result<_, _>>()?;
        let row_rates = (0..b.num_rows()).map(|i| {
            let mut a = [None; EVALUATION_ITEMS.len()];
            for (k, col) in rates.iter().enumerate() {
                a[k] = col.get(i).copied().flatten();
            }
            a
        });
        Ok(
            zip_rows!(agent_id, team, period_start, period_end, calls, mean_score, p10_score,
            p90_score, auto_fail_count, needs_review_count, row_rates, rank_in_team,
            mean_score_change
            => AgentSummaryRow {
                agent_id, team, period: partition.to_string(), period_start, period_end, calls,
                mean_score, p10_score, p90_score, auto_fail_count, needs_review_count,
                pass_rates: row_rates,
                rank_in_team, mean_score_change,
            }),
        )
    }
}

/// `pass_rate_<item>` column names, in the order of [`callqa_core::EVALUATION_ITEMS`].
pub const PASS_RATE_COLUMNS: [&str; EVALUATION_ITEMS.len()] = [
    "pass_rate_greeting",
    "pass_rate_self_intro",
    "pass_rate_identity_check",
    "pass_rate_empathy",
    "pass_rate_hold_etiquette",
    "pass_rate_summary",
    "pass_rate_anything_else",
    "pass_rate_farewell",
    "pass_rate_courtesy",
    "pass_rate_dead_air",
    "pass_rate_interruptions",
];

impl TableRow for ErrorRow {
    const TABLE: Table = Table::Errors;
    fn call_id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }
    fn partition_value(&self) -> String {
        date_key(self.at.date_naive())
    }
    fn columns(r: &[&Self]) -> Result<Vec<(&'static str, ArrayRef)>, RowError> {
        Ok(vec![
            ("run_id", a_str(r.iter().map(|x| x.run_id.as_str()))),
            ("source_uri", a_str(r.iter().map(|x| x.source_uri.as_str()))),
            ("call_id", a_ostr(r.iter().map(|x| x.call_id.as_deref()))),
            ("stage", a_dict(r.iter().map(|x| Some(x.stage.as_str())))),
            ("kind", a_dict(r.iter().map(|x| Some(x.kind.as_str())))),
            ("message", a_str(r.iter().map(|x| x.message.as_str()))),
            ("at", a_ts(r.iter().map(|x| Some(x.at)))),
        ])
    }
    fn from_batch(b: &RecordBatch, _partition: &str) -> Result<Vec<Self>, RowError> {
        let rd = Reader::new::<Self>(b);
        let run_id = rd.str("run_id")?;
        let source_uri = rd.str("source_uri")?;
        let call_id = rd.ostr("call_id")?;
        let stage = rd.str("stage")?;
        let kind = rd.str("kind")?;
        let message = rd.str("message")?;
        let at = rd.ts("at")?;
        Ok(
            zip_rows!(run_id, source_uri, call_id, stage, kind, message, at => ErrorRow {
                run_id, source_uri, call_id, stage, kind, message, at,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::dict_type;

    #[test]
    fn pass_rate_columns_follow_the_canonical_items() {
        for (c, item) in PASS_RATE_COLUMNS.iter().zip(EVALUATION_ITEMS) {
            assert_eq!(*c, format!("pass_rate_{item}"));
        }
    }

    #[test]
    fn agent_summary_json_carries_every_field_and_the_pass_rates_under_the_given_key() {
        let mut pass_rates = [None; EVALUATION_ITEMS.len()];
        pass_rates[0] = Some(0.5);
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let row = AgentSummaryRow {
            agent_id: "A1".into(),
            team: Some("north".into()),
            period: "week".into(),
            period_start: day,
            period_end: day,
            calls: 3,
            mean_score: 80.0,
            p10_score: 70.0,
            p90_score: 90.0,
            auto_fail_count: 1,
            needs_review_count: 2,
            pass_rates,
            rank_in_team: 1,
            mean_score_change: None,
        };
        for key in ["pass_rate", "pass_rates"] {
            let j = row.to_json(key);
            assert_eq!(j["needs_review_count"], 2, "{j}");
            assert_eq!(j["period_start"], "2026-11-02", "{j}");
            for item in EVALUATION_ITEMS {
                assert_eq!(j[key][item].as_f64(), row.pass_rate(item), "{item}: {j}");
            }
        }
    }

    #[test]
    fn dates_convert_both_ways() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        assert_eq!(days_to_date(date_to_days(d)), Some(d));
        assert_eq!(date_to_days(EPOCH), 0);
        assert_eq!(date_key(d), "2026-11-24");
    }

    #[test]
    fn dictionary_and_list_builders_give_the_schema_types() {
        assert_eq!(
            a_dict([Some("a"), None].into_iter()).data_type(),
            &dict_type()
        );
        let l: Vec<String> = vec!["x".into()];
        assert_eq!(
            a_list([l.as_slice()].into_iter()).data_type(),
            &string_list_type()
        );
        assert_eq!(a_ts([None].into_iter()).data_type(), &timestamp_type());
    }
}
