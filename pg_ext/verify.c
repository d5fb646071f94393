/*
 * verify.c — dbkeeper_verify([name [, from_other_database]]): reads a whole
 * PostgreSQL backup (when NULL, the one dbkeeper_restore() would restore:
 * the newest backup of this database that is not a safety backup) through
 * the core's reader, so every zstd checksum, the SHA-256 of the content and
 * of the file, and the trailer are checked; then checks that the header
 * says it is a PostgreSQL backup with the metadata dbkeeper_backup() writes,
 * and, unless from_other_database, that it is a backup of this database.
 * Returns true, or raises an error naming the backup and what is wrong
 * (XX001 for damage).
 * Reading a server file needs pg_read_server_files as well.
 */
#include "postgres.h"

#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "../core/archive/archive.h"
#include "../core/archive/backup_header.h"
#include "access.h"
#include "common.h"
#include "verify.h"

PG_FUNCTION_INFO_V1(dbkeeper_verify);

void
dbk_pg_check_origin(const dbk_meta *header, const dbk_origin *o, const char *name,
					bool other_ok, const char *anyway, const char *call)
{
	const char *from = dbk_meta_get(header, "database");

	if (other_ok || dbk_catalog_belongs(header, o))
		return;
	if (strcmp(from, o->database) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("backup \"%s\" is of another database named \"%s\"", name, from),
				 errdetail("It was taken of database %s, of cluster %s; this is database %s, of cluster %s.",
						   dbk_meta_get(header, "database_oid"),
						   dbk_meta_get(header, "system_identifier"),
						   strchr(o->identity, '/') + 1,
						   pnstrdup(o->identity, strchr(o->identity, '/') - o->identity)),
				 errhint(DBK_HINT_ANYWAY, anyway, call, name)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("backup \"%s\" is of database \"%s\", not \"%s\"", name, from, o->database),
			 errhint(DBK_HINT_ANYWAY, anyway, call, name)));
}

/* Both checks: whole reads everything, else only the file's bytes. */
static void
check_backup(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out, bool whole)
{
	char	   *what = psprintf("backup \"%s\"", name);
	dbk_pg_fd_source src;
	dbk_allocator a;
	dbk_error	err;
	int			opened = -1;
	volatile int fd = -1;
	volatile int rc = -1;

	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	PG_TRY();
	{
		if (dbk_backup_open(d, name, &opened, &err) == 0)
		{
			fd = opened;
			if ((whole ?
				 dbk_archive_verify_stream(&a, dbk_pg_fd_source_init(&src, fd, what), what, header, &err) :
				 dbk_archive_check_file(&a, fd, what, header, &err)) == 0 &&
				dbk_header_check(header, DBK_PG_ENGINE, what, &err) == 0)
				rc = 0;
		}
	}
	PG_CATCH();
	{
		if (fd >= 0)
			close(fd);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (rc != 0 || fd_out == NULL)
	{
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (rc != 0)
	{
		CHECK_FOR_INTERRUPTS();
		dbk_pg_raise(&err);
	}
	if (fd_out != NULL)
		*fd_out = fd;
	pfree(what);
}

void
dbk_pg_verify_backup(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out)
{
	check_backup(d, name, header, fd_out, true);
}

void
dbk_pg_check_backup_file(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out)
{
	check_backup(d, name, header, fd_out, false);
}

Datum
dbkeeper_verify(PG_FUNCTION_ARGS)
{
	char	   *given = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		name[DBK_NAME_MAX + 1];
	dbk_allocator a;
	dbk_meta	header;
	dbk_dir		d = {-1, ""};
	dbk_origin	o;

	bool		other_ok;

	dbk_pg_check_access("dbkeeper_verify", DBK_PG_READ_WRITE_FILES);
	if (PG_ARGISNULL(1))
	{
		dbk_error	err;

		dbk_fail_null(&err, "from_other_database");
		dbk_pg_raise(&err);
	}
	other_ok = PG_GETARG_BOOL(1);
	dbk_pg_origin(&o);
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	dbk_meta_init(&header, &a);
	dbk_pg_open_dir(&d, false);
	PG_TRY();
	{
		dbk_pg_resolve(&d, &o, given, name);
		dbk_pg_verify_backup(&d, name, &header, NULL);
		dbk_pg_check_origin(&header, &o, name, other_ok, "verify it", "dbkeeper_verify");
	}
	PG_FINALLY();
	{
		dbk_dir_close(&d);
	}
	PG_END_TRY();
	dbk_meta_free(&header);
	PG_RETURN_BOOL(true);
}
