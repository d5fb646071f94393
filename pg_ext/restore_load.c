/*
 * restore_load.c — a backup's COPY rows stored straight into a plain table,
 * for dbkeeper_restore().
 *
 * The restore's reader thread (core/restore/script_reader.c) has already cut each
 * COPY line into unescaped fields, on the other core.  For a table where
 * that is all COPY FROM would do besides converting and storing, this file
 * does the rest in the backend: each field through the column type's input
 * function, exactly as COPY calls it (also with NULL, for domains), the
 * NOT NULL check, and batches of 1000 rows through table_multi_insert with
 * a bulk-insert state, skipping the free space map for a table created in
 * this transaction — what COPY FROM does for such a table (PostgreSQL 15,
 * src/backend/commands/copyfrom.c).  What the backend no longer does is
 * read and unescape the text, and count the characters of character(n)
 * values: together about 30% of the backend's samples in a COPY of
 * pgbench's rows.
 *
 * A table qualifies when COPY FROM would do nothing else for it: an
 * ordinary table, not a partition, without triggers (foreign keys are
 * triggers), indexes, CHECK constraints or generated columns, with every
 * column in the COPY's column list (so no defaults are computed), and a
 * COPY without options.  That is most tables of a backup's data section,
 * where indexes, keys and triggers come after the rows; any other table
 * goes through COPY FROM as before.  Privileges and row-level
 * security are checked by the caller for both paths, which then runs the
 * loader as the table's owner (as_owner.c): a domain's CHECK evaluated by
 * an input function runs with that role's privileges.
 *
 * Encoding: a field that is 7-bit ASCII without NUL is valid in every
 * server encoding; any other field is checked with pg_verifymbstr, as COPY
 * checks its input (which also refuses a NUL, so a field's length is its
 * strlen).  character(n): a plain field of at most n bytes has at most n
 * characters, so it is stored padded with spaces to n, which is what
 * bpcharin would return without counting characters (varchar.c,
 * bpchar_input); anything else goes through bpcharin.  text, and
 * varchar(n) of at most n bytes: stored as given, which is what textin and
 * varcharin return (varchar_input counts characters only past n bytes).
 * date, timestamp and timestamptz in the form a backup writes them:
 * restore_values.c, without the general date parser.
 */
#include "postgres.h"

#include <limits.h>

#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compat.h"
#include "restore_load.h"
#include "restore_values.h"

#define LOAD_BATCH 1000

typedef struct column
{
	int			att;			/* index in the tuple descriptor */
	FmgrInfo	in;
	Oid			ioparam;
	int32		typmod;
	int			bpchar_len;		/* n of character(n), else -1 */
	int			text_len;		/* text or varchar: the most bytes stored as given, else -1 */
	bool		fast;			/* date and time types: restore_values.c first */
	bool		not_null;
} column;

struct dbk_loader
{
	Relation	rel;
	const char *backup;
	int			ncols;
	column	   *cols;
	TupleTableSlot *slots[LOAD_BATCH];	/* the first made of them exist */
	int			made;
	int			used;
	BulkInsertState bistate;
	CommandId	cid;
	int			options;
	MemoryContext cxt;			/* the loader's, with the slots */
	MemoryContext batch_cxt;	/* values of the rows not yet stored */
	uint64		rows;
	/* for the error context */
	uint64		line;
	const char *column_name;
};

static bool
qualifies(Relation rel, List *attnums, List *copy_options)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleConstr *constr = desc->constr;
	int			live = 0;

	if (copy_options != NIL || rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relispartition || rel->trigdesc != NULL || rel->rd_rel->relhasindex)
		return false;
	if (constr != NULL && (constr->num_check > 0 || constr->has_generated_stored))
		return false;
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			live++;
	return list_length(attnums) == live;
}

