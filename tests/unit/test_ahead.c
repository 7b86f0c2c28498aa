// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steps on a second thread ahead of the caller (meter/ahead.h): every step done once and in
 * order, never more than the window ahead of what the caller took in; a failing step ends the
 * steps with its error after the ones before it; a caller that stops early ends the thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdatomic.h>

#include "meter/ahead.h"

#define STEPS 200

struct job {
	__u32 steps;		/* the last one: steps - 1 */
	__u32 fail_at;		/* this step fails (EIO); steps: none */
	atomic_uint taken;	/* what the caller took in, as the steps see it */
	atomic_uint ahead_max;	/* the most steps done beyond taken, seen by a step */
	__u32 order[STEPS];	/* step i wrote i here */
	atomic_uint ran;
};

static int job_step(void *ctx, __u32 step, bool *last)
{
	struct job *j = ctx;
	__u32 beyond = step - atomic_load(&j->taken);

	if (beyond > atomic_load(&j->ahead_max))
		atomic_store(&j->ahead_max, beyond);
	atomic_fetch_add(&j->ran, 1);
	if (step == j->fail_at)
		return -EIO;
	j->order[step] = step;
	*last = step + 1 == j->steps;
	return 0;
}

/* Take in every step as the caller of a walk does; how many were taken in. */
static __u32 take_all(struct bpfix_ahead *a, struct job *j, __u32 stop_at, int *err)
{
	bool finished = false;
	__u32 taken = 0, done, i;

	while (!finished && taken < stop_at) {
		done = bpfix_ahead_wait(a, taken, &finished);
		for (; taken < done && taken < stop_at; taken++) {
			assert_int_equal(j->order[taken], taken);
			atomic_store(&j->taken, taken + 1);
			bpfix_ahead_took(a, taken + 1);
		}
	}
	*err = bpfix_ahead_end(a);
	for (i = 0; i < taken; i++)
		assert_int_equal(j->order[i], i);
	return taken;
}

static void every_step_in_order_within_the_window(void **state)
{
	struct job j = { .steps = STEPS, .fail_at = STEPS };
	struct bpfix_ahead a;
	int err;

	(void)state;
	for (__u32 i = 0; i < STEPS; i++)
		j.order[i] = UINT32_MAX;
	assert_int_equal(bpfix_ahead_start(&a, job_step, &j, 2), 0);
	assert_int_equal(take_all(&a, &j, STEPS, &err), STEPS);
	assert_int_equal(err, 0);
	assert_int_equal(atomic_load(&j.ran), STEPS);
	/* step i starts only once i - taken < 2: it is at most 1 beyond the last taken in */
	assert_true(atomic_load(&j.ahead_max) <= 1);
}

static void a_failing_step_ends_them(void **state)
{
	struct job j = { .steps = STEPS, .fail_at = 17 };
	struct bpfix_ahead a;
	int err;

	(void)state;
	assert_int_equal(bpfix_ahead_start(&a, job_step, &j, UINT32_MAX), 0);
	assert_int_equal(take_all(&a, &j, STEPS, &err), 17);
	assert_int_equal(err, -EIO);
	assert_int_equal(atomic_load(&j.ran), 18); /* none after the failing one */
}

static void a_caller_that_stops_ends_the_thread(void **state)
{
	struct job j = { .steps = STEPS, .fail_at = STEPS };
	struct bpfix_ahead a;
	int err;

	(void)state;
	assert_int_equal(bpfix_ahead_start(&a, job_step, &j, 2), 0);
	assert_int_equal(take_all(&a, &j, 5, &err), 5);
	assert_int_equal(err, 0);
	assert_true(atomic_load(&j.ran) <= 5 + 2); /* those taken in, and the window's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_step_in_order_within_the_window),
		cmocka_unit_test(a_failing_step_ends_them),
		cmocka_unit_test(a_caller_that_stops_ends_the_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
