/*
 * backup.c — dbkeeper_backup([label]) for PostgreSQL.
 *
 * The flow, from SQL call to published file:
 *   1. privileges (access.c), label check, refusal inside a transaction that
 *      has written (its uncommitted rows would be in the backup), backup
 *      directory opened (created
 *      on first use) and swept of temporary files that dead backends left;
 *   2. a locked temporary file (core/archive/backup_dir.c) and an archive writer on
 *      it (core/archive/archive.c) whose header says engine=postgresql;
 *   3. ACCESS SHARE locks on every relation (lock_wait.c: within
 *      dbkeeper.lock_wait_timeout, never holding the others while waiting
 *      for one, so that no DDL queued behind the backup stops writers), then
 *      one registered snapshot,
 *      then a check that every relation that snapshot shows is locked (more
 *      locks and a new snapshot until nothing new appears);
 *   4. under that snapshot, with SPI read-only and search_path = '', the
 *      the DDL
 *      (dump_schema.c), the rows (dump_data.c) and sequence values, the
 *      post-data DDL, all streamed through the writer;
 *   5. the trailer (total rows and rows per table), then dbk_publish: fsync, link under the final name,
 *      directory fsync, latest link; then retention, best effort (as on
 *      SQLite: the backup is already safe; dbkeeper_prune() reports errors).
 *
 * Nothing is written into the database, so a hot standby can take backups.
 * On any ERROR (including cancel) PG_FINALLY frees the writer and removes
 * the temporary file; on FATAL (terminate) a before_shmem_exit callback
 * does both; a killed backend leaves the file to the next backup's sweep,
 * which the flock held on it makes safe.
 *
 * Threads: in a threaded backup (dbkeeper_backup()), zstd compresses on one
 * worker thread (4 MB jobs) while this backend scans, encodes and hashes;
 * the restore's safety worker compresses in its own process.  That thread
 * runs zstd code only: it never calls a PostgreSQL function, and its memory
 * comes from malloc (dbk_libc_allocator), because palloc is not
 * thread-safe.  Everything else the writer allocates comes from the
 * backup's memory context, on this thread.  The compressor lives outside every memory context, so each exit
 * path above frees it explicitly (dbk_archive_writer_free joins the thread).
 */
#include "postgres.h"

#include <time.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "../core/archive/archive.h"
#include "../core/archive/backup_header.h"
#include "../core/archive/catalog.h"
#include "access.h"
#include "as_owner.h"
#include "backup.h"
#include "common.h"
#include "copy_text.h"
#include "dump_data.h"
#include "dump_out.h"
#include "dump_schema.h"
#include "guc.h"
#include "lock_wait.h"
#include "schema.h"

PG_FUNCTION_INFO_V1(dbkeeper_backup);

/*
 * zstd worker threads of a threaded backup.  One lets compression overlap
 * the scan (as on SQLite); the backend itself stays the bottleneck, so more
 * would only take cores from other sessions.  Without it (a backup beside
 * other work, dbk_pg_backup_take's threaded false) the backend compresses
 * and hashes itself: on the clinical benchmark dataset at level 1 the rows
 * took 430-470 ms of CPU instead of 540-580 ms (zstd's job buffers, filled
 * for the first time by each backup, and the hand-over to the threads), for
 * the same file.
 */
#define COMPRESSION_WORKERS 1

typedef struct backup_state
{
	dbk_allocator alloc;
	dbk_dir		dir;
	dbk_temp	temp;
	dbk_fd_stream fd;
	dbk_archive_writer *writer;
	dbk_meta	header;
	dump_out	out;
	StringInfoData table_rows;	/* the trailer's table_rows value */
	char		database[NAMEDATALEN];
	dbk_origin	origin;
	char		name[DBK_NAME_MAX + 1];
	struct timespec started;	/* CLOCK_MONOTONIC, for the log line */
	int			compression_workers;	/* COMPRESSION_WORKERS or 0 */
} backup_state;

