// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints what a collector must be told about bpfix's IPFIX elements, from templates/ (the fields
 * of flow.def and stats.def, the elements of elements.def) and libfixbuf's information model:
 *
 *   collector_defs logstash|filebeat|goflow2|python-ipfix|fixbuf-xml [PEN]
 *
 * The files in contrib/collectors/ and templates/bpfix-elements.xml (fixbuf-xml) must be this
 * program's output with the default PEN (tests check it). It knows each collector's file format and which IANA elements a collector decodes
 * by itself; it knows nothing of how bpfix fills the elements.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fixbuf/public.h>

#include "export/ipfix/templates.h"

#define DEFAULT_PEN 32473
#define SOURCES "templates/flow.def, stats.def and elements.def"

/* Every element bpfix exports: flow records, statistics, RFC 5610 type records. */
static const char *const exported[] = {
#define BPFIX_FIELD(type, member, dims, ie, wire_len, shapes) ie,
#include "flow.def"
#undef BPFIX_FIELD
#define BPFIX_STAT(type, member, ie, scope) ie,
#define BPFIX_STAT_PAD(member, octets)
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
#define BPFIX_STATS_COUNTER
#include "stats.def"
#undef BPFIX_STATS_COUNTER
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD
	"privateEnterpriseNumber", "informationElementId", "informationElementDataType",
	"informationElementSemantics", "informationElementUnits", "informationElementRangeBegin",
	"informationElementRangeEnd", "informationElementName", "informationElementDescription",
	NULL
};

/* libfixbuf's model with bpfix's elements @ies, as bpfix builds it (templates.c): the model
 * keeps pointers into @ies, to be freed after it. */
static fbInfoModel_t *model_with_ours(unsigned long pen, fbInfoElement_t **ies)
{
	fbInfoModel_t *model = fbInfoModelAlloc();

	*ies = bpfix_ipfix_new_elements((__u32)pen);
	fbInfoModelAddElementArray(model, *ies);
	return model;
}

/* bpfix's own elements (elements.def), in its order */
static const char *const ours[] = {
#define BPFIX_ELEMENT(name, owner, id, len, type, flags, desc) name,
#include "elements.def"
#undef BPFIX_ELEMENT
	NULL
};

static const fbInfoElement_t *element(fbInfoModel_t *model, const char *name)
{
	const fbInfoElement_t *ie = fbInfoModelGetElementByName(model, name);

	if (!ie) {
		fprintf(stderr, "collector_defs: %s is not in the information model\n", name);
		exit(1);
	}
	return ie;
}

/* A fixbuf data type as Logstash's netflow codec (and Filebeat) name it, the way its own
 * iana2yaml.rb maps IANA types; NULL: skipped (structured data). */
static const char *logstash_type(const fbInfoElement_t *ie)
{
	static const char *const names[] = {
		[FB_OCTET_ARRAY] = "string", [FB_UINT_8] = "uint8",    [FB_UINT_16] = "uint16",
		[FB_UINT_32] = "uint32",     [FB_UINT_64] = "uint64",  [FB_INT_8] = "int8",
		[FB_INT_16] = "int16",	     [FB_INT_32] = "int32",    [FB_INT_64] = "int64",
		[FB_FLOAT_32] = "float",     [FB_FLOAT_64] = "double", [FB_BOOL] = "uint8",
		[FB_MAC_ADDR] = "mac_addr",  [FB_STRING] = "string",   [FB_DT_SEC] = "uint32",
		[FB_DT_MILSEC] = "uint64",   [FB_DT_MICROSEC] = "uint64", [FB_DT_NANOSEC] = "uint64",
		[FB_IP4_ADDR] = "ip4_addr",  [FB_IP6_ADDR] = "ip6_addr",
	};

	if (ie->num == 210) /* paddingOctets: skipped, as Logstash's own table does */
		return NULL;
	return ie->type < sizeof(names) / sizeof(names[0]) ? names[ie->type] : NULL;
}

