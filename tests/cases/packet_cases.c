// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IP/L2 rows of the named packet-case table (IPv4, IPv6, VLAN, MPLS, ARP, malformed and cut
 * frames) with their build_* functions, and the glue that joins them with the GTP-U and TCP rows
 * into the one table the tests run. Not here: the GTP-U rows (packet_cases_gtpu.c), the TCP
 * analysis rows (packet_cases_tcp.c), the frame builder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet_cases_rows.h"

static void build_ipv4_tcp_syn(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp(f, 40000, 80, FRAME_TCP_SYN);
}

static void build_ipv4_tcp_fin_ack(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0x02, 63); /* ECT(0) only: ECN bits count in the TOS octet */
	frame_tcp(f, 80, 40000, FRAME_TCP_FIN | FRAME_TCP_ACK);
	frame_payload(f, 100);
}

static void build_ipv4_udp(struct frame *f)
{
	eth_ipv4(f, PROTO_UDP, 0xB8, 255); /* DSCP EF, as RTP has it */
	frame_udp(f, 51000, 5004);
	frame_payload(f, 12);
}

static void build_ipv4_icmp_echo(struct frame *f)
{
	eth_ipv4(f, PROTO_ICMP, 0, 128);
	frame_icmp(f, 8, 0);
	frame_payload(f, 8);
}

static void build_ipv4_icmp_port_unreachable(struct frame *f)
{
	eth_ipv4(f, PROTO_ICMP, 0xC0, 64);
	frame_icmp(f, 3, 3);
	/* the offending datagram's IP header and first 8 octets (RFC 792) */
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_B, .dst = V4_A, .protocol = PROTO_UDP,
						    .ttl = 64 });
	frame_udp(f, 51000, 5004);
}

static void build_ipv4_sctp(struct frame *f)
{
	/* SCTP common header (RFC 9260 §3.1): ports, verification tag, checksum */
	static const __u8 sctp[12] = { 0x0b, 0x59, 0x0b, 0x59, 0, 0, 0, 1 };

	eth_ipv4(f, PROTO_SCTP, 0, 64);
	frame_bytes(f, sctp, sizeof(sctp));
}

static void build_ipv4_gre(struct frame *f)
{
	static const __u8 gre[4] = { 0x00, 0x00, 0x08, 0x00 }; /* RFC 2784, carrying IPv4 */

	eth_ipv4(f, PROTO_GRE, 0, 64);
	frame_bytes(f, gre, sizeof(gre));
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_INNER_A, .dst = V4_INNER_B,
						    .protocol = PROTO_UDP, .ttl = 64 });
	frame_udp(f, 1234, 5678);
}

static void build_ipv4_options(struct frame *f, __u8 options_len)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .options_len = options_len });
	frame_udp(f, 1111, 2222);
}

static void build_ipv4_options_ihl_6(struct frame *f)
{
	build_ipv4_options(f, 4);
}

static void build_ipv4_options_ihl_15(struct frame *f)
{
	build_ipv4_options(f, 40);
}

static void build_ipv4_ihl_4(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .version_ihl = 0x44 });
	frame_udp(f, 1111, 2222);
}

static void build_ipv4_total_len_short(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .total_len = 19 });
	frame_udp(f, 1111, 2222);
}

static void build_ipv4_total_len_inside_options(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .options_len = 4, .total_len = 20 });
	frame_udp(f, 1111, 2222);
}

static void build_ipv4_fragment(struct frame *f, __u16 frag)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .frag = frag });
}

static void build_ipv4_first_fragment(struct frame *f)
{
	build_ipv4_fragment(f, FRAME_IPV4_MF);
	frame_udp(f, 1000, 2000);
	frame_payload(f, 32);
}

static void build_ipv4_later_fragment(struct frame *f)
{
	/* octets 1480.. of the datagram: what looks like ports here is payload */
	build_ipv4_fragment(f, 185);
	frame_payload(f, 100);
}

static void build_ipv4_dont_fragment(struct frame *f)
{
	build_ipv4_fragment(f, FRAME_IPV4_DF);
	frame_udp(f, 1000, 2000);
	frame_payload(f, 32);
}

static void build_ipv4_vlan_tcp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 100, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_TCP,
						    .ttl = 64 });
	frame_tcp(f, 40000, 80, FRAME_TCP_SYN);
}

static void build_ipv4_vlan_options(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 100, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_TCP,
						    .ttl = 64, .options_len = 40 });
	frame_tcp(f, 40000, 80, FRAME_TCP_SYN);
}

static void build_ipv4_large(struct frame *f)
{
	eth_ipv4(f, PROTO_UDP, 0, 64);
	frame_udp(f, 9000, 9001);
	frame_payload(f, 1400);
}

