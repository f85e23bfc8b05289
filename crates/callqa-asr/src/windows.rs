//! Packing a channel's speech regions into Whisper windows (at most 30 s of audio each), and
//! mapping window times back onto the call's timeline.

use callqa_vad::SpeechRegion;

/// One stretch of call audio copied into a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Offset in the window, samples.
    pub window_start: usize,
    /// Offset on the call timeline, samples.
    pub call_start: usize,
    /// Length, samples.
    pub len: usize,
}

/// Audio for one Whisper run: call pieces separated by short silences.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The pieces, in order.
    pub pieces: Vec<Piece>,
    /// Total window length in samples (pieces plus inserted gaps).
    pub len: usize,
}

impl Window {
    /// Build the window's samples from the channel.
    pub fn samples(&self, channel: &[f32]) -> Vec<f32> {
        let mut out = vec![0f32; self.len];
        for p in &self.pieces {
            let end = (p.call_start + p.len).min(channel.len());
            if p.call_start < end {
                let n = end - p.call_start;
                out[p.window_start..p.window_start + n]
                    .copy_from_slice(&channel[p.call_start..end]);
            }
        }
        out
    }

    /// The piece a window sample falls in; a sample inside an inserted gap belongs to the
    /// nearest piece (the following one when equidistant).
    pub fn piece_of(&self, window_sample: usize) -> usize {
        let mut best = 0;
        let mut best_d = usize::MAX;
        for (i, p) in self.pieces.iter().enumerate() {
            let d = if window_sample < p.window_start {
                p.window_start - window_sample
            } else if window_sample >= p.window_start + p.len {
                window_sample + 1 - (p.window_start + p.len)
            } else {
                0
            };
            if d <= best_d {
                if d < best_d || i > best {
                    best = i;
                }
                best_d = d;
            }
            if d == 0 {
                return i;
            }
        }
        best
    }

    /// Map a window sample position inside piece `piece` to the call timeline (clamped to it).
    pub fn to_call(&self, piece: usize, window_sample: usize) -> usize {
        match self.pieces.get(piece) {
            Some(p) => {
                let off = window_sample.saturating_sub(p.window_start).min(p.len);
                p.call_start + off
            }
            None => 0,
        }
    }
}

/// Decide which piece each word of a window belongs to. `words` are in spoken order: `(t0, t1,
/// ends_sentence)` in window samples. Whisper's token times drift by a few hundred ms around the
/// silences inserted between pieces, so the midpoint alone puts the last word of a sentence
/// ("card.") into the next piece, or the first word after a pause ("Thank") into the previous
/// one. Around each inserted gap (± `zone` samples) the cut is moved to just after the sentence
/// end nearest the gap, when one starts before the next piece does; elsewhere the midpoint
/// decides. Pieces never go backwards along the words.
pub fn assign_pieces(words: &[(usize, usize, bool)], win: &Window, zone: usize) -> Vec<usize> {
    let mid = |w: &(usize, usize, bool)| (w.0 + w.1.max(w.0)) / 2;
    let mut out: Vec<usize> = words.iter().map(|w| win.piece_of(mid(w))).collect();
    for k in 0..win.pieces.len().saturating_sub(1) {
        let lo = win.pieces[k].window_start + win.pieces[k].len;
        let hi = win.pieces[k + 1].window_start;
        let (z0, z1) = (lo.saturating_sub(zone), hi + zone);
        let centre = (lo + hi) / 2;
        let in_zone: Vec<usize> = (0..words.len())
            .filter(|&i| (z0..=z1).contains(&mid(&words[i])))
            .collect();
        let best = in_zone
            .iter()
            .copied()
            .filter(|&i| words[i].2 && words[i].0 < hi)
            .min_by_key(|&i| words[i].1.abs_diff(centre));
        let Some(cut) = best else { continue };
        for &i in &in_zone {
            if i <= cut {
                out[i] = out[i].min(k);
            } else {
                out[i] = out[i].max(k + 1);
            }
        }
    }
    monotone(&mut out);
    out
}

/// Make piece indices non-decreasing without letting one outlier move its neighbours: the
/// longest non-decreasing subsequence is kept as anchors, and every other word takes the piece
/// of the anchor before it (the first anchor's piece before the first anchor). A running maximum
/// would instead drag every later word into the piece of a single word whose timestamp Whisper
/// put seconds too late (seen on Mandarin windows, where token times often collapse).
fn monotone(out: &mut [usize]) {
    if out.len() < 2 {
        return;
    }
    // Patience sorting for the longest non-decreasing subsequence, with back-pointers.
    let mut tails: Vec<usize> = Vec::new(); // index into `out` of the smallest tail per length
    let mut prev: Vec<Option<usize>> = vec![None; out.len()];
    for i in 0..out.len() {
        let len = tails.partition_point(|&t| out[t] <= out[i]);
        prev[i] = len.checked_sub(1).map(|l| tails[l]);
        if len == tails.len() {
            tails.push(i);
        } else {
            tails[len] = i;
        }
    }
    let mut anchor = vec![false; out.len()];
    let mut k = tails.last().copied();
    while let Some(i) = k {
        anchor[i] = true;
        k = prev[i];
    }
    let first = (0..out.len()).find(|&i| anchor[i]).map_or(0, |i| out[i]);
    let mut current = first;
    for i in 0..out.len() {
        if anchor[i] {
            current = out[i];
        } else {
            out[i] = current;
        }
    }
}

/// Window times `t0..t1` of a word moved inside piece `piece` (shifted, not squashed, when they
/// spill over its edge), as call samples.
pub fn word_to_call(win: &Window, piece: usize, t0: usize, t1: usize) -> (usize, usize) {
    let Some(p) = win.pieces.get(piece) else {
        return (0, 0);
    };
    let len = t1.saturating_sub(t0).min(p.len);
    let start = t0.clamp(p.window_start, p.window_start + p.len - len);
    let off = start - p.window_start;
    (p.call_start + off, p.call_start + off + len)
}

