/*
 * copy_rows.c — COPY text lines cut into unescaped fields; see copy_rows.h.
 *
 * One pass per line: printable ASCII other than the backslash, the common
 * case, is copied after one comparison; every other byte ends the field (a
 * tab), starts an escape, is an error (a carriage return) or is copied and
 * makes the field not plain (NUL, >= 0x80).
 */
#include "copy_rows.h"

#include <string.h>

void
dbk_copy_rows_init(dbk_copy_rows *b, const dbk_allocator *a)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
}

void
dbk_copy_rows_reset(dbk_copy_rows *b)
{
	b->text_len = 0;
	b->nfields = 0;
	b->nrows = 0;
	if (b->row_first)
		b->row_first[0] = 0;
}

void
dbk_copy_rows_free(dbk_copy_rows *b)
{
	dbk_free(b->a, b->text);
	dbk_free(b->a, b->start);
	dbk_free(b->a, b->len);
	dbk_free(b->a, b->plain);
	dbk_free(b->a, b->row_first);
	memset(b, 0, sizeof(*b));
}

static size_t
grown(size_t cap, size_t need)
{
	size_t		n = cap ? cap : 64;

	while (n < need)
		n *= 2;
	return n;
}

/* Room for one more row of up to max_fields fields and text_need bytes. */
static int
reserve(dbk_copy_rows *b, size_t max_fields, size_t text_need, dbk_error *err)
{
	if (b->text_len + text_need > b->text_cap)
	{
		size_t		cap = grown(b->text_cap, b->text_len + text_need);
		char	   *t = dbk_resize(b->a, b->text, b->text_len, cap);

		if (t == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory parsing COPY data");
		b->text = t;
		b->text_cap = cap;
	}
	if (b->nfields + max_fields > b->fields_cap)
	{
		size_t		cap = grown(b->fields_cap, b->nfields + max_fields);
		size_t	   *s = dbk_resize(b->a, b->start, b->nfields * sizeof(size_t), cap * sizeof(size_t));

		if (s == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory parsing COPY data");
		b->start = s;
		s = dbk_resize(b->a, b->len, b->nfields * sizeof(size_t), cap * sizeof(size_t));
		if (s == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory parsing COPY data");
		b->len = s;
		{
			bool	   *p = dbk_resize(b->a, b->plain, b->nfields, cap);

			if (p == NULL)
				return dbk_fail(err, DBK_E_NOMEM, "out of memory parsing COPY data");
			b->plain = p;
		}
		b->fields_cap = cap;
	}
	if (b->nrows + 2 > b->rows_cap)
	{
		size_t		cap = grown(b->rows_cap, b->nrows + 2);
		size_t	   *r = dbk_resize(b->a, b->row_first, (b->nrows + 1) * sizeof(size_t),
								   cap * sizeof(size_t));

		if (r == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory parsing COPY data");
		if (b->row_first == NULL)
			r[0] = 0;
		b->row_first = r;
		b->rows_cap = cap;
	}
	return 0;
}

static int
octal_digit(unsigned char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

static int
hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the escape after a backslash at *pp (which points past it) and
 * returns the byte it stands for, or -1 for "\." (an end-of-copy marker
 * inside data).
 */
static int
unescape(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	int			c = *p++;
	int			d;

	switch (c)
	{
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
			c -= '0';
			for (int i = 0; i < 2 && p < end && (d = octal_digit(*p)) >= 0; i++, p++)
				c = c * 8 + d;
			c &= 0xFF;
			break;
		case 'x':
			if (p < end && (d = hex_digit(*p)) >= 0)
			{
				c = d;
				p++;
				if (p < end && (d = hex_digit(*p)) >= 0)
				{
					c = c * 16 + d;
					p++;
				}
			}
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'v':
			c = '\v';
			break;
		case '.':
			return -1;
		default:
			break;				/* the character itself */
	}
	*pp = p;
	return c;
}

int
dbk_copy_rows_add_line(dbk_copy_rows *b, const char *line, size_t len, dbk_error *err)
{
	const unsigned char *p = (const unsigned char *) line;
	const unsigned char *end = p + len;
	size_t		text_mark = b->text_len;
	size_t		field_mark = b->nfields;
	/* a line of len bytes has at most len + 1 fields and len bytes of text */
	size_t		max_fields = len + 1;
	const char *bad;

	if (reserve(b, max_fields, len + max_fields, err) != 0)
		return -1;
	for (;;)
	{
		size_t		f = b->nfields++;
		char	   *out = b->text + b->text_len;
		char	   *o = out;
		bool		plain = true;

		if (end - p >= 2 && p[0] == '\\' && p[1] == 'N' && (end - p == 2 || p[2] == '\t'))
		{
			b->start[f] = DBK_COPY_NULL_FIELD;
			b->len[f] = 0;
			b->plain[f] = true;
			p += 2;
		}
		else
		{
			while (p < end)
			{
				unsigned char c = *p;

				if ((unsigned) (c - 0x20) < 0x60 && c != '\\')
				{
					*o++ = (char) c;
					p++;
					continue;
				}
				if (c == '\t')
					break;
				if (c == '\r')
				{
					bad = "literal carriage return found in COPY data";
					goto fail;
				}
				if (c == '\\')
				{
					int			v;

					p++;
					if (p == end)
					{
						bad = "COPY data line ends with a lone backslash";
						goto fail;
					}
					v = unescape(&p, end);
					if (v < 0)
					{
						bad = "end-of-copy marker \"\\.\" inside COPY data";
						goto fail;
					}
					if (v == 0 || v >= 0x80)
						plain = false;
					*o++ = (char) v;
					continue;
				}
				if (c == 0 || c >= 0x80)
					plain = false;
				*o++ = (char) c;
				p++;
			}
			*o = '\0';
			b->start[f] = b->text_len;
			b->len[f] = (size_t) (o - out);
			b->plain[f] = plain;
			b->text_len += (size_t) (o - out) + 1;
		}
		if (p == end)
			break;
		p++;					/* the tab: another field follows */
	}
	b->nrows++;
	b->row_first[b->nrows] = b->nfields;
	return 0;

fail:
	/* the line is not added */
	b->text_len = text_mark;
	b->nfields = field_mark;
	return dbk_fail(err, DBK_E_CORRUPT, "%s", bad);
}

int
dbk_copy_rows_add_lines(dbk_copy_rows *b, const char *buf, size_t len, dbk_error *err)
{
	const char *p = buf;
	const char *end = buf + len;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t		n = nl ? (size_t) (nl - p) : (size_t) (end - p);

		if (dbk_copy_rows_add_line(b, p, n, err) != 0)
			return -1;
		p += n + (nl ? 1 : 0);
	}
	return 0;
}
