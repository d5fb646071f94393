/*
 * backup_header.c — building and checking a backup's header and trailer
 * keys; see backup_header.h.
 */
#include "backup_header.h"

#include <stdio.h>
#include <string.h>

/* The keys every backup's header holds, whatever its engine. */
static const char *const required_keys[] = {
	"engine", "database", "created_at", "server_version", "dbkeeper_version"
};

/* The engine's name as users write it, for messages. */
static const char *
engine_title(const char *engine)
{
	if (strcmp(engine, "postgresql") == 0)
		return "PostgreSQL";
	if (strcmp(engine, "sqlite") == 0)
		return "SQLite";
	return engine;
}

void
dbk_iso_time(const struct timespec *ts, char buf[DBK_ISO_TIME_LEN])
{
	struct tm	tm;
	char		base[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, DBK_ISO_TIME_LEN, "%s.%06ldZ", base, (long) (ts->tv_nsec / 1000));
}

int
dbk_header_build(dbk_meta *h, const dbk_header_info *info, dbk_error *err)
{
	char		created[DBK_ISO_TIME_LEN];

	if (dbk_meta_set(h, "engine", info->engine, err) != 0 ||
		dbk_meta_set(h, "database", info->database, err) != 0)
		return -1;
	for (size_t i = 0; i < info->nidentity; i++)
	{
		const dbk_header_key *k = &info->identity[i];

		if (k->value != NULL && k->value[0] != '\0' &&
			dbk_meta_set(h, k->key, k->value, err) != 0)
			return -1;
	}
	dbk_iso_time(&info->created, created);
	if (dbk_meta_set(h, "created_at", created, err) != 0 ||
		(info->label != NULL && dbk_meta_set(h, "label", info->label, err) != 0) ||
		dbk_meta_set(h, "server_version", info->server_version, err) != 0 ||
		dbk_meta_set(h, "dbkeeper_version", info->dbkeeper_version, err) != 0 ||
		dbk_meta_set_u64(h, "compression_level", (uint64_t) info->compression_level, err) != 0)
		return -1;
	return 0;
}

int
dbk_header_check(const dbk_meta *h, const char *engine, const char *what, dbk_error *err)
{
	const char *found = dbk_meta_get(h, "engine");

	if (found == NULL || strcmp(found, engine) != 0)
	{
		dbk_fail(err, DBK_E_INVALID, "%s is not a %s backup", what, engine_title(engine));
		dbk_error_detail(err, "Its header says the engine is \"%s\".", found ? found : "(none)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(required_keys) / sizeof(required_keys[0]); i++)
		if (dbk_meta_get(h, required_keys[i]) == NULL)
			return dbk_fail(err, DBK_E_CORRUPT, "%s has no \"%s\" in its header", what,
							required_keys[i]);
	return 0;
}

int
dbk_backup_fail_in_write_txn(dbk_error *err, const char *why)
{
	dbk_fail(err, DBK_E_STATE, "cannot back up a database inside a write transaction");
	dbk_error_detail(err, "%s", why);
	dbk_error_hint(err, "COMMIT or ROLLBACK first, then call dbkeeper_backup().");
	return -1;
}

int
dbk_trailer_build(dbk_meta *t, const struct timespec *created, const struct timespec *finished,
				  bool has_rows, uint64_t rows, dbk_error *err)
{
	int64_t		ns = (int64_t) (finished->tv_sec - created->tv_sec) * 1000000000 +
		(finished->tv_nsec - created->tv_nsec);
	int64_t		us = ns / 1000;

	/* The wall clock may step back during a backup: never a negative duration. */
	if (dbk_meta_set_u64(t, "duration_us", us > 0 ? (uint64_t) us : 0, err) != 0 ||
		(has_rows && dbk_meta_set_u64(t, "rows", rows, err) != 0))
		return -1;
	return 0;
}

bool
dbk_trailer_duration_us(const dbk_meta *t, uint64_t *us)
{
	return dbk_meta_get_u64(t, "duration_us", us);
}
