#!/usr/bin/env bash
# tests/pg/t_restore_safety.sh — dbkeeper_restore()'s safety backup, written
# by a background worker while the restoring backend empties the database
# and replays the backup (pg_ext/restore_safety.c), on a cluster of its own
# (tests/pg/run.sh has installed the extension and holds the install lock).
# Database "big" has 1.2 million rows, so that its safety backup takes the
# worker a second or more; database "small" has a few, and its backup is what
# is restored into "big" (from_other_database), so that the replay ends long
# before the worker does.
#
#   worker_used          the DEBUG1 lines say the worker took the safety backup
#   same_as_backup       in a session with its own TimeZone and search_path,
#       a backup and then the safety backup of a restore of it hold the same
#       script: the worker took the caller's settings
#   worker_terminated    the worker ended by pg_terminate_backend(): the
#       restore fails saying so; nothing changed, no safety backup, no
#       temporary file
#   leader_cancelled     statement_timeout ends the restore while it waits for
#       the worker: the worker is stopped, nothing changed, no safety backup,
#       no temporary file
#   worker_error         the worker's backup fails (a full file system as the
#       session's dbkeeper.backup_dir): the restore fails with the worker's
#       error; nothing changed, nothing left in the directory
#   kept_sequence        an extension's configuration sequence, which the
#       restore keeps and sets in place: the safety backup holds the value
#       from before the restore although the replay set the new one long
#       before the worker finished reading the rows
#   fallback             with no worker slot (max_worker_processes = 0) the
#       restoring backend takes the safety backup itself
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_restore_safety
. tests/pg/lib.sh

objects_modules
start_cluster "max_connections = 20"

pre_restore_files() { find "$BACKUPS" -maxdepth 1 -type f -name '*-pre-restore.sql.zst' | wc -l; }
temp_files() { find "$BACKUPS" -maxdepth 1 -name '.dbkeeper-*' | wc -l; }
# state DB: what a failed restore must leave as it was
state() { q -d "$1" -c "SELECT count(*), sum(length(t)), (SELECT last_value FROM dbk_test_counter_seq) FROM notes"; }
# the script of a backup without its first comment line, which names the time
script() { zstd -dcq "$BACKUPS/$1" | grep -v '^-- dbkeeper backup of database '; }

createdb big && createdb small || { fail setup "createdb failed"; exit 1; }
for db in big small; do
  q -q -d "$db" -c "CREATE EXTENSION dbkeeper" -c "CREATE EXTENSION dbk_test_counter" \
    -c "CREATE TABLE notes (id integer PRIMARY KEY, written timestamptz NOT NULL, t text NOT NULL)" ||
    { fail setup "extensions"; exit 1; }
done
q -q -d big -c "INSERT INTO notes SELECT i, '2026-01-01 12:00+00'::timestamptz + i * interval '1 minute',
                  md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text) FROM generate_series(1, 1200000) i" \
  -c "SELECT setval('dbk_test_counter_seq', 1000)" -c "VACUUM ANALYZE notes" >/dev/null &&
  q -q -d small -c "INSERT INTO notes VALUES (1, '2026-06-01 08:30+00', 'one'), (2, '2026-06-02 09:45+00', 'two')" \
    -c "SELECT setval('dbk_test_counter_seq', 5)" >/dev/null || { fail setup "rows"; exit 1; }
small_backup=$(q -d small -c "SELECT dbkeeper_backup('small')") || { fail setup "backup of small"; exit 1; }
big_state=$(state big)

# restore_small_into_big [SETTINGS...]: each argument one statement before the restore
restore_small_into_big() {
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  psql -X -At -d big -c "SET client_min_messages = debug1" "${args[@]}" \
    -c "SELECT dbkeeper_restore('$small_backup', from_other_database => true)"
}
# the pid of the safety backup's worker, once it runs (empty after 10 s)
worker_pid() {
  local pid
  for _ in $(seq 1 200); do
    pid=$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'dbkeeper safety backup'")
    [ -n "$pid" ] && { echo "$pid"; return; }
    sleep 0.05
  done
}
unchanged() { # ID: big as it was, no safety backup and no temporary file left
  local now
  now=$(state big)
  if [ "$now" = "$big_state" ] && [ "$(pre_restore_files)" = 0 ] && [ "$(temp_files)" = 0 ]; then
    return 0
  fi
  fail "$1" "state '$now' (was '$big_state'), safety backups $(pre_restore_files), temporary files $(temp_files)"
  return 1
}

