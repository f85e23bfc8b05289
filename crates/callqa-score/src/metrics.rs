//! Speech metrics from per-party speech activity: talk time, silences, holds, overtalk, rate.

use callqa_core::{Speaker, SpeechSpan, Transcript};
use serde::Serialize;

/// A stretch of the call where nobody speaks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Silence {
    /// Start, ms from the start of the recording.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// True when an agent hold request ended shortly before it: an announced hold, not dead air.
    pub announced_hold: bool,
}

impl Silence {
    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        self.end_ms.saturating_sub(self.start_ms) as f64 / 1000.0
    }
}

/// One place where both parties speak at once.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overtalk {
    /// Who started talking while the other was already speaking.
    pub started_by: Speaker,
    /// Start of the overlap, ms.
    pub start_ms: u64,
    /// End of the overlap, ms.
    pub end_ms: u64,
}

/// Per-call speech metrics. Times in seconds unless the name says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeechMetrics {
    /// Recording length.
    pub duration_s: f64,
    /// Time the agent speaks.
    pub agent_talk_s: f64,
    /// Time the customer speaks.
    pub customer_talk_s: f64,
    /// Agent talk time over the talk time of both parties (0 when nobody speaks).
    pub agent_talk_ratio: f64,
    /// Time nobody speaks between the first and the last speech, over that span.
    pub silence_ratio: f64,
    /// Longest silence anywhere between first and last speech.
    pub longest_silence_s: f64,
    /// Longest silence that is not an announced hold: dead air.
    pub longest_dead_air_s: f64,
    /// Silences longer than the form's dead-air limit that are not announced holds.
    pub dead_air_count: u32,
    /// Silences that are announced holds (long silence after an agent hold request).
    pub hold_count: u32,
    /// Total length of announced holds.
    pub hold_s: f64,
    /// Unannounced waits: silences of at least `hold_min_s` and at most the dead-air limit that no
    /// hold request announced: the agent made the customer wait without asking (longer ones are
    /// dead air).
    pub unannounced_wait_count: u32,
    /// Every silence of at least `hold_min_s`, in time order.
    pub long_silences: Vec<Silence>,
    /// Overlaps of both parties of at least `min_overtalk_ms`; back-channels (utterances flagged
    /// `backchannel`) are left out: they are neither overtalk nor interruptions.
    pub overtalk: Vec<Overtalk>,
    /// Number of overlaps.
    pub overtalk_count: u32,
    /// Total overlap time.
    pub overtalk_s: f64,
    /// Overlaps the agent started (the agent starting substantive speech while the customer is
    /// still talking; back-channels do not count).
    pub agent_interruptions: u32,
    /// Overlaps the customer started.
    pub customer_interruptions: u32,
    /// Agent speech rate: Chinese characters per minute for zh, words per minute otherwise.
    pub agent_speech_rate: f64,
    /// From the start of the recording to the agent's first speech (None: the agent never speaks).
    pub agent_first_words_s: Option<f64>,
}

/// Knobs for the metrics; the form supplies them.
#[derive(Debug, Clone, Copy)]
pub struct MetricOptions {
    /// A silence longer than this (outside an announced hold) is dead air.
    pub dead_air_limit_s: f64,
    /// Silences at least this long are reported and may be holds.
    pub hold_min_s: f64,
    /// A hold request that ends at most this long before a silence announces it.
    pub hold_announce_window_s: f64,
    /// Overlaps shorter than this are not counted (cross-talk noise, turn-taking jitter).
    /// Back-channels are left out whatever their length (see `Utterance::backchannel`).
    pub min_overtalk_ms: u64,
}

impl Default for MetricOptions {
    fn default() -> Self {
        MetricOptions {
            dead_air_limit_s: 10.0,
            hold_min_s: 6.0,
            hold_announce_window_s: 8.0,
            min_overtalk_ms: 300,
        }
    }
}