/* The IANA abstract data type name (python-ipfix's IESpecs use them). */
static const char *iana_type(const fbInfoElement_t *ie)
{
	switch (ie->type) {
	case FB_UINT_8:
		return "unsigned8";
	case FB_UINT_16:
		return "unsigned16";
	case FB_UINT_32:
		return "unsigned32";
	case FB_UINT_64:
		return "unsigned64";
	case FB_STRING:
		return "string";
	case FB_IP4_ADDR:
		return "ipv4Address";
	case FB_IP6_ADDR:
		return "ipv6Address";
	default:
		fprintf(stderr, "collector_defs: add type %d of %s to iana_type()\n", ie->type,
			ie->ref.name);
		exit(1);
	}
}

static void yaml_entry(const fbInfoElement_t *ie)
{
	const char *type = logstash_type(ie);

	if (type)
		printf("  %u:\n  - :%s\n  - :%s\n", ie->num, type, ie->ref.name);
	else
		printf("  %u:\n  - :skip\n", ie->num);
}

/* Our elements of the IANA (@enterprise false) or under our PEN. */
static void yaml_ours(fbInfoModel_t *model, bool enterprise)
{
	const fbInfoElement_t *ie;
	size_t i;

	for (i = 0; ours[i]; i++) {
		ie = element(model, ours[i]);
		if (!ie->ent == !enterprise)
			yaml_entry(ie);
	}
}

/*
 * Logstash merges a definitions file over its own shallowly (Hash#merge!, netflow.rb
 * load_definitions): a 0: key replaces its whole IANA table. So this one carries the whole
 * IANA table libfixbuf knows (to 491) with bpfix's IANA elements beyond it (505-510).
 */
static void logstash(fbInfoModel_t *model, unsigned long pen)
{
	const fbInfoElement_t *ie;
	unsigned id;

	printf("# bpfix's IPFIX elements for Logstash's netflow codec (ipfix_definitions), PEN %lu.\n"
	       "# Generated by tests/tools/collector_defs from " SOURCES " and\n"
	       "# libfixbuf's information model; do not edit. Logstash replaces its whole IANA table\n"
	       "# (key 0) with this file's, so this one holds all of it (libfixbuf's, to 491) and\n"
	       "# bpfix's GTP-U elements 507, 509, 510.\n"
	       "---\n0:\n", pen);
	for (id = 1; id < 0x8000; id++) {
		ie = fbInfoModelGetElementByID(model, (uint16_t)id, 0);
		if (ie && ie->ref.name[0] != '_') /* fixbuf's own placeholders */
			yaml_entry(ie);
	}
	printf("%lu:\n", pen);
	yaml_ours(model, true);
}

/* Filebeat merges definitions element by element: only what it cannot know. */
static void filebeat(fbInfoModel_t *model, unsigned long pen)
{
	printf("# bpfix's IPFIX elements for the Filebeat / Elastic Agent netflow input\n"
	       "# (custom_definitions), PEN %lu: the ones its IANA table lacks. Generated by\n"
	       "# tests/tools/collector_defs from " SOURCES "; do not edit.\n---\n0:\n", pen);
	yaml_ours(model, false);
	printf("%lu:\n", pen);
	yaml_ours(model, true);
}

/* The IANA name of the semantics elements.def gives an element */
static const char *semantics(const fbInfoElement_t *ie)
{
	switch (FB_IE_SEMANTIC(ie->flags) << 8) {
	case FB_IE_TOTALCOUNTER:
		return "totalCounter";
	case FB_IE_DELTACOUNTER:
		return "deltaCounter";
	case FB_IE_QUANTITY:
		return "quantity";
	case FB_IE_FLAGS:
		return "flags";
	default:
		return "identifier";
	}
}

/* The units line of an element whose flags give them (microseconds: the round trips), or "" */
static const char *units(const fbInfoElement_t *ie)
{
	return FB_IE_UNITS(ie->flags) == FB_IE_UNITS(FB_UNITS_MICROSECONDS)
		       ? "      <units>microseconds</units>\n"
		       : "";
}

