//! Role inference for mono recordings. Crude by design: there is no speaker model. Turns are cut
//! at pauses, speakers alternate at each cut, and the side that opens the call and says the
//! script lines (greeting, staff number, "how can I help") is taken to be the agent. Speakers who
//! pause mid-turn or talk over each other break the alternation; expect errors.

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
    if !side.contains(&1) {
        return unknown;
    }
    let mut cues = [0f32; 2];
    for (i, &(_, _, text)) in utts.iter().enumerate() {
        cues[side[i]] += cue_count(text) as f32;
    }
    if cues[0] + cues[1] == 0.0 {
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
        // Even a clear cue margin leaves the alternation itself unchecked: cap at 0.8.
        confidence: (0.4 + 0.4 * margin).min(0.8),
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
