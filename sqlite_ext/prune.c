/*
 * prune.c — dbkeeper_prune([keep [, label]]) for SQLite, as on PostgreSQL.
 *
 * Deletes backups of this database that retention does not keep and
 * returns how many.  Which backups: the unlabelled ones when label is NULL
 * or omitted (what the retention after each backup prunes), those with that
 * label otherwise ('pre-restore' for restores' safety backups), every one
 * for '*'.  How many stay: the newest keep of them; when keep is NULL or
 * omitted, the keep_backups and keep_days settings (both 0: nothing goes).
 * The rules that protect files live in core/archive/catalog.c: only files with
 * dbkeeper's name and header, only this database's, never its newest
 * backup nor the one its latest link names, never through a link.  A
 * read-only connection is refused: it must not delete what it cannot write.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <string.h>
#include <time.h>

#include "../core/archive/catalog.h"

/* The arguments into r; -1 with err set when one is not what it must be. */
static int
read_arguments(const dbk_sqlite_state *st, sqlite3 *db, int argc, sqlite3_value **argv,
			   dbk_retention *r, dbk_error *err)
{
	r->keep = dbk_sqlite_keep(st, db);
	r->keep_days = dbk_sqlite_keep_days(st, db);
	r->label = NULL;
	r->now = time(NULL);
	if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL)
	{
		r->label = (const char *) sqlite3_value_text(argv[1]);
		if (r->label == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory");
		if (strcmp(r->label, "*") != 0 && dbk_label_check(r->label, err) != 0)
			return -1;
	}
	if (argc > 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL)
	{
		if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER)
			return dbk_fail(err, DBK_E_INVALID, "dbkeeper_prune takes an integer number of backups to keep");
		r->keep = sqlite3_value_int64(argv[0]);
		r->keep_days = 0;
		return dbk_retention_count_check(r->keep, err);
	}
	return 0;
}

static void
sql_prune(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	dbk_retention r;
	const char *file;
	char		database[128];
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	dbk_pruned	pruned;
	struct timespec started;
	int			rc;

	clock_gettime(CLOCK_MONOTONIC, &started);
	dbk_pruned_init(&pruned);
	if (read_arguments(st, db, argc, argv, &r, &err) != 0)
	{
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (r.keep == 0 && r.keep_days == 0)
	{
		/* Retention is off and no count was given: nothing to do, which the log says. */
		if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) == 0)
			dbk_sqlite_log_prune(database, &pruned, &started);
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) != 0 ||
		dbk_sqlite_check_writable(db, "prune backups", &err) != 0 ||
		dbk_sqlite_open_dir(st, db, false, &d, &err) != 0)
	{
		dbk_sqlite_result_error(ctx, &err);
		dbk_dir_close(&d);
		return;
	}
	rc = dbk_catalog_prune_noting(&dbk_sqlite_allocator, &d, &(dbk_origin) {DBK_SQLITE_ENGINE, database, NULL},
								  DBK_EXT_SQLITE, &r, &pruned, &err);
	/* also after an error: the files deleted before it are gone */
	if (rc == 0 || pruned.count > 0)
		dbk_sqlite_log_prune(database, &pruned, &started);
	if (rc != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_int(ctx, pruned.count);
	dbk_dir_close(&d);
}

int
dbk_sqlite_register_prune(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_prune", 0, 2, DBK_SQLITE_SIDE_EFFECTS, sql_prune, st);
}
