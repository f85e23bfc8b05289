//! Routes and their handlers: HTML pages, JSON under `/api/`, the audio and the embedded assets.

use crate::index::{CallFilter, CallRecord, audio_path};
use crate::{AppState, audio, auth, pages};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::get;
use callqa_store::Period;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

const APP_CSS: &str = include_str!("../assets/app.css");
const APP_JS: &str = include_str!("../assets/app.js");

/// Every response says: only this origin, nothing inline but styles on SVG attributes.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/agents", get(agents))
        .route("/agents/{agent_id}", get(agent))
        .route("/calls", get(calls))
        .route("/calls/{call_id}", get(call))
        .route("/audio/{call_id}", get(audio_file))
        .route("/assets/app.css", get(css))
        .route("/assets/app.js", get(js))
        .route("/api/overview", get(api_overview))
        .route("/api/agents", get(api_agents))
        .route("/api/agents/{agent_id}", get(api_agent))
        .route("/api/calls", get(api_calls))
        .route("/api/calls/{call_id}", get(api_call))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::check))
        .layer(middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn html_error(status: StatusCode, title: &str, message: &str) -> Response {
    (status, Html(pages::error_page(title, message))).into_response()
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn not_found() -> Response {
    html_error(StatusCode::NOT_FOUND, "Not found", "No such page.")
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

async fn overview(State(st): State<Arc<AppState>>) -> Html<String> {
    Html(pages::overview(&st.index))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PeriodQuery {
    period: Option<String>,
}

fn period(q: &PeriodQuery) -> Result<Period, String> {
    match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::Week),
        Some(p) => p.parse(),
    }
}

async fn agents(State(st): State<Arc<AppState>>, q: Query<PeriodQuery>) -> Response {
    match period(&q) {
        Ok(p) => Html(pages::agents(&st.index, p)).into_response(),
        Err(e) => html_error(StatusCode::BAD_REQUEST, "Bad request", &e),
    }
}

async fn agent(State(st): State<Arc<AppState>>, Path(agent_id): Path<String>) -> Response {
    match pages::agent(&st.index, &agent_id) {
        Some(page) => Html(page).into_response(),
        None => html_error(StatusCode::NOT_FOUND, "Not found", "No such agent."),
    }
}

async fn calls(
    State(st): State<Arc<AppState>>,
    q: Result<Query<CallFilter>, QueryRejection>,
) -> Response {
    let Ok(Query(filter)) = q else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "the query string does not parse",
        );
    };
    let t0 = Instant::now();
    match st.index.query(&filter) {
        Ok(page) => {
            let html = pages::calls(&st.index, &filter, &page);
            tracing::debug!(
                total = page.total,
                us = t0.elapsed().as_micros() as u64,
                "calls list"
            );
            Html(html).into_response()
        }
        Err(e) => html_error(StatusCode::BAD_REQUEST, "Bad filter", &e),
    }
}

fn has_audio(c: &CallRecord) -> bool {
    audio_path(&c.call).is_some_and(|p| p.is_file())
}

async fn call(State(st): State<Arc<AppState>>, Path(call_id): Path<String>) -> Response {
    match st.index.call(&call_id) {
        Some(c) => Html(pages::call(c, has_audio(c))).into_response(),
        None => html_error(StatusCode::NOT_FOUND, "Not found", "No such call."),
    }
}

