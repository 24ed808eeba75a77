"""Turns the PostgreSQL log of one phone submission (log_statement = all) into a pgbench
script that sends the same statements with the same values, in the same transaction:
the write ceiling for what safetrace sends (bench/capture-submission.sh makes the log).

The ids that must be new per transaction become pgbench variables: the token lookup (the
first statement) also returns fresh UUIDs for the inspection and its hazards (\\gset),
so the script sends no statement safetrace does not; every event id becomes
gen_random_uuid(). The token hash, the unit, the community and the user become
variables (pgbench -D tok=… unit=… community=… user=…).

usage: python3 bench/statements-to-pgbench.py postgresql.log > bench/submission-counters.sql
"""
import re
import sys
from datetime import datetime

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
stmts = []  # (sql, {n: literal})
for i, line in enumerate(lines):
    m = re.search(r"LOG:  (?:execute [^:]+|statement): (.*)$", line)
    if not m:
        continue
    sql = m.group(1)
    params = {}
    if i + 1 < len(lines) and "DETAIL:  parameters:" in lines[i + 1]:
        for n, v in re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", lines[i + 1]):
            params[int(n)] = v
    stmts.append((sql, params))

# The ids: the inspection is its INSERT's $1; the hazards, the first column of each row of
# the hazards INSERT; the unit, the community and the user as the inspection INSERT has them;
# the token hash as the first statement looks it up.
ins = next(p for s, p in stmts if s.startswith('INSERT INTO "inspections"'))
hz_sql, hz = next((s, p) for s, p in stmts if s.startswith('INSERT INTO "hazards"'))
per_row = hz_sql.split("VALUES", 1)[1].split("),")[0].count("$")
names = {ins[1]: ":iid", ins[2]: ":unit", ins[3]: ":community", ins[11]: ":user", stmts[0][1][1]: ":tok"}
hids = [hz[1 + k * per_row] for k in range(len(hz) // per_row)]
for k, h in enumerate(hids):
    names[h] = f":h{k + 1}"
raw = {v.strip("'"): k for v, k in names.items()}
# pgbench reads ":31" in '04:31:15' as a variable: each moment becomes one too, its value
# made by the first statement from the epoch (no colon in the script).
moments = {}
for _, params in stmts:
    for v in params.values():
        if re.fullmatch(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00'", v) and v not in names and v not in moments:
            moments[v] = f":t{len(moments) + 1}"
names.update(moments)


def uuid_array(v):
    """'{a,b,c}' of captured ids -> ARRAY[:h1, …]::uuid[]."""
    items = v.strip("'{}").split(",")
    if v.startswith("'{") and items and all(i in raw for i in items):
        return "ARRAY[" + ", ".join(raw[i] for i in items) + "]::uuid[]"
    return None


out = ["-- pgbench: the statements safetrace sends for one phone submission (an inspection",
       "-- with three deadline hazards), captured from PostgreSQL's log by",
       "-- bench/capture-submission.sh and turned into this script by",
       "-- bench/statements-to-pgbench.py: the token lookup, the replay and reference checks,",
       "-- the inserts, the search pairs, the counters and the distinct-unit sets, in one",
       "-- transaction. Generated; do not edit by hand."]
first = True
for sql, params in stmts:
    if sql in ("BEGIN", "COMMIT"):
        out.append(sql + ";")
        continue
    is_event = sql.startswith('INSERT INTO "hazard_events"')
    def lit(m):
        n = int(m.group(1))
        v = params.get(n, "NULL")
        if v in names:
            return names[v]
        if uuid_array(v):
            return uuid_array(v)
        if is_event and (n - 1) % 9 == 0:
            return "gen_random_uuid()"
        return v
    body = re.sub(r"\$(\d+)", lit, sql)
    if first:
        fresh = ", ".join(f"gen_random_uuid() AS {n[1:]}" for n in [":iid"] + [f":h{k + 1}" for k in range(len(hids))])
        for v, n in moments.items():
            epoch = datetime.fromisoformat(v.strip("'").replace("+00", "+00:00")).timestamp()
            fresh += f", to_timestamp({epoch!r}) AS {n[1:]}"
        body = body.replace(" FROM (", f", {fresh} FROM (", 1)
        out.append(body + " \\gset")
        first = False
    else:
        out.append(body + ";")
print("\n".join(out))
