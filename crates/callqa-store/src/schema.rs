//! The one source of truth for the output tables: per table, every column with its Arrow type,
//! nullability and a one-line description. The row conversions, the Parquet writer and
//! `docs/schema.md` (see [`schema_markdown`]) all read these lists.

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use callqa_core::{EVALUATION_ITEMS, ReviewReason};
use std::fmt::Write as _;
use std::sync::Arc;

/// One output table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per processed call: source, metadata, pipeline and models.
    Calls,
    /// One row per utterance, with its classifier labels.
    Utterances,
    /// VAD speech spans per party (lets `callqa rescore` recompute speech metrics without audio).
    Activity,
    /// One row per evaluation-form item per call.
    Evaluations,
    /// One row per call and form: total score, counts and speech metrics.
    CallScores,
    /// Per agent and period: score statistics, pass rates and rank in team.
    AgentSummary,
    /// One row per failure (a call or a stage that could not be processed).
    Errors,
}

impl Table {
    /// Every table, in documentation order.
    pub const ALL: [Table; 7] = [
        Table::Calls,
        Table::Utterances,
        Table::Activity,
        Table::Evaluations,
        Table::CallScores,
        Table::AgentSummary,
        Table::Errors,
    ];

    /// The tables a run writes through [`crate::Store::commit_shard`] (guarded by the ledger).
    pub const RUN_TABLES: [Table; 6] = [
        Table::Calls,
        Table::Utterances,
        Table::Activity,
        Table::Evaluations,
        Table::CallScores,
        Table::Errors,
    ];

