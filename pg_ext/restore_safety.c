/*
 * restore_safety.c — dbkeeper_restore()'s safety backup on a background
 * worker, beside the emptying and the replay; see restore_safety.h.
 *
 * Why it is safe to write the safety backup while the restoring backend
 * drops and replaces what it reads:
 *   - nothing the restore does is visible to another transaction before it
 *     commits, and the worker runs its own transaction: its snapshot and
 *     its catalog lookups show the database as it was, whatever the
 *     restoring backend has dropped or created meanwhile;
 *   - a dropped (or truncated) relation's files stay until the commit, and
 *     the restore commits only after dbk_safety_finish() has seen the
 *     safety backup published (fsynced, named);
 *   - the worker joins the restoring backend's lock group, as a parallel
 *     worker does, so that its ACCESS SHARE locks do not wait for the
 *     restore's ACCESS EXCLUSIVE ones (and those do not wait for the
 *     worker's): the restore took them before starting the worker, so no
 *     other session can have changed a relation since;
 *   - the one thing a transaction does not protect, a sequence's value
 *     (setval() writes in place), is written by the replay into new storage
 *     when the sequence is one the restore kept (restore_replay.c,
 *     renew_kept_sequence): the worker reads the old.
 * The worker connects as the caller's session user, takes the caller's
 * current role, user and security context, and the caller's settings
 * (SerializeGUCState, as a parallel worker does), so that it takes the same
 * backup the restoring backend would have taken; the backup code itself
 * (backup.c) is the same.
 *
 * Failure: the worker's error is raised by the restoring backend, with its
 * SQLSTATE, message, detail and hint, and everything rolls back.  A worker
 * that ends without a result (terminated, crashed) is an error too.  An
 * error or a FATAL exit of the restoring backend stops the worker and waits
 * for it; a safety backup it had already published is deleted with the
 * rest of the restore (restore.c).  When no worker can start or connect,
 * dbk_safety_launch() or dbk_safety_begin() says so before anything
 * changed, and the restoring backend takes the safety backup itself, as
 * before.
 *
 * Timing: the worker is launched before the restore's lock phase and
 * connects meanwhile (about 20 ms here); it takes its snapshot only once
 * dbk_safety_begin() says the locks are held.
 */
#include "postgres.h"

#include <errno.h>
#include <unistd.h>

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "backup.h"
#include "common.h"
#include "guc.h"
#include "restore_safety.h"

/* How far the worker has come; each state is set once, in this order. */
typedef enum safety_state
{
	SAFETY_STARTING = 0,
	SAFETY_READY,				/* connected, settings and identity taken;
								 * waits for go */
	SAFETY_DONE,				/* published: name is set */
	SAFETY_FAILED				/* error fields are set */
} safety_state;

#define SAFETY_TEXT_MAX 1024

typedef struct safety_shared
{
	/* set by the restoring backend before the worker starts */
	PGPROC	   *leader;
	int			leader_pid;
	Oid			database;
	Oid			session_user;
	Oid			outer_role;		/* SET ROLE's role, or InvalidOid */
	bool		outer_role_is_superuser;
	Oid			current_user;
	int			sec_context;
	Size		guc_size;
	volatile sig_atomic_t go;	/* the restore's locks are taken: begin */
	/* set by the worker */
	PGPROC	   *worker;
	volatile sig_atomic_t state;	/* safety_state */
	char		name[DBK_NAME_MAX + 1];	/* set once the backup is published */
	int			sqlerrcode;
	char		message[SAFETY_TEXT_MAX];
	char		detail[SAFETY_TEXT_MAX];
	char		hint[SAFETY_TEXT_MAX];
	/* then guc_size bytes of SerializeGUCState */
	char		gucs[FLEXIBLE_ARRAY_MEMBER];
} safety_shared;

/* The restoring backend's worker, if one runs. */
static struct
{
	dsm_segment *seg;
	safety_shared *shared;
	BackgroundWorkerHandle *handle;
	bool		callback_registered;
}			running;

/*
 * The safety backup's zstd level, whatever dbkeeper.compression_level says:
 * the user needs its file only to undo the restore, and its CPU is taken
 * from the replay beside it.  On the clinical dataset (docs/performance.md)
 * level 1 takes 0.14 s of zstd's CPU against 0.32 s for level 3, for a file
 * about a quarter larger.
 * The level is recorded in the file's header like any backup's.
 */
#define SAFETY_COMPRESSION_LEVEL "1"

void
dbk_safety_take(bool threaded, char *safety)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("dbkeeper.compression_level", SAFETY_COMPRESSION_LEVEL,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	dbk_pg_backup_take(DBK_SAFETY_LABEL, false, threaded, safety);
	/* an error leaves the setting to the transaction's abort, which undoes it */
	AtEOXact_GUC(true, nest);
}

