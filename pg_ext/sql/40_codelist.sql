-- dbkeeper install script, part 40: codelist draft regeneration (README "Codelists").
--
-- The four tables are extension configuration tables: pg_dump and dbkeeper's
-- own backups keep their rows, so whoever runs pg_dump must be able to read
-- them.  They are readable by every role (codelists are lists of codes of a
-- coding system, not patients' data), so every role that could pg_dump the
-- database before dbkeeper was installed still can.  They are writable by
-- their owner and by the database's owner (pg_database_owner), who could
-- restore the database before and still can, until the DBA grants more.  The
-- functions run as the caller (SECURITY INVOKER) and so need the caller to
-- have those grants, and SELECT on the edges and terms tables that a release
-- names.  Nothing here touches a
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
GRANT SELECT
    ON @extschema@.dbkeeper_codelist_release, @extschema@.dbkeeper_codelist_version,
       @extschema@.dbkeeper_codelist_code, @extschema@.dbkeeper_codelist_search
    TO PUBLIC;

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
