/*
 * codelist.c — codelist draft regeneration for SQLite (README "Codelists";
 * the rule and the steps live in core/codelist.c).
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
 * table is provably unchanged ("the release cache" below).
 *
 * Everything runs on the caller's connection, in the caller's transaction;
 * dbkeeper_codelist_new_draft writes inside a savepoint, so that it writes a
 * whole draft or nothing.  All four are SQLITE_DIRECTONLY: they may create
 * tables and read any table a release row names, which a view or trigger
 * planted in an untrusted database must not be able to make them do.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

#include "../core/codelist.h"
#include "../core/codelist_cache.h"

static const struct
{
	const char *name;
	const char *ddl;
}			cl_tables[] =
{
	{"dbkeeper_codelist_release",
		"CREATE TABLE main.dbkeeper_codelist_release ("
		"name TEXT PRIMARY KEY, coding_system TEXT NOT NULL, valid_from TEXT NOT NULL, "
		"edges TEXT NOT NULL, terms TEXT NOT NULL)"},
	{"dbkeeper_codelist_version",
		"CREATE TABLE main.dbkeeper_codelist_version ("
		"id TEXT PRIMARY KEY, codelist TEXT NOT NULL, release TEXT NOT NULL, "
		"status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'under review', 'published')), "
		"author TEXT, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), "
		"derived_from TEXT REFERENCES dbkeeper_codelist_version (id) ON DELETE SET NULL);"
		"CREATE TRIGGER main.dbkeeper_codelist_version_deleted AFTER DELETE ON dbkeeper_codelist_version "
		"BEGIN DELETE FROM dbkeeper_codelist_code WHERE version = old.id; "
		"DELETE FROM dbkeeper_codelist_search WHERE version = old.id; END"},
	{"dbkeeper_codelist_code",
		"CREATE TABLE main.dbkeeper_codelist_code ("
		"version TEXT NOT NULL, "
		"code TEXT NOT NULL, "
		"status TEXT NOT NULL CHECK (status IN ('+', '(+)', '-', '(-)', '?', '!')), "
		"PRIMARY KEY (version, code)) WITHOUT ROWID"},
	{"dbkeeper_codelist_search",
		"CREATE TABLE main.dbkeeper_codelist_search ("
		"version TEXT NOT NULL, "
		"term TEXT, code TEXT, CHECK ((term IS NULL) <> (code IS NULL)));"
		"CREATE INDEX main.dbkeeper_codelist_search_version ON dbkeeper_codelist_search (version)"},
};

#define CL_NTABLES (sizeof(cl_tables) / sizeof(cl_tables[0]))

/* The rows of the release and version tables this file reads. */
typedef struct cl_version
{
	char	   *id;
	char	   *codelist;
	char	   *release;
	char	   *derived_from;
} cl_version;

typedef struct cl_release_row
{
	char	   *name;
	char	   *coding_system;
	char	   *edges;
	char	   *terms;
} cl_release_row;

static void
version_clear(cl_version *v)
{
	sqlite3_free(v->id);
	sqlite3_free(v->codelist);
	sqlite3_free(v->release);
	sqlite3_free(v->derived_from);
	memset(v, 0, sizeof(*v));
}

static void
release_clear(cl_release_row *r)
{
	sqlite3_free(r->name);
	sqlite3_free(r->coding_system);
	sqlite3_free(r->edges);
	sqlite3_free(r->terms);
	memset(r, 0, sizeof(*r));
}

static char *
column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? sqlite3_mprintf("%s", t) : NULL;
}

/* ---- tables ------------------------------------------------------------- */

static int
table_exists(sqlite3 *db, const char *name, bool *exists, dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
						   -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "looking for the codelist tables");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*exists = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dbk_sqlite_fail(err, db, "looking for the codelist tables");
	return 0;
}

/* Creates the tables that are missing; *created counts them (may be NULL). */
static int
cl_init(sqlite3 *db, int *created, dbk_error *err)
{
	int			n = 0;

	for (size_t i = 0; i < CL_NTABLES; i++)
	{
		bool		exists = false;

		if (table_exists(db, cl_tables[i].name, &exists, err) != 0)
			return -1;
		if (exists)
			continue;
		if (sqlite3_exec(db, cl_tables[i].ddl, NULL, NULL, NULL) != SQLITE_OK)
			return dbk_sqlite_fail(err, db, "creating the codelist tables");
		n++;
	}
	if (created)
		*created = n;
	return 0;
}

