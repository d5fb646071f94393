/*
 * catalog_sql.h — SQL fragments that decide what belongs to the user, shared
 * by every query over pg_catalog (backup, restore, fingerprint), so that a
 * backup, the restore that empties the database for it and the fingerprint
 * all agree on which objects are the database's own.  Operators are
 * schema-qualified: the fragments are safe under any search_path.
 */
#ifndef DBK_PG_CATALOG_SQL_H
#define DBK_PG_CATALOG_SQL_H

/* A schema that belongs to the user (n is a pg_namespace alias; pg_* is the system's). */
#define DBK_USER_NS(n) "(" n ".nspname OPERATOR(pg_catalog.!~) '^pg_' AND " n ".nspname OPERATOR(pg_catalog.<>) 'information_schema')"

/* True when the object (catalog cls, oid expression) is a member of an extension. */
#define DBK_MEMBER(cls, oid) "EXISTS (SELECT FROM pg_depend e WHERE e.classid = '" cls "'::regclass " \
	"AND e.objid = " oid " AND e.deptype = 'e')"

/* The opposite of DBK_MEMBER. */
#define DBK_NOT_MEMBER(cls, oid) "NOT " DBK_MEMBER(cls, oid)

#endif
