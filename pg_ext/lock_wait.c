/*
 * lock_wait.c — the lock phase shared by dbkeeper_backup() (ACCESS SHARE on
 * every relation) and dbkeeper_restore() (ACCESS EXCLUSIVE on every
 * relation it replaces), built so that one stuck session never turns into a
 * stopped application.
 *
 * Why not simply LockRelationOid() in a loop: a request that waits sits in
 * the lock's queue, and every later request that conflicts with it queues
 * behind it.  A restore that already holds ACCESS EXCLUSIVE on table b while
 * it waits for table a (behind a session idle in transaction) stops every
 * reader of b, for as long as the idle session sleeps.  A backup that holds
 * ACCESS SHARE on b while it waits does not stop b's readers or writers, but
 * an ALTER TABLE b queues behind it and then stops them all.
 *
 * So, in rounds, each inside a subtransaction of its own:
 *   - every relation is tried without waiting (ConditionalLockRelationOid);
 *   - when one is busy, the round may wait for it while holding the others
 *     it took, but for HELD_WAIT_MS in all: long enough for the usual short
 *     query to finish, short enough that nobody notices;
 *   - past that, the round's subtransaction is rolled back, which releases
 *     exactly the locks this round took (locks the caller's transaction held
 *     before stay: they belong to the parent transaction, and a lock taken
 *     again inside the subtransaction only counts once more there), and
 *     the next round first waits for the busy relation alone, holding
 *     nothing else of ours, for at most ALONE_WAIT_MS; then it carries on
 *     with the others as above;
 *   - a round that has every lock commits its subtransaction, and the locks
 *     pass to the caller's transaction.
 * A reader of any relation is therefore never blocked by this call for more
 * than ALONE_WAIT_MS at a time (HELD_WAIT_MS for the relations it is not
 * waiting for), however long the whole phase lasts.
 *
 * The limit: dbkeeper.lock_wait_timeout (default 10 s, 0 for none), or the
 * caller's lock_timeout when that is set and smaller.  When it passes, the
 * error (55P03, lock_not_available) names the relation and the sessions
 * holding a conflicting lock on it — pid, user, application, state and for
 * how long — from pg_locks and pg_stat_activity, and hints at
 * pg_terminate_backend() and at maintenance mode.  Nothing has been done by
 * then: the callers lock before they write anything.
 *
 * Each wait is a LockRelationOid() under a lock_timeout set for it (inside
 * the subtransaction, so the caller's value comes back when it ends); the
 * lock timeout's error is caught by rolling the subtransaction back, which
 * also takes the request out of the lock's queue.  Any other error (a
 * cancel, statement_timeout, a deadlock) is raised again as it came.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "lock_wait.h"

/* The longest a round waits for a lock while it holds others it took. */
#define HELD_WAIT_MS 100

/* The longest one queued wait for the busy relation alone lasts. */
#define ALONE_WAIT_MS 500

/* Sessions named in the error, at most. */
#define MAX_BLOCKERS 5

typedef struct lock_phase
{
	List	   *relids;
	LOCKMODE	mode;
	const char *who;
	Oid			busy;			/* the relation last found busy, or InvalidOid */
	Oid			waiting;		/* the relation being waited for, for the context */
	char	   *waiting_name;
} lock_phase;

/* "ACCESS EXCLUSIVE", as LOCK TABLE spells the modes this file is used with. */
static const char *
mode_words(LOCKMODE mode)
{
	switch (mode)
	{
		case AccessShareLock:
			return "ACCESS SHARE";
		case AccessExclusiveLock:
			return "ACCESS EXCLUSIVE";
		default:
			return GetLockmodeName(DEFAULT_LOCKMETHOD, mode);
	}
}

/* schema.name, or a description when the relation is gone. */
static char *
relation_name(Oid relid)
{
	char	   *name = get_rel_name(relid);
	char	   *schema = name ? get_namespace_name(get_rel_namespace(relid)) : NULL;

	if (name == NULL || schema == NULL)
		return psprintf("with OID %u", relid);
	return psprintf("\"%s.%s\"", schema, name);
}

