/*
 * backup.h — taking a backup of the current database, for the SQL function
 * dbkeeper_backup() and for the safety backup of dbkeeper_restore().
 */
#ifndef DBK_PG_BACKUP_H
#define DBK_PG_BACKUP_H

#include "postgres.h"

/*
 * Writes a backup of the current database (label may be NULL) and publishes
 * it; its file name goes into name_out (DBK_NAME_MAX + 1 bytes) as soon as
 * it is published, before anything that checks for interrupts, so that a
 * caller whose call ends in an error or a termination after that (the
 * restore's safety worker) can tell it was published.  An
 * ordinary backup (not a restore's safety backup) moves the latest link and
 * then applies retention (dbkeeper.keep_backups, keep_days).  The caller
 * has checked the privileges, and that its transaction has written nothing
 * the backup would hold uncommitted (it may hold an xid for its locks only).
 * threaded: zstd and the SHA-256 of the content run on threads beside the
 * scan, for a caller that waits for the backup; without, this process does
 * all of it, for about a fifth less CPU (a backup beside other work).
 * Raises an error, publishing nothing, on failure.
 */
void		dbk_pg_backup_take(const char *label, bool ordinary, bool threaded, char *name_out);

#endif
