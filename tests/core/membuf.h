/*
 * membuf.h — an in-memory sink and source for the archive tests: writes
 * grow a buffer, reads hand it back in odd-sized pieces (at most 777 bytes)
 * to exercise the reader's buffering.  Test code only.
 */
#ifndef DBK_TEST_MEMBUF_H
#define DBK_TEST_MEMBUF_H

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../../core/util/error.h"

typedef struct membuf
{
	unsigned char *data;
	size_t		len;
	size_t		cap;
	size_t		pos;
} membuf;

static inline int
mem_write(void *ctx, const void *buf, size_t len, dbk_error *err)
{
	membuf	   *m = ctx;

	(void) err;
	if (m->len + len > m->cap)
	{
		m->cap = (m->len + len) * 2;
		m->data = realloc(m->data, m->cap);
	}
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

static inline ssize_t
mem_read(void *ctx, void *buf, size_t len, dbk_error *err)
{
	membuf	   *m = ctx;
	size_t		n = m->len - m->pos;

	(void) err;
	/* Odd-sized reads exercise the reader's buffering. */
	if (n > len)
		n = len;
	if (n > 777)
		n = 777;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t) n;
}

#endif
