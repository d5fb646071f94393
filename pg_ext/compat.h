/*
 * compat.h — the server API differences between the PostgreSQL major
 * versions dbkeeper builds on (15, 16, 17, 18), in one place.  Each shim is
 * named for what it does; the older branch keeps the call the code made
 * before.  Include after postgres.h.
 *
 * PostgreSQL 15 and 17, 18 are tested (tests/pg/chroot.sh); 16 is built by
 * these guards only.  The changes, by the release that made them:
 *
 *   16  stringToQualifiedNameList takes a soft-error context (NULL: raise);
 *       RelFileNode became RelFileLocator (rd_node → rd_locator, relNode →
 *       relNumber) and rd_firstRelfilenodeSubid → rd_firstRelfilelocatorSubid;
 *       a range table entry's permissions moved into RTEPermissionInfo, and
 *       ExecCheckRTPerms became ExecCheckPermissions; ICU collations got
 *       rules (pg_collation.collicurules); pg_subscription.substream became
 *       a "char" and subscriptions got password_required, run_as_owner
 *       and origin.
 *   17  pg_collation.colliculocale became colllocale, and the builtin
 *       provider came; subscriptions got failover; a domain's NOT NULL
 *       became a named constraint in pg_constraint (contype 'n');
 *   18  pg_attribute_noreturn() (after a declaration) gave way to pg_noreturn
 *       (before it); a column's NOT NULL became a constraint of its own in
 *       pg_constraint (contype 'n': a name, NO INHERIT, NOT VALID); virtual
 *       generated columns (attgenerated 'v').
 */
#ifndef DBK_PG_COMPAT_H
#define DBK_PG_COMPAT_H

#include "catalog/namespace.h"
#include "catalog_sql.h"
#include "executor/executor.h"
#include "parser/parse_node.h"
#include "utils/rel.h"

/* A function that does not return: DBK_NORETURN void f(...) DBK_NORETURN_END; */
#if PG_VERSION_NUM >= 180000
#define DBK_NORETURN pg_noreturn
#define DBK_NORETURN_END
#else
#define DBK_NORETURN
#define DBK_NORETURN_END pg_attribute_noreturn()
#endif

#if PG_VERSION_NUM >= 160000
#define dbk_qualified_name_list(s) stringToQualifiedNameList((s), NULL)
#define DBK_REL_FILENUMBER(rel) ((rel)->rd_locator.relNumber)
#define DBK_REL_FIRST_FILE_SUBID(rel) ((rel)->rd_firstRelfilelocatorSubid)
#else
#define dbk_qualified_name_list(s) stringToQualifiedNameList(s)
#define DBK_REL_FILENUMBER(rel) ((rel)->rd_node.relNode)
#define DBK_REL_FIRST_FILE_SUBID(rel) ((rel)->rd_firstRelfilenodeSubid)
#endif

/*
 * Catalog reads whose columns differ, as SQL text for a psprintf format
 * (hence %%).  DBK_SQL_COLLATION_PROVIDER(x): the provider and locale
 * options of CREATE COLLATION for pg_collation row x.
 */
#if PG_VERSION_NUM >= 170000
#define DBK_SQL_COLLATION_PROVIDER(x) \
	"CASE " x ".collprovider" \
	" WHEN 'i' THEN format('provider = icu, locale = %%L', " x ".colllocale)" \
	"   || CASE WHEN " x ".collicurules IS NULL THEN '' ELSE format(', rules = %%L', " x ".collicurules) END" \
	" WHEN 'b' THEN format('provider = builtin, locale = %%L', " x ".colllocale)" \
	" ELSE format('provider = libc, lc_collate = %%L, lc_ctype = %%L', " x ".collcollate, " x ".collctype) END"
#elif PG_VERSION_NUM >= 160000
#define DBK_SQL_COLLATION_PROVIDER(x) \
	"CASE " x ".collprovider" \
	" WHEN 'i' THEN format('provider = icu, locale = %%L', " x ".colliculocale)" \
	"   || CASE WHEN " x ".collicurules IS NULL THEN '' ELSE format(', rules = %%L', " x ".collicurules) END" \
	" ELSE format('provider = libc, lc_collate = %%L, lc_ctype = %%L', " x ".collcollate, " x ".collctype) END"
