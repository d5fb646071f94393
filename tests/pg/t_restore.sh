#!/usr/bin/env bash
# tests/pg/t_restore.sh — dbkeeper_restore() on a cluster of its own
# (tests/pg/run.sh has installed the extension and holds the install lock):
#
#   extension_own_objects  the constraints and triggers extensions made on
#       their own tables survive the in-place restores of the objects database
#   bad_upgrade_pagila, bad_upgrade_objects  backup; change the database the
#       ways a bad upgrade does; dbkeeper_restore(); the database equals a
#       copy made from the same backup with zstd -dc | psql (pg_dump
#       --schema-only, rows, sequence values)
#   fingerprint_*       the restored database has the fingerprint it had
#       when the backup was taken (issue 5)
#   safety_undo_*       restoring the safety backup gives back the state just
#       before the restore (materialized views refreshed before it: a
#       restore refreshes them, as pg_dump's scripts do)
#   no_system_noise     a plain database's backup names no system object
#   corrupt             a damaged backup is refused, nothing changes, no
#       safety backup is written
#   replay_fails        a backup whose GRANT names a dropped role: the error
#       names the backup, the line and the statement; nothing changes
#   bad_rows_*          backups whose checksums are right but one COPY row is
#       wrong (a column missing or extra, NULL in a NOT NULL column, a value
#       that is not a number, bytes invalid in UTF-8, a carriage return, an
#       end-of-copy marker inside a row; written by tests/pg/pack_backup.c):
#       the error names the backup, the statement, the row's line and the
#       column; nothing changes
#   refused_*           backups with a statement that cannot run inside the
#       restore's transaction (COMMIT, BEGIN, SAVEPOINT, COPY ... TO STDOUT):
#       refused, naming the line; nothing changes
#   other_database      refused without from_other_database, restored with it
#   rollback            BEGIN; restore; ROLLBACK leaves everything as it was
#   lock_timeout        a session holding a lock: the restore fails under
#       lock_timeout naming the table and the session, or waits for it
#       without one (tests/pg/t_busy.sh tests busy databases further)
#   not_owner           a role with the file privileges but not owning the
#       objects gets a permission error naming an object; nothing changes
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_restore
. tests/pg/lib.sh

objects_modules
start_cluster "$OBJECTS_CONF" "max_connections = 40"

backups_count() { find "$BACKUPS" -maxdepth 1 -type f -name '*.sql.zst' | wc -l; }

