/*
 * dbk_sqlite.h — what the SQLite adapter's files share.
 *
 * Each connection that loads dbkeeper gets one dbk_sqlite_state, holding the
 * connection's settings (dbkeeper_config).  Every SQL function and the
 * dbkeeper_backups module receive it as user data; it is reference-counted
 * by registration and freed when the last registration is destroyed (the
 * connection closes or the extension is loaded again).
 *
 * Functions that touch files or the database are registered
 * SQLITE_DIRECTONLY: they cannot be called from views, triggers or schema
 * expressions.  Errors are reported with the core's message text.
 */
#ifndef DBK_SQLITE_H
#define DBK_SQLITE_H

#include <sqlite3ext.h>
#include <stdbool.h>
#include <time.h>

#include "../core/archive/backup_dir.h"
#include "../core/archive/catalog.h"
#include "../core/util/dbk_alloc.h"
#include "../core/util/error.h"
#include "../core/util/metadata.h"

#ifndef DBKEEPER_VERSION
#error "DBKEEPER_VERSION comes from pg_ext/dbkeeper.control through the Makefile"
#endif
#define DBK_SQLITE_ENGINE "sqlite"
#define DBK_DEFAULT_KEEP 14
#define DBK_DEFAULT_LEVEL 3
/* How long dbkeeper waits for a lock before giving up, in milliseconds. */
#define DBK_SQLITE_LOCK_WAIT_MS 10000

/* A maintenance token: 32 lowercase hex digits. */
#define DBK_TOKEN_HEX 32

typedef struct dbk_sqlite_state
{
	int			refs;
	/* Set by dbkeeper_config for this connection, overriding the database's. */
	char	   *backup_dir;		/* NULL: not set here */
	sqlite3_int64 keep_backups;
	sqlite3_int64 keep_days;
	bool		keep_set;
	bool		keep_days_set;
	int			compression_level;
	bool		level_set;
	/*
	 * The connection's maintenance token: random at load, or the one of
	 * DBKEEPER_MAINTENANCE_TOKEN, or set by dbkeeper_config.  A connection
	 * whose token is the one maintenance began with is admitted.
	 */
	char		maintenance_token[DBK_TOKEN_HEX + 1];
} dbk_sqlite_state;

extern const dbk_allocator dbk_sqlite_allocator;

/* Reports err as the function's error (message, then DETAIL and HINT lines). */
void		dbk_sqlite_result_error(sqlite3_context *ctx, const dbk_error *err);
/*
 * The lines each backup, restore and prune leaves behind (core/archive/oplog.h) go
 * to SQLite's error log, sqlite3_log(SQLITE_NOTICE, ...): the application's
 * SQLITE_CONFIG_LOG callback receives them (the sqlite3 shell's ".log
 * stderr" prints them); without one they go nowhere.  started is a
 * CLOCK_MONOTONIC reading taken when the operation began.
 */
void		dbk_sqlite_log_backup(const char *database, const dbk_dir *d, const char *name,
								  const struct timespec *started);
void		dbk_sqlite_log_restore(const char *database, const dbk_dir *d, const char *name,
								   const char *safety, const struct timespec *started);
void		dbk_sqlite_log_prune(const char *database, const dbk_pruned *pruned,
								 const struct timespec *started);
/* Turns the connection's last error into err, with what we were doing. */
int			dbk_sqlite_fail(dbk_error *err, sqlite3 *db, const char *doing);

/*
 * Refuses a read-only connection (mode=ro, a file it cannot write, PRAGMA
 * query_only) for an operation that writes the database or deletes
 * backups; `doing` completes "cannot ... through a read-only connection".
 */
int			dbk_sqlite_check_writable(sqlite3 *db, const char *doing, dbk_error *err);

/* Which database this is (identity.c). */
typedef struct dbk_sqlite_identity
{
	char		id[33];			/* "" when the file has no identity of its own */
	char		name[128];		/* dbkeeper's name for it: "<stem>.<8 hex>" */
	char		path[4096];		/* the main file's real path */
	bool		stored;			/* a row exists (maybe for another path) */
	char		stored_path[4096];	/* the row's path when it is not this one */
} dbk_sqlite_identity;

