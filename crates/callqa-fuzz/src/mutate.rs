//! Mutators: structure-aware edits of WAV, FLAC, MP3 and Ogg files and of TOML, CSV and JSON
//! text, plus byte-level havoc. Every mutator takes a seeded [`fastrand::Rng`], so one case seed
//! gives one input.

use fastrand::Rng;

/// 32-bit values that make header arithmetic go wrong.
const INTERESTING_U32: [u32; 16] = [
    0,
    1,
    2,
    3,
    7,
    8,
    0x7f,
    0xff,
    0x100,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
    1 << 28,
];

/// Sample rates: real ones, off-by-one ones and absurd ones.
const RATES: [u32; 16] = [
    0,
    1,
    100,
    7_999,
    8_000,
    11_025,
    16_000,
    22_050,
    44_100,
    47_999,
    48_000,
    96_000,
    192_000,
    384_000,
    0x7fff_ffff,
    u32::MAX,
];

fn interesting_u32(rng: &mut Rng) -> u32 {
    if rng.u8(..4) == 0 {
        rng.u32(..)
    } else {
        INTERESTING_U32[rng.usize(..INTERESTING_U32.len())]
    }
}

fn put_u16_le(d: &mut [u8], at: usize, v: u16) {
    if let Some(s) = d.get_mut(at..at + 2) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn put_u32_le(d: &mut [u8], at: usize, v: u32) {
    if let Some(s) = d.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn get_u32_le(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
}

/// Byte-level havoc: `rounds` random edits (bit flips, interesting bytes and words, inserted,
/// deleted, duplicated and spliced ranges, truncation).
pub fn havoc(rng: &mut Rng, data: &mut Vec<u8>, rounds: usize, other: &[u8]) {
    for _ in 0..rounds {
        let len = data.len();
        match rng.u8(..10) {
            0 if len > 0 => {
                let i = rng.usize(..len);
                data[i] ^= 1 << rng.u8(..8);
            }
            1 if len > 0 => {
                let i = rng.usize(..len);
                data[i] = [0, 0xff, 0x7f, 0x80, 1][rng.usize(..5)];
            }
            2 if len >= 4 => {
                let i = rng.usize(..=len - 4);
                let v = interesting_u32(rng);
                let bytes = if rng.bool() {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                };
                data[i..i + 4].copy_from_slice(&bytes);
            }
            3 => {
                let i = rng.usize(..=len);
                let n = rng.usize(1..64);
                let fill: Vec<u8> = (0..n).map(|_| rng.u8(..)).collect();
                data.splice(i..i, fill);
            }
            4 if len > 1 => {
                let i = rng.usize(..len);
                let n = rng.usize(1..=(len - i).min(256));
                data.drain(i..i + n);
            }
            5 if len > 1 => {
                let i = rng.usize(..len);
                let n = rng.usize(1..=(len - i).min(512));
                let piece = data[i..i + n].to_vec();
                let at = rng.usize(..=len);
                data.splice(at..at, piece);
            }
            6 if !other.is_empty() && len > 0 => {
                // Splice: a piece of another seed over a piece of this one.
                let i = rng.usize(..other.len());
                let n = rng.usize(1..=(other.len() - i).min(1024));
                let at = rng.usize(..len);
                let end = (at + n).min(len);
                data.splice(at..end, other[i..i + n].iter().copied());
            }
            7 if len > 0 => {
                data.truncate(rng.usize(..len));
            }
            8 if len > 0 => {
                // A run of one byte (zeros, 0xff) over a range.
                let i = rng.usize(..len);
                let n = rng.usize(1..=(len - i).min(4096));
                let b = [0u8, 0xff][rng.usize(..2)];
                data[i..i + n].fill(b);
            }
            _ if len > 0 => {
                let i = rng.usize(..len);
                data[i] = data[i].wrapping_add(rng.u8(..) % 35).wrapping_sub(17);
            }
            _ => data.push(rng.u8(..)),
        }
    }
}

/// The container a seed recording is in, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// RIFF/WAVE.
    Wav,
    /// Native FLAC.
    Flac,
    /// Ogg (Vorbis).
    Ogg,
    /// MPEG audio (optionally behind an ID3v2 tag).
    Mp3,
    /// Anything else.
    Other,
}

/// Recognise the container by its magic bytes.
pub fn audio_kind(d: &[u8]) -> AudioKind {
    if d.len() >= 12 && &d[..4] == b"RIFF" && &d[8..12] == b"WAVE" {
        AudioKind::Wav
    } else if d.starts_with(b"fLaC") {
        AudioKind::Flac
    } else if d.starts_with(b"OggS") {
        AudioKind::Ogg
    } else if d.starts_with(b"ID3") || (d.len() > 1 && d[0] == 0xff && d[1] & 0xe0 == 0xe0) {
        AudioKind::Mp3
    } else {
        AudioKind::Other
    }
}

/// One RIFF chunk: where its 8-byte header starts and the size it claims.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    at: usize,
    id: [u8; 4],
    size: u32,
}

