// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The TC programs of bpfix, for clsact ingress and egress: copy the headers, parse (decapsulating
 * GTP-U), account the packet to its flow in the LRU map, count. They observe only: every path returns
 * TC_ACT_UNSPEC, the packet is never written, and every packet ends in exactly one counter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bpfix_parse.h"
#include "bpfix_account.h"
#include "flow_config.bpf.h"
#include "flow_maps.bpf.h"
#include "tc_compat.bpf.h"

/* Counters count wire packets: a GSO super-packet adds its segments, as its flow does. */
static __always_inline void count(enum bpfix_counter idx, __u64 packets)
{
	__u32 key = idx;
	__u64 *value = bpf_map_lookup_elem(&bpfix_counters, &key);

	if (value)
		*value += packets; /* per-CPU: no other writer */
}

/* Packets and IP octets this skb stands for: a GSO super-packet is several on the wire. */
static __always_inline __u32 wire_packets(const struct __sk_buff *skb)
{
	return skb->gso_segs > 1 ? skb->gso_segs : 1;
}

static __always_inline __u64 wire_octets(const struct __sk_buff *skb, const struct bpfix_pkt_meta *m,
					 __u32 packets)
{
	__u32 headers;

	if (packets == 1 || !m->l4_off || skb->len < m->l3_off)
		return m->ip_len;
	/* each segment repeats the IP and L4 headers (TCP options included) */
	headers = m->l4_off - m->l3_off + m->l4_hdr_len;
	return (skb->len - m->l3_off) + (__u64)(packets - 1) * headers;
}

static __always_inline void account(struct bpfix_scratch *s, __u64 now, __u32 packets, __u64 octets)
{
	struct bpfix_flow_stats *stats;
	long err;

	stats = bpf_map_lookup_elem(&bpfix_flows, &s->key);
	if (!stats) {
		bpfix_flow_stats_init(&s->stats, &s->meta, now, packets, octets);
		s->stats.life = (__u16)bpf_get_prandom_u32();
		err = bpf_map_update_elem(&bpfix_flows, &s->key, &s->stats, BPF_NOEXIST);
		if (!err) {
			count(BPFIX_CNT_FLOWS_CREATED, 1);
			count(BPFIX_CNT_METERED, packets);
			count(BPFIX_CNT_OCTETS_METERED, octets);
			return;
		}
		/* another CPU created it first: add to theirs */
		if (err == -EEXIST)
			stats = bpf_map_lookup_elem(&bpfix_flows, &s->key);
		if (!stats) {
			count(BPFIX_CNT_NOT_METERED_MAP_FULL, packets);
			return;
		}
	}
	bpfix_flow_stats_add(stats, &s->meta, now, packets, octets);
	count(BPFIX_CNT_METERED, packets);
	count(BPFIX_CNT_OCTETS_METERED, octets);
}

static __always_inline void meter(struct __sk_buff *skb, __u8 direction)
{
	__u32 packets = wire_packets(skb), zero = 0, len;
	struct bpfix_cursor cursor;
	struct bpfix_scratch *s;
	enum bpfix_parse_rc rc;
	__u64 now;

	count(BPFIX_CNT_SEEN, packets);
	s = bpf_map_lookup_elem(&bpfix_scratch, &zero);
	if (!s) {
		count(BPFIX_CNT_NOT_METERED_INTERNAL, packets);
		return;
	}
	/* copy the headers: works for non-linear skbs and leaves the packet untouched */
	len = skb->len;
	if (len > BPFIX_PARSE_WINDOW)
		len = BPFIX_PARSE_WINDOW;
	if (len < sizeof(struct bpfix_eth_hdr)) {
		count(BPFIX_CNT_NOT_METERED_TRUNCATED, packets);
		return;
	}
	if (bpf_skb_load_bytes(skb, 0, s->window, len)) {
		count(BPFIX_CNT_NOT_METERED_INTERNAL, packets);
		return;
	}
	cursor.buf = s->window;
	cursor.len = len;
	/* live, the NIC or veth may have taken the outer tag out of the bytes */
	cursor.tag_stripped = skb->vlan_present ? 1 : 0;
	cursor.stripped_tci = skb->vlan_tci;
	rc = bpfix_parse_frame(&cursor, &s->meta, bpfix_gtpu_port);
	if (rc != BPFIX_PARSE_OK) {
		count(bpfix_counter_for_rc(rc), packets);
		return;
	}
	if (s->meta.diag)
		count(bpfix_counter_for_diag(s->meta.diag), packets);
	if (s->meta.tun_version || s->meta.gtp_diag)
		count(bpfix_counter_for_gtp(&s->meta), packets);

	now = bpfix_replay ? skb->tstamp : bpf_ktime_get_ns();
	bpfix_flow_key_from_meta(&s->key, &s->meta, bpfix_replay ? 0 : skb->ifindex, direction);
	account(s, now, packets, wire_octets(skb, &s->meta, packets));
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
