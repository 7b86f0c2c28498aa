/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-side flow lifecycle: sweeps a flow source, decides which flows end (idle, active,
 * end of TCP session, forced, lost to eviction), and emits records with per-record deltas. It
 * owns only its bookkeeping; the source and the record sink are borrowed.
 */
#ifndef BPFIX_FLOW_TABLE_H
#define BPFIX_FLOW_TABLE_H

#include "meter/flow_source.h"
#include "flow/record.h"

/* Protocol classes with their own idle and active timeouts. */
enum bpfix_proto_class {
	BPFIX_PROTO_TCP,
	BPFIX_PROTO_UDP,	/* and UDP-Lite */
	BPFIX_PROTO_ICMP,	/* ICMP and ICMPv6 */
	BPFIX_PROTO_OTHER,
	BPFIX_PROTO_CLASS_MAX,
};

struct bpfix_flow_table_opts {
	__u64 idle_timeout_ns;	 /* no packet for this long: the flow ends (idle) */
	__u64 idle_timeout_proto_ns[BPFIX_PROTO_CLASS_MAX]; /* per class; 0: idle_timeout_ns */
	__u64 active_timeout_ns; /* a record this old is exported; the flow goes on (active) */
	__u64 active_timeout_proto_ns[BPFIX_PROTO_CLASS_MAX]; /* per class; 0: active_timeout_ns */
	__u64 tcp_linger_ns;	 /* after FIN/RST in this direction, silent this long: it ended */
	__s64 clock_to_epoch_ns; /* added to the program's clock to get epoch time */
};

struct bpfix_flow_table_stats {
	__u64 records;		/* records made and handed to the sink */
	__u64 records_failed;	/* of those, records the sink refused (it counts why) */
	__u64 packets;		/* packets in the records made */
	__u64 octets;		/* octets in the records made */
	__u64 flows_ended;	/* flow lives that ended in a record: created - this = lost unseen */
	__u64 flows_evicted;	/* flows that left the source before being exported */
	__u64 flows_active;	/* flows the last sweep saw and did not end */
	__u64 flows_peak;	/* the most flows a sweep met in the source at once */
	__u64 flows_held;	/* ended, left in the source by the last sweep: over its budget */
};

struct bpfix_flow_table;

struct bpfix_flow_table *bpfix_flow_table__new(const struct bpfix_flow_table_opts *opts,
					       struct bpfix_flow_source *source,
					       bpfix_record_fn emit, void *emit_arg);
/*
 * Export what ended by @now_ns (program clock). The records of one sweep reach the sink in time
 * order (start, then end). Returns 0 or a negative errno when the source
 * failed; records the sink refused are counted in records_failed, not returned.
 */
int bpfix_flow_table__sweep(struct bpfix_flow_table *ft, __u64 now_ns);
/*
 * A sweep that makes at most @max_records records (the export's pace allows no more): flows whose
 * record or life ended beyond that are left in the source, still counting, and looked at again by
 * the next sweep, the longest ended first. A flow is held so at most its active timeout: then it
 * ends whatever the budget (a record no later than those of flows that go on).
 */
int bpfix_flow_table__sweep_within(struct bpfix_flow_table *ft, __u64 now_ns, __u64 max_records);
/* Export every flow with unexported packets as a forced end, and remove them. */
int bpfix_flow_table__flush(struct bpfix_flow_table *ft);
/* Reload: new timeouts from the next sweep on (the clock fields of @opts are ignored). */
void bpfix_flow_table__set_timeouts(struct bpfix_flow_table *ft,
				    const struct bpfix_flow_table_opts *opts);
/* Live: the epoch time of the program's clock 0, sampled again before each sweep. */
void bpfix_flow_table__set_clock_to_epoch(struct bpfix_flow_table *ft, __s64 clock_to_epoch_ns);
void bpfix_flow_table__get_stats(const struct bpfix_flow_table *ft,
				 struct bpfix_flow_table_stats *stats);
void bpfix_flow_table__free(struct bpfix_flow_table *ft);

#endif /* BPFIX_FLOW_TABLE_H */
