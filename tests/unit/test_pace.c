// SPDX-License-Identifier: GPL-2.0-only
/*
 * The export token bucket (src/export/pace.c) on a hand-driven clock: a sleep moves the clock to
 * where it was asked to wake. The expected instants are worked out from the rule (a message of n
 * records costs n / rate seconds, the bucket holds depth messages of the most records one held),
 * not read from the code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "export/pace.h"

#define MS 1000000ull /* ns per millisecond */
#define S 1000000000ull

struct fake_clock {
	__u64 now;
	int sleeps;
};

static __u64 fake_now(void *arg)
{
	return ((struct fake_clock *)arg)->now;
}

static void fake_sleep_until(void *arg, __u64 ns)
{
	struct fake_clock *c = arg;

	c->sleeps++;
	if (ns > c->now)
		c->now = ns;
}

static struct fake_clock clk;
static struct bpfix_pace_clock fake = { fake_now, fake_sleep_until, &clk };

static int reset(void **state)
{
	(void)state;
	clk = (struct fake_clock){ .now = 1000 * S };
	return 0;
}

/* 1000 records/s, 4 messages deep: a message of 10 records costs 10 ms, the bucket holds 40 ms. */
static void paced(struct bpfix_pace *p)
{
	bpfix_pace_init(p, 1000, 4, &fake);
}

static void unpaced_never_waits(void **state)
{
	struct bpfix_pace p;
	int i;

	(void)state;
	bpfix_pace_init(&p, 0, 32, &fake);
	assert_false(bpfix_pace_on(&p));
	for (i = 0; i < 1000; i++)
		assert_true(bpfix_pace_wait(&p, 1000));
	assert_int_equal(clk.sleeps, 0);
	assert_int_equal(p.held_ns, 0);
	assert_true(bpfix_pace_room(&p, clk.now, clk.now) == BPFIX_PACE_UNLIMITED);
}

static void a_full_bucket_lets_depth_messages_go_at_once(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now;
	int i;

	(void)state;
	paced(&p);
	for (i = 0; i < 4; i++)
		assert_true(bpfix_pace_wait(&p, 10));
	assert_int_equal(clk.sleeps, 0);
	assert_int_equal(clk.now, t0);
	/* the fifth waits for one message's tokens: 10 records at 1000/s */
	assert_true(bpfix_pace_wait(&p, 10));
	assert_int_equal(clk.now, t0 + 10 * MS);
	assert_int_equal(p.held_ns, 10 * MS);
}

/* Over any stretch, what went is at most rate x time + the bucket's depth, and as much goes. */
static void sustained_rate_is_the_rate(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now, sent = 0;
	int i;

	(void)state;
	paced(&p);
	for (i = 0; i < 1000; i++) {
		assert_true(bpfix_pace_wait(&p, 10));
		sent += 10;
		assert_true(sent <= (clk.now - t0) * 1000 / S + 40);
	}
	/* the first 4 at once, then one every 10 ms */
	assert_int_equal(clk.now - t0, 996 * 10 * MS);
	assert_int_equal(p.held_ns, 996 * 10 * MS);
	assert_int_equal(p.messages_unpaced, 0);
}

static void idle_time_fills_the_bucket_only_to_its_depth(void **state)
{
	struct bpfix_pace p;
	__u64 t1;
	int i;

	(void)state;
	paced(&p);
	for (i = 0; i < 10; i++)
		bpfix_pace_wait(&p, 10);
	clk.now += 3600 * S; /* an hour without messages */
	t1 = clk.now;
	for (i = 0; i < 4; i++)
		bpfix_pace_wait(&p, 10);
	assert_int_equal(clk.now, t1);
	bpfix_pace_wait(&p, 10);
	assert_int_equal(clk.now, t1 + 10 * MS);
}

