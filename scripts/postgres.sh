#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks that need one.
#
#   scripts/postgres.sh start   installs Debian's postgresql when missing (as root), runs initdb
#                               and pg_ctl in a temporary folder as a non-root user (PostgreSQL
#                               refuses to run as root), listening on a free loopback port only,
#                               and prints the URL (postgres://USER@127.0.0.1:PORT/datamarket)
#   scripts/postgres.sh url     prints the URL of the running cluster
#   scripts/postgres.sh stop    stops the cluster and deletes its folder
#
# The cluster lives in $DATAMARKET_PG_DIR (default /tmp/datamarket-pg-$UID); authentication is
# `trust` on loopback, so it is for tests only. `.ci/run` starts it and exports the URL as
# DATAMARKET_POSTGRES_URL.
set -euo pipefail
DIR="${DATAMARKET_PG_DIR:-/tmp/datamarket-pg-$(id -u)}"
PGUSER_NAME="${DATAMARKET_PG_USER:-dmpg}"

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v pg_ctl >/dev/null && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

# Runs a command as the cluster's owner (root may not run PostgreSQL).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PGUSER_NAME" -- "$@"
  else
    "$@"
  fi
}

install_if_missing() {
  bindir >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || { log "PostgreSQL is not installed; run as root or: sudo apt-get install postgresql"; exit 1; }
  log "installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  # Debian's package starts its own cluster on 5432; this script never uses it.
  bindir >/dev/null || { log "postgresql installed but pg_ctl not found"; exit 1; }
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  log "no free loopback port found"
  exit 1
}

start() {
  if [ -f "$DIR/url" ] && as_owner "$(bindir)/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    cat "$DIR/url"
    return 0
  fi
  install_if_missing
  local bin port owner
  bin="$(bindir)"
  owner="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$PGUSER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_NAME"
    owner="$PGUSER_NAME"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/data"
  chmod 700 "$DIR"
  [ "$(id -u)" -eq 0 ] && chown -R "$PGUSER_NAME" "$DIR"
  as_owner "$bin/initdb" -D "$DIR/data" -U "$owner" --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  port="$(free_port)"
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c max_connections=200 -c fsync=on" start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$owner" datamarket
  echo "postgres://$owner@127.0.0.1:$port/datamarket" | tee "$DIR/url"
}

stop() {
  local bin
  if bin="$(bindir)" && [ -d "$DIR/data" ]; then
    as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$DIR/url" ] && cat "$DIR/url" || { log "no cluster running in $DIR; run: scripts/postgres.sh start"; exit 1; } ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
