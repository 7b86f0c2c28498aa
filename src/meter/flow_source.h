/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The small interface the flow table drains: a place where flows are metered (the kernel's LRU
 * map, or the host engine's table). It reads flows, closes their records and removes them in
 * batches, tells what changed since the last sweep (notices), and reads the packet counters; it
 * knows nothing of timeouts or records.
 */
#ifndef BPFIX_FLOW_SOURCE_H
#define BPFIX_FLOW_SOURCE_H

#include <stdbool.h>

#include "bpfix_flow.h"

/* Called for each flow; a non-zero return stops the walk and is returned by for_each. */
typedef int (*bpfix_flow_visit_fn)(const struct bpfix_flow_key *key,
				   const struct bpfix_flow_stats *stats, void *arg);

/* Called with the requests reqs[@first .. @first + @count) of a close_many_each, answered. */
typedef void (*bpfix_answered_fn)(__u32 first, __u32 count, void *arg);

/* Called for each notice (struct bpfix_notice) a source drains. */
typedef void (*bpfix_notice_fn)(const struct bpfix_notice *n, void *arg);

struct bpfix_flow_source_ops {
	/* visit every flow once; the source must tolerate no change during the walk */
	int (*for_each)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
	/*
	 * Act on @n flows as the close program does (struct bpfix_close, bpfix_flow_close in
	 * common/bpfix_account.h): close the record of each one the request says goes on, remove
	 * each one it says ended unless a packet came since the walk, and answer each request in
	 * place, with the totals at that instant. 0, or a negative errno: then the requests it did
	 * not get to are still BPFIX_CLOSE_PENDING.
	 */
	int (*close_many)(void *ctx, struct bpfix_close *reqs, __u32 n);
	/*
	 * Optional: close_many handing over the answers as they come: @answered gets every request
	 * once, in order, in runs, each as soon as it is answered (or, after an error, left
	 * pending), while the source works on the next ones (the kernel's: on a second thread).
	 * The requests not handed over yet are the source's. NULL: close_many, then all at once.
	 */
	int (*close_many_each)(void *ctx, struct bpfix_close *reqs, __u32 n,
			       bpfix_answered_fn answered, void *arg);
	/*
	 * Remove every flow, visiting each with its totals at the instant it was removed (the
	 * forced end: one pass, no key by key removal). Visits cannot stop it.
	 */
	int (*drain)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
	/* totals of every enum bpfix_counter since the source was created */
	int (*read_counters)(void *ctx, __u64 counters[BPFIX_CNT_MAX]);
	/*
	 * Optional: visit, then forget, the flows the source evicted for room since the last call,
	 * with their final totals. NULL where evictions are silent (the kernel's LRU map).
	 */
	int (*drain_evicted)(void *ctx, bpfix_flow_visit_fn fn, void *arg);
	/*
	 * Optional: visit, then forget, the notices made since the last call (flows created,
	 * records started, records closing; in the order made), after setting *@lost when any
	 * notice was lost since the last call (the loss is read first, so a notice lost after is
	 * told by the next call). NULL: the source makes none, every sweep reads it whole.
	 */
	int (*drain_notices)(void *ctx, bpfix_notice_fn fn, void *arg, bool *lost);
};

struct bpfix_flow_source {
	const struct bpfix_flow_source_ops *ops;
	void *ctx;
	/* flows it can hold, if it may lose them silently when nearly full (the kernel's LRU
	 * map); 0: it loses none without telling (drain_evicted) */
	__u64 silent_capacity;
};

#endif /* BPFIX_FLOW_SOURCE_H */
