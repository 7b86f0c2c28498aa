/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * GTP-U decapsulation for the parser (TS 29.281): a G-PDU's header, extension headers and PDU
 * Session Container, the inner packet parsed with bpfix_parse_ip.h, and what the first fragment
 * of a fragmented outer packet credits. Pure and bounded, as the rest of the parser.
 */
#ifndef BPFIX_GTPU_H
#define BPFIX_GTPU_H

#include "bpfix_parse_ip.h"

struct bpfix_gtpu_info {
	__u32 teid;
	__u32 inner_off; /* offset of the T-PDU */
	__u8 has_pdu_session;
	__u8 qfi;
	__u8 pdu_type;
};

/* A GTP-U header at @off: a G-PDU's TEID, PDU Session Container and T-PDU offset, or why not. */
BPFIX_INLINE enum bpfix_gtp_diag bpfix_parse_gtpu_header(struct bpfix_cursor *c, __u32 off,
							 struct bpfix_gtpu_info *g)
{
	const struct bpfix_gtpu_hdr *h = BPFIX_PEEK(c, off, bpfix_gtpu_hdr);
	const struct bpfix_gtpu_opt_hdr *opt;
	const __u8 *ext_len, *content, *next_ext;
	__u32 payload_end, len;
	__u8 next = 0;
	int i;

	if (!h)
		return BPFIX_GTP_DIAG_TRUNC;
	if (h->flags >> BPFIX_GTPU_VERSION_SHIFT != 1 || !(h->flags & BPFIX_GTPU_FLAG_PT))
		return BPFIX_GTP_DIAG_NOT_V1;
	if (h->msg_type != BPFIX_GTPU_MSG_GPDU)
		return BPFIX_GTP_DIAG_NOT_GPDU;
	g->teid = bpfix_be32_to_host(h->teid);
	payload_end = off + sizeof(*h) + bpfix_be16_to_host(h->length);
	off += sizeof(*h);
	/* the optional word is there if any of E, S, PN is set (TS 29.281 §5.1) */
	if (h->flags & (BPFIX_GTPU_FLAG_E | BPFIX_GTPU_FLAG_S | BPFIX_GTPU_FLAG_PN)) {
		opt = BPFIX_PEEK(c, off, bpfix_gtpu_opt_hdr);
		if (!opt)
			return BPFIX_GTP_DIAG_TRUNC;
		if (h->flags & BPFIX_GTPU_FLAG_E)
			next = opt->next_ext;
		off += sizeof(*opt);
	}
	/* extension headers: length in 4-octet units, next type in the last octet (§5.2.1) */
	for (i = 0; next; i++) {
		if (i == BPFIX_MAX_GTPU_EXT)
			return BPFIX_GTP_DIAG_EXT_DEPTH;
		ext_len = bpfix_peek(c, off, 1);
		if (!ext_len)
			return BPFIX_GTP_DIAG_TRUNC;
		if (!*ext_len)
			return BPFIX_GTP_DIAG_EXT_LEN_ZERO;
		len = (__u32)*ext_len * 4;
		next_ext = bpfix_peek(c, off + len - 1, 1);
		if (!next_ext)
			return BPFIX_GTP_DIAG_TRUNC;
		/* QFI is the low 6 bits of the second content octet in both directions (TS 38.415) */
		content = bpfix_peek(c, off + 1, 2);
		if (next == BPFIX_GTPU_EXT_PDU_SESSION && len >= 4 && content) {
			g->has_pdu_session = 1;
			g->pdu_type = content[0] >> 4;
			g->qfi = content[1] & BPFIX_GTPU_QFI_MASK;
		}
		next = *next_ext;
		off += len;
	}
	/* a G-PDU may carry only a PDU Session Container */
	if (payload_end <= off)
		return BPFIX_GTP_DIAG_NO_TPDU;
	g->inner_off = off;
	return BPFIX_GTP_DIAG_NONE;
}

/*
 * The inner packet @m of a G-PDU whose outer packet is @outer, the T-PDU at @inner_off, when the
 * outer packet is the first fragment of its UDP datagram: the UDP length says more than the outer
 * IP packet carries after the UDP header. Only that fragment is known to be GTP-U: the later ones
 * carry no UDP header, cannot be told from other UDP fragments between the two endpoints without
 * reassembly, and are metered as the outer flow with ports 0, their own octets. So the inner
 * packet is credited only the octets of it this fragment carries, not its IP length: no octet
 * counts twice in a direction. Returns 1 for a first fragment, 0 for a whole datagram, -1 when
 * the fragment ends inside the inner IP header (what was parsed is not all the packet's), as
 * BPFIX_WITH_BEYOND says (the UDP header comes before the GTP-U header that was read, so it is
 * never beyond the window; checked all the same).
 */
