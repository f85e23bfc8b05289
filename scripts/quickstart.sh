#!/usr/bin/env bash
# Quick start: set everything up (idempotent), then run the main job on the bundled SYNTHETIC calls:
# score all 18 against the four default pipelines (each call routed by the manifest's `pipeline`
# column) into out/fixtures, then print the weekly agent summary. A second run skips every call.
set -euo pipefail
cd "$(dirname "$0")/.."
export CALLQA_HOME="${CALLQA_HOME:-$HOME/.cache/callqa}"
bash scripts/setup.sh
bin="${CARGO_TARGET_DIR:-$(pwd)/target}/release/callqa"
out="${CALLQA_OUT:-out/fixtures}"
files=(pipelines/inbound-zh.toml pipelines/outbound-zh.toml pipelines/inbound-en.toml pipelines/outbound-en.toml)
pipelines=()
for p in "${files[@]}"; do pipelines+=(--pipeline "$p"); done
echo "== callqa check (pipelines and models) ==" >&2
"$bin" check "${files[@]}" >/dev/null
echo "== callqa score --manifest fixtures/manifest.csv -> $out ==" >&2
"$bin" score --manifest fixtures/manifest.csv "${pipelines[@]}" --out "$out"
echo "== callqa agents --out $out --period week ==" >&2
"$bin" agents --out "$out" --period week
