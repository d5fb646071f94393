/*
 * codelist.h — codelist versions, releases and draft regeneration (the
 * OpenCodelists model; README "Codelists").
 *
 * The adapters read rows and hand them over; everything that decides
 * something lives here, so PostgreSQL and SQLite give the same answers:
 *
 *   dbk_codelist     a version's codes with their statuses, and its searches
 *   dbk_cl_release   a release: its hierarchy (hierarchy.h), and the codes
 *                    whose terms match the term searches it was told about;
 *                    read whole, row by row, or only the part below some
 *                    codes (dbk_cl_release_walk_down) through the adapter
 *   dbk_cl_recompute        dbkeeper_codelist_status
 *   dbk_cl_regenerate       the five steps of dbkeeper_codelist_new_draft
 *   dbk_cl_changes          dbkeeper_codelist_changes
 *   dbk_cl_fail_*           the errors users read, worded once
 *
 * Results come out sorted by code, bytewise, on both engines.
 *
 * Term searches match case-insensitively as OpenCodelists' searches do (SQLite's
 * LIKE): ASCII letters are folded to lower case and every other byte must
 * match exactly, so "þor" does not match "ÞORN".  (A draft regenerated here
 * must be the draft OpenCodelists would make; a locale-dependent fold would
 * also make the two engines, or two servers, disagree.)
 *
 * Memory: each object draws from the allocator it was created with and is
 * released by its _free function.  A result that points into another object
 * (the code strings of dbk_cl_change) is valid while that object lives.
 */
#ifndef DBK_CODELIST_H
#define DBK_CODELIST_H

#include <stdbool.h>
#include <stddef.h>

#include "codelist_status.h"
#include "../util/dbk_alloc.h"
#include "../util/error.h"
#include "hierarchy.h"

/* ---- a version's content ---------------------------------------------- */

typedef struct dbk_codelist dbk_codelist;

dbk_codelist *dbk_codelist_new(const dbk_allocator *a, dbk_error *err);
void		dbk_codelist_free(dbk_codelist *cl);

/* Adds a code with its stored status text ("+", "(-)", ...). */
int			dbk_codelist_add_code(dbk_codelist *cl, const char *code, size_t len,
								  const char *status, size_t status_len, dbk_error *err);
/* Adds a search: a term (code NULL) or a code (term NULL). */
int			dbk_codelist_add_search(dbk_codelist *cl, const char *term, size_t term_len,
									const char *code, size_t code_len, dbk_error *err);

/* Sorts the codes bytewise (results are already sorted). */
void		dbk_codelist_sort(dbk_codelist *cl);

size_t		dbk_codelist_count(const dbk_codelist *cl);
const char *dbk_codelist_code(const dbk_codelist *cl, size_t i, size_t *len);
dbk_cl_status dbk_codelist_status(const dbk_codelist *cl, size_t i);

/* ---- a release -------------------------------------------------------- */

typedef struct dbk_cl_release dbk_cl_release;

/*
 * A release being read.  The term searches of `searches` (may be NULL) are
 * matched against each term as it is added, so terms are never stored.
 */
dbk_cl_release *dbk_cl_release_new(const dbk_allocator *a, const char *name,
								   const dbk_codelist *searches, dbk_error *err);
void		dbk_cl_release_free(dbk_cl_release *r);

/* One row of the edges table; parent may be NULL (the code alone). */
int			dbk_cl_release_add_edge(dbk_cl_release *r, const char *code, size_t code_len,
									const char *parent, size_t parent_len, dbk_error *err);
/* One row of the terms table; term may be NULL. */
int			dbk_cl_release_add_term(dbk_cl_release *r, const char *code, size_t code_len,
									const char *term, size_t term_len, dbk_error *err);
/*
 * Reading only part of a release: the codes below some codes, instead of
 * every edge.  The adapter does this when the edges table has an index on
 * parent, so that a walk costs index look-ups for the codes it reaches
 * rather than a scan of the whole release.
 *
 * children is asked for the children of up to 1,000 codes at a time and
 * adds each row with dbk_cl_release_add_edge (code = the child, parent = the
 * code asked about); each code is asked about once.
 *
 *   DBK_CL_WALK_RULES  from the explicit codes of `from`: enough for
 *                      statuses, since a ruled ancestor of a code, and every
 *                      path from it to the code, lie below the ruled codes,
 *                      and a parent outside that part has no rule to pass on.
 *   DBK_CL_WALK_DRAFT  from all codes of `from`, the codes its term searches
 *                      matched (read the terms first) and its code searches:
 *                      every code a draft can hold, and all that decides
 *                      their statuses.  Then exists is asked about the
 *                      starting codes that neither a term nor an edge showed
 *                      (leaves of the edges without a term): it adds each
 *                      one the edges have, with parent NULL.  The others are
 *                      not in the release.
 *
 * A cycle is found when it lies in the part read.
 */
