/*
 * codelist_store.c — the new-draft, status and changes workflows over a
 * dbk_cl_store, and the listings the table-valued functions return; see
 * codelist_store.h.
 */
#include "codelist_store.h"

#include "codelist_cache.h"

#include <string.h>

static void
free_version(const dbk_cl_store *s, dbk_cl_version_row *v)
{
	if (s->free_version)
		s->free_version(s->ctx, v);
	memset(v, 0, sizeof(*v));
}

static void
free_release(const dbk_cl_store *s, dbk_cl_release_row *r)
{
	if (s->free_release)
		s->free_release(s->ctx, r);
	memset(r, 0, sizeof(*r));
}

int
dbk_cl_version_release(const dbk_cl_store *s, const dbk_cl_version_row *v, dbk_cl_release_row *r,
					   dbk_error *err)
{
	bool		found = false;

	if (s->load_release(s->ctx, v->release, NULL, r, &found, err) != 0)
		return -1;
	return found ? 0 : dbk_cl_fail_missing_release(err, v->id, v->release);
}

/* A new, unique id: "<codelist>@<release>", then "#2", "#3", ... */
static int
choose_id(const dbk_cl_store *s, const dbk_cl_version_row *v, const dbk_cl_release_row *target,
		  char *id, size_t idcap, dbk_error *err)
{
	for (unsigned attempt = 1;; attempt++)
	{
		bool		taken;

		if (dbk_cl_draft_id(id, idcap, v->codelist, target->name, attempt, err) != 0 ||
			s->id_taken(s->ctx, id, &taken, err) != 0)
			return -1;
		if (!taken)
			return 0;
	}
}

int
dbk_cl_new_draft(const dbk_cl_store *s, const char *version, const char *author,
				 const char *release, char *id, size_t idcap, dbk_error *err)
{
	dbk_cl_version_row v = {0};
	dbk_cl_release_row own = {0},
				target = {0};
	dbk_codelist *cl = NULL,
			   *draft = NULL;
	dbk_cl_release *rel = NULL;
	bool		found = false;
	int			rc = -1;

	if (s->load_version(s->ctx, version, &v, err) != 0 ||
		dbk_cl_version_release(s, &v, &own, err) != 0 ||
		s->load_release(s->ctx, release, own.coding_system, &target, &found, err) != 0)
		goto cleanup;
	if (!found)
	{
		/* Without a release argument the version's own release is a candidate. */
		dbk_cl_fail_unknown_release(err, release ? release : own.name);
		goto cleanup;
	}
	if (strcmp(target.coding_system, own.coding_system) != 0)
	{
		dbk_cl_fail_other_system(err, target.name, target.coding_system, v.id, own.coding_system);
		goto cleanup;
	}
	if ((cl = dbk_codelist_new(s->a, err)) == NULL ||
		s->load_codes(s->ctx, v.id, true, cl, err) != 0 ||
		s->read_release(s->ctx, &target, cl, DBK_CL_WALK_DRAFT, &rel, err) != 0 ||
		dbk_cl_regenerate(rel, cl, &draft, err) != 0)
		goto cleanup;
	dbk_cl_release_free(rel);	/* its memory back before writing */
	rel = NULL;
	if (choose_id(s, &v, &target, id, idcap, err) != 0 ||
		s->write_draft(s->ctx, id, &v, &target, author, draft, err) != 0)
		goto cleanup;
	rc = 0;

cleanup:
	dbk_codelist_free(draft);
	dbk_cl_release_free(rel);
	dbk_codelist_free(cl);
	free_release(s, &target);
	free_release(s, &own);
	free_version(s, &v);
	return rc;
}

/* ---- listings ------------------------------------------------------------ */

struct dbk_cl_listing
{
	const dbk_allocator *a;
	int			columns;
	dbk_codelist *codes;		/* status: the result; changes: the draft */
	dbk_codelist *previous;		/* changes: the version the draft came from */
	dbk_cl_change *changes;
	size_t		n;
};

