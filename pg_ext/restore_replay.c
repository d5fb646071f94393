/*
 * restore_replay.c — runs a verified backup's SQL script inside the
 * backend, in the caller's transaction, for dbkeeper_restore().
 *
 * The archive is read from its start on a thread of its own
 * (core/restore/script_reader.c): decompression, every checksum of the file (the
 * content's SHA-256 included: restore.c checked only the file's bytes
 * before anything changed), the statement splitter (core/restore/sql_split.c) and
 * the cutting of COPY rows into fields all run there, on the other core,
 * while the backend executes.  The end of the script is reached only once
 * every checksum has matched; a mismatch is an error, which rolls the
 * restore back.  Each statement is parsed once, with the raw parser, and
 * that parse tree picks its path:
 *   - COPY ... FROM stdin: the rows stream from the file into the table and
 *     never sit in memory beyond the reader's short queue.  The privileges
 *     checked are those COPY checks (INSERT on the columns; row-level
 *     security refuses, as COPY FROM does).  A plain table takes the parsed
 *     rows straight in (restore_load.c); any other goes through
 *     BeginCopyFrom/CopyFrom with a data-source callback that hands over the
 *     lines.  The data's encoding is the database's (the script was written
 *     in it), whatever the caller's client_encoding.
 *   - SET and RESET: applied as a function's SET clause is, so that every
 *     setting the script makes (search_path, role, ...) is undone when the
 *     restore returns, commit or not.  The script's own timeouts are not
 *     applied: the caller's lock_timeout governs the whole restore.  A
 *     client_encoding other than the database's is refused: the script
 *     would be misread.
 *   - CREATE SCHEMA of a schema that stayed because an extension lives in
 *     it (public): skipped, the statements after it set its owner, comment
 *     and privileges.
 *   - ALTER TABLE that only adds CHECK constraints or foreign keys: as the
 *     table's owner (as_owner.c) when that role may do all of it, so the
 *     validation evaluates the table's expressions as an INSERT by the
 *     owner would.
 *   - a query (SELECT, INSERT, ...: a backup's setval() calls): SPI_execute,
 *     which parses it again; setval() of a sequence the restore kept (an
 *     extension's configuration sequence) is made transactional first
 *     (renew_kept_sequence);
 *   - every other statement (CREATE, ALTER, GRANT, COMMENT, ...): from the
 *     parse tree, through parse analysis and ProcessUtility, as SPI would
 *     run it (run_utility).  What SPI refuses, transaction control and COPY
 *     to or from the client, is refused.
 * No role's code runs as the caller: COPY loads as the table's owner, after
 * COPY's privileges were checked for the caller; and during the whole
 * replay any function owned by a role that is not a superuser, called while
 * the current user is a superuser, runs as its owner (as_owner.c), which
 * covers what DDL evaluates (immutable calls folded by CREATE TABLE,
 * partition bounds of a domain type, event triggers, casts of a foreign
 * key's check).
 * An error in a statement is raised again with the backup's name and the
 * line of the statement in the message, and the statement in the context,
 * keeping its SQLSTATE.  Memory per statement is a context reset after it.
 */
#include "postgres.h"

#include <unistd.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "commands/comment.h"
#include "commands/copy.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "portability/instr_time.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "../core/restore/script_reader.h"
#include "as_owner.h"
#include "common.h"
#include "compat.h"
#include "restore_load.h"
#include "restore_replay.h"

/* A statement longer than this (a huge function body?) is refused. */
#define MAX_STATEMENT (256 * 1024 * 1024)
/* How long the backend waits for the reader between checks for interrupts. */
#define WAIT_MS 100
/* How much of a failed statement the error context shows. */
#define SHOWN_STATEMENT 300

typedef struct replay
{
	const char *name;			/* the backup's file name */
	const char *what;			/* 'backup "name"' for the core's errors */
	List	   *kept_schemas;
	dbk_fd_stream fd;
	dbk_script_reader *reader;
	const dbk_script_item *it;	/* the current item */
	/* COPY data not yet handed to CopyFrom */
	const char *pending;
	size_t		pending_len;
	bool		copy_ended;
	/* time the backend spent waiting for the reader, for the DEBUG1 line */
	instr_time	waited;
} replay;

/* The replay whose COPY is running: CopyFrom's callback has no argument. */
static replay *copying = NULL;

