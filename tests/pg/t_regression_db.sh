#!/usr/bin/env bash
# tests/pg/t_regression_db.sh — dbkeeper against PostgreSQL's regression
# database (the one pg_upgrade's and pg_dump's own tests dump and restore,
# because it holds nearly every kind of object), with pg_dump | psql as the
# oracle.  tests/pg/regress_db_build.sh builds it on a cluster of this test's
# own, from the regression suite of the server's own major version (its
# source comes from Debian's archive, cached under build/ or, in a chroot,
# under /var/cache).
#
#   build       the regression database exists
#   backup      dbkeeper_backup() succeeds on it
#   psql_restore  zstd -dc | psql -v ON_ERROR_STOP=1, without
#       --single-transaction, restores the backup into an empty database
#   same_as_pg_dump  that restore and a pg_dump | psql restore of the same
#       database have the same pg_dump --schema-only, the same rows in every
#       table (count and an order-independent checksum), sequence values and
#       large objects (where pg_dump's own round trip changes something, such
#       as an inheritance child's column order, the two restores still agree)
#   restore_in_place  dbkeeper_restore() of the backup into the regression
#       database itself, after tables dropped, rows updated, a column added,
#       setval and a new grant, gives the same database as psql_restore
#   fingerprint  dbkeeper_fingerprint() of psql_restore's database equals
#       that of pg_dump's restore
#
# What the oracle itself cannot dump is taken out first, on the versions
# whose pg_dump fails on it: tests/pg/regress_drop_pgN.sql, a list of single
# objects, each with the pg_dump failure it avoids (on 17: a domain's second
# NOT NULL constraint, which kills pg_dump 17 with SIGSEGV).  The build line
# says what was taken out; nothing else is.
#
# DBK_REGRESS_DROP_UNSUPPORTED=1 first drops, with CASCADE, every object of
# a kind the backup still refuses (tests/pg/regress_drop_unsupported.sql), to
# test everything else while those kinds are being added.  By default the
# database is used unmodified, as the issue demands.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_regression_db
. tests/pg/lib.sh

start_cluster "max_prepared_transactions = 10" "max_connections = 100"

# ---------------------------------------------------------------- build
install -d -o postgres "$WORK/regress-out"
if ! bash tests/pg/regress_db_build.sh "$WORK" "$PORT" "$WORK/regress-out" 2>"$WORK/build.log"; then
  fail build "the regression database could not be built:"; tail -20 "$WORK/build.log" | sed 's/^/    /'
  exit 0
fi
oracle_drop=
if [ -f "tests/pg/regress_drop_pg$PG_MAJOR.sql" ]; then
  q -q -d regression -f "tests/pg/regress_drop_pg$PG_MAJOR.sql" >"$WORK/oracle-drop.log" 2>&1 ||
    { fail build "tests/pg/regress_drop_pg$PG_MAJOR.sql failed: $(grep -m3 ERROR "$WORK/oracle-drop.log")"; exit 0; }
  oracle_drop=$(sed -n 's/^.*NOTICE: *taken out: //p' "$WORK/oracle-drop.log" | paste -sd ';')
  oracle_drop="; for pg_dump $PG_MAJOR, taken out first: ${oracle_drop:-nothing}"
fi
pass build "(pg_regress of $(cat "$WORK/regress-out/suite-version"):$(grep -h 'tests passed\|tests failed' "$WORK/regress-out/pg_regress.log" | head -1)$oracle_drop)"

if [ "${DBK_REGRESS_DROP_UNSUPPORTED:-0}" = 1 ]; then
  echo "# DBK_REGRESS_DROP_UNSUPPORTED=1: objects of kinds the backup refuses are dropped first"
  q -q -d regression -f tests/pg/regress_drop_unsupported.sql >"$WORK/drop.log" 2>&1 ||
    { fail build "dropping the unsupported objects failed: $(grep -m3 ERROR "$WORK/drop.log")"; exit 0; }
fi
q -q -d regression -c "CREATE EXTENSION dbkeeper" >"$WORK/ext.log" 2>&1 ||
  { fail build "CREATE EXTENSION dbkeeper failed: $(cat "$WORK/ext.log")"; exit 0; }

