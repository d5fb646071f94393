#!/usr/bin/env bash
# tests/sqlite/t_maintenance.sh — maintenance mode across processes on
# SQLite: three processes, as a Django deployment has them:
#   maintainer   begins maintenance and keeps its connection; gets a token
#   upgrader     a separate process handed the token (environment variable
#                or dbkeeper_config); runs a real schema migration
#   application  a process that loaded dbkeeper before maintenance began,
#                and new ones started during it: every write refused, through
#                any schema name the file is attached under, and the guards
#                cannot be dropped
# Then: the cost of loading does not grow with the tables (no guards while
# maintenance is off), and an application's own authorizer keeps working.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

MSG='Upgrade v21 → v22 in progress, back at 02:00'
DB=$T/app.db
sqlite3 "$DB" "CREATE TABLE patient(id INTEGER PRIMARY KEY, name TEXT);
               CREATE TABLE visit(id INTEGER PRIMARY KEY, patient INTEGER, at TEXT);
               INSERT INTO patient(name) VALUES ('Ada'), ('Grace');"

# start_proc NAME ENV...: a sqlite3 process with dbkeeper loaded, reading
# SQL from a FIFO; run_in NAME SQL runs SQL in it and waits; out_of NAME
# prints what the last run_in printed.
declare -A FD COUNT
next_fd=10
start_proc() {
  local name=$1
  shift
  mkfifo "$T/$name.in"
  : > "$T/$name.out"
  env "$@" LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch "$DB" ".load $DBK_SQLITE_EXT" ".bail off" \
    ".read $T/$name.in" >"$T/$name.out" 2>&1 &
  eval "exec $next_fd<>\"$T/$name.in\""
  FD[$name]=$next_fd
  COUNT[$name]=0
  next_fd=$((next_fd + 1))
}
run_in() {
  local name=$1 n
  COUNT[$name]=$((COUNT[$name] + 1))
  n=${COUNT[$name]}
  printf '%s;\nSELECT %s;\n' "$2" "'done-$n'" >&"${FD[$name]}"
  for _ in $(seq 1 400); do grep -q "^done-$n\$" "$T/$name.out" && return 0; sleep 0.05; done
  echo "FAIL sqlite/maint/harness process $name did not answer"
  return 1
}
out_of() {
  local name=$1 n=${COUNT[$1]}
  awk -v from="done-$((n - 1))" -v to="done-$n" -v first="$((n == 1))" \
    'BEGIN { p = first } $0 == to { exit } p; $0 == from { p = 1 }' "$T/$name.out"
}
# The error text of the last run_in, without the shell's prefix and code.
err_of() { out_of "$1" | head -1 | sed 's/^[^:]*: *//; s/^[^,]*, //; s/ ([0-9]*)$//'; }

start_proc app
run_in app "INSERT INTO patient(name) VALUES ('before')"
check maint/app-writes-before "the application writes before maintenance" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM patient WHERE name = 'before'")" 1

# ---- the maintainer ----
start_proc maint
run_in maint "SELECT dbkeeper_maintenance_begin('$MSG')"
TOKEN=$(out_of maint)
check maint/token "maintenance_begin returns a token of 32 hex digits" \
  "$(printf '%s' "$TOKEN" | grep -Ec '^[0-9a-f]{32}$')" 1
run_in maint "INSERT INTO visit(patient, at) VALUES (1, 'by the DBA')"
check maint/maintainer-writes "the maintainer keeps writing" "$(out_of maint)" ""

# ---- the application, loaded before maintenance began ----
run_in app "INSERT INTO patient(name) VALUES ('during')"
check maint/app-insert "a running application: INSERT refused" "$(err_of app)" "not authorized"
run_in app "UPDATE patient SET name = 'x'"
check maint/app-update "a running application: UPDATE refused" "$(err_of app)" "not authorized"
run_in app "CREATE TABLE extra(x)"
check maint/app-ddl "a running application: CREATE TABLE refused" "$(err_of app)" "not authorized"
run_in app "ATTACH '$DB' AS m2"
run_in app "INSERT INTO m2.patient(name) VALUES ('via m2')"
check maint/app-attach-insert "a running application: INSERT through another schema name refused" "$(err_of app)" "not authorized"
run_in app "DELETE FROM m2.patient"
check maint/app-attach-delete "a running application: DELETE through another schema name refused" "$(err_of app)" "not authorized"
run_in app "CREATE TABLE m2.x(y)"
check maint/app-attach-create "a running application: CREATE TABLE through another schema name refused" "$(err_of app)" "not authorized"
run_in app "DROP TABLE m2.visit"
check maint/app-attach-drop "a running application: DROP TABLE through another schema name refused" "$(err_of app)" "not authorized"
run_in app "SELECT count(*) FROM m2.patient"
check maint/app-reads "a running application still reads" "$(out_of app)" 3