/* The next item of the script; raises the reader's error. */
static const dbk_script_item *
next_item(replay *r)
{
	const dbk_script_item *it = dbk_script_reader_next(r->reader, 0);

	if (it == NULL)
	{
		/* the reader is behind: the backend waits, and the wait is counted */
		instr_time	start,
					end;

		INSTR_TIME_SET_CURRENT(start);
		while ((it = dbk_script_reader_next(r->reader, WAIT_MS)) == NULL)
			CHECK_FOR_INTERRUPTS();
		INSTR_TIME_SET_CURRENT(end);
		INSTR_TIME_ACCUM_DIFF(r->waited, end, start);
	}
	r->it = it;
	if (it->kind == DBK_SCRIPT_ERROR)
	{
		CHECK_FOR_INTERRUPTS();
		dbk_pg_raise(&it->err);
	}
	return it;
}

/* ------------------------------------------------------------ COPY */

DBK_NORETURN static void raise_no_copy_end(replay *r) DBK_NORETURN_END;

static void
raise_no_copy_end(replay *r)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("backup \"%s\" has COPY data without its end line \"\\.\"", r->name)));
}

/*
 * CopyFrom's data source: whole lines of the COPY block, up to maxread
 * bytes; 0 once the "\." line has been reached.
 */
static int
copy_source(void *outbuf, int minread, int maxread)
{
	replay	   *r = copying;
	int			n = 0;

	while (n < maxread)
	{
		size_t		take;

		if (r->pending_len == 0)
		{
			if (r->copy_ended || n >= minread)
				break;
			switch (next_item(r)->kind)
			{
				case DBK_SCRIPT_COPY_DATA:
					r->pending = r->it->text;
					r->pending_len = r->it->len;
					break;
				case DBK_SCRIPT_COPY_END:
					r->copy_ended = true;
					continue;
				default:
					raise_no_copy_end(r);
			}
		}
		take = Min(r->pending_len, (size_t) (maxread - n));
		memcpy((char *) outbuf + n, r->pending, take);
		r->pending += take;
		r->pending_len -= take;
		n += (int) take;
	}
	return n;
}

/* COPY's own permission checks: INSERT on the columns, no row-level security. */
static void
check_copy_permissions(ParseState *pstate, Relation rel, List *attlist)
{
	ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock,
															   NULL, false, false);
	Bitmapset  *cols = NULL;
	ListCell   *lc;

	foreach(lc, CopyGetAttnums(RelationGetDescr(rel), rel, attlist))
		cols = bms_add_member(cols, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	dbk_check_insert_permissions(pstate, nsitem, cols);
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security"),
				 errhint("Use a role that bypasses row-level security or owns table \"%s\".",
						 RelationGetRelationName(rel))));
}

/* COPY_DATA items up to the COPY's end, into a loader. */
static void
load_rows(replay *r, dbk_loader *loader)
{
	for (;;)
	{
		const dbk_script_item *it = next_item(r);

		if (it->kind == DBK_SCRIPT_COPY_END)
			break;
		if (it->kind != DBK_SCRIPT_COPY_DATA)
			raise_no_copy_end(r);
		dbk_loader_rows(loader, it);
	}
	(void) dbk_loader_end(loader);
}

/* The rows through COPY's own code, for a table COPY must do more for. */
static void
copy_from(replay *r, ParseState *pstate, Relation rel, CopyStmt *stmt)
{
	List	   *options = list_copy(stmt->options);
	CopyFromState cstate;

	options = lappend(options, makeDefElem("encoding",
										   (Node *) makeString((char *) GetDatabaseEncodingName()), -1));
	r->pending_len = 0;
	r->copy_ended = false;
	copying = r;
	cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_source, stmt->attlist, options);
	(void) CopyFrom(cstate);
	EndCopyFrom(cstate);
	copying = NULL;
	/* CopyFrom stops at a "\." of its own; the rest up to ours is not data. */
	while (!r->copy_ended)
		if (next_item(r)->kind == DBK_SCRIPT_COPY_END)
			r->copy_ended = true;
		else if (r->it->kind != DBK_SCRIPT_COPY_DATA)
			raise_no_copy_end(r);
}

