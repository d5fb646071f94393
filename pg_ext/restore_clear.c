/*
 * restore_clear.c — the two steps of dbkeeper_restore() that come before the
 * replay: locking what the restore will replace, and emptying the database.
 *
 * What "the database" means here is what a backup holds (dump_schema.c):
 * every object that is neither a system object nor a member of an
 * extension.  Extensions stay installed with all their members (dbkeeper
 * too) and with the indexes, constraints, triggers, rules and policies on
 * their members' tables, which a backup never holds; the rows of their
 * configuration tables, which a backup carries, are emptied so that the
 * replay can load them again.
 *
 * Dropping is done with performMultipleDeletions(CASCADE) on the list of
 * objects, so the dependency machinery decides the order.  Schemas that
 * cannot go because an extension or an extension member lives in them, and
 * public, stay, and their own non-member contents are dropped one by one;
 * the replay then skips their CREATE SCHEMA (restore_replay.c).
 * Because performMultipleDeletions checks no ownership, this file does:
 * a caller who is not a superuser must have the privileges of the owner of
 * every object dropped, as DROP would require.
 *
 * Subscriptions are not reached by performMultipleDeletions: each is
 * dropped with DROP SUBSCRIPTION.  That can run inside the restore's
 * transaction only for a subscription without a replication slot
 * (slot_name = NONE), since dropping a slot on the publisher cannot be
 * rolled back; a subscription with a slot is refused up front, naming it,
 * as is an extension member that depends on an object to be dropped
 * (CASCADE would take the member, or its whole extension, with it).
 *
 * Everything here runs in the caller's transaction: an error anywhere later
 * rolls it all back.  Runs inside the restore's SPI connection.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_transform.h"
#include "commands/comment.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "restore_clear.h"
#include "catalog_sql.h"
#include "lock_wait.h"

/* catalog_sql.h, under the short names this file uses */
#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

/* Not an internal part of another object (array types, constraint indexes...). */
#define NOT_INTERNAL(cat, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = '" cat "'::regclass" \
	" AND i.objid = " oid " AND i.objsubid = 0 AND i.deptype = 'i')"

/* An object created after initdb, by a user or an extension. */
#define NOT_SYSTEM(oid) "(" oid " >= 16384)"

/*
 * Schemas that stay: those an extension is installed in or an extension
 * member lives in, those that are members themselves, and public, which
 * every new database has: a backup, like pg_dump's script, never creates it
 * and only sets its owner, comment and privileges.
 */
#define KEPT_NS_CTE \
	"kept_ns AS (" \
	"  SELECT x.extnamespace AS oid FROM pg_extension x" \
	"  UNION SELECT n.oid FROM pg_namespace n WHERE n.nspname = 'public'" \
	"  UNION SELECT n.oid FROM pg_depend m" \
	"   CROSS JOIN LATERAL pg_identify_object(m.classid, m.objid, 0) i" \
	"   JOIN pg_namespace n ON n.nspname = i.schema WHERE m.deptype = 'e'" \
	"  UNION SELECT m.objid FROM pg_depend m" \
	"   WHERE m.deptype = 'e' AND m.classid = 'pg_namespace'::regclass)," \
	" user_ns AS (SELECT n.oid, n.oid IN (SELECT oid FROM kept_ns) AS kept" \
	"  FROM pg_namespace n WHERE " USER_NS("n") ")"

/* One kind of schema object: in a kept user schema, not a member, not internal. */
#define IN_KEPT_NS(cat, alias, nsp, owner) \
	" UNION ALL SELECT '" cat "'::regclass::oid, " alias ".oid, " owner \
	" FROM " cat " " alias " JOIN user_ns u ON u.oid = " alias "." nsp " AND u.kept" \
	" WHERE " NOT_SYSTEM(alias ".oid") " AND " NOT_MEMBER(cat, alias ".oid") \
	" AND " NOT_INTERNAL(cat, alias ".oid")

