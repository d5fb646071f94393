/*
 * codelist_status.c — the status engine; see codelist_status.h for the rule
 * and the algorithm.
 *
 * Vocabulary: a "ruled" code carries an explicit rule and gets a ruled
 * index, in topological order.  A "set" is a sorted array of ruled indices
 * with no element an ancestor of another (an antichain), interned in a pool;
 * set 0 is the empty set.
 */
#include "codelist_status.h"

#include <stdlib.h>
#include <string.h>

#define SIGN_INCLUDED 1
#define SIGN_EXCLUDED 2
#define MERGE_CACHE_SIZE 4096	/* a power of two */

typedef struct merge_entry
{
	uint32_t	a;
	uint32_t	b;
	uint32_t	result;			/* 0 with a == b == 0: unused */
} merge_entry;

typedef struct engine
{
	const dbk_allocator *a;

	/* Ruled codes: sign, and the closure of ruled ancestors as sorted arrays. */
	uint32_t	nruled;
	uint8_t    *sign;
	uint32_t   *anc_start;		/* nruled + 1 */
	uint32_t   *anc;
	size_t		nanc;
	size_t		anc_cap;
	uint32_t   *stamp;			/* per ruled index, for deduplication */
	uint32_t	generation;

	/* Interned sets. */
	uint32_t	nsets;
	uint32_t	sets_cap;
	uint32_t   *set_start;		/* nsets + 1 */
	uint32_t   *set_hash;
	uint8_t    *set_signs;		/* SIGN_* bits of its members */
	uint32_t   *items;
	size_t		nitems;
	size_t		items_cap;
	uint32_t   *slots;			/* set id + 1, open addressing */
	size_t		nslots;

	merge_entry *cache;
	uint32_t   *scratch;		/* room for any union or closure */
	size_t		scratch_cap;
} engine;

const char *
dbk_cl_status_text(dbk_cl_status s)
{
	switch (s)
	{
		case DBK_CL_INCLUDED:
			return "+";
		case DBK_CL_EXCLUDED:
			return "-";
		case DBK_CL_IMPLIED_INCLUDED:
			return "(+)";
		case DBK_CL_IMPLIED_EXCLUDED:
			return "(-)";
		case DBK_CL_UNDECIDED:
			return "?";
		case DBK_CL_CONFLICT:
			return "!";
		case DBK_CL_NONE:
			break;
	}
	return "";
}

bool
dbk_cl_status_parse(const char *text, size_t len, dbk_cl_status *out)
{
	for (int s = DBK_CL_INCLUDED; s <= DBK_CL_CONFLICT; s++)
	{
		const char *t = dbk_cl_status_text((dbk_cl_status) s);

		if (strlen(t) == len && memcmp(t, text, len) == 0)
		{
			*out = (dbk_cl_status) s;
			return true;
		}
	}
	return false;
}

static int
nomem(dbk_error *err)
{
	return dbk_fail(err, DBK_E_NOMEM, "out of memory computing codelist statuses");
}

static inline uint32_t
hash_set(const uint32_t *v, size_t n)
{
	uint64_t	h = 0x9E3779B97F4A7C15ull + n;

	for (size_t i = 0; i < n; i++)
	{
		h = (h ^ v[i]) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 31;
	}
	return (uint32_t) (h ^ (h >> 32));
}

/* Makes room for n more uint32_t in *v (capacity *cap, used `used`). */
static int
reserve(const dbk_allocator *a, uint32_t **v, size_t used, size_t *cap, size_t n)
{
	size_t		want = *cap ? *cap : 256;
	uint32_t   *p;

	if (used + n <= *cap)
		return 0;
	while (want < used + n)
		want *= 2;
	p = dbk_resize(a, *v, used * sizeof(uint32_t), want * sizeof(uint32_t));
	if (p == NULL)
		return -1;
	*v = p;
	*cap = want;
	return 0;
}

