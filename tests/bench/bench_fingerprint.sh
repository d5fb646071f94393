#!/usr/bin/env bash
# Schema fingerprint benchmark: a schema of N tables (default 10,000), each
# with four columns, a primary key, an index and a foreign key to the table
# before it.
#   PostgreSQL: SELECT dbkeeper_fingerprint() against what a user runs
#               instead, pg_dump --schema-only | sha256sum.
#   SQLite:     SELECT dbkeeper_fingerprint() on the same schema.
# SQLite: best of 3 wall times.  PostgreSQL: DBK_BENCH_ROUNDS (default 5)
# interleaved rounds of pg_dump's whole pipeline and of a psql session whose
# first call loads the library and whose next three are timed (\timing, the
# median of the three counts); the medians over the rounds are reported,
# with their spread, so that load from other work on the machine falls on
# both alike.  The install lock is held from installing the extension to
# the last round.  DBK_BENCH_TABLES overrides N.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${DBK_BENCH_TABLES:-10000}
ROUNDS=${DBK_BENCH_ROUNDS:-5}
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
export W N ROOT ROUNDS
cat > "$W/pg.sh" <<'PG'
set -euo pipefail
createdb bench
psql -X -q -d bench -v ON_ERROR_STOP=1 -f "$W/schema.sql" > /dev/null
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }
# Install and measure under the lock.
exec 9>/tmp/dbkeeper-pg.lock
flock 9
make -s -C "$ROOT/pg_ext" install > /dev/null
psql -X -qAt -d bench -v ON_ERROR_STOP=1 -c "CREATE EXTENSION dbkeeper;"
: > "$W/dump-times.txt"
: > "$W/fp-times.txt"
for _ in $(seq 1 "$ROUNDS"); do
  s=$(date +%s.%N)
  pg_dump --schema-only -d bench | sha256sum > /dev/null
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }' >> "$W/dump-times.txt"
  printf 'SELECT length(dbkeeper_fingerprint());\n\\timing on\nSELECT length(dbkeeper_fingerprint());\nSELECT length(dbkeeper_fingerprint());\nSELECT length(dbkeeper_fingerprint());\n' \
    | psql -X -qAt -d bench -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' \
    | awk '{ print $1 / 1000 }' | median >> "$W/fp-times.txt"
  echo >> "$W/fp-times.txt"
done
# Counted in the locked session: afterwards another checkout may have installed its build.
echo "objects $(psql -X -qAt -d bench -c "SELECT count(*) FROM dbkeeper_schema();")"
flock -u 9
echo "pg_dump $(median < "$W/dump-times.txt") $(spread < "$W/dump-times.txt")"
echo "dbkeeper $(median < "$W/fp-times.txt") $(spread < "$W/fp-times.txt")"
PG
# pg_dump locks every table in one transaction, as does loading the schema.
pg_virtualenv -t -v 15 -o max_locks_per_transaction=1024 bash "$W/pg.sh" > "$W/pg.txt" 2>&1 || { cat "$W/pg.txt"; exit 1; }
pg_dump_t=$(sed -n 's/^pg_dump \([^ ]*\) .*/\1/p' "$W/pg.txt")
pg_dump_spread=$(sed -n 's/^pg_dump [^ ]* //p' "$W/pg.txt")
pg_fp=$(sed -n 's/^dbkeeper \([^ ]*\) .*/\1/p' "$W/pg.txt")
pg_fp_spread=$(sed -n 's/^dbkeeper [^ ]* //p' "$W/pg.txt")
objects=$(sed -n 's/^objects //p' "$W/pg.txt")

echo "| engine | schema | method | time (s) | vs dbkeeper |"
echo "|---|---|---|---|---|"
awk -v n="$N" -v o="$objects" -v f="$pg_fp" -v d="$pg_dump_t" -v fs="$pg_fp_spread" -v ds="$pg_dump_spread" -v r="$ROUNDS" 'BEGIN {
  printf "| PostgreSQL 15 | %d tables (%d objects) | dbkeeper_fingerprint() (median of %d rounds; range %s) | %.3f | 1.00x |\n", n, o, r, fs, f
  printf "| PostgreSQL 15 | %d tables (%d objects) | pg_dump --schema-only \\| sha256sum (median of %d rounds; range %s) | %.3f | %.1fx slower |\n", n, o, r, ds, d, d / f }'
awk -v n="$N" -v f="$sqlite_fp" -v l="$load" -v v="$(sqlite3 --version | cut -d' ' -f1)" 'BEGIN {
  printf "| SQLite %s | %d tables | dbkeeper_fingerprint() on an open connection | %.3f | |\n", v, n, f
  printf "| SQLite %s | %d tables | (for scale: opening the database and loading its schema) | %.3f | |\n", v, n, l }'
