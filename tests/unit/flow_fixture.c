// SPDX-License-Identifier: GPL-2.0-only
/* The flow table tests' fake source, sink and fixture (flow_fixture.h); no test here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "flow_fixture.h"

static int fake_for_each(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct fake_source *src = ctx;
	int i, rc;

	for (i = 0; i < MAX_FAKE; i++) {
		if (!src->live[i])
			continue;
		rc = fn(&src->keys[i], &src->stats[i], arg);
		if (rc)
			return rc;
	}
	return 0;
}

static int find(struct fake_source *src, const struct bpfix_flow_key *key)
{
	int i;

	for (i = 0; i < MAX_FAKE; i++)
		if (src->live[i] && !memcmp(&src->keys[i], key, sizeof(*key)))
			return i;
	return -1;
}

static int fake_drain(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct fake_source *src = ctx;
	int i;

	for (i = 0; i < MAX_FAKE; i++) {
		if (!src->live[i])
			continue;
		src->live[i] = false;
		fn(&src->keys[i], &src->stats[i], arg);
	}
	return 0;
}

/* What both engines do: the close program's step (bpfix_flow_close) on each request. */
static int fake_close_many(void *ctx, struct bpfix_close *reqs, __u32 n)
{
	struct fake_source *src = ctx;
	__u32 k;
	int i;

	src->close_calls++;
	if (src->evict_before_close)
		src->live[src->evict_before_close - 1] = false;
	src->evict_before_close = 0;
	if (src->life_before_close)
		src->stats[0].life = src->life_before_close;
	src->life_before_close = 0;
	for (k = 0; k < n; k++) {
		i = find(src, &reqs[k].key);
		if (i < 0) {
			reqs[k].status = BPFIX_CLOSE_GONE;
			continue;
		}
		if (src->stragglers) { /* packets that raced the walk, at the time of its last */
			src->stats[i].packets += src->stragglers;
			src->stats[i].octets += src->stragglers * 100;
			src->stats[i].last_ns += S / 10;
			src->stragglers = 0;
		}
		if (bpfix_flow_close(&src->stats[i], &reqs[k])) {
			src->live[i] = false;
			src->removed++;
		} else if (reqs[k].op == BPFIX_CLOSE_RECORD && reqs[k].status == BPFIX_CLOSE_DONE) {
			src->closed++;
		}
	}
	return 0;
}

static int fake_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	(void)ctx;
	memset(counters, 0, sizeof(__u64) * BPFIX_CNT_MAX);
	return 0;
}

static int fake_drain_evicted(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct fake_source *src = ctx;
	int i;

	for (i = 0; i < src->n_evicted; i++)
		fn(&src->evicted_keys[i], &src->evicted_stats[i], arg);
	src->n_evicted = 0;
	return 0;
}

static const struct bpfix_flow_source_ops fake_ops = {
	.for_each = fake_for_each,
	.close_many = fake_close_many,
	.drain = fake_drain,
	.read_counters = fake_read_counters,
	.drain_evicted = fake_drain_evicted,
};

void evict_reported(struct fake_source *src, int i, __u64 packets, __u64 octets,
			   __u64 last_ns)
{
	src->evicted_keys[src->n_evicted] = src->keys[i];
	src->evicted_stats[src->n_evicted] = src->stats[i];
	src->evicted_stats[src->n_evicted].packets = packets;
	src->evicted_stats[src->n_evicted].octets = octets;
	src->evicted_stats[src->n_evicted].last_ns = last_ns;
	src->n_evicted++;
	src->live[i] = false;
}

static int sink_emit(const struct bpfix_record *rec, void *arg)
{
	struct sink *sink = arg;

	if (sink->fail) {
		sink->fail = 0;
		return -EIO;
	}
	assert_true(sink->n < 16);
	sink->recs[sink->n++] = *rec;
	return 0;
}

struct bpfix_flow_table_opts default_opts(void)
{
	return (struct bpfix_flow_table_opts){
		.idle_timeout_ns = 15 * S,
		.active_timeout_ns = 60 * S,
		.tcp_linger_ns = 1 * S,
		.clock_to_epoch_ns = 1000 * S,
	};
}

int setup(void **state)
{
	static struct fixture f;
	/* program clock 1 s = epoch 1001 s; clock 0 means no record open */
	const struct bpfix_flow_table_opts opts = default_opts();

	memset(&f, 0, sizeof(f));
	f.source.ops = &fake_ops;
	f.source.ctx = &f.src;
	f.ft = bpfix_flow_table__new(&opts, &f.source, sink_emit, &f.sink);
	assert_non_null(f.ft);
	*state = &f;
	return 0;
}

int teardown(void **state)
{
	struct fixture *f = *state;

	bpfix_flow_table__free(f->ft);
	return 0;
}

void set_flow(struct fixture *f, int i, __u16 port, __u64 packets, __u64 octets,
		     __u64 first_ns, __u64 last_ns, __u32 tcp_flags)
{
	memset(&f->src.keys[i], 0, sizeof(f->src.keys[i]));
	f->src.keys[i].ip_version = 4;
	f->src.keys[i].protocol = tcp_flags ? 6 : 17;
	f->src.keys[i].src_port = port;
	f->src.stats[i] = (struct bpfix_flow_stats){
		.packets = packets, .octets = octets, .first_ns = first_ns, .last_ns = last_ns,
		.tcp_flags = (__u8)tcp_flags, .ttl_range = BPFIX_TTL_RANGE(60, 64),
	};
	f->src.live[i] = true;
}

void expect_record(const struct bpfix_record *r, __u16 port, __u64 packets, __u64 octets,
			  __u64 start_ms, __u64 end_ms, int reason)
{
	assert_int_equal(r->key.src_port, port);
	assert_int_equal(r->packets, packets);
	assert_int_equal(r->octets, octets);
	assert_int_equal(r->start_ms, start_ms);
	assert_int_equal(r->end_ms, end_ms);
	assert_int_equal(r->end_reason, reason);
}

void reopen(struct fixture *f, const struct bpfix_flow_table_opts *opts)
{
	bpfix_flow_table__free(f->ft);
	f->ft = bpfix_flow_table__new(opts, &f->source, sink_emit, &f->sink);
	assert_non_null(f->ft);
}

