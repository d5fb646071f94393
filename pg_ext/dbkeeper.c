/*
 * dbkeeper.c — entry of the PostgreSQL extension: module magic, _PG_init
 * and dbkeeper_version().  Each feature's SQL functions live in a file named
 * for it (backup.c, restore.c, ...), calling the portable core in ../core.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "as_owner.h"
#include "guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* Each feature's settings, defined before the prefix is reserved. */
	dbk_pg_define_gucs();
	dbk_banner_define_gucs();
	dbk_owner_guard_define_guc();
	MarkGUCPrefixReserved("dbkeeper");
}

PG_FUNCTION_INFO_V1(dbkeeper_version);

Datum
dbkeeper_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(DBKEEPER_VERSION));
}
