#!/usr/bin/env bash
# tests/pg/t_dump_probe.sh — the probes that let a backup skip the catalog
# query of a kind of object the database does not have (schema_probe.c,
# dbk_pg_probe_dump; dump_schema.c's dump_kinds).  A probe may say "none"
# only when its query cannot return a row, or the backup silently loses the
# object.  The backup's DEBUG2 lines say, per kind, "<kind> read in ...,
# K objects" or "<kind> skipped: ...", which is what these checks read.
#
#   objects_all_read   on tests/pg/backup_objects.sql's database (every
#       kind), no kind is skipped and every kind's query returns a row
#   alone/<kind>       in a new database holding dbkeeper and one object
#       of one kind (a few statements), that kind is read and returns a row:
#       a probe that looks at the wrong catalog or tests more than its
#       query fails here even when another kind's object would hide it
#   empty_skipped      in a database holding dbkeeper alone, every kind
#       that has a probe is skipped (so each probe can say "none" at all)
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_dump_probe
. tests/pg/lib.sh

objects_modules
start_cluster "$OBJECTS_CONF"
objects_tablespace || { fail cluster "no tablespace"; exit 1; }

# kind_lines DB: the backup's per-kind DEBUG2 lines, "dbkeeper_backup: " cut off
kind_lines() {
  psql -X -At -d "$1" -c "SET client_min_messages = debug2" -c "SELECT 1 FROM dbkeeper_backup()" 2>&1 >/dev/null |
    sed -n 's/^DEBUG:  dbkeeper_backup: //p' | grep -E ' read in .* objects$| skipped: '
}

# The kinds whose query always runs (no probe), as the DEBUG2 lines name them.
NO_PROBE='^(schemas|extensions|tables|constraints|indexes) '

q -c "CREATE DATABASE base" >/dev/null && q -d base -c "CREATE EXTENSION dbkeeper" >/dev/null ||
  { fail cluster "no base database"; exit 1; }

# objects_all_read (57 queries; the three of edges print no line)
q -c "CREATE DATABASE objects TEMPLATE base" >/dev/null
if ! q -q -d objects -f tests/pg/backup_objects.sql >"$WORK/objects.log" 2>&1; then
  fail objects_all_read "backup_objects.sql failed: $(tail -3 "$WORK/objects.log")"
else
  kind_lines objects >"$WORK/objects.kinds"
  bad=$(grep -E ' skipped: |, 0 objects$' "$WORK/objects.kinds")
  n=$(grep -c ' read in ' "$WORK/objects.kinds")
  if [ -n "$bad" ] || [ "$n" -lt 54 ]; then
    fail objects_all_read "$n kinds read; skipped or empty:"; echo "$bad" | sed 's/^/    /'
  else
    pass objects_all_read "$n kinds, each with a row"
  fi
fi

# alone/<id> 'kind as DEBUG2 names it[|another kind...]' SQL: one object of the kind alone
n_alone=0
alone() {
  local id=$1 kinds=$2 sql=$3 db kind line missing=""
  db=alone_$((n_alone += 1))
  q -c "CREATE DATABASE $db TEMPLATE base" >/dev/null
  if ! q -q -d "$db" -c "$sql" >"$WORK/$db.log" 2>&1; then
    fail "alone/$id" "setup failed: $(tail -2 "$WORK/$db.log")"; return
  fi
  kind_lines "$db" >"$WORK/$db.kinds"
  IFS='|' read -ra kk <<<"$kinds"
  for kind in "${kk[@]}"; do
    line=$(grep -F "$kind " "$WORK/$db.kinds" | grep -E "^$kind (read|skipped)")
    case $line in
      *" read in "*", 0 objects") missing+=" [$kind: read, no row]" ;;
      *" read in "*) ;;
      *) missing+=" [$kind: ${line:-no line}]" ;;
    esac
  done
  if [ -n "$missing" ]; then fail "alone/$id" "$missing"; else pass "alone/$id"; fi
  # (the subscription's database stays: DROP DATABASE refuses it)
  q -c "DROP DATABASE $db" >/dev/null 2>&1
}

