/*
 * common.h — what the PostgreSQL adapter's files share: the core's
 * allocator over a memory context, and core errors raised as ereport.
 */
#ifndef DBK_PG_COMMON_H
#define DBK_PG_COMMON_H

#include "postgres.h"

#include <time.h>

#include "portability/instr_time.h"

#include "compat.h"
#include "../core/util/dbk_alloc.h"
#include "../core/util/error.h"
#include "../core/util/stream.h"

/*
 * An allocator drawing from cxt.  It returns NULL instead of raising an
 * error when memory runs out, as the core expects.  The caller keeps the
 * struct alive while the core uses it.
 */
void		dbk_pg_allocator_init(dbk_allocator *a, MemoryContext cxt);

/* The SQLSTATE for a core error kind. */
int			dbk_pg_sqlstate(const dbk_error *err);

/*
 * Raises err at ERROR level, with its detail, hint and SQLSTATE; does not
 * return.  LOCATION is where err was filled, or else where dbk_pg_raise was
 * called.
 */
#define dbk_pg_raise(err) dbk_pg_raise_at((err), __FILE__, __LINE__, __func__)
DBK_NORETURN void dbk_pg_raise_at(const dbk_error *err, const char *file, int line,
								  const char *func) DBK_NORETURN_END;

/*
 * A phase's clock for DEBUG1 timings: wall time and the process's CPU time
 * (user and system, every thread of the backend included).
 */
typedef struct dbk_pg_clock
{
	instr_time	wall;
	double		cpu_ms;
} dbk_pg_clock;

void		dbk_pg_clock_start(dbk_pg_clock *c);

/* The wall and CPU milliseconds since *c was started; *c restarts now. */
void		dbk_pg_clock_lap(dbk_pg_clock *c, double *wall_ms, double *cpu_ms);

/*
 * Writes one of the core's oplog lines (core/archive/oplog.h) to the server log at
 * LOG level, without the statement or context: the line says it all.
 */
void		dbk_pg_log(const char *line);

/* Seconds since *start, a CLOCK_MONOTONIC reading, for the oplog lines. */
double		dbk_pg_seconds_since(const struct timespec *start);

/*
 * True, after filling err, when a cancel or terminate is pending.  Callbacks
 * the core calls use it instead of CHECK_FOR_INTERRUPTS(), so that the core
 * can release what it holds; the caller services the interrupt afterwards.
 */
bool		dbk_pg_interrupted(dbk_error *err);

/*
 * A file descriptor as a core source whose reads end with an error, rather
 * than a longjmp, when a cancel or terminate is pending: the core then
 * frees its decoder and digest contexts, and the caller services the
 * interrupt after the core returns.  The struct must outlive the source.
 */
typedef struct dbk_pg_fd_source
{
	dbk_fd_stream fd;
	dbk_source	inner;
} dbk_pg_fd_source;

dbk_source	dbk_pg_fd_source_init(dbk_pg_fd_source *s, int fd, const char *what);

#endif
