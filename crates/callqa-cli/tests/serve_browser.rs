//! `callqa serve` in a real browser: scores three bundled SYNTHETIC calls, starts the server on
//! them, and runs `tests/browser/test_serve.py` (Selenium, headless Chromium) against it: the
//! overview, the calls list with a filter, a call page whose evidence click moves the player, the
//! agents table, and no request outside the server's origin.
//!
//! Skips (passes with a message) when the models, the fixture audio, Chromium, chromedriver or a
//! Python with Selenium (`CALLQA_PYTHON`, set by scripts/test.sh; else `.venv/bin/python`) are
//! absent. `CALLQA_SCREENSHOTS=DIR` keeps the screenshots there.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CALLQA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/callqa")
}

const CALLS: [(&str, &str, &str, &str); 3] = [
    (
        "en_ecommerce_inbound_angry_resolved_01",
        "A1003",
        "team-north",
        "inbound-en",
    ),
    (
        "en_utility_inbound_rude_agent_01",
        "A2003",
        "team-south",
        "inbound-en",
    ),
    (
        "zh_bank_inbound_angry_resolved_01",
        "A2001",
        "team-south",
        "inbound-zh",
    ),
];

fn python() -> PathBuf {
    std::env::var_os("CALLQA_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"))
}

/// True when everything the test needs is installed; prints why not otherwise.
fn ready() -> bool {
    let mut needed = vec![
        home().join("models/whisper/base/ggml-model.bin"),
        home().join("models/vad/silero_vad.onnx"),
        home().join("models/classifiers/script_step/model.toml"),
        PathBuf::from("/usr/bin/chromium"),
        PathBuf::from("/usr/bin/chromedriver"),
        python(),
    ];
    needed.extend(
        CALLS
            .iter()
            .map(|c| root().join(format!("fixtures/audio/{}.wav", c.0))),
    );
    for p in &needed {
        if !p.exists() {
            eprintln!("SKIP: {} absent (run scripts/setup.sh)", p.display());
            return false;
        }
    }
    let selenium = Command::new(python())
        .args(["-c", "import selenium"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !selenium {
        eprintln!(
            "SKIP: {} has no selenium (run scripts/setup.sh)",
            python().display()
        );
    }
    selenium
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_works_in_a_headless_browser() {
    if !ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let manifest = tmp.path().join("manifest.csv");
    let mut csv =
        String::from("call_id,path,agent_id,team,direction,started_at,language,pipeline\n");
    for (i, (id, agent, team, pipeline)) in CALLS.iter().enumerate() {
        let audio = root().join(format!("fixtures/audio/{id}.wav"));
        csv.push_str(&format!(
            "{id},{},{agent},{team},inbound,2026-11-0{}T10:00:00,{},{pipeline}\n",
            audio.display(),
            i + 2,
            &id[..2]
        ));
    }
    std::fs::write(&manifest, csv).expect("manifest");
    let mut score = Command::new(env!("CARGO_BIN_EXE_callqa"));
    score
        .args(["score", "--manifest"])
        .arg(&manifest)
        .arg("--out")
        .arg(&out);
    score.arg("--no-progress");
    for p in ["inbound-en", "inbound-zh"] {
        score
            .arg("--pipeline")
            .arg(root().join(format!("pipelines/{p}.toml")));
    }
    let scored = score.output().expect("run callqa score");
    assert!(
        scored.status.success(),
        "callqa score failed: {}",
        String::from_utf8_lossy(&scored.stderr)
    );

    let mut server = Killed(
        Command::new(env!("CARGO_BIN_EXE_callqa"))
            .args(["serve", "--bind", "127.0.0.1:0", "--out"])
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start callqa serve"),
    );
    let stdout = server.0.stdout.take().expect("server stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("server's first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    assert!(line.contains("(3 calls"), "{line}");

    let shots = std::env::var_os("CALLQA_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("shots"));
    let run = Command::new(python())
        .arg(root().join("tests/browser/test_serve.py"))
        .arg("--url")
        .arg(&url)
        .arg("--shots")
        .arg(&shots)
        .output()
        .expect("run the browser test");
    println!("{}", String::from_utf8_lossy(&run.stdout));
    assert!(
        run.status.success(),
        "browser test failed: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for name in [
        "serve-overview.png",
        "serve-calls.png",
        "serve-call.png",
        "serve-agents.png",
    ] {
        let len = std::fs::metadata(shots.join(name)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{name}: {len} bytes");
    }
}
