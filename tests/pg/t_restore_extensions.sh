#!/usr/bin/env bash
# tests/pg/t_restore_extensions.sh — a restore beside the extensions and
# tools already in the database (issue 13, items 2, 3 and 7); run by
# tests/pg/run.sh, which has installed the extension and holds the lock.
#
#   members_kept_dbkeeper, members_kept_pg_cron   the indexes, constraints
#       and triggers on extension tables (dbkeeper's own, pg_cron's) are the
#       same after a restore; pg_cron's job, a configuration table row, is back
#   owner_restore   the database's owner, not a superuser, with the privileges
#       README "PostgreSQL restore" names, backs up and restores it
#   own_schema      dbkeeper installed in a schema of its own: every function
#       works, restore included
#   pg_dump_owner   after CREATE EXTENSION dbkeeper by a superuser, pg_dump by
#       the database's owner still works and prints nothing new
#   pg_dump_reader  so does pg_dump by a role that is not the owner and was
#       granted SELECT on the application's tables only
#   member_depends_on_table, member_depends_on_schema   an extension member
#       that depends on an object the restore would drop (in public; in a
#       schema it drops) is refused, naming both; nothing changes
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_restore_extensions
. tests/pg/lib.sh

start_cluster "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'app'"
install -d -m 700 -o postgres "$BACKUPS"

# what extension scripts put on their tables: "kind name" lines, sorted
ext_table_objects() {
  q -d "$1" -c "
    SELECT 'index ' || i.indexrelid::regclass FROM pg_index i
     WHERE i.indrelid IN (SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass)
    UNION ALL SELECT 'constraint ' || c.conname || ' on ' || c.conrelid::regclass FROM pg_constraint c
     WHERE c.conrelid IN (SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass)
    UNION ALL SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass FROM pg_trigger t
     WHERE NOT t.tgisinternal
       AND t.tgrelid IN (SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass)
    ORDER BY 1"
}

createdb app
q -d app -c "CREATE EXTENSION dbkeeper; CREATE EXTENSION pg_cron;
  CREATE TABLE account (id int PRIMARY KEY, balance numeric NOT NULL);
  INSERT INTO account SELECT g, 100 FROM generate_series(1, 100) g;
  SELECT cron.schedule('nightly', '30 2 * * *', 'SELECT dbkeeper_backup()');
  INSERT INTO dbkeeper_codelist_release VALUES ('r1', 'snomed', '2024-01-01', 'e', 't')" >/dev/null
ext_table_objects app >"$WORK/ext.before"
name=$(q -d app -c "SELECT dbkeeper_backup()")
q -d app -c "UPDATE account SET balance = 0; DELETE FROM dbkeeper_codelist_release" >/dev/null
if ! q -d app -c "SELECT dbkeeper_restore('$name')" >/dev/null 2>"$WORK/err"; then
  fail members_kept_dbkeeper "restore failed: $(cat "$WORK/err")"
