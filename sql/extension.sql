-- The extension installs, reports its version and uninstalls cleanly.
CREATE EXTENSION dbkeeper;
SELECT dbkeeper_version() = extversion AS version_matches
  FROM pg_extension WHERE extname = 'dbkeeper';
SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'dbkeeper';
DROP EXTENSION dbkeeper;
SELECT count(*) FROM pg_proc WHERE proname LIKE 'dbkeeper%';
