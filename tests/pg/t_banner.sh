#!/usr/bin/env bash
# tests/pg/t_banner.sh — the login module with real logins, on a cluster of
# its own (pg_virtualenv), with dbkeeper_login in session_preload_libraries
# for the whole server and pg_cron running jobs in background workers.
#
# What it shows: psql prints the banner at login; during maintenance an
# ordinary role is refused with the message and SQLSTATE 57P03 while a
# superuser and a member of dbkeeper.maintenance_roles get in and a pg_cron
# job still runs; a client cannot talk its way in (application_name,
# settings in the start-up packet, its own search_path); terminate_sessions
# returns the right count and those sessions are gone; a LISTEN session
# receives the notification; the state survives a restart; a database
# without dbkeeper is unaffected; a locked or damaged state table refuses
# ordinary logins at once with the reason (the module cannot tell whether
# maintenance is on) while superusers get in.
#
# Run by tests/pg/run.sh, which holds /tmp/dbkeeper-pg.lock and has
# installed the extension.  Prints "PASS pg/banner/<id>" or "FAIL ...".
set -u

if [ "${1:-}" != inner ]; then
  . "$(dirname "$0")/virtualenv.sh"
  in_virtualenv pg/banner "$0" \
    -o "shared_preload_libraries=pg_cron" -o "cron.database_name=appdb" \
    -o "cron.use_background_workers=on" -o "max_worker_processes=16" \
    -o "log_line_prefix=%m [%p] %e %u@%d "
  exit 0
fi

# ---- inside the throwaway cluster (PGHOST, PGPORT, PGUSER=postgres set) ----
# psql from the version's bin directory, not Debian's pg_wrapper (Perl, about
# 70 ms of CPU per call; tests/pg/lib.sh says more)
export PATH="$DBK_PGBIN:$PATH"
T=$(mktemp -d /tmp/dbk-banner-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
LOG=$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-$DBK_PG_VERSION-regress.log
MSG='Upgrade v21 → v22 in progress, back at 02:00'

pass() { echo "PASS pg/banner/$1 $2"; }
fail() { echo "FAIL pg/banner/$1 $2"; }
# ok ID DESC CONDITION-COMMAND...
ok() {
  local id=$1 desc=$2
  shift 2
  if "$@"; then pass "$id" "$desc"; else fail "$id" "$desc"; fi
}
su_sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "${DB:-appdb}" -c "$1"; }
# as ROLE DB SQL: a fresh login as ROLE; stdout and stderr together.
as() { PGUSER=$1 PGPASSWORD=pw timeout 20 psql -X -At -d "$2" -c "$3" 2>&1; }
has() { printf '%s' "$1" | grep -qF -- "$2"; }
hasnt() { ! printf '%s' "$1" | grep -qF -- "$2"; }
# wait_for CMD...: up to 20 s for CMD to succeed.
wait_for() {
  local i
  for i in $(seq 1 100); do "$@" && return 0; sleep 0.2; done
  return 1
}
count_sessions() {
  su_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$1' AND backend_type = 'client backend'"
}

set -e
DB=postgres su_sql "CREATE DATABASE appdb"
DB=postgres su_sql "CREATE DATABASE otherdb"
su_sql "CREATE EXTENSION dbkeeper"
su_sql "CREATE EXTENSION pg_cron"
su_sql "CREATE ROLE app LOGIN PASSWORD 'pw'"
su_sql "CREATE ROLE ops_role NOLOGIN"
su_sql "CREATE ROLE ops LOGIN PASSWORD 'pw' IN ROLE ops_role"
su_sql "CREATE ROLE admin LOGIN SUPERUSER PASSWORD 'pw'"
su_sql "CREATE TABLE cron_runs(at timestamptz DEFAULT clock_timestamp(), who name DEFAULT current_user)"
su_sql "GRANT INSERT ON cron_runs TO app; GRANT USAGE ON SCHEMA cron TO app"
su_sql "ALTER DATABASE appdb SET dbkeeper.maintenance_roles = 'ops_role'"
su_sql "ALTER SYSTEM SET session_preload_libraries = 'dbkeeper_login'"
su_sql "SELECT pg_reload_conf()" >/dev/null
set +e

# ---- outside maintenance ----
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok login-no-banner "a login without a banner sees no NOTICE" \
  eval 'has "$out" LOGGED_IN && hasnt "$out" NOTICE'

su_sql "SELECT dbkeeper_banner_set('Server moves to the new rack on Friday')" >/dev/null
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok login-notice "psql shows the banner as a NOTICE at login" \
  eval 'has "$out" "NOTICE:  Server moves to the new rack on Friday" && has "$out" LOGGED_IN'

