//! End-to-end tests of probe / open / decode_16k on audio generated with sox and ffmpeg.

mod common;

use callqa_audio::{DecodeOptions, ErrorKind, TARGET_RATE_HZ, decode_16k, open, probe};
use common::*;
use std::path::{Path, PathBuf};

struct Case {
    path: PathBuf,
    container: &'static str,
    codec: &'static str,
    rate: u32,
    channels: u16,
}

fn expected_16k(frames: u64, rate: u32) -> u64 {
    (frames * u64::from(TARGET_RATE_HZ) + u64::from(rate) / 2) / u64::from(rate)
}

/// Every supported format, mono and stereo, 8 to 48 kHz.
fn cases(dir: &Path) -> Vec<Case> {
    let c = |path, container, codec, rate, channels| Case {
        path,
        container,
        codec,
        rate,
        channels,
    };
    vec![
        c(
            sox_tone(
                dir,
                "mulaw8k_st.wav",
                &["-r", "8000", "-c", "2", "-e", "u-law"],
                3.3,
                &[1000, 440],
            ),
            "wave",
            "pcm_mulaw",
            8000,
            2,
        ),
        c(
            sox_tone(
                dir,
                "alaw8k.wav",
                &["-r", "8000", "-c", "1", "-e", "a-law"],
                2.7,
                &[1000],
            ),
            "wave",
            "pcm_alaw",
            8000,
            1,
        ),
        c(
            sox_tone(
                dir,
                "s16_11k.wav",
                &["-r", "11025", "-b", "16", "-c", "1"],
                1.9,
                &[700],
            ),
            "wave",
            "pcm_s16le",
            11025,
            1,
        ),
        c(
            sox_tone(
                dir,
                "s16_16k_st.wav",
                &["-r", "16000", "-b", "16", "-c", "2"],
                2.05,
                &[700, 300],
            ),
            "wave",
            "pcm_s16le",
            16000,
            2,
        ),
        c(
            sox_tone(
                dir,
                "u8_22k.wav",
                &["-r", "22050", "-b", "8", "-e", "unsigned", "-c", "1"],
                1.5,
                &[700],
            ),
            "wave",
            "pcm_u8",
            22050,
            1,
        ),
        c(
            sox_tone(
                dir,
                "s24_44k_st.wav",
                &["-r", "44100", "-b", "24", "-c", "2"],
                2.2,
                &[700, 300],
            ),
            "wave",
            "pcm_s24le",
            44100,
            2,
        ),
        c(
            sox_tone(
                dir,
                "s32_48k.wav",
                &["-r", "48000", "-b", "32", "-e", "signed", "-c", "1"],
                1.1,
                &[700],
            ),
            "wave",
            "pcm_s32le",
            48000,
            1,
        ),
        c(
            sox_tone(
                dir,
                "f32_32k_st.wav",
                &["-r", "32000", "-b", "32", "-e", "floating-point", "-c", "2"],
                1.3,
                &[700, 300],
            ),
            "wave",
            "pcm_f32le",
            32000,
            2,
        ),
        c(
            sox_tone(dir, "flac_8k.flac", &["-r", "8000", "-c", "1"], 2.5, &[700]),
            "flac",
            "flac",
            8000,
            1,
        ),
        c(
            sox_tone(
                dir,
                "flac_44k_st.flac",
                &["-r", "44100", "-c", "2", "-b", "16"],
                1.7,
                &[700, 300],
            ),
            "flac",
            "flac",
            44100,
            2,
        ),
        c(
            ffmpeg_tone(dir, "vorbis_16k.ogg", 16000, 3.3, &["-c:a", "libvorbis"]),
            "ogg",
            "vorbis",
            16000,
            1,
        ),
        c(
            ffmpeg_tone(
                dir,
                "vorbis_48k_st.ogg",
                48000,
                2.0,
                &["-ac", "2", "-c:a", "libvorbis"],
            ),
            "ogg",
            "vorbis",
            48000,
            2,
        ),
    ]
}

