#!/usr/bin/env bash
# tests/pg/t_hostile.sh — what a role that is not a superuser (regress_eve)
# can try against a superuser who backs up, restores or begins maintenance
# (issue 14), on a cluster of its own (tests/pg/run.sh has installed the
# extension and holds the install lock).
#
# regress_eve owns a schema whose objects call eve.probe(), a function that
# prints "probe <where> as <current_user>" and, when the current user is a
# superuser, makes regress_eve a superuser and a member of
# pg_read_server_files: a domain CHECK, a table CHECK constraint, a generated
# column, a partition key expression, a trigger, a column default, an index
# expression and partial predicate, a rule, a view, a materialized view, a
# cast used by a foreign key, and an event trigger a superuser made on
# regress_eve's function.
#
#   backup              dbkeeper_backup() by a superuser runs none of it
#   restore             the in-place restore succeeds; what runs, runs as
#       regress_eve, never as the superuser; the probes that must run did
#       A generated column's immutable call with constant arguments
#       ("folded") and a domain-typed partition bound ("bound") run their
#       code while CREATE TABLE runs, not while rows load.
#   restore_<where>     one line per object kind: its code did not run as the
#       superuser (and ran as regress_eve where a restore must run it)
#   restore_parallel_index  a superuser's table whose index calls regress_eve's
#       parallel-safe function, with the parallel_workers storage parameter:
#       the replay's index build runs in parallel workers too, and the code
#       runs as regress_eve in them as well (the guard reaches the workers)
#   restore_domain_of_bob, restore_check_of_bob  regress_bob's table using
#       regress_eve's domain and function: the code runs as regress_bob, the
#       table's owner, as for an INSERT by regress_bob
#   unchanged           regress_eve is afterwards what it was: attributes and
#       memberships
#   same_as_psql        the restored database equals a psql replay of the
#       same backup
#   psql_trusts         that psql replay, by a superuser, ran regress_eve's
#       code as the superuser: what README says it still trusts
#   refusal_<kind>      whether regress_eve can create an object of a kind
#       dbkeeper_backup() once refused, and that the backup succeeds after it
#       did, as README says
#   replication_db      a replication=database login of a role with
#       REPLICATION is refused during maintenance (at its first SQL
#       statement; dbkeeper_replication is in shared_preload_libraries)
#   replication_physical a physical replication connection (replication=true)
#       still works for replicas during maintenance
#   locked_held, locked_waiting  while a session holds, or waits for, an
#       ACCESS EXCLUSIVE lock on dbkeeper_banner_state, an ordinary login is
#       refused at once with a message saying why; a superuser gets in
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_hostile
. tests/pg/lib.sh

start_cluster "max_connections = 40" "max_wal_senders = 4" "wal_level = logical" \
  "shared_preload_libraries = 'dbkeeper_replication'"

PIDS=()
hostile_cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
pg_lib_cleanup_hooks="hostile_cleanup"

su() { q -d app -c "$1"; }
has() { printf '%s' "$1" | grep -qF -- "$2"; }
hasnt() { ! printf '%s' "$1" | grep -qF -- "$2"; }
ok() {
  local id=$1 desc=$2
  shift 2
  if "$@"; then pass "$id" "$desc"; else fail "$id" "$desc"; fi
}
wait_for() {
  local i
  for i in $(seq 1 100); do "$@" && return 0; sleep 0.2; done
  return 1
}
eve_state() {
  q -d app -c "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
                 coalesce((SELECT string_agg(roleid::regrole::text, ',' ORDER BY roleid::regrole::text)
                   FROM pg_auth_members WHERE member = r.oid), '-')
               FROM pg_roles r WHERE rolname = 'regress_eve'"
}

q -d postgres -c "CREATE DATABASE app" >/dev/null
q -d app -q <<'SQL'
CREATE EXTENSION dbkeeper;
CREATE ROLE regress_eve LOGIN;
CREATE SCHEMA eve AUTHORIZATION regress_eve;
CREATE ROLE regress_bob LOGIN;
SQL

