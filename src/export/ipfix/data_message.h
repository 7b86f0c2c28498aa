/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow records written straight into a datagram's data message, octet for octet as fixbuf's
 * fBufAppend would write them (which transcodes each record element by element, looking each one
 * up: about 250 ns a record, a quarter of a mass expiry's export): the same message header, sets
 * and fields. How each field goes from the memory record to the wire is read once from fixbuf's
 * own templates (the session's flow templates and the memory one), so the two cannot differ;
 * unit.test_data_message compares them. Templates, type records and statistics stay fixbuf's;
 * the caller keeps fixbuf's sequence number moving. Nothing is sent here.
 */
#ifndef BPFIX_IPFIX_DATA_MESSAGE_H
#define BPFIX_IPFIX_DATA_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fixbuf/public.h>

#include "export/ipfix/record_layout.h"

/* An element of a flow template: where it is in the memory record and how it goes out. */
struct bpfix_wire_field {
	uint16_t offset;	/* in struct bpfix_ipfix_flow */
	uint8_t mem_len;	/* octets there */
	uint8_t wire_len;	/* octets on the wire */
	bool endian;		/* an integer (fixbuf's FB_IE_F_ENDIAN): big-endian on the wire */
};

#define BPFIX_WIRE_FIELDS_MAX 48

/* The flow template of one shape, as written. */
struct bpfix_wire_plan {
	struct bpfix_wire_field fields[BPFIX_WIRE_FIELDS_MAX];
	uint16_t n_fields;
	uint16_t record_len;	/* octets of a record on the wire */
};

/*
 * The plans of every flow template of @session (external templates BPFIX_TID_FIRST + shape,
 * internal BPFIX_TID_MEMORY) into @plans; false when one cannot be read this way (an element
 * missing from the memory record, or of variable length): fixbuf then writes the records.
 */
bool bpfix_wire_plans_read(fbSession_t *session, struct bpfix_wire_plan plans[BPFIX_N_FLOW_SHAPES]);

/* The message being built: at most @max octets at @buf. */
struct bpfix_data_message {
	uint8_t *buf;
	size_t max;
	size_t len;		/* 0: none started */
	size_t set_start;	/* offset of the open set's header; 0: none open */
	uint16_t set_tid;
	uint32_t records;
};

void bpfix_data_message_init(struct bpfix_data_message *m, uint8_t *buf, size_t max);
/* Whether a record of @plan in template @tid fits in the message started (a new one: always). */
bool bpfix_data_message_fits(const struct bpfix_data_message *m, uint16_t tid,
			     const struct bpfix_wire_plan *plan);
/*
 * Start a message: the header with @export_time (seconds), @sequence (of its first record) and
 * @domain. Only when none is started.
 */
void bpfix_data_message_start(struct bpfix_data_message *m, uint32_t export_time,
			      uint32_t sequence, uint32_t domain);
/* Append @flow as template @tid (a set opened when the template changes); it must fit. */
void bpfix_data_message_append(struct bpfix_data_message *m, uint16_t tid,
			       const struct bpfix_wire_plan *plan,
			       const struct bpfix_ipfix_flow *flow);
/* End the message (set and message lengths): its length, 0 if none was started; a new one may
 * start after. */
size_t bpfix_data_message_end(struct bpfix_data_message *m);

#endif /* BPFIX_IPFIX_DATA_MESSAGE_H */
