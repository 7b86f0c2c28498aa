/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Expands templates/flow.def into the in-memory flow record fixbuf reads. ipfix.c expands the
 * same lines into the template specs, so the struct and the templates cannot drift apart.
 */
#ifndef BPFIX_IPFIX_RECORD_LAYOUT_H
#define BPFIX_IPFIX_RECORD_LAYOUT_H

#include <stdint.h>

/* Template shape bits: a field is in every template whose shape has all of the field's bits. */
#define BPFIX_SHAPE_IPV4 0x01u	 /* the flow (inner for GTP-U) is IPv4 */
#define BPFIX_SHAPE_IPV6 0x02u
#define BPFIX_SHAPE_OUTER4 0x04u /* GTP-U over IPv4 */
#define BPFIX_SHAPE_OUTER6 0x08u /* GTP-U over IPv6 */
#define BPFIX_SHAPE_PDU 0x10u	 /* with a PDU Session Container (QFI, PDU type) */
#define BPFIX_SHAPE_GTPU 0x20u	 /* any GTP-U flow */

#define BPFIX_FLOW_PADDING 4 /* rounds the record to its 8-octet alignment */

struct bpfix_ipfix_flow {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) type member dims;
#include "flow.def"
#undef BPFIX_FIELD
	uint8_t padding[BPFIX_FLOW_PADDING];
};

_Static_assert(sizeof(struct bpfix_ipfix_flow) ==
		       __builtin_offsetof(struct bpfix_ipfix_flow, padding) + BPFIX_FLOW_PADDING,
	       "flow.def fields must leave no hidden padding: reorder them or resize the padding");

#define BPFIX_FLOW_MEMBER_SIZE(member) sizeof(((struct bpfix_ipfix_flow *)0)->member)

#endif /* BPFIX_IPFIX_RECORD_LAYOUT_H */
