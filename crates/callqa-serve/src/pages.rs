//! Server-rendered HTML pages. Charts are inline SVG drawn here; the only script is the embedded
//! `/assets/app.js` (player seeking, table sorting). Every text from the store is escaped, and
//! transcripts show `text_redacted`, never the raw `text` column.

use crate::index::{CallFilter, CallPage, CallRecord, StoreIndex};
use callqa_core::EVALUATION_ITEMS;
use callqa_store::{AgentSummaryRow, Period};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text escaped for HTML element content.
pub fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// Text escaped for a double-quoted attribute.
pub fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// One query-string pair, percent-encoded (`agent=a%2Fb`).
pub fn qp(key: &str, value: &str) -> String {
    serde_urlencoded::to_string([(key, value)]).unwrap_or_default()
}

/// A path segment, percent-encoded (for call and agent ids in links).
pub fn seg(s: &str) -> String {
    // form-urlencoding turns ' ' into '+', which a path does not decode: use %20.
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20")
}

/// `m:ss` (or `h:mm:ss`) of milliseconds.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn opt_f(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.digits$}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{:.0}%", x * 100.0))
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "" }
}

/// A whole page: header with navigation, then `body`.
pub fn layout(title: &str, active: &str, body: &str) -> String {
    let nav = [
        ("/", "Overview"),
        ("/agents", "Agents"),
        ("/calls", "Calls"),
    ]
    .iter()
    .map(|(href, label)| {
        let cls = if *label == active {
            " class=\"active\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{cls}>{label}</a>")
    })
    .collect::<String>();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · callqa</title><link rel=\"icon\" href=\"data:,\">\
<link rel=\"stylesheet\" href=\"/assets/app.css\"><script src=\"/assets/app.js\" defer></script>\
</head><body><header><span class=\"brand\">callqa</span><nav>{nav}</nav></header>\
<main>{body}</main></body></html>\n",
        esc(title)
    )
}

