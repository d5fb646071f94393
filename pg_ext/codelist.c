/*
 * codelist.c — codelist draft regeneration for PostgreSQL (README
 * "Codelists"; the rule and the steps live in
 * core/codelist/codelist.c).
 *
 *   dbkeeper_codelist_status(version text) → SETOF (code, status)
 *   dbkeeper_codelist_new_draft(version text, author text, release text DEFAULT NULL) → text
 *   dbkeeper_codelist_changes(draft text) → SETOF (code, status, previous_status, change)
 *
 * The four tables belong to the extension, in its schema (pg_ext/sql/
 * 40_codelist.sql); the functions find that schema through their own
 * pg_proc row, so search_path never redirects them.  Every read and write
 * goes through SPI as the calling user (the functions are SECURITY INVOKER),
 * so table privileges and row-level security apply as to the caller's own
 * queries.  A release's edges and terms tables are resolved from the text of
 * its row like a regclass (stringToQualifiedNameList, RangeVarGetRelid),
 * checked for their columns, and queried by their quoted qualified names.
 * The 600,000 rows of a SNOMED CT edges table stream through a DestReceiver
 * straight into the core's hierarchy, never materialised in an SPI tuple
 * table.  dbkeeper_codelist_status reuses a release compiled by an earlier
 * call of the backend while its edges table is provably unchanged
 * (codelist_cache.c).
 *
 * Memory: the core allocates from a "dbkeeper codelist" context under the
 * caller's, deleted before return; an ERROR releases it with its parent.
 * Writes happen in the caller's transaction: an error anywhere rolls the
 * whole draft back.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "nodes/params.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

#include "access.h"
#include "codelist_cache.h"
#include "common.h"
#include "../core/codelist/codelist.h"
#include "../core/codelist/codelist_store.h"

PG_FUNCTION_INFO_V1(dbkeeper_codelist_status);
PG_FUNCTION_INFO_V1(dbkeeper_codelist_new_draft);
PG_FUNCTION_INFO_V1(dbkeeper_codelist_changes);

/* What one call works with. */
typedef struct cl_call
{
	MemoryContext cxt;			/* the core's memory */
	dbk_allocator alloc;
	const char *schema;			/* the extension's schema, quoted */
	bool		read_only;		/* SPI read-only: the STABLE functions */
} cl_call;

typedef dbk_cl_version_row cl_version;
typedef dbk_cl_release_row cl_release_row;

static void
call_begin(cl_call *c, FunctionCallInfo fcinfo, bool read_only)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	c->cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper codelist", ALLOCSET_DEFAULT_SIZES);
	dbk_pg_allocator_init(&c->alloc, c->cxt);
	c->schema = MemoryContextStrdup(c->cxt, quote_identifier(get_namespace_name(nsp)));
	c->read_only = read_only;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
call_end(cl_call *c)
{
	SPI_finish();
	MemoryContextDelete(c->cxt);
}

static char *
arg_cstring(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static void
raise_null(const char *argument)
{
	dbk_error	err;

	dbk_cl_fail_null(&err, argument);
	dbk_pg_raise(&err);
}

/* A text column of the current SPI row, copied into the call's context; NULL stays NULL. */
static char *
spi_text(cl_call *c, int row, int col)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(c->cxt, v) : NULL;
}

/* Runs sql with text parameters; SPI_processed and SPI_tuptable hold the result. */
static void
spi_run(cl_call *c, const char *sql, int nargs, const char *const *args)
{
	Oid			types[5];
	Datum		values[5];
	char		nulls[5];
	int			rc;

	Assert(nargs <= 5);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, c->read_only, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", rc, sql);
}

static void
load_version(cl_call *c, const char *id, cl_version *v)
{
	char	   *sql = psprintf("SELECT codelist, release, derived_from "
							   "FROM %s.dbkeeper_codelist_version WHERE id = $1", c->schema);
	dbk_error	err;

	spi_run(c, sql, 1, &id);
	if (SPI_processed == 0)
	{
		dbk_cl_fail_unknown_version(&err, id);
		dbk_pg_raise(&err);
	}
	v->id = MemoryContextStrdup(c->cxt, id);
	v->codelist = spi_text(c, 0, 1);
	v->release = spi_text(c, 0, 2);
	v->derived_from = spi_text(c, 0, 3);
}

