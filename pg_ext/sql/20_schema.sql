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
