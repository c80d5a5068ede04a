#!/usr/bin/env bash
# Benchmarks/add-column/run.sh — seed 000's add-column change (waste_category text, 'UNKNOWN' for history)
# on identical copies of one legacy warehouse (docs/BENCHMARKS.md, "Add-column reconcile beside plain SQL"):
#
#   the work alone, no reader (the ratio):
#     sql      the same work as plain SQL: `warden plan --format sql` (seed 002's migration file), its UP
#              section run by psql in one session, statement after statement;
#     p1, p2   `warden apply` with parallelism 1 and 2 (catalog read and planning included);
#   with a reader querying the public view every 50 ms on its own connection (reader.sql):
#     swap     `warden apply`, shadow-swap, parallelism 2;
#     rebuild  `warden apply --strategy rebuild`, parallelism 2 (seed 000's procedure, its outage);
#     seed     seed 000's runbook by hand (plain-add-column.sql): Phases 2-5 as the seed writes them.
#
#   Benchmarks/add-column/run.sh                 # throwaway cluster in $WORK (default /tmp/warden-add-column)
#   Benchmarks/add-column/run.sh --tenants 10 --as-of 2026-11-20 --volume 4 --keep --only "sql p1 p2"
#
# Options: --tenants N (10: landb, acme, bistro, then t04…) --as-of DATE (2026-11-20) --first-year Y (2025)
# --volume X (4: multiplies every tenant's rows per day) --warden PATH (default: .build/release/warden,
# built if missing) --timeout S (900: a warden apply still running then is stopped with SIGTERM and
# reported with its progress) --only "LABELS" (a subset of the runs) --keep (leave the cluster running).
# The world is built once per set of options and reused; each run gets a fresh copy
# (CREATE DATABASE … TEMPLATE) and waits for the machine to be quiet first.
#
# Run as root, the cluster runs as the `postgres` OS user (initdb refuses root); PostgreSQL 15's
# binaries come from /usr/lib/postgresql/15/bin unless initdb is on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
WORK="${WORK:-/tmp/warden-add-column}"
port="${PORT:-55434}"
tenants=10
as_of=2026-11-20
first_year=2025
volume=4
warden=""
keep=0
timeout=900
only="sql p1 p2 swap rebuild seed"
while [ $# -gt 0 ]; do
    case "$1" in
        --tenants) tenants="$2"; shift 2 ;;
        --as-of) as_of="$2"; shift 2 ;;
        --first-year) first_year="$2"; shift 2 ;;
        --volume) volume="$2"; shift 2 ;;
        --warden) warden="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --only) only="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
# Inside the demo's sunday-night allow window, outside month-end-close (as the tests use it).
at="2026-11-22T02:30:00-06:00"
mkdir -p "$WORK"

# The warden binary: a release build, as every figure in docs/BENCHMARKS.md.
if [ -z "$warden" ]; then
    warden="$root/.build/release/warden"
    [ -x "$warden" ] || (cd "$root" && swift build -c release --product warden >/dev/null)
fi