/* The release named name, or the newest of coding_system; false when there is none. */
static bool
load_release(cl_call *c, const char *name, const char *coding_system, cl_release_row *r)
{
	char	   *sql = psprintf(name
							   ? "SELECT name, coding_system, edges, terms FROM %s.dbkeeper_codelist_release "
							   "WHERE name = $1"
							   : "SELECT name, coding_system, edges, terms FROM %s.dbkeeper_codelist_release "
							   "WHERE coding_system = $1 " DBK_CL_NEWEST_RELEASE(" COLLATE \"C\""),
							   c->schema);
	const char *arg = name ? name : coding_system;

	spi_run(c, sql, 1, &arg);
	if (SPI_processed == 0)
		return false;
	r->name = spi_text(c, 0, 1);
	r->coding_system = spi_text(c, 0, 2);
	r->edges = spi_text(c, 0, 3);
	r->terms = spi_text(c, 0, 4);
	return true;
}

static void
load_codes_into(cl_call *c, const char *id, bool with_searches, dbk_codelist *cl)
{
	dbk_error	err;
	char	   *sql;

	sql = psprintf("SELECT code, status FROM %s.dbkeeper_codelist_code WHERE version = $1", c->schema);
	spi_run(c, sql, 1, &id);
	/* Both columns are text NOT NULL: their bytes are read in place (20,000 rows for a SNOMED CT codelist). */
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		text	   *code = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		text	   *status = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

		if (dbk_codelist_add_code(cl, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code), VARDATA_ANY(status),
								  VARSIZE_ANY_EXHDR(status), &err) != 0)
		{
			dbk_cl_fail_in_version(&err, id);
			dbk_pg_raise(&err);
		}
	}
	if (!with_searches)
		return;
	sql = psprintf("SELECT term, code FROM %s.dbkeeper_codelist_search WHERE version = $1", c->schema);
	spi_run(c, sql, 1, &id);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *term = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *code = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		if (dbk_codelist_add_search(cl, term, term ? strlen(term) : 0, code,
									code ? strlen(code) : 0, &err) != 0)
			dbk_pg_raise(&err);
	}

}

/* ---- reading a release's edges and terms --------------------------------- */

static dbk_cl_release *read_release(cl_call *c, const cl_release_row *r, bool with_terms,
									const dbk_codelist *searches);

typedef int (*row_fn) (dbk_cl_release *rel, const char *code, size_t code_len,
					   const char *other, size_t other_len, dbk_error *err);

/* Streams the rows of a release table into the core. */
typedef struct cl_receiver
{
	DestReceiver pub;
	dbk_cl_release *rel;
	row_fn		fn;
	const cl_release_row *release;
	const char *which;
	const char *spec;
	MemoryContext tmp;			/* detoasted values, reset per row */
} cl_receiver;

static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
{
	cl_receiver *r = (cl_receiver *) self;
	MemoryContext old;
	bool		isnull;
	Datum		d;
	text	   *code,
			   *other = NULL;
	dbk_error	err;

	d = slot_getattr(slot, 1, &isnull);
	if (isnull)
	{
		dbk_cl_fail_null_code(&err, r->release->name, r->which, r->spec);
		dbk_pg_raise(&err);
	}
	old = MemoryContextSwitchTo(r->tmp);
	code = DatumGetTextPP(d);
	d = slot_getattr(slot, 2, &isnull);
	if (!isnull)
		other = DatumGetTextPP(d);
	if (r->fn(r->rel, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code),
			  other ? VARDATA_ANY(other) : NULL, other ? VARSIZE_ANY_EXHDR(other) : 0, &err) != 0)
		dbk_pg_raise(&err);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->tmp);
	return true;
}

static void
receive_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receive_nothing(DestReceiver *self)
{
}

