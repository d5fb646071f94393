#!/usr/bin/env bash
# tests/pg/t_split_oracle.sh — psql as the oracle of the statement splitter
# (core/restore/sql_split.c), which the in-place restore uses to replay a backup.
# psql replays a script against a server that logs every statement it
# receives (log_statement = all, csvlog); the statements in the log must be
# the statements tests/pg/split_file.c prints for the same file, byte for
# byte, whether the splitter is fed 64 kB or 7 bytes at a time.
#
#   oracle_rules       tests/pg/split_oracle.sql: rules with several actions,
#                      BEGIN ATOMIC bodies, continued literals,
#                      standard_conforming_strings off, COPY, failing statements
#   oracle_backup_objects  a dbkeeper backup of tests/pg/backup_objects.sql
#   oracle_pg_dump_objects pg_dump's plain output of the same database
#                      (\restrict lines, COPY blocks)
#   oracle_backup_rules    a dbkeeper backup of split_oracle.sql's database
#   restore_rules      dbkeeper_restore() of that backup in place, after
#                      changes, gives the database back (it failed on the
#                      rules and BEGIN ATOMIC bodies before the splitter
#                      counted parentheses and bodies)
#   oracle_regression_schema, oracle_backup_regression  with
#                      DBK_REGRESSION_DATA set to the data directory of a
#                      stopped cluster holding PostgreSQL's regression
#                      database: pg_dump -s of it, and a dbkeeper backup of it
#                      when dbkeeper_backup() accepts the database (a copy of
#                      the directory is started; the original is not touched)
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SUITE=pg_split_oracle
. tests/pg/lib.sh

LOGCONF=("logging_collector = on" "log_destination = 'csvlog'" "log_directory = 'log'"
         "log_statement = all" "log_min_error_statement = error")
# backup_objects.sql's last part needs the test modules and a tablespace
objects_modules
start_cluster "${LOGCONF[@]}" "$OBJECTS_CONF"
objects_tablespace

if ! cc -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$WORK/split_file" core/*/*.c tests/pg/split_file.c \
     -lzstd -lcrypto; then
  fail build "split_file does not build"; exit 1
fi

# The server log, loaded into a table of the postgres database (the columns
# of PostgreSQL 15's csvlog).
LOG_TABLE="CREATE TABLE oracle_log (log_time timestamptz, user_name text, database_name text,
  process_id int, connection_from text, session_id text, session_line_num bigint, command_tag text,
  session_start_time timestamptz, virtual_transaction_id text, transaction_id bigint,
  error_severity text, sql_state_code text, message text, detail text, hint text,
  internal_query text, internal_query_pos int, context text, query text, query_pos int,
  location text, application_name text, backend_type text, leader_pid int, query_id bigint)"
q -d postgres -c "$LOG_TABLE" >/dev/null

