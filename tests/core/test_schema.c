/*
 * test_schema.c — unit tests of the SQL normaliser (core/fingerprint/sql_tokens.c), the
 * canonical schema description and fingerprint (core/fingerprint/schema.c), the diff
 * (core/fingerprint/schema_diff.c) and the check's messages (core/fingerprint/schema_check.c).
 */
#include <stdlib.h>
#include <string.h>

#include "../../core/fingerprint/schema.h"
#include "../../core/fingerprint/schema_check.h"
#include "../../core/fingerprint/schema_diff.h"
#include "../../core/fingerprint/sql_tokens.h"
#include "unit.h"

static const dbk_allocator *A = &dbk_libc_allocator;

/* True when sql normalises to want. */
static int
norm_is(const char *sql, const char *want)
{
	char	   *out = NULL;
	dbk_error	err;
	int			ok;

	if (dbk_sql_normalize(A, sql, strlen(sql), &out, &err) != 0)
		return 0;
	ok = strcmp(out, want) == 0;
	if (!ok)
		fprintf(stderr, "normalised [%s] to [%s], want [%s]\n", sql, out, want);
	free(out);
	return ok;
}

static int
norm_same(const char *x, const char *y)
{
	char	   *a = NULL,
			   *b = NULL;
	dbk_error	err;
	int			ok;

	dbk_sql_normalize(A, x, strlen(x), &a, &err);
	dbk_sql_normalize(A, y, strlen(y), &b, &err);
	ok = a && b && strcmp(a, b) == 0;
	free(a);
	free(b);
	return ok;
}

static void
test_tokenizer(void)
{
	CHECK("schema/tok-keyword-case", norm_is("SELECT A FrOm T", "select a from t"));
	CHECK("schema/tok-whitespace", norm_is("  select\n\ta\r\n ,  b\tfrom t  ", "select a, b from t"));
	CHECK("schema/tok-line-comment", norm_is("select a -- the a column\n from t", "select a from t"));
	CHECK("schema/tok-block-comment", norm_is("select /* x,\n y */ a from/**/t", "select a from t"));
	CHECK("schema/tok-unterminated-comment", norm_is("select a /* never closed", "select a"));
	CHECK("schema/tok-double-quotes", norm_is("select \"A\" from \"T\"", "select a from t"));
	CHECK("schema/tok-brackets", norm_is("select [A] from [T]", "select a from t"));
	CHECK("schema/tok-backticks", norm_is("select `A` from `T`", "select a from t"));
	CHECK("schema/tok-quoted-space", norm_is("select \"My Col\" from t", "select \"my col\" from t"));
	CHECK("schema/tok-quoted-quote", norm_is("select \"a\"\"b\", [x\"y], `c``d` from t",
											 "select \"a\"\"b\", \"x\"\"y\", \"c`d\" from t"));
	CHECK("schema/tok-quoted-digit-start", norm_is("select \"1a\" from t", "select \"1a\" from t"));
	CHECK("schema/tok-string-untouched", norm_is("select 'It''s  A -- not /* comment */' FROM t",
												 "select 'It''s  A -- not /* comment */' from t"));
	CHECK("schema/tok-string-double-quote-inside", norm_is("select 'say \"Hi\"'", "select 'say \"Hi\"'"));
	CHECK("schema/tok-string-case-kept", !norm_same("check (x = 'A')", "check (x = 'a')"));
	CHECK("schema/tok-unterminated-string", norm_is("select 'abc", "select 'abc"));
	CHECK("schema/tok-numbers", norm_is("select 1.5e10, .5, 0x1F, 10", "select 1.5e10, .5, 0x1f, 10"));
	CHECK("schema/tok-blob", norm_is("select X'0aFF'", "select x'0aff'"));
	CHECK("schema/tok-operators", norm_is("a==b AND c<>d OR e!=f||g", "a = b and c != d or e != f || g"));
	CHECK("schema/tok-variables", norm_is("select ?1, :name, @x, $y", "select ?1, :name, @x, $y"));
	CHECK("schema/tok-minus-not-comment", norm_is("a - -1", "a - - 1"));
	CHECK("schema/tok-equivalent-forms",
		  norm_same("CREATE VIEW \"V\" AS SELECT [x] , `y` FROM t WHERE x>0",
					"create   view v as\n  -- comment\n  select x,y from T where (x > 0)") == 0);
	CHECK("schema/tok-equivalent-forms-2",
		  norm_same("CREATE VIEW \"V\" AS SELECT [x] , `y` FROM t WHERE x>0",
					"create   view v as\n  -- comment\n  select x,y from T where x > 0"));
	CHECK("schema/tok-empty", norm_is("", "") && norm_is("  -- only a comment", ""));
	CHECK("schema/tok-unicode-word", norm_is("select \"é\" from Ü", "select é from Ü"));
}

