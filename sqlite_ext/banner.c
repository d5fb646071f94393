/*
 * banner.c — the logon banner and maintenance mode for SQLite.
 *
 *   dbkeeper_banner()                       the message now: the maintenance
 *                                           message, else the banner, else NULL
 *   dbkeeper_in_maintenance()               1 during maintenance, else 0
 *   dbkeeper_banner_set(message)            sets the banner
 *   dbkeeper_banner_clear()                 removes it
 *   dbkeeper_maintenance_begin(message [, terminate_sessions])
 *                                           starts maintenance; returns the
 *                                           token that admits the upgrade
 *   dbkeeper_maintenance_end()              ends it, for every connection
 *   dbkeeper_authorizer(pointer)            chains an application's
 *                                           authorizer (see below)
 *   dbkeeper_write_guard()                  internal: called by the guard
 *                                           triggers described below
 *
 * The state is the one row of dbkeeper_banner_state in the database file,
 * created by the first function that writes it.  Maintenance stores the
 * SHA-256 of a token; a connection whose token (dbk_sqlite_state: random at
 * load, or DBKEEPER_MAINTENANCE_TOKEN, or dbkeeper_config('maintenance_token'))
 * hashes to it is admitted and writes as usual: the connection that began
 * maintenance, and the upgrade it hands the token to.  Any connection may end
 * maintenance (the one that began it may be gone); beginning it again is
 * only for an admitted connection.
 *
 * How writes are refused, on every connection that loaded dbkeeper and is
 * not admitted:
 * - An authorizer, installed at load, decides per statement when it is
 *   prepared.  For a write of any kind (rows, DDL, the PRAGMAs that write the
 *   file header) into a schema other than temp, it finds that schema's file
 *   and whether it is in maintenance.  The answer is cached per schema name
 *   and read again only when the file changed (SQLITE_FCNTL_DATA_VERSION of
 *   that schema, which counts commits of every connection and process); an
 *   authorizer must not use its own connection, so it reads through a
 *   private read-only connection to the file.  So the same file attached
 *   under another name is refused too.  Nothing is done per table at load.
 *   Beginning and ending maintenance change the schema cookie (an index
 *   created and dropped in the same transaction), so a statement another
 *   connection prepared earlier is prepared, and authorized, again before it
 *   runs.  SQLite lets an authorizer refuse only with its own "not
 *   authorized" (SQLITE_AUTH).
 * - Guard triggers, only where the error can carry the message: when a
 *   connection loads dbkeeper while the main database is in maintenance
 *   (not admitted), every ordinary table of main gets TEMP triggers (this
 *   connection only, never stored in the file) BEFORE INSERT, UPDATE and
 *   DELETE calling dbkeeper_write_guard(), which fails the statement with the
 *   maintenance message; the authorizer leaves those row writes to them.  The
 *   authorizer refuses DROP of a guard trigger, and PRAGMA writable_schema
 *   while guards exist; while triggers are switched off
 *   (SQLITE_DBCONFIG_ENABLE_TRIGGER) it refuses the rows itself.
 * - A commit hook, the backstop for an authorizer the application replaced
 *   after the load (SQLite keeps one authorizer per connection): a
 *   transaction that wrote a file in maintenance is rolled back at commit,
 *   with SQLite's fixed text ("constraint failed",
 *   SQLITE_CONSTRAINT_COMMITHOOK).  The rollback hook clears what the
 *   commit hook needs to know about our own writes.
 * Chaining: the SQLite API has no way to read the authorizer in place, so
 * one set before the load is replaced by dbkeeper's, and one set after the
 * load replaces dbkeeper's (the commit hook still refuses).  To run both, an
 * application hands its authorizer to dbkeeper_authorizer(?1): a pointer to
 * struct { int (*x_auth)(void *, int, const char *, const char *, const char
 * *, const char *); void *arg; } bound with sqlite3_bind_pointer, type
 * "dbkeeper_authorizer"; dbkeeper copies it and calls it first for every
 * action, and its SQLITE_DENY or SQLITE_IGNORE wins.  NULL removes it.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/banner/banner.h"
#include "../core/util/sha256.h"

#define STATE_TABLE "dbkeeper_banner_state"
#define GUARD_PREFIX "dbkeeper_guard_"
#define APP_AUTHORIZER_TYPE "dbkeeper_authorizer"
#define TOKEN_ENV "DBKEEPER_MAINTENANCE_TOKEN"

typedef int (*dbk_auth_fn) (void *, int, const char *, const char *, const char *, const char *);

/* What an application hands to dbkeeper_authorizer(?1). */
typedef struct app_authorizer
{
	dbk_auth_fn x_auth;
	void	   *arg;
} app_authorizer;

