/*
 * guc.c — the dbkeeper.* settings of the PostgreSQL extension.
 *
 *   dbkeeper.backup_dir         superuser only (PGC_SUSET); an absolute path,
 *                               or empty for the default: one directory per
 *                               cluster, named after the data directory, in
 *                               "dbkeeper-backups" beside it (for Debian's
 *                               /var/lib/postgresql/15/main that is
 *                               /var/lib/postgresql/15/dbkeeper-backups/main),
 *                               created on the first backup.  Outside the data
 *                               directory, so base backups do not copy it; a
 *                               directory inside it is refused (access.c).
 *   dbkeeper.keep_backups       unlabelled backups of this database kept after
 *                               each successful backup; 0: no count
 *   dbkeeper.keep_days          unlabelled backups younger than this many days
 *                               kept after each successful backup; 0: no age
 *                               (with both 0, retention is off)
 *   dbkeeper.compression_level  zstd level of new backups
 *   dbkeeper.lock_wait_timeout  how long a backup or restore may spend taking
 *                               its locks (lock_wait.c); 0 for no limit
 *
 * The values are read through dbk_pg_backup_dir() and the two variables
 * below; every other file treats them as read-only.
 */
#include "postgres.h"

#include <limits.h>
#include <stdlib.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "guc.h"

char	   *dbk_pg_backup_dir_setting = NULL;
int			dbk_pg_keep_backups = 14;
int			dbk_pg_keep_days = 0;
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
							   "Directory where dbkeeper_backup() writes backups (empty: dbkeeper-backups/<data directory name> beside the data directory).",
							   NULL,
							   &dbk_pg_backup_dir_setting,
							   "",
							   PGC_SUSET,
							   0,
							   check_backup_dir, NULL, NULL);
	DefineCustomIntVariable("dbkeeper.keep_backups",
							"Number of unlabelled backups of a database kept after each successful backup (0: no count).",
							NULL,
							&dbk_pg_keep_backups,
							14, 0, 1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dbkeeper.keep_days",
							"Days for which unlabelled backups of a database are kept after each successful backup (0: no age).",
							NULL,
							&dbk_pg_keep_days,
							0, 0, 1000000,
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

/* True when path is dir or lies below it (both canonical, absolute). */
static bool
path_within(const char *path, const char *dir)
{
	size_t		n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || strcmp(dir, "/") == 0);
}

/*
 * A backup directory inside the data directory would be copied by every
 * base backup, removed with the cluster, and could shadow the server's own
 * files: refused, whether the path says so or its symbolic links do.
 */
static void
refuse_inside_data_dir(const char *path)
{
	char		canon[DBK_PG_PATH_MAX],
				real_path[PATH_MAX],
				real_data[PATH_MAX];
	bool		inside;

	strlcpy(canon, path, sizeof(canon));
	canonicalize_path(canon);
	inside = path_within(canon, DataDir);
	if (!inside && realpath(DataDir, real_data) != NULL && realpath(canon, real_path) != NULL)
		inside = path_within(real_path, real_data);
	if (inside)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("backup directory \"%s\" is inside the data directory \"%s\"", path, DataDir),
				 errdetail("Backups there would be copied by every base backup and lost with the cluster."),
				 errhint("Set dbkeeper.backup_dir to a directory outside the data directory.")));
}

void
dbk_pg_backup_dir(char *buf, size_t cap)
{
	const char *slash;

	if (dbk_pg_backup_dir_setting && dbk_pg_backup_dir_setting[0] != '\0')
	{
		refuse_inside_data_dir(dbk_pg_backup_dir_setting);
		snprintf(buf, cap, "%s", dbk_pg_backup_dir_setting);
		return;
	}
	/* DataDir is absolute once the server runs; its parent gets the directory. */
	slash = strrchr(DataDir, '/');
	if (slash == NULL || slash == DataDir)
		snprintf(buf, cap, "/dbkeeper-backups/%s", slash ? slash + 1 : DataDir);
	else
		snprintf(buf, cap, "%.*s/dbkeeper-backups/%s", (int) (slash - DataDir), DataDir, slash + 1);
}

bool
dbk_pg_backup_dir_is_default(void)
{
	return dbk_pg_backup_dir_setting == NULL || dbk_pg_backup_dir_setting[0] == '\0';
}