# A throwaway cluster. Reading a public view locks every member of every tenant view and their indexes
# (the seed's design): tens of thousands of locks at this size.
. "$root/Benchmarks/lib/cluster.sh"
cluster_start "$WORK" "$port" "''" <<CONF
shared_buffers = '1GB'
max_connections = 40
max_locks_per_transaction = 8192
CONF
if [ "$keep" = 0 ]; then trap cluster_stop EXIT; fi
server="host=$WORK port=$port user=postgres"
export PGHOST="$WORK" PGPORT="$port" PGUSER=postgres
psql_on() { local db="$1"; shift; psql "$server dbname=$db" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The tenants: the demo's three, then t04… (3 stores, 30 rows a day each before --volume).
tenant_rows() {
    printf '%s\n' "landb 5 60 0.11" "acme 3 25 0.22" "bistro 2 8 0.33"
    for i in $(seq 4 "$tenants"); do printf 't%02d 3 30 0.%02d\n' "$i" "$((40 + i))"; done
}
tenant_list="$(tenant_rows | head -n "$tenants" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
params="tenants=$tenants as_of=$as_of first_year=$first_year volume=$volume"

# 1. The world, built once per set of parameters: the tenants' sources and the legacy warehouse
#    `bench_base`, built as examples/build-with-psql.sh builds the demo's (seed 000's functions).
if [ "$(cat "$WORK/world.params" 2>/dev/null)" != "$params" ]; then
    echo "building the world: $params"
    rm -f "$WORK/world.params"
    started=$(date +%s.%N)
    for db in $(psql_on postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'bench\_%' OR datname LIKE 'src\_%'"); do
        psql_on postgres -c "DROP DATABASE \"$db\""
    done
    tenant_rows | head -n "$tenants" | while read -r tenant stores rows seed; do
        psql_on postgres -c "CREATE DATABASE src_$tenant"
        psql_on "src_$tenant" -c "SET client_min_messages = warning" -f "$root/examples/source/schema.sql"
        per_day=$(awk "BEGIN { printf \"%d\", $rows * $volume + 0.5 }")
        psql_on "src_$tenant" -Atc "SELECT demo_create_stores('$tenant', $stores)" >/dev/null
        n=$(psql_on "src_$tenant" -Atc "SELECT demo_generate_foodlogs('$first_year-01-01', '$as_of', $per_day, $seed)")
        echo "  src_$tenant: $n food-log rows ($per_day a day, $stores stores)"
    done
    psql_on postgres -c "CREATE DATABASE bench_base"
    for f in seed_functions connections templates legacy; do
        psql_on bench_base -c "SET client_min_messages = warning" -f "$root/examples/warehouse/$f.sql"
    done
    for tenant in $tenant_list; do
        psql_on bench_base -Atc "SELECT _wh_demo.create_tenant_connection('$tenant-prod', 'src_$tenant', '$WORK', $port, 'postgres')" >/dev/null
    done
    array="ARRAY['$(echo "$tenant_list" | sed "s/ /','/g")']"
    psql_on bench_base -Atc "CALL _wh_demo.build_legacy_warehouse('$as_of', $first_year, $array, ARRAY['landb'])" > "$WORK/build.json"
    psql_on bench_base -c "VACUUM ANALYZE"
    echo "  built in $(awk "BEGIN { printf \"%.0f\", $(date +%s.%N) - $started }") s"
    echo "$params" > "$WORK/world.params"
fi
psql_on bench_base -Atc "SELECT 'warehouse: ' || (SELECT count(*) FROM pg_matviews WHERE matviewname LIKE 'foodlogstats\_%') || ' foodlogstats daily views, '
    || (SELECT count(*) FROM pg_matviews) || ' in all, '
    || (SELECT count(*) FROM pg_tables WHERE tablename ~ '_[0-9]{4}$') || ' yearly tables, '
    || (SELECT count(*) FROM public.foodlogstats) || ' rows in public.foodlogstats, '
    || pg_size_pretty(pg_database_size(current_database()))"

# 2. The desired state: the repository's, with these tenants and first year, and seed 000's change
#    (waste_category text, default 'UNKNOWN' for history), as Tests/WardenCLITests/ApplyCommandTests makes it.
ds="$WORK/desired-state"
rm -rf "$ds" "$ds.before"
cp -r "$root/desired-state" "$ds"
awk -v tenants="$tenant_list" '
    /^tenants:/ { print; n = split(tenants, t, " "); for (i = 1; i <= n; i++) printf "  - schema: %s\n    connection: %s-prod\n", t[i], t[i]; skip = 1; next }
    /^[a-z]/ { skip = 0 }
    !skip { print }' "$root/desired-state/warehouse.yaml" | sed "s/^firstYear: [0-9]*/firstYear: $first_year/" > "$ds/warehouse.yaml"
cp -r "$ds" "$ds.before"
sed -i 's/^indexes:/  - { name: waste_category, type: text, default: UNKNOWN }\nindexes:/' "$ds/templates/foodlogstats.yaml"
sed -i 's/^    pf\.weight$/    pf.weight,\n    pf.waste_category/' "$ds/templates/foodlogstats.sql"
grep -q waste_category "$ds/templates/foodlogstats.sql" && grep -q waste_category "$ds/templates/foodlogstats.yaml"

status=0
"$warden" drift --dir "$ds.before" --database "$server dbname=bench_base" --as-of "$as_of" --at "$at" > "$WORK/drift-before.txt" || status=$?
if [ "$status" != 0 ]; then
    echo "bench_base is not in sync with the unchanged desired state (warden drift exit $status):" >&2
    cat "$WORK/drift-before.txt" >&2
    exit 1
fi

wanted() { case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
copy() {   # database
    psql_on postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1 TEMPLATE bench_base STRATEGY FILE_COPY"
}

# 3. warden's plan and its migration file, from a copy (planning changes nothing).
copy bench_plan
status=0
"$warden" plan --dir "$ds" --database "$server dbname=bench_plan" --as-of "$as_of" --at "$at" > "$WORK/plan.txt" || status=$?
[ "$status" = 2 ] || { echo "warden plan exit $status (2 expected: changes pending)" >&2; head -50 "$WORK/plan.txt" >&2; exit 1; }
echo "warden's plan: $(sed -n 2p "$WORK/plan.txt")"
rm -rf "$WORK/migration"
mkdir -p "$WORK/migration"
status=0
"$warden" plan --dir "$ds" --database "$server dbname=bench_plan" --as-of "$as_of" --at "$at" --format sql --out "$WORK/migration" > /dev/null || status=$?
[ "$status" = 2 ] || { echo "warden plan --format sql exit $status" >&2; exit 1; }
migration="$(ls "$WORK/migration"/*.sql)"
echo "migration file: $(basename "$migration"), $(grep -c '^-- Step [0-9]*:' "$migration") steps"
psql_on postgres -c "DROP DATABASE bench_plan"

# The reader: one psql session per run, a query every 50 ms (reader.sql).
reader_pid=""
start_reader() {   # database, label
    rm -f "$WORK/$2.reader"
    psql "$server dbname=$1" -X -q -At -F '|' -f "$here/reader.sql" > "$WORK/$2.reader" 2> "$WORK/$2.reader.err" &
    reader_pid=$!
    sleep 1
}
stop_reader() {
    sleep 0.5
    kill -INT "$reader_pid"
    wait "$reader_pid" || true
}
# queries, errors, longest ms, median ms, seconds from the first error to the end of the last
reader_figures() {
    if [ ! -s "$WORK/$1.reader" ]; then echo "— — — — —"; return; fi
    local median
    median=$(awk -F'|' 'NF >= 2 && $3 == "" { print $2 }' "$WORK/$1.reader" | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", v[int((NR + 1) / 2)]; else print "—" }')
    awk -F'|' -v median="$median" 'NF >= 2 { n++; if ($2 > max) max = $2; if ($3 != "") { e++; if (first == "") first = $1; last = $1 + $2 / 1000 } }
        END { printf "%d %d %.0f %s %.1f\n", n, e, max, median, (e ? last - first : 0) }' "$WORK/$1.reader"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Before each measurement: the copy's writes flushed, and the machine quiet (at most one process running
# or waiting for I/O, two seconds in a row; at most two minutes).
settle() {
    sync
    local quiet=0
    for _ in $(seq 120); do
        if [ "$(vmstat 1 2 | tail -1 | awk '{ print $1 + $2 }')" -le 1 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        [ "$quiet" -ge 2 ] && return 0
    done
}
now() { date +%s.%N; }

# One run: label, reader (0/1), then the command, which gets the database as $BENCH_DB. Writes
# $WORK/<label>.{seconds,status,log,err}.
measure() {
    local label="$1" with_reader="$2"
    shift 2
    local db="bench_$label"
    copy "$db"
    rm -f "$WORK/$label.reader" "$WORK/$label.reader.err"
    settle
    [ "$with_reader" = 0 ] || start_reader "$db" "$label"
    local load_before t0 t1 pid watchdog status=0
    load_before="$(load)"
    rm -f "$WORK/$label.timedout"
    t0=$(now)
    BENCH_DB="$db" "$@" > "$WORK/$label.log" 2> "$WORK/$label.err" &
    pid=$!
    ( sleep "$timeout"; touch "$WORK/$label.timedout"; kill -TERM "$pid" 2>/dev/null ) &
    watchdog=$!
    wait "$pid" || status=$?
    t1=$(now)
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    [ "$with_reader" = 0 ] || stop_reader
    awk "BEGIN { printf \"%.1f\", $t1 - $t0 }" > "$WORK/$label.seconds"
    if [ -e "$WORK/$label.timedout" ]; then status="stopped after ${timeout} s"; fi
    echo "$status" > "$WORK/$label.status"
    echo "$label: $(cat "$WORK/$label.seconds") s (load $load_before → $(load)); exit $status"
    if [ "$status" != 0 ]; then tail -3 "$WORK/$label.err"; fi
}
run_migration() {
    psql "$server dbname=$BENCH_DB" -X -q -v ON_ERROR_STOP=1 -f "$migration"
}
run_warden() {   # parallelism, extra options
    local parallelism="$1"
    shift
    "$warden" apply --yes --parallelism "$parallelism" --dir "$ds" --database "$server dbname=$BENCH_DB" \
        --as-of "$as_of" --at "$at" "$@"
}
run_seed() {
    psql "$server dbname=$BENCH_DB" -X -q -v ON_ERROR_STOP=1 -v as_of="$as_of" -v tenants="$tenant_list" -f "$here/plain-add-column.sql"
}

echo
echo "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average before: $(load)"
! wanted sql || measure sql 0 run_migration
! wanted p1 || measure p1 0 run_warden 1
! wanted p2 || measure p2 0 run_warden 2
! wanted swap || measure swap 1 run_warden 2
! wanted rebuild || measure rebuild 1 run_warden 2 --strategy rebuild
! wanted seed || measure seed 1 run_seed

# The end states: every run must leave the warehouse as the changed desired state says.
echo
for label in $only; do
    db="bench_$label"
    status=0
    "$warden" drift --dir "$ds" --database "$server dbname=$db" --as-of "$as_of" --at "$at" > "$WORK/drift-$label.txt" || status=$?
    state="$(psql_on "$db" -Atc "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE waste_category = 'UNKNOWN') || ' UNKNOWN, '
        || count(DISTINCT waste_category) || ' categories, analysts can read: ' || has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')
        FROM public.foodlogstats" 2>&1 | head -1)"
    echo "$label: $state; warden drift exit $status ($(head -1 "$WORK/drift-$label.txt"))"
done

# Where warden's time went, from its journal.
for label in p1 p2 swap rebuild; do
    wanted "$label" || continue
    echo
    echo "$label, _wh.warden_steps:"
    psql_on "bench_$label" -c "SELECT phase, kind, count(*) FILTER (WHERE outcome = 'succeeded') AS done, count(*) AS steps,
            round(sum(duration_ms)::numeric / 1000, 1) AS seconds, sum(greatest(attempts - 1, 0)) AS retries
        FROM _wh.warden_steps GROUP BY 1, 2 ORDER BY min(step_no)"
    psql_on "bench_$label" -Atc "SELECT 'first step ' || round(extract(epoch FROM min(s.started_at) - r.started_at)::numeric, 1)
            || ' s after the run began; phases, first start to last finish: '
            || (SELECT string_agg(phase || ' ' || seconds || ' s', ', ' ORDER BY first)
                FROM (SELECT phase, min(step_no) AS first, round(extract(epoch FROM max(finished_at) - min(started_at))::numeric, 1) AS seconds
                      FROM _wh.warden_steps WHERE started_at IS NOT NULL GROUP BY phase) p)
        FROM _wh.warden_steps s JOIN _wh.warden_runs r USING (run_id) GROUP BY r.started_at"
done

echo
base="$(cat "$WORK/sql.seconds" 2>/dev/null || echo)"
ratio() { if [ -n "$base" ] && [ "$(cat "$WORK/$1.status")" = 0 ]; then awk "BEGIN { printf \"%.2f\", $(cat "$WORK/$1.seconds") / $base }"; else echo "—"; fi; }
echo "| run | reader | wall | ratio to the migration in psql | exit | reader queries | reader errors | median / longest reader query | public view missing |"
echo "|---|---|---:|---:|---|---:|---:|---:|---:|"
for label in $only; do
    case "$label" in
        sql) what="warden's migration file in psql (the same work as plain SQL)" ;;
        p1) what="warden apply, parallelism 1" ;;
        p2) what="warden apply, parallelism 2" ;;
        swap) what="warden apply, shadow-swap, parallelism 2" ;;
        rebuild) what="warden apply --strategy rebuild, parallelism 2" ;;
        seed) what="seed 000's runbook by hand (plain-add-column.sql)" ;;
    esac
    if [ -s "$WORK/$label.reader" ]; then
        read -r q e longest median down < <(reader_figures "$label")
        printf '| %s | yes | %s s | %s | %s | %s | %s | %s / %s ms | %s s |\n' "$what" "$(cat "$WORK/$label.seconds")" "$(ratio "$label")" \
            "$(cat "$WORK/$label.status")" "$q" "$e" "$median" "$longest" "$down"
    else
        printf '| %s | no | %s s | %s | %s | — | — | — | — |\n' "$what" "$(cat "$WORK/$label.seconds")" "$(ratio "$label")" "$(cat "$WORK/$label.status")"
    fi
done
echo "load average after: $(load)"
