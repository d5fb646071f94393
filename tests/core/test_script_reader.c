/*
 * test_script_reader.c — unit tests of COPY row parsing (core/restore/copy_rows.c)
 * and of the restore's reader thread (core/restore/script_reader.c): the fields
 * COPY's text format defines, its errors, and a whole archive read on the
 * thread with a queue smaller than the script, checked item by item against
 * what went in, with corrupt and truncated archives and a stop midway.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/archive/archive.h"
#include "../../core/restore/copy_rows.h"
#include "../../core/restore/script_reader.h"
#include "membuf.h"
#include "unit.h"

/* The fields of every row, as "a|b|<NULL>/..." with "*" after a non-plain field. */
static char *
rows_text(const dbk_copy_rows *b)
{
	size_t		cap = 64 + b->text_len * 2 + b->nfields * 8;
	char	   *s = malloc(cap);
	size_t		n = 0;

	s[0] = '\0';
	for (size_t r = 0; r < b->nrows; r++)
	{
		for (size_t f = b->row_first[r]; f < b->row_first[r + 1]; f++)
		{
			if (b->start[f] == DBK_COPY_NULL_FIELD)
				n += (size_t) snprintf(s + n, cap - n, "<NULL>");
			else
			{
				const char *t = b->text + b->start[f];

				CHECK("rows/nul-terminated", t[b->len[f]] == '\0');
				for (size_t i = 0; i < b->len[f]; i++)
					n += (size_t) snprintf(s + n, cap - n, (unsigned char) t[i] < 0x20 ||
										   (unsigned char) t[i] >= 0x80 ? "{%02x}" : "%c",
										   (unsigned char) t[i]);
			}
			if (!b->plain[f])
				n += (size_t) snprintf(s + n, cap - n, "*");
			if (f + 1 < b->row_first[r + 1])
				n += (size_t) snprintf(s + n, cap - n, "|");
		}
		n += (size_t) snprintf(s + n, cap - n, "/");
	}
	return s;
}

