// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow lifecycle tests: the flow table over a fake flow source whose totals each test sets by
 * hand, with a hand-driven clock (flow_fixture.c). Checks which records come out, with which
 * end reason, counts and times; the expected values are written from the rules in DESIGN.md §4,
 * not from the code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "flow_fixture.h"

static void idle_flow_ends_after_idle_timeout(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 1, 3, 300, 1 * S, 3 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 17 * S), 0); /* 14 s idle: not yet */
	assert_int_equal(f->sink.n, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 18 * S), 0); /* 15 s idle */
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 1, 3, 300, 1001000, 1003000, BPFIX_END_IDLE);
	assert_false(f->src.live[0]);
}

static void active_timeout_gives_delta_records(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 2, 60, 6000, 1 * S, 60 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 2, 60, 6000, 1001000, 1060000, BPFIX_END_ACTIVE);
	assert_true(f->src.live[0]); /* the flow goes on */
	assert_int_equal(f->src.closed, 1);

	/* 40 more packets from 61 s to 100 s: the program set first_ns again */
	f->src.stats[0].packets = 100;
	f->src.stats[0].octets = 10000;
	f->src.stats[0].first_ns = 61 * S;
	f->src.stats[0].last_ns = 100 * S;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 2, 40, 4000, 1061000, 1100000, BPFIX_END_FORCED);
	assert_false(f->src.live[0]);
}

static void closed_record_without_news_ends_silently(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 3, 61, 610, 1 * S, 61 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	assert_int_equal(f->sink.n, 1);
	/* nothing new, idle later: removed, and no empty record */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 62 * S), 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 76 * S), 0);
	assert_int_equal(f->sink.n, 1);
	assert_false(f->src.live[0]);
}

static void tcp_fin_ends_after_linger(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 4, 5, 500, 1 * S, 10 * S, 0x11 /* FIN|ACK */);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 10 * S + S / 2), 0);
	assert_int_equal(f->sink.n, 0); /* still lingering */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 11 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 4, 5, 500, 1001000, 1010000, BPFIX_END_DETECTED);
	assert_int_equal(f->sink.recs[0].tcp_flags, 0x11);
}

static void evicted_flow_exports_what_was_seen(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 5, 7, 700, 1 * S, 3 * S, 0);
	set_flow(f, 1, 6, 1, 100, 1 * S, 3 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 4 * S), 0);
	assert_int_equal(f->sink.n, 0);
	f->src.live[0] = false; /* the LRU map evicted it */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 5 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 5, 7, 700, 1001000, 1003000, BPFIX_END_LACK_OF_RESOURCES);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_evicted, 1);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.packets, 7);
}

static void reported_eviction_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 9, 4, 400, 1 * S, 2 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 3 * S), 0); /* seen with 4 packets */
	/* 3 more packets after that sweep, then evicted: the record has all 7 */
	evict_reported(&f->src, 0, 7, 700, 3 * S + S / 2);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 4 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 9, 7, 700, 1001000, 1003500, BPFIX_END_LACK_OF_RESOURCES);
	/* and it is not reported a second time as vanished */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 5 * S), 0);
	assert_int_equal(f->sink.n, 1);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_evicted, 1);
	assert_int_equal(st.flows_ended, 1);
	assert_int_equal(st.packets, 7);
	assert_int_equal(st.octets, 700);
}

static void evicted_and_back_before_a_sweep(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 12, 10, 1000, 1 * S, 2 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 3 * S), 0); /* seen with 10 packets */
	/* evicted silently, and the same key metered again: a new life with 3 packets */
	set_flow(f, 0, 12, 3, 300, 3 * S + S / 2, 3 * S + S / 2, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 4 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 12, 10, 1000, 1001000, 1002000, BPFIX_END_LACK_OF_RESOURCES);
	/* the new life is exported whole when it ends, not as "3 - 10" */
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 12, 3, 300, 1003500, 1003500, BPFIX_END_FORCED);
}

