/*
 * catalog.c — listing and pruning backups; see catalog.h.
 */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s),
				m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static const char *
created_at(const dbk_backup_info *b)
{
	const char *v = dbk_meta_get(&b->header, "created_at");

	return v ? v : "";
}

static int
newest_first(const void *x, const void *y)
{
	const dbk_backup_info *a = x,
			   *b = y;
	int			c = strcmp(created_at(b), created_at(a));

	return c != 0 ? c : strcmp(b->name, a->name);
}

static bool
candidate_name(const char *name, const char *ext)
{
	dbk_error	ignored;

	if (dbk_backup_name_check(name, &ignored) != 0)
		return false;
	if (ext)
	{
		char		suffix[32];

		snprintf(suffix, sizeof(suffix), ".%s", ext);
		return ends_with(name, suffix);
	}
	return true;
}

/* Reads one entry; false when the file is not a backup (or vanished). */
static bool
read_entry(const dbk_allocator *a, dbk_dir *d, const char *name, dbk_backup_info *b)
{
	dbk_error	err;
	char		what[DBK_NAME_MAX + 16];
	int			fd;
	bool		ok;

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	dbk_meta_init(&b->header, a);
	dbk_meta_init(&b->trailer, a);
	if (dbk_backup_open(d, name, &fd, &err) != 0)
		return false;
	snprintf(what, sizeof(what), "backup \"%s\"", name);
	ok = dbk_archive_peek(a, fd, what, &b->header, &b->trailer, &b->file_bytes, &err) == 0;
	if (!ok && b->header.n > 0)
	{
		/* A readable header with a damaged trailer: list it, without trailer data. */
		dbk_meta_free(&b->trailer);
		dbk_meta_init(&b->trailer, a);
		ok = true;
	}
	close(fd);
	if (!ok)
	{
		dbk_meta_free(&b->header);
		dbk_meta_free(&b->trailer);
	}
	return ok;
}

static void
mark_latest(dbk_dir *d, dbk_backup_list *list)
{
	for (size_t i = 0; i < list->n; i++)
	{
		dbk_backup_info *b = &list->items[i];
		const char *db = dbk_meta_get(&b->header, "database");
		char		target[DBK_NAME_MAX + 1];
		dbk_error	err;
		const char *ext = ends_with(b->name, "." DBK_EXT_SQLITE) ? DBK_EXT_SQLITE : DBK_EXT_PG;

		if (db && dbk_latest_resolve(d, db, ext, target, &err) == 0)
			b->is_latest = strcmp(target, b->name) == 0;
	}
}

