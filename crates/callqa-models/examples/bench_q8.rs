//! Transcription time of ggml Whisper files on a wav (whisper-rs, 1 thread, greedy, 3 runs):
//! `cargo run --release -p callqa-models --example bench_q8 -- WAV LANG MODEL...`
use std::time::Instant;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        return Err("usage: bench_q8 WAV LANG MODEL...".into());
    }
    let mut r = hound::WavReader::open(&a[1])?;
    let s: Vec<f32> = r
        .samples::<i16>()
        .map(|x| x.map(|v| v as f32 / 32768.0))
        .collect::<Result<_, _>>()?;
    for model in &a[3..] {
        let ctx = WhisperContext::new_with_params(model, WhisperContextParameters::default())?;
        let mut times = Vec::new();
        let mut text = String::new();
        for _ in 0..3 {
            let mut st = ctx.create_state()?;
            let mut p = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
            p.set_n_threads(1);
            p.set_language(Some(&a[2]));
            p.set_print_progress(false);
            p.set_print_realtime(false);
            let t = Instant::now();
            st.full(p, &s)?;
            times.push(t.elapsed().as_secs_f64());
            text = st.as_iter().map(|x| x.to_string()).collect();
        }
        println!("{model}: {times:.3?} s  {text}");
    }
    Ok(())
}
