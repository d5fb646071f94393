/*
 * schema.c — schema fingerprints for SQLite: the canonical description of a
 * database's schema and the functions built on it.
 *
 *   SELECT * FROM dbkeeper_schema;                 kind, name, definition
 *   SELECT dbkeeper_fingerprint();                 64 hex digits
 *   SELECT dbkeeper_schema_register('1.4');        the fingerprint, recorded
 *   SELECT dbkeeper_schema_version();              '1.4', or NULL
 *   SELECT dbkeeper_schema_check('1.4');           the fingerprint, or an error
 *   SELECT * FROM dbkeeper_schema_diff('name');    change, kind, name
 *
 * The description (dbk_sqlite_schema_describe) reads sqlite_schema, pragma
 * table_list (WITHOUT ROWID, STRICT) and pragma table_xinfo (each column's
 * name, type, NOT NULL, DEFAULT, key position, generated or not).  Everything
 * else comes from the stored CREATE text, read by the core
 * (core/fingerprint/create_table.c, core/fingerprint/sql_tokens.c): ON CONFLICT clauses, COLLATE,
 * generated expressions, AUTOINCREMENT, the primary key's COLLATE and DESC,
 * UNIQUE constraints, CHECKs, foreign keys with DEFERRABLE, index keys and
 * partial-index WHERE clauses, views and triggers.  No pragma says ON
 * CONFLICT or DEFERRABLE, and pragmas index_list, index_xinfo and
 * foreign_key_list cost a statement per table; the mutation test
 * (tests/sqlite/fingerprint_mutation.py) checks the text's reading against
 * them.  Whitespace, comments, keyword case and identifier quoting do not
 * matter; names fold to lower case, as SQLite compares them.  Objects named
 * sqlite_* (SQLite's own) and dbkeeper_* (ours, the registry included), and
 * everything on dbkeeper_* tables, are left out.
 *
 * Definitions (canonical form 2; docs/fingerprint.md lists what is in and out):
 *   table    "<col> <type>[ not null[ on conflict <r>]][ default <e>][ collate
 *            <c>][ generated always as (<e>) stored|virtual], ...[; primary
 *            key(<key>[ collate <c>][ desc], ...)[ on conflict <r>]][;
 *            autoincrement][; unique(<keys>)[ on conflict <r>]]...[;
 *            check(<e>)]...[; foreign key(<cols>) references <t>[(<cols>)] on
 *            update <a> on delete <a>[ deferrable initially deferred]]...[;
 *            without rowid][; strict]" — column order kept, constraint lists
 *            sorted, constraint names left out; a rowid alias's key plain
 *   index    "[unique ]on <table>(<key>, ...)[ where <e>]", keys as written
 *   view, trigger, virtual table: the normalised text after the name
 *
 * These functions run SQL on the caller's connection, so they are all
 * registered SQLITE_DIRECTONLY: a database file cannot call them from its own
 * views or triggers.  None is deterministic: the schema changes.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/fingerprint/create_table.h"
#include "../core/fingerprint/schema.h"
#include "../core/fingerprint/schema_check.h"
#include "../core/fingerprint/schema_diff.h"
#include "../core/fingerprint/sql_tokens.h"

#define A (&dbk_sqlite_allocator)

/* Left out of every description: SQLite's objects and dbkeeper's. */
static bool
excluded_name(const char *name)
{
	return name == NULL || strncasecmp(name, "sqlite_", 7) == 0 ||
		strncasecmp(name, "dbkeeper_", 9) == 0;
}

static int
nomem(dbk_error *err)
{
	return dbk_fail(err, DBK_E_NOMEM, "out of memory describing the schema");
}

/* sqlite3_str_finish, turned into a core error when it failed. */
static int
str_finish(sqlite3_str *s, char **out, dbk_error *err)
{
	*out = sqlite3_str_finish(s);
	return *out ? 0 : nomem(err);
}

static const char *
text_or(sqlite3_stmt *q, int col, const char *dflt)
{
	const char *v = (const char *) sqlite3_column_text(q, col);

	return v ? v : dflt;
}

