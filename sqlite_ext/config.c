/*
 * config.c — dbkeeper_config(name [, value [, scope]]) for SQLite.
 *
 * SQLite has no server settings.  PostgreSQL's dbkeeper.* settings live in
 * two places here, and the environment gives a default:
 *
 *   backup_dir         where backups go (default: $DBKEEPER_BACKUP_DIR, else
 *                      "dbkeeper-backups" beside the database file)
 *   keep_backups       unlabelled backups kept by the retention that follows
 *                      each backup; 0: no count (default 14)
 *   keep_days          unlabelled backups younger than this many days kept
 *                      by that retention; 0: no age (default 0); with both
 *                      0 the retention is off
 *   compression_level  zstd level, 1 to 19 (default 3)
 *   maintenance_token  (connection only) the token that admits this
 *                      connection during maintenance (banner.c): the one
 *                      dbkeeper_maintenance_begin() returned elsewhere; NULL
 *                      gives the connection a new random one
 *
 * Scope 'connection' (the default) sets the value for this connection only;
 * scope 'database' stores it in the table dbkeeper_settings(name, value) of
 * the main database, so every connection and process that opens the file
 * uses it (a write: refused to connections not admitted during
 * maintenance).  NULL removes the value from that scope.  The value in
 * effect is the connection's, else the database's, else the environment's,
 * else the default.  With one argument it returns the value in effect;
 * with two or three it sets the value and returns the value in effect.
 * Unknown names, scopes and bad values are errors and change nothing.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SETTING_NAMES "backup_dir, keep_backups, keep_days, compression_level, maintenance_token"

static bool
known(const char *name)
{
	return strcmp(name, "backup_dir") == 0 || strcmp(name, "keep_backups") == 0 ||
		strcmp(name, "keep_days") == 0 || strcmp(name, "compression_level") == 0 ||
		strcmp(name, "maintenance_token") == 0;
}

static int
set_integer(sqlite3_value *v, const char *name, sqlite3_int64 lo, sqlite3_int64 hi,
			sqlite3_int64 *out, dbk_error *err)
{
	sqlite3_int64 x;

	if (sqlite3_value_type(v) == SQLITE_TEXT)
		sqlite3_value_numeric_type(v);
	if (sqlite3_value_type(v) != SQLITE_INTEGER)
		return dbk_fail(err, DBK_E_INVALID, "setting \"%s\" takes an integer", name);
	x = sqlite3_value_int64(v);
	if (x < lo || x > hi)
		return dbk_fail(err, DBK_E_INVALID, "setting \"%s\" must be between %lld and %lld, not %lld",
						name, (long long) lo, (long long) hi, (long long) x);
	*out = x;
	return 0;
}

/*
 * Checks a non-NULL value of a setting; *text gets it as stored in the
 * database (the caller frees it).
 */
static int
check_value(const char *name, sqlite3_value *v, char **text, dbk_error *err)
{
	sqlite3_int64 x;

	*text = NULL;
	if (strcmp(name, "backup_dir") == 0)
	{
		const char *t = (const char *) sqlite3_value_text(v);

		if (t == NULL || *t == '\0')
			return dbk_fail(err, DBK_E_INVALID, "setting \"backup_dir\" must not be empty; pass NULL to remove it");
		*text = sqlite3_mprintf("%s", t);
	}
	else if (strcmp(name, "keep_backups") == 0 || strcmp(name, "keep_days") == 0 ||
			 strcmp(name, "compression_level") == 0)
	{
		bool		keep = strcmp(name, "compression_level") != 0;

		if (set_integer(v, name, keep ? 0 : 1, keep ? 1000000 : 19, &x, err) != 0)
			return -1;
		*text = sqlite3_mprintf("%lld", (long long) x);
	}
	else
	{
		const char *t = (const char *) sqlite3_value_text(v);

		if (t == NULL || !dbk_sqlite_token_valid(t))
			return dbk_fail(err, DBK_E_INVALID, "setting \"maintenance_token\" must be the %d lowercase hex digits dbkeeper_maintenance_begin() returned",
							DBK_TOKEN_HEX);
		*text = sqlite3_mprintf("%s", t);
	}
	return *text ? 0 : dbk_fail(err, DBK_E_NOMEM, "out of memory");
}

