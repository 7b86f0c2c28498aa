// SPDX-License-Identifier: GPL-2.0-only
/*
 * The frame builder and the table of named packet cases. Expected values are written by hand
 * from the wire layout (offsets, lengths, ports), never computed by the code under test, so a
 * row checks the builder and the parser against each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet_cases.h"

enum frame_fixup_kind {
	FIXUP_IPV4,
	FIXUP_IPV6,
	FIXUP_UDP,
	FIXUP_GTPU,
};

static void put_be16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static void put_be32(__u8 *p, __u32 v)
{
	put_be16(p, (__u16)(v >> 16));
	put_be16(p + 2, (__u16)v);
}

/* @n zeroed octets at the end of the frame; a row that does not fit is a bug in the table. */
static __u8 *append(struct frame *f, __u32 n)
{
	__u8 *p;

	if (n > FRAME_MAX - f->len) {
		fprintf(stderr, "packet_cases: frame longer than %u octets\n", FRAME_MAX);
		abort();
	}
	p = f->bytes + f->len;
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void add_fixup(struct frame *f, enum frame_fixup_kind kind, __u32 off, __u16 value)
{
	if (f->nfixups == FRAME_MAX_FIXUPS) {
		fprintf(stderr, "packet_cases: more than %u length fields\n", FRAME_MAX_FIXUPS);
		abort();
	}
	f->fixups[f->nfixups++] = (struct frame_fixup){ .kind = kind, .off = (__u16)off,
							 .value = value };
}

void frame_init(struct frame *f)
{
	memset(f, 0, sizeof(*f));
}

void frame_eth(struct frame *f, const __u8 dst[6], const __u8 src[6], __u16 ethertype)
{
	__u8 *p = append(f, 14);

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put_be16(p + 12, ethertype);
}

void frame_vlan(struct frame *f, __u16 tci, __u16 ethertype)
{
	__u8 *p = append(f, 4);

	put_be16(p, tci);
	put_be16(p + 2, ethertype);
}

void frame_mpls(struct frame *f, __u32 label, bool bottom_of_stack, __u8 ttl)
{
	/* RFC 3032 §2.1: label (20 bits), traffic class (3), bottom of stack (1), TTL (8) */
	put_be32(append(f, 4), label << 12 | (bottom_of_stack ? 1u << 8 : 0) | ttl);
}

void frame_ipv4(struct frame *f, const struct frame_ipv4_fields *ip)
{
	__u32 hdr_len = 20 + ip->options_len;
	__u32 off = f->len;
	__u8 *p = append(f, hdr_len);

	p[0] = ip->version_ihl ? ip->version_ihl : (__u8)(0x40 | hdr_len / 4);
	p[1] = ip->tos;
	put_be16(p + 4, 0x4242); /* identification */
	put_be16(p + 6, ip->frag);
	p[8] = ip->ttl;
	p[9] = ip->protocol;
	memcpy(p + 12, ip->src, 4);
	memcpy(p + 16, ip->dst, 4);
	/* options: No Operation (RFC 791), which any length allows */
	memset(p + 20, 1, ip->options_len);
	add_fixup(f, FIXUP_IPV4, off, ip->total_len);
}

void frame_ipv6(struct frame *f, const struct frame_ipv6_fields *ip)
{
	__u32 off = f->len;
	__u8 *p = append(f, 40);
	__u32 version = ip->version ? ip->version : 6;

	put_be32(p, version << 28 | (__u32)ip->tclass << 20 | (ip->flow_label & 0xFFFFF));
	p[6] = ip->next;
	p[7] = ip->hop_limit;
	memcpy(p + 8, ip->src, 16);
	memcpy(p + 24, ip->dst, 16);
	add_fixup(f, FIXUP_IPV6, off, 0);
}

void frame_ipv6_opts(struct frame *f, __u8 next, __u8 len_units)
{
	__u32 n = ((__u32)len_units + 1) * 8;
	__u8 *p = append(f, n);

	p[0] = next;
	p[1] = len_units;
	/* one PadN option fills the rest (RFC 8200 §4.2) */
	p[2] = 1;
	p[3] = (__u8)(n - 4);
}

void frame_ipv6_routing(struct frame *f, __u8 next, __u8 type, __u8 segments_left,
			__u8 len_units)
{
	__u8 *p = append(f, ((__u32)len_units + 1) * 8);

	/* RFC 8200 §4.4; the type-specific data stays zero */
	p[0] = next;
	p[1] = len_units;
	p[2] = type;
	p[3] = segments_left;
}

void frame_ipv6_frag(struct frame *f, __u8 next, __u16 offset_units, bool more, __u32 id)
{
	__u8 *p = append(f, 8);

	/* RFC 8200 §4.5: offset in the upper 13 bits, M flag in the lowest */
	p[0] = next;
	put_be16(p + 2, (__u16)(offset_units << 3 | (more ? 1 : 0)));
	put_be32(p + 4, id);
}

void frame_tcp(struct frame *f, __u16 sport, __u16 dport, __u8 flags)
{
	__u8 *p = append(f, 20);

	put_be16(p, sport);
	put_be16(p + 2, dport);
	put_be32(p + 4, 1000);	/* sequence number */
	p[12] = 5 << 4;		/* data offset: 20 octets, no options */
	p[13] = flags;
	put_be16(p + 14, 65535); /* window */
}

void frame_udp(struct frame *f, __u16 sport, __u16 dport)
{
	__u32 off = f->len;
	__u8 *p = append(f, 8);

	/* the checksum stays 0: nothing under test reads it */
	put_be16(p, sport);
	put_be16(p + 2, dport);
	add_fixup(f, FIXUP_UDP, off, 0);
}

void frame_icmp(struct frame *f, __u8 type, __u8 code)
{
	__u8 *p = append(f, 8);

	p[0] = type;
	p[1] = code;
	put_be16(p + 4, 0x0101); /* identifier and sequence number, as an echo has them */
	put_be16(p + 6, 1);
}

void frame_icmpv6(struct frame *f, __u8 type, __u8 code)
{
	frame_icmp(f, type, code); /* the same first 8 octets (RFC 4443 §2.1) */
}

void frame_gtpu_header(struct frame *f, __u8 first_octet, __u8 msg_type, __u32 teid)
{
	__u32 off = f->len;
	__u8 *p = append(f, 8);

	p[0] = first_octet;
	p[1] = msg_type;
	put_be32(p + 4, teid);
	add_fixup(f, FIXUP_GTPU, off, 0);
}

void frame_gtpu(struct frame *f, __u8 msg_type, __u32 teid)
{
	frame_gtpu_header(f, FRAME_GTPU_V1, msg_type, teid); /* no E/S/PN flags */
}

void frame_gtpu_opt(struct frame *f, __u16 seq, __u8 npdu, __u8 next_ext)
{
	__u8 *p = append(f, 4);

	put_be16(p, seq);
	p[2] = npdu;
	p[3] = next_ext;
}

__u8 *frame_gtpu_ext(struct frame *f, __u8 len_units, __u8 next_ext)
{
	__u32 n = (__u32)len_units * 4;
	__u8 *p;

	if (!len_units) {
		/* a zero length octet is a malformed header: rows write it with frame_bytes */
		fprintf(stderr, "packet_cases: GTP-U extension header of length 0\n");
		abort();
	}
	p = append(f, n);
	p[0] = len_units;
	p[n - 1] = next_ext;
	return p + 1;
}

__u8 *frame_gtpu_pdu_session(struct frame *f, const struct frame_pdu_session_fields *psc)
{
	__u8 *content = frame_gtpu_ext(f, psc->len_units ? psc->len_units : 1, psc->next);

	content[0] = (__u8)(psc->pdu_type << 4 | (psc->flags1 & 0x0F));
	content[1] = (__u8)((psc->flags2 & 0xC0) | (psc->qfi & 0x3F));
	return content + 2;
}

void frame_bytes(struct frame *f, const void *data, __u32 n)
{
	memcpy(append(f, n), data, n);
}

void frame_payload(struct frame *f, __u32 n)
{
	__u8 *p = append(f, n);
	__u32 i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(0xA0 + i % 16);
}

void frame_eth_padding(struct frame *f, __u32 n)
{
	append(f, n);
	f->trailer += n;
}

static __u16 ipv4_checksum(const __u8 *hdr, __u32 len)
{
	__u32 sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (__u16)~sum;
}

void frame_finish(struct frame *f)
{
	unsigned int i;

	for (i = 0; i < f->nfixups; i++) {
		const struct frame_fixup *fx = &f->fixups[i];
		__u8 *p = f->bytes + fx->off;
		__u16 to_end = (__u16)(f->len - f->trailer - fx->off);

		switch (fx->kind) {
		case FIXUP_IPV4:
			put_be16(p + 2, fx->value ? fx->value : to_end);
			/* the checksum covers the header as its IHL says, when that is sane */
			if ((p[0] & 0x0F) >= 5)
				put_be16(p + 10, ipv4_checksum(p, (p[0] & 0x0Fu) * 4));
			break;
		case FIXUP_IPV6:
			put_be16(p + 4, (__u16)(to_end - 40));
			break;
		case FIXUP_UDP:
			put_be16(p + 4, to_end);
			break;
		case FIXUP_GTPU:
			/* the octets after the mandatory 8: optional word, extensions, T-PDU */
			put_be16(p + 2, (__u16)(to_end - 8));
			break;
		}
	}
}

void frame_truncate(struct frame *f, __u32 n)
{
	if (n < f->len)
		f->len = n;
}

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
	 PACKET_CASE_CNT(BPFIX_CNT_FLOWS_CREATED))