static void
copy_in(replay *r, CopyStmt *stmt, const char *sql)
{
	ParseState *pstate = make_parsestate(NULL);
	Relation	rel;
	dbk_loader *loader;
	dbk_as_owner as;

	pstate->p_sourcetext = sql;
	rel = table_openrv(stmt->relation, RowExclusiveLock);
	check_copy_permissions(pstate, rel, stmt->attlist);
	/* the rows' expressions (domains, generated columns, partition keys) */
	dbk_as_owner_begin(&as, rel->rd_rel->relowner);
	loader = dbk_loader_begin(rel, CopyGetAttnums(RelationGetDescr(rel), rel, stmt->attlist),
							  stmt->options, r->name);
	if (loader != NULL)
		load_rows(r, loader);
	else
		copy_from(r, pstate, rel, stmt);
	dbk_as_owner_end(&as);
	table_close(rel, NoLock);
	free_parsestate(pstate);
}

/* ------------------------------------------------------------ settings */

static bool
is_timeout(const char *name)
{
	return strcmp(name, "lock_timeout") == 0 || strcmp(name, "statement_timeout") == 0 ||
		strcmp(name, "idle_in_transaction_session_timeout") == 0;
}

static void
apply_setting(replay *r, const char *name, const char *value)
{
	if (is_timeout(name))
		return;
	if (strcmp(name, "client_encoding") == 0)
	{
		if (value == NULL || pg_char_to_encoding(value) != GetDatabaseEncoding())
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("backup \"%s\" is in encoding %s, the database in %s", r->name,
							value ? value : "(default)", GetDatabaseEncodingName()),
					 errhint("Restore it into a database of its encoding, or with psql, which converts.")));
		return;
	}
	(void) set_config_option(name, value, superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

static void
set_statement(replay *r, VariableSetStmt *stmt)
{
	switch (stmt->kind)
	{
		case VAR_SET_VALUE:
			apply_setting(r, stmt->name, ExtractSetVariableArgs(stmt));
			break;
		case VAR_SET_DEFAULT:
		case VAR_RESET:
			apply_setting(r, stmt->name, NULL);
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a backup replayed by dbkeeper_restore() cannot use SET LOCAL/SET TRANSACTION/RESET ALL or SET ... FROM CURRENT")));
	}
}

/* The backup's preamble sets search_path with set_config(), as pg_dump does. */
static bool
is_search_path_reset(const char *sql)
{
	return strcmp(sql, "SELECT pg_catalog.set_config('search_path', '', false);") == 0;
}

/* ------------------------------------------------------------ statements */

/*
 * COMMENT ON EXTENSION with the comment the extension already has.  The
 * extension stayed through the restore (restore_clear.c) and its comment
 * usually is its script's: setting it again would need its owner, so a
 * database owner who is not a superuser could never restore.  A different
 * comment still runs, and needs what it needs.
 */
static bool
is_unchanged_extension_comment(CommentStmt *stmt)
{
	Oid			ext;
	char	   *now;

	if (stmt->objtype != OBJECT_EXTENSION || !IsA(stmt->object, String))
		return false;
	ext = get_extension_oid(strVal(stmt->object), true);
	if (!OidIsValid(ext))
		return false;
	now = GetComment(ext, ExtensionRelationId, 0);
	if (now == NULL || stmt->comment == NULL)
		return now == NULL && (stmt->comment == NULL || stmt->comment[0] == '\0');
	return strcmp(now, stmt->comment) == 0;
}

static bool
is_kept_schema(replay *r, CreateSchemaStmt *stmt)
{
	ListCell   *lc;

	if (stmt->schemaname == NULL || stmt->schemaElts != NIL || stmt->authrole != NULL)
		return false;
	foreach(lc, r->kept_schemas)
		if (strcmp((const char *) lfirst(lc), stmt->schemaname) == 0)
			return true;
	return false;
}

static Oid
relation_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * The role an ALTER TABLE that only adds CHECK constraints and foreign keys
 * runs as, so that their validation evaluates the table's expressions (and
 * a foreign key's casts) as its owner: the table's owner, when that role may
 * do the whole statement, as the script has made the objects so far (owns
 * every table the constraint recurses to; holds REFERENCES on a referenced
 * table).  InvalidOid for any other statement, which runs as the caller,
 * every role's function as its owner (as_owner.c).
 */
static Oid
constraint_owner(Node *node)
{
	AlterTableStmt *stmt;
	Oid			relid,
				owner;
	ListCell   *lc;

	if (!IsA(node, AlterTableStmt))
		return InvalidOid;
	stmt = (AlterTableStmt *) node;
	if ((stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_FOREIGN_TABLE) || stmt->cmds == NIL)
		return InvalidOid;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	owner = OidIsValid(relid) ? relation_owner(relid) : InvalidOid;
	if (!OidIsValid(owner))
		return InvalidOid;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *con = (Constraint *) cmd->def;

		if (cmd->subtype != AT_AddConstraint || con == NULL || !IsA(con, Constraint) ||
			(con->contype != CONSTR_CHECK && con->contype != CONSTR_FOREIGN))
			return InvalidOid;
		if (con->contype == CONSTR_FOREIGN)
		{
			Oid			pk = RangeVarGetRelid(con->pktable, NoLock, true);

			if (!OidIsValid(pk) || pg_class_aclcheck(pk, owner, ACL_REFERENCES) != ACLCHECK_OK)
				return InvalidOid;
		}
	}
	if (stmt->relation->inh)
	{
		List	   *all = find_all_inheritors(relid, NoLock, NULL);

		foreach(lc, all)
			if (relation_owner(lfirst_oid(lc)) != owner)
				return InvalidOid;
	}
	return owner;
}

