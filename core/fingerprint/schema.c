/*
 * schema.c — the canonical schema description: rows, order, text form,
 * fingerprint and parsing; see schema.h.
 */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dbk_schema_init(dbk_schema *s, const dbk_allocator *a, const char *format)
{
	s->a = a;
	s->format = format;
	s->rows = NULL;
	s->n = s->cap = 0;
}

void
dbk_schema_free(dbk_schema *s)
{
	for (size_t i = 0; i < s->n; i++)
	{
		dbk_free(s->a, s->rows[i].kind);
		dbk_free(s->a, s->rows[i].name);
		dbk_free(s->a, s->rows[i].definition);
	}
	dbk_free(s->a, s->rows);
	s->rows = NULL;
	s->n = s->cap = 0;
}

int
dbk_schema_add_owned(dbk_schema *s, char *kind, char *name, char *definition, dbk_error *err)
{
	dbk_schema_row *rows;

	if (kind == NULL || name == NULL || definition == NULL)
		goto nomem;
	rows = dbk_grow(s->a, s->rows, s->n, &s->cap, sizeof(*rows), 64);
	if (rows == NULL)
		goto nomem;
	s->rows = rows;
	s->rows[s->n++] = (dbk_schema_row) {.kind = kind, .name = name, .definition = definition};
	return 0;
nomem:
	dbk_free(s->a, kind);
	dbk_free(s->a, name);
	dbk_free(s->a, definition);
	return dbk_fail(err, DBK_E_NOMEM, "out of memory describing the schema");
}

int
dbk_schema_add(dbk_schema *s, const char *kind, const char *name, const char *definition,
			   dbk_error *err)
{
	if (definition == NULL)
		definition = "";
	return dbk_schema_add_owned(s, dbk_strndup(s->a, kind, strlen(kind)),
								dbk_strndup(s->a, name, strlen(name)),
								dbk_strndup(s->a, definition, strlen(definition)), err);
}

static int
row_cmp(const void *x, const void *y)
{
	const dbk_schema_row *a = x;
	const dbk_schema_row *b = y;
	int			c = strcmp(a->kind, b->kind);

	if (c == 0)
		c = strcmp(a->name, b->name);
	if (c == 0)
		c = strcmp(a->definition, b->definition);
	return c;
}

void
dbk_schema_sort(dbk_schema *s)
{
	if (s->n > 1)
		qsort(s->rows, s->n, sizeof(*s->rows), row_cmp);
}

/* Bytes field takes once escaped. */
static size_t
escaped_len(const char *f)
{
	size_t		n = 0;

	for (; *f; f++)
		n += (*f == '\\' || *f == '\t' || *f == '\n' || *f == '\r') ? 2 : 1;
	return n;
}

static size_t
put_escaped(char *out, const char *f)
{
	size_t		n = 0;

	for (; *f; f++)
	{
		char		e = *f == '\\' ? '\\' : *f == '\t' ? 't' : *f == '\n' ? 'n' : *f == '\r' ? 'r' : 0;

		if (e)
		{
			out[n++] = '\\';
			out[n++] = e;
		}
		else
			out[n++] = *f;
	}
	return n;
}

