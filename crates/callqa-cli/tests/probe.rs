//! End-to-end tests of `callqa probe` on audio generated with sox / ffmpeg in a temp dir.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

/// A temp dir removed on drop (std only, no extra dev-dependency).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "callqa-probe-test-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tool(tool: &str, args: &[&str]) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): these tests generate audio with sox and ffmpeg; \
             install them with scripts/setup.sh"
        )
    });
    assert!(
        out.status.success(),
        "`{tool} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Generate one file of each kind the tests need.
struct Files {
    _dir: TempDir,
    mulaw: PathBuf,
    flac: PathBuf,
    mp3: PathBuf,
    vorbis: PathBuf,
    truncated: PathBuf,
    empty: PathBuf,
    random: PathBuf,
    text: PathBuf,
    opus: PathBuf,
    header_only: PathBuf,
    missing: PathBuf,
}

fn files(tag: &str) -> Files {
    let dir = TempDir::new(tag);
    let d = dir.path().to_path_buf();
    let mulaw = d.join("call_mulaw.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "8000",
            "-c",
            "2",
            "-e",
            "u-law",
            s(&mulaw),
            "synth",
            "4",
            "sine",
            "1000",
            "sine",
            "440",
            "vol",
            "0.5",
        ],
    );
    let flac = d.join("call.flac");
    tool(
        "sox",
        &["-n", "-r", "16000", s(&flac), "synth", "2.5", "sine", "500"],
    );
    let mp3 = d.join("call.mp3");
    let vorbis = d.join("call.ogg");
    let opus = d.join("opus.ogg");
    for (out, rate, codec) in [
        (&mp3, 22050, "libmp3lame"),
        (&vorbis, 16000, "libvorbis"),
        (&opus, 48000, "libopus"),
    ] {
        let src = format!("sine=f=500:r={rate}:d=2");
        tool(
            "ffmpeg",
            &[
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                &src,
                "-c:a",
                codec,
                s(out),
            ],
        );
    }
    let plain = d.join("plain.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "8000",
            "-b",
            "16",
            s(&plain),
            "synth",
            "3",
            "sine",
            "500",
        ],
    );
    let bytes = std::fs::read(&plain).expect("read");
    let truncated = d.join("cut_off.wav");
    std::fs::write(&truncated, &bytes[..44 + 16_000]).expect("write");
    let header_only = d.join("header_only.wav");
    std::fs::write(&header_only, &bytes[..44]).expect("write");
    let empty = d.join("empty.wav");
    std::fs::write(&empty, b"").expect("write");
    let text = d.join("readme.wav");
    std::fs::write(&text, "not audio at all\n".repeat(40)).expect("write");
    let mut x: u32 = 0x1234_5678;
    let noise: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let random = d.join("random.wav");
    std::fs::write(&random, noise).expect("write");
    let missing = d.join("vanished.wav");
    Files {
        _dir: dir,
        mulaw,
        flac,
        mp3,
        vorbis,
        truncated,
        empty,
        random,
        text,
        opus,
        header_only,
        missing,
    }
}