/*
 * An error position points into the statement, not into the caller's
 * query: it becomes an internal position with the statement as the
 * internal query, as SPI makes it (PostgreSQL 15, executor/spi.c,
 * _SPI_error_callback).
 */
static void
statement_position(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

/* What SPI refuses to run is refused here too: COPY to or from the client, transaction control. */
static void
refuse_unsupported(Node *stmt)
{
	if ((IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->filename == NULL) || IsA(stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this statement cannot run inside dbkeeper_restore()")));
}

/*
 * One utility statement (CREATE, ALTER, GRANT, COMMENT, ...: nearly all of a
 * backup's statements) from the parse tree execute() already made.
 * SPI_execute would parse the text again; otherwise this does what it does
 * for a statement (PostgreSQL 15, executor/spi.c, _SPI_execute_plan): parse
 * analysis, a new snapshot with the command counter advanced when the
 * statement needs one, ProcessUtility as a query inside a function (not top
 * level, atomic: no transaction control, no CREATE INDEX CONCURRENTLY), then
 * a CommandCounterIncrement, so that the next statement sees its effects.
 */
static void
run_utility(RawStmt *raw, const char *sql)
{
	List	   *plans = pg_plan_queries(pg_analyze_and_rewrite_fixedparams(raw, sql, NULL, 0, NULL),
										sql, CURSOR_OPT_PARALLEL_OK, NULL);
	bool		snapshot = list_length(plans) > 1 ||
		(plans != NIL && PlannedStmtRequiresSnapshot(linitial_node(PlannedStmt, plans)));
	ListCell   *lc;

	if (snapshot)
		PushActiveSnapshot(GetTransactionSnapshot());
	foreach(lc, plans)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);
		QueryCompletion qc;

		/* analysis and rewriting make nothing else of a utility statement */
		if (stmt->utilityStmt == NULL)
			elog(ERROR, "dbkeeper_restore: a utility statement was planned as a query");
		refuse_unsupported(stmt->utilityStmt);
		if (snapshot)
		{
			CommandCounterIncrement();
			UpdateActiveSnapshotCommandId();
		}
		InitializeQueryCompletion(&qc);
		ProcessUtility(stmt, sql, false, PROCESS_UTILITY_QUERY, NULL, NULL, None_Receiver, &qc);
	}
	if (snapshot)
		PopActiveSnapshot();
	CommandCounterIncrement();
}

/*
 * setval() writes in place: on a sequence made in this transaction that is
 * undone with it, but on one the restore kept (an extension's configuration
 * sequence, pg_extension_config_dump) it is not, and a failed or rolled
 * back restore left the backup's value there.  Nor would the safety
 * backup's worker (restore_safety.c), reading the sequence beside the
 * replay, be sure to read the value from before the restore.  So before a
 * statement SELECT pg_catalog.setval('name', ...) of such a sequence, the
 * sequence gets new storage in this transaction, as TRUNCATE ... RESTART
 * IDENTITY does (ResetSequence): setval() then writes there, a rollback
 * drops it, and until the commit every other transaction, the worker's
 * included, reads the old one.  Only for a role that may call setval() on
 * it: for any other, setval() itself raises the error.
 */
static void
renew_kept_sequence(Node *stmt)
{
	SelectStmt *select;
	ResTarget  *target;
	FuncCall   *call;
	A_Const    *arg;
	Oid			relid;
	Relation	rel;
	bool		kept;

	if (!IsA(stmt, SelectStmt) || (select = (SelectStmt *) stmt)->fromClause != NIL ||
		list_length(select->targetList) != 1)
		return;
	target = linitial_node(ResTarget, select->targetList);
	if (!IsA(target->val, FuncCall))
		return;
	call = (FuncCall *) target->val;
	if (strcmp(strVal(llast(call->funcname)), "setval") != 0 || list_length(call->args) < 2 ||
		!IsA(linitial(call->args), A_Const) || (arg = linitial_node(A_Const, call->args))->isnull ||
		!IsA(&arg->val, String))
		return;
	relid = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(strVal(&arg->val))));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_UPDATE) != ACLCHECK_OK)
		return;
	rel = relation_open(relid, AccessExclusiveLock);
	kept = rel->rd_rel->relkind == RELKIND_SEQUENCE &&
		rel->rd_createSubid == InvalidSubTransactionId &&
		DBK_REL_FIRST_FILE_SUBID(rel) == InvalidSubTransactionId;
	relation_close(rel, NoLock);
	if (kept)
		ResetSequence(relid);
}