int			dbk_sqlite_identity_read(sqlite3 *db, dbk_sqlite_identity *out, dbk_error *err);
/* Gives the file an identity if it has none and db may write; best effort. */
void		dbk_sqlite_identity_ensure(sqlite3 *db);
/*
 * Whether a backup's header says it is of this database: same name and, when
 * both have one, the same id; a backup from before identities counts when
 * it names this file's stem and path.
 */
bool		dbk_sqlite_identity_matches(const dbk_sqlite_identity *ident, const dbk_meta *header);
/*
 * Refuses backup name, whose header is given, unless it is of this database
 * or other_ok: the hint reads "To <anyway> anyway, call <call>('<name>', true)."
 */
int			dbk_sqlite_check_origin(sqlite3 *db, const dbk_meta *header, const char *name, bool other_ok,
									const char *anyway, const char *call, dbk_error *err);

/*
 * The main database's file and dbkeeper's name for it (the identity's
 * name); refuses in-memory ones.
 */
int			dbk_sqlite_main_file(sqlite3 *db, const char **path, char *name, size_t namecap,
								 dbk_error *err);
/*
 * Settings in effect, in this order: set on the connection, set in the
 * database (table dbkeeper_settings, see config.c), the environment
 * (DBKEEPER_BACKUP_DIR), the default.
 */
#define DBK_SETTINGS_TABLE "dbkeeper_settings"
/* Where a database keeps the identity its backups record (identity.c). */
#define DBK_IDENTITY_TABLE "dbkeeper_identity"
sqlite3_int64 dbk_sqlite_keep(const dbk_sqlite_state *st, sqlite3 *db);
sqlite3_int64 dbk_sqlite_keep_days(const dbk_sqlite_state *st, sqlite3 *db);
int			dbk_sqlite_level(const dbk_sqlite_state *st, sqlite3 *db);
/* The database's value of a setting, as text; NULL when none (caller frees). */
char	   *dbk_sqlite_db_setting(sqlite3 *db, const char *name);
/* The backup directory in effect: as above, else beside the database file. */
int			dbk_sqlite_backup_dir(const dbk_sqlite_state *st, sqlite3 *db, char *buf, size_t cap,
								  dbk_error *err);
int			dbk_sqlite_open_dir(const dbk_sqlite_state *st, sqlite3 *db, bool create, dbk_dir *d,
								dbk_error *err);

/*
 * Backs up the main database of src (a connection to the database file) into
 * the directory and publishes it; name_out gets the file name.  Retention is
 * applied afterwards when apply_retention is set.
 */
int			dbk_sqlite_take_backup(sqlite3 *src, const dbk_sqlite_state *st, dbk_dir *d,
								   const char *label, bool apply_retention, char *name_out,
								   dbk_error *err);

/*
 * Streams every page of src's main database into w (page_stream.c says
 * how).  src must hold a read transaction on main, the snapshot streamed;
 * page_size is its page size.
 */
struct dbk_archive_writer;
int			dbk_sqlite_stream_pages(sqlite3 *src, const char *database, int page_size,
									struct dbk_archive_writer *w, dbk_error *err);

/*
 * Decompresses backup `name` into a new temporary file, checking every
 * checksum and PRAGMA integrity_check of the result.  On success *t holds
 * the database file (the caller removes it) and header gets the metadata.
 */
int			dbk_sqlite_unpack(dbk_dir *d, const char *name, dbk_temp *t, dbk_meta *header,
							  dbk_error *err);

/* Opens an unpacked backup (a temporary file) read-only and immutable. */
int			dbk_sqlite_open_unpacked(const dbk_dir *d, const dbk_temp *t, sqlite3 **out);
/* How much of an unpacked backup its readers map into memory: SQLite's default ceiling. */
#define DBK_SQLITE_UNPACKED_MMAP "2147418112"

/*
 * The canonical description of db's main schema (schema.c), sorted, with
 * rows allocated from dbk_sqlite_allocator; out is initialised here.
 */
struct dbk_schema;
int			dbk_sqlite_schema_describe(sqlite3 *db, struct dbk_schema *out, dbk_error *err);

/*
 * Bounded waits on SQLITE_BUSY/LOCKED: start the clock, then ask before each
 * new try; false once DBK_SQLITE_LOCK_WAIT_MS have passed or rc is another
 * error.
 */
typedef struct dbk_sqlite_wait
{
	struct timespec start;
	int			tries;
} dbk_sqlite_wait;

