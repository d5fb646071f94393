-- Runs first (pg_ext/Makefile lists it before the others), so that `make
-- installcheck` against any installed server needs nothing from its
-- configuration: the tests' backup directory is a fixed path (the expected
-- errors name it), emptied here and set for the test database.
\set VERBOSITY terse
COPY (SELECT 1) TO PROGRAM 'mkdir -p -m 700 /tmp/dbkeeper-regress-backups && find /tmp/dbkeeper-regress-backups -mindepth 1 -delete';
LOAD 'dbkeeper';
SELECT format('ALTER DATABASE %I SET dbkeeper.backup_dir = %L',
              current_database(), '/tmp/dbkeeper-regress-backups') \gexec
