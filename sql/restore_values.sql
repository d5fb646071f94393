-- dbkeeper_restore() reads date, timestamp and timestamptz values in the form
-- a backup writes them without the input functions (pg_ext/restore_values.c),
-- and text and varchar values as they are; every other form still goes
-- through the input functions.  Each value must come back as the input
-- functions read it: edge cases of both paths, and random values from year 1
-- to 9999 with every number of fractional digits, backed up in a time zone
-- east of UTC and in one west of it (offsets with minutes, and with seconds
-- before standard time), compared with what the table held before.
\set VERBOSITY terse
CREATE EXTENSION dbkeeper;
SET timezone = 'UTC';
CREATE TABLE regress_rv (
  id integer,
  d date,
  ts timestamp,
  tstz timestamptz,
  ts3 timestamp(3),
  tstz0 timestamptz(0),
  t text,
  vc varchar(5),
  v varchar
);
INSERT INTO regress_rv (id, d, ts, tstz, ts3, tstz0) VALUES
  (1, '2024-02-29', '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59.999999+00', '2024-02-29 23:59:59.999', '2024-02-29 23:59:59+00'),
  (2, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00'),
  (3, '1999-12-31', '1999-12-31 23:59:59.5', '1999-12-31 23:59:59.5+00', '1999-12-31 23:59:59.5', '1999-12-31 23:59:59+00'),
  (4, '0001-01-01', '0001-01-01 00:00:00', '0001-01-01 12:00:00+00', '0001-01-01 00:00:00.001', '0001-01-01 12:00:00+00'),
  (5, '9999-12-31', '9999-12-31 23:59:59.000001', '9999-12-31 00:00:00+00', '9999-12-31 23:59:59.999', '9999-12-31 00:00:00+00'),
  (6, '10000-01-01', '10000-01-01 00:00:00', '10000-01-01 00:00:00+00', '10000-01-01 00:00:00', '10000-01-01 00:00:00+00'),
  (7, '0044-03-15 BC', '0100-01-01 00:00:00 BC', '0100-01-01 00:00:00+00 BC', '0001-06-01 00:00:00 BC', '0001-06-01 00:00:00+00 BC'),
  (8, 'infinity', 'infinity', 'infinity', 'infinity', 'infinity'),
  (9, '-infinity', '-infinity', '-infinity', '-infinity', '-infinity'),
  (10, '1900-02-28', '2024-01-01 24:00:00', '1850-06-01 12:00:00 Europe/Amsterdam', '1900-03-01 00:00:00', '1850-06-01 12:00:00 Asia/Kolkata'),
  (11, '2100-02-28', '1850-06-01 12:00:00.1', '1883-11-18 12:00:00 America/New_York', '1850-06-01 12:00:00.12', '1883-11-18 11:59:59 America/Chicago'),
  (12, NULL, NULL, NULL, NULL, NULL);
INSERT INTO regress_rv (id, t, vc, v) VALUES
  (20, '', '', ''),
  (21, 'plain ascii', 'abcde', 'no limit'),
  (22, 'ünïcödé ✓', 'ünïcö', 'ünïcödé ✓'),
  (23, E'tab\there, newline\nthere, backslash \\ and CR\r', 'ab   ', E'\\N'),
  (24, repeat('long ', 4000), 'abc', repeat('x', 10000));
-- random values: microseconds from year 1 to 9999, cut to 0 to 6 fractional digits
INSERT INTO regress_rv (id, d, ts, tstz, ts3, tstz0)
  SELECT 100 + g, x::date, x, x + interval '7 hours 13 minutes', x, x
  FROM (SELECT g, date_trunc('second', r) + interval '1 microsecond'
                  * (floor(extract(microseconds FROM r)::bigint % 1000000 / 10 ^ (g % 7)) * 10 ^ (g % 7)) AS x
        FROM (SELECT g, timestamp '0001-01-01' + random() * interval '3652000 days' AS r
              FROM generate_series(1, 3000) g) s) t;
-- rows in the middle of the year 2000 boundary, both sides
INSERT INTO regress_rv (id, ts, tstz)
  SELECT 10000 + g, timestamp '2000-01-01' + g * interval '0.25 seconds', timestamptz '2000-01-01 00:00:00+00' + g * interval '0.25 seconds'
  FROM generate_series(-20, 20) g;

SELECT md5(string_agg(concat_ws('|', id, d, ts, tstz, ts3, tstz0, t, vc, v), ',' ORDER BY id)) AS before,
       count(*) AS rows
FROM regress_rv \gset

-- backed up east of UTC: +05:30, and +05:53:28 before standard time
SET timezone = 'Asia/Kolkata';
SELECT dbkeeper_backup('values-east') IS NOT NULL AS backed_up;
-- west: -03:30 and -02:30, and -03:30:52 before standard time
SET timezone = 'America/St_Johns';
SELECT dbkeeper_backup('values-west') IS NOT NULL AS backed_up;
UPDATE regress_rv SET ts = ts + interval '1 microsecond', tstz = tstz - interval '1 second', t = t || 'x';
-- restored in a third time zone: the offsets in the file decide, not the session
SET timezone = 'Pacific/Chatham';
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'values-east')) IS NOT NULL AS restored_east;
SET timezone = 'UTC';
SELECT md5(string_agg(concat_ws('|', id, d, ts, tstz, ts3, tstz0, t, vc, v), ',' ORDER BY id)) = :'before' AS same_values,
       count(*) = :rows AS same_rows
FROM regress_rv;
UPDATE regress_rv SET d = d + 1, tstz0 = tstz0 + interval '1 hour';
SELECT dbkeeper_restore((SELECT name FROM dbkeeper_backups() WHERE label = 'values-west')) IS NOT NULL AS restored_west;
SET timezone = 'UTC';
SELECT md5(string_agg(concat_ws('|', id, d, ts, tstz, ts3, tstz0, t, vc, v), ',' ORDER BY id)) = :'before' AS same_values,
       count(*) = :rows AS same_rows
FROM regress_rv;
RESET timezone;
DROP TABLE regress_rv;
DROP EXTENSION dbkeeper;