static dbk_cl_listing *
listing_new(const dbk_allocator *a, int columns, dbk_error *err)
{
	dbk_cl_listing *l = dbk_alloc(a, sizeof(*l));

	if (l == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory listing codes");
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	l->a = a;
	l->columns = columns;
	return l;
}

void
dbk_cl_listing_free(dbk_cl_listing *l)
{
	if (l == NULL)
		return;
	dbk_codelist_free(l->codes);
	dbk_codelist_free(l->previous);
	dbk_free(l->a, l->changes);
	dbk_free(l->a, l);
}

size_t
dbk_cl_listing_rows(const dbk_cl_listing *l)
{
	return l->n;
}

/* A status as a cell: its text, NULL for none. */
static const char *
status_cell(dbk_cl_status st, size_t *len)
{
	const char *t = st == DBK_CL_NONE ? NULL : dbk_cl_status_text(st);

	*len = t ? strlen(t) : 0;
	return t;
}

const char *
dbk_cl_listing_cell(const dbk_cl_listing *l, size_t row, int col, size_t *len)
{
	const dbk_cl_change *ch;

	*len = 0;
	if (row >= l->n || col < 0 || col >= l->columns)
		return NULL;
	if (l->changes == NULL)
		return col == 0 ? dbk_codelist_code(l->codes, row, len)
			: status_cell(dbk_codelist_status(l->codes, row), len);
	ch = &l->changes[row];
	switch (col)
	{
		case 0:
			*len = ch->len;
			return ch->code;
		case 1:
			return status_cell(ch->status, len);
		case 2:
			return status_cell(ch->previous, len);
		default:
			*len = strlen(dbk_cl_change_text(ch->change));
			return dbk_cl_change_text(ch->change);
	}
}

const char *
dbk_cl_cache_use_text(dbk_cl_cache_use use)
{
	switch (use)
	{
		case DBK_CL_CACHE_HIT:
			return "hit";
		case DBK_CL_CACHE_STORED:
			return "stored";
		default:
			return "not cached";
	}
}

/* ---- dbkeeper_codelist_status ---------------------------------------------- */

int
dbk_cl_status_listing(const dbk_cl_store *s, const char *version, dbk_cl_listing **out,
					  dbk_error *err)
{
	dbk_cl_version_row v = {0};
	dbk_cl_release_row own = {0};
	dbk_codelist *cl = NULL;
	dbk_cl_release *rel = NULL;
	dbk_cl_fetched cached = {0};
	dbk_cl_listing *l;
	int			rc = -1;

	*out = NULL;
	cached.report.use = DBK_CL_NOT_CACHED;
	if ((l = listing_new(s->a, DBK_CL_STATUS_COLUMNS, err)) == NULL)
		return -1;
	if (s->load_version(s->ctx, version, &v, err) != 0 ||
		dbk_cl_version_release(s, &v, &own, err) != 0 ||
		(cl = dbk_codelist_new(s->a, err)) == NULL ||
		s->load_codes(s->ctx, v.id, false, cl, err) != 0)
		goto cleanup;
	if (s->cache != NULL && dbk_cl_cache_fetch(s, &own, &cached, err) != 0)
		goto cleanup;
	if (cached.rel != NULL)
	{
		/* A kept release is only read: the result and the work use the call's memory. */
		if (dbk_cl_recompute_with(s->a, cached.rel, cl, &l->codes, err) != 0)
			goto cleanup;
	}
	else if (s->read_release(s->ctx, &own, cl, DBK_CL_WALK_RULES, &rel, err) != 0 ||
			 dbk_cl_recompute(rel, cl, &l->codes, err) != 0)
		goto cleanup;
	l->n = dbk_codelist_count(l->codes);
	if (s->cache_report)
		s->cache_report(s->ctx, &own, &cached.report);
	*out = l;
	l = NULL;
	rc = 0;

cleanup:
	if (s->cache != NULL)
		dbk_cl_cache_discard(s->cache, &cached);
	dbk_cl_listing_free(l);
	dbk_cl_release_free(rel);
	dbk_codelist_free(cl);
	free_release(s, &own);
	free_version(s, &v);
	return rc;
}

/* ---- dbkeeper_codelist_changes --------------------------------------------- */

int
dbk_cl_changes_listing(const dbk_cl_store *s, const char *draft_id, dbk_cl_listing **out,
					   dbk_error *err)
{
	dbk_cl_version_row v = {0};
	dbk_cl_listing *l;
	int			rc = -1;

	*out = NULL;
	if ((l = listing_new(s->a, DBK_CL_CHANGES_COLUMNS, err)) == NULL)
		return -1;
	if (s->load_version(s->ctx, draft_id, &v, err) != 0 ||
		(l->codes = dbk_codelist_new(s->a, err)) == NULL ||
		s->load_codes(s->ctx, v.id, false, l->codes, err) != 0)
		goto cleanup;
	if (v.derived_from &&
		((l->previous = dbk_codelist_new(s->a, err)) == NULL ||
		 s->load_codes(s->ctx, v.derived_from, false, l->previous, err) != 0))
		goto cleanup;
	if (dbk_cl_changes(s->a, l->previous, l->codes, &l->changes, &l->n, err) != 0)
		goto cleanup;
	*out = l;
	l = NULL;
	rc = 0;

cleanup:
	dbk_cl_listing_free(l);
	free_version(s, &v);
	return rc;
}
