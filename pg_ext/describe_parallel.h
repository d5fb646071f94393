/*
 * describe_parallel.h — the backup's schema description (schema.h), built
 * by a parallel worker beside the backend's own catalog reads when one can
 * be had, else by the backend at the start; the text is the same either way.
 */
#ifndef DBK_PG_DESCRIBE_PARALLEL_H
#define DBK_PG_DESCRIBE_PARALLEL_H

typedef struct dbk_pg_describe_job dbk_pg_describe_job;

/*
 * Starts describing the schema as of the active snapshot.  Call inside a
 * transaction, with the snapshot pushed and the relations locked, outside
 * parallel mode.  If a worker started, the caller is in parallel mode until
 * dbk_pg_describe_finish(): read-only work only, in this transaction level.
 */
dbk_pg_describe_job *dbk_pg_describe_start(void);

/*
 * The description (palloc'd in CurrentMemoryContext) and its fingerprint
 * (64 hex digits and a NUL); ends parallel mode.  Raises the worker's error
 * if it failed.  Frees job.  True when a worker built it.
 */
bool		dbk_pg_describe_finish(dbk_pg_describe_job *job, char **text, char fingerprint_hex[65]);

#endif
