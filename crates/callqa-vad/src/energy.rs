//! The energy fallback: loudness relative to the channel's noise floor. Crude by design; used only
//! where Silero cannot be loaded.

use crate::CHUNK_SAMPLES;

/// Energy detector: a 32 ms chunk's pseudo speech probability rises with its level above the
/// channel's noise floor (the 10th percentile of chunk levels). It cannot tell speech from music
/// or loud noise: prefer Silero.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyVad {
    /// Level above the noise floor, in dB, that maps to probability 0.5.
    pub margin_db: f32,
    /// Chunks quieter than this absolute level (dBFS) are silence whatever the floor.
    pub min_level_dbfs: f32,
}

impl Default for EnergyVad {
    fn default() -> Self {
        EnergyVad {
            margin_db: 12.0,
            min_level_dbfs: -50.0,
        }
    }
}

fn level_dbfs(chunk: &[f32]) -> f32 {
    if chunk.is_empty() {
        return -120.0;
    }
    let mean_sq = chunk.iter().map(|x| x * x).sum::<f32>() / chunk.len() as f32;
    10.0 * (mean_sq + 1e-12).log10()
}

impl EnergyVad {
    /// Pseudo speech probability per 512-sample chunk.
    pub fn probabilities(&self, samples: &[f32]) -> Vec<f32> {
        let levels: Vec<f32> = samples.chunks(CHUNK_SAMPLES).map(level_dbfs).collect();
        if levels.is_empty() {
            return Vec::new();
        }
        let mut sorted = levels.clone();
        sorted.sort_by(f32::total_cmp);
        let floor = sorted[sorted.len() / 10].max(-90.0);
        levels
            .iter()
            .map(|&db| {
                if db < self.min_level_dbfs {
                    0.0
                } else {
                    let x = (db - floor - self.margin_db) / 3.0;
                    1.0 / (1.0 + (-x).exp())
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loud_burst_over_quiet_floor_scores_high() {
        let mut s = vec![0.001f32; 16_000];
        for (i, x) in s.iter_mut().enumerate().skip(6_000).take(4_000) {
            *x = 0.3 * ((i as f32) * 0.2).sin();
        }
        let p = EnergyVad::default().probabilities(&s);
        assert!(p[0] < 0.1);
        assert!(p[15] > 0.9);
    }

    #[test]
    fn digital_silence_is_not_speech() {
        let p = EnergyVad::default().probabilities(&[0.0; 8_000]);
        assert!(p.iter().all(|&x| x == 0.0));
    }
}