# ---------------------------------------------------------------- worker_terminated
restore_small_into_big >"$WORK/term.out" 2>&1 &
restore_pid=$!
pid=$(worker_pid)
if [ -z "$pid" ]; then
  wait $restore_pid; fail worker_terminated "no worker seen: $(cat "$WORK/term.out")"
else
  q -d postgres -c "SELECT pg_terminate_backend($pid)" >/dev/null
  wait $restore_pid
  for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if grep -q "ERROR:  the safety backup's background worker ended without writing it" "$WORK/term.out"; then
    unchanged worker_terminated && pass worker_terminated
  else
    fail worker_terminated "output: $(cat "$WORK/term.out")"
  fi
fi

# ---------------------------------------------------------------- leader_cancelled
restore_small_into_big "SET statement_timeout = '300ms'" >"$WORK/cancel.out" 2>&1
sleep 0.5
if grep -q "canceling statement due to statement timeout" "$WORK/cancel.out" &&
  [ -z "$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'dbkeeper safety backup'")" ]; then
  unchanged leader_cancelled && pass leader_cancelled
else
  fail leader_cancelled "output: $(cat "$WORK/cancel.out")"
fi

# ---------------------------------------------------------------- worker_error
mkdir -p "$WORK/tiny"
if mount -t tmpfs -o size=512k,mode=0700 tmpfs "$WORK/tiny" 2>/dev/null; then
  chown postgres "$WORK/tiny"
  cp -p "$BACKUPS/$small_backup" "$WORK/tiny/" && chown postgres "$WORK/tiny/$small_backup"
  out=$(restore_small_into_big "SET dbkeeper.backup_dir = '$WORK/tiny'" 2>&1)
  left=$(find "$WORK/tiny" -mindepth 1 | wc -l)
  if [[ $out == *"ERROR:  "*"No space left on device"* ]] && [ "$left" = 1 ]; then
    unchanged worker_error && pass worker_error "($(echo "$out" | grep -m1 ERROR))"
  else
    fail worker_error "output: $out; files: $(ls -A "$WORK/tiny")"
  fi
  umount "$WORK/tiny"
else
  fail worker_error "cannot mount a tmpfs here"
fi

# ---------------------------------------------------------------- same_as_backup
settings=(-c "SET TimeZone = 'Pacific/Chatham'" -c "SET search_path = pg_catalog")
a=$(psql -X -At -d small "${settings[@]}" -c "SELECT public.dbkeeper_backup('a')" | tail -1)
safety=$(psql -X -At -d small "${settings[@]}" -c "SELECT public.dbkeeper_restore('$a')" 2>&1 | tail -1)
if [[ $safety == *-pre-restore.sql.zst ]] && [ -f "$BACKUPS/$safety" ] &&
  diff <(script "$a") <(script "$safety") >"$WORK/same.diff" && grep -q '+12:45' <(script "$a"); then
  pass same_as_backup
else
  fail same_as_backup "safety: $safety; diff: $(head -20 "$WORK/same.diff")"
fi

# ---------------------------------------------------------------- worker_used, kept_sequence
out=$(restore_small_into_big 2>&1)
safety=$(echo "$out" | tail -1)
if [[ $out == *"safety backup started on a background worker"* ]] &&
  [[ $out == *"safety backup $safety written by the worker"* ]]; then
  pass worker_used
else
  fail worker_used "output: $out"
fi
if [[ $safety == *-pre-restore.sql.zst ]] &&
  script "$safety" | grep -q "setval('public.dbk_test_counter_seq', 1000, true)" &&
  [ "$(q -d big -c "SELECT last_value FROM dbk_test_counter_seq")" = 5 ]; then
  pass kept_sequence
else
  fail kept_sequence "safety $safety holds: $(script "$safety" 2>&1 | grep -m3 'dbk_test_counter_seq')"
fi

# ---------------------------------------------------------------- fallback
echo "max_worker_processes = 0" >>"$WORK/primary/postgresql.conf"
if as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w restart >/dev/null; then
  out=$(psql -X -At -d small -c "SET client_min_messages = debug1" -c "SELECT dbkeeper_restore('$small_backup')" 2>&1)
  safety=$(echo "$out" | tail -1)
  if [[ $out != *"background worker"* ]] && [[ $out == *"safety backup $safety written in"* ]] &&
    [ -f "$BACKUPS/$safety" ]; then
    pass fallback
  else
    fail fallback "output: $out"
  fi
else
  fail fallback "the server did not restart"
fi
