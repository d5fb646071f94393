-- dbkeeper install script, part 00: the version.  Every object is created
-- schema-qualified in @extschema@ (by default the first schema on the
-- search_path, usually public), so that SELECT dbkeeper_backup() works as
-- written in the README.
\echo Use "CREATE EXTENSION dbkeeper" to load this file. \quit

CREATE FUNCTION @extschema@.dbkeeper_version() RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_version'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_version() IS 'version of the dbkeeper extension';
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
                   fingerprint text, is_latest boolean)
    AS 'MODULE_PATHNAME', 'dbkeeper_backups'
    LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.dbkeeper_backups() IS
    'the PostgreSQL backups in the backup directory, newest first';

CREATE FUNCTION @extschema@.dbkeeper_verify(name text DEFAULT NULL) RETURNS boolean
    AS 'MODULE_PATHNAME', 'dbkeeper_verify'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_verify(text) IS
    'reads a whole backup (the latest of this database when NULL) and checks every checksum and its metadata';

CREATE FUNCTION @extschema@.dbkeeper_prune(keep integer DEFAULT NULL, label text DEFAULT NULL) RETURNS integer
    AS 'MODULE_PATHNAME', 'dbkeeper_prune'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_prune(integer, text) IS
    'deletes this database''s backups beyond the newest keep (the settings when NULL): unlabelled ones, or those with label (''*'': all); returns how many';

