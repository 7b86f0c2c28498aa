// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sweep with a budget of records (the live export's pace): flows that ended beyond it stay in
 * the source, still counting, the longest ended go first, none is held longer than its active
 * timeout, and a held flow the source loses is exported as it was seen. Expected values follow
 * the rules of bpfix_flow_table__sweep_within (flow_table.h), written by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "flow_fixture.h"

static __u64 held(const struct fixture *f)
{
	struct bpfix_flow_table_stats st;

	bpfix_flow_table__get_stats(f->ft, &st);
	return st.flows_held;
}

/* Five idle flows, a budget of two: the two silent longest go, three stay and keep counting. */
static void over_budget_flows_stay_in_the_source(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 5; i++) /* flow i silent since (5 - i) s: flow 4 the longest */
		set_flow(f, i, (__u16)(10 + i), 1, 100, 1 * S, (__u64)(5 - i) * S, 0);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 25 * S, 2), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 14, 1, 100, 1001000, 1001000, BPFIX_END_IDLE);
	expect_record(&f->sink.recs[1], 13, 1, 100, 1001000, 1002000, BPFIX_END_IDLE);
	assert_true(f->src.live[0] && f->src.live[1] && f->src.live[2]);
	assert_false(f->src.live[3] || f->src.live[4]);
	assert_int_equal(held(f), 3);

	/* flow 0 gets a packet while held: it goes on; the other two end at the next sweep */
	f->src.stats[0].packets = 2;
	f->src.stats[0].octets = 250;
	f->src.stats[0].last_ns = 26 * S;
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 27 * S, 10), 0);
	assert_int_equal(f->sink.n, 4);
	expect_record(&f->sink.recs[2], 12, 1, 100, 1001000, 1003000, BPFIX_END_IDLE);
	expect_record(&f->sink.recs[3], 11, 1, 100, 1001000, 1004000, BPFIX_END_IDLE);
	assert_true(f->src.live[0]);
	assert_int_equal(held(f), 0);
	/* nothing it counted while held is lost */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 41 * S), 0);
	assert_int_equal(f->sink.n, 5);
	expect_record(&f->sink.recs[4], 10, 2, 250, 1001000, 1026000, BPFIX_END_IDLE);
}

/* With no budget at all a flow waits, but no longer than its active timeout. */
static void held_at_most_the_active_timeout(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_opts opts = default_opts();

	opts.active_timeout_ns = 10 * S;
	reopen(f, &opts);
	set_flow(f, 0, 20, 4, 400, 1 * S, 2 * S, 0);
	set_flow(f, 1, 21, 1, 100, 3 * S, 3 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 20 * S, 0), 0); /* both due */
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 29 * S, 0), 0);
	assert_int_equal(f->sink.n, 0);
	assert_int_equal(held(f), 2);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 30 * S, 0), 0); /* held 10 s */
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 20, 4, 400, 1001000, 1002000, BPFIX_END_IDLE);
	expect_record(&f->sink.recs[1], 21, 1, 100, 1003000, 1003000, BPFIX_END_IDLE);
	assert_int_equal(held(f), 0);
	assert_false(f->src.live[0] || f->src.live[1]);
}

/* A flow first met ending, held, then gone from the source: its record, as it was seen. */
static void held_flow_the_source_loses_is_exported_as_seen(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 30, 7, 700, 1 * S, 2 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 20 * S, 0), 0);
	assert_int_equal(held(f), 1);
	f->src.live[0] = false; /* the LRU map evicted it, silently */
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 21 * S, 0), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 30, 7, 700, 1001000, 1002000, BPFIX_END_LACK_OF_RESOURCES);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_ended, 1);
	assert_int_equal(st.flows_active, 0);
}

/* A record that closes while the flow goes on costs the budget too; it may wait as well. */
static void active_records_wait_their_turn(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 40, 60, 6000, 1 * S, 61 * S, 0); /* active timeout due, sending */
	set_flow(f, 1, 41, 1, 100, 40 * S, 46 * S, 0);	/* idle, silent since 46 s */
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 62 * S, 1), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 41, 1, 100, 1040000, 1046000, BPFIX_END_IDLE);
	/* the held record grows meanwhile, and closes whole at the next sweep */
	f->src.stats[0].packets = 62;
	f->src.stats[0].octets = 6200;
	f->src.stats[0].last_ns = 62 * S;
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 63 * S, 1), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 40, 62, 6200, 1001000, 1062000, BPFIX_END_ACTIVE);
	assert_true(f->src.live[0]);
}

/* Records the sweep had to make (flows the source evicted and reported) come off the budget. */
static void evicted_records_use_the_budget_first(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 50, 1, 100, 1 * S, 1 * S, 0);
	set_flow(f, 1, 51, 1, 100, 1 * S, 1 * S, 0);
	set_flow(f, 2, 52, 1, 100, 1 * S, 2 * S, 0);
	set_flow(f, 3, 53, 1, 100, 1 * S, 3 * S, 0);
	evict_reported(&f->src, 0, 1, 100, 1 * S);
	evict_reported(&f->src, 1, 1, 100, 1 * S);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 20 * S, 3), 0);
	assert_int_equal(f->sink.n, 3);
	expect_record(&f->sink.recs[2], 52, 1, 100, 1001000, 1002000, BPFIX_END_IDLE);
	assert_true(f->src.live[3]);
	assert_int_equal(held(f), 1);
}

/* The forced end takes everything, held flows included. */
static void the_forced_end_takes_held_flows(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 60, 3, 300, 1 * S, 2 * S, 0);
	set_flow(f, 1, 61, 5, 500, 1 * S, 3 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep_within(f->ft, 20 * S, 0), 0);
	assert_int_equal(held(f), 2);
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 60, 3, 300, 1001000, 1002000, BPFIX_END_FORCED);
	expect_record(&f->sink.recs[1], 61, 5, 500, 1001000, 1003000, BPFIX_END_FORCED);
	assert_int_equal(held(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(over_budget_flows_stay_in_the_source, setup, teardown),
		cmocka_unit_test_setup_teardown(held_at_most_the_active_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(held_flow_the_source_loses_is_exported_as_seen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(active_records_wait_their_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(evicted_records_use_the_budget_first, setup, teardown),
		cmocka_unit_test_setup_teardown(the_forced_end_takes_held_flows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
