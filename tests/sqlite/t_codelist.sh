#!/usr/bin/env bash
# tests/sqlite/t_codelist.sh — codelist draft regeneration on SQLite: the cases
# of tests/codelist/cases.txt (the same ones sql/codelist.sql and
# sql/codelist_indexed.sql run on PostgreSQL), three times — with indexes on
# the edges tables, so that the functions walk the hierarchy, without, so
# that they read every edge, and with indexes but without the statuses'
# release cache — then what only SQLite has.
#
# The generated script is run in pieces on one database file: the checks of a
# piece print "<id>|ok" or "<id>|got [...]"; each expected error runs on its
# own connection (the sqlite3 shell prints errors on stderr, out of step with
# stdout), with the databases the cases attached so far attached again.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/sqlite/lib.sh"

CASES=$ROOT/tests/codelist/cases.txt
GEN=$ROOT/tests/codelist/gen.awk

# sql/codelist.sql, sql/codelist_indexed.sql and sql/codelist_cached.sql must be what the cases
# generate for PostgreSQL, and PostgreSQL's expected output may hold nothing
# but passing checks.
for variant in codelist codelist_indexed codelist_cached; do
  awk -v engine=pg -v indexed=$([ $variant = codelist_indexed ] && echo 1 || echo 0) \
      -v vacuum=$([ $variant = codelist_cached ] && echo 1 || echo 0) -f "$GEN" "$CASES" > pg.sql
  if cmp -s pg.sql "$ROOT/sql/$variant.sql"; then
    echo "PASS sqlite/$variant/pg-script-up-to-date"
  else
    echo "FAIL sqlite/$variant/pg-script-up-to-date: sql/$variant.sql differs from what tests/codelist/gen.awk makes of cases.txt"
  fi
  bad=$(grep -E '^[a-z0-9-]+/[a-z0-9-]+\|' "$ROOT/expected/$variant.out" | grep -Ev '\|ok( [0-9A-Z]{5})?$')
  if [ -z "$bad" ] && grep -q '|ok' "$ROOT/expected/$variant.out"; then
    echo "PASS sqlite/$variant/pg-expected-all-ok"
  else
    echo "FAIL sqlite/$variant/pg-expected-all-ok: expected/$variant.out records [$bad]"
  fi
done