/* One kind of object outside schemas. */
#define GLOBAL(cat, alias, owner, extra) \
	" UNION ALL SELECT '" cat "'::regclass::oid, " alias ".oid, " owner \
	" FROM " cat " " alias " WHERE " NOT_MEMBER(cat, alias ".oid") extra

/*
 * Not an index of an extension member's table.  Indexes, constraints,
 * triggers, rules and policies are never members themselves, even when the
 * extension's script created them; a backup holds none of those on a member
 * table (dump_schema.c, as pg_dump), so the restore leaves them all alone.
 */
#define NOT_ON_MEMBER_TABLE(alias) \
	" AND (" alias ".relkind NOT IN ('i', 'I') OR NOT EXISTS (SELECT 1 FROM pg_index x" \
	" WHERE x.indexrelid = " alias ".oid AND " DBK_MEMBER("pg_class", "x.indrelid") "))"

/*
 * Every object to drop: classid, objid, and the owner whose privileges the
 * caller needs (NULL: only a superuser may drop it).
 */
static const char *const targets_cte =
"WITH " KEPT_NS_CTE ","
" targets(classid, objid, owner) AS ("
"  SELECT 'pg_namespace'::regclass::oid, n.oid, n.nspowner FROM pg_namespace n"
"   JOIN user_ns u ON u.oid = n.oid AND NOT u.kept"
IN_KEPT_NS("pg_class", "c", "relnamespace", "c.relowner") " AND c.relkind IN ('r','p','v','m','f','S','c','i','I')"
NOT_ON_MEMBER_TABLE("c")
IN_KEPT_NS("pg_proc", "p", "pronamespace", "p.proowner")
IN_KEPT_NS("pg_type", "t", "typnamespace", "t.typowner")
IN_KEPT_NS("pg_operator", "o", "oprnamespace", "o.oprowner")
IN_KEPT_NS("pg_opclass", "o", "opcnamespace", "o.opcowner")
IN_KEPT_NS("pg_opfamily", "o", "opfnamespace", "o.opfowner")
IN_KEPT_NS("pg_collation", "o", "collnamespace", "o.collowner")
IN_KEPT_NS("pg_conversion", "o", "connamespace", "o.conowner")
IN_KEPT_NS("pg_ts_dict", "o", "dictnamespace", "o.dictowner")
IN_KEPT_NS("pg_ts_config", "o", "cfgnamespace", "o.cfgowner")
IN_KEPT_NS("pg_ts_parser", "o", "prsnamespace", "NULL::oid")
IN_KEPT_NS("pg_ts_template", "o", "tmplnamespace", "NULL::oid")
IN_KEPT_NS("pg_statistic_ext", "o", "stxnamespace", "o.stxowner")
GLOBAL("pg_cast", "o", "NULL::oid", " AND " NOT_SYSTEM("o.oid"))
GLOBAL("pg_transform", "o", "NULL::oid", " AND " NOT_SYSTEM("o.oid"))
GLOBAL("pg_language", "o", "o.lanowner", " AND " NOT_SYSTEM("o.oid"))
GLOBAL("pg_am", "o", "NULL::oid", " AND " NOT_SYSTEM("o.oid"))
GLOBAL("pg_foreign_data_wrapper", "o", "o.fdwowner", "")
GLOBAL("pg_foreign_server", "o", "o.srvowner", "")
GLOBAL("pg_event_trigger", "o", "o.evtowner", "")
GLOBAL("pg_publication", "o", "o.pubowner", "")
GLOBAL("pg_default_acl", "o", "o.defaclrole", "")
/* a large object's address names pg_largeobject, not its metadata catalog */
" UNION ALL SELECT 'pg_largeobject'::regclass::oid, o.oid, o.lomowner FROM pg_largeobject_metadata o"
")";

