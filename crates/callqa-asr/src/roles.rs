//! Role inference for mono recordings. Crude by design: there is no speaker-embedding model.
//! Two voices are told apart by median pitch when their pitches differ clearly (e.g. a female
//! and a male voice: [`pitch_sides`]); otherwise turns are cut at VAD region boundaries and the
//! speakers alternate at each cut (a speaker who pauses mid-turn breaks the alternation). Then
//! the side that opens the call and says the script lines (greeting, staff number, "how can I
//! help") is taken to be the agent. Two same-pitch voices, overtalk and cue-free calls defeat
//! it; expect errors and read `role_confidence`.

use callqa_core::Speaker;

/// Script lines an agent says and a customer rarely does (strong cues, weight 1 each). One list,
/// kept small; matched on lowercase Simplified text. See also [`AGENT_WEAK_CUES`],
/// [`CUSTOMER_CUES`] and the "this is <name> from" pattern in [`cue_score`].
pub const AGENT_CUES: &[&str] = &[
    "欢迎致电",
    "欢迎来电",
    "工号",
    "客服",
    "很高兴为您服务",
    "为您服务",
    "有什么可以帮您",
    "有什么可以帮你",
    "有什么能帮您",
    "有什么可以为您",
    "请问还有其他",
    "还有其他问题",
    "还有什么可以帮",
    "感谢您的来电",
    "感谢来电",
    "感谢致电",
    "本人吗",
    "请问您是",
    "how can i help",
    "how may i help",
    "how can i assist",
    "what can i do for you",
    "thank you for calling",
    "thanks for calling",
    "anything else i can",
    "is there anything else",
    "my name is",
    "am i speaking with",
    "may i speak with",
    "calling from",
    "on behalf of",
];

/// Greetings and self-references both parties may say, agents more often (weight 0.5).
pub const AGENT_WEAK_CUES: &[&str] = &[
    "您好",
    "你好",
    "我是",
    "hello",
    "good morning",
    "good afternoon",
    "good evening",
];

/// What a customer says about their own business (weight -0.5 for the agent side).
pub const CUSTOMER_CUES: &[&str] = &[
    "我想",
    "我要",
    "我的",
    "我刚",
    "我打",
    "你们",
    "i'm calling",
    "i am calling",
    "i want",
    "i'd like",
    "i need",
    "my account",
    "my card",
    "my bill",
    "my order",
    "you guys",
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

/// Count strong agent cues in a text ([`AGENT_CUES`] and "this is <name> from").
pub fn cue_count(text: &str) -> usize {
    let t = fast2s::convert(&text.to_lowercase());
    AGENT_CUES.iter().filter(|c| t.contains(*c)).count() + usize::from(this_is_from(&t))
}

/// "this is <one to four words> from" (an agent introducing self and company).
fn this_is_from(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).enumerate().any(|(i, w)| {
        w == ["this", "is"] && words[i + 2..].iter().take(5).skip(1).any(|x| *x == "from")
    })
}

/// How much a text sounds like the agent: strong cues count 1, weak ones 0.5, customer cues
/// -0.5 (each cue once per text).
pub fn cue_score(text: &str) -> f32 {
    let t = fast2s::convert(&text.to_lowercase());
    let has = |list: &[&str]| list.iter().filter(|c| t.contains(*c)).count() as f32;
    cue_count(text) as f32 + 0.5 * has(AGENT_WEAK_CUES) - 0.5 * has(CUSTOMER_CUES)
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
        let t = fast2s::convert(&text.to_lowercase());
        let weak = AGENT_WEAK_CUES.iter().filter(|c| t.contains(*c)).count() as f32;
        cues[side[i]] += cue_count(text) as f32 + 0.5 * weak;
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

/// Which of two diarized voices is the agent, and how sure we are.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceRoles {
    /// The role of voice 0 and of voice 1.
    pub speakers: [Speaker; 2],
    /// Confidence in [0, 1]: the evidence margin times the diarization's own confidence.
    pub confidence: f32,
    /// The cue score ([`cue_score`]) summed per voice.
    pub cues: [f32; 2],
}

