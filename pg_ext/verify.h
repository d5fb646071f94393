/*
 * verify.h — checking a PostgreSQL backup: whole, for dbkeeper_verify(),
 * and its file's bytes, for dbkeeper_restore(), before it touches anything.
 */
#ifndef DBK_PG_VERIFY_H
#define DBK_PG_VERIFY_H

#include "postgres.h"

#include "../core/archive/backup_dir.h"
#include "../core/archive/catalog.h"
#include "../core/util/metadata.h"

/*
 * Opens backup name in d and reads all of it: every zstd checksum, the
 * SHA-256 of the content and of the file, the trailer, and a header that
 * says engine=postgresql with dbkeeper's keys.  On success header is filled
 * and, when fd_out is not NULL, the open file is handed over in *fd_out;
 * otherwise the file is closed.  Raises an error naming the backup (XX001
 * for damage) on failure.
 */
void		dbk_pg_verify_backup(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out);

/*
 * The same, but checks only that the file is byte for byte what was
 * written (dbk_archive_check_file), without decompressing: for
 * dbkeeper_restore(), whose replay then checks the content as it reads it.
 */
void		dbk_pg_check_backup_file(dbk_dir *d, const char *name, dbk_meta *header, int *fd_out);

/*
 * Refuses backup name, whose header is given, unless it is of the database
 * o or other_ok; the hint reads "To <anyway> anyway, call <call>('<name>',
 * true)."
 */
void		dbk_pg_check_origin(const dbk_meta *header, const dbk_origin *o, const char *name,
								bool other_ok, const char *anyway, const char *call);

#endif
