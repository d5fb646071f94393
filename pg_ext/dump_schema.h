/*
 * dump_schema.h — the DDL part of a PostgreSQL backup; see dump_schema.c.
 */
#ifndef DBK_PG_DUMP_SCHEMA_H
#define DBK_PG_DUMP_SCHEMA_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "dump_out.h"

/* A table whose rows go into the backup, in the order they are written. */
typedef struct dump_table
{
	Oid			relid;
	char	   *qname;			/* schema-qualified, quoted */
	char	   *filter;			/* NULL, or the WHERE condition that picks the
								 * rows of an extension configuration table
								 * the backup holds (pg_extension_config_dump) */
} dump_table;

typedef struct dump_schema
{
	MemoryContext cxt;			/* where the lists and their texts live */
	List	   *pre_data;		/* char *: statements before the rows, in dependency order */
	List	   *tables;			/* dump_table *: whose rows to write, by name */
	List	   *sequences;		/* dump_table *: sequences whose values to set
								 * (filter NULL), by name */
	List	   *large_objects;	/* Oid: large objects whose contents to write */
	List	   *post_data;		/* char *: constraints, indexes, triggers, ... foreign keys */
	List	   *refresh;		/* char *: REFRESH MATERIALIZED VIEW, in dependency order */
} dump_schema;

/* Reads the catalogs (SPI connected, the backup's snapshot active). */
void		dbk_dump_schema_read(dump_schema *s);

/* The OIDs of every relation to lock before the snapshot is taken. */
List	   *dbk_dump_relations_to_lock(void);	/* of Oid */
/* Fails, naming it, when the catalogs hold an object this version's backup cannot reproduce. */
void		dbk_dump_check_supported(void);

#endif
