/*
 * schema_settle.c — expressions as they print after a dump and restore.
 *
 * PostgreSQL prints an expression from its stored tree; a dump writes that
 * text and a restore parses it again, and the new tree does not always print
 * the same.  An IN list over a varchar column is the common case: stored as
 * "(x)::text = ANY ((ARRAY['a'::character varying, ...])::text[])", it comes
 * back as "... ANY (ARRAY[('a'::character varying)::text, ...])", the
 * coercion pushed into the array's elements by the parser.  One more round
 * trip changes nothing.  So that a database, its pg_dump restore and its
 * dbkeeper restore share one fingerprint, the description prints every
 * expression the way the restored database will: it parses the printed text
 * again, in the context CREATE TABLE, CREATE DOMAIN, CREATE POLICY, CREATE
 * INDEX or CREATE VIEW reads it in (the table's columns, VALUE, the target
 * type of a default), and prints the new tree with the same deparser.
 *
 * Contract: the input text was printed by PostgreSQL from the current
 * catalogs, with search_path at pg_catalog (schema.c fixes it), so every name
 * in it is qualified and it parses; a text that does not have the expected
 * shape is returned unchanged.  Parsing a table's expression takes an ACCESS
 * SHARE lock on it and lets it go at once (unless the caller holds one too),
 * so that describing 10,000 tables does not fill the lock table; parsing a
 * view's query keeps the locks of the tables it names until the end of the
 * transaction, as any query does.  Nothing is written.
 *
 * Privileges: the description is the same whoever asks, but the parser checks
 * USAGE on every schema a name is looked up in.  So the parsing runs as the
 * bootstrap superuser, in a security-restricted operation (as PostgreSQL runs
 * index builds).  Parsing runs no user code: the only functions it calls are
 * the input functions of constants' types, which only a superuser can create,
 * on text PostgreSQL itself printed.  Nothing is planned (planning folds
 * immutable functions of constants, which would run them): the checks CREATE
 * makes of a stored expression after parsing it are left out.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "miscadmin.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_index.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parse_clause.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "rewrite/rewriteSupport.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "schema_settle.h"

/* pg_get_expr(tree, relid): the deparser the description already uses. */
static char *
print_tree(const char *tree, Oid relid)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall2(pg_get_expr,
															  CStringGetTextDatum(tree),
															  ObjectIdGetDatum(relid))));
}

static char *
print_node(Node *node, Oid relid)
{
	return print_tree(nodeToString(node), relid);
}

/* The raw parse tree of an expression's text, or NULL if it is not one expression. */
static Node *
raw_expression(const char *text)
{
	List	   *stmts = raw_parser(psprintf("SELECT %s", text), RAW_PARSE_DEFAULT);
	SelectStmt *sel;
	ResTarget  *target;

	if (list_length(stmts) != 1)
		return NULL;
	sel = (SelectStmt *) linitial_node(RawStmt, stmts)->stmt;
	if (!IsA(sel, SelectStmt) || list_length(sel->targetList) != 1 || sel->fromClause != NIL ||
		sel->whereClause != NULL || sel->op != SETOP_NONE)
		return NULL;
	target = linitial_node(ResTarget, sel->targetList);
	return target->name == NULL ? target->val : NULL;
}

/* def with its first occurrence of from replaced by to (def when from is absent). */
static char *
replace_first(const char *def, const char *from, const char *to)
{
	const char *at = strstr(def, from);
	StringInfoData buf;

	if (at == NULL || strcmp(from, to) == 0)
		return (char *) def;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, def, (int) (at - def));
	appendStringInfoString(&buf, to);
	appendStringInfoString(&buf, at + strlen(from));
	return buf.data;
}

/* A parse state whose only range table entry is the relation, as CREATE TABLE's. */
static ParseState *
table_parse_state(Relation rel, const char *text)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;

	pstate->p_sourcetext = text;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	return pstate;
}