#define NOT_METERED(cnt) (PACKET_CASE_CNT(BPFIX_CNT_SEEN) | PACKET_CASE_CNT(cnt))

/* The common shape: Ethernet a -> b, then one IPv4 header. */
static void eth_ipv4(struct frame *f, __u8 protocol, __u8 tos, __u8 ttl)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = protocol,
						    .tos = tos, .ttl = ttl });
}

static void eth_ipv6(struct frame *f, __u8 next, __u8 tclass, __u8 hop_limit)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = next,
						    .tclass = tclass, .hop_limit = hop_limit,
						    .flow_label = 0xABCDE });
}

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

static void build_vlan_ipv6_udp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 42, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_UDP,
						    .hop_limit = 64 });
	frame_udp(f, 1111, 2222);
}

/*
 * GTP-U (TS 29.281; reference/ipfix-gtp-collectors.md §2). The transport is IPv4 192.0.2.1 ->
 * 198.51.100.2 (TTL 64, TOS 0) or IPv6, then UDP; the T-PDUs have TTL 32 and TOS 0x28, so a row
 * tells the inner fields from the outer. Offsets with the IPv4 transport: UDP 34, GTP-U 42,
 * optional word 50, extension headers from 54.
 */
#define INNER_TTL 32
#define INNER_TOS 0x28
#define V6_INNER_A { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x0f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x0a }
#define V6_INNER_B { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x0f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x0b }
#define TEID_UL 0x1234abcd /* the TEIDs of the verified bytes in the reference, §2.4 */
#define TEID_DL 0xdeadbeef
#define TEID_A 0x11223344
#define TEID_INNER 0x55667788
#define PORT_EPHEMERAL 40000
#define UDP_PORT_NOT_GTPU 2153

