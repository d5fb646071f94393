/*
 * dump_out.c — see dump_out.h.  The buffer lives in the memory context that
 * is current at dump_out_init (the backup's); the writer is the caller's.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "common.h"
#include "dump_out.h"

void
dump_out_init(dump_out *o, dbk_archive_writer *writer)
{
	o->writer = writer;
	initStringInfo(&o->buf);
	enlargeStringInfo(&o->buf, DUMP_OUT_CHUNK + 1024);
	o->bytes = 0;
	o->rows = 0;
}

void
dump_out_flush(dump_out *o)
{
	dbk_error	err;

	if (o->buf.len == 0)
		return;
	if (dbk_archive_write(o->writer, o->buf.data, o->buf.len, &err) != 0)
	{
		CHECK_FOR_INTERRUPTS();
		dbk_pg_raise(&err);
	}
	o->bytes += o->buf.len;
	resetStringInfo(&o->buf);
}

void
dump_out_flush_frame(dump_out *o, int level)
{
	dbk_error	err;

	if (o->buf.len == 0)
		return;
	if (dbk_archive_write_frame(o->writer, o->buf.data, o->buf.len, level, &err) != 0)
	{
		CHECK_FOR_INTERRUPTS();
		dbk_pg_raise(&err);
	}
	o->bytes += o->buf.len;
	resetStringInfo(&o->buf);
}