/// Pack regions (sorted, non-overlapping) into windows of at most `max_len` samples. Regions
/// closer than `join_gap` samples are copied with the audio between them; farther ones are
/// joined with `gap` samples of silence. A region longer than a window is cut into pieces.
pub fn pack(regions: &[SpeechRegion], max_len: usize, join_gap: usize, gap: usize) -> Vec<Window> {
    let max_len = max_len.max(1);
    // First merge close regions into spans, cutting spans longer than a window.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for r in regions.iter().filter(|r| r.end > r.start) {
        match spans.last_mut() {
            Some(last) if r.start <= last.1 + join_gap && r.end - last.0 <= max_len => {
                last.1 = last.1.max(r.end);
            }
            _ => spans.push((r.start, r.end)),
        }
    }
    let mut cut: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        let mut s = s;
        while e - s > max_len {
            cut.push((s, s + max_len));
            s += max_len;
        }
        cut.push((s, e));
    }
    let mut windows: Vec<Window> = Vec::new();
    let mut cur = Window {
        pieces: Vec::new(),
        len: 0,
    };
    for (s, e) in cut {
        let len = e - s;
        let extra = if cur.pieces.is_empty() { 0 } else { gap };
        if !cur.pieces.is_empty() && cur.len + extra + len > max_len {
            windows.push(std::mem::replace(
                &mut cur,
                Window {
                    pieces: Vec::new(),
                    len: 0,
                },
            ));
        }
        let extra = if cur.pieces.is_empty() { 0 } else { gap };
        cur.pieces.push(Piece {
            window_start: cur.len + extra,
            call_start: s,
            len,
        });
        cur.len += extra + len;
    }
    if !cur.pieces.is_empty() {
        windows.push(cur);
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: usize, e: usize) -> SpeechRegion {
        SpeechRegion { start: s, end: e }
    }

    #[test]
    fn windows_respect_the_limit_and_keep_every_sample() {
        let regions = [r(0, 100), r(150, 300), r(1_000, 1_500), r(3_000, 5_500)];
        let w = pack(&regions, 1_000, 100, 20);
        let covered: usize = w.iter().flat_map(|w| &w.pieces).map(|p| p.len).sum();
        // 0..300 joined (gap 50 < 100), 1000..1500, 3000..5500 cut into 1000-sample pieces.
        assert_eq!(covered, 300 + 500 + 2_500);
        for win in &w {
            assert!(win.len <= 1_000, "{win:?}");
        }
    }

    #[test]
    fn window_times_map_back_to_the_call() {
        let w = pack(&[r(1_000, 2_000), r(10_000, 11_000)], 16_000, 500, 400);
        assert_eq!(w.len(), 1);
        let win = &w[0];
        assert_eq!(win.len, 2_400);
        assert_eq!(win.piece_of(10), 0);
        assert_eq!(win.to_call(0, 10), 1_010);
        assert_eq!(win.piece_of(1_500), 1);
        assert_eq!(win.to_call(1, 1_500), 10_100);
        // In the inserted gap: nearest piece.
        assert_eq!(win.piece_of(1_050), 0);
        assert_eq!(win.piece_of(1_390), 1);
        let ch: Vec<f32> = (0..12_000).map(|i| i as f32).collect();
        let s = win.samples(&ch);
        assert_eq!(s[0], 1_000.0);
        assert_eq!(s[1_200], 0.0);
        assert_eq!(s[1_400], 10_000.0);
    }

    #[test]
    fn words_at_a_gap_follow_the_sentence_end() {
        // Two pieces: window 0..1000 and 1400..2400 (gap 1000..1400).
        let win = Window {
            pieces: vec![
                Piece {
                    window_start: 0,
                    call_start: 5_000,
                    len: 1_000,
                },
                Piece {
                    window_start: 1_400,
                    call_start: 20_000,
                    len: 1_000,
                },
            ],
            len: 2_400,
        };
        // "... your card." drifts late into the gap, "Thank" early into it.
        let words = [
            (600, 950, false),
            (980, 1_260, true), // "card." midpoint 1120: in the gap, nearer piece 0 anyway
            (1_150, 1_390, false), // "Thank": midpoint 1270, nearer piece 1... but early
            (1_500, 1_600, true),
        ];
        assert_eq!(assign_pieces(&words, &win, 600), vec![0, 0, 1, 1]);
        let late = [
            (600, 950, false),
            (1_150, 1_380, true),
            (1_420, 1_600, false),
        ];
        // Midpoint 1265 is nearer piece 1, but "card." ends a sentence and starts in the gap.
        assert_eq!(assign_pieces(&late, &win, 600), vec![0, 0, 1]);
        // Without a sentence end the midpoint decides.
        let plain = [(600, 950, false), (1_150, 1_380, false)];
        assert_eq!(assign_pieces(&plain, &win, 600), vec![0, 1]);
        // Shifted inside the piece, length kept.
        assert_eq!(word_to_call(&win, 0, 900, 1_100), (5_800, 6_000));
        assert_eq!(word_to_call(&win, 1, 1_300, 1_450), (20_000, 20_150));
    }

    #[test]
    fn one_late_word_does_not_drag_the_rest_into_a_later_piece() {
        let mut pieces = vec![0, 0, 5, 1, 1, 2, 2, 3];
        monotone(&mut pieces);
        assert_eq!(pieces, vec![0, 0, 0, 1, 1, 2, 2, 3]);
        let mut early = vec![3, 0, 1, 1];
        monotone(&mut early);
        assert_eq!(early, vec![0, 0, 1, 1]);
    }
}
