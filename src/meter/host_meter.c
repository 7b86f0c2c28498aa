// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host engine: parse with common/bpfix_parse.h, account with common/bpfix_account.h (TCP:
 * common/bpfix_tcp.h, handshakes in host_conns.c), into an exact-LRU hash map (lru_hash.c). It
 * mirrors the TC program step by step (parse window, counters, replay's interface 0 and ingress
 * direction); it does not read captures or export records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_account.h"
#include "bpfix_parse.h"
#include "bpfix_tcp.h"
#include "meter/flow_key_hash.h"
#include "meter/host_conns.h"
#include "meter/host_meter.h"
#include "meter/lru_hash.h"
#include "meter/meter.h"

/* A flow evicted for room, kept until the flow table drains it. */
struct evicted_flow {
	struct bpfix_flow_key key;
	struct bpfix_flow_stats stats;
};

struct bpfix_host_engine {
	struct bpfix_flow_source source;
	struct bpfix_lru_hash *flows; /* struct bpfix_flow_key -> struct bpfix_flow_stats */
	GArray *evicted;	   /* struct evicted_flow, since the last drain */
	GArray *notices;	   /* struct bpfix_notice since the last drain: never lost */
	struct bpfix_host_conns *conns; /* TCP handshakes under way */
	__u64 lives;		   /* flows created: each life's id, unique as the kernel's */
	__u16 gtpu_port;
	__u64 counters[BPFIX_CNT_MAX];
	struct bpfix_pkt_meta meta;
	struct bpfix_tcp_seg seg;  /* the packet's, if it is TCP */
};

static struct bpfix_flow_stats *flow_stats(const struct bpfix_host_engine *eng, __u32 flow)
{
	return bpfix_lru_hash__value(eng->flows, flow);
}

static const struct bpfix_flow_key *flow_key(const struct bpfix_host_engine *eng, __u32 flow)
{
	return bpfix_lru_hash__key(eng->flows, flow);
}

static int host_for_each(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct bpfix_host_engine *eng = ctx;
	__u32 i;
	int rc;

	for (i = 0; i < eng->flows->count; i++) {
		rc = fn(flow_key(eng, i), flow_stats(eng, i), arg);
		if (rc)
			return rc;
	}
	return 0;
}

static int host_drain(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct bpfix_host_engine *eng = ctx;

	host_for_each(ctx, fn, arg);
	bpfix_lru_hash__clear(eng->flows);
	return 0;
}

/* The close program's steps, on the host table (no concurrency: a removal never finds news). */
static int host_close_many(void *ctx, struct bpfix_close *reqs, __u32 n)
{
	struct bpfix_host_engine *eng = ctx;
	__u32 i, flow;

	for (i = 0; i < n; i++) {
		flow = bpfix_lru_hash__find(eng->flows, &reqs[i].key,
					    bpfix_key_hash(&reqs[i].key, sizeof(reqs[i].key)));
		if (flow == BPFIX_LRU_NONE)
			reqs[i].status = BPFIX_CLOSE_GONE;
		else if (bpfix_flow_close(flow_stats(eng, flow), &reqs[i]))
			bpfix_lru_hash__delete(eng->flows, flow);
	}
	return 0;
}

static int host_drain_evicted(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	struct bpfix_host_engine *eng = ctx;
	guint i;
	int rc = 0;

	for (i = 0; i < eng->evicted->len && !rc; i++) {
		struct evicted_flow *flow = &g_array_index(eng->evicted, struct evicted_flow, i);

		rc = fn(&flow->key, &flow->stats, arg);
	}
	g_array_set_size(eng->evicted, 0);
	return rc;
}

static int host_drain_notices(void *ctx, bpfix_notice_fn fn, void *arg, bool *lost)
{
	struct bpfix_host_engine *eng = ctx;
	guint i;

	*lost = false;
	for (i = 0; i < eng->notices->len; i++)
		fn(&g_array_index(eng->notices, struct bpfix_notice, i), arg);
	g_array_set_size(eng->notices, 0);
	return 0;
}

static int host_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	struct bpfix_host_engine *eng = ctx;

	memcpy(counters, eng->counters, sizeof(eng->counters));
	return 0;
}

static const struct bpfix_flow_source_ops host_source_ops = {
	.for_each = host_for_each,
	.close_many = host_close_many,
	.drain = host_drain,
	.read_counters = host_read_counters,
	.drain_evicted = host_drain_evicted,
	.drain_notices = host_drain_notices,
};