static void
test_helpers(void)
{
	dbk_sql_tokens t;
	dbk_error	err;
	const char *sql = "CHECK (a > (b + 1)) NOT NULL";
	char	   *out = NULL;
	size_t		end;

	CHECK("schema/tok-tokenize", dbk_sql_tokenize(A, sql, strlen(sql), &t, &err) == 0 && t.n == 12);
	CHECK("schema/tok-keyword", dbk_sql_is_keyword(&t, 0, "check") && dbk_sql_is_punct(&t, 1, "("));
	end = dbk_sql_group_end(&t, 1);
	CHECK("schema/tok-group-end", end == 10 && dbk_sql_is_keyword(&t, end, "not"));
	CHECK("schema/tok-join-range", dbk_sql_join(&t, 2, end - 1, &out, &err) == 0 &&
		  strcmp(out, "a > (b + 1)") == 0);
	free(out);
	dbk_sql_tokens_free(&t);
	CHECK("schema/tok-quoted-not-keyword",
		  dbk_sql_tokenize(A, "\"check\" check", 13, &t, &err) == 0 &&
		  !dbk_sql_is_keyword(&t, 0, "check") && dbk_sql_is_keyword(&t, 1, "check"));
	dbk_sql_tokens_free(&t);
}

static void
fill(dbk_schema *s, int variant)
{
	dbk_error	err;

	dbk_schema_init(s, A, DBK_SCHEMA_FORMAT_SQLITE);
	/* Added in different orders: the description must not care. */
	if (variant == 0)
	{
		dbk_schema_add(s, "table", "t", "a integer, b text", &err);
		dbk_schema_add(s, "index", "t_b", "on t(b)", &err);
		dbk_schema_add(s, "view", "v", "select a\tfrom t\nwhere a > 0", &err);
	}
	else
	{
		dbk_schema_add(s, "view", "v", "select a\tfrom t\nwhere a > 0", &err);
		dbk_schema_add(s, "index", "t_b", "on t(b)", &err);
		dbk_schema_add(s, "table", "t", "a integer, b text", &err);
	}
	dbk_schema_sort(s);
}