static const __u8 v4_a[4] = V4_A;
static const __u8 v4_b[4] = V4_B;
static const __u8 v4_inner_a[4] = V4_INNER_A;
static const __u8 v4_inner_b[4] = V4_INNER_B;

/* IPv4 @src -> @dst, then UDP @sport -> @dport: what carries GTP-U */
static void gtpu_transport_v4(struct frame *f, const __u8 src[4], const __u8 dst[4], __u16 sport,
			      __u16 dport)
{
	struct frame_ipv4_fields ip = { .protocol = PROTO_UDP, .ttl = 64 };

	memcpy(ip.src, src, 4);
	memcpy(ip.dst, dst, 4);
	frame_ipv4(f, &ip);
	frame_udp(f, sport, dport);
}

static void eth_gtpu_v4(struct frame *f, const __u8 src[4], const __u8 dst[4], __u16 sport,
			__u16 dport)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	gtpu_transport_v4(f, src, dst, sport, dport);
}

/* The usual T-PDU: IPv4 10.0.0.1:1234 -> 10.0.0.2:5678 UDP, 36 octets */
static void inner_ipv4_udp(struct frame *f)
{
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_INNER_A, .dst = V4_INNER_B,
						    .protocol = PROTO_UDP, .tos = INNER_TOS,
						    .ttl = INNER_TTL });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 8);
}

/* IPv4 TCP without options or payload, 40 octets, as in the reference's verified bytes */
static void inner_ipv4_tcp(struct frame *f, bool uplink)
{
	struct frame_ipv4_fields ip = { .src = V4_INNER_A, .dst = V4_INNER_B,
					.protocol = PROTO_TCP, .tos = INNER_TOS, .ttl = INNER_TTL };

	if (uplink) {
		frame_ipv4(f, &ip);
		frame_tcp(f, 40000, 80, FRAME_TCP_SYN);
	} else {
		memcpy(ip.src, v4_inner_b, 4);
		memcpy(ip.dst, v4_inner_a, 4);
		frame_ipv4(f, &ip);
		frame_tcp(f, 80, 40000, FRAME_TCP_SYN | FRAME_TCP_ACK);
	}
}

/* A G-PDU with no optional fields (first octet 0x30): the T-PDU at 50 */
static void build_gpdu_no_optional_fields(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/* S only (0x32): the optional word is there, its next-type octet 0; the T-PDU at 54 */
static void build_gpdu_s_only(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_S, FRAME_GTPU_G_PDU, TEID_A);
	frame_gtpu_opt(f, 7, 0, FRAME_GTPU_EXT_NONE);
	inner_ipv4_udp(f);
}

/*
 * PN only (0x31). The unused fields carry junk, a next type 0x85 among them: with E clear the
 * receiver does not evaluate them (TS 29.281 §5.1).
 */
static void build_gpdu_pn_only(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_PN, FRAME_GTPU_G_PDU, TEID_A);
	frame_gtpu_opt(f, 0xFFFF, 42, FRAME_GTPU_EXT_PDU_SESSION);
	inner_ipv4_udp(f);
}

/* E, optional word, PDU Session Container (4 octets): the T-PDU at 58 */
static void build_gpdu_pdu_session_ul(struct frame *f)
{
	/* reference §2.4: 34 ff 00 30 | 12 34 ab cd | 00 00 00 85 | 01 10 09 00 | 45 ... */
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 9 });
	inner_ipv4_tcp(f, true);
}

/* The way back: UPF 198.51.100.2 -> gNB 192.0.2.1, which owns the downlink TEID */
static void build_gpdu_pdu_session_dl(struct frame *f)
{
	/* reference §2.4: 34 ff 00 30 | de ad be ef | 00 00 00 85 | 01 00 45 00 | 45 ... */
	eth_gtpu_v4(f, v4_b, v4_a, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_DL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_DL,
								       .flags2 = FRAME_PSC_RQI,
								       .qfi = 5 });
	inner_ipv4_tcp(f, false);
}

/*
 * An 8-octet UL container: UL Delay Ind set, so a 4-octet UL delay result follows octets 1-2
 * (TS 38.415 §5.5.2.2). QFI 33 is still the low 6 bits of content octet 2; the T-PDU at 62.
 */
static void build_gpdu_pdu_session_long(struct frame *f)
{
	static const __u8 ul_delay_result[4] = { 0x00, 0x01, 0x86, 0xA0 };
	__u8 *more;

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	more = frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){
						 .pdu_type = FRAME_PSC_UL,
						 .flags1 = FRAME_PSC_UL_DELAY_IND, .qfi = 33,
						 .len_units = 2 });
	memcpy(more, ul_delay_result, sizeof(ul_delay_result));
	inner_ipv4_udp(f);
}