/// The page for a request error (bad filter value, unknown call).
pub fn error_page(title: &str, message: &str) -> String {
    layout(
        title,
        "",
        &format!(
            "<h1>{}</h1><p class=\"error\">{}</p>",
            esc(title),
            esc(message)
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Overview

/// `/`: totals, score distribution, item pass rates, weekly trend.
pub fn overview(index: &StoreIndex) -> String {
    let ov = index.overview();
    let mut b = String::new();
    let range = match (ov.first_date, ov.last_date) {
        (Some(f), Some(l)) => format!("{f} to {l}"),
        _ => "no calls".into(),
    };
    let _ = write!(
        b,
        "<h1>Overview</h1><p class=\"muted\">{} · {}</p><div class=\"cards\">\
<a class=\"card\" href=\"/calls\"><b id=\"kpi-calls\">{}</b><span>calls</span></a>\
<div class=\"card\"><b id=\"kpi-mean\">{}</b><span>mean score ({} scored)</span></div>\
<a class=\"card bad\" href=\"/calls?auto_fail=yes\"><b id=\"kpi-autofail\">{}</b><span>auto-fails</span></a>\
<a class=\"card warn\" href=\"/calls?needs_review=yes\"><b id=\"kpi-review\">{}</b><span>need review</span></a></div>",
        esc(&index.out_dir().display().to_string()),
        range,
        ov.calls,
        opt_f(ov.mean_score, 1),
        ov.scored,
        ov.auto_fails,
        ov.needs_review,
    );

    // Score distribution: one bar per 10 points, each a link to the calls in that range.
    b.push_str("<section class=\"two\"><div><h2>Score distribution</h2>");
    let max = ov.score_histogram.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (400.0, 160.0);
    let _ = write!(
        b,
        "<svg class=\"chart\" id=\"score-hist\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-label=\"score distribution\">",
        h + 20.0
    );
    for (i, &n) in ov.score_histogram.iter().enumerate() {
        let bh = h * n as f64 / max as f64;
        let x = i as f64 * w / 10.0;
        let (lo, hi) = (i * 10, if i == 9 { 100 } else { i * 10 + 9 });
        let hi_q = if i == 9 {
            100.0
        } else {
            i as f64 * 10.0 + 9.999
        };
        let _ = write!(
            b,
            "<a href=\"/calls?score_min={lo}&amp;score_max={hi_q}\"><rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{lo}–{hi}: {n} calls</title></rect></a>\
<text x=\"{:.1}\" y=\"{}\" class=\"tick\">{lo}</text>",
            x + 2.0,
            h - bh,
            w / 10.0 - 4.0,
            x + 4.0,
            h + 14.0
        );
    }
    b.push_str("</svg></div>");

    // Item pass rates.
    b.push_str("<div><h2>Item pass rates</h2><table class=\"items\"><thead><tr><th>Item</th><th>Pass rate</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th></tr></thead><tbody>");
    for it in &ov.item_results {
        let rate = it.rate().unwrap_or(0.0);
        let _ = write!(
            b,
            "<tr><td>{}</td><td><svg class=\"rate\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\"><rect class=\"track\" width=\"100\" height=\"8\"/><rect class=\"fill\" width=\"{:.1}\" height=\"8\"/></svg> {}</td>\
<td class=\"num\">{}</td><td class=\"num\"><a href=\"/calls?{}\">{}</a></td></tr>",
            esc(&it.item_id),
            rate * 100.0,
            pct(it.rate()),
            it.passed,
            qp("item_failed", &it.item_id),
            it.failed
        );
    }
    b.push_str("</tbody></table></div></section>");

    // Trend by week.
    b.push_str("<h2>Trend by week</h2>");
    if ov.weeks.is_empty() {
        b.push_str("<p class=\"muted\">No scored calls.</p>");
    } else {
        let (w, h) = (800.0, 160.0);
        let n = ov.weeks.len();
        let x = |i: usize| {
            if n == 1 {
                w / 2.0
            } else {
                30.0 + i as f64 * (w - 60.0) / (n - 1) as f64
            }
        };
        let y = |s: f64| 10.0 + (100.0 - s.clamp(0.0, 100.0)) * (h - 20.0) / 100.0;
        let _ = write!(
            b,
            "<svg class=\"chart\" id=\"trend\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-label=\"mean score by week\">\
<line class=\"grid\" x1=\"0\" x2=\"{w}\" y1=\"{:.1}\" y2=\"{:.1}\"/><line class=\"grid\" x1=\"0\" x2=\"{w}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            h + 20.0,
            y(50.0),
            y(50.0),
            y(100.0),
            y(100.0)
        );
        let pts: Vec<String> = ov
            .weeks
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.mean_score)))
            .collect();
        let _ = write!(b, "<polyline class=\"line\" points=\"{}\"/>", pts.join(" "));
        for (i, p) in ov.weeks.iter().enumerate() {
            let end = p.week_start + chrono::Duration::days(6);
            let _ = write!(
                b,
                "<a href=\"/calls?from={}&amp;to={end}\"><circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>week of {}: mean {:.1} over {} calls</title></circle></a>\
<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                p.week_start,
                x(i),
                y(p.mean_score),
                p.week_start,
                p.mean_score,
                p.calls,
                x(i),
                h + 14.0,
                p.week_start.format("%m-%d")
            );
        }
        b.push_str("</svg><table><thead><tr><th>Week of</th><th class=\"num\">Calls</th><th class=\"num\">Mean score</th></tr></thead><tbody>");
        for p in &ov.weeks {
            let _ = write!(
                b,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td></tr>",
                p.week_start, p.calls, p.mean_score
            );
        }
        b.push_str("</tbody></table>");
    }
    layout("Overview", "Overview", &b)
}

// ---------------------------------------------------------------------------------------------
// Agents

