#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: runs the set-up first (idempotent), then formatting,
# lints and every test. Tests run in release so that decoding and transcription stay quick; they
# share the set-up's build artefacts.
set -euo pipefail
cd "$(dirname "$0")/.."
export CALLQA_HOME="${CALLQA_HOME:-$HOME/.cache/callqa}"
bash scripts/setup.sh
export CALLQA_PYTHON="$(pwd)/.venv/bin/python"
echo "[test] cargo fmt --check" >&2
cargo fmt --all -- --check
echo "[test] cargo clippy" >&2
cargo clippy --release --locked --workspace --all-targets -q -- -D warnings
echo "[test] cargo test" >&2
cargo test --release --locked --workspace 2>&1 | tee "${CALLQA_TEST_LOG:-/tmp/callqa-test.log}"
