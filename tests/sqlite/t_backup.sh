#!/usr/bin/env bash
# Backups of SQLite databases: names, files, listing, settings, retention,
# and the standard tools (zstd -t, zstd -d) on what dbkeeper writes.
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 5000
name=$(sq app.db "SELECT dbkeeper_backup();")
check backup/name "returns the new file's name" \
  "$(printf '%s' "$name" | grep -Ec '^app\.[0-9a-f]{8}-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z\.sqlite3\.zst$')" 1
check backup/dir-default "the default directory is beside the database" "$(ls dbkeeper-backups | grep -c "^$name\$")" 1
check backup/file-mode "backups are mode 0600" "$(stat -c %a "dbkeeper-backups/$name")" 600
check backup/dir-mode "the directory is mode 0700" "$(stat -c %a dbkeeper-backups)" 700
check backup/latest-link "the latest link points to it" "$(readlink dbkeeper-backups/app.*-latest.sqlite3.zst)" "$name"
check_true backup/zstd-t "zstd -t accepts the backup" zstd -q -t "dbkeeper-backups/$name"
zstd -q -d -c "dbkeeper-backups/$name" > plain.db
check backup/zstd-d-integrity "zstd -d gives a database that passes integrity_check" \
  "$(sqlite3 plain.db 'PRAGMA integrity_check;')" ok
check backup/zstd-d-content "zstd -d gives the same content" \
  "$(sqlite3 plain.db .sha3sum)" "$(sqlite3 app.db .sha3sum)"

row=$(sq app.db "SELECT name, database, label IS NULL, bytes, sha256, is_latest FROM dbkeeper_backups;")
check list/row "dbkeeper_backups lists it" "$row" \
  "$name|${name%%-20*}|1|$(stat -c %s plain.db)|$(sha256sum < plain.db | cut -d' ' -f1)|1"
check list/compressed-bytes "compressed_bytes is the file size" \
  "$(sq app.db "SELECT compressed_bytes FROM dbkeeper_backups();")" "$(stat -c %s "dbkeeper-backups/$name")"
check list/created-at "created_at is UTC with microseconds" \
  "$(sq app.db "SELECT created_at GLOB '[0-9][0-9][0-9][0-9]-*T*.[0-9][0-9][0-9][0-9][0-9][0-9]Z' FROM dbkeeper_backups;")" 1
check list/duration "duration is the seconds the backup took; a page copy counts no rows" \
  "$(sq app.db "SELECT typeof(duration), duration >= 0 AND duration < 60, rows IS NULL FROM dbkeeper_backups;")" "real|1|1"

labelled=$(sq app.db "SELECT dbkeeper_backup('before-upgrade');")
check backup/label-name "a label goes into the name" "$(printf '%s' "$labelled" | grep -c -- '-before-upgrade\.sqlite3\.zst$')" 1
check list/label "and into the listing, newest first" \
  "$(sq app.db "SELECT label, is_latest FROM dbkeeper_backups LIMIT 1;")" "before-upgrade|1"
check list/order "two backups, the older not latest" \
  "$(sq app.db "SELECT group_concat(is_latest) FROM dbkeeper_backups;")" "1,0"
check verify/latest "dbkeeper_verify() checks the latest" "$(sq app.db "SELECT dbkeeper_verify();")" 1
check verify/null "dbkeeper_verify(NULL) is the latest too" "$(sq app.db "SELECT dbkeeper_verify(NULL);")" 1
check verify/named "dbkeeper_verify(name)" "$(sq app.db "SELECT dbkeeper_verify('$name');")" 1

# Settings.
check config/defaults "default settings" \
  "$(sq app.db "SELECT dbkeeper_config('keep_backups'), dbkeeper_config('compression_level');")" "14|3"
check config/backup-dir-default "the default backup_dir" \
  "$(sq app.db "SELECT dbkeeper_config('backup_dir');")" "$T/dbkeeper-backups"
check config/env "DBKEEPER_BACKUP_DIR sets the default" \
  "$(DBKEEPER_BACKUP_DIR=$T/envdir sq app.db "SELECT dbkeeper_config('backup_dir');")" "$T/envdir"
mkdir -m 700 other
check config/set-dir "backup_dir can be set per connection" \
  "$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/other');" "SELECT dbkeeper_backup() IS NOT NULL;")" "$T/other
1"
check config/set-dir-used "and backups go there" "$(find other -type f -name '*.sqlite3.zst' | wc -l)" 1
check_error config/unknown "an unknown setting is named" 'unknown dbkeeper setting "nope"' app.db \
  "SELECT dbkeeper_config('nope');"
check_error config/bad-level "a bad level is refused" 'between 1 and 19' app.db \
  "SELECT dbkeeper_config('compression_level', 42);"
check_error config/bad-keep "a bad count is refused" 'takes an integer' app.db \
  "SELECT dbkeeper_config('keep_backups', 'many');"
check_error config/empty-dir "an empty backup_dir is refused" 'must not be empty' app.db \
  "SELECT dbkeeper_config('backup_dir', '');"
check config/level "compression_level 19 is used" \
  "$(sq app.db "SELECT dbkeeper_config('compression_level', 19);" "SELECT dbkeeper_backup('best') IS NOT NULL;")" "19