static void
run(const char *sql, bool read_only)
{
	int			rc = SPI_execute(sql, read_only, 0);

	if (rc < 0)
		elog(ERROR, "dbkeeper_restore: SPI_execute failed (%d) on: %s", rc, sql);
}

static Oid
column_oid(uint64 row, int col, bool *isnull)
{
	return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull));
}

static char *
column_text(uint64 row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* ------------------------------------------------------------ locks */

void
dbk_restore_lock(void)
{
	List	   *oids = NIL;

	run("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE (c.relkind IN ('r', 'p', 'm', 'v', 'S', 'f') AND " USER_NS("n")
		"        AND " NOT_MEMBER("pg_class", "c.oid") ")"
		"    OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension)"
		" ORDER BY c.oid", true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		oids = lappend_oid(oids, column_oid(i, 1, &isnull));
	}
	dbk_lock_relations(oids, AccessExclusiveLock, "dbkeeper_restore()",
					   "Nothing was changed, and no safety backup was taken.");
	list_free(oids);
}

/* ------------------------------------------------------------ refusals */

/* One object to drop (a row of targets_cte). */
typedef struct target
{
	ObjectAddress addr;
	bool		owner_null;
	Oid			owner;
} target;

/*
 * The objects to drop, read once: the refusals and the drop below all work
 * on this list.  (Each of them ran targets_cte again: three plans and runs
 * of its 25 branches, 55-70 ms of a restore in a new session.)  Nothing
 * between this reading and the drop changes what the query would return:
 * detach_members_from_transforms removes normal dependencies only, and
 * subscriptions are not targets.
 */
static List *
read_targets(void)
{
	char	   *sql = psprintf("%s SELECT classid, objid, owner FROM targets", targets_cte);
	List	   *targets = NIL;

	run(sql, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		target	   *t = palloc(sizeof(target));
		bool		isnull;

		t->addr.classId = column_oid(i, 1, &isnull);
		t->addr.objectId = column_oid(i, 2, &isnull);
		t->addr.objectSubId = 0;
		t->owner = column_oid(i, 3, &t->owner_null);
		targets = lappend(targets, t);
	}
	pfree(sql);
	return targets;
}

/* An array literal of the targets' classids (column 0) or objids (1), for the queries below. */
static char *
targets_array(List *targets, int column)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "'{");
	foreach(lc, targets)
	{
		const target *t = lfirst(lc);

		appendStringInfo(&buf, "%s%u", first ? "" : ",",
						 column == 0 ? t->addr.classId : t->addr.objectId);
		first = false;
	}
	appendStringInfoString(&buf, "}'::oid[]");
	return buf.data;
}

static void
refuse_subscriptions(void)
{
	run("SELECT s.subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid"
		" WHERE d.datname = current_database() AND s.subslotname IS NOT NULL ORDER BY 1 LIMIT 1", true);
	if (SPI_processed > 0)
	{
		const char *name = quote_identifier(column_text(0, 1));

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot restore: subscription %s has a replication slot", name),
				 errdetail("Dropping a subscription's replication slot cannot run inside the restore's transaction."),
				 errhint("Detach the slot (ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (slot_name = NONE);)"
						 " or drop the subscription, then call dbkeeper_restore() again.", name, name)));
	}
}

/*
 * CREATE FUNCTION records a dependency of every function on the transforms
 * of its argument and result types in its language, whether or not it uses
 * them.  An extension installed after a database's own transform (CREATE
 * TRANSFORM FOR integer LANGUAGE sql, as PostgreSQL's regression database
 * has) would thus go with that transform when the restore drops it, and the
 * restore would be refused.  A pg_dump restore, where CREATE EXTENSION comes
 * first, makes no such dependency: the same is done here, by forgetting the
 * extension members' dependencies on the transforms about to be dropped.
 */
