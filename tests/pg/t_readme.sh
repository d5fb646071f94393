#!/usr/bin/env bash
# tests/pg/t_readme.sh — README.md's PostgreSQL examples, run as written on
# a private cluster, in README order (tests/readme/lib.sh says how a block is
# marked and compared):
#
#   pg-conf  lines added to postgresql.conf, then the server restarted
#   pg-sh    shell commands, run by bash as root (PG* variables point at
#            the cluster); must succeed
#   pg       a psql transcript, each block in a session of its own in the
#            database of its prompt, compared; or plain SQL (option db=NAME,
#            default app), which must succeed
#
# Paths under /srv/ are moved into this test's directory, and the pg_cron
# job's nightly schedule becomes every minute, so that the test can see it run.
SUITE=pg_readme
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../readme/lib.sh"
RT=$WORK/rt
mkdir -p "$RT" "$WORK/srv"
chown postgres "$WORK/srv"
export RT

start_cluster
# A fresh server knows nothing of dbkeeper: without lib.sh's backup_dir line
# in postgresql.conf, as README's first steps find it.
sed -i '/^dbkeeper\./d' "$WORK/primary/postgresql.conf"
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w restart >/dev/null
q -c "CREATE DATABASE app" >/dev/null
subst() { sed -e "s|/srv/|$WORK/srv/|g" -e "s|'30 2 \* \* \*'|'* * * * *'|"; }

# cron_job_runs ID: the job just scheduled (every minute here) runs in its
# database and backs it up; waits for its first run, at most 150 s (the
# next minute, on a loaded machine).
# Only this job's runs count (an earlier job's run is not this one's), and
# the backup must be one its run made (retention may keep the number of
# backups the same).
cron_job_runs() {
  local i status="" job="(SELECT jobid FROM cron.job WHERE jobname = 'app-nightly-backup')" ran
  for i in $(seq 150); do
    status=$(q -d postgres -c "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                                WHERE status IN ('succeeded', 'failed') AND jobid = $job
                                ORDER BY start_time DESC LIMIT 1")
    [ -n "$status" ] && break
    sleep 1
  done
  ran=$(q -d postgres -c "SELECT date_trunc('second', max(start_time)) FROM cron.job_run_details WHERE jobid = $job")
  if [ "$status" = "succeeded: SELECT 1" ] &&
     [ "$(q -d app -c "SELECT count(*) FROM dbkeeper.dbkeeper_backups()
                        WHERE database = 'app' AND created_at >= '$ran'")" -gt 0 ]; then
    pass "$1-job" "the pg_cron job ran in app and backed it up"
  else
    fail "$1-job" "the pg_cron job did not back up app: [${status:-no run in 150 s}]"
  fi
  q -d postgres -c "SELECT cron.unschedule('app-nightly-backup')" >/dev/null
}

run_block() {
  local id=$1 line=$2 tag=$3 opts=$4 db=app out
  case $tag in
    pg-conf)
      subst >> "$WORK/primary/postgresql.conf"
      if as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w restart >/dev/null 2>&1; then
        pass "$id" "postgresql.conf lines added, server restarted"
      else
        fail "$id" "the server did not restart: $(tail -3 "$WORK/primary.log" | tr '\n' ' ')"
      fi ;;
    pg-sh)
      if out=$(subst | bash -e 2>&1); then pass "$id" "shell commands ran"
      else fail "$id" "shell commands failed: $out"; fi ;;
    pg)
      subst > "$RT/block"
      if grep -Eq '^[a-z_]+=# ' "$RT/block"; then
        db=$(sed -En '1s/^([a-z_]+)=# .*/\1/p' "$RT/block")
        readme_transcript '^[a-z_]+=# ' '^[a-z_]+-# ' '\echo @@@' < "$RT/block"
        psql -X -d "$db" < "$RT/script" > "$RT/out" 2>&1
        readme_assemble "$RT/out" '@@@' | readme_normalise > "$RT/got"
        readme_normalise < "$RT/want" > "$RT/want.n"
        if diff -u "$RT/want.n" "$RT/got" > "$RT/diff"; then
          pass "$id" "transcript in $db: $RT_N commands, output as shown"
        else
          fail "$id" "transcript in $db differs from README line $line (- README, + real):"
          sed 's/^/    /' "$RT/diff"
        fi
        grep -q 'cron.schedule_in_database' "$RT/block" && cron_job_runs "$id"
      else
        [[ $opts =~ db=([a-z_]+) ]] && db=${BASH_REMATCH[1]}
        if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" < "$RT/block" 2>&1); then pass "$id" "SQL ran in $db"
        else fail "$id" "SQL failed in $db: $out"; fi
      fi ;;
    *) fail "$id" "unknown tag $tag" ;;
  esac
}

readme_each pg run_block > "$WORK/results" 2>&1
cat "$WORK/results"
grep -q '^PASS ' "$WORK/results" || fail blocks "README has no PostgreSQL block marked for this test"
