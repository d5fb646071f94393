/*
 * test_codelist_store.c — unit tests of the codelist workflows written once
 * over the store interface (core/codelist/codelist_store.c) and of the
 * cache's check-read-check protocol (dbk_cl_cache_fetch in
 * core/codelist/codelist_cache.c), without a database.
 *
 * The store here keeps its rows in memory.  Its edges table has a state, a
 * counter that a "writer" raises; the store can raise it while the table is
 * read (a change committed during the read), refuse to vouch for the table,
 * or fail when the key is taken again, which is what the protocol must
 * survive on both engines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/codelist/codelist_cache.h"
#include "../../core/codelist/codelist_store.h"
#include "unit.h"

#define EXAMPLE_EDGES "a>b a>c b>d b>e c>e c>f d>g d>h e>h e>i f>i f>j"

typedef struct mem_store
{
	const char *edges;			/* the release's edges table, "parent>child ..." */
	const char *codes_v1;		/* version v1 (the first) */
	const char *codes_v2;		/* version v2, derived from v1 */
	unsigned	state;			/* the edges table's state */
	const char *refuse;			/* set: the key vouches for nothing, for this reason */
	bool		write_during_read;	/* a writer raises the state while it is read */
	int			fail_key;		/* the key fails at this call (1-based; 0: never) */
	int			keys,
				whole_reads,
				part_reads;
	dbk_cl_cache_report last;	/* what cache_report was told */
	int			reports;
} mem_store;

static int	kept,
			dropped;

static char *
dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
load_version(void *ctx, const char *id, dbk_cl_version_row *v, dbk_error *err)
{
	(void) ctx;
	memset(v, 0, sizeof(*v));
	if (strcmp(id, "v1") != 0 && strcmp(id, "v2") != 0)
		return dbk_cl_fail_unknown_version(err, id);
	v->id = dup(id);
	v->codelist = dup("cl");
	v->release = dup("r1");
	v->derived_from = strcmp(id, "v2") == 0 ? dup("v1") : NULL;
	return 0;
}

static int
load_release(void *ctx, const char *name, const char *system, dbk_cl_release_row *r, bool *found,
			 dbk_error *err)
{
	(void) ctx;
	(void) err;
	*found = name ? strcmp(name, "r1") == 0 : strcmp(system, "sys") == 0;
	if (*found)
	{
		r->name = dup("r1");
		r->coding_system = dup("sys");
		r->edges = dup("e");
		r->terms = dup("t");
	}
	return 0;
}

static int
add_codes(dbk_codelist *cl, const char *codes, dbk_error *err)
{
	char		buf[1024];
	char	   *save = NULL;

	snprintf(buf, sizeof(buf), "%s", codes);
	for (char *code = strtok_r(buf, " ", &save); code; code = strtok_r(NULL, " ", &save))
	{
		char	   *status = strtok_r(NULL, " ", &save);

		if (dbk_codelist_add_code(cl, code, strlen(code), status, strlen(status), err) != 0)
			return -1;
	}
	return 0;
}

static int
load_codes(void *ctx, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err)
{
	mem_store  *m = ctx;

	(void) with_searches;
	return add_codes(cl, strcmp(id, "v1") == 0 ? m->codes_v1 : m->codes_v2, err);
}

/* The edges into a new finished release drawing from the C library. */
static int
read_all(mem_store *m, const char *name, dbk_cl_release **out, dbk_error *err)
{
	dbk_cl_release *rel = dbk_cl_release_new(&dbk_libc_allocator, name, NULL, err);
	char		buf[1024];
	char	   *save = NULL;

	*out = NULL;
	if (rel == NULL)
		return -1;
	snprintf(buf, sizeof(buf), "%s", m->edges);
	for (char *e = strtok_r(buf, " ", &save); e; e = strtok_r(NULL, " ", &save))
	{
		char	   *gt = strchr(e, '>');

		if (dbk_cl_release_add_edge(rel, gt + 1, strlen(gt + 1), e, (size_t) (gt - e), err) != 0)
			goto fail;
	}
	if (dbk_cl_release_finish(rel, err) != 0)
		goto fail;
	*out = rel;
	return 0;
fail:
	dbk_cl_release_free(rel);
	return -1;
}

/* The uncached path: reading the whole table is a correct "part". */
static int
read_release(void *ctx, const dbk_cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
			 dbk_cl_release **out, dbk_error *err)
{
	mem_store  *m = ctx;

	(void) version;
	(void) what;
	m->part_reads++;
	return read_all(m, r->name, out, err);
}

