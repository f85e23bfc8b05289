//! The documented input limits: file size, duration (header and streamed), channels (map or
//! refuse), sample rates; each refusal is one line naming the file. Regression tests for the
//! bugs the fuzz harness (crates/callqa-fuzz) found are named after them.

mod common;

use callqa_audio::{
    DecodeOptions, ErrorKind, Limits, decode_16k, decode_16k_with, open, open_with, probe,
};
use common::{crossings_per_s, sox_tone};
use std::path::Path;

fn one_line_naming(e: &callqa_audio::AudioError, path: &Path) -> String {
    let s = e.to_string();
    assert!(
        s.starts_with(&format!("{}: ", path.display())),
        "error does not name the file: {s}"
    );
    assert!(!s.contains('\n'), "multi-line error: {s}");
    s
}

/// A minimal PCM WAV header (44 bytes) with the given fields, followed by `data`.
fn wav(channels: u16, rate: u32, bits: u16, data_size: u32, data: &[u8]) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&36u32.saturating_add(data_size).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    v.extend_from_slice(&block.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_size.to_le_bytes());
    v.extend_from_slice(data);
    v
}

#[test]
fn sample_rates_outside_8_to_192_khz_are_refused_by_probe_and_decode() {
    let dir = tempfile::tempdir().expect("temp dir");
    for rate in [6_000u32, 200_000] {
        let p = sox_tone(
            dir.path(),
            &format!("r{rate}.wav"),
            &["-r", &rate.to_string()],
            0.2,
            &[300],
        );
        for e in [
            probe(&p).expect_err("probe must refuse"),
            decode_16k(&p, &DecodeOptions::default()).expect_err("decode must refuse"),
        ] {
            let s = one_line_naming(&e, &p);
            assert!(
                matches!(e.kind(), ErrorKind::SampleRate(r) if *r == rate),
                "{s}"
            );
            assert!(s.contains("8000..=192000 Hz"), "{s}");
        }
    }
    // The ends of the range are accepted.
    for rate in [8_000u32, 192_000] {
        let p = sox_tone(
            dir.path(),
            &format!("ok{rate}.wav"),
            &["-r", &rate.to_string()],
            0.2,
            &[300],
        );
        let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
        assert_eq!(d.channels[0].len(), 3_200);
    }
}

/// Found by the fuzz harness (seed 1, case 0xc4ca37b7f8ad8aff): a WAV `fmt ` chunk claiming
/// 2147483647 Hz made the resampler set-up run for minutes. Now refused at once.
#[test]
fn wav_header_claiming_2147483647_hz_is_refused_not_hung() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("huge_rate.wav");
    std::fs::write(&p, wav(1, 0x7fff_ffff, 16, 2000, &[0u8; 2000])).expect("write");
    let t = std::time::Instant::now();
    let e = open(&p, &DecodeOptions::default())
        .err()
        .expect("must refuse");
    assert!(
        matches!(e.kind(), ErrorKind::SampleRate(0x7fff_ffff)),
        "{e}"
    );
    assert!(t.elapsed().as_secs() < 2, "took {:?}", t.elapsed());
}

/// Found by reading the reservation code while writing the fuzz harness's allocation guard: a
/// header claiming billions of frames made `decode_16k` reserve up to 1 GiB per channel for a
/// file of a few bytes. The reservation is now bounded by the file size.
#[test]
fn header_claiming_4_billion_frames_does_not_reserve_gigabytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("liar.wav");
    // 0xFFFF_FF00 bytes of 16-bit mono claimed, 3200 bytes present.
    std::fs::write(&p, wav(1, 16_000, 16, 0xffff_ff00, &[0u8; 3200])).expect("write");
    let d = decode_16k_with(&p, &DecodeOptions::default(), &Limits::none()).expect("decode");
    assert_eq!(d.channels[0].len(), 1600);
    assert!(d.info.truncated);
    assert!(
        d.channels[0].capacity() < 1 << 20,
        "reserved {} frames for a 3 KB file",
        d.channels[0].capacity()
    );
    // With the default limits the header alone is over the 3-hour limit.
    let e = decode_16k(&p, &DecodeOptions::default()).expect_err("too long");
    let s = one_line_naming(&e, &p);
    assert!(
        matches!(
            e.kind(),
            ErrorKind::TooLong {
                at_least: false,
                ..
            }
        ),
        "{s}"
    );
    assert!(s.contains("134218 s long, over the 10800 s limit"), "{s}");
}

#[test]
fn file_over_the_size_limit_is_refused_before_decoding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(dir.path(), "a.wav", &["-r", "8000"], 1.0, &[300]);
    let size = std::fs::metadata(&p).expect("meta").len();
    let limits = Limits {
        max_file_bytes: Some(size - 1),
        ..Limits::default()
    };
    let e = open_with(&p, &DecodeOptions::default(), &limits)
        .err()
        .expect("refuse");
    let s = one_line_naming(&e, &p);
    assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{s}");
    assert!(
        s.contains(&format!(
            "file is {size} bytes, over the {}-byte limit",
            size - 1
        )),
        "{s}"
    );
    let at_limit = Limits {
        max_file_bytes: Some(size),
        ..Limits::default()
    };
    assert!(decode_16k_with(&p, &DecodeOptions::default(), &at_limit).is_ok());
}