# ---- regress_eve's objects, made as regress_eve ----
PGUSER=regress_eve q -d app -q 2>"$WORK/setup.err" <<'SQL'
CREATE FUNCTION eve.probe(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE WARNING 'probe % as %', what, current_user;
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE regress_eve SUPERUSER';
    EXECUTE 'GRANT pg_read_server_files TO regress_eve';
  END IF;
  RETURN true;
END$$;
-- Declared immutable, as generated columns, partition keys and indexes
-- require: a call with constant arguments is folded while the DDL runs.
CREATE FUNCTION eve.probe_int(what text, v integer) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN eve.probe(what) THEN v END $$;
CREATE FUNCTION eve.probe_imm(what text) RETURNS integer LANGUAGE plpgsql IMMUTABLE
  AS $$ BEGIN PERFORM eve.probe(what); RETURN 0; END $$;

CREATE DOMAIN eve.checked AS integer CHECK (eve.probe('domain'));
CREATE TABLE eve.t_domain (v eve.checked);
INSERT INTO eve.t_domain VALUES (1), (2);

CREATE TABLE eve.t_check (v integer CONSTRAINT c CHECK (eve.probe('check')));
INSERT INTO eve.t_check VALUES (1);

CREATE TABLE eve.t_generated (v integer, g integer GENERATED ALWAYS AS (eve.probe_int('generated', v)) STORED,
  f integer GENERATED ALWAYS AS (v + eve.probe_imm('folded')) STORED);
INSERT INTO eve.t_generated VALUES (3);

CREATE TABLE eve.t_partitioned (v integer) PARTITION BY LIST (eve.probe_int('partition', v));
CREATE TABLE eve.t_partition PARTITION OF eve.t_partitioned FOR VALUES IN (1, 2);
INSERT INTO eve.t_partitioned VALUES (1), (2);
CREATE DOMAIN eve.key AS integer CHECK (eve.probe('bound'));
CREATE TABLE eve.t_bound (k eve.key) PARTITION BY LIST (k);
CREATE TABLE eve.t_bound_1 PARTITION OF eve.t_bound FOR VALUES IN (1);

CREATE FUNCTION eve.trig() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM eve.probe('trigger'); RETURN NEW; END$$;
CREATE TABLE eve.t_trigger (v integer);
INSERT INTO eve.t_trigger VALUES (1);
CREATE TRIGGER t BEFORE INSERT OR UPDATE ON eve.t_trigger FOR EACH ROW EXECUTE FUNCTION eve.trig();
CREATE TRIGGER s BEFORE INSERT OR TRUNCATE ON eve.t_trigger FOR EACH STATEMENT EXECUTE FUNCTION eve.trig();

CREATE TABLE eve.t_default (v integer, d integer DEFAULT eve.probe_int('default', 1));
INSERT INTO eve.t_default (v) VALUES (1);

CREATE TABLE eve.t_index (v integer);
INSERT INTO eve.t_index VALUES (1);
CREATE INDEX ON eve.t_index (eve.probe_int('index', v)) WHERE eve.probe_imm('partial') = 0;

CREATE TABLE eve.t_rule (v integer);
INSERT INTO eve.t_rule VALUES (1);
CREATE RULE r AS ON INSERT TO eve.t_rule DO ALSO SELECT eve.probe('rule');

CREATE VIEW eve.v AS SELECT eve.probe('view') AS p;
CREATE MATERIALIZED VIEW eve.mv AS SELECT eve.probe('matview') AS p;

-- A foreign key from a type of regress_eve's, through its implicit cast.
CREATE TYPE eve.code AS (v integer);
CREATE FUNCTION eve.code_int(eve.code) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM eve.probe('cast'); RETURN $1.v; END$$;
CREATE CAST (eve.code AS integer) WITH FUNCTION eve.code_int(eve.code) AS IMPLICIT;
CREATE TABLE eve.t_pk (v integer PRIMARY KEY);
INSERT INTO eve.t_pk VALUES (1);
CREATE TABLE eve.t_fk (c eve.code);
INSERT INTO eve.t_fk VALUES (ROW(1));

CREATE FUNCTION eve.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM eve.probe('event trigger'); END$$;
SQL
# regress_bob's table uses regress_eve's domain and function: while rows
# load and constraints are checked, the code runs as the table's owner,
# regress_bob, as for an INSERT by regress_bob.
PGUSER=regress_eve q -d app -q 2>>"$WORK/setup.err" <<'SQL'
CREATE DOMAIN eve.checked_bob AS integer CHECK (eve.probe('domain of bob'));
GRANT USAGE ON SCHEMA eve TO regress_bob;
SQL
q -d app -q -c "CREATE SCHEMA bob AUTHORIZATION regress_bob" >/dev/null
PGUSER=regress_bob q -d app -q 2>>"$WORK/setup.err" <<'SQL'
CREATE TABLE bob.t (v eve.checked_bob CONSTRAINT c CHECK (eve.probe('check of bob')));
INSERT INTO bob.t VALUES (1);
SQL
PGUSER=regress_eve q -d app -q -c "ALTER TABLE eve.t_fk ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES eve.t_pk (v)" \
  2>"$WORK/fk.err" || echo "note: no foreign key through a cast: $(cat "$WORK/fk.err")"
# A superuser's table indexed on regress_eve's parallel-safe function, with
# parallel_workers set so that the index build starts workers whatever the
# table's size; wide rows and a sleep per call so that the workers get blocks
# to sort before the leader has read them all.  This probe only tells: a
# parallel worker cannot run ALTER ROLE, and the psql replay below must not
# fail on it.
PGUSER=regress_eve q -d app -q 2>>"$WORK/setup.err" <<'SQL'
CREATE FUNCTION eve.probe_par(v integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RAISE WARNING 'probe parallel index in % as %', pg_backend_pid(), current_user;
  PERFORM pg_sleep(0.002);
  RETURN v;
END$$;
SQL
q -d app -q 2>>"$WORK/setup.err" <<'SQL'
CREATE TABLE public.t_parallel (v integer, filler text) WITH (parallel_workers = 2);
INSERT INTO public.t_parallel SELECT i, repeat('x', 1000) FROM generate_series(1, 200) i;
SET client_min_messages = error;
CREATE INDEX t_parallel_probe ON public.t_parallel (eve.probe_par(v));
SQL
# A superuser made an event trigger on regress_eve's function (only
# superusers can); a restore must not run it as the superuser.
su "CREATE EVENT TRIGGER eve_evt ON ddl_command_start WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'COMMENT')
      EXECUTE FUNCTION eve.evt()" >/dev/null
before=$(eve_state)

# ---- backup ----
out=$(q -d app -c "SELECT dbkeeper_backup('hostile')" 2>&1)
name=$(printf '%s\n' "$out" | grep '\.sql\.zst$')
ok backup "a backup by a superuser runs none of regress_eve's code" \
  eval '[ -n "$name" ] && hasnt "$out" probe'
[ -n "$name" ] || { printf '%s\n' "$out" | sed 's/^/    /'; exit 0; }

# ---- restore ----
out=$(q -d app -c "SELECT 'leader ' || pg_backend_pid()" -c "SELECT dbkeeper_restore('$name')" 2>&1)
rc=$?
printf '%s\n' "$out" >"$WORK/restore.out"
ok restore "the in-place restore by a superuser succeeds and runs no probe as a superuser" \
  eval '[ $rc = 0 ] && hasnt "$out" "as postgres"'
[ $rc = 0 ] || sed 's/^/    /' "$WORK/restore.out" | head -20
# restore_probe ID WHERE MUST_RUN: what ran for one kind of object
restore_probe() {
  local id=$1 where=$2 must=$3
  if has "$out" "probe $where as postgres"; then
    fail "restore_$id" "$where code ran as the superuser"
  elif [ "$must" = yes ] && [ $rc = 0 ] && hasnt "$out" "probe $where as regress_eve"; then
    fail "restore_$id" "$where code did not run as regress_eve"
  else
    [ "$must" = yes ] && pass "restore_$id" "$where code ran as regress_eve" ||
      pass "restore_$id" "$where code did not run as a superuser"
  fi
}
restore_probe domain domain yes
restore_probe check check yes
restore_probe generated generated yes
restore_probe partition partition yes
restore_probe folded folded yes
restore_probe bound bound yes
for where in "domain of bob" "check of bob"; do
  if has "$out" "probe $where as regress_bob"; then pass "restore_${where// /_}" "$where code ran as the table's owner"
  else fail "restore_${where// /_}" "$where code did not run as the table's owner, regress_bob"; fi
done
restore_probe trigger trigger no
restore_probe default default no
restore_probe index index yes
restore_probe partial partial yes
restore_probe rule rule no
restore_probe view view no
restore_probe matview matview yes
restore_probe cast cast no
restore_probe event_trigger "event trigger" no
leader=$(grep -o -m1 '^leader [0-9]*' <<<"$out" | cut -d' ' -f2)
if grep -q 'probe parallel index in [0-9]* as postgres' <<<"$out"; then
  fail restore_parallel_index "a parallel worker ran regress_eve's index expression as the superuser"
elif ! grep -o 'probe parallel index in [0-9]* as regress_eve' <<<"$out" | grep -vq " in ${leader:-x} as"; then
  fail restore_parallel_index "no parallel worker built the index (leader ${leader:-unknown}): nothing was tested"
else
  pass restore_parallel_index "the index build's parallel workers ran regress_eve's code as regress_eve"
fi
after=$(eve_state)
ok unchanged "regress_eve keeps its attributes and memberships ($after)" [ "$before" = "$after" ]
ok unchanged_super "regress_eve is not a superuser" [ "$(cut -d'|' -f1 <<<"$after")" = f ]

# The same database as a psql replay of the backup into a new database.
if psql_restore "$BACKUPS/$name" app_copy; then
  # (a superuser's queries on regress_eve's tables plan its partial index
  # predicate, which prints its probe: not what is tested here)
  dbsig app >"$WORK/app.sig" 2>/dev/null
  dbsig app_copy >"$WORK/copy.sig" 2>/dev/null
  sig_diff same_as_psql "$WORK/app.sig" "$WORK/copy.sig" && pass same_as_psql "the restored database equals a psql replay"
else
  fail same_as_psql "psql replay failed: $(grep -m3 ERROR "$WORK/restore-app_copy.log")"
fi
# What README says a psql replay as a superuser still trusts: it runs
# regress_eve's code as the superuser.
ok psql_trusts "a psql replay by a superuser runs regress_eve's code as the superuser (README)" \
  grep -qF "probe domain as postgres" "$WORK/restore-app_copy.log"
q -d app -q -c "ALTER ROLE regress_eve NOSUPERUSER" -c "REVOKE pg_read_server_files FROM regress_eve" 2>/dev/null

# ---- no object a role can create stops the backups ----
# refusal_ID YES|NO SQL: whether regress_eve (CREATE on its own schema, no
# other grant) can create an object of a kind dbkeeper_backup() once refused;
# when it can, it does, and the superuser's backup must still succeed (no
# kind is refused any more).  README "Security" lists the answers.
refusal() {
  local id=$1 expect=$2 sql=$3 got=no err
  if [ "$expect" = yes ]; then
    if err=$(PGUSER=regress_eve q -d app -c "$sql" 2>&1); then got=yes; fi
    if [ "$got" != yes ]; then
      fail "refusal_$id" "regress_eve could not create one: $(grep -m1 ERROR <<<"$err")"
    elif err=$(q -d app -c "SELECT dbkeeper_backup('refusal')" 2>&1); then
      pass "refusal_$id" "regress_eve can create one, and the backup is still taken"
    else
      fail "refusal_$id" "the backup failed: $(grep -m1 ERROR <<<"$err")"
    fi
    return
  fi
  if err=$(PGUSER=regress_eve q -d app -c "BEGIN" -c "$sql" -c "ROLLBACK" 2>&1); then got=yes; fi
  if [ "$got" = "$expect" ]; then
    pass "refusal_$id" "regress_eve cannot create one: $(grep -m1 -o 'ERROR: .*' <<<"$err" | cut -c1-80)"
  else
    fail "refusal_$id" "expected $expect, got $got: $(grep -m1 ERROR <<<"$err")"
  fi
}
refusal conversion yes "CREATE CONVERSION eve.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8"
refusal typed_table yes "CREATE TYPE eve.ct AS (a integer); CREATE TABLE eve.typed OF eve.ct"
refusal shell_type no "CREATE TYPE eve.shell"
refusal base_type no "CREATE TYPE eve.b (INPUT = int4in, OUTPUT = int4out, LIKE = integer)"
refusal moving_aggregate yes "CREATE AGGREGATE eve.ma(integer) (SFUNC = int4pl, STYPE = integer,
  MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer)"
refusal ordered_set_aggregate yes "CREATE AGGREGATE eve.os(ORDER BY integer) (SFUNC = int4pl, STYPE = integer)"
refusal hypothetical_aggregate yes "CREATE AGGREGATE eve.hy(integer ORDER BY integer) (SFUNC = int4pl,
  STYPE = integer, HYPOTHETICAL)"