static int
grow_set_table(engine *g, dbk_error *err)
{
	size_t		nslots = g->nslots ? g->nslots * 2 : 1024;
	uint32_t   *slots = dbk_alloc(g->a, nslots * sizeof(uint32_t));

	if (slots == NULL)
		return nomem(err);
	memset(slots, 0, nslots * sizeof(uint32_t));
	for (uint32_t id = 0; id < g->nsets; id++)
	{
		size_t		i = g->set_hash[id] & (nslots - 1);

		while (slots[i] != 0)
			i = (i + 1) & (nslots - 1);
		slots[i] = id + 1;
	}
	dbk_free(g->a, g->slots);
	g->slots = slots;
	g->nslots = nslots;
	return 0;
}

static int
grow_sets(engine *g, dbk_error *err)
{
	uint32_t	cap = g->sets_cap ? g->sets_cap * 2 : 256;
	uint32_t   *start,
			   *hash;
	uint8_t    *signs;

	start = dbk_resize(g->a, g->set_start, (g->nsets + 1) * sizeof(uint32_t),
					   (cap + 1) * sizeof(uint32_t));
	if (start == NULL)
		return nomem(err);
	g->set_start = start;
	hash = dbk_resize(g->a, g->set_hash, g->nsets * sizeof(uint32_t), cap * sizeof(uint32_t));
	if (hash == NULL)
		return nomem(err);
	g->set_hash = hash;
	signs = dbk_resize(g->a, g->set_signs, g->nsets, cap);
	if (signs == NULL)
		return nomem(err);
	g->set_signs = signs;
	g->sets_cap = cap;
	return 0;
}

/* The id of the set v[0..n) (sorted, an antichain), adding it when new. */
static int
intern_set(engine *g, const uint32_t *v, size_t n, uint32_t *id, dbk_error *err)
{
	uint32_t	hv = hash_set(v, n);
	size_t		mask,
				i;
	uint8_t		signs = 0;

	if ((size_t) (g->nsets + 1) * 2 > g->nslots && grow_set_table(g, err) != 0)
		return -1;
	mask = g->nslots - 1;
	for (i = hv & mask; g->slots[i] != 0; i = (i + 1) & mask)
	{
		uint32_t	s = g->slots[i] - 1;

		if (g->set_hash[s] == hv && g->set_start[s + 1] - g->set_start[s] == n &&
			(n == 0 || memcmp(g->items + g->set_start[s], v, n * sizeof(uint32_t)) == 0))
		{
			*id = s;
			return 0;
		}
	}
	if (g->nsets == g->sets_cap && grow_sets(g, err) != 0)
		return -1;
	if (reserve(g->a, &g->items, g->nitems, &g->items_cap, n) != 0)
		return nomem(err);
	if (n > 0)
		memcpy(g->items + g->nitems, v, n * sizeof(uint32_t));
	g->nitems += n;
	for (size_t k = 0; k < n; k++)
		signs |= g->sign[v[k]];
	g->set_hash[g->nsets] = hv;
	g->set_signs[g->nsets] = signs;
	g->set_start[g->nsets + 1] = (uint32_t) g->nitems;
	g->slots[i] = g->nsets + 1;
	*id = g->nsets++;
	return 0;
}

