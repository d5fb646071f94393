/*
 * backup.c — dbkeeper_backup([label]) for SQLite.
 *
 * A backup never reads the live database file directly: the online backup
 * API reads the pages of one read snapshot through SQLite's pager.
 *
 * In WAL mode the snapshot is a read transaction the backup holds on the
 * caller's connection for the whole backup: it does not block writers, so
 * the pages are streamed in one pass straight into the archive writer
 * (page_stream.c), compressed on worker threads while the next pages are
 * read, and the schema recorded in the header is read in the same snapshot.
 *
 * In rollback-journal mode a read transaction holds a SHARED lock, which
 * keeps every writer from committing.  So that it is held no longer than
 * reading takes, the pages are first copied into a temporary database file
 * in the backup directory, the lock is released, and that file is then
 * compressed.
 *
 * Either way the archive is written to a temporary file, published under its
 * final name only when complete.  On any failure the temporary files are
 * removed and nothing new is visible.  Retention runs after a successful
 * publication.
 *
 * A connection inside a write transaction is refused at once: the backup
 * API would report SQLITE_BUSY on every step for as long as it lasts.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/archive/archive.h"
#include "../core/archive/backup_header.h"
#include "../core/archive/catalog.h"
#include "../core/fingerprint/schema.h"

#define COPY_CHUNK (1024 * 1024)
/* zstd workers of a streamed backup: the reading thread feeds two cores. */
#define STREAM_WORKERS 2

static int
busy_error(const char *database, const dbk_sqlite_wait *wait, dbk_error *err)
{
	/*
	 * The real wait: a step can itself wait longer than our bound, in the
	 * busy handler of the caller's connection.
	 */
	dbk_fail(err, DBK_E_BUSY, "database \"%s\" stayed locked for %.1f seconds", database,
			 dbk_sqlite_waited_ms(wait) / 1000.0);
	dbk_error_detail(err, "Another connection held a lock that prevented reading a consistent snapshot; dbkeeper gives up after %d seconds.",
					 DBK_SQLITE_LOCK_WAIT_MS / 1000);
	dbk_error_hint(err, "Retry when the writing transaction is over; in WAL mode a backup waits only for a checkpoint or recovery.");
	return -1;
}

static int
check_source(sqlite3 *src, dbk_error *err)
{
	if (sqlite3_txn_state(src, "main") == SQLITE_TXN_WRITE)
		return dbk_backup_fail_in_write_txn(err, "The backup would wait for this connection's own transaction forever.");
	return 0;
}

/* Copies every page of src's main database into the empty file at path. */
static int
copy_pages(sqlite3 *src, const char *database, const char *path, dbk_error *err)
{
	sqlite3    *dest = NULL;
	sqlite3_backup *b;
	int			rc;
	int			result = -1;
	dbk_sqlite_wait wait;

	if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, dest, "opening the temporary copy");
		goto done;
	}
	/* The copy is private and thrown away on failure: no journal, no syncs. */
	if (sqlite3_exec(dest, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
					 "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-4096;",
					 NULL, NULL, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, dest, "preparing the temporary copy");
		goto done;
	}
	b = sqlite3_backup_init(dest, "main", src, "main");
	if (b == NULL)
	{
		dbk_sqlite_fail(err, dest, "starting the copy");
		goto done;
	}
	dbk_sqlite_wait_start(&wait);
	do
		rc = sqlite3_backup_step(b, -1);
	while (rc != SQLITE_DONE && dbk_sqlite_may_retry(rc, &wait));
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		result = 0;
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		busy_error(database, &wait, err);
	else if (rc == SQLITE_NOMEM)
		dbk_fail(err, DBK_E_NOMEM, "out of memory copying database \"%s\"", database);
	else
	{
		int			sys = sqlite3_system_errno(dest);

		/* The system's reason (disk full, file too large) says the most. */
		if (sys != 0)
			dbk_fail_errno(err, sys, "could not copy database \"%s\" into the backup directory", database);
		else
			dbk_fail(err, DBK_E_IO, "could not copy database \"%s\" into the backup directory: %s",
					 database, sqlite3_errstr(rc));
	}
