/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What bpfix sends in NetFlow v9 (RFC 3954), built at start from the same template data as the
 * IPFIX export: one template per flow shape from templates/flow.def, the exporter-statistics
 * options template from templates/stats.def, the v9 field types of the elements that have no
 * IPFIX number of their own from templates/netflow9.def, and for TCP records whose handshake
 * was measured the templates with nProbe's network delays (netflow9.def: half the round trips
 * of the IPFIX record). Encodes records and templates into octets; messages, flowsets and
 * sending are netflow9.c's.
 */
#ifndef BPFIX_NETFLOW9_FIELDS_H
#define BPFIX_NETFLOW9_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "export/ipfix/record_layout.h"
#include "export/ipfix/stats_summary.h"

#define BPFIX_V9_MAX_FIELDS 64
#define BPFIX_V9_TID_FIRST 256	       /* flow templates: one per shape from here, as in IPFIX */
#define BPFIX_V9_TID_STATS 4097	       /* the statistics options template, as in IPFIX */
#define BPFIX_V9_SCOPE_SYSTEM 1	       /* RFC 3954 §6.1 scope field type */
#define BPFIX_V9_SCOPE_SYSTEM_LEN 4    /* its value: 0 (pmacct 1.7.7 reads it as in-bytes) */

/*
 * Shapes of v9 templates beyond record_layout.h's: a TCP record that carries nProbe's server
 * network delay (the server-side round trip was measured), and the client's as well. A round
 * trip not measured has no field: nfdump would show a 0 as a measurement.
 */
#define BPFIX_V9_SHAPE_SERVER_DELAY 0x100u
#define BPFIX_V9_SHAPE_CLIENT_DELAY 0x200u
/* the flow shapes, then each TCP one with the server's delay, and with both */
#define BPFIX_V9_MAX_FLOW_TEMPLATES (3 * BPFIX_N_FLOW_SHAPES)

/* How a field's value is made from the memory record's. */
enum bpfix_v9_value {
	BPFIX_V9_AS_IS = 0,	  /* the member itself */
	BPFIX_V9_HALF_RTT_SEC,	  /* of a round trip in µs: whole seconds of its half */
	BPFIX_V9_HALF_RTT_USEC,	  /* ... and the microseconds beyond them */
};

/* One field of a template: where its value is in the memory record, how it goes on the wire. */
struct bpfix_v9_field {
	uint16_t type;	   /* v9 field type */
	uint16_t len;	   /* octets on the wire */
	uint16_t offset;   /* of the value in the memory record */
	uint16_t mem_len;  /* octets of the value in memory */
	uint8_t integer;   /* a number in host order (sent big-endian, its low len octets), else
			      octets sent as they are */
	uint8_t value;	   /* enum bpfix_v9_value */
};

struct bpfix_v9_template {
	uint16_t id;
	uint16_t n_fields;
	uint16_t record_len; /* octets of one record on the wire */
	uint16_t scope_len;  /* options template: octets of scope (System), ahead of the fields */
	struct bpfix_v9_field fields[BPFIX_V9_MAX_FIELDS];
};

struct bpfix_v9_templates {
	/* bpfix_flow_shapes' order, then the TCP shapes with the server's delay, then with both */
	struct bpfix_v9_template flows[BPFIX_V9_MAX_FLOW_TEMPLATES];
	size_t n_flows;
	/* index in flows of each shape's template with the server's delay, with both (TCP) */
	uint16_t with_delays[BPFIX_N_FLOW_SHAPES][2];
	struct bpfix_v9_template stats; /* options: scope System, then stats.def's summary */
};

/* Build the templates; 0, or a negative errno after printing which element cannot go in v9. */
int bpfix_v9_templates_init(struct bpfix_v9_templates *t);

/* The flow template of @rec: its shape's, with the network delays its handshake measured. */
const struct bpfix_v9_template *bpfix_v9_template_of(const struct bpfix_v9_templates *t,
						     const struct bpfix_record *rec);

/* Octets of the template record of @t (an options template record if it has a scope). */
size_t bpfix_v9_template_size(const struct bpfix_v9_template *t);
/* Write that template record to @out (bpfix_v9_template_size octets); returns its size. */
size_t bpfix_v9_template_write(const struct bpfix_v9_template *t, uint8_t *out);

/* Write one record of @t whose values are in @mem (its memory layout) to @out (record_len). */
void bpfix_v9_record_write(const struct bpfix_v9_template *t, const void *mem, uint8_t *out);

#endif /* BPFIX_NETFLOW9_FIELDS_H */
