#!/usr/bin/env bash
# tests/pg/cross_version.sh [VERSION...] — dump and restore across major
# versions, the upgrade path of GNUmed's and Lino's documents:
#
#   1. on the host's PostgreSQL (15): pagila (schema and data) and
#      tests/pg/backup_objects.sql (its portable variant, -v dbk_portable=1,
#      with the test modules and tablespace it needs, as on each newer
#      version), each in a database with dbkeeper, backed up with
#      dbkeeper_backup();
#   2. in the chroot of each newer VERSION (tests/pg/chroot.sh; default
#      17 18), each backup restored two ways: `zstd -dc | psql` into a new
#      database, and dbkeeper_restore(name, true) over a database that has
#      other content.  Each must equal (dbsig: pg_dump -s, rows, sequences,
#      large objects) and have the fingerprint of the oracle: pg_dump of the
#      same PostgreSQL 15 database (the host's pg_dump, plain format)
#      replayed there with psql, after the host's roles (pg_dumpall
#      --roles-only), as a dump-and-restore upgrade does it, but for one
#      difference checked on its own: a subscription's streaming, which a
#      backup keeps (off on 15) and pg_dump before 18 leaves to 18's new
#      default (parallel); the oracle then gets the source's value before
#      the comparison.  (Loading the
#      source files on the newer server is no oracle: it gives a
#      partition's NOT NULL its parent's constraint name on 18, where any
#      restore of 15's tables gives it the partition's own.)  Then a backup
#      is taken there of the restored database;
#   3. back on the host, dbkeeper_restore of that newer backup is refused
#      with an error naming both versions, and the database (loaded again
#      from the same files and backed up), the backup directory and the
#      latest link stay as they were.
#
# Without a step named, it runs the three one after the other, for the
# VERSIONs given, in a directory of its own under /tmp.  make check
# (tests/run-all.sh) runs them as parts of their own: `backups DIR` (step 1)
# before the host's suite, `restore V DIR` (step 2 on V) after V's suite,
# and `refuse DIR V...` (step 3) once every suite has ended, so that the
# cross-version steps run beside the suites instead of alone after them.
# Each holds /tmp/dbkeeper-pg.lock (the host's installed extension) while
# it runs on the host, and step 2 the chroot's lock.  The files handed to a
# chroot go into a directory of that run's own inside it (tests/pg/chroot.sh,
# DBK_CHROOT_SHARE), so that two runs never meet there.
# PASS/FAIL ids: pg15/cross/<db>_backup (step 1); pgN/from15/<db>_<way> and
# <db>_<way>_streaming, with <way> psql, restore or pg_dump (step 2);
# pg15/refuse-pgN/<db> (step 3).  "inner FROM" is step 2 inside the chroot,
# on the backups of PostgreSQL FROM in $DBK_CHROOT_SHARE.
set -u
cd "$(dirname "$0")/../.." || exit 1

SOURCES_pagila="tests/fixtures/pagila/pagila-schema.sql tests/pg/pagila_data.sql"
SOURCES_objects="tests/pg/backup_objects.sql"
DBS="pagila objects"

# load DB: a new database with dbkeeper and the DB's source files
load() {
  local db=$1 target=${2:-$1} f files
  eval "files=\$SOURCES_$db"
  createdb "$target" || return 1
  q -q -d "$target" -c "CREATE EXTENSION dbkeeper" >"$WORK/load-$target.log" 2>&1 || return 1
  for f in $files; do
    q -q -v dbk_portable=1 -d "$target" -f "$f" >>"$WORK/load-$target.log" 2>&1 || return 1
  done
}

# put FILE: a copy of FILE in the cluster's backup directory
put() { install -o postgres -g postgres -m 0600 "$1" "$BACKUPS/$(basename "$1")"; }

# streaming DB: the subscriptions' streaming option in DB (off, on or
# parallel; a boolean before 16)
streaming() {
  q -d "$1" -c "SELECT string_agg(subname || '=' || CASE WHEN substream::text IN ('t', 'true') THEN 'on'
                  WHEN substream::text = 'p' THEN 'parallel' ELSE 'off' END, ' ' ORDER BY subname)
                FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# check_streaming ID DB: DB, restored from the backup, keeps the source's
# streaming option (see the oracle's exception below)
check_streaming() {
  local got
  [ -f "$XV/$db.streaming" ] || return 0
  got=$(streaming "$2")
  if [ "$got" = "$(cat "$XV/$db.streaming")" ]; then
    pass "$1_streaming" "(the subscription keeps the source's option: $got)"
  else
    fail "$1_streaming" "the subscription's option is $got, the source's $(cat "$XV/$db.streaming")"
  fi
}

