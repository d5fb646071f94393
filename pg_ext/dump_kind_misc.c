/*
 * dump_kind_misc.c — procedural languages, transforms, conversions, text
 * search parsers and templates, the tablespaces of relations,
 * subscriptions and security labels (see dump_kind.h).
 *
 * Tablespaces are cluster-wide: the script cannot create them, and a
 * database restored from it needs every tablespace its relations were in,
 * as pg_dump's output does.  A table or materialized view is moved there
 * right after it is created (still empty), an index right after the
 * indexes are built.
 *
 * Subscriptions are written as pg_dump writes them, with connect = false:
 * the restored subscription is disabled and has made no replication slot;
 * enabling it is the DBA's decision.  Their connection strings are readable
 * by superusers only, so they are read only when the database has a
 * subscription.
 *
 * Security labels are set at the very end of the script (after event
 * triggers and publications, which can have them), on every object of the
 * script that has one; the restoring server needs the label
 * providers loaded, as for pg_dump's output.
 */
#include "postgres.h"

#include "executor/spi.h"

#include "dump_kind.h"
#include "catalog_sql.h"
#include "compat.h"

#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

const char *
dbk_kind_languages(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_language'::regclass::oid, l.oid, 41, l.lanname, format('language %%I', l.lanname),"
					" format('CREATE %%sPROCEDURAL LANGUAGE %%I HANDLER %%s%%s%%s;', CASE WHEN l.lanpltrusted THEN 'TRUSTED ' ELSE '' END,"
					"   l.lanname, l.lanplcallfoid::regproc::text,"
					"   CASE WHEN l.laninline <> 0 THEN ' INLINE ' || l.laninline::regproc::text ELSE '' END,"
					"   CASE WHEN l.lanvalidator <> 0 THEN ' VALIDATOR ' || l.lanvalidator::regproc::text ELSE '' END)"
					" || %s, NULL::text"
					" FROM pg_language l WHERE l.oid >= 16384 AND " NOT_MEMBER("pg_language", "l.oid"),
					dbk_dump_sql_decorations("pg_language", "l.oid", "format('LANGUAGE %I', l.lanname)", "l.lanowner",
					                         "format('LANGUAGE %I', l.lanname)", "l.lanacl"));
}

const char *
dbk_kind_transforms(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_transform'::regclass::oid, x.oid, 47, q.q, 'transform ' || q.q,"
					" format('CREATE TRANSFORM %%s (%%s);', q.q, concat_ws(', ',"
					"   'FROM SQL WITH FUNCTION ' || nullif(x.trffromsql, 0)::regprocedure::text,"
					"   'TO SQL WITH FUNCTION ' || nullif(x.trftosql, 0)::regprocedure::text))"
					" || %s, NULL::text"
					" FROM pg_transform x JOIN pg_language l ON l.oid = x.trflang"
					" CROSS JOIN LATERAL (SELECT format('FOR %%s LANGUAGE %%I', format_type(x.trftype, NULL), l.lanname) AS q) q"
					" WHERE x.oid >= 16384 AND " NOT_MEMBER("pg_transform", "x.oid"),
					dbk_dump_sql_comment("pg_transform", "x.oid", "'TRANSFORM ' || q.q"));
}

const char *
dbk_kind_conversions(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_conversion'::regclass::oid, x.oid, 47, q.q, 'conversion ' || q.q,"
					" format('CREATE %%sCONVERSION %%s FOR %%L TO %%L FROM %%s;', CASE WHEN x.condefault THEN 'DEFAULT ' ELSE '' END,"
					"   q.q, pg_encoding_to_char(x.conforencoding), pg_encoding_to_char(x.contoencoding), x.conproc::regproc::text)"
					" || %s, NULL::text"
					" FROM pg_conversion x JOIN pg_namespace n ON n.oid = x.connamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.conname) AS q) q"
					" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_conversion", "x.oid"),
					dbk_dump_sql_decorations("pg_conversion", "x.oid", "'CONVERSION ' || q.q", "x.conowner",
					                         NULL, NULL));
}

