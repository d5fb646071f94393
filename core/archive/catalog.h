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
#include <time.h>

#include "backup_dir.h"
#include "../util/metadata.h"
#include "oplog.h"

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
 * The hint of a restore or verify refused because the backup is of another
 * database; a format of three strings: what to do ("restore it here",
 * "verify it"), the function, the backup's name.
 */
#define DBK_HINT_ANYWAY "To %s anyway, call %s('%s', true)."

/* The label of the safety backup a restore takes first. */
#define DBK_SAFETY_LABEL "pre-restore"

/*
 * The database a caller acts for.  identity is what the engine knows for
 * certain about where a backup came from (PostgreSQL: the cluster's system
 * identifier and the database's OID), recorded in the header under
 * "identity"; NULL when the engine has none.
 */
typedef struct dbk_origin
{
	const char *engine;
	const char *database;
	const char *identity;
} dbk_origin;

/*
 * True when the backup with this header was taken of o: same engine, and
 * the same identity when both record one; a backup without an identity
 * (written before dbkeeper recorded one) belongs to the database of its
 * name.
 */
bool		dbk_catalog_belongs(const dbk_meta *header, const dbk_origin *o);

/*
 * The backup a caller means: name when given (checked as a plain backup
 * name; whose it is, the caller checks), else the newest backup of o that is
 * not a safety backup.  name_out gets at least DBK_NAME_MAX + 1 bytes.
 */
int			dbk_catalog_resolve(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o,
								const char *ext, const char *name, char *name_out, dbk_error *err);

/*
 * What retention keeps.  A backup of the kind chosen by label (NULL: the
 * unlabelled ones, which automatic retention prunes; a label: the backups
 * with that label, "pre-restore" for safety backups; "*": every backup) is
 * kept when it is among the newest keep of that kind or younger than
 * keep_days days at now; 0 turns either rule off, and with both off nothing
 * is deleted.  Whatever the rules, the newest backup of the database and
 * the one its latest link points to stay.
 */
typedef struct dbk_retention
{
	int64_t		keep;
	int64_t		keep_days;
	const char *label;
	time_t		now;
} dbk_retention;

/* The error for an explicit count below 1: the newest backup always stays. */
int			dbk_retention_count_check(int64_t keep, dbk_error *err);

/* Deletes the backups of o that r does not keep; *deleted counts them. */
int			dbk_catalog_prune(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o,
							  const char *ext, const dbk_retention *r, int *deleted, dbk_error *err);

/*
 * As dbk_catalog_prune, noting each file deleted in *pruned (initialised
 * here), for the log line; on an error *pruned holds those deleted before it.
 */
int			dbk_catalog_prune_noting(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o,
									 const char *ext, const dbk_retention *r, dbk_pruned *pruned,
									 dbk_error *err);

#endif
