#!/usr/bin/env bash
# tests/demo.sh — `make demo`: what dbkeeper does for a SQLite database, shown
# in the real sqlite3 shell.  It works in a fresh directory under build/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=$ROOT/build/demo
rm -rf "$DEMO"
mkdir -p "$DEMO"
cd "$DEMO"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "A sample database: clinic.db, 20,000 patients and their visits"
sqlite3 clinic.db <<'SQL'
CREATE TABLE patient(id INTEGER PRIMARY KEY, name TEXT NOT NULL, born DATE);
CREATE TABLE visit(id INTEGER PRIMARY KEY, patient INTEGER REFERENCES patient(id), at TEXT, note TEXT);
INSERT INTO patient SELECT value, 'patient ' || value, date('1950-01-01', '+' || (value % 20000) || ' days')
  FROM generate_series(1, 20000);
INSERT INTO visit SELECT value, 1 + value % 20000, datetime('2024-01-01', '+' || value || ' minutes'),
  'follow-up ' || (value % 7) FROM generate_series(1, 60000);
SQL
ls -l clinic.db

say "In the sqlite3 shell: load dbkeeper, back up, list, verify"
cat <<'SQL' | tee /dev/stderr 2>&1 >/dev/null | sed 's/^/sqlite> /' >&2 || true
.load ../../sqlite_ext/dbkeeper
SELECT dbkeeper_backup();
SELECT dbkeeper_backup('before-upgrade');
SELECT name, bytes, compressed_bytes, is_latest FROM dbkeeper_backups;
SELECT dbkeeper_verify();
SQL
sqlite3 -header -column clinic.db <<'SQL'
.load ../../sqlite_ext/dbkeeper
SELECT dbkeeper_backup() AS "dbkeeper_backup()";
SELECT dbkeeper_backup('before-upgrade') AS "dbkeeper_backup('before-upgrade')";
SELECT name, bytes, compressed_bytes, is_latest FROM dbkeeper_backups;
SELECT dbkeeper_verify() AS "dbkeeper_verify()";
SQL

say "The backup directory, beside the database (files 0600, directory 0700)"
ls -la dbkeeper-backups

say "The standard tools accept the backups: zstd -t checks every frame"
zstd -t dbkeeper-backups/clinic.*Z.sqlite3.zst

say "zstd -d gives back a database that sqlite3 opens"
latest=$(readlink dbkeeper-backups/clinic.*-latest.sqlite3.zst)
zstd -q -d -c "dbkeeper-backups/$latest" > restored-by-hand.db
sqlite3 restored-by-hand.db "PRAGMA integrity_check; SELECT count(*) || ' patients, ' || (SELECT count(*) FROM visit) || ' visits' FROM patient;"

say "A flipped byte is caught"
bad=clinic-2000-01-01T00-00-00Z-damaged.sqlite3.zst
cp "dbkeeper-backups/$latest" "dbkeeper-backups/$bad"
printf 'X' | dd of="dbkeeper-backups/$bad" bs=1 seek=5000 conv=notrunc status=none
sqlite3 clinic.db ".load ../../sqlite_ext/dbkeeper" "SELECT dbkeeper_verify('$bad');" 2>&1 || true
rm "dbkeeper-backups/$bad"

say "A bad upgrade, then dbkeeper_restore() (a safety backup is taken first)"
sqlite3 clinic.db "DELETE FROM visit WHERE id % 2 = 0; DROP TABLE patient;"
sqlite3 clinic.db "SELECT 'after the bad upgrade: ' || count(*) || ' visits' FROM visit;"
sqlite3 clinic.db ".load ../../sqlite_ext/dbkeeper" "SELECT 'safety backup: ' || dbkeeper_restore('$latest');"
sqlite3 clinic.db "SELECT 'after the restore: ' || (SELECT count(*) FROM patient) || ' patients, ' || count(*) || ' visits' FROM visit;"

say "Done. Everything above ran in $DEMO"
