/*
 * codelist_cache.h — the backend's compiled releases for
 * dbkeeper_codelist_status (core/codelist/codelist_cache.h), and when a table's
 * content is known not to have changed; see codelist_cache.c.
 */
#ifndef DBK_PG_CODELIST_CACHE_H
#define DBK_PG_CODELIST_CACHE_H

#include "postgres.h"

#include "../core/codelist/codelist.h"
#include "../core/codelist/codelist_cache.h"

/* The backend's compiled releases, made at the first call. */
dbk_cl_cache *dbk_pg_cl_cache(void);

/*
 * The key of edges table relid (resolved and locked AccessShareLock by the
 * caller, its columns checked) for the core's cache protocol, allocated
 * from a; no ident when the table cannot be cached, or silently when the
 * caller lacks SELECT on it (then the uncached read meets the same errors
 * as without a cache).
 */
void		dbk_pg_cl_edges_key(Oid relid, dbk_cl_edges_key *key, const dbk_allocator *a);

/* The store's cache_report: a DEBUG1 line saying how the release was had. */
void		dbk_pg_cl_report(void *ctx, const dbk_cl_release_row *row, const dbk_cl_cache_report *r);

#endif