static void packets_racing_a_removal_keep_the_flow(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 13, 4, 400, 1 * S, 10 * S, 0x11 /* FIN|ACK */);
	f->src.stragglers = 2; /* the final ACKs arrive between the walk's read and the close */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 11 * S), 0);
	assert_int_equal(f->sink.n, 0); /* the close program found them: not removed */
	assert_true(f->src.live[0]);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 12 * S), 0); /* silent for the linger */
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 13, 6, 600, 1001000, 1010100, BPFIX_END_DETECTED);
	assert_false(f->src.live[0]);
}

/* A flow the map evicts, or evicts and makes again, between the walk and the close. */
static void flow_leaving_the_map_before_its_close(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 14, 60, 6000, 1 * S, 60 * S, 0);	/* its record closes */
	f->src.stats[0].life = 3;
	set_flow(f, 1, 15, 2, 200, 1 * S, 2 * S, 0);	/* idle */
	f->src.evict_before_close = 2;
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	/* the idle one ended all the same: what the walk saw, as idle */
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 15, 2, 200, 1001000, 1002000, BPFIX_END_IDLE);
	expect_record(&f->sink.recs[1], 14, 60, 6000, 1001000, 1060000, BPFIX_END_ACTIVE);
	/* 10 more packets; then evicted and made again before its next close: what the walk saw
	 * goes out as lost to eviction, and the new life is not touched */
	f->src.stats[0].packets = 70;
	f->src.stats[0].octets = 7000;
	f->src.stats[0].first_ns = 100 * S;
	f->src.stats[0].last_ns = 160 * S;
	f->src.life_before_close = 4;
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 161 * S), 0);
	assert_int_equal(f->sink.n, 3);
	expect_record(&f->sink.recs[2], 14, 10, 1000, 1100000, 1160000,
		      BPFIX_END_LACK_OF_RESOURCES);
	assert_int_equal(f->src.closed, 1);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_evicted, 1);
	assert_int_equal(st.flows_ended, 2);
	/* the new life is exported whole */
	f->src.stats[0].packets = 5;
	f->src.stats[0].octets = 500;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 4);
	expect_record(&f->sink.recs[3], 14, 5, 500, 1100000, 1160000, BPFIX_END_FORCED);
}

static void idle_timeout_per_protocol(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_opts opts = default_opts();

	/* UDP flows end after 5 s here, TCP keeps the general 15 s */
	opts.idle_timeout_proto_ns[BPFIX_PROTO_UDP] = 5 * S;
	reopen(f, &opts);
	set_flow(f, 0, 10, 1, 100, 1 * S, 1 * S, 0);	  /* UDP */
	set_flow(f, 1, 11, 1, 100, 1 * S, 1 * S, 0x10); /* TCP, ACK only */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 6 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 10, 1, 100, 1001000, 1001000, BPFIX_END_IDLE);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 16 * S), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 11, 1, 100, 1001000, 1001000, BPFIX_END_IDLE);
}

static void clock_going_back_is_not_idle(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 7, 2, 200, 50 * S, 50 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 10 * S), 0); /* earlier than last packet */
	assert_int_equal(f->sink.n, 0);
	assert_true(f->src.live[0]);
}

static void failed_emit_is_counted_and_reported(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 8, 2, 200, 1 * S, 1 * S, 0);
	f->sink.fail = 1;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0); /* the sink reports; the walk goes on */
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.records_failed, 1);
	assert_int_equal(st.records, 1); /* made: its packets are not lost to eviction */
	assert_int_equal(st.packets, 2);
}

static void active_timeout_per_protocol(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_opts opts = default_opts();

	/* TCP records close every 30 s, UDP every 60 s (the general value), SCTP every 10 s */
	opts.active_timeout_proto_ns[BPFIX_PROTO_TCP] = 30 * S;
	opts.active_timeout_proto_ns[BPFIX_PROTO_OTHER] = 10 * S;
	opts.idle_timeout_ns = 100 * S;
	reopen(f, &opts);
	set_flow(f, 0, 20, 30, 3000, 1 * S, 31 * S, 0x10); /* TCP */
	set_flow(f, 1, 21, 30, 3000, 1 * S, 31 * S, 0);	   /* UDP */
	set_flow(f, 2, 22, 11, 1100, 1 * S, 11 * S, 0);
	f->src.keys[2].protocol = 132;			    /* SCTP */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 11 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 22, 11, 1100, 1001000, 1011000, BPFIX_END_ACTIVE);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 31 * S), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 20, 30, 3000, 1001000, 1031000, BPFIX_END_ACTIVE);
	assert_int_equal(f->src.closed, 2); /* both go on; UDP has not reached its 60 s */
	assert_true(f->src.live[0] && f->src.live[1] && f->src.live[2]);
}

