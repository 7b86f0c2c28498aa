// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v9 templates from the template data (fields.h): each element named in flow.def and
 * stats.def becomes a v9 field of its IPFIX number, or of netflow9.def's type for the elements
 * that have none below 32768; the TCP shapes again with netflow9.def's network delays (half
 * round trips); and the record and template encoders. No I/O here.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bpfix_proto.h"
#include "export/ipfix/element_ids.h"
#include "export/netflow9/fields.h"
#include "util/log.h"

/* A field as the template data gives it, before its element's number is known. */
struct source {
	const char *element;
	uint16_t len;	  /* on the wire */
	uint16_t offset;  /* in the memory record */
	uint16_t mem_len;
	uint8_t integer;
	uint32_t shapes;  /* flow.def: in the templates of these shapes (0: all) */
};

/* Rounding half up: a measured round trip of 1 µs has a delay of 1 µs, not 0. */
#define HALF_RTT_US(rtt_us) (((uint64_t)(rtt_us) + 1) / 2)
#define USEC_PER_SEC 1000000u

#define FLOW_MEMBER_IS_INTEGER(type, member) (sizeof(type) == BPFIX_FLOW_MEMBER_SIZE(member))

static const struct source flow_sources[] = {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes)                                    \
	{ ie, (wire_len) ? (wire_len) : BPFIX_FLOW_MEMBER_SIZE(member),                          \
	  offsetof(struct bpfix_ipfix_flow, member), BPFIX_FLOW_MEMBER_SIZE(member),             \
	  FLOW_MEMBER_IS_INTEGER(type, member), shapes },
#include "flow.def"
#undef BPFIX_FIELD
};

#define N_FLOW_SOURCES (sizeof(flow_sources) / sizeof(flow_sources[0]))

/*
 * Fields of these shapes are IPFIX's only: of the TCP analysis, v9 gets the round trips as
 * nProbe's network delays (netflow9.def, add_delay_templates), in templates of their own.
 */
#define V9_SHAPES_LEFT_OUT BPFIX_SHAPE_TCP

/* stats.def's summary: every field an option of the v9 record (v9 scopes are not elements) */
#define BPFIX_STAT(type, member, ie, scope)                                                      \
	{ ie, sizeof(type), offsetof(struct bpfix_ipfix_stats_summary, member), sizeof(type),   \
	  sizeof(type) <= sizeof(uint64_t), 0 },
#define BPFIX_STAT_PAD(member, octets)
static const struct source stats_sources[] = {
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
};
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

#define N_STATS_SOURCES (sizeof(stats_sources) / sizeof(stats_sources[0]))

_Static_assert(N_FLOW_SOURCES <= BPFIX_V9_MAX_FIELDS && N_STATS_SOURCES < BPFIX_V9_MAX_FIELDS,
	       "a template has more fields than BPFIX_V9_MAX_FIELDS");

static const struct {
	const char *element;
	uint16_t type;
} v9_types[] = {
#define BPFIX_V9_TYPE(element, type) { element, type },
#include "netflow9.def"
#undef BPFIX_V9_TYPE
};

