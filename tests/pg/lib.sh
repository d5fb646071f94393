# tests/pg/lib.sh — what the multi-process PostgreSQL tests share: a private
# cluster (initdb as the postgres user, a Unix socket in the work directory)
# and dbsig, the text that two databases with the same content share.
#
# Source it after setting SUITE (the prefix of PASS/FAIL lines); it sets
# WORK, PORT, BACKUPS, PG_MAJOR, PGBIN (tests/pg/version.sh) and PG* variables,
# puts PGBIN first in PATH, and stops the cluster and removes WORK on exit (add
# to pg_lib_cleanup_hooks for more).

. "$(dirname "${BASH_SOURCE[0]}")/version.sh"
# psql, pg_dump, createdb, pgbench ... straight from the version's bin
# directory: Debian's /usr/bin/psql and the others are pg_wrapper, a Perl
# script that picks the version and then runs the same binary, at about 70 ms
# of CPU per call, more than most of the calls themselves.
export PATH="$PGBIN:$PATH"
WORK=$(mktemp -d "/tmp/dbk-t-$SUITE.XXXXXX")
chown postgres "$WORK"
chmod 755 "$WORK"
PORT=$((20000 + RANDOM % 20000))
BACKUPS=$WORK/backups
export PGHOST=$WORK PGUSER=postgres PGPORT=$PORT
unset PGPASSWORD PGDATABASE

as_pg() { runuser -u postgres -- "$@"; }
pass() { echo "PASS $SUITE/$1${2:+ $2}"; }
fail() { echo "FAIL $SUITE/$1${2:+ $2}"; }
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }

pg_lib_cleanup_hooks=""
pg_lib_cleanup() {
  local hook
  for hook in $pg_lib_cleanup_hooks; do "$hook"; done
  as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap pg_lib_cleanup EXIT

# new_datadir DIR: DIR becomes a new cluster's data directory, as
# `initdb -N -U postgres -A trust -E UTF8 --locale=C.UTF-8` makes it, owned
# by postgres.  initdb costs a second or more of CPU and a version's suite
# starts about twenty clusters, so initdb runs once per PostgreSQL build
# (binaries and share directory unchanged) into a template under /tmp, under
# a lock, and every cluster is a copy of it (cp -a, a tenth of the cost).
# Copies share the template's system identifier: a test that needs clusters
# told apart by it (tests/pg/t_identity.sh) runs initdb itself.
INITDB_ARGS=(-N -U postgres -A trust -E UTF8 --locale=C.UTF-8)
new_datadir() {
  local dir=$1 key tpl
  key=$({ echo "$PGBIN ${INITDB_ARGS[*]}"
          stat -Lc '%n %s %Y' "$PGBIN/initdb" "$PGBIN/postgres" "$("$PGBIN/pg_config" --sharedir)/postgres.bki"
        } 2>/dev/null | md5sum | cut -c1-16)
  tpl=/tmp/dbk-initdb-$PG_MAJOR-$key
  (
    flock 8
    if [ ! -f "$tpl/global/pg_control" ]; then
      rm -rf "$tpl" "$tpl.new" && install -d -o postgres -m 700 "$tpl.new" &&
        as_pg "$PGBIN/initdb" "${INITDB_ARGS[@]}" -D "$tpl.new" >"$WORK/initdb.log" 2>&1 &&
        mv "$tpl.new" "$tpl"
    fi
  ) 8>"$tpl.lock"
  if [ -f "$tpl/global/pg_control" ] && cp -a "$tpl" "$dir"; then
    return 0
  fi
  rm -rf "$dir"
  as_pg "$PGBIN/initdb" "${INITDB_ARGS[@]}" -D "$dir" >"$WORK/initdb.log" 2>&1
}

# start_cluster [conf lines...]: a new cluster in $WORK/primary (new_datadir),
# started; exits on failure.  Throwaway clusters: the server runs with fsync
# = off.
start_cluster() {
  local line
  if ! new_datadir "$WORK/primary"; then
    cat "$WORK/initdb.log"; fail cluster "initdb failed"; exit 1
  fi
  {
    echo "port = $PORT"
    echo "unix_socket_directories = '$WORK'"
    echo "listen_addresses = ''"
    echo "dbkeeper.backup_dir = '$BACKUPS'"
    echo "fsync = off"
    for line in "$@"; do echo "$line"; done
  } >>"$WORK/primary/postgresql.conf"
  if ! as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null; then
    cat "$WORK/primary.log"; fail cluster "server did not start"; exit 1
  fi
}

# What tests/pg/backup_objects.sql needs of the cluster, in two steps.
# objects_modules (before start_cluster): builds the test-only modules of
# tests/pg/ext into WORK and installs the extensions dbk_test_config and
# dbk_test_counter into the server's extension directory (tests/pg/run.sh holds the install lock);
# sets OBJECTS_CONF, the line that loads the security label provider into
# every session.  objects_tablespace (after): makes tablespace
# regress_bk_space in WORK/space.
objects_modules() {
  mkdir -p "$WORK/ext" && cp tests/pg/ext/Makefile tests/pg/ext/*.c "$WORK/ext/" &&
    make -s -C "$WORK/ext" with_llvm=no >"$WORK/ext/build.log" 2>&1 &&
    install -m 644 tests/pg/ext/dbk_test_*.control tests/pg/ext/dbk_test_*--*.sql \
      "$(pg_config --sharedir)/extension/" || { fail modules "$(tail -3 "$WORK/ext/build.log")"; exit 1; }
  OBJECTS_CONF="session_preload_libraries = '$WORK/ext/dbk_test_seclabel.so'"
}
objects_tablespace() {
  install -d -o postgres -m 700 "$WORK/space" &&
    q -c "CREATE TABLESPACE regress_bk_space LOCATION '$WORK/space'" >/dev/null
}

. tests/pg/dbsig.sh

# build_pack_backup: $WORK/pack_backup from tests/pg/pack_backup.c (repacks a
# changed script into a backup with every checksum right); the archive and
# its utilities are all it needs of the core (compiling the whole core cost
# three times as much).  False if it does not build.
build_pack_backup() {
  cc -O1 -std=c11 -D_GNU_SOURCE -o "$WORK/pack_backup" core/archive/*.c core/util/*.c \
    tests/pg/pack_backup.c -lzstd -lcrypto
}

# sig_diff ID FILE_A FILE_B: false, after a FAIL line with the diff, when two dbsig files differ
sig_diff() {
  local id=$1
  if ! diff -u "$2" "$3" >"$WORK/$id.diff"; then
    fail "$id" "databases differ:"; head -40 "$WORK/$id.diff" | sed 's/^/    /'; return 1
  fi
  return 0
}
