#!/usr/bin/env bash
# Captures the statements safetrace sends for one phone submission (an inspection with
# three deadline hazards, client ids on all) from PostgreSQL's log (log_statement = all on
# a scratch database), and turns them into bench/submission-counters.sql, the pgbench
# script of the write ceiling (bench/statements-to-pgbench.py). Run it again after a change
# of the write path. Needs the PostgreSQL server's log file readable (LOG=…).
#
#   bash bench/capture-submission.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/safetrace}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
LOG=${LOG:-$(ls -t /var/log/postgresql/postgresql-*-main.log | head -n1)}
PORT=${PORT:-18557}
PASSWORD=capture-office-pw-2026
WORK=$(mktemp -d)
URL="$PG_BASE/safetrace_capture"
trap 'kill $server 2>/dev/null || true; rm -rf "$WORK"' EXIT
psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS safetrace_capture" -c "CREATE DATABASE safetrace_capture"
API="http://127.0.0.1:$PORT/api/v1"
start() {
    SAFETRACE_ADMIN_PASSWORD=$PASSWORD SAFETRACE_LOG=warn "$BIN" --data-dir "$WORK" --database-url "$URL" \
        --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
    token=$(curl -sf -H 'content-type: application/json' -X POST "$API/auth/login" \
        -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | jq -r .token)
}
post() { curl -sf -H "authorization: Bearer $token" -H 'content-type: application/json' -X POST "$API/$1" -d "$2"; }
start
community=$(post communities '{"code":"JM","name":"金茂社区"}' | jq -r .id)
unit=$(post units "{\"name\":\"老王饭店\",\"address\":\"金茂路1号\",\"kind\":\"restaurant\",\"community_id\":\"$community\"}" | jq -r .id)
submission() {
    local now deadline
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    deadline=$(date -u -d '+30 days' +%Y-%m-%d)
    hazard() { echo "{\"id\":\"$(cat /proc/sys/kernel/random/uuid)\",\"category\":\"$1\",\"level\":\"general\",\"handling_type\":\"deadline\",\"description\":\"燃气软管老化\",\"deadline\":\"$deadline\"}"; }
    echo "{\"id\":\"$(cat /proc/sys/kernel/random/uuid)\",\"unit_id\":\"$unit\",\"inspected_at\":\"$now\",\"leader_led\":false,\"inspectors\":[\"张三\",\"李四\"],\"hazards\":[$(hazard gas),$(hazard electrical),$(hazard evacuation)]}"
}
# The first submission makes the rows that later ones update (the counters' cells).
post inspections "$(submission)" >/dev/null
kill $server && wait $server 2>/dev/null || true
psql -q "$URL" -c "ALTER DATABASE safetrace_capture SET log_statement = 'all'"
start
from=$(wc -l <"$LOG")
post inspections "$(submission)" >/dev/null
sleep 1
tail -n +"$((from + 1))" "$LOG" | grep "postgres@safetrace_capture" -A1 >"$WORK/statements.log"
python3 bench/statements-to-pgbench.py "$WORK/statements.log" >bench/submission-counters.sql
echo "wrote bench/submission-counters.sql ($(grep -c ';' bench/submission-counters.sql) statements)"
