# Benchmarks/lib/cluster.sh — sourced by the benchmark scripts: a throwaway PostgreSQL 15 cluster in a
# folder of the script's own, tuned for speed over safety (fsync off: the data is rebuilt at will).
#
#   . "$root/Benchmarks/lib/cluster.sh"
#   cluster_start "$WORK" 55434 "''" <<CONF      # folder, port, listen_addresses; extra settings on stdin
#   max_locks_per_transaction = 8192
#   CONF
#   … psql "host=$WORK port=55434 user=postgres" …
#   cluster_stop
#
# The data lives in FOLDER/data, the log in FOLDER/server.log, the Unix socket in FOLDER. initdb refuses
# root, so as root the server runs as the `postgres` OS user. An existing FOLDER/data is reused as it is
# (its settings included), and a running server is left running.

# Runs a command as the `postgres` OS user when we are root, else as ourselves.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Sets `bin` to the folder of the PostgreSQL server binaries: WARDEN_PG_BINDIR, Debian's
# /usr/lib/postgresql/15/bin, or where `initdb` is on PATH.
cluster_bindir() {
    bin=""
    local candidate
    for candidate in "${WARDEN_PG_BINDIR:-}" /usr/lib/postgresql/15/bin "$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")"; do
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then bin="$candidate"; return 0; fi
    done
    echo "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install -y postgresql-15" >&2
    return 1
}

# cluster_start FOLDER PORT LISTEN: initdb FOLDER/data once, with the settings below and those read from
# stdin, then start the server unless it runs. Sets `bin` and `data`.
cluster_start() {
    local folder="$1" port="$2" listen="$3"
    cluster_bindir || return 1
    data="$folder/data"
    if [ "$(id -u)" = 0 ]; then chown postgres "$folder"; fi
    if [ ! -d "$data" ]; then
        as_postgres "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
        {
            cat <<CONF
port = $port
listen_addresses = $listen
unix_socket_directories = '$folder'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
            cat
        } >> "$data/postgresql.auto.conf"
    else
        cat >/dev/null
    fi
    if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_postgres "$bin/pg_ctl" -D "$data" -l "$folder/server.log" -w start >/dev/null
    fi
}

# Stops the server of `cluster_start` (fast shutdown; `immediate` as $1 for a quick exit on a signal).
cluster_stop() { as_postgres "$bin/pg_ctl" -D "$data" -m "${1:-fast}" -w stop >/dev/null 2>&1; }
