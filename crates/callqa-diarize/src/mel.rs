//! The GE2E front end, as resemblyzer computes it (`audio.wav_to_mel_spectrogram`, which calls
//! `librosa.feature.melspectrogram` with its defaults): 400-sample periodic Hann window, 160-sample
//! hop, centred frames with zero padding (librosa >= 0.10), power spectrum, 40 Slaney-scale mel
//! bands with Slaney area normalisation, no logarithm.

use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// FFT size (25 ms at 16 kHz).
pub const N_FFT: usize = 400;
/// Hop between frames (10 ms at 16 kHz).
pub const HOP: usize = 160;
/// Mel bands.
pub const N_MELS: usize = 40;
const N_BINS: usize = N_FFT / 2 + 1;
const SAMPLE_RATE: u32 = 16_000;

/// `librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)`: `[N_MELS][N_BINS]`. The bank itself
/// is callqa-models' (the one the Whisper converter writes, tested bit-exact against librosa).
pub fn mel_filters() -> Vec<[f32; N_BINS]> {
    callqa_models::mel_filters(SAMPLE_RATE, N_FFT, N_MELS)
        .chunks_exact(N_BINS)
        .map(|row| {
            let mut out = [0f32; N_BINS];
            out.copy_from_slice(row);
            out
        })
        .collect()
}

/// Computes mel frames; cheap to share (the FFT plan and filters are built once).
pub struct MelFrontEnd {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    filters: Vec<[f32; N_BINS]>,
    /// First and one-past-last non-zero bin of each filter.
    spans: Vec<(usize, usize)>,
}

impl std::fmt::Debug for MelFrontEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MelFrontEnd").finish_non_exhaustive()
    }
}

impl Default for MelFrontEnd {
    fn default() -> Self {
        Self::new()
    }
}

impl MelFrontEnd {
    /// Plan the FFT and build the filter bank.
    pub fn new() -> MelFrontEnd {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT);
        let window = (0..N_FFT)
            .map(|n| {
                (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos()) as f32
            })
            .collect();
        let filters = mel_filters();
        let spans = filters
            .iter()
            .map(|row| {
                let first = row.iter().position(|&w| w > 0.0).unwrap_or(0);
                let last = row.iter().rposition(|&w| w > 0.0).map_or(first, |l| l + 1);
                (first, last)
            })
            .collect();
        MelFrontEnd {
            fft,
            window,
            filters,
            spans,
        }
    }

    /// Number of centred frames librosa gives for `n` samples.
    pub fn frame_count(n: usize) -> usize {
        1 + n / HOP
    }

    /// Mel power of the frames `indices` (frame `i` is centred on sample `i * HOP`; samples
    /// outside the signal count as zero), each band times `gain` (a power factor):
    /// `[indices.len()][N_MELS]`, flattened.
    pub fn frames_at(&self, samples: &[f32], indices: &[usize], gain: f32) -> Vec<f32> {
        let mut out = vec![0f32; indices.len() * N_MELS];
        let mut buf = self.fft.make_input_vec();
        let mut spec = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0f32; N_BINS];
        for (&index, dst) in indices.iter().zip(out.chunks_exact_mut(N_MELS)) {
            let start = (index * HOP) as isize - (N_FFT / 2) as isize;
            for (n, b) in buf.iter_mut().enumerate() {
                let i = start + n as isize;
                *b = if i >= 0 && (i as usize) < samples.len() {
                    samples[i as usize] * self.window[n]
                } else {
                    0.0
                };
            }
            // The buffers come from the plan itself, so the lengths always match.
            if self
                .fft
                .process_with_scratch(&mut buf, &mut spec, &mut scratch)
                .is_err()
            {
                continue;
            }
            for (p, c) in power.iter_mut().zip(&spec) {
                *p = c.norm_sqr();
            }
            for ((o, row), &(a, b)) in dst.iter_mut().zip(&self.filters).zip(&self.spans) {
                let acc: f32 = row[a..b].iter().zip(&power[a..b]).map(|(w, p)| w * p).sum();
                *o = acc * gain;
            }
        }
        out
    }

    /// All frames of `samples` (`[frame_count][N_MELS]`, flattened), for tests and tools.
    pub fn frames(&self, samples: &[f32]) -> Vec<f32> {
        let indices: Vec<usize> = (0..Self::frame_count(samples.len())).collect();
        self.frames_at(samples, &indices, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_librosa_shape_and_area_normalisation() {
        let f = mel_filters();
        assert_eq!(f.len(), N_MELS);
        // Slaney normalisation: each triangle has area 1 in Hz (2 / width * width / 2), so the
        // sum of a row times the bin spacing (40 Hz) is about 1.
        for (m, row) in f.iter().enumerate() {
            let area: f32 = row.iter().sum::<f32>() * 40.0;
            assert!((0.5..1.5).contains(&area), "band {m}: area {area}");
        }
        // The first band starts at 0 Hz; the top band ends at the Nyquist frequency.
        assert_eq!(f[0][0], 0.0);
        assert!(f[0][1] > 0.0);
        assert!(f[N_MELS - 1][N_BINS - 2] > 0.0);
    }

    #[test]
    fn a_tone_lands_in_its_band() {
        let fe = MelFrontEnd::new();
        let tone: Vec<f32> = (0..16_000)
            .map(|n| (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / 16_000.0).sin())
            .collect();
        let frames = fe.frames(&tone);
        assert_eq!(frames.len(), (1 + 16_000 / HOP) * N_MELS);
        let mid = &frames[50 * N_MELS..51 * N_MELS];
        let best = mid
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        // 1 kHz is mel 15 on the Slaney scale; band m peaks at 45.25 * (m + 1) / 41 mel (8 kHz
        // is 45.25 mel), so 1 kHz peaks in band 13 (centre 15.45 mel).
        assert_eq!(best, Some(13));
    }
}
