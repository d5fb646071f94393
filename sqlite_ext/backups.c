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
 * backup directory when a scan starts (core/archive/catalog.c); a directory that does
 * not exist yet lists nothing.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>

#include "../core/archive/backup_header.h"
#include "../core/archive/catalog.h"

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

typedef struct backups_cursor
{
	dbk_tvf_cursor base;
	dbk_backup_list list;
} backups_cursor;

static void
backups_clear(dbk_tvf_cursor *cur)
{
	backups_cursor *c = (backups_cursor *) cur;

	dbk_catalog_free(&c->list);
}

static int
backups_filter(dbk_tvf_cursor *cur, const char *arg, dbk_error *err)
{
	backups_cursor *c = (backups_cursor *) cur;
	dbk_tvf    *vt = (dbk_tvf *) cur->base.pVtab;
	dbk_dir		d = {-1, ""};
	int			rc;

	(void) arg;
	if (dbk_sqlite_open_dir(vt->aux, vt->db, false, &d, err) != 0)
		return err->sys_errno == ENOENT ? 0 : -1;
	rc = dbk_catalog_list(&dbk_sqlite_allocator, &d, DBK_EXT_SQLITE, &c->list, err);
	if (rc == 0)
		cur->n = c->list.n;
	dbk_dir_close(&d);
	return rc;
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

static void
backups_column(dbk_tvf_cursor *cur, sqlite3_context *ctx, int col)
{
	backups_cursor *c = (backups_cursor *) cur;
	const dbk_backup_info *b = &c->list.items[cur->row];
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
}

static const dbk_tvf_def backups_def = {
	.name = "dbkeeper_backups",
	.declare = "CREATE TABLE x(name TEXT, created_at TEXT, database TEXT, label TEXT, "
	"bytes INTEGER, compressed_bytes INTEGER, sha256 TEXT, fingerprint TEXT, is_latest INTEGER, "
	"rows INTEGER, duration REAL)",
	.arg_column = -1,
	.rows = 100,
	.cursor_size = sizeof(backups_cursor),
	.filter = backups_filter,
	.column = backups_column,
	.clear = backups_clear,
};

int
dbk_sqlite_register_backups(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_register_tvf(db, &backups_def, dbk_sqlite_state_ref(st), dbk_sqlite_state_release);
}