/* The backup in progress in this backend, for the exit callback. */
static backup_state *active = NULL;
static bool exit_callback_registered = false;

static void
remove_temp_at_exit(int code, Datum arg)
{
	if (active != NULL)
	{
		dbk_archive_writer_free(active->writer);
		active->writer = NULL;
		dbk_temp_remove(&active->dir, &active->temp);
		active = NULL;
	}
}

/* Writes through the fd sink; a pending interrupt ends the write with an error. */
static int
interruptible_write(void *ctx, const void *buf, size_t len, dbk_error *err)
{
	backup_state *st = ctx;
	dbk_sink	inner = dbk_fd_sink(&st->fd);

	if (dbk_pg_interrupted(err))
		return -1;
	return inner.write(inner.ctx, buf, len, err);
}

static void
raise_if(int rc, const dbk_error *err)
{
	if (rc != 0)
	{
		CHECK_FOR_INTERRUPTS();
		dbk_pg_raise(err);
	}
}

static void
make_header(backup_state *st, const struct timespec *now, const char *label)
{
	char		sysid[32],
				dboid[16];
	dbk_header_key identity[] = {
		{"identity", st->origin.identity},
		{"system_identifier", sysid},
		{"database_oid", dboid},
	};
	dbk_header_info info = {
		.engine = DBK_PG_ENGINE,
		.database = st->database,
		.identity = identity,
		.nidentity = lengthof(identity),
		.created = *now,
		.label = label,
		.server_version = GetConfigOption("server_version", false, false),
		.dbkeeper_version = DBKEEPER_VERSION,
		.compression_level = dbk_pg_compression_level,
	};
	dbk_error	err;

	snprintf(sysid, sizeof(sysid), UINT64_FORMAT, GetSystemIdentifier());
	snprintf(dboid, sizeof(dboid), "%u", MyDatabaseId);
	raise_if(dbk_header_build(&st->header, &info, &err), &err);
}

/*
 * Settings that make the catalogs' text and the types' output replayable,
 * whatever the caller's session or the database (ALTER DATABASE ... SET) has
 * chosen: pg_dump sets the same on its connection.  With
 * standard_conforming_strings off, pg_get_expr and pg_get_viewdef double
 * every backslash of a literal, which the script (it sets the setting on)
 * would read back as two.
 */