/* The maintenance state of the file one schema name of the connection reaches. */
typedef struct schema_state
{
	char	   *schema;
	char	   *file;
	sqlite3    *reader;			/* private read-only connection, or NULL */
	sqlite3    *unlocked;		/* the same with nolock=1, for the commit hook */
	bool		reader_failed;
	bool		valid;
	unsigned	version;
	bool		refused;		/* in maintenance, and we are not admitted */
	char	   *message;
} schema_state;

typedef struct banner_conn
{
	int			refs;
	sqlite3    *db;
	dbk_sqlite_state *st;
	char		hashed[DBK_TOKEN_HEX + 1];	/* the token token_hash is of */
	char		token_hash[DBK_SHA256_HEX_LEN + 1];
	int			own_write;		/* our functions are writing the state */
	bool		wrote_state;	/* ... in the open transaction */
	schema_state own;			/* main, read through the connection itself */
	schema_state *schemas;
	int			nschemas;
	char	  **guarded;		/* tables of main with guard triggers */
	int			nguarded;
	app_authorizer next;
} banner_conn;

static unsigned
data_version(sqlite3 *db, const char *schema)
{
	unsigned	v = 0;

	(void) sqlite3_file_control(db, schema, SQLITE_FCNTL_DATA_VERSION, &v);
	return v;
}

/* The hash of the connection's token, recomputed when the token changed. */
static const char *
own_hash(banner_conn *c)
{
	dbk_error	err;

	if (strcmp(c->hashed, c->st->maintenance_token) != 0)
	{
		if (dbk_sha256_hex(c->st->maintenance_token, strlen(c->st->maintenance_token),
						   c->token_hash, &err) != 0)
			c->token_hash[0] = '\0';
		snprintf(c->hashed, sizeof(c->hashed), "%s", c->st->maintenance_token);
	}
	return c->token_hash;
}

static void
schema_state_clear(schema_state *s)
{
	if (s->reader)
		sqlite3_close(s->reader);
	if (s->unlocked)
		sqlite3_close(s->unlocked);
	sqlite3_free(s->schema);
	sqlite3_free(s->file);
	sqlite3_free(s->message);
	memset(s, 0, sizeof(*s));
}

static void
conn_release(void *p)
{
	banner_conn *c = p;

	if (c == NULL || --c->refs > 0)
		return;
	schema_state_clear(&c->own);
	for (int i = 0; i < c->nschemas; i++)
		schema_state_clear(&c->schemas[i]);
	sqlite3_free(c->schemas);
	for (int i = 0; i < c->nguarded; i++)
		sqlite3_free(c->guarded[i]);
	sqlite3_free(c->guarded);
	dbk_sqlite_state_release(c->st);
	sqlite3_free(c);
}

/*
 * Reads the state of db's main database into s (refused, message).  A
 * missing table means no state.  Returns an SQLite result code; s is
 * unchanged on failure.
 */
static int
read_state(banner_conn *c, sqlite3 *db, schema_state *s)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	bool		refused = false;
	char	   *message = NULL;

	rc = sqlite3_prepare_v2(db, "SELECT maintenance_message, maintenance_token FROM main."
							STATE_TABLE " WHERE maintenance_message IS NOT NULL", -1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		/* SQLite reports a missing table only through the message text. */
		if (strstr(sqlite3_errmsg(db), "no such table") != NULL)
			rc = SQLITE_OK;
		goto done;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		const char *token = (const char *) sqlite3_column_text(st, 1);
		const char *mine = own_hash(c);

		refused = token == NULL || mine[0] == '\0' || strcmp(token, mine) != 0;
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
		sqlite3_free(s->message);
		s->message = message;
		s->refused = refused;
	}
	else
		sqlite3_free(message);
	return rc;
}

