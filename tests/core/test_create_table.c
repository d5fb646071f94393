/*
 * test_create_table.c — unit tests of core/fingerprint/create_table.c: what a CREATE
 * TABLE text says, read without caps; the spellings SQLite treats as equal
 * read as equal; text outside SQLite's grammar refused; DEFAULT values,
 * index keys and trigger texts in canonical form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/fingerprint/create_table.h"
#include "unit.h"

static const dbk_allocator *A = &dbk_libc_allocator;

/* A one-line summary of what sql says, in *buf: "cols | pk | clauses | flags". */
static const char *
summary(const char *sql, char *buf, size_t size)
{
	dbk_create_table t;
	dbk_error	err;
	size_t		n = 0;

	if (dbk_create_table_parse(A, sql, strlen(sql), &t, &err) != 0)
	{
		snprintf(buf, size, "error: %s", err.message);
		dbk_create_table_free(&t);
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < t.ncols; i++)
		n += (size_t) snprintf(buf + n, size - n, "%s%s%s%s%s%s%s%s", i ? ", " : "", t.cols[i].name,
							   t.cols[i].collate ? " collate " : "", t.cols[i].collate ? t.cols[i].collate : "",
							   t.cols[i].generated ? " as " : "", t.cols[i].generated ? t.cols[i].generated : "",
							   t.cols[i].notnull_conflict ? " nn " : "",
							   t.cols[i].notnull_conflict ? t.cols[i].notnull_conflict : "");
	n += (size_t) snprintf(buf + n, size - n, " | pk(");
	for (size_t i = 0; i < t.npk; i++)
		n += (size_t) snprintf(buf + n, size - n, "%s%s%s%s%s", i ? ", " : "", t.pk[i].name,
							   t.pk[i].collate ? " collate " : "", t.pk[i].collate ? t.pk[i].collate : "",
							   t.pk[i].desc ? " desc" : "");
	n += (size_t) snprintf(buf + n, size - n, ")%s%s%s%s", t.pk_conflict ? " " : "",
						   t.pk_conflict ? t.pk_conflict : "", t.pk_on_column_desc ? " coldesc" : "",
						   t.autoincrement ? " autoinc" : "");
	for (size_t i = 0; i < t.nclauses && n < size; i++)
		n += (size_t) snprintf(buf + n, size - n, " | %s", t.clauses[i]);
	if (n < size)
		snprintf(buf + n, size - n, "%s%s", t.without_rowid ? " | without rowid" : "",
				 t.strict ? " | strict" : "");
	dbk_create_table_free(&t);
	return buf;
}

static int
says(const char *sql, const char *want)
{
	char		buf[4096];
	const char *got = summary(sql, buf, sizeof(buf));

	if (strcmp(got, want) == 0)
		return 1;
	fprintf(stderr, "%s\n  got  [%s]\n  want [%s]\n", sql, got, want);
	return 0;
}

static int
same(const char *x, const char *y)
{
	char		a[4096],
				b[4096];

	summary(x, a, sizeof(a));
	summary(y, b, sizeof(b));
	if (strcmp(a, b) == 0 && strncmp(a, "error", 5) != 0)
		return 1;
	fprintf(stderr, "[%s]\n  vs [%s]\n", a, b);
	return 0;
}

static int
differ(const char *x, const char *y)
{
	char		a[4096],
				b[4096];

	summary(x, a, sizeof(a));
	summary(y, b, sizeof(b));
	return strcmp(a, b) != 0 && strncmp(a, "error", 5) != 0 && strncmp(b, "error", 5) != 0;
}

static int
refused(const char *sql, const char *part)
{
	char		buf[4096];

	summary(sql, buf, sizeof(buf));
	if (strncmp(buf, "error: ", 7) == 0 && strstr(buf, part))
		return 1;
	fprintf(stderr, "%s\n  got [%s], want an error with [%s]\n", sql, buf, part);
	return 0;
}

static int
default_is(const char *dflt, const char *want)
{
	char	   *out = NULL;
	dbk_error	err;
	int			ok = dbk_ct_default(A, dflt, &out, &err) == 0 && strcmp(out, want) == 0;

	if (!ok)
		fprintf(stderr, "default [%s] gave [%s], want [%s]\n", dflt, out ? out : "(error)", want);
	free(out);
	return ok;
}

