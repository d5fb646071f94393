/*
 * restore_values.h — date and time values of a backup's COPY rows read
 * without the general date parser, for restore_load.c; see
 * restore_values.c.
 */
#ifndef DBK_PG_RESTORE_VALUES_H
#define DBK_PG_RESTORE_VALUES_H

#include "postgres.h"

/*
 * Whether values of type typid (the column's own type, not a domain's
 * base) with typmod have a fast path here.
 */
bool		dbk_fast_value_type(Oid typid);

/*
 * The value of field s (len bytes, NUL-terminated) for a column of typid
 * and typmod, when s has exactly the form a backup writes and the input
 * function would return the same Datum; false otherwise (the caller then
 * calls the input function, which also raises the errors).
 */
bool		dbk_fast_value(Oid typid, int32 typmod, const char *s, size_t len, Datum *out);

#endif
