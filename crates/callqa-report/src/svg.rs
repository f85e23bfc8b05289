//! Inline SVG charts (no script, no external reference; colours come from the page's CSS
//! classes).

use crate::html::escape;
use crate::report::ItemRate;
use callqa_store::AgentSummaryRow;
use std::fmt::Write as _;

/// Calls per 10-point score band, as vertical bars.
pub(crate) fn histogram(bins: &[u32; 10]) -> String {
    let (w, h, left, bottom, top) = (560.0, 220.0, 36.0, 28.0, 12.0);
    let max = f64::from(bins.iter().copied().max().unwrap_or(0).max(1));
    let plot_h = h - bottom - top;
    let bw = (w - left - 8.0) / 10.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="hist-t"><title id="hist-t">Calls per score band</title>"#
    );
    // y gridlines: 0, max/2, max
    for frac in [0.0, 0.5, 1.0] {
        let y = top + plot_h * (1.0 - frac);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{:.0}</text>"#,
            w - 8.0,
            left - 4.0,
            y + 4.0,
            max * frac
        );
    }
    for (i, &n) in bins.iter().enumerate() {
        let bh = plot_h * f64::from(n) / max;
        let x = left + bw * i as f64;
        let y = top + plot_h - bh;
        let band = if i == 9 {
            "90-100".to_string()
        } else {
            format!("{}-{}", i * 10, i * 10 + 9)
        };
        let _ = write!(
            s,
            r#"<rect class="bar" x="{:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}"><title>{band}: {n} calls</title></rect><text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + 2.0,
            bw - 4.0,
            x + bw / 2.0,
            h - bottom + 14.0,
            i * 10
        );
        if n > 0 {
            let _ = write!(
                s,
                r#"<text class="val" x="{:.1}" y="{:.1}" text-anchor="middle">{n}</text>"#,
                x + bw / 2.0,
                y - 3.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Pass rate per item: a bar for the period, a tick for the previous period.
pub(crate) fn item_rates(items: &[ItemRate]) -> String {
    let (label_w, bar_w, row_h) = (130.0, 360.0, 22.0);
    let w = label_w + bar_w + 60.0;
    let h = row_h * items.len() as f64 + 24.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="items-t"><title id="items-t">Pass rate per item (bar: this period, tick: previous period)</title>"#
    );
    for (i, it) in items.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="track" x="{label_w}" y="{y:.1}" width="{bar_w}" height="{:.1}"/>"#,
            label_w - 6.0,
            y + 14.0,
            escape(&it.item_id),
            row_h - 6.0
        );
        match it.rate {
            Some(r) => {
                let _ = write!(
                    s,
                    r#"<rect class="{}" x="{label_w}" y="{y:.1}" width="{:.1}" height="{:.1}"><title>{}: {:.0}% of {} applicable</title></rect><text class="val" x="{:.1}" y="{:.1}">{:.0}%</text>"#,
                    if r < 0.8 { "bar weak" } else { "bar" },
                    bar_w * r,
                    row_h - 6.0,
                    escape(&it.item_id),
                    r * 100.0,
                    it.applicable,
                    label_w + bar_w + 6.0,
                    y + 14.0,
                    r * 100.0
                );
            }
            None => {
                let _ = write!(
                    s,
                    r#"<text class="val" x="{:.1}" y="{:.1}">n/a</text>"#,
                    label_w + bar_w + 6.0,
                    y + 14.0
                );
            }
        }
        if let Some(p) = it.prev_rate {
            let x = label_w + bar_w * p;
            let _ = write!(
                s,
                r#"<line class="prev" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"><title>previous period: {:.0}%</title></line>"#,
                y - 2.0,
                y + row_h - 4.0,
                p * 100.0
            );
        }
    }
    let y = h - 6.0;
    for pct in [0, 50, 100] {
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{y:.1}" text-anchor="middle">{pct}%</text>"#,
            label_w + bar_w * f64::from(pct) / 100.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Two stacked bars (start, end) of the sentiment label shares.
pub(crate) fn sentiment(start: [u32; 4], end: [u32; 4]) -> String {
    let (label_w, bar_w, row_h) = (60.0, 420.0, 30.0);
    let w = label_w + bar_w + 10.0;
    let h = row_h * 2.0 + 30.0;
    let classes = ["neg", "neu", "pos", "unk"];
    let names = ["negative", "neutral", "positive", "unknown"];
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="sent-t"><title id="sent-t">Customer sentiment at the start and the end of the calls</title>"#
    );
    for (row, (label, counts)) in [("start", start), ("end", end)].iter().enumerate() {
        let y = 4.0 + row_h * row as f64;
        let total = f64::from(counts.iter().sum::<u32>().max(1));
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            label_w - 6.0,
            y + 17.0
        );
        let mut x = label_w;
        for k in 0..4 {
            let wk = bar_w * f64::from(counts[k]) / total;
            if counts[k] > 0 {
                let _ = write!(
                    s,
                    r#"<rect class="{}" x="{x:.1}" y="{y:.1}" width="{wk:.1}" height="{:.1}"><title>{label}: {} {}</title></rect>"#,
                    classes[k],
                    row_h - 6.0,
                    counts[k],
                    names[k]
                );
                if wk > 18.0 {
                    let _ = write!(
                        s,
                        r#"<text class="inbar" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                        x + wk / 2.0,
                        y + 17.0,
                        counts[k]
                    );
                }
            }
            x += wk;
        }
    }
    let mut x = label_w;
    for k in 0..4 {
        let _ = write!(
            s,
            r#"<rect class="{}" x="{x:.1}" y="{:.1}" width="10" height="10"/><text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
            classes[k],
            h - 20.0,
            x + 14.0,
            h - 11.0,
            names[k]
        );
        x += 90.0;
    }
    s.push_str("</svg>");
    s
}

/// Per agent: the p10–p90 range as a line and the mean as a dot, on a 0-100 scale.
pub(crate) fn agent_ranges(agents: &[AgentSummaryRow], star: Option<&str>) -> String {
    let (label_w, bar_w, row_h) = (90.0, 380.0, 20.0);
    let w = label_w + bar_w + 20.0;
    let h = row_h * agents.len() as f64 + 22.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>Mean score (dot) and p10-p90 range (line) per agent</title>"#
    );
    let x_of = |v: f64| label_w + bar_w * v.clamp(0.0, 100.0) / 100.0;
    for pct in [0.0, 50.0, 100.0] {
        let _ = write!(
            s,
            r#"<line class="grid" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{:.1}"/><text class="axis" x="{x:.1}" y="{:.1}" text-anchor="middle">{pct:.0}</text>"#,
            h - 18.0,
            h - 4.0,
            x = x_of(pct)
        );
    }
    for (i, a) in agents.iter().enumerate() {
        let y = 12.0 + row_h * i as f64;
        let cls = if star == Some(a.agent_id.as_str()) {
            "dot star"
        } else {
            "dot"
        };
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><line class="range" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><circle class="{cls}" cx="{:.1}" cy="{y:.1}" r="5"><title>{}: mean {:.1}, p10 {:.1}, p90 {:.1}, {} calls</title></circle>"#,
            label_w - 6.0,
            y + 4.0,
            escape(&a.agent_id),
            x_of(a.p10_score),
            x_of(a.p90_score),
            x_of(a.mean_score),
            escape(&a.agent_id),
            a.mean_score,
            a.p10_score,
            a.p90_score,
            a.calls
        );
    }
    s.push_str("</svg>");
    s
}