static void idle_timeout_of_other_protocols(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_opts opts = default_opts();

	opts.idle_timeout_proto_ns[BPFIX_PROTO_OTHER] = 3 * S;
	reopen(f, &opts);
	set_flow(f, 0, 0, 2, 200, 1 * S, 2 * S, 0);
	f->src.keys[0].protocol = 47; /* GRE: no ports, class "other" */
	set_flow(f, 1, 23, 2, 200, 1 * S, 2 * S, 0); /* UDP: the general 15 s */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 5 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 0, 2, 200, 1001000, 1002000, BPFIX_END_IDLE);
	assert_int_equal(f->sink.recs[0].key.protocol, 47);
	assert_true(f->src.live[1]);
}

static void tcp_linger_is_configurable(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_opts opts = default_opts();

	opts.tcp_linger_ns = 5 * S;
	reopen(f, &opts);
	set_flow(f, 0, 24, 3, 300, 1 * S, 10 * S, 0x04 /* RST */);
	set_flow(f, 1, 25, 6, 600, 1 * S, 12 * S, 0x11 /* FIN|ACK */);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 14 * S), 0);
	assert_int_equal(f->sink.n, 0); /* 4 s after the RST: still lingering */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 15 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 24, 3, 300, 1001000, 1010000, BPFIX_END_DETECTED);
	/* the final ACK joins the closing flow inside the linger */
	f->src.stats[1].packets = 7;
	f->src.stats[1].octets = 652;
	f->src.stats[1].last_ns = 16 * S;
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 20 * S), 0);
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 21 * S), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 25, 7, 652, 1001000, 1016000, BPFIX_END_DETECTED);
}

static void records_of_a_sweep_in_time_order(void **state)
{
	struct fixture *f = *state;
	static const __u16 oldest_first[] = { 33, 32, 31, 30 };
	int i;

	/* the source hands flows over in its own order: latest start first */
	set_flow(f, 0, 30, 1, 100, 5 * S, 6 * S, 0);
	set_flow(f, 1, 31, 1, 100, 3 * S, 9 * S, 0);
	set_flow(f, 2, 32, 1, 100, 3 * S, 4 * S, 0);
	set_flow(f, 3, 33, 1, 100, 1 * S, 2 * S, 0);
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(f->sink.recs[i].key.src_port, oldest_first[i]);
}

/* Durations come from the program's clock; a host clock step moves records, never bends them. */
static void host_clock_step_keeps_records_whole(void **state)
{
	struct fixture *f = *state;
	__u64 packets = 0, octets = 0;
	int i;

	set_flow(f, 0, 34, 60, 6000, 1 * S, 60 * S, 0);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	/* settimeofday ten minutes back: the offset sampled before the next sweep drops by 600 s */
	bpfix_flow_table__set_clock_to_epoch(f->ft, (__s64)(1000 * S) - (__s64)(600 * S));
	f->src.stats[0].packets = 100;
	f->src.stats[0].octets = 10000;
	f->src.stats[0].first_ns = 62 * S;
	f->src.stats[0].last_ns = 100 * S;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 34, 40, 4000, 1062000 - 600000, 1100000 - 600000,
		      BPFIX_END_FORCED);
	for (i = 0; i < f->sink.n; i++) {
		assert_true(f->sink.recs[i].end_ms >= f->sink.recs[i].start_ms);
		packets += f->sink.recs[i].packets;
		octets += f->sink.recs[i].octets;
	}
	assert_int_equal(packets, 100);
	assert_int_equal(octets, 10000);
}