void		dbk_sqlite_wait_start(dbk_sqlite_wait *w);
/* Milliseconds since dbk_sqlite_wait_start. */
long		dbk_sqlite_waited_ms(const dbk_sqlite_wait *w);
bool		dbk_sqlite_may_retry(int rc, dbk_sqlite_wait *w);

/* Maintenance (banner.c). */
/* Whether token has the form of a maintenance token. */
bool		dbk_sqlite_token_valid(const char *token);
/* The connection's token: DBKEEPER_MAINTENANCE_TOKEN, else a random one. */
int			dbk_sqlite_token_init(dbk_sqlite_state *st, char **errmsg);
/* A new random token for the connection. */
int			dbk_sqlite_token_random(dbk_sqlite_state *st);
/*
 * -1 with the maintenance message when main is in maintenance and this
 * connection is not admitted, for an operation that writes the database by
 * other means than its own statements (restore); `doing` completes
 * "cannot ...".
 */
int			dbk_sqlite_maintenance_check(sqlite3 *db, const dbk_sqlite_state *st, const char *doing,
										 dbk_error *err);

/*
 * Table-valued functions (tvf.c): eponymous, read-only virtual tables, each
 * SQLITE_VTAB_DIRECTONLY, whose rows are computed whole when a scan starts.
 * A feature declares one dbk_tvf_def; its virtual table and cursor structs
 * may extend dbk_tvf and dbk_tvf_cursor (the base struct first, sizes in the
 * definition), and both are zeroed when created.
 */
typedef struct dbk_tvf
{
	sqlite3_vtab base;
	sqlite3    *db;
	const struct dbk_tvf_def *def;
	void	   *aux;			/* what registration was given */
} dbk_tvf;

typedef struct dbk_tvf_cursor
{
	sqlite3_vtab_cursor base;
	size_t		n;				/* rows computed by filter */
	size_t		row;			/* the current one, from 0 */
} dbk_tvf_cursor;

typedef struct dbk_tvf_def
{
	const char *name;
	const char *declare;		/* "CREATE TABLE x(...)", the argument a HIDDEN column */
	int			arg_column;		/* the argument's column (an equality on it), or -1 */
	bool		arg_required;	/* a scan without the argument is planned last */
	double		rows;			/* the planner's estimate of a scan's rows */
	size_t		vtab_size;		/* sizeof the feature's vtab struct, or 0 */
	size_t		cursor_size;	/* sizeof its cursor struct, or 0 */
	/* Computes the rows for arg (NULL when not given) and sets c->n. */
	int			(*filter) (dbk_tvf_cursor *c, const char *arg, dbk_error *err);
	void		(*column) (dbk_tvf_cursor *c, sqlite3_context *ctx, int col);
	void		(*open) (dbk_tvf_cursor *c);	/* may be NULL */
	void		(*clear) (dbk_tvf_cursor *c);	/* frees the rows; may be NULL */
	void		(*disconnect) (dbk_tvf *vt);	/* may be NULL */
} dbk_tvf_def;

/*
 * Registers def on db; aux is handed to every instance (vt->aux) and given
 * to aux_free (may be NULL) when the module goes.
 */
int			dbk_sqlite_register_tvf(sqlite3 *db, const dbk_tvf_def *def, void *aux,
									void (*aux_free) (void *));

/* Registration, one per file; each returns an SQLite result code. */
int			dbk_sqlite_register_config(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_backup(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_backups(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_verify(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_prune(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_restore(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_banner(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_schema(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_codelist(sqlite3 *db, dbk_sqlite_state *st);
int			dbk_sqlite_register_identity(sqlite3 *db, dbk_sqlite_state *st);

/* Registers fn under name for every argument count from min_args to max_args. */
int			dbk_sqlite_create(sqlite3 *db, const char *name, int min_args, int max_args, int flags,
							  void (*fn) (sqlite3_context *, int, sqlite3_value **),
							  dbk_sqlite_state *st);

/* Reference counting of the state across registrations. */
dbk_sqlite_state *dbk_sqlite_state_ref(dbk_sqlite_state *st);
void		dbk_sqlite_state_release(void *st);

#define DBK_SQLITE_SIDE_EFFECTS (SQLITE_UTF8 | SQLITE_DIRECTONLY)

#endif
