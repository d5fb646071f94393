#!/usr/bin/env bash
# tests/pg/t_versions.sh — major versions.  On every version: a backup whose
# header says a newer major version is refused by dbkeeper_restore before
# anything changes, with an error naming both; one that says an older
# version restores; a table owner holding every privilege is granted ALL
# (owner_privileges, owner_all, owner_listed).  Then what PostgreSQL 17 and
# 18 added that a backup must reproduce (pg_ext/compat.h).  On 17 and later: the MAINTAIN
# privilege and a collation of the builtin provider.  On 18: a named NOT
# NULL constraint, virtual and stored generated columns, a WITHOUT OVERLAPS
# primary key with a PERIOD foreign key, a NOT ENFORCED check; and NOT NULL
# constraints that are NOT VALID or NO INHERIT.
#
# Each database is backed up with dbkeeper_backup(), replayed with
# `zstd -dc | psql` into a new database and restored in place with
# dbkeeper_restore() after a change; both must equal the original (dbsig:
# pg_dump -s, rows, sequences).  Run by tests/pg/run.sh under the
# install lock; prints "PASS pg_versions/<id>" or "FAIL ...".
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_versions
. tests/pg/lib.sh

start_cluster

# round_trip ID DB: backup, psql replay and in-place restore of DB, compared
round_trip() {
  local id=$1 db=$2 name
  if ! name=$(q -d "$db" -c "SELECT dbkeeper_backup()" 2>"$WORK/err"); then
    fail "$id" "backup failed: $(cat "$WORK/err")"; return
  fi
  printf '%s\n' "$name" >"$WORK/$db.name"
  dbsig "$db" >"$WORK/$db.sig"
  if ! psql_restore "$BACKUPS/$name" "${db}_psql"; then
    fail "$id" "psql replay failed: $(grep -m3 ERROR "$WORK/restore-${db}_psql.log")"; return
  fi
  dbsig "${db}_psql" >"$WORK/$db.psql.sig"
  sig_diff "$id" "$WORK/$db.sig" "$WORK/$db.psql.sig" || return
  q -q -d "$db" -c "CREATE TABLE in_the_way (x int)"
  if ! q -d "$db" -c "SELECT dbkeeper_restore('$name')" >/dev/null 2>"$WORK/err"; then
    fail "$id" "dbkeeper_restore failed: $(cat "$WORK/err")"; return
  fi
  dbsig "$db" >"$WORK/$db.restored.sig"
  sig_diff "$id" "$WORK/$db.sig" "$WORK/$db.restored.sig" &&
    pass "$id" "(backup, psql replay and dbkeeper_restore agree: $(grep -c . "$WORK/$db.sig") lines of dbsig)"
}

# new_db DB SQL: a database with dbkeeper and SQL run in it
new_db() {
  createdb "$1" && q -q -d "$1" -c "CREATE EXTENSION dbkeeper" && q -q -d "$1" -c "$2"
}

# script_has ID DB PATTERN: round_trip's backup of DB holds PATTERN (written, not lost)
script_has() {
  local id=$1 db=$2 pattern=$3 file
  file=$BACKUPS/$(cat "$WORK/$db.name" 2>/dev/null)
  if [ -f "$file" ] && zstd -dc <"$file" | grep -q -- "$pattern"; then
    pass "$id" "(the script says: $(zstd -dc <"$file" | grep -m1 -o -- "$pattern"))"
  else
    fail "$id" "the backup of $db does not say $pattern"
  fi
}

# ---- every version: a backup of a newer major version is refused, an older one restores ----
# Both made from a backup of this server by tests/pg/pack_backup.c, which
# writes another server_version into the header with every checksum right.
if ! build_pack_backup; then
  fail newer_refused "pack_backup does not build"