refusal sortop_aggregate yes "CREATE AGGREGATE eve.mx(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >)"
refusal range_canonical no "CREATE TYPE eve.r; CREATE FUNCTION eve.canon(eve.r) RETURNS eve.r LANGUAGE plpgsql
  AS 'BEGIN RETURN \$1; END'; CREATE TYPE eve.r AS RANGE (SUBTYPE = integer, CANONICAL = eve.canon)"
refusal operator_class no "CREATE OPERATOR CLASS eve.oc FOR TYPE integer USING btree AS OPERATOR 1 <, FUNCTION 1 btint4cmp(integer, integer)"
refusal operator_family no "CREATE OPERATOR FAMILY eve.of USING btree"
refusal ts_parser no "CREATE TEXT SEARCH PARSER eve.p (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype)"
refusal ts_template no "CREATE TEXT SEARCH TEMPLATE eve.t (LEXIZE = dsimple_lexize)"
refusal transform no "CREATE TYPE eve.tt AS (a integer); CREATE FUNCTION eve.tf(internal) RETURNS internal LANGUAGE sql AS 'SELECT \$1'"
refusal language no "CREATE LANGUAGE eve_lang HANDLER plpgsql_call_handler"
refusal access_method no "CREATE ACCESS METHOD eve_am TYPE TABLE HANDLER heap_tableam_handler"
refusal subscription no "CREATE SUBSCRIPTION eve_sub CONNECTION 'dbname=app' PUBLICATION p WITH (connect = false)"
refusal security_label no "SECURITY LABEL ON SCHEMA eve IS 'x'"
refusal foreign_table no "CREATE FOREIGN DATA WRAPPER eve_fdw"
refusal tablespace no "CREATE TABLE eve.ts (a integer) TABLESPACE pg_global"

