-- Schema fingerprints: equivalent schemas, single changes, privileges, the
-- registry, the check and its messages.  Absolute fingerprints are never
-- printed (other test files share this database); every comparison is made
-- in SQL against fingerprints saved in psql variables.
CREATE EXTENSION dbkeeper;
SELECT dbkeeper_fingerprint() ~ '^[0-9a-f]{64}$' AS fingerprint_is_hex;
-- dbkeeper's own objects (its registry table, its functions) are not part of it.
SELECT count(*) AS dbkeeper_rows FROM dbkeeper_schema() WHERE name LIKE '%dbkeeper%';

-- 1. The same schema in two spellings: whitespace, keyword case, quoting,
-- order of creation, a column added by ALTER TABLE.
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
CREATE TABLE app.customer (id serial PRIMARY KEY, name text NOT NULL, mood app.mood DEFAULT 'ok');
CREATE TABLE app.orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES app.customer (id) ON DELETE CASCADE,
    qty app.posint,
    amount numeric(10, 2) DEFAULT 0 CHECK (amount >= 0),
    note text COLLATE "C");
CREATE INDEX orders_customer ON app.orders (customer_id, amount DESC) WHERE amount > 0;
CREATE VIEW app.big_orders AS SELECT id, amount FROM app.orders WHERE amount > 100;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := 'touched'; RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
SELECT dbkeeper_fingerprint() AS base \gset
SELECT count(*) AS rows_before FROM dbkeeper_schema() \gset
DROP SCHEMA app CASCADE;
create schema APP;
create function "app"."touch"() returns TRIGGER language PLPGSQL as $$BEGIN NEW.note := 'touched'; RETURN NEW; END$$;
create domain "app".posint as INTEGER check (value>0);
create type APP.MOOD as enum ('sad','ok','happy');
create table APP.Customer (ID serial primary key, "name" TEXT not null, MOOD "app"."mood" default 'ok');
create table app.ORDERS ( ID integer generated always as identity primary key,
  customer_id INTEGER not null references app.customer(id) on delete cascade,
  QTY app.POSINT,
  amount NUMERIC(10,2) default 0 check (amount>=0) );
alter table app.orders add column note TEXT collate "C";
create trigger orders_touch before insert on app.orders for each row execute function app.touch();
create view app.big_orders as select id,   amount from app.orders where amount>100;
create index orders_customer on app.orders (customer_id, amount desc) where amount>0;
SELECT dbkeeper_fingerprint() = :'base' AS same_fingerprint,
       (SELECT count(*) FROM dbkeeper_schema()) = :rows_before AS same_rows;

-- A session's settings do not matter.
SET search_path = app, public;
SET extra_float_digits = 3;
SET DateStyle = 'SQL, DMY';
SELECT public.dbkeeper_fingerprint() = :'base' AS same_with_other_settings;
RESET search_path;
RESET extra_float_digits;
RESET DateStyle;

-- What is deliberately not part of it: data, sequence values, comments,
-- privileges, statistics, temporary objects.
INSERT INTO app.customer (name) VALUES ('a'), ('b');
SELECT nextval('app.customer_id_seq') > 0 AS advanced;
COMMENT ON TABLE app.customer IS 'people';
GRANT SELECT ON app.customer TO PUBLIC;
ANALYZE app.customer;
CREATE TEMP TABLE scratch (x int);
SELECT dbkeeper_fingerprint() = :'base' AS unchanged_by_data_comments_grants;
DROP TABLE scratch;
REVOKE SELECT ON app.customer FROM PUBLIC;

-- 2. Each single change changes the fingerprint (and is rolled back).
CREATE TABLE app.pos (a int, b int);
SELECT dbkeeper_fingerprint() AS base \gset
BEGIN; ALTER TABLE app.orders ALTER COLUMN customer_id TYPE bigint;
SELECT dbkeeper_fingerprint() <> :'base' AS column_type_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders ALTER COLUMN qty SET NOT NULL;
SELECT dbkeeper_fingerprint() <> :'base' AS nullability_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders ALTER COLUMN amount SET DEFAULT 1;
SELECT dbkeeper_fingerprint() <> :'base' AS default_changes; ROLLBACK;
BEGIN; DROP TABLE app.pos; CREATE TABLE app.pos (b int, a int);
SELECT dbkeeper_fingerprint() <> :'base' AS column_position_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders ALTER COLUMN note SET DATA TYPE text COLLATE "POSIX";
SELECT dbkeeper_fingerprint() <> :'base' AS collation_changes; ROLLBACK;
BEGIN; DROP INDEX app.orders_customer; CREATE INDEX orders_customer ON app.orders (customer_id, qty DESC) WHERE amount > 0;
SELECT dbkeeper_fingerprint() <> :'base' AS index_column_changes; ROLLBACK;
BEGIN; DROP INDEX app.orders_customer; CREATE UNIQUE INDEX orders_customer ON app.orders (customer_id, amount DESC) WHERE amount > 0;
SELECT dbkeeper_fingerprint() <> :'base' AS index_uniqueness_changes; ROLLBACK;
BEGIN; DROP INDEX app.orders_customer; CREATE INDEX orders_customer ON app.orders (customer_id, amount DESC) WHERE amount > 1;
SELECT dbkeeper_fingerprint() <> :'base' AS index_predicate_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders DROP CONSTRAINT orders_amount_check, ADD CONSTRAINT orders_amount_check CHECK (amount > 0);
SELECT dbkeeper_fingerprint() <> :'base' AS check_expression_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders DROP CONSTRAINT orders_customer_id_fkey,
  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES app.customer (id) ON DELETE RESTRICT;
