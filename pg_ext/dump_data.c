/*
 * dump_data.c — the rows of a PostgreSQL backup, streamed.
 *
 * Each table is read by a sequential scan of that relation alone (so the
 * rows of a partition or inheritance child are its own, as COPY ONLY would
 * give) under the backup's snapshot, and every row is turned into COPY text
 * with the columns' output functions and copy_text_append().  Generated
 * columns are left out: the restore computes them.  Memory stays flat: the
 * output functions run in a context reset after every row, and the text
 * goes to the archive writer in chunks (dump_out.c).
 *
 * Of an extension configuration table whose rows pg_extension_config_dump()
 * filters, only the rows that match the condition are written, as pg_dump
 * does (the others are the extension's own and come with CREATE
 * EXTENSION): the TIDs of the matching rows are read first, by SPI under
 * the same snapshot, and the scan keeps those.
 *
 * On a hot standby, unlogged tables have no rows to read and get no COPY
 * block (as with pg_dump there); their definitions are still backed up.
 *
 * The caller must be able to read every row: a table without SELECT
 * privilege, or one where row-level security would filter rows for the
 * caller (pg_dump runs with row_security = off for the same reason), stops
 * the backup with an error naming the table.
 *
 * Progress: while a table is copied, pg_stat_progress_copy shows this
 * backend with relid = the table, command = 'COPY TO', type = 'FILE',
 * tuples_processed = rows of this table so far, and for a heap table
 * bytes_total = the table's size when its scan began and bytes_processed =
 * the bytes of it scanned so far (the block of the row being read), so that
 * 100 * bytes_processed / bytes_total is the table's percentage.  The scan
 * is not synchronized with other sequential scans (pg_dump sets
 * synchronize_seqscans off for the same reason: rows in physical order),
 * so it starts at block 0 and the block is a position.  Other table access
 * methods have no block position: bytes_total and bytes_processed stay 0.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xlog.h"
#include "catalog/pg_am_d.h"
#include "commands/progress.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "copy_text.h"
#include "dump_data.h"

#define PROGRESS_EVERY 1024

/*
 * How a column's values become text.  Most columns go through their type's
 * output function; for the commonest types the same text is made directly
 * (the bytes of a text value as they are, an integer's digits), which saves
 * a palloc, a copy and a strlen per value.  The choice is by output
 * function, so domains over these types take the short path too.
 */
typedef enum col_kind
{
	COL_OUTPUT_FUNCTION,
	COL_TEXT,					/* textout, varcharout, bpcharout: the bytes */
	COL_INT2,
	COL_INT4,
	COL_INT8
} col_kind;

static col_kind
column_kind(Oid output_function)
{
	switch (output_function)
	{
		case F_TEXTOUT:
		case F_VARCHAROUT:
		case F_BPCHAROUT:
			return COL_TEXT;
		case F_INT2OUT:
			return COL_INT2;
		case F_INT4OUT:
			return COL_INT4;
		case F_INT8OUT:
			return COL_INT8;
		default:
			return COL_OUTPUT_FUNCTION;
	}
}

/* Appends one non-NULL value as a COPY text field (in the row context). */
static inline void
append_field(StringInfo buf, col_kind kind, FmgrInfo *out, Datum value)
{
	switch (kind)
	{
		case COL_TEXT:
			{
				text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				copy_text_append_len(buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				return;
			}
		case COL_INT2:
			enlargeStringInfo(buf, 8);
			buf->len += pg_itoa(DatumGetInt16(value), buf->data + buf->len);
			return;
		case COL_INT4:
			enlargeStringInfo(buf, 12);
			buf->len += pg_ltoa(DatumGetInt32(value), buf->data + buf->len);
			return;
		case COL_INT8:
			enlargeStringInfo(buf, 24);
			buf->len += pg_lltoa(DatumGetInt64(value), buf->data + buf->len);
			return;
		case COL_OUTPUT_FUNCTION:
			copy_text_append(buf, OutputFunctionCall(out, value));
			return;
	}
}

static int
tid_cmp(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) a, (ItemPointer) b);
}

/* The TIDs of the rows of table t that its filter picks, sorted, into *n. */
static ItemPointerData *
filtered_tids(const dump_table *t, int *n)
{
	char	   *sql = psprintf("SELECT ctid FROM ONLY %s %s", t->qname, t->filter);
	ItemPointerData *tids;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the rows of %s that \"%s\" picks", t->qname, t->filter);
	tids = palloc(sizeof(ItemPointerData) * Max(SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		tids[i] = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	*n = (int) SPI_processed;
	qsort(tids, *n, sizeof(ItemPointerData), tid_cmp);
	pfree(sql);
	return tids;
}

static void
check_readable(Relation rel, const char *qname)
{
	Oid			relid = RelationGetRelid(rel);

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to back up table %s", qname),
				 errdetail("A backup holds every table of the database; this one cannot be read by role \"%s\".",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Run dbkeeper_backup() as a superuser or as a role that can read every table.")));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot back up table %s: row-level security would hide rows from role \"%s\"",
						qname, GetUserNameFromId(GetUserId(), false)),
				 errdetail("A backup that silently lacks rows would be worse than no backup."),
				 errhint("Run dbkeeper_backup() as a superuser or as a role with BYPASSRLS.")));
}

