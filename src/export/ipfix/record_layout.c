// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow record both encoders read (record_layout.h): the template shapes, a record's shape,
 * and a record in the memory layout of templates/flow.def. No fixbuf and no I/O here.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "bpfix_proto.h"
#include "export/ipfix/record_layout.h"

const uint32_t bpfix_flow_shapes[BPFIX_N_FLOW_SHAPES] = {
	BPFIX_SHAPE_IPV4,
	BPFIX_SHAPE_IPV6,
	BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV4,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV6,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_ICMP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV4,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV6,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV4 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_PDU,
	BPFIX_SHAPE_TCP | BPFIX_SHAPE_IPV6 | BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_PDU,
};

/* ICMP over IPv4, ICMPv6 over IPv6 (the other way round is no ICMP a host would read). */
static bool is_icmp(const struct bpfix_flow_key *k)
{
	return k->protocol == (k->ip_version == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

/*
 * The index in the list above, counted rather than searched (a search of the list was 6 % of
 * encoding a record): ten shapes per protocol class (other, ICMP, TCP), in each the two plain
 * ones, then GTP-U without and with the PDU Session Container, each by inner then outer version.
 * unit.test_record_layout checks it against the list for every combination.
 */
size_t bpfix_flow_shape_index(const struct bpfix_record *rec)
{
	const struct bpfix_flow_key *k = &rec->key;
	size_t inner6 = k->ip_version == 6, i;

	if (!k->tun_version)
		i = inner6;
	else
		i = (rec->has_pdu_session ? 6 : 2) + 2 * inner6 + (k->tun_version == 6);
	if (is_icmp(k))
		i += 10;
	else if (k->protocol == BPFIX_IPPROTO_TCP)
		i += 20;
	return i;
}

/* fixbuf keeps ipv4Address in host order in memory */
static uint32_t ipv4_host_order(const __u8 *addr)
{
	return (uint32_t)addr[0] << 24 | addr[1] << 16 | addr[2] << 8 | addr[3];
}

/* The TCP analysis of a TCP record; a round trip not measured is all ones, never 0. */
static void tcp_analysis(const struct bpfix_record *rec, struct bpfix_ipfix_flow *out)
{
	if (rec->key.protocol != BPFIX_IPPROTO_TCP)
		return;
	out->tcp_gaps = rec->tcp_gaps;
	out->tcp_retrans = rec->tcp_retransmissions;
	out->rtt_server_us = rec->rtt_flags & BPFIX_TCP_RTT_SERVER ? rec->rtt_server_us
								     : BPFIX_RTT_NOT_MEASURED;
	out->rtt_client_us = rec->rtt_flags & BPFIX_TCP_RTT_CLIENT ? rec->rtt_client_us
								     : BPFIX_RTT_NOT_MEASURED;
	if (rec->rtt_flags & BPFIX_TCP_RTT_SERVER_AMBIGUOUS)
		out->handshake_flags |= BPFIX_HANDSHAKE_SERVER_AMBIGUOUS;
	if (rec->rtt_flags & BPFIX_TCP_RTT_CLIENT_AMBIGUOUS)
		out->handshake_flags |= BPFIX_HANDSHAKE_CLIENT_AMBIGUOUS;
	out->first_tcp_flags = rec->tcp_first_flags;
}

void bpfix_ipfix_to_memory_record(const struct bpfix_record *rec, struct bpfix_ipfix_flow *out)
{
	const struct bpfix_flow_key *k = &rec->key;

	memset(out, 0, sizeof(*out));
	out->flow_start_ms = rec->start_ms;
	out->flow_end_ms = rec->end_ms;
	out->octets = rec->octets;
	out->packets = rec->packets;
	if (k->ip_version == 6) {
		memcpy(out->src_ipv6, k->src_addr, 16);
		memcpy(out->dst_ipv6, k->dst_addr, 16);
	} else {
		out->src_ipv4 = ipv4_host_order(k->src_addr);
		out->dst_ipv4 = ipv4_host_order(k->dst_addr);
	}
	if (k->direction == BPFIX_DIR_EGRESS)
		out->egress_ifindex = k->ifindex;
	else
		out->ingress_ifindex = k->ifindex;
	out->src_port = k->src_port;
	out->dst_port = k->dst_port;
	/* the same type << 8 | code the destination port holds (nfdump shows that one) */
	if (is_icmp(k)) {
		if (k->ip_version == 6)
			out->icmp_v6 = k->dst_port;
		else
			out->icmp_v4 = k->dst_port;
	}
	out->vlan_id = rec->vlan_id;
	out->tcp_flags = rec->tcp_flags;
	out->protocol = k->protocol;
	out->tos = rec->tos;
	out->ttl_min = rec->ttl_min;
	out->ttl_max = rec->ttl_max;
	out->direction = k->direction;
	out->end_reason = rec->end_reason;
	/* GTP-U: the outer destination owns the TEID and is part of the key */
	out->teid = k->teid;
	if (k->tun_version == 6) {
		memcpy(out->tun_src_ipv6, rec->tun_src_addr, 16);
		memcpy(out->tun_dst_ipv6, k->tun_addr, 16);
	} else if (k->tun_version == 4) {
		out->tun_src_ipv4 = ipv4_host_order(rec->tun_src_addr);
		out->tun_dst_ipv4 = ipv4_host_order(k->tun_addr);
	}
	out->qfi = rec->qfi;
	out->pdu_type = rec->pdu_type;
	tcp_analysis(rec, out);
}

