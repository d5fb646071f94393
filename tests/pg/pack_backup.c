/*
 * pack_backup.c — test tool: writes a new backup whose content is standard
 * input and whose header is copied from an existing backup, with every
 * checksum right.  The tests use it to make backups that pass every check
 * of the file but whose script fails in a chosen way.
 *
 *   pack_backup FROM.sql.zst TO.sql.zst [KEY=VALUE...] < script.sql
 *
 * Each KEY=VALUE replaces or adds a header entry (server_version=99.0 makes
 * a backup of a newer server).
 * TO is created (not replaced) with mode 0600.  Test code only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/archive/archive.h"

static int
fail(const char *what, const dbk_error *err)
{
	fprintf(stderr, "pack_backup: %s: %s\n", what, err ? err->message : "failed");
	return 1;
}

int
main(int argc, char **argv)
{
	dbk_meta	header,
				trailer;
	dbk_error	err;
	dbk_fd_stream out;
	dbk_archive_writer *w;
	dbk_archive_summary sum;
	uint64_t	bytes;
	char		buf[65536];
	size_t		n;
	int			in_fd;

	if (argc < 3)
	{
		fprintf(stderr, "usage: pack_backup FROM.sql.zst TO.sql.zst [KEY=VALUE...] < script.sql\n");
		return 2;
	}
	dbk_meta_init(&header, &dbk_libc_allocator);
	dbk_meta_init(&trailer, &dbk_libc_allocator);
	if ((in_fd = open(argv[1], O_RDONLY)) < 0)
		return fail(argv[1], NULL);
	if (dbk_archive_peek(&dbk_libc_allocator, in_fd, argv[1], &header, &trailer, &bytes, &err) != 0)
		return fail(argv[1], &err);
	close(in_fd);
	for (int i = 3; i < argc; i++)
	{
		char	   *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return fail(argv[i], NULL);
		*eq = '\0';
		if (dbk_meta_set(&header, argv[i], eq + 1, &err) != 0)
			return fail(argv[i], &err);
	}
	out.what = argv[2];
	if ((out.fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return fail(argv[2], NULL);
	if ((w = dbk_archive_writer_open(&dbk_libc_allocator, dbk_fd_sink(&out), &header, 3, 0, &err)) == NULL)
		return fail(argv[2], &err);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (dbk_archive_write(w, buf, n, &err) != 0)
			return fail(argv[2], &err);
	if (dbk_archive_writer_finish(w, NULL, &sum, &err) != 0)
		return fail(argv[2], &err);
	dbk_archive_writer_free(w);
	if (close(out.fd) != 0)
		return fail(argv[2], NULL);
	dbk_meta_free(&header);
	dbk_meta_free(&trailer);
	return 0;
}
