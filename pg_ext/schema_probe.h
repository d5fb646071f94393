/*
 * schema_probe.h — which kinds of objects the database has, found by scans
 * of the catalogs in C before the schema description (schema.c) and the
 * backup's reading of definitions (dump_schema.c) run their queries
 * (schema_probe.c), so that they run only the queries that can return a row.
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

/*
 * The kinds of the backup's queries (dump_schema.c's dump_kinds) that have a
 * probe; DBK_DUMP_PROBE_NONE: a kind that is always queried.
 */
typedef enum dbk_dump_probe_kind
{
	DBK_DUMP_PROBE_NONE = 0,
	DBK_DUMP_PROBE_COLLATIONS,
	DBK_DUMP_PROBE_CASTS,
	DBK_DUMP_PROBE_TS_DICTS,
	DBK_DUMP_PROBE_TS_CONFIGS,
	DBK_DUMP_PROBE_TS_PARSERS,
	DBK_DUMP_PROBE_TS_TEMPLATES,
	DBK_DUMP_PROBE_FDWS,
	DBK_DUMP_PROBE_SERVERS,
	DBK_DUMP_PROBE_EDR_TYPES,		/* enum, domain and range types */
	DBK_DUMP_PROBE_DOMAINS,
	DBK_DUMP_PROBE_COMPOSITES,
	DBK_DUMP_PROBE_BASE_TYPES,
	DBK_DUMP_PROBE_SHELL_TYPES,
	DBK_DUMP_PROBE_EARLY_SHELLS,
	DBK_DUMP_PROBE_FUNCTIONS,
	DBK_DUMP_PROBE_AGGREGATES,	/* plain and special */
	DBK_DUMP_PROBE_OPERATORS,
	DBK_DUMP_PROBE_OPFAMILIES,
	DBK_DUMP_PROBE_OPCLASSES,
	DBK_DUMP_PROBE_LOOSE_MEMBERS,
	DBK_DUMP_PROBE_ACCESS_METHODS,
	DBK_DUMP_PROBE_LANGUAGES,
	DBK_DUMP_PROBE_TRANSFORMS,
	DBK_DUMP_PROBE_CONVERSIONS,
	DBK_DUMP_PROBE_SEQUENCES,
	DBK_DUMP_PROBE_VIEWS,
	DBK_DUMP_PROBE_FOREIGN_TABLES,
	DBK_DUMP_PROBE_TABLESPACES,	/* of relations and of indexes */
	DBK_DUMP_PROBE_LARGE_OBJECTS,
	DBK_DUMP_PROBE_INDEX_ATTACHMENTS,
	DBK_DUMP_PROBE_INDEX_USES,
	DBK_DUMP_PROBE_INDEX_STATISTICS,
	DBK_DUMP_PROBE_STATISTICS,
	DBK_DUMP_PROBE_TRIGGERS,
	DBK_DUMP_PROBE_TRIGGER_STATES,
	DBK_DUMP_PROBE_RULES,
	DBK_DUMP_PROBE_MEMBER_PRIVILEGES,
	DBK_DUMP_PROBE_MEMBER_COLUMN_PRIVILEGES,
	DBK_DUMP_PROBE_ROW_SECURITY,
	DBK_DUMP_PROBE_POLICIES,
	DBK_DUMP_PROBE_EVENT_TRIGGERS,
	DBK_DUMP_PROBE_PUBLICATIONS,
	DBK_DUMP_PROBE_DEFAULT_PRIVILEGES,
	DBK_DUMP_PROBE_SECURITY_LABELS,
	DBK_DUMP_PROBE_SUBSCRIPTIONS,
	DBK_DUMP_PROBE_COUNT
} dbk_dump_probe_kind;

typedef struct dbk_dump_probe
{
	bool		present[DBK_DUMP_PROBE_COUNT];
} dbk_dump_probe;

/*
 * As dbk_pg_probe_kinds, for the backup's queries: present[k] is false only
 * when kind k's query cannot return a row (schema_probe.c says, kind by
 * kind, what each probe tests); present[DBK_DUMP_PROBE_NONE] is true.
 * Extension members are those pg_depend records, read here.
 */
void		dbk_pg_probe_dump(dbk_dump_probe *p);

#endif
