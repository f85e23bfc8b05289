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
}