/* An IANA-registry XML element file, the form ipfixDump -e and fixbuf read. */
static void fixbuf_xml(fbInfoModel_t *model)
{
	const fbInfoElement_t *ie;
	size_t i;

	printf("<?xml version='1.0' encoding='UTF-8'?>\n"
	       "<!-- bpfix's IPFIX elements that libfixbuf 2.4.1 does not know; generated from\n"
	       "     templates/elements.def by tests/tools/collector_defs. Use: ipfixDump -e FILE -->\n"
	       "<registry id=\"bpfix\" xmlns=\"http://www.iana.org/assignments\"\n"
	       "          xmlns:cert=\"http://www.cert.org/ipfix\">\n"
	       "  <title>bpfix IPFIX elements</title>\n"
	       "  <registry id=\"bpfix-information-elements\">\n");
	for (i = 0; ours[i]; i++) {
		ie = element(model, ours[i]);
		printf("    <record>\n      <name>%s</name>\n      <dataType>%s</dataType>\n"
		       "      <dataTypeSemantics>%s</dataTypeSemantics>\n%s"
		       "      <cert:enterpriseId>%u</cert:enterpriseId>\n"
		       "      <elementId>%u</elementId>\n"
		       "      <description><paragraph>%s</paragraph></description>\n    </record>\n",
		       ie->ref.name, iana_type(ie), semantics(ie), units(ie), ie->ent, ie->num,
		       ie->description);
	}
	printf("  </registry>\n</registry>\n");
}

/* python-ipfix IESpecs, one a line: its use_specfile() reads every line as one, so no comment. */
static void python_ipfix(fbInfoModel_t *model)
{
	const fbInfoElement_t *ie;
	size_t i;

	for (i = 0; ours[i]; i++) {
		ie = element(model, ours[i]);
		if (ie->ent)
			printf("%s(%u/%u)<%s>[%u]\n", ie->ref.name, ie->ent, ie->num, iana_type(ie),
			       ie->len);
		else
			printf("%s(%u)<%s>[%u]\n", ie->ref.name, ie->num, iana_type(ie), ie->len);
	}
}

/* GoFlow2's own fields that bpfix's flow records fill, in its output order. */
static const char *const goflow2_fields[] = {
	"type",	    "time_received_ns", "sequence_num", "sampler_address", "time_flow_start_ns",
	"time_flow_end_ns", "bytes",	"packets",	"etype",	   "src_addr",
	"dst_addr", "proto",		"src_port",	"dst_port",	   "in_if",
	"out_if",   "vlan_id",		"ip_tos",	"ip_ttl",	   "tcp_flags",
	"icmp_type", "icmp_code",	NULL
};

/* The IANA elements GoFlow2 decodes into those by itself (producer/proto/producer_nf.go). */
static const unsigned goflow2_decoded[] = { 1,  2,  4,  5,  6,  7,   8,   10,  11, 12,
					    14, 27, 28, 32, 52, 58, 139, 152, 153 };

static bool goflow2_decodes(const fbInfoElement_t *ie)
{
	size_t i;

	for (i = 0; i < sizeof(goflow2_decoded) / sizeof(goflow2_decoded[0]); i++)
		if (!ie->ent && ie->num == goflow2_decoded[i])
			return true;
	return false;
}

/* The output name of one of ours: snake case; an outer address by direction, either version. */
static void goflow2_name(const fbInfoElement_t *ie, char *out, size_t size)
{
	const char *s = ie->ref.name;
	size_t n = 0;

	if (!strncmp(s, "bpfixTunnelSource", 17))
		s = "tunnelSrcAddr";
	else if (!strncmp(s, "bpfixTunnelDestination", 22))
		s = "tunnelDstAddr";
	for (; *s && n + 2 < size; s++) {
		/* a capital after a small letter starts a word: gtpuTEid -> gtpu_teid */
		if (*s >= 'A' && *s <= 'Z' && n && s[-1] >= 'a' && s[-1] <= 'z')
			out[n++] = '_';
		out[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	}
	out[n] = 0;
}

#define GOFLOW2_MAX 32

struct goflow2_map {
	const fbInfoElement_t *ie[GOFLOW2_MAX];
	char name[GOFLOW2_MAX][64];
	size_t n;
};

/* The flow records' elements GoFlow2 does not decode by itself (options records: it makes no
 * messages of them). */
static void goflow2_mapped(fbInfoModel_t *model, struct goflow2_map *m)
{
	size_t i;

	for (i = 0; exported[i] && strcmp(exported[i], "observationDomainId"); i++) {
		const fbInfoElement_t *ie = element(model, exported[i]);

		if (goflow2_decodes(ie))
			continue;
		if (m->n == GOFLOW2_MAX) {
			fprintf(stderr, "collector_defs: raise GOFLOW2_MAX\n");
			exit(1);
		}
		goflow2_name(ie, m->name[m->n], sizeof(m->name[m->n]));
		m->ie[m->n++] = ie;
	}
}

/* Whether m->name[i] is the first of its name (IPv4 and IPv6 tunnel addresses share one). */
static bool first_of_name(const struct goflow2_map *m, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(m->name[j], m->name[i]))
			return false;
	return true;
}

