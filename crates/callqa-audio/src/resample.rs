//! Streaming resampler: planar f32 at the source rate in, planar f32 at 16 kHz out.
//!
//! Wraps rubato's FFT resampler (`Fft`, fixed input chunks) so that the caller can push
//! arbitrary-sized pieces of audio, and at the end ask for exactly
//! `round(frames_in * 16000 / source_rate)` output frames: the resampler's start-up delay is
//! dropped from the front and its tail is flushed with silence, then trimmed.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Indexing, Resampler};

/// Input frames per resampler chunk. Large enough for the FFT resampler to be efficient,
/// small enough that the pending input stays tiny (a few hundred ms at 8-48 kHz).
const CHUNK_FRAMES: usize = 2048;

/// Output frames expected for `frames_in` source frames: `round(frames_in * to / from)`.
pub(crate) fn expected_output_frames(frames_in: u64, from_hz: u32, to_hz: u32) -> u64 {
    if from_hz == 0 {
        return 0;
    }
    let num = u128::from(frames_in) * u128::from(to_hz);
    let den = u128::from(from_hz);
    ((num + den / 2) / den) as u64
}

pub(crate) struct StreamResampler {
    /// `None` when the source is already at the target rate (pass-through).
    inner: Option<Fft<f32>>,
    channels: usize,
    from_hz: u32,
    to_hz: u32,
    pending: Vec<Vec<f32>>,
    scratch: Vec<Vec<f32>>,
    /// Output frames still to drop (the resampler's start-up delay).
    delay_left: usize,
    frames_in: u64,
    frames_out: u64,
}

