#!/usr/bin/env bash
# tests/sqlite/t_banner.sh — logon banner and maintenance mode on SQLite,
# with separate sqlite3 processes: the one that begins maintenance keeps
# writing; another one started during maintenance is refused on INSERT,
# UPDATE and DELETE with the banner as the error (guard triggers made at its
# load), one started before by the authorizer ("not authorized"), DDL by the
# authorizer; both still read; maintenance_end lifts it for everyone.
# (tests/sqlite/t_maintenance.sh: the token, ATTACH, chained authorizers.)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

MSG='Upgrade v21 → v22 in progress, back at 02:00'
DB=app.db
sqlite3 "$DB" "CREATE TABLE patient(id INTEGER PRIMARY KEY, name TEXT);
               INSERT INTO patient(name) VALUES ('Ada'), ('Grace');"

# ---- functions ----
check banner/none "no banner at first" "$(sq "$DB" "SELECT quote(dbkeeper_banner()), dbkeeper_in_maintenance()")" "NULL|0"
check_error banner/set-null "NULL is refused" '^.*banner message cannot be NULL' "$DB" "SELECT dbkeeper_banner_set(NULL)"
check_error banner/set-blank "a blank message is refused" 'banner message must not be empty or blank' "$DB" "SELECT dbkeeper_banner_set(' '||char(9)||char(10))"
check_error banner/set-empty "an empty message is refused" 'banner message must not be empty or blank' "$DB" "SELECT dbkeeper_banner_set('')"
check_error banner/set-long "a message over 4000 bytes is refused" 'banner message is too long: 4001 bytes' "$DB" "SELECT dbkeeper_banner_set(printf('%.4001c', 'x'))"
check_error banner/begin-null "maintenance_begin refuses NULL" 'banner message cannot be NULL' "$DB" "SELECT dbkeeper_maintenance_begin(NULL)"
check_error banner/begin-blank "maintenance_begin refuses a blank message" 'banner message must not be empty or blank' "$DB" "SELECT dbkeeper_maintenance_begin('   ')"
check banner/still-none "refused messages change nothing" "$(sq "$DB" "SELECT quote(dbkeeper_banner()), dbkeeper_in_maintenance()")" "NULL|0"

LONG=$(printf 'Mise à jour v21 → v22, retour à 02:00 — %.0s' $(seq 1 60))
sq "$DB" "SELECT dbkeeper_banner_set('$LONG')" >/dev/null
check banner/long-nonascii "a long non-ASCII banner is kept exactly" "$(sq "$DB" "SELECT dbkeeper_banner()")" "$LONG"
sq "$DB" "SELECT dbkeeper_banner_set('Server moves on Friday')" >/dev/null
check banner/set "the banner is set" "$(sq "$DB" "SELECT dbkeeper_banner()")" "Server moves on Friday"
sq "$DB" "SELECT dbkeeper_banner_clear()" >/dev/null
check banner/clear "the banner is cleared" "$(sq "$DB" "SELECT quote(dbkeeper_banner())")" "NULL"
sq "$DB" "SELECT dbkeeper_banner_set('Server moves on Friday')" >/dev/null
check_error banner/direct-only "the functions cannot be called from a trigger" 'unsafe use of dbkeeper_maintenance_begin' "$DB" \
  "CREATE TRIGGER sneaky AFTER INSERT ON patient BEGIN SELECT dbkeeper_maintenance_begin('x'); END;
   INSERT INTO patient(name) VALUES ('x')"
sq "$DB" "DROP TRIGGER IF EXISTS sneaky; DELETE FROM patient WHERE name = 'x'" >/dev/null

check banner/rollback "maintenance begun in a transaction that rolls back never starts" \
  "$(sq "$DB" "BEGIN; SELECT dbkeeper_maintenance_begin('x'); ROLLBACK; SELECT dbkeeper_in_maintenance();" | tail -1)" "0"

# ---- a second process that loaded dbkeeper before maintenance begins ----
FIFO=$T/cmds
mkfifo "$FIFO"
: > "$T/b.out"
sq "$DB" ".bail off" ".read $FIFO" >"$T/b.out" 2>&1 &
B=$!
exec 3<>"$FIFO"
n=0
# b SQL: runs SQL in process B and waits for it to finish.
b() {
  n=$((n + 1))
  printf '%s;\nSELECT %s;\n' "$1" "'done-$n'" >&3
  for _ in $(seq 1 200); do grep -q "^done-$n\$" "$T/b.out" && return 0; sleep 0.05; done
  return 1
}
# b_out: what process B printed for the last b call.
b_out() {
  awk -v from="done-$((n - 1))" -v to="done-$n" '$0 == to { exit } p; $0 == from { p = 1 }' "$T/b.out"
}
b "INSERT INTO patient(name) VALUES ('before')"
check banner/b-writes-before "the other process writes before maintenance" "$(sqlite3 "$DB" "SELECT count(*) FROM patient WHERE name = 'before'")" 1

