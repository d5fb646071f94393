/*
 * backup_dir.c — the backup directory; see backup_dir.h for the contract.
 */
#include "backup_dir.h"

#include "../util/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_PREFIX ".dbkeeper-"
#define TEMP_SUFFIX ".tmp"
/* Starts the hex code of a byte in an encoded database name. */
#define ESCAPE '+'

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '.' || c == '-';
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t		n = strlen(s),
				m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
dbk_dir_open(dbk_dir *d, const char *path, bool create, dbk_error *err)
{
	struct stat st;

	d->fd = -1;
	if (path == NULL || *path == '\0')
		return dbk_fail(err, DBK_E_INVALID, "the backup directory is not set");
	if (strlen(path) >= sizeof(d->path))
		return dbk_fail(err, DBK_E_INVALID, "backup directory path is too long");
	snprintf(d->path, sizeof(d->path), "%s", path);

	if (lstat(path, &st) != 0)
	{
		if (errno == ENOENT && !create)
		{
			dbk_fail(err, DBK_E_NOT_FOUND, "backup directory \"%s\" does not exist", path);
			err->sys_errno = ENOENT;
			dbk_error_hint(err, "No backup has been taken there yet; take one with: SELECT dbkeeper_backup();");
			return -1;
		}
		if (errno != ENOENT)
			return dbk_fail_errno(err, errno, "could not open backup directory \"%s\"", path);
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
		{
			int			mkdir_errno = errno;

			dbk_fail_errno(err, mkdir_errno, "could not create backup directory \"%s\"", path);
			/* only the last component is created: a DBA's typo or a missing mount */
			if (mkdir_errno == ENOENT)
				dbk_error_hint(err, "Only the backup directory itself is created; create its parent directory first, writable by the user the database runs as, or choose another backup directory.");
			return -1;
		}
		if (lstat(path, &st) != 0)
			return dbk_fail_errno(err, errno, "could not open backup directory \"%s\"", path);
	}
	if (S_ISLNK(st.st_mode))
	{
		dbk_fail(err, DBK_E_UNSAFE, "backup directory \"%s\" is a symbolic link", path);
		dbk_error_hint(err, "Set the backup directory to the real path of the directory.");
		return -1;
	}
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd < 0)
		return dbk_fail_errno(err, errno, "could not open backup directory \"%s\"", path);
	if (fstat(d->fd, &st) != 0)
	{
		dbk_fail_errno(err, errno, "could not stat backup directory \"%s\"", path);
		goto fail;
	}
	if (st.st_uid != geteuid())
	{
		dbk_fail(err, DBK_E_UNSAFE, "backup directory \"%s\" is not owned by the user running the database",
				 path);
		dbk_error_detail(err, "It is owned by uid %u; the database runs as uid %u.",
						 (unsigned) st.st_uid, (unsigned) geteuid());
		goto fail;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
	{
		dbk_fail(err, DBK_E_UNSAFE, "backup directory \"%s\" is writable by group or others", path);
		dbk_error_hint(err, "Run: chmod go-w '%s'", path);
		goto fail;
	}
	return 0;
fail:
	dbk_dir_close(d);
	return -1;
}