static void
wait_context(void *arg)
{
	lock_phase *p = arg;

	if (OidIsValid(p->waiting))
		errcontext("%s waiting for an %s lock on relation %s", p->who, mode_words(p->mode),
				   p->waiting_name);
}

/*
 * The overall limit in milliseconds (0: none) and the setting it comes from.
 */
static int
effective_limit(const char **setting)
{
	int			limit = dbk_pg_lock_wait_timeout;

	*setting = "dbkeeper.lock_wait_timeout";
	if (LockTimeout > 0 && (limit == 0 || LockTimeout < limit))
	{
		limit = LockTimeout;
		*setting = "lock_timeout";
	}
	return limit;
}

/*
 * Waits at most ms for relid's lock; a timeout raises lock_timeout's own
 * error, which lock_round catches.
 */
static void
wait_for(lock_phase *p, Oid relid, int ms)
{
	char		value[32];

	snprintf(value, sizeof(value), "%d", Max(ms, 1));
	(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	p->waiting = relid;
	p->waiting_name = relation_name(relid);
	LockRelationOid(relid, p->mode);
	p->waiting = InvalidOid;
}

/* Milliseconds left before the deadline (PG_INT32_MAX without one). */
static int
ms_left(TimestampTz deadline)
{
	long		left;

	if (deadline == 0)
		return PG_INT32_MAX;
	left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
	return (int) Min(left, (long) PG_INT32_MAX);
}

/* The round's work, inside its subtransaction; false when it gave up. */
static bool
take_all(lock_phase *p, TimestampTz deadline)
{
	ListCell   *lc;
	TimestampTz held_until;

	if (OidIsValid(p->busy))
		wait_for(p, p->busy, Min(ALONE_WAIT_MS, ms_left(deadline)));
	held_until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), HELD_WAIT_MS);
	foreach(lc, p->relids)
	{
		Oid			relid = lfirst_oid(lc);
		int			grace;

		if (ConditionalLockRelationOid(relid, p->mode))
			continue;
		p->busy = relid;
		grace = Min(ms_left(held_until), ms_left(deadline));
		if (grace <= 0)
			return false;
		wait_for(p, relid, grace);
	}
	p->busy = InvalidOid;
	return true;
}

/*
 * One round in a subtransaction: true when every lock is held (and now
 * belongs to the caller's transaction), false when the round's locks were
 * released because one stayed busy.
 */
static bool
lock_round(lock_phase *p, TimestampTz deadline)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool done = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		done = take_all(p, deadline);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		p->waiting = InvalidOid;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		FreeErrorData(edata);
		return false;
	}
	PG_END_TRY();
	if (done)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return done;
}

/* SQL: the lock modes that conflict with mode, as pg_locks names them. */
static void
append_conflicting_modes(StringInfo sql, LOCKMODE mode)
{
	LOCKTAG		tag;
	LockMethod	method;
	bool		first = true;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, InvalidOid);
	method = GetLockTagsMethodTable(&tag);
	appendStringInfoString(sql, "ARRAY[");
	for (int m = 1; m <= method->numLockModes; m++)
		if (method->conflictTab[mode] & LOCKBIT_ON(m))
		{
			appendStringInfo(sql, "%s'%s'", first ? "" : ", ", GetLockmodeName(DEFAULT_LOCKMETHOD, m));
			first = false;
		}
	appendStringInfoString(sql, "]::text[]");
}

/*
 * "pid 123 (user "u", application "psql", idle in transaction for 42 s);
 * ..." for the sessions holding a lock on relid that conflicts with mode.
 * *first_pid gets the first one's pid (0 when none).
 */
