/*
 * codelist_read.c — reading the codelist tables' rows and a release's edges
 * and terms tables for SQLite, and the store (core/codelist/codelist_store.h) through
 * which the core's workflow reads and writes them.
 */
#include "codelist.h"

SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

void
dbk_sqlite_cl_version_clear(cl_version *v)
{
	sqlite3_free(v->id);
	sqlite3_free(v->codelist);
	sqlite3_free(v->release);
	sqlite3_free(v->derived_from);
	memset(v, 0, sizeof(*v));
}

void
dbk_sqlite_cl_release_clear(cl_release_row *r)
{
	sqlite3_free(r->name);
	sqlite3_free(r->coding_system);
	sqlite3_free(r->edges);
	sqlite3_free(r->terms);
	memset(r, 0, sizeof(*r));
}

char *
dbk_sqlite_cl_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? sqlite3_mprintf("%s", t) : NULL;
}

/* Whether sql, given arg as ?1, returns a row; doing names the step in an error. */
int
dbk_sqlite_cl_exists(sqlite3 *db, const char *sql, const char *arg, bool *exists, const char *doing,
					 dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;

	*exists = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, doing);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, doing);
	*exists = rc == SQLITE_ROW;
	return 0;
}

/* SQLite's error in reading a release's table, naming the table and the release. */
int
dbk_sqlite_cl_fail_read(dbk_error *err, sqlite3 *db, const cl_release_row *r, const char *which,
						const char *spec)
{
	dbk_sqlite_fail(err, db, "reading a release table");
	dbk_error_prefix(err, "%s table \"%s\" of release \"%s\": ", which, spec, r->name);
	return -1;
}

/* ---- reading the rows of dbkeeper's own tables --------------------------- */

