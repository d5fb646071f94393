/*
 * metadata.c — key=value records; see metadata.h for the encoding.
 */
#include "metadata.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
dbk_meta_init(dbk_meta *m, const dbk_allocator *a)
{
	m->a = a;
	m->items = NULL;
	m->n = 0;
	m->cap = 0;
}

void
dbk_meta_free(dbk_meta *m)
{
	for (size_t i = 0; i < m->n; i++)
	{
		dbk_free(m->a, m->items[i].key);
		dbk_free(m->a, m->items[i].value);
	}
	dbk_free(m->a, m->items);
	m->items = NULL;
	m->n = m->cap = 0;
}

static bool
key_is_valid(const char *key, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int
set_bytes(dbk_meta *m, const char *key, size_t keylen, const char *value,
		  size_t valuelen, dbk_error *err)
{
	char	   *v;
	dbk_meta_entry *items;

	if (!key_is_valid(key, keylen))
		return dbk_fail(err, DBK_E_INTERNAL, "invalid metadata key \"%.*s\"", (int) keylen, key);
	if (memchr(value, '\0', valuelen) != NULL)
		return dbk_fail(err, DBK_E_INVALID, "metadata value for \"%.*s\" contains a NUL byte",
						(int) keylen, key);
	v = dbk_strndup(m->a, value, valuelen);
	if (v == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	for (size_t i = 0; i < m->n; i++)
	{
		if (strlen(m->items[i].key) == keylen && memcmp(m->items[i].key, key, keylen) == 0)
		{
			dbk_free(m->a, m->items[i].value);
			m->items[i].value = v;
			return 0;
		}
	}
	items = dbk_grow(m->a, m->items, m->n, &m->cap, sizeof(*items), 16);
	if (items == NULL)
	{
		dbk_free(m->a, v);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	}
	m->items = items;
	m->items[m->n].key = dbk_strndup(m->a, key, keylen);
	if (m->items[m->n].key == NULL)
	{
		dbk_free(m->a, v);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	}
	m->items[m->n].value = v;
	m->n++;
	return 0;
}

int
dbk_meta_set(dbk_meta *m, const char *key, const char *value, dbk_error *err)
{
	return set_bytes(m, key, strlen(key), value, strlen(value), err);
}

int
dbk_meta_set_u64(dbk_meta *m, const char *key, uint64_t value, dbk_error *err)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return dbk_meta_set(m, key, buf, err);
}

int
dbk_meta_merge(dbk_meta *m, const dbk_meta *src, dbk_error *err)
{
	for (size_t i = 0; i < src->n; i++)
		if (dbk_meta_set(m, src->items[i].key, src->items[i].value, err) != 0)
			return -1;
	return 0;
}

const char *
dbk_meta_get(const dbk_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return m->items[i].value;
	return NULL;
}

bool
dbk_meta_get_u64(const dbk_meta *m, const char *key, uint64_t *out)
{
	const char *v = dbk_meta_get(m, key);
	uint64_t	x = 0;

	if (v == NULL || *v == '\0' || strlen(v) > 20)
		return false;
	for (const char *p = v; *p; p++)
	{
		if (*p < '0' || *p > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t) (*p - '0');
	}
	*out = x;
	return true;
}

static size_t
escaped_len(const char *s)
{
	size_t		n = 0;

	for (; *s; s++)
		n += (*s == '\\' || *s == '\n' || *s == '\r') ? 2 : 1;
	return n;
}

int
dbk_meta_encode(const dbk_meta *m, const char *first_line, char **out,
				size_t *len, dbk_error *err)
{
	size_t		total = strlen(first_line) + 1;
	char	   *buf,
			   *p;

	for (size_t i = 0; i < m->n; i++)
		total += strlen(m->items[i].key) + 1 + escaped_len(m->items[i].value) + 1;
	buf = dbk_alloc(m->a, total + 1);
	if (buf == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	p = buf;
	p += sprintf(p, "%s\n", first_line);
	for (size_t i = 0; i < m->n; i++)
	{
		p += sprintf(p, "%s=", m->items[i].key);
		for (const char *s = m->items[i].value; *s; s++)
		{
			if (*s == '\\')
				*p++ = '\\', *p++ = '\\';
			else if (*s == '\n')
				*p++ = '\\', *p++ = 'n';
			else if (*s == '\r')
				*p++ = '\\', *p++ = 'r';
			else
				*p++ = *s;
		}
		*p++ = '\n';
	}
	*out = buf;
	*len = (size_t) (p - buf);
	return 0;
}

/* Unescapes value[0..len) into a new string; NULL on a bad escape. */
static char *
unescape(const dbk_allocator *a, const char *value, size_t len, bool *bad)
{
	char	   *out = dbk_alloc(a, len + 1),
			   *q = out;

	*bad = false;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
	{
		char		c = value[i];

		if (c == '\0' || c == '\r')
			*bad = true;
		else if (c != '\\')
			*q++ = c;
		else if (i + 1 < len && value[i + 1] == '\\')
			*q++ = '\\', i++;
		else if (i + 1 < len && value[i + 1] == 'n')
			*q++ = '\n', i++;
		else if (i + 1 < len && value[i + 1] == 'r')
			*q++ = '\r', i++;
		else
			*bad = true;
	}
	*q = '\0';
	if (*bad)
	{
		dbk_free(a, out);
		return NULL;
	}
	return out;
}

int
dbk_meta_decode(dbk_meta *m, const char *buf, size_t len, const char *first_line,
				dbk_error *err)
{
	size_t		flen = strlen(first_line);
	size_t		pos;

	if (len < flen + 1 || memcmp(buf, first_line, flen) != 0 || buf[flen] != '\n')
		return dbk_fail(err, DBK_E_CORRUPT, "metadata record does not start with \"%s\"", first_line);
	pos = flen + 1;
	while (pos < len)
	{
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		const char *eq;
		char	   *value;
		bool		bad;
		int			rc;

		if (nl == NULL)
			return dbk_fail(err, DBK_E_CORRUPT, "metadata record \"%s\" ends in the middle of a line", first_line);
		eq = memchr(line, '=', (size_t) (nl - line));
		if (eq == NULL || !key_is_valid(line, (size_t) (eq - line)))
			return dbk_fail(err, DBK_E_CORRUPT, "metadata record \"%s\" has a malformed line", first_line);
		value = unescape(m->a, eq + 1, (size_t) (nl - eq - 1), &bad);
		if (value == NULL)
			return bad ? dbk_fail(err, DBK_E_CORRUPT, "metadata record \"%s\" has a malformed value", first_line)
				: dbk_fail(err, DBK_E_NOMEM, "out of memory");
		rc = set_bytes(m, line, (size_t) (eq - line), value, strlen(value), err);
		dbk_free(m->a, value);
		if (rc != 0)
			return -1;
		pos = (size_t) (nl - buf) + 1;
	}
	return 0;
}