if [ "${1:-}" = inner ]; then
  # ---- step 2, inside the chroot of a newer version ----
  XV=${DBK_CHROOT_SHARE:?inner runs in a chroot, by tests/pg/chroot.sh with DBK_CHROOT_SHARE} FROM=$2
  SUITE=from$FROM
  . tests/pg/lib.sh
  # The version's own psql, pg_dump and createdb, not Debian's wrapper, a
  # Perl script that costs each of the few hundred calls here as much CPU
  # as the call itself.
  PATH=$PGBIN:$PATH
  if ! make -s -C pg_ext PG_CONFIG="$PGBIN/pg_config" install >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log"; fail install "the extension did not build or install"; exit 1
  fi
  objects_modules
  start_cluster "$OBJECTS_CONF"
  objects_tablespace || { fail tablespace "regress_bk_space could not be made"; exit 1; }
  install -d -o postgres -g postgres -m 0700 "$BACKUPS"
  # the host's roles, as pg_dumpall --roles-only | psql gives them (its
  # CREATE ROLE postgres fails here, hence no ON_ERROR_STOP)
  psql -X -q -d postgres -f "$XV/roles.sql" >"$WORK/roles.log" 2>&1
  for db in $DBS; do
    name=$(cat "$XV/$db.name" 2>/dev/null)
    if [ -z "$name" ] || [ ! -f "$XV/$name" ]; then
      fail "${db}_backup" "no backup of $db from the host in $XV"; continue
    fi
    # the oracle: PostgreSQL FROM's pg_dump replayed here
    createdb "${db}_pg_dump"
    if ! psql -X -q -v ON_ERROR_STOP=1 -d "${db}_pg_dump" -f "$XV/$db.pg_dump.sql" >"$WORK/pg_dump-$db.log" 2>&1; then
      fail "${db}_pg_dump" "pg_dump's script of $db does not replay on PostgreSQL $PG_MAJOR: $(grep -m3 ERROR "$WORK/pg_dump-$db.log")"
      continue
    fi
    # The one difference expected from the oracle: a subscription's
    # streaming.  pg_dump before 18 leaves out streaming = off, the default
    # then, so its script makes 18's default, parallel; a backup writes the
    # source's value and keeps it, as a backup should.  Checked here, then
    # the oracle is given the source's value so that the rest compares whole.
    if [ -f "$XV/$db.streaming" ]; then
      src=$(cat "$XV/$db.streaming") want=$src
      if [ "$PG_MAJOR" -ge 18 ] && [ "$FROM" -lt 18 ]; then want=${src//=off/=parallel}; fi
      got=$(streaming "${db}_pg_dump")
      if [ "$got" = "$want" ]; then
        pass "${db}_pg_dump_streaming" "(pg_dump $FROM | psql $PG_MAJOR gives $got where the source has $src)"
      else
        fail "${db}_pg_dump_streaming" "pg_dump $FROM | psql $PG_MAJOR gives $got, expected $want (the source has $src)"
      fi
      for sub in $src; do
        q -q -d "${db}_pg_dump" -c "ALTER SUBSCRIPTION \"${sub%=*}\" SET (streaming = ${sub#*=})"
      done
    fi
    dbsig "${db}_pg_dump" >"$WORK/$db.source.sig"
    fp_source=$(q -d "${db}_pg_dump" -c "SELECT dbkeeper_fingerprint()")

    # zstd -dc | psql, into a new database
    if ! psql_restore "$XV/$name" "${db}_psql"; then
      fail "${db}_psql" "the psql replay failed: $(grep -m3 ERROR "$WORK/restore-${db}_psql.log")"
    else
      check_streaming "${db}_psql" "${db}_psql"
      dbsig "${db}_psql" >"$WORK/$db.psql.sig"
      sig_diff "${db}_psql" "$WORK/$db.source.sig" "$WORK/$db.psql.sig" &&
        pass "${db}_psql" "(zstd -dc | psql of the PostgreSQL $FROM backup equals pg_dump $FROM | psql $PG_MAJOR)"
    fi

    # dbkeeper_restore over a database with other content
    put "$XV/$name"
    createdb "${db}_restored"
    q -q -d "${db}_restored" -c "CREATE EXTENSION dbkeeper; CREATE TABLE in_the_way (x int);
                                 INSERT INTO in_the_way VALUES (1)"
    if ! q -d "${db}_restored" -c "SELECT dbkeeper_restore('$name', true)" >/dev/null 2>"$WORK/err"; then
      fail "${db}_restore" "dbkeeper_restore failed: $(cat "$WORK/err")"; continue
    fi
    check_streaming "${db}_restore" "${db}_restored"
    dbsig "${db}_restored" >"$WORK/$db.restored.sig"
    sig_diff "${db}_restore" "$WORK/$db.source.sig" "$WORK/$db.restored.sig" &&
      pass "${db}_restore" "(dbkeeper_restore of the PostgreSQL $FROM backup equals pg_dump $FROM | psql $PG_MAJOR)"
    fp=$(q -d "${db}_restored" -c "SELECT dbkeeper_fingerprint()")
    if [ -n "$fp" ] && [ "$fp" = "$fp_source" ]; then
      pass "${db}_fingerprint" "(the restored database has the fingerprint of pg_dump's restore)"
    else
      fail "${db}_fingerprint" "dbkeeper's restore $fp, pg_dump's restore $fp_source"
    fi

    # a backup of this newer server, for step 3
    if newer=$(q -d "${db}_restored" -c "SELECT dbkeeper_backup('pg$PG_MAJOR')" 2>"$WORK/err"); then
      cp "$BACKUPS/$newer" "$XV/$newer" && printf '%s\n' "$newer" >"$XV/$db.newer"
    else
      fail "${db}_backup" "no backup on PostgreSQL $PG_MAJOR: $(cat "$WORK/err")"
    fi
  done
  exit 0
fi

# ---- steps 1 and 3, on the host, and the chroot's part of step 2 ----
# Each holds /tmp/dbkeeper-pg.lock (the host's installed extension) only
# while it runs, and each step 2 its chroot's lock, so that make check can
# run step 1 before the host's suite and step 2 after each newer version's
# suite, at the same time as the other suites (tests/run-all.sh).

# backups DIR: step 1, the host's backups, pg_dump scripts and roles, into
# DIR (made if missing), which gets a file "ready" when they are complete.
backups() {
  local dir=$1 db name sub
  mkdir -p "$dir"
  rm -f "$dir/ready"
  exec 9>/tmp/dbkeeper-pg.lock
  flock 9
  SUITE=cross
  . tests/pg/lib.sh
  SUITE=pg$PG_MAJOR/cross
  # whatever way this ends, a step 2 waiting for DIR/ready is told
  XV_DIR=$dir
  cross_mark() { [ -f "$XV_DIR/ready" ] || : >"$XV_DIR/failed"; }
  pg_lib_cleanup_hooks="$pg_lib_cleanup_hooks cross_mark"
  if ! make -s -C pg_ext PG_CONFIG="$PGBIN/pg_config" install >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log"; fail install "the extension did not build or install"; return 1
  fi
  objects_modules
  start_cluster "$OBJECTS_CONF"
  objects_tablespace || { fail tablespace "regress_bk_space could not be made"; return 1; }
  for db in $DBS; do
    if ! load "$db"; then
      fail "${db}_load" "$db does not load: $(grep -m3 ERROR "$WORK/load-$db.log")"; return 1
    fi
    if ! name=$(q -d "$db" -c "SELECT dbkeeper_backup('pg$PG_MAJOR')" 2>"$WORK/err"); then
      fail "${db}_backup" "$(cat "$WORK/err")"; return 1
    fi
    cp "$BACKUPS/$name" "$dir/" && printf '%s\n' "$name" >"$dir/$db.name"
    sub=$(streaming "$db")
    if [ -n "$sub" ]; then printf '%s\n' "$sub" >"$dir/$db.streaming"; else rm -f "$dir/$db.streaming"; fi
    pg_dump -d "$db" -f "$dir/$db.pg_dump.sql" 2>"$WORK/err" ||
      { fail "${db}_pg_dump" "$(cat "$WORK/err")"; return 1; }
    pass "${db}_backup" "($name, $(stat -c %s "$BACKUPS/$name") bytes, and pg_dump's script of $db)"
  done
  pg_dumpall --roles-only --no-role-passwords -f "$dir/roles.sql" 2>"$WORK/err" ||
    { fail roles "$(cat "$WORK/err")"; return 1; }
  : >"$dir/ready"
}

# restore V DIR: step 2 on PostgreSQL V, on the backups of step 1 in DIR.
# The files go into a directory of this run's own inside the chroot
# (tests/pg/chroot.sh's DBK_CHROOT_SHARE, removed when it ends); what the
# chroot writes comes back to DIR/toV.  Under make check, step 1 may still be
# running: this waits for DIR/ready, or for DIR/failed.
restore() {
  local v=$1 dir=$2 out=$2/to$1 f
  while [ ! -f "$dir/ready" ] && [ ! -f "$dir/failed" ]; do sleep 2; done
  if [ ! -f "$dir/ready" ]; then
    echo "FAIL pg$v/from$HOST_MAJOR/backups no backups of the host to restore (step 1 failed)"; return 1
  fi
  rm -rf "$out"
  mkdir -p "$out"
  for f in "$dir"/*; do [ -f "$f" ] && cp "$f" "$out/"; done
  rm -f "$out/ready"
  DBK_CHROOT_SHARE=$out tests/pg/chroot.sh "$v" bash tests/pg/cross_version.sh inner "$HOST_MAJOR"
}

# refuse DIR V...: step 3, the backups each newer V wrote (DIR/toV) refused
# here, with nothing changed: the database as step 1 made it, loaded again,
# and the backup directory, which holds its own backup and latest link.
# The database is compared as a whole pg_dump writes it, rows, sequences and
# large objects included: one process, where dbsig runs one query per table.
dumpsig() { pg_dump -d "$1" 2>&1 | grep -v '^\\\(un\)\?restrict '; }
refuse() {
  local dir=$1 v db newer files_before
  shift
  exec 9>/tmp/dbkeeper-pg.lock
  flock 9
  SUITE=cross
  . tests/pg/lib.sh
  if ! make -s -C pg_ext PG_CONFIG="$PGBIN/pg_config" install >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log"; SUITE=pg$PG_MAJOR/cross; fail install "the extension did not build or install"; return 1
  fi
  objects_modules
  start_cluster "$OBJECTS_CONF"
  objects_tablespace || { fail tablespace "regress_bk_space could not be made"; return 1; }
  for db in $DBS; do
    if ! load "$db" || ! q -d "$db" -c "SELECT dbkeeper_backup('pg$PG_MAJOR')" >/dev/null 2>"$WORK/err"; then
      SUITE=pg$PG_MAJOR/cross; fail "${db}_load" "$db does not load: $(grep -m3 ERROR "$WORK/load-$db.log" "$WORK/err")"; return 1
    fi
    dumpsig "$db" >"$WORK/$db.before.sig"
  done
  for v in "$@"; do
    SUITE=pg$PG_MAJOR/refuse-pg$v
    for db in $DBS; do
      newer=$(cat "$dir/to$v/$db.newer" 2>/dev/null)
      if [ -z "$newer" ]; then fail "$db" "PostgreSQL $v wrote no backup of $db"; continue; fi
      put "$dir/to$v/$newer"
      files_before=$(ls -l "$BACKUPS")
      if q -d "$db" -c "SELECT dbkeeper_restore('$newer', true)" >/dev/null 2>"$WORK/err"; then
        fail "$db" "PostgreSQL $PG_MAJOR restored a backup of PostgreSQL $v"
      elif ! grep -q "PostgreSQL $v.*PostgreSQL $PG_MAJOR" "$WORK/err"; then
        fail "$db" "the refusal does not name both versions: $(cat "$WORK/err")"
      else
        dumpsig "$db" >"$WORK/$db.after.sig"
        if sig_diff "$db" "$WORK/$db.before.sig" "$WORK/$db.after.sig"; then
          if [ "$(ls -l "$BACKUPS")" = "$files_before" ]; then
            pass "$db" "($(grep -o 'ERROR: .*' "$WORK/err" | head -1))"
          else
            fail "$db" "the backup directory changed: no safety backup should have been taken"
          fi
        fi
      fi
      rm -f "$BACKUPS/$newer"
    done
  done
}

HOST_MAJOR=$(. tests/pg/version.sh; echo "$PG_MAJOR")
case ${1:-} in
  backups) backups "$2" || { : >"$2/failed"; exit 1; } ;;
  restore) restore "$2" "$3" ;;
  refuse) shift; refuse "$@" ;;
  *)
    # all three steps, one after the other, in a directory of this run's own
    VERSIONS=${*:-17 18}
    XV=$(mktemp -d /tmp/dbkeeper-cross.XXXXXX)
    trap 'rm -rf "$XV"' EXIT
    rc=0
    (backups "$XV") || { : >"$XV/failed"; rc=1; }
    for v in $VERSIONS; do restore "$v" "$XV" || rc=1; done
    [ -f "$XV/ready" ] && { (refuse "$XV" $VERSIONS) || rc=1; }
    exit $rc ;;
esac
