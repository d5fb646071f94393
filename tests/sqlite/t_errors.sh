#!/usr/bin/env bash
# tests/sqlite/t_errors.sh — the errors that are the same words on both
# engines (sql/errors.sql holds PostgreSQL's, with their SQLSTATEs), and the
# log line each backup, restore and prune leaves in SQLite's error log.
#
#   null/*        every NULL argument that is not allowed: "<argument>
#                 cannot be NULL" (22004 on PostgreSQL)
#   mismatch/*    a schema that is not the expected one (55000 there)
#   corrupt/*     a frame zstd cannot decompress: dbkeeper's words, zstd's
#                 in the DETAIL line, on verify and on restore
#   log/*         sqlite3_log(SQLITE_NOTICE) lines, read through the sqlite3
#                 shell's ".log stderr": backup, automatic and explicit
#                 prune (with the names deleted), restore, a prune that
#                 deleted nothing
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 2000

# ---- NULL arguments
check_error null/banner_set "dbkeeper_banner_set(NULL)" '^.*banner message cannot be NULL$' app.db \
  "SELECT dbkeeper_banner_set(NULL);"
check_error null/maintenance_begin "dbkeeper_maintenance_begin(NULL)" 'banner message cannot be NULL$' app.db \
  "SELECT dbkeeper_maintenance_begin(NULL);"
check_error null/schema_register "dbkeeper_schema_register(NULL)" 'schema version cannot be NULL$' app.db \
  "SELECT dbkeeper_schema_register(NULL);"
check_error null/schema_check "dbkeeper_schema_check(NULL)" 'expected schema cannot be NULL$' app.db \
  "SELECT dbkeeper_schema_check(NULL);"
check_error null/restore "dbkeeper_restore(name, NULL)" 'from_other_database cannot be NULL$' app.db \
  "SELECT dbkeeper_restore(NULL, NULL);"
check_error null/config_name "dbkeeper_config(NULL)" 'setting name cannot be NULL$' app.db \
  "SELECT dbkeeper_config(NULL);"
check_error null/config_scope "dbkeeper_config(name, value, NULL)" 'scope cannot be NULL$' app.db \
  "SELECT dbkeeper_config('keep_backups', 3, NULL);"
check_error null/codelist_new_draft "dbkeeper_codelist_new_draft(NULL, ...)" 'cannot be NULL$' app.db \
  "SELECT dbkeeper_codelist_init(); SELECT dbkeeper_codelist_new_draft(NULL, 'me');"
check untouched/after-nulls "the refused calls began no maintenance and set no banner" \
  "$(sq app.db "SELECT dbkeeper_banner() IS NULL, dbkeeper_in_maintenance();" 2>&1)" "1|0"

# ---- schema mismatch
sq app.db "SELECT dbkeeper_schema_register('1.0');" >/dev/null
sqlite3 app.db "ALTER TABLE acct ADD COLUMN note TEXT;"
check_error mismatch/version "a schema that is not the version expected" \
  '^.*database schema is not version "1\.0"' app.db "SELECT dbkeeper_schema_check('1.0');"

# ---- a frame zstd cannot decompress
n=$(sq app.db "SELECT dbkeeper_backup();")
cp "dbkeeper-backups/$n" good.zst
# the last byte before the trailer frame is the zstd frame's content checksum
python3 - "dbkeeper-backups/$n" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[b.rfind(struct.pack('<I', 0x184D2A5B)) - 1] ^= 1
open(p, 'wb').write(b)
PY
for fn in verify restore; do
  out=$(sq app.db "SELECT dbkeeper_$fn('$n');" 2>&1)
  check "corrupt/$fn" "$fn: dbkeeper's message, zstd's words as DETAIL" \
    "$(printf '%s\n' "$out" | sed 's/^Error: stepping, //')" \
    "backup \"$n\" is corrupt: its compressed data cannot be decompressed
DETAIL: zstd reported: Restored data doesn't match checksum."
done
cp good.zst "dbkeeper-backups/$n"

# ---- the log lines
rm -rf dbkeeper-backups
logged() { sq app.db ".log stderr" "$@" 2>&1 >/dev/null | grep '^(27) dbkeeper: '; }
name_re='app\.[0-9a-f]{8}-[0-9T:-]+Z(-[0-9]+)?'
out=$(logged "SELECT dbkeeper_config('keep_backups', 2, 'database');" "SELECT dbkeeper_backup();")
check log/backup "a backup: its name, database, bytes and seconds" \
  "$(printf '%s\n' "$out" | grep -Ec "^\(27\) dbkeeper: backup \"$name_re\.sqlite3\.zst\" of database \"app\.[0-9a-f]{8}\" written: [1-9][0-9]* bytes, in [0-9]+\.[0-9]{3} s$")" 1
logged "SELECT dbkeeper_backup();" >/dev/null
out=$(logged "SELECT dbkeeper_backup();")
oldest=$(ls dbkeeper-backups | grep -v latest | sort | head -1)
check log/auto-prune "the backup that pushed one out: a backup line, then a prune line naming it" \
  "$(printf '%s\n' "$out" | sed -E "s/$name_re/NAME/g; s/app\.[0-9a-f]{8}/DB/; s/[0-9]+\.[0-9]{3} s/S s/; s/[0-9]+ bytes/N bytes/g")" \
  "(27) dbkeeper: backup \"NAME.sqlite3.zst\" of database \"DB\" written: N bytes, in S s
(27) dbkeeper: pruned 1 backup of database \"DB\" (N bytes) in S s: \"NAME.sqlite3.zst\""
check log/auto-prune-file "and the file it names is gone" "$(ls dbkeeper-backups | grep -c "$(printf '%s\n' "$out" | sed -nE 's/.*pruned 1 backup.*: "(.*)"$/\1/p')")" 0
out=$(logged "SELECT dbkeeper_prune(1);")
check log/prune "an explicit prune lists what it deleted" \
  "$(printf '%s\n' "$out" | grep -Ec "^\(27\) dbkeeper: pruned 1 backup of database \"app\.[0-9a-f]{8}\" \([0-9]+ bytes\) in [0-9.]+ s: \"$name_re\.sqlite3\.zst\"$")" 1
out=$(logged "SELECT dbkeeper_prune(1);")
check log/prune-none "a prune that deleted nothing says so" \
  "$(printf '%s\n' "$out" | grep -Ec '^\(27\) dbkeeper: pruned no backups of database "app\.[0-9a-f]{8}" in [0-9.]+ s$')" 1
out=$(logged "SELECT dbkeeper_restore();")
check log/restore "a restore: the safety backup's line, then the restore's" \
  "$(printf '%s\n' "$out" | sed -E "s/$name_re/NAME/g; s/app\.[0-9a-f]{8}/DB/; s/[0-9]+\.[0-9]{3} s/S s/; s/[0-9]+ bytes/N bytes/g")" \
  "(27) dbkeeper: backup \"NAME-pre-restore.sqlite3.zst\" of database \"DB\" written: N bytes, in S s
(27) dbkeeper: database \"DB\" restored from backup \"NAME.sqlite3.zst\" (N bytes) in S s; safety backup \"NAME-pre-restore.sqlite3.zst\""
out=$(sq app.db "SELECT dbkeeper_backup();" 2>&1)
check log/silent-without-callback "without a log callback nothing is printed" "$(printf '%s\n' "$out" | grep -c dbkeeper:)" 0
