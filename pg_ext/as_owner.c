/*
 * as_owner.c — no role's code runs with more privileges than the role has
 * while a superuser backs up or restores.
 *
 * A backup or restore runs the code of the database's roles wherever
 * PostgreSQL evaluates an expression: a domain's CHECK, a generated column
 * or a partition key while rows load, a CHECK constraint or a foreign key's
 * cast while it is validated, an immutable function folded into a constant
 * while CREATE TABLE checks a generation or partition expression, a domain
 * check on a partition bound, an event trigger on the script's DDL.  Run as
 * the superuser who restores, any of these can make its author a superuser.
 * Two layers keep it at its owner's privileges:
 *
 *   - dbk_as_owner_begin/end: a statement that evaluates a table's
 *     expressions (its COPY, the validation of its constraints) runs as the
 *     table's owner, with the restrictions PostgreSQL applies to an index
 *     build and REFRESH MATERIALIZED VIEW (PostgreSQL 15, catalog/index.c
 *     index_build, commands/matview.c): SetUserIdAndSecContext(owner,
 *     SECURITY_RESTRICTED_OPERATION) and a GUC nesting level rolled back
 *     afterwards; search_path is pg_catalog, pg_temp, as PostgreSQL 17's
 *     RestrictSearchPath sets it.  So it is what an INSERT by the owner
 *     would do, minus what a restricted operation forbids (SET ROLE,
 *     temporary tables, settings that outlive it).
 *
 *   - the guard (dbk_owner_guard_begin/end), for every other path: the
 *     function manager hooks that sepgsql uses (fmgr.h: needs_fmgr_hook,
 *     fmgr_hook) are installed for the backup or the replay only.  A
 *     function owned by a role that is not a superuser is then called
 *     through fmgr_security_definer, and when the current user at the call
 *     is a superuser, it runs as its owner, restricted as above.  A function
 *     that sets its own search_path keeps it.  PostgreSQL does not inline a
 *     SQL function that needs the hook, so inlined bodies cannot escape it.
 *     Functions owned by superusers run as the caller: a superuser wrote
 *     them.  Outside the guard the hooks are not installed; a function
 *     looked up during it keeps going through fmgr_security_definer, which
 *     then only adds a call.
 *
 *   - the guard in parallel workers.  An index built during the replay on
 *     a table of 8 MB or more (or with the parallel_workers storage
 *     parameter) is sorted by parallel workers too (PostgreSQL 15,
 *     optimizer/plan/planner.c plan_create_index_workers: allowed for a
 *     table created in the same transaction), and a query the replay runs
 *     (REFRESH MATERIALIZED VIEW, a foreign key's validation) may use
 *     them.  A worker evaluates the index's expressions and the query's
 *     functions as the leader's current user, which is the table's owner,
 *     possibly a superuser; the leader's hooks are not in the worker.  So
 *     the guard travels to the workers the way PostgreSQL passes state to
 *     them: a hidden setting, dbkeeper.owner_guard, on while the guard is,
 *     which every worker receives with the leader's settings
 *     (access/transam/parallel.c: libraries are loaded before settings are
 *     restored), and whose assign hook installs the hooks in the worker.
 *     Nobody else can turn it on: its check hook accepts "on" only from
 *     this file or while a parallel worker starts.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "as_owner.h"

#define SAFE_SEARCH_PATH "pg_catalog, pg_temp"

static int	guard_depth = 0;
static bool guard_setting = false;	/* dbkeeper.owner_guard */
static bool guard_setting_ours = false; /* set by this file, not a user */
static needs_fmgr_hook_type prev_needs_hook = NULL;
static fmgr_hook_type prev_fmgr_hook = NULL;

/* What one call through the hook saved, kept in the call's FmgrInfo. */
typedef struct owner_call
{
	bool		switched;
	Oid			save_userid;
	int			save_sec_context;
	int			nest_level;		/* 0: none of ours */
	Datum		prev_private;	/* the previous hook's */
} owner_call;

static void
restrict_search_path(void)
{
	(void) set_config_option("search_path", SAFE_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/* Whether a function's SET clauses (proconfig) name search_path. */
static bool
sets_search_path(HeapTuple proc)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(PROCOID, proc, Anum_pg_proc_proconfig, &isnull);
	ArrayType  *a;
	Datum	   *items;
	int			n;
	bool		found = false;

	if (isnull)
		return false;
	a = DatumGetArrayTypeP(d);
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &items, NULL, &n);
	for (int i = 0; i < n && !found; i++)
	{
		char	   *s = TextDatumGetCString(items[i]);

		found = strncmp(s, "search_path=", strlen("search_path=")) == 0;
		pfree(s);
	}
	pfree(items);
	return found;
}

