#!/usr/bin/env bash
# tests/pg/t_identity.sh — whose backups a database acts on, the latest
# link, one restore at a time, and retention (issue 13, items 1, 4, 6, 9).
# tests/pg/run.sh has installed the extension and holds the install lock.
#
#   clusters_default_dir   two clusters of one major version, data directories
#       side by side, default backup directory: the second does not see the
#       first's backups, and its dbkeeper_restore() finds none
#   clusters_shared_dir    two clusters sharing one configured directory:
#       restore without a name, verify and prune ignore the other cluster's
#       backups of a database with the same name; a named restore of one is
#       refused without from_other_database, done with it
#   clusters_shared_dir_verify   a named verify of the other cluster's backup
#       is refused likewise, done with from_other_database
#   datadir_refused        a backup directory inside the data directory
#   names_a_b              databases "a b" and a_b: distinct file names and
#       latest links; verify() in each checks its own
#   renamed                a renamed database finds and restores its backups
#   retry_after_failure    a restore that fails after its safety backup leaves
#       no safety backup and does not move latest; the retry restores the
#       backup meant
#   concurrent_restores    three restores at once: one runs, the others fail
#       at once with a clear error and write no safety backup
#   retention_nightly      with keep_backups = 3, a before-upgrade backup and a
#       safety backup outlive 30 nightly backups
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_identity
. tests/pg/lib.sh

# ---- two more clusters, side by side, for the cases that need them
CLUSTERS=()
stop_clusters() {
  local c
  for c in "${CLUSTERS[@]}"; do as_pg "$PGBIN/pg_ctl" -D "$c" -m immediate stop >/dev/null 2>&1; done
}
pg_lib_cleanup_hooks="stop_clusters"

# side_cluster DATADIR PORT [conf lines...]
side_cluster() {
  local dir=$1 port=$2 line
  shift 2
  as_pg mkdir -p "$(dirname "$dir")"
  as_pg "$PGBIN/initdb" -N -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb-$port.log" 2>&1 || return 1
  {
    echo "port = $port"
    echo "unix_socket_directories = '$WORK'"
    echo "listen_addresses = ''"
    echo "fsync = off"
    for line in "$@"; do echo "$line"; done
  } >>"$dir/postgresql.conf"
  CLUSTERS+=("$dir")
  as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir.log" -w start >/dev/null
}

start_cluster "max_connections = 40"

