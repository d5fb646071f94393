/*
 * load_cost.c — helper of tests/bench/bench_sqlite_load.sh: what loading
 * dbkeeper adds to opening a connection, as an application that opens one
 * per request pays it.
 *
 *   load_cost DB EXTENSION ROUNDS [pinned|fresh]
 *
 * With "pinned", one more connection keeps the extension loaded throughout
 * (a process with a connection pool).  Without it the process's only
 * connection is closed after each request, and SQLite unloads the extension
 * each time (the library is built to stay mapped, so this measures whether
 * it does).  With "fresh", every measured connection is the first of a new
 * process (a cron line running the sqlite3 shell), so the dynamic loader
 * maps and relocates the library and its dependencies each time.
 *
 * Each round opens DB, runs the application's first query (which reads the
 * schema, as any first statement does), and closes it: once without and once
 * with the extension loaded right after the open, alternating so that the
 * noise of the machine falls on both.  Prints the medians in microseconds:
 * "<without> <with> <with - without>".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* One connection: open, [load], first query, close; microseconds or -1. */
static double
one(const char *path, const char *ext)
{
	sqlite3    *db = NULL;
	sqlite3_stmt *st = NULL;
	char	   *err = NULL;
	double		t0 = now_us(),
				t;
	int			ok;

	ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK;
	if (ok && ext)
	{
		sqlite3_enable_load_extension(db, 1);
		ok = sqlite3_load_extension(db, ext, NULL, &err) == SQLITE_OK;
	}
	ok = ok && sqlite3_prepare_v2(db, "SELECT count(*) FROM t1", -1, &st, NULL) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	t = now_us() - t0;
	if (!ok)
		fprintf(stderr, "load_cost: %s\n", err ? err : "open or query failed");
	sqlite3_free(err);
	return ok ? t : -1;
}

/* one(), run in a child process of its own; microseconds or -1. */
static double
one_fresh(const char *path, const char *ext)
{
	int			fd[2];
	double		t = -1;
	pid_t		pid;
	int			status;

	if (pipe(fd) != 0)
		return -1;
	pid = fork();
	if (pid == 0)
	{
		t = one(path, ext);
		if (write(fd[1], &t, sizeof(t)) != (ssize_t) sizeof(t))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &t, sizeof(t)) != (ssize_t) sizeof(t))
		t = -1;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return t;
}

int
main(int argc, char **argv)
{
	int			rounds = argc > 3 ? atoi(argv[3]) : 0;
	double	   *without,
			   *with;

	sqlite3    *pin = NULL;
	int			fresh = argc == 5 && strcmp(argv[4], "fresh") == 0;
	double		(*measure) (const char *, const char *) = fresh ? one_fresh : one;

	if ((argc != 4 && argc != 5) || rounds < 1 ||
		(argc == 5 && !fresh && strcmp(argv[4], "pinned") != 0))
	{
		fprintf(stderr, "usage: load_cost DB EXTENSION ROUNDS [pinned|fresh]\n");
		return 2;
	}
	if (argc == 5 && !fresh)
	{
		char	   *err = NULL;

		if (sqlite3_open(":memory:", &pin) != SQLITE_OK ||
			sqlite3_enable_load_extension(pin, 1) != SQLITE_OK ||
			sqlite3_load_extension(pin, argv[2], NULL, &err) != SQLITE_OK)
		{
			fprintf(stderr, "load_cost: %s\n", err ? err : "cannot pin the extension");
			return 1;
		}
	}
	without = calloc(rounds, sizeof(double));
	with = calloc(rounds, sizeof(double));
	if (!without || !with)
		return 1;
	/* Warm the page cache and the loader. */
	if (one(argv[1], NULL) < 0 || one(argv[1], argv[2]) < 0)
		return 1;
	for (int i = 0; i < rounds; i++)
	{
		if ((without[i] = measure(argv[1], NULL)) < 0 || (with[i] = measure(argv[1], argv[2])) < 0)
			return 1;
	}
	qsort(without, rounds, sizeof(double), cmp);
	qsort(with, rounds, sizeof(double), cmp);
	printf("%.1f %.1f %.1f\n", without[rounds / 2], with[rounds / 2],
		   with[rounds / 2] - without[rounds / 2]);
	free(without);
	free(with);
	sqlite3_close(pin);
	return 0;
}
