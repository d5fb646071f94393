/*
 * codelist_cache.h — the backend's compiled releases for
 * dbkeeper_codelist_status (core/codelist/codelist_cache.h), and when a table's
 * content is known not to have changed; see codelist_cache.c.
 */
#ifndef DBK_PG_CODELIST_CACHE_H
#define DBK_PG_CODELIST_CACHE_H

#include "postgres.h"

#include "../core/codelist/codelist.h"

/* Reads every edge of the table into a new release drawn from a, finished. */
typedef dbk_cl_release *(*dbk_pg_read_edges_fn) (void *arg, const dbk_allocator *a);

/*
 * The whole release read from edges table relid (resolved and locked
 * AccessShareLock by the caller, its columns checked), from the cache or
 * read with read_edges and stored; NULL when the table cannot be cached or
 * the caller lacks SELECT on it (then the caller reads what it needs as
 * before, and meets the same errors).  The release stays valid until the
 * next call.
 */
const dbk_cl_release *dbk_pg_cl_cached_release(Oid relid, const char *release,
											   dbk_pg_read_edges_fn read_edges, void *arg);

#endif
