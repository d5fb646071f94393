#!/usr/bin/env bash
# tests/pg/t_oplog.sh — what a backup, restore and prune leave behind in the
# server log, the progress view's total, and where errors say they come
# from, on a cluster of its own (tests/pg/run.sh has installed the
# extension and holds the install lock).  The words are core/archive/oplog.c's,
# checked on SQLite by tests/sqlite/t_errors.sh.
#
#   log_backup        one LOG line: backup file, database, bytes (the file's
#       size), rows (the table's), seconds; no STATEMENT line with it, even
#       with log_min_error_statement = log
#   log_auto_prune    the backup that retention follows: a prune line naming
#       the file it deleted, which is gone
#   log_prune, log_prune_none   an explicit prune names what it deleted, or
#       says it deleted nothing
#   log_restore       a committed restore: the safety backup's line and the
#       restore's, naming both files
#   log_restore_rollback  a restore rolled back leaves no "restored" line
#   progress_total    during a backup pg_stat_progress_copy shows, for the
#       table being copied, bytes_total = its size and 0 < bytes_processed
#       <= bytes_total, growing
#   location_*        \set VERBOSITY verbose: LOCATION names the function and
#       file that made the error (core or adapter), never dbk_pg_raise_at
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_oplog
. tests/pg/lib.sh

start_cluster "log_min_error_statement = log"
LOG=$WORK/primary.log
createdb app
q -d app -c "CREATE EXTENSION dbkeeper" \
  -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS t FROM generate_series(1, 300000) g" >/dev/null

# log_lines: the dbkeeper lines logged since mark_log, with names and figures
# replaced by NAME, N and S
mark_log() { log_from=$(($(wc -l <"$LOG") + 1)); }
log_lines() {
  tail -n +"$log_from" "$LOG" | grep -E 'dbkeeper: |STATEMENT' |
    sed -E 's/^.*(LOG|STATEMENT): +//; s/app-[0-9T-]+Z(-[0-9]+)?/NAME/g; s/[0-9]+ (bytes|rows)/N \1/g;
            s/[0-9]+\.[0-9]{3} s/S s/g'
}

# ---- log_backup
mark_log
name=$(q -d app -c "SELECT dbkeeper_backup()")
size=$(stat -c %s "$BACKUPS/$name")
want="LOG:  dbkeeper: backup \"$name\" of database \"app\" written: $size bytes, 300000 rows, in "
got=$(tail -n +"$log_from" "$LOG" | grep -F 'dbkeeper: backup')
if [ "$(printf '%s\n' "$got" | grep -c .)" = 1 ] && [[ $got == *"$want"[0-9]*.[0-9][0-9][0-9]" s" ]] &&
   [ "$(log_lines | grep -c STATEMENT)" = 0 ]; then
  pass log_backup "($(printf '%s' "$got" | sed 's/.*LOG: *//'))"
else
  fail log_backup "got [$(log_lines)], want one line with [$want...] and no STATEMENT"
fi

# ---- log_auto_prune: keep 2, a third backup pushes the oldest out
q -d app -c "SELECT dbkeeper_backup()" >/dev/null
# by time: two backups in one second are named ...Z.sql.zst and ...Z-2.sql.zst,
# which sort the other way round
oldest=$(ls -tr "$BACKUPS" | grep -v latest | head -1)
mark_log
q -d app -c "SET dbkeeper.keep_backups = 2" -c "SELECT dbkeeper_backup()" >/dev/null
got=$(log_lines)
want='dbkeeper: backup "NAME.sql.zst" of database "app" written: N bytes, N rows, in S s
dbkeeper: pruned 1 backup of database "app" (N bytes) in S s: "NAME.sql.zst"'
if [ "$got" = "$want" ] && tail -n +"$log_from" "$LOG" | grep -qF "\"$oldest\"" && [ ! -e "$BACKUPS/$oldest" ]; then
  pass log_auto_prune
else
  fail log_auto_prune "got [$got], want [$want] naming $oldest, which must be gone"
fi

# ---- log_prune, log_prune_none
mark_log
q -d app -c "SELECT dbkeeper_prune(1)" >/dev/null
got=$(log_lines)
want='dbkeeper: pruned 1 backup of database "app" (N bytes) in S s: "NAME.sql.zst"'
[ "$got" = "$want" ] && pass log_prune || fail log_prune "got [$got], want [$want]"
mark_log
q -d app -c "SELECT dbkeeper_prune(1)" >/dev/null
got=$(log_lines)
want='dbkeeper: pruned no backups of database "app" in S s'
[ "$got" = "$want" ] && pass log_prune_none || fail log_prune_none "got [$got], want [$want]"