P1=$((PORT + 1)); P2=$((PORT + 2))
as_pg mkdir -p "$WORK/15"
if side_cluster "$WORK/15/main" "$P1" && side_cluster "$WORK/15/other" "$P2"; then
  for p in $P1 $P2; do
    createdb -p "$p" app && q -p "$p" -d app -c "CREATE EXTENSION dbkeeper; CREATE TABLE t (v text);
      INSERT INTO t VALUES ('cluster on port $p');" >/dev/null
  done
  n1=$(q -p "$P1" -d app -c "SELECT dbkeeper_backup()")
  seen=$(q -p "$P2" -d app -c "SELECT count(*) FROM dbkeeper_backups()" 2>&1)
  err=$(q -p "$P2" -d app -c "SELECT dbkeeper_restore()" 2>&1)
  if [ -f "$WORK/15/dbkeeper-backups/main/$n1" ] && [ "$seen" = 0 ] &&
     [[ $err == *"backup directory \"$WORK/15/dbkeeper-backups/other\" does not exist"* ]] &&
     [ "$(q -p "$P2" -d app -c "SELECT v FROM t")" = "cluster on port $P2" ]; then
    pass clusters_default_dir "(each cluster in dbkeeper-backups/<its data directory's name>)"
  else
    fail clusters_default_dir "backup $n1; the other cluster lists $seen; its restore said: $err"
  fi

  # one configured directory for both
  SHARED=$WORK/shared
  install -d -m 700 -o postgres "$SHARED"
  loaded1=$(q -p "$P1" -d app -c "SELECT pg_conf_load_time()")
  loaded2=$(q -p "$P2" -d app -c "SELECT pg_conf_load_time()")
  for c in "${CLUSTERS[@]}"; do
    echo "dbkeeper.backup_dir = '$SHARED'" >>"$c/postgresql.conf"
    as_pg "$PGBIN/pg_ctl" -D "$c" reload >/dev/null
  done
  # A reload is applied when the postmaster gets to it: wait until new
  # sessions of both clusters have a newer configuration (at most 30 s).
  reload_deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $reload_deadline ]; do
    [ "$(q -p "$P1" -d app -c "SELECT pg_conf_load_time() > '$loaded1'")" = t ] &&
      [ "$(q -p "$P2" -d app -c "SELECT pg_conf_load_time() > '$loaded2'")" = t ] && break
    sleep 0.1
  done
  n1=$(q -p "$P1" -d app -c "SELECT dbkeeper_backup()")
  err=$(q -p "$P2" -d app -c "SELECT dbkeeper_restore()" 2>&1)
  err2=$(q -p "$P2" -d app -c "SELECT dbkeeper_verify()" 2>&1)
  pruned=$(q -p "$P2" -d app -c "SELECT dbkeeper_prune(1, '*')" 2>&1)
  named=$(q -p "$P2" -d app -c "SELECT dbkeeper_restore('$n1')" 2>&1)
  vnamed=$(q -p "$P2" -d app -c "SELECT dbkeeper_verify('$n1')" 2>&1)
  vforced=$(q -p "$P2" -d app -c "SELECT dbkeeper_verify('$n1', true)" 2>&1)
  if [[ $vnamed == *"is of another database named \"app\""* ]] && [[ $vnamed == *"dbkeeper_verify('$n1', true)"* ]] &&
     [ "$vforced" = t ]; then
    pass clusters_shared_dir_verify "(verify of the other cluster's backup refused; with from_other_database it verifies)"
  else
    fail clusters_shared_dir_verify "verify: $vnamed / forced: $vforced"
  fi
  if [[ $err == *"there is no backup of database \"app\""* ]] && [[ $err2 == *"there is no backup"* ]] &&
     [ "$pruned" = 0 ] && [ -f "$SHARED/$n1" ] &&
     [[ $named == *"is of another database named \"app\""* ]] && [[ $named == *"dbkeeper_restore('$n1', true)"* ]] &&
     [ "$(q -p "$P2" -d app -c "SELECT v FROM t")" = "cluster on port $P2" ]; then
    pass clusters_shared_dir
  else
    fail clusters_shared_dir "restore: $err / verify: $err2 / prune: $pruned / named: $named"
  fi
  if q -p "$P2" -d app -c "SELECT dbkeeper_restore('$n1', true)" >/dev/null 2>"$WORK/err" &&
     [ "$(q -p "$P2" -d app -c "SELECT v FROM t")" = "cluster on port $P1" ]; then
    pass clusters_shared_dir_explicit "(from_other_database => true restores it)"
  else
    fail clusters_shared_dir_explicit "$(cat "$WORK/err")"
  fi
else
  fail clusters "the side clusters did not start: $(tail -3 "$WORK"/initdb-*.log)"
fi

# ---- a backup directory inside the data directory
err=$(q -d postgres -c "CREATE EXTENSION dbkeeper" -c "SET dbkeeper.backup_dir = '$WORK/primary/backups'" \
       -c "SELECT dbkeeper_backup()" 2>&1)
if [[ $err == *"is inside the data directory"* ]] && [ ! -e "$WORK/primary/backups" ]; then
  pass datadir_refused
else
  fail datadir_refused "$err"
fi
install -d -m 700 -o postgres "$BACKUPS"
err=$(q -d postgres -c "SET dbkeeper.backup_dir = '$WORK/primary/../primary/pg_wal/x'" -c "SELECT dbkeeper_backups()" 2>&1)
[[ $err == *"is inside the data directory"* ]] && pass datadir_refused_dotdot || fail datadir_refused_dotdot "$err"