static void deltas_add_up_to_totals(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;
	__u64 packets = 0, octets = 0, t;
	int i;

	/* a 200 s stream, one packet of 100 + t octets every second, a sweep half a second after
	 * each: a record is 60 s old at the sweep after its 61st packet */
	set_flow(f, 0, 35, 0, 0, 0, 0, 0);
	for (t = 1; t <= 200; t++) {
		if (!f->src.stats[0].first_ns)
			f->src.stats[0].first_ns = t * S;
		f->src.stats[0].packets++;
		f->src.stats[0].octets += 100 + t;
		f->src.stats[0].last_ns = t * S;
		assert_int_equal(bpfix_flow_table__sweep(f->ft, t * S + S / 2), 0);
	}
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 4); /* 1..61, 62..122, 123..183, 184..200 */
	for (i = 0; i < f->sink.n; i++) {
		assert_int_equal(f->sink.recs[i].end_reason,
				 i < 3 ? BPFIX_END_ACTIVE : BPFIX_END_FORCED);
		assert_int_equal(f->sink.recs[i].start_ms, 1000000 + (__u64)(1 + 61 * i) * 1000);
		packets += f->sink.recs[i].packets;
		octets += f->sink.recs[i].octets;
	}
	assert_int_equal(packets, 200);
	assert_int_equal(octets, 200 * 100 + 200 * 201 / 2);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_ended, 1); /* one life, four records */
	assert_int_equal(st.octets, octets);
}

static void tcp_flags_and_ttl_are_per_record(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 36, 60, 6000, 1 * S, 60 * S, 0x12 /* SYN|ACK */);
	f->src.stats[0].ttl_range = BPFIX_TTL_RANGE(30, 64);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(f->sink.recs[0].tcp_flags, 0x12);
	assert_int_equal(f->sink.recs[0].ttl_min, 30);
	/* the program adds two ACKs with TTL 64 to the closed record, as bpfix_flow_stats_add does */
	f->src.stats[0].packets += 2;
	f->src.stats[0].octets += 200;
	f->src.stats[0].tcp_flags |= 0x10;
	f->src.stats[0].first_ns = 62 * S;
	f->src.stats[0].last_ns = 63 * S;
	f->src.stats[0].ttl_range = BPFIX_TTL_RANGE(64, 64);
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[1], 36, 2, 200, 1062000, 1063000, BPFIX_END_FORCED);
	assert_int_equal(f->sink.recs[1].tcp_flags, 0x10); /* no SYN in this record */
	assert_int_equal(f->sink.recs[1].ttl_min, 64);
}

/*
 * The TCP analysis in records: gaps and retransmissions are the record's (closed with it, as
 * the close program exchanges them); the round trips are the connection's, in every record once
 * measured, and only where their bit says so; the first packet's flags in every record.
 */
static void tcp_analysis_in_records(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_stats *s = &f->src.stats[0];

	set_flow(f, 0, 39, 60, 6000, 1 * S, 60 * S, 0x12 /* SYN|ACK */);
	s->tcp_loss = 3ull << 32 | 2; /* 2 gaps, 3 retransmitted segments */
	s->tcp_seq = (__u64)(0x12 | BPFIX_TCP_SEQ_SEEN | BPFIX_TCP_RTT_SERVER |
			     BPFIX_TCP_RTT_SERVER_AMBIGUOUS) << 32 | 5000;
	s->rtt_server_us = 41000;
	s->rtt_client_us = 999; /* an earlier connection's: no bit, not in the record */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(f->sink.recs[0].tcp_gaps, 2);
	assert_int_equal(f->sink.recs[0].tcp_retransmissions, 3);
	assert_int_equal(f->sink.recs[0].rtt_flags,
			 BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_SERVER_AMBIGUOUS);
	assert_int_equal(f->sink.recs[0].rtt_server_us, 41000);
	assert_int_equal(f->sink.recs[0].rtt_client_us, 0);
	assert_int_equal(f->sink.recs[0].tcp_first_flags, 0x12);
	assert_int_equal(s->tcp_loss, 0); /* closed with the record */
	/* the next record: one retransmission of its own, the round trip still */
	s->packets += 1;
	s->octets += 100;
	s->first_ns = 62 * S;
	s->last_ns = 62 * S;
	s->tcp_loss = 1ull << 32;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	assert_int_equal(f->sink.recs[1].tcp_gaps, 0);
	assert_int_equal(f->sink.recs[1].tcp_retransmissions, 1);
	assert_int_equal(f->sink.recs[1].rtt_server_us, 41000);
	assert_int_equal(f->sink.recs[1].tcp_first_flags, 0x12);
}

