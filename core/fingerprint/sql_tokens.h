/*
 * sql_tokens.h — a tokenizer and normaliser for the SQL text SQLite stores
 * in sqlite_schema (CREATE VIEW, CREATE TRIGGER, CHECK constraints, partial
 * index WHERE clauses, generated columns, defaults).
 *
 * Normalisation, so that text that means the same reads the same:
 *   - whitespace and comments (-- to end of line, C-style block) vanish;
 *   - keywords and identifiers fold to ASCII lower case (SQLite compares
 *     identifiers case-insensitively, quoted or not);
 *   - identifier quoting ("x", [x], `x`) is removed when the folded name is a
 *     plain word ([a-z_][a-z0-9_$]*); any other name is written "like ""this""",
 *     so that the result stays unambiguous;
 *   - string literals ('it''s') are kept byte for byte, and so are
 *     variables; numbers and blob literals fold to lower case (x'ab', 0xff,
 *     1e5), which SQLite reads the same;
 *   - tokens are joined by one space, except after "(" and ".", before
 *     ")", ",", "." and ";", and between a word and "(".
 * The tokenizer never fails on odd input: an unterminated literal or comment
 * runs to the end of the text.  Bytes >= 0x80 are part of words, as in SQLite.
 */
#ifndef DBK_SQL_TOKENS_H
#define DBK_SQL_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"

typedef enum dbk_sql_token_kind
{
	DBK_TOK_WORD,				/* keyword or identifier, quoted or not */
	DBK_TOK_STRING,				/* '...' */
	DBK_TOK_NUMBER,
	DBK_TOK_BLOB,				/* x'...' */
	DBK_TOK_VARIABLE,			/* ?, ?1, :a, @a, $a */
	DBK_TOK_PUNCT				/* operators and punctuation */
} dbk_sql_token_kind;

typedef struct dbk_sql_token
{
	dbk_sql_token_kind kind;
	bool		quoted;			/* a WORD written with quotes: never a keyword */
	char	   *text;			/* normalised text, NUL-terminated */
	size_t		start;			/* where the token is in the text tokenized */
	size_t		len;			/* and its length there */
} dbk_sql_token;

typedef struct dbk_sql_tokens
{
	const dbk_allocator *a;
	dbk_sql_token *items;
	size_t		n;
	size_t		cap;
} dbk_sql_tokens;

/* Splits len bytes of sql into out (initialised here; free with dbk_sql_tokens_free). */
int			dbk_sql_tokenize(const dbk_allocator *a, const char *sql, size_t len,
							 dbk_sql_tokens *out, dbk_error *err);
void		dbk_sql_tokens_free(dbk_sql_tokens *t);

/* True when token i is the unquoted keyword kw (lower case). */
bool		dbk_sql_is_keyword(const dbk_sql_tokens *t, size_t i, const char *kw);
/* True when token i is the punctuation p. */
bool		dbk_sql_is_punct(const dbk_sql_tokens *t, size_t i, const char *p);

/*
 * The index just past the parenthesised group that opens at token i (which
 * must be "("), or t->n when it never closes.
 */
size_t		dbk_sql_group_end(const dbk_sql_tokens *t, size_t i);

/* Joins tokens [from, to) in normalised form into a new string (*out). */
int			dbk_sql_join(const dbk_sql_tokens *t, size_t from, size_t to, char **out,
						 dbk_error *err);

/* The canonical form of a raw identifier (as sqlite_schema or a pragma gives it). */
int			dbk_sql_ident(const dbk_allocator *a, const char *raw, char **out, dbk_error *err);

/* Tokenizes and joins in one step: the normalised form of sql. */
int			dbk_sql_normalize(const dbk_allocator *a, const char *sql, size_t len, char **out,
							  dbk_error *err);

#endif
