/*
 * banner.c — the logon banner and maintenance mode: the C half of the SQL
 * functions in sql/30_banner.sql, and the setting dbkeeper.maintenance_roles.
 *
 *   dbkeeper_banner_set(message)                       sets the banner
 *   dbkeeper_maintenance_begin(message, terminate)     starts maintenance;
 *       with terminate, ends the other sessions of this database whose role
 *       could not log in now, and returns how many; NOTIFY on
 *       dbkeeper_maintenance with the message (delivered at commit)
 *   dbkeeper_banner_clear(), dbkeeper_maintenance_end()  clear the columns
 *
 * Each refuses a read-only transaction first, with a hint that names the
 * setting (dbk_pg_require_writable).
 *
 * Both check the message with the core's rules (core/banner/banner.c) and write the
 * one row of dbkeeper_banner_state through SPI.  They are SECURITY DEFINER
 * with search_path pinned to pg_catalog, pg_temp, so the queries below name
 * the state table by the schema of the function itself and rely on
 * pg_catalog for everything else.
 *
 * The login module (dbkeeper_login.c) refuses logins; this file only writes
 * the state.  Both libraries define dbkeeper.maintenance_roles, whichever is
 * loaded first in a session (see dbk_banner_define_gucs).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "access.h"
#include "common.h"
#include "guc.h"
#include "../core/banner/banner.h"

#define ROLES_GUC "dbkeeper.maintenance_roles"

/* How long maintenance_begin waits for each terminated session to exit. */
#define TERMINATE_WAIT_MS 5000

static char *maintenance_roles_value;

/* Check hook: a comma-separated list of role names, as in search_path. */
static bool
check_roles(char **newval, void **extra, GucSource source)
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

/*
 * Defines dbkeeper.maintenance_roles unless dbkeeper_login already did in
 * this session (a placeholder does not count: defining the variable is what
 * turns a placeholder into a checked, superuser-only setting).  Called from
 * _PG_init before MarkGUCPrefixReserved.
 */
void
dbk_banner_define_gucs(void)
{
	int			flags = GetConfigOptionFlags(ROLES_GUC, true);

	if (flags != 0 && (flags & GUC_CUSTOM_PLACEHOLDER) == 0)
		return;
	DefineCustomStringVariable(ROLES_GUC,
							   "Roles whose members may log in during dbkeeper maintenance mode.",
							   NULL, &maintenance_roles_value, "", PGC_SUSET, GUC_LIST_INPUT,
							   check_roles, NULL, NULL);
}

/* The OIDs of the existing roles listed in dbkeeper.maintenance_roles. */
static ArrayType *
maintenance_role_oids(void)
{
	const char *value = GetConfigOption(ROLES_GUC, true, false);
	char	   *copy = pstrdup(value ? value : "");
	List	   *names = NIL;
	ListCell   *lc;
	Datum	   *oids;
	int			n = 0;

	if (!SplitIdentifierString(copy, ',', &names))
		names = NIL;			/* the check hook keeps this from happening */
	oids = palloc(sizeof(Datum) * (list_length(names) + 1));
	foreach(lc, names)
	{
		Oid			role = get_role_oid((const char *) lfirst(lc), true);

		if (OidIsValid(role))
			oids[n++] = ObjectIdGetDatum(role);
	}
	return construct_array(oids, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT);
}

/* The message argument, checked by the core's rules; raises on a bad one. */
static char *
checked_message(FunctionCallInfo fcinfo)
{
	dbk_error	err;
	text	   *t;

	if (PG_ARGISNULL(0))
	{
		dbk_banner_check(NULL, 0, &err);
		dbk_pg_raise(&err);
	}
	t = PG_GETARG_TEXT_PP(0);
	if (dbk_banner_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &err) != 0)
		dbk_pg_raise(&err);
	return text_to_cstring(t);
}

/* "schema".dbkeeper_banner_state, the schema being the calling function's. */
static char *
state_table(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return psprintf("%s.dbkeeper_banner_state", quote_identifier(get_namespace_name(nsp)));
}

