"""Turns bench/run.sh's JSON lines into docs/benchmarks.md."""
import json
import platform
import subprocess
import sys
from datetime import datetime, timezone

path, hazards, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [json.loads(l) for l in open(path) if l.strip()]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"


def find(engine, **kw):
    for r in rows:
        if r.get("engine") == engine and all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def f(x, d=1):
    return "–" if x is None else f"{x:,.{d}f}"


out = []
out.append("# Benchmarks\n")
out.append(f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bash bench/run.sh` "
           f"(`HAZARDS={hazards}`, {seconds} s per run).\n")
out.append("## Machine\n")
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("free -g | awk '/Mem/ {print $2}'")
out.append(f"- {sh('nproc')} cores ({cpu}), {mem} GiB memory, {platform.system()} {platform.release()}")
out.append(f"- {sh('rustc --version')}; {sh('psql --version')}; SQLite bundled with libsqlite3-sys")
out.append("- the load generator (`examples/loadgen.rs`) runs on the same 2 cores as the server and the database\n")
out.append("## How it is measured\n")
out.append("1. `safetrace generate --hazards N --seed 1` fills a fresh database (SQLite file, or a new PostgreSQL database).")
out.append("2. The release server starts on it (`SAFETRACE_POOL_SIZE=16`, evidence not required so rectifications need no upload).")
out.append("3. `target/release/examples/loadgen <url> <token> <scenario> <clients> <seconds>` drives it over HTTP from another process:")
out.append("   `submit` = `POST /inspections` with 3 deadline hazards; `rectify` = a rectification of an open hazard and its")
out.append("   verification (two requests, one latency); `list` = `GET /hazards?community_id=…&status=open&limit=50`;")
out.append("   `monthly` = `GET /reports/monthly?month=2026-06` (JSON).")
out.append("4. Ceilings: `pgbench -M prepared -f bench/submission.sql` (the same three INSERTs in one transaction, as safetrace")
out.append("   sends them) on PostgreSQL, and `bench/submission-one-statement.sql` (the three folded into one statement, stricter);")
out.append("   `bench/submission-reads.sql` + the INSERTs adds the two reads safetrace also sends (the token lookup, the unit check): what")
out.append("   PostgreSQL alone allows for safetrace's exact statements;")
out.append("   `examples/ceiling sqlite-submit` (the same INSERTs from a bare Rust loop) on SQLite; `examples/ceiling report`")
out.append("   (the monthly report's SQL run through the library, no HTTP, no JSON) on both.")
out.append("5. Peak RSS is the server's `VmHWM` after all runs.")
out.append("6. On PostgreSQL every measurement (each load, each pgbench run) starts right after a `CHECKPOINT`.\n")

for engine in ["sqlite", "postgres"]:
    if not any(r.get("engine") == engine for r in rows):
        continue
    out.append(f"## {engine}\n")
    gen = find(engine, scenario="generate")
    if gen:
        out.append(f"Generating {gen['hazards']:,} hazards (with inspections, events, rectifications, enforcement): "
                   f"**{gen['seconds']:.1f} s**.\n")
    out.append("| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r.get("engine") == engine and "clients" in r and "scenario" in r:
            out.append(f"| {r['scenario']} | {r['clients']} | {f(r['throughput'])} | {f(r['p50_ms'], 2)} | "
                       f"{f(r['p95_ms'], 2)} | {f(r['p99_ms'], 2)} | {r['errors']} |")
    rss = find(engine, scenario="peak_rss")
    out.append("")
    out.append("| figure | value | ceiling | ratio | target |")
    out.append("|---|---:|---:|---:|---|")
    sub16 = find(engine, scenario="submit", clients=16)
    if engine == "postgres":
        ceil = find(engine, ceiling="pgbench-submit", clients=16)
        label = "pgbench, 16 clients"
    else:
        ceil = find(engine, ceiling="sqlite-submit")
        label = "bare Rust loop"
    if sub16 and ceil:
        ratio = sub16["throughput"] / ceil["throughput"] if ceil["throughput"] else None
        out.append(f"| submissions/s at 16 clients | {f(sub16['throughput'])} | {f(ceil['throughput'])} ({label}) | "
                   f"{f(ratio * 100 if ratio else None)} % | ≥ 60 % of the PostgreSQL ceiling |")
    one = find(engine, ceiling="pgbench-submit-one-statement", clients=16)
    if sub16 and one and one["throughput"]:
        out.append(f"| submissions/s at 16 clients | {f(sub16['throughput'])} | {f(one['throughput'])} (pgbench, one statement) | "
                   f"{f(sub16['throughput'] / one['throughput'] * 100)} % | (stricter ceiling) |")
    sent = find(engine, ceiling="pgbench-submit-as-sent", clients=16)
    if sub16 and sent and sent["throughput"]:
        out.append(f"| submissions/s at 16 clients | {f(sub16['throughput'])} | {f(sent['throughput'])} (pgbench, safetrace's statements) | "
                   f"{f(sub16['throughput'] / sent['throughput'] * 100)} % | (what PostgreSQL allows these statements) |")
    l16 = find(engine, scenario="list", clients=16)
    if l16:
        out.append(f"| hazard list p99 at 16 clients | {f(l16['p99_ms'], 2)} ms | | | < 20 ms |")
    m1 = find(engine, scenario="monthly", clients=1)
    rep = find(engine, ceiling="report-sql")
    if m1 and rep:
        out.append(f"| monthly report p50, 1 client | {f(m1['p50_ms'], 1)} ms | {f(rep['p50_ms'], 1)} ms (SQL run directly) | "
                   f"{f(m1['p50_ms'] / rep['p50_ms'], 2)} × | ≤ 1.5 × |")
    if rss:
        out.append(f"| peak RSS of the server | {rss['kib'] / 1024:.1f} MiB | | | < 64 MiB |")
    out.append("")
print("\n".join(out))