# ---- "a b" and a_b
createdb "a b" && createdb a_b
for db in "a b" a_b; do
  q -d "$db" -c "CREATE EXTENSION dbkeeper; CREATE TABLE t AS SELECT '$db'::text AS v" >/dev/null
done
nab=$(q -d "a b" -c "SELECT dbkeeper_backup()")
n_ab=$(q -d a_b -c "SELECT dbkeeper_backup()")
# damage a_b's backup: verify() in "a b" must not be fooled into checking it, and must still pass
printf 'x' | dd of="$BACKUPS/$n_ab" bs=1 seek=200 conv=notrunc 2>/dev/null
v1=$(q -d "a b" -c "SELECT dbkeeper_verify()" 2>&1)
v2=$(q -d a_b -c "SELECT dbkeeper_verify()" 2>&1)
if [ "$nab" != "$n_ab" ] && [[ $nab == a+20b-* ]] && [ "$(readlink "$BACKUPS/a+20b-latest.sql.zst")" = "$nab" ] &&
   [ "$(readlink "$BACKUPS/a_b-latest.sql.zst")" = "$n_ab" ] && [ "$v1" = t ] && [[ $v2 == *"$n_ab"* ]]; then
  pass names_a_b "($nab, $n_ab)"
else
  fail names_a_b "names $nab $n_ab; verify in \"a b\": $v1; in a_b: $v2"
fi
rm -f "$BACKUPS/$n_ab"

# ---- a renamed database finds its backups
createdb app
q -d app -c "CREATE EXTENSION dbkeeper; CREATE TABLE t (v int); INSERT INTO t VALUES (1)" >/dev/null
q -d app -c "SELECT dbkeeper_backup('before-rename')" >/dev/null
q -d postgres -c "ALTER DATABASE app RENAME TO app_renamed" >/dev/null
q -d app_renamed -c "UPDATE t SET v = 2" >/dev/null
if q -d app_renamed -c "SELECT dbkeeper_restore()" >/dev/null 2>"$WORK/err" &&
   [ "$(q -d app_renamed -c "SELECT v FROM t")" = 1 ]; then
  pass renamed "(restored app's backup by identity)"
else
  fail renamed "$(cat "$WORK/err")"
fi

# ---- a retried restore restores what was meant
createdb retry
q -d retry -c "CREATE EXTENSION dbkeeper; CREATE ROLE regress_id_gone; CREATE TABLE t (v int);
  INSERT INTO t VALUES (1); GRANT SELECT ON t TO regress_id_gone" >/dev/null
good=$(q -d retry -c "SELECT dbkeeper_backup()")
q -d retry -c "UPDATE t SET v = 2; REVOKE ALL ON t FROM regress_id_gone; DROP ROLE regress_id_gone" >/dev/null
before=$(find "$BACKUPS" -name 'retry-*pre-restore*' | wc -l)
err=$(q -d retry -c "SELECT dbkeeper_restore()" 2>&1)
after=$(find "$BACKUPS" -name 'retry-*pre-restore*' | wc -l)
latest=$(readlink "$BACKUPS/retry-latest.sql.zst")
q -d retry -c "CREATE ROLE regress_id_gone" >/dev/null
if [[ $err == *'role "regress_id_gone" does not exist'* ]] && [ "$before" = "$after" ] && [ "$latest" = "$good" ] &&
   q -d retry -c "SELECT dbkeeper_restore()" >/dev/null 2>"$WORK/err" &&
   [ "$(q -d retry -c "SELECT v FROM t")" = 1 ] && [ "$(readlink "$BACKUPS/retry-latest.sql.zst")" = "$good" ]; then
  pass retry_after_failure "(latest stays $good; the retry restored it)"
else
  fail retry_after_failure "first: $err; safety backups $before -> $after; latest $latest; retry: $(cat "$WORK/err"); v=$(q -d retry -c "SELECT v FROM t")"