fn probe(args: &[&Path], json: bool) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("probe");
    if json {
        cmd.arg("--json");
    }
    cmd.args(args).env("CALLQA_LOG", "off");
    cmd.output().expect("run callqa")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn good_files_print_format_and_exit_0() {
    let f = files("good");
    let out = probe(&[&f.mulaw, &f.flac, &f.mp3, &f.vorbis], false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[0].starts_with(s(&f.mulaw)));
    assert!(
        lines[0].contains("wave pcm_mulaw 8000 Hz 2 ch 4.000 s"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("flac flac 16000 Hz 1 ch 2.500 s"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("mp3 mp3 22050 Hz 1 ch 2.000 s"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("ogg vorbis 16000 Hz 1 ch 2.000 s"),
        "{}",
        lines[3]
    );
}

#[test]
fn json_reports_every_file_and_exit_2_when_some_fail() {
    let f = files("json");
    let all = [
        &f.empty,
        &f.mulaw,
        &f.random,
        &f.text,
        &f.opus,
        &f.header_only,
        &f.missing,
        &f.truncated,
        &f.flac,
    ];
    let args: Vec<&Path> = all.iter().map(|p| p.as_path()).collect();
    let out = probe(&args, true);
    assert_eq!(out.status.code(), Some(2));
    let v = json_lines(&out);
    assert_eq!(v.len(), all.len(), "one line per file");
    for (obj, path) in v.iter().zip(all) {
        for key in [
            "path",
            "ok",
            "container",
            "codec",
            "sample_rate_hz",
            "channels",
            "duration_s",
            "truncated",
            "error",
        ] {
            assert!(obj.get(key).is_some(), "{key} missing in {obj}");
        }
        assert_eq!(obj["path"], s(path));
    }
    let ok: Vec<bool> = v.iter().map(|o| o["ok"].as_bool().expect("bool")).collect();
    assert_eq!(
        ok,
        [false, true, false, false, false, false, false, true, true]
    );
    for o in &v {
        if o["ok"] == true {
            assert!(o["error"].is_null());
        } else {
            let e = o["error"].as_str().expect("error string");
            assert!(!e.is_empty() && !e.contains('\n'), "{e}");
        }
    }
    assert_eq!(v[1]["container"], "wave");
    assert_eq!(v[1]["codec"], "pcm_mulaw");
    assert_eq!(v[1]["sample_rate_hz"], 8000);
    assert_eq!(v[1]["channels"], 2);
    assert_eq!(v[1]["duration_s"], 4.0);
    assert_eq!(v[1]["truncated"], false);
    assert!(v[0]["error"].as_str().unwrap_or("").contains("empty"));
    assert!(v[4]["error"].as_str().unwrap_or("").contains("opus"));
    assert!(v[5]["error"].as_str().unwrap_or("").contains("no audio"));
    // The cut-off recording is usable: ok, flagged, with the duration actually present.
    assert_eq!(v[7]["truncated"], true);
    assert_eq!(v[7]["duration_s"], 1.0);
    assert!(!v[7]["warnings"].as_array().is_none_or(Vec::is_empty));
}

#[test]
fn text_errors_are_one_line_naming_the_file_and_others_still_run() {
    let f = files("text");
    let out = probe(
        &[&f.random, &f.mulaw, &f.missing, &f.text, &f.empty, &f.opus],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    for (line, p) in lines
        .iter()
        .zip([&f.random, &f.mulaw, &f.missing, &f.text, &f.empty, &f.opus])
    {
        assert!(line.starts_with(&format!("{}: ", s(p))), "{line}");
    }
    assert!(lines[0].contains("error: not a recognised audio file"));
    assert!(lines[1].contains("pcm_mulaw"));
    assert!(lines[2].contains("error: cannot read file"));
    assert!(lines[3].contains("error: not a recognised audio file"));
    assert!(lines[4].contains("error: empty file"));
    assert!(lines[5].contains("error: unsupported codec: opus"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn truncated_file_alone_exits_0_with_a_warning() {
    let f = files("trunc");
    let out = probe(&[&f.truncated], false);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[truncated]"), "{stdout}");
    assert!(stdout.contains("warning: truncated recording"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let f = files("perm");
    let locked = f.flac.with_file_name("locked.flac");
    std::fs::copy(&f.flac, &locked).expect("copy");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::File::open(&locked).is_ok() {
        // Root (or CAP_DAC_OVERRIDE) reads through permissions: nothing to test here.
        eprintln!(
            "skipping unreadable_file_is_reported: running with privileges that ignore chmod 000"
        );
        return;
    }
    let out = probe(&[&locked, &f.flac], true);
    assert_eq!(out.status.code(), Some(2));
    let v = json_lines(&out);
    assert_eq!(v[0]["ok"], false);
    let e = v[0]["error"].as_str().unwrap_or("");
    assert!(e.contains("ermission denied"), "{e}");
    assert_eq!(v[1]["ok"], true);
}
