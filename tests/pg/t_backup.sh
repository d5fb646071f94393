#!/usr/bin/env bash
# tests/pg/t_backup.sh — dbkeeper_backup() across processes, on clusters of
# its own (initdb as the postgres user; tests/pg/run.sh has installed the
# extension and holds the install lock):
#
#   roundtrip_pagila, roundtrip_objects  backup, then zstd -dc | psql into an
#       empty database: same pg_dump --schema-only, same rows in every table,
#       same sequence values (pagila with generated rows; backup_objects.sql
#       with every object kind and the data that is hard to write as COPY)
#   pinned_settings_session, pinned_settings_database  output settings
#       changed in the session and for the database do not change what a
#       backup restores to (the same as pg_dump | psql)
#   cycle_named         a cycle the backup cannot break is an error naming
#       the objects on it
#   built_on_postponed  a generated column calling a function made in
#       post-data fails the backup, naming both (pg_dump cannot either)
#   trailer_rows        the trailer's table_rows names every table whose
#       rows the backup holds, each with its number of rows, and rows is
#       their sum
#   pgbench_consistent  backups taken while pgbench writes restore to
#       databases whose balances add up
#   progress            pg_stat_progress_copy shows a running backup
#   cancel, terminate, kill9, write_error  nothing published, no temporary
#       file left once the next backup has run; after the cancel, the
#       backend that goes on has no zstd worker thread left
#   verify_damage       flipped bytes anywhere and truncation are caught
#   pg_cron             a scheduled SELECT dbkeeper_backup() makes a backup
#   standby             a replica from pg_basebackup -R takes a backup that
#       restores to the same content
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SUITE=pg_backup
. tests/pg/lib.sh
RPORT=$((PORT + 1))

stop_replica_and_unmount() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/replica" -m immediate stop >/dev/null 2>&1
  mountpoint -q "$WORK/tiny" 2>/dev/null && umount "$WORK/tiny"
}
pg_lib_cleanup_hooks="stop_replica_and_unmount"

# ---------------------------------------------------------------- cluster
objects_modules
start_cluster "$OBJECTS_CONF" "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'cronjobs'" \
  "cron.use_background_workers = on" "max_worker_processes = 16" "wal_level = replica" \
  "max_wal_senders = 4"

# restore FILE DB: the standard tools' replay (dbsig.sh)
restore() { psql_restore "$@"; }