# ---- an application process started during maintenance ----
check_error maint/new-insert "a new process: INSERT fails with the maintenance message" "$MSG" "$DB" \
  "INSERT INTO patient(name) VALUES ('x')"
check_error maint/new-detail "a new process: the error says why" \
  "DETAIL: The database is in maintenance mode" "$DB" "DELETE FROM patient"
check_error maint/new-attach "a new process: INSERT through ATTACH refused" "not authorized|$MSG" "$DB" \
  "ATTACH '$DB' AS m2; INSERT INTO m2.patient(name) VALUES ('x')"
check_error maint/new-attach-ddl "a new process: DDL through ATTACH refused" "not authorized|$MSG" "$DB" \
  "ATTACH '$DB' AS m2; CREATE TABLE m2.x(y)"
check_error maint/drop-guard "a new process cannot drop a guard trigger" "not authorized" "$DB" \
  "DROP TRIGGER temp.\"dbkeeper_guard_patient_INSERT\""
check_error maint/drop-guard-then-insert "dropping the guard and inserting is refused as a whole" "not authorized|$MSG" "$DB" \
  "DROP TRIGGER IF EXISTS temp.\"dbkeeper_guard_patient_INSERT\"; INSERT INTO patient(name) VALUES ('x')"
check_error maint/writable-schema "writable_schema cannot remove the guards" "not authorized" "$DB" \
  "PRAGMA temp.writable_schema = 1; DELETE FROM temp.sqlite_master"
check_error maint/wrong-token "a wrong token is not admitted" "$MSG" "$DB" \
  "SELECT dbkeeper_config('maintenance_token', '0123456789abcdef0123456789abcdef'); INSERT INTO patient(name) VALUES ('x')"
check_error maint/begin-other "beginning maintenance again from a process not admitted is refused" \
  "already in maintenance" "$DB" "SELECT dbkeeper_maintenance_begin('mine now')"
check maint/nothing-written "nothing the application tried was written" \
  "$(sqlite3 "$DB" "SELECT group_concat(name, ','), (SELECT count(*) FROM sqlite_schema WHERE name IN ('extra', 'x')), (SELECT count(*) FROM visit) FROM patient")" \
  "Ada,Grace,before|0|1"

