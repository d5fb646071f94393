/*
 * codelist_tables.c — the four tables of SQLite's codelists, created by
 * dbkeeper_codelist_init() (or by the first codelist function that finds one
 * missing), and the parser of the table names a release row gives.
 */
#include "codelist.h"

SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

static const struct
{
	const char *name;
	const char *ddl;
}			cl_tables[] =
{
	{"dbkeeper_codelist_release",
		"CREATE TABLE main.dbkeeper_codelist_release ("
		"name TEXT PRIMARY KEY, coding_system TEXT NOT NULL, valid_from TEXT NOT NULL, "
		"edges TEXT NOT NULL, terms TEXT NOT NULL)"},
	{"dbkeeper_codelist_version",
		"CREATE TABLE main.dbkeeper_codelist_version ("
		"id TEXT PRIMARY KEY, codelist TEXT NOT NULL, release TEXT NOT NULL, "
		"status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'under review', 'published')), "
		"author TEXT, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), "
		"derived_from TEXT REFERENCES dbkeeper_codelist_version (id) ON DELETE SET NULL);"
		"CREATE TRIGGER main.dbkeeper_codelist_version_deleted AFTER DELETE ON dbkeeper_codelist_version "
		"BEGIN DELETE FROM dbkeeper_codelist_code WHERE version = old.id; "
		"DELETE FROM dbkeeper_codelist_search WHERE version = old.id; END"},
	{"dbkeeper_codelist_code",
		"CREATE TABLE main.dbkeeper_codelist_code ("
		"version TEXT NOT NULL, "
		"code TEXT NOT NULL, "
		"status TEXT NOT NULL CHECK (status IN ('+', '(+)', '-', '(-)', '?', '!')), "
		"PRIMARY KEY (version, code)) WITHOUT ROWID"},
	{"dbkeeper_codelist_search",
		"CREATE TABLE main.dbkeeper_codelist_search ("
		"version TEXT NOT NULL, "
		"term TEXT, code TEXT, CHECK ((term IS NULL) <> (code IS NULL)));"
		"CREATE INDEX main.dbkeeper_codelist_search_version ON dbkeeper_codelist_search (version)"},
};

#define CL_NTABLES (sizeof(cl_tables) / sizeof(cl_tables[0]))


/* ---- tables ------------------------------------------------------------- */

static int
table_exists(sqlite3 *db, const char *name, bool *exists, dbk_error *err)
{
	return dbk_sqlite_cl_exists(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
								name, exists, "looking for the codelist tables", err);
}

/* Creates the tables that are missing; *created counts them (may be NULL). */
int
dbk_sqlite_cl_init(sqlite3 *db, int *created, dbk_error *err)
{
	int			n = 0;

	for (size_t i = 0; i < CL_NTABLES; i++)
	{
		bool		exists = false;

		if (table_exists(db, cl_tables[i].name, &exists, err) != 0)
			return -1;
		if (exists)
			continue;
		if (sqlite3_exec(db, cl_tables[i].ddl, NULL, NULL, NULL) != SQLITE_OK)
			return dbk_sqlite_fail(err, db, "creating the codelist tables");
		n++;
	}
	if (created)
		*created = n;
	return 0;
}

/*
 * Splits "table", "schema.table" or the same with double-quoted parts (a
 * doubled quote inside stands for one) into sqlite3_malloc'd strings;
 * *schema is NULL when there is none.  False on a malformed name.
 */
static bool
parse_part(const char **p, char **out)
{
	const char *s = *p;
	sqlite3_str *b = sqlite3_str_new(NULL);

	if (*s == '"')
	{
		bool		closed = false;

		for (s++; *s && !closed; s++)
		{
			if (*s == '"' && s[1] != '"')
				closed = true;
			else
			{
				if (*s == '"')
					s++;		/* "" stands for " */
				sqlite3_str_appendchar(b, 1, *s);
			}
		}
		if (!closed)
		{
			sqlite3_free(sqlite3_str_finish(b));
			return false;
		}
	}
	else
		for (; *s && *s != '.'; s++)
			sqlite3_str_appendchar(b, 1, *s);
	*out = sqlite3_str_finish(b);
	*p = s;
	return *out != NULL && **out != '\0';
}

bool
dbk_sqlite_cl_parse_table_name(const char *spec, char **schema, char **table)
{
	const char *p = spec;
	char	   *first = NULL,
			   *second = NULL;

	*schema = *table = NULL;
	if (!parse_part(&p, &first))
		goto fail;
	if (*p == '\0')
	{
		*table = first;
		return true;
	}
	if (*p != '.')
		goto fail;
	p++;
	if (!parse_part(&p, &second) || *p != '\0')
		goto fail;
	*schema = first;
	*table = second;
	return true;

fail:
	sqlite3_free(first);
	sqlite3_free(second);
	return false;
}
