/*
 * codelist_cache.h — a connection's compiled releases, kept between calls of
 * dbkeeper_codelist_status so that a call need not read the release again.
 *
 * The cache only stores and finds; deciding when a stored release is still
 * the release in the database is the adapter's job (pg_ext/codelist.c,
 * sqlite_ext/codelist.c: each explains why its test is sound).  Each entry
 * is found by two byte strings the adapter computes:
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
 * carry a holder, given back to the drop function when the entry goes (on
 * PostgreSQL the memory context the release lives in); without a drop
 * function the release is freed with dbk_cl_release_free.
 *
 * Memory of the cache itself comes from the allocator given to
 * dbk_cl_cache_new; releases come with their own.
 */
#ifndef DBK_CODELIST_CACHE_H
#define DBK_CODELIST_CACHE_H

#include <stddef.h>

#include "codelist.h"
#include "../util/dbk_alloc.h"
#include "../util/error.h"

#define DBK_CL_CACHE_SLOTS 2

typedef struct dbk_cl_cache dbk_cl_cache;

typedef void (*dbk_cl_cache_drop_fn) (dbk_cl_release *rel, void *holder);

dbk_cl_cache *dbk_cl_cache_new(const dbk_allocator *a, dbk_cl_cache_drop_fn drop, dbk_error *err);
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

#endif
