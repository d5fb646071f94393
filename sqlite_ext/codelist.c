/*
 * codelist.c — codelist draft regeneration for SQLite (README "Codelists";
 * the rule and the steps live in core/codelist/codelist.c).
 *
 *   SELECT dbkeeper_codelist_init();                       → tables created (0..4)
 *   SELECT * FROM dbkeeper_codelist_status('v1');          → code, status
 *   SELECT dbkeeper_codelist_new_draft('v1', 'ana' [, 'snomed_20240701']);
 *                                                          → the new draft's id
 *   SELECT * FROM dbkeeper_codelist_changes('v1@snomed_20240701');
 *                                                          → code, status, previous_status, change
 *
 * The four tables live in the main database and are created by
 * dbkeeper_codelist_init(), which every codelist function calls first when
 * one is missing; as on PostgreSQL, a trigger deletes a version's codes and
 * searches with it (no foreign key: checking one per inserted code would
 * cost a third of a draft where foreign keys are on).  A release's edges and terms tables (or views) are named in
 * its row, optionally schema-qualified to live in an ATTACHed database
 * ("snomed_20240101.edges"; double quotes for names with dots); they are
 * checked for existence and columns before they are read, and queried with
 * the names quoted.
 *
 * dbkeeper_codelist_status keeps the releases it compiled in the
 * connection's instance of its virtual table and reuses one while its edges
 * table is provably unchanged (codelist_cache.c).  The tables and the
 * parser of table names are in codelist_tables.c, the reading of rows and
 * releases and the core's store in codelist_read.c.
 *
 * Everything runs on the caller's connection, in the caller's transaction;
 * dbkeeper_codelist_new_draft writes inside a savepoint, so that it writes a
 * whole draft or nothing.  All four are SQLITE_DIRECTONLY: they may create
 * tables and read any table a release row names, which a view or trigger
 * planted in an untrusted database must not be able to make them do.
 */
#include "codelist.h"

SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

/* ---- dbkeeper_codelist_init ---------------------------------------------- */

