/*
 * common.c — helpers shared by the SQLite adapter's functions: the
 * allocator, error reporting, the connection's database file and backup
 * directory, name resolution and bounded lock waits.  See dbk_sqlite.h.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <time.h>

static void *
sqlite_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return sqlite3_malloc64(size);
}

static void
sqlite_free(void *ctx, void *ptr)
{
	(void) ctx;
	sqlite3_free(ptr);
}

const dbk_allocator dbk_sqlite_allocator = {sqlite_alloc, sqlite_free, NULL};

dbk_sqlite_state *
dbk_sqlite_state_ref(dbk_sqlite_state *st)
{
	st->refs++;
	return st;
}

void
dbk_sqlite_state_release(void *p)
{
	dbk_sqlite_state *st = p;

	if (st && --st->refs == 0)
	{
		sqlite3_free(st->backup_dir);
		sqlite3_free(st);
	}
}

void
dbk_sqlite_result_error(sqlite3_context *ctx, const dbk_error *err)
{
	char	   *msg;

	if (err->kind == DBK_E_NOMEM)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	msg = sqlite3_mprintf("%s%s%s%s%s", err->message,
						  err->detail[0] ? "\nDETAIL: " : "", err->detail,
						  err->hint[0] ? "\nHINT: " : "", err->hint);
	if (msg == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_error(ctx, msg, -1);
	sqlite3_free(msg);
}

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The size of backup name in d, 0 if it cannot be read (the line still says the rest). */
static uint64_t
file_bytes(const dbk_dir *d, const char *name)
{
	struct stat st;

	return fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (uint64_t) st.st_size : 0;
}

void
dbk_sqlite_log_backup(const char *database, const dbk_dir *d, const char *name,
					  const struct timespec *started)
{
	char		line[2048];

	dbk_oplog_backup(line, sizeof(line), database, name, file_bytes(d, name), -1,
					 seconds_since(started));
	sqlite3_log(SQLITE_NOTICE, "%s", line);
}

void
dbk_sqlite_log_restore(const char *database, const dbk_dir *d, const char *name,
					   const char *safety, const struct timespec *started)
{
	char		line[2048];

	dbk_oplog_restore(line, sizeof(line), database, name, file_bytes(d, name), safety,
					  seconds_since(started));
	sqlite3_log(SQLITE_NOTICE, "%s", line);
}

void
dbk_sqlite_log_prune(const char *database, const dbk_pruned *pruned, const struct timespec *started)
{
	char		line[2048];

	dbk_oplog_prune(line, sizeof(line), database, pruned, seconds_since(started));
	sqlite3_log(SQLITE_NOTICE, "%s", line);
}

