#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the tests and prints the admin URL they use
# to create a fresh database per test. Uses TEST_DATABASE_URL as it is when set; otherwise
# starts Debian's PostgreSQL 15 cluster and a password login role `reformdash_test`.
source "$(dirname "$0")/env.sh"
# Only the URL may reach stdout (the caller captures it): everything the server tools
# print, such as pg_ctlcluster's "Removed stale pid file.", goes to stderr.
exec 3>&1 1>&2
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "$TEST_DATABASE_URL" >&3; exit 0
fi
ROLE=reformdash_test
PASS=reformdash_test
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    log "postgres: creating a cluster"
    pg_createcluster 15 main >/dev/null 3>&-
    cluster="15 main"
  fi
  log "postgres: starting cluster $cluster"
  # 3>&-: the server must not inherit the URL pipe, or the caller waits for it forever.
  # A server killed a moment ago may still hold its socket lock: try again briefly.
  for attempt in 1 2 3; do
    pg_ctlcluster --skip-systemctl-redirect $cluster start 3>&- && break
    log "postgres: start attempt $attempt failed, retrying"; sleep 2
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASS';
  END IF;
END \$\$;
SQL
# Databases of earlier runs: each run starts from fresh ones. A test database is named
# rdtest_<pid>_…  after the test process that made it; one whose process still runs belongs
# to a run in progress on this machine and is left alone.
for db in $(as_postgres psql -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'rdtest_%'"); do
  pid=$(echo "$db" | cut -d_ -f2)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  as_postgres psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
echo "postgres://$ROLE:$PASS@127.0.0.1:5432/postgres" >&3