static int
edges_key(void *ctx, const dbk_cl_release_row *r, dbk_cl_edges_key *key, dbk_error *err)
{
	mem_store  *m = ctx;

	memset(key, 0, sizeof(*key));
	if (++m->keys == m->fail_key)
		return dbk_fail(err, DBK_E_IO, "the state of edges table \"%s\" could not be read", r->edges);
	if (m->refuse)
	{
		key->why = m->refuse;
		return 0;
	}
	key->ident = dup(r->edges);
	key->ident_len = strlen(r->edges);
	key->stamp = malloc(sizeof(m->state));
	memcpy(key->stamp, &m->state, sizeof(m->state));
	key->stamp_len = sizeof(m->state);
	return 0;
}

static int
read_edges(void *ctx, const dbk_cl_release_row *r, const dbk_cl_edges_key *key,
		   dbk_cl_release **out, void **holder, dbk_error *err)
{
	mem_store  *m = ctx;

	(void) key;
	m->whole_reads++;
	*holder = m;
	if (m->write_during_read)
		m->state++;
	return read_all(m, r->name, out, err);
}

static void
cache_report(void *ctx, const dbk_cl_release_row *r, const dbk_cl_cache_report *report)
{
	mem_store  *m = ctx;

	(void) r;
	m->last = *report;
	m->reports++;
}

static void
free_version(void *ctx, dbk_cl_version_row *v)
{
	(void) ctx;
	free(v->id);
	free(v->codelist);
	free(v->release);
	free(v->derived_from);
}

static void
free_release(void *ctx, dbk_cl_release_row *r)
{
	(void) ctx;
	free(r->name);
	free(r->coding_system);
	free(r->edges);
	free(r->terms);
}

static void
count_keep(dbk_cl_release *rel, void *holder)
{
	(void) rel;
	(void) holder;
	kept++;
}

static void
count_drop(dbk_cl_release *rel, void *holder)
{
	(void) holder;
	dropped++;
	dbk_cl_release_free(rel);
}

static dbk_cl_store
store_of(mem_store *m, dbk_cl_cache *cache)
{
	dbk_cl_store s = {
		.ctx = m,
		.a = &dbk_libc_allocator,
		.cache = cache,
		.load_version = load_version,
		.load_release = load_release,
		.load_codes = load_codes,
		.read_release = read_release,
		.edges_key = edges_key,
		.read_edges = read_edges,
		.cache_report = cache_report,
		.free_version = free_version,
		.free_release = free_release,
	};

	return s;
}

/* A listing as "cell cell ...; cell ...", "_" for NULL; or the error. */
static const char *
rendered(int rc, dbk_cl_listing *l, int columns, const dbk_error *e)
{
	static char out[2048];
	size_t		used = 0;

	out[0] = '\0';
	if (rc != 0)
		snprintf(out, sizeof(out), "error: %s", e->message);
	for (size_t i = 0; rc == 0 && i < dbk_cl_listing_rows(l); i++)
		for (int col = 0; col < columns; col++)
		{
			size_t		len;
			const char *cell = dbk_cl_listing_cell(l, i, col, &len);

			used += (size_t) snprintf(out + used, sizeof(out) - used, "%s%.*s",
									  col ? " " : (i ? "; " : ""), cell ? (int) len : 1,
									  cell ? cell : "_");
		}
	dbk_cl_listing_free(l);
	return out;
}

static const char *
status_of(const dbk_cl_store *s, const char *version)
{
	dbk_cl_listing *l = NULL;
	dbk_error	e = {0};
	int			rc = dbk_cl_status_listing(s, version, &l, &e);

	return rendered(rc, l, DBK_CL_STATUS_COLUMNS, &e);
}

#define CHECK_STR(id, got, want) \
	do { \
		const char *g_ = (got); \
		CHECK(id, strcmp(g_, (want)) == 0); \
		if (strcmp(g_, (want)) != 0) \
			printf("  got:  %s\n  want: %s\n", g_, (want)); \
	} while (0)

#define V1_STATUSES "a +; c -; e (-); h (-); z ?"

