//! Writes a synthetic output folder (no audio) for the server bench:
//! `cargo run --release -p callqa-serve --example synth_store -- OUT_DIR [CALLS] [UTTERANCES]`
//! (defaults: 100000 calls, 12 utterances each). Committed in shards of 5,000 calls.

use callqa_serve::synth;
use callqa_store::Store;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: synth_store OUT_DIR [CALLS] [UTTERANCES]")?;
    let calls: usize = args.next().map_or(Ok(100_000), |s| s.parse())?;
    let utts: usize = args.next().map_or(Ok(12), |s| s.parse())?;
    let t0 = Instant::now();
    let mut store = Store::open(&out)?;
    let per = 5_000;
    let mut first = 0;
    let mut shard = 0u32;
    while first < calls {
        let n = per.min(calls - first);
        let rows = synth::shard(first, n, utts, 7);
        let keys: Vec<String> = rows.calls.iter().map(|c| c.call_key.clone()).collect();
        store.commit_shard("synth", shard, &rows, &keys)?;
        first += n;
        shard += 1;
    }
    eprintln!(
        "synth_store: {calls} calls x {utts} utterances into {out} in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