dbk_loader *
dbk_loader_begin(Relation rel, List *attnums, List *copy_options, const char *backup_name)
{
	MemoryContext cxt,
				old;
	dbk_loader *l;
	TupleDesc	desc = RelationGetDescr(rel);
	ListCell   *lc;
	int			c = 0;

	if (!qualifies(rel, attnums, copy_options))
		return NULL;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper restore load", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	l = palloc0(sizeof(*l));
	l->rel = rel;
	l->backup = backup_name;
	l->cxt = cxt;
	l->batch_cxt = AllocSetContextCreate(cxt, "dbkeeper restore rows", ALLOCSET_DEFAULT_SIZES);
	l->ncols = list_length(attnums);
	l->cols = palloc0(sizeof(column) * Max(l->ncols, 1));
	foreach(lc, attnums)
	{
		column	   *col = &l->cols[c++];
		Form_pg_attribute att = TupleDescAttr(desc, lfirst_int(lc) - 1);
		Oid			func;

		col->att = lfirst_int(lc) - 1;
		getTypeInputInfo(att->atttypid, &func, &col->ioparam);
		fmgr_info(func, &col->in);
		col->typmod = att->atttypmod;
		col->bpchar_len = att->atttypid == BPCHAROID && att->atttypmod >= (int32) VARHDRSZ ?
			att->atttypmod - (int32) VARHDRSZ : -1;
		col->text_len = att->atttypid == TEXTOID ||
			(att->atttypid == VARCHAROID && att->atttypmod < (int32) VARHDRSZ) ? INT_MAX :
			att->atttypid == VARCHAROID ? att->atttypmod - (int32) VARHDRSZ : -1;
		col->fast = dbk_fast_value_type(att->atttypid);
		col->not_null = att->attnotnull;
	}
	l->bistate = GetBulkInsertState();
	l->cid = GetCurrentCommandId(true);
	/* As COPY FROM: a table new in this transaction has no free space to find. */
	if (rel->rd_createSubid != InvalidSubTransactionId ||
		DBK_REL_FIRST_FILE_SUBID(rel) != InvalidSubTransactionId)
		l->options |= TABLE_INSERT_SKIP_FSM;
	MemoryContextSwitchTo(old);
	return l;
}

static void
flush(dbk_loader *l)
{
	if (l->used == 0)
		return;
	table_multi_insert(l->rel, l->slots, l->used, l->cid, l->options, l->bistate);
	for (int i = 0; i < l->used; i++)
		ExecClearTuple(l->slots[i]);
	l->rows += (uint64) l->used;
	l->used = 0;
	MemoryContextReset(l->batch_cxt);
	CHECK_FOR_INTERRUPTS();
}

static void
load_context(void *arg)
{
	dbk_loader *l = arg;

	if (l->column_name != NULL)
		errcontext("COPY %s, line " UINT64_FORMAT " of backup \"%s\", column %s",
				   RelationGetRelationName(l->rel), l->line, l->backup, l->column_name);
	else
		errcontext("COPY %s, line " UINT64_FORMAT " of backup \"%s\"",
				   RelationGetRelationName(l->rel), l->line, l->backup);
}

static Datum
padded_bpchar(const char *s, size_t len, int n)
{
	BpChar	   *v = palloc(VARHDRSZ + n);

	SET_VARSIZE(v, VARHDRSZ + n);
	memcpy(VARDATA(v), s, len);
	memset(VARDATA(v) + len, ' ', n - len);
	return PointerGetDatum(v);
}

/*
 * The slot for the next row, made when first needed, as COPY FROM makes its
 * own (copyfrom.c, CopyMultiInsertInfoNextFreeSlot): a table of 20 rows gets
 * 20.  Every slot pins the relation's tuple descriptor in the resource
 * owner, which keeps the pins of one descriptor in one chain of its hash
 * table, so making and dropping all LOAD_BATCH slots up front cost about
 * 0.8 ms per table whatever its size: on the schema-heavy benchmark (300
 * small tables) 14% of the restoring backend's time.
 */
