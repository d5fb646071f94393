/*
 * test_backup_dir.c — unit tests of the backup directory (core/archive/backup_dir.c)
 * and of listing and retention (core/archive/catalog.c), on a real directory under
 * /tmp, without a database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/archive/archive.h"
#include "../../core/archive/backup_dir.h"
#include "../../core/archive/catalog.h"
#include "unit.h"

static const dbk_allocator *A = &dbk_libc_allocator;
static char root[256];

static void
path_in(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", root, name);
}

/*
 * Writes a small archive of database db (with identity id when not NULL)
 * created at `created` into a temp file and publishes it.
 */
static int
publish_fake_id(dbk_dir *d, const char *db, const char *id, const char *created, time_t t,
				const char *label, char *name)
{
	dbk_temp	tmp;
	dbk_meta	h;
	dbk_error	err;
	dbk_fd_stream fs;
	dbk_archive_writer *w;
	dbk_archive_summary s;
	int			rc = -1;

	dbk_meta_init(&h, A);
	dbk_meta_set(&h, "engine", "sqlite", &err);
	dbk_meta_set(&h, "database", db, &err);
	dbk_meta_set(&h, "created_at", created, &err);
	if (label)
		dbk_meta_set(&h, "label", label, &err);
	if (id)
		dbk_meta_set(&h, "identity", id, &err);
	if (dbk_temp_create(d, "backup", &tmp, &err) != 0)
		return -1;
	fs.fd = tmp.fd;
	fs.what = "temp";
	w = dbk_archive_writer_open(A, dbk_fd_sink(&fs), &h, 1, 0, &err);
	if (w && dbk_archive_write(w, "data", 4, &err) == 0 &&
		dbk_archive_writer_finish(w, NULL, &s, &err) == 0)
		rc = dbk_publish(d, &tmp, db, t, label, DBK_EXT_SQLITE, true, name, &err);
	else
		dbk_temp_remove(d, &tmp);
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
	return rc;
}

static int
publish_fake(dbk_dir *d, const char *db, const char *created, time_t t, const char *label,
			 char *name)
{
	return publish_fake_id(d, db, NULL, created, t, label, name);
}

static void
test_names(void)
{
	dbk_error	err;

	CHECK("names/valid", dbk_backup_name_check("app-2026-01-01T00-00-00Z.sqlite3.zst", &err) == 0);
	CHECK("names/valid-pg", dbk_backup_name_check("db-2026-01-01T00-00-00Z-2-x.sql.zst", &err) == 0);
	CHECK("names/empty", dbk_backup_name_check("", &err) != 0 && err.kind == DBK_E_INVALID);
	CHECK("names/null", dbk_backup_name_check(NULL, &err) != 0);
	CHECK("names/slash", dbk_backup_name_check("a/b.sqlite3.zst", &err) != 0 &&
		  strstr(err.message, "not a plain file name") != NULL);
	CHECK("names/dotdot", dbk_backup_name_check("..sqlite3.zst", &err) != 0);
	CHECK("names/parent", dbk_backup_name_check("../x.sqlite3.zst", &err) != 0);
	CHECK("names/hidden", dbk_backup_name_check(".x.sqlite3.zst", &err) != 0);
	CHECK("names/space", dbk_backup_name_check("a b.sqlite3.zst", &err) != 0);
	CHECK("names/suffix", dbk_backup_name_check("passwd", &err) != 0 &&
		  strstr(err.message, "not the name of a dbkeeper backup") != NULL);
	CHECK("labels/null-ok", dbk_label_check(NULL, &err) == 0);
	CHECK("labels/ok", dbk_label_check("before-v22_upgrade", &err) == 0);
	CHECK("labels/empty", dbk_label_check("", &err) != 0);
	CHECK("labels/slash", dbk_label_check("a/b", &err) != 0);
	CHECK("labels/dot", dbk_label_check("a.b", &err) != 0);
	CHECK("labels/long", dbk_label_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &err) != 0);
	{
		char		buf[128];

		char		other[128],
					longer[300];

		dbk_database_name_component("my db/../x", buf, sizeof(buf));
		CHECK("names/db-component", strcmp(buf, "my+20db+2F..+2Fx") == 0);
		dbk_database_name_component(".hidden", buf, sizeof(buf));
		CHECK("names/db-component-dot", strcmp(buf, "+2Ehidden") == 0);
		dbk_database_name_component("app_1.v2-x", buf, sizeof(buf));
		CHECK("names/db-component-plain", strcmp(buf, "app_1.v2-x") == 0);
		/* issue 13: "a b" and a_b shared a_b, their file names and their latest link */
		dbk_database_name_component("a b", buf, sizeof(buf));
		dbk_database_name_component("a_b", other, sizeof(other));
		CHECK("names/db-component-distinct", strcmp(buf, other) != 0 && strcmp(buf, "a+20b") == 0);
		dbk_database_name_component("a+20b", other, sizeof(other));
		CHECK("names/db-component-escape-escaped", strcmp(other, "a+2B20b") == 0);
		dbk_database_name_component("", buf, sizeof(buf));
		CHECK("names/db-component-empty", strcmp(buf, "+") == 0);
		dbk_database_name_component("\xc3\xa9t\xc3\xa9", buf, sizeof(buf));
		CHECK("names/db-component-utf8", strcmp(buf, "+C3+A9t+C3+A9") == 0 &&
			  dbk_backup_name_check("+C3+A9t+C3+A9-2026-01-01T00-00-00Z.sql.zst", &err) == 0);
		memset(longer, 'x', 150);
		longer[150] = '\0';
		dbk_database_name_component(longer, buf, sizeof(buf));
		longer[149] = 'y';
		dbk_database_name_component(longer, other, sizeof(other));
		CHECK("names/db-component-long", strlen(buf) <= 100 && strlen(other) <= 100 &&
			  strcmp(buf, other) != 0 && strstr(buf, "++") != NULL);
		memset(longer, ' ', 60);
		longer[60] = '\0';
		dbk_database_name_component(longer, buf, sizeof(buf));
		CHECK("names/db-component-long-escapes", strlen(buf) <= 100 && strncmp(buf, "+20+20", 6) == 0 &&
			  strstr(buf, "++") != NULL && (strstr(buf, "++") - buf) % 3 == 0);
	}
}

