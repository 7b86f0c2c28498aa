// SPDX-License-Identifier: GPL-2.0-only
/*
 * The deadline-driven sweep (src/flow/deadlines.c) against the walk of the whole source, and the
 * timer wheel under it (src/flow/wheel.c). Two host engines get the same frames (pseudo-random
 * traffic: TCP and UDP flows, FIN and RST, packets out of time order, flows that idle, linger,
 * reach their active timeout, come back); one table sweeps on the notices of its engine, the
 * other's engine is shown to its table without notices, so every sweep walks it. Every sweep
 * must give the same records, on a roomy engine, on one that evicts (and reports it), and
 * under a pace budget that holds flows back. A lost notice makes the next sweep a walk; a source
 * that evicts silently is walked from 90 % of its capacity; a creation notice that comes after a
 * walk ended its flow does not bring the flow back. No privilege needed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_proto.h"
#include "flow/flow_table.h"
#include "flow/wheel.h"
#include "frame_builder.h"
#include "meter/host_meter.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define FLOWS 48
#define SECONDS 90

/* ---- the wheel ---- */

struct item {
	struct bpfix_wheel_link link;
	int id;
	bool taken;
};

static void mark(struct bpfix_wheel_link *l, void *arg)
{
	struct item *it = (struct item *)((char *)l - offsetof(struct item, link));

	it->taken = true;
	(*(int *)arg)++;
}

static int take(struct bpfix_wheel *w, __u64 now)
{
	int n = 0;

	bpfix_wheel_take_due(w, now, mark, &n);
	return n;
}

static void wheel_takes_what_is_due_once(void **state)
{
	struct bpfix_wheel w;
	struct item it[6] = { { .id = 0 } };
	int i;

	(void)state;
	/* 16 slots of 1024 ns: a rotation is 16 384 ns */
	assert_int_equal(bpfix_wheel_init(&w, 4, 10), 0);
	bpfix_wheel_put(&w, &it[0].link, 5000);
	bpfix_wheel_put(&w, &it[1].link, 5000 + 16384 * 3); /* three rotations later, same slot */
	bpfix_wheel_put(&w, &it[2].link, 9000);
	bpfix_wheel_put(&w, &it[3].link, 9100);
	bpfix_wheel_put(&w, &it[4].link, 100000);
	assert_int_equal(take(&w, 4999), 0);
	assert_int_equal(take(&w, 5000), 1);
	assert_true(it[0].taken && !it[1].taken);
	assert_int_equal(take(&w, 9050), 1); /* 9000, not 9100 in the same slot */
	assert_true(it[2].taken && !it[3].taken);
	/* moved later, then sooner; one removed */
	bpfix_wheel_put(&w, &it[3].link, 60000);
	bpfix_wheel_put(&w, &it[3].link, 9600);
	bpfix_wheel_unlink(&it[4].link);
	assert_false(bpfix_wheel_linked(&it[4].link));
	assert_int_equal(take(&w, 9600), 1);
	assert_true(it[3].taken);
	/* a deadline already past is due at the next take, even with the clock stepped back */
	bpfix_wheel_put(&w, &it[5].link, 100);
	assert_int_equal(take(&w, 9000), 1);
	assert_true(it[5].taken);
	/* a gap of many rotations takes every due link, once */
	assert_int_equal(take(&w, 5000 + 16384 * 3 - 1), 0);
	assert_int_equal(take(&w, 16384 * 50), 1);
	assert_true(it[1].taken);
	for (i = 0; i < 6; i++)
		assert_false(bpfix_wheel_linked(&it[i].link));
	assert_int_equal(take(&w, 16384 * 60), 0);
	bpfix_wheel_fini(&w);
}

/* ---- two engines, two tables ---- */

/* A source passed through, counting walks; notices hidden, lost or dropped on demand. */
struct shown {
	struct bpfix_flow_source source;
	struct bpfix_flow_source_ops ops;
	struct bpfix_flow_source *inner;
	int walks;		/* for_each calls */
	int lose_next;		/* drop the next notices (say they were lost) */
	GArray *late;		/* struct bpfix_notice: if set, notices come a sweep late */
	int fail_call;		/* from this close_many_each call (from 1) on, the first of more
				 * than one run fails after its first run; 0: none */
	int each_calls, failures;
};

static struct shown *shown_of(void *ctx)
{
	return ctx;
}

static int shown_for_each(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct shown *s = shown_of(ctx);

	s->walks++;
	return s->inner->ops->for_each(s->inner->ctx, fn, arg);
}