BPFIX_BPF_GLOBAL __u64 bpfix_gtpu_credit(const struct bpfix_window *w, __u32 lens,
					 const struct bpfix_pkt_meta *outer, __u32 inner_off,
					 struct bpfix_pkt_meta *m)
{
	struct bpfix_cursor c = bpfix_lens_cursor(w, lens);
	const struct bpfix_udp_hdr *udp;
	__u32 outer_end, carried;

	if (!w || !outer || !m)
		return 0;
	udp = BPFIX_PEEK(&c, outer->l4_off, bpfix_udp_hdr);
	if (c.beyond)
		return BPFIX_WITH_BEYOND(0, &c);
	outer_end = outer->l3_off + outer->ip_len;
	if (!udp || outer_end < outer->l4_off ||
	    bpfix_be16_to_host(udp->len) <= outer_end - outer->l4_off)
		return 0;
	carried = outer_end > inner_off ? outer_end - inner_off : 0;
	if (carried < (m->ip_version == 4 ? sizeof(struct bpfix_ipv4_hdr)
					  : sizeof(struct bpfix_ipv6_hdr)))
		return (__u32)-1;
	if (m->ip_len > carried)
		m->ip_len = carried;
	return 1;
}

/*
 * Decapsulate a GTP-U G-PDU in place: the inner IP packet becomes the flow, the outer addresses
 * and the TEID become the tunnel. The inner packet is parsed apart and replaces the outer flow
 * only once it was read: anything that stops decapsulation leaves the outer flow as it was and
 * says why in gtp_diag, and the packet is then metered once, as outer UDP. Returns 1 when the
 * G-PDU was decapsulated from the first fragment of its outer packet (bpfix_gtpu_credit).
 */
BPFIX_INLINE int bpfix_decap_gtpu(struct bpfix_cursor *c, struct bpfix_pkt_meta *m)
{
	struct bpfix_gtpu_info g = {};
	struct bpfix_pkt_meta inner;
	enum bpfix_parse_rc rc;
	const __u8 *version;
	int fragment = 0;

	m->gtp_diag = bpfix_parse_gtpu_header(c, m->l4_off + 8, &g);
	if (m->gtp_diag)
		return 0;
	version = bpfix_peek(c, g.inner_off, 1);
	if (!version) {
		m->gtp_diag = BPFIX_GTP_DIAG_INNER_BAD;
		return 0;
	}
	if (*version >> 4 != 4 && *version >> 4 != 6) {
		m->gtp_diag = BPFIX_GTP_DIAG_INNER_NOT_IP;
		return 0;
	}
	bpfix_meta_clear(&inner);
	rc = bpfix_parse_ip(c, g.inner_off, *version >> 4 == 4 ? BPFIX_ETH_P_IPV4 : BPFIX_ETH_P_IPV6,
			    &inner);
	/* an inner length of 0: the packet's length is not known here, only the verdict */
	if (rc == BPFIX_PARSE_OK && !inner.ip_len)
		rc = bpfix_ip_len_zero(&inner, 0, 0);
	if (rc == BPFIX_PARSE_OK)
		fragment = (int)bpfix_take_beyond(
			c, bpfix_gtpu_credit((const struct bpfix_window *)c->buf, BPFIX_LENS(c),
					     m, g.inner_off, &inner));
	if (rc != BPFIX_PARSE_OK || fragment < 0) {
		m->gtp_diag = BPFIX_GTP_DIAG_INNER_BAD;
		return 0;
	}
	__builtin_memcpy(m->tun_src_addr, m->src_addr, sizeof(m->tun_src_addr));
	__builtin_memcpy(m->tun_dst_addr, m->dst_addr, sizeof(m->tun_dst_addr));
	m->tun_version = m->ip_version;
	__builtin_memcpy(m, &inner, BPFIX_META_FLOW_END);
	m->teid = g.teid;
	m->has_pdu_session = g.has_pdu_session;
	m->qfi = g.qfi;
	m->pdu_type = g.pdu_type;
	return fragment;
}

/* bpfix_decap_gtpu over the window @w, verified once (BPFIX_WITH_BEYOND: its result). */
BPFIX_BPF_GLOBAL __u64 bpfix_decap_gtpu_window(const struct bpfix_window *w, __u32 lens,
					       struct bpfix_pkt_meta *m)
{
	struct bpfix_cursor c = bpfix_lens_cursor(w, lens);
	int fragment;

	if (!w || !m)
		return 0;
	fragment = bpfix_decap_gtpu(&c, m);
	return BPFIX_WITH_BEYOND(fragment, &c);
}

/*
 * A UDP packet to or from the GTP-U port (TS 29.281 §4.4.2: G-PDUs go to it, echo responses
 * come from it) is looked into, once: an inner packet that is GTP-U again is not opened.
 */
BPFIX_INLINE int bpfix_is_gtpu(const struct bpfix_pkt_meta *m, __u16 gtpu_port)
{
	return gtpu_port && m->protocol == BPFIX_IPPROTO_UDP && m->l4_off &&
	       (m->dst_port == gtpu_port || m->src_port == gtpu_port);
}

#endif /* BPFIX_GTPU_H */
