/*
 * split_file.c — test tool: runs the core's statement splitter
 * (core/restore/sql_split.c) over a file, fed in pieces, and prints each statement
 * followed by a line "<<<dbk-split>>>", so that a test can compare them with
 * the statements psql sends for the same file.  COPY data is not printed;
 * meta-commands are counted on standard error.
 *
 *   split_file SCRIPT.sql [CHUNK]
 *
 * CHUNK (default 65536) is how many bytes each feed brings.  Exit status 1
 * with the splitter's message on standard error when it fails.  Test code
 * only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/restore/sql_split.h"

int
main(int argc, char **argv)
{
	FILE	   *f;
	dbk_error	err;
	dbk_splitter *s;
	size_t		chunk = argc > 2 ? (size_t) strtoul(argv[2], NULL, 10) : 65536;
	char	   *buf;
	unsigned long statements = 0,
				metas = 0,
				copies = 0;

	if (argc < 2 || chunk == 0)
	{
		fprintf(stderr, "usage: split_file SCRIPT.sql [CHUNK]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL)
	{
		perror(argv[1]);
		return 2;
	}
	buf = malloc(chunk);
	s = dbk_splitter_new(&dbk_libc_allocator, 256 * 1024 * 1024, &err);
	if (buf == NULL || s == NULL)
	{
		fprintf(stderr, "split_file: out of memory\n");
		return 2;
	}
	for (;;)
	{
		dbk_split_event ev;
		const char *text;
		size_t		len;
		uint64_t	line;

		if (dbk_splitter_next(s, &ev, &text, &len, &line, &err) != 0)
		{
			fprintf(stderr, "split_file: %s\n", err.message);
			return 1;
		}
		if (ev == DBK_SPLIT_END)
			break;
		if (ev == DBK_SPLIT_MORE)
		{
			size_t		got = fread(buf, 1, chunk, f);

			if (got == 0)
				dbk_splitter_finish(s);
			else if (dbk_splitter_feed(s, buf, got, &err) != 0)
			{
				fprintf(stderr, "split_file: %s\n", err.message);
				return 1;
			}
		}
		else if (ev == DBK_SPLIT_STATEMENT)
		{
			statements++;
			printf("%.*s\n<<<dbk-split>>>\n", (int) len, text);
		}
		else if (ev == DBK_SPLIT_META)
			metas++;
		else if (ev == DBK_SPLIT_COPY_END)
			copies++;
	}
	fprintf(stderr, "split_file: %lu statements, %lu COPY blocks, %lu meta-commands\n",
			statements, copies, metas);
	dbk_splitter_free(s);
	free(buf);
	fclose(f);
	return 0;
}