/* Appends the normalised form of SQL text sql. */
static int
append_normalized(sqlite3_str *s, const char *sql, dbk_error *err)
{
	char	   *n;

	if (dbk_sql_normalize(A, sql, strlen(sql), &n, err) != 0)
		return -1;
	sqlite3_str_appendall(s, n);
	sqlite3_free(n);
	return 0;
}

/* A table's flags from pragma table_list. */
typedef struct table_flags
{
	char	   *name;
	bool		without_rowid;
	bool		strict;
} table_flags;

/* A table's CREATE TABLE text as read by the core, kept for its indexes. */
typedef struct parsed_table
{
	char	   *name;			/* as sqlite_schema spells it */
	dbk_create_table ct;
} parsed_table;

/* Prepared statements reused for every object, the table_list and the parsed tables. */
typedef struct describer
{
	sqlite3    *db;
	table_flags *tables;		/* sorted by name */
	size_t		ntables;
	sqlite3_stmt *columns;
	parsed_table *parsed;		/* sorted by name once the first index comes */
	size_t		nparsed;
	size_t		capparsed;
	bool		parsed_sorted;
} describer;

static int
prepare(describer *d, const char *sql, sqlite3_stmt **out, dbk_error *err)
{
	if (sqlite3_prepare_v2(d->db, sql, -1, out, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, d->db, "reading the schema");
	return 0;
}

static int
step_error(describer *d, dbk_error *err)
{
	return dbk_sqlite_fail(err, d->db, "reading the schema");
}

static int
flags_cmp(const void *x, const void *y)
{
	return strcmp(((const table_flags *) x)->name, ((const table_flags *) y)->name);
}

/*
 * Reads pragma table_list once: with a table name as argument it scans the
 * whole schema on every call, which made 10,000 tables take 35 seconds.
 */
static int
read_table_list(describer *d, dbk_error *err)
{
	sqlite3_stmt *q = NULL;
	size_t		cap = 0;
	int			rc;

	if (prepare(d, "SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main'", &q, err) != 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
	{
		table_flags *f;

		if (d->ntables == cap)
		{
			size_t		ncap = cap ? cap * 2 : 256;
			table_flags *t = sqlite3_realloc64(d->tables, ncap * sizeof(*t));

			if (t == NULL)
				break;
			d->tables = t;
			cap = ncap;
		}
		f = &d->tables[d->ntables];
		if ((f->name = sqlite3_mprintf("%s", sqlite3_column_text(q, 0))) == NULL)
			break;
		f->without_rowid = sqlite3_column_int(q, 1) != 0;
		f->strict = sqlite3_column_int(q, 2) != 0;
		d->ntables++;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return nomem(err);
	if (rc != SQLITE_DONE)
		return step_error(d, err);
	if (d->ntables > 1)
		qsort(d->tables, d->ntables, sizeof(*d->tables), flags_cmp);
	return 0;
}

static const table_flags *
table_flags_of(const describer *d, const char *name)
{
	table_flags key = {(char *) name, false, false};

	return d->ntables ? bsearch(&key, d->tables, d->ntables, sizeof(*d->tables), flags_cmp) : NULL;
}

static int
parsed_cmp(const void *x, const void *y)
{
	return strcasecmp(((const parsed_table *) x)->name, ((const parsed_table *) y)->name);
}

/* The parsed CREATE TABLE of table `name` (any case), or NULL. */
static const dbk_create_table *
parsed_of(describer *d, const char *name)
{
	parsed_table key = {(char *) name, {0}};
	const parsed_table *found;

	if (!d->parsed_sorted && d->nparsed > 1)
		qsort(d->parsed, d->nparsed, sizeof(*d->parsed), parsed_cmp);
	d->parsed_sorted = true;
	found = d->nparsed ? bsearch(&key, d->parsed, d->nparsed, sizeof(*d->parsed), parsed_cmp) : NULL;
	return found ? &found->ct : NULL;
}

static void
describer_close(describer *d)
{
	for (size_t i = 0; i < d->ntables; i++)
		sqlite3_free(d->tables[i].name);
	for (size_t i = 0; i < d->nparsed; i++)
	{
		sqlite3_free(d->parsed[i].name);
		dbk_create_table_free(&d->parsed[i].ct);
	}
	sqlite3_free(d->parsed);
	sqlite3_free(d->tables);
	sqlite3_finalize(d->columns);
}

static int
describer_open(describer *d, sqlite3 *db, dbk_error *err)
{
	memset(d, 0, sizeof(*d));
	d->db = db;
	if (prepare(d, "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
				"FROM pragma_table_xinfo(?1, 'main') ORDER BY cid", &d->columns, err) != 0 ||
		read_table_list(d, err) != 0)
	{
		describer_close(d);
		return -1;
	}
	return 0;
}

/*
 * Appends one column's definition; *integer: its declared type is exactly
 * INTEGER.  alias_candidate names the column that is the rowid alias if its
 * type is INTEGER (or is NULL): SQLite ignores such a column's DEFAULT and
 * the ON CONFLICT of its NOT NULL (a NULL or no value takes a new rowid), so
 * the description leaves them out; NOT NULL itself stays, as the pragma
 * says it.
 */
static int
append_column(sqlite3_str *s, sqlite3_stmt *q, const dbk_create_table *ct,
			  const char *alias_candidate, bool *integer, dbk_error *err)
{
	const char *name = (const char *) sqlite3_column_text(q, 0);
	const char *type = (const char *) sqlite3_column_text(q, 1);
	const char *dflt = (const char *) sqlite3_column_text(q, 3);
	int			hidden = sqlite3_column_int(q, 5);
	char	   *canon;
	const dbk_ct_column *c;
	bool		alias;

	if (dbk_sql_ident(A, name ? name : "", &canon, err) != 0)
		return -1;
	c = dbk_create_table_column(ct, canon);
	sqlite3_str_appendall(s, canon);
	sqlite3_free(canon);
	*integer = type && strcasecmp(type, "integer") == 0;
	alias = *integer && alias_candidate && c && strcmp(c->name, alias_candidate) == 0;
	if (type && *type)
	{
		sqlite3_str_appendchar(s, 1, ' ');
		if (append_normalized(s, type, err) != 0)
			return -1;
	}
	if (sqlite3_column_int(q, 2))
		sqlite3_str_appendf(s, " not null%s%s", c && c->notnull_conflict && !alias ? " on conflict " : "",
							c && c->notnull_conflict && !alias ? c->notnull_conflict : "");
	if (dflt && !alias)
	{
		char	   *v;

		if (dbk_ct_default(A, dflt, &v, err) != 0)
			return -1;
		sqlite3_str_appendf(s, " default %s", v);
		sqlite3_free(v);
	}
	if (c && c->collate)
		sqlite3_str_appendf(s, " collate %s", c->collate);
	if (hidden == 2 || hidden == 3)
		sqlite3_str_appendf(s, " generated always as (%s) %s",
							c && c->generated ? c->generated : "?", hidden == 3 ? "stored" : "virtual");
	return 0;
}

/*
 * "; primary key(<key>, ...)[ on conflict <r>][; autoincrement]".  A rowid
 * alias (one key, declared type exactly INTEGER, a rowid table, not written
 * "PRIMARY KEY DESC" on the column: SQLite's rule) has no index, so its key's
 * COLLATE and DESC change nothing and are left out; any other key is an
 * index's, and they are kept.
 */
static void
append_primary_key(sqlite3_str *s, const dbk_create_table *ct, bool integer, bool without_rowid)
{
	bool		alias = ct->npk == 1 && integer && !without_rowid && !ct->pk_on_column_desc;

	sqlite3_str_appendall(s, "; primary key(");
	for (size_t k = 0; k < ct->npk; k++)
		sqlite3_str_appendf(s, "%s%s%s%s%s", k ? ", " : "", ct->pk[k].name,
							!alias && ct->pk[k].collate ? " collate " : "",
							!alias && ct->pk[k].collate ? ct->pk[k].collate : "",
							!alias && ct->pk[k].desc ? " desc" : "");
	sqlite3_str_appendf(s, ")%s%s%s", ct->pk_conflict ? " on conflict " : "",
						ct->pk_conflict ? ct->pk_conflict : "", ct->autoincrement ? "; autoincrement" : "");
}

/* The definition of table `name` (sql: its CREATE TABLE text). */
static int
describe_table(describer *d, const char *name, const char *sql, char **out, dbk_error *err)
{
	sqlite3_str *s = sqlite3_str_new(d->db);
	parsed_table *pt;
	const table_flags *flags = table_flags_of(d, name);
	const char *alias_candidate = NULL;
	bool		without_rowid = flags && flags->without_rowid,
				pk_integer = false;
	int			rc,
				ncols = 0,
				npk = 0,
				result = -1;

	if (d->nparsed == d->capparsed)
	{
		size_t		cap = d->capparsed ? d->capparsed * 2 : 64;
		parsed_table *v = sqlite3_realloc64(d->parsed, cap * sizeof(*v));

		if (v == NULL)
		{
			nomem(err);
			goto done;
		}
		d->parsed = v;
		d->capparsed = cap;
	}
	pt = &d->parsed[d->nparsed];
	memset(pt, 0, sizeof(*pt));
	if ((pt->name = sqlite3_mprintf("%s", name)) == NULL)
	{
		nomem(err);
		goto done;
	}
	d->nparsed++;
	d->parsed_sorted = false;
	if (dbk_create_table_parse(A, sql, strlen(sql), &pt->ct, err) != 0)
	{
		dbk_error_prefix(err, "describing table \"%s\": ", name);
		goto done;
	}
	if (pt->ct.npk == 1 && !without_rowid && !pt->ct.pk_on_column_desc)
		alias_candidate = pt->ct.pk[0].name;
	/* Columns in order, from the pragma; what it does not say, from the text. */
	sqlite3_reset(d->columns);
	sqlite3_bind_text(d->columns, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(d->columns)) == SQLITE_ROW)
	{
		bool		integer;

		if (ncols++)
			sqlite3_str_appendall(s, ", ");
		if (append_column(s, d->columns, &pt->ct, alias_candidate, &integer, err) != 0)
			goto done;
		if (sqlite3_column_int(d->columns, 4) > 0)
		{
			npk++;
			pk_integer = integer;
		}
	}
	if (rc != SQLITE_DONE)
	{
		step_error(d, err);
		goto done;
	}
	if ((size_t) npk != pt->ct.npk)
	{
		dbk_fail(err, DBK_E_INTERNAL, "describing table \"%s\": its primary key has %d columns, "
				 "its CREATE TABLE statement names %zu", name, npk, pt->ct.npk);
		goto done;
	}
	if (npk > 0)
		append_primary_key(s, &pt->ct, pk_integer, without_rowid);
	for (size_t k = 0; k < pt->ct.nclauses; k++)
		sqlite3_str_appendf(s, "; %s", pt->ct.clauses[k]);
	if (without_rowid)
		sqlite3_str_appendall(s, "; without rowid");
	if (flags && flags->strict)
		sqlite3_str_appendall(s, "; strict");
	result = 0;
done:
	sqlite3_reset(d->columns);
	if (result == 0)
		return str_finish(s, out, err);
	sqlite3_free(sqlite3_str_finish(s));
	return -1;
}

/*
 * The definition of index `name` on `table` (sql: its CREATE INDEX text):
 * "[unique ]on <table>(<key>, ...)[ where <e>]", each key as written but
 * normalised, without a redundant ASC or a COLLATE equal to its column's.
 *
 * The keys come from the text, not from pragma index_xinfo: the text holds
 * everything the pragma would say (a key's collation defaults to its
 * column's, which the table's parsed text gives) and expressions, which the
 * pragma does not give.  Asking the pragma per index cost more than the rest
 * of the description together on 10,000 tables: every PRAGMA statement looks
 * its index up in the schema's hash table, and Debian's SQLite (built with
 * SQLITE_MALLOC_SOFT_LIMIT=1024) caps those tables at 64 buckets.
 */
static int
describe_index(describer *d, const char *table, const char *sql, char **out, dbk_error *err)
{
	char	   *canon;
	int			rc;

	if (dbk_sql_ident(A, table, &canon, err) != 0)
		return -1;
	rc = dbk_ct_index(A, sql, strlen(sql), canon, parsed_of(d, table), out, err);
	sqlite3_free(canon);
	return rc;
}

static bool
starts_with_words(const char *sql, const char *a, const char *b)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	if (strncasecmp(sql, a, strlen(a)) != 0)
		return false;
	sql += strlen(a);
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	return strncasecmp(sql, b, strlen(b)) == 0;
}

int
dbk_sqlite_schema_describe(sqlite3 *db, dbk_schema *out, dbk_error *err)
{
	describer	d;
	sqlite3_stmt *q = NULL;
	int			rc;

	dbk_error_clear(err);
	dbk_schema_init(out, A, DBK_SCHEMA_FORMAT_SQLITE);
	if (describer_open(&d, db, err) != 0)
		return -1;
	/* Tables first: an index's keys are read against its table's columns. */
	if (prepare(&d, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
				"ORDER BY type = 'index'", &q, err) != 0)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
	{
		const char *type = text_or(q, 0, "");
		const char *name = (const char *) sqlite3_column_text(q, 1);
		const char *table = (const char *) sqlite3_column_text(q, 2);
		const char *sql = (const char *) sqlite3_column_text(q, 3);
		const char *kind = type;
		char	   *def = NULL,
				   *cname = NULL;
		int			r;

		if (excluded_name(name) || excluded_name(table) || sql == NULL)
			continue;			/* ours, SQLite's, or an automatic index */
		if (strcmp(type, "table") == 0 && starts_with_words(sql, "create", "virtual"))
		{
			kind = "virtual table";
			r = dbk_ct_text(A, sql, strlen(sql), "table", &def, err);
		}
		else if (strcmp(type, "table") == 0)
			r = describe_table(&d, name, sql, &def, err);
		else if (strcmp(type, "index") == 0)
			r = describe_index(&d, table, sql, &def, err);
		else
			r = dbk_ct_text(A, sql, strlen(sql), type, &def, err);
		if (r != 0 || dbk_sql_ident(A, name, &cname, err) != 0)
		{
			sqlite3_free(def);
			goto fail;
		}
		if (dbk_schema_add_owned(out, sqlite3_mprintf("%s", kind), cname, def, err) != 0)
			goto fail;
	}
	if (rc != SQLITE_DONE)
	{
		step_error(&d, err);
		goto fail;
	}
	sqlite3_finalize(q);
	describer_close(&d);
	dbk_schema_sort(out);
	return 0;
fail:
	sqlite3_finalize(q);
	describer_close(&d);
	dbk_schema_free(out);
	return -1;
}

static int
fingerprint_now(sqlite3 *db, char hex[DBK_SHA256_HEX_LEN + 1], dbk_error *err)
{
	dbk_schema	s;
	int			rc;

	if (dbk_sqlite_schema_describe(db, &s, err) != 0)
		return -1;
	rc = dbk_schema_fingerprint(&s, hex, err);
	dbk_schema_free(&s);
	return rc;
}

/* ---- the registry ---- */

static int
registry_exists(sqlite3 *db, bool *exists, dbk_error *err)
{
	sqlite3_stmt *q;
	int			rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' "
						   "AND name = 'dbkeeper_schema_version'", -1, &q, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading the schema registry");
	rc = sqlite3_step(q);
	*exists = rc == SQLITE_ROW;
	sqlite3_finalize(q);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : dbk_sqlite_fail(err, db, "reading the schema registry");
}

/*
 * One text from the registry: sql has one parameter; *out is NULL when no
 * row matches or the registry does not exist, else sqlite3_malloc'd.
 */
static int
registry_lookup(sqlite3 *db, const char *sql, const char *param, char **out, dbk_error *err)
{
	sqlite3_stmt *q;
	bool		exists = false;
	int			rc;

	*out = NULL;
	if (registry_exists(db, &exists, err) != 0)
		return -1;
	if (!exists)
		return 0;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "reading the schema registry");
	sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && (*out = sqlite3_mprintf("%s", sqlite3_column_text(q, 0))) == NULL)
		rc = SQLITE_NOMEM;
	sqlite3_finalize(q);
	if (rc == SQLITE_NOMEM)
		return nomem(err);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : dbk_sqlite_fail(err, db, "reading the schema registry");
}