# bad_upgrade ID DB MUTATION_SQL: the round trip of issue 4, test 1, then
# the safety backup's undo (test 2)
bad_upgrade() {
  local id=$1 db=$2 mutation=$3 name safety fp_before fp_after
  fp_before=$(q -d "$db" -c "SELECT dbkeeper_fingerprint()")
  if ! name=$(q -d "$db" -c "SELECT dbkeeper_backup('before-upgrade')" 2>"$WORK/err"); then
    fail "bad_upgrade_$id" "backup failed: $(cat "$WORK/err")"; return
  fi
  if ! psql_restore "$BACKUPS/$name" "${db}_copy"; then
    fail "bad_upgrade_$id" "psql replay failed: $(grep -m3 ERROR "$WORK/restore-${db}_copy.log")"; return
  fi
  if ! q -q -d "$db" -c "$mutation" >"$WORK/mutate.log" 2>&1; then
    fail "bad_upgrade_$id" "the mutation failed: $(grep -m3 ERROR "$WORK/mutate.log")"; return
  fi
  dbsig "$db" >"$WORK/$db.mutated.sig"
  dbsig "${db}_copy" >"$WORK/$db.copy.sig"
  if cmp -s "$WORK/$db.mutated.sig" "$WORK/$db.copy.sig"; then
    fail "bad_upgrade_$id" "the mutation changed nothing"; return
  fi
  if ! safety=$(q -d "$db" -c "SELECT dbkeeper_restore('$name')" 2>"$WORK/err"); then
    fail "bad_upgrade_$id" "restore failed: $(cat "$WORK/err")"; return
  fi
  dbsig "$db" >"$WORK/$db.restored.sig"
  sig_diff "bad_upgrade_$id" "$WORK/$db.copy.sig" "$WORK/$db.restored.sig" &&
    pass "bad_upgrade_$id" "($(grep -c ' [0-9]* [0-9a-f]\{32\}$' "$WORK/$db.restored.sig") tables with rows)"
  # issue 5: a database restored by dbkeeper has the original fingerprint
  fp_after=$(q -d "$db" -c "SELECT dbkeeper_fingerprint()")
  if [ -n "$fp_before" ] && [ "$fp_before" = "$fp_after" ]; then
    pass "fingerprint_$id" "(${fp_before:0:16}...)"
  else
    fail "fingerprint_$id" "before the upgrade $fp_before, after the restore $fp_after"
  fi

  case $safety in
    "$db"-*-pre-restore.sql.zst) ;;
    *) fail "safety_undo_$id" "unexpected safety backup name: $safety"; return ;;
  esac
  if ! q -d "$db" -c "SELECT dbkeeper_restore('$safety')" >/dev/null 2>"$WORK/err"; then
    fail "safety_undo_$id" "restoring $safety failed: $(cat "$WORK/err")"; return
  fi
  dbsig "$db" >"$WORK/$db.undone.sig"
  sig_diff "safety_undo_$id" "$WORK/$db.mutated.sig" "$WORK/$db.undone.sig" && pass "safety_undo_$id" "($safety)"
  # Leave the database restored, for the tests below.
  q -d "$db" -c "SELECT dbkeeper_restore('$name')" >/dev/null 2>&1
}

# ---------------------------------------------------------------- bad upgrades
createdb pagila
if q -q -d pagila -f tests/fixtures/pagila/pagila-schema.sql >"$WORK/pagila.log" 2>&1 &&
   q -q -d pagila -f tests/pg/pagila_data.sql >>"$WORK/pagila.log" 2>&1 &&
   q -q -d pagila -c "CREATE EXTENSION dbkeeper" >>"$WORK/pagila.log" 2>&1; then
  bad_upgrade pagila pagila "
    INSERT INTO actor (first_name, last_name) VALUES ('NEW', 'ACTOR');
    UPDATE film SET rental_rate = rental_rate + 1 WHERE film_id % 3 = 0;
    DELETE FROM payment WHERE payment_id % 7 = 0;
    DELETE FROM film_actor WHERE actor_id < 20;
    ALTER TABLE customer ADD COLUMN loyalty integer DEFAULT 0;
    ALTER TABLE staff DROP COLUMN picture;
    ALTER TABLE film DROP COLUMN rating CASCADE;
    DROP TYPE mpaa_rating;
    CREATE TYPE mpaa_rating AS ENUM ('all', 'adults');
    DROP VIEW actor_info;
    CREATE VIEW upgrade_view AS SELECT 1 AS one;
    DROP FUNCTION last_day(timestamp with time zone);
    CREATE FUNCTION last_day(integer) RETURNS integer LANGUAGE sql AS 'SELECT 31';
    CREATE TABLE upgrade_log (id serial PRIMARY KEY, note text);
    INSERT INTO upgrade_log (note) VALUES ('v2');
    CREATE SCHEMA v2;
    CREATE TABLE v2.settings (k text PRIMARY KEY, v text);
    SELECT setval('actor_actor_id_seq', 99999);
    SELECT nextval('customer_customer_id_seq');
    COMMENT ON SCHEMA public IS 'upgraded';
    GRANT SELECT ON film TO PUBLIC;
    REFRESH MATERIALIZED VIEW rental_by_category;"
else
  fail bad_upgrade_pagila "could not load pagila: $(grep -m3 ERROR "$WORK/pagila.log")"
fi

