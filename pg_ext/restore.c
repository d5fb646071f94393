/*
 * restore.c — dbkeeper_restore([name [, from_other_database]]) for
 * PostgreSQL: the named backup (when NULL, the newest backup of this
 * database that is not a safety backup)
 * replaces the contents of the current database, in the caller's
 * transaction.  Returns the name of the safety backup taken first.
 *
 * Order of work:
 *   0. one restore at a time per database (lock_restore);
 *   1. refusals: no privileges (superuser, or pg_read_server_files and
 *      pg_write_server_files), a hot standby or read-only transaction, a
 *      transaction that has already written (the safety backup would hold
 *      its uncommitted rows), REPEATABLE READ or SERIALIZABLE (the
 *      transaction's snapshot would hide commits the safety backup must
 *      hold);
 *   2. the backup file is checked byte for byte against its own SHA-256
 *      (verify.c, without decompressing: any change since it was written
 *      is caught here), and a backup of another database is refused unless
 *      from_other_database, and so is a backup of a newer major version
 *      of PostgreSQL;
 *   3. ACCESS EXCLUSIVE locks on every relation the restore replaces
 *      (restore_clear.c, lock_wait.c: within dbkeeper.lock_wait_timeout or
 *      a smaller lock_timeout, else an error naming the sessions in the
 *      way, before anything is written): from then on no other session can
 *      change them;
 *   4. the safety backup, label "pre-restore", without retention and
 *      without moving the latest link (backup.c); undo is an explicit
 *      restore of it, by the name the call returns.  A background worker,
 *      launched before step 3 to connect meanwhile, writes it beside steps
 *      5 and 6 (restore_safety.c), and the call returns only once it is
 *      published; without a worker, this backend writes it first;
 *   5. every object a backup holds is dropped (restore_clear.c);
 *   6. the script is replayed (restore_replay.c), which checks the content
 *      against its SHA-256 and zstd's checksums as it reads: a mismatch,
 *      possible only if the file was written wrong, rolls back.
 * Nothing is committed here: an error at any step rolls everything back
 * with the caller's transaction, and a ROLLBACK of an explicit transaction
 * undoes a successful restore.  When the transaction ends, the files follow
 * (remember_restore): at commit the latest link names the backup restored;
 * at abort the safety backup, which holds what the database still is, goes.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "access.h"
#include "backup.h"
#include "common.h"
#include "guc.h"
#include "restore_clear.h"
#include "restore_replay.h"
#include "restore_safety.h"
#include "verify.h"

PG_FUNCTION_INFO_V1(dbkeeper_restore);

static void
check_transaction(void)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot restore a database on a hot standby"),
				 errhint("Restore on the primary; the standby follows it.")));
	dbk_pg_require_writable("dbkeeper_restore()");
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot restore in a REPEATABLE READ or SERIALIZABLE transaction"),
				 errdetail("Its snapshot could hide changes committed before the restore, "
						   "which the safety backup must hold."),
				 errhint("Call dbkeeper_restore() in a READ COMMITTED transaction.")));
	if (TransactionIdIsValid(GetTopTransactionIdIfAny()))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot restore inside a transaction that has written"),
				 errdetail("The safety backup would hold this transaction's uncommitted changes."),
				 errhint("COMMIT or ROLLBACK first, then call dbkeeper_restore().")));
}

/*
 * One restore at a time per database: a transaction-level lock, tried
 * without waiting before anything is written, so a second restore fails at
 * once and leaves no safety backup.  Its tag is an advisory lock's with a
 * fourth field pg_advisory_lock() never uses, so no application's advisory
 * lock can take it.
 */
#define RESTORE_LOCK_KEY 0x64626b72	/* "dbkr" */
#define RESTORE_LOCK_KIND 3

static void
lock_restore(const char *database)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, RESTORE_LOCK_KEY, 0, RESTORE_LOCK_KIND);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("another dbkeeper_restore() is running in database \"%s\"", database),
				 errdetail("Only one restore at a time may run in a database; this call changed nothing "
						   "and wrote no safety backup."),
				 errhint("Wait until the other restore's transaction ends, then call dbkeeper_restore() again.")));
}

/*
 * What happens to the files when the restore's transaction ends.  At
 * commit, the database's latest link moves to the backup restored (the
 * database now is that backup); at abort, of the transaction or of the
 * subtransaction the restore ran in, the safety backup is deleted, since
 * the database is as it was.  Both run after the outcome is decided, so
 * they never raise: a failure is a WARNING.  The safety backup is never
 * the latest: dbkeeper_restore() without a name never restores it.
 */