/* PDCP PDU Number (0xC0, 4 octets), then the PDU Session Container: the T-PDU at 62 */
static void build_gpdu_two_ext(struct frame *f)
{
	__u8 *pdcp;

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDCP);
	pdcp = frame_gtpu_ext(f, 1, FRAME_GTPU_EXT_PDU_SESSION);
	pdcp[0] = 0x01; /* PDCP PDU number 0x0123 */
	pdcp[1] = 0x23;
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 9 });
	inner_ipv4_udp(f);
}

/* The other order: the container, then a PDCP PDU Number whose content is not a container's */
static void build_gpdu_two_ext_container_first(struct frame *f)
{
	__u8 *pdcp;

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){
					  .pdu_type = FRAME_PSC_UL, .qfi = 9,
					  .next = FRAME_GTPU_EXT_PDCP });
	pdcp = frame_gtpu_ext(f, 1, FRAME_GTPU_EXT_NONE);
	pdcp[0] = 0x01; /* PDCP PDU number 0x0123: read as a container, type 0 and QFI 35 */
	pdcp[1] = 0x23;
	inner_ipv4_udp(f);
}

/* A PDU Session Container whose length octet is 0 (TS 29.281 §5.2.1: invalid) */
static void build_gpdu_ext_len_zero(struct frame *f)
{
	static const __u8 zero_length_container[4] = { 0x00, 0x10, 0x09, 0x00 };

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_bytes(f, zero_length_container, sizeof(zero_length_container));
	inner_ipv4_udp(f);
}

/* @n extension headers of 4 octets: PDCP PDU Numbers, the last a PDU Session Container */
static void build_gpdu_ext_chain(struct frame *f, int n)
{
	__u8 *pdcp;
	int i;

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, n > 1 ? FRAME_GTPU_EXT_PDCP : FRAME_GTPU_EXT_PDU_SESSION);
	for (i = 1; i < n; i++) {
		pdcp = frame_gtpu_ext(f, 1, i < n - 1 ? FRAME_GTPU_EXT_PDCP
						       : FRAME_GTPU_EXT_PDU_SESSION);
		pdcp[1] = (__u8)i;
	}
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 12 });
	inner_ipv4_udp(f);
}

static void build_gpdu_ext_chain_max(struct frame *f)
{
	build_gpdu_ext_chain(f, BPFIX_MAX_GTPU_EXT);
}

static void build_gpdu_ext_chain_too_long(struct frame *f)
{
	build_gpdu_ext_chain(f, BPFIX_MAX_GTPU_EXT + 1);
}

/* E set, next type 0: the optional word and no extension header; the T-PDU at 54 */
static void build_gpdu_e_flag_next_zero(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_A);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_NONE);
	inner_ipv4_udp(f);
}

/* A G-PDU carrying only a PDU Session Container: the GTP-U length is 8, and the frame ends */
static void build_gpdu_no_tpdu(struct frame *f)
{
	eth_gtpu_v4(f, v4_b, v4_a, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_DL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_DL,
								       .qfi = 5 });
}

/* The same padded to Ethernet's 60 octets: the padding is no T-PDU */
static void build_gpdu_no_tpdu_eth_padding(struct frame *f)
{
	build_gpdu_no_tpdu(f);
	frame_eth_padding(f, 60 - 58);
}

/* Inner IPv6 with hop-by-hop (8) and destination options (16), then UDP at 50+40+24 = 114 */
static void build_gpdu_inner_ipv6_ext(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_INNER_A, .dst = V6_INNER_B,
						    .next = PROTO_HOPOPTS, .tclass = INNER_TOS,
						    .hop_limit = INNER_TTL,
						    .flow_label = 0x12345 });
	frame_ipv6_opts(f, PROTO_DSTOPTS, 0);
	frame_ipv6_opts(f, PROTO_UDP, 1);
	frame_udp(f, 5000, 5001);
	frame_payload(f, 8);
}

static void build_gpdu_inner_ipv6_icmpv6(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_INNER_A, .dst = V6_INNER_B,
						    .next = PROTO_ICMPV6, .tclass = INNER_TOS,
						    .hop_limit = INNER_TTL });
	frame_icmpv6(f, 128, 0);
	frame_payload(f, 8);
}

/* GTP-U over IPv6 (TS 29.281 §4.2), from an ephemeral port to 2152: GTP-U at 62 */
static void build_gtpu_outer_ipv6(struct frame *f)
{
	eth_ipv6(f, PROTO_UDP, 0, 64);
	frame_udp(f, PORT_EPHEMERAL, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/* The same with a destination options header before UDP: GTP-U at 70 */
static void build_gtpu_outer_ipv6_ext(struct frame *f)
{
	eth_ipv6(f, PROTO_DSTOPTS, 0, 64);
	frame_ipv6_opts(f, PROTO_UDP, 0);
	frame_udp(f, PORT_EPHEMERAL, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/* One 802.1Q tag (VLAN 100) around the UL G-PDU: everything 4 octets later, T-PDU at 62 */
static void build_gtpu_vlan(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021Q);
	frame_vlan(f, 3 << 13 | 100, ETH_IPV4);
	gtpu_transport_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, TEID_UL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 9 });
	inner_ipv4_tcp(f, true);
}

/* QinQ (802.1ad 200, 802.1Q 300) around a plain G-PDU: the T-PDU at 58 */
static void build_gtpu_qinq(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_8021AD);
	frame_vlan(f, 200, ETH_8021Q);
	frame_vlan(f, 300, ETH_IPV4);
	gtpu_transport_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/* Echo Request, reference §2.4: 32 01 00 04 | 00 00 00 00 | 00 07 00 00 (S, sequence 7) */
static void build_gtpu_echo_request(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, PORT_EPHEMERAL, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_S, FRAME_GTPU_ECHO_REQUEST, 0);
	frame_gtpu_opt(f, 7, 0, FRAME_GTPU_EXT_NONE);
}

