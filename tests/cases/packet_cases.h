/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The named packet cases every parser path is tested with (DESIGN.md §8): a frame builder that
 * appends one header at a time and fixes lengths at the end, and a table of rows, each a frame
 * with its expected parse result, metadata and counters, written once. Running the rows is up
 * to the tests (host parser, BPF_PROG_TEST_RUN, later a veth); nothing here parses or accounts.
 */
#ifndef BPFIX_PACKET_CASES_H
#define BPFIX_PACKET_CASES_H

#include <stdbool.h>

#include "bpfix_flow.h"

/* Room for a frame longer than the parse window, under BPF_PROG_TEST_RUN's page limit. */
#define FRAME_MAX 2048
#define FRAME_MAX_FIXUPS 8 /* length fields left open until frame_finish */

#define FRAME_IPV4_DF 0x4000 /* RFC 791 flags, in struct frame_ipv4_fields.frag */
#define FRAME_IPV4_MF 0x2000

#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_PSH 0x08
#define FRAME_TCP_ACK 0x10

#define FRAME_GTPU_PORT 2152 /* TS 29.281 §4.4.2 */
#define FRAME_GTPU_G_PDU 0xFF

/* A length field that depends on what is appended after its header. */
struct frame_fixup {
	__u8 kind;	/* which header starts at off */
	__u16 off;
	__u16 value;	/* a malformed length to write instead of the right one, 0 = none */
};

/* A frame under construction: headers are appended in wire order. */
struct frame {
	__u8 bytes[FRAME_MAX];
	__u32 len;
	unsigned int nfixups;
	struct frame_fixup fixups[FRAME_MAX_FIXUPS];
};

/* IPv4 header fields; the total length and header checksum are filled in by frame_finish. */
struct frame_ipv4_fields {
	__u8 src[4];
	__u8 dst[4];
	__u8 protocol;
	__u8 tos;
	__u8 ttl;
	__u16 frag;		/* flags | offset in 8-octet units, host order */
	__u8 options_len;	/* octets of options (NOPs), a multiple of 4, at most 40 */
	__u8 version_ihl;	/* 0 = right (4 and the header length); else written as is */
	__u16 total_len;	/* 0 = right (computed at frame_finish); else written as is */
};

/* IPv6 header fields; the payload length is filled in by frame_finish. */
struct frame_ipv6_fields {
	__u8 src[16];
	__u8 dst[16];
	__u8 next;
	__u8 tclass;
	__u8 hop_limit;
	__u32 flow_label;
	__u8 version;		/* 0 = 6; else written as is */
};

void frame_init(struct frame *f);
void frame_eth(struct frame *f, const __u8 dst[6], const __u8 src[6], __u16 ethertype);
/* An 802.1Q/802.1ad tag: the TPID was the previous EtherType; @ethertype is what follows. */
void frame_vlan(struct frame *f, __u16 tci, __u16 ethertype);
void frame_mpls(struct frame *f, __u32 label, bool bottom_of_stack, __u8 ttl);
void frame_ipv4(struct frame *f, const struct frame_ipv4_fields *ip);
void frame_ipv6(struct frame *f, const struct frame_ipv6_fields *ip);
/* Hop-by-hop or destination options (same layout), padded with PadN: (len_units + 1) * 8 octets. */
void frame_ipv6_opts(struct frame *f, __u8 next, __u8 len_units);
void frame_ipv6_routing(struct frame *f, __u8 next, __u8 type, __u8 segments_left,
			__u8 len_units);
void frame_ipv6_frag(struct frame *f, __u8 next, __u16 offset_units, bool more, __u32 id);
void frame_tcp(struct frame *f, __u16 sport, __u16 dport, __u8 flags);
void frame_udp(struct frame *f, __u16 sport, __u16 dport);
void frame_icmp(struct frame *f, __u8 type, __u8 code);
void frame_icmpv6(struct frame *f, __u8 type, __u8 code);
/* GTP-U v1 without optional fields (TS 29.281 §5.1); the length is filled in by frame_finish. */
void frame_gtpu(struct frame *f, __u8 msg_type, __u32 teid);
void frame_bytes(struct frame *f, const void *data, __u32 n);
void frame_payload(struct frame *f, __u32 n); /* @n octets of filler */
/* Fill every open length field (IP, UDP, GTP-U) and the IPv4 header checksums. */
void frame_finish(struct frame *f);
/* Keep the first @n octets, as a capture with a small snap length would. */
void frame_truncate(struct frame *f, __u32 n);

/* Bit of enum bpfix_counter @idx in packet_case.counters. */
#define PACKET_CASE_CNT(idx) (1u << (idx))
_Static_assert(BPFIX_CNT_MAX <= 32, "packet_case.counters is a 32-bit mask");

struct packet_case {
	const char *name;
	void (*build)(struct frame *f);	/* appends the headers; lengths are fixed afterwards */
	__u32 snap_len;			/* keep only this many octets of the frame, 0 = all */
	enum bpfix_parse_rc rc;
	/* expected metadata when rc is BPFIX_PARSE_OK; not compared otherwise */
	struct bpfix_pkt_meta meta;
	/* the counters this frame alone hits on its way into an empty flow table */
	__u32 counters;
};

extern const struct packet_case packet_cases[];
extern const unsigned int packet_case_count;

/* The row's frame: built, finished and cut to its snap length. */
void packet_case_frame(const struct packet_case *pc, struct frame *f);

#endif /* BPFIX_PACKET_CASES_H */
