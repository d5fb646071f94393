/*
 * banner_prepared.c — helper of tests/sqlite/t_banner.sh: statements an
 * application prepared before maintenance began (as statement caches do)
 * must be refused when they run during maintenance.
 *
 *   banner_prepared DB EXTENSION
 *
 * Loads the extension, creates a table after the load (so it has no guard
 * trigger), prepares three writes, prints "ready", waits for a line on
 * stdin (the test begins maintenance from another process meanwhile), then
 * runs each and prints "<name>: <result code> <error message>".
 */
#include <sqlite3.h>
#include <stdio.h>

static void
run(sqlite3 *db, sqlite3_stmt *st, const char *name)
{
	int			rc = sqlite3_step(st);

	printf("%s: %d %s\n", name, rc, rc == SQLITE_DONE ? "done" : sqlite3_errmsg(db));
}

int
main(int argc, char **argv)
{
	sqlite3    *db = NULL;
	sqlite3_stmt *guarded = NULL;
	sqlite3_stmt *unguarded = NULL;
	sqlite3_stmt *ddl = NULL;
	char	   *err = NULL;
	char		line[64];
	int			status = 1;

	if (argc != 3 || sqlite3_open(argv[1], &db) != SQLITE_OK)
		goto done;
	sqlite3_enable_load_extension(db, 1);
	if (sqlite3_load_extension(db, argv[2], NULL, &err) != SQLITE_OK ||
		sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS after_load(x)", NULL, NULL, &err) != SQLITE_OK)
	{
		fprintf(stderr, "setup: %s\n", err ? err : sqlite3_errmsg(db));
		goto done;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO patient(name) VALUES ('cached')", -1, &guarded, NULL) ||
		sqlite3_prepare_v2(db, "INSERT INTO after_load VALUES (1)", -1, &unguarded, NULL) ||
		sqlite3_prepare_v2(db, "CREATE TABLE cached_ddl(x)", -1, &ddl, NULL))
	{
		fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
		goto done;
	}
	printf("ready\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		goto done;
	run(db, guarded, "guarded");
	run(db, unguarded, "unguarded");
	run(db, ddl, "ddl");
	status = 0;
done:
	sqlite3_finalize(guarded);
	sqlite3_finalize(unguarded);
	sqlite3_finalize(ddl);
	sqlite3_free(err);
	sqlite3_close(db);
	return status;
}
