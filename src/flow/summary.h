/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The summary of a metering run: every packet counter of the source, then what the flow table
 * and the exporter did, each as a line of the counter table (util/counter_table.h), which says
 * when a line is shown. Printed for people and sent to collectors as statistics records; it
 * neither sends nor serves them.
 */
#ifndef BPFIX_SUMMARY_H
#define BPFIX_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "flow/flow_table.h"
#include "util/counter_table.h"

struct bpfix_summary {
	struct bpfix_counter_value lines[BPFIX_STAT_MAX];
	size_t n;
	struct bpfix_export_stats stats; /* lines included */
	__u64 flows_peak;		 /* set when flows were evicted or lost: see the table */
};

/*
 * @exported: what the exporting process says of itself. @frames_read: frames a replay read, or
 * NULL live. @final: every flow was flushed, so what was metered and not exported is known to be
 * lost. 0 or a negative errno (printed).
 */
int bpfix_summary_collect(struct bpfix_summary *sum, struct bpfix_flow_source *source,
			  struct bpfix_flow_table *table,
			  const struct bpfix_export_totals *exported, const __u64 *frames_read,
			  bool final);
void bpfix_summary_print(const struct bpfix_summary *sum, FILE *out);
/* The end of a replay's summary: "elapsed: S.mmm s", "rate: N packets/s" of @packets. */
void bpfix_summary_print_speed(FILE *out, __u64 packets, __u64 elapsed_us);
/* The summary as one log line (level info). */
void bpfix_summary_log(const struct bpfix_summary *sum);

#endif /* BPFIX_SUMMARY_H */
