#!/usr/bin/env bash
# tests/bench/bench_pg_backup.sh — SELECT dbkeeper_backup() against what a
# user would run instead, on pgbench databases (scales in DBK_BENCH_SCALES,
# default "10 100"):
#
#   pg_dump -Fc                 custom format, its default gzip compression
#   pg_dump | zstd -3           plain SQL through zstd at dbkeeper's level
#   pg_dump -Fd -j 2            directory format, two jobs; PostgreSQL 15's
#                               pg_dump has no zstd (-Z takes a gzip level
#                               only), so this is its default gzip
#
# Wall time, output size, and memory of the server backends that do the
# work: the peak of RssAnon (private memory; for dbkeeper it includes the
# zstd worker thread's buffers, since threads share it) sampled every 50 ms,
# and VmHWM (peak resident set, which also counts the shared buffers a
# backend has touched).  DBK_BENCH_ROUNDS rounds (default 3), the methods
# interleaved within each round so that a busy moment on a shared machine
# hits them alike; the table shows medians.  A private cluster; the dbkeeper
# library is loaded from this build by absolute path, so the benchmark needs
# neither an install nor the install lock.  Prints a Markdown table; never
# asserts.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SCALES=${DBK_BENCH_SCALES:-10 100}
ROUNDS=${DBK_BENCH_ROUNDS:-3}
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/dbk-bench-pg.XXXXXX)
chown postgres "$WORK"
PORT=$((20000 + RANDOM % 20000))
export PGHOST=$WORK PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGPASSWORD
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

make -s -C pg_ext >/dev/null || { echo "build failed" >&2; exit 1; }
install -m 755 pg_ext/dbkeeper.so "$WORK/dbkeeper.so"
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null 2>&1 || { echo "initdb failed" >&2; exit 1; }
cat >> "$WORK/data/postgresql.conf" <<EOF
port = $PORT
unix_socket_directories = '$WORK'
listen_addresses = ''
max_wal_size = 4GB
dbkeeper.backup_dir = '$WORK/backups'
dbkeeper.keep_backups = 0
EOF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w start >/dev/null || { cat "$WORK/log" >&2; exit 1; }

. tests/bench/pg_memory.sh

# measure NAME OUTPUT CMD...: runs CMD, records time, size of OUTPUT, memory
measure() {
  local name=$1 output=$2 t0 t1 sampler
  shift 2
  rm -rf "$output"
  echo "0 0" >"$WORK/mem"
  sample_memory bench "$WORK/mem" &
  sampler=$!
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$WORK/err" || { echo "$name failed: $(cat "$WORK/err")" >&2; }
  t1=$(date +%s.%N)
  kill $sampler; wait $sampler 2>/dev/null
  read -r anon hwm <"$WORK/mem"
  size=$(find "$output" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%s\t%.2f\t%s\t%s\t%s\n' "$name" "$secs" "$size" "$anon" "$hwm" >>"$WORK/results"
}

dbkeeper_backup() {
  psql -X -At -d bench -c "SELECT dbkeeper_backup('bench')" >"$WORK/name" &&
    ln -sf "$WORK/backups/$(cat "$WORK/name")" "$WORK/out.dbk"
}
plain_zstd() { pg_dump -d bench | zstd -3 -q -o "$WORK/out.sql.zst"; }

for scale in $SCALES; do
  dropdb --if-exists bench >/dev/null 2>&1
  createdb bench
  nice pgbench -q -i -s "$scale" bench >/dev/null 2>&1
  psql -X -q -d bench -c "VACUUM ANALYZE" \
    -c "CREATE FUNCTION dbkeeper_backup(text DEFAULT NULL) RETURNS text AS '$WORK/dbkeeper.so', 'dbkeeper_backup' LANGUAGE C"
  dbsize=$(psql -X -At -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")
  : >"$WORK/results"
  for _ in $(seq 1 "$ROUNDS"); do
    rm -rf "$WORK/backups"
    measure "SELECT dbkeeper_backup()" "$WORK/backups" dbkeeper_backup
    measure "pg_dump -Fc" "$WORK/out.dump" pg_dump -Fc -d bench -f "$WORK/out.dump"
    measure "pg_dump \\| zstd -3" "$WORK/out.sql.zst" plain_zstd
    measure "pg_dump -Fd -j 2 (gzip)" "$WORK/out.dir" pg_dump -Fd -j 2 -d bench -f "$WORK/out.dir"
  done
  # medians per method, in the order measured
  awk -F'\t' '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    !($1 in seen) { seen[$1] = 1; order[++k] = $1 }
    { for (c = 2; c <= 5; c++) v[$1, c] = v[$1, c] " " $c; runs[$1] = runs[$1] " " $2 }
    END { for (i = 1; i <= k; i++) { m = order[i]
            printf "%s\t%.2f\t%d\t%d\t%d\t%s\n", m, median(v[m, 2]), median(v[m, 3]), median(v[m, 4]), median(v[m, 5]), runs[m] } }
  ' "$WORK/results" >"$WORK/medians"

  echo
  echo "pgbench scale $scale (database $dbsize), $(nproc) cores, $(date -u +%Y-%m-%d), median of $ROUNDS interleaved rounds:"
  echo
  echo "| method | wall time | output | time vs dbkeeper | size vs dbkeeper | backend RssAnon peak | backend VmHWM | every run (s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  IFS=$'\t' read -r _ base_t base_s _ _ _ < <(head -1 "$WORK/medians")
  while IFS=$'\t' read -r name secs size anon hwm runs; do
    printf '| %s | %s s | %.1f MB | %.2f× | %.2f× | %.1f MB | %.1f MB |%s |\n' "$name" "$secs" \
      "$(echo "$size / 1048576" | bc -l)" "$(echo "$secs / $base_t" | bc -l)" "$(echo "$size / $base_s" | bc -l)" \
      "$(echo "$anon / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)" "$runs"
  done <"$WORK/medians"
done
