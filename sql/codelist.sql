-- Codelist draft regeneration, the same cases on PostgreSQL and SQLite.
-- Generated from tests/codelist/cases.txt by tests/codelist/gen.awk: edit those, then run
--   awk -v engine=pg -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist.sql
\set VERBOSITY terse
\pset tuples_only on
\pset format unaligned
SET client_min_messages = warning;
CREATE EXTENSION dbkeeper;
-- The cases' own tables go in a schema of their own, dropped at the end.
CREATE SCHEMA codelist_cases;
SET search_path = codelist_cases, public;
-- expect_error(check, sql, message): 'ok' when sql fails with exactly that message.
CREATE FUNCTION pg_temp.expect_error(id text, sql text, want text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN id || '|got no error';
EXCEPTION WHEN OTHERS THEN
  RETURN id || CASE WHEN SQLERRM = want THEN '|ok ' || SQLSTATE
                    ELSE '|got [' || SQLERRM || ']' END;
END $$;
SELECT 'init/tables-exist', CASE WHEN dbkeeper_codelist_init() = 0 THEN 'ok' ELSE 'got tables created' END;

-- example: README's status-rule example, edges a>b a>c b>d b>e c>e c>f d>g d>h e>h e>i f>i f>j, rules +b -c
CREATE TABLE ex_edges (code text, parent text);
CREATE TABLE ex_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ex', 'exsys', '2024-01-01', 'ex_edges', 'ex_terms');
INSERT INTO ex_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'b'), ('e', 'c'), ('f', 'c'), ('g', 'd'), ('h', 'd'), ('h', 'e'), ('i', 'e'), ('i', 'f'), ('j', 'f');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ex_v1', 'example', 'ex', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ex_v1', 'a', '?'), ('ex_v1', 'b', '+'), ('ex_v1', 'c', '-'), ('ex_v1', 'd', '?'), ('ex_v1', 'e', '?'), ('ex_v1', 'f', '?'), ('ex_v1', 'g', '?'), ('ex_v1', 'h', '?'), ('ex_v1', 'i', '?'), ('ex_v1', 'j', '?');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('ex_v1')))
SELECT 'example/status', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e ! f (-) g (+) h ! i ! j (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('ex_v1', 'ana'))
SELECT 'example/draft', CASE WHEN coalesce(g, '<NULL>') = 'example@ex' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'example@ex'))
SELECT 'example/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e ! f (-) g (+) h ! i ! j (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'example@ex'))
SELECT 'example/row', CASE WHEN coalesce(g, '<NULL>') = 'example ex draft ana ex_v1' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('example@ex')))
SELECT 'example/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged d (+) ? changed e ! ? changed f (-) ? changed g (+) ? changed h ! ? changed i ! ? changed j (-) ? changed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('example@ex')))
SELECT 'example/status2', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e ! f (-) g (+) h ! i ! j (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- conflict: a code whose nearest ruled ancestors disagree is "!", and so are its descendants
CREATE TABLE cf_edges (code text, parent text);
CREATE TABLE cf_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('cf', 'cfsys', '2024-01-01', 'cf_edges', 'cf_terms');
INSERT INTO cf_edges (code, parent) VALUES ('p', 'r'), ('q', 'r'), ('x', 'p'), ('x', 'q'), ('y', 'x');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('cf_v1', 'conflict', 'cf', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('cf_v1', 'p', '+'), ('cf_v1', 'q', '-'), ('cf_v1', 'x', '(+)'), ('cf_v1', 'y', '(+)');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('cf_v1')))
SELECT 'conflict/status', CASE WHEN coalesce(g, '<NULL>') = 'p + q - x ! y !' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('cf_v1')))
SELECT 'conflict/changes', CASE WHEN coalesce(g, '<NULL>') = 'p + _ new q - _ new x (+) _ new y (+) _ new' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- reinclusion: an inclusion under an exclusion, and an exclusion again below it
CREATE TABLE ri_edges (code text, parent text);
CREATE TABLE ri_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ri', 'risys', '2024-01-01', 'ri_edges', 'ri_terms');
INSERT INTO ri_edges (code, parent) VALUES ('b', 'a'), ('c', 'b'), ('d', 'c'), ('e', 'b'), ('f', 'd');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ri_v1', 'reinclusion', 'ri', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ri_v1', 'a', '+'), ('ri_v1', 'b', '-'), ('ri_v1', 'c', '+'), ('ri_v1', 'd', '?'), ('ri_v1', 'e', '?'), ('ri_v1', 'f', '-');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('ri_v1')))
SELECT 'reinclusion/status', CASE WHEN coalesce(g, '<NULL>') = 'a + b - c + d (+) e (-) f -' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- polyhierarchy: one path passes through an exclusion and one does not: the nearest rule decides
CREATE TABLE ph_edges (code text, parent text);
CREATE TABLE ph_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ph', 'phsys', '2024-01-01', 'ph_edges', 'ph_terms');
INSERT INTO ph_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('d', 'c'), ('e', 'd');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ph_v1', 'poly', 'ph', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ph_v1', 'a', '+'), ('ph_v1', 'b', '-'), ('ph_v1', 'c', '?'), ('ph_v1', 'd', '?'), ('ph_v1', 'e', '?');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('ph_v1')))
SELECT 'polyhierarchy/status', CASE WHEN coalesce(g, '<NULL>') = 'a + b - c (+) d (-) e (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
CREATE TABLE ph2_edges (code text, parent text);
CREATE TABLE ph2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ph2', 'phsys', '2024-07-01', 'ph2_edges', 'ph2_terms');
INSERT INTO ph2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'c'), ('e', 'd');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ph_v2', 'poly', 'ph2', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ph_v2', 'a', '+'), ('ph_v2', 'b', '-'), ('ph_v2', 'c', '(+)'), ('ph_v2', 'd', '(+)'), ('ph_v2', 'e', '(+)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('ph_v2', 'ana', 'ph'))
SELECT 'polyhierarchy/draft', CASE WHEN coalesce(g, '<NULL>') = 'poly@ph' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'poly@ph'))
SELECT 'polyhierarchy/codes', CASE WHEN coalesce(g, '<NULL>') = 'a + b - c (+) d (-) e (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('poly@ph')))
SELECT 'polyhierarchy/changes', CASE WHEN coalesce(g, '<NULL>') = 'd (-) (+) changed e (-) (+) changed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- new-code: a new code under an included ancestor comes in as "(+)"
CREATE TABLE nc1_edges (code text, parent text);
CREATE TABLE nc1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('nc1', 'ncsys', '2024-01-01', 'nc1_edges', 'nc1_terms');
INSERT INTO nc1_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c');
CREATE TABLE nc2_edges (code text, parent text);
CREATE TABLE nc2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('nc2', 'ncsys', '2024-07-01', 'nc2_edges', 'nc2_terms');
INSERT INTO nc2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c'), ('n', 'd');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('nc_v1', 'newcode', 'nc1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('nc_v1', 'a', '?'), ('nc_v1', 'b', '+'), ('nc_v1', 'c', '-'), ('nc_v1', 'd', '(+)'), ('nc_v1', 'e', '(-)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('nc_v1', 'ana'))
SELECT 'new-code/draft', CASE WHEN coalesce(g, '<NULL>') = 'newcode@nc2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'newcode@nc2'))
SELECT 'new-code/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e (-) n (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('newcode@nc2')))
SELECT 'new-code/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged n (+) _ new' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- new-edge: a new edge that puts a code in conflict
CREATE TABLE ne1_edges (code text, parent text);
CREATE TABLE ne1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ne1', 'nesys', '2024-01-01', 'ne1_edges', 'ne1_terms');
INSERT INTO ne1_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c');
CREATE TABLE ne2_edges (code text, parent text);
CREATE TABLE ne2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ne2', 'nesys', '2024-07-01', 'ne2_edges', 'ne2_terms');
INSERT INTO ne2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c'), ('d', 'c');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ne_v1', 'newedge', 'ne1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ne_v1', 'a', '?'), ('ne_v1', 'b', '+'), ('ne_v1', 'c', '-'), ('ne_v1', 'd', '(+)'), ('ne_v1', 'e', '(-)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('ne_v1', 'ana'))
SELECT 'new-edge/draft', CASE WHEN coalesce(g, '<NULL>') = 'newedge@ne2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'newedge@ne2'))
SELECT 'new-edge/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d ! e (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('newedge@ne2')))
SELECT 'new-edge/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged d ! (+) changed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- dropped: a code the new release does not have is dropped; one that only has a term is kept
CREATE TABLE dr1_edges (code text, parent text);
CREATE TABLE dr1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('dr1', 'drsys', '2024-01-01', 'dr1_edges', 'dr1_terms');
INSERT INTO dr1_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c');
CREATE TABLE dr2_edges (code text, parent text);
CREATE TABLE dr2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('dr2', 'drsys', '2024-07-01', 'dr2_edges', 'dr2_terms');
INSERT INTO dr2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('e', 'c');
CREATE TABLE dr3_edges (code text, parent text);
CREATE TABLE dr3_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('dr3', 'drsys', '2024-03-01', 'dr3_edges', 'dr3_terms');
INSERT INTO dr3_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('e', 'c');
INSERT INTO dr3_terms (code, term) VALUES ('d', 'Delta');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('dr_v1', 'dropped', 'dr1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('dr_v1', 'a', '?'), ('dr_v1', 'b', '+'), ('dr_v1', 'c', '-'), ('dr_v1', 'd', '(+)'), ('dr_v1', 'e', '(-)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('dr_v1', 'ana'))
SELECT 'dropped/draft', CASE WHEN coalesce(g, '<NULL>') = 'dropped@dr2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dropped@dr2'))
SELECT 'dropped/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - e (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('dropped@dr2')))
SELECT 'dropped/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged d _ (+) removed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('dr_v1', 'ana', 'dr3'))
SELECT 'dropped/draft2', CASE WHEN coalesce(g, '<NULL>') = 'dropped@dr3' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dropped@dr3'))
SELECT 'dropped/codes2', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d ? e (-)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('dropped@dr3')))
SELECT 'dropped/changes2', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged d ? (+) changed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- searches: a term search (case-insensitive for ASCII letters only, as OpenCodelists' LIKE) and a code search pick up new codes and their descendants
CREATE TABLE se1_edges (code text, parent text);
CREATE TABLE se1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('se1', 'sesys', '2024-01-01', 'se1_edges', 'se1_terms');
INSERT INTO se1_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c');
INSERT INTO se1_terms (code, term) VALUES ('a', 'Disorder of lung'), ('b', 'Chronic asthma'), ('d', 'Asthma attack');
CREATE TABLE se2_edges (code text, parent text);
CREATE TABLE se2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('se2', 'sesys', '2024-07-01', 'se2_edges', 'se2_terms');
INSERT INTO se2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c'), ('x', 'a'), ('x1', 'x'), ('y', 'a'), ('z', 'a'), ('w', 'a'), ('v', 'a'), ('t', 'a');
INSERT INTO se2_terms (code, term) VALUES ('a', 'Disorder of lung'), ('b', 'Chronic asthma'), ('d', 'Asthma attack'), ('x', 'Occupational ASTHMA'), ('y', 'Hay fever'), ('z', 'Something else'), ('w', 'ÉCHEC thérapeutique'), ('v', 'échec du traitement'), ('t', 'ÞORN');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('se_v1', 'searches', 'se1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('se_v1', 'b', '+'), ('se_v1', 'd', '(+)');
INSERT INTO dbkeeper_codelist_search (version, term) VALUES ('se_v1', 'asthma');
INSERT INTO dbkeeper_codelist_search (version, term) VALUES ('se_v1', 'échec');
INSERT INTO dbkeeper_codelist_search (version, term) VALUES ('se_v1', 'þor');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('se_v1', 'z');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('se_v1', 'not-in-release');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('se_v1', 'ana'))
SELECT 'searches/draft', CASE WHEN coalesce(g, '<NULL>') = 'searches@se2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'searches@se2'))
SELECT 'searches/codes', CASE WHEN coalesce(g, '<NULL>') = 'b + d (+) v ? x ? x1 ? z ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END, ' ' ORDER BY CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END COLLATE "C") FROM dbkeeper_codelist_search WHERE version = 'searches@se2'))
SELECT 'searches/searches', CASE WHEN coalesce(g, '<NULL>') = 'code:not-in-release code:z term:asthma term:échec term:þor' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('searches@se2')))
SELECT 'searches/changes', CASE WHEN coalesce(g, '<NULL>') = 'v ? _ new x ? _ new x1 ? _ new z ? _ new' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- descendants: the descendants of codes already in the draft are added
CREATE TABLE de1_edges (code text, parent text);
CREATE TABLE de1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('de1', 'desys', '2024-01-01', 'de1_edges', 'de1_terms');
INSERT INTO de1_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c');
CREATE TABLE de2_edges (code text, parent text);
CREATE TABLE de2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('de2', 'desys', '2024-07-01', 'de2_edges', 'de2_terms');
INSERT INTO de2_edges (code, parent) VALUES ('b', 'a'), ('c', 'a'), ('d', 'b'), ('e', 'c'), ('f', 'e'), ('g', 'f'), ('h', 'b');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('de_v1', 'descendants', 'de1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('de_v1', 'a', '?'), ('de_v1', 'b', '+'), ('de_v1', 'c', '-'), ('de_v1', 'd', '(+)'), ('de_v1', 'e', '(-)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('de_v1', 'ana'))
SELECT 'descendants/draft', CASE WHEN coalesce(g, '<NULL>') = 'descendants@de2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'descendants@de2'))
SELECT 'descendants/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e (-) f (-) g (-) h (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('descendants@de2')))
SELECT 'descendants/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged f (-) _ new g (-) _ new h (+) _ new' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- explicit: explicit codes are kept when their place in the hierarchy changes
CREATE TABLE ek1_edges (code text, parent text);
CREATE TABLE ek1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ek1', 'eksys', '2024-01-01', 'ek1_edges', 'ek1_terms');
INSERT INTO ek1_edges (code, parent) VALUES ('b', 'a'), ('d', 'b'), ('c', 'a'), ('e', 'c');
CREATE TABLE ek2_edges (code text, parent text);
CREATE TABLE ek2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ek2', 'eksys', '2024-07-01', 'ek2_edges', 'ek2_terms');
INSERT INTO ek2_edges (code, parent) VALUES ('c', 'a'), ('b', 'c'), ('d', 'b'), ('e', 'a');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ek_v1', 'explicit', 'ek1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ek_v1', 'a', '?'), ('ek_v1', 'b', '+'), ('ek_v1', 'c', '-'), ('ek_v1', 'd', '(+)'), ('ek_v1', 'e', '(-)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('ek_v1', 'ana'))
SELECT 'explicit/draft', CASE WHEN coalesce(g, '<NULL>') = 'explicit@ek2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'explicit@ek2'))
SELECT 'explicit/codes', CASE WHEN coalesce(g, '<NULL>') = 'a ? b + c - d (+) e ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('explicit@ek2')))
SELECT 'explicit/changes', CASE WHEN coalesce(g, '<NULL>') = 'a ? ? unchanged e ? (-) changed' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- swap: two codes that swap places in the hierarchy
CREATE TABLE sw1_edges (code text, parent text);
CREATE TABLE sw1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('sw1', 'swsys', '2024-01-01', 'sw1_edges', 'sw1_terms');
INSERT INTO sw1_edges (code, parent) VALUES ('p', 'r'), ('q', 'p'), ('x', 'q');
CREATE TABLE sw2_edges (code text, parent text);
CREATE TABLE sw2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('sw2', 'swsys', '2024-07-01', 'sw2_edges', 'sw2_terms');
INSERT INTO sw2_edges (code, parent) VALUES ('q', 'r'), ('p', 'q'), ('x', 'p');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('sw_v1', 'swap', 'sw1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('sw_v1', 'r', '?'), ('sw_v1', 'p', '+'), ('sw_v1', 'q', '(+)'), ('sw_v1', 'x', '(+)');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('sw_v1', 'ana'))
SELECT 'swap/draft', CASE WHEN coalesce(g, '<NULL>') = 'swap@sw2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'swap@sw2'))
SELECT 'swap/codes', CASE WHEN coalesce(g, '<NULL>') = 'p + q ? r ? x (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('swap@sw2')))
SELECT 'swap/changes', CASE WHEN coalesce(g, '<NULL>') = 'q ? (+) changed r ? ? unchanged' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- defaults: without a release the newest of the same coding system; draft ids stay unique; a deleted version takes its codes and searches
CREATE TABLE df1_edges (code text, parent text);
CREATE TABLE df1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('df1', 'dfsys', '2024-01-01', 'df1_edges', 'df1_terms');
INSERT INTO df1_edges (code, parent) VALUES ('b', 'a');
CREATE TABLE df2_edges (code text, parent text);
CREATE TABLE df2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('df2', 'dfsys', '2024-07-01', 'df2_edges', 'df2_terms');
INSERT INTO df2_edges (code, parent) VALUES ('b', 'a'), ('c', 'b');
CREATE TABLE df3_edges (code text, parent text);
CREATE TABLE df3_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('df3', 'dfsys', '2023-01-01', 'df3_edges', 'df3_terms');
INSERT INTO df3_edges (code, parent) VALUES ('a', NULL);
CREATE TABLE dfi_edges (code text, parent text);
CREATE TABLE dfi_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('dfi', 'icd10', '2025-01-01', 'dfi_edges', 'dfi_terms');
INSERT INTO dfi_edges (code, parent) VALUES ('b', 'a');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('df_v1', 'dflt', 'df1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('df_v1', 'a', '+'), ('df_v1', 'b', '(+)');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('df_v1', 'b');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('df_v1', 'ana'))
SELECT 'defaults/draft', CASE WHEN coalesce(g, '<NULL>') = 'dflt@df2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('df_v1', 'bob', NULL))
SELECT 'defaults/draft2', CASE WHEN coalesce(g, '<NULL>') = 'dflt@df2#2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('df_v1', 'cy', 'df3'))
SELECT 'defaults/draft3', CASE WHEN coalesce(g, '<NULL>') = 'dflt@df3' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'dflt@df2'))
SELECT 'defaults/row', CASE WHEN coalesce(g, '<NULL>') = 'dflt df2 draft ana df_v1' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'dflt@df2#2'))
SELECT 'defaults/row2', CASE WHEN coalesce(g, '<NULL>') = 'dflt df2 draft bob df_v1' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dflt@df2#2'))
SELECT 'defaults/codes', CASE WHEN coalesce(g, '<NULL>') = 'a + b (+) c (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dflt@df3'))
SELECT 'defaults/codes2', CASE WHEN coalesce(g, '<NULL>') = 'a +' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('df_v1')))
SELECT 'defaults/status', CASE WHEN coalesce(g, '<NULL>') = 'a + b (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END, ' ' ORDER BY CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END COLLATE "C") FROM dbkeeper_codelist_search WHERE version = 'dflt@df2'))
SELECT 'defaults/searches', CASE WHEN coalesce(g, '<NULL>') = 'code:b' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
DELETE FROM dbkeeper_codelist_version WHERE id = 'dflt@df2';
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dflt@df2'))
SELECT 'defaults/codes3', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END, ' ' ORDER BY CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END COLLATE "C") FROM dbkeeper_codelist_search WHERE version = 'dflt@df2'))
SELECT 'defaults/searches2', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'dflt@df2'))
SELECT 'defaults/row3', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'dflt@df2#2'))
SELECT 'defaults/codes4', CASE WHEN coalesce(g, '<NULL>') = 'a + b (+) c (+)' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- attached: edges and terms of another schema (on SQLite an attached database), codes stored as integers
CREATE SCHEMA snap;
CREATE TABLE snap.edges (code bigint, parent bigint);
CREATE TABLE snap.terms (code bigint, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('at1', 'atsys', '2024-01-01', 'snap.edges', 'snap.terms');
INSERT INTO snap.edges (code, parent) VALUES ('200', '100'), ('300', '100'), ('400', '200'), ('500', '300');
INSERT INTO snap.terms (code, term) VALUES ('600', 'Lone code with a term');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('at_v1', 'attached', 'at1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('at_v1', '200', '+'), ('at_v1', '300', '-'), ('at_v1', '600', '?');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('at_v1')))
SELECT 'attached/status', CASE WHEN coalesce(g, '<NULL>') = '200 + 300 - 600 ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('at_v1', 'ana'))
SELECT 'attached/draft', CASE WHEN coalesce(g, '<NULL>') = 'attached@at1' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'attached@at1'))
SELECT 'attached/codes', CASE WHEN coalesce(g, '<NULL>') = '200 + 300 - 400 (+) 500 (-) 600 ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
INSERT INTO dbkeeper_codelist_release VALUES ('at2', 'atsys', '2024-02-01', '"snap"."edges"', '"snap"."terms"');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('at_v1', 'bo', 'at2'))
SELECT 'attached/draft2', CASE WHEN coalesce(g, '<NULL>') = 'attached@at2' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'attached@at2'))
SELECT 'attached/codes2', CASE WHEN coalesce(g, '<NULL>') = '200 + 300 - 400 (+) 500 (-) 600 ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- intcodes: in an integer-coded release, texts the column would print otherwise are not codes of it: not found, never an error, with or without an index on parent
CREATE TABLE ic_edges (code bigint, parent bigint);
CREATE TABLE ic_terms (code bigint, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('ic', 'icsys', '2024-01-01', 'ic_edges', 'ic_terms');
INSERT INTO ic_edges (code, parent) VALUES ('123', '1'), ('1231', '123'), ('456', '1'), ('4561', '456');
INSERT INTO ic_terms (code, term) VALUES ('4561', 'Lone leaf');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ic_v1', 'intcodes', 'ic', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('ic_v1', '0123', '+'), ('ic_v1', '1231', '?'), ('ic_v1', '+123', '-'), ('ic_v1', '4561', '?');
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_status('ic_v1')))
SELECT 'intcodes/status', CASE WHEN coalesce(g, '<NULL>') = '+123 - 0123 + 1231 ? 4561 ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('ic_v1', '0456');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('ic_v1', '456.0');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('ic_v1', 'nosuchcode');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('ic_v1', '123456789012345678901');
INSERT INTO dbkeeper_codelist_search (version, code) VALUES ('ic_v1', '-0');
WITH r(g) AS MATERIALIZED (SELECT dbkeeper_codelist_new_draft('ic_v1', 'ana'))
SELECT 'intcodes/draft', CASE WHEN coalesce(g, '<NULL>') = 'intcodes@ic' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_code WHERE version = 'intcodes@ic'))
SELECT 'intcodes/codes', CASE WHEN coalesce(g, '<NULL>') = '1231 ? 4561 ?' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT string_agg(code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change, ' ' ORDER BY code COLLATE "C") FROM dbkeeper_codelist_changes('intcodes@ic')))
SELECT 'intcodes/changes', CASE WHEN coalesce(g, '<NULL>') = '+123 _ - removed 0123 _ + removed 1231 ? ? unchanged 4561 ? ? unchanged' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- cycle: a release whose edges contain a cycle is refused, naming a code on the cycle
CREATE TABLE cy1_edges (code text, parent text);
CREATE TABLE cy1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('cy1', 'cysys', '2024-01-01', 'cy1_edges', 'cy1_terms');
INSERT INTO cy1_edges (code, parent) VALUES ('b', 'a');
CREATE TABLE cy2_edges (code text, parent text);
CREATE TABLE cy2_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('cy2', 'cysys', '2024-07-01', 'cy2_edges', 'cy2_terms');
INSERT INTO cy2_edges (code, parent) VALUES ('b', 'a'), ('c', 'b'), ('d', 'c'), ('b', 'd');
CREATE TABLE cy3_edges (code text, parent text);
CREATE TABLE cy3_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('cy3', 'cysys', '2023-01-01', 'cy3_edges', 'cy3_terms');
INSERT INTO cy3_edges (code, parent) VALUES ('a', 'a');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('cy_v1', 'cycle', 'cy1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('cy_v1', 'a', '+'), ('cy_v1', 'b', '(+)');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('cy_v3', 'cycle', 'cy3', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('cy_v3', 'a', '+');
SELECT pg_temp.expect_error('cycle/error-in-new-release', 'SELECT dbkeeper_codelist_new_draft(''cy_v1'', ''ana'')', 'release "cy2": the edges contain a cycle through code "b"');
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'cycle@cy2'))
SELECT 'cycle/row', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
SELECT pg_temp.expect_error('cycle/error-self-loop', 'SELECT dbkeeper_codelist_new_draft(''cy_v1'', ''ana'', ''cy3'')', 'release "cy3": the edges contain a cycle through code "a"');
SELECT pg_temp.expect_error('cycle/error-status', 'SELECT * FROM dbkeeper_codelist_status(''cy_v3'')', 'release "cy3": the edges contain a cycle through code "a"');