const char *
dbk_kind_ts_parsers(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_ts_parser'::regclass::oid, x.oid, 31, q.q, 'text search parser ' || q.q,"
					" format(E'CREATE TEXT SEARCH PARSER %%s (\\n    START = %%s,\\n    GETTOKEN = %%s,\\n    END = %%s,"
					"\\n    LEXTYPES = %%s%%s\\n);', q.q, x.prsstart::regproc::text, x.prstoken::regproc::text,"
					"   x.prsend::regproc::text, x.prslextype::regproc::text,"
					"   CASE WHEN x.prsheadline <> 0 THEN E',\\n    HEADLINE = ' || x.prsheadline::regproc::text ELSE '' END)"
					" || %s, NULL::text"
					" FROM pg_ts_parser x JOIN pg_namespace n ON n.oid = x.prsnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.prsname) AS q) q"
					" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_ts_parser", "x.oid"),
					dbk_dump_sql_comment("pg_ts_parser", "x.oid", "'TEXT SEARCH PARSER ' || q.q"));
}

const char *
dbk_kind_ts_templates(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_ts_template'::regclass::oid, x.oid, 32, q.q, 'text search template ' || q.q,"
					" format(E'CREATE TEXT SEARCH TEMPLATE %%s (\\n    %%sLEXIZE = %%s\\n);', q.q,"
					"   CASE WHEN x.tmplinit <> 0 THEN 'INIT = ' || x.tmplinit::regproc::text || E',\\n    ' ELSE '' END,"
					"   x.tmpllexize::regproc::text)"
					" || %s, NULL::text"
					" FROM pg_ts_template x JOIN pg_namespace n ON n.oid = x.tmplnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.tmplname) AS q) q"
					" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_ts_template", "x.oid"),
					dbk_dump_sql_comment("pg_ts_template", "x.oid", "'TEXT SEARCH TEMPLATE ' || q.q"));
}

/* Functions these objects call, which pg_depend may not order before them. */
static const char *const edges_sql =
"SELECT 'pg_language'::regclass::oid, l.oid, 'pg_proc'::regclass::oid, f FROM pg_language l"
"  CROSS JOIN LATERAL unnest(ARRAY[l.lanplcallfoid, l.laninline, l.lanvalidator]) f WHERE l.oid >= 16384 AND f <> 0"
" UNION ALL SELECT 'pg_transform'::regclass::oid, x.oid, 'pg_proc'::regclass::oid, f FROM pg_transform x"
"  CROSS JOIN LATERAL unnest(ARRAY[x.trffromsql, x.trftosql]) f WHERE x.oid >= 16384 AND f <> 0"
" UNION ALL SELECT 'pg_transform'::regclass::oid, x.oid, 'pg_language'::regclass::oid, x.trflang FROM pg_transform x"
"  WHERE x.oid >= 16384"
" UNION ALL SELECT 'pg_conversion'::regclass::oid, x.oid, 'pg_proc'::regclass::oid, x.conproc FROM pg_conversion x"
"  WHERE x.oid >= 16384"
" UNION ALL SELECT 'pg_ts_parser'::regclass::oid, x.oid, 'pg_proc'::regclass::oid, f FROM pg_ts_parser x"
"  CROSS JOIN LATERAL unnest(ARRAY[x.prsstart, x.prstoken, x.prsend, x.prslextype, x.prsheadline]) f"
"  WHERE x.oid >= 16384 AND f <> 0"
" UNION ALL SELECT 'pg_ts_template'::regclass::oid, x.oid, 'pg_proc'::regclass::oid, f FROM pg_ts_template x"
"  CROSS JOIN LATERAL unnest(ARRAY[x.tmplinit, x.tmpllexize]) f WHERE x.oid >= 16384 AND f <> 0";

/*
 * Relations outside the database's default tablespace: tables and
 * materialized views after every pre-data object (keyed (0, 0), priority
 * above all keyed objects), indexes after every index and constraint.
 */
static const char *const tablespaces_pre_sql =
"SELECT 0::oid, 0::oid, 95, q.q, CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || q.q,"
" format('ALTER %s %s SET TABLESPACE %I;', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE ONLY' END,"
"   q.q, t.spcname), NULL::text"
" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_tablespace t ON t.oid = c.reltablespace"
" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS q) q"
" WHERE c.relkind IN ('r', 'p', 'm') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");

