/*
 * dump_kind_operators.c — operator families, operator classes, the loose
 * members of families, and access methods (see dump_kind.h).
 *
 * A class's members are bound to it by internal dependencies in pg_depend
 * (pg_amop and pg_amproc rows); they are written inside its CREATE OPERATOR
 * CLASS, and the class is ordered after their operators and functions.  A
 * member added to a family by ALTER OPERATOR FAMILY ... ADD (a "loose"
 * member) depends on the family and on its operator or function
 * automatically; each is one ALTER OPERATOR FAMILY statement, ordered after
 * both.  A family is written with CREATE OPERATOR FAMILY; a class whose
 * family has its own name needs no FAMILY clause.  Loose members that users
 * added to families of the system (not created by the script) are kept
 * too, as long as their operator or function is the user's.
 */
#include "postgres.h"

#include "dump_kind.h"
#include "catalog_sql.h"

#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

/* "OPERATOR n op(left,right) [FOR ORDER BY family]" for pg_amop row ao. */
#define AMOP_ITEM \
	"format('OPERATOR %%s %%s', ao.amopstrategy, ao.amopopr::regoperator::text)" \
	" || CASE WHEN ao.amoppurpose = 'o' THEN (SELECT format(' FOR ORDER BY %%I.%%I', sn.nspname, sf.opfname)" \
	"   FROM pg_opfamily sf JOIN pg_namespace sn ON sn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily)" \
	"   ELSE '' END"

/* "FUNCTION n (left, right) f(args)" for pg_amproc row ap. */
#define AMPROC_ITEM \
	"format('FUNCTION %%s (%%s, %%s) %%s', ap.amprocnum, format_type(ap.amproclefttype, NULL)," \
	" format_type(ap.amprocrighttype, NULL), ap.amproc::regprocedure::text)"

/* pg_amop/pg_amproc row x (catalog cat) is a member of operator class c. */
#define CLASS_MEMBER(cat, x) \
	"EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" cat "'::regclass AND d.objid = " x ".oid" \
	" AND d.refclassid = 'pg_opclass'::regclass AND d.refobjid = c.oid AND d.deptype = 'i')"

/* pg_amop/pg_amproc row x (catalog cat) is a loose member of its family. */
#define LOOSE_MEMBER(cat, x) \
	"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" cat "'::regclass AND d.objid = " x ".oid" \
	" AND d.refclassid = 'pg_opclass'::regclass AND d.deptype = 'i')"

/* The family f of a loose member is the script's, or the member's own operator or function p is. */
#define LOOSE_KEPT(cat, memberoid, pcat) \
	"(" USER_NS("fn") " AND " NOT_MEMBER("pg_opfamily", "f.oid") ")" \
	" OR (f.oid < 16384 AND " memberoid " >= 16384 AND " NOT_MEMBER(pcat, memberoid) ")"

const char *
dbk_kind_opfamilies(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_opfamily'::regclass::oid, f.oid, 51, q.q || ' ' || am.amname,"
					" format('operator family %%s for %%I', q.q, am.amname),"
					" format('CREATE OPERATOR FAMILY %%s USING %%I;', q.q, am.amname) || %s, NULL::text"
					" FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, f.opfname) AS q,"
					"   format('OPERATOR FAMILY %%I.%%I USING %%I', n.nspname, f.opfname, am.amname) AS t) q"
					" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_opfamily", "f.oid"),
					dbk_dump_sql_decorations("pg_opfamily", "f.oid", "q.t", "f.opfowner",
					                         NULL, NULL));
}

const char *
dbk_kind_opclasses(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_opclass'::regclass::oid, c.oid, 52, q.q || ' ' || am.amname,"
					" format('operator class %%s for %%I', q.q, am.amname),"
					" format(E'CREATE OPERATOR CLASS %%s%%s FOR TYPE %%s USING %%I%%s AS\\n    %%s;', q.q,"
					"   CASE WHEN c.opcdefault THEN ' DEFAULT' ELSE '' END, format_type(c.opcintype, NULL), am.amname,"
					"   CASE WHEN f.opfname <> c.opcname OR f.opfnamespace <> c.opcnamespace"
					"     THEN format(' FAMILY %%I.%%I', fn.nspname, f.opfname) ELSE '' END,"
					"   coalesce(nullif(concat_ws(E',\\n    ',"
					"     CASE WHEN c.opckeytype <> 0 THEN 'STORAGE ' || format_type(c.opckeytype, NULL) END,"
					"     (SELECT string_agg(" AMOP_ITEM ", E',\\n    ' ORDER BY ao.amopstrategy, ao.amoplefttype, ao.amoprighttype)"
					"       FROM pg_amop ao WHERE " CLASS_MEMBER("pg_amop", "ao") "),"
					"     (SELECT string_agg(" AMPROC_ITEM ", E',\\n    ' ORDER BY ap.amprocnum, ap.amproclefttype, ap.amprocrighttype)"
					"       FROM pg_amproc ap WHERE " CLASS_MEMBER("pg_amproc", "ap") ")), ''),"
					/* a class without members: STORAGE of its own input type says nothing */
					"     'STORAGE ' || format_type(c.opcintype, NULL)))"
					" || %s, NULL::text"
					" FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod"
					" JOIN pg_opfamily f ON f.oid = c.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, c.opcname) AS q,"
					"   format('OPERATOR CLASS %%I.%%I USING %%I', n.nspname, c.opcname, am.amname) AS t) q"
					" WHERE " USER_NS("n") " AND " NOT_MEMBER("pg_opclass", "c.oid"),
					dbk_dump_sql_decorations("pg_opclass", "c.oid", "q.t", "c.opcowner",
					                         NULL, NULL));
}

