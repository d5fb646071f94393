/*
 * schema_diff.h — what changed between two canonical schema descriptions.
 *
 * Objects are matched by (kind, name): one present only in the newer
 * description is "added", one only in the older "removed", one in both with
 * different definitions "changed".  The result is in canonical order.  A
 * diff borrows the strings of the two descriptions: free it before them.
 */
#ifndef DBK_SCHEMA_DIFF_H
#define DBK_SCHEMA_DIFF_H

#include "schema.h"

typedef struct dbk_schema_change
{
	const char *change;			/* "added", "removed" or "changed" */
	const char *kind;
	const char *name;
} dbk_schema_change;

typedef struct dbk_schema_diff
{
	const dbk_allocator *a;
	dbk_schema_change *items;
	size_t		n;
} dbk_schema_diff;

/* Compares two sorted descriptions: from `before` to `after`. */
int			dbk_schema_diff_make(const dbk_allocator *a, const dbk_schema *before,
								 const dbk_schema *after, dbk_schema_diff *out, dbk_error *err);
void		dbk_schema_diff_free(dbk_schema_diff *d);

/*
 * Reads the schema recorded in backup `name` of directory d (header key
 * "schema"), after checking that the backup was written by engine.
 */
struct dbk_dir;
int			dbk_schema_from_backup(const dbk_allocator *a, struct dbk_dir *d, const char *name,
								   const char *engine, dbk_schema *out, dbk_error *err);

#endif