/* Echo Response from 2152 to the request's source port, with a Recovery IE (type 14) */
static void build_gtpu_echo_response(struct frame *f)
{
	static const __u8 recovery[2] = { 14, 0 };

	eth_gtpu_v4(f, v4_b, v4_a, FRAME_GTPU_PORT, PORT_EPHEMERAL);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_S, FRAME_GTPU_ECHO_RESPONSE, 0);
	frame_gtpu_opt(f, 7, 0, FRAME_GTPU_EXT_NONE);
	frame_bytes(f, recovery, sizeof(recovery));
}

/* End Marker with the PDU Session Container 5GS may add (reference §2.2): no T-PDU */
static void build_gtpu_end_marker(struct frame *f)
{
	eth_gtpu_v4(f, v4_b, v4_a, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_END_MARKER, TEID_DL);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_DL,
								       .qfi = 5 });
}

/* Error Indication (TEID 0, S set): TEID Data I (16) and GTP-U Peer Address (133) IEs */
static void build_gtpu_error_indication(struct frame *f)
{
	static const __u8 ies[12] = { 16, 0x11, 0x22, 0x33, 0x44,
				      133, 0x00, 0x04, 198, 51, 100, 2 };

	eth_gtpu_v4(f, v4_b, v4_a, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_S, FRAME_GTPU_ERROR_INDICATION, 0);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_NONE);
	frame_bytes(f, ies, sizeof(ies));
}

/* GTPv2-C (TS 29.274 §5.1) Echo Request on the GTP-U port: version 2, then a Recovery IE */
static void build_gtpu_version_2(struct frame *f)
{
	static const __u8 gtpv2_echo[13] = { 0x40, 1, 0, 9, 0, 0, 1, 0, 3, 0, 1, 0, 5 };

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_bytes(f, gtpv2_echo, sizeof(gtpv2_echo));
}

/*
 * GTP' (TS 32.295 §6.1): version 1 with PT 0 (first octet 0x2E), a 6-octet header, a Data
 * Record Transfer Request (240) with a Packet Transfer Command IE (126)
 */
static void build_gtp_prime(struct frame *f)
{
	static const __u8 gtp_prime[8] = { 0x2E, 240, 0, 2, 0, 1, 126, 1 };

	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_bytes(f, gtp_prime, sizeof(gtp_prime));
}

/* An Ethernet PDU session (TS 23.501 §5.6.10.2): the T-PDU is a frame, first octet 0x02 */
static void build_gtpu_inner_not_ip(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	inner_ipv4_udp(f);
}

/* A G-PDU from 2152 to another port */
static void build_gtpu_source_port_only(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, PORT_EPHEMERAL);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/* The same G-PDU bytes between two ports neither of which is 2152 */
static void build_gtpu_other_port(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, UDP_PORT_NOT_GTPU, UDP_PORT_NOT_GTPU);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/*
 * The second fragment (offset 1480) of an outer datagram: its first octets look like UDP to 2152
 * and a G-PDU, but they are the middle of one (the builders only write the look-alike bytes).
 */
static void build_gtpu_outer_later_fragment(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .frag = 1480 / 8 });
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp(f);
}

/*
 * The first fragment (MF, 72 octets of data) of a G-PDU whose T-PDU is 1028 octets: UDP, GTP-U
 * and inner lengths are the whole datagram's, the outer total length the fragment's. The row
 * cuts the frame at the fragment's end.
 */
#define FIRST_FRAGMENT_DATA 72
static void build_gtpu_outer_first_fragment(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .frag = FRAME_IPV4_MF,
						    .total_len = 20 + FIRST_FRAGMENT_DATA });
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_INNER_A, .dst = V4_INNER_B,
						    .protocol = PROTO_UDP, .tos = INNER_TOS,
						    .ttl = INNER_TTL });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 1000);
}

/* A G-PDU whose T-PDU is again UDP 2152 -> 2152 carrying a G-PDU (TEID 0x55667788) */
static void build_gtp_inside_gtp(struct frame *f)
{
	eth_gtpu_v4(f, v4_a, v4_b, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_INNER_A, .dst = V4_INNER_B,
						    .protocol = PROTO_UDP, .tos = INNER_TOS,
						    .ttl = INNER_TTL });
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_INNER);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 172, 16, 0, 1 },
						    .dst = { 172, 16, 0, 2 },
						    .protocol = PROTO_UDP, .ttl = 16 });
	frame_udp(f, 1111, 2222);
	frame_payload(f, 8);
}

/* What a row expects of a G-PDU's tunnel: the outer addresses, the TEID the destination owns */
#define TUN_V4(src, dst, teid_)                                                               \
	.tun_version = 4, .tun_src_addr = src, .tun_dst_addr = dst, .teid = (teid_)
#define TUN_V6(src, dst, teid_)                                                               \
	.tun_version = 6, .tun_src_addr = src, .tun_dst_addr = dst, .teid = (teid_)
/* ... and of its PDU Session Container */
#define PSC(type, qfi_) .has_pdu_session = 1, .pdu_type = (type), .qfi = (qfi_)