/* VALUE in a domain's CHECK, as CREATE DOMAIN resolves it. */
static Node *
domain_value_hook(ParseState *pstate, ColumnRef *cref)
{
	CoerceToDomainValue *value;

	if (list_length(cref->fields) != 1 || !IsA(linitial(cref->fields), String) ||
		strcmp(strVal(linitial(cref->fields)), "value") != 0)
		return NULL;
	value = copyObject((CoerceToDomainValue *) pstate->p_ref_hook_state);
	value->location = cref->location;
	return (Node *) value;
}

static char *
settled_expr(const char *tree, Oid relid, dbk_settle_kind kind, Oid typid, int32 typmod,
			 char generated, char **printed_out)
{
	char	   *printed = print_tree(tree, relid);
	Node	   *raw = raw_expression(printed);
	Relation	rel = NULL;
	ParseState *pstate;
	Node	   *expr;
	char	   *settled;

	if (printed_out != NULL)
		*printed_out = printed;
	if (raw == NULL)
		return printed;
	if (OidIsValid(relid))
	{
		rel = relation_open(relid, AccessShareLock);
		pstate = table_parse_state(rel, printed);
	}
	else
	{
		pstate = make_parsestate(NULL);
		pstate->p_sourcetext = printed;
	}
	switch (kind)
	{
		case DBK_SETTLE_CHECK:
			expr = transformExpr(pstate, raw, EXPR_KIND_CHECK_CONSTRAINT);
			expr = coerce_to_boolean(pstate, expr, "CHECK");
			assign_expr_collations(pstate, expr);
			break;
		case DBK_SETTLE_DOMAIN_CHECK:
			{
				CoerceToDomainValue *value = makeNode(CoerceToDomainValue);

				value->typeId = typid;
				value->typeMod = typmod;
				value->collation = get_typcollation(typid);
				value->location = -1;
				pstate->p_pre_columnref_hook = domain_value_hook;
				pstate->p_ref_hook_state = value;
				expr = transformExpr(pstate, raw, EXPR_KIND_DOMAIN_CHECK);
				expr = coerce_to_boolean(pstate, expr, "CHECK");
				assign_expr_collations(pstate, expr);
				break;
			}
		case DBK_SETTLE_DEFAULT:
			/*
			 * What cookDefault() does, without its checks of a stored
			 * expression that was already accepted: the check of a generated
			 * column plans it, which runs its immutable functions.
			 */
			expr = transformExpr(pstate, raw, generated != '\0' ? EXPR_KIND_GENERATED_COLUMN
								 : EXPR_KIND_COLUMN_DEFAULT);
			if (OidIsValid(typid))
			{
				Node	   *coerced = coerce_to_target_type(pstate, expr, exprType(expr), typid, typmod,
															COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);

				if (coerced == NULL)
				{
					free_parsestate(pstate);
					if (rel != NULL)
						relation_close(rel, AccessShareLock);
					return printed;
				}
				expr = coerced;
			}
			assign_expr_collations(pstate, expr);
			break;
		case DBK_SETTLE_POLICY:
			expr = transformWhereClause(pstate, raw, EXPR_KIND_POLICY, "POLICY");
			assign_expr_collations(pstate, expr);
			break;
		default:
			elog(ERROR, "unknown expression kind %d", (int) kind);
	}
	settled = print_node(expr, relid);
	free_parsestate(pstate);
	if (rel != NULL)
		relation_close(rel, AccessShareLock);
	return settled;
}

char *
dbk_pg_settle_expr(const char *def, const char *tree, Oid relid, dbk_settle_kind kind,
				   Oid typid, int32 typmod, char generated)
{
	char	   *printed;
	char	   *settled = dbk_pg_settled_expr(tree, relid, kind, typid, typmod, generated, &printed);

	return replace_first(def, printed, settled);
}

/* An index expression as ComputeIndexAttrs stores it: without a top-level COLLATE. */
static Node *
strip_collate(Node *expr)
{
	while (expr != NULL && IsA(expr, CollateExpr))
		expr = (Node *) ((CollateExpr *) expr)->arg;
	return expr;
}

