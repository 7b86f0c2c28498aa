// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GTP-U rows of the named packet-case table (TS 29.281: G-PDU header variants, extension
 * chains, other messages, outer IPv6/VLAN/fragments, cuts at every layer) and their build_*
 * functions. Not here: the IP/L2 rows and the joined table (packet_cases.c), the frame builder.
 */
#include <string.h>

#include "packet_cases_rows.h"

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

/* The T-PDU of the fragment rows: IPv4 UDP 1234 -> 5678 of 1028 octets */
static void inner_ipv4_udp_1028(struct frame *f)
{
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_INNER_A, .dst = V4_INNER_B,
						    .protocol = PROTO_UDP, .tos = INNER_TOS,
						    .ttl = INNER_TTL });
	frame_udp(f, 1234, 5678);
	frame_payload(f, 1000);
}

/*
 * The first fragment (MF, @data octets of data) of a G-PDU whose T-PDU is 1028 octets: UDP,
 * GTP-U and inner lengths are the whole datagram's, the outer total length the fragment's.
 */
#define FIRST_FRAGMENT_DATA 72
static void build_gtpu_first_fragment(struct frame *f, __u32 data)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV4);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = V4_A, .dst = V4_B, .protocol = PROTO_UDP,
						    .ttl = 64, .frag = FRAME_IPV4_MF,
						    .total_len = 20 + data });
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp_1028(f);
}

/* The row cuts the frame at the fragment's end: 72 - 8 - 8 = 56 octets of the T-PDU */
static void build_gtpu_outer_first_fragment(struct frame *f)
{
	build_gtpu_first_fragment(f, FIRST_FRAGMENT_DATA);
}

/* A fragment that ends 8 octets into the inner IP header; the frame goes on (as padding would) */
static void build_gtpu_outer_first_fragment_in_inner_header(struct frame *f)
{
	build_gtpu_first_fragment(f, 8 + 8 + 8);
}

/* The same over IPv6: fragment header (offset 0, M) at 54, UDP at 62, T-PDU at 78 */
static void build_gtpu_outer_ipv6_first_fragment(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, ETH_IPV6);
	frame_ipv6(f, &(struct frame_ipv6_fields){ .src = V6_A, .dst = V6_B, .next = PROTO_FRAGMENT,
						    .hop_limit = 64,
						    .payload_len = 8 + FIRST_FRAGMENT_DATA });
	frame_ipv6_frag(f, PROTO_UDP, 0, true, 0x4242);
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu(f, FRAME_GTPU_G_PDU, TEID_A);
	inner_ipv4_udp_1028(f);
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
/* Decapsulated from the first fragment of its outer packet */
#define GTP_FRAGMENTED (GTP_DECAPSULATED | PACKET_CASE_CNT(BPFIX_CNT_GTP_FRAGMENTED))

const struct packet_case packet_cases_gtpu[] = {
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
			  TUN_V4(V4_A, V4_B, TEID_UL), PSC(FRAME_PSC_UL, 9),
			  .tcp_seq = FRAME_TCP_SEQ },
		.counters = GTP_DECAPSULATED | PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES),
		/* the inner SYN starts the TCP analysis, as an untunnelled one would */
		.tcp_state = FRAME_TCP_SYN | BPFIX_TCP_SEQ_SEEN | BPFIX_TCP_ISN_SEEN |
			     BPFIX_TCP_HS_PENDING,
		.tcp_seq_end = FRAME_TCP_SEQ + 1,
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
			  TUN_V4(V4_B, V4_A, TEID_DL), PSC(FRAME_PSC_DL, 5),
			  .tcp_seq = FRAME_TCP_SEQ },
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
			  TUN_V4(V4_A, V4_B, TEID_UL), PSC(FRAME_PSC_UL, 9),
			  .tcp_seq = FRAME_TCP_SEQ },
		.counters = GTP_DECAPSULATED | PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES),
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
		/* no UDP header in a later fragment: no ports, nothing to decapsulate, and nothing
		 * that tells it from any other UDP fragment: no GTP-U counter */
		.name = "gtpu-outer-later-fragment",
		.build = build_gtpu_outer_later_fragment,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_A, .dst_addr = V4_B, .ip_len = 72, .l3_off = 14,
			  .ip_version = 4, .protocol = PROTO_UDP, .ttl = 64,
			  .diag = BPFIX_DIAG_FRAGMENT },
		.counters = METERED_NEW | PACKET_CASE_CNT(BPFIX_CNT_DIAG_FRAGMENT),
	},
	{
		/*
		 * decapsulated in its first fragment, credited the 56 T-PDU octets it carries, not
		 * the inner header's 1028: the other 972 come in later fragments, metered as the
		 * outer flow (as gtpu-outer-later-fragment), and count there only
		 */
		.name = "gtpu-outer-first-fragment",
		.build = build_gtpu_outer_first_fragment,
		.snap_len = 14 + 20 + FIRST_FRAGMENT_DATA,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 56,
			  .l3_off = 50, .l4_off = 70, .src_port = 1234, .dst_port = 5678,
			  .ip_version = 4, .protocol = PROTO_UDP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, TUN_V4(V4_A, V4_B, TEID_A) },
		.counters = GTP_FRAGMENTED,
	},
	{
		.name = "gtpu-outer-ipv6-first-fragment",
		.build = build_gtpu_outer_ipv6_first_fragment,
		.snap_len = 14 + 40 + 8 + FIRST_FRAGMENT_DATA,
		.rc = BPFIX_PARSE_OK,
		.meta = { .src_addr = V4_INNER_A, .dst_addr = V4_INNER_B, .ip_len = 56,
			  .l3_off = 78, .l4_off = 98, .src_port = 1234, .dst_port = 5678,
			  .ip_version = 4, .protocol = PROTO_UDP, .tos = INNER_TOS,
			  .ttl = INNER_TTL, TUN_V6(V6_A, V6_B, TEID_A) },
		.counters = GTP_FRAGMENTED,
	},
	{
		/* what the frame holds of the inner header after the fragment is not the packet's:
		 * metered once as the outer flow, its 44 octets */
		.name = "gtpu-outer-first-fragment-in-inner-header",
		.build = build_gtpu_outer_first_fragment_in_inner_header,
		.rc = BPFIX_PARSE_OK,
		.meta = { OUTER_V4_GTPU(44), .gtp_diag = BPFIX_GTP_DIAG_INNER_BAD,
			  .more_fragments = 1 },
		.counters = GTP_OUTER(BPFIX_CNT_GTP_INNER_BAD),
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
};

const unsigned int packet_cases_gtpu_count =
	sizeof(packet_cases_gtpu) / sizeof(packet_cases_gtpu[0]);
