-- tests/bench/gen_schema_heavy.sql — a schema-heavy database with little
-- data, for tests/bench/bench_pg_datasets.sh: the shape of a clinical
-- application's schema (GNUmed's has some 265 tables, 500 functions and 465
-- triggers).  psql variables: tables (default 300), functions (500),
-- triggers (450), views (100), rows per table (20).
--   psql -v tables=300 -v functions=500 -v triggers=450 -v views=100 -f gen_schema_heavy.sql
\set ON_ERROR_STOP 1
\if :{?tables} \else \set tables 300 \endif
\if :{?functions} \else \set functions 500 \endif
\if :{?triggers} \else \set triggers 450 \endif
\if :{?views} \else \set views 100 \endif
\if :{?rows} \else \set rows 20 \endif
SELECT set_config('gen.tables', :'tables', false), set_config('gen.functions', :'functions', false),
       set_config('gen.triggers', :'triggers', false), set_config('gen.views', :'views', false),
       set_config('gen.rows', :'rows', false) \gset

CREATE SCHEMA clin;
CREATE SCHEMA audit;
CREATE TYPE clin.status AS ENUM ('planned', 'active', 'done', 'cancelled');
CREATE DOMAIN clin.short_text AS text CHECK (length(VALUE) < 200);
CREATE TABLE audit.log (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL,
                        at timestamptz NOT NULL DEFAULT now(), row_data jsonb);

-- Tables: each has a key, typed columns, defaults, a CHECK, an index, a
-- comment, and (after the first) a foreign key to an earlier table.
DO $do$
DECLARE
  n int := current_setting('gen.tables')::int;
  r int := current_setting('gen.rows')::int;
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE format($f$CREATE TABLE clin.t%s (
        id serial PRIMARY KEY,
        ref_id integer %s,
        code varchar(20) NOT NULL DEFAULT 'c' || %s,
        label clin.short_text,
        status clin.status NOT NULL DEFAULT 'planned',
        amount numeric(10,2) CHECK (amount >= 0),
        created timestamptz NOT NULL DEFAULT now(),
        modified_by name NOT NULL DEFAULT current_user,
        extra jsonb)$f$, i,
      CASE WHEN i > 1 THEN format('REFERENCES clin.t%s ON DELETE SET NULL', (i * 7) % (i - 1) + 1) ELSE '' END, i);
    EXECUTE format('CREATE INDEX t%s_code ON clin.t%s (code, status)', i, i);
    EXECUTE format('COMMENT ON TABLE clin.t%s IS %L', i, 'table number ' || i);
    EXECUTE format($f$INSERT INTO clin.t%s (ref_id, code, label, amount, extra)
        SELECT NULL, 'c' || g, 'row ' || g, g * 1.5, jsonb_build_object('g', g)
        FROM generate_series(1, %s) g$f$, i, r);
  END LOOP;
END $do$;

-- Functions: trigger functions first (one per trigger, up to the number of
-- functions), then plain plpgsql and SQL-standard functions.
DO $do$
DECLARE
  nf int := current_setting('gen.functions')::int;
  nt int := current_setting('gen.triggers')::int;
  n int := current_setting('gen.tables')::int;
  k int := 0;
BEGIN
  FOR i IN 1..least(nt, nf) LOOP
    EXECUTE format($f$CREATE FUNCTION audit.trg%s() RETURNS trigger LANGUAGE plpgsql AS $b$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit.log (tbl, op, row_data) VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(OLD));
        RETURN OLD;
    END IF;
    NEW.modified_by := current_user;
    INSERT INTO audit.log (tbl, op, row_data) VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(NEW));
    RETURN NEW;
END
$b$$f$, i);
    k := k + 1;
  END LOOP;
  FOR i IN k + 1..nf LOOP
    IF i % 2 = 0 THEN
      EXECUTE format($f$CREATE FUNCTION clin.f%s(p_id integer, p_factor numeric DEFAULT 1) RETURNS numeric
          LANGUAGE plpgsql STABLE AS $b$
DECLARE v numeric;
BEGIN
    SELECT sum(amount) * p_factor INTO v FROM clin.t%s WHERE id <= p_id;
    RETURN coalesce(v, 0);
END
$b$$f$, i, (i % n) + 1);
    ELSE
      EXECUTE format($f$CREATE FUNCTION clin.f%s(p_code text) RETURNS bigint LANGUAGE sql STABLE
          BEGIN ATOMIC SELECT count(*) FROM clin.t%s WHERE code = p_code; END$f$, i, (i % n) + 1);
    END IF;
    EXECUTE format('COMMENT ON FUNCTION clin.f%s IS %L', i, 'function ' || i);
  END LOOP;
END $do$;

-- Triggers: spread over the tables, with their own functions
DO $do$
DECLARE
  nt int := current_setting('gen.triggers')::int;
  nf int := current_setting('gen.functions')::int;
  n int := current_setting('gen.tables')::int;
BEGIN
  FOR i IN 1..nt LOOP
    EXECUTE format('CREATE TRIGGER trg%s BEFORE INSERT OR UPDATE OR DELETE ON clin.t%s FOR EACH ROW EXECUTE FUNCTION audit.trg%s()',
                   i, ((i - 1) % n) + 1, ((i - 1) % least(nt, nf)) + 1);
  END LOOP;
END $do$;

-- Views: each joins two tables and calls a function
DO $do$
DECLARE
  nv int := current_setting('gen.views')::int;
  n int := current_setting('gen.tables')::int;
BEGIN
  FOR i IN 1..nv LOOP
    EXECUTE format($f$CREATE VIEW clin.v%s AS
        SELECT a.id, a.code, a.status, b.label AS ref_label, a.amount + coalesce(b.amount, 0) AS total
        FROM clin.t%s a LEFT JOIN clin.t%s b ON b.id = a.ref_id WHERE a.status <> 'cancelled'$f$,
      i, ((i - 1) % n) + 1, ((i * 3) % n) + 1);
    EXECUTE format('GRANT SELECT ON clin.v%s TO PUBLIC', i);
  END LOOP;
END $do$;
ANALYZE;
