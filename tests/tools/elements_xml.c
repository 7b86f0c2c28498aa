// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints templates/elements.def as an IANA-registry XML element file, the form ipfixDump -e and
 * fixbuf read, so collectors and tests can name bpfix's elements. The committed
 * templates/bpfix-elements.xml must be this program's output (a test checks it).
 */
#include <stdio.h>
#include <stdlib.h>

#include <fixbuf/public.h>

static const char *type_name(int type)
{
	switch (type) {
	case FB_UINT_8:
		return "unsigned8";
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
		fprintf(stderr, "elements_xml: add type %d to type_name()\n", type);
		exit(1);
	}
}

static const char *semantics(unsigned flags)
{
	return (flags & FB_IE_TOTALCOUNTER) == FB_IE_TOTALCOUNTER ? "totalCounter" : "identifier";
}

int main(int argc, char **argv)
{
	unsigned long pen = argc > 1 ? strtoul(argv[1], NULL, 10) : 32473;

	printf("<?xml version='1.0' encoding='UTF-8'?>\n"
	       "<!-- bpfix's IPFIX elements that libfixbuf 2.4.1 does not know; generated from\n"
	       "     templates/elements.def by tests/tools/elements_xml. Use: ipfixDump -e FILE -->\n"
	       "<registry id=\"bpfix\" xmlns=\"http://www.iana.org/assignments\"\n"
	       "          xmlns:cert=\"http://www.cert.org/ipfix\">\n"
	       "  <title>bpfix IPFIX elements</title>\n"
	       "  <registry id=\"bpfix-information-elements\">\n");
#define IANA 0
#define BPFIX pen
#define BPFIX_ELEMENT(name, owner, id, len, type, flags, desc)                                \
	printf("    <record>\n      <name>%s</name>\n      <dataType>%s</dataType>\n"          \
	       "      <dataTypeSemantics>%s</dataTypeSemantics>\n"                              \
	       "      <cert:enterpriseId>%lu</cert:enterpriseId>\n"                            \
	       "      <elementId>%d</elementId>\n"                                              \
	       "      <description><paragraph>%s</paragraph></description>\n    </record>\n", \
	       name, type_name(type), semantics(flags), (unsigned long)(owner), id, desc);
#include "elements.def"
#undef BPFIX_ELEMENT
	printf("  </registry>\n</registry>\n");
	return 0;
}