/* The network delays: which round trip of the record, their v9 types, their delay shape. */
static const struct {
	const char *element;
	uint16_t sec_type, usec_type;
	uint32_t shape;
} half_rtts[] = {
#define BPFIX_V9_HALF_RTT(element, sec_type, usec_type, side)                                    \
	{ element, sec_type, usec_type, BPFIX_V9_SHAPE_##side##_DELAY },
#include "netflow9.def"
#undef BPFIX_V9_HALF_RTT
};

#define N_HALF_RTTS (sizeof(half_rtts) / sizeof(half_rtts[0]))

/* The v9 field type of @element (its IPFIX number @id): netflow9.def's, else the number. */
static int v9_type(const char *element, const struct bpfix_element_id *id, uint16_t *type)
{
	size_t i;

	for (i = 0; i < sizeof(v9_types) / sizeof(v9_types[0]); i++) {
		if (!strcmp(v9_types[i].element, element)) {
			*type = v9_types[i].type;
			return 0;
		}
	}
	if (id->enterprise || id->id >= 0x8000) {
		bpfix_err("NetFlow v9: element '%s' has no v9 field type (v9 has no enterprise "
			  "numbers): give it one in templates/netflow9.def\n", element);
		return -EINVAL;
	}
	*type = id->id;
	return 0;
}

/* The v9 field type of each of @n sources into @types. */
static int resolve(const struct source *src, size_t n, uint16_t *types)
{
	struct bpfix_element_id ids[BPFIX_V9_MAX_FIELDS];
	const char *names[BPFIX_V9_MAX_FIELDS];
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		names[i] = src[i].element;
	err = bpfix_ipfix_element_ids(names, n, ids);
	for (i = 0; i < n && !err; i++)
		if (!(src[i].shapes & V9_SHAPES_LEFT_OUT))
			err = v9_type(src[i].element, &ids[i], &types[i]);
	return err;
}

/* Append the sources in @shape (all when @shape is 0) to @t, of v9 types @types. */
static void add_fields(struct bpfix_v9_template *t, const struct source *src,
		       const uint16_t *types, size_t n, uint32_t shape)
{
	struct bpfix_v9_field *f;
	size_t i;

	for (i = 0; i < n; i++) {
		if (shape && (src[i].shapes & shape) != src[i].shapes)
			continue;
		if (src[i].shapes & V9_SHAPES_LEFT_OUT)
			continue;
		f = &t->fields[t->n_fields++];
		f->type = types[i];
		f->len = src[i].len;
		f->offset = src[i].offset;
		f->mem_len = src[i].mem_len;
		f->integer = src[i].integer;
		t->record_len += f->len;
	}
}

/* The flow.def line of @element; NULL after saying so. */
static const struct source *flow_source(const char *element)
{
	size_t i;

	for (i = 0; i < N_FLOW_SOURCES; i++)
		if (!strcmp(flow_sources[i].element, element))
			return &flow_sources[i];
	bpfix_err("NetFlow v9: netflow9.def's round trip '%s' is no field of flow.def\n", element);
	return NULL;
}

/* Append to @t the network delays @delays (BPFIX_V9_SHAPE_*_DELAY bits) asks for. */
static int add_delays(struct bpfix_v9_template *t, uint32_t delays)
{
	const struct source *rtt;
	struct bpfix_v9_field *f;
	size_t i, part;

	for (i = 0; i < N_HALF_RTTS; i++) {
		if (!(half_rtts[i].shape & delays))
			continue;
		rtt = flow_source(half_rtts[i].element);
		if (!rtt)
			return -EINVAL;
		for (part = 0; part < 2; part++) {
			f = &t->fields[t->n_fields++];
			f->type = part ? half_rtts[i].usec_type : half_rtts[i].sec_type;
			f->len = sizeof(uint32_t);
			f->offset = rtt->offset;
			f->mem_len = rtt->mem_len;
			f->integer = 1;
			f->value = part ? BPFIX_V9_HALF_RTT_USEC : BPFIX_V9_HALF_RTT_SEC;
			t->record_len += f->len;
		}
	}
	return 0;
}

/*
 * After the shapes' templates, each TCP shape's again with the server's delay, and with both
 * (a record has the client's only after the server's: bpfix_conn_step).
 */
static int add_delay_templates(struct bpfix_v9_templates *t)
{
	static const uint32_t delays[2] = {
		BPFIX_V9_SHAPE_SERVER_DELAY,
		BPFIX_V9_SHAPE_SERVER_DELAY | BPFIX_V9_SHAPE_CLIENT_DELAY,
	};
	struct bpfix_v9_template *d;
	size_t i, k;
	int err;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++) {
			if (!(bpfix_flow_shapes[i] & BPFIX_SHAPE_TCP))
				continue;
			d = &t->flows[t->n_flows];
			*d = t->flows[i];
			d->id = BPFIX_V9_TID_FIRST + t->n_flows;
			err = add_delays(d, delays[k]);
			if (err)
				return err;
			t->with_delays[i][k] = t->n_flows++;
		}
	}
	return 0;
}

_Static_assert(N_FLOW_SOURCES + 2 * 2 <= BPFIX_V9_MAX_FIELDS,
	       "a template with the network delays has more fields than BPFIX_V9_MAX_FIELDS");

