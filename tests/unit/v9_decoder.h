/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small NetFlow v9 decoder for the encoder's unit test, written from RFC 3954 and the
 * collectors' traps of DESIGN §9, not from bpfix's encoder: it reads export packets, checks their
 * framing with cmocka assertions and hands each data record to the test with its template.
 */
#ifndef BPFIX_TEST_V9_DECODER_H
#define BPFIX_TEST_V9_DECODER_H

#include <stddef.h>
#include <stdint.h>

#define V9_MAX_TEMPLATES 64
#define V9_MAX_FIELDS 64

struct v9_field {
	uint16_t type, len;
};

struct v9_template {
	uint32_t source_id;
	uint16_t id;
	uint16_t scope_len; /* options template: octets of scope ahead of the fields */
	uint16_t scope_type;
	size_t n;
	struct v9_field fields[V9_MAX_FIELDS];
};

/* What the packets read so far taught: their templates, the records counted. */
struct v9_decoded {
	struct v9_template templates[V9_MAX_TEMPLATES];
	size_t n_templates;
	size_t template_records;
	size_t data_records;
};

struct v9_header {
	uint16_t version, count;
	uint32_t uptime, secs, sequence, source_id;
};

/* A data record seen, with its template. */
typedef void (*v9_record_fn)(const struct v9_template *t, const uint8_t *rec, void *arg);

struct v9_header v9_read_header(const uint8_t *packet);
/*
 * Read one export packet of @len octets: every flowset longer than 4 octets and padded to 4
 * with zeros, one (options) template record per template flowset, option lengths in octets,
 * data only after its template, the header's count equal to every record read. Fails the test
 * otherwise.
 */
struct v9_header v9_decode(struct v9_decoded *d, const uint8_t *packet, size_t len,
			   v9_record_fn fn, void *arg);
/* The value of field @type in @rec of @t and its length; NULL when @t has none. */
const uint8_t *v9_field_value(const struct v9_template *t, const uint8_t *rec, uint16_t type,
			      uint16_t *len);
/* That value as an unsigned number (big-endian); fails the test when @t has no such field. */
uint64_t v9_field_uint(const struct v9_template *t, const uint8_t *rec, uint16_t type);

#endif /* BPFIX_TEST_V9_DECODER_H */
