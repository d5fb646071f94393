/*
 * restore.c — dbkeeper_restore([name [, from_other_database]]) for SQLite.
 *
 * Order of work, each step ending the call on failure with the database as
 * it was:
 *   1. refuse inside a transaction or while a statement of this connection
 *      reads the database (the backup API cannot write to it then), and on
 *      a read-only connection (mode=ro, a read-only file, PRAGMA
 *      query_only): it must not write what its own statements cannot;
 *   2. unpack the backup to a temporary file: every checksum and
 *      PRAGMA integrity_check (verify.c);
 *   3. refuse a backup of another database unless from_other_database;
 *   4. lock the database for writing with backup_step(0) (the WAL write
 *      lock, or EXCLUSIVE in rollback mode) through a private connection,
 *      waiting a bounded time;
 *   5. refuse during maintenance unless this connection is admitted (read
 *      under the lock), then take the safety backup ("pre-restore") through
 *      a second connection, while no other connection can commit: so it
 *      holds every write committed before the restore (see open_private);
 *   6. put dbkeeper's own state of the live database into the unpacked
 *      copy (keep_own_tables): the maintenance state, the schema registry,
 *      the database-level settings and the identity are after the restore
 *      what they were before it, as on PostgreSQL;
 *   7. copy the pages in with backup_step(-1), which commits atomically
 *      through SQLite's own journal or WAL (no -wal/-shm file is bypassed).
 * It returns the name of the safety backup.  A failure in 5 to 7 rolls the
 * copy back.  The caller's connection sees the restored database at its next
 * statement: the copy changes the schema cookie and the file change counter.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <errno.h>
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
restore_failed(sqlite3 *db, int rc, const char *database, const dbk_sqlite_wait *wait,
			   dbk_error *err)
{
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
	{
		double		waited = dbk_sqlite_waited_ms(wait) / 1000.0;

		dbk_fail(err, DBK_E_BUSY, "could not lock database \"%s\" for the restore: it stayed locked for %.1f seconds",
				 database, waited);
		dbk_error_detail(err, "Another connection kept a transaction open the whole time; a restore needs a moment when no transaction is writing (and, in rollback-journal mode, none is reading).");
		dbk_error_hint(err, "Retry when the other connections are idle, or stop the processes that use the database.");
		return -1;
	}
	if ((rc & 0xff) == SQLITE_READONLY)
	{
		if (sqlite3_db_readonly(db, "main") == 1)
		{
			dbk_fail(err, DBK_E_STATE, "cannot restore into database \"%s\": the database file is read-only", database);
			dbk_error_hint(err, "Give the user dbkeeper runs as write permission on the file and its directory.");
		}
		else
		{
			dbk_fail(err, DBK_E_STATE, "cannot restore into database \"%s\": it is in WAL mode and the backup has a different page size",
					 database);
			dbk_error_hint(err, "PRAGMA journal_mode=DELETE first allows a different page size; PRAGMA page_size tells this database's.");
		}
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

/* dbkeeper's tables whose live content a restore keeps (step 6). */
static const char *const kept_tables[] = {
	"dbkeeper_banner_state", "dbkeeper_schema_version", DBK_SETTINGS_TABLE, DBK_IDENTITY_TABLE,
};

