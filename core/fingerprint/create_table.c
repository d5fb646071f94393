/*
 * create_table.c — SQLite's CREATE TABLE, CREATE INDEX, view and trigger
 * texts read for the schema fingerprint; see create_table.h.
 *
 * The grammar is SQLite's (parse.y in the SQLite sources):
 *   column  = name [type] {ccons}
 *   ccons   = CONSTRAINT nm | DEFAULT (term | (expr) | +term | -term | id)
 *           | NULL onconf | NOT NULL onconf | PRIMARY KEY [ASC|DESC] onconf
 *             [AUTOINCREMENT] | UNIQUE onconf | CHECK (expr)
 *           | REFERENCES nm [(cols)] refargs | [NOT] DEFERRABLE [INITIALLY
 *             DEFERRED|IMMEDIATE] | COLLATE ids | [GENERATED ALWAYS] AS (expr) [id]
 *   tcons   = CONSTRAINT nm | PRIMARY KEY (keys [AUTOINCREMENT]) onconf
 *           | UNIQUE (keys) onconf | CHECK (expr) onconf
 *           | FOREIGN KEY (cols) REFERENCES nm [(cols)] refargs [defer]
 *   table constraints may follow one another without commas, and a
 *   DEFERRABLE clause on its own applies to the foreign key made last.
 * Anything else is an error naming the token: a description that skipped
 * it could miss what makes two tables behave differently.
 */
#include "create_table.h"

#include <stdlib.h>
#include <string.h>

#include "sql_tokens.h"

typedef struct fkey
{
	char	   *from;			/* "a, b" */
	char	   *parent;
	char	   *to;				/* "x, y", or NULL for the parent's primary key */
	const char *on_update;
	const char *on_delete;
	bool		deferred;
} fkey;

typedef struct parser
{
	const dbk_allocator *a;
	const char *sql;
	dbk_sql_tokens t;
	dbk_create_table *out;
	fkey	   *fks;
	size_t		nfks;
	size_t		capfks;
	dbk_error  *err;
} parser;

static bool
kw(const parser *p, size_t i, const char *word)
{
	return dbk_sql_is_keyword(&p->t, i, word);
}

static bool
pu(const parser *p, size_t i, const char *s)
{
	return dbk_sql_is_punct(&p->t, i, s);
}

static int
nomem(dbk_error *err)
{
	return dbk_fail(err, DBK_E_NOMEM, "out of memory reading a CREATE statement");
}

/* The error for text the grammar above does not allow at token i. */
static int
unexpected(const parser *p, size_t i, const char *where)
{
	if (i >= p->t.n)
		return dbk_fail(p->err, DBK_E_INTERNAL, "cannot read %s: the text ends too early", where);
	return dbk_fail(p->err, DBK_E_INTERNAL, "cannot read %s: unexpected \"%s\"", where,
					p->t.items[i].text);
}

static char *
dup(const dbk_allocator *a, const char *s)
{
	size_t		n = strlen(s);
	char	   *c = dbk_alloc(a, n + 1);

	if (c)
		memcpy(c, s, n + 1);
	return c;
}

