-- dbkeeper install script, part 10: online logical backups (pg_ext/backup.c,
-- backups.c, verify.c, prune.c).  These functions read or write files on the
-- server, so EXECUTE is revoked from PUBLIC; on top of that the C code
-- requires a superuser or a member of pg_write_server_files (backup, prune,
-- listing) and also of pg_read_server_files (verify), as COPY to or from a
-- file does.  A superuser may GRANT EXECUTE to such a member.

CREATE FUNCTION @extschema@.dbkeeper_backup(label text DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_backup'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_backup(text) IS
    'writes a consistent, compressed, checksummed backup of the current database and returns its file name';

CREATE FUNCTION @extschema@.dbkeeper_backups()
    RETURNS TABLE (name text, created_at timestamptz, database text, label text,
                   bytes bigint, compressed_bytes bigint, sha256 text,
                   fingerprint text, is_latest boolean, rows bigint,
                   duration interval)
    AS 'MODULE_PATHNAME', 'dbkeeper_backups'
    LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.dbkeeper_backups() IS
    'the PostgreSQL backups in the backup directory, newest first';

CREATE FUNCTION @extschema@.dbkeeper_verify(name text DEFAULT NULL,
                                            from_other_database boolean DEFAULT false) RETURNS boolean
    AS 'MODULE_PATHNAME', 'dbkeeper_verify'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_verify(text, boolean) IS
    'reads a whole backup (the latest of this database when NULL) and checks every checksum and its metadata; another database''s backup only with from_other_database';

CREATE FUNCTION @extschema@.dbkeeper_prune(keep integer DEFAULT NULL, label text DEFAULT NULL) RETURNS integer
    AS 'MODULE_PATHNAME', 'dbkeeper_prune'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_prune(integer, text) IS
    'deletes this database''s backups beyond the newest keep (the settings when NULL): unlabelled ones, or those with label (''*'': all); returns how many';

REVOKE ALL ON FUNCTION @extschema@.dbkeeper_backup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_backups() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_verify(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_prune(integer, text) FROM PUBLIC;
