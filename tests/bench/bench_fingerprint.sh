#!/usr/bin/env bash
# Schema fingerprint benchmark: a schema of N tables (default 10,000), each
# with four columns, a primary key, an index and a foreign key to the table
# before it.
#   PostgreSQL: SELECT dbkeeper_fingerprint() against what a user runs
#               instead, pg_dump --schema-only | sha256sum.
#   SQLite:     SELECT dbkeeper_fingerprint() on the same schema.
# Best of 3 wall times.  dbkeeper's time on PostgreSQL is measured inside one
# session (\timing), after a first call has loaded the library; pg_dump's is
# the whole pipeline.  The install lock is held only around installing the
# extension and that one session.  DBK_BENCH_TABLES overrides N.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${DBK_BENCH_TABLES:-10000}
W=$(mktemp -d /tmp/dbk-bench-fp-XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"

# The schema, in SQL both engines accept.
{
  echo "BEGIN;"
  for i in $(seq 1 "$N"); do
    if [ "$i" -eq 1 ]; then ref=""; else ref=" REFERENCES t$((i - 1))(id) ON DELETE CASCADE"; fi
    echo "CREATE TABLE t$i (id integer PRIMARY KEY, parent integer$ref, name text NOT NULL, created date DEFAULT '2020-01-01');"
    echo "CREATE INDEX t${i}_name ON t$i (name);"
  done
  echo "COMMIT;"
} > "$W/schema.sql"

# SQLite.
sqlite3 "$W/bench.db" < "$W/schema.sql"
# One session: a first statement loads the schema (SQLite's cost of opening
# any database with this many objects, reported apart), then three calls.
load=$( { /usr/bin/time -f '%e' sqlite3 "$W/bench.db" "SELECT count(*) FROM pragma_table_xinfo('t1');" > /dev/null; } 2>&1 )
printf "SELECT count(*) FROM pragma_table_xinfo('t1');\n.timer on\nSELECT length(dbkeeper_fingerprint());\nSELECT length(dbkeeper_fingerprint());\nSELECT length(dbkeeper_fingerprint());\n" \
  | sqlite3 -cmd ".load $ROOT/sqlite_ext/dbkeeper" "$W/bench.db" > "$W/sqlite-timing.txt"
best=$(sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$W/sqlite-timing.txt" | sort -n | head -1)
sqlite_fp=$best

# PostgreSQL.
export W N ROOT
cat > "$W/pg.sh" <<'PG'
set -euo pipefail
createdb bench
psql -X -q -d bench -v ON_ERROR_STOP=1 -f "$W/schema.sql" > /dev/null
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N)
  pg_dump --schema-only -d bench | sha256sum > /dev/null
  e=$(date +%s.%N)
  t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
  if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
done
echo "pg_dump $best"
# Install and measure under the lock, in one session.
exec 9>/tmp/dbkeeper-pg.lock
flock 9
make -s -C "$ROOT/pg_ext" install > /dev/null
psql -X -qAt -d bench -v ON_ERROR_STOP=1 > "$W/timing.txt" <<SQL
CREATE EXTENSION dbkeeper;
SELECT length(dbkeeper_fingerprint());
\timing on
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
SELECT length(dbkeeper_fingerprint());
\timing off
SELECT 'objects ' || count(*) FROM dbkeeper_schema();
SQL
flock -u 9
echo "dbkeeper $(grep '^Time:' "$W/timing.txt" | sed 's/Time: \([0-9.]*\) ms.*/\1/' | sort -n | head -1 | awk '{ printf "%.3f", $1 / 1000 }')"
# Counted in the locked session: afterwards another checkout may have installed its build.
grep '^objects ' "$W/timing.txt"
PG
# pg_dump locks every table in one transaction, as does loading the schema.
pg_virtualenv -t -v 15 -o max_locks_per_transaction=1024 bash "$W/pg.sh" > "$W/pg.txt" 2>&1 || { cat "$W/pg.txt"; exit 1; }
pg_dump_t=$(sed -n 's/^pg_dump //p' "$W/pg.txt")
pg_fp=$(sed -n 's/^dbkeeper //p' "$W/pg.txt")
objects=$(sed -n 's/^objects //p' "$W/pg.txt")

echo "| engine | schema | method | time (s) | vs dbkeeper |"
echo "|---|---|---|---|---|"
awk -v n="$N" -v o="$objects" -v f="$pg_fp" -v d="$pg_dump_t" 'BEGIN {
  printf "| PostgreSQL 15 | %d tables (%d objects) | dbkeeper_fingerprint() | %.3f | 1.00x |\n", n, o, f
  printf "| PostgreSQL 15 | %d tables (%d objects) | pg_dump --schema-only \\| sha256sum | %.3f | %.1fx slower |\n", n, o, d, d / f }'
awk -v n="$N" -v f="$sqlite_fp" -v l="$load" -v v="$(sqlite3 --version | cut -d' ' -f1)" 'BEGIN {
  printf "| SQLite %s | %d tables | dbkeeper_fingerprint() on an open connection | %.3f | |\n", v, n, f
  printf "| SQLite %s | %d tables | (for scale: opening the database and loading its schema) | %.3f | |\n", v, n, l }'
