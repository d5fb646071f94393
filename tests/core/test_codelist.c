/*
 * test_codelist.c — unit tests of the hierarchy, the status engine and the
 * regeneration steps (core/codelist/hierarchy.c, core/codelist/codelist_status.c,
 * core/codelist/codelist.c), without a database.
 *
 * Hierarchies are written as "parent>child" edges; codelists as "code
 * status" pairs, the way README writes its status-rule example.  The status engine is
 * also checked against a brute-force reading of the rule on random DAGs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/codelist/codelist.h"
#include "../../core/codelist/codelist_cache.h"
#include "unit.h"

static dbk_error err;

/* A finished release from "p>c p>c ..." edges, "code" alone for a lone code. */
static dbk_cl_release *
release_of(const char *edges, const char *terms, const dbk_codelist *searches)
{
	dbk_cl_release *r = dbk_cl_release_new(&dbk_libc_allocator, "r", searches, &err);
	char		buf[4096];
	char	   *save = NULL;

	if (r == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", edges);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
	{
		char	   *gt = strchr(tok, '>');
		int			rc;

		if (gt)
			rc = dbk_cl_release_add_edge(r, gt + 1, strlen(gt + 1), tok, (size_t) (gt - tok), &err);
		else
			rc = dbk_cl_release_add_edge(r, tok, strlen(tok), NULL, 0, &err);
		if (rc != 0)
			goto fail;
	}
	/* terms: "code=term|code=term" */
	if (terms)
	{
		snprintf(buf, sizeof(buf), "%s", terms);
		for (char *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		{
			char	   *eq = strchr(tok, '=');

			if (dbk_cl_release_add_term(r, tok, (size_t) (eq - tok), eq + 1, strlen(eq + 1), &err) != 0)
				goto fail;
		}
	}
	if (dbk_cl_release_finish(r, &err) != 0)
		goto fail;
	return r;

fail:
	dbk_cl_release_free(r);
	return NULL;
}

/* A codelist from "code status code status ..." and searches "t:text c:code". */
static dbk_codelist *
codelist_of(const char *codes, const char *searches)
{
	dbk_codelist *cl = dbk_codelist_new(&dbk_libc_allocator, &err);
	char		buf[4096];
	char	   *save = NULL;

	snprintf(buf, sizeof(buf), "%s", codes);
	for (char *code = strtok_r(buf, " ", &save); code; code = strtok_r(NULL, " ", &save))
	{
		char	   *status = strtok_r(NULL, " ", &save);

		if (dbk_codelist_add_code(cl, code, strlen(code), status, strlen(status), &err) != 0)
			abort();
	}
	if (searches)
	{
		snprintf(buf, sizeof(buf), "%s", searches);
		for (char *s = strtok_r(buf, "|", &save); s; s = strtok_r(NULL, "|", &save))
		{
			int			rc = s[0] == 't'
				? dbk_codelist_add_search(cl, s + 2, strlen(s + 2), NULL, 0, &err)
				: dbk_codelist_add_search(cl, NULL, 0, s + 2, strlen(s + 2), &err);

			if (rc != 0)
				abort();
		}
	}
	return cl;
}

static const char *
render(const dbk_codelist *cl)
{
	static char out[8192];
	size_t		used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < dbk_codelist_count(cl); i++)
		used += (size_t) snprintf(out + used, sizeof(out) - used, "%s%s %s", i ? " " : "",
								  dbk_codelist_code(cl, i, NULL),
								  dbk_cl_status_text(dbk_codelist_status(cl, i)));
	return out;
}

/* render() has one buffer: compare a copy. */
static bool
same_rendering(const dbk_codelist *a, const dbk_codelist *b)
{
	static char first[8192];
	bool		same;

	snprintf(first, sizeof(first), "%s", render(a));
	same = strcmp(first, render(b)) == 0;
	if (!same)
		printf("  one:   %s\n  other: %s\n", first, render(b));
	return same;
}

/* dbkeeper_codelist_status over one release. */
static const char *
statuses(const char *edges, const char *codes)
{
	static char out[8192];
	dbk_cl_release *r = release_of(edges, NULL, NULL);
	dbk_codelist *v = codelist_of(codes, NULL),
			   *got = NULL;

	snprintf(out, sizeof(out), "error: %s", err.message);
	if (r && dbk_cl_recompute(r, v, &got, &err) == 0)
		snprintf(out, sizeof(out), "%s", render(got));
	dbk_codelist_free(got);
	dbk_codelist_free(v);
	dbk_cl_release_free(r);
	return out;
}

/* The draft of version (codes, searches) against a new release. */
static const char *
draft(const char *edges, const char *terms, const char *codes, const char *searches)
{
	static char out[8192];
	dbk_codelist *v = codelist_of(codes, searches),
			   *got = NULL;
	dbk_cl_release *r = release_of(edges, terms, v);

	snprintf(out, sizeof(out), "error: %s", err.message);
	if (r && dbk_cl_regenerate(r, v, &got, &err) == 0)
		snprintf(out, sizeof(out), "%s", render(got));
	dbk_codelist_free(got);
	dbk_codelist_free(v);
	dbk_cl_release_free(r);
	return out;
}

static const char *
changes(const char *previous, const char *current)
{
	static char out[8192];
	dbk_codelist *p = codelist_of(previous, NULL),
			   *d = codelist_of(current, NULL);
	dbk_cl_change *rows;
	size_t		n,
				used = 0;

	out[0] = '\0';
	if (dbk_cl_changes(&dbk_libc_allocator, p, d, &rows, &n, &err) != 0)
		snprintf(out, sizeof(out), "error: %s", err.message);
	for (size_t i = 0; i < n; i++)
		used += (size_t) snprintf(out + used, sizeof(out) - used, "%s%s %s %s %s", i ? " " : "",
								  rows[i].code,
								  rows[i].status ? dbk_cl_status_text(rows[i].status) : "_",
								  rows[i].previous ? dbk_cl_status_text(rows[i].previous) : "_",
								  dbk_cl_change_text(rows[i].change));
	free(rows);
	dbk_codelist_free(p);
	dbk_codelist_free(d);
	return out;
}

#define CHECK_STR(id, got, want) \
	do { \
		const char *g_ = (got); \
		CHECK(id, strcmp(g_, (want)) == 0); \
		if (strcmp(g_, (want)) != 0) \
			printf("  got:  %s\n  want: %s\n", g_, (want)); \
	} while (0)

#define EXAMPLE_EDGES "a>b a>c b>d b>e c>e c>f d>g d>h e>h e>i f>i f>j"

static void
test_rule(void)
{
	/* README's status-rule example. */
	CHECK_STR("codelist/status/design-example",
			  statuses(EXAMPLE_EDGES, "a ? b + c - d ? e ? f ? g ? h ? i ? j ?"),
			  "a ? b + c - d (+) e ! f (-) g (+) h ! i ! j (-)");
	/* Nearest ruled ancestors that disagree, on a diamond. */
	CHECK_STR("codelist/status/conflict",
			  statuses("r>p r>q p>x q>x x>y", "p + q - x ? y ? r ?"),
			  "p + q - r ? x ! y !");
	/* Re-inclusion under an exclusion, and exclusion again below it. */
	CHECK_STR("codelist/status/reinclusion",
			  statuses("a>b b>c c>d b>e d>f", "a + b - c + d ? e ? f -"),
			  "a + b - c + d (+) e (-) f -");
	/* One path passes through an exclusion, the other does not: the nearest rule wins. */
	CHECK_STR("codelist/status/polyhierarchy-through-exclusion",
			  statuses("a>b a>c b>d c>d d>e", "a + b - c ? d ? e ?"),
			  "a + b - c (+) d (-) e (-)");
	/* Depth does not matter: a long included path against a short excluded one. */
	CHECK_STR("codelist/status/depth-does-not-matter",
			  statuses("r>a a>b b>c c>d r>x x>d", "a + x - d ?"),
			  "a + d ! x -");
	/* No exclude-always-wins: two exclusions above, one of them re-included below. */
	CHECK_STR("codelist/status/nearest-not-deepest",
			  statuses("a>b b>c a>c c>d", "a - b + c ? d ?"),
			  "a - b + c (+) d (+)");
	/* Codes the release does not have: explicit kept, the rest undecided. */
	CHECK_STR("codelist/status/unknown-codes",
			  statuses("a>b", "a + b ? zz - yy (+)"),
			  "a + b (+) yy ? zz -");
	/* Duplicate edges count once; a code alone is a root. */
	CHECK_STR("codelist/status/duplicates-and-roots",
			  statuses("a>b a>b lone", "a - b ? lone ?"),
			  "a - b (-) lone ?");
}

static void
test_cycles(void)
{
	dbk_cl_release *r;

	r = release_of("a>b b>c c>d d>b", NULL, NULL);
	CHECK("codelist/cycle/detected", r == NULL && err.kind == DBK_E_DATA);
	CHECK_STR("codelist/cycle/names-a-code-on-it", err.message,
			  "release \"r\": the edges contain a cycle through code \"b\"");
	CHECK_STR("codelist/cycle/detail", err.detail, "Following parents from \"b\": \"d\", \"c\", \"b\".");
	dbk_cl_release_free(r);

	r = release_of("x>x", NULL, NULL);
	CHECK("codelist/cycle/self-loop", r == NULL && strstr(err.message, "code \"x\"") != NULL);
	dbk_cl_release_free(r);

	/* A cycle below which other codes hang still names a code on the cycle. */
	r = release_of("root>m m>n n>m n>leaf leaf>deeper", NULL, NULL);
	CHECK("codelist/cycle/not-below-it", r == NULL && strstr(err.message, "code \"m\"") != NULL);
	dbk_cl_release_free(r);

	r = release_of(EXAMPLE_EDGES, NULL, NULL);
	CHECK("codelist/cycle/dag-accepted", r != NULL);
	dbk_cl_release_free(r);
}

#define R1 "a>b a>c b>d c>e"

static void
test_regeneration(void)
{
	/* Copied as they are when nothing changed. */
	CHECK_STR("codelist/draft/same-release",
			  draft(R1, NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? b + c - d (+) e (-)");
	/* A new code under an included ancestor. */
	CHECK_STR("codelist/draft/new-code-under-included",
			  draft(R1 " d>n", NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? b + c - d (+) e (-) n (+)");
	/* A new edge that puts a code in conflict. */
	CHECK_STR("codelist/draft/new-edge-conflict",
			  draft(R1 " c>d", NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? b + c - d ! e (-)");
	/* A code dropped from the new release. */
	CHECK_STR("codelist/draft/code-dropped",
			  draft("a>b a>c c>e", NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? b + c - e (-)");
	/* An explicit code dropped: its former descendants are recomputed. */
	CHECK_STR("codelist/draft/explicit-dropped",
			  draft("a>c a>d c>e", NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? c - d ? e (-)");
	/* A term search (case-insensitive) and a code search pick up new codes. */
	CHECK_STR("codelist/draft/searches",
			  draft(R1 " a>x x>x1 a>y a>z", "x=Chronic ASTHMA|y=something|z=Other",
					"b + d (+)", "t:asthma|c:z|c:not-in-release"),
			  "b + d (+) x ? x1 ? z ?");
	/* Only ASCII letters fold, as in OpenCodelists' LIKE: "échec" does not find "ÉCHEC". */
	CHECK_STR("codelist/draft/search-ascii-fold-only",
			  draft("a e1 e2", "e1=\xC3\x89" "CHEC|e2=\xC3\xA9" "CHEC", "a -", "t:\xC3\xA9" "chec"),
			  "a - e2 ?");
	/* Descendants of codes already in the draft are added. */
	CHECK_STR("codelist/draft/descendants-added",
			  draft(R1 " e>f f>g b>h", NULL, "a ? b + c - d (+) e (-)", NULL),
			  "a ? b + c - d (+) e (-) f (-) g (-) h (+)");
	/* Explicit codes are kept even when their place changes. */
	CHECK_STR("codelist/draft/explicit-kept",
			  draft("a>b b>c a>d", NULL, "a ? b + c - d (+)", NULL),
			  "a ? b + c - d ?");
	/* Two codes swap places. */
	CHECK_STR("codelist/draft/swap",
			  draft("r>q q>p p>x", NULL, "r ? p + q (+) x (+)", NULL),
			  "p + q ? r ? x (+)");
	/* Polyhierarchy: one path through an exclusion, one not. */
	CHECK_STR("codelist/draft/polyhierarchy",
			  draft("a>b a>c b>d c>d d>e", NULL, "a + b - c (+) e (+)", NULL),
			  "a + b - c (+) d (-) e (-)");
	/* A cycle in the new release. */
	CHECK_STR("codelist/draft/cycle",
			  draft("a>b b>a", NULL, "a +", NULL),
			  "error: release \"r\": the edges contain a cycle through code \"a\"");
}

static void
test_changes(void)
{
	CHECK_STR("codelist/changes/kinds",
			  changes("a + b (+) c ? d ! e (-)", "a + b ! c ? d ! f ? g (+)"),
			  "b ! (+) changed c ? ? unchanged d ! ! unchanged e _ (-) removed f ? _ new g (+) _ new");
	CHECK_STR("codelist/changes/nothing", changes("a + b (+)", "a + b (+)"), "");
}

static void
test_misc(void)
{
	char		id[64];
	dbk_codelist *cl = dbk_codelist_new(&dbk_libc_allocator, &err);
	dbk_cl_status s;

	CHECK("codelist/draft-id/first", dbk_cl_draft_id(id, sizeof(id), "asthma", "r2", 1, &err) == 0 &&
		  strcmp(id, "asthma@r2") == 0);
	CHECK("codelist/draft-id/again", dbk_cl_draft_id(id, sizeof(id), "asthma", "r2", 3, &err) == 0 &&
		  strcmp(id, "asthma@r2#3") == 0);
	CHECK("codelist/draft-id/too-long", dbk_cl_draft_id(id, 8, "asthma", "r2", 1, &err) != 0);
	CHECK("codelist/status/invalid-text",
		  dbk_codelist_add_code(cl, "a", 1, "(?)", 3, &err) != 0 &&
		  strcmp(err.message, "code \"a\" has an invalid status \"(?)\"") == 0);
	CHECK("codelist/search/exactly-one", dbk_codelist_add_search(cl, "x", 1, "y", 1, &err) != 0);
	CHECK("codelist/status/parse-all", dbk_cl_status_parse("(-)", 3, &s) && s == DBK_CL_IMPLIED_EXCLUDED &&
		  !dbk_cl_status_parse("", 0, &s));
	dbk_codelist_free(cl);
}

/* ---- the engine against the rule read literally, on random DAGs --------- */

static unsigned long long rng = 42;

static unsigned
next_random(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned) ((rng >> 33) % n);
}

/* anc[x * n + y]: y is a strict ancestor of x (codes are named by index, parents < children). */
static void
brute_force(int n, const unsigned char *edge, const uint8_t *rule, uint8_t *out, unsigned char *anc)
{
	memset(anc, 0, (size_t) n * n);
	for (int x = 0; x < n; x++)
		for (int p = 0; p < x; p++)
			if (edge[p * n + x])
			{
				anc[x * n + p] = 1;
				for (int q = 0; q < n; q++)
					if (anc[p * n + q])
						anc[x * n + q] = 1;
			}
	for (int x = 0; x < n; x++)
	{
		int			signs = 0;

		if (rule[x])
		{
			out[x] = rule[x];
			continue;
		}
		for (int a = 0; a < n; a++)
		{
			bool		significant = anc[x * n + a] && rule[a];

			/* no other ruled code among a's descendants that is also an ancestor of x */
			for (int b = 0; b < n && significant; b++)
				if (b != a && rule[b] && anc[x * n + b] && anc[b * n + a])
					significant = false;
			if (significant)
				signs |= rule[a] == DBK_CL_INCLUDED ? 1 : 2;
		}
		out[x] = signs == 0 ? DBK_CL_UNDECIDED : signs == 1 ? DBK_CL_IMPLIED_INCLUDED
			: signs == 2 ? DBK_CL_IMPLIED_EXCLUDED : DBK_CL_CONFLICT;
	}
}

static void
test_random(void)
{
	enum
	{
		N = 120, ROUNDS = 200
	};
	static unsigned char edge[N * N],
				anc[N * N];
	static uint8_t rule[N],
				want[N],
				got[N],
				by_id[N];
	int			mismatches = 0,
				part_mismatches = 0;

	for (int round = 0; round < ROUNDS; round++)
	{
		dbk_hierarchy *h = dbk_hierarchy_new(&dbk_libc_allocator, &err);
		dbk_code	id[N];
		int			density = 1 + next_random(4),
					nrules = 1 + next_random(round % 2 ? 12 : 40);
		char		name[16];

		memset(edge, 0, sizeof(edge));
		memset(rule, 0, sizeof(rule));
		/* Intern in a shuffled order so ids differ from the topological order. */
		for (int k = 0; k < N; k++)
		{
			int			x = (k * 37 + round) % N;

			snprintf(name, sizeof(name), "c%d", x);
			dbk_hierarchy_intern(h, name, strlen(name), &id[x], &err);
		}
		for (int x = 1; x < N; x++)
		{
			int			parents = 1 + (next_random(10) < (unsigned) density ? 1 + next_random(3) : 0);

			for (int k = 0; k < parents; k++)
			{
				int			p = x - 1 - (int) next_random((unsigned) (x < 15 ? x : 15));

				edge[p * N + x] = 1;
				dbk_hierarchy_add_edge(h, id[x], id[p], &err);
			}
		}
		for (int k = 0; k < nrules; k++)
			rule[next_random(N)] = next_random(3) ? DBK_CL_INCLUDED : DBK_CL_EXCLUDED;
		brute_force(N, edge, rule, want, anc);
		if (dbk_hierarchy_finish(h, &err) != 0)
			mismatches++;
		else
		{
			for (int x = 0; x < N; x++)
				by_id[id[x]] = rule[x];
			if (dbk_cl_compute_statuses(h, by_id, by_id, &dbk_libc_allocator, &err) != 0)
				mismatches++;
			for (int x = 0; x < N; x++)
				got[x] = by_id[id[x]];
			if (memcmp(got, want, N) != 0)
				mismatches++;
			/* Only the part below the rules: the same, "?" (no status written) outside. */
			{
				dbk_code	order[N],
							queue[N],
							from[N];
				uint32_t	pending[N];
				uint8_t		mark[N],
							sub[N];
				size_t		nfrom = 0,
							norder;

				memset(mark, 0, sizeof(mark));
				memset(sub, 0, sizeof(sub));
				for (int x = 0; x < N; x++)
					if (dbk_cl_status_is_explicit((dbk_cl_status) rule[x]))
					{
						sub[id[x]] = rule[x];
						from[nfrom++] = id[x];
					}
				norder = dbk_hierarchy_below(h, from, nfrom, mark, queue, pending, order);
				if (dbk_cl_compute_statuses_of(h, sub, order, norder, sub, &dbk_libc_allocator, &err) != 0)
					part_mismatches++;
				for (int x = 0; x < N; x++)
					if ((sub[id[x]] == DBK_CL_NONE ? DBK_CL_UNDECIDED : sub[id[x]]) != want[x] ||
						(sub[id[x]] != DBK_CL_NONE) != (mark[id[x]] != 0))
						part_mismatches++;
			}
		}
		dbk_hierarchy_free(h);
	}
	CHECK("codelist/status/random-dags-match-the-rule", mismatches == 0);
	CHECK("codelist/status/below-the-rules-only-matches", part_mismatches == 0);
}

/* ---- reading only what lies below the rules gives the same statuses ------ */

typedef struct walk_edges
{
	int			n;
	const unsigned char *edge;	/* edge[p * n + c]: p is a parent of c */
	int			asked;
} walk_edges;

static int
children_of(void *ctx, dbk_cl_release *rel, const char *const *codes, const size_t *lens, size_t n,
			dbk_error *e)
{
	walk_edges *w = ctx;

	for (size_t i = 0; i < n; i++)
	{
		int			p = codes[i][0] == 'c' ? atoi(codes[i] + 1) : -1;

		w->asked++;
		if (p < 0 || p >= w->n)
			continue;
		for (int c = 0; c < w->n; c++)
			if (w->edge[p * w->n + c])
			{
				char		name[16];

				snprintf(name, sizeof(name), "c%d", c);
				if (dbk_cl_release_add_edge(rel, name, strlen(name), codes[i], lens[i], e) != 0)
					return -1;
			}
	}
	return 0;
}

/* exists: the asked codes that are a code or a parent in the edges. */
static int
exists_in(void *ctx, dbk_cl_release *rel, const char *const *codes, const size_t *lens, size_t n,
		  dbk_error *e)
{
	walk_edges *w = ctx;

	for (size_t i = 0; i < n; i++)
	{
		int			x = codes[i][0] == 'c' ? atoi(codes[i] + 1) : -1;
		bool		found = false;

		for (int y = 0; x >= 0 && x < w->n && y < w->n && !found; y++)
			found = w->edge[y * w->n + x] || w->edge[x * w->n + y];
		if (found && dbk_cl_release_add_edge(rel, codes[i], lens[i], NULL, 0, e) != 0)
			return -1;
	}
	return 0;
}

/* Regeneration reading everything, and walking down from the draft's codes, agree. */
static void
test_walk_draft(void)
{
	enum
	{
		N = 150, ROUNDS = 60
	};
	static unsigned char edge[N * N];
	int			mismatches = 0;

	for (int round = 0; round < ROUNDS; round++)
	{
		dbk_codelist *v = dbk_codelist_new(&dbk_libc_allocator, &err),
				   *a = NULL,
				   *b = NULL;
		dbk_cl_release *full,
				   *part;
		walk_edges	w = {N, edge, 0};
		char		name[16],
					pname[16];

		for (int x = 0; x < N; x += 3)
		{
			unsigned	r = next_random(10);
			const char *st = r == 0 ? "+" : r == 1 ? "-" : "?";

			snprintf(name, sizeof(name), "c%d", x + (int) next_random(3));
			dbk_codelist_add_code(v, name, strlen(name), st, strlen(st), &err);
		}
		dbk_codelist_add_code(v, "gone", 4, "-", 1, &err);
		dbk_codelist_add_code(v, "t1", 2, "+", 1, &err);
		dbk_codelist_add_search(v, "ast", 3, NULL, 0, &err);
		dbk_codelist_add_search(v, NULL, 0, "c7", 2, &err);
		dbk_codelist_add_search(v, NULL, 0, "nope", 4, &err);
		full = dbk_cl_release_new(&dbk_libc_allocator, "r", v, &err);
		part = dbk_cl_release_new(&dbk_libc_allocator, "r", v, &err);
		memset(edge, 0, sizeof(edge));
		/* Codes from 140 on are not in the edges at all. */
		for (int x = 1; x < 140; x++)
			for (int k = 0, parents = 1 + (int) next_random(3); k < parents; k++)
			{
				int			p = x - 1 - (int) next_random((unsigned) (x < 20 ? x : 20));

				edge[p * N + x] = 1;
				snprintf(name, sizeof(name), "c%d", x);
				snprintf(pname, sizeof(pname), "c%d", p);
				dbk_cl_release_add_edge(full, name, strlen(name), pname, strlen(pname), &err);
			}
		/* Terms for some codes; t1 and t2 have a term and no edge. */
		for (int x = 0; x < N + 2; x += 4)
		{
			const char *term = next_random(6) == 0 ? "Asthma" : "other";

			if (x >= N)
				snprintf(name, sizeof(name), "t%d", x - N + 1);
			else
				snprintf(name, sizeof(name), "c%d", x);
			dbk_cl_release_add_term(full, name, strlen(name), term, strlen(term), &err);
			dbk_cl_release_add_term(part, name, strlen(name), term, strlen(term), &err);
		}
		dbk_cl_release_add_term(full, "t1", 2, "x", 1, &err);
		dbk_cl_release_add_term(part, "t1", 2, "x", 1, &err);
		if (dbk_cl_release_finish(full, &err) != 0 ||
			dbk_cl_release_walk_down(part, v, DBK_CL_WALK_DRAFT, children_of, exists_in, &w, &err) != 0 ||
			dbk_cl_release_finish(part, &err) != 0 ||
			dbk_cl_regenerate(full, v, &a, &err) != 0 || dbk_cl_regenerate(part, v, &b, &err) != 0)
			mismatches++;
		else if (!same_rendering(a, b))
			mismatches++;
		dbk_codelist_free(a);
		dbk_codelist_free(b);
		dbk_codelist_free(v);
		dbk_cl_release_free(full);
		dbk_cl_release_free(part);
	}
	CHECK("codelist/walk/same-draft-as-full-read", mismatches == 0);
}

static void
test_walk(void)
{
	enum
	{
		N = 150, ROUNDS = 60
	};
	static unsigned char edge[N * N];
	int			mismatches = 0,
				asked_too_often = 0;

	for (int round = 0; round < ROUNDS; round++)
	{
		dbk_cl_release *full = dbk_cl_release_new(&dbk_libc_allocator, "r", NULL, &err);
		dbk_cl_release *part = dbk_cl_release_new(&dbk_libc_allocator, "r", NULL, &err);
		dbk_codelist *v = dbk_codelist_new(&dbk_libc_allocator, &err),
				   *a = NULL,
				   *b = NULL;
		walk_edges	w = {N, edge, 0};
		char		name[16],
					pname[16];

		memset(edge, 0, sizeof(edge));
		for (int x = 1; x < N; x++)
			for (int k = 0, parents = 1 + (int) next_random(3); k < parents; k++)
			{
				int			p = x - 1 - (int) next_random((unsigned) (x < 20 ? x : 20));

				edge[p * N + x] = 1;
				snprintf(name, sizeof(name), "c%d", x);
				snprintf(pname, sizeof(pname), "c%d", p);
				dbk_cl_release_add_edge(full, name, strlen(name), pname, strlen(pname), &err);
			}
		/* The version: every third code, a few of them ruled, and one code the release lacks. */
		for (int x = 0; x < N; x += 3)
		{
			unsigned	r = next_random(12);
			const char *st = r == 0 ? "+" : r == 1 ? "-" : "?";

			snprintf(name, sizeof(name), "c%d", x);
			dbk_codelist_add_code(v, name, strlen(name), st, strlen(st), &err);
		}
		dbk_codelist_add_code(v, "gone", 4, "+", 1, &err);
		if (dbk_cl_release_finish(full, &err) != 0 ||
			dbk_cl_release_walk_down(part, v, DBK_CL_WALK_RULES, children_of, NULL, &w, &err) != 0 ||
			dbk_cl_release_finish(part, &err) != 0 ||
			dbk_cl_recompute(full, v, &a, &err) != 0 || dbk_cl_recompute(part, v, &b, &err) != 0 ||
			!same_rendering(a, b))
			mismatches++;
		else
			asked_too_often += w.asked > (int) dbk_hierarchy_count(dbk_cl_release_hierarchy(part));
		dbk_codelist_free(a);
		dbk_codelist_free(b);
		dbk_codelist_free(v);
		dbk_cl_release_free(full);
		dbk_cl_release_free(part);
	}
	CHECK("codelist/walk/same-statuses-as-full-read", mismatches == 0);
	CHECK("codelist/walk/each-code-asked-once", asked_too_often == 0);
}

/* The cache: found by ident and stamp, a stale stamp drops the entry, LRU replacement. */
static int	dropped;

static void
count_drop(dbk_cl_release *rel, void *holder)
{
	(void) holder;
	dropped++;
	dbk_cl_release_free(rel);
}

static void
test_cache(void)
{
	dbk_cl_cache *c = dbk_cl_cache_new(&dbk_libc_allocator, NULL, count_drop, &err);
	dbk_cl_release *a = release_of("a>b", NULL, NULL),
			   *b = release_of("a>c", NULL, NULL),
			   *d = release_of("a>d", NULL, NULL),
			   *e = release_of("a>e", NULL, NULL);
	dbk_codelist *v = codelist_of("a + b ?", NULL),
			   *got = NULL;
	int			one = 1,
				two = 2;

	CHECK("codelist/cache/new", c != NULL && a && b && d && e && v);
	CHECK("codelist/cache/empty-misses", dbk_cl_cache_get(c, "A", 1, &one, sizeof(one)) == NULL);
	CHECK("codelist/cache/put", dbk_cl_cache_put(c, "A", 1, &one, sizeof(one), a, NULL, &err) == 0 &&
		  dbk_cl_cache_put(c, "B", 1, &one, sizeof(one), b, NULL, &err) == 0);
	CHECK("codelist/cache/hit", dbk_cl_cache_get(c, "A", 1, &one, sizeof(one)) == a);
	/* B is now the least recently used: D replaces it. */
	CHECK("codelist/cache/lru", dbk_cl_cache_put(c, "D", 1, &one, sizeof(one), d, NULL, &err) == 0 &&
		  dropped == 1 && dbk_cl_cache_get(c, "B", 1, &one, sizeof(one)) == NULL &&
		  dbk_cl_cache_get(c, "A", 1, &one, sizeof(one)) == a && dbk_cl_cache_count(c) == 2);
	CHECK("codelist/cache/other-stamp-drops", dbk_cl_cache_get(c, "A", 1, &two, sizeof(two)) == NULL &&
		  dropped == 2 && dbk_cl_cache_count(c) == 1);
	CHECK("codelist/cache/same-ident-replaces", dbk_cl_cache_put(c, "D", 1, &two, sizeof(two), e, NULL, &err) == 0 &&
		  dropped == 3 && dbk_cl_cache_get(c, "D", 1, &two, sizeof(two)) == e);
	CHECK("codelist/cache/recompute-with", dbk_cl_recompute_with(&dbk_libc_allocator, e, v, &got, &err) == 0 &&
		  strcmp(render(got), "a + b ?") == 0);
	dbk_codelist_free(got);
	dbk_codelist_free(v);
	dbk_cl_cache_free(c);
	CHECK("codelist/cache/free-drops-all", dropped == 4);
}

int
main(void)
{
	test_cache();
	test_rule();
	test_cycles();
	test_regeneration();
	test_changes();
	test_misc();
	test_random();
	test_walk();
	test_walk_draft();
	return unit_exit();
}