static void
parse(const char *id, const char *lines, const char *want)
{
	dbk_copy_rows b;
	dbk_error	err;
	char		label[96];
	char	   *got;

	dbk_copy_rows_init(&b, &dbk_libc_allocator);
	snprintf(label, sizeof(label), "copy-rows/%s", id);
	if (dbk_copy_rows_add_lines(&b, lines, strlen(lines), &err) != 0)
		got = strdup(err.message);
	else
		got = rows_text(&b);
	CHECK(label, strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("    got:  %s\n    want: %s\n", got, want);
	free(got);
	dbk_copy_rows_free(&b);
}

static void
copy_rows_cases(void)
{
	parse("simple", "1\tabc\n2\tdef\n", "1|abc/2|def/");
	parse("null", "\\N\tx\t\\N\n", "<NULL>|x|<NULL>/");
	parse("null-only-whole-field", "a\\N\t\\Nb\t\\\\N\n", "aN|Nb|\\N/");
	parse("empty-fields", "\t\t\n", "||/");
	parse("empty-line", "\n", "/");
	parse("escapes", "\\b\\f\\n\\r\\t\\v\\\\\\z\n", "{08}{0c}{0a}{0d}{09}{0b}\\z/");
	parse("escaped-tab-is-data", "a\\\tb\tc\n", "a{09}b|c/");
	parse("octal", "\\101\\1011\\7\\0\n", "AA1{07}{00}*/");
	parse("octal-high", "\\377\\400\n", "{ff}{00}*/");
	parse("hex", "\\x41\\x4a2\\xg\\x\n", "AJ2xgx/");
	parse("hex-one-digit", "\\x9z\n", "{09}z/");
	parse("utf8-not-plain", "caf\xc3\xa9\tplain\n", "caf{c3}{a9}*|plain/");
	parse("escaped-high-not-plain", "\\303\\251\n", "{c3}{a9}*/");
	parse("carriage-return", "a\rb\n", "literal carriage return found in COPY data");
	parse("end-marker-inside", "a\\.\n", "end-of-copy marker \"\\.\" inside COPY data");
	parse("lone-backslash", "a\\\n", "COPY data line ends with a lone backslash");
	parse("last-line-without-newline", "1\n2", "1/2/");

	/* a raw NUL byte, given with its length */
	{
		dbk_copy_rows b;
		dbk_error	err;
		char	   *got;

		dbk_copy_rows_init(&b, &dbk_libc_allocator);
		CHECK("copy-rows/raw-nul", dbk_copy_rows_add_line(&b, "a\0b", 3, &err) == 0);
		got = rows_text(&b);
		CHECK("copy-rows/raw-nul-flagged", strcmp(got, "a{00}b*/") == 0);
		free(got);
		/* an error leaves the batch as it was */
		CHECK("copy-rows/error-keeps-batch", dbk_copy_rows_add_line(&b, "x\ry", 3, &err) != 0 &&
			  b.nrows == 1 && b.nfields == 1);
		dbk_copy_rows_reset(&b);
		CHECK("copy-rows/reset", b.nrows == 0 && b.nfields == 0 && b.row_first[0] == 0);
		dbk_copy_rows_free(&b);
	}
}

/* ------------------------------------------------------------ the reader */

static void
make_archive(membuf *m, const char *script, size_t len)
{
	dbk_meta	h;
	dbk_error	err;
	dbk_archive_writer *w;
	dbk_sink	sink = {mem_write, m};
	dbk_archive_summary sum;

	dbk_meta_init(&h, &dbk_libc_allocator);
	dbk_meta_set(&h, "engine", "test", &err);
	w = dbk_archive_writer_open(&dbk_libc_allocator, sink, &h, 3, 0, &err);
	for (size_t off = 0; off < len; off += 100000)
		dbk_archive_write(w, script + off, len - off < 100000 ? len - off : 100000, &err);
	dbk_archive_writer_finish(w, NULL, &sum, &err);
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
}

/* A script with big COPY blocks: more items than the queue holds. */
static char *
make_script(size_t rows, size_t *len)
{
	size_t		cap = rows * 64 + 1024;
	char	   *s = malloc(cap);
	size_t		n = 0;

	n += (size_t) snprintf(s + n, cap - n, "SET x = 1;\nCREATE TABLE t (a int, b text);\n"
						   "COPY t (a, b) FROM stdin;\n");
	for (size_t i = 0; i < rows; i++)
		n += (size_t) snprintf(s + n, cap - n, "%zu\trow \\\\%zu\\tend\n", i, i * 7);
	n += (size_t) snprintf(s + n, cap - n, "\\.\nSELECT 'done';\n");
	*len = n;
	return s;
}

/* Reads the archive in m from its start to its last item: the error, or "no error". */
static char *
read_to_end(membuf *m)
{
	dbk_source	src = {mem_read, m};
	dbk_error	err;
	dbk_script_reader *r;
	const dbk_script_item *it;
	char	   *last = NULL;

	m->pos = 0;
	r = dbk_script_reader_start(&dbk_libc_allocator, src, "backup \"t\"", 1 << 20, NULL, &err);
	if (r == NULL)
		return strdup(err.message);
	while (last == NULL)
		if ((it = dbk_script_reader_next(r, 50)) != NULL &&
			(it->kind == DBK_SCRIPT_ERROR || it->kind == DBK_SCRIPT_END))
			last = strdup(it->kind == DBK_SCRIPT_ERROR ? it->err.message : "no error");
	dbk_script_reader_stop(r);
	return last;
}

static void
read_whole(void)
{
	size_t		len,
				rows = 100000,
				seen = 0,
				statements = 0,
				copy_items = 0;
	char	   *script = make_script(rows, &len);
	membuf		m = {0};
	dbk_source	src = {mem_read, &m};
	dbk_meta	header;
	dbk_error	err;
	dbk_script_reader *r;
	const dbk_script_item *it = NULL;
	bool		rows_right = true,
				copy_ended = false,
				ended = false;

	make_archive(&m, script, len);
	dbk_meta_init(&header, &dbk_libc_allocator);
	r = dbk_script_reader_start(&dbk_libc_allocator, src, "backup \"t\"", 1 << 20, &header, &err);
	CHECK("reader/start", r != NULL);
	CHECK("reader/header", r != NULL && strcmp(dbk_meta_get(&header, "engine"), "test") == 0);
	while (r != NULL && !ended)
	{
		if ((it = dbk_script_reader_next(r, 50)) == NULL)
			continue;
		switch (it->kind)
		{
			case DBK_SCRIPT_STATEMENT:
				statements++;
				if (statements == 3)
					CHECK("reader/copy-statement", strcmp(it->text, "COPY t (a, b) FROM stdin;") == 0 &&
						  it->line == 3);
				break;
			case DBK_SCRIPT_COPY_DATA:
				copy_items++;
				CHECK("reader/copy-line", it->line == 4 + seen);
				rows_right = rows_right && it->rows_ok;
				for (size_t i = 0; i < it->rows.nrows && rows_right; i++, seen++)
				{
					char		want[64];
					size_t		f = it->rows.row_first[i];

					snprintf(want, sizeof(want), "row \\%zu\tend", seen * 7);
					rows_right = dbk_copy_rows_fields(&it->rows, i) == 2 &&
						(size_t) atol(it->rows.text + it->rows.start[f]) == seen &&
						strcmp(it->rows.text + it->rows.start[f + 1], want) == 0;
				}
				break;
			case DBK_SCRIPT_COPY_END:
				copy_ended = true;
				break;
			case DBK_SCRIPT_END:
				ended = true;
				break;
			case DBK_SCRIPT_ERROR:
				printf("    error: %s\n", it->err.message);
				ended = true;
				break;
		}
	}
	CHECK("reader/all-rows", rows_right && seen == rows);
	CHECK("reader/batched", copy_items > DBK_SCRIPT_QUEUE);
	CHECK("reader/statements", statements == 4);
	CHECK("reader/copy-end", copy_ended);
	CHECK("reader/end", ended && it != NULL && it->kind == DBK_SCRIPT_END);
	dbk_script_reader_stop(r);

	/* Stopped after one item, with the thread blocked on a full queue. */
	m.pos = 0;
	r = dbk_script_reader_start(&dbk_libc_allocator, src, "backup \"t\"", 1 << 20, NULL, &err);
	it = r ? dbk_script_reader_next(r, -1) : NULL;
	CHECK("reader/stop-midway", it != NULL && it->kind == DBK_SCRIPT_STATEMENT);
	dbk_script_reader_stop(r);

	/* A flipped byte in the content's compressed data: an error item, in order. */
	{
		size_t		at = m.len / 2;
		char	   *last;

		m.data[at] ^= 0x10;
		last = read_to_end(&m);
		CHECK("reader/corrupt", strstr(last, "backup \"t\"") != NULL && strstr(last, "corrupt") != NULL);
		if (strstr(last, "corrupt") == NULL)
			printf("    got: %s\n", last);
		free(last);
		m.data[at] ^= 0x10;
	}

	/* Truncated: the end item never comes, an error does. */
	{
		size_t		full = m.len;
		char	   *last;

		m.len = full - 40;
		last = read_to_end(&m);
		CHECK("reader/truncated", strstr(last, "truncated") != NULL);
		free(last);
		m.len = full;
	}

	/* Not a backup at all: refused by start, on the calling thread. */
	{
		membuf		junk = {0};
		dbk_source	jsrc = {mem_read, &junk};

		mem_write(&junk, "hello, world\n", 13, &err);
		r = dbk_script_reader_start(&dbk_libc_allocator, jsrc, "backup \"j\"", 1 << 20, NULL, &err);
		CHECK("reader/not-a-backup", r == NULL && strstr(err.message, "not a dbkeeper backup") != NULL);
		free(junk.data);
	}
	dbk_meta_free(&header);
	free(m.data);
	free(script);
}

/* dbk_archive_check_file: a whole file passes, any changed byte fails. */
static void
check_file(void)
{
	size_t		len;
	char	   *script = make_script(2000, &len);
	membuf		m = {0};
	dbk_meta	h;
	dbk_error	err;
	char		path[] = "/tmp/dbk-check-file-XXXXXX";
	int			fd = mkstemp(path);
	bool		all_caught = true;

	make_archive(&m, script, len);
	unlink(path);
	CHECK("check-file/write", write(fd, m.data, m.len) == (ssize_t) m.len);
	dbk_meta_init(&h, &dbk_libc_allocator);
	CHECK("check-file/good", dbk_archive_check_file(&dbk_libc_allocator, fd, "f", &h, &err) == 0 &&
		  strcmp(dbk_meta_get(&h, "engine"), "test") == 0);
	dbk_meta_free(&h);
	for (size_t at = 0; at < m.len; at += 1 + m.len / 97)
	{
		unsigned char b = m.data[at] ^ 0x01;

		CHECK("check-file/pwrite", pwrite(fd, &b, 1, (off_t) at) == 1);
		dbk_meta_init(&h, &dbk_libc_allocator);
		if (dbk_archive_check_file(&dbk_libc_allocator, fd, "f", &h, &err) == 0)
		{
			all_caught = false;
			printf("    flipped byte %zu not caught\n", at);
		}
		dbk_meta_free(&h);
		b ^= 0x01;
		CHECK("check-file/restore", pwrite(fd, &b, 1, (off_t) at) == 1);
	}
	CHECK("check-file/every-flip-caught", all_caught);
	CHECK("check-file/truncate", ftruncate(fd, (off_t) m.len - 1) == 0);
	dbk_meta_init(&h, &dbk_libc_allocator);
	CHECK("check-file/truncated", dbk_archive_check_file(&dbk_libc_allocator, fd, "f", &h, &err) != 0);
	dbk_meta_free(&h);
	close(fd);
	free(m.data);
	free(script);
}

int
main(void)
{
	copy_rows_cases();
	read_whole();
	check_file();
	return unit_exit();
}
