#!/usr/bin/env bash
# Benchmarks/catalog-scale/run.sh — the catalog read at 50 tenants × 4 templates × 330 daily views
# (docs/BENCHMARKS.md, "Catalog read at 50 × 4 × 330").
#
#   Benchmarks/catalog-scale/run.sh                      # throwaway cluster in $WORK (default /tmp/warden-catalog-scale)
#   Benchmarks/catalog-scale/run.sh --server "host=/tmp/pg port=5432 user=postgres"   # an existing server
#
# Options: --tenants N (50) --days N (330) --runs N (3) --skip-migra --keep (leave the cluster running)
#
# Builds (once; later runs reuse them) three databases: catalog_scale (a legacy warehouse: no stamps),
# catalog_scale_stamped (the same, every daily view stamped as warden stamps its own) and catalog_empty;
# builds the catalog-bench executable; then times, each in a fresh process under /usr/bin/time -v:
# warden's catalog read as `warden drift` calls it (one and two connections, both warehouses), a full
# read, pg_get_viewdef over every daily view, and migra (pip install migra psycopg2-binary, in a venv)
# diffing the empty database against the warehouse.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
WORK="${WORK:-/tmp/warden-catalog-scale}"
server=""
tenants=50
days=330
runs=3
migra=1
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --server) server="$2"; shift 2 ;;
        --tenants) tenants="$2"; shift 2 ;;
        --days) days="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --skip-migra) migra=0; shift ;;
        --keep) keep=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$WORK"

. "$root/Benchmarks/lib/cluster.sh"

if [ -z "$server" ]; then
    port="${PORT:-55433}"
    cluster_start "$WORK" "$port" "'127.0.0.1'" <<CONF
shared_buffers = '1GB'
max_locks_per_transaction = 1024
CONF
    if [ "$keep" = 0 ]; then trap cluster_stop EXIT; fi
    server="host=$WORK port=$port user=postgres"