/// Decide which of two voices is the agent from what each says and when.
///
/// Evidence per voice: `cues` = [`cue_score`] summed over its (non-back-channel) utterances
/// `(voice, text)`; `fallback` = 0.6 if it speaks first (agents open inbound calls) + 0.4 × its
/// share of the talk time `talk_ms`. The agent is the voice with the larger `cues + 0.5 ×
/// fallback`; with `d` the difference between the two, the confidence is
/// `diarization_confidence × (0.35 + 0.6 × (1 - e^-|d|))`: about 0.5 from turn position alone,
/// 0.8 with one clear script line, 0.9+ with several.
pub fn roles_for_voices(
    utts: &[(u8, &str)],
    first_voice: Option<u8>,
    talk_ms: [u64; 2],
    diarization_confidence: f32,
) -> VoiceRoles {
    let mut cues = [0f32; 2];
    for &(v, text) in utts {
        if let Some(c) = cues.get_mut(v as usize) {
            *c += cue_score(text);
        }
    }
    let total = (talk_ms[0] + talk_ms[1]).max(1) as f32;
    let fallback =
        |v: usize| 0.6 * f32::from(first_voice == Some(v as u8)) + 0.4 * talk_ms[v] as f32 / total;
    let score = [cues[0] + 0.5 * fallback(0), cues[1] + 0.5 * fallback(1)];
    let d = score[0] - score[1];
    let agent = usize::from(d < 0.0);
    let mut speakers = [Speaker::Customer; 2];
    speakers[agent] = Speaker::Agent;
    let margin = 0.35 + 0.6 * (1.0 - (-d.abs()).exp());
    VoiceRoles {
        speakers,
        confidence: (diarization_confidence.clamp(0.0, 1.0) * margin).clamp(0.0, 1.0),
        cues,
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

    #[test]
    fn the_voice_that_greets_and_introduces_itself_is_the_agent() {
        // Voice 1 opens ("Hello?"), voice 0 gives the company and offers help: voice 0 is the
        // agent even though it speaks second (an outbound call).
        let utts = [
            (1, "Hello?"),
            (0, "Hi, this is Anna from Northwind Mobile."),
            (0, "Am I speaking with Mr. Lee?"),
            (1, "Speaking."),
        ];
        let r = roles_for_voices(&utts, Some(1), [4_000, 2_000], 0.9);
        assert_eq!(r.speakers, [Speaker::Agent, Speaker::Customer]);
        assert!(r.confidence > 0.5 && r.confidence <= 0.9, "{r:?}");
        let zh = [
            (0, "喂，你好。"),
            (
                1,
                "您好，欢迎致电星联通信，工号一零二四，请问有什么可以帮您？",
            ),
            (0, "我的宽带断了。"),
        ];
        let r = roles_for_voices(&zh, Some(0), [3_000, 5_000], 1.0);
        assert_eq!(r.speakers, [Speaker::Customer, Speaker::Agent]);
        assert!(r.confidence > 0.85, "{r:?}");
    }

    #[test]
    fn without_cues_the_first_voice_is_the_agent_with_low_confidence() {
        let utts = [(0, "So what happened next"), (1, "Well I went home")];
        let r = roles_for_voices(&utts, Some(0), [5_000, 5_000], 1.0);
        assert_eq!(r.speakers, [Speaker::Agent, Speaker::Customer]);
        assert!(r.confidence < 0.6, "{r:?}");
        // Shaky diarization lowers the confidence.
        let shaky = roles_for_voices(&utts, Some(0), [5_000, 5_000], 0.5);
        assert!(shaky.confidence < r.confidence);
    }

    #[test]
    fn this_is_name_from_company_is_a_cue() {
        assert_eq!(
            cue_count("Hi, this is Anna speaking from Northwind Mobile"),
            1
        );
        assert_eq!(cue_count("this is from my bank"), 0);
        assert_eq!(cue_count("Speaking."), 0);
        assert!(cue_score("I want to check my account") < 0.0);
    }
}
