// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hashing flow and connection keys for the user-space tables: 64-bit words (a 32-bit tail
 * widened), each mixed in with a multiply and folded, then a final avalanche (MurmurHash3's
 * fmix64), so every key octet, padding included, reaches the low bits GHashTable indexes with.
 */
#include <string.h>

#include "bpfix_flow.h"
#include "meter/flow_key_hash.h"

_Static_assert(sizeof(struct bpfix_flow_key) % 8 == 0, "the key hashes as 64-bit words");
_Static_assert(sizeof(struct bpfix_conn_key) % 4 == 0, "the key hashes as 32-bit words at most");

static guint hash_words(const void *key, size_t len)
{
	__u64 h = 0x243F6A8885A308D3ull, w;
	__u32 tail;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, (const char *)key + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	if (i < len) {
		memcpy(&tail, (const char *)key + i, 4);
		h = (h ^ tail) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return (guint)h;
}

guint bpfix_flow_key_hash(gconstpointer key)
{
	return hash_words(key, sizeof(struct bpfix_flow_key));
}

gboolean bpfix_flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct bpfix_flow_key)) == 0;
}

guint bpfix_conn_key_hash(gconstpointer key)
{
	return hash_words(key, sizeof(struct bpfix_conn_key));
}

gboolean bpfix_conn_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct bpfix_conn_key)) == 0;
}
