#!/usr/bin/env bash
# SQLite: what loading dbkeeper costs a connection, by the number of tables
# in the database (13, 100, 300), outside and during maintenance.  An
# application that opens a connection per request (Django's default) pays
# it on every request.  tests/bench/load_cost.c opens the database, loads
# the extension, runs a first query and closes it, alternating with the
# same without the extension; medians of DBK_BENCH_ROUNDS (default 400)
# rounds.  Three ways: "pinned", another connection of the process keeps the
# library loaded (a connection pool, a second thread); "closed", the
# process's only connection closes after each request, so SQLite unloads
# the extension (the library is linked to stay mapped, so this costs what
# "pinned" costs); "new process", each connection is the first of a new
# process (a cron line running the sqlite3 shell: fewer rounds), which pays
# for the dynamic loader mapping the library and libzstd.  Goal: at most
# 1 ms added at 300 tables outside maintenance, whatever the number of
# tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EXT=$ROOT/sqlite_ext/dbkeeper
W=${DBK_BENCH_DIR:-$ROOT/build/bench/sqlite-load}
ROUNDS=${DBK_BENCH_ROUNDS:-400}
mkdir -p "$W"
cc -O2 -o "$W/load_cost" tests/bench/load_cost.c -lsqlite3

make_db() {
  local f=$1 n=$2
  rm -f "$f"
  sqlite3 "$f" "$(for i in $(seq 1 "$n"); do
    printf 'CREATE TABLE t%d(id INTEGER PRIMARY KEY, patient INTEGER, at TEXT, note TEXT);' "$i"
    printf 'CREATE INDEX t%d_patient ON t%d(patient);' "$i" "$i"
  done)"
}

echo "| tables | maintenance | library | open + first query (µs) | with dbkeeper loaded (µs) | added by dbkeeper (µs) |"
echo "|---|---|---|---|---|---|"
for n in 13 100 300; do
  db=$W/tables$n.db
  make_db "$db" "$n"
  read -r a b d < <("$W/load_cost" "$db" "$EXT" "$ROUNDS" pinned)
  echo "| $n | off | pinned | $a | $b | **$d** |"
  read -r a b d < <("$W/load_cost" "$db" "$EXT" "$ROUNDS")
  echo "| $n | off | closed after each request | $a | $b | **$d** |"
  read -r a b d < <("$W/load_cost" "$db" "$EXT" "$(( (ROUNDS + 3) / 4 ))" fresh)
  echo "| $n | off | new process each time | $a | $b | $d |"
  sqlite3 "$db" ".load $EXT" "SELECT dbkeeper_maintenance_begin('bench')" >/dev/null
  read -r a b d < <("$W/load_cost" "$db" "$EXT" "$ROUNDS" pinned)
  echo "| $n | on (guard triggers made at load) | pinned | $a | $b | $d |"
done
echo
echo "Conditions: SQLite $(sqlite3 --version | cut -d' ' -f1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
