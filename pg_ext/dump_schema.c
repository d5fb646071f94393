/*
 * dump_schema.c — the DDL of a PostgreSQL backup, read from the catalogs.
 *
 * Everything here runs inside the backup's SPI connection, read-only, under
 * the backup's registered snapshot, with search_path set to '' so that every
 * name the pg_get_*def functions print is schema-qualified.  Those functions
 * read the current catalogs rather than the snapshot, which is why every
 * relation is locked before the snapshot is taken (backup.c).
 *
 * The script has three parts, as pg_dump's plain output has:
 *   pre-data   schemas, extensions, types, functions, aggregates, sequences,
 *              tables, views, materialized views (WITH NO DATA), each with
 *              its owner, comments and privileges.  Ordered by a topological
 *              sort over pg_depend ("n" edges) and pg_inherits, ties broken
 *              by kind and then name, so functions used in defaults, CHECKs
 *              or domains and views built on views come out in an order that
 *              replays.  What a table's constraints use orders nothing here
 *              (they are post-data); a cycle that column defaults close is
 *              broken by setting those defaults in a statement of their own
 *              (split_defaults); a view that relies on a constraint gets a
 *              stand-in query until post-data (VIEW_NEEDS_KEY); a function
 *              or materialized view that does is postponed to post-data,
 *              with the functions and materialized views built on it (views
 *              built on it get a stand-in), as pg_dump 15 does (postpone);
 *              any other cycle is an error that names the objects on it.
 *   data       one COPY block per table (dump_data.c), setval for every
 *              sequence, and the contents of large objects.
 *   post-data  sequence ownership, constraints (NOT VALID CHECKs after
 *              the valid ones children may have of the same name), what
 *              was postponed, indexes (each on its own table, partitions'
 *              then attached to their parent's, so that every index keeps
 *              its name), statistics objects, the queries of the views
 *              that got a stand-in,
 *              triggers, rules, row-level security, foreign keys, privileges
 *              changed on extension members and system objects, then
 *              REFRESH of the materialized views that were populated.
 *
 * Each kind of object has one builder (kind_*, or dbk_kind_* of the
 * dump_kind_*.c files), the query that lists every object of the kind with
 * its statements, as pg_dump splits getX and dumpX; dump_kinds is the one
 * table of them all, with the section each belongs to, so a new kind is one
 * builder and one entry.  The rarer kinds (base and shell types, operator
 * classes and families, access methods, special aggregates, languages,
 * transforms, conversions, text search parsers and templates, tablespaces,
 * subscriptions, security labels) are built in dump_kind_*.c (dump_kind.h)
 * and ordered here with the rest.
 *
 * Most databases have no object of most kinds, and each query costs its
 * parse, plan and run (0.3 to 3 ms in a new session, that of privileges
 * changed on members 17 ms), so each kind names the probe
 * (dbk_pg_probe_dump, schema_probe.c) that must find an object it could
 * list before its query runs; a probe says "none" only when the query
 * cannot return a row.  The edges kinds of rarer objects run only when an
 * object their edges start from was collected (edges_can_matter).
 *
 * Every kind of object pg_dump writes is reproduced; an object whose
 * definition cannot be read fails the backup with an error naming it
 * (collect()), never a backup that silently lacks it.  dbkeeper's own
 * objects and every other extension member are left to CREATE EXTENSION;
 * the data of extension configuration tables is kept (of a filtered one,
 * the rows its condition picks, as pg_dump keeps them).
 *
 * The SQL texts build statements with format() and the pg_get_*def family;
 * knowledge of what pg_dump emits and in which order comes from reading its
 * output and src/bin/pg_dump/pg_dump_sort.c, not from its code.
 */
#include "postgres.h"

#include "catalog/pg_am.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_conversion.h"
#include "catalog/pg_language.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_transform.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "common.h"
#include "dump_schema.h"
#include "dump_kind.h"
#include "catalog_sql.h"
#include "compat.h"

/* ------------------------------------------------------------ SQL pieces */

/* catalog_sql.h, under the short names this file uses */
#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

/* "\nCOMMENT ON <target> IS '...';" when the object has a comment. */
static char *
sql_comment(const char *cat, const char *oid, const char *target)
{
	return psprintf("coalesce((SELECT format(E'\\nCOMMENT ON %%s IS %%L;', %s, d.description)"
					" FROM pg_description d WHERE d.classoid = '%s'::regclass"
					" AND d.objoid = %s AND d.objsubid = 0), '')", target, cat, oid);
}

/* Comments on the columns of relation oid, whose qualified name is q. */
static char *
sql_column_comments(const char *oid, const char *q)
{
	return psprintf("coalesce((SELECT string_agg(format(E'\\nCOMMENT ON COLUMN %%s.%%I IS %%L;', %s,"
					" a.attname, d.description), '' ORDER BY a.attnum)"
					" FROM pg_description d JOIN pg_attribute a ON a.attrelid = d.objoid"
					" AND a.attnum = d.objsubid WHERE d.classoid = 'pg_class'::regclass"
					" AND d.objoid = %s AND d.objsubid > 0), '')", q, oid);
}

static char *
sql_owner(const char *target, const char *owner)
{
	return psprintf("format(E'\\nALTER %%s OWNER TO %%I;', %s, pg_get_userbyid(%s))", target, owner);
}

/*
 * One row "ax" of aclexplode() as a GRANT statement; what is a SQL
 * expression for the text between GRANT and TO ("SELECT ON TABLE t").  An
 * entry whose grantor is not the owner (a role that held the privilege WITH
 * GRANT OPTION passed it on) is granted under SET ROLE to that grantor, so
 * that the restored entry names the same grantor; pg_dump does the same with
 * SET SESSION AUTHORIZATION.  The script runs as a superuser, which may SET
 * ROLE to any role.
 */
static char *
sql_grant_entry(const char *what, const char *owner)
{
	return psprintf("CASE WHEN ax.grantor <> %s THEN format(E'\\nSET ROLE %%I;', pg_get_userbyid(ax.grantor)) ELSE '' END"
					" || format(E'\\nGRANT %%s TO %%s%%s;', %s, CASE WHEN ax.grantee = 0 THEN 'PUBLIC'"
					" ELSE quote_ident(pg_get_userbyid(ax.grantee)) END,"
					" CASE WHEN ax.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
					" || CASE WHEN ax.grantor <> %s THEN E'\\nRESET ROLE;' ELSE '' END", owner, what, owner);
}

/* The columns aclexplode() ... WITH ORDINALITY is given in these texts. */
#define ACLX_COLUMNS "ax(grantor, grantee, privilege_type, is_grantable, n)"

/*
 * The privileges in acl as statements: when acl is NULL the object has its
 * default privileges and nothing is said; otherwise everything is revoked
 * and each entry granted again, in the order of the array, so that the
 * restored array equals the original one, grantors included.
 *
 * A table owner who holds every privilege a table has on this server (those
 * of acldefault) is granted ALL, as pg_dump leaves such an owner alone: the
 * same entry here, and on a newer server the privileges it added (17's
 * MAINTAIN) too, which a list of this server's privileges would take away.
 */
static char *
sql_acl(const char *target, const char *acl, const char *owner)
{
	const char *owner_all = "false";

	if (strncmp(target, "'TABLE ", 7) == 0)
		owner_all = psprintf("(SELECT array_agg(o.privilege_type ORDER BY o.privilege_type) FROM aclexplode(%s) o"
							 " WHERE o.grantee = %s AND o.grantor = %s AND NOT o.is_grantable)"
							 " = (SELECT array_agg(d.privilege_type ORDER BY d.privilege_type)"
							 " FROM aclexplode(acldefault('r', %s)) d)", acl, owner, owner, owner);
	return psprintf("CASE WHEN %s IS NULL THEN '' ELSE"
					" format(E'\\nREVOKE ALL ON %%s FROM PUBLIC;\\nREVOKE ALL ON %%s FROM %%I;', %s, %s,"
					" pg_get_userbyid(%s)) || coalesce((SELECT string_agg("
					"   CASE WHEN NOT (%s AND ax.grantee = %s AND ax.grantor = %s) THEN %s"
					"   WHEN ax.k = 1 THEN format(E'\\nGRANT ALL ON %%s TO %%I;', %s, pg_get_userbyid(%s)) ELSE '' END,"
					"   '' ORDER BY ax.n)"
					" FROM (SELECT ax.*, row_number() OVER (PARTITION BY ax.grantor, ax.grantee ORDER BY ax.n) AS k"
					"   FROM aclexplode(%s) WITH ORDINALITY " ACLX_COLUMNS ") ax), '') END",
					acl, target, target, owner, owner_all, owner, owner,
					sql_grant_entry(psprintf("ax.privilege_type || ' ON ' || %s", target), owner),
					target, owner, acl);
}

/* Column privileges of relation oid (q: its qualified name, owner: its owner). */
static char *
sql_column_acl(const char *oid, const char *q, const char *owner)
{
	return psprintf("coalesce((SELECT string_agg(%s, '' ORDER BY a.attnum, ax.n)"
					" FROM pg_attribute a CROSS JOIN LATERAL aclexplode(a.attacl) WITH ORDINALITY " ACLX_COLUMNS
					" WHERE a.attrelid = %s AND a.attacl IS NOT NULL AND NOT a.attisdropped), '')",
					sql_grant_entry(psprintf("format('%%s (%%I) ON TABLE %%s', ax.privilege_type, a.attname, %s)", q),
									owner), oid);
}

/*
 * What follows the CREATE of every object that has them: its owner, its
 * comment and its privileges, each as sql_owner, sql_comment and sql_acl
 * give it (for psprintf arguments).  target names the object in ALTER and
 * COMMENT, acl_target in GRANT (they differ for some kinds: TABLE for a
 * view, FUNCTION for an aggregate); acl NULL for a kind without privileges.
 */
static char *
sql_decorations(const char *cat, const char *oid, const char *target, const char *owner,
				const char *acl_target, const char *acl)
{
	char	   *sql = psprintf("%s || %s", sql_owner(target, owner), sql_comment(cat, oid, target));

	return acl ? psprintf("%s || %s", sql, sql_acl(acl_target, acl, owner)) : sql;
}

/*
 * A reloptions or attoptions array ("name=value" entries) as the text
 * between the parentheses of WITH (...) or SET (...), each name prefixed
 * with prefix ('' or 'toast.'); NULL when there is nothing to say.  Values
 * are always quoted, as pg_dump quotes them: fillfactor='0x64' is stored as
 * written and would not parse unquoted.  pg_attver, an option some server
 * builds stamp on every new column, is left out, as pg_dump leaves it out.
 */
static char *
sql_options(const char *array, const char *prefix)
{
	return psprintf("(SELECT string_agg(%s || quote_ident(split_part(o, '=', 1)) || '='"
					" || quote_literal(substr(o, strpos(o, '=') + 1)), ', ' ORDER BY n)"
					" FROM unnest(%s) WITH ORDINALITY u(o, n) WHERE split_part(o, '=', 1) <> 'pg_attver')",
					prefix, array);
}

/*
 * The statistics targets, storage, compression and options (n_distinct, ...)
 * of the columns of relation oid (a materialized view or a foreign table),
 * as ALTER statements; alter is a SQL expression for the text before ALTER
 * COLUMN ("ALTER MATERIALIZED VIEW t").
 */
static char *
sql_column_settings(const char *oid, const char *alter)
{
	return psprintf("coalesce((SELECT string_agg("
					"   CASE WHEN a.attstattarget >= 0 THEN format(E'\\n%%s ALTER COLUMN %%I SET STATISTICS %%s;', %s, a.attname,"
					"     a.attstattarget) ELSE '' END"
					"   || CASE WHEN a.attstorage <> at.typstorage THEN format(E'\\n%%s ALTER COLUMN %%I SET STORAGE %%s;', %s,"
					"     a.attname, CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN'"
					"     ELSE 'EXTENDED' END) ELSE '' END"
					"   || CASE WHEN a.attcompression <> '' THEN format(E'\\n%%s ALTER COLUMN %%I SET COMPRESSION %%s;', %s,"
					"     a.attname, CASE a.attcompression WHEN 'p' THEN 'pglz' ELSE 'lz4' END) ELSE '' END"
					"   || coalesce(E'\\n' || %s || ' ALTER COLUMN ' || quote_ident(a.attname) || ' SET (' || %s || ');', ''),"
					"   '' ORDER BY a.attnum)"
					" FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
					" WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped), '')",
					alter, alter, alter, alter, sql_options("a.attoptions", "''"), oid);
}

/* " OPTIONS (name 'value', ...)" from an options array, or '' (for psprintf arguments). */
#define OPTS_SQL(col) \
	"coalesce(' OPTIONS (' || (SELECT string_agg(format('%I %L', o.option_name, o.option_value), ', ')" \
	" FROM pg_options_to_table(" col ") o) || ')', '')"

/* A collation clause when collation coll differs from the default coll0 (for psprintf). */
#define SQL_COLLATE(prefix, coll, coll0) \
	"CASE WHEN " coll " <> 0 AND " coll " <> " coll0 " THEN " prefix " || (SELECT format('%%I.%%I'," \
	" cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace" \
	" WHERE co.oid = " coll ") ELSE '' END"

/* --------------------------------------------------------- the object list */

/* Every query below returns these columns, in this order. */
enum
{
	COL_CLASSID = 1,
	COL_OBJID,
	COL_PRIO,
	COL_SORTKEY,
	COL_LABEL,
	COL_DDL,
	COL_EXTRA					/* REFRESH for a populated materialized view */
};

/* Kind orders (COL_PRIO) the ordering needs to know (split_defaults, postpone) */
#define PRIO_TABLE 60
#define PRIO_VIEW 70
#define PRIO_MATVIEW 80
/* where the objects postponed to post-data go: after constraints, before indexes */
#define PRIO_POSTPONED 115


/*
 * A CHECK constraint that uses a postponed object (it calls a function
 * made in post-data) is added right after the postponed objects, as
 * pg_dump adds a CHECK it dumps separately after what it needs; the order
 * among such CHECKs stays: valid ones, NOT VALID ones, domains' NOT VALID
 * ones.  A domain's valid CHECK is part of its CREATE DOMAIN, which cannot
 * wait (postpone).
 */
#define PRIO_CHECK_LATE 116
#define PRIO_CHECK_LATE_NOT_VALID 117
#define PRIO_DOMAIN_CHECK_LATE 118

/* The constraint co uses a postponed object (dump_kind_context's postponed, for %s). */
#define SQL_USES_POSTPONED \
	"EXISTS (SELECT FROM pg_depend pd WHERE pd.classid = 'pg_constraint'::regclass AND pd.objid = co.oid" \
	" AND pd.deptype = 'n' AND (pd.refclassid, pd.refobjid) IN (SELECT * FROM %s))"

typedef struct obj_key
{
	Oid			classid;
	Oid			objid;
} obj_key;

typedef struct obj_entry
{
	obj_key		key;
	int			index;
} obj_entry;

