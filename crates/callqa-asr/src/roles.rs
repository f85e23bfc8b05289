//! Role inference for mono recordings. Crude by design: there is no speaker-embedding model.
//! Two voices are told apart by median pitch when their pitches differ clearly (e.g. a female
//! and a male voice: [`pitch_sides`]); otherwise turns are cut at VAD region boundaries and the
//! speakers alternate at each cut (a speaker who pauses mid-turn breaks the alternation). Then
//! the side that opens the call and says the script lines (greeting, staff number, "how can I
//! help") is taken to be the agent. Two same-pitch voices, overtalk and cue-free calls defeat
//! it; expect errors and read `role_confidence`.

use callqa_core::Speaker;

/// Words an agent says and a customer rarely does. One list, kept small; matched on lowercase
/// (Simplified) text.
pub const AGENT_CUES: &[&str] = &[
    "您好",
    "你好，",
    "工号",
    "很高兴为您服务",
    "有什么可以帮您",
    "有什么可以帮你",
    "请问还有其他",
    "感谢您的来电",
    "感谢来电",
    "how can i help",
    "how may i help",
    "speaking",
    "thank you for calling",
    "anything else i can",
    "my name is",
];

/// Median fundamental frequency (Hz) of the voiced 40 ms frames of 16 kHz `samples`
/// (autocorrelation, 70-400 Hz), or `None` with fewer than 5 voiced frames.
pub fn median_pitch_hz(samples: &[f32]) -> Option<f32> {
    const FRAME: usize = 640;
    const HOP: usize = 320;
    let (min_lag, max_lag) = (16_000 / 400, 16_000 / 70);
    let mut pitches = Vec::new();
    let mut start = 0;
    while start + FRAME + max_lag <= samples.len() {
        let x = &samples[start..start + FRAME + max_lag];
        let e0: f32 = x[..FRAME].iter().map(|v| v * v).sum();
        if e0 / FRAME as f32 > 1e-5 {
            let mut rs = Vec::with_capacity(max_lag - min_lag + 1);
            for lag in min_lag..=max_lag {
                let mut num = 0.0f32;
                let mut el = 0.0f32;
                for i in 0..FRAME {
                    num += x[i] * x[i + lag];
                    el += x[i + lag] * x[i + lag];
                }
                rs.push(num / (e0 * el).sqrt().max(1e-12));
            }
            let peak = rs.iter().copied().fold(0.0f32, f32::max);
            // The shortest lag near the peak: longer ones are multiples of the period.
            if peak > 0.6
                && let Some(k) = (1..rs.len().saturating_sub(1))
                    .find(|&k| rs[k] >= 0.9 * peak && rs[k] >= rs[k - 1] && rs[k] >= rs[k + 1])
            {
                pitches.push(16_000.0 / (min_lag + k) as f32);
            }
        }
        start += HOP;
    }
    if pitches.len() < 5 {
        return None;
    }
    pitches.sort_by(f32::total_cmp);
    Some(pitches[pitches.len() / 2])
}

/// Split utterance pitches into two voices (1-D two-means on log pitch). Returns a side (0 or 1)
/// per utterance when the two centres lie at least `min_semitones` apart, else `None`.
/// Utterances without a pitch take the side of the one before them (0 at the start).
pub fn pitch_sides(pitches: &[Option<f32>], min_semitones: f32) -> Option<Vec<usize>> {
    let mut logs: Vec<f32> = pitches.iter().flatten().map(|p| p.log2() * 12.0).collect();
    if logs.len() < 2 {
        return None;
    }
    logs.sort_by(f32::total_cmp);
    let mut best: Option<(f32, f32, f32)> = None; // (cost, mean_lo, mean_hi)
    for k in 1..logs.len() {
        let (lo, hi) = logs.split_at(k);
        let m_lo = lo.iter().sum::<f32>() / lo.len() as f32;
        let m_hi = hi.iter().sum::<f32>() / hi.len() as f32;
        let cost = lo.iter().map(|v| (v - m_lo).powi(2)).sum::<f32>()
            + hi.iter().map(|v| (v - m_hi).powi(2)).sum::<f32>();
        if best.is_none_or(|b| cost < b.0) {
            best = Some((cost, m_lo, m_hi));
        }
    }
    let (_, m_lo, m_hi) = best?;
    if m_hi - m_lo < min_semitones {
        return None;
    }
    let mid = (m_lo + m_hi) / 2.0;
    let mut side = 0;
    let mut out = Vec::with_capacity(pitches.len());
    let mut first: Option<usize> = None;
    for p in pitches {
        if let Some(p) = p {
            side = usize::from(p.log2() * 12.0 > mid);
            first.get_or_insert(side);
        }
        out.push(side);
    }
    // Side 0 is whoever speaks first, as in the alternation.
    if first == Some(1) {
        for s in &mut out {
            *s = 1 - *s;
        }
    }
    Some(out)
}

/// Who each utterance is attributed to, and how sure we are.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleGuess {
    /// One speaker per input utterance.
    pub speakers: Vec<Speaker>,
    /// Confidence in [0, 1] (0 when every speaker is `unknown`).
    pub confidence: f32,
}

/// Count agent cues in a text.
pub fn cue_count(text: &str) -> usize {
    let t = text.to_lowercase();
    AGENT_CUES.iter().filter(|c| t.contains(*c)).count()
}

