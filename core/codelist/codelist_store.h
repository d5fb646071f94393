/*
 * codelist_store.h — the codelist workflow written once over a small store
 * interface that each engine implements on its own tables.
 *
 * The store reads the rows of dbkeeper_codelist_version and
 * dbkeeper_codelist_release, a version's codes (and searches), a release's
 * hierarchy, and writes a draft.  The workflow (dbk_cl_new_draft,
 * dbk_cl_changes_of) decides the order of the steps, the checks between them
 * and the words of their errors.  A store's function returns 0, or -1 after
 * filling err; on PostgreSQL it may instead raise an ERROR, since the call's
 * memory context frees what the workflow allocated.
 */
#ifndef DBK_CODELIST_STORE_H
#define DBK_CODELIST_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "codelist.h"

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

typedef struct dbk_cl_store
{
	void	   *ctx;
	const dbk_allocator *a;		/* the codelists the workflow makes */
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
 * dbkeeper_codelist_changes: the draft's codes (*draft) against those of the
 * version it was derived from (*previous, NULL for a first version), one
 * row per code of either.  The caller frees *draft, *previous (with
 * dbk_codelist_free) and *rows (with dbk_free on s->a).
 */
int			dbk_cl_changes_of(const dbk_cl_store *s, const char *draft_id, dbk_codelist **draft,
							  dbk_codelist **previous, dbk_cl_change **rows, size_t *nrows,
							  dbk_error *err);

#endif