static TupleTableSlot *
next_slot(dbk_loader *l)
{
	if (l->used == l->made)
	{
		MemoryContext old = MemoryContextSwitchTo(l->cxt);

		l->slots[l->made++] = table_slot_create(l->rel, NULL);
		MemoryContextSwitchTo(old);
	}
	return l->slots[l->used];
}

static void
store_row(dbk_loader *l, const dbk_copy_rows *b, size_t row)
{
	TupleDesc	desc = RelationGetDescr(l->rel);
	TupleTableSlot *slot = next_slot(l);
	size_t		first = b->row_first[row];
	size_t		nfields = dbk_copy_rows_fields(b, row);

	/* a table of no columns has empty lines, as COPY reads them */
	if (l->ncols == 0 && nfields == 1 && b->start[first] != DBK_COPY_NULL_FIELD && b->len[first] == 0)
		nfields = 0;
	if (nfields < (size_t) l->ncols)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("missing data for column \"%s\"",
						NameStr(TupleDescAttr(desc, l->cols[nfields].att)->attname))));
	if (nfields > (size_t) l->ncols)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("extra data after last expected column")));
	ExecClearTuple(slot);
	for (int i = 0; i < desc->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (int c = 0; c < l->ncols; c++)
	{
		column	   *col = &l->cols[c];
		size_t		f = first + (size_t) c;

		l->column_name = NameStr(TupleDescAttr(desc, col->att)->attname);
		if (b->start[f] == DBK_COPY_NULL_FIELD)
		{
			if (col->not_null)
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
								l->column_name, RelationGetRelationName(l->rel)),
						 errtablecol(l->rel, col->att + 1)));
			/* as COPY: a non-strict input function (a domain's) sees the NULL */
			if (!col->in.fn_strict)
				slot->tts_values[col->att] = InputFunctionCall(&col->in, NULL, col->ioparam, col->typmod);
			continue;
		}
		{
			const char *s = b->text + b->start[f];
			size_t		len = b->len[f];

			if (!b->plain[f])
				(void) pg_verifymbstr(s, (int) len, false);
			if (col->text_len >= 0 && len <= (size_t) col->text_len)
				slot->tts_values[col->att] = PointerGetDatum(cstring_to_text_with_len(s, (int) len));
			else if (col->bpchar_len >= 0 && b->plain[f] && len <= (size_t) col->bpchar_len)
				slot->tts_values[col->att] = padded_bpchar(s, len, col->bpchar_len);
			else if (!col->fast ||
					 !dbk_fast_value(TupleDescAttr(desc, col->att)->atttypid, col->typmod, s, len,
									 &slot->tts_values[col->att]))
				slot->tts_values[col->att] = InputFunctionCall(&col->in, (char *) s, col->ioparam,
															   col->typmod);
			slot->tts_isnull[col->att] = false;
		}
	}
	l->column_name = NULL;
	ExecStoreVirtualTuple(slot);
	if (++l->used == LOAD_BATCH)
		flush(l);
}

void
dbk_loader_rows(dbk_loader *l, const dbk_script_item *item)
{
	ErrorContextCallback errcb;
	MemoryContext old = MemoryContextSwitchTo(l->batch_cxt);
	const dbk_copy_rows *b = &item->rows;

	errcb.callback = load_context;
	errcb.arg = l;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	for (size_t row = 0; row < b->nrows; row++)
	{
		l->line = item->line + row;
		store_row(l, b, row);
		/* flush() reset the batch context; stay in it */
	}
	if (!item->rows_ok)
	{
		l->line = item->bad_line;
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("%s", item->rows_err.message)));
	}
	error_context_stack = errcb.previous;
	MemoryContextSwitchTo(old);
}

uint64
dbk_loader_end(dbk_loader *l)
{
	uint64		rows;

	flush(l);
	rows = l->rows;
	FreeBulkInsertState(l->bistate);
	table_finish_bulk_insert(l->rel, l->options);
	for (int i = 0; i < l->made; i++)
		ExecDropSingleTupleTableSlot(l->slots[i]);
	MemoryContextDelete(l->cxt);
	return rows;
}