typedef struct dump_obj
{
	Oid			classid;
	Oid			objid;
	int			prio;
	char	   *sortkey;
	char	   *label;
	char	   *ddl;
	char	   *extra;
	List	   *dependents;		/* int: objects that must come after this one */
	List	   *dependencies;	/* int: objects that must come before it */
	int			waiting;		/* dependencies not yet emitted */
	bool		emitted;
	bool		postponed;		/* made in post-data (postpone) */
} dump_obj;

/*
 * An edge that column defaults make: table (an index into the set) needs
 * target only because the defaults of columns attnums (a SQL int2[]
 * literal) use it.  Such defaults can be split off the table's CREATE.
 */
typedef struct default_edge
{
	int			table;
	int			target;
	char	   *attnums;
} default_edge;

typedef struct obj_set
{
	dump_obj   *items;
	int			n;
	int			cap;
	int			emitted;		/* how many items are emitted */
	int			postponed;		/* how many items wait for post-data */
	List	   *default_edges;	/* default_edge * */
	List	   *stand_ins;		/* Oid: views given a stand-in by postpone */
	List	   *domain_checks;	/* Oid: domain CHECKs split off by postpone */
	List	   *domain_check_objs;	/* int: the object that adds each of them */
} obj_set;

static char *
value_copy(MemoryContext cxt, HeapTuple tup, TupleDesc desc, int col)
{
	char	   *v = SPI_getvalue(tup, desc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

static Oid
value_oid(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

static void
run_query(const char *sql)
{
	int			rc = SPI_execute(sql, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "catalog query failed (SPI code %d): %s", rc, sql);
}

/* A zeroed object at the end of set; earlier pointers into set may move. */
static dump_obj *
new_object(obj_set *set, MemoryContext cxt)
{
	dump_obj   *o;

	if (set->n == set->cap)
	{
		set->cap = set->cap ? set->cap * 2 : 256;
		set->items = set->items
			? repalloc_huge(set->items, sizeof(dump_obj) * set->cap)
			: MemoryContextAllocHuge(cxt, sizeof(dump_obj) * set->cap);
	}
	o = &set->items[set->n++];
	memset(o, 0, sizeof(*o));
	return o;
}

/* Runs sql and appends its rows (the COL_* columns) to set. */
static void
collect(obj_set *set, MemoryContext cxt, const char *sql)
{
	run_query(sql);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		dump_obj   *o;
		bool		isnull;

		o = new_object(set, cxt);
		o->classid = value_oid(tup, desc, COL_CLASSID);
		o->objid = value_oid(tup, desc, COL_OBJID);
		o->prio = DatumGetInt32(SPI_getbinval(tup, desc, COL_PRIO, &isnull));
		o->sortkey = value_copy(cxt, tup, desc, COL_SORTKEY);
		o->label = value_copy(cxt, tup, desc, COL_LABEL);
		o->ddl = value_copy(cxt, tup, desc, COL_DDL);
		o->extra = value_copy(cxt, tup, desc, COL_EXTRA);
		if (o->ddl == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot back up %s", o->label),
					 errdetail("Its definition could not be read from the catalogs.")));
	}
}

static int
obj_cmp(const void *a, const void *b)
{
	const dump_obj *x = a,
			   *y = b;

	int			c;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	c = strcmp(x->sortkey, y->sortkey);
	/*
	 * The statements decide between objects of one name (a role's default
	 * privileges for tables and for functions), so that the order never
	 * depends on the order the catalog queries return rows in.
	 */
	return c != 0 ? c : strcmp(x->ddl, y->ddl);
}

/* ------------------------------------------------------------ pre-data */

/*
 * True for a view whose query relies on a table's constraint, as GROUP BY
 * on a primary key does to select the table's other columns.  Constraints
 * are post-data, so such a view is created in pre-data with a stand-in
 * query of the same columns (SQL_DUMMY_VIEW_COLUMNS) and given its own
 * query once the constraints exist (kind_view_queries), as pg_dump 15 does
 * with a "dummy view" and a separate CREATE OR REPLACE VIEW.  Objects built
 * on the view meanwhile see the same columns and types.
 */
#define VIEW_NEEDS_KEY(c) \
	"EXISTS (SELECT FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid" \
	" AND d.refclassid = 'pg_constraint'::regclass AND d.deptype = 'n'" \
	" JOIN pg_constraint co ON co.oid = d.refobjid AND co.contypid = 0" \
	" WHERE r.ev_class = " c ".oid AND r.rulename = '_RETURN')"

/*
 * A materialized view or a function with a SQL-standard body that relies on
 * a table's constraint cannot have a stand-in: it is made in post-data once
 * the constraints exist, with what is built on it (postpone).
 */
static const char *const postpone_sql =
"SELECT DISTINCT CASE WHEN d.classid = 'pg_rewrite'::regclass THEN 'pg_class'::regclass::oid ELSE d.classid END,"
" CASE WHEN d.classid = 'pg_rewrite'::regclass THEN r.ev_class ELSE d.objid END"
" FROM pg_depend d JOIN pg_constraint co ON co.oid = d.refobjid AND co.contypid = 0"
" LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid AND r.rulename = '_RETURN'"
" LEFT JOIN pg_class c ON c.oid = r.ev_class"
" WHERE d.refclassid = 'pg_constraint'::regclass AND d.deptype = 'n'"
" AND (d.classid = 'pg_proc'::regclass OR c.relkind = 'm')";

/* The stand-in's select list: "NULL::type AS column", collations kept. */
#define SQL_DUMMY_VIEW_COLUMNS(c) \
	"(SELECT 'SELECT ' || coalesce(string_agg(format('NULL::%s AS %I', format_type(a.atttypid, a.atttypmod), a.attname)" \
	" || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE '" \
	" || (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn" \
	" ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) ELSE '' END, ', ' ORDER BY a.attnum), '')" \
	" FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = " c ".oid AND a.attnum > 0" \
	" AND NOT a.attisdropped)"

/*
 * The query for tables (the COL_* columns) of which where (a condition on
 * c, their pg_class row) holds.  A partition is created with all its
 * columns and then attached, as pg_dump does; an inheritance child lists its
 * local columns only.  The default of a column for which omit_default (a
 * condition on c and a, its pg_attribute row) holds is left out: the
 * ordering has split it off into a statement of its own (split_default).
 */
static char *
sql_tables(const char *where, const char *omit_default)
{
	return psprintf(
							   "SELECT 'pg_class'::regclass::oid, c.oid, " CppAsString2(PRIO_TABLE) ", q.q, 'table ' || q.q,"
							   /* a table without columns is "CREATE TABLE t (\n);", as pg_dump writes it */
							   " format(E'CREATE %%sTABLE %%s (%%s\\n)%%s%%s%%s%%s;',"
							   "   CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END, q.q,"
							   "   concat_ws(',', (SELECT E'\\n' || string_agg(format('    %%I %%s', a.attname, format_type(a.atttypid, a.atttypmod))"
							   "     || " SQL_COLLATE("' COLLATE '", "a.attcollation", "at.typcollation")
							   "     || CASE WHEN a.attgenerated = 's' AND NOT c.relispartition AND EXISTS (SELECT FROM pg_inherits i"
							   /*
							    * a column a parent generates inherits the expression, which it may
							    * not repeat; from 16 on a child may have an expression of its own,
							    * which it must write (and must, where its parents' differ)
							    */
							   "          JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname"
							   "          WHERE i.inhrelid = c.oid AND pa.attgenerated = 's')"
							   "        AND NOT EXISTS (SELECT FROM pg_inherits i JOIN pg_attribute pa ON pa.attrelid = i.inhparent"
							   "          AND pa.attname = a.attname JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum"
							   "          WHERE i.inhrelid = c.oid AND pa.attgenerated = 's'"
							   "          AND pg_get_expr(pd.adbin, pd.adrelid) <> pg_get_expr(ad.adbin, ad.adrelid)) THEN ''"
							   "          WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'"
							   "          WHEN a.attgenerated = 'v' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') VIRTUAL'"
							   "          WHEN ad.adbin IS NOT NULL AND NOT (%s) THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END"
							   "     || " DBK_SQL_COLUMN_NOT_NULL("c", "a")
							   /*
							    * 17: a partition's identity column uses its parent's sequence and
							    * has none of its own; ATTACH PARTITION makes it identity, as in
							    * pg_dump's script
							    */
							   "     || CASE WHEN a.attidentity IN ('a', 'd') THEN coalesce((SELECT format("
							   "          ' GENERATED %%s AS IDENTITY (SEQUENCE NAME %%I.%%I%%s START WITH %%s INCREMENT BY %%s MINVALUE %%s MAXVALUE %%s CACHE %%s%%s)',"
							   "          CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, sn.nspname, sc.relname,"
							   /* the sequence's persistence, where it differs from the table's */
							   "          CASE WHEN sc.relpersistence = c.relpersistence THEN ''"
							   "            WHEN sc.relpersistence = 'u' THEN ' UNLOGGED' ELSE ' LOGGED' END,"
							   "          s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)"
							   "          FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace"
							   "          JOIN pg_sequence s ON s.seqrelid = sc.oid"
							   "          WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
							   "          AND d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'), '') ELSE '' END,"
							   "     E',\\n' ORDER BY a.attnum)"
							   "     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
							   "     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
							   "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
							   "     AND (a.attislocal OR c.relispartition)), " DBK_SQL_TABLE_NOT_NULLS("c") "),"
							   "   CASE WHEN NOT c.relispartition THEN coalesce((SELECT"
							   "     E'\\nINHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'"
							   "     FROM pg_inherits i WHERE i.inhrelid = c.oid), '') ELSE '' END,"
							   "   CASE WHEN c.relkind = 'p' THEN E'\\nPARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END,"
							   "   CASE WHEN am.amname IS NOT NULL AND am.amname <> 'heap' THEN ' USING ' || quote_ident(am.amname) ELSE '' END,"
							   "   coalesce(' WITH (' || nullif(concat_ws(', ', %s,"
							   "     (SELECT %s FROM pg_class tc WHERE tc.oid = c.reltoastrelid)), '') || ')', ''))"
							   " || CASE WHEN c.relispartition THEN (SELECT format(E'\\nALTER TABLE ONLY %%s ATTACH PARTITION %%s %%s;',"
							   "     i.inhparent::regclass::text, q.q, pg_get_expr(c.relpartbound, c.oid))"
							   "     FROM pg_inherits i WHERE i.inhrelid = c.oid) ELSE '' END"
							   " || coalesce((SELECT string_agg(format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET STATISTICS %%s;',"
							   "     q.q, a.attname, a.attstattarget), '' ORDER BY a.attnum) FROM pg_attribute a"
							   "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0), '')"
							   " || coalesce((SELECT string_agg(format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET STORAGE %%s;',"
							   "     q.q, a.attname, CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN'"
							   "     ELSE 'EXTENDED' END), '' ORDER BY a.attnum) FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
							   "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attstorage <> at.typstorage), '')"
							   " || coalesce((SELECT string_agg(format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET COMPRESSION %%s;',"
							   "     q.q, a.attname, CASE a.attcompression WHEN 'p' THEN 'pglz' ELSE 'lz4' END), '' ORDER BY a.attnum)"
							   "     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
							   "     AND a.attcompression <> ''), '')"
							   " || CASE c.relreplident WHEN 'f' THEN format(E'\\nALTER TABLE ONLY %%s REPLICA IDENTITY FULL;', q.q)"
							   "     WHEN 'n' THEN format(E'\\nALTER TABLE ONLY %%s REPLICA IDENTITY NOTHING;', q.q) ELSE '' END"
							   " || coalesce((SELECT string_agg(format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET (%%s);',"
							   "     q.q, a.attname, o.o), '' ORDER BY a.attnum) FROM pg_attribute a CROSS JOIN LATERAL (SELECT %s AS o) o"
							   "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND o.o IS NOT NULL), '')"
							   /* an inheritance child's own default and NOT NULL on a column its parents define */
							   " || CASE WHEN NOT c.relispartition THEN coalesce((SELECT string_agg("
							   "     CASE WHEN ad.adbin IS NOT NULL AND NOT (%s) AND NOT EXISTS (SELECT 1 FROM pg_inherits i"
							   "       JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname"
							   "       JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum WHERE i.inhrelid = c.oid"
							   "       AND pg_get_expr(pd.adbin, pd.adrelid) = pg_get_expr(ad.adbin, ad.adrelid))"
							   "     THEN format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET DEFAULT %%s;', q.q, a.attname,"
							   "       pg_get_expr(ad.adbin, ad.adrelid)) ELSE '' END"
							   "     || " DBK_SQL_CHILD_NOT_NULL("c", "a", "q.q") ","
							   "     '' ORDER BY a.attnum) FROM pg_attribute a"
							   "     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
							   "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal"
							   "     AND a.attgenerated = ''), '') ELSE '' END"
							   " || " DBK_KIND_TYPED_TABLE_SQL
							   " || %s || %s || %s || %s || %s, NULL::text"
							   " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam"
							   " CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
							   " WHERE c.relkind IN ('r', 'p') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid") " AND %s",
							   omit_default,
							   sql_options("c.reloptions", "''"), sql_options("tc.reloptions", "'toast.'"),
							   sql_options("a.attoptions", "''"), omit_default,
							   sql_owner("'TABLE ' || q.q", "c.relowner"),
							   sql_comment("pg_class", "c.oid", "'TABLE ' || q.q"),
							   sql_column_comments("c.oid", "q.q"),
							   sql_acl("'TABLE ' || q.q", "c.relacl", "c.relowner"),
							   sql_column_acl("c.oid", "q.q", "c.relowner"), where);
}

/*
 * The query for views and materialized views (the COL_* columns) of which
 * where (a condition on c, their pg_class row) holds; prio is the SQL for
 * COL_PRIO.
 */
