/*
 * page_stream.c — a database's pages streamed into the archive writer in
 * one pass, for a backup of a WAL database (backup.c decides when).
 *
 * Why this way.  A backup must read one consistent snapshot of the pages,
 * including those whose newest version is still in the -wal file.  Three
 * ways were considered:
 *   - the sqlite_dbpage virtual table reads pages through the pager, but it
 *     exists only when SQLite is built with SQLITE_ENABLE_DBPAGE_VTAB, and
 *     Debian 12's libsqlite3 (3.40.1) is not;
 *   - reading the main file directly under a read transaction is wrong in
 *     WAL mode: the newest versions of pages may be in the -wal file, and a
 *     checkpoint may copy frames into the main file while we read it (a
 *     reader's mark only keeps the checkpoint from passing its snapshot,
 *     not from writing pages older than it);
 *   - the online backup API reads every page of the snapshot through the
 *     source's pager, WAL included, in page order.  Its destination here is
 *     a connection on a private VFS ("dbkeeper-stream") whose main file is
 *     no file at all: each page written to it goes straight into the
 *     archive writer, whose zstd workers compress on other threads while
 *     this thread reads the next pages.
 * The third is what this file does.  Nothing is written to disk but the
 * archive itself.
 *
 * The snapshot is the caller's: the source connection must already hold a
 * read transaction on main (backup.c steps a statement and keeps it open),
 * so sqlite3_backup_step neither opens nor closes one, and the two copies
 * below read the same snapshot.  In WAL mode that transaction does not
 * block writers (a checkpoint only stops short of our snapshot).
 *
 * Page order.  The destination (journal_mode=OFF, a small page cache) holds
 * the whole copy in one write transaction, committed when the last page is
 * copied.  Its pager writes pages when its cache is full, oldest first, so
 * in page order — except page 1, which the b-tree layer keeps referenced for
 * the whole transaction and which is written only by the final commit.  A
 * database file starts with page 1, and the content's SHA-256 is computed
 * in order, so page 1 is needed first.  It comes from a probe: a second
 * copy into a throwaway connection on the same VFS copies page 1 alone, and
 * an empty BEGIN; COMMIT on that connection commits the copy's transaction,
 * which writes it; the probe's backup is then finished unused.  When the
 * real copy's commit writes its page 1 at the end, it is compared with the
 * one streamed: they may differ only in the fields every commit rewrites
 * (change counter, schema cookie, version-valid-for number); otherwise the
 * backup fails.
 *
 * The page that holds SQLite's lock byte (at 1 GiB) is never written by the
 * backup API; the stream fills it with zeros, as a file would read.  Any
 * other write — out of order, a gap, a page streamed already, a read of a
 * page no longer held — fails the backup with an error saying so: an
 * archive is never written from pages in an order this file did not
 * foresee.  At the end the bytes streamed are counted against the
 * snapshot's page count.
 *
 * Memory: the destination's page cache (2 MiB), two pages, and the
 * archive writer's buffers; not the size of the database.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../core/archive/archive.h"

#define STREAM_VFS_NAME "dbkeeper-stream"
/* The destination's page cache is 2 MiB (cache_size=-2048 below): it only waits to be written. */
/* SQLite's default PENDING_BYTE: the page holding it is never used. */
#define SQLITE_PENDING_BYTE 0x40000000LL

typedef struct page_stream
{
	dbk_archive_writer *w;		/* NULL for the probe */
	dbk_error  *err;			/* where the first failure is described */
	bool		failed;
	int			page_size;
	sqlite3_int64 dest_pages;	/* the highest page the destination wrote */
	sqlite3_int64 next_page;	/* the page the stream expects next */
	sqlite3_int64 pending_page;	/* the lock-byte page, written as zeros */
	unsigned char *written1;	/* page 1 as the destination last wrote it */
	bool		have_written1;
	const unsigned char *sent1; /* page 1 as streamed (the probe's) */
	sqlite3_int64 emitted;		/* bytes handed to the archive writer */
} page_stream;

typedef struct stream_file
{
	sqlite3_file base;
	page_stream *s;
} stream_file;

/* The stream the next xOpen on this thread belongs to (set around sqlite3_open_v2). */
static _Thread_local page_stream *opening;

static int
stream_fail(page_stream *s, int code, const char *what)
{
	if (!s->failed)
	{
		s->failed = true;
		dbk_fail(s->err, DBK_E_INTERNAL, "could not stream the database pages: %s", what);
		dbk_error_detail(s->err, "SQLite's online backup wrote its copy in a way dbkeeper does not expect; no backup was written.");
	}
	return code;
}