fn wav_chunks(d: &[u8]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut at = 12usize;
    while at + 8 <= d.len() && out.len() < 64 {
        let mut id = [0u8; 4];
        id.copy_from_slice(&d[at..at + 4]);
        let size = get_u32_le(d, at + 4).unwrap_or(0);
        out.push(Chunk { at, id, size });
        let next = at as u64 + 8 + u64::from(size) + u64::from(size & 1);
        if next > d.len() as u64 {
            break;
        }
        at = next as usize;
    }
    out
}

/// Shorten a WAV to at most `max_data` bytes of audio, keeping its header consistent (RIFF and
/// `data` sizes rewritten), so that a seed stays valid but cheap to decode.
pub fn shorten_wav(d: &[u8], max_data: usize) -> Vec<u8> {
    let chunks = wav_chunks(d);
    let Some(data) = chunks.iter().find(|c| &c.id == b"data") else {
        return d.to_vec();
    };
    let start = data.at + 8;
    let have = (d.len() - start.min(d.len())).min(data.size as usize);
    // Keep whole frames: cut to a multiple of 16 bytes (any channels x bytes up to 4 x 4).
    let keep = have.min(max_data) / 48 * 48;
    let mut out = d[..start.min(d.len())].to_vec();
    out.extend_from_slice(&d[start..start + keep]);
    put_u32_le(&mut out, data.at + 4, keep as u32);
    let riff = out.len().saturating_sub(8) as u32;
    put_u32_le(&mut out, 4, riff);
    out
}

