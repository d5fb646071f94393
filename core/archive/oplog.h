/*
 * oplog.h — the one line each backup, restore and prune leaves behind, in
 * the same words on both engines.
 *
 * The core only writes the text; the adapter decides where it goes:
 * PostgreSQL's server log at LOG level, SQLite's error log (sqlite3_log with
 * SQLITE_NOTICE, which reaches the application's SQLITE_CONFIG_LOG callback
 * when it has one).  A line names what was done, the database, the backup
 * files (by name: they are in the backup directory), the bytes and the
 * seconds it took, so that a DBA can tell from the log alone what a
 * scheduled job did.  The variable parts come last where they can be long
 * (SQLite's log cuts a message at about 200 bytes).  Lines are truncated,
 * never failed, when they do not fit buf.
 */
#ifndef DBK_OPLOG_H
#define DBK_OPLOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a prune removed: how many files, their bytes, and their names
 * (quoted, comma-separated; ", ..." once the list is full).
 */
typedef struct dbk_pruned
{
	int			count;
	uint64_t	bytes;
	char		names[1024];
} dbk_pruned;

void		dbk_pruned_init(dbk_pruned *p);
void		dbk_pruned_add(dbk_pruned *p, const char *name, uint64_t bytes);

/*
 * dbkeeper: backup "<name>" of database "app" written: N bytes, N rows, in S s
 * (rows < 0: not counted, as on SQLite, and left out)
 */
void		dbk_oplog_backup(char *buf, size_t cap, const char *database, const char *name,
							 uint64_t bytes, int64_t rows, double seconds);

/* dbkeeper: database "app" restored from backup "<name>" (N bytes) in S s; safety backup "<name>" */
void		dbk_oplog_restore(char *buf, size_t cap, const char *database, const char *name,
							  uint64_t bytes, const char *safety, double seconds);

/* dbkeeper: pruned N backups of database "app" (N bytes) in S s: "a", "b" */
void		dbk_oplog_prune(char *buf, size_t cap, const char *database, const dbk_pruned *p,
							double seconds);

#endif
