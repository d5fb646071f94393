/*
 * test_sha256_thread.c — unit tests of the threaded SHA-256
 * (core/util/sha256_thread.c): the digest equals the one-shot digest for empty
 * input, one byte, exactly one block, and many blocks given in odd-sized
 * pieces (so the caller waits for the thread); abandoning midway joins.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/util/sha256_thread.h"
#include "unit.h"

/* The number of threads of this process, from /proc/self/task. */
static int
thread_count(void)
{
	DIR		   *d = opendir("/proc/self/task");
	struct dirent *e;
	int			n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
same_digest(const char *id, const unsigned char *data, size_t len, size_t piece)
{
	char		want[DBK_SHA256_HEX_LEN + 1],
				got[DBK_SHA256_HEX_LEN + 1];
	dbk_error	err;
	dbk_sha256_thread *h = dbk_sha256_thread_start(&dbk_libc_allocator, &err);

	dbk_sha256_hex(data, len, want, &err);
	for (size_t off = 0; off < len; off += piece)
		dbk_sha256_thread_update(h, data + off, len - off < piece ? len - off : piece);
	dbk_sha256_thread_final_hex(h, got);
	CHECK(id, strcmp(want, got) == 0);
}

int
main(void)
{
	size_t		big = 11 * DBK_SHA256_THREAD_BLOCK / 2 + 13;
	unsigned char *data = malloc(big);
	dbk_error	err;
	dbk_sha256_thread *h;
	int			before;

	for (size_t i = 0; i < big; i++)
		data[i] = (unsigned char) (i * 2654435761u >> 13);
	same_digest("sha256-thread/empty", data, 0, 1);
	same_digest("sha256-thread/one-byte", data, 1, 1);
	same_digest("sha256-thread/one-block", data, DBK_SHA256_THREAD_BLOCK, DBK_SHA256_THREAD_BLOCK);
	same_digest("sha256-thread/many-blocks-odd-pieces", data, big, 77777);
	same_digest("sha256-thread/many-blocks-one-piece", data, big, big);

	before = thread_count();
	h = dbk_sha256_thread_start(&dbk_libc_allocator, &err);
	CHECK("sha256-thread/started", h != NULL && thread_count() == before + 1);
	dbk_sha256_thread_update(h, data, big);
	dbk_sha256_thread_abandon(h);
	dbk_sha256_thread_abandon(NULL);
	CHECK("sha256-thread/abandon-joins", thread_count() == before);
	free(data);
	return unit_exit();
}
