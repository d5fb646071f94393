/*
 * dump_data.h — the rows of a PostgreSQL backup; see dump_data.c.
 */
#ifndef DBK_PG_DUMP_DATA_H
#define DBK_PG_DUMP_DATA_H

#include "postgres.h"

#include "utils/snapshot.h"

#include "dump_out.h"
#include "dump_schema.h"

/*
 * Writes t's rows as a COPY ... FROM stdin block and sets *rows to how many.
 * False when the table has no rows to back up and got no block: an unlogged
 * table on a hot standby.
 */
bool		dbk_dump_table_data(dump_out *o, const dump_table *t, Snapshot snapshot, uint64 *rows);

/* Writes setval() for each sequence in seqs (dump_table *, locked), as of snapshot. */
void		dbk_dump_sequence_values(dump_out *o, List *seqs, Snapshot snapshot);

/* Writes the contents of each large object in oids (SPI connected), in chunks. */
void		dbk_dump_large_objects(dump_out *o, List *oids);

#endif
