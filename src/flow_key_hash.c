// SPDX-License-Identifier: GPL-2.0-only
/* Hashing flow keys for the user-space tables: FNV-1a over every octet, padding included. */
#include <string.h>

#include "bpfix_flow.h"
#include "flow_key_hash.h"

guint bpfix_flow_key_hash(gconstpointer key)
{
	const unsigned char *b = key;
	guint h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(struct bpfix_flow_key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

gboolean bpfix_flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct bpfix_flow_key)) == 0;
}