typedef struct read_context
{
	const cl_release_row *release;
	const char *which;
	const char *spec;
} read_context;

/* Adds "reading edges table ... of release ..." to errors PostgreSQL raises itself. */
static void
read_error_context(void *arg)
{
	read_context *rc = arg;

	errcontext("reading %s table \"%s\" of release \"%s\"", rc->which, rc->spec, rc->release->name);
}

/*
 * The release table `spec` (edges or terms) as a relation, locked, with its
 * columns checked.  The text is parsed as a regclass is: optionally
 * schema-qualified, double quotes for names that need them.
 */
static Oid
release_table(const cl_release_row *r, const char *which, const char *spec, const char *other)
{
	read_context ctx = {r, which, spec};
	ErrorContextCallback callback = {error_context_stack, read_error_context, &ctx};
	char	   *copy = pstrdup(spec);
	List	   *names = NIL;
	RangeVar   *rv;
	Oid			relid;
	dbk_error	err;

	/* SplitIdentifierString is what stringToQualifiedNameList uses, without raising. */
	if (!SplitIdentifierString(copy, '.', &names) || list_length(names) < 1 || list_length(names) > 2)
	{
		dbk_cl_fail_bad_table_name(&err, r->name, which, spec);
		dbk_pg_raise(&err);
	}
	error_context_stack = &callback;
	rv = makeRangeVarFromNameList(dbk_qualified_name_list(spec));
	relid = RangeVarGetRelid(rv, AccessShareLock, true);
	error_context_stack = callback.previous;

	if (!OidIsValid(relid))
	{
		dbk_cl_fail_missing_table(&err, r->name, which, spec);
		dbk_pg_raise(&err);
	}
	if (get_attnum(relid, "code") == InvalidAttrNumber)
	{
		dbk_cl_fail_missing_column(&err, r->name, which, spec, "code");
		dbk_pg_raise(&err);
	}
	if (get_attnum(relid, other) == InvalidAttrNumber)
	{
		dbk_cl_fail_missing_column(&err, r->name, which, spec, other);
		dbk_pg_raise(&err);
	}
	return relid;
}

static void
init_receiver(cl_receiver *recv, dbk_cl_release *rel, row_fn fn, const cl_release_row *r,
			  const char *which, const char *spec)
{
	memset(recv, 0, sizeof(*recv));
	recv->pub.receiveSlot = receive_row;
	recv->pub.rStartup = receive_startup;
	recv->pub.rShutdown = receive_nothing;
	recv->pub.rDestroy = receive_nothing;
	recv->pub.mydest = DestNone;
	recv->rel = rel;
	recv->fn = fn;
	recv->release = r;
	recv->which = which;
	recv->spec = spec;
	recv->tmp = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper codelist row", ALLOCSET_SMALL_SIZES);
}

/* "code::text, <other>::text FROM <the table, quoted>" */
static char *
select_list(Oid relid, const char *other)
{
	return psprintf("code::pg_catalog.text, %s::pg_catalog.text FROM %s", quote_identifier(other),
					quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											   get_rel_name(relid)));
}

static void read_table_rows(cl_call *c, const cl_release_row *r, const char *which, const char *spec,
							Oid relid, const char *other, dbk_cl_release *rel, row_fn fn);

static void
read_release_table(cl_call *c, const cl_release_row *r, const char *which, const char *spec,
				   const char *other, dbk_cl_release *rel, row_fn fn)
{
	read_table_rows(c, r, which, spec, release_table(r, which, spec, other), other, rel, fn);
}

/* Feeds every row of table relid (resolved from spec) to fn. */
static void
read_table_rows(cl_call *c, const cl_release_row *r, const char *which, const char *spec, Oid relid,
				const char *other, dbk_cl_release *rel, row_fn fn)
{
	char	   *sql = psprintf("SELECT %s", select_list(relid, other));
	cl_receiver recv;
	SPIExecuteOptions options;
	read_context ctx = {r, which, spec};
	ErrorContextCallback callback = {error_context_stack, read_error_context, &ctx};
	int			rc;

	init_receiver(&recv, rel, fn, r, which, spec);
	memset(&options, 0, sizeof(options));
	options.read_only = c->read_only;
	options.dest = &recv.pub;
	error_context_stack = &callback;
	rc = SPI_execute_extended(sql, &options);
	error_context_stack = callback.previous;
	if (rc < 0)
		elog(ERROR, "SPI_execute_extended failed (%d): %s", rc, sql);
	MemoryContextDelete(recv.tmp);
}

