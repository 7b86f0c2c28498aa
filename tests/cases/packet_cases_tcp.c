// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCP analysis rows of the named packet-case table (DESIGN.md §4a): single segments with
 * their sequence and acknowledgment numbers, and the state the TCP analysis gives the flow they
 * start (first packet's flags, the highest sequence end, ISN, RST, pending handshake). How
 * segments of one connection add up (gaps, retransmissions, round trips) needs more than one
 * frame: tests/bpf/test_tcp_analysis.c. Not here: the IP/L2 and GTP-U rows.
 */
#include "packet_cases_rows.h"

#define SEQ_WRAP 0xFFFFFFC0u	/* 64 octets below 2^32 */
#define SYN_ACK (FRAME_TCP_SYN | FRAME_TCP_ACK)
#define PSH_ACK (FRAME_TCP_PSH | FRAME_TCP_ACK)
#define RST_ACK (FRAME_TCP_RST | FRAME_TCP_ACK)
#define FIN_ACK (FRAME_TCP_FIN | FRAME_TCP_ACK)

/* A TCP Fast Open SYN: 100 octets of data, the sequence space wrapping past 2^32 */
static void build_tcp_syn_data_wrap(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 40001, 80, FRAME_TCP_SYN, SEQ_WRAP, 0);
	frame_payload(f, 100);
}

static void build_tcp_synack(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 80, 40001, SYN_ACK, 0x7000, SEQ_WRAP + 101);
}

/* A flow seen from the middle: data, no SYN */
static void build_tcp_data_first(struct frame *f)
{
	eth_ipv6(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 40002, 443, PSH_ACK, 5000, 900);
	frame_payload(f, 1000);
}

static void build_tcp_rst(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 40003, 80, RST_ACK, 7, 8);
}

static void build_tcp_pure_ack(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 40004, 80, FRAME_TCP_ACK, 123456, 654321);
}

/* A FIN without data takes one sequence number: the last one below 2^32 */
static void build_tcp_fin_wrap(struct frame *f)
{
	eth_ipv4(f, PROTO_TCP, 0, 64);
	frame_tcp_seq(f, 40005, 80, FIN_ACK, 0xFFFFFFFFu, 1);
}

/* The first fragment of a TCP segment: only the start of its data is here */
static void build_tcp_first_fragment(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_TCP,
						    .ttl = 64, .frag = FRAME_IPV4_MF });
	frame_tcp_seq(f, 40006, 80, PSH_ACK, 9000, 1);
	frame_payload(f, 1000);
}

#define TCP_V4(sport, dport, len, flags, seq, ack)                                            \
	.src_addr = V4_A, .dst_addr = V4_B, .ip_len = (len), .l3_off = 14, .l4_off = 34,      \
	.src_port = (sport), .dst_port = (dport), .ip_version = 4, .protocol = PROTO_TCP,     \
	.ttl = 64, .tcp_flags = (flags), .tcp_seq = (seq), .tcp_ack = (ack)

const struct packet_case packet_cases_tcp[] = {
	{
		.name = "tcp-syn-data-wrap",
		.build = build_tcp_syn_data_wrap,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(40001, 80, 140, FRAME_TCP_SYN, SEQ_WRAP, 0) },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES),
		/* the SYN and its 100 octets: 101 sequence numbers, 37 of them past 2^32 */
		.tcp_state = FRAME_TCP_SYN | BPFIX_TCP_SEQ_SEEN | BPFIX_TCP_ISN_SEEN |
			     BPFIX_TCP_HS_PENDING,
		.tcp_seq_end = 37,
	},
	{
		/* no SYN in the connection map: no handshake, the server's ISN all the same */
		.name = "tcp-synack",
		.build = build_tcp_synack,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(80, 40001, 40, SYN_ACK, 0x7000, SEQ_WRAP + 101) },
		.counters = METERED_NEW,
		.tcp_state = SYN_ACK | BPFIX_TCP_SEQ_SEEN | BPFIX_TCP_ISN_SEEN,
		.tcp_seq_end = 0x7001,
	},
	{
		.name = "tcp-data-first",
		.build = build_tcp_data_first,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_A, .dst_addr = V6_B, .ip_len = 1060, .l3_off = 14,
			  .l4_off = 54, .src_port = 40002, .dst_port = 443, .ip_version = 6,
			  .protocol = PROTO_TCP, .ttl = 64, .tcp_flags = PSH_ACK, .tcp_seq = 5000,
			  .tcp_ack = 900 },
		.counters = METERED_NEW,
		.tcp_state = PSH_ACK | BPFIX_TCP_SEQ_SEEN,
		.tcp_seq_end = 6000,
	},
	{
		/* an RST is never classified: no sequence end, but the next SYN starts afresh */
		.name = "tcp-rst",
		.build = build_tcp_rst,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(40003, 80, 40, RST_ACK, 7, 8) },
		.counters = METERED_NEW,
		.tcp_state = RST_ACK | BPFIX_TCP_RST_SEEN,
		.tcp_seq_end = 0,
	},
	{
		/* no data, SYN or FIN: nothing to classify */
		.name = "tcp-pure-ack",
		.build = build_tcp_pure_ack,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(40004, 80, 40, FRAME_TCP_ACK, 123456, 654321) },
		.counters = METERED_NEW,
		.tcp_state = FRAME_TCP_ACK,
		.tcp_seq_end = 0,
	},
	{
		.name = "tcp-fin-wrap",
		.build = build_tcp_fin_wrap,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(40005, 80, 40, FIN_ACK, 0xFFFFFFFFu, 1) },
		.counters = METERED_NEW,
		.tcp_state = FIN_ACK | BPFIX_TCP_SEQ_SEEN,
		.tcp_seq_end = 0,
	},
	{
		/* an IP first fragment holds an unknown part of its segment: no sequence end is
		 * taken from it (the next segment would look like a gap) */
		.name = "tcp-first-fragment",
		.build = build_tcp_first_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { TCP_V4(40006, 80, 1040, PSH_ACK, 9000, 1), .more_fragments = 1 },
		.counters = METERED_NEW,
		.tcp_state = PSH_ACK,
		.tcp_seq_end = 0,
	},
};

const unsigned int packet_cases_tcp_count = sizeof(packet_cases_tcp) / sizeof(packet_cases_tcp[0]);
