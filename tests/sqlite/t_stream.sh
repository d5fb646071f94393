#!/usr/bin/env bash
# The streamed backup of a WAL database (sqlite_ext/page_stream.c) and the
# copy-first backup of a rollback-journal database:
#  - in both modes the content is the database: the same rows as `.backup`
#    of the same file, PRAGMA integrity_check ok, dbkeeper_verify true;
#  - a database many times larger than any page cache involved, most of
#    whose newest pages are still in the -wal file (no checkpoint), is
#    backed up whole: the pages in the WAL are the ones streamed;
#  - a backup taken while another process writes continuously restores to a
#    consistent state (a sum that every transaction keeps), with rows the
#    writer added during the backup absent or present as a whole;
#  - a backup process killed while it streams leaves no backup, only a
#    temporary file that the next backup sweeps away;
#  - with DBK_STREAM_GIB=1 (it writes 1.1 GB), a database larger than 1 GiB,
#    whose page at the lock byte the backup API skips, comes back byte for
#    byte in every page after page 1.
. "$(dirname "$0")/lib.sh"

if [ "$DBK_HEAVY" = 1 ]; then MB=24; else MB=8; fi
ROWS=$((MB * 1024 * 1024 / 600))

published() { find dbkeeper-backups -maxdepth 1 -type f -name '*.sqlite3.zst' 2>/dev/null | wc -l; }
temps() { ls -A dbkeeper-backups 2>/dev/null | grep -c '^\.dbkeeper-.*\.tmp$'; }

# same_rows ID DESC A B: the two databases dump to the same SQL.
same_rows() {
  if cmp -s <(sqlite3 "$3" .dump) <(sqlite3 "$4" .dump); then
    echo "PASS sqlite/$1 $2"
  else
    echo "FAIL sqlite/$1 $2: $3 and $4 differ"
  fi
}

# --- WAL and DELETE: the content is the database --------------------------
for mode in WAL DELETE; do
  db=notes-$mode.db
  sqlite3 "$db" "PRAGMA journal_mode=$mode; PRAGMA wal_autocheckpoint=0;
    CREATE TABLE note(id INTEGER PRIMARY KEY, patient INTEGER, body TEXT, pic BLOB);
    CREATE INDEX note_patient ON note(patient);
    INSERT INTO note SELECT value, value % 997, printf('note %d: %s', value, hex(randomblob(100))),
      randomblob(300) FROM generate_series(1, $ROWS);" > /dev/null
  if [ "$mode" = WAL ]; then
    # Most newest pages live in the -wal file: the shell checkpoints on close,
    # so a second process keeps the file open and changes every row first.
    mkfifo hold-$mode.fifo
    sqlite3 "$db" < hold-$mode.fifo > hold-$mode.out 2>&1 &
    holder=$!
    exec 4> hold-$mode.fifo
    echo "PRAGMA wal_autocheckpoint=0; UPDATE note SET body = upper(body); SELECT 'committed';" >&4
    for _ in $(seq 300); do grep -q committed hold-$mode.out && break; sleep 0.1; done
    check "$mode/wal-big" "the -wal file holds more than half the database in pages" \
      "$(( $(stat -c %s "$db-wal") > MB * 1024 * 512 ))" 1
  fi
  name=$(sq "$db" "PRAGMA cache_size=-256;" "SELECT dbkeeper_backup('$mode');")
  sqlite3 "$db" ".backup ref-$mode.db"
  zstd -q -d -c "dbkeeper-backups/$name" > "got-$mode.db"
  same_rows "$mode/rows" "$mode: the backup holds the same rows as .backup" "got-$mode.db" "ref-$mode.db"
  check "$mode/integrity" "$mode: PRAGMA integrity_check of the backup" \
    "$(sqlite3 "got-$mode.db" 'PRAGMA integrity_check;')" ok
  check "$mode/upper" "$mode: the rows changed in the WAL are the changed ones" \
    "$(sqlite3 "got-$mode.db" "SELECT count(*) FROM note WHERE body GLOB 'note*';")" \
    "$([ "$mode" = WAL ] && echo 0 || echo "$ROWS")"
  check "$mode/size" "$mode: as many pages as the database" \
    "$(stat -c %s "got-$mode.db")" "$(stat -c %s "ref-$mode.db")"
  check "$mode/verify" "$mode: dbkeeper_verify" "$(sq "$db" "SELECT dbkeeper_verify('$name');")" 1
  check "$mode/schema" "$mode: the header's fingerprint is the database's" \
    "$(sq "$db" "SELECT fingerprint FROM dbkeeper_backups WHERE name = '$name';")" \
    "$(sq "$db" "SELECT dbkeeper_fingerprint();")"
  if [ "$mode" = WAL ]; then
    exec 4>&-
    wait $holder 2>/dev/null
    rm -f hold-$mode.fifo
  fi
done

# --- a backup while another process writes ----------------------------------
db=busy.db
sqlite3 "$db" "PRAGMA journal_mode=WAL;
  CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad BLOB);
  INSERT INTO acct SELECT value, 100, randomblob(500) FROM generate_series(1, $ROWS);
  CREATE TABLE ledger(id INTEGER PRIMARY KEY, amount INTEGER, memo BLOB);" > /dev/null
