/*
 * script_reader.c — the restore's reader thread; see script_reader.h.
 *
 * A ring of DBK_SCRIPT_QUEUE items and two counters under one mutex:
 * `filled` counts the items the thread has published, `released` those
 * the caller has finished with.  The thread writes only into the item at
 * filled % QUEUE, and only while filled - released < QUEUE; the caller
 * reads only items below filled.  So an item is never written and read at
 * the same time, and the lock is taken once per item, not per byte.
 */
#include "script_reader.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "../archive/archive.h"
#include "sql_split.h"
#include "../util/thread.h"

#define READ_CHUNK (256 * 1024)

struct dbk_script_reader
{
	const dbk_allocator *a;
	char	   *what;
	dbk_archive_reader *archive;
	dbk_splitter *split;
	char	   *buf;
	dbk_script_item items[DBK_SCRIPT_QUEUE];

	pthread_t	thread;
	bool		started;
	pthread_mutex_t mu;
	pthread_cond_t can_fill;	/* an item was released, or stop */
	pthread_cond_t can_take;	/* an item was published */
	uint64_t	filled;
	uint64_t	released;
	uint64_t	taken;
	bool		holding;		/* the caller has item taken - 1 */
	bool		stop;

	/* the thread's own: the COPY_DATA item being filled, if any */
	dbk_script_item *open;
};

/* ------------------------------------------------------------ the thread */

/* The next free item, waiting for the caller to release one; NULL on stop. */
static dbk_script_item *
acquire(dbk_script_reader *r)
{
	dbk_script_item *it;

	pthread_mutex_lock(&r->mu);
	while (r->filled - r->released == DBK_SCRIPT_QUEUE && !r->stop)
		pthread_cond_wait(&r->can_fill, &r->mu);
	if (r->stop)
	{
		pthread_mutex_unlock(&r->mu);
		return NULL;
	}
	it = &r->items[r->filled % DBK_SCRIPT_QUEUE];
	pthread_mutex_unlock(&r->mu);
	it->len = 0;
	it->line = 0;
	dbk_copy_rows_reset(&it->rows);
	it->rows_ok = true;
	it->bad_line = 0;
	return it;
}

static void
publish(dbk_script_reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->filled++;
	pthread_cond_signal(&r->can_take);
	pthread_mutex_unlock(&r->mu);
}