int
dbk_sqlite_fail(dbk_error *err, sqlite3 *db, const char *doing)
{
	int			code = sqlite3_errcode(db);

	if (code == SQLITE_NOMEM)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory %s", doing);
	return dbk_fail(err, (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? DBK_E_BUSY : DBK_E_IO,
					"%s failed: %s", doing, sqlite3_errmsg(db));
}

int
dbk_sqlite_main_file(sqlite3 *db, const char **path, char *name, size_t namecap, dbk_error *err)
{
	dbk_sqlite_identity ident;

	if (dbk_sqlite_identity_read(db, &ident, err) != 0)
		return -1;
	snprintf(name, namecap, "%s", ident.name);
	*path = sqlite3_db_filename(db, "main");
	return 0;
}

char *
dbk_sqlite_db_setting(sqlite3 *db, const char *name)
{
	sqlite3_stmt *q = NULL;
	char	   *value = NULL;

	/* No table (or no file): no database settings. */
	if (sqlite3_prepare_v2(db, "SELECT value FROM main." DBK_SETTINGS_TABLE " WHERE name = ?1", -1,
						   &q, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
		sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		value = sqlite3_mprintf("%s", (const char *) sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return value;
}

/* The database's integer setting within [lo, hi], else dflt. */
static sqlite3_int64
db_integer(sqlite3 *db, const char *name, sqlite3_int64 lo, sqlite3_int64 hi, sqlite3_int64 dflt)
{
	char	   *text = dbk_sqlite_db_setting(db, name);
	char	   *end = NULL;
	long long	v;

	if (text == NULL)
		return dflt;
	v = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || v < lo || v > hi)
		v = dflt;
	sqlite3_free(text);
	return v;
}

sqlite3_int64
dbk_sqlite_keep(const dbk_sqlite_state *st, sqlite3 *db)
{
	return st->keep_set ? st->keep_backups
		: db_integer(db, "keep_backups", 0, 1000000, DBK_DEFAULT_KEEP);
}

sqlite3_int64
dbk_sqlite_keep_days(const dbk_sqlite_state *st, sqlite3 *db)
{
	return st->keep_days_set ? st->keep_days : db_integer(db, "keep_days", 0, 1000000, 0);
}

int
dbk_sqlite_level(const dbk_sqlite_state *st, sqlite3 *db)
{
	return st->level_set ? st->compression_level
		: (int) db_integer(db, "compression_level", 1, 19, DBK_DEFAULT_LEVEL);
}

int
dbk_sqlite_backup_dir(const dbk_sqlite_state *st, sqlite3 *db, char *buf, size_t cap,
					  dbk_error *err)
{
	const char *env = getenv("DBKEEPER_BACKUP_DIR");
	const char *file;
	char		name[128];
	const char *slash;
	char	   *stored;

	if (st->backup_dir)
		return snprintf(buf, cap, "%s", st->backup_dir) < (int) cap ? 0
			: dbk_fail(err, DBK_E_INVALID, "backup directory path is too long");
	if ((stored = dbk_sqlite_db_setting(db, "backup_dir")) != NULL)
	{
		int			n = snprintf(buf, cap, "%s", stored);

		sqlite3_free(stored);
		return n < (int) cap ? 0
			: dbk_fail(err, DBK_E_INVALID, "backup directory path is too long");
	}
	if (env && *env)
		return snprintf(buf, cap, "%s", env) < (int) cap ? 0
			: dbk_fail(err, DBK_E_INVALID, "DBKEEPER_BACKUP_DIR is too long");
	if (dbk_sqlite_main_file(db, &file, name, sizeof(name), err) != 0)
		return -1;
	/* Default: a folder named "dbkeeper-backups" beside the database file. */
	slash = strrchr(file, '/');
	if (slash == NULL)
		snprintf(buf, cap, "dbkeeper-backups");
	else if (snprintf(buf, cap, "%.*s/dbkeeper-backups", (int) (slash - file), file) >= (int) cap)
		return dbk_fail(err, DBK_E_INVALID, "backup directory path is too long");
	return 0;
}

int
dbk_sqlite_open_dir(const dbk_sqlite_state *st, sqlite3 *db, bool create, dbk_dir *d,
					dbk_error *err)
{
	char		path[4096];

	d->fd = -1;
	if (dbk_sqlite_backup_dir(st, db, path, sizeof(path), err) != 0)
		return -1;
	return dbk_dir_open(d, path, create, err);
}

static long
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

long
dbk_sqlite_waited_ms(const dbk_sqlite_wait *w)
{
	return elapsed_ms(&w->start);
}

int
dbk_sqlite_check_writable(sqlite3 *db, const char *doing, dbk_error *err)
{
	sqlite3_stmt *q = NULL;
	int			readonly = sqlite3_db_readonly(db, "main");
	bool		query_only = false;

	if (sqlite3_prepare_v2(db, "PRAGMA query_only", -1, &q, NULL) == SQLITE_OK &&
		sqlite3_step(q) == SQLITE_ROW)
		query_only = sqlite3_column_int(q, 0) != 0;
	sqlite3_finalize(q);
	if (readonly != 1 && !query_only)
		return 0;
	dbk_fail(err, DBK_E_STATE, "cannot %s through a read-only connection", doing);
	if (query_only)
		dbk_error_detail(err, "PRAGMA query_only is on for this connection.");
	else
		dbk_error_detail(err, "The connection opened the database read-only: with mode=ro, SQLITE_OPEN_READONLY, or because the file or its directory is not writable by this user.");
	dbk_error_hint(err, "Use a connection that may write the database.");
	return -1;
}

void
dbk_sqlite_wait_start(dbk_sqlite_wait *w)
{
	clock_gettime(CLOCK_MONOTONIC, &w->start);
	w->tries = 0;
}

bool
dbk_sqlite_may_retry(int rc, dbk_sqlite_wait *w)
{
	struct timespec ms = {0, 1000 * 1000};

	if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
		return false;
	if (elapsed_ms(&w->start) >= DBK_SQLITE_LOCK_WAIT_MS)
		return false;
	/*
	 * Spin first: another process's transactions may leave gaps of a few
	 * microseconds only, which a sleeping waiter would keep missing.
	 */
	if (++w->tries < 2000)
		sched_yield();
	else
		nanosleep(&ms, NULL);
	return true;
}

int
dbk_sqlite_create(sqlite3 *db, const char *name, int min_args, int max_args, int flags,
				  void (*fn) (sqlite3_context *, int, sqlite3_value **), dbk_sqlite_state *st)
{
	int			rc = SQLITE_OK;

	for (int n = min_args; rc == SQLITE_OK && n <= max_args; n++)
		rc = sqlite3_create_function_v2(db, name, n, flags, dbk_sqlite_state_ref(st), fn, NULL, NULL,
										dbk_sqlite_state_release);
	return rc;
}

int
dbk_sqlite_open_unpacked(const dbk_dir *d, const dbk_temp *t, sqlite3 **out)
{
	char		path[4200];
	char	   *uri;
	int			rc;

	/* immutable=1: no locks, no -wal or -shm files; the copy never changes. */
	dbk_temp_path(d, t, path, sizeof(path));
	uri = sqlite3_mprintf("file:%s?immutable=1", path);
	if (uri == NULL)
		return SQLITE_NOMEM;
	rc = sqlite3_open_v2(uri, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sqlite3_free(uri);
	return rc;
}
