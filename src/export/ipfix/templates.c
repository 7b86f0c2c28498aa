// SPDX-License-Identifier: GPL-2.0-only
/*
 * What bpfix exports, as fixbuf sees it: the extra information elements (templates/elements.def),
 * the flow templates, one per shape (templates/flow.def), the statistics options templates
 * (templates/stats.def), and the conversion of a record to fixbuf's memory layout. No I/O here.
 */
#include <string.h>

#include "export/ipfix/record_layout.h"
#include "export/ipfix/stats_layout.h"
#include "export/ipfix/templates.h"

static fbInfoElementSpec_t memory_specs[] = {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) \
	{ (char *)ie, BPFIX_FLOW_MEMBER_SIZE(member), 0 },
#include "flow.def"
#undef BPFIX_FIELD
	{ (char *)"paddingOctets", BPFIX_FLOW_PADDING, 0 },
	FB_IESPEC_NULL
};

/* in memory: the C type's size (strings as fbVarfield_t), padding included */
#define STAT_MEMORY_LEN(type) \
	(__builtin_types_compatible_p(type, fbVarfield_t) ? FB_IE_VARLEN : sizeof(type))
#define BPFIX_STAT(type, member, ie, scope) { (char *)ie, STAT_MEMORY_LEN(type), 0 },
#define BPFIX_STAT_PAD(member, octets) { (char *)"paddingOctets", octets, 0 },
static fbInfoElementSpec_t stats_summary_memory[] = {
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
	FB_IESPEC_NULL
};

static fbInfoElementSpec_t stats_counter_memory[] = {
#define BPFIX_STATS_COUNTER
#include "stats.def"
#undef BPFIX_STATS_COUNTER
	FB_IESPEC_NULL
};
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

/* on the wire: the element's own length, no padding */
#define BPFIX_STAT(type, member, ie, scope) { (char *)ie, 0, 0 },
#define BPFIX_STAT_PAD(member, octets)
static fbInfoElementSpec_t stats_summary_wire[] = {
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
	FB_IESPEC_NULL
};

static fbInfoElementSpec_t stats_counter_wire[] = {
#define BPFIX_STATS_COUNTER
#include "stats.def"
#undef BPFIX_STATS_COUNTER
	FB_IESPEC_NULL
};
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

/* scope fields of each, counted from the same lines */
#define BPFIX_STAT(type, member, ie, scope) +(scope)
#define BPFIX_STAT_PAD(member, octets)
static const uint16_t stats_summary_scopes = 0
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
	;
static const uint16_t stats_counter_scopes = 0
#define BPFIX_STATS_COUNTER
#include "stats.def"
#undef BPFIX_STATS_COUNTER
	;
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

/* One external template per shape: plain IPv4/IPv6 flows, and GTP-U flows by outer version and
 * whether the PDU Session Container was seen. Template id = TID_FIRST + index. */
static const uint32_t shapes[] = {
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
};

#define N_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

static fbInfoElementSpec_t wire_specs[] = {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) { (char *)ie, wire_len, shapes },
#include "flow.def"
#undef BPFIX_FIELD
	FB_IESPEC_NULL
};

static fbTemplate_t *new_template(fbInfoModel_t *model, fbInfoElementSpec_t *specs, uint32_t flags,
				  GError **err)
{
	fbTemplate_t *tmpl = fbTemplateAlloc(model);

	if (!fbTemplateAppendSpecArray(tmpl, specs, flags, err)) {
		fbTemplateFreeUnused(tmpl);
		return NULL;
	}
	return tmpl;
}

/* An options template for statistics: in memory (@memory) or on the wire. */
static gboolean add_stats_template(fbInfoModel_t *model, fbSession_t *session,
				   fbInfoElementSpec_t *specs, uint16_t scopes, uint16_t tid,
				   gboolean memory, GError **err)
{
	fbTemplate_t *tmpl = new_template(model, specs, 0, err);

	if (!tmpl)
		return FALSE;
	fbTemplateSetOptionsScope(tmpl, scopes);
	return fbSessionAddTemplate(session, memory, tid, tmpl, err) != 0;
}