static void
test_description(void)
{
	dbk_schema	a,
				b,
				p;
	dbk_error	err;
	char		ha[65],
				hb[65],
				hp[65];
	char	   *text = NULL;
	size_t		len = 0;

	fill(&a, 0);
	fill(&b, 1);
	CHECK("schema/desc-order-independent", dbk_schema_fingerprint(&a, ha, &err) == 0 &&
		  dbk_schema_fingerprint(&b, hb, &err) == 0 && strcmp(ha, hb) == 0);
	CHECK("schema/desc-fingerprint-form", strlen(ha) == 64 && dbk_schema_is_fingerprint(ha) &&
		  strspn(ha, "0123456789abcdef") == 64);
	CHECK("schema/desc-text", dbk_schema_text(&a, &text, &len, &err) == 0 &&
		  strcmp(text, "dbkeeper-schema 2\nindex\tt_b\ton t(b)\ntable\tt\ta integer, b text\n"
				 "view\tv\tselect a\\tfrom t\\nwhere a > 0\n") == 0 && len == strlen(text));
	CHECK("schema/desc-parse-roundtrip", (dbk_schema_init(&p, A, DBK_SCHEMA_FORMAT_SQLITE), dbk_schema_parse(&p, text, len, "x", &err)) == 0 &&
		  p.n == 3 && dbk_schema_fingerprint(&p, hp, &err) == 0 && strcmp(hp, ha) == 0 &&
		  strcmp(p.rows[2].definition, "select a\tfrom t\nwhere a > 0") == 0);
	dbk_schema_free(&p);
	free(text);

	/*
	 * The digest is taken piece by piece: the same as the text's, over more
	 * than one piece (64 kB) and with every escape.
	 */
	{
		dbk_schema	big;
		char		hd[65],
					ht[65],
					name[32];

		dbk_schema_init(&big, A, DBK_SCHEMA_FORMAT_POSTGRESQL);
		for (int i = 0; i < 5000; i++)
		{
			snprintf(name, sizeof(name), "t%05d", i);
			dbk_schema_add(&big, "table", name, "a\tb\\c\nd\re, a definition long enough to fill pieces", &err);
		}
		dbk_schema_sort(&big);
		CHECK("schema/desc-digest-in-pieces", dbk_schema_fingerprint(&big, hd, &err) == 0 &&
			  dbk_schema_text(&big, &text, &len, &err) == 0 && len > 3 * 65536 &&
			  dbk_sha256_hex(text, len, ht, &err) == 0 && strcmp(hd, ht) == 0);
		free(text);
		dbk_schema_free(&big);
	}

	/* A known value: the empty description. */
	dbk_schema_init(&p, A, DBK_SCHEMA_FORMAT_SQLITE);
	/* printf 'dbkeeper-schema 2\n' | sha256sum */
	CHECK("schema/desc-empty-sha256", dbk_schema_fingerprint(&p, hp, &err) == 0 &&
		  strcmp(hp, "db8cc1bc40c403f6ede0eeadd02a03b012bb4d310a10635323b926d2f7039cc5") == 0);
	dbk_schema_free(&p);

	dbk_schema_init(&p, A, DBK_SCHEMA_FORMAT_SQLITE);
	CHECK("schema/parse-bad-first-line", dbk_schema_parse(&p, "hello\n", 6, "backup \"b\"", &err) != 0 &&
		  err.kind == DBK_E_CORRUPT && strstr(err.message, "backup \"b\"") != NULL);
	CHECK("schema/parse-other-format", dbk_schema_parse(&p, "dbkeeper-schema 1\n", 18, "b", &err) != 0 &&
		  err.kind == DBK_E_INVALID && strstr(err.message, "canonical form 1, this dbkeeper describes schemas in form 2") != NULL);
	dbk_schema_free(&p);
	/* PostgreSQL's descriptions are in form 3: its first line says so, and form 2 is refused */
	dbk_schema_init(&p, A, DBK_SCHEMA_FORMAT_POSTGRESQL);
	CHECK("schema/pg-form-3", dbk_schema_text(&p, &text, &len, &err) == 0 &&
		  strcmp(text, "dbkeeper-schema 3\n") == 0);
	free(text);
	CHECK("schema/pg-parse-form-2", dbk_schema_parse(&p, "dbkeeper-schema 2\n", 18, "b", &err) != 0 &&
		  err.kind == DBK_E_INVALID && strstr(err.message, "canonical form 2, this dbkeeper describes schemas in form 3") != NULL);
	dbk_schema_free(&p);
	dbk_schema_init(&p, A, DBK_SCHEMA_FORMAT_SQLITE);
	CHECK("schema/parse-missing-field", dbk_schema_parse(&p, "dbkeeper-schema 2\ntable\tt\n", 26, "b", &err) != 0 &&
		  strstr(err.message, "line 2") != NULL);
	CHECK("schema/parse-bad-escape", dbk_schema_parse(&p, "dbkeeper-schema 2\ntable\tt\ta\\x\n", 30, "b", &err) != 0 &&
		  strstr(err.message, "bad escape") != NULL);
	dbk_schema_free(&p);
	dbk_schema_free(&a);
	dbk_schema_free(&b);
}

