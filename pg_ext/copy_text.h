/*
 * copy_text.h — COPY's text format, written by hand because COPY TO cannot
 * stream into a callback before PostgreSQL 16 (COPY TO a callback came in 16).
 */
#ifndef DBK_PG_COPY_TEXT_H
#define DBK_PG_COPY_TEXT_H

#include "postgres.h"

#include "lib/stringinfo.h"

/* The text of a NULL field. */
#define COPY_TEXT_NULL "\\N"

/*
 * Appends value (a type's text output) to buf as one COPY text field:
 * backslash, newline, carriage return, tab, backspace, form feed and
 * vertical tab become two-character escapes, every other byte is copied.
 * A field can therefore never contain the delimiter, a line end, or form a
 * line that is just "\." — the end-of-data marker.
 */
void		copy_text_append(StringInfo buf, const char *value);

/* The same for len bytes at value, which need not end in a NUL (nor hold one). */
void		copy_text_append_len(StringInfo buf, const char *value, size_t len);

#endif
