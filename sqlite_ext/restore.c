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
 *   4. lock the database for writing with backup_step(0) (the WAL write
 *      lock, or EXCLUSIVE in rollback mode) through a private connection,
 *      waiting a bounded time;
 *   5. take the safety backup ("pre-restore") through a second connection,
 *      while no other connection can commit: so it holds every write
 *      committed before the restore (see open_reader);
 *   6. copy the pages in with backup_step(-1), which commits atomically
 *      through SQLite's own journal or WAL (no -wal/-shm file is bypassed).
 * It returns the name of the safety backup.  A failure in 5 or 6 rolls the
 * copy back.  The caller's connection sees the restored database at its next
 * statement: the copy changes the schema cookie and the file change counter.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>
#include <unistd.h>


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
 * A second connection to the database file, for reading the safety backup
 * while the restore holds the write lock.  In WAL mode an ordinary
 * connection reads the last committed snapshot.  In rollback mode the lock
 * the restore holds is EXCLUSIVE, so the reader opens with nolock=1: with
 * every writer held off and no page of the restore written yet, the file is
 * exactly the last committed state.
 */
static bool
in_wal_mode(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	bool		wal = false;

	if (sqlite3_prepare_v2(db, "PRAGMA main.journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
		sqlite3_step(stmt) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *) sqlite3_column_text(stmt, 0), "wal") == 0;
	sqlite3_finalize(stmt);
	return wal;
}

/*
 * A private connection to the database file.  The writer has no busy
 * handler, so dbk_sqlite_may_retry alone decides how it waits.  The reader
 * reads the safety backup while the writer holds the lock: in WAL mode an
 * ordinary connection sees the last committed snapshot; in rollback mode the
 * writer's lock is EXCLUSIVE, so the reader opens with nolock=1 — with every
 * other writer held off and no page of the restore written yet, the file is
 * exactly the last committed state.
 */
static int
open_private(const char *file, bool writer, bool wal, sqlite3 **out, dbk_error *err)
{
	char	   *uri = sqlite3_mprintf("file:%s%s", file, (writer || wal) ? "" : "?nolock=1");
	int			rc;

	*out = NULL;
	if (uri == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	rc = sqlite3_open_v2(uri, out, (writer ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI,
						 NULL);
	sqlite3_free(uri);
	if (rc != SQLITE_OK)
		return dbk_sqlite_fail(err, *out, "opening a private connection for the restore");
	return 0;
}

/*
 * Steps 4 to 6 with the unpacked copy open as src: lock, safety backup,
 * copy, through private connections to file.  safety_out gets the name of
 * the safety backup.
 */
static int
lock_safety_copy(sqlite3 *db, sqlite3 *src, const dbk_sqlite_state *st, dbk_dir *d,
				 const char *file, const char *database, char *safety_out, dbk_error *err)
{
	sqlite3_backup *b = NULL;
	sqlite3    *writer = NULL,
			   *reader = NULL;
	dbk_sqlite_wait wait;
	int			rc,
				result = -1;
	bool		wal = in_wal_mode(db);

	if (open_private(file, true, wal, &writer, err) != 0)
		goto done;
	b = sqlite3_backup_init(writer, "main", src, "main");
	if (b == NULL)
	{
		dbk_sqlite_fail(err, writer, "starting the restore");
		goto done;
	}
	/* Copying no page yet takes the write lock, held until the copy commits. */
	dbk_sqlite_wait_start(&wait);
	do
		rc = sqlite3_backup_step(b, 0);
	while (rc != SQLITE_OK && dbk_sqlite_may_retry(rc, &wait));
	if (rc != SQLITE_OK)
	{
		restore_failed(writer, rc, database, err);
		goto done;
	}
	if (open_private(file, false, wal, &reader, err) != 0)
		goto done;
	if (dbk_sqlite_take_backup(reader, st, d, "pre-restore", false, safety_out, err) != 0)
	{
		dbk_error_prefix(err, "could not take the safety backup before restoring: ");
		goto done;
	}
	sqlite3_close(reader);
	reader = NULL;
	dbk_sqlite_wait_start(&wait);
	do
		rc = sqlite3_backup_step(b, -1);
	while (rc != SQLITE_DONE && dbk_sqlite_may_retry(rc, &wait));
	if (rc != SQLITE_DONE)
	{
		restore_failed(writer, rc, database, err);
		goto done;
	}
	result = 0;
done:
	sqlite3_close(reader);
	/* Without SQLITE_DONE this rolls the copy back, releasing the lock. */
	sqlite3_backup_finish(b);
	sqlite3_close(writer);
	return result;
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
				safety[DBK_NAME_MAX + 1];
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
		dbk_catalog_resolve(&dbk_sqlite_allocator, &d, &(dbk_origin) {DBK_SQLITE_ENGINE, database, NULL}, DBK_EXT_SQLITE,
							given, name, &err) != 0 ||
		dbk_sqlite_unpack(&d, name, &t, &header, &err) != 0 ||
		check_database(&header, database, name, other_ok, &err) != 0)
		goto done;
	if (dbk_sqlite_open_unpacked(&d, &t, &src) != SQLITE_OK)
	{
		dbk_sqlite_fail(&err, src, "opening the unpacked backup");
		goto done;
	}
	if (lock_safety_copy(db, src, st, &d, file, database, safety, &err) != 0)
		goto done;
	ok = 1;
	{
		dbk_error	ignored;

		/* The database now is the backup restored: the latest link says so (best effort). */
		(void) dbk_latest_point(&d, database, DBK_EXT_SQLITE, name, &ignored);
	}
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