/// Structure-aware WAV edits: RIFF and chunk sizes, `fmt ` fields (format tag, channels, rate,
/// byte rate, block align, bits, extensible sub-format), `data` length, chunk order, truncation.
pub fn mutate_wav(rng: &mut Rng, d: &mut Vec<u8>) {
    let chunks = wav_chunks(d);
    let fmt = chunks.iter().find(|c| &c.id == b"fmt ").copied();
    let data = chunks.iter().find(|c| &c.id == b"data").copied();
    match rng.u8(..12) {
        0 => put_u32_le(d, 4, interesting_u32(rng)),
        1 if !chunks.is_empty() => {
            let c = chunks[rng.usize(..chunks.len())];
            let v = match rng.u8(..3) {
                0 => c.size.wrapping_add(rng.u32(..8)).wrapping_sub(4),
                _ => interesting_u32(rng),
            };
            put_u32_le(d, c.at + 4, v);
        }
        2 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            let tag = [1u16, 3, 6, 7, 2, 0x11, 0x31, 0x55, 0xfffe, 0, 0xffff][rng.usize(..11)];
            put_u16_le(d, f, tag);
        }
        3 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            let ch = [0u16, 1, 2, 3, 4, 6, 8, 9, 32, 255, 0xffff][rng.usize(..11)];
            put_u16_le(d, f + 2, ch);
        }
        4 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            put_u32_le(d, f + 4, RATES[rng.usize(..RATES.len())]);
        }
        5 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            put_u32_le(d, f + 8, interesting_u32(rng));
        }
        6 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            let v = [0u16, 1, 2, 3, 4, 5, 6, 8, 12, 0xffff][rng.usize(..10)];
            put_u16_le(d, f + 12, v);
        }
        7 if fmt.is_some() => {
            let f = fmt.map_or(0, |c| c.at + 8);
            let bits = [0u16, 1, 4, 7, 8, 12, 16, 20, 24, 32, 33, 64, 0xffff][rng.usize(..13)];
            put_u16_le(d, f + 14, bits);
        }
        8 if fmt.is_some_and(|c| c.size >= 40) => {
            // WAVE_FORMAT_EXTENSIBLE: cbSize, valid bits, channel mask, sub-format GUID.
            let f = fmt.map_or(0, |c| c.at + 8);
            match rng.u8(..4) {
                0 => put_u16_le(d, f + 16, rng.u16(..)),
                1 => put_u16_le(d, f + 18, rng.u16(..)),
                2 => put_u32_le(d, f + 20, interesting_u32(rng)),
                _ => put_u16_le(d, f + 24, [1u16, 3, 6, 7, 0x55, 0][rng.usize(..6)]),
            }
        }
        9 if data.is_some() => {
            let c = data.map_or(0, |c| c.at);
            let v = [0u32, 1, 2, 3, 0xffff_ffff, 0x7fff_ffff, 0xffff_fffe][rng.usize(..7)];
            put_u32_le(d, c + 4, v);
        }
        10 if chunks.len() > 1 => {
            // Reorder: move a chunk (header and body) before another one, or drop it.
            let i = rng.usize(..chunks.len());
            let c = chunks[i];
            let end = (c.at + 8 + c.size as usize).min(d.len());
            let body: Vec<u8> = d.drain(c.at..end).collect();
            if rng.bool() {
                d.splice(12..12, body);
            }
        }
        _ => {
            // Insert an unknown or a second known chunk with an odd size.
            let id: &[u8; 4] = [b"LIST", b"fact", b"fmt ", b"data", b"junk"][rng.usize(..5)];
            let n = rng.usize(..40);
            let mut c = id.to_vec();
            c.extend_from_slice(&(n as u32 + rng.u32(..3)).to_le_bytes());
            c.extend((0..n).map(|_| rng.u8(..)));
            let at = if d.len() > 12 { 12 } else { d.len() };
            d.splice(at..at, c);
        }
    }
}

