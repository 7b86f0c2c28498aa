/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Expands templates/flow.def into the in-memory flow record fixbuf reads, and says which
 * template shapes there are and which one a record has. templates.c expands the same lines into
 * the IPFIX template specs and netflow9/ into its NetFlow v9 templates, so the struct and the
 * templates cannot drift apart. No fixbuf here: both encoders read this.
 */
#ifndef BPFIX_IPFIX_RECORD_LAYOUT_H
#define BPFIX_IPFIX_RECORD_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "flow/record.h"

/* Template shape bits: a field is in every template whose shape has all of the field's bits. */
#define BPFIX_SHAPE_IPV4 0x01u	 /* the flow (inner for GTP-U) is IPv4 */
#define BPFIX_SHAPE_IPV6 0x02u
#define BPFIX_SHAPE_OUTER4 0x04u /* GTP-U over IPv4 */
#define BPFIX_SHAPE_OUTER6 0x08u /* GTP-U over IPv6 */
#define BPFIX_SHAPE_PDU 0x10u	 /* with a PDU Session Container (QFI, PDU type) */
#define BPFIX_SHAPE_GTPU 0x20u	 /* any GTP-U flow */
#define BPFIX_SHAPE_ICMP 0x40u	 /* ICMP (IPv4) or ICMPv6 (IPv6): the flow's protocol */
#define BPFIX_SHAPE_TCP 0x80u	 /* TCP: the TCP analysis (gaps, retransmissions, round trips) */

/* bpfixTcpServer/ClientRttMicroseconds of a round trip not measured */
#define BPFIX_RTT_NOT_MEASURED 0xffffffffu
/* bits of bpfixTcpHandshakeFlags */
#define BPFIX_HANDSHAKE_SERVER_AMBIGUOUS 0x01
#define BPFIX_HANDSHAKE_CLIENT_AMBIGUOUS 0x02

#define BPFIX_FLOW_PADDING 6 /* rounds the record to its 8-octet alignment: in memory only */

struct bpfix_ipfix_flow {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) type member dims;
#include "flow.def"
#undef BPFIX_FIELD
	uint8_t padding[BPFIX_FLOW_PADDING];
};

/* the octets of the fields and the padding, so fixbuf's template of the record has every one */
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) \
	+sizeof(((struct bpfix_ipfix_flow *)0)->member)
_Static_assert(sizeof(struct bpfix_ipfix_flow) == BPFIX_FLOW_PADDING
#include "flow.def"
	       , "flow.def fields must leave no hidden padding: reorder them, or resize the padding");
#undef BPFIX_FIELD

#define BPFIX_FLOW_MEMBER_SIZE(member) sizeof(((struct bpfix_ipfix_flow *)0)->member)

/*
 * The shapes that have a template, in template order: plain IPv4/IPv6 flows, and GTP-U flows by
 * outer version and whether the PDU Session Container was seen; then each of them for ICMP
 * (ICMPv6) flows, which carry icmpTypeCodeIPv4 (IPv6) too, and for TCP flows, which carry the TCP
 * analysis.
 */
#define BPFIX_N_FLOW_SHAPES 30
extern const uint32_t bpfix_flow_shapes[BPFIX_N_FLOW_SHAPES];

/* The index in bpfix_flow_shapes of @rec's shape. */
size_t bpfix_flow_shape_index(const struct bpfix_record *rec);
/* @rec in the memory layout above (integers and IPv4 addresses in host order). */
void bpfix_ipfix_to_memory_record(const struct bpfix_record *rec, struct bpfix_ipfix_flow *out);

#endif /* BPFIX_IPFIX_RECORD_LAYOUT_H */