static void
test_diff(void)
{
	dbk_schema	before,
				after;
	dbk_schema_diff d;
	dbk_error	err;

	dbk_schema_init(&before, A, DBK_SCHEMA_FORMAT_SQLITE);
	dbk_schema_init(&after, A, DBK_SCHEMA_FORMAT_SQLITE);
	dbk_schema_add(&before, "table", "a", "x integer", &err);
	dbk_schema_add(&before, "table", "b", "x integer", &err);
	dbk_schema_add(&before, "index", "b_x", "on b(x)", &err);
	dbk_schema_add(&after, "table", "a", "x integer", &err);
	dbk_schema_add(&after, "table", "b", "x text", &err);
	dbk_schema_add(&after, "view", "c", "select 1", &err);
	dbk_schema_sort(&before);
	dbk_schema_sort(&after);
	CHECK("schema/diff-make", dbk_schema_diff_make(A, &before, &after, &d, &err) == 0 && d.n == 3);
	CHECK("schema/diff-removed", d.n == 3 && strcmp(d.items[0].change, "removed") == 0 &&
		  strcmp(d.items[0].kind, "index") == 0 && strcmp(d.items[0].name, "b_x") == 0);
	CHECK("schema/diff-changed", d.n == 3 && strcmp(d.items[1].change, "changed") == 0 &&
		  strcmp(d.items[1].name, "b") == 0);
	CHECK("schema/diff-added", d.n == 3 && strcmp(d.items[2].change, "added") == 0 &&
		  strcmp(d.items[2].kind, "view") == 0);
	dbk_schema_diff_free(&d);
	CHECK("schema/diff-same", dbk_schema_diff_make(A, &after, &after, &d, &err) == 0 && d.n == 0);
	dbk_schema_diff_free(&d);
	dbk_schema_free(&before);
	dbk_schema_free(&after);
}

static void
test_check(void)
{
	const char *fp1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *fp2 = "2222222222222222222222222222222222222222222222222222222222222222";
	dbk_error	err;

	CHECK("schema/check-version-ok", dbk_schema_check_decide("1.0", fp1, fp1, "1.0", &err) == 0);
	CHECK("schema/check-fingerprint-ok", dbk_schema_check_decide(fp1, NULL, fp1, NULL, &err) == 0);
	CHECK("schema/check-fingerprint-upper", dbk_schema_check_decide(
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, &err) == 0);
	CHECK("schema/check-version-mismatch", dbk_schema_check_decide("1.0", fp1, fp2, "1.1", &err) != 0 &&
		  strcmp(err.message, "database schema is not version \"1.0\"") == 0 &&
		  strstr(err.detail, fp1) && strstr(err.detail, fp2) && strstr(err.detail, "\"1.1\""));
	CHECK("schema/check-unregistered-found", dbk_schema_check_decide(fp1, NULL, fp2, NULL, &err) != 0 &&
		  strstr(err.message, "does not have fingerprint") && strstr(err.detail, "matches no registered version"));
	CHECK("schema/check-unknown-version", dbk_schema_check_decide("9.9", NULL, fp2, NULL, &err) != 0 &&
		  strcmp(err.message, "schema version \"9.9\" is not registered") == 0);
	CHECK("schema/version-name", dbk_schema_version_check("1.0-rc1", &err) == 0 &&
		  dbk_schema_version_check("", &err) != 0 && dbk_schema_version_check("a b", &err) != 0 &&
		  dbk_schema_version_check(NULL, &err) != 0);
	CHECK("schema/register-conflict", dbk_schema_register_conflict("1.0", fp1, fp2, &err) != 0 &&
		  strstr(err.message, "already registered") && strstr(err.detail, fp2));
}

int
main(void)
{
	test_tokenizer();
	test_helpers();
	test_description();
	test_diff();
	test_check();
	return unit_exit();
}
