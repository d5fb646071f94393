/*
 * restore_clear.h — before dbkeeper_restore() replays a backup: lock what
 * it will replace, then empty the database of everything a backup holds.
 */
#ifndef DBK_PG_RESTORE_CLEAR_H
#define DBK_PG_RESTORE_CLEAR_H

#include "postgres.h"

#include "nodes/pg_list.h"

/*
 * Takes ACCESS EXCLUSIVE locks on every relation the restore drops or
 * empties (lock_wait.c: never holding the others while it waits for one,
 * within dbkeeper.lock_wait_timeout or lock_timeout; past that an error
 * names the sessions in the way).  From then on no other session can
 * change what the safety backup reads.
 */
void		dbk_restore_lock(void);

/*
 * Drops every object that is neither a system object nor an extension
 * member and empties extension configuration tables.  *kept_schemas gets
 * the names (palloc'd char *) of user schemas that stay because extensions
 * live in them.  Raises an error naming the object it cannot drop.
 */
void		dbk_restore_clear(List **kept_schemas);

#endif