static char *
describe_blockers(Oid relid, LOCKMODE mode, int *first_pid)
{
	StringInfoData sql,
				out;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT DISTINCT ON (l.pid) l.pid, a.usename, a.application_name, a.state,"
					 " round(extract(epoch FROM pg_catalog.clock_timestamp() - a.state_change))::bigint"
					 " FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
					 " WHERE l.locktype = 'relation' AND l.database = %u AND l.relation = %u"
					 " AND l.granted AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()"
					 " AND l.mode = ANY (", MyDatabaseId, relid);
	append_conflicting_modes(&sql, mode);
	appendStringInfo(&sql, ") ORDER BY l.pid LIMIT %d", MAX_BLOCKERS + 1);

	initStringInfo(&out);
	*first_pid = 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", sql.data);
	for (uint64 i = 0; i < SPI_processed && i < MAX_BLOCKERS; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *pid = SPI_getvalue(row, desc, 1);
		char	   *user = SPI_getvalue(row, desc, 2);
		char	   *app = SPI_getvalue(row, desc, 3);
		char	   *state = SPI_getvalue(row, desc, 4);
		char	   *secs = SPI_getvalue(row, desc, 5);

		if (i > 0)
			appendStringInfoString(&out, "; ");
		if (pid == NULL)
		{
			appendStringInfoString(&out, "a prepared transaction (see pg_prepared_xacts)");
			continue;
		}
		if (*first_pid == 0)
			*first_pid = atoi(pid);
		appendStringInfo(&out, "pid %s (user \"%s\", application \"%s\", ", pid,
						 user ? user : "?", app ? app : "");
		if (state == NULL)
			appendStringInfoString(&out, "state not visible without pg_read_all_stats)");
		else if (secs == NULL)
			appendStringInfo(&out, "%s)", state);
		else if (strcmp(state, "active") == 0)
			appendStringInfo(&out, "running a statement for %s s)", secs);
		else
			appendStringInfo(&out, "%s for %s s)", state, secs);
	}
	if (SPI_processed > MAX_BLOCKERS)
		appendStringInfoString(&out, "; and more");
	SPI_finish();
	pfree(sql.data);
	return out.data;
}

static void
report_busy(lock_phase *p, int limit, const char *setting, const char *outcome)
{
	char	   *name = relation_name(p->busy);
	int			pid;
	char	   *blockers = describe_blockers(p->busy, p->mode, &pid);

	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("%s could not lock relation %s within %d ms", p->who, name, limit),
			 blockers[0] != '\0'
			 ? errdetail("It needs an %s lock, and another session holds a conflicting lock: %s. %s",
						 mode_words(p->mode), blockers, outcome)
			 : errdetail("It needs an %s lock, which other sessions held until just now. %s",
						 mode_words(p->mode), outcome),
			 pid != 0
			 ? errhint("End that session with SELECT pg_terminate_backend(%d), or begin maintenance mode with "
					   "dbkeeper_maintenance_begin(message, terminate_sessions => true), then try again; "
					   "%s sets how long to wait.", pid, setting)
			 : errhint("Try again; %s sets how long to wait.", setting)));
}

void
dbk_lock_relations(List *relids, LOCKMODE mode, const char *who, const char *outcome)
{
	lock_phase	p;
	ErrorContextCallback cb;
	const char *setting;
	int			limit = effective_limit(&setting);
	TimestampTz deadline = limit > 0 ? TimestampTzPlusMilliseconds(GetCurrentTimestamp(), limit) : 0;

	if (relids == NIL)
		return;
	memset(&p, 0, sizeof(p));
	p.relids = relids;
	p.mode = mode;
	p.who = who;
	p.busy = InvalidOid;
	p.waiting = InvalidOid;
	cb.callback = wait_context;
	cb.arg = &p;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	for (;;)
	{
		if (lock_round(&p, deadline))
			break;
		if (deadline != 0 && ms_left(deadline) <= 0)
		{
			error_context_stack = cb.previous;
			report_busy(&p, limit, setting, outcome);
		}
	}
	error_context_stack = cb.previous;
}
