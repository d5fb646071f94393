/*
 * codelist_store.h — the codelist workflow written once over a small store
 * interface that each engine implements on its own tables.
 *
 * The store reads the rows of dbkeeper_codelist_version and
 * dbkeeper_codelist_release, a version's codes (and searches), a release's
 * hierarchy, and writes a draft; for the cache of compiled releases it also
 * says which table a release's edges are and what state it is in.  The
 * workflows (dbk_cl_new_draft, dbk_cl_status_listing, dbk_cl_changes_listing)
 * decide the order of the steps, the checks between them, the rule that
 * picks a release, the rows and columns users read and the words of their
 * errors.  A store's function returns 0, or -1 after filling err; on
 * PostgreSQL it may instead raise an ERROR, since the call's memory context
 * frees what the workflow allocated.
 */
#ifndef DBK_CODELIST_STORE_H
#define DBK_CODELIST_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "codelist.h"

typedef struct dbk_cl_cache dbk_cl_cache;	/* codelist_cache.h */

/* A row of dbkeeper_codelist_version, as far as the workflow reads it. */
typedef struct dbk_cl_version_row
{
	char	   *id;
	char	   *codelist;
	char	   *release;
	char	   *derived_from;	/* NULL for a first version */
} dbk_cl_version_row;

/* A row of dbkeeper_codelist_release. */
typedef struct dbk_cl_release_row
{
	char	   *name;
	char	   *coding_system;
	char	   *edges;
	char	   *terms;
} dbk_cl_release_row;

/*
 * Which release a new draft moves to when none is named: the newest of the
 * version's coding system, by valid_from, then by name in byte order (the
 * later name wins a tie).  collate is what makes the name compare by bytes
 * in the engine's SQL ("" on SQLite, whose default collation is binary;
 * " COLLATE \"C\"" on PostgreSQL).
 */
#define DBK_CL_NEWEST_RELEASE(collate) \
	"ORDER BY valid_from DESC, name" collate " DESC LIMIT 1"

/*
 * A release's edges table as the cache of compiled releases knows it
 * (codelist_cache.h): ident says which table it is (the same table always
 * gives the same bytes), stamp its state now (equal stamps of one ident mean
 * equal content, for every reader).  Both are allocated from the store's
 * allocator and freed by the workflow.  ident NULL: the table's content
 * cannot be vouched for, and why (may be NULL: nothing worth saying) says
 * why, after "edges table ".
 */
typedef struct dbk_cl_edges_key
{
	void	   *ident;
	size_t		ident_len;
	void	   *stamp;
	size_t		stamp_len;
	const char *why;
} dbk_cl_edges_key;

/* How dbkeeper_codelist_status had its release (for the adapter to report). */
typedef enum dbk_cl_cache_use
{
	DBK_CL_NOT_CACHED,			/* read for this call alone; why says why when known */
	DBK_CL_CACHE_HIT,			/* the release compiled by an earlier call */
	DBK_CL_CACHE_STORED			/* read whole, and kept for the next call */
} dbk_cl_cache_use;

typedef struct dbk_cl_cache_report
{
	dbk_cl_cache_use use;
	const char *why;			/* not cached: after "edges table ", or NULL */
	const dbk_cl_release *release;	/* hit or stored: the release kept */
} dbk_cl_cache_report;

