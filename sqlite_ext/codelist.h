/*
 * codelist.h — what the files of SQLite's codelist functions share:
 * codelist.c (the SQL functions and table-valued functions),
 * codelist_tables.c (dbkeeper's four tables and the table-name parser),
 * codelist_read.c (their rows, a release's edges and terms, the store the
 * core's workflow uses) and codelist_cache.c (the connection's compiled releases).
 */
#ifndef DBK_SQLITE_CODELIST_H
#define DBK_SQLITE_CODELIST_H

#include "dbk_sqlite.h"

#include "../core/codelist/codelist.h"
#include "../core/codelist/codelist_cache.h"
#include "../core/codelist/codelist_store.h"

typedef dbk_cl_version_row cl_version;
typedef dbk_cl_release_row cl_release_row;

/*
 * The connection's instance of dbkeeper_codelist_status: the releases it
 * compiled (codelist_cache.c).
 */
typedef struct cl_vtab
{
	dbk_tvf		base;
	/* dbkeeper_codelist_status: the connection's compiled releases (below). */
	dbk_cl_cache *cache;
	sqlite3_stmt *epoch;		/* "SELECT 1": prepared again after every DETACH */
} cl_vtab;

/*
 * What the store (codelist_read.c) works on: the connection, and for
 * dbkeeper_codelist_status its virtual table, whose cache the store offers
 * the core and which is told how the release was had.
 */
typedef struct cl_store_ctx
{
	sqlite3    *db;
	cl_vtab    *vt;				/* NULL but for the status */
	const char *how;			/* "hit", "stored" or "not cached" */
} cl_store_ctx;

typedef int (*row_fn) (dbk_cl_release *rel, const char *code, size_t code_len,
					   const char *other, size_t other_len, dbk_error *err);

int			dbk_sqlite_cl_init(sqlite3 *db, int *created, dbk_error *err);
int			dbk_sqlite_cl_exists(sqlite3 *db, const char *sql, const char *arg, bool *exists,
								 const char *doing, dbk_error *err);
int			dbk_sqlite_cl_fail_read(dbk_error *err, sqlite3 *db, const cl_release_row *r,
									const char *which, const char *spec);
bool		dbk_sqlite_cl_parse_table_name(const char *spec, char **schema, char **table);
char	   *dbk_sqlite_cl_column_dup(sqlite3_stmt *st, int col);
int			dbk_sqlite_cl_feed_rows(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
		  sqlite3_stmt *st, dbk_cl_release *rel, row_fn fn, dbk_error *err);
int			dbk_sqlite_cl_load_codes(sqlite3 *db, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err);
int			dbk_sqlite_cl_load_version(sqlite3 *db, const char *id, cl_version *v, dbk_error *err);
int			dbk_sqlite_cl_prepare_release_table(sqlite3 *db, const cl_release_row *r, const char *which, const char *spec,
					   const char *other, bool by_parent, sqlite3_stmt **out, dbk_error *err);
int			dbk_sqlite_cl_read_release_for(sqlite3 *db, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
				 dbk_cl_release **out, dbk_error *err);
void		dbk_sqlite_cl_release_clear(cl_release_row *r);
dbk_cl_store dbk_sqlite_cl_store_of(cl_store_ctx *ctx);
void		dbk_sqlite_cl_version_clear(cl_version *v);
/* codelist_cache.c: the connection's cache (NULL when turned off), and the store's cache functions. */
int			dbk_sqlite_cl_cache_of(cl_vtab *vt, dbk_cl_cache **out, dbk_error *err);
int			dbk_sqlite_cl_edges_key(void *ctx, const cl_release_row *r, dbk_cl_edges_key *key, dbk_error *err);
int			dbk_sqlite_cl_read_edges(void *ctx, const cl_release_row *r, const dbk_cl_edges_key *key,
									 dbk_cl_release **out, void **holder, dbk_error *err);

#endif