fn mp3_cases(dir: &Path) -> Vec<Case> {
    vec![
        Case {
            path: ffmpeg_tone(dir, "mp3_8k.mp3", 8000, 2.5, &["-c:a", "libmp3lame"]),
            container: "mp3",
            codec: "mp3",
            rate: 8000,
            channels: 1,
        },
        Case {
            path: ffmpeg_tone(
                dir,
                "mp3_24k_st.mp3",
                24000,
                3.3,
                &["-ac", "2", "-c:a", "libmp3lame"],
            ),
            container: "mp3",
            codec: "mp3",
            rate: 24000,
            channels: 2,
        },
        Case {
            path: ffmpeg_tone(dir, "mp3_44k.mp3", 44100, 2.0, &["-c:a", "libmp3lame"]),
            container: "mp3",
            codec: "mp3",
            rate: 44100,
            channels: 1,
        },
    ]
}

fn check_format_and_length(case: &Case) {
    let name = case.path.display();
    let info = probe(&case.path).unwrap_or_else(|e| panic!("probe {name}: {e}"));
    assert_eq!(info.container, case.container, "{name}");
    assert_eq!(info.codec, case.codec, "{name}");
    assert_eq!(info.sample_rate_hz, case.rate, "{name}");
    assert_eq!(info.channels, case.channels, "{name}");
    assert!(!info.truncated, "{name}: {:?}", info.warnings);
    assert!(
        (info.duration_s - info.frames as f64 / f64::from(case.rate)).abs() < 1e-9,
        "{name}"
    );

    let d = decode_16k(&case.path, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("decode {name}: {e}"));
    // Probe counts packets without decoding; it must agree with what decoding gives.
    assert_eq!(
        d.info.frames, info.frames,
        "{name}: probe vs decoded frames"
    );
    assert_eq!(d.channels.len(), usize::from(case.channels), "{name}");
    let want = expected_16k(info.frames, case.rate) as i64;
    for ch in &d.channels {
        let got = ch.len() as i64;
        assert!(
            (got - want).abs() <= 2,
            "{name}: {got} output frames, want {want}"
        );
    }
}

#[test]
fn every_format_probes_and_decodes_to_exact_16k_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    for case in cases(dir.path()) {
        check_format_and_length(&case);
        // Exact to the frame against sox's own count (and so within one block of soxi -D).
        let info = probe(&case.path).expect("probed above");
        assert_eq!(
            info.frames,
            soxi_frames(&case.path),
            "{}",
            case.path.display()
        );
        assert!((info.duration_s - soxi_duration(&case.path)).abs() < 1e-3);
    }
}

/// MP3: sox counts the encoder delay and padding (it does not read the LAME gapless tag),
/// so the reference is ffmpeg's gapless decode; sox may differ by at most delay + padding.
#[test]
fn mp3_duration_matches_gapless_decode() {
    let dir = tempfile::tempdir().expect("temp dir");
    for case in mp3_cases(dir.path()) {
        check_format_and_length(&case);
        let info = probe(&case.path).expect("probed above");
        assert_eq!(
            info.frames,
            ffmpeg_decoded_frames(&case.path),
            "{}",
            case.path.display()
        );
        let sox = soxi_frames(&case.path);
        assert!(
            sox >= info.frames && sox - info.frames <= 3 * 1152,
            "sox {sox} vs {}",
            info.frames
        );
    }
}

#[test]
fn content_not_extension_decides_the_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flac = sox_tone(dir.path(), "real.flac", &["-r", "16000"], 1.0, &[500]);
    let disguised = dir.path().join("looks_like.mp3");
    std::fs::copy(&flac, &disguised).expect("copy");
    let info = probe(&disguised).expect("flac content under an .mp3 name");
    assert_eq!(info.container, "flac");
    assert_eq!(info.frames, 16000);
}

