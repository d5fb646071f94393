/*
 * guc.c — the dbkeeper.* settings of the PostgreSQL extension.
 *
 *   dbkeeper.backup_dir         superuser only (PGC_SUSET); an absolute path,
 *                               or empty for the default: a directory named
 *                               "dbkeeper-backups" beside the data directory
 *                               (for Debian's /var/lib/postgresql/15/main that
 *                               is /var/lib/postgresql/15/dbkeeper-backups),
 *                               created on the first backup.  Outside the data
 *                               directory, so base backups do not copy it.
 *   dbkeeper.keep_backups       backups of this database kept after each
 *                               successful backup; 0 turns retention off
 *   dbkeeper.compression_level  zstd level of new backups
 *   dbkeeper.lock_wait_timeout  how long a backup or restore may spend taking
 *                               its locks (lock_wait.c); 0 for no limit
 *
 * The values are read through dbk_pg_backup_dir() and the two variables
 * below; every other file treats them as read-only.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "guc.h"

char	   *dbk_pg_backup_dir_setting = NULL;
int			dbk_pg_keep_backups = 14;
int			dbk_pg_compression_level = 3;
int			dbk_pg_lock_wait_timeout = 10000;

static bool
check_backup_dir(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || v[0] == '\0')
		return true;
	if (v[0] != '/')
	{
		GUC_check_errdetail("The backup directory must be an absolute path, not \"%s\".", v);
		return false;
	}
	if (strlen(v) >= DBK_PG_PATH_MAX - 64)
	{
		GUC_check_errdetail("The backup directory path is too long.");
		return false;
	}
	return true;
}

void
dbk_pg_define_gucs(void)
{
	DefineCustomStringVariable("dbkeeper.backup_dir",
							   "Directory where dbkeeper_backup() writes backups (empty: dbkeeper-backups beside the data directory).",
							   NULL,
							   &dbk_pg_backup_dir_setting,
							   "",
							   PGC_SUSET,
							   0,
							   check_backup_dir, NULL, NULL);
	DefineCustomIntVariable("dbkeeper.keep_backups",
							"Number of backups of a database kept after each successful backup (0 keeps all).",
							NULL,
							&dbk_pg_keep_backups,
							14, 0, 1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dbkeeper.compression_level",
							"zstd compression level of new backups.",
							NULL,
							&dbk_pg_compression_level,
							3, 1, 19,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dbkeeper.lock_wait_timeout",
							"Longest time a backup or restore spends taking its locks before it fails naming the sessions in its way (0: no limit).",
							NULL,
							&dbk_pg_lock_wait_timeout,
							10000, 0, PG_INT32_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
}

void
dbk_pg_backup_dir(char *buf, size_t cap)
{
	const char *slash;

	if (dbk_pg_backup_dir_setting && dbk_pg_backup_dir_setting[0] != '\0')
	{
		snprintf(buf, cap, "%s", dbk_pg_backup_dir_setting);
		return;
	}
	/* DataDir is absolute once the server runs; its parent gets a sibling. */
	slash = strrchr(DataDir, '/');
	if (slash == NULL || slash == DataDir)
		snprintf(buf, cap, "/dbkeeper-backups");
	else
		snprintf(buf, cap, "%.*s/dbkeeper-backups", (int) (slash - DataDir), DataDir);
}