FN_TRIGGER="CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
PARTS="CREATE TABLE public.pt (a int) PARTITION BY RANGE (a);
  CREATE TABLE public.pt1 PARTITION OF public.pt FOR VALUES FROM (0) TO (10);"
SERVER="CREATE FOREIGN DATA WRAPPER w1; CREATE SERVER s1 FOREIGN DATA WRAPPER w1;"
BASE_TYPE="CREATE TYPE public.b1;
  CREATE FUNCTION public.b1_in(cstring) RETURNS public.b1 LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
  CREATE FUNCTION public.b1_out(public.b1) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
  CREATE TYPE public.b1 (INPUT = public.b1_in, OUTPUT = public.b1_out, LIKE = integer);"
LANG="CREATE FUNCTION public.pl_handler() RETURNS language_handler LANGUAGE c AS '\$libdir/plpgsql', 'plpgsql_call_handler';
  CREATE TRUSTED LANGUAGE other_pl HANDLER public.pl_handler;"

alone collation 'collations' "CREATE COLLATION public.c1 FROM \"C\""
alone cast 'casts' "CREATE TYPE public.pair AS (a int);
  CREATE FUNCTION public.pair_int(public.pair) RETURNS int LANGUAGE sql AS 'SELECT \$1.a';
  CREATE CAST (public.pair AS int) WITH FUNCTION public.pair_int(public.pair)"
alone ts_dictionary 'text search dictionaries' "CREATE TEXT SEARCH DICTIONARY public.d1 (TEMPLATE = simple)"
alone ts_configuration 'text search configurations' "CREATE TEXT SEARCH CONFIGURATION public.c1 (COPY = english)"
alone ts_parser 'text search parsers' "CREATE TEXT SEARCH PARSER public.p1 (START = prsd_start,
  GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype)"
alone ts_template 'text search templates' "CREATE TEXT SEARCH TEMPLATE public.t1 (LEXIZE = dsimple_lexize)"
alone fdw 'foreign-data wrappers' "CREATE FOREIGN DATA WRAPPER w1"
alone server 'foreign servers and user mappings' "$SERVER"
alone foreign_table 'foreign tables' "$SERVER CREATE FOREIGN TABLE public.ft (a int) SERVER s1"
alone enum 'enum, domain and range types' "CREATE TYPE public.e1 AS ENUM ('a')"
alone domain 'enum, domain and range types' "CREATE DOMAIN public.d1 AS int"
alone range 'enum, domain and range types' "CREATE TYPE public.r1 AS RANGE (subtype = int)"
alone domain_not_valid 'domain constraints' "CREATE DOMAIN public.d1 AS int;
  ALTER DOMAIN public.d1 ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID"
alone composite 'composite types' "CREATE TYPE public.pair AS (a int)"
alone base_type 'base types|shells of base types and of ranges with a canonical function' "$BASE_TYPE"
alone shell_type 'shell types' "CREATE TYPE public.sh1"
alone function 'functions' "CREATE FUNCTION public.f1() RETURNS int LANGUAGE sql AS 'SELECT 1'"
alone procedure 'functions' "CREATE PROCEDURE public.p1() LANGUAGE sql AS 'SELECT 1'"
alone aggregate 'aggregates' "CREATE AGGREGATE public.a1(int) (SFUNC = int4pl, STYPE = int)"
alone special_aggregate 'ordered-set, hypothetical and moving aggregates' \
  "CREATE AGGREGATE public.a2(int) (SFUNC = int4larger, STYPE = int, SORTOP = <)"
