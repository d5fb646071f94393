/*
 * restore.c — dbkeeper_restore([name [, from_other_database]]) for
 * PostgreSQL: the named backup (the latest of this database when NULL)
 * replaces the contents of the current database, in the caller's
 * transaction.  Returns the name of the safety backup taken first.
 *
 * Order of work:
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
 *      (restore_clear.c), under the caller's lock_timeout: from then on no
 *      other session can change them;
 *   4. the safety backup, label "pre-restore", without retention (backup.c);
 *      the latest link now points to it, so a second dbkeeper_restore()
 *      undoes the first;
 *   5. every object a backup holds is dropped (restore_clear.c);
 *   6. the script is replayed (restore_replay.c), which checks the content
 *      against its SHA-256 and zstd's checksums as it reads: a mismatch,
 *      possible only if the file was written wrong, rolls back.
 * Nothing is committed here: an error at any step rolls everything back
 * with the caller's transaction, and a ROLLBACK of an explicit transaction
 * undoes a successful restore.  The safety backup, a file, stays.
 */
#include "postgres.h"

#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

#include "access.h"
#include "backup.h"
#include "common.h"
#include "restore_clear.h"
#include "restore_replay.h"
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
	PreventCommandIfReadOnly("dbkeeper_restore()");
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

static void
check_database(const dbk_meta *header, const char *database, const char *name, bool other_ok)
{
	const char *from = dbk_meta_get(header, "database");

	if (other_ok || strcmp(from, database) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("backup \"%s\" is of database \"%s\", not \"%s\"", name, from, database),
			 errhint("To restore it here anyway, call dbkeeper_restore('%s', true).", name)));
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

/* Milliseconds since *since, which moves to now: for the DEBUG1 timings. */
static double
lap(instr_time *since)
{
	instr_time	now;
	double		ms;

	INSTR_TIME_SET_CURRENT(now);
	ms = INSTR_TIME_GET_MILLISEC(now) - INSTR_TIME_GET_MILLISEC(*since);
	*since = now;
	return ms;
}

static void
restore(const char *name, int fd, char *safety, instr_time *clock)
{
	List	   *kept = NIL;
	uint64		statements;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	dbk_restore_lock();
	elog(DEBUG1, "dbkeeper_restore: locks taken in %.0f ms", lap(clock));
	dbk_pg_backup_take("pre-restore", false, safety);
	elog(DEBUG1, "dbkeeper_restore: safety backup %s written in %.0f ms", safety, lap(clock));
	dbk_restore_clear(&kept);
	elog(DEBUG1, "dbkeeper_restore: database emptied in %.0f ms", lap(clock));
	statements = dbk_restore_replay(fd, name, kept);
	elog(DEBUG1, "dbkeeper_restore: " UINT64_FORMAT " statements replayed in %.0f ms", statements, lap(clock));
	SPI_finish();
}

Datum
dbkeeper_restore(PG_FUNCTION_ARGS)
{
	char	   *given = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *database;
	char		name[DBK_NAME_MAX + 1],
				safety[DBK_NAME_MAX + 1];
	bool		other_ok;
	dbk_allocator a;
	dbk_meta	header;
	dbk_dir		d = {-1, ""};
	volatile int fd = -1;
	instr_time	clock;

	INSTR_TIME_SET_CURRENT(clock);
	dbk_pg_check_access("dbkeeper_restore", DBK_PG_READ_WRITE_FILES);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from_other_database must not be NULL")));
	other_ok = PG_GETARG_BOOL(1);
	check_transaction();
	database = dbk_pg_database_name();
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	dbk_meta_init(&header, &a);
	dbk_pg_open_dir(&d, false);
	PG_TRY();
	{
		int			opened;

		dbk_pg_resolve(&d, database, given, name);
		dbk_pg_check_backup_file(&d, name, &header, &opened);
		fd = opened;
		elog(DEBUG1, "dbkeeper_restore: %s checked in %.0f ms", name, lap(&clock));
		check_database(&header, database, name, other_ok);
		check_server_version(&header, name);
		restore(name, fd, safety, &clock);
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