    /// The table's directory name under the output directory.
    pub fn name(self) -> &'static str {
        match self {
            Table::Calls => "calls",
            Table::Utterances => "utterances",
            Table::Activity => "activity",
            Table::Evaluations => "evaluations",
            Table::CallScores => "call_scores",
            Table::AgentSummary => "agent_summary",
            Table::Errors => "errors",
        }
    }

    /// One-line description.
    pub fn doc(self) -> &'static str {
        match self {
            Table::Calls => {
                "One row per processed call: source recording, call metadata, pipeline and model versions."
            }
            Table::Utterances => {
                "One row per utterance (turn-ordered), with the classifier labels."
            }
            Table::Activity => {
                "Speech activity (VAD spans) per party; `callqa rescore` recomputes the speech metrics from it without the audio."
            }
            Table::Evaluations => {
                "One row per evaluation-form item per call, with the evidence that decided it."
            }
            Table::CallScores => {
                "One row per call and form: total score, item counts, customer sentiment and speech metrics."
            }
            Table::AgentSummary => {
                "Per agent and period (ISO week from Monday, or calendar month): score statistics, item pass rates, rank in team. Rewritten as a whole by `callqa agents`."
            }
            Table::Errors => {
                "One row per failure: a recording or a stage that could not be processed."
            }
        }
    }

    /// The Hive partition column (the directory level `<column>=<value>` under the table).
    pub fn partition_column(self) -> &'static str {
        match self {
            Table::AgentSummary => "period",
            Table::Errors => "date",
            _ => "call_date",
        }
    }

    /// The path pattern of the table's part files, relative to the output directory.
    pub fn path_pattern(self) -> &'static str {
        match self {
            Table::AgentSummary => "agent_summary/period=<week|month>/part-summary.parquet",
            Table::Errors => "errors/date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
            Table::Calls => "calls/call_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
            Table::Utterances => "utterances/call_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
            Table::Activity => "activity/call_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
            Table::Evaluations => "evaluations/call_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
            Table::CallScores => "call_scores/call_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet",
        }
    }

    /// Every column, the partition column included, in order.
    pub fn columns(self) -> Vec<Column> {
        match self {
            Table::Calls => calls(),
            Table::Utterances => utterances(),
            Table::Activity => activity(),
            Table::Evaluations => evaluations(),
            Table::CallScores => call_scores(),
            Table::AgentSummary => agent_summary(),
            Table::Errors => errors(),
        }
    }

    /// The Arrow schema of the part files: every column but the partition column, which lives in
    /// the directory name only (so Hive-aware readers such as pyarrow, DuckDB and Spark do not see
    /// it twice).
    pub fn file_schema(self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns()
            .iter()
            .filter(|c| !c.partition)
            .map(Column::field)
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The logical schema: the file schema plus the partition column (as the Rust reader and a
    /// reader given the partition type see it).
    pub fn schema(self) -> SchemaRef {
        let fields: Vec<Field> = self.columns().iter().map(Column::field).collect();
        Arc::new(Schema::new(fields))
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name (a contract: never renamed without a migration note).
    pub name: String,
    /// Arrow type as written.
    pub data_type: DataType,
    /// Whether the value may be missing.
    pub nullable: bool,
    /// True for the Hive partition column: held in the directory name, not in the part files.
    pub partition: bool,
    /// One-line description.
    pub doc: String,
}

impl Column {
    /// The Arrow field.
    pub fn field(&self) -> Field {
        Field::new(self.name.clone(), self.data_type.clone(), self.nullable)
    }
}

/// `Dictionary(Int32, Utf8)`: the type of enum-like columns.
pub fn dict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// `Timestamp(Microsecond, "UTC")`: the type of instants.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// `List<Utf8>` (item field `item`, nullable): the type of label lists.
pub fn string_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn col(name: &str, data_type: DataType, nullable: bool, doc: &str) -> Column {
    Column {
        name: name.to_string(),
        data_type,
        nullable,
        partition: false,
        doc: doc.to_string(),
    }
}

/// Required (non-null) column.
fn req(name: &str, data_type: DataType, doc: &str) -> Column {
    col(name, data_type, false, doc)
}

/// Nullable column.
fn opt(name: &str, data_type: DataType, doc: &str) -> Column {
    col(name, data_type, true, doc)
}

fn call_date_partition() -> Column {
    Column {
        partition: true,
        ..req(
            "call_date",
            DataType::Date32,
            "Date of the call (from the manifest, else the recording's start, else the processing date); the partition key.",
        )
    }
}

use DataType::{Boolean, Date32, Float64, Int64, UInt32, Utf8};

fn calls() -> Vec<Column> {
    vec![
        req(
            "call_id",
            Utf8,
            "Call identifier (manifest `call_id`, else the recording's file stem).",
        ),
        req(
            "call_key",
            Utf8,
            "sha256 of audio sha256 + pipeline name + version + model hashes: the idempotence key the run ledger records.",
        ),
        req("source_uri", Utf8, "Path or URI of the recording as given."),
        req(
            "source_sha256",
            Utf8,
            "sha256 of the recording's bytes (hex).",
        ),
        opt("agent_id", Utf8, "Agent identifier (manifest)."),
        opt("team", Utf8, "Agent's team (manifest)."),
        opt(
            "direction",
            dict_type(),
            "`inbound` or `outbound` (manifest or pipeline).",
        ),
        call_date_partition(),
        opt(
            "started_at",
            timestamp_type(),
            "When the call started (manifest or file name; local time as recorded, marked UTC).",
        ),
        opt(
            "started_at_source",
            dict_type(),
            "Where `started_at` and `call_date` came from: `manifest` (its `started_at` column), `filename` (`[metadata] filename_pattern`, read with `started_at_format` or a common layout), `folder` (no start time; the recording's folders name the day: `.../2026/12/03/...`, `.../2026-12-03/...`; `started_at` empty), `file_mtime` (no start time found: the recording's modification date; `started_at` empty) or `run_date` (not even that: the day of the run). Empty in files written before the column.",
        ),
        req("duration_s", Float64, "Length of the recording, seconds."),
        req(
            "channels",
            UInt32,
            "Channels in the recording (1 mono, 2 stereo).",
        ),
        req(
            "sample_rate_hz",
            UInt32,
            "Sample rate of the recording as stored, Hz.",
        ),
        opt(
            "codec",
            Utf8,
            "Codec or container of the recording (`pcm_s16le`, `mp3`, ...).",
        ),
        req(
            "language",
            dict_type(),
            "Language the call was transcribed in (`zh`, `en`, ...).",
        ),
        req(
            "roles_inferred",
            Boolean,
            "True when agent/customer were inferred from a mono recording rather than read off channels.",
        ),
        opt(
            "role_confidence",
            Float64,
            "Confidence of the role assignment in [0, 1] (1 for stereo with a channel map).",
        ),
        req(
            "dropped_segments",
            UInt32,
            "ASR segments dropped as likely hallucinations.",
        ),
        req(
            "truncated",
            Boolean,
            "True when only part of the recording was processed (length limit or decode error part-way).",
        ),
        req("pipeline", Utf8, "Pipeline name (`pipelines/<name>.toml`)."),
        req("pipeline_version", Utf8, "Pipeline version string."),
        req("form", Utf8, "Evaluation form id the call was scored with."),
        req("asr_model", Utf8, "ASR model name."),
        req(
            "asr_model_sha256",
            Utf8,
            "sha256 of the ASR model file (hex).",
        ),
        opt(
            "classifier_versions",
            Utf8,
            "Classifier models used, `name=sha256` pairs joined by `;`.",
        ),
        opt(
            "extra",
            Utf8,
            "JSON object of manifest columns callqa does not know, kept as given.",
        ),
        opt(
            "redacted_audio_uri",
            Utf8,
            "Path of the redacted copy of the recording (a tone over every `utterances.pii_spans` span, on every channel), written when the pipeline's `[privacy] redact_audio` is true; null otherwise. Readers play it instead of `source_uri` when set.",
        ),
        req(
            "processed_at",
            timestamp_type(),
            "When the call was processed, UTC.",
        ),
        req("run_id", Utf8, "Run that processed the call."),
    ]
}

fn utterances() -> Vec<Column> {
    vec![
        req("call_id", Utf8, "Call identifier (joins `calls.call_id`)."),
        call_date_partition(),
        req(
            "idx",
            UInt32,
            "Position in the turn-ordered transcript, from 0.",
        ),
        req("speaker", dict_type(), "`agent`, `customer` or `unknown`."),
        req(
            "start_ms",
            Int64,
            "Start, milliseconds from the start of the recording.",
        ),
        req(
            "end_ms",
            Int64,
            "End, milliseconds from the start of the recording.",
        ),
        req(
            "text",
            Utf8,
            "Recognised, normalised text; with the pipeline's `[privacy] store_raw_text = false` (the default) the redacted text instead (with `true`: personal data, protect the table).",
        ),
        req(
            "text_redacted",
            Utf8,
            "Text with personal data replaced by typed tags: `[NAME]`, `[PHONE]`, `[ID]`, `[CARD]`, `[ACCOUNT]`, `[ADDRESS]`, `[EMAIL]`, `[DOB]`.",
        ),
        req(
            "pii_spans",
            Utf8,
            "The personal data `text_redacted` masks, as a JSON array of `{type, start_char, end_char, start_ms, end_ms}` (type: `name`, `phone`, `id`, `card`, `account`, `address`, `email` or `dob`; chars index the recognised text, ms the recording's timeline, placed by character share of the utterance and padded 150 ms); `[]` when none. Audio redaction silences these spans.",
        ),
        opt(
            "asr_avg_logprob",
            Float64,
            "Whisper average token log-probability.",
        ),
        opt(
            "no_speech_prob",
            Float64,
            "Whisper no-speech probability of the window.",
        ),
        opt(
            "sentiment",
            dict_type(),
            "`negative`, `neutral` or `positive`.",
        ),
        opt(
            "sentiment_score",
            Float64,
            "Probability of the sentiment label.",
        ),
        opt(
            "courtesy",
            dict_type(),
            "`polite`, `neutral` or `impolite` (agent utterances).",
        ),
        opt(
            "courtesy_score",
            Float64,
            "Probability of the courtesy label.",
        ),
        opt(
            "script_step",
            dict_type(),
            "Best script-step label (agent utterances), `other` when none.",
        ),
        opt(
            "script_step_score",
            Float64,
            "Probability of the script-step label.",
        ),
        req(
            "script_steps",
            string_list_type(),
            "Every script step detected in the utterance (may be empty).",
        ),
        req(
            "backchannel",
            Boolean,
            "True for a back-channel: a short acknowledgement (嗯, 对, okay, uh-huh) inside the other party's turn; not a turn for the script-step and courtesy judgements.",
        ),
    ]
}

fn activity() -> Vec<Column> {
    vec![
        req("call_id", Utf8, "Call identifier."),
        call_date_partition(),
        req("speaker", dict_type(), "`agent`, `customer` or `unknown`."),
        req(
            "start_ms",
            Int64,
            "Start of the speech span, milliseconds from the start of the recording.",
        ),
        req("end_ms", Int64, "End of the speech span, milliseconds."),
    ]
}

fn evaluations() -> Vec<Column> {
    vec![
        req("call_id", Utf8, "Call identifier."),
        call_date_partition(),
        opt("agent_id", Utf8, "Agent identifier."),
        req("form", Utf8, "Evaluation form id."),
        opt("section", Utf8, "Form section the item belongs to."),
        req(
            "item_id",
            Utf8,
            "Item id (canonical ids: greeting, self_intro, ..., interruptions).",
        ),
        req(
            "title",
            Utf8,
            "Item title shown to analysts, in the form's language.",
        ),
        req("result", dict_type(), "`pass`, `fail` or `na`."),
        req(
            "score",
            Float64,
            "Points earned (weight when passed, 0 otherwise).",
        ),
        req("weight", Float64, "Item weight in the form."),
        req(
            "auto_fail",
            Boolean,
            "True when this item failed and is an auto-fail item (the call scores 0).",
        ),
        req(
            "detector",
            Utf8,
            "Detector that decided the item (`script_step:greeting`, `metric:longest_silence_s <= 10`, ...).",
        ),
        opt("evidence_idx", UInt32, "Utterance idx of the evidence."),
        opt(
            "evidence_start_ms",
            Int64,
            "Start of the evidence, milliseconds.",
        ),
        opt(
            "evidence_end_ms",
            Int64,
            "End of the evidence, milliseconds.",
        ),
        opt(
            "evidence_text",
            Utf8,
            "Evidence: the (redacted) utterance or a metric statement.",
        ),
        req(
            "confidence",
            Float64,
            "How sure the engine is of `result`, 0-1: the classifier probability of the evidence utterance (script_step, courtesy, sentiment), 1 for phrase and clear-margin metric results, lowered for inferred roles and low-confidence ASR (rules: crates/callqa-score/src/form.rs).",
        ),
        req(
            "review_reasons",
            string_list_type(),
            "Why this item needs a human look (names below); empty when it does not.",
        ),
    ]
}

fn call_scores() -> Vec<Column> {
    vec![
        req("call_id", Utf8, "Call identifier."),
        call_date_partition(),
        opt("agent_id", Utf8, "Agent identifier."),
        opt("team", Utf8, "Agent's team."),
        req("form", Utf8, "Evaluation form id."),
        req(
            "total_score",
            Float64,
            "Total score 0-100 (0 when auto-failed).",
        ),
        req(
            "auto_fail",
            Boolean,
            "True when an auto-fail item failed on reliable evidence (the call scores 0).",
        ),
        req(
            "needs_review",
            Boolean,
            "True when a person should check the call (`review_reasons` is not empty): weak evidence flags a call instead of failing it.",
        ),
        req(
            "review_reasons",
            string_list_type(),
            "Why the call needs review, each reason once (names below); empty when it does not.",
        ),
        req("items_passed", UInt32, "Items that passed."),
        req("items_failed", UInt32, "Items that failed."),
        req("items_na", UInt32, "Items not applicable to the call."),
        opt(
            "customer_sentiment_start",
            dict_type(),
            "Customer sentiment over the opening utterances (`negative`/`neutral`/`positive`).",
        ),
        opt(
            "customer_sentiment_end",
            dict_type(),
            "Customer sentiment over the closing utterances.",
        ),
        opt(
            "customer_sentiment_start_score",
            Float64,
            "Opening customer sentiment as a number in [-1, 1] (P(positive) - P(negative)).",
        ),
        opt(
            "customer_sentiment_end_score",
            Float64,
            "Closing customer sentiment as a number in [-1, 1].",
        ),
        req("duration_s", Float64, "Length of the call, seconds."),
        req("agent_talk_s", Float64, "Agent speech, seconds."),
        req("customer_talk_s", Float64, "Customer speech, seconds."),
        req(
            "agent_talk_ratio",
            Float64,
            "Agent speech / (agent + customer speech), 0-1.",
        ),
        req(
            "silence_ratio",
            Float64,
            "Share of the call where nobody speaks, 0-1.",
        ),
        req(
            "longest_silence_s",
            Float64,
            "Longest stretch where nobody speaks, seconds.",
        ),
        req(
            "longest_dead_air_s",
            Float64,
            "Longest silence outside announced holds, seconds.",
        ),
        req(
            "dead_air_count",
            UInt32,
            "Silences over the form's dead-air limit outside announced holds.",
        ),
        req("hold_count", UInt32, "Announced holds."),
        req("hold_s", Float64, "Time on announced holds, seconds."),
        req(
            "overtalk_count",
            UInt32,
            "Stretches where both parties speak at once.",
        ),
        req(
            "overtalk_s",
            Float64,
            "Time both parties speak at once, seconds.",
        ),
        req(
            "agent_interruptions",
            UInt32,
            "Overtalk started by the agent while the customer was speaking.",
        ),
        req(
            "customer_interruptions",
            UInt32,
            "Overtalk started by the customer while the agent was speaking.",
        ),
        req(
            "agent_speech_rate",
            Float64,
            "Agent speaking rate: characters (zh) or words (en) per minute of agent speech.",
        ),
        opt(
            "agent_first_words_s",
            Float64,
            "Seconds from the start until the agent first speaks; null when the agent never speaks.",
        ),
    ]
}

fn agent_summary() -> Vec<Column> {
    let mut v = vec![
        req("agent_id", Utf8, "Agent identifier."),
        opt(
            "team",
            Utf8,
            "Agent's team (the most frequent in the period).",
        ),
        Column {
            partition: true,
            ..req(
                "period",
                Utf8,
                "`week` (ISO week from Monday) or `month`; the partition key.",
            )
        },
        req("period_start", Date32, "First day of the period."),
        req("period_end", Date32, "Last day of the period (inclusive)."),
        req("calls", UInt32, "Calls scored in the period."),
        req("mean_score", Float64, "Mean total score."),
        req(
            "p10_score",
            Float64,
            "10th percentile of the total score (linear interpolation, as numpy's default).",
        ),
        req(
            "p90_score",
            Float64,
            "90th percentile of the total score (linear interpolation).",
        ),
        req("auto_fail_count", UInt32, "Calls auto-failed."),
        req(
            "needs_review_count",
            UInt32,
            "Calls flagged for review (`call_scores.needs_review`).",
        ),
    ];
    for item in EVALUATION_ITEMS {
        v.push(opt(
            &format!("pass_rate_{item}"),
            Float64,
            &format!("Share of applicable (non-na) `{item}` results that passed; null when none."),
        ));
    }
    v.push(req(
        "rank_in_team",
        UInt32,
        "Rank by mean score among the team's agents in the period (1 = best; ties share a rank).",
    ));
    v.push(opt("mean_score_change", Float64, "Mean score minus the agent's mean in the preceding period; null when the agent had no calls then."));
    v
}

fn errors() -> Vec<Column> {
    vec![
        req("run_id", Utf8, "Run in which the failure happened."),
        req("source_uri", Utf8, "Recording (or input) that failed."),
        opt("call_id", Utf8, "Call identifier, when known."),
        req(
            "stage",
            dict_type(),
            "Stage that failed: `input`, `audio`, `vad`, `asr`, `text`, `score`, `store`, ...",
        ),
        req(
            "kind",
            dict_type(),
            "Error kind (`decode`, `unsupported`, `timeout`, `model`, ...).",
        ),
        req(
            "message",
            Utf8,
            "One-line error message (no transcript text).",
        ),
        req("at", timestamp_type(), "When the failure happened, UTC."),
        Column {
            partition: true,
            ..req("date", Date32, "UTC date of `at`; the partition key.")
        },
    ]
}

/// A human-readable name of an Arrow type, as the docs show it.
pub fn type_name(t: &DataType) -> String {
    match t {
        DataType::Utf8 => "string".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Date32 => "date32".into(),
        DataType::Timestamp(unit, tz) => {
            let u = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "us",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("timestamp[{u}, {tz}]"),
                None => format!("timestamp[{u}]"),
            }
        }
        DataType::Dictionary(k, v) => format!("dictionary<{}, {}>", type_name(k), type_name(v)),
        DataType::List(f) => format!("list<{}>", type_name(f.data_type())),
        other => format!("{other}"),
    }
}

/// `docs/schema.md`, generated from the column lists above.
pub fn schema_markdown() -> String {
    let mut s = String::new();
    s.push_str("# callqa output tables\n\n");
    s.push_str("<!-- Generated from crates/callqa-store/src/schema.rs by `schema_markdown()`; do not edit by hand.\n");
    s.push_str("     Regenerate: CALLQA_BLESS=1 cargo test -p callqa-store schema_doc -->\n\n");
    s.push_str(
        "Parquet files, zstd-compressed, row groups of at most 131072 rows, Hive-partitioned under the \
output directory. Column names are a contract (tests and dashboards key on them): columns may be \
added, never renamed without a migration note.\n\n",
    );
    s.push_str(
        "- The partition column (`call_date`, `period`, `date`) lives in the directory name only, not \
in the part files: read a table as a Hive-partitioned dataset (`pyarrow.dataset.dataset(path, \
partitioning=\"hive\")`, DuckDB `read_parquet('out/calls/*/*.parquet', hive_partitioning=true)`). \
pyarrow's inference reads it as a string; pass a partitioning schema to get `date32`.\n",
    );
    s.push_str(
        "- Enum-like columns are `dictionary<int32, string>`; instants are `timestamp[us, UTC]`; \
dates are `date32`.\n",
    );
    s.push_str(
        "- A run writes part files under temporary names (`.part-*.parquet.tmp`), renames them into \
place, then writes its commit record `_ledger/<run_id>-<shard>.json` (call keys and files). Part \
files no ledger record lists belong to a run in flight or an interrupted one: `Store::open` \
deletes them once their run's lock (`_locks/runs/<run_id>.lock`) is free. `_locks/` also holds \
the folder lock and the per-call claims that let several runs write one folder (see \
`docs/spark.md`). Readers skip files whose names start with `.` or `_`.\n\n",
    );
    for t in Table::ALL {
        let _ = writeln!(
            s,
            "## `{}`\n\n{}\n\nPath: `{}`\n",
            t.name(),
            t.doc(),
            t.path_pattern()
        );
        s.push_str("| column | type | nullable | description |\n|---|---|---|---|\n");
        for c in t.columns() {
            let ty = if c.partition {
                format!("`{}` (partition)", type_name(&c.data_type))
            } else {
                format!("`{}`", type_name(&c.data_type))
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                c.name,
                ty,
                if c.nullable { "yes" } else { "no" },
                c.doc.replace('|', "\\|")
            );
        }
        s.push('\n');
    }
    s.push_str(
        "## Review reasons\n\nThe values of `call_scores.review_reasons` and \
`evaluations.review_reasons` (from `callqa_core::ReviewReason`). The rules that set them sit next \
to the form keys in `crates/callqa-score/src/form.rs`.\n\n| reason | meaning |\n|---|---|\n",
    );
    for r in ReviewReason::ALL {
        let _ = writeln!(s, "| `{}` | {} |", r.as_str(), r.doc().replace('|', "\\|"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Column names the design fixes (the contract with checks and dashboards).
    const CONTRACT: &[(&str, &[&str])] = &[
        (
            "calls",
            &[
                "call_id",
                "source_uri",
                "source_sha256",
                "agent_id",
                "team",
                "direction",
                "call_date",
                "started_at",
                "started_at_source",
                "duration_s",
                "channels",
                "sample_rate_hz",
                "codec",
                "language",
                "roles_inferred",
                "pipeline",
                "pipeline_version",
                "asr_model",
                "asr_model_sha256",
                "processed_at",
                "run_id",
            ],
        ),
        (
            "utterances",
            &[
                "call_id",
                "idx",
                "speaker",
                "start_ms",
                "end_ms",
                "text",
                "text_redacted",
                "asr_avg_logprob",
                "sentiment",
                "sentiment_score",
                "courtesy",
                "courtesy_score",
                "script_step",
                "script_step_score",
                "backchannel",
            ],
        ),
        (
            "activity",
            &["call_id", "call_date", "speaker", "start_ms", "end_ms"],
        ),
        (
            "evaluations",
            &[
                "call_id",
                "agent_id",
                "form",
                "item_id",
                "title",
                "result",
                "score",
                "weight",
                "detector",
                "evidence_idx",
                "evidence_start_ms",
                "evidence_end_ms",
                "evidence_text",
                "confidence",
            ],
        ),
        (
            "call_scores",
            &[
                "call_id",
                "agent_id",
                "form",
                "total_score",
                "auto_fail",
                "needs_review",
                "review_reasons",
                "items_passed",
                "items_failed",
                "customer_sentiment_start",
                "customer_sentiment_end",
                "agent_talk_ratio",
                "silence_ratio",
                "longest_silence_s",
                "overtalk_count",
                "agent_speech_rate",
            ],
        ),
        (
            "agent_summary",
            &[
                "agent_id",
                "team",
                "period_start",
                "period_end",
                "calls",
                "mean_score",
                "p10_score",
                "p90_score",
                "rank_in_team",
                "needs_review_count",
                "pass_rate_greeting",
                "pass_rate_interruptions",
            ],
        ),
        (
            "errors",
            &["run_id", "source_uri", "stage", "kind", "message", "at"],
        ),
    ];

    #[test]
    fn every_contract_column_is_present_and_names_are_unique() {
        for (name, cols) in CONTRACT {
            let t = Table::ALL
                .into_iter()
                .find(|t| t.name() == *name)
                .unwrap_or_else(|| panic!("no table {name}"));
            let have: Vec<String> = t.columns().into_iter().map(|c| c.name).collect();
            let set: HashSet<&String> = have.iter().collect();
            assert_eq!(set.len(), have.len(), "{name}: duplicate column");
            for c in *cols {
                assert!(set.contains(&c.to_string()), "{name}: missing {c}");
            }
        }
        let s = Table::AgentSummary.schema();
        for item in EVALUATION_ITEMS {
            assert!(s.field_with_name(&format!("pass_rate_{item}")).is_ok());
        }
    }

    #[test]
    fn enum_and_time_columns_have_the_agreed_types() {
        let dict = [
            "speaker",
            "result",
            "sentiment",
            "courtesy",
            "script_step",
            "direction",
            "started_at_source",
            "language",
            "stage",
            "kind",
        ];
        for t in Table::ALL {
            for c in t.columns() {
                if dict.contains(&c.name.as_str()) {
                    assert_eq!(c.data_type, dict_type(), "{}.{}", t.name(), c.name);
                }
                if ["started_at", "processed_at", "at"].contains(&c.name.as_str()) {
                    assert_eq!(c.data_type, timestamp_type(), "{}.{}", t.name(), c.name);
                }
                if ["call_date", "period_start", "period_end"].contains(&c.name.as_str()) {
                    assert_eq!(c.data_type, DataType::Date32, "{}.{}", t.name(), c.name);
                }
            }
            // exactly one partition column, named as the path says, absent from the file schema
            let parts: Vec<Column> = t.columns().into_iter().filter(|c| c.partition).collect();
            assert_eq!(parts.len(), 1, "{}", t.name());
            assert_eq!(parts[0].name, t.partition_column());
            assert!(
                t.file_schema()
                    .field_with_name(t.partition_column())
                    .is_err()
            );
            assert!(
                t.path_pattern()
                    .contains(&format!("{}=", t.partition_column()))
            );
        }
    }

    #[test]
    fn schema_doc_matches_generated_text() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema.md");
        let want = schema_markdown();
        if std::env::var("CALLQA_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} differs from schema_markdown() (the column lists in crates/callqa-store/src/schema.rs); \
             regenerate it with `CALLQA_BLESS=1 cargo test -p callqa-store schema_doc`",
            path.display()
        );
    }
}
