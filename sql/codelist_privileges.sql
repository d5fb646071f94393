-- Codelist functions on PostgreSQL only: privileges, quoting of the table
-- names a release gives, search_path, and the tables as extension
-- configuration (sql/codelist.sql holds the cases both engines share).
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION dbkeeper;

-- The tables are dumped with the extension's configuration.
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'dbkeeper' AND c.relname LIKE 'dbkeeper_codelist_%' ORDER BY 1;

-- A release whose tables have names that need quoting, in another schema.
CREATE SCHEMA "Snomed 2024";
CREATE TABLE "Snomed 2024"."Edges; DROP TABLE x" (code bigint, parent bigint);
CREATE TABLE "Snomed 2024"."te""rms" (code bigint, term text);
INSERT INTO "Snomed 2024"."Edges; DROP TABLE x" VALUES (2, 1), (3, 1), (4, 2), (4, 3), (5, 4);
INSERT INTO "Snomed 2024"."te""rms" VALUES (6, 'Lone');
INSERT INTO dbkeeper_codelist_release
VALUES ('q1', 'snomed', '2024-01-01', '"Snomed 2024"."Edges; DROP TABLE x"', '"Snomed 2024"."te""rms"');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('q_v1', 'quoted', 'q1', 'published');
INSERT INTO dbkeeper_codelist_code VALUES ('q_v1', '2', '+'), ('q_v1', '3', '-');
SELECT * FROM dbkeeper_codelist_status('q_v1') ORDER BY code;
SELECT dbkeeper_codelist_new_draft('q_v1', 'ana');
SELECT code, status FROM dbkeeper_codelist_code WHERE version = 'quoted@q1' ORDER BY code;
-- A name that is not one: the error names the release and its text.
UPDATE dbkeeper_codelist_release SET edges = 'Snomed 2024.Edges' WHERE name = 'q1';
SELECT * FROM dbkeeper_codelist_status('q_v1');
UPDATE dbkeeper_codelist_release SET edges = 'a.b.c.d' WHERE name = 'q1';
SELECT * FROM dbkeeper_codelist_status('q_v1');
UPDATE dbkeeper_codelist_release SET edges = '"Snomed 2024"."Edges; DROP TABLE x"' WHERE name = 'q1';

-- search_path cannot redirect the functions to other tables.
CREATE SCHEMA decoy;
CREATE TABLE decoy.dbkeeper_codelist_version (id text, codelist text, release text, derived_from text);
SET search_path = decoy, public;
SELECT count(*) FROM public.dbkeeper_codelist_status('q_v1');
RESET search_path;

-- The functions run as the caller: table privileges decide.  Every role may
-- read the codelist tables (so that any role that could pg_dump the database
-- before dbkeeper was installed still can), not the release's tables.
CREATE ROLE regress_codelist_reader;
CREATE ROLE regress_codelist_editor;
SELECT has_table_privilege('regress_codelist_reader', 'dbkeeper_codelist_code', 'SELECT') AS reads_codes,
       has_table_privilege('regress_codelist_reader', 'dbkeeper_codelist_code', 'INSERT') AS writes_codes;
SET ROLE regress_codelist_reader;
SELECT * FROM dbkeeper_codelist_status('q_v1');
RESET ROLE;
GRANT USAGE ON SCHEMA "Snomed 2024" TO regress_codelist_reader, regress_codelist_editor;
GRANT SELECT ON ALL TABLES IN SCHEMA "Snomed 2024" TO regress_codelist_reader, regress_codelist_editor;
SET ROLE regress_codelist_reader;
SELECT count(*) FROM dbkeeper_codelist_status('q_v1');
SELECT count(*) FROM dbkeeper_codelist_changes('quoted@q1');
SELECT dbkeeper_codelist_new_draft('q_v1', 'reader');
RESET ROLE;
GRANT INSERT ON dbkeeper_codelist_version, dbkeeper_codelist_code, dbkeeper_codelist_search
   TO regress_codelist_editor;
SET ROLE regress_codelist_editor;
SELECT dbkeeper_codelist_new_draft('q_v1', 'editor');
RESET ROLE;
SELECT id, author, derived_from FROM dbkeeper_codelist_version ORDER BY id;

-- A failed draft inside a transaction: nothing written, the error names the cycle.
INSERT INTO "Snomed 2024"."Edges; DROP TABLE x" VALUES (1, 5);
BEGIN;
SELECT dbkeeper_codelist_new_draft('q_v1', 'ana');
ROLLBACK;
SELECT count(*) FROM dbkeeper_codelist_version;

DROP EXTENSION dbkeeper;
DROP SCHEMA "Snomed 2024" CASCADE;
DROP SCHEMA decoy CASCADE;
DROP ROLE regress_codelist_reader;
DROP ROLE regress_codelist_editor;
