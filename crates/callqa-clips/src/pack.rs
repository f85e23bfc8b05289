//! The pack's files: directory set-up, file names, `manifest.csv`, transcripts, `index.html`.

use crate::{Clip, ClipsConfig, ClipsError, Pack, Pick};
use callqa_core::fmt_clock;
use std::fmt::Write as _;
use std::path::Path;

/// The columns of `manifest.csv`, in order, with what each holds (the README's table lists
/// the same; a test keeps them in step).
pub const MANIFEST_COLUMNS: [(&str, &str); 24] = [
    (
        "rank",
        "Position in the pack, from 1 (best or worst first).",
    ),
    ("call_id", "Call identifier."),
    ("agent_id", "Agent identifier (empty when unknown)."),
    ("team", "Agent's team (empty when unknown)."),
    ("call_date", "Date of the call, YYYY-MM-DD."),
    ("form", "Evaluation form id."),
    ("item_id", "Evaluation item id."),
    ("result", "`pass` or `fail`."),
    ("confidence", "`evaluations.confidence` (0-1)."),
    (
        "auto_fail",
        "`true` when the item failed as an auto-fail item.",
    ),
    (
        "review_reasons",
        "Why the item needs a human look, `;`-joined (empty when it does not).",
    ),
    ("detector", "Detector that decided the item."),
    (
        "moment",
        "How the moment shown was found: `utterance`, `measured`, `window_start`, `window_end`, `customer_upset`.",
    ),
    ("clip_file", "WAV file, relative to the pack."),
    ("transcript_file", "Transcript file, relative to the pack."),
    ("clip_start_ms", "Clip start, ms of the recording."),
    ("clip_end_ms", "Clip end, ms of the recording."),
    (
        "evidence_start_ms",
        "`evaluations.evidence_start_ms` (empty when none).",
    ),
    (
        "evidence_end_ms",
        "`evaluations.evidence_end_ms` (empty when none).",
    ),
    (
        "moment_start_ms",
        "Start of the moment shown, ms of the recording.",
    ),
    (
        "moment_end_ms",
        "End of the moment shown, ms of the recording.",
    ),
    ("redactions", "Spans replaced by the tone in the clip."),
    ("redacted_ms", "Total ms of the clip replaced by the tone."),
    (
        "redaction_spans_ms",
        "The spans replaced by the tone, `start-end` in ms from the clip's start, `;`-joined.",
    ),
];

const MANIFEST: &str = "manifest.csv";
const INDEX: &str = "index.html";

/// `<rank>_<call_id>_<item>` with every character outside `[A-Za-z0-9._-]` replaced by `_` and
/// each part cut to 80 characters: a plain file name, never a path (call ids come from users).
pub fn file_stem(rank: usize, call_id: &str, item: &str) -> String {
    let clean = |s: &str| -> String {
        let c: String = s
            .chars()
            .take(80)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if c.is_empty() { "_".into() } else { c }
    };
    format!("{rank:03}_{}_{}", clean(call_id), clean(item))
}

/// A plain file name in the pack (what the manifest may name): no separator, not `..`.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
        && !name.starts_with('.')
}

/// Make `dir` ready: created when absent; when it holds a previous pack (`manifest.csv`), that
/// pack's files are deleted; any other non-empty directory is refused.
pub(crate) fn prepare_dir(dir: &Path) -> Result<(), ClipsError> {
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(|e| ClipsError::io(dir, e));
    }
    if !dir.is_dir() {
        return Err(ClipsError::Invalid {
            path: dir.to_path_buf(),
            message: "not a directory".into(),
        });
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| ClipsError::io(dir, e))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let manifest = dir.join(MANIFEST);
    if !manifest.is_file() {
        return Err(ClipsError::Invalid {
            path: dir.to_path_buf(),
            message: "not empty and not a clip pack (no manifest.csv): choose another --pack"
                .into(),
        });
    }
    let mut rd = csv::Reader::from_path(&manifest).map_err(|e| ClipsError::Csv {
        path: manifest.clone(),
        source: e,
    })?;
    let headers = rd
        .headers()
        .map_err(|e| ClipsError::Csv {
            path: manifest.clone(),
            source: e,
        })?
        .clone();
    let cols: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| *h == "clip_file" || *h == "transcript_file")
        .map(|(i, _)| i)
        .collect();
    let mut old = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| ClipsError::Csv {
            path: manifest.clone(),
            source: e,
        })?;
        old.extend(
            cols.iter()
                .filter_map(|&i| rec.get(i))
                .filter(|n| plain_name(n))
                .map(str::to_string),
        );
    }
    old.push(INDEX.into());
    old.push(MANIFEST.into());
    for name in old {
        let p = dir.join(&name);
        if p.is_file() {
            std::fs::remove_file(&p).map_err(|e| ClipsError::io(&p, e))?;
        }
    }
    Ok(())
}