/// Assign utterances `(start_ms, end_ms, text)` (sorted by start) to agent or customer. A pause of
/// at least `turn_gap_ms` between consecutive utterances switches speaker. When no side says a
/// script cue, or only one side ever speaks, the recording is taken to be a single voice and
/// every speaker is `unknown`.
pub fn infer_roles(utts: &[(u64, u64, &str)], turn_gap_ms: u64) -> RoleGuess {
    infer_roles_with(utts, turn_gap_ms, None)
}

/// As [`infer_roles`], but with voice sides already known (from [`pitch_sides`]): then the two
/// sides are two voices even without script cues (the one who opens is taken as the agent, with
/// low confidence).
pub fn infer_roles_with(
    utts: &[(u64, u64, &str)],
    turn_gap_ms: u64,
    voices: Option<&[usize]>,
) -> RoleGuess {
    let mut side = Vec::with_capacity(utts.len());
    let mut cur = 0usize;
    let mut prev_end: Option<u64> = None;
    for &(s, e, _) in utts {
        if let Some(pe) = prev_end
            && s >= pe + turn_gap_ms
        {
            cur = 1 - cur;
        }
        side.push(cur);
        prev_end = Some(prev_end.map_or(e, |pe| pe.max(e)));
    }
    let unknown = RoleGuess {
        speakers: vec![Speaker::Unknown; utts.len()],
        confidence: 0.0,
    };
    let two_voices = voices.is_some_and(|v| v.len() == utts.len());
    if let Some(v) = voices.filter(|v| v.len() == utts.len()) {
        side = v.to_vec();
    }
    if !side.contains(&1) {
        return unknown;
    }
    let mut cues = [0f32; 2];
    for (i, &(_, _, text)) in utts.iter().enumerate() {
        cues[side[i]] += cue_count(text) as f32;
    }
    if cues[0] + cues[1] == 0.0 && !two_voices {
        return unknown;
    }
    // Side 0 opened the call: a small bonus, as agents usually open inbound calls.
    let score = [cues[0] + 0.5, cues[1]];
    let agent_side = if score[0] >= score[1] { 0 } else { 1 };
    let margin = (score[0] - score[1]).abs() / (score[0] + score[1]);
    let speakers = side
        .iter()
        .map(|&s| {
            if s == agent_side {
                Speaker::Agent
            } else {
                Speaker::Customer
            }
        })
        .collect();
    RoleGuess {
        speakers,
        // Even a clear cue margin leaves the turn split itself unchecked: cap at 0.8 (0.9 when
        // two voices were told apart by pitch).
        confidence: if two_voices {
            (0.5 + 0.4 * margin).min(0.9)
        } else {
            (0.4 + 0.4 * margin).min(0.8)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_with_script_lines_is_the_agent() {
        let utts = [
            (
                0,
                3_000,
                "您好，星联通信，工号一零二四，请问有什么可以帮您？",
            ),
            (4_000, 7_000, "我的宽带断了。"),
            (8_000, 10_000, "好的，我帮您查一下。"),
            (11_000, 12_000, "谢谢。"),
        ];
        let g = infer_roles(&utts, 700);
        assert_eq!(
            g.speakers,
            vec![
                Speaker::Agent,
                Speaker::Customer,
                Speaker::Agent,
                Speaker::Customer
            ]
        );
        assert!(g.confidence > 0.4);
    }

    #[test]
    fn customer_opening_an_outbound_call_is_not_the_agent() {
        let utts = [
            (0, 1_000, "Hello?"),
            (
                2_000,
                5_000,
                "Hi, this is Anna speaking from Northwind Mobile, how can I help",
            ),
            (6_000, 7_000, "Oh, OK."),
        ];
        let g = infer_roles(&utts, 700);
        assert_eq!(g.speakers[0], Speaker::Customer);
        assert_eq!(g.speakers[1], Speaker::Agent);
    }

    fn tone(f: f32, secs: f32) -> Vec<f32> {
        (0..(16_000.0 * secs) as usize)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                // A buzzy voice-like wave: fundamental plus harmonics.
                (1..5)
                    .map(|h| (2.0 * std::f32::consts::PI * f * h as f32 * t).sin() / h as f32)
                    .sum::<f32>()
                    * 0.2
            })
            .collect()
    }

    #[test]
    fn pitch_tells_two_voices_apart() {
        let low = median_pitch_hz(&tone(110.0, 0.5)).unwrap_or(0.0);
        let high = median_pitch_hz(&tone(220.0, 0.5)).unwrap_or(0.0);
        assert!((low - 110.0).abs() < 5.0, "{low}");
        assert!((high - 220.0).abs() < 10.0, "{high}");
        assert_eq!(median_pitch_hz(&vec![0.0; 8_000]), None);
        let sides = pitch_sides(
            &[Some(220.0), Some(115.0), None, Some(225.0), Some(110.0)],
            4.0,
        );
        assert_eq!(sides, Some(vec![0, 1, 1, 0, 1]));
        // One voice wobbling by a semitone or two: not two voices.
        assert_eq!(
            pitch_sides(&[Some(120.0), Some(130.0), Some(125.0)], 4.0),
            None
        );
    }

    #[test]
    fn a_dictation_without_script_lines_is_unknown() {
        let utts = [
            (0, 3_000, "And so my fellow Americans,"),
            (4_000, 7_000, "ask not what your country can do for you,"),
        ];
        let g = infer_roles(&utts, 700);
        assert!(g.speakers.iter().all(|s| *s == Speaker::Unknown));
        assert_eq!(g.confidence, 0.0);
    }
}
