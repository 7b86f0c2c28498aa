// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host engine's connection map (host_conns.h): an exact-LRU hash map (lru_hash.h) of
 * handshakes, the stalest evicted first.
 */
#include <errno.h>
#include <stdlib.h>

#include "meter/flow_key_hash.h"
#include "meter/host_conns.h"
#include "meter/lru_hash.h"

struct bpfix_host_conns {
	struct bpfix_lru_hash *entries; /* struct bpfix_conn_key -> struct bpfix_conn */
};

struct bpfix_host_conns *bpfix_host_conns__new(__u32 max_entries)
{
	struct bpfix_host_conns *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->entries = bpfix_lru_hash__new(sizeof(struct bpfix_conn_key), sizeof(struct bpfix_conn),
					 max_entries);
	if (!t->entries) {
		free(t);
		return NULL;
	}
	return t;
}

static __u32 conn_hash(const struct bpfix_conn_key *key)
{
	return bpfix_key_hash(key, sizeof(*key));
}

struct bpfix_conn *bpfix_host_conns__lookup(struct bpfix_host_conns *t,
					    const struct bpfix_conn_key *key)
{
	__u32 e = bpfix_lru_hash__find(t->entries, key, conn_hash(key));

	if (e == BPFIX_LRU_NONE)
		return NULL;
	bpfix_lru_hash__touch(t->entries, e);
	return bpfix_lru_hash__value(t->entries, e);
}

int bpfix_host_conns__insert(struct bpfix_host_conns *t, const struct bpfix_conn_key *key,
			     const struct bpfix_conn *conn, __u64 *evicted)
{
	__u32 hash = conn_hash(key), e;

	if (bpfix_lru_hash__find(t->entries, key, hash) != BPFIX_LRU_NONE)
		return -EEXIST;
	if (bpfix_lru_hash__full(t->entries)) {
		bpfix_lru_hash__delete(t->entries, bpfix_lru_hash__stalest(t->entries));
		++*evicted;
	}
	e = bpfix_lru_hash__insert(t->entries, key, hash);
	if (e == BPFIX_LRU_NONE)
		return -errno;
	*(struct bpfix_conn *)bpfix_lru_hash__value(t->entries, e) = *conn;
	return 0;
}

int bpfix_host_conns__delete(struct bpfix_host_conns *t, const struct bpfix_conn_key *key)
{
	__u32 e = bpfix_lru_hash__find(t->entries, key, conn_hash(key));

	if (e == BPFIX_LRU_NONE)
		return -ENOENT;
	bpfix_lru_hash__delete(t->entries, e);
	return 0;
}

void bpfix_host_conns__free(struct bpfix_host_conns *t)
{
	if (!t)
		return;
	bpfix_lru_hash__free(t->entries);
	free(t);
}
