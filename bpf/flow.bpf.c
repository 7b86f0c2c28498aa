// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The TC programs of bpfix, for clsact ingress and egress: copy the headers (the first 128
 * octets, more only if the parse needs them), parse (decapsulating GTP-U), account the packet to
 * its flow in the LRU map (TCP: its sequence and handshake analysis too, the handshake in the
 * connection map), count, and notice the flow table of a flow created, a record started or
 * closing. They observe only: every path returns TC_ACT_UNSPEC, the packet is never written, and
 * every packet ends in exactly one counter.
 * And the close program, which user space runs to close records and remove ended flows in the
 * kernel (DESIGN.md §4); it sees no packet.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bpfix_parse.h"
#include "bpfix_account.h"
#include "bpfix_tcp.h"
#include "flow_config.bpf.h"
#include "flow_maps.bpf.h"
#include "tc_compat.bpf.h"

/* This CPU's counters; what a packet adds to each is the accounting rule's (bpfix_account.h). */
static __always_inline struct bpfix_counter_values *counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bpfix_counters, &zero);
}

static __always_inline void count_in(struct bpfix_counter_values *c, enum bpfix_counter idx,
				     __u64 amount)
{
	if (c && idx < BPFIX_CNT_MAX)
		c->n[idx] += amount; /* per-CPU: no other writer */
}

/* Off the per-packet path: looks the counters up itself. */
static __always_inline void count(enum bpfix_counter idx, __u64 amount)
{
	count_in(counters(), idx, amount);
}

/* Add to the @n counters the accounting rule named in @idx what it says a packet adds. */
static __always_inline void count_all(struct bpfix_counter_values *c,
				      const enum bpfix_counter *idx, int n, __u32 packets,
				      __u64 octets)
{
	int i;

	for (i = 0; i < n && i < BPFIX_COUNTS_MAX; i++)
		count_in(c, idx[i], bpfix_count_amount(idx[i], packets, octets));
}

/* A handshake step of the TCP analysis (bpfix_tcp.h) in the connection map, for the flow @stats. */
static __always_inline void handshake(struct bpfix_scratch *s, struct bpfix_flow_stats *stats,
				      __u32 result, __u32 ifindex)
{
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_conn *c;
	int done = 0;

	/* round-trip times are differences of microseconds: never from the coarse clock */
	if (!bpfix_replay && bpfix_coarse_clock)
		s->seg.now_ns = bpf_ktime_get_ns();
	s->seg.side = bpfix_conn_key_from_meta(&s->conn_key, &s->meta, ifindex);
	c = bpf_map_lookup_elem(&bpfix_conns, &s->conn_key);
	result = bpfix_conn_step(c, &s->conn, result, &s->seg, stats);
	if (BPFIX_CONN_ACTION(result) == BPFIX_CONN_INSERT)
		done = !bpf_map_update_elem(&bpfix_conns, &s->conn_key, &s->conn, BPF_NOEXIST);
	else if (BPFIX_CONN_ACTION(result) == BPFIX_CONN_DELETE)
		done = !bpf_map_delete_elem(&bpfix_conns, &s->conn_key);
	count_all(counters(), idx, bpfix_conn_counts(result, done, idx), 1, 0);
}

/*
 * The TCP analysis of the segment in s->seg, @packets wire packets, for the flow @stats: its
 * sequence state and loss counts, and the handshake steps (only SYN, SYN-ACK and the client's
 * next segment get that far). A global function: the verifier checks it once, not on every path
 * of the meter.
 */
__attribute__((noinline)) int bpfix_tcp_meter(struct bpfix_scratch *s,
					      struct bpfix_flow_stats *stats, __u32 packets,
					      __u32 ifindex)
{
	__u32 result;

	if (!s || !stats || bpfix_tcp_idle_ack(stats, &s->seg))
		return 0;
	result = bpfix_tcp_account(stats, &s->seg, packets);
	if (result & BPFIX_TCP_RESYNCED)
		count(BPFIX_CNT_TCP_SEQ_RESYNC, 1);
	if (BPFIX_TCP_STEP(result))
		handshake(s, stats, result, ifindex);
	return 0;
}

/*
 * Tell the flow table what it must know of the flow @key (@kinds, enum bpfix_notice_kind): into
 * the ring buffer, or counted as lost when it is full. Off the common path: most packets create
 * nothing, start no record and close none.
 */
