/*
 * backup_dir.h — the backup directory: names, temporary files, atomic
 * publication and the `latest` link.
 *
 * Every file operation is relative to an open directory descriptor (openat
 * and friends) and never follows a symbolic link.  The directory itself must
 * be a real directory (not a symlink), owned by the process's user and not
 * writable by group or others; otherwise it is refused as unsafe.
 *
 * A backup is written to a temporary file ".dbkeeper-<pid>-<n>-<purpose>.tmp"
 * created with O_EXCL and mode 0600 and held under flock() while it lives.
 * Publication fsyncs the file, links it under its final name (link, not
 * rename, so an existing backup is never replaced), removes the temporary
 * name, fsyncs the directory, and repoints "<database>-latest.<ext>" by
 * renaming a fresh symlink over it.  A process killed at any point leaves at
 * most a temporary file, which dbk_dir_sweep() removes once no process holds
 * its lock.
 *
 * Final names: <database>-<YYYY-MM-DD>T<HH-MM-SS>Z[-<n>][-<label>].<ext>, UTC,
 * where -<n> (2, 3, ...) appears only when an earlier backup took the name
 * and <database> is the name encoded by dbk_database_name_component().
 */
#ifndef DBK_BACKUP_DIR_H
#define DBK_BACKUP_DIR_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../util/error.h"

#define DBK_EXT_SQLITE "sqlite3.zst"
#define DBK_EXT_PG "sql.zst"
#define DBK_NAME_MAX 255
#define DBK_LABEL_MAX 64

typedef struct dbk_dir
{
	int			fd;
	char		path[4096];
} dbk_dir;

typedef struct dbk_temp
{
	int			fd;
	char		name[128];
} dbk_temp;

/*
 * Opens the backup directory at path, creating it (mode 0700, last
 * component only) when create is true and it does not exist.
 */
int			dbk_dir_open(dbk_dir *d, const char *path, bool create, dbk_error *err);
void		dbk_dir_close(dbk_dir *d);

/* Creates a locked temporary file; purpose is a short word for its name. */
int			dbk_temp_create(dbk_dir *d, const char *purpose, dbk_temp *t, dbk_error *err);
/* Closes and unlinks it; harmless when already removed or never created. */
void		dbk_temp_remove(dbk_dir *d, dbk_temp *t);
/* A path by which another library (SQLite) can open the temporary file. */
void		dbk_temp_path(const dbk_dir *d, const dbk_temp *t, char *buf, size_t cap);

/*
 * Removes temporary files left by processes that died (their lock is free).
 * *removed counts them; may be NULL.
 */
int			dbk_dir_sweep(dbk_dir *d, int *removed, dbk_error *err);

/* Validation of caller-supplied text. */
int			dbk_backup_name_check(const char *name, dbk_error *err);
int			dbk_label_check(const char *label, dbk_error *err);
/*
 * The database name as it appears in file names: letters, digits, "_", "-"
 * and "." (not first) stay; every other byte is "+" and two uppercase hex
 * digits ("a b" is "a+20b", never "a_b"), so two names never share one.  An
 * encoding longer than 100 characters is cut to a prefix followed by "++"
 * and 16 hex digits of the SHA-256 of the name.  buf takes 101 bytes.
 */
void		dbk_database_name_component(const char *database, char *buf, size_t cap);

/*
 * Publishes the temporary file t as a backup of database, named from created
 * and label (may be NULL), and, when move_latest, repoints the latest link.
 * The final name is written into name_out (at least DBK_NAME_MAX + 1 bytes).
 * t is consumed.
 */
int			dbk_publish(dbk_dir *d, dbk_temp *t, const char *database, time_t created,
						const char *label, const char *ext, bool move_latest, char *name_out,
						dbk_error *err);

/* Repoints database's latest link to the backup name (a restore that committed). */
int			dbk_latest_point(dbk_dir *d, const char *database, const char *ext, const char *name,
							 dbk_error *err);

/* The name the latest link of database points to, or DBK_E_NOT_FOUND. */
int			dbk_latest_resolve(dbk_dir *d, const char *database, const char *ext,
							   char *name_out, dbk_error *err);

/* Opens a published backup for reading, by plain file name. */
int			dbk_backup_open(dbk_dir *d, const char *name, int *fd_out, dbk_error *err);

/* A readdir() stream over the directory, for the caller to closedir(). */
DIR		   *dbk_dir_scan(dbk_dir *d, dbk_error *err);

/* fsync of the directory, so that a creation, link or unlink is durable. */
int			dbk_dir_sync(dbk_dir *d, dbk_error *err);

#endif
