/*
 * access.h — what every backup-file function of the PostgreSQL adapter
 * does first: the privilege check, the backup directory, the database name,
 * and the resolution of a caller-supplied backup name.
 */
#ifndef DBK_PG_ACCESS_H
#define DBK_PG_ACCESS_H

#include "postgres.h"

#include "../core/archive/backup_dir.h"
#include "../core/archive/catalog.h"
#include "../core/util/error.h"
#include "../core/util/metadata.h"

#define DBK_PG_ENGINE "postgresql"

typedef enum dbk_pg_access
{
	DBK_PG_WRITE_FILES,			/* backup, prune: like COPY ... TO a file */
	DBK_PG_READ_WRITE_FILES		/* verify, restore: like COPY in both directions */
} dbk_pg_access;

/*
 * Raises 42501 unless the current user is a superuser or has the privileges
 * of pg_write_server_files (and pg_read_server_files for
 * DBK_PG_READ_WRITE_FILES).  EXECUTE granted on the function does not replace
 * this check: it comes on top of it.
 */
void		dbk_pg_check_access(const char *function, dbk_pg_access access);

/*
 * Raises 25006 when the transaction is read-only (or the server a standby),
 * with a hint that names the setting to change; function names the caller
 * ("dbkeeper_maintenance_begin()").  Called first by every function that
 * writes into the database.
 */
void		dbk_pg_require_writable(const char *function);

/* The current database's name (palloc'd). */
char	   *dbk_pg_database_name(void);

/* Opens the backup directory (creating it when create); raises on error. */
void		dbk_pg_open_dir(dbk_dir *d, bool create);

/*
 * Opens the directory and resolves name (the latest backup of the current
 * database when NULL) into out (DBK_NAME_MAX + 1 bytes).  Raises on error.
 */
/*
 * The current database as backups record it: name, and the identity
 * "<system identifier>/<database OID>" that a rename keeps and that no other
 * database of this or another cluster has.  The strings are palloc'd.
 */
void		dbk_pg_origin(dbk_origin *o);

/* The backup a caller means (core/archive/catalog.c, dbk_catalog_resolve); raises. */
void		dbk_pg_resolve(dbk_dir *d, const dbk_origin *o, const char *name, char *out);

#endif
