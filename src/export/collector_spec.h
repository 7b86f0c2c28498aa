/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A collector as the user names it: [SCHEME://]HOST:PORT, the scheme saying the format of what
 * it receives (ipfix://, the default, or netflow9:// alias v9://). Cuts the text: the host and
 * port are util/hostport.h's to check, the transport's to resolve.
 */
#ifndef BPFIX_COLLECTOR_SPEC_H
#define BPFIX_COLLECTOR_SPEC_H

enum bpfix_export_format {
	BPFIX_FORMAT_IPFIX,
	BPFIX_FORMAT_NETFLOW9,
	BPFIX_N_FORMATS,
};

/* The schemes a collector may start with, for messages. */
#define BPFIX_COLLECTOR_SCHEMES "ipfix://, netflow9:// or v9://"

/*
 * The format @spec names and where its HOST:PORT starts (in @spec); NULL when its scheme is none
 * of BPFIX_COLLECTOR_SCHEMES.
 */
const char *bpfix_collector_spec_parse(const char *spec, enum bpfix_export_format *format);

#endif /* BPFIX_COLLECTOR_SPEC_H */
