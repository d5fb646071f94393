/*
 * access.c — privileges, directory and names for the backup-file functions;
 * see access.h.
 *
 * Privileges mirror COPY ... TO/FROM a file: a superuser, or a member of
 * pg_write_server_files (to create or delete backups) and of
 * pg_read_server_files (to read them back).  The install script revokes
 * EXECUTE from PUBLIC as a first gate; this check is the second, so a
 * GRANT EXECUTE alone never lets a role write server files.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/xlog.h"
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "access.h"
#include "common.h"
#include "guc.h"

void
dbk_pg_check_access(const char *function, dbk_pg_access access)
{
	Oid			user = GetUserId();
	bool		can_write,
				can_read;

	if (superuser())
		return;
	can_write = has_privs_of_role(user, ROLE_PG_WRITE_SERVER_FILES);
	can_read = access == DBK_PG_WRITE_FILES || has_privs_of_role(user, ROLE_PG_READ_SERVER_FILES);
	if (!can_write || !can_read)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to call %s", function),
				 access == DBK_PG_WRITE_FILES
				 ? errdetail("Only superusers and members of pg_write_server_files may write backup files.")
				 : errdetail("Only superusers and members of both pg_read_server_files and pg_write_server_files may read backup files."),
				 errhint("A superuser can grant the role: GRANT %s TO %s;",
						 !can_write && !can_read ? "pg_read_server_files, pg_write_server_files"
						 : !can_write ? "pg_write_server_files" : "pg_read_server_files",
						 quote_identifier(GetUserNameFromId(user, false)))));
}

char *
dbk_pg_database_name(void)
{
	char	   *name = get_database_name(MyDatabaseId);

	if (name == NULL)
		elog(ERROR, "database with OID %u does not exist", MyDatabaseId);
	return name;
}

void
dbk_pg_open_dir(dbk_dir *d, bool create)
{
	char		path[DBK_PG_PATH_MAX];
	dbk_error	err;

	dbk_pg_backup_dir(path, sizeof(path));
	d->fd = -1;
	if (create && dbk_pg_backup_dir_is_default())
	{
		/* the default is a directory per cluster in dbkeeper-backups: make that first */
		char		parent[DBK_PG_PATH_MAX];

		strlcpy(parent, path, sizeof(parent));
		get_parent_directory(parent);
		if (mkdir(parent, 0700) != 0 && errno != EEXIST)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not create backup directory \"%s\": %m", parent)));
	}
	if (dbk_dir_open(d, path, create, &err) != 0)
		dbk_pg_raise(&err);
}

void
dbk_pg_origin(dbk_origin *o)
{
	o->engine = DBK_PG_ENGINE;
	o->database = dbk_pg_database_name();
	o->identity = psprintf(UINT64_FORMAT "/%u", GetSystemIdentifier(), MyDatabaseId);
}

void
dbk_pg_resolve(dbk_dir *d, const dbk_origin *o, const char *name, char *out)
{
	dbk_allocator a;
	dbk_error	err;

	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	if (dbk_catalog_resolve(&a, d, o, DBK_EXT_PG, name, out, &err) != 0)
		dbk_pg_raise(&err);
}
