// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table's entry store (flow_store.h): entries in fixed chunks addressed by index, freed
 * ones chained for reuse (the last freed first: it is likely still cached); the index
 * (meter/hash_slots.h) kept at most half full, the stored hash compared before a key. Growing
 * the index moves slots only.
 */
#include <string.h>

#include <glib.h>

#include "meter/flow_key_hash.h"
#include "flow/flow_table_impl.h"

#define CHUNK_LOG2 10u
#define CHUNK (1u << CHUNK_LOG2)
#define MIN_SLOTS 1024u

static struct flow_entry *at(const struct flow_store *s, __u32 index)
{
	return &s->chunks[index >> CHUNK_LOG2][index & (CHUNK - 1)];
}

void bpfix_flow_store_init(struct flow_store *s)
{
	*s = (struct flow_store){ .free_head = FLOW_STORE_NONE, .slot_mask = MIN_SLOTS - 1 };
	s->slots = g_new0(struct bpfix_hash_slot, MIN_SLOTS);
}

void bpfix_flow_store_fini(struct flow_store *s)
{
	__u32 i;

	for (i = 0; i < s->nchunks; i++)
		g_free(s->chunks[i]);
	g_free(s->chunks);
	g_free(s->slots);
	*s = (struct flow_store){ .free_head = FLOW_STORE_NONE };
}

__u32 bpfix_flow_store_hash(const struct bpfix_flow_key *key)
{
	return bpfix_key_hash(key, sizeof(*key));
}

static bool keys_equal(const struct bpfix_flow_key *a, const struct bpfix_flow_key *b)
{
	__u64 x, y, diff = 0;
	size_t i;

	for (i = 0; i < sizeof(*a); i += 8) { /* the key is 8-octet words, no padding */
		memcpy(&x, (const __u8 *)a + i, 8);
		memcpy(&y, (const __u8 *)b + i, 8);
		diff |= x ^ y;
	}
	return !diff;
}

struct flow_entry *bpfix_flow_store_find(const struct flow_store *s,
					 const struct bpfix_flow_key *key, __u32 hash)
{
	__u32 i = hash & s->slot_mask;
	struct bpfix_hash_slot slot;
	struct flow_entry *e;

	for (;; i = (i + 1) & s->slot_mask) {
		slot = s->slots[i];
		if (!slot.entry)
			return NULL;
		if (slot.hash != hash)
			continue;
		e = at(s, slot.entry - 1);
		if (keys_equal(&e->key, key))
			return e;
	}
}

void bpfix_flow_store_prefetch_entry(const struct flow_store *s, __u32 hash)
{
	__u32 i = hash & s->slot_mask;

	for (; s->slots[i].entry; i = (i + 1) & s->slot_mask)
		if (s->slots[i].hash == hash) {
			const struct flow_entry *e = at(s, s->slots[i].entry - 1);

			/* its key (compared), its links and store fields (a removal) */
			__builtin_prefetch(&e->key, 1);
			__builtin_prefetch(&e->due, 1);
			__builtin_prefetch(&e->hash, 1);
			return;
		}
}

static void place(struct flow_store *s, __u32 index, __u32 hash)
{
	bpfix_hash_slots_place(s->slots, s->slot_mask, index, hash);
}

/* Twice the slots, every entry in use placed again. */
static void grow_slots(struct flow_store *s)
{
	__u32 n = (s->slot_mask + 1) * 2, i;
	struct flow_entry *e;

	g_free(s->slots);
	s->slots = g_new0(struct bpfix_hash_slot, n);
	s->slot_mask = n - 1;
	for (i = 0; i < s->top; i++) {
		e = at(s, i);
		if (e->stored)
			place(s, i, e->hash);
	}
}

/* A free entry's index: a freed one, or the next never used (a new chunk when needed). */
static __u32 take_index(struct flow_store *s)
{
	__u32 index = s->free_head;

	if (index != FLOW_STORE_NONE) {
		s->free_head = at(s, index)->index;
		return index;
	}
	if (s->top >> CHUNK_LOG2 == s->nchunks) {
		if (s->nchunks == s->chunks_room) {
			s->chunks_room = s->chunks_room ? s->chunks_room * 2 : 16;
			s->chunks = g_renew(struct flow_entry *, s->chunks, s->chunks_room);
		}
		s->chunks[s->nchunks++] = g_new(struct flow_entry, CHUNK);
	}
	return s->top++;
}

struct flow_entry *bpfix_flow_store_add(struct flow_store *s, const struct flow_entry *fresh)
{
	__u32 hash = bpfix_flow_store_hash(&fresh->key), index;
	struct flow_entry *e;

	if ((s->count + 1) * 2 > s->slot_mask + 1)
		grow_slots(s);
	index = take_index(s);
	e = at(s, index);
	*e = *fresh;
	e->hash = hash;
	e->index = index;
	e->stored = true;
	place(s, index, hash);
	s->count++;
	return e;
}

void bpfix_flow_store_remove(struct flow_store *s, struct flow_entry *e)
{
	__u32 index = e->index;

	bpfix_hash_slots_empty(s->slots, s->slot_mask,
			       bpfix_hash_slots_of(s->slots, s->slot_mask, index, e->hash));
	e->stored = false;
	e->index = s->free_head; /* a free entry's index field chains the free ones */
	s->free_head = index;
	s->count--;
}

void bpfix_flow_store_filter(struct flow_store *s,
			     bool (*fn)(struct flow_entry *e, void *arg), void *arg)
{
	struct flow_entry *e;
	__u32 i;

	/* entries do not move: removing while scanning skips none */
	for (i = 0; i < s->top; i++) {
		e = at(s, i);
		if (e->stored && fn(e, arg))
			bpfix_flow_store_remove(s, e);
	}
}