static int
emit(page_stream *s, const void *buf, size_t len)
{
	if (dbk_archive_write(s->w, buf, len, s->err) != 0)
	{
		s->failed = true;
		return SQLITE_IOERR_WRITE;
	}
	s->emitted += (sqlite3_int64) len;
	return SQLITE_OK;
}

static int
sf_close(sqlite3_file *f)
{
	(void) f;
	return SQLITE_OK;
}

static int
sf_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	page_stream *s = ((stream_file *) f)->s;

	if (off >= s->dest_pages * s->page_size)
	{
		/* Past the end: what a file reads, zeros and a short read. */
		memset(buf, 0, (size_t) amt);
		return SQLITE_IOERR_SHORT_READ;
	}
	if (s->have_written1 && off >= 0 && off + amt <= s->page_size)
	{
		memcpy(buf, s->written1 + off, (size_t) amt);
		return SQLITE_OK;
	}
	return stream_fail(s, SQLITE_IOERR_READ, "the copy read back a page it had written");
}

/* Whether a and b, two versions of page 1, differ outside what commits rewrite. */
static bool
page1_differs(const unsigned char *a, const unsigned char *b, int page_size)
{
	/* Change counter 24-27, schema cookie 40-43, version-valid-for and SQLite version 92-99. */
	return memcmp(a, b, 24) != 0 || memcmp(a + 28, b + 28, 12) != 0 ||
		memcmp(a + 44, b + 44, 48) != 0 ||
		memcmp(a + 100, b + 100, (size_t) page_size - 100) != 0;
}

static int
sf_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	page_stream *s = ((stream_file *) f)->s;
	sqlite3_int64 page;
	int			rc;

	if (s->failed)
		return SQLITE_IOERR_WRITE;
	if (amt != s->page_size || off % s->page_size != 0)
		return stream_fail(s, SQLITE_IOERR_WRITE, "a write was not one whole page");
	page = off / s->page_size + 1;
	if (page > s->dest_pages)
		s->dest_pages = page;
	if (page == 1)
	{
		memcpy(s->written1, buf, (size_t) amt);
		s->have_written1 = true;
		if (s->w != NULL && page1_differs(s->sent1, s->written1, s->page_size))
			return stream_fail(s, SQLITE_IOERR_WRITE, "page 1 of the copy is not the page 1 streamed");
		return SQLITE_OK;
	}
	if (s->w == NULL)
		return stream_fail(s, SQLITE_IOERR_WRITE, "the probe wrote a page other than page 1");
	if (page < s->next_page)
		return stream_fail(s, SQLITE_IOERR_WRITE, "a page was written twice");
	if (page > s->next_page)
	{
		unsigned char *zeros;

		if (s->next_page != s->pending_page || page != s->pending_page + 1)
			return stream_fail(s, SQLITE_IOERR_WRITE, "pages were written out of order");
		/* The lock-byte page. */
		if ((zeros = sqlite3_malloc(s->page_size)) == NULL)
			return SQLITE_IOERR_NOMEM;
		memset(zeros, 0, (size_t) s->page_size);
		rc = emit(s, zeros, (size_t) s->page_size);
		sqlite3_free(zeros);
		if (rc != SQLITE_OK)
			return rc;
		s->next_page++;
	}
	s->next_page++;
	return emit(s, buf, (size_t) amt);
}

static int
sf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	page_stream *s = ((stream_file *) f)->s;

	if (size == s->dest_pages * s->page_size)
		return SQLITE_OK;
	return stream_fail(s, SQLITE_IOERR_TRUNCATE, "the copy changed the size of what was written");
}

static int
sf_sync(sqlite3_file *f, int flags)
{
	(void) f;
	(void) flags;
	return SQLITE_OK;
}

static int
sf_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	page_stream *s = ((stream_file *) f)->s;

	*size = s->dest_pages * s->page_size;
	return SQLITE_OK;
}

static int
sf_lock(sqlite3_file *f, int level)
{
	(void) f;
	(void) level;
	return SQLITE_OK;
}

static int
sf_check_reserved(sqlite3_file *f, int *out)
{
	(void) f;
	*out = 0;
	return SQLITE_OK;
}

static int
sf_file_control(sqlite3_file *f, int op, void *arg)
{
	(void) f;
	(void) op;
	(void) arg;
	return SQLITE_NOTFOUND;
}

