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

/*
 * A parsed packet on its way to the flow map. Packets wait in a short pipeline so the map's
 * memory for each is fetched while the ones before it are accounted: its slot when it is parsed,
 * its entry one packet later, and it is accounted one packet after that. Every flow source
 * operation first accounts what waits, so no one ever sees the pipeline.
 */
struct metered_packet {
	struct bpfix_flow_key key;
	struct bpfix_pkt_meta meta;
	struct bpfix_tcp_seg seg;  /* if tcp */
	__u64 now_ns, octets;
	__u32 packets, hash;
	int tcp;
};

#define ENTRY_AFTER 1 /* packets from fetching one's slot to fetching its entry */
#define PIPELINE 3    /* packets from parsing one to accounting it */
/* Notices kept between drains: the map's size, at least this many; past it they are lost, as
 * a full ring's are in the kernel, and the next sweep walks (which misses nothing here). */
#define MIN_NOTICES_KEPT 65536u

struct bpfix_host_engine {
	struct bpfix_flow_source source;
	struct bpfix_lru_hash *flows; /* struct bpfix_flow_key -> struct bpfix_flow_stats */
	GArray *evicted;	   /* struct evicted_flow, since the last drain */
	GArray *notices;	   /* struct bpfix_notice since the last drain */
	__u32 notices_kept;	   /* at most this many of them */
	bool notices_lost;	   /* more came since the last drain */
	struct bpfix_host_conns *conns; /* TCP handshakes under way */
	__u64 lives;		   /* flows created: each life's id, unique as the kernel's */
	__u16 gtpu_port;
	__u64 counters[BPFIX_CNT_MAX];
	struct metered_packet waiting[PIPELINE]; /* a ring, the oldest at first */
	__u32 first, n_waiting;
};

static void settle(struct bpfix_host_engine *eng);

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

	settle(eng);
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

	settle(eng);
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

	settle(eng);
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

	settle(eng);
	*lost = eng->notices_lost;
	eng->notices_lost = false;
	for (i = 0; i < eng->notices->len; i++)
		fn(&g_array_index(eng->notices, struct bpfix_notice, i), arg);
	g_array_set_size(eng->notices, 0);
	return 0;
}

static int host_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	struct bpfix_host_engine *eng = ctx;

	settle(eng);
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
	eng->notices_kept = max_flows > MIN_NOTICES_KEPT ? max_flows : MIN_NOTICES_KEPT;
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

/* The TC program's bpfix_tcp_meter(): the segment of @pkt, for the flow @stats. */
static void tcp_meter(struct bpfix_host_engine *eng, struct metered_packet *pkt,
		      struct bpfix_flow_stats *stats)
{
	__u32 result = bpfix_tcp_account(stats, &pkt->seg, pkt->packets);
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_conn_key key;
	struct bpfix_conn fresh, *c;
	int done = 0;

	if (result & BPFIX_TCP_RESYNCED)
		eng->counters[BPFIX_CNT_TCP_SEQ_RESYNC]++;
	if (!BPFIX_TCP_STEP(result))
		return;
	pkt->seg.side = bpfix_conn_key_from_meta(&key, &pkt->meta, 0);
	c = bpfix_host_conns__lookup(eng->conns, &key);
	result = bpfix_conn_step(c, &fresh, result, &pkt->seg, stats);
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
	if (eng->notices->len >= eng->notices_kept) {
		eng->notices_lost = true;
		return;
	}
	g_array_set_size(eng->notices, eng->notices->len + 1);
	bpfix_notice_of(&g_array_index(eng->notices, struct bpfix_notice, eng->notices->len - 1),
			key, stats, kinds);
}

/*
 * A new flow for the packet @pkt as the most recently used, evicting the stalest when full:
 * unlike the kernel's LRU map, the evicted flow is kept for the flow table, which exports it. Its
 * index, or BPFIX_LRU_NONE when memory for it is short.
 */
static __u32 create_flow(struct bpfix_host_engine *eng, const struct metered_packet *pkt)
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
	flow = bpfix_lru_hash__insert(eng->flows, &pkt->key, pkt->hash);
	if (flow == BPFIX_LRU_NONE)
		return flow;
	bpfix_flow_stats_init(flow_stats(eng, flow), &pkt->meta, pkt->now_ns, pkt->packets,
			      pkt->octets);
	flow_stats(eng, flow)->life = ++eng->lives;
	return flow;
}