else
  ext_table_objects app >"$WORK/ext.after"
  for ext in dbkeeper cron; do
    id=members_kept_$([ $ext = cron ] && echo pg_cron || echo dbkeeper)
    b=$(grep -c " $ext" "$WORK/ext.before"); a=$(grep -c " $ext" "$WORK/ext.after")
    if [ "$b" -gt 0 ] && diff <(grep " $ext" "$WORK/ext.before") <(grep " $ext" "$WORK/ext.after") >"$WORK/$id.diff"; then
      pass "$id" "($b indexes, constraints and triggers on its tables, before and after)"
    else
      fail "$id" "$b before, $a after: $(head -20 "$WORK/$id.diff" | tr '\n' ' ')"
    fi
  done
  rows=$(q -d app -c "SELECT (SELECT count(*) FROM cron.job WHERE jobname = 'nightly'),
                             (SELECT count(*) FROM dbkeeper_codelist_release), (SELECT sum(balance) FROM account)")
  [ "$rows" = "1|1|10000" ] && pass members_rows "(cron.job, codelist release and account rows restored)" ||
    fail members_rows "got $rows"
fi

# ---- the owner of a database restores it
q -d postgres -c "CREATE ROLE regress_owner LOGIN IN ROLE pg_read_server_files, pg_write_server_files" >/dev/null
createdb -O regress_owner owned
q -d owned -c "CREATE EXTENSION dbkeeper;
  GRANT EXECUTE ON FUNCTION dbkeeper_backup(text), dbkeeper_restore(text, boolean), dbkeeper_backups()
    TO regress_owner" >/dev/null
q -U regress_owner -d owned -c "CREATE TABLE note (id int PRIMARY KEY, body text);
  INSERT INTO note VALUES (1, 'kept')" >/dev/null
owned_name=$(q -U regress_owner -d owned -c "SELECT dbkeeper_backup()" 2>"$WORK/err")
q -U regress_owner -d owned -c "UPDATE note SET body = 'changed'; CREATE TABLE junk (x int)" >/dev/null
if [ -n "$owned_name" ] && q -U regress_owner -d owned -c "SELECT dbkeeper_restore()" >/dev/null 2>>"$WORK/err" &&
   [ "$(q -d owned -c "SELECT body FROM note")|$(q -d owned -c "SELECT to_regclass('junk') IS NULL")" = "kept|t" ]; then
  pass owner_restore
else
  fail owner_restore "$(cat "$WORK/err")"
fi

# ---- dbkeeper in a schema of its own
createdb own
q -d own -c "CREATE SCHEMA dbkeeper; CREATE EXTENSION dbkeeper SCHEMA dbkeeper;
  CREATE TABLE public.item (id int PRIMARY KEY, label text); INSERT INTO public.item VALUES (1, 'one');
  COMMENT ON SCHEMA public IS 'the items'" >/dev/null
out=$(q -d own -c "SELECT dbkeeper.dbkeeper_version() IS NOT NULL" \
        -c "SELECT dbkeeper.dbkeeper_fingerprint() ~ '^[0-9a-f]{64}\$'" \
        -c "SELECT dbkeeper.dbkeeper_schema_register('v1') IS NOT NULL" \
        -c "SELECT dbkeeper.dbkeeper_schema_version()" \
        -c "SELECT dbkeeper.dbkeeper_banner_set('hello')" -c "SELECT dbkeeper.dbkeeper_banner()" \
        -c "SELECT dbkeeper.dbkeeper_backup('own') IS NOT NULL" \
        -c "SELECT count(*) FROM dbkeeper.dbkeeper_backups() WHERE database = 'own'" \
        -c "SELECT dbkeeper.dbkeeper_verify()" \
        -c "SELECT count(*) FROM dbkeeper.dbkeeper_schema_diff()" 2>&1 | tr '\n' ' ')
# the codelist functions find their tables in the extension's schema
codelist=$(q -d own -c "SELECT count(*) FROM dbkeeper.dbkeeper_codelist_status('none')" 2>&1)
q -d own -c "UPDATE public.item SET label = 'changed'; CREATE TABLE public.junk (x int)" >/dev/null
if [ "$out" = "t t t v1  hello t 1 t 0 " ] && [[ $codelist == *'codelist version "none" does not exist'* ]] &&
   q -d own -c "SELECT dbkeeper.dbkeeper_restore()" >/dev/null 2>"$WORK/err" &&
   [ "$(q -d own -c "SELECT label FROM public.item")|$(q -d own -c "SELECT obj_description('public'::regnamespace)")" = "one|the items" ] &&
   [ "$(q -d own -c "SELECT dbkeeper.dbkeeper_prune(1, '*')")" = 0 ]; then
  pass own_schema "(every function; restore; prune)"
else
  fail own_schema "functions: [$out]; codelist: $codelist; restore: $(cat "$WORK/err" 2>/dev/null)"
fi

# ---- pg_dump by the owner, before and after CREATE EXTENSION dbkeeper
createdb -O regress_owner dumped
q -U regress_owner -d dumped -c "CREATE TABLE patient (id int PRIMARY KEY, name text); INSERT INTO patient VALUES (1, 'x')" >/dev/null
q -d dumped -c "CREATE ROLE regress_reader LOGIN; GRANT SELECT ON patient TO regress_reader" >/dev/null
pg_dump -U regress_owner -d dumped >/dev/null 2>"$WORK/dump.before"; rc_before=$?
pg_dump -U regress_reader -d dumped >/dev/null 2>"$WORK/read.before"; rd_before=$?
q -d dumped -c "CREATE EXTENSION dbkeeper" >/dev/null
pg_dump -U regress_owner -d dumped >"$WORK/dump.sql" 2>"$WORK/dump.after"; rc_after=$?
pg_dump -U regress_reader -d dumped >/dev/null 2>"$WORK/read.after"; rd_after=$?
pg_dump -d dumped >/dev/null 2>"$WORK/dump.super"
if [ $rc_before = 0 ] && [ $rc_after = 0 ] && [ ! -s "$WORK/dump.before" ] && [ ! -s "$WORK/dump.after" ] &&
   [ ! -s "$WORK/dump.super" ]; then
  pass pg_dump_owner "(exit 0, nothing on stderr, for the owner and for a superuser)"
else
  fail pg_dump_owner "before: exit $rc_before $(cat "$WORK/dump.before"); after: exit $rc_after $(cat "$WORK/dump.after"); superuser: $(cat "$WORK/dump.super")"
fi
if [ $rd_before = 0 ] && [ $rd_after = 0 ] && [ ! -s "$WORK/read.before" ] && [ ! -s "$WORK/read.after" ]; then
  pass pg_dump_reader "(a role with SELECT on the application's tables: exit 0, nothing on stderr)"
else
  fail pg_dump_reader "before: exit $rd_before $(cat "$WORK/read.before"); after: exit $rd_after $(cat "$WORK/read.after")"
fi

# member_depends_*: an extension member that depends on an object the restore
# would drop (a table's row type in public; a type in a schema the restore
# drops) is refused, naming the member and the object to drop; nothing changes
createdb members
q -q -d members -c "CREATE EXTENSION dbkeeper; CREATE TABLE t (a int); CREATE SCHEMA s; CREATE TYPE s.u AS (b int);
  CREATE FUNCTION f1() RETURNS SETOF t LANGUAGE sql AS 'SELECT * FROM t';
  CREATE FUNCTION f2(s.u) RETURNS int LANGUAGE sql AS 'SELECT 1'; INSERT INTO t VALUES (7)" ||
  fail member_depends_setup "could not make the database"
members_backup=$(q -d members -c "SELECT dbkeeper_backup()")
members_state() { q -d members -c "SELECT (SELECT string_agg(a::text, ',') FROM t), to_regtype('s.u') IS NOT NULL,
  (SELECT count(*) FROM pg_proc WHERE proname IN ('f1', 'f2'))"; }
before=$(members_state)
# member_refused ID FUNCTION EXPECTED_ERROR
member_refused() {
  local out
  q -q -d members -c "ALTER EXTENSION dbkeeper ADD FUNCTION $2"
  out=$(q -d members -c "SELECT dbkeeper_restore('$members_backup')" 2>&1)
  q -q -d members -c "ALTER EXTENSION dbkeeper DROP FUNCTION $2"
  if [[ $out == *"ERROR:  $3"* ]] && [ "$(members_state)" = "$before" ]; then
    pass "$1"
  else
    fail "$1" "output: $out; state $(members_state) (was $before)"
  fi
}
member_refused member_depends_on_table "f1()" \
  "cannot restore: function f1(), a member of an extension, depends on table t"
member_refused member_depends_on_schema "f2(s.u)" \
  "cannot restore: function f2(s.u), a member of an extension, depends on schema s"