static char *
sql_views(const char *where, const char *prio, const char *stand_in)
{
	return psprintf(
							   "SELECT 'pg_class'::regclass::oid, c.oid, %s, q.q,"
							   " CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || q.q,"
							   " CASE WHEN c.relkind = 'v' AND (%s) THEN format(E'CREATE VIEW %%s AS\\n %%s;', q.q, %s)"
							   "   WHEN c.relkind = 'v' THEN format(E'CREATE VIEW %%s%%s AS\\n%%s', q.q,"
							   "     coalesce(' WITH (' || %s || ')', ''), pg_get_viewdef(c.oid))"
							   "   ELSE format(E'CREATE MATERIALIZED VIEW %%s%%s%%s AS\\n%%s\\n  WITH NO DATA;', q.q,"
							   "     CASE WHEN am.amname IS NOT NULL AND am.amname <> 'heap' THEN ' USING ' || quote_ident(am.amname) ELSE '' END,"
							   "     coalesce(' WITH (' || %s || ')', ''), rtrim(pg_get_viewdef(c.oid), ';')) END"
							   " || coalesce((SELECT string_agg(format(E'\\nALTER VIEW %%s ALTER COLUMN %%I SET DEFAULT %%s;', q.q,"
							   "   a.attname, pg_get_expr(ad.adbin, ad.adrelid)), '' ORDER BY a.attnum) FROM pg_attrdef ad"
							   "   JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum WHERE ad.adrelid = c.oid), '')"
							   " || CASE WHEN c.relkind = 'm' THEN %s ELSE '' END"
							   " || %s || %s || %s || %s || %s,"
							   " CASE WHEN c.relkind = 'm' AND c.relispopulated THEN format('REFRESH MATERIALIZED VIEW %%s;', q.q) END"
							   " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam"
							   " CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q,"
							   "   CASE c.relkind WHEN 'v' THEN 'VIEW ' ELSE 'MATERIALIZED VIEW ' END || format('%%I.%%I', n.nspname, c.relname) AS t) q"
							   " WHERE c.relkind IN ('v', 'm') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid") " AND %s",
							   prio, stand_in, SQL_DUMMY_VIEW_COLUMNS("c"), sql_options("c.reloptions", "''"), sql_options("c.reloptions", "''"),
							   sql_column_settings("c.oid", "'ALTER MATERIALIZED VIEW ' || q.q"),
							   sql_owner("'TABLE ' || q.q", "c.relowner"),
							   sql_comment("pg_class", "c.oid", "q.t"),
							   sql_column_comments("c.oid", "q.q"),
							   sql_acl("'TABLE ' || q.q", "c.relacl", "c.relowner"),
							   sql_column_acl("c.oid", "q.q", "c.relowner"), where);
}

/*
 * The post-data statements that give views of which where (a condition on c,
 * their pg_class row) holds their own query in place of their stand-in.
 */
static char *
sql_view_queries(const char *where)
{
	return psprintf(
					"SELECT 0::oid, 0::oid, 145, q.q, 'view ' || q.q,"
					" format(E'CREATE OR REPLACE VIEW %%s%%s AS\\n%%s', q.q, coalesce(' WITH (' || %s || ')', ''),"
					"   pg_get_viewdef(c.oid)), NULL::text"
					" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
					" WHERE c.relkind = 'v' AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid") " AND %s",
					sql_options("c.reloptions", "''"), where);
}

/* schemas (public included: its owner, comment and privileges) */
static const char *
kind_schemas(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_namespace'::regclass::oid, n.oid, 10, n.nspname, format('schema %%I', n.nspname),"
			" CASE WHEN n.nspname = 'public' THEN '' ELSE format('CREATE SCHEMA %%I;', n.nspname) END"
			" || %s, NULL::text"
			" FROM pg_namespace n CROSS JOIN LATERAL (SELECT format('SCHEMA %%I', n.nspname) AS t) t"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_namespace", "n.oid"),
			sql_decorations("pg_namespace", "n.oid", "t.t", "n.nspowner",
			                "t.t", "n.nspacl"));
}

/* extensions: their members come with them */
static const char *
kind_extensions(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_extension'::regclass::oid, x.oid, 20, x.extname, format('extension %%I', x.extname),"
			" format('CREATE EXTENSION IF NOT EXISTS %%I WITH SCHEMA %%I;', x.extname, n.nspname)"
			" || %s, NULL::text"
			" FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace",
			sql_comment("pg_extension", "x.oid", "format('EXTENSION %I', x.extname)"));
}

/* collations */
static const char *
kind_collations(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_collation'::regclass::oid, x.oid, 25, q.q, 'collation ' || q.q,"
			" format('CREATE COLLATION %%s (%%s%%s);', q.q,"
			"   " DBK_SQL_COLLATION_PROVIDER("x") ","
			"   CASE WHEN x.collisdeterministic THEN '' ELSE ', deterministic = false' END)"
			" || %s, NULL::text"
			" FROM pg_collation x JOIN pg_namespace n ON n.oid = x.collnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.collname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_collation", "x.oid"),
			sql_decorations("pg_collation", "x.oid", "'COLLATION ' || q.q", "x.collowner",
			                NULL, NULL));
}

/* casts between types, made by users (not the ones a range type makes) */
static const char *
kind_casts(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_cast'::regclass::oid, x.oid, 47, q.q, 'cast ' || q.q,"
			" format('CREATE CAST %%s %%s%%s;', q.q,"
			"   CASE x.castmethod WHEN 'f' THEN 'WITH FUNCTION ' || x.castfunc::regprocedure::text"
			"     WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END,"
			"   CASE x.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END)"
			" || %s, NULL::text"
			" FROM pg_cast x CROSS JOIN LATERAL (SELECT format('(%%s AS %%s)', format_type(x.castsource, NULL),"
			"   format_type(x.casttarget, NULL)) AS q) q"
			" WHERE x.oid >= 16384 AND " NOT_MEMBER("pg_cast", "x.oid")
			" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = x.oid"
			"   AND i.deptype = 'i')",
			sql_comment("pg_cast", "x.oid", "'CAST ' || q.q"));
}

/* text search dictionaries and configurations (parsers and templates: dump_kind_misc.c) */
static const char *
kind_ts_dictionaries(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_ts_dict'::regclass::oid, x.oid, 33, q.q, 'text search dictionary ' || q.q,"
			" format(E'CREATE TEXT SEARCH DICTIONARY %%s (\\n    TEMPLATE = %%I.%%I%%s);', q.q, tn.nspname, t.tmplname,"
			"   CASE WHEN x.dictinitoption IS NOT NULL THEN ', ' || x.dictinitoption ELSE '' END)"
			" || %s, NULL::text"
			" FROM pg_ts_dict x JOIN pg_namespace n ON n.oid = x.dictnamespace"
			" JOIN pg_ts_template t ON t.oid = x.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.dictname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_ts_dict", "x.oid"),
			sql_decorations("pg_ts_dict", "x.oid", "'TEXT SEARCH DICTIONARY ' || q.q", "x.dictowner",
			                NULL, NULL));
}

static const char *
kind_ts_configurations(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_ts_config'::regclass::oid, x.oid, 34, q.q, 'text search configuration ' || q.q,"
			" format('CREATE TEXT SEARCH CONFIGURATION %%s (PARSER = %%I.%%I);', q.q, pn.nspname, p.prsname)"
			" || coalesce((SELECT string_agg(format(E'\\nALTER TEXT SEARCH CONFIGURATION %%s ADD MAPPING FOR %%s WITH %%s;',"
			"   q.q, t.alias, d.dicts), '' ORDER BY t.tokid) FROM ts_token_type(x.cfgparser) t"
			"   CROSS JOIN LATERAL (SELECT string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) AS dicts"
			"   FROM pg_ts_config_map m WHERE m.mapcfg = x.oid AND m.maptokentype = t.tokid) d"
			"   WHERE d.dicts IS NOT NULL), '')"
			" || %s, NULL::text"
			" FROM pg_ts_config x JOIN pg_namespace n ON n.oid = x.cfgnamespace"
			" JOIN pg_ts_parser p ON p.oid = x.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.cfgname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_ts_config", "x.oid"),
			sql_decorations("pg_ts_config", "x.oid", "'TEXT SEARCH CONFIGURATION ' || q.q", "x.cfgowner",
			                NULL, NULL));
}

/* foreign-data wrappers, servers, user mappings (not members of an extension) */
static const char *
kind_foreign_data_wrappers(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_foreign_data_wrapper'::regclass::oid, x.oid, 48, x.fdwname, format('foreign-data wrapper %%I', x.fdwname),"
			" format('CREATE FOREIGN DATA WRAPPER %%I%%s%%s%%s;', x.fdwname,"
			"   CASE WHEN x.fdwhandler <> 0 THEN ' HANDLER ' || x.fdwhandler::regproc::text ELSE ' NO HANDLER' END,"
			"   CASE WHEN x.fdwvalidator <> 0 THEN ' VALIDATOR ' || x.fdwvalidator::regproc::text ELSE ' NO VALIDATOR' END,"
			"   %s) || %s, NULL::text"
			" FROM pg_foreign_data_wrapper x WHERE " NOT_MEMBER("pg_foreign_data_wrapper", "x.oid"),
			OPTS_SQL("x.fdwoptions"),
			sql_decorations("pg_foreign_data_wrapper", "x.oid", "format('FOREIGN DATA WRAPPER %I', x.fdwname)", "x.fdwowner",
			                "format('FOREIGN DATA WRAPPER %I', x.fdwname)", "x.fdwacl"));
}

static const char *
kind_foreign_servers(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_foreign_server'::regclass::oid, x.oid, 49, x.srvname, format('foreign server %%I', x.srvname),"
			" format('CREATE SERVER %%I%%s%%s FOREIGN DATA WRAPPER %%I%%s;', x.srvname,"
			"   CASE WHEN x.srvtype IS NOT NULL THEN ' TYPE ' || quote_literal(x.srvtype) ELSE '' END,"
			"   CASE WHEN x.srvversion IS NOT NULL THEN ' VERSION ' || quote_literal(x.srvversion) ELSE '' END,"
			"   w.fdwname, %s)"
			" || coalesce((SELECT string_agg(format(E'\\nCREATE USER MAPPING FOR %%s SERVER %%I%%s;',"
			"   CASE WHEN u.umuser = 0 THEN 'PUBLIC' ELSE quote_ident(u.usename) END, x.srvname, %s), '' ORDER BY u.usename)"
			"   FROM pg_user_mappings u WHERE u.srvid = x.oid), '')"
			" || %s, NULL::text"
			" FROM pg_foreign_server x JOIN pg_foreign_data_wrapper w ON w.oid = x.srvfdw"
			" WHERE " NOT_MEMBER("pg_foreign_server", "x.oid"),
			OPTS_SQL("x.srvoptions"), OPTS_SQL("u.umoptions"),
			sql_decorations("pg_foreign_server", "x.oid", "format('SERVER %I', x.srvname)", "x.srvowner",
			                "format('FOREIGN SERVER %I', x.srvname)", "x.srvacl"));
}

/*
 * The query for enum, domain and range types of which where (a condition on
 * t, their pg_type row) holds; a domain's valid CHECK constraints for which
 * omit (a condition on co, their pg_constraint row) holds are left out: the
 * ordering has split them off (split_domain_checks).
 */
static char *
sql_types(const char *where, const char *omit)
{
	return psprintf(
			"SELECT 'pg_type'::regclass::oid, t.oid, 30, q.q, 'type ' || q.q,"
			" CASE t.typtype"
			" WHEN 'e' THEN format('CREATE TYPE %%s AS ENUM (%%s);', q.q, coalesce((SELECT"
			"   string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)"
			"   FROM pg_enum e WHERE e.enumtypid = t.oid), ''))"
			" WHEN 'd' THEN format('CREATE DOMAIN %%s AS %%s', q.q, format_type(t.typbasetype, t.typtypmod))"
			"   || " SQL_COLLATE("' COLLATE '", "t.typcollation", "bt.typcollation")
			"   || CASE WHEN t.typdefaultbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0) ELSE '' END"
			"   || " DBK_SQL_DOMAIN_NOT_NULL("t")
			"   || coalesce((SELECT string_agg(format(E'\\n    CONSTRAINT %%I %%s', co.conname,"
			"      pg_get_constraintdef(co.oid)), '' ORDER BY co.conname)"
			"      FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c' AND co.convalidated"
			"      AND NOT (%s)), '') || ';'"
			" WHEN 'r' THEN (SELECT format('CREATE TYPE %%s AS RANGE (subtype = %%s%%s%%s%%s, multirange_type_name = %%s);',"
			"   q.q, format_type(r.rngsubtype, NULL),"
			"   CASE WHEN opc.opcdefault THEN '' ELSE format(', subtype_opclass = %%I.%%I', opcn.nspname, opc.opcname) END,"
			"   " SQL_COLLATE("', collation = '", "r.rngcollation", "st.typcollation") ","
			"   CASE WHEN r.rngsubdiff <> 0 THEN ', subtype_diff = ' || r.rngsubdiff::regproc::text ELSE '' END"
			"   || CASE WHEN r.rngcanonical <> 0 THEN ', canonical = ' || r.rngcanonical::regproc::text ELSE '' END,"
			"   format('%%I.%%I', mn.nspname, mt.typname))"
			"   FROM pg_range r JOIN pg_type st ON st.oid = r.rngsubtype"
			"   JOIN pg_opclass opc ON opc.oid = r.rngsubopc JOIN pg_namespace opcn ON opcn.oid = opc.opcnamespace"
			"   JOIN pg_type mt ON mt.oid = r.rngmultitypid JOIN pg_namespace mn ON mn.oid = mt.typnamespace"
			"   WHERE r.rngtypid = t.oid)"
			" END || CASE WHEN t.typtype = 'd' THEN coalesce((SELECT string_agg(format("
			"   E'\\nCOMMENT ON CONSTRAINT %%I ON DOMAIN %%s IS %%L;', co.conname, q.q, d.description), '' ORDER BY co.conname)"
			"   FROM pg_constraint co JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = co.oid"
			"   WHERE co.contypid = t.oid AND co.convalidated AND NOT (%s)), '') ELSE '' END"
			" || %s, NULL::text"
			" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
			" LEFT JOIN pg_type bt ON bt.oid = t.typbasetype"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, t.typname) AS q,"
			"   CASE t.typtype WHEN 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END || format('%%I.%%I', n.nspname, t.typname) AS t) q"
			" WHERE t.typtype IN ('e', 'd', 'r') AND " USER_NS("n") " AND " NOT_MEMBER("pg_type", "t.oid") " AND %s",
			omit, omit,
			sql_decorations("pg_type", "t.oid", "q.t", "t.typowner",
			                "'TYPE ' || q.q", "t.typacl"), where);
}

/* enum, domain and range types */
static const char *
kind_types(const dump_kind_context *cx)
{
	return sql_types("true", "false");
}

/* composite types (their pg_class entry stands for them) */
static const char *
kind_composite_types(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_class'::regclass::oid, c.oid, 30, q.q, 'type ' || q.q,"
			" format(E'CREATE TYPE %%s AS (\\n%%s\\n);', q.q, coalesce((SELECT string_agg(format('    %%I %%s',"
			"   a.attname, format_type(a.atttypid, a.atttypmod)) || " SQL_COLLATE("' COLLATE '", "a.attcollation", "at.typcollation")
			"   , E',\\n' ORDER BY a.attnum) FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
			"   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''))"
			" || %s || %s || %s || %s, NULL::text"
			" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = c.reltype"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE c.relkind = 'c' AND " USER_NS("n") " AND " NOT_MEMBER("pg_type", "t.oid"),
			sql_owner("'TYPE ' || q.q", "t.typowner"),
			sql_comment("pg_type", "t.oid", "'TYPE ' || q.q"),
			sql_column_comments("c.oid", "q.q"),
			sql_acl("'TYPE ' || q.q", "t.typacl", "t.typowner"));
}

