/*
 * auth_chain.c — helper of tests/sqlite/t_maintenance.sh: an application
 * with an authorizer of its own, which it set before loading dbkeeper and
 * then hands to dbkeeper with dbkeeper_authorizer(?1) (a pointer bound with
 * sqlite3_bind_pointer, type "dbkeeper_authorizer"), so both run.
 *
 *   auth_chain DB EXTENSION       (DB is in maintenance, begun elsewhere)
 *
 * The application's authorizer refuses DELETE on table visit.  Prints one
 * line per statement: what was allowed, what was refused and by whom.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct dbkeeper_authorizer
{
	int			(*x_auth) (void *, int, const char *, const char *, const char *, const char *);
	void	   *arg;
};

static int
app_auth(void *arg, int action, const char *a1, const char *a2, const char *db, const char *trg)
{
	int		   *calls = arg;

	(void) a2;
	(void) db;
	(void) trg;
	(*calls)++;
	if (action == SQLITE_DELETE && a1 && strcmp(a1, "visit") == 0)
		return SQLITE_DENY;
	return SQLITE_OK;
}

int
main(int argc, char **argv)
{
	sqlite3    *db = NULL;
	sqlite3_stmt *st = NULL;
	char	   *err = NULL;
	int			calls = 0,
				rc;
	struct dbkeeper_authorizer mine = {app_auth, &calls};

	if (argc != 3 || sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 1;
	sqlite3_set_authorizer(db, app_auth, &calls);	/* before the load */
	sqlite3_enable_load_extension(db, 1);
	if (sqlite3_load_extension(db, argv[2], NULL, &err) != SQLITE_OK ||
		sqlite3_prepare_v2(db, "SELECT dbkeeper_authorizer(?1)", -1, &st, NULL) != SQLITE_OK ||
		sqlite3_bind_pointer(st, 1, &mine, "dbkeeper_authorizer", NULL) != SQLITE_OK ||
		sqlite3_step(st) != SQLITE_ROW)
	{
		fprintf(stderr, "setup: %s\n", err ? err : sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_finalize(st);
	calls = 0;
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM patient", -1, &st, NULL);
	printf("select: %s, app authorizer %s\n", rc == SQLITE_OK ? "allowed" : sqlite3_errmsg(db),
		   calls > 0 ? "called" : "not called");
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(db, "DELETE FROM visit", -1, &st, NULL);
	printf("delete visit: %d %s (by the application)\n", rc, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	rc = sqlite3_exec(db, "CREATE TABLE chained(x)", NULL, NULL, NULL);
	printf("ddl: %d %s\n", rc, sqlite3_errmsg(db));
	sqlite3_close(db);
	return 0;
}
