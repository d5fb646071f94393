/*
 * test_sql_split.c — unit tests of the streaming statement splitter
 * (core/restore/sql_split.c).  Every case is also fed one byte at a time and in
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

	/* Parentheses: a multi-action rule, as written by hand and by pg_get_ruledef */
	expect("rule-actions", "CREATE RULE r AS ON DELETE TO t DO (DELETE FROM a WHERE x = old.x; DELETE FROM b); SELECT 1;",
		   "S1:CREATE RULE r AS ON DELETE TO t DO (DELETE FROM a WHERE x = old.x; DELETE FROM b);|S1:SELECT 1;|");
	expect("rule-pg-dump",
		   "CREATE RULE r AS\n    ON DELETE TO public.t DO ( DELETE FROM public.a\n  WHERE (a.x = old.x);\n"
		   " DELETE FROM public.b\n  WHERE (b.y = old.y);\n);\nSELECT 1;",
		   "S1:CREATE RULE r AS\n    ON DELETE TO public.t DO ( DELETE FROM public.a\n  WHERE (a.x = old.x);\n"
		   " DELETE FROM public.b\n  WHERE (b.y = old.y);\n);|S7:SELECT 1;|");
	expect("paren-close-unmatched", "SELECT 1); SELECT 2;", "S1:SELECT 1);|S1:SELECT 2;|");
	expect("paren-quoted", "SELECT '(', \"(\", $$($$, 1 -- (\n; SELECT 2;",
		   "S1:SELECT '(', \"(\", $$($$, 1 -- (\n;|S2:SELECT 2;|");
	expect("paren-unclosed", "SELECT (1; SELECT 2;", "ERR:the script ends inside the statement at line 1");

	/* Empty lines inside a statement: psql drops them, except inside quotes and comments */
	expect("blank-lines", "SELECT 1,\n\n\n  2\n\n;\nSELECT 3;", "S1:SELECT 1,\n  2\n;|S7:SELECT 3;|");
	expect("blank-lines-quoted", "SELECT 'a\n\nb', \"c\n\nd\", E'e\n\nf', $q$\n\n$q$, /*\n\n*/ 1;",
		   "S1:SELECT 'a\n\nb', \"c\n\nd\", E'e\n\nf', $q$\n\n$q$, /*\n\n*/ 1;|");
	expect("blank-lines-around-dollar", "SELECT\n\n$x$a\n\nb$x$\n\n, 2;", "S1:SELECT\n$x$a\n\nb$x$\n, 2;|");
	expect("blank-line-after-comment", "SELECT 1 -- c\n\n;", "S1:SELECT 1 -- c\n;|");
	expect("blank-line-crlf-kept", "SELECT 1\r\n\r\n;", "S1:SELECT 1\r\n\r\n;|");
	expect("blank-line-in-atomic", "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n\nSELECT 1;\n\nEND;\nSELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\nSELECT 1;\nEND;|S7:SELECT 2;|");
	expect("blank-line-before-copy-data", "COPY t\n\nFROM stdin;\n\n\\.\nSELECT 1;", "S1:COPY t\nFROM stdin;|D:\n|E|S6:SELECT 1;|");

	/* BEGIN ATOMIC bodies, with psql's word counting */
	expect("atomic", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nSELECT 3;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;|S2:SELECT 3;|");
	expect("atomic-pg-dump",
		   "CREATE FUNCTION public.f(a integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT (f.a + 1);\nEND;\n\n\n"
		   "ALTER FUNCTION public.f(a integer) OWNER TO postgres;\n",
		   "S1:CREATE FUNCTION public.f(a integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT (f.a + 1);\nEND;|"
		   "S8:ALTER FUNCTION public.f(a integer) OWNER TO postgres;|");
	expect("atomic-case", "create or replace function f(x int) returns int language sql begin atomic "
		   "select case when x > 0 then 1 else 0 end; end; SELECT 2;",
		   "S1:create or replace function f(x int) returns int language sql begin atomic "
		   "select case when x > 0 then 1 else 0 end; end;|S1:SELECT 2;|");
	expect("atomic-procedure", "CREATE /* c */ PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END; SELECT 2;",
		   "S1:CREATE /* c */ PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;|S1:SELECT 2;|");
	expect("case-outside-body", "CREATE FUNCTION f() RETURNS int RETURN CASE WHEN true THEN 1 END; SELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int RETURN CASE WHEN true THEN 1 END;|S1:SELECT 2;|");
	expect("begin-transaction", "BEGIN; SELECT 1; END;", "S1:BEGIN;|S1:SELECT 1;|S1:END;|");
	expect("begin-in-parens", "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1; SELECT 2;",
		   "S1:CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1;|S1:SELECT 2;|");
	expect("begin-quoted", "CREATE FUNCTION f() RETURNS int AS 'begin' LANGUAGE sql; SELECT \"begin\";",
		   "S1:CREATE FUNCTION f() RETURNS int AS 'begin' LANGUAGE sql;|S1:SELECT \"begin\";|");
	expect("begin-not-routine", "CREATE TABLE begin (x int); CREATE OR REPLACE VIEW v AS SELECT 1 AS begin; SELECT 2;",
		   "S1:CREATE TABLE begin (x int);|S1:CREATE OR REPLACE VIEW v AS SELECT 1 AS begin;|S1:SELECT 2;|");
	expect("atomic-number-junk", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1end; END; SELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1end; END;|S1:SELECT 2;|");
	expect("atomic-variable", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a[1:end]::int; END; SELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a[1:end]::int; END;|S1:SELECT 2;|");
	expect("atomic-dollar-name", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT $end; SELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT $end;|S1:SELECT 2;|");
	expect("atomic-identifier-end", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT end$, end_; END; SELECT 2;",
		   "S1:CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT end$, end_; END;|S1:SELECT 2;|");
	expect("atomic-unterminated", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;",
		   "ERR:the script ends inside the statement at line 1");

	/* Tokens that start differently after a number, and long tags */
	expect("dollar-after-number", "SELECT 1$a$;$a$; SELECT 2;", "S1:SELECT 1$a$;$a$;|S1:SELECT 2;|");
	expect("dollar-long-tag",
		   "DO $a123456789012345678901234567890123456789012345678901234567890123456789$ ; "
		   "$a123456789012345678901234567890123456789012345678901234567890123456789$; SELECT 1;",
		   "S1:DO $a123456789012345678901234567890123456789012345678901234567890123456789$ ; "
		   "$a123456789012345678901234567890123456789012345678901234567890123456789$;|S1:SELECT 1;|");

	/* Literals continued after a newline keep their kind: psql sees only \r as one */
	expect("estring-cr-continued", "SELECT E'a'\r'\\'; still'; SELECT 2;", "S1:SELECT E'a'\r'\\'; still';|S1:SELECT 2;|");
	expect("estring-comment-cr-continued", "SELECT E'a' -- c\r '\\'; still'; SELECT 2;",
		   "S1:SELECT E'a' -- c\r '\\'; still';|S1:SELECT 2;|");
	expect("estring-next-line-continued", "SELECT E'a'\n\n \r'\\'; still'; SELECT 2;",
		   "S1:SELECT E'a'\n \r'\\'; still';|S3:SELECT 2;|");
	expect("estring-newline-not-continued", "SELECT E'a'\n'\\'; SELECT 2;", "S1:SELECT E'a'\n'\\';|S2:SELECT 2;|");
	expect("estring-blank-newline-not-continued", "SELECT E'a' \n\r'\\'; SELECT 2;",
		   "S1:SELECT E'a' \n\r'\\';|S2:SELECT 2;|");
	expect("estring-comment-newline-not-continued", "SELECT E'a' -- c\n\r'\\'; SELECT 2;",
		   "S1:SELECT E'a' -- c\n\r'\\';|S2:SELECT 2;|");
	expect("estring-not-continued", "SELECT E'a' '\\'; SELECT 2;", "S1:SELECT E'a' '\\';|S1:SELECT 2;|");
	expect("estring-comment-breaks", "SELECT E'a'\r/* c */ '\\'; SELECT 2;",
		   "S1:SELECT E'a'\r/* c */ '\\';|S1:SELECT 2;|");
	expect("bit-string", "SELECT B'01', X'\\'; SELECT 2;", "S1:SELECT B'01', X'\\';|S1:SELECT 2;|");
	expect("unicode-string", "SELECT U&'\\0061''', U&\"a;\"\"\"; SELECT 2;",
		   "S1:SELECT U&'\\0061''', U&\"a;\"\"\";|S1:SELECT 2;|");

	/* standard_conforming_strings, from the line after the statement that sets it */
	expect("std-off", "SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nSELECT 2;",
		   "S1:SET standard_conforming_strings = off;|S2:SELECT 'a\\';b';|S3:SELECT 2;|");
	expect("std-off-same-line", "SET standard_conforming_strings = off; SELECT 'a\\'; SELECT 'b';\n",
		   "S1:SET standard_conforming_strings = off;|S1:SELECT 'a\\';|S1:SELECT 'b';|");
	expect("std-off-quoted", "set session standard_conforming_strings to 'of';\nSELECT 'a\\';b';",
		   "S1:set session standard_conforming_strings to 'of';|S2:SELECT 'a\\';b';|");
	expect("std-reset", "SET standard_conforming_strings TO off;\nRESET standard_conforming_strings;\nSELECT 'a\\'; SELECT 2;",
		   "S1:SET standard_conforming_strings TO off;|S2:RESET standard_conforming_strings;|S3:SELECT 'a\\';|S3:SELECT 2;|");
	expect("std-off-n-string", "SET standard_conforming_strings = false;\nSELECT N'\\';';",
		   "S1:SET standard_conforming_strings = false;|S2:SELECT N'\\';';|");
	expect("std-off-b-u-strings", "SET standard_conforming_strings = off;\nSELECT B'\\', U&'\\'; SELECT 2;",
		   "S1:SET standard_conforming_strings = off;|S2:SELECT B'\\', U&'\\';|S2:SELECT 2;|");
	expect("std-other-setting", "SET standard_conforming_strings_x = off;\nSELECT 'a\\'; SELECT 2;",
		   "S1:SET standard_conforming_strings_x = off;|S2:SELECT 'a\\';|S2:SELECT 2;|");

	/* psql meta-commands */
	expect("meta", "\\restrict abc\r\nSELECT 1;\n  \\unrestrict abc\n", "M1:\\restrict abc|S2:SELECT 1;|M3:\\unrestrict abc|");
	expect("meta-at-end", "SELECT 1;\n\\connect db", "S1:SELECT 1;|M2:\\connect db|");
	expect("meta-in-statement", "SELECT 1\n\\gset\n;",
		   "ERR:the statement at line 1 holds a backslash outside quotes, which psql reads as a meta-command");
	expect("meta-semicolon", "SELECT 1\\; SELECT 2;",
		   "ERR:the statement at line 1 holds a backslash outside quotes, which psql reads as a meta-command");
	expect("comment-ends-at-cr", "-- a;\rSELECT 1;", "S1:SELECT 1;|");
	expect("copy-comment-after", "COPY t FROM stdin; -- rows\n1\n\\.\n", "S1:COPY t FROM stdin;|D:1\n|E|");
	expect("copy-text-after", "COPY t FROM stdin; SELECT 1;\n1\n\\.\n",
		   "S1:COPY t FROM stdin;|ERR:line 1 holds text after a COPY ... FROM stdin statement, where its data must begin on the next line");

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
