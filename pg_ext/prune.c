/*
 * prune.c — dbkeeper_prune([keep]): deletes the oldest backups of the
 * current database beyond the newest `keep` (dbkeeper.keep_backups when
 * NULL; 0 there means retention is off and nothing is deleted) and returns
 * how many.  The rules that protect files are the core's (core/catalog.c):
 * only files with dbkeeper's name and header, only this database's
 * PostgreSQL backups, never the newest, never through a link.
 */
#include "postgres.h"

#include "fmgr.h"

#include "../core/catalog.h"
#include "access.h"
#include "common.h"
#include "guc.h"

PG_FUNCTION_INFO_V1(dbkeeper_prune);

Datum
dbkeeper_prune(PG_FUNCTION_ARGS)
{
	volatile int64 keep = dbk_pg_keep_backups;
	char	   *database;
	dbk_allocator a;
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	int			deleted = 0;
	volatile int rc = 0;

	dbk_pg_check_access("dbkeeper_prune", DBK_PG_WRITE_FILES);
	if (!PG_ARGISNULL(0))
	{
		keep = PG_GETARG_INT32(0);	/* the core refuses keep < 1 */
	}
	else if (keep == 0)
		PG_RETURN_INT32(0);		/* retention is off and no count was given */
	database = dbk_pg_database_name();
	dbk_pg_open_dir(&d, false);
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	PG_TRY();
	{
		rc = dbk_catalog_prune(&a, &d, DBK_PG_ENGINE, database, DBK_EXT_PG, keep, &deleted, &err);
	}
	PG_FINALLY();
	{
		dbk_dir_close(&d);
	}
	PG_END_TRY();
	if (rc != 0)
		dbk_pg_raise(&err);
	PG_RETURN_INT32(deleted);
}
