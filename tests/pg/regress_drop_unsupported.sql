-- tests/pg/regress_drop_unsupported.sql: drops, with CASCADE, every object of
-- the kinds pg_ext/dump_schema.c's dbk_dump_check_supported() refuses (and
-- base types with ELEMENT, which it lets through but writes as shells), so
-- that the rest of a database (PostgreSQL's regression database) can be
-- backed up while those kinds are not yet reproduced.  Used by
-- tests/pg/t_regression_db.sh only when DBK_REGRESS_DROP_UNSUPPORTED=1.
DO $$
DECLARE
  stmt text;
  n int := 0;
BEGIN
  LOOP
    SELECT s INTO stmt FROM (
      SELECT format('DROP OPERATOR FAMILY %I.%I USING %I CASCADE', ns.nspname, x.opfname, am.amname) AS s
        FROM pg_opfamily x JOIN pg_namespace ns ON ns.oid = x.opfnamespace JOIN pg_am am ON am.oid = x.opfmethod
        WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP OPERATOR CLASS %I.%I USING %I CASCADE', ns.nspname, x.opcname, am.amname)
        FROM pg_opclass x JOIN pg_namespace ns ON ns.oid = x.opcnamespace JOIN pg_am am ON am.oid = x.opcmethod
        WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP CONVERSION %I.%I CASCADE', ns.nspname, x.conname)
        FROM pg_conversion x JOIN pg_namespace ns ON ns.oid = x.connamespace WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP TEXT SEARCH PARSER %I.%I CASCADE', ns.nspname, x.prsname)
        FROM pg_ts_parser x JOIN pg_namespace ns ON ns.oid = x.prsnamespace WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP TEXT SEARCH TEMPLATE %I.%I CASCADE', ns.nspname, x.tmplname)
        FROM pg_ts_template x JOIN pg_namespace ns ON ns.oid = x.tmplnamespace WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP TRANSFORM FOR %s LANGUAGE %I CASCADE', format_type(x.trftype, NULL), l.lanname)
        FROM pg_transform x JOIN pg_language l ON l.oid = x.trflang
      UNION ALL SELECT format('DROP LANGUAGE %I CASCADE', x.lanname) FROM pg_language x WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP ACCESS METHOD %I CASCADE', x.amname) FROM pg_am x WHERE x.oid >= 16384
      UNION ALL SELECT format('DROP SUBSCRIPTION %I', x.subname) FROM pg_subscription x
        WHERE x.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      UNION ALL SELECT format('DROP TABLE %s CASCADE', c.oid::regclass) FROM pg_class c
        WHERE c.oid >= 16384 AND (c.reloftype <> 0 OR (c.relkind = 'f' AND c.relispartition)
          OR (c.relkind = 'f' AND EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = c.oid))
          OR (c.reltablespace <> 0 AND c.relkind IN ('r', 'p', 'm')))
      UNION ALL SELECT format('DROP INDEX %s CASCADE', c.oid::regclass) FROM pg_class c
        WHERE c.oid >= 16384 AND c.reltablespace <> 0 AND c.relkind IN ('i', 'I')
      UNION ALL SELECT format('DROP TYPE %s CASCADE', x.oid::regtype) FROM pg_type x
        WHERE x.oid >= 16384 AND (x.typtype IN ('b', 'p') OR NOT x.typisdefined)
          AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = x.oid)
      UNION ALL SELECT format('DROP TYPE %s CASCADE', x.rngtypid::regtype) FROM pg_range x
        WHERE x.rngtypid >= 16384 AND x.rngcanonical <> 0
      UNION ALL SELECT format('DROP ROUTINE %s CASCADE', x.aggfnoid::regprocedure) FROM pg_aggregate x
        WHERE x.aggfnoid >= 16384 AND (x.aggkind <> 'n' OR x.aggmtransfn <> 0 OR x.aggsortop <> 0)
      UNION ALL SELECT format('SECURITY LABEL FOR %I ON %s IS NULL', x.provider, pg_describe_object(x.classoid, x.objoid, x.objsubid))
        FROM pg_seclabel x
      LIMIT 1) s;
    EXIT WHEN stmt IS NULL;
    RAISE NOTICE '%', stmt;
    EXECUTE stmt;
    n := n + 1;
    IF n > 1000 THEN RAISE EXCEPTION 'too many objects to drop'; END IF;
  END LOOP;
END
$$;
