#!/usr/bin/env python3
"""The whole `callqa score` chain against faster-whisper, speed and accuracy, per setting.

Speed, on the bundled fixture calls (SYNTHETIC: text-to-speech made by fixtures/build_calls.py,
8 kHz G.711 stereo, agent left, customer right):

- callqa, one process per setting and run: `callqa score --manifest M --pipeline (x4) --out
  FRESH_DIR --json` with the setting's pipeline files: decode + VAD + Whisper + classifiers +
  scoring + Parquet, process start and model loads included. Workers: callqa's default (cores
  / ASR threads = 2 here).
- faster-whisper, one child process per config and run, on the same CTranslate2 base weights
  (int8, cpu_threads = cores), and `fw-bBx2`: two one-thread processes at once, the calls dealt
  out between them (what callqa's two workers do; CTranslate2 keeps 2 threads busy only part of
  the time): per call and channel, transcribe(language, vad_filter=True) with `fw-b1` = beam_size 1, best_of 1, temperature 0,
  condition_on_previous_text False (greedy like callqa) and `fw-b5` = faster-whisper's
  defaults (beam 5, temperature fallback, conditioning on previous text). ASR only: it does
  less than callqa's chain, which is the comparison the issue asks for. No initial prompt: with
  the pipelines' vocabulary prompt, faster-whisper greedy looped on short real clips ("国家,
  账单, 国家, 账单, ..."; CER 148 %), having no repetition guard; a faster-whisper user runs it
  without one.

Systems run interleaved within each run (setting 1, setting 2, ..., fw-b1, fw-b5; then again),
so that a noisy machine hurts them alike. Reported: audio seconds per wall second from the min
and the median wall time of `--runs` runs, CPU seconds (user + sys), peak RSS (max over runs),
and the ratio of each to fw-b1.

Accuracy, on the shared real clips with human (or corpus) references (`../shared/data/asr_en`,
`asr_zh`, `asr_zh/telephone_sim_8k`; loaded and normalised as benches/asr_eval.py does): per
setting `callqa transcribe --pipeline <setting's inbound-LANG> --channels mono --json`, and
faster-whisper fw-b1 / fw-b5 with vad_filter=True. Pooled Mandarin CER
and English WER.

Agreement: each callqa setting's evaluations on the bench calls against the fixtures'
ground-truth labels (fixtures/calls/*.json `expected`).

Settings (`--settings`, comma-separated names from SETTINGS below, or `name:key=value;...` with
TOML values for the pipelines' `[asr]` table): `default` is the pipelines as shipped.
Quantized weights (`q5_0`, `q4_0`) are converted on the fly from the same CT2 weights into
$CALLQA_HOME/cache/bench-models/ with `callqa models convert-ct2 --type`.

RSS in the number of calls (`--rss-calls 10,100`): `callqa score` with the first setting on 10
and on 100 calls cycling through the bundled ones (repeats are copies with one sample changed
and new call ids, so that none is skipped as already scored); peak RSS and CPU of each.

Usage:
  .venv/bin/python benches/pipeline_bench.py [--runs 3] [--limit N] [--settings default,q8_0,beam5]
      [--fw 1,5] [--no-speed] [--no-accuracy] [--rss-calls 10,100] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import csv
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
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True
from asr_eval import (  # noqa: E402
    callqa_home, edit_distance, ensure_ct2_dir, load_clips, shared_data_dir, units,
)

PIPELINES = ["inbound-zh", "outbound-zh", "inbound-en", "outbound-en"]
# name -> [asr] overrides (TOML values). "@q5_0" marks a converted model file.
SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "q8_0": {"model": '"base-q8_0"'},
    "q5_0": {"model": "@q5_0"},
    "q4_0": {"model": "@q4_0"},
    "flash": {"flash_attn": "true"},
    "ctx10": {"min_audio_ctx_s": "10"},
    "full_ctx": {"full_audio_ctx": "true"},
    "beam5": {"beam_size": "5"},
    "beam5_q8_0": {"beam_size": "5", "model": '"base-q8_0"'},
    "no_prompt": {"initial_prompt": '""'},
}
TIME_BIN = shutil.which("time", path="/usr/bin")


# ---------------------------------------------------------------- settings -> pipeline files


def parse_setting(spec: str) -> tuple[str, dict[str, str]]:
    if ":" in spec:
        name, rest = spec.split(":", 1)
        kv = {}
        for part in filter(None, rest.split(";")):
            k, v = part.split("=", 1)
            kv[k.strip()] = v.strip()
        return name, kv
    if spec not in SETTINGS:
        sys.exit(f"unknown setting {spec!r}: one of {', '.join(SETTINGS)} or name:key=value;...")
    return spec, dict(SETTINGS[spec])


def converted_model(bin_path: Path, wtype: str) -> Path:
    out = callqa_home() / "cache" / "bench-models" / f"base-{wtype}" / "ggml-model.bin"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        ct2 = ensure_ct2_dir("base")
        r = subprocess.run([str(bin_path), "models", "convert-ct2", str(ct2), str(out), "--type", wtype],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"converting base to {wtype} failed: {r.stderr[-1000:]}")
    return out


def with_overrides(src: str, kv: dict[str, str]) -> str:
    """The pipeline text with `[asr]` keys replaced or added (comments and order kept)."""
    out, section = [], None
    for line in src.split("\n"):
        s = line.strip()
        if s.startswith("["):
            section = s
        if section == "[asr]" and "=" in s and not s.startswith("#") and s.split("=")[0].strip() in kv:
            continue
        out.append(line)
        if s == "[asr]":
            out.extend(f"{k} = {v}" for k, v in kv.items())
    return "\n".join(out)


def write_setting(bin_path: Path, name: str, kv: dict[str, str], root: Path) -> dict[str, Path]:
    kv = dict(kv)
    if kv.get("model", "").startswith("@"):
        kv["model"] = json.dumps(str(converted_model(bin_path, kv["model"][1:])))
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    files = {}
    for p in PIPELINES:
        text = with_overrides((REPO / "pipelines" / f"{p}.toml").read_text(encoding="utf-8"), kv)
        tomllib.loads(text)  # a bad override fails here, not in the middle of a run
        (d / f"{p}.toml").write_text(text, encoding="utf-8")
        files[p] = d / f"{p}.toml"
    return files


def prompt_of(pipeline: str) -> str | None:
    cfg = tomllib.loads((REPO / "pipelines" / f"{pipeline}.toml").read_text(encoding="utf-8"))
    return cfg.get("asr", {}).get("initial_prompt", "").strip() or None


# ---------------------------------------------------------------- calls


def bench_calls(limit: int | None) -> list[dict]:
    """Manifest rows of the bundled calls (absolute paths), alternating zh and en when limited."""
    import soundfile as sf

    rows = []
    with open(REPO / "fixtures" / "manifest.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            p = (REPO / "fixtures" / r["path"]).resolve()
            if not p.is_file():
                continue
            r["path"] = str(p)
            r["duration_s"] = sf.info(str(p)).duration
            rows.append(r)
    if limit is not None and limit < len(rows):
        zh = [r for r in rows if r["language"] == "zh"]
        en = [r for r in rows if r["language"] == "en"]
        out = []
        while len(out) < limit and (zh or en):
            for lst in (zh, en):
                if lst and len(out) < limit:
                    out.append(lst.pop(0))
        rows = out
    return rows


def write_manifest(rows: list[dict], path: Path) -> None:
    cols = [c for c in rows[0].keys() if c != "duration_s"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def distinct_copies(rows: list[dict], n: int, folder: Path) -> list[dict]:
    """n manifest rows cycling through `rows`; from the second round on, each recording is a copy
    with its last byte changed (one sample, by one step), so that callqa's content-hash ledger
    scores it as a new call instead of skipping it as already done."""
    out = []
    for i in range(n):
        r, k = dict(rows[i % len(rows)]), i // len(rows)
        if k:
            src = Path(r["path"])
            if src.suffix.lower() != ".wav":
                sys.exit(f"{src}: --rss-calls makes distinct copies of WAV files only")
            dst = folder / str(k) / src.name
            if not dst.is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                data = bytearray(src.read_bytes())
                data[-1] ^= k & 0xFF or 1
                dst.write_bytes(bytes(data))
            r["path"] = str(dst)
            r["call_id"] = f"{r['call_id']}-r{k:03d}"
        out.append(r)
    return out


def expected_labels() -> dict[tuple[str, str], str]:
    out = {}
    for p in (REPO / "fixtures" / "calls").glob("*.json"):
        if p.name.endswith(".timeline.json"):
            continue
        d = json.loads(p.read_text(encoding="utf-8"))
        for item, want in (d.get("expected") or {}).items():
            out[(d["call_id"], item)] = want
    return out


def agreement(out_dir: Path) -> tuple[int, int]:
    import pyarrow.dataset as ds

    t = ds.dataset(str(out_dir / "evaluations"), format="parquet", partitioning="hive").to_table(
        columns=["call_id", "item_id", "result"]).to_pylist()
    want = expected_labels()
    hits = total = 0
    for r in t:
        w = want.get((r["call_id"], r["item_id"]))
        if w is None:
            continue
        total += 1
        hits += w == r["result"]
    return hits, total


# ---------------------------------------------------------------- measuring a process


def measured(cmd: list[str], log: Path) -> dict:
    """Runs cmd; wall s, CPU s (user+sys), peak RSS KiB, exit code, stdout."""
    with open(log, "w") as err, open(log.with_suffix(".out"), "w") as out:
        tf = log.with_suffix(".time")
        t0 = time.perf_counter()
        if TIME_BIN:
            rc = subprocess.run([TIME_BIN, "-v", "-o", str(tf)] + cmd, stdout=out, stderr=err).returncode
            wall = time.perf_counter() - t0
            tv = tf.read_text()
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv).group(1))
            cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", tv).group(1))
                      for k in ("User", "System"))
        else:
            p = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            rc = os.waitstatus_to_exitcode(status)
            rss, cpu = int(ru.ru_maxrss), ru.ru_utime + ru.ru_stime
    return {"wall": wall, "cpu": cpu, "rss": rss, "rc": rc, "stdout": log.with_suffix(".out").read_text()}


# ---------------------------------------------------------------- faster-whisper child


def fw_worker(job_file: str) -> int:
    job = json.loads(Path(job_file).read_text())
    import numpy as np
    import soundfile as sf
    from math import gcd
    from scipy.signal import resample_poly
    from faster_whisper import WhisperModel

    model = WhisperModel(job["ct2"], device="cpu", compute_type="int8", cpu_threads=job["cpu_threads"])
    kw = fw_kwargs(job["beam"])
    results = []
    for item in job["files"]:
        data, sr = sf.read(item["path"], dtype="float32", always_2d=True)
        g = gcd(16000, sr)
        chans = [data[:, c] for c in range(data.shape[1])] if item.get("per_channel", True) \
            else [data.mean(axis=1)]
        texts = []
        for x in chans:
            if sr != 16000:
                x = resample_poly(x, 16000 // g, sr // g).astype(np.float32)
            segments, _ = model.transcribe(x, language=item["lang"], vad_filter=True,
                                           **kw)
            texts.append(" ".join(s.text.strip() for s in segments))
        results.append({"path": item["path"], "text": " ".join(texts)})
    print(json.dumps(results, ensure_ascii=False))
    return 0


def fw_kwargs(beam: int) -> dict:
    if beam == 1:
        return dict(beam_size=1, best_of=1, temperature=0.0, condition_on_previous_text=False)
    return dict(beam_size=beam)  # faster-whisper's defaults otherwise


def fw_command(tmp: Path, name: str, ct2: Path, beam: int, files: list[dict], procs: int = 1) -> list[str]:
    """One faster-whisper worker with cpu_threads = cores, or `procs` workers at once with one
    thread each, the files dealt out among them (like callqa's workers)."""
    cmds = []
    for k in range(procs):
        threads = os.cpu_count() or 2 if procs == 1 else 1
        job = {"ct2": str(ct2), "cpu_threads": threads, "beam": beam, "files": files[k::procs]}
        jf = tmp / f"{name}.{k}.job.json"
        jf.write_text(json.dumps(job, ensure_ascii=False))
        cmds.append([sys.executable, str(Path(__file__).resolve()), "--fw-worker", str(jf)])
    if procs == 1:
        return cmds[0]
    import shlex

    script = " ".join(shlex.join(c) + " &" for c in cmds) + " wait"
    return ["/bin/sh", "-c", script]


# ---------------------------------------------------------------- accuracy on real clips


def callqa_clip_texts(bin_path: Path, pipes: dict[str, Path], clips, lang: str, log: Path) -> dict[str, str]:
    mine = [c for c in clips if c.lang == lang]
    if not mine:
        return {}
    cmd = [str(bin_path), "transcribe", *[str(c.path) for c in mine], "--pipeline",
           str(pipes[f"inbound-{lang}"]), "--channels", "mono", "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    log.write_text(r.stderr)
    if r.returncode != 0:
        sys.exit(f"callqa transcribe failed ({lang}): {r.stderr[-1500:]}")
    utts: dict[str, list] = {}
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            u = json.loads(line)
            utts.setdefault(u["path"], []).append((u.get("start_ms", 0), u.get("idx", 0), u["text"]))
    return {str(c.path): " ".join(t.strip() for *_, t in sorted(utts.get(str(c.path), []))) for c in mine}


def error_rate(clips, texts: dict[str, str], lang: str) -> tuple[int, int]:
    err = n = 0
    for c in clips:
        if c.lang != lang:
            continue
        ref = units(c.reference, lang)
        err += edit_distance(ref, units(texts.get(str(c.path), ""), lang))
        n += len(ref)
    return err, n


# ---------------------------------------------------------------- main


def pct(e: int, n: int) -> str:
    return f"{100.0 * e / n:.1f} %" if n else "n/a"


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--fw-worker":
        return fw_worker(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, help="bench calls: at most N, alternating zh/en")
    ap.add_argument("--settings", default="default,q8_0,beam5")
    ap.add_argument("--accuracy-settings", help="settings for the accuracy part (default: --settings)")
    ap.add_argument("--fw", default="1,5", help="faster-whisper beam sizes ('' for none)")
    ap.add_argument("--fw-procs", type=int, default=2,
                    help="also run faster-whisper as N one-thread processes at once (fw-bBxN; 1: don't)")
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "callqa"))
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--rss-calls", default="", help="e.g. 10,100: peak RSS of callqa score on that many calls")
    ap.add_argument("--out", help="also write the markdown report here")
    a = ap.parse_args()

    bin_path = Path(a.bin)
    if not bin_path.is_file():
        sys.exit(f"{bin_path}: no callqa binary (cargo build --release -p callqa-cli, or --bin)")
    settings = [parse_setting(s) for s in a.settings.split(",") if s]
    acc_settings = ([parse_setting(s) for s in a.accuracy_settings.split(",") if s]
                    if a.accuracy_settings else settings)
    beams = [int(b) for b in a.fw.split(",") if b.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="callqa-pipeline-bench-"))
    pipes = {name: write_setting(bin_path, name, kv, tmp / "settings")
             for name, kv in {**dict(settings), **dict(acc_settings)}.items()}
    ct2 = ensure_ct2_dir("base") if beams else None
    L = [f"# callqa pipeline bench, {date.today().isoformat()}", "",
         f"Machine: {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}. "
         "Settings (overrides of the shipped pipelines' `[asr]` table): "
         + "; ".join(f"`{n}` = {kv or 'as shipped'}" for n, kv in {**dict(settings), **dict(acc_settings)}.items()),
         ""]

    if not a.no_speed:
        rows = bench_calls(a.limit)
        if not rows:
            print("SKIP: no bundled fixture calls (fixtures/audio; run scripts/setup.sh)")
            return 0
        audio_s = sum(r["duration_s"] for r in rows)
        manifest = tmp / "manifest.csv"
        write_manifest(rows, manifest)
        fw_files = [{"path": r["path"], "lang": r["language"], "prompt": prompt_of(r["pipeline"])}
                    for r in rows]
        systems: list[tuple[str, object]] = [(n, None) for n, _ in settings]
        systems += [(f"fw-b{b}", b) for b in beams]
        systems += [(f"fw-b{b}x{a.fw_procs}", b) for b in beams if a.fw_procs > 1]
        res = {n: {"wall": [], "cpu": [], "rss": []} for n, _ in systems}
        agree: dict[str, tuple[int, int]] = {}
        for run in range(a.runs):
            for name, beam in systems:
                log = tmp / f"{name}.{run}.log"
                if beam is None:
                    out_dir = tmp / f"out-{name}-{run}"
                    cmd = [str(bin_path), "score", "--manifest", str(manifest), "--out", str(out_dir),
                           "--json", "--no-progress"]
                    for p in PIPELINES:
                        cmd += ["--pipeline", str(pipes[name][p])]
                else:
                    procs = a.fw_procs if "x" in name else 1
                    cmd = fw_command(tmp, name, ct2, beam, fw_files, procs)
                m = measured(cmd, log)
                if beam is None and m["rc"] not in (0,):
                    sys.exit(f"{name}: callqa score exit {m['rc']}: {log.read_text()[-1500:]}")
                if beam is not None and m["rc"] != 0:
                    sys.exit(f"{name}: faster-whisper worker exit {m['rc']}: {log.read_text()[-1500:]}")
                if beam is None:
                    agree[name] = agreement(out_dir)
                    shutil.rmtree(out_dir, ignore_errors=True)
                for k in ("wall", "cpu", "rss"):
                    res[name][k].append(m[k])
                print(f"run {run + 1}/{a.runs}: {name}: {m['wall']:.1f} s wall, {m['cpu']:.1f} s CPU, "
                      f"{m['rss'] / 1024:.0f} MiB", file=sys.stderr, flush=True)
        ref = res.get("fw-b1")
        L += [f"## Speed: {len(rows)} SYNTHETIC bundled calls, {audio_s:.1f} s of audio, {a.runs} runs", "",
              "callqa: `callqa score` (decode, VAD, Whisper, classifiers, scoring, Parquet); faster-whisper: "
              "ASR only (int8, vad_filter=True). Wall time includes process start and model load.", "",
              "| system | audio s / wall s, best | median | x fw-b1 (best) | CPU s, min | peak RSS MiB | agreement |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for name, _ in systems:
            r = res[name]
            mn, md = min(r["wall"]), statistics.median(r["wall"])
            ratio = f"{min(ref['wall']) / mn:.2f}" if ref else "n/a"
            ag = agree.get(name)
            ag_s = f"{ag[0]}/{ag[1]} ({pct(ag[0], ag[1])})" if ag else "-"
            L.append(f"| {name} | {audio_s / mn:.2f} | {audio_s / md:.2f} | {ratio} | {min(r['cpu']):.1f} | "
                     f"{max(r['rss']) / 1024:.0f} | {ag_s} |")
        L.append("")

    if not a.no_accuracy:
        clips, _skipped = load_clips(shared_data_dir(), include_test_expected=False)
        if not clips:
            L += ["## Accuracy: SKIPPED (no shared clips at " + str(shared_data_dir()) + ")", ""]
        else:
            n_en = sum(c.lang == "en" for c in clips)
            n_zh = len(clips) - n_en
            table = {}
            for name, _ in acc_settings:
                texts = {}
                for lang in ("zh", "en"):
                    texts.update(callqa_clip_texts(bin_path, pipes[name], clips, lang, tmp / f"acc-{name}-{lang}.log"))
                table[name] = {lang: error_rate(clips, texts, lang) for lang in ("zh", "en")}
                print(f"accuracy {name}: {table[name]}", file=sys.stderr, flush=True)
            for b in beams:
                files = [{"path": str(c.path), "lang": c.lang, "per_channel": False,
                          "prompt": prompt_of(f"inbound-{c.lang}")} for c in clips]
                m = measured(fw_command(tmp, f"acc-fw-b{b}", ct2, b, files), tmp / f"acc-fw-b{b}.log")
                if m["rc"] != 0:
                    sys.exit(f"fw-b{b} accuracy worker failed: {(tmp / f'acc-fw-b{b}.log').read_text()[-1500:]}")
                texts = {x["path"]: x["text"] for x in json.loads(m["stdout"].strip().splitlines()[-1])}
                table[f"fw-b{b}"] = {lang: error_rate(clips, texts, lang) for lang in ("zh", "en")}
            zh_units = next(iter(table.values()))["zh"][1]
            en_units = next(iter(table.values()))["en"][1]
            L += [f"## Accuracy: {n_zh} Mandarin clips ({zh_units} characters), {n_en} English clips "
                  f"({en_units} words), real speech, human or corpus references", "",
                  "callqa with each setting's pipeline (initial prompt included), the clip as mono; "
                  "faster-whisper with vad_filter=True and no prompt.", "",
                  "| system | zh CER | en WER |", "|---|---:|---:|"]
            for name, t in table.items():
                L.append(f"| {name} | {pct(*t['zh'])} ({t['zh'][0]}) | {pct(*t['en'])} ({t['en'][0]}) |")
            L.append("")

    if a.rss_calls:
        rows = bench_calls(None)
        name = settings[0][0]
        L += [f"## Peak RSS in the number of calls (`{name}`)", "", "| calls | audio s | wall s | CPU s | CPU s per call | peak RSS MiB |",
              "|---:|---:|---:|---:|---:|---:|"]
        for n in [int(x) for x in a.rss_calls.split(",") if x]:
            manifest = tmp / f"rss-{n}.csv"
            write_manifest(distinct_copies(rows, n, tmp / "rss-audio"), manifest)
            audio = sum(rows[i % len(rows)]["duration_s"] for i in range(n))
            out_dir = tmp / f"rss-out-{n}"
            cmd = [str(bin_path), "score", "--manifest", str(manifest), "--out", str(out_dir), "--json",
                   "--no-progress"]
            for p in PIPELINES:
                cmd += ["--pipeline", str(pipes[name][p])]
            m = measured(cmd, tmp / f"rss-{n}.log")
            if m["rc"] != 0:
                sys.exit(f"rss run {n}: exit {m['rc']}: {(tmp / f'rss-{n}.log').read_text()[-1500:]}")
            L.append(f"| {n} | {audio:.0f} | {m['wall']:.0f} | {m['cpu']:.0f} | {m['cpu'] / n:.1f} | "
                     f"{m['rss'] / 1024:.0f} |")
            print(f"rss {n} calls: {m['rss'] / 1024:.0f} MiB", file=sys.stderr, flush=True)
            shutil.rmtree(out_dir, ignore_errors=True)
        L.append("")

    text = "\n".join(L) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
