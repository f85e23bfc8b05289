//! Redacted copies of recordings (`[privacy] redact_audio`): the recording decoded to 16 kHz,
//! every channel, with a tone over every span of personal data the text stage found
//! (`utterances.pii_spans`), written as 16-bit PCM WAV. The copy streams block by block, never
//! holding the whole recording.

use std::path::{Path, PathBuf};

/// Frequency of the tone laid over personal data, Hz.
pub const TONE_HZ: f32 = 1000.0;
/// Its amplitude (full scale 1.0): about -20 dBFS, audible, not painful.
pub const TONE_AMPLITUDE: f32 = 0.1;

/// A redacted copy that could not be made. Display names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum RedactAudioError {
    /// The recording could not be decoded.
    #[error(transparent)]
    Audio(#[from] callqa_audio::AudioError),
    /// The copy could not be written.
    #[error("{path}: cannot write the redacted copy: {message}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The time spans (ms) of a call's `pii_spans` column values; values that do not parse are
/// skipped (the caller's rows were built by this crate, so none should).
pub fn pii_times<'a>(spans_json: impl IntoIterator<Item = &'a str>) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = spans_json
        .into_iter()
        .filter_map(|j| callqa_text::spans_from_json(j).ok())
        .flatten()
        .map(|s| (s.start_ms, s.end_ms))
        .filter(|(a, b)| b > a)
        .collect();
    out.sort_unstable();
    out
}

/// Write `source` to `dest` with a tone over every span in `spans` (ms, sorted), on every
/// channel. Returns the frames masked. Writes `dest` whole or not at all (a temporary file is
/// renamed into place).
pub fn write_redacted(
    source: &Path,
    dest: &Path,
    spans: &[(u64, u64)],
) -> Result<u64, RedactAudioError> {
    let werr = |e: &dyn std::fmt::Display| RedactAudioError::Write {
        path: dest.to_path_buf(),
        message: e.to_string(),
    };
    let stream = callqa_audio::open(source, &callqa_audio::DecodeOptions::default())?;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| werr(&e))?;
    }
    let rate = callqa_audio::TARGET_RATE_HZ;
    let spec = hound::WavSpec {
        channels: stream.output_channels().max(1) as u16,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let tmp = dest.with_extension("wav.part");
    let mut w = hound::WavWriter::create(&tmp, spec).map_err(|e| werr(&e))?;
    let mut masked = 0u64;
    let mut next_span = 0usize;
    let step = 2.0 * std::f32::consts::PI * TONE_HZ / rate as f32;
    for block in stream {
        let block = block?;
        for f in 0..block.frames() {
            let frame = block.start_frame + f as u64;
            let ms = frame * 1000 / u64::from(rate);
            while next_span < spans.len() && spans[next_span].1 <= ms {
                next_span += 1;
            }
            let hide = spans
                .get(next_span)
                .is_some_and(|&(a, b)| a <= ms && ms < b);
            let tone = TONE_AMPLITUDE * (step * (frame % u64::from(rate)) as f32).sin();
            masked += u64::from(hide);
            for ch in &block.channels {
                let v = if hide { tone } else { ch[f] };
                let s = (v.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16;
                w.write_sample(s).map_err(|e| werr(&e))?;
            }
        }
    }
    w.finalize().map_err(|e| werr(&e))?;
    std::fs::rename(&tmp, dest).map_err(|e| werr(&e))?;
    Ok(masked)
}

/// A file name for a call id: characters other than letters, digits, `-`, `_` and `.` become `_`.
pub fn file_stem(call_id: &str) -> String {
    let s: String = call_id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("call_{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_the_column_values_are_read_and_sorted() {
        let a = r#"[{"type":"phone","start_char":2,"end_char":13,"start_ms":1200,"end_ms":2300}]"#;
        let b = r#"[{"type":"name","start_char":0,"end_char":2,"start_ms":100,"end_ms":400}]"#;
        assert_eq!(
            pii_times([a, "[]", b, "oops"]),
            vec![(100, 400), (1200, 2300)]
        );
    }

    #[test]
    fn the_copy_has_a_tone_over_the_spans_and_the_speech_elsewhere() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("in.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&src, spec).expect("create");
        // One second of a 300 Hz "voice" at half scale on both channels.
        for n in 0..16_000 {
            let v = (0.5
                * (2.0 * std::f32::consts::PI * 300.0 * n as f32 / 16_000.0).sin()
                * 32767.0) as i16;
            w.write_sample(v).expect("write");
            w.write_sample(v).expect("write");
        }
        w.finalize().expect("finalize");
        let dest = dir.path().join("redacted_audio").join("c1.wav");
        let masked = write_redacted(&src, &dest, &[(250, 500)]).expect("redact");
        assert_eq!(masked, 4000);
        let mut r = hound::WavReader::open(&dest).expect("open copy");
        assert_eq!(r.spec().channels, 2);
        let s: Vec<i16> = r.samples::<i16>().map(|x| x.expect("sample")).collect();
        assert_eq!(s.len(), 32_000);
        let peak = |from_ms: usize, to_ms: usize| {
            s[from_ms * 32..to_ms * 32]
                .iter()
                .map(|v| v.unsigned_abs())
                .max()
                .unwrap_or(0)
        };
        let tone_peak = (TONE_AMPLITUDE * 32767.0) as u16;
        assert!(
            peak(260, 490) <= tone_peak + 1,
            "masked part is only the tone"
        );
        assert!(peak(600, 900) > 10_000, "the rest is the speech");
        assert!(
            !dir.path()
                .join("redacted_audio")
                .join("c1.wav.part")
                .exists()
        );
    }

    #[test]
    fn call_ids_become_safe_file_names() {
        assert_eq!(file_stem("call-01"), "call-01");
        assert_eq!(file_stem("../x/y"), "call_.._x_y");
        assert_eq!(file_stem("a b/c"), "a_b_c");
    }
}