typedef struct pending_restore
{
	SubTransactionId subid;
	char		dir[DBK_PG_PATH_MAX];
	char		database[NAMEDATALEN];
	char		restored[DBK_NAME_MAX + 1];
	char		safety[DBK_NAME_MAX + 1];
	char	   *line;			/* the LOG line written at commit, or NULL */
} pending_restore;

static List *pending = NIL;		/* of pending_restore, in TopMemoryContext */
static bool callbacks_registered = false;

static void
finish_pending(pending_restore *p, bool committed)
{
	dbk_dir		d = {-1, ""};
	dbk_error	err;

	if (!committed)
	{
		dbk_safety_delete(p->dir, p->safety);
		return;
	}
	if (dbk_dir_open(&d, p->dir, false, &err) != 0 ||
		dbk_latest_point(&d, p->database, DBK_EXT_PG, p->restored, &err) != 0)
		ereport(WARNING,
				(errmsg("%s", err.message),
				 errdetail("The restore of \"%s\" committed; the latest link did not move.", p->restored)));
	dbk_dir_close(&d);
}

static void
restore_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (pending == NIL)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that called dbkeeper_restore()")));
			break;
		case XACT_EVENT_COMMIT:
			/* the last restore of the transaction is what the database now holds */
			finish_pending(llast(pending), true);
			/* logged once committed: a restore rolled back did not happen */
			foreach(lc, pending)
				if (((pending_restore *) lfirst(lc))->line)
					dbk_pg_log(((pending_restore *) lfirst(lc))->line);
			break;
		case XACT_EVENT_ABORT:
			foreach(lc, pending)
				finish_pending(lfirst(lc), false);
			break;
		default:
			return;
	}
	foreach(lc, pending)
		if (((pending_restore *) lfirst(lc))->line)
			pfree(((pending_restore *) lfirst(lc))->line);
	list_free_deep(pending);
	pending = NIL;
}

static void
restore_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	foreach(lc, pending)
	{
		pending_restore *p = lfirst(lc);

		if (p->subid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			p->subid = parentSubid;
		else if (event == SUBXACT_EVENT_ABORT_SUB)
		{
			finish_pending(p, false);
			pending = foreach_delete_current(pending, lc);
			if (p->line)
				pfree(p->line);
			pfree(p);
		}
	}
}

static void
remember_restore(const char *database, const char *restored, const char *safety)
{
	pending_restore *p = MemoryContextAllocZero(TopMemoryContext, sizeof(pending_restore));
	MemoryContext old;

	if (!callbacks_registered)
	{
		RegisterXactCallback(restore_xact_callback, NULL);
		RegisterSubXactCallback(restore_subxact_callback, NULL);
		callbacks_registered = true;
	}
	p->subid = GetCurrentSubTransactionId();
	dbk_pg_backup_dir(p->dir, sizeof(p->dir));
	strlcpy(p->database, database, sizeof(p->database));
	strlcpy(p->restored, restored, sizeof(p->restored));
	strlcpy(p->safety, safety, sizeof(p->safety));
	old = MemoryContextSwitchTo(TopMemoryContext);
	pending = lappend(pending, p);
	MemoryContextSwitchTo(old);
}

/* The LOG line of the restore remember_restore noted last, written if it commits. */
static void
note_restore_line(const char *database, const char *name, int fd, const char *safety,
				  const struct timespec *started)
{
	pending_restore *p = llast(pending);
	struct stat st;
	char		line[2048];

	dbk_oplog_restore(line, sizeof(line), database, name,
					  fstat(fd, &st) == 0 ? (uint64) st.st_size : 0, safety,
					  dbk_pg_seconds_since(started));
	p->line = MemoryContextStrdup(TopMemoryContext, line);
}

/*
 * A backup's script is written for the server it came from and may use what
 * an older release lacks (MAINTAIN, NOT NULL constraints with names, ...):
 * a backup of a newer major version is refused before anything is touched.
 * An older one restores, as pg_dump's output of an older server does.
 */
static void
check_server_version(const dbk_meta *header, const char *name)
{
	const char *from = dbk_meta_get(header, "server_version");
	int			major = from ? atoi(from) : 0;

	if (major <= PG_VERSION_NUM / 10000)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("backup \"%s\" was taken on PostgreSQL %d, which is newer than this server's PostgreSQL %d",
					name, major, PG_VERSION_NUM / 10000),
			 errdetail("Its script may use what PostgreSQL %d lacks; nothing was changed.",
					   PG_VERSION_NUM / 10000),
			 errhint("Restore it on PostgreSQL %d or later.", major)));
}

