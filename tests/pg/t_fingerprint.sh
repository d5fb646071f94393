#!/usr/bin/env bash
# Schema fingerprints across databases on one throwaway cluster:
#   - the pagila schema loaded twice into two databases has one fingerprint;
#   - a database restored by pg_dump -Fc + pg_restore has the original's, and
#     so does one restored from a plain pg_dump script through psql;
#   - a role with no privileges computes the owner's fingerprint on pagila;
#   - a change in one copy moves its fingerprint; the registry finds versions;
#   - pagila and tests/pg/backup_objects.sql have the fingerprints that
#     canonical form 1 gave them when every row came from SQL queries (the
#     rows now built in C must not move them); pagila's on every version,
#     backup_objects.sql's pinned per version.
# Prints PASS/FAIL lines pg/fingerprint/<id>.  The extension must already be
# installed (tests/pg/run.sh holds the install lock around this script).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/pg/version.sh
PAGILA=${DBK_PAGILA:-tests/fixtures/pagila/pagila-schema.sql}
if [ ! -r "$PAGILA" ]; then
  echo "FAIL pg/fingerprint/corpus pagila schema not found at $PAGILA"
  exit 0
fi
W=$(mktemp -d /tmp/dbk-pgfp-XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
OBJECTS=$PWD/tests/pg/backup_objects.sql
export PAGILA W OBJECTS

cat > "$W/inner.sh" <<'INNER'
set -u
check() { if [ "$3" = "$4" ]; then echo "PASS pg/fingerprint/$1 $2"; else echo "FAIL pg/fingerprint/$1 $2: got [$3], want [$4]"; fi; }
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
desc_md5="SELECT md5(string_agg(kind || ' ' || name || ' ' || definition, chr(10) ORDER BY kind, name, definition)) FROM dbkeeper_schema()"
load() {
  createdb "$1" && q "$1" "CREATE EXTENSION dbkeeper;" &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$PAGILA" > "$W/load-$1.log" 2>&1
}
if ! load p1 || ! load p2; then
  echo "FAIL pg/fingerprint/load the pagila schema did not load: $(tail -3 "$W"/load-*.log)"
  exit 0
fi
f1=$(q p1 "SELECT dbkeeper_fingerprint();")
check pagila-hex "pagila has a fingerprint" "$(printf %s "$f1" | grep -Ec '^[0-9a-f]{64}$')" 1
check pagila-twice "pagila loaded twice has one fingerprint" "$(q p2 "SELECT dbkeeper_fingerprint();")" "$f1"
check pagila-rows "pagila is described object by object" \
  "$(q p1 "SELECT count(*) > 100 AND count(DISTINCT kind) >= 8 FROM dbkeeper_schema();")" t

# Pinned on PostgreSQL 15 with the set-based queries of canonical form 1
# (dbkeeper before the tables, indexes and constraints were written in C).
# A new PostgreSQL release may deparse differently; a dbkeeper change must not.
# backup_objects.sql grew after the pin (issue 3); the new value was taken
# again from the set-based build (commit 1ab16db) on the grown file.
# pagila's fingerprint is the same on 15, 17 and 18.  backup_objects.sql's is
# not, for the two reasons docs/postgresql-versions.md gives: from 16 on
# pg_get_viewdef leaves out the table name before the columns of a view over
# one table (its four views), and 18 installs btree_gist 1.8 instead of 1.7.
# Its 17 and 18 values were taken with the first dbkeeper that built there,
# after checking that the descriptions differ from 15's in those rows only.
check pagila-form-1 "pagila has the fingerprint canonical form 1 gave it" "$f1" \
  92555ae4c9c28d97f703385935f8bd6589842599165b174b7bd07409ea68c33a
case $DBK_PG_VERSION in
  15) objects_pin=07242c0d11cbf4953db4ce703c1fa01f6234d45eac180250a3b387792fc115d4 ;;
  17) objects_pin=10d574b4ce5e3faed84b3c05eb34c337a167f394307353ed1df86c4386212093 ;;
  18) objects_pin=5d9923acf54d6a00f10901b5d572aa8e829522add5a1db99d8449f559bbb07fa ;;
  *) objects_pin="none pinned for PostgreSQL $DBK_PG_VERSION" ;;
esac
createdb o1 && q o1 "CREATE EXTENSION dbkeeper;" &&
  psql -X -q -v ON_ERROR_STOP=1 -d o1 -f "$OBJECTS" > "$W/load-o1.log" 2>&1
check objects-form-1 "tests/pg/backup_objects.sql has the fingerprint canonical form 1 gave it on $DBK_PG_VERSION" \
  "$(q o1 "SELECT dbkeeper_fingerprint();")" "$objects_pin"

# pg_dump -Fc, then pg_restore into a database that has dbkeeper already (its
# own objects are never part of a fingerprint, so it is not restored).
pg_dump -Fc -d p1 -f "$W/p1.dump"
createdb r1 && q r1 "CREATE EXTENSION dbkeeper;"
pg_restore -d r1 "$W/p1.dump" > "$W/restore.log" 2>&1
check pg-restore "a database restored by pg_dump/pg_restore has the original fingerprint" \
  "$(q r1 "SELECT dbkeeper_fingerprint();")" "$f1"
check pg-restore-rows "and the same description row for row" "$(q r1 "$desc_md5")" "$(q p1 "$desc_md5")"

createdb r2 && q r2 "CREATE EXTENSION dbkeeper;"
pg_dump -d p1 > "$W/p1.sql"
psql -X -q -d r2 -f "$W/p1.sql" > "$W/plain.log" 2>&1
check pg-dump-plain "a database restored from a plain pg_dump script has the original fingerprint" \
  "$(q r2 "SELECT dbkeeper_fingerprint();")" "$f1"

# A role with no privilege on any table (sql/fingerprint.sql also takes
# away USAGE on the schema; here the role still needs it to call dbkeeper).
q p1 "CREATE ROLE regress_fp_nobody; REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;"
check unprivileged-cannot-read "the role cannot read the tables" \
  "$(q p1 "SET ROLE regress_fp_nobody; SELECT has_table_privilege(c.oid, 'SELECT') FROM pg_class c WHERE relname = 'film';")" f
check unprivileged "a role with no privileges computes the owner's fingerprint on pagila" \
  "$(q p1 "SET ROLE regress_fp_nobody; SELECT dbkeeper_fingerprint();")" "$f1"
check unprivileged-rows "and the same description row for row" \
  "$(q p1 "SET ROLE regress_fp_nobody; $desc_md5")" "$(q p1 "$desc_md5")"

q p1 "SELECT dbkeeper_schema_register('pagila-1');" > /dev/null
q p2 "ALTER TABLE public.film ALTER COLUMN rental_duration SET DEFAULT 4;"
check changed "a default changed in the copy changes its fingerprint" \
  "$([ "$(q p2 "SELECT dbkeeper_fingerprint();")" != "$f1" ] && echo differ)" differ
check version "the registered version is found" "$(q p1 "SELECT dbkeeper_schema_version();")" pagila-1
check restored-version "the pg_restore copy matches the version's fingerprint" \
  "$(q r1 "SELECT dbkeeper_schema_check('$f1') = '$f1';")" t
INNER
pg_virtualenv -t -v "$PG_MAJOR" bash "$W/inner.sh"
