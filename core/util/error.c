/*
 * error.c — filling dbk_error values; see error.h.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

void
dbk_error_clear(dbk_error *err)
{
	err->kind = DBK_OK;
	err->sys_errno = 0;
	err->message[0] = '\0';
	err->detail[0] = '\0';
	err->hint[0] = '\0';
	err->file = NULL;
	err->func = NULL;
	err->line = 0;
}

static void fill(const char *file, int line, const char *func, dbk_error *err,
				 dbk_error_kind kind, const char *fmt, va_list ap)
			__attribute__((format(printf, 6, 0)));

static void
fill(const char *file, int line, const char *func, dbk_error *err,
	 dbk_error_kind kind, const char *fmt, va_list ap)
{
	dbk_error_clear(err);
	err->kind = kind;
	err->file = file;
	err->line = line;
	err->func = func;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int
dbk_fail_at(const char *file, int line, const char *func, dbk_error *err,
			dbk_error_kind kind, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fill(file, line, func, err, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int
dbk_fail_errno_at(const char *file, int line, const char *func, dbk_error *err,
				  int errnum, const char *fmt,...)
{
	va_list		ap;
	size_t		len;

	va_start(ap, fmt);
	fill(file, line, func, err, DBK_E_IO, fmt, ap);
	va_end(ap);
	err->sys_errno = errnum;
	len = strlen(err->message);
	snprintf(err->message + len, sizeof(err->message) - len, ": %s", strerror(errnum));
	return -1;
}

void
dbk_error_detail(dbk_error *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
dbk_error_hint(dbk_error *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void
dbk_error_prefix(dbk_error *err, const char *fmt,...)
{
	char		prefix[256];
	char		old[sizeof(err->message)];
	va_list		ap;
	size_t		plen;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);

	memcpy(old, err->message, sizeof(old));
	plen = strlen(prefix);
	if (plen >= sizeof(err->message))
		plen = sizeof(err->message) - 1;
	memcpy(err->message, prefix, plen);
	/* Truncation of a very long message is acceptable here. */
	snprintf(err->message + plen, sizeof(err->message) - plen, "%.*s",
			 (int) (sizeof(err->message) - plen - 1), old);
}
