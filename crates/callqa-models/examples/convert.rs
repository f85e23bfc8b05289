//! `cargo run -p callqa-models --example convert -- CT2_DIR OUT.bin [q8]`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(out)) = (a.get(1), a.get(2)) else {
        return Err("usage: convert CT2_DIR OUT.bin [q8]".into());
    };
    let w = if a.get(3).map(String::as_str) == Some("q8") {
        callqa_models::WeightType::Q8_0
    } else {
        callqa_models::WeightType::F16
    };
    let t = std::time::Instant::now();
    let r =
        callqa_models::convert_ct2_dir(std::path::Path::new(dir), std::path::Path::new(out), w)?;
    println!(
        "{} tensors {} tokens {} bytes {:?} {:.2}s",
        r.tensors.len(),
        r.n_tokens,
        r.bytes,
        r.hparams,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
