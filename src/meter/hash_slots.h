/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The open-addressing index that finds entries kept in arrays by index (the host engine's LRU map,
 * the flow table's store): (hash, entry) slots, linear probing, kept at most half full by their
 * owner, removal by backward shift (no tombstones). It hashes and compares no keys: the owner
 * does, the stored hash first.
 */
#ifndef BPFIX_HASH_SLOTS_H
#define BPFIX_HASH_SLOTS_H

#include <linux/types.h>

struct bpfix_hash_slot {
	__u32 hash;
	__u32 entry;	  /* entry index + 1; 0: the slot is empty */
};

/* Put @entry with @hash in the first free slot from its home. */
static inline void bpfix_hash_slots_place(struct bpfix_hash_slot *slots, __u32 mask, __u32 entry,
					  __u32 hash)
{
	__u32 s = hash & mask;

	while (slots[s].entry)
		s = (s + 1) & mask;
	slots[s] = (struct bpfix_hash_slot){ .hash = hash, .entry = entry + 1 };
}

/* The slot that holds @entry, whose hash is @hash. */
static inline __u32 bpfix_hash_slots_of(const struct bpfix_hash_slot *slots, __u32 mask,
					__u32 entry, __u32 hash)
{
	__u32 s = hash & mask;

	while (slots[s].entry != entry + 1)
		s = (s + 1) & mask;
	return s;
}

/* Empty slot @s, shifting back the slots after it that may sit closer to their home. */
static inline void bpfix_hash_slots_empty(struct bpfix_hash_slot *slots, __u32 mask, __u32 s)
{
	__u32 j = s, home;

	for (;;) {
		j = (j + 1) & mask;
		if (!slots[j].entry)
			break;
		home = slots[j].hash & mask;
		/* it may move to s when s lies between its home and j (cyclically) */
		if (((j - home) & mask) >= ((j - s) & mask)) {
			slots[s] = slots[j];
			s = j;
		}
	}
	slots[s].entry = 0;
}

#endif /* BPFIX_HASH_SLOTS_H */
