#!/usr/bin/env bash
# The export benchmark: the ledger of HAZARDS generated hazards (GET /hazards.xlsx and
# /hazards.csv, no filter) and the registry of their units (GET /units.xlsx), each on a
# fresh server process whose peak RSS is read after. Target: 100,000 hazards in under
# 10 s, peak RSS under 64 MiB.
#
#   bash bench/export.sh                       # 100,000 hazards, both engines
#   HAZARDS=5000 ENGINES=sqlite bash bench/export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HAZARDS=${HAZARDS:-100000}
source bench/ledger-lib.sh

build

for engine in $ENGINES; do
    echo "== $engine: generating $HAZARDS hazards"
    URL=$(fresh_db "$engine")
    st "$URL" generate --hazards "$HAZARDS" --seed 1 --quiet
    bench_user "$URL"
    for path in hazards.xlsx hazards.csv units.xlsx; do
        serve "$URL"
        seconds=$(curl -sf -o "$WORK/export" -w '%{time_total}' -H "authorization: Bearer $TOKEN" "$API/$path")
        rss=$(peak_rss)
        lines=$([ "${path##*.}" = csv ] && echo $(($(wc -l <"$WORK/export") - 1)) || echo null)
        record "$engine" "{\"scenario\":\"export\",\"path\":\"$path\",\"hazards\":$HAZARDS,\"seconds\":$seconds,\
\"bytes\":$(stat -c %s "$WORK/export"),\"rows\":$lines,\"peak_rss_kib\":$rss}"
        if [ "${path%%.*}" = hazards ]; then
            verdict "$engine $path seconds" "$seconds" 10
            verdict "$engine $path peak RSS (KiB)" "$rss" $((64 * 1024))
        fi
        stop
    done
done