# ---- maintenance mode: replication connections ----
MSG='Upgrade in progress'
# a superuser's logins during maintenance print the message as a NOTICE
export PGOPTIONS="-c client_min_messages=warning"
q -d app -q >/dev/null <<SQL
DROP EVENT TRIGGER eve_evt;
CREATE ROLE regress_repl LOGIN REPLICATION;
ALTER DATABASE app SET session_preload_libraries = 'dbkeeper_login';
SELECT dbkeeper_maintenance_begin('$MSG') IS NOT NULL AS begun;
SQL

login() { PGUSER=$1 timeout 20 psql -X -At "$2" -c "${3:-SELECT 'LOGGED_IN'}" 2>&1; }
out=$(login regress_repl "dbname=app")
ok plain_refused "an ordinary login of a REPLICATION role is refused during maintenance" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
out=$(login regress_repl "dbname=app replication=database")
ok replication_db "a replication=database login of a REPLICATION role is refused during maintenance" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
out=$(login postgres "dbname=app replication=database")
ok replication_db_superuser "a superuser's replication=database login gets in" has "$out" LOGGED_IN
out=$(login regress_repl "dbname=app replication=true" "IDENTIFY_SYSTEM")
ok replication_physical "a physical replication connection (replication=true) still works" \
  eval 'hasnt "$out" FATAL && has "$out" "|"'
