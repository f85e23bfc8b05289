#!/usr/bin/env python3
"""Build the tiny, hand-wired test models under tests/data/tiny/ (committed, a few KB each).

They follow the same contract as the real models (see the crate docs of callqa-classify):
  encoder/tiny-enc/   model.onnx (input_ids, attention_mask -> sentence_embedding, mean-pooled,
                      L2-normalised), tokenizer.json (HF format), model.toml
  classifiers/<task>/ model.onnx (embedding -> probabilities), model.toml
The encoder is a keyword bag: each keyword token lights one embedding dimension; every other token
lights the "filler" dimension. The heads are fixed linear maps + softmax over those dimensions, so
the expected labels of a test sentence follow from its keywords. SYNTHETIC: not trained, only for
testing the Rust plumbing (tokenising, batching, padding, clause splitting, thresholds).

Run: .venv/bin/python crates/callqa-classify/tests/data/make_tiny_models.py
Needs numpy, onnx and tokenizers (all in scripts/requirements.txt).
"""
import hashlib
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

OUT = pathlib.Path(__file__).resolve().parent / "tiny"
STEPS = ["greeting", "self_intro", "identity_check", "need_probe", "solution", "hold_request",
         "hold_return", "empathy", "summary", "anything_else", "farewell", "other"]
RUDE, POS, NEG, FILLER = 12, 13, 14, 15
DIM = 16
KEYWORDS = {
    0: ["您好", "你好", "欢迎", "hello", "welcome"],
    1: ["工号", "客服", "我是", "name", "agent"],
    2: ["身份证", "机主", "verify", "identity"],
    3: ["请问", "帮您", "help"],
    4: ["办理", "解决", "fixed"],
    5: ["稍等", "hold"],
    6: ["久等", "waiting"],
    7: ["抱歉", "对不起", "sorry", "apologize"],
    8: ["总结", "summarize"],
    9: ["其他", "else"],
    10: ["再见", "goodbye", "bye"],
    RUDE: ["人话", "听不懂", "stupid", "deaf"],
    POS: ["感谢", "谢谢", "thanks", "thank", "great"],
    NEG: ["生气", "投诉", "angry", "terrible"],
}


def build_tokenizer():
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    dim_of = {}
    for d, words in KEYWORDS.items():
        for w in words:
            vocab[w] = len(vocab)
            dim_of[vocab[w]] = d
    kw = sorted((w for ws in KEYWORDS.values() for w in ws), key=len, reverse=True)
    pattern = "|".join(kw) + r"|[a-z0-9]+|[^\sa-z0-9]"
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(pattern), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    table = np.zeros((len(vocab), DIM), dtype=np.float32)
    table[3, FILLER] = 0.1  # <unk>: a little filler, so keywords dominate
    table[0, FILLER] = 0.3  # <s>, </s>: a little filler so an empty text is not a zero vector
    table[2, FILLER] = 0.3
    for tid, d in dim_of.items():
        table[tid, d] = 1.0
    return tok, table


def encoder_model(table):
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    out = helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", DIM])
    inits = [numpy_helper.from_array(table, "table"),
             numpy_helper.from_array(np.array([2], dtype=np.int64), "ax2"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "ax1"),
             numpy_helper.from_array(np.array(1e-9, dtype=np.float32), "eps")]
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "ax2"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "ax1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["maskf", "ax1"], ["count"], keepdims=1),
        helper.make_node("Max", ["count", "eps"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["mean"]),
        helper.make_node("LpNormalization", ["mean"], ["sentence_embedding"], axis=1, p=2),
    ]
    graph = helper.make_graph(nodes, "tiny_encoder", [ids, mask], [out], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def head_model(weights, bias, name):
    n = weights.shape[1]
    x = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])
    y = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", n])
    inits = [numpy_helper.from_array(weights.astype(np.float32), "W"),
             numpy_helper.from_array(bias.astype(np.float32), "b")]
    nodes = [helper.make_node("MatMul", ["embedding", "W"], ["xw"]),
             helper.make_node("Add", ["xw", "b"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1)]
    graph = helper.make_graph(nodes, name, [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save(model, folder):
    folder.mkdir(parents=True, exist_ok=True)
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = folder / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def toml_list(xs):
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


def write_head(task, labels, weights, bias, thresholds):
    folder = OUT / "classifiers" / task
    sha = save(head_model(weights, bias, task), folder)
    th = "\n".join(f"{k} = {v}" for k, v in thresholds.items())
    (folder / "model.toml").write_text(f'''# SYNTHETIC test model built by make_tiny_models.py: hand-wired, not trained.
task = "{task}"
labels = {toml_list(labels)}
input_kind = "embedding"
encoder = "tiny-enc"
text_prefix = "query: "
version = "tiny-1"
sha256 = "{sha}"
training_data = "none (hand-wired synthetic weights)"

[thresholds]
{th}

[metrics]
note = "synthetic"
''')


def main():
    tok, table = build_tokenizer()
    enc_dir = OUT / "encoder" / "tiny-enc"
    sha = save(encoder_model(table), enc_dir)
    tok.save(str(enc_dir / "tokenizer.json"))
    (enc_dir / "model.toml").write_text(f'''# SYNTHETIC test encoder built by make_tiny_models.py: a keyword bag, not a language model.
name = "tiny-enc"
kind = "encoder"
dim = {DIM}
text_prefix = "query: "
max_tokens = 32
version = "tiny-1"
sha256 = "{sha}"
''')
    # script_step: dimension i -> label i (0..10); filler -> other.
    w = np.zeros((DIM, len(STEPS)))
    for i in range(11):
        w[i, i] = 12.0
    w[FILLER, 11] = 6.0
    write_head("script_step", STEPS, w, np.zeros(len(STEPS)),
               {s: 0.5 for s in STEPS[:11]} | {"other": 0.0})
    # courtesy [polite, neutral, impolite]
    w = np.zeros((DIM, 3))
    for d in (0, 7, 10, POS):
        w[d, 0] = 10.0
    w[FILLER, 1] = 6.0
    w[RUDE, 2] = 16.0
    write_head("courtesy", ["polite", "neutral", "impolite"], w, np.zeros(3),
               {"polite": 0.5, "neutral": 0.0, "impolite": 0.6})
    # sentiment [negative, neutral, positive]
    w = np.zeros((DIM, 3))
    w[NEG, 0] = 12.0
    w[RUDE, 0] = 12.0
    w[FILLER, 1] = 6.0
    for d in range(11):
        w[d, 1] = 4.0
    w[POS, 2] = 14.0
    write_head("sentiment", ["negative", "neutral", "positive"], w, np.zeros(3),
               {"negative": 0.5, "neutral": 0.0, "positive": 0.5})


if __name__ == "__main__":
    main()