fn summary_table(rows: &[&AgentSummaryRow], link_agents: bool) -> String {
    let mut b = String::from(
        "<div class=\"scroll\"><table class=\"sortable\" id=\"agent-summary\"><thead><tr><th>Agent</th><th>Team</th><th>Period from</th>\
<th class=\"num\">Calls</th><th class=\"num\">Mean</th><th class=\"num\">P10</th><th class=\"num\">P90</th>\
<th class=\"num\">Auto-fails</th><th class=\"num\">Review</th><th class=\"num\">Rank</th><th class=\"num\">Change</th>",
    );
    for item in EVALUATION_ITEMS {
        let _ = write!(b, "<th class=\"num\">{}</th>", esc(item));
    }
    b.push_str("</tr></thead><tbody>");
    for r in rows {
        let agent = if link_agents {
            format!(
                "<a href=\"/agents/{}\">{}</a>",
                seg(&r.agent_id),
                esc(&r.agent_id)
            )
        } else {
            esc(&r.agent_id)
        };
        let _ = write!(
            b,
            "<tr><td>{agent}</td><td>{}</td><td data-sort=\"{}\" title=\"{} – {}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td>\
<td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(r.team.as_deref().unwrap_or("")),
            r.period_start,
            r.period_start,
            r.period_end,
            r.period_start,
            r.calls,
            r.mean_score,
            r.p10_score,
            r.p90_score,
            r.auto_fail_count,
            r.needs_review_count,
            r.rank_in_team,
            r.mean_score_change
                .map_or_else(String::new, |c| format!("{c:+.1}")),
        );
        for p in &r.pass_rates {
            let _ = write!(b, "<td class=\"num\">{}</td>", pct(*p));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");
    b
}

/// `/agents`: the agent summary of one period kind, sortable by any column.
pub fn agents(index: &StoreIndex, period: Period) -> String {
    let rows: Vec<&AgentSummaryRow> = index.summaries(period).iter().collect();
    let other = match period {
        Period::Week => Period::Month,
        Period::Month => Period::Week,
    };
    let body = format!(
        "<h1>Agents</h1><p class=\"muted\">Agent summary by {} ({} rows; click a column to sort). \
<a href=\"/agents?period={}\">By {}</a></p>{}",
        period.as_str(),
        rows.len(),
        other.as_str(),
        other.as_str(),
        summary_table(&rows, true)
    );
    layout("Agents", "Agents", &body)
}

/// Pass and fail counts per item over some calls, weakest (lowest pass rate) first.
pub fn weakest_items(calls: &[&CallRecord]) -> Vec<(String, usize, usize)> {
    let mut m: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in calls {
        for e in &c.evaluations {
            let entry = m.entry(e.item_id.as_str()).or_default();
            match e.result.as_str() {
                "pass" => entry.0 += 1,
                "fail" => entry.1 += 1,
                _ => {}
            }
        }
    }
    let mut v: Vec<(String, usize, usize)> = m
        .into_iter()
        .filter(|(_, (p, f))| p + f > 0)
        .map(|(k, (p, f))| (k.to_string(), p, f))
        .collect();
    v.sort_by(|a, b| {
        let ra = a.1 as f64 / (a.1 + a.2) as f64;
        let rb = b.1 as f64 / (b.1 + b.2) as f64;
        ra.total_cmp(&rb).then(b.2.cmp(&a.2))
    });
    v
}

/// `/agents/{agent_id}`: weekly summary rows, score history, weakest items, latest calls.
pub fn agent(index: &StoreIndex, agent_id: &str) -> Option<String> {
    let calls = index.agent_calls(agent_id);
    let rows: Vec<&AgentSummaryRow> = index
        .summaries(Period::Week)
        .iter()
        .filter(|r| r.agent_id == agent_id)
        .collect();
    if calls.is_empty() && rows.is_empty() {
        return None;
    }
    let mut b = format!(
        "<h1>Agent {}</h1><p class=\"muted\">{} calls · <a href=\"/calls?{}\">all calls of this agent</a></p>",
        esc(agent_id),
        calls.len(),
        qp("agent", agent_id)
    );

    // Score history: one dot per scored call, oldest left.
    let scored: Vec<(&CallRecord, f64)> = calls
        .iter()
        .rev()
        .filter_map(|c| c.score().map(|s| (*c, s.total_score)))
        .collect();
    b.push_str("<h2>Score history</h2>");
    if scored.is_empty() {
        b.push_str("<p class=\"muted\">No scored calls.</p>");
    } else {
        let (w, h) = (800.0, 160.0);
        let n = scored.len();
        let x = |i: usize| {
            if n == 1 {
                w / 2.0
            } else {
                20.0 + i as f64 * (w - 40.0) / (n - 1) as f64
            }
        };
        let y = |s: f64| 10.0 + (100.0 - s.clamp(0.0, 100.0)) * (h - 20.0) / 100.0;
        let _ = write!(
            b,
            "<svg class=\"chart\" id=\"score-history\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"score history\">\
<line class=\"grid\" x1=\"0\" x2=\"{w}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            y(50.0),
            y(50.0)
        );
        let pts: Vec<String> = scored
            .iter()
            .enumerate()
            .map(|(i, (_, s))| format!("{:.1},{:.1}", x(i), y(*s)))
            .collect();
        let _ = write!(b, "<polyline class=\"line\" points=\"{}\"/>", pts.join(" "));
        for (i, (c, s)) in scored.iter().enumerate() {
            let cls = if c.score().is_some_and(|s| s.auto_fail) {
                "dot bad"
            } else {
                "dot"
            };
            let _ = write!(
                b,
                "<a href=\"/calls/{}\"><circle class=\"{cls}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{} {}: {:.1}</title></circle></a>",
                seg(&c.call.call_id),
                x(i),
                y(*s),
                c.call.call_date,
                esc(&c.call.call_id),
                s
            );
        }
        b.push_str("</svg>");
    }

    b.push_str("<h2>Weakest items</h2><table id=\"weakest\"><thead><tr><th>Item</th><th>Pass rate</th><th class=\"num\">Failed</th></tr></thead><tbody>");
    for (item, p, f) in weakest_items(&calls).into_iter().take(5) {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"num\"><a href=\"/calls?{}&amp;{}\">{f}</a></td></tr>",
            esc(&item),
            pct(Some(p as f64 / (p + f) as f64)),
            qp("agent", agent_id),
            qp("item_failed", &item)
        );
    }
    b.push_str("</tbody></table>");

    b.push_str("<h2>By week</h2>");
    b.push_str(&summary_table(&rows, false));
    b.push_str("<h2>Latest calls</h2>");
    let latest: Vec<&CallRecord> = calls.into_iter().take(20).collect();
    b.push_str(&calls_table(&latest));
    Some(layout(&format!("Agent {agent_id}"), "Agents", &b))
}

// ---------------------------------------------------------------------------------------------
// Calls

fn failed_items(c: &CallRecord) -> String {
    c.evaluations
        .iter()
        .filter(|e| e.result == "fail")
        .map(|e| e.item_id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn calls_table(calls: &[&CallRecord]) -> String {
    let mut b = String::from(
        "<div class=\"scroll\"><table class=\"sortable\" id=\"calls\"><thead><tr><th>Date</th><th>Call</th><th>Agent</th><th>Team</th><th>Form</th>\
<th class=\"num\">Score</th><th>Auto-fail</th><th>Review</th><th>Sentiment (end)</th><th class=\"num\">Length</th><th>Failed items</th></tr></thead><tbody>",
    );
    for c in calls {
        let s = c.score();
        let agent = c.call.agent_id.as_deref().map_or_else(String::new, |a| {
            format!("<a href=\"/agents/{}\">{}</a>", seg(a), esc(a))
        });
        let _ = write!(
            b,
            "<tr><td>{}</td><td><a class=\"call-link\" href=\"/calls/{}\">{}</a></td><td>{agent}</td><td>{}</td><td>{}</td>\
<td class=\"num\">{}</td><td class=\"bad\">{}</td><td class=\"warn\">{}</td><td>{}</td><td class=\"num\" data-sort=\"{:.1}\">{}</td><td>{}</td></tr>",
            c.call.call_date,
            seg(&c.call.call_id),
            esc(&c.call.call_id),
            esc(c.call.team.as_deref().unwrap_or("")),
            esc(&c.call.form),
            opt_f(s.map(|s| s.total_score), 1),
            yes(s.is_some_and(|s| s.auto_fail)),
            yes(s.is_some_and(|s| s.needs_review)),
            esc(s
                .and_then(|s| s.customer_sentiment_end.as_deref())
                .unwrap_or("")),
            c.call.duration_s,
            clock((c.call.duration_s * 1000.0) as i64),
            esc(&failed_items(c)),
        );
    }
    b.push_str("</tbody></table></div>");
    b
}

fn select(name: &str, label: &str, current: Option<&str>, options: &[(String, String)]) -> String {
    let mut s = format!("<label>{label}<select name=\"{name}\"><option value=\"\">any</option>");
    for (v, l) in options {
        let sel = if current == Some(v.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(s, "<option value=\"{}\"{sel}>{}</option>", attr(v), esc(l));
    }
    s.push_str("</select></label>");
    s
}

fn same(v: &[String]) -> Vec<(String, String)> {
    v.iter().map(|x| (x.clone(), x.clone())).collect()
}

/// `/calls`: the filter form, one page of calls, and links to the other pages.
pub fn calls(index: &StoreIndex, filter: &CallFilter, page: &CallPage<'_>) -> String {
    let (teams, agents, forms) = index.choices();
    let v = |o: &Option<String>| attr(o.as_deref().unwrap_or(""));
    let yn = vec![
        ("yes".to_string(), "yes".to_string()),
        ("no".to_string(), "no".to_string()),
    ];
    let sentiments: Vec<(String, String)> = ["positive", "neutral", "negative"]
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
    let sorts: Vec<(String, String)> = [
        ("date", "oldest first"),
        ("-score", "score, high first"),
        ("score", "score, low first"),
        ("-duration", "longest first"),
        ("agent", "agent"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let mut b =
        String::from("<h1>Calls</h1><form id=\"filters\" method=\"get\" action=\"/calls\">");
    let _ = write!(
        b,
        "<label>From<input type=\"date\" name=\"from\" value=\"{}\"></label><label>To<input type=\"date\" name=\"to\" value=\"{}\"></label>",
        v(&filter.from),
        v(&filter.to)
    );
    b.push_str(&select(
        "team",
        "Team",
        filter.team.as_deref(),
        &same(teams),
    ));
    b.push_str(&select(
        "agent",
        "Agent",
        filter.agent.as_deref(),
        &same(agents),
    ));
    b.push_str(&select(
        "form",
        "Form",
        filter.form.as_deref(),
        &same(forms),
    ));
    b.push_str(&select(
        "item_failed",
        "Item failed",
        filter.item_failed.as_deref(),
        &same(index.item_ids()),
    ));
    b.push_str(&select(
        "auto_fail",
        "Auto-fail",
        filter.auto_fail.as_deref(),
        &yn,
    ));
    b.push_str(&select(
        "needs_review",
        "Needs review",
        filter.needs_review.as_deref(),
        &yn,
    ));
    let _ = write!(
        b,
        "<label>Score from<input type=\"number\" step=\"any\" name=\"score_min\" value=\"{}\"></label>\
<label>to<input type=\"number\" step=\"any\" name=\"score_max\" value=\"{}\"></label>",
        v(&filter.score_min),
        v(&filter.score_max)
    );
    b.push_str(&select(
        "sentiment_end",
        "Customer at the end",
        filter.sentiment_end.as_deref(),
        &sentiments,
    ));
    let mut sort_sel = select("sort", "Sort", filter.sort.as_deref(), &sorts);
    sort_sel = sort_sel.replace(
        "<option value=\"\">any</option>",
        "<option value=\"\">newest first</option>",
    );
    b.push_str(&sort_sel);
    b.push_str(
        "<button type=\"submit\" id=\"apply\">Apply</button> <a href=\"/calls\">clear</a></form>",
    );

    let pages = page.total.div_ceil(page.per_page).max(1);
    let _ = write!(
        b,
        "<p class=\"muted\" id=\"count\"><b id=\"total\">{}</b> calls · page {} of {pages}</p>",
        page.total, page.page
    );
    b.push_str(&calls_table(&page.calls));

    // Pager: the same filters with another page number.
    let mut base = filter.clone();
    let link = |p: usize, label: &str, base: &mut CallFilter| {
        base.page = Some(p.to_string());
        let q = serde_urlencoded::to_string(&*base).unwrap_or_default();
        format!("<a href=\"/calls?{}\">{label}</a>", attr(&q))
    };
    b.push_str("<nav class=\"pager\">");
    if page.page > 1 {
        b.push_str(&link(page.page - 1, "← previous", &mut base));
    }
    if page.page < pages {
        b.push(' ');
        b.push_str(&link(page.page + 1, "next →", &mut base));
    }
    b.push_str("</nav>");
    layout("Calls", "Calls", &b)
}

/// The customer's sentiment of an utterance as one number in [-1, 1] (positive: +p,
/// negative: −p, neutral: 0), as `callqa-score` reads a single label.
pub fn signed_sentiment(label: Option<&str>, score: Option<f64>) -> Option<f64> {
    let p = score.unwrap_or(1.0);
    match label? {
        "positive" => Some(p),
        "negative" => Some(-p),
        _ => Some(0.0),
    }
}

/// Spans of one timeline lane: start ms, end ms, tooltip.
type Spans = Vec<(i64, i64, String)>;

fn lane(b: &mut String, y: f64, h: f64, class: &str, spans: &Spans, scale: f64) {
    for (s, e, title) in spans {
        let x = *s as f64 * scale;
        let w = ((*e - *s) as f64 * scale).max(0.5);
        let _ = write!(
            b,
            "<rect class=\"{class}\" x=\"{x:.2}\" y=\"{y}\" width=\"{w:.2}\" height=\"{h}\" data-seek-ms=\"{s}\"><title>{}</title></rect>",
            esc(title)
        );
    }
}

/// `/calls/{call_id}`: metadata, player, timeline, customer sentiment, scorecard, transcript.
pub fn call(c: &CallRecord, has_audio: bool) -> String {
    let call = &c.call;
    let s = c.score();
    let mut b = String::new();
    let agent = call.agent_id.as_deref().map_or_else(
        || "–".to_string(),
        |a| format!("<a href=\"/agents/{}\">{}</a>", seg(a), esc(a)),
    );
    let _ = write!(b, "<h1>Call {}</h1>", esc(&call.call_id));
    if let Some(s) = s {
        let mut flags = String::new();
        if s.auto_fail {
            flags.push_str("<span class=\"badge fail\">auto-fail</span> ");
        }
        if s.needs_review {
            let _ = write!(
                flags,
                "<span class=\"badge warn\" title=\"{}\">needs review: {}</span>",
                attr(&s.review_reasons.join(", ")),
                esc(&s.review_reasons.join(", "))
            );
        }
        let _ = write!(
            b,
            "<div class=\"cards\"><div class=\"card\"><b id=\"total-score\">{:.1}</b><span>score ({})</span></div>\
<div class=\"card\"><b>{} / {} / {}</b><span>passed / failed / n.a.</span></div><div class=\"card\"><b>{}</b><span>customer at start → end</span></div></div><p>{flags}</p>",
            s.total_score,
            esc(&s.form),
            s.items_passed,
            s.items_failed,
            s.items_na,
            esc(&format!(
                "{} → {}",
                s.customer_sentiment_start.as_deref().unwrap_or("–"),
                s.customer_sentiment_end.as_deref().unwrap_or("–")
            )),
        );
    }
    let _ = write!(
        b,
        "<dl class=\"meta\"><dt>Agent</dt><dd>{agent}</dd><dt>Team</dt><dd>{}</dd><dt>Date</dt><dd>{}</dd><dt>Started</dt><dd>{}</dd>\
<dt>Length</dt><dd>{}</dd><dt>Direction</dt><dd>{}</dd><dt>Language</dt><dd>{}</dd><dt>Audio</dt><dd>{} · {} Hz · {} ch</dd>\
<dt>Roles</dt><dd>{}</dd><dt>Pipeline</dt><dd>{} {}</dd><dt>ASR</dt><dd>{}</dd></dl>",
        esc(call.team.as_deref().unwrap_or("–")),
        call.call_date,
        call.started_at.map_or_else(
            || "–".into(),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        ),
        clock((call.duration_s * 1000.0) as i64),
        esc(call.direction.as_deref().unwrap_or("–")),
        esc(&call.language),
        esc(call.codec.as_deref().unwrap_or("?")),
        call.sample_rate_hz,
        call.channels,
        if call.roles_inferred {
            format!(
                "inferred from mono (confidence {})",
                opt_f(call.role_confidence, 2)
            )
        } else {
            "from channels".into()
        },
        esc(&call.pipeline),
        esc(&call.pipeline_version),
        esc(&call.asr_model),
    );

    if has_audio {
        let _ = write!(
            b,
            "<div class=\"player\"><audio id=\"player\" controls preload=\"metadata\" src=\"/audio/{}\"></audio></div>",
            seg(&call.call_id)
        );
    } else {
        b.push_str("<p class=\"muted\">No playable recording for this call.</p>");
    }

    // Timeline: one lane per party, then overlaps, holds and silences.
    let m = c.metrics();
    let dur_ms = ((call.duration_s * 1000.0) as i64)
        .max(c.utterances.iter().map(|u| u.end_ms).max().unwrap_or(0))
        .max(c.activity.iter().map(|a| a.end_ms).max().unwrap_or(0))
        .max(1);
    let w = 1000.0;
    let scale = w / dur_ms as f64;
    let speech = |who: &str| -> Spans {
        let from_activity: Spans = c
            .activity
            .iter()
            .filter(|a| a.speaker == who)
            .map(|a| {
                (
                    a.start_ms,
                    a.end_ms,
                    format!("{who} {}–{}", clock(a.start_ms), clock(a.end_ms)),
                )
            })
            .collect();
        if !from_activity.is_empty() {
            return from_activity;
        }
        c.utterances
            .iter()
            .filter(|u| u.speaker == who)
            .map(|u| {
                (
                    u.start_ms,
                    u.end_ms,
                    format!("{who} {}–{}", clock(u.start_ms), clock(u.end_ms)),
                )
            })
            .collect()
    };
    let mut lanes: Vec<(&str, &str, Spans)> = vec![
        ("agent", "agent", speech("agent")),
        ("customer", "customer", speech("customer")),
    ];
    let unknown = speech("unknown");
    if !unknown.is_empty() {
        lanes.push(("unknown", "unknown", unknown));
    }
    let ms = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    lanes.push((
        "overlap",
        "overlap",
        m.overtalk
            .iter()
            .map(|o| {
                (
                    ms(o.start_ms),
                    ms(o.end_ms),
                    format!(
                        "overtalk started by {} at {}",
                        o.started_by,
                        clock(ms(o.start_ms))
                    ),
                )
            })
            .collect(),
    ));
    lanes.push((
        "hold",
        "hold",
        m.long_silences
            .iter()
            .filter(|s| s.announced_hold)
            .map(|s| {
                (
                    ms(s.start_ms),
                    ms(s.end_ms),
                    format!("announced hold {:.0} s", s.seconds()),
                )
            })
            .collect(),
    ));
    lanes.push((
        "silence",
        "silence",
        m.long_silences
            .iter()
            .filter(|s| !s.announced_hold)
            .map(|s| {
                (
                    ms(s.start_ms),
                    ms(s.end_ms),
                    format!("silence {:.0} s", s.seconds()),
                )
            })
            .collect(),
    ));
    let lane_h = 18.0;
    let total_h = lanes.len() as f64 * (lane_h + 6.0) + 16.0;
    let _ = write!(
        b,
        "<h2>Timeline</h2><div class=\"timeline\"><div class=\"lanes\">{}</div>\
<svg id=\"timeline\" viewBox=\"0 0 {w} {total_h}\" height=\"{total_h}\" preserveAspectRatio=\"none\" data-duration-ms=\"{dur_ms}\">",
        lanes
            .iter()
            .map(|(l, _, _)| format!("<span>{l}</span>"))
            .collect::<String>()
    );
    for (i, (_, class, spans)) in lanes.iter().enumerate() {
        let y = i as f64 * (lane_h + 6.0);
        let _ = write!(
            b,
            "<rect class=\"lane-bg\" x=\"0\" y=\"{y}\" width=\"{w}\" height=\"{lane_h}\"/>"
        );
        lane(&mut b, y, lane_h, class, spans, scale);
    }
    let ticks = 10;
    for t in 0..=ticks {
        let at = dur_ms * t / ticks;
        let _ = write!(
            b,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
            at as f64 * scale,
            total_h - 2.0,
            if t == 0 {
                "start"
            } else if t == ticks {
                "end"
            } else {
                "middle"
            },
            clock(at)
        );
    }
    let _ = write!(
        b,
        "<line id=\"playhead\" class=\"playhead\" x1=\"0\" x2=\"0\" y1=\"0\" y2=\"{}\"/></svg></div>",
        total_h - 14.0
    );

    // Customer sentiment over the call.
    let pts: Vec<(i64, f64, u32)> = c
        .utterances
        .iter()
        .filter(|u| u.speaker == "customer" && !u.backchannel)
        .filter_map(|u| {
            signed_sentiment(u.sentiment.as_deref(), u.sentiment_score)
                .map(|v| ((u.start_ms + u.end_ms) / 2, v, u.idx))
        })
        .collect();
    b.push_str("<h2>Customer sentiment</h2>");
    if pts.is_empty() {
        b.push_str("<p class=\"muted\">No customer sentiment.</p>");
    } else {
        let h = 80.0;
        let y = |v: f64| h / 2.0 - v.clamp(-1.0, 1.0) * (h / 2.0 - 4.0);
        let _ = write!(
            b,
            "<svg class=\"chart\" id=\"sentiment\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"customer sentiment\">\
<line class=\"grid\" x1=\"0\" x2=\"{w}\" y1=\"{}\" y2=\"{}\"/><polyline class=\"line\" points=\"{}\"/>",
            h / 2.0,
            h / 2.0,
            pts.iter()
                .map(|(t, v, _)| format!("{:.1},{:.1}", *t as f64 * scale, y(*v)))
                .collect::<Vec<_>>()
                .join(" ")
        );
        for (t, v, idx) in &pts {
            let u = c.utterances.iter().find(|u| u.idx == *idx);
            let start = u.map_or(*t, |u| u.start_ms);
            let cls = if *v > 0.2 {
                "dot good"
            } else if *v < -0.2 {
                "dot bad"
            } else {
                "dot"
            };
            let _ = write!(
                b,
                "<circle class=\"{cls}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" data-seek-ms=\"{start}\"><title>{} {v:+.2}</title></circle>",
                *t as f64 * scale,
                y(*v),
                clock(start)
            );
        }
        b.push_str("</svg>");
    }

    // Scorecard by section.
    b.push_str("<h2>Scorecard</h2><div id=\"scorecard\">");
    let mut sections: Vec<(Option<&str>, Vec<&callqa_store::EvaluationRow>)> = Vec::new();
    for e in &c.evaluations {
        let sec = e.section.as_deref();
        match sections.iter_mut().find(|(s, _)| *s == sec) {
            Some((_, v)) => v.push(e),
            None => sections.push((sec, vec![e])),
        }
    }
    if sections.is_empty() {
        b.push_str("<p class=\"muted\">Not scored.</p>");
    }
    for (sec, items) in sections {
        let _ = write!(
            b,
            "<h3>{}</h3><table class=\"scorecard\"><thead><tr><th>Item</th><th>Result</th><th class=\"num\">Points</th><th class=\"num\">Confidence</th><th>Evidence</th><th>Detector</th></tr></thead><tbody>",
            esc(sec.unwrap_or("Items"))
        );
        for e in items {
            let evidence = match (e.evidence_start_ms, e.evidence_text.as_deref()) {
                (Some(start), text) => format!(
                    "<a href=\"#u{}\" class=\"evidence\" data-seek-ms=\"{start}\" data-item=\"{}\">▶ {} {}</a>",
                    e.evidence_idx.map_or_else(String::new, |i| i.to_string()),
                    attr(&e.item_id),
                    clock(start),
                    esc(text.unwrap_or(""))
                ),
                (None, Some(text)) => format!("<span class=\"muted\">{}</span>", esc(text)),
                (None, None) => String::new(),
            };
            let reasons = if e.review_reasons.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"badge warn\">review: {}</span>",
                    esc(&e.review_reasons.join(", "))
                )
            };
            let af = if e.auto_fail {
                " <span class=\"badge fail\">auto-fail</span>"
            } else {
                ""
            };
            let _ = write!(
                b,
                "<tr data-item=\"{}\"><td>{}</td><td><span class=\"badge {}\">{}</span>{af}{reasons}</td><td class=\"num\">{:.1} / {:.1}</td>\
<td class=\"num\">{:.2}</td><td>{evidence}</td><td class=\"muted\">{}</td></tr>",
                attr(&e.item_id),
                esc(&e.title),
                attr(&e.result),
                esc(&e.result),
                e.score,
                e.weight,
                e.confidence,
                esc(&e.detector)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</div>");

    // Transcript (redacted text) with per-utterance labels.
    b.push_str("<h2>Transcript</h2><ol id=\"transcript\">");
    for u in &c.utterances {
        let mut labels = String::new();
        if let Some(sn) = &u.sentiment {
            let _ = write!(
                labels,
                "<span class=\"chip s-{}\">sentiment {} {}</span>",
                attr(sn),
                esc(sn),
                opt_f(u.sentiment_score, 2)
            );
        }
        if let Some(cy) = &u.courtesy {
            let _ = write!(
                labels,
                "<span class=\"chip c-{}\">courtesy {} {}</span>",
                attr(cy),
                esc(cy),
                opt_f(u.courtesy_score, 2)
            );
        }
        for st in &u.script_steps {
            let _ = write!(labels, "<span class=\"chip step\">{}</span>", esc(st));
        }
        if u.backchannel {
            labels.push_str("<span class=\"chip\">back-channel</span>");
        }
        let _ = write!(
            b,
            "<li id=\"u{}\" class=\"utt {}\" data-start-ms=\"{}\" data-end-ms=\"{}\"><button class=\"t\" data-seek-ms=\"{}\">{}</button>\
<span class=\"who\">{}</span><span class=\"text\">{}</span><span class=\"labels\">{labels}</span></li>",
            u.idx,
            attr(&u.speaker),
            u.start_ms,
            u.end_ms,
            u.start_ms,
            clock(u.start_ms),
            esc(&u.speaker),
            esc(&u.text_redacted),
        );
    }
    b.push_str("</ol>");
    layout(&format!("Call {}", call.call_id), "Calls", &b)
}