static int
append(dbk_script_reader *r, dbk_script_item *it, const char *text, size_t len, dbk_error *err)
{
	if (it->len + len + 1 > it->cap)
	{
		size_t		cap = it->cap ? it->cap : 4096;
		char	   *t;

		while (cap < it->len + len + 1)
			cap *= 2;
		t = dbk_resize(r->a, it->text, it->len, cap);
		if (t == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory reading %s", r->what);
		it->text = t;
		it->cap = cap;
	}
	memcpy(it->text + it->len, text, len);
	it->len += len;
	it->text[it->len] = '\0';
	return 0;
}

/* Publishes the COPY_DATA item being filled, if any. */
static void
publish_open(dbk_script_reader *r)
{
	if (r->open == NULL)
		return;
	r->open = NULL;
	publish(r);
}

/* Publishes an item of its own for kind (and text).  false on stop. */
static bool
publish_item(dbk_script_reader *r, dbk_script_kind kind, const char *text, size_t len,
			 uint64_t line, const dbk_error *err_in)
{
	dbk_script_item *it;
	dbk_error	err;

	publish_open(r);
	if ((it = acquire(r)) == NULL)
		return false;
	it->kind = kind;
	it->line = line;
	if (err_in != NULL)
		it->err = *err_in;
	if (text != NULL && append(r, it, text, len, &err) != 0)
	{
		it->kind = DBK_SCRIPT_ERROR;
		it->err = err;
	}
	publish(r);
	return true;
}

static bool
copy_data(dbk_script_reader *r, const char *text, size_t len, uint64_t line, dbk_error *err)
{
	dbk_script_item *it = r->open;

	if (it == NULL)
	{
		if ((it = acquire(r)) == NULL)
			return false;
		it->kind = DBK_SCRIPT_COPY_DATA;
		it->line = line;
		r->open = it;
	}
	if (append(r, it, text, len, err) != 0)
		return false;
	if (it->rows_ok)
	{
		size_t		before = it->rows.nrows;

		if (dbk_copy_rows_add_lines(&it->rows, text, len, &it->rows_err) != 0)
		{
			if (it->rows_err.kind == DBK_E_NOMEM)
			{
				*err = it->rows_err;
				return false;
			}
			it->rows_ok = false;
			it->bad_line = line + (it->rows.nrows - before);
		}
	}
	if (it->len >= DBK_SCRIPT_BATCH)
		publish_open(r);
	return true;
}

/* One splitter event; false when the thread must end (stop or error in err). */
static bool
handle(dbk_script_reader *r, dbk_split_event ev, const char *text, size_t len, uint64_t line,
	   dbk_error *err, bool *ended)
{
	switch (ev)
	{
		case DBK_SPLIT_STATEMENT:
			return publish_item(r, DBK_SCRIPT_STATEMENT, text, len, line, NULL);
		case DBK_SPLIT_COPY_DATA:
			return copy_data(r, text, len, line, err);
		case DBK_SPLIT_COPY_END:
			return publish_item(r, DBK_SCRIPT_COPY_END, NULL, 0, line, NULL);
		case DBK_SPLIT_META:
			/* dbkeeper writes none; psql would run it, the replay cannot */
			dbk_fail(err, DBK_E_CORRUPT, "line %llu holds the psql meta-command \"%.*s\", which the in-place restore cannot run",
					 (unsigned long long) line, (int) (len > 60 ? 60 : len), text);
			return false;
		case DBK_SPLIT_END:
			*ended = true;
			return publish_item(r, DBK_SCRIPT_END, NULL, 0, line, NULL);
		case DBK_SPLIT_MORE:
			break;
	}
	return true;
}

static void *
run(void *arg)
{
	dbk_script_reader *r = arg;
	dbk_error	err;
	bool		input_done = false;
	bool		ended = false;

	dbk_error_clear(&err);
	while (!ended)
	{
		dbk_split_event ev;
		const char *text;
		size_t		len;
		uint64_t	line;

		if (dbk_splitter_next(r->split, &ev, &text, &len, &line, &err) != 0)
			goto failed;
		if (ev == DBK_SPLIT_MORE)
		{
			size_t		got;

			if (input_done)
			{
				dbk_fail(&err, DBK_E_INTERNAL, "the statement splitter asked for input after its end");
				goto failed;
			}
			if (dbk_archive_read(r->archive, r->buf, READ_CHUNK, &got, &err) != 0)
				goto failed;
			if (got == 0)
			{
				input_done = true;
				dbk_splitter_finish(r->split);
			}
			else if (dbk_splitter_feed(r->split, r->buf, got, &err) != 0)
				goto failed;
			continue;
		}
		if (!handle(r, ev, text, len, line, &err, &ended))
		{
			if (err.kind != DBK_OK)
				goto failed;
			return NULL;		/* stopped */
		}
	}
	return NULL;

failed:
	if (err.message[0] != '\0' && strstr(err.message, r->what) == NULL)
		dbk_error_prefix(&err, "%s: ", r->what);
	publish_item(r, DBK_SCRIPT_ERROR, NULL, 0, 0, &err);
	return NULL;
}

/* ------------------------------------------------------------ the caller */

static char *
copy_string(const dbk_allocator *a, const char *s)
{
	size_t		n = strlen(s) + 1;
	char	   *p = dbk_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static void
free_reader(dbk_script_reader *r)
{
	for (int i = 0; i < DBK_SCRIPT_QUEUE; i++)
	{
		dbk_free(r->a, r->items[i].text);
		dbk_copy_rows_free(&r->items[i].rows);
	}
	dbk_splitter_free(r->split);
	dbk_archive_reader_free(r->archive);
	dbk_free(r->a, r->buf);
	dbk_free(r->a, r->what);
	dbk_free(r->a, r);
}

dbk_script_reader *
dbk_script_reader_start(const dbk_allocator *a, dbk_source src, const char *what,
						size_t max_statement, dbk_meta *header_out, dbk_error *err)
{
	dbk_script_reader *r = dbk_alloc(a, sizeof(*r));
	pthread_condattr_t ca;
	int			rc;

	if (r == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->a = a;
	for (int i = 0; i < DBK_SCRIPT_QUEUE; i++)
		dbk_copy_rows_init(&r->items[i].rows, a);
	r->what = copy_string(a, what);
	r->buf = dbk_alloc(a, READ_CHUNK);
	if (r->what == NULL || r->buf == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		free_reader(r);
		return NULL;
	}
	r->archive = dbk_archive_reader_open(a, src, r->what, err);
	if (r->archive == NULL ||
		(header_out != NULL && dbk_meta_merge(header_out, dbk_archive_reader_header(r->archive), err) != 0) ||
		(r->split = dbk_splitter_new(a, max_statement, err)) == NULL)
	{
		free_reader(r);
		return NULL;
	}

	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->can_take, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&r->can_fill, NULL);
	rc = dbk_thread_start(&r->thread, run, r);
	if (rc != 0)
	{
		dbk_fail_errno(err, rc, "could not start the thread that reads %s", what);
		pthread_cond_destroy(&r->can_take);
		pthread_cond_destroy(&r->can_fill);
		pthread_mutex_destroy(&r->mu);
		free_reader(r);
		return NULL;
	}
	r->started = true;
	return r;
}

const dbk_script_item *
dbk_script_reader_next(dbk_script_reader *r, int timeout_ms)
{
	const dbk_script_item *it = NULL;
	struct timespec until;

	if (timeout_ms >= 0)
	{
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&r->mu);
	if (r->holding)
	{
		r->holding = false;
		r->released++;
		pthread_cond_signal(&r->can_fill);
	}
	while (r->taken == r->filled)
	{
		if (timeout_ms < 0)
			pthread_cond_wait(&r->can_take, &r->mu);
		else if (pthread_cond_timedwait(&r->can_take, &r->mu, &until) == ETIMEDOUT)
			break;
	}
	if (r->taken < r->filled)
	{
		it = &r->items[r->taken % DBK_SCRIPT_QUEUE];
		r->taken++;
		r->holding = true;
	}
	pthread_mutex_unlock(&r->mu);
	return it;
}

void
dbk_script_reader_stop(dbk_script_reader *r)
{
	if (r == NULL)
		return;
	if (r->started)
	{
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_broadcast(&r->can_fill);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		pthread_cond_destroy(&r->can_take);
		pthread_cond_destroy(&r->can_fill);
		pthread_mutex_destroy(&r->mu);
	}
	free_reader(r);
}
