// SPDX-License-Identifier: GPL-2.0-only
/* A NetFlow v9 export packet reader for the unit tests (v9_decoder.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "v9_decoder.h"

#define HEADER_LEN 20 /* RFC 3954 §5.1 */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

struct v9_header v9_read_header(const uint8_t *packet)
{
	struct v9_header h = { get16(packet), get16(packet + 2), get32(packet + 4),
			       get32(packet + 8), get32(packet + 12), get32(packet + 16) };

	return h;
}

static struct v9_template *find_template(struct v9_decoded *d, uint32_t source_id, uint16_t id)
{
	size_t i;

	for (i = 0; i < d->n_templates; i++)
		if (d->templates[i].source_id == source_id && d->templates[i].id == id)
			return &d->templates[i];
	return NULL;
}

/* A template (re)defined: a new one, or the same id again (a refresh) replaced. */
static struct v9_template *define_template(struct v9_decoded *d, uint32_t source_id, uint16_t id)
{
	struct v9_template *t = find_template(d, source_id, id);

	if (!t) {
		assert_true(d->n_templates < V9_MAX_TEMPLATES);
		t = &d->templates[d->n_templates++];
	}
	memset(t, 0, sizeof(*t));
	t->source_id = source_id;
	t->id = id;
	d->template_records++;
	return t;
}

static size_t record_len(const struct v9_template *t)
{
	size_t i, len = t->scope_len;

	for (i = 0; i < t->n; i++)
		len += t->fields[i].len;
	return len;
}

/* @n field specifiers from @p into @t; returns the octets read. */
static size_t read_fields(struct v9_template *t, const uint8_t *p, size_t n)
{
	size_t i;

	assert_true(n <= V9_MAX_FIELDS);
	for (i = 0; i < n; i++)
		t->fields[t->n++] = (struct v9_field){ get16(p + 4 * i), get16(p + 4 * i + 2) };
	return 4 * n;
}

/* One template flowset's record (RFC 3954 §5.2): id, field count, fields. */
static size_t read_template(struct v9_decoded *d, uint32_t source_id, const uint8_t *p)
{
	struct v9_template *t = define_template(d, source_id, get16(p));

	return 4 + read_fields(t, p + 4, get16(p + 2));
}

/* One options template flowset's record (§6.1): lengths in octets, scope System only here. */
static size_t read_options_template(struct v9_decoded *d, uint32_t source_id, const uint8_t *p)
{
	uint16_t scope_len = get16(p + 2), option_len = get16(p + 4);
	struct v9_template *t;

	assert_int_equal(scope_len, 4); /* one scope field, in octets (not a count) */
	assert_int_equal(option_len % 4, 0);
	t = define_template(d, source_id, get16(p));
	t->scope_type = get16(p + 6);
	t->scope_len = get16(p + 8);
	return 6 + scope_len + read_fields(t, p + 10, option_len / 4u);
}

struct v9_header v9_decode(struct v9_decoded *d, const uint8_t *packet, size_t len,
			   v9_record_fn fn, void *arg)
{
	struct v9_header h = v9_read_header(packet);
	size_t off = HEADER_LEN, end, records = 0;
	uint16_t set_id, set_len;
	struct v9_template *t;

	assert_int_equal(h.version, 9);
	while (off < len) {
		assert_true(off + 4 <= len);
		set_id = get16(packet + off);
		set_len = get16(packet + off + 2);
		assert_true(set_len > 4);	  /* nfdump stops at a flowset of 4 or less */
		assert_int_equal(set_len % 4, 0); /* padded to 4 octets */
		assert_true(off + set_len <= len);
		end = off + set_len;
		off += 4;
		if (set_id == 0) { /* one template per flowset: pmacct, fastnetmon */
			off += read_template(d, h.source_id, packet + off);
			records++;
		} else if (set_id == 1) { /* one options template per flowset: nfdump */
			off += read_options_template(d, h.source_id, packet + off);
			records++;
		} else {
			t = find_template(d, h.source_id, set_id);
			assert_non_null(t); /* its template came first */
			while (end - off >= record_len(t)) {
				fn(t, packet + off, arg);
				off += record_len(t);
				records++;
				d->data_records++;
			}
		}
		assert_true(off <= end && end - off < 4); /* padding: less than 4 octets, zeros */
		while (off < end)
			assert_int_equal(packet[off++], 0);
	}
	assert_int_equal(off, len);
	assert_int_equal(h.count, records); /* every record, templates included */
	return h;
}

const uint8_t *v9_field_value(const struct v9_template *t, const uint8_t *rec, uint16_t type,
			      uint16_t *len)
{
	const uint8_t *p = rec + t->scope_len;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->fields[i].type == type) {
			*len = t->fields[i].len;
			return p;
		}
		p += t->fields[i].len;
	}
	return NULL;
}

uint64_t v9_field_uint(const struct v9_template *t, const uint8_t *rec, uint16_t type)
{
	uint16_t len = 0;
	const uint8_t *p = v9_field_value(t, rec, type, &len);
	uint64_t v = 0;

	assert_non_null(p);
	while (len--)
		v = v << 8 | *p++;
	return v;
}