/* Runs sql on db; text parameter p bound to ?1 when given. */
static int
run_sql(sqlite3 *db, const char *sql, const char *p)
{
	sqlite3_stmt *q = NULL;
	int			rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	if (rc == SQLITE_OK && p)
		rc = sqlite3_bind_text(q, 1, p, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
		rc = SQLITE_OK;
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Replaces table in src's main by the live one (or drops it if live has none). */
static int
keep_table(sqlite3 *src, const char *table)
{
	sqlite3_stmt *q = NULL;
	char	   *sql;
	bool		exists = false;
	int			rc;

	sql = sqlite3_mprintf("DROP TABLE IF EXISTS main.\"%w\"", table);
	rc = sql ? run_sql(src, sql, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	/* The table first, then its indexes, as the live database defines them. */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(src, "SELECT sql, type = 'table' FROM live.sqlite_schema"
								" WHERE tbl_name = ?1 AND sql IS NOT NULL"
								" AND type IN ('table', 'index') ORDER BY type = 'index'", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
	{
		exists = exists || sqlite3_column_int(q, 1);
		rc = sqlite3_exec(src, (const char *) sqlite3_column_text(q, 0), NULL, NULL, NULL);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	if (rc == SQLITE_OK && exists)
	{
		sql = sqlite3_mprintf("INSERT INTO main.\"%w\" SELECT * FROM live.\"%w\"", table, table);
		rc = sql ? run_sql(src, sql, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	return rc;
}

/* A file: URI for path, with the characters URIs give a meaning escaped. */
static char *
file_uri(const char *path, const char *query)
{
	sqlite3_str *s = sqlite3_str_new(NULL);

	sqlite3_str_appendall(s, "file:");
	for (const unsigned char *p = (const unsigned char *) path; *p; p++)
	{
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20)
			sqlite3_str_appendf(s, "%%%02X", *p);
		else
			sqlite3_str_appendchar(s, 1, (char) *p);
	}
	sqlite3_str_appendall(s, query);
	return sqlite3_str_finish(s);
}

/*
 * Step 6: the live database's dbkeeper tables (kept_tables) replace the
 * backup's in the unpacked copy src, read from the live file while the
 * restore holds its write lock (WAL: the last committed snapshot; rollback
 * mode: nolock=1, as open_private explains).
 */
static int
keep_own_tables(sqlite3 *src, const char *file, bool wal, dbk_error *err)
{
	char	   *uri = file_uri(file, wal ? "?mode=ro" : "?mode=ro&nolock=1");
	int			rc = uri ? run_sql(src, "ATTACH ?1 AS live", uri) : SQLITE_NOMEM;

	sqlite3_free(uri);
	if (rc == SQLITE_OK)
		rc = run_sql(src, "BEGIN", NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(kept_tables) / sizeof(kept_tables[0]); i++)
		rc = keep_table(src, kept_tables[i]);
	if (rc == SQLITE_OK)
		rc = run_sql(src, "COMMIT", NULL);
	if (rc != SQLITE_OK)
	{
		dbk_sqlite_fail(err, src, "keeping dbkeeper's state (maintenance, registry, settings) across the restore");
		(void) sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	}
	(void) sqlite3_exec(src, "DETACH live", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * The unpacked copy, opened for writing by keep_own_tables: the file
 * format bytes say rollback journal (a copy of a WAL database would
 * otherwise get -wal and -shm files), the journal is kept in memory, the
 * lock is exclusive (the file is private), and the file is mapped into
 * memory, so that the copy into the live database reads its pages without
 * a system call each (verify.c's integrity check says more).
 */
static int
open_unpacked_rw(const dbk_dir *d, dbk_temp *t, sqlite3 **out, dbk_error *err)
{
	static const unsigned char rollback[2] = {1, 1};
	char		path[4200];
	char	   *uri;

	*out = NULL;
	if (pwrite(t->fd, rollback, 2, 18) != 2)
		return dbk_fail_errno(err, errno, "could not prepare the unpacked backup");
	dbk_temp_path(d, t, path, sizeof(path));
	if ((uri = file_uri(path, "")) == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	if (sqlite3_open_v2(uri, out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
		sqlite3_exec(*out, "PRAGMA main.locking_mode=EXCLUSIVE; PRAGMA main.journal_mode=MEMORY;"
					 "PRAGMA main.mmap_size=" DBK_SQLITE_UNPACKED_MMAP ";",
					 NULL, NULL, NULL) != SQLITE_OK)
	{
		sqlite3_free(uri);
		return dbk_sqlite_fail(err, *out, "opening the unpacked backup");
	}
	sqlite3_free(uri);
	return 0;
}

/*
 * Steps 4 to 7 with the unpacked copy open as src: lock, safety backup,
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
		restore_failed(writer, rc, database, &wait, err);
		goto done;
	}
	if (open_private(file, false, wal, &reader, err) != 0 ||
		dbk_sqlite_maintenance_check(reader, st, "restore", err) != 0)
		goto done;
	if (dbk_sqlite_take_backup(reader, st, d, "pre-restore", false, safety_out, err) != 0)
	{
		dbk_error_prefix(err, "could not take the safety backup before restoring: ");
		goto done;
	}
	sqlite3_close(reader);
	reader = NULL;
	if (keep_own_tables(src, file, wal, err) != 0)
		goto done;
	dbk_sqlite_wait_start(&wait);
	do
		rc = sqlite3_backup_step(b, -1);
	while (rc != SQLITE_DONE && dbk_sqlite_may_retry(rc, &wait));
	if (rc != SQLITE_DONE)
	{
		restore_failed(writer, rc, database, &wait, err);
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

	struct timespec started;

	clock_gettime(CLOCK_MONOTONIC, &started);
	if (argc > 1 && sqlite3_value_type(argv[1]) == SQLITE_NULL)
	{
		dbk_fail_null(&err, "from_other_database");
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	dbk_meta_init(&header, &dbk_sqlite_allocator);
	if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) != 0 ||
		check_connection(db, &err) != 0 ||
		dbk_sqlite_check_writable(db, "restore", &err) != 0 ||
		dbk_sqlite_open_dir(st, db, false, &d, &err) != 0 ||
		dbk_catalog_resolve(&dbk_sqlite_allocator, &d, &(dbk_origin) {DBK_SQLITE_ENGINE, database, NULL}, DBK_EXT_SQLITE,
							given, name, &err) != 0 ||
		dbk_sqlite_unpack(&d, name, &t, &header, &err) != 0 ||
		dbk_sqlite_check_origin(db, &header, name, other_ok, "restore it here", "dbkeeper_restore", &err) != 0)
		goto done;
	if (open_unpacked_rw(&d, &t, &src, &err) != 0)
		goto done;
	if (lock_safety_copy(db, src, st, &d, file, database, safety, &err) != 0)
		goto done;
	ok = 1;
	{
		dbk_error	ignored;

		/* The database now is the backup restored: the latest link says so (best effort). */
		(void) dbk_latest_point(&d, database, DBK_EXT_SQLITE, name, &ignored);
	}
	dbk_sqlite_log_restore(database, &d, name, safety, &started);
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
