// SPDX-License-Identifier: GPL-2.0-only
/* Names of enum bpfix_counter, as the replay summary prints them. */
#include "meter/counters.h"

static const char *const names[BPFIX_CNT_MAX] = {
	[BPFIX_CNT_SEEN] = "packets seen",
	[BPFIX_CNT_METERED] = "packets metered",
	[BPFIX_CNT_FLOWS_CREATED] = "flows",
	[BPFIX_CNT_OCTETS_METERED] = "octets metered",
	[BPFIX_CNT_NOT_METERED_NON_IP] = "not metered (not IP)",
	[BPFIX_CNT_NOT_METERED_TRUNCATED] = "not metered (truncated)",
	[BPFIX_CNT_NOT_METERED_MALFORMED] = "not metered (malformed)",
	[BPFIX_CNT_NOT_METERED_UNSUPPORTED] = "not metered (unsupported)",
	[BPFIX_CNT_NOT_METERED_MAP_FULL] = "not metered (flow map full)",
	[BPFIX_CNT_NOT_METERED_INTERNAL] = "not metered (internal error)",
	[BPFIX_CNT_DIAG_FRAGMENT] = "metered without ports (non-first fragment)",
	[BPFIX_CNT_DIAG_L4_TRUNC] = "metered without ports (L4 header truncated)",
	[BPFIX_CNT_DIAG_IPV6_EXT_TRUNC] = "metered without ports (IPv6 extension header truncated)",
	[BPFIX_CNT_DIAG_IPV6_EXT_DEPTH] = "metered without ports (IPv6 extension chain too long)",
	[BPFIX_CNT_GTP_DECAPSULATED] = "GTP-U decapsulated",
	[BPFIX_CNT_GTP_NOT_GPDU] = "GTP-U metered as outer UDP (not a G-PDU: echo, error, end marker)",
	[BPFIX_CNT_GTP_NOT_V1] = "GTP-U metered as outer UDP (not GTPv1-U)",
	[BPFIX_CNT_GTP_TRUNC] = "GTP-U metered as outer UDP (GTP header truncated)",
	[BPFIX_CNT_GTP_EXT_LEN_ZERO] = "GTP-U metered as outer UDP (extension header length 0)",
	[BPFIX_CNT_GTP_EXT_DEPTH] = "GTP-U metered as outer UDP (extension chain too long)",
	[BPFIX_CNT_GTP_NO_TPDU] = "GTP-U metered as outer UDP (G-PDU without T-PDU)",
	[BPFIX_CNT_GTP_INNER_NOT_IP] = "GTP-U metered as outer UDP (inner packet not IP)",
	[BPFIX_CNT_GTP_INNER_BAD] = "GTP-U metered as outer UDP (inner IP truncated or malformed)",
};

_Static_assert(sizeof(names) / sizeof(names[0]) == BPFIX_CNT_MAX, "a counter has no name");

const char *bpfix_counter_name(enum bpfix_counter idx)
{
	return idx < BPFIX_CNT_MAX && names[idx] ? names[idx] : "unknown counter";
}
