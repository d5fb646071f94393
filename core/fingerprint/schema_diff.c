/*
 * schema_diff.c — added, removed and changed objects between two canonical
 * descriptions, and reading the description a backup recorded; see
 * schema_diff.h.
 */
#include "schema_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../archive/archive.h"
#include "../archive/backup_dir.h"

static int
key_cmp(const dbk_schema_row *a, const dbk_schema_row *b)
{
	int			c = strcmp(a->kind, b->kind);

	return c ? c : strcmp(a->name, b->name);
}

static bool
same_item(const dbk_schema_change *a, const dbk_schema_change *b)
{
	return strcmp(a->change, b->change) == 0 && strcmp(a->kind, b->kind) == 0 &&
		strcmp(a->name, b->name) == 0;
}

int
dbk_schema_diff_make(const dbk_allocator *a, const dbk_schema *before, const dbk_schema *after,
					 dbk_schema_diff *out, dbk_error *err)
{
	size_t		i = 0,
				j = 0;

	out->a = a;
	out->n = 0;
	out->items = dbk_alloc(a, (before->n + after->n) * sizeof(*out->items));
	if (out->items == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory comparing schemas");
	/* Both are sorted by kind then name: one merge pass. */
	while (i < before->n || j < after->n)
	{
		int			c = i == before->n ? 1 : j == after->n ? -1 :
			key_cmp(&before->rows[i], &after->rows[j]);
		const dbk_schema_row *r = c <= 0 ? &before->rows[i] : &after->rows[j];
		const char *change = NULL;

		if (c < 0)
			change = "removed";
		else if (c > 0)
			change = "added";
		else if (strcmp(before->rows[i].definition, after->rows[j].definition) != 0)
			change = "changed";
		if (change)
		{
			out->items[out->n].change = change;
			out->items[out->n].kind = r->kind;
			out->items[out->n].name = r->name;
			/* Rows of the same kind and name report once per kind of change. */
			if (out->n == 0 || !same_item(&out->items[out->n - 1], &out->items[out->n]))
				out->n++;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	return 0;
}

void
dbk_schema_diff_free(dbk_schema_diff *d)
{
	dbk_free(d->a, d->items);
	d->items = NULL;
	d->n = 0;
}

int
dbk_schema_from_backup(const dbk_allocator *a, struct dbk_dir *d, const char *name,
					   const char *engine, dbk_schema *out, dbk_error *err)
{
	char		what[DBK_NAME_MAX + 16];
	dbk_meta	header,
				trailer;
	uint64_t	bytes;
	const char *e,
			   *text;
	int			fd = -1,
				rc = -1;

	snprintf(what, sizeof(what), "backup \"%s\"", name);
	dbk_meta_init(&header, a);
	dbk_meta_init(&trailer, a);
	if (dbk_backup_open(d, name, &fd, err) != 0 ||
		dbk_archive_peek(a, fd, what, &header, &trailer, &bytes, err) != 0)
		goto done;
	e = dbk_meta_get(&header, "engine");
	if (e == NULL || strcmp(e, engine) != 0)
	{
		dbk_fail(err, DBK_E_INVALID, "%s is a backup of engine \"%s\", not \"%s\"", what,
				 e ? e : "(unknown)", engine);
		goto done;
	}
	text = dbk_meta_get(&header, "schema");
	if (text == NULL)
	{
		dbk_fail(err, DBK_E_NOT_FOUND, "%s does not record a schema", what);
		dbk_error_detail(err, "It was written before dbkeeper recorded schemas in backups.");
		dbk_error_hint(err, "Name a newer backup, or take one now with dbkeeper_backup().");
		goto done;
	}
	rc = dbk_schema_parse(out, text, strlen(text), what, err);
done:
	if (fd >= 0)
		close(fd);
	dbk_meta_free(&header);
	dbk_meta_free(&trailer);
	return rc;
}
