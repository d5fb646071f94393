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
	cl_store_ctx sc = {db, NULL, NULL};
	dbk_cl_store store = dbk_sqlite_cl_store_of(&sc);
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
	dbk_cl_listing *listing;
	int			columns;		/* the listing's */
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

	dbk_cl_listing_free(c->listing);
	c->listing = NULL;
	c->cache = NULL;
}

/* dbkeeper_codelist_status: the version's codes, recomputed over its release. */
static int
compute_status(cl_vtab *vt, const char *version, cl_cursor *c, dbk_error *err)
{
	cl_store_ctx sc = {vt->base.db, vt, NULL};
	dbk_cl_store store = dbk_sqlite_cl_store_of(&sc);

	if (dbk_sqlite_cl_cache_of(vt, &store.cache, err) != 0 ||
		dbk_cl_status_listing(&store, version, &c->listing, err) != 0)
		return -1;
	c->columns = DBK_CL_STATUS_COLUMNS;
	c->cache = sc.how;
	c->base.n = dbk_cl_listing_rows(c->listing);
	return 0;
}

/* dbkeeper_codelist_changes: the draft against the version it came from. */
static int
compute_changes(sqlite3 *db, const char *draft, cl_cursor *c, dbk_error *err)
{
	cl_store_ctx sc = {db, NULL, NULL};
	dbk_cl_store store = dbk_sqlite_cl_store_of(&sc);

	if (dbk_cl_changes_listing(&store, draft, &c->listing, err) != 0)
		return -1;
	c->columns = DBK_CL_CHANGES_COLUMNS;
	c->base.n = dbk_cl_listing_rows(c->listing);
	return 0;
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

/* A cell of the listing, text or NULL; status's hidden column says how the release was had. */
static void
listing_column(dbk_tvf_cursor *cur, sqlite3_context *ctx, int col)
{
	cl_cursor  *c = (cl_cursor *) cur;
	size_t		len;
	const char *cell;

	if (col >= c->columns)
	{
		if (c->columns == DBK_CL_STATUS_COLUMNS && col == STATUS_CACHE)
			sqlite3_result_text(ctx, c->cache, -1, SQLITE_STATIC);
		return;
	}
	cell = dbk_cl_listing_cell(c->listing, cur->row, col, &len);
	if (cell == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, cell, (int) len, SQLITE_TRANSIENT);
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
	.column = listing_column,
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
	.column = listing_column,
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