/*
 * Statuses need only what lies below the ruled codes (core/codelist/codelist.h,
 * dbk_cl_release_walk_down).  When the edges table has a btree or hash
 * index on parent, asking for the children of the codes reached, a batch at
 * a time with "parent = ANY($1)", costs index look-ups instead of a scan of
 * every edge.
 */
/*
 * What a code's text must look like to be a value of a column: the release's
 * codes are the columns' values as text, so a text that the column's type
 * would print otherwise ("0123", "+123" or "nosuchcode" for a bigint) names
 * no code, and must not reach the look-up's cast, which would fail or match
 * another code.
 */
typedef enum code_form
{
	CODE_TEXT,					/* text, varchar: every text is a possible value */
	CODE_INTEGER				/* int2, int4, int8: canonical decimal in range */
} code_form;

typedef struct pg_walk
{
	cl_call    *c;
	SPIPlanPtr	plan;			/* the children of $1 */
	SPIPlanPtr	exists_plan;	/* the codes of $1 that the edges have */
	code_form	parent_form;
	code_form	code_form;
	int64		min_code,		/* the integer type's range */
				max_code;
	cl_receiver recv;
	MemoryContext batch;
	read_context ctx;
} pg_walk;

static bool
parent_indexed(cl_call *c, Oid relid, AttrNumber attnum)
{
	Oid			types[2] = {OIDOID, INT2OID};
	Datum		values[2] = {ObjectIdGetDatum(relid), Int16GetDatum(attnum)};
	int			rc;

	rc = SPI_execute_with_args("SELECT 1 FROM pg_catalog.pg_index i "
							   "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
							   "JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
							   "WHERE i.indrelid = $1 AND i.indkey[0] = $2 AND i.indisvalid "
							   "AND i.indpred IS NULL AND am.amname IN ('btree', 'hash')",
							   2, types, values, NULL, true, 1);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed (%d)", rc);
	return SPI_processed > 0;
}

/* The form of a column's codes; false when the index path cannot serve its type. */
static bool
form_of(Oid type, code_form *form, int64 *min, int64 *max)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
			*form = CODE_TEXT;
			return true;
		case INT2OID:
			*form = CODE_INTEGER;
			*min = PG_INT16_MIN;
			*max = PG_INT16_MAX;
			return true;
		case INT4OID:
			*form = CODE_INTEGER;
			*min = PG_INT32_MIN;
			*max = PG_INT32_MAX;
			return true;
		case INT8OID:
			*form = CODE_INTEGER;
			*min = PG_INT64_MIN;
			*max = PG_INT64_MAX;
			return true;
		default:
			return false;
	}
}