#else
#define DBK_SQL_COLLATION_PROVIDER(x) \
	"CASE " x ".collprovider" \
	" WHEN 'i' THEN format('provider = icu, locale = %%L', " x ".colliculocale)" \
	" ELSE format('provider = libc, lc_collate = %%L, lc_ctype = %%L', " x ".collcollate, " x ".collctype) END"
#endif

/*
 * DBK_SQL_SUBSCRIPTION_OPTIONS(s): the options of CREATE SUBSCRIPTION after
 * slot_name, each with its leading comma, for pg_subscription row s: those
 * pg_dump of the same version writes, and streaming always, since 18 changed
 * its default from off to parallel (a backup of 15 restored on 18 keeps
 * off).  16 made substream a "char" ('p': parallel) and added
 * password_required, run_as_owner and origin; 17 added failover.
 */
#define DBK_SQL_SUBSCRIPTION_COMMON(s) \
	"CASE WHEN " s ".subbinary THEN ', binary = true' ELSE '' END" \
	" || CASE WHEN " s ".subtwophasestate <> 'd' THEN ', two_phase = on' ELSE '' END" \
	" || CASE WHEN " s ".subdisableonerr THEN ', disable_on_error = true' ELSE '' END" \
	" || CASE WHEN " s ".subsynccommit <> 'off' THEN ', synchronous_commit = ' || quote_literal(" s ".subsynccommit) ELSE '' END"
#if PG_VERSION_NUM >= 160000
#define DBK_SQL_SUBSCRIPTION_16(s) \
	" || CASE " s ".substream WHEN 't' THEN ', streaming = on' WHEN 'p' THEN ', streaming = parallel'" \
	"    ELSE ', streaming = off' END" \
	" || CASE WHEN NOT " s ".subpasswordrequired THEN ', password_required = false' ELSE '' END" \
	" || CASE WHEN " s ".subrunasowner THEN ', run_as_owner = true' ELSE '' END" \
	" || CASE WHEN " s ".suborigin <> 'any' THEN ', origin = ' || quote_literal(" s ".suborigin) ELSE '' END"
#else
#define DBK_SQL_SUBSCRIPTION_16(s) \
	" || CASE WHEN " s ".substream THEN ', streaming = on' ELSE ', streaming = off' END"
#endif
#if PG_VERSION_NUM >= 170000
#define DBK_SQL_SUBSCRIPTION_OPTIONS(s) \
	"(" DBK_SQL_SUBSCRIPTION_COMMON(s) DBK_SQL_SUBSCRIPTION_16(s) \
	" || CASE WHEN " s ".subfailover THEN ', failover = true' ELSE '' END)"
#else
#define DBK_SQL_SUBSCRIPTION_OPTIONS(s) \
	"(" DBK_SQL_SUBSCRIPTION_COMMON(s) DBK_SQL_SUBSCRIPTION_16(s) ")"
#endif