static __noinline void notify(const struct bpfix_flow_key *key,
			      const struct bpfix_flow_stats *stats, __u32 kinds)
{
	struct bpfix_notice *n = bpf_ringbuf_reserve(&bpfix_notices, sizeof(*n), 0);

	if (!n) {
		count(BPFIX_CNT_NOTICES_LOST, 1);
		return;
	}
	bpfix_notice_of(n, key, stats, kinds);
	/* user space consumes at each sweep and never waits on the buffer */
	bpf_ringbuf_submit(n, BPF_RB_NO_WAKEUP);
}

/*
 * Add the packet to its flow, creating it if need be. @tcp: s->seg holds its TCP segment
 * (bpfix_tcp_seg_of). A new flow gets its first segment's TCP state before it is inserted; if
 * another CPU inserted the flow meanwhile, the segment is analysed again on theirs (its handshake
 * step then counts twice: a race of two packets making one flow).
 */
static __always_inline void account(struct bpfix_scratch *s, struct bpfix_counter_values *c,
				    __u64 now, __u32 packets, __u64 octets, __u32 ifindex, int tcp)
{
	enum bpfix_flow_outcome outcome = BPFIX_FLOW_ADDED;
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_flow_stats *stats;
	__u32 notices = 0;
	long err;

	stats = bpf_map_lookup_elem(&bpfix_flows, &s->key);
	if (!stats) {
		bpfix_flow_stats_init(&s->stats, &s->meta, now, packets, octets);
		/* unique without a shared counter: this CPU's sequence over the CPU number */
		s->stats.life = BPFIX_LIFE(__sync_add_and_fetch(&s->lives, 1),
					   bpf_get_smp_processor_id());
		if (tcp)
			bpfix_tcp_meter(s, &s->stats, packets, ifindex);
		err = bpf_map_update_elem(&bpfix_flows, &s->key, &s->stats, BPF_NOEXIST);
		if (!err) {
			outcome = BPFIX_FLOW_CREATED;
			notify(&s->key, &s->stats, BPFIX_NOTICE_CREATED);
		} else if (err == -EEXIST) /* another CPU created it first: add to theirs */
			stats = bpf_map_lookup_elem(&bpfix_flows, &s->key);
		if (err && !stats)
			outcome = BPFIX_FLOW_REFUSED;
	}
	if (stats) {
		notices = bpfix_flow_stats_add(stats, &s->meta, now, packets, octets);
		if (tcp)
			bpfix_tcp_meter(s, stats, packets, ifindex);
		if (notices)
			notify(&s->key, stats, notices);
	}
	count_all(c, idx, bpfix_flow_counts(outcome, idx), packets, octets);
}

/*
 * Octets copied before the first parse: the headers of nearly every frame (Ethernet, tags, IPv6
 * and a few extension headers, TCP; GTP-U with its inner headers) fit, and copying a whole
 * window per packet costs more than the rare second copy and parse (struct bpfix_cursor).
 */
#define BPFIX_COPY_FIRST 128

/*
 * Parse the frame in the window; if the parse read past the first copy, copy the rest of the
 * window and parse again (struct bpfix_cursor). -1 if that copy failed.
 */
static __always_inline int parse(struct __sk_buff *skb, struct bpfix_scratch *s,
				 struct bpfix_cursor *cursor, enum bpfix_parse_rc *rc)
{
	__u32 rest;

	*rc = bpfix_parse_frame(cursor, &s->meta, bpfix_gtpu_port);
	if (!cursor->beyond)
		return 0;
	rest = cursor->frame_len - BPFIX_COPY_FIRST;
	/* the check and the copy on one register, which the verifier bounds */
	asm volatile("" : "+r"(rest));
	if (!rest || rest > BPFIX_PARSE_WINDOW - BPFIX_COPY_FIRST ||
	    bpf_skb_load_bytes(skb, BPFIX_COPY_FIRST, s->window + BPFIX_COPY_FIRST, rest))
		return -1;
	cursor->len = cursor->frame_len;
	*rc = bpfix_parse_frame(cursor, &s->meta, bpfix_gtpu_port);
	return 0;
}

