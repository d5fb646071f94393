/*
 * stream.h — the I/O callbacks the core writes to and reads from.
 *
 * A sink consumes bytes: write() takes all len bytes or fails.  A source
 * produces bytes: read() returns up to len bytes, 0 only at end of input, or
 * -1 after filling err.  The PostgreSQL adapter wraps these to check for
 * interrupts; the fd versions below retry EINTR and short transfers.
 */
#ifndef DBK_STREAM_H
#define DBK_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

typedef struct dbk_sink
{
	int			(*write) (void *ctx, const void *buf, size_t len, dbk_error *err);
	void	   *ctx;
} dbk_sink;

typedef struct dbk_source
{
	ssize_t		(*read) (void *ctx, void *buf, size_t len, dbk_error *err);
	void	   *ctx;
} dbk_source;

/* A file descriptor as a sink or source; what names the file in errors. */
typedef struct dbk_fd_stream
{
	int			fd;
	const char *what;
} dbk_fd_stream;

dbk_sink	dbk_fd_sink(dbk_fd_stream *s);
dbk_source	dbk_fd_source(dbk_fd_stream *s);

/* write(2) of all len bytes, retrying EINTR and short writes. */
int			dbk_write_all(int fd, const void *buf, size_t len, const char *what, dbk_error *err);
/* pread(2) of exactly len bytes at off; a short file is DBK_E_CORRUPT. */
int			dbk_pread_exact(int fd, void *buf, size_t len, off_t off, const char *what, dbk_error *err);

#endif