/* SELECT, INSERT, UPDATE, DELETE, MERGE: what the executor runs */
static bool
is_query(Node *stmt)
{
	return IsA(stmt, SelectStmt) || IsA(stmt, InsertStmt) || IsA(stmt, UpdateStmt) ||
		IsA(stmt, DeleteStmt) || IsA(stmt, MergeStmt);
}

/*
 * One parsed statement, as owner when that is valid (see constraint_owner).
 * A query (a backup's setval() and lo_ calls) goes through SPI_execute,
 * which parses it again; any other statement runs from the parse tree.
 */
static void
run_parsed(RawStmt *raw, const char *sql, Oid owner)
{
	dbk_as_owner as;
	ErrorContextCallback errcb;
	int			rc = 0;

	if (OidIsValid(owner))
		dbk_as_owner_begin(&as, owner);
	if (is_query(raw->stmt))
	{
		renew_kept_sequence(raw->stmt);
		rc = SPI_execute(sql, false, 0);
	}
	else
	{
		errcb.callback = statement_position;
		errcb.arg = unconstify(char *, sql);
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		run_utility(raw, sql);
		error_context_stack = errcb.previous;
	}
	if (OidIsValid(owner))
		dbk_as_owner_end(&as);
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this statement cannot run inside dbkeeper_restore()")));
}

static void
execute(replay *r, const char *sql)
{
	List	   *parsed;
	Node	   *stmt;
	ListCell   *lc;
	ErrorContextCallback errcb;

	if (is_search_path_reset(sql))
	{
		apply_setting(r, "search_path", "");
		return;
	}
	errcb.callback = statement_position;
	errcb.arg = unconstify(char *, sql);
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	parsed = raw_parser(sql, RAW_PARSE_DEFAULT);
	error_context_stack = errcb.previous;
	if (parsed == NIL)
		return;					/* only comments */
	stmt = linitial_node(RawStmt, parsed)->stmt;
	if (list_length(parsed) == 1)
	{
		if (IsA(stmt, VariableSetStmt))
		{
			set_statement(r, (VariableSetStmt *) stmt);
			return;
		}
		if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->is_from &&
			((CopyStmt *) stmt)->filename == NULL && ((CopyStmt *) stmt)->relation != NULL)
		{
			copy_in(r, (CopyStmt *) stmt, sql);
			return;
		}
		if (IsA(stmt, CreateSchemaStmt) && is_kept_schema(r, (CreateSchemaStmt *) stmt))
			return;
		if (IsA(stmt, CommentStmt) && is_unchanged_extension_comment((CommentStmt *) stmt))
			return;
		run_parsed(linitial_node(RawStmt, parsed), sql, constraint_owner(stmt));
		return;
	}
	/* several statements in one item: only a script written by hand has them */
	foreach(lc, parsed)
		refuse_unsupported(lfirst_node(RawStmt, lc)->stmt);
	foreach(lc, parsed)
		renew_kept_sequence(lfirst_node(RawStmt, lc)->stmt);
	if (SPI_execute(sql, false, 0) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this statement cannot run inside dbkeeper_restore()")));
}

