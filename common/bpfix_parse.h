/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The packet parser shared by the TC program and the host: a frame's Ethernet header and tags,
 * then IP (bpfix_parse_ip.h) and GTP-U (bpfix_gtpu.h), over a parse window (at most
 * BPFIX_PARSE_WINDOW octets copied from the frame's start) and what the caller knows of the
 * whole packet (its length, GSO). It fills a bpfix_pkt_meta and returns a named result; it never
 * reads outside the window, never loops without a constant bound and keeps no state. It does not
 * account: see bpfix_account.h.
 */
#ifndef BPFIX_PARSE_H
#define BPFIX_PARSE_H

#include "bpfix_gtpu.h"

/* An Ethernet frame: up to BPFIX_MAX_VLAN 802.1Q/802.1ad tags, then IP, or IP over MPLS. */
BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_ethernet(struct bpfix_cursor *c,
						      struct bpfix_pkt_meta *m)
{
	const struct bpfix_eth_hdr *eth = BPFIX_PEEK(c, 0, bpfix_eth_hdr);
	const struct bpfix_vlan_hdr *vlan;
	__u32 off = sizeof(*eth);
	__u16 proto;
	int i;

	bpfix_meta_clear(m);
	if (!eth)
		return BPFIX_PARSE_TRUNC_L2;
	proto = bpfix_be16_to_host(eth->proto);
	/* a tag the device took out is the outermost one, and counts toward the bound */
	if (c->tag_stripped)
		m->vlan_id = c->stripped_tci & 0x0FFF;
	for (i = c->tag_stripped ? 1 : 0; i < BPFIX_MAX_VLAN; i++) {
		if (proto != BPFIX_ETH_P_8021Q && proto != BPFIX_ETH_P_8021AD)
			break;
		vlan = BPFIX_PEEK(c, off, bpfix_vlan_hdr);
		if (!vlan)
			return BPFIX_PARSE_TRUNC_L2;
		if (i == 0)
			m->vlan_id = bpfix_be16_to_host(vlan->tci) & 0x0FFF;
		proto = bpfix_be16_to_host(vlan->proto);
		off += sizeof(*vlan);
	}
	if (proto == BPFIX_ETH_P_8021Q || proto == BPFIX_ETH_P_8021AD)
		return BPFIX_PARSE_VLAN_DEPTH;
	if (proto == BPFIX_ETH_P_MPLS_UC || proto == BPFIX_ETH_P_MPLS_MC)
		return bpfix_parse_mpls(c, off, m);
	return bpfix_parse_ip(c, off, proto, m);
}

/*
 * Everything the meter needs from one frame. GTP-U on @gtpu_port (0: never) is decapsulated;
 * the result says whether the packet is metered, the meta what as, c->gtpu_fragmented whether a
 * G-PDU came in the first fragment of its outer packet, c->beyond whether all of that must be
 * done again over more of the frame (struct bpfix_cursor).
 */
BPFIX_INLINE enum bpfix_parse_rc bpfix_parse_frame(struct bpfix_cursor *c,
						   struct bpfix_pkt_meta *m, __u16 gtpu_port)
{
	enum bpfix_parse_rc rc;
	int gtpu;

	c->beyond = 0;
	c->gtpu_fragmented = 0;
	rc = bpfix_parse_ethernet(c, m);
	if (rc == BPFIX_PARSE_OK && !m->ip_len)
		rc = bpfix_ip_len_zero(m, c->pkt_len, c->gso);
	/* as likely as not (GTP-U is most of the traffic or none of it): else the compiler takes the
	 * decapsulation for rare and builds its copies for size, with x86 string instructions that
	 * are slow to start (rep movs, rep stos) */
	gtpu = rc == BPFIX_PARSE_OK && bpfix_is_gtpu(m, gtpu_port);
	if (__builtin_expect_with_probability(gtpu, 1, 0.5))
		c->gtpu_fragmented = (__u8)bpfix_take_beyond(
			c, bpfix_decap_gtpu_window((const struct bpfix_window *)c->buf,
						   BPFIX_LENS(c), m));
	return rc;
}

#endif /* BPFIX_PARSE_H */
