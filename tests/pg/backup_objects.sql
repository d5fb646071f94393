-- tests/pg/backup_objects.sql — a database with every object kind a
-- dbkeeper backup reproduces, and data that is hard to write as COPY text.
-- Loaded by tests/pg/t_backup.sh; a round trip through dbkeeper_backup()
-- and psql must give back the same pg_dump --schema-only, rows and sequence
-- values.  Names are chosen so that name order is NOT a valid creation
-- order (aa_top is a view on zz_base; the domain needs a function).
\set ON_ERROR_STOP 1

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_bk_owner') THEN
    CREATE ROLE regress_bk_owner;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_bk_reader') THEN
    CREATE ROLE regress_bk_reader;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_bk_other') THEN
    CREATE ROLE regress_bk_other;
  END IF;
END $$;

CREATE EXTENSION hstore;
CREATE EXTENSION btree_gist WITH SCHEMA public;
CREATE SCHEMA "My Schema" AUTHORIZATION regress_bk_owner;
COMMENT ON SCHEMA "My Schema" IS 'a schema with a space and capitals';
GRANT USAGE ON SCHEMA "My Schema" TO regress_bk_reader;

-- types: an enum whose sort order is not its creation order, a domain that
-- calls a user function, a composite, a range
CREATE TYPE "My Schema".mood AS ENUM ('sad', 'happy');
ALTER TYPE "My Schema".mood ADD VALUE 'ok' BEFORE 'happy';
ALTER TYPE "My Schema".mood ADD VALUE 'meh' AFTER 'sad';
COMMENT ON TYPE "My Schema".mood IS 'how it feels';
CREATE FUNCTION public.is_even(integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 % 2 = 0';
CREATE DOMAIN public.even_int AS integer DEFAULT 0 NOT NULL
    CONSTRAINT even_int_check CHECK (public.is_even(VALUE));
CREATE TYPE public.pair AS (a integer, "B text" text COLLATE "C");
CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
GRANT USAGE ON TYPE public.pair TO regress_bk_reader;

CREATE SEQUENCE public.odd_seq INCREMENT BY 7 START WITH 5 MINVALUE 5 MAXVALUE 1000000 CACHE 3 CYCLE;
CREATE FUNCTION public.next_code() RETURNS text
    LANGUAGE sql AS $$ SELECT 'C' || nextval('public.odd_seq') $$;
REVOKE EXECUTE ON FUNCTION public.next_code() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.next_code() TO regress_bk_reader;
COMMENT ON FUNCTION public.next_code() IS 'codes from odd_seq';

-- a table with every column feature and the tricky data
CREATE TABLE "My Schema"."Tricky ""Table""" (
    id integer GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5) PRIMARY KEY,
    "Text Col" text COLLATE "C",
    t2 text,
    b bytea,
    arr integer[],
    tarr text[],
    j jsonb,
    h public.hstore,
    f double precision,
    n numeric,
    r real,
    m "My Schema".mood DEFAULT 'ok',
    e public.even_int,
    p public.pair,
    fr public.floatrange,
    code text DEFAULT public.next_code(),
    len integer GENERATED ALWAYS AS (length("Text Col")) STORED,
    ts timestamp with time zone,
    iv interval,
    d date,
    CONSTRAINT e_not_negative CHECK (e >= 0),
    UNIQUE (t2)
);
ALTER TABLE "My Schema"."Tricky ""Table""" OWNER TO regress_bk_owner;
COMMENT ON TABLE "My Schema"."Tricky ""Table""" IS 'rows that are hard to write';
COMMENT ON COLUMN "My Schema"."Tricky ""Table"""."Text Col" IS 'tabs, newlines and friends';
ALTER TABLE "My Schema"."Tricky ""Table""" ALTER COLUMN t2 SET STATISTICS 500;

INSERT INTO "My Schema"."Tricky ""Table""" ("Text Col", t2, b, arr, tarr, j, h, f, n, r, m, e, p, fr, ts, iv, d) VALUES
 (E'tab\there', 'a', '\x00ff5c0a0d09', '{1,NULL,3}', '{"a,b","c\"d",NULL,"NULL",""}',
  '{"k": "v\n\t\\", "a": [1, 2.5e10, null]}', 'a=>1, "b c"=>NULL', 'NaN', 'NaN', 'Infinity',
  'sad', 2, ROW(1, E'x\ty'), '[1.5,2.5)', '2024-02-29 12:34:56.789+05:30', '1 year 2 mons -3 days 04:05:06.7', '2000-01-01'),
 (E'new\nline', 'b', '\x', '{}', '{}', '[]', '', 'Infinity', '-1e-30', '-Infinity',
  'meh', 4, ROW(NULL, NULL), 'empty', 'infinity', '-178000000 years', 'infinity'),
 (E'cr\rhere', 'c', NULL, NULL, NULL, 'null', NULL, '-Infinity', '123456789012345678901234567890.123456789', 1.5,
  'happy', 0, NULL, '(,)', '-infinity', '00:00:00', '-infinity'),
 (E'back\\slash', 'd', E'\\x5c2e', '{{1,2},{3,4}}', '{"\\\\."}', '"\\."', '"\\."=>"\\."', 1e-300, 0, 3.4e38,
  'ok', 6, ROW(-1, '\.'), NULL, '1999-12-31 23:59:59.999999+00', NULL, '0001-01-01 BC'),
 ('\.', 'e', NULL, NULL, NULL, NULL, NULL, -0.0, 'NaN', 'NaN', NULL, 8, NULL, NULL, NULL, NULL, NULL),
 ('', 'f', '', '{NULL}', '{""}', '""', NULL, 2.2250738585072014e-308, 1e-100, 1e-38, 'sad', 10, ROW(0, ''), NULL, NULL, NULL, NULL),
 (NULL, 'g', NULL, NULL, NULL, NULL, NULL, 1.7976931348623157e308, NULL, NULL, NULL, 12, NULL, NULL, NULL, NULL, NULL),
 (E'Grüße, 日本語, emoji 🎉, \u00e9\u0301', 'h', convert_to('Grüße', 'UTF8'), '{-2147483648,2147483647}',
  '{"日本","🎉"}', '{"é": "🎉"}', 'ü=>ö', 0.1, 0.1, 0.1, 'ok', 14, ROW(7, 'ß'), '[-1e300,1e300]', now(), '1 day', now()::date),
 (repeat(E'long\t\\\n', 200000), 'i', decode(repeat('00ff5c0a', 100000), 'hex'), NULL,
  ARRAY[repeat('x', 100000)], jsonb_build_object('big', repeat('y', 300000)), NULL, 1, repeat('9', 1000)::numeric, 1,
  NULL, 16, NULL, NULL, NULL, NULL, NULL),
 (E'\\.\n\\.\n', 'j', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 18, NULL, NULL, NULL, NULL, NULL),
 (E'\b\f\v\\N', 'k', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 20, NULL, NULL, NULL, NULL, NULL),
 ('\N', 'l', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 22, NULL, NULL, NULL, NULL, NULL);

