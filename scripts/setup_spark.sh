#!/usr/bin/env bash
# Set up what spark/score_job.py needs, idempotently: Java 17+ (Debian's openjdk-17-jre-headless
# when no java is on PATH) and pyspark in the project venv (.venv, made by scripts/setup.sh).
# Called by the Spark test (crates/callqa-cli/tests/spark_cli.rs) only; a second run only checks.
# Exit status 0 when ready; otherwise non-zero with one line saying what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[setup_spark] %s\n' "$*" >&2; }
py="$root/.venv/bin/python"

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  if command -v apt-get >/dev/null 2>&1; then
    log "installing Java 17 (openjdk-17-jre-headless)"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  log "no java on PATH and it could not be installed: Spark needs Java 17+"
  exit 3
fi
major=$(java_major)
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  log "java ${major:-?} found, Spark 4 needs 17+"
  exit 3
fi

if [ ! -x "$py" ]; then
  log "no project venv at .venv: run scripts/setup.sh first"
  exit 4
fi
want=$(sed -n 's/^pyspark==//p' scripts/requirements-spark.txt)
have=$("$py" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  log "installing pyspark $want into .venv (first run: a 400 MB download)"
  "$py" -m pip install -q -r scripts/requirements-spark.txt
fi
"$py" -c 'import pyspark' || { log "pyspark does not import"; exit 5; }