static void
test_dir_safety(void)
{
	char		p[512],
				link[512];
	dbk_dir		d;
	dbk_error	err;

	path_in(p, sizeof(p), "made");
	CHECK("dir/create", dbk_dir_open(&d, p, true, &err) == 0);
	{
		struct stat st;

		stat(p, &st);
		CHECK("dir/created-0700", (st.st_mode & 0777) == 0700);
	}
	dbk_dir_close(&d);
	path_in(p, sizeof(p), "missing");
	CHECK("dir/missing-no-create", dbk_dir_open(&d, p, false, &err) != 0 && err.sys_errno == ENOENT);
	path_in(p, sizeof(p), "made");
	path_in(link, sizeof(link), "link");
	symlink(p, link);
	CHECK("dir/symlink-refused", dbk_dir_open(&d, link, false, &err) != 0 && err.kind == DBK_E_UNSAFE &&
		  strstr(err.message, "symbolic link") != NULL);
	chmod(p, 0777);
	CHECK("dir/world-writable-refused", dbk_dir_open(&d, p, false, &err) != 0 &&
		  strstr(err.message, "writable by group or others") != NULL);
	chmod(p, 0770);
	CHECK("dir/group-writable-refused", dbk_dir_open(&d, p, false, &err) != 0);
	chmod(p, 0700);
	if (geteuid() == 0)
	{
		chown(p, 65534, 65534);
		CHECK("dir/foreign-owner-refused", dbk_dir_open(&d, p, false, &err) != 0 &&
			  strstr(err.message, "not owned") != NULL);
		chown(p, 0, 0);
	}
	CHECK("dir/ok-again", dbk_dir_open(&d, p, false, &err) == 0);
	dbk_dir_close(&d);
}

