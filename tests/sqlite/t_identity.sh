#!/usr/bin/env bash
# tests/sqlite/t_identity.sh — two SQLite databases with the same file name
# (a/data.db, b/data.db) and one backup directory never mix: names and
# latest links differ, and restore, verify and prune act only on this
# database's backups unless from_other_database.  A copy of a file is a new
# database unless the user says otherwise (dbkeeper_identity_adopt).
. "$(dirname "$0")/lib.sh"

export DBKEEPER_BACKUP_DIR=$T/shared-backups
mkdir -p a b
sqlite3 a/data.db "CREATE TABLE who(name TEXT); INSERT INTO who VALUES ('A');"
sqlite3 b/data.db "CREATE TABLE who(name TEXT); INSERT INTO who VALUES ('B');"
na=$(sq a/data.db "SELECT dbkeeper_backup()")
nb=$(sq b/data.db "SELECT dbkeeper_backup()")
check identity/names-differ "the two backups' names start differently" \
  "$([ "${na%%-20*}" != "${nb%%-20*}" ] && echo yes)" yes
check identity/two-links "each database has its own latest link" \
  "$(find "$DBKEEPER_BACKUP_DIR" -type l -name 'data*-latest.sqlite3.zst' | wc -l)" 2
check identity/ids-differ "each database has an identity of its own" \
  "$([ "$(sq a/data.db "SELECT dbkeeper_identity()")" != "$(sq b/data.db "SELECT dbkeeper_identity()")" ] && echo yes)" yes

sqlite3 a/data.db "UPDATE who SET name = 'A changed'"
sq a/data.db "SELECT dbkeeper_restore()" >/dev/null
check identity/restore-latest "restore() in A restores A's latest, not B's" "$(sqlite3 a/data.db "SELECT name FROM who")" A
check_error identity/restore-other "restore of B's backup in A is refused" "is of another database" a/data.db \
  "SELECT dbkeeper_restore('$nb')"
check identity/restore-other-unchanged "and A is unchanged" "$(sqlite3 a/data.db "SELECT name FROM who")" A
sq a/data.db "SELECT dbkeeper_restore('$nb', true)" >/dev/null
check identity/restore-other-forced "with from_other_database it restores B's rows" "$(sqlite3 a/data.db "SELECT name FROM who")" B
sq a/data.db "SELECT dbkeeper_restore('$na')" >/dev/null
check_error identity/verify-other "verify of B's backup in A is refused, naming the way round it" \
  "dbkeeper_verify\\('$nb', true\\)" a/data.db "SELECT dbkeeper_verify('$nb')"
check identity/verify-other-forced "with from_other_database it verifies B's backup" \
  "$(sq a/data.db "SELECT dbkeeper_verify('$nb', true)")" 1

# Prune in A leaves B's only backup alone; verify in A checks A's.
for i in 1 2 3; do na=$(sq a/data.db "SELECT dbkeeper_backup()"); done
sq a/data.db "SELECT dbkeeper_prune(1)" >/dev/null
check identity/prune "prune(1) in A keeps B's only backup" "$(test -f "$DBKEEPER_BACKUP_DIR/$nb" && echo kept)" kept
check identity/verify "verify() in A checks A's latest" \
  "$(sq a/data.db "SELECT dbkeeper_verify(), (SELECT name FROM dbkeeper_backups() WHERE is_latest AND database = (SELECT database FROM dbkeeper_backups() WHERE name = '$nb'))")" "1|$nb"

# A copy is another database until the user says otherwise.
mkdir c
cp a/data.db c/data.db
sqlite3 c/data.db "UPDATE who SET name = 'C'"
check_error identity/copy-no-latest "a copy does not restore the original's latest" "there is no backup of database" c/data.db \
  "SELECT dbkeeper_restore()"
check_error identity/copy-refused "a copy refuses the original's backup by name" "copied or moved from .*/a/data.db" c/data.db \
  "SELECT dbkeeper_restore('$na')"
check identity/copy-unchanged "and the copy is unchanged" "$(sqlite3 c/data.db "SELECT name FROM who")" C
# A move, adopted: the same database, its backups and latest link follow.
mkdir d
mv a/data.db d/data.db
id_a=$(sq d/data.db "SELECT dbkeeper_identity_adopt()")
check identity/adopt "adopt keeps the id" "$(printf '%s' "$id_a" | grep -Ec '^[0-9a-f]{32}$')" 1
sqlite3 d/data.db "UPDATE who SET name = 'moved'"
sq d/data.db "SELECT dbkeeper_restore()" >/dev/null
check identity/adopt-restore "after adopt, restore() finds the backups taken before the move" "$(sqlite3 d/data.db "SELECT name FROM who")" A
