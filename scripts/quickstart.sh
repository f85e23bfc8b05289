#!/usr/bin/env bash
# Quick start: set everything up (idempotent), then run the main job on the bundled synthetic calls.
set -euo pipefail
cd "$(dirname "$0")/.."
export CALLQA_HOME="${CALLQA_HOME:-$HOME/.cache/callqa}"
bash scripts/setup.sh
bin="${CARGO_TARGET_DIR:-$(pwd)/target}/release/callqa"
echo "== callqa probe fixtures/audio/* ==" >&2
"$bin" probe fixtures/audio/*