int
dbk_schema_text(const dbk_schema *s, char **out, size_t *len, dbk_error *err)
{
	char		first[64];
	size_t		total,
				n = 0;
	char	   *buf;

	snprintf(first, sizeof(first), "dbkeeper-schema %s", s->format);
	total = strlen(first) + 2;

	for (size_t i = 0; i < s->n; i++)
		total += escaped_len(s->rows[i].kind) + escaped_len(s->rows[i].name) +
			escaped_len(s->rows[i].definition) + 3;
	buf = dbk_alloc(s->a, total);
	if (buf == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory describing the schema");
	n = strlen(first);
	memcpy(buf, first, n);
	buf[n++] = '\n';
	for (size_t i = 0; i < s->n; i++)
	{
		n += put_escaped(buf + n, s->rows[i].kind);
		buf[n++] = '\t';
		n += put_escaped(buf + n, s->rows[i].name);
		buf[n++] = '\t';
		n += put_escaped(buf + n, s->rows[i].definition);
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * The text form given to the digest a chunk at a time, as dbk_schema_text
 * writes it, so that a large description is never held twice (at 40,000
 * rows the text is megabytes, which a backend gets fresh from the kernel
 * page by page at every call).
 */
typedef struct digest_out
{
	dbk_sha256	h;
	size_t		n;
	char		buf[65536];
} digest_out;

static void
digest_flush(digest_out *o)
{
	dbk_sha256_update(&o->h, o->buf, o->n);
	o->n = 0;
}

/* Appends a field, escaped as put_escaped does. */
static void
digest_escaped(digest_out *o, const char *f)
{
	for (; *f; f++)
	{
		char		e = *f == '\\' ? '\\' : *f == '\t' ? 't' : *f == '\n' ? 'n' : *f == '\r' ? 'r' : 0;

		if (o->n + 2 > sizeof(o->buf))
			digest_flush(o);
		if (e)
		{
			o->buf[o->n++] = '\\';
			o->buf[o->n++] = e;
		}
		else
			o->buf[o->n++] = *f;
	}
}

static void
digest_char(digest_out *o, char c)
{
	if (o->n == sizeof(o->buf))
		digest_flush(o);
	o->buf[o->n++] = c;
}

int
dbk_schema_fingerprint(const dbk_schema *s, char hex[DBK_SHA256_HEX_LEN + 1], dbk_error *err)
{
	digest_out *o = dbk_alloc(s->a, sizeof(*o));

	if (o == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory describing the schema");
	if (dbk_sha256_init(&o->h, err) != 0)
	{
		dbk_free(s->a, o);
		return -1;
	}
	o->n = (size_t) snprintf(o->buf, sizeof(o->buf), "dbkeeper-schema %s\n", s->format);
	for (size_t i = 0; i < s->n; i++)
	{
		digest_escaped(o, s->rows[i].kind);
		digest_char(o, '\t');
		digest_escaped(o, s->rows[i].name);
		digest_char(o, '\t');
		digest_escaped(o, s->rows[i].definition);
		digest_char(o, '\n');
	}
	digest_flush(o);
	dbk_sha256_final_hex(&o->h, hex);
	dbk_free(s->a, o);
	return 0;
}

/* Unescapes field [p, end) into a new string; NULL with *bad set when malformed. */
static char *
unescape(const dbk_allocator *a, const char *p, const char *end, bool *bad)
{
	char	   *out = dbk_alloc(a, (size_t) (end - p) + 1);
	size_t		n = 0;

	if (out == NULL)
		return NULL;
	while (p < end)
	{
		if (*p == '\\')
		{
			char		c = p + 1 < end ? p[1] : 0;

			if (c != '\\' && c != 't' && c != 'n' && c != 'r')
			{
				*bad = true;
				dbk_free(a, out);
				return NULL;
			}
			out[n++] = c == '\\' ? '\\' : c == 't' ? '\t' : c == 'n' ? '\n' : '\r';
			p += 2;
		}
		else
			out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}

int
dbk_schema_parse(dbk_schema *s, const char *text, size_t len, const char *what, dbk_error *err)
{
	const char *p = text,
			   *end = text + len,
			   *nl = memchr(text, '\n', len);
	size_t		prefix = strlen("dbkeeper-schema ");
	size_t		flen = strlen(s->format);
	int			line = 1;

	if (nl == NULL || (size_t) (nl - p) < prefix || memcmp(p, "dbkeeper-schema ", prefix) != 0)
		return dbk_fail(err, DBK_E_CORRUPT, "%s: the recorded schema does not start with \"dbkeeper-schema\"",
						what);
	if ((size_t) (nl - p) != prefix + flen || memcmp(p + prefix, s->format, flen) != 0)
	{
		dbk_fail(err, DBK_E_INVALID,
				 "%s: the recorded schema is in canonical form %.*s, this dbkeeper describes schemas in form %s",
				 what, (int) (nl - p - prefix), p + prefix, s->format);
		dbk_error_detail(err, "Descriptions in different canonical forms cannot be compared row by row.");
		dbk_error_hint(err, "Compare with a backup taken by this version of dbkeeper, or with the dbkeeper that wrote this one.");
		return -1;
	}
	p = nl + 1;
	while (p < end)
	{
		const char *eol = memchr(p, '\n', (size_t) (end - p));
		const char *t1,
				   *t2;
		bool		bad = false;
		char	   *kind,
				   *name,
				   *def;

		line++;
		if (eol == NULL)
			eol = end;
		t1 = memchr(p, '\t', (size_t) (eol - p));
		t2 = t1 ? memchr(t1 + 1, '\t', (size_t) (eol - t1 - 1)) : NULL;
		if (t2 == NULL || memchr(t2 + 1, '\t', (size_t) (eol - t2 - 1)) != NULL)
			return dbk_fail(err, DBK_E_CORRUPT, "%s: line %d of the recorded schema is not kind, name and definition",
							what, line);
		kind = unescape(s->a, p, t1, &bad);
		name = bad ? NULL : unescape(s->a, t1 + 1, t2, &bad);
		def = bad ? NULL : unescape(s->a, t2 + 1, eol, &bad);
		if (bad)
		{
			dbk_free(s->a, kind);
			dbk_free(s->a, name);
			return dbk_fail(err, DBK_E_CORRUPT, "%s: line %d of the recorded schema has a bad escape",
							what, line);
		}
		if (dbk_schema_add_owned(s, kind, name, def, err) != 0)
			return -1;
		p = eol + 1;
	}
	dbk_schema_sort(s);
	return 0;
}

bool
dbk_schema_is_fingerprint(const char *s)
{
	size_t		i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			  (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return i == DBK_SHA256_HEX_LEN;
}
