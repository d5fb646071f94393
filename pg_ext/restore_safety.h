/*
 * restore_safety.h — the safety backup of dbkeeper_restore() written by a
 * background worker while the restoring backend empties the database and
 * replays the backup.
 */
#ifndef DBK_PG_RESTORE_SAFETY_H
#define DBK_PG_RESTORE_SAFETY_H

#include "postgres.h"

#include "../core/archive/catalog.h"

/*
 * Starts a background worker for the safety backup, in the caller's lock
 * group, which connects as the caller with the caller's settings and then
 * waits for dbk_safety_begin().  Returns false, having changed nothing, when
 * no worker can be registered (no free slot).  Call before taking the
 * restore's locks: the worker connects meanwhile.
 */
bool		dbk_safety_launch(void);

/*
 * With every relation of the database locked by the caller and nothing
 * written yet: waits until the worker is connected and lets it take the
 * safety backup.  Returns false when no worker was launched or it could not
 * connect (a role's connection limit): the caller then takes the safety
 * backup itself.
 */
bool		dbk_safety_begin(void);

/*
 * Waits for the worker's safety backup to be published and puts its name
 * in name_out (DBK_NAME_MAX + 1 bytes); raises the worker's error if it
 * failed, or an error if it ended without a result.  waited_ms: how long
 * this call waited.
 */
void		dbk_safety_finish(char *name_out, double *waited_ms);

/*
 * Stops a worker still running (an error in the restore), waits for it to
 * exit, and deletes the safety backup if it had already published it.
 * Nothing when no worker runs.  Never raises: a file it cannot delete is a
 * WARNING.
 */
void		dbk_safety_stop(void);

/*
 * Takes the safety backup in this backend (label "pre-restore", zstd level
 * 1, no retention, the latest link unmoved) and puts its name in name_out:
 * what the worker does (threaded false: it runs beside the replay), and
 * what the restore does when it has no worker (threaded true: the restore
 * waits for it).
 */
void		dbk_safety_take(bool threaded, char *name_out);

/*
 * Deletes the safety backup name from the backup directory dir, for a
 * restore that rolled back (restore.c) or failed after the worker published
 * it.  Never raises: a failure is a WARNING.
 */
void		dbk_safety_delete(const char *dir, const char *name);

/* The worker's entry point (bgw_function_name). */
PGDLLEXPORT void dbk_safety_worker_main(Datum arg);

#endif
