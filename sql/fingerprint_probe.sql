-- The description runs a kind's query only when a scan of its catalog finds
-- objects of that kind (pg_ext/schema_probe.c).  Each kind alone, in a
-- database of its own that holds nothing else of the user's, must still be
-- described: one object is made, the rows are listed, the object is dropped.
\set VERBOSITY terse
SELECT current_database() AS home \gset
CREATE DATABASE regress_fp_probe;
\c regress_fp_probe
CREATE EXTENSION dbkeeper;
-- a prepared statement, not a view: a view would be an object of the user's
PREPARE rows AS SELECT kind, name FROM dbkeeper_schema()
  WHERE kind NOT IN ('schema', 'extension') ORDER BY 1, 2;
-- nothing of the user's
EXECUTE rows;

CREATE VIEW v AS SELECT 1 AS x;
EXECUTE rows;
DROP VIEW v;

CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;
EXECUTE rows;
DROP MATERIALIZED VIEW mv;

CREATE SEQUENCE seq;
EXECUTE rows;
DROP SEQUENCE seq;

CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
EXECUTE rows;
DROP FUNCTION f();

CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
EXECUTE rows;
DROP PROCEDURE p();

CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int);
EXECUTE rows;
DROP AGGREGATE agg(int);

-- a trigger needs its table and function: both are listed with it
CREATE TABLE t (a int, b int);
EXECUTE rows;
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'trigger';
DROP TRIGGER trg ON t;
DROP FUNCTION tf();

CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'rule';
DROP RULE r ON t;

CREATE POLICY pol ON t USING (a > 0);
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'policy';
DROP POLICY pol ON t;

CREATE STATISTICS st (ndistinct) ON a, b FROM t;
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'statistics';
DROP STATISTICS st;
DROP TABLE t;

CREATE DOMAIN dom AS int;
EXECUTE rows;
DROP DOMAIN dom;

CREATE TYPE en AS ENUM ('a');
EXECUTE rows;
DROP TYPE en;

CREATE TYPE comp AS (a int);
EXECUTE rows;
DROP TYPE comp;

CREATE TYPE rng AS RANGE (SUBTYPE = int);
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'type';
DROP TYPE rng;

-- a base type: its array type is made with it and left out (the shell
-- type's notices are worded differently from version to version)
SET client_min_messages = warning;
CREATE TYPE base;
CREATE FUNCTION base_in(cstring) RETURNS base LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION base_out(base) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE base (INPUT = base_in, OUTPUT = base_out, LIKE = text);
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'type';
DROP TYPE base CASCADE;
RESET client_min_messages;

CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
EXECUTE rows;
DROP OPERATOR === (int, int);

CREATE OPERATOR FAMILY fam USING btree;
EXECUTE rows;
DROP OPERATOR FAMILY fam USING btree;

CREATE OPERATOR CLASS cls FOR TYPE int USING hash AS OPERATOR 1 =, FUNCTION 1 hashint4(int);
EXECUTE rows;
DROP OPERATOR CLASS cls USING hash;
DROP OPERATOR FAMILY cls USING hash;

CREATE CAST (point AS int) WITH INOUT;
EXECUTE rows;
DROP CAST (point AS int);

CREATE COLLATION coll (provider = libc, locale = 'C');
EXECUTE rows;
DROP COLLATION coll;

CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.simple);
EXECUTE rows;
DROP TEXT SEARCH CONFIGURATION cfg;

CREATE TEXT SEARCH DICTIONARY dict (TEMPLATE = pg_catalog.simple);
EXECUTE rows;
DROP TEXT SEARCH DICTIONARY dict;

CREATE TEXT SEARCH PARSER prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
  LEXTYPES = prsd_lextype);
EXECUTE rows;
DROP TEXT SEARCH PARSER prs;

CREATE TEXT SEARCH TEMPLATE tmpl (LEXIZE = dsimple_lexize);
EXECUTE rows;
DROP TEXT SEARCH TEMPLATE tmpl;

CREATE FUNCTION etf() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION etf();
SELECT kind, name FROM dbkeeper_schema() WHERE kind = 'event trigger';
DROP EVENT TRIGGER et;
DROP FUNCTION etf();

-- (without its warning about wal_level, which depends on the server)
SET client_min_messages = error;
CREATE PUBLICATION pub;
RESET client_min_messages;
EXECUTE rows;
DROP PUBLICATION pub;

-- back to nothing
EXECUTE rows;
\c :home
DROP DATABASE regress_fp_probe;