/* The depth is in messages of the most records one message held so far. */
static void depth_follows_the_largest_message(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now;
	int i;

	(void)state;
	paced(&p);
	bpfix_pace_wait(&p, 25); /* now 4 messages of 25: 100 records, 100 ms */
	for (i = 0; i < 3; i++)
		bpfix_pace_wait(&p, 25);
	assert_int_equal(clk.now, t0);
	bpfix_pace_wait(&p, 25);
	assert_int_equal(clk.now, t0 + 25 * MS);
}

/* A message of templates or statistics (no flow record) costs one record. */
static void a_message_without_records_costs_one(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now;
	int i;

	(void)state;
	bpfix_pace_init(&p, 1000, 2, &fake); /* per_message 1: 2 ms deep */
	for (i = 0; i < 3; i++)
		bpfix_pace_wait(&p, 0);
	assert_int_equal(clk.now, t0 + 1 * MS);
}

/* Past the deadline a message goes at once, counted; the bucket is paced again after it. */
static void past_the_deadline_messages_go_unpaced(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now;
	int i;

	(void)state;
	paced(&p);
	p.deadline_ns = t0 + 15 * MS;
	for (i = 0; i < 4; i++) /* the bucket's four */
		assert_true(bpfix_pace_wait(&p, 10));
	assert_true(bpfix_pace_wait(&p, 10)); /* at 10 ms, before the deadline */
	assert_true(bpfix_pace_wait(&p, 10)); /* at 20 ms: began waiting before it */
	assert_int_equal(clk.now, t0 + 20 * MS);
	for (i = 0; i < 5; i++)
		assert_false(bpfix_pace_wait(&p, 10));
	assert_int_equal(clk.now, t0 + 20 * MS);
	assert_int_equal(p.messages_unpaced, 5);
	assert_int_equal(p.records_unpaced, 50);
	assert_int_equal(p.held_ns, 20 * MS);
	/* no debt: with the deadline gone the next message waits one message's cost */
	p.deadline_ns = BPFIX_PACE_NO_DEADLINE;
	assert_true(bpfix_pace_wait(&p, 10));
	assert_int_equal(clk.now, t0 + 30 * MS);
}

static void room_is_the_tokens_now_and_those_earned_by_then(void **state)
{
	struct bpfix_pace p;
	__u64 t0 = clk.now;

	(void)state;
	paced(&p);
	bpfix_pace_wait(&p, 10); /* per_message 10: 40 records deep, 30 left */
	assert_int_equal(bpfix_pace_room(&p, t0, t0), 30);
	assert_int_equal(bpfix_pace_room(&p, t0, t0 + S), 1030);
	/* an empty bucket earns records only */
	bpfix_pace_wait(&p, 10);
	bpfix_pace_wait(&p, 10);
	bpfix_pace_wait(&p, 10);
	assert_int_equal(bpfix_pace_room(&p, t0, t0), 0);
	assert_int_equal(bpfix_pace_room(&p, t0, t0 + 500 * MS), 500);
	/* full again after 40 ms, never fuller */
	assert_int_equal(bpfix_pace_room(&p, t0 + 10 * S, t0 + 10 * S), 40);
	/* a deadline already past: only what the bucket holds */
	assert_int_equal(bpfix_pace_room(&p, t0 + 10 * S, t0), 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(unpaced_never_waits, reset),
		cmocka_unit_test_setup(a_full_bucket_lets_depth_messages_go_at_once, reset),
		cmocka_unit_test_setup(sustained_rate_is_the_rate, reset),
		cmocka_unit_test_setup(idle_time_fills_the_bucket_only_to_its_depth, reset),
		cmocka_unit_test_setup(depth_follows_the_largest_message, reset),
		cmocka_unit_test_setup(a_message_without_records_costs_one, reset),
		cmocka_unit_test_setup(past_the_deadline_messages_go_unpaced, reset),
		cmocka_unit_test_setup(room_is_the_tokens_now_and_those_earned_by_then, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
