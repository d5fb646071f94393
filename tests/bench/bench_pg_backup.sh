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
. tests/bench/pg_bench.sh
bench_cluster_init pg

make -s -C pg_ext >/dev/null || { echo "build failed" >&2; exit 1; }
install -m 755 pg_ext/dbkeeper.so "$WORK/dbkeeper.so"
bench_cluster_start

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
  # medians per method, in the order measured, and every run's time
  paste <(median_by_key <(cut -f1,2 "$WORK/results")) \
        <(median_by_key <(cut -f1,3 "$WORK/results") | cut -f2) \
        <(median_by_key <(cut -f1,4 "$WORK/results") | cut -f2) \
        <(median_by_key <(cut -f1,5 "$WORK/results") | cut -f2) \
        <(awk -F'\t' '!($1 in r) { order[++k] = $1 } { r[$1] = r[$1] " " $2 }
                      END { for (i = 1; i <= k; i++) print r[order[i]] }' "$WORK/results") >"$WORK/medians"

  echo
  echo "pgbench scale $scale (database $dbsize), $(nproc) cores, $(date -u +%Y-%m-%d), median of $ROUNDS interleaved rounds:"
  echo
  echo "| method | wall time | output | time vs dbkeeper | size vs dbkeeper | backend RssAnon peak | backend VmHWM | every run (s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  IFS=$'\t' read -r _ base_t base_s _ _ _ < <(head -1 "$WORK/medians")
  while IFS=$'\t' read -r name secs size anon hwm runs; do
    printf '| %s | %.2f s | %.1f MB | %.2f× | %.2f× | %.1f MB | %.1f MB |%s |\n' "$name" "$secs" \
      "$(echo "$size / 1048576" | bc -l)" "$(echo "$secs / $base_t" | bc -l)" "$(echo "$size / $base_s" | bc -l)" \
      "$(echo "$anon / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)" "$runs"
  done <"$WORK/medians"
done
