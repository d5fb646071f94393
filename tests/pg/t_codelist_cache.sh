#!/usr/bin/env bash
# tests/pg/t_codelist_cache.sh — dbkeeper_codelist_status's cache of compiled
# releases on PostgreSQL (pg_ext/codelist_cache.c) never gives a stale
# answer.  Each check changes the release's edges in one way the cache must
# notice, where the old hierarchy would give another status, and reads the
# DEBUG1 message that says whether the release was "stored", came "from the
# cache" or was "not cached".
#
# One psql session (the cache is per backend) runs the script; a second
# session, fed through a FIFO, holds a transaction open across it.  The
# release: README's status-rule example a>b a>c b>d b>e c>e c>f; the version: +b -c,
# and x, y, z undecided codes that the changes put under b or c.
#
# Run by tests/pg/run.sh, which holds /tmp/dbkeeper-pg.lock and has
# installed the extension.  Prints "PASS pg/codelist-cache/<id>" or "FAIL ...".
set -u

if [ "${1:-}" != inner ]; then
  . "$(dirname "$0")/virtualenv.sh"
  in_virtualenv pg/codelist-cache "$0"
  exit 0
fi

# ---- inside the throwaway cluster (PGHOST, PGPORT, PGUSER=postgres set) ----
T=$(mktemp -d /tmp/dbk-clcache-XXXXXX)
chmod 777 "$T"
OTHER_PID=""
cleanup() {
  [ -n "$OTHER_PID" ] && kill "$OTHER_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE clcache" >/dev/null

# The second session reads $T/fifo; sleep keeps the FIFO open between writes.
mkfifo "$T/fifo"
psql -X -q -At -d clcache < "$T/fifo" > "$T/other.out" 2>&1 &
OTHER_PID=$!
sleep 100000 > "$T/fifo" &
SLEEPER=$!

B='b+ c- d(+) e!'
# st ID: the statuses, then the DEBUG1 line of the call, as "<statuses>|<how>".
st() {
  cat <<EOF
\\echo @$1
SELECT string_agg(code || status, ' ' ORDER BY code) FROM dbkeeper_codelist_status('v');
EOF
}
# other SQL: runs SQL in the second session and waits until it has.
other() {
  echo "\\! printf '%s\\n' \"$1\" '\\echo done-$2' > $T/fifo; until grep -q done-$2 $T/other.out; do sleep 0.1; done"
}

{
  cat <<'EOF'
SET client_min_messages = warning;
CREATE EXTENSION dbkeeper;
CREATE SCHEMA rel;
CREATE TABLE rel.e (code text, parent text);
INSERT INTO rel.e VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c');
INSERT INTO dbkeeper_codelist_release VALUES ('r', 'sys', '2024-01-01', 'rel.e', 'rel.e');
INSERT INTO dbkeeper_codelist_version (id, codelist, release) VALUES ('v', 'cl', 'r');
INSERT INTO dbkeeper_codelist_code VALUES ('v','b','+'),('v','c','-'),('v','d','?'),('v','e','?'),
  ('v','x','?'),('v','y','?'),('v','z','?');
EOF
  st unvacuumed
  echo "VACUUM rel.e;"
  echo "SET client_min_messages = debug1;"
  st stored; st hit
  echo "INSERT INTO rel.e VALUES ('x','b');"
  st insert
  echo "VACUUM rel.e;"
  st insert-vacuum; st insert-vacuum-hit
  echo "INSERT INTO rel.e VALUES ('x','c'); VACUUM rel.e;"
  st insert2-vacuum
  echo "DELETE FROM rel.e WHERE code = 'x' AND parent = 'b'; VACUUM rel.e;"
  st delete-vacuum
  echo "UPDATE rel.e SET parent = 'b' WHERE code = 'x';"
  st update
  echo "VACUUM rel.e;"
  st update-vacuum
  echo "TRUNCATE rel.e;"
  echo "INSERT INTO rel.e VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c'),('x','f'); VACUUM rel.e;"
  st truncate-reload
  other "BEGIN; INSERT INTO rel.e VALUES ('y','b');" 1
  st other-uncommitted
  other "COMMIT;" 2
  st other-committed
  echo "VACUUM rel.e;"
  st other-vacuum; st other-vacuum-hit
  echo "BEGIN; INSERT INTO rel.e VALUES ('z','c');"
  st own-uncommitted
  echo "ROLLBACK;"
  st rolled-back
  echo "VACUUM rel.e;"
  st rolled-back-vacuum
  # Row-level security: a policy hides y from a reader; never cached.
  cat <<'EOF'
CREATE ROLE cl_reader;
GRANT USAGE ON SCHEMA rel TO cl_reader;
GRANT SELECT ON rel.e, dbkeeper_codelist_release, dbkeeper_codelist_version, dbkeeper_codelist_code,
  dbkeeper_codelist_search TO cl_reader;
CREATE POLICY hide_y ON rel.e FOR SELECT USING (code <> 'y');
ALTER TABLE rel.e ENABLE ROW LEVEL SECURITY;
SET ROLE cl_reader;
EOF
  st rls-reader
  echo "RESET ROLE;"
  echo "ALTER TABLE rel.e DISABLE ROW LEVEL SECURITY; VACUUM rel.e;"
  # Privileges: the release cached before serves a reader, until SELECT is revoked.
  echo "SET ROLE cl_reader;"
  st reader-hit; st reader-hit2
  echo "RESET ROLE;"
  echo "REVOKE SELECT ON rel.e FROM cl_reader;"
  echo "SET ROLE cl_reader;"
  st revoked
  echo "RESET ROLE;"
  st owner-after-revoke
  # A change that keeps the table's size: one page before and after (a HOT
  # update), so only the visibility map's LSN tells the cached release is old.
  echo "TRUNCATE rel.e;"
  echo "INSERT INTO rel.e VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c'),('x','f'); VACUUM rel.e;"
  echo "SELECT 'pages ' || pg_relation_size('rel.e') / current_setting('block_size')::int;"
  st one-page
  echo "UPDATE rel.e SET parent = 'b' WHERE code = 'x'; VACUUM rel.e;"
  echo "SELECT 'pages ' || pg_relation_size('rel.e') / current_setting('block_size')::int;"
  st hot-update-vacuum
} > "$T/script.sql"

psql -X -q -At -d clcache -f "$T/script.sql" > "$T/out.txt" 2>&1
kill "$SLEEPER" 2>/dev/null

# verdict ID WANT: the statuses after @ID, then "|" and what the DEBUG1 line said.
verdict() {
  local id=$1 want=$2 got
  got=$(awk -v k="@$id" '
    $0 == k {on = 1; how = "none"; res = ""; next}
    on && /^@/ {exit}
    on && /from the cache/ {how = "hit"; next}
    on && /stored:/ {how = "stored"; next}
    on && /not cached/ {how = "not cached"; next}
    on && /permission denied/ {res = "permission denied"; next}
    on && /DEBUG|LOG|psql:/ {next}
    on && res == "" {res = $0}
    END {print res "|" how}' "$T/out.txt")
  if [ "$got" = "$want" ]; then
    echo "PASS pg/codelist-cache/$id"
  else
    echo "FAIL pg/codelist-cache/$id: got [$got], want [$want]"
  fi
}

verdict unvacuumed "$B x? y? z?|none"
verdict stored "$B x? y? z?|stored"
verdict hit "$B x? y? z?|hit"
verdict insert "$B x(+) y? z?|not cached"
verdict insert-vacuum "$B x(+) y? z?|stored"
verdict insert-vacuum-hit "$B x(+) y? z?|hit"
verdict insert2-vacuum "$B x! y? z?|stored"
verdict delete-vacuum "$B x(-) y? z?|stored"
verdict update "$B x(+) y? z?|not cached"
verdict update-vacuum "$B x(+) y? z?|stored"
verdict truncate-reload "$B x(-) y? z?|stored"
verdict other-uncommitted "$B x(-) y? z?|not cached"
verdict other-committed "$B x(-) y(+) z?|not cached"
verdict other-vacuum "$B x(-) y(+) z?|stored"
verdict other-vacuum-hit "$B x(-) y(+) z?|hit"
verdict own-uncommitted "$B x(-) y(+) z(-)|not cached"
verdict rolled-back "$B x(-) y(+) z?|not cached"
verdict rolled-back-vacuum "$B x(-) y(+) z?|stored"
verdict rls-reader "$B x(-) y? z?|not cached"
verdict reader-hit "$B x(-) y(+) z?|hit"
verdict reader-hit2 "$B x(-) y(+) z?|hit"
verdict revoked "permission denied|none"
verdict owner-after-revoke "$B x(-) y(+) z?|hit"
verdict one-page "$B x(-) y? z?|stored"
verdict hot-update-vacuum "$B x(+) y? z?|stored"
pages=$(grep -c '^pages 1$' "$T/out.txt")
if [ "$pages" = 2 ]; then
  echo "PASS pg/codelist-cache/hot-update-same-size"
else
  echo "FAIL pg/codelist-cache/hot-update-same-size: the table did not stay one page [$(grep '^pages' "$T/out.txt" | tr '\n' ' ')]"
fi
