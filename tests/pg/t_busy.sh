#!/usr/bin/env bash
# tests/pg/t_busy.sh — backups and restores in a database other sessions use
# (issue 22), on a cluster of its own (tests/pg/run.sh has installed the
# extension and holds the install lock).  Table b is created before table a,
# so both phases meet b first (they lock in OID order).  Timings are only
# bounded from above, generously: the limits are seconds, the waits they
# must not allow are seconds too, and the machine may be loaded.
#
#   restore_readers     a session idle in transaction holds a row lock on a;
#       a restore under lock_timeout = 5s fails with 55P03 naming that
#       session (pid, application, "idle in transaction") and hinting at
#       pg_terminate_backend; meanwhile readers of b and of a were never
#       blocked for more than 2.5 s; nothing changed, no safety backup
#   restore_limits      dbkeeper.lock_wait_timeout bounds the wait and is
#       named in the hint; a smaller lock_timeout wins and is named instead;
#       with neither set the default limit (10 s) ends it (statement_timeout
#       = 60s only keeps a hanging restore from hanging the test)
#   restore_waits       the idle session commits after 2 s: the restore,
#       which waited for it, succeeds
#   backup_writers      a session idle in transaction after ALTER TABLE a
#       (ACCESS EXCLUSIVE); a backup under lock_timeout = 5s fails with 55P03
#       naming it, and meanwhile an ALTER TABLE b (a migration step) and the
#       writers of b were never blocked for more than 2.5 s; no backup file
#   backup_waits        the idle session commits after 2 s: the backup,
#       which waited for it, succeeds
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

# watch ID SQL: runs SQL on new connections in a loop, until stop_watching,
# and records how long each run took (ms) in $WORK/ID.ms
WATCHERS=""
watch() {
  local id=$1 sql=$2
  : >"$WORK/$id.ms"
  (
    while [ ! -e "$WORK/stop" ]; do
      t0=$(now_ms); q -d app -c "$sql" >/dev/null 2>&1; t1=$(now_ms)
      echo $((t1 - t0)) >>"$WORK/$id.ms"
      sleep 0.05
    done
  ) &
  WATCHERS="$WATCHERS $!"
}
stop_watching() {
  touch "$WORK/stop"
  # shellcheck disable=SC2086
  wait $WATCHERS
  WATCHERS=""
  rm -f "$WORK/stop"
}
max_ms() { sort -n "$WORK/$1.ms" | tail -1; }
runs() { wc -l <"$WORK/$1.ms"; }

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
# LIMIT_OUT and LIMIT_MS get the error and the time it took
limit_case() {
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  t0=$(now_ms)
  LIMIT_OUT=$(psql -X -At -d app -v VERBOSITY=verbose -c "SET statement_timeout = '60s'" "${args[@]}" -c "SELECT dbkeeper_restore('$good')" 2>&1)
  LIMIT_MS=$(( $(now_ms) - t0 ))
}

# ---------------------------------------------------------------- restore_readers
restore_readers() {
  dbsig app >"$WORK/app.before.sig"
  count_before=$(backups_count)
  if idle_open clinic_ui "SELECT * FROM a WHERE id = 1 FOR UPDATE;"; then
    watch read_b "SELECT count(*) FROM b"
    watch read_a "SELECT count(*) FROM a"
    sleep 0.5
    t0=$(now_ms)
    out=$(psql -X -At -d app -v VERBOSITY=verbose -c "SET lock_timeout = '5s'" \
            -c "SELECT dbkeeper_restore('$good')" 2>&1)
    took=$(( $(now_ms) - t0 ))
    sleep 0.3
    stop_watching
    dbsig app >"$WORK/app.after.sig"
    problems=""
    [ "$(max_ms read_b)" -gt 2500 ] || [ "$(max_ms read_a)" -gt 2500 ] &&
      problems+="; readers were blocked: longest read of b $(max_ms read_b) ms, of a $(max_ms read_a) ms"
    [ "$took" -gt 20000 ] && problems+="; the restore took $took ms to give up"
    [ "$(backups_count)" != "$count_before" ] && problems+="; a safety backup was left behind"
    grep -q 'could not lock relation "public.a" within 5000 ms' <<<"$out" ||
      problems+="; the error does not name table a and the limit"
    if [ -n "$problems" ]; then
      fail restore_readers "${problems#; }: $out"
    elif names_session restore_readers "$out" "$IDLE_PID" clinic_ui &&
         sig_diff restore_readers "$WORK/app.before.sig" "$WORK/app.after.sig"; then
      pass restore_readers "(gave up after $took ms; longest of $(runs read_b) reads of b $(max_ms read_b) ms, of $(runs read_a) reads of a $(max_ms read_a) ms)"
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
       ! grep -q 'within 2000 ms' <<<"$LIMIT_OUT" || ! grep -q 'HINT: .*dbkeeper.lock_wait_timeout sets' <<<"$LIMIT_OUT" ||
       [ "$LIMIT_MS" -gt 15000 ]; then
      fail restore_limits "dbkeeper.lock_wait_timeout = 2s: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    s1=$LIMIT_MS
    limit_case "SET dbkeeper.lock_wait_timeout = '60s'" "SET lock_timeout = '2s'"
    if [ $ok = 1 ] && { ! names_session restore_limits "$LIMIT_OUT" "$IDLE_PID" clinic_ui ||
       ! grep -q 'within 2000 ms' <<<"$LIMIT_OUT" || ! grep -q 'HINT: .*lock_timeout sets' <<<"$LIMIT_OUT" ||
       grep -q 'dbkeeper.lock_wait_timeout sets' <<<"$LIMIT_OUT" || [ "$LIMIT_MS" -gt 15000 ]; }; then
      fail restore_limits "lock_timeout = 2s under dbkeeper.lock_wait_timeout = 60s: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    s2=$LIMIT_MS
    limit_case
    if [ $ok = 1 ] && { ! names_session restore_limits "$LIMIT_OUT" "$IDLE_PID" clinic_ui ||
       ! grep -q 'within 10000 ms' <<<"$LIMIT_OUT" || [ "$LIMIT_MS" -gt 40000 ]; }; then
      fail restore_limits "no setting: after $LIMIT_MS ms: $LIMIT_OUT"; ok=0
    fi
    [ $ok = 1 ] && pass restore_limits "(2 s setting: $s1 ms; 2 s lock_timeout: $s2 ms; default: $LIMIT_MS ms)"
    idle_close
  fi
}