# roundtrip ID DB: backup DB, restore it, compare
roundtrip() {
  local id=$1 db=$2 name
  if ! name=$(q -d "$db" -c "SELECT dbkeeper_backup()" 2>"$WORK/err"); then
    fail "$id" "backup failed: $(cat "$WORK/err")"; return
  fi
  if ! restore "$BACKUPS/$name" "${db}_restored"; then
    fail "$id" "restore failed: $(grep -m3 ERROR "$WORK/restore-${db}_restored.log")"; return
  fi
  dbsig "$db" >"$WORK/$db.sig"
  dbsig "${db}_restored" >"$WORK/${db}_restored.sig"
  if ! diff -u "$WORK/$db.sig" "$WORK/${db}_restored.sig" >"$WORK/$id.diff"; then
    fail "$id" "restored database differs:"; head -40 "$WORK/$id.diff"; return
  fi
  if [ "$(grep -c '^public\.\|^"' "$WORK/$db.sig")" -lt 5 ]; then
    fail "$id" "the signature lists too few tables"; return
  fi
  pass "$id" "($(grep -c ' [0-9]* [0-9a-f]\{32\}$' "$WORK/$db.sig") tables with rows)"
}

files_published() { find "$BACKUPS" -maxdepth 1 -type f -name '*.sql.zst' | wc -l; }
temp_files() { find "$BACKUPS" -maxdepth 1 -name '.dbkeeper-*' | wc -l; }

# ---------------------------------------------------------------- round trips
createdb pagila
if q -q -d pagila -f tests/fixtures/pagila/pagila-schema.sql >"$WORK/pagila.log" 2>&1 &&
   q -q -d pagila -f tests/pg/pagila_data.sql >>"$WORK/pagila.log" 2>&1 &&
   q -q -d pagila -c "CREATE EXTENSION dbkeeper" >>"$WORK/pagila.log" 2>&1; then
  roundtrip roundtrip_pagila pagila
else
  fail roundtrip_pagila "could not load pagila: $(grep -m3 ERROR "$WORK/pagila.log")"
fi

createdb objects
if objects_tablespace && q -q -d objects -f tests/pg/backup_objects.sql >"$WORK/objects.log" 2>&1 &&
   q -q -d objects -c "CREATE EXTENSION dbkeeper" >>"$WORK/objects.log" 2>&1; then
  roundtrip roundtrip_objects objects
else
  fail roundtrip_objects "could not load the object schema: $(grep -m3 ERROR "$WORK/objects.log")"
fi

# ---------------------------------------------------------------- trailer
# trailer_value FILE KEY: KEY's value in FILE's trailer, unescaped, or
# unpacked when the trailer holds it as KEY_zstd (docs/archive-format.md: the
# trailer frame's last line gives its length)
trailer_value() {
  local len t
  len=$(tail -c 15 "$1" | sed -n 's/^end=0*\([0-9]*\)$/\1/p')
  t=$(tail -c "$len" "$1" | tail -c +9)
  if printf '%s\n' "$t" | grep -q "^$2_zstd="; then
    printf '%s\n' "$t" | sed -n "s/^$2_zstd=//p" | base64 -d | zstd -qdc
  else
    printf '%s\n' "$t" | sed -n "s/^$2=//p" |
      perl -pe 's/\\(.)/$1 eq "n" ? "\n" : $1 eq "r" ? "\r" : $1/ge'
  fi
}

name=$(q -d objects -c "SELECT name FROM dbkeeper_backups() WHERE is_latest AND database = 'objects'")
table_rows=$(trailer_value "$BACKUPS/$name" table_rows)
total=$(trailer_value "$BACKUPS/$name" rows)
# Each line is "<rows> <name>", the name as COPY names the table, with COPY
# text's escapes; the check counts the rows of each table itself (of a
# filtered extension configuration table, those its condition picks).
# (psql expands :'list' only in a script, not in -c)
check=$(q -d objects -v list="$table_rows" -v total="$total" 2>&1 <<'SQL'
  WITH l AS (SELECT split_part(x, ' ', 1)::bigint AS n,
                    replace(replace(substr(x, strpos(x, ' ') + 1), '\n', E'\n'), '\\', '\') AS t
               FROM regexp_split_to_table(:'list', E'\n') x),
       want AS (SELECT format('%I.%I', s.nspname, c.relname) AS t FROM pg_class c
                  JOIN pg_namespace s ON s.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND ((s.nspname <> 'information_schema' AND s.nspname !~ '^pg_'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                                     AND e.objid = c.oid AND e.deptype = 'e'))
                   OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension)))
  SELECT (SELECT count(*) FROM l) || ' tables, '
      || (SELECT count(*) FROM l WHERE n <> (xpath('/row/c/text()',
            query_to_xml(format('SELECT count(*) AS c FROM ONLY %s %s', t, coalesce((SELECT u.cond FROM pg_extension x
              CROSS JOIN LATERAL unnest(x.extconfig, x.extcondition) u(c, cond) WHERE u.c = t::regclass), '')),
              false, true, '')))[1]::text::bigint)
      || ' miscounted, ' || (SELECT count(*) FROM (SELECT t FROM want EXCEPT SELECT t FROM l) m) || ' missing, '
      || (SELECT count(*) FROM (SELECT t FROM l EXCEPT SELECT t FROM want) m) || ' unknown, sum '
      || CASE WHEN (SELECT sum(n) FROM l) = :'total'::bigint THEN 'matches' ELSE 'differs' END;
SQL
)
case $check in
  *" tables, 0 miscounted, 0 missing, 0 unknown, sum matches")
    if [[ $table_rows == *'"My Schema"."odd\nna\\me"'* ]]; then
      pass trailer_rows "($check)"
    else
      fail trailer_rows "the table with a newline in its name is not escaped: $table_rows"
    fi ;;
  *) fail trailer_rows "$check; table_rows: $(printf '%s' "$table_rows" | head -5)" ;;
esac