REVOKE ALL ON FUNCTION @extschema@.dbkeeper_backup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_backups() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_verify(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_prune(integer, text) FROM PUBLIC;
-- dbkeeper install script, part 20: schema fingerprints (README "Schema
-- fingerprint").  Computing and checking a fingerprint is for everyone: the
-- description comes from pg_catalog, which every role can read, so every
-- role gets the same answer.  Registering a version is for the DBA (the
-- function is SECURITY DEFINER; grant EXECUTE to let another role register).
-- The diff reads backup files on the server and is for the DBA too.

CREATE TABLE @extschema@.dbkeeper_schema_version (
    version text PRIMARY KEY,
    fingerprint text NOT NULL CHECK (fingerprint OPERATOR(pg_catalog.~) '^[0-9a-f]{64}$'),
    registered_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.dbkeeper_schema_version IS 'schema fingerprints of known versions (dbkeeper_schema_register)';
REVOKE ALL ON @extschema@.dbkeeper_schema_version FROM PUBLIC;
GRANT SELECT ON @extschema@.dbkeeper_schema_version TO PUBLIC;

CREATE FUNCTION @extschema@.dbkeeper_schema(OUT kind text, OUT name text, OUT definition text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'dbkeeper_schema'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_schema() IS 'canonical description of the database schema, one row per object';

CREATE FUNCTION @extschema@.dbkeeper_fingerprint() RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_fingerprint'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_fingerprint() IS 'SHA-256 of the canonical schema description';

CREATE FUNCTION @extschema@.dbkeeper_schema_register(version text) RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_schema_register'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.dbkeeper_schema_register(text) IS 'records the current fingerprint as the given schema version';
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_schema_register(text) FROM PUBLIC;

CREATE FUNCTION @extschema@.dbkeeper_schema_version() RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_schema_version'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_schema_version() IS 'the registered version whose fingerprint is the current one, or NULL';

CREATE FUNCTION @extschema@.dbkeeper_schema_check(expected text) RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_schema_check'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_schema_check(text) IS 'the fingerprint, or an error when the schema is not the expected version or fingerprint';

CREATE FUNCTION @extschema@.dbkeeper_schema_diff(backup text DEFAULT NULL,
        OUT change text, OUT kind text, OUT name text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'dbkeeper_schema_diff'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.dbkeeper_schema_diff(text) IS 'objects added, removed or changed since the schema recorded in a backup (latest when NULL)';
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_schema_diff(text) FROM PUBLIC;
-- dbkeeper install script, part 30: the logon banner and maintenance mode.
--
-- The state is one row of dbkeeper_banner_state, so that it is
-- transactional and survives a restart.  A maintenance is in progress
-- while maintenance_message is not NULL.  The login module
-- (dbkeeper_login, see README) reads the row at every login by its OID,
-- never through the search_path.  Everybody may read the banner: it is shown
-- to everybody who connects.  Changing it is for superusers and for roles a
-- superuser grants EXECUTE on the functions to; the functions that change it
-- are SECURITY DEFINER with a pinned search_path, so such a role needs no
-- privilege on the table itself.

-- No CHECK constraint, default or trigger: the login module opens this
-- table at every login, and each of those would cost catalog reads there.
-- The functions check messages; a unique index on a constant keeps one row.
CREATE TABLE @extschema@.dbkeeper_banner_state (
    banner text,
    maintenance_message text,
    maintenance_since timestamptz
);
CREATE UNIQUE INDEX dbkeeper_banner_state_one_row
    ON @extschema@.dbkeeper_banner_state ((true));
COMMENT ON TABLE @extschema@.dbkeeper_banner_state IS
    'dbkeeper logon banner and maintenance mode: one row; change it with the dbkeeper_banner_* and dbkeeper_maintenance_* functions';
INSERT INTO @extschema@.dbkeeper_banner_state VALUES (NULL, NULL, NULL);
REVOKE ALL ON TABLE @extschema@.dbkeeper_banner_state FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.dbkeeper_banner_state TO PUBLIC;

-- The message shown at login now: the maintenance message during
-- maintenance, otherwise the banner; NULL when there is none.
CREATE FUNCTION @extschema@.dbkeeper_banner() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT coalesce(s.maintenance_message, s.banner)
            FROM @extschema@.dbkeeper_banner_state s $$;
COMMENT ON FUNCTION @extschema@.dbkeeper_banner() IS
    'the message shown at login: the maintenance message during maintenance, else the banner, else NULL';

CREATE FUNCTION @extschema@.dbkeeper_in_maintenance() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT coalesce((SELECT s.maintenance_message IS NOT NULL
                             FROM @extschema@.dbkeeper_banner_state s), false) $$;
COMMENT ON FUNCTION @extschema@.dbkeeper_in_maintenance() IS
    'true while maintenance mode refuses ordinary logins';

-- C, because the message rules and their error texts live in the core.
CREATE FUNCTION @extschema@.dbkeeper_banner_set(message text) RETURNS void
    AS 'MODULE_PATHNAME', 'dbkeeper_banner_set'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.dbkeeper_banner_set(text) IS
    'sets the banner shown at every login (outside maintenance)';

-- C, like the others that write, for the hint of their read-only check.
CREATE FUNCTION @extschema@.dbkeeper_banner_clear() RETURNS void
    AS 'MODULE_PATHNAME', 'dbkeeper_banner_clear'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.dbkeeper_banner_clear() IS
    'removes the banner; a maintenance in progress keeps its message';

CREATE FUNCTION @extschema@.dbkeeper_maintenance_begin(message text,
                                                    terminate_sessions boolean DEFAULT false)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'dbkeeper_maintenance_begin'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.dbkeeper_maintenance_begin(text, boolean) IS
    'refuses ordinary logins with message; optionally terminates the other ordinary sessions of this database and returns how many';

CREATE FUNCTION @extschema@.dbkeeper_maintenance_end() RETURNS void
    AS 'MODULE_PATHNAME', 'dbkeeper_maintenance_end'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.dbkeeper_maintenance_end() IS
    'ends maintenance mode: ordinary logins are accepted again and see the banner, if any';

REVOKE ALL ON FUNCTION @extschema@.dbkeeper_banner_set(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_banner_clear() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_maintenance_begin(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.dbkeeper_maintenance_end() FROM PUBLIC;
-- dbkeeper install script, part 40: codelist draft regeneration (README "Codelists").
--
-- The four tables are extension configuration tables: pg_dump and dbkeeper's
-- own backups keep their rows.  They are readable and writable by their owner
-- and by the database's owner (pg_database_owner), who could pg_dump and
-- restore the database before dbkeeper was installed and still can, until
-- the DBA grants more; the functions run as the caller
-- (SECURITY INVOKER) and so need the caller to have those grants, and SELECT
-- on the edges and terms tables that a release names.  Nothing here touches a
-- file, so EXECUTE stays granted to PUBLIC.

CREATE TABLE @extschema@.dbkeeper_codelist_release (
    name text PRIMARY KEY,
    coding_system text NOT NULL,
    valid_from date NOT NULL,
    edges text NOT NULL,
    terms text NOT NULL
);
COMMENT ON TABLE @extschema@.dbkeeper_codelist_release IS
    'releases of coding systems: edges names a table (code, parent), terms one (code, term)';

CREATE TABLE @extschema@.dbkeeper_codelist_version (
    id text PRIMARY KEY,
    codelist text NOT NULL,
    release text NOT NULL,
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'under review', 'published')),
    author text,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- No foreign key to this table's own id: pg_dump warns about every table
    -- with a circular foreign key.  The trigger below sets it NULL when the
    -- version it names is deleted.
    derived_from text
);
COMMENT ON TABLE @extschema@.dbkeeper_codelist_version IS
    'versions of codelists, each against one release; drafts record what they were derived from';

-- No foreign key on version here nor in dbkeeper_codelist_search: checking
-- one per inserted row costs a third of a draft of 20,000 codes.  A trigger on
-- dbkeeper_codelist_version deletes a version's codes and searches with it.
CREATE TABLE @extschema@.dbkeeper_codelist_code (
    version text NOT NULL,
    code text NOT NULL,
    status text NOT NULL CHECK (status IN ('+', '(+)', '-', '(-)', '?', '!')),
    PRIMARY KEY (version, code)
);
COMMENT ON TABLE @extschema@.dbkeeper_codelist_code IS
    'the codes of a version: + and - are explicit rules, (+) (-) ? ! follow from them';

CREATE TABLE @extschema@.dbkeeper_codelist_search (
    version text NOT NULL,
    term text,
    code text,
    CHECK ((term IS NULL) <> (code IS NULL))
);
CREATE INDEX dbkeeper_codelist_search_version ON @extschema@.dbkeeper_codelist_search (version);
COMMENT ON TABLE @extschema@.dbkeeper_codelist_search IS
    'the searches of a version, re-run against a new release: a term or a code';

CREATE FUNCTION @extschema@.dbkeeper_codelist_version_deleted() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM @extschema@.dbkeeper_codelist_code c USING deleted d WHERE c.version OPERATOR(pg_catalog.=) d.id;
    DELETE FROM @extschema@.dbkeeper_codelist_search s USING deleted d WHERE s.version OPERATOR(pg_catalog.=) d.id;
    UPDATE @extschema@.dbkeeper_codelist_version v SET derived_from = NULL
      FROM deleted d WHERE v.derived_from OPERATOR(pg_catalog.=) d.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.dbkeeper_codelist_version_deleted() IS
    'trigger: a deleted codelist version takes its codes and searches with it, and versions derived from it forget it';
CREATE TRIGGER dbkeeper_codelist_version_deleted
    AFTER DELETE ON @extschema@.dbkeeper_codelist_version
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.dbkeeper_codelist_version_deleted();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dbkeeper_codelist_release', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dbkeeper_codelist_version', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dbkeeper_codelist_code', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dbkeeper_codelist_search', '');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
    ON @extschema@.dbkeeper_codelist_release, @extschema@.dbkeeper_codelist_version,
       @extschema@.dbkeeper_codelist_code, @extschema@.dbkeeper_codelist_search
    TO pg_database_owner;

-- On SQLite this creates the tables; here the extension did, so it reports 0.
CREATE FUNCTION @extschema@.dbkeeper_codelist_init() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT 0';
COMMENT ON FUNCTION @extschema@.dbkeeper_codelist_init() IS
    'number of codelist tables created: always 0 on PostgreSQL, where the extension owns them';

CREATE FUNCTION @extschema@.dbkeeper_codelist_status(version text)
    RETURNS TABLE (code text, status text)
    AS 'MODULE_PATHNAME', 'dbkeeper_codelist_status'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_codelist_status(text) IS
    'the statuses of a version''s codes, recomputed from its explicit + and - codes over its release';

CREATE FUNCTION @extschema@.dbkeeper_codelist_new_draft(version text, author text, release text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_codelist_new_draft'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.dbkeeper_codelist_new_draft(text, text, text) IS
    'a new draft of a codelist version against a release (default: the newest of its coding system); returns its id';

CREATE FUNCTION @extschema@.dbkeeper_codelist_changes(draft text)
    RETURNS TABLE (code text, status text, previous_status text, change text)
    AS 'MODULE_PATHNAME', 'dbkeeper_codelist_changes'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.dbkeeper_codelist_changes(text) IS
    'what is new, changed, removed or still undecided in a draft against the version it was derived from';
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
