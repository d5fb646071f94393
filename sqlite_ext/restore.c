/*
 * restore.c — dbkeeper_restore([name [, from_other_database]]) for SQLite.
 *
 * Order of work, each step ending the call on failure with the database as
 * it was:
 *   1. refuse inside a transaction or while a statement of this connection
 *      reads the database (the backup API cannot write to it then);
 *   2. unpack the backup to a temporary file: every checksum and
 *      PRAGMA integrity_check (verify.c);
 *   3. refuse a backup of another database unless from_other_database;
 *   4. take the safety backup ("pre-restore") of the current state;
 *   5. lock the database for writing with backup_step(0) and check, through
 *      SQLITE_FCNTL_DATA_VERSION, that nobody committed since the safety
 *      backup's snapshot; if somebody did, drop that safety backup and go
 *      back to 4 (a bounded number of times), so the safety backup always
 *      holds every write committed before the restore;
 *   6. copy the pages in with backup_step(-1), which commits atomically
 *      through SQLite's own journal or WAL (no -wal/-shm file is bypassed).
 * It returns the name of the safety backup.  No other SQL runs on this
 * connection between steps 5 and 6.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SAFETY_ATTEMPTS 5

static int
check_connection(sqlite3 *db, dbk_error *err)
{
	if (!sqlite3_get_autocommit(db))
	{
		dbk_fail(err, DBK_E_STATE, "cannot restore inside a transaction");
		dbk_error_hint(err, "COMMIT or ROLLBACK first; dbkeeper_restore() commits on its own.");
		return -1;
	}
	if (sqlite3_txn_state(db, "main") != SQLITE_TXN_NONE)
	{
		dbk_fail(err, DBK_E_STATE, "cannot restore while a statement of this connection is reading the database");
		dbk_error_hint(err, "Finish or reset the other statements of this connection first.");
		return -1;
	}
	return 0;
}

static int
check_database(const dbk_meta *header, const char *database, const char *name, bool other_ok,
			   dbk_error *err)
{
	const char *from = dbk_meta_get(header, "database");

	if (other_ok || (from && strcmp(from, database) == 0))
		return 0;
	dbk_fail(err, DBK_E_INVALID, "backup \"%s\" is of database \"%s\", not \"%s\"", name,
			 from ? from : "(unknown)", database);
	dbk_error_hint(err, "To restore it here anyway, call dbkeeper_restore('%s', true).", name);
	return -1;
}

static unsigned
data_version(sqlite3 *db)
{
	unsigned	v = 0;

	(void) sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &v);
	return v;
}

static int
restore_failed(sqlite3 *db, int rc, const char *database, dbk_error *err)
{
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
	{
		dbk_fail(err, DBK_E_BUSY, "could not lock database \"%s\" for the restore within %d seconds",
				 database, DBK_SQLITE_LOCK_WAIT_MS / 1000);
		dbk_error_hint(err, "Other connections are using it; retry, or begin maintenance mode first.");
		return -1;
	}
	if (rc == SQLITE_READONLY)
	{
		dbk_fail(err, DBK_E_STATE, "cannot restore into database \"%s\": it is read-only, or in WAL mode with a different page size than the backup",
				 database);
		dbk_error_hint(err, "Compare PRAGMA page_size here and in the backup; PRAGMA journal_mode=DELETE allows a different page size.");
		return -1;
	}
	return dbk_fail(err, DBK_E_IO, "could not restore database \"%s\": %s", database,
					sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/*
 * Steps 4 to 6 with the unpacked copy open as src.  safety_out gets the
 * name of the safety backup.
 */
static int
safety_then_copy(sqlite3 *db, sqlite3 *src, const dbk_sqlite_state *st, dbk_dir *d,
				 const char *database, char *safety_out, dbk_error *err)
{
	for (int attempt = 1;; attempt++)
	{
		sqlite3_backup *b;
		unsigned	seen;
		int			rc,
					waited = 0;

		if (dbk_sqlite_take_backup(db, st, d, "pre-restore", false, safety_out, err) != 0)
		{
			dbk_error_prefix(err, "could not take the safety backup before restoring: ");
			return -1;
		}
		seen = data_version(db);
		b = sqlite3_backup_init(db, "main", src, "main");
		if (b == NULL)
			return dbk_sqlite_fail(err, db, "starting the restore");
		do
			rc = sqlite3_backup_step(b, 0);
		while (rc == SQLITE_OK ? false : dbk_sqlite_may_retry(rc, &waited));
		if (rc == SQLITE_OK && data_version(db) == seen)
		{
			/* Locked, and nothing committed since the safety backup's snapshot. */
			do
				rc = sqlite3_backup_step(b, -1);
			while (rc != SQLITE_DONE && dbk_sqlite_may_retry(rc, &waited));
			sqlite3_backup_finish(b);
			return rc == SQLITE_DONE ? 0 : restore_failed(db, rc, database, err);
		}
		sqlite3_backup_finish(b);
		if (rc != SQLITE_OK)
			return restore_failed(db, rc, database, err);
		if (attempt == SAFETY_ATTEMPTS)
		{
			dbk_fail(err, DBK_E_BUSY, "database \"%s\" kept changing while the safety backup was taken",
					 database);
			dbk_error_detail(err, "Other connections committed %d times between the safety backup and the restore; nothing was restored.",
							 attempt);
			dbk_error_hint(err, "Stop the writers or begin maintenance mode, then retry.");
			return -1;
		}
		/* Stale: it misses a commit. The next attempt takes a fresh one. */
		(void) unlinkat(d->fd, safety_out, 0);
	}
}

static void
sql_restore(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *given = argc > 0 ? (const char *) sqlite3_value_text(argv[0]) : NULL;
	bool		other_ok = argc > 1 && sqlite3_value_int(argv[1]) != 0;
	const char *file;
	char		database[128],
				name[DBK_NAME_MAX + 1],
				safety[DBK_NAME_MAX + 1],
				path[4200];
	dbk_dir		d = {-1, ""};
	dbk_temp	t = {-1, ""};
	dbk_meta	header;
	sqlite3    *src = NULL;
	dbk_error	err;
	int			ok = 0;

	dbk_meta_init(&header, &dbk_sqlite_allocator);
	if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) != 0 ||
		check_connection(db, &err) != 0 ||
		dbk_sqlite_open_dir(st, db, false, &d, &err) != 0 ||
		dbk_sqlite_resolve(&d, database, given, name, &err) != 0 ||
		dbk_sqlite_unpack(&d, name, &t, &header, &err) != 0 ||
		check_database(&header, database, name, other_ok, &err) != 0)
		goto done;
	dbk_temp_path(&d, &t, path, sizeof(path));
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(&err, src, "opening the unpacked backup");
		goto done;
	}
	if (safety_then_copy(db, src, st, &d, database, safety, &err) != 0)
		goto done;
	ok = 1;
done:
	sqlite3_close(src);
	dbk_temp_remove(&d, &t);
	dbk_meta_free(&header);
	dbk_dir_close(&d);
	if (ok)
		sqlite3_result_text(ctx, safety, -1, SQLITE_TRANSIENT);
	else
		dbk_sqlite_result_error(ctx, &err);
}

int
dbk_sqlite_register_restore(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_restore", 0, 2, DBK_SQLITE_SIDE_EFFECTS, sql_restore, st);
}