/// Write `bits` bits of `v` at bit offset `bit` (big-endian bit order, as FLAC headers are).
fn put_bits_be(d: &mut [u8], bit: usize, bits: usize, v: u64) {
    for k in 0..bits {
        let b = bit + k;
        let Some(byte) = d.get_mut(b / 8) else { return };
        let mask = 0x80u8 >> (b % 8);
        if (v >> (bits - 1 - k)) & 1 == 1 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// Structure-aware FLAC edits: STREAMINFO fields (block sizes, frame sizes, rate, channels,
/// bits, total samples), metadata block headers, frame header bits.
pub fn mutate_flac(rng: &mut Rng, d: &mut [u8]) {
    // STREAMINFO body starts at 8 (after "fLaC" and its 4-byte block header).
    let si = 8usize;
    match rng.u8(..8) {
        0 => put_bits_be(d, si * 8, 16, u64::from(rng.u16(..))),
        1 => put_bits_be(d, si * 8 + 16, 16, u64::from(rng.u16(..))),
        2 => put_bits_be(
            d,
            si * 8 + 80,
            20,
            u64::from(RATES[rng.usize(..RATES.len())] & 0xfffff),
        ),
        3 => put_bits_be(d, si * 8 + 100, 3, u64::from(rng.u8(..8))),
        4 => put_bits_be(d, si * 8 + 103, 5, u64::from(rng.u8(..32))),
        5 => {
            let total = [0u64, 1, 0xf_ffff_ffff, 1 << 32, rng.u64(..1 << 36)][rng.usize(..5)];
            put_bits_be(d, si * 8 + 108, 36, total);
        }
        6 => {
            // A metadata block header: last-block flag, type, 24-bit length.
            let mut at = 4usize;
            let mut blocks = Vec::new();
            while at + 4 <= d.len() && blocks.len() < 16 {
                blocks.push(at);
                let len = (usize::from(d[at + 1]) << 16)
                    | (usize::from(d[at + 2]) << 8)
                    | usize::from(d[at + 3]);
                if d[at] & 0x80 != 0 {
                    break;
                }
                at += 4 + len;
            }
            if let Some(&b) = blocks.get(rng.usize(..blocks.len().max(1))) {
                match rng.u8(..3) {
                    0 => d[b] ^= 0x80,
                    1 => d[b] = (d[b] & 0x80) | rng.u8(..128),
                    _ => put_bits_be(d, b * 8 + 8, 24, u64::from(rng.u32(..1 << 24))),
                }
            }
        }
        _ => {
            // A frame header: find a sync code (0xFFF8 / 0xFFF9) and change its fields.
            let syncs: Vec<usize> = (42..d.len().saturating_sub(4))
                .filter(|&i| d[i] == 0xff && d[i + 1] & 0xfe == 0xf8)
                .take(64)
                .collect();
            if let Some(&s) = syncs.get(rng.usize(..syncs.len().max(1))) {
                let byte = s + 2 + rng.usize(..2);
                if let Some(b) = d.get_mut(byte) {
                    *b = rng.u8(..);
                }
            }
        }
    }
}

/// MPEG audio frame headers in the first part of the file.
fn mp3_syncs(d: &[u8]) -> Vec<usize> {
    (0..d.len().saturating_sub(4))
        .filter(|&i| d[i] == 0xff && d[i + 1] & 0xe0 == 0xe0)
        .take(256)
        .collect()
}

/// Structure-aware MP3 edits: frame header fields (version, layer, bitrate, rate, padding,
/// channel mode), the Xing/Info frame count, the ID3v2 tag size.
pub fn mutate_mp3(rng: &mut Rng, d: &mut Vec<u8>) {
    let syncs = mp3_syncs(d);
    match rng.u8(..5) {
        0 | 1 if !syncs.is_empty() => {
            let s = syncs[rng.usize(..syncs.len())];
            match rng.u8(..4) {
                // version + layer bits
                0 => d[s + 1] = 0xe0 | rng.u8(..32),
                // bitrate index, rate index, padding
                1 => d[s + 2] = rng.u8(..),
                // channel mode, mode extension, emphasis
                2 => d[s + 3] = rng.u8(..),
                _ => d[s + 1] ^= 1,
            }
        }
        2 => {
            if let Some(p) = d.windows(4).position(|w| w == b"Xing" || w == b"Info") {
                // flags then frames (big-endian)
                let at = p + 4 + 4 * rng.usize(..3);
                let v = interesting_u32(rng).to_be_bytes();
                if let Some(s) = d.get_mut(at..at + 4) {
                    s.copy_from_slice(&v);
                }
            }
        }
        3 if d.starts_with(b"ID3") && d.len() > 10 => {
            for b in &mut d[6..10] {
                *b = rng.u8(..) & 0x7f;
            }
        }
        _ => {
            // Splice a frame over another (duplicate or reorder frames).
            if syncs.len() > 2 {
                let a = syncs[rng.usize(..syncs.len() - 1)];
                let b = syncs[rng.usize(..syncs.len())];
                let n = rng.usize(4..600).min(d.len() - a);
                let piece = d[a..a + n].to_vec();
                d.splice(b..b, piece);
            }
        }
    }
}

/// CRC-32 of an Ogg page (polynomial 0x04c11db7, no reflection, initial value 0).
pub fn ogg_crc(page: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in page {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Ogg pages: (start, header length, total length).
fn ogg_pages(d: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 27 <= d.len() && &d[at..at + 4] == b"OggS" && out.len() < 256 {
        let nseg = usize::from(d[at + 26]);
        let hdr = 27 + nseg;
        if at + hdr > d.len() {
            break;
        }
        let body: usize = d[at + 27..at + hdr].iter().map(|&b| usize::from(b)).sum();
        out.push((at, hdr, hdr + body));
        at += hdr + body;
    }
    out
}

/// Recompute the CRC of the page at `at` (so that an edit gets past the checksum).
fn fix_ogg_crc(d: &mut [u8], at: usize, len: usize) {
    let end = (at + len).min(d.len());
    if at + 26 > end {
        return;
    }
    d[at + 22..at + 26].fill(0);
    let crc = ogg_crc(&d[at..end]);
    d[at + 22..at + 26].copy_from_slice(&crc.to_le_bytes());
}

/// Structure-aware Ogg edits: page header fields (flags, granule position, serial, sequence,
/// segment table), the Vorbis identification header (channels, rate, block sizes), with the page
/// CRC recomputed most of the time so that the edit reaches the reader.
pub fn mutate_ogg(rng: &mut Rng, d: &mut Vec<u8>) {
    let pages = ogg_pages(d);
    if pages.is_empty() {
        havoc(rng, d, 1, &[]);
        return;
    }
    let (at, hdr, len) = pages[rng.usize(..pages.len())];
    match rng.u8(..7) {
        0 => d[at + 5] = rng.u8(..8),
        1 => {
            let g = [0u64, 1, u64::MAX, 1 << 40, rng.u64(..)][rng.usize(..5)];
            if let Some(s) = d.get_mut(at + 6..at + 14) {
                s.copy_from_slice(&g.to_le_bytes());
            }
        }
        2 => put_u32_le(d, at + 14, interesting_u32(rng)),
        3 => put_u32_le(d, at + 18, interesting_u32(rng)),
        4 if hdr > 27 => {
            let i = at + 27 + rng.usize(..hdr - 27);
            d[i] = rng.u8(..);
        }
        5 => {
            // The first page holds the Vorbis id header: 0x01 "vorbis" version channels rate ...
            let (p0, h0, _) = pages[0];
            let id = p0 + h0;
            match rng.u8(..4) {
                0 => {
                    if let Some(b) = d.get_mut(id + 11) {
                        *b = [0u8, 1, 2, 3, 8, 255][rng.usize(..6)];
                    }
                }
                1 => put_u32_le(d, id + 12, RATES[rng.usize(..RATES.len())]),
                2 => {
                    if let Some(b) = d.get_mut(id + 28) {
                        *b = rng.u8(..);
                    }
                }
                _ => put_u32_le(d, id + 7, interesting_u32(rng)),
            }
            if rng.u8(..5) != 0 {
                fix_ogg_crc(d, p0, pages[0].2);
            }
            return;
        }
        _ => {
            // Edit the body, keeping the CRC right.
            if len > hdr {
                let i = at + hdr + rng.usize(..len - hdr);
                if let Some(b) = d.get_mut(i) {
                    *b ^= 1 << rng.u8(..8);
                }
            }
        }
    }
    if rng.u8(..5) != 0 {
        fix_ogg_crc(d, at, len);
    }
}

/// One structure-aware edit for the container `kind`, else havoc.
pub fn mutate_audio(rng: &mut Rng, d: &mut Vec<u8>, other: &[u8]) {
    let kind = audio_kind(d);
    let edits = 1 + rng.usize(..3);
    for _ in 0..edits {
        match (kind, rng.u8(..10)) {
            (_, 0) => {
                let rounds = 1 + rng.usize(..8);
                havoc(rng, d, rounds, other)
            }
            (_, 1) if !d.is_empty() => {
                let n = d.len();
                d.truncate(rng.usize(..n));
            }
            (AudioKind::Wav, _) => mutate_wav(rng, d),
            (AudioKind::Flac, _) => mutate_flac(rng, d),
            (AudioKind::Mp3, _) => mutate_mp3(rng, d),
            (AudioKind::Ogg, _) => mutate_ogg(rng, d),
            _ => {
                let rounds = 1 + rng.usize(..4);
                havoc(rng, d, rounds, other)
            }
        }
    }
}

/// Tokens that break text parsers: type swaps, huge and odd numbers, odd unicode, structure.
const TEXT_TOKENS: [&str; 40] = [
    "true",
    "false",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "[[",
    "]]",
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "\"",
    "'",
    "\n",
    "\r\n",
    "#",
    "0",
    "-1",
    "-0",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "0.000000000000000000000000000000000001",
    "4294967296",
    "\u{202e}",
    "\u{0}",
    "é",
    "呼叫",
    "😀",
    "\u{feff}",
    "\\u0000",
    "1979-05-27T07:32:00Z",
];

/// Split text into tokens: runs of word characters, runs of spaces, single other characters.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' {
            0
        } else if c == ' ' || c == '\t' {
            1
        } else {
            2
        }
    };
    let mut prev: Option<u8> = None;
    for (i, c) in s.char_indices() {
        let k = class(c);
        if prev.is_some_and(|p| p != k || k == 2) {
            out.push(&s[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Token- and line-level text edits: dictionary tokens, type swaps, deletions, duplications,
/// swaps, splices of lines from another seed, huge and long values.
pub fn mutate_text(rng: &mut Rng, text: &str, other: &str) -> String {
    let mut toks: Vec<String> = tokens(text).into_iter().map(String::from).collect();
    let other_toks = tokens(other);
    let edits = 1 + rng.usize(..4);
    for _ in 0..edits {
        let n = toks.len();
        match rng.u8(..11) {
            0 | 1 if n > 0 => {
                let i = rng.usize(..n);
                toks[i] = TEXT_TOKENS[rng.usize(..TEXT_TOKENS.len())].to_string();
            }
            2 if n > 0 => {
                toks.remove(rng.usize(..n));
            }
            3 if n > 0 => {
                let i = rng.usize(..n);
                let t = toks[i].clone();
                toks.insert(rng.usize(..=n), t);
            }
            4 if n > 1 => {
                let (a, b) = (rng.usize(..n), rng.usize(..n));
                toks.swap(a, b);
            }
            5 if !other_toks.is_empty() => {
                let t = other_toks[rng.usize(..other_toks.len())].to_string();
                toks.insert(rng.usize(..=n), t);
            }
            6 if n > 0 => {
                // A number made huge, negative or fractional.
                let nums: Vec<usize> = (0..n)
                    .filter(|&i| toks[i].chars().all(|c| c.is_ascii_digit()) && !toks[i].is_empty())
                    .collect();
                if let Some(&i) = nums.get(rng.usize(..nums.len().max(1))) {
                    toks[i] = [
                        "99999999999999999999",
                        "-5",
                        "0",
                        "1.5",
                        "4294967295",
                        "65536",
                    ][rng.usize(..6)]
                    .to_string();
                }
            }
            7 if n > 0 => {
                // A long value.
                let i = rng.usize(..n);
                let unit = ["a", "呼", "\"", ",", "["][rng.usize(..5)];
                toks[i] = unit.repeat(rng.usize(1..5000));
            }
            8 => {
                // Line edits: delete, duplicate or splice a line from the other seed.
                let joined = toks.concat();
                let mut lines: Vec<String> = joined.split('\n').map(String::from).collect();
                let m = lines.len();
                match rng.u8(..3) {
                    0 if m > 1 => {
                        lines.remove(rng.usize(..m));
                    }
                    1 if m > 0 => {
                        let l = lines[rng.usize(..m)].clone();
                        lines.insert(rng.usize(..=m), l);
                    }
                    _ => {
                        let ol: Vec<&str> = other.split('\n').collect();
                        if !ol.is_empty() {
                            let l = ol[rng.usize(..ol.len())].to_string();
                            lines.insert(rng.usize(..=m), l);
                        }
                    }
                }
                toks = tokens(&lines.join("\n"))
                    .into_iter()
                    .map(String::from)
                    .collect();
            }
            9 => {
                let i = rng.usize(..=n);
                toks.insert(
                    i,
                    char::from_u32(rng.u32(..0x11_0000))
                        .unwrap_or('?')
                        .to_string(),
                );
            }
            _ => {
                let i = rng.usize(..=n);
                toks.insert(i, TEXT_TOKENS[rng.usize(..TEXT_TOKENS.len())].to_string());
            }
        }
    }
    toks.concat()
}

/// CSV field edits: drop or add a column, empty, quoted, multi-line or odd fields, short and
/// long rows; then maybe token edits.
pub fn mutate_csv(rng: &mut Rng, text: &str, other: &str) -> String {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    for _ in 0..1 + rng.usize(..3) {
        let nrows = rows.len();
        if nrows == 0 {
            rows.push(vec![String::new()]);
            continue;
        }
        let r = rng.usize(..nrows);
        let nf = rows[r].len();
        match rng.u8(..8) {
            0 => {
                let c = rng.usize(..nf.max(1));
                for row in &mut rows {
                    if c < row.len() {
                        row.remove(c);
                    }
                }
            }
            1 => rows[r].push(["extra", "", "\"", "a,b"][rng.usize(..4)].to_string()),
            2 if nf > 0 => {
                let c = rng.usize(..nf);
                rows[r][c] = [
                    "",
                    "\"\"",
                    "\"a\"\"b\"",
                    "\"line\nbreak\"",
                    "\"unterminated",
                    "../../etc/passwd",
                    "/",
                    "2026-13-45T25:61:61",
                    "20261102T091500",
                    "2026-11-02T09:15:00+14:00",
                    "99999999-99-99",
                    "\u{0}",
                    "呼叫",
                ][rng.usize(..13)]
                .to_string();
            }
            3 if nf > 0 => rows[r].truncate(rng.usize(..nf)),
            4 => {
                let row = rows[r].clone();
                rows.insert(rng.usize(..=nrows), row);
            }
            5 if nrows > 1 => {
                rows.remove(rng.usize(1..nrows));
            }
            6 if nf > 1 => {
                // Header columns swapped (or a data row's).
                let (a, b) = (rng.usize(..nf), rng.usize(..nf));
                rows[r].swap(a, b);
            }
            _ => {}
        }
    }
    let sep = if rng.u8(..8) == 0 { "\r\n" } else { "\n" };
    let out = rows
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join(sep);
    if rng.u8(..3) == 0 {
        mutate_text(rng, &out, other)
    } else {
        out
    }
}

fn odd_json(rng: &mut Rng) -> serde_json::Value {
    use serde_json::{Value, json};
    match rng.u8(..12) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(u64::MAX),
        4 => json!(i64::MIN),
        5 => json!(1.5e300),
        6 => json!(""),
        7 => json!("../../../etc"),
        8 => json!([]),
        9 => json!({}),
        10 => json!("x".repeat(rng.usize(1..10_000))),
        _ => json!({"table": "calls", "path": "../x.parquet", "rows": 1}),
    }
}

/// Walk to a random node of a JSON tree and change it: a value of another type, a removed or
/// added key, a removed or duplicated array element, deep nesting.
fn mutate_json_value(rng: &mut Rng, v: &mut serde_json::Value, depth: usize) {
    use serde_json::Value;
    let descend = depth < 6 && rng.u8(..3) != 0;
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let k = &keys[rng.usize(..keys.len())];
            match rng.u8(..6) {
                0 => {
                    map.remove(k);
                }
                1 => {
                    map.insert(format!("{k}_x"), odd_json(rng));
                }
                _ => {
                    if let Some(child) = map.get_mut(k) {
                        mutate_json_value(rng, child, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.usize(..items.len());
            match rng.u8(..5) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let it = items[i].clone();
                    for _ in 0..rng.usize(1..50) {
                        items.push(it.clone());
                    }
                }
                _ => mutate_json_value(rng, &mut items[i], depth + 1),
            }
        }
        _ => {
            *v = if rng.u8(..10) == 0 {
                // Deep nesting (serde_json's recursion limit must turn it into an error).
                let n = rng.usize(100..2000);
                let s = format!("{}1{}", "[".repeat(n), "]".repeat(n));
                serde_json::from_str(&s).unwrap_or(Value::Null)
            } else {
                odd_json(rng)
            };
        }
    }
}

/// JSON edits: structural (tree) edits most of the time, then sometimes token edits on the
/// printed text.
pub fn mutate_json(rng: &mut Rng, text: &str, other: &str) -> String {
    let mut out = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) if rng.u8(..4) != 0 => {
            for _ in 0..1 + rng.usize(..3) {
                mutate_json_value(rng, &mut v, 0);
            }
            if rng.bool() {
                serde_json::to_string_pretty(&v).unwrap_or_default()
            } else {
                v.to_string()
            }
        }
        _ => text.to_string(),
    };
    if rng.u8(..3) == 0 || out == text {
        out = mutate_text(rng, &out, other);
    }
    if rng.u8(..10) == 0 {
        // Deep nesting in text form (the tree form is capped by serde_json itself).
        let n = rng.usize(100..100_000);
        out = format!("{}{}", "[".repeat(n), out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ogg_crc_matches_a_page_written_by_libvorbis() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/tone_stereo_8k.ogg");
        let d = std::fs::read(path).expect("corpus ogg");
        let pages = ogg_pages(&d);
        assert!(pages.len() >= 2);
        for (at, _, len) in pages {
            let mut page = d[at..at + len].to_vec();
            let want = get_u32_le(&page, 22);
            page[22..26].fill(0);
            assert_eq!(Some(ogg_crc(&page)), want);
        }
    }

    #[test]
    fn shortened_wav_keeps_consistent_sizes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/quad_8k.wav");
        let d = std::fs::read(path).expect("corpus wav");
        let s = shorten_wav(&d, 4800);
        let chunks = wav_chunks(&s);
        let data = chunks.iter().find(|c| &c.id == b"data").copied();
        assert_eq!(data.map(|c| c.size), Some(4800));
        assert_eq!(get_u32_le(&s, 4), Some(s.len() as u32 - 8));
    }

    #[test]
    fn mutators_are_deterministic_per_seed_and_change_the_input() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/mulaw_8k.wav");
        let d = std::fs::read(path).expect("corpus wav");
        let run = |seed| {
            let mut rng = Rng::with_seed(seed);
            let mut x = d.clone();
            mutate_audio(&mut rng, &mut x, &[]);
            x
        };
        assert_eq!(run(7), run(7));
        let changed = (0..50).filter(|&s| run(s) != d).count();
        assert!(
            changed >= 45,
            "only {changed} of 50 mutations changed the file"
        );
    }

    #[test]
    fn text_tokens_round_trip() {
        let s = "[pipeline]\nname = \"x\" # c\nv = 1.5\n呼叫";
        assert_eq!(tokens(s).concat(), s);
    }
}
