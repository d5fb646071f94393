/*
 * config.c — dbkeeper_config(name [, value]) for SQLite.
 *
 * SQLite has no server settings, so each connection keeps its own copy of
 * PostgreSQL's dbkeeper.* settings:
 *
 *   backup_dir         where backups go; NULL restores the default, which is
 *                      $DBKEEPER_BACKUP_DIR or "dbkeeper-backups" beside the
 *                      database file
 *   keep_backups       backups kept by the retention that follows each
 *                      backup; 0 turns that retention off (default 14)
 *   compression_level  zstd level, 1 to 19 (default 3)
 *   maintenance_token  the token that admits this connection during
 *                      maintenance (banner.c): the one
 *                      dbkeeper_maintenance_begin() returned elsewhere;
 *                      NULL gives the connection a new random one
 *
 * With one argument it returns the value in effect; with two it sets the
 * value and returns it.  Unknown names and bad values are errors.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>

#define SETTING_NAMES "backup_dir, keep_backups, compression_level, maintenance_token"

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

static int
apply(dbk_sqlite_state *st, const char *name, sqlite3_value *v, dbk_error *err)
{
	sqlite3_int64 x;

	if (strcmp(name, "backup_dir") == 0)
	{
		const char *text = (const char *) sqlite3_value_text(v);
		char	   *copy = NULL;

		if (text != NULL && *text == '\0')
			return dbk_fail(err, DBK_E_INVALID, "setting \"backup_dir\" must not be empty; pass NULL for the default");
		if (text != NULL && (copy = sqlite3_mprintf("%s", text)) == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory");
		sqlite3_free(st->backup_dir);
		st->backup_dir = copy;
		return 0;
	}
	if (strcmp(name, "keep_backups") == 0)
	{
		if (sqlite3_value_type(v) == SQLITE_NULL)
			x = DBK_DEFAULT_KEEP;
		else if (set_integer(v, name, 0, 1000000, &x, err) != 0)
			return -1;
		st->keep_backups = x;
		return 0;
	}
	if (strcmp(name, "compression_level") == 0)
	{
		if (sqlite3_value_type(v) == SQLITE_NULL)
			x = DBK_DEFAULT_LEVEL;
		else if (set_integer(v, name, 1, 19, &x, err) != 0)
			return -1;
		st->compression_level = (int) x;
		return 0;
	}
	if (strcmp(name, "maintenance_token") == 0)
	{
		const char *text = (const char *) sqlite3_value_text(v);

		if (text == NULL)
		{
			(void) dbk_sqlite_token_random(st);
			return 0;
		}
		if (!dbk_sqlite_token_valid(text))
		{
			dbk_fail(err, DBK_E_INVALID, "setting \"maintenance_token\" must be the %d lowercase hex digits dbkeeper_maintenance_begin() returned",
					 DBK_TOKEN_HEX);
			return -1;
		}
		snprintf(st->maintenance_token, sizeof(st->maintenance_token), "%s", text);
		return 0;
	}
	return -2;
}

static void
sql_config(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_state *st = sqlite3_user_data(ctx);
	const char *name = (const char *) sqlite3_value_text(argv[0]);
	char		buf[4096];
	dbk_error	err;
	int			rc = 0;

	if (name == NULL)
	{
		sqlite3_result_error(ctx, "setting name must not be NULL", -1);
		return;
	}
	if (argc == 2)
		rc = apply(st, name, argv[1], &err);
	else if (strcmp(name, "backup_dir") != 0 && strcmp(name, "keep_backups") != 0 &&
			 strcmp(name, "compression_level") != 0 && strcmp(name, "maintenance_token") != 0)
		rc = -2;
	if (rc == -2)
	{
		dbk_fail(&err, DBK_E_INVALID, "unknown dbkeeper setting \"%s\"", name);
		dbk_error_detail(&err, "The settings are " SETTING_NAMES ".");
	}
	if (rc != 0)
	{
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (strcmp(name, "backup_dir") == 0)
	{
		if (dbk_sqlite_backup_dir(st, sqlite3_context_db_handle(ctx), buf, sizeof(buf), &err) != 0)
			sqlite3_result_null(ctx);	/* in-memory database without a setting */
		else
			sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
	}
	else if (strcmp(name, "keep_backups") == 0)
		sqlite3_result_int64(ctx, st->keep_backups);
	else if (strcmp(name, "maintenance_token") == 0)
		sqlite3_result_text(ctx, st->maintenance_token, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_int(ctx, st->compression_level);
}

int
dbk_sqlite_register_config(sqlite3 *db, dbk_sqlite_state *st)
{
	return dbk_sqlite_create(db, "dbkeeper_config", 1, 2, DBK_SQLITE_SIDE_EFFECTS, sql_config, st);
}
