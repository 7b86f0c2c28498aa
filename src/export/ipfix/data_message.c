// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records written straight into a datagram's data message (data_message.h), by the rules
 * fixbuf 2.4.1 writes them with: a message header at the first record, a set header where the
 * template changes, a record in the message only whole, a set's length and the message's filled
 * in at its end. No sending and no templates here.
 */
#include <string.h>

#include "export/ipfix/data_message.h"
#include "export/ipfix/process.h"
#include "export/ipfix/templates.h"
#include "export/wire.h"

#define SET_HEADER 4 /* RFC 7011 §3.3.2 */

/* The memory record's element @ie: its offset and length there; false if it has none. */
static bool memory_field(fbTemplate_t *memory, const fbInfoElement_t *ie, uint16_t *offset,
			 uint16_t *len)
{
	uint32_t i, n = fbTemplateCountElements(memory), off = 0;
	const fbInfoElement_t *m;

	for (i = 0; i < n; i++) {
		m = fbTemplateGetIndexedIE(memory, i);
		if (m->len == FB_IE_VARLEN)
			return false;
		if (m->ent == ie->ent && m->num == ie->num) {
			*offset = (uint16_t)off;
			*len = m->len;
			return true;
		}
		off += m->len;
	}
	return false;
}

/* Lengths fixbuf writes as integers this way: those of a C integer. */
static bool integer_length(uint16_t len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

static bool read_plan(fbTemplate_t *memory, fbTemplate_t *wire, struct bpfix_wire_plan *plan)
{
	uint32_t i, n = fbTemplateCountElements(wire), record_len = 0;
	struct bpfix_wire_field *f;
	const fbInfoElement_t *ie;
	uint16_t offset, mem_len;

	if (n > BPFIX_WIRE_FIELDS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		ie = fbTemplateGetIndexedIE(wire, i);
		if (ie->len == FB_IE_VARLEN || !memory_field(memory, ie, &offset, &mem_len))
			return false;
		f = &plan->fields[i];
		*f = (struct bpfix_wire_field){ .offset = offset, .mem_len = (uint8_t)mem_len,
						.wire_len = (uint8_t)ie->len,
						.endian = ie->flags & FB_IE_F_ENDIAN };
		if (mem_len > UINT8_MAX || ie->len > UINT8_MAX ||
		    (f->endian && (!integer_length(mem_len) || !integer_length(ie->len))))
			return false;
		record_len += ie->len;
	}
	plan->n_fields = (uint16_t)n;
	plan->record_len = (uint16_t)record_len;
	return true;
}

bool bpfix_wire_plans_read(fbSession_t *session, struct bpfix_wire_plan plans[BPFIX_N_FLOW_SHAPES])
{
	fbTemplate_t *memory = fbSessionGetTemplate(session, TRUE, BPFIX_TID_MEMORY, NULL), *wire;
	size_t i;

	for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++) {
		wire = fbSessionGetTemplate(session, FALSE, (uint16_t)(BPFIX_TID_FIRST + i), NULL);
		if (!memory || !wire || !read_plan(memory, wire, &plans[i]))
			return false;
	}
	return true;
}

void bpfix_data_message_init(struct bpfix_data_message *m, uint8_t *buf, size_t max)
{
	*m = (struct bpfix_data_message){ .buf = buf, .max = max };
}

bool bpfix_data_message_fits(const struct bpfix_data_message *m, uint16_t tid,
			     const struct bpfix_wire_plan *plan)
{
	size_t need = plan->record_len;

	if (!m->len)
		return true;
	if (!m->set_start || m->set_tid != tid)
		need += SET_HEADER;
	return m->len + need <= m->max;
}

void bpfix_data_message_start(struct bpfix_data_message *m, uint32_t export_time,
			      uint32_t sequence, uint32_t domain)
{
	bpfix_put_be16(m->buf, 10); /* IPFIX */
	bpfix_put_be16(m->buf + 2, 0);
	bpfix_put_be32(m->buf + 4, export_time);
	bpfix_put_be32(m->buf + 8, sequence);
	bpfix_put_be32(m->buf + 12, domain);
	m->len = MESSAGE_HEADER;
	m->set_start = 0;
	m->records = 0;
}

/* The open set's length filled in; none is open after. */
static void end_set(struct bpfix_data_message *m)
{
	if (m->set_start)
		bpfix_put_be16(m->buf + m->set_start + 2, (uint16_t)(m->len - m->set_start));
	m->set_start = 0;
}

/*
 * One field as fixbuf encodes it: an integer as its value's low @wire_len octets, big-endian
 * (zero-extended when the wire is wider); other octets copied, the last ones kept when the wire
 * is narrower, zeros before them when it is wider.
 */
static void put_field(uint8_t *out, const uint8_t *in, const struct bpfix_wire_field *f)
{
	if (f->endian) {
		bpfix_put_be(out, bpfix_memory_integer(in, f->mem_len), f->wire_len);
	} else if (f->mem_len >= f->wire_len) {
		memcpy(out, in + (f->mem_len - f->wire_len), f->wire_len);
	} else {
		memset(out, 0, f->wire_len - f->mem_len);
		memcpy(out + (f->wire_len - f->mem_len), in, f->mem_len);
	}
}

void bpfix_data_message_append(struct bpfix_data_message *m, uint16_t tid,
			       const struct bpfix_wire_plan *plan,
			       const struct bpfix_ipfix_flow *flow)
{
	const uint8_t *in = (const uint8_t *)flow;
	uint8_t *out;
	uint16_t i;

	if (!m->set_start || m->set_tid != tid) {
		end_set(m);
		m->set_start = m->len;
		m->set_tid = tid;
		bpfix_put_be16(m->buf + m->len, tid);
		bpfix_put_be16(m->buf + m->len + 2, 0);
		m->len += SET_HEADER;
	}
	out = m->buf + m->len;
	for (i = 0; i < plan->n_fields; i++) {
		put_field(out, in + plan->fields[i].offset, &plan->fields[i]);
		out += plan->fields[i].wire_len;
	}
	m->len += plan->record_len;
	m->records++;
}

size_t bpfix_data_message_end(struct bpfix_data_message *m)
{
	size_t len = m->len;

	if (!len)
		return 0;
	end_set(m);
	bpfix_put_be16(m->buf + 2, (uint16_t)len);
	m->len = 0;
	return len;
}
