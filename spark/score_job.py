#!/usr/bin/env python3
"""Score a manifest of calls on Spark: N shards, each a `callqa score` process in an executor,
all writing one output folder; then the agent summary in Spark SQL from the stored Parquet.

    python spark/score_job.py --manifest calls.csv --out /shared/out --shards 8 \\
        --pipeline pipelines/inbound-zh.toml --pipeline pipelines/inbound-en.toml \\
        --callqa /opt/callqa/bin/callqa --summary-json summary.jsonl

(or the same arguments after `spark-submit --master ... spark/score_job.py`; see docs/spark.md).

What happens:
1. The manifest (CSV with a header, or Parquet; callqa's columns: call_id, path, agent_id, team,
   direction, started_at, extra columns kept) is read by Spark. Relative paths are taken relative
   to the manifest's folder, as `callqa score --manifest` does.
2. Each call goes to shard `shard_of(call_id, N)`: the first 8 bytes of SHA-256 over the call id,
   big-endian, modulo N, the function `callqa score --shard i/N` uses
   (crates/callqa-pipeline/src/shard.rs). The rows are partitioned so that partition i holds
   shard i exactly.
3. Each partition writes its rows to a manifest of its own and runs
   `callqa score --manifest SHARD.csv --shard i/N --out OUT` (the binary checks the shard again,
   so a hash that disagreed would show as calls left out). A task whose process fails or is
   killed raises, and Spark runs it again: the new process skips what the ledger holds, the dead
   one's claims and uncommitted files are free, so each call is committed once.
4. The agent summary is computed with Spark SQL over the committed Parquet files (only those the
   live ledger records list, each call counted once: its newest scoring), with the same
   definitions as `callqa agents`, and written as JSON lines with the keys of
   `callqa agents --json`.

Test hook: CALLQA_SPARK_KILL_SHARD=i makes the first attempt of shard i SIGKILL its `callqa`
process once that process has committed its first ledger record, and fail the task (Spark then
retries it; run with a master that allows retries, e.g. local[2,4]).
"""

from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid


def shard_of(call_id: str, count: int) -> int:
    """The shard of a call id among `count`: as crates/callqa-pipeline/src/shard.rs."""
    if count <= 1:
        return 0
    return int.from_bytes(hashlib.sha256(call_id.encode("utf-8")).digest()[:8], "big") % count


# ---------------------------------------------------------------------------------------------
# Executor side: one shard, one `callqa score` process.