static int shown_close_many(void *ctx, struct bpfix_close *reqs, __u32 n)
{
	return shown_of(ctx)->inner->ops->close_many(shown_of(ctx)->inner->ctx, reqs, n);
}

/* Answers in runs of 7, as the kernel hands them over from its second thread; one call may fail
 * part way, leaving the rest pending as the kernel's does. */
static int shown_close_many_each(void *ctx, struct bpfix_close *reqs, __u32 n,
				 bpfix_answered_fn answered, void *arg)
{
	struct shown *s = shown_of(ctx);
	__u32 first, count, runs = 0;
	bool failing = s->fail_call && ++s->each_calls >= s->fail_call && !s->failures && n > 7;

	for (first = 0; first < n; first += count, runs++) {
		count = n - first < 7 ? n - first : 7;
		if (failing && runs == 1) {
			s->failures++;
			answered(first, n - first, arg); /* left pending */
			return -EIO;
		}
		shown_close_many(ctx, reqs + first, count);
		answered(first, count, arg);
	}
	return 0;
}

static int shown_drain(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return shown_of(ctx)->inner->ops->drain(shown_of(ctx)->inner->ctx, fn, arg);
}

static int shown_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	return shown_of(ctx)->inner->ops->read_counters(shown_of(ctx)->inner->ctx, counters);
}

static int shown_drain_evicted(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return shown_of(ctx)->inner->ops->drain_evicted(shown_of(ctx)->inner->ctx, fn, arg);
}

static void drop(const struct bpfix_notice *n, void *arg)
{
	(void)n;
	(void)arg;
}

static void hold(const struct bpfix_notice *n, void *arg)
{
	g_array_append_vals(arg, n, 1);
}

static int shown_drain_notices(void *ctx, bpfix_notice_fn fn, void *arg, bool *lost)
{
	struct shown *s = shown_of(ctx);
	guint i;
	int err;

	if (s->late) {
		/* the last sweep's notices now, and a walk: what the table meets first in the walk
		 * is noticed only at the next sweep */
		for (i = 0; i < s->late->len; i++)
			fn(&g_array_index(s->late, struct bpfix_notice, i), arg);
		g_array_set_size(s->late, 0);
		err = s->inner->ops->drain_notices(s->inner->ctx, hold, s->late, lost);
		*lost = true;
		return err;
	}

	if (s->lose_next) {
		s->lose_next = 0;
		s->inner->ops->drain_notices(s->inner->ctx, drop, NULL, lost);
		*lost = true;
		return 0;
	}
	return s->inner->ops->drain_notices(s->inner->ctx, fn, arg, lost);
}

static void show(struct shown *s, struct bpfix_flow_source *inner, bool notices,
		 __u64 silent_capacity)
{
	s->inner = inner;
	s->ops = *inner->ops;
	s->ops.for_each = shown_for_each;
	s->ops.close_many = shown_close_many;
	s->ops.close_many_each = shown_close_many_each;
	s->ops.drain = shown_drain;
	s->ops.read_counters = shown_read_counters;
	s->ops.drain_evicted = shown_drain_evicted;
	s->ops.drain_notices = notices ? shown_drain_notices : NULL;
	s->source = (struct bpfix_flow_source){ &s->ops, s, silent_capacity };
}

/* Records in the order the table gave them, each with the number of its sweep. */
struct recorded {
	GArray *recs; /* struct bpfix_record */
	GArray *sweeps; /* int */
	int sweep;
};

static int keep(const struct bpfix_record *rec, void *arg)
{
	struct recorded *r = arg;

	g_array_append_vals(r->recs, rec, 1);
	g_array_append_val(r->sweeps, r->sweep);
	return 0;
}

struct side {
	struct bpfix_host_engine *eng;
	struct shown shown;
	struct recorded got;
	struct bpfix_flow_table *ft;
	__u64 held;	/* flows held back for the budget, summed over the sweeps */
};

/* Timeouts: records end mostly idle, or mostly active (a record start is then all it knows). */
static const struct bpfix_flow_table_opts idle_first = {
	.idle_timeout_ns = 6 * S,
	.active_timeout_ns = 15 * S,
	.tcp_linger_ns = 2 * S,
};
static const struct bpfix_flow_table_opts active_first = {
	.idle_timeout_ns = 20 * S,
	.active_timeout_ns = 7 * S,
	.tcp_linger_ns = 3 * S,
};

