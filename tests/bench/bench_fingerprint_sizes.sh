#!/usr/bin/env bash
# The PostgreSQL schema fingerprint against `pg_dump -s | sha256sum` at 100,
# 2,000 and 10,000 tables (DBK_BENCH_SIZES), counted in CPU time, which the
# load of a shared machine does not inflate as it does wall time.  The
# schema is bench_fingerprint.sh's: four columns, a primary key, an index and
# a foreign key per table.
#   pg_dump:  pg_dump's and sha256sum's user and system time, plus its
#             backend's (the postmaster's reaped children's time, ticks of
#             10 ms: autovacuum is off, so nothing else exits meanwhile);
#   fingerprint, fresh: the first SELECT dbkeeper_fingerprint() of a new
#             session (filling the backend's caches; with DBK_BENCH_PRELOAD=0
#             also loading the library),
#             by the backend's /proc/<pid>/schedstat (nanoseconds);
#   fingerprint, warm: the mean of the next five calls of that session.
# DBK_BENCH_ROUNDS rounds (default 3), medians.  The server runs from a
# private copy of PostgreSQL's directories into which this build is
# installed (as bench_pg_datasets.sh does), niced.  Prints a Markdown table.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
SIZES=${DBK_BENCH_SIZES:-100 2000 10000}
ROUNDS=${DBK_BENCH_ROUNDS:-3}
. tests/bench/pg_bench.sh
bench_cluster_init fpsizes
renice -n 10 -p $$ >/dev/null
bench_private_install
bench_cluster_start
bench_fingerprint_server

# children(): the postmaster's processes; pg_dump's backend is reaped (its time
# added to the postmaster's) only some time after pg_dump exits, so the count
# must be back where it was before its time is read
children() { ps -o pid= --ppid "$PM" | wc -l; }
reaped() { awk -v hz="$HZ" '{ i = index($0, ") "); split(substr($0, i + 2), x, " "); print (x[14] + x[15]) / hz }' "/proc/$PM/stat"; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| tables (rows) | pg_dump -s \| sha256sum, CPU | fingerprint, fresh session | ratio | fingerprint, warm | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for n in $SIZES; do
  createdb "b$n"
  { echo "BEGIN;"
    for i in $(seq 1 "$n"); do
      if [ "$i" -eq 1 ]; then ref=""; else ref=" REFERENCES t$((i - 1))(id) ON DELETE CASCADE"; fi
      echo "CREATE TABLE t$i (id integer PRIMARY KEY, parent integer$ref, name text NOT NULL, created date DEFAULT '2020-01-01');"
      echo "CREATE INDEX t${i}_name ON t$i (name);"
    done
    echo "COMMIT;"; } | psql -X -q -d "b$n" -v ON_ERROR_STOP=1 >/dev/null
  psql -X -q -d "b$n" -c "CREATE EXTENSION dbkeeper" -c "VACUUM ANALYZE" >/dev/null
  rows=$(psql -X -qAt -d "b$n" -c "SELECT count(*) FROM dbkeeper_schema()")
  : >"$WORK/dump" ; : >"$WORK/fresh"; : >"$WORK/warm"
  for _ in $(seq 1 "$ROUNDS"); do
    n0=$(children)
    k0=$(reaped)
    c=$( { /usr/bin/time -f '%U %S' bash -c "pg_dump -s -d b$n | sha256sum >/dev/null"; } 2>&1 | awk '{ print $1 + $2 }')
    for _ in $(seq 1 500); do [ "$(children)" -le "$n0" ] && break; sleep 0.01; done
    k1=$(reaped)
    awk -v c="$c" -v a="$k0" -v b="$k1" 'BEGIN { print c + b - a }' >>"$WORK/dump"
    out=$(psql -X -qAt -d "b$n" -v ON_ERROR_STOP=1 <<'SQL'
SELECT pg_backend_pid() AS pid \gset
\setenv DBK_PID :pid
\! awk '{ print "s0", $1 }' /proc/$DBK_PID/schedstat
SELECT length(dbkeeper_fingerprint());
\! awk '{ print "s1", $1 }' /proc/$DBK_PID/schedstat
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
\! awk '{ print "s2", $1 }' /proc/$DBK_PID/schedstat
SQL
)
    echo "$out" | awk '$1 == "s0" { a = $2 } $1 == "s1" { b = $2 } END { print (b - a) / 1e9 }' >>"$WORK/fresh"
    echo "$out" | awk '$1 == "s1" { a = $2 } $1 == "s2" { b = $2 } END { print (b - a) / 5e9 }' >>"$WORK/warm"
  done
  d=$(median <"$WORK/dump"); f=$(median <"$WORK/fresh"); w=$(median <"$WORK/warm")
  awk -v n="$n" -v r="$rows" -v d="$d" -v f="$f" -v w="$w" 'BEGIN {
    printf "| %d (%d) | %.3f s | %.3f s | %.1fx | %.3f s | %.1fx |\n", n, r, d, f, d / f, w, d / w }'
  dropdb "b$n"
done
