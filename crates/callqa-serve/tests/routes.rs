//! The server's routes on a synthetic store written with `Store::commit_shard`: pages, JSON,
//! filters, audio with range requests, path traversal, the token, and that serving changes no file.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use callqa_serve::{ServeError, ServeOptions, Server, StoreIndex, router, synth};
use callqa_store::Store;
use http_body_util::BodyExt;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

const CALLS: usize = 120;

/// A store of synthetic calls; call 0 has a real 8 kHz mono 16-bit WAV of 2 s as its recording.
fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let wav = dir.path().join("call0.wav");
    write_wav(&wav, 8000, 16_000);
    let mut rows = synth::shard(0, CALLS, 6, 1);
    rows.calls[0].source_uri = wav.display().to_string();
    let mut store = Store::open(&out).expect("open store");
    let keys: Vec<String> = rows.calls.iter().map(|c| c.call_key.clone()).collect();
    store
        .commit_shard("t1", 0, &rows, &keys)
        .expect("commit shard");
    (dir, out)
}

fn write_wav(path: &Path, rate: u32, frames: u32) {
    let mut b = Vec::new();
    let data = frames * 2;
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data.to_le_bytes());
    for i in 0..frames {
        let v =
            ((i as f32 * 440.0 * 2.0 * std::f32::consts::PI / rate as f32).sin() * 8000.0) as i16;
        b.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, b).expect("write wav");
}