static void
test_protocol(void)
{
	mem_store	m = {.edges = EXAMPLE_EDGES, .codes_v1 = "a + c - e ? h (+) z ?"};
	dbk_error	e;
	dbk_cl_cache *c = dbk_cl_cache_new(&dbk_libc_allocator, count_keep, count_drop, &e);
	dbk_cl_store s = store_of(&m, c);

	CHECK_STR("codelist_store/status/stored", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/stored-read-whole-once",
		  m.last.use == DBK_CL_CACHE_STORED && m.whole_reads == 1 && m.part_reads == 0 && kept == 1 &&
		  dbk_cl_cache_count(c) == 1);

	CHECK_STR("codelist_store/status/hit", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/hit-reads-nothing",
		  m.last.use == DBK_CL_CACHE_HIT && m.last.release != NULL && m.whole_reads == 1 &&
		  m.part_reads == 0);

	/* A change committed between two calls: the next key differs. */
	m.state++;
	CHECK_STR("codelist_store/status/after-change", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/after-change-stale-dropped-read-again",
		  m.last.use == DBK_CL_CACHE_STORED && m.whole_reads == 2 && dropped == 1 && kept == 2 &&
		  dbk_cl_cache_count(c) == 1);

	/* A change committed while the table is read: right for the call, never stored. */
	m.write_during_read = true;
	m.state++;
	CHECK_STR("codelist_store/status/changed-while-read", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/changed-while-read-not-stored",
		  m.last.use == DBK_CL_NOT_CACHED && m.last.why && strcmp(m.last.why, "changed while read") == 0 &&
		  dbk_cl_cache_count(c) == 0 && kept == 2 && dropped == 3);
	m.write_during_read = false;
	CHECK_STR("codelist_store/status/then-stored", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/then-stored-use", m.last.use == DBK_CL_CACHE_STORED && kept == 3);

	/* A table the store cannot vouch for: the part the rules need is read, every time. */
	m.refuse = "is a view";
	CHECK_STR("codelist_store/status/refused", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/refused-reads-part",
		  m.last.use == DBK_CL_NOT_CACHED && strcmp(m.last.why, "is a view") == 0 && m.part_reads == 1);
	m.refuse = NULL;

	/* The second key fails: the call fails and nothing it read stays. */
	m.state++;
	m.fail_key = m.keys + 2;
	CHECK_STR("codelist_store/status/second-key-fails", status_of(&s, "v1"),
			  "error: the state of edges table \"e\" could not be read");
	CHECK("codelist_store/status/second-key-fails-keeps-nothing",
		  dbk_cl_cache_count(c) == 0 && kept == 3 && dropped == 5);
	m.fail_key = 0;

	CHECK_STR("codelist_store/status/unknown-version", status_of(&s, "nope"),
			  "error: codelist version \"nope\" does not exist");

	/* Without a cache: the part is read, and the report says not cached, without a reason. */
	s = store_of(&m, NULL);
	CHECK_STR("codelist_store/status/no-cache", status_of(&s, "v1"), V1_STATUSES);
	CHECK("codelist_store/status/no-cache-report",
		  m.last.use == DBK_CL_NOT_CACHED && m.last.why == NULL && m.part_reads == 2);
	CHECK_STR("codelist_store/cache-use-text", dbk_cl_cache_use_text(DBK_CL_CACHE_HIT), "hit");
	dbk_cl_cache_free(c);
}

static void
test_changes(void)
{
	mem_store	m = {.codes_v1 = "a + b (+) c ?", .codes_v2 = "a + c (+) d ?"};
	dbk_cl_store s = store_of(&m, NULL);
	dbk_cl_listing *l = NULL;
	dbk_error	e = {0};
	int			rc = dbk_cl_changes_listing(&s, "v2", &l, &e);
	size_t		len = 99;

	CHECK("codelist_store/listing/out-of-range",
		  rc == 0 && dbk_cl_listing_cell(l, 0, DBK_CL_CHANGES_COLUMNS, &len) == NULL && len == 0 &&
		  dbk_cl_listing_cell(l, dbk_cl_listing_rows(l), 0, &len) == NULL);
	CHECK_STR("codelist_store/changes", rendered(rc, l, DBK_CL_CHANGES_COLUMNS, &e),
			  "b _ (+) removed; c (+) ? changed; d ? _ new");
	rc = dbk_cl_changes_listing(&s, "v1", &l, &e);
	CHECK_STR("codelist_store/changes/first-version", rendered(rc, l, DBK_CL_CHANGES_COLUMNS, &e),
			  "a + _ new; b (+) _ new; c ? _ new");
}

int
main(void)
{
	test_protocol();
	test_changes();
	return unit_exit();
}
