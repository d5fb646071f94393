/*
 * codelist_cache.c — a small LRU of compiled releases, and the
 * check-read-check protocol that fills it; see codelist_cache.h.
 */
#include "codelist_cache.h"

#include <stdbool.h>
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
	dbk_cl_cache_drop_fn keep;
	dbk_cl_cache_drop_fn drop;
	uint64_t	clock;
	cache_entry entries[DBK_CL_CACHE_SLOTS];
};

dbk_cl_cache *
dbk_cl_cache_new(const dbk_allocator *a, dbk_cl_cache_drop_fn keep, dbk_cl_cache_drop_fn drop,
				 dbk_error *err)
{
	dbk_cl_cache *c = dbk_alloc(a, sizeof(*c));

	if (c == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory creating the codelist cache");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->keep = keep;
	c->drop = drop;
	return c;
}

static void
drop_release(const dbk_cl_cache *c, dbk_cl_release *rel, void *holder)
{
	if (rel == NULL)
		return;
	if (c->drop)
		c->drop(rel, holder);
	else
		dbk_cl_release_free(rel);
}

static void
entry_clear(dbk_cl_cache *c, cache_entry *e)
{
	drop_release(c, e->rel, e->holder);
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
	if (c->keep)
		c->keep(rel, holder);
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

/* ---- check, read, check ----------------------------------------------- */

static void
key_free(const dbk_cl_store *s, dbk_cl_edges_key *k)
{
	dbk_free(s->a, k->ident);
	dbk_free(s->a, k->stamp);
	memset(k, 0, sizeof(*k));
}

static bool
same_key(const dbk_cl_edges_key *x, const dbk_cl_edges_key *y)
{
	return x->ident != NULL && y->ident != NULL &&
		x->ident_len == y->ident_len && memcmp(x->ident, y->ident, x->ident_len) == 0 &&
		x->stamp_len == y->stamp_len && memcmp(x->stamp, y->stamp, x->stamp_len) == 0;
}

int
dbk_cl_cache_fetch(const dbk_cl_store *s, const dbk_cl_release_row *r, dbk_cl_fetched *out,
				   dbk_error *err)
{
	dbk_cl_edges_key before = {0},
				after = {0};
	dbk_cl_release *built = NULL;
	void	   *holder = NULL;
	int			rc = -1;

	memset(out, 0, sizeof(*out));
	out->report.use = DBK_CL_NOT_CACHED;
	if (s->edges_key(s->ctx, r, &before, err) != 0)
		goto cleanup;
	if (before.ident == NULL)
	{
		out->report.why = before.why;
		rc = 0;
		goto cleanup;
	}
	out->rel = dbk_cl_cache_get(s->cache, before.ident, before.ident_len, before.stamp,
								before.stamp_len);
	if (out->rel != NULL)
	{
		out->report.use = DBK_CL_CACHE_HIT;
		out->report.release = out->rel;
		rc = 0;
		goto cleanup;
	}
	if (s->read_edges(s->ctx, r, &before, &built, &holder, err) != 0)
		goto cleanup;
	if (s->edges_key(s->ctx, r, &after, err) != 0)
		goto cleanup;
	if (!same_key(&before, &after))
	{
		out->rel = out->unstored = built;
		out->holder = holder;
		out->report.why = "changed while read";
		built = NULL;
		rc = 0;
		goto cleanup;
	}
	rc = dbk_cl_cache_put(s->cache, before.ident, before.ident_len, before.stamp, before.stamp_len,
						  built, holder, err);
	if (rc == 0)
	{
		out->rel = built;
		out->report.use = DBK_CL_CACHE_STORED;
		out->report.release = built;
	}
	built = NULL;				/* the cache's now, or dropped */

cleanup:
	drop_release(s->cache, built, holder);
	key_free(s, &after);
	key_free(s, &before);
	return rc;
}

void
dbk_cl_cache_discard(dbk_cl_cache *c, dbk_cl_fetched *f)
{
	drop_release(c, f->unstored, f->holder);
	f->unstored = NULL;
	f->holder = NULL;
	f->rel = NULL;
}
