#!/usr/bin/env bash
# SQLite backup benchmark: dbkeeper_backup() against what people run today,
#   sqlite3 db ".backup f" && zstd -3 f
#   sqlite3 db "VACUUM INTO 'f'" && zstd -3 f
# on the same database (100 MB and 1 GB), with the page cache warm for all.
# Reports the best of 3 wall times, the output size and the peak resident
# memory of the process (for the pipelines, the larger of their two steps).
# DBK_BENCH_SIZES overrides the sizes in MB (e.g. "20 50" for a quick look).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EXT=$ROOT/sqlite_ext/dbkeeper
W=${DBK_BENCH_DIR:-$ROOT/build/bench/sqlite}
SIZES=${DBK_BENCH_SIZES:-"100 1000"}
RUNS=3
mkdir -p "$W"

# make_db FILE MB: patient-like rows, about as compressible as real records.
make_db() {
  local f=$1 mb=$2
  [ -f "$f" ] && return
  sqlite3 "$f" "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;
    CREATE TABLE visit(id INTEGER PRIMARY KEY, patient INTEGER, at TEXT, code TEXT, note TEXT);
    CREATE INDEX visit_patient ON visit(patient);
    INSERT INTO visit SELECT value, abs(random()) % 500000,
      datetime(1500000000 + value * 37, 'unixepoch'), 'C' || (abs(random()) % 9000),
      printf('seen by dr %d; %s; bp %d/%d', abs(random()) % 300, hex(randomblob(24)),
             100 + abs(random()) % 60, 60 + abs(random()) % 40)
    FROM generate_series(1, $((mb * 1024 * 1024 / 120)));
    PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;" > /dev/null
}

# measure NAME CMD: best wall seconds and max RSS (KiB) over RUNS runs.
measure() {
  local best="" rss=0 t m
  for _ in $(seq $RUNS); do
    eval "$PREP"
    /usr/bin/time -f '%e %M' -o "$W/time.txt" bash -c "$1" > /dev/null 2> "$W/err.txt" || { cat "$W/err.txt"; return 1; }
    read -r t m < "$W/time.txt"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$best $rss"
}

echo "| database | method | time (s) | output (MB) | peak memory (MB) | time vs dbkeeper |"
echo "|---|---|---|---|---|---|"
for mb in $SIZES; do
  db=$W/db$mb.db
  make_db "$db" "$mb"
  cat "$db" > /dev/null   # warm the page cache
  dbsize=$(awk -v b="$(stat -c %s "$db")" 'BEGIN { printf "%.0f", b / 1048576 }')

  PREP="rm -rf '$W/bk'; mkdir -m 700 '$W/bk'"
  read -r t_dbk m_dbk < <(measure "DBKEEPER_BACKUP_DIR='$W/bk' sqlite3 '$db' '.load $EXT' 'SELECT dbkeeper_config(\"keep_backups\", 0);' 'SELECT dbkeeper_backup();'")
  s_dbk=$(find "$W/bk" -name '*.sqlite3.zst' -type f -exec stat -c %s {} +)

  PREP="rm -f '$W/copy.db' '$W/copy.db.zst'"
  read -r t_b m_b < <(measure "sqlite3 '$db' \".backup '$W/copy.db'\" && zstd -q -3 '$W/copy.db' -o '$W/copy.db.zst'")
  s_b=$(stat -c %s "$W/copy.db.zst")

  PREP="rm -f '$W/vac.db' '$W/vac.db.zst'"
  read -r t_v m_v < <(measure "sqlite3 '$db' \"VACUUM INTO '$W/vac.db'\" && zstd -q -3 '$W/vac.db' -o '$W/vac.db.zst'")
  s_v=$(stat -c %s "$W/vac.db.zst")

  row() {  # name time rss size
    awk -v db="$dbsize" -v n="$1" -v t="$2" -v m="$3" -v s="$4" -v ref="$t_dbk" \
      'BEGIN { printf "| %s MB | %s | %.2f | %.1f | %.1f | %.2fx |\n", db, n, t, s / 1048576, m / 1024, t / ref }'
  }
  row "dbkeeper_backup()" "$t_dbk" "$m_dbk" "$s_dbk"
  row "sqlite3 .backup + zstd -3" "$t_b" "$m_b" "$s_b"
  row "VACUUM INTO + zstd -3" "$t_v" "$m_v" "$s_v"
done
echo
echo "time vs dbkeeper: above 1.00x means the alternative is slower than dbkeeper_backup()."
rm -rf "$W/bk" "$W/copy.db" "$W/copy.db.zst" "$W/vac.db" "$W/vac.db.zst"
