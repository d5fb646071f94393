/*
 * dump_kind.h — the object kinds of a PostgreSQL backup: what one entry of
 * dump_schema.c's table of kinds is, and the builders that live outside
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
 * A builder returns the catalog query of its kind (pg_dump's getX and dumpX
 * in one), or NULL when there is nothing to query.  The query of a pre-data
 * or post-data kind returns the columns (classid, objid, prio, sortkey,
 * label, ddl, extra); an object keyed (0, 0) takes part in no dependency
 * edge and comes by priority alone.  The query of an edges kind returns
 * (classid, objid, refclassid, refobjid): the first is created after the
 * second; both ends are object keys as the pre-data queries return them.
 * A new kind is one builder and one entry in dump_schema.c's dump_kinds.
 */
#ifndef DBK_PG_DUMP_KIND_H
#define DBK_PG_DUMP_KIND_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "schema_probe.h"

typedef enum dump_section
{
	DUMP_PRE_DATA,				/* objects ordered by their dependencies */
	DUMP_EDGES,					/* dependencies pg_depend does not record */
	DUMP_POST_DATA				/* statements ordered by priority alone */
} dump_section;

/* What the builders may use besides the catalogs. */
typedef struct dump_kind_context
{
	/*
	 * For post-data builders: a SQL row source of (classid, objid), the
	 * pre-data objects made in post-data instead (dump_schema.c's postpone),
	 * whose dependents must come after them.  Empty before post-data.
	 */
	const char *postponed;
} dump_kind_context;

typedef struct dump_kind
{
	const char *name;			/* for readers: what the query lists */
	dump_section section;
	const char *(*sql) (const dump_kind_context *cx);

	/*
	 * Pre-data and post-data kinds: the probe (schema_probe.c) that must
	 * find the kind in the catalogs for its query to run; NONE: it always
	 * runs.  Edges kinds: NONE; their query runs only when an object of
	 * one of from_classes (0-terminated; none: always) has been collected,
	 * as an edge from any other object is dropped.
	 */
	dbk_dump_probe_kind probe;
	Oid			from_classes[6];
} dump_kind;

/* dump_kind_types.c */
const char *dbk_kind_base_types(const dump_kind_context *cx);
const char *dbk_kind_shell_types(const dump_kind_context *cx);
const char *dbk_kind_early_shells(const dump_kind_context *cx);

/* dump_kind_operators.c */
const char *dbk_kind_opfamilies(const dump_kind_context *cx);
const char *dbk_kind_opclasses(const dump_kind_context *cx);
const char *dbk_kind_opfamily_members(const dump_kind_context *cx);
const char *dbk_kind_access_methods(const dump_kind_context *cx);
const char *dbk_kind_operator_edges(const dump_kind_context *cx);

/* dump_kind_aggregates.c */
const char *dbk_kind_special_aggregates(const dump_kind_context *cx);

/* dump_kind_misc.c */
const char *dbk_kind_languages(const dump_kind_context *cx);
const char *dbk_kind_transforms(const dump_kind_context *cx);
const char *dbk_kind_conversions(const dump_kind_context *cx);
const char *dbk_kind_ts_parsers(const dump_kind_context *cx);
const char *dbk_kind_ts_templates(const dump_kind_context *cx);
const char *dbk_kind_relation_tablespaces(const dump_kind_context *cx);
const char *dbk_kind_misc_edges(const dump_kind_context *cx);
const char *dbk_kind_index_tablespaces(const dump_kind_context *cx);
const char *dbk_kind_security_labels(const dump_kind_context *cx);
const char *dbk_kind_subscriptions(const dump_kind_context *cx);

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
