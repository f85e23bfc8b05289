//! Decode files to 16 kHz and print figures: probe info, output frames, and speed
//! (audio seconds decoded+resampled per wall second).
//!
//! `cargo run --release -p callqa-audio --example decode_speed -- FILE... [--mono]`
use callqa_audio::{DecodeOptions, decode_16k, probe};
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mono_mix = args.iter().any(|a| a == "--mono");
    if args.iter().any(|a| a == "--stream") {
        // Stream only (no collecting): memory stays bounded whatever the length.
        for a in args.iter().filter(|a| !a.starts_with("--")) {
            let t = Instant::now();
            let opts = DecodeOptions {
                mono_mix,
                ..Default::default()
            };
            let mut frames = 0usize;
            match callqa_audio::open(Path::new(a), &opts) {
                Ok(stream) => {
                    for b in stream {
                        match b {
                            Ok(b) => frames += b.frames(),
                            Err(e) => {
                                println!("{e}");
                                break;
                            }
                        }
                    }
                    let secs = t.elapsed().as_secs_f64();
                    let audio = frames as f64 / 16_000.0;
                    println!(
                        "{a}: streamed {audio:.1} s of 16 kHz audio in {secs:.3} s = {:.0}x real time",
                        audio / secs
                    );
                }
                Err(e) => println!("{e}"),
            }
        }
        return;
    }
    for a in args.iter().filter(|a| !a.starts_with("--")) {
        let path = Path::new(a);
        let t0 = Instant::now();
        let p = probe(path);
        let t_probe = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let d = decode_16k(
            path,
            &DecodeOptions {
                mono_mix,
                ..Default::default()
            },
        );
        let t_dec = t1.elapsed().as_secs_f64();
        match (p, d) {
            (Ok(p), Ok(d)) => {
                let out = d.channels.first().map_or(0, Vec::len);
                println!(
                    "{a}: {} {} {} Hz x{} probe_frames={} header_frames={:?} decoded_frames={} out_16k={} \
                     probe {:.3} s, decode+resample {:.3} s = {:.0}x real time",
                    p.container,
                    p.codec,
                    p.sample_rate_hz,
                    p.channels,
                    p.frames,
                    p.header_frames,
                    d.info.frames,
                    out,
                    t_probe,
                    t_dec,
                    d.info.duration_s / t_dec
                );
            }
            (Err(e), _) | (_, Err(e)) => println!("{e}"),
        }
        if std::env::var_os("SHOW_WARNINGS").is_some()
            && let Ok(d) = decode_16k(path, &DecodeOptions::default())
        {
            for w in d.info.warnings {
                println!("  warning: {w}");
            }
        }
    }
}