static void build_ipv6_tcp(struct frame *f)
{
	eth_ipv6(f, PROTO_TCP, 0xB9, 64); /* DSCP 46 and ECN 1: both nibbles of the class */
	frame_tcp(f, 443, 50000, FRAME_TCP_SYN | FRAME_TCP_ACK);
}

static void build_ipv6_udp(struct frame *f)
{
	eth_ipv6(f, PROTO_UDP, 0, 1);
	frame_udp(f, 546, 547);
	frame_payload(f, 20);
}

static void build_ipv6_icmpv6(struct frame *f)
{
	eth_ipv6(f, PROTO_ICMPV6, 0, 255);
	frame_icmpv6(f, 128, 0);
	frame_payload(f, 8);
}

static void build_ipv6_hop_dst_frag_udp(struct frame *f)
{
	eth_ipv6(f, PROTO_HOPOPTS, 0, 64);
	frame_ipv6_opts(f, PROTO_DSTOPTS, 0);
	frame_ipv6_opts(f, PROTO_FRAGMENT, 1);
	frame_ipv6_frag(f, PROTO_UDP, 0, true, 0x1234);
	frame_udp(f, 4000, 4001);
	frame_payload(f, 16);
}

static void build_ipv6_later_fragment(struct frame *f)
{
	eth_ipv6(f, PROTO_FRAGMENT, 0, 64);
	frame_ipv6_frag(f, PROTO_TCP, 100, false, 0x1234);
	frame_payload(f, 64);
}

static void build_ipv6_routing_header(struct frame *f)
{
	eth_ipv6(f, PROTO_ROUTING, 0, 64);
	frame_ipv6_routing(f, PROTO_UDP, 4, 1, 2); /* a segment routing header, one segment */
	frame_udp(f, 7000, 7001);
}

static void build_ipv6_ext_chain(struct frame *f, int ext_headers)
{
	int i;

	eth_ipv6(f, PROTO_DSTOPTS, 0, 64);
	for (i = 1; i <= ext_headers; i++)
		frame_ipv6_opts(f, i < ext_headers ? PROTO_DSTOPTS : PROTO_UDP, 0);
	frame_udp(f, 5000, 5001);
}

static void build_ipv6_ext_chain_max(struct frame *f)
{
	build_ipv6_ext_chain(f, BPFIX_MAX_IPV6_EXT);
}

static void build_ipv6_ext_chain_too_long(struct frame *f)
{
	build_ipv6_ext_chain(f, BPFIX_MAX_IPV6_EXT + 1);
}

static void build_ipv6_hop_dst_udp(struct frame *f)
{
	eth_ipv6(f, PROTO_HOPOPTS, 0, 64);
	frame_ipv6_opts(f, PROTO_DSTOPTS, 0);
	frame_ipv6_opts(f, PROTO_UDP, 3);
	frame_udp(f, 5000, 5001);
}

static void build_icmp_in_ipv6(struct frame *f)
{
	eth_ipv6(f, PROTO_ICMP, 0, 64);
	frame_icmp(f, 8, 0);
	frame_payload(f, 8);
}

static void build_icmpv6_in_ipv4(struct frame *f)
{
	eth_ipv4(f, PROTO_ICMPV6, 0, 64);
	frame_icmpv6(f, 128, 0);
	frame_payload(f, 8);
}

static void build_vlan_8021q(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 5 << 13 | 100, ETH_IPV4); /* PCP 5 is not part of the id */
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64 });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 10);
}

static void build_qinq_88a8_8100(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021AD);
	frame_vlan(f, 200, ETH_8021Q);
	frame_vlan(f, 300, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_UDP,
						    .hop_limit = 64 });
	frame_udp(f, 1234, 5678);
}

/* @tags VLAN tags, the outermost 802.1ad, then IPv4 TCP. */
static void build_vlan_stack(struct frame *f, int tags)
{
	int i;

	frame_eth(f, mac_b, mac_a, ETH_8021AD);
	for (i = 1; i <= tags; i++)
		frame_vlan(f, (__u16)(10 * i), i < tags ? ETH_8021Q : ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_TCP,
						    .ttl = 64 });
	frame_tcp(f, 40000, 80, FRAME_TCP_ACK);
}

static void build_triple_tag(struct frame *f)
{
	build_vlan_stack(f, 3);
}

static void build_four_tags(struct frame *f)
{
	build_vlan_stack(f, BPFIX_MAX_VLAN);
}

static void build_five_tags(struct frame *f)
{
	build_vlan_stack(f, BPFIX_MAX_VLAN + 1);
}

static void build_mpls_ipv4(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_MPLS);
	frame_mpls(f, 1000, true, 64);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 63 });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 8);
}

