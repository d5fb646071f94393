/*
 * hierarchy.h — a coding-system release's is-a hierarchy (a DAG), built once
 * from its rows and then only read.
 *
 * Codes are interned: the first time a code is seen it gets the next dense
 * id (0, 1, 2, ...) and its bytes are stored once, in an arena; later
 * mentions are hash-table look-ups.  Edges are collected as (child, parent)
 * id pairs.  dbk_hierarchy_finish() turns them into two compressed sparse
 * row arrays, so that the parents of code i are
 *
 *     parents[parent_start[i] .. parent_start[i + 1])
 *
 * (duplicate edges merged) and its children likewise, and computes a
 * topological order — every code after all of its parents — by Kahn's
 * algorithm.  That is also how a cycle is found: when no parentless code is
 * left but codes remain, each remaining code has a remaining parent, so
 * following remaining parents from any of them must come back to a code
 * already passed; the error names the code on that cycle that sorts first
 * and spells the cycle out in its detail.
 *
 * Life cycle: new → intern / add_edge, any number, in any order → finish →
 * read-only queries (parents, children, topological order, descendants).
 * Interning and adding edges after finish is an error.  Every byte comes
 * from the allocator given to dbk_hierarchy_new and is released by
 * dbk_hierarchy_free.  Codes are byte strings without NUL; ids and edge
 * counts are 32-bit (a release has well under four billion of either).
 */
#ifndef DBK_HIERARCHY_H
#define DBK_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"

typedef uint32_t dbk_code;

#define DBK_NO_CODE UINT32_MAX

/* qsort comparator of dbk_code values (or any uint32_t), ascending. */
int			dbk_code_compare(const void *x, const void *y);

typedef struct dbk_hierarchy dbk_hierarchy;

dbk_hierarchy *dbk_hierarchy_new(const dbk_allocator *a, dbk_error *err);
void		dbk_hierarchy_free(dbk_hierarchy *h);

/* The id of code (len bytes), interning it when new. */
int			dbk_hierarchy_intern(dbk_hierarchy *h, const char *code, size_t len, dbk_code *id,
								 dbk_error *err);

/*
 * The same for rows read from a table, faster: interns code and, when parent
 * is not NULL, parent, and records the edge.  The bytes are copied; the work
 * is done a batch of rows at a time (look-ups in a table much larger than the
 * CPU caches overlap instead of waiting one after another) and completed by
 * dbk_hierarchy_finish, so the ids are not returned.
 */
int			dbk_hierarchy_queue(dbk_hierarchy *h, const char *code, size_t code_len,
								const char *parent, size_t parent_len, dbk_error *err);

/* Does the work of the rows queued so far (dbk_hierarchy_finish does it too). */
int			dbk_hierarchy_flush(dbk_hierarchy *h, dbk_error *err);

/* Records that parent is a parent of child (both interned). */
int			dbk_hierarchy_add_edge(dbk_hierarchy *h, dbk_code child, dbk_code parent,
								   dbk_error *err);

/*
 * Builds the parent and child lists and the topological order.  Fails with
 * DBK_E_DATA when the edges contain a cycle: "the edges contain a cycle
 * through code "x"", the cycle in the detail.
 */
int			dbk_hierarchy_finish(dbk_hierarchy *h, dbk_error *err);

/* The id of code, or DBK_NO_CODE when the hierarchy does not have it. */
dbk_code	dbk_hierarchy_find(const dbk_hierarchy *h, const char *code, size_t len);

size_t		dbk_hierarchy_count(const dbk_hierarchy *h);
/* About how many bytes h holds: its arrays, hash table and names. */
size_t		dbk_hierarchy_bytes(const dbk_hierarchy *h);
size_t		dbk_hierarchy_edge_count(const dbk_hierarchy *h);	/* after finish: distinct */
const char *dbk_hierarchy_name(const dbk_hierarchy *h, dbk_code id, size_t *len);

/* After finish: the parents and children of id, and all ids parents first. */
const dbk_code *dbk_hierarchy_parents(const dbk_hierarchy *h, dbk_code id, size_t *n);
const dbk_code *dbk_hierarchy_children(const dbk_hierarchy *h, dbk_code id, size_t *n);
const dbk_code *dbk_hierarchy_topological(const dbk_hierarchy *h);

/*
 * After finish: sets mark[d] = value for every strict descendant d of a code
 * whose mark is non-zero, in one pass over the topological order (O(codes +
 * edges), no allocation).  mark has dbk_hierarchy_count() entries.
 */
void		dbk_hierarchy_mark_descendants(const dbk_hierarchy *h, uint8_t *mark, uint8_t value);

/*
 * After finish: the codes from[0..nfrom) and all their descendants, in
 * topological order, into out; returns how many.  mark (entries for
 * dbk_hierarchy_count() codes, zero) is left non-zero for exactly those
 * codes; queue and pending are scratch with room for dbk_hierarchy_count()
 * entries, never read before written.  The work is that of the part
 * reached (Kahn's algorithm on it alone), however large the hierarchy.
 */
size_t		dbk_hierarchy_below(const dbk_hierarchy *h, const dbk_code *from, size_t nfrom,
								uint8_t *mark, dbk_code *queue, uint32_t *pending, dbk_code *out);

/*
 * dbk_hierarchy_find for n codes at once, faster for many: the look-ups
 * overlap their cache misses.  ids[i] gets the id of codes[i] or DBK_NO_CODE.
 */
void		dbk_hierarchy_find_many(const dbk_hierarchy *h, const char *const *codes,
									const size_t *lens, size_t n, dbk_code *ids);

#endif