/* Sets (text) or removes (NULL) the connection's value. */
static void
set_connection(dbk_sqlite_state *st, const char *name, char *text)
{
	if (strcmp(name, "backup_dir") == 0)
	{
		sqlite3_free(st->backup_dir);
		st->backup_dir = text;
		return;
	}
	if (strcmp(name, "keep_backups") == 0)
	{
		st->keep_set = text != NULL;
		st->keep_backups = text ? strtoll(text, NULL, 10) : DBK_DEFAULT_KEEP;
	}
	else if (strcmp(name, "keep_days") == 0)
	{
		st->keep_days_set = text != NULL;
		st->keep_days = text ? strtoll(text, NULL, 10) : 0;
	}
	else if (strcmp(name, "compression_level") == 0)
	{
		st->level_set = text != NULL;
		st->compression_level = text ? (int) strtol(text, NULL, 10) : DBK_DEFAULT_LEVEL;
	}
	else if (text != NULL)
		snprintf(st->maintenance_token, sizeof(st->maintenance_token), "%s", text);
	else
		(void) dbk_sqlite_token_random(st);
	sqlite3_free(text);
}

/* Stores (text) or removes (NULL) the database's value, in a savepoint. */
static int
set_database(sqlite3 *db, const char *name, const char *text, dbk_error *err)
{
	sqlite3_stmt *q = NULL;
	int			rc;

	rc = sqlite3_exec(db, "SAVEPOINT dbkeeper_config;"
					  "CREATE TABLE IF NOT EXISTS main." DBK_SETTINGS_TABLE
					  "(name TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, text ? "INSERT INTO main." DBK_SETTINGS_TABLE " VALUES (?1, ?2)"
								" ON CONFLICT(name) DO UPDATE SET value = excluded.value"
								: "DELETE FROM main." DBK_SETTINGS_TABLE " WHERE name = ?1", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && text)
		rc = sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	sqlite3_finalize(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "RELEASE dbkeeper_config", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
	{
		dbk_fail(err, rc == SQLITE_NOMEM ? DBK_E_NOMEM : DBK_E_IO,
				 "could not store setting \"%s\" in the database: %s", name, sqlite3_errmsg(db));
		(void) sqlite3_exec(db, "ROLLBACK TO dbkeeper_config; RELEASE dbkeeper_config", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void
result_effective(sqlite3_context *ctx, dbk_sqlite_state *st, const char *name)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	char		buf[4096];
	dbk_error	err;

	if (strcmp(name, "backup_dir") == 0)
	{
		if (dbk_sqlite_backup_dir(st, db, buf, sizeof(buf), &err) != 0)
			sqlite3_result_null(ctx);	/* in-memory database without a setting */
		else
			sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
	}
	else if (strcmp(name, "keep_backups") == 0)
		sqlite3_result_int64(ctx, dbk_sqlite_keep(st, db));
	else if (strcmp(name, "keep_days") == 0)
		sqlite3_result_int64(ctx, dbk_sqlite_keep_days(st, db));
	else if (strcmp(name, "compression_level") == 0)
		sqlite3_result_int(ctx, dbk_sqlite_level(st, db));
	else
		sqlite3_result_text(ctx, st->maintenance_token, -1, SQLITE_TRANSIENT);
}

static void
sql_config(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	const char *name = (const char *) sqlite3_value_text(argv[0]);
	const char *scope = argc > 2 ? (const char *) sqlite3_value_text(argv[2]) : "connection";
	char	   *text = NULL;
	dbk_error	err;

	if (name == NULL)
	{
		dbk_fail_null(&err, "setting name");
		goto fail;
	}
	if (!known(name))
	{
		dbk_fail(&err, DBK_E_INVALID, "unknown dbkeeper setting \"%s\"", name);
		dbk_error_detail(&err, "The settings are " SETTING_NAMES ".");
		goto fail;
	}
	if (scope == NULL)
	{
		dbk_fail_null(&err, "scope");
		goto fail;
	}
	if ((strcmp(scope, "connection") != 0 && strcmp(scope, "database") != 0))
	{
		dbk_fail(&err, DBK_E_INVALID, "unknown scope \"%s\" for dbkeeper_config", scope);
		dbk_error_detail(&err, "The scopes are 'connection' (this connection only) and 'database' (every connection to this database file).");
		goto fail;
	}
	if (argc >= 2)
	{
		bool		database = strcmp(scope, "database") == 0;

		if (database && strcmp(name, "maintenance_token") == 0)
		{
			dbk_fail(&err, DBK_E_INVALID, "setting \"maintenance_token\" belongs to one connection");
			dbk_error_detail(&err, "Storing it in the database would admit every connection.");
			goto fail;
		}
		if (sqlite3_value_type(argv[1]) != SQLITE_NULL && check_value(name, argv[1], &text, &err) != 0)
			goto fail;
		if (database)
		{
			int			rc = set_database(sqlite3_context_db_handle(ctx), name, text, &err);

			sqlite3_free(text);
			if (rc != 0)
				goto fail;
		}
		else
			set_connection(st, name, text);
	}
	result_effective(ctx, st, name);
	return;
fail:
	dbk_sqlite_result_error(ctx, &err);
}

int
dbk_sqlite_register_config(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_config", 1, 3, DBK_SQLITE_SIDE_EFFECTS, sql_config, st);
}