static void closing_tcp_flow_at_its_active_timeout(void **state)
{
	struct fixture *f = *state;

	/* FIN half a second before the active timeout: the record is due, the linger is not over */
	set_flow(f, 0, 37, 10, 1000, 1 * S, 60 * S + S / 2, 0x11 /* FIN|ACK */);
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 61 * S), 0);
	assert_int_equal(f->sink.n, 1);
	expect_record(&f->sink.recs[0], 37, 10, 1000, 1001000, 1060500, BPFIX_END_ACTIVE);
	assert_int_equal(f->sink.recs[0].tcp_flags, 0x11);
	/* silent for the linger: it ended, with nothing left to export */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 62 * S), 0);
	assert_int_equal(f->sink.n, 1);
	assert_false(f->src.live[0]);
}

/*
 * A direction that sent its FIN and goes on sending (ACKs of the other side's data, half-closed)
 * gets its active-timeout records like any flow; once silent for the linger it ends as detected,
 * though its last records carry no FIN.
 */
static void half_closed_tcp_gets_active_records(void **state)
{
	struct fixture *f = *state;
	__u64 t, packets = 0;
	int i;

	set_flow(f, 0, 38, 0, 0, 0, 0, 0);
	for (t = 1; t <= 150; t++) { /* one packet a second; the FIN at 10 s */
		if (!f->src.stats[0].first_ns)
			f->src.stats[0].first_ns = t * S;
		f->src.stats[0].packets++;
		f->src.stats[0].octets += 52;
		f->src.stats[0].last_ns = t * S;
		f->src.stats[0].tcp_flags |= t == 10 ? 0x11 : 0x10;
		assert_int_equal(bpfix_flow_table__sweep(f->ft, t * S + S / 2), 0);
	}
	/* records at the sweeps after 61 and 122 s: the active timeout, FIN or not */
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 38, 61, 61 * 52, 1001000, 1061000, BPFIX_END_ACTIVE);
	assert_int_equal(f->sink.recs[0].tcp_flags, 0x11);
	expect_record(&f->sink.recs[1], 38, 61, 61 * 52, 1062000, 1122000, BPFIX_END_ACTIVE);
	assert_int_equal(f->sink.recs[1].tcp_flags, 0x10);
	/* it stops: the linger, not the idle timeout, ends it */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 151 * S), 0);
	assert_int_equal(f->sink.n, 3);
	expect_record(&f->sink.recs[2], 38, 28, 28 * 52, 1123000, 1150000, BPFIX_END_DETECTED);
	for (i = 0; i < f->sink.n; i++)
		packets += f->sink.recs[i].packets;
	assert_int_equal(packets, 150);
	assert_false(f->src.live[0]);
}

/*
 * Two lives of one key with the same life id (forced: ids are unique 64-bit numbers) and the new
 * one with fewer octets than already exported: never a delta near 2^64.
 */
static void life_id_collision_gives_no_wrapped_delta(void **state)
{
	struct fixture *f = *state;
	int i;

	set_flow(f, 0, 46, 10, 1000, 1 * S, 2 * S, 0);
	f->src.stats[0].life = 7;
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 3 * S), 0); /* seen: 10 packets */
	/* evicted and created again under the same id: more packets, fewer (larger) octets */
	set_flow(f, 0, 46, 12, 600, 3 * S + S / 4, 3 * S + S / 2, 0);
	f->src.stats[0].life = 7;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0);
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 46, 10, 1000, 1001000, 1002000,
		      BPFIX_END_LACK_OF_RESOURCES);
	expect_record(&f->sink.recs[1], 46, 12, 600, 1003250, 1003500, BPFIX_END_FORCED);
	for (i = 0; i < f->sink.n; i++)
		assert_true(f->sink.recs[i].octets <= 1000);
}

