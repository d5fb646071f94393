/*
 * dbkeeper_login.c — the login module: a shared library of its own, listed
 * in session_preload_libraries, that shows dbkeeper's banner at login and
 * refuses ordinary logins during maintenance.
 *
 *   ALTER DATABASE app SET session_preload_libraries = 'dbkeeper_login';
 *
 * Why _PG_init: a session-preloaded library is initialised at the end of
 * InitPostgres, inside the start-up transaction, after authentication and
 * after the settings of the role, database and start-up packet are applied.
 * There it can read a table, a NOTICE reaches the client, and a FATAL ends
 * the login (facts checked on PostgreSQL 15).  A NOTICE from
 * ClientAuthentication_hook would be lost, which is why this is not a hook.
 *
 * Invariants:
 * - Client backends and WAL senders connected to a database
 *   (replication=database, am_db_walsender) are checked: such a WAL sender
 *   runs SQL as a client backend does, and it loads session_preload_libraries
 *   at the same point of InitPostgres.  A physical replication connection
 *   (replication=true) has no database, so there is no state to read: it
 *   is let through, as a standby or pg_basebackup must keep streaming while
 *   an application is in maintenance (it runs no SQL and writes nothing).
 *   Background workers, pg_cron's among them, never load
 *   session_preload_libraries; the backend type is checked as well, never
 *   application_name.
 * - The state is found without the search_path: the dbkeeper row of
 *   pg_extension gives the schema, the table is looked up by name in that
 *   schema and read with a heap scan under locks taken only if they are
 *   free at once (and lock_timeout at LOGIN_LOCK_TIMEOUT for whatever else
 *   the reading waits for), so no lock holds a login up.
 * - Reading the state runs in a subtransaction.  When dbkeeper is not
 *   installed the login goes on.  When it is but the state cannot be read
 *   (the table locked, dropped or altered by hand), the login cannot know
 *   whether maintenance is on, so it fails closed: refused with FATAL
 *   (57P03) saying why, unless the role would be admitted during maintenance
 *   (a superuser, a member of dbkeeper.maintenance_roles); the reason is
 *   written to the server log either way.
 * - During maintenance a login fails with FATAL, SQLSTATE 57P03
 *   (cannot_connect_now), the message being the maintenance message, unless
 *   the session user is a superuser or a member of a role listed in
 *   dbkeeper.maintenance_roles.  That setting is defined here (superuser
 *   only) before it is read, so a value a client sends in its start-up
 *   packet for a placeholder is discarded instead of obeyed.  It is defined
 *   only then, or when the library is loaded where it checks no login: on
 *   PostgreSQL 15 defining a setting sorts the whole table of settings
 *   again, which cost more than everything else the module does at a login
 *   (measured: README "Cost of the login module").
 * - Loaded through shared_preload_libraries, the library would run once in
 *   the postmaster and never per session; it says so in the log and does
 *   nothing.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "parser/analyze.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "replication/walsender.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"

#include "../core/banner/banner.h"

PG_MODULE_MAGIC;

#define ROLES_GUC "dbkeeper.maintenance_roles"
#define STATE_TABLE "dbkeeper_banner_state"
/* lock_timeout while the state is read: whatever else it waits for */
#define LOGIN_LOCK_TIMEOUT "2s"

typedef enum login_read
{
	LOGIN_NOT_INSTALLED,		/* no dbkeeper in this database */
	LOGIN_READ,					/* the state was read */
	LOGIN_UNREADABLE			/* dbkeeper is here, its state could not be read */
} login_read;

typedef struct login_state
{
	char	   *banner;			/* NULL: none */
	char	   *maintenance_message;	/* NULL: not in maintenance */
	bool		admitted;		/* may log in during maintenance */
} login_state;

void		_PG_init(void);

static char *maintenance_roles_value;