#[test]
fn tone_from_8k_keeps_frequency_and_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    for fmt in [["-e", "signed", "-b", "16"], ["-e", "u-law", "-b", "8"]] {
        let mut args = vec!["-r", "8000", "-c", "1"];
        args.extend_from_slice(&fmt);
        let p = sox_tone(
            dir.path(),
            &format!("tone_{}.wav", fmt[1]),
            &args,
            2.0,
            &[1000],
        );
        let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
        let x = &d.channels[0];
        let f = crossings_per_s(x, TARGET_RATE_HZ);
        assert!((f - 1000.0).abs() < 5.0, "{fmt:?}: {f} Hz");
        // sox `vol 0.5` sine: amplitude 0.5, RMS 0.354; skip the edges.
        let level = rms(&x[1600..x.len() - 1600]);
        assert!(
            (level - 0.5 / 2f64.sqrt()).abs() < 0.01,
            "{fmt:?}: rms {level}"
        );
    }
}

#[test]
fn stereo_channels_stay_separate_and_mono_mix_averages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(
        dir.path(),
        "lr.wav",
        &["-r", "8000", "-c", "2", "-e", "u-law"],
        2.0,
        &[1000, 440],
    );
    let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
    assert_eq!(d.channels.len(), 2);
    let fl = crossings_per_s(&d.channels[0], TARGET_RATE_HZ);
    let fr = crossings_per_s(&d.channels[1], TARGET_RATE_HZ);
    assert!((fl - 1000.0).abs() < 5.0, "left {fl} Hz");
    assert!((fr - 440.0).abs() < 5.0, "right {fr} Hz");

    let m = decode_16k(
        &p,
        &DecodeOptions {
            mono_mix: true,
            ..Default::default()
        },
    )
    .expect("decode mono");
    assert_eq!(m.channels.len(), 1);
    assert_eq!(m.channels[0].len(), d.channels[0].len());
    let max_diff = m.channels[0]
        .iter()
        .zip(d.channels[0].iter().zip(&d.channels[1]))
        .map(|(mv, (l, r))| (mv - (l + r) / 2.0).abs())
        .fold(0.0f32, f32::max);
    assert!(
        max_diff < 1e-4,
        "mono mix differs from (L+R)/2 by {max_diff}"
    );
}

#[test]
fn stream_blocks_are_fixed_size_contiguous_and_equal_the_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(
        dir.path(),
        "s.wav",
        &["-r", "44100", "-c", "2"],
        2.3,
        &[700, 300],
    );
    let opts = DecodeOptions {
        mono_mix: false,
        block_frames: 4000,
    };
    let whole = decode_16k(&p, &opts).expect("decode");
    let stream = open(&p, &opts).expect("open");
    assert_eq!(stream.info().sample_rate_hz, 44100);
    let blocks: Vec<_> = stream.map(|b| b.expect("block")).collect();
    let total = blocks.iter().map(|b| b.frames()).sum::<usize>();
    assert_eq!(total, whole.channels[0].len());
    let mut next = 0u64;
    for (i, b) in blocks.iter().enumerate() {
        assert_eq!(b.start_frame, next);
        assert_eq!(b.channels.len(), 2);
        assert_eq!(b.channels[0].len(), b.channels[1].len());
        if i + 1 < blocks.len() {
            assert_eq!(b.frames(), 4000);
        } else {
            assert!(b.frames() <= 4000 && b.frames() > 0);
        }
        let s = b.start_frame as usize;
        assert_eq!(&whole.channels[1][s..s + b.frames()], &b.channels[1][..]);
        next += b.frames() as u64;
    }
}

#[test]
fn truncated_wav_is_read_as_far_as_it_goes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(
        dir.path(),
        "full.wav",
        &["-r", "8000", "-c", "2", "-b", "16"],
        3.0,
        &[1000, 440],
    );
    let bytes = std::fs::read(&p).expect("read");
    let cut = dir.path().join("cut.wav");
    // 44-byte header + 10001 bytes of data: cut in the middle of a frame, too.
    std::fs::write(&cut, &bytes[..44 + 10_001]).expect("write");
    let info = probe(&cut).expect("truncated file is still usable");
    assert!(info.truncated);
    assert!(!info.warnings.is_empty());
    assert_eq!(info.frames, 10_001 / 4);
    assert_eq!(info.header_frames, Some(24_000));
    let d = decode_16k(&cut, &DecodeOptions::default()).expect("decode");
    assert!(d.info.truncated);
    assert_eq!(d.info.frames, info.frames);
    assert_eq!(d.channels[0].len() as u64, expected_16k(info.frames, 8000));
}

