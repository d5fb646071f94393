/*
 * base64.c — base64 encoding and strict decoding; see base64.h.
 */
#include "base64.h"

#include <stdbool.h>

static const char alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
dbk_base64_encode(char *out, const unsigned char *in, size_t n)
{
	size_t		i = 0;

	for (; i + 3 <= n; i += 3)
	{
		unsigned long v = (unsigned long) in[i] << 16 | (unsigned long) in[i + 1] << 8 | in[i + 2];

		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
		*out++ = alphabet[v & 63];
	}
	if (i < n)
	{
		unsigned long v = (unsigned long) in[i] << 16 | (i + 1 < n ? (unsigned long) in[i + 1] << 8 : 0);

		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* The value of a base64 character, or -1. */
static int
value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
dbk_base64_decode(unsigned char *out, const char *in, size_t n)
{
	long		len = 0;

	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4)
	{
		bool		last = i + 4 == n;
		int			pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=') : 0;
		unsigned long v = 0;

		for (int k = 0; k < 4 - pad; k++)
		{
			int			d = value(in[i + k]);

			if (d < 0)
				return -1;
			v = v << 6 | (unsigned long) d;
		}
		v <<= 6 * pad;
		out[len++] = (unsigned char) (v >> 16);
		if (pad < 2)
			out[len++] = (unsigned char) (v >> 8);
		if (pad < 1)
			out[len++] = (unsigned char) v;
	}
	return len;
}
