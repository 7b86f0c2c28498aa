// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rows of the named packet-case table whose headers run past octet 128, the TC program's
 * first copy (bpf/flow.bpf.c): an IPv6 extension chain, QinQ and MPLS, GTP-U extension headers
 * and inner headers that straddle it, and a frame that ends just after it. The kernel must copy
 * the rest and parse again for the first ones, and must not for the last; the expected values
 * are written from the wire layout, as in every other row. Not here: the other rows, the glue.
 */
#include "packet_cases_rows.h"

#define TEID_WINDOW 0x0a0b0c0d
#define WINDOW_TTL 32	 /* the inner packets' TTL and traffic class, told from the outer ones */
#define WINDOW_TCLASS 0x28

/* IPv6 54..70 hop-by-hop (16), 70..118 destination options (48), TCP ACK 118..138 + 10 */
static void build_ipv6_ext_tcp_across(struct frame *f)
{
	eth_ipv6(f, PROTO_HOPOPTS, 0, 64);
	frame_ipv6_opts(f, PROTO_DSTOPTS, 1);
	frame_ipv6_opts(f, PROTO_TCP, 5);
	frame_tcp(f, 40000, 443, FRAME_TCP_ACK);
	frame_payload(f, 10);
}

/* destination options 54..134 (80 octets), across 128 themselves; UDP 134..142 + 8 */
static void build_ipv6_ext_header_across(struct frame *f)
{
	eth_ipv6(f, PROTO_DSTOPTS, 0, 64);
	frame_ipv6_opts(f, PROTO_UDP, 9);
	frame_udp(f, 5000, 5001);
	frame_payload(f, 8);
}

/* tags 200 and 300, labels 16 and 17, IPv6 30..70, options 70..126, UDP ports 126..130 + 4 */
static void build_qinq_mpls_ipv6_ports_across(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021AD);
	frame_vlan(f, 200, ETH_8021Q);
	frame_vlan(f, 300, ETH_MPLS);
	frame_mpls(f, 16, false, 64);
	frame_mpls(f, 17, true, 64);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_DSTOPTS,
						    .hop_limit = 64 });
	frame_ipv6_opts(f, PROTO_UDP, 6);
	frame_udp(f, 1234, 5678);
	frame_payload(f, 4);
}

/*
 * UDP 2152 -> 2152, a G-PDU header with its optional word, an extension header of @ext_units
 * 4-octet units, then a PDU Session Container (uplink, QFI 9): the G-PDUs below
 */
static void window_gpdu_header(struct frame *f, __u8 ext_units)
{
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_WINDOW);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDCP);
	frame_gtpu_ext(f, ext_units, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 9 });
}

/*
 * IPv4/UDP 2152 transport, GTP-U 42, optional word 50, a 20-octet extension 54..74, the
 * container 74..78, inner IPv6 78..118, inner TCP ACK 118..138
 */
static void build_gpdu_inner_tcp_across(struct frame *f)
{
	eth_ipv4(f, PROTO_UDP, 0, 64);
	window_gpdu_header(f, 5);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_B, .dst = V6_A, .next = PROTO_TCP,
						    .tclass = WINDOW_TCLASS,
						    .hop_limit = WINDOW_TTL });
	frame_tcp(f, 443, 40000, FRAME_TCP_ACK);
}

/*
 * IPv6/UDP 2152 transport (UDP 54), GTP-U 62, optional word 70, a 56-octet extension 74..130
 * across 128, the container 130..134, inner IPv4 134..154, inner UDP 154..162 + 8
 */
static void build_gpdu_ext_across(struct frame *f)
{
	eth_ipv6(f, PROTO_UDP, 0, 64);
	window_gpdu_header(f, 14);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .tos = WINDOW_TCLASS, .ttl = WINDOW_TTL });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 8);
}

#define WINDOW_TUNNEL(src, dst, version)                                                      \
	.tun_version = (version), .tun_src_addr = src, .tun_dst_addr = dst, .teid = TEID_WINDOW, \
	.has_pdu_session = 1, .pdu_type = FRAME_PSC_UL, .qfi = 9
#define WINDOW_DECAPSULATED (METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_GTP_DECAPSULATED))

const struct packet_case packet_cases_window[] = {
	{
		.name = "ipv6-ext-tcp-across-first-copy",
		.build = build_ipv6_ext_tcp_across,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 40 + 16 + 48 + 20 + 10,
			  .l3_off = 14, .l4_off = 118, .src_port = 40000, .dst_port = 443,
			  .ip_version = 6, .protocol = PROTO_TCP, .ttl = 64,
			  .tcp_flags = FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ },
		.counters = METERED_NEW,
	},
	{
		/* the frame ends at 130, inside the TCP header: there is nothing more to copy */
		.name = "ipv6-ext-tcp-cut-after-first-copy",
		.build = build_ipv6_ext_tcp_across,
		.snap_len = 130,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 40 + 16 + 48 + 20 + 10,
			  .l3_off = 14, .ip_version = 6, .protocol = PROTO_TCP, .ttl = 64,
			  .diag = BPFIX_DIAG_L4_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_L4_TRUNC),
	},
	{
		.name = "ipv6-ext-header-across-first-copy",
		.build = build_ipv6_ext_header_across,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 40 + 80 + 8 + 8,
			  .l3_off = 14, .l4_off = 134, .src_port = 5000, .dst_port = 5001,
			  .ip_version = 6, .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "qinq-mpls-ipv6-ports-across-first-copy",
		.build = build_qinq_mpls_ipv6_ports_across,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 40 + 56 + 8 + 4,
			  .l3_off = 30, .l4_off = 126, .src_port = 1234, .dst_port = 5678,
			  .vlan_id = 200, .ip_version = 6, .protocol = PROTO_UDP, .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		.name = "gpdu-inner-tcp-across-first-copy",
		.build = build_gpdu_inner_tcp_across,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_B, .dst_addr = V6_A, .ip_len = 40 + 20, .l3_off = 78,
			  .l4_off = 118, .src_port = 443, .dst_port = 40000, .ip_version = 6,
			  .protocol = PROTO_TCP, .tos = WINDOW_TCLASS, .ttl = WINDOW_TTL,
			  .tcp_flags = FRAME_TCP_ACK, .tcp_seq = FRAME_TCP_SEQ,
			  WINDOW_TUNNEL(V4_A, V4_B, 4) },
		.counters = WINDOW_DECAPSULATED,
	},
	{
		.name = "gpdu-ext-across-first-copy",
		.build = build_gpdu_ext_across,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 20 + 8 + 8, .l3_off = 134,
			  .l4_off = 154, .src_port = 1234, .dst_port = 5678, .ip_version = 4,
			  .protocol = PROTO_UDP, .tos = WINDOW_TCLASS, .ttl = WINDOW_TTL,
			  WINDOW_TUNNEL(V6_A, V6_B, 6) },
		.counters = WINDOW_DECAPSULATED,
	},
};

const unsigned int packet_cases_window_count =
	sizeof(packet_cases_window) / sizeof(packet_cases_window[0]);
