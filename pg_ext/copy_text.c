/*
 * copy_text.c — see copy_text.h.  The escapes are the ones COPY ... FROM
 * reads in text format (PostgreSQL documentation, "COPY", "Text Format");
 * multi-byte characters need no care because in every server encoding their
 * bytes after the first are never below 0x20 nor a backslash.
 */
#include "postgres.h"

#include "copy_text.h"

/* The escape letter for byte c, or 0 when c is copied as it is. */
static inline char
escape_letter(unsigned char c)
{
	switch (c)
	{
		case '\\':
			return '\\';
		case '\n':
			return 'n';
		case '\r':
			return 'r';
		case '\t':
			return 't';
		case '\b':
			return 'b';
		case '\f':
			return 'f';
		case '\v':
			return 'v';
		default:
			return 0;
	}
}

void
copy_text_append(StringInfo buf, const char *value)
{
	const char *start = value;
	const char *p;

	for (p = value; *p; p++)
	{
		unsigned char c = (unsigned char) *p;
		char		letter;

		/* Every byte that needs an escape is a backslash or below 0x20. */
		if (c >= 0x20 && c != '\\')
			continue;
		letter = escape_letter(c);
		if (letter == 0)
			continue;
		if (p > start)
			appendBinaryStringInfo(buf, start, p - start);
		appendStringInfoCharMacro(buf, '\\');
		appendStringInfoCharMacro(buf, letter);
		start = p + 1;
	}
	if (p > start)
		appendBinaryStringInfo(buf, start, p - start);
}
