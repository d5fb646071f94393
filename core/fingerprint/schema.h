/*
 * schema.h — the canonical schema description, its text form and its
 * fingerprint, shared by both engines.
 *
 * An adapter reads its catalogs and adds one row per object: kind ("table",
 * "index", "view", ...), name (schema-qualified where the engine has
 * schemas) and definition (engine-specific canonical text).  The rows are
 * then sorted by kind, name and definition, byte by byte, so the order in
 * which they were added (catalog order, OIDs, creation order) never matters.
 *
 * Text form (documented in README "Schema fingerprint"), where <format> is
 * the version of the engine's canonical form (DBK_SCHEMA_FORMAT_*; each
 * engine raises its own when what its rows say changes):
 *
 *     dbkeeper-schema <format>\n
 *     <kind>\t<name>\t<definition>\n        one line per row, sorted
 *
 * where each field escapes backslash, tab, newline and carriage return as
 * \\, \t, \n and \r.  The fingerprint is the SHA-256 of exactly these bytes,
 * as 64 lowercase hex digits.  A description owns copies of its strings,
 * from its allocator.
 */
#ifndef DBK_SCHEMA_H
#define DBK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"
#include "../util/sha256.h"

#define DBK_SCHEMA_FORMAT_SQLITE "2"
#define DBK_SCHEMA_FORMAT_POSTGRESQL "3"

typedef struct dbk_schema_row
{
	char	   *kind;
	char	   *name;
	char	   *definition;
} dbk_schema_row;

typedef struct dbk_schema
{
	const dbk_allocator *a;
	const char *format;			/* a DBK_SCHEMA_FORMAT_* */
	dbk_schema_row *rows;
	size_t		n;
	size_t		cap;
} dbk_schema;

/* An empty description in canonical form format (a DBK_SCHEMA_FORMAT_*). */
void		dbk_schema_init(dbk_schema *s, const dbk_allocator *a, const char *format);
void		dbk_schema_free(dbk_schema *s);

/* Adds a row (copies the strings; a NULL definition is stored as ""). */
int			dbk_schema_add(dbk_schema *s, const char *kind, const char *name,
						   const char *definition, dbk_error *err);
/* As dbk_schema_add, taking ownership of strings allocated from s->a (freed on failure). */
int			dbk_schema_add_owned(dbk_schema *s, char *kind, char *name, char *definition,
								 dbk_error *err);

/* Sorts the rows into canonical order; call before reading or hashing. */
void		dbk_schema_sort(dbk_schema *s);

/* The text form of a sorted description, in a new buffer from s->a. */
int			dbk_schema_text(const dbk_schema *s, char **out, size_t *len, dbk_error *err);

/* The fingerprint of a sorted description. */
int			dbk_schema_fingerprint(const dbk_schema *s, char hex[DBK_SHA256_HEX_LEN + 1],
								   dbk_error *err);

/*
 * Parses a text form (as recorded in a backup) into s (empty); what names
 * its origin in errors.  Fails with DBK_E_CORRUPT when malformed and with
 * DBK_E_INVALID when it is in another form than s->format.
 */
int			dbk_schema_parse(dbk_schema *s, const char *text, size_t len, const char *what,
							 dbk_error *err);

/* True when s is 64 hex digits (either case). */
bool		dbk_schema_is_fingerprint(const char *s);

#endif