/* Is s what int2out, int4out or int8out print for some value in [min, max]? */
static bool
canonical_integer(const char *s, size_t len, int64 min, int64 max)
{
	char		buf[24];
	char	   *end;
	long long	v;
	size_t		start;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* an optional minus, then digits only */
	start = buf[0] == '-' ? 1 : 0;
	if (start == len)
		return false;
	for (size_t i = start; i < len; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return false;
	/* no leading zero, except "0" itself; no "-0" */
	if (buf[start] == '0' && (len - start > 1 || start == 1))
		return false;
	errno = 0;
	v = strtoll(buf, &end, 10);
	return errno == 0 && *end == '\0' && v >= min && v <= max;
}

static int
run_batch(pg_walk *w, SPIPlanPtr plan, code_form form, const char *const *codes, const size_t *lens, size_t n)
{
	MemoryContext old = MemoryContextSwitchTo(w->batch);
	Datum	   *d = palloc(sizeof(Datum) * n);
	ParamListInfo params = makeParamList(1);
	SPIExecuteOptions options;
	ErrorContextCallback callback = {error_context_stack, read_error_context, &w->ctx};
	int			rc;
	int			kept = 0;

	for (size_t i = 0; i < n; i++)
		if (form == CODE_TEXT || canonical_integer(codes[i], lens[i], w->min_code, w->max_code))
			d[kept++] = PointerGetDatum(cstring_to_text_with_len(codes[i], (int) lens[i]));
	if (kept == 0)
	{
		MemoryContextSwitchTo(old);
		MemoryContextReset(w->batch);
		return 0;
	}
	params->params[0].value = PointerGetDatum(construct_array(d, kept, TEXTOID, -1, false, TYPALIGN_INT));
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = TEXTARRAYOID;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = w->c->read_only;
	options.dest = &w->recv.pub;
	MemoryContextSwitchTo(old);
	error_context_stack = &callback;
	rc = SPI_execute_plan_extended(plan, &options);
	error_context_stack = callback.previous;
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan_extended failed (%d)", rc);
	MemoryContextReset(w->batch);
	return 0;
}

static int
pg_children(void *arg, dbk_cl_release *rel, const char *const *codes, const size_t *lens, size_t n,
			dbk_error *err)
{
	return run_batch(arg, ((pg_walk *) arg)->plan, ((pg_walk *) arg)->parent_form, codes, lens, n);
}

static int
pg_exists(void *arg, dbk_cl_release *rel, const char *const *codes, const size_t *lens, size_t n,
		  dbk_error *err)
{
	return run_batch(arg, ((pg_walk *) arg)->exists_plan, ((pg_walk *) arg)->code_form, codes, lens, n);
}

static SPIPlanPtr
prepare_batch(const char *sql)
{
	Oid			argtype = TEXTARRAYOID;
	SPIPlanPtr	plan = SPI_prepare(sql, 1, &argtype);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed (%d): %s", SPI_result, sql);
	return plan;
}

/*
 * The part of the release that `version` needs: for statuses
 * (DBK_CL_WALK_RULES) what lies below its explicit codes; for a draft
 * (DBK_CL_WALK_DRAFT, with its searches) its terms and what lies below its
 * codes and search matches.  Walked when the edges table has an index on
 * parent, otherwise read whole.
 */
static dbk_cl_release *
read_release_for(cl_call *c, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what)
{
	Oid			relid = release_table(r, "edges", r->edges, "parent");
	AttrNumber	attnum = get_attnum(relid, "parent");
	bool		draft = what == DBK_CL_WALK_DRAFT;
	dbk_error	err;
	dbk_cl_release *rel;
	pg_walk		w;
	char	   *type;

	AttrNumber	code_attnum = get_attnum(relid, "code");
	code_form	parent_form,
				code_form;
	int64		min = 0,
				max = 0,
				code_min = 0,
				code_max = 0;

	/*
	 * The index path serves text and integer codes; a column of another type
	 * (numeric, uuid, ...) is read whole, which compares codes as text.  Both
	 * columns have one type in practice; an integer range that differs
	 * between them falls back too.
	 */
	if (!parent_indexed(c, relid, attnum) ||
		!form_of(get_atttype(relid, attnum), &parent_form, &min, &max) ||
		code_attnum == InvalidAttrNumber ||
		!form_of(get_atttype(relid, code_attnum), &code_form, &code_min, &code_max) ||
		(parent_form == CODE_INTEGER && code_form == CODE_INTEGER && (min != code_min || max != code_max)))
		return read_release(c, r, draft, draft ? version : NULL);
	if (draft)
		release_table(r, "terms", r->terms, "term");
	rel = dbk_cl_release_new(&c->alloc, r->name, draft ? version : NULL, &err);
	if (rel == NULL)
		dbk_pg_raise(&err);
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.parent_form = parent_form;
	w.code_form = code_form;
	w.min_code = parent_form == CODE_INTEGER ? min : code_min;
	w.max_code = parent_form == CODE_INTEGER ? max : code_max;
	w.ctx = (read_context) {r, "edges", r->edges};
	/* Compare in the columns' own type, so that the indexes serve the conditions. */
	type = format_type_be_qualified(get_atttype(relid, attnum));
	w.plan = prepare_batch(psprintf("SELECT %s WHERE parent = ANY ($1::pg_catalog.text[]::%s[])",
									select_list(relid, "parent"), type));
	if (draft)
	{
		type = format_type_be_qualified(get_atttype(relid, get_attnum(relid, "code")));
		w.exists_plan = prepare_batch(psprintf("SELECT DISTINCT code::pg_catalog.text, NULL::pg_catalog.text "
											   "FROM %s WHERE code = ANY ($1::pg_catalog.text[]::%s[])",
											   quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
																		  get_rel_name(relid)), type));
		read_release_table(c, r, "terms", r->terms, "term", rel, dbk_cl_release_add_term);
	}
	init_receiver(&w.recv, rel, dbk_cl_release_add_edge, r, "edges", r->edges);
	w.batch = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper codelist batch", ALLOCSET_DEFAULT_SIZES);
	if (dbk_cl_release_walk_down(rel, version, what, pg_children, draft ? pg_exists : NULL, &w, &err) != 0 ||
		dbk_cl_release_finish(rel, &err) != 0)
		dbk_pg_raise(&err);
	SPI_freeplan(w.plan);
	if (w.exists_plan)
		SPI_freeplan(w.exists_plan);
	MemoryContextDelete(w.batch);
	MemoryContextDelete(w.recv.tmp);
	return rel;
}

