#!/usr/bin/env bash
# tests/sqlite/t_restore_keeps.sh — what a SQLite restore keeps, as
# PostgreSQL does: the schema registry, the maintenance state and the
# database-level settings are after a restore what they were before it; a
# restore during maintenance is for an admitted connection only; restore
# and prune refuse a read-only connection.
. "$(dirname "$0")/lib.sh"

MSG='Upgrade to v3 in progress'
for mode in WAL DELETE; do
  db=keep-$mode.db
  make_accounts_db "$db" 100
  sqlite3 "$db" "PRAGMA journal_mode=$mode" >/dev/null
  sq "$db" "SELECT dbkeeper_schema_register('1.0')" >/dev/null
  good=$(sq "$db" "SELECT dbkeeper_backup('v1')")
  # The upgrade: maintenance, a schema change, the new version registered.
  out=$(sq "$db" "SELECT dbkeeper_maintenance_begin('$MSG')" \
    "ALTER TABLE acct ADD COLUMN owner TEXT" "SELECT dbkeeper_schema_register('2.0')" \
    "SELECT dbkeeper_config('keep_backups', 5, 'database')" \
    "SELECT dbkeeper_restore('$good')" \
    "SELECT dbkeeper_in_maintenance(), dbkeeper_banner()" \
    "SELECT group_concat(version, ',') FROM (SELECT version FROM dbkeeper_schema_version ORDER BY version)" \
    "INSERT INTO acct(id, bal) VALUES (100001, 1)" 2>&1)
  check "keeps/$mode/maintenance" "a restore in the middle of an upgrade keeps maintenance on" \
    "$(printf '%s\n' "$out" | sed -n '5p')" "1|$MSG"
  check "keeps/$mode/registry" "the registry keeps the version registered after the backup" \
    "$(printf '%s\n' "$out" | sed -n '6p')" "1.0,2.0"
  check "keeps/$mode/content" "the data and schema are the backup's" \
    "$(sqlite3 "$db" "SELECT count(*) FROM pragma_table_info('acct') WHERE name = 'owner'")" 0
  check "keeps/$mode/admitted" "the connection that began maintenance still writes after the restore" \
    "$(sqlite3 "$db" "SELECT count(*) FROM acct WHERE id = 100001")" 1
  check "keeps/$mode/settings" "database-level settings are kept" \
    "$(sq "$db" "SELECT dbkeeper_config('keep_backups')")" 5
  check_error "keeps/$mode/not-admitted" "another connection cannot restore during maintenance" \
    "cannot restore.*$MSG" "$db" "SELECT dbkeeper_restore('$good')"
  check "keeps/$mode/not-admitted-unchanged" "and nothing changed" \
    "$(sqlite3 "$db" "SELECT count(*) FROM acct WHERE id = 100001")" 1
  sq "$db" "SELECT dbkeeper_maintenance_end()" >/dev/null
  # Maintenance off at the backup, on at the restore; on at the backup, off at the restore.
  sq "$db" "SELECT dbkeeper_maintenance_begin('x')" >/dev/null
  during=$(sq "$db" "SELECT dbkeeper_backup('during')" 2>&1)
  sq "$db" "SELECT dbkeeper_maintenance_end()" >/dev/null
  sq "$db" "SELECT dbkeeper_restore('$during')" >/dev/null 2>&1
  check "keeps/$mode/not-from-backup" "a backup taken during maintenance does not bring maintenance back" \
    "$(sq "$db" "SELECT dbkeeper_in_maintenance()")" 0
done

# ---- read-only connections ----
make_accounts_db ro.db 10
name=$(sq ro.db "SELECT dbkeeper_backup()")
sq ro.db "SELECT dbkeeper_backup()" >/dev/null
sqlite3 ro.db "INSERT INTO acct(id, bal) VALUES (999, 1)"
check_error readonly/restore-uri "restore refuses a connection opened with mode=ro" \
  'cannot restore through a read-only connection' "file:ro.db?mode=ro" "SELECT dbkeeper_restore('$name')"
check_error readonly/restore-query-only "restore refuses PRAGMA query_only" \
  'cannot restore through a read-only connection' ro.db "PRAGMA query_only = 1; SELECT dbkeeper_restore('$name')"
check_error readonly/prune-uri "prune refuses a connection opened with mode=ro" \
  'cannot prune backups through a read-only connection' "file:ro.db?mode=ro" "SELECT dbkeeper_prune(1)"
check_error readonly/prune-query-only "prune refuses PRAGMA query_only" \
  'cannot prune backups through a read-only connection' ro.db "PRAGMA query_only = 1; SELECT dbkeeper_prune(1)"
check readonly/unchanged "nothing was restored or deleted" \
  "$(sqlite3 ro.db "SELECT count(*) FROM acct WHERE id = 999")|$(find dbkeeper-backups -type f -name 'ro*.sqlite3.zst' | wc -l)" "1|2"
check readonly/backup-allowed "a read-only connection still backs up" \
  "$(sq "file:ro.db?mode=ro" "SELECT dbkeeper_backup() IS NOT NULL")" 1
