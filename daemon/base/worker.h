/* SPDX-License-Identifier: BSD-3-Clause */
/* A bounded pool of threads for expensive work (password hashing) so the
 * event loop never stalls.  When the queue is full, submission fails at
 * once and the caller answers "busy" instead of growing memory. */
#ifndef OB_WORKER_H
#define OB_WORKER_H

struct worker_job {
	/* Runs on a worker thread: must not touch the store or any state of
	 * the event loop. */
	void (*run)(struct worker_job *job);
	/* Runs on the event loop thread after run, from worker_pool_drain. */
	void (*done)(struct worker_job *job);
	struct worker_job *next; /* owned by the pool */
};

struct worker_pool;

/* threads workers, at most queue jobs waiting.  Returns 0 or -errno. */
int worker_pool_new(struct worker_pool **out, unsigned threads, unsigned queue);
/* Readable when finished jobs wait for worker_pool_drain. */
int worker_pool_fd(const struct worker_pool *p);
/* Queue a job.  Returns 0, or -EBUSY when the queue is full. */
int worker_submit(struct worker_pool *p, struct worker_job *job);
/* Call done() of every finished job (event loop thread). */
void worker_pool_drain(struct worker_pool *p);
/* Jobs queued or running. */
unsigned worker_pool_pending(struct worker_pool *p);
/* Stop the threads after the jobs already queued, then run the remaining
 * done() callbacks, and free the pool. */
void worker_pool_free(struct worker_pool *p);

#endif