alone operator 'operators' "CREATE OPERATOR public.=== (FUNCTION = int4eq, LEFTARG = int, RIGHTARG = int)"
alone opfamily 'operator families' "CREATE OPERATOR FAMILY public.of1 USING btree"
alone opclass 'operator classes' "CREATE OPERATOR CLASS public.oc1 FOR TYPE int USING btree
  AS OPERATOR 1 <, FUNCTION 1 btint4cmp(int, int)"
alone loose_member 'loose members of operator families' "CREATE OPERATOR FAMILY public.of1 USING btree;
  ALTER OPERATOR FAMILY public.of1 USING btree ADD FUNCTION 1 (int, int) btint4cmp(int, int)"
alone access_method 'access methods' "CREATE ACCESS METHOD am1 TYPE INDEX HANDLER bthandler"
alone language 'procedural languages' "$LANG"
alone transform 'transforms' "$LANG CREATE TRANSFORM FOR integer LANGUAGE other_pl
  (FROM SQL WITH FUNCTION prsd_lextype(internal), TO SQL WITH FUNCTION int4recv(internal))"
alone conversion 'conversions' "CREATE CONVERSION public.cv1 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8"
alone sequence 'sequences' "CREATE SEQUENCE public.s1"
alone sequence_owned 'sequences|sequence ownership' "CREATE TABLE public.t (a serial)"
alone view 'views' "CREATE VIEW public.v1 AS SELECT 1 AS a"
alone matview 'views' "CREATE MATERIALIZED VIEW public.m1 AS SELECT 1 AS a"
alone view_stand_in 'queries of views with a stand-in' "CREATE TABLE public.k (a int PRIMARY KEY, b int);
  CREATE VIEW public.vk AS SELECT a, b FROM public.k GROUP BY a"
alone large_object 'large objects' "SELECT lo_create(0)"
alone tablespace 'tablespaces of tables and materialized views' \
  "CREATE TABLE public.tt (a int) TABLESPACE regress_bk_space"
alone index_tablespace 'tablespaces of indexes' "CREATE TABLE public.tt (a int);
  CREATE INDEX ON public.tt (a) TABLESPACE regress_bk_space"
alone index_attachment 'index attachments' "$PARTS CREATE INDEX ON public.pt (a)"
alone cluster_on 'CLUSTER ON and REPLICA IDENTITY USING INDEX' "CREATE TABLE public.ct (a int PRIMARY KEY);
  ALTER TABLE public.ct CLUSTER ON ct_pkey"
alone replica_identity 'CLUSTER ON and REPLICA IDENTITY USING INDEX' "CREATE TABLE public.ct (a int NOT NULL);
  CREATE UNIQUE INDEX ct_a ON public.ct (a); ALTER TABLE public.ct REPLICA IDENTITY USING INDEX ct_a"
alone index_statistics 'index statistics' "CREATE TABLE public.ix (a int);
  CREATE INDEX ix_expr ON public.ix ((a + 1)); ALTER INDEX public.ix_expr ALTER COLUMN 1 SET STATISTICS 50"
alone index_statistics_zero 'index statistics' "CREATE TABLE public.ix (a int);
  CREATE INDEX ix_expr ON public.ix ((a + 1)); ALTER INDEX public.ix_expr ALTER COLUMN 1 SET STATISTICS 0"
alone statistics 'statistics objects' "CREATE TABLE public.st (a int, b int);
  CREATE STATISTICS public.s1 ON a, b FROM public.st"
alone trigger 'triggers' "CREATE TABLE public.tr (a int); $FN_TRIGGER
  CREATE TRIGGER t BEFORE INSERT ON public.tr FOR EACH ROW EXECUTE FUNCTION public.tf()"
alone trigger_state 'trigger states' "$PARTS $FN_TRIGGER
  CREATE TRIGGER t AFTER INSERT ON public.pt FOR EACH ROW EXECUTE FUNCTION public.tf();
  ALTER TABLE public.pt1 DISABLE TRIGGER t"
