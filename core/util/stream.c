/*
 * stream.c — file descriptors as dbk_sink and dbk_source; see stream.h.
 */
#include "stream.h"

#include <errno.h>
#include <unistd.h>

int
dbk_write_all(int fd, const void *buf, size_t len, const char *what, dbk_error *err)
{
	const char *p = buf;

	while (len > 0)
	{
		ssize_t		n = write(fd, p, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return dbk_fail_errno(err, errno, "could not write to %s", what);
		}
		if (n == 0)
			return dbk_fail_errno(err, ENOSPC, "could not write to %s", what);
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int
dbk_pread_exact(int fd, void *buf, size_t len, off_t off, const char *what, dbk_error *err)
{
	char	   *p = buf;

	while (len > 0)
	{
		ssize_t		n = pread(fd, p, len, off);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return dbk_fail_errno(err, errno, "could not read %s", what);
		}
		if (n == 0)
			return dbk_fail(err, DBK_E_CORRUPT, "%s is truncated", what);
		p += n;
		off += n;
		len -= (size_t) n;
	}
	return 0;
}

static int
fd_write(void *ctx, const void *buf, size_t len, dbk_error *err)
{
	dbk_fd_stream *s = ctx;

	return dbk_write_all(s->fd, buf, len, s->what, err);
}

static ssize_t
fd_read(void *ctx, void *buf, size_t len, dbk_error *err)
{
	dbk_fd_stream *s = ctx;

	for (;;)
	{
		ssize_t		n = read(s->fd, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
		{
			dbk_fail_errno(err, errno, "could not read %s", s->what);
			return -1;
		}
	}
}

dbk_sink
dbk_fd_sink(dbk_fd_stream *s)
{
	dbk_sink	k = {fd_write, s};

	return k;
}

dbk_source
dbk_fd_source(dbk_fd_stream *s)
{
	dbk_source	k = {fd_read, s};

	return k;
}
