"""Turns bench/scale.sh's JSON lines into the size table of docs/benchmarks.md."""
import json
import subprocess
import sys
from datetime import datetime, timezone

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]


def find(**kw):
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def f(x, d=1):
    return "–" if x is None else f"{x:,.{d}f}"


load = subprocess.run("cat /proc/loadavg", shell=True, capture_output=True, text=True).stdout.split()[:3]
out = ["## Reports and writes at 100k, 1M (and more) hazards\n",
       f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bash bench/scale.sh` "
       f"(`SIZES`, `YEARS`, `SECONDS_PER_RUN` as below; load average at the end {' '.join(load)} "
       "on the 2 cores: other work ran beside it, so compare within a row, not with other runs).\n",
       "Latencies in ms (p50 / p99) over HTTP from `examples/loadgen.rs`. *summary* is the loadgen mix "
       "(every `group_by`, with and without `as_of`, with each filter, in turn) for the current year; "
       "*summary as_of* the same mix, each as of a past moment. The write ceiling is pgbench at 16 clients "
       "sending the statements safetrace sends for a submission (`bench/submission-counters.sql`, captured by "
       "`bench/capture-submission.sh`), and, for comparison with earlier runs, the three INSERTs of "
       "`bench/submission.sql`.\n",
       "| engine | hazards | years | generate s | disk MiB | summary 1 client p50 | summary 16 clients p99 | "
       "summary as_of 1 client p50 | list 16 clients p99 | search 16 clients p99 | monthly 1 client p50 | submit/s 16 clients | "
       "ceiling (its statements) | ratio | ceiling (3 INSERTs) | ratio |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
sizes = sorted({(r["engine"], r["hazards"], r["years"]) for r in rows if "hazards" in r})
for engine, n, years in sizes:
    k = dict(engine=engine, hazards=n, years=years)
    g = find(scenario="generate", **k)
    d = find(scenario="disk", **k)
    s1 = find(scenario="summary", clients=1, **k)
    s16 = find(scenario="summary", clients=16, **k)
    a1 = find(scenario="summary_as_of", clients=1, **k)
    l16 = find(scenario="list", clients=16, **k)
    m1 = find(scenario="monthly", clients=1, **k)
    q16 = find(scenario="search", clients=16, **k)
    sub = find(scenario="submit", clients=16, **k)
    c1 = find(ceiling="pgbench-submission-counters", **k)
    c0 = find(ceiling="pgbench-submission", **k)
    val = lambda r, key, dd=1: f(r[key], dd) if r else "–"
    ratio = lambda c: f(sub["throughput"] / c["throughput"] * 100) + " %" if sub and c and c["throughput"] else "–"
    out.append(f"| {engine} | {n:,} | {years} | {val(g, 'seconds')} | {f(d['bytes'] / 2**20, 0) if d else '–'} | "
               f"{val(s1, 'p50_ms')} | {val(s16, 'p99_ms')} | {val(a1, 'p50_ms')} | {val(l16, 'p99_ms')} | {val(q16, 'p99_ms')} | "
               f"{val(m1, 'p50_ms')} | {val(sub, 'throughput')} | {val(c1, 'throughput')} | {ratio(c1)} | "
               f"{val(c0, 'throughput')} | {ratio(c0)} |")
print("\n".join(out))
