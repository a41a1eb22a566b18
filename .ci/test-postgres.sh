#!/usr/bin/env bash
# Run the suite against a real PostgreSQL: a local cluster started with pg_ctlcluster and a
# throwaway database, dropped afterwards. Skipped in one plain line when no server can be had,
# except under CI=true, where a skip is a failure.
set -euo pipefail
BIN=.venv/bin

skip() {
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL: FAILED — $1 (under CI nothing may be skipped)"; exit 1; fi
  echo "PostgreSQL: SKIPPED — $1"; exit 0
}

if [ -n "${NASTAVNIK_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL (NASTAVNIK_TEST_DATABASE_URL)"
  exec $BIN/pytest -q -m "not browser"
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL: installing Debian's postgresql"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
      || skip "apt-get could not install postgresql"
  else
    skip "pg_ctlcluster is not available and packages cannot be installed here"
  fi
fi
[ "$(id -u)" = "0" ] || skip "starting a cluster with pg_ctlcluster needs root"

read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1) || skip "no PostgreSQL cluster exists"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start || skip "cluster $version/$cluster did not start"
fi

db="nastavnik_test_$$"
password="test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
psql_admin() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
# CREATEDB: every pytest-xdist worker makes its own database, named ${db}_gwN.
psql_admin -c "DROP ROLE IF EXISTS $db" -c "CREATE ROLE $db LOGIN CREATEDB PASSWORD '$password'" >/dev/null
psql_admin -c "CREATE DATABASE $db OWNER $db" >/dev/null
cleanup() {
  for name in $(psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE '${db}_gw%'" || true); do
    psql_admin -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || true
  done
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $db" >/dev/null || true
}
trap cleanup EXIT

echo "== pytest on PostgreSQL $version (cluster $cluster, throwaway database $db)"
NASTAVNIK_TEST_DATABASE_URL="postgresql+psycopg://$db:$password@127.0.0.1:$port/$db" \
  $BIN/pytest -q -m "not browser" -p no:cacheprovider -n "${PYTEST_WORKERS:-1}"
