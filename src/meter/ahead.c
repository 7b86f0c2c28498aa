// SPDX-License-Identifier: GPL-2.0-only
/* Steps done in order on a second thread ahead of the caller (ahead.h). */
#include <errno.h>
#include <signal.h>

#include "meter/ahead.h"

static void *ahead_main(void *arg)
{
	struct bpfix_ahead *a = arg;
	bool last = false, stop;
	int err = 0;
	__u32 i;

	for (i = 0; !last && !err; i++) {
		pthread_mutex_lock(&a->lock);
		while (i - a->taken >= a->window && !a->stop)
			pthread_cond_wait(&a->changed, &a->lock);
		stop = a->stop;
		pthread_mutex_unlock(&a->lock);
		if (stop)
			break;
		err = a->step(a->ctx, i, &last);
		pthread_mutex_lock(&a->lock);
		if (!err)
			a->done = i + 1;
		a->err = err;
		pthread_cond_broadcast(&a->changed);
		pthread_mutex_unlock(&a->lock);
	}
	pthread_mutex_lock(&a->lock);
	a->finished = true;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int bpfix_ahead_start(struct bpfix_ahead *a, bpfix_ahead_step_fn step, void *ctx, __u32 window)
{
	sigset_t all, was;
	int err;

	*a = (struct bpfix_ahead){ .step = step, .ctx = ctx, .window = window ? window : 1 };
	err = pthread_mutex_init(&a->lock, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&a->changed, NULL);
	if (err) {
		pthread_mutex_destroy(&a->lock);
		return -err;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	err = pthread_create(&a->thread, NULL, ahead_main, a);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (err) {
		pthread_cond_destroy(&a->changed);
		pthread_mutex_destroy(&a->lock);
	}
	return -err;
}

__u32 bpfix_ahead_wait(struct bpfix_ahead *a, __u32 taken, bool *finished)
{
	__u32 done;

	pthread_mutex_lock(&a->lock);
	while (a->done == taken && !a->finished)
		pthread_cond_wait(&a->changed, &a->lock);
	done = a->done;
	*finished = a->finished;
	pthread_mutex_unlock(&a->lock);
	return done;
}

void bpfix_ahead_took(struct bpfix_ahead *a, __u32 taken)
{
	pthread_mutex_lock(&a->lock);
	a->taken = taken;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
}

int bpfix_ahead_end(struct bpfix_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->changed);
	pthread_mutex_destroy(&a->lock);
	return a->err;
}