createdb objects
if objects_tablespace && q -q -d objects -f tests/pg/backup_objects.sql >"$WORK/objects.log" 2>&1 &&
   q -q -d objects -c "CREATE EXTENSION dbkeeper" >>"$WORK/objects.log" 2>&1; then
  bad_upgrade objects objects "
    INSERT INTO public.items (id, name, price) VALUES (100001, 'new', 1);
    UPDATE public.orders SET qty = qty + 1 WHERE id % 3 = 0;
    DELETE FROM public.events WHERE id % 2 = 0;
    ALTER TABLE public.orders ADD COLUMN upgraded boolean;
    ALTER TABLE public.names DROP COLUMN m;
    DROP VIEW public.aa_top;
    DROP TYPE public.floatrange CASCADE;
    ALTER TYPE \"My Schema\".mood ADD VALUE 'grumpy';
    CREATE DOMAIN public.pos AS integer CHECK (VALUE > 0);
    CREATE TABLE public.upgrade_log (id serial PRIMARY KEY, at public.pos);
    DROP SCHEMA \"My Schema\" CASCADE;
    DROP EVENT TRIGGER note_ddl;
    SELECT setval('public.odd_seq', 999);
    SELECT lo_unlink(oid) FROM pg_largeobject_metadata;
    ALTER DEFAULT PRIVILEGES FOR ROLE regress_bk_owner REVOKE SELECT ON TABLES FROM regress_bk_reader;
    REFRESH MATERIALIZED VIEW public.item_totals;
    INSERT INTO public.dbk_test_ref VALUES (1002, 'added later');
    DELETE FROM public.dbk_test_ref WHERE id = 1000;
    DROP AGGREGATE public.my_count(*) CASCADE;
    CREATE OPERATOR FAMILY public.upgrade_family USING btree;
    DROP OPERATOR CLASS public.box_dist_ops USING gist CASCADE;
    DROP TABLE public.people;
    DROP TYPE public.label_text CASCADE;
    ALTER TABLE public.far_away SET TABLESPACE pg_default;
    SECURITY LABEL FOR dbk_test ON TABLE public.items IS 'changed';"
  # extension_own_objects: the constraints and triggers extensions made on
  # their own tables (a configuration table's primary key, dbkeeper's
  # triggers) are still there after the in-place restores above
  own="SELECT string_agg(x.extname || ' ' || o.kind || ' ' || o.name, ', ' ORDER BY x.extname, o.kind, o.name) FROM pg_extension x
         JOIN pg_depend e ON e.refclassid = 'pg_extension'::regclass AND e.refobjid = x.oid AND e.deptype = 'e'
           AND e.classid = 'pg_class'::regclass
         JOIN (SELECT 'constraint' AS kind, conname::text AS name, conrelid AS rel FROM pg_constraint
               UNION ALL SELECT 'trigger', tgname, tgrelid FROM pg_trigger WHERE NOT tgisinternal) o ON o.rel = e.objid
         WHERE x.extname IN ('dbkeeper', 'dbk_test_config')"
  createdb fresh_extensions
  q -q -d fresh_extensions -c "CREATE EXTENSION dbkeeper" -c "CREATE EXTENSION dbk_test_config"
  want=$(q -d fresh_extensions -c "$own")
  got=$(q -d objects -c "$own")
  if [ -n "$want" ] && [ "$got" = "$want" ]; then
    pass extension_own_objects "($(printf '%s' "$want" | tr ',' '\n' | grep -c .) constraints and triggers)"
  else
    fail extension_own_objects "after the restores: [$got], in a fresh database: [$want]"
  fi
else
  fail bad_upgrade_objects "could not load the object schema: $(grep -m3 ERROR "$WORK/objects.log")"
fi

# ---------------------------------------------------------------- failures leave everything unchanged
createdb app
q -q -d app -c "CREATE EXTENSION dbkeeper" \
  -c "CREATE TABLE account (id integer PRIMARY KEY, balance numeric NOT NULL)" \
  -c "INSERT INTO account SELECT g, g * 10 FROM generate_series(1, 5000) g" \
  -c "CREATE ROLE regress_gone" -c "GRANT SELECT ON account TO regress_gone"