1"

# Retention after each backup, and dbkeeper_prune.  Automatic retention
# counts unlabelled backups only; labelled ones go when dbkeeper_prune names
# their label (issue 13, item 9).
mkdir -m 700 ret
out=$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/ret');" "SELECT dbkeeper_config('keep_backups', 2);" \
  "SELECT dbkeeper_backup('a');" "SELECT dbkeeper_backup();" "SELECT dbkeeper_backup();" \
  "SELECT dbkeeper_backup();" "SELECT group_concat(coalesce(label, '-')) FROM dbkeeper_backups;")
check retention/keeps-newest "keep_backups=2 keeps the two newest unlabelled, and the labelled one" \
  "$(printf '%s' "$out" | tail -1)" "-,-,a"
out=$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/ret');" "SELECT dbkeeper_config('keep_backups', 0);" \
  "SELECT dbkeeper_backup();" "SELECT dbkeeper_backup();" "SELECT count(*) FROM dbkeeper_backups;" \
  "SELECT dbkeeper_prune(1);" "SELECT group_concat(coalesce(label, '-')) FROM dbkeeper_backups;" "SELECT dbkeeper_prune();")
check retention/off-then-prune "keep_backups=0 keeps all; prune(1) deletes the other unlabelled ones" \
  "$(printf '%s' "$out" | tail -4 | tr '\n' ' ')" "5 3 -,a 0"
out=$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/ret');" "SELECT dbkeeper_prune(1, 'a');" \
  "SELECT dbkeeper_prune(1, '*');" "SELECT group_concat(coalesce(label, '-')) FROM dbkeeper_backups;")
check retention/prune-label "prune(1, label) keeps the newest with that label; prune(1, '*') the newest of all" \
  "$(printf '%s' "$out" | tail -3 | tr '\n' ' ')" "0 1 -"
check_error retention/prune-bad-label "a label that cannot be one is refused" 'contains a character' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/ret'); SELECT dbkeeper_prune(1, 'a/b');"
check_error prune/zero "prune(0) is refused" 'cannot keep fewer than 1 backup' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/ret'); SELECT dbkeeper_prune(0);"
check_error prune/text "prune('x') is refused" 'takes an integer' app.db "SELECT dbkeeper_prune('x');"

# WAL mode: committed data still in the -wal file is in the backup.
# Another process keeps the database open, so its commits stay in the WAL.
mkfifo holder.fifo
sqlite3 wal.db < holder.fifo > /dev/null &
holder=$!
exec 3> holder.fifo
echo "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);" >&3
for _ in $(seq 50); do [ -s wal.db-wal ] && break; sleep 0.1; done
check_true wal/has-wal "the WAL file holds the commits" test -s wal.db-wal
n=$(sq wal.db "PRAGMA wal_autocheckpoint=0;" "SELECT dbkeeper_backup();" | tail -1)
exec 3>&-
wait $holder
check wal/content "the backup has the WAL's commits" \
  "$(zstd -q -d -c "dbkeeper-backups/$n" > walcopy.db && sqlite3 walcopy.db 'SELECT sum(x) FROM t;')" 6

# An empty database file, and in-memory databases.
: > empty.db
n=$(sq empty.db "SELECT dbkeeper_backup();")
check empty/verify "an empty database backs up and verifies" "$(sq empty.db "SELECT dbkeeper_verify('$n');")" 1
check_error memory/refused "an in-memory database is refused" 'in-memory or temporary database' :memory: \
  "SELECT dbkeeper_backup();"
check_error temp/refused "a temporary database is refused" 'in-memory or temporary database' "" \
  "SELECT dbkeeper_backup();"

# Transactions: a read transaction is fine, a write transaction is refused at once.
check txn/read "a backup inside a read transaction works" \
  "$(sq app.db "BEGIN;" "SELECT count(*) FROM acct;" "SELECT dbkeeper_backup() IS NOT NULL;" "COMMIT;")" "5000
1"
check_error txn/write "a backup inside a write transaction is refused" \
  'cannot back up a database inside a write transaction' app.db \
  "BEGIN; UPDATE acct SET bal = bal WHERE id = 1; SELECT dbkeeper_backup();"
# At once: not after waiting out its own lock, which would say "stayed locked".
out=$(sq app.db "BEGIN; UPDATE acct SET bal = bal WHERE id = 1; SELECT dbkeeper_backup();" 2>&1)
check txn/write-fast "and at once, not after a wait" "$(grep -c 'stayed locked' <<<"$out")" 0
check_error txn/write-words "with the words PostgreSQL uses, and this engine's reason" \
  "HINT: COMMIT or ROLLBACK first, then call dbkeeper_backup\(\)\." app.db \
  "BEGIN; UPDATE acct SET bal = bal WHERE id = 1; SELECT dbkeeper_backup();"

# Functions with side effects cannot be called from views or triggers.
check_error directonly/view "dbkeeper_backup cannot run from a view" 'unsafe use of dbkeeper_backup' app.db \
  "CREATE VIEW v AS SELECT dbkeeper_backup(); SELECT * FROM v;"
sqlite3 app.db "DROP VIEW IF EXISTS v;"