else
  createdb xv && q -q -d xv -c "CREATE EXTENSION dbkeeper; CREATE TABLE kept (id int PRIMARY KEY);
                                INSERT INTO kept VALUES (1), (2)"
  good=$(q -d xv -c "SELECT dbkeeper_backup()")
  newer=xv-2001-01-01T00-00-00Z-newer.sql.zst older=xv-2001-01-01T00-00-00Z-older.sql.zst
  zstd -dc <"$BACKUPS/$good" | "$WORK/pack_backup" "$BACKUPS/$good" "$BACKUPS/$newer" \
    "server_version=$((PG_MAJOR + 1)).0 (a test)"
  zstd -dc <"$BACKUPS/$good" | "$WORK/pack_backup" "$BACKUPS/$good" "$BACKUPS/$older" \
    "server_version=$((PG_MAJOR - 1)).9 (a test)"
  chown postgres:postgres "$BACKUPS/$newer" "$BACKUPS/$older"
  q -q -d xv -c "INSERT INTO kept VALUES (3)"
  dbsig xv >"$WORK/xv.before.sig"
  files_before=$(ls -l "$BACKUPS")
  if q -d xv -c "SELECT dbkeeper_restore('$newer')" >/dev/null 2>"$WORK/err"; then
    fail newer_refused "a backup of PostgreSQL $((PG_MAJOR + 1)) was restored on $PG_MAJOR"
  elif ! grep -q "PostgreSQL $((PG_MAJOR + 1)), which is newer than this server's PostgreSQL $PG_MAJOR" "$WORK/err"; then
    fail newer_refused "the error does not name both versions: $(cat "$WORK/err")"
  elif [ "$(ls -l "$BACKUPS")" != "$files_before" ]; then
    fail newer_refused "the backup directory changed (a safety backup was taken?)"
  else
    dbsig xv >"$WORK/xv.after.sig"
    sig_diff newer_refused "$WORK/xv.before.sig" "$WORK/xv.after.sig" &&
      pass newer_refused "($(grep -m1 -o 'ERROR: .*' "$WORK/err"))"
  fi
  if ! q -d xv -c "SELECT dbkeeper_restore('$older')" >/dev/null 2>"$WORK/err"; then
    fail older_restores "a backup of PostgreSQL $((PG_MAJOR - 1)) was refused: $(cat "$WORK/err")"
  elif [ "$(q -d xv -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM kept")" != 1,2 ]; then
    fail older_restores "the restored table holds $(q -d xv -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM kept")"
  else
    pass older_restores "(a backup that says PostgreSQL $((PG_MAJOR - 1)) restores on $PG_MAJOR)"
  fi
fi

# ---- every version: a table owner with every privilege is granted ALL ----
# (a list of this version's privileges would take away what a newer one
# adds, such as 17's MAINTAIN, when the backup is restored there)
if new_db acl "
    CREATE TABLE full_owner (x int); GRANT SELECT ON full_owner TO PUBLIC;
    CREATE TABLE less_owner (x int); GRANT SELECT ON less_owner TO PUBLIC;
    REVOKE DELETE ON less_owner FROM CURRENT_USER;" 2>"$WORK/err"; then
  round_trip owner_privileges acl
  script_has owner_all acl 'GRANT ALL ON TABLE public.full_owner TO postgres'
  file=$BACKUPS/$(cat "$WORK/acl.name" 2>/dev/null)
  if [ -f "$file" ] && zstd -dc <"$file" | grep -q 'GRANT INSERT ON TABLE public.less_owner TO postgres' &&
     ! zstd -dc <"$file" | grep -q 'GRANT ALL ON TABLE public.less_owner'; then
    pass owner_listed "(an owner without DELETE is granted privilege by privilege)"
  else
    fail owner_listed "the backup does not list less_owner's privileges: $(zstd -dc <"$file" | grep less_owner | tr '\n' ' ')"
  fi
else
  fail owner_privileges "the tables did not load: $(cat "$WORK/err")"
fi

[ "$PG_MAJOR" -lt 17 ] && exit 0

