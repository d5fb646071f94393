#!/usr/bin/env bash
# tests/bench/bench_pg_restore.sh — SELECT dbkeeper_restore() against what a
# user would run instead, on pgbench databases (scales in DBK_BENCH_SCALES,
# default "10 100"):
#
#   zstd -dc <backup> | psql --single-transaction   the same backup file,
#       replayed into a new, empty database by the standard tools
#   pg_restore -j 2      a pg_dump -Fc of the same database, restored into a
#       new, empty database with two jobs
#
# dbkeeper_restore() does more than either: it checks the file first,
# takes a safety backup of the database it replaces and empties it; its
# phases are reported from its DEBUG1 timings (medians).  Rounds
# (DBK_BENCH_ROUNDS, default 3) run the three methods one after the other,
# each into the same starting state: dbkeeper_restore() into the pgbench
# database after VACUUM ANALYZE (as a database in use is: its rows' hint
# bits set), psql and pg_restore into a new, empty database; the table
# gives medians.  Wall time and memory of the
# server backends doing the work (peak RssAnon, private memory, sampled
# every 50 ms; VmHWM, peak resident set including shared buffers touched).
# The restore needs dbkeeper installed as an extension (it keeps extension
# members): as bench_pg_datasets.sh does, the server runs from a private
# copy of PostgreSQL's directories into which this build is installed with
# DESTDIR, so that the machine's directories are never written and no other
# checkout's build is measured.  Prints Markdown tables; never asserts.
# (bench_pg_datasets.sh with DBK_BENCH_DATASETS=pgbench DBK_BENCH_PARTS=restore
# gives the same comparison with CPU times.)
set -u
cd "$(dirname "$0")/../.." || exit 1
SCALES=${DBK_BENCH_SCALES:-10 100}
ROUNDS=${DBK_BENCH_ROUNDS:-3}
. tests/bench/pg_bench.sh
bench_cluster_init restore

bench_private_install
bench_cluster_start

# measure NAME DB CMD...: runs CMD, records its time and DB's backends' memory
measure() {
  local name=$1 db=$2 t0 t1 sampler
  shift 2
  echo "0 0" >"$WORK/mem"
  sample_memory "$db" "$WORK/mem" &
  sampler=$!
  t0=$(date +%s.%N)
  "$@" >"$WORK/out" 2>"$WORK/err" || { echo "$name failed: $(tail -5 "$WORK/err")" >&2; }
  t1=$(date +%s.%N)
  kill $sampler; wait $sampler 2>/dev/null
  read -r anon hwm <"$WORK/mem"
  printf '%s\t%.2f\t%s\t%s\n' "$name" "$(echo "$t1 - $t0" | bc -l)" "$anon" "$hwm" >>"$WORK/results"
}

dbkeeper_restore() {
  psql -X -At -d bench -c "SET client_min_messages = debug1" -c "SELECT dbkeeper_restore('$(cat "$WORK/name")')"
}
psql_replay() {
  zstd -dc "$WORK/backups/$(cat "$WORK/name")" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d bench_psql
}

for scale in $SCALES; do
  for db in bench bench_psql bench_pgr; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  createdb bench
  nice pgbench -q -i -s "$scale" bench >/dev/null 2>&1
  psql -X -q -d bench -c "CREATE EXTENSION dbkeeper" -c "VACUUM ANALYZE"
  dbsize=$(psql -X -At -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")
  rm -rf "$WORK/backups"
  psql -X -At -d bench -c "SELECT dbkeeper_backup('bench')" >"$WORK/name"
  backup_size=$(stat -c %s "$WORK/backups/$(cat "$WORK/name")")
  pg_dump -Fc -d bench -f "$WORK/bench.dump" 2>/dev/null
  : >"$WORK/results"
  : >"$WORK/phases"
  for round in $(seq "$ROUNDS"); do
    psql -X -q -d bench -c "VACUUM ANALYZE"
    psql -X -q -c CHECKPOINT
    measure "SELECT dbkeeper_restore()" bench dbkeeper_restore
    restore_phases "$WORK/err" >>"$WORK/phases"
    for db in bench_psql bench_pgr; do dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"; done
    psql -X -q -c CHECKPOINT
    measure "zstd -dc \\| psql --single-transaction" bench_psql psql_replay
    psql -X -q -c CHECKPOINT
    measure "pg_restore -j 2 (of pg_dump -Fc)" bench_pgr pg_restore -j 2 -d bench_pgr "$WORK/bench.dump"
  done
  # per method: the median time, and the largest memory of the rounds
  median_by_key <(cut -f1,2 "$WORK/results") | while IFS=$'\t' read -r name secs; do
    awk -F'\t' -v m="$name" -v t="$secs" '$1 == m { if ($3 > a) a = $3; if ($4 > h) h = $4 }
      END { printf "%s\t%s\t%d\t%d\n", m, t, a, h }' "$WORK/results"
  done >"$WORK/medians"
  phases=$(paste <(median_by_key <(cut -f1,2 "$WORK/phases")) <(median_by_key <(cut -f1,3 "$WORK/phases") | cut -f2) |
    awk -F'\t' '{ printf "%s%s: %s ms (%s ms CPU)", (NR > 1 ? "; " : ""), $1, $2, $3 }')

  echo
  echo "pgbench scale $scale (database $dbsize, backup $(echo "$backup_size / 1048576" | bc -l | xargs printf '%.1f') MB), $(nproc) cores, $(date -u +%Y-%m-%d):"
  echo
  echo "| method | wall time | vs dbkeeper_restore() | backend RssAnon peak | backend VmHWM |"
  echo "|---|---:|---:|---:|---:|"
  IFS=$'\t' read -r _ base_t _ _ < <(head -1 "$WORK/medians")
  while IFS=$'\t' read -r name secs anon hwm; do
    printf '| %s | %.2f s | %.2f× | %.1f MB | %.1f MB |\n' "$name" "$secs" "$(echo "$secs / $base_t" | bc -l)" \
      "$(echo "$anon / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
  done <"$WORK/medians"
  echo
  echo "Medians of $ROUNDS rounds; memory: the largest of the rounds.  dbkeeper_restore() phases: $phases."
done
