/*
 * identity.c — which database a SQLite backup belongs to.
 *
 *   dbkeeper_identity()          the database's identity: its id, or NULL
 *                                before its first backup
 *   dbkeeper_identity_adopt()    "this file is the database it was moved or
 *                                copied from": keeps the stored identity for
 *                                the file's new path; returns the id
 *
 * Two files with the same name (a/data.db, b/data.db) must never share
 * backup names, latest links or each other's backups.  The first backup
 * stores a row in main.dbkeeper_identity: a random id, the file's real path,
 * and dbkeeper's name for the database, "<file stem>.<8 hex digits of the
 * SHA-256 of the path>" (the stem as core/archive/backup_dir.c writes database names
 * in file names).  Backup names and the latest link start with that name,
 * and a backup's header records it ("database") with the id
 * ("database_id") and the path ("source_file").
 *
 * The row counts only while the file is at the path it records.  A copy or
 * a move (the path differs) is a new database: its name comes from its own
 * path, its first backup stores a new identity, and the backups of the
 * original are another database's (dbkeeper_restore(name, true) still
 * restores one).  dbkeeper_identity_adopt() says the file is the same
 * database: the row takes the new path, and the name, the id and so the
 * backups stay.  A connection that cannot write (read-only, inside a
 * transaction, refused during maintenance) takes its backup without storing
 * a row; the name is the same one the row would hold.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util/sha256.h"

/* The main file's real path (symbolic links resolved where possible). */
static int
real_path(sqlite3 *db, char *buf, size_t cap, dbk_error *err)
{
	const char *file = sqlite3_db_filename(db, "main");
	char		resolved[PATH_MAX];

	if (file == NULL || *file == '\0')
	{
		dbk_fail(err, DBK_E_INVALID, "cannot back up or restore an in-memory or temporary database");
		dbk_error_detail(err, "dbkeeper works on a database stored in a file.");
		return -1;
	}
	if (realpath(file, resolved) != NULL)
		file = resolved;
	if (snprintf(buf, cap, "%s", file) >= (int) cap)
		return dbk_fail(err, DBK_E_INVALID, "the database file's path is too long");
	return 0;
}

/* "<stem>.<8 hex of SHA-256(path)>", the name a new identity takes. */
static int
name_for_path(const char *path, char *name, size_t cap, dbk_error *err)
{
	const char *base = strrchr(path, '/');
	char		stem[256],
				component[128],
				hex[DBK_SHA256_HEX_LEN + 1];
	char	   *dot;

	base = base ? base + 1 : path;
	snprintf(stem, sizeof(stem), "%s", base);
	dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	dbk_database_name_component(stem, component, sizeof(component));
	/* Room for the suffix within a component's 100 characters. */
	if (strlen(component) > 90)
		component[90] = '\0';
	if (dbk_sha256_hex(path, strlen(path), hex, err) != 0)
		return -1;
	snprintf(name, cap, "%s.%.8s", component, hex);
	return 0;
}