static __always_inline void meter(struct __sk_buff *skb, __u8 direction)
{
	__u32 packets = bpfix_wire_packets(skb->gso_segs), zero = 0, len, frame_len, wire_len;
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_cursor cursor;
	struct bpfix_scratch *s;
	struct bpfix_counter_values *c = counters();
	enum bpfix_parse_rc rc;
	__u32 ifindex;
	__u64 now;

	count_in(c, BPFIX_CNT_SEEN, packets);
	s = bpf_map_lookup_elem(&bpfix_scratch, &zero);
	if (!s) {
		count_in(c, BPFIX_CNT_NOT_METERED_INTERNAL, packets);
		return;
	}
	/* copy the headers: works for non-linear skbs and leaves the packet untouched */
	frame_len = skb->len;
	if (frame_len > BPFIX_PARSE_WINDOW)
		frame_len = BPFIX_PARSE_WINDOW;
	if (frame_len < sizeof(struct bpfix_eth_hdr)) {
		count_in(c, BPFIX_CNT_NOT_METERED_TRUNCATED, packets);
		return;
	}
	len = frame_len < BPFIX_COPY_FIRST ? frame_len : BPFIX_COPY_FIRST;
	if (bpf_skb_load_bytes(skb, 0, s->window, len)) {
		count_in(c, BPFIX_CNT_NOT_METERED_INTERNAL, packets);
		return;
	}
	/* replay: skb->len is the frame cut to a page; the recorded length, which the test run
	 * would refuse above 64 KiB, comes in cb[0] (src/meter/test_run_feed.c) */
	wire_len = bpfix_replay ? skb->cb[0] : 0; /* read once: a ctx pointer must not be moved */
	if (!wire_len)
		wire_len = skb->len;
	cursor.buf = s->window;
	cursor.len = len;
	cursor.frame_len = frame_len;
	/* BIG TCP: an IP length of 0 is the packet's (bpfix_ip_len_zero) */
	cursor.pkt_len = wire_len;
	cursor.gso = packets > 1 || skb->gso_size;
	/* live, the NIC or veth may have taken the outer tag out of the bytes */
	cursor.tag_stripped = skb->vlan_present ? 1 : 0;
	cursor.stripped_tci = skb->vlan_tci;
	if (parse(skb, s, &cursor, &rc)) {
		count_in(c, BPFIX_CNT_NOT_METERED_INTERNAL, packets);
		return;
	}
	count_all(c, idx, bpfix_parse_counts(rc, &s->meta, idx), packets, 0);
	if (cursor.gtpu_fragmented)
		count_in(c, BPFIX_CNT_GTP_FRAGMENTED, packets);
	if (rc != BPFIX_PARSE_OK)
		return;

	if (bpfix_replay)
		now = skb->tstamp;
	else
		now = bpfix_coarse_clock ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
	ifindex = bpfix_replay ? 0 : skb->ifindex;
	bpfix_flow_key_from_meta(&s->key, &s->meta, ifindex, direction);
	account(s, c, now, packets, bpfix_wire_octets(wire_len, skb->gso_segs, &s->meta), ifindex,
		bpfix_tcp_analysis &&
			bpfix_tcp_seg_of(&s->meta, !cursor.gtpu_fragmented, now, &s->seg));
}

SEC("tc")
int bpfix_ingress(struct __sk_buff *skb)
{
	meter(skb, BPFIX_DIR_INGRESS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int bpfix_egress(struct __sk_buff *skb)
{
	meter(skb, BPFIX_DIR_EGRESS);
	return TC_ACT_UNSPEC;
}

/* One request of bpfix_closing: close the record or remove the flow (bpfix_flow_close). */
static long close_one(__u32 i, void *unused)
{
	struct bpfix_close *c = bpf_map_lookup_elem(&bpfix_closing, &i);
	struct bpfix_flow_stats *stats;

	(void)unused;
	if (!c)
		return 1; /* past the array: stop */
	stats = bpf_map_lookup_elem(&bpfix_flows, &c->key);
	if (!stats)
		c->status = BPFIX_CLOSE_GONE;
	else if (bpfix_flow_close(stats, c))
		/* fails only if the map evicted the flow since the lookup: c has its totals */
		bpf_map_delete_elem(&bpfix_flows, &c->key);
	return 0;
}

/*
 * The close program: user space never writes a live flow (an LRU map's update replaces the
 * element under a program adding to it). Run by BPF_PROG_TEST_RUN over the first @ctx->count
 * requests of bpfix_closing; returns how many it took.
 */
SEC("syscall")
int bpfix_close(struct bpfix_close_ctx *ctx)
{
	return bpf_loop(ctx->count, close_one, NULL, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
