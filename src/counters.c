// SPDX-License-Identifier: GPL-2.0-only
/* Names of enum bpfix_counter, as the replay summary prints them. */
#include "counters.h"

static const char *const names[BPFIX_CNT_MAX] = {
	[BPFIX_CNT_SEEN] = "packets seen",
	[BPFIX_CNT_METERED] = "packets metered",
	[BPFIX_CNT_FLOWS_CREATED] = "flows",
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
};

_Static_assert(sizeof(names) / sizeof(names[0]) == BPFIX_CNT_MAX, "a counter has no name");

const char *bpfix_counter_name(enum bpfix_counter idx)
{
	return idx < BPFIX_CNT_MAX && names[idx] ? names[idx] : "unknown counter";
}
