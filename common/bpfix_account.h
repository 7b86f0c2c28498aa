/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The accounting rule shared by the TC program and the host engine: how many packets and octets
 * a packet stands for on the wire, which counters its outcome adds to, how a parsed packet becomes
 * a flow key, how a new flow's statistics start and how a packet is added to them. Updates are
 * lock-free atomics in BPF, so concurrent CPUs may add to one flow (the host engine's one thread
 * adds its counts plainly: bpfix_shared_add). No map access here (BPF has no indirect calls):
 * each engine finds or inserts the flow and adds to its counters itself.
 */
#ifndef BPFIX_ACCOUNT_H
#define BPFIX_ACCOUNT_H

#include "bpfix_flow.h"
#include "bpfix_proto.h"

#define BPFIX_CAS_TRIES 4 /* a compare-and-swap that keeps losing gives up: TTL/time stay close */
#define BPFIX_COUNTS_MAX 3 /* counters one step of the rule adds to, at most */

/* Packets an skb stands for on the wire: a GSO super-packet of @gso_segs segments, at least 1. */
BPFIX_INLINE __u32 bpfix_wire_packets(__u32 gso_segs)
{
	return gso_segs > 1 ? gso_segs : 1;
}

/*
 * IP octets those packets have on the wire, the flow's own IP packet parsed into @m, @skb_len
 * octets from the frame's start: a GSO super-packet's segments each repeat the IP and L4 headers
 * (TCP options included), all but the hop-by-hop header of IPv6 BIG TCP, which no segment has.
 * One packet counts its IP total length.
 */
BPFIX_INLINE __u64 bpfix_wire_octets(__u32 skb_len, __u32 gso_segs, const struct bpfix_pkt_meta *m)
{
	__u32 packets = bpfix_wire_packets(gso_segs), headers;

	if (packets == 1 || !m->l4_off || skb_len < m->l4_off)
		return m->ip_len;
	headers = m->l4_off - m->l3_off - m->jumbo_hbh_len + m->l4_hdr_len;
	return (skb_len - m->l3_off - m->jumbo_hbh_len) + (__u64)(packets - 1) * headers;
}

/*
 * The counters a parsed packet adds to, into @idx; returns how many. Not metered (@rc not OK):
 * its one reason. Metered: the diagnostic counter of what the parser could not read and the
 * GTP-U outcome, if any (not part of the SEEN sum). METERED itself waits for the flow map.
 */
BPFIX_INLINE int bpfix_parse_counts(enum bpfix_parse_rc rc, const struct bpfix_pkt_meta *m,
				    enum bpfix_counter idx[BPFIX_COUNTS_MAX])
{
	int n = 0;

	if (rc != BPFIX_PARSE_OK) {
		idx[n++] = bpfix_counter_for_rc(rc);
		return n;
	}
	if (m->diag)
		idx[n++] = bpfix_counter_for_diag((enum bpfix_diag)m->diag);
	if (m->tun_version || m->gtp_diag)
		idx[n++] = bpfix_counter_for_gtp(m);
	return n;
}

/* What the flow map did with a metered packet. */
enum bpfix_flow_outcome {
	BPFIX_FLOW_ADDED,	/* added to a flow that was there */
	BPFIX_FLOW_CREATED,	/* started a new flow */
	BPFIX_FLOW_REFUSED,	/* no flow, and the map took no new one: not metered after all */
};

/* The counters that outcome adds to, into @idx; returns how many (see bpfix_count_amount). */
BPFIX_INLINE int bpfix_flow_counts(enum bpfix_flow_outcome outcome,
				   enum bpfix_counter idx[BPFIX_COUNTS_MAX])
{
	int n = 0;

	if (outcome == BPFIX_FLOW_REFUSED) {
		idx[n++] = BPFIX_CNT_NOT_METERED_MAP_FULL;
		return n;
	}
	if (outcome == BPFIX_FLOW_CREATED)
		idx[n++] = BPFIX_CNT_FLOWS_CREATED;
	idx[n++] = BPFIX_CNT_METERED;
	idx[n++] = BPFIX_CNT_OCTETS_METERED;
	return n;
}

/* A counter of events (flows, TCP handshakes, resyncs): a packet adds one, whatever its size. */
BPFIX_INLINE int bpfix_counter_is_event(enum bpfix_counter idx)
{
	return idx == BPFIX_CNT_FLOWS_CREATED || idx >= BPFIX_CNT_TCP_HANDSHAKES;
}