/* ---------------------------------------------------------------- worker */

static void
set_state(safety_shared *s, safety_state state)
{
	pg_write_barrier();
	s->state = state;
	SetLatch(&s->leader->procLatch);
}

void
dbk_safety_worker_main(Datum arg)
{
	dsm_segment *seg;
	safety_shared *s;
	MemoryContext cxt;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		proc_exit(1);			/* the restore ended before this started */
	s = dsm_segment_address(seg);
	/* before any lock: the restore's locks must not make this one wait */
	if (!BecomeLockGroupMember(s->leader, s->leader_pid))
		proc_exit(1);
	BackgroundWorkerInitializeConnectionByOid(s->database, s->session_user, BGWORKER_BYPASS_ALLOWCONN);
	SetClientEncoding(GetDatabaseEncoding());
	StartTransactionCommand();
	RestoreGUCState(s->gucs);
	CommitTransactionCommand();
	SetCurrentRoleId(s->outer_role, s->outer_role_is_superuser);
	s->worker = MyProc;
	set_state(s, SAFETY_READY);

	/*
	 * Connecting took place while the restore took its locks; the snapshot
	 * must come after them, so that no change committed before the restore
	 * is missing from the safety backup.
	 */
	while (!s->go)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	pg_read_barrier();

	StartTransactionCommand();
	/* as the restore's own transaction is: the backup's snapshots must move */
	XactIsoLevel = XACT_READ_COMMITTED;
	SetUserIdAndSecContext(s->current_user, s->sec_context);
	pgstat_report_activity(STATE_RUNNING, "dbkeeper_restore(): safety backup");
	PushActiveSnapshot(GetTransactionSnapshot());

	cxt = CurrentMemoryContext;
	PG_TRY();
	{
		/* one thread: the restoring backend needs the other core more */
		dbk_safety_take(false, s->name);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		s->sqlerrcode = e->sqlerrcode;
		strlcpy(s->message, e->message ? e->message : "", sizeof(s->message));
		strlcpy(s->detail, e->detail ? e->detail : "", sizeof(s->detail));
		strlcpy(s->hint, e->hint ? e->hint : "", sizeof(s->hint));
		set_state(s, SAFETY_FAILED);
		PG_RE_THROW();
	}
	PG_END_TRY();
	PopActiveSnapshot();
	CommitTransactionCommand();
	set_state(s, SAFETY_DONE);
	proc_exit(0);
}

/* ---------------------------------------------------------------- restoring backend */

/* An abort that dbkeeper_restore() did not see (a FATAL exit) stops the worker too. */
static void
safety_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT)
		dbk_safety_stop();
}

void
dbk_safety_delete(const char *dir, const char *name)
{
	dbk_dir		d = {-1, ""};
	dbk_error	err;

	if (dbk_dir_open(&d, dir, false, &err) != 0 ||
		(unlinkat(d.fd, name, 0) != 0 && errno != ENOENT
		 ? dbk_fail_errno(&err, errno, "could not delete safety backup \"%s\"", name)
		 : dbk_dir_sync(&d, &err)) != 0)
		ereport(WARNING,
				(errmsg("%s", err.message),
				 errdetail("The restore rolled back; its safety backup \"%s\" is not needed.", name)));
	dbk_dir_close(&d);
}

/* Deletes a safety backup the worker published for a restore that failed. */
static void
delete_published(const char *name)
{
	char		path[DBK_PG_PATH_MAX];

	dbk_pg_backup_dir(path, sizeof(path));
	dbk_safety_delete(path, name);
}

/* What the worker has reached, or -1 if it exited before reaching more. */
static int
worker_state(void)
{
	pid_t		pid;
	int			state = running.shared->state;

	pg_read_barrier();
	if (state >= SAFETY_DONE)
		return state;
	if (GetBackgroundWorkerPid(running.handle, &pid) == BGWH_STOPPED)
	{
		/* it may have set its last state just before it exited */
		state = running.shared->state;
		pg_read_barrier();
		return state >= SAFETY_DONE ? state : -1;
	}
	return state;
}

/* Waits until the worker reaches at least state, or exits; returns what it reached. */
static int
wait_for(int state)
{
	int			now;

	while ((now = worker_state()) >= 0 && now < state)
	{
		int			rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100,
								   PG_WAIT_EXTENSION);

		if (rc & WL_LATCH_SET)
			ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return now;
}

static void
forget_worker(void)
{
	if (running.seg != NULL)
		dsm_detach(running.seg);
	if (running.handle != NULL)
		pfree(running.handle);
	running.seg = NULL;
	running.shared = NULL;
	running.handle = NULL;
}