static void side_open(struct side *d, const struct bpfix_flow_table_opts *opts, __u32 max_flows,
		      bool notices, __u64 silent_capacity)
{
	d->eng = bpfix_host_engine__new(max_flows, 64, BPFIX_GTPU_PORT);
	assert_non_null(d->eng);
	show(&d->shown, bpfix_host_engine__source(d->eng), notices, silent_capacity);
	d->got.recs = g_array_new(FALSE, FALSE, sizeof(struct bpfix_record));
	d->got.sweeps = g_array_new(FALSE, FALSE, sizeof(int));
	d->ft = bpfix_flow_table__new(opts, &d->shown.source, keep, &d->got);
	assert_non_null(d->ft);
}

static void side_close(struct side *d)
{
	if (d->shown.late)
		g_array_free(d->shown.late, TRUE);
	bpfix_flow_table__free(d->ft);
	bpfix_host_engine__free(d->eng);
	g_array_free(d->got.recs, TRUE);
	g_array_free(d->got.sweeps, TRUE);
}

static const __u8 mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };

/* Flow @i's packet with TCP flags @flags (UDP for odd flows). */
static void frame_of(struct frame *f, unsigned int i, __u8 flags)
{
	struct frame_ipv4_fields ip = { .src = { 10, 0, 0, (__u8)i }, .dst = { 192, 0, 2, 1 },
					.protocol = (__u8)(i & 1 ? 17 : 6), .ttl = 64 };

	frame_init(f);
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &ip);
	if (i & 1)
		frame_udp(f, (__u16)(2000 + i), 53);
	else
		frame_tcp(f, (__u16)(3000 + i), 443, flags);
	frame_finish(f);
}

static __u8 flags_of(unsigned int r)
{
	switch (r % 23) {
	case 0:
		return BPFIX_TCP_FIN | BPFIX_TCP_ACK;
	case 1:
		return BPFIX_TCP_RST;
	case 2:
		return BPFIX_TCP_SYN;
	default:
		return BPFIX_TCP_ACK;
	}
}

static bool same_record(const struct bpfix_record *a, const struct bpfix_record *b)
{
	return !memcmp(&a->key, &b->key, sizeof(a->key)) && a->start_ms == b->start_ms &&
	       a->end_ms == b->end_ms && a->packets == b->packets && a->octets == b->octets &&
	       a->end_reason == b->end_reason && a->tcp_flags == b->tcp_flags &&
	       a->ttl_min == b->ttl_min && a->ttl_max == b->ttl_max;
}

static void same_records(const struct side *walked, const struct side *due)
{
	guint i;

	for (i = 0; i < walked->got.recs->len && i < due->got.recs->len; i++) {
		const struct bpfix_record *a = &g_array_index(walked->got.recs, struct bpfix_record, i);
		const struct bpfix_record *b = &g_array_index(due->got.recs, struct bpfix_record, i);

		if (!same_record(a, b) ||
		    g_array_index(walked->got.sweeps, int, i) != g_array_index(due->got.sweeps, int, i))
			fail_msg("record %u differs: walk port %u sweep %d %llu packets reason %u, "
				 "deadline port %u sweep %d %llu packets reason %u", i,
				 a->key.src_port, g_array_index(walked->got.sweeps, int, i),
				 (unsigned long long)a->packets, a->end_reason, b->key.src_port,
				 g_array_index(due->got.sweeps, int, i),
				 (unsigned long long)b->packets, b->end_reason);
	}
	assert_int_equal(due->got.recs->len, walked->got.recs->len);
}

/*
 * The capture: each flow talks in some 10-second windows and is silent in others (so it idles,
 * comes back as a new life, or talks past its active timeout); 1 packet in 40 is half a second
 * back in time (a record's start moves earlier).
 */