# ---------------------------------------------------------------- settings
# pinned_settings_session, pinned_settings_database: every setting that
# changes how catalogs and values are printed, set to its other value in the
# backing-up session and then for the database, does not change what the
# backup restores to: the same as a pg_dump | psql restore of the database.
PRINT_SETTINGS=("standard_conforming_strings = off" "datestyle = 'SQL, DMY'" "intervalstyle = sql_standard"
  "extra_float_digits = -15" "bytea_output = escape" 'search_path = "My Schema", public'
  "xmloption = document" "quote_all_identifiers = on" "timezone = 'Asia/Kathmandu'")
createdb objects_pgdump && pg_dump -d objects 2>"$WORK/pgdump.err" | psql -X -q -v ON_ERROR_STOP=1 -d objects_pgdump >"$WORK/pgdump.log" 2>&1
dbsig objects_pgdump >"$WORK/objects_pgdump.sig"
# settings_roundtrip ID SQL_BEFORE_BACKUP
settings_roundtrip() {
  local id=$1 name
  if ! name=$(psql -X -At -v ON_ERROR_STOP=1 -d objects -c "$2" -c "SELECT dbkeeper_backup()" 2>"$WORK/err" | tail -1); then
    fail "$id" "backup failed: $(cat "$WORK/err")"; return
  fi
  if ! restore "$BACKUPS/$name" "$id"; then
    fail "$id" "restore failed: $(grep -m3 ERROR "$WORK/restore-$id.log")"; return
  fi
  dbsig "$id" >"$WORK/$id.sig"
  sig_diff "$id" "$WORK/objects_pgdump.sig" "$WORK/$id.sig" && pass "$id" "(the same as pg_dump's restore)"
}
set_list=""
for s in "${PRINT_SETTINGS[@]}"; do set_list="$set_list SET $s;"; done
settings_roundtrip pinned_settings_session "$set_list"
for s in "${PRINT_SETTINGS[@]}"; do q -d postgres -c "ALTER DATABASE objects SET $s" >/dev/null; done
settings_roundtrip pinned_settings_database "SELECT 1"
q -d postgres -c "ALTER DATABASE objects RESET ALL" >/dev/null

# ---------------------------------------------------------------- cycles
# cycle_named: a cycle the backup cannot break (a view calling a function
# whose SQL-standard body reads the view) fails the backup with an error
# that names the objects on the cycle, not one built on it
createdb cycle
q -q -d cycle -c "CREATE EXTENSION dbkeeper" \
  -c "CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT 1; END" \
  -c "CREATE VIEW public.v AS SELECT public.f() AS x" \
  -c "CREATE OR REPLACE FUNCTION public.f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.v; END" \
  -c "CREATE VIEW public.a_downstream AS SELECT x FROM public.v" >"$WORK/cycle.log" 2>&1
if out=$(q -d cycle -c "SELECT dbkeeper_backup()" 2>&1); then
  fail cycle_named "the backup of a cycle succeeded"
elif [[ $out == *"function public.f() depends on view public.v, which depends on function public.f()"* ]] &&
     [[ $out != *a_downstream* ]]; then
  pass cycle_named "($(echo "$out" | grep -m1 DETAIL))"
else
  fail cycle_named "unexpected error: $out"
fi

# built_on_postponed: a generated column calling a function that must wait
# for post-data (its SQL-standard body groups by a primary key) cannot be
# made before the rows; pg_dump's own output of it does not restore (it
# splits the expression off as a DEFAULT, which PostgreSQL rejects), so the
# backup fails, naming the table and the function
createdb postponed
q -q -d postponed -c "CREATE EXTENSION dbkeeper" \
  -c "CREATE TABLE public.p (id integer PRIMARY KEY, v integer)" \
  -c "CREATE FUNCTION public.kc(integer) RETURNS bigint LANGUAGE sql IMMUTABLE BEGIN ATOMIC
        SELECT \$1 + count(*) FROM (SELECT p.v FROM public.p p GROUP BY p.id) s; END" \
  -c "CREATE TABLE public.g (a integer, b bigint GENERATED ALWAYS AS (public.kc(a)) STORED)" >"$WORK/postponed.log" 2>&1