pub(crate) fn write_manifest(pack: &Pack) -> Result<(), ClipsError> {
    let path = pack.dir.join(MANIFEST);
    let err = |e: csv::Error| ClipsError::Csv {
        path: path.clone(),
        source: e,
    };
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(MANIFEST_COLUMNS.iter().map(|(n, _)| *n))
        .map_err(err)?;
    let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
    for c in &pack.clips {
        let redacted_ms: i64 = c.redactions.iter().map(|(a, b)| b - a).sum();
        let row: [String; MANIFEST_COLUMNS.len()] = [
            c.rank.to_string(),
            c.call_id.clone(),
            c.agent_id.clone().unwrap_or_default(),
            c.team.clone().unwrap_or_default(),
            c.call_date.to_string(),
            c.form.clone(),
            c.item_id.clone(),
            c.result.clone(),
            format!("{:.4}", c.confidence),
            c.auto_fail.to_string(),
            c.review_reasons.join(";"),
            c.detector.clone(),
            c.moment.kind.as_str().into(),
            c.clip_file.clone(),
            c.transcript_file.clone(),
            c.clip_start_ms.to_string(),
            c.clip_end_ms.to_string(),
            opt(c.evidence_start_ms),
            opt(c.evidence_end_ms),
            c.moment.start_ms.to_string(),
            c.moment.end_ms.to_string(),
            c.redactions.len().to_string(),
            redacted_ms.to_string(),
            c.redactions
                .iter()
                .map(|(a, b)| format!("{a}-{b}"))
                .collect::<Vec<_>>()
                .join(";"),
        ];
        w.write_record(&row).map_err(err)?;
    }
    w.flush().map_err(|e| ClipsError::io(&path, e))
}

fn clock(ms: i64) -> String {
    fmt_clock(ms.max(0) as u64)
}

/// `<stem>.txt`: a header naming the call, item and result, then one line per utterance with
/// its times in the recording.
pub(crate) fn write_transcript(dir: &Path, c: &Clip) -> Result<(), ClipsError> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} {} {} (confidence {:.2}); clip {}-{} of the recording; times below are of the recording",
        c.call_id,
        c.item_id,
        c.result,
        c.confidence,
        clock(c.clip_start_ms),
        clock(c.clip_end_ms)
    );
    let _ = writeln!(s, "# why: {}", c.reason);
    for l in &c.lines {
        let _ = writeln!(
            s,
            "[{}-{}] {}{}: {}",
            clock(l.start_ms),
            clock(l.end_ms),
            l.speaker,
            if l.evidence { " (evidence)" } else { "" },
            l.text
        );
    }
    let path = dir.join(&c.transcript_file);
    std::fs::write(&path, s).map_err(|e| ClipsError::io(&path, e))
}

