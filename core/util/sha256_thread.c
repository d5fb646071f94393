/*
 * sha256_thread.c — SHA-256 on a thread of its own; see sha256_thread.h.
 *
 * A ring of blocks: the caller fills block `filled % BLOCKS` and publishes
 * it; the thread hashes blocks below `filled` in order and counts them in
 * `hashed`.  The caller waits only when every block is still waiting to be
 * hashed.  One mutex, taken once per block.
 */
#include "sha256_thread.h"

#include "thread.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct dbk_sha256_thread
{
	const dbk_allocator *a;
	dbk_sha256	sha;
	unsigned char *block[DBK_SHA256_THREAD_BLOCKS];
	size_t		used[DBK_SHA256_THREAD_BLOCKS];
	size_t		fill;			/* bytes in the block being filled */
	pthread_t	thread;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	uint64_t	filled;			/* blocks published */
	uint64_t	hashed;			/* blocks hashed */
	bool		closing;		/* no more blocks will come */
	bool		abandoned;		/* stop without hashing what waits */
};

static void *
run(void *arg)
{
	dbk_sha256_thread *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;)
	{
		while (h->hashed == h->filled && !h->closing)
			pthread_cond_wait(&h->changed, &h->mu);
		if (h->abandoned || h->hashed == h->filled)
			break;
		{
			size_t		i = h->hashed % DBK_SHA256_THREAD_BLOCKS;

			pthread_mutex_unlock(&h->mu);
			dbk_sha256_update(&h->sha, h->block[i], h->used[i]);
			pthread_mutex_lock(&h->mu);
			h->hashed++;
			pthread_cond_broadcast(&h->changed);
		}
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void
free_blocks(dbk_sha256_thread *h)
{
	for (int i = 0; i < DBK_SHA256_THREAD_BLOCKS; i++)
		dbk_free(h->a, h->block[i]);
	dbk_free(h->a, h);
}

dbk_sha256_thread *
dbk_sha256_thread_start(const dbk_allocator *a, dbk_error *err)
{
	dbk_sha256_thread *h = dbk_alloc(a, sizeof(*h));
	int			rc;

	if (h == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		return NULL;
	}
	memset(h, 0, sizeof(*h));
	h->a = a;
	for (int i = 0; i < DBK_SHA256_THREAD_BLOCKS; i++)
		if ((h->block[i] = dbk_alloc(a, DBK_SHA256_THREAD_BLOCK)) == NULL)
		{
			dbk_fail(err, DBK_E_NOMEM, "out of memory");
			free_blocks(h);
			return NULL;
		}
	if (dbk_sha256_init(&h->sha, err) != 0)
	{
		free_blocks(h);
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->changed, NULL);
	rc = dbk_thread_start(&h->thread, run, h);
	if (rc != 0)
	{
		dbk_fail_errno(err, rc, "could not start the thread that computes a SHA-256");
		pthread_cond_destroy(&h->changed);
		pthread_mutex_destroy(&h->mu);
		dbk_sha256_abandon(&h->sha);
		free_blocks(h);
		return NULL;
	}
	return h;
}

/* Hands the block being filled to the thread and waits for a free one. */
static void
publish(dbk_sha256_thread *h)
{
	pthread_mutex_lock(&h->mu);
	h->used[h->filled % DBK_SHA256_THREAD_BLOCKS] = h->fill;
	h->filled++;
	pthread_cond_broadcast(&h->changed);
	while (h->filled - h->hashed == DBK_SHA256_THREAD_BLOCKS)
		pthread_cond_wait(&h->changed, &h->mu);
	pthread_mutex_unlock(&h->mu);
	h->fill = 0;
}

void
dbk_sha256_thread_update(dbk_sha256_thread *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0)
	{
		unsigned char *b = h->block[h->filled % DBK_SHA256_THREAD_BLOCKS];
		size_t		n = DBK_SHA256_THREAD_BLOCK - h->fill;

		if (n > len)
			n = len;
		memcpy(b + h->fill, p, n);
		h->fill += n;
		p += n;
		len -= n;
		if (h->fill == DBK_SHA256_THREAD_BLOCK)
			publish(h);
	}
}

/* Publishes what is left, lets the thread finish and joins it. */
static void
close_thread(dbk_sha256_thread *h, bool hash_rest)
{
	pthread_mutex_lock(&h->mu);
	if (hash_rest && h->fill > 0)
	{
		h->used[h->filled % DBK_SHA256_THREAD_BLOCKS] = h->fill;
		h->filled++;
	}
	h->abandoned = !hash_rest;
	h->closing = true;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->changed);
	pthread_mutex_destroy(&h->mu);
}

void
dbk_sha256_thread_final_hex(dbk_sha256_thread *h, char hex[DBK_SHA256_HEX_LEN + 1])
{
	close_thread(h, true);
	dbk_sha256_final_hex(&h->sha, hex);
	free_blocks(h);
}

void
dbk_sha256_thread_abandon(dbk_sha256_thread *h)
{
	if (h == NULL)
		return;
	close_thread(h, false);
	dbk_sha256_abandon(&h->sha);
	free_blocks(h);
}