/* functions and procedures */
static const char *
kind_functions(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_proc'::regclass::oid, p.oid, 40, q.q, lower(q.k) || ' ' || q.q,"
			" pg_get_functiondef(p.oid) || ';' || %s, NULL::text"
			" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I(%%s)', n.nspname, p.proname,"
			"   pg_get_function_identity_arguments(p.oid)) AS q,"
			"   CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS k) q"
			" WHERE p.prokind IN ('f', 'p', 'w') AND " USER_NS("n") " AND " NOT_MEMBER("pg_proc", "p.oid")
			" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass"
			"   AND i.objid = p.oid AND i.deptype = 'i')",
			sql_decorations("pg_proc", "p.oid", "q.k || ' ' || q.q", "p.proowner",
			                "'ROUTINE ' || q.q", "p.proacl"));
}

/* plain aggregates (the others: dump_kind_aggregates.c) */
static const char *
kind_aggregates(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_proc'::regclass::oid, p.oid, 45, q.q, 'aggregate ' || q.q,"
			" format(E'CREATE AGGREGATE %%I.%%I(%%s) (\\n    SFUNC = %%s,\\n    STYPE = %%s%%s%%s%%s%%s%%s%%s%%s%%s%%s\\n);',"
			"   n.nspname, p.proname, q.args, ag.aggtransfn::regproc::text,"
			"   format_type(ag.aggtranstype, NULL),"
			"   CASE WHEN ag.aggtransspace <> 0 THEN E',\\n    SSPACE = ' || ag.aggtransspace ELSE '' END,"
			"   CASE WHEN ag.aggfinalfn <> 0 THEN E',\\n    FINALFUNC = ' || ag.aggfinalfn::regproc::text ELSE '' END,"
			"   CASE WHEN ag.aggfinalextra THEN E',\\n    FINALFUNC_EXTRA' ELSE '' END,"
			"   CASE ag.aggfinalmodify WHEN 'w' THEN E',\\n    FINALFUNC_MODIFY = READ_WRITE'"
			"     WHEN 's' THEN E',\\n    FINALFUNC_MODIFY = SHAREABLE' ELSE '' END,"
			"   CASE WHEN ag.aggcombinefn <> 0 THEN E',\\n    COMBINEFUNC = ' || ag.aggcombinefn::regproc::text ELSE '' END,"
			"   CASE WHEN ag.aggserialfn <> 0 THEN E',\\n    SERIALFUNC = ' || ag.aggserialfn::regproc::text ELSE '' END,"
			"   CASE WHEN ag.aggdeserialfn <> 0 THEN E',\\n    DESERIALFUNC = ' || ag.aggdeserialfn::regproc::text ELSE '' END,"
			"   CASE WHEN ag.agginitval IS NOT NULL THEN E',\\n    INITCOND = ' || quote_literal(ag.agginitval) ELSE '' END,"
			"   CASE p.proparallel WHEN 's' THEN E',\\n    PARALLEL = safe' WHEN 'r' THEN E',\\n    PARALLEL = restricted'"
			"     ELSE '' END)"
			" || %s, NULL::text"
			" FROM pg_proc p JOIN pg_aggregate ag ON ag.aggfnoid = p.oid JOIN pg_namespace n ON n.oid = p.pronamespace"
			/* an aggregate of no arguments is agg(*): "agg()" does not parse */
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I(%%s)', n.nspname, p.proname, CASE WHEN p.pronargs = 0 THEN '*'"
			"   ELSE pg_get_function_identity_arguments(p.oid) END) AS q,"
			"   CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END AS args,"
			"   format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS f) q"
			" WHERE p.prokind = 'a' AND NOT " DBK_KIND_SPECIAL_AGGREGATE("ag") " AND " USER_NS("n") " AND " NOT_MEMBER("pg_proc", "p.oid"),
			sql_decorations("pg_proc", "p.oid", "'AGGREGATE ' || q.q", "p.proowner",
			                "'FUNCTION ' || q.f", "p.proacl"));
}

/*
 * Operators.  A commutator or negator that does not exist yet is made as
 * a shell and filled in when its own CREATE OPERATOR comes, so their
 * mutual order does not matter (pg_depend has no edge between them).
 */
static const char *
kind_operators(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_operator'::regclass::oid, x.oid, 46, x.oid::regoperator::text, 'operator ' || x.oid::regoperator,"
			" format('CREATE OPERATOR %%I.%%s (%%s);', n.nspname, x.oprname, concat_ws(', ',"
			"   'FUNCTION = ' || x.oprcode::regproc::text,"
			"   CASE WHEN x.oprleft <> 0 THEN 'LEFTARG = ' || format_type(x.oprleft, NULL) END,"
			"   CASE WHEN x.oprright <> 0 THEN 'RIGHTARG = ' || format_type(x.oprright, NULL) END,"
			"   (SELECT format('COMMUTATOR = OPERATOR(%%I.%%s)', cn.nspname, co.oprname) FROM pg_operator co"
			"     JOIN pg_namespace cn ON cn.oid = co.oprnamespace WHERE co.oid = x.oprcom),"
			"   (SELECT format('NEGATOR = OPERATOR(%%I.%%s)', nn.nspname, ng.oprname) FROM pg_operator ng"
			"     JOIN pg_namespace nn ON nn.oid = ng.oprnamespace WHERE ng.oid = x.oprnegate),"
			"   CASE WHEN x.oprrest <> 0 THEN 'RESTRICT = ' || x.oprrest::regproc::text END,"
			"   CASE WHEN x.oprjoin <> 0 THEN 'JOIN = ' || x.oprjoin::regproc::text END,"
			"   CASE WHEN x.oprcanhash THEN 'HASHES' END, CASE WHEN x.oprcanmerge THEN 'MERGES' END))"
			" || %s, NULL::text"
			" FROM pg_operator x JOIN pg_namespace n ON n.oid = x.oprnamespace"
			" WHERE x.oprcode <> 0 AND " USER_NS("n") " AND " NOT_MEMBER("pg_operator", "x.oid"),
			sql_decorations("pg_operator", "x.oid", "'OPERATOR ' || x.oid::regoperator::text", "x.oprowner",
			                NULL, NULL));
}

/* sequences other than those of identity columns */
static const char *
kind_sequences(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_class'::regclass::oid, c.oid, 50, q.q, 'sequence ' || q.q,"
			" format(E'CREATE %%sSEQUENCE %%s\\n    AS %%s\\n    START WITH %%s\\n    INCREMENT BY %%s\\n"
			"    MINVALUE %%s\\n    MAXVALUE %%s\\n    CACHE %%s%%s;',"
			"   CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END, q.q, format_type(s.seqtypid, NULL),"
			"   s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,"
			"   CASE WHEN s.seqcycle THEN E'\\n    CYCLE' ELSE '' END)"
			" || %s, NULL::text"
			" FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid")
			" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
			"   AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i')",
			sql_decorations("pg_class", "c.oid", "'SEQUENCE ' || q.q", "c.relowner",
			                "'SEQUENCE ' || q.q", "c.relacl"));
}

static const char *
kind_tables(const dump_kind_context *cx)
{
	return sql_tables("true", "false");
}

/*
 * Foreign tables (no rows: those live elsewhere); partitions and
 * inheritance children as for tables.
 */
static const char *
kind_foreign_tables(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_class'::regclass::oid, c.oid, 62, q.q, 'foreign table ' || q.q,"
			" format(E'CREATE FOREIGN TABLE %%s (\\n%%s\\n)%%s\\nSERVER %%I%%s;', q.q,"
			"   coalesce((SELECT string_agg(format('    %%I %%s', a.attname, format_type(a.atttypid, a.atttypmod))"
			"     || %s"
			"     || " SQL_COLLATE("' COLLATE '", "a.attcollation", "at.typcollation")
			"     || CASE WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END"
			"     || " DBK_SQL_COLUMN_NOT_NULL("c", "a") ", E',\\n' ORDER BY a.attnum)"
			"     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
			"     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
			"     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
			"     AND (a.attislocal OR c.relispartition)), ''),"
			"   CASE WHEN NOT c.relispartition THEN coalesce((SELECT"
			"     E'\\nINHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'"
			"     FROM pg_inherits i WHERE i.inhrelid = c.oid), '') ELSE '' END,"
			"   s.srvname, %s)"
			" || CASE WHEN c.relispartition THEN (SELECT format(E'\\nALTER TABLE ONLY %%s ATTACH PARTITION %%s %%s;',"
			"     i.inhparent::regclass::text, q.q, pg_get_expr(c.relpartbound, c.oid))"
			"     FROM pg_inherits i WHERE i.inhrelid = c.oid) ELSE '' END"
			" || %s || %s || %s || %s || %s || %s, NULL::text"
			" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" JOIN pg_foreign_table ft ON ft.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = ft.ftserver"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE c.relkind = 'f' AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid"),
			OPTS_SQL("a.attfdwoptions"), OPTS_SQL("ft.ftoptions"),
			sql_column_settings("c.oid", "'ALTER FOREIGN TABLE ONLY ' || q.q"),
			sql_owner("'FOREIGN TABLE ' || q.q", "c.relowner"),
			sql_comment("pg_class", "c.oid", "'FOREIGN TABLE ' || q.q"),
			sql_column_comments("c.oid", "q.q"),
			sql_acl("'TABLE ' || q.q", "c.relacl", "c.relowner"),
			sql_column_acl("c.oid", "q.q", "c.relowner"));
}

/* large objects: created empty here, filled in the data section */
static const char *
kind_large_objects(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 'pg_largeobject_metadata'::regclass::oid, x.oid, 90, lpad(x.oid::text, 10, '0'),"
			" 'large object ' || x.oid, format('SELECT pg_catalog.lo_create(%%s);', x.oid)"
			" || %s, NULL::text"
			" FROM pg_largeobject_metadata x",
			sql_decorations("pg_largeobject", "x.oid", "'LARGE OBJECT ' || x.oid", "x.lomowner",
			                "'LARGE OBJECT ' || x.oid", "x.lomacl"));
}

/*
 * Views and materialized views; a view that relies on a constraint gets a
 * stand-in (VIEW_NEEDS_KEY), a materialized view that does is postponed.
 */
static const char *
kind_views(const dump_kind_context *cx)
{
	return sql_views("true", "CASE c.relkind WHEN 'v' THEN " CppAsString2(PRIO_VIEW)
			" ELSE " CppAsString2(PRIO_MATVIEW) " END", VIEW_NEEDS_KEY("c"));
}

/*
 * The dependency edges between pre-data objects: pg_depend's normal edges
 * with both ends mapped to the object that stands for them (a default or a
 * view's rule to its relation, a table's row type or an array type to the
 * type or relation it comes from, a domain's valid constraint to the domain:
 * one NOT VALID is post-data, kind_domain_constraints), and
 * every child table after its parents.  A table's constraints are post-data
 * (kind_constraints), so what they use never orders the creation of
 * tables: two tables whose foreign keys point at each other, or a CHECK
 * that calls a function taking the table's row type, are no cycle.  The
 * fifth column lists the columns whose defaults alone make the edge (NULL
 * when anything else does too, generated columns included).
 */
static const char *const edges_sql =
"WITH d AS (SELECT classid, objid, refclassid, refobjid FROM pg_depend"
"  WHERE deptype = 'n' AND objid >= 16384 AND refobjid >= 16384),"
" ends AS (SELECT classid AS c, objid AS o FROM d UNION SELECT refclassid, refobjid FROM d),"
" norm AS ("
"  SELECT e.c, e.o, m.c AS mc, m.o AS mo, m.def FROM ends e CROSS JOIN LATERAL ("
"    SELECT 'pg_class'::regclass::oid AS c, ad.adrelid AS o, CASE WHEN a.attgenerated = '' THEN ad.adnum END AS def"
"      FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
"      WHERE e.c = 'pg_attrdef'::regclass AND ad.oid = e.o"
"    UNION ALL SELECT 'pg_class'::regclass::oid, r.ev_class, NULL FROM pg_rewrite r"
"      WHERE e.c = 'pg_rewrite'::regclass AND r.oid = e.o"
"    UNION ALL SELECT 'pg_type'::regclass::oid, co.contypid, NULL FROM pg_constraint co"
"      WHERE e.c = 'pg_constraint'::regclass AND co.oid = e.o AND co.contypid <> 0 AND co.convalidated"
"    UNION ALL SELECT CASE WHEN b.typrelid <> 0 THEN 'pg_class'::regclass::oid ELSE 'pg_type'::regclass::oid END,"
"      CASE WHEN b.typrelid <> 0 THEN b.typrelid ELSE b.oid END, NULL"
"      FROM pg_type t LEFT JOIN pg_type el ON el.oid = t.typelem AND el.typarray = t.oid"
"      LEFT JOIN pg_range mr ON mr.rngmultitypid = t.oid"
"      JOIN pg_type b ON b.oid = coalesce(el.oid, mr.rngtypid, t.oid)"
"      WHERE e.c = 'pg_type'::regclass AND t.oid = e.o"
"    UNION ALL SELECT e.c, e.o, NULL WHERE e.c NOT IN ('pg_attrdef'::regclass, 'pg_rewrite'::regclass,"
"      'pg_constraint'::regclass, 'pg_type'::regclass)) m)"
" SELECT a.mc, a.mo, b.mc, b.mo,"
"  CASE WHEN bool_and(a.def IS NOT NULL) THEN array_agg(DISTINCT a.def ORDER BY a.def)::text END FROM d"
"  JOIN norm a ON a.c = d.classid AND a.o = d.objid"
"  JOIN norm b ON b.c = d.refclassid AND b.o = d.refobjid"
"  WHERE (a.mc, a.mo) <> (b.mc, b.mo) AND NOT " DBK_KIND_SHELL_EDGE("a", "b")
"  GROUP BY 1, 2, 3, 4"
" UNION ALL SELECT 'pg_class'::regclass::oid, inhrelid, 'pg_class'::regclass::oid, inhparent, NULL FROM pg_inherits";

static const char *
kind_edges(const dump_kind_context *cx)
{
	return edges_sql;
}