static void traffic(struct side *sides[2], unsigned int seed, __u64 budget, int lose_at)
{
	unsigned int r = seed, sec, k, i;
	struct bpfix_flow_table_stats st;
	int rc, failures;
	struct frame f;
	__u64 t;
	int d;

	for (sec = 0; sec < SECONDS; sec++) {
		for (k = 0; k < 60; k++) {
			r = r * 1103515245u + 12345u;
			i = (r >> 8) % FLOWS;
			if ((seed * 7 + sec / 10 * 5 + i * 3) % 4 == 0)
				continue;
			t = T0 + sec * S + (__u64)k * (S / 60);
			if ((r >> 4) % 40 == 0 && sec)
				t -= S / 2; /* out of time order */
			frame_of(&f, i, flags_of(r >> 12));
			for (d = 0; d < 2; d++)
				bpfix_host_engine__run_frame(sides[d]->eng, f.bytes, f.len, t);
		}
		if ((int)sec == lose_at)
			sides[1]->shown.lose_next = 1;
		for (d = 0; d < 2; d++) {
			sides[d]->got.sweep = (int)sec;
			failures = sides[d]->shown.failures;
			rc = bpfix_flow_table__sweep_within(sides[d]->ft, T0 + (sec + 1) * S, budget);
			/* a close that failed part way is the sweep's error */
			assert_int_equal(rc, sides[d]->shown.failures > failures ? -EIO : 0);
			bpfix_flow_table__get_stats(sides[d]->ft, &st);
			sides[d]->held += st.flows_held;
		}
	}
	for (d = 0; d < 2; d++) {
		sides[d]->got.sweep = SECONDS;
		assert_int_equal(bpfix_flow_table__flush(sides[d]->ft), 0);
	}
}

/* Over @seeds captures: the same records; returns the flows the walks held for the budget. */
static __u64 compare(const struct bpfix_flow_table_opts *opts, __u32 max_flows, __u64 budget,
		     unsigned int seeds)
{
	__u64 held = 0;
	unsigned int seed;

	for (seed = 1; seed <= seeds; seed++) {
		struct side walked = { 0 }, due = { 0 }, *sides[2] = { &walked, &due };

		side_open(&walked, opts, max_flows, false, 0);
		side_open(&due, opts, max_flows, true, 0);
		traffic(sides, seed, budget, -1);
		same_records(&walked, &due);
		assert_int_equal(walked.shown.walks, SECONDS);
		assert_int_equal(due.shown.walks, 1); /* the first sweep only */
		assert_true(walked.got.recs->len > 100);
		held += walked.held;
		side_close(&walked);
		side_close(&due);
	}
	return held;
}

static void deadline_sweep_gives_the_walks_records(void **state)
{
	(void)state;
	compare(&idle_first, 4096, UINT64_MAX, 8);
	compare(&active_first, 4096, UINT64_MAX, 8);
}

static void deadline_sweep_with_reported_evictions(void **state)
{
	(void)state;
	/* the engine evicts, and reports what it evicts */
	compare(&idle_first, FLOWS / 2, UINT64_MAX, 4);
	compare(&active_first, FLOWS / 2, UINT64_MAX, 4);
}

static void deadline_sweep_under_a_budget(void **state)
{
	(void)state;
	/* held flows are due again at the next sweep */
	assert_true(compare(&idle_first, 4096, 3, 4) > 100);
	assert_true(compare(&active_first, 4096, 3, 4) > 100);
}

/*
 * Notices a sweep late, every sweep a walk, a linger of 0 (a FIN ends its flow at the walk that
 * meets it): a flow born since the last sweep is met and ended by the walk before its creation
 * is noticed; the notice must not bring it back (it would be exported twice).
 */
static void late_creation_notice_of_an_ended_flow(void **state)
{
	static const struct bpfix_flow_table_opts no_linger = {
		.idle_timeout_ns = 6 * S,
		.active_timeout_ns = 15 * S,
	};
	__u32 max_flows[2] = { 4096, FLOWS / 2 };
	unsigned int seed, m;

	(void)state;
	for (m = 0; m < 2; m++) {
		for (seed = 1; seed <= 4; seed++) {
			struct side walked = { 0 }, due = { 0 }, *sides[2] = { &walked, &due };

			side_open(&walked, &no_linger, max_flows[m], false, 0);
			side_open(&due, &no_linger, max_flows[m], true, 0);
			due.shown.late = g_array_new(FALSE, FALSE, sizeof(struct bpfix_notice));
			traffic(sides, seed, UINT64_MAX, -1);
			same_records(&walked, &due);
			side_close(&walked);
			side_close(&due);
		}
	}
}

static void lost_notice_makes_the_next_sweep_a_walk(void **state)
{
	struct side walked = { 0 }, due = { 0 }, *sides[2] = { &walked, &due };

	(void)state;
	side_open(&walked, &idle_first, 4096, false, 0);
	side_open(&due, &idle_first, 4096, true, 0);
	traffic(sides, 7, UINT64_MAX, 40);
	/* the notices of second 41 were lost: without the walk, their flows would be unknown */
	same_records(&walked, &due);
	assert_int_equal(due.shown.walks, 2); /* the first sweep, the one after the loss */
	side_close(&walked);
	side_close(&due);
}