/* Same rule as dbkeeper.so's check hook (pg_ext/banner.c). */
static bool
login_check_roles(char **newval, void **extra, GucSource source)
{
	char	   *copy = pstrdup(*newval ? *newval : "");
	List	   *names = NIL;
	bool		ok = SplitIdentifierString(copy, ',', &names);

	list_free(names);
	pfree(copy);
	if (!ok)
		GUC_check_errdetail("List syntax is invalid.");
	return ok;
}

static void
login_define_gucs(void)
{
	int			flags = GetConfigOptionFlags(ROLES_GUC, true);

	if (flags != 0 && (flags & GUC_CUSTOM_PLACEHOLDER) == 0)
		return;					/* dbkeeper.so defined it already */
	DefineCustomStringVariable(ROLES_GUC,
							   "Roles whose members may log in during dbkeeper maintenance mode.",
							   NULL, &maintenance_roles_value, "", PGC_SUSET, GUC_LIST_INPUT,
							   login_check_roles, NULL, NULL);
}

/* The schema dbkeeper is installed in, or InvalidOid when it is not. */
static Oid
login_extension_schema(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			nsp = InvalidOid;

	if (!ConditionalLockRelationOid(ExtensionRelationId, AccessShareLock))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("catalog \"pg_extension\" is locked")));
	rel = table_open(ExtensionRelationId, NoLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("dbkeeper"));
	/*
	 * pg_extension has a few rows: reading them all costs less at a login
	 * than building the relcache entry of its index.
	 */
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nsp;
}

/* The number of the text column `name`; raises when there is none. */
static AttrNumber
login_text_column(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && att->atttypid == TEXTOID && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("table \"%s\" has no text column \"%s\"", RelationGetRelationName(rel), name)));
	pg_unreachable();
}

static char *
login_text_value(TupleTableSlot *slot, AttrNumber att, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, att, &isnull);

	if (isnull)
		return NULL;
	return MemoryContextStrdup(cxt, TextDatumGetCString(d));
}

/* Whether the session user may log in during maintenance. */
static bool
login_admitted(void)
{
	Oid			user = GetSessionUserId();
	const char *value;
	char	   *copy;
	List	   *names = NIL;
	ListCell   *lc;

	if (superuser_arg(user))
		return true;
	login_define_gucs();
	value = GetConfigOption(ROLES_GUC, true, false);
	copy = pstrdup(value ? value : "");
	if (!SplitIdentifierString(copy, ',', &names))
		return false;
	foreach(lc, names)
	{
		Oid			role = get_role_oid((const char *) lfirst(lc), true);

		if (OidIsValid(role) && is_member_of_role(user, role))
			return true;
	}
	return false;
}

/*
 * Reads the state row into *st (strings in cxt).  Returns false when
 * dbkeeper is not installed here; raises on anything unexpected.
 */
static bool
login_read_state(login_state *st, MemoryContext cxt)
{
	Oid			nsp = login_extension_schema();
	Oid			relid;
	Relation	rel;
	AttrNumber	banner_att;
	AttrNumber	maintenance_att;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;

	if (!OidIsValid(nsp))
		return false;
	relid = get_relname_relid(STATE_TABLE, nsp);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("dbkeeper is installed but its table \"%s\" is missing", STATE_TABLE)));
	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("table \"%s\" is locked", STATE_TABLE)));
	rel = table_open(relid, NoLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", STATE_TABLE)));
	banner_att = login_text_column(rel, "banner");
	maintenance_att = login_text_column(rel, "maintenance_message");

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	if (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		st->banner = login_text_value(slot, banner_att, cxt);
		st->maintenance_message = login_text_value(slot, maintenance_att, cxt);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);

	if (st->maintenance_message != NULL)
		st->admitted = login_admitted();
	return true;
}

/*
 * login_read_state in a subtransaction, under lock_timeout.  On
 * LOGIN_UNREADABLE, *why is the error's message.
 */
