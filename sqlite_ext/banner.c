/*
 * banner.c — the logon banner and maintenance mode for SQLite.
 *
 *   dbkeeper_banner()                       the message now: the maintenance
 *                                           message, else the banner, else NULL
 *   dbkeeper_in_maintenance()               1 during maintenance, else 0
 *   dbkeeper_banner_set(message)            sets the banner
 *   dbkeeper_banner_clear()                 removes it
 *   dbkeeper_maintenance_begin(message [, terminate_sessions])
 *                                           starts maintenance; returns 0
 *                                           (SQLite has no sessions to end)
 *   dbkeeper_maintenance_end()              ends it, for every connection
 *   dbkeeper_write_guard()                  internal: called by the guard
 *                                           triggers described below
 *
 * The state is the one row of main.dbkeeper_banner_state, created by the
 * first function that writes it.  The connection that begins maintenance
 * stores a random token of its own in the row; it alone keeps writing.
 * Any connection may end maintenance (the one that began it may be gone).
 *
 * How writes are refused, on every connection that loaded dbkeeper:
 * - Guard triggers.  At load, every ordinary table of the main database gets
 *   TEMP triggers (this connection only, never stored in the file) BEFORE
 *   INSERT, UPDATE and DELETE that call dbkeeper_write_guard().  During
 *   maintenance the guard fails the statement with the maintenance message
 *   as the error text.  The guard runs inside the writing transaction and
 *   reads the state through this connection, so it sees what that
 *   transaction sees.  A statement that writes no row writes nothing.
 * - An authorizer, for what triggers cannot reach: DDL (CREATE, DROP,
 *   ALTER, REINDEX, ANALYZE), the PRAGMAs that write the file header, and
 *   rows of tables without guard triggers (created after the load, or
 *   virtual).  It runs when a statement is prepared and can only refuse
 *   with SQLite's own "not authorized" (SQLITE_AUTH): SQLite gives an
 *   authorizer no way to word its refusal.  An authorizer must not use its
 *   own connection, so it reads the state through a private read-only
 *   connection to the same file.
 * - Freshness.  Both read the state again only when the main database's
 *   data version (SQLITE_FCNTL_DATA_VERSION, which counts commits of every
 *   connection and process) has moved since the last read.  Beginning and
 *   ending maintenance also change the schema cookie (an index created and
 *   dropped in the same transaction), so a statement another connection
 *   prepared earlier is prepared again, and authorized again, before it
 *   runs.
 * The authorizer replaces any authorizer the application had set.  Loading
 * dbkeeper twice on one connection gives it a new token.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>

#include "../core/banner.h"

#define STATE_TABLE "dbkeeper_banner_state"
#define TOKEN_BYTES 16

typedef struct banner_conn
{
	int			refs;
	sqlite3    *db;
	sqlite3    *reader;			/* private read-only connection, or NULL */
	bool		reader_failed;	/* in-memory database or open failed */
	char		token[TOKEN_BYTES * 2 + 1];
	bool		own_write;		/* one of our functions is writing the state */
	bool		cache_valid;
	unsigned	cache_version;
	bool		refused;		/* maintenance by another connection */
	char	   *message;		/* maintenance message while refused */
	char	  **guarded;		/* tables with guard triggers */
	int			nguarded;
} banner_conn;

static unsigned
data_version(sqlite3 *db)
{
	unsigned	v = 0;

	(void) sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &v);
	return v;
}

static void
conn_release(void *p)
{
	banner_conn *c = p;

	if (c == NULL || --c->refs > 0)
		return;
	if (c->reader)
		sqlite3_close(c->reader);
	for (int i = 0; i < c->nguarded; i++)
		sqlite3_free(c->guarded[i]);
	sqlite3_free(c->guarded);
	sqlite3_free(c->message);
	sqlite3_free(c);
}

/*
 * Reads the state through db (the connection itself, or the private
 * reader) into the cache.  A missing table means no state.  Returns an
 * SQLite result code; the cache is unchanged on failure.
 */
static int
read_state(banner_conn *c, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	bool		refused = false;
	char	   *message = NULL;

	rc = sqlite3_prepare_v2(db, "SELECT maintenance_message, maintenance_token FROM main."
							STATE_TABLE " WHERE maintenance_message IS NOT NULL", -1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		/*
		 * No table yet: no banner, no maintenance.  SQLite reports a missing
		 * table only through the message text.
		 */
		if (strstr(sqlite3_errmsg(db), "no such table") != NULL)
			rc = SQLITE_OK;
		goto done;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		const char *token = (const char *) sqlite3_column_text(st, 1);

		refused = token == NULL || strcmp(token, c->token) != 0;
		if (refused &&
			(message = sqlite3_mprintf("%s", (const char *) sqlite3_column_text(st, 0))) == NULL)
			rc = SQLITE_NOMEM;
		else
			rc = SQLITE_OK;
	}
	else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
done:
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
	{
		sqlite3_free(c->message);
		c->message = message;
		c->refused = refused;
	}
	else
		sqlite3_free(message);
	return rc;
}