def run_shard(index, rows, conf):
    """mapPartitionsWithIndex body: score partition `index` (= shard `index`)."""
    from pyspark import TaskContext

    rows = [r for _, r in rows]
    ctx = TaskContext.get()
    attempt = ctx.attemptNumber() if ctx is not None else 0
    columns = conf["columns"]
    run_id = "spark-s{}-a{}-{}".format(index, attempt, uuid.uuid4().hex[:8])
    result = {"shard": index, "attempt": attempt, "run_id": run_id, "calls_given": len(rows)}
    if not rows:
        result.update(exit_code=0, scored=0, skipped=0, failed=0, claimed_elsewhere=0)
        yield result
        return
    with tempfile.TemporaryDirectory(prefix="callqa-shard-") as tmp:
        manifest = os.path.join(tmp, "shard-{}.csv".format(index))
        with open(manifest, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                w.writerow(["" if r[c] is None else str(r[c]) for c in columns])
        cmd = [conf["callqa"], "score", "--manifest", manifest, "--out", conf["out"],
               "--shard", "{}/{}".format(index, conf["shards"]), "--run-id", run_id,
               "--json", "--no-progress", "--shard-calls", str(conf["shard_calls"])]
        for p in conf["pipelines"]:
            cmd += ["--pipeline", p]
        if conf.get("jobs"):
            cmd += ["--jobs", str(conf["jobs"])]
        stdout_path = os.path.join(tmp, "stdout")
        stderr_path = os.path.join(tmp, "stderr")
        with open(stdout_path, "wb") as so, open(stderr_path, "wb") as se:
            child = subprocess.Popen(cmd, stdout=so, stderr=se)
            kill = os.environ.get("CALLQA_SPARK_KILL_SHARD", "")
            if kill.strip() == str(index) and attempt == 0:
                first = os.path.join(conf["out"], "_ledger", run_id + "-0.json")
                deadline = time.time() + 900
                while child.poll() is None and not os.path.exists(first) and time.time() < deadline:
                    time.sleep(0.05)
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                    child.wait()
                    raise RuntimeError(
                        "shard {}: killed callqa (pid {}) after its first commit, as "
                        "CALLQA_SPARK_KILL_SHARD asks".format(index, child.pid))
            code = child.wait()
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            err_tail = f.read()[-2000:]
        if code not in (0, 2):
            # 1: the run could not start or stopped (store error): let Spark retry the task.
            raise RuntimeError("shard {}: callqa score exited {}: {}".format(index, code, err_tail))
        with open(stdout_path, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        summary = json.loads(lines[-1]) if lines else {}
    result["exit_code"] = code
    for k in ("calls", "scored", "skipped", "failed", "claimed_elsewhere", "audio_s", "wall_s"):
        result[k] = summary.get(k)
    yield result


# ---------------------------------------------------------------------------------------------
# Driver side.


def read_manifest(spark, path):
    from pyspark.sql import functions as F

    if path.lower().endswith(".parquet") or os.path.isdir(path):
        df = spark.read.parquet(path)
    else:
        df = spark.read.option("header", True).option("inferSchema", False).csv(path)
    for needed in ("call_id", "path"):
        if needed not in df.columns:
            raise SystemExit("{}: the manifest has no {} column".format(path, needed))
    # Every column as text, as callqa reads the manifest.
    df = df.select([F.col(c).cast("string").alias(c) for c in df.columns])
    base = os.path.dirname(os.path.abspath(path))
    df = df.withColumn(
        "path",
        F.when(F.col("path").startswith("/"), F.col("path"))
        .otherwise(F.concat(F.lit(base + "/"), F.col("path"))),
    )
    return df.filter(F.col("call_id").isNotNull() & (F.trim(F.col("call_id")) != ""))


def on_executors(path):
    """A path as the executors see it: made absolute when it exists here (a shared or
    pre-installed path), else kept as given (a bare command on PATH, or a path inside an archive
    shipped with --archives, relative to the executor's working folder)."""
    return os.path.abspath(path) if os.path.exists(path) else path


def score_shards(spark, df, args):
    shards = args.shards
    columns = df.columns
    conf = {
        "callqa": on_executors(args.callqa),
        "out": os.path.abspath(args.out),
        "pipelines": [on_executors(p) for p in args.pipeline],
        "shards": shards,
        "columns": columns,
        "jobs": args.jobs,
        "shard_calls": args.shard_calls,
    }
    os.makedirs(conf["out"], exist_ok=True)
    keyed = df.rdd.map(lambda r: (shard_of(r["call_id"], shards), r.asDict()))
    parted = keyed.partitionBy(shards, lambda k: k)
    return parted.mapPartitionsWithIndex(lambda i, it: run_shard(i, it, conf)).collect()


def live_records(out):
    """The live ledger records (those no other record supersedes), oldest commit first."""
    recs = []
    for p in sorted(glob.glob(os.path.join(out, "_ledger", "*.json"))):
        if os.path.basename(p).startswith("."):
            continue
        with open(p, encoding="utf-8") as f:
            recs.append(json.load(f))
    superseded = {s for r in recs for s in r.get("supersedes", [])}
    live = [r for r in recs if "{}-{}".format(r["run_id"], r["shard"]) not in superseded]
    live.sort(key=lambda r: (r["committed_at"], r["run_id"], r["shard"]))
    return live


def current_rows(spark, out, table, recs):
    """A table's committed rows, each call's from its newest record only (as callqa's
    read_current_rows): a view named `table`."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    files = []
    for rank, r in enumerate(recs):
        for f in r["files"]:
            if f["table"] == table:
                files.append((os.path.abspath(os.path.join(out, f["path"])), rank))
    if not files:
        return None
    ranks = spark.createDataFrame(files, "file string, rank int")
    df = (spark.read.option("basePath", os.path.join(out, table))
          .parquet(*[f for f, _ in files])
          .withColumn("_file", F.input_file_name()))
    # input_file_name() gives a URI (file:///...); match on the path part.
    df = df.withColumn("_file", F.regexp_replace("_file", "^file:(//)?", ""))
    df = df.join(F.broadcast(ranks), df["_file"] == ranks["file"]).drop("file", "_file")
    w = Window.partitionBy("call_id")
    df = df.withColumn("_newest", F.max("rank").over(w)).filter(F.col("rank") == F.col("_newest"))
    return df.drop("rank", "_newest")


SUMMARY_SQL = """
WITH scores AS (
  SELECT agent_id, team, total_score, auto_fail, needs_review,
         {start} AS period_start
  FROM call_scores WHERE agent_id IS NOT NULL
),
by_agent AS (
  SELECT period_start, agent_id, COUNT(*) AS calls, AVG(total_score) AS mean_score,
         PERCENTILE(total_score, 0.1) AS p10_score, PERCENTILE(total_score, 0.9) AS p90_score,
         CAST(SUM(CASE WHEN auto_fail THEN 1 ELSE 0 END) AS INT) AS auto_fail_count,
         CAST(SUM(CASE WHEN needs_review THEN 1 ELSE 0 END) AS INT) AS needs_review_count
  FROM scores GROUP BY period_start, agent_id
),
teams AS (
  SELECT period_start, agent_id, team FROM (
    SELECT period_start, agent_id, team,
           ROW_NUMBER() OVER (PARTITION BY period_start, agent_id
                              ORDER BY COUNT(*) DESC, team ASC NULLS FIRST) AS n
    FROM scores GROUP BY period_start, agent_id, team) WHERE n = 1
),
ranked AS (
  SELECT b.*, t.team,
         CAST(RANK() OVER (PARTITION BY b.period_start, t.team ORDER BY b.mean_score DESC) AS INT)
           AS rank_in_team
  FROM by_agent b JOIN teams t USING (period_start, agent_id)
),
rates AS (
  SELECT {start} AS period_start, agent_id, item_id,
         SUM(CASE WHEN result = 'pass' THEN 1 ELSE 0 END)
           / NULLIF(SUM(CASE WHEN result IN ('pass', 'fail') THEN 1 ELSE 0 END), 0) AS pass_rate
  FROM evaluations WHERE agent_id IS NOT NULL
  GROUP BY 1, agent_id, item_id
)
SELECT r.period_start, {end} AS period_end, r.agent_id, r.team, r.calls, r.mean_score,
       r.p10_score, r.p90_score, r.auto_fail_count, r.needs_review_count, r.rank_in_team,
       r.mean_score - prev.mean_score AS mean_score_change,
       MAP_FROM_ENTRIES(COLLECT_LIST(
         CASE WHEN x.item_id IS NOT NULL THEN STRUCT(x.item_id, x.pass_rate) END)) AS pass_rate
FROM ranked r
LEFT JOIN ranked prev ON prev.agent_id = r.agent_id AND prev.period_start = {previous}
LEFT JOIN rates x ON x.period_start = r.period_start AND x.agent_id = r.agent_id
GROUP BY r.period_start, r.agent_id, r.team, r.calls, r.mean_score, r.p10_score, r.p90_score,
         r.auto_fail_count, r.needs_review_count, r.rank_in_team, prev.mean_score
ORDER BY r.period_start, r.team ASC NULLS FIRST, r.rank_in_team, r.agent_id
"""

PERIODS = {
    # ISO week (Monday to Sunday) and calendar month, as callqa_store::Period.
    "week": {"start": "DATE_TRUNC('WEEK', call_date)",
             "end": "DATE_ADD(r.period_start, 6)",
             "previous": "DATE_SUB(r.period_start, 7)"},
    "month": {"start": "TRUNC(call_date, 'MM')",
              "end": "LAST_DAY(r.period_start)",
              "previous": "ADD_MONTHS(r.period_start, -1)"},
}


def agent_summary(spark, out, period):
    recs = live_records(out)
    for table in ("call_scores", "evaluations"):
        df = current_rows(spark, out, table, recs)
        if df is None:
            return []
        df.createOrReplaceTempView(table)
    p = PERIODS[period]
    sql = SUMMARY_SQL.format(start="CAST({} AS DATE)".format(p["start"]), end=p["end"],
                             previous=p["previous"])
    rows = []
    for r in spark.sql(sql).collect():
        d = r.asDict()
        rates = d.pop("pass_rate") or {}
        d["period"] = period
        d["period_start"] = str(d["period_start"])
        d["period_end"] = str(d["period_end"])
        d["pass_rate"] = {k: (None if v is None else float(v)) for k, v in rates.items()}
        rows.append(d)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", required=True, help="CSV (header) or Parquet manifest")
    ap.add_argument("--out", required=True, help="output folder (shared by every executor)")
    ap.add_argument("--pipeline", action="append", required=True, help="repeatable")
    ap.add_argument("--shards", type=int, required=True, help="N: shards (Spark tasks)")
    ap.add_argument("--callqa", default="callqa", help="the callqa binary on the executors")
    ap.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    ap.add_argument("--jobs", type=int, help="callqa --jobs per shard process")
    ap.add_argument("--shard-calls", type=int, default=8, help="callqa --shard-calls")
    ap.add_argument("--period", choices=sorted(PERIODS), default="week")
    ap.add_argument("--summary-json", help="write the agent summary here, one JSON per line")
    ap.add_argument("--report-json", help="write each shard task's result here, one per line")
    args = ap.parse_args(argv)
    if args.shards < 1:
        ap.error("--shards must be at least 1")

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("callqa-score")
    if args.master:
        builder = builder.master(args.master)
    builder = (builder.config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = read_manifest(spark, args.manifest)
        results = sorted(score_shards(spark, df, args), key=lambda r: r["shard"])
        for r in results:
            print("shard {shard} (attempt {attempt}): exit {exit_code}, given {calls_given}, "
                  "scored {scored}, skipped {skipped}, failed {failed}".format(**r), file=sys.stderr)
        if args.report_json:
            with open(args.report_json, "w", encoding="utf-8") as f:
                for r in results:
                    f.write(json.dumps(r) + "\n")
        rows = agent_summary(spark, os.path.abspath(args.out), args.period)
        if args.summary_json:
            with open(args.summary_json, "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, sort_keys=True) + "\n")
        print("agent summary: {} rows".format(len(rows)), file=sys.stderr)
        failed = sum((r.get("failed") or 0) for r in results)
        return 2 if failed else 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
