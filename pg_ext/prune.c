/*
 * prune.c — dbkeeper_prune([keep [, label]]): deletes backups of the current
 * database that retention does not keep, and returns how many.
 *
 * Which backups: the unlabelled ones when label is NULL (what the automatic
 * retention after each backup prunes), the ones with that label otherwise
 * ('pre-restore' for the safety backups of restores), every one for '*'.
 * How many stay: the newest keep of them; when keep is NULL, the settings
 * dbkeeper.keep_backups and dbkeeper.keep_days (with both 0 nothing is
 * deleted).  The rules that protect files are the core's
 * (core/archive/catalog.c): only files with dbkeeper's name and header, only this
 * database's PostgreSQL backups (by identity), never its newest backup nor
 * the one its latest link names, never through a link.
 *
 * Each call leaves one LOG line naming the files it deleted (none, too).
 */
#include "postgres.h"

#include <time.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "../core/archive/catalog.h"
#include "access.h"
#include "common.h"
#include "guc.h"

PG_FUNCTION_INFO_V1(dbkeeper_prune);

Datum
dbkeeper_prune(PG_FUNCTION_ARGS)
{
	dbk_retention r = {dbk_pg_keep_backups, dbk_pg_keep_days, NULL, time(NULL)};
	dbk_origin	o;
	dbk_allocator a;
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	dbk_pruned	pruned;
	struct timespec started;
	char		line[2048];
	volatile int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &started);
	dbk_pg_check_access("dbkeeper_prune", DBK_PG_WRITE_FILES);
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		r.label = text_to_cstring(PG_GETARG_TEXT_PP(1));
		if (strcmp(r.label, "*") != 0 && dbk_label_check(r.label, &err) != 0)
			dbk_pg_raise(&err);
	}
	if (!PG_ARGISNULL(0))
	{
		r.keep = PG_GETARG_INT32(0);
		r.keep_days = 0;
		if (dbk_retention_count_check(r.keep, &err) != 0)
			dbk_pg_raise(&err);
	}
	dbk_pg_origin(&o);
	if (r.keep == 0 && r.keep_days == 0)
	{
		/* retention is off and no count was given: nothing to delete */
		dbk_pruned_init(&pruned);
		dbk_oplog_prune(line, sizeof(line), o.database, &pruned, dbk_pg_seconds_since(&started));
		dbk_pg_log(line);
		PG_RETURN_INT32(0);
	}
	dbk_pg_open_dir(&d, false);
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	PG_TRY();
	{
		rc = dbk_catalog_prune_noting(&a, &d, &o, DBK_EXT_PG, &r, &pruned, &err);
	}
	PG_FINALLY();
	{
		dbk_dir_close(&d);
	}
	PG_END_TRY();
	/* also after an error: the files deleted before it are gone */
	dbk_oplog_prune(line, sizeof(line), o.database, &pruned, dbk_pg_seconds_since(&started));
	if (rc == 0 || pruned.count > 0)
		dbk_pg_log(line);
	if (rc != 0)
		dbk_pg_raise(&err);
	PG_RETURN_INT32(pruned.count);
}