fn app(out: &Path, token: Option<&str>) -> Router {
    router(
        StoreIndex::load(out).expect("load store"),
        token.map(str::to_string),
    )
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("json body")
    }
    fn header(&self, h: header::HeaderName) -> String {
        self.headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Resp {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn pages_render_and_carry_a_same_origin_policy() {
    let (_d, out) = store();
    let app = app(&out, None);
    let index = StoreIndex::load(&out).expect("load");
    let agent = index
        .call("syn-000003")
        .and_then(|c| c.call.agent_id.clone())
        .expect("agent of syn-000003");
    for uri in [
        "/",
        "/agents",
        "/agents?period=month",
        &format!("/agents/{agent}"),
        "/calls",
        "/calls/syn-000003",
        "/assets/app.css",
        "/assets/app.js",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(
            r.header(header::CONTENT_SECURITY_POLICY)
                .contains("default-src 'none'"),
            "{uri}"
        );
        // No page names another origin.
        assert!(
            !r.text().contains("http://") && !r.text().contains("https://"),
            "{uri}"
        );
    }
    let ov = get(&app, "/").await.text();
    assert!(ov.contains(&format!("id=\"kpi-calls\">{CALLS}<")), "{ov}");
    assert_eq!(get(&app, "/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/agents?period=year").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&app, "/agents/nobody").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn call_page_shows_redacted_text_evidence_and_player() {
    let (_d, out) = store();
    let app = app(&out, None);
    let page = get(&app, "/calls/syn-000000").await.text();
    assert!(page.contains("text 1 of syn-000000 with account [CARD]"));
    assert!(!page.contains("4111"), "raw text leaked into the page");
    assert!(page.contains("id=\"player\""));
    assert!(page.contains("src=\"/audio/syn-000000\""));
    assert!(page.contains("class=\"evidence\" data-seek-ms=\""));
    assert!(page.contains("id=\"timeline\""));
    // A call whose recording is not on disk has no player.
    let other = get(&app, "/calls/syn-000001").await.text();
    assert!(!other.contains("id=\"player\""));

    let detail = get(&app, "/api/calls/syn-000000").await.json();
    assert_eq!(detail["call"]["call_id"], "syn-000000");
    assert_eq!(detail["evaluations"].as_array().map(Vec::len), Some(11));
    assert_eq!(detail["utterances"].as_array().map(Vec::len), Some(6));
    assert!(!detail.to_string().contains("4111"));
}

#[tokio::test]
async fn api_calls_filters_and_pages() {
    let (_d, out) = store();
    let index = StoreIndex::load(&out).expect("load");
    let app = app(&out, None);
    let all = get(&app, "/api/calls?per_page=500").await.json();
    assert_eq!(all["total"], CALLS);
    let calls = all["calls"].as_array().expect("calls array");
    assert_eq!(calls.len(), CALLS);
    // Newest first.
    let dates: Vec<&str> = calls
        .iter()
        .filter_map(|c| c["call_date"].as_str())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));

    // Each filter keeps exactly the calls the rows say.
    let count = |f: &dyn Fn(&callqa_serve::CallRecord) -> bool| {
        index.calls().iter().filter(|c| f(c)).count()
    };
    let cases: Vec<(&str, usize)> = vec![
        (
            "agent=agent-007",
            count(&|c| c.call.agent_id.as_deref() == Some("agent-007")),
        ),
        (
            "team=team-03",
            count(&|c| c.call.team.as_deref() == Some("team-03")),
        ),
        (
            "auto_fail=yes",
            count(&|c| c.score().is_some_and(|s| s.auto_fail)),
        ),
        (
            "needs_review=no",
            count(&|c| c.score().is_some_and(|s| !s.needs_review)),
        ),
        (
            "item_failed=empathy",
            count(&|c| {
                c.evaluations
                    .iter()
                    .any(|e| e.item_id == "empathy" && e.result == "fail")
            }),
        ),
        (
            "score_min=50&score_max=80",
            count(&|c| {
                c.score()
                    .is_some_and(|s| (50.0..=80.0).contains(&s.total_score))
            }),
        ),
        (
            "sentiment_end=negative",
            count(&|c| {
                c.score().and_then(|s| s.customer_sentiment_end.as_deref()) == Some("negative")
            }),
        ),
        (
            "from=2026-10-01&to=2026-10-31",
            count(&|c| c.call.call_date.format("%Y-%m").to_string() == "2026-10"),
        ),
        ("form=standard", CALLS),
        ("form=other", 0),
        ("item_failed=no_such_item", 0),
        ("team=&agent=", CALLS),
    ];
    for (q, want) in cases {
        let r = get(&app, &format!("/api/calls?per_page=500&{q}"))
            .await
            .json();
        assert_eq!(r["total"], want, "{q}");
        assert_eq!(r["calls"].as_array().map(Vec::len), Some(want), "{q}");
    }
    assert!(count(&|c| c.score().is_some_and(|s| s.auto_fail)) > 0);

    // Paging.
    let p2 = get(&app, "/api/calls?per_page=50&page=3").await.json();
    assert_eq!(p2["calls"].as_array().map(Vec::len), Some(CALLS - 100));
    assert_eq!(p2["calls"][0]["call_id"], calls[100]["call_id"]);
    // Sorting by score, low first.
    let s = get(&app, "/api/calls?per_page=500&sort=score").await.json();
    let scores: Vec<f64> = s["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(|c| c["total_score"].as_f64())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]));

    for bad in [
        "from=yesterday",
        "score_min=abc",
        "auto_fail=maybe",
        "page=0",
        "per_page=9999",
        "sort=colour",
    ] {
        let r = get(&app, &format!("/api/calls?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(
            get(&app, &format!("/calls?{bad}")).await.status,
            StatusCode::BAD_REQUEST
        );
    }
    // The HTML list applies the same filter.
    let html = get(&app, "/calls?agent=agent-007&per_page=500")
        .await
        .text();
    let n = count(&|c| c.call.agent_id.as_deref() == Some("agent-007"));
    assert!(html.contains(&format!("<b id=\"total\">{n}</b>")));
    assert_eq!(html.matches("class=\"call-link\"").count(), n);
}

#[tokio::test]
async fn audio_is_served_by_call_id_with_ranges() {
    let (_d, out) = store();
    let app = app(&out, None);
    let full = get(&app, "/audio/syn-000000").await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.header(header::ACCEPT_RANGES), "bytes");
    assert_eq!(full.header(header::CONTENT_TYPE), "audio/wav");
    assert_eq!(&full.body[..4], b"RIFF");
    // 2 s at 8 kHz → 32,000 frames at 16 kHz, 16-bit mono.
    assert_eq!(full.body.len(), 44 + 32_000 * 2);

    let req = |range: &str| {
        Request::get("/audio/syn-000000")
            .header(header::RANGE, range)
            .body(Body::empty())
            .expect("request")
    };
    let part = send(&app, req("bytes=100-199")).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, full.body[100..200]);
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        format!("bytes 100-199/{}", full.body.len())
    );
    let tail = send(&app, req("bytes=-10")).await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.body, full.body[full.body.len() - 10..]);
    let open = send(&app, req("bytes=64000-")).await;
    assert_eq!(open.body, full.body[64000..]);
    let beyond = send(&app, req("bytes=999999-")).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.header(header::CONTENT_RANGE),
        format!("bytes */{}", full.body.len())
    );
    // A recording that is not on disk, and a call that does not exist.
    assert_eq!(
        get(&app, "/audio/syn-000001").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/audio/nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_path_from_the_request_reaches_the_file_system() {
    let (_d, out) = store();
    let app = app(&out, None);
    for uri in [
        "/audio/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/audio/%2Fetc%2Fpasswd",
        "/audio/../../etc/passwd",
        "/calls/..%2F..%2Fetc%2Fpasswd",
        "/api/calls/..%2F..%2Fetc%2Fpasswd",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/../Cargo.toml",
        "/agents/..%2F..%2Fetc%2Fpasswd",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!r.text().contains("root:"), "{uri}");
    }
}

