#!/usr/bin/env bash
# tests/sqlite/t_messages.sh — errors that say what happened: a restore that
# cannot get its lock states the real wait and no maintenance hint (on
# SQLite maintenance does not stop readers); a read-only file is reported as
# read-only; a WAL database with another page size says so, without
# calling it read-only.
. "$(dirname "$0")/lib.sh"

# ---- a restore that cannot lock ----
make_accounts_db busy.db 50
sqlite3 busy.db "PRAGMA journal_mode=WAL" >/dev/null
n=$(sq busy.db "SELECT dbkeeper_backup()")
mkfifo hold.fifo
sqlite3 busy.db < hold.fifo > /dev/null 2>&1 &
holder=$!
exec 4> hold.fifo
echo "BEGIN IMMEDIATE; UPDATE acct SET bal = bal;" >&4
sleep 0.5
out=$(sq busy.db "SELECT dbkeeper_restore('$n')" 2>&1)
check messages/restore-wait "a restore that cannot lock states how long it waited" \
  "$(printf '%s\n' "$out" | grep -Ec 'could not lock database "busy\.[0-9a-f]{8}" for the restore: it stayed locked for (1[0-9]|[2-9][0-9]|[0-9]{3,})\.[0-9] seconds')" 1
check messages/restore-no-maintenance-hint "and does not suggest maintenance mode" \
  "$(printf '%s\n' "$out" | grep -ci maintenance)" 0
echo "ROLLBACK;" >&4
exec 4>&-
wait $holder 2>/dev/null

# ---- a WAL database and a backup with another page size ----
sqlite3 ps.db "PRAGMA page_size = 8192; CREATE TABLE t(x); INSERT INTO t VALUES (1);"
n8=$(sq ps.db "SELECT dbkeeper_backup()")
sqlite3 ps.db "PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL;" >/dev/null
out=$(sq ps.db "SELECT dbkeeper_restore('$n8')" 2>&1)
check messages/page-size "a page size difference in WAL mode is named" \
  "$(printf '%s\n' "$out" | grep -c 'it is in WAL mode and the backup has a different page size')|$(printf '%s\n' "$out" | grep -c 'read-only')" "1|0"

# ---- a read-only file (as a user the file does not let write) ----
make_accounts_db ro.db 10
sq ro.db "SELECT dbkeeper_backup()" >/dev/null
chmod 0444 ro.db
chmod 0755 "$T"
as_reader() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  # root writes any file: run as nobody, who may read the database only.
  chmod -R a+rX "$T"
  chmod 0777 "$T"
  as_reader() { runuser -u nobody -- env DBKEEPER_BACKUP_DIR="$T/nobody-backups" "$@"; }
fi
out=$(as_reader env LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch "$T/ro.db" ".load $DBK_SQLITE_EXT" \
  "SELECT dbkeeper_restore()" 2>&1)
check messages/readonly-file "a read-only file is reported as read-only" \
  "$(printf '%s\n' "$out" | grep -c 'cannot restore through a read-only connection')|$(printf '%s\n' "$out" | grep -ci 'page size')" "1|0"
chmod 0644 ro.db
