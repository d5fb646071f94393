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
 *
 * dbk_pg_probe_dump does the same for the queries of a backup's
 * definitions (dump_schema.c's dump_kinds), under the same rule; what each
 * of its probes tests is said above it, below.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_conversion.h"
#include "catalog/pg_default_acl.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_index.h"
#include "catalog/pg_init_privs.h"
#include "catalog/pg_language.h"
#include "catalog/pg_largeobject_metadata.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_seclabel.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_subscription.h"
#include "catalog/pg_transform.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "rewrite/rewriteSupport.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "schema_probe.h"

/* The first OID after initdb's (FirstNormalObjectId), as the cast query writes it. */
#define USER_OID_START 16384

/* A schema, in probe_state's namespaces. */
typedef struct ns_entry
{
	Oid			oid;
	NameData	name;
	bool		user;			/* DBK_USER_NS accepts it */
} ns_entry;

typedef struct probe_state
{
	dbk_pg_relinfo *ri;			/* its extension members */
	Snapshot	snap;
	HTAB	   *namespaces;		/* ns_entry of every schema, by Oid */
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
	ns_entry   *e = hash_search(st->namespaces, &nsp, HASH_FIND, NULL);

	return e != NULL && e->user;
}

static void
read_namespaces(probe_state *st)
{
	HASHCTL		ctl;
	Relation	rel = table_open(NamespaceRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(st, rel);
	HeapTuple	tup;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ns_entry);
	ctl.hcxt = CurrentMemoryContext;
	st->namespaces = hash_create("dbkeeper schema probe namespaces", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_namespace n = (Form_pg_namespace) GETSTRUCT(tup);
		const char *name = NameStr(n->nspname);
		ns_entry   *e = hash_search(st->namespaces, &n->oid, HASH_ENTER, NULL);

		e->name = n->nspname;
		e->user = strncmp(name, "pg_", 3) != 0 && strcmp(name, "information_schema") != 0;
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
	read_namespaces(&st);
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

/* ------------------------------------------------------------ the backup's kinds */

/*
 * The probes of the backup's queries (dump_schema.c, dump_kind_*.c).  Each
 * tests what its query tests, or less; where the query says:
 *   - a schema of the user's, the probe says it (in_user_ns);
 *   - not a member of an extension, the probe asks the members read from
 *     pg_depend (every 'e' row refers to the extension the object belongs
 *     to, so a scan of pg_depend's rows referring to pg_extension finds
 *     them all) or leaves it out (then it counts members too);
 *   - an OID from 16384 on, the probe reads the catalog's OID index from
 *     there;
 *   - anything else (joins, internal dependencies, parents of triggers),
 *     the probe leaves it out, and so says "present" more often than
 *     the query finds a row.
 */

typedef struct obj_key
{
	Oid			classid;
	Oid			objid;
} obj_key;

typedef struct init_key
{
	Oid			classid;
	Oid			objid;
	int32		objsubid;		/* a column's attnum, or 0 */
} init_key;

typedef struct init_priv
{
	init_key	key;
	Datum		initprivs;		/* aclitem[], copied */
} init_priv;

typedef struct dump_probe_state
{
	probe_state base;
	HTAB	   *members;		/* obj_key of every extension member */
	HTAB	   *init_privs;		/* init_priv of every pg_init_privs row */
	List	   *column_rels;	/* Oids: relations whose columns' privileges are compared */
	List	   *index_rels;		/* Oids: indexes whose columns' statistics targets are read */
} dump_probe_state;

static HTAB *
obj_hash(const char *name, Size keysize, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static bool
is_ext_member(dump_probe_state *st, Oid classid, Oid objid)
{
	obj_key		k = {classid, objid};

	return hash_search(st->members, &k, HASH_FIND, NULL) != NULL;
}

static void
read_members(dump_probe_state *st)
{
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	st->members = obj_hash("dbkeeper dump probe members", sizeof(obj_key), sizeof(obj_key));
	ScanKeyInit(&key, Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ExtensionRelationId));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, st->base.snap, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		obj_key		k = {d->classid, d->objid};

		if (d->deptype == DEPENDENCY_EXTENSION)
			(void) hash_search(st->members, &k, HASH_ENTER, NULL);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* The query's o.ns ~ '^pg_'; a schema that is not found counts as one (present more often). */
static bool
in_pg_schema(dump_probe_state *st, Oid nsp)
{
	ns_entry   *e = hash_search(st->base.namespaces, &nsp, HASH_FIND, NULL);

	return e == NULL || strncmp(NameStr(e->name), "pg_", 3) == 0;
}

static void
read_init_privs(dump_probe_state *st)
{
	Relation	rel = table_open(InitPrivsRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(&st->base, rel);
	HeapTuple	tup;

	st->init_privs = obj_hash("dbkeeper dump probe initial privileges", sizeof(init_key), sizeof(init_priv));
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_init_privs ip = (Form_pg_init_privs) GETSTRUCT(tup);
		init_key	k = {ip->classoid, ip->objoid, ip->objsubid};
		bool		isnull;
		Datum		acl;
		init_priv  *e;

		acl = heap_getattr(tup, Anum_pg_init_privs_initprivs, RelationGetDescr(rel), &isnull);
		e = hash_search(st->init_privs, &k, HASH_ENTER, NULL);
		e->initprivs = isnull ? (Datum) 0 : PointerGetDatum(DatumGetAclPCopy(acl));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* True when two aclitem[] are the same bytes (then SQL's <> is false). */
static bool
same_acl(Datum a, Datum b)
{
	Acl		   *x = DatumGetAclP(a);
	Acl		   *y = DatumGetAclP(b);

	return VARSIZE(x) == VARSIZE(y) && memcmp(x, y, VARSIZE(x)) == 0;
}

/*
 * Whether kind_member_privileges may list the object (catalog classid,
 * privileges acl, NULL when isnull; objtype its acldefault letter): a member
 * of an extension or a system object (system: the query's own test, given
 * by the caller) whose current privileges are not its initial ones.  It is
 * "cannot" only when both are the same bytes.
 */
static bool
privileges_changed(dump_probe_state *st, Oid classid, Oid objid, bool system, Datum acl, bool isnull,
				   char objtype, Oid owner)
{
	init_key	k = {classid, objid, 0};
	init_priv  *ip;
	Datum		dflt;

	if (!system && !is_ext_member(st, classid, objid))
		return false;
	ip = hash_search(st->init_privs, &k, HASH_FIND, NULL);
	if (isnull && ip == NULL)
		return false;			/* both are acldefault() */
	if (ip != NULL && ip->initprivs == (Datum) 0)
		return true;			/* NULL initprivs: cannot happen; count it */
	if (!isnull && ip != NULL)
		return !same_acl(acl, ip->initprivs);
	dflt = DirectFunctionCall2(acldefault_sql, CharGetDatum(objtype), ObjectIdGetDatum(owner));
	return !same_acl(isnull ? dflt : acl, ip != NULL ? ip->initprivs : dflt);
}

/* True when a row of the catalog has an OID from 16384 on (through its OID index). */
static bool
any_user_oid(dump_probe_state *st, Oid catalog, Oid oid_index, AttrNumber oid_attno)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	bool		found;

	ScanKeyInit(&key, oid_attno, BTGreaterEqualStrategyNumber, F_OIDGE, ObjectIdGetDatum(USER_OID_START));
	scan = systable_beginscan(rel, oid_index, true, st->base.snap, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* pg_class: the kinds read from relations, and their privileges for kind_member_privileges */
static void
dump_probe_relations(dump_probe_state *st, dbk_dump_probe *p)
{
	Relation	rel = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(&st->base, rel);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
		bool		user = in_user_ns(&st->base, c->relnamespace);
		bool		member = is_ext_member(st, RelationRelationId, c->oid);

		if (c->relkind == RELKIND_PARTITIONED_INDEX ||
			(c->relispartition && c->relkind == RELKIND_INDEX))
			p->present[DBK_DUMP_PROBE_INDEX_ATTACHMENTS] = true;
		if ((c->relkind == RELKIND_RELATION || c->relkind == RELKIND_PARTITIONED_TABLE ||
			 c->relkind == RELKIND_VIEW || c->relkind == RELKIND_MATVIEW ||
			 c->relkind == RELKIND_FOREIGN_TABLE) && (member || in_pg_schema(st, c->relnamespace)))
			st->column_rels = lappend_oid(st->column_rels, c->oid);
		if ((c->relkind == RELKIND_INDEX || c->relkind == RELKIND_PARTITIONED_INDEX) && user && !member)
			st->index_rels = lappend_oid(st->index_rels, c->oid);
		if (user)
		{
			if (c->relkind == RELKIND_COMPOSITE_TYPE)
				p->present[DBK_DUMP_PROBE_COMPOSITES] = true;
			else if ((c->relkind == RELKIND_VIEW || c->relkind == RELKIND_MATVIEW) && !member)
				p->present[DBK_DUMP_PROBE_VIEWS] = true;
			else if (c->relkind == RELKIND_SEQUENCE && !member)
				p->present[DBK_DUMP_PROBE_SEQUENCES] = true;
			else if (c->relkind == RELKIND_FOREIGN_TABLE)
				p->present[DBK_DUMP_PROBE_FOREIGN_TABLES] = true;
			if (OidIsValid(c->reltablespace))
				p->present[DBK_DUMP_PROBE_TABLESPACES] = true;
			if (c->relrowsecurity || c->relforcerowsecurity)
				p->present[DBK_DUMP_PROBE_ROW_SECURITY] = true;
		}
		if (!p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES] &&
			(c->relkind == RELKIND_RELATION || c->relkind == RELKIND_PARTITIONED_TABLE ||
			 c->relkind == RELKIND_VIEW || c->relkind == RELKIND_MATVIEW ||
			 c->relkind == RELKIND_FOREIGN_TABLE || c->relkind == RELKIND_SEQUENCE))
		{
			bool		isnull;
			Datum		acl = heap_getattr(tup, Anum_pg_class_relacl, RelationGetDescr(rel), &isnull);

			p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES] =
				privileges_changed(st, RelationRelationId, c->oid, in_pg_schema(st, c->relnamespace), acl, isnull,
								   c->relkind == RELKIND_SEQUENCE ? 's' : 'r', c->relowner);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

static void
dump_probe_routines(dump_probe_state *st, dbk_dump_probe *p)
{
	Relation	rel = table_open(ProcedureRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(&st->base, rel);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_proc f = (Form_pg_proc) GETSTRUCT(tup);

		if (in_user_ns(&st->base, f->pronamespace))
		{
			if (f->prokind == PROKIND_AGGREGATE)
				p->present[DBK_DUMP_PROBE_AGGREGATES] = true;
			else if (!is_ext_member(st, ProcedureRelationId, f->oid))
				p->present[DBK_DUMP_PROBE_FUNCTIONS] = true;
		}
		if (!p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES])
		{
			bool		isnull;
			Datum		acl = heap_getattr(tup, Anum_pg_proc_proacl, RelationGetDescr(rel), &isnull);

			p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES] =
				privileges_changed(st, ProcedureRelationId, f->oid, in_pg_schema(st, f->pronamespace), acl, isnull,
								   'f', f->proowner);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* pg_type: enum, domain, range, base and shell types (see probe_types for the array types) */
static void
dump_probe_types(dump_probe_state *st, dbk_dump_probe *p)
{
	HASHCTL		ctl;
	HTAB	   *arrays;
	List	   *bases = NIL;
	ListCell   *lc;
	Relation	rel = table_open(TypeRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(&st->base, rel);
	HeapTuple	tup;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	arrays = hash_create("dbkeeper dump probe array types", 1024, &ctl,
						 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tup);
		bool		isnull;
		Datum		acl;

		if (OidIsValid(t->typarray))
			(void) hash_search(arrays, &t->typarray, HASH_ENTER, NULL);
		if (!p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES])
		{
			acl = heap_getattr(tup, Anum_pg_type_typacl, RelationGetDescr(rel), &isnull);
			/* the query reads only types whose typacl is not NULL */
			if (!isnull)
				p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES] =
					privileges_changed(st, TypeRelationId, t->oid, in_pg_schema(st, t->typnamespace), acl, false,
									   'T', t->typowner);
		}
		if (!in_user_ns(&st->base, t->typnamespace))
			continue;
		switch (t->typtype)
		{
			case TYPTYPE_DOMAIN:
				p->present[DBK_DUMP_PROBE_DOMAINS] = true;
				p->present[DBK_DUMP_PROBE_EDR_TYPES] = true;
				break;
			case TYPTYPE_ENUM:
				p->present[DBK_DUMP_PROBE_EDR_TYPES] = true;
				break;
			case TYPTYPE_RANGE:
				p->present[DBK_DUMP_PROBE_EDR_TYPES] = true;
				p->present[DBK_DUMP_PROBE_EARLY_SHELLS] = true;
				break;
			case TYPTYPE_BASE:
				bases = lappend_oid(bases, t->oid);
				break;
			case TYPTYPE_PSEUDO:
				if (!t->typisdefined)
					p->present[DBK_DUMP_PROBE_SHELL_TYPES] = true;
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

		if (hash_search(arrays, &typid, HASH_FIND, NULL) == NULL)
		{
			p->present[DBK_DUMP_PROBE_BASE_TYPES] = true;
			p->present[DBK_DUMP_PROBE_EARLY_SHELLS] = true;
			break;
		}
	}
}

/* triggers not internal (of a relation not a member), and partitions' clones */
static void
dump_probe_triggers(dump_probe_state *st, dbk_dump_probe *p)
{
	Relation	rel = table_open(TriggerRelationId, AccessShareLock);
	SysScanDesc scan = scan_all(&st->base, rel);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);

		if (!t->tgisinternal && !is_ext_member(st, RelationRelationId, t->tgrelid))
			p->present[DBK_DUMP_PROBE_TRIGGERS] = true;
		if (OidIsValid(t->tgparentid))
			p->present[DBK_DUMP_PROBE_TRIGGER_STATES] = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

static bool
clustered_or_replident(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	Form_pg_index i = (Form_pg_index) GETSTRUCT(tup);

	return i->indisclustered || i->indisreplident;
}

/* A test of one pg_attribute row: could the kind's query list it? */
typedef bool (*column_test) (dump_probe_state *st, Oid relid, HeapTuple tup, TupleDesc desc);

/* True when a column (attnum > 0) of a relation of relids passes the test. */
static bool
any_column(dump_probe_state *st, List *relids, column_test test)
{
	Relation	rel = table_open(AttributeRelationId, AccessShareLock);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&key[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(relid));
		ScanKeyInit(&key[1], Anum_pg_attribute_attnum, BTGreaterStrategyNumber, F_INT2GT,
					Int16GetDatum(0));
		scan = systable_beginscan(rel, AttributeRelidNumIndexId, true, st->base.snap, 2, key);
		while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
			found = test(st, relid, tup, RelationGetDescr(rel));
		systable_endscan(scan);
		if (found)
			break;
	}
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * For kind_member_column_privileges, given the relations of column_rels (of
 * the query's relkinds, members of an extension or in a schema whose name
 * starts with pg_): a column whose privileges (coalesce(attacl, '{}')) may
 * not be its initial ones (coalesce(initprivs, '{}')).  "Cannot" only when
 * both are NULL or both the same bytes.
 */
static bool
column_privileges_changed(dump_probe_state *st, Oid relid, HeapTuple tup, TupleDesc desc)
{
	Form_pg_attribute a = (Form_pg_attribute) GETSTRUCT(tup);
	init_key	k = {RelationRelationId, relid, a->attnum};
	init_priv  *ip;
	bool		isnull;
	Datum		acl;

	if (a->attisdropped)
		return false;
	acl = heap_getattr(tup, Anum_pg_attribute_attacl, desc, &isnull);
	ip = hash_search(st->init_privs, &k, HASH_FIND, NULL);
	if (isnull && ip == NULL)
		return false;
	return isnull || ip == NULL || ip->initprivs == (Datum) 0 || !same_acl(acl, ip->initprivs);
}

/*
 * For kind_index_statistics, given the indexes of index_rels (in schemas of
 * the user's, not members): a column with a statistics target of its own
 * (attstattarget >= 0; read by number, as 17 made it a nullable int2).
 */
static bool
own_statistics_target(dump_probe_state *st, Oid relid, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		target = heap_getattr(tup, Anum_pg_attribute_attstattarget, desc, &isnull);

	return !isnull && DatumGetInt32(target) >= 0;
}

/* pg_subscription is shared: the query lists this database's subscriptions */
static bool
this_database(probe_state *st, HeapTuple tup, TupleDesc desc, AttrNumber nsp_attno)
{
	return ((Form_pg_subscription) GETSTRUCT(tup))->subdbid == MyDatabaseId;
}

/* Schemas outside the user's, languages, wrappers and servers, for kind_member_privileges. */
static bool
other_privileges_changed(dump_probe_state *st)
{
	static const struct
	{
		Oid			catalog;
		AttrNumber	acl_attno;
		char		objtype;
	}			cats[] = {
		{NamespaceRelationId, Anum_pg_namespace_nspacl, 'n'},
		{LanguageRelationId, Anum_pg_language_lanacl, 'l'},
		{ForeignDataWrapperRelationId, Anum_pg_foreign_data_wrapper_fdwacl, 'F'},
		{ForeignServerRelationId, Anum_pg_foreign_server_srvacl, 'S'},
	};
	bool		found = false;

	for (int i = 0; i < lengthof(cats) && !found; i++)
	{
		Relation	rel = table_open(cats[i].catalog, AccessShareLock);
		SysScanDesc scan = scan_all(&st->base, rel);
		HeapTuple	tup;

		while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		acl = heap_getattr(tup, cats[i].acl_attno, RelationGetDescr(rel), &isnull);
			Oid			oid,
						owner;
			bool		system;

			switch (cats[i].objtype)
			{
				case 'n':
					{
						Form_pg_namespace n = (Form_pg_namespace) GETSTRUCT(tup);

						/* only schemas not of the user's, whose name is o.ns */
						if (in_user_ns(&st->base, n->oid))
							continue;
						oid = n->oid;
						owner = n->nspowner;
						system = strncmp(NameStr(n->nspname), "pg_", 3) == 0;
						break;
					}
				case 'l':
					oid = ((Form_pg_language) GETSTRUCT(tup))->oid;
					owner = ((Form_pg_language) GETSTRUCT(tup))->lanowner;
					system = oid < USER_OID_START;
					break;
				case 'F':
					oid = ((Form_pg_foreign_data_wrapper) GETSTRUCT(tup))->oid;
					owner = ((Form_pg_foreign_data_wrapper) GETSTRUCT(tup))->fdwowner;
					system = oid < USER_OID_START;
					break;
				default:
					oid = ((Form_pg_foreign_server) GETSTRUCT(tup))->oid;
					owner = ((Form_pg_foreign_server) GETSTRUCT(tup))->srvowner;
					system = oid < USER_OID_START;
					break;
			}
			found = privileges_changed(st, cats[i].catalog, oid, system, acl, isnull, cats[i].objtype, owner);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	return found;
}

void
dbk_pg_probe_dump(dbk_dump_probe *p)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper dump probe",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	dump_probe_state st = {{NULL, GetActiveSnapshot(), NULL, false}, NULL, NULL, NULL};
	probe_state *b = &st.base;

	memset(p, 0, sizeof(*p));
	p->present[DBK_DUMP_PROBE_NONE] = true;
	read_namespaces(b);
	read_members(&st);
	read_init_privs(&st);
	dump_probe_relations(&st, p);
	dump_probe_routines(&st, p);
	dump_probe_types(&st, p);
	dump_probe_triggers(&st, p);
	if (!p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES])
		p->present[DBK_DUMP_PROBE_MEMBER_PRIVILEGES] = other_privileges_changed(&st);
	p->present[DBK_DUMP_PROBE_MEMBER_COLUMN_PRIVILEGES] = any_column(&st, st.column_rels, column_privileges_changed);
	p->present[DBK_DUMP_PROBE_INDEX_STATISTICS] = any_column(&st, st.index_rels, own_statistics_target);
	p->present[DBK_DUMP_PROBE_RULES] = first_match(b, RewriteRelationId, user_rule, 0);
	p->present[DBK_DUMP_PROBE_INDEX_USES] = first_match(b, IndexRelationId, clustered_or_replident, 0);
	p->present[DBK_DUMP_PROBE_CASTS] = any_user_oid(&st, CastRelationId, CastOidIndexId, Anum_pg_cast_oid);
	p->present[DBK_DUMP_PROBE_LANGUAGES] = any_user_oid(&st, LanguageRelationId, LanguageOidIndexId,
														Anum_pg_language_oid);
	p->present[DBK_DUMP_PROBE_TRANSFORMS] = any_user_oid(&st, TransformRelationId, TransformOidIndexId,
														 Anum_pg_transform_oid);
	p->present[DBK_DUMP_PROBE_ACCESS_METHODS] = any_user_oid(&st, AccessMethodRelationId, AmOidIndexId,
															 Anum_pg_am_oid);
	p->present[DBK_DUMP_PROBE_LOOSE_MEMBERS] =
		any_user_oid(&st, AccessMethodOperatorRelationId, AccessMethodOperatorOidIndexId, Anum_pg_amop_oid) ||
		any_user_oid(&st, AccessMethodProcedureRelationId, AccessMethodProcedureOidIndexId, Anum_pg_amproc_oid);
	p->present[DBK_DUMP_PROBE_FDWS] = any_row(b, ForeignDataWrapperRelationId, 0);
	p->present[DBK_DUMP_PROBE_SERVERS] = any_row(b, ForeignServerRelationId, 0);
	p->present[DBK_DUMP_PROBE_LARGE_OBJECTS] = any_row(b, LargeObjectMetadataRelationId, 0);
	p->present[DBK_DUMP_PROBE_POLICIES] = any_row(b, PolicyRelationId, 0);
	p->present[DBK_DUMP_PROBE_EVENT_TRIGGERS] = any_row(b, EventTriggerRelationId, 0);
	p->present[DBK_DUMP_PROBE_PUBLICATIONS] = any_row(b, PublicationRelationId, 0);
	p->present[DBK_DUMP_PROBE_DEFAULT_PRIVILEGES] = any_row(b, DefaultAclRelationId, 0);
	p->present[DBK_DUMP_PROBE_SECURITY_LABELS] = any_row(b, SecLabelRelationId, 0);
	p->present[DBK_DUMP_PROBE_SUBSCRIPTIONS] = first_match(b, SubscriptionRelationId, this_database, 0);
	p->present[DBK_DUMP_PROBE_OPERATORS] = any_row(b, OperatorRelationId, Anum_pg_operator_oprnamespace);
	p->present[DBK_DUMP_PROBE_OPCLASSES] = any_row(b, OperatorClassRelationId, Anum_pg_opclass_opcnamespace);
	p->present[DBK_DUMP_PROBE_OPFAMILIES] = any_row(b, OperatorFamilyRelationId, Anum_pg_opfamily_opfnamespace);
	p->present[DBK_DUMP_PROBE_CONVERSIONS] = any_row(b, ConversionRelationId, Anum_pg_conversion_connamespace);
	p->present[DBK_DUMP_PROBE_TS_CONFIGS] = any_row(b, TSConfigRelationId, Anum_pg_ts_config_cfgnamespace);
	p->present[DBK_DUMP_PROBE_TS_DICTS] = any_row(b, TSDictionaryRelationId, Anum_pg_ts_dict_dictnamespace);
	p->present[DBK_DUMP_PROBE_TS_PARSERS] = any_row(b, TSParserRelationId, Anum_pg_ts_parser_prsnamespace);
	p->present[DBK_DUMP_PROBE_TS_TEMPLATES] = any_row(b, TSTemplateRelationId, Anum_pg_ts_template_tmplnamespace);
	p->present[DBK_DUMP_PROBE_STATISTICS] = any_row(b, StatisticExtRelationId, Anum_pg_statistic_ext_stxnamespace);
	p->present[DBK_DUMP_PROBE_COLLATIONS] = any_row(b, CollationRelationId, Anum_pg_collation_collnamespace);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
