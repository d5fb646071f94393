# tests/sqlite/lib.sh — sourced by every tests/sqlite/t_*.sh script.
#
# Gives each script a fresh working directory and these helpers:
#   sq DB ARGS...               the real sqlite3 shell with dbkeeper loaded
#                               (under the sanitizer runtime in the ASan pass)
#   check ID DESC GOT WANT      PASS when GOT equals WANT
#   check_true ID DESC CMD...   PASS when CMD succeeds
#   check_error ID DESC PATTERN DB SQL
#                               PASS when SQL fails with a message matching
#                               the extended regex PATTERN
# Output lines "PASS sqlite/<id>" and "FAIL sqlite/<id> ..." are counted by
# tests/run-all.sh.  DBK_HEAVY=0 (the sanitizer pass) asks for smaller data.

set -u
: "${DBK_SQLITE_EXT:?run through tests/run-all.sh or set DBK_SQLITE_EXT}"
DBK_HEAVY=${DBK_HEAVY:-1}
T=$(mktemp -d /tmp/dbk-sqlite-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

sq() {
  local db=$1
  shift
  LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch -bail "$db" ".load $DBK_SQLITE_EXT" "$@"
}

check() {
  if [ "$3" = "$4" ]; then
    echo "PASS sqlite/$1 $2"
  else
    echo "FAIL sqlite/$1 $2: got [$3], want [$4]"
  fi
}

check_true() {
  local id=$1 desc=$2
  shift 2
  if "$@" >/dev/null 2>&1; then
    echo "PASS sqlite/$id $desc"
  else
    echo "FAIL sqlite/$id $desc: command failed: $*"
  fi
}

check_error() {
  local id=$1 desc=$2 pattern=$3 db=$4 sql=$5 out rc
  out=$(sq "$db" "$sql" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && printf '%s' "$out" | grep -Eq -- "$pattern"; then
    echo "PASS sqlite/$id $desc"
  else
    echo "FAIL sqlite/$id $desc: exit $rc, output [$out], want /$pattern/"
  fi
}

# A database with a table of accounts whose balances add up to 100 * rows.
make_accounts_db() {
  local db=$1 rows=${2:-1000}
  sqlite3 "$db" "CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);
                 INSERT INTO acct SELECT value, 100 FROM generate_series(1, $rows);"
}
