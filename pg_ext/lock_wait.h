/*
 * lock_wait.h — the lock phase of a backup and of a restore: every lock
 * taken without holding the application hostage, within a limit; see
 * lock_wait.c.
 */
#ifndef DBK_PG_LOCK_WAIT_H
#define DBK_PG_LOCK_WAIT_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "storage/lockdefs.h"

/*
 * Locks every relation of relids (OIDs) in mode until the end of the
 * caller's transaction.  A relation dropped meanwhile is locked all the
 * same (the caller's catalog reads find it gone).  While it waits for one
 * lock it holds none of the others it took, beyond a short grace period,
 * so other sessions' queries on those run on.  When the limit
 * (dbkeeper.lock_wait_timeout, or the caller's lock_timeout when smaller)
 * passes, raises 55P03 naming the relation and the sessions holding it;
 * who names the operation ("dbkeeper_restore()") and outcome is the
 * sentence the error's detail ends with ("Nothing was changed.").  Locks
 * the transaction held before the call are never released.
 */
void		dbk_lock_relations(List *relids, LOCKMODE mode, const char *who, const char *outcome);

#endif
