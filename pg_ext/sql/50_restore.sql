-- dbkeeper install script, part 50: restore in place (pg_ext/restore.c,
-- restore_clear.c, restore_replay.c).  Like dbkeeper_verify(), it reads a
-- server file and writes one (the safety backup): EXECUTE is revoked from
-- PUBLIC, and the C code requires a superuser or a member of both
-- pg_read_server_files and pg_write_server_files.  Not STRICT: a NULL name
-- means the latest backup, a NULL from_other_database is an error.

CREATE FUNCTION @extschema@.dbkeeper_restore(name text DEFAULT NULL,
                                             from_other_database boolean DEFAULT false)
    RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_restore'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_restore(text, boolean) IS
    'replaces the contents of this database with a backup (the latest when NULL), in the caller''s transaction, and returns the name of the safety backup taken first';

REVOKE ALL ON FUNCTION @extschema@.dbkeeper_restore(text, boolean) FROM PUBLIC;
