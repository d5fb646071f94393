-- fingerprint_settle.sql — expressions that PostgreSQL prints differently
-- once they have been parsed again (an IN list over varchar columns, as
-- clinical schemas write laterality and status checks), in every place an
-- expression is stored: CHECK, default, generated column, index expression
-- and predicate, domain default and CHECK, policy, view.  Plus a trigger and
-- a rule whose enabled state tests/pg/t_fingerprint_roundtrip.sh changes.
CREATE TABLE enc (
  id serial PRIMARY KEY,
  laterality varchar(1) CHECK (laterality IN (NULL, 's', 'd')),
  kind varchar(10) DEFAULT 'a'::text,
  code varchar(5),
  flag text,
  g text GENERATED ALWAYS AS (CASE WHEN laterality IN ('s', 'd') THEN 'x' END) STORED);
CREATE INDEX enc_code_in ON enc ((code IN ('a', 'b')));
CREATE INDEX enc_partial ON enc (id) WHERE code IN ('x', 'y');
CREATE DOMAIN lat AS varchar(1) DEFAULT 's'::text CHECK (VALUE IN ('s', 'd'));
CREATE TABLE uses_lat (l lat);
ALTER TABLE enc ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON enc USING (code IN ('a', 'b')) WITH CHECK (kind IN ('a', 'b'));
CREATE VIEW v AS SELECT id, code FROM enc WHERE code IN ('a', 'b');
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER enc_audit BEFORE INSERT ON enc FOR EACH ROW EXECUTE FUNCTION audit();
CREATE RULE enc_notify AS ON DELETE TO enc DO ALSO NOTIFY enc;
INSERT INTO enc (laterality, code) VALUES ('s', 'a'), ('d', 'x');