static bool
owner_needs_hook(Oid fn)
{
	HeapTuple	tup;
	Oid			owner;

	if (prev_needs_hook != NULL && prev_needs_hook(fn))
		return true;
	if (guard_depth == 0)
		return false;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		return false;
	owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
	ReleaseSysCache(tup);
	return !superuser_arg(owner);
}

static void
owner_call_start(FmgrInfo *flinfo, owner_call *c)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	bool		own_level;

	c->switched = false;
	if (guard_depth == 0 || !superuser_arg(GetUserId()))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (superuser_arg(proc->proowner))
	{
		ReleaseSysCache(tup);
		return;
	}
	/*
	 * fmgr_security_definer opened a GUC level for a function with SET
	 * clauses and pops it before our end event, so such a call gets no
	 * level of ours (its level rolls our search_path back).
	 */
	own_level = heap_attisnull(tup, Anum_pg_proc_proconfig, NULL);
	GetUserIdAndSecContext(&c->save_userid, &c->save_sec_context);
	SetUserIdAndSecContext(proc->proowner, c->save_sec_context | SECURITY_RESTRICTED_OPERATION);
	c->switched = true;
	c->nest_level = own_level ? NewGUCNestLevel() : 0;
	if (!sets_search_path(tup))
		restrict_search_path();
	ReleaseSysCache(tup);
}

static void
owner_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	owner_call *c = (owner_call *) DatumGetPointer(*private);

	if (c == NULL)
	{
		c = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(owner_call));
		*private = PointerGetDatum(c);
	}
	if (event == FHET_START)
		owner_call_start(flinfo, c);
	if (prev_fmgr_hook != NULL)
		prev_fmgr_hook(event, flinfo, &c->prev_private);
	if ((event == FHET_END || event == FHET_ABORT) && c->switched)
	{
		/* after an error the (sub)transaction's abort pops the GUC level */
		if (event == FHET_END && c->nest_level > 0)
			AtEOXact_GUC(false, c->nest_level);
		SetUserIdAndSecContext(c->save_userid, c->save_sec_context);
		c->switched = false;
	}
}

static void
install_hooks(void)
{
	prev_needs_hook = needs_fmgr_hook;
	prev_fmgr_hook = fmgr_hook;
	needs_fmgr_hook = owner_needs_hook;
	fmgr_hook = owner_fmgr_hook;
}

/*
 * dbkeeper.owner_guard, set in the leader's transaction (so an abort
 * turns it off again); not in parallel mode, where no setting may change
 * (guard_end on an error's way out: the abort then resets it).
 */
static void
set_guard_setting(bool on)
{
	if (IsInParallelMode())
		return;
	guard_setting_ours = true;
	PG_TRY();
	{
		(void) set_config_option("dbkeeper.owner_guard", on ? "on" : "off", PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);
	}
	PG_FINALLY();
	{
		guard_setting_ours = false;
	}
	PG_END_TRY();
}

static bool
check_owner_guard(bool *newval, void **extra, GucSource source)
{
	if (!*newval || guard_setting_ours || InitializingParallelWorker)
		return true;
	GUC_check_errdetail("dbkeeper turns it on itself while a backup or restore runs.");
	return false;
}

/* In a parallel worker, the leader's guard: the hooks for the worker's life. */
static void
assign_owner_guard(bool newval, void *extra)
{
	if (newval && InitializingParallelWorker && guard_depth++ == 0)
		install_hooks();
}

void
dbk_owner_guard_define_guc(void)
{
	DefineCustomBoolVariable("dbkeeper.owner_guard",
							 "Set by dbkeeper while a backup or restore runs, so that its parallel workers run other roles' functions as their owners.",
							 NULL,
							 &guard_setting,
							 false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL,
							 check_owner_guard, assign_owner_guard, NULL);
}

void
dbk_owner_guard_begin(void)
{
	if (guard_depth++ > 0)
		return;
	install_hooks();
	set_guard_setting(true);
}

void
dbk_owner_guard_end(void)
{
	Assert(guard_depth > 0);
	if (--guard_depth > 0)
		return;
	needs_fmgr_hook = prev_needs_hook;
	fmgr_hook = prev_fmgr_hook;
	prev_needs_hook = NULL;
	prev_fmgr_hook = NULL;
	set_guard_setting(false);
}

void
dbk_as_owner_begin(dbk_as_owner *s, Oid owner)
{
	GetUserIdAndSecContext(&s->save_userid, &s->save_sec_context);
	SetUserIdAndSecContext(owner, s->save_sec_context | SECURITY_RESTRICTED_OPERATION);
	s->nest_level = NewGUCNestLevel();
	restrict_search_path();
}

void
dbk_as_owner_end(dbk_as_owner *s)
{
	AtEOXact_GUC(false, s->nest_level);
	SetUserIdAndSecContext(s->save_userid, s->save_sec_context);
}
