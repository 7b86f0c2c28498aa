// SPDX-License-Identifier: GPL-2.0-only
/* [SCHEME://]HOST:PORT into its format and address text (collector_spec.h). */
#include <string.h>
#include <strings.h>

#include "export/collector_spec.h"

static const struct {
	const char *scheme;
	enum bpfix_export_format format;
} schemes[] = {
	{ "ipfix://", BPFIX_FORMAT_IPFIX },
	{ "netflow9://", BPFIX_FORMAT_NETFLOW9 },
	{ "v9://", BPFIX_FORMAT_NETFLOW9 },
};

const char *bpfix_collector_spec_parse(const char *spec, enum bpfix_export_format *format)
{
	size_t i, len;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		len = strlen(schemes[i].scheme);
		if (!strncasecmp(spec, schemes[i].scheme, len)) /* RFC 3986 §3.1 */ {
			*format = schemes[i].format;
			return spec + len;
		}
	}
	*format = BPFIX_FORMAT_IPFIX;
	return strstr(spec, "://") ? NULL : spec;
}
