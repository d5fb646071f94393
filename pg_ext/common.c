/*
 * common.c — the core's allocator and error reporting on PostgreSQL; see
 * common.h.
 */
#include "postgres.h"

#include <sys/resource.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "common.h"

static void *
pg_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size,
									  MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
}

static void
pg_free(void *ctx, void *ptr)
{
	(void) ctx;
	if (ptr)
		pfree(ptr);
}

void
dbk_pg_allocator_init(dbk_allocator *a, MemoryContext cxt)
{
	a->alloc = pg_alloc;
	a->free = pg_free;
	a->ctx = cxt;
}

int
dbk_pg_sqlstate(const dbk_error *err)
{
	switch (err->kind)
	{
		case DBK_E_INVALID:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case DBK_E_NOT_FOUND:
			return ERRCODE_UNDEFINED_FILE;
		case DBK_E_CORRUPT:
			return ERRCODE_DATA_CORRUPTED;
		case DBK_E_NOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case DBK_E_STATE:
			return ERRCODE_INVALID_TRANSACTION_STATE;
		case DBK_E_BUSY:
			return ERRCODE_LOCK_NOT_AVAILABLE;
		case DBK_E_UNSAFE:
			return ERRCODE_INSUFFICIENT_PRIVILEGE;
		case DBK_E_IO:
			return ERRCODE_IO_ERROR;
		case DBK_E_UNDEFINED:
			return ERRCODE_UNDEFINED_OBJECT;
		case DBK_E_UNDEFINED_TABLE:
			return ERRCODE_UNDEFINED_TABLE;
		case DBK_E_UNDEFINED_COLUMN:
			return ERRCODE_UNDEFINED_COLUMN;
		case DBK_E_NULL:
			return ERRCODE_NULL_VALUE_NOT_ALLOWED;
		case DBK_E_DATA:
			return ERRCODE_DATA_EXCEPTION;
		case DBK_E_MISMATCH:
			return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
		case DBK_OK:
		case DBK_E_INTERNAL:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * ereport(ERROR, ...) spelled out as the macro expands, so that errfinish
 * receives the place the error was made (the dbk_fail call that filled err,
 * in the core or the adapter) instead of this function's: that is what
 * LOCATION shows.  PostgreSQL keeps only the file's base name.
 */
void
dbk_pg_raise_at(const dbk_error *err, const char *file, int line, const char *func)
{
	if (err->file != NULL)
	{
		file = err->file;
		line = err->line;
		func = err->func;
	}
	/* errcode_for_file_access() picks the SQLSTATE from the errno errstart saves. */
	if (err->kind == DBK_E_IO && err->sys_errno != 0)
		errno = err->sys_errno;
	if (errstart(ERROR, TEXTDOMAIN))
	{
		if (err->kind == DBK_E_IO && err->sys_errno != 0)
			errcode_for_file_access();
		else
			errcode(dbk_pg_sqlstate(err));
		errmsg_internal("%s", err->message);
		if (err->detail[0])
			errdetail_internal("%s", err->detail);
		if (err->hint[0])
			errhint("%s", err->hint);
		errfinish(file, line, func);
	}
	pg_unreachable();
}

void
dbk_pg_log(const char *line)
{
	ereport(LOG,
			(errmsg_internal("%s", line),
			 errhidestmt(true),
			 errhidecontext(true)));
}

double
dbk_pg_seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

bool
dbk_pg_interrupted(dbk_error *err)
{
	if (!QueryCancelPending && !ProcDiePending)
		return false;
	dbk_fail(err, DBK_E_STATE, "interrupted");
	return true;
}

static ssize_t
interruptible_read(void *ctx, void *buf, size_t len, dbk_error *err)
{
	dbk_pg_fd_source *s = ctx;

	if (dbk_pg_interrupted(err))
		return -1;
	return s->inner.read(s->inner.ctx, buf, len, err);
}

dbk_source
dbk_pg_fd_source_init(dbk_pg_fd_source *s, int fd, const char *what)
{
	dbk_source	outer = {interruptible_read, s};

	s->fd.fd = fd;
	s->fd.what = what;
	s->inner = dbk_fd_source(&s->fd);
	return outer;
}

static double
process_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

void
dbk_pg_clock_start(dbk_pg_clock *c)
{
	INSTR_TIME_SET_CURRENT(c->wall);
	c->cpu_ms = process_cpu_ms();
}

void
dbk_pg_clock_lap(dbk_pg_clock *c, double *wall_ms, double *cpu_ms)
{
	dbk_pg_clock now;

	dbk_pg_clock_start(&now);
	*wall_ms = INSTR_TIME_GET_MILLISEC(now.wall) - INSTR_TIME_GET_MILLISEC(c->wall);
	*cpu_ms = now.cpu_ms - c->cpu_ms;
	*c = now;
}
