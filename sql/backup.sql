-- dbkeeper_backup, dbkeeper_backups, dbkeeper_verify, dbkeeper_prune:
-- behaviour, settings, argument errors, damaged files, privileges.
-- sql/setup.sql points dbkeeper.backup_dir at a fresh, empty
-- /tmp/dbkeeper-regress-backups for this cluster.
\set VERBOSITY terse
CREATE EXTENSION dbkeeper;

-- settings
SHOW dbkeeper.keep_backups;
SHOW dbkeeper.compression_level;
SET dbkeeper.backup_dir = 'relative/dir';
SET dbkeeper.compression_level = 0;
SET dbkeeper.keep_backups = -1;

-- nothing there yet
SELECT count(*) FROM dbkeeper_backups();
SELECT dbkeeper_verify();

CREATE TABLE regress_bk_data (id integer PRIMARY KEY, v text);
INSERT INTO regress_bk_data SELECT g, E'row\t' || g FROM generate_series(1, 1000) g;

-- backups, with and without labels
SELECT dbkeeper_backup() ~ '^contrib_regression-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?\.sql\.zst$' AS plain_name;
SELECT dbkeeper_backup('before-upgrade') ~ '^contrib_regression-.*Z(-\d+)?-before-upgrade\.sql\.zst$' AS labelled_name;
SELECT dbkeeper_backup(NULL) IS NOT NULL AS null_label_is_no_label;
SELECT dbkeeper_backup('');
SELECT dbkeeper_backup('no/slash');
SELECT dbkeeper_backup(repeat('x', 65));
BEGIN;
INSERT INTO regress_bk_data VALUES (0, 'uncommitted');
SELECT dbkeeper_backup();
ROLLBACK;

-- the listing: newest first, one latest, sizes and checksums filled in
SELECT count(*) AS backups, count(*) FILTER (WHERE is_latest) AS latest,
       bool_and(database = 'contrib_regression') AS database_ok,
       bool_and(bytes > compressed_bytes AND compressed_bytes > 0) AS sizes_ok,
       bool_and(sha256 ~ '^[0-9a-f]{64}$') AS sha_ok,
       bool_and(duration >= '0' AND duration < '1 minute') AS duration_ok,
       bool_and(rows >= 0) AS rows_ok
  FROM dbkeeper_backups();
SELECT label FROM dbkeeper_backups() ORDER BY created_at;
SELECT bool_and(is_latest = (rn = 1)) AS newest_is_latest,
       bool_and(created_at >= coalesce(next_created, created_at)) AS newest_first
  FROM (SELECT is_latest, created_at, row_number() OVER () AS rn,
               lead(created_at) OVER () AS next_created FROM dbkeeper_backups()) b;

-- verification
SELECT dbkeeper_verify();
SELECT bool_and(dbkeeper_verify(name)) AS all_verify FROM dbkeeper_backups();
SELECT dbkeeper_verify('../etc/passwd');
SELECT dbkeeper_verify('a/b.sql.zst');
SELECT dbkeeper_verify('');
SELECT dbkeeper_verify('notes.txt');
SELECT dbkeeper_verify('contrib_regression-2000-01-01T00-00-00Z.sql.zst');

-- the trailer counts the rows: in all (rows) and per table (table_rows, one
-- "<rows> <table>" line each, newlines escaped as \n in the trailer text)
SELECT current_setting('dbkeeper.backup_dir') || '/' || name AS latest_path
  FROM dbkeeper_backups() WHERE is_latest \gset
WITH f AS (SELECT pg_read_binary_file(:'latest_path') AS f),
     t AS (SELECT convert_from(substring(f FROM length(f) + 9
                  - substring(convert_from(substring(f FROM length(f) - 14), 'UTF8') FROM 5 FOR 10)::integer),
                  'UTF8') AS trailer FROM f)
SELECT substring(trailer FROM E'\nrows=([0-9]+)\n') AS rows,
       regexp_split_to_table(substring(trailer FROM E'\ntable_rows=([^\n]*)\n'), '\\n') AS table_rows
  FROM t;
SELECT rows AS listed_rows FROM dbkeeper_backups() WHERE is_latest;

-- damaged copies of the latest backup: a flipped byte in the middle,
-- the last 100 bytes cut off, and a file that is no backup at all
SELECT current_setting('dbkeeper.backup_dir') || '/' || name AS latest_path
  FROM dbkeeper_backups() WHERE is_latest \gset
