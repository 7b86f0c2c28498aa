/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporting side of a metering run, shared by replay and live: the flow table over a flow
 * source, feeding an exporting process per format (IPFIX, NetFlow v9: export/encoder.h) and the
 * transports they send to (UDP collectors, a file), with statistics and the final summary. It
 * owns the table, the processes, the transports and the export clock; the source is borrowed.
 */
#ifndef BPFIX_EXPORTER_H
#define BPFIX_EXPORTER_H

#include <stdbool.h>

#include "flow/flow_table.h"
#include "export/ipfix/ipfix.h"
#include "flow/summary.h"

struct bpfix_exporter;

/* NULL with errno set; the reason (collector, file) was printed. */
struct bpfix_exporter *bpfix_exporter__new(struct bpfix_flow_source *source,
					   const struct bpfix_flow_table_opts *table_opts,
					   const struct bpfix_ipfix_opts *ipfix_opts);
/* Export the flows that ended by @now_ns (the program's clock); see bpfix_flow_table__sweep. */
int bpfix_exporter__sweep(struct bpfix_exporter *ex, __u64 now_ns);
/*
 * Replay: from now on export messages carry capture time (NetFlow v9's header: sysUptime from
 * @first_ns, the first packet's time, epoch ns; unix_secs at each sweep's @now_ns), not the
 * wall clock.
 */
void bpfix_exporter__use_capture_clock(struct bpfix_exporter *ex, __u64 first_ns);
/*
 * Live: the same, but end only as many flows as the paced collectors take by @until_ns
 * (CLOCK_MONOTONIC); the others stay in the flow source, still counting, for a later sweep (see
 * bpfix_flow_table__sweep_within).
 */
int bpfix_exporter__sweep_paced(struct bpfix_exporter *ex, __u64 now_ns, __u64 until_ns);
/*
 * From now on a message waits for its collector's pace at most until @deadline_ns
 * (CLOCK_MONOTONIC; BPFIX_PACE_NO_DEADLINE, the default: as long as the pace needs); past it,
 * messages go at once and are counted as sent beyond the pace.
 */
void bpfix_exporter__set_pace_deadline(struct bpfix_exporter *ex, __u64 deadline_ns);
void bpfix_exporter__set_clock_to_epoch(struct bpfix_exporter *ex, __s64 clock_to_epoch_ns);
/* Live, between sweeps: the statistics when @with_stats, then send what is buffered. */
int bpfix_exporter__tick(struct bpfix_exporter *ex, bool with_stats);
/*
 * The end: every flow left (forced), the final statistics (also printed as the summary, with
 * "packets read" when @frames_read is given), everything sent, losses reported. Every step runs
 * whatever failed before; returns the first error.
 */
int bpfix_exporter__finish(struct bpfix_exporter *ex, const __u64 *frames_read);
/*
 * Reload: new timeouts, and new exporting processes for @ipfix_opts (the old ones send what
 * they buffered first). If they cannot be made, nothing changes: the error is printed and
 * returned.
 */
int bpfix_exporter__reconfigure(struct bpfix_exporter *ex,
				const struct bpfix_flow_table_opts *table_opts,
				const struct bpfix_ipfix_opts *ipfix_opts);
/* The statistics so far (not final), for the log and the metrics endpoint. */
int bpfix_exporter__collect(struct bpfix_exporter *ex, struct bpfix_summary *sum);
void bpfix_exporter__free(struct bpfix_exporter *ex);

#endif /* BPFIX_EXPORTER_H */
