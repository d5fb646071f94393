-- The errors that say the same words on both engines (SQLite's side is
-- tests/sqlite/t_errors.sh), each with its SQLSTATE.  Where LOCATION points
-- is tested by tests/pg/t_oplog.sh, which can leave the line number out.
\set VERBOSITY terse
CREATE EXTENSION dbkeeper;

-- Every NULL argument that is not allowed: 22004 null_value_not_allowed.
SELECT dbkeeper_banner_set(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_maintenance_begin(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_maintenance_begin('Upgrade in progress', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_schema_register(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_schema_check(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_restore(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_codelist_new_draft(NULL, 'regress_author');
\echo :LAST_ERROR_SQLSTATE
-- and the refused calls changed nothing
SELECT dbkeeper_banner() IS NULL AS no_banner, dbkeeper_in_maintenance();

-- NULL where it means something is no error: no label, the latest backup.
SELECT dbkeeper_backup(NULL) LIKE 'contrib_regression-%.sql.zst' AS unlabelled;
SELECT dbkeeper_verify(NULL);

-- A schema that is not the one expected: 55000
-- object_not_in_prerequisite_state (the database is not in the state the
-- caller's next step needs), not 25000, which is about transactions.
SELECT length(dbkeeper_schema_register('regress-1.0')) AS registered;
CREATE TABLE regress_errors_new (id integer);
SELECT dbkeeper_schema_check('regress-1.0');
\echo :LAST_ERROR_SQLSTATE
SELECT dbkeeper_schema_check(repeat('0', 64));
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_errors_new;
SELECT length(dbkeeper_schema_check('regress-1.0')) AS matches_again;

-- A frame zstd cannot decompress (a flipped bit in its content checksum,
-- the last byte before the trailer frame): dbkeeper's words, zstd's in
-- DETAIL, and XX001 data_corrupted.
SELECT current_setting('dbkeeper.backup_dir') || '/' || name AS latest_path
  FROM dbkeeper_backups() WHERE is_latest \gset
COPY (WITH b AS (SELECT f, length(f) - substring(convert_from(substring(f FROM length(f) - 14), 'UTF8')
                                                 FROM 5 FOR 10)::integer - 1 AS at
                   FROM pg_read_binary_file(:'latest_path') f)
      SELECT translate(encode(set_byte(f, at, get_byte(f, at) # 1), 'base64'), E'\n', '') FROM b)
  TO PROGRAM 'base64 -d > /tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-zstd.sql.zst';
\set VERBOSITY default
SELECT dbkeeper_verify('contrib_regression-2000-01-01T00-00-00Z-zstd.sql.zst');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
COPY (SELECT 1) TO PROGRAM 'rm /tmp/dbkeeper-regress-backups/contrib_regression-2000-01-01T00-00-00Z-zstd.sql.zst';

SELECT dbkeeper_maintenance_end();
DROP EXTENSION dbkeeper;