int
dbk_catalog_list(const dbk_allocator *a, dbk_dir *d, const char *ext, dbk_backup_list *out,
				 dbk_error *err)
{
	DIR		   *dir;
	struct dirent *de;
	size_t		cap = 0;

	out->a = a;
	out->items = NULL;
	out->n = 0;
	if ((dir = dbk_dir_scan(d, err)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
	{
		struct stat st;

		/* The latest link is a symlink, so the S_ISREG test below skips it. */
		if (!candidate_name(de->d_name, ext))
			continue;
		if (fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (out->n == cap)
		{
			size_t		ncap = cap ? cap * 2 : 32;
			dbk_backup_info *items = dbk_alloc(a, ncap * sizeof(*items));

			if (items == NULL)
			{
				closedir(dir);
				dbk_catalog_free(out);
				return dbk_fail(err, DBK_E_NOMEM, "out of memory listing backups");
			}
			if (out->n)
				memcpy(items, out->items, out->n * sizeof(*items));
			dbk_free(a, out->items);
			out->items = items;
			cap = ncap;
		}
		if (read_entry(a, d, de->d_name, &out->items[out->n]))
			out->n++;
	}
	closedir(dir);
	qsort(out->items, out->n, sizeof(*out->items), newest_first);
	mark_latest(d, out);
	return 0;
}

void
dbk_catalog_free(dbk_backup_list *list)
{
	for (size_t i = 0; i < list->n; i++)
	{
		dbk_meta_free(&list->items[i].header);
		dbk_meta_free(&list->items[i].trailer);
	}
	dbk_free(list->a, list->items);
	list->items = NULL;
	list->n = 0;
}

bool
dbk_catalog_belongs(const dbk_meta *header, const dbk_origin *o)
{
	const char *e = dbk_meta_get(header, "engine");
	const char *db = dbk_meta_get(header, "database");
	const char *id = dbk_meta_get(header, "identity");

	if (e == NULL || strcmp(e, o->engine) != 0)
		return false;
	if (id != NULL && o->identity != NULL)
		return strcmp(id, o->identity) == 0;
	return db != NULL && strcmp(db, o->database) == 0;
}

static bool
is_labelled(const dbk_backup_info *b, const char *label)
{
	const char *l = dbk_meta_get(&b->header, "label");

	return l != NULL && strcmp(l, label) == 0;
}

int
dbk_catalog_resolve(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o, const char *ext,
					const char *name, char *name_out, dbk_error *err)
{
	dbk_backup_list list;
	int			rc = -1;

	if (name != NULL)
	{
		if (dbk_backup_name_check(name, err) != 0)
			return -1;
		snprintf(name_out, DBK_NAME_MAX + 1, "%s", name);
		return 0;
	}
	if (dbk_catalog_list(a, d, ext, &list, err) != 0)
		return -1;
	for (size_t i = 0; i < list.n && rc != 0; i++)
		if (dbk_catalog_belongs(&list.items[i].header, o) &&
			!is_labelled(&list.items[i], DBK_SAFETY_LABEL))
		{
			snprintf(name_out, DBK_NAME_MAX + 1, "%s", list.items[i].name);
			rc = 0;
		}
	dbk_catalog_free(&list);
	if (rc != 0)
	{
		dbk_fail(err, DBK_E_NOT_FOUND, "there is no backup of database \"%s\" in \"%s\"", o->database,
				 d->path);
		dbk_error_detail(err, "Safety backups (label \"" DBK_SAFETY_LABEL "\") are used only when named.");
		dbk_error_hint(err, "Take one with: SELECT dbkeeper_backup();");
	}
	return rc;
}

int
dbk_retention_count_check(int64_t keep, dbk_error *err)
{
	if (keep >= 1)
		return 0;
	dbk_fail(err, DBK_E_INVALID, "cannot keep fewer than 1 backup (asked for %lld)", (long long) keep);
	dbk_error_detail(err, "dbkeeper never deletes the newest backup.");
	return -1;
}

/* The kind of backup r prunes. */
static bool
of_kind(const dbk_backup_info *b, const char *label)
{
	const char *l = dbk_meta_get(&b->header, "label");

	if (label == NULL)
		return l == NULL;
	return strcmp(label, "*") == 0 || (l != NULL && strcmp(l, label) == 0);
}

/* Seconds since the epoch of created_at ("2026-01-01T00:00:00.000000Z"), or -1. */
static time_t
created_epoch(const dbk_backup_info *b)
{
	struct tm	tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(created_at(b), "%Y-%m-%dT%H:%M:%S", &tm);
	return end == NULL ? (time_t) -1 : timegm(&tm);
}

static bool
kept_by_age(const dbk_backup_info *b, const dbk_retention *r)
{
	time_t		t = created_epoch(b);

	/* a date that cannot be read keeps the backup: never delete on a guess */
	return r->keep_days > 0 && (t == (time_t) -1 || (int64_t) (r->now - t) < r->keep_days * 86400);
}

int
dbk_catalog_prune(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o, const char *ext,
				  const dbk_retention *r, int *deleted, dbk_error *err)
{
	dbk_pruned	pruned;
	int			rc = dbk_catalog_prune_noting(a, d, o, ext, r, &pruned, err);

	*deleted = rc == 0 ? pruned.count : 0;
	return rc;
}

int
dbk_catalog_prune_noting(const dbk_allocator *a, dbk_dir *d, const dbk_origin *o, const char *ext,
						 const dbk_retention *r, dbk_pruned *pruned, dbk_error *err)
{
	dbk_backup_list list;
	int64_t		rank = 0;
	int			count = 0;
	bool		newest_seen = false;

	dbk_pruned_init(pruned);
	if (r->keep < 0 || r->keep_days < 0)
		return dbk_fail(err, DBK_E_INVALID, "retention counts must not be negative");
	if (r->keep == 0 && r->keep_days == 0)
		return 0;
	if (dbk_catalog_list(a, d, ext, &list, err) != 0)
		return -1;
	for (size_t i = 0; i < list.n; i++)
	{
		dbk_backup_info *b = &list.items[i];
		bool		newest;

		if (!dbk_catalog_belongs(&b->header, o))
			continue;
		newest = !newest_seen;
		newest_seen = true;
		if (!of_kind(b, r->label))
			continue;
		rank++;
		if (newest || b->is_latest || (r->keep > 0 && rank <= r->keep) || kept_by_age(b, r))
			continue;
		if (unlinkat(d->fd, b->name, 0) != 0)
		{
			int			e = errno;

			dbk_catalog_free(&list);
			if (count > 0)
				(void) dbk_dir_sync(d, err);
			return dbk_fail_errno(err, e, "could not delete backup \"%s\" in \"%s\"", b->name, d->path);
		}
		count++;
		dbk_pruned_add(pruned, b->name, b->file_bytes);
	}
	dbk_catalog_free(&list);
	return count > 0 ? dbk_dir_sync(d, err) : 0;
}
