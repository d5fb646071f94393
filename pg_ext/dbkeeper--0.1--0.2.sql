-- dbkeeper upgrade script from release 0.1 to 0.2: ALTER EXTENSION dbkeeper
-- UPDATE TO '0.2' runs it on a database where 0.1 is installed.
--
-- How to extend it: every change made to pg_ext/sql/*.sql after 0.1 (the
-- frozen release is pg_ext/dbkeeper--0.1.sql) needs its statement here too,
-- in the same order, schema-qualified with @extschema@ as in the parts:
--   - a new function, table or view: the same CREATE (and its COMMENT, REVOKE
--     and GRANT lines) as in the part file;
--   - a changed function body or volatility: CREATE OR REPLACE FUNCTION;
--   - a changed return type or argument list (dbkeeper_backups() gaining a
--     column): DROP FUNCTION @extschema@.name(old argument types); then the
--     new CREATE FUNCTION with its privileges, because CREATE OR REPLACE
--     cannot change a function's result columns;
--   - a new column of a table: ALTER TABLE @extschema@.t ADD COLUMN ...;
--   - a new extension configuration table: SELECT pg_catalog.pg_extension_config_dump(...).
-- tests/pg/t_upgrade.sh checks that 0.1 upgraded with this script equals a
-- fresh 0.2 installation (every member's definition, privileges and
-- comment); it fails until a change to the parts is repeated here.
\echo Use "ALTER EXTENSION dbkeeper UPDATE TO '0.2'" to load this file. \quit

-- dbkeeper_backups() lists each backup's rows and duration (new result
-- columns, so the function is made again; a GRANT EXECUTE made on it must be
-- made again too).
DROP FUNCTION @extschema@.dbkeeper_backups();
CREATE FUNCTION @extschema@.dbkeeper_backups()
    RETURNS TABLE (name text, created_at timestamptz, database text, label text,
                   bytes bigint, compressed_bytes bigint, sha256 text,
                   fingerprint text, is_latest boolean, rows bigint,
                   duration interval)
    AS 'MODULE_PATHNAME', 'dbkeeper_backups'
    LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.dbkeeper_backups() IS
    'the PostgreSQL backups in the backup directory, newest first';
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_backups() FROM PUBLIC;

-- dbkeeper_verify() refuses another database's backup unless
-- from_other_database (a new argument, so the function is made again; a
-- GRANT EXECUTE made on it must be made again too).
DROP FUNCTION @extschema@.dbkeeper_verify(text);
CREATE FUNCTION @extschema@.dbkeeper_verify(name text DEFAULT NULL,
                                            from_other_database boolean DEFAULT false) RETURNS boolean
    AS 'MODULE_PATHNAME', 'dbkeeper_verify'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_verify(text, boolean) IS
    'reads a whole backup (the latest of this database when NULL) and checks every checksum and its metadata; another database''s backup only with from_other_database';
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_verify(text, boolean) FROM PUBLIC;

-- The codelist tables are readable by every role, so that every role that
-- could pg_dump the database before dbkeeper was installed still can.
GRANT SELECT
    ON @extschema@.dbkeeper_codelist_release, @extschema@.dbkeeper_codelist_version,
       @extschema@.dbkeeper_codelist_code, @extschema@.dbkeeper_codelist_search
    TO PUBLIC;