static void
test_publish(void)
{
	char		p[512],
				n1[DBK_NAME_MAX + 1],
				n2[DBK_NAME_MAX + 1],
				n3[DBK_NAME_MAX + 1],
				latest[DBK_NAME_MAX + 1];
	dbk_dir		d;
	dbk_error	err;
	struct stat st;
	int			fd;

	path_in(p, sizeof(p), "pub");
	dbk_dir_open(&d, p, true, &err);
	CHECK("publish/first", publish_fake(&d, "app", "2026-01-01T00:00:00.000001Z", 1767225600, NULL, n1) == 0);
	CHECK("publish/name", strcmp(n1, "app-2026-01-01T00-00-00Z.sqlite3.zst") == 0);
	CHECK("publish/same-second", publish_fake(&d, "app", "2026-01-01T00:00:00.000002Z", 1767225600, NULL, n2) == 0);
	CHECK("publish/unique", strcmp(n2, "app-2026-01-01T00-00-00Z-2.sqlite3.zst") == 0);
	CHECK("publish/label", publish_fake(&d, "app", "2026-01-01T00:00:00.000003Z", 1767225600, "nightly", n3) == 0 &&
		  strcmp(n3, "app-2026-01-01T00-00-00Z-nightly.sqlite3.zst") == 0);
	fstatat(d.fd, n1, &st, AT_SYMLINK_NOFOLLOW);
	CHECK("publish/mode-0600", (st.st_mode & 0777) == 0600 && S_ISREG(st.st_mode));
	CHECK("publish/latest", dbk_latest_resolve(&d, "app", DBK_EXT_SQLITE, latest, &err) == 0 &&
		  strcmp(latest, n3) == 0);
	{
		int			temps = 0;

		dbk_dir_sweep(&d, &temps, &err);
		CHECK("publish/no-temp-left", temps == 0);
	}
	CHECK("open/ok", dbk_backup_open(&d, n1, &fd, &err) == 0);
	close(fd);
	CHECK("open/missing", dbk_backup_open(&d, "app-none.sqlite3.zst", &fd, &err) != 0 &&
		  err.kind == DBK_E_NOT_FOUND);
	symlinkat("/etc/passwd", d.fd, "evil.sqlite3.zst");
	CHECK("open/symlink-refused", dbk_backup_open(&d, "evil.sqlite3.zst", &fd, &err) != 0 &&
		  err.kind == DBK_E_UNSAFE);
	/* A latest link planted to point outside the directory. */
	unlinkat(d.fd, "other-latest.sqlite3.zst", 0);
	symlinkat("../../etc/passwd", d.fd, "other-latest.sqlite3.zst");
	CHECK("latest/outside-refused", dbk_latest_resolve(&d, "other", DBK_EXT_SQLITE, latest, &err) != 0 &&
		  err.kind == DBK_E_UNSAFE);
	CHECK("latest/none", dbk_latest_resolve(&d, "nobody", DBK_EXT_SQLITE, latest, &err) != 0 &&
		  err.kind == DBK_E_NOT_FOUND);
	/* A regular file where the latest link goes: publication refuses and leaves nothing. */
	{
		int			ffd = openat(d.fd, "third-latest.sqlite3.zst", O_CREAT | O_WRONLY, 0600);
		int			before,
					after;
		dbk_backup_list list;

		close(ffd);
		dbk_catalog_list(A, &d, NULL, &list, &err);
		before = (int) list.n;
		dbk_catalog_free(&list);
		CHECK("publish/latest-not-a-link-refused",
			  publish_fake(&d, "third", "2026-01-02T00:00:00.000000Z", 1767312000, NULL, n1) != 0);
		dbk_catalog_list(A, &d, NULL, &list, &err);
		after = (int) list.n;
		dbk_catalog_free(&list);
		CHECK("publish/nothing-published-on-failure", before == after);
	}
	dbk_dir_close(&d);
}

static void
test_sweep(void)
{
	char		p[512];
	dbk_dir		d;
	dbk_temp	live,
				dead;
	dbk_error	err;
	int			removed = -1;
	struct stat st;

	path_in(p, sizeof(p), "sweep");
	dbk_dir_open(&d, p, true, &err);
	dbk_temp_create(&d, "live", &live, &err);
	dbk_temp_create(&d, "dead", &dead, &err);
	/* Simulate a dead owner: drop the descriptor (and its lock) without unlinking. */
	close(dead.fd);
	CHECK("sweep/run", dbk_dir_sweep(&d, &removed, &err) == 0);
	CHECK("sweep/removes-dead", removed == 1 && fstatat(d.fd, dead.name, &st, 0) != 0);
	CHECK("sweep/keeps-live", fstatat(d.fd, live.name, &st, 0) == 0);
	dbk_temp_remove(&d, &live);
	CHECK("temp/removed", fstatat(d.fd, live.name, &st, 0) != 0);
	dbk_dir_close(&d);
}