# rowsig DB: every table's and materialized view's rows (count and md5 of
# the sorted row texts), every sequence's state and every large object, in
# one session (one psql per table would take minutes here)
rowsig() {
  psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'large object ' || oid || ' ' || lomowner::regrole || ' ' || coalesce(lomacl::text, '-')
  || ' ' || md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid;
SELECT CASE WHEN c.relkind = 'S' THEN format('SELECT %L || '' '' || last_value || '' '' || is_called FROM %s', r, r)
    WHEN c.relkind = 'm' AND NOT c.relispopulated THEN format('SELECT %L || '' not populated''', r)
    ELSE format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(x::text, E''\n'''
      ' ORDER BY x::text COLLATE "C")), ''-'') FROM ONLY %s x', r, r) END
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS r) r
  WHERE c.relkind IN ('r', 'm', 'S') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
  ORDER BY r COLLATE "C"
\gexec
SQL
}
# sig DB: the schema as pg_dump prints it, then rowsig
sig() {
  local st
  pg_dump -s -d "$1" 2>/dev/null | grep -v '^\\\(un\)\?restrict '
  st=${PIPESTATUS[0]}
  [ "$st" = 0 ] || echo "pg_dump -s failed: $(exit_why "$st")"
  rowsig "$1"
}
# exit_why STATUS: "exit status N", or the signal that killed the process
exit_why() {
  if [ "$1" -gt 128 ]; then echo "killed by signal $(kill -l $(($1 - 128)))"; else echo "exit status $1"; fi
}

# ---------------------------------------------------------------- 1. backup
if ! name=$(q -d regression -c "SELECT dbkeeper_backup()" 2>"$WORK/err"); then
  fail backup "$(head -5 "$WORK/err" | tr '\n' ' ')"
  for id in psql_restore same_as_pg_dump restore_in_place fingerprint; do fail "$id" "(no backup to restore)"; done
  exit 0
fi
pass backup "($name, $(stat -c %s "$BACKUPS/$name") bytes)"

# ---------------------------------------------------------------- 2. psql
createdb -T template0 reg_dbkeeper
if zstd -dc <"$BACKUPS/$name" | psql -X -q -v ON_ERROR_STOP=1 -d reg_dbkeeper >"$WORK/psql.log" 2>&1; then
  pass psql_restore
else
  fail psql_restore "$(grep -m1 -A3 ERROR "$WORK/psql.log" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- 3. pg_dump
# pg_dump's own failure is the oracle's, not the backup's: it is reported
# as such, with pg_dump's exit status or the signal that killed it (17's
# pg_dump was killed by SIGSEGV in most runs on the database 18's suite
# leaves), and pg_dump is run once more before the comparisons give up.
createdb -T template0 reg_pg_dump
oracle=
for attempt in 1 2; do
  pg_dump -d regression >"$WORK/pg_dump.sql" 2>"$WORK/pg_dump.err"
  st=$?
  if [ $st = 0 ]; then oracle=ok; break; fi
  oracle="pg_dump of the regression database failed twice, the oracle is missing (last: $(exit_why $st)$(head -c 300 "$WORK/pg_dump.err" | tr '\n' ' ' | sed 's/^./: &/'))"
  echo "# pg_dump of the regression database failed (attempt $attempt, $(exit_why $st)): $(head -c 300 "$WORK/pg_dump.err")"
done
if [ "$oracle" = ok ]; then
  psql -X -q -v ON_ERROR_STOP=1 -d reg_pg_dump -f "$WORK/pg_dump.sql" >"$WORK/pg_dump.log" 2>&1 ||
    echo "# pg_dump | psql of the regression database failed: $(grep -m1 ERROR "$WORK/pg_dump.log")"
fi
sig reg_pg_dump >"$WORK/pg_dump.sig"
sig reg_dbkeeper >"$WORK/dbkeeper.sig"
if [ "$oracle" != ok ]; then
  fail same_as_pg_dump "($oracle)"
elif sig_diff same_as_pg_dump "$WORK/pg_dump.sig" "$WORK/dbkeeper.sig"; then
  pass same_as_pg_dump "($(grep -c '^CREATE' "$WORK/pg_dump.sig") CREATE statements, $(grep -c ' [0-9]* [0-9a-f]\{32\}$' "$WORK/pg_dump.sig") tables with rows)"
fi

# ---------------------------------------------------------------- 4. in place
# Changes of every sort, then the backup restored over them.
victims=$(q -d regression -c "SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ')
  FROM (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = 'public' AND NOT c.relispartition
        AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = c.oid OR i.inhrelid = c.oid)
        ORDER BY c.relname LIMIT 3) v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace")
if ! q -q -d regression >"$WORK/changes.log" 2>&1 <<SQL
DROP TABLE $victims CASCADE;
UPDATE public.onek SET stringu1 = 'changed' WHERE unique1 < 10;
ALTER TABLE public.tenk1 ADD COLUMN added integer DEFAULT 1;
SELECT setval(c.oid, 4242) FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  AND EXISTS (SELECT FROM pg_sequence s WHERE s.seqrelid = c.oid AND 4242 BETWEEN s.seqmin AND s.seqmax) LIMIT 1;
GRANT SELECT ON public.onek TO PUBLIC;
SQL
then
  fail restore_in_place "the changes could not be made: $(grep -m1 ERROR "$WORK/changes.log")"
elif ! q -d regression -c "SELECT dbkeeper_restore('$name')" >"$WORK/in_place.log" 2>&1; then
  fail restore_in_place "$(head -4 "$WORK/in_place.log" | tr '\n' ' ')"
else
  sig regression >"$WORK/in_place.sig"
  sig_diff restore_in_place "$WORK/dbkeeper.sig" "$WORK/in_place.sig" &&
    pass restore_in_place "(after dropping $victims, an UPDATE, ADD COLUMN, setval and GRANT)"
fi

# ---------------------------------------------------------------- 5. fingerprint
f_dbk=$(q -d reg_dbkeeper -c "SELECT dbkeeper_fingerprint()" 2>&1)
f_pgd=$(q -d reg_pg_dump -c "SELECT dbkeeper_fingerprint()" 2>&1)
if [ "$oracle" != ok ]; then
  fail fingerprint "(dbkeeper's restore: $f_dbk; $oracle)"
elif [ "$f_dbk" = "$f_pgd" ] && [[ $f_dbk =~ ^[0-9a-f]{64}$ ]]; then
  pass fingerprint "($f_dbk)"
else
  fail fingerprint "dbkeeper's restore: $f_dbk; pg_dump's restore: $f_pgd"
fi
