#!/usr/bin/env bash
# tests/sqlite/t_codelist_cache.sh — dbkeeper_codelist_status's cache of
# compiled releases (sqlite_ext/codelist.c, "the release cache") never gives
# a stale answer.  Each check changes the release's edges in one way the
# cache must notice, where the old hierarchy would give another status, and
# reads the hidden column `cache` ("stored", "hit", "not cached") to show
# whether the cache was used.
#
# The release: README's status-rule example a>b a>c b>d b>e c>e c>f in its own
# database, attached as rel; the version: +b -c, and x, y undecided codes
# that the changes put under b or c.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/sqlite/lib.sh"

reset_release() {
  rm -f rel.db main.db
  sqlite3 rel.db "CREATE TABLE edges (code TEXT, parent TEXT);
                  INSERT INTO edges VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c');"
  sq main.db "SELECT dbkeeper_codelist_init();
              INSERT INTO dbkeeper_codelist_release VALUES ('r', 'sys', '2024-01-01', 'rel.edges', 'rel.terms');
              INSERT INTO dbkeeper_codelist_version (id, codelist, release) VALUES ('v', 'cl', 'r');
              INSERT INTO dbkeeper_codelist_code VALUES ('v','b','+'),('v','c','-'),('v','d','?'),
                ('v','e','?'),('v','x','?'),('v','y','?');" >/dev/null
}

# STATUS: one line "<codes and statuses>|<how>" per call.
STATUS="SELECT group_concat(code || status, ' ') || '|' || max(cache) FROM dbkeeper_codelist_status('v');"
BASE='b+ c- d(+) e!'

# run SQL...: one connection to main.db with rel.db attached; stdout and stderr.
run() { sq main.db "ATTACH 'rel.db' AS rel;" "$@" 2>&1; }

reset_release
got=$(run "$STATUS" "$STATUS")
check codelist-cache/hit "the second call uses the release the first stored" "$(echo $got)" \
  "$BASE x? y?|stored $BASE x? y?|hit"

got=$(run "$STATUS" ".system sqlite3 rel.db \"INSERT INTO edges VALUES ('x','b')\"" "$STATUS" "$STATUS")
check codelist-cache/other-connection-commit "another connection's commit to the attached release is seen" \
  "$(echo $got)" "$BASE x? y?|stored $BASE x(+) y?|stored $BASE x(+) y?|hit"

got=$(run "$STATUS" "INSERT INTO rel.edges VALUES ('y','c');" "$STATUS")
check codelist-cache/own-insert "this connection's insert is seen" "$(echo $got)" \
  "$BASE x(+) y?|stored $BASE x(+) y(-)|stored"

got=$(run "$STATUS" "DELETE FROM rel.edges WHERE code = 'x';" "$STATUS")
check codelist-cache/own-delete "this connection's delete is seen" "$(echo $got)" \
  "$BASE x(+) y(-)|stored $BASE x? y(-)|stored"

got=$(run "$STATUS" "UPDATE rel.edges SET parent = 'b' WHERE code = 'y';" "$STATUS")
check codelist-cache/own-update "this connection's update is seen" "$(echo $got)" \
  "$BASE x? y(-)|stored $BASE x? y(+)|stored"

# The same number of rows, other edges, in a new table: only the schema says so.
got=$(run "$STATUS" ".system sqlite3 rel.db \"DROP TABLE edges; CREATE TABLE edges (code TEXT, parent TEXT); INSERT INTO edges VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c'),('y','c')\"" "$STATUS")
check codelist-cache/drop-create "DROP TABLE and CREATE TABLE with other edges is seen" "$(echo $got)" \
  "$BASE x? y(+)|stored $BASE x? y(-)|stored"

got=$(run "$STATUS" "BEGIN;" "INSERT INTO rel.edges VALUES ('x','c');" "$STATUS" "ROLLBACK;" "$STATUS" "$STATUS")
check codelist-cache/uncommitted-own "inside a write transaction the own uncommitted edge is seen, not cached; after ROLLBACK it is gone" \
  "$(echo $got)" "$BASE x? y(-)|stored $BASE x(-) y(-)|not cached $BASE x? y(-)|stored $BASE x? y(-)|hit"

# DETACH, a commit by another connection, ATTACH again: the new database
# starts its data_version afresh, so only the detach epoch tells.
got=$(run "$STATUS" "DETACH rel;" ".system sqlite3 rel.db \"INSERT INTO edges VALUES ('x','b')\"" \
          "ATTACH 'rel.db' AS rel;" "$STATUS")
check codelist-cache/detach-attach "a release changed while detached is seen after ATTACH" "$(echo $got)" \
  "$BASE x? y(-)|stored $BASE x(+) y(-)|stored"

# Another database attached under the same name.
cp rel.db rel2.db
sqlite3 rel2.db "DELETE FROM edges WHERE code IN ('x', 'y');"
got=$(run "$STATUS" "DETACH rel;" "ATTACH 'rel2.db' AS rel;" "$STATUS")
check codelist-cache/other-file "another file attached under the same name is read" "$(echo $got)" \
  "$BASE x(+) y(-)|stored $BASE x? y?|stored"

# A view is not cached, and is right.
sqlite3 rel.db "CREATE VIEW edges_view AS SELECT code, parent FROM edges WHERE code <> 'y';"
got=$(run "UPDATE dbkeeper_codelist_release SET edges = 'rel.edges_view';" "$STATUS" "$STATUS")
check codelist-cache/view "a view is read each time" "$(echo $got)" \
  "$BASE x(+) y?|not cached $BASE x(+) y?|not cached"
run "UPDATE dbkeeper_codelist_release SET edges = 'rel.edges';" >/dev/null

# An unqualified name resolves as SQLite resolves it: temp first.
got=$(run "UPDATE dbkeeper_codelist_release SET edges = 'edges';" "$STATUS" \
          "CREATE TEMP TABLE edges (code TEXT, parent TEXT);" "INSERT INTO temp.edges VALUES ('b','a'),('x','b');" \
          "$STATUS" "$STATUS")
check codelist-cache/unqualified "an unqualified name follows SQLite's resolution, temp first" "$(echo $got)" \
  "$BASE x(+) y(-)|stored b+ c- d? e? x(+) y?|stored b+ c- d? e? x(+) y?|hit"
run "UPDATE dbkeeper_codelist_release SET edges = 'rel.edges';" >/dev/null

got=$(export DBKEEPER_CODELIST_CACHE=off; run "$STATUS" "$STATUS")
check codelist-cache/off "DBKEEPER_CODELIST_CACHE=off turns it off" "$(echo $got)" \
  "$BASE x(+) y(-)|not cached $BASE x(+) y(-)|not cached"

# A column renamed after the release was cached: the same error as without a cache.
got=$(run "$STATUS" "ALTER TABLE rel.edges RENAME COLUMN parent TO up;" "$STATUS" | grep -o 'has no column "parent"')
check codelist-cache/renamed-column "a cached release whose column is renamed gives the missing-column error" \
  "$got" 'has no column "parent"'
run "ALTER TABLE rel.edges RENAME COLUMN up TO parent;" >/dev/null

# The connection closes cleanly: the cache holds no statement past xDisconnect.
out=$(run "$STATUS" "$STATUS" ".exit" 2>&1)
case $out in
  *"unable to close"*|*"unfinalized"*) echo "FAIL sqlite/codelist-cache/clean-close [$out]" ;;
  *) echo "PASS sqlite/codelist-cache/clean-close the connection closes with a cached release" ;;
esac
