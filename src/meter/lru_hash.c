// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host engine's exact-LRU hash map (lru_hash.h): linear probing over (hash, entry) slots
 * kept at most half full, removal by backward shift (no tombstones), entries packed densely so a
 * walk is a scan and a removal moves the last entry into the hole. Arrays grow by doubling up to
 * max_entries; keys are 64-octet aligned, so a flow key is one cache line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meter/lru_hash.h"

#define MIN_ROOM 64u
#define MAX_ENTRIES (1u << 30) /* its slots, twice as many, still count in 32 bits */
#define CACHE_LINE 64u

static void *alloc_aligned(size_t bytes)
{
	return aligned_alloc(CACHE_LINE, (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE);
}

static int keys_equal(const void *a, const void *b, size_t len)
{
	__u64 x, y, diff = 0;
	__u32 s, t;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&x, (const __u8 *)a + i, 8);
		memcpy(&y, (const __u8 *)b + i, 8);
		diff |= x ^ y;
	}
	if (i < len) { /* a 4-octet tail */
		memcpy(&s, (const __u8 *)a + i, 4);
		memcpy(&t, (const __u8 *)b + i, 4);
		diff |= s ^ t;
	}
	return !diff;
}

static void place(struct bpfix_lru_hash *m, __u32 entry, __u32 hash)
{
	bpfix_hash_slots_place(m->slots, m->slot_mask, entry, hash);
}

/* Room for twice the entries (up to max_entries), and slots for twice that: new arrays, the
 * old ones kept until every new one is there. */
static int grow(struct bpfix_lru_hash *m)
{
	__u32 room = m->room ? m->room * 2 : MIN_ROOM, nslots = m->slot_mask + 1, i;
	struct bpfix_hash_slot *slots = NULL;
	struct bpfix_lru_link *links;
	__u8 *keys, *values;

	if (room > m->max_entries || room < m->room)
		room = m->max_entries;
	while (nslots < 2 * (size_t)room)
		nslots *= 2;
	keys = alloc_aligned((size_t)room * m->key_size);
	values = alloc_aligned((size_t)room * m->value_size);
	links = malloc((size_t)room * sizeof(*links));
	if (nslots != m->slot_mask + 1)
		slots = calloc(nslots, sizeof(*slots));
	if (!keys || !values || !links || (nslots != m->slot_mask + 1 && !slots)) {
		free(keys);
		free(values);
		free(links);
		free(slots);
		errno = ENOMEM;
		return -ENOMEM;
	}
	if (m->count) {
		memcpy(keys, m->keys, (size_t)m->count * m->key_size);
		memcpy(values, m->values, (size_t)m->count * m->value_size);
		memcpy(links, m->links, (size_t)m->count * sizeof(*links));
	}
	free(m->keys);
	free(m->values);
	free(m->links);
	m->keys = keys;
	m->values = values;
	m->links = links;
	m->room = room;
	if (slots) {
		free(m->slots);
		m->slots = slots;
		m->slot_mask = nslots - 1;
		for (i = 0; i < m->count; i++)
			place(m, i, m->links[i].hash);
	}
	return 0;
}

struct bpfix_lru_hash *bpfix_lru_hash__new(size_t key_size, size_t value_size, __u32 max_entries)
{
	struct bpfix_lru_hash *m;

	if (!max_entries || max_entries > MAX_ENTRIES || !key_size || key_size % 4 ||
	    !value_size || value_size % 4) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->head = m->tail = BPFIX_LRU_NONE;
	if (grow(m)) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void bpfix_lru_hash__free(struct bpfix_lru_hash *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->values);
	free(m->links);
	free(m->slots);
	free(m);
}

__u32 bpfix_lru_hash__find(const struct bpfix_lru_hash *m, const void *key, __u32 hash)
{
	__u32 s = hash & m->slot_mask;
	struct bpfix_hash_slot slot;

	for (;; s = (s + 1) & m->slot_mask) {
		slot = m->slots[s];
		if (!slot.entry)
			return BPFIX_LRU_NONE;
		/* the stored hash first: a key is compared only when it very likely matches */
		if (slot.hash == hash &&
		    keys_equal(bpfix_lru_hash__key(m, slot.entry - 1), key, m->key_size))
			return slot.entry - 1;
	}
}