static HTAB *
index_objects(obj_set *set)
{
	HASHCTL		ctl;
	HTAB	   *h;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(obj_key);
	ctl.entrysize = sizeof(obj_entry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("dbkeeper dump objects", Max(set->n, 16), &ctl,
					HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < set->n; i++)
	{
		obj_key		key = {set->items[i].classid, set->items[i].objid};
		bool		found;
		obj_entry  *e = hash_search(h, &key, HASH_ENTER, &found);

		e->index = i;
	}
	return h;
}

static int
find_object(HTAB *h, Oid classid, Oid objid)
{
	obj_key		key = {classid, objid};
	obj_entry  *e = hash_search(h, &key, HASH_FIND, NULL);

	return e ? e->index : -1;
}

/* "from" depends on "to": "to" must be emitted first (in the set's context). */
static void
add_edge(obj_set *set, int from, int to)
{
	set->items[to].dependents = lappend_int(set->items[to].dependents, from);
	set->items[from].dependencies = lappend_int(set->items[from].dependencies, to);
	if (!set->items[to].emitted)
		set->items[from].waiting++;
}

/* Removes one edge "from depends on to" (not yet counted as emitted). */
static void
remove_edge(obj_set *set, int from, int to)
{
	set->items[to].dependents = list_delete_int(set->items[to].dependents, from);
	set->items[from].dependencies = list_delete_int(set->items[from].dependencies, to);
	if (!set->items[to].emitted)
		set->items[from].waiting--;
}

/* Runs sql, whose rows are (classid, objid, refclassid, refobjid), and adds its edges. */
static void
add_edges_of(obj_set *set, MemoryContext cxt, HTAB *h, const char *sql)
{
	MemoryContext old;

	run_query(sql);
	old = MemoryContextSwitchTo(cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			from = find_object(h, value_oid(tup, desc, 1), value_oid(tup, desc, 2));
		int			to = find_object(h, value_oid(tup, desc, 3), value_oid(tup, desc, 4));
		char	   *attnums = SPI_getvalue(tup, desc, 5);

		if (from < 0 || to < 0 || from == to)
			continue;
		add_edge(set, from, to);
		if (attnums != NULL && set->items[from].classid == RelationRelationId && set->items[from].prio == PRIO_TABLE)
		{
			default_edge *e = palloc(sizeof(default_edge));

			e->table = from;
			e->target = to;
			e->attnums = attnums;
			set->default_edges = lappend(set->default_edges, e);
		}
	}
	MemoryContextSwitchTo(old);
}

/* True when pg_type row typid is a domain. */
static bool
is_domain(Oid typid)
{
	run_query(psprintf("SELECT 1 FROM pg_type WHERE oid = %u AND typtype = 'd'", typid));
	return SPI_processed == 1;
}

/*
 * True for the objects postpone may move to post-data: functions and
 * aggregates, materialized views, and operators and casts built on a
 * function that waits (pg_dump makes those after it too).
 */
static bool
may_postpone(const dump_obj *o)
{
	return o->classid == ProcedureRelationId || o->classid == OperatorRelationId ||
		o->classid == CastRelationId ||
		(o->classid == RelationRelationId && o->prio == PRIO_MATVIEW);
}

/* Marks set's object k as made in post-data and queues it on *queue. */
static void
mark_postponed(obj_set *set, int k, List **queue)
{
	set->items[k].postponed = true;
	set->postponed++;
	*queue = lappend_int(*queue, k);
}

/*
 * View v of set is built on a postponed object: it is created with a stand-in
 * query (as VIEW_NEEDS_KEY's views are) that waits for nothing postponed, and
 * gets its own query in post-data (dbk_dump_schema_read).
 */
static void
give_stand_in(obj_set *set, int v, MemoryContext cxt)
{
	dump_obj   *o = &set->items[v];
	List	   *late = NIL;
	ListCell   *lc;

	foreach(lc, o->dependencies)
		if (set->items[lfirst_int(lc)].postponed)
			late = lappend_int(late, lfirst_int(lc));
	foreach(lc, late)
		remove_edge(set, v, lfirst_int(lc));

	run_query(sql_views(psprintf("c.oid = %u", o->objid), "0", "true"));
	if (SPI_processed != 1)
		elog(ERROR, "view \"%s\" disappeared from the catalogs", o->label);
	o->ddl = value_copy(cxt, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, COL_DDL);
	set->stand_ins = lappend_oid(set->stand_ins, o->objid);
}

static bool split_defaults(obj_set *set, List *cycle, MemoryContext cxt);
static char *oid_array(List *list);

/*
 * Domain d of set is built on postponed object u through valid CHECK
 * constraints alone (they call a function made in post-data): those are
 * left out of its CREATE DOMAIN and added by ALTER DOMAIN in a postponed
 * object of their own, after u and whatever else they use, as pg_dump adds
 * a domain's CHECK it dumps separately.  False when anything else of d
 * (its default, say) uses u.
 */
static bool
split_domain_checks(obj_set *set, int d, int u, HTAB *h, MemoryContext cxt, List **queue)
{
	Oid			domain = set->items[d].objid;
	StringInfoData ddl;
	List	   *split = NIL;
	int			n;
	dump_obj   *o;

	run_query(psprintf("SELECT co.oid, co.oid = ANY ('%s'::oid[]),"
					   " format('ALTER DOMAIN %%I.%%I ADD CONSTRAINT %%I %%s;', n.nspname, t.typname, co.conname,"
					   "   pg_get_constraintdef(co.oid))"
					   " || coalesce((SELECT format(E'\\nCOMMENT ON CONSTRAINT %%I ON DOMAIN %%I.%%I IS %%L;', co.conname,"
					   "   n.nspname, t.typname, ds.description) FROM pg_description ds"
					   "   WHERE ds.classoid = 'pg_constraint'::regclass AND ds.objoid = co.oid), '')"
					   " FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid JOIN pg_namespace n ON n.oid = t.typnamespace"
					   " WHERE co.contypid = %u AND co.contype = 'c' AND co.convalidated"
					   " AND EXISTS (SELECT FROM pg_depend r WHERE r.classid = 'pg_constraint'::regclass AND r.objid = co.oid"
					   "   AND r.deptype = 'n' AND r.refclassid = %u AND r.refobjid = %u)"
					   " AND NOT EXISTS (SELECT FROM pg_depend r WHERE r.classid = 'pg_type'::regclass AND r.objid = %u"
					   "   AND r.deptype = 'n' AND r.refclassid = %u AND r.refobjid = %u)"
					   " ORDER BY co.conname", oid_array(set->domain_checks), domain,
					   set->items[u].classid, set->items[u].objid, domain,
					   set->items[u].classid, set->items[u].objid));
	if (SPI_processed == 0)
		return false;
	initStringInfo(&ddl);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Oid			con = value_oid(tup, desc, 1);
		bool		isnull;

		if (DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull)))
		{
			/* split for another object already: its ALTER DOMAIN waits for u too */
			for (int k = 0; k < list_length(set->domain_checks); k++)
				if (list_nth_oid(set->domain_checks, k) == con)
					add_edge(set, list_nth_int(set->domain_check_objs, k), u);
			continue;
		}
		appendStringInfo(&ddl, "%s%s", ddl.len > 0 ? "\n" : "", SPI_getvalue(tup, desc, 3));
		split = lappend_oid(split, con);
	}
	remove_edge(set, d, u);
	if (split == NIL)
		return true;

	n = set->n;
	o = new_object(set, cxt);
	o->prio = set->items[d].prio;
	o->sortkey = set->items[d].sortkey;
	o->label = psprintf("constraints of %s", set->items[d].label);
	o->ddl = MemoryContextStrdup(cxt, ddl.data);
	set->domain_checks = list_concat(set->domain_checks, split);
	for (int k = 0; k < list_length(split); k++)
		set->domain_check_objs = lappend_int(set->domain_check_objs, n);
	add_edge(set, n, d);
	add_edge(set, n, u);
	/* whatever else the split constraints use, when it is in the set */
	run_query(psprintf("SELECT DISTINCT r.refclassid, r.refobjid FROM pg_depend r"
					   " WHERE r.classid = 'pg_constraint'::regclass AND r.objid = ANY ('%s'::oid[]) AND r.deptype = 'n'",
					   oid_array(split)));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			k = find_object(h, value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
									value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));

		if (k >= 0 && k != u && k != d)
			add_edge(set, n, k);
	}
	/* the domain's CREATE again, without them */
	run_query(sql_types(psprintf("t.oid = %u", domain),
						psprintf("co.oid = ANY ('%s'::oid[])", oid_array(set->domain_checks))));
	if (SPI_processed != 1)
		elog(ERROR, "domain \"%s\" disappeared from the catalogs", set->items[d].label);
	set->items[d].ddl = value_copy(cxt, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, COL_DDL);
	mark_postponed(set, n, queue);
	return true;
}

/* True when table needs target only for column defaults (a default_edge). */
static bool
is_default_edge(obj_set *set, int table, int target)
{
	ListCell   *lc;

	foreach(lc, set->default_edges)
	{
		default_edge *e = lfirst(lc);

		if (e->table == table && e->target == target)
			return true;
	}
	return false;
}

/*
 * Moves to post-data, after the constraints, what cannot be made before them
 * (postpone_sql), and what is built on that in turn: pg_dump 15 does the
 * same when it finds such an object on a loop through its post-data boundary
 * (pg_dump_sort.c, repairFunctionBoundaryMultiLoop and its matview twin).
 * Views built on a postponed object are not moved but given a stand-in, as
 * pg_dump splits off their rule; a table whose column defaults call one has
 * those defaults set by a statement of their own (split_defaults), which is
 * postponed.  Anything else built on one cannot wait (a table's rows come
 * before post-data): the backup fails naming both.
 */
static void
postpone(obj_set *set, MemoryContext cxt, HTAB *h)
{
	List	   *queue = NIL,
			   *views = NIL;
	ListCell   *lc;
	MemoryContext old;

	run_query(postpone_sql);
	old = MemoryContextSwitchTo(cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			k = find_object(h, value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
									value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));

		if (k >= 0 && !set->items[k].postponed)
			mark_postponed(set, k, &queue);
	}
	while (queue != NIL)
	{
		int			u = linitial_int(queue);
		List	   *tables = NIL,
				   *domains = NIL;

		queue = list_delete_first(queue);
		foreach(lc, set->items[u].dependents)
		{
			int			j = lfirst_int(lc);
			dump_obj   *o = &set->items[j];

			if (o->postponed)
				continue;
			if (o->classid == RelationRelationId && o->prio == PRIO_VIEW)
				views = list_append_unique_int(views, j);
			else if (may_postpone(o))
				mark_postponed(set, j, &queue);
			else if (o->prio == PRIO_TABLE && is_default_edge(set, j, u))
				tables = lappend_int(tables, j);
			else if (o->classid == TypeRelationId && !list_member_int(domains, j) && is_domain(o->objid))
				domains = lappend_int(domains, j);
			else
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot back up %s", o->label),
						 errdetail("It is built on %s, which relies on a table's constraint and so is created after the rows.",
								   set->items[u].label)));
		}
		/* after the loop: splitting changes u's dependents */
		foreach(lc, domains)
		{
			int			d = lfirst_int(lc);

			if (!split_domain_checks(set, d, u, h, cxt, &queue))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot back up %s", set->items[d].label),
						 errdetail("It is built on %s, which relies on a table's constraint and so is created after the rows.",
								   set->items[u].label)));
		}
		foreach(lc, tables)
		{
			if (!split_defaults(set, list_make2_int(lfirst_int(lc), u), cxt))
				elog(ERROR, "the defaults of \"%s\" could not be split off", set->items[lfirst_int(lc)].label);
			mark_postponed(set, set->n - 1, &queue);
		}
	}
	foreach(lc, views)
		give_stand_in(set, lfirst_int(lc), cxt);
	MemoryContextSwitchTo(old);
}

/*
 * Kahn's algorithm over objects sorted by (kind, name): always emit the
 * first ready object in that order, so that the output is stable and looks
 * like pg_dump's wherever dependencies allow.  Stops when nothing is ready.
 */
static void
emit_ready(obj_set *set, dump_schema *s, List **out)
{
	int			i = 0;
	MemoryContext old = MemoryContextSwitchTo(s->cxt);

	while (i < set->n)
	{
		dump_obj   *o = &set->items[i];
		int			next = i + 1;
		ListCell   *lc;

		if (o->emitted || o->waiting > 0 || o->postponed)
		{
			i++;
			continue;
		}
		o->emitted = true;
		set->emitted++;
		*out = lappend(*out, pstrdup(o->ddl));
		if (o->extra)
			s->refresh = lappend(s->refresh, pstrdup(o->extra));
		foreach(lc, o->dependents)
		{
			int			j = lfirst_int(lc);

			if (--set->items[j].waiting == 0 && j < next)
				next = j;
		}
		i = next;
	}
	MemoryContextSwitchTo(old);
}

/*
 * A cycle among the objects not emitted, as a list of indexes each of
 * which depends on the next, the last on the first.  Every such object
 * waits for one not emitted, so following those dependencies from any of
 * them must come back to an object already on the path.
 */
static List *
find_cycle(obj_set *set)
{
	int		   *pos = palloc(sizeof(int) * set->n);
	int		   *path = palloc(sizeof(int) * set->n);
	int			len = 0,
				u = 0;
	List	   *cycle = NIL;

	for (int i = 0; i < set->n; i++)
		pos[i] = -1;
	while (set->items[u].emitted || set->items[u].postponed)
		u++;
	for (;;)
	{
		int			v = -1;
		ListCell   *lc;

		pos[u] = len;
		path[len++] = u;
		foreach(lc, set->items[u].dependencies)
			if (!set->items[lfirst_int(lc)].emitted)
			{
				v = lfirst_int(lc);
				break;
			}
		if (v < 0)
			elog(ERROR, "object \"%s\" waits for no object", set->items[u].label);
		if (pos[v] >= 0)
		{
			for (int k = pos[v]; k < len; k++)
				cycle = lappend_int(cycle, path[k]);
			return cycle;
		}
		u = v;
	}
}

/*
 * Breaks a cycle that a column default closes (a default calling a function
 * that takes the table's row type), as pg_dump does: the table is created
 * without the defaults of its default edges, and a new object sets them
 * once their table and everything they use exist.  False when no edge of
 * the cycle is such an edge.
 */
