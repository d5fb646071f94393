/*
 * codelist_cache.c — dbkeeper_codelist_status keeps the compiled
 * hierarchies of the last DBK_CL_CACHE_SLOTS releases it read in the
 * backend's memory (core/codelist/codelist_cache.h), and uses one again only when
 * the release's edges table cannot have changed since.  The answer must
 * never be stale; the test rests on PostgreSQL's visibility map.  The core
 * runs the protocol (the state before, the read, the state after); this file
 * gives it the backend's cache and says what a table's state is.
 *
 * A table is cached only when it is an ordinary permanent table without
 * row-level security and without inheritance children (whose rows a query
 * of the parent also returns), whose changes are WAL-logged, and ONLY when
 * every heap page is marked all-visible in its visibility map.  Its state
 * is: its relfilenode, its number of blocks, the attribute numbers, types
 * and typmods of code and parent, and the highest page LSN of its
 * visibility map's pages.  Why equal states mean equal content, for every
 * snapshot:
 *
 *   - An all-visible bit says that every tuple on the heap page is visible
 *     to every transaction, now and later: the invariant index-only scans
 *     rely on (access/heap/visibilitymap.c).  So while every page is
 *     all-visible, the table has no in-progress or recently committed
 *     writer that some snapshot could see differently, and every snapshot,
 *     the caller's included, sees exactly the tuples on its pages.
 *   - Every INSERT, UPDATE and DELETE clears the bit of the page it writes
 *     (heap_insert, heap_update, heap_delete), before its transaction ends,
 *     and an abort does not set it again; a row added on a new page
 *     changes the number of blocks.
 *   - A bit comes back only through VACUUM (or COPY FREEZE into a table
 *     created or truncated in the same transaction), by visibilitymap_set,
 *     which for a WAL-logged relation stamps the map page with the LSN of
 *     the WAL record it writes: later than any LSN seen before.  So a
 *     change followed by a VACUUM raises the highest map-page LSN.  A
 *     relation that is not WAL-logged (created in the current transaction
 *     under wal_level = minimal) gets no such stamp: not cached.
 *   - TRUNCATE, VACUUM FULL, CLUSTER and rewriting ALTER TABLEs give the
 *     table a new relfilenode; a column dropped, added again or altered in
 *     place changes its attribute number or type.
 *
 * The state is taken before the table is read and again after, under the
 * AccessShareLock the caller holds; the release is stored only when both
 * agree and show every page all-visible.  A hit still needs the caller's
 * SELECT privilege on the table (pg_class_aclcheck: without it the
 * uncached path runs and fails or succeeds as before, column privileges
 * included, and nothing is said of the cache) and the same state now.
 *
 * So caching starts once the release's tables are all-visible: after a
 * VACUUM, or autovacuum's, following the load.  Each entry lives in a
 * memory context of its own under "dbkeeper codelist cache" (child of
 * TopMemoryContext), built under the call's context so that an error
 * frees it; DEBUG1 messages say what happened ("stored", "from the cache",
 * "not cached" and why).
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/visibilitymap.h"
#include "access/xlogdefs.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "codelist_cache.h"
#include "common.h"
#include "../core/codelist/codelist_cache.h"

typedef struct table_state
{
	Oid			relfilenode;
	BlockNumber nblocks;
	AttrNumber	code_attnum;
	AttrNumber	parent_attnum;
	Oid			code_type;
	Oid			parent_type;
	int32		code_typmod;
	int32		parent_typmod;
	XLogRecPtr	vm_lsn;
} table_state;

static MemoryContext cache_cxt;
static dbk_allocator cache_alloc;
static dbk_cl_cache *cache;

/*
 * Each release lives in a context of its own, made under the call's memory
 * (pg_ext/codelist.c) so that an ERROR while it is read frees it, and
 * moved under the cache's when the cache keeps it.
 */
static void
keep_entry(dbk_cl_release *rel, void *holder)
{
	MemoryContextSetParent((MemoryContext) holder, cache_cxt);
}

static void
drop_entry(dbk_cl_release *rel, void *holder)
{
	MemoryContextDelete((MemoryContext) holder);
}

/* The highest page LSN of the relation's visibility map. */
static XLogRecPtr
vm_lsn(Relation rel)
{
	XLogRecPtr	max = InvalidXLogRecPtr;
	BlockNumber n;

	if (!smgrexists(RelationGetSmgr(rel), VISIBILITYMAP_FORKNUM))
		return max;
	n = smgrnblocks(RelationGetSmgr(rel), VISIBILITYMAP_FORKNUM);
	for (BlockNumber b = 0; b < n; b++)
	{
		Buffer		buf = ReadBufferExtended(rel, VISIBILITYMAP_FORKNUM, b, RBM_NORMAL, NULL);
		XLogRecPtr	lsn;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		lsn = PageGetLSN(BufferGetPage(buf));
		UnlockReleaseBuffer(buf);
		if (lsn > max)
			max = lsn;
	}
	return max;
}

