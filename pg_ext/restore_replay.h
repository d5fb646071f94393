/*
 * restore_replay.h — runs a backup's SQL script in the backend, in the
 * caller's transaction, for dbkeeper_restore().
 */
#ifndef DBK_PG_RESTORE_REPLAY_H
#define DBK_PG_RESTORE_REPLAY_H

#include "postgres.h"

#include "nodes/pg_list.h"

/*
 * Reads the backup open on fd from its start and runs every statement,
 * COPY blocks streamed into their tables.  name is the backup's file name,
 * for errors; kept_schemas the schemas whose CREATE SCHEMA is skipped.
 * Every setting the script makes is undone before it returns.  Raises an
 * error naming the backup and the statement on failure.  Returns the number
 * of statements run.  Must run inside an SPI connection.
 */
uint64		dbk_restore_replay(int fd, const char *name, List *kept_schemas);

#endif