/*
 * The DEBUG1 timings of the phases: wall time, and the CPU time of the
 * whole backend process (its threads included: the safety backup's
 * compressors and SHA-256, the replay's reader), which other work on a busy
 * machine does not inflate as it does the wall time.  lap() gives
 * "in N ms (M ms CPU)" since *c, which moves to now.
 */
static const char *
lap(dbk_pg_clock *c)
{
	static char text[64];
	double		wall_ms,
				cpu_ms;

	dbk_pg_clock_lap(c, &wall_ms, &cpu_ms);
	snprintf(text, sizeof(text), "in %.0f ms (%.0f ms CPU)", wall_ms, cpu_ms);
	return text;
}

static void
restore(const char *database, const char *name, int fd, char *safety, dbk_pg_clock *clock)
{
	List	   *kept = NIL;
	uint64		statements;
	bool		launched;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	launched = dbk_safety_launch();
	PG_TRY();
	{
		bool		on_worker;

		dbk_restore_lock();
		elog(DEBUG1, "dbkeeper_restore: locks taken %s", lap(clock));
		on_worker = launched && dbk_safety_begin();
		if (on_worker)
			elog(DEBUG1, "dbkeeper_restore: safety backup started on a background worker %s", lap(clock));
		else
		{
			dbk_safety_take(true, safety);
			remember_restore(database, name, safety);
			elog(DEBUG1, "dbkeeper_restore: safety backup %s written %s", safety, lap(clock));
		}
		dbk_restore_clear(&kept);
		elog(DEBUG1, "dbkeeper_restore: database emptied %s", lap(clock));
		statements = dbk_restore_replay(fd, name, kept);
		elog(DEBUG1, "dbkeeper_restore: " UINT64_FORMAT " statements replayed %s", statements, lap(clock));
		if (on_worker)
		{
			double		waited_ms;

			dbk_safety_finish(safety, &waited_ms);
			remember_restore(database, name, safety);
			elog(DEBUG1, "dbkeeper_restore: safety backup %s written by the worker, waited for %.0f ms %s",
				 safety, waited_ms, lap(clock));
		}
	}
	PG_CATCH();
	{
		dbk_safety_stop();
		PG_RE_THROW();
	}
	PG_END_TRY();
	SPI_finish();
}

Datum
dbkeeper_restore(PG_FUNCTION_ARGS)
{
	char	   *given = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	dbk_origin	o;
	char		name[DBK_NAME_MAX + 1],
				safety[DBK_NAME_MAX + 1];
	bool		other_ok;
	dbk_allocator a;
	dbk_meta	header;
	dbk_dir		d = {-1, ""};
	volatile int fd = -1;
	dbk_pg_clock clock;
	struct timespec started;

	clock_gettime(CLOCK_MONOTONIC, &started);
	dbk_pg_clock_start(&clock);
	dbk_pg_check_access("dbkeeper_restore", DBK_PG_READ_WRITE_FILES);
	if (PG_ARGISNULL(1))
	{
		dbk_error	err;

		dbk_fail_null(&err, "from_other_database");
		dbk_pg_raise(&err);
	}
	other_ok = PG_GETARG_BOOL(1);
	check_transaction();
	dbk_pg_origin(&o);
	lock_restore(o.database);
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	dbk_meta_init(&header, &a);
	dbk_pg_open_dir(&d, false);
	PG_TRY();
	{
		int			opened;

		dbk_pg_resolve(&d, &o, given, name);
		dbk_pg_check_backup_file(&d, name, &header, &opened);
		fd = opened;
		elog(DEBUG1, "dbkeeper_restore: %s checked %s", name, lap(&clock));
		dbk_pg_check_origin(&header, &o, name, other_ok, "restore it here", "dbkeeper_restore");
		check_server_version(&header, name);
		restore(o.database, name, fd, safety, &clock);
		note_restore_line(o.database, name, fd, safety, &started);
	}
	PG_FINALLY();
	{
		if (fd >= 0)
			close(fd);
		dbk_dir_close(&d);
	}
	PG_END_TRY();
	dbk_meta_free(&header);
	PG_RETURN_TEXT_P(cstring_to_text(safety));
}