fn kind_of(path: &Path) -> ErrorKind {
    let e = probe(path).expect_err("must fail");
    assert!(
        e.to_string().starts_with(&format!("{}: ", path.display())),
        "error does not name the file: {e}"
    );
    assert!(!e.to_string().contains('\n'), "multi-line error: {e}");
    // decoding fails too (for a header with no audio, when the stream is read)
    let d = decode_16k(path, &DecodeOptions::default()).expect_err("decode must fail");
    assert_eq!(d.to_string(), e.to_string());
    match e {
        callqa_audio::AudioError::WithPath { kind, .. } => kind,
    }
}

#[test]
fn bad_inputs_give_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let empty = d.join("empty.wav");
    std::fs::write(&empty, b"").expect("write");
    assert!(matches!(kind_of(&empty), ErrorKind::Empty));

    let text = d.join("notes.wav");
    std::fs::write(&text, "this is a text file, not audio\n".repeat(20)).expect("write");
    assert!(matches!(kind_of(&text), ErrorKind::UnrecognisedFormat));

    // Deterministic pseudo-random bytes (xorshift), so the test cannot flake.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let rand = d.join("random.wav");
    std::fs::write(&rand, noise).expect("write");
    assert!(matches!(kind_of(&rand), ErrorKind::UnrecognisedFormat));

    let opus = ffmpeg_tone(d, "opus.ogg", 48000, 1.0, &["-c:a", "libopus"]);
    match kind_of(&opus) {
        ErrorKind::UnsupportedCodec(c) => assert_eq!(c, "opus"),
        k => panic!("opus: {k}"),
    }

    let full = sox_tone(d, "full.wav", &["-r", "8000", "-b", "16"], 1.0, &[500]);
    let header_only = d.join("header_only.wav");
    let bytes = std::fs::read(&full).expect("read");
    std::fs::write(&header_only, &bytes[..44]).expect("write");
    assert!(matches!(kind_of(&header_only), ErrorKind::NoAudio));

    let missing = d.join("gone.wav");
    assert!(matches!(kind_of(&missing), ErrorKind::Io(_)));
    assert!(matches!(kind_of(d), ErrorKind::Io(_)));
}

#[test]
fn cut_off_flac_mp3_and_vorbis_are_read_as_far_as_they_go() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let files = [
        sox_tone(d, "long.flac", &["-r", "16000"], 60.0, &[500]),
        ffmpeg_tone(d, "long.mp3", 16000, 60.0, &["-c:a", "libmp3lame"]),
        ffmpeg_tone(d, "long.ogg", 16000, 60.0, &["-c:a", "libvorbis"]),
    ];
    for full in files {
        let bytes = std::fs::read(&full).expect("read");
        let cut = d.join(format!(
            "cut_{}",
            full.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        ));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
        let info = probe(&cut).unwrap_or_else(|e| panic!("{e}"));
        assert!(info.truncated, "{}: {:?}", cut.display(), info);
        // About half of the minute is there (compressed size is near-proportional to time).
        assert!(
            info.duration_s > 20.0 && info.duration_s < 40.0,
            "{}: {} s",
            cut.display(),
            info.duration_s
        );
        let dec = decode_16k(&cut, &DecodeOptions::default()).expect("decode");
        assert_eq!(dec.info.frames, info.frames, "{}", cut.display());
        assert!(dec.info.truncated);
        assert_eq!(
            dec.channels[0].len() as u64,
            expected_16k(info.frames, info.sample_rate_hz)
        );
    }
}

