/*
 * codelist.c — versions, releases, the five regeneration steps, changes and
 * the codelist errors; see codelist.h.
 */
#include "codelist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"

typedef struct cl_row
{
	const char *code;			/* in the list's arena */
	uint32_t	len;
	uint8_t		status;
} cl_row;

typedef struct cl_search
{
	const char *text;			/* a term (folded) or a code */
	uint32_t	len;
	bool		is_term;
} cl_search;

struct dbk_codelist
{
	const dbk_allocator *a;
	dbk_arena	strings;
	cl_row	   *rows;
	size_t		n;
	size_t		cap;
	cl_search  *searches;
	size_t		nsearches;
	size_t		searches_cap;
};

struct dbk_cl_release
{
	const dbk_allocator *a;
	char		name[256];
	dbk_hierarchy *h;
	dbk_codelist *term_searches;	/* a private copy: needles folded */
	dbk_codelist *hits;			/* codes whose term matched a term search */
	char	   *folded;			/* scratch for one folded term */
	size_t		folded_cap;

	/*
	 * A walk (dbk_cl_release_walk_down) reads part of the release: flags
	 * say, per code id, whether a row of the release showed the code
	 * (CODE_PRESENT) and whether its children have been asked for
	 * (CODE_ASKED); found holds the codes to ask about in the next round.
	 */
	bool		walking;
	bool		partial;		/* a walk was made: membership is in flags */
	uint8_t    *flags;
	size_t		flags_cap;
	dbk_code   *found;
	size_t		nfound;
	size_t		found_cap;
};

#define CODE_PRESENT 1
#define CODE_ASKED 2

/* The adapter is asked for the children of this many codes at a time. */
#define WALK_BATCH 1000

static int
nomem(dbk_error *err)
{
	return dbk_fail(err, DBK_E_NOMEM, "out of memory in codelist regeneration");
}

/* ---- dbk_codelist ------------------------------------------------------ */

dbk_codelist *
dbk_codelist_new(const dbk_allocator *a, dbk_error *err)
{
	dbk_codelist *cl = dbk_alloc(a, sizeof(*cl));

	if (cl == NULL)
	{
		nomem(err);
		return NULL;
	}
	memset(cl, 0, sizeof(*cl));
	cl->a = a;
	dbk_arena_init(&cl->strings, a);
	return cl;
}

void
dbk_codelist_free(dbk_codelist *cl)
{
	if (cl == NULL)
		return;
	dbk_arena_free(&cl->strings);
	dbk_free(cl->a, cl->rows);
	dbk_free(cl->a, cl->searches);
	dbk_free(cl->a, cl);
}

static int
add_row(dbk_codelist *cl, const char *code, size_t len, dbk_cl_status status, dbk_error *err)
{
	cl_row	   *rows;
	const char *copy;

	if ((rows = dbk_grow(cl->a, cl->rows, cl->n, &cl->cap, sizeof(cl_row), 256)) == NULL)
		return nomem(err);
	cl->rows = rows;
	copy = dbk_arena_copy(&cl->strings, code, len);
	if (copy == NULL)
		return nomem(err);
	cl->rows[cl->n].code = copy;
	cl->rows[cl->n].len = (uint32_t) len;
	cl->rows[cl->n].status = (uint8_t) status;
	cl->n++;
	return 0;
}

int
dbk_codelist_add_code(dbk_codelist *cl, const char *code, size_t len, const char *status,
					  size_t status_len, dbk_error *err)
{
	dbk_cl_status s;

	if (!dbk_cl_status_parse(status, status_len, &s))
	{
		dbk_fail(err, DBK_E_DATA, "code \"%.*s\" has an invalid status \"%.*s\"",
				 (int) len, code, (int) status_len, status);
		dbk_error_hint(err, "A status is one of +, (+), -, (-), ? and !.");
		return -1;
	}
	if (memchr(code, '\0', len) != NULL || len > UINT32_MAX)
		return dbk_fail(err, DBK_E_DATA, "a code cannot contain a NUL byte");
	return add_row(cl, code, len, s, err);
}

