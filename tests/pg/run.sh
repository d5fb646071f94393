#!/usr/bin/env bash
# tests/pg/run.sh — the PostgreSQL tests: pg_regress on a throwaway cluster,
# then every tests/pg/t_*.sh.  DBK_PG_ONLY="regress t_backup" runs only the
# parts named (regress is pg_regress; the others are script names).  Each
# step ends with a TIME line (tests/timing.sh): pg/lock-wait, pg/install,
# pg/pg_regress, pg/t_<script>.
#
# The extension must be installed into the server's directories to be
# tested, so installing and testing hold /tmp/dbkeeper-pg.lock: two checkouts
# on one machine never test each other's build.  Clusters come from Debian's
# pg_virtualenv (-t: a temporary directory, usable as root).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
. tests/pg/version.sh
. tests/timing.sh
mkdir -p "$ROOT/build"
exec 9>/tmp/dbkeeper-pg.lock
timed pg/lock-wait flock 9

install_extension() {
  make -s -C pg_ext PG_CONFIG="$PGBIN/pg_config" install >"$ROOT/build/pg-install.log" 2>&1
}
if ! timed pg/install install_extension; then
  cat "$ROOT/build/pg-install.log"
  echo "FAIL pg/install"
  exit 1
fi
echo "PASS pg/install"

PG_ONLY=" ${DBK_PG_ONLY:-} "
pg_part_wanted() { [ "$PG_ONLY" = "  " ] || [[ $PG_ONLY == *" $1 "* ]]; }

run_pg_regress() {
  # pg_regress, one PASS/FAIL line per test file.  Backups go to a fresh
  # directory at a fixed path (error messages name it), owned by the server's
  # user with mode 0700 as dbkeeper requires; sql/setup.sql empties it and
  # sets it for the test database, as it does in a plain `make installcheck`.
  rm -rf pg_ext/regress
  REGRESS_BACKUP_DIR=/tmp/dbkeeper-regress-backups
  rm -rf "$REGRESS_BACKUP_DIR"
  install -d -m 700 -o postgres -g postgres "$REGRESS_BACKUP_DIR"
  # A port of its own: pg_virtualenv's default clashes with any other
  # throwaway cluster running on the machine.
  REGRESS_PORT=$((30000 + RANDOM % 20000))
  out=$(pg_virtualenv -t -v "$PG_MAJOR" -c "-p $REGRESS_PORT" \
          -o "shared_preload_libraries=pg_cron" -o "cron.database_name=contrib_regression" \
          make -s -C pg_ext PG_CONFIG="$PGBIN/pg_config" installcheck 2>&1)
  rc=$?
  rm -rf "$REGRESS_BACKUP_DIR"
  printf '%s\n' "$out" | sed -n 's/^test \([^ ]*\) *\.\.\. ok.*/PASS pg_regress\/\1/p;
                                s/^test \([^ ]*\) *\.\.\. FAILED.*/FAIL pg_regress\/\1/p;
                                s/^ok [0-9]* *- \([^ ]*\).*/PASS pg_regress\/\1/p;
                                s/^not ok [0-9]* *- \([^ ]*\).*/FAIL pg_regress\/\1/p'
  if [ $rc -ne 0 ]; then
    if [ -f pg_ext/regress/regression.diffs ]; then
      echo "---- regression.diffs ----"
      cat pg_ext/regress/regression.diffs
    else
      printf '%s\n' "$out" | tail -40
    fi
    printf '%s\n' "$out" | grep -q '^FAIL\|FAILED' || echo "FAIL pg_regress/run (exit $rc)"
  fi

}
pg_part_wanted regress && timed pg/pg_regress run_pg_regress

# Each script prints its own PASS/FAIL lines; one that dies, or that ends
# without a single PASS, is a failure of its own.
for t in tests/pg/t_*.sh; do
  [ -e "$t" ] || continue
  pg_part_wanted "$(basename "$t" .sh)" || continue
  out=$(mktemp)
  timed "pg/$(basename "$t" .sh)" bash "$t" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
    echo "FAIL $t exited with status $rc: $(grep -v '^PASS ' "$out" | tail -3 | tr '\n' ' ')"
  elif ! grep -q '^PASS ' "$out"; then
    echo "FAIL $t passed nothing: $(tail -3 "$out" | tr '\n' ' ')"
  fi
  rm -f "$out"
done