static void build_mpls_two_labels_ipv6(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_MPLS);
	frame_mpls(f, 16, false, 64);
	frame_mpls(f, 17, true, 64);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_TCP,
						    .hop_limit = 60 });
	frame_tcp(f, 179, 33000, FRAME_TCP_PSH | FRAME_TCP_ACK);
}

/* @labels MPLS labels, the last at the bottom of the stack, then IPv4 UDP. */
static void build_mpls_stack(struct frame *f, int labels)
{
	int i;

	frame_eth(f, mac_b, mac_a, ETH_MPLS);
	for (i = 1; i <= labels; i++)
		frame_mpls(f, (__u32)(100 + i), i == labels, 64);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64 });
	frame_udp(f, 1234, 5678);
}

static void build_mpls_four_labels(struct frame *f)
{
	build_mpls_stack(f, BPFIX_MAX_MPLS);
}

static void build_mpls_five_labels(struct frame *f)
{
	build_mpls_stack(f, BPFIX_MAX_MPLS + 1);
}

static void build_mpls_pseudowire(struct frame *f)
{
	static const __u8 control_word[4]; /* RFC 4385: starts with 0000 */

	frame_eth(f, mac_b, mac_a, ETH_MPLS);
	frame_mpls(f, 2000, true, 64);
	frame_bytes(f, control_word, sizeof(control_word));
	frame_eth(f, mac_b, mac_a, ETH_IPV4); /* the emulated Ethernet */
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64 });
	frame_udp(f, 1234, 5678);
}

static void build_arp(struct frame *f)
{
	/* request (RFC 826): Ethernet/IPv4, who has 198.51.100.2 tell 192.0.2.1 */
	static const __u8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x0a, 192, 0, 2, 1,
				      0, 0, 0, 0, 0, 0, 198, 51, 100, 2 };
	static const __u8 broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	frame_eth(f, broadcast, mac_a, ETH_ARP);
	frame_bytes(f, arp, sizeof(arp));
}

static void build_wrong_ip_version(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .version_ihl = 0x65 });
	frame_udp(f, 1111, 2222);
}

static void build_ipv6_ethertype_version_4(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_UDP,
						    .hop_limit = 64, .version = 4 });
	frame_udp(f, 1111, 2222);
}

/*
 * GSO super-packets and BIG TCP (DESIGN.md §4): TCP 40000 -> 80 with @payload octets, the IPv4
 * total length (or IPv6 payload length) as @len says: 0 = right, FRAME_LEN_ZERO = 0, as Linux
 * writes it in a super-packet above 64 KiB. A row's frame may be the start of a longer packet:
 * its wire_len says how long, as skb->len or a capture's recorded length would.
 */
static void build_tcp_gso_v4(struct frame *f, __u32 len, __u32 payload)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_TCP,
						    .ttl = 64, .total_len = len });
	frame_tcp(f, 40000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK);
	frame_payload(f, payload);
}

static void build_tcp_gso_v6(struct frame *f, __u32 len, __u32 payload)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_TCP,
						    .hop_limit = 64, .payload_len = len });
	frame_tcp(f, 40000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK);
	frame_payload(f, payload);
}

/* 300 octets of TCP payload: 3 segments of 100 */
static void build_ipv4_tcp_gso(struct frame *f)
{
	build_tcp_gso_v4(f, 0, 300);
}

static void build_ipv4_tcp_gso_len_zero(struct frame *f)
{
	build_tcp_gso_v4(f, FRAME_LEN_ZERO, 300);
}

/* the first 100 payload octets of a longer packet */
static void build_ipv4_tcp_len_zero(struct frame *f)
{
	build_tcp_gso_v4(f, FRAME_LEN_ZERO, 100);
}

static void build_ipv6_tcp_len_zero(struct frame *f)
{
	build_tcp_gso_v6(f, FRAME_LEN_ZERO, 100);
}

/* RFC 2675: payload length 0, the length in the hop-by-hop header's Jumbo Payload option */
static void build_ipv6_jumbo(struct frame *f, bool padded, __u32 jumbo_len, __u32 payload_len)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_HOPOPTS,
						    .hop_limit = 64, .payload_len = payload_len });
	frame_ipv6_jumbo(f, PROTO_TCP, padded, jumbo_len);
	frame_tcp(f, 40000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK);
	frame_payload(f, 100);
}

/* 8 + 20 + 100 000: hop-by-hop, TCP, payload */
static void build_ipv6_jumbo_hbh(struct frame *f)
{
	build_ipv6_jumbo(f, false, 100028, FRAME_LEN_ZERO);
}

/* 16 + 20 + 100 000, the option after a PadN */
static void build_ipv6_jumbo_padded(struct frame *f)
{
	build_ipv6_jumbo(f, true, 100036, FRAME_LEN_ZERO);
}

