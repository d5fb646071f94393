/*
 * fuzz_copy_rows.c — libFuzzer target for COPY row parsing
 * (core/restore/copy_rows.c): a differential test against a deliberately plain
 * reading of COPY's text format, one character at a time.  For any input,
 * both must agree on whether each line parses, on its fields (NULL or
 * bytes) and on which fields are plain; nothing may crash or leak.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/restore/copy_rows.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: appends "[field]" or "<N>" per field, "*" if not plain; "!" on error. */
static size_t
reference_line(const unsigned char *p, size_t len, char *out)
{
	size_t		o = 0,
				i = 0;

	for (;;)
	{
		bool		plain = true;

		if (len - i >= 2 && p[i] == '\\' && p[i + 1] == 'N' && (len - i == 2 || p[i + 2] == '\t'))
		{
			o += (size_t) sprintf(out + o, "<N>");
			i += 2;
		}
		else
		{
			out[o++] = '[';
			while (i < len && p[i] != '\t')
			{
				int			c = p[i++];

				if (c == '\r')
					return (size_t) sprintf(out, "!");
				if (c == '\\')
				{
					if (i == len)
						return (size_t) sprintf(out, "!");
					c = p[i++];
					if (c == '.')
						return (size_t) sprintf(out, "!");
					if (c >= '0' && c <= '7')
					{
						int			v = c - '0';

						if (i < len && p[i] >= '0' && p[i] <= '7')
						{
							v = v * 8 + (p[i++] - '0');
							if (i < len && p[i] >= '0' && p[i] <= '7')
								v = v * 8 + (p[i++] - '0');
						}
						c = v & 0xFF;
					}
					else if (c == 'x' && i < len && strchr("0123456789abcdefABCDEF", p[i]) && p[i])
					{
						int			v = 0;

						for (int k = 0; k < 2 && i < len && p[i] && strchr("0123456789abcdefABCDEF", p[i]); k++)
						{
							int			d = p[i++];

							v = v * 16 + (d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
						}
						c = v;
					}
					else if (c == 'b')
						c = '\b';
					else if (c == 'f')
						c = '\f';
					else if (c == 'n')
						c = '\n';
					else if (c == 'r')
						c = '\r';
					else if (c == 't')
						c = '\t';
					else if (c == 'v')
						c = '\v';
				}
				if (c == 0 || c >= 0x80)
					plain = false;
				o += (size_t) sprintf(out + o, "%02x", c);
			}
			out[o++] = ']';
			out[o] = '\0';
		}
		if (!plain)
			out[o++] = '*';
		out[o] = '\0';
		if (i == len)
			return o;
		i++;					/* the tab */
	}
}

static size_t
parsed_line(const dbk_copy_rows *b, size_t row, char *out)
{
	size_t		o = 0;

	for (size_t f = b->row_first[row]; f < b->row_first[row + 1]; f++)
	{
		if (b->start[f] == DBK_COPY_NULL_FIELD)
			o += (size_t) sprintf(out + o, "<N>");
		else
		{
			out[o++] = '[';
			for (size_t k = 0; k < b->len[f]; k++)
				o += (size_t) sprintf(out + o, "%02x", (unsigned char) b->text[b->start[f] + k]);
			out[o++] = ']';
			if (b->text[b->start[f] + b->len[f]] != '\0')
				abort();
		}
		if (!b->plain[f])
			out[o++] = '*';
		out[o] = '\0';
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dbk_copy_rows b;
	dbk_error	err;
	const unsigned char *p = data;
	const unsigned char *end = data + size;
	/* each input byte becomes at most 3 output bytes plus field brackets and marks */
	char	   *want = malloc(size * 6 + 16);
	char	   *got = malloc(size * 6 + 16);

	dbk_copy_rows_init(&b, &dbk_libc_allocator);
	while (p <= end)
	{
		const unsigned char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t		len = nl ? (size_t) (nl - p) : (size_t) (end - p);
		size_t		rows = b.nrows;
		int			rc = dbk_copy_rows_add_line(&b, (const char *) p, len, &err);

		reference_line(p, len, want);
		if (rc != 0)
			strcpy(got, "!");
		else
			parsed_line(&b, rows, got);
		if (strcmp(want, got) != 0 || (rc != 0 && b.nrows != rows) || (rc == 0 && b.nrows != rows + 1))
		{
			fprintf(stderr, "line: %.*s\nwant: %s\ngot:  %s\n", (int) len, (const char *) p, want, got);
			abort();
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	dbk_copy_rows_free(&b);
	free(want);
	free(got);
	return 0;
}
