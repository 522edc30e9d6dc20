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
#
# MariaDB: a private server (not the system's) with its datadir in
# $ZUUL_TS_MYSQL_DIR (default /tmp/zuul-ts-mariadb), listening on
# 127.0.0.1:$ZUUL_TS_MYSQL_PORT (default 33069) and on its own socket there,
# with a database zuul_ts_test for the user zuul_ts (password zuul_ts).
# Exports ZUUL_TS_TEST_MYSQL_URI. Also reused when already running.
#
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

# ---- MariaDB ---------------------------------------------------------------

MY_DIR=${ZUUL_TS_MYSQL_DIR:-/tmp/zuul-ts-mariadb}
MY_PORT=${ZUUL_TS_MYSQL_PORT:-33069}
MY_USER=zuul_ts
MY_PASSWORD=zuul_ts
MY_DB=zuul_ts_test
MY_SOCK="$MY_DIR/mysqld.sock"

mariadbd_bin() {
  local b
  for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  command -v mariadbd 2>/dev/null || true
}

if [ -z "$(mariadbd_bin)" ] || ! command -v mariadb-install-db >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "MariaDB is not installed and this is not root; install the mariadb-server package"
    exit 1
  fi
  log "installing MariaDB"
  apt-get update -qq >&2
  # The package's own server is not used; policy-rc.d may stop it from starting, which is fine.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >&2
fi
MYSQLD=$(mariadbd_bin)

# mariadbd refuses to run as root: it runs as the mysql user then. The
# administrator account authenticates by the Unix socket as whoever runs
# this script.
MY_ADMIN=$(id -un)
mkdir -p "$MY_DIR"
if [ "$(id -u)" = 0 ]; then
  MY_RUN_AS=(--user=mysql)
  chown mysql:mysql "$MY_DIR"
else
  MY_RUN_AS=()
fi
chmod 700 "$MY_DIR"

my_client() { mariadb --no-defaults -S "$MY_SOCK" -u "$MY_ADMIN" -N -B "$@"; }

MY_DATA="$MY_DIR/data"
if [ ! -d "$MY_DATA/mysql" ]; then
  log "creating a MariaDB datadir in $MY_DATA"
  mariadb-install-db --no-defaults --datadir="$MY_DATA" "${MY_RUN_AS[@]}" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$MY_ADMIN" \
    --skip-test-db >"$MY_DIR/install.log" 2>&1 || {
    log "mariadb-install-db failed; its output:"
    tail -n 30 "$MY_DIR/install.log" >&2 || true
    exit 1
  }
fi

if ! my_client -e 'select 1' >/dev/null 2>&1; then
  log "starting MariaDB on 127.0.0.1:$MY_PORT"
  # Detached with every stream closed: the caller's $(...) must not wait for it.
  setsid "$MYSQLD" --no-defaults --datadir="$MY_DATA" "${MY_RUN_AS[@]}" \
    --port="$MY_PORT" --bind-address=127.0.0.1 --socket="$MY_SOCK" \
    --pid-file="$MY_DIR/mysqld.pid" --log-error="$MY_DIR/server.log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --skip-name-resolve --max-connections=500 --innodb-buffer-pool-size=128M \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    my_client -e 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! my_client -e 'select 1' >/dev/null 2>&1; then
    log "MariaDB did not start; its log:"
    tail -n 30 "$MY_DIR/server.log" >&2 || true
    exit 1
  fi
fi

# A throwaway test server: no log flush per commit (every DDL statement
# commits, and a fresh store's migrations run dozens of them).
my_client <<SQL >&2
set global innodb_flush_log_at_trx_commit = 0;
create database if not exists $MY_DB character set utf8mb4;
create user if not exists '$MY_USER'@'127.0.0.1' identified by '$MY_PASSWORD';
create user if not exists '$MY_USER'@'localhost' identified by '$MY_PASSWORD';
grant all on $MY_DB.* to '$MY_USER'@'127.0.0.1';
grant all on $MY_DB.* to '$MY_USER'@'localhost';
SQL

log "MariaDB ready"
echo "export ZUUL_TS_TEST_MYSQL_URI=mysql+pymysql://$MY_USER:$MY_PASSWORD@127.0.0.1:$MY_PORT/$MY_DB"