/// Merge overlapping or touching spans into a sorted disjoint list.
fn union(mut spans: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    spans.retain(|(s, e)| e > s);
    spans.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn spans_of(activity: &[SpeechSpan], who: Speaker) -> Vec<(u64, u64)> {
    union(
        activity
            .iter()
            .filter(|s| s.speaker == who)
            .map(|s| (s.start_ms, s.end_ms))
            .collect(),
    )
}

fn total_ms(spans: &[(u64, u64)]) -> u64 {
    spans.iter().map(|(s, e)| e - s).sum()
}

/// Count the units a speech rate is measured in: CJK characters plus Latin-script words.
pub fn speech_units(text: &str) -> usize {
    let mut units = 0;
    let mut in_word = false;
    for c in text.chars() {
        let cjk = matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF);
        if cjk {
            units += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                units += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    units
}

/// How far a back-channel utterance's span is widened to cover its VAD span (VAD pads speech by
/// about 100 ms; token times are coarse), ms.
const BACKCHANNEL_PAD_MS: u64 = 250;

/// A party's speech as overtalk sees it: its activity spans without its back-channels. A
/// back-channel ("uh-huh", "嗯" said inside the other party's turn, `Utterance::backchannel`) is
/// neither an interruption nor overtalk, so the activity it covers (its span widened by
/// [`BACKCHANNEL_PAD_MS`]) is cut out; of a span that held a back-channel, only the parts that
/// overlap a substantive utterance of the same party remain (what is left of a VAD span around a
/// back-channel is its padding, not speech). Spans without back-channels are kept as they are,
/// text or no text. Talk time, silences and first words still count back-channel speech.
fn overlap_spans(spans: &[(u64, u64)], t: &Transcript, who: Speaker) -> Vec<(u64, u64)> {
    let mine = t.utterances.iter().filter(|u| u.speaker == who);
    let bcs: Vec<(u64, u64)> = mine
        .clone()
        .filter(|u| u.backchannel)
        .map(|u| {
            (
                u.start_ms.saturating_sub(BACKCHANNEL_PAD_MS),
                u.end_ms + BACKCHANNEL_PAD_MS,
            )
        })
        .collect();
    if bcs.is_empty() {
        return spans.to_vec();
    }
    let turns: Vec<(u64, u64)> = mine
        .filter(|u| !u.backchannel)
        .map(|u| (u.start_ms, u.end_ms))
        .collect();
    let overlaps = |a: (u64, u64), b: (u64, u64)| a.0 < b.1 && b.0 < a.1;
    let mut out = Vec::new();
    for &span in spans {
        if !bcs.iter().any(|&b| overlaps(span, b)) {
            out.push(span);
            continue;
        }
        // span minus the back-channels, then only what substantive speech touches.
        let mut pieces = vec![span];
        for &(bs, be) in &bcs {
            pieces = pieces
                .into_iter()
                .flat_map(|(s, e)| {
                    if be <= s || bs >= e {
                        vec![(s, e)]
                    } else {
                        [(s, bs), (be, e)]
                            .into_iter()
                            .filter(|(a, b)| b > a)
                            .collect()
                    }
                })
                .collect();
        }
        out.extend(
            pieces
                .into_iter()
                .filter(|&p| turns.iter().any(|&u| overlaps(p, u))),
        );
    }
    out
}

/// Compute the metrics of one call. `hold_requests` are the (end ms of) agent utterances the
/// classifier labelled as hold requests; a long silence starting soon after one is a hold.
pub fn compute(
    transcript: &Transcript,
    hold_request_ends_ms: &[u64],
    opts: &MetricOptions,
) -> SpeechMetrics {
    let activity: Vec<SpeechSpan> = if transcript.activity.is_empty() {
        // Without VAD activity (e.g. a stored transcript), utterance spans stand in for it.
        transcript
            .utterances
            .iter()
            .map(|u| SpeechSpan {
                speaker: u.speaker,
                start_ms: u.start_ms,
                end_ms: u.end_ms,
            })
            .collect()
    } else {
        transcript.activity.clone()
    };
    let agent = spans_of(&activity, Speaker::Agent);
    let customer = spans_of(&activity, Speaker::Customer);
    let unknown = spans_of(&activity, Speaker::Unknown);
    // Overtalk and interruptions leave back-channels out (see `overlap_spans`).
    let agent_turns = overlap_spans(&agent, transcript, Speaker::Agent);
    let customer_turns = overlap_spans(&customer, transcript, Speaker::Customer);
    let all = union(
        agent
            .iter()
            .chain(&customer)
            .chain(&unknown)
            .copied()
            .collect(),
    );

    let agent_ms = total_ms(&agent);
    let customer_ms = total_ms(&customer);
    let talk_ms = agent_ms + customer_ms + total_ms(&unknown);

    // Silences: gaps between speech, from the first to the last speech.
    let mut long_silences = Vec::new();
    let mut silence_ms = 0u64;
    let mut longest_ms = 0u64;
    let mut longest_dead_ms = 0u64;
    let (mut dead_air_count, mut hold_count, mut hold_ms, mut waits) = (0u32, 0u32, 0u64, 0u32);
    for pair in all.windows(2) {
        let (start, end) = (pair[0].1, pair[1].0);
        let gap = end - start;
        silence_ms += gap;
        longest_ms = longest_ms.max(gap);
        let announced = hold_request_ends_ms.iter().any(|&h| {
            h <= start + 500
                && start.saturating_sub(h) as f64 <= opts.hold_announce_window_s * 1000.0
        });
        let seconds = gap as f64 / 1000.0;
        if seconds >= opts.hold_min_s {
            long_silences.push(Silence {
                start_ms: start,
                end_ms: end,
                announced_hold: announced,
            });
            if announced {
                hold_count += 1;
                hold_ms += gap;
            } else if seconds <= opts.dead_air_limit_s {
                waits += 1;
            }
        }
        if !(announced && seconds >= opts.hold_min_s) {
            longest_dead_ms = longest_dead_ms.max(gap);
            if seconds > opts.dead_air_limit_s {
                dead_air_count += 1;
            }
        }
    }
    let span_ms = match (all.first(), all.last()) {
        (Some(f), Some(l)) => l.1 - f.0,
        _ => 0,
    };

    // Overtalk: intersections of agent and customer speech; the party whose span started later
    // is the one who started talking over the other.
    let mut overtalk = Vec::new();
    let (agent, customer) = (&agent_turns, &customer_turns);
    let (mut i, mut j) = (0, 0);
    while i < agent.len() && j < customer.len() {
        let (a, c) = (agent[i], customer[j]);
        let start = a.0.max(c.0);
        let end = a.1.min(c.1);
        if end > start && end - start >= opts.min_overtalk_ms {
            let started_by = if a.0 > c.0 {
                Speaker::Agent
            } else {
                Speaker::Customer
            };
            overtalk.push(Overtalk {
                started_by,
                start_ms: start,
                end_ms: end,
            });
        }
        if a.1 < c.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    let agent_interruptions = overtalk
        .iter()
        .filter(|o| o.started_by == Speaker::Agent)
        .count() as u32;

    let agent_units: usize = transcript
        .utterances
        .iter()
        .filter(|u| u.speaker == Speaker::Agent)
        .map(|u| speech_units(&u.text))
        .sum();
    let agent_speech_rate = if agent_ms > 0 {
        agent_units as f64 / (agent_ms as f64 / 60_000.0)
    } else {
        0.0
    };

    SpeechMetrics {
        duration_s: transcript.duration_ms as f64 / 1000.0,
        agent_talk_s: agent_ms as f64 / 1000.0,
        customer_talk_s: customer_ms as f64 / 1000.0,
        agent_talk_ratio: if talk_ms > 0 {
            agent_ms as f64 / talk_ms as f64
        } else {
            0.0
        },
        silence_ratio: if span_ms > 0 {
            silence_ms as f64 / span_ms as f64
        } else {
            0.0
        },
        longest_silence_s: longest_ms as f64 / 1000.0,
        longest_dead_air_s: longest_dead_ms as f64 / 1000.0,
        dead_air_count,
        hold_count,
        hold_s: hold_ms as f64 / 1000.0,
        unannounced_wait_count: waits,
        long_silences,
        overtalk_count: overtalk.len() as u32,
        overtalk_s: overtalk
            .iter()
            .map(|o| (o.end_ms - o.start_ms) as f64 / 1000.0)
            .sum(),
        agent_interruptions,
        customer_interruptions: overtalk.len() as u32 - agent_interruptions,
        overtalk,
        agent_speech_rate,
        agent_first_words_s: spans_of(&activity, Speaker::Agent)
            .first()
            .map(|a| a.0 as f64 / 1000.0),
    }
}

impl SpeechMetrics {
    /// A metric by the name forms use in `metric:` detectors.
    pub fn by_name(&self, name: &str) -> Option<f64> {
        Some(match name {
            "duration_s" => self.duration_s,
            "agent_talk_s" => self.agent_talk_s,
            "customer_talk_s" => self.customer_talk_s,
            "agent_talk_ratio" => self.agent_talk_ratio,
            "silence_ratio" => self.silence_ratio,
            "longest_silence_s" => self.longest_silence_s,
            "longest_dead_air_s" => self.longest_dead_air_s,
            "dead_air_count" => self.dead_air_count as f64,
            "hold_count" => self.hold_count as f64,
            "hold_s" => self.hold_s,
            "unannounced_wait_count" => self.unannounced_wait_count as f64,
            "overtalk_count" => self.overtalk_count as f64,
            "overtalk_s" => self.overtalk_s,
            "agent_interruptions" => self.agent_interruptions as f64,
            "customer_interruptions" => self.customer_interruptions as f64,
            "agent_speech_rate" => self.agent_speech_rate,
            "agent_first_words_s" => self.agent_first_words_s.unwrap_or(self.duration_s),
            _ => return None,
        })
    }

    /// The names `by_name` knows, for validation messages and docs.
    pub const NAMES: [&'static str; 17] = [
        "duration_s",
        "agent_talk_s",
        "customer_talk_s",
        "agent_talk_ratio",
        "silence_ratio",
        "longest_silence_s",
        "longest_dead_air_s",
        "dead_air_count",
        "hold_count",
        "hold_s",
        "unannounced_wait_count",
        "overtalk_count",
        "overtalk_s",
        "agent_interruptions",
        "customer_interruptions",
        "agent_speech_rate",
        "agent_first_words_s",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use callqa_core::Utterance;

    fn span(speaker: Speaker, s: u64, e: u64) -> SpeechSpan {
        SpeechSpan {
            speaker,
            start_ms: s,
            end_ms: e,
        }
    }

    fn transcript(activity: Vec<SpeechSpan>, duration_ms: u64) -> Transcript {
        Transcript {
            language: "zh".into(),
            duration_ms,
            roles_inferred: false,
            role_confidence: 1.0,
            utterances: vec![Utterance::new(
                0,
                Speaker::Agent,
                1_000,
                4_000,
                "您好欢迎致电",
            )],
            activity,
            dropped_segments: 0,
        }
    }

    #[test]
    fn every_name_is_known() {
        let m = compute(&transcript(vec![], 1000), &[], &MetricOptions::default());
        for n in SpeechMetrics::NAMES {
            assert!(m.by_name(n).is_some(), "{n}");
        }
        assert!(m.by_name("nope").is_none());
    }

    #[test]
    fn announced_hold_is_not_dead_air_but_unannounced_silence_is() {
        let t = transcript(
            vec![
                span(Speaker::Agent, 1_000, 4_000),
                span(Speaker::Customer, 4_500, 6_000),
                span(Speaker::Agent, 6_500, 8_000), // hold request ends at 8 s
                span(Speaker::Agent, 20_000, 22_000), // 12 s hold
                span(Speaker::Customer, 22_500, 24_000),
                span(Speaker::Agent, 36_000, 38_000), // 12 s dead air
            ],
            40_000,
        );
        let m = compute(&t, &[8_000], &MetricOptions::default());
        assert_eq!(m.hold_count, 1);
        assert!((m.hold_s - 12.0).abs() < 1e-9);
        assert_eq!(m.dead_air_count, 1);
        assert!((m.longest_dead_air_s - 12.0).abs() < 1e-9);
        assert!((m.longest_silence_s - 12.0).abs() < 1e-9);
        assert_eq!(m.long_silences.len(), 2);
        // Without the hold request both are dead air.
        let m = compute(&t, &[], &MetricOptions::default());
        assert_eq!(m.dead_air_count, 2);
        assert_eq!(m.hold_count, 0);
    }

    #[test]
    fn overtalk_is_attributed_to_whoever_started_second() {
        let t = transcript(
            vec![
                span(Speaker::Customer, 0, 5_000),
                span(Speaker::Agent, 4_000, 7_000), // agent cuts in: 1 s
                span(Speaker::Customer, 6_900, 9_000), // 100 ms: below the minimum
                span(Speaker::Agent, 10_000, 12_000),
                span(Speaker::Customer, 11_000, 13_000), // customer cuts in
            ],
            13_000,
        );
        let m = compute(&t, &[], &MetricOptions::default());
        assert_eq!(m.overtalk_count, 2);
        assert_eq!(m.agent_interruptions, 1);
        assert_eq!(m.customer_interruptions, 1);
        assert!((m.overtalk_s - 2.0).abs() < 1e-9);
    }

    #[test]
    fn talk_ratio_rate_and_first_words() {
        let t = transcript(
            vec![
                span(Speaker::Agent, 1_000, 4_000),
                span(Speaker::Customer, 5_000, 6_000),
            ],
            6_000,
        );
        let m = compute(&t, &[], &MetricOptions::default());
        assert!((m.agent_talk_ratio - 0.75).abs() < 1e-9);
        assert_eq!(m.agent_first_words_s, Some(1.0));
        // 6 characters in 3 s of agent speech = 120 per minute.
        assert!((m.agent_speech_rate - 120.0).abs() < 1e-9);
        assert!((m.silence_ratio - 0.2).abs() < 1e-9);
    }

    #[test]
    fn speech_units_count_cjk_characters_and_words() {
        assert_eq!(speech_units("您好，欢迎"), 4);
        assert_eq!(speech_units("Hello there, agent 42"), 4);
        assert_eq!(speech_units("工号1234 ok"), 4);
    }

    #[test]
    fn backchannels_are_neither_overtalk_nor_interruptions() {
        let mut t = transcript(
            vec![
                span(Speaker::Customer, 0, 8_000),
                span(Speaker::Agent, 2_900, 3_600), // "uh-huh" (VAD-padded)
                span(Speaker::Agent, 5_000, 5_500), // "right"
                span(Speaker::Agent, 7_000, 10_000), // agent cuts in: 1 s
            ],
            10_000,
        );
        let bc = |s, e, text| Utterance {
            backchannel: true,
            ..Utterance::new(0, Speaker::Agent, s, e, text)
        };
        t.utterances = vec![
            Utterance::new(
                0,
                Speaker::Customer,
                0,
                8_000,
                "I was charged twice and ...",
            ),
            bc(3_000, 3_500, "Uh-huh."),
            bc(5_100, 5_400, "Right."),
            Utterance::new(3, Speaker::Agent, 7_050, 9_900, "Let me stop you there."),
        ];
        let m = compute(&t, &[], &MetricOptions::default());
        assert_eq!(m.agent_interruptions, 1);
        assert_eq!(m.overtalk_count, 1);
        assert!((m.overtalk_s - 1.0).abs() < 1e-9);
        // Talk time still counts the back-channels.
        assert!((m.agent_talk_s - 4.2).abs() < 1e-9);
        // Unflagged, the same spans are three interruptions.
        for u in &mut t.utterances {
            u.backchannel = false;
        }
        assert_eq!(
            compute(&t, &[], &MetricOptions::default()).agent_interruptions,
            3
        );
    }

    #[test]
    fn a_vad_span_holding_a_backchannel_and_a_turn_keeps_the_turn() {
        let mut t = transcript(
            vec![
                span(Speaker::Customer, 0, 6_000),
                // One agent VAD span: "mm" at 2 s, then the agent takes over at 4.5 s.
                span(Speaker::Agent, 1_900, 8_000),
            ],
            8_000,
        );
        t.utterances = vec![
            Utterance::new(0, Speaker::Customer, 0, 6_000, "so the bill went up"),
            Utterance {
                backchannel: true,
                ..Utterance::new(1, Speaker::Agent, 2_000, 2_300, "Mm.")
            },
            Utterance::new(
                2,
                Speaker::Agent,
                4_500,
                8_000,
                "I can explain that charge.",
            ),
        ];
        let m = compute(&t, &[], &MetricOptions::default());
        assert_eq!(m.agent_interruptions, 1);
        // The overlap starts where the agent's substantive speech does (after the padding).
        assert_eq!(m.overtalk[0].start_ms, 2_550);
        assert_eq!(m.overtalk[0].end_ms, 6_000);
    }
}