/*
 * A column's NOT NULL in a table's statements, for table rel (its pg_class
 * row), column att (its pg_attribute row) and q (rel's qualified name).
 * From 18 on a NOT NULL is a constraint of its own (contype 'n'), with a
 * name, possibly NO INHERIT or NOT VALID; it is written as pg_dump 18 writes
 * it: a valid one in the table's own statement, with its name and NO
 * INHERIT (naming it always gives the catalog pg_dump's default-name
 * shorthand gives), unless the table inherits it from a parent that passes
 * it on, where CREATE TABLE ... INHERITS makes it; a NOT VALID one is added
 * after the data by the constraints of post-data (dump_schema.c), as a NOT
 * VALID CHECK is.  Before 18 a NOT NULL is attnotnull only.
 *
 * DBK_SQL_PARENT_NOT_NULL(rel, att): true when a parent of rel gives att
 * its NOT NULL at CREATE TABLE ... INHERITS.
 * DBK_SQL_COLUMN_NOT_NULL(rel, att): the NOT NULL clause of att in the
 * column list of CREATE TABLE (a local column, or any of a partition's).
 * DBK_SQL_CHILD_NOT_NULL(rel, att, q): the statement that gives att, a
 * column rel inherits, a NOT NULL of rel's own, after CREATE TABLE.
 * DBK_SQL_TABLE_NOT_NULLS(rel): NULL, or the table constraints of the
 * CREATE TABLE of rel, an inheritance child, for its inherited columns'
 * NOT NULLs of its own (18: conislocal).  pg_dump 18 writes them there: on
 * 18 CREATE TABLE ... INHERITS already gives such a column the parent's
 * NOT NULL, to which a later ADD CONSTRAINT of another name cannot be added
 * ("cannot create not-null constraint"), while a constraint in the
 * statement merges with the parent's and keeps its own name.
 *
 * Before 18 a local column's NOT NULL is left out where a parent has one,
 * as pg_dump before 18 leaves it out (but for a partition): CREATE TABLE
 * ... INHERITS gives it anyway, and a newer server restoring the backup
 * then records it as inherited only, as it does for pg_dump's script.
 *
 * DBK_SQL_VERSION_REFUSALS: rows for dump_schema.c's refusal query naming
 * what a backup of this version cannot reproduce (nothing at present).
 */
#if PG_VERSION_NUM >= 180000
#define DBK_SQL_PARENT_NOT_NULL(rel, att) \
	"EXISTS (SELECT FROM pg_inherits pi JOIN pg_attribute pa ON pa.attrelid = pi.inhparent" \
	" AND pa.attname = " att ".attname JOIN pg_constraint pn ON pn.conrelid = pa.attrelid" \
	" AND pn.contype = 'n' AND pn.conkey[1] = pa.attnum" \
	" WHERE pi.inhrelid = " rel ".oid AND pn.convalidated AND NOT pn.connoinherit)"
#define DBK_SQL_COLUMN_NOT_NULL(rel, att) \
	"coalesce((SELECT ' CONSTRAINT ' || quote_ident(nn.conname) || ' NOT NULL'" \
	" || CASE WHEN nn.connoinherit THEN ' NO INHERIT' ELSE '' END" \
	" FROM pg_constraint nn WHERE nn.conrelid = " rel ".oid AND nn.contype = 'n'" \
	" AND nn.conkey[1] = " att ".attnum AND nn.convalidated" \
	" AND (nn.conislocal OR " rel ".relispartition OR NOT " DBK_SQL_PARENT_NOT_NULL(rel, att) ")), '')"
#define DBK_SQL_CHILD_NOT_NULL(rel, att, q) \
	"coalesce((SELECT format(E'\\nALTER TABLE ONLY %%s ADD CONSTRAINT %%I NOT NULL %%I%%s;', " q "," \
	" nn.conname, " att ".attname, CASE WHEN nn.connoinherit THEN ' NO INHERIT' ELSE '' END)" \
	" FROM pg_constraint nn WHERE nn.conrelid = " rel ".oid AND nn.contype = 'n'" \
	" AND nn.conkey[1] = " att ".attnum AND nn.convalidated" \
	" AND NOT nn.conislocal AND NOT " DBK_SQL_PARENT_NOT_NULL(rel, att) "), '')"
#define DBK_SQL_TABLE_NOT_NULLS(rel) \
	"(SELECT string_agg(format(E'\\n    CONSTRAINT %%I NOT NULL %%I%%s', nn.conname, na.attname," \
	" CASE WHEN nn.connoinherit THEN ' NO INHERIT' ELSE '' END), ',' ORDER BY na.attnum)" \
	" FROM pg_attribute na JOIN pg_constraint nn ON nn.conrelid = na.attrelid AND nn.contype = 'n'" \
	" AND nn.conkey[1] = na.attnum WHERE na.attrelid = " rel ".oid AND na.attnum > 0 AND NOT na.attisdropped" \
	" AND NOT na.attislocal AND NOT " rel ".relispartition AND nn.convalidated AND nn.conislocal)"
