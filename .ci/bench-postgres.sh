#!/usr/bin/env bash
# The benchmarks on PostgreSQL: a throwaway database on the local cluster (as .ci/test-postgres.sh
# makes one for the tests), the region-scale data set built in it, dropped afterwards. With
# NASTAVNIK_BENCH_DATABASE_URL set, that database is used instead and kept.
set -euo pipefail

if [ -n "${NASTAVNIK_BENCH_DATABASE_URL:-}" ]; then
  exec make bench
fi
command -v pg_ctlcluster >/dev/null 2>&1 || { echo "PostgreSQL: SKIPPED — pg_ctlcluster is not available"; exit 0; }
[ "$(id -u)" = "0" ] || { echo "PostgreSQL: SKIPPED — starting a cluster with pg_ctlcluster needs root"; exit 0; }

read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start
fi

db="nastavnik_bench_$$"
password="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
psql_admin() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin -c "DROP ROLE IF EXISTS $db" -c "CREATE ROLE $db LOGIN PASSWORD '$password'" >/dev/null
psql_admin -c "CREATE DATABASE $db OWNER $db" >/dev/null
cleanup() {
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $db" >/dev/null || true
}
trap cleanup EXIT

echo "== benchmarks on PostgreSQL $version (cluster $cluster, throwaway database $db)"
NASTAVNIK_BENCH_DATABASE_URL="postgresql+psycopg://$db:$password@127.0.0.1:$port/$db" make bench
