/*
 * thread.h — starting the core's own threads.
 *
 * A host process (a PostgreSQL backend above all) must run its signal
 * handlers on its own thread only, so every thread the core starts begins
 * with every signal blocked: the mask is set around pthread_create, which
 * the new thread inherits, and the caller's mask is put back.
 */
#ifndef DBK_THREAD_H
#define DBK_THREAD_H

#include <pthread.h>
#include <signal.h>

/* pthread_create with every signal blocked in the new thread; returns its result. */
static inline int
dbk_thread_start(pthread_t *thread, void *(*run) (void *), void *arg)
{
	sigset_t	all,
				old;
	int			rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, run, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

#endif
