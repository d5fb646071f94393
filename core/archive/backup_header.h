/*
 * backup_header.h — what a backup's header and trailer say, on both engines.
 *
 * The header (written before the content) records where a backup came from
 * and when; the trailer's extra keys (written after it) record what the
 * backup took.  Both engines build them here, so a backup of either carries
 * the same common keys, and verification and restore require the same ones
 * whatever the engine.
 *
 * Header keys, in this order: engine, database, the engine's identity keys
 * (PostgreSQL: identity, system_identifier, database_oid; SQLite:
 * database_id, source_file), created_at (UTC, microseconds), label (only
 * when given), server_version, dbkeeper_version, compression_level.  The
 * adapter may add more afterwards (SQLite: fingerprint, schema).
 *
 * Trailer keys besides the archive's own: duration_us (microseconds from
 * created_at to the end of the content) and, where the engine counts them,
 * rows.  Backups written before duration_us existed simply lack it.
 */
#ifndef DBK_BACKUP_HEADER_H
#define DBK_BACKUP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../util/metadata.h"

/* An engine's own key of the header; a NULL or empty value is left out. */
typedef struct dbk_header_key
{
	const char *key;
	const char *value;
} dbk_header_key;

typedef struct dbk_header_info
{
	const char *engine;			/* "postgresql" or "sqlite" */
	const char *database;
	const dbk_header_key *identity; /* the engine's identity keys, in order */
	size_t		nidentity;
	struct timespec created;
	const char *label;			/* NULL: no label */
	const char *server_version;
	const char *dbkeeper_version;
	int			compression_level;
} dbk_header_info;

/* Room for dbk_iso_time's text and its NUL. */
#define DBK_ISO_TIME_LEN 64

/* ts as UTC "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void		dbk_iso_time(const struct timespec *ts, char buf[DBK_ISO_TIME_LEN]);

/* Sets the header keys listed above in h, which should be empty. */
int			dbk_header_build(dbk_meta *h, const dbk_header_info *info, dbk_error *err);

/*
 * Checks that header h is a backup of engine and holds every key the header
 * must have; what names the backup in the error ("backup \"x.sql.zst\"").
 * A foreign engine is DBK_E_INVALID, a missing key DBK_E_CORRUPT.
 */
int			dbk_header_check(const dbk_meta *h, const char *engine, const char *what,
							 dbk_error *err);

/*
 * The refusal of a backup inside a transaction that has written (or, on
 * SQLite, holds the write lock); why says what would go wrong on this engine.
 */
int			dbk_backup_fail_in_write_txn(dbk_error *err, const char *why);

/*
 * Sets the trailer's extra keys in t: duration_us from created to finished,
 * and rows when has_rows.
 */
int			dbk_trailer_build(dbk_meta *t, const struct timespec *created,
							  const struct timespec *finished, bool has_rows, uint64_t rows,
							  dbk_error *err);

/* The trailer's duration in microseconds; false when it records none. */
bool		dbk_trailer_duration_us(const dbk_meta *t, uint64_t *us);

#endif
