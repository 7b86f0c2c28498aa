// SPDX-License-Identifier: GPL-2.0-only
/* Flows of a walk held a few visits while their store lines are fetched (walk_ahead.h). */
#include "flow/walk_ahead.h"

#define SLOT(n) ((n) % BPFIX_WALK_AHEAD)

void bpfix_walk_ahead_push(struct bpfix_walk_ahead *w, const struct flow_store *s,
			   const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			   bpfix_walk_step_fn step, void *arg)
{
	__typeof__(w->held[0]) *h = &w->held[SLOT(w->met)];

	if (w->met >= BPFIX_WALK_AHEAD) /* the oldest, whose slot and entry had time to come */
		step(arg, &h->key, &h->stats, h->hash);
	h->key = *key;
	h->stats = *stats;
	h->hash = bpfix_flow_store_hash(key);
	bpfix_flow_store_prefetch(s, h->hash);
	/* the slot of the one met half the window ago is in by now: fetch its entry */
	if (w->met >= BPFIX_WALK_AHEAD / 2)
		bpfix_flow_store_prefetch_entry(s,
						w->held[SLOT(w->met - BPFIX_WALK_AHEAD / 2)].hash);
	w->met++;
}

void bpfix_walk_ahead_flush(struct bpfix_walk_ahead *w, bpfix_walk_step_fn step, void *arg)
{
	__u64 n = w->met < BPFIX_WALK_AHEAD ? w->met : BPFIX_WALK_AHEAD;
	__u64 i;

	for (i = w->met - n; i < w->met; i++)
		step(arg, &w->held[SLOT(i)].key, &w->held[SLOT(i)].stats, w->held[SLOT(i)].hash);
	w->met = 0;
}