gboolean bpfix_ipfix_add_stats_templates(fbInfoModel_t *model, fbSession_t *session,
					 uint32_t flow_domain, GError **err)
{
	gboolean ok;

	ok = add_stats_template(model, session, stats_summary_memory, stats_summary_scopes,
				BPFIX_TID_STATS_SUMMARY, TRUE, err) &&
	     add_stats_template(model, session, stats_counter_memory, stats_counter_scopes,
				BPFIX_TID_STATS_COUNTER, TRUE, err);
	fbSessionSetDomain(session, BPFIX_STATS_DOMAIN);
	ok = ok &&
	     add_stats_template(model, session, stats_summary_wire, stats_summary_scopes,
				BPFIX_TID_STATS_SUMMARY, FALSE, err) &&
	     add_stats_template(model, session, stats_counter_wire, stats_counter_scopes,
				BPFIX_TID_STATS_COUNTER, FALSE, err);
	fbSessionSetDomain(session, flow_domain);
	return ok;
}

gboolean bpfix_ipfix_add_flow_templates(fbInfoModel_t *model, fbSession_t *session, GError **err)
{
	fbTemplate_t *tmpl;
	size_t i;

	tmpl = new_template(model, memory_specs, UINT32_MAX, err);
	if (!tmpl || !fbSessionAddTemplate(session, TRUE, BPFIX_TID_MEMORY, tmpl, err))
		return FALSE;
	for (i = 0; i < N_SHAPES; i++) {
		tmpl = new_template(model, wire_specs, shapes[i], err);
		if (!tmpl || !fbSessionAddTemplate(session, FALSE, BPFIX_TID_FIRST + i, tmpl, err))
			return FALSE;
	}
	return TRUE;
}

/* The shape, hence the template, of a record. */
uint16_t bpfix_ipfix_template_id(const struct bpfix_record *rec)
{
	uint32_t shape = rec->key.ip_version == 6 ? BPFIX_SHAPE_IPV6 : BPFIX_SHAPE_IPV4;
	size_t i;

	if (rec->key.tun_version) {
		shape |= BPFIX_SHAPE_GTPU;
		shape |= rec->key.tun_version == 6 ? BPFIX_SHAPE_OUTER6 : BPFIX_SHAPE_OUTER4;
		if (rec->has_pdu_session)
			shape |= BPFIX_SHAPE_PDU;
	}
	for (i = 0; i < N_SHAPES; i++)
		if (shapes[i] == shape)
			return BPFIX_TID_FIRST + i;
	return BPFIX_TID_FIRST; /* unreachable: every combination above has a template */
}

/* fbInfoModelAddElementArray keeps pointers into the array: it lives as long as the model. */
fbInfoElement_t *bpfix_ipfix_new_elements(__u32 pen)
{
	static const fbInfoElement_t defs[] = {
#define IANA 0
#define BPFIX 1
#define BPFIX_ELEMENT(name, owner, id, len, type, flags, desc) \
	FB_IE_INIT_FULL(name, owner, id, len, flags, 0, 0, type, (char *)desc),
#include "elements.def"
#undef BPFIX_ELEMENT
#undef BPFIX
#undef IANA
		FB_IE_NULL
	};
	fbInfoElement_t *ies = g_memdup2(defs, sizeof(defs));
	size_t i;

	for (i = 0; ies[i].ref.name; i++)
		if (ies[i].ent) /* BPFIX: the configured enterprise */
			ies[i].ent = pen;
	return ies;
}

/* fixbuf keeps ipv4Address in host order in memory */
static uint32_t ipv4_host_order(const __u8 *addr)
{
	return (uint32_t)addr[0] << 24 | addr[1] << 16 | addr[2] << 8 | addr[3];
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
}

