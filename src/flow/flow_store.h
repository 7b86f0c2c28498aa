/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the flow table keeps its entries (struct flow_entry, flow_table_impl.h): in chunks that
 * never move, so the timer wheel's links inside them stay valid, with freed entries reused, found
 * by key through an open-addressing index of (hash, entry) slots. No allocation per flow. It
 * knows keys and nothing else of a flow (the wheel, the sweep: the table's). Not thread-safe.
 */
#ifndef BPFIX_FLOW_STORE_H
#define BPFIX_FLOW_STORE_H

#include <stdbool.h>

#include <linux/types.h>

#include "bpfix_flow.h"
#include "meter/hash_slots.h"

#define FLOW_STORE_NONE ((__u32)-1) /* no entry */

struct flow_entry;

struct flow_store {
	struct flow_entry **chunks; /* 2^FLOW_STORE_CHUNK_LOG2 entries each, allocated as needed */
	__u32 nchunks, chunks_room;
	__u32 top;		/* entries ever used: indexes below it are in a chunk */
	__u32 free_head;	/* a freed entry, chained by its index field; FLOW_STORE_NONE */
	__u32 count;		/* entries in use */
	struct bpfix_hash_slot *slots; /* slot_mask + 1 of them, at most half used */
	__u32 slot_mask;
};

void bpfix_flow_store_init(struct flow_store *s);
/* Frees the chunks: nothing may still point into them (the wheel: finish it first). */
void bpfix_flow_store_fini(struct flow_store *s);
__u32 bpfix_flow_store_hash(const struct bpfix_flow_key *key);
/* The entry of @key, which hashes to @hash, or NULL. */
struct flow_entry *bpfix_flow_store_find(const struct flow_store *s,
					 const struct bpfix_flow_key *key, __u32 hash);
/* A copy of @fresh, whose key must be absent, in the store (its hash and index fields set). Like
 * every glib allocation, memory running out aborts. */
struct flow_entry *bpfix_flow_store_add(struct flow_store *s, const struct flow_entry *fresh);
/* @e leaves the store; its memory is reused by a later add. */
void bpfix_flow_store_remove(struct flow_store *s, struct flow_entry *e);
/* Hint: start fetching the slot where the search for @hash begins. */
static inline void bpfix_flow_store_prefetch(const struct flow_store *s, __u32 hash)
{
	__builtin_prefetch(&s->slots[hash & s->slot_mask]);
}
/* Hint, that slot being fetched by now: start fetching the entry @hash likely names. */
void bpfix_flow_store_prefetch_entry(const struct flow_store *s, __u32 hash);
/* Call @fn on every entry; those for which it returns true are removed (@fn may not add). */
void bpfix_flow_store_filter(struct flow_store *s,
			     bool (*fn)(struct flow_entry *e, void *arg), void *arg);

#endif /* BPFIX_FLOW_STORE_H */