granting=$(q -d app -c "SELECT dbkeeper_backup('grants-gone-role')")
q -q -d app -c "REVOKE ALL ON account FROM regress_gone" -c "DROP ROLE regress_gone" \
  -c "UPDATE account SET balance = balance + 1 WHERE id <= 100" -c "CREATE TABLE later (x integer)"
good=$(q -d app -c "SELECT dbkeeper_backup('good')")
# A backup says nothing about system objects nobody changed (information_schema
# never matches pg_init_privs, which initdb records before creating it).
if zstd -dc <"$BACKUPS/$good" | grep -q 'information_schema\|pg_catalog\.pg_'; then
  fail no_system_noise "the backup of a plain database names system objects: $(zstd -dc <"$BACKUPS/$good" | grep -m3 'information_schema\|pg_catalog\.pg_')"
else
  pass no_system_noise "($(zstd -dc <"$BACKUPS/$good" | grep -c ';$') statements)"
fi
q -q -d app -c "INSERT INTO later VALUES (1), (2)"
dbsig app >"$WORK/app.before.sig"

# corrupt: a copy of the good backup with one byte flipped in the middle
damaged=app-2001-01-01T00-00-00Z-damaged.sql.zst
install -m 600 -o postgres -g postgres "$BACKUPS/$good" "$BACKUPS/$damaged"
size=$(stat -c %s "$BACKUPS/$damaged")
printf '\x55' | dd of="$BACKUPS/$damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
before_files=$(backups_count)
if out=$(q -d app -c "SELECT dbkeeper_restore('$damaged')" 2>&1); then
  fail corrupt "a damaged backup was restored: $out"
else
  dbsig app >"$WORK/app.after.sig"
  if ! grep -q "backup \"$damaged\"" <<<"$out" || ! grep -qi 'checksum\|corrupt\|damaged' <<<"$out"; then
    fail corrupt "the error does not name the backup: $out"
  elif [ "$(backups_count)" != "$before_files" ]; then
    fail corrupt "a safety backup was written for a backup that does not verify"
  elif sig_diff corrupt "$WORK/app.before.sig" "$WORK/app.after.sig"; then
    pass corrupt "($(head -1 <<<"$out"))"
  fi
fi

# replay_fails: the GRANT to the dropped role fails part way through
if out=$(q -d app -c "SELECT dbkeeper_restore('$granting')" 2>&1); then
  fail replay_fails "the restore succeeded: $out"
else
  dbsig app >"$WORK/app.after.sig"
  if ! grep -q "restoring backup \"$granting\" failed at line [0-9]*: role \"regress_gone\" does not exist" <<<"$out"; then
    fail replay_fails "the error does not name backup, line and cause: $out"
  elif ! grep -q "^CONTEXT:  statement at line [0-9]* of backup \"$granting\": .*GRANT SELECT ON TABLE public.account TO regress_gone" <<<"$out"; then
    fail replay_fails "the error does not show the statement: $out"
  elif sig_diff replay_fails "$WORK/app.before.sig" "$WORK/app.after.sig"; then
    pass replay_fails "($(head -1 <<<"$out"))"
  fi
fi

# bad_rows_*: one row of the good backup's account data made wrong, repacked
# with every checksum right, so that only the replay can notice
if ! build_pack_backup; then
  fail bad_rows "pack_backup does not build"