static const char *const tablespaces_post_sql =
"SELECT 0::oid, 0::oid, 137, q.q, 'index ' || q.q, format('ALTER INDEX %s SET TABLESPACE %I;', q.q, t.spcname), NULL::text"
" FROM pg_class ic JOIN pg_index i ON i.indexrelid = ic.oid JOIN pg_class c ON c.oid = i.indrelid"
" JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_tablespace t ON t.oid = ic.reltablespace"
" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, ic.relname) AS q) q"
" WHERE c.relkind IN ('r', 'p', 'm') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");

/*
 * Subscriptions, last of all (pg_dump puts them in its post-data section
 * too).  Their comments are in pg_description, not pg_shdescription.
 */
static char *
subscriptions_sql(void)
{
	return psprintf("SELECT 0::oid, 0::oid, 980, s.subname, format('subscription %%I', s.subname),"
					" format('CREATE SUBSCRIPTION %%I CONNECTION %%L PUBLICATION %%s WITH (connect = false, slot_name = %%s%%s);',"
					"   s.subname, s.subconninfo, (SELECT string_agg(quote_ident(p), ', ') FROM unnest(s.subpublications) p),"
					"   coalesce(quote_literal(s.subslotname), 'NONE'), " DBK_SQL_SUBSCRIPTION_OPTIONS("s") ")"
					" || %s || %s"
					/* a subscription's security labels are in pg_shseclabel */
					" || coalesce((SELECT string_agg(format(E'\\nSECURITY LABEL FOR %%I ON SUBSCRIPTION %%I IS %%L;', l.provider,"
					"   s.subname, l.label), '' ORDER BY l.provider) FROM pg_shseclabel l"
					"   WHERE l.classoid = 'pg_subscription'::regclass AND l.objoid = s.oid), ''), NULL::text"
					" FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
					dbk_dump_sql_owner("format('SUBSCRIPTION %I', s.subname)", "s.subowner"),
					dbk_dump_sql_comment("pg_subscription", "s.oid", "format('SUBSCRIPTION %I', s.subname)"));
}

/*
 * Security labels on the objects the script creates: not on extension
 * members (CREATE EXTENSION makes them) nor on system objects.
 */
static const char *const security_labels_sql =
"SELECT 0::oid, 0::oid, 990, i.identity || ' ' || x.provider, 'security label on ' || i.identity,"
" format('SECURITY LABEL FOR %I ON %s %s IS %L;', x.provider,"
"   CASE i.type WHEN 'table column' THEN 'COLUMN' WHEN 'composite type' THEN 'TYPE' ELSE upper(i.type) END,"
"   i.identity, x.label), NULL::text"
" FROM pg_seclabel x CROSS JOIN LATERAL pg_identify_object(x.classoid, x.objoid, x.objsubid) i"
" WHERE x.objoid >= 16384 AND (i.schema IS NULL OR (i.schema !~ '^pg_' AND i.schema <> 'information_schema'))"
" AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = x.classoid AND e.objid = x.objoid AND e.deptype = 'e')";

static bool
has_subscriptions(void)
{
	if (SPI_execute("SELECT 1 FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database"
					" WHERE datname = current_database())", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "catalog query on pg_subscription failed");
	return SPI_processed > 0;
}

const char *
dbk_kind_misc_edges(const dump_kind_context *cx)
{
	return edges_sql;
}

const char *
dbk_kind_relation_tablespaces(const dump_kind_context *cx)
{
	return tablespaces_pre_sql;
}

const char *
dbk_kind_index_tablespaces(const dump_kind_context *cx)
{
	return tablespaces_post_sql;
}

const char *
dbk_kind_security_labels(const dump_kind_context *cx)
{
	return security_labels_sql;
}

/* Subscriptions, when the database has one (NULL: nothing to query). */
const char *
dbk_kind_subscriptions(const dump_kind_context *cx)
{
	return has_subscriptions() ? subscriptions_sql() : NULL;
}
