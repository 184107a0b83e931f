#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, CI and benchmarks: Debian's postgresql binaries,
# a temp directory, loopback only, a free port, trust auth, C collation (so fixed-width hex
# TEXT sorts by value, as in SQLite). Root cannot run postgres: as root the server runs as
# the `postgres` user.
#   scripts/pg-throwaway.sh start [DIR]   prints DATABASE_URL=postgresql://... and PGDIR=...
#   scripts/pg-throwaway.sh stop DIR      stops it and removes DIR
set -euo pipefail

bin_dir() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$found" ] && [ -x "$found/initdb" ] || { echo "pg-throwaway: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 3; }
  echo "$found"
}

as_owner() { # runs "$@" as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

case "${1:-}" in
  start)
    BIN="$(bin_dir)"
    DIR="${2:-$(mktemp -d /tmp/prefault-pg.XXXXXX)}"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U prefault --auth=trust --no-locale -E UTF8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    PORT="$(free_port)"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 ${PG_OPTIONS:-}" >/dev/null \
      || { cat "$DIR/server.log" >&2; exit 1; }
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U prefault -d postgres -qc 'CREATE DATABASE prefault' >/dev/null
    echo "DATABASE_URL=postgresql://prefault@127.0.0.1:$PORT/prefault"
    echo "PGDIR=$DIR"
    ;;
  stop)
    DIR="${2:?usage: pg-throwaway.sh stop DIR}"
    BIN="$(bin_dir)"
    [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
