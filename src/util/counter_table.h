/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every counter bpfix reports, as one table: for each its summary text, its Prometheus metric
 * (name, reason label, counter or gauge), the name the exporter statistics records carry, and
 * when the summary shows it. The summary, the statistics records and /metrics all read this
 * table, so renaming one of them is a change here and nowhere else. Values live elsewhere: the
 * table holds names and rules only, and knows no source of the numbers.
 */
#ifndef BPFIX_COUNTER_TABLE_H
#define BPFIX_COUNTER_TABLE_H

#include <stddef.h>

#include <linux/types.h>

#include "bpfix_flow.h"

/* In summary order. The packet counters of the meter keep enum bpfix_counter's order. */
enum bpfix_stat {
	BPFIX_STAT_PACKETS_READ,
	BPFIX_STAT_COUNTER_FIRST, /* + enum bpfix_counter */
	BPFIX_STAT_PACKETS_EXPORTED = BPFIX_STAT_COUNTER_FIRST + BPFIX_CNT_MAX,
	BPFIX_STAT_OCTETS_EXPORTED,
	BPFIX_STAT_RECORDS_SENT,
	BPFIX_STAT_RECORDS_NOT_SENT,
	BPFIX_STAT_RECORDS_UNPACED,
	BPFIX_STAT_PACE_HELD_MS,
	BPFIX_STAT_FLOWS_HELD,
	BPFIX_STAT_FLOWS_EVICTED,
	BPFIX_STAT_EXPORT_FAILURES,
	BPFIX_STAT_PACKETS_LOST,
	BPFIX_STAT_OCTETS_LOST,
	BPFIX_STAT_FLOWS_LOST,
	BPFIX_STAT_FLOWS_ACTIVE,
	BPFIX_STAT_FLOWS_PEAK,
	BPFIX_STAT_MAX,
};

#define BPFIX_STAT_OF_COUNTER(cnt) ((enum bpfix_stat)(BPFIX_STAT_COUNTER_FIRST + (cnt)))

enum bpfix_stat_kind {
	BPFIX_STAT_KIND_COUNTER, /* only grows */
	BPFIX_STAT_KIND_GAUGE,	 /* goes up and down */
};

/* When the summary has a line for the counter. */
enum bpfix_stat_show {
	BPFIX_SHOW_ALWAYS,
	BPFIX_SHOW_NONZERO,
	BPFIX_SHOW_REPLAY,    /* a replay's summary (there is a frame count) */
	BPFIX_SHOW_FINAL,     /* the end: every flow was exported */
	BPFIX_SHOW_NOT_FINAL, /* before the end */
};

struct bpfix_stat_desc {
	enum bpfix_stat id;
	const char *summary;	/* the summary line's text, for people */
	const char *metric;	/* Prometheus metric name */
	const char *reason;	/* value of its "reason" label, or NULL */
	enum bpfix_stat_kind kind;
	enum bpfix_stat_show show;
	const char *ipfix_name;	/* bpfixCounterName in the statistics options records */
};

/* octets of an ipfix_name at most: the records' fixed-length field holds it and a 0 after it */
#define BPFIX_IPFIX_NAME_MAX 95

/* The row of @id (< BPFIX_STAT_MAX). */
const struct bpfix_stat_desc *bpfix_stat_desc(enum bpfix_stat id);

/* One summary line: a counter and its value. */
struct bpfix_counter_value {
	const struct bpfix_stat_desc *desc;
	__u64 value;
};

/* Exporter statistics for the collector (options records in observation domain 0). */
struct bpfix_export_stats {
	__u64 packets_seen;
	__u64 packets_not_metered;
	__u64 flows_observed;
	__u64 packets_lost;		/* metered but in no record: lost to eviction or removal race */
	const struct bpfix_counter_value *counters; /* every line of the summary */
	size_t n_counters;
};

/* What an exporting process says of itself. */
struct bpfix_export_totals {
	__u64 records;	/* records sent: in messages a destination took (the most any took) */
	__u64 records_lost; /* records lost for good (the least any destination lost) */
	__u64 failures;	/* appends or emits that failed, any destination */
	__u64 pace_held_ns; /* time the export waited for the destinations' token buckets */
	__u64 records_unpaced; /* records sent past a pace's deadline, without tokens */
};

#endif /* BPFIX_COUNTER_TABLE_H */