static bool
split_defaults(obj_set *set, List *cycle, MemoryContext cxt)
{
	int			table = -1;
	StringInfoData attnums;
	List	   *targets = NIL;
	ListCell   *lc;
	dump_obj   *d;
	int			n;

	for (int k = 0; k < list_length(cycle) && table < 0; k++)
	{
		int			u = list_nth_int(cycle, k);
		int			v = list_nth_int(cycle, (k + 1) % list_length(cycle));

		foreach(lc, set->default_edges)
		{
			default_edge *e = lfirst(lc);

			if (e->table == u && e->target == v)
				table = u;
		}
	}
	if (table < 0)
		return false;

	/* every default edge of that table goes to the new object */
	initStringInfo(&attnums);
	foreach(lc, set->default_edges)
	{
		default_edge *e = lfirst(lc);

		if (e->table != table)
			continue;
		appendStringInfo(&attnums, "%s'%s'::int2[]", attnums.len > 0 ? " || " : "", e->attnums);
		remove_edge(set, table, e->target);
		targets = lappend_int(targets, e->target);
		set->default_edges = foreach_delete_current(set->default_edges, lc);
	}

	/* the table's CREATE again, without those defaults */
	run_query(sql_tables(psprintf("c.oid = %u", set->items[table].objid),
						 psprintf("c.oid = %u AND a.attnum = ANY (%s)", set->items[table].objid, attnums.data)));
	if (SPI_processed != 1)
		elog(ERROR, "table \"%s\" disappeared from the catalogs", set->items[table].label);
	set->items[table].ddl = value_copy(cxt, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, COL_DDL);

	run_query(psprintf("SELECT string_agg(format('ALTER TABLE ONLY %%I.%%I ALTER COLUMN %%I SET DEFAULT %%s;',"
					   " n.nspname, c.relname, a.attname, pg_get_expr(ad.adbin, ad.adrelid)), E'\\n' ORDER BY a.attnum)"
					   " FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
					   " JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE c.oid = %u AND a.attnum = ANY (%s)", set->items[table].objid, attnums.data));
	n = set->n;
	d = new_object(set, cxt);
	d->prio = PRIO_TABLE;
	d->sortkey = set->items[table].sortkey;
	d->label = psprintf("defaults of %s", set->items[table].label);
	d->ddl = value_copy(cxt, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (d->ddl == NULL)
		elog(ERROR, "the defaults of \"%s\" disappeared from the catalogs", set->items[table].label);
	add_edge(set, n, table);
	foreach(lc, targets)
		add_edge(set, n, lfirst_int(lc));
	return true;
}

/* The error for a cycle no split breaks: it names every object on it. */
static void
report_cycle(obj_set *set, List *cycle)
{
	StringInfoData detail;
	int			first = 0;
	int			len = list_length(cycle);

	/* start at the object that sorts first, so that the message is stable */
	for (int k = 1; k < len; k++)
		if (list_nth_int(cycle, k) < list_nth_int(cycle, first))
			first = k;
	initStringInfo(&detail);
	for (int k = 0; k <= len; k++)
		appendStringInfo(&detail, "%s%s", k == 0 ? "" : k == 1 ? " depends on " : ", which depends on ",
						 set->items[list_nth_int(cycle, (first + k) % len)].label);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot back up %s: it is part of a circular dependency",
					set->items[list_nth_int(cycle, first)].label),
			 errdetail("%s.", detail.data),
			 errhint("Break the cycle, for example by replacing one of the objects with a version that does not depend on the others.")));
}

/*
 * The objects of set not postponed, in an order that replays, onto *out:
 * ready objects first, and when only cycles remain, a cycle that a column
 * default closes is broken (split_defaults) and the emission goes on; any
 * other cycle is an error.
 */
static void
order_objects(obj_set *set, dump_schema *s, MemoryContext cxt, List **out)
{
	for (;;)
	{
		MemoryContext old;
		List	   *cycle;

		emit_ready(set, s, out);
		if (set->emitted + set->postponed == set->n)
			return;
		old = MemoryContextSwitchTo(cxt);
		cycle = find_cycle(set);
		if (!split_defaults(set, cycle, cxt))
			report_cycle(set, cycle);
		MemoryContextSwitchTo(old);
	}
}

/*
 * The pre-data statements onto s->pre_data, then those postponed (postpone)
 * onto *late, each part in an order that replays.
 */
static void
order_pre_data(obj_set *set, dump_schema *s, MemoryContext cxt, List **late)
{
	order_objects(set, s, cxt, &s->pre_data);
	for (int i = 0; i < set->n; i++)
		set->items[i].postponed = false;
	set->postponed = 0;
	order_objects(set, s, cxt, late);
}

/* ------------------------------------------------------------ post-data */

/* sequences owned by a column */
static const char *
kind_sequence_ownership(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 90, q.q, 'sequence ' || q.q,"
			" format('ALTER SEQUENCE %s OWNED BY %s.%I;', q.q, d.refobjid::regclass::text, a.attname), NULL::text"
			" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid"
			"   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0"
			" JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
			" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS q) q"
			" WHERE c.relkind = 'S' AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");
}

/*
 * Constraints of tables: checks, keys, exclusions, and foreign keys last.
 * A key or exclusion is made on its own table only (ONLY), partitions'
 * included, so that every index keeps its name; the partitions' indexes
 * are attached to their parent's below, as pg_dump does.
 */
static const char *
kind_constraints(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, CASE WHEN co.contype = 'f' THEN 900"
			"   WHEN co.contype = 'c' AND " SQL_USES_POSTPONED " THEN CASE WHEN co.convalidated"
			"     THEN " CppAsString2(PRIO_CHECK_LATE) " ELSE " CppAsString2(PRIO_CHECK_LATE_NOT_VALID) " END"
			"   WHEN co.contype = 'c' AND co.convalidated THEN 100"
			"   WHEN co.contype = 'c' THEN 102 ELSE 110 END,"
			" q.q || ' ' || co.conname, format('constraint %%I on %%s', co.conname, q.q),"
			" format('ALTER %%sTABLE %%s%%s ADD CONSTRAINT %%I %%s;', CASE WHEN c.relkind = 'f' THEN 'FOREIGN ' ELSE '' END,"
			"   CASE WHEN co.contype IN ('p', 'u', 'x') THEN 'ONLY '"
			"     WHEN c.relkind = 'p' OR (co.contype IN ('c', 'n') AND NOT co.connoinherit) THEN '' ELSE 'ONLY ' END,"
			"   q.q, co.conname, pg_get_constraintdef(co.oid)) || %s"
			" || CASE WHEN co.contype IN ('p', 'u', 'x') THEN %s ELSE '' END, NULL::text"
			" FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE (co.contype IN ('p', 'u', 'x') OR (co.contype IN ('c', 'f') AND co.conparentid = 0 AND co.conislocal)"
			/* 18: a NOT NULL that is NOT VALID (the table's statement has the valid ones) */
			"   OR (co.contype = 'n' AND co.conislocal AND NOT co.convalidated))"
			" AND c.relkind IN ('r', 'p', 'f') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid")
			/* 18: the comment on a valid NOT NULL, after its table */
			" UNION ALL SELECT 0::oid, 0::oid, 110, q.q || ' ' || co.conname, format('constraint %%I on %%s', co.conname, q.q),"
			" ltrim(%s, E'\\n'), NULL::text"
			" FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE co.contype = 'n' AND co.convalidated AND c.relkind IN ('r', 'p', 'f')"
			" AND EXISTS (SELECT FROM pg_description d WHERE d.classoid = 'pg_constraint'::regclass AND d.objoid = co.oid)"
			" AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid"),
			cx->postponed,
			sql_comment("pg_constraint", "co.oid", "format('CONSTRAINT %I ON %s', co.conname, q.q)"),
			sql_comment("pg_class", "co.conindid", "format('INDEX %I.%I', n.nspname, co.conname)"),
			sql_comment("pg_constraint", "co.oid", "format('CONSTRAINT %I ON %s', co.conname, q.q)"));
}

/* domain constraints that are NOT VALID: after the rows they do not accept */
static const char *
kind_domain_constraints(const dump_kind_context *cx)
{
	return psprintf("SELECT 0::oid, 0::oid, CASE WHEN " SQL_USES_POSTPONED " THEN " CppAsString2(PRIO_DOMAIN_CHECK_LATE)
			"   ELSE 105 END, format('%%I.%%I', n.nspname, t.typname) || ' ' || co.conname,"
			" format('constraint %%I of domain %%I.%%I', co.conname, n.nspname, t.typname),"
			" format('ALTER DOMAIN %%I.%%I ADD CONSTRAINT %%I %%s;', n.nspname, t.typname, co.conname,"
			"   pg_get_constraintdef(co.oid)) || coalesce((SELECT format(E'\\nCOMMENT ON CONSTRAINT %%I ON DOMAIN %%I.%%I IS %%L;',"
			"   co.conname, n.nspname, t.typname, d.description) FROM pg_description d"
			"   WHERE d.classoid = 'pg_constraint'::regclass AND d.objoid = co.oid), ''), NULL::text"
			" FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid JOIN pg_namespace n ON n.oid = t.typnamespace"
			" WHERE co.contype = 'c' AND NOT co.convalidated AND " USER_NS("n") " AND " NOT_MEMBER("pg_type", "t.oid"),
			cx->postponed);
}

/*
 * Indexes that no constraint owns.  An index of a partitioned table is
 * made on that table only (pg_get_indexdef says ON ONLY) and each
 * partition's index under its own name, which need not be the one
 * PostgreSQL would choose; then they are attached.
 */
static const char *
kind_indexes(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 120, q.q || ' ' || ic.relname, format('index %%I.%%I', n.nspname, ic.relname),"
			" pg_get_indexdef(i.indexrelid) || ';' || %s, NULL::text"
			" FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE c.relkind IN ('r', 'p', 'm') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid")
			" AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid"
			"   AND co.contype IN ('p', 'u', 'x') AND co.conrelid = c.oid)",
			sql_comment("pg_class", "ic.oid", "format('INDEX %I.%I', n.nspname, ic.relname)"));
}

/*
 * Partitions' indexes (constraints' included) to their parent index, once
 * every index exists.  The order among them does not matter: a parent
 * index becomes valid when its last partition is attached, and that
 * propagates upwards.
 */
static const char *
kind_index_attachments(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 125, format('%I.%I', n.nspname, ci.relname), format('index %I.%I', n.nspname, ci.relname),"
			" format('ALTER INDEX %I.%I ATTACH PARTITION %I.%I;', pn.nspname, pi.relname, n.nspname, ci.relname), NULL::text"
			" FROM pg_inherits h JOIN pg_class ci ON ci.oid = h.inhrelid JOIN pg_namespace n ON n.oid = ci.relnamespace"
			" JOIN pg_class pi ON pi.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pi.relnamespace"
			" WHERE ci.relkind IN ('i', 'I') AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "ci.oid");
}

/* statistics targets of index columns (expressions), constraints' indexes included */
static const char *
kind_index_statistics(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 135, format('%I.%I', n.nspname, ic.relname), format('index %I.%I', n.nspname, ic.relname),"
			" string_agg(format('ALTER INDEX %I.%I ALTER COLUMN %s SET STATISTICS %s;', n.nspname, ic.relname,"
			"   a.attnum, a.attstattarget), E'\\n' ORDER BY a.attnum), NULL::text"
			" FROM pg_class ic JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_attribute a ON a.attrelid = ic.oid"
			" WHERE ic.relkind IN ('i', 'I') AND a.attstattarget >= 0 AND " USER_NS("n")
			" AND " NOT_MEMBER("pg_class", "ic.oid") " AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_depend e"
			"   ON e.classid = 'pg_class'::regclass AND e.objid = i.indrelid AND e.deptype = 'e' WHERE i.indexrelid = ic.oid)"
			" GROUP BY n.nspname, ic.relname";
}

/* CLUSTER ON and REPLICA IDENTITY USING INDEX */
static const char *
kind_index_uses(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 130, q.q || ' ' || ic.relname, format('index %I.%I', n.nspname, ic.relname),"
			" CASE WHEN i.indisclustered THEN format(E'ALTER TABLE %s CLUSTER ON %I;\\n', q.q, ic.relname) ELSE '' END"
			" || CASE WHEN i.indisreplident THEN format(E'ALTER TABLE ONLY %s REPLICA IDENTITY USING INDEX %I;\\n', q.q,"
			"   ic.relname) ELSE '' END, NULL::text"
			" FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS q) q"
			" WHERE (i.indisclustered OR i.indisreplident) AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");
}

/* extended statistics */
static const char *
kind_statistics_objects(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 140, q.q, 'statistics object ' || q.q,"
			" pg_get_statisticsobjdef(x.oid) || ';'"
			" || CASE WHEN x.stxstattarget >= 0 THEN format(E'\\nALTER STATISTICS %%s SET STATISTICS %%s;', q.q,"
			"   x.stxstattarget) ELSE '' END || %s, NULL::text"
			" FROM pg_statistic_ext x JOIN pg_namespace n ON n.oid = x.stxnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, x.stxname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_statistic_ext", "x.oid"),
			sql_decorations("pg_statistic_ext", "x.oid", "'STATISTICS ' || q.q", "x.stxowner",
			                NULL, NULL));
}

/* the queries of views that rely on a constraint (VIEW_NEEDS_KEY) */
static const char *
kind_view_queries(const dump_kind_context *cx)
{
	return sql_view_queries(VIEW_NEEDS_KEY("c"));
}

/* triggers (clones on partitions come from their parent's) */
static const char *
kind_triggers(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 150, q.q || ' ' || t.tgname, format('trigger %%I on %%s', t.tgname, q.q),"
			" pg_get_triggerdef(t.oid) || ';'"
			" || CASE t.tgenabled WHEN 'D' THEN format(E'\\nALTER TABLE %%s DISABLE TRIGGER %%I;', q.q, t.tgname)"
			"   WHEN 'R' THEN format(E'\\nALTER TABLE %%s ENABLE REPLICA TRIGGER %%I;', q.q, t.tgname)"
			"   WHEN 'A' THEN format(E'\\nALTER TABLE %%s ENABLE ALWAYS TRIGGER %%I;', q.q, t.tgname) ELSE '' END"
			" || %s, NULL::text"
			" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND " USER_NS("n")
			" AND " NOT_MEMBER("pg_class", "c.oid"),
			sql_comment("pg_trigger", "t.oid", "format('TRIGGER %I ON %s', t.tgname, q.q)"));
}

/*
 * A partition's clone of its parent's trigger whose enabled state was
 * changed on that partition alone (the clone itself comes with the
 * parent's CREATE TRIGGER).
 */
static const char *
kind_trigger_states(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 155, q.q || ' ' || t.tgname, format('trigger %I on %s', t.tgname, q.q),"
			" format('ALTER TABLE ONLY %s %s TRIGGER %I;', q.q, CASE t.tgenabled WHEN 'D' THEN 'DISABLE'"
			"   WHEN 'R' THEN 'ENABLE REPLICA' WHEN 'A' THEN 'ENABLE ALWAYS' ELSE 'ENABLE' END, t.tgname), NULL::text"
			" FROM pg_trigger t JOIN pg_trigger pt ON pt.oid = t.tgparentid"
			" JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS q) q"
			" WHERE t.tgenabled <> pt.tgenabled AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");
}

/* rules other than the ones that make views */
static const char *
kind_rules(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 160, q.q || ' ' || r.rulename, format('rule %%I on %%s', r.rulename, q.q),"
			" pg_get_ruledef(r.oid)"
			" || CASE r.ev_enabled WHEN 'D' THEN format(E'\\nALTER TABLE %%s DISABLE RULE %%I;', q.q, r.rulename)"
			"   WHEN 'R' THEN format(E'\\nALTER TABLE %%s ENABLE REPLICA RULE %%I;', q.q, r.rulename)"
			"   WHEN 'A' THEN format(E'\\nALTER TABLE %%s ENABLE ALWAYS RULE %%I;', q.q, r.rulename) ELSE '' END"
			" || %s, NULL::text"
			" FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE r.rulename <> '_RETURN' AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid"),
			sql_comment("pg_rewrite", "r.oid", "format('RULE %I ON %s', r.rulename, q.q)"));
}

/*
 * Privileges changed on objects the script does not create: members of
 * extensions (CREATE EXTENSION gives them their initial privileges, which
 * pg_init_privs records) and system objects (their initial privileges are
 * initdb's, also in pg_init_privs, or the built-in default).  As for
 * pg_dump, information_schema is left alone: initdb creates it after
 * recording initial privileges, so its objects never match them.  Where the
 * current privileges differ from the initial ones, every initial grantee
 * loses everything and the current entries are granted again, as for
 * objects the script creates.
 */