fi
zstd -dc <"$BACKUPS/$good" >"$WORK/good.sql"
row_line=$(grep -n -P '^4242\t42420$' "$WORK/good.sql" | cut -d: -f1)
copy_line=$(grep -n '^COPY public.account ' "$WORK/good.sql" | cut -d: -f1)
# restore_repacked BAD AWK-ARGS...: good.sql changed by awk, repacked as
# backup BAD with every checksum right, then restored into app; out is what
# the restore printed; false when the restore failed, as it should
restore_repacked() {
  local bad=$1
  shift
  awk "$@" "$WORK/good.sql" | "$WORK/pack_backup" "$BACKUPS/$good" "$BACKUPS/$bad" &&
    chown postgres:postgres "$BACKUPS/$bad"
  out=$(q -d app -c "SELECT dbkeeper_restore('$bad')" 2>&1)
}
n=0
# id | the row, as printf reads it | the error expected
while IFS='|' read -r id row expected; do
  n=$((n + 1))
  bad=app-2001-01-01T00-00-0${n}Z-bad.sql.zst
  # shellcheck disable=SC2059
  if restore_repacked "$bad" -v at="$row_line" -v row="$(printf "$row")" 'NR == at { print row; next } { print }'; then
    fail "bad_rows_$id" "the restore succeeded: $out"
    continue
  fi
  dbsig app >"$WORK/app.after.sig"
  if ! grep -qF "restoring backup \"$bad\" failed at line $copy_line: $expected" <<<"$out"; then
    fail "bad_rows_$id" "the error does not name backup, statement line and cause: $out"
  elif ! grep -qF "COPY account, line $row_line of backup \"$bad\"" <<<"$out"; then
    fail "bad_rows_$id" "the error does not name the row's line $row_line: $out"
  elif sig_diff "bad_rows_$id" "$WORK/app.before.sig" "$WORK/app.after.sig"; then
    pass "bad_rows_$id" "($(head -1 <<<"$out" | sed 's/.*failed at line [0-9]*: //'))"
  fi
done <<'ROWS'
missing|4242|missing data for column "balance"
extra|4242\t42420\t7|extra data after last expected column
not_null|4242\t\\N|null value in column "balance" of relation "account" violates not-null constraint
not_a_number|4242\t42x420|invalid input syntax for type numeric: "42x420"
not_utf8|4242\t42\377420|invalid byte sequence for encoding "UTF8": 0xff
carriage_return|4242\t42\r420|literal carriage return found in COPY data
end_marker|4242\t42\\.420|end-of-copy marker "\." inside COPY data
ROWS

# refused_*: a statement that must not run inside the restore's transaction,
# put before the account table's COPY of the good backup and repacked: the
# restore refuses it, naming its line, and nothing changes
n=0
while IFS='|' read -r id statement; do
  n=$((n + 1))
  bad=app-2001-01-02T00-00-0${n}Z-refused.sql.zst
  if restore_repacked "$bad" -v at="$copy_line" -v stmt="$statement" 'NR == at { print stmt } { print }'; then
    fail "refused_$id" "the restore succeeded: $out"
    continue
  fi
  dbsig app >"$WORK/app.after.sig"
  if ! grep -qF "restoring backup \"$bad\" failed at line $copy_line: this statement cannot run inside dbkeeper_restore()" <<<"$out"; then
    fail "refused_$id" "the error does not name the backup, the line and the refusal: $out"
  elif sig_diff "refused_$id" "$WORK/app.before.sig" "$WORK/app.after.sig"; then
    pass "refused_$id" "($statement)"
  fi
done <<'STATEMENTS'
commit|COMMIT;
begin|BEGIN;
savepoint|SAVEPOINT s;
copy_out|COPY public.account TO STDOUT;
copy_out_query|COPY (SELECT 1) TO STDOUT;
STATEMENTS

# rollback: a successful restore inside a transaction that is rolled back
out=$(psql -X -At -v ON_ERROR_STOP=1 -d app -c "BEGIN" -c "SELECT dbkeeper_restore('$good')" \
        -c "SELECT count(*) FROM later" -c "ROLLBACK" 2>&1)
dbsig app >"$WORK/app.after.sig"
if [ "$(sed -n 3p <<<"$out")" != 0 ]; then
  fail rollback "inside the transaction the restore did not show: $out"
elif sig_diff rollback "$WORK/app.before.sig" "$WORK/app.after.sig"; then
  pass rollback
fi

# other_database: the pagila backup is not restored into app without consent
pagila_backup=$(q -d pagila -c "SELECT name FROM dbkeeper_backups() WHERE label = 'before-upgrade' AND database = 'pagila' LIMIT 1")
createdb elsewhere
q -q -d elsewhere -c "CREATE EXTENSION dbkeeper" -c "CREATE TABLE doomed (x integer)"
if out=$(q -d elsewhere -c "SELECT dbkeeper_restore('$pagila_backup')" 2>&1); then
  fail other_database "a backup of pagila was restored into elsewhere without from_other_database"