static char *
settle_indexdef(const char *def, Oid indexrelid)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexrelid));
	Form_pg_index index;
	Oid			tableid;
	bool		isnull;
	Datum		exprs_datum,
				pred_datum;
	List	   *stmts;
	IndexStmt  *stmt;
	List	   *stored = NIL;
	ListCell   *lc;
	int			e = 0;
	Relation	rel;
	char	   *out = (char *) def;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for index %u", indexrelid);
	index = (Form_pg_index) GETSTRUCT(tup);
	tableid = index->indrelid;
	exprs_datum = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indexprs, &isnull);
	if (!isnull)
		stored = (List *) stringToNode(TextDatumGetCString(exprs_datum));
	pred_datum = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
	if (isnull && stored == NIL)
	{
		ReleaseSysCache(tup);
		return out;				/* plain columns: nothing is parsed again */
	}

	stmts = raw_parser(def, RAW_PARSE_DEFAULT);
	if (list_length(stmts) != 1 || !IsA(linitial_node(RawStmt, stmts)->stmt, IndexStmt))
	{
		ReleaseSysCache(tup);
		return out;
	}
	rel = relation_open(tableid, AccessShareLock);
	stmt = transformIndexStmt(tableid, (IndexStmt *) linitial_node(RawStmt, stmts)->stmt, def);
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->expr == NULL)
			continue;
		if (e < list_length(stored))
			out = replace_first(out, print_node(list_nth(stored, e), tableid),
								print_node(strip_collate(elem->expr), tableid));
		e++;
	}
	if (!isnull && stmt->whereClause != NULL)
		out = replace_first(out, print_tree(TextDatumGetCString(pred_datum), tableid),
							print_node(stmt->whereClause, tableid));
	relation_close(rel, AccessShareLock);
	ReleaseSysCache(tup);
	return out;
}

/*
 * A view's query is analysed as CREATE VIEW analyses it and printed by the
 * function pg_get_viewdef uses, without the view's own column list (which
 * names the same columns as the query's targets once CREATE VIEW applied
 * it).
 */
static char *
settle_viewdef(const char *def, const char *viewdef)
{
	List	   *stmts = raw_parser(viewdef, RAW_PARSE_DEFAULT);
	Query	   *query;

	if (list_length(stmts) != 1 || !IsA(linitial_node(RawStmt, stmts)->stmt, SelectStmt))
		return (char *) def;
	query = parse_analyze_fixedparams(linitial_node(RawStmt, stmts), viewdef, NULL, 0, NULL);
	/* pg_get_viewdef ends the query with a semicolon; pg_get_querydef does not */
	return replace_first(def, viewdef, psprintf("%s;", pg_get_querydef(query, false)));
}

/*
 * pg_get_viewdef's text of a view, without its SPI query and without
 * opening the view, for the common case; NULL for the others.
 * pg_get_viewdef reads the view's _RETURN rule, checks that it is one
 * unconditional INSTEAD SELECT, and prints its query with get_query_def
 * given the view's tuple descriptor, then a semicolon.  pg_get_querydef
 * prints the same query with the same flags and no descriptor; the two
 * differ only where the descriptor's column names are used instead of the
 * query's target names (the SELECT list, a bare VALUES, set operations'
 * branches).  So when the query has no set operation and each output
 * column's target name is the view's column name (no ALTER VIEW ... RENAME
 * COLUMN since), the texts are the same.  Opening the view built its
 * relation cache entry, rules included, in every new session.
 */