bool
dbk_safety_launch(void)
{
	BackgroundWorker bgw;
	Size		guc_size = EstimateGUCStateSpace();
	safety_shared *s;
	MemoryContext old;

	if (!running.callback_registered)
	{
		RegisterXactCallback(safety_xact_callback, NULL);
		running.callback_registered = true;
	}
	Assert(running.seg == NULL);
	running.seg = dsm_create(offsetof(safety_shared, gucs) + guc_size, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (running.seg == NULL)
		return false;
	dsm_pin_mapping(running.seg);	/* detached by forget_worker, not by the transaction's end */
	s = running.shared = dsm_segment_address(running.seg);
	memset(s, 0, offsetof(safety_shared, gucs));
	s->leader = MyProc;
	s->leader_pid = MyProcPid;
	s->database = MyDatabaseId;
	s->session_user = GetSessionUserId();
	s->outer_role = GetCurrentRoleId();
	s->outer_role_is_superuser = OidIsValid(s->outer_role) && superuser_arg(s->outer_role);
	GetUserIdAndSecContext(&s->current_user, &s->sec_context);
	s->guc_size = guc_size;
	SerializeGUCState(guc_size, s->gucs);
	s->state = SAFETY_STARTING;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_ConsistentState;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(bgw.bgw_library_name, "dbkeeper", sizeof(bgw.bgw_library_name));
	strlcpy(bgw.bgw_function_name, "dbk_safety_worker_main", sizeof(bgw.bgw_function_name));
	strlcpy(bgw.bgw_name, "dbkeeper safety backup", sizeof(bgw.bgw_name));
	strlcpy(bgw.bgw_type, "dbkeeper safety backup", sizeof(bgw.bgw_type));
	bgw.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(running.seg));
	bgw.bgw_notify_pid = MyProcPid;

	BecomeLockGroupLeader();
	old = MemoryContextSwitchTo(TopMemoryContext);
	if (!RegisterDynamicBackgroundWorker(&bgw, &running.handle))
	{
		MemoryContextSwitchTo(old);
		running.handle = NULL;
		forget_worker();
		return false;
	}
	MemoryContextSwitchTo(old);
	return true;
}

bool
dbk_safety_begin(void)
{
	if (running.shared == NULL)
		return false;
	if (wait_for(SAFETY_READY) < SAFETY_READY)
	{
		/* it could not connect (its error is in the server's log) */
		forget_worker();
		return false;
	}
	pg_write_barrier();
	running.shared->go = true;
	SetLatch(&running.shared->worker->procLatch);
	return true;
}

void
dbk_safety_finish(char *name_out, double *waited_ms)
{
	instr_time	start,
				end;
	int			reached;
	safety_shared copy;

	INSTR_TIME_SET_CURRENT(start);
	reached = wait_for(SAFETY_DONE);
	INSTR_TIME_SET_CURRENT(end);
	INSTR_TIME_SUBTRACT(end, start);
	*waited_ms = INSTR_TIME_GET_MILLISEC(end);
	if (reached == SAFETY_DONE)
	{
		strlcpy(name_out, running.shared->name, DBK_NAME_MAX + 1);
		/* the worker has committed its read-only transaction; let it exit */
		(void) WaitForBackgroundWorkerShutdown(running.handle);
		forget_worker();
		return;
	}
	(void) WaitForBackgroundWorkerShutdown(running.handle);
	pg_read_barrier();
	memcpy(&copy, running.shared, offsetof(safety_shared, gucs));
	forget_worker();
	/* ended after publishing (a termination between the two) */
	if (copy.name[0] != '\0')
		delete_published(copy.name);
	if (reached == SAFETY_FAILED)
		ereport(ERROR,
				(errcode(copy.sqlerrcode ? copy.sqlerrcode : ERRCODE_INTERNAL_ERROR),
				 errmsg_internal("%s", copy.message),
				 copy.detail[0] ? errdetail_internal("%s", copy.detail) : 0,
				 copy.hint[0] ? errhint("%s", copy.hint) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("the safety backup's background worker ended without writing it"),
			 errdetail("Nothing was restored; the server's log says why the worker ended.")));
}

void
dbk_safety_stop(void)
{
	char		published[DBK_NAME_MAX + 1] = "";

	if (running.shared == NULL)
		return;
	HOLD_INTERRUPTS();
	TerminateBackgroundWorker(running.handle);
	(void) WaitForBackgroundWorkerShutdown(running.handle);
	pg_read_barrier();
	/* the name, not SAFETY_DONE: it may have been ended between the two */
	strlcpy(published, running.shared->name, sizeof(published));
	forget_worker();
	if (published[0] != '\0')
		delete_published(published);
	RESUME_INTERRUPTS();
}