static int
index_is(const char *table_sql, const char *sql, const char *want)
{
	dbk_create_table t;
	dbk_error	err;
	char	   *out = NULL;
	int			ok;

	if (dbk_create_table_parse(A, table_sql, strlen(table_sql), &t, &err) != 0)
		return 0;
	ok = dbk_ct_index(A, sql, strlen(sql), "t", &t, &out, &err) == 0 && strcmp(out, want) == 0;
	if (!ok)
		fprintf(stderr, "index [%s] gave [%s], want [%s]\n", sql, out ? out : err.message, want);
	free(out);
	dbk_create_table_free(&t);
	return ok;
}

static int
text_is(const char *sql, const char *what, const char *want)
{
	dbk_error	err;
	char	   *out = NULL;
	int			ok = dbk_ct_text(A, sql, strlen(sql), what, &out, &err) == 0 && strcmp(out, want) == 0;

	if (!ok)
		fprintf(stderr, "text [%s] gave [%s], want [%s]\n", sql, out ? out : "(error)", want);
	free(out);
	return ok;
}

/* "CREATE TABLE t(x CHECK (x IN (1, 2, ..., n)), y AS (y0) ...)" and the like, built big. */
static char *
big_in_list(size_t n)
{
	char	   *s = malloc(16 * n + 200);
	size_t		k = (size_t) sprintf(s, "CREATE TABLE t(x INTEGER CHECK (x IN (");

	for (size_t i = 0; i < n; i++)
		k += (size_t) sprintf(s + k, "%s%zu", i ? ", " : "", i);
	sprintf(s + k, ")), y GENERATED ALWAYS AS (x + 1))");
	return s;
}

static char *
many_checks(size_t n)
{
	char	   *s = malloc(32 * n + 200);
	size_t		k = (size_t) sprintf(s, "CREATE TABLE t(x");

	for (size_t i = 0; i < n; i++)
		k += (size_t) sprintf(s + k, ", CHECK (x <> %zu)", i);
	sprintf(s + k, ")");
	return s;
}

static char *
many_columns(size_t n)
{
	char	   *s = malloc(48 * n + 200);
	size_t		k = (size_t) sprintf(s, "CREATE TABLE t(");

	for (size_t i = 0; i < n; i++)
		k += (size_t) sprintf(s + k, "%sc%zu TEXT DEFAULT 'a long default value %zu'", i ? ", " : "", i, i);
	sprintf(s + k, ", last AS (c0 || 'z'))");
	return s;
}

