//! Cross-talk on stereo recordings: each party's voice leaks into the other channel (line echo,
//! a headset that picks up the far end), 15-30 dB down. Silero VAD hears the leak as speech, so
//! the agent channel "speaks" whenever the customer does: the agent's activity then starts with
//! the customer's, an agent who cuts in looks as if the customer had started the overlap, and
//! agent-started overlaps vanish (`agent_interruptions = 0` on a real call with four). Whisper
//! also transcribes the leak as that party's words.
//!
//! [`suppress`] keeps, inside each channel's VAD regions, only the 20 ms frames where that
//! channel is not far quieter than another channel (`db` decibels) and stands 10 dB above its own
//! noise floor; the rest is the other party's voice (or the line noise under it). Both parties talking at once stay speech on both channels (each voice is
//! loudest on its own channel), so true overlaps are kept with each party's own start and end.

use callqa_vad::SpeechRegion;

const FRAME: usize = 320; // 20 ms at 16 kHz
/// How far above its channel's noise floor a frame must be to be that party's own speech, dB.
const ABOVE_FLOOR_DB: f32 = 10.0;

fn frame_db(ch: &[f32], n_frames: usize) -> Vec<f32> {
    (0..n_frames)
        .map(|f| {
            let a = (f * FRAME).min(ch.len());
            let b = ((f + 1) * FRAME).min(ch.len());
            let e = ch[a..b].iter().map(|x| x * x).sum::<f32>() / FRAME as f32;
            10.0 * (e + 1e-10).log10()
        })
        .collect()
}

/// Remove the other parties' leaked speech from each channel's VAD regions. `db` is how much
/// quieter than the loudest other channel a frame must be to count as leak (0 turns this off);
/// runs of own speech separated by at most `bridge` samples are joined, runs shorter than
/// `min_len` samples dropped, and what remains padded by `pad` samples (within the region).
pub fn suppress(
    channels: &[&[f32]],
    regions: Vec<Vec<SpeechRegion>>,
    db: f32,
    min_len: usize,
    bridge: usize,
    pad: usize,
) -> Vec<Vec<SpeechRegion>> {
    if channels.len() < 2 || db <= 0.0 {
        return regions;
    }
    let n = channels
        .iter()
        .map(|c| c.len())
        .max()
        .unwrap_or(0)
        .div_ceil(FRAME);
    let levels: Vec<Vec<f32>> = channels.iter().map(|c| frame_db(c, n)).collect();
    // Each channel's noise floor (10th percentile of its frame levels): a frame must rise
    // clearly above it to be speech of its own (a leak sinks into the far channel's floor, and
    // the floor alone must not count as louder than the leak).
    let floors: Vec<f32> = levels
        .iter()
        .map(|l| {
            let mut v = l.clone();
            v.sort_by(f32::total_cmp);
            v.get(v.len() / 10).copied().unwrap_or(-100.0)
        })
        .collect();
    regions
        .into_iter()
        .enumerate()
        .map(|(c, regs)| {
            let own = |f: usize| {
                let mine = levels[c][f];
                let loudest_other = levels
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != c)
                    .map(|(_, l)| l[f])
                    .fold(f32::MIN, f32::max);
                mine >= loudest_other - db && mine >= floors[c] + ABOVE_FLOOR_DB
            };
            let mut out = Vec::new();
            for r in regs {
                let (f0, f1) = (r.start / FRAME, r.end.div_ceil(FRAME).min(n));
                // Runs of own frames, bridging short gaps.
                let mut runs: Vec<(usize, usize)> = Vec::new();
                for f in f0..f1 {
                    if !own(f) {
                        continue;
                    }
                    let (s, e) = (f * FRAME, (f + 1) * FRAME);
                    match runs.last_mut() {
                        Some(last) if s <= last.1 + bridge => last.1 = e,
                        _ => runs.push((s, e)),
                    }
                }
                for (s, e) in runs {
                    if e - s < min_len {
                        continue;
                    }
                    let s = s.saturating_sub(pad).max(r.start);
                    let e = (e + pad).min(r.end);
                    if e > s {
                        out.push(SpeechRegion { start: s, end: e });
                    }
                }
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(len: usize, from: usize, to: usize, amp: f32, f: f32) -> Vec<f32> {
        (0..len)
            .map(|i| {
                if (from..to).contains(&i) {
                    amp * (2.0 * std::f32::consts::PI * f * i as f32 / 16_000.0).sin()
                } else {
                    0.0
                }
            })
            .collect()
    }

    #[test]
    fn leaked_speech_is_removed_and_true_overlap_kept() {
        let n = 16_000 * 4;
        // Customer talks 0-2 s, the agent cuts in at 1.5 s and talks until 3 s; each leaks into
        // the other channel 24 dB down.
        let cust = voice(n, 0, 32_000, 0.3, 180.0);
        let agent = voice(n, 24_000, 48_000, 0.3, 120.0);
        let mix = |own: &[f32], other: &[f32]| -> Vec<f32> {
            own.iter().zip(other).map(|(a, b)| a + 0.063 * b).collect()
        };
        let (a_ch, c_ch) = (mix(&agent, &cust), mix(&cust, &agent));
        // What VAD saw: the leak makes both channels speak over the whole stretch.
        let vad = vec![
            vec![SpeechRegion {
                start: 0,
                end: 48_000,
            }],
            vec![SpeechRegion {
                start: 0,
                end: 48_000,
            }],
        ];
        let out = suppress(&[&a_ch, &c_ch], vad.clone(), 15.0, 4_000, 4_800, 1_600);
        let a = out[0][0];
        let c = out[1][0];
        assert_eq!(out[0].len(), 1);
        assert_eq!(out[1].len(), 1);
        // The agent starts at its own 1.5 s (not at 0, not at the customer's end at 2 s).
        assert!(a.start.abs_diff(24_000) <= 1_700, "{a:?}");
        assert!(a.end.abs_diff(48_000) <= 1_700, "{a:?}");
        assert!(c.start <= 1_600 && c.end.abs_diff(32_000) <= 1_700, "{c:?}");
        // Off: unchanged.
        assert_eq!(
            suppress(&[&a_ch, &c_ch], vad.clone(), 0.0, 4_000, 4_800, 1_600),
            vad
        );
    }
}