/* Brings the cache up to date when the file changed; via db or the reader. */
static void
refresh(banner_conn *c, bool through_reader)
{
	unsigned	v = data_version(c->db);
	sqlite3    *via = c->db;

	if (c->cache_valid && v == c->cache_version)
		return;
	if (through_reader)
	{
		if (c->reader == NULL && !c->reader_failed)
		{
			const char *file = sqlite3_db_filename(c->db, "main");

			if (file == NULL || *file == '\0' ||
				sqlite3_open_v2(file, &c->reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
			{
				sqlite3_close(c->reader);
				c->reader = NULL;
				c->reader_failed = true;
			}
			else
				sqlite3_busy_timeout(c->reader, 1000);
		}
		/* Without a reader (an in-memory database) only this connection writes. */
		if (c->reader == NULL)
			return;
		via = c->reader;
	}
	if (read_state(c, via) == SQLITE_OK)
	{
		c->cache_valid = true;
		c->cache_version = v;
	}
}

static bool
is_guarded(const banner_conn *c, const char *table)
{
	for (int i = 0; table && i < c->nguarded; i++)
		if (sqlite3_stricmp(c->guarded[i], table) == 0)
			return true;
	return false;
}

static bool
is_header_pragma(const char *name, const char *arg)
{
	return arg != NULL && name != NULL &&
		(sqlite3_stricmp(name, "user_version") == 0 ||
		 sqlite3_stricmp(name, "application_id") == 0 ||
		 sqlite3_stricmp(name, "schema_version") == 0);
}

/* Whether an action writes the main database in a way triggers do not catch. */
static bool
needs_authorizer(const banner_conn *c, int action, const char *a1, const char *a2)
{
	switch (action)
	{
		case SQLITE_INSERT:
		case SQLITE_UPDATE:
		case SQLITE_DELETE:
			return !is_guarded(c, a1);
		case SQLITE_CREATE_INDEX:
		case SQLITE_CREATE_TABLE:
		case SQLITE_CREATE_TRIGGER:
		case SQLITE_CREATE_VIEW:
		case SQLITE_DROP_INDEX:
		case SQLITE_DROP_TABLE:
		case SQLITE_DROP_TRIGGER:
		case SQLITE_DROP_VIEW:
		case SQLITE_CREATE_VTABLE:
		case SQLITE_DROP_VTABLE:
		case SQLITE_REINDEX:
		case SQLITE_ANALYZE:
		case SQLITE_ALTER_TABLE:
			return true;
		case SQLITE_PRAGMA:
			return is_header_pragma(a1, a2);
		default:
			return false;
	}
}

static int
authorize(void *arg, int action, const char *a1, const char *a2, const char *dbname,
		  const char *trigger)
{
	banner_conn *c = arg;
	const char *target = action == SQLITE_ALTER_TABLE ? a1 : dbname;

	(void) trigger;
	if (c->own_write)
		return SQLITE_OK;
	/* PRAGMA main.x = v names its database in dbname; a bare PRAGMA has none. */
	if (target != NULL && strcmp(target, "main") != 0)
		return SQLITE_OK;
	if (!needs_authorizer(c, action, a1, a2))
		return SQLITE_OK;
	refresh(c, true);
	return c->refused ? SQLITE_DENY : SQLITE_OK;
}

static void
result_refusal(sqlite3_context *ctx, const char *message)
{
	char	   *msg = sqlite3_mprintf("%s\nDETAIL: %s", message, DBK_BANNER_WRITE_REFUSED_DETAIL);

	if (msg == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_error(ctx, msg, -1);
	sqlite3_free(msg);
}

static void
sql_write_guard(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);

	(void) argc;
	(void) argv;
	if (!c->own_write)
	{
		refresh(c, false);
		if (c->refused)
		{
			result_refusal(ctx, c->message);
			return;
		}
	}
	sqlite3_result_null(ctx);
}

/* ---- reading ---- */

static void
sql_banner(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	int			rc;

	(void) argc;
	(void) argv;
	rc = sqlite3_prepare_v2(db, "SELECT coalesce(maintenance_message, banner) FROM main."
							STATE_TABLE, -1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		sqlite3_result_null(ctx);	/* no table yet */
		return;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
	else if (rc == SQLITE_DONE)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
	sqlite3_finalize(st);
}

static void
sql_in_maintenance(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	int			rc;

	(void) argc;
	(void) argv;
	rc = sqlite3_prepare_v2(db, "SELECT maintenance_message IS NOT NULL FROM main." STATE_TABLE,
							-1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		sqlite3_result_int(ctx, 0);
		return;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sqlite3_result_int(ctx, sqlite3_column_int(st, 0));
	else if (rc == SQLITE_DONE)
		sqlite3_result_int(ctx, 0);
	else
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
	sqlite3_finalize(st);
}

/* ---- writing ---- */

/* The message argument, checked by the core's rules; NULL after an error. */
static const char *
checked_message(sqlite3_context *ctx, sqlite3_value *v)
{
	const char *msg = sqlite3_value_type(v) == SQLITE_NULL ? NULL
		: (const char *) sqlite3_value_text(v);
	dbk_error	err;

	if (sqlite3_value_type(v) != SQLITE_NULL && msg == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return NULL;
	}
	if (dbk_banner_check(msg, msg ? (size_t) sqlite3_value_bytes(v) : 0, &err) != 0)
	{
		dbk_sqlite_result_error(ctx, &err);
		return NULL;
	}
	return msg;
}

/*
 * Runs sql (one statement, text parameters p1 and p2 bound to ?1 and ?2)
 * inside a savepoint that first creates the state table and its row, and
 * when bump is set also changes the schema cookie.  The authorizer and the
 * guard let these writes through.
 */
static int
write_state(banner_conn *c, const char *sql, const char *p1, const char *p2, bool bump)
{
	sqlite3    *db = c->db;
	sqlite3_stmt *st = NULL;
	int			rc;

	c->own_write = true;
	rc = sqlite3_exec(db, "SAVEPOINT dbkeeper_banner;"
					  "CREATE TABLE IF NOT EXISTS main." STATE_TABLE "("
					  " id INTEGER PRIMARY KEY CHECK (id = 1),"
					  " banner TEXT, maintenance_message TEXT, maintenance_token TEXT,"
					  " maintenance_since TEXT);"
					  "INSERT OR IGNORE INTO main." STATE_TABLE "(id) VALUES (1);",
					  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && p1)
		rc = sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && p2)
		rc = sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	sqlite3_finalize(st);
	if (rc == SQLITE_OK && bump)
		rc = sqlite3_exec(db, "CREATE INDEX main.dbkeeper_banner_state_epoch ON " STATE_TABLE "(id);"
						  "DROP INDEX main.dbkeeper_banner_state_epoch;", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "RELEASE dbkeeper_banner", NULL, NULL, NULL);
	c->own_write = false;
	return rc;
}

/* Reports the outcome of write_state; returns whether it succeeded. */
static bool
finish_write(sqlite3_context *ctx, banner_conn *c, int rc, const char *doing)
{
	dbk_error	err;

	if (rc != SQLITE_OK)
	{
		/* Undo ours, keep the caller's transaction. */
		dbk_sqlite_fail(&err, c->db, doing);
		(void) sqlite3_exec(c->db, "ROLLBACK TO dbkeeper_banner; RELEASE dbkeeper_banner",
							NULL, NULL, NULL);
		dbk_sqlite_result_error(ctx, &err);
		return false;
	}
	c->cache_valid = false;
	sqlite3_result_null(ctx);
	return true;
}

static void
sql_banner_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	const char *msg = checked_message(ctx, argv[0]);

	(void) argc;
	if (msg == NULL)
		return;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE " SET banner = ?1", msg, NULL,
									 false), "setting the banner");
}

