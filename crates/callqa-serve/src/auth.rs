//! The token check: with `--token T`, every request must carry `Authorization: Bearer T`,
//! `?token=T` or the `callqa_token` cookie; a request that brought it in the query gets the cookie
//! set, so that the page's links, scripts and audio carry it from then on.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The cookie that carries the token.
pub const COOKIE: &str = "callqa_token";

/// Equal strings, compared in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn query_token(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn bearer_token(req: &Request) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// Middleware: lets a request through when no token is set or it carries the right one.
pub async fn check(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(token) = state.token.as_deref() else {
        return next.run(req).await;
    };
    let from_query = query_token(&req);
    let ok = |t: &Option<String>| t.as_deref().is_some_and(|t| same(t, token));
    let cookie_ok = cookie_token(&req).is_some_and(|c| same(&c, &crate::pages::seg(token)));
    if ok(&bearer_token(&req)) || cookie_ok {
        return next.run(req).await;
    }
    if ok(&from_query) {
        let mut resp = next.run(req).await;
        // Percent-encoded: a cookie value cannot hold every character a token may.
        let value = format!(
            "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
            crate::pages::seg(token)
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        return resp;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "401: this server needs its token: open it with ?token=TOKEN once, or send Authorization: Bearer TOKEN\n",
    )
        .into_response()
}