#[tokio::test]
async fn token_is_required_when_set() {
    let (_d, out) = store();
    let app = app(&out, Some("s3cret"));
    assert_eq!(get(&app, "/").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&app, "/api/calls").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/audio/syn-000000").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/?token=wrong").await.status,
        StatusCode::UNAUTHORIZED
    );
    let bearer = |t: &str| {
        Request::get("/api/calls")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(send(&app, bearer("s3cret")).await.status, StatusCode::OK);
    assert_eq!(
        send(&app, bearer("s3cre")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let first = get(&app, "/?token=s3cret").await;
    assert_eq!(first.status, StatusCode::OK);
    let cookie = first.header(header::SET_COOKIE);
    assert!(cookie.starts_with("callqa_token=s3cret;"), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    let with_cookie = Request::get("/calls/syn-000002")
        .header(header::COOKIE, "other=1; callqa_token=s3cret")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, with_cookie).await.status, StatusCode::OK);
}

#[test]
fn refuses_a_public_address_without_a_token() {
    let (_d, out) = store();
    let opts = |bind: &str, token: Option<&str>| ServeOptions {
        out: out.clone(),
        bind: bind.parse().expect("address"),
        token: token.map(str::to_string),
    };
    let err = Server::bind(&opts("0.0.0.0:0", None)).expect_err("needs a token");
    assert!(matches!(err, ServeError::TokenRequired { .. }));
    assert!(err.to_string().contains("--token"));
    assert!(matches!(
        Server::bind(&opts("127.0.0.1:0", Some(" "))),
        Err(ServeError::EmptyToken)
    ));
    let s = Server::bind(&opts("0.0.0.0:0", Some("t"))).expect("with a token");
    assert_eq!(s.index().calls().len(), CALLS);
    let s = Server::bind(&opts("127.0.0.1:0", None)).expect("loopback");
    assert_ne!(s.local_addr().port(), 0);
    // Not a store.
    let empty = tempfile::tempdir().expect("tempdir");
    let err = StoreIndex::load(empty.path()).expect_err("no calls table");
    assert!(
        err.to_string()
            .contains(&empty.path().display().to_string())
    );
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            let m = e.metadata().expect("metadata");
            if m.is_dir() {
                stack.push(e.path());
            } else {
                v.push((e.path(), m.len(), m.modified().expect("mtime")));
            }
        }
    }
    v.sort();
    v
}

#[tokio::test]
async fn serving_changes_nothing_in_the_store() {
    let (_d, out) = store();
    let before = snapshot(&out);
    let app = app(&out, None);
    for uri in [
        "/",
        "/agents",
        "/calls?auto_fail=yes",
        "/calls/syn-000000",
        "/audio/syn-000000",
        "/api/calls",
    ] {
        assert_eq!(get(&app, uri).await.status, StatusCode::OK, "{uri}");
    }
    assert_eq!(snapshot(&out), before);
}
