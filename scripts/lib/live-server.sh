# Sourced by the scripts that test a live server (scripts/schemathesis, scripts/clients): start
# `convo serve` on a fresh, uniquely named database of the local PostgreSQL, and remove both on
# exit. The caller sets `set -euo pipefail` and a work directory in $work.
# CONVO_LIVE_DATABASE_URL: a database to use instead (kept on exit), such as a Citus
# coordinator's (docs/citus.md).
#
#   start_live_server NAME [VAR=value ...]   build (unless $CONVO_LIVE_BINARY) and start the
#                                            server with the extra environment; sets $base
#   stop_live_server                         (installed as the EXIT trap by start_live_server)

server_pid=
database=
pg_host=

psql_admin() { psql -h "$pg_host" -d postgres "$@"; }

stop_live_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$database" ]; then
        psql_admin -qc "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}

# A fresh database on the local PostgreSQL, named after $1; sets $pg_host and $database.
create_live_database() {
    for candidate in /var/run/postgresql /tmp 127.0.0.1; do
        if psql -h "$candidate" -d postgres -qAtc 'SELECT 1' >/dev/null 2>&1; then
            pg_host=$candidate
            break
        fi
    done
    if [ -z "$pg_host" ]; then
        echo "$1: no local PostgreSQL accepts $(id -un) (run .ci/run first)" >&2
        exit 1
    fi
    database="convo_${1}_$(date +%s)_$$"
    psql_admin -qc "CREATE DATABASE \"$database\"" >/dev/null
}

start_live_server() {
    local name=$1
    shift
    trap stop_live_server EXIT
    local database_url=${CONVO_LIVE_DATABASE_URL:-}
    if [ -z "$database_url" ]; then
        create_live_database "$name"
        database_url="host=$pg_host user=$(id -un) dbname=$database"
    fi

    local binary=${CONVO_LIVE_BINARY:-}
    if [ -z "$binary" ]; then
        cargo build -q --bin convo
        binary="${CARGO_TARGET_DIR:-target}/debug/convo"
    fi
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base="http://127.0.0.1:$port"
    env DATABASE_URL="$database_url" \
        CONVO_BIND="127.0.0.1:$port" \
        CONVO_RATE_LIMIT_PER_SEC=0 \
        RUST_LOG=warn \
        "$@" \
        "$binary" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        python3 -c "import urllib.request; urllib.request.urlopen('$base/ready')" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "$name: the server did not become ready" >&2
    cat "$work/server.log" >&2
    exit 1
}

# Fail when the server logged a panic or an internal error (a 500 the client may not notice).
check_server_log() {
    if grep -q "panicked\|internal error" "$work/server.log"; then
        echo "$1: the server logged internal errors:" >&2
        grep "panicked\|internal error" "$work/server.log" | head -20 >&2
        return 1
    fi
}
