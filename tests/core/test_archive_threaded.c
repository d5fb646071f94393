/*
 * test_archive_threaded.c — unit tests of dbk_archive_writer_open_threaded
 * (core/archive/archive.c): the writer that compresses on zstd worker threads with
 * zstd's memory from an allocator of its own.
 *
 * The contract checked here is the one the PostgreSQL backup relies on,
 * since palloc must never be called from another thread:
 *   - the caller's allocator is only ever called from the calling thread;
 *   - zstd's allocator is the one the worker threads use (it is called from
 *     another thread), and everything both allocated is freed;
 *   - the worker threads block every signal, so a process-directed signal
 *     can only run a handler on the caller's thread;
 *   - the archive reads back to the same content, and no larger than a
 *     single-threaded one by more than a little (the job overlap).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "../../core/archive/archive.h"
#include "membuf.h"
#include "unit.h"

/* An allocator that counts its blocks and notes calls from other threads. */
typedef struct counting
{
	pthread_t	owner;
	atomic_long live;
	atomic_long calls;
	atomic_long foreign_calls;	/* from a thread other than owner */
} counting;

static void
note_call(counting *c)
{
	atomic_fetch_add(&c->calls, 1);
	if (!pthread_equal(pthread_self(), c->owner))
		atomic_fetch_add(&c->foreign_calls, 1);
}

static void *
counting_alloc(void *ctx, size_t size)
{
	counting   *c = ctx;
	void	   *p = malloc(size);

	note_call(c);
	if (p)
		atomic_fetch_add(&c->live, 1);
	return p;
}

static void
counting_free(void *ctx, void *ptr)
{
	counting   *c = ctx;

	note_call(c);
	if (ptr)
		atomic_fetch_sub(&c->live, 1);
	free(ptr);
}

/* 24 MB of text-like content: several 4 MB jobs, compressible but not trivially. */
#define CONTENT_SIZE (24u * 1024 * 1024)

static unsigned char *
make_content(void)
{
	unsigned char *p = malloc(CONTENT_SIZE);
	unsigned int x = 12345;
	size_t		i = 0;

	while (i < CONTENT_SIZE)
	{
		int			n;
		char		line[64];

		x = x * 1103515245u + 12345u;
		n = snprintf(line, sizeof(line), "%u\t%u\tname %u\t\\N\n", (x >> 8) % 100000, x % 977, (x >> 16) % 5000);
		for (int k = 0; k < n && i < CONTENT_SIZE; k++)
			p[i++] = (unsigned char) line[k];
	}
	return p;
}

/*
 * True when every thread of this process but the caller blocks SIGINT,
 * SIGTERM and SIGUSR1 (read from /proc/self/task/<tid>/status); *others is
 * the number of such threads.
 */
static bool
other_threads_block_signals(int *others)
{
	DIR		   *d = opendir("/proc/self/task");
	struct dirent *e;
	bool		ok = true;
	unsigned long long want = (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)) | (1ULL << (SIGUSR1 - 1));

	*others = 0;
	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
	{
		char		path[300];
		char		line[256];
		FILE	   *f;

		if (e->d_name[0] == '.' || atoi(e->d_name) == gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f))
		{
			unsigned long long mask;

			if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			{
				(*others)++;
				if ((mask & want) != want)
					ok = false;
			}
		}
		fclose(f);
	}
	closedir(d);
	return ok;
}

static size_t
archive_size(const unsigned char *content, int threaded)
{
	membuf		out = {0};
	dbk_meta	h;
	dbk_error	err;
	dbk_sink	sink = {mem_write, &out};
	dbk_archive_summary s;
	dbk_archive_writer *w;
	size_t		size = 0;

	dbk_meta_init(&h, &dbk_libc_allocator);
	w = threaded
		? dbk_archive_writer_open_threaded(&dbk_libc_allocator, &dbk_libc_allocator, sink, &h, 3, 1, &err)
		: dbk_archive_writer_open(&dbk_libc_allocator, sink, &h, 3, 0, &err);
	if (w && dbk_archive_write(w, content, CONTENT_SIZE, &err) == 0 &&
		dbk_archive_writer_finish(w, NULL, &s, &err) == 0)
		size = out.len;
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
	free(out.data);
	return size;
}

