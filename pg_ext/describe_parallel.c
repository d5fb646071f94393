/*
 * describe_parallel.c — the backup's schema description, built by a
 * parallel worker while the backend reads the script's definitions.
 *
 * Every backup records the schema's description in its header (keys
 * "fingerprint" and "schema").  On a database of many objects the
 * description and the script's catalog reads are the two largest parts of a
 * backup, and each needs only reads of the catalogs under the backup's
 * snapshot: so they run side by side, the description in one worker of
 * PostgreSQL's parallel infrastructure (access/parallel.h).  The worker
 * shares the backend's transaction, snapshot, locks (group locking), user
 * and settings, so its description is the one the backend would build
 * itself: dbk_pg_schema_describe() fixes every setting that changes its
 * text, with GUC_ACTION_SAVE, which parallel mode permits.
 *
 * The worker sends the fingerprint and the text back as one message on a
 * shared-memory queue; the backend reads it once its own reads are done.
 * An error in the worker is raised again in the backend (the parallel
 * infrastructure forwards it), and the backup stops as it would have.
 *
 * When no worker can be had (max_parallel_workers or max_worker_processes
 * used up or 0, or no dynamic shared memory), the backend describes the
 * schema itself, before its own reads, as it did before this file existed:
 * the text is the same either way.
 *
 * Between dbk_pg_describe_start() and dbk_pg_describe_finish() the backend
 * is in parallel mode: it may only read (no writes, no new XID, no
 * CommandCounterIncrement after a write, no nextval()).  The backup's
 * catalog reads between them are read-only SPI queries under the pushed
 * snapshot.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/memutils.h"

#include "describe_parallel.h"
#include "schema.h"

/* the queue's ring: the description (tens of kB to MBs) passes in pieces */
#define QUEUE_BYTES (256 * 1024)
/* the queue's key in the parallel context's table of contents */
#define KEY_QUEUE UINT64CONST(0xDB4B000000000001)

struct dbk_pg_describe_job
{
	ParallelContext *pcxt;		/* NULL: described here, in text */
	shm_mq_handle *queue;
	char	   *text;
	char		fingerprint[65];
};

PGDLLEXPORT void dbk_pg_describe_worker(dsm_segment *seg, shm_toc *toc);

/* What the worker sends: the fingerprint's 64 hex digits, then the text. */
void
dbk_pg_describe_worker(dsm_segment *seg, shm_toc *toc)
{
	shm_mq	   *mq = shm_toc_lookup(toc, KEY_QUEUE, false);
	shm_mq_handle *queue;
	shm_mq_iovec iov[2];
	char	   *text;
	char		fingerprint[65];

	shm_mq_set_sender(mq, MyProc);
	queue = shm_mq_attach(mq, seg, NULL);
	dbk_pg_schema_describe(&text, fingerprint);
	iov[0].data = fingerprint;
	iov[0].len = 64;
	iov[1].data = text;
	iov[1].len = strlen(text);
	/* the backend reads only once its own reads are done: wait for it */
	if (shm_mq_sendv(queue, iov, 2, false, true) != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not send the schema description to the backup's backend: it stopped waiting")));
	shm_mq_detach(queue);
}

dbk_pg_describe_job *
dbk_pg_describe_start(void)
{
	dbk_pg_describe_job *job = palloc0(sizeof(dbk_pg_describe_job));
	ParallelContext *pcxt;
	shm_mq	   *mq;

	EnterParallelMode();
	pcxt = CreateParallelContext("dbkeeper", "dbk_pg_describe_worker", 1);
	shm_toc_estimate_chunk(&pcxt->estimator, QUEUE_BYTES);
	shm_toc_estimate_keys(&pcxt->estimator, 1);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg != NULL)
	{
		mq = shm_mq_create(shm_toc_allocate(pcxt->toc, QUEUE_BYTES), QUEUE_BYTES);
		shm_toc_insert(pcxt->toc, KEY_QUEUE, mq);
		shm_mq_set_receiver(mq, MyProc);
		job->queue = shm_mq_attach(mq, pcxt->seg, NULL);
		LaunchParallelWorkers(pcxt);
	}
	if (pcxt->seg != NULL && pcxt->nworkers_launched == 1)
	{
		shm_mq_set_handle(job->queue, pcxt->worker[0].bgwhandle);
		job->pcxt = pcxt;
		return job;
	}
	/* no worker: describe here, now, outside parallel mode */
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	job->queue = NULL;
	dbk_pg_schema_describe(&job->text, job->fingerprint);
	return job;
}

bool
dbk_pg_describe_finish(dbk_pg_describe_job *job, char **text, char fingerprint_hex[65])
{
	bool		by_worker = job->pcxt != NULL;

	if (by_worker)
	{
		Size		len;
		void	   *data;
		shm_mq_result res = shm_mq_receive(job->queue, &len, &data, false);

		if (res == SHM_MQ_SUCCESS && len >= 64)
		{
			memcpy(job->fingerprint, data, 64);
			job->fingerprint[64] = '\0';
			job->text = pnstrdup((const char *) data + 64, len - 64);
		}
		/* a worker that failed raises its error here */
		WaitForParallelWorkersToFinish(job->pcxt);
		DestroyParallelContext(job->pcxt);
		ExitParallelMode();
		if (res != SHM_MQ_SUCCESS || len < 64)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("the parallel worker describing the schema ended without sending the description")));
	}
	*text = job->text;
	memcpy(fingerprint_hex, job->fingerprint, 65);
	pfree(job);
	return by_worker;
}