typedef struct dbk_cl_store
{
	void	   *ctx;
	const dbk_allocator *a;		/* the codelists the workflow makes */
	/*
	 * The compiled releases kept between calls of dbkeeper_codelist_status,
	 * or NULL (then it reads what it needs every time, and edges_key and
	 * read_edges may be NULL).
	 */
	dbk_cl_cache *cache;
	/* The version row id; unknown: dbk_cl_fail_unknown_version. */
	int			(*load_version) (void *ctx, const char *id, dbk_cl_version_row *v, dbk_error *err);
	/*
	 * The release named name, or with name NULL the newest of coding_system
	 * (DBK_CL_NEWEST_RELEASE); *found false when there is none.
	 */
	int			(*load_release) (void *ctx, const char *name, const char *coding_system,
								 dbk_cl_release_row *r, bool *found, dbk_error *err);
	/* The codes of version id into cl, and its searches when with_searches. */
	int			(*load_codes) (void *ctx, const char *id, bool with_searches, dbk_codelist *cl,
							   dbk_error *err);
	/* The part of release r's hierarchy that walk what over version needs. */
	int			(*read_release) (void *ctx, const dbk_cl_release_row *r, const dbk_codelist *version,
								 dbk_cl_walk what, dbk_cl_release **out, dbk_error *err);
	/* Whether a version with this id exists already. */
	int			(*id_taken) (void *ctx, const char *id, bool *taken, dbk_error *err);
	/* The draft's version row (derived from from), its codes, and from's searches. */
	int			(*write_draft) (void *ctx, const char *id, const dbk_cl_version_row *from,
								const dbk_cl_release_row *target, const char *author,
								const dbk_codelist *draft, dbk_error *err);
	/*
	 * The key of release r's edges table, taken before and again after it is
	 * read whole.  It makes the checks the uncached read makes (the table's
	 * name, that it exists with its columns, the caller's right to read it)
	 * and fails where that read fails, so that a hit is refused where a
	 * read would be.
	 */
	int			(*edges_key) (void *ctx, const dbk_cl_release_row *r, dbk_cl_edges_key *key,
							  dbk_error *err);
	/*
	 * Every row of the edges table key names, into a new finished release
	 * with memory of its own: *holder is what the cache's keep and drop
	 * functions are given with it (codelist_cache.h).  On failure the store
	 * frees what it made.
	 */
	int			(*read_edges) (void *ctx, const dbk_cl_release_row *r, const dbk_cl_edges_key *key,
							   dbk_cl_release **out, void **holder, dbk_error *err);
	/*
	 * Told how dbkeeper_codelist_status had release r (from the cache, read
	 * and stored, or read for the call alone); may be NULL.
	 */
	void		(*cache_report) (void *ctx, const dbk_cl_release_row *r,
								 const dbk_cl_cache_report *report);
	/* Frees the strings of a row the store filled; may be NULL. */
	void		(*free_version) (void *ctx, dbk_cl_version_row *v);
	void		(*free_release) (void *ctx, dbk_cl_release_row *r);
} dbk_cl_store;

/* The release row of version v, which must exist. */
int			dbk_cl_version_release(const dbk_cl_store *s, const dbk_cl_version_row *v,
								   dbk_cl_release_row *r, dbk_error *err);

/*
 * dbkeeper_codelist_new_draft: version's codes regenerated over release (the
 * newest of its coding system when NULL) and written as a new draft by
 * author; its id into id (idcap bytes).
 */
int			dbk_cl_new_draft(const dbk_cl_store *s, const char *version, const char *author,
							 const char *release, char *id, size_t idcap, dbk_error *err);

/*
 * What a table-valued function returns: rows of text cells, NULL for SQL
 * NULL, in the columns DBK_CL_STATUS_COLUMNS or DBK_CL_CHANGES_COLUMNS (the
 * adapters declare them in that order).  Sorted by code, bytewise.
 */
typedef struct dbk_cl_listing dbk_cl_listing;

#define DBK_CL_STATUS_COLUMNS 2		/* code, status */
#define DBK_CL_CHANGES_COLUMNS 4	/* code, status, previous_status, change */

size_t		dbk_cl_listing_rows(const dbk_cl_listing *l);
/* Row row's cell in column col, its length into *len; NULL for SQL NULL. */
const char *dbk_cl_listing_cell(const dbk_cl_listing *l, size_t row, int col, size_t *len);
void		dbk_cl_listing_free(dbk_cl_listing *l);

/* "hit", "stored" or "not cached". */
const char *dbk_cl_cache_use_text(dbk_cl_cache_use use);

/*
 * dbkeeper_codelist_status: the codes of version with their statuses
 * recomputed from its explicit codes over its own release, which comes
 * from s->cache when it holds it unchanged, else is read as far as needed
 * (s->cache_report is told which).
 */
int			dbk_cl_status_listing(const dbk_cl_store *s, const char *version, dbk_cl_listing **out,
								  dbk_error *err);

/*
 * dbkeeper_codelist_changes: the draft's codes against those of the version
 * it was derived from (every code is new for a first version), one row per
 * code that is new, changed, removed or still undecided.
 */
int			dbk_cl_changes_listing(const dbk_cl_store *s, const char *draft_id, dbk_cl_listing **out,
								   dbk_error *err);

#endif
