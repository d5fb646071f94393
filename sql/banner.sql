-- Logon banner and maintenance mode: the functions, their rules and their
-- privileges.  Logins themselves are tested in tests/pg/t_banner.sh.
\set VERBOSITY terse
CREATE EXTENSION dbkeeper;

-- Nothing at first.
SELECT dbkeeper_banner() IS NULL AS no_banner, dbkeeper_in_maintenance();

-- Blank, empty, NULL and oversized messages are refused, on both setters.
SELECT dbkeeper_banner_set('');
SELECT dbkeeper_banner_set(E' \t\n ');
SELECT dbkeeper_banner_set(NULL);
SELECT dbkeeper_banner_set(repeat('x', 4001));
SELECT dbkeeper_maintenance_begin(NULL);
SELECT dbkeeper_maintenance_begin('   ');
SELECT dbkeeper_maintenance_begin(repeat('é', 2001));
SELECT dbkeeper_banner() IS NULL AS still_no_banner, dbkeeper_in_maintenance();

-- A long, non-ASCII banner is kept exactly.
SELECT dbkeeper_banner_set(repeat('Mise à jour v21 → v22 ', 150));
SELECT octet_length(dbkeeper_banner()) AS bytes,
       dbkeeper_banner() = repeat('Mise à jour v21 → v22 ', 150) AS exact;
SELECT dbkeeper_banner_set('Server moves to the new rack on Friday');
SELECT dbkeeper_banner();

-- Maintenance shows its own message; the banner comes back at the end.
SELECT dbkeeper_maintenance_begin('Upgrade v21 → v22 in progress, back at 02:00');
SELECT dbkeeper_in_maintenance(), dbkeeper_banner();
SELECT maintenance_since IS NOT NULL AS since_recorded FROM dbkeeper_banner_state;
-- Changing the banner during maintenance does not change what logins see.
SELECT dbkeeper_banner_set('Welcome back');
SELECT dbkeeper_banner();
-- A second begin replaces the message (by name, without terminating).
SELECT dbkeeper_maintenance_begin(message => 'Still upgrading, back at 03:00',
                                  terminate_sessions => false);
SELECT dbkeeper_banner();
SELECT dbkeeper_maintenance_end();
SELECT dbkeeper_in_maintenance(), dbkeeper_banner();
SELECT dbkeeper_maintenance_end();  -- ending twice is harmless
SELECT dbkeeper_banner_clear();
SELECT dbkeeper_banner() IS NULL AS cleared;

-- The table keeps one row; a row deleted by hand comes back.
INSERT INTO dbkeeper_banner_state VALUES (NULL, NULL, NULL);
DELETE FROM dbkeeper_banner_state;
SELECT dbkeeper_banner() IS NULL AS no_row_no_banner, dbkeeper_in_maintenance();
SELECT dbkeeper_banner_set('back');
SELECT count(*) AS rows, dbkeeper_banner() FROM dbkeeper_banner_state;
SELECT dbkeeper_banner_clear();

-- The state is transactional.
BEGIN;
SELECT dbkeeper_maintenance_begin('rolled back');
ROLLBACK;
SELECT dbkeeper_in_maintenance();

-- Privileges: everybody reads, only superusers and grantees change.
CREATE ROLE regress_banner_user;
CREATE ROLE regress_banner_dba;
GRANT EXECUTE ON FUNCTION dbkeeper_banner_set(text), dbkeeper_banner_clear(),
      dbkeeper_maintenance_begin(text, boolean), dbkeeper_maintenance_end()
   TO regress_banner_dba;
SET ROLE regress_banner_user;
SELECT dbkeeper_banner() IS NULL AS reads, dbkeeper_in_maintenance();
SELECT dbkeeper_banner_set('mine');
SELECT dbkeeper_banner_clear();
SELECT dbkeeper_maintenance_begin('mine');
SELECT dbkeeper_maintenance_end();
UPDATE dbkeeper_banner_state SET banner = 'mine';
SET dbkeeper.maintenance_roles = 'regress_banner_user';
RESET ROLE;
SET ROLE regress_banner_dba;
SELECT dbkeeper_banner_set('set by the DBA role');
SELECT dbkeeper_maintenance_begin('maintenance by the DBA role');
SELECT dbkeeper_maintenance_end();
SELECT dbkeeper_banner_clear();
UPDATE dbkeeper_banner_state SET banner = 'direct';
RESET ROLE;
SELECT dbkeeper_banner() IS NULL AS cleared_by_dba;

-- dbkeeper.maintenance_roles is a list of role names.
SET dbkeeper.maintenance_roles = 'regress_banner_dba, "Some Role"';
SHOW dbkeeper.maintenance_roles;
SET dbkeeper.maintenance_roles = '"unterminated';
RESET dbkeeper.maintenance_roles;

-- search_path cannot redirect the functions to another table.
CREATE SCHEMA regress_evil;
CREATE TABLE regress_evil.dbkeeper_banner_state (banner text,
    maintenance_message text, maintenance_since timestamptz);
SET search_path = regress_evil, public;
SELECT public.dbkeeper_banner_set('the real one');
SELECT count(*) AS evil_rows FROM regress_evil.dbkeeper_banner_state;
SELECT public.dbkeeper_banner();
RESET search_path;
DROP SCHEMA regress_evil CASCADE;

DROP ROLE regress_banner_user;
REVOKE ALL ON FUNCTION dbkeeper_banner_set(text), dbkeeper_banner_clear(),
      dbkeeper_maintenance_begin(text, boolean), dbkeeper_maintenance_end()
   FROM regress_banner_dba;
DROP ROLE regress_banner_dba;
DROP EXTENSION dbkeeper;
