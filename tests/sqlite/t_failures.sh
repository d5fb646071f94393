#!/usr/bin/env bash
# Failures in the middle of a backup: a process killed with SIGKILL while it
# copies or compresses, a file-size limit, and a full filesystem.  Each leaves
# no file under a final name, the database intact, and (after the next
# backup) no temporary file.
. "$(dirname "$0")/lib.sh"

if [ "$DBK_HEAVY" = 1 ]; then ROWS=400000; else ROWS=40000; fi
sqlite3 big.db "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);
  INSERT INTO t SELECT value, printf('%08d %s', value, hex(randomblob(300))) FROM generate_series(1, $ROWS);"
want=$(sqlite3 big.db "SELECT count(*), sum(length(body)) FROM t;")

finals() { find dbkeeper-backups -maxdepth 1 -type f -name 'big.*-2*' 2>/dev/null | wc -l; }
temps() { ls -A dbkeeper-backups 2>/dev/null | grep -c '^\.dbkeeper-'; }

# kill_during PHASE: start a backup, SIGKILL it once a temporary file of that phase has data.
kill_during() {
  local phase=$1 pid f seen=0
  # A simple command in the background, so $! is sqlite3 itself.
  LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch big.db ".load $DBK_SQLITE_EXT" "SELECT dbkeeper_backup();" \
    > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    f=$(ls -A dbkeeper-backups 2>/dev/null | grep -- "-$phase\.tmp\$" | head -1)
    if [ -n "$f" ] && [ -s "dbkeeper-backups/$f" ]; then seen=1; break; fi
    sleep 0.01
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  check "kill/$phase/caught" "the backup was killed while its $phase file was being written" \
    "$seen $(kill -0 $pid 2>/dev/null && echo alive || echo dead)" "1 dead"
  check "kill/$phase/nothing-final" "no file under a final name" "$(finals)" 0
  check "kill/$phase/no-latest" "no latest link" "$(ls dbkeeper-backups/big.*-latest.sqlite3.zst >/dev/null 2>&1 && echo yes || echo no)" no
  check "kill/$phase/database-intact" "the database is intact" \
    "$(sqlite3 big.db "PRAGMA quick_check; SELECT count(*), sum(length(body)) FROM t;" | tr '\n' ' ')" "ok $want "
}
kill_during copy
kill_during backup
check kill/leftovers "the killed backups left temporary files behind" "$(( $(temps) > 0 ))" 1
n=$(sq big.db "SELECT dbkeeper_backup();")
check kill/next-backup "the next backup succeeds" "$(finals)" 1
check kill/swept "and removes the leftovers" "$(temps)" 0
check kill/next-verifies "and verifies" "$(sq big.db "SELECT dbkeeper_verify('$n');")" 1

# A file-size limit (RLIMIT_FSIZE) hit while copying, and while compressing.
rm -rf dbkeeper-backups
sqlite3 small.db "CREATE TABLE r(b BLOB); INSERT INTO r SELECT randomblob(1000) FROM generate_series(1, 2000);"
size_kb=$(( $(stat -c %s small.db) / 1024 ))
out=$( (trap '' XFSZ; ulimit -f $((size_kb / 2)); sq small.db "SELECT dbkeeper_backup();") 2>&1 )
check fsize/copy-error "a size limit while copying gives the system's reason" \
  "$(printf '%s' "$out" | grep -c 'could not copy database "small\.[0-9a-f]\{8\}" into the backup directory: File too large')" 1
check fsize/nothing "nothing was published and no temporary file is left" \
  "$(ls -A dbkeeper-backups | wc -l)" 0

# A full filesystem: a small tmpfs as the backup directory.
mkdir -m 700 small
if mount -t tmpfs -o size=512k,mode=700 tmpfs small 2>/dev/null; then
  trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
  check_error enospc/copy "a full filesystem while copying" 'No space left on device|database or disk is full' small.db \
    "SELECT dbkeeper_config('backup_dir', '$T/small'); SELECT dbkeeper_backup();"
  check enospc/nothing "nothing was published and no temporary file is left" "$(ls -A small | wc -l)" 0
  check enospc/db-intact "the database is intact" "$(sqlite3 small.db 'PRAGMA quick_check; SELECT count(*) FROM r;' | tr '\n' ' ')" "ok 2000 "
  umount small
  # Room for the copy but not for the archive too.
  mount -t tmpfs -o size=$(( size_kb + size_kb / 2 ))k,mode=700 tmpfs small
  check_error enospc/archive "a full filesystem while compressing" 'could not write to the new backup: No space left on device' \
    small.db "SELECT dbkeeper_config('backup_dir', '$T/small'); SELECT dbkeeper_backup();"
  check enospc/nothing-2 "nothing was published and no temporary file is left" "$(ls -A small | wc -l)" 0
  umount small
else
  echo "SKIP sqlite/enospc: this machine does not let the test mount a tmpfs (needs root)"
fi