/*
 * SPI's context line repeats the whole statement, which the restore's own
 * context line already shows (shortened): leave it out.
 */
static const char *
without_spi_context(const char *context, const char *sql)
{
	char	   *spi = psprintf("SQL statement \"%s\"", sql);
	size_t		n = strlen(spi);
	const char *rest = context;

	if (strncmp(context, spi, n) == 0)
		rest = context[n] == '\n' ? context + n + 1 : context + n;
	pfree(spi);
	return rest;
}

/*
 * Raises the error being handled again, saying in which backup and at which
 * statement it happened.
 */
static void
rethrow_at_statement(replay *r, MemoryContext cxt, uint64 line, const char *sql)
{
	ErrorData  *e;
	StringInfoData context;
	int			shown = Min((int) strlen(sql), SHOWN_STATEMENT);

	MemoryContextSwitchTo(cxt);
	e = CopyErrorData();
	FlushErrorState();
	initStringInfo(&context);
	appendStringInfo(&context, "statement at line " UINT64_FORMAT " of backup \"%s\": %.*s%s",
					 line, r->name, shown, sql, shown < (int) strlen(sql) ? "..." : "");
	if (e->context != NULL)
	{
		const char *rest = without_spi_context(e->context, sql);

		if (*rest != '\0')
			appendStringInfo(&context, "\n%s", rest);
	}
	e->context = context.data;
	e->message = psprintf("restoring backup \"%s\" failed at line " UINT64_FORMAT ": %s",
						  r->name, line, e->message);
	ReThrowError(e);
}

static void
run_statement(replay *r, MemoryContext stmt_cxt)
{
	MemoryContext outer = MemoryContextSwitchTo(stmt_cxt);
	char	   *sql = pnstrdup(r->it->text, r->it->len);
	uint64		line = r->it->line;

	PG_TRY();
	{
		execute(r, sql);
	}
	PG_CATCH();
	{
		copying = NULL;
		rethrow_at_statement(r, outer, line, sql);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(outer);
	MemoryContextReset(stmt_cxt);
}

/* Executes every item of the script; returns how many statements ran. */
static uint64
replay_all(replay *r, MemoryContext stmt_cxt)
{
	uint64		statements = 0;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		switch (next_item(r)->kind)
		{
			case DBK_SCRIPT_STATEMENT:
				run_statement(r, stmt_cxt);
				statements++;
				break;
			case DBK_SCRIPT_END:
				return statements;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("backup \"%s\" has COPY data at line " UINT64_FORMAT " after no COPY statement",
								r->name, (uint64) r->it->line)));
		}
	}
}

uint64
dbk_restore_replay(int fd, const char *name, List *kept_schemas)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper restore",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext stmt_cxt = AllocSetContextCreate(cxt, "dbkeeper restore statement",
												   ALLOCSET_DEFAULT_SIZES);
	MemoryContext outer = MemoryContextSwitchTo(cxt);
	int			nest = NewGUCNestLevel();
	replay		r;
	dbk_error	err;
	uint64		statements = 0;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.what = psprintf("backup \"%s\"", name);
	r.kept_schemas = kept_schemas;
	r.fd.fd = fd;
	r.fd.what = r.what;
	if (lseek(fd, 0, SEEK_SET) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not rewind %s: %m", r.what)));
	/* The thread allocates with malloc: palloc is for this thread only. */
	r.reader = dbk_script_reader_start(&dbk_libc_allocator, dbk_fd_source(&r.fd), r.what,
									   MAX_STATEMENT, NULL, &err);
	if (r.reader == NULL)
		dbk_pg_raise(&err);
	dbk_owner_guard_begin();
	PG_TRY();
	{
		statements = replay_all(&r, stmt_cxt);
	}
	PG_FINALLY();
	{
		copying = NULL;
		dbk_owner_guard_end();
		dbk_script_reader_stop(r.reader);
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nest);
	elog(DEBUG1, "dbkeeper_restore: the replay waited %.0f ms for its reader thread",
		 INSTR_TIME_GET_MILLISEC(r.waited));
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cxt);
	return statements;
}
