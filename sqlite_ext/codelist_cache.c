/*
 * codelist_cache.c — the compiled releases dbkeeper_codelist_status keeps in
 * a connection, and when one may be used again (below): the key of a
 * release's edges table that the core's protocol (core/codelist/
 * codelist_cache.c: check, read, check) compares.
 */
#include "codelist.h"

SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

/* ---- the release cache ----------------------------------------------------
 *
 * dbkeeper_codelist_status keeps the compiled hierarchies of the last
 * DBK_CL_CACHE_SLOTS releases it read (core/codelist/codelist_cache.h) in the
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
 * is stored only when both agree (the core's protocol).  Each key still
 * prepares the query the uncached path runs, so a missing table or column
 * and an authorizer that denies the read fail the call as before, hit or not.
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
	if (!dbk_sqlite_cl_parse_table_name(spec, &schema, &table))
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
		*schema_out = dbk_sqlite_cl_column_dup(st, 0);
		*name_out = dbk_sqlite_cl_column_dup(st, 1);
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

int
dbk_sqlite_cl_cache_of(cl_vtab *vt, dbk_cl_cache **out, dbk_error *err)
{
	*out = NULL;
	if (cache_off())
		return 0;
	if (vt->cache == NULL && (vt->cache = dbk_cl_cache_new(&dbk_sqlite_allocator, NULL, NULL, err)) == NULL)
		return -1;
	*out = vt->cache;
	return 0;
}

/*
 * The ident: the table's database, that database's file and the table's
 * name, each ended by a NUL (dbk_sqlite_cl_read_edges reads them back).
 */
static char *
make_ident(sqlite3 *db, const char *schema, const char *table, size_t *len)
{
	const char *file = sqlite3_db_filename(db, schema) ? sqlite3_db_filename(db, schema) : "";
	size_t		ls = strlen(schema) + 1,
				lf = strlen(file) + 1,
				lt = strlen(table) + 1;
	char	   *p = sqlite3_malloc64(ls + lf + lt);

	if (p != NULL)
	{
		memcpy(p, schema, ls);
		memcpy(p + ls, file, lf);
		memcpy(p + ls + lf, table, lt);
	}
	*len = ls + lf + lt;
	return p;
}

int
dbk_sqlite_cl_edges_key(void *ctx, const cl_release_row *r, dbk_cl_edges_key *key, dbk_error *err)
{
	cl_store_ctx *sc = ctx;
	sqlite3    *db = sc->db;
	char	   *schema = NULL,
			   *table = NULL;
	bool		ordinary;
	sqlite3_stmt *st = NULL;
	int			rc = -1;

	memset(key, 0, sizeof(*key));
	/* The uncached path's checks, and its query prepared (the authorizer sees the read). */
	if (dbk_sqlite_cl_prepare_release_table(db, r, "edges", r->edges, "parent", false, &st, err) != 0)
		return -1;
	sqlite3_finalize(st);
	if (resolve_table(db, r->edges, &schema, &table, &ordinary, err) != 0)
		return -1;
	if (schema == NULL)
		key->why = "was not found where SQLite looks for it";
	else if (!ordinary)
		key->why = "is not an ordinary table";
	else if (sqlite3_txn_state(db, schema) == SQLITE_TXN_WRITE)
		key->why = "is in a database this connection is writing to";
	if (key->why != NULL)
	{
		rc = 0;
		goto cleanup;
	}
	key->ident = make_ident(db, schema, table, &key->ident_len);
	key->stamp = sqlite3_malloc64(sizeof(table_state));
	key->stamp_len = sizeof(table_state);
	if (key->ident == NULL || key->stamp == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto cleanup;
	}
	if (take_state(sc->vt, schema, key->stamp, err) != 0)
		goto cleanup;
	rc = 0;

cleanup:
	if (rc != 0)
	{
		sqlite3_free(key->ident);
		sqlite3_free(key->stamp);
		memset(key, 0, sizeof(*key));
	}
	sqlite3_free(schema);
	sqlite3_free(table);
	return rc;
}

/* Every edge of the table the key resolved: its database and name, from the ident. */
int
dbk_sqlite_cl_read_edges(void *ctx, const cl_release_row *r, const dbk_cl_edges_key *key,
						 dbk_cl_release **out, void **holder, dbk_error *err)
{
	sqlite3    *db = ((cl_store_ctx *) ctx)->db;
	const char *schema = key->ident;
	const char *file = schema + strlen(schema) + 1;
	const char *table = file + strlen(file) + 1;
	char	   *sql = sqlite3_mprintf("SELECT \"code\", \"parent\" FROM \"%w\".\"%w\"", schema, table);
	sqlite3_stmt *st = NULL;
	dbk_cl_release *built = NULL;

	*out = NULL;
	*holder = NULL;
	if (sql == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
	{
		sqlite3_free(sql);
		return dbk_sqlite_cl_fail_read(err, db, r, "edges", r->edges);
	}
	sqlite3_free(sql);
	if ((built = dbk_cl_release_new(&dbk_sqlite_allocator, r->name, NULL, err)) == NULL)
	{
		sqlite3_finalize(st);
		return -1;
	}
	if (dbk_sqlite_cl_feed_rows(db, r, "edges", r->edges, st, built, dbk_cl_release_add_edge, err) != 0 ||
		dbk_cl_release_finish(built, err) != 0)
	{
		dbk_cl_release_free(built);
		return -1;
	}
	*out = built;
	return 0;
}
