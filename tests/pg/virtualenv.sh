# tests/pg/virtualenv.sh — for the PostgreSQL tests that run whole inside a
# throwaway cluster made by Debian's pg_virtualenv (t_banner.sh,
# t_codelist_cache.sh).  Such a script starts:
#
#   if [ "${1:-}" != inner ]; then
#     . "$(dirname "$0")/virtualenv.sh"; in_virtualenv PREFIX "$0" [options]; exit 0
#   fi
#
# and the rest of it runs inside the cluster (PGHOST, PGPORT, PGUSER set).

. "$(dirname "${BASH_SOURCE[0]}")/version.sh"

# in_virtualenv PREFIX SCRIPT [pg_virtualenv options]: runs "SCRIPT inner" in
# a new cluster, passes its PASS/FAIL lines on, and reports a run that failed
# or passed nothing under PREFIX, with the end of its other output
in_virtualenv() {
  local prefix=$1 script=$2 out rc
  shift 2
  out=$(pg_virtualenv -t -c "-p $((30000 + RANDOM % 20000))" -v "$PG_MAJOR" "$@" bash "$script" inner 2>&1)
  rc=$?
  printf '%s\n' "$out" | grep -E '^(PASS|FAIL) '
  if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q "^PASS $prefix/"; then
    printf '%s\n' "$out" | grep -vE '^(PASS|FAIL) ' | tail -30
    echo "FAIL $prefix/run exited with status $rc"
  fi
}
