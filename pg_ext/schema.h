/*
 * schema.h — the canonical schema description of the current PostgreSQL
 * database, for the SQL functions of schema.c and for the backup, which
 * records it in every archive header (keys "fingerprint" and "schema").
 */
#ifndef DBK_PG_SCHEMA_H
#define DBK_PG_SCHEMA_H

/*
 * Describes the current database's schema as of the caller's snapshot and
 * returns its canonical text form (core/fingerprint/schema.h, "dbkeeper-schema 1"), and
 * its SHA-256 fingerprint as 64 lowercase hex digits and a NUL.
 *
 * *canonical_text is palloc'd in CurrentMemoryContext.  The description is
 * read from pg_catalog with read-only SPI queries (so it sees the snapshot
 * the caller registered, and works on a hot standby); the caller must be in a
 * transaction and must not be inside its own SPI connection without having
 * pushed it (SPI_connect nests).  search_path and the settings that change
 * how expressions are printed are fixed for the duration of the call, so the
 * result depends neither on the session nor on the caller's privileges.
 * dbkeeper's own objects and every extension's members are left out.
 * Errors are raised with ereport.
 */
void		dbk_pg_schema_describe(char **canonical_text, char fingerprint_hex[65]);

#endif