#else
#define DBK_SQL_PARENT_NOT_NULL(rel, att) \
	"EXISTS (SELECT FROM pg_inherits pi JOIN pg_attribute pa ON pa.attrelid = pi.inhparent" \
	" AND pa.attname = " att ".attname WHERE pi.inhrelid = " rel ".oid AND pa.attnotnull)"
#define DBK_SQL_COLUMN_NOT_NULL(rel, att) \
	"CASE WHEN " att ".attnotnull AND (" rel ".relispartition OR NOT " DBK_SQL_PARENT_NOT_NULL(rel, att) ")" \
	" THEN ' NOT NULL' ELSE '' END"
#define DBK_SQL_CHILD_NOT_NULL(rel, att, q) \
	"CASE WHEN " att ".attnotnull AND NOT " DBK_SQL_PARENT_NOT_NULL(rel, att) \
	" THEN format(E'\\nALTER TABLE ONLY %%s ALTER COLUMN %%I SET NOT NULL;', " q ", " att ".attname) ELSE '' END"
#define DBK_SQL_TABLE_NOT_NULLS(rel) "NULL::text"
#endif
#define DBK_SQL_VERSION_REFUSALS ""

/*
 * A domain's NOT NULL in CREATE DOMAIN, for domain t (its pg_type row).
 * From 17 on it is a constraint of its own (contype 'n') with a name, which
 * is written, as pg_dump 17 writes a name other than the default.  A domain
 * may have two (CONSTRAINT a NOT NULL CONSTRAINT b NOT NULL); pg_dump 17
 * writes one, the last by name (int_domain1 of 18's regression suite comes
 * back with nn2 only), and so does the backup.
 */
#if PG_VERSION_NUM >= 170000
#define DBK_SQL_DOMAIN_NOT_NULL(t) \
	"CASE WHEN " t ".typnotnull THEN coalesce((SELECT ' CONSTRAINT ' || quote_ident(nn.conname)" \
	" FROM pg_constraint nn WHERE nn.contypid = " t ".oid AND nn.contype = 'n'" \
	" ORDER BY nn.conname DESC LIMIT 1), '') || ' NOT NULL' ELSE '' END"
#else
#define DBK_SQL_DOMAIN_NOT_NULL(t) \
	"CASE WHEN " t ".typnotnull THEN ' NOT NULL' ELSE '' END"
#endif

/*
 * dbk_check_insert_permissions: the executor's permission check of INSERT
 * on the columns of cols (attribute numbers offset by
 * FirstLowInvalidHeapAttributeNumber) for the relation nsitem names, raising
 * on a violation.
 */
static inline void
dbk_check_insert_permissions(ParseState *pstate, ParseNamespaceItem *nsitem, Bitmapset *cols)
{
#if PG_VERSION_NUM >= 160000
	RTEPermissionInfo *perm = nsitem->p_perminfo;

	perm->requiredPerms = ACL_INSERT;
	perm->insertedCols = cols;
	ExecCheckPermissions(pstate->p_rtable, list_make1(perm), true);
#else
	RangeTblEntry *rte = nsitem->p_rte;

	rte->requiredPerms = ACL_INSERT;
	rte->insertedCols = cols;
	ExecCheckRTPerms(pstate->p_rtable, true);
#endif
}

/*
 * 18's temporal keys and foreign keys (WITHOUT OVERLAPS, PERIOD: conperiod)
 * and constraints NOT ENFORCED (conenforced): the fingerprint's own text for
 * a plain key (schema_relations.c, plain_constraintdef) has no words for
 * them, so such a constraint is never plain and pg_get_constraintdef
 * describes it.
 */
#if PG_VERSION_NUM >= 180000
#define DBK_SQL_CON_NOT_PLAIN(co) "(" co ".conperiod OR NOT " co ".conenforced)"
#define DBK_CON_NOT_PLAIN(form) ((form)->conperiod || !(form)->conenforced)
#else
#define DBK_SQL_CON_NOT_PLAIN(co) "false"
#define DBK_CON_NOT_PLAIN(form) false
#endif

#endif							/* DBK_PG_COMPAT_H */
