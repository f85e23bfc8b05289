//! Cutting a window out of a recording, mixing the parties, the redaction tone and the WAV file.

use crate::ClipsError;
use callqa_audio::{DecodeOptions, TARGET_RATE_HZ};
use std::path::Path;

/// Frequency of the redaction tone, Hz.
pub const TONE_HZ: f64 = 1000.0;

/// Peak amplitude of the redaction tone (full scale 1.0): -14 dBFS, clearly audible without
/// being louder than speech.
pub const TONE_AMPLITUDE: f32 = 0.2;

/// Fade in and out of each tone burst, ms (no clicks at its edges).
const TONE_FADE_MS: f64 = 5.0;

/// Milliseconds to a frame index at 16 kHz.
pub fn ms_to_frame(ms: i64) -> u64 {
    (ms.max(0) as u64 * u64::from(TARGET_RATE_HZ)) / 1000
}

/// The frames `[start_ms, end_ms)` of `path` at 16 kHz with every channel summed into one
/// (each party at its own level; the sum is clamped to full scale). Decodes as a stream of one
/// second blocks and keeps only the window, so a long recording is never held whole; stops
/// reading at the window's end. The result is shorter than asked when the recording ends first.
pub fn cut_mixed(path: &Path, start_ms: i64, end_ms: i64) -> Result<Vec<f32>, ClipsError> {
    let (a, b) = (ms_to_frame(start_ms), ms_to_frame(end_ms));
    let mut out = Vec::with_capacity(b.saturating_sub(a) as usize);
    let opts = DecodeOptions {
        mono_mix: false,
        ..Default::default()
    };
    for block in callqa_audio::open(path, &opts)? {
        let block = block?;
        let (s, n) = (block.start_frame, block.frames() as u64);
        if s >= b {
            break;
        }
        if s + n <= a {
            continue;
        }
        let from = a.saturating_sub(s) as usize;
        let to = (b.min(s + n) - s) as usize;
        for i in from..to {
            let v: f32 = block.channels.iter().map(|c| c[i]).sum();
            out.push(v.clamp(-1.0, 1.0));
        }
    }
    Ok(out)
}

/// Replace the samples of `[start_ms, end_ms)` (ms relative to the clip's first sample) with
/// the redaction tone; the part outside the clip is ignored. Returns the samples replaced.
pub fn apply_tone(samples: &mut [f32], start_ms: i64, end_ms: i64) -> usize {
    let len = samples.len() as u64;
    let (a, b) = (
        ms_to_frame(start_ms).min(len) as usize,
        ms_to_frame(end_ms).min(len) as usize,
    );
    if b <= a {
        return 0;
    }
    let rate = f64::from(TARGET_RATE_HZ);
    let fade = (TONE_FADE_MS / 1000.0 * rate) as usize;
    let n = b - a;
    for (k, s) in samples[a..b].iter_mut().enumerate() {
        let edge = k.min(n - 1 - k);
        let gain = if edge < fade {
            0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / fade as f64).cos()
        } else {
            1.0
        };
        let phase = 2.0 * std::f64::consts::PI * TONE_HZ * k as f64 / rate;
        *s = (f64::from(TONE_AMPLITUDE) * gain * phase.sin()) as f32;
    }
    n
}

/// Write `samples` (16 kHz, mono, in [-1, 1]) as a 16-bit PCM WAV file.
pub fn write_wav(path: &Path, samples: &[f32]) -> Result<(), ClipsError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: TARGET_RATE_HZ,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| ClipsError::Wav {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
        w.write_sample(v).map_err(err)?;
    }
    w.finalize().map_err(err)
}

/// Power at `freq_hz` relative to the total power of `samples` (Goertzel; 0-1 for a window of
/// whole periods). Near 1 for the redaction tone, near 0 for speech or silence.
pub fn tone_share(samples: &[f32], freq_hz: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let rate = f64::from(TARGET_RATE_HZ);
    let w = 2.0 * std::f64::consts::PI * freq_hz / rate;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut total = 0.0f64;
    for &x in samples {
        let x = f64::from(x);
        total += x * x;
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    if total <= 0.0 {
        return 0.0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // A pure sine of N samples gives power = (A N / 2)^2 and total = A^2 N / 2.
    let n = samples.len() as f64;
    (power / (n / 2.0) / total).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_test_wav(path: &Path, rate: u32, channels: Vec<Vec<f32>>) {
        let spec = hound::WavSpec {
            channels: channels.len() as u16,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).expect("create wav");
        for i in 0..channels[0].len() {
            for c in &channels {
                w.write_sample((c[i] * 32767.0) as i16).expect("sample");
            }
        }
        w.finalize().expect("finalize");
    }

    #[test]
    fn a_window_is_cut_at_16k_with_both_channels_mixed() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("call.wav");
        // 8 kHz stereo, 5 s: the agent channel holds 0.3 during second 1, the customer channel
        // -0.2 during second 3, silence elsewhere.
        let n = 8000 * 5;
        let left: Vec<f32> = (0..n)
            .map(|i| if (8000..16000).contains(&i) { 0.3 } else { 0.0 })
            .collect();
        let right: Vec<f32> = (0..n)
            .map(|i| {
                if (24000..32000).contains(&i) {
                    -0.2
                } else {
                    0.0
                }
            })
            .collect();
        write_test_wav(&path, 8000, vec![left, right]);
        let cut = cut_mixed(&path, 500, 3500).expect("cut");
        assert_eq!(cut.len(), 48_000, "3 s at 16 kHz");
        // Both parties are in the mix at their own level (0.5 s into the clip is 1.0 s).
        let mean = |a: usize, b: usize| cut[a..b].iter().sum::<f32>() / (b - a) as f32;
        assert!(
            (mean(9_000, 23_000) - 0.3).abs() < 0.02,
            "{}",
            mean(9_000, 23_000)
        );
        assert!((mean(41_000, 47_000) + 0.2).abs() < 0.02);
        assert!(mean(25_000, 39_000).abs() < 0.02);
        // A window past the end is cut short.
        assert_eq!(cut_mixed(&path, 4000, 9000).expect("cut").len(), 16_000);
    }

    #[test]
    fn the_tone_replaces_exactly_its_span_and_is_found_by_goertzel() {
        let mut s: Vec<f32> = (0..32_000)
            .map(|i| 0.3 * (i as f32 * 0.07).sin() * (i as f32 * 0.0011).cos())
            .collect();
        let before = s.clone();
        let n = apply_tone(&mut s, 500, 1500);
        assert_eq!(n, 16_000);
        assert_eq!(&s[..8000], &before[..8000]);
        assert_eq!(&s[24_000..], &before[24_000..]);
        assert!(
            s[8000..24000]
                .iter()
                .all(|v| v.abs() <= TONE_AMPLITUDE + 1e-6)
        );
        assert!(tone_share(&s[8800..23200], TONE_HZ) > 0.9);
        assert!(tone_share(&s[..8000], TONE_HZ) < 0.1);
        // Past the end: clamped.
        assert_eq!(apply_tone(&mut s, 1900, 5000), 1600);
    }

    #[test]
    fn wav_files_are_16_bit_mono_16k() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("x.wav");
        write_wav(&path, &[0.0, 0.5, -1.0, 2.0]).expect("write");
        let r = hound::WavReader::open(&path).expect("read");
        let spec = r.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, 16_000, 16)
        );
        let v: Vec<i16> = r.into_samples().map(|s| s.expect("s")).collect();
        assert_eq!(v, vec![0, 16384, -32767, 32767]);
    }
}