q -d app -c "SELECT dbkeeper_maintenance_end()" >/dev/null
out=$(login regress_repl "dbname=app replication=database")
ok replication_db_after "after maintenance a replication=database login works again" has "$out" LOGGED_IN

# ---- maintenance mode fails closed ----
q -d app -c "SELECT dbkeeper_maintenance_begin('$MSG')" >/dev/null
locks() {
  q -d app -c "SELECT string_agg(l.mode || ':' || l.granted, ',' ORDER BY l.mode, l.granted) FROM pg_locks l
               JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'dbkeeper_banner_state'"
}
# locked_check ID DESC STATE: an ordinary login refused saying why, a
# superuser in, and the state table's locks still STATE afterwards.  The
# sessions that lock the table hold their locks until this test ends them, so
# a login that waited for a lock would still be waiting (login gives up after
# 20 s): the order of events, not a duration, shows that nobody waited.
locked_check() {
  local id=$1 desc=$2 state=$3 out_eve out_su
  out_eve=$(login regress_eve "dbname=app")
  out_su=$(login postgres "dbname=app")
  if has "$out_eve" LOGGED_IN || hasnt "$out_eve" "could not read the maintenance state"; then
    fail "$id" "$desc: the ordinary login: $(head -3 <<<"$out_eve")"
  elif hasnt "$out_su" LOGGED_IN; then
    fail "$id" "$desc: the superuser: $(head -3 <<<"$out_su")"
  elif [ "$(locks)" != "$state" ]; then
    fail "$id" "$desc: the locks changed while the logins ran: $(locks)"
  else
    pass "$id" "$desc"
  fi
}
# holder NAME: a psql session of its own, fed through a pipe, so that the
# test says when it ends its transaction.
holder() {
  mkfifo "$WORK/$1.in"
  q -d app <"$WORK/$1.in" >"$WORK/$1.out" 2>&1 &
  PIDS+=($!)
}
holder locker
exec 7>"$WORK/locker.in"
echo "BEGIN; LOCK TABLE dbkeeper_banner_state IN ACCESS EXCLUSIVE MODE;" >&7
wait_for eval '[ "$(locks)" = "AccessExclusiveLock:true" ]'
locked_check locked_held "while a session holds ACCESS EXCLUSIVE on the state table" "AccessExclusiveLock:true"
echo "COMMIT;" >&7
exec 7>&-
holder reader
exec 7>"$WORK/reader.in"
echo "BEGIN; SELECT count(*) FROM dbkeeper_banner_state;" >&7
wait_for eval '[ "$(locks)" = "AccessShareLock:true" ]'
holder waiter
exec 6>"$WORK/waiter.in"
echo "BEGIN; LOCK TABLE dbkeeper_banner_state IN ACCESS EXCLUSIVE MODE; COMMIT;" >&6
wait_for eval '[ "$(locks)" = "AccessExclusiveLock:false,AccessShareLock:true" ]'
locked_check locked_waiting "while a session waits for ACCESS EXCLUSIVE on the state table" \
  "AccessExclusiveLock:false,AccessShareLock:true"
echo "COMMIT;" >&7
exec 7>&- 6>&-
wait
q -d app -c "SELECT dbkeeper_maintenance_end()" >/dev/null
out=$(login regress_eve "dbname=app")
ok unlocked "once the lock is gone, an ordinary login gets in" has "$out" LOGGED_IN
exit 0