/*
 * The state of the file behind schema, up to date: read again through a
 * private reader when the file changed since the last read.  NULL for a
 * schema without a file (temp, in-memory): only this connection writes it.
 */
static schema_state *
schema_lookup(banner_conn *c, const char *schema, bool at_commit)
{
	const char *file = sqlite3_db_filename(c->db, schema);
	schema_state *s = NULL;
	unsigned	v;

	if (file == NULL || *file == '\0')
		return NULL;
	for (int i = 0; i < c->nschemas && s == NULL; i++)
		if (sqlite3_stricmp(c->schemas[i].schema, schema) == 0)
			s = &c->schemas[i];
	if (s != NULL && strcmp(s->file, file) != 0)
		schema_state_clear(s);	/* detached and attached again elsewhere */
	if (s == NULL)
	{
		schema_state *grown = sqlite3_realloc64(c->schemas, sizeof(*grown) * (c->nschemas + 1));

		if (grown == NULL)
			return NULL;
		c->schemas = grown;
		s = &c->schemas[c->nschemas++];
		memset(s, 0, sizeof(*s));
	}
	if (s->schema == NULL)
	{
		s->schema = sqlite3_mprintf("%s", schema);
		s->file = sqlite3_mprintf("%s", file);
		if (s->schema == NULL || s->file == NULL)
		{
			schema_state_clear(s);
			return NULL;
		}
	}
	/*
	 * A refusal is read again every time: a refused statement never starts
	 * a transaction, so the data version would not see maintenance end.
	 */
	v = data_version(c->db, schema);
	if (s->valid && !s->refused && v == s->version)
		return s;
	/*
	 * What the connection read itself (at load) still holds while main has
	 * not changed since: no private reader, and no schema for it to parse,
	 * unless another connection committed meanwhile.
	 */
	if (sqlite3_stricmp(schema, "main") == 0 && c->own.valid && !c->own.refused &&
		v == data_version(c->db, "main") && c->own.version == v)
	{
		s->valid = true;
		s->refused = false;
		s->version = v;
		return s;
	}
	if (s->reader == NULL && !s->reader_failed)
	{
		if (sqlite3_open_v2(s->file, &s->reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		{
			sqlite3_close(s->reader);
			s->reader = NULL;
			s->reader_failed = true;
		}
		else
			sqlite3_busy_timeout(s->reader, 1000);
	}
	if (s->reader == NULL)
		return s;
	sqlite3_busy_timeout(s->reader, at_commit ? 0 : 1000);
	if (read_state(c, s->reader, s) == SQLITE_OK)
	{
		s->valid = true;
		s->version = v;
	}
	else if (at_commit)
	{
		/*
		 * In rollback-journal mode the committing connection already holds
		 * the EXCLUSIVE lock (SQLite takes it before calling the commit
		 * hook), so no reader gets in.  Read the file without locking: the
		 * lock holds every other writer off, and the transaction's own pages
		 * reach the file only if it spilled its cache.
		 */
		if (s->unlocked == NULL)
		{
			char	   *uri = sqlite3_mprintf("file:%s?nolock=1", s->file);

			if (uri == NULL ||
				sqlite3_open_v2(uri, &s->unlocked, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
			{
				sqlite3_close(s->unlocked);
				s->unlocked = NULL;
			}
			sqlite3_free(uri);
		}
		if (s->unlocked != NULL && read_state(c, s->unlocked, s) == SQLITE_OK)
		{
			s->valid = true;
			s->version = v;
		}
	}
	return s;
}

/* The state of main read through the connection itself (inside its transaction). */
static schema_state *
own_lookup(banner_conn *c)
{
	unsigned	v = data_version(c->db, "main");

	if (!(c->own.valid && v == c->own.version) && read_state(c, c->db, &c->own) == SQLITE_OK)
	{
		c->own.valid = true;
		c->own.version = v;
	}
	return &c->own;
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
triggers_enabled(sqlite3 *db)
{
	int			on = 1;

	(void) sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &on);
	return on != 0;
}

static bool
is_writing_pragma(const char *name, const char *arg)
{
	return arg != NULL && name != NULL &&
		(sqlite3_stricmp(name, "user_version") == 0 ||
		 sqlite3_stricmp(name, "application_id") == 0 ||
		 sqlite3_stricmp(name, "schema_version") == 0 ||
		 sqlite3_stricmp(name, "writable_schema") == 0 ||
		 sqlite3_stricmp(name, "incremental_vacuum") == 0);
}

/*
 * The schema an action writes, or NULL when it writes nothing; *row tells
 * a row write (INSERT, UPDATE, DELETE: a1 is the table).
 */
static const char *
write_target(int action, const char *a1, const char *a2, const char *dbname, bool *row)
{
	*row = false;
	switch (action)
	{
		case SQLITE_INSERT:
		case SQLITE_UPDATE:
		case SQLITE_DELETE:
			*row = true;
			return dbname;
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
			return dbname;
		case SQLITE_ALTER_TABLE:
			return a1;
		case SQLITE_PRAGMA:
			/* A bare PRAGMA x = v writes main. */
			return is_writing_pragma(a1, a2) ? (dbname ? dbname : "main") : NULL;
		default:
			return NULL;
	}
}

static int
authorize(void *arg, int action, const char *a1, const char *a2, const char *dbname,
		  const char *trigger)
{
	banner_conn *c = arg;
	const char *target;
	schema_state *s;
	bool		row;

	if (c->next.x_auth != NULL)
	{
		int			rc = c->next.x_auth(c->next.arg, action, a1, a2, dbname, trigger);

		if (rc != SQLITE_OK)
			return rc;
	}
	if (c->own_write)
		return SQLITE_OK;
	/* The guards stay while this connection has them. */
	if (action == SQLITE_DROP_TEMP_TRIGGER && a1 != NULL &&
		strncasecmp(a1, GUARD_PREFIX, strlen(GUARD_PREFIX)) == 0)
		return SQLITE_DENY;
	if (action == SQLITE_PRAGMA && c->nguarded > 0 && a1 && a2 &&
		sqlite3_stricmp(a1, "writable_schema") == 0)
		return SQLITE_DENY;
	target = write_target(action, a1, a2, dbname, &row);
	if (target == NULL || sqlite3_stricmp(target, "temp") == 0)
		return SQLITE_OK;
	s = schema_lookup(c, target, false);
	if (s == NULL || !s->refused)
		return SQLITE_OK;
	/* A guard trigger refuses the row with the message. */
	if (row && sqlite3_stricmp(target, "main") == 0 && is_guarded(c, a1) &&
		triggers_enabled(c->db))
		return SQLITE_OK;
	return SQLITE_DENY;
}

/* Rolls back a transaction that wrote a file in maintenance (see the header). */
static int
commit_hook(void *arg)
{
	banner_conn *c = arg;
	bool		ours = c->own_write || c->wrote_state;
	const char *name;

	c->wrote_state = false;
	if (ours)
		return 0;
	for (int i = 0; (name = sqlite3_db_name(c->db, i)) != NULL; i++)
	{
		schema_state *s;

		if (sqlite3_stricmp(name, "temp") == 0 ||
			sqlite3_txn_state(c->db, name) != SQLITE_TXN_WRITE)
			continue;
		s = schema_lookup(c, name, true);
		if (s != NULL && s->refused)
			return 1;
	}
	return 0;
}

static void
rollback_hook(void *arg)
{
	banner_conn *c = arg;

	c->wrote_state = false;
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
		schema_state *s = own_lookup(c);

		if (s->refused)
		{
			result_refusal(ctx, s->message);
			return;
		}
	}
	sqlite3_result_null(ctx);
}

static void
sql_authorizer(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	const app_authorizer *given = sqlite3_value_pointer(argv[0], APP_AUTHORIZER_TYPE);

	(void) argc;
	if (given == NULL && sqlite3_value_type(argv[0]) != SQLITE_NULL)
	{
		sqlite3_result_error(ctx, "dbkeeper_authorizer takes a pointer bound with "
							 "sqlite3_bind_pointer(stmt, i, p, \"" APP_AUTHORIZER_TYPE "\", NULL), or NULL",
							 -1);
		return;
	}
	if (given != NULL)
		c->next = *given;
	else
		memset(&c->next, 0, sizeof(c->next));
	sqlite3_result_null(ctx);
}

int
dbk_sqlite_maintenance_check(sqlite3 *db, const dbk_sqlite_state *st, const char *doing,
							 dbk_error *err)
{
	sqlite3_stmt *q = NULL;
	char		hash[DBK_SHA256_HEX_LEN + 1];
	int			rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT maintenance_message, maintenance_token FROM main."
						   STATE_TABLE " WHERE maintenance_message IS NOT NULL", -1, &q, NULL) != SQLITE_OK)
		return 0;				/* no state table: no maintenance */
	if (sqlite3_step(q) == SQLITE_ROW)
	{
		const char *token = (const char *) sqlite3_column_text(q, 1);

		if (dbk_sha256_hex(st->maintenance_token, strlen(st->maintenance_token), hash, err) != 0)
			rc = -1;
		else if (token == NULL || strcmp(token, hash) != 0)
		{
			dbk_fail(err, DBK_E_STATE, "cannot %s: %s", doing, (const char *) sqlite3_column_text(q, 0));
			dbk_error_detail(err, DBK_BANNER_WRITE_REFUSED_DETAIL);
			dbk_error_hint(err, "Run it from the connection that began maintenance, or pass its token with dbkeeper_config('maintenance_token', ...) or " TOKEN_ENV ".");
			rc = -1;
		}
	}
	sqlite3_finalize(q);
	return rc;
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
 * when bump is set also changes the schema cookie.  The authorizer, the
 * guard and the commit hook let these writes through.  *changed gets the
 * number of rows sql changed.
 */
static int
write_state(banner_conn *c, const char *sql, const char *p1, const char *p2, bool bump,
			int *changed)
{
	sqlite3    *db = c->db;
	sqlite3_stmt *st = NULL;
	int			rc;

	c->own_write++;
	c->wrote_state = true;
	*changed = 0;
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
	if (rc == SQLITE_OK)
		*changed = sqlite3_changes(db);
	if (rc == SQLITE_OK && bump && *changed > 0)
		rc = sqlite3_exec(db, "CREATE INDEX main.dbkeeper_banner_state_epoch ON " STATE_TABLE "(id);"
						  "DROP INDEX main.dbkeeper_banner_state_epoch;", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "RELEASE dbkeeper_banner", NULL, NULL, NULL);
	c->own_write--;
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
		c->own_write++;
		(void) sqlite3_exec(c->db, "ROLLBACK TO dbkeeper_banner; RELEASE dbkeeper_banner",
							NULL, NULL, NULL);
		c->own_write--;
		dbk_sqlite_result_error(ctx, &err);
		return false;
	}
	c->own.valid = false;
	for (int i = 0; i < c->nschemas; i++)
		c->schemas[i].valid = false;
	sqlite3_result_null(ctx);
	return true;
}

static void
sql_banner_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	const char *msg = checked_message(ctx, argv[0]);
	int			changed;

	(void) argc;
	if (msg == NULL)
		return;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE " SET banner = ?1", msg, NULL,
									 false, &changed), "setting the banner");
}