/// Escape text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A file name in an `src` or `href`: percent-encode anything outside the safe set (the names
/// are sanitised already; this keeps the link right whatever they hold).
fn href(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.4em}section{border-top:1px solid #ccc;padding:.8em 0}
.meta{color:#555;font-size:.9em}.pass{color:#176b2c}.fail{color:#a11}
audio{width:100%;margin:.4em 0}table{border-collapse:collapse;width:100%}
td{padding:.15em .4em;vertical-align:top}td.t{white-space:nowrap;color:#555;cursor:pointer}
tr.ev td{background:#fff4c2}.why{margin:.3em 0}.red{color:#555;font-size:.85em}";

const SCRIPT: &str = "const players=[...document.querySelectorAll('audio')];
players.forEach((a,i)=>a.addEventListener('ended',()=>{if(document.getElementById('chain').checked&&players[i+1]){players[i+1].play();players[i+1].scrollIntoView({behavior:'smooth'});}}));
players.forEach(a=>a.addEventListener('play',()=>players.forEach(b=>{if(b!==a)b.pause();})));
document.querySelectorAll('td.t').forEach(td=>td.addEventListener('click',()=>{const a=document.getElementById(td.dataset.p);a.currentTime=parseFloat(td.dataset.s);a.play();}));
document.getElementById('playall').addEventListener('click',()=>{document.getElementById('chain').checked=true;if(players[0]){players[0].currentTime=0;players[0].play();}});";

/// `index.html`: one self-contained page (inline style and script, relative links to the WAV
/// files, no external request): per clip a player, why the item passed or failed, the redacted
/// transcript with times (click a time to play from there), and the redaction spans.
pub(crate) fn write_index(pack: &Pack, cfg: &ClipsConfig) -> Result<(), ClipsError> {
    let which = match cfg.pick {
        Pick::Best(_) => "best (most confident passes)",
        Pick::Worst(_) => "worst (clearest fails)",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{item}: {which}</title><style>{STYLE}</style></head><body>\n\
<h1>{item}: {which}</h1>\n<p class=\"meta\">{n} clip(s) of {cand} matching call(s){filters}. \
Each clip is the moment that decided the item with {ctx:.1} s of context either side, both parties \
mixed. Personal data the redactor found is <b>[REDACTED]</b> in the text and a 1 kHz tone in \
the audio.</p>\n<p><button id=\"playall\">Play all</button> \
<label><input type=\"checkbox\" id=\"chain\"> play the next clip when one ends</label></p>\n",
        item = esc(&cfg.item),
        n = pack.clips.len(),
        cand = pack.candidates,
        ctx = cfg.context_ms as f64 / 1000.0,
        filters = esc(&filter_text(cfg)),
    );
    for c in &pack.clips {
        let pid = format!("p{}", c.rank);
        let reviews = if c.review_reasons.is_empty() {
            String::new()
        } else {
            format!(" · needs review: {}", c.review_reasons.join(", "))
        };
        let _ = write!(
            h,
            "<section id=\"clip{rank}\"><h2>#{rank} <span class=\"{res}\">{res_up}</span> · {call}</h2>\n\
<p class=\"meta\">agent {agent} · team {team} · {date} · form {form} · item {title} · \
confidence {conf:.2}{af}{reviews} · detector <code>{det}</code></p>\n\
<audio id=\"{pid}\" controls preload=\"none\" src=\"{src}\"></audio>\n\
<p class=\"why\"><b>Why:</b> {reason}</p>\n\
<p class=\"meta\">Shown: {moment} ({ms}-{me}); clip {cs}-{ce} of the recording; \
<a href=\"{src}\" download>WAV</a> · <a href=\"{txt}\">transcript</a></p>\n<table>\n",
            rank = c.rank,
            res = esc(&c.result),
            res_up = esc(&c.result.to_uppercase()),
            call = esc(&c.call_id),
            agent = esc(c.agent_id.as_deref().unwrap_or("-")),
            team = esc(c.team.as_deref().unwrap_or("-")),
            date = c.call_date,
            form = esc(&c.form),
            title = esc(&c.title),
            conf = c.confidence,
            af = if c.auto_fail { " · AUTO-FAIL" } else { "" },
            reviews = esc(&reviews),
            det = esc(&c.detector),
            src = href(&c.clip_file),
            txt = href(&c.transcript_file),
            reason = esc(&c.reason),
            moment = esc(c.moment.kind.describe()),
            ms = clock(c.moment.start_ms),
            me = clock(c.moment.end_ms),
            cs = clock(c.clip_start_ms),
            ce = clock(c.clip_end_ms),
        );
        for l in &c.lines {
            let seek = ((l.start_ms - c.clip_start_ms).max(0) as f64) / 1000.0;
            let _ = writeln!(
                h,
                "<tr{cls}><td class=\"t\" data-p=\"{pid}\" data-s=\"{seek:.3}\" title=\"play from here\">{a}-{b}</td><td>{sp}</td><td>{text}</td></tr>",
                cls = if l.evidence { " class=\"ev\"" } else { "" },
                a = clock(l.start_ms),
                b = clock(l.end_ms),
                sp = esc(&l.speaker),
                text = esc(&l.text),
            );
        }
        h.push_str("</table>\n");
        if !c.redactions.is_empty() {
            let spans: Vec<String> = c
                .redactions
                .iter()
                .map(|(a, b)| format!("{:.1}-{:.1} s", *a as f64 / 1000.0, *b as f64 / 1000.0))
                .collect();
            let _ = writeln!(
                h,
                "<p class=\"red\">Tone over {} (clip time).</p>",
                spans.join(", ")
            );
        }
        h.push_str("</section>\n");
    }
    if !pack.skipped.is_empty() {
        h.push_str("<section><h2>Skipped</h2><ul>\n");
        for s in &pack.skipped {
            let _ = writeln!(h, "<li>{}: {}</li>", esc(&s.call_id), esc(&s.reason));
        }
        h.push_str("</ul></section>\n");
    }
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body></html>\n");
    let path = pack.dir.join(INDEX);
    std::fs::write(&path, h).map_err(|e| ClipsError::io(&path, e))
}

fn filter_text(cfg: &ClipsConfig) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &cfg.filter.agent {
        parts.push(format!("agent {a}"));
    }
    if let Some(t) = &cfg.filter.team {
        parts.push(format!("team {t}"));
    }
    if let Some(d) = cfg.filter.since {
        parts.push(format!("since {d}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_inside_the_pack_whatever_the_call_id() {
        assert_eq!(
            file_stem(1, "zh_bank_01", "greeting"),
            "001_zh_bank_01_greeting"
        );
        for id in ["../../etc/passwd", "/abs/x", "a\\b", "..", "客户 1", ""] {
            let s = file_stem(2, id, "farewell");
            assert!(plain_name(&s), "{s}");
            assert!(s.starts_with("002_") && !s.contains(['/', '\\']), "{s}");
            let p = Path::new("/pack").join(format!("{s}.wav"));
            assert_eq!(p.parent(), Some(Path::new("/pack")), "{id:?} -> {s}");
        }
        assert_eq!(file_stem(3, "../x", "i"), "003_.._x_i");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(href("001_a b.wav"), "001_a%20b.wav");
    }

    #[test]
    fn the_readme_lists_every_manifest_column() {
        let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let text = std::fs::read_to_string(&readme).unwrap_or_default();
        let section = text
            .split("## Trainer clip packs (callqa clips)")
            .nth(1)
            .unwrap_or_default();
        for (name, _) in MANIFEST_COLUMNS {
            assert!(
                section.contains(&format!("| `{name}` |")),
                "README.md section \"Trainer clip packs (callqa clips)\" lacks column {name}"
            );
        }
    }
}
