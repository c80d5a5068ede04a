#!/bin/sh
# Builds the demo world with psql: three tenant source databases and the legacy warehouse, exactly
# the calls examples/README.md lists (and warden's DemoWorld issues through libpq).
#
#   PGHOST=/tmp/pg PGPORT=5432 PGUSER=postgres examples/build-with-psql.sh
#
# Environment: the usual libpq variables (PGHOST may be a socket directory), plus
#   AS_OF        as-of date, "today" of the legacy warehouse   (default 2026-03-15)
#   FIRST_YEAR   oldest yearly table                           (default 2024)
#   VOLUME       multiplier of every tenant's rows per day     (default 1)
#   WAREHOUSE_DB warehouse database name                       (default warehouse)
# Databases are created when missing and never dropped; everything else is rebuilt on every run.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
AS_OF=${AS_OF:-2026-03-15}
FIRST_YEAR=${FIRST_YEAR:-2024}
VOLUME=${VOLUME:-1}
WAREHOUSE_DB=${WAREHOUSE_DB:-warehouse}
PGUSER=${PGUSER:-postgres}
export PGUSER

psql_in() { psql -X -q -v ON_ERROR_STOP=1 -d "$@"; }   # psql_in DATABASE ARGS...

create_db() {
    if [ -z "$(psql_in postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]; then
        psql_in postgres -c "CREATE DATABASE \"$1\""
    fi
}

# tenant  stores  rows/day  seed
tenants="landb 5 60 0.11
acme 3 25 0.22
bistro 2 8 0.33"

echo "$tenants" | while read -r tenant stores rows seed; do
    db="src_$tenant"
    create_db "$db"
    psql_in "$db" -c "SET client_min_messages = warning" -f "$here/source/schema.sql"
    per_day=$(awk "BEGIN { printf \"%d\", $rows * $VOLUME + 0.5 }")
    psql_in "$db" -tAc "SELECT demo_create_stores('$tenant', $stores)" >/dev/null
    n=$(psql_in "$db" -tAc "SELECT demo_generate_foodlogs('$FIRST_YEAR-01-01', '$AS_OF', $per_day, $seed)")
    echo "$db: $n food-log rows ($per_day per day, $stores stores)"
done

create_db "$WAREHOUSE_DB"
for f in seed_functions connections templates legacy; do
    psql_in "$WAREHOUSE_DB" -c "SET client_min_messages = warning" -f "$here/warehouse/$f.sql"
done

host=$(psql_in "$WAREHOUSE_DB" -tAc "SELECT coalesce(current_setting('unix_socket_directories'), '')" | cut -d, -f1)
host=${PGHOST:-$host}
port=$(psql_in "$WAREHOUSE_DB" -tAc "SHOW port")
echo "$tenants" | while read -r tenant _; do
    psql_in "$WAREHOUSE_DB" -tAc \
        "SELECT _wh_demo.create_tenant_connection('$tenant-prod', 'src_$tenant', '$host', $port, '$PGUSER')" >/dev/null
    echo "$tenant-prod -> $(psql_in "$WAREHOUSE_DB" -tAc "SELECT _wh_demo.check_tenant_connection('$tenant-prod')")"
done

psql_in "$WAREHOUSE_DB" -tAc "CALL _wh_demo.build_legacy_warehouse('$AS_OF', $FIRST_YEAR)"
