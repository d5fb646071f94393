-- dbkeeper_restore: a restore in a transaction that is rolled back and one
-- that commits, argument errors, refusals by transaction state, privileges.
-- tests/pg/t_restore.sh covers bad upgrades, failures part way, locks.
\set VERBOSITY terse
CREATE EXTENSION dbkeeper;

CREATE TABLE regress_rs_account (id integer PRIMARY KEY, balance numeric NOT NULL);
INSERT INTO regress_rs_account SELECT g, 100 FROM generate_series(1, 100) g;
SELECT dbkeeper_backup('restore-test') IS NOT NULL AS backed_up;
-- the upgrade that goes wrong
UPDATE regress_rs_account SET balance = 0 WHERE id <= 50;
ALTER TABLE regress_rs_account ADD COLUMN flag boolean;
CREATE TABLE regress_rs_junk (x integer);

-- restored inside a transaction, then rolled back: nothing changed
BEGIN;
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'restore-test'))
       ~ '^contrib_regression-.*Z(-\d+)?-pre-restore\.sql\.zst$' AS safety_backup_named;
SELECT sum(balance), count(*) FROM regress_rs_account;
SELECT to_regclass('regress_rs_junk') IS NULL AS junk_gone;
ROLLBACK;
SELECT sum(balance), count(*) FROM regress_rs_account;
SELECT to_regclass('regress_rs_junk') IS NOT NULL AS junk_still_there;

-- the rolled-back restore's safety backup is gone: it held what the database still is
SELECT count(*) AS safety_backups FROM dbkeeper_backups() WHERE label = 'pre-restore';

-- committed: the state of the backup, and the latest link now names the
-- backup restored; undo is a restore of the safety backup, by name
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'restore-test')) IS NOT NULL AS restored;
SELECT sum(balance), count(*) FROM regress_rs_account;
SELECT attname FROM pg_attribute WHERE attrelid = 'regress_rs_account'::regclass AND attnum > 0 ORDER BY attnum;
SELECT to_regclass('regress_rs_junk') IS NULL AS junk_gone;
SELECT label FROM dbkeeper_backups() WHERE is_latest;
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'pre-restore')) IS NOT NULL AS undone;
SELECT sum(balance), count(*) FROM regress_rs_account;
SELECT to_regclass('regress_rs_junk') IS NOT NULL AS junk_back;

-- arguments
SELECT dbkeeper_restore('../etc/passwd');
SELECT dbkeeper_restore('a/b.sql.zst');
SELECT dbkeeper_restore('');
SELECT dbkeeper_restore('contrib_regression-2001-01-01T00-00-00Z.sql.zst');
SELECT dbkeeper_restore(NULL, NULL);
SELECT dbkeeper_restore('contrib_regression-latest.sql.zst');

-- transaction states where a restore cannot be right
BEGIN;
INSERT INTO regress_rs_account VALUES (1000, 1);
SELECT dbkeeper_restore();
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT dbkeeper_restore();
ROLLBACK;
BEGIN READ ONLY;
SELECT dbkeeper_restore();
ROLLBACK;

-- a subscription with a replication slot cannot be dropped inside the
-- restore's transaction: refused, naming it, nothing changed; once its slot
-- is detached, the restore drops it (the backup restored has none; the
-- refused call had taken its safety backup already, which has it)
-- (its WARNING that it is not connected is worded differently by each release)
SET client_min_messages = error;
CREATE SUBSCRIPTION regress_rs_sub CONNECTION 'dbname=regress_rs_nowhere' PUBLICATION regress_rs_pub
    WITH (connect = false);
RESET client_min_messages;
SELECT dbkeeper_restore();
SELECT count(*) AS subscriptions_kept FROM pg_subscription WHERE subname = 'regress_rs_sub';
ALTER SUBSCRIPTION regress_rs_sub SET (slot_name = NONE);
BEGIN;
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'restore-test')) IS NOT NULL AS restored;
SELECT count(*) AS subscriptions_left FROM pg_subscription WHERE subname = 'regress_rs_sub';
ROLLBACK;
DROP SUBSCRIPTION regress_rs_sub;

-- privileges: EXECUTE is revoked from PUBLIC; with EXECUTE, a role needs
-- pg_read_server_files and pg_write_server_files too
CREATE ROLE regress_rs_nobody;
CREATE ROLE regress_rs_writer IN ROLE pg_write_server_files;
SET ROLE regress_rs_nobody;
SELECT dbkeeper_restore();
RESET ROLE;
GRANT EXECUTE ON FUNCTION dbkeeper_restore(text, boolean) TO regress_rs_nobody, regress_rs_writer;
SET ROLE regress_rs_nobody;
SELECT dbkeeper_restore();
RESET ROLE;
SET ROLE regress_rs_writer;
SELECT dbkeeper_restore();
RESET ROLE;

DROP TABLE regress_rs_account, regress_rs_junk;
DROP OWNED BY regress_rs_nobody, regress_rs_writer;
DROP ROLE regress_rs_nobody, regress_rs_writer;
DROP EXTENSION dbkeeper;
