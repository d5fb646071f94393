/*
 * oplog.c — the log lines of backup, restore and prune; see oplog.h.
 */
#include "oplog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
dbk_pruned_init(dbk_pruned *p)
{
	p->count = 0;
	p->bytes = 0;
	p->names[0] = '\0';
}

void
dbk_pruned_add(dbk_pruned *p, const char *name, uint64_t bytes)
{
	static const char more[] = ", ...";
	size_t		len = strlen(p->names);
	size_t		room = sizeof(p->names) - sizeof(more);
	int			n;

	p->count++;
	p->bytes += bytes;
	if (len >= room)
		return;					/* already full: ", ..." is there */
	n = snprintf(p->names + len, room - len, "%s\"%s\"", len ? ", " : "", name);
	if (n < 0 || (size_t) n >= room - len)
		snprintf(p->names + len, sizeof(p->names) - len, "%s", more);
}

void
dbk_oplog_backup(char *buf, size_t cap, const char *database, const char *name,
				 uint64_t bytes, int64_t rows, double seconds)
{
	char		counted[48] = "";

	if (rows >= 0)
		snprintf(counted, sizeof(counted), " %" PRId64 " rows,", rows);
	snprintf(buf, cap, "dbkeeper: backup \"%s\" of database \"%s\" written: %" PRIu64 " bytes,%s in %.3f s",
			 name, database, bytes, counted, seconds);
}

void
dbk_oplog_restore(char *buf, size_t cap, const char *database, const char *name,
				  uint64_t bytes, const char *safety, double seconds)
{
	snprintf(buf, cap, "dbkeeper: database \"%s\" restored from backup \"%s\" (%" PRIu64 " bytes) in %.3f s; "
			 "safety backup \"%s\"", database, name, bytes, seconds, safety);
}

void
dbk_oplog_prune(char *buf, size_t cap, const char *database, const dbk_pruned *p, double seconds)
{
	if (p->count == 0)
		snprintf(buf, cap, "dbkeeper: pruned no backups of database \"%s\" in %.3f s", database, seconds);
	else
		snprintf(buf, cap, "dbkeeper: pruned %d backup%s of database \"%s\" (%" PRIu64 " bytes) in %.3f s: %s",
				 p->count, p->count == 1 ? "" : "s", database, p->bytes, seconds, p->names);
}