/// The player's WAV of a call, with range requests. The file is the one the store lists for the
/// call id; nothing of the request is used as a path.
async fn audio_file(
    State(st): State<Arc<AppState>>,
    Path(call_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(rec) = st.index.call(&call_id) else {
        return (StatusCode::NOT_FOUND, "no such call\n").into_response();
    };
    let Some(path) = audio_path(&rec.call) else {
        return (
            StatusCode::NOT_FOUND,
            "the call's recording is not a local file\n",
        )
            .into_response();
    };
    let bytes = match st.audio.get(&call_id) {
        Some(b) => b,
        None => {
            let t0 = Instant::now();
            let p = path.clone();
            let decoded = tokio::task::spawn_blocking(move || audio::wav_bytes(&p)).await;
            match decoded {
                Ok(Ok(b)) => {
                    tracing::info!(
                        call_id = %call_id,
                        bytes = b.len(),
                        ms = t0.elapsed().as_millis() as u64,
                        "audio decoded for the player"
                    );
                    let b = Arc::new(b);
                    st.audio.put(&call_id, b.clone());
                    b
                }
                Ok(Err(e)) => {
                    tracing::warn!(call_id = %call_id, "audio: {e}");
                    return (
                        StatusCode::NOT_FOUND,
                        "the call's recording cannot be read (see the server log)\n",
                    )
                        .into_response();
                }
                Err(e) => {
                    tracing::warn!(call_id = %call_id, "audio task failed: {e}");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
    };
    let len = bytes.len() as u64;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let common = [
        (header::CONTENT_TYPE, "audio/wav".to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
    ];
    match audio::range_answer(range, len) {
        audio::RangeAnswer::Full => (StatusCode::OK, common, bytes.to_vec()).into_response(),
        audio::RangeAnswer::Partial(r) => {
            let (s, e) = (*r.start() as usize, *r.end() as usize);
            let body = bytes[s..=e].to_vec();
            (
                StatusCode::PARTIAL_CONTENT,
                common,
                [(header::CONTENT_RANGE, format!("bytes {s}-{e}/{len}"))],
                body,
            )
                .into_response()
        }
        audio::RangeAnswer::Unsatisfiable => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

fn call_summary(c: &CallRecord) -> Value {
    let s = c.score();
    json!({
        "call_id": c.call.call_id,
        "call_date": c.call.call_date.to_string(),
        "started_at": c.call.started_at.map(|t| t.to_rfc3339()),
        "agent_id": c.call.agent_id,
        "team": c.call.team,
        "form": c.call.form,
        "duration_s": c.call.duration_s,
        "total_score": s.map(|s| s.total_score),
        "auto_fail": s.map(|s| s.auto_fail),
        "needs_review": s.map(|s| s.needs_review),
        "review_reasons": s.map(|s| s.review_reasons.clone()),
        "customer_sentiment_end": s.and_then(|s| s.customer_sentiment_end.clone()),
        "failed_items": c.evaluations.iter().filter(|e| e.result == "fail").map(|e| e.item_id.clone()).collect::<Vec<_>>(),
    })
}

fn call_detail(c: &CallRecord) -> Value {
    let call = &c.call;
    let m = c.metrics();
    json!({
        "call": {
            "call_id": call.call_id,
            "call_date": call.call_date.to_string(),
            "started_at": call.started_at.map(|t| t.to_rfc3339()),
            "agent_id": call.agent_id,
            "team": call.team,
            "direction": call.direction,
            "duration_s": call.duration_s,
            "channels": call.channels,
            "sample_rate_hz": call.sample_rate_hz,
            "codec": call.codec,
            "language": call.language,
            "roles_inferred": call.roles_inferred,
            "role_confidence": call.role_confidence,
            "pipeline": call.pipeline,
            "pipeline_version": call.pipeline_version,
            "form": call.form,
            "asr_model": call.asr_model,
            "audio_url": format!("/audio/{}", pages::seg(&call.call_id)),
        },
        "scores": c.scores.iter().map(|s| json!({
            "form": s.form,
            "total_score": s.total_score,
            "auto_fail": s.auto_fail,
            "needs_review": s.needs_review,
            "review_reasons": s.review_reasons,
            "items_passed": s.items_passed,
            "items_failed": s.items_failed,
            "items_na": s.items_na,
            "customer_sentiment_start": s.customer_sentiment_start,
            "customer_sentiment_end": s.customer_sentiment_end,
            "customer_sentiment_start_score": s.customer_sentiment_start_score,
            "customer_sentiment_end_score": s.customer_sentiment_end_score,
            "agent_talk_ratio": s.agent_talk_ratio,
            "silence_ratio": s.silence_ratio,
            "hold_count": s.hold_count,
            "hold_s": s.hold_s,
            "overtalk_count": s.overtalk_count,
            "dead_air_count": s.dead_air_count,
        })).collect::<Vec<_>>(),
        "evaluations": c.evaluations.iter().map(|e| json!({
            "form": e.form,
            "section": e.section,
            "item_id": e.item_id,
            "title": e.title,
            "result": e.result,
            "score": e.score,
            "weight": e.weight,
            "auto_fail": e.auto_fail,
            "detector": e.detector,
            "confidence": e.confidence,
            "evidence_idx": e.evidence_idx,
            "evidence_start_ms": e.evidence_start_ms,
            "evidence_end_ms": e.evidence_end_ms,
            "evidence_text": e.evidence_text,
            "review_reasons": e.review_reasons,
        })).collect::<Vec<_>>(),
        "utterances": c.utterances.iter().map(|u| json!({
            "idx": u.idx,
            "speaker": u.speaker,
            "start_ms": u.start_ms,
            "end_ms": u.end_ms,
            "text": u.text_redacted,
            "sentiment": u.sentiment,
            "sentiment_score": u.sentiment_score,
            "courtesy": u.courtesy,
            "courtesy_score": u.courtesy_score,
            "script_steps": u.script_steps,
            "backchannel": u.backchannel,
        })).collect::<Vec<_>>(),
        "timeline": {
            "activity": c.activity.iter().map(|a| json!({"speaker": a.speaker, "start_ms": a.start_ms, "end_ms": a.end_ms})).collect::<Vec<_>>(),
            "overtalk": m.overtalk.iter().map(|o| json!({"started_by": o.started_by.as_str(), "start_ms": o.start_ms, "end_ms": o.end_ms})).collect::<Vec<_>>(),
            "silences": m.long_silences.iter().map(|s| json!({"start_ms": s.start_ms, "end_ms": s.end_ms, "announced_hold": s.announced_hold})).collect::<Vec<_>>(),
        },
    })
}

fn summary_json(r: &callqa_store::AgentSummaryRow) -> Value {
    r.to_json("pass_rates")
}

async fn api_overview(State(st): State<Arc<AppState>>) -> Response {
    Json(st.index.overview()).into_response()
}

async fn api_agents(State(st): State<Arc<AppState>>, q: Query<PeriodQuery>) -> Response {
    match period(&q) {
        Ok(p) => Json(json!({
            "agents": st.index.summaries(p).iter().map(summary_json).collect::<Vec<_>>()
        }))
        .into_response(),
        Err(e) => json_error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn api_agent(State(st): State<Arc<AppState>>, Path(agent_id): Path<String>) -> Response {
    let calls = st.index.agent_calls(&agent_id);
    let rows: Vec<Value> = st
        .index
        .summaries(Period::Week)
        .iter()
        .filter(|r| r.agent_id == agent_id)
        .map(summary_json)
        .collect();
    if calls.is_empty() && rows.is_empty() {
        return json_error(StatusCode::NOT_FOUND, "no such agent");
    }
    let weakest: Vec<Value> = pages::weakest_items(&calls)
        .into_iter()
        .map(|(item, p, f)| json!({"item_id": item, "passed": p, "failed": f}))
        .collect();
    Json(json!({
        "agent_id": agent_id,
        "weeks": rows,
        "weakest_items": weakest,
        "calls": calls.iter().map(|c| call_summary(c)).collect::<Vec<_>>(),
    }))
    .into_response()
}

async fn api_calls(
    State(st): State<Arc<AppState>>,
    q: Result<Query<CallFilter>, QueryRejection>,
) -> Response {
    let Ok(Query(filter)) = q else {
        return json_error(StatusCode::BAD_REQUEST, "the query string does not parse");
    };
    match st.index.query(&filter) {
        Ok(page) => Json(json!({
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "calls": page.calls.iter().map(|c| call_summary(c)).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => json_error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn api_call(State(st): State<Arc<AppState>>, Path(call_id): Path<String>) -> Response {
    match st.index.call(&call_id) {
        Some(c) => Json(call_detail(c)).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "no such call"),
    }
}
