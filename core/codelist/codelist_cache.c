/*
 * codelist_cache.c — a small LRU of compiled releases; see codelist_cache.h.
 */
#include "codelist_cache.h"

#include <stdint.h>
#include <string.h>

typedef struct cache_entry
{
	dbk_cl_release *rel;		/* NULL: the slot is free */
	void	   *holder;
	char	   *ident;
	size_t		ident_len;
	char	   *stamp;
	size_t		stamp_len;
	uint64_t	used;			/* the clock at the last hit or store */
} cache_entry;

struct dbk_cl_cache
{
	const dbk_allocator *a;
	dbk_cl_cache_drop_fn drop;
	uint64_t	clock;
	cache_entry entries[DBK_CL_CACHE_SLOTS];
};

dbk_cl_cache *
dbk_cl_cache_new(const dbk_allocator *a, dbk_cl_cache_drop_fn drop, dbk_error *err)
{
	dbk_cl_cache *c = dbk_alloc(a, sizeof(*c));

	if (c == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory creating the codelist cache");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->drop = drop;
	return c;
}

static void
entry_clear(dbk_cl_cache *c, cache_entry *e)
{
	if (e->rel != NULL)
	{
		if (c->drop)
			c->drop(e->rel, e->holder);
		else
			dbk_cl_release_free(e->rel);
	}
	dbk_free(c->a, e->ident);
	dbk_free(c->a, e->stamp);
	memset(e, 0, sizeof(*e));
}

void
dbk_cl_cache_free(dbk_cl_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < DBK_CL_CACHE_SLOTS; i++)
		entry_clear(c, &c->entries[i]);
	dbk_free(c->a, c);
}

static cache_entry *
find_ident(dbk_cl_cache *c, const void *ident, size_t ident_len)
{
	for (size_t i = 0; i < DBK_CL_CACHE_SLOTS; i++)
	{
		cache_entry *e = &c->entries[i];

		if (e->rel != NULL && e->ident_len == ident_len && memcmp(e->ident, ident, ident_len) == 0)
			return e;
	}
	return NULL;
}

const dbk_cl_release *
dbk_cl_cache_get(dbk_cl_cache *c, const void *ident, size_t ident_len, const void *stamp,
				 size_t stamp_len)
{
	cache_entry *e = find_ident(c, ident, ident_len);

	if (e == NULL)
		return NULL;
	if (e->stamp_len != stamp_len || memcmp(e->stamp, stamp, stamp_len) != 0)
	{
		entry_clear(c, e);
		return NULL;
	}
	e->used = ++c->clock;
	return e->rel;
}

static char *
copy_bytes(const dbk_allocator *a, const void *p, size_t len)
{
	char	   *q = dbk_alloc(a, len ? len : 1);

	if (q != NULL && len > 0)
		memcpy(q, p, len);
	return q;
}

int
dbk_cl_cache_put(dbk_cl_cache *c, const void *ident, size_t ident_len, const void *stamp,
				 size_t stamp_len, dbk_cl_release *rel, void *holder, dbk_error *err)
{
	cache_entry *e = find_ident(c, ident, ident_len);

	if (e == NULL)
	{
		/* A free slot, else the least recently used. */
		e = &c->entries[0];
		for (size_t i = 0; i < DBK_CL_CACHE_SLOTS && e->rel != NULL; i++)
			if (c->entries[i].rel == NULL || c->entries[i].used < e->used)
				e = &c->entries[i];
	}
	entry_clear(c, e);
	e->rel = rel;
	e->holder = holder;
	e->ident = copy_bytes(c->a, ident, ident_len);
	e->stamp = copy_bytes(c->a, stamp, stamp_len);
	if (e->ident == NULL || e->stamp == NULL)
	{
		entry_clear(c, e);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory storing a release in the codelist cache");
	}
	e->ident_len = ident_len;
	e->stamp_len = stamp_len;
	e->used = ++c->clock;
	return 0;
}

void
dbk_cl_cache_forget(dbk_cl_cache *c, const void *ident, size_t ident_len)
{
	cache_entry *e = find_ident(c, ident, ident_len);

	if (e != NULL)
		entry_clear(c, e);
}

size_t
dbk_cl_cache_count(const dbk_cl_cache *c)
{
	size_t		n = 0;

	for (size_t i = 0; i < DBK_CL_CACHE_SLOTS; i++)
		n += c->entries[i].rel != NULL;
	return n;
}
