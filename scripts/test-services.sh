#!/usr/bin/env bash
# Starts the real PostgreSQL 15 and Redis the integration tests need, on loopback ports of
# their own, installing them from Debian packages when they are missing.
#
#   eval "$(scripts/test-services.sh start)"   # starts both, prints DATABASE_URL_TEST/REDIS_URL_TEST exports
#   scripts/test-services.sh stop
#
# Ports: 55432 (PostgreSQL) and 56379 (Redis) when they are free, else free ports chosen here.
# RESI_TEST_PG_PORT / RESI_TEST_REDIS_PORT demand exact ports (a taken one is an error).
# State lives in .resi/test-services (git-ignored; RESI_TEST_SERVICES_DIR to move it) and is
# thrown away on every start, so a run never depends on what an earlier one left behind. `stop`
# stops only the servers this directory started.
#
# A failed start exits non-zero with the reason on stderr, and prints `false` for eval, so
# `eval "$(scripts/test-services.sh start)"` fails too (set -e stops a script there) instead of
# exporting nothing in silence.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${RESI_TEST_SERVICES_DIR:-$root/.resi/test-services}
default_pg_port=55432
default_redis_port=56379
action=${1:-}
log() { printf '[test-services] %s\n' "$*" >&2; }

# Any failure of `start` ends here: the reason on stderr, and a failing command on stdout for the
# caller's eval. The reason goes through a file because `die` may run in a $(...) subshell.
failure_file=$(mktemp)
on_exit() {
  local status=$? failure
  failure=$(cat "$failure_file" 2>/dev/null || true)
  rm -f "$failure_file"
  if [ "$action" = start ] && [ "$status" -ne 0 ]; then
    local message="test-services: start failed: ${failure:-see the lines above} (state and logs in $dir)"
    printf '%s\n' "$message" >&2
    printf 'echo %q >&2; false\n' "$message"
  fi
}
trap on_exit EXIT
die() {
  printf '%s' "$*" >"$failure_file"
  exit 1
}

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
    die "${want[*]} missing and not root: install them yourself (sudo apt-get install ${want[*]})"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${want[@]}" >&2 || die "apt-get install ${want[*]} failed"
  # The Debian packages start system-wide services on the default ports; we use our own.
  command -v service >/dev/null && { service postgresql stop >/dev/null 2>&1 || true; service redis-server stop >/dev/null 2>&1 || true; }
}

# True when something accepts connections on 127.0.0.1:$1.
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port the kernel considers free right now (bound and released at once).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' ||
    die "could not find a free port (node is needed)"
}

# The port to use: the variable's when set (it must be free), else the default when free, else any
# free one other than $4 (the port already chosen for the other server: the kernel may hand the
# same released port out twice).
choose_port() {
  local name=$1 variable=$2 fallback=$3 avoid=${4:-} wanted=${!2:-}
  if [ -n "$wanted" ]; then
    [[ "$wanted" =~ ^[0-9]+$ ]] || die "$variable=$wanted is not a port number"
    port_taken "$wanted" && die "$name port $wanted ($variable) is already in use: free it or choose another $variable"
    echo "$wanted"
  elif port_taken "$fallback"; then
    local port
    port=$(free_port)
    while [ "$port" = "$avoid" ]; do port=$(free_port); done
    log "$name: port $fallback is taken, using $port"
    echo "$port"
  else
    echo "$fallback"
  fi
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
  mkdir -p "$dir/pg" || die "cannot create $dir"
  chmod 755 "$(dirname "$dir")" "$dir" 2>/dev/null || true
  local bin pg_port redis_port
  bin=$(pg_bin) || die "PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin"
  pg_port=$(choose_port PostgreSQL RESI_TEST_PG_PORT "$default_pg_port")
  redis_port=$(choose_port Redis RESI_TEST_REDIS_PORT "$default_redis_port" "$pg_port")
  [ "$pg_port" != "$redis_port" ] || die "PostgreSQL and Redis cannot share port $pg_port"

  log "PostgreSQL ($bin) on 127.0.0.1:$pg_port"
  as_pg_user "'$bin/initdb' -D '$dir/pg/data' -U resi --auth=trust -E UTF8 --no-locale >'$dir/pg/initdb.log' 2>&1" ||
    die "initdb failed: $(tail -n 3 "$dir/pg/initdb.log" 2>/dev/null | tr '\n' ' ')"
  as_pg_user "'$bin/pg_ctl' -D '$dir/pg/data' -l '$dir/pg/server.log' -w -t 60 start -o \"-p $pg_port -k '$dir/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\"" >&2 ||
    die "PostgreSQL did not start on port $pg_port: $(tail -n 3 "$dir/pg/server.log" 2>/dev/null | tr '\n' ' ')"
  as_pg_user "'$bin/createdb' -h 127.0.0.1 -p $pg_port -U resi resi_test" >&2 || die "createdb resi_test failed on port $pg_port"

  log "Redis ($(command -v redis-server)) on 127.0.0.1:$redis_port"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >&2 || die "redis-server did not start on port $redis_port"
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 ||
    die "Redis does not answer on port $redis_port: $(tail -n 3 "$dir/redis.log" 2>/dev/null | tr '\n' ' ')"
  echo "export DATABASE_URL_TEST=postgres://resi@127.0.0.1:$pg_port/resi_test"
  echo "export REDIS_URL_TEST=redis://127.0.0.1:$redis_port"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
