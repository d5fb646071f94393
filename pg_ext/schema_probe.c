/*
 * schema_probe.c — which kinds of objects the database has, read by scans
 * of the catalogs in C; see schema_probe.h.
 *
 * Why: most databases have no operators, casts, text search objects,
 * policies, publications or event triggers of their own, yet every
 * description parsed, planned and ran each kind's query, and each joined
 * pg_depend to leave extension members out.  In a fresh session, planning
 * them also fills the caches of every catalog, index and function they name.
 * A probe reads the kind's catalog row by row (most hold a few hundred rows
 * of the system's; pg_class, pg_type and pg_trigger grow with the schema and
 * are read once each) and stops at the first row that could pass the
 * query's filter.
 *
 * The rule each probe keeps: it says "absent" only when its query cannot
 * return a row.  So it tests what the query tests, or less:
 *   - a schema of the user's: the name does not start with "pg_" and is not
 *     information_schema (DBK_USER_NS, catalog_sql.h);
 *   - views (relkind v, m) and sequences (S) in such a schema; a composite
 *     type's row needs a relation of relkind c, in any schema;
 *   - functions and aggregates in such a schema (prokind a or not);
 *   - types: a domain, enum, range or base type in such a schema that is
 *     not some type's array type (typarray), or a composite type when a
 *     relation of relkind c exists;
 *   - triggers: any trigger not internal; rules: any rule but a view's
 *     _RETURN, on a relation made after initdb or in such a schema;
 *   - casts: an OID past the bootstrap ones (16384, as the query says);
 *   - policies, event triggers, publications: any row.
 * A view, sequence, routine or trigger (by its table) that is a member of
 * an extension is not counted: its query leaves it out, and dbkeeper's own
 * functions and tables are in every database that can call this.  For the
 * other kinds membership is not tested.
 *
 * Every scan uses the active snapshot, as the queries do, so that the two
 * see the same rows.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "catalog/pg_type.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "rewrite/rewriteSupport.h"
#include "utils/snapmgr.h"

#include "schema_probe.h"

/* The first OID after initdb's (FirstNormalObjectId), as the cast query writes it. */
#define USER_OID_START 16384

typedef struct probe_state
{
	dbk_pg_relinfo *ri;			/* its extension members */
	Snapshot	snap;
	HTAB	   *user_ns;		/* Oids of the schemas DBK_USER_NS accepts */
	bool		composite;		/* a relation of relkind c exists */
} probe_state;

static SysScanDesc
scan_all(probe_state *st, Relation rel)
{
	return systable_beginscan(rel, InvalidOid, false, st->snap, 0, NULL);
}

static bool
in_user_ns(probe_state *st, Oid nsp)
{
	return hash_search(st->user_ns, &nsp, HASH_FIND, NULL) != NULL;
}