static void
sql_banner_clear(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	int			changed;

	(void) argc;
	(void) argv;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE " SET banner = NULL", NULL, NULL,
									 false, &changed), "clearing the banner");
}

static void
sql_maintenance_begin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	const char *msg = checked_message(ctx, argv[0]);
	char		hash[DBK_SHA256_HEX_LEN + 1];
	int			changed = 0;

	(void) argc;
	if (msg == NULL)
		return;
	snprintf(hash, sizeof(hash), "%s", own_hash(c));
	/*
	 * No session to terminate: other connections are refused from their
	 * next statement.  Maintenance another token began stays theirs.
	 */
	if (!finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE
										  " SET maintenance_message = ?1, maintenance_token = ?2,"
										  " maintenance_since = coalesce(maintenance_since,"
										  " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
										  " WHERE maintenance_message IS NULL OR maintenance_token = ?2",
										  msg, hash, true, &changed), "beginning maintenance"))
		return;
	if (changed == 0)
	{
		dbk_error	err;

		dbk_fail(&err, DBK_E_STATE, "the database is already in maintenance mode, begun with another token");
		dbk_error_hint(&err, "Call it from the connection that began maintenance or one it handed the token to (dbkeeper_config('maintenance_token', ...) or " TOKEN_ENV "), or end it first with dbkeeper_maintenance_end().");
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	sqlite3_result_text(ctx, c->st->maintenance_token, -1, SQLITE_TRANSIENT);
}