fi
q -d retry -c "DROP OWNED BY regress_id_gone; DROP ROLE regress_id_gone" >/dev/null 2>&1

# ---- three restores at once
q -d retry -c "SELECT dbkeeper_backup('for-concurrency')" >/dev/null
before=$(find "$BACKUPS" -name 'retry-*pre-restore*' | wc -l)
# The first restore's transaction stays open until the others have run (a
# statement_timeout keeps one that waited for it from hanging the test).
mkfifo "$WORK/first.in"
psql -X -q -d retry <"$WORK/first.in" >"$WORK/first.out" 2>&1 &
first=$!
exec 7>"$WORK/first.in"
echo "BEGIN; SELECT dbkeeper_restore();" >&7
for _ in $(seq 200); do
  [ "$(q -d retry -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 3 AND granted")" = 1 ] &&
    [ "$(q -d retry -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = 'retry'")" = 1 ] && break
  sleep 0.1
done
PGOPTIONS="-c statement_timeout=60s" q -d retry -c "SELECT dbkeeper_restore()" >"$WORK/second.out" 2>&1 &
second=$!
PGOPTIONS="-c statement_timeout=60s" q -d retry -c "SELECT dbkeeper_restore()" >"$WORK/third.out" 2>&1 &
third=$!
wait $second $third
echo "COMMIT;" >&7
exec 7>&-
wait $first
after=$(find "$BACKUPS" -name 'retry-*pre-restore*' | wc -l)
if grep -q 'another dbkeeper_restore() is running in database "retry"' "$WORK/second.out" &&
   grep -q 'another dbkeeper_restore() is running in database "retry"' "$WORK/third.out" &&
   ! grep -q ERROR "$WORK/first.out" && [ "$after" = $((before + 1)) ]; then
  pass concurrent_restores "(one ran; two refused at once; one safety backup)"
else
  fail concurrent_restores "first: $(cat "$WORK/first.out"); second: $(cat "$WORK/second.out"); third: $(cat "$WORK/third.out"); safety backups $before -> $after"
fi

# ---- retention keeps what users keep on purpose
createdb nightly
q -d nightly -c "CREATE EXTENSION dbkeeper; CREATE TABLE t (v int); INSERT INTO t VALUES (0)" >/dev/null
keep="SET dbkeeper.keep_backups = 3"
upgrade=$(q -d nightly -c "$keep" -c "SELECT dbkeeper_backup('before-upgrade')" | tail -1)
safety=$(q -d nightly -c "$keep" -c "SELECT dbkeeper_restore('$upgrade')" | tail -1)
for night in $(seq 1 30); do
  q -d nightly -c "$keep" -c "UPDATE t SET v = $night" -c "SELECT dbkeeper_backup()" >/dev/null
done
unlabelled=$(q -d nightly -c "SELECT count(*) FROM dbkeeper_backups() WHERE database = 'nightly' AND label IS NULL")
if [ -f "$BACKUPS/$upgrade" ] && [ -f "$BACKUPS/$safety" ] && [ "$unlabelled" = 3 ]; then
  pass retention_nightly "(before-upgrade and pre-restore kept through 30 nightly backups; 3 unlabelled)"
else
  fail retention_nightly "before-upgrade $(test -f "$BACKUPS/$upgrade" && echo kept || echo gone), safety $(test -f "$BACKUPS/$safety" && echo kept || echo gone), $unlabelled unlabelled"
fi
deleted=$(q -d nightly -c "SELECT dbkeeper_prune(1, 'before-upgrade')" -c "SELECT dbkeeper_prune(1, '*')" | tr '\n' ' ')
left=$(q -d nightly -c "SELECT count(*) FROM dbkeeper_backups() WHERE database = 'nightly'")
[ "$deleted" = "0 4 " ] && [ "$left" = 1 ] && pass retention_explicit_prune ||
  fail retention_explicit_prune "deleted $deleted, left $left"
