#!/usr/bin/env bash
# Load benchmark: seeds N reports (50 buildings, the N reports in the first one) straight
# into a fresh database, starts the release binary and measures it with wrk.
#
#   benches/load/run.sh [sqlite|postgres] N [seconds per run]
#
# Environment: PG_URL (default postgres://postgres@127.0.0.1:5432/palier_bench, dropped and
# re-created), PORT (default 18080), BURST=1 to end with a 60-second create burst at 64
# connections and a write right after it, KEEP=1 to keep the data folder, ONLY=regex to
# measure only the rows whose name matches (e.g. ONLY=portfolio).
# Needs wrk, sqlite3 or psql, sha256sum and curl.
set -euo pipefail

BACKEND=${1:-sqlite}
N=${2:-10000}
DUR=${3:-10}
PORT=${PORT:-18080}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/palier_bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benches/load"
BIN="${BIN:-$ROOT/target/release/palier}"
BASE="http://127.0.0.1:$PORT"

for tool in wrk curl sha256sum; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
if [ -z "${NO_BUILD:-}" ] && { [ ! -x "$BIN" ] || [ -n "$(find "$ROOT/src" "$ROOT/migrations" "$ROOT/templates" "$ROOT/locales" -newer "$BIN" -print -quit)" ]; }; then
    (cd "$ROOT" && cargo build --release --quiet)
fi

REV=$(git -C "$ROOT" rev-parse --short HEAD)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
DATA=$(mktemp -d /tmp/palier-load.XXXXXX)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$DATA"; else echo "data kept in $DATA" >&2; fi
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
        command -v psql >/dev/null || { echo "missing psql" >&2; exit 1; }
        ADMIN_URL="${PG_URL%/*}/postgres"
        DBNAME="${PG_URL##*/}"
        psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" >/dev/null
        export DATABASE_URL="$PG_URL"
        sql() { psql -q -v ON_ERROR_STOP=1 "$PG_URL" >/dev/null; }
        ;;
    *) echo "usage: $0 [sqlite|postgres] N [seconds]" >&2; exit 2 ;;
esac

log() { echo "$(date +%H:%M:%S) $*" >&2; }

# --- Seed ------------------------------------------------------------------------------
log "seeding $N reports on $BACKEND"
started=$(date +%s)
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
OCCUPANT_TOKEN=$(token)
SESSION=$(token)
FAR=$((NOW + 86400000))
sql <<SQL
INSERT INTO api_tokens (id, person_id, token_hash, name, created_at) VALUES ('tman', '$MANAGER', '$(digest "$MANAGER_TOKEN")', 'bench', $NOW);
INSERT INTO api_tokens (id, person_id, token_hash, name, created_at) VALUES ('tocc', 'poccupant', '$(digest "$OCCUPANT_TOKEN")', 'bench', $NOW);
INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ('$(digest "$SESSION")', '$MANAGER', $NOW, $FAR);
SQL
if [ "$BACKEND" = postgres ]; then psql -q "$PG_URL" -c "VACUUM ANALYZE" >/dev/null; fi
log "seeded in $(($(date +%s) - started)) s"

# --- Serve -----------------------------------------------------------------------------
"$BIN" serve --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "$BASE/healthz" >/dev/null || { echo "server did not start" >&2; cat "$DATA/server.log" >&2; exit 1; }

MID="r$((N / 2))"
MAN=(-H "Authorization: Bearer $MANAGER_TOKEN")
OCC=(-H "Authorization: Bearer $OCCUPANT_TOKEN")
COOKIE=(-H "Cookie: palier_session=$SESSION")
cat >"$DATA/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category": "plomberie", "location": "escalier B", "title": "Fuite sous l\'évier", "description": "Goutte à goutte depuis hier soir.", "urgent": false}'
LUA

# Every URL must answer 2xx before it is measured.
check() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
    case "$code" in 2*) ;; *) echo "check failed ($code): $*" >&2; exit 1 ;; esac
}

to_ms() { # wrk latency (e.g. 812.00us, 3.41ms, 1.02s) in milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.0f", v * 60000 }
        else { sub(/s$/, "", v); printf "%.0f", v * 1000 } }'
}