/* The TC program's account(): add @pkt to its flow and make that the most recently used, or
 * create it. */
static void account(struct bpfix_host_engine *eng, struct metered_packet *pkt)
{
	__u32 flow = bpfix_lru_hash__find(eng->flows, &pkt->key, pkt->hash);
	enum bpfix_flow_outcome outcome = BPFIX_FLOW_ADDED;
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	__u32 notices = BPFIX_NOTICE_CREATED;

	if (flow != BPFIX_LRU_NONE) {
		notices = bpfix_flow_stats_add(flow_stats(eng, flow), &pkt->meta, pkt->now_ns,
					       pkt->packets, pkt->octets);
	} else {
		flow = create_flow(eng, pkt);
		outcome = flow == BPFIX_LRU_NONE ? BPFIX_FLOW_REFUSED : BPFIX_FLOW_CREATED;
	}
	if (flow != BPFIX_LRU_NONE && pkt->tcp)
		tcp_meter(eng, pkt, flow_stats(eng, flow));
	if (flow != BPFIX_LRU_NONE && notices)
		notify(eng, &pkt->key, flow_stats(eng, flow), notices);
	/* last: its stores to other flows' links must not hold up the atomics above */
	if (outcome == BPFIX_FLOW_ADDED)
		bpfix_lru_hash__touch(eng->flows, flow);
	count_all(eng, idx, bpfix_flow_counts(outcome, idx), pkt->packets, pkt->octets);
}

static struct metered_packet *waiting(struct bpfix_host_engine *eng, __u32 i)
{
	return &eng->waiting[(eng->first + i) % PIPELINE];
}

/* Account the oldest packet waiting. */
static void account_first(struct bpfix_host_engine *eng)
{
	account(eng, waiting(eng, 0));
	eng->first = (eng->first + 1) % PIPELINE;
	eng->n_waiting--;
}

/* Account every packet waiting, in order. */
static void settle(struct bpfix_host_engine *eng)
{
	while (eng->n_waiting)
		account_first(eng);
}

/*
 * The TC program's meter() in replay, for @len octets of a packet of @wire_len (cb[0] there):
 * parsed and counted now, accounted to its flow PIPELINE - 1 packets later (or when anything
 * reads the engine), in the order packets came.
 */
static void run_frame(struct bpfix_host_engine *eng, const void *frame, __u32 len, __u32 wire_len,
		      __u64 tstamp_ns)
{
	/* a captured frame is one packet: the kernel engine's test run gets no gso_segs either */
	const __u32 gso_segs = 0, packets = bpfix_wire_packets(gso_segs);
	/* the frame is the window: the parser reads no further than cursor.len, as in the kernel */
	struct bpfix_cursor cursor = { .buf = frame, .pkt_len = wire_len };
	struct metered_packet *pkt = waiting(eng, eng->n_waiting);
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	enum bpfix_parse_rc rc;

	eng->counters[BPFIX_CNT_SEEN] += packets;
	cursor.len = len < BPFIX_PARSE_WINDOW ? len : BPFIX_PARSE_WINDOW;
	rc = bpfix_parse_frame(&cursor, &pkt->meta, eng->gtpu_port);
	count_all(eng, idx, bpfix_parse_counts(rc, &pkt->meta, idx), packets, 0);
	if (cursor.gtpu_fragmented)
		eng->counters[BPFIX_CNT_GTP_FRAGMENTED] += packets;
	if (rc != BPFIX_PARSE_OK)
		return;
	/* replay: no interface saw the packet, and it came in */
	bpfix_flow_key_from_meta(&pkt->key, &pkt->meta, 0, BPFIX_DIR_INGRESS);
	pkt->hash = bpfix_key_hash(&pkt->key, sizeof(pkt->key));
	pkt->now_ns = tstamp_ns;
	pkt->packets = packets;
	pkt->octets = bpfix_wire_octets(wire_len, gso_segs, &pkt->meta);
	pkt->tcp = bpfix_tcp_seg_of(&pkt->meta, !cursor.gtpu_fragmented, tstamp_ns, &pkt->seg);
	bpfix_lru_hash__prefetch_slot(eng->flows, pkt->hash);
	if (++eng->n_waiting > ENTRY_AFTER)
		bpfix_lru_hash__prefetch_entry(eng->flows,
					       waiting(eng, eng->n_waiting - 1 - ENTRY_AFTER)->hash);
	if (eng->n_waiting == PIPELINE)
		account_first(eng);
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