awk -v rows="$ROWS" 'BEGIN { srand(11); print ".timeout 20000";
  for (i = 0; i < 200000; i++) {
    a = int(rand() * rows) + 1; m = int(rand() * 50) + 1;
    printf "BEGIN IMMEDIATE; UPDATE acct SET bal = bal - %d WHERE id = %d; INSERT INTO ledger VALUES (NULL, %d, randomblob(2000)); COMMIT;\n", m, a, m } }' > writes.sql
sqlite3 "$db" < writes.sql > /dev/null 2> writer.err &
writer=$!
sleep 0.5
names=()
for i in 1 2; do
  names+=("$(sq "$db" ".timeout 20000" "SELECT dbkeeper_backup('busy$i');")")
done
running=0; kill -0 $writer 2>/dev/null && running=1
kill $writer 2>/dev/null; wait $writer 2>/dev/null
check busy/writer-ran "the writer ran through both backups" "$running" 1
for i in 0 1; do
  zstd -q -d -c "dbkeeper-backups/${names[$i]}" > "busy-$i.db"
  check "busy/consistent$i" "backup $i: every transfer is whole (debits = ledger), integrity ok" \
    "$(sqlite3 "busy-$i.db" "SELECT (SELECT 100 * count(*) - sum(bal) FROM acct) = (SELECT coalesce(sum(amount), 0) FROM ledger); PRAGMA integrity_check;" | tr '\n' ' ')" "1 ok "
done
check busy/progress "the two backups hold different numbers of transfers" \
  "$(( $(sqlite3 busy-0.db 'SELECT count(*) FROM ledger') != $(sqlite3 busy-1.db 'SELECT count(*) FROM ledger') ))" 1
cp busy-0.db restored.db
sq restored.db "SELECT dbkeeper_config('backup_dir', '$PWD/dbkeeper-backups');" \
  "SELECT dbkeeper_restore('${names[1]}', true);" > /dev/null
check busy/restored "dbkeeper_restore of a backup taken during writes: consistent" \
  "$(sqlite3 restored.db "SELECT (SELECT 100 * count(*) - sum(bal) FROM acct) = (SELECT sum(amount) FROM ledger), (SELECT count(*) FROM ledger); PRAGMA integrity_check;" | tr '\n' ' ')" \
  "1|$(sqlite3 busy-1.db 'SELECT count(*) FROM ledger') ok "

# --- a killed backup --------------------------------------------------------
db=kill.db
sqlite3 "$db" "PRAGMA journal_mode=WAL; CREATE TABLE b(x BLOB);
  INSERT INTO b SELECT randomblob(4000) FROM generate_series(1, $((ROWS / 2)));" > /dev/null
rm -rf dbkeeper-backups
before=0
# sqlite3 itself in the background (not a subshell), so that kill reaches it.
LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch "$db" ".load $DBK_SQLITE_EXT" \
  "SELECT dbkeeper_config('compression_level', 19);" "SELECT dbkeeper_backup('killed');" > /dev/null 2>&1 &
bk=$!
for _ in $(seq 200); do [ "$(temps)" -gt 0 ] && break; sleep 0.05; done
sleep 0.3
kill -9 $bk 2>/dev/null; wait $bk 2>/dev/null
check kill/temp-seen "the backup was streaming when killed" "$(temps)" 1
check kill/none "a killed backup publishes nothing" "$(published)" "$before"
check kill/no-latest "and moves no latest link" "$(ls dbkeeper-backups | grep -c latest)" 0
name=$(sq "$db" "SELECT dbkeeper_config('compression_level', 3);" "SELECT dbkeeper_backup('after');")
check kill/next "the next backup succeeds" "$(published)" 1
check kill/swept "and sweeps the killed one's temporary file" "$(temps)" 0

# --- larger than 1 GiB: the lock-byte page ---------------------------------
if [ "${DBK_STREAM_GIB:-0}" = 1 ]; then
  db=big.db
  sqlite3 "$db" "PRAGMA journal_mode=WAL; PRAGMA page_size=65536; CREATE TABLE z(i INTEGER PRIMARY KEY, b BLOB);
    INSERT INTO z SELECT value, zeroblob(1000000) FROM generate_series(1, 1080);
    UPDATE z SET b = randomblob(1000) WHERE i % 100 = 0;" > /dev/null
  name=$(sq "$db" "SELECT dbkeeper_backup('big');")
  sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null   # the file as the backup saw it
  zstd -q -d -c "dbkeeper-backups/$name" > big-got.db
  check big/over "the database is larger than 1 GiB" "$(( $(stat -c %s big-got.db) > 1073741824 + 65536 ))" 1
  check big/size "the backup has every page" "$(stat -c %s big-got.db)" "$(stat -c %s "$db")"
  # Every byte after page 1 matches the file (checkpointed on close), the lock-byte page included.
  check big/bytes "every page after page 1 is the file's" \
    "$(cmp <(tail -c +65537 big-got.db) <(tail -c +65537 "$db") && echo same)" same
  check big/integrity "PRAGMA integrity_check" "$(sqlite3 big-got.db 'PRAGMA integrity_check;')" ok
  rm -f big.db big-got.db
fi
