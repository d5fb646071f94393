/*
 * test_sql_split.c — unit tests of the streaming statement splitter
 * (core/sql_split.c).  Every case is also fed one byte at a time and in
 * chunks of 2, 3, 7 and 64 bytes: the events must not depend on how the
 * input arrives.
 */
#include "split_events.h"
#include "unit.h"

static void
expect(const char *id, const char *input, const char *want)
{
	static const size_t chunks[] = {0, 1, 2, 3, 7, 64};
	char		label[128];

	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++)
	{
		char	   *got = split_events(input, strlen(input), chunks[k], 1 << 20);

		snprintf(label, sizeof(label), "split/%s/chunk-%zu", id, chunks[k]);
		CHECK(label, strcmp(got, want) == 0);
		if (strcmp(got, want) != 0)
			printf("    got:  %s\n    want: %s\n", got, want);
		free(got);
	}
}

int
main(void)
{
	expect("simple", "SELECT 1;\nSELECT 2;\n", "S1:SELECT 1;|S2:SELECT 2;|");
	expect("no-trailing-newline", "SELECT 1;", "S1:SELECT 1;|");
	expect("empty", "", "");
	expect("only-comments", "-- nothing\n/* at all */\n", "");
	expect("stray-semicolons", ";;\nSELECT 1;", "S1:;|S1:;|S2:SELECT 1;|");
	expect("line-comment", "-- a; b\nSELECT 1; -- c;\n", "S2:SELECT 1;|");
	expect("comment-inside", "SELECT /* ; */ 1;", "S1:SELECT /* ; */ 1;|");
	expect("nested-comment", "/* a /* b; */ c; */ SELECT 1;", "S1:SELECT 1;|");
	expect("string", "SELECT 'a;b''c;';", "S1:SELECT 'a;b''c;';|");
	expect("estring", "SELECT E'a\\';b', e'\\\\';", "S1:SELECT E'a\\';b', e'\\\\';|");
	expect("not-estring", "SELECT fe'a;b';", "S1:SELECT fe'a;b';|");
	expect("identifier", "CREATE TABLE \"a;\"\"b\"(x int);", "S1:CREATE TABLE \"a;\"\"b\"(x int);|");
	expect("dollar", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
		   "S1:CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;|");
	expect("dollar-tag", "DO $fn$ BEGIN PERFORM $$;$$; END $fn$;", "S1:DO $fn$ BEGIN PERFORM $$;$$; END $fn$;|");
	expect("dollar-param", "PREPARE p AS SELECT $1; SELECT 2;", "S1:PREPARE p AS SELECT $1;|S1:SELECT 2;|");
	expect("dollar-in-identifier", "SELECT a$b; SELECT 1;", "S1:SELECT a$b;|S1:SELECT 1;|");
	expect("multiline-lines", "SELECT\n1;\n\n\nSELECT 'x\ny';\nSELECT 3;",
		   "S1:SELECT\n1;|S5:SELECT 'x\ny';|S7:SELECT 3;|");
	expect("copy",
		   "COPY public.t (a, b) FROM stdin;\n1\tx;y\n\\N\t\\\\.\n\\.\nSELECT 1;\n",
		   "S1:COPY public.t (a, b) FROM stdin;|D:1\tx;y\n|D:\\N\t\\\\.\n|E|S5:SELECT 1;|");
	expect("copy-empty", "COPY t FROM stdin;\n\\.\n", "S1:COPY t FROM stdin;|E|");
	expect("copy-quote-in-data", "copy t from STDIN;\n'\n$$\n\\.\nSELECT ';';",
		   "S1:copy t from STDIN;|D:'\n|D:$$\n|E|S5:SELECT ';';|");
	expect("copy-to-stdout-is-not-data", "COPY t TO stdout;\nSELECT 1;", "S1:COPY t TO stdout;|S2:SELECT 1;|");
	expect("copy-last-line-no-newline", "COPY t FROM stdin;\n1\n\\.", "S1:COPY t FROM stdin;|D:1\n|E|");
	expect("unterminated-string", "SELECT 'abc;", "ERR:the script ends inside the statement at line 1");
	expect("unterminated-statement", "SELECT 1;\nSELECT 2", "S1:SELECT 1;|ERR:the script ends inside the statement at line 2");
	expect("unterminated-copy", "COPY t FROM stdin;\n1\n2\n",
		   "S1:COPY t FROM stdin;|D:1\n|D:2\n|ERR:the script ends inside COPY data (line 4) without its \"\\.\" line");
	expect("unterminated-dollar", "SELECT $x$ abc; $y$;", "ERR:the script ends inside the statement at line 1");
	expect("unterminated-comment", "/* abc; ", "ERR:the script ends inside the statement at line 1");

	{
		char	   *got = split_events("SELECT 'aaaaaaaaaaaaaaaaaaaa';", 29, 4, 10);

		CHECK("split/max-statement", strstr(got, "ERR:the statement at line 1 is longer than 10 bytes") != NULL);
		free(got);
	}
	CHECK("split/is-copy", dbk_sql_is_copy_from_stdin("COPY \"t\" (a) FROM stdin;", 24));
	CHECK("split/is-copy-case", dbk_sql_is_copy_from_stdin("copy t from\tSTDIN ;", 19));
	CHECK("split/not-copy-to", !dbk_sql_is_copy_from_stdin("COPY t TO stdout;", 17));
	CHECK("split/not-copy-identifier", !dbk_sql_is_copy_from_stdin("COPY t FROM xstdin;", 19));
	CHECK("split/not-copy-prefix", !dbk_sql_is_copy_from_stdin("COPYING FROM stdin;", 19));
	return unit_exit();
}
