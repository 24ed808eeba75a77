#!/usr/bin/env bash
# The search benchmark: HAZARDS generated hazards, then pages of the hazard list for a
# two-character search (燃气: in the descriptions; 金茂: in the names and addresses of one
# community's units) from 1 and CLIENTS concurrent clients for SECONDS_PER_RUN seconds
# each (examples/loadgen.rs, scenario search). Target: p99 under 100 ms at 16 clients
# and 1,000,000 hazards, on both engines.
#
#   bash bench/search.sh                       # 1,000,000 hazards, both engines
#   HAZARDS=20000 SECONDS_PER_RUN=3 ENGINES=sqlite bash bench/search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HAZARDS=${HAZARDS:-1000000}
CLIENTS=${CLIENTS:-16}
RUN=${SECONDS_PER_RUN:-10}
source bench/ledger-lib.sh

build

for engine in $ENGINES; do
    echo "== $engine: generating $HAZARDS hazards"
    URL=$(fresh_db "$engine")
    st "$URL" generate --hazards "$HAZARDS" --seed 1 --quiet
    bench_user "$URL"
    serve "$URL" --pool-size 16
    for q in 燃气 金茂; do
        matches=$(curl -sf -G -H "authorization: Bearer $TOKEN" --data-urlencode "q=$q" \
            "$API/hazards?count=true&limit=1" | jq .total)
        for c in 1 "$CLIENTS"; do
            line=$(target/release/examples/loadgen "http://127.0.0.1:$PORT" "$TOKEN" search "$c" "$RUN" "q=$q")
            record "$engine" "{\"q\":\"$q\",\"hazards\":$HAZARDS,\"matches\":$matches,$(echo "$line" | sed 's/^{//')"
            if [ "$c" = "$CLIENTS" ]; then verdict "$engine q=$q p99 (ms) at $c clients" "$(echo "$line" | jq .p99_ms)" 100; fi
        done
    done
    record "$engine" "{\"scenario\":\"search_peak_rss\",\"kib\":$(peak_rss)}"
    stop
done