if out=$(q -d postponed -c "SELECT dbkeeper_backup()" 2>&1); then
  fail built_on_postponed "the backup succeeded"
elif [[ $out == *"cannot back up table public.g"* && $out == *"built on function public.kc(integer)"* ]]; then
  pass built_on_postponed "($(echo "$out" | grep -m1 ERROR))"
else
  fail built_on_postponed "unexpected error: $out $(cat "$WORK/postponed.log")"
fi

# ---------------------------------------------------------------- pgbench
createdb bench
nice pgbench -q -i -s 5 bench >/dev/null 2>&1
q -d bench -c "CREATE EXTENSION dbkeeper" >/dev/null
# Three clients at 100 transactions a second in all: writes commit all
# through every backup, without keeping a core busy for the whole run.
nice pgbench -n -c 3 -R 100 -T 12 bench >"$WORK/pgbench.log" 2>&1 &
bench_pid=$!
names=()
sleep 2
for i in 1 2 3; do
  names+=("$(q -d bench -c "SELECT dbkeeper_backup('pgbench-$i')" 2>>"$WORK/err")")
  sleep 2
done
wait $bench_pid
ok=1
for i in 1 2 3; do
  n=${names[$((i - 1))]}
  if [ -z "$n" ] || ! restore "$BACKUPS/$n" "bench_r$i"; then
    ok=0; fail pgbench_consistent "backup $i did not restore: $(cat "$WORK/err")"; break
  fi
  sums=$(q -d "bench_r$i" -c "SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(tbalance) FROM pgbench_tellers),
          (SELECT sum(bbalance) FROM pgbench_branches), (SELECT coalesce(sum(delta), 0) FROM pgbench_history),
          (SELECT count(*) FROM pgbench_history)")
  IFS='|' read -r a t b h count <<<"$sums"
  if [ "$a" != "$t" ] || [ "$t" != "$b" ] || [ "$b" != "$h" ]; then
    ok=0; fail pgbench_consistent "backup $i: accounts $a, tellers $t, branches $b, history $h"; break
  fi
done
[ $ok = 1 ] && pass pgbench_consistent "(3 backups during pgbench, last has $count history rows)"

# ---------------------------------------------------------------- interruptions
# A slow backup: the highest compression level over the pgbench data.
# The session stays a few seconds after the backup (for the cancel case).
start_slow_backup() {
  psql -X -At -d bench -c "SET dbkeeper.compression_level = 19" -c "SELECT dbkeeper_backup('slow')" \
    -c "SELECT pg_sleep(2)" >"$WORK/slow.out" 2>&1 &
  slow_pid=$!
  backend=""
  for _ in $(seq 1 200); do
    backend=$(q -d bench -c "SELECT pid FROM pg_stat_progress_copy WHERE datname = 'bench' AND bytes_processed > 0 LIMIT 1")
    [ -n "$backend" ] && break
    sleep 0.05
  done
}

before=$(files_published)
start_slow_backup
if [ -n "$backend" ]; then
  progress=$(q -d bench -c "SELECT relid::regclass || ' ' || command || ' ' || type || ' ' || (bytes_processed > 0)
                              FROM pg_stat_progress_copy WHERE pid = $backend")
  case $progress in
    "pgbench_"*" COPY TO FILE true") pass progress "($progress)" ;;
    *) fail progress "unexpected progress row: $progress" ;;
  esac
  # the backend, zstd's worker and the SHA-256 thread
  for _ in $(seq 1 40); do
    threads_during=$(ls "/proc/$backend/task" | wc -l)
    [ "$threads_during" -ge 3 ] && break
    sleep 0.05
  done
  q -d bench -c "SELECT pg_cancel_backend($backend)" >/dev/null
  # At level 19 the cancel is served once zstd hands back the job in
  # progress (4 MB), which can take seconds on a busy machine.
  threads_after=""
  for _ in $(seq 1 400); do
    grep -q 'canceling statement' "$WORK/slow.out" && break
    sleep 0.05
  done
  # Then until the threads are gone (the session lives on for pg_sleep(2)).
  for _ in $(seq 1 40); do
    threads_after=$(ls "/proc/$backend/task" 2>/dev/null | wc -l)
    [ "$threads_after" -le 1 ] && break
    sleep 0.05
  done
  wait $slow_pid
  if grep -q 'canceling statement' "$WORK/slow.out" && [ "$(files_published)" = "$before" ] && [ "$(temp_files)" = 0 ] &&
     [ "$threads_during" = 3 ] && [ "$threads_after" = 1 ]; then
    pass cancel "(threads of the backend: $threads_during while compressing, $threads_after after the cancel)"
  else
    fail cancel "output: $(cat "$WORK/slow.out"); published $(files_published) (was $before), temp files $(temp_files);
      threads $threads_during while compressing, ${threads_after:-?} after the cancel"
  fi