static void
set_output_settings(void)
{
	static const char *const settings[][2] = {
		{"search_path", ""},
		{"standard_conforming_strings", "on"},
		{"datestyle", "ISO"},
		{"intervalstyle", "postgres"},
		{"extra_float_digits", "3"},
		{"bytea_output", "hex"},
		{"xmloption", "content"},
		{"quote_all_identifiers", "off"},
		/*
		 * Plans only, never text: the catalog queries are short, and on a
		 * schema of hundreds of tables the planner's estimate of the
		 * dependency query passed every JIT threshold, whose compilation
		 * took 4.4 s of the query's 5.2 s.
		 */
		{"jit", "off"},
	};

	for (size_t i = 0; i < lengthof(settings); i++)
		(void) set_config_option(settings[i][0], settings[i][1], PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
}

static void
lock_all(List *oids, List **locked)
{
	List	   *fresh = NIL;
	ListCell   *lc;

	foreach(lc, oids)
		if (!list_member_oid(*locked, lfirst_oid(lc)))
			fresh = lappend_oid(fresh, lfirst_oid(lc));
	dbk_lock_relations(fresh, AccessShareLock, "dbkeeper_backup()", "No backup was written.");
	*locked = list_concat(*locked, fresh);
	list_free(fresh);
}

/*
 * Locks every relation, then takes the snapshot the backup reads under.  A
 * relation created between the first listing and the snapshot shows up in
 * the second listing; it is locked and a new snapshot taken, until a
 * listing under the current snapshot shows nothing new.
 */
static Snapshot
lock_and_snapshot(void)
{
	List	   *locked = NIL;
	Snapshot	snap;

	lock_all(dbk_dump_relations_to_lock(), &locked);
	for (;;)
	{
		int			before = list_length(locked);

		snap = RegisterSnapshot(GetTransactionSnapshot());
		PushActiveSnapshot(snap);
		lock_all(dbk_dump_relations_to_lock(), &locked);
		if (list_length(locked) == before)
			break;
		PopActiveSnapshot();
		UnregisterSnapshot(snap);
	}
	list_free(locked);
	return snap;
}

static void
write_preamble(backup_state *st)
{
	appendStringInfo(&st->out.buf,
					 "--\n-- dbkeeper backup of database %s, %s\n"
					 "-- Restore into an empty database with:\n"
					 "--   zstd -dc <file> | psql -v ON_ERROR_STOP=1 --single-transaction -d <database>\n--\n\n"
					 "SET statement_timeout = 0;\n"
					 "SET lock_timeout = 0;\n"
					 "SET idle_in_transaction_session_timeout = 0;\n"
					 "SET client_encoding = %s;\n"
					 "SET standard_conforming_strings = on;\n"
					 "SELECT pg_catalog.set_config('search_path', '', false);\n"
					 "SET datestyle = ISO;\n"
					 "SET intervalstyle = postgres;\n"
					 "SET check_function_bodies = false;\n"
					 "SET xmloption = content;\n"
					 "SET client_min_messages = warning;\n"
					 "SET row_security = off;\n"
					 "SET default_tablespace = '';\n"
					 "SET default_table_access_method = heap;\n\n",
					 quote_identifier(st->database),
					 dbk_meta_get(&st->header, "created_at"),
					 quote_literal_cstr(GetDatabaseEncodingName()));
}

/*
 * One line of the trailer's table_rows: the number of rows, a space, and the
 * table's name as the script's COPY statement gives it (schema-qualified,
 * quoted where needed), with a backslash, newline or carriage return in it
 * escaped as COPY text escapes them, so that every table takes one line.
 */
static void
note_table_rows(StringInfo list, const dump_table *t, uint64 rows)
{
	if (list->len > 0)
		appendStringInfoChar(list, '\n');
	appendStringInfo(list, UINT64_FORMAT " ", rows);
	copy_text_append(list, t->qname);
}

static void
write_list(dump_out *o, List *statements)
{
	ListCell   *lc;

	foreach(lc, statements)
	{
		appendStringInfoString(&o->buf, (const char *) lfirst(lc));
		appendStringInfoString(&o->buf, "\n\n");
		dump_out_maybe_flush(o);
	}
}

/*
 * The statements after the rows (indexes, constraints, triggers, ...), from
 * POST_FRAME_MIN bytes on, as a zstd frame of their own at POST_LEVEL (or
 * the configured level if higher).  On the schema-heavy benchmark database
 * (300 tables, 500 functions) their 190 kB took 7.9 kB at level 3 and take
 * 6.3 kB at 5, for about 1 ms; level 16 would save 0.3 kB more for 120 ms.
 * Those before the rows stay in the rows' frame: zstd compresses the rows in
 * 4 MB jobs, whose boundaries move with what precedes the rows, and that
 * alone made a pgbench backup 2% larger or smaller.  Below POST_FRAME_MIN a
 * frame would cost more than it saves.
 */
#define POST_LEVEL 5
#define POST_FRAME_MIN (64 * 1024)

static void
write_post_data(dump_out *o, List *statements)
{
	ListCell   *lc;
	size_t		total = 0;

	foreach(lc, statements)
		total += strlen((const char *) lfirst(lc)) + 2;
	if (total < POST_FRAME_MIN)
	{
		write_list(o, statements);
		dump_out_flush(o);
		return;
	}
	dump_out_flush(o);
	foreach(lc, statements)
	{
		appendStringInfoString(&o->buf, (const char *) lfirst(lc));
		appendStringInfoString(&o->buf, "\n\n");
	}
	dump_out_flush_frame(o, Max(POST_LEVEL, dbk_pg_compression_level));
}

/*
 * The schema as of the backup's snapshot goes into the header (keys
 * "fingerprint" and "schema"), so that dbkeeper_backups() shows the
 * fingerprint and dbkeeper_schema_diff() can compare with it later.
 */
static void
record_schema(backup_state *st)
{
	char	   *text;
	char		fingerprint[65];
	dbk_error	err;

	dbk_pg_schema_describe(&text, fingerprint);
	raise_if(dbk_meta_set(&st->header, "fingerprint", fingerprint, &err) ||
			 dbk_meta_set(&st->header, "schema", text, &err), &err);
	pfree(text);
}

/* The header is complete once the schema is known: the archive starts here. */
static void
open_writer(backup_state *st)
{
	dbk_sink	sink = {interruptible_write, st};
	dbk_error	err;

	st->writer = dbk_archive_writer_open_threaded(&st->alloc, &dbk_libc_allocator, sink, &st->header,
												  dbk_pg_compression_level, st->compression_workers, &err);
	raise_if(st->writer == NULL, &err);
	dump_out_init(&st->out, st->writer);
}

/*
 * The DEBUG1 timing of a backup's phase: "dbkeeper_backup: PHASE in N ms
 * (M ms CPU)" since *c, which moves to now.  CPU is the whole backend's,
 * the compressors' threads included.
 */
static void
debug_phase(dbk_pg_clock *c, const char *phase)
{
	double		wall_ms,
				cpu_ms;

	if (!message_level_is_interesting(DEBUG1))
		return;
	dbk_pg_clock_lap(c, &wall_ms, &cpu_ms);
	elog(DEBUG1, "dbkeeper_backup: %s in %.0f ms (%.0f ms CPU)", phase, wall_ms, cpu_ms);
}

/* Steps 3 and 4: everything between the header and the trailer. */
static void
write_content(backup_state *st)
{
	dump_schema schema;
	Snapshot	snap;
	int			nest = NewGUCNestLevel();
	ListCell   *lc;
	dbk_pg_clock clock;

	dbk_pg_clock_start(&clock);
	memset(&schema, 0, sizeof(schema));
	schema.cxt = CurrentMemoryContext;
	set_output_settings();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	snap = lock_and_snapshot();
	debug_phase(&clock, "locks taken");
	dbk_dump_check_supported();
	record_schema(st);
	debug_phase(&clock, "schema described");
	open_writer(st);
	dbk_dump_schema_read(&schema);
	debug_phase(&clock, "definitions read");

	write_preamble(st);
	write_list(&st->out, schema.pre_data);
	foreach(lc, schema.tables)
	{
		const dump_table *t = lfirst(lc);
		uint64		rows;

		if (dbk_dump_table_data(&st->out, t, snap, &rows))
			note_table_rows(&st->table_rows, t, rows);
	}
	dbk_dump_sequence_values(&st->out, schema.sequences, snap);
	dbk_dump_large_objects(&st->out, schema.large_objects);
	debug_phase(&clock, "rows, sequence values and large objects written");
	write_post_data(&st->out, list_concat(schema.post_data, schema.refresh));
	debug_phase(&clock, "definitions after the rows written");

	SPI_finish();
	PopActiveSnapshot();
	UnregisterSnapshot(snap);
	AtEOXact_GUC(true, nest);
}

static void
log_backup(const backup_state *st, uint64 file_bytes)
{
	char		line[2048];

	dbk_oplog_backup(line, sizeof(line), st->database, st->name, file_bytes,
					 (int64) st->out.rows, dbk_pg_seconds_since(&st->started));
	dbk_pg_log(line);
}

static void
take_backup(backup_state *st, const char *label, const struct timespec *now, bool ordinary,
			char *name_out)
{
	dbk_archive_summary summary;
	dbk_meta	trailer;
	struct timespec finished;
	dbk_error	err;

	(void) dbk_dir_sweep(&st->dir, NULL, &err);
	raise_if(dbk_temp_create(&st->dir, "backup", &st->temp, &err), &err);
	st->fd.fd = st->temp.fd;
	st->fd.what = "the new backup";

	write_content(st);

	dbk_meta_init(&trailer, &st->alloc);
	clock_gettime(CLOCK_REALTIME, &finished);
	raise_if(dbk_trailer_build(&trailer, now, &finished, true, st->out.rows, &err) ||
			 dbk_meta_set(&trailer, "table_rows", st->table_rows.data, &err), &err);
	raise_if(dbk_archive_writer_finish(st->writer, &trailer, &summary, &err), &err);
	raise_if(dbk_publish(&st->dir, &st->temp, st->database, now->tv_sec, label, DBK_EXT_PG,
						 ordinary, st->name, &err), &err);
	/* at once, before anything that checks for interrupts (see backup.h) */
	strlcpy(name_out, st->name, DBK_NAME_MAX + 1);
	log_backup(st, summary.file_bytes);
	if (ordinary)
	{
		dbk_retention r = {dbk_pg_keep_backups, dbk_pg_keep_days, NULL, now->tv_sec};
		struct timespec started;
		dbk_pruned	pruned;
		char		line[2048];

		clock_gettime(CLOCK_MONOTONIC, &started);
		(void) dbk_catalog_prune_noting(&st->alloc, &st->dir, &st->origin, DBK_EXT_PG, &r, &pruned, &err);
		if (pruned.count > 0)
		{
			dbk_oplog_prune(line, sizeof(line), st->database, &pruned, dbk_pg_seconds_since(&started));
			dbk_pg_log(line);
		}
	}
}

/*
 * Takes a backup of the current database; see backup.h.  Used by
 * dbkeeper_backup() and by dbkeeper_restore() for its safety backup.
 */
void
dbk_pg_backup_take(const char *label, bool ordinary, bool threaded, char *name_out)
{
	backup_state *st;
	struct timespec now;
	dbk_error	err;

	if (dbk_label_check(label, &err) != 0)
		dbk_pg_raise(&err);
	if (active != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a backup is already running in this session")));
	if (!exit_callback_registered)
	{
		before_shmem_exit(remove_temp_at_exit, (Datum) 0);
		exit_callback_registered = true;
	}

	st = palloc0(sizeof(backup_state));
	clock_gettime(CLOCK_MONOTONIC, &st->started);
	st->temp.fd = -1;
	st->dir.fd = -1;
	st->compression_workers = threaded ? COMPRESSION_WORKERS : 0;
	dbk_pg_allocator_init(&st->alloc, CurrentMemoryContext);
	initStringInfo(&st->table_rows);
	dbk_meta_init(&st->header, &st->alloc);
	dbk_pg_origin(&st->origin);
	strlcpy(st->database, st->origin.database, sizeof(st->database));
	clock_gettime(CLOCK_REALTIME, &now);
	make_header(st, &now, label);
	dbk_pg_open_dir(&st->dir, true);

	active = st;
	dbk_owner_guard_begin();	/* no role's function runs as the caller */
	PG_TRY();
	{
		take_backup(st, label, &now, ordinary, name_out);
	}
	PG_FINALLY();
	{
		dbk_owner_guard_end();
		active = NULL;
		dbk_archive_writer_free(st->writer);
		st->writer = NULL;
		dbk_temp_remove(&st->dir, &st->temp);
		dbk_dir_close(&st->dir);
	}
	PG_END_TRY();
	dbk_meta_free(&st->header);
	pfree(st);
}

Datum
dbkeeper_backup(PG_FUNCTION_ARGS)
{
	char	   *label = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		name[DBK_NAME_MAX + 1];
	dbk_error	err;

	dbk_pg_check_access("dbkeeper_backup", DBK_PG_WRITE_FILES);
	if (TransactionIdIsValid(GetTopTransactionIdIfAny()))
	{
		dbk_backup_fail_in_write_txn(&err, "The backup would contain this transaction's uncommitted changes.");
		dbk_pg_raise(&err);
	}
	dbk_pg_backup_take(label, true, true, name);
	PG_RETURN_TEXT_P(cstring_to_text(name));
}