fi
psql_on() { local db="$1"; shift; psql "$server dbname=$db" -X -q -v ON_ERROR_STOP=1 "$@"; }
exists() { [ "$(psql_on postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]; }
expected=$((tenants * 4 * days))

# 1. The warehouses.
if ! exists catalog_scale || [ "$(psql_on catalog_scale -Atc "SELECT count(*) FROM pg_matviews")" != "$expected" ]; then
    echo "building catalog_scale: $tenants tenants × 4 templates × $days daily views (a few minutes)"
    psql_on postgres -c "DROP DATABASE IF EXISTS catalog_scale" -c "DROP DATABASE IF EXISTS catalog_scale_stamped"
    psql_on postgres -c "CREATE DATABASE catalog_scale"
    psql_on catalog_scale -f "$here/generate.sql" 2>/dev/null
    start=$(date +%s)
    psql_on catalog_scale -c "CALL _bench.build_catalog_scale($tenants, $days)"
    echo "  built in $(( $(date +%s) - start )) s"
    psql_on catalog_scale -c "VACUUM ANALYZE"
fi
if ! exists catalog_scale_stamped; then
    echo "building catalog_scale_stamped (a copy, every daily view stamped)"
    psql_on postgres -c "CREATE DATABASE catalog_scale_stamped TEMPLATE catalog_scale"
    psql_on catalog_scale_stamped -c "CALL _bench.stamp_all()"
    psql_on catalog_scale_stamped -c "VACUUM ANALYZE"
fi
exists catalog_empty || psql_on postgres -c "CREATE DATABASE catalog_empty"
psql_on catalog_scale -Atc "SELECT 'warehouse: ' || (SELECT count(*) FROM pg_matviews) || ' materialized views, '
    || (SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'tenant\_%') || ' yearly tables, '
    || (SELECT count(*) FROM pg_views WHERE schemaname LIKE 'tenant\_%' OR schemaname = 'public') || ' union and public views, '
    || (SELECT count(*) FROM pg_indexes WHERE schemaname LIKE 'tenant\_%') || ' indexes; pg_class '
    || (SELECT count(*) FROM pg_class) || ' rows, pg_attribute ' || (SELECT count(*) FROM pg_attribute) || ' rows, '
    || pg_size_pretty(pg_database_size(current_database()))"

# 2. The benchmark executable.
swift build -c release --package-path "$root/Benchmarks/catalog-bench" >/dev/null
bench="$root/Benchmarks/catalog-bench/.build/release/catalog-bench"

# 3. Measurements: median of $runs fresh processes; RSS is the process's peak. The machine's load
# average is printed alongside: server and client share its cores.
measure() {
    local label="$1"; shift
    local times=() rss=() walls=()
    for _ in $(seq "$runs"); do
        /usr/bin/time -v "$@" > "$WORK/out" 2> "$WORK/time"
        times+=("$(sed -n 's/^run 1: \([0-9.]*\) s$/\1/p' "$WORK/out")")
        walls+=("$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time")")
        rss+=("$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")")
    done
    local t w r
    t="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
    w="$(printf '%s\n' "${walls[@]}" | sort | sed -n "$(( (runs + 1) / 2 ))p")"
    r="$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)"
    printf '| %-62s | %7s s | %8s | %5d MB |\n' "$label" "$t" "$w" "$((r / 1024))"
}
drift=(--policy unstamped --views none --no-index-definitions --runs 1)
echo
echo "$(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| catalog read (median of $runs processes)                         |    read  |  process | peak RSS |"
echo "|----------------------------------------------------------------|----------|----------|----------|"
for db in catalog_scale_stamped catalog_scale; do
    for connections in 1 2; do
        measure "drift options, $db, $connections connection(s)" \
            "$bench" --dsn "$server dbname=$db" "${drift[@]}" --connections "$connections"
    done
done
measure "everything but view definitions, catalog_scale, 2 connections" \
    "$bench" --dsn "$server dbname=catalog_scale" --policy all --views none --runs 1 --connections 2
measure "everything, view definitions too, catalog_scale, 2 connections" \
    "$bench" --dsn "$server dbname=catalog_scale" --policy all --views all --runs 1 --connections 2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "pg_get_viewdef over every daily view (what the rule reader replaces):"
viewdef="SELECT count(pg_get_viewdef(oid)) FROM pg_class WHERE relkind = 'm'"
start=$(date +%s.%N)
psql_on catalog_scale -Atc "$viewdef" >/dev/null
echo "  one connection:  $(echo "$(date +%s.%N) - $start" | bc) s"
start=$(date +%s.%N)
psql_on catalog_scale -Atc "$viewdef AND oid::int8 % 2 = 0" >/dev/null &
psql_on catalog_scale -Atc "$viewdef AND oid::int8 % 2 = 1" >/dev/null &
wait
echo "  two connections: $(echo "$(date +%s.%N) - $start" | bc) s"

# 4. migra, on the same databases.
if [ "$migra" = 1 ]; then
    venv="$WORK/migra-venv"
    if [ ! -x "$venv/bin/migra" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q migra psycopg2-binary
    fi
    host="$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$server")"
    port="$(sed -n 's/.*port=\([^ ]*\).*/\1/p' <<<"$server")"
    url() { echo "postgresql+psycopg2://postgres@/$1?host=$host&port=$port"; }
    echo
    echo "migra --unsafe (empty database → catalog_scale):"
    set +e
    /usr/bin/time -v "$venv/bin/migra" --unsafe "$(url catalog_empty)" "$(url catalog_scale)" \
        > "$WORK/migra.sql" 2> "$WORK/migra.time"
    status=$?
    set -e
    echo "  exit $status (2: differences found), $(wc -l < "$WORK/migra.sql") lines of SQL"
    sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): /  wall /p; s/.*Maximum resident set size (kbytes): \(.*\)/  peak RSS \1 kB/p' "$WORK/migra.time"
fi
