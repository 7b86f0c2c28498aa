/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to the packet-case table: what packet_cases.c and packet_cases_gtpu.c both write rows
 * with (addresses, EtherTypes, protocol numbers, counter masks, the common Ethernet + IP shape)
 * and the GTP-U rows' declaration. It holds no rows; the tests include packet_cases.h, not this.
 */
#ifndef BPFIX_PACKET_CASES_ROWS_H
#define BPFIX_PACKET_CASES_ROWS_H

#include "packet_cases.h"

/*
 * Expected values are written by hand from the wire layout (offsets, lengths, ports), never
 * computed by the code under test, so a row checks the builder and the parser against each other.
 * Frames the kernel's test run refuses are marked "(host only)" in their comment; the BPF test
 * checks that the refusal is real. Offsets: Ethernet 14, each tag or label 4, IPv4 20 + options,
 * IPv6 40, each extension header as built.
 */

/* Addresses from the documentation ranges (RFC 5737, RFC 3849), MACs locally administered. */
static const __u8 mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const __u8 mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
#define V4_A { 192, 0, 2, 1 }
#define V4_B { 198, 51, 100, 2 }
#define V4_INNER_A { 10, 0, 0, 1 }
#define V4_INNER_B { 10, 0, 0, 2 }
#define V6_A { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }
#define V6_B { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 }

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_ARP 0x0806
#define ETH_8021Q 0x8100
#define ETH_8021AD 0x88A8
#define ETH_MPLS 0x8847

#define PROTO_HOPOPTS 0
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ROUTING 43
#define PROTO_FRAGMENT 44
#define PROTO_GRE 47
#define PROTO_ICMPV6 58
#define PROTO_DSTOPTS 60
#define PROTO_SCTP 132

/* What a metered frame hits in an empty flow table: it is seen, metered and starts a flow. */
#define METERED_NEW                                                                           \
	(PACKET_CASE_CNT(BPFIX_CNT_SEEN) | PACKET_CASE_CNT(BPFIX_CNT_METERED) |                \
	 PACKET_CASE_CNT(BPFIX_CNT_FLOWS_CREATED) | PACKET_CASE_CNT(BPFIX_CNT_OCTETS_METERED))
#define NOT_METERED(cnt) (PACKET_CASE_CNT(BPFIX_CNT_SEEN) | PACKET_CASE_CNT(cnt))

/* The common shape: Ethernet a -> b, then one IPv4 (or IPv6) header. */
static inline void eth_ipv4(struct frame *f, __u8 protocol, __u8 tos, __u8 ttl)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = protocol,
						    .tos = tos, .ttl = ttl });
}

static inline void eth_ipv6(struct frame *f, __u8 next, __u8 tclass, __u8 hop_limit)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = next,
						    .tclass = tclass, .hop_limit = hop_limit,
						    .flow_label = 0xABCDE });
}

/* The GTP-U rows (packet_cases_gtpu.c): the table's second part, after the IP/L2 rows. */
extern const struct packet_case packet_cases_gtpu[];
extern const unsigned int packet_cases_gtpu_count;
/* The TCP analysis rows (packet_cases_tcp.c): the third part. */
extern const struct packet_case packet_cases_tcp[];
extern const unsigned int packet_cases_tcp_count;
/* The rows whose headers run past the TC program's first copy (packet_cases_window.c): the fourth. */
extern const struct packet_case packet_cases_window[];
extern const unsigned int packet_cases_window_count;

#endif /* BPFIX_PACKET_CASES_ROWS_H */