#[test]
fn duration_limit_uses_the_header_before_decoding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(dir.path(), "two.flac", &["-r", "8000"], 2.0, &[300]);
    let limits = Limits {
        max_duration_s: Some(1.5),
        ..Limits::default()
    };
    let e = open_with(&p, &DecodeOptions::default(), &limits)
        .err()
        .expect("refuse");
    let s = one_line_naming(&e, &p);
    assert!(
        s.ends_with("recording is 2 s long, over the 1.5 s limit (max_duration_s)"),
        "{s}"
    );
    let ok = Limits {
        max_duration_s: Some(2.0),
        ..Limits::default()
    };
    assert!(decode_16k_with(&p, &DecodeOptions::default(), &ok).is_ok());
}

#[test]
fn stream_without_a_length_stops_as_soon_as_it_passes_the_duration_limit() {
    // A WAV written to a pipe says nothing about its length (data size 0xFFFFFFFF).
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=f=500:r=8000:d=5",
        ])
        .args(["-c:a", "pcm_s16le", "-f", "wav", "-"])
        .output()
        .expect("ffmpeg runs (install with scripts/setup.sh)");
    assert!(out.status.success());
    let p = dir.path().join("piped.wav");
    std::fs::write(&p, &out.stdout).expect("write");
    // Clearly over the limit by its file size: refused before decoding.
    let limits = Limits {
        max_duration_s: Some(2.0),
        ..Limits::default()
    };
    let e = open_with(&p, &DecodeOptions::default(), &limits)
        .err()
        .expect("refused by size");
    let s = one_line_naming(&e, &p);
    assert!(
        s.contains("recording is 5 s long, over the 2 s limit"),
        "{s}"
    );
    // Within the file-size slack (1% + 1 s): decoded until it passes the limit.
    let limits = Limits {
        max_duration_s: Some(4.5),
        ..Limits::default()
    };
    let mut stream = open_with(&p, &DecodeOptions::default(), &limits).expect("open");
    let mut got = 0usize;
    let err = loop {
        match stream.next() {
            Some(Ok(b)) => got += b.frames(),
            Some(Err(e)) => break e,
            None => panic!("a 5 s stream passed a 4.5 s limit"),
        }
    };
    let s = one_line_naming(&err, &p);
    assert!(
        matches!(err.kind(), ErrorKind::TooLong { at_least: true, .. }),
        "{s}"
    );
    assert!(
        s.contains("recording is at least 5 s long, over the 4.5 s limit"),
        "{s}"
    );
    // It stopped near the limit, not at the end of the file.
    assert!(got <= 72_000 + 16_000, "read {got} frames");
    assert!(stream.next().is_none());
}

#[test]
fn more_than_two_channels_need_a_channel_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(
        dir.path(),
        "quad.wav",
        &["-r", "8000", "-c", "4"],
        1.0,
        &[300, 500, 700, 900],
    );
    // probe reports the recording as it is...
    assert_eq!(probe(&p).expect("probe").channels, 4);
    // ...decoding refuses it without a map,
    let e = decode_16k(&p, &DecodeOptions::default()).expect_err("refuse");
    let s = one_line_naming(&e, &p);
    assert!(matches!(e.kind(), ErrorKind::TooManyChannels(4)), "{s}");
    assert!(s.contains("set channel_map"), "{s}");
    // ...and keeps the mapped channels, in the map's order.
    let limits = Limits {
        channel_map: Some(vec![3, 1]),
        ..Limits::default()
    };
    let d = decode_16k_with(&p, &DecodeOptions::default(), &limits).expect("decode");
    assert_eq!(d.channels.len(), 2);
    assert_eq!(d.info.channels, 4);
    for (ch, f) in d.channels.iter().zip([900.0, 500.0]) {
        let c = crossings_per_s(ch, 16_000);
        assert!((c - f).abs() < 10.0, "expected {f} Hz, got {c}");
    }
    let mono = decode_16k_with(
        &p,
        &DecodeOptions {
            mono_mix: true,
            ..Default::default()
        },
        &limits,
    )
    .expect("mono");
    assert_eq!(mono.channels.len(), 1);
    for (map, why) in [
        (vec![0, 4], "past the last channel"),
        (vec![2, 2], "the same channel twice"),
        (vec![], "one or two channels"),
        (vec![0, 1, 2], "one or two channels"),
    ] {
        let bad = Limits {
            channel_map: Some(map),
            ..Limits::default()
        };
        let e = decode_16k_with(&p, &DecodeOptions::default(), &bad).expect_err("bad map");
        let s = one_line_naming(&e, &p);
        assert!(s.contains(why), "{s}");
    }
    // Stereo ignores the map.
    let st = sox_tone(
        dir.path(),
        "st.wav",
        &["-r", "8000", "-c", "2"],
        0.5,
        &[300, 500],
    );
    let d = decode_16k_with(&st, &DecodeOptions::default(), &limits).expect("stereo");
    assert_eq!(d.channels.len(), 2);
}

