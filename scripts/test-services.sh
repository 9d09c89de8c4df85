#!/usr/bin/env bash
# Starts the real PostgreSQL 15 and Redis the integration tests need, on loopback ports of
# their own, installing them from Debian packages when they are missing.
#
#   eval "$(scripts/test-services.sh start)"   # starts both, prints DATABASE_URL/REDIS_URL exports
#   scripts/test-services.sh stop
#
# State lives in .resi/test-services (git-ignored) and is thrown away on every start, so a run
# never depends on what an earlier one left behind.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.resi/test-services"
pg_port=${RESI_TEST_PG_PORT:-55432}
redis_port=${RESI_TEST_REDIS_PORT:-56379}
log() { printf '[test-services] %s\n' "$*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_missing() {
  local want=()
  pg_bin >/dev/null || want+=(postgresql)
  command -v redis-server >/dev/null || want+=(redis-server)
  [ ${#want[@]} -eq 0 ] && return 0
  log "installing ${want[*]} from Debian packages"
  if [ "$(id -u)" -ne 0 ]; then
    log "not root: install ${want[*]} yourself (sudo apt-get install ${want[*]})"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
  # The Debian packages start system-wide services on the default ports; we use our own.
  command -v service >/dev/null && { service postgresql stop >/dev/null 2>&1 || true; service redis-server stop >/dev/null 2>&1 || true; }
}

as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    # initdb and postgres refuse to run as root.
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown -R postgres "$dir/pg"
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

stop() {
  local bin
  if [ -f "$dir/pg/data/postmaster.pid" ] && bin=$(pg_bin); then
    as_pg_user "'$bin/pg_ctl' -D '$dir/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
}

start() {
  install_missing
  stop
  rm -rf "$dir"
  mkdir -p "$dir/pg"
  chmod 755 "$root/.resi" "$dir" 2>/dev/null || true
  local bin
  bin=$(pg_bin)
  log "PostgreSQL ($bin) on 127.0.0.1:$pg_port"
  as_pg_user "'$bin/initdb' -D '$dir/pg/data' -U resi --auth=trust -E UTF8 --no-locale >'$dir/pg/initdb.log' 2>&1"
  as_pg_user "'$bin/pg_ctl' -D '$dir/pg/data' -l '$dir/pg/server.log' -w -t 60 start -o \"-p $pg_port -k '$dir/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\"" >&2
  as_pg_user "'$bin/createdb' -h 127.0.0.1 -p $pg_port -U resi resi_test"
  log "Redis ($(command -v redis-server)) on 127.0.0.1:$redis_port"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >&2
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null
  echo "export DATABASE_URL_TEST=postgres://resi@127.0.0.1:$pg_port/resi_test"
  echo "export REDIS_URL_TEST=redis://127.0.0.1:$redis_port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
