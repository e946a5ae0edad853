#!/usr/bin/env bash
# The test command. On a Debian machine where only Rust is installed, it installs what the
# tests use (an SMTP server, an IMAP server, PDF and QR tools, a metrics parser, systemd-analyze, PostgreSQL
# when none answers, Chromium and
# Node.js for the browser journeys), then runs the whole suite on SQLite, on PostgreSQL and
# in the browser. A tool that is still missing makes its tests fail, never pass silently.
#
# Usage: ./test.sh [sqlite] [postgres] [e2e]      (default: all three)
# Env:   TEST_DATABASE_URL   PostgreSQL server to create test databases on
#                            (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(sqlite postgres e2e)
wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
log() { printf '\n== %s\n' "$*"; }

apt_updated=0
apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  if ! command -v apt-get >/dev/null; then
    echo "missing: $* (not a Debian machine: install them by hand)"; return 1
  fi
  if [ "$apt_updated" = 0 ]; then "${sudo[@]}" apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

log "tools the tests use"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)"; exit 1; }
command -v cc >/dev/null || apt_install build-essential
# A real SMTP server for the delivery and outage tests (Debian's python3, not a virtualenv).
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_install python3-aiosmtpd
# Real PDF text extraction and rendering, and QR decoding.
{ command -v pdftotext && command -v pdftoppm && command -v pdfimages; } >/dev/null || apt_install poppler-utils
command -v zbarimg >/dev/null || apt_install zbar-tools
# A real iCalendar parser for the calendar feed.
/usr/bin/python3 -c 'import icalendar' 2>/dev/null || apt_install python3-icalendar
# The reference Prometheus text parser, and systemd's own check of the shipped units.
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || apt_install python3-prometheus-client
command -v systemd-analyze >/dev/null || apt_install systemd
# A real S3-compatible server (moto's standalone server, from PyPI) for the bucket tests.
if [ ! -x target/s3-venv/bin/moto_server ]; then
  /usr/bin/python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  rm -rf target/s3-venv && mkdir -p target
  /usr/bin/python3 -m venv target/s3-venv
  target/s3-venv/bin/pip install -q 'moto[server]==5.*'
fi
# A real IMAP server for the mailbox of answers (N6), started by the tests themselves.
[ -x /usr/sbin/dovecot ] || apt_install dovecot-imapd

if wants postgres; then
  log "PostgreSQL"
  PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  command -v psql >/dev/null || apt_install postgresql-client
  pg_answers() { psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; }
  if ! pg_answers; then
    echo "no PostgreSQL answering at $PG_URL: starting a throwaway cluster on 127.0.0.1:5432"
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    dir=$(mktemp -d /tmp/palier-pg.XXXXXX)
    chown postgres "$dir"
    su postgres -c "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
    su postgres -c "$bin/pg_ctl -D $dir/data -o '-p 5432 -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null
    PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
    pg_answers || { cat "$dir/log"; exit 1; }
  fi
  echo "using $PG_URL"
fi

if wants sqlite; then
  log "tests on SQLite"
  cargo test
fi

if wants postgres; then
  log "tests on PostgreSQL"
  TEST_DATABASE_URL="$PG_URL" cargo test
  # Test databases drop themselves; remove any left by an interrupted run.
  psql "$PG_URL" -Atqc "select datname from pg_database where datname like 'palier_test_%'" |
    while read -r db; do psql "$PG_URL" -qc "drop database if exists $db with (force)" || true; done
fi

if wants e2e; then
  log "browser journeys in headless Chromium"
  command -v chromium >/dev/null || apt_install chromium
  command -v npm >/dev/null || apt_install nodejs npm
  cargo build
  cd tests/e2e
  npm ci --no-audit --no-fund >/dev/null
  for journey in *.mjs; do
    case "$journey" in _*) continue ;; esac   # shared helpers, not a journey
    echo "-- $journey"
    PALIER_BIN=../../target/debug/palier node --test "$journey"
  done
fi
log "tests passed"