static bool is_address(const fbInfoElement_t *ie)
{
	return ie->type == FB_IP4_ADDR || ie->type == FB_IP6_ADDR;
}

/*
 * The protobuf field number of a mapped element: fixed by the element, so a field added to
 * flow.def never renumbers the others (a consumer's schema keeps working). Clear of GoFlow2's
 * own (below 1000) and of protobuf's reserved 19000-19999: IANA 1000 + id, ours 2000 + id.
 */
static unsigned goflow2_index(const fbInfoElement_t *ie)
{
	if (!strcmp(ie->ref.name, "flowDirection"))
		return 42; /* GoFlow2's own mapping.yaml puts it there */
	return (ie->ent ? 2000 : 1000) + ie->num;
}

static void goflow2(fbInfoModel_t *model, unsigned long pen)
{
	struct goflow2_map m = { .n = 0 };
	size_t i;

	goflow2_mapped(model, &m);
	printf("# GoFlow2 mapping for bpfix's IPFIX records, PEN %lu: goflow2 -mapping=THIS_FILE.\n"
	       "# Generated by tests/tools/collector_defs from " SOURCES "; do not edit.\n"
	       "# The formatter lists GoFlow2's own fields bpfix fills, then the mapped ones.\n"
	       "formatter:\n  fields:\n", pen);
	for (i = 0; goflow2_fields[i]; i++)
		printf("    - %s\n", goflow2_fields[i]);
	for (i = 0; i < m.n; i++)
		if (first_of_name(&m, i))
			printf("    - %s\n", m.name[i]);
	printf("  protobuf:\n");
	for (i = 0; i < m.n; i++)
		if (first_of_name(&m, i))
			printf("    - name: %s\n      index: %u\n      type: %s\n", m.name[i],
			       goflow2_index(m.ie[i]), is_address(m.ie[i]) ? "bytes" : "varint");
	printf("  render:\n    time_received_ns: datetimenano\n");
	for (i = 0; i < m.n; i++)
		if (first_of_name(&m, i) && is_address(m.ie[i]))
			printf("    %s: ip\n", m.name[i]);
	printf("ipfix:\n  mapping:\n");
	for (i = 0; i < m.n; i++) {
		printf("    - field: %u\n", m.ie[i]->num);
		if (m.ie[i]->ent)
			printf("      penprovided: true\n      pen: %u\n", m.ie[i]->ent);
		printf("      destination: %s\n", m.name[i]);
	}
}

int main(int argc, char **argv)
{
	unsigned long pen = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_PEN;
	fbInfoElement_t *ies;
	fbInfoModel_t *model;
	int rc = 0;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: collector_defs "
				"logstash|filebeat|goflow2|python-ipfix|fixbuf-xml [PEN]\n");
		return 2;
	}
	model = model_with_ours(pen, &ies);
	for (i = 0; exported[i]; i++) /* every exported element is in the model */
		element(model, exported[i]);
	if (!strcmp(argv[1], "logstash"))
		logstash(model, pen);
	else if (!strcmp(argv[1], "filebeat"))
		filebeat(model, pen);
	else if (!strcmp(argv[1], "goflow2"))
		goflow2(model, pen);
	else if (!strcmp(argv[1], "python-ipfix"))
		python_ipfix(model);
	else if (!strcmp(argv[1], "fixbuf-xml"))
		fixbuf_xml(model);
	else {
		fprintf(stderr, "collector_defs: unknown collector '%s'\n", argv[1]);
		rc = 2;
	}
	fbInfoModelFree(model);
	g_free(ies);
	return rc;
}
