#!/usr/bin/env bash
# The fingerprint survives every dump and restore, and sees what a dump shows.
#
# For each schema — expressions PostgreSQL prints differently once parsed again
# (tests/pg/fingerprint_settle.sql), pagila, and tests/pg/backup_objects.sql —
# the original database, its pg_dump | psql restore, its dbkeeper backup
# replayed with psql, and the original after an in-place dbkeeper_restore()
# have one fingerprint.  Then single changes that pg_dump -s shows and that
# change behaviour move it: a disabled trigger, a replica-only trigger, a
# disabled rule, row-level security forced.
#
# Prints PASS/FAIL lines pg_fp_roundtrip/<id>.  The extension must already be
# installed (tests/pg/run.sh holds the install lock around this script).
set -u
SUITE=pg_fp_roundtrip
cd "$(dirname "$0")/../.." || exit 1
. tests/pg/lib.sh

# backup_objects.sql's last part needs the test modules and a tablespace
objects_modules
start_cluster "$OBJECTS_CONF"
objects_tablespace
install -d -o postgres -m 700 "$BACKUPS"

fp() { q -d "$1" -c "SELECT dbkeeper_fingerprint()"; }
describe() { q -d "$1" -c "SELECT kind || ' ' || name || ' ' || definition FROM dbkeeper_schema() ORDER BY 1"; }

# same ID WHAT DB_A DB_B: PASS when the two fingerprints agree, else the rows that differ
same() {
  local id=$1 what=$2 a b
  a=$(fp "$3"); b=$(fp "$4")
  if [ -n "$a" ] && [ "$a" = "$b" ]; then
    pass "$id" "$what"
  else
    fail "$id" "$what: $3 has $a, $4 has $b"
    diff <(describe "$3") <(describe "$4") | head -12 | sed 's/^/    /'
  fi
}

# round_trip NAME FILE: loads FILE into NAME and checks the four fingerprints
round_trip() {
  local name=$1 file=$2 backup
  createdb "$name" && q -d "$name" -c "CREATE EXTENSION dbkeeper" >/dev/null
  if ! q -q -d "$name" -f "$file" >"$WORK/load-$name.log" 2>&1; then
    fail "$name/load" "$file did not load: $(grep -m3 ERROR "$WORK/load-$name.log")"
    return
  fi
  createdb "${name}_dump" && q -d "${name}_dump" -c "CREATE EXTENSION dbkeeper" >/dev/null
  pg_dump -d "$name" | psql -X -q -d "${name}_dump" >"$WORK/dump-$name.log" 2>&1
  same "$name/pg-dump" "a pg_dump | psql restore keeps the fingerprint" "$name" "${name}_dump"

  backup=$(q -d "$name" -c "SELECT dbkeeper_backup()")
  if psql_restore "$BACKUPS/$backup" "${name}_psql"; then
    same "$name/backup-psql" "dbkeeper's backup replayed by psql keeps the fingerprint" "$name" "${name}_psql"
  else
    fail "$name/backup-psql" "the backup did not replay: $(grep -m3 ERROR "$WORK/restore-${name}_psql.log")"
  fi

  local before
  before=$(fp "$name")
  if q -d "$name" -c "SELECT dbkeeper_restore('$backup')" >/dev/null 2>"$WORK/restore-$name.err"; then
    if [ "$(fp "$name")" = "$before" ]; then
      pass "$name/restore-in-place" "an in-place dbkeeper_restore() keeps the fingerprint"
    else
      fail "$name/restore-in-place" "the fingerprint moved from $before to $(fp "$name")"
    fi
  else
    fail "$name/restore-in-place" "$(cat "$WORK/restore-$name.err")"
  fi
}

# The expression that started this: a varchar IN list prints differently in
# the original and in every restore; the description must already hold the
# restored form in the original.
createdb settle_fresh && q -d settle_fresh -c "CREATE EXTENSION dbkeeper" >/dev/null &&
  q -q -d settle_fresh -f tests/pg/fingerprint_settle.sql >/dev/null 2>&1
if ! q -d settle_fresh -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'enc_laterality_check'" |
    grep -q "ANY ((ARRAY\[NULL::character varying"; then
  fail settle/original "the original no longer prints the IN list in its first form; this test lost its object"
elif describe settle_fresh | grep -q "laterality)::text = ANY (ARRAY\[(NULL::character varying)::text"; then
  pass settle/form "the IN list is described in the form a restore prints"
else
  fail settle/form "the IN list is not in its restored form: $(describe settle_fresh | grep -m1 laterality)"
fi

round_trip settle tests/pg/fingerprint_settle.sql
round_trip pagila tests/fixtures/pagila/pagila-schema.sql
round_trip objects tests/pg/backup_objects.sql

# changes ID SQL: SQL (then its undoing, the rest of the arguments) moves the
# fingerprint of database settle, and undoing it brings the old one back
changes() {
  local id=$1 change=$2 undo=$3 before after back
  before=$(fp settle)
  q -d settle -c "$change" >/dev/null
  after=$(fp settle)
  q -d settle -c "$undo" >/dev/null
  back=$(fp settle)
  if [ "$after" != "$before" ] && [ "$back" = "$before" ]; then
    pass "$id" "($change) changes the fingerprint"
  else
    fail "$id" "($change): before $before, after $after, undone $back"
  fi
}
changes disable-trigger "ALTER TABLE enc DISABLE TRIGGER enc_audit" "ALTER TABLE enc ENABLE TRIGGER enc_audit"
changes replica-trigger "ALTER TABLE enc ENABLE REPLICA TRIGGER enc_audit" "ALTER TABLE enc ENABLE TRIGGER enc_audit"
changes always-trigger "ALTER TABLE enc ENABLE ALWAYS TRIGGER enc_audit" "ALTER TABLE enc ENABLE TRIGGER enc_audit"
changes disable-rule "ALTER TABLE enc DISABLE RULE enc_notify" "ALTER TABLE enc ENABLE RULE enc_notify"
changes force-rls "ALTER TABLE enc FORCE ROW LEVEL SECURITY" "ALTER TABLE enc NO FORCE ROW LEVEL SECURITY"
changes no-rls "ALTER TABLE enc DISABLE ROW LEVEL SECURITY" "ALTER TABLE enc ENABLE ROW LEVEL SECURITY"

# A disabled trigger survives the round trips too (pg_dump writes ALTER TABLE
# ... DISABLE TRIGGER), so its fingerprint still agrees after them.
q -d settle -c "ALTER TABLE enc DISABLE TRIGGER enc_audit" >/dev/null
createdb settle_disabled && q -d settle_disabled -c "CREATE EXTENSION dbkeeper" >/dev/null
pg_dump -d settle | psql -X -q -d settle_disabled >/dev/null 2>&1
same disabled-pg-dump "a disabled trigger restored by pg_dump | psql keeps the fingerprint" settle settle_disabled