/* One ALTER OPERATOR FAMILY ... ADD per loose operator and per loose function. */
const char *
dbk_kind_opfamily_members(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_amop'::regclass::oid, ao.oid, 53, format('%%I.%%I %%s operator %%s %%s %%s', fn.nspname, f.opfname,"
					"   am.amname, ao.amopstrategy, format_type(ao.amoplefttype, NULL), format_type(ao.amoprighttype, NULL)),"
					" format('member %%s of operator family %%I.%%I', ao.amopopr::regoperator, fn.nspname, f.opfname),"
					" format('ALTER OPERATOR FAMILY %%I.%%I USING %%I ADD %%s;', fn.nspname, f.opfname, am.amname, " AMOP_ITEM "), NULL::text"
					" FROM pg_amop ao JOIN pg_opfamily f ON f.oid = ao.amopfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace"
					" JOIN pg_am am ON am.oid = f.opfmethod"
					" WHERE ao.oid >= 16384 AND " LOOSE_MEMBER("pg_amop", "ao") " AND (" LOOSE_KEPT("pg_amop", "ao.amopopr", "pg_operator") ")"
					" UNION ALL "
					"SELECT 'pg_amproc'::regclass::oid, ap.oid, 53, format('%%I.%%I %%s function %%s %%s %%s', fn.nspname, f.opfname,"
					"   am.amname, ap.amprocnum, format_type(ap.amproclefttype, NULL), format_type(ap.amprocrighttype, NULL)),"
					" format('member %%s of operator family %%I.%%I', ap.amproc::regprocedure, fn.nspname, f.opfname),"
					" format('ALTER OPERATOR FAMILY %%I.%%I USING %%I ADD %%s;', fn.nspname, f.opfname, am.amname, " AMPROC_ITEM "), NULL::text"
					" FROM pg_amproc ap JOIN pg_opfamily f ON f.oid = ap.amprocfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace"
					" JOIN pg_am am ON am.oid = f.opfmethod"
					" WHERE ap.oid >= 16384 AND " LOOSE_MEMBER("pg_amproc", "ap") " AND (" LOOSE_KEPT("pg_amproc", "ap.amproc", "pg_proc") ")");
}

/*
 * The edges pg_depend does not give as normal dependencies: a class after
 * its family and its members' operators, functions and sort families; a
 * loose member after its family, operator or function and sort family; a
 * family after its access method.
 */
static const char *const edges_sql =
"SELECT 'pg_opclass'::regclass::oid, c.oid, 'pg_opfamily'::regclass::oid, c.opcfamily FROM pg_opclass c"
" UNION ALL SELECT 'pg_opclass'::regclass::oid, d.refobjid, 'pg_operator'::regclass::oid, ao.amopopr"
"  FROM pg_amop ao JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid"
"  AND d.refclassid = 'pg_opclass'::regclass AND d.deptype = 'i'"
" UNION ALL SELECT 'pg_opclass'::regclass::oid, d.refobjid, 'pg_opfamily'::regclass::oid, ao.amopsortfamily"
"  FROM pg_amop ao JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid"
"  AND d.refclassid = 'pg_opclass'::regclass AND d.deptype = 'i' WHERE ao.amopsortfamily <> 0"
" UNION ALL SELECT 'pg_opclass'::regclass::oid, d.refobjid, 'pg_proc'::regclass::oid, ap.amproc"
"  FROM pg_amproc ap JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid"
"  AND d.refclassid = 'pg_opclass'::regclass AND d.deptype = 'i'"
" UNION ALL SELECT 'pg_amop'::regclass::oid, ao.oid, 'pg_opfamily'::regclass::oid, ao.amopfamily FROM pg_amop ao"
"  WHERE ao.oid >= 16384"
" UNION ALL SELECT 'pg_amop'::regclass::oid, ao.oid, 'pg_operator'::regclass::oid, ao.amopopr FROM pg_amop ao"
"  WHERE ao.oid >= 16384"
" UNION ALL SELECT 'pg_amop'::regclass::oid, ao.oid, 'pg_opfamily'::regclass::oid, ao.amopsortfamily FROM pg_amop ao"
"  WHERE ao.oid >= 16384 AND ao.amopsortfamily <> 0"
" UNION ALL SELECT 'pg_amproc'::regclass::oid, ap.oid, 'pg_opfamily'::regclass::oid, ap.amprocfamily FROM pg_amproc ap"
"  WHERE ap.oid >= 16384"
" UNION ALL SELECT 'pg_amproc'::regclass::oid, ap.oid, 'pg_proc'::regclass::oid, ap.amproc FROM pg_amproc ap"
"  WHERE ap.oid >= 16384"
" UNION ALL SELECT 'pg_opfamily'::regclass::oid, f.oid, 'pg_am'::regclass::oid, f.opfmethod FROM pg_opfamily f"
"  WHERE f.oid >= 16384"
" UNION ALL SELECT 'pg_am'::regclass::oid, a.oid, 'pg_proc'::regclass::oid, a.amhandler FROM pg_am a"
"  WHERE a.oid >= 16384";

const char *
dbk_kind_access_methods(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_am'::regclass::oid, a.oid, 42, a.amname, format('access method %%I', a.amname),"
					" format('CREATE ACCESS METHOD %%I TYPE %%s HANDLER %%s;', a.amname,"
					"   CASE a.amtype WHEN 'i' THEN 'INDEX' ELSE 'TABLE' END, a.amhandler::regproc::text) || %s, NULL::text"
					" FROM pg_am a WHERE a.oid >= 16384 AND " NOT_MEMBER("pg_am", "a.oid"),
					dbk_dump_sql_comment("pg_am", "a.oid", "format('ACCESS METHOD %I', a.amname)"));
}

const char *
dbk_kind_operator_edges(const dump_kind_context *cx)
{
	return edges_sql;
}
