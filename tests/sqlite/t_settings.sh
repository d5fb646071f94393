#!/usr/bin/env bash
# tests/sqlite/t_settings.sh — settings that live with the database: set
# once with dbkeeper_config(name, value, 'database'), used by every other
# connection and process (the nightly cron job and the application agree);
# the order: connection, then database, then environment, then default.
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 10
mkdir -m 700 db-dir env-dir conn-dir
unset DBKEEPER_BACKUP_DIR
out=$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/db-dir', 'database')" \
  "SELECT dbkeeper_config('keep_backups', 2, 'database')")
check settings/set "setting at database scope returns the value in effect" "$out" "$T/db-dir
2"
for i in 1 2 3; do sq app.db "SELECT dbkeeper_backup()" >/dev/null; done
check settings/other-process "another process backs up where the database says, keeping what it says" \
  "$(find db-dir -type f -name 'app.*.sqlite3.zst' | wc -l)" 2
check settings/order-database-over-env "the database's value wins over the environment" \
  "$(DBKEEPER_BACKUP_DIR=$T/env-dir sq app.db "SELECT dbkeeper_config('backup_dir')")" "$T/db-dir"
check settings/order-connection-first "the connection's value wins over both" \
  "$(DBKEEPER_BACKUP_DIR=$T/env-dir sq app.db "SELECT dbkeeper_config('backup_dir', '$T/conn-dir')" "SELECT dbkeeper_backup() IS NOT NULL")" "$T/conn-dir
1"
check settings/connection-only "a connection's value stays with that connection" \
  "$(find conn-dir -type f | wc -l)|$(sq app.db "SELECT dbkeeper_config('backup_dir')")" "1|$T/db-dir"
check settings/connection-null "NULL removes the connection's value: the database's is in effect again" \
  "$(sq app.db "SELECT dbkeeper_config('keep_backups', 7)" "SELECT dbkeeper_config('keep_backups', NULL)")" "7
2"
check settings/database-null "NULL at database scope removes it: the environment's is in effect" \
  "$(DBKEEPER_BACKUP_DIR=$T/env-dir sq app.db "SELECT dbkeeper_config('backup_dir', NULL, 'database')")" "$T/env-dir"
check settings/default "without any, the default beside the database" \
  "$(sq app.db "SELECT dbkeeper_config('backup_dir')")" "$T/dbkeeper-backups"
check_error settings/bad-scope "an unknown scope is an error" 'unknown scope "server"' app.db \
  "SELECT dbkeeper_config('keep_backups', 3, 'server')"
check_error settings/bad-value "a bad value at database scope is an error" 'must be between 0 and 1000000' app.db \
  "SELECT dbkeeper_config('keep_backups', -1, 'database')"
check_error settings/token-database "the maintenance token cannot live in the database" 'belongs to one connection' app.db \
  "SELECT dbkeeper_config('maintenance_token', '0123456789abcdef0123456789abcdef', 'database')"
check settings/bad-unchanged "refused values change nothing" "$(sq app.db "SELECT dbkeeper_config('keep_backups')")" 2
