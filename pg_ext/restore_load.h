/*
 * restore_load.h — a backup's COPY rows stored straight into a plain table,
 * for dbkeeper_restore(); see restore_load.c.
 */
#ifndef DBK_PG_RESTORE_LOAD_H
#define DBK_PG_RESTORE_LOAD_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "../core/restore/script_reader.h"

typedef struct dbk_loader dbk_loader;

/*
 * A loader for rel when the rows can go straight in (see restore_load.c
 * for the conditions), else NULL: the caller then uses COPY itself.
 * attnums are the COPY's columns, as CopyGetAttnums returns them.
 */
dbk_loader *dbk_loader_begin(Relation rel, List *attnums, List *copy_options,
							 const char *backup_name);

/* Stores one COPY_DATA item's rows; raises an error naming the line on bad data. */
void		dbk_loader_rows(dbk_loader *l, const dbk_script_item *item);

/* Stores what is buffered and frees the loader; returns the rows stored. */
uint64		dbk_loader_end(dbk_loader *l);

#endif