static void
detach_members_from_transforms(List *targets)
{
	List	   *transforms = NIL;
	List	   *rows = NIL;
	ListCell   *lc;
	char	   *sql;

	foreach(lc, targets)
		if (((target *) lfirst(lc))->addr.classId == TransformRelationId)
			transforms = lappend(transforms, lfirst(lc));
	if (transforms == NIL)
		return;
	sql = psprintf("SELECT d.classid, d.objid, d.refobjid FROM pg_depend d"
				   " WHERE d.deptype = 'n' AND d.refclassid = 'pg_transform'::regclass"
				   " AND EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'"
				   "             AND m.classid = d.classid AND m.objid = d.objid)"
				   " AND d.refobjid = ANY (%s)", targets_array(transforms, 1));
	run(sql, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid		   *row = palloc(3 * sizeof(Oid));

		for (int c = 0; c < 3; c++)
			row[c] = column_oid(i, c + 1, &isnull);
		rows = lappend(rows, row);
	}
	foreach(lc, rows)
	{
		Oid		   *row = lfirst(lc);

		deleteDependencyRecordsForSpecific(row[0], row[1], DEPENDENCY_NORMAL,
										   TransformRelationId, row[2]);
	}
	if (rows != NIL)
		CommandCounterIncrement();
	list_free_deep(rows);
	list_free(transforms);
	pfree(sql);
}

/*
 * An extension member that the cascade from the objects to drop would
 * reach would be dropped with them, and with it its whole extension.  The
 * cascade follows every normal, automatic, internal and partition
 * dependency, so a member is reached when a chain of those leads from it to
 * a target: directly (a function on a type in public), through an object
 * that goes with a target (a function returning a table's row type, which
 * is internal to the table), or through the schema of an object (a
 * function on a type in a schema the restore drops).  The chains are walked
 * up from the members, which have few.
 */
static void
refuse_member_dependents(List *targets)
{
	char	   *sql = psprintf("WITH RECURSIVE target_set(classid, objid) AS (SELECT * FROM unnest(%s, %s)),"
							   " up(classid, objid, member_classid, member_objid) AS ("
							   "  SELECT d.refclassid, d.refobjid, d.classid, d.objid FROM pg_depend d"
							   "   WHERE d.deptype IN ('n', 'a', 'i', 'P', 'S')"
							   "   AND EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'"
							   "               AND m.classid = d.classid AND m.objid = d.objid)"
							   "  UNION"
							   "  SELECT d.refclassid, d.refobjid, u.member_classid, u.member_objid"
							   "   FROM up u JOIN pg_depend d ON d.classid = u.classid AND d.objid = u.objid"
							   "   AND d.deptype IN ('n', 'a', 'i', 'P', 'S'))"
							   " SELECT pg_describe_object(u.member_classid, u.member_objid, 0),"
							   " pg_describe_object(u.classid, u.objid, 0)"
							   " FROM up u JOIN target_set t ON t.classid = u.classid AND t.objid = u.objid"
							   " ORDER BY 1, 2 LIMIT 1",
							   targets_array(targets, 0), targets_array(targets, 1));

	/* not read-only: it must see the dependencies detach_members_from_transforms() removed */
	run(sql, false);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot restore: %s, a member of an extension, depends on %s",
						column_text(0, 1), column_text(0, 2)),
				 errdetail("Emptying the database would drop the extension member with it.")));
	pfree(sql);
}

/* ------------------------------------------------------------ clearing */

static void
check_owner(Oid classid, Oid objid, bool owner_null, Oid owner)
{
	ObjectAddress addr;

	if (superuser())
		return;
	addr.classId = classid;
	addr.objectId = objid;
	addr.objectSubId = 0;
	if (owner_null)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to drop %s", getObjectDescription(&addr, false)),
				 errdetail("dbkeeper_restore() drops every object of the database first; "
						   "only a superuser may drop this one.")));
	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to drop %s", getObjectDescription(&addr, false)),
				 errdetail("dbkeeper_restore() drops every object of the database first; "
						   "that needs the privileges of its owner, %s.",
						   GetUserNameFromId(owner, false))));
}

