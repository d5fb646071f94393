/*
 * schema_check.c — the registry's and dbkeeper_schema_check's decisions and
 * messages; see schema_check.h.
 */
#include "schema_check.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "schema.h"

static bool
same_fingerprint(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && strncasecmp(a, b, strlen(a)) == 0;
}

int
dbk_schema_check_decide(const char *expected, const char *expected_fp, const char *found_fp,
						const char *found_version, dbk_error *err)
{
	const char *want = expected_fp;

	if (want == NULL)
	{
		if (!dbk_schema_is_fingerprint(expected))
		{
			dbk_fail(err, DBK_E_INVALID, "schema version \"%s\" is not registered", expected);
			dbk_error_detail(err, "The expected schema must be a registered version or a fingerprint of 64 hexadecimal digits.");
			dbk_error_hint(err, "Register it with dbkeeper_schema_register('%s') on a database that has that schema.",
						   expected);
			return -1;
		}
		want = expected;
	}
	if (same_fingerprint(want, found_fp))
		return 0;
	if (expected_fp)
		dbk_fail(err, DBK_E_MISMATCH, "database schema is not version \"%s\"", expected);
	else
		dbk_fail(err, DBK_E_MISMATCH, "database schema does not have fingerprint %s", expected);
	if (found_version)
		dbk_error_detail(err, "Expected fingerprint %s, found %s, which is registered as version \"%s\".",
						 want, found_fp, found_version);
	else
		dbk_error_detail(err, "Expected fingerprint %s, found %s, which matches no registered version.",
						 want, found_fp);
	dbk_error_hint(err, "dbkeeper_schema_diff() lists what changed since a backup.");
	return -1;
}

int
dbk_schema_expected_check(const char *expected, dbk_error *err)
{
	if (expected == NULL)
		return dbk_fail_null(err, "expected schema");
	if (*expected == '\0')
		return dbk_fail(err, DBK_E_INVALID, "expected schema must be a registered version or a fingerprint");
	return 0;
}

int
dbk_schema_version_check(const char *version, dbk_error *err)
{
	size_t		len;

	if (version == NULL)
		return dbk_fail_null(err, "schema version");
	len = strlen(version);
	if (len == 0 || len > 64)
		return dbk_fail(err, DBK_E_INVALID, "schema version must be 1 to 64 characters long");
	for (size_t i = 0; i < len; i++)
		if (version[i] < 0x21 || version[i] > 0x7e)
			return dbk_fail(err, DBK_E_INVALID, "schema version \"%s\" contains a space or a character that is not printable ASCII",
							version);
	return 0;
}

int
dbk_schema_register_conflict(const char *version, const char *registered_fp,
							 const char *current_fp, dbk_error *err)
{
	dbk_fail(err, DBK_E_INVALID, "schema version \"%s\" is already registered with another fingerprint",
			 version);
	dbk_error_detail(err, "Registered fingerprint %s, current fingerprint %s.", registered_fp, current_fp);
	dbk_error_hint(err, "A version names one schema; register this one under a new version.");
	return -1;
}
