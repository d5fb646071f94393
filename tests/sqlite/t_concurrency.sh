#!/usr/bin/env bash
# Backups and restores while another process commits transfers between
# accounts (the total never changes), in WAL and in rollback-journal mode:
#  - every backup restores to a database whose total holds;
#  - backups taken at different moments hold different numbers of transfers
#    (the writer really ran during them);
#  - the safety backup of a restore holds every transfer committed before
#    the restore: the writer prints its transfer counter inside each
#    transaction, and the last number printed before the restore reset it
#    must be the counter found in the safety backup.
. "$(dirname "$0")/lib.sh"

if [ "$DBK_HEAVY" = 1 ]; then ROWS=100000; else ROWS=10000; fi
TOTAL=$((ROWS * 100))

# write_transfers PAUSE: a long stream of transfers, the counter printed
# inside each transaction; with PAUSE=1 the writer sleeps 5 ms after every
# 20th.  SQLite's locks have no queue: in rollback-journal mode a writer
# that never pauses leaves gaps of microseconds between its transactions,
# and on a loaded machine the restore, which needs one such gap to take the
# write lock, can miss every one of them for its whole wait (it then fails
# with "stayed locked", as t_messages.sh tests).  Applications pause between
# requests; the rollback-mode writer here does too, now and then.
write_transfers() {
  awk -v rows="$ROWS" -v pause="$1" 'BEGIN { srand(7); print ".timeout 20000";
    for (i = 0; i < 400000; i++) {
      a = int(rand() * rows) + 1; b = int(rand() * rows) + 1; m = int(rand() * 50) + 1;
      printf "BEGIN IMMEDIATE; UPDATE acct SET bal = bal - %d WHERE id = %d; UPDATE acct SET bal = bal + %d WHERE id = %d; UPDATE counter SET n = n + 1; SELECT n FROM counter; COMMIT;\n", m, a, m, b
      if (pause && i % 20 == 19) print ".shell sleep 0.005" } }'
}
write_transfers 0 > transfers-WAL.sql
write_transfers 1 > transfers-DELETE.sql

run_mode() {
  local mode=$1 db=bank-$1.db names=() counts=() i n during=1
  sqlite3 "$db" "PRAGMA journal_mode=$mode;
    CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad BLOB);
    INSERT INTO acct SELECT value, 100, randomblob(300) FROM generate_series(1, $ROWS);
    CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0);" > /dev/null
  sqlite3 "$db" < "transfers-$mode.sql" > "writer-$mode.log" 2> "writer-$mode.err" &
  local writer=$!
  sleep 0.5
  for i in 1 2 3; do
    kill -0 $writer 2>/dev/null || during=0
    n=$(sq "$db" ".timeout 20000" "SELECT dbkeeper_backup('during$i');")
    kill -0 $writer 2>/dev/null || during=0
    names+=("$n")
    sleep 0.3
  done
  check "$mode/writer-ran" "the writer was running during every backup" "$during" 1

  # The safety backup holds every committed transfer.
  local safety before_restore after_first
  safety=$(sq "$db" ".timeout 20000" "SELECT dbkeeper_restore('${names[0]}');")
  local safety_n restored_n
  restored_n=$(zstd -q -d -c "dbkeeper-backups/${names[0]}" | { cat > "first-$mode.db"; sqlite3 "first-$mode.db" "SELECT n FROM counter;"; })
  # The writer is stopped once it has gone on from the restored state (its
  # next number printed a second time), or after 30 s.
  for _ in $(seq 1 300); do
    [ "$(grep -c "^$((restored_n + 1))\$" "writer-$mode.log")" -ge 2 ] && break
    kill -0 $writer 2>/dev/null || break
    sleep 0.1
  done
  kill $writer 2>/dev/null
  wait $writer 2>/dev/null
  zstd -q -d -c "dbkeeper-backups/$safety" > "safety-$mode.db"
  safety_n=$(sqlite3 "safety-$mode.db" "SELECT n FROM counter;")
  # The writer's numbers rise, then fall back to restored_n + 1 after the restore.
  before_restore=$(awk -v r="$restored_n" 'prev != "" && $1 == r + 1 && $1 < prev { print prev; exit } { prev = $1 }' "writer-$mode.log")
  check "$mode/safety-complete" "the safety backup holds every transfer committed before the restore" \
    "$safety_n" "${before_restore:-none}"
  check "$mode/writer-continued" "the writer went on from the restored state" \
    "$(grep -c "^$((restored_n + 1))\$" "writer-$mode.log")" 2

  for i in 0 1 2; do
    zstd -q -d -c "dbkeeper-backups/${names[$i]}" > "copy-$mode-$i.db"
    counts+=("$(sqlite3 "copy-$mode-$i.db" "SELECT n FROM counter;")")
    check "$mode/backup$i-total" "backup $i: the total holds" \
      "$(sqlite3 "copy-$mode-$i.db" "SELECT sum(bal), (SELECT count(*) FROM acct) FROM acct; PRAGMA integrity_check;" | tr '\n' ' ')" \
      "$TOTAL|$ROWS ok "
  done
  check "$mode/backups-differ" "the three backups hold different numbers of transfers" \
    "$(printf '%s\n' "${counts[@]}" | sort -u | wc -l)" 3
  sq "$db" "SELECT dbkeeper_restore('${names[2]}');" > /dev/null
  check "$mode/restored-total" "dbkeeper_restore of the last backup: the total holds" \
    "$(sqlite3 "$db" "SELECT sum(bal), n FROM acct, counter; PRAGMA integrity_check;" | tr '\n' ' ')" \
    "$TOTAL|${counts[2]} ok "
  check "$mode/journal" "the database is still in $mode mode" "$(sqlite3 "$db" 'PRAGMA journal_mode;')" \
    "$(echo "$mode" | tr 'A-Z' 'a-z')"
}
run_mode WAL
run_mode DELETE

# Every wait is bounded: a lock held by another process makes the backup fail
# with a clear error after the documented wait, not hang.
make_accounts_db locked.db 100
sqlite3 locked.db "PRAGMA journal_mode=DELETE;" > /dev/null
mkfifo hold.fifo
sqlite3 locked.db < hold.fifo > /dev/null 2>&1 &
holder=$!
exec 4> hold.fifo
echo "BEGIN EXCLUSIVE; UPDATE acct SET bal = bal;" >&4
sleep 0.5
out=$(sq locked.db "SELECT dbkeeper_backup();" 2>&1)
check_true locked/bounded "a backup of a database locked by another process gives up" \
  grep -Eq 'database "locked\.[0-9a-f]{8}" stayed locked for [0-9]+\.[0-9] seconds' <<<"$out"
# The wait it reports is its own clock's, at least the documented 10 seconds
# (load can only lengthen it, so no upper bound is checked).
waited=$(grep -Eo 'stayed locked for [0-9]+' <<<"$out" | grep -Eo '[0-9]+$')
check locked/time "after the documented 10 seconds, as the message says" "$(( ${waited:-0} >= 10 ))" 1
check locked/no-temp "leaving no temporary file" "$(ls -A dbkeeper-backups | grep -c '^\.dbkeeper-')" 0
exec 4>&-
wait $holder 2>/dev/null