static void
codelist_init_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_error	err;
	int			created;

	(void) argc;
	(void) argv;
	if (dbk_sqlite_cl_init(sqlite3_context_db_handle(ctx), &created, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_int(ctx, created);
}

/* ---- dbkeeper_codelist_new_draft ----------------------------------------- */

static const char *
arg_text(sqlite3_value *v)
{
	return (const char *) sqlite3_value_text(v);
}

static void
codelist_new_draft_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *version = arg_text(argv[0]);
	const char *author = arg_text(argv[1]);
	const char *release = argc > 2 ? arg_text(argv[2]) : NULL;
	char		id[1024];
	dbk_cl_store store = dbk_sqlite_cl_store_of(db);
	dbk_error	err;

	if (version == NULL || author == NULL)
	{
		dbk_cl_fail_null(&err, version == NULL ? "version" : "author");
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (sqlite3_exec(db, "SAVEPOINT dbkeeper_codelist_new_draft", NULL, NULL, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(&err, db, "starting a savepoint");
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (dbk_sqlite_cl_init(db, NULL, &err) != 0 || dbk_cl_new_draft(&store, version, author, release, id, sizeof(id), &err) != 0)
	{
		sqlite3_exec(db, "ROLLBACK TO dbkeeper_codelist_new_draft; RELEASE dbkeeper_codelist_new_draft",
					 NULL, NULL, NULL);
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (sqlite3_exec(db, "RELEASE dbkeeper_codelist_new_draft", NULL, NULL, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(&err, db, "committing the draft");
		sqlite3_exec(db, "ROLLBACK TO dbkeeper_codelist_new_draft; RELEASE dbkeeper_codelist_new_draft",
					 NULL, NULL, NULL);
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	sqlite3_result_text(ctx, id, -1, SQLITE_TRANSIENT);
}

/* ---- the table-valued functions ------------------------------------------ */

/*
 * dbkeeper_codelist_status(version) and dbkeeper_codelist_changes(draft):
 * eponymous virtual tables with one hidden argument column.  The whole
 * result is computed when a scan starts and kept in the cursor.
 */

typedef struct cl_cursor
{
	dbk_tvf_cursor base;
	dbk_codelist *rows;			/* status: the result; changes: the draft */
	dbk_codelist *previous;		/* changes: the version it was derived from */
	dbk_cl_change *changes;
	const char *cache;			/* status: how the release was had (hidden column) */
} cl_cursor;

#define STATUS_ARG 2			/* column index of the hidden argument */
#define STATUS_CACHE 3			/* hidden: "hit", "stored" or "not cached" */
#define CHANGES_ARG 4

/* The epoch statement must be finalized here: see tvf.c. */
static void
cl_disconnect(dbk_tvf *vt)
{
	cl_vtab    *v = (cl_vtab *) vt;

	dbk_cl_cache_free(v->cache);
	sqlite3_finalize(v->epoch);
}

static void
cl_clear(dbk_tvf_cursor *cur)
{
	cl_cursor  *c = (cl_cursor *) cur;

	dbk_codelist_free(c->rows);
	dbk_codelist_free(c->previous);
	sqlite3_free(c->changes);
	c->rows = c->previous = NULL;
	c->changes = NULL;
	c->cache = NULL;
}

/* dbkeeper_codelist_status: the version's codes, recomputed over its release. */
static int
compute_status(cl_vtab *vt, const char *version, cl_cursor *c, dbk_error *err)
{
	sqlite3    *db = vt->base.db;
	cl_version	v = {0};
	cl_release_row own = {0};
	dbk_codelist *cl = NULL;
	dbk_cl_release *rel = NULL;
	const dbk_cl_release *whole = NULL;
	bool		owned = false;
	int			rc = -1;

	dbk_cl_store store = dbk_sqlite_cl_store_of(db);

	if (dbk_sqlite_cl_load_version(db, version, &v, err) != 0 || dbk_cl_version_release(&store, &v, &own, err) != 0)
		goto cleanup;
	cl = dbk_codelist_new(&dbk_sqlite_allocator, err);
	if (cl == NULL || dbk_sqlite_cl_load_codes(db, v.id, false, cl, err) != 0)
		goto cleanup;
	if (dbk_sqlite_cl_cached_release(vt, &own, &whole, &owned, &c->cache, err) != 0)
		goto cleanup;
	if (owned)
		rel = (dbk_cl_release *) whole;
	if (whole != NULL)
	{
		if (dbk_cl_recompute_with(&dbk_sqlite_allocator, whole, cl, &c->rows, err) != 0)
			goto cleanup;
	}
	else if (dbk_sqlite_cl_read_release_for(db, &own, cl, DBK_CL_WALK_RULES, &rel, err) != 0 ||
			 dbk_cl_recompute(rel, cl, &c->rows, err) != 0)
		goto cleanup;
	c->base.n = dbk_codelist_count(c->rows);
	rc = 0;

cleanup:
	dbk_cl_release_free(rel);
	dbk_codelist_free(cl);
	dbk_sqlite_cl_release_clear(&own);
	dbk_sqlite_cl_version_clear(&v);
	return rc;
}

/* dbkeeper_codelist_changes: the draft against the version it came from. */
static int
compute_changes(sqlite3 *db, const char *draft, cl_cursor *c, dbk_error *err)
{
	dbk_cl_store store = dbk_sqlite_cl_store_of(db);

	return dbk_cl_changes_of(&store, draft, &c->rows, &c->previous, &c->changes, &c->base.n, err);
}

/* The argument is required: without it, say how to call the function. */
static int
no_argument(const char *argument, const char *function, dbk_error *err)
{
	dbk_cl_fail_null(err, argument);
	dbk_error_hint(err, "Call it as %s('<version id>').", function);
	return -1;
}

static int
status_filter(dbk_tvf_cursor *cur, const char *version, dbk_error *err)
{
	cl_vtab    *vt = (cl_vtab *) cur->base.pVtab;

	if (version == NULL)
		return no_argument("version", "dbkeeper_codelist_status", err);
	if (dbk_sqlite_cl_init(vt->base.db, NULL, err) != 0)
		return -1;
	return compute_status(vt, version, (cl_cursor *) cur, err);
}

static int
changes_filter(dbk_tvf_cursor *cur, const char *draft, dbk_error *err)
{
	dbk_tvf    *vt = (dbk_tvf *) cur->base.pVtab;

	if (draft == NULL)
		return no_argument("draft", "dbkeeper_codelist_changes", err);
	if (dbk_sqlite_cl_init(vt->db, NULL, err) != 0)
		return -1;
	return compute_changes(vt->db, draft, (cl_cursor *) cur, err);
}

static void
result_status(sqlite3_context *ctx, dbk_cl_status s)
{
	if (s == DBK_CL_NONE)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, dbk_cl_status_text(s), -1, SQLITE_STATIC);
}

static void
status_column(dbk_tvf_cursor *cur, sqlite3_context *ctx, int col)
{
	cl_cursor  *c = (cl_cursor *) cur;
	size_t		len;
	const char *code = dbk_codelist_code(c->rows, cur->row, &len);

	if (col == 0)
		sqlite3_result_text(ctx, code, (int) len, SQLITE_TRANSIENT);
	else if (col == 1)
		result_status(ctx, dbk_codelist_status(c->rows, cur->row));
	else if (col == STATUS_CACHE)
		sqlite3_result_text(ctx, c->cache, -1, SQLITE_STATIC);
}

static void
changes_column(dbk_tvf_cursor *cur, sqlite3_context *ctx, int col)
{
	const dbk_cl_change *ch = &((cl_cursor *) cur)->changes[cur->row];

	switch (col)
	{
		case 0:
			sqlite3_result_text(ctx, ch->code, (int) ch->len, SQLITE_TRANSIENT);
			break;
		case 1:
			result_status(ctx, ch->status);
			break;
		case 2:
			result_status(ctx, ch->previous);
			break;
		case 3:
			sqlite3_result_text(ctx, dbk_cl_change_text(ch->change), -1, SQLITE_STATIC);
			break;
	}
}

static const dbk_tvf_def status_def = {
	.name = "dbkeeper_codelist_status",
	.declare = "CREATE TABLE x(code TEXT, status TEXT, version TEXT HIDDEN, cache TEXT HIDDEN)",
	.arg_column = STATUS_ARG,
	.arg_required = true,
	.rows = 20000,
	.vtab_size = sizeof(cl_vtab),
	.cursor_size = sizeof(cl_cursor),
	.filter = status_filter,
	.column = status_column,
	.clear = cl_clear,
	.disconnect = cl_disconnect,
};

static const dbk_tvf_def changes_def = {
	.name = "dbkeeper_codelist_changes",
	.declare = "CREATE TABLE x(code TEXT, status TEXT, previous_status TEXT, change TEXT, draft TEXT HIDDEN)",
	.arg_column = CHANGES_ARG,
	.arg_required = true,
	.rows = 20000,
	.cursor_size = sizeof(cl_cursor),
	.filter = changes_filter,
	.column = changes_column,
	.clear = cl_clear,
};

int
dbk_sqlite_register_codelist(sqlite3 *db, dbk_sqlite_state *st)
{
	int			rc;

	rc = dbk_sqlite_create(db, "dbkeeper_codelist_init", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
						   codelist_init_fn, st);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_codelist_new_draft", 2, 3, DBK_SQLITE_SIDE_EFFECTS,
							   codelist_new_draft_fn, st);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_register_tvf(db, &status_def, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_register_tvf(db, &changes_def, NULL, NULL);
	return rc;
}
