#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests:
# starts the local Debian cluster when it is installed but down, and says
# what to do when there is none. POSTMILL_TEST_DATABASE_URL points the tests
# elsewhere; POSTMILL_SKIP_PG=1 skips the tests that need a server.
set -u
host=127.0.0.1 port=5432
if [ -n "${POSTMILL_SKIP_PG:-}" ]; then
  echo "postgres-up: POSTMILL_SKIP_PG is set; tests that need PostgreSQL will skip" >&2
  exit 0
fi
if [ -n "${POSTMILL_TEST_DATABASE_URL:-}" ]; then
  exit 0
fi
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "postgres-up: PostgreSQL is not installed. Install it (Debian: apt-get install postgresql)," >&2
  echo "  or set POSTMILL_TEST_DATABASE_URL=postgres://user@host:port/db, or POSTMILL_SKIP_PG=1 to skip those tests." >&2
  exit 1
fi
ready && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do
    echo "postgres-up: starting PostgreSQL $v cluster main" >&2
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 || true
  done
fi
for _ in $(seq 1 60); do
  ready && exit 0
  sleep 0.5
done
echo "postgres-up: no PostgreSQL answers on $host:$port. Start it (pg_ctlcluster <version> main start)," >&2
echo "  or set POSTMILL_TEST_DATABASE_URL, or POSTMILL_SKIP_PG=1 to skip the tests that need it." >&2
exit 1
