#!/usr/bin/env python3
"""Calibrate the form's `min_asr_avg_logprob`: how Whisper's per-utterance average token
log-probability relates to the utterance's error rate on real speech.

Data: the human-referenced clips of the shared test data (`asr_en/`, `asr_zh/`,
`asr_zh/telephone_sim_8k/`), chosen exactly as `benches/asr_eval.py` chooses them (references
that are another model's output, or unverified, are left out; test-expected strings such as
"one two three" are kept here, `--human-only` drops them). Clean clips are mostly recognised
well, so each clip is also degraded, to get garbled utterances from the same real voices:
white noise at 10, 5, 0 and -5 dB SNR. Fixed seed; the mixes are written to a temporary folder
and deleted. (Not babble: a single competing talker at 0 dB is intelligible speech that Whisper
transcribes confidently, an error of "whose words", not of garbling.)

System: `callqa transcribe FILE... --model base --lang zh|en --json --channels mono` (the
shipped pipelines' model), one JSON line per utterance with `avg_logprob`.

Per-utterance error: the clip's hypothesis units (characters for zh, words for en, normalised
as in asr_eval.py) are aligned to the reference by Levenshtein with back-trace; each reference
unit is given to the utterance whose hypothesis unit it aligns to (a deleted unit to the nearest
utterance before it), insertions to their own utterance. error rate = (S + D + I) / reference
units of the utterance (an utterance with no reference units, pure hallucination: 1.0); capped
at 1. "Garbled" = error rate > 0.3 (`--garbled`). An utterance repeating the text of an earlier
one of the same file (a repetition loop: the ASR stage's repetition filter's job, not the
log-probability's) is counted once.

Output: per avg_logprob bin, utterances, mean error rate and share garbled; per candidate cut c,
the utterances flagged (below c), the share of them garbled, the share of all garbled
utterances caught, the clean ones (error rate <= 10 %) flagged, and the share garbled in the
band just below the cut [c - 0.2, c); the suggested cut is the highest c at which that band and
every band below it are mostly (> 50 %) garbled: "below this the text is mostly garbled".

Usage:
  .venv/bin/python benches/asr_confidence.py [--bin target/release/callqa] [--out FILE.md]
                                             [--points FILE.jsonl] [--human-only]

Data: $CALLQA_SHARED_DATA, else ../shared/data next to the repository; missing: skips (exit 0).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asr_eval import REPO, load_clips, shared_data_dir, units  # noqa: E402

SNRS_DB = [10.0, 5.0, 0.0, -5.0]


@dataclass
class Variant:
    path: Path
    lang: str
    reference: str
    clip: str
    kind: str  # "clean", "white+10dB", "babble+0dB", ...
    utts: list[tuple[int, float | None, str]] = field(default_factory=list)


def load_mono(path: Path) -> tuple[np.ndarray, int]:
    x, sr = sf.read(str(path), dtype="float64", always_2d=True)
    return x.mean(axis=1), sr


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    p_s = float(np.mean(speech**2)) or 1e-12
    p_n = float(np.mean(noise**2)) or 1e-12
    y = speech + noise * np.sqrt(p_s / (p_n * 10 ** (snr_db / 10)))
    peak = float(np.max(np.abs(y))) or 1.0
    return y / peak * 0.9 if peak > 0.99 else y


def make_variants(clips, tmp: Path, rng: np.random.Generator) -> list[Variant]:
    out: list[Variant] = []
    for c in clips:
        x, sr = load_mono(c.path)
        stem = f"{c.path.stem}{'_' + c.derived if c.derived else ''}"
        out.append(Variant(c.path, c.lang, c.reference, stem, "clean"))
        for snr in SNRS_DB:
            p = tmp / f"{stem}__white{snr:+.0f}.wav"
            sf.write(str(p), mix(x, rng.standard_normal(len(x)), snr), sr, subtype="PCM_16")
            out.append(Variant(p, c.lang, c.reference, stem, f"white{snr:+.0f}dB"))
    return out


def transcribe(bin_path: Path, variants: list[Variant], lang: str) -> None:
    todo = [v for v in variants if v.lang == lang]
    if not todo:
        return
    cmd = [str(bin_path), "transcribe", "--model", "base", "--lang", lang, "--json",
           "--channels", "mono"]
    r = subprocess.run(cmd + [str(v.path) for v in todo], capture_output=True, text=True)
    if r.returncode not in (0, 2):
        sys.exit(f"callqa transcribe failed (exit {r.returncode}): {r.stderr.strip()[-800:]}")
    by_path: dict[str, list] = {}
    for line in r.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        u = json.loads(line)
        by_path.setdefault(u["path"], []).append(
            (u.get("start_ms", 0), u.get("avg_logprob"), u.get("text", "")))
    for v in todo:
        v.utts = sorted(by_path.get(str(v.path), []), key=lambda t: t[0])


def per_utterance_errors(ref: list[str], hyp: list[list[str]]) -> list[tuple[int, int]]:
    """(errors, reference units) per hypothesis utterance, by Levenshtein back-trace."""
    flat = [(u, tok) for u, toks in enumerate(hyp) for tok in toks]
    n, m = len(ref), len(flat)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1,
                          d[i - 1, j - 1] + (ref[i - 1] != flat[j - 1][1]))
    err = [0] * len(hyp)
    nref = [0] * len(hyp)
    pending_del = 0  # deletions before the first aligned hypothesis unit
    i, j = n, m
    last_u: int | None = None  # utterance of the hypothesis unit after the current position
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != flat[j - 1][1]):
            u = flat[j - 1][0]
            err[u] += int(ref[i - 1] != flat[j - 1][1])
            nref[u] += 1
            i, j, last_u = i - 1, j - 1, u
        elif j > 0 and d[i, j] == d[i, j - 1] + 1:
            u = flat[j - 1][0]
            err[u] += 1
            j, last_u = j - 1, u
        else:
            # deletion: give it to the utterance before it (the hypothesis unit at j-1), else the
            # one after it
            u = flat[j - 1][0] if j > 0 else last_u
            if u is None:
                pending_del += 1
            else:
                err[u] += 1
                nref[u] += 1
            i -= 1
    if pending_del and hyp:
        err[0] += pending_del
        nref[0] += pending_del
    return list(zip(err, nref))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=str(REPO / "target/release/callqa"))
    ap.add_argument("--out", help="write the Markdown report here too")
    ap.add_argument("--points", help="write one JSON line per utterance here")
    ap.add_argument("--human-only", action="store_true",
                    help="leave out test-expected references")
    ap.add_argument("--garbled", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=20261203)
    a = ap.parse_args()
    data = shared_data_dir()
    if not data.is_dir():
        print(f"SKIP: no shared data at {data}")
        return 0
    clips, _skipped = load_clips(data, include_test_expected=not a.human_only)
    # a two-speaker stereo clip mixed to mono is overlapping speech, not one reference
    clips = [c for c in clips if "| RIGHT:" not in c.reference and "stereo" not in c.path.name]
    clips = [c for c in clips if not c.reference.startswith("LEFT")]
    rng = np.random.default_rng(a.seed)
    random.seed(a.seed)
    with tempfile.TemporaryDirectory(prefix="callqa-asrconf-") as tmp:
        variants = make_variants(clips, Path(tmp), rng)
        for lang in ("zh", "en"):
            transcribe(Path(a.bin), variants, lang)
    points = []
    for v in variants:
        hyp_units = [units(t, v.lang) for _, _, t in v.utts]
        ref_units = units(v.reference, v.lang)
        per = per_utterance_errors(ref_units, hyp_units)
        seen: set[str] = set()
        for (start, lp, text), (e, nref), hu in zip(v.utts, per, hyp_units):
            key = "".join(hu)
            if lp is None or not hu or key in seen:
                continue
            seen.add(key)
            rate = 1.0 if nref == 0 else min(1.0, e / nref)
            points.append({"clip": v.clip, "kind": v.kind, "lang": v.lang, "start_ms": start,
                           "avg_logprob": lp, "errors": e, "ref_units": nref, "rate": rate,
                           "hyp_units": len(hu)})
    if a.points:
        with open(a.points, "w", encoding="utf-8") as f:
            for p in points:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
    L = [f"# ASR confidence calibration (Whisper base via callqa transcribe)", ""]
    L.append(f"- clips: {len(clips)} real recordings ({sum(c.lang == 'zh' for c in clips)} zh, "
             f"{sum(c.lang == 'en' for c in clips)} en), variants: clean, white noise "
             f"{', '.join(f'{s:+.0f}' for s in SNRS_DB)} dB SNR; "
             f"{len(variants)} files, {len(points)} utterances with text")
    L.append(f"- garbled = per-utterance error rate (zh CER, en WER) > {a.garbled:.0%}")
    L.append("")
    edges = [0.0, -0.2, -0.4, -0.6, -0.8, -1.0, -1.2, -1.5, -2.0, -10.0]
    for lang in ("all", "zh", "en"):
        pts = [p for p in points if lang == "all" or p["lang"] == lang]
        if not pts:
            continue
        L.append(f"## {lang}: error rate by avg_logprob bin\n")
        L.append("| avg_logprob | utterances | mean error rate | garbled |")
        L.append("|---|---|---|---|")
        for hi, lo in zip(edges, edges[1:]):
            b = [p for p in pts if lo <= p["avg_logprob"] < hi or (hi == 0.0 and p["avg_logprob"] >= 0)]
            if not b:
                continue
            g = sum(p["rate"] > a.garbled for p in b)
            L.append(f"| [{lo:.1f}, {hi:.1f}) | {len(b)} | {np.mean([p['rate'] for p in b]):.2f} "
                     f"| {g}/{len(b)} ({g / len(b):.0%}) |")
        L.append("")
        L.append(f"## {lang}: flagging below a cut\n")
        L.append("| cut | flagged | garbled among flagged | garbled caught | clean (rate <= 10 %) "
                 "flagged | garbled in [cut-0.2, cut) |")
        L.append("|---|---|---|---|---|---|")
        n_g = sum(p["rate"] > a.garbled for p in pts)
        n_clean = sum(p["rate"] <= 0.1 for p in pts)
        cuts = [round(-0.2 - 0.1 * k, 1) for k in range(17)]
        band_ok = {}
        for c in cuts:
            f = [p for p in pts if p["avg_logprob"] < c]
            g = sum(p["rate"] > a.garbled for p in f)
            cl = sum(p["rate"] <= 0.1 for p in f)
            prec = g / len(f) if f else float("nan")
            band = [p for p in f if p["avg_logprob"] >= c - 0.2]
            bg = sum(p["rate"] > a.garbled for p in band)
            band_ok[c] = (not band) or bg / len(band) > 0.5
            L.append(f"| {c:.1f} | {len(f)} | {g}/{len(f)} ({prec:.0%}) | {g}/{n_g} "
                     f"| {cl}/{n_clean} | {bg}/{len(band)} |")
        best = next((c for i, c in enumerate(cuts) if all(band_ok[d] for d in cuts[i:])), None)
        L.append("")
        L.append(f"Suggested cut ({lang}): {best} (the highest cut below which every 0.2-wide "
                 f"band is mostly garbled)\n")
    text = "\n".join(L)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
