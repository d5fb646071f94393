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

#include "access/xact.h"
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

/*
 * The read-only check of every function that writes into the database.
 * PostgreSQL's own error ("cannot execute UPDATE in a read-only
 * transaction") would come from deep inside and say nothing of the cause,
 * which is usually a database or role set to default_transaction_read_only
 * = on (GNUmed's databases are).  The hint names both ways out: the
 * setting for the next transactions, or transaction_read_only, which
 * PostgreSQL accepts only before the transaction's first query.
 */
void
dbk_pg_require_writable(const char *function)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot execute %s during recovery", function),
				 errhint("Call it on the primary server.")));
	if (!XactReadOnly)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("cannot execute %s in a read-only transaction", function),
			 DefaultXactReadOnly
			 ? errdetail("Transactions are read-only by default here: default_transaction_read_only is on "
						 "(set for this database, role or session).")
			 : errdetail("The transaction was started READ ONLY."),
			 errhint("Run SET default_transaction_read_only = off before the transaction, "
					 "or SET transaction_read_only = off as the first statement of the transaction.")));
}
