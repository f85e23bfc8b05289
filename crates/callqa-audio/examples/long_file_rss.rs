//! Peak memory (VmHWM) of one way of reading a long recording, for the README's limits table.
//! Run each mode in its own process so that the peak is that mode's alone:
//!
//! `cargo run --release -p callqa-audio --example long_file_rss -- MODE FILE`
//!
//! MODE: `probe` (probe only), `stream` (open with no limits, every block read and dropped),
//! `decode` (decode_16k with the default limits: a header over 3 h is refused before decoding;
//! a stream that does not say its length is read until it passes 3 h), `decode-nolimit`
//! (decode_16k_with no limits: the whole call in memory).
use callqa_audio::{DecodeOptions, Limits, decode_16k, decode_16k_with, open_with, probe};
use std::path::Path;
use std::time::Instant;

/// A line of /proc/self/status, in kB (Linux only; 0 elsewhere).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: long_file_rss probe|stream|decode|decode-nolimit FILE");
        std::process::exit(2);
    };
    let path = Path::new(file);
    let t = Instant::now();
    let opts = DecodeOptions::default();
    let outcome = match mode.as_str() {
        "probe" => probe(path).map(|i| format!("{:.1} s, {} ch", i.duration_s, i.channels)),
        "stream" => open_with(path, &opts, &Limits::none()).and_then(|s| {
            let mut frames = 0u64;
            for b in s {
                frames += b?.frames() as u64;
            }
            Ok(format!("{frames} frames at 16 kHz streamed"))
        }),
        "decode" => decode_16k(path, &opts)
            .map(|d| format!("{} frames x {} ch", d.channels[0].len(), d.channels.len())),
        "decode-nolimit" => decode_16k_with(path, &opts, &Limits::none())
            .map(|d| format!("{} frames x {} ch", d.channels[0].len(), d.channels.len())),
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    };
    let result = match outcome {
        Ok(s) => s,
        Err(e) => format!("error: {e}"),
    };
    println!(
        "{mode}: {result}; {:.1} s wall; peak RSS (VmHWM) {:.1} MB",
        t.elapsed().as_secs_f64(),
        status_kb("VmHWM:") as f64 / 1024.0
    );
}
