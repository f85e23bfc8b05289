//! Test helpers: generate audio with sox / ffmpeg into a temp dir (no fixtures needed).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Run a tool; panic with a set-up hint when it is missing, with its stderr when it fails.
pub fn run_tool(tool: &str, args: &[&str]) -> String {
    let out = match Command::new(tool).args(args).output() {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run `{tool}` ({e}): the audio tests generate their input with sox and ffmpeg; \
             install them with scripts/setup.sh"
        ),
    };
    assert!(
        out.status.success(),
        "`{tool} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `sox -n [fmt args] OUT synth SECS sine F1 [sine F2] vol 0.5`
pub fn sox_tone(dir: &Path, name: &str, fmt: &[&str], secs: f64, freqs: &[u32]) -> PathBuf {
    let out = dir.join(name);
    let secs = format!("{secs}");
    let fs: Vec<String> = freqs.iter().map(|f| f.to_string()).collect();
    let mut args: Vec<&str> = vec!["-n"];
    args.extend_from_slice(fmt);
    args.push(out.to_str().expect("utf-8 temp path"));
    args.extend_from_slice(&["synth", &secs]);
    for f in &fs {
        args.extend_from_slice(&["sine", f]);
    }
    args.extend_from_slice(&["vol", "0.5"]);
    run_tool("sox", &args);
    out
}

/// ffmpeg lavfi sine tone, `extra` are output options (codec, channels...).
pub fn ffmpeg_tone(dir: &Path, name: &str, rate: u32, secs: f64, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let src = format!("sine=f=500:r={rate}:d={secs}");
    let mut args: Vec<&str> = vec!["-loglevel", "error", "-y", "-f", "lavfi", "-i", &src];
    args.extend_from_slice(extra);
    args.push(out.to_str().expect("utf-8 temp path"));
    run_tool("ffmpeg", &args);
    out
}

/// `soxi -s`: sox's own sample (frame) count.
pub fn soxi_frames(path: &Path) -> u64 {
    let s = run_tool("soxi", &["-s", path.to_str().expect("utf-8 temp path")]);
    s.trim().parse().expect("soxi -s prints a number")
}

/// `soxi -D`: sox's own duration in seconds.
pub fn soxi_duration(path: &Path) -> f64 {
    let s = run_tool("soxi", &["-D", path.to_str().expect("utf-8 temp path")]);
    s.trim().parse().expect("soxi -D prints a number")
}

/// Frames ffmpeg decodes (gapless-trimmed), counted from raw s16 mono output.
pub fn ffmpeg_decoded_frames(path: &Path) -> u64 {
    let out = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-i"])
        .arg(path)
        .args(["-f", "s16le", "-ac", "1", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success());
    out.stdout.len() as u64 / 2
}

/// Positive-going zero crossings per second (≈ frequency of a pure tone).
pub fn crossings_per_s(x: &[f32], rate: u32) -> f64 {
    let n = x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    n as f64 * f64::from(rate) / x.len() as f64
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| f64::from(*v) * f64::from(*v)).sum::<f64>() / x.len() as f64).sqrt()
}
