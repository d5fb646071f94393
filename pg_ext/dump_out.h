/*
 * dump_out.h — the text of a PostgreSQL backup on its way into the archive
 * writer: a buffer flushed in chunks, with counters for progress.
 */
#ifndef DBK_PG_DUMP_OUT_H
#define DBK_PG_DUMP_OUT_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "../core/archive/archive.h"

#define DUMP_OUT_CHUNK (256 * 1024)

typedef struct dump_out
{
	dbk_archive_writer *writer;
	StringInfoData buf;			/* pending text, flushed at DUMP_OUT_CHUNK */
	uint64		bytes;			/* text handed to the writer so far */
	uint64		rows;			/* rows written so far, all tables */
} dump_out;

void		dump_out_init(dump_out *o, dbk_archive_writer *writer);
/* Hands the pending text to the writer; raises on a write error or interrupt. */
void		dump_out_flush(dump_out *o);
/* The same, as a zstd frame of its own at level (dbk_archive_write_frame). */
void		dump_out_flush_frame(dump_out *o, int level);

static inline void
dump_out_maybe_flush(dump_out *o)
{
	if (o->buf.len >= DUMP_OUT_CHUNK)
		dump_out_flush(o);
}

static inline void
dump_out_str(dump_out *o, const char *s)
{
	appendStringInfoString(&o->buf, s);
	dump_out_maybe_flush(o);
}

#endif
