#!/usr/bin/env bash
# tests/bench/bench_pg_datasets.sh — dbkeeper on data like its users', not
# pgbench's (whose rows compress 190:1 behind a schema of four tables):
#
#   schema   a schema-heavy database with little data
#            (tests/bench/gen_schema_heavy.sql: DBK_BENCH_TABLES tables,
#            default 300; DBK_BENCH_FUNCTIONS functions, 500;
#            DBK_BENCH_TRIGGERS triggers, 450; DBK_BENCH_VIEWS views, 100)
#   clinical text-heavy clinical records (tests/bench/gen_clinical.sql:
#            DBK_BENCH_PATIENTS patients, default 20000, about 14 kB each
#            on disk; free-text notes make its dump compress about 3:1)
#   pgbench  pgbench's tables at scale DBK_BENCH_SCALE (default 10): rows
#            that compress 190:1 behind four tables
#
# DBK_BENCH_DATASETS picks them (default "schema clinical").
# DBK_BENCH_PARTS picks what is measured (default "backup restore
# fingerprint"): "restore" alone still takes one dbkeeper_backup() and one
# pg_dump -Fc per round, unmeasured, for the restores to read.
# DBK_BENCH_RESTORE_VARIANT="SET ..." adds one more restore method, run in
# each round after those statements in its session; DBK_BENCH_BACKUP_VARIANT
# one more backup method the same way (for example "SET max_parallel_workers
# = 0": the backup without its parallel worker).  For each:
# backups by SELECT dbkeeper_backup(), pg_dump | zstd -3, pg_dump -Fc and
# pg_dump -Fd -j 2 (gzip: PostgreSQL 15's pg_dump has no zstd); restores by
# SELECT dbkeeper_restore() of that backup in place (its check of the file
# and its safety backup included), zstd -dc | psql --single-transaction of
# the same file into an empty database, and pg_restore -j 2 of the -Fc dump
# into an empty database.  DBK_BENCH_ROUNDS rounds (default 3) run every
# method one after the other; the tables give medians, ratios against
# dbkeeper, the CPU time each method cost (the cluster's processes and the
# client programs together: on a busy machine the ratio to read), sizes,
# and the backends' memory (as bench_pg_backup.sh).  Each
# round also times SELECT dbkeeper_fingerprint() against pg_dump -s | sha256sum.
#
# DBK_BENCH_PROFILE=1 adds where a backup's catalog work goes on the schema
# dataset: one more dbkeeper_backup() with auto_explain logging every
# query it runs (log_nested_statements), summed by query.
#
# dbkeeper_restore() needs the extension installed.  So that the benchmark
# neither holds the machine's install lock nor tests another checkout's
# build, the server runs from a private copy of PostgreSQL's directories
# (PostgreSQL finds its share and lib directories relative to its binary)
# into which this build is installed with DESTDIR.  Work is niced.  Prints
# Markdown tables; never asserts.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
DATASETS=${DBK_BENCH_DATASETS:-schema clinical}
PARTS=" ${DBK_BENCH_PARTS:-backup restore fingerprint} "
ROUNDS=${DBK_BENCH_ROUNDS:-3}
# part NAME: whether DBK_BENCH_PARTS asks for NAME
part() { [[ $PARTS == *" $1 "* ]]; }
. tests/bench/pg_bench.sh
bench_cluster_init datasets
# Everything, the server started below included, runs niced: the machine is shared.
renice -n 10 -p $$ >/dev/null

bench_private_install
bench_cluster_start

# cluster_cpu: CPU seconds used so far by the cluster: its live processes,
# and, through the postmaster's children times, the backends and parallel
# workers that have exited
cluster_cpu() {
  local pm
  pm=$(head -1 "$WORK/data/postmaster.pid")
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" -v hz="$(getconf CLK_TCK)" '
    { i = index($0, ") "); split(substr($0, i + 2), x, " ")
      if ($1 == pm || x[2] == pm) t += x[12] + x[13]; if ($1 == pm) t += x[14] + x[15] }
    END { printf "%.2f\n", t / hz }'
}

