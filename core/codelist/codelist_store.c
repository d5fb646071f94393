/*
 * codelist_store.c — the new-draft and changes workflows over a
 * dbk_cl_store; see codelist_store.h.
 */
#include "codelist_store.h"

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

int
dbk_cl_changes_of(const dbk_cl_store *s, const char *draft_id, dbk_codelist **draft,
				  dbk_codelist **previous, dbk_cl_change **rows, size_t *nrows, dbk_error *err)
{
	dbk_cl_version_row v = {0};
	int			rc = -1;

	*draft = *previous = NULL;
	*rows = NULL;
	*nrows = 0;
	if (s->load_version(s->ctx, draft_id, &v, err) != 0 ||
		(*draft = dbk_codelist_new(s->a, err)) == NULL ||
		s->load_codes(s->ctx, v.id, false, *draft, err) != 0)
		goto cleanup;
	if (v.derived_from &&
		((*previous = dbk_codelist_new(s->a, err)) == NULL ||
		 s->load_codes(s->ctx, v.derived_from, false, *previous, err) != 0))
		goto cleanup;
	if (dbk_cl_changes(s->a, *previous, *draft, rows, nrows, err) != 0)
		goto cleanup;
	rc = 0;

cleanup:
	free_version(s, &v);
	return rc;
}
