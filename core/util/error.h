/*
 * error.h — errors as values, with the words users read.
 *
 * Every core function that can fail takes a dbk_error * and returns 0 on
 * success or -1 after filling it.  The message, detail and hint are final
 * English text: the adapters pass them through unchanged (ereport on
 * PostgreSQL, sqlite3_result_error on SQLite), so both engines say the same
 * thing.  The kind maps to a SQLSTATE on PostgreSQL.
 *
 * Messages follow PostgreSQL's style: lower case, no final period, and they
 * name the thing (the backup file, the directory, the setting).
 *
 * dbk_fail and its kin are macros that record where the error was made
 * (file, line, function): PostgreSQL's adapter reports that place as the
 * error's LOCATION, so that it points at the check that failed rather than
 * at the adapter's code that raises every error.
 */
#ifndef DBK_ERROR_H
#define DBK_ERROR_H

#include <stdarg.h>

typedef enum dbk_error_kind
{
	DBK_OK = 0,
	DBK_E_INVALID,				/* bad argument: 22023 invalid_parameter_value */
	DBK_E_NOT_FOUND,			/* no such backup: 58P01 undefined_file */
	DBK_E_CORRUPT,				/* backup fails verification: XX001 data_corrupted */
	DBK_E_IO,					/* system call failed: errcode_for_file_access() */
	DBK_E_NOMEM,				/* allocation failed: 53200 out_of_memory */
	DBK_E_STATE,				/* wrong moment: 25000 invalid_transaction_state */
	DBK_E_BUSY,					/* lock not obtained in time: 55P03 lock_not_available */
	DBK_E_UNSAFE,				/* unsafe directory or file: 42501 insufficient_privilege */
	DBK_E_INTERNAL,				/* a bug: XX000 internal_error */
	DBK_E_UNDEFINED,			/* no such named thing (codelist version, release): 42704 undefined_object */
	DBK_E_UNDEFINED_TABLE,		/* a table named in data does not exist: 42P01 undefined_table */
	DBK_E_UNDEFINED_COLUMN,		/* it lacks a column: 42703 undefined_column */
	DBK_E_NULL,					/* a required argument is NULL: 22004 null_value_not_allowed */
	DBK_E_DATA,					/* data that breaks its rules (a cycle in a hierarchy): 22000 data_exception */
	DBK_E_MISMATCH				/* the database is not what the caller requires (its schema):
								 * 55000 object_not_in_prerequisite_state */
} dbk_error_kind;

typedef struct dbk_error
{
	dbk_error_kind kind;
	int			sys_errno;		/* errno for DBK_E_IO, else 0 */
	char		message[512];
	char		detail[1024];
	char		hint[512];
	const char *file;			/* where it was filled (__FILE__), or NULL */
	const char *func;
	int			line;
} dbk_error;

void		dbk_error_clear(dbk_error *err);

/* Fill err and return -1, so callers can write "return dbk_fail(...)". */
#define dbk_fail(err, ...) \
	dbk_fail_at(__FILE__, __LINE__, __func__, (err), __VA_ARGS__)

/* As dbk_fail, appending ": <strerror(errnum)>" and recording errnum. */
#define dbk_fail_errno(err, ...) \
	dbk_fail_errno_at(__FILE__, __LINE__, __func__, (err), __VA_ARGS__)

/* A required argument is NULL: "<argument> cannot be NULL", DBK_E_NULL. */
#define dbk_fail_null(err, argument) \
	dbk_fail_at(__FILE__, __LINE__, __func__, (err), DBK_E_NULL, "%s cannot be NULL", (argument))

int			dbk_fail_at(const char *file, int line, const char *func, dbk_error *err,
						dbk_error_kind kind, const char *fmt,...)
			__attribute__((format(printf, 6, 7)));
int			dbk_fail_errno_at(const char *file, int line, const char *func, dbk_error *err,
							  int errnum, const char *fmt,...)
			__attribute__((format(printf, 6, 7)));

void		dbk_error_detail(dbk_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
void		dbk_error_hint(dbk_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Prefix the message with context, e.g. "backup \"x\": ". */
void		dbk_error_prefix(dbk_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

#endif