elif ! grep -q "backup \"$pagila_backup\" is of database \"pagila\", not \"elsewhere\"" <<<"$out"; then
  fail other_database "unexpected error: $out"
elif ! q -d elsewhere -c "SELECT dbkeeper_restore('$pagila_backup', from_other_database => true)" >/dev/null 2>"$WORK/err"; then
  fail other_database "with from_other_database: $(cat "$WORK/err")"
else
  dbsig elsewhere >"$WORK/elsewhere.sig"
  sig_diff other_database "$WORK/pagila.copy.sig" "$WORK/elsewhere.sig" && pass other_database
fi

# lock_timeout: another session holds a lock on account, idle in
# transaction until this test commits it
mkfifo "$WORK/holder.in"
psql -X -q -d app <"$WORK/holder.in" >"$WORK/holder.out" 2>&1 &
holder=$!
exec 7>"$WORK/holder.in"
echo "BEGIN; LOCK TABLE account IN ACCESS SHARE MODE;" >&7
for _ in $(seq 1 200); do
  [ "$(q -d app -c "SELECT count(*) FROM pg_locks WHERE relation = 'account'::regclass AND granted AND pid <> pg_backend_pid()")" != 0 ] && break
  sleep 0.05
done
out=$(psql -X -At -d app -c "SET lock_timeout = '300ms'" -c "SELECT dbkeeper_restore('$good')" 2>&1)
dbsig app >"$WORK/app.after.sig"
if ! grep -q 'dbkeeper_restore() could not lock relation "public.account" within 300 ms' <<<"$out" ||
   ! grep -q 'holds a conflicting lock: pid [0-9]* (user "postgres", application "[^"]*", idle in transaction for' <<<"$out"; then
  fail lock_timeout "unexpected: $out"
elif sig_diff lock_timeout "$WORK/app.before.sig" "$WORK/app.after.sig"; then
  # Without a timeout the restore waits for the holder, then succeeds.
  q -d app -c "SET dbkeeper.lock_wait_timeout = 0" -c "SELECT dbkeeper_restore('$good')" >/dev/null 2>"$WORK/err" &
  waiter=$!
  for _ in $(seq 1 400); do
    [ "$(q -d app -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                       AND strpos(query, 'dbkeeper_restore') > 0 AND pid <> pg_backend_pid()")" != 0 ] && break
    sleep 0.05
  done
  echo "COMMIT;" >&7
  if wait $waiter && [ "$(q -d app -c "SELECT count(*) FROM later")" = 0 ]; then
    pass lock_timeout "(timed out naming the table and the idle session; without a limit waited for it and restored)"
  else
    fail lock_timeout "the waiting restore failed: $(cat "$WORK/err")"
  fi
fi
exec 7>&-
wait $holder

# not_owner: file privileges alone do not allow dropping other roles' objects
q -q -d app -c "CREATE ROLE regress_restorer LOGIN IN ROLE pg_read_server_files, pg_write_server_files" \
  -c "GRANT EXECUTE ON FUNCTION dbkeeper_restore(text, boolean), dbkeeper_backup(text) TO regress_restorer" \
  -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO regress_restorer" \
  -c "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO regress_restorer"
dbsig app >"$WORK/app.before.sig"
if out=$(q -U regress_restorer -d app -c "SELECT dbkeeper_restore('$good')" 2>&1); then
  fail not_owner "a role owning nothing restored the database"
else
  dbsig app >"$WORK/app.after.sig"
  if ! grep -q 'permission denied to drop .*' <<<"$out"; then
    fail not_owner "unexpected error: $out"
  elif sig_diff not_owner "$WORK/app.before.sig" "$WORK/app.after.sig"; then
    pass not_owner "($(head -1 <<<"$out"))"
  fi
fi
