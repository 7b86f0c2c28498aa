/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frame builder the packet cases are written with: it appends one header at a time and fixes
 * the length fields and IPv4 checksums at the end. It holds no rows and parses nothing; the table
 * of named cases is packet_cases.h.
 */
#ifndef BPFIX_FRAME_BUILDER_H
#define BPFIX_FRAME_BUILDER_H

#include <stdbool.h>

#include <linux/types.h>

/* Room for a frame longer than the parse window, under BPF_PROG_TEST_RUN's page limit. */
#define FRAME_MAX 2048
#define FRAME_MAX_FIXUPS 12 /* length fields left open until frame_finish */

/* A length field written as 0 (what BIG TCP super-packets say), not the right length */
#define FRAME_LEN_ZERO 0x10000

#define FRAME_IPV4_DF 0x4000 /* RFC 791 flags, in struct frame_ipv4_fields.frag */
#define FRAME_IPV4_MF 0x2000

#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_PSH 0x08
#define FRAME_TCP_ACK 0x10
#define FRAME_TCP_SEQ 1000 /* frame_tcp's sequence number */

#define FRAME_GTPU_PORT 2152 /* TS 29.281 §4.4.2 */

/* GTP-U message types (TS 29.281 Table 6.1-1) */
#define FRAME_GTPU_ECHO_REQUEST 1
#define FRAME_GTPU_ECHO_RESPONSE 2
#define FRAME_GTPU_ERROR_INDICATION 26
#define FRAME_GTPU_END_MARKER 254
#define FRAME_GTPU_G_PDU 0xFF

/* The first GTP-U octet (TS 29.281 §5.1): version 1 and PT 1, then the E, S, PN flags */
#define FRAME_GTPU_V1 0x30
#define FRAME_GTPU_E 0x04
#define FRAME_GTPU_S 0x02
#define FRAME_GTPU_PN 0x01

/* Next extension header types (TS 29.281 Figure 5.2.1-3) */
#define FRAME_GTPU_EXT_NONE 0x00
#define FRAME_GTPU_EXT_PDU_SESSION 0x85
#define FRAME_GTPU_EXT_PDCP 0xC0

/* PDU Session Container content (TS 38.415 §5.5.2): PDU type and the flags the rows use */
#define FRAME_PSC_DL 0
#define FRAME_PSC_UL 1
#define FRAME_PSC_UL_DELAY_IND 0x02 /* octet 1, UL: a 4-octet UL delay result follows */
#define FRAME_PSC_PPP 0x80	    /* octet 2, DL: paging policy presence */
#define FRAME_PSC_RQI 0x40	    /* octet 2, DL: reflective QoS indicator */

/* A length field that depends on what is appended after its header. */
struct frame_fixup {
	__u8 kind;	/* which header starts at off */
	__u16 off;
	__u32 value;	/* a length to write instead of the right one (FRAME_LEN_ZERO: 0), 0 = none */
};

/* A frame under construction: headers are appended in wire order. */
struct frame {
	__u8 bytes[FRAME_MAX];
	__u32 len;
	__u32 trailer;	/* octets at the end no length field counts (Ethernet padding) */
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
	__u32 total_len;	/* 0 = right (computed at frame_finish); else written as is,
				 * FRAME_LEN_ZERO as 0 */
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
	__u32 payload_len;	/* 0 = right (computed at frame_finish); else written as is,
				 * FRAME_LEN_ZERO as 0 */
};

/*
 * A PDU Session Container extension header (type 0x85, TS 29.281 §5.2.2.7, content TS 38.415
 * §5.5.2): content octet 1 is pdu_type << 4 | flags1, octet 2 is flags2 | qfi.
 */
struct frame_pdu_session_fields {
	__u8 pdu_type;		/* FRAME_PSC_DL or FRAME_PSC_UL */
	__u8 flags1;		/* low nibble of octet 1 (QMP, SNP, delay indications) */
	__u8 flags2;		/* bits 8-7 of octet 2 (DL: PPP, RQI) */
	__u8 qfi;		/* bits 6-1 of octet 2 */
	__u8 len_units;		/* length in 4-octet units; 0 = 1, the shortest container */
	__u8 next;		/* next extension header type, in the last octet */
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
/*
 * The hop-by-hop header of a jumbogram (RFC 2675 §2): the Jumbo Payload option holding
 * @jumbo_len; 8 octets as Linux writes it, or @padded, 16 with a 4-octet PadN before and after.
 */
void frame_ipv6_jumbo(struct frame *f, __u8 next, bool padded, __u32 jumbo_len);
void frame_ipv6_routing(struct frame *f, __u8 next, __u8 type, __u8 segments_left,
			__u8 len_units);
void frame_ipv6_frag(struct frame *f, __u8 next, __u16 offset_units, bool more, __u32 id);
/* TCP without options, sequence number FRAME_TCP_SEQ and acknowledgment number 0 */
void frame_tcp(struct frame *f, __u16 sport, __u16 dport, __u8 flags);
void frame_tcp_seq(struct frame *f, __u16 sport, __u16 dport, __u8 flags, __u32 seq, __u32 ack);
void frame_udp(struct frame *f, __u16 sport, __u16 dport);
void frame_icmp(struct frame *f, __u8 type, __u8 code);
void frame_icmpv6(struct frame *f, __u8 type, __u8 code);
/* GTP-U v1 without optional fields (TS 29.281 §5.1); the length is filled in by frame_finish. */
void frame_gtpu(struct frame *f, __u8 msg_type, __u32 teid);
/* The same with the whole first octet given: FRAME_GTPU_V1 | flags, or another version or PT. */
void frame_gtpu_header(struct frame *f, __u8 first_octet, __u8 msg_type, __u32 teid);
/* The optional word, present when any of E, S, PN is set: sequence, N-PDU, next extension type. */
void frame_gtpu_opt(struct frame *f, __u16 seq, __u8 npdu, __u8 next_ext);
/*
 * An extension header (TS 29.281 §5.2.1): a length octet of @len_units 4-octet units (at least
 * 1), the content, the next type @next_ext in the last octet. Returns the len_units * 4 - 2
 * content octets, zeroed, for the caller to fill.
 */
__u8 *frame_gtpu_ext(struct frame *f, __u8 len_units, __u8 next_ext);
/* A PDU Session Container; returns the content after octet 2 (zeroed) for longer containers. */
__u8 *frame_gtpu_pdu_session(struct frame *f, const struct frame_pdu_session_fields *psc);
void frame_bytes(struct frame *f, const void *data, __u32 n);
void frame_payload(struct frame *f, __u32 n); /* @n octets of filler */
/* @n zero octets of Ethernet padding, which no length field counts; the last thing appended. */
void frame_eth_padding(struct frame *f, __u32 n);
/* Fill every open length field (IP, UDP, GTP-U) and the IPv4 header checksums. */
void frame_finish(struct frame *f);
/* Keep the first @n octets, as a capture with a small snap length would. */
void frame_truncate(struct frame *f, __u32 n);

#endif /* BPFIX_FRAME_BUILDER_H */
