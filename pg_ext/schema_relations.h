/*
 * schema_relations.h — the table, index and constraint rows of the
 * PostgreSQL schema description, built in C from catalog scans
 * (schema_relations.c), and the SQL filters that schema.c's queries share
 * with them.
 *
 * These kinds are most of a large schema's objects.  Their rows are byte
 * for byte those of the set-based queries they replace (canonical form 1,
 * README "Schema fingerprint"); sql/fingerprint_reference.sql compares
 * them with those queries, kept there as the reference.
 */
#ifndef DBK_PG_SCHEMA_RELATIONS_H
#define DBK_PG_SCHEMA_RELATIONS_H

#include "postgres.h"

#include "executor/spi.h"

#include "../core/fingerprint/schema.h"
#include "catalog_sql.h"


/*
 * What the table pass learns and the index pass reuses (the columns of
 * every described table), and the caches of deparsed types and defaults;
 * allocated in the memory context given, freed with it.
 */
typedef struct dbk_pg_relinfo dbk_pg_relinfo;

dbk_pg_relinfo *dbk_pg_relinfo_create(MemoryContext cxt);

/*
 * Add the rows of kind "table", "partitioned table" and "foreign table",
 * then those of kind "index", then those of kind "constraint" (of tables
 * and domains), in this order: the later passes reuse what the table pass
 * read.  They run inside the caller's SPI connection,
 * with the description's settings in force, and read the catalogs as of
 * the active snapshot.  Errors are raised with ereport.
 */
void		dbk_pg_describe_tables(dbk_schema *s, dbk_pg_relinfo *ri);
void		dbk_pg_describe_indexes(dbk_schema *s, dbk_pg_relinfo *ri);
void		dbk_pg_describe_constraints(dbk_schema *s, dbk_pg_relinfo *ri);

/*
 * Add the rows of kind "schema" (the user's schemas but extension members)
 * and "extension" (every extension but dbkeeper: name, version, schema);
 * after dbk_pg_describe_tables.
 */
void		dbk_pg_describe_schemas_and_extensions(dbk_schema *s, dbk_pg_relinfo *ri);

/* True when (classid, objid) is a member of an extension; after dbk_pg_describe_tables. */
bool		dbk_pg_relinfo_is_member(dbk_pg_relinfo *ri, Oid classid, Oid objid);

/*
 * Runs sql, a read-only query without parameters, as SPI_execute does, through
 * a plan prepared the first time this backend runs it and kept in *kept (a
 * static of the caller's) for the backend's life.  The plan cache plans it
 * again when a catalog it reads changes or the search path differs.
 */
int			dbk_pg_schema_execute(SPIPlanPtr *kept, const char *sql);

#endif
