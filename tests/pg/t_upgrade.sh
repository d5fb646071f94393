#!/usr/bin/env bash
# tests/pg/t_upgrade.sh — the release scripts: an installation created at
# every earlier release and walked up with ALTER EXTENSION dbkeeper UPDATE
# equals a fresh installation of the current version (default_version in
# pg_ext/dbkeeper.control), as pg_stat_statements' oldextversions test
# checks its own.  Equal means: the same `\dx+ dbkeeper` listing, and the
# same `pg_dump --schema-only --binary-upgrade` of the extension's schema,
# which, unlike an ordinary dump, writes every member of the extension with
# its definition, privileges and comment (the OID assignments it also
# writes are left out of the comparison).
SUITE=pg_upgrade
. "$(dirname "$0")/lib.sh"

CURRENT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" pg_ext/dbkeeper.control)
# The release's other records agree with the control file.
meta=$(python3 -c 'import json, sys; m = json.load(open("META.json")); print(m["version"], m["provides"]["dbkeeper"]["version"])' 2>&1)
if [ "$meta" = "$CURRENT.0 $CURRENT.0" ]; then pass meta "META.json gives version $CURRENT.0"
else fail meta "META.json's versions [$meta] are not $CURRENT.0 (default_version $CURRENT)"; fi
if grep -q "^## $CURRENT " CHANGELOG.md; then pass changelog "CHANGELOG.md has a section for $CURRENT"
else fail changelog "CHANGELOG.md has no section \"## $CURRENT ...\""; fi
if [ -f "pg_ext/dbkeeper--$CURRENT.sql" ] && git ls-files --error-unmatch "pg_ext/dbkeeper--$CURRENT.sql" >/dev/null 2>&1; then
  fail frozen "pg_ext/dbkeeper--$CURRENT.sql is in the repository: the version being developed is built from pg_ext/sql/"
fi

# A released install script never changes: installations made from it
# exist.  Each release's SHA-256, added here when it is frozen:
FROZEN="0.1:7c82951354b5d835e175c915c8c8039b495e2234beeb1e43a4acd5be310c129a"
for f in $FROZEN; do
  if [ "$(sha256sum "pg_ext/dbkeeper--${f%%:*}.sql" 2>&1 | cut -d' ' -f1)" = "${f#*:}" ]; then
    pass "frozen-${f%%:*}" "pg_ext/dbkeeper--${f%%:*}.sql is as released"
  else
    fail "frozen-${f%%:*}" "pg_ext/dbkeeper--${f%%:*}.sql changed since its release: put the change in an upgrade script"
  fi
done

start_cluster
# The releases: every frozen install script pg_ext/dbkeeper--<version>.sql.
RELEASES=$(find pg_ext -maxdepth 1 -name 'dbkeeper--*.sql' ! -name 'dbkeeper--*--*.sql' |
           sed 's/.*dbkeeper--\(.*\)\.sql/\1/' | grep -vx "$CURRENT" | sort -V)
[ -n "$RELEASES" ] || { fail releases "no frozen release script in pg_ext/"; exit 1; }

# members DB: what is compared of the extension in DB, which holds nothing
# else (OIDs and transaction ids are left out; configuration tables are
# compared by name)
members() {
  {
    psql -X -q -d "$1" -c '\dx+ dbkeeper' | sed 's/^ *Objects in extension.*/Objects in extension "dbkeeper"/'
    q -d "$1" -c "SELECT 'configuration tables: ' || extconfig::regclass[]::text || ' ' || extcondition::text FROM pg_extension WHERE extname = 'dbkeeper'"
    pg_dump -s --binary-upgrade -d "$1" |
      grep -v -e 'binary_upgrade_set_next_' -e '^-- Dumped \(from\|by\)' -e '^\\\(un\)\?restrict ' |
      sed -e "s/\(binary_upgrade_create_empty_extension(.*\)'{[0-9,]*}'/\1'{OIDs}'/" \
          -e "s/relfrozenxid = '[0-9]*', relminmxid = '[0-9]*'/relfrozenxid = N, relminmxid = N/" \
          -e "s/^WHERE oid = '[0-9]*';/WHERE oid = N;/"
  } > "$WORK/$1.members" 2>&1
}

q -c "CREATE DATABASE fresh" >/dev/null
q -d fresh -c "CREATE SCHEMA dbkeeper; CREATE EXTENSION dbkeeper SCHEMA dbkeeper" >/dev/null
members fresh
if [ "$(q -d fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'dbkeeper'")" = "$CURRENT" ]; then
  pass fresh "CREATE EXTENSION installs $CURRENT"
else
  fail fresh "CREATE EXTENSION did not install $CURRENT"
fi

# README installs into a schema of its own: every function works from there,
# called schema-qualified with the schema off the search path (so nothing
# inside them relies on finding dbkeeper's objects by the search path).
q -d fresh -c "CREATE TABLE public.edges (code text, parent text); CREATE TABLE public.terms (code text, term text);
               INSERT INTO public.edges VALUES ('b', 'a'), ('c', 'a'), ('d', 'b');
               INSERT INTO public.terms VALUES ('a', 'A'), ('b', 'B'), ('c', 'C'), ('d', 'D')" >/dev/null
