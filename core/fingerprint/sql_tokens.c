/*
 * sql_tokens.c — SQLite's SQL text as normalised tokens; see sql_tokens.h.
 *
 * The character classes follow SQLite's own tokenizer (tokenize.c in the
 * SQLite sources: identifier characters include '$' after the first and every
 * byte >= 0x80; "--" and C-style comments; '' doubling in strings, "" and ``
 * doubling in quoted identifiers, [...] without escapes).
 */
#include "sql_tokens.h"

#include <string.h>

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_id_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool
is_id_char(unsigned char c)
{
	return is_id_start(c) || is_digit(c) || c == '$';
}

static char
fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

static int
push(dbk_sql_tokens *t, dbk_sql_token_kind kind, bool quoted, char *text, dbk_error *err)
{
	dbk_sql_token *items;

	if (text == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory tokenizing SQL text");
	items = dbk_grow(t->a, t->items, t->n, &t->cap, sizeof(*items), 32);
	if (items == NULL)
	{
		dbk_free(t->a, text);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory tokenizing SQL text");
	}
	t->items = items;
	t->items[t->n++] = (dbk_sql_token) {.kind = kind, .quoted = quoted, .text = text};
	return 0;
}

static char *
copy_span(const dbk_allocator *a, const char *s, size_t len, bool folded)
{
	char	   *p = dbk_alloc(a, len + 1);

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = folded ? fold(s[i]) : s[i];
	p[len] = '\0';
	return p;
}

/* True when a folded name can be written without quotes. */
static bool
plain_name(const char *s, size_t len)
{
	if (len == 0 || !is_id_start((unsigned char) s[0]) || (s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_id_char((unsigned char) s[i]))
			return false;
	return true;
}

/*
 * A quoted identifier from s[0] (the opening quote) to its end; *used gets
 * the bytes consumed.  The name is unescaped, folded, and re-quoted with ""
 * only when it is not a plain name.
 */
static char *
quoted_name(const dbk_allocator *a, const char *s, size_t len, size_t *used)
{
	char		close = s[0] == '[' ? ']' : s[0];
	bool		doubling = s[0] != '[';
	char	   *name = dbk_alloc(a, len + 1);
	char	   *out;
	size_t		n = 0,
				i = 1,
				q = 0;

	if (name == NULL)
		return NULL;
	while (i < len)
	{
		if (s[i] == close)
		{
			if (doubling && i + 1 < len && s[i + 1] == close)
			{
				name[n++] = fold(s[i]);
				i += 2;
				continue;
			}
			i++;
			break;
		}
		name[n++] = fold(s[i++]);
	}
	*used = i;
	if (plain_name(name, n))
	{
		name[n] = '\0';
		return name;
	}
	out = dbk_alloc(a, 2 * n + 3);
	if (out != NULL)
	{
		out[q++] = '"';
		for (size_t k = 0; k < n; k++)
		{
			if (name[k] == '"')
				out[q++] = '"';
			out[q++] = name[k];
		}
		out[q++] = '"';
		out[q] = '\0';
	}
	dbk_free(a, name);
	return out;
}

/* Length of a string literal starting at s[0] == '\'', quotes included. */
static size_t
string_length(const char *s, size_t len)
{
	size_t		i = 1;

	while (i < len)
	{
		if (s[i] == '\'')
		{
			if (i + 1 < len && s[i + 1] == '\'')
			{
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

static size_t
number_length(const char *s, size_t len)
{
	size_t		i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
	{
		i = 2;
		while (i < len && (is_digit((unsigned char) s[i]) || (fold(s[i]) >= 'a' && fold(s[i]) <= 'f')))
			i++;
		return i;
	}
	while (i < len && (is_digit((unsigned char) s[i]) || s[i] == '_'))
		i++;
	if (i < len && s[i] == '.')
	{
		i++;
		while (i < len && (is_digit((unsigned char) s[i]) || s[i] == '_'))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E') &&
		((i + 1 < len && is_digit((unsigned char) s[i + 1])) ||
		 (i + 2 < len && (s[i + 1] == '+' || s[i + 1] == '-') && is_digit((unsigned char) s[i + 2]))))
	{
		i += 2;
		while (i < len && is_digit((unsigned char) s[i]))
			i++;
	}
	return i;
}

/* Operators of two or three characters, longest first; == and <> fold to = and !=. */
static const struct
{
	const char *op;
	const char *as;
}			operators[] =
{
	{"->>", "->>"}, {"||", "||"}, {"<=", "<="}, {">=", ">="}, {"<>", "!="}, {"!=", "!="},
	{"==", "="}, {"<<", "<<"}, {">>", ">>"}, {"->", "->"},
};

static int
punct(const dbk_allocator *a, const char *s, size_t len, size_t *used, char **text)
{
	for (size_t k = 0; k < sizeof(operators) / sizeof(operators[0]); k++)
	{
		size_t		n = strlen(operators[k].op);

		if (n <= len && memcmp(s, operators[k].op, n) == 0)
		{
			*used = n;
			*text = copy_span(a, operators[k].as, strlen(operators[k].as), false);
			return 0;
		}
	}
	*used = 1;
	*text = copy_span(a, s, 1, false);
	return 0;
}

int
dbk_sql_tokenize(const dbk_allocator *a, const char *sql, size_t len, dbk_sql_tokens *out,
				 dbk_error *err)
{
	size_t		i = 0;

	out->a = a;
	out->items = NULL;
	out->n = out->cap = 0;
	while (i < len)
	{
		unsigned char c = (unsigned char) sql[i];
		const char *s = sql + i;
		size_t		rest = len - i,
					used = 0;
		char	   *text = NULL;
		dbk_sql_token_kind kind;
		bool		quoted = false;

		if (is_space(c))
		{
			i++;
			continue;
		}
		if (c == '-' && rest > 1 && s[1] == '-')
		{
			while (i < len && sql[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && rest > 1 && s[1] == '*')
		{
			const char *end = NULL;

			for (size_t k = 2; k + 1 < rest; k++)
				if (s[k] == '*' && s[k + 1] == '/')
				{
					end = s + k + 2;
					break;
				}
			i = end ? (size_t) (end - sql) : len;
			continue;
		}
		if (c == '\'')
		{
			used = string_length(s, rest);
			kind = DBK_TOK_STRING;
			text = copy_span(a, s, used, false);
		}
		else if ((c == 'x' || c == 'X') && rest > 1 && s[1] == '\'')
		{
			used = 1 + string_length(s + 1, rest - 1);
			kind = DBK_TOK_BLOB;
			text = copy_span(a, s, used, true);	/* x'AB' is x'ab' */
		}
		else if (c == '"' || c == '`' || c == '[')
		{
			kind = DBK_TOK_WORD;
			quoted = true;
			text = quoted_name(a, s, rest, &used);
		}
		else if (is_id_start(c))
		{
			while (used < rest && is_id_char((unsigned char) s[used]))
				used++;
			kind = DBK_TOK_WORD;
			text = copy_span(a, s, used, true);
		}
		else if (is_digit(c) || (c == '.' && rest > 1 && is_digit((unsigned char) s[1])))
		{
			used = number_length(s, rest);
			kind = DBK_TOK_NUMBER;
			text = copy_span(a, s, used, true);	/* 0XAB is 0xab, 1E5 is 1e5 */
		}
		else if (c == '?' || ((c == ':' || c == '@' || c == '$') && rest > 1 &&
							  is_id_char((unsigned char) s[1])))
		{
			used = 1;
			while (used < rest && (is_id_char((unsigned char) s[used]) || (c == '?' && is_digit((unsigned char) s[used]))))
				used++;
			kind = DBK_TOK_VARIABLE;
			text = copy_span(a, s, used, false);
		}
		else
		{
			kind = DBK_TOK_PUNCT;
			punct(a, s, rest, &used, &text);
		}
		if (push(out, kind, quoted, text, err) != 0)
		{
			dbk_sql_tokens_free(out);
			return -1;
		}
		out->items[out->n - 1].start = i;
		out->items[out->n - 1].len = used;
		i += used;
	}
	return 0;
}

void
dbk_sql_tokens_free(dbk_sql_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		dbk_free(t->a, t->items[i].text);
	dbk_free(t->a, t->items);
	t->items = NULL;
	t->n = t->cap = 0;
}

bool
dbk_sql_is_keyword(const dbk_sql_tokens *t, size_t i, const char *kw)
{
	return i < t->n && t->items[i].kind == DBK_TOK_WORD && !t->items[i].quoted &&
		strcmp(t->items[i].text, kw) == 0;
}

bool
dbk_sql_is_punct(const dbk_sql_tokens *t, size_t i, const char *p)
{
	return i < t->n && t->items[i].kind == DBK_TOK_PUNCT && strcmp(t->items[i].text, p) == 0;
}

size_t
dbk_sql_group_end(const dbk_sql_tokens *t, size_t i)
{
	int			depth = 0;

	for (; i < t->n; i++)
	{
		if (dbk_sql_is_punct(t, i, "("))
			depth++;
		else if (dbk_sql_is_punct(t, i, ")") && --depth == 0)
			return i + 1;
	}
	return t->n;
}

static bool
punct_is(const dbk_sql_token *tok, const char *set)
{
	return tok->kind == DBK_TOK_PUNCT && tok->text[1] == '\0' && strchr(set, tok->text[0]);
}

/*
 * Whether one space separates two tokens: not after "(" or ".", not before
 * ")", ",", "." or ";", and not between a word and "(" (a call or a name
 * with its column list).
 */
static bool
spaced(const dbk_sql_token *prev, const dbk_sql_token *cur)
{
	if (punct_is(prev, "(.") || punct_is(cur, "),.;"))
		return false;
	if (punct_is(cur, "(") && prev->kind == DBK_TOK_WORD)
		return false;
	return true;
}

int
dbk_sql_join(const dbk_sql_tokens *t, size_t from, size_t to, char **out, dbk_error *err)
{
	size_t		total = 1,
				n = 0;
	char	   *buf;

	if (to > t->n)
		to = t->n;
	for (size_t i = from; i < to; i++)
		total += strlen(t->items[i].text) + 1;
	buf = dbk_alloc(t->a, total);
	if (buf == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory normalising SQL text");
	for (size_t i = from; i < to; i++)
	{
		size_t		len = strlen(t->items[i].text);

		if (i > from && spaced(&t->items[i - 1], &t->items[i]))
			buf[n++] = ' ';
		memcpy(buf + n, t->items[i].text, len);
		n += len;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int
dbk_sql_normalize(const dbk_allocator *a, const char *sql, size_t len, char **out, dbk_error *err)
{
	dbk_sql_tokens t;
	int			rc;

	if (dbk_sql_tokenize(a, sql, len, &t, err) != 0)
		return -1;
	rc = dbk_sql_join(&t, 0, t.n, out, err);
	dbk_sql_tokens_free(&t);
	return rc;
}

int
dbk_sql_ident(const dbk_allocator *a, const char *raw, char **out, dbk_error *err)
{
	size_t		len = strlen(raw),
				n = 0,
				used;
	char	   *quoted = dbk_alloc(a, 2 * len + 3);

	if (quoted == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory normalising an identifier");
	quoted[n++] = '"';
	for (size_t i = 0; i < len; i++)
	{
		if (raw[i] == '"')
			quoted[n++] = '"';
		quoted[n++] = raw[i];
	}
	quoted[n++] = '"';
	*out = quoted_name(a, quoted, n, &used);
	dbk_free(a, quoted);
	return *out ? 0 : dbk_fail(err, DBK_E_NOMEM, "out of memory normalising an identifier");
}
