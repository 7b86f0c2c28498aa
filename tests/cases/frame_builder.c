// SPDX-License-Identifier: GPL-2.0-only
/*
 * The frame builder: headers appended in wire order, length fields and IPv4 checksums filled in
 * by frame_finish. It knows nothing of the packet-case table or of what a parser should make of
 * a frame; the rows are in packet_cases.c and packet_cases_gtpu.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_builder.h"

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

static void add_fixup(struct frame *f, enum frame_fixup_kind kind, __u32 off, __u32 value)
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
	add_fixup(f, FIXUP_IPV6, off, ip->payload_len);
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

void frame_ipv6_jumbo(struct frame *f, __u8 next, bool padded, __u32 jumbo_len)
{
	__u8 *p = append(f, padded ? 16 : 8);
	__u32 at = padded ? 6 : 2; /* the option at 4n + 2 (RFC 2675 §2) */

	p[0] = next;
	p[1] = padded ? 1 : 0;
	if (padded) {
		/* a PadN of 4 octets before the option, another after it */
		p[2] = p[12] = 1;
		p[3] = p[13] = 2;
	}
	p[at] = 0xC2;
	p[at + 1] = 4;
	put_be32(p + at + 2, jumbo_len);
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

void frame_tcp_seq(struct frame *f, __u16 sport, __u16 dport, __u8 flags, __u32 seq, __u32 ack)
{
	__u8 *p = append(f, 20);

	put_be16(p, sport);
	put_be16(p + 2, dport);
	put_be32(p + 4, seq);
	put_be32(p + 8, ack);
	p[12] = 5 << 4;		/* data offset: 20 octets, no options */
	p[13] = flags;
	put_be16(p + 14, 65535); /* window */
}

void frame_tcp(struct frame *f, __u16 sport, __u16 dport, __u8 flags)
{
	frame_tcp_seq(f, sport, dport, flags, FRAME_TCP_SEQ, 0);
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
		/* the length written instead of the right one: FRAME_LEN_ZERO is 0 */
		__u16 value = (__u16)(fx->value == FRAME_LEN_ZERO ? 0 : fx->value);

		switch (fx->kind) {
		case FIXUP_IPV4:
			put_be16(p + 2, fx->value ? value : to_end);
			/* the checksum covers the header as its IHL says, when that is sane */
			if ((p[0] & 0x0F) >= 5)
				put_be16(p + 10, ipv4_checksum(p, (p[0] & 0x0Fu) * 4));
			break;
		case FIXUP_IPV6:
			put_be16(p + 4, fx->value ? value : (__u16)(to_end - 40));
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
