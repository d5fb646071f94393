/*
 * writer_latency.c — helper of tests/bench/bench_sqlite_writer_latency.sh:
 * an application's writer, committing one small transaction after another
 * (busy timeout 10 s, as a web process would set it), that records how long
 * each commit took while a backup runs in another process.
 *
 *   writer_latency DB STOPFILE
 *
 * Runs until STOPFILE exists, then prints "<commits> <max ms> <p99 ms>".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	sqlite3    *db = NULL;
	size_t		n = 0,
				cap = 1 << 16;
	double	   *lat = malloc(cap * sizeof(double));

	if (argc != 3 || lat == NULL || sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 2;
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS writer_log(at REAL)", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	while (access(argv[2], F_OK) != 0)
	{
		double		t0 = now_ms();
		int			rc = sqlite3_exec(db, "INSERT INTO writer_log VALUES (julianday('now'))", NULL, NULL, NULL);

		if (rc != SQLITE_OK)
		{
			fprintf(stderr, "writer: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		if (n == cap && (lat = realloc(lat, (cap *= 2) * sizeof(double))) == NULL)
			return 1;
		lat[n++] = now_ms() - t0;
		usleep(2000);
	}
	qsort(lat, n, sizeof(double), cmp);
	printf("%zu %.1f %.1f\n", n, n ? lat[n - 1] : 0, n ? lat[(size_t) (n * 0.99)] : 0);
	sqlite3_close(db);
	return 0;
}