COPY (SELECT translate(encode(set_byte(f, length(f) / 2, get_byte(f, length(f) / 2) # 1), 'base64'), E'\n', '')
        FROM pg_read_binary_file(:'latest_path') f)
  TO PROGRAM 'base64 -d > /tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-flipped.sql.zst';
COPY (SELECT translate(encode(substring(f FROM 1 FOR length(f) - 100), 'base64'), E'\n', '')
        FROM pg_read_binary_file(:'latest_path') f)
  TO PROGRAM 'base64 -d > /tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-cut.sql.zst';
COPY (SELECT 'not a backup') TO '/tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-junk.sql.zst';
-- (which check catches a flipped byte depends on where it lands: show the SQLSTATE)
DO $$ BEGIN
    PERFORM dbkeeper_verify('contrib_regression-2000-01-01T00-00-00Z-flipped.sql.zst');
EXCEPTION WHEN data_corrupted THEN
    RAISE NOTICE 'flipped byte: data_corrupted';
END $$;
SELECT dbkeeper_verify('contrib_regression-2000-01-01T00-00-00Z-cut.sql.zst');
SELECT dbkeeper_verify('contrib_regression-2000-01-01T00-00-00Z-junk.sql.zst');
-- the damaged files are not listed as good backups: the junk one not at
-- all, the others without a trailer checksum where it is missing
SELECT name, sha256 IS NOT NULL AS has_sha FROM dbkeeper_backups()
 WHERE name LIKE '%2000-01-01%' ORDER BY name;
COPY (SELECT 1) TO PROGRAM 'rm /tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-*';

-- retention
SELECT dbkeeper_prune(0);
SELECT dbkeeper_prune(2) AS deleted;
SELECT count(*) AS left_after_prune FROM dbkeeper_backups();
SET dbkeeper.keep_backups = 0;
SELECT dbkeeper_prune() AS deleted_with_retention_off;
SET dbkeeper.keep_backups = 2;
SELECT dbkeeper_backup() IS NOT NULL AS backup_with_retention;
SELECT count(*) AS kept_by_retention FROM dbkeeper_backups();
RESET dbkeeper.keep_backups;

-- kinds a backup once refused are backed up now (tests/pg/backup_objects.sql
-- holds every one of them, round-tripped)
CREATE TYPE regress_bk_row AS (a integer, b text);
CREATE TABLE regress_bk_typed OF regress_bk_row;
CREATE CONVERSION regress_bk_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
SELECT dbkeeper_backup('kinds') IS NOT NULL AS backed_up;
DROP TABLE regress_bk_typed;
DROP TYPE regress_bk_row;
DROP CONVERSION regress_bk_conv;
-- prune(2) reaches unlabelled backups only: the two of them, before-upgrade
-- and kinds stay
SELECT dbkeeper_prune(2) >= 0 AS pruned_to_two;
SELECT count(*) AS still_kept FROM dbkeeper_backups();

-- privileges: EXECUTE is revoked from PUBLIC; a GRANT EXECUTE alone is not
-- enough, the role must also hold pg_write_server_files (and
-- pg_read_server_files to verify), like COPY to a file
CREATE ROLE regress_bk_nobody;
CREATE ROLE regress_bk_writer IN ROLE pg_write_server_files;
GRANT EXECUTE ON FUNCTION dbkeeper_backup(text), dbkeeper_verify(text, boolean), dbkeeper_backups(),
    dbkeeper_prune(integer, text) TO regress_bk_nobody, regress_bk_writer;
-- The codelist tables are extension configuration tables: their rows are in
-- every backup, so whoever backs up must be able to read them.
GRANT SELECT ON dbkeeper_codelist_release, dbkeeper_codelist_version, dbkeeper_codelist_code,
    dbkeeper_codelist_search TO regress_bk_writer;
CREATE FUNCTION pg_temp.sqlstate_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SET ROLE regress_bk_nobody;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_prune(1)');
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_verify()');
SELECT pg_temp.sqlstate_of('SELECT count(*) FROM dbkeeper_backups()');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION dbkeeper_backup(text) FROM regress_bk_nobody;
SET ROLE regress_bk_nobody;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
RESET ROLE;
-- a writer who cannot read a table gets an error naming it, not a backup without it
SET ROLE regress_bk_writer;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_verify()');
RESET ROLE;
GRANT SELECT ON regress_bk_data TO regress_bk_writer;
SET ROLE regress_bk_writer;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
RESET ROLE;
-- nor one without the value of a sequence it cannot read
CREATE SEQUENCE regress_bk_seq;
SET ROLE regress_bk_writer;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
RESET ROLE;
DROP SEQUENCE regress_bk_seq;
-- nor a backup that row-level security silently thinned
ALTER TABLE regress_bk_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_bk_some ON regress_bk_data USING (id < 10);
SET ROLE regress_bk_writer;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_backup()');
RESET ROLE;
ALTER TABLE regress_bk_data DISABLE ROW LEVEL SECURITY;
GRANT pg_read_server_files TO regress_bk_writer;
SET ROLE regress_bk_writer;
SELECT pg_temp.sqlstate_of('SELECT dbkeeper_verify()');
RESET ROLE;

-- the backup directory is a superuser setting
SET ROLE regress_bk_writer;
SET dbkeeper.backup_dir = '/tmp';
RESET ROLE;

DROP TABLE regress_bk_data;
DROP OWNED BY regress_bk_nobody, regress_bk_writer;
DROP ROLE regress_bk_nobody, regress_bk_writer;
DROP EXTENSION dbkeeper;