static int
add_search(dbk_codelist *cl, const char *text, size_t len, bool is_term, dbk_error *err)
{
	cl_search  *searches;
	const char *copy;

	searches = dbk_grow(cl->a, cl->searches, cl->nsearches, &cl->searches_cap, sizeof(cl_search), 8);
	if (searches == NULL)
		return nomem(err);
	cl->searches = searches;
	copy = dbk_arena_copy(&cl->strings, text, len);
	if (copy == NULL)
		return nomem(err);
	cl->searches[cl->nsearches].text = copy;
	cl->searches[cl->nsearches].len = (uint32_t) len;
	cl->searches[cl->nsearches].is_term = is_term;
	cl->nsearches++;
	return 0;
}

int
dbk_codelist_add_search(dbk_codelist *cl, const char *term, size_t term_len, const char *code,
						size_t code_len, dbk_error *err)
{
	if ((term == NULL) == (code == NULL))
		return dbk_fail(err, DBK_E_DATA, "a codelist search has exactly one of term and code");
	return term ? add_search(cl, term, term_len, true, err) : add_search(cl, code, code_len, false, err);
}

static int
compare_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int			c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

static int
compare_rows(const void *x, const void *y)
{
	const cl_row *a = x,
			   *b = y;

	return compare_bytes(a->code, a->len, b->code, b->len);
}

void
dbk_codelist_sort(dbk_codelist *cl)
{
	size_t		i = 1;

	/* Often sorted already (read in primary-key order): one pass tells. */
	while (i < cl->n && compare_rows(&cl->rows[i - 1], &cl->rows[i]) <= 0)
		i++;
	if (i < cl->n)
		qsort(cl->rows, cl->n, sizeof(cl_row), compare_rows);
}

size_t
dbk_codelist_count(const dbk_codelist *cl)
{
	return cl->n;
}

const char *
dbk_codelist_code(const dbk_codelist *cl, size_t i, size_t *len)
{
	if (len)
		*len = cl->rows[i].len;
	return cl->rows[i].code;
}

dbk_cl_status
dbk_codelist_status(const dbk_codelist *cl, size_t i)
{
	return (dbk_cl_status) cl->rows[i].status;
}

/* ---- term matching ------------------------------------------------------ */

/* Folds s into out (same length): ASCII letters only, see codelist.h. */
static void
fold_case(const char *s, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		out[i] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

/*
 * Does hay contain needle?  Terms are short (tens of bytes): a memchr for
 * the first byte and a memcmp beat memmem's set-up here.
 */
static bool
contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay,
			   *end = hay + hlen;

	if (nlen == 0)
		return true;
	while ((size_t) (end - p) >= nlen && (p = memchr(p, needle[0], (size_t) (end - p) - nlen + 1)) != NULL)
	{
		if (memcmp(p + 1, needle + 1, nlen - 1) == 0)
			return true;
		p++;
	}
	return false;
}

/* ---- dbk_cl_release ---------------------------------------------------- */