done:
	sqlite3_close(dest);
	return result;
}

static int
make_header(dbk_meta *h, const dbk_sqlite_identity *ident, const struct timespec *now,
			const char *label, int level, dbk_error *err)
{
	dbk_header_key identity[] = {
		{"database_id", ident->id},
		{"source_file", ident->path},
	};
	dbk_header_info info = {
		.engine = DBK_SQLITE_ENGINE,
		.database = ident->name,
		.identity = identity,
		.nidentity = sizeof(identity) / sizeof(identity[0]),
		.created = *now,
		.label = label,
		.server_version = sqlite3_libversion(),
		.dbkeeper_version = DBKEEPER_VERSION,
		.compression_level = level,
	};

	return dbk_header_build(h, &info, err);
}

/*
 * Adds the schema's fingerprint and canonical description (keys
 * "fingerprint" and "schema") of db's main database to the header.  db reads
 * the snapshot the content is copied from (a read transaction held over the
 * whole copy, or the temporary copy), so the recorded schema is exactly the
 * schema of the content, even if another connection changes the schema
 * while the backup runs.
 */
static int
record_schema(sqlite3 *db, dbk_meta *h, dbk_error *err)
{
	dbk_schema	s;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *text = NULL;
	size_t		len;
	int			rc = -1;

	dbk_schema_init(&s, &dbk_sqlite_allocator, DBK_SCHEMA_FORMAT_SQLITE);
	if (dbk_sqlite_schema_describe(db, &s, err) != 0 ||
		dbk_schema_fingerprint(&s, hex, err) != 0 ||
		dbk_schema_text(&s, &text, &len, err) != 0 ||
		dbk_meta_set(h, "fingerprint", hex, err) != 0 ||
		dbk_meta_set(h, "schema", text, err) != 0)
		goto done;
	rc = 0;
done:
	dbk_free(&dbk_sqlite_allocator, text);
	dbk_schema_free(&s);
	return rc;
}