/* IPv6 BIG TCP as Linux sends it: 8 + 20 + 100 x 1428, the first 100 payload octets here */
static void build_ipv6_jumbo_gso(struct frame *f)
{
	build_ipv6_jumbo(f, false, 8 + 20 + 100 * 1428, FRAME_LEN_ZERO);
}

/* not a jumbogram: RFC 2675 §3 wants a length above 65535 */
static void build_ipv6_jumbo_too_small(struct frame *f)
{
	build_ipv6_jumbo(f, false, 65535, FRAME_LEN_ZERO);
}

/* not a jumbogram either: the payload length is not 0 (it is right) */
static void build_ipv6_jumbo_payload_len(struct frame *f)
{
	build_ipv6_jumbo(f, false, 100028, 0);
}

static void build_vlan_ipv6_udp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 42, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_UDP,
						    .hop_limit = 64 });
	frame_udp(f, 1111, 2222);
}

/* The TCP 40000 -> 80 of the GSO rows, @ip_len IP octets; IPv6 with TCP at @l4 */
#define IPV4_TCP_GSO(ip_len_)                                                                 \
	.src_addr = V4_A, .dst_addr = V4_B, .ip_len = (ip_len_), .l3_off = 14, .l4_off = 34,  \
	.src_port = 40000, .dst_port = 80, .ip_version = 4, .protocol = PROTO_TCP, .ttl = 64,  \
	.tcp_flags = FRAME_TCP_PSH | FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ
#define IPV6_TCP_GSO(ip_len_, l4)                                                             \
	.src_addr = V6_A, .dst_addr = V6_B, .ip_len = (ip_len_), .l3_off = 14, .l4_off = (l4), \
	.src_port = 40000, .dst_port = 80, .ip_version = 6, .protocol = PROTO_TCP, .ttl = 64,  \
	.tcp_flags = FRAME_TCP_PSH | FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ

/* A row metered as a new flow: name, builder, then the rest of its fields */
#define METERED_ROW(name_, build_, ...)                                                       \
	{ .name = (name_), .build = (build_), .rc = BPFIX_PARSE_OK, .counters = METERED_NEW,    \
	  __VA_ARGS__ }

