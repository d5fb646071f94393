-- tests/bench/gen_clinical.sql — a text-heavy clinical dataset, for
-- tests/bench/bench_pg_datasets.sh: patients, encounters with free-text
-- notes of tens of words, coded lab results, medications; jsonb, numeric and
-- timestamp columns.  Its plain dump compresses about 3:1 with zstd -3.
-- psql variable patients (default 50000; each brings about 6 kB: 10
-- encounters, 40 lab results, 4 medications).
--   psql -v patients=50000 -f gen_clinical.sql
\set ON_ERROR_STOP 1
\if :{?patients} \else \set patients 50000 \endif
SELECT setseed(0.42);

-- A vocabulary of 20,000 pseudo-words of 3 to 11 letters, and 50,000
-- sentences of 6 to 14 of them drawn with a skew, as clinical prose uses a
-- few words very often and most rarely; a note is 3 to 7 sentences.
CREATE TEMP TABLE vocab (n integer PRIMARY KEY, w text NOT NULL);
INSERT INTO vocab
  SELECT i, translate(substr(md5(i::text) || md5((i * 7)::text), 1, 3 + i % 9), '0123456789', 'aeioulnrst')
  FROM generate_series(0, 19999) i;
CREATE TEMP TABLE sentence (n integer PRIMARY KEY, s text NOT NULL);
INSERT INTO sentence
  SELECT i, (SELECT string_agg(v.w, ' ') FROM vocab v
               JOIN (SELECT floor(20000 * power(random(), 1.5))::int AS r FROM generate_series(1, 6 + i % 9)) x ON v.n = x.r)
  FROM generate_series(0, 49999) i;
ANALYZE vocab;
ANALYZE sentence;

CREATE TABLE patient (
  id integer PRIMARY KEY,
  family_name text NOT NULL,
  given_name text NOT NULL,
  born date NOT NULL,
  sex char(1) NOT NULL CHECK (sex IN ('f', 'm', 'x')),
  address text,
  demographics jsonb
);
CREATE TABLE encounter (
  id bigint PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient,
  started timestamptz NOT NULL,
  kind text NOT NULL,
  clinician text NOT NULL,
  note text NOT NULL
);
CREATE TABLE lab_result (
  id bigint PRIMARY KEY,
  encounter_id bigint NOT NULL REFERENCES encounter,
  loinc varchar(10) NOT NULL,
  value numeric(12,3),
  unit text,
  flag char(1),
  taken timestamptz NOT NULL
);
CREATE TABLE medication (
  id bigint PRIMARY KEY,
  patient_id integer NOT NULL REFERENCES patient,
  atc varchar(8) NOT NULL,
  dose numeric(8,2) NOT NULL,
  started date NOT NULL,
  stopped date,
  instructions text
);

INSERT INTO patient
SELECT p, (SELECT w FROM vocab WHERE n = (p * 13) % 20000), (SELECT w FROM vocab WHERE n = (p * 31) % 500),
       date '1930-01-01' + (p * 7919) % 30000, (ARRAY['f', 'm', 'x'])[1 + p % 3],
       (p % 997) || ' ' || (SELECT w FROM vocab WHERE n = p % 300) || ' street, ' || (10000 + p % 8999),
       jsonb_build_object('insurance', 'INS' || (p * 17) % 100000, 'language', (ARRAY['de', 'en', 'fr', 'es'])[1 + p % 4],
                          'smoker', p % 5 = 0, 'weight_kg', 50 + p % 60)
FROM generate_series(1, :patients) p;

INSERT INTO encounter
SELECT e, 1 + (e - 1) / 10, timestamptz '2015-01-01' + (e * 3571 % 300000000) * interval '1 second',
       (ARRAY['visit', 'phone', 'home visit', 'emergency', 'follow-up'])[1 + e % 5],
       'dr ' || (SELECT w FROM vocab WHERE n = e % 40),
       (SELECT string_agg(s.s, '. ') FROM generate_series(1, 3 + e % 5) k
          JOIN sentence s ON s.n = (e * 7919 + k * 104729) % 50000)
FROM generate_series(1, :patients * 10) e;

INSERT INTO lab_result
SELECT r, 1 + (r - 1) / 4, (ARRAY['2345-7', '718-7', '2160-0', '2951-2', '6690-2', '777-3', '4548-4', '2093-3'])[1 + r % 8],
       round((random() * 200)::numeric, 3), (ARRAY['mg/dL', 'g/dL', 'mmol/L', '10*3/uL', '%'])[1 + r % 5],
       (ARRAY['N', 'N', 'N', 'H', 'L'])[1 + r % 5], timestamptz '2015-01-01' + (r * 1777 % 300000000) * interval '1 second'
FROM generate_series(1, :patients * 40) r;

INSERT INTO medication
SELECT m, 1 + (m - 1) / 4, 'N02BE' || lpad((m % 99)::text, 2, '0'), (m % 40) * 12.5,
       date '2015-01-01' + m % 3000, CASE WHEN m % 3 = 0 THEN date '2015-01-01' + m % 3000 + 30 END,
       'take ' || (1 + m % 3) || ' times a day ' || (SELECT w FROM vocab WHERE n = m % 200)
FROM generate_series(1, :patients * 4) m;

CREATE INDEX encounter_patient ON encounter (patient_id, started);
CREATE INDEX lab_result_encounter ON lab_result (encounter_id);
CREATE INDEX medication_patient ON medication (patient_id);
VACUUM ANALYZE;
