/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The small interface the flow table drains: a place where flows are metered (the kernel's LRU
 * map, or the host engine's table). It reads and deletes flows and reads the packet counters;
 * it knows nothing of timeouts or records.
 */
#ifndef BPFIX_FLOW_SOURCE_H
#define BPFIX_FLOW_SOURCE_H

#include "bpfix_flow.h"

/* Called for each flow; a non-zero return stops the walk and is returned by for_each. */
typedef int (*bpfix_flow_visit_fn)(const struct bpfix_flow_key *key,
				   const struct bpfix_flow_stats *stats, void *arg);

struct bpfix_flow_source_ops {
	/* visit every flow once; the source must tolerate no change during the walk */
	int (*for_each)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
	/*
	 * Remove a flow and give its totals at that instant in *@final (packets that raced the
	 * walk included); -ENOENT if it is already gone.
	 */
	int (*remove)(void *ctx, const struct bpfix_flow_key *key, struct bpfix_flow_stats *final);
	/*
	 * Optional: remove @n flows at once without reading them; a packet added after they were
	 * read is lost (conservation counts it). Keys already gone are skipped.
	 */
	int (*remove_many)(void *ctx, const struct bpfix_flow_key *keys, __u32 n);
	/*
	 * Remove every flow, visiting each with its totals at the instant it was removed (the
	 * forced end: one pass, no key by key removal). Visits cannot stop it.
	 */
	int (*drain)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
	/* the record being built ended with @seen: the flow goes on, its next packet opens a record */
	int (*close_record)(void *ctx, const struct bpfix_flow_key *key,
			    const struct bpfix_flow_stats *seen);
	/* totals of every enum bpfix_counter since the source was created */
	int (*read_counters)(void *ctx, __u64 counters[BPFIX_CNT_MAX]);
	/*
	 * Optional: visit, then forget, the flows the source evicted for room since the last call,
	 * with their final totals. NULL where evictions are silent (the kernel's LRU map).
	 */
	int (*drain_evicted)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
};

struct bpfix_flow_source {
	const struct bpfix_flow_source_ops *ops;
	void *ctx;
};

#endif /* BPFIX_FLOW_SOURCE_H */