void
dbk_dir_close(dbk_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int
dbk_dir_sync(dbk_dir *d, dbk_error *err)
{
	if (fsync(d->fd) != 0)
		return dbk_fail_errno(err, errno, "could not fsync backup directory \"%s\"", d->path);
	return 0;
}

int
dbk_temp_create(dbk_dir *d, const char *purpose, dbk_temp *t, dbk_error *err)
{
	static unsigned counter;

	t->fd = -1;
	for (int attempt = 0; attempt < 100; attempt++)
	{
		snprintf(t->name, sizeof(t->name), TEMP_PREFIX "%ld-%u-%s" TEMP_SUFFIX,
				 (long) getpid(), ++counter, purpose);
		t->fd = openat(d->fd, t->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (t->fd >= 0)
			break;
		if (errno != EEXIST)
		{
			t->name[0] = '\0';
			return dbk_fail_errno(err, errno, "could not create a temporary file in backup directory \"%s\"",
								  d->path);
		}
	}
	if (t->fd < 0)
	{
		t->name[0] = '\0';
		return dbk_fail(err, DBK_E_IO, "could not create a unique temporary file in backup directory \"%s\"",
						d->path);
	}
	/* The lock tells dbk_dir_sweep() that the file's owner is alive. */
	if (flock(t->fd, LOCK_EX | LOCK_NB) != 0)
	{
		int			e = errno;

		dbk_temp_remove(d, t);
		return dbk_fail_errno(err, e, "could not lock a temporary file in backup directory \"%s\"", d->path);
	}
	return 0;
}

/* Files SQLite may create beside a database it opens. */
static const char *const sqlite_siblings[] = {"-journal", "-wal", "-shm"};

void
dbk_temp_remove(dbk_dir *d, dbk_temp *t)
{
	if (t->name[0] != '\0' && d->fd >= 0)
	{
		(void) unlinkat(d->fd, t->name, 0);
		for (size_t i = 0; i < sizeof(sqlite_siblings) / sizeof(sqlite_siblings[0]); i++)
		{
			char		sibling[sizeof(t->name) + 16];

			snprintf(sibling, sizeof(sibling), "%s%s", t->name, sqlite_siblings[i]);
			(void) unlinkat(d->fd, sibling, 0);
		}
	}
	t->name[0] = '\0';
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

void
dbk_temp_path(const dbk_dir *d, const dbk_temp *t, char *buf, size_t cap)
{
	/* Through the directory descriptor, so a renamed directory cannot redirect it. */
	snprintf(buf, cap, "/proc/self/fd/%d/%s", d->fd, t->name);
}

DIR *
dbk_dir_scan(dbk_dir *d, dbk_error *err)
{
	int			fd = dup(d->fd);
	DIR		   *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (dir == NULL)
	{
		dbk_fail_errno(err, errno, "could not read backup directory \"%s\"", d->path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* The duplicate shares its offset with d->fd: start from the top. */
	rewinddir(dir);
	return dir;
}

int
dbk_dir_sweep(dbk_dir *d, int *removed, dbk_error *err)
{
	DIR		   *dir = dbk_dir_scan(d, err);
	struct dirent *de;
	int			count = 0;

	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
	{
		int			tfd;
		const char *suffix;

		if (strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0)
			continue;
		suffix = strstr(de->d_name, TEMP_SUFFIX);
		if (suffix == NULL)
			continue;
		if (suffix[strlen(TEMP_SUFFIX)] != '\0')
		{
			/* A sibling such as ".tmp-wal": it goes once its temporary file has gone. */
			char		owner[256];
			struct stat st;

			snprintf(owner, sizeof(owner), "%.*s", (int) (suffix - de->d_name + strlen(TEMP_SUFFIX)),
					 de->d_name);
			if (fstatat(d->fd, owner, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT &&
				unlinkat(d->fd, de->d_name, 0) == 0)
				count++;
			continue;
		}
		tfd = openat(d->fd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (tfd < 0)
		{
			/* A planted symlink with our prefix: remove the link itself. */
			if (errno == ELOOP && unlinkat(d->fd, de->d_name, 0) == 0)
				count++;
			continue;
		}
		if (flock(tfd, LOCK_EX | LOCK_NB) == 0 && unlinkat(d->fd, de->d_name, 0) == 0)
			count++;
		close(tfd);
	}
	closedir(dir);
	if (removed)
		*removed = count;
	return 0;
}

int
dbk_backup_name_check(const char *name, dbk_error *err)
{
	if (name == NULL || *name == '\0')
		return dbk_fail(err, DBK_E_INVALID, "backup name must not be empty");
	if (strchr(name, '/') != NULL || strstr(name, "..") != NULL || name[0] == '.')
	{
		dbk_fail(err, DBK_E_INVALID, "backup name \"%s\" is not a plain file name", name);
		dbk_error_detail(err, "A backup name may not contain \"/\" or \"..\" and may not start with \".\".");
		return -1;
	}
	if (strlen(name) > DBK_NAME_MAX)
		return dbk_fail(err, DBK_E_INVALID, "backup name is longer than %d bytes", DBK_NAME_MAX);
	for (const char *p = name; *p; p++)
	{
		if (!is_name_char(*p) && *p != ESCAPE)
		{
			dbk_fail(err, DBK_E_INVALID, "backup name \"%s\" contains a character dbkeeper never writes",
					 name);
			dbk_error_detail(err, "Backup names contain only letters, digits, \".\", \"_\", \"-\" and \"+\".");
			return -1;
		}
	}
	if (!has_suffix(name, "." DBK_EXT_SQLITE) && !has_suffix(name, "." DBK_EXT_PG))
	{
		dbk_fail(err, DBK_E_INVALID, "\"%s\" is not the name of a dbkeeper backup", name);
		dbk_error_detail(err, "Backup names end in \"." DBK_EXT_SQLITE "\" or \"." DBK_EXT_PG "\".");
		dbk_error_hint(err, "List the backups with: SELECT name FROM dbkeeper_backups();");
		return -1;
	}
	return 0;
}

int
dbk_label_check(const char *label, dbk_error *err)
{
	if (label == NULL)
		return 0;
	if (*label == '\0')
		return dbk_fail(err, DBK_E_INVALID, "backup label must not be empty; pass NULL for no label");
	if (strlen(label) > DBK_LABEL_MAX)
		return dbk_fail(err, DBK_E_INVALID, "backup label is longer than %d bytes", DBK_LABEL_MAX);
	for (const char *p = label; *p; p++)
	{
		if (!is_name_char(*p) || *p == '.')
		{
			dbk_fail(err, DBK_E_INVALID, "backup label \"%s\" contains a character that cannot go in a file name",
					 label);
			dbk_error_detail(err, "A label may contain only letters, digits, \"_\" and \"-\".");
			return -1;
		}
	}
	return 0;
}

/* A character a database name keeps as it is in file names. */
static bool
is_plain_db_char(char c, size_t at)
{
	return is_name_char(c) && !(at == 0 && c == '.');
}

/*
 * Every other byte becomes ESCAPE and two uppercase hex digits, so the
 * encoding can be decoded and two names never share one.  A name whose
 * encoding would pass DB_COMPONENT_MAX keeps a prefix cut at a whole
 * character, then ESCAPE twice (which an escape never produces) and 16 hex
 * digits of the SHA-256 of the whole name.
 */
#define DB_COMPONENT_MAX 100
#define DB_HASHED_PREFIX (DB_COMPONENT_MAX - 18)

static size_t
encode_db_name(const char *database, char *buf, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		n = 0;

	for (const char *p = database; *p; p++)
	{
		unsigned char c = (unsigned char) *p;
		size_t		need = is_plain_db_char(*p, n) ? 1 : 3;

		if (n + need + 1 > cap)
			return (size_t) -1;
		if (need == 1)
			buf[n++] = *p;
		else
		{
			buf[n++] = ESCAPE;
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	return n;
}

void
dbk_database_name_component(const char *database, char *buf, size_t cap)
{
	char		full[3 * 1024 + 1];
	size_t		n = encode_db_name(database, full, sizeof(full));

	if (n == 0)
	{
		/* no name at all: an escape alone, which no other name encodes to */
		full[n++] = ESCAPE;
		full[n] = '\0';
	}
	if (n == (size_t) -1 || n > DB_COMPONENT_MAX)
	{
		char		digest[DBK_SHA256_HEX_LEN + 1];
		size_t		cut = 0;
		dbk_error	ignored;

		/* the prefix: whole characters of the encoding only */
		for (const char *p = database; *p; p++)
		{
			size_t		step = is_plain_db_char(*p, cut) ? 1 : 3;

			if (cut + step > DB_HASHED_PREFIX)
				break;
			cut += step;
		}
		/* a name too long for full still filled it past the prefix */
		full[cut] = '\0';
		if (dbk_sha256_hex(database, strlen(database), digest, &ignored) != 0)
			memset(digest, '0', 16);
		snprintf(full + cut, sizeof(full) - cut, "%c%c%.16s", ESCAPE, ESCAPE, digest);
	}
	snprintf(buf, cap, "%s", full);
}

static int
latest_link_name(const char *database, const char *ext, char *buf, size_t cap)
{
	char		db[128];

	dbk_database_name_component(database, db, sizeof(db));
	return snprintf(buf, cap, "%s-latest.%s", db, ext);
}

/* The latest link may be absent or a symlink; anything else is not ours. */
static int
check_latest_replaceable(dbk_dir *d, const char *link, dbk_error *err)
{
	struct stat st;

	if (fstatat(d->fd, link, &st, AT_SYMLINK_NOFOLLOW) != 0)
	{
		if (errno == ENOENT)
			return 0;
		return dbk_fail_errno(err, errno, "could not stat \"%s\" in backup directory \"%s\"", link, d->path);
	}
	if (!S_ISLNK(st.st_mode))
	{
		dbk_fail(err, DBK_E_UNSAFE, "\"%s\" in backup directory \"%s\" is not a symbolic link", link, d->path);
		dbk_error_detail(err, "dbkeeper keeps a symbolic link under that name and will not replace a file it did not write.");
		dbk_error_hint(err, "Move the file away.");
		return -1;
	}
	return 0;
}

static int
point_latest(dbk_dir *d, const char *link, const char *target, dbk_error *err)
{
	char		tmp[128];

	snprintf(tmp, sizeof(tmp), TEMP_PREFIX "%ld-latest" TEMP_SUFFIX, (long) getpid());
	(void) unlinkat(d->fd, tmp, 0);
	if (symlinkat(target, d->fd, tmp) != 0)
		return dbk_fail_errno(err, errno, "could not create link \"%s\" in backup directory \"%s\"", link,
							  d->path);
	if (renameat(d->fd, tmp, d->fd, link) != 0)
	{
		int			e = errno;

		(void) unlinkat(d->fd, tmp, 0);
		return dbk_fail_errno(err, e, "could not replace link \"%s\" in backup directory \"%s\"", link,
							  d->path);
	}
	return 0;
}

int
dbk_publish(dbk_dir *d, dbk_temp *t, const char *database, time_t created,
			const char *label, const char *ext, bool move_latest, char *name_out, dbk_error *err)
{
	char		db[128],
				stamp[32],
				seq[16],
				link[DBK_NAME_MAX + 1];
	struct tm	tm;
	int			rc = -1;

	dbk_database_name_component(database, db, sizeof(db));
	gmtime_r(&created, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%SZ", &tm);
	latest_link_name(database, ext, link, sizeof(link));
	if (check_latest_replaceable(d, link, err) != 0)
		goto done;
	if (fsync(t->fd) != 0)
	{
		dbk_fail_errno(err, errno, "could not fsync the new backup in \"%s\"", d->path);
		goto done;
	}
	for (int n = 1;; n++)
	{
		if (n > 1000)
		{
			dbk_fail(err, DBK_E_IO, "could not find a free backup name in \"%s\"", d->path);
			goto done;
		}
		if (n == 1)
			seq[0] = '\0';
		else
			snprintf(seq, sizeof(seq), "-%d", n);
		if (snprintf(name_out, DBK_NAME_MAX + 1, "%s-%s%s%s%s.%s", db, stamp, seq, label ? "-" : "",
					 label ? label : "", ext) > DBK_NAME_MAX)
		{
			dbk_fail(err, DBK_E_INVALID, "the backup name would be longer than %d bytes", DBK_NAME_MAX);
			goto done;
		}
		/* link() never replaces an existing name, unlike rename(). */
		if (linkat(d->fd, t->name, d->fd, name_out, 0) == 0)
			break;
		if (errno != EEXIST)
		{
			dbk_fail_errno(err, errno, "could not publish backup \"%s\" in \"%s\"", name_out, d->path);
			goto done;
		}
	}
	if (dbk_dir_sync(d, err) != 0 || (move_latest && point_latest(d, link, name_out, err) != 0))
	{
		/* Nothing new may stay visible after a failure. */
		(void) unlinkat(d->fd, name_out, 0);
		goto done;
	}
	rc = 0;
done:
	dbk_temp_remove(d, t);
	if (rc == 0 && dbk_dir_sync(d, err) != 0)
		rc = -1;
	return rc;
}

int
dbk_latest_point(dbk_dir *d, const char *database, const char *ext, const char *name,
				 dbk_error *err)
{
	char		link[DBK_NAME_MAX + 1];

	if (dbk_backup_name_check(name, err) != 0)
		return -1;
	latest_link_name(database, ext, link, sizeof(link));
	if (check_latest_replaceable(d, link, err) != 0 || point_latest(d, link, name, err) != 0)
		return -1;
	return dbk_dir_sync(d, err);
}

int
dbk_latest_resolve(dbk_dir *d, const char *database, const char *ext, char *name_out,
				   dbk_error *err)
{
	char		link[DBK_NAME_MAX + 1];
	ssize_t		n;
	dbk_error	inner;

	latest_link_name(database, ext, link, sizeof(link));
	n = readlinkat(d->fd, link, name_out, DBK_NAME_MAX + 1);
	if (n < 0)
	{
		if (errno == ENOENT)
		{
			dbk_fail(err, DBK_E_NOT_FOUND, "there is no backup of database \"%s\" in \"%s\"", database,
					 d->path);
			dbk_error_hint(err, "Take one with: SELECT dbkeeper_backup();");
			return -1;
		}
		if (errno == EINVAL)
			return dbk_fail(err, DBK_E_UNSAFE, "\"%s\" in backup directory \"%s\" is not a symbolic link",
							link, d->path);
		return dbk_fail_errno(err, errno, "could not read link \"%s\" in \"%s\"", link, d->path);
	}
	if (n > DBK_NAME_MAX)
		return dbk_fail(err, DBK_E_UNSAFE, "link \"%s\" in \"%s\" points to an overlong name", link, d->path);
	name_out[n] = '\0';
	if (dbk_backup_name_check(name_out, &inner) != 0)
	{
		dbk_fail(err, DBK_E_UNSAFE, "link \"%s\" in \"%s\" does not point to a backup in the same directory",
				 link, d->path);
		dbk_error_detail(err, "It points to \"%s\".", name_out);
		return -1;
	}
	return 0;
}

int
dbk_backup_open(dbk_dir *d, const char *name, int *fd_out, dbk_error *err)
{
	struct stat st;
	int			fd;

	*fd_out = -1;
	if (dbk_backup_name_check(name, err) != 0)
		return -1;
	fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
	{
		if (errno == ENOENT)
		{
			dbk_fail(err, DBK_E_NOT_FOUND, "backup \"%s\" does not exist in \"%s\"", name, d->path);
			dbk_error_hint(err, "List the backups with: SELECT name FROM dbkeeper_backups();");
			return -1;
		}
		if (errno == ELOOP)
		{
			dbk_fail(err, DBK_E_UNSAFE, "backup \"%s\" in \"%s\" is a symbolic link", name, d->path);
			dbk_error_hint(err, "Pass NULL to use the latest backup; dbkeeper does not follow links.");
			return -1;
		}
		return dbk_fail_errno(err, errno, "could not open backup \"%s\" in \"%s\"", name, d->path);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		close(fd);
		return dbk_fail(err, DBK_E_UNSAFE, "backup \"%s\" in \"%s\" is not a regular file", name, d->path);
	}
	*fd_out = fd;
	return 0;
}
