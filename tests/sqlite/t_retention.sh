#!/usr/bin/env bash
# Retention on SQLite (issue 13, item 9), as on PostgreSQL
# (tests/pg/t_identity.sh, retention_*):
#   retention/nightly-*     with keep_backups = 3, a backup labelled before-upgrade and
#                 a restore's safety backup outlive 30 nightly backups; three
#                 unlabelled backups stay
#   retention/keep_days-*   the setting reads back, and bad values are refused
#   retention/prune-*     an explicit dbkeeper_prune deletes labelled and safety
#                 backups only when it names their label; never the newest
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 100
mkdir -m 700 bk
cfg="SELECT dbkeeper_config('backup_dir', '$T/bk'); SELECT dbkeeper_config('keep_backups', 3);"
upgrade=$(sq app.db "$cfg" "SELECT dbkeeper_backup('before-upgrade');" | tail -1)
safety=$(sq app.db "$cfg" "SELECT dbkeeper_restore('$upgrade');" | tail -1)
for night in $(seq 1 30); do
  sqlite3 app.db "UPDATE acct SET bal = bal + 1 WHERE id = $night;"
  sq app.db "$cfg" "SELECT dbkeeper_backup();" >/dev/null
done
check retention/nightly-before-upgrade-kept "a before-upgrade backup outlives 30 nightly backups" \
  "$(test -f "bk/$upgrade" && echo yes)" yes
check retention/nightly-safety-kept "and so does a restore's safety backup" "$(test -f "bk/$safety" && echo yes)" yes
check retention/nightly-three-unlabelled "three unlabelled backups stay" \
  "$(sq app.db "$cfg" "SELECT count(*) FROM dbkeeper_backups WHERE label IS NULL;" | tail -1)" 3

check retention/keep_days-default "keep_days is 0 (off) by default" "$(sq app.db "SELECT dbkeeper_config('keep_days');")" 0
check retention/keep_days-set "keep_days can be set" "$(sq app.db "SELECT dbkeeper_config('keep_days', 30);")" 30
check_error retention/keep_days-negative "a negative keep_days is refused" 'between 0 and' app.db \
  "SELECT dbkeeper_config('keep_days', -1);"
# With keep_days alone (keep_backups 0), every backup here is younger than a day: nothing goes.
check retention/keep_days-young-kept "backups younger than keep_days stay" \
  "$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/bk');" "SELECT dbkeeper_config('keep_backups', 0);" \
       "SELECT dbkeeper_config('keep_days', 1);" "SELECT dbkeeper_backup() IS NOT NULL;" \
       "SELECT count(*) FROM dbkeeper_backups;" | tail -1)" 6

check retention/prune-unlabelled-only "dbkeeper_prune(1) deletes unlabelled backups only" \
  "$(sq app.db "$cfg" "SELECT dbkeeper_prune(1);" "SELECT group_concat(coalesce(label, '-')) FROM dbkeeper_backups;" | tail -2 | tr '\n' ' ')" \
  "3 -,pre-restore,before-upgrade "
check retention/prune-safety-by-label "dbkeeper_prune(1, 'pre-restore') keeps the newest safety backup" \
  "$(sq app.db "$cfg" "SELECT dbkeeper_prune(1, 'pre-restore');" | tail -1)" 0
check retention/prune-all "dbkeeper_prune(1, '*') keeps the newest backup only" \
  "$(sq app.db "$cfg" "SELECT dbkeeper_prune(1, '*');" "SELECT count(*), max(label) IS NULL FROM dbkeeper_backups;" | tail -2 | tr '\n' ' ')" \
  "2 1|1 "
check_error retention/prune-zero "keep 0 is refused: the newest backup always stays" 'cannot keep fewer than 1' app.db \
  "$cfg SELECT dbkeeper_prune(0, '*');"