int bpfix_v9_templates_init(struct bpfix_v9_templates *t)
{
	uint16_t flow_types[N_FLOW_SOURCES], stats_types[N_STATS_SOURCES];
	size_t i;
	int err;

	memset(t, 0, sizeof(*t));
	err = resolve(flow_sources, N_FLOW_SOURCES, flow_types);
	if (!err)
		err = resolve(stats_sources, N_STATS_SOURCES, stats_types);
	if (err)
		return err;
	for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++) {
		t->flows[i].id = BPFIX_V9_TID_FIRST + i;
		add_fields(&t->flows[i], flow_sources, flow_types, N_FLOW_SOURCES,
			   bpfix_flow_shapes[i]);
	}
	t->n_flows = BPFIX_N_FLOW_SHAPES;
	err = add_delay_templates(t);
	if (err)
		return err;
	t->stats.id = BPFIX_V9_TID_STATS;
	t->stats.scope_len = BPFIX_V9_SCOPE_SYSTEM_LEN;
	t->stats.record_len = BPFIX_V9_SCOPE_SYSTEM_LEN;
	add_fields(&t->stats, stats_sources, stats_types, N_STATS_SOURCES, 0);
	return 0;
}

const struct bpfix_v9_template *bpfix_v9_template_of(const struct bpfix_v9_templates *t,
						     const struct bpfix_record *rec)
{
	size_t shape = bpfix_flow_shape_index(rec);

	if (rec->key.protocol != BPFIX_IPPROTO_TCP || !(rec->rtt_flags & BPFIX_TCP_RTT_SERVER))
		return &t->flows[shape];
	return &t->flows[t->with_delays[shape][!!(rec->rtt_flags & BPFIX_TCP_RTT_CLIENT)]];
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return p + 2;
}

size_t bpfix_v9_template_size(const struct bpfix_v9_template *t)
{
	/* RFC 3954 §5.2: id, count, fields; §6.1: id, scope length, option length, scope, fields */
	return (t->scope_len ? 6 + 4 : 4) + 4 * (size_t)t->n_fields;
}

size_t bpfix_v9_template_write(const struct bpfix_v9_template *t, uint8_t *out)
{
	uint8_t *p = put16(out, t->id);
	uint16_t i;

	if (t->scope_len) { /* lengths in octets (RFC 3954 §6.1), one scope: System */
		p = put16(p, 4);
		p = put16(p, 4 * t->n_fields);
		p = put16(p, BPFIX_V9_SCOPE_SYSTEM);
		p = put16(p, t->scope_len);
	} else {
		p = put16(p, t->n_fields);
	}
	for (i = 0; i < t->n_fields; i++) {
		p = put16(p, t->fields[i].type);
		p = put16(p, t->fields[i].len);
	}
	return (size_t)(p - out);
}

/* A host-order integer of @len octets (1, 2, 4 or 8) in memory. */
static uint64_t read_integer(const uint8_t *mem, uint16_t len)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (len) {
	case 1:
		return *mem;
	case 2:
		memcpy(&v16, mem, 2);
		return v16;
	case 4:
		memcpy(&v32, mem, 4);
		return v32;
	default:
		memcpy(&v64, mem, 8);
		return v64;
	}
}

void bpfix_v9_record_write(const struct bpfix_v9_template *t, const void *mem, uint8_t *out)
{
	const struct bpfix_v9_field *f;
	uint64_t v;
	uint16_t i, b;

	memset(out, 0, t->scope_len); /* the System scope's value: 0 */
	out += t->scope_len;
	for (i = 0; i < t->n_fields; i++) {
		f = &t->fields[i];
		if (f->integer) {
			/* big-endian, its low len octets (reduced size: tcpControlBits in 1) */
			v = read_integer((const uint8_t *)mem + f->offset, f->mem_len);
			if (f->value == BPFIX_V9_HALF_RTT_SEC)
				v = HALF_RTT_US(v) / USEC_PER_SEC;
			else if (f->value == BPFIX_V9_HALF_RTT_USEC)
				v = HALF_RTT_US(v) % USEC_PER_SEC;
			for (b = 0; b < f->len; b++)
				out[b] = (uint8_t)(v >> (8 * (f->len - 1 - b)));
		} else {
			memcpy(out, (const uint8_t *)mem + f->offset, f->len);
		}
		out += f->len;
	}
}
