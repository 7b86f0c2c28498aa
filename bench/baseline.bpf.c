// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The benchmark baseline: the plainest useful TC flow meter. Ethernet, IPv4 (no options walk
 * beyond IHL), TCP/UDP ports, an LRU hash of 5-tuple -> packets/bytes updated with atomic adds.
 * No VLAN, IPv6, tunnel or per-flow extras: anything not IPv4 is ignored, GTP-U is metered as
 * its outer UDP flow. bpfix's cost is measured against this (bench/kernel_cost.c).
 * base_gtpu is the same meter for GTP-U over IPv4: it decapsulates a G-PDU (optional word,
 * extension-header chain of up to BASE_GTPU_MAX_EXT headers) to an inner IPv4 5-tuple and keys it
 * with the TEID; anything else it meters as base_ingress does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct base_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct base_gtpu_key {
	struct base_key inner;
	__u32 teid;
};

struct base_val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct base_key);
	__type(value, struct base_val);
} base_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct base_gtpu_key);
	__type(value, struct base_val);
} base_gtpu_flows SEC(".maps");

#define BASE_GTPU_PORT 2152
#define BASE_GTPU_MAX_EXT 4

/* Fill @key from the IPv4 header at @ip; 0, or -1 when it is not in [.., @end). */
static __always_inline int base_ipv4_key(struct base_key *key, struct iphdr *ip, void *end,
					 __u16 **l4)
{
	__u32 ihl;

	if ((void *)(ip + 1) > end)
		return -1;
	ihl = ip->ihl * 4;
	if (ihl < 20)
		return -1;
	key->saddr = ip->saddr;
	key->daddr = ip->daddr;
	key->proto = ip->protocol;
	*l4 = (void *)ip + ihl;
	if (ip->protocol == 6 || ip->protocol == 17) {
		__u16 *ports = *l4;

		if ((void *)(ports + 2) <= end) {
			key->sport = bpf_ntohs(ports[0]);
			key->dport = bpf_ntohs(ports[1]);
		}
	}
	return 0;
}

/* Add the packet to @key's flow in @map, or insert it. */
static __always_inline void base_count(void *map, void *key, __u32 len)
{
	struct base_val *v = bpf_map_lookup_elem(map, key), init;

	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, len);
	} else {
		init.packets = 1;
		init.bytes = len;
		bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
	}
}

SEC("tc")
int base_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct base_key key = {};
	__u16 *l4;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return 0;
	if (base_ipv4_key(&key, (void *)(eth + 1), end, &l4))
		return 0;
	base_count(&base_flows, &key, skb->len);
	return 0;
}

SEC("tc")
int base_gtpu(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct base_gtpu_key outer = {}, inner = {};
	__u8 *gtp, *p, *last, next;
	__u16 *l4;
	int i;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return 0;
	if (base_ipv4_key(&outer.inner, (void *)(eth + 1), end, &l4))
		return 0;
	gtp = (__u8 *)(l4 + 4); /* after the UDP header */
	if (outer.inner.proto != 17 || outer.inner.dport != BASE_GTPU_PORT ||
	    (void *)(gtp + 8) > end || (gtp[0] & 0xe0) != 0x20 || gtp[1] != 0xff)
		goto outer;
	p = gtp + 8;
	if (gtp[0] & 0x07) { /* E, S or PN: the optional word, its last octet the next type */
		if ((void *)(p + 4) > end)
			goto outer;
		next = p[3];
		p += 4;
		for (i = 0; i < BASE_GTPU_MAX_EXT && next; i++) {
			if ((void *)(p + 1) > end || !p[0])
				goto outer;
			last = p + p[0] * 4 - 1; /* its last octet: the next type */
			if ((void *)(last + 1) > end)
				goto outer;
			next = last[0];
			p = last + 1;
		}
		if (next)
			goto outer;
	}
	if ((void *)(p + 1) > end || (p[0] >> 4) != 4 ||
	    base_ipv4_key(&inner.inner, (void *)p, end, &l4))
		goto outer;
	inner.teid = *(__u32 *)(gtp + 4);
	base_count(&base_gtpu_flows, &inner, skb->len);
	return 0;
outer:
	base_count(&base_gtpu_flows, &outer, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
