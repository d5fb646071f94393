/*
 * dump_kind_types.c — base types, shell types, and the shells that let a
 * type and its own functions be created (see dump_kind.h).
 *
 * A base type needs its input and output functions, and they take or
 * return the type: a loop in pg_depend that dump_schema.c does not follow
 * (DBK_KIND_SHELL_EDGE).  As in pg_dump's output, the script first says
 * CREATE TYPE t; (a shell, right after the schemas), then the functions,
 * then CREATE TYPE t (...) in full.  A range type with a canonical function
 * gets a shell the same way; its full definition is dump_schema.c's.  A
 * shell type nobody filled in is backed up as the shell it is.
 *
 * Array types, multirange types and row types are internal parts of other
 * objects and come with them.
 */
#include "postgres.h"

#include "dump_kind.h"
#include "catalog_sql.h"

#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

/* A type in pg_type t that is nobody's internal part, in a user schema n, not an extension member. */
#define OWN_TYPE \
	USER_NS("n") " AND " NOT_MEMBER("pg_type", "t.oid") \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_type'::regclass" \
	"   AND i.objid = t.oid AND i.deptype = 'i')"

/* ", NAME = f" for a function column of pg_type t, when set. */
#define TYPE_FUNC(name, col) \
	"CASE WHEN t." col " <> 0 THEN E',\\n    " name " = ' || t." col "::regproc::text ELSE '' END"

const char *
dbk_kind_base_types(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_type'::regclass::oid, t.oid, 30, q.q, 'type ' || q.q,"
					" format(E'CREATE TYPE %%s (\\n    INTERNALLENGTH = %%s,\\n    INPUT = %%s,\\n    OUTPUT = %%s', q.q,"
					"   CASE WHEN t.typlen = -1 THEN 'variable' ELSE t.typlen::text END,"
					"   t.typinput::regproc::text, t.typoutput::regproc::text)"
					" || " TYPE_FUNC("RECEIVE", "typreceive") " || " TYPE_FUNC("SEND", "typsend")
					" || " TYPE_FUNC("TYPMOD_IN", "typmodin") " || " TYPE_FUNC("TYPMOD_OUT", "typmodout")
					" || " TYPE_FUNC("ANALYZE", "typanalyze") " || " TYPE_FUNC("SUBSCRIPT", "typsubscript")
					" || CASE WHEN t.typbyval THEN E',\\n    PASSEDBYVALUE' ELSE '' END"
					" || E',\\n    ALIGNMENT = ' || CASE t.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2'"
					"   WHEN 'i' THEN 'int4' ELSE 'double' END"
					" || E',\\n    STORAGE = ' || CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'"
					"   WHEN 'm' THEN 'main' ELSE 'extended' END"
					" || E',\\n    CATEGORY = ' || quote_literal(t.typcategory::text)"
					" || CASE WHEN t.typispreferred THEN E',\\n    PREFERRED = true' ELSE '' END"
					" || CASE WHEN t.typdefault IS NOT NULL THEN E',\\n    DEFAULT = ' || quote_literal(t.typdefault) ELSE '' END"
					" || CASE WHEN t.typelem <> 0 THEN E',\\n    ELEMENT = ' || format_type(t.typelem, NULL) ELSE '' END"
					" || CASE WHEN t.typdelim <> ',' THEN E',\\n    DELIMITER = ' || quote_literal(t.typdelim::text) ELSE '' END"
					" || CASE WHEN t.typcollation <> 0 THEN E',\\n    COLLATABLE = true' ELSE '' END"
					" || E'\\n);' || %s, NULL::text"
					" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, t.typname) AS q) q"
					" WHERE t.typtype = 'b' AND " OWN_TYPE,
					dbk_dump_sql_decorations("pg_type", "t.oid", "'TYPE ' || q.q", "t.typowner",
					                         "'TYPE ' || q.q", "t.typacl"));
}

/* Shell types nobody filled in: CREATE TYPE t; is all there is. */
const char *
dbk_kind_shell_types(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_type'::regclass::oid, t.oid, 30, q.q, 'type ' || q.q,"
					" format('CREATE TYPE %%s;', q.q) || %s, NULL::text"
					" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I', n.nspname, t.typname) AS q) q"
					" WHERE t.typtype = 'p' AND NOT t.typisdefined AND " OWN_TYPE,
					dbk_dump_sql_decorations("pg_type", "t.oid", "'TYPE ' || q.q", "t.typowner",
					                         NULL, NULL));
}

/*
 * The shells that come before the functions of base types and the canonical
 * functions of range types: keyed (0, 0), so that no edge holds them back,
 * and ordered right after the schemas.
 */
static const char *const early_shells_sql =
"SELECT 0::oid, 0::oid, 12, q.q, 'shell of type ' || q.q, format('CREATE TYPE %s;', q.q), NULL::text"
" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
" CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, t.typname) AS q) q"
" WHERE (t.typtype = 'b' OR (t.typtype = 'r' AND EXISTS (SELECT 1 FROM pg_range r WHERE r.rngtypid = t.oid"
"   AND r.rngcanonical <> 0))) AND " OWN_TYPE;

const char *
dbk_kind_early_shells(const dump_kind_context *cx)
{
	return early_shells_sql;
}
