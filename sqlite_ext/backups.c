/*
 * backups.c — the dbkeeper_backups table-valued function for SQLite.
 *
 *   SELECT * FROM dbkeeper_backups;     -- or dbkeeper_backups()
 *
 * An eponymous, read-only virtual table with these columns:
 * name, created_at, database, label, bytes, compressed_bytes, sha256,
 * fingerprint, is_latest, rows, duration — newest first.  rows is NULL (a
 * SQLite backup copies pages and counts no rows); duration is the seconds
 * the backup took, NULL for backups written before dbkeeper recorded it.  The listing is read from the
 * backup directory when a scan starts (core/catalog.c); a directory that does
 * not exist yet lists nothing.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>

#include "../core/backup_header.h"
#include "../core/catalog.h"

enum
{
	COL_NAME,
	COL_CREATED_AT,
	COL_DATABASE,
	COL_LABEL,
	COL_BYTES,
	COL_COMPRESSED_BYTES,
	COL_SHA256,
	COL_FINGERPRINT,
	COL_IS_LATEST,
	COL_ROWS,
	COL_DURATION
};

typedef struct backups_vtab
{
	sqlite3_vtab base;
	sqlite3    *db;
	dbk_sqlite_state *st;
} backups_vtab;

typedef struct backups_cursor
{
	sqlite3_vtab_cursor base;
	dbk_backup_list list;
	size_t		row;
} backups_cursor;

static int
backups_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
				sqlite3_vtab **out, char **errmsg)
{
	backups_vtab *vt;
	int			rc;

	(void) argc;
	(void) argv;
	(void) errmsg;
	rc = sqlite3_declare_vtab(db, "CREATE TABLE x(name TEXT, created_at TEXT, database TEXT, "
							  "label TEXT, bytes INTEGER, compressed_bytes INTEGER, sha256 TEXT, "
							  "fingerprint TEXT, is_latest INTEGER, rows INTEGER, duration REAL)");
	if (rc != SQLITE_OK)
		return rc;
	vt = sqlite3_malloc64(sizeof(*vt));
	if (vt == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = db;
	vt->st = aux;
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	*out = &vt->base;
	return SQLITE_OK;
}

static int
backups_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int
backups_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void) vt;
	info->estimatedCost = 1000;
	info->estimatedRows = 100;
	return SQLITE_OK;
}

static int
backups_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	backups_cursor *c = sqlite3_malloc64(sizeof(*c));

	(void) vt;
	if (c == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->list.a = &dbk_sqlite_allocator;
	*out = &c->base;
	return SQLITE_OK;
}

static int
backups_close(sqlite3_vtab_cursor *cur)
{
	backups_cursor *c = (backups_cursor *) cur;

	dbk_catalog_free(&c->list);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int
vtab_error(sqlite3_vtab *vt, const dbk_error *err)
{
	sqlite3_free(vt->zErrMsg);
	vt->zErrMsg = sqlite3_mprintf("%s%s%s", err->message, err->hint[0] ? "\nHINT: " : "", err->hint);
	return err->kind == DBK_E_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static int
backups_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
			   sqlite3_value **argv)
{
	backups_cursor *c = (backups_cursor *) cur;
	backups_vtab *vt = (backups_vtab *) cur->pVtab;
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	int			rc = SQLITE_OK;

	(void) idx;
	(void) idxstr;
	(void) argc;
	(void) argv;
	dbk_catalog_free(&c->list);
	c->row = 0;
	if (dbk_sqlite_open_dir(vt->st, vt->db, false, &d, &err) != 0)
		return err.sys_errno == ENOENT ? SQLITE_OK : vtab_error(cur->pVtab, &err);
	if (dbk_catalog_list(&dbk_sqlite_allocator, &d, DBK_EXT_SQLITE, &c->list, &err) != 0)
		rc = vtab_error(cur->pVtab, &err);
	dbk_dir_close(&d);
	return rc;
}

static int
backups_next(sqlite3_vtab_cursor *cur)
{
	((backups_cursor *) cur)->row++;
	return SQLITE_OK;
}

static int
backups_eof(sqlite3_vtab_cursor *cur)
{
	backups_cursor *c = (backups_cursor *) cur;

	return c->row >= c->list.n;
}

static void
result_meta_text(sqlite3_context *ctx, const dbk_meta *m, const char *key)
{
	const char *v = dbk_meta_get(m, key);

	if (v)
		sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

static int
backups_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	backups_cursor *c = (backups_cursor *) cur;
	const dbk_backup_info *b = &c->list.items[c->row];
	uint64_t	n;

	switch (col)
	{
		case COL_NAME:
			sqlite3_result_text(ctx, b->name, -1, SQLITE_TRANSIENT);
			break;
		case COL_CREATED_AT:
			result_meta_text(ctx, &b->header, "created_at");
			break;
		case COL_DATABASE:
			result_meta_text(ctx, &b->header, "database");
			break;
		case COL_LABEL:
			result_meta_text(ctx, &b->header, "label");
			break;
		case COL_BYTES:
			if (dbk_meta_get_u64(&b->trailer, "content_bytes", &n))
				sqlite3_result_int64(ctx, (sqlite3_int64) n);
			break;
		case COL_COMPRESSED_BYTES:
			sqlite3_result_int64(ctx, (sqlite3_int64) b->file_bytes);
			break;
		case COL_SHA256:
			result_meta_text(ctx, &b->trailer, "content_sha256");
			break;
		case COL_FINGERPRINT:
			result_meta_text(ctx, &b->header, "fingerprint");
			break;
		case COL_IS_LATEST:
			sqlite3_result_int(ctx, b->is_latest);
			break;
		case COL_ROWS:
			if (dbk_meta_get_u64(&b->trailer, "rows", &n))
				sqlite3_result_int64(ctx, (sqlite3_int64) n);
			break;
		case COL_DURATION:
			if (dbk_trailer_duration_us(&b->trailer, &n))
				sqlite3_result_double(ctx, (double) n / 1e6);
			break;
	}
	return SQLITE_OK;
}

static int
backups_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64) ((backups_cursor *) cur)->row + 1;
	return SQLITE_OK;
}

static const sqlite3_module backups_module = {
	.iVersion = 0,
	.xCreate = NULL,			/* eponymous only */
	.xConnect = backups_connect,
	.xBestIndex = backups_best_index,
	.xDisconnect = backups_disconnect,
	.xDestroy = backups_disconnect,
	.xOpen = backups_open,
	.xClose = backups_close,
	.xFilter = backups_filter,
	.xNext = backups_next,
	.xEof = backups_eof,
	.xColumn = backups_column,
	.xRowid = backups_rowid,
};

int
dbk_sqlite_register_backups(sqlite3 *db, dbk_sqlite_state *st)
{
	return sqlite3_create_module_v2(db, "dbkeeper_backups", &backups_module,
									dbk_sqlite_state_ref(st), dbk_sqlite_state_release);
}
