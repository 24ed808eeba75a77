#!/usr/bin/env bash
# The load benchmark: generates a data set, starts safetrace (release) on it, drives it
# over HTTP from a separate process (examples/loadgen.rs) at 1, 16 and 64 clients, measures
# the ceilings (pgbench with the same INSERTs; the same INSERTs from a bare Rust loop on
# SQLite; the report's SQL run directly), and writes docs/benchmarks.md.
#
#   bash bench/run.sh                 # 1,000,000 hazards, both engines
#   HAZARDS=100000 ENGINES=sqlite SECONDS_PER_RUN=5 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

HAZARDS=${HAZARDS:-1000000}
ENGINES=${ENGINES:-"sqlite postgres"}
RUN=${SECONDS_PER_RUN:-10}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18555}
OUT=docs/benchmarks.md
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v pgbench >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-contrib >/dev/null; }
cargo build --release --bin safetrace --example loadgen --example ceiling 2>&1 | tail -1
BIN=target/release/safetrace
LOADGEN=target/release/examples/loadgen
CEILING=target/release/examples/ceiling

results="$WORK/results.jsonl"
: > "$results"
# Each PostgreSQL measurement starts right after a checkpoint, so that none of them pays
# for the full-page writes and flushing of one that others happen to miss (with the default
# max_wal_size a load checkpoints every ~15 s; the generator's index builds leave one due).
fresh() { [ "$1" != postgres ] || psql -q "$2" -c CHECKPOINT; }
record() { # engine, json line
    echo "{\"engine\":\"$1\",$(echo "$2" | sed 's/^{//')" >> "$results"
    echo "  $1: $2"
}

for engine in $ENGINES; do
    echo "== $engine: generating $HAZARDS hazards"
    data="$WORK/$engine"
    mkdir -p "$data"
    if [ "$engine" = postgres ]; then
        psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS safetrace_bench" -c "CREATE DATABASE safetrace_bench"
        url="$PG_BASE/safetrace_bench"
    else
        url="$data/safetrace.db"
    fi
    t0=$(date +%s.%N)
    $BIN --data-dir "$data" --database-url "$url" generate --hazards "$HAZARDS" --seed 1 --quiet
    gen_seconds=$(echo "$(date +%s.%N) - $t0" | bc)
    record "$engine" "{\"scenario\":\"generate\",\"hazards\":$HAZARDS,\"seconds\":$gen_seconds}"
    $BIN --data-dir "$data" --database-url "$url" user add bench --role admin --password jinmao-load-test-2026 >/dev/null

    echo "== $engine: serving"
    # One user submits and verifies in the rectify scenario: allow verifying one's own.
    SAFETRACE_REQUIRE_EVIDENCE=false SAFETRACE_ALLOW_SELF_VERIFICATION=true SAFETRACE_LOG=warn \
        $BIN --data-dir "$data" --database-url "$url" --bind "127.0.0.1:$PORT" --pool-size 16 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
    base="http://127.0.0.1:$PORT"
    token=$(curl -s -H 'content-type: application/json' -X POST "$base/api/v1/auth/login" \
        -d '{"username":"bench","password":"jinmao-load-test-2026"}' | jq -r .token)
    units=$(curl -s -H "authorization: Bearer $token" "$base/api/v1/units?limit=200" | jq -r '[.items[].id] | join(",")')
    communities=$(curl -s -H "authorization: Bearer $token" "$base/api/v1/communities?limit=200" | jq -r '[.items[].id] | join(",")')

    for c in 1 16 64; do fresh "$engine" "$url"; record "$engine" "$($LOADGEN "$base" "$token" submit $c $RUN units=$units)"; done
    for c in 1 16; do fresh "$engine" "$url"; record "$engine" "$($LOADGEN "$base" "$token" rectify $c $RUN)"; done
    for c in 1 16; do fresh "$engine" "$url"; record "$engine" "$($LOADGEN "$base" "$token" list $c $RUN communities=$communities)"; done
    for c in 1 16; do fresh "$engine" "$url"; record "$engine" "$($LOADGEN "$base" "$token" monthly $c $RUN month=2026-06)"; done
    rss=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
    record "$engine" "{\"scenario\":\"peak_rss\",\"kib\":$rss}"
    kill $server; wait $server 2>/dev/null || true

    echo "== $engine: ceilings"
    record "$engine" "$($CEILING report "$url" 2026-06 5)"
    if [ "$engine" = postgres ]; then
        unit=$(psql -tA "$url" -c "SELECT id FROM units LIMIT 1")
        community=$(psql -tA "$url" -c "SELECT community_id FROM units LIMIT 1")
        for c in 1 16; do
            fresh "$engine" "$url"
            tps=$(pgbench -n -M prepared -c $c -j 2 -T "$RUN" -D unit="$unit" -D community="$community" \
                -f bench/submission.sql "$url" 2>/dev/null | awk '/^tps/ {print $3; exit}')
            record "$engine" "{\"ceiling\":\"pgbench-submit\",\"clients\":$c,\"throughput\":$tps}"
        done
        fresh "$engine" "$url"
        tps=$(pgbench -n -M prepared -c 16 -j 2 -T "$RUN" -D unit="$unit" -D community="$community" \
            -f bench/submission-one-statement.sql "$url" 2>/dev/null | awk '/^tps/ {print $3; exit}')
        record "$engine" "{\"ceiling\":\"pgbench-submit-one-statement\",\"clients\":16,\"throughput\":$tps}"
        tok=$(psql -tA "$url" -c "SELECT token_hash FROM auth_tokens LIMIT 1")
        { cat bench/submission-reads.sql; sed '1,/^BEGIN;$/d' bench/submission.sql; } > "$WORK/submission-as-sent.sql"
        fresh "$engine" "$url"
        tps=$(pgbench -n -M prepared -c 16 -j 2 -T "$RUN" -D unit="$unit" -D community="$community" -D tok="$tok" \
            -f "$WORK/submission-as-sent.sql" "$url" 2>/dev/null | awk '/^tps/ {print $3; exit}')
        record "$engine" "{\"ceiling\":\"pgbench-submit-as-sent\",\"clients\":16,\"throughput\":$tps}"
    else
        record "$engine" "$($CEILING sqlite-submit "$url" "$RUN")"
    fi
done

python3 bench/report.py "$results" "$HAZARDS" "$RUN" | python3 bench/splice.py "$OUT" load
echo "wrote $OUT"