static void prefetch_whole(const struct bpfix_lru_hash *m, __u32 entry)
{
	const __u8 *value = bpfix_lru_hash__value(m, entry);

	__builtin_prefetch(bpfix_lru_hash__key(m, entry));
	__builtin_prefetch(value, 1);
	__builtin_prefetch(value + m->value_size - 1, 1);
	__builtin_prefetch(&m->links[entry], 1);
}

void bpfix_lru_hash__prefetch_entry(const struct bpfix_lru_hash *m, __u32 hash)
{
	__u32 s = hash & m->slot_mask, stalest = m->tail;

	for (; m->slots[s].entry; s = (s + 1) & m->slot_mask)
		if (m->slots[s].hash == hash) {
			prefetch_whole(m, m->slots[s].entry - 1);
			return;
		}
	/* a new key: when full, it evicts the stalest, or the one before if a packet before it
	 * evicts that one first */
	if (m->count < m->max_entries || stalest == BPFIX_LRU_NONE)
		return;
	prefetch_whole(m, stalest);
	__builtin_prefetch(&m->slots[m->links[stalest].hash & m->slot_mask], 1);
	stalest = m->links[stalest].prev;
	if (stalest != BPFIX_LRU_NONE) {
		prefetch_whole(m, stalest);
		__builtin_prefetch(&m->slots[m->links[stalest].hash & m->slot_mask], 1);
	}
}

/* The slot that holds @entry. */
static __u32 slot_of(const struct bpfix_lru_hash *m, __u32 entry)
{
	return bpfix_hash_slots_of(m->slots, m->slot_mask, entry, m->links[entry].hash);
}

static void unlink_entry(struct bpfix_lru_hash *m, __u32 entry)
{
	const struct bpfix_lru_link *l = &m->links[entry];

	if (l->prev != BPFIX_LRU_NONE)
		m->links[l->prev].next = l->next;
	else
		m->head = l->next;
	if (l->next != BPFIX_LRU_NONE)
		m->links[l->next].prev = l->prev;
	else
		m->tail = l->prev;
}

static void link_head(struct bpfix_lru_hash *m, __u32 entry)
{
	struct bpfix_lru_link *l = &m->links[entry];

	l->prev = BPFIX_LRU_NONE;
	l->next = m->head;
	if (m->head != BPFIX_LRU_NONE)
		m->links[m->head].prev = entry;
	else
		m->tail = entry;
	m->head = entry;
}

/* The neighbours of @entry, just moved from another index, point at it again. */
static void relink(struct bpfix_lru_hash *m, __u32 entry)
{
	const struct bpfix_lru_link *l = &m->links[entry];

	if (l->prev != BPFIX_LRU_NONE)
		m->links[l->prev].next = entry;
	else
		m->head = entry;
	if (l->next != BPFIX_LRU_NONE)
		m->links[l->next].prev = entry;
	else
		m->tail = entry;
}

__u32 bpfix_lru_hash__insert(struct bpfix_lru_hash *m, const void *key, __u32 hash)
{
	__u32 entry;

	if (m->count == m->room && (m->count >= m->max_entries || grow(m))) {
		errno = m->count >= m->max_entries ? ENOSPC : ENOMEM;
		return BPFIX_LRU_NONE;
	}
	entry = m->count++;
	memcpy(bpfix_lru_hash__key(m, entry), key, m->key_size);
	m->links[entry].hash = hash;
	link_head(m, entry);
	place(m, entry, hash);
	return entry;
}

void bpfix_lru_hash__touch(struct bpfix_lru_hash *m, __u32 entry)
{
	if (m->head == entry)
		return;
	unlink_entry(m, entry);
	link_head(m, entry);
}

void bpfix_lru_hash__delete(struct bpfix_lru_hash *m, __u32 entry)
{
	__u32 last;

	bpfix_hash_slots_empty(m->slots, m->slot_mask, slot_of(m, entry));
	unlink_entry(m, entry);
	last = --m->count;
	if (entry == last)
		return;
	memcpy(bpfix_lru_hash__key(m, entry), bpfix_lru_hash__key(m, last), m->key_size);
	memcpy(bpfix_lru_hash__value(m, entry), bpfix_lru_hash__value(m, last), m->value_size);
	m->links[entry] = m->links[last];
	m->slots[slot_of(m, last)].entry = entry + 1;
	relink(m, entry);
}

void bpfix_lru_hash__clear(struct bpfix_lru_hash *m)
{
	memset(m->slots, 0, ((size_t)m->slot_mask + 1) * sizeof(*m->slots));
	m->count = 0;
	m->head = m->tail = BPFIX_LRU_NONE;
}