/* inner_ipv4_udp at @l3, its UDP header at @l4 */
#define INNER_V4_UDP(l3, l4)                                                                  \
	.src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 36, .l3_off = (l3),          \
	.l4_off = (l4), .src_port = 1234, .dst_port = 5678, .ip_version = 4,                   \
	.protocol = PROTO_UDP, .tos = INNER_TOS, .ttl = INNER_TTL

/* A GTP-U packet metered as its outer flow: UDP 192.0.2.1:2152 -> 198.51.100.2:2152 */
#define OUTER_V4_GTPU(ip_len_)                                                                \
	.src_addr = V4_A, .dst_addr = V4_B, .ip_len = (ip_len_), .l3_off = 14, .l4_off = 34,  \
	.src_port = FRAME_GTPU_PORT, .dst_port = FRAME_GTPU_PORT, .ip_version = 4,             \
	.protocol = PROTO_UDP, .ttl = 64
/* ... the other way, 198.51.100.2 -> 192.0.2.1 */
#define OUTER_V4_GTPU_BA(ip_len_)                                                             \
	.src_addr = V4_B, .dst_addr = V4_A, .ip_len = (ip_len_), .l3_off = 14, .l4_off = 34,  \
	.src_port = FRAME_GTPU_PORT, .dst_port = FRAME_GTPU_PORT, .ip_version = 4,             \
	.protocol = PROTO_UDP, .ttl = 64

/* Decapsulated: metered as the inner flow. Not: metered as the outer flow, and why not. */
#define GTP_DECAPSULATED (METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_GTP_DECAPSULATED))
#define GTP_OUTER(cnt) (METERED_NEW | PACKET_CASE_CNT(cnt))

/*
 * Frames the kernel's test run refuses are marked "(host only)" in their comment; the BPF test
 * checks that the refusal is real. Offsets: Ethernet 14, each tag or label 4, IPv4 20 + options,
 * IPv6 40, each extension header as built.
 */