/* record_schema of the temporary copy at path, opened read-only, unchanged. */
static int
record_copy_schema(const char *path, dbk_meta *h, dbk_error *err)
{
	sqlite3    *copy = NULL;
	char	   *uri;
	int			rc = -1;

	/* immutable=1: no locks and no -wal or -shm files beside the copy. */
	uri = sqlite3_mprintf("file:%s?immutable=1", path);
	if (uri == NULL)
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
	else if (sqlite3_open_v2(uri, &copy, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		dbk_sqlite_fail(err, copy, "opening the temporary copy to read its schema");
	else
		rc = record_schema(copy, h, err);
	sqlite3_close(copy);
	sqlite3_free(uri);
	return rc;
}

/*
 * Starts a read transaction on src's main database, held until *snap is
 * finalized: a statement stepped to its only row keeps its transaction open
 * (when the caller is inside BEGIN, the caller's own).  *wal tells whether
 * the database is in WAL mode, known once it has been read; *page_size is
 * its page size.
 */
static int
hold_snapshot(sqlite3 *src, const char *database, sqlite3_stmt **snap, bool *wal,
			  int *page_size, dbk_error *err)
{
	sqlite3_stmt *q = NULL;
	dbk_sqlite_wait wait;
	int			rc = SQLITE_ERROR;

	*snap = NULL;
	dbk_sqlite_wait_start(&wait);
	/* Preparing reads the schema, so it may meet the lock too. */
	for (;;)
	{
		if (*snap == NULL)
			rc = sqlite3_prepare_v2(src, "SELECT count(*) FROM main.sqlite_schema", -1, snap, NULL);
		if (*snap != NULL && (rc = sqlite3_step(*snap)) != SQLITE_ROW)
			sqlite3_reset(*snap);
		if (rc == SQLITE_ROW || !dbk_sqlite_may_retry(rc, &wait))
			break;
	}
	if (rc != SQLITE_ROW)
	{
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			return busy_error(database, &wait, err);
		return dbk_sqlite_fail(err, src, "starting the backup's read transaction");
	}
	*wal = false;
	*page_size = 0;
	if (sqlite3_prepare_v2(src, "PRAGMA main.journal_mode", -1, &q, NULL) == SQLITE_OK &&
		sqlite3_step(q) == SQLITE_ROW)
		*wal = sqlite3_stricmp((const char *) sqlite3_column_text(q, 0), "wal") == 0;
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(src, "PRAGMA main.page_size", -1, &q, NULL) == SQLITE_OK &&
		sqlite3_step(q) == SQLITE_ROW)
		*page_size = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (*page_size < 512 || *page_size > 65536 || (*page_size & (*page_size - 1)) != 0)
		return dbk_sqlite_fail(err, src, "reading the database's page size");
	return 0;
}

/* Streams src's pages (a snapshot held) into a new archive on out. */
static int
stream_archive(sqlite3 *src, const char *database, int page_size, dbk_temp *out,
			   const dbk_meta *header, int level, const struct timespec *started, dbk_error *err)
{
	dbk_fd_stream os = {out->fd, "the new backup"};
	dbk_archive_writer *w;
	dbk_archive_summary summary;
	dbk_meta	trailer;
	struct timespec finished;
	int			rc = -1;

	dbk_meta_init(&trailer, &dbk_sqlite_allocator);
	w = dbk_archive_writer_open_threaded(&dbk_sqlite_allocator, &dbk_libc_allocator,
										 dbk_fd_sink(&os), header, level, STREAM_WORKERS, err);
	if (w != NULL &&
		dbk_sqlite_stream_pages(src, database, page_size, w, err) == 0)
	{
		/* A page copy counts no rows: the trailer records only the duration. */
		clock_gettime(CLOCK_REALTIME, &finished);
		if (dbk_trailer_build(&trailer, started, &finished, false, 0, err) == 0)
			rc = dbk_archive_writer_finish(w, &trailer, &summary, err);
	}
	dbk_meta_free(&trailer);
	dbk_archive_writer_free(w);
	return rc;
}

/* Streams the file behind fd (from its start) into a new archive on out. */
static int
compress_file(int fd, dbk_temp *out, const dbk_meta *header, int level,
			  const struct timespec *started, dbk_error *err)
{
	dbk_fd_stream os = {out->fd, "the new backup"};
	dbk_archive_writer *w;
	dbk_archive_summary summary;
	dbk_meta	trailer;
	struct timespec finished;
	char	   *buf = sqlite3_malloc64(COPY_CHUNK);
	int			rc = -1;
	off_t		off = 0;

	dbk_meta_init(&trailer, &dbk_sqlite_allocator);
	if (buf == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	w = dbk_archive_writer_open(&dbk_sqlite_allocator, dbk_fd_sink(&os), header, level, 1, err);
	if (w == NULL)
		goto done;
	for (;;)
	{
		ssize_t		n = pread(fd, buf, COPY_CHUNK, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			dbk_fail_errno(err, errno, "could not read the temporary copy");
			goto done;
		}
		if (n == 0)
			break;
		if (dbk_archive_write(w, buf, (size_t) n, err) != 0)
			goto done;
		off += n;
	}
	/* A page copy counts no rows: the trailer records only the duration. */
	clock_gettime(CLOCK_REALTIME, &finished);
	if (dbk_trailer_build(&trailer, started, &finished, false, 0, err) != 0)
		goto done;
	rc = dbk_archive_writer_finish(w, &trailer, &summary, err);
done:
	dbk_meta_free(&trailer);
	dbk_archive_writer_free(w);
	sqlite3_free(buf);
	return rc;
}

int
dbk_sqlite_take_backup(sqlite3 *src, const dbk_sqlite_state *st, dbk_dir *d, const char *label,
					   bool apply_retention, char *name_out, dbk_error *err)
{
	dbk_temp	copy = {-1, ""},
				archive = {-1, ""};
	sqlite3_stmt *snap = NULL;
	bool		wal = false;
	int			page_size = 0;
	dbk_meta	header;
	struct timespec now;
	dbk_sqlite_identity ident;
	const char *database;
	char		path[4200];
	int			rc = -1;
	int			level = dbk_sqlite_level(st, src);
	sqlite3_int64 keep = dbk_sqlite_keep(st, src);
	struct timespec started;

	clock_gettime(CLOCK_MONOTONIC, &started);
	dbk_meta_init(&header, &dbk_sqlite_allocator);
	if (dbk_sqlite_identity_read(src, &ident, err) != 0 ||
		check_source(src, err) != 0 || dbk_label_check(label, err) != 0)
		goto done;
	database = ident.name;
	(void) dbk_dir_sweep(d, NULL, err);
	clock_gettime(CLOCK_REALTIME, &now);
	if (make_header(&header, &ident, &now, label, level, err) != 0 ||
		hold_snapshot(src, database, &snap, &wal, &page_size, err) != 0)
		goto done;
	if (wal)
	{
		/* One pass, in the snapshot held. */
		if (record_schema(src, &header, err) != 0 ||
			dbk_temp_create(d, "backup", &archive, err) != 0 ||
			stream_archive(src, database, page_size, &archive, &header, level, &now, err) != 0)
			goto done;
	}
	else
	{
		/* Not a SHARED lock held while compressing: a copy first. */
		sqlite3_finalize(snap);
		snap = NULL;
		if (dbk_temp_create(d, "copy", &copy, err) != 0)
			goto done;
		dbk_temp_path(d, &copy, path, sizeof(path));
		if (copy_pages(src, database, path, err) != 0 ||
			record_copy_schema(path, &header, err) != 0 ||
			dbk_temp_create(d, "backup", &archive, err) != 0 ||
			compress_file(copy.fd, &archive, &header, level, &now, err) != 0)
			goto done;
		dbk_temp_remove(d, &copy);
	}
	sqlite3_finalize(snap);
	snap = NULL;
	/* A restore's safety backup leaves the latest link alone (restore.c). */
	if (dbk_publish(d, &archive, database, now.tv_sec, label, DBK_EXT_SQLITE, apply_retention,
					name_out, err) != 0)
		goto done;
	rc = 0;
	dbk_sqlite_log_backup(database, d, name_out, &started);
	if (apply_retention)
	{
		dbk_origin	o = {DBK_SQLITE_ENGINE, database, NULL};
		dbk_retention r = {keep, dbk_sqlite_keep_days(st, src), NULL, now.tv_sec};
		dbk_error	ignored;
		dbk_pruned	pruned;

		/* Best effort: the backup is published; dbkeeper_prune() reports errors. */
		clock_gettime(CLOCK_MONOTONIC, &started);
		(void) dbk_catalog_prune_noting(&dbk_sqlite_allocator, d, &o, DBK_EXT_SQLITE, &r, &pruned, &ignored);
		if (pruned.count > 0)
			dbk_sqlite_log_prune(database, &pruned, &started);
	}
done:
	sqlite3_finalize(snap);
	dbk_temp_remove(d, &copy);
	dbk_temp_remove(d, &archive);
	dbk_meta_free(&header);
	return rc;
}

static void
sql_backup(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *label = argc > 0 ? (const char *) sqlite3_value_text(argv[0]) : NULL;
	char		name[DBK_NAME_MAX + 1];
	dbk_dir		d = {-1, ""};
	dbk_error	err;

	dbk_sqlite_identity_ensure(db);
	if (dbk_sqlite_open_dir(st, db, true, &d, &err) != 0 ||
		dbk_sqlite_take_backup(db, st, &d, label, true, name, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_text(ctx, name, -1, SQLITE_TRANSIENT);
	dbk_dir_close(&d);
}

int
dbk_sqlite_register_backup(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_backup", 0, 1, DBK_SQLITE_SIDE_EFFECTS, sql_backup, st);
}
