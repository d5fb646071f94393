/*
 * banner.c — the rules for a banner message; see banner.h.
 */
#include "banner.h"

static int
is_blank_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int
dbk_banner_check(const char *msg, size_t len, dbk_error *err)
{
	size_t		i;

	if (msg == NULL)
		return dbk_fail_null(err, "banner message");
	for (i = 0; i < len && is_blank_byte(msg[i]); i++)
		;
	if (i == len)
	{
		dbk_fail(err, DBK_E_INVALID, "banner message must not be empty or blank");
		dbk_error_hint(err, "To remove the banner, call dbkeeper_banner_clear().");
		return -1;
	}
	if (len > DBK_BANNER_MAX_BYTES)
	{
		dbk_fail(err, DBK_E_INVALID, "banner message is too long: %zu bytes", len);
		dbk_error_detail(err, "A banner message may have at most %d bytes.", DBK_BANNER_MAX_BYTES);
		return -1;
	}
	return 0;
}
