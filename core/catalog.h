/*
 * catalog.h — the backups in a directory: listing and retention.
 *
 * A file counts as a backup only when its name ends in a dbkeeper extension,
 * it is a regular file reached without following a link, and it starts with
 * dbkeeper's header frame.  Nothing else is listed, and nothing else is ever
 * deleted.  Listings are newest first (by the created_at recorded in the
 * header, then by name).
 */
#ifndef DBK_CATALOG_H
#define DBK_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "backup_dir.h"
#include "metadata.h"

typedef struct dbk_backup_info
{
	char		name[DBK_NAME_MAX + 1];
	dbk_meta	header;
	dbk_meta	trailer;		/* empty when the trailer is unreadable */
	uint64_t	file_bytes;
	bool		is_latest;		/* the latest link of its database points here */
} dbk_backup_info;

typedef struct dbk_backup_list
{
	const dbk_allocator *a;
	dbk_backup_info *items;
	size_t		n;
} dbk_backup_list;

/* Lists the backups in d whose name ends in "." ext (every kind if NULL). */
int			dbk_catalog_list(const dbk_allocator *a, dbk_dir *d, const char *ext,
							 dbk_backup_list *out, dbk_error *err);
void		dbk_catalog_free(dbk_backup_list *list);

/*
 * Deletes the oldest backups of (engine, database) beyond the newest keep,
 * never the newest one nor the one the latest link points to.  keep must be
 * at least 1.  *deleted counts the files removed.
 */
int			dbk_catalog_prune(const dbk_allocator *a, dbk_dir *d, const char *engine,
							  const char *database, const char *ext, int64_t keep,
							  int *deleted, dbk_error *err);

#endif
