/*
 * split_events.h — runs the statement splitter over an input fed in chunks
 * of a given size and renders the events as text, so that tests can compare
 * chunkings (shared by tests/core/test_sql_split.c and tests/fuzz/fuzz_split.c).
 */
#ifndef DBK_SPLIT_EVENTS_H
#define DBK_SPLIT_EVENTS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/restore/sql_split.h"

/* Appends to a growing string. */
static void
sb_add(char **sb, size_t *len, const char *fmt, const char *text, size_t n, uint64_t line)
{
	size_t		need = *len + n + 64;

	*sb = realloc(*sb, need);
	*len += (size_t) snprintf(*sb + *len, need - *len, fmt, (int) n, text, line);
}

/*
 * The events for input fed `chunk` bytes at a time (0: all at once), as
 * "S<line>:<text>|", "D:<text>|", "E|", "M<line>:<text>|" (a meta-command), or
 * "ERR:<message>" at the end.
 * The caller frees the result.
 */
static char *
split_events(const char *input, size_t len, size_t chunk, size_t max_statement)
{
	dbk_error	err;
	dbk_splitter *s = dbk_splitter_new(&dbk_libc_allocator, max_statement, &err);
	char	   *out = NULL;
	size_t		olen = 0,
				pos = 0;
	int			failed = 0;

	sb_add(&out, &olen, "%.*s", "", 0, 0);
	if (chunk == 0)
		chunk = len ? len : 1;
	for (;;)
	{
		dbk_split_event ev;
		const char *text;
		size_t		n;
		uint64_t	line;

		if (dbk_splitter_next(s, &ev, &text, &n, &line, &err) != 0)
		{
			failed = 1;
			break;
		}
		if (ev == DBK_SPLIT_END)
			break;
		if (ev == DBK_SPLIT_MORE)
		{
			if (pos < len)
			{
				size_t		take = len - pos < chunk ? len - pos : chunk;

				if (dbk_splitter_feed(s, input + pos, take, &err) != 0)
				{
					failed = 1;
					break;
				}
				pos += take;
			}
			else
				dbk_splitter_finish(s);
			continue;
		}
		if (ev == DBK_SPLIT_STATEMENT)
			sb_add(&out, &olen, "S%3$" PRIu64 ":%.*s|", text, n, line);
		else if (ev == DBK_SPLIT_COPY_DATA)
		{
			/* Data may come in any number of pieces: render it line by line. */
			const char *p = text;

			while (p < text + n)
			{
				const char *nl = memchr(p, '\n', (size_t) (text + n - p));
				size_t		ln = (size_t) (nl - p) + 1;

				sb_add(&out, &olen, "D:%.*s|", p, ln, 0);
				p += ln;
			}
		}
		else if (ev == DBK_SPLIT_META)
			sb_add(&out, &olen, "M%3$" PRIu64 ":%.*s|", text, n, line);
		else
			sb_add(&out, &olen, "E%.*s|", "", 0, 0);
	}
	if (failed)
		sb_add(&out, &olen, "ERR:%.*s", err.message, strlen(err.message), 0);
	dbk_splitter_free(s);
	return out;
}

#endif