LONG=$(printf 'Mise à jour v21 → v22, retour à 02:00 — %.0s' $(seq 1 60))
su_sql "SELECT dbkeeper_banner_set('$LONG')" >/dev/null
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok login-long-nonascii "a $(printf '%s' "$LONG" | wc -c)-byte non-ASCII banner is shown whole" \
  eval 'has "$out" "NOTICE:  $LONG" && has "$out" LOGGED_IN'
su_sql "SELECT dbkeeper_banner_set('Server moves to the new rack on Friday')" >/dev/null

out=$(as app otherdb "SELECT 'LOGGED_IN'")
ok other-db "a database without dbkeeper: login works, no NOTICE" \
  eval 'has "$out" LOGGED_IN && hasnt "$out" NOTICE'

# A pg_cron job owned by an ordinary role, every minute, from now on.
PGUSER=app PGPASSWORD=pw psql -X -q -At -d appdb \
  -c "SELECT cron.schedule('banner-test', '* * * * *', 'INSERT INTO cron_runs DEFAULT VALUES')" >/dev/null

# A listener, listening before maintenance begins; it runs one more command
# (after which psql prints what it received) once maintenance has begun.
mkfifo "$T/listen.in"
PGUSER=app PGPASSWORD=pw psql -X -At -d appdb <"$T/listen.in" >"$T/listen.out" 2>&1 &
LISTENER=$!
PIDS+=("$LISTENER")
exec 9>"$T/listen.in"
echo "LISTEN dbkeeper_maintenance;" >&9
listening() {
  [ "$(su_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND state = 'idle'
                 AND query = 'LISTEN dbkeeper_maintenance;'")" = 1 ]
}
wait_for listening

# ---- maintenance ----
n=$(su_sql "SELECT dbkeeper_maintenance_begin('$MSG')")
ok begin-no-terminate "maintenance_begin without terminate_sessions returns 0" [ "$n" = 0 ]
echo "SELECT 'listener done';" >&9
exec 9>&-
wait "$LISTENER"
ok listen-notify "a LISTEN session receives the notification with the message" \
  grep -qF "Asynchronous notification \"dbkeeper_maintenance\" with payload \"$MSG\"" "$T/listen.out"

out=$(as app appdb "SELECT 'LOGGED_IN'")
ok refused "an ordinary role is refused with the message as a FATAL error" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
ok refused-57P03 "the refusal carries SQLSTATE 57P03" \
  eval 'wait_for grep -qF "57P03 app@appdb FATAL:  $MSG" "$LOG"'

out=$(as admin appdb "SELECT 'LOGGED_IN'")
ok superuser-in "a superuser gets in and sees the message as a NOTICE" \
  eval 'has "$out" "NOTICE:  $MSG" && has "$out" "DETAIL:  The database is in maintenance mode" && has "$out" LOGGED_IN'
out=$(as ops appdb "SELECT 'LOGGED_IN'")
ok maintenance-role-in "a member of a role in dbkeeper.maintenance_roles gets in" \
  eval 'has "$out" LOGGED_IN && has "$out" "NOTICE:  $MSG"'

out=$(PGAPPNAME=pg_cron as app appdb "SELECT 'LOGGED_IN'")
ok appname-no-bypass "application_name pg_cron does not let a client in" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
out=$(PGOPTIONS='-c dbkeeper.maintenance_roles=app' as app appdb "SELECT 'LOGGED_IN'")
ok guc-no-bypass "a client cannot list itself in dbkeeper.maintenance_roles" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
out=$(PGOPTIONS='-c session_preload_libraries=' as app appdb "SELECT 'LOGGED_IN'")
ok preload-no-bypass "a client cannot switch the login module off" \
  eval 'has "$out" FATAL && hasnt "$out" LOGGED_IN'

su_sql "CREATE SCHEMA evil; CREATE TABLE evil.dbkeeper_banner_state(banner text, maintenance_message text); INSERT INTO evil.dbkeeper_banner_state VALUES (NULL, NULL); GRANT USAGE ON SCHEMA evil TO app; GRANT SELECT ON evil.dbkeeper_banner_state TO app"
su_sql "ALTER ROLE app SET search_path = evil, public"
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok search-path "a role's own search_path does not redirect the state" \
  eval 'has "$out" "FATAL:  $MSG" && hasnt "$out" LOGGED_IN'
su_sql "ALTER ROLE app RESET search_path; DROP SCHEMA evil CASCADE" 2>/dev/null

out=$(as app otherdb "SELECT 'LOGGED_IN'")
ok other-db-maintenance "a database without dbkeeper is unaffected by another's maintenance" \
  eval 'has "$out" LOGGED_IN && hasnt "$out" NOTICE'

