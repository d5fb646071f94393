/*
 * base64.h — the standard base64 alphabet (RFC 4648, section 4), with '='
 * padding and no line breaks: how a backup's header carries the compressed
 * schema description.
 */
#ifndef DBK_BASE64_H
#define DBK_BASE64_H

#include <stddef.h>

/* Characters dbk_base64_encode writes for n bytes, without the NUL. */
#define DBK_BASE64_LEN(n) (4 * (((n) + 2) / 3))

/* Writes DBK_BASE64_LEN(n) characters and a NUL into out. */
void		dbk_base64_encode(char *out, const unsigned char *in, size_t n);

/*
 * Decodes n characters into out, which has room for n / 4 * 3 bytes, and
 * returns the number of bytes; -1 when the input is not base64 as
 * dbk_base64_encode writes it (a length that is not a multiple of 4, a
 * character outside the alphabet, padding anywhere but at the end).
 */
long		dbk_base64_decode(unsigned char *out, const char *in, size_t n);

#endif
