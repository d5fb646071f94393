/*
 * fuzz_create_table.c — libFuzzer target for the CREATE statement reader
 * (core/fingerprint/create_table.c).  The input is read as a CREATE TABLE, a CREATE
 * INDEX on the table it describes, a trigger or view text and a DEFAULT;
 * nothing may crash, leak or read out of bounds, a success must give a
 * complete description (every name and clause set), and reading the same
 * text twice must give the same description.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/fingerprint/create_table.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The description as one string (malloc'd), or NULL when the text was refused. */
static char *
describe(const char *sql, size_t len)
{
	dbk_create_table t;
	dbk_error	err;
	char	   *out = NULL;
	size_t		n = 0,
				cap = 64;

	if (dbk_create_table_parse(&dbk_libc_allocator, sql, len, &t, &err) != 0)
	{
		if (err.message[0] == '\0')
			abort();			/* a failure must say why */
		dbk_create_table_free(&t);
		return NULL;
	}
	for (size_t i = 0; i < t.ncols; i++)
		cap += strlen(t.cols[i].name) + (t.cols[i].collate ? strlen(t.cols[i].collate) : 0) +
			(t.cols[i].generated ? strlen(t.cols[i].generated) : 0) + 16;
	for (size_t i = 0; i < t.npk; i++)
		cap += strlen(t.pk[i].name) + (t.pk[i].collate ? strlen(t.pk[i].collate) : 0) + 16;
	for (size_t i = 0; i < t.nclauses; i++)
		cap += strlen(t.clauses[i]) + 4;
	out = malloc(cap);
	for (size_t i = 0; i < t.ncols; i++)
		n += (size_t) sprintf(out + n, "%s/%s/%s/%s;", t.cols[i].name, t.cols[i].collate ? t.cols[i].collate : "",
							  t.cols[i].generated ? t.cols[i].generated : "",
							  t.cols[i].notnull_conflict ? t.cols[i].notnull_conflict : "");
	for (size_t i = 0; i < t.npk; i++)
		n += (size_t) sprintf(out + n, "%s/%s/%d;", t.pk[i].name, t.pk[i].collate ? t.pk[i].collate : "",
							  t.pk[i].desc);
	for (size_t i = 0; i < t.nclauses; i++)
		n += (size_t) sprintf(out + n, "%s;", t.clauses[i]);
	sprintf(out + n, "%d%d%d%d", t.autoincrement, t.pk_on_column_desc, t.without_rowid, t.strict);
	/* The index and the other texts, read with this table's columns. */
	{
		char	   *s = NULL;

		if (dbk_ct_index(&dbk_libc_allocator, sql, len, "t", &t, &s, &err) == 0 && s == NULL)
			abort();
		free(s);
		s = NULL;
		if (dbk_ct_text(&dbk_libc_allocator, sql, len, "trigger", &s, &err) == 0 && s == NULL)
			abort();
		free(s);
	}
	dbk_create_table_free(&t);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Most inputs start as a CREATE TABLE so that the fuzzer reaches the column grammar. */
	static const char prefix[] = "CREATE TABLE t(";
	char	   *sql = malloc(size + sizeof(prefix));
	char	   *dflt;
	char	   *a,
			   *b;
	size_t		len = size;

	if (size > 0 && data[0] == '!')
		memcpy(sql, data + 1, len = size - 1);
	else
	{
		memcpy(sql, prefix, sizeof(prefix) - 1);
		memcpy(sql + sizeof(prefix) - 1, data, size);
		len = size + sizeof(prefix) - 1;
	}
	a = describe(sql, len);
	b = describe(sql, len);
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
	free(a);
	free(b);
	/* The same bytes as a DEFAULT (NUL-terminated, as a pragma gives it). */
	dflt = malloc(size + 1);
	memcpy(dflt, data, size);
	dflt[size] = '\0';
	{
		char	   *s = NULL;
		dbk_error	err;

		if (dbk_ct_default(&dbk_libc_allocator, dflt, &s, &err) == 0 && s == NULL)
			abort();
		free(s);
	}
	free(dflt);
	free(sql);
	return 0;
}