static const char *
kind_member_privileges(const dump_kind_context *cx)
{
	return psprintf(
			"WITH o AS ("
			" SELECT 'pg_class'::regclass::oid AS cat, c.oid, c.relacl AS acl, c.relowner AS owner,"
			"   CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\" AS k, n.nspname AS ns,"
			"   CASE WHEN c.relkind = 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || format('%%I.%%I', n.nspname, c.relname) AS t"
			"   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
			" UNION ALL SELECT 'pg_proc'::regclass::oid, p.oid, p.proacl, p.proowner, 'f', n.nspname,"
			"   CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END"
			"   || format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))"
			"   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
			" UNION ALL SELECT 'pg_type'::regclass::oid, t.oid, t.typacl, t.typowner, 'T', n.nspname,"
			"   'TYPE ' || format('%%I.%%I', n.nspname, t.typname)"
			"   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typacl IS NOT NULL"
			" UNION ALL SELECT 'pg_namespace'::regclass::oid, n.oid, n.nspacl, n.nspowner, 'n', n.nspname,"
			"   'SCHEMA ' || quote_ident(n.nspname) FROM pg_namespace n WHERE NOT " USER_NS("n")
			" UNION ALL SELECT 'pg_language'::regclass::oid, l.oid, l.lanacl, l.lanowner, 'l', NULL,"
			"   'LANGUAGE ' || quote_ident(l.lanname) FROM pg_language l"
			" UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass::oid, w.oid, w.fdwacl, w.fdwowner, 'F', NULL,"
			"   'FOREIGN DATA WRAPPER ' || quote_ident(w.fdwname) FROM pg_foreign_data_wrapper w"
			" UNION ALL SELECT 'pg_foreign_server'::regclass::oid, s.oid, s.srvacl, s.srvowner, 'S', NULL,"
			"   'FOREIGN SERVER ' || quote_ident(s.srvname) FROM pg_foreign_server s)"
			" SELECT 0::oid, 0::oid, 945, o.t, lower(o.t),"
			"   (SELECT string_agg(format(E'REVOKE ALL ON %%s FROM %%s;', o.t, g.g), E'\\n' ORDER BY g.g)"
			"     FROM (SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS g"
			"       FROM aclexplode(nullif(a.init, '{}')) x UNION SELECT 'PUBLIC' UNION SELECT quote_ident(pg_get_userbyid(o.owner))) g)"
			"   || coalesce((SELECT string_agg(%s, '' ORDER BY ax.n) FROM aclexplode(nullif(a.cur, '{}')) WITH ORDINALITY " ACLX_COLUMNS "), ''),"
			"   NULL::text"
			" FROM o LEFT JOIN pg_init_privs ip ON ip.objoid = o.oid AND ip.classoid = o.cat AND ip.objsubid = 0"
			" CROSS JOIN LATERAL (SELECT coalesce(o.acl, acldefault(o.k, o.owner)) AS cur,"
			"   coalesce(ip.initprivs, acldefault(o.k, o.owner)) AS init) a"
			" WHERE a.cur <> a.init AND (EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = o.cat AND e.objid = o.oid"
			"   AND e.deptype = 'e') OR CASE WHEN o.ns IS NULL THEN o.oid < 16384"
			"   ELSE o.ns ~ '^pg_' END)",
			sql_grant_entry("ax.privilege_type || ' ON ' || o.t", "o.owner"));
}

/* the same for the columns of such relations */
static const char *
kind_member_column_privileges(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 946, q.q || ' ' || a.attname, format('column %%I of %%s', a.attname, q.q),"
			"   (SELECT string_agg(format(E'REVOKE ALL (%%I) ON TABLE %%s FROM %%s;', a.attname, q.q, g.g), E'\\n' ORDER BY g.g)"
			"     FROM (SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS g"
			"       FROM aclexplode(nullif(p.init, '{}')) x UNION SELECT 'PUBLIC') g)"
			"   || coalesce((SELECT string_agg(%s, '' ORDER BY ax.n) FROM aclexplode(nullif(p.cur, '{}')) WITH ORDINALITY " ACLX_COLUMNS "), ''),"
			"   NULL::text"
			" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" LEFT JOIN pg_init_privs ip ON ip.objoid = c.oid AND ip.classoid = 'pg_class'::regclass AND ip.objsubid = a.attnum"
			" CROSS JOIN LATERAL (SELECT coalesce(a.attacl, '{}') AS cur, coalesce(ip.initprivs, '{}') AS init) p"
			" WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND p.cur <> p.init"
			" AND (n.nspname ~ '^pg_' OR EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass"
			"   AND e.objid = c.oid AND e.deptype = 'e'))",
			sql_grant_entry("format('%s (%I) ON TABLE %s', ax.privilege_type, a.attname, q.q)", "c.relowner"));
}

/* row-level security: the switches, then the policies */
static const char *
kind_row_security(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 170, q.q, 'table ' || q.q,"
			" CASE WHEN c.relrowsecurity THEN format(E'ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\\n', q.q) ELSE '' END"
			" || CASE WHEN c.relforcerowsecurity THEN format(E'ALTER TABLE %s FORCE ROW LEVEL SECURITY;\\n', q.q) ELSE '' END,"
			" NULL::text"
			" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS q) q"
			" WHERE (c.relrowsecurity OR c.relforcerowsecurity) AND " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid");
}

/* event triggers, after everything the restore creates */
static const char *
kind_event_triggers(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 950, x.evtname, format('event trigger %%I', x.evtname),"
			" format('CREATE EVENT TRIGGER %%I ON %%I%%s EXECUTE FUNCTION %%s();', x.evtname, x.evtevent,"
			"   CASE WHEN x.evttags IS NOT NULL THEN ' WHEN TAG IN (' || (SELECT string_agg(quote_literal(t), ', ')"
			"     FROM unnest(x.evttags) t) || ')' ELSE '' END, x.evtfoid::regproc::text)"
			" || CASE x.evtenabled WHEN 'D' THEN format(E'\\nALTER EVENT TRIGGER %%I DISABLE;', x.evtname)"
			"   WHEN 'R' THEN format(E'\\nALTER EVENT TRIGGER %%I ENABLE REPLICA;', x.evtname)"
			"   WHEN 'A' THEN format(E'\\nALTER EVENT TRIGGER %%I ENABLE ALWAYS;', x.evtname) ELSE '' END"
			" || %s, NULL::text"
			" FROM pg_event_trigger x WHERE " NOT_MEMBER("pg_event_trigger", "x.oid"),
			sql_decorations("pg_event_trigger", "x.oid", "format('EVENT TRIGGER %I', x.evtname)", "x.evtowner",
			                NULL, NULL));
}

/* publications, with their tables (column lists and row filters) and schemas */
static const char *
kind_publications(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 970, x.pubname, format('publication %%I', x.pubname),"
			" format('CREATE PUBLICATION %%I%%s WITH (publish = %%L%%s);', x.pubname,"
			"   CASE WHEN x.puballtables THEN ' FOR ALL TABLES' ELSE '' END,"
			"   concat_ws(', ', CASE WHEN x.pubinsert THEN 'insert' END, CASE WHEN x.pubupdate THEN 'update' END,"
			"     CASE WHEN x.pubdelete THEN 'delete' END, CASE WHEN x.pubtruncate THEN 'truncate' END),"
			"   CASE WHEN x.pubviaroot THEN ', publish_via_partition_root = true' ELSE '' END)"
			" || coalesce((SELECT string_agg(format(E'\\nALTER PUBLICATION %%I ADD TABLE ONLY %%s%%s%%s;', x.pubname,"
			"   r.prrelid::regclass::text,"
			"   CASE WHEN r.prattrs IS NOT NULL THEN ' (' || (SELECT string_agg(quote_ident(a.attname), ', '"
			"     ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = r.prrelid"
			"     AND a.attnum = ANY (r.prattrs::int2[])) || ')' ELSE '' END,"
			"   CASE WHEN r.prqual IS NOT NULL THEN ' WHERE (' || pg_get_expr(r.prqual, r.prrelid) || ')' ELSE '' END),"
			"   '' ORDER BY r.prrelid::regclass::text) FROM pg_publication_rel r WHERE r.prpubid = x.oid), '')"
			" || coalesce((SELECT string_agg(format(E'\\nALTER PUBLICATION %%I ADD TABLES IN SCHEMA %%I;', x.pubname,"
			"   n.nspname), '' ORDER BY n.nspname) FROM pg_publication_namespace pn"
			"   JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = x.oid), '')"
			" || %s, NULL::text"
			" FROM pg_publication x",
			sql_decorations("pg_publication", "x.oid", "format('PUBLICATION %I', x.pubname)", "x.pubowner",
			                NULL, NULL));
}

/*
 * Default privileges, last so that they do not change what the restore
 * creates.  A global entry replaces the built-in defaults (so revoke,
 * then grant); an entry for one schema adds to them (so grant only).
 */
static const char *
kind_default_privileges(const dump_kind_context *cx)
{
	return "SELECT 0::oid, 0::oid, 960, pg_get_userbyid(x.defaclrole) || ' ' || coalesce(n.nspname, ''),"
			" 'default privileges of role ' || pg_get_userbyid(x.defaclrole),"
			" CASE WHEN x.defaclnamespace = 0 THEN format(E'%s REVOKE ALL ON %s FROM PUBLIC;\n%s REVOKE ALL ON %s FROM %I;\n',"
			"   p.p, k.k, p.p, k.k, pg_get_userbyid(x.defaclrole)) ELSE '' END"
			" || coalesce((SELECT string_agg(CASE WHEN NOT (oa.owner_all AND a.grantee = x.defaclrole AND a.grantor = x.defaclrole)"
			"   THEN format(E'%s GRANT %s ON %s TO %s%s;\n', p.p, a.privilege_type, k.k,"
			"   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,"
			"   CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
			"   WHEN a.k = 1 THEN format(E'%s GRANT ALL ON %s TO %I;\n', p.p, k.k, pg_get_userbyid(x.defaclrole)) ELSE '' END,"
			"   '' ORDER BY a.n)"
			"   FROM (SELECT a.*, row_number() OVER (PARTITION BY a.grantor, a.grantee ORDER BY a.n) AS k"
			"     FROM aclexplode(x.defaclacl) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, n)) a), ''),"
			" NULL::text"
			" FROM pg_default_acl x LEFT JOIN pg_namespace n ON n.oid = x.defaclnamespace"
			/*
			 * The role's own entry holding every privilege of the kind (those of
			 * acldefault) is granted ALL, as for a table's owner (sql_acl): on a
			 * newer server that includes what it added (17's MAINTAIN), as
			 * pg_dump's restore there gives it.
			 */
			" CROSS JOIN LATERAL (SELECT (SELECT array_agg(o.privilege_type ORDER BY o.privilege_type)"
			"   FROM aclexplode(x.defaclacl) o WHERE o.grantee = x.defaclrole AND o.grantor = x.defaclrole"
			"   AND NOT o.is_grantable) = (SELECT array_agg(d.privilege_type ORDER BY d.privilege_type)"
			"   FROM aclexplode(acldefault(CASE x.defaclobjtype WHEN 'S' THEN 's' ELSE x.defaclobjtype END,"
			"   x.defaclrole)) d WHERE d.grantee = x.defaclrole) AS owner_all) oa"
			" CROSS JOIN LATERAL (SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I', pg_get_userbyid(x.defaclrole))"
			"   || CASE WHEN n.nspname IS NOT NULL THEN format(' IN SCHEMA %I', n.nspname) ELSE '' END AS p) p"
			" CROSS JOIN LATERAL (SELECT CASE x.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'"
			"   WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END AS k) k";
}

static const char *
kind_policies(const dump_kind_context *cx)
{
	return psprintf(
			"SELECT 0::oid, 0::oid, 180, q.q || ' ' || p.polname, format('policy %%I on %%s', p.polname, q.q),"
			" format('CREATE POLICY %%I ON %%s AS %%s FOR %%s TO %%s%%s%%s;', p.polname, q.q,"
			"   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
			"   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
			"     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
			"   (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')"
			"     FROM unnest(p.polroles) r),"
			"   CASE WHEN p.polqual IS NOT NULL THEN ' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')' ELSE '' END,"
			"   CASE WHEN p.polwithcheck IS NOT NULL THEN ' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid)"
			"     || ')' ELSE '' END) || %s, NULL::text"
			" FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
			" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.relname) AS q) q"
			" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid"),
			sql_comment("pg_policy", "p.oid", "format('POLICY %I ON %s', p.polname, q.q)"));
}

/*
 * Every kind of object, in the order its query runs: pre-data kinds, the
 * dependencies pg_depend does not record, then post-data kinds.  A new kind
 * is one builder and one entry here.
 */