# ---- maintenance, begun by process A, which keeps writing ----
out=$(sq "$DB" "SELECT length(dbkeeper_maintenance_begin('$MSG'));
                INSERT INTO patient(name) VALUES ('by the DBA');
                UPDATE patient SET name = 'Ada L.' WHERE name = 'Ada';
                CREATE TABLE upgrade_log(step TEXT);
                DELETE FROM patient WHERE name = 'by the DBA';
                SELECT dbkeeper_in_maintenance(), dbkeeper_banner();" 2>&1)
check banner/owner-writes "the connection that began maintenance keeps writing, DDL included" "$out" "32
1|$MSG"

b "INSERT INTO patient(name) VALUES ('during')"
check banner/b-insert "a running process: INSERT is refused by the authorizer" \
  "$(b_out | head -1)" "Parse error near line $((2 * n - 1)): not authorized (23)"
b "UPDATE patient SET name = 'changed'"
check banner/b-update "a running process: UPDATE is refused" "$(b_out | head -1 | sed 's/.*: //; s/ ([0-9]*)$//')" "not authorized"
b "DELETE FROM patient"
check banner/b-delete "a running process: DELETE is refused" "$(b_out | head -1 | sed 's/.*: //; s/ ([0-9]*)$//')" "not authorized"
b "CREATE TABLE b_table(x)"
check banner/b-ddl "a running process: DDL is refused" "$(b_out | head -1 | sed 's/.*: //; s/ ([0-9]*)$//')" "not authorized"
b "INSERT INTO upgrade_log VALUES ('x')"
check banner/b-new-table "a running process: rows of a table created after its load are refused" \
  "$(b_out | head -1 | sed 's/.*: //; s/ ([0-9]*)$//')" "not authorized"
b "SELECT count(*) FROM patient"
check banner/b-read "a running process still reads" "$(b_out)" 3
check banner/b-nothing-written "nothing the other process tried was written" \
  "$(sqlite3 "$DB" "SELECT group_concat(name, ','), (SELECT count(*) FROM sqlite_schema WHERE name = 'b_table'), (SELECT count(*) FROM upgrade_log) FROM patient ORDER BY id")" \
  "Ada L.,Grace,before|0|0"

# ---- a process started during maintenance ----
check_error banner/insert "INSERT fails with the banner as the error" "^(Runtime|Error).*$MSG" "$DB" "INSERT INTO patient(name) VALUES ('x')"
check_error banner/update "UPDATE fails with the banner" "^(Runtime|Error).*$MSG" "$DB" "UPDATE patient SET name = 'x'"
check_error banner/delete "DELETE fails with the banner" "^(Runtime|Error).*$MSG" "$DB" "DELETE FROM patient"
check_error banner/detail "the error says why" "DETAIL: The database is in maintenance mode: writes are refused until dbkeeper_maintenance_end\(\) is called" "$DB" "DELETE FROM patient"
check_error banner/create-table "CREATE TABLE is refused" "not authorized" "$DB" "CREATE TABLE x(y)"
check_error banner/drop-table "DROP TABLE is refused" "not authorized" "$DB" "DROP TABLE patient"
check_error banner/alter-table "ALTER TABLE is refused" "not authorized" "$DB" "ALTER TABLE patient ADD COLUMN born TEXT"
check_error banner/create-index "CREATE INDEX is refused" "not authorized" "$DB" "CREATE INDEX patient_name ON patient(name)"
check_error banner/pragma "PRAGMA user_version = n is refused" "not authorized" "$DB" "PRAGMA user_version = 7"
check_error banner/guarded-new "a table created before the load is guarded: the banner again" "^(Runtime|Error).*$MSG" "$DB" "INSERT INTO upgrade_log VALUES ('x')"
check banner/reads "a process started during maintenance reads" "$(sq "$DB" "SELECT count(*) FROM patient")" 3
check banner/temp "temporary tables stay writable" "$(sq "$DB" "CREATE TEMP TABLE scratch(x); INSERT INTO scratch VALUES (1); SELECT count(*) FROM scratch")" 1
check banner/banner-during "dbkeeper_banner() returns the maintenance message" "$(sq "$DB" "SELECT dbkeeper_banner(), dbkeeper_in_maintenance()")" "$MSG|1"
check_error banner/no-token-forgery "writing the state table by hand is refused too" "not authorized" "$DB" \
  "UPDATE dbkeeper_banner_state SET maintenance_token = NULL"

# A long non-ASCII maintenance message is the whole error.
sq "$DB" "SELECT dbkeeper_maintenance_end(); SELECT dbkeeper_maintenance_begin('$LONG')" >/dev/null
check_error banner/long-error "a long non-ASCII message is the whole error" "$LONG" "$DB" "INSERT INTO patient(name) VALUES ('x')"
sq "$DB" "SELECT dbkeeper_maintenance_end(); SELECT dbkeeper_maintenance_begin('$MSG')" >/dev/null

# ---- another process ends it, for everyone ----
sq "$DB" "SELECT dbkeeper_maintenance_end()" >/dev/null
b "INSERT INTO patient(name) VALUES ('after')"
check banner/b-after "the running process writes again after maintenance_end" "$(sqlite3 "$DB" "SELECT count(*) FROM patient WHERE name = 'after'")" 1
check banner/after "a new process writes again and sees the banner" \
  "$(sq "$DB" "INSERT INTO patient(name) VALUES ('new'); SELECT dbkeeper_banner(), dbkeeper_in_maintenance()")" "Server moves on Friday|0"
exec 3>&-
wait "$B"

# ---- statements prepared before maintenance began ----
# A program that keeps prepared statements, as statement caches do.  (The
# sqlite3 shell prepares each statement just before running it.)
HELPER_SRC=$HERE/banner_prepared.c
if cc -O1 -g -o "$T/banner_prepared" "$HELPER_SRC" -lsqlite3 2>"$T/cc.err"; then
  PFIFO=$T/prepared
  mkfifo "$PFIFO"
  LD_PRELOAD="${DBK_PRELOAD:-}" "$T/banner_prepared" "$DB" "$DBK_SQLITE_EXT" <"$PFIFO" >"$T/prepared.out" 2>&1 &
  P=$!
  exec 5>"$PFIFO"
  for _ in $(seq 1 200); do grep -q '^ready$' "$T/prepared.out" && break; sleep 0.05; done
  sq "$DB" "SELECT dbkeeper_maintenance_begin('$MSG')" >/dev/null
  echo go >&5
  exec 5>&-
  wait "$P"
  check banner/prepared-guarded "a statement prepared before maintenance: INSERT is authorized again and refused" \
    "$(sed -n 's/^guarded: //p' "$T/prepared.out" | head -1)" "23 not authorized"
  check banner/prepared-unguarded "a statement prepared before maintenance on an unguarded table is authorized again and refused" \
    "$(sed -n 's/^unguarded: //p' "$T/prepared.out")" "23 not authorized"
  check banner/prepared-ddl "DDL prepared before maintenance is authorized again and refused" \
    "$(sed -n 's/^ddl: //p' "$T/prepared.out")" "23 not authorized"
  sq "$DB" "SELECT dbkeeper_maintenance_end()" >/dev/null
else
  echo "FAIL sqlite/banner/prepared-build the helper does not compile: $(head -3 "$T/cc.err")"
fi

# ---- loading while another process holds the file locked ----
LOCKFIFO=$T/lock
mkfifo "$LOCKFIFO"
sqlite3 "$DB" ".read $LOCKFIFO" >/dev/null 2>&1 &
L=$!
exec 4<>"$LOCKFIFO"
printf 'BEGIN EXCLUSIVE;\nINSERT INTO patient(name) VALUES (%s);\n' "'locker'" >&4
for _ in $(seq 1 100); do sqlite3 "$DB" "SELECT 1" >/dev/null 2>&1 || break; sleep 0.05; done
check banner/load-locked "dbkeeper loads while another process holds the database locked" \
  "$(sq "$DB" "SELECT 'loaded'" 2>&1)" "loaded"
printf 'ROLLBACK;\n' >&4
exec 4>&-
wait "$L"

# ---- an in-memory database: one connection, which keeps writing ----
check banner/memory "an in-memory database keeps working for its only connection" \
  "$(sq :memory: "CREATE TABLE t(x); SELECT length(dbkeeper_maintenance_begin('m')); INSERT INTO t VALUES (1); SELECT dbkeeper_maintenance_end(); SELECT count(*) FROM t")" "32

1"
