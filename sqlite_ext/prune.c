/*
 * prune.c — dbkeeper_prune([keep]) for SQLite.
 *
 * Deletes the oldest backups of this database beyond the newest `keep`
 * (the keep_backups setting when NULL or omitted) and returns how many.
 * The rules that protect files live in core/catalog.c: only files with
 * dbkeeper's name and header, never the newest, never through a link.  A
 * read-only connection is refused: it must not delete what it cannot write.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include "../core/catalog.h"

static void
sql_prune(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_int64 keep = dbk_sqlite_keep(st, db);
	const char *file;
	char		database[128];
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	int			deleted = 0;

	if (argc > 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL)
	{
		if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER)
		{
			sqlite3_result_error(ctx, "dbkeeper_prune takes an integer number of backups to keep", -1);
			return;
		}
		keep = sqlite3_value_int64(argv[0]);
	}
	else if (keep == 0)
	{
		/* Retention is off and no count was given: nothing to do. */
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) != 0 ||
		dbk_sqlite_check_writable(db, "prune backups", &err) != 0 ||
		dbk_sqlite_open_dir(st, db, false, &d, &err) != 0 ||
		dbk_catalog_prune(&dbk_sqlite_allocator, &d, DBK_SQLITE_ENGINE, database, DBK_EXT_SQLITE,
						  keep, &deleted, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_int(ctx, deleted);
	dbk_dir_close(&d);
}

int
dbk_sqlite_register_prune(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_prune", 0, 1, DBK_SQLITE_SIDE_EFFECTS, sql_prune, st);
}
