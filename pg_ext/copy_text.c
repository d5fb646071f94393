/*
 * copy_text.c — see copy_text.h.  The escapes are the ones COPY ... FROM
 * reads in text format (PostgreSQL documentation, "COPY", "Text Format");
 * multi-byte characters need no care because in every server encoding their
 * bytes after the first are never below 0x20 nor a backslash.
 *
 * Speed: every byte of every row passes through here, and almost no byte
 * needs an escape, so the scan looks at eight bytes at a time (a word test
 * for "some byte is below 0x20 or a backslash", after the well-known
 * bit tricks of Sean Anderson's "Bit Twiddling Hacks") and copies clean
 * stretches whole.  A word that tests positive is looked at byte by byte.
 */
#include "postgres.h"

#include "copy_text.h"

#define ONES UINT64CONST(0x0101010101010101)
#define HIGHS UINT64CONST(0x8080808080808080)

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

/* Every byte that may need an escape is a backslash or below 0x20. */
static inline bool
maybe_escaped(unsigned char c)
{
	return c < 0x20 || c == '\\';
}

/* Nonzero when some byte of the 8 in w is below 0x20 or a backslash. */
static inline uint64
word_maybe_escaped(uint64 w)
{
	uint64		bs = w ^ (ONES * '\\');
	uint64		below_space = (w - ONES * 0x20) & ~w & HIGHS;
	uint64		backslash = (bs - ONES) & ~bs & HIGHS;

	return below_space | backslash;
}

/* The first byte in [p, end) that may need an escape, or end. */
static inline const char *
next_candidate(const char *p, const char *end)
{
	while (end - p >= 8)
	{
		uint64		w;

		memcpy(&w, p, 8);
		if (word_maybe_escaped(w))
			break;
		p += 8;
	}
	while (p < end && !maybe_escaped((unsigned char) *p))
		p++;
	return p;
}

void
copy_text_append(StringInfo buf, const char *value)
{
	copy_text_append_len(buf, value, strlen(value));
}

void
copy_text_append_len(StringInfo buf, const char *value, size_t len)
{
	const char *end = value + len;
	const char *start = value;
	const char *p = value;

	for (;;)
	{
		char		letter;

		p = next_candidate(p, end);
		if (p == end)
			break;
		letter = escape_letter((unsigned char) *p);
		if (letter == 0)
		{
			p++;
			continue;
		}
		if (p > start)
			appendBinaryStringInfo(buf, start, p - start);
		appendStringInfoCharMacro(buf, '\\');
		appendStringInfoCharMacro(buf, letter);
		start = ++p;
	}
	if (end > start)
		appendBinaryStringInfo(buf, start, end - start);
}