const struct packet_case packet_cases[] = {
	{
		.name = "ipv4-tcp-syn",
		.build = build_ipv4_tcp_syn,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .l4_off = 34, .src_port = 40000, .dst_port = 80, .ip_version = 4,
			  .protocol = PROTO_TCP, .ttl = 64, .tcp_flags = FRAME_TCP_SYN },
		.counters = METERED_NEW,
	},
	{
		.name = "ipv4-tcp-fin-ack",
		.build = build_ipv4_tcp_fin_ack,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 140, .l3_off = 14,
			  .l4_off = 34, .src_port = 80, .dst_port = 40000, .ip_version = 4,
			  .protocol = PROTO_TCP, .tos = 0x02, .ttl = 63,
			  .tcp_flags = FRAME_TCP_FIN | FRAME_TCP_ACK },
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
			  .protocol = PROTO_UDP, .ttl = 64 },
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
			  .protocol = PROTO_TCP, .ttl = 64, .tcp_flags = FRAME_TCP_SYN },
		.counters = METERED_NEW,
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
			  .tcp_flags = FRAME_TCP_SYN | FRAME_TCP_ACK },
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
			  .protocol = PROTO_UDP, .ttl = 64 },
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
			  .tcp_flags = FRAME_TCP_ACK },
		.counters = METERED_NEW,
	},
	{
		.name = "four-tags",
		.build = build_four_tags,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 30,
			  .l4_off = 50, .src_port = 40000, .dst_port = 80, .vlan_id = 10,
			  .ip_version = 4, .protocol = PROTO_TCP, .ttl = 64,
			  .tcp_flags = FRAME_TCP_ACK },
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
			  .tcp_flags = FRAME_TCP_PSH | FRAME_TCP_ACK },
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
		/* with decapsulation off (gtpu_port 0) a G-PDU is the outer UDP flow */
		.name = "gtp-u-as-plain-udp",
		.build = build_gpdu_no_optional_fields,
		.gtpu_off = true,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(72) },
		.counters = METERED_NEW,
	},
	{
		.name = "gpdu-no-optional-fields",
		.build = build_gpdu_no_optional_fields,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(50, 70), TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-s-only",
		.build = build_gpdu_s_only,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(54, 74), TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-pn-only",
		.build = build_gpdu_pn_only,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(54, 74), TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-e-pdu-session-ul",
		.build = build_gpdu_pdu_session_ul,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 40,
			  .l3_off = 58, .l4_off = 78, .src_port = 40000, .dst_port = 80,
			  .ip_version = 4, .protocol = PROTO_TCP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, .tcp_flags = FRAME_TCP_SYN,
			  TUN_V4(V4_A, V4_B, TEID_UL), PSC(FRAME_PSC_UL, 9) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* RQI is bit 7 of octet 2, not part of the QFI; the TEID is the gNB's */
		.name = "gpdu-e-pdu-session-dl",
		.build = build_gpdu_pdu_session_dl,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_B, .dst_addr = V4_INNER_A, .ip_len = 40,
			  .l3_off = 58, .l4_off = 78, .src_port = 80, .dst_port = 40000,
			  .ip_version = 4, .protocol = PROTO_TCP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, .tcp_flags = FRAME_TCP_SYN | FRAME_TCP_ACK,
			  TUN_V4(V4_B, V4_A, TEID_DL), PSC(FRAME_PSC_DL, 5) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-e-pdu-session-long",
		.build = build_gpdu_pdu_session_long,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(62, 82), TUN_V4(V4_A, V4_B, TEID_UL),
			  PSC(FRAME_PSC_UL, 33) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-two-ext",
		.build = build_gpdu_two_ext,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(62, 82), TUN_V4(V4_A, V4_B, TEID_UL),
			  PSC(FRAME_PSC_UL, 9) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* only the header of type 0x85 is a PDU Session Container */
		.name = "gpdu-two-ext-container-first",
		.build = build_gpdu_two_ext_container_first,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(62, 82), TUN_V4(V4_A, V4_B, TEID_UL),
			  PSC(FRAME_PSC_UL, 9) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* 20 + 8 + GTP-U 8 + 4 + the 4 octets of the bad header + 36 */
		.name = "gpdu-ext-len-zero",
		.build = build_gpdu_ext_len_zero,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(80), .gtp_diag = BPFIX_GTP_DIAG_EXT_LEN_ZERO },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_EXT_LEN_ZERO),
	},
	{
		/* exactly BPFIX_MAX_GTPU_EXT headers, the container last: 54 + 16 */
		.name = "gpdu-ext-chain-max",
		.build = build_gpdu_ext_chain_max,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(70, 90), TUN_V4(V4_A, V4_B, TEID_UL),
			  PSC(FRAME_PSC_UL, 12) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-ext-chain-too-long",
		.build = build_gpdu_ext_chain_too_long,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(96), .gtp_diag = BPFIX_GTP_DIAG_EXT_DEPTH },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_EXT_DEPTH),
	},
	{
		.name = "gpdu-e-flag-next-zero",
		.build = build_gpdu_e_flag_next_zero,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(54, 74), TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* control information only (reference §2.2): 20 + 8 + 8 + 4 + 4 */
		.name = "gpdu-no-tpdu",
		.build = build_gpdu_no_tpdu,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU_BA(44), .gtp_diag = BPFIX_GTP_DIAG_NO_TPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NO_TPDU),
	},
	{
		/* the GTP-U length, not the end of the frame, says where the G-PDU ends */
		.name = "gpdu-no-tpdu-eth-padding",
		.build = build_gpdu_no_tpdu_eth_padding,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU_BA(44), .gtp_diag = BPFIX_GTP_DIAG_NO_TPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NO_TPDU),
	},
	{
		.name = "gpdu-inner-ipv6-ext",
		.build = build_gpdu_inner_ipv6_ext,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_INNER_A, .dst_addr = V6_INNER_B, .ip_len = 80,
			  .l3_off = 50, .l4_off = 114, .src_port = 5000, .dst_port = 5001,
			  .ip_version = 6, .protocol = PROTO_UDP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gpdu-inner-ipv6-icmpv6",
		.build = build_gpdu_inner_ipv6_icmpv6,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V6_INNER_A, .dst_addr = V6_INNER_B, .ip_len = 56,
			  .l3_off = 50, .l4_off = 90, .dst_port = 128 << 8 | 0, .ip_version = 6,
			  .protocol = PROTO_ICMPV6, .tos = INNER_TOS, .ttl = INNER_TTL,
			  TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gtpu-outer-ipv6",
		.build = build_gtpu_outer_ipv6,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(70, 90), TUN_V6(V6_A, V6_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gtpu-outer-ipv6-ext",
		.build = build_gtpu_outer_ipv6_ext,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(78, 98), TUN_V6(V6_A, V6_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* the VLAN is the outer frame's, kept through decapsulation */
		.name = "gtpu-vlan-outside",
		.build = build_gtpu_vlan,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 40,
			  .l3_off = 62, .l4_off = 82, .src_port = 40000, .dst_port = 80,
			  .vlan_id = 100, .ip_version = 4, .protocol = PROTO_TCP,
			  .tos = INNER_TOS, .ttl = INNER_TTL, .tcp_flags = FRAME_TCP_SYN,
			  TUN_V4(V4_A, V4_B, TEID_UL), PSC(FRAME_PSC_UL, 9) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gtpu-qinq-outside",
		.build = build_gtpu_qinq,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(58, 78), .vlan_id = 200, TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		.name = "gtpu-echo-request",
		.build = build_gtpu_echo_request,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 40, .l3_off = 14,
			  .l4_off = 34, .src_port = PORT_EPHEMERAL, .dst_port = FRAME_GTPU_PORT,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .gtp_diag = BPFIX_GTP_DIAG_NOT_GPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_GPDU),
	},
	{
		/* looked into because it comes from 2152 */
		.name = "gtpu-echo-response",
		.build = build_gtpu_echo_response,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_B, .dst_addr = V4_A, .ip_len = 42, .l3_off = 14,
			  .l4_off = 34, .src_port = FRAME_GTPU_PORT, .dst_port = PORT_EPHEMERAL,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .gtp_diag = BPFIX_GTP_DIAG_NOT_GPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_GPDU),
	},
	{
		/* its PDU Session Container is not a tunnel's: nothing of it in the meta */
		.name = "gtpu-end-marker",
		.build = build_gtpu_end_marker,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU_BA(44), .gtp_diag = BPFIX_GTP_DIAG_NOT_GPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_GPDU),
	},
	{
		.name = "gtpu-error-indication",
		.build = build_gtpu_error_indication,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU_BA(52), .gtp_diag = BPFIX_GTP_DIAG_NOT_GPDU },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_GPDU),
	},
	{
		.name = "gtpu-version-2",
		.build = build_gtpu_version_2,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(41), .gtp_diag = BPFIX_GTP_DIAG_NOT_V1 },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_V1),
	},
	{
		.name = "gtp-prime",
		.build = build_gtp_prime,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(36), .gtp_diag = BPFIX_GTP_DIAG_NOT_V1 },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_NOT_V1),
	},
	{
		/* 20 + 8 + 8 + an Ethernet header 14 + 36 */
		.name = "gtpu-inner-not-ip",
		.build = build_gtpu_inner_not_ip,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(86), .gtp_diag = BPFIX_GTP_DIAG_INNER_NOT_IP },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_INNER_NOT_IP),
	},
	{
		/* SOURCES.md's truth opens G-PDUs with 2152 on either side */
		.name = "gtpu-source-port-only",
		.build = build_gtpu_source_port_only,
		.rc = BPFIX_PARSE_OK,
		.meta = { INNER_V4_UDP(50, 70), TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* not the GTP-U port: not looked into, no GTP-U counter */
		.name = "gtpu-other-port",
		.build = build_gtpu_other_port,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 72, .l3_off = 14,
			  .l4_off = 34, .src_port = UDP_PORT_NOT_GTPU,
			  .dst_port = UDP_PORT_NOT_GTPU, .ip_version = 4, .protocol = PROTO_UDP,
			  .ttl = 64 },
		.counters = METERED_NEW,
	},
	{
		/* no UDP header in a later fragment: no ports, nothing to decapsulate */
		.name = "gtpu-outer-later-fragment",
		.build = build_gtpu_outer_later_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 72, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .diag = BPFIX_DIAG_FRAGMENT },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_FRAGMENT),
	},
	{
		/* decapsulated in its first fragment; the octets are the inner header's 1028 */
		.name = "gtpu-outer-first-fragment",
		.build = build_gtpu_outer_first_fragment,
		.snap_len = 14 + 20 + FIRST_FRAGMENT_DATA,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 1028,
			  .l3_off = 50, .l4_off = 70, .src_port = 1234, .dst_port = 5678,
			  .ip_version = 4, .protocol = PROTO_UDP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	{
		/* one level opened: the inner flow is the inner UDP 2152 -> 2152 */
		.name = "gtp-inside-gtp",
		.build = build_gtp_inside_gtp,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 72,
			  .l3_off = 50, .l4_off = 70, .src_port = FRAME_GTPU_PORT,
			  .dst_port = FRAME_GTPU_PORT, .ip_version = 4, .protocol = PROTO_UDP,
			  .tos = INNER_TOS, .ttl = INNER_TTL, TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_DECAPSULATED,
	},
	/*
	 * gpdu-e-pdu-session-ul cut at every layer: Ethernet 14, IPv4 20, UDP 8 at 34, GTP-U 8 at
	 * 42, optional word at 50, PDU Session Container at 54, inner IPv4 at 58, TCP at 78.
	 */
	{
		/* (host only) 12 of the outer IPv4 header's 20 octets */
		.name = "gtpu-cut-outer-ip",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 14 + 12,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* the same cut behind a tag, which the test run accepts */
		.name = "gtpu-cut-outer-ip-vlan",
		.build = build_gtpu_vlan,
		.snap_len = 18 + 12,
		.rc = BPFIX_PARSE_TRUNC_IP,
		.counters = NOT_METERED(BPFIX_CNT_NOT_METERED_TRUNCATED),
	},
	{
		/* 3 of the 4 port octets: not recognised as GTP-U, no GTP-U counter */
		.name = "gtpu-cut-udp",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 34 + 3,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 84, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .diag = BPFIX_DIAG_L4_TRUNC },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_L4_TRUNC),
	},
	{
		/* the ports are there, UDP's length and checksum are not: then GTP-U is cut */
		.name = "gtpu-cut-udp-after-ports",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 34 + 6,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_TRUNC },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_TRUNC),
	},
	{
		.name = "gtpu-cut-gtp-header",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 42 + 6,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_TRUNC },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_TRUNC),
	},
	{
		.name = "gtpu-cut-optional-word",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 50 + 3,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_TRUNC },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_TRUNC),
	},
	{
		/* the length octet is there, the next-type octet is not */
		.name = "gtpu-cut-extension",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 54 + 3,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_TRUNC },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_TRUNC),
	},
	{
		/* the GTP-U length announces a T-PDU, the capture has none of it */
		.name = "gtpu-cut-before-tpdu",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 58,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_INNER_BAD },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_INNER_BAD),
	},
	{
		.name = "gtpu-cut-inner-ip",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 58 + 12,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(84), .gtp_diag = BPFIX_GTP_DIAG_INNER_BAD },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_INNER_BAD),
	},
	{
		/* decapsulated: the inner flow without ports, the cut is the inner L4's */
		.name = "gtpu-cut-inner-l4",
		.build = build_gpdu_pdu_session_ul,
		.snap_len = 78 + 10,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 40,
			  .l3_off = 58, .ip_version = 4, .protocol = PROTO_TCP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, .diag = BPFIX_DIAG_L4_TRUNC,
			  TUN_V4(V4_A, V4_B, TEID_UL), PSC(FRAME_PSC_UL, 9) },
		.counters = GTP_DECAPSULATED | PACKET_CASE_CNT(BPFIX_CNT_DIAG_L4_TRUNC),
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
};

const unsigned int packet_case_count = sizeof(packet_cases) / sizeof(packet_cases[0]);

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
	unsigned int i;

	for (i = 0; i < packet_case_count; i++)
		if (!strcmp(packet_cases[i].name, name))
			return &packet_cases[i];
	return NULL;
}