/* ---- reading the rows of dbkeeper's own tables --------------------------- */

static int
load_version(sqlite3 *db, const char *id, cl_version *v, dbk_error *err)
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
		v->id = column_dup(st, 0);
		v->codelist = column_dup(st, 1);
		v->release = column_dup(st, 2);
		v->derived_from = column_dup(st, 3);
		rc = (v->id && v->codelist && v->release) ? SQLITE_OK : SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return dbk_cl_fail_unknown_version(err, id);
	if (rc != SQLITE_OK)
	{
		version_clear(v);
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
		"WHERE coding_system = ?1 ORDER BY valid_from DESC, name DESC LIMIT 1";

	memset(r, 0, sizeof(*r));
	*found = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_release");
	sqlite3_bind_text(st, 1, name ? name : coding_system, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		r->name = column_dup(st, 0);
		r->coding_system = column_dup(st, 1);
		r->edges = column_dup(st, 2);
		r->terms = column_dup(st, 3);
		rc = (r->name && r->coding_system && r->edges && r->terms) ? SQLITE_OK : SQLITE_NOMEM;
		*found = true;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_OK)
	{
		release_clear(r);
		return rc == SQLITE_NOMEM ? dbk_fail(err, DBK_E_NOMEM, "out of memory")
			: dbk_sqlite_fail(err, db, "reading dbkeeper_codelist_release");
	}
	return 0;
}

/* The version's own release row, which must exist. */
static int
load_version_release(sqlite3 *db, const cl_version *v, cl_release_row *r, dbk_error *err)
{
	bool		found;

	if (load_release(db, v->release, NULL, r, &found, err) != 0)
		return -1;
	return found ? 0 : dbk_cl_fail_missing_release(err, v->id, v->release);
}

/* The codes of version id into cl, and its searches when with_searches. */
static int
load_codes(sqlite3 *db, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err)
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
 * Splits "table", "schema.table" or the same with double-quoted parts (a
 * doubled quote inside stands for one) into sqlite3_malloc'd strings;
 * *schema is NULL when there is none.  False on a malformed name.
 */
static bool
parse_part(const char **p, char **out)
{
	const char *s = *p;
	sqlite3_str *b = sqlite3_str_new(NULL);

	if (*s == '"')
	{
		bool		closed = false;

		for (s++; *s && !closed; s++)
		{
			if (*s == '"' && s[1] != '"')
				closed = true;
			else
			{
				if (*s == '"')
					s++;		/* "" stands for " */
				sqlite3_str_appendchar(b, 1, *s);
			}
		}
		if (!closed)
		{
			sqlite3_free(sqlite3_str_finish(b));
			return false;
		}
	}
	else
		for (; *s && *s != '.'; s++)
			sqlite3_str_appendchar(b, 1, *s);
	*out = sqlite3_str_finish(b);
	*p = s;
	return *out != NULL && **out != '\0';
}

static bool
parse_table_name(const char *spec, char **schema, char **table)
{
	const char *p = spec;
	char	   *first = NULL,
			   *second = NULL;

	*schema = *table = NULL;
	if (!parse_part(&p, &first))
		goto fail;
	if (*p == '\0')
	{
		*table = first;
		return true;
	}
	if (*p != '.')
		goto fail;
	p++;
	if (!parse_part(&p, &second) || *p != '\0')
		goto fail;
	*schema = first;
	*table = second;
	return true;

fail:
	sqlite3_free(first);
	sqlite3_free(second);
	return false;
}

/*
 * Checks that the release's table `spec` exists with the columns code and
 * `other`, and prepares "SELECT code, other FROM it".
 */
static int
prepare_release_table(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
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
	if (!parse_table_name(spec, &schema, &table))
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
		dbk_sqlite_fail(err, db, "reading a release table");
		dbk_error_prefix(err, "%s table \"%s\" of release \"%s\": ", which, spec, r->name);
		goto cleanup;
	}
	rc = 0;

cleanup:
	sqlite3_free(schema);
	sqlite3_free(table);
	sqlite3_free(sql);
	return rc;
}

typedef int (*row_fn) (dbk_cl_release *rel, const char *code, size_t code_len,
					   const char *other, size_t other_len, dbk_error *err);

/* Feeds every row of statement st (code, other) to fn, and finalizes st. */
static int
feed_rows(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
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
		dbk_sqlite_fail(err, db, "reading a release table");
		dbk_error_prefix(err, "%s table \"%s\" of release \"%s\": ", which, spec, r->name);
		return -1;
	}
	return 0;
}