bool
dbk_dump_table_data(dump_out *o, const dump_table *t, Snapshot snapshot, uint64 *rows_out)
{
	Relation	rel = table_open(t->relid, NoLock);	/* locked by backup.c */
	TupleDesc	desc = RelationGetDescr(rel);
	int		   *cols = palloc(sizeof(int) * desc->natts);
	col_kind   *kinds = palloc(sizeof(col_kind) * desc->natts);
	FmgrInfo   *out = palloc(sizeof(FmgrInfo) * desc->natts);
	int			ncols = 0;
	MemoryContext rowcxt,
				old;
	TupleTableSlot *slot;
	TableScanDesc scan;
	uint64		rows = 0;
	ItemPointerData *keep = NULL;
	int			nkeep = 0;
	int64		bytes_total = 0;

	check_readable(rel, t->qname);
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED && RecoveryInProgress())
	{
		/* A standby has no rows of unlogged tables (pg_dump skips them too). */
		table_close(rel, NoLock);
		*rows_out = 0;
		return false;
	}
	if (t->filter)
		keep = filtered_tids(t, &nkeep);
	/*
	 * The column list; a table without columns gets none, as pg_dump writes
	 * it ("COPY t () FROM stdin" is a syntax error).
	 */
	appendStringInfo(&o->buf, "COPY %s ", t->qname);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			func;
		bool		isvarlena;

		if (att->attisdropped || att->attgenerated)
			continue;
		getTypeOutputInfo(att->atttypid, &func, &isvarlena);
		fmgr_info(func, &out[ncols]);
		kinds[ncols] = column_kind(func);
		appendStringInfoString(&o->buf, ncols > 0 ? ", " : "(");
		appendStringInfoString(&o->buf, quote_identifier(NameStr(att->attname)));
		cols[ncols++] = i;
	}
	appendStringInfoString(&o->buf, ncols > 0 ? ") FROM stdin;\n" : "FROM stdin;\n");

	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, t->relid);
	pgstat_progress_update_param(PROGRESS_COPY_COMMAND, PROGRESS_COPY_COMMAND_TO);
	pgstat_progress_update_param(PROGRESS_COPY_TYPE, PROGRESS_COPY_TYPE_FILE);
	if (rel->rd_rel->relam == HEAP_TABLE_AM_OID)
		bytes_total = (int64) RelationGetNumberOfBlocks(rel) * BLCKSZ;
	pgstat_progress_update_param(PROGRESS_COPY_BYTES_TOTAL, bytes_total);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper row", ALLOCSET_DEFAULT_SIZES);
	slot = table_slot_create(rel, NULL);
	/* allow_strat, not allow_sync: see the header comment */
	scan = table_beginscan_strat(rel, snapshot, 0, NULL, true, false);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		if (keep && !bsearch(&slot->tts_tid, keep, nkeep, sizeof(ItemPointerData), tid_cmp))
			continue;
		slot_getallattrs(slot);
		old = MemoryContextSwitchTo(rowcxt);
		for (int k = 0; k < ncols; k++)
		{
			int			i = cols[k];

			if (k > 0)
				appendStringInfoCharMacro(&o->buf, '\t');
			if (slot->tts_isnull[i])
				appendBinaryStringInfo(&o->buf, COPY_TEXT_NULL, 2);
			else
				append_field(&o->buf, kinds[k], &out[k], slot->tts_values[i]);
		}
		appendStringInfoCharMacro(&o->buf, '\n');
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		rows++;
		dump_out_maybe_flush(o);
		if (rows % PROGRESS_EVERY == 0)
		{
			const int	index[] = {PROGRESS_COPY_BYTES_PROCESSED, PROGRESS_COPY_TUPLES_PROCESSED};
			int64		val[] = {0, (int64) rows};

			if (bytes_total > 0)
				val[0] = Min((int64) ItemPointerGetBlockNumber(&slot->tts_tid) * BLCKSZ, bytes_total);
			pgstat_progress_update_multi_param(2, index, val);
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	table_close(rel, NoLock);
	pgstat_progress_end_command();
	appendStringInfoString(&o->buf, "\\.\n\n");
	dump_out_maybe_flush(o);
	pfree(cols);
	pfree(kinds);
	pfree(out);
	if (keep)
		pfree(keep);
	o->rows += rows;
	*rows_out = rows;
	return true;
}