else
  wait $slow_pid
  fail progress "no progress row seen"; fail cancel "backup never seen running"
fi

start_slow_backup
if [ -n "$backend" ]; then
  q -d bench -c "SELECT pg_terminate_backend($backend)" >/dev/null
  wait $slow_pid
  # psql ends at the FATAL message; the backend may still be on its way out.
  for _ in $(seq 1 300); do [ -d "/proc/$backend" ] || break; sleep 0.1; done
  if [ "$(files_published)" = "$before" ] && [ "$(temp_files)" = 0 ]; then
    pass terminate
  else
    fail terminate "published $(files_published) (was $before), temp files $(temp_files)"
  fi
else
  wait $slow_pid; fail terminate "backup never seen running"
fi

# write error: a full file system
mkdir -p "$WORK/tiny"
if mount -t tmpfs -o size=256k,mode=0700 tmpfs "$WORK/tiny" 2>/dev/null; then
  chown postgres "$WORK/tiny"
  out=$(psql -X -At -d bench -c "SET dbkeeper.backup_dir = '$WORK/tiny'" -c "SELECT dbkeeper_backup()" 2>&1)
  left=$(find "$WORK/tiny" -mindepth 1 | wc -l)
  if [[ $out == *"No space left on device"* ]] && [ "$left" = 0 ]; then
    pass write_error "($(echo "$out" | grep -m1 ERROR))"
  else
    fail write_error "output: $out; files left: $(ls -A "$WORK/tiny")"
  fi
  umount "$WORK/tiny"
else
  fail write_error "cannot mount a tmpfs here"
fi

# verify: flipped bytes at the start, middle and end, and truncation
name=$(q -d bench -c "SELECT name FROM dbkeeper_backups() WHERE is_latest AND database = 'bench'")
size=$(stat -c %s "$BACKUPS/$name")
# refused_as_corrupt FILE: dbkeeper_verify fails with SQLSTATE XX001
# (data_corrupted), not merely with some error
refused_as_corrupt() {
  ! psql -X -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d bench \
      -c "SELECT dbkeeper_verify('$1')" >"$WORK/verify.err" 2>&1 &&
    grep -q 'ERROR:  XX001' "$WORK/verify.err"
}
ok=1
for off in 10 $((size / 3)) $((size / 2)) $((size - 30)) $((size - 1)); do
  bad="bench-2000-01-01T00-00-00Z-flip$off.sql.zst"
  cp "$BACKUPS/$name" "$BACKUPS/$bad"
  printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$off" -N1 "$BACKUPS/$bad") ^ 4 )))" |
    dd of="$BACKUPS/$bad" bs=1 seek="$off" conv=notrunc status=none
  chown postgres "$BACKUPS/$bad"; chmod 600 "$BACKUPS/$bad"
  if ! refused_as_corrupt "$bad"; then
    ok=0; fail verify_damage "a flipped byte at offset $off of $size was not reported as damage (XX001): $(cat "$WORK/verify.err")"
  fi
  rm -f "$BACKUPS/$bad"
done
for cut in 1 100 $((size / 2)); do
  bad="bench-2000-01-01T00-00-00Z-cut$cut.sql.zst"
  head -c $((size - cut)) "$BACKUPS/$name" >"$BACKUPS/$bad"
  chown postgres "$BACKUPS/$bad"; chmod 600 "$BACKUPS/$bad"
  if ! refused_as_corrupt "$bad"; then
    ok=0; fail verify_damage "a backup cut by $cut bytes was not reported as damage (XX001): $(cat "$WORK/verify.err")"
  fi
  rm -f "$BACKUPS/$bad"