# ---- 17: MAINTAIN, builtin collations ----
q -q -c "CREATE ROLE regress_maint"
if new_db v17 "
    CREATE TABLE kept (id int PRIMARY KEY, t text);
    INSERT INTO kept SELECT g, 'row ' || g FROM generate_series(1, 50) g;
    GRANT MAINTAIN ON kept TO regress_maint;
    GRANT SELECT, MAINTAIN ON kept TO PUBLIC;
    CREATE COLLATION c_builtin (provider = builtin, locale = 'C.UTF-8');
    CREATE TABLE collated (s text COLLATE c_builtin);
    INSERT INTO collated VALUES ('b'), ('a');" 2>"$WORK/err"; then
  round_trip pg17_objects v17
  script_has maintain v17 'GRANT MAINTAIN ON TABLE public.kept TO regress_maint'
  script_has builtin_collation v17 "provider = builtin, locale = 'C.UTF-8'"
else
  fail pg17_objects "the objects of 17 did not load: $(cat "$WORK/err")"
fi

[ "$PG_MAJOR" -lt 18 ] && exit 0

# ---- 18: NOT NULL constraints, virtual columns, temporal keys, NOT ENFORCED ----
if new_db v18 "
    CREATE EXTENSION btree_gist;
    CREATE TABLE nn (a int CONSTRAINT a_must_be_set NOT NULL, b int NOT NULL, c int);
    INSERT INTO nn VALUES (1, 2, NULL);
    CREATE TABLE gen (a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL,
                      s int GENERATED ALWAYS AS (a + 1) STORED);
    INSERT INTO gen (a) SELECT generate_series(1, 20);
    CREATE TABLE room (id int, during tstzrange, PRIMARY KEY (id, during WITHOUT OVERLAPS));
    CREATE TABLE booking (room int, during tstzrange,
                          FOREIGN KEY (room, PERIOD during) REFERENCES room (id, PERIOD during));
    INSERT INTO room VALUES (1, '[2026-01-01, 2026-02-01)');
    INSERT INTO booking VALUES (1, '[2026-01-05, 2026-01-07)');
    CREATE TABLE loose (x int CONSTRAINT x_positive CHECK (x > 0) NOT ENFORCED);
    INSERT INTO loose VALUES (-1);
    CREATE TABLE loose_ref (id int PRIMARY KEY);
    CREATE TABLE loose_fk (r int, FOREIGN KEY (r) REFERENCES loose_ref NOT ENFORCED);
    INSERT INTO loose_fk VALUES (7);" 2>"$WORK/err"; then
  round_trip pg18_objects v18
  script_has named_not_null v18 'CONSTRAINT a_must_be_set NOT NULL'
  script_has virtual_column v18 'GENERATED ALWAYS AS ((a \* 2)) VIRTUAL'
  script_has without_overlaps v18 'WITHOUT OVERLAPS'
  script_has period_fkey v18 'PERIOD during'
  script_has not_enforced v18 'NOT ENFORCED'
  script_has not_enforced_fkey v18 'REFERENCES public.loose_ref(id) NOT ENFORCED'
  got=$(q -d v18 -c "SELECT definition FROM dbkeeper_schema() WHERE kind = 'table' AND name = 'public.gen'")
  case $got in
    *"v integer generated always as ((a * 2)) virtual"*"s integer generated always as ((a + 1)) stored"*)
      pass fingerprint_virtual "(the description tells virtual from stored)" ;;
    *) fail fingerprint_virtual "public.gen is described as: $got" ;;
  esac
  # A temporal key, a PERIOD foreign key and a NOT ENFORCED foreign key are
  # described as such: without it, taking WITHOUT OVERLAPS, PERIOD or NOT
  # ENFORCED away would leave the fingerprint as it was.
  got=$(q -d v18 -c "SELECT string_agg(name || ': ' || definition, ' | ' ORDER BY name)
                       FROM dbkeeper_schema() WHERE kind = 'constraint'
                        AND split_part(name, '.', 2) IN ('room', 'booking', 'loose_fk')")
  if grep -qi 'room[^|]*without overlaps' <<<"$got" && grep -qi 'booking[^|]*period during' <<<"$got" &&
     grep -qi 'loose_fk[^|]*not enforced' <<<"$got"; then
    pass fingerprint_temporal "(WITHOUT OVERLAPS, PERIOD and NOT ENFORCED are in the description)"
  else
    fail fingerprint_temporal "the keys are described as: $got"
  fi
else
  fail pg18_objects "the objects of 18 did not load: $(cat "$WORK/err")"
fi

# The name of a NOT NULL constraint is not part of the fingerprint: 15 has none.
new_db fp_named "CREATE TABLE t (a int CONSTRAINT a_must_be_set NOT NULL)"
new_db fp_plain "CREATE TABLE t (a int NOT NULL)"
fp_named=$(q -d fp_named -c "SELECT dbkeeper_fingerprint()")
fp_plain=$(q -d fp_plain -c "SELECT dbkeeper_fingerprint()")
if [ -n "$fp_named" ] && [ "$fp_named" = "$fp_plain" ]; then
  pass fingerprint_not_null_name "(a named and an unnamed NOT NULL give one fingerprint, as on 15)"
else
  fail fingerprint_not_null_name "named $fp_named, unnamed $fp_plain"
fi

# ---- 18: NOT NULL constraints NOT VALID or NO INHERIT, as pg_dump 18 writes them ----
# NOT VALID: added after the rows it does not accept (on a table, on an
# inheritance parent whose children get theirs from it or hold a valid one,
# on a partitioned table), with its comment; NO INHERIT: in the column list;
# a child's NOT NULL its parent passes on is left to INHERITS.
if new_db v18nn "
    CREATE TABLE inv (x int, y int);
    INSERT INTO inv VALUES (NULL, 1), (2, 2);
    ALTER TABLE inv ADD CONSTRAINT x_set NOT NULL x NOT VALID;
    COMMENT ON CONSTRAINT x_set ON inv IS 'not yet';
    CREATE TABLE noinh (x int CONSTRAINT x_here NOT NULL NO INHERIT, y int NOT NULL);
    CREATE TABLE noinh_child () INHERITS (noinh);
    INSERT INTO noinh_child VALUES (NULL, 1);
    CREATE TABLE gp (a int);
    CREATE TABLE gc () INHERITS (gp);
    INSERT INTO gc VALUES (NULL);
    ALTER TABLE gp ADD CONSTRAINT gp_a_set NOT NULL a NOT VALID;
    CREATE TABLE gc_valid () INHERITS (gp);
    CREATE TABLE p2 (a int NOT NULL);
    CREATE TABLE c2 (a int) INHERITS (p2);
    COMMENT ON CONSTRAINT p2_a_not_null ON p2 IS 'valid, with a comment';
    CREATE TABLE pt (a int, b int) PARTITION BY RANGE (a);
    CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (1) TO (10);
    INSERT INTO pt VALUES (1, NULL);
    ALTER TABLE pt ADD CONSTRAINT pt_b_set NOT NULL b NOT VALID;" 2>"$WORK/err"; then
  round_trip not_null_18 v18nn
  script_has not_valid_not_null v18nn 'ADD CONSTRAINT x_set NOT NULL x NOT VALID'
  script_has no_inherit_not_null v18nn 'CONSTRAINT x_here NOT NULL NO INHERIT'
  file=$BACKUPS/$(cat "$WORK/v18nn.name" 2>/dev/null)
  copy=$(zstd -dc <"$file" 2>/dev/null | grep -n -m1 '^COPY public.inv ' | cut -d: -f1)
  added=$(zstd -dc <"$file" 2>/dev/null | grep -n -m1 'ADD CONSTRAINT x_set NOT NULL' | cut -d: -f1)
  if [ -n "$copy" ] && [ -n "$added" ] && [ "$added" -gt "$copy" ]; then
    pass not_valid_after_data "(the rows at line $copy, the NOT VALID NOT NULL at line $added)"
  else
    fail not_valid_after_data "COPY public.inv at line ${copy:-none}, the NOT VALID NOT NULL at line ${added:-none}"
  fi
else
  fail not_null_18 "the tables did not load: $(cat "$WORK/err")"
fi