int
main(void)
{
	char		buf[4096];
	char	   *big;

	CHECK("create_table/columns", says("CREATE TABLE t(a INTEGER PRIMARY KEY, \"B\" TEXT COLLATE NOCASE NOT NULL, c)",
									   "a, b collate nocase, c | pk(a)"));
	CHECK("create_table/not-a-table", says("CREATE VIEW v AS SELECT 1", " | pk()"));
	CHECK("create_table/options", says("CREATE TABLE t(a TEXT PRIMARY KEY) WITHOUT ROWID, STRICT",
									   "a | pk(a) | without rowid | strict"));
	/* ON CONFLICT clauses: the default ABORT left out, the others kept. */
	CHECK("create_table/on-conflict", says("CREATE TABLE t(a NOT NULL ON CONFLICT IGNORE, b UNIQUE ON CONFLICT REPLACE, "
										   "c PRIMARY KEY ON CONFLICT FAIL)",
										   "a nn ignore, b, c | pk(c) fail | unique(b) on conflict replace"));
	CHECK("create_table/on-conflict-abort", same("CREATE TABLE t(a NOT NULL ON CONFLICT ABORT, b UNIQUE ON CONFLICT ABORT)",
												 "CREATE TABLE t(a NOT NULL, b, UNIQUE(b))"));
	CHECK("create_table/on-conflict-differs", differ("CREATE TABLE t(x UNIQUE)", "CREATE TABLE t(x UNIQUE ON CONFLICT IGNORE)"));
	CHECK("create_table/table-pk-conflict", says("CREATE TABLE t(a, b, PRIMARY KEY(a, b) ON CONFLICT ROLLBACK)",
												 "a, b | pk(a, b) rollback"));
	/* Foreign keys: actions, DEFERRABLE, MATCH ignored, a lone DEFERRABLE. */
	CHECK("create_table/fk", says("CREATE TABLE t(a REFERENCES p(id) ON DELETE CASCADE MATCH FULL, b, "
								  "FOREIGN KEY(a, b) REFERENCES q DEFERRABLE INITIALLY DEFERRED)",
								  "a, b | pk() | foreign key(a) references p(id) on update no action on delete cascade"
								  " | foreign key(a, b) references q on update no action on delete no action deferrable initially deferred"));
	CHECK("create_table/fk-deferred-differs", differ("CREATE TABLE t(a REFERENCES p(id))",
													 "CREATE TABLE t(a REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"));
	CHECK("create_table/fk-immediate-same", same("CREATE TABLE t(a REFERENCES p(id) NOT DEFERRABLE INITIALLY DEFERRED)",
												 "CREATE TABLE t(a REFERENCES p(id) DEFERRABLE INITIALLY IMMEDIATE)"));
	CHECK("create_table/fk-match-ignored", same("CREATE TABLE t(a REFERENCES p(id) MATCH SIMPLE ON UPDATE SET NULL)",
												"CREATE TABLE t(a, FOREIGN KEY (a) REFERENCES p (id) ON UPDATE SET NULL)"));
	CHECK("create_table/fk-lone-deferrable", same("CREATE TABLE t(a REFERENCES p(id), b DEFERRABLE INITIALLY DEFERRED)",
												  "CREATE TABLE t(a REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED, b)"));
	/* Primary keys: DESC on the column, COLLATE and DESC of table-level keys, AUTOINCREMENT. */
	CHECK("create_table/pk-column-desc", says("CREATE TABLE t(id INTEGER PRIMARY KEY DESC)", "id | pk(id desc) coldesc"));
	CHECK("create_table/pk-table-desc", says("CREATE TABLE t(id INTEGER, PRIMARY KEY(id DESC))", "id | pk(id desc)"));
	CHECK("create_table/pk-keys", says("CREATE TABLE t(a, b COLLATE RTRIM, PRIMARY KEY(a COLLATE NOCASE, b DESC))",
									   "a, b collate rtrim | pk(a collate nocase, b collate rtrim desc)"));
	CHECK("create_table/pk-key-collate-differs", differ("CREATE TABLE t(a, b, PRIMARY KEY(a, b))",
														"CREATE TABLE t(a, b, PRIMARY KEY(a, b COLLATE NOCASE))"));
	CHECK("create_table/autoincrement-placement", same("CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT)",
													   "CREATE TABLE t(id INTEGER, PRIMARY KEY(id AUTOINCREMENT))"));
	CHECK("create_table/autoincrement", says("CREATE TABLE t(id INTEGER, PRIMARY KEY(id AUTOINCREMENT))", "id | pk(id) autoinc"));
	CHECK("create_table/collate-after-pk", says("CREATE TABLE t(a TEXT PRIMARY KEY COLLATE NOCASE UNIQUE)",
												"a collate nocase | pk(a collate nocase) | unique(a collate nocase)"));
	CHECK("create_table/no-commas", says("CREATE TABLE t(a, b, CONSTRAINT k PRIMARY KEY(a) UNIQUE(b) CHECK(a > b))",
										 "a, b | pk(a) | check(a > b) | unique(b)"));
	CHECK("create_table/equal-uniques-once", says("CREATE TABLE t(a UNIQUE, UNIQUE(a))", "a | pk() | unique(a)"));
	/* SQLite's double-quoted strings: a "word" that names no column is a string, case kept. */
	CHECK("create_table/dqs-check", same("CREATE TABLE t(s CHECK (s IN (\"Active\")), t)",
										 "CREATE TABLE t(s CHECK (s IN ('Active')), t)"));
	CHECK("create_table/dqs-case", differ("CREATE TABLE t(s CHECK (s IN (\"Active\")))",
										  "CREATE TABLE t(s CHECK (s IN (\"ACTIVE\")))"));
	CHECK("create_table/dqs-column", says("CREATE TABLE t(\"S\" CHECK (\"S\" <> \"s2\"), s2, g AS (\"Q\"))",
										  "s, s2, g as 'Q' | pk() | check(s != s2)"));
	CHECK("create_table/generated", says("CREATE TABLE t(a, b INT GENERATED ALWAYS AS (a*2) STORED, c AS (lower(a)) VIRTUAL)",
										 "a, b as a * 2, c as lower(a) | pk()"));
	CHECK("create_table/check-collate-not-column", says("CREATE TABLE t(a TEXT CHECK (a COLLATE NOCASE <> 'x'))",
														"a | pk() | check(a collate nocase != 'x')"));
	CHECK("create_table/type-words", says("CREATE TABLE t(a UNSIGNED BIG INT(10, 2) 'x' DEFAULT -1, b VARCHAR (3) DEFAULT (1 + 2))",
										  "a, b | pk()"));
	CHECK("create_table/string-names", says("CREATE TABLE t('My Col' TEXT, PRIMARY KEY('My Col'))",
											"\"my col\" | pk(\"my col\")"));
	/* No caps: everything is read. */
	big = big_in_list(2100);
	summary(big, buf, sizeof(buf));
	CHECK("create_table/long-in-list", strstr(buf, "check(x in(0, 1, 2") != NULL && strstr(buf, "y as x + 1") != NULL);
	free(big);
	big = many_checks(5000);
	{
		dbk_create_table t;
		dbk_error	err;

		CHECK("create_table/5000-checks", dbk_create_table_parse(A, big, strlen(big), &t, &err) == 0 &&
			  t.nclauses == 5000);
		dbk_create_table_free(&t);
	}
	free(big);
	big = many_columns(3000);
	{
		dbk_create_table t;
		dbk_error	err;

		CHECK("create_table/3000-columns", dbk_create_table_parse(A, big, strlen(big), &t, &err) == 0 &&
			  t.ncols == 3001 && t.cols[3000].generated && strcmp(t.cols[3000].generated, "c0 || 'z'") == 0);
		dbk_create_table_free(&t);
	}
	free(big);
	/* What it cannot read is an error naming the token. */
	CHECK("create_table/refuses-unknown", refused("CREATE TABLE t(a INTEGER PRIMARY KEY WHATEVER)", "unexpected \"whatever\""));
	CHECK("create_table/refuses-unclosed", refused("CREATE TABLE t(a, b", "ends too early"));
	CHECK("create_table/refuses-empty-item", refused("CREATE TABLE t(a,, b)", "unexpected"));
	CHECK("create_table/refuses-two-pks", refused("CREATE TABLE t(a PRIMARY KEY, b, PRIMARY KEY(b))", "more than one primary key"));
	CHECK("create_table/refuses-bad-option", refused("CREATE TABLE t(a) WITHOUT ROWS", "unexpected \"without\""));
	CHECK("create_table/refuses-pk-expression", refused("CREATE TABLE t(a, PRIMARY KEY(a + 1))", "unexpected \"+\""));
	/* Refused after an ON CONFLICT clause was read: nothing leaks (the sanitizers' run). */
	CHECK("create_table/refuses-default-after-conflict",
		  refused("CREATE TABLE t(a INTEGER PRIMARY KEY ON CONFLICT IGNORE DEFAULT <<)", "a DEFAULT clause"));
	CHECK("create_table/refuses-check-after-conflict",
		  refused("CREATE TABLE t(a UNIQUE ON CONFLICT REPLACE CHECK (a > 1, b)", "ends too early"));
	CHECK("create_table/refuses-generated-after-conflict",
		  refused("CREATE TABLE t(a PRIMARY KEY ON CONFLICT FAIL AS (a + 1, b)", "ends too early"));
	/* DEFAULT values. */
	CHECK("create_table/default-word", default_is("Abc", "'Abc'"));
	CHECK("create_table/default-quoted-word", default_is("\"Abc\"", "'Abc'"));
	CHECK("create_table/default-bracket-word", default_is("[A'b]", "'A''b'"));
	CHECK("create_table/default-string", default_is("'Abc'", "'Abc'"));
	CHECK("create_table/default-keyword", default_is("CURRENT_TIMESTAMP", "current_timestamp"));
	CHECK("create_table/default-true", default_is("TRUE", "true"));
	CHECK("create_table/default-quoted-true", default_is("\"true\"", "'true'"));
	CHECK("create_table/default-expression", default_is("1+\"Ab\"", "1 + 'Ab'"));
	CHECK("create_table/default-blob-case", default_is("X'aB'", "x'ab'"));
	/* Index keys. */
	CHECK("create_table/index-collate-column", index_is("CREATE TABLE t(a COLLATE NOCASE, b)",
														"CREATE INDEX i ON t(a COLLATE nocase, b COLLATE BINARY ASC)", "on t(a, b)"));
	CHECK("create_table/index-collate-other", index_is("CREATE TABLE t(a COLLATE NOCASE, b)",
													   "CREATE UNIQUE INDEX i ON t(a COLLATE binary DESC, b COLLATE rtrim) WHERE a > 1",
													   "unique on t(a collate binary desc, b collate rtrim) where a > 1"));
	CHECK("create_table/index-expression", index_is("CREATE TABLE t(a)", "CREATE INDEX i ON t(lower(a) DESC, (a + 1))",
													"on t(lower(a) desc, (a + 1))"));
	/* Triggers: FOR EACH ROW written or not. */
	CHECK("create_table/trigger-for-each-row", text_is("CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW BEGIN SELECT 1; END",
													   "trigger", "after insert on t begin select 1; end"));
	CHECK("create_table/trigger-plain", text_is("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 'for each row'; END",
												"trigger", "after insert on t begin select 'for each row'; end"));
	return unit_exit();
}