static void
sql_banner_clear(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);

	(void) argc;
	(void) argv;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE " SET banner = NULL", NULL, NULL,
									 false), "clearing the banner");
}

static void
sql_maintenance_begin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	const char *msg = checked_message(ctx, argv[0]);

	(void) argc;
	if (msg == NULL)
		return;
	/* No session to terminate: other connections are refused from their next write. */
	if (finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE
										 " SET maintenance_message = ?1, maintenance_token = ?2,"
										 " maintenance_since = coalesce(maintenance_since,"
										 " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
										 msg, c->token, true), "beginning maintenance"))
		sqlite3_result_int(ctx, 0);
}

static void
sql_maintenance_end(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);

	(void) argc;
	(void) argv;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE
									 " SET maintenance_message = NULL, maintenance_token = NULL,"
									 " maintenance_since = NULL", NULL, NULL, true),
				 "ending maintenance");
}

/* ---- registration ---- */

/* Remembers that table has guard triggers. */
static int
add_guarded(banner_conn *c, const char *table)
{
	char	  **grown = sqlite3_realloc64(c->guarded, sizeof(char *) * (c->nguarded + 1));

	if (grown == NULL)
		return SQLITE_NOMEM;
	c->guarded = grown;
	if ((c->guarded[c->nguarded] = sqlite3_mprintf("%s", table)) == NULL)
		return SQLITE_NOMEM;
	c->nguarded++;
	return SQLITE_OK;
}

