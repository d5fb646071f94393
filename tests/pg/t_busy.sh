#!/usr/bin/env bash
# tests/pg/t_busy.sh — backups and restores in a database other sessions use
# (issue 22), on a cluster of its own (tests/pg/run.sh has installed the
# extension and holds the install lock).  Table b is created before table a,
# so both phases meet b first (they lock in OID order).  No check measures
# time: that nobody was blocked is shown by the order of events.  A restore
# or backup waits with no limit of its own behind the idle session; the
# readers or writers run, one after the other, each in a new connection; only
# then does the test cancel the waiting call, which must end with "canceling
# statement due to user request".  A reader blocked until the call ended
# would still be waiting, and the call would end by the statement_timeout
# that keeps a broken build from hanging the test (120 s), saying so.
#
#   restore_readers     a session idle in transaction holds a row lock on a;
#       reads of b and of a all complete while a restore waits behind it;
#       then a restore under lock_timeout = 5s fails with 55P03 naming that
#       session (pid, application, "idle in transaction") and hinting at
#       pg_terminate_backend; nothing changed, no safety backup
#   restore_limits      dbkeeper.lock_wait_timeout ends the wait (55P03, not
#       the statement_timeout = 60s that keeps a hanging restore from hanging
#       the test) and is named in the message and the hint; a smaller
#       lock_timeout wins and is named instead; with neither set the default
#       limit (10 s) ends it
#   restore_waits       the idle session commits once the restore waits for
#       it: the restore, which waited, succeeds
#   backup_writers      a session idle in transaction after ALTER TABLE a
#       (ACCESS EXCLUSIVE); an ALTER TABLE b (a migration step) and writes to
#       b all complete while a backup waits behind it; then a backup under
#       lock_timeout = 5s fails with 55P03 naming the session; no backup file
#   backup_waits        the idle session commits once the backup waits for
#       it: the backup, which waited, succeeds
#   read_only_default   ALTER DATABASE ... SET default_transaction_read_only
#       = on, as GNUmed does: dbkeeper_maintenance_begin fails with 25006
#       and a hint naming the setting, dbkeeper_backup still works, and
#       README's recipe (SET default_transaction_read_only = off first) works
#
# DBK_BUSY_ONLY="restore_readers backup_writers" runs only the cases named.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_busy
. tests/pg/lib.sh
# A killed test must still stop its server (lib.sh's EXIT trap), which would
# otherwise keep the install lock the runner passed down.
trap 'exit 143' TERM INT HUP

start_cluster "max_connections = 40"