static void
drop_targets(List *targets)
{
	ObjectAddresses *objects = new_object_addresses();
	ListCell   *lc;

	foreach(lc, targets)
	{
		const target *t = lfirst(lc);

		check_owner(t->addr.classId, t->addr.objectId, t->owner_null, t->owner);
		add_exact_object_address(&t->addr, objects);
	}
	performMultipleDeletions(objects, DROP_CASCADE, PERFORM_DELETION_QUIETLY);
	free_object_addresses(objects);
	CommandCounterIncrement();
}

static void
drop_subscriptions(void)
{
	List	   *names = NIL;
	ListCell   *lc;

	run("SELECT s.subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid"
		" WHERE d.datname = current_database() ORDER BY 1", true);
	for (uint64 i = 0; i < SPI_processed; i++)
		names = lappend(names, pstrdup(column_text(i, 1)));
	foreach(lc, names)
		run(psprintf("DROP SUBSCRIPTION %s", quote_identifier(lfirst(lc))), false);
	list_free_deep(names);
}

/* The rows of unfiltered extension configuration tables, which every backup holds. */
static void
truncate_config_tables(void)
{
	StringInfoData sql;

	run("SELECT c.oid::regclass::text FROM pg_extension x"
		" CROSS JOIN LATERAL unnest(x.extconfig, x.extcondition) u(c, cond)"
		" JOIN pg_class c ON c.oid = u.c"
		" WHERE c.relkind IN ('r', 'p') AND coalesce(u.cond, '') = '' ORDER BY 1", true);
	if (SPI_processed == 0)
		return;
	initStringInfo(&sql);
	appendStringInfoString(&sql, "TRUNCATE ONLY ");
	for (uint64 i = 0; i < SPI_processed; i++)
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", column_text(i, 1));
	run(sql.data, false);
	pfree(sql.data);
}

/*
 * Of a configuration table whose rows pg_extension_config_dump() filters,
 * the backup holds the rows the condition picks; only those go, and the
 * extension's own rows stay.
 */
static void
delete_filtered_config_rows(void)
{
	List	   *deletes = NIL;
	ListCell   *lc;

	run("SELECT format('DELETE FROM ONLY %s %s', c.oid::regclass, u.cond) FROM pg_extension x"
		" CROSS JOIN LATERAL unnest(x.extconfig, x.extcondition) u(c, cond)"
		" JOIN pg_class c ON c.oid = u.c"
		" WHERE c.relkind IN ('r', 'p') AND coalesce(u.cond, '') <> '' ORDER BY 1", true);
	for (uint64 i = 0; i < SPI_processed; i++)
		deletes = lappend(deletes, pstrdup(column_text(i, 1)));
	foreach(lc, deletes)
		run(lfirst(lc), false);
	list_free_deep(deletes);
}

/* Kept schemas (public): their comment goes, the backup says it again. */
static void
reset_kept_schemas(List **kept)
{
	run("WITH " KEPT_NS_CTE " SELECT n.oid, n.nspname, n.nspowner"
		" FROM pg_namespace n JOIN user_ns u ON u.oid = n.oid AND u.kept"
		" ORDER BY n.nspname", true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			nsp = column_oid(i, 1, &isnull);

		*kept = lappend(*kept, pstrdup(column_text(i, 2)));
		if (superuser() || has_privs_of_role(GetUserId(), column_oid(i, 3, &isnull)))
			DeleteComments(nsp, NamespaceRelationId, 0);
	}
	CommandCounterIncrement();
}

void
dbk_restore_clear(List **kept_schemas)
{
	List	   *targets;

	refuse_subscriptions();
	targets = read_targets();
	detach_members_from_transforms(targets);
	refuse_member_dependents(targets);
	drop_subscriptions();
	drop_targets(targets);
	list_free_deep(targets);
	truncate_config_tables();
	delete_filtered_config_rows();
	reset_kept_schemas(kept_schemas);
}
