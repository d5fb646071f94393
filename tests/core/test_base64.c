/*
 * test_base64.c — unit tests of core/base64.c: RFC 4648's test vectors in
 * both directions, a round trip of every length up to 64 over all byte
 * values, and the inputs the strict decoder refuses.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../core/util/base64.h"
#include "unit.h"

static const struct
{
	const char *plain;
	const char *coded;
}			rfc4648[] = {
	{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
	{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static bool
decodes_to(const char *coded, const char *plain)
{
	unsigned char out[64];
	long		n = dbk_base64_decode(out, coded, strlen(coded));

	return n == (long) strlen(plain) && memcmp(out, plain, (size_t) n) == 0;
}

int
main(void)
{
	char		coded[128];
	unsigned char in[64],
				back[64];
	bool		vectors = true,
				round = true;

	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++)
	{
		dbk_base64_encode(coded, (const unsigned char *) rfc4648[i].plain, strlen(rfc4648[i].plain));
		vectors = vectors && strcmp(coded, rfc4648[i].coded) == 0 &&
			decodes_to(rfc4648[i].coded, rfc4648[i].plain);
	}
	CHECK("base64/rfc4648-vectors", vectors);

	for (size_t len = 0; len <= sizeof(in); len++)
	{
		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char) (255 - i * 37);
		dbk_base64_encode(coded, in, len);
		round = round && strlen(coded) == DBK_BASE64_LEN(len) &&
			dbk_base64_decode(back, coded, strlen(coded)) == (long) len && memcmp(in, back, len) == 0;
	}
	CHECK("base64/round-trip-every-length", round);

	CHECK("base64/refuses-length", dbk_base64_decode(back, "Zm9", 3) == -1);
	CHECK("base64/refuses-character", dbk_base64_decode(back, "Zm9*", 4) == -1);
	CHECK("base64/refuses-newline", dbk_base64_decode(back, "Zm9v\nYg==", 9) == -1);
	CHECK("base64/refuses-inner-padding", dbk_base64_decode(back, "Zg==Zm9v", 8) == -1);
	CHECK("base64/refuses-lone-padding", dbk_base64_decode(back, "Zm=v", 4) == -1);
	CHECK("base64/refuses-all-padding", dbk_base64_decode(back, "====", 4) == -1);
	return unit_exit();
}
