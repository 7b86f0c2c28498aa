// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The benchmark baseline: the plainest useful TC flow meter. Ethernet, IPv4 (no options walk
 * beyond IHL), TCP/UDP ports, an LRU hash of 5-tuple -> packets/bytes updated with atomic adds.
 * No VLAN, IPv6, tunnel or per-flow extras: anything not IPv4 is ignored, GTP-U is metered as
 * its outer UDP flow. bpfix's cost is measured against this (bench/kernel_cost.c).
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

SEC("tc")
int base_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct base_key key = {};
	struct base_val *v, init;
	struct iphdr *ip;
	__u32 ihl;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return 0;
	ihl = ip->ihl * 4;
	if (ihl < 20)
		return 0;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	if (ip->protocol == 6 || ip->protocol == 17) {
		__u16 *ports = (void *)ip + ihl;

		if ((void *)(ports + 2) <= end) {
			key.sport = bpf_ntohs(ports[0]);
			key.dport = bpf_ntohs(ports[1]);
		}
	}
	v = bpf_map_lookup_elem(&base_flows, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, skb->len);
	} else {
		init.packets = 1;
		init.bytes = skb->len;
		bpf_map_update_elem(&base_flows, &key, &init, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
