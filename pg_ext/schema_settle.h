/*
 * schema_settle.h — expressions in the form a dump and restore settles them
 * in, for the schema description (schema_settle.c).
 */
#ifndef DBK_PG_SCHEMA_SETTLE_H
#define DBK_PG_SCHEMA_SETTLE_H

#include "postgres.h"

/* What an expression is, which decides how CREATE reads it back. */
typedef enum dbk_settle_kind
{
	DBK_SETTLE_CHECK,			/* a table's CHECK constraint */
	DBK_SETTLE_DOMAIN_CHECK,	/* a domain's CHECK constraint (VALUE) */
	DBK_SETTLE_DEFAULT,			/* a column default or generation expression */
	DBK_SETTLE_POLICY			/* a policy's USING or WITH CHECK */
} dbk_settle_kind;

/*
 * The printed form of the expression tree (a pg_node_tree text, as the
 * catalogs store it) once it has been parsed again from that text, as a
 * restore parses it.  relid is the table the expression belongs to
 * (InvalidOid for a domain), typid and typmod the type a default is coerced
 * to or the domain's base type, generated the column's attgenerated.  When
 * printed is not NULL it receives pg_get_expr's text of the tree itself.
 */
extern char *dbk_pg_settled_expr(const char *tree, Oid relid, dbk_settle_kind kind,
								 Oid typid, int32 typmod, char generated, char **printed);

/*
 * def with the first occurrence of the tree's printed form replaced by its
 * settled form (dbk_pg_settled_expr); def itself when nothing changes.
 */
extern char *dbk_pg_settle_expr(const char *def, const char *tree, Oid relid,
								dbk_settle_kind kind, Oid typid, int32 typmod,
								char generated);

/* pg_get_indexdef's text of an index, its expressions and predicate settled. */
extern char *dbk_pg_settle_indexdef(const char *def, Oid indexrelid);

/*
 * pg_get_viewdef's text of a view (NULL where it returns NULL), read as of
 * the active snapshot: for most views without opening the view or running
 * SPI (schema_settle.c says when).
 */
extern char *dbk_pg_viewdef(Oid view);

/* def with viewdef, pg_get_viewdef's text of a view, settled. */
extern char *dbk_pg_settle_viewdef(const char *def, const char *viewdef);

#endif