int
main(void)
{
	counting	mainc = {0},
				zstdc = {0};
	dbk_allocator main_alloc = {counting_alloc, counting_free, &mainc};
	dbk_allocator zstd_alloc = {counting_alloc, counting_free, &zstdc};
	unsigned char *content = make_content();
	unsigned char *back = malloc(CONTENT_SIZE + 1);
	membuf		out = {0};
	dbk_meta	h;
	dbk_error	err;
	dbk_sink	sink = {mem_write, &out};
	dbk_source	src = {mem_read, &out};
	dbk_archive_summary summary;
	dbk_archive_writer *w;
	dbk_archive_reader *r;
	size_t		got = 0,
				n;
	int			others = 0;
	bool		blocked = false,
				ok = true;

	mainc.owner = zstdc.owner = pthread_self();
	dbk_meta_init(&h, &dbk_libc_allocator);
	dbk_meta_set(&h, "engine", "postgresql", &err);
	w = dbk_archive_writer_open_threaded(&main_alloc, &zstd_alloc, sink, &h, 3, 1, &err);
	CHECK("archive_threaded/open", w != NULL);
	if (w == NULL)
		return unit_exit();
	for (size_t off = 0; off < CONTENT_SIZE && ok; off += 256 * 1024)
	{
		ok = dbk_archive_write(w, content + off, 256 * 1024, &err) == 0;
		/* once a few jobs are under way, look at the workers' signal masks */
		if (off == 12u * 1024 * 1024)
			blocked = other_threads_block_signals(&others);
	}
	CHECK("archive_threaded/write", ok);
	CHECK("archive_threaded/finish", dbk_archive_writer_finish(w, NULL, &summary, &err) == 0);
	CHECK("archive_threaded/workers-running", others >= 1);
	CHECK("archive_threaded/workers-block-signals", blocked);
	dbk_archive_writer_free(w);

	CHECK("archive_threaded/caller-allocator-only-on-caller-thread",
		  atomic_load(&mainc.calls) > 0 && atomic_load(&mainc.foreign_calls) == 0);
	CHECK("archive_threaded/zstd-allocator-used-by-workers", atomic_load(&zstdc.foreign_calls) > 0);
	printf("# live blocks: caller %ld, zstd %ld\n", atomic_load(&mainc.live), atomic_load(&zstdc.live));
	CHECK("archive_threaded/no-leak", atomic_load(&mainc.live) == 0 && atomic_load(&zstdc.live) == 0);
	CHECK("archive_threaded/content-bytes", summary.content_bytes == CONTENT_SIZE);

	r = dbk_archive_reader_open(&dbk_libc_allocator, src, "test archive", &err);
	CHECK("archive_threaded/reader-open", r != NULL);
	if (r)
	{
		do
		{
			if (dbk_archive_read(r, back + got, CONTENT_SIZE + 1 - got, &n, &err) != 0)
			{
				got = 0;
				break;
			}
			got += n;
		} while (n > 0 && got <= CONTENT_SIZE);
		dbk_archive_reader_free(r);
	}
	CHECK("archive_threaded/round-trip", got == CONTENT_SIZE && memcmp(back, content, CONTENT_SIZE) == 0);

	/* the job overlap keeps the file within 1% of a single-threaded one */
	{
		size_t		single = archive_size(content, 0);
		size_t		threaded = archive_size(content, 1);

		printf("# single-threaded %zu bytes, threaded %zu bytes\n", single, threaded);
		CHECK("archive_threaded/size-near-single-thread", single > 0 && threaded > 0 && threaded * 100 <= single * 101);
	}

	dbk_meta_free(&h);
	free(out.data);
	free(back);
	free(content);
	return unit_exit();
}
