-- dbkeeper install script, part 00: the version.  Every object is created
-- schema-qualified in @extschema@ (by default the first schema on the
-- search_path, usually public), so that SELECT dbkeeper_backup() works as
-- written in the README.
\echo Use "CREATE EXTENSION dbkeeper" to load this file. \quit

CREATE FUNCTION @extschema@.dbkeeper_version() RETURNS text
    AS 'MODULE_PATHNAME', 'dbkeeper_version'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dbkeeper_version() IS 'version of the dbkeeper extension';