/// Found by the fuzz harness (seed 20261203, cases 0x2cd6e052e3362005 and 0xcd80fdbc574f3423;
/// then seed 1, case 0x48057e89b3b8dc21 with finite but huge values): a float WAV holding NaN,
/// infinite or huge samples made rubato's FFT resampler panic ("Imaginary part of first value
/// was non-zero"). Non-finite samples are now read as silence and the others clipped to
/// [-1, 1], with a warning each, and the rest of the stream is kept.
#[test]
fn float_wav_with_nan_and_infinite_samples_decodes_without_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("nan.wav");
    let mut samples: Vec<f32> = (0..8_000).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
    samples[100] = f32::NAN;
    samples[2_000] = f32::INFINITY;
    samples[4_000] = f32::NEG_INFINITY;
    samples[6_000] = 7.5;
    samples[7_000] = -3.0e38;
    samples[7_001] = 3.0e38;
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut bytes = wav(1, 8_000, 32, data.len() as u32, &data);
    bytes[20..22].copy_from_slice(&3u16.to_le_bytes()); // WAVE_FORMAT_IEEE_FLOAT
    std::fs::write(&p, bytes).expect("write");
    let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
    assert_eq!(d.channels[0].len(), 16_000);
    assert!(d.channels[0].iter().all(|v| v.is_finite()));
    assert!(
        d.info
            .warnings
            .iter()
            .any(|w| w.contains("3 samples not finite")),
        "{:?}",
        d.info.warnings
    );
    assert!(
        d.info
            .warnings
            .iter()
            .any(|w| w.contains("3 samples outside [-1, 1]; clipped")),
        "{:?}",
        d.info.warnings
    );
    assert!(d.channels[0].iter().all(|v| v.abs() <= 1.5));
    // Every rate goes through the FFT resampler without panicking on them.
    for rate in [8_000u32, 44_100, 192_000] {
        let mut bytes = wav(1, rate, 32, data.len() as u32, &data);
        bytes[20..22].copy_from_slice(&3u16.to_le_bytes());
        std::fs::write(&p, bytes).expect("write");
        let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
        assert!(d.channels[0].iter().all(|v| v.is_finite()));
    }
}

/// Found by the fuzz harness (1-hour run, seed 1, case 0xb53d40162dd7e24e; the input is
/// tests/data/fuzz-vorbis-setup-lookup1-panic.ogg): a Vorbis setup header with a mutated
/// codebook made symphonia-format-ogg 0.6.1 panic in `lookup1_values`. It is now a one-line
/// error naming the file, from probe and decode alike.
#[test]
fn ogg_vorbis_setup_header_that_panics_symphonia_is_a_clean_error() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz-vorbis-setup-lookup1-panic.ogg");
    for e in [
        probe(&p).expect_err("probe must refuse"),
        decode_16k(&p, &DecodeOptions::default()).expect_err("decode must refuse"),
    ] {
        let s = one_line_naming(&e, &p);
        assert!(
            s.contains("damaged data made the decoder library fail"),
            "{s}"
        );
    }
}

#[test]
fn compressed_stream_without_a_length_is_refused_before_decoding() {
    // A FLAC written to a pipe (STREAMINFO total 0) says nothing about its length, and its file
    // size does not tell it either; for an MP3 with no Xing/Info frame the reader estimates it.
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, codec_args) in [
        (
            "no_xing.mp3",
            &["-c:a", "libmp3lame", "-write_xing", "0", "-f", "mp3"][..],
        ),
        ("piped.flac", &["-c:a", "flac", "-f", "flac"][..]),
    ] {
        let out = std::process::Command::new("ffmpeg")
            .args([
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "sine=f=500:r=8000:d=5",
            ])
            .args(codec_args)
            .arg("-")
            .output()
            .expect("ffmpeg runs (install with scripts/setup.sh)");
        assert!(out.status.success(), "{name}");
        let p = dir.path().join(name);
        std::fs::write(&p, &out.stdout).expect("write");
        if name.ends_with(".flac") {
            assert_eq!(probe(&p).expect("probe").header_frames, None, "{name}");
        }
        let limits = Limits {
            max_duration_s: Some(2.0),
            ..Limits::default()
        };
        // Refused when opened: no block is ever decoded.
        let e = open_with(&p, &DecodeOptions::default(), &limits)
            .err()
            .expect("refused when opened");
        let s = one_line_naming(&e, &p);
        assert!(matches!(e.kind(), ErrorKind::TooLong { .. }), "{s}");
        assert!(s.contains("over the 2 s limit"), "{s}");
        // Within the limit it decodes whole.
        let limits = Limits {
            max_duration_s: Some(6.0),
            ..Limits::default()
        };
        let d = callqa_audio::decode_16k_with(&p, &DecodeOptions::default(), &limits)
            .expect("within the limit");
        let secs = d.channels[0].len() as f64 / 16_000.0;
        // An MP3 without an Info frame keeps its encoder delay and padding (about 0.2 s).
        assert!((secs - 5.0).abs() < 0.25, "{name}: {secs} s");
    }
}
