/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host engine's connection map: struct bpfix_conn_key -> struct bpfix_conn with a fixed
 * capacity, the least recently used entry evicted (and counted) to make room, as the kernel's
 * LRU map bpfix_conns. It holds entries only; what they mean is common/bpfix_tcp.h's.
 */
#ifndef BPFIX_HOST_CONNS_H
#define BPFIX_HOST_CONNS_H

#include "bpfix_flow.h"

struct bpfix_host_conns;

/* NULL with errno set. */
struct bpfix_host_conns *bpfix_host_conns__new(__u32 max_entries);
/* The entry of @key, or NULL; a hit makes it the most recently used. */
struct bpfix_conn *bpfix_host_conns__lookup(struct bpfix_host_conns *t,
					    const struct bpfix_conn_key *key);
/* Insert a new entry (0), or -EEXIST; when full the least recently used goes, +1 in @evicted. */
int bpfix_host_conns__insert(struct bpfix_host_conns *t, const struct bpfix_conn_key *key,
			     const struct bpfix_conn *conn, __u64 *evicted);
/* 0, or -ENOENT. */
int bpfix_host_conns__delete(struct bpfix_host_conns *t, const struct bpfix_conn_key *key);
void bpfix_host_conns__free(struct bpfix_host_conns *t);

#endif /* BPFIX_HOST_CONNS_H */
