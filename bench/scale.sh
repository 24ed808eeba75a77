#!/usr/bin/env bash
# The size table: for each size in SIZES (hazards, spread over YEARS years ending with this
# one), on each engine, a fresh database filled by `safetrace generate`, then over HTTP
# (examples/loadgen.rs, its own process): submissions at 16 clients, the hazard list at 16
# clients, a two-character search of the list (燃气, 金茂) at 16 clients, the year's summary (the loadgen mix: every grouping, with and without as_of,
# with each filter) at 1 and 16 clients, the summary with as_of only, the monthly report
# at 1 client; the database's size; on PostgreSQL the write ceiling (pgbench sending the
# statements safetrace sends for a submission, bench/submission-counters.sql, and the
# earlier ceiling bench/submission.sql) right after, at 16 clients. JSON lines go to
# stdout and $RESULTS.
#
#   bash bench/scale.sh                                  # 100k and 1M, both engines
#   SIZES=10000000 YEARS=10 ENGINES=postgres bash bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100000 1000000"}
YEARS=${YEARS:-1}
RUN=${SECONDS_PER_RUN:-10}
RESULTS=${RESULTS:-target/scale-results.jsonl}
source bench/ledger-lib.sh
BIN=${BIN:-target/release/safetrace}
LOADGEN=${LOADGEN:-target/release/examples/loadgen}
year=$(date -u +%Y)
command -v pgbench >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-contrib >/dev/null; }
[ -x "$LOADGEN" ] || build

fresh() { [ "$1" != postgres ] || psql -q "$2" -c CHECKPOINT; }
load() { # engine url scenario clients [extra…]
    local engine=$1 url=$2 scenario=$3 clients=$4
    shift 4
    fresh "$engine" "$url"
    record "$engine" "{\"hazards\":$N,\"years\":$YEARS,$("$LOADGEN" "http://127.0.0.1:$PORT" "$TOKEN" "$scenario" "$clients" "$RUN" "$@" | sed 's/^{//')"
}

for N in $SIZES; do
    for engine in $ENGINES; do
        echo "== $engine: generating $N hazards over $YEARS years" >&2
        URL=$(fresh_db "$engine")
        t0=$(date +%s.%N)
        st "$URL" generate --hazards "$N" --years "$YEARS" --seed 1 --quiet
        record "$engine" "{\"hazards\":$N,\"years\":$YEARS,\"scenario\":\"generate\",\"seconds\":$(echo "$(date +%s.%N) - $t0" | bc)}"
        if [ "$engine" = postgres ]; then
            bytes=$(psql -tA "$URL" -c "SELECT pg_database_size(current_database())")
        else
            bytes=$(du -cb "$WORK"/sqlite/safetrace.db* | tail -n1 | cut -f1)
        fi
        record "$engine" "{\"hazards\":$N,\"years\":$YEARS,\"scenario\":\"disk\",\"bytes\":$bytes}"
        bench_user "$URL"
        SAFETRACE_REQUIRE_EVIDENCE=false serve "$URL" --pool-size 16
        units=$(curl -s -H "authorization: Bearer $TOKEN" "$API/units?limit=200" | jq -r '[.items[].id] | join(",")')
        communities=$(curl -s -H "authorization: Bearer $TOKEN" "$API/communities?limit=200" | jq -r '[.items[].id] | join(",")')
        load "$engine" "$URL" summary 1 "communities=$communities" "year=$year"
        load "$engine" "$URL" summary 16 "communities=$communities" "year=$year"
        load "$engine" "$URL" summary_as_of 1 "communities=$communities" "year=$year"
        load "$engine" "$URL" list 16 "communities=$communities"
        load "$engine" "$URL" search 16 "q=燃气,金茂"
        load "$engine" "$URL" monthly 1 "month=$year-06"
        load "$engine" "$URL" submit 16 "units=$units"
        record "$engine" "{\"hazards\":$N,\"years\":$YEARS,\"scenario\":\"peak_rss\",\"kib\":$(peak_rss)}"
        stop
        if [ "$engine" = postgres ]; then
            unit=$(psql -tA "$URL" -c "SELECT id FROM units ORDER BY unit_no LIMIT 1")
            community=$(psql -tA "$URL" -c "SELECT community_id FROM units ORDER BY unit_no LIMIT 1")
            user=$(psql -tA "$URL" -c "SELECT id FROM users WHERE username = 'bench'")
            tok=$(psql -tA "$URL" -c "SELECT token_hash FROM auth_tokens WHERE user_id = '$user' ORDER BY created_at DESC LIMIT 1")
            for script in submission-counters submission; do
                fresh "$engine" "$URL"
                tps=$(pgbench -n -M prepared -c 16 -j 2 -T "$RUN" -D unit="$unit" -D community="$community" \
                    -D user="$user" -D tok="$tok" -f "bench/$script.sql" "$URL" 2>/dev/null | awk '/^tps/ {print $3; exit}')
                record "$engine" "{\"hazards\":$N,\"years\":$YEARS,\"ceiling\":\"pgbench-$script\",\"clients\":16,\"throughput\":${tps:-0}}"
            done
        fi
    done
done

python3 bench/scale-report.py "$RESULTS" | python3 bench/splice.py docs/benchmarks.md scale
echo "wrote the scale section of docs/benchmarks.md" >&2