static int
sf_sector_size(sqlite3_file *f)
{
	(void) f;
	return 512;
}

static int
sf_device_characteristics(sqlite3_file *f)
{
	(void) f;
	return 0;
}

static const sqlite3_io_methods stream_methods = {
	.iVersion = 1, .xClose = sf_close, .xRead = sf_read, .xWrite = sf_write,
	.xTruncate = sf_truncate, .xSync = sf_sync, .xFileSize = sf_file_size, .xLock = sf_lock,
	.xUnlock = sf_lock, .xCheckReservedLock = sf_check_reserved,
	.xFileControl = sf_file_control, .xSectorSize = sf_sector_size,
	.xDeviceCharacteristics = sf_device_characteristics,
};

/* ------------------------------------------------------------ the VFS */

static sqlite3_vfs *base_vfs;	/* the default VFS, for time, randomness, sleep */

static int
sv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	stream_file *sf = (stream_file *) f;

	(void) vfs;
	(void) name;
	sf->base.pMethods = NULL;
	/* Only the main file of a connection opened by stream_pages below. */
	if (!(flags & SQLITE_OPEN_MAIN_DB) || opening == NULL)
		return SQLITE_CANTOPEN;
	sf->s = opening;
	sf->base.pMethods = &stream_methods;
	if (out_flags)
		*out_flags = flags;
	return SQLITE_OK;
}

static int
sv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void) vfs;
	(void) name;
	(void) sync;
	return SQLITE_OK;
}

static int
sv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void) vfs;
	(void) name;
	(void) flags;
	*out = 0;					/* no journal, no -wal file */
	return SQLITE_OK;
}

static int
sv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void) vfs;
	sqlite3_snprintf(n, out, "%s", name);
	return SQLITE_OK;
}

static void *
sv_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void) vfs;
	(void) name;
	return NULL;
}

static void
sv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void) vfs;
	sqlite3_snprintf(n, out, "not supported");
}

static void (*sv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym)) (void)
{
	(void) vfs;
	(void) h;
	(void) sym;
	return NULL;
}

static void
sv_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void) vfs;
	(void) h;
}

static int
sv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void) vfs;
	return base_vfs->xRandomness(base_vfs, n, out);
}

static int
sv_sleep(sqlite3_vfs *vfs, int us)
{
	(void) vfs;
	return base_vfs->xSleep(base_vfs, us);
}

static int
sv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void) vfs;
	return base_vfs->xCurrentTime(base_vfs, out);
}

static int
sv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void) vfs;
	(void) n;
	(void) out;
	return 0;
}

static sqlite3_vfs stream_vfs = {
	.iVersion = 1, .szOsFile = sizeof(stream_file), .mxPathname = 512,
	.zName = STREAM_VFS_NAME, .xOpen = sv_open, .xDelete = sv_delete, .xAccess = sv_access,
	.xFullPathname = sv_full_pathname, .xDlOpen = sv_dlopen, .xDlError = sv_dlerror,
	.xDlSym = sv_dlsym, .xDlClose = sv_dlclose, .xRandomness = sv_randomness,
	.xSleep = sv_sleep, .xCurrentTime = sv_current_time, .xGetLastError = sv_last_error,
};

/*
 * The VFS is registered only while a stream runs: the library may be
 * unloaded when its last connection closes, and SQLite's list of VFSes
 * must not keep a pointer into it.
 */
static pthread_mutex_t vfs_lock = PTHREAD_MUTEX_INITIALIZER;
static int	vfs_users;

static int
vfs_acquire(void)
{
	int			rc = SQLITE_OK;

	pthread_mutex_lock(&vfs_lock);
	if (vfs_users == 0)
	{
		base_vfs = sqlite3_vfs_find(NULL);
		rc = base_vfs ? sqlite3_vfs_register(&stream_vfs, 0) : SQLITE_ERROR;
	}
	if (rc == SQLITE_OK)
		vfs_users++;
	pthread_mutex_unlock(&vfs_lock);
	return rc;
}

static void
vfs_release(void)
{
	pthread_mutex_lock(&vfs_lock);
	if (--vfs_users == 0)
		sqlite3_vfs_unregister(&stream_vfs);
	pthread_mutex_unlock(&vfs_lock);
}

/* ------------------------------------------------------------ the copy */

