/*
 * dbk_test_seclabel.c — test-only security label provider "dbk_test" for
 * tests/pg: accepts any label but 'refused'.  Loaded into every session of
 * the test clusters with session_preload_libraries (tests/pg/lib.sh).
 */
#include "postgres.h"

#include "commands/seclabel.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static void
check_label(const ObjectAddress *object, const char *label)
{
	if (label != NULL && strcmp(label, "refused") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("security label \"%s\" is refused by provider dbk_test", label)));
}

void
_PG_init(void)
{
	register_label_provider("dbk_test", check_label);
}