cron_ran() {
  [ "$(su_sql "SELECT count(*) FROM cron_runs, dbkeeper_banner_state
                WHERE at > maintenance_since AND who = 'app'")" -gt 0 ]
}
ok cron-runs "a pg_cron job of an ordinary role runs during maintenance" \
  eval 'for i in $(seq 1 80); do cron_ran && break; sleep 1; done; cron_ran'
su_sql "SELECT cron.unschedule('banner-test')" >/dev/null

# ---- restart ----
pg_ctlcluster "$DBK_PG_VERSION" regress restart
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok restart "maintenance survives a server restart" \
  eval 'has "$out" "FATAL:  $MSG" && [ "$(su_sql "SELECT dbkeeper_in_maintenance()")" = t ]'

su_sql "SELECT dbkeeper_maintenance_end()" >/dev/null
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok end "after maintenance_end an ordinary role gets in and sees the banner again" \
  eval 'has "$out" LOGGED_IN && has "$out" "NOTICE:  Server moves to the new rack on Friday"'

# ---- terminate_sessions ----
for who in app app ops admin; do
  (PGUSER=$who PGPASSWORD=pw psql -X -At -d appdb -c "SELECT pg_sleep(60)" >/dev/null 2>&1) &
  PIDS+=($!)
done
(PGUSER=app PGPASSWORD=pw psql -X -At -d otherdb -c "SELECT pg_sleep(60)" >/dev/null 2>&1) &
PIDS+=($!)
sleepers() {
  su_sql "SELECT coalesce(string_agg(usename || '@' || datname, ',' ORDER BY usename, datname), '')
            FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'"
}
wait_for eval '[ "$(sleepers)" = "admin@appdb,app@appdb,app@appdb,app@otherdb,ops@appdb" ]'
n=$(su_sql "SELECT dbkeeper_maintenance_begin('$MSG', terminate_sessions => true)")
ok terminate-count "terminate_sessions returns the number of ordinary sessions of the database" [ "$n" = 2 ]
ok terminate-gone "those sessions are gone; superuser, maintenance role and other database stay" \
  eval '[ "$(sleepers)" = "admin@appdb,app@otherdb,ops@appdb" ]'
su_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'" >/dev/null
su_sql "SELECT dbkeeper_maintenance_end()" >/dev/null

# ---- the state cannot be read: ordinary logins fail closed, superusers get in ----
# A session holds the state table in ACCESS EXCLUSIVE mode until this test
# ends it: a login that waited for the lock would still be waiting (psql is
# killed after 20 s), so a refusal with the reason shows it did not wait.
mkfifo "$T/locker.in"
psql -X -q -d appdb <"$T/locker.in" >"$T/locker.out" 2>&1 &
LOCKER=$!
PIDS+=("$LOCKER")
exec 8>"$T/locker.in"
echo "BEGIN; LOCK TABLE dbkeeper_banner_state IN ACCESS EXCLUSIVE MODE;" >&8
locked() {
  [ "$(su_sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE c.relname = 'dbkeeper_banner_state' AND l.mode = 'AccessExclusiveLock'
                  AND l.granted")" = 1 ]
}
wait_for locked
out=$(as app appdb "SELECT 'LOGGED_IN'")
out_admin=$(as admin appdb "SELECT 'LOGGED_IN'")
if hasnt "$out" LOGGED_IN && has "$out" "could not read the maintenance state of this database: table \"dbkeeper_banner_state\" is locked" &&
   has "$out_admin" LOGGED_IN && locked; then
  pass locked-table "a locked state table refuses an ordinary login at once, saying why; a superuser gets in"
else
  fail locked-table "while the lock was held, the ordinary login said: $(printf '%s' "$out" | tr '\n' ' '); the superuser's: $(printf '%s' "$out_admin" | tr '\n' ' ')"
fi
echo "COMMIT;" >&8
exec 8>&-
wait "$LOCKER"

su_sql "ALTER TABLE dbkeeper_banner_state RENAME COLUMN banner TO banner_text"
out=$(as app appdb "SELECT 'LOGGED_IN'")
out_admin=$(as admin appdb "SELECT 'LOGGED_IN'")
ok damaged-table "a state table altered by hand refuses an ordinary login, saying why; a superuser gets in" \
  eval 'hasnt "$out" LOGGED_IN && has "$out" "has no text column \"banner\"" && has "$out_admin" LOGGED_IN && grep -qF "has no text column \"banner\"" "$LOG"'
su_sql "ALTER TABLE dbkeeper_banner_state RENAME COLUMN banner_text TO banner"

su_sql "DROP EXTENSION dbkeeper"
out=$(as app appdb "SELECT 'LOGGED_IN'")
ok dropped "after DROP EXTENSION logins are unaffected" eval 'has "$out" LOGGED_IN && hasnt "$out" NOTICE'
exit 0