struct bpfix_host_engine *bpfix_host_engine__new(__u32 max_flows, __u32 max_conns,
						 __u16 gtpu_port)
{
	struct bpfix_host_engine *eng = calloc(1, sizeof(*eng));

	if (!eng)
		return NULL;
	eng->conns = bpfix_host_conns__new(max_conns);
	if (!eng->conns) {
		free(eng);
		return NULL;
	}
	eng->flows = bpfix_lru_hash__new(sizeof(struct bpfix_flow_key),
					 sizeof(struct bpfix_flow_stats), max_flows);
	if (!eng->flows) {
		bpfix_host_conns__free(eng->conns);
		free(eng);
		return NULL;
	}
	eng->evicted = g_array_new(FALSE, FALSE, sizeof(struct evicted_flow));
	eng->notices = g_array_new(FALSE, FALSE, sizeof(struct bpfix_notice));
	eng->gtpu_port = gtpu_port;
	eng->source.ops = &host_source_ops;
	eng->source.ctx = eng;
	return eng;
}

/* Add to the @n counters the accounting rule named in @idx what it says a packet adds. */
static void count_all(struct bpfix_host_engine *eng, const enum bpfix_counter *idx, int n,
		      __u32 packets, __u64 octets)
{
	int i;

	for (i = 0; i < n; i++)
		eng->counters[idx[i]] += bpfix_count_amount(idx[i], packets, octets);
}

/* The TC program's bpfix_tcp_meter(): the segment in eng->seg, for the flow @stats. */
static void tcp_meter(struct bpfix_host_engine *eng, struct bpfix_flow_stats *stats,
		      __u32 packets)
{
	__u32 result = bpfix_tcp_account(stats, &eng->seg, packets);
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_conn_key key;
	struct bpfix_conn fresh, *c;
	int done = 0;

	if (result & BPFIX_TCP_RESYNCED)
		eng->counters[BPFIX_CNT_TCP_SEQ_RESYNC]++;
	if (!BPFIX_TCP_STEP(result))
		return;
	eng->seg.side = bpfix_conn_key_from_meta(&key, &eng->meta, 0);
	c = bpfix_host_conns__lookup(eng->conns, &key);
	result = bpfix_conn_step(c, &fresh, result, &eng->seg, stats);
	if (BPFIX_CONN_ACTION(result) == BPFIX_CONN_INSERT)
		done = !bpfix_host_conns__insert(eng->conns, &key, &fresh,
						 &eng->counters[BPFIX_CNT_TCP_HANDSHAKES_EVICTED]);
	else if (BPFIX_CONN_ACTION(result) == BPFIX_CONN_DELETE)
		done = !bpfix_host_conns__delete(eng->conns, &key);
	count_all(eng, idx, bpfix_conn_counts(result, done, idx), 1, 0);
}

/* The TC program's notify(): what the flow table must know of the flow @key (@kinds). */
static void notify(struct bpfix_host_engine *eng, const struct bpfix_flow_key *key,
		   const struct bpfix_flow_stats *stats, __u32 kinds)
{
	g_array_set_size(eng->notices, eng->notices->len + 1);
	bpfix_notice_of(&g_array_index(eng->notices, struct bpfix_notice, eng->notices->len - 1),
			key, stats, kinds);
}

/*
 * A new flow for @key (@hash) as the most recently used, evicting the stalest when full: unlike
 * the kernel's LRU map, the evicted flow is kept for the flow table, which exports it. Its index,
 * or BPFIX_LRU_NONE when memory for it is short.
 */
static __u32 create_flow(struct bpfix_host_engine *eng, const struct bpfix_flow_key *key,
			 __u32 hash, __u64 now_ns, __u32 packets, __u64 octets)
{
	struct evicted_flow *gone;
	__u32 flow;

	if (bpfix_lru_hash__full(eng->flows)) {
		flow = bpfix_lru_hash__stalest(eng->flows);
		g_array_set_size(eng->evicted, eng->evicted->len + 1);
		gone = &g_array_index(eng->evicted, struct evicted_flow, eng->evicted->len - 1);
		gone->key = *flow_key(eng, flow);
		gone->stats = *flow_stats(eng, flow);
		bpfix_lru_hash__delete(eng->flows, flow);
	}
	flow = bpfix_lru_hash__insert(eng->flows, key, hash);
	if (flow == BPFIX_LRU_NONE)
		return flow;
	bpfix_flow_stats_init(flow_stats(eng, flow), &eng->meta, now_ns, packets, octets);
	flow_stats(eng, flow)->life = ++eng->lives;
	return flow;
}

/*
 * The TC program's account(): add to the flow and make it the most recently used, or create it.
 * @tcp: eng->seg holds the packet's TCP segment.
 */