backups_count() { find "$BACKUPS" -maxdepth 1 -type f -name '*.sql.zst' | wc -l; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

createdb app
q -q -d app -c "CREATE EXTENSION dbkeeper" \
  -c "CREATE TABLE b (v int)" -c "INSERT INTO b SELECT g FROM generate_series(1, 1000) g" \
  -c "CREATE TABLE a (id int PRIMARY KEY, v int)" -c "INSERT INTO a SELECT g, g FROM generate_series(1, 1000) g" \
  || { fail setup "could not create the database"; exit 1; }
if ! good=$(q -d app -c "SELECT dbkeeper_backup('good')" 2>"$WORK/err"); then
  fail setup "backup failed: $(cat "$WORK/err")"; exit 1
fi

# idle_open APP SQL: a session named APP runs BEGIN; SQL and stays idle in
# transaction; IDLE_PID gets its pid.  idle_close ends it with COMMIT.
idle_open() {
  local app=$1 sql=$2
  rm -f "$WORK/idle.in"; mkfifo "$WORK/idle.in"
  PGAPPNAME=$app psql -X -q -d app <"$WORK/idle.in" >"$WORK/idle.out" 2>&1 &
  IDLE_PSQL=$!
  exec 7>"$WORK/idle.in"
  echo "BEGIN; $sql" >&7
  IDLE_PID=
  for _ in $(seq 1 200); do
    IDLE_PID=$(q -d app -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'
                             AND state = 'idle in transaction'")
    [ -n "$IDLE_PID" ] && return 0
    sleep 0.05
  done
  fail "$app" "the idle session did not start: $(cat "$WORK/idle.out")"
  return 1
}
idle_close() {
  echo "COMMIT;" >&7
  exec 7>&-
  wait "$IDLE_PSQL" 2>/dev/null
}

# waiting_for_lock TEXT: waits (at most 20 s) until a session whose query
# contains TEXT waits for a lock
waiting_for_lock() {
  for _ in $(seq 1 400); do
    [ "$(q -d app -c "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                       AND wait_event_type = 'Lock' AND strpos(query, \$\$$1\$\$) > 0")" != 0 ] && return 0
    sleep 0.05
  done
  return 1
}

# start_waiting ID CALL: runs SELECT CALL in the background with no lock
# limit of its own (dbkeeper.lock_wait_timeout = 0) and returns once it waits
# for a lock; WAITING_PID gets the psql.  statement_timeout only keeps a
# broken build from hanging the test.
start_waiting() {
  local id=$1 call=$2
  PGAPPNAME=dbk_$id psql -X -At -d app -c "SET dbkeeper.lock_wait_timeout = 0" \
    -c "SET statement_timeout = '120s'" -c "SELECT $call" >"$WORK/$id.waiting.out" 2>&1 &
  WAITING_PID=$!
  waiting_for_lock "$call"
}

# while_waiting ID N SQL...: runs each SQL N times, one after the other,
# each in a new connection; false, with the errors in WAITING_PROBLEMS, when
# one fails.  cancel_waiting ID then cancels the call start_waiting ID made:
# false, with the call's output in WAITING_PROBLEMS, unless that call was
# still running and ended by the cancel, which shows that every statement
# before it completed while the call waited.
while_waiting() {
  local id=$1 n=$2 sql i
  shift 2
  WAITING_PROBLEMS=""
  for sql in "$@"; do
    for i in $(seq 1 "$n"); do
      q -d app -c "$sql" >/dev/null 2>"$WORK/$id.err" ||
        { WAITING_PROBLEMS+="; $sql failed: $(cat "$WORK/$id.err")"; return 1; }
    done
  done
}
cancel_waiting() {
  local id=$1 out
  q -d app -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbk_$id'" >/dev/null
  wait "$WAITING_PID"
  out=$(cat "$WORK/$id.waiting.out")
  if ! grep -q '^ERROR:  canceling statement due to user request' <<<"$out"; then
    WAITING_PROBLEMS+="; the waiting call was not still running when the statements had completed: $out"
    return 1
  fi
}

# names_session ID OUT PID APP: OUT is a 55P03 error naming the session
names_session() {
  local id=$1 out=$2 pid=$3 app=$4
  if ! grep -q '^ERROR:  55P03: ' <<<"$out"; then
    fail "$id" "not a 55P03 error: $out"; return 1
  fi
  if ! grep -q "DETAIL: .*pid $pid (user \"postgres\", application \"$app\", idle in transaction for [0-9]* s)" <<<"$out"; then
    fail "$id" "the error does not name the idle session $pid ($app): $out"; return 1
  fi
  if ! grep -q "HINT: .*pg_terminate_backend($pid).*terminate_sessions => true" <<<"$out"; then
    fail "$id" "no hint at pg_terminate_backend or maintenance mode: $out"; return 1
  fi
  return 0
}

# limit_case SETTINGS...: restore with the settings, behind an idle session;
# LIMIT_OUT and LIMIT_MS get the error and the time it took (reported, never
# checked: the error's SQLSTATE tells a limit from the statement_timeout)
limit_case() {
  local args=() s t0
  for s in "$@"; do args+=(-c "$s"); done
  t0=$(now_ms)
  LIMIT_OUT=$(psql -X -At -d app -v VERBOSITY=verbose -c "SET statement_timeout = '60s'" "${args[@]}" -c "SELECT dbkeeper_restore('$good')" 2>&1)
  LIMIT_MS=$(( $(now_ms) - t0 ))
}

# ---------------------------------------------------------------- restore_readers
restore_readers() {
  local problems="" out
  dbsig app >"$WORK/app.before.sig"
  count_before=$(backups_count)
  if idle_open clinic_ui "SELECT * FROM a WHERE id = 1 FOR UPDATE;"; then
    if start_waiting restore "dbkeeper_restore('$good')"; then
      while_waiting restore 5 "SELECT count(*) FROM b" "SELECT count(*) FROM a"
      cancel_waiting restore
      problems+=$WAITING_PROBLEMS
    else
      problems+="; the restore never waited for a lock: $(cat "$WORK/restore.waiting.out")"
      kill "$WAITING_PID" 2>/dev/null; wait "$WAITING_PID"
    fi
    out=$(psql -X -At -d app -v VERBOSITY=verbose -c "SET lock_timeout = '5s'" \
            -c "SELECT dbkeeper_restore('$good')" 2>&1)
    dbsig app >"$WORK/app.after.sig"
    [ "$(backups_count)" != "$count_before" ] && problems+="; a safety backup was left behind"
    grep -q 'could not lock relation "public.a" within 5000 ms' <<<"$out" ||
      problems+="; the error does not name table a and the limit"
    if [ -n "$problems" ]; then
      fail restore_readers "${problems#; }: $out"
    elif names_session restore_readers "$out" "$IDLE_PID" clinic_ui &&
         sig_diff restore_readers "$WORK/app.before.sig" "$WORK/app.after.sig"; then
      pass restore_readers "(5 reads of b and 5 of a, each in a new connection, all done while a restore waited; then 55P03 at lock_timeout)"
    fi
    idle_close
  fi
}

# ---------------------------------------------------------------- restore_limits
restore_limits() {
  if idle_open clinic_ui "SELECT * FROM a WHERE id = 1 FOR UPDATE;"; then
    ok=1
    limit_case "SET dbkeeper.lock_wait_timeout = '2s'"
    if ! names_session restore_limits "$LIMIT_OUT" "$IDLE_PID" clinic_ui ||
       ! grep -q 'within 2000 ms' <<<"$LIMIT_OUT" || ! grep -q 'HINT: .*dbkeeper.lock_wait_timeout sets' <<<"$LIMIT_OUT"; then
      fail restore_limits "dbkeeper.lock_wait_timeout = 2s: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    s1=$LIMIT_MS
    limit_case "SET dbkeeper.lock_wait_timeout = '60s'" "SET lock_timeout = '2s'"
    if [ $ok = 1 ] && { ! names_session restore_limits "$LIMIT_OUT" "$IDLE_PID" clinic_ui ||
       ! grep -q 'within 2000 ms' <<<"$LIMIT_OUT" || ! grep -q 'HINT: .*lock_timeout sets' <<<"$LIMIT_OUT" ||
       grep -q 'dbkeeper.lock_wait_timeout sets' <<<"$LIMIT_OUT"; }; then
      fail restore_limits "lock_timeout = 2s under dbkeeper.lock_wait_timeout = 60s: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    s2=$LIMIT_MS
    limit_case
    if [ $ok = 1 ] && { ! names_session restore_limits "$LIMIT_OUT" "$IDLE_PID" clinic_ui ||
       ! grep -q 'within 10000 ms' <<<"$LIMIT_OUT"; }; then
      fail restore_limits "no setting: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    [ $ok = 1 ] && pass restore_limits "(2 s setting: $s1 ms; 2 s lock_timeout: $s2 ms; default: $LIMIT_MS ms)"
    idle_close
  fi
}

# ---------------------------------------------------------------- restore_waits
restore_waits() {
  local t0
  q -q -d app -c "INSERT INTO b VALUES (-1)"
  if idle_open clinic_ui "SELECT * FROM a WHERE id = 1 FOR UPDATE;"; then
    t0=$(now_ms)
    PGAPPNAME=dbk_restore_waits psql -X -At -v ON_ERROR_STOP=1 -d app -c "SET dbkeeper.lock_wait_timeout = 0" \
      -c "SET statement_timeout = '120s'" -c "SELECT dbkeeper_restore('$good')" >"$WORK/waits.out" 2>&1 &
    waiter=$!
    waiting_for_lock "dbkeeper_restore('$good')" || fail restore_waits "the restore never waited for a lock"
    idle_close
    if wait $waiter && [ "$(q -d app -c "SELECT count(*) FROM b WHERE v = -1")" = 0 ]; then
      pass restore_waits "(restored after waiting $(( $(now_ms) - t0 )) ms)"
    else
      fail restore_waits "the restore failed: $(cat "$WORK/waits.out")"
    fi
  fi
}

# ---------------------------------------------------------------- backup_writers
backup_writers() {
  local problems="" out
  count_before=$(backups_count)
  if idle_open migration_tool "ALTER TABLE a ADD COLUMN extra int;"; then
    if start_waiting backup "dbkeeper_backup('busy')"; then
      while_waiting backup 1 "ALTER TABLE b ALTER COLUMN v SET DEFAULT 0" &&
        while_waiting backup 5 "INSERT INTO b VALUES (1)"
      cancel_waiting backup
      problems+=$WAITING_PROBLEMS
    else
      problems+="; the backup never waited for a lock: $(cat "$WORK/backup.waiting.out")"
      kill "$WAITING_PID" 2>/dev/null; wait "$WAITING_PID"
    fi
    out=$(psql -X -At -d app -v VERBOSITY=verbose -c "SET lock_timeout = '5s'" -c "SELECT dbkeeper_backup('busy')" 2>&1)
    [ "$(backups_count)" != "$count_before" ] && problems+="; a backup file was written"
    grep -q 'dbkeeper_backup() could not lock relation "public.a" within 5000 ms' <<<"$out" ||
      problems+="; the error does not name table a and the limit"
    if [ -n "$problems" ]; then
      fail backup_writers "${problems#; }: $out"
    elif names_session backup_writers "$out" "$IDLE_PID" migration_tool; then
      pass backup_writers "(ALTER TABLE b and 5 writes to b, each in a new connection, all done while a backup waited; then 55P03 at lock_timeout)"
    fi
    idle_close
  fi
}

# ---------------------------------------------------------------- backup_waits
backup_waits() {
  local t0
  count_before=$(backups_count)
  if idle_open migration_tool "ALTER TABLE a ADD COLUMN extra2 int;"; then
    t0=$(now_ms)
    psql -X -At -v ON_ERROR_STOP=1 -d app -c "SET dbkeeper.lock_wait_timeout = 0" -c "SET statement_timeout = '120s'" \
      -c "SELECT dbkeeper_backup('waited')" >"$WORK/waits.out" 2>&1 &
    waiter=$!
    waiting_for_lock "dbkeeper_backup('waited')" || fail backup_waits "the backup never waited for a lock"
    idle_close
    if wait $waiter && [ "$(backups_count)" = $((count_before + 1)) ]; then
      pass backup_waits "(backed up after waiting $(( $(now_ms) - t0 )) ms)"
    else
      fail backup_waits "the backup failed: $(cat "$WORK/waits.out")"
    fi
  fi
}

# ---------------------------------------------------------------- read_only_default
read_only_default() {
  q -q -d postgres -c "ALTER DATABASE app SET default_transaction_read_only = on"
  out=$(psql -X -At -d app -v VERBOSITY=verbose -c "SELECT dbkeeper_maintenance_begin('Upgrade v21 to v22')" 2>&1)
  if ! grep -q '^ERROR:  25006: cannot execute dbkeeper_maintenance_begin() in a read-only transaction' <<<"$out" ||
     ! grep -q '^HINT:  Run SET default_transaction_read_only = off before the transaction' <<<"$out"; then
    fail read_only_default "unexpected: $out"
  elif ! out=$(q -d app -c "SELECT dbkeeper_backup('read-only')" 2>&1); then
    fail read_only_default "a backup failed in the read-only database: $out"
  elif ! out=$(q -d app -c "SET default_transaction_read_only = off" \
                 -c "SELECT dbkeeper_maintenance_begin('Upgrade v21 to v22')" \
                 -c "SELECT dbkeeper_schema_register('v21')" \
                 -c "SELECT dbkeeper_maintenance_end()" 2>&1); then
    fail read_only_default "README's recipe failed: $out"
  elif [ "$(q -d app -c "SELECT count(*) FROM dbkeeper_schema_version WHERE version = 'v21'")" != 1 ]; then
    fail read_only_default "the recipe did not register the schema"
  else
    pass read_only_default
  fi
  q -q -d postgres -c "ALTER DATABASE app RESET default_transaction_read_only"
}

for t in restore_readers restore_limits restore_waits backup_writers backup_waits read_only_default; do
  if [[ " ${DBK_BUSY_ONLY:-$t} " == *" $t "* ]]; then "$t"; fi
done
