/*
 * dbkeeper.c — entry point of the SQLite loadable extension.
 *
 *   .load ./sqlite_ext/dbkeeper        (sqlite3 shell)
 *   SELECT load_extension('./sqlite_ext/dbkeeper');
 *
 * Creates the connection's state and registers every function from the
 * table below; the first failure stops the load with its message.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT1

#include <string.h>

typedef int (*dbk_registrar) (sqlite3 *db, dbk_sqlite_state *st);

static const struct
{
	const char *what;
	dbk_registrar fn;
}			registrars[] =
{
	{"dbkeeper_config", dbk_sqlite_register_config},
	{"dbkeeper_backup", dbk_sqlite_register_backup},
	{"dbkeeper_backups", dbk_sqlite_register_backups},
	{"dbkeeper_verify", dbk_sqlite_register_verify},
	{"dbkeeper_prune", dbk_sqlite_register_prune},
	{"dbkeeper_restore", dbk_sqlite_register_restore},
	{"dbkeeper_banner", dbk_sqlite_register_banner},
	{"dbkeeper_schema", dbk_sqlite_register_schema},
	{"dbkeeper_codelist", dbk_sqlite_register_codelist},
	{"dbkeeper_identity", dbk_sqlite_register_identity},
};

/*
 * The entry point is the library's only exported symbol: the rest is built
 * with -fvisibility=hidden (Makefile), so the dynamic loader has 1 symbol to
 * publish instead of about 200.
 */
__attribute__((visibility("default")))
int			sqlite3_dbkeeper_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

int
sqlite3_dbkeeper_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	dbk_sqlite_state *st;
	int			rc = SQLITE_OK;

	SQLITE_EXTENSION_INIT2(api);
	st = sqlite3_malloc64(sizeof(*st));
	if (st == NULL)
		return SQLITE_NOMEM;
	memset(st, 0, sizeof(*st));
	st->keep_backups = DBK_DEFAULT_KEEP;
	st->compression_level = DBK_DEFAULT_LEVEL;
	st->refs = 1;				/* ours, until registration is over */
	rc = dbk_sqlite_token_init(st, errmsg);

	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(registrars) / sizeof(registrars[0]); i++)
	{
		rc = registrars[i].fn(db, st);
		if (rc != SQLITE_OK && errmsg)
			*errmsg = sqlite3_mprintf("dbkeeper: could not register %s: %s", registrars[i].what,
									  sqlite3_errmsg(db));
	}
	dbk_sqlite_state_release(st);
	return rc;
}