# ---- the upgrader: a separate process with the token ----
out=$(DBKEEPER_MAINTENANCE_TOKEN=$TOKEN sq "$DB" \
  "ALTER TABLE patient ADD COLUMN born TEXT;
   UPDATE patient SET born = CASE name WHEN 'Ada' THEN '1815' WHEN 'Grace' THEN '1906' END;
   CREATE INDEX patient_born ON patient(born);
   CREATE TABLE m0022_done(at TEXT); INSERT INTO m0022_done VALUES ('now');
   PRAGMA user_version = 22;
   SELECT count(*) FROM patient WHERE born IS NOT NULL;" 2>&1)
check maint/upgrader-env "the upgrader admitted by DBKEEPER_MAINTENANCE_TOKEN migrates schema and data" "$out" 2
out=$(sq "$DB" "SELECT dbkeeper_config('maintenance_token', '$TOKEN');" \
  "ATTACH '$DB' AS m2; UPDATE m2.patient SET born = '1815-12-10' WHERE name = 'Ada'; SELECT born FROM patient WHERE name = 'Ada';" 2>&1)
check maint/upgrader-config "the upgrader admitted by dbkeeper_config('maintenance_token') writes, through ATTACH too" \
  "$out" "$TOKEN
1815-12-10"

# The application is still refused after the migration changed the schema.
run_in app "INSERT INTO patient(name) VALUES ('after migration')"
check maint/app-after-migration "a running application is still refused after the migration" "$(err_of app)" "not authorized"
check_error maint/new-after-migration "a new process is still refused, with the message" "$MSG" "$DB" \
  "INSERT INTO patient(name, born) VALUES ('x', '2000')"

# ---- the maintainer ends it; everybody writes again ----
run_in maint "SELECT dbkeeper_maintenance_end()"
run_in app "INSERT INTO patient(name, born) VALUES ('after', '1990')"
check maint/app-after "the running application writes again after the end" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM patient WHERE name = 'after'")" 1
check maint/new-after "a new process writes again" \
  "$(sq "$DB" "INSERT INTO patient(name) VALUES ('new'); SELECT count(*) FROM patient WHERE name = 'new'")" 1
check maint/migrated "the migration is all there" \
  "$(sqlite3 "$DB" "PRAGMA user_version" "SELECT count(*) FROM m0022_done")" "22
1"
for p in app maint; do eval "exec ${FD[$p]}>&-"; done
wait

# ---- an application's own authorizer ----
# Set after the load (the shell's .auth): it runs, and maintenance still
# refuses writes (at commit, with SQLite's fixed text).
sq "$DB" "SELECT dbkeeper_maintenance_begin('$MSG')" >/dev/null
out=$(sq "$DB" ".auth on" "ATTACH '$DB' AS m2" "INSERT INTO m2.visit(patient, at) VALUES (2, 'x')" 2>&1)
check maint/auth-after-runs "an authorizer set after the load runs" \
  "$(printf '%s\n' "$out" | grep -c '^authorizer: INSERT "visit"')" 1
check maint/auth-after-guard "with it, writes during maintenance are still refused, at commit" \
  "$(printf '%s\n' "$out" | grep -c 'constraint failed')|$(sqlite3 "$DB" "SELECT count(*) FROM visit WHERE at = 'x'")" "1|0"
out=$(sq "$DB" ".auth on" "INSERT INTO visit(patient, at) VALUES (2, 'x')" 2>&1)
check maint/auth-after-message "with it, the guard triggers still give the message" \
  "$(printf '%s\n' "$out" | grep -c "$MSG")|$(sqlite3 "$DB" "SELECT count(*) FROM visit WHERE at = 'x'")" "1|0"
sqlite3 "$DB" "UPDATE dbkeeper_banner_state SET maintenance_message = NULL, maintenance_token = NULL"
out=$(sq "$DB" ".auth on" "INSERT INTO visit(patient, at) VALUES (2, 'y'); SELECT count(*) FROM visit WHERE at = 'y'" 2>&1)
check maint/auth-after-off "outside maintenance an authorizer set after the load changes nothing else" \
  "$(printf '%s\n' "$out" | tail -1)" 1

# Registered through dbkeeper from C (before or after the load): both run.
if cc -O1 -g -o "$T/auth_chain" "$HERE/auth_chain.c" -lsqlite3 2>"$T/cc.err"; then
  sq "$DB" "SELECT dbkeeper_maintenance_begin('$MSG')" >/dev/null
  out=$(LD_PRELOAD="${DBK_PRELOAD:-}" "$T/auth_chain" "$DB" "$DBK_SQLITE_EXT" 2>&1)
  check maint/auth-chain "an authorizer registered with dbkeeper_authorizer() runs and can deny; maintenance still refuses" \
    "$out" "select: allowed, app authorizer called
delete visit: 23 not authorized (by the application)
ddl: 23 not authorized"
  sq "$DB" "SELECT dbkeeper_maintenance_end()" >/dev/null
else
  echo "FAIL sqlite/maint/auth-chain-build the helper does not compile: $(head -3 "$T/cc.err")"
fi

# ---- loading costs no work per table outside maintenance ----
sqlite3 "$T/many.db" "$(for i in $(seq 1 300); do printf 'CREATE TABLE t%d(id INTEGER PRIMARY KEY, v TEXT);' "$i"; done)"
check maint/no-guards-outside "outside maintenance, loading creates no trigger" \
  "$(sq "$T/many.db" "SELECT count(*) FROM temp.sqlite_master")" 0
sq "$T/many.db" "SELECT dbkeeper_maintenance_begin('m')" >/dev/null
check maint/guards-during "during maintenance a new connection gets its guards" \
  "$(sq "$T/many.db" "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'dbkeeper_guard_%'")" 900