/* Grows *v (of *cap elements of size size) to hold n + 1. */
static int
grow(const dbk_allocator *a, void **v, size_t *cap, size_t n, size_t size)
{
	size_t		ncap;
	void	   *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	nv = dbk_resize(a, *v, *cap * size, ncap * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* The index just past the group opening at i, or 0 when it never closes. */
static size_t
group_end(const parser *p, size_t i)
{
	int			depth = 0;

	for (; i < p->t.n; i++)
	{
		if (pu(p, i, "("))
			depth++;
		else if (pu(p, i, ")") && --depth == 0)
			return i + 1;
	}
	return 0;
}

/*
 * The canonical identifier of a name token: a word as normalised, a
 * 'string' (SQLite takes one as a name where a name is expected) unquoted.
 */
static int
name_of(const parser *p, size_t i, char **out)
{
	const dbk_sql_token *tok = &p->t.items[i];

	*out = NULL;
	if (tok->kind == DBK_TOK_WORD)
		return (*out = dup(p->a, tok->text)) ? 0 : nomem(p->err);
	if (tok->kind == DBK_TOK_STRING)
	{
		char	   *raw = dbk_alloc(p->a, tok->len + 1);
		size_t		n = 0;
		int			rc;

		if (raw == NULL)
			return nomem(p->err);
		for (size_t k = 1; k + 1 < tok->len; k++)
		{
			raw[n++] = tok->text[k];
			if (tok->text[k] == '\'')
				k++;
		}
		raw[n] = '\0';
		rc = dbk_sql_ident(p->a, raw, out, p->err);
		dbk_free(p->a, raw);
		return rc;
	}
	return unexpected(p, i, "a name");
}

/* A collation name at token i, canonical; NULL for BINARY. */
static int
collation_of(const parser *p, size_t i, char **out)
{
	if (name_of(p, i, out) != 0)
		return -1;
	if (strcmp(*out, "binary") == 0)
	{
		dbk_free(p->a, *out);
		*out = NULL;
	}
	return 0;
}

/*
 * "ON CONFLICT <resolution>" at *i, if there: *conflict is the resolution
 * in lower case, or NULL for ABORT (the default) and when absent.
 */
static int
onconf(parser *p, size_t *i, size_t to, char **conflict)
{
	static const char *const kinds[] = {"rollback", "abort", "fail", "ignore", "replace"};

	if (*i >= to || !kw(p, *i, "on") || !kw(p, *i + 1, "conflict"))
		return 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (*i + 2 < to && kw(p, *i + 2, kinds[k]))
		{
			dbk_free(p->a, *conflict);
			*conflict = NULL;
			*i += 3;
			if (k != 1 && (*conflict = dup(p->a, kinds[k])) == NULL)
				return nomem(p->err);
			return 0;
		}
	return unexpected(p, *i + 2, "an ON CONFLICT clause");
}

static bool
is_column_name(const dbk_create_table *t, const char *name)
{
	return dbk_create_table_column(t, name) != NULL || strcmp(name, "rowid") == 0 ||
		strcmp(name, "oid") == 0 || strcmp(name, "_rowid_") == 0;
}

/*
 * Tokens [from, to) of an expression of the table with SQLite's
 * double-quoted-string rule applied: a "word" that is not a qualified name,
 * a function or a column of the table becomes the 'word' it spells, case
 * kept.  columns is NULL where no name can be a column (a DEFAULT).
 */
static int
apply_dqs(const dbk_allocator *a, const char *sql, dbk_sql_tokens *t, size_t from, size_t to,
		  const dbk_create_table *columns, dbk_error *err)
{
	for (size_t i = from; i < to && i < t->n; i++)
	{
		dbk_sql_token *tok = &t->items[i];
		const char *raw = sql + tok->start;
		char	   *s;
		size_t		n = 0;

		if (tok->kind != DBK_TOK_WORD || !tok->quoted || raw[0] != '"')
			continue;
		if ((i > from && dbk_sql_is_punct(t, i - 1, ".")) || dbk_sql_is_punct(t, i + 1, ".") ||
			dbk_sql_is_punct(t, i + 1, "(") || (columns && is_column_name(columns, tok->text)))
			continue;
		if ((s = dbk_alloc(a, 2 * tok->len + 3)) == NULL)
			return nomem(err);
		s[n++] = '\'';
		for (size_t k = 1; k < tok->len; k++)
		{
			if (raw[k] == '"')
			{
				if (k + 1 < tok->len && raw[k + 1] == '"')
					k++;
				else
					break;
			}
			if (raw[k] == '\'')
				s[n++] = '\'';
			s[n++] = raw[k];
		}
		s[n++] = '\'';
		s[n] = '\0';
		dbk_free(a, tok->text);
		tok->text = s;
		tok->kind = DBK_TOK_STRING;
		tok->quoted = false;
	}
	return 0;
}

/* The normalised expression [from, to) of this table, strings folded as SQLite reads them. */
static int
expression(parser *p, size_t from, size_t to, char **out)
{
	if (apply_dqs(p->a, p->sql, &p->t, from, to, p->out, p->err) != 0)
		return -1;
	return dbk_sql_join(&p->t, from, to, out, p->err);
}

static int
add_clause(parser *p, char *text)
{
	dbk_create_table *o = p->out;

	if (text == NULL)
		return nomem(p->err);
	if (grow(p->a, (void **) &o->clauses, &o->capclauses, o->nclauses, sizeof(char *)) != 0)
	{
		dbk_free(p->a, text);
		return nomem(p->err);
	}
	o->clauses[o->nclauses++] = text;
	return 0;
}

/* Appends s (n bytes) to the growing string *buf of length *len. */
static int
append(parser *p, char **buf, size_t *len, const char *s)
{
	size_t		n = strlen(s);
	char	   *nb = dbk_resize(p->a, *buf, *buf ? *len + 1 : 0, *len + n + 1);

	if (nb == NULL)
		return nomem(p->err);
	memcpy(nb + *len, s, n + 1);
	*buf = nb;
	*len += n;
	return 0;
}

/* One key of a PRIMARY KEY or UNIQUE list, [from, to). */
typedef struct key
{
	char	   *name;
	char	   *collate;		/* explicit, canonical; NULL for none or BINARY */
	bool		explicit_collate;
	bool		desc;
	bool		autoincrement;
} key;

static int
read_key(parser *p, size_t from, size_t to, bool last, key *k)
{
	size_t		i = from + 1;

	memset(k, 0, sizeof(*k));
	if (from >= to)
		return unexpected(p, from, "a key of a PRIMARY KEY or UNIQUE constraint");
	if (name_of(p, from, &k->name) != 0)
		return -1;
	while (i < to)
	{
		if (kw(p, i, "collate") && i + 1 < to)
		{
			dbk_free(p->a, k->collate);
			if (collation_of(p, i + 1, &k->collate) != 0)
				return -1;
			k->explicit_collate = true;
			i += 2;
		}
		else if (kw(p, i, "asc") || kw(p, i, "desc"))
			k->desc = kw(p, i++, "desc");
		else if (last && kw(p, i, "autoincrement"))
		{
			k->autoincrement = true;
			i++;
		}
		else
			return unexpected(p, i, "a key of a PRIMARY KEY or UNIQUE constraint");
	}
	return 0;
}

/* The effective collation of a key: its own, else its column's. */
static const char *
key_collation(const parser *p, const key *k)
{
	const dbk_ct_column *c;

	if (k->explicit_collate)
		return k->collate;
	c = dbk_create_table_column(p->out, k->name);
	return c ? c->collate : NULL;
}

static int
set_pk(parser *p, key *keys, size_t n, bool on_column)
{
	dbk_create_table *o = p->out;

	if (o->npk > 0)
		return dbk_fail(p->err, DBK_E_INTERNAL, "cannot read a CREATE TABLE statement: it has more than one primary key");
	for (size_t k = 0; k < n; k++)
	{
		const char *coll = key_collation(p, &keys[k]);

		if (grow(p->a, (void **) &o->pk, &o->cappk, o->npk, sizeof(dbk_ct_key)) != 0)
			return nomem(p->err);
		o->pk[o->npk].name = keys[k].name;
		o->pk[o->npk].desc = keys[k].desc;
		o->pk[o->npk].collate = NULL;
		keys[k].name = NULL;
		o->npk++;
		if (coll && (o->pk[o->npk - 1].collate = dup(p->a, coll)) == NULL)
			return nomem(p->err);
		o->autoincrement = o->autoincrement || keys[k].autoincrement;
	}
	o->pk_on_column_desc = on_column && n == 1 && keys[0].desc;
	return 0;
}

/* "unique(k[ collate c][ desc], ...)[ on conflict r]" */
static int
add_unique(parser *p, const key *keys, size_t n, const char *conflict)
{
	char	   *s = NULL;
	size_t		len = 0;

	if (append(p, &s, &len, "unique(") != 0)
		return -1;
	for (size_t k = 0; k < n; k++)
	{
		const char *coll = key_collation(p, &keys[k]);

		if ((k && append(p, &s, &len, ", ") != 0) || append(p, &s, &len, keys[k].name) != 0 ||
			(coll && (append(p, &s, &len, " collate ") != 0 || append(p, &s, &len, coll) != 0)) ||
			(keys[k].desc && append(p, &s, &len, " desc") != 0))
			goto fail;
	}
	if (append(p, &s, &len, ")") != 0 ||
		(conflict && (append(p, &s, &len, " on conflict ") != 0 ||
					  append(p, &s, &len, conflict) != 0)))
		goto fail;
	return add_clause(p, s);
fail:
	dbk_free(p->a, s);
	return -1;
}

static void
free_keys(parser *p, key *keys, size_t n)
{
	for (size_t k = 0; k < n; k++)
	{
		dbk_free(p->a, keys[k].name);
		dbk_free(p->a, keys[k].collate);
	}
	dbk_free(p->a, keys);
}

/* "( key, ... )" opening at *i, before `to`; *i moves past it. */
static int
read_keys(parser *p, size_t *i, size_t to, key **out, size_t *n)
{
	size_t		end = pu(p, *i, "(") ? group_end(p, *i) : 0,
				cap = 0,
				start;

	*out = NULL;
	*n = 0;
	if (end == 0 || end > to)
		return unexpected(p, *i, "the keys of a PRIMARY KEY or UNIQUE constraint");
	start = *i + 1;
	for (size_t j = *i + 1; j < end; j++)
	{
		if (pu(p, j, "("))
			return unexpected(p, j, "the keys of a PRIMARY KEY or UNIQUE constraint");
		if (pu(p, j, ",") || j == end - 1)
		{
			if (grow(p->a, (void **) out, &cap, *n, sizeof(key)) != 0)
				return nomem(p->err);
			if (read_key(p, start, j, j == end - 1, &(*out)[(*n)++]) != 0)
				return -1;
			start = j + 1;
		}
	}
	*i = end;
	return 0;
}

/* "a, b" from the names of "( a, b )" opening at *i; *i moves past it. */
static int
name_list(parser *p, size_t *i, size_t to, char **out)
{
	size_t		end = pu(p, *i, "(") ? group_end(p, *i) : 0,
				len = 0;
	char	   *buf = NULL;		/* the caller owns it only on success */
	int			rc = -1;

	*out = NULL;
	if (end == 0 || end > to)
		return unexpected(p, *i, "a column list");
	for (size_t j = *i + 1; j + 1 < end; j++)
	{
		char	   *name;
		int			failed;

		if ((j > *i + 1 && (!pu(p, j, ",") || ++j + 1 >= end)))
		{
			unexpected(p, j, "a column list");
			goto done;
		}
		if (name_of(p, j, &name) != 0)
			goto done;
		failed = (len && append(p, &buf, &len, ", ") != 0) || append(p, &buf, &len, name) != 0;
		dbk_free(p->a, name);
		if (failed)
			goto done;
	}
	if (buf == NULL)
	{
		unexpected(p, *i + 1, "a column list");
		goto done;
	}
	*i = end;
	*out = buf;
	buf = NULL;
	rc = 0;
done:
	dbk_free(p->a, buf);
	return rc;
}

/* "[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]" at *i, if there. */
static int
defer_clause(parser *p, size_t *i, size_t to, bool *found, bool *deferred)
{
	bool		not = kw(p, *i, "not");

	*found = false;
	if (*i >= to || !kw(p, *i + (not ? 1 : 0), "deferrable"))
		return 0;
	*found = true;
	*i += not ? 2 : 1;
	*deferred = false;
	if (*i < to && kw(p, *i, "initially"))
	{
		if (kw(p, *i + 1, "deferred"))
			*deferred = !not;
		else if (!kw(p, *i + 1, "immediate"))
			return unexpected(p, *i + 1, "a DEFERRABLE clause");
		*i += 2;
	}
	return 0;
}

/* "REFERENCES nm [(cols)] refargs" at *i (on REFERENCES); from: the child's columns. */
static int
references(parser *p, size_t *i, size_t to, char *from)
{
	fkey	   *fk;

	if (grow(p->a, (void **) &p->fks, &p->capfks, p->nfks, sizeof(fkey)) != 0)
	{
		dbk_free(p->a, from);
		return nomem(p->err);
	}
	fk = &p->fks[p->nfks++];
	memset(fk, 0, sizeof(*fk));
	fk->from = from;
	fk->on_update = fk->on_delete = "no action";
	if (++*i >= to)
		return unexpected(p, *i, "a REFERENCES clause");
	if (name_of(p, (*i)++, &fk->parent) != 0)
		return -1;
	if (*i < to && pu(p, *i, "(") && name_list(p, i, to, &fk->to) != 0)
		return -1;
	while (*i < to)
	{
		const char **action = NULL;

		if (kw(p, *i, "match") && *i + 1 < to)
		{
			*i += 2;			/* parsed and ignored by SQLite */
			continue;
		}
		if (!kw(p, *i, "on"))
			break;
		if (kw(p, *i + 1, "delete"))
			action = &fk->on_delete;
		else if (kw(p, *i + 1, "update"))
			action = &fk->on_update;
		else if (!kw(p, *i + 1, "insert"))
			break;				/* ON CONFLICT of a following constraint */
		*i += 2;
		if (kw(p, *i, "set") && (kw(p, *i + 1, "null") || kw(p, *i + 1, "default")))
		{
			if (action)
				*action = kw(p, *i + 1, "null") ? "set null" : "set default";
			*i += 2;
		}
		else if (kw(p, *i, "no") && kw(p, *i + 1, "action"))
		{
			if (action)
				*action = "no action";
			*i += 2;
		}
		else if (kw(p, *i, "cascade") || kw(p, *i, "restrict"))
		{
			if (action)
				*action = kw(p, *i, "cascade") ? "cascade" : "restrict";
			(*i)++;
		}
		else
			return unexpected(p, *i, "a foreign key action");
		if (*i > to)
			return unexpected(p, to, "a foreign key action");
	}
	return 0;
}

/* The column item [from, to); its name was read already into out->cols[c]. */
static int
read_column(parser *p, size_t c, size_t from, size_t to)
{
	size_t		i = from + 1;
	bool		pk = false,
				pk_desc = false,
				pk_autoinc = false,
				unique = false;
	char	   *pk_conflict = NULL,
			   *unique_conflict = NULL;
	int			rc = -1;

	/* The type: words, strings and "(n[, m])", up to the first constraint. */
	while (i < to && !kw(p, i, "constraint") && !kw(p, i, "default") && !kw(p, i, "null") &&
		   !kw(p, i, "not") && !kw(p, i, "primary") && !kw(p, i, "unique") &&
		   !kw(p, i, "check") && !kw(p, i, "references") && !kw(p, i, "collate") &&
		   !kw(p, i, "deferrable") && !(kw(p, i, "generated") && kw(p, i + 1, "always")) &&
		   !(kw(p, i, "as") && pu(p, i + 1, "(")))
	{
		if (pu(p, i, "("))
		{
			size_t		end = group_end(p, i);

			if (end == 0 || end > to)
				return unexpected(p, i, "a column's type");
			i = end;
		}
		else if (p->t.items[i].kind == DBK_TOK_WORD || p->t.items[i].kind == DBK_TOK_STRING)
			i++;
		else
			return unexpected(p, i, "a column's type");
	}
	while (i < to)
	{
		dbk_ct_column *col = &p->out->cols[c];
		bool		found,
					deferred = false;

		if (kw(p, i, "constraint") && i + 1 < to)
			i += 2;
		else if (kw(p, i, "default") && i + 1 < to)
		{
			i++;
			if (pu(p, i, "("))
			{
				size_t		end = group_end(p, i);

				if (end == 0 || end > to)
				{
					unexpected(p, i, "a DEFAULT clause");
					goto done;
				}
				i = end;
			}
			else if ((pu(p, i, "+") || pu(p, i, "-")) && i + 1 < to)
				i += 2;
			else if (p->t.items[i].kind != DBK_TOK_PUNCT)
				i++;
			else
			{
				unexpected(p, i, "a DEFAULT clause");
				goto done;
			}
		}
		else if (kw(p, i, "null"))
		{
			char	   *ignored = NULL;

			i++;
			if (onconf(p, &i, to, &ignored) != 0)
				goto done;
			dbk_free(p->a, ignored);
		}
		else if (kw(p, i, "not") && kw(p, i + 1, "null"))
		{
			i += 2;
			if (onconf(p, &i, to, &col->notnull_conflict) != 0)
				goto done;
		}
		else if (kw(p, i, "primary") && kw(p, i + 1, "key"))
		{
			i += 2;
			pk = true;
			if (kw(p, i, "asc") || kw(p, i, "desc"))
				pk_desc = kw(p, i++, "desc");
			if (onconf(p, &i, to, &pk_conflict) != 0)
				goto done;
			if (kw(p, i, "autoincrement"))
			{
				pk_autoinc = true;
				i++;
			}
		}
		else if (kw(p, i, "unique"))
		{
			i++;
			unique = true;
			if (onconf(p, &i, to, &unique_conflict) != 0)
				goto done;
		}
		else if (kw(p, i, "check") && pu(p, i + 1, "("))
		{
			size_t		end = group_end(p, i + 1);
			char	   *e;

			if (end == 0 || end > to)
			{
				unexpected(p, i + 1, "a CHECK constraint");
				goto done;
			}
			if (expression(p, i, end, &e) != 0 || add_clause(p, e) != 0)
				goto done;
			i = end;
		}
		else if (kw(p, i, "references"))
		{
			char	   *from_col = dup(p->a, col->name);

			if (from_col == NULL)
			{
				nomem(p->err);
				goto done;
			}
			if (references(p, &i, to, from_col) != 0)
				goto done;
		}
		else if (kw(p, i, "collate") && i + 1 < to)
		{
			dbk_free(p->a, col->collate);
			col->collate = NULL;
			if (collation_of(p, i + 1, &col->collate) != 0)
				goto done;
			i += 2;
		}
		else if ((kw(p, i, "generated") && kw(p, i + 1, "always") && kw(p, i + 2, "as") &&
				  pu(p, i + 3, "(")) || (kw(p, i, "as") && pu(p, i + 1, "(")))
		{
			size_t		open = kw(p, i, "as") ? i + 1 : i + 3,
						end = group_end(p, open);

			if (end == 0 || end > to)
			{
				unexpected(p, open, "a generated column");
				goto done;
			}
			dbk_free(p->a, col->generated);
			col->generated = NULL;
			if (expression(p, open + 1, end - 1, &col->generated) != 0)
				goto done;
			i = end;
			if (kw(p, i, "stored") || kw(p, i, "virtual"))
				i++;
		}
		else
		{
			if (defer_clause(p, &i, to, &found, &deferred) != 0)
				goto done;
			if (!found)
			{
				unexpected(p, i, "a column definition");
				goto done;
			}
			if (p->nfks > 0)
				p->fks[p->nfks - 1].deferred = deferred;
		}
	}
	/* Keys now, when the column's COLLATE is known wherever it was written. */
	if (pk)
	{
		key			k = {dup(p->a, p->out->cols[c].name), NULL, false, pk_desc, pk_autoinc};

		if (k.name == NULL)
		{
			nomem(p->err);
			goto done;
		}
		if (set_pk(p, &k, 1, true) != 0)
		{
			dbk_free(p->a, k.name);
			goto done;
		}
		p->out->pk_conflict = pk_conflict;
		pk_conflict = NULL;
	}
	if (unique)
	{
		key			k = {p->out->cols[c].name, NULL, false, false, false};

		if (add_unique(p, &k, 1, unique_conflict) != 0)
			goto done;
	}
	rc = 0;
done:
	dbk_free(p->a, pk_conflict);
	dbk_free(p->a, unique_conflict);
	return rc;
}

/* The table constraints of item [from, to), one or more. */
static int
read_constraints(parser *p, size_t from, size_t to)
{
	size_t		i = from;

	while (i < to)
	{
		key		   *keys = NULL;
		size_t		n = 0;
		char	   *conflict = NULL;
		int			rc = 0;

		if (kw(p, i, "constraint") && i + 1 < to)
		{
			i += 2;
			continue;
		}
		if (kw(p, i, "primary") && kw(p, i + 1, "key"))
		{
			i += 2;
			rc = read_keys(p, &i, to, &keys, &n);
			if (rc == 0)
				rc = onconf(p, &i, to, &conflict);
			if (rc == 0)
				rc = set_pk(p, keys, n, false);
			if (rc == 0)
			{
				p->out->pk_conflict = conflict;
				conflict = NULL;
			}
		}
		else if (kw(p, i, "unique"))
		{
			i++;
			rc = read_keys(p, &i, to, &keys, &n);
			if (rc == 0)
				rc = onconf(p, &i, to, &conflict);
			if (rc == 0)
				rc = add_unique(p, keys, n, conflict);
		}
		else if (kw(p, i, "check") && pu(p, i + 1, "("))
		{
			size_t		end = group_end(p, i + 1);
			char	   *e;

			if (end == 0 || end > to)
				return unexpected(p, i + 1, "a CHECK constraint");
			if (expression(p, i, end, &e) != 0 || add_clause(p, e) != 0)
				return -1;
			i = end;
			rc = onconf(p, &i, to, &conflict);	/* accepted and ignored by SQLite */
		}
		else if (kw(p, i, "foreign") && kw(p, i + 1, "key"))
		{
			char	   *cols = NULL;
			bool		found,
						deferred = false;

			i += 2;
			if (name_list(p, &i, to, &cols) != 0)
				return -1;
			if (!kw(p, i, "references"))
			{
				dbk_free(p->a, cols);
				return unexpected(p, i, "a FOREIGN KEY constraint");
			}
			if (references(p, &i, to, cols) != 0 ||
				defer_clause(p, &i, to, &found, &deferred) != 0)
				return -1;
			if (found)
				p->fks[p->nfks - 1].deferred = deferred;
		}
		else
			return unexpected(p, i, "a table constraint");
		free_keys(p, keys, n);
		dbk_free(p->a, conflict);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * The index just past "create [temp|temporary] [unique|virtual] <what> [if
 * not exists] [schema.]name", or 0 when the text does not start so.
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

static int
str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

/* The foreign keys as clauses. */
static int
fkey_clauses(parser *p)
{
	for (size_t k = 0; k < p->nfks; k++)
	{
		const fkey *fk = &p->fks[k];
		char	   *s = NULL;
		size_t		len = 0;

		if (append(p, &s, &len, "foreign key(") != 0 || append(p, &s, &len, fk->from) != 0 ||
			append(p, &s, &len, ") references ") != 0 || append(p, &s, &len, fk->parent) != 0 ||
			(fk->to && (append(p, &s, &len, "(") != 0 || append(p, &s, &len, fk->to) != 0 ||
						append(p, &s, &len, ")") != 0)) ||
			append(p, &s, &len, " on update ") != 0 || append(p, &s, &len, fk->on_update) != 0 ||
			append(p, &s, &len, " on delete ") != 0 || append(p, &s, &len, fk->on_delete) != 0 ||
			(fk->deferred && append(p, &s, &len, " deferrable initially deferred") != 0))
		{
			dbk_free(p->a, s);
			return -1;
		}
		if (add_clause(p, s) != 0)
			return -1;
	}
	return 0;
}

/* Splits [open + 1, close - 1) at top-level commas and reads each item. */
static int
read_items(parser *p, size_t open, size_t close)
{
	size_t	   *starts = NULL;
	size_t		n = 0,
				cap = 0,
				start = open + 1,
				ncolumns = 0;
	int			depth = 0,
				rc = -1;

	for (size_t i = open + 1; i < close; i++)
	{
		if (pu(p, i, "("))
			depth++;
		else if (pu(p, i, ")"))
			depth--;
		if (i == close - 1 || (depth == 0 && pu(p, i, ",")))
		{
			if (i == start || grow(p->a, (void **) &starts, &cap, n + 1, sizeof(size_t)) != 0)
			{
				if (i == start)
					unexpected(p, i, "a CREATE TABLE statement");
				else
					nomem(p->err);
				goto done;
			}
			starts[n++] = start;
			start = i + 1;
		}
	}
	starts[n] = close;
	/* Pass 1: the columns' names, which expressions and keys refer to. */
	for (size_t k = 0; k < n; k++)
	{
		size_t		from = starts[k];
		dbk_create_table *o = p->out;

		if (kw(p, from, "constraint") || kw(p, from, "primary") || kw(p, from, "unique") ||
			kw(p, from, "check") || kw(p, from, "foreign"))
			break;
		if (grow(p->a, (void **) &o->cols, &o->capcols, o->ncols, sizeof(dbk_ct_column)) != 0)
		{
			nomem(p->err);
			goto done;
		}
		memset(&o->cols[o->ncols], 0, sizeof(dbk_ct_column));
		if (name_of(p, from, &o->cols[o->ncols].name) != 0)
			goto done;
		o->ncols++;
		ncolumns++;
	}
	/* Pass 2: the columns' constraints (COLLATE first: keys inherit it), then the table's. */
	for (size_t k = 0; k < ncolumns; k++)
		for (size_t i = starts[k] + 1; i + 1 < starts[k + 1] - 1; i++)
		{
			dbk_ct_column *col = &p->out->cols[k];

			if (pu(p, i, "(") && group_end(p, i) > i)
				i = group_end(p, i) - 1;	/* a COLLATE inside an expression is the expression's */
			else if (kw(p, i, "collate"))
			{
				dbk_free(p->a, col->collate);
				col->collate = NULL;
				if (collation_of(p, i + 1, &col->collate) != 0)
					goto done;
			}
		}
	for (size_t k = 0; k < n; k++)
	{
		size_t		to = starts[k + 1] - 1;

		if (k < ncolumns ? read_column(p, k, starts[k], to) != 0 :
			read_constraints(p, starts[k], to) != 0)
			goto done;
	}
	rc = 0;
done:
	dbk_free(p->a, starts);
	return rc;
}

int
dbk_create_table_parse(const dbk_allocator *a, const char *sql, size_t len,
					   dbk_create_table *out, dbk_error *err)
{
	parser		p = {a, sql, {a, NULL, 0, 0}, out, NULL, 0, 0, err};
	size_t		open,
				close,
				i;
	int			rc = -1;

	memset(out, 0, sizeof(*out));
	out->a = a;
	if (dbk_sql_tokenize(a, sql, len, &p.t, err) != 0)
		return -1;
	open = after_name(&p.t, "table");
	if (open == 0 || !pu(&p, open, "("))
	{
		rc = 0;					/* no column list (CREATE TABLE ... AS is stored expanded) */
		goto done;
	}
	if ((close = group_end(&p, open)) == 0)
	{
		unexpected(&p, p.t.n, "a CREATE TABLE statement");
		goto done;
	}
	if (read_items(&p, open, close) != 0)
		goto done;
	for (i = close; i < p.t.n; i++)
	{
		if (kw(&p, i, "without") && kw(&p, i + 1, "rowid"))
		{
			out->without_rowid = true;
			i++;
		}
		else if (kw(&p, i, "strict"))
			out->strict = true;
		else if (!(pu(&p, i, ",") && i > close) && !pu(&p, i, ";"))
		{
			unexpected(&p, i, "a CREATE TABLE statement's options");
			goto done;
		}
	}
	if (fkey_clauses(&p) != 0)
		goto done;
	if (out->nclauses > 1)
	{
		size_t		w = 1;

		qsort(out->clauses, out->nclauses, sizeof(char *), str_cmp);
		for (size_t k = 1; k < out->nclauses; k++)
		{
			if (strcmp(out->clauses[k], out->clauses[w - 1]) == 0)
				dbk_free(a, out->clauses[k]);	/* SQLite keeps one of equal UNIQUE constraints */
			else
				out->clauses[w++] = out->clauses[k];
		}
		out->nclauses = w;
	}
	rc = 0;
done:
	for (size_t k = 0; k < p.nfks; k++)
	{
		dbk_free(a, p.fks[k].from);
		dbk_free(a, p.fks[k].parent);
		dbk_free(a, p.fks[k].to);
	}
	dbk_free(a, p.fks);
	dbk_sql_tokens_free(&p.t);
	return rc;
}

void
dbk_create_table_free(dbk_create_table *t)
{
	if (t->a == NULL)
		return;
	for (size_t i = 0; i < t->ncols; i++)
	{
		dbk_free(t->a, t->cols[i].name);
		dbk_free(t->a, t->cols[i].collate);
		dbk_free(t->a, t->cols[i].generated);
		dbk_free(t->a, t->cols[i].notnull_conflict);
	}
	for (size_t i = 0; i < t->npk; i++)
	{
		dbk_free(t->a, t->pk[i].name);
		dbk_free(t->a, t->pk[i].collate);
	}
	for (size_t i = 0; i < t->nclauses; i++)
		dbk_free(t->a, t->clauses[i]);
	dbk_free(t->a, t->cols);
	dbk_free(t->a, t->pk);
	dbk_free(t->a, t->pk_conflict);
	dbk_free(t->a, t->clauses);
	memset(t, 0, sizeof(*t));
}

const dbk_ct_column *
dbk_create_table_column(const dbk_create_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

int
dbk_ct_default(const dbk_allocator *a, const char *dflt, char **out, dbk_error *err)
{
	static const char *const keywords[] = {"null", "true", "false", "current_time",
	"current_date", "current_timestamp"};
	dbk_sql_tokens t;
	int			rc;

	*out = NULL;
	if (dbk_sql_tokenize(a, dflt, strlen(dflt), &t, err) != 0)
		return -1;
	if (t.n == 1 && t.items[0].kind == DBK_TOK_WORD)
	{
		bool		keyword = false;

		for (size_t k = 0; !t.items[0].quoted && k < sizeof(keywords) / sizeof(keywords[0]); k++)
			keyword = keyword || strcmp(t.items[0].text, keywords[k]) == 0;
		/* DEFAULT <id> is the string the word spells: unquote it, keep its case. */
		if (!keyword)
		{
			const char *raw = dflt + t.items[0].start;
			size_t		len = t.items[0].len,
						n = 0;
			char		q = t.items[0].quoted ? raw[0] : '\0';
			char	   *s = dbk_alloc(a, 2 * len + 3);

			if (s == NULL)
			{
				dbk_sql_tokens_free(&t);
				return nomem(err);
			}
			s[n++] = '\'';
			for (size_t k = q ? 1 : 0; k < len; k++)
			{
				if (q && raw[k] == (q == '[' ? ']' : q))
				{
					if (q != '[' && k + 1 < len && raw[k + 1] == q)
						k++;
					else
						break;
				}
				if (raw[k] == '\'')
					s[n++] = '\'';
				s[n++] = raw[k];
			}
			s[n++] = '\'';
			s[n] = '\0';
			dbk_sql_tokens_free(&t);
			*out = s;
			return 0;
		}
	}
	rc = apply_dqs(a, dflt, &t, 0, t.n, NULL, err);
	if (rc == 0)
		rc = dbk_sql_join(&t, 0, t.n, out, err);
	dbk_sql_tokens_free(&t);
	return rc;
}

/* Appends the normalised tokens [from, to) to *s. */
static int
append_tokens(parser *p, char **s, size_t *len, size_t from, size_t to)
{
	char	   *part;
	int			rc;

	if (dbk_sql_join(&p->t, from, to, &part, p->err) != 0)
		return -1;
	rc = append(p, s, len, part);
	dbk_free(p->a, part);
	return rc;
}

/* One index key [from, to): "<key>[ collate c][ desc]", COLLATE left out when the column's. */
static int
index_key(parser *p, size_t from, size_t to, const dbk_create_table *columns, char **s,
		  size_t *len)
{
	size_t		end = to;
	bool		desc = false;
	char	   *coll = NULL;
	int			rc;

	if (end > from && (kw(p, end - 1, "asc") || kw(p, end - 1, "desc")))
		desc = kw(p, --end, "desc");
	if (columns && end == from + 3 && kw(p, from + 1, "collate") &&
		(p->t.items[from].kind == DBK_TOK_WORD || p->t.items[from].kind == DBK_TOK_STRING))
	{
		char	   *name;
		const dbk_ct_column *c;

		if (name_of(p, from, &name) != 0)
			return -1;
		c = dbk_create_table_column(columns, name);
		dbk_free(p->a, name);
		if (c && collation_of(p, from + 2, &coll) == 0)
		{
			bool		same = (coll == NULL && c->collate == NULL) ||
				(coll && c->collate && strcmp(coll, c->collate) == 0);

			dbk_free(p->a, coll);
			if (same)
				end = from + 1;
		}
		else if (c)
			return -1;
	}
	rc = append_tokens(p, s, len, from, end);
	if (rc == 0 && desc)
		rc = append(p, s, len, " desc");
	return rc;
}

int
dbk_ct_index(const dbk_allocator *a, const char *sql, size_t len, const char *table,
			 const dbk_create_table *columns, char **out, dbk_error *err)
{
	parser		p = {a, sql, {a, NULL, 0, 0}, NULL, NULL, 0, 0, err};
	size_t		open = 0,
				close = 0,
				start,
				n = 0;
	char	   *s = NULL;
	int			rc = -1;

	*out = NULL;
	if (dbk_sql_tokenize(a, sql, len, &p.t, err) != 0)
		return -1;
	/* "... on <table> ( <keys> ) [where <e>]" */
	for (size_t i = after_name(&p.t, "index"); i > 0 && i < p.t.n; i++)
		if (pu(&p, i, "("))
		{
			open = i;
			break;
		}
	if (open == 0 || (close = group_end(&p, open)) == 0)
	{
		unexpected(&p, open ? p.t.n : 0, "a CREATE INDEX statement");
		goto done;
	}
	if (kw(&p, 1, "unique") || kw(&p, 2, "unique"))
		rc = append(&p, &s, &n, "unique ");
	else
		rc = 0;
	if (rc != 0 || append(&p, &s, &n, "on ") != 0 || append(&p, &s, &n, table) != 0 ||
		append(&p, &s, &n, "(") != 0)
		goto fail;
	start = open + 1;
	for (size_t i = open + 1, depth = 0; i < close; i++)
	{
		if (pu(&p, i, "("))
			depth++;
		else if (pu(&p, i, ")") && depth > 0)
			depth--;
		else if (i == close - 1 || (depth == 0 && pu(&p, i, ",")))
		{
			if ((start > open + 1 && append(&p, &s, &n, ", ") != 0) ||
				index_key(&p, start, i, columns, &s, &n) != 0)
				goto fail;
			start = i + 1;
		}
	}
	if (append(&p, &s, &n, ")") != 0)
		goto fail;
	if (kw(&p, close, "where") &&
		(append(&p, &s, &n, " where ") != 0 || append_tokens(&p, &s, &n, close + 1, p.t.n) != 0))
		goto fail;
	*out = s;
	s = NULL;
	rc = 0;
	goto done;
fail:
	rc = -1;
done:
	dbk_free(a, s);
	dbk_sql_tokens_free(&p.t);
	return rc;
}

int
dbk_ct_text(const dbk_allocator *a, const char *sql, size_t len, const char *what, char **out,
			dbk_error *err)
{
	dbk_sql_tokens t;
	size_t		from;
	int			rc;

	if (dbk_sql_tokenize(a, sql, len, &t, err) != 0)
		return -1;
	from = after_name(&t, what);
	if (strcmp(what, "trigger") == 0)
	{
		/* SQLite's triggers are all FOR EACH ROW: written or not, the same. */
		for (size_t i = from; i + 2 < t.n && !dbk_sql_is_keyword(&t, i, "begin"); i++)
			if (dbk_sql_is_keyword(&t, i, "for") && dbk_sql_is_keyword(&t, i + 1, "each") &&
				dbk_sql_is_keyword(&t, i + 2, "row"))
			{
				for (size_t k = i; k < i + 3; k++)
					dbk_free(a, t.items[k].text);
				memmove(&t.items[i], &t.items[i + 3], (t.n - i - 3) * sizeof(t.items[0]));
				t.n -= 3;
				break;
			}
	}
	rc = dbk_sql_join(&t, from, t.n, out, err);
	dbk_sql_tokens_free(&t);
	return rc;
}
