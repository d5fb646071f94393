/*
 * codelist_cache.h — a connection's compiled releases, kept between calls of
 * dbkeeper_codelist_status so that a call need not read the release again.
 *
 * The protocol that decides when a stored release may be used again is
 * written once, here (dbk_cl_cache_fetch): check, read, check.  What the
 * state of a table is, and why equal states mean equal content, is each
 * engine's (the store's edges_key: pg_ext/codelist_cache.c and
 * sqlite_ext/codelist_cache.c each explain why their test is sound).  Each
 * entry is found by the two byte strings of that key:
 *
 *   ident   which table the release was read from (the same table always
 *           gives the same ident);
 *   stamp   the state of that table when it was read: equal stamps mean
 *           equal content.
 *
 * A look-up with a known ident and another stamp drops that entry at once
 * (it is stale, and its memory should not wait for eviction).  At most
 * DBK_CL_CACHE_SLOTS entries are kept, the least recently used is replaced;
 * an entry for an ident already stored replaces it.
 *
 * A stored release is finished, read whole (not walked), and only read
 * afterwards: never hand it to a function that adds rows.  Each entry may
 * carry a holder (on PostgreSQL the memory context the release lives in),
 * given to the keep function when the entry is stored (PostgreSQL moves the
 * context under the cache's) and to the drop function when it goes; without
 * a drop function the release is freed with dbk_cl_release_free.
 *
 * Memory of the cache itself comes from the allocator given to
 * dbk_cl_cache_new; releases come with their own.
 */
#ifndef DBK_CODELIST_CACHE_H
#define DBK_CODELIST_CACHE_H

#include <stddef.h>

#include "codelist.h"
#include "codelist_store.h"
#include "../util/dbk_alloc.h"
#include "../util/error.h"

#define DBK_CL_CACHE_SLOTS 2

typedef struct dbk_cl_cache dbk_cl_cache;

typedef void (*dbk_cl_cache_drop_fn) (dbk_cl_release *rel, void *holder);

/* keep and drop may be NULL. */
dbk_cl_cache *dbk_cl_cache_new(const dbk_allocator *a, dbk_cl_cache_drop_fn keep,
							   dbk_cl_cache_drop_fn drop, dbk_error *err);
/* Drops every entry and frees the cache; NULL is allowed. */
void		dbk_cl_cache_free(dbk_cl_cache *c);

/*
 * The release stored for ident with this stamp, made the most recently
 * used, or NULL: not stored, or stored with another stamp (then dropped).
 */
const dbk_cl_release *dbk_cl_cache_get(dbk_cl_cache *c, const void *ident, size_t ident_len,
									   const void *stamp, size_t stamp_len);

/*
 * Stores rel (finished) for ident and stamp; the cache owns it from here,
 * also when this fails (out of memory: rel is dropped, -1).
 */
int			dbk_cl_cache_put(dbk_cl_cache *c, const void *ident, size_t ident_len,
							 const void *stamp, size_t stamp_len, dbk_cl_release *rel, void *holder,
							 dbk_error *err);

/* Drops the entry for ident, if any. */
void		dbk_cl_cache_forget(dbk_cl_cache *c, const void *ident, size_t ident_len);

size_t		dbk_cl_cache_count(const dbk_cl_cache *c);

/* What dbk_cl_cache_fetch found. */
typedef struct dbk_cl_fetched
{
	/*
	 * The whole hierarchy of the release's edges, finished and only to be
	 * read; NULL when not cached (the caller reads the part it needs).
	 */
	const dbk_cl_release *rel;
	dbk_cl_release *unstored;	/* rel, read for this call alone: give it back */
	void	   *holder;			/* with dbk_cl_cache_discard */
	dbk_cl_cache_report report;
} dbk_cl_fetched;

/*
 * The release r's edges for dbkeeper_codelist_status, from s->cache (which
 * must not be NULL), by the protocol:
 *
 *   1. check: the key of r's edges table (s->edges_key).  No ident: not
 *      cached.  A stored release with this ident and stamp: a hit.
 *   2. read: the table whole (s->read_edges).
 *   3. check again: the key once more.  Only when it has the same ident and
 *      stamp as before is the release stored; otherwise the table changed
 *      while it was read, and what was read serves this call alone (it was
 *      read under the call's snapshot, so it is right for the call).
 *
 * A store error at any step fails the call; nothing is left stored that the
 * second check did not vouch for.
 */
int			dbk_cl_cache_fetch(const dbk_cl_store *s, const dbk_cl_release_row *r, dbk_cl_fetched *out,
							   dbk_error *err);

/* Gives back f's unstored release, if any (the cache's drop function). */
void		dbk_cl_cache_discard(dbk_cl_cache *c, dbk_cl_fetched *f);

#endif