/* How much a packet of @packets wire packets and @octets IP octets adds to counter @idx. */
BPFIX_INLINE __u64 bpfix_count_amount(enum bpfix_counter idx, __u32 packets, __u64 octets)
{
	if (bpfix_counter_is_event(idx))
		return 1;
	if (idx == BPFIX_CNT_OCTETS_METERED)
		return octets;
	return packets; /* counters count wire packets, as flows do */
}

/*
 * The whole key is hashed: every octet is written once, no zeroing first (the key has no
 * padding, and the parser left the addresses' unused octets zero).
 */
BPFIX_INLINE void bpfix_flow_key_from_meta(struct bpfix_flow_key *k, const struct bpfix_pkt_meta *m,
					    __u32 ifindex, __u8 direction)
{
	__builtin_memcpy(k->src_addr, m->src_addr, sizeof(k->src_addr));
	__builtin_memcpy(k->dst_addr, m->dst_addr, sizeof(k->dst_addr));
	/* the same inner flow in two tunnels is two flows (DESIGN.md §4) */
	if (m->tun_version)
		__builtin_memcpy(k->tun_addr, m->tun_dst_addr, sizeof(k->tun_addr));
	else
		__builtin_memset(k->tun_addr, 0, sizeof(k->tun_addr));
	k->teid = m->tun_version ? m->teid : 0;
	k->ifindex = ifindex;
	k->src_port = m->src_port;
	k->dst_port = m->dst_port;
	k->ip_version = m->ip_version;
	k->protocol = m->protocol;
	k->direction = direction;
	k->tun_version = m->tun_version;
}
_Static_assert(sizeof(struct bpfix_flow_key) == 3 * 16 + 4 + 4 + 2 + 2 + 4 * 1,
	       "bpfix_flow_key_from_meta writes every field: a key with padding needs zeroing");

/* The statistics of a flow whose first packet is @m, seen at @now_ns; its life is the engine's. */
BPFIX_INLINE void bpfix_flow_stats_init(struct bpfix_flow_stats *s, const struct bpfix_pkt_meta *m,
					 __u64 now_ns, __u32 packets, __u64 octets)
{
	__builtin_memset(s, 0, sizeof(*s));
	s->packets = packets;
	s->octets = octets;
	s->first_ns = now_ns;
	s->last_ns = now_ns;
	s->ttl_range = (__u16)BPFIX_TTL_RANGE(m->ttl, m->ttl);
	s->tcp_flags = m->tcp_flags;
	s->tcp_seq = BPFIX_TCP_SEQ_WORD(m->tcp_flags, 0); /* the first packet's flags */
	s->vlan_id = m->vlan_id;
	s->tos = m->tos;
	__builtin_memcpy(s->tun_src_addr, m->tun_src_addr, sizeof(s->tun_src_addr));
	s->has_pdu_session = m->has_pdu_session;
	s->qfi = m->qfi;
	s->pdu_type = m->pdu_type;
}

/* Widen the TTL range in the record word to hold @ttl: compare-and-swap (BPF has no atomic
 * min/max), and only when it changes, which after a flow's first packets is rare. */
BPFIX_INLINE void bpfix_widen_ttl_range(__u32 *record, __u8 ttl)
{
	union bpfix_record_word old, next;
	__u8 lo, hi;
	int i;

	for (i = 0; i < BPFIX_CAS_TRIES; i++) {
		old.word = *(volatile __u32 *)record;
		lo = BPFIX_TTL_MIN(old.ttl_range) < ttl ? BPFIX_TTL_MIN(old.ttl_range) : ttl;
		hi = BPFIX_TTL_MAX(old.ttl_range) > ttl ? BPFIX_TTL_MAX(old.ttl_range) : ttl;
		next = old;
		next.ttl_range = (__u16)BPFIX_TTL_RANGE(lo, hi);
		if (next.word == old.word ||
		    __sync_val_compare_and_swap(record, old.word, next.word) == old.word)
			return;
	}
}

/* Lower the record's start to @now_ns unless it is earlier already: packets of a capture may be
 * out of time order, and the record starts at its earliest (0: the record has no packet yet).
 * Returns BPFIX_NOTICE_STARTED when it moved the start, else 0. */
