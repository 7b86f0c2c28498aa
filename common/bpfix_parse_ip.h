/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The parser's window and its IP layer, shared by the TC program and the host: the cursor over a
 * parse window (at most BPFIX_PARSE_WINDOW octets copied from the frame's start) and what the
 * caller knows of the whole packet, and pure, bounded functions for IPv4, IPv6 (extension
 * headers, jumbograms), the transport ports and flags, and MPLS. They never read outside the
 * window, never loop without a constant bound and keep no state. GTP-U is bpfix_gtpu.h's, the
 * frame bpfix_parse.h's.
 */
#ifndef BPFIX_PARSE_IP_H
#define BPFIX_PARSE_IP_H

#include "bpfix_flow.h"
#include "bpfix_proto.h"

#define BPFIX_MAX_IPV6_OPTS 4 /* hop-by-hop options looked at for a Jumbo Payload option */

struct bpfix_cursor {
	const __u8 *buf;     /* the parse window */
	__u32 len;	     /* octets of the frame in the window, <= BPFIX_PARSE_WINDOW */
	/*
	 * Octets of the frame that could be in the window (<= BPFIX_PARSE_WINDOW) when the caller
	 * copied only the first len of them; 0 or len: the window holds all it ever will.
	 */
	__u32 frame_len;
	__u32 pkt_len;	     /* octets of the packet from the frame's start: skb->len live, the
			      * recorded (wire) length in replay; 0 if unknown */
	__u16 stripped_tci;  /* live: the outer VLAN tag the device took out of the bytes... */
	__u8 tag_stripped;   /* ...if this is 1 (VLAN offload); replay and host: 0 */
	__u8 gso;	     /* 1: a GSO/GRO super-packet (skb gso_size set or gso_segs > 1) */
	/*
	 * Out, set by bpfix_parse_frame: 1 when the G-PDU in meta was decapsulated from the first
	 * fragment of its outer packet (see bpfix_gtpu_credit). Here rather than in the meta,
	 * whose layout is the pinned ABI of bpfix_flow.h.
	 */
	__u8 gtpu_fragmented;
	/*
	 * Out, set by bpfix_parse_frame: 1 when a read wanted octets past len that the frame has
	 * (below frame_len). The result is then not the frame's: copy up to frame_len and parse
	 * again. 0: the result is exactly what a window of frame_len octets gives, since every
	 * read either found its octets or would not have found them there either.
	 */
	__u8 beyond;
};

/* The parse window as a sized type: what a BPF global function can take a pointer to. */
struct bpfix_window {
	__u8 octets[BPFIX_PARSE_WINDOW];
};

/* @n octets at @off, or NULL when they are not all inside the window. */
BPFIX_INLINE const void *bpfix_peek(struct bpfix_cursor *c, __u32 off, __u32 n)
{
	/* the window bound comes first: it is what lets the verifier prove the access safe */
	if (n > BPFIX_PARSE_WINDOW || off > BPFIX_PARSE_WINDOW - n)
		return (const void *)0;
	if (off + n > c->len) {
		if (off + n <= c->frame_len)
			c->beyond = 1;
		return (const void *)0;
	}
	return c->buf + off;
}

/*
 * What a BPF global function of the parser gets of the cursor (it takes no pointer inside a
 * struct, and scalars cost no stack): the two lengths in one word, and it returns its result in
 * the low 32 bits of a 64-bit word and the cursor's beyond in bit 32.
 */
#define BPFIX_LENS(c) ((c)->len | (c)->frame_len << 16)
#define BPFIX_WITH_BEYOND(result, c) ((__u64)(__u32)(result) | (__u64)(c)->beyond << 32)

/* The cursor over @w that a global function rebuilds from BPFIX_LENS; 0 length if not valid. */
BPFIX_INLINE struct bpfix_cursor bpfix_lens_cursor(const void *w, __u32 lens)
{
	struct bpfix_cursor c = { .buf = (const __u8 *)w, .len = lens & 0xffff,
				  .frame_len = lens >> 16 };

	if (c.len > BPFIX_PARSE_WINDOW)
		c.len = 0;
	return c;
}

/* The result of a global function, its beyond added to the cursor's. */
BPFIX_INLINE __u32 bpfix_take_beyond(struct bpfix_cursor *c, __u64 result)
{
	c->beyond |= (__u8)(result >> 32);
	return (__u32)result;
}

#define BPFIX_PEEK(c, off, type) ((const struct type *)bpfix_peek((c), (off), sizeof(struct type)))

BPFIX_INLINE void bpfix_copy_addr(__u8 *dst, const __u8 *src, __u32 n)
{
	__builtin_memcpy(dst, src, n);
}

/*
 * Zero @m, its flow part and the rest apart: a memset of all of it is done with a string
 * instruction on x86 (rep stos), whose start costs more than the few stores of each part.
 */
BPFIX_INLINE void bpfix_meta_clear(struct bpfix_pkt_meta *m)
{
	__builtin_memset(m, 0, BPFIX_META_FLOW_END);
	__builtin_memset((__u8 *)m + BPFIX_META_FLOW_END, 0, sizeof(*m) - BPFIX_META_FLOW_END);
}

/* Ports, TCP flags and sequence numbers, or ICMP type/code, from the L4 header at @off; a cut
 * header only sets diag. */
BPFIX_INLINE void bpfix_parse_l4(struct bpfix_cursor *c, __u32 off, struct bpfix_pkt_meta *m)
{
	const struct bpfix_ports_hdr *ports;
	const struct bpfix_tcp_hdr *tcp;
	const struct bpfix_icmp_hdr *icmp;

	switch (m->protocol) {
	case BPFIX_IPPROTO_TCP:
		tcp = BPFIX_PEEK(c, off, bpfix_tcp_hdr);
		if (!tcp)
			break;
		m->src_port = bpfix_be16_to_host(tcp->src);
		m->dst_port = bpfix_be16_to_host(tcp->dst);
		m->tcp_flags = tcp->flags;
		m->tcp_seq = bpfix_be32_to_host(tcp->seq);
		m->tcp_ack = bpfix_be32_to_host(tcp->ack_seq);
		m->l4_hdr_len = (tcp->data_off >> 4) * 4;
		m->l4_off = off;
		return;
	case BPFIX_IPPROTO_UDP:
	case BPFIX_IPPROTO_UDPLITE:
	case BPFIX_IPPROTO_SCTP:
		ports = BPFIX_PEEK(c, off, bpfix_ports_hdr);
		if (!ports)
			break;
		m->src_port = bpfix_be16_to_host(ports->src);
		m->dst_port = bpfix_be16_to_host(ports->dst);
		m->l4_hdr_len = 8; /* UDP and UDP-Lite; SCTP's common header is 12, never segmented */
		m->l4_off = off;
		return;
	case BPFIX_IPPROTO_ICMP:
	case BPFIX_IPPROTO_ICMPV6:
		/* ICMP in IPv6 or ICMPv6 in IPv4 is not ICMP: leave the ports at 0 */
		if ((m->protocol == BPFIX_IPPROTO_ICMP) != (m->ip_version == 4))
			return;
		icmp = BPFIX_PEEK(c, off, bpfix_icmp_hdr);
		if (!icmp)
			break;
		/* the NetFlow convention collectors decode: type and code in the destination port */
		m->dst_port = (__u16)(icmp->type << 8 | icmp->code);
		m->l4_off = off;
		return;
	default:
		return; /* no ports to read */
	}
	m->diag = BPFIX_DIAG_L4_TRUNC;
}

BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_ipv4(struct bpfix_cursor *c, __u32 off,
						  struct bpfix_pkt_meta *m)
{
	const struct bpfix_ipv4_hdr *ip = BPFIX_PEEK(c, off, bpfix_ipv4_hdr);
	__u32 hdr_len, total_len;

	if (!ip)
		return BPFIX_PARSE_TRUNC_IP;
	if (ip->version_ihl >> 4 != 4)
		return BPFIX_PARSE_BAD_IP_VERSION;
	/* the header cannot be shorter than 20 octets (RFC 791) */
	hdr_len = (ip->version_ihl & 0x0F) * 4;
	if (hdr_len < sizeof(*ip))
		return BPFIX_PARSE_BAD_IHL;
	/* options are part of the header: all of it must be there */
	if (!bpfix_peek(c, off, hdr_len))
		return BPFIX_PARSE_TRUNC_IP;
	total_len = bpfix_be16_to_host(ip->total_len);
	/* 0 is left to the caller, who knows the packet (bpfix_ip_len_zero: BIG TCP) */
	if (total_len && total_len < hdr_len)
		return BPFIX_PARSE_BAD_IP_LEN;

	m->ip_version = 4;
	m->protocol = ip->protocol;
	m->tos = ip->tos;
	m->ttl = ip->ttl;
	m->ip_len = total_len;
	m->l3_off = off;
	bpfix_copy_addr(m->src_addr, ip->saddr, 4);
	bpfix_copy_addr(m->dst_addr, ip->daddr, 4);

	/* only the first fragment carries the L4 header */
	if (bpfix_be16_to_host(ip->frag_off) & BPFIX_IPV4_FRAG_OFFSET_MASK) {
		m->diag = BPFIX_DIAG_FRAGMENT;
		return BPFIX_PARSE_OK;
	}
	m->more_fragments = !!(bpfix_be16_to_host(ip->frag_off) & BPFIX_IPV4_FLAG_MF);
	bpfix_parse_l4(c, off + hdr_len, m);
	return BPFIX_PARSE_OK;
}

/* Extension headers walked to find the upper-layer protocol (RFC 8200 §4.1). */
BPFIX_INLINE int bpfix_ipv6_is_ext(__u8 next)
{
	return next == BPFIX_IPPROTO_HOPOPTS || next == BPFIX_IPPROTO_ROUTING ||
	       next == BPFIX_IPPROTO_FRAGMENT || next == BPFIX_IPPROTO_DSTOPTS;
}

/*
 * The length a Jumbo Payload option (RFC 2675) gives the packet whose hop-by-hop header is at
 * @off, @len octets, all in the window: octets after the IPv6 header, this header included. 0
 * when there is none among its first BPFIX_MAX_IPV6_OPTS options, or it is not valid (RFC 2675
 * §3: only above 65535, and only with a payload length of 0, which the caller checks).
 */
BPFIX_INLINE __u32 bpfix_ipv6_jumbo_len_at(struct bpfix_cursor *c, __u32 off, __u32 len)
{
	const struct bpfix_ipv6_jumbo_opt *jumbo;
	const struct bpfix_ipv6_opt *opt;
	__u32 pos = sizeof(struct bpfix_ipv6_ext_hdr), value;
	volatile __u32 at;
	int i;

	for (i = 0; i < BPFIX_MAX_IPV6_OPTS && pos < len; i++) {
		opt = BPFIX_PEEK(c, off + pos, bpfix_ipv6_opt);
		if (!opt)
			return 0;
		if (opt->type == BPFIX_IPV6_OPT_PAD1) {
			pos++;
			continue;
		}
		if (opt->type == BPFIX_IPV6_OPT_JUMBO) {
			if (opt->len != sizeof(jumbo->payload_len) || pos + sizeof(*jumbo) > len)
				return 0;
			/* a pointer of its own, through a reload the compiler cannot fold into opt,
			 * whose bounds the verifier checked for 2 octets only */
			at = off + pos;
			jumbo = BPFIX_PEEK(c, at, bpfix_ipv6_jumbo_opt);
			if (!jumbo)
				return 0;
			value = bpfix_be32_to_host(jumbo->payload_len);
			/* ip_len (32 bits) adds the IPv6 header to it */
			if (value <= BPFIX_IP_LEN_MAX ||
			    value > (__u32)-1 - sizeof(struct bpfix_ipv6_hdr))
				return 0;
			return value;
		}
		pos += sizeof(*opt) + opt->len;
	}
	return 0;
}

/* bpfix_ipv6_jumbo_len_at in the window @w, verified once. */
BPFIX_BPF_GLOBAL __u64 bpfix_ipv6_jumbo_len(const struct bpfix_window *w, __u32 lens, __u32 off,
					    __u32 len)
{
	struct bpfix_cursor c = bpfix_lens_cursor(w, lens);
	__u32 value;

	if (!w)
		return 0;
	value = bpfix_ipv6_jumbo_len_at(&c, off, len);
	return BPFIX_WITH_BEYOND(value, &c);
}

BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_ipv6(struct bpfix_cursor *c, __u32 off,
						  struct bpfix_pkt_meta *m)
{
	const struct bpfix_ipv6_hdr *ip = BPFIX_PEEK(c, off, bpfix_ipv6_hdr);
	const struct bpfix_ipv6_frag_hdr *frag;
	const struct bpfix_ipv6_ext_hdr *ext;
	__u32 vtc, ext_len, payload_len, jumbo_len;
	__u8 next;
	int i;

	if (!ip)
		return BPFIX_PARSE_TRUNC_IP;
	vtc = bpfix_be32_to_host(ip->version_tc_label);
	if (vtc >> 28 != 6)
		return BPFIX_PARSE_BAD_IP_VERSION;

	m->ip_version = 6;
	m->tos = (__u8)(vtc >> 20);
	m->ttl = ip->hop_limit;
	payload_len = bpfix_be16_to_host(ip->payload_len);
	/* 0 is a jumbogram's (below) or left to the caller (bpfix_ip_len_zero: BIG TCP) */
	m->ip_len = payload_len ? payload_len + sizeof(*ip) : 0;
	m->l3_off = off;
	bpfix_copy_addr(m->src_addr, ip->saddr, 16);
	bpfix_copy_addr(m->dst_addr, ip->daddr, 16);

	next = ip->nexthdr;
	off += sizeof(*ip);
	/* walk the extension-header chain to the upper-layer protocol (RFC 8200 §4) */
	for (i = 0; i <= BPFIX_MAX_IPV6_EXT; i++) {
		m->protocol = next;
		if (!bpfix_ipv6_is_ext(next)) {
			bpfix_parse_l4(c, off, m);
			return BPFIX_PARSE_OK;
		}
		if (i == BPFIX_MAX_IPV6_EXT)
			break;
		if (next == BPFIX_IPPROTO_FRAGMENT) {
			frag = BPFIX_PEEK(c, off, bpfix_ipv6_frag_hdr);
			if (!frag)
				break;
			next = frag->nexthdr;
			off += sizeof(*frag);
			/* a non-first fragment: the protocol is known, its header is elsewhere */
			if (bpfix_be16_to_host(frag->frag_off) & BPFIX_IPV6_FRAG_OFFSET_MASK) {
				m->protocol = next;
				m->diag = BPFIX_DIAG_FRAGMENT;
				return BPFIX_PARSE_OK;
			}
			m->more_fragments = bpfix_be16_to_host(frag->frag_off) & BPFIX_IPV6_FLAG_M;
			continue;
		}
		ext = BPFIX_PEEK(c, off, bpfix_ipv6_ext_hdr);
		ext_len = ext ? ((__u32)ext->len + 1) * 8 : 0;
		/* the whole header must be there, or what follows it is not */
		if (!ext || !bpfix_peek(c, off, ext_len))
			break;
		/* RFC 2675: a jumbogram's length is in its hop-by-hop header, the first one */
		if (i == 0 && next == BPFIX_IPPROTO_HOPOPTS && !payload_len) {
			jumbo_len = bpfix_take_beyond(
				c, bpfix_ipv6_jumbo_len((const struct bpfix_window *)c->buf,
							BPFIX_LENS(c), off, ext_len));
			if (jumbo_len)
				m->ip_len = jumbo_len + sizeof(*ip);
			/* the header Linux adds to BIG TCP (only this option, TCP next) is removed
			 * again when the packet is segmented (ipv6_hopopt_jumbo_remove) */
			if (jumbo_len && ext_len == BPFIX_IPV6_JUMBO_HBH_LEN &&
			    ext->nexthdr == BPFIX_IPPROTO_TCP)
				m->jumbo_hbh_len = BPFIX_IPV6_JUMBO_HBH_LEN;
		}
		next = ext->nexthdr;
		off += ext_len;
	}
	m->diag = i == BPFIX_MAX_IPV6_EXT ? BPFIX_DIAG_IPV6_EXT_DEPTH : BPFIX_DIAG_IPV6_EXT_TRUNC;
	return BPFIX_PARSE_OK;
}

/*
 * An IP packet at @off of the @len octets in @w, by EtherType. Every IP header is parsed here:
 * the outer one, after MPLS and inside GTP-U, and in BPF the verifier checks it once
 * (BPFIX_BPF_GLOBAL), so it rebuilds the cursor from a sized pointer and a length it re-checks.
 */
BPFIX_BPF_GLOBAL __u64 bpfix_parse_ip_window(const struct bpfix_window *w, __u32 lens, __u32 off,
					     __u16 ethertype, struct bpfix_pkt_meta *m)
{
	struct bpfix_cursor c = bpfix_lens_cursor(w, lens);
	enum bpfix_parse_rc rc = BPFIX_PARSE_NOT_IP;

	if (!w || !m)
		return BPFIX_PARSE_TRUNC_IP;
	if (ethertype == BPFIX_ETH_P_IPV4)
		rc = bpfix_parse_ipv4(&c, off, m);
	else if (ethertype == BPFIX_ETH_P_IPV6)
		rc = bpfix_parse_ipv6(&c, off, m);
	return BPFIX_WITH_BEYOND(rc, &c);
}

/* An IP packet at @off, by EtherType. Also the entry point for tunnelled inner packets. */
BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_ip(struct bpfix_cursor *c, __u32 off,
						__u16 ethertype, struct bpfix_pkt_meta *m)
{
	return (enum bpfix_parse_rc)bpfix_take_beyond(
		c, bpfix_parse_ip_window((const struct bpfix_window *)c->buf, BPFIX_LENS(c), off,
					 ethertype, m));
}

/*
 * An IP header whose length field says 0 (the IP parsers leave ip_len 0 for the caller; an IPv6
 * jumbogram has its length already). Linux writes 0 there in a GSO super-packet longer than the
 * field can say (BIG TCP: IPv4 from 6.3; IPv6 with a Jumbo Payload hop-by-hop option, and without
 * one after the 2026 "BIG TCP without HBH" change). Its length is then the packet's own: @pkt_len
 * octets from the frame's start (skb->len, or the length a capture recorded), taken when the skb
 * says GSO (@gso), or when the packet is longer than its length field could say, which only such
 * a super-packet is (a capture of one records no GSO). Anything else keeps the verdict a length
 * of 0 has always had: an IPv4 packet is malformed, an IPv6 one is its 40-octet header.
 * @pkt_len 0: unknown (an inner packet).
 */
BPFIX_BPF_GLOBAL enum bpfix_parse_rc bpfix_ip_len_zero(struct bpfix_pkt_meta *m, __u32 pkt_len,
						       __u8 gso)
{
	__u32 hdr_len, len_max, len;

	if (!m)
		return BPFIX_PARSE_BAD_IP_LEN;
	hdr_len = m->ip_version == 4 ? sizeof(struct bpfix_ipv4_hdr) : sizeof(struct bpfix_ipv6_hdr);
	len_max = m->ip_version == 4 ? BPFIX_IP_LEN_MAX : BPFIX_IP_LEN_MAX + hdr_len;
	len = pkt_len > m->l3_off ? pkt_len - m->l3_off : 0;

	if (len >= hdr_len && (gso || len > len_max)) {
		m->ip_len = len;
		return BPFIX_PARSE_OK;
	}
	if (m->ip_version == 4)
		return BPFIX_PARSE_BAD_IP_LEN;
	m->ip_len = hdr_len;
	return BPFIX_PARSE_OK;
}

/*
 * An MPLS label stack at @off: IP follows the bottom-of-stack entry, told apart from a
 * pseudowire by its version nibble (RFC 4385 control words start with 0).
 */
BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_mpls(struct bpfix_cursor *c, __u32 off,
						  struct bpfix_pkt_meta *m)
{
	const struct bpfix_mpls_hdr *mpls;
	const __u8 *version;
	int i;

	for (i = 0; i < BPFIX_MAX_MPLS; i++) {
		mpls = BPFIX_PEEK(c, off, bpfix_mpls_hdr);
		if (!mpls)
			return BPFIX_PARSE_TRUNC_L2;
		off += sizeof(*mpls);
		if (bpfix_be32_to_host(mpls->entry) & BPFIX_MPLS_BOTTOM_OF_STACK)
			break;
	}
	if (i == BPFIX_MAX_MPLS)
		return BPFIX_PARSE_MPLS_DEPTH;
	version = bpfix_peek(c, off, 1);
	if (!version)
		return BPFIX_PARSE_TRUNC_IP;
	if (*version >> 4 == 4)
		return bpfix_parse_ip(c, off, BPFIX_ETH_P_IPV4, m);
	if (*version >> 4 == 6)
		return bpfix_parse_ip(c, off, BPFIX_ETH_P_IPV6, m);
	return BPFIX_PARSE_MPLS_NOT_IP;
}

#endif /* BPFIX_PARSE_IP_H */