static void
sql_maintenance_end(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	banner_conn *c = sqlite3_user_data(ctx);
	int			changed;

	(void) argc;
	(void) argv;
	finish_write(ctx, c, write_state(c, "UPDATE main." STATE_TABLE
									 " SET maintenance_message = NULL, maintenance_token = NULL,"
									 " maintenance_since = NULL", NULL, NULL, true, &changed),
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
										  " \"" GUARD_PREFIX "%w_%s\" BEFORE %s ON main.\"%w\""
										  " BEGIN SELECT dbkeeper_write_guard(); END",
										  table, events[i], events[i], table);

		rc = sql ? sqlite3_exec(c->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	return rc == SQLITE_OK ? add_guarded(c, table) : rc;
}

/*
 * TEMP guard triggers on every ordinary table of the main database, made
 * only when the connection loads during maintenance.  The names are
 * collected first: no trigger is created while sqlite_schema is being read.
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
	c->own_write++;				/* the authorizer sees an INSERT into main's sqlite_master */
	for (int i = 0; rc == SQLITE_OK && i < n; i++)
		rc = create_guard(c, names[i]);
	c->own_write--;
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

bool
dbk_sqlite_token_valid(const char *token)
{
	size_t		n = 0;

	for (; token[n]; n++)
		if (!((token[n] >= '0' && token[n] <= '9') || (token[n] >= 'a' && token[n] <= 'f')))
			return false;
	return n == DBK_TOKEN_HEX;
}

int
dbk_sqlite_token_init(dbk_sqlite_state *st, char **errmsg)
{
	const char *env = getenv(TOKEN_ENV);

	if (env != NULL && *env != '\0')
	{
		if (!dbk_sqlite_token_valid(env))
		{
			if (errmsg)
				*errmsg = sqlite3_mprintf("dbkeeper: " TOKEN_ENV " is not a maintenance token: it must"
										  " be the %d lowercase hex digits dbkeeper_maintenance_begin()"
										  " returned", DBK_TOKEN_HEX);
			return SQLITE_ERROR;
		}
		snprintf(st->maintenance_token, sizeof(st->maintenance_token), "%s", env);
		return SQLITE_OK;
	}
	return dbk_sqlite_token_random(st) == 0 ? SQLITE_OK : SQLITE_ERROR;
}

int
dbk_sqlite_token_random(dbk_sqlite_state *st)
{
	unsigned char raw[DBK_TOKEN_HEX / 2];

	sqlite3_randomness(sizeof(raw), raw);
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(st->maintenance_token + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int
dbk_sqlite_register_banner(sqlite3 *db, dbk_sqlite_state *st)
{
	banner_conn *c;
	int			rc;

	if ((c = sqlite3_malloc64(sizeof(*c))) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->refs = 1;				/* ours, until registration is over */
	c->db = db;
	c->st = dbk_sqlite_state_ref(st);

	/*
	 * The authorizer and hooks first: from here on they no longer point to
	 * the state of an earlier load, which the registrations below free.
	 */
	rc = sqlite3_set_authorizer(db, authorize, c);
	(void) sqlite3_commit_hook(db, commit_hook, c);
	(void) sqlite3_rollback_hook(db, rollback_hook, c);
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
		rc = create_fn(db, "dbkeeper_authorizer", 1, 1, DBK_SQLITE_SIDE_EFFECTS, sql_authorizer, c);
	/*
	 * Guards only during maintenance.  A writer holding the file must not
	 * make the load fail: without guards the authorizer refuses.
	 */
	if (rc == SQLITE_OK && sqlite3_db_filename(db, "main") != NULL &&
		*sqlite3_db_filename(db, "main") != '\0')
	{
		schema_state *s = own_lookup(c);

		if (s->valid && s->refused)
			rc = create_guards(c);
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
	{
		sqlite3_set_authorizer(db, NULL, NULL);
		(void) sqlite3_commit_hook(db, NULL, NULL);
		(void) sqlite3_rollback_hook(db, NULL, NULL);
	}
	conn_release(c);
	return rc;
}
