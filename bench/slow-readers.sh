#!/usr/bin/env bash
# Slow readers of one attachment: READERS clients (50) download a SIZE_MIB (10 MiB)
# upload at RATE (100k bytes/s each, curl --limit-rate) at the same time. The server
# streams the file in chunks, so its memory must not grow with the readers: the peak RSS
# while they read stays under the idle RSS + 64 MiB. A measurement, not a timed test.
# Reads VmRSS from /proc/<pid>/status every 0.2 s (idle = after the upload, before the
# readers).
#
#   bash bench/slow-readers.sh                      # the release build
#   BIN=target/debug/safetrace bash bench/slow-readers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/safetrace}
READERS=${READERS:-50}
SIZE_MIB=${SIZE_MIB:-10}
RATE=${RATE:-100k}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
PASSWORD=slow-readers-bench-2026
WORK=$(mktemp -d)
SERVER=
READER_PIDS=()
cleanup() {
    for p in "${READER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "no $BIN: build it first (cargo build --release)" >&2; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }

SAFETRACE_LOG=warn SAFETRACE_ADMIN_PASSWORD=$PASSWORD "$BIN" --data-dir "$WORK/data" \
    --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
API="http://127.0.0.1:$PORT/api/v1"
TOKEN=$(curl -sf -H 'content-type: application/json' -X POST "$API/auth/login" \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | jq -r .token)

# A 10 MiB "PNG": the signature and random bytes (the type is found from the first bytes).
{ printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0'; head -c $((SIZE_MIB * 1024 * 1024 - 29)) /dev/urandom; } >"$WORK/big.png"
ID=$(curl -sf -H "authorization: Bearer $TOKEN" -F "file=@$WORK/big.png;type=image/png" "$API/attachments" | jq -r .id)
sleep 1
IDLE=$(rss)

for _ in $(seq 1 "$READERS"); do
    curl -s -o /dev/null --limit-rate "$RATE" -H "authorization: Bearer $TOKEN" "$API/attachments/$ID/content" &
    READER_PIDS+=($!)
done
PEAK=$IDLE
START=$(date +%s)
while :; do
    now=$(rss)
    [ "$now" -gt "$PEAK" ] && PEAK=$now
    running=0
    for p in "${READER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
    [ "$running" -eq 0 ] && break
    sleep 0.2
done
SECONDS_TAKEN=$(($(date +%s) - START))
LIMIT=$((IDLE + 64 * 1024))
echo "{\"scenario\":\"slow-readers\",\"readers\":$READERS,\"file_mib\":$SIZE_MIB,\"rate\":\"$RATE\",\"seconds\":$SECONDS_TAKEN,\"idle_rss_kib\":$IDLE,\"peak_rss_kib\":$PEAK}"
if [ "$PEAK" -lt "$LIMIT" ]; then
    echo "  PASS peak RSS $PEAK KiB < idle $IDLE KiB + 64 MiB"
else
    echo "  FAIL peak RSS $PEAK KiB >= idle $IDLE KiB + 64 MiB"
    exit 1
fi