# ---- log_restore, log_restore_rollback
mark_log
q -d app -c "BEGIN" -c "SELECT dbkeeper_restore()" -c "ROLLBACK" >/dev/null
got=$(log_lines)
want='dbkeeper: backup "NAME-pre-restore.sql.zst" of database "app" written: N bytes, N rows, in S s'
[ "$got" = "$want" ] && pass log_restore_rollback "(only the safety backup's line)" ||
  fail log_restore_rollback "got [$got], want [$want]"
mark_log
latest=$(q -d app -c "SELECT name FROM dbkeeper_backups() WHERE is_latest")
safety=$(q -d app -c "SELECT dbkeeper_restore()")
got=$(log_lines)
want='dbkeeper: backup "NAME-pre-restore.sql.zst" of database "app" written: N bytes, N rows, in S s
dbkeeper: database "app" restored from backup "NAME.sql.zst" (N bytes) in S s; safety backup "NAME-pre-restore.sql.zst"'
if [ "$got" = "$want" ] &&
   tail -n +"$log_from" "$LOG" | grep -qF "restored from backup \"$latest\" ($(stat -c %s "$BACKUPS/$latest") bytes)" &&
   tail -n +"$log_from" "$LOG" | grep -qF "safety backup \"$safety\""; then
  pass log_restore
else
  fail log_restore "got [$got], want [$want] naming $latest and $safety"
fi

# ---- progress_total: a slow backup (level 19), sampled from one session
# (pg_stat_clear_snapshot() between samples), then cancelled
psql -X -At -d app -c "SET dbkeeper.compression_level = 19" -c "SELECT dbkeeper_backup('slow')" \
  >"$WORK/slow.out" 2>&1 &
slow=$!
samples=$(q -q -d app <<'SQL'
CREATE TEMP TABLE samples (n serial, pid int, processed bigint, total bigint, size bigint);
DO $$
BEGIN
  FOR i IN 1..3000 LOOP
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO samples (pid, processed, total, size)
      SELECT pid, bytes_processed, bytes_total, pg_relation_size(relid)
        FROM pg_stat_progress_copy WHERE relid = 'big'::regclass AND bytes_processed > 0;
    EXIT WHEN (SELECT count(DISTINCT processed) FROM samples) >= 3;
    PERFORM pg_sleep(0.005);
  END LOOP;
END $$;
SELECT pid, processed, total, size FROM samples ORDER BY n;
SQL
)
backend=$(printf '%s\n' "$samples" | head -1 | cut -d'|' -f1)
[ -n "$backend" ] && q -d app -c "SELECT pg_cancel_backend($backend)" >/dev/null
wait $slow
if [ "$(printf '%s\n' "$samples" | cut -d'|' -f2 | sort -u | grep -c .)" -ge 3 ] &&
   printf '%s\n' "$samples" | awk -F'|' '{ if (!($3 > 0 && $3 == $4 && $2 > 0 && $2 <= $3)) bad = 1
                                          if (NR > 1 && $2 < prev) bad = 1; prev = $2 }
                                        END { exit bad }'; then
  pass progress_total "($(printf '%s\n' "$samples" | awk -F'|' '{ printf "%.0f%% ", 100 * $2 / $3 }' | tr -s ' ' |
                          awk '{ print $1 " ... " $NF }') of big)"
else
  fail progress_total "samples (pid|processed|total|relation size): [$samples]"
fi

# ---- location_*: where an error says it was made
# location ID SQL WANT: LOCATION without its line number equals WANT
location() {
  local got
  got=$(psql -X -At -d app -v VERBOSITY=verbose -c "$2" 2>&1 | sed -n 's/^LOCATION:  \(.*\):[0-9]*$/\1/p')
  [ "$got" = "$3" ] && pass "location_$1" "($got)" || fail "location_$1" "got [$got], want [$3]"
}
location core "SELECT dbkeeper_banner_set(NULL)" "dbk_banner_check, banner.c"
location adapter "SELECT dbkeeper_restore(NULL, NULL)" "dbkeeper_restore, restore.c"
location mismatch "SELECT dbkeeper_schema_check(repeat('0', 64))" "dbk_schema_check_decide, schema_check.c"
location core_message "BEGIN; SELECT txid_current(); SELECT dbkeeper_backup()" "dbk_backup_fail_in_write_txn, backup_header.c"
location ereport "BEGIN; SELECT txid_current(); SELECT dbkeeper_restore()" "check_transaction, restore.c"
location not_found "SELECT dbkeeper_verify('app-1999-01-01T00-00-00Z.sql.zst')" "dbk_backup_open, backup_dir.c"
