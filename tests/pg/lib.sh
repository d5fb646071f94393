# tests/pg/lib.sh — what the multi-process PostgreSQL tests share: a private
# cluster (initdb as the postgres user, a Unix socket in the work directory)
# and dbsig, the text that two databases with the same content share.
#
# Source it after setting SUITE (the prefix of PASS/FAIL lines); it sets
# WORK, PORT, BACKUPS, PG_MAJOR, PGBIN (tests/pg/version.sh) and PG* variables, and stops the cluster and
# removes WORK on exit (add to pg_lib_cleanup_hooks for more).

. "$(dirname "${BASH_SOURCE[0]}")/version.sh"
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

# start_cluster [conf lines...]: initdb and start $WORK/primary; exits on failure
start_cluster() {
  local line
  if ! as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1; then
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

. tests/pg/dbsig.sh

# sig_diff ID FILE_A FILE_B: false, after a FAIL line with the diff, when two dbsig files differ
sig_diff() {
  local id=$1
  if ! diff -u "$2" "$3" >"$WORK/$id.diff"; then
    fail "$id" "databases differ:"; head -40 "$WORK/$id.diff" | sed 's/^/    /'; return 1
  fi
  return 0
}