SELECT dbkeeper_fingerprint() <> :'base' AS fk_on_delete_changes; ROLLBACK;
BEGIN; CREATE OR REPLACE VIEW app.big_orders AS SELECT id, amount FROM app.orders WHERE amount > 1000;
SELECT dbkeeper_fingerprint() <> :'base' AS view_body_changes; ROLLBACK;
BEGIN; DROP TRIGGER orders_touch ON app.orders;
CREATE TRIGGER orders_touch AFTER INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
SELECT dbkeeper_fingerprint() <> :'base' AS trigger_timing_changes; ROLLBACK;
BEGIN; CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := 'Touched'; RETURN NEW; END$$;
SELECT dbkeeper_fingerprint() <> :'base' AS trigger_body_changes; ROLLBACK;
BEGIN; ALTER TYPE app.mood RENAME VALUE 'ok' TO 'fine';
SELECT dbkeeper_fingerprint() <> :'base' AS enum_label_changes; ROLLBACK;
BEGIN; ALTER TYPE app.mood ADD VALUE 'angry' BEFORE 'sad';
SELECT dbkeeper_fingerprint() <> :'base' AS enum_order_changes; ROLLBACK;
BEGIN; ALTER DOMAIN app.posint DROP CONSTRAINT posint_check; ALTER DOMAIN app.posint ADD CONSTRAINT posint_check CHECK (VALUE >= 0);
SELECT dbkeeper_fingerprint() <> :'base' AS domain_constraint_changes; ROLLBACK;
BEGIN; CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';
SELECT dbkeeper_fingerprint() AS with_f \gset
CREATE OR REPLACE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 2';
SELECT dbkeeper_fingerprint() <> :'with_f' AS function_body_changes; ROLLBACK;
BEGIN; ALTER SEQUENCE app.customer_id_seq INCREMENT BY 2;
SELECT dbkeeper_fingerprint() <> :'base' AS sequence_definition_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY; CREATE POLICY mine ON app.orders USING (qty > 0);
SELECT dbkeeper_fingerprint() <> :'base' AS policy_changes; ROLLBACK;
BEGIN; CREATE RULE no_delete AS ON DELETE TO app.customer DO INSTEAD NOTHING;
SELECT dbkeeper_fingerprint() <> :'base' AS rule_changes; ROLLBACK;
BEGIN; CREATE MATERIALIZED VIEW app.totals AS SELECT count(*) FROM app.orders;
SELECT dbkeeper_fingerprint() <> :'base' AS matview_changes; ROLLBACK;
BEGIN; CREATE AGGREGATE app.total(int) (sfunc = int4pl, stype = int, initcond = '0');
SELECT dbkeeper_fingerprint() AS with_agg \gset
DROP AGGREGATE app.total(int); CREATE AGGREGATE app.total(int) (sfunc = int4pl, stype = int, initcond = '1');
SELECT dbkeeper_fingerprint() <> :'with_agg' AS aggregate_changes; ROLLBACK;
BEGIN; CREATE TYPE app.pair AS (a int, b text);
SELECT dbkeeper_fingerprint() AS with_pair \gset
ALTER TYPE app.pair ALTER ATTRIBUTE b TYPE varchar(5);
SELECT dbkeeper_fingerprint() <> :'with_pair' AS composite_type_changes; ROLLBACK;
BEGIN; CREATE TYPE app.span AS RANGE (subtype = int4);
SELECT dbkeeper_fingerprint() <> :'base' AS range_type_changes; ROLLBACK;
BEGIN; ALTER TABLE app.orders RENAME COLUMN note TO remark;
SELECT dbkeeper_fingerprint() <> :'base' AS column_rename_changes; ROLLBACK;
SELECT dbkeeper_fingerprint() = :'base' AS all_rolled_back;

-- Another extension is one row with its version; its members are left out.
CREATE EXTENSION pg_trgm;
SELECT kind, name, definition FROM dbkeeper_schema() WHERE kind = 'extension' AND name = 'pg_trgm';
SELECT count(*) AS pg_trgm_members FROM dbkeeper_schema() WHERE definition LIKE '%trgm%' AND kind <> 'extension';
DROP EXTENSION pg_trgm;

