/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flows a walk or a drain of the source meets, held a few visits before their step, so that
 * the flow store's index slot and entry of each are being fetched meanwhile (a walk over many
 * flows otherwise waits on two cold lines per flow). They are stepped in the order met, and all
 * of them by the flush. It knows nothing of what a step does.
 */
#ifndef BPFIX_WALK_AHEAD_H
#define BPFIX_WALK_AHEAD_H

#include <linux/types.h>

#include "bpfix_flow.h"
#include "flow/flow_store.h"

#define BPFIX_WALK_AHEAD 16 /* flows held; the entry is fetched half way */

/* A flow met: its key, what the source said of it, and its key's hash (flow_store.h). */
typedef void (*bpfix_walk_step_fn)(void *arg, const struct bpfix_flow_key *key,
				   const struct bpfix_flow_stats *stats, __u32 hash);

struct bpfix_walk_ahead {
	struct {
		struct bpfix_flow_key key;
		struct bpfix_flow_stats stats;
		__u32 hash;
	} held[BPFIX_WALK_AHEAD];
	__u64 met;	/* flows met since the last flush */
};

/* Hold the flow @key met as @stats, and step the one met BPFIX_WALK_AHEAD flows before it. */
void bpfix_walk_ahead_push(struct bpfix_walk_ahead *w, const struct flow_store *s,
			   const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			   bpfix_walk_step_fn step, void *arg);
/* Step every flow still held, in the order met. */
void bpfix_walk_ahead_flush(struct bpfix_walk_ahead *w, bpfix_walk_step_fn step, void *arg);

#endif /* BPFIX_WALK_AHEAD_H */
