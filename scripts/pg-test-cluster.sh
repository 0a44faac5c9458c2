#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the database test suites.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # exports PG_TEST_CLUSTER_DIR and TEST_DATABASE_URL
#   scripts/pg-test-cluster.sh url  [DIR]        # prints the superuser URL of a running cluster
#   scripts/pg-test-cluster.sh stop [DIR]        # stops the cluster and removes its directory
#   scripts/pg-test-cluster.sh run -- CMD ...    # start, run CMD with TEST_DATABASE_URL set, always stop
#
# DIR defaults to $PG_TEST_CLUSTER_DIR. The cluster lives in a fresh `mktemp -d` directory (data, a private
# unix socket directory, the server log), listens on 127.0.0.1 only, trusts local connections and has the
# superuser `postgres`. Durability is switched off for speed: never point this at data you want to keep.
#
# Run as root (the server is then run as the `postgres` OS user) or as any other user (then as that user).
#
# Environment:
#   PG_BIN            PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   PG_TEST_PORT      first TCP port to try (default 54329; the next free one up to +100 is used)
#   PG_TEST_OS_USER   OS user that runs the server when started as root (default postgres)
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ "$PG_BIN" == /* ]] || PG_BIN="$PWD/$PG_BIN"
FIRST_PORT="${PG_TEST_PORT:-54329}"
OS_USER="${PG_TEST_OS_USER:-postgres}"
MARKER="seatwise-pg-test-cluster.env"

log() { printf 'pg-test-cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Runs a command as the server's OS user: through runuser when we are root, directly otherwise.
# From / because PostgreSQL's tools fail when they cannot read the current directory (e.g. /root/...).
as_server_user() {
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && runuser -u "$OS_USER" -- "$@")
  else
    "$@"
  fi
}

check_binaries() {
  local bin
  for bin in initdb pg_ctl postgres; do
    [[ -x "$PG_BIN/$bin" ]] || die "$PG_BIN/$bin not found. Install PostgreSQL 15 server binaries (Debian/Ubuntu: apt-get install postgresql-15) or set PG_BIN."
  done
  if [[ "$(id -u)" -eq 0 ]]; then
    id -u "$OS_USER" >/dev/null 2>&1 || die "running as root but OS user '$OS_USER' does not exist (PostgreSQL refuses to run as root); create it or set PG_TEST_OS_USER."
    command -v runuser >/dev/null 2>&1 || die "running as root but 'runuser' is not available."
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Resolves and validates a cluster directory (argument or $PG_TEST_CLUSTER_DIR).
cluster_dir() {
  local dir="${1:-${PG_TEST_CLUSTER_DIR:-}}"
  [[ -n "$dir" ]] || die "no cluster directory: pass it as an argument or set PG_TEST_CLUSTER_DIR."
  [[ -f "$dir/$MARKER" ]] || die "$dir is not a test cluster directory (no $MARKER)."
  (cd "$dir" && pwd)
}

cmd_start() {
  check_binaries

  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/seatwise-pg.XXXXXX")"
  dir="$(cd "$dir" && pwd)"
  chmod 700 "$dir"
  # If anything below fails, leave nothing behind.
  trap 'cleanup_failed_start "$dir"' EXIT

  if [[ "$(id -u)" -eq 0 ]]; then
    chown "$OS_USER:" "$dir"
  fi
  as_server_user test -w "$dir" \
    || die "$dir is not reachable by OS user '$OS_USER'; set TMPDIR to a directory it can enter (e.g. /tmp)."
  as_server_user mkdir -m 700 "$dir/data" "$dir/socket"

  log "initdb in $dir/data"
  as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  as_server_user tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# Throwaway test cluster: private, fast, not durable.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

  local port started=""
  for ((port = FIRST_PORT; port <= FIRST_PORT + 100; port++)); do
    port_in_use "$port" && continue
    if as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      started=1
      break
    fi
    # Lost a race for the port: try the next one; any other failure is fatal.
    grep -q -i 'could not bind\|address already in use' "$dir/postgres.log" 2>/dev/null \
      || { cat "$dir/postgres.log" >&2 2>/dev/null || true; die "the server did not start (log above)"; }
    as_server_user truncate -s 0 "$dir/postgres.log"
  done
  [[ -n "$started" ]] || die "no free TCP port in $FIRST_PORT..$((FIRST_PORT + 100))"

  local url="postgres://postgres@127.0.0.1:$port/postgres"
  cat >"$dir/$MARKER" <<EOF
PG_TEST_CLUSTER_DIR=$dir
PG_TEST_CLUSTER_PORT=$port
TEST_DATABASE_URL=$url
EOF
  trap - EXIT
  log "PostgreSQL running on 127.0.0.1:$port (dir $dir)"
  printf 'export PG_TEST_CLUSTER_DIR=%q\n' "$dir"
  printf 'export TEST_DATABASE_URL=%q\n' "$url"
}

cleanup_failed_start() {
  local dir="$1"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$dir"
}

cmd_url() {
  local dir
  dir="$(cluster_dir "${1:-}")"
  sed -n 's/^TEST_DATABASE_URL=//p' "$dir/$MARKER"
}

cmd_stop() {
  local dir
  dir="$(cluster_dir "${1:-}")"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    # The data is thrown away, so there is no need for a clean shutdown checkpoint.
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
      || log "warning: pg_ctl stop failed; removing the directory anyway"
  fi
  rm -rf -- "$dir"
  log "stopped and removed $dir"
}

cmd_run() {
  [[ "${1:-}" == "--" ]] && shift
  [[ $# -gt 0 ]] || usage
  local env
  env="$(cmd_start)"
  eval "$env"
  trap 'cmd_stop "$PG_TEST_CLUSTER_DIR"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$@"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  url) shift; cmd_url "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  run) shift; cmd_run "$@" ;;
  *) usage ;;
esac