done
if [ "$(q -d bench -c "SELECT dbkeeper_verify('$name')")" != t ]; then
  fail verify_damage "the undamaged backup $name does not verify"
elif [ $ok = 1 ]; then
  pass verify_damage "(5 flipped bytes, 3 truncations)"
fi

# ---------------------------------------------------------------- pg_cron
createdb cronjobs
q -d cronjobs -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION dbkeeper" >/dev/null
q -d cronjobs -c "SELECT cron.schedule('dbkeeper-nightly', '* * * * *', 'SELECT dbkeeper_backup(''cron'')')" >/dev/null
found=""
for _ in $(seq 1 80); do
  found=$(find "$BACKUPS" -maxdepth 1 -type f -name 'cronjobs-*-cron.sql.zst' | head -1)
  [ -n "$found" ] && break
  sleep 1
done
if [ -n "$found" ] && [ "$(q -d cronjobs -c "SELECT dbkeeper_verify('$(basename "$found")')")" = t ]; then
  pass pg_cron "($(basename "$found"))"
else
  fail pg_cron "no backup after 80 s: $(q -d cronjobs -c "SELECT status, return_message FROM cron.job_run_details" 2>&1 | head -3)"
fi
q -d cronjobs -c "SELECT cron.unschedule('dbkeeper-nightly')" >/dev/null

# ---------------------------------------------------------------- standby
if as_pg pg_basebackup -h "$WORK" -p "$PORT" -U postgres -D "$WORK/replica" -R -X stream -c fast \
    -T "$WORK/space=$WORK/replica-space" >"$WORK/basebackup.log" 2>&1; then
  as_pg "$PGBIN/pg_ctl" -D "$WORK/replica" -l "$WORK/replica.log" -w \
    -o "-p $RPORT -c dbkeeper.backup_dir=$WORK/replica-backups -c cron.database_name=postgres" start >/dev/null
  if [ "$(q -p "$RPORT" -d pagila -c "SELECT pg_is_in_recovery()")" = t ] &&
     name=$(q -p "$RPORT" -d pagila -c "SELECT dbkeeper_backup('standby')" 2>"$WORK/err") &&
     restore "$WORK/replica-backups/$name" pagila_from_standby; then
    dbsig pagila >"$WORK/p.sig"
    dbsig pagila_from_standby >"$WORK/s.sig"
    if ! diff -q "$WORK/p.sig" "$WORK/s.sig" >/dev/null; then
      fail standby "the standby's backup restores to different content"; diff "$WORK/p.sig" "$WORK/s.sig" | head -20
    elif ! q -p "$RPORT" -d objects -c "SELECT dbkeeper_backup('standby')" >/dev/null 2>"$WORK/err"; then
      fail standby "the backup of a database with an unlogged table and sequence failed: $(cat "$WORK/err")"
    else
      pass standby "($name)"
    fi
  else
    fail standby "$(cat "$WORK/err"; grep -m3 ERROR "$WORK/restore-pagila_from_standby.log" 2>/dev/null)"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$WORK/replica" -m fast stop >/dev/null
else
  fail standby "pg_basebackup failed: $(tail -3 "$WORK/basebackup.log")"
fi

# ---------------------------------------------------------------- kill -9
# Last, because the postmaster restarts every backend after it.
before=$(files_published)
start_slow_backup
if [ -n "$backend" ]; then
  kill -9 "$backend"
  wait $slow_pid
  left=$(temp_files)
  for _ in $(seq 1 100); do
    q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.1
  done
  after_name=$(q -d bench -c "SELECT dbkeeper_backup('after-kill')" 2>&1)
  if [ "$left" = 1 ] && [ "$(temp_files)" = 0 ] && [ "$(files_published)" = $((before + 1)) ] &&
     [[ $after_name == bench-*-after-kill.sql.zst ]]; then
    pass kill9 "(the dead backend's temporary file was swept by the next backup)"
  else
    fail kill9 "temp files after kill: $left, after next backup: $(temp_files); published $(files_published) (was $before); next: $after_name"
  fi
else
  wait $slow_pid; fail kill9 "backup never seen running"
fi
exit 0
