// SPDX-License-Identifier: GPL-2.0-only
/*
 * The walk's holding window (src/flow/walk_ahead.c): whatever the number of flows met (none, fewer
 * than the window, exactly it, more, many times it), every flow is stepped exactly once, in the
 * order met, with its own statistics and its key's hash, and nothing is left for the next walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/walk_ahead.h"

#define MOST 1000u

struct stepped {
	__u32 ids[MOST];
	__u32 n;
};

static void key_of(struct bpfix_flow_key *k, __u32 id)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src_addr, &id, sizeof(id));
	k->ip_version = 4;
}

static void record_step(void *arg, const struct bpfix_flow_key *key,
			const struct bpfix_flow_stats *stats, __u32 hash)
{
	struct stepped *st = arg;
	__u32 id;

	memcpy(&id, key->src_addr, sizeof(id));
	assert_int_equal(stats->packets, id + 1);
	assert_int_equal(hash, bpfix_flow_store_hash(key));
	assert_true(st->n < MOST);
	st->ids[st->n++] = id;
}

/* Walks of @n flows, twice with the same window (the flush leaves it empty). */
static void walk_of(__u32 n)
{
	static struct bpfix_walk_ahead w;
	struct bpfix_flow_stats stats;
	struct bpfix_flow_key key;
	struct flow_store s;
	struct stepped st;
	__u32 i, round;

	bpfix_flow_store_init(&s);
	for (round = 0; round < 2; round++) {
		memset(&st, 0, sizeof(st));
		for (i = 0; i < n; i++) {
			key_of(&key, i);
			memset(&stats, 0, sizeof(stats));
			stats.packets = i + 1;
			bpfix_walk_ahead_push(&w, &s, &key, &stats, record_step, &st);
			/* the window holds at most BPFIX_WALK_AHEAD flows */
			assert_int_equal(st.n, i + 1 > BPFIX_WALK_AHEAD ? i + 1 - BPFIX_WALK_AHEAD : 0);
		}
		bpfix_walk_ahead_flush(&w, record_step, &st);
		assert_int_equal(st.n, n);
		for (i = 0; i < n; i++)
			assert_int_equal(st.ids[i], i);
	}
	bpfix_flow_store_fini(&s);
}

static void every_count_stepped_once_in_order(void **state)
{
	const __u32 counts[] = { 0, 1, BPFIX_WALK_AHEAD / 2, BPFIX_WALK_AHEAD - 1, BPFIX_WALK_AHEAD,
				 BPFIX_WALK_AHEAD + 1, 3 * BPFIX_WALK_AHEAD + 5, MOST };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		walk_of(counts[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_count_stepped_once_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
