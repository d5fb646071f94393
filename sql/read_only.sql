-- Functions that write into the database, in a transaction that is
-- read-only by default (default_transaction_read_only = on, as a database
-- such as GNUmed's sets it): each refuses with a hint that names the
-- setting, the readers keep working, and the hint's ways out work.
CREATE EXTENSION dbkeeper;
SET default_transaction_read_only = on;

SELECT dbkeeper_banner_set('Upgrade tonight');
SELECT dbkeeper_banner_clear();
SELECT dbkeeper_maintenance_begin('Upgrade in progress');
SELECT dbkeeper_maintenance_end();
SELECT dbkeeper_schema_register('regress_v1');
SELECT dbkeeper_codelist_new_draft('regress_v1', 'ana');
SELECT dbkeeper_restore();

-- Reading is not writing.
SELECT dbkeeper_banner() IS NULL AS no_banner, dbkeeper_in_maintenance(),
       length(dbkeeper_fingerprint()) AS fingerprint_length,
       dbkeeper_schema_version() IS NULL AS unregistered;

-- A version registered already needs no write.
BEGIN;
SET transaction_read_only = off;
SELECT dbkeeper_schema_register('regress_v1') = dbkeeper_fingerprint() AS registered;
COMMIT;
SELECT dbkeeper_schema_register('regress_v1') = dbkeeper_fingerprint() AS registered_again;

-- The hint's first way: transaction_read_only = off as the first statement.
BEGIN;
SET transaction_read_only = off;
SELECT dbkeeper_maintenance_begin('Upgrade in progress');
SELECT dbkeeper_in_maintenance();
SELECT dbkeeper_maintenance_end();
SELECT dbkeeper_banner_set('Upgrade tonight');
SELECT dbkeeper_banner();
SELECT dbkeeper_banner_clear();
COMMIT;
-- Later in the transaction PostgreSQL refuses it, hence "first".
BEGIN;
SELECT 1 AS first_query;
SET transaction_read_only = off;
ROLLBACK;

-- The second way: the setting, before the transaction.
SET default_transaction_read_only = off;
SELECT dbkeeper_banner_set('Back to normal');
SELECT dbkeeper_banner_clear();

-- A transaction begun READ ONLY is told so.
BEGIN READ ONLY;
SELECT dbkeeper_maintenance_end();
ROLLBACK;

DROP EXTENSION dbkeeper;
