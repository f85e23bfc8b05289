//! The player's audio: a call's recording decoded with `callqa-audio` and handed to the browser as
//! 16 kHz 16-bit PCM WAV (channels kept: agent and customer stay left and right on a stereo call),
//! with HTTP range requests.
//!
//! Why transcode: the store's recordings are often 8 kHz G.711 mu-law/A-law WAV, FLAC or MP3,
//! and browsers do not all play G.711 WAV; 16-bit PCM WAV plays everywhere, and every byte
//! offset of it maps to a time, which makes seeking exact. Decoded files are kept in a small
//! in-memory cache (by total size) so that the range requests of one playback decode once.

use crate::ServeError;
use callqa_audio::{DecodeOptions, TARGET_RATE_HZ, open};
use std::collections::VecDeque;
use std::ops::RangeInclusive;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Bytes of decoded WAV the cache keeps at most (a 10-minute stereo call is 38 MB).
pub const CACHE_BYTES: usize = 256 << 20;

/// A recording as 16-bit PCM WAV at 16 kHz.
pub fn wav_bytes(path: &Path) -> Result<Vec<u8>, ServeError> {
    let stream = open(path, &DecodeOptions::default())?;
    let channels = stream.output_channels().max(1);
    let expected = stream.expected_output_frames().unwrap_or(0).min(1 << 28) as usize;
    let mut data: Vec<u8> = Vec::with_capacity(44 + expected * channels * 2);
    data.extend_from_slice(&[0u8; 44]);
    for block in stream {
        let block = block?;
        for f in 0..block.frames() {
            for ch in &block.channels {
                let v = (ch[f].clamp(-1.0, 1.0) * 32767.0).round() as i16;
                data.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    let data_len = u32::try_from(data.len() - 44).map_err(|_| ServeError::Audio {
        path: path.to_path_buf(),
        message: "longer than a WAV file can hold at 16 kHz".into(),
    })?;
    let ch = channels as u16;
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data_len).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes()); // PCM
    h.extend_from_slice(&ch.to_le_bytes());
    h.extend_from_slice(&TARGET_RATE_HZ.to_le_bytes());
    h.extend_from_slice(&(TARGET_RATE_HZ * u32::from(ch) * 2).to_le_bytes());
    h.extend_from_slice(&(ch * 2).to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_len.to_le_bytes());
    data[..44].copy_from_slice(&h);
    Ok(data)
}

/// Decoded recordings by call id, least recently used dropped first.
#[derive(Debug, Default)]
pub struct AudioCache {
    entries: Mutex<VecDeque<(String, Arc<Vec<u8>>)>>,
}

impl AudioCache {
    /// The cached WAV of a call, if any (and marks it recently used).
    pub fn get(&self, call_id: &str) -> Option<Arc<Vec<u8>>> {
        let mut e = self.entries.lock().ok()?;
        let pos = e.iter().position(|(id, _)| id == call_id)?;
        let item = e.remove(pos)?;
        let bytes = item.1.clone();
        e.push_front(item);
        Some(bytes)
    }

    /// Keeps a call's WAV, dropping the oldest ones past [`CACHE_BYTES`].
    pub fn put(&self, call_id: &str, bytes: Arc<Vec<u8>>) {
        let Ok(mut e) = self.entries.lock() else {
            return;
        };
        e.retain(|(id, _)| id != call_id);
        e.push_front((call_id.to_string(), bytes));
        let mut total = 0usize;
        let mut keep = 0usize;
        for (_, b) in e.iter() {
            total += b.len();
            if total > CACHE_BYTES && keep > 0 {
                break;
            }
            keep += 1;
        }
        e.truncate(keep);
    }
}

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeAnswer {
    /// No (usable) range: the whole body, 200.
    Full,
    /// One satisfiable range: 206 with these bytes.
    Partial(RangeInclusive<u64>),
    /// Not satisfiable: 416.
    Unsatisfiable,
}

/// Reads a `Range` header against a body of `len` bytes (RFC 9110: only the first range of a
/// multi-range request is served; a header that does not parse is ignored, as the RFC allows).
pub fn range_answer(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(h) = header else {
        return RangeAnswer::Full;
    };
    let Ok(parsed) = http_range_header::parse_range_header(h) else {
        return RangeAnswer::Full;
    };
    match parsed.validate(len) {
        Ok(ranges) => match ranges.into_iter().next() {
            Some(r) => RangeAnswer::Partial(r),
            None => RangeAnswer::Full,
        },
        Err(_) => RangeAnswer::Unsatisfiable,
    }
}
