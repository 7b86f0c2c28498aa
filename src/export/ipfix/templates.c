// SPDX-License-Identifier: GPL-2.0-only
/*
 * What bpfix exports, as fixbuf sees it: the extra information elements (templates/elements.def),
 * the flow templates, one per shape (templates/flow.def), the statistics options templates
 * (templates/stats.def). The record in memory is record_layout.c's. No I/O here.
 */
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

/* in memory and on the wire: the C type's size (stats.def); padding only in memory */
#define BPFIX_STAT(type, member, ie, scope) { (char *)ie, sizeof(type), 0 },
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
#undef BPFIX_STAT_PAD

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

/*
 * RFC 5610 type records on the wire, scope first (privateEnterpriseNumber, informationElementId).
 * In memory they are fixbuf's fbInfoElementOptRec_t (fbInfoElementAllocTypeTemplate), whose
 * alignment padding stays off the wire.
 */
static fbInfoElementSpec_t type_record_wire[] = {
	{ (char *)"privateEnterpriseNumber", 0, 0 },	   /* 346 */
	{ (char *)"informationElementId", 0, 0 },	   /* 303 */
	{ (char *)"informationElementDataType", 0, 0 },	   /* 339 */
	{ (char *)"informationElementSemantics", 0, 0 },   /* 344 */
	{ (char *)"informationElementUnits", 0, 0 },	   /* 345 */
	{ (char *)"informationElementRangeBegin", 0, 0 },  /* 342 */
	{ (char *)"informationElementRangeEnd", 0, 0 },	   /* 343 */
	{ (char *)"informationElementName", FB_IE_VARLEN, 0 },	      /* 341 */
	{ (char *)"informationElementDescription", FB_IE_VARLEN, 0 }, /* 340 */
	FB_IESPEC_NULL
};

static gboolean add_type_template(fbInfoModel_t *model, fbSession_t *session, gboolean memory,
				  GError **err)
{
	fbTemplate_t *tmpl;

	if (memory) {
		tmpl = fbInfoElementAllocTypeTemplate(model, err);
		return tmpl && fbSessionAddTemplate(session, TRUE, BPFIX_TID_TYPE_RECORDS, tmpl, err);
	}
	tmpl = new_template(model, type_record_wire, 0, err);
	if (!tmpl)
		return FALSE;
	fbTemplateSetOptionsScope(tmpl, 2);
	return fbSessionAddTemplate(session, FALSE, BPFIX_TID_TYPE_RECORDS, tmpl, err) != 0;
}

gboolean bpfix_ipfix_add_stats_templates(fbInfoModel_t *model, fbSession_t *session,
					 uint32_t flow_domain, GError **err)
{
	gboolean ok;

	ok = add_stats_template(model, session, stats_summary_memory, stats_summary_scopes,
				BPFIX_TID_STATS_SUMMARY, TRUE, err) &&
	     add_stats_template(model, session, stats_counter_memory, stats_counter_scopes,
				BPFIX_TID_STATS_COUNTER, TRUE, err) &&
	     add_type_template(model, session, TRUE, err);
	fbSessionSetDomain(session, BPFIX_STATS_DOMAIN);
	ok = ok &&
	     add_stats_template(model, session, stats_summary_wire, stats_summary_scopes,
				BPFIX_TID_STATS_SUMMARY, FALSE, err) &&
	     add_stats_template(model, session, stats_counter_wire, stats_counter_scopes,
				BPFIX_TID_STATS_COUNTER, FALSE, err) &&
	     add_type_template(model, session, FALSE, err);
	fbSessionSetDomain(session, flow_domain);
	return ok;
}

gboolean bpfix_ipfix_add_memory_template(fbInfoModel_t *model, fbSession_t *session, GError **err)
{
	fbTemplate_t *tmpl = new_template(model, memory_specs, UINT32_MAX, err);

	return tmpl && fbSessionAddTemplate(session, TRUE, BPFIX_TID_MEMORY, tmpl, err);
}

gboolean bpfix_ipfix_add_flow_templates(fbInfoModel_t *model, fbSession_t *session, GError **err)
{
	fbTemplate_t *tmpl;
	size_t i;

	if (!bpfix_ipfix_add_memory_template(model, session, err))
		return FALSE;
	for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++) {
		tmpl = new_template(model, wire_specs, bpfix_flow_shapes[i], err);
		if (!tmpl || !fbSessionAddTemplate(session, FALSE, BPFIX_TID_FIRST + i, tmpl, err))
			return FALSE;
	}
	return TRUE;
}

size_t bpfix_ipfix_external_tids(bool stats, uint16_t *tids)
{
	size_t i;

	_Static_assert(BPFIX_N_FLOW_SHAPES <= BPFIX_MAX_EXTERNAL, "raise BPFIX_MAX_EXTERNAL");
	if (stats) {
		tids[0] = BPFIX_TID_STATS_SUMMARY;
		tids[1] = BPFIX_TID_STATS_COUNTER;
		return 2;
	}
	for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++)
		tids[i] = BPFIX_TID_FIRST + i;
	return BPFIX_N_FLOW_SHAPES;
}

size_t bpfix_ipfix_template_octets(fbSession_t *session, uint16_t tid)
{
	fbTemplate_t *tmpl = fbSessionGetTemplate(session, FALSE, tid, NULL);
	size_t octets = 4 + 4; /* set header, template record header */
	uint32_t i, n;

	if (!tmpl)
		return 0;
	n = fbTemplateCountElements(tmpl);
	if (fbTemplateGetOptionsScope(tmpl))
		octets += 2; /* scope field count */
	for (i = 0; i < n; i++)
		octets += fbTemplateGetIndexedIE(tmpl, i)->ent ? 8 : 4; /* RFC 7011 §3.2 */
	return octets;
}

/* The shape, hence the template, of a record. */
uint16_t bpfix_ipfix_template_id(const struct bpfix_record *rec)
{
	return BPFIX_TID_FIRST + bpfix_flow_shape_index(rec);
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