alone rule 'rules' "CREATE TABLE public.r (a int); CREATE RULE r1 AS ON INSERT TO public.r DO ALSO NOTIFY x"
alone row_security 'row security' "CREATE TABLE public.rs (a int); ALTER TABLE public.rs FORCE ROW LEVEL SECURITY"
alone policy 'policies' "CREATE TABLE public.rs (a int); CREATE POLICY p ON public.rs USING (true)"
alone event_trigger 'event triggers' "CREATE FUNCTION public.ef() RETURNS event_trigger LANGUAGE plpgsql
  AS 'BEGIN END'; CREATE EVENT TRIGGER e1 ON ddl_command_start EXECUTE FUNCTION public.ef()"
alone publication 'publications' "CREATE PUBLICATION p1"
alone default_privileges 'default privileges' "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC"
alone security_label 'security labels' "CREATE TABLE public.sl (a int);
  SECURITY LABEL FOR dbk_test ON TABLE public.sl IS 'label'"
alone subscription 'subscriptions' "CREATE SUBSCRIPTION s1 CONNECTION 'dbname=regress_bk_nowhere'
  PUBLICATION p WITH (connect = false, slot_name = NONE)"
# privileges changed on what the script does not create, one catalog at a time
PRIV='privileges changed on extension members and system objects'
alone priv_system_table "$PRIV" "REVOKE SELECT ON pg_catalog.pg_am FROM PUBLIC"
alone priv_system_view "$PRIV" "GRANT SELECT ON pg_catalog.pg_stat_activity TO pg_monitor WITH GRANT OPTION"
alone priv_system_function "$PRIV" "REVOKE EXECUTE ON FUNCTION pg_catalog.now() FROM PUBLIC"
alone priv_system_type "$PRIV" "REVOKE USAGE ON TYPE pg_catalog.point FROM PUBLIC"
alone priv_system_schema "$PRIV" "GRANT CREATE ON SCHEMA pg_catalog TO pg_monitor"
alone priv_system_language "$PRIV" "REVOKE USAGE ON LANGUAGE sql FROM PUBLIC"
alone priv_member_function "$PRIV" "CREATE EXTENSION hstore;
  REVOKE EXECUTE ON FUNCTION public.akeys(public.hstore) FROM PUBLIC"
alone priv_member_type "$PRIV" "CREATE EXTENSION hstore; GRANT USAGE ON TYPE public.hstore TO pg_monitor"
alone priv_member_table "$PRIV" "CREATE EXTENSION dbk_test_config WITH SCHEMA public;
  GRANT SELECT ON public.dbk_test_ref TO pg_monitor"
alone priv_member_language "$PRIV" "REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC"
COLPRIV='the same on their columns'
alone colpriv_system_table "$COLPRIV" "GRANT SELECT (relname) ON pg_catalog.pg_class TO pg_monitor"
alone colpriv_system_view "$COLPRIV" "GRANT SELECT (pid) ON pg_catalog.pg_stat_activity TO pg_monitor"
alone colpriv_system_initial "$COLPRIV" "REVOKE SELECT (subname) ON pg_catalog.pg_subscription FROM PUBLIC"
alone colpriv_member_table "$COLPRIV" "CREATE EXTENSION dbk_test_config WITH SCHEMA public;
  GRANT SELECT (id) ON public.dbk_test_ref TO pg_monitor"
alone priv_fdw "$PRIV" "CREATE EXTENSION postgres_fdw; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO pg_monitor"

# empty_skipped
kind_lines base >"$WORK/base.kinds"
bad=$(grep -vE "$NO_PROBE" "$WORK/base.kinds" | grep -v ' skipped: ')
n=$(grep -c ' skipped: ' "$WORK/base.kinds")
if [ -n "$bad" ] || [ "$n" -lt 45 ]; then
  fail empty_skipped "$n kinds skipped; read although a probe should have ruled them out:"
  echo "$bad" | sed 's/^/    /'
else
  pass empty_skipped "$n kinds skipped"
fi