-- 4. A role with no privileges on anything computes the owner's fingerprint.
CREATE ROLE regress_fp_nopriv;
REVOKE ALL ON SCHEMA app FROM PUBLIC;
SET ROLE regress_fp_nopriv;
SELECT has_table_privilege(c.oid, 'SELECT') AS can_read_orders,
       has_schema_privilege(c.relnamespace, 'USAGE') AS can_use_app
  FROM pg_class c WHERE c.relname = 'orders';
SELECT dbkeeper_fingerprint() = :'base' AS same_for_unprivileged_role;
SELECT count(*) = :rows_before + 1 AS same_rows_for_unprivileged_role FROM dbkeeper_schema();

-- 5. The registry: reading is for everyone, registering for the DBA.
SELECT dbkeeper_schema_version() IS NULL AS no_version_yet;
SELECT dbkeeper_schema_register('1.0');
INSERT INTO dbkeeper_schema_version VALUES ('x', repeat('0', 64), now());
RESET ROLE;
SELECT dbkeeper_schema_register('1.0') = :'base' AS registered;
SELECT dbkeeper_schema_register('1.0') = :'base' AS registered_again;
SELECT dbkeeper_schema_version() AS version;
SELECT dbkeeper_schema_check('1.0') = :'base' AS check_by_version;
SELECT dbkeeper_schema_check(:'base') = :'base' AS check_by_fingerprint;
SELECT dbkeeper_schema_check(upper(:'base')) = :'base' AS check_by_upper_case_fingerprint;
SET ROLE regress_fp_nopriv;
SELECT dbkeeper_schema_version() AS version_seen_by_unprivileged_role;
SELECT dbkeeper_schema_check('1.0') = :'base' AS check_by_unprivileged_role;
RESET ROLE;
GRANT EXECUTE ON FUNCTION dbkeeper_schema_register(text) TO regress_fp_nopriv;
SET ROLE regress_fp_nopriv;
SELECT dbkeeper_schema_register('1.0-granted') = :'base' AS granted_role_registers;
RESET ROLE;
\set VERBOSITY terse
SELECT dbkeeper_schema_check('2.0');
SELECT dbkeeper_schema_check(NULL);
SELECT dbkeeper_schema_register('a b');
SELECT dbkeeper_schema_register(NULL);
ALTER TABLE app.customer ADD COLUMN phone text;
SELECT dbkeeper_fingerprint() AS v11 \gset
SELECT dbkeeper_schema_register('1.0');
SELECT dbkeeper_schema_check('1.0');
\set VERBOSITY default
-- The details name both fingerprints and the version that matches, if any.
CREATE FUNCTION pg_temp.check_detail(expected text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  PERFORM dbkeeper_schema_check(expected);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d;
END $$;
SELECT pg_temp.check_detail('1.0') = format('Expected fingerprint %s, found %s, which matches no registered version.', :'base', :'v11') AS detail_without_version;
SELECT pg_temp.check_detail(:'base') = format('Expected fingerprint %s, found %s, which matches no registered version.', :'base', :'v11') AS detail_by_fingerprint;
DO $$
BEGIN
  PERFORM dbkeeper_schema_check(repeat('ab', 32));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'message: %', SQLERRM;
END $$;
SELECT dbkeeper_schema_register('1.1') = :'v11' AS registered_1_1;
SELECT dbkeeper_schema_version() AS version;
SELECT pg_temp.check_detail('1.0') = format('Expected fingerprint %s, found %s, which is registered as version "1.1".', :'base', :'v11') AS detail_with_version;
SELECT version, registered_at <= now() AS dated FROM dbkeeper_schema_version ORDER BY version;

-- Every backup records the schema: the diff against it lists what changed since.
SELECT dbkeeper_backup('fp') IS NOT NULL AS backed_up;
SELECT fingerprint = dbkeeper_fingerprint() AS backup_records_fingerprint
  FROM dbkeeper_backups() WHERE is_latest AND database = current_database();
SELECT count(*) AS changes_right_after_the_backup FROM dbkeeper_schema_diff();
ALTER TABLE app.customer ADD COLUMN diff_added int;
CREATE TABLE app.diff_new (x int);
DROP VIEW app.big_orders;
SELECT change, kind, name FROM dbkeeper_schema_diff() ORDER BY change, kind, name;
SELECT count(*) AS changes_by_name FROM dbkeeper_schema_diff(
  (SELECT name FROM dbkeeper_backups() WHERE label = 'fp' AND database = current_database()));
\set VERBOSITY terse
SELECT * FROM dbkeeper_schema_diff('../etc.sql.zst');
SELECT * FROM dbkeeper_schema_diff('contrib_regression-2000-01-01T00-00-00Z.sql.zst');
SET ROLE regress_fp_nopriv;
SELECT * FROM dbkeeper_schema_diff();
RESET ROLE;
\set VERBOSITY default

DROP SCHEMA app CASCADE;
REVOKE EXECUTE ON FUNCTION dbkeeper_schema_register(text) FROM regress_fp_nopriv;
DROP ROLE regress_fp_nopriv;
DROP EXTENSION dbkeeper;
