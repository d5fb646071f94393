/*
 * copy_rows.h — COPY text-format lines cut into fields, outside the server.
 *
 * The rows of a backup's COPY blocks are parsed here, on the restore's
 * reader thread, so that the backend only converts and stores values.  The
 * rules are COPY's text format (PostgreSQL docs, "COPY", File Formats): a
 * line ends with "\n", fields are separated by a tab, a field that is
 * exactly \N is NULL, and a backslash escapes the next character: \b \f \n
 * \r \t \v stand for those control characters, \ooo (1 to 3 octal digits)
 * and \xhh (1 or 2 hex digits) for a byte, and a backslash before any other
 * character stands for that character ("\x" without a hex digit is "x").
 * As COPY does with "\n" line endings, a carriage return in the data and a
 * "\." anywhere but alone on the last line are errors.
 *
 * Each field comes out unescaped and NUL-terminated, with a flag saying
 * whether it is plain: 7-bit ASCII without a NUL byte.  Only fields that are
 * not plain need the server's encoding check, and a plain field has as many
 * characters as bytes in every server encoding.
 *
 * A batch grows as lines are added and is emptied for reuse; memory is
 * proportional to the lines in it.  Not thread-safe: one thread per batch.
 */
#ifndef DBK_COPY_ROWS_H
#define DBK_COPY_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"

#define DBK_COPY_NULL_FIELD SIZE_MAX	/* start of a NULL field */

typedef struct dbk_copy_rows
{
	const dbk_allocator *a;
	char	   *text;			/* the fields, each followed by a NUL */
	size_t		text_len;
	size_t		text_cap;
	size_t	   *start;			/* per field: offset in text, or DBK_COPY_NULL_FIELD */
	size_t	   *len;			/* per field: bytes, without the NUL */
	bool	   *plain;			/* per field: 7-bit ASCII, no NUL byte */
	size_t		nfields;
	size_t		fields_cap;
	size_t	   *row_first;		/* per row: its first field; row_first[nrows] == nfields */
	size_t		nrows;
	size_t		rows_cap;
} dbk_copy_rows;

void		dbk_copy_rows_init(dbk_copy_rows *b, const dbk_allocator *a);
void		dbk_copy_rows_reset(dbk_copy_rows *b);
void		dbk_copy_rows_free(dbk_copy_rows *b);

/*
 * Adds one line, given without its "\n".  On an error the line is not
 * added; the message says what is wrong with it, the caller adds where.
 */
int			dbk_copy_rows_add_line(dbk_copy_rows *b, const char *line, size_t len,
								   dbk_error *err);

/* Adds every whole line of buf (each ending in "\n", as the splitter hands them out). */
int			dbk_copy_rows_add_lines(dbk_copy_rows *b, const char *buf, size_t len,
									dbk_error *err);

static inline size_t
dbk_copy_rows_fields(const dbk_copy_rows *b, size_t row)
{
	return b->row_first[row + 1] - b->row_first[row];
}

#endif
