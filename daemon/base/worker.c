/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pool: a mutex-protected queue in, a list and an eventfd out. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "worker.h"

struct worker_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct worker_job *queue_head, *queue_tail; /* waiting */
	struct worker_job *finished;                /* run, done() pending */
	unsigned queued, running, queue_max, nthreads;
	bool stopping;
	int efd;
	pthread_t *threads;
};

static void *worker_main(void *arg)
{
	struct worker_pool *p = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct worker_job *job;

		while (!p->queue_head && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!p->queue_head)
			break;
		job = p->queue_head;
		p->queue_head = job->next;
		if (!p->queue_head)
			p->queue_tail = NULL;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->lock);

		job->run(job);

		pthread_mutex_lock(&p->lock);
		p->running--;
		job->next = p->finished;
		p->finished = job;
		/* A failed write (counter full, never in practice) still
		 * leaves the job on the finished list for the next drain. */
		(void)!write(p->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int worker_pool_new(struct worker_pool **out, unsigned threads, unsigned queue)
{
	struct worker_pool *p;
	int r;

	*out = NULL;
	if (threads == 0 || queue == 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->threads = calloc(threads, sizeof(*p->threads));
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!p->threads || p->efd < 0) {
		r = p->efd < 0 ? -errno : -ENOMEM;
		if (p->efd >= 0)
			close(p->efd);
		free(p->threads);
		free(p);
		return r;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->queue_max = queue;
	for (unsigned i = 0; i < threads; i++) {
		r = pthread_create(&p->threads[i], NULL, worker_main, p);
		if (r) {
			p->nthreads = i;
			worker_pool_free(p);
			return -r;
		}
	}
	p->nthreads = threads;
	*out = p;
	return 0;
}

int worker_pool_fd(const struct worker_pool *p)
{
	return p->efd;
}

int worker_submit(struct worker_pool *p, struct worker_job *job)
{
	pthread_mutex_lock(&p->lock);
	if (p->stopping || p->queued >= p->queue_max) {
		pthread_mutex_unlock(&p->lock);
		return -EBUSY;
	}
	job->next = NULL;
	if (p->queue_tail)
		p->queue_tail->next = job;
	else
		p->queue_head = job;
	p->queue_tail = job;
	p->queued++;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void worker_pool_drain(struct worker_pool *p)
{
	struct worker_job *list, *next, *rev = NULL;
	uint64_t n;

	/* EAGAIN means nothing was signalled; the list is checked anyway. */
	(void)!read(p->efd, &n, sizeof(n));
	pthread_mutex_lock(&p->lock);
	list = p->finished;
	p->finished = NULL;
	pthread_mutex_unlock(&p->lock);
	/* Finished jobs were pushed newest first: restore their order. */
	while (list) {
		next = list->next;
		list->next = rev;
		rev = list;
		list = next;
	}
	for (list = rev; list; list = next) {
		next = list->next;
		list->done(list);
	}
}

unsigned worker_pool_pending(struct worker_pool *p)
{
	unsigned n;

	pthread_mutex_lock(&p->lock);
	n = p->queued + p->running;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void worker_pool_free(struct worker_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	worker_pool_drain(p);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	close(p->efd);
	free(p->threads);
	free(p);
}
