#!/usr/bin/env bash
# SQLite: what a backup costs an application's writer, in WAL and in
# rollback-journal (DELETE) mode.  A ~200 MB database; a writer process
# (tests/bench/writer_latency.c) commits a small transaction every 2 ms
# with a 10 s busy timeout while another process runs dbkeeper_backup();
# reported: the writer's slowest commit and its 99th percentile during the
# backup, and how long the backup took.  README "SQLite backups" quotes it.
# DBK_BENCH_MB sets the size (default 200).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EXT=$ROOT/sqlite_ext/dbkeeper
W=${DBK_BENCH_DIR:-$ROOT/build/bench/sqlite-latency}
MB=${DBK_BENCH_MB:-200}
mkdir -p "$W"
cc -O2 -o "$W/writer_latency" tests/bench/writer_latency.c -lsqlite3

echo "| journal mode | database (MB) | backup (s) | writer commits (from 1 s before the backup to its end) | slowest commit (ms) | 99th percentile (ms) |"
echo "|---|---|---|---|---|---|"
for mode in WAL DELETE; do
  db=$W/latency-$mode.db
  rm -rf "$db" "$db-wal" "$db-shm" "$W/bk" "$W/stop"
  mkdir -m 700 "$W/bk"
  sqlite3 "$db" "PRAGMA journal_mode=$mode;
    CREATE TABLE visit(id INTEGER PRIMARY KEY, patient INTEGER, at TEXT, note TEXT);
    INSERT INTO visit SELECT value, abs(random()) % 500000, datetime(1500000000 + value * 37, 'unixepoch'),
      hex(randomblob(40)) FROM generate_series(1, $((MB * 1024 * 1024 / 130)));" >/dev/null
  cat "$db" >/dev/null
  "$W/writer_latency" "$db" "$W/stop" > "$W/writer.out" &
  writer=$!
  sleep 1
  start=$(date +%s.%N)
  DBKEEPER_BACKUP_DIR=$W/bk sqlite3 "$db" ".load $EXT" "SELECT dbkeeper_backup()" >/dev/null
  end=$(date +%s.%N)
  touch "$W/stop"
  wait $writer
  read -r commits max p99 < "$W/writer.out"
  printf '| %s | %s | %.1f | %s | %s | %s |\n' "$mode" "$(( $(stat -c %s "$db") / 1048576 ))" \
    "$(echo "$end - $start" | bc)" "$commits" "$max" "$p99"
done
echo
echo "Conditions: SQLite $(sqlite3 --version | cut -d' ' -f1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