/* Feeds every row of the release table to fn. */
static int
read_release_table(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
				   const char *other, dbk_cl_release *rel, row_fn fn, dbk_error *err)
{
	sqlite3_stmt *st;

	if (prepare_release_table(db, r, which, spec, other, false, &st, err) != 0)
		return -1;
	return feed_rows(db, r, which, spec, st, rel, fn, err);
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

		if (prepare_release_table(db, r, "terms", r->terms, "term", false, &st, err) != 0)
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
 * Statuses need only what lies below the ruled codes (core/codelist.h,
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
			dbk_sqlite_fail(err, sqlite3_db_handle(st), "reading a release table");
			dbk_error_prefix(err, "edges table \"%s\" of release \"%s\": ", w->r->edges, w->r->name);
			return -1;
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
			dbk_sqlite_fail(err, sqlite3_db_handle(st), "reading a release table");
			dbk_error_prefix(err, "edges table \"%s\" of release \"%s\": ", w->r->edges, w->r->name);
			return -1;
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
static int
read_release_for(sqlite3 *db, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
				 dbk_cl_release **out, dbk_error *err)
{
	walk_ctx	w = {NULL, NULL, r};
	dbk_cl_release *rel = NULL;
	bool		draft = what == DBK_CL_WALK_DRAFT;
	int			rc = -1;

	*out = NULL;
	if (prepare_release_table(db, r, "edges", r->edges, "parent", true, &w.children, err) != 0)
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
		if (prepare_release_table(db, r, "edges", r->edges, "parent", false, &w.exists, err) != 0)
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

/* ---- dbkeeper_codelist_init ---------------------------------------------- */

static void
codelist_init_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_error	err;
	int			created;

	(void) argc;
	(void) argv;
	if (cl_init(sqlite3_context_db_handle(ctx), &created, &err) != 0)
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

/* Writes the draft: its version row, codes and the version's searches. */
static int
write_draft(sqlite3 *db, const cl_version *v, const cl_release_row *target, const char *author,
			const dbk_codelist *draft, char *id, size_t idcap, dbk_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;

	/* A new, unique id. */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.dbkeeper_codelist_version WHERE id = ?1", -1, &st,
						   NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "choosing a draft id");
	for (unsigned attempt = 1;; attempt++)
	{
		if (dbk_cl_draft_id(id, idcap, v->codelist, target->name, attempt, err) != 0)
		{
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW)
		{
			sqlite3_finalize(st);
			return dbk_sqlite_fail(err, db, "choosing a draft id");
		}
	}
	sqlite3_finalize(st);

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

/* Everything but the savepoint: checks, reads, the five steps, the writes. */
static int
new_draft(sqlite3 *db, const char *version, const char *author, const char *release, char *id,
		  size_t idcap, dbk_error *err)
{
	cl_version	v = {0};
	cl_release_row own = {0},
				target = {0};
	dbk_codelist *cl = NULL,
			   *draft = NULL;
	dbk_cl_release *rel = NULL;
	bool		found;
	int			rc = -1;

	if (load_version(db, version, &v, err) != 0 || load_version_release(db, &v, &own, err) != 0)
		goto cleanup;
	if (load_release(db, release, own.coding_system, &target, &found, err) != 0)
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
	cl = dbk_codelist_new(&dbk_sqlite_allocator, err);
	if (cl == NULL || load_codes(db, v.id, true, cl, err) != 0)
		goto cleanup;
	if (read_release_for(db, &target, cl, DBK_CL_WALK_DRAFT, &rel, err) != 0)
		goto cleanup;
	if (dbk_cl_regenerate(rel, cl, &draft, err) != 0)
		goto cleanup;
	dbk_cl_release_free(rel);	/* before writing: memory back early */
	rel = NULL;
	if (write_draft(db, &v, &target, author, draft, id, idcap, err) != 0)
		goto cleanup;
	rc = 0;

cleanup:
	dbk_codelist_free(draft);
	dbk_cl_release_free(rel);
	dbk_codelist_free(cl);
	release_clear(&target);
	release_clear(&own);
	version_clear(&v);
	return rc;
}

static void
codelist_new_draft_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *version = arg_text(argv[0]);
	const char *author = arg_text(argv[1]);
	const char *release = argc > 2 ? arg_text(argv[2]) : NULL;
	char		id[1024];
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
	if (cl_init(db, NULL, &err) != 0 || new_draft(db, version, author, release, id, sizeof(id), &err) != 0)
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
typedef struct cl_vtab
{
	dbk_tvf		base;
	/* dbkeeper_codelist_status: the connection's compiled releases (below). */
	dbk_cl_cache *cache;
	sqlite3_stmt *epoch;		/* "SELECT 1": prepared again after every DETACH */
} cl_vtab;

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

/* ---- the release cache ----------------------------------------------------
 *
 * dbkeeper_codelist_status keeps the compiled hierarchies of the last
 * DBK_CL_CACHE_SLOTS releases it read (core/codelist_cache.h) in the
 * connection's instance of its eponymous virtual table, and uses one again
 * when the release's edges table cannot have changed since.  The answer
 * must never be stale, so a release is cached only when its edges table is
 * an ordinary table (not a view or a virtual table, whose content SQLite
 * does not version), and only outside a write transaction on its database
 * (sqlite3_txn_state), at building and at use: this connection's own
 * uncommitted rows are then never in, nor missing from, a cached release.
 *
 * The table is named by its database (as SQLite resolves an unqualified
 * name: temp, main, then attached databases in the order attached), the
 * database's file and the table's name; its state by
 *
 *   PRAGMA data_version     changes when another connection commits to
 *                           the database file ("the integer values returned
 *                           by two invocations ... will be different if
 *                           changes were committed to the database by any
 *                           other connection in the interim": SQLite's
 *                           documentation of the pragma);
 *   PRAGMA schema_version   changes with every schema change (DROP and
 *                           CREATE TABLE, new columns), by any connection,
 *                           and when the backup API overwrites the file;
 *   sqlite3_total_changes64 this connection's INSERT, UPDATE and DELETE
 *                           rows, in any database, triggers included:
 *                           what data_version leaves out by design;
 *   the detach epoch        how often a private "SELECT 1" was prepared
 *                           again (SQLITE_STMTSTATUS_REPREPARE).  DETACH
 *                           expires every statement of the connection
 *                           (attach.c), and so does sqlite3_deserialize.
 *                           Without it, DETACH, a commit by another
 *                           connection, and ATTACH of the same file under
 *                           the same name would go unseen: a freshly
 *                           opened database starts its data_version afresh.
 *
 * The state is taken before the table is read and again after; the release
 * is stored only when both agree.  A hit still prepares the query the
 * uncached path runs, so a missing table or column and an authorizer that
 * denies the read fail the call as before.
 *
 * Known hole, documented in README: sqlite3_blob_write changes a row in
 * place without counting as a change, and without a commit by another
 * connection nothing above moves; a release written that way is seen after
 * the next change, commit or schema change.  DBKEEPER_CODELIST_CACHE=off in
 * the environment turns the cache off.
 */
typedef struct table_state
{
	sqlite3_int64 data_version;
	sqlite3_int64 schema_version;
	sqlite3_int64 total_changes;
	sqlite3_int64 epoch;
} table_state;

static int
pragma_value(sqlite3 *db, const char *schema, const char *pragma, sqlite3_int64 *out,
			 dbk_error *err)
{
	char	   *sql = sqlite3_mprintf("PRAGMA \"%w\".%s", schema, pragma);
	sqlite3_stmt *st = NULL;
	int			rc;

	if (sql == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : dbk_sqlite_fail(err, db, "reading the state of a release's database");
}

static int
take_state(cl_vtab *vt, const char *schema, table_state *s, dbk_error *err)
{
	int			rc;

	memset(s, 0, sizeof(*s));
	if (vt->epoch == NULL &&
		sqlite3_prepare_v3(vt->base.db, "SELECT 1", -1, SQLITE_PREPARE_PERSISTENT, &vt->epoch, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, vt->base.db, "preparing the codelist cache");
	rc = sqlite3_step(vt->epoch);
	sqlite3_reset(vt->epoch);
	if (rc != SQLITE_ROW)
		return dbk_sqlite_fail(err, vt->base.db, "checking the codelist cache");
	s->epoch = sqlite3_stmt_status(vt->epoch, SQLITE_STMTSTATUS_REPREPARE, 0);
	s->total_changes = sqlite3_total_changes64(vt->base.db);
	if (pragma_value(vt->base.db, schema, "data_version", &s->data_version, err) != 0 ||
		pragma_value(vt->base.db, schema, "schema_version", &s->schema_version, err) != 0)
		return -1;
	return 0;
}

/*
 * The database and name of the table `spec` names, as SQLite resolves it;
 * *ordinary says whether it is an ordinary table.  Nothing found: false too
 * (the uncached path reports what is wrong).
 */
static int
resolve_table(sqlite3 *db, const char *spec, char **schema_out, char **name_out, bool *ordinary,
			  dbk_error *err)
{
	char	   *schema = NULL,
			   *table = NULL;
	sqlite3_stmt *st = NULL;
	int			rc;

	*schema_out = *name_out = NULL;
	*ordinary = false;
	if (!parse_table_name(spec, &schema, &table))
		return 0;
	rc = sqlite3_prepare_v2(db, "SELECT t.schema, t.name, t.type FROM pragma_table_list(?1) t "
							"JOIN pragma_database_list d ON d.name = t.schema "
							"WHERE ?2 IS NULL OR t.schema = ?2 COLLATE NOCASE "
							"OR (?2 = 'main' COLLATE NOCASE AND d.seq = 0) "
							"ORDER BY CASE d.seq WHEN 1 THEN -1 ELSE d.seq END LIMIT 1",
							-1, &st, NULL);
	if (rc == SQLITE_OK)
	{
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
	{
		const char *type = (const char *) sqlite3_column_text(st, 2);

		*ordinary = type != NULL && strcmp(type, "table") == 0;
		*schema_out = column_dup(st, 0);
		*name_out = column_dup(st, 1);
		if (*schema_out == NULL || *name_out == NULL)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	sqlite3_free(schema);
	sqlite3_free(table);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	sqlite3_free(*schema_out);
	sqlite3_free(*name_out);
	*schema_out = *name_out = NULL;
	return rc == SQLITE_NOMEM ? dbk_fail(err, DBK_E_NOMEM, "out of memory")
		: dbk_sqlite_fail(err, db, "looking up a release table");
}

static bool
cache_off(void)
{
	const char *v = getenv("DBKEEPER_CODELIST_CACHE");

	return v != NULL && strcmp(v, "off") == 0;
}

/*
 * The whole hierarchy of release r for statuses, from the cache or read and
 * stored; *rel is NULL when the release cannot be cached (then the caller
 * reads what it needs itself).  *owned: the caller must free *rel (it was
 * read but could not be stored).  *how says which, for the hidden column.
 */
static int
cached_release(cl_vtab *vt, const cl_release_row *r, const dbk_cl_release **rel, bool *owned,
			   const char **how, dbk_error *err)
{
	sqlite3    *db = vt->base.db;
	char	   *schema = NULL,
			   *table = NULL,
			   *sql = NULL;
	sqlite3_str *ident = NULL;
	char	   *ident_bytes = NULL;
	int			ident_len = 0;
	bool		ordinary;
	sqlite3_stmt *st = NULL;
	table_state before,
				after;
	dbk_cl_release *built = NULL;
	int			rc = -1;

	*rel = NULL;
	*owned = false;
	*how = "not cached";
	/* The uncached path's checks, and its query prepared (the authorizer sees the read). */
	if (prepare_release_table(db, r, "edges", r->edges, "parent", false, &st, err) != 0)
		return -1;
	sqlite3_finalize(st);
	st = NULL;
	if (cache_off())
		return 0;
	if (resolve_table(db, r->edges, &schema, &table, &ordinary, err) != 0)
		return -1;
	if (schema == NULL || !ordinary || sqlite3_txn_state(db, schema) == SQLITE_TXN_WRITE)
	{
		rc = 0;
		goto cleanup;
	}
	ident = sqlite3_str_new(db);
	sqlite3_str_appendall(ident, schema);
	sqlite3_str_appendchar(ident, 1, '\x01');
	sqlite3_str_appendall(ident, sqlite3_db_filename(db, schema) ? sqlite3_db_filename(db, schema) : "");
	sqlite3_str_appendchar(ident, 1, '\x01');
	sqlite3_str_appendall(ident, table);
	ident_len = sqlite3_str_length(ident);
	ident_bytes = sqlite3_str_finish(ident);
	if (ident_bytes == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto cleanup;
	}
	if (vt->cache == NULL && (vt->cache = dbk_cl_cache_new(&dbk_sqlite_allocator, NULL, err)) == NULL)
		goto cleanup;
	if (take_state(vt, schema, &before, err) != 0)
		goto cleanup;
	*rel = dbk_cl_cache_get(vt->cache, ident_bytes, (size_t) ident_len, &before, sizeof(before));
	if (*rel != NULL)
	{
		*how = "hit";
		rc = 0;
		goto cleanup;
	}
	/* Read every edge of the table just resolved. */
	sql = sqlite3_mprintf("SELECT \"code\", \"parent\" FROM \"%w\".\"%w\"", schema, table);
	if (sql == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto cleanup;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, db, "reading a release table");
		dbk_error_prefix(err, "edges table \"%s\" of release \"%s\": ", r->edges, r->name);
		goto cleanup;
	}
	built = dbk_cl_release_new(&dbk_sqlite_allocator, r->name, NULL, err);
	if (built == NULL)
		goto cleanup;
	rc = feed_rows(db, r, "edges", r->edges, st, built, dbk_cl_release_add_edge, err);
	st = NULL;
	if (rc != 0 || (rc = dbk_cl_release_finish(built, err)) != 0 ||
		(rc = take_state(vt, schema, &after, err)) != 0)
		goto cleanup;
	*rel = built;
	if (memcmp(&before, &after, sizeof(before)) != 0 || sqlite3_txn_state(db, schema) == SQLITE_TXN_WRITE)
	{
		*owned = true;			/* right for this call, but not known to stay so */
		built = NULL;
		goto cleanup;
	}
	*how = "stored";
	rc = dbk_cl_cache_put(vt->cache, ident_bytes, (size_t) ident_len, &before, sizeof(before), built,
						  NULL, err);
	built = NULL;				/* the cache's now, or freed */
	if (rc != 0)
		*rel = NULL;

cleanup:
	sqlite3_finalize(st);
	dbk_cl_release_free(built);
	sqlite3_free(sql);
	sqlite3_free(ident_bytes);
	sqlite3_free(schema);
	sqlite3_free(table);
	if (rc != 0)
	{
		*rel = NULL;
		*owned = false;
	}
	return rc;
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

	if (load_version(db, version, &v, err) != 0 || load_version_release(db, &v, &own, err) != 0)
		goto cleanup;
	cl = dbk_codelist_new(&dbk_sqlite_allocator, err);
	if (cl == NULL || load_codes(db, v.id, false, cl, err) != 0)
		goto cleanup;
	if (cached_release(vt, &own, &whole, &owned, &c->cache, err) != 0)
		goto cleanup;
	if (owned)
		rel = (dbk_cl_release *) whole;
	if (whole != NULL)
	{
		if (dbk_cl_recompute_with(&dbk_sqlite_allocator, whole, cl, &c->rows, err) != 0)
			goto cleanup;
	}
	else if (read_release_for(db, &own, cl, DBK_CL_WALK_RULES, &rel, err) != 0 ||
			 dbk_cl_recompute(rel, cl, &c->rows, err) != 0)
		goto cleanup;
	c->base.n = dbk_codelist_count(c->rows);
	rc = 0;

cleanup:
	dbk_cl_release_free(rel);
	dbk_codelist_free(cl);
	release_clear(&own);
	version_clear(&v);
	return rc;
}

/* dbkeeper_codelist_changes: the draft against the version it came from. */
static int
compute_changes(sqlite3 *db, const char *draft, cl_cursor *c, dbk_error *err)
{
	cl_version	v = {0};
	int			rc = -1;

	if (load_version(db, draft, &v, err) != 0)
		goto cleanup;
	c->rows = dbk_codelist_new(&dbk_sqlite_allocator, err);
	if (c->rows == NULL || load_codes(db, v.id, false, c->rows, err) != 0)
		goto cleanup;
	if (v.derived_from)
	{
		c->previous = dbk_codelist_new(&dbk_sqlite_allocator, err);
		if (c->previous == NULL || load_codes(db, v.derived_from, false, c->previous, err) != 0)
			goto cleanup;
	}
	if (dbk_cl_changes(&dbk_sqlite_allocator, c->previous, c->rows, &c->changes, &c->base.n, err) != 0)
		goto cleanup;
	rc = 0;

cleanup:
	version_clear(&v);
	return rc;
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
	if (cl_init(vt->base.db, NULL, err) != 0)
		return -1;
	return compute_status(vt, version, (cl_cursor *) cur, err);
}

static int
changes_filter(dbk_tvf_cursor *cur, const char *draft, dbk_error *err)
{
	dbk_tvf    *vt = (dbk_tvf *) cur->base.pVtab;

	if (draft == NULL)
		return no_argument("draft", "dbkeeper_codelist_changes", err);
	if (cl_init(vt->db, NULL, err) != 0)
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
