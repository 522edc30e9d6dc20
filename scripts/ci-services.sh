#!/usr/bin/env bash
# Starts the services the test suite uses, installing them when missing, and
# prints shell `export` lines for the tests to find them:
#
#   eval "$(scripts/ci-services.sh)"
#
# PostgreSQL: a private cluster (not the system's) in $ZUUL_TS_PG_DIR
# (default /tmp/zuul-ts-pg), listening on 127.0.0.1:$ZUUL_TS_PG_PORT (default
# 54329) with a database zuul_ts_test owned by zuul_ts (password zuul_ts).
# Exports ZUUL_TS_TEST_PG_URI. Safe to run again: a running cluster is reused.
# Everything but the export lines goes to stderr.
set -euo pipefail

PG_DIR=${ZUUL_TS_PG_DIR:-/tmp/zuul-ts-pg}
PG_PORT=${ZUUL_TS_PG_PORT:-54329}
PG_USER=zuul_ts
PG_PASSWORD=zuul_ts
PG_DB=zuul_ts_test

log() { echo "ci-services: $*" >&2; }

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

if [ -z "$(pg_bindir)" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root; install the postgresql package"
    exit 1
  fi
  log "installing PostgreSQL"
  apt-get update -qq >&2
  # The package's own cluster is not used; policy-rc.d may stop it from starting, which is fine.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(pg_bindir)

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  mkdir -p "$PG_DIR"
  chown postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR"
else
  as_pg() { "$@"; }
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
fi

DATA="$PG_DIR/data"
if [ ! -f "$DATA/PG_VERSION" ]; then
  log "creating a cluster in $DATA"
  pwfile="$PG_DIR/pwfile"
  echo "$PG_PASSWORD" >"$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pwfile"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >&2
  rm -f "$pwfile"
fi

if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$BIN/pg_ctl" -D "$DATA" -w -t 60 -l "$PG_DIR/server.log" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >&2 || {
    log "PostgreSQL did not start; its log:"
    tail -n 30 "$PG_DIR/server.log" >&2 || true
    exit 1
  }
fi

psql_pg() { as_pg "$BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_pg -c "select 1 from pg_roles where rolname = '$PG_USER'")" != 1 ]; then
  psql_pg -c "create role $PG_USER login password '$PG_PASSWORD'" >&2
fi
if [ "$(psql_pg -c "select 1 from pg_database where datname = '$PG_DB'")" != 1 ]; then
  psql_pg -c "create database $PG_DB owner $PG_USER" >&2
fi

log "PostgreSQL ready"
echo "export ZUUL_TS_TEST_PG_URI=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