#define VERSION_OF_FINGERPRINT \
	"SELECT version FROM main.dbkeeper_schema_version WHERE fingerprint = ?1 " \
	"ORDER BY registered_at DESC, version DESC LIMIT 1"
#define FINGERPRINT_OF_VERSION \
	"SELECT fingerprint FROM main.dbkeeper_schema_version WHERE version = ?1"

static int
register_version(sqlite3 *db, const char *version, char hex[DBK_SHA256_HEX_LEN + 1],
				 dbk_error *err)
{
	char	   *registered = NULL;
	sqlite3_stmt *q = NULL;
	int			rc;

	if (dbk_schema_version_check(version, err) != 0 || fingerprint_now(db, hex, err) != 0 ||
		registry_lookup(db, FINGERPRINT_OF_VERSION, version, &registered, err) != 0)
		return -1;
	if (registered)
	{
		rc = strcmp(registered, hex) == 0 ? 0 : dbk_schema_register_conflict(version, registered, hex, err);
		sqlite3_free(registered);
		return rc;
	}
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS main.dbkeeper_schema_version("
					 "version TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, registered_at TEXT NOT NULL)",
					 NULL, NULL, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(db, "INSERT INTO main.dbkeeper_schema_version VALUES "
						   "(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", -1, &q, NULL) != SQLITE_OK)
		return dbk_sqlite_fail(err, db, "writing the schema registry");
	sqlite3_bind_text(q, 1, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : dbk_sqlite_fail(err, db, "writing the schema registry");
}

/* ---- scalar functions ---- */

static void
sql_fingerprint(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char		hex[DBK_SHA256_HEX_LEN + 1];
	dbk_error	err;

	(void) argc;
	(void) argv;
	if (fingerprint_now(sqlite3_context_db_handle(ctx), hex, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
}

static void
sql_register(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char		hex[DBK_SHA256_HEX_LEN + 1];
	dbk_error	err;

	(void) argc;
	if (register_version(sqlite3_context_db_handle(ctx), (const char *) sqlite3_value_text(argv[0]),
						 hex, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
}

static void
sql_version(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *version = NULL;
	dbk_error	err;

	(void) argc;
	(void) argv;
	if (fingerprint_now(db, hex, &err) != 0 ||
		registry_lookup(db, VERSION_OF_FINGERPRINT, hex, &version, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else if (version)
		sqlite3_result_text(ctx, version, -1, sqlite3_free);
	else
		sqlite3_result_null(ctx);
}

static void
sql_check(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *expected = (const char *) sqlite3_value_text(argv[0]);
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *expected_fp = NULL,
			   *found_version = NULL;
	dbk_error	err;

	(void) argc;
	if (dbk_schema_expected_check(expected, &err) != 0)
	{
		dbk_sqlite_result_error(ctx, &err);
		return;
	}
	if (fingerprint_now(db, hex, &err) != 0 ||
		registry_lookup(db, FINGERPRINT_OF_VERSION, expected, &expected_fp, &err) != 0 ||
		registry_lookup(db, VERSION_OF_FINGERPRINT, hex, &found_version, &err) != 0 ||
		dbk_schema_check_decide(expected, expected_fp, hex, found_version, &err) != 0)
		dbk_sqlite_result_error(ctx, &err);
	else
		sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
	sqlite3_free(expected_fp);
	sqlite3_free(found_version);
}

/* ---- dbkeeper_schema and dbkeeper_schema_diff: eponymous virtual tables ---- */

typedef struct schema_cursor
{
	dbk_tvf_cursor base;
	dbk_schema	now;
	dbk_schema	then;
	dbk_schema_diff changes;
} schema_cursor;

static bool
is_diff(const dbk_tvf_cursor *c)
{
	return ((dbk_tvf *) c->base.pVtab)->def->arg_column >= 0;
}

static void
schema_open(dbk_tvf_cursor *cur)
{
	schema_cursor *c = (schema_cursor *) cur;

	dbk_schema_init(&c->now, A, DBK_SCHEMA_FORMAT_SQLITE);
	dbk_schema_init(&c->then, A, DBK_SCHEMA_FORMAT_SQLITE);
	c->changes.a = A;
}

static void
schema_clear(dbk_tvf_cursor *cur)
{
	schema_cursor *c = (schema_cursor *) cur;

	dbk_schema_diff_free(&c->changes);
	dbk_schema_free(&c->now);
	dbk_schema_free(&c->then);
}

/* The schema recorded in backup `given` (the latest when NULL). */
static int
backup_schema(dbk_tvf *vt, const char *given, dbk_schema *out, dbk_error *err)
{
	dbk_dir		d = {-1, ""};
	const char *file;
	char		database[128],
				name[DBK_NAME_MAX + 1];
	int			rc = -1;

	if (dbk_sqlite_main_file(vt->db, &file, database, sizeof(database), err) == 0 &&
		dbk_sqlite_open_dir(vt->aux, vt->db, false, &d, err) == 0 &&
		dbk_catalog_resolve(A, &d, &(dbk_origin) {DBK_SQLITE_ENGINE, database, NULL}, DBK_EXT_SQLITE,
							given, name, err) == 0)
		rc = dbk_schema_from_backup(A, &d, name, DBK_SQLITE_ENGINE, out, err);
	dbk_dir_close(&d);
	return rc;
}

/* dbkeeper_schema: the live description; dbkeeper_schema_diff('name'): its changes since a backup. */
static int
schema_filter(dbk_tvf_cursor *cur, const char *given, dbk_error *err)
{
	schema_cursor *c = (schema_cursor *) cur;
	dbk_tvf    *vt = (dbk_tvf *) cur->base.pVtab;

	if (dbk_sqlite_schema_describe(vt->db, &c->now, err) != 0)
		return -1;
	if (!is_diff(cur))
	{
		cur->n = c->now.n;
		return 0;
	}
	if (backup_schema(vt, given, &c->then, err) != 0 ||
		dbk_schema_diff_make(A, &c->then, &c->now, &c->changes, err) != 0)
		return -1;
	cur->n = c->changes.n;
	return 0;
}

static void
schema_column(dbk_tvf_cursor *cur, sqlite3_context *ctx, int col)
{
	schema_cursor *c = (schema_cursor *) cur;
	const char *v = NULL;

	if (is_diff(cur))
	{
		const dbk_schema_change *ch = &c->changes.items[cur->row];

		v = col == 0 ? ch->change : col == 1 ? ch->kind : col == 2 ? ch->name : NULL;
	}
	else
	{
		const dbk_schema_row *r = &c->now.rows[cur->row];

		v = col == 0 ? r->kind : col == 1 ? r->name : r->definition;
	}
	if (v)
		sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
}

static const dbk_tvf_def schema_def = {
	.name = "dbkeeper_schema",
	.declare = "CREATE TABLE x(kind TEXT, name TEXT, definition TEXT)",
	.arg_column = -1,
	.rows = 1000,
	.cursor_size = sizeof(schema_cursor),
	.filter = schema_filter,
	.column = schema_column,
	.open = schema_open,
	.clear = schema_clear,
};

/* The hidden column "backup" (3) is the argument: dbkeeper_schema_diff('name'). */
static const dbk_tvf_def diff_def = {
	.name = "dbkeeper_schema_diff",
	.declare = "CREATE TABLE x(change TEXT, kind TEXT, name TEXT, backup HIDDEN)",
	.arg_column = 3,
	.rows = 1000,
	.cursor_size = sizeof(schema_cursor),
	.filter = schema_filter,
	.column = schema_column,
	.open = schema_open,
	.clear = schema_clear,
};

int
dbk_sqlite_register_schema(sqlite3 *db, dbk_sqlite_state *st)
{
	int			rc;

	rc = dbk_sqlite_register_tvf(db, &schema_def, dbk_sqlite_state_ref(st), dbk_sqlite_state_release);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_register_tvf(db, &diff_def, dbk_sqlite_state_ref(st), dbk_sqlite_state_release);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_fingerprint", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
							   sql_fingerprint, st);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_schema_register", 1, 1, DBK_SQLITE_SIDE_EFFECTS,
							   sql_register, st);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_schema_version", 0, 0, DBK_SQLITE_SIDE_EFFECTS,
							   sql_version, st);
	if (rc == SQLITE_OK)
		rc = dbk_sqlite_create(db, "dbkeeper_schema_check", 1, 1, DBK_SQLITE_SIDE_EFFECTS,
							   sql_check, st);
	return rc;
}