/* Is ruled code b a (strict) ancestor of ruled code a? */
static inline bool
is_ancestor(const engine *g, uint32_t b, uint32_t a)
{
	size_t		lo = g->anc_start[a],
				hi = g->anc_start[a + 1];

	if (b >= a)
		return false;			/* ruled indices follow the topological order */
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (g->anc[mid] == b)
			return true;
		if (g->anc[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int
ensure_scratch(engine *g, size_t n, dbk_error *err)
{
	if (n <= g->scratch_cap)
		return 0;
	dbk_free(g->a, g->scratch);
	g->scratch_cap = n > 2 * g->scratch_cap ? n : 2 * g->scratch_cap;
	g->scratch = dbk_alloc(g->a, g->scratch_cap * sizeof(uint32_t));
	if (g->scratch == NULL)
	{
		g->scratch_cap = 0;
		return nomem(err);
	}
	return 0;
}

/* The minimal elements of the union of sets x and y. */
static int
merge(engine *g, uint32_t x, uint32_t y, uint32_t *out, dbk_error *err)
{
	merge_entry *slot;
	const uint32_t *xv,
			   *yv;
	size_t		nx,
				ny,
				i = 0,
				j = 0,
				m = 0,
				kept = 0;
	uint32_t   *u;

	if (x == y || y == 0)
	{
		*out = x;
		return 0;
	}
	if (x == 0)
	{
		*out = y;
		return 0;
	}
	if (x > y)
	{
		uint32_t	t = x;

		x = y;
		y = t;
	}
	slot = &g->cache[(x * 0x9E3779B1u ^ y * 0x85EBCA77u) & (MERGE_CACHE_SIZE - 1)];
	if (slot->a == x && slot->b == y)
	{
		*out = slot->result;
		return 0;
	}
	nx = g->set_start[x + 1] - g->set_start[x];
	ny = g->set_start[y + 1] - g->set_start[y];
	if (ensure_scratch(g, nx + ny, err) != 0)
		return -1;
	u = g->scratch;
	xv = g->items + g->set_start[x];
	yv = g->items + g->set_start[y];
	while (i < nx || j < ny)
	{
		uint32_t	v;

		if (j == ny || (i < nx && xv[i] < yv[j]))
			v = xv[i++];
		else if (i == nx || yv[j] < xv[i])
			v = yv[j++];
		else
		{
			v = xv[i++];
			j++;
		}
		u[m++] = v;
	}
	/* Drop each element that is an ancestor of a later (deeper) one. */
	for (i = 0; i < m; i++)
	{
		bool		dominated = false;

		for (j = i + 1; j < m && !dominated; j++)
			dominated = is_ancestor(g, u[i], u[j]);
		if (!dominated)
			u[kept++] = u[i];
	}
	if (intern_set(g, u, kept, out, err) != 0)
		return -1;
	slot->a = x;
	slot->b = y;
	slot->result = *out;
	return 0;
}

/*
 * Records ruled code r (the next index) whose nearest ruled ancestors are
 * set s: its ancestor closure is s plus the closures of s's members.
 */
static int
add_ruled(engine *g, uint32_t r, uint32_t s, dbk_error *err)
{
	const uint32_t *members = g->items + g->set_start[s];
	size_t		nm = g->set_start[s + 1] - g->set_start[s],
				total = nm,
				m = 0;

	for (size_t k = 0; k < nm; k++)
		total += g->anc_start[members[k] + 1] - g->anc_start[members[k]];
	if (ensure_scratch(g, total, err) != 0)
		return -1;
	if (++g->generation == 0)
	{
		memset(g->stamp, 0, g->nruled * sizeof(uint32_t));
		g->generation = 1;
	}
	for (size_t k = 0; k < nm; k++)
	{
		uint32_t	b = members[k];

		if (g->stamp[b] != g->generation)
		{
			g->stamp[b] = g->generation;
			g->scratch[m++] = b;
		}
		for (uint32_t e = g->anc_start[b]; e < g->anc_start[b + 1]; e++)
			if (g->stamp[g->anc[e]] != g->generation)
			{
				g->stamp[g->anc[e]] = g->generation;
				g->scratch[m++] = g->anc[e];
			}
	}
	if (m > 1)
		qsort(g->scratch, m, sizeof(uint32_t), dbk_code_compare);
	if (reserve(g->a, &g->anc, g->nanc, &g->anc_cap, m) != 0)
		return nomem(err);
	if (m > 0)
		memcpy(g->anc + g->nanc, g->scratch, m * sizeof(uint32_t));
	g->nanc += m;
	g->anc_start[r + 1] = (uint32_t) g->nanc;
	return 0;
}

static void
engine_free(engine *g)
{
	dbk_free(g->a, g->sign);
	dbk_free(g->a, g->anc_start);
	dbk_free(g->a, g->anc);
	dbk_free(g->a, g->stamp);
	dbk_free(g->a, g->set_start);
	dbk_free(g->a, g->set_hash);
	dbk_free(g->a, g->set_signs);
	dbk_free(g->a, g->items);
	dbk_free(g->a, g->slots);
	dbk_free(g->a, g->cache);
	dbk_free(g->a, g->scratch);
}

static int
engine_init(engine *g, const dbk_allocator *a, size_t nruled, dbk_error *err)
{
	uint32_t	empty;

	memset(g, 0, sizeof(*g));
	g->a = a;
	g->sign = dbk_alloc(a, nruled + 1);
	g->anc_start = dbk_alloc(a, (nruled + 1) * sizeof(uint32_t));
	g->stamp = dbk_alloc(a, (nruled + 1) * sizeof(uint32_t));
	g->cache = dbk_alloc(a, MERGE_CACHE_SIZE * sizeof(merge_entry));
	if (g->sign == NULL || g->anc_start == NULL || g->stamp == NULL || g->cache == NULL ||
		reserve(a, &g->items, 0, &g->items_cap, 1) != 0 ||
		reserve(a, &g->anc, 0, &g->anc_cap, 1) != 0)
		return nomem(err);
	memset(g->stamp, 0, (nruled + 1) * sizeof(uint32_t));
	memset(g->cache, 0, MERGE_CACHE_SIZE * sizeof(merge_entry));
	g->anc_start[0] = 0;
	if (grow_sets(g, err) != 0)
		return -1;
	g->set_start[0] = 0;
	return intern_set(g, NULL, 0, &empty, err);	/* set 0 */
}

static dbk_cl_status
implied(uint8_t signs)
{
	switch (signs)
	{
		case SIGN_INCLUDED:
			return DBK_CL_IMPLIED_INCLUDED;
		case SIGN_EXCLUDED:
			return DBK_CL_IMPLIED_EXCLUDED;
		case SIGN_INCLUDED | SIGN_EXCLUDED:
			return DBK_CL_CONFLICT;
		default:
			return DBK_CL_UNDECIDED;
	}
}

int
dbk_cl_compute_statuses(const dbk_hierarchy *h, const uint8_t *rules, uint8_t *out,
						const dbk_allocator *a, dbk_error *err)
{
	return dbk_cl_compute_statuses_of(h, rules, dbk_hierarchy_topological(h), dbk_hierarchy_count(h),
									  out, a, err);
}

int
dbk_cl_compute_statuses_of(const dbk_hierarchy *h, const uint8_t *rules, const dbk_code *order,
						   size_t norder, uint8_t *out, const dbk_allocator *a, dbk_error *err)
{
	size_t		n = dbk_hierarchy_count(h),
				nruled = 0;
	uint32_t   *set_of = NULL;
	engine		g;
	int			rc = -1;

	for (size_t i = 0; i < norder; i++)
		nruled += dbk_cl_status_is_explicit((dbk_cl_status) rules[order[i]]);
	if (engine_init(&g, a, nruled, err) != 0)
		goto cleanup;
	/* Codes outside order keep set 0, the empty set: they pass nothing on. */
	set_of = dbk_alloc(a, (n ? n : 1) * sizeof(uint32_t));
	if (set_of == NULL)
	{
		nomem(err);
		goto cleanup;
	}
	if (norder < n)
		memset(set_of, 0, n * sizeof(uint32_t));
	for (size_t i = 0; i < norder; i++)
	{
		dbk_code	v = order[i];
		size_t		np;
		const dbk_code *parents = dbk_hierarchy_parents(h, v, &np);
		uint32_t	s = 0;
		dbk_cl_status rule = (dbk_cl_status) rules[v];

		for (size_t k = 0; k < np; k++)
			if (merge(&g, s, set_of[parents[k]], &s, err) != 0)
				goto cleanup;
		if (dbk_cl_status_is_explicit(rule))
		{
			uint32_t	r = g.nruled++;

			g.sign[r] = rule == DBK_CL_INCLUDED ? SIGN_INCLUDED : SIGN_EXCLUDED;
			if (add_ruled(&g, r, s, err) != 0 || intern_set(&g, &r, 1, &set_of[v], err) != 0)
				goto cleanup;
			out[v] = (uint8_t) rule;
		}
		else
		{
			set_of[v] = s;
			out[v] = (uint8_t) implied(g.set_signs[s]);
		}
	}
	rc = 0;

cleanup:
	dbk_free(a, set_of);
	engine_free(&g);
	return rc;
}
