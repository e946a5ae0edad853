#!/usr/bin/env bash
# Dashboard benchmark (issue 12): the manager's portfolio (JSON, page, CSV) and one building's
# statistics (JSON, page, CSV) at 50 buildings and N reports, measured with wrk.
# Same seed as run.sh (benches/load/seed.sql: the N reports in the first building), then the
# latest 2,000 moved to the second building (a busy building beside a pathological one), a
# due time on every report (48 h after filing: the open ones without answer are overdue),
# a first answer on the ones in progress or closed and a closing time on the closed ones.
#
#   benches/load/dashboard.sh [sqlite|postgres] N [seconds per run]
#
# Environment: PG_URL (default postgres://postgres@127.0.0.1:5432/palier_bench_dash, dropped
# and re-created), PORT (default 18081), BIN (default the release binary). Needs wrk, sqlite3 or psql, sha256sum and curl.
set -euo pipefail

BACKEND=${1:-sqlite}
N=${2:-100000}
DUR=${3:-10}
PORT=${PORT:-18081}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/palier_bench_dash}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benches/load"
BIN=${BIN:-"$ROOT/target/release/palier"}
BASE="http://127.0.0.1:$PORT"

for tool in wrk curl sha256sum; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)

DATA=$(mktemp -d /tmp/palier-dash.XXXXXX)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DATA"
}
trap cleanup EXIT

export PALIER_DATA_DIR="$DATA"
export PALIER_SMTP_RATE=0
case "$BACKEND" in
    sqlite)
        unset DATABASE_URL
        sql() { sqlite3 -batch -bail "$DATA/palier.db"; }
        ;;
    postgres)
        ADMIN_URL="${PG_URL%/*}/postgres"
        DBNAME="${PG_URL##*/}"
        psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" >/dev/null
        export DATABASE_URL="$PG_URL"
        sql() { psql -q -v ON_ERROR_STOP=1 "$PG_URL" >/dev/null; }
        ;;
    *) echo "usage: $0 [sqlite|postgres] N [seconds]" >&2; exit 2 ;;
esac
log() { echo "$(date +%H:%M:%S) $*" >&2; }

log "seeding $N reports on $BACKEND"
"$BIN" migrate >/dev/null
"$BIN" admin create-agency --name "Agence Banc" >/dev/null
PALIER_MANAGER_PASSWORD="banc-de-charge-2026" "$BIN" admin create-manager --agency "Agence Banc" \
    --email manager@bench.test --name "Gestionnaire Banc" >/dev/null
case "$BACKEND" in
    sqlite) MANAGER=$(sqlite3 "$DATA/palier.db" "SELECT id FROM people WHERE email = 'manager@bench.test'") ;;
    postgres) MANAGER=$(psql -qtA "$PG_URL" -c "SELECT id FROM people WHERE email = 'manager@bench.test'") ;;
esac
NOW=$(($(date +%s) * 1000))
sed -e "s/:N\b/$N/g" -e "s/:NOW\b/$NOW/g" -e "s/:MANAGER\b/$MANAGER/g" "$HERE/seed.sql" | sql
token() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
digest() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
MANAGER_TOKEN=$(token)
SESSION=$(token)
FAR=$((NOW + 86400000))
sql <<SQL
UPDATE reports SET building_id = 'b2' WHERE id IN (SELECT id FROM reports WHERE building_id = 'b1' ORDER BY created_at DESC LIMIT 2000);
UPDATE reports SET due_at = created_at + 172800000,
    first_response_at = CASE WHEN status <> 'todo' THEN created_at + 3600000 * (1 + (CAST(substr(id, 2) AS INTEGER) % 72)) END,
    closed_at = CASE WHEN status = 'closed' THEN created_at + 3600000 * (2 + (CAST(substr(id, 2) AS INTEGER) % 200)) END;
INSERT INTO api_tokens (id, person_id, token_hash, name, created_at) VALUES ('tman', '$MANAGER', '$(digest "$MANAGER_TOKEN")', 'bench', $NOW);
INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ('$(digest "$SESSION")', '$MANAGER', $NOW, $FAR);
SQL
if [ "$BACKEND" = postgres ]; then psql -q "$PG_URL" -c "VACUUM ANALYZE" >/dev/null; else sqlite3 "$DATA/palier.db" "ANALYZE"; fi

"$BIN" serve --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

MAN=(-H "Authorization: Bearer $MANAGER_TOKEN")
COOKIE=(-H "Cookie: palier_session=$SESSION")
check() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
    case "$code" in 2*) ;; *) echo "check failed ($code): $*" >&2; exit 1 ;; esac
}
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else { sub(/s$/, "", v); printf "%.0f", v * 1000 } }'
}
ROWS=()
measure() {
    local name=$1 conns=$2
    shift 2
    local out
    out=$(wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"${DUR}s" --latency "$@")
    local rps p50 p99 errors
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
    errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    ROWS+=("$(printf '| %-30s | %3s | %9s | %8s | %8s | %6s |' "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-0}")")
    log "$name c$conns: $rps req/s, p50 $p50 ms, p99 $p99 ms"
}

check "${MAN[@]}" "$BASE/api/v1/dashboard"
check "${COOKIE[@]}" "$BASE/dashboard"
check "${MAN[@]}" "$BASE/api/v1/buildings/b1/stats"
check "${COOKIE[@]}" "$BASE/buildings/b1/stats"
curl -s "${MAN[@]}" "$BASE/api/v1/dashboard" | head -c 400 >&2; echo >&2
for c in 1 16; do
    measure "dashboard JSON" $c "${MAN[@]}" "$BASE/api/v1/dashboard"
    measure "dashboard page (home)" $c "${COOKIE[@]}" "$BASE/dashboard"
    measure "portfolio CSV" $c "${MAN[@]}" "$BASE/api/v1/dashboard.csv"
    measure "stats JSON, 2,000 reports" $c "${MAN[@]}" "$BASE/api/v1/buildings/b2/stats"
    measure "stats page, 2,000 reports" $c "${COOKIE[@]}" "$BASE/buildings/b2/stats"
    measure "stats CSV, 2,000 reports" $c "${MAN[@]}" "$BASE/api/v1/buildings/b2/stats.csv"
    measure "stats JSON, 98,000 reports" $c "${MAN[@]}" "$BASE/api/v1/buildings/b1/stats"
    measure "stats page, 98,000 reports" $c "${COOKIE[@]}" "$BASE/buildings/b1/stats"
done
echo
echo "Palier $(git -C "$ROOT" rev-parse --short HEAD), $BACKEND, $N reports in 50 buildings, ${DUR}s per run, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| work                           |   c |     req/s | p50 (ms) | p99 (ms) | non-2xx |"
echo "|--------------------------------|-----|-----------|----------|----------|--------|"
printf '%s\n' "${ROWS[@]}"
