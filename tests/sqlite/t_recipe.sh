#!/usr/bin/env bash
# tests/sqlite/t_recipe.sh — README's recipe for nightly SQLite backups
# ("Nightly backups with cron or a systemd timer"), run as written: the
# blocks are read from README.md, only the paths are replaced by this
# test's (/srv/app/app.db, /var/backups/app, /usr/local/lib/dbkeeper,
# /usr/bin/sqlite3 under the sanitizer pass).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
README=$HERE/../../README.md

# block N INFO: the Nth fenced block with that info string in the section.
block() {
  awk -v want="$2" -v nth="$1" '
    /^### Nightly backups with cron or a systemd timer/ { in_s = 1; next }
    in_s && /^### / { exit }
    in_s && /^```/ { if (inb) { inb = 0; if (k == nth) exit; next }
                     if ($0 == "```" want) { k++; inb = 1; next } }
    in_s && inb && k == nth { print }' "$README"
}
paths() {
  sed -e "s|/srv/app/app.db|$T/srv/app.db|g" -e "s|/var/backups/app|$T/backups|g" \
      -e "s|/usr/local/lib/dbkeeper|$DBK_SQLITE_EXT|g"
}

mkdir -p srv
mkdir -m 700 backups
make_accounts_db srv/app.db 100
setup=$(block 1 sql | paths)
check recipe/found "README has the recipe's blocks" \
  "$([ -n "$setup" ] && [ -n "$(block 1 cron)" ] && [ -n "$(block 1 ini)" ] && [ -n "$(block 2 ini)" ] && echo yes)" yes
sq srv/app.db "$setup" >/dev/null
check recipe/settings "the one-time settings are stored in the database" \
  "$(sq srv/app.db "SELECT dbkeeper_config('backup_dir'), dbkeeper_config('keep_backups')")" "$T/backups|14"

# cron: the command after the five time fields and the user, run by /bin/sh
# as cron does.
cmd=$(block 1 cron | paths | awk '{ $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }')
out=$(LD_PRELOAD="${DBK_PRELOAD:-}" sh -c "$cmd" 2>&1)
rc=$?
check recipe/cron-runs "the cron line backs up and verifies, silently" "$rc|$out" "0|"
check recipe/cron-backup "and the backup is where the database says" \
  "$(find backups -type f -name 'app.*.sqlite3.zst' | wc -l)" 1

# systemd: the units, checked by systemd-analyze; ExecStart run as written.
block 1 ini | paths > app-backup.service
block 2 ini > app-backup.timer
exec_start=$(sed -n 's/^ExecStart=//p' app-backup.service)
if [ -n "${DBK_PRELOAD:-}" ]; then exec_start="env LD_PRELOAD=$DBK_PRELOAD $exec_start"; fi
out=$(sh -c "$exec_start" 2>&1)
rc=$?
check recipe/systemd-runs "the service's ExecStart backs up and verifies" "$rc|$(printf '%s' "$out" | tail -1)" "0|1"
check recipe/systemd-backup "a second backup is there" "$(find backups -type f -name 'app.*.sqlite3.zst' | wc -l)" 2
check recipe/timer-calendar "OnCalendar is a valid calendar spec for 02:30 every day" \
  "$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' app-backup.timer)" 2>&1 | sed -n 's/^ *Normalized form: //p')" \
  "*-*-* 02:30:00"
# verify wants the user to exist: check with the invoking user instead of "app".
sed -i "s/^User=app$/User=$(id -un)/" app-backup.service
out=$(systemd-analyze verify --man=no "$T/app-backup.service" "$T/app-backup.timer" 2>&1)
check recipe/systemd-verify "systemd-analyze verify accepts the units" "$out" ""

# A failure is loud: the job exits non-zero with the error.
chmod 000 backups
if [ "$(id -u)" != 0 ]; then
  out=$(sh -c "$cmd" 2>&1); rc=$?
  check recipe/cron-fails-perm "a failing backup makes the cron job fail with the error" "$rc" 1
fi
chmod 700 backups
sqlite3 srv/app.db "DELETE FROM dbkeeper_settings WHERE name = 'backup_dir'"
mkdir -m 777 open
sqlite3 srv/app.db "INSERT INTO dbkeeper_settings VALUES ('backup_dir', '$T/open')"
out=$(LD_PRELOAD="${DBK_PRELOAD:-}" sh -c "$cmd" 2>&1); rc=$?
check recipe/cron-fails-dir "a refused backup directory makes the job fail with the error" \
  "$rc|$(printf '%s' "$out" | grep -c 'writable by group or others')" "1|1"