if out=$(psql -X -At -v ON_ERROR_STOP=1 -d fresh 2>&1 <<'SQL'
SET search_path = public;
SELECT dbkeeper.dbkeeper_version() IS NOT NULL;
SELECT dbkeeper.dbkeeper_backup('own-schema') LIKE 'fresh-%-own-schema.sql.zst';
SELECT count(*) FROM dbkeeper.dbkeeper_backups() WHERE database = 'fresh';
SELECT dbkeeper.dbkeeper_verify();
SELECT dbkeeper.dbkeeper_prune(1);
SELECT count(*) > 0 FROM dbkeeper.dbkeeper_schema();
SELECT length(dbkeeper.dbkeeper_fingerprint());
SELECT dbkeeper.dbkeeper_schema_register('r1') = dbkeeper.dbkeeper_fingerprint();
SELECT dbkeeper.dbkeeper_schema_version();
SELECT dbkeeper.dbkeeper_schema_check('r1') = dbkeeper.dbkeeper_fingerprint();
SELECT count(*) FROM dbkeeper.dbkeeper_schema_diff();
SELECT dbkeeper.dbkeeper_banner_set('hello');
SELECT dbkeeper.dbkeeper_banner();
SELECT dbkeeper.dbkeeper_banner_clear();
SELECT dbkeeper.dbkeeper_maintenance_begin('upgrade');
SELECT dbkeeper.dbkeeper_in_maintenance();
SELECT dbkeeper.dbkeeper_maintenance_end();
SELECT dbkeeper.dbkeeper_codelist_init();
INSERT INTO dbkeeper.dbkeeper_codelist_release VALUES ('r1', 'sys', '2024-01-01', 'public.edges', 'public.terms');
INSERT INTO dbkeeper.dbkeeper_codelist_version (id, codelist, release) VALUES ('v1', 'cl', 'r1');
INSERT INTO dbkeeper.dbkeeper_codelist_code VALUES ('v1', 'b', '+');
SELECT string_agg(code || status, ' ' ORDER BY code) FROM dbkeeper.dbkeeper_codelist_status('v1');
SELECT dbkeeper.dbkeeper_codelist_new_draft('v1', 'ana');
SELECT count(*) FROM dbkeeper.dbkeeper_codelist_changes('cl@r1');
SELECT dbkeeper.dbkeeper_restore() LIKE 'fresh-%-pre-restore.sql.zst';
SQL
); then
  want=$(printf '%s\n' SET t t 1 t 0 t 64 t r1 t 0 '' hello '' 0 t '' 0 INSERT INSERT INSERT 'b+' cl@r1 1 t)
  want=${want//INSERT/INSERT 0 1}
  if [ "$out" = "$want" ]; then
    pass own-schema "every function works from schema dbkeeper, called qualified, off the search path"
  else
    fail own-schema "unexpected results: $(diff <(echo "$want") <(echo "$out") | tr '\n' ' ')"
  fi
else
  fail own-schema "$out"
fi

for v in $RELEASES; do
  db=from_${v//./_}
  q -c "CREATE DATABASE $db" >/dev/null
  if ! out=$(q -d "$db" -c "CREATE SCHEMA dbkeeper; CREATE EXTENSION dbkeeper SCHEMA dbkeeper VERSION '$v'" 2>&1); then
    fail "install-$v" "$out"; continue
  fi
  pass "install-$v" "the release's own install script still installs"
  # one ALTER EXTENSION per step of the path, as a DBA updating each release would
  path=$(q -d "$db" -c "SELECT path FROM pg_extension_update_paths('dbkeeper') WHERE source = '$v' AND target = '$CURRENT'")
  if [ -z "$path" ]; then fail "path-$v" "no update path from $v to $CURRENT"; continue; fi
  ok=1
  IFS=',' read -r -a steps <<<"${path//--/,}"
  for step in "${steps[@]:1}"; do
    if ! out=$(q -d "$db" -c "ALTER EXTENSION dbkeeper UPDATE TO '$step'" 2>&1); then
      fail "update-$v" "ALTER EXTENSION dbkeeper UPDATE TO '$step': $out"; ok=0; break
    fi
  done
  [ $ok = 1 ] || continue
  pass "update-$v" "updated along $path"
  members "$db"
  # the databases' names appear nowhere in the compared text but in \dx+'s title
  if diff -u "$WORK/fresh.members" "$WORK/$db.members" > "$WORK/$db.diff"; then
    pass "equal-$v" "$v updated to $CURRENT equals a fresh $CURRENT ($(grep -c . "$WORK/fresh.members") lines compared)"
  else
    fail "equal-$v" "$v updated to $CURRENT differs from a fresh $CURRENT (- fresh, + updated):"
    head -60 "$WORK/$db.diff" | sed 's/^/    /'
  fi
  # and the updated installation works: its functions are the library's
  if [ "$(q -d "$db" -c "SELECT dbkeeper.dbkeeper_version() = extversion FROM pg_extension WHERE extname = 'dbkeeper'")" = t ] &&
     q -d "$db" -c "SELECT dbkeeper.dbkeeper_backup('after-update')" >/dev/null 2>"$WORK/$db.err"; then
    pass "works-$v" "the updated extension backs up"
  else
    fail "works-$v" "$(cat "$WORK/$db.err")"
  fi
done