-- errors: errors that name the problem, and nothing written
CREATE TABLE er1_edges (code text, parent text);
CREATE TABLE er1_terms (code text, term text);
INSERT INTO dbkeeper_codelist_release VALUES ('er1', 'ersys', '2024-01-01', 'er1_edges', 'er1_terms');
INSERT INTO er1_edges (code, parent) VALUES ('b', 'a');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('er_v1', 'errors', 'er1', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('er_v1', 'a', '+');
SELECT pg_temp.expect_error('errors/error-unknown-version', 'SELECT dbkeeper_codelist_new_draft(''nope'', ''ana'')', 'codelist version "nope" does not exist');
SELECT pg_temp.expect_error('errors/error-unknown-version-status', 'SELECT * FROM dbkeeper_codelist_status(''nope'')', 'codelist version "nope" does not exist');
SELECT pg_temp.expect_error('errors/error-unknown-draft-changes', 'SELECT * FROM dbkeeper_codelist_changes(''nope'')', 'codelist version "nope" does not exist');
SELECT pg_temp.expect_error('errors/error-null-author', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', NULL)', 'author cannot be NULL');
SELECT pg_temp.expect_error('errors/error-null-version', 'SELECT dbkeeper_codelist_new_draft(NULL, ''ana'')', 'version cannot be NULL');
SELECT pg_temp.expect_error('errors/error-null-version-status', 'SELECT * FROM dbkeeper_codelist_status(NULL)', 'version cannot be NULL');
SELECT pg_temp.expect_error('errors/error-null-draft-changes', 'SELECT * FROM dbkeeper_codelist_changes(NULL)', 'draft cannot be NULL');
SELECT pg_temp.expect_error('errors/error-unknown-release', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''nope'')', 'release "nope" does not exist');
INSERT INTO dbkeeper_codelist_release VALUES ('er_icd', 'icd10', '2030-01-01', 'er1_edges', 'er1_terms');
SELECT pg_temp.expect_error('errors/error-other-system', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_icd'')', 'release "er_icd" is of coding system "icd10", but codelist version "er_v1" uses "ersys"');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('er_v2', 'errors', 'gone', 'published');
SELECT pg_temp.expect_error('errors/error-missing-release', 'SELECT dbkeeper_codelist_new_draft(''er_v2'', ''ana'')', 'release "gone" of codelist version "er_v2" does not exist');
SELECT pg_temp.expect_error('errors/error-missing-release-status', 'SELECT * FROM dbkeeper_codelist_status(''er_v2'')', 'release "gone" of codelist version "er_v2" does not exist');
INSERT INTO dbkeeper_codelist_release VALUES ('er_noedges', 'ersys', '2020-01-01', 'no_such_table', 'er1_terms');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('er_v3', 'errors', 'er_noedges', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('er_v3', 'a', '+');
SELECT pg_temp.expect_error('errors/error-missing-edges', 'SELECT * FROM dbkeeper_codelist_status(''er_v3'')', 'edges table "no_such_table" of release "er_noedges" does not exist');
INSERT INTO dbkeeper_codelist_release VALUES ('er_noterms', 'ersys', '2020-01-02', 'er1_edges', 'nowhere.terms');
SELECT pg_temp.expect_error('errors/error-missing-terms', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_noterms'')', 'terms table "nowhere.terms" of release "er_noterms" does not exist');
CREATE TABLE er_badedges (code text, parent_code text);
CREATE TABLE er_badterms (code text, description text);
INSERT INTO dbkeeper_codelist_release VALUES ('er_badedges', 'ersys', '2020-01-03', 'er_badedges', 'er1_terms');
INSERT INTO dbkeeper_codelist_release VALUES ('er_badterms', 'ersys', '2020-01-04', 'er1_edges', 'er_badterms');
SELECT pg_temp.expect_error('errors/error-no-parent-column', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_badedges'')', 'edges table "er_badedges" of release "er_badedges" has no column "parent"');
SELECT pg_temp.expect_error('errors/error-no-term-column', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_badterms'')', 'terms table "er_badterms" of release "er_badterms" has no column "term"');
CREATE TABLE er_nullcode (code text, parent text);
INSERT INTO er_nullcode VALUES (NULL, 'a');
INSERT INTO dbkeeper_codelist_release VALUES ('er_nullcode', 'ersys', '2020-01-05', 'er_nullcode', 'er1_terms');
SELECT pg_temp.expect_error('errors/error-null-code', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_nullcode'')', 'edges table "er_nullcode" of release "er_nullcode" has a row whose code is NULL');
INSERT INTO dbkeeper_codelist_release VALUES ('er_badname', 'ersys', '2020-01-06', 'a.b.c', 'er1_terms');
SELECT pg_temp.expect_error('errors/error-bad-table-name', 'SELECT dbkeeper_codelist_new_draft(''er_v1'', ''ana'', ''er_badname'')', 'edges table "a.b.c" of release "er_badname" is not a table name');
INSERT INTO dbkeeper_codelist_release VALUES ('er_unclosed', 'ersys', '2020-01-07', '"er1_edges', 'er1_terms');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('er_v4', 'errors', 'er_unclosed', 'published');
INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES ('er_v4', 'a', '+');
SELECT pg_temp.expect_error('errors/error-unclosed-quote', 'SELECT * FROM dbkeeper_codelist_status(''er_v4'')', 'edges table ""er1_edges" of release "er_unclosed" is not a table name');
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'errors@er1'))
SELECT 'errors/row', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;
WITH r(g) AS MATERIALIZED (SELECT (SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = 'errors@er_badedges'))
SELECT 'errors/row2', CASE WHEN coalesce(g, '<NULL>') = '<NULL>' THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;

-- The extension's tables go with it; the next test starts without dbkeeper.
RESET search_path;
DROP SCHEMA codelist_cases CASCADE;
DROP SCHEMA snap CASCADE;
DROP EXTENSION dbkeeper;
