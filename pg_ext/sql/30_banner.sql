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
