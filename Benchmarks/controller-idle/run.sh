#!/usr/bin/env bash
# Benchmarks/controller-idle/run.sh — what an idle `warden run` costs (docs/BENCHMARKS.md, "Controller
# idle cost"), and the status page's screenshot (docs/status-page.png).
#
#   Benchmarks/controller-idle/run.sh                                # the idle benchmark, 10 minutes
#   Benchmarks/controller-idle/run.sh --minutes 2 --every 5          # a shorter one
#   Benchmarks/controller-idle/run.sh --screenshot docs/status-page.png
#
# The idle benchmark:
#   1. builds warden in release (swift build -c release --product warden);
#   2. starts a throwaway PostgreSQL 15 in a temporary folder (as the `postgres` OS user when run as
#      root, since initdb refuses root; Unix socket in that folder, no TCP);
#   3. builds the demo world in it with examples/build-with-psql.sh: three tenant source databases and
#      the legacy warehouse as of --as-of (default: today, UTC; 1,944 daily views on 2026-11-21),
#      yearly tables from 2024; then VACUUM ANALYZE, so that autovacuum's work on the fresh tables
#      stays out of the samples;
#   4. makes a git repository in the temporary folder holding a copy of desired-state/, and checks with
#      `warden drift --dir` that it is in sync with that warehouse (exit 0);
#   5. writes a controller configuration (poll every 30 s, resync 5 m, apply mode, status on a free
#      loopback port, a bearer token file of mode 0600) and starts `warden run` with --at noon of the
#      as-of day, so that the warehouse's today cannot change during the run (a real clock crossing
#      midnight UTC would make a new daily view due, and the controller would build it);
#   6. waits until GET /api/v1/status says phase `idle` and InSync True, then samples the process every
#      --every seconds (10) for --minutes minutes (10): CPU time (utime + stime of /proc/PID/stat), RSS
#      (VmRSS of /proc/PID/status), threads, and the CPU time of the whole PostgreSQL cluster;
#   7. writes the samples to --csv FILE (default /tmp/warden-controller-idle.csv) and prints a summary,
#      also written next to the CSV (.summary.txt): the average CPU % over the sampled time (of one
#      core), the median and the busiest interval, RSS first/min/max/last, the least-squares slope of
#      RSS (over every sample and over the second half), the passes and git reads counted by /metrics,
#      the PostgreSQL cluster's CPU meanwhile, and the machine (CPUs, load average before and after).
#
# --screenshot FILE does steps 1–5 with two changes: seed 000's waste_category column is committed on
# top (the change ControllerRunTests makes), and the controller runs in `reconcile.mode: report`, so it
# reports the drift and the plan and changes nothing. Its warehouse is the demo's as of 2026-03-15
# unless --as-of says otherwise. Once the status shows the drift, headless Chromium
# (apt-get install -y chromium) renders http://127.0.0.1:PORT/ into FILE at 1280×2200.
#
# Other options: --as-of YYYY-MM-DD, --keep-work (leave the temporary folder for inspection; the
# server and the controller are stopped regardless). Needs bash, git, curl, jq, psql and the
# PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin, WARDEN_PG_BINDIR or PATH).
# On exit, normal or not, the controller and the server are stopped and the temporary folder removed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

minutes=10
every=10
as_of=""
first_year=2024
csv=/tmp/warden-controller-idle.csv
screenshot=""
keep_work=0
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --every) every="$2"; shift 2 ;;
        --as-of) as_of="$2"; shift 2 ;;
        --csv) csv="$2"; shift 2 ;;
        --screenshot) screenshot="$2"; shift 2 ;;
        --keep-work) keep_work=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
# The benchmark's warehouse is today's; the screenshot's is the demo's (as of 2026-03-15: 438 daily
# views, a 662-step plan), so that it comes out the same on any day.
if [ -z "$as_of" ]; then
    if [ -n "$screenshot" ]; then as_of=2026-03-15; else as_of="$(date -u +%F)"; fi
fi
if [ -z "$screenshot" ] && [ $(( minutes * 60 / every )) -lt 1 ]; then
    echo "--minutes $minutes --every $every leaves nothing to sample" >&2; exit 2
