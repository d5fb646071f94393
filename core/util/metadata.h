/*
 * metadata.h — the key=value records carried in an archive's header and
 * trailer frames.
 *
 * Encoded form (documented in README "Archive format"): a first line naming
 * the record ("dbkeeper-header 1"), then one "key=value" line per entry, in
 * insertion order.  Keys are [a-z0-9_.]+; a value escapes backslash, newline
 * and carriage return as \\, \n and \r and may hold any other byte but NUL.
 * A list owns copies of its keys and values, allocated from its allocator.
 */
#ifndef DBK_METADATA_H
#define DBK_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dbk_alloc.h"
#include "error.h"

typedef struct dbk_meta_entry
{
	char	   *key;
	char	   *value;
} dbk_meta_entry;

typedef struct dbk_meta
{
	const dbk_allocator *a;
	dbk_meta_entry *items;
	size_t		n;
	size_t		cap;
} dbk_meta;

void		dbk_meta_init(dbk_meta *m, const dbk_allocator *a);
void		dbk_meta_free(dbk_meta *m);

/* Sets key to value, replacing an earlier value of the same key. */
int			dbk_meta_set(dbk_meta *m, const char *key, const char *value, dbk_error *err);
int			dbk_meta_set_u64(dbk_meta *m, const char *key, uint64_t value, dbk_error *err);
/* Copies every entry of src into m. */
int			dbk_meta_merge(dbk_meta *m, const dbk_meta *src, dbk_error *err);

/* The value of key, or NULL. */
const char *dbk_meta_get(const dbk_meta *m, const char *key);
/* Parses key as an unsigned decimal; false when absent or malformed. */
bool		dbk_meta_get_u64(const dbk_meta *m, const char *key, uint64_t *out);

/*
 * Encodes first_line and the entries into a new buffer (*out, *len) from the
 * list's allocator; the caller frees it with dbk_free.
 */
int			dbk_meta_encode(const dbk_meta *m, const char *first_line,
							char **out, size_t *len, dbk_error *err);

/*
 * Decodes buf into m (which must be empty).  Fails with DBK_E_CORRUPT when
 * the first line is not first_line or any line is malformed.
 */
int			dbk_meta_decode(dbk_meta *m, const char *buf, size_t len,
							const char *first_line, dbk_error *err);

#endif
