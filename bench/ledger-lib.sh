# Shared by bench/import.sh, bench/export.sh and bench/search.sh (sourced, not run): a
# fresh database per engine, the release server started and stopped, its peak RSS, and
# the results as JSON lines (to stdout, and appended to $RESULTS when set).

BIN=target/release/safetrace
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18556}
ENGINES=${ENGINES:-"sqlite postgres"}
WORK=$(mktemp -d)
trap 'stop; rm -rf "$WORK"' EXIT
SERVER=
PASSWORD=jinmao-ledger-load-2026

# build: the release binary and the examples the scripts use (always the same targets: a
# build without examples resolves other features and would build everything again).
build() { cargo build --release --bin safetrace --example loadgen --example sheetgen 2>&1 | tail -1; }

# fresh_db ENGINE: prints the URL of an empty database for ENGINE.
fresh_db() {
    if [ "$1" = postgres ]; then
        psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS safetrace_ledger_bench" \
            -c "CREATE DATABASE safetrace_ledger_bench" >/dev/null
        echo "$PG_BASE/safetrace_ledger_bench"
    else
        rm -rf "$WORK/sqlite" && mkdir -p "$WORK/sqlite"
        echo "$WORK/sqlite/safetrace.db"
    fi
}

# st URL ARGS…: the safetrace command line on URL.
st() {
    local url=$1
    shift
    "$BIN" --data-dir "$WORK/data" --database-url "$url" "$@"
}

# serve URL [FLAGS…]: starts the server on URL with a fresh process, logs in the bench
# user, then resets the process's peak RSS (VmHWM), so that the peak read after is the
# measured operation's: a login's password check takes 19 MiB on its own (argon2, on
# purpose), which would otherwise be the peak. Sets SERVER, API and TOKEN.
serve() {
    local url=$1
    shift
    SAFETRACE_LOG=warn "$BIN" --data-dir "$WORK/data" --database-url "$url" --bind "127.0.0.1:$PORT" "$@" \
        >"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
    API="http://127.0.0.1:$PORT/api/v1"
    TOKEN=$(curl -sf -H 'content-type: application/json' -X POST "$API/auth/login" \
        -d "{\"username\":\"bench\",\"password\":\"$PASSWORD\"}" | jq -r .token)
    echo 5 >"/proc/$SERVER/clear_refs"
}

stop() {
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
        kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    fi
    SERVER=
}

# peak_rss: the server's peak resident memory since `serve` reset it, in KiB.
peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }

# bench_user URL: the admin the benchmarks log in as.
bench_user() { st "$1" user add bench --role admin --password "$PASSWORD" >/dev/null; }

# record ENGINE JSON: one result line.
record() {
    local line
    line="{\"engine\":\"$1\",$(echo "$2" | sed 's/^{//')"
    echo "$line"
    if [ -n "${RESULTS:-}" ]; then echo "$line" >>"$RESULTS"; fi
}

# verdict NAME VALUE LIMIT: PASS when VALUE < LIMIT.
verdict() {
    if [ "$(echo "$2 < $3" | bc)" = 1 ]; then echo "  PASS $1: $2 < $3"; else echo "  FAIL $1: $2 >= $3"; fi
}
