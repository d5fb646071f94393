/*
 * sql_split.h — splits a PostgreSQL SQL script, as dbkeeper's backups and
 * pg_dump's plain format write it, into statements and COPY data, streaming,
 * where psql splits it (its rules are in sql_split.c).
 *
 * It understands '...' strings (with '' inside), E'...' strings (with
 * backslash escapes), B'', X'', N'' and U&'' strings, literals continued
 * as psql continues them (it reads a line at a time), "quoted identifiers",
 * $tag$ dollar quoting, -- line comments, nested block comments
 * (slash-star), parentheses, the BEGIN ... END bodies of SQL-standard
 * functions and procedures, standard_conforming_strings (on at the start, as
 * PostgreSQL's default) as SET and RESET change it, and COPY ... FROM stdin;
 * statements, after which the following lines up to a line "\." are COPY
 * data.  A psql meta-command (a backslash outside quotes) on a line of
 * its own is handed out as such; inside a statement it is an error.
 *
 * Where it differs from psql, on purpose: a script that ends inside a
 * statement is an error (psql would send the rest), psql variables (:name)
 * are not substituted, and standard_conforming_strings changed other than
 * by SET or RESET (set_config, a rolled-back transaction) is not followed.
 *
 * Memory: the splitter buffers at most one statement plus what one feed
 * brings; COPY data is handed out as it arrives, whole lines at a time, and
 * never accumulates.  A statement longer than the limit given at creation is
 * an error, so a damaged script cannot exhaust memory.
 *
 * Use: feed() bytes, then call next() until it says DBK_SPLIT_MORE; at end of
 * input call finish() and drain next() until DBK_SPLIT_END.  Text handed out
 * by next() stays valid until the following feed() or next().
 */
#ifndef DBK_SQL_SPLIT_H
#define DBK_SQL_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"

typedef enum dbk_split_event
{
	DBK_SPLIT_MORE,				/* feed more input (or finish) */
	DBK_SPLIT_STATEMENT,		/* a complete statement, with its ';' */
	DBK_SPLIT_COPY_DATA,		/* whole lines of COPY data, with their '\n' */
	DBK_SPLIT_COPY_END,			/* the "\." line that ends COPY data */
	DBK_SPLIT_META,				/* a psql meta-command: its line, without the newline */
	DBK_SPLIT_END				/* all input consumed */
} dbk_split_event;

typedef struct dbk_splitter dbk_splitter;

dbk_splitter *dbk_splitter_new(const dbk_allocator *a, size_t max_statement, dbk_error *err);
void		dbk_splitter_free(dbk_splitter *s);

int			dbk_splitter_feed(dbk_splitter *s, const char *buf, size_t len, dbk_error *err);
void		dbk_splitter_finish(dbk_splitter *s);

/*
 * The next event.  For STATEMENT and COPY_DATA, *text and *len give the
 * bytes (META too); *line is the 1-based line where they start (for error
 * messages).
 */
int			dbk_splitter_next(dbk_splitter *s, dbk_split_event *ev, const char **text,
							  size_t *len, uint64_t *line, dbk_error *err);

/* True when a statement is "COPY ... FROM stdin", ignoring case and comments. */
int			dbk_sql_is_copy_from_stdin(const char *stmt, size_t len);

#endif
