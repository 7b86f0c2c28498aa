/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hashed timer wheel of deadlines (ns): links inside the caller's objects, put at a deadline,
 * taken when a sweep's time reaches it. Put, move and remove are O(1); taking the due costs the
 * slots between two takes plus the links met in them (one per rotation for a far deadline). It
 * allocates only its slots and knows nothing of flows.
 */
#ifndef BPFIX_WHEEL_H
#define BPFIX_WHEEL_H

#include <stdbool.h>

#include <linux/types.h>

struct bpfix_wheel_link {
	struct bpfix_wheel_link *prev, *next; /* NULL: in no wheel */
	__u64 deadline_ns;
};

struct bpfix_wheel {
	struct bpfix_wheel_link *slots; /* list heads, each a circular list */
	__u64 mask;			/* slots - 1 */
	unsigned int tick_shift;	/* a slot holds deadlines of 2^tick_shift ns */
	__u64 cursor;			/* the first tick whose slot may hold a due link */
};

/* 2^@slots_log2 slots of 2^@tick_shift ns each. 0 or -ENOMEM. */
int bpfix_wheel_init(struct bpfix_wheel *w, unsigned int slots_log2, unsigned int tick_shift);
void bpfix_wheel_fini(struct bpfix_wheel *w);
/* Put @l (in this wheel or in none) at @deadline_ns; a deadline already past is due next take. */
void bpfix_wheel_put(struct bpfix_wheel *w, struct bpfix_wheel_link *l, __u64 deadline_ns);
/* Take @l out of whatever wheel holds it (nothing if none). */
void bpfix_wheel_unlink(struct bpfix_wheel_link *l);
static inline bool bpfix_wheel_linked(const struct bpfix_wheel_link *l)
{
	return l->next;
}
/*
 * Take out every link whose deadline is at or before @now_ns and hand each to @fn, which must
 * not put links into this wheel (collect them and put them after). Returns how many.
 */
__u64 bpfix_wheel_take_due(struct bpfix_wheel *w, __u64 now_ns,
			   void (*fn)(struct bpfix_wheel_link *l, void *arg), void *arg);

#endif /* BPFIX_WHEEL_H */
