/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Expands templates/stats.def into the in-memory exporter-statistics records fixbuf reads (the
 * summary record is stats_summary.h's); the template specs come from the same lines in
 * templates.c.
 */
#ifndef BPFIX_IPFIX_STATS_LAYOUT_H
#define BPFIX_IPFIX_STATS_LAYOUT_H

#include <stdint.h>

#include <fixbuf/public.h>

#include "export/ipfix/stats_summary.h"
#include "util/counter_table.h"

/* a counter's name, zero-padded; one octet at least stays 0 (pmacct reads strings up to a 0) */
typedef char bpfix_counter_name[BPFIX_IPFIX_NAME_MAX + 1];

#define BPFIX_STAT(type, member, ie, scope) type member;
#define BPFIX_STAT_PAD(member, octets) uint8_t member[octets];

struct bpfix_ipfix_stats_counter {
#define BPFIX_STATS_COUNTER
#include "stats.def"
#undef BPFIX_STATS_COUNTER
};

#undef BPFIX_STAT
#undef BPFIX_STAT_PAD

_Static_assert(sizeof(struct bpfix_ipfix_stats_counter) == 112, "stats.def: hidden padding");

#endif /* BPFIX_IPFIX_STATS_LAYOUT_H */
