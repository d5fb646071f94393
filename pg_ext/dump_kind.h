/*
 * dump_kind.h — the object kinds of a PostgreSQL backup that live outside
 * dump_schema.c, one file per family of kinds:
 *
 *   dump_kind_types.c       base and shell types, the shells that break the
 *                           loop between a type and its own functions, typed
 *                           tables
 *   dump_kind_operators.c   operator families and classes, loose family
 *                           members, access methods
 *   dump_kind_aggregates.c  ordered-set, hypothetical and moving-aggregate
 *                           aggregates, and those with a sort operator
 *   dump_kind_misc.c        languages, transforms, conversions, text search
 *                           parsers and templates, tablespaces of relations,
 *                           subscriptions, security labels
 *
 * Each file adds catalog queries to a dump_kind_sql; dump_schema.c runs them
 * with its own and orders the results with everything else.  The queries
 * return the columns dump_schema.c's own queries return (classid, objid,
 * prio, sortkey, label, ddl, extra); an object keyed (0, 0) takes part in no
 * dependency edge and comes by priority alone.
 */
#ifndef DBK_PG_DUMP_KIND_H
#define DBK_PG_DUMP_KIND_H

#include "postgres.h"

#include "nodes/pg_list.h"

typedef struct dump_kind_sql
{
	List	   *pre_data;		/* char *: queries for pre-data objects */
	List	   *edges;			/* char *: queries for (classid, objid, refclassid,
								 * refobjid): the first is created after the
								 * second; both ends are object keys as the
								 * pre-data queries return them */
	List	   *post_data;		/* char *: queries for post-data statements */
} dump_kind_sql;

void		dbk_dump_kind_types(dump_kind_sql *k);
void		dbk_dump_kind_operators(dump_kind_sql *k);
void		dbk_dump_kind_aggregates(dump_kind_sql *k);
void		dbk_dump_kind_misc(dump_kind_sql *k);

/* dump_schema.c's SQL pieces, for these files (see there) */
char	   *dbk_dump_sql_comment(const char *cat, const char *oid, const char *target);
char	   *dbk_dump_sql_owner(const char *target, const char *owner);
char	   *dbk_dump_sql_acl(const char *target, const char *acl, const char *owner);
/* owner, comment and privileges (acl NULL: none) in one, for " || %s" */
char	   *dbk_dump_sql_decorations(const char *cat, const char *oid, const char *target, const char *owner,
									 const char *acl_target, const char *acl);

/*
 * A pg_depend edge dump_schema.c must not follow (a, b: its normalised
 * ends, with columns mc and mo): a function that a base type or a range type
 * needs for itself (input, output, ..., a range's canonical function)
 * takes the type as argument or result, so it depends on the type while the
 * type depends on it.  As pg_dump does, the type is first created as a
 * shell (dump_kind_types.c), then the function, then the type in full.
 */
#define DBK_KIND_SHELL_EDGE(a, b) \
	"(" a ".mc = 'pg_proc'::regclass AND " b ".mc = 'pg_type'::regclass AND (EXISTS (SELECT 1 FROM pg_type st" \
	" WHERE st.oid = " b ".mo AND st.typtype = 'b' AND " a ".mo IN (st.typinput, st.typoutput, st.typreceive," \
	" st.typsend, st.typmodin, st.typmodout, st.typanalyze, st.typsubscript))" \
	" OR EXISTS (SELECT 1 FROM pg_range sr WHERE sr.rngtypid = " b ".mo AND sr.rngcanonical = " a ".mo)))"

/*
 * In the query of tables (dump_schema.c; c is the pg_class row, q.q its
 * qualified name): a typed table is created with its columns and then bound
 * to its type, which gives the catalogs CREATE TABLE ... OF gives.
 */
#define DBK_KIND_TYPED_TABLE_SQL \
	"CASE WHEN c.reloftype <> 0 THEN format(E'\\nALTER TABLE ONLY %%s OF %%s;', q.q," \
	" format_type(c.reloftype, NULL)) ELSE '' END"

/* An aggregate the query of plain aggregates in dump_schema.c leaves to dump_kind_aggregates.c. */
#define DBK_KIND_SPECIAL_AGGREGATE(ag) \
	"(" ag ".aggkind <> 'n' OR " ag ".aggmtransfn <> 0 OR " ag ".aggsortop <> 0)"

#endif