/* The release's hierarchy; with_terms also reads its terms (for the searches of `searches`). */
static dbk_cl_release *
read_release(cl_call *c, const cl_release_row *r, bool with_terms, const dbk_codelist *searches)
{
	dbk_error	err;
	dbk_cl_release *rel = dbk_cl_release_new(&c->alloc, r->name, searches, &err);

	if (rel == NULL)
		dbk_pg_raise(&err);
	/* Check both tables before reading either, so a bad name fails fast. */
	release_table(r, "edges", r->edges, "parent");
	if (with_terms)
		release_table(r, "terms", r->terms, "term");
	read_release_table(c, r, "edges", r->edges, "parent", rel, dbk_cl_release_add_edge);
	if (with_terms)
		read_release_table(c, r, "terms", r->terms, "term", rel, dbk_cl_release_add_term);
	if (dbk_cl_release_finish(rel, &err) != 0)
		dbk_pg_raise(&err);
	return rel;
}

/* ---- results ------------------------------------------------------------ */

static Datum
text_datum(const char *s, size_t len)
{
	return PointerGetDatum(cstring_to_text_with_len(s, (int) len));
}

/* The rows of a listing into the function's result set, text or NULL each cell. */
static void
put_listing(FunctionCallInfo fcinfo, const dbk_cl_listing *l, int columns)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[DBK_CL_CHANGES_COLUMNS];
	bool		nulls[DBK_CL_CHANGES_COLUMNS];

	Assert(columns <= DBK_CL_CHANGES_COLUMNS);
	for (size_t i = 0; i < dbk_cl_listing_rows(l); i++)
	{
		for (int col = 0; col < columns; col++)
		{
			size_t		len;
			const char *cell = dbk_cl_listing_cell(l, i, col, &len);

			nulls[col] = cell == NULL;
			values[col] = cell ? text_datum(cell, len) : (Datum) 0;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* ---- dbkeeper_codelist_new_draft ----------------------------------------- */

/* The draft's codes and statuses as two text[] for one INSERT ... unnest. */
static void
draft_arrays(const dbk_codelist *draft, Datum *codes, Datum *statuses)
{
	size_t		n = dbk_codelist_count(draft);
	Datum	   *c = palloc(sizeof(Datum) * (n ? n : 1));
	Datum	   *s = palloc(sizeof(Datum) * (n ? n : 1));

	for (size_t i = 0; i < n; i++)
	{
		size_t		len;
		const char *code = dbk_codelist_code(draft, i, &len);

		c[i] = text_datum(code, len);
		s[i] = CStringGetTextDatum(dbk_cl_status_text(dbk_codelist_status(draft, i)));
	}
	*codes = PointerGetDatum(construct_array(c, (int) n, TEXTOID, -1, false, TYPALIGN_INT));
	*statuses = PointerGetDatum(construct_array(s, (int) n, TEXTOID, -1, false, TYPALIGN_INT));
}

static int
store_id_taken(void *ctx, const char *id, bool *taken, dbk_error *err)
{
	cl_call    *c = ctx;

	spi_run(c, psprintf("SELECT 1 FROM %s.dbkeeper_codelist_version WHERE id = $1", c->schema), 1, &id);
	*taken = SPI_processed > 0;
	return 0;
}

static int
store_write_draft(void *ctx, const char *id, const cl_version *v, const cl_release_row *target,
				  const char *author, const dbk_codelist *draft, dbk_error *err)
{
	cl_call    *c = ctx;
	char	   *sql;
	Oid			types[3] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[3];
	int			rc;

	{
		const char *args[5] = {id, v->codelist, target->name, author, v->id};

		sql = psprintf("INSERT INTO %s.dbkeeper_codelist_version "
					   "(id, codelist, release, status, author, derived_from) "
					   "VALUES ($1, $2, $3, 'draft', $4, $5)", c->schema);
		spi_run(c, sql, 5, args);
	}
	values[0] = CStringGetTextDatum(id);
	draft_arrays(draft, &values[1], &values[2]);
	sql = psprintf("INSERT INTO %s.dbkeeper_codelist_code (version, code, status) "
				   "SELECT $1, u.code, u.status "
				   "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS u(code, status)",
				   c->schema);
	rc = SPI_execute_with_args(sql, 3, types, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", rc, sql);
	{
		const char *args[2] = {id, v->id};

		sql = psprintf("INSERT INTO %s.dbkeeper_codelist_search (version, term, code) "
					   "SELECT $1, term, code FROM %s.dbkeeper_codelist_search WHERE version = $2",
					   c->schema, c->schema);
		spi_run(c, sql, 2, args);
	}
	return 0;
}

/* ---- the store the core's workflow reads and writes (core/codelist/codelist_store.h) */

static int
store_load_version(void *ctx, const char *id, cl_version *v, dbk_error *err)
{
	load_version(ctx, id, v);
	return 0;
}

static int
store_load_release(void *ctx, const char *name, const char *coding_system, cl_release_row *r,
				   bool *found, dbk_error *err)
{
	*found = load_release(ctx, name, coding_system, r);
	return 0;
}

static int
store_load_codes(void *ctx, const char *id, bool with_searches, dbk_codelist *cl, dbk_error *err)
{
	load_codes_into(ctx, id, with_searches, cl);
	return 0;
}

static int
store_read_release(void *ctx, const cl_release_row *r, const dbk_codelist *version, dbk_cl_walk what,
				   dbk_cl_release **out, dbk_error *err)
{
	*out = read_release_for(ctx, r, version, what);
	return 0;
}

/* The edges table's key for the cache, after the checks the uncached read makes (codelist_cache.c). */
static int
store_edges_key(void *ctx, const cl_release_row *r, dbk_cl_edges_key *key, dbk_error *err)
{
	cl_call    *c = ctx;

	dbk_pg_cl_edges_key(release_table(r, "edges", r->edges, "parent"), key, &c->alloc);
	return 0;
}

/* Every edge of the table the key names, in a memory context of its own (the holder). */
static int
store_read_edges(void *ctx, const cl_release_row *r, const dbk_cl_edges_key *key,
				 dbk_cl_release **out, void **holder, dbk_error *err)
{
	cl_call    *c = ctx;
	MemoryContext entry = AllocSetContextCreate(c->cxt, "dbkeeper codelist release",
												ALLOCSET_DEFAULT_SIZES);
	dbk_allocator *a = MemoryContextAlloc(entry, sizeof(*a));
	dbk_cl_release *rel;
	Oid			relid;

	Assert(key->ident_len == sizeof(relid));
	memcpy(&relid, key->ident, sizeof(relid));
	dbk_pg_allocator_init(a, entry);
	if ((rel = dbk_cl_release_new(a, r->name, NULL, err)) == NULL)
		dbk_pg_raise(err);
	read_table_rows(c, r, "edges", r->edges, relid, "parent", rel, dbk_cl_release_add_edge);
	if (dbk_cl_release_finish(rel, err) != 0)
		dbk_pg_raise(err);
	*out = rel;
	*holder = entry;
	return 0;
}

/*
 * Every function raises its errors; the call's memory context frees the
 * rows.  cache: the backend's compiled releases, for the status.
 */
static dbk_cl_store
store_of(cl_call *c, dbk_cl_cache *cache)
{
	dbk_cl_store s = {
		.ctx = c,
		.a = &c->alloc,
		.cache = cache,
		.edges_key = store_edges_key,
		.read_edges = store_read_edges,
		.cache_report = dbk_pg_cl_report,
		.load_version = store_load_version,
		.load_release = store_load_release,
		.load_codes = store_load_codes,
		.read_release = store_read_release,
		.id_taken = store_id_taken,
		.write_draft = store_write_draft,
	};

	return s;
}

Datum
dbkeeper_codelist_new_draft(PG_FUNCTION_ARGS)
{
	char	   *version = arg_cstring(fcinfo, 0);
	char	   *author = arg_cstring(fcinfo, 1);
	char	   *release = PG_NARGS() > 2 ? arg_cstring(fcinfo, 2) : NULL;
	cl_call		c;
	dbk_cl_store store;
	dbk_error	err;
	char		id[1024];
	text	   *result;

	if (version == NULL)
		raise_null("version");
	if (author == NULL)
		raise_null("author");
	dbk_pg_require_writable("dbkeeper_codelist_new_draft()");
	call_begin(&c, fcinfo, false);
	store = store_of(&c, NULL);
	if (dbk_cl_new_draft(&store, version, author, release, id, sizeof(id), &err) != 0)
		dbk_pg_raise(&err);
	/* The result must outlive SPI_finish and the call's context. */
	result = (text *) SPI_palloc(VARHDRSZ + strlen(id));
	SET_VARSIZE(result, VARHDRSZ + strlen(id));
	memcpy(VARDATA(result), id, strlen(id));
	call_end(&c);
	PG_RETURN_TEXT_P(result);
}

/* ---- dbkeeper_codelist_status, dbkeeper_codelist_changes ------------------ */

typedef int (*listing_fn) (const dbk_cl_store *s, const char *arg, dbk_cl_listing **out,
						   dbk_error *err);

/*
 * A table-valued function: the listing the core makes of its one argument
 * (named argument in the error when it is NULL), with columns columns;
 * cached: the store offers the backend's compiled releases.
 */
static Datum
return_listing(FunctionCallInfo fcinfo, const char *argument, listing_fn fn, int columns, bool cached)
{
	char	   *arg = arg_cstring(fcinfo, 0);
	cl_call		c;
	dbk_cl_store store;
	dbk_cl_listing *l;
	dbk_error	err;

	if (arg == NULL)
		raise_null(argument);
	InitMaterializedSRF(fcinfo, 0);
	call_begin(&c, fcinfo, true);
	store = store_of(&c, cached ? dbk_pg_cl_cache() : NULL);
	if (fn(&store, arg, &l, &err) != 0)
		dbk_pg_raise(&err);
	put_listing(fcinfo, l, columns);
	call_end(&c);
	return (Datum) 0;
}

Datum
dbkeeper_codelist_status(PG_FUNCTION_ARGS)
{
	return return_listing(fcinfo, "version", dbk_cl_status_listing, DBK_CL_STATUS_COLUMNS, true);
}

Datum
dbkeeper_codelist_changes(PG_FUNCTION_ARGS)
{
	return return_listing(fcinfo, "draft", dbk_cl_changes_listing, DBK_CL_CHANGES_COLUMNS, false);
}