static int
create_guard(banner_conn *c, const char *table)
{
	static const char *const events[] = {"INSERT", "UPDATE", "DELETE"};
	int			rc = SQLITE_OK;

	for (int i = 0; rc == SQLITE_OK && i < 3; i++)
	{
		char	   *sql = sqlite3_mprintf("CREATE TEMP TRIGGER IF NOT EXISTS"
										  " \"dbkeeper_guard_%w_%s\" BEFORE %s ON main.\"%w\""
										  " BEGIN SELECT dbkeeper_write_guard(); END",
										  table, events[i], events[i], table);

		rc = sql ? sqlite3_exec(c->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	return rc == SQLITE_OK ? add_guarded(c, table) : rc;
}

/*
 * TEMP guard triggers on every ordinary table of the main database.  The
 * names are collected first: no trigger is created while sqlite_schema is
 * being read.
 */
static int
create_guards(banner_conn *c)
{
	sqlite3_stmt *st = NULL;
	char	  **names = NULL;
	int			n = 0;
	int			rc;

	rc = sqlite3_prepare_v2(c->db, "SELECT name FROM main.sqlite_schema WHERE type = 'table'"
							" AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '" STATE_TABLE "'"
							" AND sql NOT LIKE 'CREATE VIRTUAL%'", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		char	  **grown = sqlite3_realloc64(names, sizeof(char *) * (n + 1));

		rc = SQLITE_NOMEM;
		if (grown == NULL)
			break;
		names = grown;
		if ((names[n] = sqlite3_mprintf("%s", (const char *) sqlite3_column_text(st, 0))) == NULL)
			break;
		n++;
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	c->own_write = true;		/* the authorizer sees an INSERT into sqlite_master */
	for (int i = 0; rc == SQLITE_OK && i < n; i++)
		rc = create_guard(c, names[i]);
	c->own_write = false;
	for (int i = 0; i < n; i++)
		sqlite3_free(names[i]);
	sqlite3_free(names);
	return rc;
}

static int
create_fn(sqlite3 *db, const char *name, int min_args, int max_args, int flags,
		  void (*fn) (sqlite3_context *, int, sqlite3_value **), banner_conn *c)
{
	int			rc = SQLITE_OK;

	for (int n = min_args; rc == SQLITE_OK && n <= max_args; n++)
	{
		c->refs++;
		rc = sqlite3_create_function_v2(db, name, n, flags, c, fn, NULL, NULL, conn_release);
	}
	return rc;
}

int
dbk_sqlite_register_banner(sqlite3 *db, dbk_sqlite_state *st)
{
	banner_conn *c = sqlite3_malloc64(sizeof(*c));
	unsigned char raw[TOKEN_BYTES];
	int			rc;

	(void) st;
	if (c == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->refs = 1;				/* ours, until registration is over */
	c->db = db;
	sqlite3_randomness(sizeof(raw), raw);
	for (int i = 0; i < TOKEN_BYTES; i++)
		snprintf(c->token + 2 * i, 3, "%02x", raw[i]);

	/*
	 * The authorizer first: from here on it no longer points to the state of
	 * an earlier load, which the registrations below free.
	 */
	rc = sqlite3_set_authorizer(db, authorize, c);
	/* The guard must exist before the triggers that call it are used. */
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_write_guard", 0, 0, SQLITE_UTF8 | SQLITE_INNOCUOUS,
				   sql_write_guard, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_banner", 0, 0, SQLITE_UTF8, sql_banner, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_in_maintenance", 0, 0, SQLITE_UTF8, sql_in_maintenance, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_banner_set", 1, 1, DBK_SQLITE_SIDE_EFFECTS, sql_banner_set, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_banner_clear", 0, 0, DBK_SQLITE_SIDE_EFFECTS, sql_banner_clear, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_maintenance_begin", 1, 2, DBK_SQLITE_SIDE_EFFECTS,
					   sql_maintenance_begin, c);
	if (rc == SQLITE_OK)
		rc = create_fn(db, "dbkeeper_maintenance_end", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
					   sql_maintenance_end, c);
	if (rc == SQLITE_OK)
	{
		rc = create_guards(c);
		/*
		 * A writer holding the file must not make the load fail: tables
		 * without guards are still refused, by the authorizer.
		 */
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		sqlite3_set_authorizer(db, NULL, NULL);
	conn_release(c);
	return rc;
}