ROWS=()
measure() { # name connections wrk-args...
    local name=$1 conns=$2
    shift 2
    if [ -n "${ONLY:-}" ] && ! [[ "$name" =~ $ONLY ]]; then return; fi
    local threads=$((conns < 2 ? 1 : 2))
    local out
    out=$(wrk -t"$threads" -c"$conns" -d"${DUR}s" --latency "$@")
    local rps p50 p99 errors
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
    errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    ROWS+=("$(printf '| %-28s | %3s | %9s | %8s | %8s | %6s |' "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-0}")")
    log "$name c$conns: $rps req/s, p50 $p50 ms, p99 $p99 ms"
}

LIST="$BASE/api/v1/buildings/b1/reports"
check "${MAN[@]}" "$LIST"
check "${COOKIE[@]}" "$BASE/buildings/b1"
check "${MAN[@]}" "$BASE/api/v1/reports/$MID"
check "${COOKIE[@]}" "$BASE/reports/$MID"
check "${MAN[@]}" "$LIST?q=immeuble"
check "${COOKIE[@]}" "$BASE/buildings"
check "${COOKIE[@]}" "$BASE/notifications"
check "${MAN[@]}" "$BASE/api/v1/notifications"
check "${MAN[@]}" "$BASE/api/v1/search?q=immeuble"
check "${COOKIE[@]}" "$BASE/search?q=fuite"

for c in 1 16; do
    measure "list JSON" $c "${MAN[@]}" "$LIST"
    measure "list JSON, status=todo" $c "${MAN[@]}" "$LIST?status=todo"
    measure "list JSON, mid-list cursor" $c "${MAN[@]}" "$LIST?cursor=$((NOW - (N - N / 2) * 60000))_r$((N / 2))"
    measure "board page, manager" $c "${COOKIE[@]}" "$BASE/buildings/b1"
    measure "one report JSON" $c "${MAN[@]}" "$BASE/api/v1/reports/$MID"
    measure "one report page, manager" $c "${COOKIE[@]}" "$BASE/reports/$MID"
    measure "search, every report matches" $c "${MAN[@]}" "$LIST?q=immeuble"
    measure "search, 1 in 1000 matches" $c "${MAN[@]}" "$LIST?q=zinguerie"
    measure "search page, manager" $c "${COOKIE[@]}" "$BASE/buildings/b1?q=fuite"
    measure "portfolio search, every match" $c "${MAN[@]}" "$BASE/api/v1/search?q=immeuble"
    measure "portfolio search, 1 in 1000" $c "${MAN[@]}" "$BASE/api/v1/search?q=zinguerie"
    measure "portfolio search page" $c "${COOKIE[@]}" "$BASE/search?q=fuite"
    measure "manager home (buildings)" $c "${COOKIE[@]}" "$BASE/buildings"
    measure "notifications page" $c "${COOKIE[@]}" "$BASE/notifications"
    measure "notifications JSON" $c "${MAN[@]}" "$BASE/api/v1/notifications"
    measure "create report" $c -s "$DATA/create.lua" "${OCC[@]}" "$LIST"
done

if [ "${BURST:-0}" = 1 ]; then
    log "create burst: 60 s at 64 connections"
    DUR=60 measure "create burst" 64 -s "$DATA/create.lua" "${OCC[@]}" "$LIST"
    start=$(date +%s%N)
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "${OCC[@]}" \
        -H 'Content-Type: application/json' \
        -d '{"category": "acces", "location": "hall", "title": "Porte après la rafale", "description": "", "urgent": false}' "$LIST")
    ms=$((($(date +%s%N) - start) / 1000000))
    log "write after the burst: HTTP $code in $ms ms"
    ROWS+=("$(printf '| %-28s | %3s | %9s | %8s | %8s | %6s |' "write after the burst" 1 "HTTP $code" "$ms" "" "")")
fi

PEAK=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status")
echo
echo "Palier $REV, $BACKEND, $N reports, ${DUR}s per run, $(nproc) cores," \
    "load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| work                         |   c |     req/s | p50 (ms) | p99 (ms) | non-2xx |"
echo "|------------------------------|-----|-----------|----------|----------|--------|"
printf '%s\n' "${ROWS[@]}"
echo
echo "server peak RSS (VmHWM): $PEAK MiB"