fi
for tool in git curl jq psql openssl; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
if [ -n "$screenshot" ]; then
    command -v chromium >/dev/null || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
    case "$screenshot" in /*) ;; *) screenshot="$PWD/$screenshot" ;; esac
fi
case "$csv" in /*) ;; *) csv="$PWD/$csv" ;; esac

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
. "$root/Benchmarks/lib/cluster.sh"

# ---- Cleanup: the controller, the server, the folder. ----
work=""
warden_pid=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$warden_pid" ] && kill -0 "$warden_pid" 2>/dev/null; then
        local stopping
        stopping=$(date +%s.%N)
        kill -TERM "$warden_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$warden_pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$warden_pid" 2>/dev/null; then
            log "warden run did not stop within 20 s of SIGTERM; killing it"
            kill -KILL "$warden_pid" 2>/dev/null || true
        else
            log "warden run stopped $(awk -v a="$stopping" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after SIGTERM"
        fi
        wait "$warden_pid" 2>/dev/null || true
    fi
    if [ -n "$work" ] && [ -f "$work/pg/data/postmaster.pid" ]; then
        cluster_stop immediate || true
        log "PostgreSQL stopped"
    fi
    if [ -n "$work" ]; then
        if [ "$keep_work" = 1 ]; then log "kept $work"; else rm -rf "$work"; log "removed $work"; fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. warden, release. ----
log "building warden (release)"
swift build -c release --product warden --package-path "$root" >/dev/null
warden="$(swift build -c release --package-path "$root" --show-bin-path)/warden"

# ---- 2. A throwaway PostgreSQL 15. ----
cluster_bindir || exit 1
work="$(mktemp -d /tmp/warden-idle.XXXXXX)"
chmod 0755 "$work"
mkdir "$work/pg"
pgport=5432   # the socket lives in our own folder and there is no TCP listener, so any port is free
log "starting PostgreSQL ($("$bin/postgres" --version)) in $work/pg"
cluster_start "$work/pg" "$pgport" "''" </dev/null
pghost="$work/pg"
dsn="host=$pghost port=$pgport user=postgres dbname=warehouse"

# ---- 3. The demo world. ----
log "building the demo world as of $as_of (examples/build-with-psql.sh)"
started=$(date +%s)
PGHOST="$pghost" PGPORT="$pgport" PGUSER=postgres AS_OF="$as_of" FIRST_YEAR="$first_year" \
    "$root/examples/build-with-psql.sh" > "$work/build.log"
views=$(psql "$dsn" -XAtc "SELECT count(*) FROM pg_matviews")
log "  built in $(( $(date +%s) - started )) s: $views daily views"
# Vacuum and analyze now, so that autovacuum's work on the fresh tables does not land in the samples.
"$bin/vacuumdb" -h "$pghost" -p "$pgport" -U postgres --all --analyze --quiet

# ---- 4. The schema repository, in sync. ----
repo="$work/repo"
git init -q -b main "$repo"
cp -R "$root/desired-state" "$repo/desired-state"
sed -i "s/^firstYear: [0-9]*/firstYear: $first_year/" "$repo/desired-state/warehouse.yaml"
commit() { git -C "$repo" add -A && git -C "$repo" -c user.name=bench -c user.email=bench@localhost commit -qm "$1"; }
commit "adopt the demo warehouse"
set +e
"$warden" drift --dir "$repo/desired-state" --database "$dsn" --as-of "$as_of" > "$work/drift.txt" 2>&1
drift_status=$?
set -e
if [ "$drift_status" != 0 ]; then
    cat "$work/drift.txt" >&2
    echo "the repository's desired state is not in sync with the demo warehouse (warden drift exit $drift_status)" >&2
    exit 1
fi
log "warden drift --dir: in sync (exit 0)"
mode=apply
if [ -n "$screenshot" ]; then
    # Seed 000's change, as ControllerRunTests.commitWasteCategory makes it.
    sed -i 's/^indexes:$/  - { name: waste_category, type: text, default: UNKNOWN }\nindexes:/' \
        "$repo/desired-state/templates/foodlogstats.yaml"
    sed -i 's/^    pf\.weight$/    pf.weight,\n    pf.waste_category/' "$repo/desired-state/templates/foodlogstats.sql"
    commit "add waste_category (seed 000's change)"
    mode=report
fi

