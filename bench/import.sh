#!/usr/bin/env bash
# The import benchmark: a registry of ROWS units (every column filled, 20 communities)
# imported through the API as XLSX into an empty database (every row created), the same
# file again (every row unchanged), and as GB18030 CSV (a dry run); each on a fresh
# server process, whose peak RSS is read after; and the command line's import, timed by
# /usr/bin/time. Target: 10,000 rows in under 10 s, peak RSS under 128 MiB.
#
#   bash bench/import.sh                       # 10,000 rows, both engines
#   ROWS=500 ENGINES=sqlite bash bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000}
source bench/ledger-lib.sh

build
COMMUNITIES=(金茂路社区 新开铺社区 桂花坪社区 赤岭路社区 南湖社区 书院路社区 青园社区 井湾子社区 洞井社区 黎托社区
    东塘社区 侯家塘社区 左家塘社区 雨花亭社区 砂子塘社区 高桥社区 东山社区 圭塘社区 同升社区 跳马社区)
target/release/examples/sheetgen "$ROWS" "$WORK/units.xlsx" "${COMMUNITIES[@]}"
target/release/examples/sheetgen "$ROWS" "$WORK/units.csv" "${COMMUNITIES[@]}"
{
    echo "名称,代码"
    for i in "${!COMMUNITIES[@]}"; do echo "${COMMUNITIES[$i]},C$i"; done
} >"$WORK/communities.csv"

# import ENGINE SCENARIO FILE DRY_RUN: one import on a fresh server.
import() {
    local engine=$1 scenario=$2 file=$3 dry=$4 out seconds
    serve "$URL"
    out=$(curl -sf -w '\n%{time_total}' -H "authorization: Bearer $TOKEN" -F "file=@$file" -F "dry_run=$dry" \
        "$API/imports/units")
    seconds=$(echo "$out" | tail -1)
    record "$engine" "{\"scenario\":\"$scenario\",\"rows\":$ROWS,\"bytes\":$(stat -c %s "$file"),\"seconds\":$seconds,\
\"created\":$(echo "$out" | head -1 | jq .created),\"unchanged\":$(echo "$out" | head -1 | jq .unchanged),\
\"errors\":$(echo "$out" | head -1 | jq '.errors | length'),\"peak_rss_kib\":$(peak_rss)}"
    verdict "$engine $scenario seconds" "$seconds" 10
    verdict "$engine $scenario peak RSS (KiB)" "$(peak_rss)" $((128 * 1024))
    stop
}

for engine in $ENGINES; do
    echo "== $engine: importing $ROWS units"
    URL=$(fresh_db "$engine")
    st "$URL" import communities "$WORK/communities.csv" --quiet >/dev/null
    bench_user "$URL"
    import "$engine" import_xlsx_created "$WORK/units.xlsx" false
    import "$engine" import_xlsx_unchanged "$WORK/units.xlsx" false
    import "$engine" import_gb18030_csv_dry_run "$WORK/units.csv" true

    URL=$(fresh_db "$engine")
    st "$URL" import communities "$WORK/communities.csv" --quiet >/dev/null
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" --data-dir "$WORK/data" --database-url "$URL" \
        import units "$WORK/units.xlsx" --quiet >"$WORK/cli.json"
    read -r seconds kib <"$WORK/time"
    record "$engine" "{\"scenario\":\"import_cli\",\"rows\":$ROWS,\"seconds\":$seconds,\"created\":$(jq .created "$WORK/cli.json"),\"peak_rss_kib\":$kib}"
    verdict "$engine import_cli seconds" "$seconds" 10
done