int
dbk_sqlite_cl_load_version(sqlite3 *db, const char *id, cl_version *v, dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;

	memset(v, 0, sizeof(*v));
	if (sqlite3_prepare_v2(db, "SELECT id, codelist, release, derived_from "
						   "FROM main.dbkeeper_codelist_version WHERE id = ?1",
						   -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_version");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		v->id = dbk_sqlite_cl_column_dup(st, 0);
		v->codelist = dbk_sqlite_cl_column_dup(st, 1);
		v->release = dbk_sqlite_cl_column_dup(st, 2);
		v->derived_from = dbk_sqlite_cl_column_dup(st, 3);
		rc = (v->id && v->codelist && v->release) ? SQLITE_OK : SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return dbk_cl_fail_unknown_version(err, id);
	if (rc != SQLITE_OK)
	{
		dbk_sqlite_cl_version_clear(v);
		return rc == SQLITE_NOMEM ? dbk_fail(err, DBK_E_NOMEM, "out of memory")
			: dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_version");
	}
	return 0;
}

/*
 * The release row named name, or with name NULL the newest release (by
 * valid_from, then name) of coding_system.  *found says whether there is one.
 */
static int
load_release(sqlite3 *db, const char *name, const char *coding_system, cl_release_row *r,
			 bool *found, dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	const char *sql = name
		? "SELECT name, coding_system, edges, terms FROM main.dbkeeper_codelist_release "
		"WHERE name = ?1"
		: "SELECT name, coding_system, edges, terms FROM main.dbkeeper_codelist_release "
		"WHERE coding_system = ?1 " DBK_CL_NEWEST_RELEASE("");

	memset(r, 0, sizeof(*r));
	*found = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_release");
	sqlite3_bind_text(st, 1, name ? name : coding_system, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		r->name = dbk_sqlite_cl_column_dup(st, 0);
		r->coding_system = dbk_sqlite_cl_column_dup(st, 1);
		r->edges = dbk_sqlite_cl_column_dup(st, 2);
		r->terms = dbk_sqlite_cl_column_dup(st, 3);
		rc = (r->name && r->coding_system && r->edges && r->terms) ? SQLITE_OK : SQLITE_NOMEM;
		*found = true;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_OK)
	{
		dbk_sqlite_cl_release_clear(r);
		return rc == SQLITE_NOMEM ? dbk_fail(err, DBK_E_NOMEM, "out of memory")
			: dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_release");
	}
	return 0;
}

/* The codes of version id into cl, and its searches when with_searches. */
int
dbk_sqlite_cl_load_codes(sqlite3 *db, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;

	if (sqlite3_prepare_v2(db, "SELECT code, status FROM main.dbkeeper_codelist_code WHERE version = ?1",
						   -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_code");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *code = (const char *) sqlite3_column_text(st, 0);
		int			clen = sqlite3_column_bytes(st, 0);
		const char *status = (const char *) sqlite3_column_text(st, 1);
		int			slen = sqlite3_column_bytes(st, 1);

		if (dbk_codelist_add_code(cl, code ? code : "", (size_t) clen, status ? status : "",
								  (size_t) slen, err) != 0)
		{
			sqlite3_finalize(st);
			dbk_cl_fail_in_version(err, id);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_code");
	if (!with_searches)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT term, code FROM main.dbkeeper_codelist_search WHERE version = ?1",
						   -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_search");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *term = (const char *) sqlite3_column_text(st, 0);
		const char *code = (const char *) sqlite3_column_text(st, 1);

		if (dbk_codelist_add_search(cl, term, (size_t) sqlite3_column_bytes(st, 0), code,
									(size_t) sqlite3_column_bytes(st, 1), err) != 0)
		{
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_search");
	return 0;
}

/* ---- reading a release's edges and terms --------------------------------- */

/*
 * Checks that the release's table `spec` exists with the columns code and
 * `other`, and prepares "SELECT code, other FROM it".
 */
int
dbk_sqlite_cl_prepare_release_table(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
					   const char *other, bool by_parent, sqlite3_stmt **out, dbk_error *err)
{
	char	   *schema = NULL,
			   *table = NULL,
			   *sql = NULL;
	sqlite3_stmt *st = NULL;
	bool		has_code = false,
				has_other = false,
				any = false;
	int			rc = -1;

	*out = NULL;
	if (!dbk_sqlite_cl_parse_table_name(spec, &schema, &table))
	{
		dbk_cl_fail_bad_table_name(err, r->name, which, spec);
		goto cleanup;
	}
	if (schema && sqlite3_db_filename(db, schema) == NULL)
	{
		dbk_cl_fail_missing_table(err, r->name, which, spec);
		dbk_error_detail(err, "No database named \"%s\" is attached.", schema);
		goto cleanup;
	}
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, db, "reading the columns of a release table");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
	{
		const char *col = (const char *) sqlite3_column_text(st, 0);

		any = true;
		has_code |= col && sqlite3_stricmp(col, "code") == 0;
		has_other |= col && sqlite3_stricmp(col, other) == 0;
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, db, "reading the columns of a release table");
		goto cleanup;
	}
	if (!any)
	{
		dbk_cl_fail_missing_table(err, r->name, which, spec);
		goto cleanup;
	}
	if (!has_code || !has_other)
	{
		dbk_cl_fail_missing_column(err, r->name, which, spec, has_code ? other : "code");
		goto cleanup;
	}
	sql = schema ? sqlite3_mprintf("SELECT \"code\", \"%w\" FROM \"%w\".\"%w\"%s", other, schema, table,
								   by_parent ? " WHERE \"parent\" = ?1" : "")
		: sqlite3_mprintf("SELECT \"code\", \"%w\" FROM \"%w\"%s", other, table,
						  by_parent ? " WHERE \"parent\" = ?1" : "");
	if (sql == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto cleanup;
	}
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
	{
		dbk_sqlite_cl_fail_read(err, db, r, which, spec);
		goto cleanup;
	}
	rc = 0;

cleanup:
	sqlite3_free(schema);
	sqlite3_free(table);
	sqlite3_free(sql);
	return rc;
}


/* Feeds every row of statement st (code, other) to fn, and finalizes st. */
int
dbk_sqlite_cl_feed_rows(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
		  sqlite3_stmt *st, dbk_cl_release *rel, row_fn fn, dbk_error *err)
{
	int			rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *code = (const char *) sqlite3_column_text(st, 0);
		size_t		clen = (size_t) sqlite3_column_bytes(st, 0);
		const char *value = (const char *) sqlite3_column_text(st, 1);
		size_t		vlen = (size_t) sqlite3_column_bytes(st, 1);

		if (code == NULL)
		{
			sqlite3_finalize(st);
			return dbk_cl_fail_null_code(err, r->name, which, spec);
		}
		if (fn(rel, code, clen, value, vlen, err) != 0)
		{
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
	{
		return dbk_sqlite_cl_fail_read(err, db, r, which, spec);
	}
	return 0;
}

/* Feeds every row of the release table to fn. */
static int
read_release_table(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
				   const char *other, dbk_cl_release *rel, row_fn fn, dbk_error *err)
{
	sqlite3_stmt *st;

	if (dbk_sqlite_cl_prepare_release_table(db, r, which, spec, other, false, &st, err) != 0)
		return -1;
	return dbk_sqlite_cl_feed_rows(db, r, which, spec, st, rel, fn, err);
}

/*
 * The release's hierarchy; its terms are read too when with_terms (the
 * codes that only have a term, and the term searches of `searches`).
 */
static int
read_release(sqlite3 *db, const cl_release_row *r, bool with_terms, const dbk_codelist *searches,
			 dbk_cl_release **out, dbk_error *err)
{
	dbk_cl_release *rel = dbk_cl_release_new(&dbk_sqlite_allocator, r->name, searches, err);

	*out = NULL;
	if (rel == NULL)
		return -1;
	/* Check both tables before reading either, so a bad name fails fast. */
	if (with_terms)
	{
		sqlite3_stmt *st;

		if (dbk_sqlite_cl_prepare_release_table(db, r, "terms", r->terms, "term", false, &st, err) != 0)
			goto fail;
		sqlite3_finalize(st);
	}
	if (read_release_table(db, r, "edges", r->edges, "parent", rel, dbk_cl_release_add_edge, err) != 0)
		goto fail;
	if (with_terms &&
		read_release_table(db, r, "terms", r->terms, "term", rel, dbk_cl_release_add_term, err) != 0)
		goto fail;
	if (dbk_cl_release_finish(rel, err) != 0)
		goto fail;
	*out = rel;
	return 0;

fail:
	dbk_cl_release_free(rel);
	return -1;
}

/*
 * Statuses need only what lies below the ruled codes (core/codelist/codelist.h,
 * dbk_cl_release_walk_down).  When SQLite would answer "WHERE parent = ?"
 * from an index, asking for the children of each code reached is much
 * cheaper than reading every edge of the release.
 */
typedef struct walk_ctx
{
	sqlite3_stmt *children;		/* SELECT code, parent FROM edges WHERE parent = ?1 */
	sqlite3_stmt *exists;		/* SELECT code FROM (SELECT code, parent FROM edges) WHERE code = ?1 */
	const cl_release_row *r;
} walk_ctx;

/*
 * A release's codes are its values as text, as the full read sees them.  The
 * index path asks "= ?1", which a column's affinity makes match more: 123 in
 * an INTEGER column equals '0123', '+123', ' 123' and '123.0'.  So a row
 * found counts only when its value, as text, is the code asked for.
 */
static bool
same_text(sqlite3_stmt *st, int col, const char *code, size_t len)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return v != NULL && (size_t) sqlite3_column_bytes(st, col) == len && memcmp(v, code, len) == 0;
}

static bool
uses_index(sqlite3 *db, sqlite3_stmt *st)
{
	char	   *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	sqlite3_stmt *plan = NULL;
	bool		indexed = false;

	if (sql && sqlite3_prepare_v2(db, sql, -1, &plan, NULL) == SQLITE_OK)
		while (sqlite3_step(plan) == SQLITE_ROW)
		{
			const char *detail = (const char *) sqlite3_column_text(plan, 3);

			indexed |= detail && strncmp(detail, "SEARCH ", 7) == 0 && strstr(detail, "INDEX") != NULL;
		}
	sqlite3_finalize(plan);
	sqlite3_free(sql);
	return indexed;
}

static int
sqlite_children(void *ctx, dbk_cl_release *rel, const char *const *codes, const size_t *lens,
				size_t n, dbk_error *err)
{
	walk_ctx   *w = ctx;
	sqlite3_stmt *st = w->children;

	for (size_t i = 0; i < n; i++)
	{
		int			rc;

		sqlite3_bind_text(st, 1, codes[i], (int) lens[i], SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		{
			const char *code = (const char *) sqlite3_column_text(st, 0);

			if (code == NULL)
			{
				sqlite3_reset(st);
				return dbk_cl_fail_null_code(err, w->r->name, "edges", w->r->edges);
			}
			if (!same_text(st, 1, codes[i], lens[i]))
				continue;
			/* the code's text again: same_text may have converted column 1 only */
			code = (const char *) sqlite3_column_text(st, 0);
			if (dbk_cl_release_add_edge(rel, code, (size_t) sqlite3_column_bytes(st, 0), codes[i],
										lens[i], err) != 0)
			{
				sqlite3_reset(st);
				return -1;
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
		{
			return dbk_sqlite_cl_fail_read(err, sqlite3_db_handle(st), w->r, "edges", w->r->edges);
		}
	}
	return 0;
}

/* exists: the asked codes that are a code of the edges (a parent would have shown). */
static int
sqlite_exists(void *ctx, dbk_cl_release *rel, const char *const *codes, const size_t *lens,
			  size_t n, dbk_error *err)
{
	walk_ctx   *w = ctx;
	sqlite3_stmt *st = w->exists;

	for (size_t i = 0; i < n; i++)
	{
		int			rc;
		bool		found = false;

		sqlite3_bind_text(st, 1, codes[i], (int) lens[i], SQLITE_STATIC);
		while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW)
			found = same_text(st, 0, codes[i], lens[i]);
		if (found)
			rc = SQLITE_DONE;
		sqlite3_reset(st);
		if (found && dbk_cl_release_add_edge(rel, codes[i], lens[i], NULL, 0, err) != 0)
			return -1;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		{
			return dbk_sqlite_cl_fail_read(err, sqlite3_db_handle(st), w->r, "edges", w->r->edges);
		}
	}
	return 0;
}

/*
 * The part of the release that `version` needs: for statuses
 * (DBK_CL_WALK_RULES) what lies below its explicit codes; for a draft
 * (DBK_CL_WALK_DRAFT, with its searches) its terms and what lies below its
 * codes and search matches.  Walked when the edges table has an index that
 * serves "parent = ?", otherwise read whole.
 */
int
dbk_sqlite_cl_read_release_for(sqlite3 *db, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
				 dbk_cl_release **out, dbk_error *err)
{
	walk_ctx	w = {NULL, NULL, r};
	dbk_cl_release *rel = NULL;
	bool		draft = what == DBK_CL_WALK_DRAFT;
	int			rc = -1;

	*out = NULL;
	if (dbk_sqlite_cl_prepare_release_table(db, r, "edges", r->edges, "parent", true, &w.children, err) != 0)
		return -1;
	if (!uses_index(db, w.children))
	{
		sqlite3_finalize(w.children);
		return read_release(db, r, draft, draft ? version : NULL, out, err);
	}
	rel = dbk_cl_release_new(&dbk_sqlite_allocator, r->name, draft ? version : NULL, err);
	if (rel == NULL)
		goto cleanup;
	if (draft)
	{
		char	   *sql;

		/* exists wraps the plain "SELECT code, parent FROM t" (SQLite flattens it). */
		if (dbk_sqlite_cl_prepare_release_table(db, r, "edges", r->edges, "parent", false, &w.exists, err) != 0)
			goto cleanup;
		sql = sqlite3_mprintf("SELECT \"code\" FROM (%s) WHERE \"code\" = ?1", sqlite3_sql(w.exists));
		sqlite3_finalize(w.exists);
		w.exists = NULL;
		if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &w.exists, NULL) != SQLITE_OK)
		{
			sqlite3_free(sql);
			dbk_sqlite_fail(err, db, "reading a release table");
			goto cleanup;
		}
		sqlite3_free(sql);
		if (read_release_table(db, r, "terms", r->terms, "term", rel, dbk_cl_release_add_term, err) != 0)
			goto cleanup;
	}
	if (dbk_cl_release_walk_down(rel, version, what, sqlite_children, draft ? sqlite_exists : NULL,
								 &w, err) != 0 ||
		dbk_cl_release_finish(rel, err) != 0)
		goto cleanup;
	*out = rel;
	rel = NULL;
	rc = 0;

cleanup:
	sqlite3_finalize(w.children);
	sqlite3_finalize(w.exists);
	dbk_cl_release_free(rel);
	return rc;
}

static int
store_id_taken(void *ctx, const char *id, bool *taken, dbk_error *err)
{
	return dbk_sqlite_cl_exists(((cl_store_ctx *) ctx)->db,
								"SELECT 1 FROM main.dbkeeper_codelist_version WHERE id = ?1", id, taken,
								"choosing a draft id", err);
}

/* Writes the draft: its version row, codes and the version's searches. */
static int
store_write_draft(void *ctx, const char *id, const cl_version *v, const cl_release_row *target,
				  const char *author, const dbk_codelist *draft, dbk_error *err)
{
	sqlite3    *db = ((cl_store_ctx *) ctx)->db;
	sqlite3_stmt *st = NULL;
	int			rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO main.dbkeeper_codelist_version "
						   "(id, codelist, release, status, author, derived_from) "
						   "VALUES (?1, ?2, ?3, 'draft', ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "writing the draft");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->codelist, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, target->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, "writing the draft");

	if (sqlite3_prepare_v2(db, "INSERT INTO main.dbkeeper_codelist_code (version, code, status) "
						   "VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "writing the draft's codes");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	for (size_t i = 0; i < dbk_codelist_count(draft); i++)
	{
		size_t		len;
		const char *code = dbk_codelist_code(draft, i, &len);

		sqlite3_bind_text(st, 2, code, (int) len, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, dbk_cl_status_text(dbk_codelist_status(draft, i)), -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
		{
			sqlite3_finalize(st);
			return dbk_sqlite_fail(err, db, "writing the draft's codes");
		}
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(db, "INSERT INTO main.dbkeeper_codelist_search (version, term, code) "
						   "SELECT ?1, term, code FROM main.dbkeeper_codelist_search WHERE version = ?2",
						   -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "writing the draft's searches");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, "writing the draft's searches");
	return 0;
}

/* ---- the store the core's workflow reads and writes (core/codelist/codelist_store.h) */

static int
store_load_version(void *ctx, const char *id, cl_version *v, dbk_error *err)
{
	return dbk_sqlite_cl_load_version(((cl_store_ctx *) ctx)->db, id, v, err);
}

static int
store_load_release(void *ctx, const char *name, const char *coding_system, cl_release_row *r,
				   bool *found, dbk_error *err)
{
	return load_release(((cl_store_ctx *) ctx)->db, name, coding_system, r, found, err);
}

static int
store_load_codes(void *ctx, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err)
{
	return dbk_sqlite_cl_load_codes(((cl_store_ctx *) ctx)->db, id, with_searches, cl, err);
}

static int
store_read_release(void *ctx, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
				   dbk_cl_release **out, dbk_error *err)
{
	return dbk_sqlite_cl_read_release_for(((cl_store_ctx *) ctx)->db, r, version, what, out, err);
}

static void
store_free_version(void *ctx, cl_version *v)
{
	(void) ctx;
	dbk_sqlite_cl_version_clear(v);
}

static void
store_free_release(void *ctx, cl_release_row *r)
{
	(void) ctx;
	dbk_sqlite_cl_release_clear(r);
}

static void
store_cache_report(void *ctx, const cl_release_row *r, const dbk_cl_cache_report *report)
{
	(void) r;
	((cl_store_ctx *) ctx)->how = dbk_cl_cache_use_text(report->use);
}

/* The store over ctx's connection; the caller sets .cache for the status. */
dbk_cl_store
dbk_sqlite_cl_store_of(cl_store_ctx *ctx)
{
	dbk_cl_store s = {
		.ctx = ctx,
		.a = &dbk_sqlite_allocator,
		.edges_key = dbk_sqlite_cl_edges_key,
		.read_edges = dbk_sqlite_cl_read_edges,
		.cache_report = store_cache_report,
		.load_version = store_load_version,
		.load_release = store_load_release,
		.load_codes = store_load_codes,
		.read_release = store_read_release,
		.id_taken = store_id_taken,
		.write_draft = store_write_draft,
		.free_version = store_free_version,
		.free_release = store_free_release,
	};

	return s;
}