# ---- 5. The controller. ----
(umask 077 && openssl rand -hex 32 > "$work/token")
chmod 0600 "$work/token"
cat > "$work/warden.yaml" <<YAML
source: { url: "$repo", ref: main, path: desired-state, interval: 30s }
database: { url: "$dsn" }
reconcile: { mode: $mode, resync: 5m }
http: { listen: "127.0.0.1:0", tokenFile: $work/token }
log: { format: text, level: info }
YAML
at="${as_of}T12:00:00Z"
log "starting warden run --config $work/warden.yaml --at $at (mode $mode)"
"$warden" run --config "$work/warden.yaml" --at "$at" 2> "$work/warden.log" &
warden_pid=$!
port=""
for _ in $(seq 300); do
    port="$(sed -n 's|.*status on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/warden.log" | head -1)"
    [ -n "$port" ] && break
    kill -0 "$warden_pid" 2>/dev/null || { cat "$work/warden.log" >&2; echo "warden run exited" >&2; exit 1; }
    sleep 0.2
done
[ -n "$port" ] || { cat "$work/warden.log" >&2; echo "warden run did not report its port" >&2; exit 1; }
base="http://127.0.0.1:$port"
want_in_sync=True
[ -n "$screenshot" ] && want_in_sync=False
started=$(date +%s.%N)
status=""
for _ in $(seq 600); do
    status="$(curl -sf "$base/api/v1/status" || true)"
    if [ -n "$status" ] && [ "$(jq -r '.phase' <<<"$status")" = idle ] \
        && [ "$(jq -r '.conditions[] | select(.type == "InSync") | .status' <<<"$status")" = "$want_in_sync" ]; then
        break
    fi
    status=""
    sleep 0.2
done
if [ -z "$status" ]; then
    cat "$work/warden.log" >&2
    curl -s "$base/api/v1/status" >&2 || true
    echo "the controller did not become idle (InSync $want_in_sync) within 2 minutes" >&2
    exit 1
fi
log "status on $base/: idle, InSync $want_in_sync, after $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }") s (pid $warden_pid)"

# ---- The screenshot. ----
if [ -n "$screenshot" ]; then
    items=$(curl -sf "$base/api/v1/drift" | jq '.items | length')
    steps=$(curl -sf "$base/api/v1/plan" | jq '.steps | length')
    log "drift: $items item(s); plan: $steps step(s); rendering $base/ with Chromium"
    mkdir -p "$(dirname "$screenshot")"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" \
        --window-size=1280,2200 --screenshot="$screenshot" "$base/" > "$work/chromium.log" 2>&1 \
        || { cat "$work/chromium.log" >&2; exit 1; }
    log "wrote $screenshot"
    exit 0
fi

# ---- 6. Sampling. ----
ticks=$(getconf CLK_TCK)
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
# CPU seconds of a process: utime + stime (fields 14 and 15; the command name may hold spaces).
cpu_of() { awk -v t="$ticks" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }
# The whole cluster: the postmaster with its reaped children (cutime, cstime) and the living ones.
server_cpu() {
    local total children
    total=$(awk -v t="$ticks" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13 + $14 + $15) / t }' "/proc/$postmaster/stat")
    children=$(ps -o pid= --ppid "$postmaster" | while read -r child; do cpu_of "$child" 2>/dev/null; echo; done \
        | awk '{ s += $1 } END { printf "%.2f", s }')
    awk -v a="$total" -v b="$children" 'BEGIN { printf "%.2f", a + b }'
}
field() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$warden_pid/status"; }
passes() { curl -sf "$base/metrics" | awk '/^warden_reconcile_total\{/ { s += $NF } END { print s + 0 }'; }
fetches() { curl -sf "$base/metrics" | awk '/^warden_git_fetch_total\{/ { s += $NF } END { print s + 0 }'; }

