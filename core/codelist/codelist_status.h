/*
 * codelist_status.h — the status of every code of a hierarchy, from a
 * codelist's explicit rules (the OpenCodelists model, README
 * "Codelists").
 *
 * The rule.  A code with an explicit rule keeps it: "+" included, "-"
 * excluded.  Any other code looks at its ancestors that carry a rule and
 * keeps the significant ones: those with no other ruled code among their own
 * descendants that is also an ancestor of the code — the nearest rules,
 * decided by the ancestor order among ruled codes, not path by path.  Only
 * included → "(+)", only excluded → "(-)", both → "!", none → "?".
 *
 * How it is computed, in one pass over the topological order (O(codes +
 * edges) plus small set merges, never a walk of the graph per code).  Let
 * N(x) be the minimal ruled codes among the ancestors-or-self of x: {x} when
 * x is ruled, otherwise the minimal elements of the union of N(p) over the
 * parents p of x (the minimal elements of a union are the minimal elements
 * of the union of each part's minimal elements).  For a code without a rule,
 * N(x) is exactly its set of significant ruled ancestors.  "Minimal" needs
 * one test, "is ruled code b an ancestor of ruled code a?", answered from
 * the closure of each ruled code's ruled ancestors (built in the same pass
 * from its parents' N, and ruled codes are numbered in topological order so
 * only b < a needs asking).  N sets are hash-consed: each distinct set is
 * stored once and a code holds a 32-bit set id, so the many codes below a
 * single rule share one set, and a code whose parents share a set costs one
 * comparison.  A cache remembers recent merges.
 *
 * Memory comes from the caller's allocator and is released before return.
 */
#ifndef DBK_CODELIST_STATUS_H
#define DBK_CODELIST_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"
#include "hierarchy.h"

typedef enum dbk_cl_status
{
	DBK_CL_NONE = 0,			/* not a status: no rule */
	DBK_CL_INCLUDED,			/* "+"   included by an explicit rule */
	DBK_CL_EXCLUDED,			/* "-"   excluded by an explicit rule */
	DBK_CL_IMPLIED_INCLUDED,	/* "(+)" its nearest rules include it */
	DBK_CL_IMPLIED_EXCLUDED,	/* "(-)" its nearest rules exclude it */
	DBK_CL_UNDECIDED,			/* "?"   no rule above it */
	DBK_CL_CONFLICT				/* "!"   its nearest rules disagree */
} dbk_cl_status;

/* The status as stored in dbkeeper_codelist_code ("+", "(-)", ...); "" for NONE. */
const char *dbk_cl_status_text(dbk_cl_status s);

/* Parses a stored status; false when text is not one of the six. */
bool		dbk_cl_status_parse(const char *text, size_t len, dbk_cl_status *out);

static inline bool
dbk_cl_status_is_explicit(dbk_cl_status s)
{
	return s == DBK_CL_INCLUDED || s == DBK_CL_EXCLUDED;
}

/*
 * Computes the status of every code of h (finished).  rules[id] is
 * DBK_CL_INCLUDED or DBK_CL_EXCLUDED for a code with an explicit rule; any
 * other value means none.  out[id] receives a dbk_cl_status for every code;
 * out may be the same array as rules.
 */
int			dbk_cl_compute_statuses(const dbk_hierarchy *h, const uint8_t *rules, uint8_t *out,
									const dbk_allocator *a, dbk_error *err);

/*
 * The same for the codes order[0..norder) only, which must be in
 * topological order and hold every ruled code and all its descendants
 * (dbk_hierarchy_below): a code outside has no ruled ancestor, so nothing
 * to pass on.  out[id] is written for those codes alone.  The work is that
 * of the part below the rules, however large the hierarchy.
 */
int			dbk_cl_compute_statuses_of(const dbk_hierarchy *h, const uint8_t *rules,
									   const dbk_code *order, size_t norder, uint8_t *out,
									   const dbk_allocator *a, dbk_error *err);

#endif
