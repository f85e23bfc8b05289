//! Shards of a batch: `callqa score --shard i/N` takes the calls whose stable hash of `call_id`
//! falls on `i`, so N processes (Spark tasks, Kubernetes Indexed Job pods, machines) given the
//! same inputs each score a disjoint subset and together every call.
//!
//! The hash is the first 8 bytes of SHA-256 over the UTF-8 `call_id`, big-endian, modulo N:
//! the same on every machine, run and platform, and easy to compute elsewhere (Python:
//! `int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:8], "big") % n`, as
//! `spark/score_job.py` does).
//!
//! ```
//! use callqa_pipeline::shard::{Shard, shard_of};
//! let s: Shard = "1/4".parse()?;
//! assert_eq!((s.index, s.count), (1, 4));
//! assert!(shard_of("call-0001", 4) < 4);
//! assert_eq!(s.contains("call-0001"), shard_of("call-0001", 4) == 1);
//! # Ok::<(), String>(())
//! ```

use sha2::{Digest, Sha256};

/// The shard (0-based, below `count`) a call id belongs to among `count` shards; 0 when
/// `count` is 0 or 1.
pub fn shard_of(call_id: &str, count: u32) -> u32 {
    if count <= 1 {
        return 0;
    }
    let digest = Sha256::digest(call_id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(head) % u64::from(count)) as u32
}

/// One shard of N: `index` in `0..count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u32,
    /// How many shards the batch is cut into.
    pub count: u32,
}

impl Shard {
    /// True when the call id falls in this shard.
    pub fn contains(&self, call_id: &str) -> bool {
        shard_of(call_id, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `i/N` with `0 <= i < N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?}: a shard is I/N with 0 <= I < N (for example 0/4)");
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        (0..2000).map(|i| format!("call-{i:05}")).collect()
    }

    #[test]
    fn shards_are_disjoint_and_cover_every_call() {
        let ids = ids();
        for n in [1u32, 2, 3, 7, 16] {
            let shards: Vec<Shard> = (0..n).map(|index| Shard { index, count: n }).collect();
            let mut sizes = vec![0usize; n as usize];
            for id in &ids {
                let owners: Vec<&Shard> = shards.iter().filter(|s| s.contains(id)).collect();
                assert_eq!(owners.len(), 1, "{id} in {n} shards: {owners:?}");
                sizes[owners[0].index as usize] += 1;
            }
            assert_eq!(sizes.iter().sum::<usize>(), ids.len());
            // Spread evenly enough that no shard is idle: each within 30 % of the mean.
            let mean = ids.len() as f64 / f64::from(n);
            for s in &sizes {
                assert!((*s as f64 - mean).abs() <= 0.3 * mean, "{n}: {sizes:?}");
            }
        }
    }

    #[test]
    fn the_hash_is_stable_across_runs_and_platforms() {
        // Fixed values (also what spark/score_job.py's shard_of gives): a changed function
        // would move calls between shards of an unfinished batch.
        assert_eq!(shard_of("zh_bank_inbound_model_01", 4), 3);
        assert_eq!(shard_of("en_bank_inbound_model_01", 4), 1);
        assert_eq!(shard_of("call-00042", 1000), 88);
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("anything", 0), 0);
    }

    #[test]
    fn shard_specs_parse_and_bad_ones_say_the_form() {
        assert_eq!("0/1".parse::<Shard>(), Ok(Shard { index: 0, count: 1 }));
        assert_eq!(" 3 / 8 ".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
        for bad in ["", "1", "4/4", "0/0", "-1/3", "a/b", "1/2/3"] {
            let e = bad.parse::<Shard>().expect_err(bad);
            assert!(e.contains("I/N"), "{e}");
        }
    }
}
