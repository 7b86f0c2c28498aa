// SPDX-License-Identifier: GPL-2.0-only
/*
 * GHashTable functions over a whole struct bpfix_flow_key (the hash itself is bpfix_key_hash in
 * flow_key_hash.h).
 */
#include "bpfix_flow.h"
#include "meter/flow_key_hash.h"

_Static_assert(sizeof(struct bpfix_flow_key) % 8 == 0, "the key hashes as 64-bit words");
_Static_assert(sizeof(struct bpfix_conn_key) % 4 == 0, "the key hashes as 32-bit words at most");
_Static_assert(sizeof(struct bpfix_conn_key) <= 80, "bpfix_key_hash has constants for 80 octets");

guint bpfix_flow_key_hash(gconstpointer key)
{
	return bpfix_key_hash(key, sizeof(struct bpfix_flow_key));
}

gboolean bpfix_flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct bpfix_flow_key)) == 0;
}