# ---------------------------------------------------------------- restore_waits
restore_waits() {
  q -q -d app -c "INSERT INTO b VALUES (-1)"
  if idle_open clinic_ui "SELECT * FROM a WHERE id = 1 FOR UPDATE;"; then
    (sleep 2; idle_close) &
    closer=$!
    t0=$(now_ms)
    if out=$(psql -X -At -v ON_ERROR_STOP=1 -d app -c "SET statement_timeout = '60s'" -c "SELECT dbkeeper_restore('$good')" 2>&1) &&
       [ "$(q -d app -c "SELECT count(*) FROM b WHERE v = -1")" = 0 ]; then
      pass restore_waits "(restored after waiting $(( $(now_ms) - t0 )) ms)"
    else
      fail restore_waits "the restore failed: $out"
    fi
    wait $closer
    exec 7>&-
  fi
}

# ---------------------------------------------------------------- backup_writers
backup_writers() {
  count_before=$(backups_count)
  if idle_open migration_tool "ALTER TABLE a ADD COLUMN extra int;"; then
    watch write_b "INSERT INTO b VALUES (1)"
    t0=$(now_ms)
    psql -X -At -d app -v VERBOSITY=verbose -c "SET lock_timeout = '5s'" -c "SELECT dbkeeper_backup('busy')" \
      >"$WORK/backup.out" 2>&1 &
    backup=$!
    waiting_for_lock "dbkeeper_backup('busy')" || fail backup_writers "the backup never waited for a lock"
    m0=$(now_ms)
    q -q -d app -c "ALTER TABLE b ALTER COLUMN v SET DEFAULT 0" 2>"$WORK/err"
    migration=$(( $(now_ms) - m0 ))
    wait $backup
    took=$(( $(now_ms) - t0 ))
    sleep 0.3
    stop_watching
    out=$(cat "$WORK/backup.out")
    problems=""
    [ "$migration" -gt 2500 ] || [ "$(max_ms write_b)" -gt 2500 ] &&
      problems+="; writers were blocked: ALTER TABLE b took $migration ms, the longest write to b $(max_ms write_b) ms"
    [ "$(backups_count)" != "$count_before" ] && problems+="; a backup file was written"
    grep -q 'dbkeeper_backup() could not lock relation "public.a" within 5000 ms' <<<"$out" ||
      problems+="; the error does not name table a and the limit"
    if [ -n "$problems" ]; then
      fail backup_writers "${problems#; }: $out"
    elif names_session backup_writers "$out" "$IDLE_PID" migration_tool; then
      pass backup_writers "(gave up after $took ms; ALTER TABLE b took $migration ms; longest of $(runs write_b) writes to b $(max_ms write_b) ms)"
    fi
    idle_close
  fi
}

# ---------------------------------------------------------------- backup_waits
backup_waits() {
  count_before=$(backups_count)
  if idle_open migration_tool "ALTER TABLE a ADD COLUMN extra2 int;"; then
    (sleep 2; idle_close) &
    closer=$!
    t0=$(now_ms)
    if out=$(psql -X -At -v ON_ERROR_STOP=1 -d app -c "SET statement_timeout = '60s'" -c "SELECT dbkeeper_backup('waited')" 2>&1) &&
       [ "$(backups_count)" = $((count_before + 1)) ]; then
      pass backup_waits "(backed up after waiting $(( $(now_ms) - t0 )) ms)"
    else
      fail backup_waits "the backup failed: $out"
    fi
    wait $closer
    exec 7>&-
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