/*
 * A sequence's state, read from its relation's one row under the backup's
 * snapshot, as `SELECT last_value, is_called FROM seq` reads it (the row is
 * changed in place, so every snapshot sees its latest values), without
 * parsing and planning a query per sequence: on the schema-heavy benchmark
 * database 300 such queries took 21 ms of a 0.4 s backup.  The caller needs
 * SELECT on the sequence, as that query does.
 */
static void
read_sequence(const dump_table *seq, Snapshot snapshot, int64 *last_value, bool *is_called)
{
	Relation	rel = relation_open(seq->relid, AccessShareLock);
	TableScanDesc scan;
	HeapTuple	tup;
	bool		isnull;

	if (pg_class_aclcheck(seq->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to back up sequence %s", seq->qname),
				 errdetail("A backup holds every sequence's value; this one cannot be read by role \"%s\".",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Run dbkeeper_backup() as a superuser or as a role that can read every table and sequence.")));
	scan = table_beginscan(rel, snapshot, 0, NULL);
	tup = heap_getnext(scan, ForwardScanDirection);
	if (tup == NULL)
		elog(ERROR, "sequence %s has no row", seq->qname);
	*last_value = DatumGetInt64(heap_getattr(tup, 1, RelationGetDescr(rel), &isnull));
	*is_called = DatumGetBool(heap_getattr(tup, 3, RelationGetDescr(rel), &isnull));
	table_endscan(scan);
	relation_close(rel, AccessShareLock);
}

void
dbk_dump_sequence_values(dump_out *o, List *seqs, Snapshot snapshot)
{
	ListCell   *lc;

	foreach(lc, seqs)
	{
		const dump_table *seq = lfirst(lc);
		int64		last_value;
		bool		is_called;

		read_sequence(seq, snapshot, &last_value, &is_called);
		appendStringInfo(&o->buf, "SELECT pg_catalog.setval(%s, " INT64_FORMAT ", %s);\n",
						 quote_literal_cstr(seq->qname), last_value, is_called ? "true" : "false");
		dump_out_maybe_flush(o);
	}
	if (seqs != NIL)
		appendStringInfoChar(&o->buf, '\n');
}

/*
 * Large objects are filled with one lo_put per chunk of hex text, at its
 * offset.  Each statement stands alone: pg_dump's lo_open/lowrite/lo_close
 * share a descriptor that lives only as long as the transaction, which is
 * why its plain output wraps them in BEGIN/COMMIT; lo_put needs neither, so
 * the script replays in psql's autocommit mode and inside
 * dbkeeper_restore()'s one transaction alike.  Each chunk is read with
 * lo_get under the backup's snapshot (so the caller needs SELECT on the
 * object) into a context reset per chunk.
 */
#define LO_CHUNK (128 * 1024)

void
dbk_dump_large_objects(dump_out *o, List *oids)
{
	MemoryContext chunkcxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper large object",
												   ALLOCSET_DEFAULT_SIZES);
	ListCell   *lc;

	foreach(lc, oids)
	{
		Oid			lo = lfirst_oid(lc);
		int64		offset = 0;
		int			got;

		do
		{
			MemoryContext old = MemoryContextSwitchTo(chunkcxt);
			char	   *sql = psprintf("SELECT pg_catalog.lo_get('%u', " INT64_FORMAT ", %d)", lo, offset, LO_CHUNK);
			bool		isnull;
			bytea	   *data;

			CHECK_FOR_INTERRUPTS();
			if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "could not read large object %u", lo);
			data = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			got = isnull ? 0 : VARSIZE_ANY_EXHDR(data);
			if (got > 0)
			{
				appendStringInfo(&o->buf, "SELECT pg_catalog.lo_put('%u', " INT64_FORMAT ", '\\x", lo, offset);
				enlargeStringInfo(&o->buf, got * 2 + 8);
				o->buf.len += hex_encode(VARDATA_ANY(data), got, o->buf.data + o->buf.len);
				o->buf.data[o->buf.len] = '\0';
				appendStringInfoString(&o->buf, "');\n");
			}
			SPI_freetuptable(SPI_tuptable);
			MemoryContextSwitchTo(old);
			MemoryContextReset(chunkcxt);
			offset += got;
			dump_out_maybe_flush(o);
		} while (got == LO_CHUNK);
		appendStringInfoChar(&o->buf, '\n');
		dump_out_maybe_flush(o);
	}
	MemoryContextDelete(chunkcxt);
}
