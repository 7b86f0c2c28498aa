// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host engine's connection map (host_conns.h): a hash table of entries, each linked in a
 * queue with the most recently used at the head, so the stalest is evicted first.
 */
#include <errno.h>
#include <stdlib.h>

#include <glib.h>

#include "meter/flow_key_hash.h"
#include "meter/host_conns.h"

struct entry {
	struct bpfix_conn_key key; /* first: the hash table's key points here */
	struct bpfix_conn conn;
	GList lru;		   /* link in the queue; data points back here */
};

struct bpfix_host_conns {
	GHashTable *entries;	   /* struct bpfix_conn_key * -> struct entry * */
	GQueue lru;
	__u32 max_entries;
};

struct bpfix_host_conns *bpfix_host_conns__new(__u32 max_entries)
{
	struct bpfix_host_conns *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->entries = g_hash_table_new_full(bpfix_conn_key_hash, bpfix_conn_key_equal, NULL, g_free);
	g_queue_init(&t->lru);
	t->max_entries = max_entries;
	return t;
}

static void drop(struct bpfix_host_conns *t, struct entry *e)
{
	g_queue_unlink(&t->lru, &e->lru);
	g_hash_table_remove(t->entries, &e->key); /* frees e */
}

struct bpfix_conn *bpfix_host_conns__lookup(struct bpfix_host_conns *t,
					    const struct bpfix_conn_key *key)
{
	struct entry *e = g_hash_table_lookup(t->entries, key);

	if (!e)
		return NULL;
	g_queue_unlink(&t->lru, &e->lru);
	g_queue_push_head_link(&t->lru, &e->lru);
	return &e->conn;
}

int bpfix_host_conns__insert(struct bpfix_host_conns *t, const struct bpfix_conn_key *key,
			     const struct bpfix_conn *conn, __u64 *evicted)
{
	struct entry *e;

	if (g_hash_table_contains(t->entries, key))
		return -EEXIST;
	if (g_hash_table_size(t->entries) >= t->max_entries) {
		drop(t, g_queue_peek_tail_link(&t->lru)->data);
		++*evicted;
	}
	e = g_new0(struct entry, 1);
	e->key = *key;
	e->conn = *conn;
	e->lru.data = e;
	g_hash_table_insert(t->entries, &e->key, e);
	g_queue_push_head_link(&t->lru, &e->lru);
	return 0;
}

int bpfix_host_conns__delete(struct bpfix_host_conns *t, const struct bpfix_conn_key *key)
{
	struct entry *e = g_hash_table_lookup(t->entries, key);

	if (!e)
		return -ENOENT;
	drop(t, e);
	return 0;
}

void bpfix_host_conns__free(struct bpfix_host_conns *t)
{
	if (!t)
		return;
	g_hash_table_destroy(t->entries);
	free(t);
}