static const dump_kind dump_kinds[] = {
	{"schemas", DUMP_PRE_DATA, kind_schemas},
	{"extensions", DUMP_PRE_DATA, kind_extensions},
	{"collations", DUMP_PRE_DATA, kind_collations, DBK_DUMP_PROBE_COLLATIONS},
	{"casts", DUMP_PRE_DATA, kind_casts, DBK_DUMP_PROBE_CASTS},
	{"text search dictionaries", DUMP_PRE_DATA, kind_ts_dictionaries, DBK_DUMP_PROBE_TS_DICTS},
	{"text search configurations", DUMP_PRE_DATA, kind_ts_configurations, DBK_DUMP_PROBE_TS_CONFIGS},
	{"foreign-data wrappers", DUMP_PRE_DATA, kind_foreign_data_wrappers, DBK_DUMP_PROBE_FDWS},
	{"foreign servers and user mappings", DUMP_PRE_DATA, kind_foreign_servers, DBK_DUMP_PROBE_SERVERS},
	{"enum, domain and range types", DUMP_PRE_DATA, kind_types, DBK_DUMP_PROBE_EDR_TYPES},
	{"composite types", DUMP_PRE_DATA, kind_composite_types, DBK_DUMP_PROBE_COMPOSITES},
	{"functions", DUMP_PRE_DATA, kind_functions, DBK_DUMP_PROBE_FUNCTIONS},
	{"aggregates", DUMP_PRE_DATA, kind_aggregates, DBK_DUMP_PROBE_AGGREGATES},
	{"operators", DUMP_PRE_DATA, kind_operators, DBK_DUMP_PROBE_OPERATORS},
	{"sequences", DUMP_PRE_DATA, kind_sequences, DBK_DUMP_PROBE_SEQUENCES},
	{"tables", DUMP_PRE_DATA, kind_tables},
	{"foreign tables", DUMP_PRE_DATA, kind_foreign_tables, DBK_DUMP_PROBE_FOREIGN_TABLES},
	{"large objects", DUMP_PRE_DATA, kind_large_objects, DBK_DUMP_PROBE_LARGE_OBJECTS},
	{"views", DUMP_PRE_DATA, kind_views, DBK_DUMP_PROBE_VIEWS},
	{"base types", DUMP_PRE_DATA, dbk_kind_base_types, DBK_DUMP_PROBE_BASE_TYPES},
	{"shell types", DUMP_PRE_DATA, dbk_kind_shell_types, DBK_DUMP_PROBE_SHELL_TYPES},
	{"shells of base types and of ranges with a canonical function", DUMP_PRE_DATA, dbk_kind_early_shells, DBK_DUMP_PROBE_EARLY_SHELLS},
	{"operator families", DUMP_PRE_DATA, dbk_kind_opfamilies, DBK_DUMP_PROBE_OPFAMILIES},
	{"operator classes", DUMP_PRE_DATA, dbk_kind_opclasses, DBK_DUMP_PROBE_OPCLASSES},
	{"loose members of operator families", DUMP_PRE_DATA, dbk_kind_opfamily_members, DBK_DUMP_PROBE_LOOSE_MEMBERS},
	{"access methods", DUMP_PRE_DATA, dbk_kind_access_methods, DBK_DUMP_PROBE_ACCESS_METHODS},
	{"ordered-set, hypothetical and moving aggregates", DUMP_PRE_DATA, dbk_kind_special_aggregates, DBK_DUMP_PROBE_AGGREGATES},
	{"procedural languages", DUMP_PRE_DATA, dbk_kind_languages, DBK_DUMP_PROBE_LANGUAGES},
	{"transforms", DUMP_PRE_DATA, dbk_kind_transforms, DBK_DUMP_PROBE_TRANSFORMS},
	{"conversions", DUMP_PRE_DATA, dbk_kind_conversions, DBK_DUMP_PROBE_CONVERSIONS},
	{"text search parsers", DUMP_PRE_DATA, dbk_kind_ts_parsers, DBK_DUMP_PROBE_TS_PARSERS},
	{"text search templates", DUMP_PRE_DATA, dbk_kind_ts_templates, DBK_DUMP_PROBE_TS_TEMPLATES},
	{"tablespaces of tables and materialized views", DUMP_PRE_DATA, dbk_kind_relation_tablespaces, DBK_DUMP_PROBE_TABLESPACES},
	{"pg_depend's edges", DUMP_EDGES, kind_edges},
	{"edges of operator classes, families and access methods", DUMP_EDGES, dbk_kind_operator_edges, DBK_DUMP_PROBE_NONE,
	{OperatorClassRelationId, AccessMethodOperatorRelationId, AccessMethodProcedureRelationId, OperatorFamilyRelationId, AccessMethodRelationId}},
	{"edges of languages, transforms, conversions and text search", DUMP_EDGES, dbk_kind_misc_edges, DBK_DUMP_PROBE_NONE,
	{LanguageRelationId, TransformRelationId, ConversionRelationId, TSParserRelationId, TSTemplateRelationId}},
	{"sequence ownership", DUMP_POST_DATA, kind_sequence_ownership, DBK_DUMP_PROBE_SEQUENCES},
	{"constraints", DUMP_POST_DATA, kind_constraints},
	{"domain constraints", DUMP_POST_DATA, kind_domain_constraints, DBK_DUMP_PROBE_DOMAINS},
	{"indexes", DUMP_POST_DATA, kind_indexes},
	{"index attachments", DUMP_POST_DATA, kind_index_attachments, DBK_DUMP_PROBE_INDEX_ATTACHMENTS},
	{"index statistics", DUMP_POST_DATA, kind_index_statistics, DBK_DUMP_PROBE_INDEX_STATISTICS},
	{"CLUSTER ON and REPLICA IDENTITY USING INDEX", DUMP_POST_DATA, kind_index_uses, DBK_DUMP_PROBE_INDEX_USES},
	{"statistics objects", DUMP_POST_DATA, kind_statistics_objects, DBK_DUMP_PROBE_STATISTICS},
	{"queries of views with a stand-in", DUMP_POST_DATA, kind_view_queries, DBK_DUMP_PROBE_VIEWS},
	{"triggers", DUMP_POST_DATA, kind_triggers, DBK_DUMP_PROBE_TRIGGERS},
	{"trigger states", DUMP_POST_DATA, kind_trigger_states, DBK_DUMP_PROBE_TRIGGER_STATES},
	{"rules", DUMP_POST_DATA, kind_rules, DBK_DUMP_PROBE_RULES},
	{"privileges changed on extension members and system objects", DUMP_POST_DATA, kind_member_privileges, DBK_DUMP_PROBE_MEMBER_PRIVILEGES},
	{"the same on their columns", DUMP_POST_DATA, kind_member_column_privileges, DBK_DUMP_PROBE_MEMBER_COLUMN_PRIVILEGES},
	{"row security", DUMP_POST_DATA, kind_row_security, DBK_DUMP_PROBE_ROW_SECURITY},
	{"event triggers", DUMP_POST_DATA, kind_event_triggers, DBK_DUMP_PROBE_EVENT_TRIGGERS},
	{"publications", DUMP_POST_DATA, kind_publications, DBK_DUMP_PROBE_PUBLICATIONS},
	{"default privileges", DUMP_POST_DATA, kind_default_privileges, DBK_DUMP_PROBE_DEFAULT_PRIVILEGES},
	{"policies", DUMP_POST_DATA, kind_policies, DBK_DUMP_PROBE_POLICIES},
	{"tablespaces of indexes", DUMP_POST_DATA, dbk_kind_index_tablespaces, DBK_DUMP_PROBE_TABLESPACES},
	{"security labels", DUMP_POST_DATA, dbk_kind_security_labels, DBK_DUMP_PROBE_SECURITY_LABELS},
	{"subscriptions", DUMP_POST_DATA, dbk_kind_subscriptions, DBK_DUMP_PROBE_SUBSCRIPTIONS},
};

/* ------------------------------------------------------------ data lists */

static void
collect_tables(dump_schema *s)
{
	/* user tables, and the configuration tables of extensions */
	run_query("SELECT c.oid, format('%I.%I', n.nspname, c.relname),"
			  " (SELECT nullif(u.cond, '') FROM pg_extension x CROSS JOIN LATERAL unnest(x.extconfig, x.extcondition) u(c, cond)"
			  "   WHERE u.c = c.oid LIMIT 1) FROM pg_class c"
			  " JOIN pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE c.relkind = 'r' AND ((" USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid") ")"
			  "   OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension))"
			  " ORDER BY n.nspname, c.relname");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		dump_table *t = MemoryContextAllocZero(s->cxt, sizeof(dump_table));

		t->relid = value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		t->qname = value_copy(s->cxt, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		t->filter = value_copy(s->cxt, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
		s->tables = lappend(s->tables, t);
	}
	/*
	 * Sequences whose value the data section sets; on a standby not the
	 * unlogged ones, which have no state there (as unlogged tables have no
	 * rows): they start afresh.
	 */
	run_query("SELECT c.oid, format('%I.%I', n.nspname, c.relname) FROM pg_class c"
			  " JOIN pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE c.relkind = 'S' AND ((" USER_NS("n") " AND " NOT_MEMBER("pg_class", "c.oid") ")"
			  "   OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension))"
			  " AND NOT (c.relpersistence = 'u' AND pg_is_in_recovery())"
			  " ORDER BY n.nspname, c.relname");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		dump_table *seq = MemoryContextAllocZero(s->cxt, sizeof(dump_table));

		seq->relid = value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		seq->qname = value_copy(s->cxt, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		s->sequences = lappend(s->sequences, seq);
	}
	run_query("SELECT oid FROM pg_largeobject_metadata ORDER BY oid");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(s->cxt);

		s->large_objects = lappend_oid(s->large_objects,
									   value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		MemoryContextSwitchTo(old);
	}
}

/* A SQL array literal ("{1,2}") of the OIDs in list. */
static char *
oid_array(List *list)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, list)
		appendStringInfo(&buf, "%s%u", buf.len > 0 ? "," : "{", lfirst_oid(lc));
	if (buf.len == 0)
		appendStringInfoChar(&buf, '{');
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * The objects of set that postpone moved to post-data, as a SQL row source
 * of (classid, objid), for dump_kind_context.
 */
static const char *
postponed_sql(obj_set *set)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < set->n; i++)
		if (set->items[i].postponed && set->items[i].classid != InvalidOid)
			appendStringInfo(&buf, "%s(%u::oid, %u::oid)", buf.len > 0 ? ", " : "(VALUES ",
							 set->items[i].classid, set->items[i].objid);
	if (buf.len == 0)
		return "(SELECT 0::oid, 0::oid WHERE false) p";
	appendStringInfoString(&buf, ") p");
	return buf.data;
}

/*
 * Collects every object of the kinds of section sec into set, running the
 * query of each kind the probe found (probe); at DEBUG2, how long each
 * kind's query took, or that it was skipped.
 */
static void
collect_section(obj_set *set, MemoryContext cxt, dump_section sec, const dump_kind_context *cx,
				const dbk_dump_probe *probe)
{
	for (int i = 0; i < lengthof(dump_kinds); i++)
	{
		const char *sql;
		dbk_pg_clock clock;
		double		wall_ms,
					cpu_ms;
		int			before = set->n;

		if (dump_kinds[i].section != sec)
			continue;
		if (!probe->present[dump_kinds[i].probe])
		{
			elog(DEBUG2, "dbkeeper_backup: %s skipped: the catalogs have none", dump_kinds[i].name);
			continue;
		}
		dbk_pg_clock_start(&clock);
		if ((sql = dump_kinds[i].sql(cx)) != NULL)
			collect(set, cxt, sql);
		dbk_pg_clock_lap(&clock, &wall_ms, &cpu_ms);
		elog(DEBUG2, "dbkeeper_backup: %s read in %.1f ms (%.1f ms CPU), %d objects",
			 dump_kinds[i].name, wall_ms, cpu_ms, set->n - before);
	}
}

/*
 * Whether the edges of kind k can matter: an edge whose first end is not in
 * set is dropped (add_edges_of), so a query whose first ends are all of
 * k's from_classes needs an object of one of them in set.
 */
static bool
edges_can_matter(const dump_kind *k, const obj_set *set)
{
	if (!OidIsValid(k->from_classes[0]))
		return true;
	for (int i = 0; i < set->n; i++)
		for (int c = 0; c < lengthof(k->from_classes) && OidIsValid(k->from_classes[c]); c++)
			if (set->items[i].classid == k->from_classes[c])
				return true;
	return false;
}

void
dbk_dump_schema_read(dump_schema *s)
{
	MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper schema",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(work);
	obj_set		pre = {0},
				post = {0};
	dump_kind_context cx = {.postponed = "(SELECT 0::oid, 0::oid WHERE false) p"};
	List	   *late = NIL;		/* char *: pre-data statements postponed */
	MemoryContext save;
	HTAB	   *h;
	dbk_dump_probe probe;
	dbk_pg_clock clock;
	double		wall_ms,
				cpu_ms;

	dbk_pg_clock_start(&clock);
	dbk_pg_probe_dump(&probe);
	dbk_pg_clock_lap(&clock, &wall_ms, &cpu_ms);
	elog(DEBUG2, "dbkeeper_backup: probes read in %.1f ms (%.1f ms CPU)", wall_ms, cpu_ms);
	collect_section(&pre, work, DUMP_PRE_DATA, &cx, &probe);
	qsort(pre.items, pre.n, sizeof(dump_obj), obj_cmp);
	h = index_objects(&pre);
	for (int i = 0; i < lengthof(dump_kinds); i++)
	{
		const char *sql;

		if (dump_kinds[i].section != DUMP_EDGES)
			continue;
		if (!edges_can_matter(&dump_kinds[i], &pre))
			elog(DEBUG2, "dbkeeper_backup: %s skipped: no object they start from", dump_kinds[i].name);
		else if ((sql = dump_kinds[i].sql(&cx)) != NULL)
			add_edges_of(&pre, work, h, sql);
	}
	postpone(&pre, work, h);
	hash_destroy(h);
	cx.postponed = postponed_sql(&pre);
	order_pre_data(&pre, s, work, &late);

	collect_section(&post, work, DUMP_POST_DATA, &cx, &probe);
	if (pre.stand_ins != NIL)
		collect(&post, work, sql_view_queries(psprintf("c.oid = ANY ('%s'::oid[]) AND NOT " VIEW_NEEDS_KEY("c"),
													   oid_array(pre.stand_ins))));
	qsort(post.items, post.n, sizeof(dump_obj), obj_cmp);
	save = MemoryContextSwitchTo(s->cxt);
	for (int i = 0; i <= post.n; i++)
	{
		/* the postponed objects (late) before the first post-data object that follows them */
		if (late != NIL && (i == post.n || post.items[i].prio >= PRIO_POSTPONED))
		{
			s->post_data = list_concat(s->post_data, late);
			late = NIL;
		}
		if (i == post.n)
			break;
		if (post.items[i].ddl[0] != '\0')
			s->post_data = lappend(s->post_data, pstrdup(post.items[i].ddl));
		if (post.items[i].extra)
			s->refresh = lappend(s->refresh, pstrdup(post.items[i].extra));
	}
	MemoryContextSwitchTo(save);

	collect_tables(s);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
}

/* ------------------------------------------------------------ locking list */

List *
dbk_dump_relations_to_lock(void)
{
	List	   *oids = NIL;

	run_query("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE c.relkind IN ('r', 'p', 'm', 'v', 'S', 'f')"
			  " AND (" USER_NS("n") " OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension))"
			  " ORDER BY c.oid");
	for (uint64 i = 0; i < SPI_processed; i++)
		oids = lappend_oid(oids, value_oid(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	return oids;
}

/* ------------------------------------------------------------ refusals */

/*
 * What a backup of this server version cannot reproduce (compat.h; nothing
 * at present).
 * Each row names one object; the first makes the backup fail.
 */
static const char *const unsupported_sql =
"SELECT NULL::text WHERE false"
DBK_SQL_VERSION_REFUSALS
" LIMIT 1";

void
dbk_dump_check_supported(void)
{
	run_query(unsupported_sql);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot back up %s",
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
				 errdetail("dbkeeper does not reproduce this kind of object yet, so no backup was written."),
				 errhint("Use pg_dump for this database, or remove the object.")));
}

/* ------------------------------------------------------------ for dump_kind_*.c */

char *
dbk_dump_sql_comment(const char *cat, const char *oid, const char *target)
{
	return sql_comment(cat, oid, target);
}

char *
dbk_dump_sql_owner(const char *target, const char *owner)
{
	return sql_owner(target, owner);
}

char *
dbk_dump_sql_acl(const char *target, const char *acl, const char *owner)
{
	return sql_acl(target, acl, owner);
}

char *
dbk_dump_sql_decorations(const char *cat, const char *oid, const char *target, const char *owner,
						 const char *acl_target, const char *acl)
{
	return sql_decorations(cat, oid, target, owner, acl_target, acl);
}