static char *
plain_viewdef(Oid view, HeapTuple ruletup, TupleDesc ruledesc, Snapshot snap)
{
	Form_pg_rewrite rule = (Form_pg_rewrite) GETSTRUCT(ruletup);
	bool		isnull;
	Datum		qual = heap_getattr(ruletup, Anum_pg_rewrite_ev_qual, ruledesc, &isnull);
	Datum		action;
	List	   *actions;
	Query	   *query;
	ListCell   *lc;
	Relation	attrel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	atttup;
	bool		same = true;

	if (isnull || rule->ev_type != '1' || !rule->is_instead || strcmp(TextDatumGetCString(qual), "<>") != 0)
		return NULL;
	action = heap_getattr(ruletup, Anum_pg_rewrite_ev_action, ruledesc, &isnull);
	if (isnull)
		return NULL;
	actions = (List *) stringToNode(TextDatumGetCString(action));
	if (list_length(actions) != 1 || !IsA(linitial(actions), Query))
		return NULL;
	query = linitial_node(Query, actions);
	if (query->commandType != CMD_SELECT || query->setOperations != NULL)
		return NULL;
	/* the view's columns, in order, against the query's output columns */
	attrel = table_open(AttributeRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(view));
	ScanKeyInit(&key[1], Anum_pg_attribute_attnum, BTGreaterStrategyNumber, F_INT2GT, Int16GetDatum(0));
	scan = systable_beginscan(attrel, AttributeRelidNumIndexId, true, snap, 2, key);
	lc = list_head(query->targetList);
	while (same && HeapTupleIsValid(atttup = systable_getnext(scan)))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(atttup);

		while (lc != NULL && lfirst_node(TargetEntry, lc)->resjunk)
			lc = lnext(query->targetList, lc);
		same = lc != NULL && !att->attisdropped && lfirst_node(TargetEntry, lc)->resname != NULL &&
			strcmp(lfirst_node(TargetEntry, lc)->resname, NameStr(att->attname)) == 0;
		if (lc != NULL)
			lc = lnext(query->targetList, lc);
	}
	systable_endscan(scan);
	table_close(attrel, AccessShareLock);
	/* no output column left over */
	while (same && lc != NULL)
	{
		same = lfirst_node(TargetEntry, lc)->resjunk;
		lc = lnext(query->targetList, lc);
	}
	if (!same)
		return NULL;
	return psprintf("%s;", pg_get_querydef(query, false));
}

char *
dbk_pg_viewdef(Oid view)
{
	Snapshot	snap = GetActiveSnapshot();
	Relation	rel = table_open(RewriteRelationId, AccessShareLock);
	ScanKeyData key[2];
	NameData	rulename;
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *out = NULL;
	Datum		d;

	namestrcpy(&rulename, ViewSelectRuleName);
	ScanKeyInit(&key[0], Anum_pg_rewrite_ev_class, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(view));
	ScanKeyInit(&key[1], Anum_pg_rewrite_rulename, BTEqualStrategyNumber, F_NAMEEQ, NameGetDatum(&rulename));
	scan = systable_beginscan(rel, RewriteRelRulenameIndexId, true, snap, 2, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		out = plain_viewdef(view, tup, RelationGetDescr(rel), snap);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (out != NULL)
		return out;
	/* anything else: pg_get_viewdef itself (NULL when it returns NULL) */
	{
		LOCAL_FCINFO(fcinfo, 1);

		InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
		fcinfo->args[0].value = ObjectIdGetDatum(view);
		fcinfo->args[0].isnull = false;
		d = pg_get_viewdef(fcinfo);
		return fcinfo->isnull ? NULL : TextDatumGetCString(d);
	}
}

/* ---- the entry points: each parses as the bootstrap superuser ---- */

typedef struct parse_identity
{
	Oid			userid;
	int			sec_context;
} parse_identity;

static void
become_parser(parse_identity *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   saved->sec_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
}

/* An ERROR restores the identity too, as transaction abort does for index builds. */
static void
stop_being_parser(const parse_identity *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

char *
dbk_pg_settled_expr(const char *tree, Oid relid, dbk_settle_kind kind, Oid typid, int32 typmod,
					char generated, char **printed)
{
	parse_identity saved;
	char	   *out;

	become_parser(&saved);
	out = settled_expr(tree, relid, kind, typid, typmod, generated, printed);
	stop_being_parser(&saved);
	return out;
}

char *
dbk_pg_settle_indexdef(const char *def, Oid indexrelid)
{
	parse_identity saved;
	char	   *out;

	become_parser(&saved);
	out = settle_indexdef(def, indexrelid);
	stop_being_parser(&saved);
	return out;
}

char *
dbk_pg_settle_viewdef(const char *def, const char *viewdef)
{
	parse_identity saved;
	char	   *out;

	become_parser(&saved);
	out = settle_viewdef(def, viewdef);
	stop_being_parser(&saved);
	return out;
}
