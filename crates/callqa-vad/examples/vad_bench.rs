//! Silero VAD speed: `cargo run --release -p callqa-vad --example vad_bench -- FILE...` prints
//! channel-seconds of audio per wall second (all channels of a file batched in one run).

use callqa_vad::{Vad, VadConfig};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vad = Vad::new(&VadConfig::default())?;
    let (mut ch_s, mut wall) = (0f64, 0f64);
    for f in std::env::args().skip(1) {
        let ch = callqa_audio::decode_16k(std::path::Path::new(&f), &Default::default())?.channels;
        let views: Vec<&[f32]> = ch.iter().map(Vec::as_slice).collect();
        let t0 = Instant::now();
        let regions = vad.detect(&views)?;
        let dt = t0.elapsed().as_secs_f64();
        let secs: f64 = ch.iter().map(|c| c.len() as f64 / 16_000.0).sum();
        ch_s += secs;
        wall += dt;
        let n: usize = regions.iter().map(Vec::len).sum();
        println!(
            "{f}: {} ch, {secs:.1} channel-s in {dt:.3} s ({:.0}x), {n} regions",
            ch.len(),
            secs / dt
        );
    }
    println!(
        "total: {ch_s:.1} channel-s in {wall:.2} s = {:.0} channel-seconds per wall second ({:?})",
        ch_s / wall,
        vad.backend()
    );
    Ok(())
}