static void account(struct bpfix_host_engine *eng, const struct bpfix_flow_key *key,
		    __u64 now_ns, __u32 packets, __u64 octets, int tcp)
{
	__u32 hash = bpfix_key_hash(key, sizeof(*key));
	__u32 flow = bpfix_lru_hash__find(eng->flows, key, hash);
	enum bpfix_flow_outcome outcome = BPFIX_FLOW_ADDED;
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	__u32 notices = BPFIX_NOTICE_CREATED;

	if (flow != BPFIX_LRU_NONE) {
		notices = bpfix_flow_stats_add(flow_stats(eng, flow), &eng->meta, now_ns, packets,
					       octets);
		bpfix_lru_hash__touch(eng->flows, flow);
	} else {
		flow = create_flow(eng, key, hash, now_ns, packets, octets);
		outcome = flow == BPFIX_LRU_NONE ? BPFIX_FLOW_REFUSED : BPFIX_FLOW_CREATED;
	}
	if (flow != BPFIX_LRU_NONE && tcp)
		tcp_meter(eng, flow_stats(eng, flow), packets);
	if (flow != BPFIX_LRU_NONE && notices)
		notify(eng, key, flow_stats(eng, flow), notices);
	count_all(eng, idx, bpfix_flow_counts(outcome, idx), packets, octets);
}

/* The TC program's meter() in replay, for @len octets of a packet of @wire_len (cb[0] there). */
static void run_frame(struct bpfix_host_engine *eng, const void *frame, __u32 len, __u32 wire_len,
		      __u64 tstamp_ns)
{
	/* a captured frame is one packet: the kernel engine's test run gets no gso_segs either */
	const __u32 gso_segs = 0, packets = bpfix_wire_packets(gso_segs);
	/* the frame is the window: the parser reads no further than cursor.len, as in the kernel */
	struct bpfix_cursor cursor = { .buf = frame, .pkt_len = wire_len };
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_flow_key key;
	enum bpfix_parse_rc rc;

	eng->counters[BPFIX_CNT_SEEN] += packets;
	cursor.len = len < BPFIX_PARSE_WINDOW ? len : BPFIX_PARSE_WINDOW;
	rc = bpfix_parse_frame(&cursor, &eng->meta, eng->gtpu_port);
	count_all(eng, idx, bpfix_parse_counts(rc, &eng->meta, idx), packets, 0);
	if (cursor.gtpu_fragmented)
		eng->counters[BPFIX_CNT_GTP_FRAGMENTED] += packets;
	if (rc != BPFIX_PARSE_OK)
		return;
	/* replay: no interface saw the packet, and it came in */
	bpfix_flow_key_from_meta(&key, &eng->meta, 0, BPFIX_DIR_INGRESS);
	account(eng, &key, tstamp_ns, packets, bpfix_wire_octets(wire_len, gso_segs, &eng->meta),
		bpfix_tcp_seg_of(&eng->meta, !cursor.gtpu_fragmented, tstamp_ns, &eng->seg));
}

int bpfix_host_engine__run_frame(struct bpfix_host_engine *eng, const void *frame, __u32 len,
				 __u64 tstamp_ns)
{
	run_frame(eng, frame, len, len, tstamp_ns);
	return 0;
}

struct bpfix_flow_source *bpfix_host_engine__source(struct bpfix_host_engine *eng)
{
	return &eng->source;
}

void bpfix_host_engine__free(struct bpfix_host_engine *eng)
{
	if (!eng)
		return;
	bpfix_lru_hash__free(eng->flows);
	g_array_free(eng->evicted, TRUE);
	g_array_free(eng->notices, TRUE);
	bpfix_host_conns__free(eng->conns);
	free(eng);
}

/* The host engine as a replay meter (meter.h). */
static int host_meter_run_frame(void *ctx, const struct bpfix_frame *f)
{
	/* the recorded length, as the kernel engine's cb[0] (src/meter/test_run_feed.c) */
	run_frame(ctx, f->data, f->len, f->wire_len > f->len ? f->wire_len : f->len, f->tstamp_ns);
	return 0;
}

static struct bpfix_flow_source *host_meter_source(void *ctx)
{
	return bpfix_host_engine__source(ctx);
}

static void host_meter_free(void *ctx)
{
	bpfix_host_engine__free(ctx);
}

static const struct bpfix_meter_ops host_meter_ops = {
	.run_frame = host_meter_run_frame,
	.source = host_meter_source,
	.free = host_meter_free,
};

int bpfix_host_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts)
{
	struct bpfix_host_engine *eng = bpfix_host_engine__new(opts->max_flows, opts->max_conns,
							       opts->gtpu_port);

	if (!eng)
		return -errno;
	*m = (struct bpfix_meter){ &host_meter_ops, eng };
	return 0;
}
