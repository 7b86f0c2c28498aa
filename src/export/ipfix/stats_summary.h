/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter-statistics summary record (templates/stats.def, BPFIX_STATS_SUMMARY) in memory,
 * and how a destination's record is filled. Both encoders send it: IPFIX as an options record
 * through fixbuf (stats_layout.h), NetFlow v9 as an options record of its own. No fixbuf here.
 */
#ifndef BPFIX_IPFIX_STATS_SUMMARY_H
#define BPFIX_IPFIX_STATS_SUMMARY_H

#include <stdint.h>

#include "export/transport.h"
#include "util/counter_table.h"

/* RFC 7011 §3.1: exporting-process statistics go in observation domain (v9: source id) 0 */
#define BPFIX_STATS_DOMAIN 0

typedef uint8_t bpfix_ipv6_octets[16]; /* an ipv6Address in memory: the octets */

#define BPFIX_STAT(type, member, ie, scope) type member;
#define BPFIX_STAT_PAD(member, octets) uint8_t member[octets];
struct bpfix_ipfix_stats_summary {
#define BPFIX_STATS_SUMMARY
#include "stats.def"
#undef BPFIX_STATS_SUMMARY
};
#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

_Static_assert(sizeof(struct bpfix_ipfix_stats_summary) == 96, "stats.def: hidden padding");

/*
 * The summary record for destination @t: @st's totals, and @t's own sending totals (what it
 * took, what it lost, @refused more records its encoder could not hand over); @domain: the flows'
 * observation domain, @init_ms: when the exporting process started (epoch ms). Integers and the
 * IPv4 address in host order.
 */
void bpfix_stats_summary_fill(struct bpfix_ipfix_stats_summary *s,
			      const struct bpfix_export_stats *st, const struct bpfix_transport *t,
			      __u64 refused, __u32 domain, __u64 init_ms);

#endif /* BPFIX_IPFIX_STATS_SUMMARY_H */
