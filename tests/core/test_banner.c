/*
 * test_banner.c — the rules for a banner message (core/banner/banner.c).
 */
#include <string.h>

#include "../../core/banner/banner.h"
#include "unit.h"

int
main(void)
{
	dbk_error	err;
	char		big[DBK_BANNER_MAX_BYTES + 2];
	const char *utf8 = "Mise \xc3\xa0 jour v21 \xe2\x86\x92 v22, retour \xc3\xa0 02:00";

	CHECK("banner/ok", dbk_banner_check("back at 02:00", 13, &err) == 0);
	CHECK("banner/utf8", dbk_banner_check(utf8, strlen(utf8), &err) == 0);
	CHECK("banner/null", dbk_banner_check(NULL, 0, &err) == -1 && err.kind == DBK_E_NULL &&
		  strcmp(err.message, "banner message cannot be NULL") == 0);
	CHECK("banner/empty", dbk_banner_check("", 0, &err) == -1 &&
		  strcmp(err.message, "banner message must not be empty or blank") == 0);
	CHECK("banner/blank", dbk_banner_check(" \t\r\n ", 5, &err) == -1 &&
		  strcmp(err.message, "banner message must not be empty or blank") == 0 &&
		  strstr(err.hint, "dbkeeper_banner_clear()") != NULL);
	CHECK("banner/leading-blank", dbk_banner_check("  x", 3, &err) == 0);
	memset(big, 'x', sizeof(big));
	CHECK("banner/longest", dbk_banner_check(big, DBK_BANNER_MAX_BYTES, &err) == 0);
	CHECK("banner/too-long", dbk_banner_check(big, DBK_BANNER_MAX_BYTES + 1, &err) == -1 &&
		  strcmp(err.message, "banner message is too long: 4001 bytes") == 0 &&
		  strstr(err.detail, "4000") != NULL);
	return unit_exit();
}
