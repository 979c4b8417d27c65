#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: run by a non-root user,
# listening on 127.0.0.1 and a unix socket in its own temporary directory.
#   .ci/postgres.sh start DIR PORT   prints the database URL on stdout
#   .ci/postgres.sh stop DIR
# Run as root, it runs the cluster as the system user `ledger-pg`, created
# here if there is none. LEDGER_TEST_PGBIN names another PostgreSQL 15 bin/.
set -euo pipefail
PGBIN=${LEDGER_TEST_PGBIN:-/usr/lib/postgresql/15/bin}
action=${1:?start or stop}
dir=${2:?directory}
port=${3:-55432}

if [ "$action" = start ] && { ! [ -x "$PGBIN/initdb" ] || ! [ -x "$PGBIN/pg_ctl" ]; }; then
  echo "PostgreSQL 15 is not installed at $PGBIN (no initdb or pg_ctl there)" >&2
  exit 1
fi

as_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PGUSER_OS" -- "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" -eq 0 ]; then
  PGUSER_OS=ledger-pg
  id "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
else
  PGUSER_OS=$(id -un)
fi

case "$action" in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    chown "$PGUSER_OS" "$dir"
    chmod 700 "$dir"
    as_user "$PGBIN/initdb" -D "$dir/data" -U ledger_owner --auth=trust -E UTF8 --no-sync >"$dir/initdb.log"
    as_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null
    echo "postgresql+psycopg://ledger_owner@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_user "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