# report OUTPUT: one PASS/FAIL per verdict line.
report() {
  local line id verdict
  while IFS= read -r line; do
    case $line in
      */*\|*) ;;
      *) echo "FAIL sqlite/$prefix/output: unexpected [$line]"; continue ;;
    esac
    id=${line%%|*}
    verdict=${line#*|}
    if [ "$verdict" = ok ]; then
      echo "PASS sqlite/$prefix/$id"
    else
      echo "FAIL sqlite/$prefix/$id: $verdict"
    fi
  done <<<"$1"
}

run_chunk() {
  local out
  [ -n "$chunk" ] || return 0
  if ! out=$(sq "$DB" "$attach$chunk" 2>&1); then
    echo "FAIL sqlite/$prefix/script: $out"
  fi
  [ -n "$out" ] && report "$out"
  chunk=""
}

# run_cases PREFIX INDEXED DB: the cases on database DB.
run_cases() {
prefix=$1
DB=$3
attach=""
chunk=""
awk -v engine=sqlite -v indexed="$2" -f "$GEN" "$CASES" > cases.sql || { echo "FAIL sqlite/$prefix/generate"; return; }
mode=sql
while IFS= read -r line; do
  case $mode:$line in
    sql:"-- @attach "*)
      name=${line#-- @attach }
      attach="${attach}ATTACH '$prefix-$name.db' AS $name;"$'\n'
      ;;
    sql:"-- @error "*)
      run_chunk
      spec=${line#-- @error }
      err_id=${spec%%$'\t'*}
      err_want=${spec#*$'\t'}
      stmt=""
      mode=error
      ;;
    error:"-- @end")
      out=$(sq "$DB" "$attach$stmt" 2>&1)
      rc=$?
      if [ $rc -ne 0 ] && [[ $out == *"$err_want"* ]]; then
        echo "PASS sqlite/$prefix/$err_id"
      else
        echo "FAIL sqlite/$prefix/$err_id: exit $rc, output [$out], want [$err_want]"
      fi
      mode=sql
      ;;
    error:*) stmt+="$line"$'\n' ;;
    sql:"-- "* | sql:"") ;;
    sql:*) chunk+="$line"$'\n' ;;
  esac
done < cases.sql
run_chunk
}

# With indexes and without; dbkeeper_codelist_status uses its cache of
# compiled releases (tests/sqlite/t_codelist_cache.sh) in both.  Then once
# more with the cache off, where statuses walk down through the indexes.
# The SQLite-only checks use the last run's database.
run_cases codelist-indexed 1 "$T/indexed.db"
(export DBKEEPER_CODELIST_CACHE=off; run_cases codelist-indexed-nocache 1 "$T/nocache.db")
run_cases codelist 0 "$T/codelist.db"

# ---- SQLite only ---------------------------------------------------------

# The functions cannot be called from a view or a trigger.
sq "$DB" "CREATE VIEW cl_view AS SELECT * FROM dbkeeper_codelist_status('ex_v1');" >/dev/null 2>&1
check_error codelist/directonly-view "dbkeeper_codelist_status refused in a view" \
  "unsafe use of virtual table|dbkeeper_codelist_status" "$DB" "SELECT count(*) FROM cl_view;"
sq "$DB" "CREATE TABLE cl_trig(v text);
          CREATE TRIGGER cl_trig_ins AFTER INSERT ON cl_trig
          BEGIN SELECT dbkeeper_codelist_new_draft(new.v, 'mallory'); END;" >/dev/null 2>&1
check_error codelist/directonly-trigger "dbkeeper_codelist_new_draft refused in a trigger" \
  "unsafe use of dbkeeper_codelist_new_draft" "$DB" "INSERT INTO cl_trig VALUES ('ex_v1');"

# A failed draft inside the caller's transaction leaves the transaction going and writes nothing.
got=$(printf '%s\n' "CREATE TABLE cl_mark(x);" "BEGIN;" "INSERT INTO cl_mark VALUES (2);" \
        "SELECT dbkeeper_codelist_new_draft('cy_v1', 'ana');" \
        "INSERT INTO cl_mark VALUES (3);" "COMMIT;" \
        "SELECT group_concat(x) FROM cl_mark;" \
        "SELECT count(*) FROM dbkeeper_codelist_version WHERE id LIKE 'cycle@%';" \
      | LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch -cmd ".load $DBK_SQLITE_EXT" "$DB" 2>/dev/null)
check codelist/failed-draft-in-transaction "the caller's transaction goes on, no draft written" \
  "$(printf '%s' "$got" | tr '\n' ' ')" "2,3 0"

# A draft in the caller's transaction is rolled back with it.
got=$(sq "$DB" "BEGIN; SELECT dbkeeper_codelist_new_draft('nc_v1', 'ana', 'nc1'); ROLLBACK;
                SELECT count(*) FROM dbkeeper_codelist_version WHERE id = 'newcode@nc1';" 2>&1)
check codelist/draft-rolled-back "ROLLBACK removes the draft" "$(printf '%s' "$got" | tr '\n' ' ')" "newcode@nc1 0"

# Either argument form of the table-valued functions.
got=$(sq "$DB" "SELECT count(*) FROM dbkeeper_codelist_status WHERE version = 'ex_v1';")
check codelist/hidden-column "WHERE version = ... works like the argument" "$got" "10"
got=$(sq "$DB" "SELECT group_concat(c.code, '') FROM dbkeeper_codelist_version v,
                dbkeeper_codelist_status(v.id) c WHERE v.id = 'cf_v1';")
check codelist/lateral "the argument may come from another table" "$got" "pqxy"
check_error codelist/no-argument "a missing argument is an error" "version cannot be NULL" \
  "$DB" "SELECT * FROM dbkeeper_codelist_status;"

# The tables appear on first use in a new database.
sq "$T/fresh.db" "SELECT count(*) FROM dbkeeper_codelist_status('x');" >/dev/null 2>&1
got=$(sqlite3 "$T/fresh.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'dbkeeper_codelist_%';")
check codelist/implicit-init "any codelist function creates the missing tables" "$got" "4"

# The CHECK constraints of the tables.
check_error codelist/bad-status "a status outside the six is refused" "CHECK constraint failed" \
  "$DB" "INSERT INTO dbkeeper_codelist_code VALUES ('ex_v1', 'zz', '(?)');"
check_error codelist/search-one-of "a search has exactly one of term and code" "CHECK constraint failed" \
  "$DB" "INSERT INTO dbkeeper_codelist_search VALUES ('ex_v1', 'x', 'y');"
