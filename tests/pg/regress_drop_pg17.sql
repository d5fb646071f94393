-- tests/pg/regress_drop_pg17.sql: what tests/pg/t_regression_db.sh takes out
-- of the regression database on PostgreSQL 17, before the backup, because
-- pg_dump 17, the test's oracle, crashes on it.  Only that: everything else
-- is backed up and compared with pg_dump's restore.
--
-- int_domain1, from domain.sql of the suite 17's database is built from
-- (postgresql-18's: "disallow duplicated not-null constraints").  17 accepts
-- CREATE DOMAIN ... CONSTRAINT nn1 NOT NULL CONSTRAINT nn2 NOT NULL and keeps
-- both as pg_constraint rows (18 refuses it).  pg_dump 17 (17.12) expects one
-- NOT NULL per domain: on this database it is killed by SIGSEGV while it
-- sorts the objects (gdb: reading the position of a dump id that no object
-- has, never set), in most runs; in the others, as on a small database, it
-- writes nn2 only.  pg_dump 18 run against this 17 server crashes the same
-- way.  Found on 2026-12-06 by dropping objects from copies of the database
-- until `pg_dump -s` stopped crashing, with MALLOC_PERTURB_=165 (which makes
-- the unset entry crash every time): int_domain1 alone, and its nn1 alone,
-- stop it.  Dropping nn1 leaves the domain as pg_dump 17 writes it when it
-- survives, NOT NULL by nn2; a backup of the two constraints writes the same
-- (DBK_SQL_DOMAIN_NOT_NULL in pg_ext/compat.h).
-- Each object is taken out only where it is, with a NOTICE that
-- t_regression_db.sh prints on its build line.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_constraint WHERE contypid = to_regtype('public.int_domain1')
             AND conname = 'nn1' AND contype = 'n')
     AND (SELECT count(*) FROM pg_constraint WHERE contypid = to_regtype('public.int_domain1')
          AND contype = 'n') > 1 THEN
    ALTER DOMAIN public.int_domain1 DROP CONSTRAINT nn1;
    RAISE NOTICE 'taken out: constraint nn1 of domain int_domain1 (pg_dump 17 crashes on a second NOT NULL)';
  END IF;
END
$$;