-- a table whose only column holds, in one row, exactly "\." (a COPY end marker
-- if written unescaped) and, in another, NULL next to the empty string
CREATE TABLE public.just_dot (v text, w text);
INSERT INTO public.just_dot VALUES ('\.', NULL), ('', NULL), (NULL, ''), ('\.', '\.'), (E'\\.', E'\\\\.');

-- serial, foreign keys (one deferrable, one self-referencing), a unique index
CREATE TABLE public.items (
    id serial PRIMARY KEY,
    name text NOT NULL,
    parent_id integer REFERENCES public.items (id),
    price numeric(10,2) CHECK (price >= 0)
);
ALTER TABLE public.items OWNER TO regress_bk_owner;
GRANT SELECT ON public.items TO regress_bk_reader;
GRANT INSERT, UPDATE ON public.items TO regress_bk_reader WITH GRANT OPTION;
CREATE TABLE public.orders (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    item_id integer NOT NULL,
    qty integer DEFAULT 1,
    note text,
    CONSTRAINT orders_item_fk FOREIGN KEY (item_id) REFERENCES public.items (id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
GRANT SELECT (id, qty) ON public.orders TO regress_bk_reader;
INSERT INTO public.items (name, parent_id, price)
    SELECT 'item ' || g, CASE WHEN g > 1 THEN g / 2 END, g * 1.25 FROM generate_series(1, 500) g;
INSERT INTO public.orders (item_id, qty, note) SELECT (g % 500) + 1, g, 'o' || g FROM generate_series(1, 2000) g;
CREATE UNIQUE INDEX items_name_lower ON public.items (lower(name));
CREATE INDEX orders_big_qty ON public.orders (qty) INCLUDE (note) WHERE qty > 100;
CLUSTER public.orders USING orders_pkey;
COMMENT ON INDEX public.orders_big_qty IS 'partial';
CREATE STATISTICS public.orders_stats (dependencies, ndistinct) ON item_id, qty FROM public.orders;

-- exclusion constraint
CREATE TABLE public.booking (room integer, during tsrange,
    EXCLUDE USING gist (room WITH =, during WITH &&));
INSERT INTO public.booking VALUES (1, '[2024-01-01,2024-01-02)'), (1, '[2024-01-02,2024-01-03)');

-- partitioning: list partitions, a default partition, a sub-partitioned one
CREATE TABLE public.events (id integer NOT NULL, kind text NOT NULL, at date DEFAULT CURRENT_DATE,
    PRIMARY KEY (id, kind)) PARTITION BY LIST (kind);
CREATE TABLE public.events_a PARTITION OF public.events FOR VALUES IN ('a');
CREATE TABLE public.events_b PARTITION OF public.events FOR VALUES IN ('b', 'B') PARTITION BY RANGE (id);
CREATE TABLE public.events_b_low PARTITION OF public.events_b FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE public.events_b_high PARTITION OF public.events_b FOR VALUES FROM (1000) TO (MAXVALUE);
CREATE TABLE public.events_other PARTITION OF public.events DEFAULT;
CREATE INDEX events_at ON public.events (at);
-- partition indexes under names other than the ones PostgreSQL would choose:
-- one renamed, and a partition whose own key and index were attached with it
ALTER INDEX public.events_a_at_idx RENAME TO events_a_when;
CREATE TABLE public.events_c (id integer NOT NULL, kind text NOT NULL, at date);
ALTER TABLE public.events_c ADD CONSTRAINT events_c_own_key PRIMARY KEY (id, kind);
CREATE INDEX events_c_own_at ON public.events_c (at);
ALTER TABLE public.events ATTACH PARTITION public.events_c FOR VALUES IN ('c');
INSERT INTO public.events SELECT g, (ARRAY['a','b','B','zz','c'])[1 + g % 5], DATE '2024-01-01' + g FROM generate_series(1, 3000) g;

-- inheritance
CREATE TABLE public.animal (id integer, name text, CONSTRAINT animal_name CHECK (name <> ''));
CREATE TABLE public.dog (good boolean DEFAULT true) INHERITS (public.animal);
INSERT INTO public.animal VALUES (1, 'generic');
INSERT INTO public.dog VALUES (2, 'rex', true), (3, 'fido', false);

-- unlogged table, table with storage parameters
CREATE UNLOGGED TABLE public.scratch (k text PRIMARY KEY, v integer) WITH (fillfactor = 70);
INSERT INTO public.scratch VALUES ('x', 1), ('y', 2);

-- views on views (name order is the wrong order), a view with options,
-- materialized views with and without data
CREATE VIEW public.zz_base AS SELECT id, name, price FROM public.items WHERE price > 10;
CREATE VIEW public.aa_top AS SELECT id, upper(name) AS name FROM public.zz_base;
CREATE VIEW public.cheap WITH (security_barrier) AS SELECT * FROM public.items WHERE price < 5
    WITH LOCAL CHECK OPTION;
COMMENT ON VIEW public.aa_top IS 'view on a view';
GRANT SELECT ON public.aa_top TO regress_bk_reader;
CREATE MATERIALIZED VIEW public.item_totals AS
    SELECT i.id, sum(o.qty) AS total FROM public.items i JOIN public.orders o ON o.item_id = i.id GROUP BY i.id;
CREATE UNIQUE INDEX item_totals_id ON public.item_totals (id);
CREATE MATERIALIZED VIEW public.empty_mv AS SELECT 1 AS one WITH NO DATA;

-- procedures, aggregates, triggers, rules
CREATE PROCEDURE public.bump(IN n integer) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.scratch SET v = v + n;
END
$$;
CREATE FUNCTION public.concat_step(text, text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN $1 = '' THEN $2 ELSE $1 || ',' || $2 END $$;
CREATE AGGREGATE public.concat_all(text) (SFUNC = public.concat_step, STYPE = text, INITCOND = '');
CREATE AGGREGATE public.my_sum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0', PARALLEL = SAFE);
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.note := coalesce(NEW.note, '') || '+';
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_stamp BEFORE INSERT OR UPDATE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION public.stamp();
CREATE TRIGGER orders_stamp_off BEFORE DELETE ON public.orders
    FOR EACH ROW WHEN (OLD.qty > 5) EXECUTE FUNCTION public.stamp();
ALTER TABLE public.orders DISABLE TRIGGER orders_stamp_off;
COMMENT ON TRIGGER orders_stamp ON public.orders IS 'marks notes';
CREATE TABLE public.audit_log (msg text);
CREATE RULE log_scratch AS ON DELETE TO public.scratch DO ALSO INSERT INTO public.audit_log VALUES ('deleted ' || OLD.k);
CREATE FUNCTION public.events_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER events_guard BEFORE UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_guard();

-- row-level security
CREATE TABLE public.secrets (owner name DEFAULT current_user, secret text);
INSERT INTO public.secrets VALUES ('alice', 'a1'), ('bob', 'b1');
ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON public.secrets FOR SELECT TO regress_bk_reader USING (owner = current_user);
CREATE POLICY no_bob ON public.secrets AS RESTRICTIVE FOR ALL TO PUBLIC USING (owner <> 'bob') WITH CHECK (owner <> 'bob');

-- sequences in several states
CREATE SEQUENCE public.fresh_seq;
CREATE SEQUENCE public.used_seq AS smallint;
SELECT nextval('public.used_seq'), nextval('public.used_seq'), nextval('public.odd_seq');
SELECT setval('public.fresh_seq', 42, false);

-- more comments, privileges and table settings
REVOKE ALL ON FUNCTION public.my_sum(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.my_sum(integer) TO regress_bk_reader;
GRANT USAGE ON TYPE public.even_int TO regress_bk_reader;
GRANT SELECT, UPDATE ON SEQUENCE public.fresh_seq TO regress_bk_reader;
COMMENT ON CONSTRAINT e_not_negative ON "My Schema"."Tricky ""Table""" IS 'non-negative';
COMMENT ON AGGREGATE public.my_sum(integer) IS 'sum';
COMMENT ON POLICY no_bob ON public.secrets IS 'no bob';
COMMENT ON RULE log_scratch ON public.scratch IS 'logs';
COMMENT ON DOMAIN public.even_int IS 'even';
COMMENT ON SEQUENCE public.odd_seq IS 'odd';
COMMENT ON MATERIALIZED VIEW public.item_totals IS 'totals';
COMMENT ON PROCEDURE public.bump(integer) IS 'bumps';
COMMENT ON STATISTICS public.orders_stats IS 'stats';
ALTER TABLE public.items REPLICA IDENTITY FULL;

-- collations, casts, event triggers, default privileges
CREATE COLLATION public.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION "My Schema"."posix copy" (provider = libc, lc_collate = 'C', lc_ctype = 'C');
CREATE TABLE public.names (n text COLLATE public.nocase PRIMARY KEY, m text COLLATE "My Schema"."posix copy");
INSERT INTO public.names VALUES ('Alice', 'b'), ('bob', 'A');
CREATE FUNCTION public.pair_to_text(public.pair) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.a || '/' || $1."B text" $$;
CREATE CAST (public.pair AS text) WITH FUNCTION public.pair_to_text(public.pair) AS ASSIGNMENT;
CREATE CAST (public.floatrange AS text) WITH INOUT;
COMMENT ON CAST (public.pair AS text) IS 'pair as text';
CREATE FUNCTION public.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
CREATE EVENT TRIGGER note_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION public.note_ddl();
CREATE EVENT TRIGGER note_drop ON sql_drop EXECUTE FUNCTION public.note_ddl();
ALTER EVENT TRIGGER note_drop DISABLE;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_bk_owner GRANT SELECT ON TABLES TO regress_bk_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_bk_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_bk_owner IN SCHEMA "My Schema" GRANT USAGE ON SEQUENCES TO regress_bk_reader;

-- text search, foreign data, publications
CREATE TEXT SEARCH DICTIONARY public.english_stem_nostop (TEMPLATE = snowball, language = 'english');
CREATE TEXT SEARCH DICTIONARY public.simple_keep (TEMPLATE = pg_catalog.simple, stopwords = 'english', accept = false);
CREATE TEXT SEARCH CONFIGURATION public.my_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION public.my_english ALTER MAPPING FOR asciiword WITH public.simple_keep, public.english_stem_nostop;
ALTER TEXT SEARCH CONFIGURATION public.my_english DROP MAPPING FOR url;
COMMENT ON TEXT SEARCH CONFIGURATION public.my_english IS 'english, our way';
CREATE TABLE public.docs (id integer PRIMARY KEY, body text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('public.my_english', body)) STORED);
INSERT INTO public.docs (id, body) VALUES (1, 'The quick brown foxes jumped'), (2, E'tabs\tand\nlines');
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN DATA WRAPPER dummy_fdw OPTIONS (debug 'true');
CREATE SERVER elsewhere TYPE 'remote' VERSION '1.0' FOREIGN DATA WRAPPER dummy_fdw OPTIONS (host 'db.example.org', port '5432');
CREATE USER MAPPING FOR regress_bk_reader SERVER elsewhere OPTIONS (user 'reader', password 'secret');
CREATE USER MAPPING FOR PUBLIC SERVER elsewhere;
GRANT USAGE ON FOREIGN SERVER elsewhere TO regress_bk_reader;
COMMENT ON SERVER elsewhere IS 'a server';
CREATE FOREIGN TABLE public.passwd_file (name text OPTIONS (force_null 'false') NOT NULL, rest text COLLATE "C")
    SERVER files OPTIONS (filename '/etc/passwd', format 'text', delimiter ':');
GRANT SELECT ON public.passwd_file TO regress_bk_reader;
CREATE PUBLICATION pub_all FOR ALL TABLES WITH (publish = 'insert, update');
CREATE PUBLICATION pub_some FOR TABLE public.items (id, name) WHERE (id > 10), public.orders
    WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA "My Schema";
COMMENT ON PUBLICATION pub_some IS 'some';

-- large objects: several chunks, one small, one empty; owner, privileges, comment
SELECT lo_from_bytea(4242001, convert_to(repeat(E'large\tobject\\data ', 20000), 'UTF8'));
SELECT lo_from_bytea(4242002, '\x00ff5c');
SELECT lo_create(4242003);
ALTER LARGE OBJECT 4242002 OWNER TO regress_bk_owner;
GRANT SELECT ON LARGE OBJECT 4242001 TO regress_bk_reader;
COMMENT ON LARGE OBJECT 4242001 IS 'big';

-- operators (a commutator pair across schemas), view column defaults,
-- a domain constraint that is not validated
CREATE FUNCTION public.pair_eq(public.pair, public.pair) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.a = $2.a $$;
CREATE FUNCTION public.pair_ne(public.pair, public.pair) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.a <> $2.a $$;
CREATE OPERATOR public.=~= (FUNCTION = public.pair_eq, LEFTARG = public.pair, RIGHTARG = public.pair,
    COMMUTATOR = OPERATOR(public.=~=), NEGATOR = OPERATOR("My Schema".!~=), RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR "My Schema".!~= (FUNCTION = public.pair_ne, LEFTARG = public.pair, RIGHTARG = public.pair,
    NEGATOR = OPERATOR(public.=~=));
CREATE OPERATOR public.### (FUNCTION = int8abs, RIGHTARG = bigint);
COMMENT ON OPERATOR public.=~= (public.pair, public.pair) IS 'same a';
CREATE VIEW public.item_names AS SELECT id, name FROM public.items;
ALTER VIEW public.item_names ALTER COLUMN name SET DEFAULT 'unnamed';
CREATE DOMAIN public.short_text AS text;
CREATE TABLE public.labels (t public.short_text);
INSERT INTO public.labels VALUES ('a rather long label that breaks the later rule');
ALTER DOMAIN public.short_text ADD CONSTRAINT short_text_len CHECK (length(VALUE) < 20) NOT VALID;

-- an index column's statistics target (only expression columns have one)
CREATE INDEX items_double_price ON public.items ((price * 2));
ALTER INDEX public.items_double_price ALTER COLUMN 1 SET STATISTICS 123;

-- grants made by a role other than the owner, which holds the privilege
-- WITH GRANT OPTION (the grantor must survive the round trip)
GRANT UPDATE (note) ON public.orders TO regress_bk_reader WITH GRANT OPTION;
SET ROLE regress_bk_reader;
GRANT INSERT ON public.items TO regress_bk_other;
GRANT UPDATE (note) ON public.orders TO regress_bk_other;
RESET ROLE;

-- privileges changed on members of extensions and on system objects, which
-- the backup does not create (pg_init_privs holds their initial privileges)
REVOKE EXECUTE ON FUNCTION public.hstore_version_diag(public.hstore) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.akeys(public.hstore) TO regress_bk_reader;
GRANT USAGE ON FOREIGN DATA WRAPPER file_fdw TO regress_bk_reader;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_reload_conf() TO regress_bk_reader;
GRANT SELECT (rolname) ON pg_catalog.pg_authid TO regress_bk_reader;

-- settings a backup once left out without a word (found by comparing
-- pg_dump --schema-only of this schema before and after a round trip):
-- column options, TOAST storage parameters, an inheritance child's own
-- default and NOT NULL on inherited columns, a comment on a constraint's
-- index and on a domain constraint, a partition's trigger disabled on that
-- partition alone, statistics targets of materialized-view and foreign-table
-- columns, and a CHECK constraint on a foreign table
ALTER TABLE public.orders ALTER COLUMN qty SET (n_distinct = 100, n_distinct_inherited = 5);
ALTER TABLE public.orders SET (toast.autovacuum_enabled = false);
ALTER TABLE public.dog ALTER COLUMN name SET DEFAULT 'doggo';
ALTER TABLE public.dog ALTER COLUMN id SET NOT NULL;
COMMENT ON INDEX public.orders_pkey IS 'the index of the primary key';
COMMENT ON CONSTRAINT even_int_check ON DOMAIN public.even_int IS 'even check';
COMMENT ON CONSTRAINT short_text_len ON DOMAIN public.short_text IS 'not validated';
ALTER TABLE public.events_a DISABLE TRIGGER events_guard;
ALTER MATERIALIZED VIEW public.item_totals ALTER COLUMN total SET STATISTICS 12;
ALTER MATERIALIZED VIEW public.item_totals ALTER COLUMN total SET (n_distinct = 7);
ALTER FOREIGN TABLE public.passwd_file ALTER COLUMN rest SET STATISTICS 11;
ALTER FOREIGN TABLE public.passwd_file ADD CONSTRAINT name_not_empty CHECK (name <> '');

-- a table whose name holds a newline and a backslash: the COPY block and the
-- trailer's table_rows line (which escapes both) must name it right
CREATE TABLE "My Schema"."odd
na\me" (v integer);
INSERT INTO "My Schema"."odd
na\me" VALUES (1), (2), (3);

-- ==== the kinds of issue 12 (tests/pg/t_fingerprint.sh loads the file up to here) ====
-- The cluster must have tablespace regress_bk_space (t_backup.sh and
-- t_restore.sh make it); the objects' owners, comments and privileges
-- travel with them.

-- a base type with its own functions (a shell first, then the functions,
-- then the type), with ELEMENT and a delimiter; a shell type nobody filled in
CREATE TYPE public.label_text;
CREATE FUNCTION public.label_text_in(cstring) RETURNS public.label_text
    LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION public.label_text_out(public.label_text) RETURNS cstring
    LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE public.label_text (INPUT = public.label_text_in, OUTPUT = public.label_text_out,
    INTERNALLENGTH = VARIABLE, STORAGE = extended, CATEGORY = 'S', COLLATABLE = true,
    ELEMENT = integer, SUBSCRIPT = raw_array_subscript_handler, DELIMITER = ';', DEFAULT = 'none');
ALTER TYPE public.label_text OWNER TO regress_bk_owner;
COMMENT ON TYPE public.label_text IS 'a base type';
REVOKE USAGE ON TYPE public.label_text FROM PUBLIC;
GRANT USAGE ON TYPE public.label_text TO regress_bk_reader;
CREATE TABLE public.labelled (id integer, l public.label_text);
INSERT INTO public.labelled VALUES (1, 'first'), (2, E'tab\there');
CREATE TYPE public.never_filled;
COMMENT ON TYPE public.never_filled IS 'a shell';

-- a range type with a canonical function (which needs the shell)
CREATE TYPE public.step_range;
CREATE FUNCTION public.step_range_canonical(public.step_range) RETURNS public.step_range
    LANGUAGE internal IMMUTABLE STRICT AS 'int4range_canonical';
CREATE TYPE public.step_range AS RANGE (subtype = integer, canonical = public.step_range_canonical);
CREATE TABLE public.steps (r public.step_range);
INSERT INTO public.steps VALUES ('[1,5]'), ('(7,9)'), ('empty');

-- a typed table with a column option and a key
CREATE TYPE public.person_t AS (id integer, name text);
CREATE TABLE public.people OF public.person_t (PRIMARY KEY (id), name WITH OPTIONS DEFAULT 'nobody');
INSERT INTO public.people VALUES (1, 'ann'), (2, DEFAULT);

-- operator classes and families: a hash class on integers by absolute
-- value with a loose member added later, a family without a class that has
-- a loose member of its own; the class used by a partition key and an index
CREATE FUNCTION public.abs_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT abs($1) = abs($2)';
CREATE FUNCTION public.abs_hash(integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT hashint4(abs($1))';
CREATE FUNCTION public.abs_hash_ext(integer, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT hashint4extended(abs($1), $2)';
CREATE OPERATOR public.=@ (FUNCTION = public.abs_eq, LEFTARG = integer, RIGHTARG = integer,
    COMMUTATOR = OPERATOR(public.=@), HASHES);
CREATE OPERATOR CLASS public.abs_int4_ops FOR TYPE integer USING hash AS
    OPERATOR 1 public.=@(integer, integer), FUNCTION 1 public.abs_hash(integer);
ALTER OPERATOR FAMILY public.abs_int4_ops USING hash ADD FUNCTION 2 public.abs_hash_ext(integer, bigint);
ALTER OPERATOR CLASS public.abs_int4_ops USING hash OWNER TO regress_bk_owner;
COMMENT ON OPERATOR CLASS public.abs_int4_ops USING hash IS 'by absolute value';
COMMENT ON OPERATOR FAMILY public.abs_int4_ops USING hash IS 'its family';
CREATE OPERATOR FAMILY "My Schema".lonely_family USING btree;
CREATE FUNCTION public.int4_abs_cmp(integer, bigint) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT btint48cmp(abs($1), abs($2))';
ALTER OPERATOR FAMILY "My Schema".lonely_family USING btree ADD FUNCTION 1 (integer, bigint) public.int4_abs_cmp(integer, bigint);
-- a GiST class with a storage type, an ordering operator (FOR ORDER BY) and
-- support functions of the system, used by an index
CREATE OPERATOR CLASS public.box_dist_ops FOR TYPE box USING gist AS STORAGE box,
    OPERATOR 3 &&(box, box), OPERATOR 15 <->(box, point) FOR ORDER BY pg_catalog.float_ops,
    FUNCTION 1 gist_box_consistent(internal, box, smallint, oid, internal),
    FUNCTION 2 gist_box_union(internal, internal), FUNCTION 5 gist_box_penalty(internal, internal, internal),
    FUNCTION 6 gist_box_picksplit(internal, internal), FUNCTION 7 gist_box_same(box, box, internal),
    FUNCTION 8 gist_box_distance(internal, box, smallint, oid, internal);
CREATE TABLE public.boxes (b box);
INSERT INTO public.boxes SELECT box(point(g, g), point(g + 1, g + 2)) FROM generate_series(1, 50) g;
CREATE INDEX boxes_b ON public.boxes USING gist (b public.box_dist_ops);
CREATE TABLE public.by_abs (k integer, v text) PARTITION BY HASH (k public.abs_int4_ops);
CREATE TABLE public.by_abs_0 PARTITION OF public.by_abs FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE public.by_abs_1 PARTITION OF public.by_abs FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO public.by_abs SELECT g, 'v' || g FROM generate_series(-20, 20) g;
CREATE INDEX items_abs_id ON public.items USING hash (id public.abs_int4_ops);

-- aggregates: ordered-set, hypothetical-set, moving with inverse, with a
-- sort operator, and a moving one over no argument at all (agg(*))
CREATE AGGREGATE public.my_percentile(float8 ORDER BY anyelement) (SFUNC = ordered_set_transition,
    STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_WRITE);
CREATE AGGREGATE public.my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi,
    STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE AGGREGATE public.my_msum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0',
    MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer, MINITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE public.my_max(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);
CREATE AGGREGATE public.my_count(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0',
    MSFUNC = int8inc, MINVFUNC = int8dec, MSTYPE = bigint, MINITCOND = '0');
COMMENT ON AGGREGATE public.my_percentile(float8 ORDER BY anyelement) IS 'ordered-set';
COMMENT ON AGGREGATE public.my_count(*) IS 'counts';
ALTER AGGREGATE public.my_rank(VARIADIC "any" ORDER BY VARIADIC "any") OWNER TO regress_bk_owner;
REVOKE ALL ON FUNCTION public.my_msum(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.my_msum(integer) TO regress_bk_reader;
CREATE VIEW public.agg_use AS SELECT public.my_percentile(0.5) WITHIN GROUP (ORDER BY id) AS p,
    public.my_count(*) AS n, public.my_max(id) AS m FROM public.items;

-- a procedural language of no extension (PL/pgSQL's handler again), a
-- function in it, a transform for it; a table access method
CREATE FUNCTION public.other_pl_handler() RETURNS language_handler
    LANGUAGE c AS '$libdir/plpgsql', 'plpgsql_call_handler';
CREATE TRUSTED LANGUAGE other_pl HANDLER public.other_pl_handler;
COMMENT ON LANGUAGE other_pl IS 'plpgsql under another name';
ALTER LANGUAGE other_pl OWNER TO regress_bk_owner;
REVOKE USAGE ON LANGUAGE other_pl FROM PUBLIC;
GRANT USAGE ON LANGUAGE other_pl TO regress_bk_reader;
CREATE FUNCTION public.in_other_pl() RETURNS integer LANGUAGE other_pl AS 'begin return 7; end';
CREATE TRANSFORM FOR integer LANGUAGE other_pl (FROM SQL WITH FUNCTION prsd_lextype(internal),
    TO SQL WITH FUNCTION int4recv(internal));
COMMENT ON TRANSFORM FOR integer LANGUAGE other_pl IS 'a transform';
CREATE ACCESS METHOD heap_again TYPE TABLE HANDLER heap_tableam_handler;
COMMENT ON ACCESS METHOD heap_again IS 'heap under another name';
CREATE TABLE public.other_heap (id integer) USING heap_again;
INSERT INTO public.other_heap VALUES (1), (2);

-- a conversion, a text search parser and template, and a configuration
-- and dictionary built on them
CREATE CONVERSION public.my_latin1 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
COMMENT ON CONVERSION public.my_latin1 IS 'latin1';
ALTER CONVERSION public.my_latin1 OWNER TO regress_bk_owner;
CREATE TEXT SEARCH PARSER public.my_parser (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH TEMPLATE public.my_template (INIT = dsimple_init, LEXIZE = dsimple_lexize);
COMMENT ON TEXT SEARCH PARSER public.my_parser IS 'the default parser again';
COMMENT ON TEXT SEARCH TEMPLATE public.my_template IS 'simple again';
CREATE TEXT SEARCH DICTIONARY public.my_dict (TEMPLATE = public.my_template, stopwords = 'english');
CREATE TEXT SEARCH CONFIGURATION public.my_config (PARSER = public.my_parser);
ALTER TEXT SEARCH CONFIGURATION public.my_config ADD MAPPING FOR asciiword, word WITH public.my_dict;

-- a foreign table that is a partition, one that is an inheritance child
CREATE TABLE public.readings (at date NOT NULL, v integer) PARTITION BY RANGE (at);
CREATE TABLE public.readings_new PARTITION OF public.readings FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);
CREATE FOREIGN TABLE public.readings_old PARTITION OF public.readings
    FOR VALUES FROM (MINVALUE) TO ('2024-01-01') SERVER elsewhere OPTIONS (table_name 'old_readings');
INSERT INTO public.readings_new VALUES ('2024-05-01', 1), ('2025-01-01', 2);
CREATE FOREIGN TABLE public.remote_dog (kennel text) INHERITS (public.dog) SERVER elsewhere;
COMMENT ON FOREIGN TABLE public.remote_dog IS 'dogs elsewhere';

-- relations in a tablespace other than the database's
CREATE TABLE public.far_away (id integer PRIMARY KEY USING INDEX TABLESPACE regress_bk_space, v text)
    TABLESPACE regress_bk_space;
CREATE INDEX far_away_v ON public.far_away (v) TABLESPACE regress_bk_space;
CREATE INDEX items_name_far ON public.items (name) TABLESPACE regress_bk_space;
CREATE MATERIALIZED VIEW public.far_totals TABLESPACE regress_bk_space AS SELECT count(*) AS n FROM public.far_away;
INSERT INTO public.far_away SELECT g, 'far ' || g FROM generate_series(1, 100) g;
REFRESH MATERIALIZED VIEW public.far_totals;

-- a subscription (pg_dump writes it with connect = false); without a
-- replication slot, so that an in-place restore can drop it
CREATE SUBSCRIPTION regress_bk_sub CONNECTION 'dbname=regress_bk_nowhere' PUBLICATION pub_some, pub_all
    WITH (connect = false, slot_name = NONE, binary = true, synchronous_commit = 'local');
COMMENT ON SUBSCRIPTION regress_bk_sub IS 'never connects';

-- an extension configuration table whose rows pg_extension_config_dump()
-- filters (WHERE id >= 1000), as PostGIS's spatial_ref_sys: the backup holds
-- the rows users added, the extension keeps its own
CREATE EXTENSION dbk_test_config WITH SCHEMA public;
INSERT INTO public.dbk_test_ref VALUES (1000, 'added'), (1001, E'added\ttoo');

-- security labels (provider dbk_test, tests/pg/ext/dbk_test_seclabel.c) on
-- objects of many kinds
SECURITY LABEL FOR dbk_test ON SCHEMA "My Schema" IS 'schema label';
SECURITY LABEL FOR dbk_test ON TABLE public.items IS 'table label';
SECURITY LABEL FOR dbk_test ON COLUMN public.items.name IS 'column label';
SECURITY LABEL FOR dbk_test ON VIEW public.aa_top IS 'view label';
SECURITY LABEL FOR dbk_test ON MATERIALIZED VIEW public.item_totals IS 'matview label';
SECURITY LABEL FOR dbk_test ON SEQUENCE public.odd_seq IS 'sequence label';
SECURITY LABEL FOR dbk_test ON FOREIGN TABLE public.passwd_file IS 'foreign table label';
SECURITY LABEL FOR dbk_test ON FUNCTION public.is_even(integer) IS 'function label';
SECURITY LABEL FOR dbk_test ON PROCEDURE public.bump(integer) IS 'procedure label';
SECURITY LABEL FOR dbk_test ON AGGREGATE public.my_percentile(float8 ORDER BY anyelement) IS 'aggregate label';
SECURITY LABEL FOR dbk_test ON TYPE public.pair IS 'composite label';
SECURITY LABEL FOR dbk_test ON TYPE "My Schema".mood IS 'enum label';
SECURITY LABEL FOR dbk_test ON DOMAIN public.even_int IS 'domain label';
SECURITY LABEL FOR dbk_test ON LANGUAGE other_pl IS 'language label';
SECURITY LABEL FOR dbk_test ON LARGE OBJECT 4242001 IS 'large object label';
SECURITY LABEL FOR dbk_test ON EVENT TRIGGER note_drop IS 'event trigger label';
SECURITY LABEL FOR dbk_test ON PUBLICATION pub_some IS 'publication label';
SECURITY LABEL FOR dbk_test ON SUBSCRIPTION regress_bk_sub IS 'subscription label';

-- issue 12: what pg_dump orders or writes and a backup once did not (each
-- failed to back up or to restore with psql without --single-transaction).
-- Two tables whose foreign keys point at each other, with rows that do too
CREATE TABLE public.zz_person (id integer PRIMARY KEY, primary_provider integer);
CREATE TABLE public.aa_staff (id integer PRIMARY KEY, person_id integer REFERENCES public.zz_person);
ALTER TABLE public.zz_person ADD FOREIGN KEY (primary_provider) REFERENCES public.aa_staff;
INSERT INTO public.zz_person VALUES (1, NULL);
INSERT INTO public.aa_staff VALUES (10, 1);
UPDATE public.zz_person SET primary_provider = 10;
-- a partitioned table whose foreign key points at itself
CREATE TABLE public.part_tree (id integer PRIMARY KEY, parent integer REFERENCES public.part_tree)
  PARTITION BY RANGE (id);
CREATE TABLE public.part_tree_1 PARTITION OF public.part_tree FOR VALUES FROM (0) TO (100);
INSERT INTO public.part_tree VALUES (1, NULL), (2, 1);
-- a CHECK and a column default calling functions that take the table's row
-- type (the default is split off the CREATE TABLE, as pg_dump does)
CREATE TABLE public.zz_checked (a integer, b integer);
CREATE FUNCTION public.aa_row_ok(public.zz_checked) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS 'SELECT $1.a IS NULL OR $1.a >= 0';
CREATE FUNCTION public.aa_default_b(public.zz_checked) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 7';
ALTER TABLE public.zz_checked ADD CONSTRAINT zz_checked_row CHECK (public.aa_row_ok(zz_checked));
ALTER TABLE public.zz_checked ALTER COLUMN b SET DEFAULT public.aa_default_b(NULL::public.zz_checked);
INSERT INTO public.zz_checked (a) VALUES (1), (2);
-- a view that selects a column it does not group by, relying on the primary
-- key (made with a stand-in query, replaced after the constraints)
CREATE VIEW public.aa_key_view AS
  SELECT p.id, p.primary_provider, count(*) AS n FROM public.zz_person p GROUP BY p.id;
CREATE VIEW public.aa_on_key_view AS SELECT id, n FROM public.aa_key_view;
-- the same in a materialized view (made in post-data, before its index)
CREATE MATERIALIZED VIEW public.aa_key_matview AS
  SELECT p.id, p.primary_provider, count(*) AS n FROM public.zz_person p GROUP BY p.id;
CREATE UNIQUE INDEX aa_key_matview_id ON public.aa_key_matview (id);
-- built on that materialized view, which waits for post-data: a view (given
-- a stand-in query until then) and a SQL-standard function body (made after
-- it), as pg_dump orders them
CREATE VIEW public.aa_on_key_matview AS SELECT id, n FROM public.aa_key_matview;
CREATE FUNCTION public.aa_key_matview_rows() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM public.aa_key_matview;
END;
-- a SQL-standard function body that groups by a primary key (made after the
-- constraints), and a view calling it
CREATE FUNCTION public.aa_key_grouped() RETURNS SETOF integer LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT p.primary_provider FROM public.zz_person p GROUP BY p.id;
END;
COMMENT ON FUNCTION public.aa_key_grouped() IS 'groups by the key';
CREATE VIEW public.aa_on_key_function AS SELECT public.aa_key_grouped() AS provider;
-- a column default calling such a function: set after the function exists
CREATE FUNCTION public.aa_key_count() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM (SELECT p.primary_provider FROM public.zz_person p GROUP BY p.id) s;
END;
CREATE TABLE public.aa_default_on_key (id integer, n bigint DEFAULT public.aa_key_count());
INSERT INTO public.aa_default_on_key (id) VALUES (1);
-- CHECK constraints calling such a function, a valid one and one NOT VALID
-- on rows it rejects: added after the function, as pg_dump adds them
CREATE TABLE public.aa_check_on_key (n bigint CONSTRAINT aa_check_on_key_n CHECK (n <= public.aa_key_count()));
INSERT INTO public.aa_check_on_key VALUES (1), (NULL);
ALTER TABLE public.aa_check_on_key ADD CONSTRAINT aa_check_on_key_late CHECK (n > public.aa_key_count()) NOT VALID;
-- and a domain's NOT VALID CHECK calling it
CREATE DOMAIN public.aa_key_bounded AS bigint;
ALTER DOMAIN public.aa_key_bounded ADD CONSTRAINT aa_key_bounded_max CHECK (VALUE <= public.aa_key_count()) NOT VALID;
-- a domain's valid CHECK calling it, with a comment, next to one that does
-- not, on a domain a table uses: the domain is created without it, the CHECK
-- added after the function, as pg_dump does
CREATE DOMAIN public.aa_key_limited AS bigint CONSTRAINT aa_key_limited_max CHECK (VALUE <= public.aa_key_count() + 100)
  CONSTRAINT aa_key_limited_min CHECK (VALUE >= 0);
COMMENT ON CONSTRAINT aa_key_limited_max ON DOMAIN public.aa_key_limited IS 'split off';
CREATE TABLE public.aa_uses_key_limited (v public.aa_key_limited);
INSERT INTO public.aa_uses_key_limited VALUES (1);
-- an operator and a cast whose function relies on a key: made after it
CREATE FUNCTION public.aa_key_less(integer, integer) RETURNS boolean LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT $1 < $2 + (SELECT count(*) FROM (SELECT p.primary_provider FROM public.zz_person p GROUP BY p.id) s);
END;
CREATE OPERATOR public.<<< (FUNCTION = public.aa_key_less, LEFTARG = integer, RIGHTARG = integer);
CREATE TYPE public.aa_key_cast_target AS (n bigint);
CREATE FUNCTION public.aa_key_cast(integer) RETURNS public.aa_key_cast_target LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT ROW($1 + (SELECT count(*) FROM (SELECT p.primary_provider FROM public.zz_person p GROUP BY p.id) s))::public.aa_key_cast_target;
END;
CREATE CAST (integer AS public.aa_key_cast_target) WITH FUNCTION public.aa_key_cast(integer);
-- an aggregate of no arguments: agg(*), with its comment and privileges
CREATE AGGREGATE public.count_star(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
COMMENT ON AGGREGATE public.count_star(*) IS 'counts rows';
REVOKE ALL ON FUNCTION public.count_star() FROM PUBLIC;
-- inheritance children with generated columns: of its own, one a parent
-- generates (written without the expression), and before 16 only (16 made
-- it an error: "child column specifies generation expression", so no
-- server from 16 on can hold it, and a database of 15 that has it cannot be
-- restored there, by pg_dump either), one generated where the parent's
-- column is not.  psql -v dbk_portable=1 leaves that out on 15 too
-- (tests/pg/cross_version.sh restores this schema on newer versions).
CREATE TABLE public.gen_parent (a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED, c integer);
CREATE TABLE public.gen_child (d integer GENERATED ALWAYS AS (a + 1) STORED) INHERITS (public.gen_parent);
CREATE TABLE public.gen_adopted (a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED, c integer);
ALTER TABLE public.gen_adopted INHERIT public.gen_parent;
CREATE TABLE public.plain_parent (a integer, c integer);
INSERT INTO public.gen_child (a, c) VALUES (1, 1);
INSERT INTO public.gen_adopted (a) VALUES (2);
SELECT current_setting('server_version_num')::int < 160000 AND NOT :{?dbk_portable} AS dbk_gen_own \gset
\if :dbk_gen_own
CREATE TABLE public.gen_own (a integer, c integer GENERATED ALWAYS AS (a * 3) STORED) INHERITS (public.plain_parent);
INSERT INTO public.gen_own (a) VALUES (3);
\else
CREATE TABLE public.gen_own (a integer, c integer) INHERITS (public.plain_parent);
INSERT INTO public.gen_own (a, c) VALUES (3, 9);
\endif
-- a table of no columns, with a row
CREATE TABLE public.no_columns ();
INSERT INTO public.no_columns DEFAULT VALUES;
-- a NOT VALID CHECK on a parent and a valid CHECK of the same name on its
-- child (the parent sorts first)
CREATE TABLE public.aa_check_parent (v integer);
CREATE TABLE public.zz_check_child (v integer, CONSTRAINT v_positive CHECK (v > 0));
ALTER TABLE public.zz_check_child INHERIT public.aa_check_parent;
INSERT INTO public.aa_check_parent VALUES (-1);
INSERT INTO public.zz_check_child VALUES (1);
ALTER TABLE public.aa_check_parent ADD CONSTRAINT v_positive CHECK (v > 0) NOT VALID;
-- storage parameters stored as written: fillfactor='0x64' is not a token
CREATE TABLE public.quoted_options (v integer) WITH (fillfactor = '0x64', autovacuum_enabled = 'off');
ALTER TABLE public.quoted_options ALTER COLUMN v SET (n_distinct = '-0.5');
-- a materialized view column's compression; an identity sequence UNLOGGED
-- on a logged table
CREATE MATERIALIZED VIEW public.compressed_view AS SELECT 'text'::text AS t;
ALTER MATERIALIZED VIEW public.compressed_view ALTER COLUMN t SET COMPRESSION pglz;
CREATE TABLE public.unlogged_identity (a integer GENERATED ALWAYS AS IDENTITY, v text);
ALTER SEQUENCE public.unlogged_identity_a_seq SET UNLOGGED;
INSERT INTO public.unlogged_identity (v) VALUES ('one');
-- backslashes in a default, a CHECK and a view (t_backup.sh backs this up
-- with standard_conforming_strings off)
CREATE TABLE public.backslashes (p text DEFAULT 'C:\dir' CHECK (p <> 'C:\x'));
CREATE VIEW public.backslash_view AS SELECT 'a\b'::text AS t, '1 day -01:00'::interval AS i;
INSERT INTO public.backslashes DEFAULT VALUES;
-- PostgreSQL 18 only (15 and 17 skip it): NOT NULL constraints of their own,
-- one NOT VALID over a row it does not accept, with a comment, one on an
-- inheritance parent, one NO INHERIT whose child holds a null
SELECT current_setting('server_version_num')::int >= 180000 AS dbk_pg18 \gset
\if :dbk_pg18
CREATE TABLE public.nn_late (id integer, v text);
INSERT INTO public.nn_late VALUES (1, NULL), (2, 'set');
ALTER TABLE public.nn_late ADD CONSTRAINT nn_late_v_set NOT NULL v NOT VALID;
COMMENT ON CONSTRAINT nn_late_v_set ON public.nn_late IS 'older rows may lack v';
CREATE TABLE public.nn_late_child (w integer) INHERITS (public.nn_late);
INSERT INTO public.nn_late_child VALUES (3, 'child', 1);
CREATE TABLE public.nn_own (id integer CONSTRAINT nn_own_id_here NOT NULL NO INHERIT, w integer NOT NULL);
CREATE TABLE public.nn_own_child () INHERITS (public.nn_own);
INSERT INTO public.nn_own_child VALUES (NULL, 1);
\endif