static void
test_prune(void)
{
	char		p[512],
				name[DBK_NAME_MAX + 1],
				created[64];
	dbk_dir		d;
	dbk_error	err;
	dbk_backup_list list;
	int			deleted = -1,
				fd;
	struct stat st;

	path_in(p, sizeof(p), "prune");
	dbk_dir_open(&d, p, true, &err);
	for (int i = 0; i < 5; i++)
	{
		snprintf(created, sizeof(created), "2026-01-0%dT00:00:00.000000Z", i + 1);
		publish_fake(&d, "app", created, 1767225600 + i * 86400, NULL, name);
	}
	publish_fake(&d, "other", "2026-01-01T00:00:00.000000Z", 1767225600, NULL, name);
	/* A file with a backup's name that dbkeeper did not write, and a symlink. */
	fd = openat(d.fd, "app-2020-01-01T00-00-00Z.sqlite3.zst", O_CREAT | O_WRONLY, 0600);
	write(fd, "not ours", 8);
	close(fd);
	symlinkat("/etc/hostname", d.fd, "app-2019-01-01T00-00-00Z.sqlite3.zst");

	dbk_catalog_list(A, &d, DBK_EXT_SQLITE, &list, &err);
	CHECK("list/only-ours", list.n == 6);
	CHECK("list/newest-first", list.n == 6 && strcmp(list.items[0].name, "app-2026-01-05T00-00-00Z.sqlite3.zst") == 0);
	CHECK("list/latest-flag", list.n == 6 && list.items[0].is_latest && !list.items[1].is_latest);
	CHECK("list/trailer-read", list.n == 6 && dbk_meta_get(&list.items[0].trailer, "content_sha256") != NULL);
	dbk_catalog_free(&list);

	{
		dbk_origin	app = {"sqlite", "app", NULL};
		dbk_retention r = {2, 0, NULL, 1767225600 + 10 * 86400};

		CHECK("prune/zero-refused", dbk_retention_count_check(0, &err) != 0 && err.kind == DBK_E_INVALID);
		CHECK("prune/keep-2", dbk_catalog_prune(A, &d, &app, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
			  deleted == 3);
		CHECK("prune/newest-kept", fstatat(d.fd, "app-2026-01-05T00-00-00Z.sqlite3.zst", &st, 0) == 0 &&
			  fstatat(d.fd, "app-2026-01-04T00-00-00Z.sqlite3.zst", &st, 0) == 0);
		CHECK("prune/oldest-gone", fstatat(d.fd, "app-2026-01-01T00-00-00Z.sqlite3.zst", &st, 0) != 0);
		CHECK("prune/foreign-file-kept", fstatat(d.fd, "app-2020-01-01T00-00-00Z.sqlite3.zst", &st, 0) == 0);
		CHECK("prune/symlink-kept", fstatat(d.fd, "app-2019-01-01T00-00-00Z.sqlite3.zst", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK("prune/other-database-kept", fstatat(d.fd, "other-2026-01-01T00-00-00Z.sqlite3.zst", &st, 0) == 0);
		r.keep = 1;
		CHECK("prune/keep-1", dbk_catalog_prune(A, &d, &app, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
			  deleted == 1);
		CHECK("prune/idempotent", dbk_catalog_prune(A, &d, &app, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
			  deleted == 0);
	}
	dbk_dir_close(&d);
}

/*
 * issue 13, item 9: what retention keeps.  A labelled backup and safety
 * backups outlive any number of unlabelled ones; by age, a backup younger
 * than keep_days stays; the newest stays whatever the rules; backups of
 * another database of the same name (another identity) are never touched.
 */
static void
test_retention(void)
{
	char		p[512],
				name[DBK_NAME_MAX + 1],
				created[64],
				upgrade[DBK_NAME_MAX + 1],
				safety[DBK_NAME_MAX + 1],
				foreign[DBK_NAME_MAX + 1];
	dbk_dir		d;
	dbk_error	err;
	struct stat st;
	int			deleted = -1,
				left = 0;
	time_t		day0 = 1767225600;	/* 2026-01-01 */
	dbk_origin	me = {"sqlite", "app", "cluster-1/42"};
	dbk_retention r = {3, 0, NULL, 0};
	dbk_backup_list list;

	path_in(p, sizeof(p), "retention");
	dbk_dir_open(&d, p, true, &err);
	publish_fake_id(&d, "app", "cluster-1/42", "2026-01-01T00:00:00.000000Z", day0, "before-upgrade", upgrade);
	publish_fake_id(&d, "app", "cluster-1/42", "2026-01-01T01:00:00.000000Z", day0 + 3600, "pre-restore", safety);
	publish_fake_id(&d, "app", "cluster-2/42", "2026-01-01T02:00:00.000000Z", day0 + 7200, NULL, foreign);
	for (int i = 1; i <= 30; i++)
	{
		snprintf(created, sizeof(created), "2026-01-%02dT03:00:00.000000Z", i);
		publish_fake_id(&d, "app", "cluster-1/42", created, day0 + (i - 1) * 86400 + 3 * 3600, NULL, name);
		r.now = day0 + (i - 1) * 86400 + 3 * 3600;
		dbk_catalog_prune(A, &d, &me, DBK_EXT_SQLITE, &r, &deleted, &err);
	}
	CHECK("retention/labelled-kept-30-nights", fstatat(d.fd, upgrade, &st, 0) == 0);
	CHECK("retention/safety-kept", fstatat(d.fd, safety, &st, 0) == 0);
	CHECK("retention/other-identity-kept", fstatat(d.fd, foreign, &st, 0) == 0);
	dbk_catalog_list(A, &d, NULL, &list, &err);
	for (size_t i = 0; i < list.n; i++)
		left += dbk_meta_get(&list.items[i].header, "label") == NULL;
	dbk_catalog_free(&list);
	CHECK("retention/count-unlabelled", left == 3 + 1);	/* three of ours, one of the other cluster */

	/* by age: at day 30, 2 days keep the nightlies of days 29 and 30 */
	r.keep = 0;
	r.keep_days = 2;
	r.now = day0 + 29 * 86400 + 4 * 3600;
	CHECK("retention/age", dbk_catalog_prune(A, &d, &me, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 && deleted == 1);
	/* an explicit prune of the labelled ones: the newest of that label stays with keep 1 */
	r.keep = 1;
	r.keep_days = 0;
	r.label = "before-upgrade";
	CHECK("retention/explicit-label-keep-1", dbk_catalog_prune(A, &d, &me, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
		  deleted == 0 && fstatat(d.fd, upgrade, &st, 0) == 0);
	r.label = "*";
	CHECK("retention/explicit-all", dbk_catalog_prune(A, &d, &me, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
		  deleted == 3 && fstatat(d.fd, upgrade, &st, 0) != 0 && fstatat(d.fd, safety, &st, 0) != 0);
	/* never the newest: nothing remains to delete, whatever the rules */
	r.keep = 0;
	r.keep_days = 1;
	r.now = day0 + 400 * 86400;
	CHECK("retention/newest-never", dbk_catalog_prune(A, &d, &me, DBK_EXT_SQLITE, &r, &deleted, &err) == 0 &&
		  deleted == 0 && fstatat(d.fd, name, &st, 0) == 0);
	/* identity: the resolution without a name skips safety backups and other identities */
	{
		char		got[DBK_NAME_MAX + 1];
		dbk_origin	other = {"sqlite", "app", "cluster-2/42"};
		dbk_origin	nobody = {"sqlite", "app", "cluster-3/1"};

		publish_fake_id(&d, "app", "cluster-1/42", "2026-03-01T00:00:00.000000Z", day0 + 59 * 86400, "pre-restore", safety);
		CHECK("resolve/skips-safety", dbk_catalog_resolve(A, &d, &me, DBK_EXT_SQLITE, NULL, got, &err) == 0 &&
			  strcmp(got, name) == 0);
		CHECK("resolve/by-identity", dbk_catalog_resolve(A, &d, &other, DBK_EXT_SQLITE, NULL, got, &err) == 0 &&
			  strcmp(got, foreign) == 0);
		CHECK("resolve/none-of-this-identity",
			  dbk_catalog_resolve(A, &d, &nobody, DBK_EXT_SQLITE, NULL, got, &err) != 0 &&
			  err.kind == DBK_E_NOT_FOUND);
	}
	dbk_dir_close(&d);
}

int
main(void)
{
	char		cmd[300];
	int			rc;

	snprintf(root, sizeof(root), "/tmp/dbk-unit-XXXXXX");
	if (mkdtemp(root) == NULL)
		return 2;
	test_names();
	test_dir_safety();
	test_publish();
	test_sweep();
	test_prune();
	test_retention();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	rc = system(cmd);
	(void) rc;
	return unit_exit();
}