# measure NAME DB OUTPUT RESULTS CMD...: runs CMD, records in
# $WORK/RESULTS its time, the size of OUTPUT (a file or directory; "-" for
# none), DB's backends' memory, and the CPU time it cost: the cluster's
# (cluster_cpu) and CMD's own processes' (psql, zstd, pg_dump, pg_restore),
# the work a method does, which a busy machine does not inflate as it does
# the wall time
measure() {
  local name=$1 db=$2 output=$3 results=$4 t0 t1 c0 c1 sampler size=0 TIMEFORMAT='%U %S'
  shift 4
  [ "$output" != - ] && rm -rf "$output"
  echo "0 0" >"$WORK/mem"
  sample_memory "$db" "$WORK/mem" &
  sampler=$!
  c0=$(cluster_cpu)
  t0=$(date +%s.%N)
  { time "$@" >"$WORK/out" 2>"$WORK/err" || echo "$name failed: $(tail -3 "$WORK/err")" >&2; } 2>"$WORK/time"
  t1=$(date +%s.%N)
  kill $sampler; wait $sampler 2>/dev/null
  c1=$(cluster_cpu)
  read -r anon hwm <"$WORK/mem"
  [ "$output" != - ] && size=$(find -L "$output" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  printf '%s\t%.3f\t%s\t%s\t%s\t%.2f\n' "$name" "$(echo "$t1 - $t0" | bc -l)" "$size" "$anon" "$hwm" \
    "$(tail -1 "$WORK/time" | awk -v c="$(echo "$c1 - $c0" | bc -l)" '{ print c + $1 + $2 }')" >>"$WORK/$results"
}

dbkeeper_backup() {
  psql -X -At -d bench -c "SELECT dbkeeper_backup('bench')" >"$WORK/name" &&
    ln -sf "$WORK/backups/$(cat "$WORK/name")" "$WORK/out.dbk"
}
# a backup after DBK_BENCH_BACKUP_VARIANT's statements (SET ...) in its session
dbkeeper_backup_variant() {
  psql -X -At -d bench -c "$DBK_BENCH_BACKUP_VARIANT" -c "SELECT dbkeeper_backup('bench')" >/dev/null
}
# the same, after DBK_BENCH_RESTORE_VARIANT's statements (SET ...) in its session: one
# more method, interleaved with the others, to measure a setting's effect
dbkeeper_restore_variant() {
  psql -X -At -d bench -c "$DBK_BENCH_RESTORE_VARIANT" -c "SELECT dbkeeper_restore('$(cat "$WORK/name")')"
}
plain_zstd() { pg_dump -d bench | zstd -3 -q -o "$WORK/out.sql.zst"; }
dbkeeper_restore() {
  psql -X -At -d bench -c "SET client_min_messages = debug1" -c "SELECT dbkeeper_restore('$(cat "$WORK/name")')"
}
psql_replay() { zstd -dc <"$WORK/out.dbk" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d bench_psql; }
# the schema fingerprint against what a user runs instead (both with their client's start)
fingerprint() { psql -X -At -d bench -c "SELECT dbkeeper_fingerprint()"; }
dump_sha256() { pg_dump -s -d bench | sha256sum; }

# table FILE: medians per method of FILE's rows, as a Markdown table with
# ratios against the first method
table() {
  local f=$1
  paste <(median_by_key <(cut -f1,2 "$f")) <(median_by_key <(cut -f1,3 "$f") | cut -f2) \
        <(median_by_key <(cut -f1,4 "$f") | cut -f2) <(median_by_key <(cut -f1,5 "$f") | cut -f2) \
        <(awk -F'\t' '!($1 in r) { order[++k] = $1 } { r[$1] = r[$1] " " sprintf("%.2f", $2) }
                      END { for (i = 1; i <= k; i++) print r[order[i]] }' "$f") \
        <(median_by_key <(cut -f1,6 "$f") | cut -f2) >"$f.medians"
  echo "| method | wall time | vs dbkeeper | CPU time | CPU vs dbkeeper | output | size vs dbkeeper | backend RssAnon peak | backend VmHWM | every run (s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  IFS=$'\t' read -r _ base_t base_s _ _ _ base_c < <(head -1 "$f.medians")
  while IFS=$'\t' read -r name secs size anon hwm runs cpu; do
    printf '| %s | %.2f s | %.2f× | %.2f s | %.2f× |' "$name" "$secs" "$(echo "$secs / $base_t" | bc -l)" \
      "$cpu" "$(echo "$cpu / ($base_c + 0.001)" | bc -l)"
    if [ "$size" = 0 ]; then
      printf ' | |'
    else
      printf ' %.2f MB | %.2f× |' "$(echo "$size / 1048576" | bc -l)" "$(echo "$size / $base_s" | bc -l)"
    fi
    printf ' %.1f MB | %.1f MB |%s |\n' "$(echo "$anon / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)" "$runs"
  done <"$f.medians"
}

# profile: one backup with every query it runs logged with its duration;
# the 12 costliest queries, summed over their runs
profile() {
  local from t0 t1
  from=$(stat -c %s "$WORK/log")
  t0=$(date +%s.%N)
  psql -X -q -At -d bench -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
    -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_format = json" \
    -c "SELECT dbkeeper_backup('profile')" >/dev/null
  t1=$(date +%s.%N)
  tail -c +"$((from + 1))" "$WORK/log" >"$WORK/profile.log"
  echo
  echo "Where one dbkeeper_backup() of it spends its queries' time ($(echo "$t1 - $t0" | bc -l | xargs printf '%.2f') s in all, with auto_explain logging; executor time of each query, summed over its runs):"
  echo
  echo "| ms | runs | query (first 110 characters) |"
  echo "|---:|---:|---|"
  awk '/duration: [0-9.]+ ms/ { match($0, /duration: [0-9.]+/); d = substr($0, RSTART + 10, RLENGTH - 10); want = 1; next }
       want && /"Query Text":/ { q = $0; sub(/.*"Query Text": "/, "", q); sub(/",$/, "", q); gsub(/\\n/, " ", q);
                                 gsub(/  +/, " ", q); q = substr(q, 1, 110); want = 0
                                 if (q ~ /^SELECT dbkeeper_backup\(/) { q = "(the whole backup: " q ")" } else total += d
                                 t[q] += d; n[q]++ }
       END { for (q in t) printf "%.1f\t%d\t%s\n", t[q], n[q], q; printf "%.1f\t\t(the queries below, all)\n", total }' \
    "$WORK/profile.log" | sort -t$'\t' -k1,1 -rn | head -14 |
    awk -F'\t' '{ gsub(/\|/, "\\|", $3); printf "| %s | %s | `%s` |\n", $1, $2, $3 }'
}

load_dataset() {
  case $1 in
    schema)
      psql -X -q -d bench -v tables="${DBK_BENCH_TABLES:-300}" -v functions="${DBK_BENCH_FUNCTIONS:-500}" \
        -v triggers="${DBK_BENCH_TRIGGERS:-450}" -v views="${DBK_BENCH_VIEWS:-100}" \
        -f tests/bench/gen_schema_heavy.sql >/dev/null
      what="schema-heavy: $(psql -X -At -d bench -c "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'clin') || ' tables, '
        || (SELECT count(*) FROM pg_proc WHERE pronamespace IN ('clin'::regnamespace, 'audit'::regnamespace)) || ' functions, '
        || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal) || ' triggers, '
        || (SELECT count(*) FROM pg_views WHERE schemaname = 'clin') || ' views'")" ;;
    clinical)
      psql -X -q -d bench -v patients="${DBK_BENCH_PATIENTS:-20000}" -f tests/bench/gen_clinical.sql >/dev/null
      what="text-heavy clinical records: ${DBK_BENCH_PATIENTS:-20000} patients" ;;
    pgbench)
      pgbench -q -i -s "${DBK_BENCH_SCALE:-10}" bench >/dev/null 2>&1
      what="pgbench scale ${DBK_BENCH_SCALE:-10}" ;;
  esac
}