typedef enum dbk_cl_walk
{
	DBK_CL_WALK_RULES,
	DBK_CL_WALK_DRAFT
} dbk_cl_walk;

typedef int (*dbk_cl_children_fn) (void *ctx, dbk_cl_release *rel, const char *const *codes,
								   const size_t *lens, size_t n, dbk_error *err);

int			dbk_cl_release_walk_down(dbk_cl_release *r, const dbk_codelist *from, dbk_cl_walk what,
									 dbk_cl_children_fn children, dbk_cl_children_fn exists,
									 void *ctx, dbk_error *err);

/* After the last row: builds the hierarchy; names a cycle, with the release. */
int			dbk_cl_release_finish(dbk_cl_release *r, dbk_error *err);

const dbk_hierarchy *dbk_cl_release_hierarchy(const dbk_cl_release *r);

/* About how many bytes r holds (its hierarchy and what it matched), for reports. */
size_t		dbk_cl_release_bytes(const dbk_cl_release *r);

/* ---- the operations --------------------------------------------------- */

/*
 * dbkeeper_codelist_status: the version's codes with statuses recomputed
 * from its explicit codes over release r (finished).  A code the release
 * does not have keeps an explicit status and is otherwise "?".
 */
int			dbk_cl_recompute(const dbk_cl_release *r, const dbk_codelist *version,
							 dbk_codelist **out, dbk_error *err);
/*
 * The same with the result and the working memory from allocator a instead
 * of r's: for a release kept between calls (codelist_cache.h), which must
 * not gain memory that a failed call would leave behind.  r is only read.
 */
int			dbk_cl_recompute_with(const dbk_allocator *a, const dbk_cl_release *r,
								  const dbk_codelist *version, dbk_codelist **out, dbk_error *err);

/*
 * dbkeeper_codelist_new_draft: the draft's codes and statuses after the five
 * steps of README "Regeneration, step by step", over the new release r (finished, built with the
 * version's searches).  The draft's searches are the version's (the adapter
 * copies those rows).
 */
int			dbk_cl_regenerate(const dbk_cl_release *r, const dbk_codelist *version,
							  dbk_codelist **draft, dbk_error *err);

typedef enum dbk_cl_change_kind
{
	DBK_CL_NEW,
	DBK_CL_CHANGED,
	DBK_CL_REMOVED,
	DBK_CL_UNCHANGED			/* still "?" or "!": a person must decide */
} dbk_cl_change_kind;

typedef struct dbk_cl_change
{
	const char *code;			/* points into previous or draft */
	size_t		len;
	dbk_cl_status status;		/* DBK_CL_NONE: NULL (removed) */
	dbk_cl_status previous;		/* DBK_CL_NONE: NULL (new) */
	dbk_cl_change_kind change;
} dbk_cl_change;

const char *dbk_cl_change_text(dbk_cl_change_kind k);

/*
 * dbkeeper_codelist_changes: what a person reviewing the draft must look at,
 * against the version it was derived from (previous may be NULL: every code
 * is new).  Sorts both lists; *rows is freed with dbk_free(a, *rows).
 */
int			dbk_cl_changes(const dbk_allocator *a, dbk_codelist *previous, dbk_codelist *draft,
						   dbk_cl_change **rows, size_t *nrows, dbk_error *err);

/* The id of a new draft: "<codelist>@<release>", then "...#2", "#3", ... */
int			dbk_cl_draft_id(char *buf, size_t cap, const char *codelist, const char *release,
							unsigned attempt, dbk_error *err);

/* ---- errors, worded once for both engines ------------------------------ */

int			dbk_cl_fail_null(dbk_error *err, const char *argument);
/* Puts "codelist version \"<version>\": " before err's message; returns -1. */
int			dbk_cl_fail_in_version(dbk_error *err, const char *version);
int			dbk_cl_fail_unknown_version(dbk_error *err, const char *version);
int			dbk_cl_fail_unknown_release(dbk_error *err, const char *release);
int			dbk_cl_fail_missing_release(dbk_error *err, const char *version, const char *release);
int			dbk_cl_fail_other_system(dbk_error *err, const char *release, const char *release_system,
									 const char *version, const char *version_system);
/* which is "edges" or "terms"; table as written in the release row. */
int			dbk_cl_fail_missing_table(dbk_error *err, const char *release, const char *which,
									  const char *table);
int			dbk_cl_fail_bad_table_name(dbk_error *err, const char *release, const char *which,
									   const char *table);
int			dbk_cl_fail_missing_column(dbk_error *err, const char *release, const char *which,
									   const char *table, const char *column);
int			dbk_cl_fail_null_code(dbk_error *err, const char *release, const char *which,
								  const char *table);

#endif
