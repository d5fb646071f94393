/*
 * as_owner.h — running the code of a database's roles under their own
 * identity while a superuser backs up or restores; see as_owner.c.
 */
#ifndef DBK_PG_AS_OWNER_H
#define DBK_PG_AS_OWNER_H

#include "postgres.h"

/*
 * From begin to end, every function owned by a role that is not a
 * superuser, called while the current user is a superuser, runs as its
 * owner in a security-restricted operation.  Nests; call end in PG_FINALLY.
 */
void		dbk_owner_guard_define_guc(void);
void		dbk_owner_guard_begin(void);
void		dbk_owner_guard_end(void);

/* A statement run as a relation's owner: what dbk_as_owner_begin saved. */
typedef struct dbk_as_owner
{
	Oid			save_userid;
	int			save_sec_context;
	int			nest_level;
} dbk_as_owner;

/*
 * Becomes owner for a statement as PostgreSQL does for an index build:
 * SetUserIdAndSecContext(owner, SECURITY_RESTRICTED_OPERATION), a new GUC
 * nesting level, search_path pg_catalog, pg_temp.  dbk_as_owner_end undoes
 * it (settings the statement's code changed included); after an error the
 * transaction's abort does.
 */
void		dbk_as_owner_begin(dbk_as_owner *s, Oid owner);
void		dbk_as_owner_end(dbk_as_owner *s);

#endif
