//! The report as one self-contained HTML page: inline CSS and inline SVG, no script, no font,
//! image or style sheet fetched from anywhere.

use crate::calibrate::{AnalystAgreement, Calibration, Confusion, ScoreAgreement};
use crate::report::{Report, SENTIMENT_ORDER};
use crate::svg;
use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--fg:#1d2733;--mut:#5b6b7c;--line:#d6dde5;--acc:#2f6db5;--weak:#c9502b;--ok:#2e8b57}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);margin:0;background:#f4f6f8}
main{max-width:1080px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;color:var(--mut)}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:16px 0 8px}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--mut);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.kpis{display:flex;flex-wrap:wrap;gap:12px}
.kpi{flex:1 1 150px;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.kpi b{display:block;font-size:22px}
.kpi span{color:var(--mut);font-size:12px}
.up{color:var(--ok)}.down{color:var(--weak)}
.muted{color:var(--mut)}
.star-row td{background:#fff7d6}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;background:#eef2f7;margin:0 4px 2px 0}
.badge.af{background:#fbe3dc;color:#8a2a10}
blockquote{margin:4px 0 10px;padding:6px 10px;border-left:3px solid var(--acc);background:#f7f9fc}
.chart{max-width:100%;height:auto;display:block}
.chart .bar{fill:var(--acc)}.chart .bar.weak{fill:var(--weak)}.chart .track{fill:#eef2f7}
.chart .grid{stroke:var(--line)}.chart .axis{font-size:11px;fill:var(--mut)}.chart .val{font-size:11px;fill:var(--fg)}
.chart .inbar{font-size:11px;fill:#fff}
.chart .prev{stroke:var(--fg);stroke-width:2}
.chart .neg{fill:#c9502b}.chart .neu{fill:#9aa7b4}.chart .pos{fill:#2e8b57}.chart .unk{fill:#dfe4ea}
.chart .range{stroke:var(--acc);stroke-width:3;stroke-linecap:round}
.chart .dot{fill:#fff;stroke:var(--fg);stroke-width:2}.chart .dot.star{fill:#f2b705}
table.cm{width:auto}table.cm td,table.cm th{text-align:center;padding:2px 8px}
@media print{body{background:#fff}section{break-inside:avoid;border:0}}
"#;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0}%", v * 100.0))
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.digits$}"))
}

/// A signed change with an up/down class.
fn delta(v: Option<f64>, digits: usize, unit: &str) -> String {
    match v {
        None => r#"<span class="muted">–</span>"#.into(),
        Some(v) => {
            let cls = if v > 1e-9 {
                "up"
            } else if v < -1e-9 {
                "down"
            } else {
                "muted"
            };
            format!(r#"<span class="{cls}">{v:+.digits$}{unit}</span>"#)
        }
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("–")
}

/// Renders the report as a complete, self-contained HTML document.
pub fn render_html(r: &Report) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let kind = r.period.as_str();
    let label = match r.period {
        callqa_store::Period::Month => r.start.format("%B %Y").to_string(),
        callqa_store::Period::Week => format!("week of {}", r.start),
    };
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Call quality report — {label}</title><style>{CSS}</style></head><body><main>"#,
        label = escape(&label)
    );
    let _ = write!(
        h,
        r#"<header><h1>Call quality report — {}</h1><p>{kind} {} to {}; compared with the previous {kind}{}. Scores are callqa's automatic evaluation; transcript quotes are redacted.</p></header>"#,
        escape(&label),
        r.start,
        r.end,
        r.prev_start
            .map(|p| format!(" (from {p})"))
            .unwrap_or_default()
    );

    // Overview
    let _ = write!(
        h,
        r#"<section id="overview"><h2>Overview</h2><div class="kpis"><div class="kpi"><b>{}</b><span>calls scored ({} the previous {kind})</span></div><div class="kpi"><b>{:.1}</b><span>mean score {}</span></div><div class="kpi"><b>{}</b><span>agents</span></div><div class="kpi"><b>{}</b><span>auto-failed calls</span></div><div class="kpi"><b>{}</b><span>calls flagged for review</span></div><div class="kpi"><b>{} → {}</b><span>customer sentiment, start → end (mean, −1 to 1)</span></div></div></section>"#,
        r.calls,
        r.prev_calls,
        r.mean_score,
        r.prev_mean_score
            .map(|p| delta(Some(r.mean_score - p), 1, " vs previous"))
            .unwrap_or_default(),
        r.agents,
        r.auto_fails,
        r.needs_review,
        num(r.sentiment.mean_start, 2),
        num(r.sentiment.mean_end, 2),
    );

    // Distribution
    let _ = write!(
        h,
        r#"<section id="distribution"><h2>Score distribution</h2>{}<p class="muted">Calls per 10-point band of the total score (0-100; an auto-failed call scores 0).</p></section>"#,
        svg::histogram(&r.histogram)
    );

    // Teams and agents
    h.push_str(r#"<section id="teams"><h2>Teams and agents</h2>"#);
    for t in &r.teams {
        let _ = write!(
            h,
            r#"<h3>{} — {} calls, mean {:.1} (p10 {:.1}, p90 {:.1}), change {}</h3>"#,
            escape(opt(&t.team)),
            t.calls,
            t.mean,
            t.p10,
            t.p90,
            delta(t.change, 1, "")
        );
        h.push_str(r#"<table><thead><tr><th class="n">Rank</th><th>Agent</th><th class="n">Calls</th><th class="n">Mean</th><th class="n">p10</th><th class="n">p90</th><th class="n">Change</th><th class="n">Auto-fails</th><th class="n">Reviews</th></tr></thead><tbody>"#);
        for a in &t.agents {
            let star = t.star.as_deref() == Some(a.agent_id.as_str());
            let _ = write!(
                h,
                r#"<tr{}><td class="n">{}</td><td>{}{}</td><td class="n">{}</td><td class="n">{:.1}</td><td class="n">{:.1}</td><td class="n">{:.1}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                if star { r#" class="star-row""# } else { "" },
                a.rank_in_team,
                escape(&a.agent_id),
                if star { " ★" } else { "" },
                a.calls,
                a.mean_score,
                a.p10_score,
                a.p90_score,
                delta(a.mean_score_change, 1, ""),
                a.auto_fail_count,
                a.needs_review_count
            );
        }
        h.push_str("</tbody></table>");
        h.push_str(&svg::agent_ranges(&t.agents, t.star.as_deref()));
    }
    h.push_str("</section>");

    // Service stars
    let _ = write!(
        h,
        r#"<section id="stars"><h2>Service star of the {kind}</h2><p class="muted">Per team, the agent with the best mean score among those with at least {} calls in the {kind}; ties go to more calls, then the higher p10, then the agent id.</p><table><thead><tr><th>Team</th><th>Service star</th><th class="n">Calls</th><th class="n">Mean</th><th class="n">p10</th></tr></thead><tbody>"#,
        r.star_min_calls
    );
    for t in &r.teams {
        match t
            .star
            .as_deref()
            .and_then(|s| t.agents.iter().find(|a| a.agent_id == s))
        {
            Some(a) => {
                let _ = write!(
                    h,
                    r#"<tr class="star-row"><td>{}</td><td>★ {}</td><td class="n">{}</td><td class="n">{:.1}</td><td class="n">{:.1}</td></tr>"#,
                    escape(opt(&t.team)),
                    escape(&a.agent_id),
                    a.calls,
                    a.mean_score,
                    a.p10_score
                );
            }
            None => {
                let _ = write!(
                    h,
                    r#"<tr><td>{}</td><td class="muted" colspan="4">no agent with at least {} calls</td></tr>"#,
                    escape(opt(&t.team)),
                    r.star_min_calls
                );
            }
        }
    }
    h.push_str("</tbody></table></section>");

    // Items
    let _ = write!(
        h,
        r#"<section id="items"><h2>Item pass rates</h2>{}<table><thead><tr><th>Item</th><th>Title</th><th class="n">Passed</th><th class="n">Applicable</th><th class="n">Pass rate</th><th class="n">Previous</th><th class="n">Change</th></tr></thead><tbody>"#,
        svg::item_rates(&r.items)
    );
    for it in &r.items {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(&it.item_id),
            escape(&it.title),
            it.passed,
            it.applicable,
            pct(it.rate),
            pct(it.prev_rate),
            delta(it.change.map(|c| c * 100.0), 0, " pt")
        );
    }
    h.push_str("</tbody></table><h3>Items that fell most</h3>");
    if r.fallen.is_empty() {
        let _ = write!(
            h,
            r#"<p class="muted">No item's pass rate fell against the previous {kind}{}.</p>"#,
            if r.prev_calls == 0 {
                " (no calls then)"
            } else {
                ""
            }
        );
    } else {
        h.push_str("<ol>");
        for it in &r.fallen {
            let _ = write!(
                h,
                "<li><b>{}</b> {} → {} ({})</li>",
                escape(&it.item_id),
                pct(it.prev_rate),
                pct(it.rate),
                delta(it.change.map(|c| c * 100.0), 0, " pt")
            );
        }
        h.push_str("</ol>");
    }
    h.push_str("</section>");

    // Sentiment
    let st = r.sentiment.transitions;
    let start: [u32; 4] = std::array::from_fn(|i| st[i].iter().sum());
    let end: [u32; 4] = std::array::from_fn(|j| (0..4).map(|i| st[i][j]).sum());
    let _ = write!(
        h,
        r#"<section id="sentiment"><h2>Customer sentiment, start → end</h2>{}<p>{} calls ended in a better mood than they started, {} in a worse one. Mean score {} → {} (−1 negative … 1 positive).</p><table class="cm"><thead><tr><th>start \ end</th>"#,
        svg::sentiment(start, end),
        r.sentiment.improved,
        r.sentiment.worsened,
        num(r.sentiment.mean_start, 2),
        num(r.sentiment.mean_end, 2)
    );
    for l in SENTIMENT_ORDER {
        let _ = write!(h, "<th>{l}</th>");
    }
    h.push_str("</tr></thead><tbody>");
    for (i, l) in SENTIMENT_ORDER.iter().enumerate() {
        let _ = write!(h, "<tr><th>{l}</th>");
        for v in st[i] {
            let _ = write!(h, "<td>{v}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></section>");

    // Auto-fails and reviews
    let _ = write!(
        h,
        r#"<section id="reviews"><h2>Auto-fails and reviews</h2><p>{} auto-failed, {} flagged for a person to check.</p>"#,
        r.auto_fails, r.needs_review
    );
    if !r.review_reasons.is_empty() {
        h.push_str("<p>");
        for (reason, n) in &r.review_reasons {
            let _ = write!(h, r#"<span class="badge">{} × {n}</span>"#, escape(reason));
        }
        h.push_str("</p>");
    }
    if r.flagged.is_empty() {
        let _ = write!(h, r#"<p class="muted">None this {kind}.</p>"#);
    } else {
        h.push_str(r#"<table><thead><tr><th>Call</th><th>When</th><th>Agent</th><th>Team</th><th class="n">Score</th><th>Why</th></tr></thead><tbody>"#);
        for f in &r.flagged {
            let mut why = String::new();
            for i in &f.auto_fail_items {
                let _ = write!(
                    why,
                    r#"<span class="badge af">auto-fail: {}</span>"#,
                    escape(i)
                );
            }
            if f.auto_fail && f.auto_fail_items.is_empty() {
                why.push_str(r#"<span class="badge af">auto-fail</span>"#);
            }
            for reason in &f.review_reasons {
                let _ = write!(why, r#"<span class="badge">{}</span>"#, escape(reason));
            }
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{:.1}</td><td>{why}</td></tr>"#,
                escape(&f.call_id),
                escape(&f.when),
                escape(opt(&f.agent_id)),
                escape(opt(&f.team)),
                f.total_score
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // Evidence for weak items
    h.push_str(r#"<section id="evidence"><h2>Weak items: evidence</h2>"#);
    if r.weak_items.is_empty() {
        let _ = write!(h, r#"<p class="muted">No item failed this {kind}.</p>"#);
    }
    for w in &r.weak_items {
        let _ = write!(
            h,
            r#"<h3>{} — {} <span class="muted">(pass rate {}, {} of {} failed)</span></h3>"#,
            escape(&w.item.item_id),
            escape(&w.item.title),
            pct(w.item.rate),
            w.item.applicable - w.item.passed,
            w.item.applicable
        );
        for e in &w.examples {
            let text = match (&e.text, e.quoted) {
                (Some(t), true) => format!("“{}”", escape(t)),
                (Some(t), false) => escape(t),
                (None, _) => r#"<span class="muted">(no evidence stored)</span>"#.to_string(),
            };
            let _ = write!(
                h,
                r#"<blockquote>{text}<br><span class="muted">call {} · {} · agent {}{} · {} · confidence {:.2}</span></blockquote>"#,
                escape(&e.call_id),
                escape(&e.when),
                escape(opt(&e.agent_id)),
                e.at.as_deref()
                    .map(|a| format!(" · at {}", escape(a)))
                    .unwrap_or_default(),
                escape(&e.detector),
                e.confidence
            );
        }
    }
    h.push_str("</section>");

    if let Some(c) = &r.calibration {
        h.push_str(&calibration_section(c));
    }
    h.push_str(
        r#"<footer class="muted"><p>Generated by callqa report. Self-contained: no script and no external resource.</p></footer></main></body></html>"#,
    );
    h
}

fn confusion_table(c: &Confusion) -> String {
    let mut s = String::from(
        r#"<table class="cm"><thead><tr><th>human \ callqa</th><th>pass</th><th>fail</th><th>na</th></tr></thead><tbody>"#,
    );
    for (i, l) in c.labels.iter().enumerate() {
        let _ = write!(s, "<tr><th>{l}</th>");
        for v in c.counts[i] {
            let _ = write!(s, "<td>{v}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn score_cells(s: &ScoreAgreement) -> String {
    format!(
        r#"<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
        s.n,
        num(s.mae, 1),
        num(s.mean_difference, 1),
        num(s.correlation, 2)
    )
}

fn agreement_rows(h: &mut String, rows: &[AnalystAgreement]) {
    h.push_str(r#"<table><thead><tr><th>Analyst</th><th>Against</th><th class="n">Results</th><th class="n">Agreement</th><th class="n">Kappa</th><th class="n">Calls with scores</th><th class="n">Score MAE</th><th class="n">Mean diff.</th><th class="n">Correlation</th></tr></thead><tbody>"#);
    for a in rows {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>{}</tr>"#,
            escape(&a.analyst),
            escape(&a.against),
            a.n,
            pct(a.agreement),
            num(a.kappa, 2),
            score_cells(&a.total_score)
        );
    }
    h.push_str("</tbody></table>");
}

/// The calibration section of the report (`callqa report ... --human FILE.csv`).
pub(crate) fn calibration_section(c: &Calibration) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<section id="calibration"><h2>Calibration against human QA</h2><p>{} human results on {} calls compared: callqa agrees on {} ({}), Cohen's kappa {}.{}{}</p>"#,
        c.overall.n,
        c.calls,
        c.overall.agreed,
        pct(c.overall.agreement),
        num(c.overall.kappa, 2),
        if c.unmatched > 0 {
            format!(
                " {} human rows had no callqa result{}.",
                c.unmatched,
                if c.unscored_calls.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (calls not scored: {})",
                        escape(&c.unscored_calls.join(", "))
                    )
                }
            )
        } else {
            String::new()
        },
        if c.outside_period > 0 {
            format!(
                " {} rows of calls outside this period left out.",
                c.outside_period
            )
        } else {
            String::new()
        }
    );
    h.push_str(r#"<p class="muted">Kappa corrects agreement for chance; it is shown as – when undefined (every result on both sides the same single value, so chance agreement is 1).</p>"#);
    h.push_str(r#"<table><thead><tr><th>Item</th><th class="n">Results</th><th class="n">Agreement</th><th class="n">Kappa</th><th>Confusion (rows: human, columns: callqa)</th></tr></thead><tbody>"#);
    for it in &c.items {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            escape(&it.item_id),
            it.n,
            pct(it.agreement),
            num(it.kappa, 2),
            confusion_table(&it.confusion)
        );
    }
    h.push_str("</tbody></table>");
    let _ = write!(
        h,
        r#"<h3>Total score</h3><table><thead><tr><th class="n">Calls</th><th class="n">Mean absolute error</th><th class="n">Mean difference (callqa − human)</th><th class="n">Correlation</th></tr></thead><tbody><tr>{}</tr></tbody></table>"#,
        score_cells(&c.total_score)
    );
    if !c.analysts.is_empty() {
        h.push_str("<h3>Per analyst</h3>");
        agreement_rows(&mut h, &c.analysts);
        h.push_str("<h3>Between analysts</h3>");
        agreement_rows(&mut h, &c.inter_analyst);
    }
    let _ = write!(h, "<h3>Disagreements ({})</h3>", c.disagreements.len());
    if !c.disagreements.is_empty() {
        h.push_str(r#"<table><thead><tr><th>Call</th><th>Item</th><th>Analyst</th><th>Human</th><th>callqa</th><th>callqa's evidence</th></tr></thead><tbody>"#);
        for d in &c.disagreements {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}<br><span class="muted">{}{} · confidence {:.2}</span></td></tr>"#,
                escape(&d.call_id),
                escape(&d.item_id),
                escape(opt(&d.analyst)),
                d.human.as_str(),
                d.callqa.as_str(),
                escape(d.evidence.as_deref().unwrap_or("(no evidence stored)")),
                escape(&d.detector),
                d.evidence_at
                    .as_deref()
                    .map(|a| format!(" · at {}", escape(a)))
                    .unwrap_or_default(),
                d.confidence
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::{HumanRow, Outcome};
    use crate::report::{ReportOptions, build_report};
    use crate::testdata::store;

    /// Every value of `attr="..."` in the document.
    fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let pat = format!(" {attr}=\"");
        html.match_indices(&pat)
            .filter_map(|(i, _)| {
                let rest = &html[i + pat.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    fn page() -> String {
        let human = vec![
            HumanRow {
                call_id: "n2".into(),
                item_id: "summary".into(),
                result: Outcome::Pass,
                total_score: Some(100.0),
                analyst: None,
                line: 2,
            },
            HumanRow {
                call_id: "o1".into(),
                item_id: "summary".into(),
                result: Outcome::Pass,
                total_score: None,
                analyst: None,
                line: 3,
            },
        ];
        let opts = ReportOptions {
            star_min_calls: 3,
            human: Some(human),
            ..Default::default()
        };
        let r = build_report(&store(), &opts).unwrap_or_else(|e| panic!("{e}"));
        render_html(&r)
    }

    #[test]
    fn report_has_every_section_and_no_external_reference() {
        let h = page();
        assert!(h.starts_with("<!DOCTYPE html>") && h.ends_with("</html>"));
        for id in [
            "overview",
            "distribution",
            "teams",
            "stars",
            "items",
            "sentiment",
            "reviews",
            "evidence",
            "calibration",
        ] {
            assert!(
                h.contains(&format!("<section id=\"{id}\">")),
                "no section {id}"
            );
        }
        for attr in ["src", "href", "xlink:href", "action", "srcset", "data"] {
            for v in attr_values(&h, attr) {
                let v = v.trim().to_ascii_lowercase();
                assert!(
                    !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                    "{attr}={v}"
                );
            }
        }
        assert!(!h.contains("http://") && !h.contains("https://"));
        for banned in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
            assert!(!h.to_ascii_lowercase().contains(banned), "{banned}");
        }
        assert!(h.matches("<svg").count() >= 4, "charts are inline SVG");
    }

    #[test]
    fn report_shows_redacted_text_escaped_and_never_the_raw_text() {
        let h = page();
        assert!(h.contains("[CARD] yeah what &lt;b&gt;now&lt;/b&gt;"));
        assert!(!h.contains("SECRET") && !h.contains("4111"));
        assert!(h.contains("★ A1"));
        assert!(h.contains("no agent with at least 3 calls"));
        // calibration over the period's calls: o1 (October) left out
        assert!(h.contains("1 rows of calls outside this period left out"));
        assert!(h.contains("no summary step found"));
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="https://x">'&'</a>"#),
            "&lt;a href=&quot;https://x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