impl StreamResampler {
    pub(crate) fn new(from_hz: u32, to_hz: u32, channels: usize) -> Result<Self, String> {
        let channels = channels.max(1);
        let inner = if from_hz == to_hz {
            None
        } else {
            let fft = Fft::<f32>::new(
                from_hz as usize,
                to_hz as usize,
                CHUNK_FRAMES,
                channels,
                FixedSync::Input,
            )
            .map_err(|e| format!("cannot build resampler {from_hz} Hz -> {to_hz} Hz: {e}"))?;
            Some(fft)
        };
        let (scratch, delay_left) = match &inner {
            Some(r) => (
                vec![vec![0.0f32; r.output_frames_max()]; channels],
                r.output_delay(),
            ),
            None => (Vec::new(), 0),
        };
        Ok(Self {
            inner,
            channels,
            from_hz,
            to_hz,
            pending: vec![Vec::with_capacity(CHUNK_FRAMES * 2); channels],
            scratch,
            delay_left,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Push planar source-rate audio (one slice per channel, equal lengths); appends resampled
    /// frames to `out` (one queue per channel).
    pub(crate) fn push(&mut self, input: &[Vec<f32>], out: &mut [Vec<f32>]) -> Result<(), String> {
        let n = input.first().map_or(0, Vec::len);
        self.frames_in += n as u64;
        if self.inner.is_none() {
            for (q, ch) in out.iter_mut().zip(input) {
                q.extend_from_slice(ch);
            }
            self.frames_out += n as u64;
            return Ok(());
        }
        for (p, ch) in self.pending.iter_mut().zip(input) {
            p.extend_from_slice(ch);
        }
        let mut offset = 0;
        while let Some(need) = self.inner.as_ref().map(|r| r.input_frames_next()) {
            if self.pending[0].len() - offset < need {
                break;
            }
            let consumed = self.run_chunk(offset, None, out)?;
            if consumed == 0 {
                return Err("resampler consumed no input".into());
            }
            offset += consumed;
        }
        if offset > 0 {
            for p in &mut self.pending {
                p.drain(..offset);
            }
        }
        Ok(())
    }

    /// Flush the tail: feed what is left plus silence until the expected output length is
    /// reached, then trim to it. After this the resampler must not be used again.
    pub(crate) fn finish(&mut self, out: &mut [Vec<f32>]) -> Result<(), String> {
        let expected = expected_output_frames(self.frames_in, self.from_hz, self.to_hz);
        if self.inner.is_some() {
            let left = self.pending[0].len();
            let idx = Indexing::new().partial_len(left);
            self.run_chunk(0, Some(&idx), out)?;
            for p in &mut self.pending {
                p.clear();
            }
            // Each silent chunk yields output_frames_next() frames; a few are always enough.
            let mut guard = 0;
            while self.frames_out < expected && guard < 64 {
                let idx = Indexing::new().partial_len(0);
                self.run_chunk(0, Some(&idx), out)?;
                guard += 1;
            }
        }
        if self.frames_out > expected {
            let extra = (self.frames_out - expected) as usize;
            for q in out.iter_mut() {
                let keep = q.len().saturating_sub(extra);
                q.truncate(keep);
            }
            self.frames_out = expected;
        }
        Ok(())
    }

    /// Run one resampler chunk reading `pending` from `offset`; returns input frames consumed.
    fn run_chunk(
        &mut self,
        offset: usize,
        indexing: Option<&Indexing>,
        out: &mut [Vec<f32>],
    ) -> Result<usize, String> {
        let Some(r) = self.inner.as_mut() else {
            return Ok(0);
        };
        let in_frames = self.pending[0].len();
        let need = r.input_frames_next();
        // With partial_len the input buffer may be shorter than a chunk: pad a copy.
        let padded;
        let (buf, frames): (&[Vec<f32>], usize) = if in_frames < offset + need {
            padded = self
                .pending
                .iter()
                .map(|p| {
                    let mut v = p[offset..].to_vec();
                    v.resize(need, 0.0);
                    v
                })
                .collect::<Vec<_>>();
            (&padded, need)
        } else {
            (&self.pending, in_frames)
        };
        let input = SequentialSliceOfVecs::new(buf, self.channels, frames)
            .map_err(|e| format!("resampler input: {e}"))?;
        let out_frames = self.scratch[0].len();
        let mut output =
            SequentialSliceOfVecs::new_mut(&mut self.scratch, self.channels, out_frames)
                .map_err(|e| format!("resampler output: {e}"))?;
        let base = Indexing::new();
        let mut idx = indexing.cloned().unwrap_or(base);
        if in_frames >= offset + need {
            idx.input_offset = offset;
        }
        let (consumed, produced) = r
            .process_into_buffer(&input, &mut output, Some(&idx))
            .map_err(|e| format!("resampling failed: {e}"))?;
        let skip = self.delay_left.min(produced);
        self.delay_left -= skip;
        for (q, s) in out.iter_mut().zip(&self.scratch) {
            q.extend_from_slice(&s[skip..produced]);
        }
        self.frames_out += (produced - skip) as u64;
        Ok(consumed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    fn run(from: u32, frames: usize, piece: usize) -> Vec<f32> {
        let mut r = StreamResampler::new(from, 16_000, 1).unwrap();
        let x = tone(440.0, from, frames);
        let mut out = vec![Vec::new()];
        for c in x.chunks(piece) {
            r.push(&[c.to_vec()], &mut out).unwrap();
        }
        r.finish(&mut out).unwrap();
        out.remove(0)
    }

    #[test]
    fn output_length_is_exact_for_common_rates() {
        for &from in &[8_000u32, 11_025, 16_000, 22_050, 44_100, 48_000] {
            for &frames in &[0usize, 1, 100, 4_410, 48_001] {
                let y = run(from, frames, 777);
                let want = expected_output_frames(frames as u64, from, 16_000);
                assert_eq!(y.len() as u64, want, "from {from} frames {frames}");
            }
        }
    }

    #[test]
    fn delay_is_trimmed_so_the_tone_starts_at_once() {
        // A tone that starts at frame 0 must be loud within the first few ms of the output.
        let y = run(8_000, 8_000, 500);
        let early: f32 = y[..160].iter().map(|v| v.abs()).fold(0.0, f32::max);
        assert!(early > 0.3, "start of output is silent: peak {early}");
    }

    #[test]
    fn timing_is_preserved_an_impulse_lands_where_it_should() {
        // Timestamps downstream (utterance start/end) rely on zero net delay.
        for &(from, at) in &[(8_000u32, 4_000usize), (44_100, 22_050), (48_000, 12_345)] {
            let mut x = vec![0.0f32; from as usize];
            x[at] = 1.0;
            let mut r = StreamResampler::new(from, 16_000, 1).unwrap();
            let mut out = vec![Vec::new()];
            for c in x.chunks(1000) {
                r.push(&[c.to_vec()], &mut out).unwrap();
            }
            r.finish(&mut out).unwrap();
            let peak = out[0]
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .map(|(i, _)| i)
                .unwrap();
            let want = (at as f64 * 16_000.0 / f64::from(from)).round() as i64;
            assert!(
                (peak as i64 - want).abs() <= 1,
                "from {from}: peak {peak}, want {want}"
            );
        }
    }

    #[test]
    fn piece_size_does_not_change_the_result() {
        let a = run(44_100, 44_100, 100);
        let b = run(44_100, 44_100, 10_000);
        assert_eq!(a.len(), b.len());
        let diff = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-5, "max diff {diff}");
    }
}