int
dbk_sqlite_identity_read(sqlite3 *db, dbk_sqlite_identity *out, dbk_error *err)
{
	sqlite3_stmt *q = NULL;

	memset(out, 0, sizeof(*out));
	if (real_path(db, out->path, sizeof(out->path), err) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT id, name, path FROM main." DBK_IDENTITY_TABLE, -1, &q,
						   NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
	{
		const char *id = (const char *) sqlite3_column_text(q, 0);
		const char *name = (const char *) sqlite3_column_text(q, 1);
		const char *path = (const char *) sqlite3_column_text(q, 2);

		out->stored = true;
		if (path && id && name && strcmp(path, out->path) == 0)
		{
			snprintf(out->id, sizeof(out->id), "%s", id);
			snprintf(out->name, sizeof(out->name), "%s", name);
		}
		else if (path)
			snprintf(out->stored_path, sizeof(out->stored_path), "%s", path);
	}
	sqlite3_finalize(q);
	if (out->name[0] == '\0' && name_for_path(out->path, out->name, sizeof(out->name), err) != 0)
		return -1;
	return 0;
}

/* Stores a new identity (id, name, path) for the file, in a savepoint. */
static int
store(sqlite3 *db, const char *id, const char *name, const char *path)
{
	sqlite3_stmt *q = NULL;
	int			rc;

	rc = sqlite3_exec(db, "SAVEPOINT dbkeeper_identity;"
					  "CREATE TABLE IF NOT EXISTS main." DBK_IDENTITY_TABLE
					  "(id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL);"
					  "DELETE FROM main." DBK_IDENTITY_TABLE, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO main." DBK_IDENTITY_TABLE " VALUES (?1, ?2, ?3)", -1,
								&q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	sqlite3_finalize(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "RELEASE dbkeeper_identity", NULL, NULL, NULL);
	else
		(void) sqlite3_exec(db, "ROLLBACK TO dbkeeper_identity; RELEASE dbkeeper_identity", NULL,
							NULL, NULL);
	return rc;
}

void
dbk_sqlite_identity_ensure(sqlite3 *db)
{
	dbk_sqlite_identity ident;
	dbk_error	err;
	unsigned char raw[16];
	char		id[sizeof(ident.id)];

	/* Only on its own: never turn the caller's transaction into a write. */
	if (!sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, "main") != 0 ||
		dbk_sqlite_identity_read(db, &ident, &err) != 0 || ident.id[0] != '\0')
		return;
	sqlite3_randomness(sizeof(raw), raw);
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(id + 2 * i, 3, "%02x", raw[i]);
	(void) store(db, id, ident.name, ident.path);
}

bool
dbk_sqlite_identity_matches(const dbk_sqlite_identity *ident, const dbk_meta *header)
{
	const char *name = dbk_meta_get(header, "database");
	const char *id = dbk_meta_get(header, "database_id");
	const char *source = dbk_meta_get(header, "source_file");
	const char *dot;

	if (name == NULL)
		return false;
	if (strcmp(name, ident->name) == 0)
		return id == NULL || ident->id[0] == '\0' || strcmp(id, ident->id) == 0;
	/* Before identities: "database" was the stem alone. */
	dot = strrchr(ident->name, '.');
	return id == NULL && source != NULL && strcmp(source, ident->path) == 0 && dot != NULL &&
		strlen(name) == (size_t) (dot - ident->name) && strncmp(name, ident->name, strlen(name)) == 0;
}

int
dbk_sqlite_check_origin(sqlite3 *db, const dbk_meta *header, const char *name, bool other_ok,
						const char *anyway, const char *call, dbk_error *err)
{
	dbk_sqlite_identity ident;
	const char *from = dbk_meta_get(header, "database");
	const char *source = dbk_meta_get(header, "source_file");

	if (other_ok)
		return 0;
	if (dbk_sqlite_identity_read(db, &ident, err) != 0)
		return -1;
	if (dbk_sqlite_identity_matches(&ident, header))
		return 0;
	dbk_fail(err, DBK_E_INVALID, "backup \"%s\" is of another database", name);
	dbk_error_detail(err, "It was taken of \"%s\" (%s), this is \"%s\" (%s).", from ? from : "(unknown)",
					 source ? source : "path unknown", ident.name, ident.path);
	if (ident.stored_path[0])
		dbk_error_hint(err, "This file was copied or moved from %s; if it is the same database, SELECT dbkeeper_identity_adopt() says so.  " DBK_HINT_ANYWAY,
					   ident.stored_path, anyway, call, name);
	else
		dbk_error_hint(err, DBK_HINT_ANYWAY, anyway, call, name);
	return -1;
}

static void
sql_identity(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dbk_sqlite_identity ident;
	dbk_error	err;

	(void) argc;
	(void) argv;
	if (dbk_sqlite_identity_read(sqlite3_context_db_handle(ctx), &ident, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else if (ident.id[0])
		sqlite3_result_text(ctx, ident.id, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

static void
sql_identity_adopt(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *q = NULL;
	dbk_sqlite_identity ident;
	dbk_error	err;
	char		id[sizeof(ident.id)] = "",
				name[sizeof(ident.name)] = "";
	int			rc;

	(void) argc;
	(void) argv;
	if (dbk_sqlite_identity_read(db, &ident, &err) != 0)
		goto fail;
	if (ident.id[0])
	{
		sqlite3_result_text(ctx, ident.id, -1, SQLITE_TRANSIENT);	/* already this file's */
		return;
	}
	if (!ident.stored)
	{
		dbk_fail(&err, DBK_E_NOT_FOUND, "database \"%s\" has no identity to adopt", ident.path);
		dbk_error_detail(&err, "Its first backup gives it one; a file copied or moved from a database that was backed up brings that database's.");
		goto fail;
	}
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM main." DBK_IDENTITY_TABLE, -1, &q, NULL) == SQLITE_OK &&
		sqlite3_step(q) == SQLITE_ROW)
	{
		snprintf(id, sizeof(id), "%s", (const char *) sqlite3_column_text(q, 0));
		snprintf(name, sizeof(name), "%s", (const char *) sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	if ((rc = store(db, id, name, ident.path)) != SQLITE_OK)
	{
		dbk_fail(&err, DBK_E_IO, "could not adopt the identity of \"%s\": %s", ident.stored_path,
				 sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_result_text(ctx, id, -1, SQLITE_TRANSIENT);
	return;
fail:
	dbk_sqlite_result_error(ctx, &err);
}

int
dbk_sqlite_register_identity(sqlite3 *db, dbk_sqlite_state *st)
{
	int			rc = dbk_sqlite_create(db, "dbkeeper_identity", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
									   sql_identity, st);

	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_identity_adopt", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
							   sql_identity_adopt, st);
	return rc;
}
