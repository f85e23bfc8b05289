//! `callqa probe FILE...`: container, codec, rate, channels and exact duration of recordings.
//!
//! Text output, one line per file:
//! `PATH: wave pcm_mulaw 8000 Hz 2 ch 600.000 s` (plus `[truncated]` and warnings), or
//! `PATH: error: PROBLEM` for a file that cannot be read.
//! `--json` prints one JSON object per line per file with at least the fields `path`, `ok`,
//! `container`, `codec`, `sample_rate_hz`, `channels`, `duration_s`, `frames`, `truncated`,
//! `warnings`, `error` (null when ok; the other fields null when not ok).
//! Exit status 0 when every file was read (truncated files included), 2 when some were not.
use callqa_audio::{AudioError, ProbeInfo};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Recordings to probe (format recognised by content, not extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per file, one per line.
    #[arg(long)]
    pub json: bool,
}

fn json_line(path: &std::path::Path, res: &Result<ProbeInfo, AudioError>) -> serde_json::Value {
    match res {
        Ok(i) => serde_json::json!({
            "path": path.to_string_lossy(),
            "ok": true,
            "container": i.container,
            "codec": i.codec,
            "sample_rate_hz": i.sample_rate_hz,
            "channels": i.channels,
            "duration_s": i.duration_s,
            "frames": i.frames,
            "truncated": i.truncated,
            "warnings": i.warnings,
            "error": null,
        }),
        Err(e) => serde_json::json!({
            "path": path.to_string_lossy(),
            "ok": false,
            "container": null,
            "codec": null,
            "sample_rate_hz": null,
            "channels": null,
            "duration_s": null,
            "frames": null,
            "truncated": null,
            "warnings": [],
            "error": e.kind().to_string(),
        }),
    }
}

fn text_line(res: &Result<ProbeInfo, AudioError>, path: &std::path::Path) -> String {
    match res {
        Ok(i) => {
            let mut s = format!(
                "{}: {} {} {} Hz {} ch {:.3} s",
                path.display(),
                i.container,
                i.codec,
                i.sample_rate_hz,
                i.channels,
                i.duration_s
            );
            if i.truncated {
                s.push_str(" [truncated]");
            }
            for w in &i.warnings {
                s.push_str(&format!("\n  warning: {w}"));
            }
            s
        }
        Err(e) => format!("{}: error: {}", path.display(), e.kind()),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    for path in &args.files {
        let res = callqa_audio::probe(path);
        if let Err(e) = &res {
            failed += 1;
            tracing::debug!("probe failed: {e}");
        }
        if args.json {
            writeln!(out, "{}", json_line(path, &res))?;
        } else {
            writeln!(out, "{}", text_line(&res, path))?;
        }
    }
    out.flush()?;
    if failed > 0 {
        if !args.json {
            eprintln!(
                "callqa probe: {failed} of {} file(s) could not be read",
                args.files.len()
            );
        }
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
