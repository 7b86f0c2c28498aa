/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hashing flow and connection keys for the user-space tables (keys are zeroed before filling, so
 * padding hashes alike): bpfix_key_hash for the host engine's maps, and GHashTable functions
 * over a whole struct bpfix_flow_key for the flow table.
 */
#ifndef BPFIX_FLOW_KEY_HASH_H
#define BPFIX_FLOW_KEY_HASH_H

#include <stddef.h>
#include <string.h>

#include <glib.h>
#include <linux/types.h>

/* The high and low halves of a 64 x 64-bit product folded: every input bit reaches every
 * output bit in one multiply. */
static inline __u64 bpfix_hash_fold(__u64 a, __u64 b)
{
	unsigned __int128 p = (unsigned __int128)a * b;

	return (__u64)p ^ (__u64)(p >> 64);
}

/*
 * A hash of @len octets (a multiple of 4, at most 80) in which every octet counts: each pair of
 * 64-bit words is folded with constants of its own (pairs in other places or swapped give other
 * values; lanes are independent, so the multiplies overlap), the lanes are added, and a last
 * fold spreads the sum over the 32 bits returned, the low bits included (tables index with
 * them). Inline, so a constant @len unrolls.
 */
static inline __u32 bpfix_key_hash(const void *key, size_t len)
{
	static const __u64 k[10] = {
		0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull,
		0x082EFA98EC4E6C89ull, 0x452821E638D01377ull, 0xBE5466CF34E90C6Cull,
		0xC0AC29B7C97C50DDull, 0x3F84D5B5B5470917ull, 0x9216D5D98979FB1Bull,
		0xD1310BA698DFB5ACull,
	};
	const __u8 *p = key;
	__u64 h = len, a, b;
	__u32 tail;
	size_t i;

	for (i = 0; i + 16 <= len; i += 16) {
		memcpy(&a, p + i, 8);
		memcpy(&b, p + i + 8, 8);
		h += bpfix_hash_fold(a ^ k[i / 8], b ^ k[i / 8 + 1]);
	}
	a = b = 0;
	if (i + 8 <= len) {
		memcpy(&a, p + i, 8);
		i += 8;
	}
	if (i < len) {
		memcpy(&tail, p + i, 4);
		b = tail;
	}
	if (len % 16) /* a 4-octet tail alone leaves i where the last block ended */
		h += bpfix_hash_fold(a ^ k[8], b ^ k[9]);
	h = bpfix_hash_fold(h, 0x9E3779B97F4A7C15ull);
	return (__u32)(h ^ h >> 32);
}

guint bpfix_flow_key_hash(gconstpointer key);
gboolean bpfix_flow_key_equal(gconstpointer a, gconstpointer b);

#endif /* BPFIX_FLOW_KEY_HASH_H */
