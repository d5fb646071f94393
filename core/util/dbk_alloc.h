/*
 * dbk_alloc.h — the allocator the caller lends to the core.
 *
 * The core never calls malloc() on its own behalf: every allocation goes
 * through a dbk_allocator supplied by the adapter, so PostgreSQL can charge
 * memory to a memory context and SQLite to sqlite3_malloc64.  alloc returns
 * NULL on failure (it must not longjmp); free accepts NULL.
 *
 * libcrypto's digest contexts are the one exception: OpenSSL allocates them
 * internally, and they are freed before every core call returns.
 */
#ifndef DBK_ALLOC_H
#define DBK_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dbk_allocator
{
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
} dbk_allocator;

static inline void *
dbk_alloc(const dbk_allocator *a, size_t size)
{
	return a->alloc(a->ctx, size ? size : 1);
}

static inline void
dbk_free(const dbk_allocator *a, void *ptr)
{
	if (ptr)
		a->free(a->ctx, ptr);
}

/*
 * Moves a block of old_size bytes into a new one of new_size bytes (the
 * allocator has no realloc).  Returns NULL on failure, leaving ptr intact;
 * otherwise ptr has been freed.
 */
static inline void *
dbk_resize(const dbk_allocator *a, void *ptr, size_t old_size, size_t new_size)
{
	void	   *p = dbk_alloc(a, new_size);

	if (p == NULL)
		return NULL;
	if (ptr)
	{
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
		dbk_free(a, ptr);
	}
	return p;
}

/*
 * Room for one more element in an array of elements of size bytes, n of
 * them used and *cap allocated: the array itself while there is room, else
 * a block of twice the capacity (first when empty) holding the n elements,
 * *cap raised and the old block freed.  NULL when that fails, the array
 * left as it was.
 */
static inline void *
dbk_grow(const dbk_allocator *a, void *items, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t		ncap;
	void	   *p;

	if (n < *cap)
		return items;
	ncap = *cap ? *cap * 2 : first;
	if (ncap <= *cap || ncap > SIZE_MAX / size)
		return NULL;
	p = dbk_resize(a, items, n * size, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

/* A NUL-terminated copy of the len bytes at s, or NULL. */
static inline char *
dbk_strndup(const dbk_allocator *a, const char *s, size_t len)
{
	char	   *p = dbk_alloc(a, len + 1);

	if (p)
	{
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* The C library's allocator, for tests and command-line tools. */
extern const dbk_allocator dbk_libc_allocator;

#endif
