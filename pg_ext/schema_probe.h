/*
 * schema_probe.h — which kinds of objects the database has, found by scans
 * of the catalogs in C before the schema description runs its queries
 * (schema_probe.c), so that it runs only the queries that can return a row.
 */
#ifndef DBK_PG_SCHEMA_PROBE_H
#define DBK_PG_SCHEMA_PROBE_H

#include "postgres.h"

#include "schema_relations.h"

/* The kinds of schema.c's queries. */
typedef enum dbk_probe_kind
{
	DBK_PROBE_VIEWS = 0,			/* views and materialized views */
	DBK_PROBE_SEQUENCES,
	DBK_PROBE_FUNCTIONS,		/* functions, procedures, window functions */
	DBK_PROBE_AGGREGATES,
	DBK_PROBE_TRIGGERS,
	DBK_PROBE_RULES,
	DBK_PROBE_POLICIES,
	DBK_PROBE_TYPES,			/* base, composite, domain, enum and range types */
	DBK_PROBE_OPERATORS,
	DBK_PROBE_OPCLASSES,
	DBK_PROBE_OPFAMILIES,
	DBK_PROBE_CASTS,
	DBK_PROBE_TS_CONFIGS,
	DBK_PROBE_TS_DICTS,
	DBK_PROBE_TS_PARSERS,
	DBK_PROBE_TS_TEMPLATES,
	DBK_PROBE_EVENT_TRIGGERS,
	DBK_PROBE_STATISTICS,
	DBK_PROBE_PUBLICATIONS,
	DBK_PROBE_COLLATIONS,
	DBK_PROBE_COUNT
} dbk_probe_kind;

typedef struct dbk_probe
{
	bool		present[DBK_PROBE_COUNT];
} dbk_probe;

/*
 * Sets present[k] to false only when kind k's query cannot return a row:
 * no row of its catalog, as of the active snapshot (the one the queries
 * see), passes the query's own test of a schema of the user's (or, for the
 * kinds outside schemas, exists at all).  A kind it cannot rule out is
 * present, even if its query then returns nothing.  Views, sequences,
 * routines and triggers (of a table) that are members of an extension are
 * not counted, as their queries leave them out: the extension members ri
 * read (dbk_pg_describe_tables).  Takes ACCESS SHARE locks on the catalogs,
 * as the queries would.
 */
void		dbk_pg_probe_kinds(dbk_probe *p, dbk_pg_relinfo *ri);

#endif
