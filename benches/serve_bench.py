"""`callqa serve` on a synthetic store of 100,000 calls: start-up time, memory, and time to first
byte of the calls list (with and without filters) and of call pages.

Usage (after `cargo build --release -p callqa-cli -p callqa-serve --examples`):
    python3 benches/serve_bench.py [--calls 100000] [--utterances 12] [--store DIR] [--runs 20]

The store (synthetic rows, no audio: `crates/callqa-serve/examples/synth_store.rs`) is written to
--store (default /tmp/callqa-serve-bench-N) unless it is there already. Requests go to 127.0.0.1
only, one at a time on a fresh connection each; time to first byte is from sending the request
to the status line arriving. Prints a Markdown table.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    ttfb = time.perf_counter() - t0
    body = resp.read()
    total = time.perf_counter() - t0
    conn.close()
    if resp.status != 200:
        sys.exit(f"{path}: HTTP {resp.status}")
    return ttfb, total, len(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--utterances", type=int, default=12)
    ap.add_argument("--store", default=None)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--callqa", default=os.path.join(ROOT, "target/release/callqa"))
    ap.add_argument("--synth", default=os.path.join(ROOT, "target/release/examples/synth_store"))
    a = ap.parse_args()
    store = a.store or f"/tmp/callqa-serve-bench-{a.calls}"
    if not os.path.isdir(os.path.join(store, "calls")):
        t0 = time.perf_counter()
        subprocess.run([a.synth, store, str(a.calls), str(a.utterances)], check=True)
        print(f"store written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(store) for f in fs)

    t0 = time.perf_counter()
    server = subprocess.Popen(
        [a.callqa, "serve", "--out", store, "--bind", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        startup = time.perf_counter() - t0
        url = next(w for w in line.split() if w.startswith("http://"))
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        rss = rss_mib(server.pid)
        rng = random.Random(1)
        ids = [f"syn-{rng.randrange(a.calls):06d}" for _ in range(a.runs)]
        cases = [
            ("calls list, first page (50 rows)", lambda i: "/calls"),
            ("calls list, team + auto-fail + score range", lambda i: "/calls?team=team-03&auto_fail=no&score_min=50&score_max=90"),
            ("calls list, item failed, sorted by score", lambda i: "/calls?item_failed=empathy&sort=score"),
            ("calls list, date range + needs review, page 5", lambda i: "/calls?from=2026-10-01&to=2026-10-31&needs_review=yes&page=5"),
            ("calls list, page 1000", lambda i: "/calls?page=1000"),
            ("/api/calls, 500 rows", lambda i: "/api/calls?per_page=500"),
            ("call page (random call)", lambda i: f"/calls/{ids[i]}"),
            ("/api/calls/{id} (random call)", lambda i: f"/api/calls/{ids[i]}"),
            ("overview", lambda i: "/"),
            ("agents (week)", lambda i: "/agents"),
        ]
        rows = []
        for name, path in cases:
            fetch(port, path(0))  # warm-up
            ttfbs, totals, size_b = [], [], 0
            for i in range(a.runs):
                t, tot, n = fetch(port, path(i))
                ttfbs.append(t * 1000)
                totals.append(tot * 1000)
                size_b = n
            ttfbs.sort()
            p95 = ttfbs[min(len(ttfbs) - 1, int(round(0.95 * (len(ttfbs) - 1))))]
            rows.append((name, statistics.median(ttfbs), p95, statistics.median(totals), size_b))
        rss_after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"store: {a.calls} synthetic calls x {a.utterances} utterances, 11 items each; "
          f"{size / 2**20:.0f} MiB of Parquet at {store}")
    print(f"start-up (load + index + bind): {startup:.1f} s; server RSS {rss:.0f} MiB after load, "
          f"{rss_after:.0f} MiB after the runs; cores: {os.cpu_count()}")
    print()
    print(f"| request ({a.runs} runs each) | TTFB median ms | TTFB p95 ms | full response median ms | body KiB |")
    print("|---|---:|---:|---:|---:|")
    for name, med, p95, tot, n in rows:
        print(f"| {name} | {med:.1f} | {p95:.1f} | {tot:.1f} | {n / 1024:.0f} |")


if __name__ == "__main__":
    main()