static int
copy_failed(page_stream *s, sqlite3 *dest, int rc, const char *database, dbk_error *err)
{
	if (s->failed)
		return -1;				/* err says what the stream met */
	if (rc == SQLITE_NOMEM)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory copying database \"%s\"", database);
	return dbk_fail(err, DBK_E_IO, "could not read database \"%s\": %s", database,
					dest && sqlite3_errcode(dest) != SQLITE_OK ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
}

/* A destination connection on the stream VFS for s; NULL after filling err. */
static sqlite3 *
open_dest(page_stream *s, dbk_error *err)
{
	sqlite3    *dest = NULL;
	int			rc;

	opening = s;
	rc = sqlite3_open_v2(s->w ? "dbkeeper-page-stream" : "dbkeeper-page-probe", &dest,
						 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, STREAM_VFS_NAME);
	opening = NULL;
	/* No journal, no syncs, one lock; the cache only waits to be written. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(dest, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
						  "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-2048;",
						  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
	{
		dbk_sqlite_fail(err, dest, "opening the page stream");
		sqlite3_close(dest);
		return NULL;
	}
	return dest;
}

/* Page 1 of src's snapshot into p->written1 (the probe the header describes). */
static int
probe_page1(sqlite3 *src, page_stream *p, const char *database, dbk_error *err)
{
	sqlite3    *probe = open_dest(p, err);
	sqlite3_backup *b;
	int			rc;
	int			result = -1;

	if (probe == NULL)
		return -1;
	if ((b = sqlite3_backup_init(probe, "main", src, "main")) == NULL)
	{
		dbk_sqlite_fail(err, probe, "starting the copy");
		goto done;
	}
	rc = sqlite3_backup_step(b, 1);
	/* A one-page database is copied whole; otherwise commit page 1 alone. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(probe, "BEGIN; COMMIT;", NULL, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		copy_failed(p, probe, rc, database, err);
	else if (p->failed)
		;
	else if (!p->have_written1)
		stream_fail(p, -1, "the probe wrote no page 1");
	else
		result = 0;
	sqlite3_backup_finish(b);
done:
	sqlite3_close(probe);
	return result;
}

int
dbk_sqlite_stream_pages(sqlite3 *src, const char *database, int page_size,
						dbk_archive_writer *w, dbk_error *err)
{
	page_stream probe,
				s;
	sqlite3    *dest = NULL;
	sqlite3_backup *b = NULL;
	int			rc;
	int			result = -1;

	memset(&probe, 0, sizeof(probe));
	memset(&s, 0, sizeof(s));
	probe.err = s.err = err;
	probe.page_size = s.page_size = page_size;
	s.w = w;
	s.next_page = 2;
	s.pending_page = SQLITE_PENDING_BYTE / page_size + 1;
	probe.written1 = sqlite3_malloc(page_size);
	s.written1 = sqlite3_malloc(page_size);
	if (probe.written1 == NULL || s.written1 == NULL)
	{
		sqlite3_free(probe.written1);
		sqlite3_free(s.written1);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	}
	if (vfs_acquire() != SQLITE_OK)
	{
		dbk_fail(err, DBK_E_INTERNAL, "could not register dbkeeper's page stream with SQLite");
		goto free;
	}
	if (probe_page1(src, &probe, database, err) != 0)
		goto done;
	s.sent1 = probe.written1;
	if (emit(&s, probe.written1, (size_t) page_size) != SQLITE_OK ||
		(dest = open_dest(&s, err)) == NULL)
		goto done;
	if ((b = sqlite3_backup_init(dest, "main", src, "main")) == NULL)
	{
		dbk_sqlite_fail(err, dest, "starting the copy");
		goto done;
	}
	rc = sqlite3_backup_step(b, -1);
	if (rc != SQLITE_DONE)
	{
		copy_failed(&s, dest, rc, database, err);
		goto done;
	}
	if (s.failed)
		goto done;
	if (!s.have_written1 || s.emitted != (sqlite3_int64) sqlite3_backup_pagecount(b) * page_size)
	{
		dbk_fail(err, DBK_E_INTERNAL, "could not stream the database pages: %lld bytes were streamed for %d pages of %d bytes",
				 (long long) s.emitted, sqlite3_backup_pagecount(b), page_size);
		goto done;
	}
	result = 0;
done:
	sqlite3_backup_finish(b);
	sqlite3_close(dest);
	vfs_release();
free:
	sqlite3_free(probe.written1);
	sqlite3_free(s.written1);
	return result;
}
