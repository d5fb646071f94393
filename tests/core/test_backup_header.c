/*
 * test_backup_header.c — unit tests of core/archive/backup_header.c: the header keys
 * both engines write, the check both engines apply, and the trailer's
 * duration and rows.
 */
#include <stdio.h>
#include <string.h>

#include "../../core/archive/backup_header.h"
#include "unit.h"

static const dbk_allocator *A = &dbk_libc_allocator;

/* The keys of m joined by commas, for comparing orders. */
static void
keys_of(const dbk_meta *m, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++)
	{
		if (i > 0)
			strncat(buf, ",", cap - strlen(buf) - 1);
		strncat(buf, m->items[i].key, cap - strlen(buf) - 1);
	}
}

static void
build(dbk_meta *h, const char *engine, const char *label, const dbk_header_key *ids, size_t nids)
{
	dbk_header_info info = {
		.engine = engine,
		.database = "app",
		.identity = ids,
		.nidentity = nids,
		.created = {1700000000, 123456789},
		.label = label,
		.server_version = "15.20",
		.dbkeeper_version = "9.9",
		.compression_level = 3,
	};
	dbk_error	err;

	dbk_meta_init(h, A);
	CHECK(label ? "header/build-labelled" : "header/build", dbk_header_build(h, &info, &err) == 0);
}

static void
test_iso_time(void)
{
	char		buf[DBK_ISO_TIME_LEN];

	dbk_iso_time(&(struct timespec) {1700000000, 123456789}, buf);
	CHECK("header/iso-time", strcmp(buf, "2023-11-14T22:13:20.123456Z") == 0);
	dbk_iso_time(&(struct timespec) {0, 999}, buf);
	CHECK("header/iso-time-epoch", strcmp(buf, "1970-01-01T00:00:00.000000Z") == 0);
}

static void
test_build(void)
{
	dbk_header_key ids[] = {{"database_id", "abc"}, {"source_file", "/x/app.db"}, {"empty", ""},
	{"absent", NULL}};
	dbk_meta	h;
	char		keys[512];

	build(&h, "sqlite", NULL, ids, 4);
	keys_of(&h, keys, sizeof(keys));
	CHECK("header/keys-in-order",
		  strcmp(keys, "engine,database,database_id,source_file,created_at,server_version,"
				 "dbkeeper_version,compression_level") == 0);
	CHECK("header/created-at", strcmp(dbk_meta_get(&h, "created_at"), "2023-11-14T22:13:20.123456Z") == 0);
	CHECK("header/versions", strcmp(dbk_meta_get(&h, "dbkeeper_version"), "9.9") == 0 &&
		  strcmp(dbk_meta_get(&h, "server_version"), "15.20") == 0 &&
		  strcmp(dbk_meta_get(&h, "compression_level"), "3") == 0);
	dbk_meta_free(&h);
	build(&h, "postgresql", "nightly", NULL, 0);
	CHECK("header/label", strcmp(dbk_meta_get(&h, "label"), "nightly") == 0);
	dbk_meta_free(&h);
}

static void
test_check(void)
{
	static const char *const required[] = {"engine", "database", "created_at", "server_version",
	"dbkeeper_version"};
	dbk_meta	h;
	dbk_error	err;

	/* The same required keys on both engines. */
	for (int e = 0; e < 2; e++)
	{
		const char *engine = e ? "sqlite" : "postgresql";
		const char *other = e ? "postgresql" : "sqlite";

		build(&h, engine, NULL, NULL, 0);
		CHECK("header/check-ok", dbk_header_check(&h, engine, "backup \"b\"", &err) == 0);
		CHECK("header/check-foreign-engine", dbk_header_check(&h, other, "backup \"b\"", &err) == -1 &&
			  err.kind == DBK_E_INVALID &&
			  strcmp(err.message, e ? "backup \"b\" is not a PostgreSQL backup" :
					 "backup \"b\" is not a SQLite backup") == 0 &&
			  strstr(err.detail, engine) != NULL);
		dbk_meta_free(&h);
		for (size_t i = 1; i < sizeof(required) / sizeof(required[0]); i++)
		{
			char		want[128];

			build(&h, engine, NULL, NULL, 0);
			/* Drop one key by renaming it. */
			for (size_t k = 0; k < h.n; k++)
				if (strcmp(h.items[k].key, required[i]) == 0)
					h.items[k].key[0] = 'x';
			snprintf(want, sizeof(want), "backup \"b\" has no \"%s\" in its header", required[i]);
			CHECK("header/check-missing-key", dbk_header_check(&h, engine, "backup \"b\"", &err) == -1 &&
				  err.kind == DBK_E_CORRUPT && strcmp(err.message, want) == 0);
			dbk_meta_free(&h);
		}
	}
	dbk_meta_init(&h, A);
	CHECK("header/check-no-engine", dbk_header_check(&h, "sqlite", "backup \"b\"", &err) == -1 &&
		  strcmp(err.detail, "Its header says the engine is \"(none)\".") == 0);
	dbk_meta_free(&h);
}

static void
test_trailer(void)
{
	struct timespec start = {100, 900000000},
				end = {102, 100000500};
	dbk_meta	t;
	dbk_error	err;
	uint64_t	v;

	dbk_meta_init(&t, A);
	CHECK("trailer/build", dbk_trailer_build(&t, &start, &end, true, 42, &err) == 0);
	CHECK("trailer/duration", dbk_trailer_duration_us(&t, &v) && v == 1200000);
	CHECK("trailer/rows", dbk_meta_get_u64(&t, "rows", &v) && v == 42);
	dbk_meta_free(&t);
	dbk_meta_init(&t, A);
	CHECK("trailer/clock-stepped-back", dbk_trailer_build(&t, &end, &start, false, 0, &err) == 0 &&
		  dbk_trailer_duration_us(&t, &v) && v == 0);
	CHECK("trailer/no-rows", dbk_meta_get(&t, "rows") == NULL);
	dbk_meta_free(&t);
	dbk_meta_init(&t, A);
	CHECK("trailer/old-backup", !dbk_trailer_duration_us(&t, &v));
	dbk_meta_free(&t);
}

int
main(void)
{
	test_iso_time();
	test_build();
	test_check();
	test_trailer();
	return unit_exit();
}