for dataset in $DATASETS; do
  for db in bench bench_psql bench_pgr; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  createdb bench
  load_dataset "$dataset"
  psql -X -q -d bench -c "CREATE EXTENSION dbkeeper" -c "VACUUM ANALYZE"
  dbsize=$(psql -X -At -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")
  pg_dump -d bench | wc -c >"$WORK/plain_bytes"
  : >"$WORK/backup"
  : >"$WORK/restore"
  : >"$WORK/phases"
  : >"$WORK/fingerprint"
  for _ in $(seq "$ROUNDS"); do
    if part fingerprint; then
      measure "SELECT dbkeeper_fingerprint()" bench - fingerprint fingerprint
      measure "pg_dump -s \\| sha256sum" bench - fingerprint dump_sha256
    fi
    rm -rf "$WORK/backups" "$WORK/out.dump" "$WORK/out.dir"
    psql -X -q -c CHECKPOINT
    if part backup; then
      measure "SELECT dbkeeper_backup()" bench "$WORK/out.dbk" backup dbkeeper_backup
      [ -n "${DBK_BENCH_BACKUP_VARIANT:-}" ] &&
        measure "dbkeeper_backup() after $DBK_BENCH_BACKUP_VARIANT" bench - backup dbkeeper_backup_variant
      measure "pg_dump \\| zstd -3" bench "$WORK/out.sql.zst" backup plain_zstd
      measure "pg_dump -Fc" bench "$WORK/out.dump" backup pg_dump -Fc -d bench -f "$WORK/out.dump"
      measure "pg_dump -Fd -j 2 (gzip)" bench "$WORK/out.dir" backup pg_dump -Fd -j 2 -d bench -f "$WORK/out.dir"
    else
      dbkeeper_backup && pg_dump -Fc -d bench -f "$WORK/out.dump" || { echo "backup failed" >&2; exit 1; }
    fi
    part restore || continue
    for db in bench_psql bench_pgr; do dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"; done
    # the previous round's restore left the old objects' catalog rows dead:
    # vacuumed here, unmeasured, not by an autovacuum worker inside a later
    # measurement
    psql -X -q -d bench -c VACUUM
    psql -X -q -c CHECKPOINT
    measure "SELECT dbkeeper_restore()" bench - restore dbkeeper_restore
    restore_phases "$WORK/err" >>"$WORK/phases"
    if [ -n "${DBK_BENCH_RESTORE_VARIANT:-}" ]; then
      psql -X -q -c CHECKPOINT
      measure "dbkeeper_restore() after $DBK_BENCH_RESTORE_VARIANT" bench - restore dbkeeper_restore_variant
    fi
    psql -X -q -c CHECKPOINT
    measure "zstd -dc \\| psql --single-transaction" bench_psql - restore psql_replay
    psql -X -q -c CHECKPOINT
    measure "pg_restore -j 2 (of pg_dump -Fc)" bench_pgr - restore pg_restore -j 2 -d bench_pgr "$WORK/out.dump"
  done
  # The last round's restores must hold what the database holds.
  rows="SELECT count(*) || ' tables, ' || coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
          schemaname, relname), false, true, '')))[1]::text::bigint), 0) || ' rows' FROM pg_stat_user_tables"
  for db in bench_psql bench_pgr; do
    part restore || break
    [ "$(psql -X -At -d "$db" -c "$rows")" = "$(psql -X -At -d bench -c "$rows")" ] ||
      echo "warning: $db does not hold what bench holds: $(psql -X -At -d "$db" -c "$rows"), not $(psql -X -At -d bench -c "$rows")" >&2
  done
  echo
  echo "$what (database $dbsize, $(psql -X -At -d bench -c "$rows"), plain dump $(echo "$(cat "$WORK/plain_bytes") / 1048576" | bc -l | xargs printf '%.1f') MB), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d), median of $ROUNDS interleaved rounds."
  echo
  if part backup; then
    echo "Backup:"
    echo
    table "$WORK/backup"
    echo
  fi
  if part restore; then
    echo "Restore (dbkeeper_restore() includes its check of the file and its safety backup):"
    echo
    table "$WORK/restore"
    echo
  fi
  if part fingerprint; then
    echo "Schema fingerprint (psql's and pg_dump's start included):"
    echo
    table "$WORK/fingerprint"
    echo
  fi
  part restore && echo "dbkeeper_restore()'s phases (medians, from its DEBUG1 timings; CPU: the backend's threads together): $(paste \
    <(median_by_key <(cut -f1,2 "$WORK/phases")) <(median_by_key <(cut -f1,3 "$WORK/phases") | cut -f2) |
    awk -F'\t' '{ printf "%s%s %s ms (%s ms CPU)", (NR > 1 ? "; " : ""), $1, $2, $3 }')."
  [ "$dataset" = schema ] && [ "${DBK_BENCH_PROFILE:-0}" = 1 ] && profile
done
exit 0