static void
read_user_namespaces(probe_state *st)
{
	HASHCTL		ctl;
	Relation	rel = table_open(NamespaceRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	st->user_ns = hash_create("dbkeeper schema probe namespaces", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_namespace n = (Form_pg_namespace) GETSTRUCT(tup);
		const char *name = NameStr(n->nspname);

		if (strncmp(name, "pg_", 3) != 0 && strcmp(name, "information_schema") != 0)
			(void) hash_search(st->user_ns, &n->oid, HASH_ENTER, NULL);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* A test of one catalog row: does it count as an object of the user's? */
typedef bool (*row_test) (probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno);

/* True when a row of the catalog passes the test. */
static bool
first_match(probe_state *st, Oid catalog, row_test test, AttrNumber nsp_attno)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;
	bool		found = false;

	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		found = test(st, tup, RelationGetDescr(rel), nsp_attno);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* Any row, or, when nsp_attno is not 0, a row in a schema of the user's. */
static bool
in_user_schema(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	bool		isnull;
	Datum		nsp;

	if (nsp_attno == 0)
		return true;
	nsp = heap_getattr(tup, nsp_attno, desc, &isnull);
	return !isnull && in_user_ns(st, DatumGetObjectId(nsp));
}

static bool
any_row(probe_state *st, Oid catalog, AttrNumber nsp_attno)
{
	return first_match(st, catalog, in_user_schema, nsp_attno);
}

/* Views, sequences (in schemas of the user's) and composite types' relations (anywhere). */
static void
probe_relations(probe_state *st, dbk_probe *p)
{
	Relation	rel = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);

		if (c->relkind == RELKIND_COMPOSITE_TYPE)
			st->composite = true;
		else if ((c->relkind == RELKIND_VIEW || c->relkind == RELKIND_MATVIEW) &&
				 in_user_ns(st, c->relnamespace) && !dbk_pg_relinfo_is_member(st->ri, RelationRelationId, c->oid))
			p->present[DBK_PROBE_VIEWS] = true;
		else if (c->relkind == RELKIND_SEQUENCE && in_user_ns(st, c->relnamespace) &&
				 !dbk_pg_relinfo_is_member(st->ri, RelationRelationId, c->oid))
			p->present[DBK_PROBE_SEQUENCES] = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

static void
probe_routines(probe_state *st, dbk_probe *p)
{
	Relation	rel = table_open(ProcedureRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_proc f = (Form_pg_proc) GETSTRUCT(tup);

		if (in_user_ns(st, f->pronamespace) && !dbk_pg_relinfo_is_member(st->ri, ProcedureRelationId, f->oid))
			p->present[f->prokind == PROKIND_AGGREGATE ? DBK_PROBE_AGGREGATES : DBK_PROBE_FUNCTIONS] = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * A type the types query may list.  Base types of the user's schemas are
 * candidates until the scan has seen every typarray: array types, made with
 * every type (a table's included), are left out.
 */
static bool
probe_types(probe_state *st)
{
	HASHCTL		ctl;
	HTAB	   *arrays;
	List	   *bases = NIL;
	ListCell   *lc;
	bool		found = false;
	Relation	rel = table_open(TypeRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	arrays = hash_create("dbkeeper schema probe array types", 1024, &ctl,
						 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tup);

		if (OidIsValid(t->typarray))
			(void) hash_search(arrays, &t->typarray, HASH_ENTER, NULL);
		if (!in_user_ns(st, t->typnamespace))
			continue;
		switch (t->typtype)
		{
			case TYPTYPE_DOMAIN:
			case TYPTYPE_ENUM:
			case TYPTYPE_RANGE:
				found = true;
				break;
			case TYPTYPE_COMPOSITE:
				found = st->composite;
				break;
			case TYPTYPE_BASE:
				bases = lappend_oid(bases, t->oid);
				break;
			default:
				break;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	foreach(lc, bases)
	{
		Oid			typid = lfirst_oid(lc);

		if (found)
			break;
		found = hash_search(arrays, &typid, HASH_FIND, NULL) == NULL;
	}
	return found;
}

static bool
user_trigger(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);

	return !t->tgisinternal && !dbk_pg_relinfo_is_member(st->ri, RelationRelationId, t->tgrelid);
}

/*
 * Rules but _RETURN: the system's own (pg_settings has two) are on
 * relations initdb made in pg_catalog.
 */
static bool
user_rule(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	Form_pg_rewrite r = (Form_pg_rewrite) GETSTRUCT(tup);

	if (strcmp(NameStr(r->rulename), ViewSelectRuleName) == 0)
		return false;
	return r->ev_class >= USER_OID_START || !OidIsValid(get_rel_namespace(r->ev_class)) ||
		in_user_ns(st, get_rel_namespace(r->ev_class));
}

static bool
user_cast(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	return ((Form_pg_cast) GETSTRUCT(tup))->oid >= USER_OID_START;
}

void
dbk_pg_probe_kinds(dbk_probe *p, dbk_pg_relinfo *ri)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper schema probe",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	probe_state st = {ri, GetActiveSnapshot(), NULL, false};

	memset(p, 0, sizeof(*p));
	read_user_namespaces(&st);
	probe_relations(&st, p);
	probe_routines(&st, p);
	p->present[DBK_PROBE_TYPES] = probe_types(&st);
	p->present[DBK_PROBE_TRIGGERS] = first_match(&st, TriggerRelationId, user_trigger, 0);
	p->present[DBK_PROBE_RULES] = first_match(&st, RewriteRelationId, user_rule, 0);
	p->present[DBK_PROBE_CASTS] = first_match(&st, CastRelationId, user_cast, 0);
	p->present[DBK_PROBE_POLICIES] = any_row(&st, PolicyRelationId, 0);
	p->present[DBK_PROBE_EVENT_TRIGGERS] = any_row(&st, EventTriggerRelationId, 0);
	p->present[DBK_PROBE_PUBLICATIONS] = any_row(&st, PublicationRelationId, 0);
	p->present[DBK_PROBE_OPERATORS] = any_row(&st, OperatorRelationId, Anum_pg_operator_oprnamespace);
	p->present[DBK_PROBE_OPCLASSES] = any_row(&st, OperatorClassRelationId, Anum_pg_opclass_opcnamespace);
	p->present[DBK_PROBE_OPFAMILIES] = any_row(&st, OperatorFamilyRelationId, Anum_pg_opfamily_opfnamespace);
	p->present[DBK_PROBE_TS_CONFIGS] = any_row(&st, TSConfigRelationId, Anum_pg_ts_config_cfgnamespace);
	p->present[DBK_PROBE_TS_DICTS] = any_row(&st, TSDictionaryRelationId, Anum_pg_ts_dict_dictnamespace);
	p->present[DBK_PROBE_TS_PARSERS] = any_row(&st, TSParserRelationId, Anum_pg_ts_parser_prsnamespace);
	p->present[DBK_PROBE_TS_TEMPLATES] = any_row(&st, TSTemplateRelationId, Anum_pg_ts_template_tmplnamespace);
	p->present[DBK_PROBE_STATISTICS] = any_row(&st, StatisticExtRelationId, Anum_pg_statistic_ext_stxnamespace);
	p->present[DBK_PROBE_COLLATIONS] = any_row(&st, CollationRelationId, Anum_pg_collation_collnamespace);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