# psql_statements ID DB FILE [DATADIR]: replays FILE into DB with psql and
# prints the statements the server received, each followed by the splitter
# driver's separator line.  A statement the server could not parse appears
# in the log only as its error's statement: those count too.
psql_statements() {
  local id=$1 db=$2 file=$3 data=${4:-$WORK/primary} i
  PGAPPNAME="oracle_$id" psql -X -q -d "$db" -f "$file" >"$WORK/$id.psql.log" 2>&1
  PGAPPNAME="oracle_${id}_done" psql -X -q -d "$db" -c "SELECT 1" >/dev/null
  # The collector writes on its own time, and a file may end in a record
  # still being written: wait for the marker, retry a load that fails.
  for i in $(seq 100); do
    grep -qs "oracle_${id}_done" "$data"/log/*.csv &&
      q -d postgres -c "TRUNCATE oracle_log" -c "COPY oracle_log FROM PROGRAM 'cat $data/log/*.csv' WITH (FORMAT csv, ENCODING 'UTF8')" \
        >/dev/null 2>&1 && break
    sleep 0.2
  done
  q -d postgres -v app="oracle_$id" <<'SQL'
WITH s AS (
  SELECT session_start_time, session_line_num, error_severity, message, query,
         lag(message) OVER (PARTITION BY session_id ORDER BY session_line_num) AS prev
  FROM oracle_log
  WHERE application_name = :'app'
    AND ((error_severity = 'LOG' AND message LIKE 'statement: %') OR error_severity = 'ERROR'))
SELECT string_agg(CASE WHEN error_severity = 'LOG' THEN substr(message, 12) ELSE query END,
                  E'\n<<<dbk-split>>>\n' ORDER BY session_start_time, session_line_num) || E'\n<<<dbk-split>>>'
FROM s
WHERE error_severity = 'LOG' OR (query IS NOT NULL AND prev IS DISTINCT FROM 'statement: ' || query)
SQL
}

# oracle ID DB FILE [DATADIR] [MIN]: psql's statements for FILE replayed into
# DB (created here) against the splitter's; at least MIN statements
oracle() {
  local id=$1 db=$2 file=$3 data=${4:-$WORK/primary} min=${5:-20} n
  createdb "$db" || { fail "$id" "createdb $db failed"; return 1; }
  psql_statements "$id" "$db" "$file" "$data" >"$WORK/$id.psql"
  if ! "$WORK/split_file" "$file" >"$WORK/$id.split" 2>"$WORK/$id.split.err" ||
     ! "$WORK/split_file" "$file" 7 >"$WORK/$id.split7" 2>/dev/null; then
    fail "$id" "the splitter failed: $(cat "$WORK/$id.split.err")"; return 1
  fi
  n=$(grep -c '^<<<dbk-split>>>$' "$WORK/$id.psql")
  if [ "$n" -lt "$min" ]; then
    fail "$id" "psql sent only $n statements (at least $min expected): $(head -5 "$WORK/$id.psql.log")"; return 1
  fi
  if ! diff -u "$WORK/$id.psql" "$WORK/$id.split" >"$WORK/$id.diff"; then
    fail "$id" "the splitter cuts where psql does not (- psql, + splitter):"
    head -60 "$WORK/$id.diff" | sed 's/^/    /'; return 1
  fi
  if ! cmp -s "$WORK/$id.split" "$WORK/$id.split7"; then
    fail "$id" "fed 7 bytes at a time, the splitter cuts elsewhere"; return 1
  fi
  pass "$id" "($n statements, $(grep -c . "$WORK/$id.psql.log") lines of psql messages; $(sed 's/^split_file: //' "$WORK/$id.split.err"))"
}

# backup_script DB FILE: a dbkeeper backup of DB, decompressed into FILE
backup_script() {
  local name
  name=$(q -d "$1" -c "SELECT dbkeeper_backup()" 2>"$WORK/backup.err") || return 1
  zstd -q -dc "$BACKUPS/$name" >"$2"
}

# ---------------------------------------------------------------- the constructs
oracle oracle_rules rules tests/pg/split_oracle.sql

# ---------------------------------------------------------------- the object schema
createdb objects
if q -q -d objects -f tests/pg/backup_objects.sql >"$WORK/objects.log" 2>&1 &&
   q -q -d objects -c "CREATE EXTENSION dbkeeper" >>"$WORK/objects.log" 2>&1; then
  if backup_script objects "$WORK/objects.sql"; then
    oracle oracle_backup_objects objects_replay "$WORK/objects.sql"
  else
    fail oracle_backup_objects "backup failed: $(cat "$WORK/backup.err")"
  fi
  pg_dump -d objects -f "$WORK/objects_dump.sql"
  oracle oracle_pg_dump_objects objects_dump_replay "$WORK/objects_dump.sql"
else
  fail oracle_backup_objects "could not load the object schema: $(grep -m3 ERROR "$WORK/objects.log")"
fi

# ---------------------------------------------------------------- rules and bodies, in place
createdb rules_src
psql -X -q -d rules_src -f tests/pg/split_oracle.sql >"$WORK/rules_src.log" 2>&1
if q -q -d rules_src -c "CREATE EXTENSION dbkeeper" >>"$WORK/rules_src.log" 2>&1 &&
   backup_script rules_src "$WORK/rules.sql"; then
  oracle oracle_backup_rules rules_replay "$WORK/rules.sql" "" 15
  name=$(q -d rules_src -c "SELECT name FROM dbkeeper_backups() WHERE is_latest AND database = 'rules_src'")
  dbsig rules_src >"$WORK/rules_src.sig"
  q -q -d rules_src -c "DELETE FROM public.t; DROP FUNCTION public.sign_word(integer) CASCADE;
    DROP RULE t_ins ON public.t; CREATE RULE t_ins AS ON INSERT TO public.t DO INSTEAD NOTHING;" >/dev/null 2>&1
  if ! q -d rules_src -c "SELECT dbkeeper_restore('$name')" >/dev/null 2>"$WORK/restore.err"; then
    fail restore_rules "dbkeeper_restore() failed: $(cat "$WORK/restore.err")"
  else
    dbsig rules_src >"$WORK/rules_src.restored.sig"
    sig_diff restore_rules "$WORK/rules_src.sig" "$WORK/rules_src.restored.sig" &&
      pass restore_rules "(rules with several actions and BEGIN ATOMIC bodies restored in place)"
  fi
else
  fail oracle_backup_rules "could not back up split_oracle.sql's database: $(grep -m3 ERROR "$WORK/rules_src.log") $(cat "$WORK/backup.err" 2>/dev/null)"
fi

# ---------------------------------------------------------------- the regression database
stop_regression() {
  [ -d "$WORK/regress" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/regress" -m immediate stop >/dev/null 2>&1
}
pg_lib_cleanup_hooks="stop_regression"
if [ -n "${DBK_REGRESSION_DATA:-}" ]; then
  RPORT=$((PORT + 1))
  as_pg cp -a "$DBK_REGRESSION_DATA" "$WORK/regress"
  as_pg install -d -m 700 "$WORK/regress_backups"
  rm -f "$WORK/regress/postmaster.pid"
  {
    echo "port = $RPORT"
    echo "unix_socket_directories = '$WORK'"
    echo "listen_addresses = ''"
    echo "dbkeeper.backup_dir = '$WORK/regress_backups'"
    echo "fsync = off"
    for line in "${LOGCONF[@]}"; do echo "$line"; done
  } >>"$WORK/regress/postgresql.conf"
  if as_pg "$PGBIN/pg_ctl" -D "$WORK/regress" -l "$WORK/regress.log" -w start >/dev/null; then
    (
      export PGPORT=$RPORT
      q -d postgres -c "$LOG_TABLE" >/dev/null
      pg_dump -s -d regression -f "$WORK/regression_schema.sql"
      oracle oracle_regression_schema regression_schema_replay "$WORK/regression_schema.sql" "$WORK/regress" 1000
      q -q -d regression -c "CREATE EXTENSION IF NOT EXISTS dbkeeper" >/dev/null 2>&1
      if name=$(q -d regression -c "SELECT dbkeeper_backup()" 2>"$WORK/regress_backup.err"); then
        zstd -q -dc "$WORK/regress_backups/$name" >"$WORK/regression_backup.sql"
        oracle oracle_backup_regression regression_backup_replay "$WORK/regression_backup.sql" "$WORK/regress" 1000
      else
        echo "# oracle_backup_regression not run: dbkeeper_backup() refuses the regression database: $(head -c 300 "$WORK/regress_backup.err")"
      fi
    )
  else
    fail oracle_regression_schema "the copy of $DBK_REGRESSION_DATA did not start: $(tail -5 "$WORK/regress.log")"
  fi
fi
