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
 * The description (dbk_sqlite_schema_describe) reads sqlite_schema and the
 * pragmas table_list, table_xinfo, index_list, index_xinfo and
 * foreign_key_list (index_xinfo for the columns of UNIQUE constraints).
 * What only the stored SQL text holds — CHECK constraints, generated
 * columns' expressions, collations, AUTOINCREMENT, index keys and
 * partial-index WHERE clauses, views and triggers — is
 * normalised by the core tokenizer (core/fingerprint/sql_tokens.c), so whitespace,
 * comments, keyword case and identifier quoting do not matter.  Names fold to
 * lower case, as SQLite compares them.  Objects named sqlite_* (SQLite's own)
 * and dbkeeper_* (ours, the registry included), and everything on dbkeeper_*
 * tables, are left out.
 *
 * Definitions:
 *   table    "<col> <type>[ not null][ default <e>][ collate <c>]
 *            [ generated always as (<e>) stored|virtual], ...[; primary
 *            key(<cols>)][; autoincrement][; unique(<cols>)]...[; check(<e>)]...
 *            [; foreign key(<cols>) references <t>(<cols>) on update <a> on
 *            delete <a> match <m>]...[; without rowid][; strict]" — column
 *            order kept, constraint lists sorted, constraint names left out
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

/* Appends the canonical identifier of raw. */
static int
append_ident(sqlite3_str *s, const char *raw, dbk_error *err)
{
	char	   *id;

	if (dbk_sql_ident(A, raw ? raw : "", &id, err) != 0)
		return -1;
	sqlite3_str_appendall(s, id);
	sqlite3_free(id);
	return 0;
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

/*
 * The index just past "create [temp|temporary] [unique] <what> [if not
 * exists] [schema.]name", or 0 when the text does not look like that.
 */
static size_t
after_name(const dbk_sql_tokens *t, const char *what)
{
	size_t		i = 0;

	if (!dbk_sql_is_keyword(t, i++, "create"))
		return 0;
	if (dbk_sql_is_keyword(t, i, "temp") || dbk_sql_is_keyword(t, i, "temporary"))
		i++;
	if (dbk_sql_is_keyword(t, i, "unique") || dbk_sql_is_keyword(t, i, "virtual"))
		i++;
	if (!dbk_sql_is_keyword(t, i++, what))
		return 0;
	if (dbk_sql_is_keyword(t, i, "if") && dbk_sql_is_keyword(t, i + 1, "not") &&
		dbk_sql_is_keyword(t, i + 2, "exists"))
		i += 3;
	i++;						/* the name */
	if (dbk_sql_is_punct(t, i, "."))
		i += 2;
	return i <= t->n ? i : 0;
}

/* Splits the group (open, close) at top-level commas: item k is [starts[k], ends[k]). */
typedef struct items
{
	size_t		n;
	size_t		starts[2048];
	size_t		ends[2048];
} items;

static void
split_items(const dbk_sql_tokens *t, size_t open, size_t close, items *out)
{
	size_t		start = open + 1;
	int			depth = 0;

	out->n = 0;
	for (size_t i = open + 1; i < close && out->n < 2048; i++)
	{
		bool		last = false;

		if (dbk_sql_is_punct(t, i, "("))
			depth++;
		else if (dbk_sql_is_punct(t, i, ")") && depth-- == 0)
			last = true;		/* the group's own closing parenthesis */
		if (last || i + 1 == close || (depth == 0 && dbk_sql_is_punct(t, i, ",")))
		{
			out->starts[out->n] = start;
			out->ends[out->n] = (last || dbk_sql_is_punct(t, i, ",")) ? i : i + 1;
			out->n++;
			start = i + 1;
		}
		if (last)
			break;
	}
}

/* What a table's CREATE text says about one column. */
typedef struct column_text
{
	char	   *name;			/* canonical */
	char	   *collate;		/* canonical, or NULL */
	char	   *generated;		/* normalised expression, or NULL */
	bool		autoincrement;
} column_text;

typedef struct table_text
{
	column_text *cols;
	size_t		ncols;
	char	  **checks;			/* "check(<e>)", normalised */
	size_t		nchecks;
	/* Whether the text can declare UNIQUE constraints or foreign keys at all. */
	bool		has_unique;
	bool		has_references;
} table_text;

static void
table_text_free(table_text *tt)
{
	for (size_t i = 0; i < tt->ncols; i++)
	{
		sqlite3_free(tt->cols[i].name);
		sqlite3_free(tt->cols[i].collate);
		sqlite3_free(tt->cols[i].generated);
	}
	for (size_t i = 0; i < tt->nchecks; i++)
		sqlite3_free(tt->checks[i]);
	sqlite3_free(tt->cols);
	sqlite3_free(tt->checks);
	memset(tt, 0, sizeof(*tt));
}

static bool
is_constraint_start(const dbk_sql_tokens *t, size_t i)
{
	return dbk_sql_is_keyword(t, i, "constraint") || dbk_sql_is_keyword(t, i, "primary") ||
		dbk_sql_is_keyword(t, i, "unique") || dbk_sql_is_keyword(t, i, "check") ||
		dbk_sql_is_keyword(t, i, "foreign");
}

/* Reads item [from, to): its CHECK constraints, and for a column the rest. */
static int
scan_item(const dbk_sql_tokens *t, size_t from, size_t to, bool column, table_text *tt,
		  dbk_error *err)
{
	column_text *c = column ? &tt->cols[tt->ncols++] : NULL;

	if (c)
	{
		memset(c, 0, sizeof(*c));
		if ((c->name = sqlite3_mprintf("%s", t->items[from].text)) == NULL)
			return nomem(err);
	}
	for (size_t i = from + (column ? 1 : 0); i < to; i++)
	{
		if (dbk_sql_is_punct(t, i, "("))
		{
			i = dbk_sql_group_end(t, i) - 1;
			continue;
		}
		if (dbk_sql_is_keyword(t, i, "check") && dbk_sql_is_punct(t, i + 1, "("))
		{
			size_t		end = dbk_sql_group_end(t, i + 1);

			if (dbk_sql_join(t, i, end, &tt->checks[tt->nchecks], err) != 0)
				return -1;
			tt->nchecks++;
			i = end - 1;
		}
		else if (c && dbk_sql_is_keyword(t, i, "as") && dbk_sql_is_punct(t, i + 1, "("))
		{
			size_t		end = dbk_sql_group_end(t, i + 1);

			sqlite3_free(c->generated);
			if (dbk_sql_join(t, i + 2, end - 1, &c->generated, err) != 0)
				return -1;
			i = end - 1;
		}
		else if (c && dbk_sql_is_keyword(t, i, "collate") && i + 1 < to)
		{
			sqlite3_free(c->collate);
			if ((c->collate = sqlite3_mprintf("%s", t->items[i + 1].text)) == NULL)
				return nomem(err);
			i++;
		}
		else if (c && dbk_sql_is_keyword(t, i, "autoincrement"))
			c->autoincrement = true;
	}
	return 0;
}

/* Parses CREATE TABLE text into tt. */
static int
table_text_read(const char *sql, table_text *tt, dbk_error *err)
{
	dbk_sql_tokens t;
	items	   *its = NULL;
	size_t		open;
	int			rc = -1;

	memset(tt, 0, sizeof(*tt));
	if (dbk_sql_tokenize(A, sql, strlen(sql), &t, err) != 0)
		return -1;
	open = after_name(&t, "table");
	if (open == 0 || !dbk_sql_is_punct(&t, open, "("))
	{
		rc = 0;					/* nothing to read (CREATE TABLE ... AS is stored expanded) */
		goto done;
	}
	its = sqlite3_malloc64(sizeof(*its));
	tt->cols = sqlite3_malloc64(sizeof(*tt->cols) * 2048);
	tt->checks = sqlite3_malloc64(sizeof(*tt->checks) * 4096);
	if (its == NULL || tt->cols == NULL || tt->checks == NULL)
	{
		nomem(err);
		goto done;
	}
	split_items(&t, open, dbk_sql_group_end(&t, open), its);
	for (size_t i = open; i < t.n; i++)
	{
		tt->has_unique = tt->has_unique || dbk_sql_is_keyword(&t, i, "unique");
		tt->has_references = tt->has_references || dbk_sql_is_keyword(&t, i, "references");
	}
	for (size_t k = 0; k < its->n; k++)
	{
		size_t		from = its->starts[k],
					to = its->ends[k];

		if (from >= to)
			continue;
		if (tt->nchecks + (to - from) > 4096)
			break;				/* more CHECKs than any real table; the rest are ignored */
		if (scan_item(&t, from, to, !is_constraint_start(&t, from), tt, err) != 0)
			goto done;
	}
	rc = 0;
done:
	sqlite3_free(its);
	dbk_sql_tokens_free(&t);
	return rc;
}

static const column_text *
column_lookup(const table_text *tt, const char *canonical)
{
	for (size_t i = 0; i < tt->ncols; i++)
		if (strcmp(tt->cols[i].name, canonical) == 0)
			return &tt->cols[i];
	return NULL;
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

/* A table's flags from pragma table_list. */
typedef struct table_flags
{
	char	   *name;
	bool		without_rowid;
	bool		strict;
} table_flags;

/* Prepared statements reused for every object, and the table_list. */
typedef struct describer
{
	sqlite3    *db;
	table_flags *tables;		/* sorted by name */
	size_t		ntables;
	sqlite3_stmt *columns;
	sqlite3_stmt *index_list;
	sqlite3_stmt *index_cols;
	sqlite3_stmt *fkeys;
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

static void
describer_close(describer *d)
{
	for (size_t i = 0; i < d->ntables; i++)
		sqlite3_free(d->tables[i].name);
	sqlite3_free(d->tables);
	sqlite3_finalize(d->columns);
	sqlite3_finalize(d->index_list);
	sqlite3_finalize(d->index_cols);
	sqlite3_finalize(d->fkeys);
}

static int
describer_open(describer *d, sqlite3 *db, dbk_error *err)
{
	memset(d, 0, sizeof(*d));
	d->db = db;
	if (prepare(d, "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
				"FROM pragma_table_xinfo(?1, 'main') ORDER BY cid", &d->columns, err) != 0 ||
		prepare(d, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1, 'main')",
				&d->index_list, err) != 0 ||
		prepare(d, "SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1, 'main') "
				"WHERE key ORDER BY seqno", &d->index_cols, err) != 0 ||
		prepare(d, "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete, match "
				"FROM pragma_foreign_key_list(?1, 'main') ORDER BY id, seq", &d->fkeys, err) != 0 ||
		read_table_list(d, err) != 0)
	{
		describer_close(d);
		return -1;
	}
	return 0;
}

/* Appends one column's definition. */
static int
append_column(sqlite3_str *s, sqlite3_stmt *q, const table_text *tt, dbk_error *err)
{
	const char *name = (const char *) sqlite3_column_text(q, 0);
	const char *type = (const char *) sqlite3_column_text(q, 1);
	const char *dflt = (const char *) sqlite3_column_text(q, 3);
	int			hidden = sqlite3_column_int(q, 5);
	char	   *canon;
	const column_text *ct;

	if (dbk_sql_ident(A, name ? name : "", &canon, err) != 0)
		return -1;
	ct = column_lookup(tt, canon);
	sqlite3_str_appendall(s, canon);
	sqlite3_free(canon);
	if (type && *type)
	{
		sqlite3_str_appendchar(s, 1, ' ');
		if (append_normalized(s, type, err) != 0)
			return -1;
	}
	if (sqlite3_column_int(q, 2))
		sqlite3_str_appendall(s, " not null");
	if (dflt)
	{
		sqlite3_str_appendall(s, " default ");
		if (append_normalized(s, dflt, err) != 0)
			return -1;
	}
	if (ct && ct->collate && strcmp(ct->collate, "binary") != 0)
		sqlite3_str_appendf(s, " collate %s", ct->collate);
	if (hidden == 2 || hidden == 3)
		sqlite3_str_appendf(s, " generated always as (%s) %s",
							ct && ct->generated ? ct->generated : "?", hidden == 3 ? "stored" : "virtual");
	return 0;
}

/* Sorted constraint clauses of a table, each "; "-prefixed on output. */
typedef struct clauses
{
	char	  **v;
	size_t		n;
	size_t		cap;
} clauses;

static int
clause_add(clauses *c, char *text, dbk_error *err)
{
	if (text == NULL)
		return nomem(err);
	if (c->n == c->cap)
	{
		size_t		cap = c->cap ? c->cap * 2 : 16;
		char	  **v = sqlite3_realloc64(c->v, cap * sizeof(*v));

		if (v == NULL)
		{
			sqlite3_free(text);
			return nomem(err);
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = text;
	return 0;
}

static void
clauses_free(clauses *c)
{
	for (size_t i = 0; i < c->n; i++)
		sqlite3_free(c->v[i]);
	sqlite3_free(c->v);
}

/* "unique(a, b)" for every UNIQUE constraint (the autoindexes of origin "u"). */
static int
unique_clauses(describer *d, const char *table, clauses *out, dbk_error *err)
{
	int			rc;

	sqlite3_reset(d->index_list);
	sqlite3_bind_text(d->index_list, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(d->index_list)) == SQLITE_ROW)
	{
		const char *origin = (const char *) sqlite3_column_text(d->index_list, 2);
		sqlite3_str *s;
		char	   *text;
		int			k = 0;

		if (origin == NULL || strcmp(origin, "u") != 0)
			continue;
		s = sqlite3_str_new(d->db);
		sqlite3_str_appendall(s, "unique(");
		sqlite3_reset(d->index_cols);
		sqlite3_bind_text(d->index_cols, 1, (const char *) sqlite3_column_text(d->index_list, 0),
						  -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(d->index_cols)) == SQLITE_ROW)
		{
			const char *coll = (const char *) sqlite3_column_text(d->index_cols, 3);

			if (k++)
				sqlite3_str_appendall(s, ", ");
			if (append_ident(s, (const char *) sqlite3_column_text(d->index_cols, 1), err) != 0)
				break;
			if (coll && strcasecmp(coll, "binary") != 0)
			{
				sqlite3_str_appendall(s, " collate ");
				if (append_ident(s, coll, err) != 0)
					break;
			}
		}
		if (rc != SQLITE_DONE)
		{
			sqlite3_free(sqlite3_str_finish(s));
			return rc == SQLITE_ROW ? -1 : step_error(d, err);
		}
		sqlite3_str_appendchar(s, 1, ')');
		if (str_finish(s, &text, err) != 0 || clause_add(out, text, err) != 0)
			return -1;
	}
	return rc == SQLITE_DONE ? 0 : step_error(d, err);
}

static const char *
text_or(sqlite3_stmt *q, int col, const char *dflt)
{
	const char *v = (const char *) sqlite3_column_text(q, col);

	return v ? v : dflt;
}

/* "foreign key(a) references t(b) on update .. on delete .. match .." per constraint. */
static int
foreign_key_clauses(describer *d, const char *table, clauses *out, dbk_error *err)
{
	sqlite3_str *s = NULL;
	sqlite3_str *to = NULL;
	char		tail[256] = "";
	int			id = -1,
				rc;

	sqlite3_reset(d->fkeys);
	sqlite3_bind_text(d->fkeys, 1, table, -1, SQLITE_STATIC);
	for (;;)
	{
		rc = sqlite3_step(d->fkeys);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		if (s && (rc == SQLITE_DONE || sqlite3_column_int(d->fkeys, 0) != id))
		{
			char	   *refs,
					   *text;

			sqlite3_str_appendchar(to, 1, ')');
			refs = sqlite3_str_finish(to);
			to = NULL;
			sqlite3_str_appendf(s, ")%s%s", refs ? refs : "", tail);
			sqlite3_free(refs);
			if (str_finish(s, &text, err) != 0 || clause_add(out, text, err) != 0)
				return -1;
			s = NULL;
		}
		if (rc == SQLITE_DONE)
			return 0;
		if (s == NULL)
		{
			const char *ref = text_or(d->fkeys, 1, "");

			id = sqlite3_column_int(d->fkeys, 0);
			s = sqlite3_str_new(d->db);
			to = sqlite3_str_new(d->db);
			sqlite3_str_appendall(s, "foreign key(");
			sqlite3_str_appendall(to, " references ");
			if (append_ident(to, ref, err) != 0)
				break;
			sqlite3_str_appendchar(to, 1, '(');
			snprintf(tail, sizeof(tail), " on update %s on delete %s match %s",
					 text_or(d->fkeys, 4, "none"), text_or(d->fkeys, 5, "none"),
					 text_or(d->fkeys, 6, "none"));
			for (char *p = tail; *p; p++)
				*p = (*p >= 'A' && *p <= 'Z') ? (char) (*p - 'A' + 'a') : *p;
		}
		else
		{
			sqlite3_str_appendall(s, ", ");
			sqlite3_str_appendall(to, ", ");
		}
		if (append_ident(s, text_or(d->fkeys, 2, ""), err) != 0)
			break;
		/* "to" is NULL when the reference names the parent's primary key implicitly. */
		if (sqlite3_column_type(d->fkeys, 3) != SQLITE_NULL &&
			append_ident(to, text_or(d->fkeys, 3, ""), err) != 0)
			break;
		if (sqlite3_column_type(d->fkeys, 3) == SQLITE_NULL)
			sqlite3_str_appendall(to, "<primary key>");
	}
	sqlite3_free(sqlite3_str_finish(s));
	sqlite3_free(sqlite3_str_finish(to));
	/* A row in hand means an append failed and filled err; else the step did. */
	return rc == SQLITE_ROW ? -1 : step_error(d, err);
}

/* The definition of table `name` (sql: its CREATE TABLE text). */
static int
describe_table(describer *d, const char *name, const char *sql, char **out, dbk_error *err)
{
	sqlite3_str *s = sqlite3_str_new(d->db);
	table_text	tt;
	clauses		cl = {NULL, 0, 0};
	const table_flags *flags;
	char	   *pk = NULL;
	int			rc,
				ncols = 0,
				npk = 0,
				result = -1;
	bool		autoinc = false;

	if (table_text_read(sql ? sql : "", &tt, err) != 0)
	{
		sqlite3_free(sqlite3_str_finish(s));
		return -1;
	}
	/* Columns in order; the primary key's columns in key order afterwards. */
	sqlite3_reset(d->columns);
	sqlite3_bind_text(d->columns, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(d->columns)) == SQLITE_ROW)
	{
		if (ncols++)
			sqlite3_str_appendall(s, ", ");
		if (append_column(s, d->columns, &tt, err) != 0)
			goto done;
		if (sqlite3_column_int(d->columns, 4) > npk)
			npk = sqlite3_column_int(d->columns, 4);
	}
	if (rc != SQLITE_DONE)
	{
		step_error(d, err);
		goto done;
	}
	for (int k = 1; k <= npk; k++)
	{
		sqlite3_reset(d->columns);
		while ((rc = sqlite3_step(d->columns)) == SQLITE_ROW)
		{
			const char *col = (const char *) sqlite3_column_text(d->columns, 0);
			const column_text *ct;
			char	   *canon;

			if (sqlite3_column_int(d->columns, 4) != k)
				continue;
			if (dbk_sql_ident(A, col ? col : "", &canon, err) != 0)
				goto done;
			ct = column_lookup(&tt, canon);
			autoinc = autoinc || (ct && ct->autoincrement);
			pk = pk ? sqlite3_mprintf("%z, %s", pk, canon) : sqlite3_mprintf("%s", canon);
			sqlite3_free(canon);
			if (pk == NULL)
			{
				nomem(err);
				goto done;
			}
		}
	}
	if (pk)
		sqlite3_str_appendf(s, "; primary key(%s)%s", pk, autoinc ? "; autoincrement" : "");
	/*
	 * UNIQUE constraints and foreign keys exist only when the CREATE TABLE
	 * text declares them (ALTER TABLE ADD COLUMN appends to that text), so
	 * the pragmas, which cost a statement each, are asked only then.
	 */
	if (tt.has_unique && unique_clauses(d, name, &cl, err) != 0)
		goto done;
	for (size_t k = 0; k < tt.nchecks; k++)
	{
		if (clause_add(&cl, tt.checks[k], err) != 0)
		{
			tt.checks[k] = NULL;
			goto done;
		}
		tt.checks[k] = NULL;	/* cl owns it now */
	}
	if (tt.has_references && foreign_key_clauses(d, name, &cl, err) != 0)
		goto done;
	if (cl.n > 1)
		qsort(cl.v, cl.n, sizeof(*cl.v), str_cmp);
	for (size_t k = 0; k < cl.n; k++)
		sqlite3_str_appendf(s, "; %s", cl.v[k]);
	if ((flags = table_flags_of(d, name)) != NULL)
	{
		if (flags->without_rowid)
			sqlite3_str_appendall(s, "; without rowid");
		if (flags->strict)
			sqlite3_str_appendall(s, "; strict");
	}
	result = 0;
done:
	sqlite3_reset(d->columns);
	sqlite3_free(pk);
	clauses_free(&cl);
	table_text_free(&tt);
	if (result == 0)
		return str_finish(s, out, err);
	sqlite3_free(sqlite3_str_finish(s));
	return -1;
}

/*
 * The definition of index `name` on `table` (sql: its CREATE INDEX text):
 * "[unique ]on <table>(<key>, ...)[ where <e>]", each key as written but
 * normalised, without a redundant ASC.
 *
 * The keys come from the text, not from pragma index_xinfo: the text holds
 * everything the pragma would say (a key's collation defaults to its
 * column's, which the table's row records) and expressions, which the pragma
 * does not give.  Asking the pragma per index cost more than the rest of the
 * description together on 10,000 tables: every PRAGMA statement looks its
 * index up in the schema's hash table, and Debian's SQLite (built with
 * SQLITE_MALLOC_SOFT_LIMIT=1024) caps those tables at 64 buckets.
 */
static int
describe_index(describer *d, const char *table, const char *sql, char **out, dbk_error *err)
{
	sqlite3_str *s = sqlite3_str_new(d->db);
	dbk_sql_tokens t = {A, NULL, 0, 0};
	items	   *its = sqlite3_malloc64(sizeof(items));
	size_t		close = 0;
	int			result = -1;

	if (its == NULL)
	{
		nomem(err);
		goto done;
	}
	its->n = 0;
	if (dbk_sql_tokenize(A, sql, strlen(sql), &t, err) != 0)
		goto done;
	/* "... on <table> ( <keys> ) [where <e>]" */
	for (size_t i = after_name(&t, "index"); i < t.n; i++)
		if (dbk_sql_is_punct(&t, i, "("))
		{
			close = dbk_sql_group_end(&t, i);
			split_items(&t, i, close, its);
			break;
		}
	/* "create [temp] unique index" */
	if ((dbk_sql_is_keyword(&t, 1, "unique") && dbk_sql_is_keyword(&t, 2, "index")) ||
		(dbk_sql_is_keyword(&t, 2, "unique") && dbk_sql_is_keyword(&t, 3, "index")))
		sqlite3_str_appendall(s, "unique ");
	sqlite3_str_appendall(s, "on ");
	if (append_ident(s, table, err) != 0)
		goto done;
	sqlite3_str_appendchar(s, 1, '(');
	for (size_t k = 0; k < its->n; k++)
	{
		size_t		end = its->ends[k];
		char	   *key;

		if (end > its->starts[k] && dbk_sql_is_keyword(&t, end - 1, "asc"))
			end--;
		if (dbk_sql_join(&t, its->starts[k], end, &key, err) != 0)
			goto done;
		sqlite3_str_appendf(s, "%s%s", k ? ", " : "", key);
		sqlite3_free(key);
	}
	sqlite3_str_appendchar(s, 1, ')');
	if (close > 0 && dbk_sql_is_keyword(&t, close, "where"))
	{
		char	   *w;

		if (dbk_sql_join(&t, close + 1, t.n, &w, err) != 0)
			goto done;
		sqlite3_str_appendf(s, " where %s", w);
		sqlite3_free(w);
	}
	result = 0;
done:
	sqlite3_free(its);
	dbk_sql_tokens_free(&t);
	if (result == 0)
		return str_finish(s, out, err);
	sqlite3_free(sqlite3_str_finish(s));
	return -1;
}

/* The normalised text after the name: views, triggers, virtual tables. */
static int
describe_text(const char *sql, const char *what, char **out, dbk_error *err)
{
	dbk_sql_tokens t;
	int			rc;

	if (dbk_sql_tokenize(A, sql, strlen(sql), &t, err) != 0)
		return -1;
	rc = dbk_sql_join(&t, after_name(&t, what), t.n, out, err);
	dbk_sql_tokens_free(&t);
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
	if (prepare(&d, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema", &q, err) != 0)
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
			r = describe_text(sql, "table", &def, err);
		}
		else if (strcmp(type, "table") == 0)
			r = describe_table(&d, name, sql, &def, err);
		else if (strcmp(type, "index") == 0)
			r = describe_index(&d, table, sql, &def, err);
		else
			r = describe_text(sql, type, &def, err);
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
	if (dbk_schema_check_given(expected, &err) != 0)
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
