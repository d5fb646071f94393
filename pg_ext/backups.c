/*
 * backups.c — dbkeeper_backups(): the PostgreSQL backups in the backup
 * directory, newest first, with the columns of the SQLite table-valued
 * function of the same name: rows and duration (an interval) come from the
 * trailer, NULL for backups written before it recorded a duration.  The
 * listing comes from core/archive/catalog.c; a directory that does not exist yet
 * lists nothing.  Needs the same privileges as dbkeeper_backup() (it reads
 * the directory).
 */
#include "postgres.h"

#include <errno.h>
#include <unistd.h>

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "../core/archive/backup_header.h"
#include "../core/archive/catalog.h"
#include "access.h"
#include "common.h"
#include "guc.h"

PG_FUNCTION_INFO_V1(dbkeeper_backups);

#define BACKUPS_COLS 11

static Datum
meta_text(const dbk_meta *m, const char *key, bool *isnull)
{
	const char *v = dbk_meta_get(m, key);

	*isnull = (v == NULL);
	return v ? CStringGetTextDatum(v) : (Datum) 0;
}

static void
emit_row(ReturnSetInfo *rsinfo, const dbk_backup_info *b)
{
	Datum		values[BACKUPS_COLS];
	bool		nulls[BACKUPS_COLS];
	const char *created = dbk_meta_get(&b->header, "created_at");
	uint64_t	n;

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(b->name);
	if (created)
		values[1] = DirectFunctionCall3(timestamptz_in, CStringGetDatum(created),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	else
		nulls[1] = true;
	values[2] = meta_text(&b->header, "database", &nulls[2]);
	values[3] = meta_text(&b->header, "label", &nulls[3]);
	if (dbk_meta_get_u64(&b->trailer, "content_bytes", &n))
		values[4] = Int64GetDatum((int64) n);
	else
		nulls[4] = true;
	values[5] = Int64GetDatum((int64) b->file_bytes);
	values[6] = meta_text(&b->trailer, "content_sha256", &nulls[6]);
	values[7] = meta_text(&b->header, "fingerprint", &nulls[7]);
	values[8] = BoolGetDatum(b->is_latest);
	if (dbk_meta_get_u64(&b->trailer, "rows", &n))
		values[9] = Int64GetDatum((int64) n);
	else
		nulls[9] = true;
	if (dbk_trailer_duration_us(&b->trailer, &n))
	{
		Interval   *iv = palloc0(sizeof(Interval));

		iv->time = (TimeOffset) n;
		values[10] = IntervalPGetDatum(iv);
	}
	else
		nulls[10] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

Datum
dbkeeper_backups(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char		path[DBK_PG_PATH_MAX];
	dbk_allocator a;
	dbk_backup_list list = {0};
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	volatile bool failed = false;

	dbk_pg_check_access("dbkeeper_backups", DBK_PG_WRITE_FILES);
	InitMaterializedSRF(fcinfo, 0);
	dbk_pg_backup_dir(path, sizeof(path));
	if (dbk_dir_open(&d, path, false, &err) != 0)
	{
		if (err.sys_errno == ENOENT)
			return (Datum) 0;
		dbk_pg_raise(&err);
	}
	dbk_pg_allocator_init(&a, CurrentMemoryContext);
	PG_TRY();
	{
		if (dbk_catalog_list(&a, &d, DBK_EXT_PG, &list, &err) != 0)
			failed = true;
		else
			for (size_t i = 0; i < list.n; i++)
				emit_row(rsinfo, &list.items[i]);
	}
	PG_FINALLY();
	{
		dbk_dir_close(&d);
	}
	PG_END_TRY();
	if (failed)
		dbk_pg_raise(&err);
	dbk_catalog_free(&list);
	return (Datum) 0;
}
