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
 *       ExecCheckRTPerms became ExecCheckPermissions.
 *   18  pg_attribute_noreturn() (after a declaration) gave way to pg_noreturn
 *       (before it).
 */
#ifndef DBK_PG_COMPAT_H
#define DBK_PG_COMPAT_H

#include "catalog/namespace.h"
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

#endif							/* DBK_PG_COMPAT_H */