/* The table's state; false, with the reason, when its content cannot be vouched for. */
static bool
take_state(Relation rel, table_state *s, const char **why)
{
	Oid			relid = RelationGetRelid(rel);
	BlockNumber all_visible = 0;
	Oid			collation;

	memset(s, 0, sizeof(*s));
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		*why = "it is not an ordinary table";
	else if (rel->rd_rel->relpersistence != RELPERSISTENCE_PERMANENT)
		*why = "it is not a permanent table";
	else if (rel->rd_rel->relrowsecurity)
		*why = "it has row-level security enabled";
	else if (rel->rd_rel->relhassubclass)
		*why = "it has inheritance children";
	else if (!RelationNeedsWAL(rel))
		*why = "its changes are not WAL-logged";
	else
		*why = NULL;
	if (*why)
		return false;
	s->relfilenode = DBK_REL_FILENUMBER(rel);
	s->nblocks = RelationGetNumberOfBlocks(rel);
	visibilitymap_count(rel, &all_visible, NULL);
	if (all_visible != s->nblocks)
	{
		*why = "not every page of it is all-visible (VACUUM makes them so)";
		return false;
	}
	s->code_attnum = get_attnum(relid, "code");
	s->parent_attnum = get_attnum(relid, "parent");
	if (s->code_attnum == InvalidAttrNumber || s->parent_attnum == InvalidAttrNumber)
	{
		*why = "it lacks a column";
		return false;
	}
	get_atttypetypmodcoll(relid, s->code_attnum, &s->code_type, &s->code_typmod, &collation);
	get_atttypetypmodcoll(relid, s->parent_attnum, &s->parent_type, &s->parent_typmod, &collation);
	s->vm_lsn = vm_lsn(rel);
	return true;
}

dbk_cl_cache *
dbk_pg_cl_cache(void)
{
	dbk_error	err;

	if (cache == NULL)
	{
		if (cache_cxt == NULL)
		{
			cache_cxt = AllocSetContextCreate(TopMemoryContext, "dbkeeper codelist cache",
											  ALLOCSET_SMALL_SIZES);
			dbk_pg_allocator_init(&cache_alloc, cache_cxt);
		}
		cache = dbk_cl_cache_new(&cache_alloc, keep_entry, drop_entry, &err);
		if (cache == NULL)
			dbk_pg_raise(&err);
	}
	return cache;
}

void
dbk_pg_cl_edges_key(Oid relid, dbk_cl_edges_key *key, const dbk_allocator *a)
{
	Relation	rel;
	table_state state;
	bool		ok;

	memset(key, 0, sizeof(*key));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return;
	rel = relation_open(relid, AccessShareLock);
	ok = take_state(rel, &state, &key->why);
	relation_close(rel, AccessShareLock);
	if (!ok)
		return;
	key->ident = dbk_alloc(a, sizeof(relid));
	key->stamp = dbk_alloc(a, sizeof(state));
	if (key->ident == NULL || key->stamp == NULL)
		elog(ERROR, "out of memory");	/* cannot happen: palloc raises */
	memcpy(key->ident, &relid, sizeof(relid));
	key->ident_len = sizeof(relid);
	memcpy(key->stamp, &state, sizeof(state));
	key->stamp_len = sizeof(state);
}

void
dbk_pg_cl_report(void *ctx, const dbk_cl_release_row *row, const dbk_cl_cache_report *r)
{
	const char *release = row->name;
	const dbk_hierarchy *h;

	switch (r->use)
	{
		case DBK_CL_CACHE_HIT:
			elog(DEBUG1, "dbkeeper codelist cache: release \"%s\" from the cache", release);
			break;
		case DBK_CL_CACHE_STORED:
			h = dbk_cl_release_hierarchy(r->release);
			elog(DEBUG1, "dbkeeper codelist cache: release \"%s\" stored: %zu codes, %zu edges, %zu kB",
				 release, dbk_hierarchy_count(h), dbk_hierarchy_edge_count(h),
				 dbk_cl_release_bytes(r->release) / 1024);
			break;
		case DBK_CL_NOT_CACHED:
			if (r->why != NULL)
				elog(DEBUG1, "dbkeeper codelist cache: release \"%s\" not cached: edges table %s",
					 release, r->why);
			break;
	}
}
