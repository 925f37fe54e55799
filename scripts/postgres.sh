#!/usr/bin/env bash
# Usage: scripts/postgres.sh start|stop|kill|url|status
#
# A throwaway PostgreSQL for tests and CI (not for data you want to keep).
#   start   installs the server binaries if missing (Debian `postgresql`), initialises a cluster
#           under $TSFX_HOME/postgres once, starts it on 127.0.0.1:$PGPORT (default 54329) with
#           trust auth, creates database tsfx_test, and prints its URL as the last stdout line.
#           Already running: just prints the URL.
#   stop    stops the server (no-op when it is not running).
#   kill    stops it at once, as a crash would (pg_ctl -m immediate): for fault tests; `start`
#           brings it back on the same cluster.
#   url     prints the URL without starting anything.
#   status  exit 0 when running.
# Commits are asynchronous (synchronous_commit=off: fast tests, and a crash loses the last
# commits); PG_SYNCHRONOUS_COMMIT=on makes them durable, as the chaos suite's crashes need.
# PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` system user.
# Concurrent callers (parallel test files) serialise on a lock file.
set -euo pipefail

cmd="${1:-}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${TSFX_HOME:-$repo_root/.tsfx}"
case "$home" in /*) ;; *) home="$(pwd)/$home" ;; esac
port="${PGPORT:-54329}"
dir="$home/postgres"
data="$dir/data"
logfile="$dir/postgres.log"
db=tsfx_test
url="postgres://postgres@127.0.0.1:$port/$db"

log() { echo "[postgres] $*" >&2; }

find_bindir() {
  local p
  if p="$(command -v pg_ctl 2>/dev/null)" && [ -x "$(dirname "$(readlink -f "$p")")/initdb" ]; then
    dirname "$(readlink -f "$p")"
    return 0
  fi
  # Debian keeps server binaries off PATH, one folder per major version; take the newest.
  p="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$p" ] && [ -x "$p/pg_ctl" ] && [ -x "$p/initdb" ]; then
    echo "$p"
    return 0
  fi
  return 1
}

install_server() {
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL server binaries not found and not root: install the 'postgresql' package"
    exit 1
  fi
  log "installing PostgreSQL server (apt-get install postgresql) …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends postgresql >&2
}

# Run a command as the cluster owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

ensure_owner_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id postgres >/dev/null 2>&1; then
    log "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
  fi
}

running() {
  [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

sql() {
  as_owner "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -tA -c "$1"
}

ensure_database() {
  if [ "$(sql "select 1 from pg_database where datname = '$db'")" != "1" ]; then
    log "creating database $db"
    sql "create database $db" >/dev/null
  fi
}

start() {
  bindir="$(find_bindir)" || { install_server; bindir="$(find_bindir)"; } || {
    log "no pg_ctl/initdb found even after installing postgresql"
    exit 1
  }
  ensure_owner_user
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  if running; then
    # postmaster.pid's 4th line is the port it listens on; a cluster started on another port
    # (PGPORT changed) is restarted, or the URL printed below would point nowhere
    live_port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
    if [ "$live_port" = "$port" ]; then
      ensure_database
      echo "$url"
      return 0
    fi
    log "running on port $live_port; restarting on $port"
    as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w >&2
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising cluster in $data"
    as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
  fi
  log "starting on 127.0.0.1:$port (log: $logfile)"
  # Settings on the command line so PGPORT can change between starts; the socket lives in $dir
  # (not /var/run/postgresql, which may not exist or be writable).
  # 9>&-: the server must not inherit the lock, or it would hold it for as long as it runs.
  as_owner "$bindir/pg_ctl" start -D "$data" -w -t 60 -l "$logfile" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c synchronous_commit=${PG_SYNCHRONOUS_COMMIT:-off} -c max_connections=200" >&2 9>&- || {
    tail -n 30 "$logfile" >&2 || true
    exit 1
  }
  ensure_database
  echo "$url"
}

stop() {
  bindir="$(find_bindir)" || return 0
  if running; then
    log "stopping"
    as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w >&2
  fi
}

kill_now() {
  bindir="$(find_bindir)" || return 0
  if running; then
    log "stopping immediately"
    as_owner "$bindir/pg_ctl" stop -D "$data" -m immediate -w >&2
  fi
}

case "$cmd" in
  kill)
    mkdir -p "$home"
    exec 9>"$home/postgres-script.lock"
    flock 9
    kill_now
    ;;
  start | stop)
    mkdir -p "$home"
    exec 9>"$home/postgres-script.lock"
    flock 9
    "$cmd"
    ;;
  url) echo "$url" ;;
  status)
    bindir="$(find_bindir)" || exit 1
    running
    ;;
  *)
    echo "usage: $0 start|stop|kill|url|status" >&2
    exit 2
    ;;
esac
