/*
 * verify.h — reading a whole PostgreSQL backup to check it, for
 * dbkeeper_verify() and for dbkeeper_restore(), which verifies before it
 * touches anything.
 */
#ifndef DBK_PG_VERIFY_H
#define DBK_PG_VERIFY_H

#include "postgres.h"

#include "../core/backup_dir.h"
#include "../core/metadata.h"

/*
 * Opens backup name in d and reads all of it: every zstd checksum, the
 * SHA-256 of the content and of the file, the trailer, and a header that
 * says engine=postgresql with dbkeeper's keys.  On success header is filled
 * and, when fd_out is not NULL, the open file is handed over in *fd_out;
 * otherwise the file is closed.  Raises an error naming the backup (XX001
 * for damage) on failure.
 */
void		dbk_pg_verify_backup(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out);

#endif