static const struct packet_case packet_cases_ip[] = {
	{
		.name = "ipv4-tcp-syn",
		.build = build_ipv4_tcp_syn,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .l4_off = 34, .src_port = 40000, .dst_port = 80, .ip_version = 4,
			  .protocol = PROTO_TCP, .ttl = 64, .tcp_flags = FRAME_TCP_SYN,
			  .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES),
	},
	{
		.name = "ipv4-tcp-fin-ack",
		.build = build_ipv4_tcp_fin_ack,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 140, .l3_off = 14,
			  .l4_off = 34, .src_port = 80, .dst_port = 40000, .ip_version = 4,
			  .protocol = PROTO_TCP, .tos = 0x02, .ttl = 63,
			  .tcp_flags = FRAME_TCP_FIN | FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-udp",
		.build = build_ipv4_udp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .l4_off = 34, .src_port = 51000, .dst_port = 5004, .ip_version = 4,
			  .protocol = PROTO_UDP, .tos = 0xB8, .ttl = 255 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-icmp-echo",
		.build = build_ipv4_icmp_echo,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 36, .l3_off = 14,
			  .l4_off = 34, .dst_port = 8 << 8 | 0, .ip_version = 4,
			  .protocol = PROTO_ICMP, .ttl = 128 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-icmp-port-unreachable",
		.build = build_ipv4_icmp_port_unreachable,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 56, .l3_off = 14,
			  .l4_off = 34, .dst_port = 3 << 8 | 3, .ip_version = 4,
			  .protocol = PROTO_ICMP, .tos = 0xC0, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-sctp",
		.build = build_ipv4_sctp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 32, .l3_off = 14,
			  .l4_off = 34, .src_port = 2905, .dst_port = 2905, .ip_version = 4,
			  .protocol = PROTO_SCTP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* no ports in GRE, and no decapsulation: the outer addresses and protocol only */
		.name = "ipv4-gre",
		.build = build_ipv4_gre,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 52, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_GRE, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-options-ihl-6",
		.build = build_ipv4_options_ihl_6,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 32, .l3_off = 14,
			  .l4_off = 38, .src_port = 1111, .dst_port = 2222, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-options-ihl-15",
		.build = build_ipv4_options_ihl_15,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 68, .l3_off = 14,
			  .l4_off = 74, .src_port = 1111, .dst_port = 2222, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-ihl-4",
		.build = build_ipv4_ihl_4,
		.rc = BPFIX_PARSE_BAD_IHL,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		.name = "ipv4-total-len-short",
		.build = build_ipv4_total_len_short,
		.rc = BPFIX_PARSE_BAD_IP_LEN,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		/* 20 covers the fixed header but not the options IHL 6 announces */
		.name = "ipv4-total-len-inside-options",
		.build = build_ipv4_total_len_inside_options,
		.rc = BPFIX_PARSE_BAD_IP_LEN,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		.name = "ipv4-first-fragment",
		.build = build_ipv4_first_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 60, .l3_off = 14,
			  .l4_off = 34, .src_port = 1000, .dst_port = 2000, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64, .more_fragments = 1 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-later-fragment",
		.build = build_ipv4_later_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 120, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .diag = BPFIX_DIAG_FRAGMENT },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_FRAGMENT),
	},
	{
		/* DF is a flag, not an offset: this is a whole datagram */
		.name = "ipv4-dont-fragment",
		.build = build_ipv4_dont_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 60, .l3_off = 14,
			  .l4_off = 34, .src_port = 1000, .dst_port = 2000, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* (host only) 12 of 20 header octets */
		.name = "ipv4-truncated-header",
		.build = build_ipv4_tcp_syn,
		.snap_len = 14 + 12,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* the same cut behind a tag, which the test run accepts */
		.name = "ipv4-truncated-header-vlan",
		.build = build_ipv4_vlan_tcp,
		.snap_len = 18 + 12,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* the fixed header is there, 20 of its 40 option octets are not */
		.name = "ipv4-options-truncated",
		.build = build_ipv4_options_ihl_15,
		.snap_len = 14 + 40,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* one octet short of IHL 15, behind a tag so the test run takes it */
		.name = "ipv4-options-truncated-vlan",
		.build = build_ipv4_vlan_options,
		.snap_len = 18 + 59,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* 13 of TCP's first 14 octets: the flags octet is missing */
		.name = "ipv4-truncated-l4",
		.build = build_ipv4_tcp_syn,
		.snap_len = 34 + 13,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_TCP, .ttl = 64,
			  .diag = BPFIX_DIAG_L4_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_L4_TRUNC),
	},
	{
		/* ports and flags are all the parser needs of TCP */
		.name = "ipv4-tcp-cut-after-flags",
		.build = build_ipv4_tcp_syn,
		.snap_len = 34 + 14,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .l4_off = 34, .src_port = 40000, .dst_port = 80, .ip_version = 4,
			  .protocol = PROTO_TCP, .ttl = 64, .tcp_flags = FRAME_TCP_SYN,
			  .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES),
	},
	{
		.name = "ipv4-udp-truncated-ports",
		.build = build_ipv4_udp,
		.snap_len = 34 + 3,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_UDP, .tos = 0xB8, .ttl = 255,
			  .diag = BPFIX_DIAG_L4_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_L4_TRUNC),
	},
	{
		/* longer than the parse window: octets still come from the IP length */
		.name = "ipv4-udp-beyond-window",
		.build = build_ipv4_large,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 1428, .l3_off = 14,
			  .l4_off = 34, .src_port = 9000, .dst_port = 9001, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv6-tcp",
		.build = build_ipv6_tcp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 60, .l3_off = 14,
			  .l4_off = 54, .src_port = 443, .dst_port = 50000, .ip_version = 6,
			  .protocol = PROTO_TCP, .tos = 0xB9, .ttl = 64,
			  .tcp_flags = FRAME_TCP_SYN | FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv6-udp",
		.build = build_ipv6_udp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 68, .l3_off = 14,
			  .l4_off = 54, .src_port = 546, .dst_port = 547, .ip_version = 6,
			  .protocol = PROTO_UDP, .ttl = 1 },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv6-icmpv6",
		.build = build_ipv6_icmpv6,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 56, .l3_off = 14,
			  .l4_off = 54, .dst_port = 128 << 8 | 0, .ip_version = 6,
			  .protocol = PROTO_ICMPV6, .ttl = 255 },
		.counters = METERED_NEW,
	},
	{
		/* hop-by-hop 8, destination options 16, first fragment 8, then UDP at 14+40+32 */
		.name = "ipv6-hop-dst-frag-udp",
		.build = build_ipv6_hop_dst_frag_udp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 96, .l3_off = 14,
			  .l4_off = 86, .src_port = 4000, .dst_port = 4001, .ip_version = 6,
			  .protocol = PROTO_UDP, .ttl = 64, .more_fragments = 1 },
		.counters = METERED_NEW,
	},
	{
		/* the fragment header names the protocol even though its header is elsewhere */
		.name = "ipv6-later-fragment",
		.build = build_ipv6_later_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 112, .l3_off = 14,
			  .ip_version = 6, .protocol = PROTO_TCP, .ttl = 64,
			  .diag = BPFIX_DIAG_FRAGMENT },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_FRAGMENT),
	},
	{
		.name = "ipv6-routing-header",
		.build = build_ipv6_routing_header,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 72, .l3_off = 14,
			  .l4_off = 78, .src_port = 7000, .dst_port = 7001, .ip_version = 6,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* exactly BPFIX_MAX_IPV6_EXT headers: the limit is reached, not exceeded */
		.name = "ipv6-ext-chain-max",
		.build = build_ipv6_ext_chain_max,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 112, .l3_off = 14,
			  .l4_off = 118, .src_port = 5000, .dst_port = 5001, .ip_version = 6,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* the walk stops at the ninth header: that is the protocol it knows */
		.name = "ipv6-ext-chain-too-long",
		.build = build_ipv6_ext_chain_too_long,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 120, .l3_off = 14,
			  .ip_version = 6, .protocol = PROTO_DSTOPTS, .ttl = 64,
			  .diag = BPFIX_DIAG_IPV6_EXT_DEPTH },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_IPV6_EXT_DEPTH),
	},
	{
		/* one octet of the destination options header that follows hop-by-hop */
		.name = "ipv6-ext-truncated",
		.build = build_ipv6_hop_dst_udp,
		.snap_len = 14 + 40 + 8 + 1,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 88, .l3_off = 14,
			  .ip_version = 6, .protocol = PROTO_DSTOPTS, .ttl = 64,
			  .diag = BPFIX_DIAG_IPV6_EXT_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_IPV6_EXT_TRUNC),
	},
	{
		/*
		 * 10 of the destination options header's 32 octets: the extension header is what
		 * was cut, so that is the diagnostic, and the protocol is the header it stopped in
		 */
		.name = "ipv6-ext-body-truncated",
		.build = build_ipv6_hop_dst_udp,
		.snap_len = 14 + 40 + 8 + 10,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 88, .l3_off = 14,
			  .ip_version = 6, .protocol = PROTO_DSTOPTS, .ttl = 64,
			  .diag = BPFIX_DIAG_IPV6_EXT_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_IPV6_EXT_TRUNC),
	},
	{
		/* (host only) 30 of 40 header octets */
		.name = "ipv6-truncated-header",
		.build = build_ipv6_udp,
		.snap_len = 14 + 30,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		.name = "ipv6-truncated-header-vlan",
		.build = build_vlan_ipv6_udp,
		.snap_len = 18 + 30,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		.name = "vlan-8021q",
		.build = build_vlan_8021q,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 38, .l3_off = 18,
			  .l4_off = 38, .src_port = 1234, .dst_port = 5678, .vlan_id = 100,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* the outer (service) tag is the one kept */
		.name = "qinq-88a8-8100",
		.build = build_qinq_88a8_8100,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 48, .l3_off = 22,
			  .l4_off = 62, .src_port = 1234, .dst_port = 5678, .vlan_id = 200,
			  .ip_version = 6, .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "triple-tag",
		.build = build_triple_tag,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 26,
			  .l4_off = 46, .src_port = 40000, .dst_port = 80, .vlan_id = 10,
			  .ip_version = 4, .protocol = PROTO_TCP, .ttl = 64,
			  .tcp_flags = FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		.name = "four-tags",
		.build = build_four_tags,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 30,
			  .l4_off = 50, .src_port = 40000, .dst_port = 80, .vlan_id = 10,
			  .ip_version = 4, .protocol = PROTO_TCP, .ttl = 64,
			  .tcp_flags = FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		.name = "five-tags",
		.build = build_five_tags,
		.rc = BPFIX_PARSE_VLAN_DEPTH,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_UNSUPPORTED),
	},
	{
		/* a tag header cut in half */
		.name = "vlan-truncated",
		.build = build_vlan_8021q,
		.snap_len = 14 + 2,
		.rc = BPFIX_PARSE_TRUNC_L2,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		.name = "mpls-ipv4",
		.build = build_mpls_ipv4,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 36, .l3_off = 18,
			  .l4_off = 38, .src_port = 1234, .dst_port = 5678, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 63 },
		.counters = METERED_NEW,
	},
	{
		.name = "mpls-two-labels-ipv6",
		.build = build_mpls_two_labels_ipv6,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 60, .l3_off = 22,
			  .l4_off = 62, .src_port = 179, .dst_port = 33000, .ip_version = 6,
			  .protocol = PROTO_TCP, .ttl = 60,
			  .tcp_flags = FRAME_TCP_PSH | FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		.name = "mpls-four-labels",
		.build = build_mpls_four_labels,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 28, .l3_off = 30,
			  .l4_off = 50, .src_port = 1234, .dst_port = 5678, .ip_version = 4,
			  .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "mpls-five-labels",
		.build = build_mpls_five_labels,
		.rc = BPFIX_PARSE_MPLS_DEPTH,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_UNSUPPORTED),
	},
	{
		.name = "mpls-truncated",
		.build = build_mpls_ipv4,
		.snap_len = 14 + 2,
		.rc = BPFIX_PARSE_TRUNC_L2,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		.name = "mpls-pseudowire",
		.build = build_mpls_pseudowire,
		.rc = BPFIX_PARSE_MPLS_NOT_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_UNSUPPORTED),
	},
	{
		.name = "arp",
		.build = build_arp,
		.rc = BPFIX_PARSE_NOT_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_NON_IP),
	},
	{
		/* (host only) shorter than an Ethernet header */
		.name = "eth-truncated",
		.build = build_ipv4_tcp_syn,
		.snap_len = 10,
		.rc = BPFIX_PARSE_TRUNC_L2,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		.name = "wrong-ip-version",
		.build = build_wrong_ip_version,
		.rc = BPFIX_PARSE_BAD_IP_VERSION,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		.name = "ipv6-ethertype-version-4",
		.build = build_ipv6_ethertype_version_4,
		.rc = BPFIX_PARSE_BAD_IP_VERSION,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		/* protocol 1 is ICMP for IPv4 only: no type/code read in IPv6 */
		.name = "icmp-in-ipv6",
		.build = build_icmp_in_ipv6,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 56, .l3_off = 14,
			  .ip_version = 6, .protocol = PROTO_ICMP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "icmpv6-in-ipv4",
		.build = build_icmpv6_in_ipv4,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 36, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_ICMPV6, .ttl = 64 },
		.counters = METERED_NEW,
	},
	/*
	 * GSO super-packets: gso_segs packets, each segment repeating the IP and TCP headers (40
	 * octets for IPv4, 60 for IPv6); the rule is bpfix_wire_octets. TCP at 14 + 20 or 14 + 40.
	 * 3 x (40 + 100) = 420:
	 */
	METERED_ROW("gso-ipv4-tcp-3-segments", build_ipv4_tcp_gso,
		    .gso_segs = 3, .gso_size = 100,
		    .wire_octets = 420,
		    .meta = { IPV4_TCP_GSO(340) },
		    /* the super-packet covers its 300 octets of data */
		    .tcp_state = FRAME_TCP_PSH | FRAME_TCP_ACK | BPFIX_TCP_SEQ_SEEN,
		    .tcp_seq_end = FRAME_TCP_SEQ + 300),
	/* the same with total length 0: under GSO the packet's length counts, 354 - 14 */
	METERED_ROW("gso-ipv4-tcp-total-len-zero", build_ipv4_tcp_gso_len_zero,
		    .gso_segs = 3, .gso_size = 100,
		    .wire_octets = 420,
		    .meta = { IPV4_TCP_GSO(340) }),
	/* BIG TCP: 40 + 100 x 1448 IP octets in the packet, 100 x (40 + 1448) on the wire */
	METERED_ROW("bigtcp-ipv4", build_ipv4_tcp_len_zero,
		    .wire_len = 14 + 40 + 100 * 1448,
		    .gso_segs = 100, .gso_size = 1448,
		    .wire_octets = 100 * (40 + 1448),
		    .meta = { IPV4_TCP_GSO(40 + 100 * 1448) }),
	/* the most segments an skb says: 65535 of 8 octets, 40 + 524280 in the packet */
	METERED_ROW("bigtcp-ipv4-65535-segments", build_ipv4_tcp_len_zero,
		    .wire_len = 14 + 40 + 65535 * 8,
		    .gso_segs = 65535, .gso_size = 8,
		    .wire_octets = 65535ull * (40 + 8),
		    .meta = { IPV4_TCP_GSO(40 + 65535 * 8) }),
	/* such a packet in a capture, which records no GSO: longer than any total length
	 * says, it is one; one packet of its IP octets, as replay counts other GSO frames */
	METERED_ROW("bigtcp-ipv4-captured", build_ipv4_tcp_len_zero,
		    .wire_len = 14 + 40 + 100 * 1448,
		    .meta = { IPV4_TCP_GSO(40 + 100 * 1448) }),
	{
		/* total length 0 in one packet the field could have said: malformed, as always */
		.name = "ipv4-total-len-zero",
		.build = build_ipv4_tcp_len_zero,
		.rc = BPFIX_PARSE_BAD_IP_LEN,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	{
		/* ... up to 65535 IP octets */
		.name = "ipv4-total-len-zero-64k",
		.build = build_ipv4_tcp_len_zero,
		.wire_len = 14 + 65535,
		.rc = BPFIX_PARSE_BAD_IP_LEN,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_MALFORMED),
	},
	/* IPv6 BIG TCP without a jumbo option: 40 + 20 + 100 x 1428, 100 x (60 + 1428) */
	METERED_ROW("bigtcp-ipv6", build_ipv6_tcp_len_zero,
		    .wire_len = 14 + 60 + 100 * 1428,
		    .gso_segs = 100, .gso_size = 1428,
		    .wire_octets = 100 * (60 + 1428),
		    .meta = { IPV6_TCP_GSO(60 + 100 * 1428, 54) }),
	METERED_ROW("bigtcp-ipv6-captured", build_ipv6_tcp_len_zero,
		    .wire_len = 14 + 60 + 100 * 1428,
		    .meta = { IPV6_TCP_GSO(60 + 100 * 1428, 54) }),
	/* payload length 0 in one packet the field could have said: its 40-octet header */
	METERED_ROW("ipv6-payload-len-zero", build_ipv6_tcp_len_zero,
		    .meta = { IPV6_TCP_GSO(40, 54) }),
	/* RFC 2675: the length is the option's, whatever the frame or capture says */
	METERED_ROW("ipv6-jumbo", build_ipv6_jumbo_hbh,
		    .meta = { IPV6_TCP_GSO(40 + 100028, 62) }),
	METERED_ROW("ipv6-jumbo-padded", build_ipv6_jumbo_padded,
		    .meta = { IPV6_TCP_GSO(40 + 100036, 70) }),
	/*
	 * IPv6 BIG TCP with the hop-by-hop header Linux adds (8 octets, only the Jumbo Payload
	 * option, TCP next): segmentation removes it, so each of the 100 segments is 40 + 20 +
	 * 1428 on the wire, not 8 more. The packet: 40 + 8 + 20 + 100 x 1428.
	 */
	METERED_ROW("bigtcp-ipv6-jumbo", build_ipv6_jumbo_gso,
		    .wire_len = 14 + 68 + 100 * 1428,
		    .gso_segs = 100, .gso_size = 1428,
		    .wire_octets = 100 * (60 + 1428),
		    .meta = { IPV6_TCP_GSO(68 + 100 * 1428, 62) }),
	/* not valid jumbograms: the payload length stands (0 here: the header) */
	METERED_ROW("ipv6-jumbo-too-small", build_ipv6_jumbo_too_small,
		    .meta = { IPV6_TCP_GSO(40, 62) }),
	METERED_ROW("ipv6-jumbo-payload-len", build_ipv6_jumbo_payload_len,
		    .meta = { IPV6_TCP_GSO(40 + 8 + 20 + 100, 62) }),
};