static void silent_source_near_capacity_is_walked(void **state)
{
	struct side walked = { 0 }, due = { 0 }, *sides[2] = { &walked, &due };

	(void)state;
	side_open(&walked, &idle_first, 4096, false, 0);
	/* a source that would evict silently past 40 flows: the table knows more than 90 % of it
	 * from the first seconds on, so every sweep walks */
	side_open(&due, &idle_first, 4096, true, 40);
	traffic(sides, 3, UINT64_MAX, -1);
	same_records(&walked, &due);
	assert_true(due.shown.walks > SECONDS / 2);
	side_close(&walked);
	side_close(&due);
}

/* More notices between two sweeps than the host engine keeps: they are lost, the sweep walks. */
static void host_engine_past_its_notice_room(void **state)
{
	struct side due = { 0 };
	struct frame f;
	__u64 packets = 0;
	guint i;

	(void)state;
	side_open(&due, &idle_first, 1u << 16, true, 0); /* keeps 65 536 notices */
	assert_int_equal(bpfix_flow_table__sweep(due.ft, T0), 0); /* the first sweep walks */
	for (i = 0; i < 70000; i++) {
		struct frame_ipv4_fields ip = {
			.src = { 10, (__u8)(i >> 16), (__u8)(i >> 8), (__u8)i },
			.dst = { 192, 0, 2, 1 }, .protocol = 17, .ttl = 64 };

		frame_init(&f);
		frame_eth(&f, mac_b, mac_a, 0x0800);
		frame_ipv4(&f, &ip);
		frame_udp(&f, 4000, 53);
		frame_finish(&f);
		bpfix_host_engine__run_frame(due.eng, f.bytes, f.len, T0 + S + i);
	}
	assert_int_equal(bpfix_flow_table__sweep(due.ft, T0 + 2 * S), 0);
	assert_int_equal(due.shown.walks, 2);
	assert_int_equal(bpfix_flow_table__flush(due.ft), 0);
	assert_int_equal(due.got.recs->len, 70000);
	for (i = 0; i < due.got.recs->len; i++)
		packets += g_array_index(due.got.recs, struct bpfix_record, i).packets;
	assert_int_equal(packets, 70000);
	side_close(&due);
}

static void sum_records(const struct side *d, __u64 *packets, __u64 *octets)
{
	guint i;

	*packets = *octets = 0;
	for (i = 0; i < d->got.recs->len; i++) {
		*packets += g_array_index(d->got.recs, struct bpfix_record, i).packets;
		*octets += g_array_index(d->got.recs, struct bpfix_record, i).octets;
	}
}

/*
 * The source fails part way through the answers of a sweep's removals: the sweep says so, the
 * next one walks, and every packet and octet still goes out once.
 */
static void close_failing_part_way(void **state)
{
	__u64 packets[2], octets[2];
	int call;

	(void)state;
	for (call = 3; call <= 30; call += 9) {
		struct side walked = { 0 }, due = { 0 }, *sides[2] = { &walked, &due };

		side_open(&walked, &idle_first, 4096, false, 0);
		side_open(&due, &idle_first, 4096, true, 0);
		due.shown.fail_call = call;
		traffic(sides, 5, UINT64_MAX, -1);
		assert_int_equal(due.shown.failures, 1);
		assert_int_equal(due.shown.walks, 2); /* the first sweep, the one after the failure */
		sum_records(&walked, &packets[0], &octets[0]);
		sum_records(&due, &packets[1], &octets[1]);
		assert_true(packets[0] > 1000);
		assert_int_equal(packets[1], packets[0]);
		assert_int_equal(octets[1], octets[0]);
		side_close(&walked);
		side_close(&due);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wheel_takes_what_is_due_once),
		cmocka_unit_test(deadline_sweep_gives_the_walks_records),
		cmocka_unit_test(deadline_sweep_with_reported_evictions),
		cmocka_unit_test(deadline_sweep_under_a_budget),
		cmocka_unit_test(late_creation_notice_of_an_ended_flow),
		cmocka_unit_test(lost_notice_makes_the_next_sweep_a_walk),
		cmocka_unit_test(silent_source_near_capacity_is_walked),
		cmocka_unit_test(host_engine_past_its_notice_room),
		cmocka_unit_test(close_failing_part_way),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
