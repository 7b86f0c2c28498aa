// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hashed timer wheel of wheel.h: a deadline goes to the slot of its tick modulo the slots;
 * a take walks the slots from the cursor to the tick of its time (one rotation at most) and takes
 * the links due, leaving those of later rotations. Nothing here knows what a link belongs to.
 */
#include <errno.h>
#include <stdlib.h>

#include "flow/wheel.h"

int bpfix_wheel_init(struct bpfix_wheel *w, unsigned int slots_log2, unsigned int tick_shift)
{
	__u64 i, n = 1ull << slots_log2;

	w->slots = calloc(n, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		w->slots[i].prev = w->slots[i].next = &w->slots[i];
	w->mask = n - 1;
	w->tick_shift = tick_shift;
	w->cursor = 0;
	return 0;
}

void bpfix_wheel_fini(struct bpfix_wheel *w)
{
	__u64 i;

	if (!w->slots)
		return;
	/* links still in it belong to their owners: leave them in no wheel */
	for (i = 0; i <= w->mask; i++)
		while (w->slots[i].next != &w->slots[i])
			bpfix_wheel_unlink(w->slots[i].next);
	free(w->slots);
	w->slots = NULL;
}

void bpfix_wheel_unlink(struct bpfix_wheel_link *l)
{
	if (!l->next)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

void bpfix_wheel_put(struct bpfix_wheel *w, struct bpfix_wheel_link *l, __u64 deadline_ns)
{
	__u64 tick = deadline_ns >> w->tick_shift;
	struct bpfix_wheel_link *head;

	bpfix_wheel_unlink(l);
	if (tick < w->cursor)
		tick = w->cursor; /* past: the next take's first slot */
	head = &w->slots[tick & w->mask];
	l->deadline_ns = deadline_ns;
	l->next = head;
	l->prev = head->prev;
	head->prev->next = l;
	head->prev = l;
}

/* Take the links of the slot @head due by @now_ns; how many. */
static __u64 take_slot(struct bpfix_wheel_link *head, __u64 now_ns,
		       void (*fn)(struct bpfix_wheel_link *l, void *arg), void *arg)
{
	struct bpfix_wheel_link *l, *next;
	__u64 taken = 0;

	for (l = head->next; l != head; l = next) {
		next = l->next;
		if (l->deadline_ns > now_ns)
			continue; /* a later rotation, or later in this tick */
		bpfix_wheel_unlink(l);
		fn(l, arg);
		taken++;
	}
	return taken;
}

__u64 bpfix_wheel_take_due(struct bpfix_wheel *w, __u64 now_ns,
			   void (*fn)(struct bpfix_wheel_link *l, void *arg), void *arg)
{
	__u64 tick, now_tick = now_ns >> w->tick_shift, taken = 0;
	/* the clock may step back: then only the cursor's slot can hold a due link */
	__u64 last = now_tick > w->cursor ? now_tick : w->cursor;

	/* every slot once at most: a long gap scans one rotation */
	for (tick = w->cursor; tick <= last && tick - w->cursor <= w->mask; tick++)
		taken += take_slot(&w->slots[tick & w->mask], now_ns, fn, arg);
	/* the tick of now may get more due links before its end: it stays the cursor */
	w->cursor = last;
	return taken;
}