samples=$(( minutes * 60 / every ))
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
passes_before=$(passes)
fetches_before=$(fetches)
mkdir -p "$(dirname "$csv")"
echo "seconds,cpu_seconds,cpu_percent_interval,rss_kb,threads,server_cpu_seconds" > "$csv"
log "sampling every $every s for $minutes minutes ($samples intervals); load average $load_before"
t0=$(date +%s.%N)
cpu0=$(cpu_of "$warden_pid")
server0=$(server_cpu)
previous_t=0
previous_cpu=0
for i in $(seq 0 "$samples"); do
    if [ "$i" -gt 0 ]; then
        sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" -v at=$(( i * every )) 'BEGIN { d = t0 + at - now; printf "%.3f", (d > 0 ? d : 0) }')"
    fi
    kill -0 "$warden_pid" 2>/dev/null || { cat "$work/warden.log" >&2; echo "warden run exited during the benchmark" >&2; exit 1; }
    t=$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - t0 }')
    cpu=$(awk -v c="$(cpu_of "$warden_pid")" -v c0="$cpu0" 'BEGIN { printf "%.2f", c - c0 }')
    server=$(awk -v s="$(server_cpu)" -v s0="$server0" 'BEGIN { printf "%.2f", s - s0 }')
    percent=""
    if [ "$i" -gt 0 ]; then
        percent=$(awk -v c="$cpu" -v pc="$previous_cpu" -v t="$t" -v pt="$previous_t" 'BEGIN { printf "%.2f", 100 * (c - pc) / (t - pt) }')
    fi
    echo "$t,$cpu,$percent,$(field VmRSS),$(field Threads),$server" >> "$csv"
    previous_t=$t
    previous_cpu=$cpu
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
passes_during=$(( $(passes) - passes_before ))
fetches_during=$(( $(fetches) - fetches_before ))
last_pass="$(curl -sf "$base/api/v1/status" | jq -r '.lastReconcile | "\(.result) in \(.seconds * 1000 | round) ms"')"
final_phase="$(curl -sf "$base/api/v1/status" | jq -r '.phase')"

# ---- 7. Summary. ----
summary="${csv%.csv}.summary.txt"
{
    echo "warden run, idle: $minutes minutes sampled every $every s after the first idle status"
    echo "warehouse: demo as of $as_of, $views daily views; interval 30s, resync 5m, mode apply; phase at the end: $final_phase"
    echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)), load average before $load_before, after $load_after"
    awk -F, -v every="$every" -v passes="$passes_during" -v fetches="$fetches_during" -v last="$last_pass" '
        function slope(from, to,    i, k, mt, mr, sxy, sxx) {
            for (i = from; i <= to; i++) { mt += t[i]; mr += r[i] }
            k = to - from + 1; mt /= k; mr /= k
            for (i = from; i <= to; i++) { sxy += (t[i] - mt) * (r[i] - mr); sxx += (t[i] - mt) ^ 2 }
            return sxx > 0 ? 60 * sxy / sxx : 0
        }
        NR == 1 { next }
        {
            n++; t[n] = $1; c[n] = $2; r[n] = $4; s[n] = $6
            if ($3 != "") { m++; interval[m] = $3 + 0; if ($3 + 0 > peak) peak = $3 + 0 }
            if (n == 1 || $4 < min) min = $4
            if ($4 > max) max = $4
        }
        END {
            seconds = t[n] - t[1]
            # The median interval is the cost between passes; the busiest holds a pass.
            for (i = 2; i <= m; i++) { v = interval[i]; for (j = i - 1; j >= 1 && interval[j] > v; j--) interval[j + 1] = interval[j]; interval[j + 1] = v }
            median = m % 2 ? interval[(m + 1) / 2] : (interval[m / 2] + interval[m / 2 + 1]) / 2
            printf "CPU: %.2f s in %.0f s = %.3f %% of one core on average; %d s intervals: median %.2f %%, busiest %.1f %%\n",
                c[n] - c[1], seconds, 100 * (c[n] - c[1]) / seconds, every, median, peak
            printf "PostgreSQL cluster CPU meanwhile: %.2f s = %.3f %% of one core\n", s[n] - s[1], 100 * (s[n] - s[1]) / seconds
            printf "RSS: first %.1f MB, min %.1f MB, max %.1f MB, last %.1f MB\n", r[1] / 1024, min / 1024, max / 1024, r[n] / 1024
            half = int((n + 1) / 2)
            printf "RSS slope (least squares): %+.1f KB/min over all %d samples, %+.1f KB/min over the second half (%d samples from %.0f s)\n",
                slope(1, n), n, slope(half, n), n - half + 1, t[half]
            printf "passes during the sampling: %d (reconcile passes counted by /metrics), git reads: %d; last pass: %s\n",
                passes, fetches, last
        }' "$csv"
    echo "samples: $csv"
} | tee "$summary"