static void
spi_run(const char *sql, int nargs, Oid *types, Datum *values, int expected)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (rc != expected)
		elog(ERROR, "dbkeeper: SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

/*
 * Runs update (an UPDATE of the state row, parameters $1 [, $2]) and, when
 * the row was deleted by hand, inserts it first.
 */
static void
write_state(FunctionCallInfo fcinfo, const char *update, int nargs, Oid *types, Datum *values)
{
	spi_run(update, nargs, types, values, SPI_OK_UPDATE);
	if (SPI_processed > 0)
		return;
	spi_run(psprintf("INSERT INTO %s VALUES (NULL, NULL, NULL)", state_table(fcinfo)), 0, NULL,
			NULL, SPI_OK_INSERT);
	spi_run(update, nargs, types, values, SPI_OK_UPDATE);
}

PG_FUNCTION_INFO_V1(dbkeeper_banner_set);

Datum
dbkeeper_banner_set(PG_FUNCTION_ARGS)
{
	char	   *message = checked_message(fcinfo);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(message)};
	char	   *sql = psprintf("UPDATE %s SET banner = $1", state_table(fcinfo));

	dbk_pg_require_writable("dbkeeper_banner_set()");
	SPI_connect();
	write_state(fcinfo, sql, 1, types, values);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Terminates the other client sessions of this database whose role could
 * not log in during maintenance (not a superuser, not a member of a role in
 * dbkeeper.maintenance_roles), waiting for each to exit; returns how many.
 * Background workers (pg_cron's among them) are not client backends and
 * are left alone.
 */
static int
terminate_sessions(void)
{
	Oid			types[2] = {OIDOID, OIDARRAYOID};
	Datum		values[2] = {ObjectIdGetDatum(MyDatabaseId),
	PointerGetDatum(maintenance_role_oids())};
	char	   *sql = psprintf(
							   "SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid, %d))::int4 "
							   "  FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid "
							   " WHERE a.datid = $1 AND a.backend_type = 'client backend' "
							   "   AND a.pid <> pg_backend_pid() AND NOT r.rolsuper "
							   "   AND NOT EXISTS (SELECT FROM unnest($2) m(role) "
							   "                    WHERE pg_has_role(a.usesysid, m.role, 'MEMBER'))",
							   TERMINATE_WAIT_MS);
	bool		isnull;
	Datum		n;

	spi_run(sql, 2, types, values, SPI_OK_SELECT);
	n = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt32(n);
}

PG_FUNCTION_INFO_V1(dbkeeper_maintenance_begin);

Datum
dbkeeper_maintenance_begin(PG_FUNCTION_ARGS)
{
	char	   *message = checked_message(fcinfo);
	bool		terminate = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	dbk_error	err;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(message)};
	char	   *sql = psprintf("UPDATE %s SET maintenance_message = $1, "
							   "maintenance_since = coalesce(maintenance_since, now())",
							   state_table(fcinfo));
	int			terminated = 0;

	if (PG_ARGISNULL(1))
	{
		dbk_fail_null(&err, "terminate_sessions");
		dbk_pg_raise(&err);
	}
	dbk_pg_require_writable("dbkeeper_maintenance_begin()");
	SPI_connect();
	write_state(fcinfo, sql, 1, types, values);
	if (terminate)
		terminated = terminate_sessions();
	SPI_finish();
	Async_Notify(DBK_BANNER_NOTIFY_CHANNEL, message);
	PG_RETURN_INT32(terminated);
}

/* C rather than SQL only for the read-only check, whose hint SQL cannot add. */
static void
update_state(FunctionCallInfo fcinfo, const char *function, const char *assignments)
{
	dbk_pg_require_writable(function);
	SPI_connect();
	spi_run(psprintf("UPDATE %s SET %s", state_table(fcinfo), assignments), 0, NULL, NULL,
			SPI_OK_UPDATE);
	SPI_finish();
}

PG_FUNCTION_INFO_V1(dbkeeper_banner_clear);

Datum
dbkeeper_banner_clear(PG_FUNCTION_ARGS)
{
	update_state(fcinfo, "dbkeeper_banner_clear()", "banner = NULL");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(dbkeeper_maintenance_end);

Datum
dbkeeper_maintenance_end(PG_FUNCTION_ARGS)
{
	update_state(fcinfo, "dbkeeper_maintenance_end()",
				 "maintenance_message = NULL, maintenance_since = NULL");
	PG_RETURN_VOID();
}