BPFIX_INLINE __u32 bpfix_lower_first_ns(__u64 *first_ns, __u64 now_ns)
{
	__u64 old;
	int i;

	for (i = 0; i < BPFIX_CAS_TRIES; i++) {
		old = *(volatile __u64 *)first_ns;
		if (old && old <= now_ns)
			return 0;
		if (__sync_val_compare_and_swap(first_ns, old, now_ns) == old)
			return BPFIX_NOTICE_STARTED;
	}
	return 0;
}

/*
 * Add one packet (or @packets GSO segments carrying @octets) to an existing flow. Returns what
 * the flow table must be told of (enum bpfix_notice_kind bits, bpfix_notice_of), usually 0.
 */
BPFIX_INLINE __u32 bpfix_flow_stats_add(struct bpfix_flow_stats *s, const struct bpfix_pkt_meta *m,
					 __u64 now_ns, __u32 packets, __u64 octets)
{
	union bpfix_record_word flags = { .tcp_flags = m->tcp_flags };
	__u32 notices = 0;
	__u8 had;

	/* the counts first: a record closed meanwhile holds the packet whole or not at all */
	bpfix_shared_add(&s->packets, packets);
	bpfix_shared_add(&s->octets, octets);
	/* atomics only when something changes: each costs more than the rest of the update */
	had = *(volatile __u8 *)&s->tcp_flags;
	if (m->tcp_flags & ~had) {
		__sync_fetch_and_or(&s->record, flags.word);
		if ((m->tcp_flags & BPFIX_TCP_ENDING) && !(had & BPFIX_TCP_ENDING))
			notices = BPFIX_NOTICE_CLOSING;
	}
	notices |= bpfix_lower_first_ns(&s->first_ns, now_ns);
	/* a plain store: two CPUs racing here may leave last_ns a few nanoseconds early, no more */
	if (now_ns > *(volatile __u64 *)&s->last_ns)
		*(volatile __u64 *)&s->last_ns = now_ns;
	bpfix_widen_ttl_range(&s->record, m->ttl);
	return notices;
}

/* The notice of @kinds for the flow @key, @s as it is now (read without atomics: a hint). */
BPFIX_INLINE void bpfix_notice_of(struct bpfix_notice *n, const struct bpfix_flow_key *key,
				  const struct bpfix_flow_stats *s, __u32 kinds)
{
	__builtin_memcpy(&n->key, key, sizeof(n->key));
	__builtin_memcpy(&n->stats, s, sizeof(n->stats));
	n->kinds = kinds;
	n->pad = 0;
}
/*
 * The close program's step for one flow (DESIGN.md §4), found at @s for the request @c; the host
 * engine takes the same step. A life other than the one the walk saw is left alone. A record
 * close exchanges the per-record fields (start, flags and TTLs, TCP gaps and retransmissions)
 * first and reads the totals after: a packet racing it is counted in this record or the next,
 * never lost (its flags, TTL or TCP loss may go to the next one). A removal reads the flow and
 * refuses if a packet came since the walk. A peek only reads it. Returns 1 when the caller must
 * now delete the flow, in the same run.
 */
BPFIX_INLINE int bpfix_flow_close(struct bpfix_flow_stats *s, struct bpfix_close *c)
{
	union bpfix_record_word empty = { .ttl_range = (__u16)BPFIX_TTL_RANGE_EMPTY };
	__u64 first_ns, tcp_loss;
	__u32 record;

	if (c->op == BPFIX_CLOSE_PEEK) {
		c->status = s->life == c->stats.life ? BPFIX_CLOSE_DONE : BPFIX_CLOSE_OTHER_LIFE;
		c->stats = *s;
		return 0;
	}
	if (s->life != c->stats.life) {
		c->status = BPFIX_CLOSE_OTHER_LIFE;
		return 0;
	}
	if (c->op == BPFIX_CLOSE_RECORD) {
		first_ns = __sync_lock_test_and_set(&s->first_ns, 0);
		record = __sync_lock_test_and_set(&s->record, empty.word);
		tcp_loss = __sync_lock_test_and_set(&s->tcp_loss, 0);
		c->stats = *s;
		c->stats.first_ns = first_ns;
		c->stats.record = record;
		c->stats.tcp_loss = tcp_loss;
		c->status = BPFIX_CLOSE_DONE;
		return 0;
	}
	c->status = s->packets == c->stats.packets && s->last_ns == c->stats.last_ns ?
			    BPFIX_CLOSE_DONE : BPFIX_CLOSE_ALIVE;
	c->stats = *s;
	return c->status == BPFIX_CLOSE_DONE;
}

#endif /* BPFIX_ACCOUNT_H */
