/*
 * script_reader.h — a backup's SQL script, read on a thread of its own.
 *
 * For a restore, everything that does not need the database happens on
 * this thread: reading the file, zstd decompression, every checksum of the
 * archive (archive.h), cutting the script into statements and COPY data
 * (sql_split.h), and cutting COPY rows into fields (copy_rows.h).  The
 * caller takes the results in order, as items, from a short queue: while
 * it executes one statement or stores one batch of rows, the thread
 * prepares the next ones on the other core.
 *
 * Items: a statement; COPY data (whole lines, as in the file, and the same
 * lines parsed into fields); the end of a COPY block; the end of the script,
 * which comes only after the trailer has been read and every checksum
 * matched; or an error.  An item stays valid until the next call to
 * dbk_script_reader_next or dbk_script_reader_stop.
 *
 * Memory: the queue holds at most DBK_SCRIPT_QUEUE items of about
 * DBK_SCRIPT_BATCH bytes of COPY data each (a single longer line or
 * statement makes its item larger); it does not grow with the script.
 *
 * Threads: the thread is started with every signal blocked, uses only the
 * allocator given (which must be thread-safe, such as dbk_libc_allocator)
 * and the source (read on the thread only), and never calls back into the
 * caller.  dbk_script_reader_stop stops and joins it at any point; the
 * caller must stop it before closing what the source reads.
 */
#ifndef DBK_SCRIPT_READER_H
#define DBK_SCRIPT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copy_rows.h"
#include "../util/dbk_alloc.h"
#include "../util/error.h"
#include "../util/metadata.h"
#include "../util/stream.h"

#define DBK_SCRIPT_QUEUE 4
#define DBK_SCRIPT_BATCH (256 * 1024)

typedef enum dbk_script_kind
{
	DBK_SCRIPT_STATEMENT,		/* text: one statement with its ';' */
	DBK_SCRIPT_COPY_DATA,		/* text: whole lines with their '\n'; rows: the same, parsed */
	DBK_SCRIPT_COPY_END,		/* the "\." line */
	DBK_SCRIPT_END,				/* the script ended and the archive checked out */
	DBK_SCRIPT_ERROR			/* err says what went wrong; nothing follows */
} dbk_script_kind;

typedef struct dbk_script_item
{
	dbk_script_kind kind;
	uint64_t	line;			/* 1-based line where text starts */
	char	   *text;
	size_t		len;
	size_t		cap;
	/*
	 * COPY_DATA: the lines parsed.  When a line could not be parsed,
	 * rows_ok is false, rows holds the lines before it, and rows_err says
	 * what is wrong with the line at bad_line; text still has every line.
	 */
	dbk_copy_rows rows;
	bool		rows_ok;
	uint64_t	bad_line;
	dbk_error	rows_err;
	dbk_error	err;			/* ERROR */
} dbk_script_item;

typedef struct dbk_script_reader dbk_script_reader;

/*
 * Reads the archive's header on the calling thread (so a file that is not a
 * backup fails here), then starts the thread.  what names the file in
 * errors.  The header is copied into header_out when not NULL.  NULL after
 * filling err.
 */
dbk_script_reader *dbk_script_reader_start(const dbk_allocator *a, dbk_source src,
										   const char *what, size_t max_statement,
										   dbk_meta *header_out, dbk_error *err);

/*
 * The next item, waiting at most timeout_ms for it (negative: no limit).
 * NULL when the time ran out: call again (a host checks for interrupts in
 * between).  The previous item is released.
 */
const dbk_script_item *dbk_script_reader_next(dbk_script_reader *r, int timeout_ms);

/* Stops the thread, joins it and frees everything.  NULL is accepted. */
void		dbk_script_reader_stop(dbk_script_reader *r);

#endif
