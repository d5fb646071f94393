/*
 * verify.c — dbkeeper_verify([name [, from_other_database]]) for SQLite,
 * and the unpacking of a backup that restore builds on.  A backup of
 * another database is refused, after it was read, unless
 * from_other_database: as restore, verify acts on this database's backups.
 *
 * Unpacking reads the whole archive (every zstd checksum, the SHA-256 of the
 * content and of the compressed bytes, the metadata), writes the content to
 * a temporary file in the backup directory, and runs PRAGMA integrity_check
 * on that file.  Verification is unpacking followed by removal of the file.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/archive/archive.h"
#include "../core/archive/backup_header.h"

#define UNPACK_CHUNK (1024 * 1024)

/* PRAGMA integrity_check on the unpacked file; its first complaint on failure. */
static int
check_integrity(const dbk_dir *d, const dbk_temp *t, const char *what, dbk_error *err)
{
	sqlite3    *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int			rc = -1;

	/*
	 * Mapped into memory (up to SQLite's default ceiling of 2 GiB): the
	 * check looks every row of a table up in each of its indexes, in rowid
	 * order, so an index larger than the page cache was read one pread() a
	 * row; mapped, those reads cost no system call.  The mapping is of the
	 * file, which is in the page cache anyway: it shows in the resident
	 * set, not in the process's own memory.
	 */
	if (dbk_sqlite_open_unpacked(d, t, &db) != SQLITE_OK ||
		sqlite3_exec(db, "PRAGMA mmap_size=" DBK_SQLITE_UNPACKED_MMAP, NULL, NULL, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &stmt, NULL) != SQLITE_OK)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s does not hold a usable SQLite database: %s", what,
				 db ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	if (sqlite3_step(stmt) != SQLITE_ROW)
		dbk_fail(err, DBK_E_CORRUPT, "%s does not hold a usable SQLite database: %s", what,
				 sqlite3_errmsg(db));
	else if (strcmp((const char *) sqlite3_column_text(stmt, 0), "ok") != 0)
		dbk_fail(err, DBK_E_CORRUPT, "%s fails PRAGMA integrity_check: %s", what,
				 (const char *) sqlite3_column_text(stmt, 0));
	else
		rc = 0;
done:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rc;
}

int
dbk_sqlite_unpack(dbk_dir *d, const char *name, dbk_temp *t, dbk_meta *header, dbk_error *err)
{
	char		what[DBK_NAME_MAX + 16];
	dbk_fd_stream in = {-1, what};
	dbk_archive_reader *r = NULL;
	char	   *buf = NULL;
	size_t		got;
	int			rc = -1;

	snprintf(what, sizeof(what), "backup \"%s\"", name);
	t->fd = -1;
	t->name[0] = '\0';
	if (dbk_backup_open(d, name, &in.fd, err) != 0)
		return -1;
	if ((r = dbk_archive_reader_open(&dbk_sqlite_allocator, dbk_fd_source(&in), what, err)) == NULL ||
		dbk_header_check(dbk_archive_reader_header(r), DBK_SQLITE_ENGINE, what, err) != 0 ||
		dbk_temp_create(d, "unpack", t, err) != 0)
		goto done;
	if ((buf = sqlite3_malloc64(UNPACK_CHUNK)) == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	do
	{
		if (dbk_archive_read(r, buf, UNPACK_CHUNK, &got, err) != 0 ||
			dbk_write_all(t->fd, buf, got, "a temporary file in the backup directory", err) != 0)
			goto done;
	} while (got > 0);
	if (check_integrity(d, t, what, err) != 0 ||
		dbk_meta_merge(header, dbk_archive_reader_header(r), err) != 0)
		goto done;
	rc = 0;
done:
	if (rc != 0)
		dbk_temp_remove(d, t);
	sqlite3_free(buf);
	dbk_archive_reader_free(r);
	if (in.fd >= 0)
		close(in.fd);
	return rc;
}

static void
sql_verify(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *given = argc > 0 ? (const char *) sqlite3_value_text(argv[0]) : NULL;
	bool		other_ok = argc > 1 && sqlite3_value_int(argv[1]) != 0;
	const char *file;
	char		database[128],
				name[DBK_NAME_MAX + 1];
	dbk_dir		d = {-1, ""};
	dbk_temp	t = {-1, ""};
	dbk_meta	header;
	dbk_error	err;

	if (argc > 1 && sqlite3_value_type(argv[1]) == SQLITE_NULL)
	{
		dbk_fail_null(&err, "from_other_database");
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	dbk_meta_init(&header, &dbk_sqlite_allocator);
	if (dbk_sqlite_main_file(db, &file, database, sizeof(database), &err) != 0 ||
		dbk_sqlite_open_dir(st, db, false, &d, &err) != 0 ||
		dbk_catalog_resolve(&dbk_sqlite_allocator, &d, &(dbk_origin) {DBK_SQLITE_ENGINE, database, NULL}, DBK_EXT_SQLITE,
							given, name, &err) != 0 ||
		dbk_sqlite_unpack(&d, name, &t, &header, &err) != 0 ||
		dbk_sqlite_check_origin(db, &header, name, other_ok, "verify it", "dbkeeper_verify", &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_int(ctx, 1);
	dbk_temp_remove(&d, &t);
	dbk_meta_free(&header);
	dbk_dir_close(&d);
}

int
dbk_sqlite_register_verify(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_verify", 0, 2, DBK_SQLITE_SIDE_EFFECTS, sql_verify, st);
}