static const unsigned int packet_cases_ip_count =
	sizeof(packet_cases_ip) / sizeof(packet_cases_ip[0]);

const struct packet_case *packet_case_table(void)
{
	static struct packet_case *table;

	if (!table) {
		table = malloc(packet_case_table_len() * sizeof(*table));
		if (!table) {
			fprintf(stderr, "packet_cases: no memory for the table\n");
			abort();
		}
		memcpy(table, packet_cases_ip, sizeof(packet_cases_ip));
		memcpy(table + packet_cases_ip_count, packet_cases_gtpu,
		       packet_cases_gtpu_count * sizeof(*table));
		memcpy(table + packet_cases_ip_count + packet_cases_gtpu_count, packet_cases_tcp,
		       packet_cases_tcp_count * sizeof(*table));
		memcpy(table + packet_cases_ip_count + packet_cases_gtpu_count +
			       packet_cases_tcp_count,
		       packet_cases_window, packet_cases_window_count * sizeof(*table));
	}
	return table;
}

unsigned int packet_case_table_len(void)
{
	return packet_cases_ip_count + packet_cases_gtpu_count + packet_cases_tcp_count +
	       packet_cases_window_count;
}

__u32 packet_case_packets(const struct packet_case *pc)
{
	return pc->gso_segs > 1 ? pc->gso_segs : 1;
}

__u64 packet_case_octets(const struct packet_case *pc)
{
	return pc->gso_segs > 1 ? pc->wire_octets : pc->meta.ip_len;
}

__u32 packet_case_pkt_len(const struct packet_case *pc, const struct frame *f)
{
	return pc->wire_len ? pc->wire_len : f->len;
}

void packet_case_frame(const struct packet_case *pc, struct frame *f)
{
	frame_init(f);
	pc->build(f);
	frame_finish(f);
	if (pc->snap_len)
		frame_truncate(f, pc->snap_len);
}

const struct packet_case *packet_case_find(const char *name)
{
	const struct packet_case *table = packet_case_table();
	unsigned int i;

	for (i = 0; i < packet_case_table_len(); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}
