#!/usr/bin/env python3
"""Mono role accuracy end to end: stereo recordings mixed to mono, run through `callqa transcribe`
(VAD -> diarizer -> Whisper -> roles, the path every command takes), scored against the truth.

Metric (issue 8, part 3): of the speech time where exactly one party talks in the truth, the share
whose output utterance carries that party's role ("right"), and the share covered by any output
utterance ("coverage"). 10 ms bins.

Cases:
- every bundled SYNTHETIC stereo fixture call (agent left, customer right) mixed to mono, against
  its timeline (`fixtures/calls/<id>.timeline.json`): roles by name;
- with --shared DIR (the development data, never needed by the product):
  `calls_real/campplus_2speakers_example.wav` against its RTTM. Two people in a discussion have no
  agent or customer, so this case scores speaker consistency: the better of the two ways to map
  the output roles onto the two reference speakers.

Usage: python3 benches/mono_roles.py [--bin target/release/callqa] [--shared ../shared/data]
       [--only PREFIX] [--jobs 2]
Prints one line per call and per-language means; writes nothing into the repository.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN_MS = 10


def truth_from_timeline(path):
    tl = json.loads(Path(path).read_text())
    return [(t["speaker"], int(t["start_ms"]), int(t["end_ms"])) for t in tl["turns"]], int(
        tl["duration_ms"]
    )


def truth_from_rttm(path):
    turns = []
    for line in Path(path).read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            s, d = float(f[3]), float(f[4])
            turns.append((f"spk{f[7]}", int(s * 1000), int((s + d) * 1000)))
    return turns, max(e for _, _, e in turns)


def score(truth, out, dur_ms, permute):
    n = dur_ms // BIN_MS + 1
    names = sorted({sp for sp, _, _ in truth})
    cover = np.zeros((len(names), n), dtype=bool)
    for sp, s, e in truth:
        cover[names.index(sp), s // BIN_MS : e // BIN_MS] = True
    single = cover.sum(axis=0) == 1
    who = np.argmax(cover, axis=0)
    roles = ["agent", "customer"]
    got = np.full(n, -1)
    for u in out:
        if u["speaker"] not in roles:
            continue
        got[u["start_ms"] // BIN_MS : u["end_ms"] // BIN_MS + 1] = roles.index(u["speaker"])
    covered = single & (got >= 0)
    if permute:
        best = 0
        for mapping in ([0, 1], [1, 0]):
            m = np.array(mapping)
            best = max(best, int((covered & (m[who] == got)).sum()))
        right = best
    else:
        truth_role = np.array([roles.index(nm) if nm in roles else -2 for nm in names])[who]
        right = int((covered & (truth_role == got)).sum())
    single_n = int(single.sum())
    return {
        "accuracy": right / max(int(covered.sum()), 1),
        "right_of_single": right / max(single_n, 1),
        "coverage": int(covered.sum()) / max(single_n, 1),
        "single_s": single_n * BIN_MS / 1000,
        "unknown": sum(1 for u in out if u["speaker"] not in roles),
        "role_confidence": out[0]["role_confidence"] if out else None,
    }


def transcribe(binary, pipeline, files, jobs):
    cmd = [binary, "transcribe", "--pipeline", str(pipeline), "--jobs", str(jobs), "--json"]
    res = subprocess.run(cmd + [str(f) for f in files], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"callqa transcribe failed: {res.stderr[-2000:]}")
    by_path = defaultdict(list)
    for line in res.stdout.splitlines():
        u = json.loads(line)
        by_path[u["path"]].append(u)
    return by_path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target/release/callqa"))
    ap.add_argument("--shared", default=None)
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="callqa-mono-roles-"))
    manifest = {}
    for line in (ROOT / "fixtures/manifest.csv").read_text().splitlines()[1:]:
        f = line.split(",")
        manifest[Path(f[1]).stem if "/" in f[1] else f[0]] = f
    groups = defaultdict(list)  # pipeline -> [(name, mono file, truth, dur, permute)]
    for tl in sorted((ROOT / "fixtures/calls").glob("*.timeline.json")):
        cid = tl.name.removesuffix(".timeline.json")
        if not cid.startswith(a.only):
            continue
        stereo = ROOT / f"fixtures/audio/{cid}.wav"
        if not stereo.is_file():
            continue
        mono = tmp / f"{cid}.wav"
        subprocess.run(["sox", str(stereo), "-c", "1", str(mono), "remix", "1,2"], check=True)
        direction = "outbound" if "_outbound_" in cid else "inbound"
        pipeline = ROOT / f"pipelines/{direction}-{cid[:2]}.toml"
        truth, dur = truth_from_timeline(tl)
        groups[pipeline].append((cid, mono, truth, dur, False))
    if a.shared:
        wav = Path(a.shared) / "calls_real/campplus_2speakers_example.wav"
        if wav.is_file() and "campplus".startswith(a.only[: len("campplus")]):
            truth, dur = truth_from_rttm(wav.with_suffix(".rttm"))
            groups[ROOT / "pipelines/inbound-zh.toml"].append(
                ("campplus_2speakers_example (speaker consistency)", wav, truth, dur, True)
            )
    per_lang = defaultdict(list)
    for pipeline, cases in groups.items():
        out = transcribe(a.bin, pipeline, [c[1] for c in cases], a.jobs)
        for name, f, truth, dur, permute in cases:
            s = score(truth, out.get(str(f), []), dur, permute)
            print(
                f"{name}: {100 * s['accuracy']:.1f} % right of covered single-speaker time "
                f"({100 * s['right_of_single']:.1f} % of all {s['single_s']:.1f} s; coverage "
                f"{100 * s['coverage']:.1f} %), role_confidence {s['role_confidence']}, "
                f"{s['unknown']} unknown"
            )
            if not permute:
                per_lang[name[:2]].append(s["accuracy"])
    for lang, acc in sorted(per_lang.items()):
        print(
            f"{lang}: {len(acc)} calls, mean {100 * np.mean(acc):.1f} %, worst {100 * min(acc):.1f} %"
        )


if __name__ == "__main__":
    main()
