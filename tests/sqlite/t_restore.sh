#!/usr/bin/env bash
# dbkeeper_restore on SQLite: the database equals the backup afterwards, the
# safety backup holds the state just before, and the refusals.
. "$(dirname "$0")/lib.sh"

restore_case() {
  local mode=$1 db=app-$1.db
  make_accounts_db "$db" 2000
  sqlite3 "$db" "PRAGMA journal_mode=$mode; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);
                 INSERT INTO notes(body) VALUES ('before');" >/dev/null
  local good before_sum after safety
  good=$(sq "$db" "SELECT dbkeeper_backup('good');")
  before_sum=$(sqlite3 "$db" .sha3sum)
  # A bad upgrade: rows changed, a table dropped, another created, an index added.
  sqlite3 "$db" "UPDATE acct SET bal = 0 WHERE id <= 10; DROP TABLE notes; CREATE TABLE junk(x);
                 CREATE INDEX acct_bal ON acct(bal); INSERT INTO junk VALUES (1);"
  after=$(sqlite3 "$db" .sha3sum)
  safety=$(sq "$db" "SELECT dbkeeper_restore('$good');")
  check "restore/$mode/safety-name" "restore returns the safety backup's name" \
    "$(printf '%s' "$safety" | grep -c -- '-pre-restore\.sqlite3\.zst$')" 1
  check "restore/$mode/content" "the database equals the backup" "$(sqlite3 "$db" .sha3sum)" "$before_sum"
  check "restore/$mode/integrity" "and passes integrity_check" "$(sqlite3 "$db" 'PRAGMA integrity_check;')" ok
  check "restore/$mode/schema" "the schema is the backup's" \
    "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema ORDER BY name);")" "acct,dbkeeper_identity,notes"
  check "restore/$mode/journal-mode" "the journal mode is unchanged" \
    "$(sqlite3 "$db" 'PRAGMA journal_mode;')" "$(echo "$mode" | tr 'A-Z' 'a-z')"
  # issue 13, item 4: the latest link names what the database now is, never the safety backup
  check "restore/$mode/latest-is-restored" "the latest link is the backup restored" \
    "$(readlink dbkeeper-backups/app-$mode.*-latest.sqlite3.zst)" "$good"
  check "restore/$mode/unnamed-skips-safety" "a restore without a name takes the newest backup that is not a safety backup" \
    "$(sq "$db" "SELECT name FROM dbkeeper_backups WHERE name = '$safety';" "SELECT dbkeeper_verify();")" "$safety
1"
  sq "$db" "SELECT dbkeeper_restore('$safety');" > /dev/null
  check "restore/$mode/undo" "restoring the safety backup gives the state before the restore" \
    "$(sqlite3 "$db" .sha3sum)" "$after"
}
restore_case WAL
restore_case DELETE

# Refusals.
make_accounts_db app.db 10
n=$(sq app.db "SELECT dbkeeper_backup();")
check_error refuse/transaction "inside a transaction" 'cannot restore inside a transaction' app.db \
  "BEGIN; SELECT dbkeeper_restore();"
check_error refuse/memory "an in-memory database" 'in-memory or temporary' :memory: "SELECT dbkeeper_restore();"
make_accounts_db other.db 3
check_error refuse/other-database "a backup of another database" \
  "backup \"$n\" is of another database" other.db "SELECT dbkeeper_restore('$n');"
check_error refuse/other-database-hint "says how to restore it anyway, as PostgreSQL does" \
  "HINT: To restore it here anyway, call dbkeeper_restore\('$n', true\)\." other.db "SELECT dbkeeper_restore('$n');"
check refuse/other-unchanged "and the other database is unchanged" "$(sqlite3 other.db 'SELECT count(*) FROM acct;')" 3
sq other.db "SELECT dbkeeper_restore('$n', true);" > /dev/null
check other/allowed "from_other_database restores it anyway" "$(sqlite3 other.db 'SELECT count(*) FROM acct;')" 10
check_error refuse/none "no backup of this database yet" 'there is no backup of database "fresh\.[0-9a-f]{8}"' fresh.db \
  "SELECT dbkeeper_restore();"

# Another process reads and writes the restored database normally afterwards.
sqlite3 app.db "PRAGMA journal_mode=WAL;" > /dev/null
sq app.db "SELECT dbkeeper_restore('$n');" > /dev/null
check after/other-process "another process sees the restored data and can write" \
  "$(sqlite3 app.db "INSERT INTO acct(bal) VALUES (1); SELECT count(*) FROM acct; PRAGMA integrity_check;")" "11
ok"
