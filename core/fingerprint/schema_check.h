/*
 * schema_check.h — the words of the schema registry and of
 * dbkeeper_schema_check, so that both engines say the same thing.
 *
 * dbkeeper_schema_check(expected): expected is a registered version or a
 * fingerprint.  The adapter looks the registry up and calls
 * dbk_schema_check_decide, which either accepts (returns 0) or fills err.
 */
#ifndef DBK_SCHEMA_CHECK_H
#define DBK_SCHEMA_CHECK_H

#include "../util/error.h"
#include "../util/sha256.h"

/*
 * expected: the caller's argument; expected_fp: the registered fingerprint
 * of version `expected`, or NULL when expected is not a registered version;
 * found_fp: the current fingerprint; found_version: the registered version
 * whose fingerprint is found_fp, or NULL.
 */
int			dbk_schema_check_decide(const char *expected, const char *expected_fp,
									const char *found_fp, const char *found_version,
									dbk_error *err);

/* Checks dbkeeper_schema_check's argument before any lookup: not NULL, not empty. */
int			dbk_schema_expected_check(const char *expected, dbk_error *err);

/* Validates a version name for the registry: 1 to 64 printable ASCII characters. */
int			dbk_schema_version_check(const char *version, dbk_error *err);

/* Registering version again with another fingerprint is refused with this error. */
int			dbk_schema_register_conflict(const char *version, const char *registered_fp,
										 const char *current_fp, dbk_error *err);

#endif
