/*
 * backup.c — dbkeeper_backup([label]) for SQLite.
 *
 * A backup never reads the live database file directly.  The online backup
 * API copies the pages of one read snapshot into a temporary database file
 * in the backup directory (so writers in WAL mode carry on, and in rollback
 * mode wait at most for the copy); that file is then streamed through the
 * archive writer into a second temporary file, which is published under its
 * final name.  On any failure both temporary files are removed and nothing
 * new is visible.  Retention runs after a successful publication.
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
	{
		/*
		 * The real wait: a step can itself wait longer than our bound, in
		 * the busy handler of the caller's connection.
		 */
		dbk_fail(err, DBK_E_BUSY, "database \"%s\" stayed locked for %.1f seconds", database,
				 dbk_sqlite_waited_ms(&wait) / 1000.0);
		dbk_error_detail(err, "Another connection held a lock that prevented reading a consistent snapshot; dbkeeper gives up after %d seconds.",
						 DBK_SQLITE_LOCK_WAIT_MS / 1000);
		dbk_error_hint(err, "Retry when the writing transaction is over; in WAL mode a backup waits only for a checkpoint or recovery.");
	}
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
 * "fingerprint" and "schema") to the header.  They are read from the
 * temporary copy at path, not from the live database: the copy is one
 * consistent snapshot by construction, so the recorded schema is exactly
 * the schema of the content, even if another connection changed the schema
 * while the copy ran.  The copy is opened read-only and is not changed.
 */
static int
record_schema(const char *path, dbk_meta *h, dbk_error *err)
{
	sqlite3    *copy = NULL;
	dbk_schema	s;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *text = NULL,
			   *uri;
	size_t		len;
	int			rc = -1;

	dbk_schema_init(&s, &dbk_sqlite_allocator, DBK_SCHEMA_FORMAT_SQLITE);
	/* immutable=1: no locks and no -wal or -shm files beside the copy. */
	uri = sqlite3_mprintf("file:%s?immutable=1", path);
	if (uri == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	if (sqlite3_open_v2(uri, &copy, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
	{
		dbk_sqlite_fail(err, copy, "opening the temporary copy to read its schema");
		goto done;
	}
	if (dbk_sqlite_schema_describe(copy, &s, err) != 0 ||
		dbk_schema_fingerprint(&s, hex, err) != 0 ||
		dbk_schema_text(&s, &text, &len, err) != 0 ||
		dbk_meta_set(h, "fingerprint", hex, err) != 0 ||
		dbk_meta_set(h, "schema", text, err) != 0)
		goto done;
	rc = 0;
done:
	dbk_free(&dbk_sqlite_allocator, text);
	dbk_schema_free(&s);
	sqlite3_close(copy);
	sqlite3_free(uri);
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
	dbk_meta	header;
	struct timespec now;
	dbk_sqlite_identity ident;
	const char *database;
	char		path[4200];
	int			rc = -1;
	int			level = dbk_sqlite_level(st, src);
	sqlite3_int64 keep = dbk_sqlite_keep(st, src);

	dbk_meta_init(&header, &dbk_sqlite_allocator);
	if (dbk_sqlite_identity_read(src, &ident, err) != 0 ||
		check_source(src, err) != 0 || dbk_label_check(label, err) != 0)
		goto done;
	database = ident.name;
	(void) dbk_dir_sweep(d, NULL, err);
	clock_gettime(CLOCK_REALTIME, &now);
	if (make_header(&header, &ident, &now, label, level, err) != 0 ||
		dbk_temp_create(d, "copy", &copy, err) != 0)
		goto done;
	dbk_temp_path(d, &copy, path, sizeof(path));
	if (copy_pages(src, database, path, err) != 0 ||
		record_schema(path, &header, err) != 0 ||
		dbk_temp_create(d, "backup", &archive, err) != 0 ||
		compress_file(copy.fd, &archive, &header, level, &now, err) != 0)
		goto done;
	dbk_temp_remove(d, &copy);
	/* A restore's safety backup leaves the latest link alone (restore.c). */
	if (dbk_publish(d, &archive, database, now.tv_sec, label, DBK_EXT_SQLITE, apply_retention,
					name_out, err) != 0)
		goto done;
	rc = 0;
	if (apply_retention)
	{
		dbk_origin	o = {DBK_SQLITE_ENGINE, database, NULL};
		dbk_retention r = {keep, dbk_sqlite_keep_days(st, src), NULL, now.tv_sec};
		dbk_error	ignored;
		int			deleted;

		/* Best effort: the backup is published; dbkeeper_prune() reports errors. */
		(void) dbk_catalog_prune(&dbk_sqlite_allocator, d, &o, DBK_EXT_SQLITE, &r, &deleted, &ignored);
	}
done:
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