static login_read
login_try_read_state(login_state *st, char **why)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile login_read result = LOGIN_UNREADABLE;
	int			nest = NewGUCNestLevel();

	(void) set_config_option("lock_timeout", LOGIN_LOCK_TIMEOUT, PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		result = login_read_state(st, cxt) ? LOGIN_READ : LOGIN_NOT_INSTALLED;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
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
		*why = pstrdup(edata->message);
		FreeErrorData(edata);
		st->banner = NULL;
		st->maintenance_message = NULL;
		result = LOGIN_UNREADABLE;
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nest);
	return result;
}

/* The state could not be read: admit only whom maintenance would admit. */
static void
login_unreadable(const char *why)
{
	if (login_admitted())
	{
		ereport(LOG,
				(errmsg("dbkeeper_login: could not read the maintenance state; the login goes on as the role may log in during maintenance: %s",
						why)));
		return;
	}
	ereport(FATAL,
			(errcode(ERRCODE_CANNOT_CONNECT_NOW),
			 errmsg("could not read the maintenance state of this database: %s", why),
			 errdetail("dbkeeper cannot tell whether the database is in maintenance mode, so only superusers and members of the roles listed in dbkeeper.maintenance_roles may connect."),
			 errhint("Try again in a moment.  If this persists, a superuser should check table \"%s\" of extension dbkeeper.",
					 STATE_TABLE)));
}

static void
login_check(void)
{
	login_state st = {NULL, NULL, false};
	char	   *why = NULL;

	switch (login_try_read_state(&st, &why))
	{
		case LOGIN_NOT_INSTALLED:
			return;
		case LOGIN_UNREADABLE:
			login_unreadable(why);
			return;
		case LOGIN_READ:
			break;
	}
	if (st.maintenance_message != NULL)
	{
		if (!st.admitted)
			ereport(FATAL,
					(errcode(ERRCODE_CANNOT_CONNECT_NOW),
					 errmsg_internal("%s", st.maintenance_message),
					 errdetail_internal("%s", DBK_BANNER_LOGIN_REFUSED_DETAIL),
					 errhint("%s", DBK_BANNER_LOGIN_REFUSED_HINT)));
		ereport(NOTICE,
				(errmsg_internal("%s", st.maintenance_message),
				 errdetail_internal("%s", DBK_BANNER_LOGIN_ADMITTED_DETAIL)));
	}
	else if (st.banner != NULL)
		ereport(NOTICE, (errmsg_internal("%s", st.banner)));
}

#ifndef DBK_LOGIN_REPLICATION

void
_PG_init(void)
{
	if (process_shared_preload_libraries_in_progress)
	{
		ereport(LOG,
				(errmsg("dbkeeper_login does nothing when loaded through shared_preload_libraries"),
				 errhint("List it in session_preload_libraries instead.")));
		return;
	}
	if (!IsUnderPostmaster ||
		!(MyBackendType == B_BACKEND || (MyBackendType == B_WAL_SENDER && am_db_walsender)) ||
		!OidIsValid(MyDatabaseId) || !IsTransactionState())
	{
		login_define_gucs();
		return;
	}
	login_check();
}

#else							/* dbkeeper_replication.c */

static post_parse_analyze_hook_type prev_post_parse_analyze_hook = NULL;
static bool replication_checked = false;

/*
 * The first SQL statement of a WAL sender connected to a database: the
 * login check, as dbkeeper_login makes it at a client backend's login.
 */
static void
replication_check(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze_hook != NULL)
		prev_post_parse_analyze_hook(pstate, query, jstate);
	if (replication_checked || !am_db_walsender || !OidIsValid(MyDatabaseId) || !IsTransactionState())
		return;
	replication_checked = true;
	login_check();
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
	{
		ereport(LOG,
				(errmsg("dbkeeper_replication does nothing unless loaded through shared_preload_libraries")));
		return;
	}
	login_define_gucs();
	prev_post_parse_analyze_hook = post_parse_analyze_hook;
	post_parse_analyze_hook = replication_check;
}

#endif