static void ended_flows_go_to_the_source_in_one_batch(void **state)
{
	struct fixture *f = *state;
	struct bpfix_flow_table_stats st;

	set_flow(f, 0, 40, 1, 100, 1 * S, 1 * S, 0);
	set_flow(f, 1, 41, 2, 200, 1 * S, 2 * S, 0);
	set_flow(f, 2, 42, 3, 300, 1 * S, 19 * S, 0x11 /* FIN|ACK: ends by detection */);
	set_flow(f, 3, 43, 4, 400, 1 * S, 4 * S, 0);
	set_flow(f, 4, 44, 60, 6000, 1 * S, 61 * S, 0); /* its record closes, it goes on */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 62 * S), 0);
	assert_int_equal(f->src.close_calls, 1);
	assert_int_equal(f->src.removed, 4);
	assert_int_equal(f->src.closed, 1);
	assert_false(f->src.live[0] || f->src.live[1] || f->src.live[2] || f->src.live[3]);
	assert_true(f->src.live[4]);
	assert_int_equal(f->sink.n, 5);
	bpfix_flow_table__get_stats(f->ft, &st);
	assert_int_equal(st.flows_ended, 4);
	assert_int_equal(st.flows_active, 1);
	/* a sweep with nothing ending asks nothing */
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 63 * S), 0);
	assert_int_equal(f->src.close_calls, 1);
}

static void evicted_and_back_bigger_is_told_apart_by_life(void **state)
{
	struct fixture *f = *state;

	set_flow(f, 0, 45, 10, 1000, 1 * S, 2 * S, 0);
	f->src.stats[0].life = 7;
	assert_int_equal(bpfix_flow_table__sweep(f->ft, 3 * S), 0); /* seen: 10 packets */
	/* evicted and created again; the new life already has more packets than the old */
	set_flow(f, 0, 45, 25, 2500, 3 * S + S / 4, 3 * S + S / 2, 0);
	f->src.stats[0].life = 8;
	assert_int_equal(bpfix_flow_table__flush(f->ft), 0); /* the forced end finds it */
	assert_int_equal(f->sink.n, 2);
	expect_record(&f->sink.recs[0], 45, 10, 1000, 1001000, 1002000,
		      BPFIX_END_LACK_OF_RESOURCES);
	expect_record(&f->sink.recs[1], 45, 25, 2500, 1003250, 1003500, BPFIX_END_FORCED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(idle_flow_ends_after_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(active_timeout_gives_delta_records, setup, teardown),
		cmocka_unit_test_setup_teardown(closed_record_without_news_ends_silently, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tcp_fin_ends_after_linger, setup, teardown),
		cmocka_unit_test_setup_teardown(evicted_flow_exports_what_was_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(reported_eviction_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(evicted_and_back_before_a_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(packets_racing_a_removal_keep_the_flow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(flow_leaving_the_map_before_its_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(idle_timeout_per_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(clock_going_back_is_not_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_emit_is_counted_and_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(active_timeout_per_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_timeout_of_other_protocols, setup, teardown),
		cmocka_unit_test_setup_teardown(tcp_linger_is_configurable, setup, teardown),
		cmocka_unit_test_setup_teardown(records_of_a_sweep_in_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(host_clock_step_keeps_records_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(deltas_add_up_to_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(tcp_flags_and_ttl_are_per_record, setup, teardown),
		cmocka_unit_test_setup_teardown(ended_flows_go_to_the_source_in_one_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(evicted_and_back_bigger_is_told_apart_by_life, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tcp_analysis_in_records, setup, teardown),
		cmocka_unit_test_setup_teardown(closing_tcp_flow_at_its_active_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(half_closed_tcp_gets_active_records, setup, teardown),
		cmocka_unit_test_setup_teardown(life_id_collision_gives_no_wrapped_delta, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