dbk_cl_release *
dbk_cl_release_new(const dbk_allocator *a, const char *name, const dbk_codelist *searches,
				   dbk_error *err)
{
	dbk_cl_release *r = dbk_alloc(a, sizeof(*r));

	if (r == NULL)
	{
		nomem(err);
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->a = a;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->h = dbk_hierarchy_new(a, err);
	r->term_searches = dbk_codelist_new(a, err);
	r->hits = dbk_codelist_new(a, err);
	if (r->h == NULL || r->term_searches == NULL || r->hits == NULL)
		goto fail;
	for (size_t i = 0; searches && i < searches->nsearches; i++)
	{
		const cl_search *s = &searches->searches[i];
		char		buf[1024];

		if (!s->is_term)
			continue;
		if (s->len >= sizeof(buf))
		{
			dbk_fail(err, DBK_E_INVALID, "a term search is longer than %zu bytes", sizeof(buf) - 1);
			goto fail;
		}
		fold_case(s->text, s->len, buf);
		if (add_search(r->term_searches, buf, s->len, true, err) != 0)
			goto fail;
	}
	return r;

fail:
	dbk_cl_release_free(r);
	return NULL;
}

void
dbk_cl_release_free(dbk_cl_release *r)
{
	if (r == NULL)
		return;
	dbk_hierarchy_free(r->h);
	dbk_codelist_free(r->term_searches);
	dbk_codelist_free(r->hits);
	dbk_free(r->a, r->folded);
	dbk_free(r->a, r->found);
	dbk_free(r->a, r->flags);
	dbk_free(r->a, r);
}

const dbk_hierarchy *
dbk_cl_release_hierarchy(const dbk_cl_release *r)
{
	return r->h;
}

size_t
dbk_cl_release_bytes(const dbk_cl_release *r)
{
	return sizeof(*r) + dbk_hierarchy_bytes(r->h) + r->flags_cap + r->found_cap * sizeof(dbk_code) +
		r->folded_cap;
}

/* flags covers every id interned so far (new ones zero). */
static int
flags_cover(dbk_cl_release *r, dbk_error *err)
{
	size_t		n = dbk_hierarchy_count(r->h);

	if (n > r->flags_cap)
	{
		size_t		cap = n > 2 * r->flags_cap ? n : 2 * r->flags_cap;
		uint8_t    *f = dbk_resize(r->a, r->flags, r->flags_cap, cap);

		if (f == NULL)
			return nomem(err);
		memset(f + r->flags_cap, 0, cap - r->flags_cap);
		r->flags = f;
		r->flags_cap = cap;
	}
	return 0;
}

/* Asks about c's children in the next round, unless that was done already. */
static int
ask_children(dbk_cl_release *r, dbk_code c, dbk_error *err)
{
	dbk_code   *found;

	if (flags_cover(r, err) != 0)
		return -1;
	if (r->flags[c] & CODE_ASKED)
		return 0;
	r->flags[c] |= CODE_ASKED;
	if ((found = dbk_grow(r->a, r->found, r->nfound, &r->found_cap, sizeof(dbk_code), 1024)) == NULL)
		return nomem(err);
	r->found = found;
	r->found[r->nfound++] = c;
	return 0;
}

int
dbk_cl_release_add_edge(dbk_cl_release *r, const char *code, size_t code_len, const char *parent,
						size_t parent_len, dbk_error *err)
{
	dbk_code	c,
				p;

	if (!r->walking)
		return dbk_hierarchy_queue(r->h, code, code_len, parent, parent_len, err);
	/* A walk needs the ids at once, to know which children are new. */
	if (dbk_hierarchy_intern(r->h, code, code_len, &c, err) != 0 || ask_children(r, c, err) != 0)
		return -1;
	r->flags[c] |= CODE_PRESENT;
	if (parent == NULL)
		return 0;
	if (dbk_hierarchy_intern(r->h, parent, parent_len, &p, err) != 0 || flags_cover(r, err) != 0)
		return -1;
	r->flags[p] |= CODE_PRESENT;
	return dbk_hierarchy_add_edge(r->h, c, p, err);
}

/* Starts the walk at code (len bytes); it need not be in the release. */
static int
walk_from(dbk_cl_release *r, const char *code, size_t len, dbk_error *err)
{
	dbk_code	c;

	return dbk_hierarchy_intern(r->h, code, len, &c, err) != 0 ? -1 : ask_children(r, c, err);
}

/* Calls fn for the codes ids[0..n) in batches. */
static int
ask_in_batches(dbk_cl_release *r, const dbk_code *ids, size_t n, dbk_cl_children_fn fn, void *ctx,
			   const char **names, size_t *lens, dbk_error *err)
{
	for (size_t start = 0; start < n; start += WALK_BATCH)
	{
		size_t		k = n - start < WALK_BATCH ? n - start : WALK_BATCH;

		for (size_t j = 0; j < k; j++)
			names[j] = dbk_hierarchy_name(r->h, ids[start + j], &lens[j]);
		if (fn(ctx, r, names, lens, k, err) != 0)
			return -1;
	}
	return 0;
}

int
dbk_cl_release_walk_down(dbk_cl_release *r, const dbk_codelist *from, dbk_cl_walk what,
						 dbk_cl_children_fn children, dbk_cl_children_fn exists, void *ctx,
						 dbk_error *err)
{
	const char **names = dbk_alloc(r->a, WALK_BATCH * sizeof(char *));
	size_t	   *lens = dbk_alloc(r->a, WALK_BATCH * sizeof(size_t));
	dbk_code   *round = NULL,
			   *starts = NULL;
	size_t		nstart;
	int			rc = -1;

	if (names == NULL || lens == NULL)
	{
		nomem(err);
		goto cleanup;
	}
	/* Codes read before (terms) are in the release. */
	if (dbk_hierarchy_flush(r->h, err) != 0 || flags_cover(r, err) != 0)
		goto cleanup;
	for (size_t i = 0; i < dbk_hierarchy_count(r->h); i++)
		r->flags[i] |= CODE_PRESENT;
	r->walking = true;
	r->partial = true;
	r->nfound = 0;
	for (size_t i = 0; i < from->n; i++)
		if ((what == DBK_CL_WALK_DRAFT || dbk_cl_status_is_explicit((dbk_cl_status) from->rows[i].status)) &&
			walk_from(r, from->rows[i].code, from->rows[i].len, err) != 0)
			goto cleanup;
	if (what == DBK_CL_WALK_DRAFT)
	{
		for (size_t i = 0; i < r->hits->n; i++)
			if (walk_from(r, r->hits->rows[i].code, r->hits->rows[i].len, err) != 0)
				goto cleanup;
		for (size_t i = 0; i < from->nsearches; i++)
			if (!from->searches[i].is_term &&
				walk_from(r, from->searches[i].text, from->searches[i].len, err) != 0)
				goto cleanup;
	}
	/* Remember where the walk started: those codes may not be in the release. */
	nstart = r->nfound;
	starts = dbk_alloc(r->a, (nstart ? nstart : 1) * sizeof(dbk_code));
	if (starts == NULL)
	{
		nomem(err);
		goto cleanup;
	}
	if (nstart > 0)
		memcpy(starts, r->found, nstart * sizeof(dbk_code));
	/* Breadth first: each round asks for the children of the codes the last one found. */
	while (r->nfound > 0)
	{
		size_t		n = r->nfound;

		dbk_free(r->a, round);
		round = r->found;
		r->found = NULL;
		r->nfound = r->found_cap = 0;
		if (ask_in_batches(r, round, n, children, ctx, names, lens, err) != 0)
			goto cleanup;
	}
	/* A starting code no row has shown yet may still be a leaf of the edges. */
	if (exists != NULL)
	{
		size_t		m = 0;

		for (size_t i = 0; i < nstart; i++)
			if (!(r->flags[starts[i]] & CODE_PRESENT))
				starts[m++] = starts[i];
		if (ask_in_batches(r, starts, m, exists, ctx, names, lens, err) != 0)
			goto cleanup;
		r->nfound = 0;			/* nothing more to walk: those codes were asked about */
	}
	rc = 0;

cleanup:
	r->walking = false;
	dbk_free(r->a, round);
	dbk_free(r->a, starts);
	dbk_free(r->a, names);
	dbk_free(r->a, lens);
	return rc;
}

int
dbk_cl_release_add_term(dbk_cl_release *r, const char *code, size_t code_len, const char *term,
						size_t term_len, dbk_error *err)
{
	const dbk_codelist *ts = r->term_searches;

	if (dbk_hierarchy_queue(r->h, code, code_len, NULL, 0, err) != 0)
		return -1;
	if (term == NULL || ts->nsearches == 0)
		return 0;
	if (term_len + 1 > r->folded_cap)
	{
		size_t		cap = term_len + 1 > 2 * r->folded_cap ? term_len + 1 : 2 * r->folded_cap;

		dbk_free(r->a, r->folded);
		r->folded_cap = 0;
		r->folded = dbk_alloc(r->a, cap);
		if (r->folded == NULL)
			return nomem(err);
		r->folded_cap = cap;
	}
	fold_case(term, term_len, r->folded);
	for (size_t i = 0; i < ts->nsearches; i++)
		if (contains(r->folded, term_len, ts->searches[i].text, ts->searches[i].len))
			return add_row(r->hits, code, code_len, DBK_CL_UNDECIDED, err);
	return 0;
}

int
dbk_cl_release_finish(dbk_cl_release *r, dbk_error *err)
{
	if (dbk_hierarchy_finish(r->h, err) != 0)
	{
		dbk_error_prefix(err, "release \"%s\": ", r->name);
		if (err->kind == DBK_E_DATA)
			dbk_error_hint(err, "An is-a hierarchy cannot contain a cycle: fix the release's edges table.");
		return -1;
	}
	return 0;
}

/* ---- the operations ---------------------------------------------------- */

/* Is code c (DBK_NO_CODE allowed) one of the release's codes? */
static bool
release_has(const dbk_cl_release *r, dbk_code c)
{
	if (c == DBK_NO_CODE)
		return false;
	return !r->partial || (c < r->flags_cap && (r->flags[c] & CODE_PRESENT));
}

/* The rows of codes marked in mark, with statuses from status, sorted. */
static int
collect(const dbk_hierarchy *h, const uint8_t *mark, const uint8_t *status, dbk_codelist *out,
		dbk_error *err)
{
	size_t		n = dbk_hierarchy_count(h);

	for (dbk_code c = 0; c < n; c++)
	{
		size_t		len;
		const char *name;

		if (!mark[c])
			continue;
		name = dbk_hierarchy_name(h, c, &len);
		if (add_row(out, name, len, (dbk_cl_status) status[c], err) != 0)
			return -1;
	}
	dbk_codelist_sort(out);
	return 0;
}

int
dbk_cl_recompute(const dbk_cl_release *r, const dbk_codelist *version, dbk_codelist **out,
				 dbk_error *err)
{
	return dbk_cl_recompute_with(r->a, r, version, out, err);
}

int
dbk_cl_recompute_with(const dbk_allocator *a, const dbk_cl_release *r, const dbk_codelist *version,
					  dbk_codelist **out, dbk_error *err)
{
	const dbk_hierarchy *h = r->h;
	size_t		n = dbk_hierarchy_count(h),
				nv = version->n,
				nruled = 0,
				norder;
	uint8_t    *status = dbk_alloc(a, n ? n : 1);
	uint8_t    *mark = dbk_alloc(a, n ? n : 1);
	dbk_code   *order = dbk_alloc(a, (n ? n : 1) * sizeof(dbk_code));
	dbk_code   *queue = dbk_alloc(a, (n ? n : 1) * sizeof(dbk_code));
	uint32_t   *pending = dbk_alloc(a, (n ? n : 1) * sizeof(uint32_t));
	dbk_code   *ids = dbk_alloc(a, (nv ? nv : 1) * sizeof(dbk_code));
	const char **names = dbk_alloc(a, (nv ? nv : 1) * sizeof(char *));
	size_t	   *lens = dbk_alloc(a, (nv ? nv : 1) * sizeof(size_t));
	dbk_codelist *result = dbk_codelist_new(a, err);
	int			rc = -1;

	*out = NULL;
	if (status == NULL || mark == NULL || order == NULL || queue == NULL || pending == NULL ||
		ids == NULL || names == NULL || lens == NULL || result == NULL)
	{
		if (result != NULL)
			nomem(err);
		goto cleanup;
	}
	memset(status, 0, n);
	memset(mark, 0, n);
	for (size_t i = 0; i < nv; i++)
	{
		names[i] = version->rows[i].code;
		lens[i] = version->rows[i].len;
	}
	dbk_hierarchy_find_many(h, names, lens, nv, ids);
	/* The rules, and the list of ruled codes to start from (in queue). */
	for (size_t i = 0; i < nv; i++)
	{
		dbk_code	c = ids[i];

		if (c != DBK_NO_CODE && dbk_cl_status_is_explicit((dbk_cl_status) version->rows[i].status) &&
			status[c] == DBK_CL_NONE)
		{
			status[c] = version->rows[i].status;
			order[nruled++] = c;
		}
	}
	/* Only the ruled codes and what lies below them can get a status other than "?". */
	norder = dbk_hierarchy_below(h, order, nruled, mark, queue, pending, order);
	if (dbk_cl_compute_statuses_of(h, status, order, norder, status, a, err) != 0)
		goto cleanup;
	for (size_t i = 0; i < nv; i++)
	{
		const cl_row *row = &version->rows[i];
		dbk_code	c = ids[i];
		dbk_cl_status s;

		if (c != DBK_NO_CODE)
			s = status[c] != DBK_CL_NONE ? (dbk_cl_status) status[c] : DBK_CL_UNDECIDED;
		else
			s = dbk_cl_status_is_explicit((dbk_cl_status) row->status)
				? (dbk_cl_status) row->status : DBK_CL_UNDECIDED;
		if (add_row(result, row->code, row->len, s, err) != 0)
			goto cleanup;
	}
	dbk_codelist_sort(result);
	*out = result;
	result = NULL;
	rc = 0;

cleanup:
	dbk_free(a, status);
	dbk_free(a, mark);
	dbk_free(a, order);
	dbk_free(a, queue);
	dbk_free(a, pending);
	dbk_free(a, ids);
	dbk_free(a, names);
	dbk_free(a, lens);
	dbk_codelist_free(result);
	return rc;
}

/*
 * The five steps.  mark[c] says "c is in the draft"; status[c] holds the
 * explicit rules, then every status.  Steps 2 and 4 both add descendants:
 * the matches of step 2 are codes of the new release, so their descendants
 * are exactly what step 4 adds for them; one pass over the topological order
 * does both, after the matches are marked.
 */
int
dbk_cl_regenerate(const dbk_cl_release *r, const dbk_codelist *version, dbk_codelist **draft,
				  dbk_error *err)
{
	const dbk_hierarchy *h = r->h;
	size_t		n = dbk_hierarchy_count(h);
	uint8_t    *mark = dbk_alloc(r->a, n ? n : 1);
	uint8_t    *status = dbk_alloc(r->a, n ? n : 1);
	dbk_codelist *result = dbk_codelist_new(r->a, err);
	int			rc = -1;

	*draft = NULL;
	if (mark == NULL || status == NULL || result == NULL)
	{
		if (result != NULL)
			nomem(err);
		goto cleanup;
	}
	memset(mark, 0, n);
	memset(status, 0, n);

	/*
	 * 1. copy the version's codes with their statuses, and 3. drop those the
	 * new release does not have (they are never marked).  Only the explicit
	 * statuses matter from here on: step 5 recomputes the others.
	 */
	for (size_t i = 0; i < version->n; i++)
	{
		const cl_row *row = &version->rows[i];
		dbk_code	c = dbk_hierarchy_find(h, row->code, row->len);

		if (!release_has(r, c))
			continue;
		mark[c] = 1;
		if (dbk_cl_status_is_explicit((dbk_cl_status) row->status))
			status[c] = row->status;
	}

	/* 2. re-run the searches: term matches were found while terms were read. */
	for (size_t i = 0; i < r->hits->n; i++)
		mark[dbk_hierarchy_find(h, r->hits->rows[i].code, r->hits->rows[i].len)] = 1;
	for (size_t i = 0; i < version->nsearches; i++)
	{
		const cl_search *s = &version->searches[i];
		dbk_code	c;

		if (s->is_term)
			continue;
		c = dbk_hierarchy_find(h, s->text, s->len);
		if (release_has(r, c))
			mark[c] = 1;
	}

	/* 2 and 4. every descendant of a code in the draft. */
	dbk_hierarchy_mark_descendants(h, mark, 1);

	/* 5. keep the explicit codes, recompute the rest. */
	if (dbk_cl_compute_statuses(h, status, status, r->a, err) != 0)
		goto cleanup;
	if (collect(h, mark, status, result, err) != 0)
		goto cleanup;
	*draft = result;
	result = NULL;
	rc = 0;

cleanup:
	dbk_free(r->a, mark);
	dbk_free(r->a, status);
	dbk_codelist_free(result);
	return rc;
}

const char *
dbk_cl_change_text(dbk_cl_change_kind k)
{
	switch (k)
	{
		case DBK_CL_NEW:
			return "new";
		case DBK_CL_CHANGED:
			return "changed";
		case DBK_CL_REMOVED:
			return "removed";
		case DBK_CL_UNCHANGED:
			return "unchanged";
	}
	return "";
}

static bool
needs_decision(dbk_cl_status s)
{
	return s == DBK_CL_UNDECIDED || s == DBK_CL_CONFLICT;
}

int
dbk_cl_changes(const dbk_allocator *a, dbk_codelist *previous, dbk_codelist *draft,
			   dbk_cl_change **rows, size_t *nrows, dbk_error *err)
{
	size_t		np = previous ? previous->n : 0,
				i = 0,
				j = 0,
				m = 0;
	dbk_cl_change *out = dbk_alloc(a, (np + draft->n + 1) * sizeof(dbk_cl_change));

	*rows = NULL;
	*nrows = 0;
	if (out == NULL)
		return nomem(err);
	if (previous)
		dbk_codelist_sort(previous);
	dbk_codelist_sort(draft);
	while (i < np || j < draft->n)
	{
		const cl_row *p = i < np ? &previous->rows[i] : NULL;
		const cl_row *d = j < draft->n ? &draft->rows[j] : NULL;
		int			c = p == NULL ? 1 : d == NULL ? -1 : compare_bytes(p->code, p->len, d->code, d->len);
		dbk_cl_change *row = &out[m];

		if (c < 0)
		{
			*row = (dbk_cl_change) {p->code, p->len, DBK_CL_NONE, (dbk_cl_status) p->status, DBK_CL_REMOVED};
			i++;
		}
		else if (c > 0)
		{
			*row = (dbk_cl_change) {d->code, d->len, (dbk_cl_status) d->status, DBK_CL_NONE, DBK_CL_NEW};
			j++;
		}
		else
		{
			*row = (dbk_cl_change) {d->code, d->len, (dbk_cl_status) d->status, (dbk_cl_status) p->status,
			d->status != p->status ? DBK_CL_CHANGED : DBK_CL_UNCHANGED};
			i++;
			j++;
			if (row->change == DBK_CL_UNCHANGED && !needs_decision(row->status))
				continue;
		}
		m++;
	}
	*rows = out;
	*nrows = m;
	return 0;
}

int
dbk_cl_draft_id(char *buf, size_t cap, const char *codelist, const char *release, unsigned attempt,
				dbk_error *err)
{
	int			len;

	if (attempt <= 1)
		len = snprintf(buf, cap, "%s@%s", codelist, release);
	else
		len = snprintf(buf, cap, "%s@%s#%u", codelist, release, attempt);
	if (len < 0 || (size_t) len >= cap)
		return dbk_fail(err, DBK_E_INVALID, "codelist and release names are too long for a draft id");
	return 0;
}

/* ---- errors ------------------------------------------------------------ */

int
dbk_cl_fail_null(dbk_error *err, const char *argument)
{
	return dbk_fail(err, DBK_E_NULL, "%s cannot be NULL", argument);
}

int
dbk_cl_fail_in_version(dbk_error *err, const char *version)
{
	dbk_error_prefix(err, "codelist version \"%s\": ", version);
	return -1;
}

int
dbk_cl_fail_unknown_version(dbk_error *err, const char *version)
{
	dbk_fail(err, DBK_E_UNDEFINED, "codelist version \"%s\" does not exist", version);
	dbk_error_hint(err, "Versions are the rows of dbkeeper_codelist_version.");
	return -1;
}

int
dbk_cl_fail_unknown_release(dbk_error *err, const char *release)
{
	dbk_fail(err, DBK_E_UNDEFINED, "release \"%s\" does not exist", release);
	dbk_error_hint(err, "Releases are the rows of dbkeeper_codelist_release.");
	return -1;
}

int
dbk_cl_fail_missing_release(dbk_error *err, const char *version, const char *release)
{
	dbk_fail(err, DBK_E_UNDEFINED, "release \"%s\" of codelist version \"%s\" does not exist",
			 release, version);
	dbk_error_hint(err, "Add the release to dbkeeper_codelist_release.");
	return -1;
}

int
dbk_cl_fail_other_system(dbk_error *err, const char *release, const char *release_system,
						 const char *version, const char *version_system)
{
	dbk_fail(err, DBK_E_INVALID,
			 "release \"%s\" is of coding system \"%s\", but codelist version \"%s\" uses \"%s\"",
			 release, release_system, version, version_system);
	dbk_error_detail(err, "A draft is regenerated against a newer release of the same coding system.");
	return -1;
}

int
dbk_cl_fail_missing_table(dbk_error *err, const char *release, const char *which,
						  const char *table)
{
	dbk_fail(err, DBK_E_UNDEFINED_TABLE, "%s table \"%s\" of release \"%s\" does not exist",
			 which, table, release);
	dbk_error_hint(err, "The release's row in dbkeeper_codelist_release names it; on SQLite a "
				   "table of an attached database is written schema.table.");
	return -1;
}

int
dbk_cl_fail_bad_table_name(dbk_error *err, const char *release, const char *which,
						   const char *table)
{
	dbk_fail(err, DBK_E_INVALID, "%s table \"%s\" of release \"%s\" is not a table name",
			 which, table, release);
	dbk_error_hint(err, "Write table or schema.table, with double quotes around a name that "
				   "needs them.");
	return -1;
}

int
dbk_cl_fail_missing_column(dbk_error *err, const char *release, const char *which,
						   const char *table, const char *column)
{
	dbk_fail(err, DBK_E_UNDEFINED_COLUMN, "%s table \"%s\" of release \"%s\" has no column \"%s\"",
			 which, table, release, column);
	dbk_error_hint(err, "An edges table has the columns (code, parent), one row per is-a edge; "
				   "a terms table has (code, term).");
	return -1;
}

int
dbk_cl_fail_null_code(dbk_error *err, const char *release, const char *which, const char *table)
{
	return dbk_fail(err, DBK_E_DATA, "%s table \"%s\" of release \"%s\" has a row whose code is NULL",
					which, table, release);
}
