/*
 * fuzz_archive.c — libFuzzer target for the backup reader (core/archive/archive.c)
 * and the metadata decoder (core/util/metadata.c).
 *
 * Any input must be either read completely with every check passing or
 * refused with DBK_E_CORRUPT; never a crash, a leak or undefined behaviour.
 * The same bytes also go through dbk_archive_peek, by way of a memfd.
 * tests/run-all.sh runs it for a bounded time from tests/fuzz/corpus/archive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../core/archive/archive.h"

typedef struct input
{
	const uint8_t *data;
	size_t		len;
	size_t		pos;
} input;

static ssize_t
input_read(void *ctx, void *buf, size_t len, dbk_error *err)
{
	input	   *in = ctx;
	size_t		n = in->len - in->pos;

	(void) err;
	if (n > len)
		n = len;
	if (n > 4093)
		n = 4093;
	memcpy(buf, in->data + in->pos, n);
	in->pos += n;
	return (ssize_t) n;
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const dbk_allocator *a = &dbk_libc_allocator;
	input		in = {data, size, 0};
	dbk_source	src = {input_read, &in};
	dbk_error	err;
	dbk_meta	h,
				t;
	uint64_t	bytes;
	int			fd;

	if (dbk_archive_verify_stream(a, src, "fuzz input", NULL, &err) != 0 &&
		err.kind != DBK_E_CORRUPT && err.kind != DBK_E_NOMEM)
		abort();

	dbk_meta_init(&h, a);
	if (dbk_meta_decode(&h, (const char *) data, size, DBK_ARCHIVE_HEADER_LINE, &err) != 0 &&
		err.kind != DBK_E_CORRUPT && err.kind != DBK_E_INVALID)
		abort();
	dbk_meta_free(&h);

	fd = memfd_create("fuzz", 0);
	if (fd >= 0)
	{
		if (write(fd, data, size) == (ssize_t) size)
		{
			dbk_meta_init(&h, a);
			dbk_meta_init(&t, a);
			if (dbk_archive_peek(a, fd, "fuzz input", &h, &t, &bytes, &err) != 0 &&
				err.kind != DBK_E_CORRUPT)
				abort();
			dbk_meta_free(&h);
			dbk_meta_free(&t);
		}
		close(fd);
	}
	return 0;
}
