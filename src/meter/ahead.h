/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Steps done in order on a second thread, ahead of the caller, who takes in the result of each
 * step done while the next ones go on (the next batch read from a map, the next run of the close
 * program): the kernel's half of the work beside user space's instead of before it. The thread
 * blocks every signal (they stay the caller's: they end its waits). It knows nothing of maps.
 */
#ifndef BPFIX_METER_AHEAD_H
#define BPFIX_METER_AHEAD_H

#include <pthread.h>
#include <stdbool.h>

#include <linux/types.h>

/* Do step @step (0, 1, ...): 0 or a negative errno (no step after it); *@last: none follows. */
typedef int (*bpfix_ahead_step_fn)(void *ctx, __u32 step, bool *last);

struct bpfix_ahead {
	bpfix_ahead_step_fn step;
	void *ctx;
	__u32 window;		/* steps done and not taken in, at most */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	__u32 done;		/* steps done (under lock) */
	__u32 taken;		/* steps whose results the caller is done with (under lock) */
	bool finished;		/* no step follows (under lock) */
	bool stop;		/* the caller wants no more (under lock) */
	int err;		/* the step that failed said this */
};

/* Start the thread; 0, or a negative errno: then the caller does the steps itself. */
int bpfix_ahead_start(struct bpfix_ahead *a, bpfix_ahead_step_fn step, void *ctx, __u32 window);
/* The steps done, waiting until more than @taken are or the thread has finished (*@finished). */
__u32 bpfix_ahead_wait(struct bpfix_ahead *a, __u32 taken, bool *finished);
/* The caller is done with the results of the first @taken steps (their room may be reused). */
void bpfix_ahead_took(struct bpfix_ahead *a, __u32 taken);
/* No step after the one under way; the thread joined: the error that ended it, or 0. */
int bpfix_ahead_end(struct bpfix_ahead *a);

#endif /* BPFIX_METER_AHEAD_H */