#[test]
fn downsampling_removes_content_above_8khz() {
    // A 11 kHz tone at 44.1 kHz has no place below the 8 kHz Nyquist limit of 16 kHz audio:
    // an anti-aliasing resampler must remove it instead of folding it down to 5 kHz.
    let dir = tempfile::tempdir().expect("temp dir");
    let p = sox_tone(
        dir.path(),
        "hi.wav",
        &["-r", "44100", "-b", "24"],
        1.0,
        &[11_000],
    );
    let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
    let x = &d.channels[0];
    let level = rms(&x[800..x.len() - 800]);
    assert!(level < 0.354 * 0.01, "alias leaks through at rms {level}");
    // And a 3 kHz tone passes at full level.
    let p = sox_tone(
        dir.path(),
        "mid.wav",
        &["-r", "44100", "-b", "24"],
        1.0,
        &[3_000],
    );
    let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
    let x = &d.channels[0];
    let level = rms(&x[800..x.len() - 800]);
    assert!((level - 0.354).abs() < 0.01, "3 kHz tone at rms {level}");
}

/// Real third-party recordings (when the shared test data is present): probe agrees with
/// sox's duration and decoding gives the exact 16 kHz length. Skips cleanly without them.
#[test]
fn real_recordings_in_shared_data_match_sox() {
    let root = std::env::var_os("CALLQA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let mut files = Vec::new();
    for sub in ["asr_en", "asr_zh", "asr_zh/telephone_sim_8k"] {
        let Ok(rd) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if ["wav", "flac", "mp3", "ogg"].contains(&ext) {
                files.push(p);
            }
        }
    }
    if files.is_empty() {
        eprintln!("skipping: no shared test data under {}", root.display());
        return;
    }
    files.sort();
    for p in &files {
        let info = probe(p).unwrap_or_else(|e| panic!("{e}"));
        let sox = soxi_duration(p);
        assert!(
            (info.duration_s - sox).abs() < 1e-3,
            "{}: {} s vs sox {sox} s",
            p.display(),
            info.duration_s
        );
        let d = decode_16k(p, &DecodeOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let want = expected_16k(info.frames, info.sample_rate_hz) as i64;
        assert!(
            (d.channels[0].len() as i64 - want).abs() <= 2,
            "{}",
            p.display()
        );
    }
    eprintln!("checked {} real recordings", files.len());
}

#[test]
fn wav_written_to_a_pipe_is_not_called_truncated() {
    // ffmpeg writing WAV to a pipe cannot seek back: data size stays 0xFFFFFFFF.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=f=500:r=8000:d=2",
        ])
        .args(["-c:a", "pcm_mulaw", "-f", "wav", "-"])
        .output()
        .expect("ffmpeg runs (install with scripts/setup.sh)");
    assert!(out.status.success());
    assert_eq!(
        &out.stdout[4..8],
        &[0xff; 4],
        "expected an open-ended RIFF size"
    );
    let p = dir.path().join("piped.wav");
    std::fs::write(&p, &out.stdout).expect("write");
    let info = probe(&p).expect("probe");
    assert!(!info.truncated, "{:?}", info.warnings);
    assert_eq!(info.frames, 16_000);
    assert_eq!(info.header_frames, None);
    let d = decode_16k(&p, &DecodeOptions::default()).expect("decode");
    assert!(!d.info.truncated);
    assert_eq!(d.channels[0].len(), 32_000);
}

#[test]
fn codec_the_container_reader_rejects_is_an_unsupported_codec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gsm = sox_tone(
        dir.path(),
        "gsm.wav",
        &["-r", "8000", "-e", "gsm-full-rate"],
        1.0,
        &[500],
    );
    assert!(matches!(kind_of(&gsm), ErrorKind::UnsupportedCodec(_)));
    // IMA ADPCM in WAV (common on old call recorders) is decoded.
    let ima = sox_tone(
        dir.path(),
        "ima.wav",
        &["-r", "8000", "-e", "ima-adpcm"],
        1.0,
        &[500],
    );
    let info = probe(&ima).expect("ima adpcm");
    assert_eq!(info.codec, "adpcm_ima_wav");
    assert_eq!(info.frames, soxi_frames(&ima));
}

#[test]
fn stream_can_move_to_a_worker_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<callqa_audio::AudioStream>();
    assert_send::<callqa_audio::AudioError>();
}
