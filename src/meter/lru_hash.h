/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An exact-LRU hash map of fixed-size keys and values for the host engine (its flows and TCP
 * handshakes): the kernel's LRU hash map semantics, but the least recently used entry is known
 * exactly, and the caller evicts it itself. Entries live densely in arrays (keys, values, LRU
 * links by index), found through an open-addressing index of (hash, entry) slots; no allocation
 * per entry. It does not hash keys: callers pass the hash, so one hash serves a miss and the
 * insert after it. Not thread-safe.
 */
#ifndef BPFIX_LRU_HASH_H
#define BPFIX_LRU_HASH_H

#include <stddef.h>
#include <linux/types.h>

#include "meter/hash_slots.h"

#define BPFIX_LRU_NONE ((__u32)-1) /* no entry */

struct bpfix_lru_link {
	__u32 prev, next; /* toward the most / least recently used; BPFIX_LRU_NONE at the ends */
	__u32 hash;	  /* the entry's hash: finds its slot again without rehashing */
};

struct bpfix_lru_hash {
	__u8 *keys;	  /* key_size octets per entry, entries 0 .. count-1 */
	__u8 *values;	  /* value_size octets per entry */
	struct bpfix_lru_link *links;
	struct bpfix_hash_slot *slots; /* slot_mask + 1 of them, at most half used */
	__u32 slot_mask;
	__u32 count, room, max_entries; /* entries used, allocated, allowed */
	__u32 head, tail; /* most and least recently used entry */
	size_t key_size, value_size;
};

/* NULL with errno set. @key_size and @value_size: multiples of 4; @max_entries: 1 to 2^30. */
struct bpfix_lru_hash *bpfix_lru_hash__new(size_t key_size, size_t value_size, __u32 max_entries);
void bpfix_lru_hash__free(struct bpfix_lru_hash *m);

/* The entry holding @key (whose hash is @hash), or BPFIX_LRU_NONE. Its place in the LRU order
 * does not change. */
__u32 bpfix_lru_hash__find(const struct bpfix_lru_hash *m, const void *key, __u32 hash);
/*
 * A new entry for @key, which must be absent, as the most recently used; its value is left for
 * the caller to fill. The map must not be full (bpfix_lru_hash__full: delete the stalest first).
 * BPFIX_LRU_NONE with errno ENOMEM when the arrays cannot grow. Moves values: value pointers
 * taken before are stale.
 */
__u32 bpfix_lru_hash__insert(struct bpfix_lru_hash *m, const void *key, __u32 hash);
/* Make @entry the most recently used. */
void bpfix_lru_hash__touch(struct bpfix_lru_hash *m, __u32 entry);
/* Remove @entry. The last entry moves into its place: indexes taken before are stale. */
void bpfix_lru_hash__delete(struct bpfix_lru_hash *m, __u32 entry);
/* Remove every entry; the arrays are kept for reuse. */
void bpfix_lru_hash__clear(struct bpfix_lru_hash *m);

/* Hints, which change nothing: start fetching the slot where @hash's search begins; or, that
 * slot being fetched by now, the entry @hash likely names (its key, value and LRU link), and when
 * the map is full the stalest entries, which inserts evict. */
static inline void bpfix_lru_hash__prefetch_slot(const struct bpfix_lru_hash *m, __u32 hash)
{
	__builtin_prefetch(&m->slots[hash & m->slot_mask]);
}

void bpfix_lru_hash__prefetch_entry(const struct bpfix_lru_hash *m, __u32 hash);

static inline int bpfix_lru_hash__full(const struct bpfix_lru_hash *m)
{
	return m->count >= m->max_entries;
}

/* The least recently used entry, or BPFIX_LRU_NONE when empty. */
static inline __u32 bpfix_lru_hash__stalest(const struct bpfix_lru_hash *m)
{
	return m->tail;
}

static inline void *bpfix_lru_hash__key(const struct bpfix_lru_hash *m, __u32 entry)
{
	return m->keys + (size_t)entry * m->key_size;
}

static inline void *bpfix_lru_hash__value(const struct bpfix_lru_hash *m, __u32 entry)
{
	return m->values + (size_t)entry * m->value_size;
}

#endif /* BPFIX_LRU_HASH_H */
