/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GHashTable functions over a whole struct bpfix_flow_key or struct bpfix_conn_key (keys are
 * zeroed before filling).
 */
#ifndef BPFIX_FLOW_KEY_HASH_H
#define BPFIX_FLOW_KEY_HASH_H

#include <glib.h>

guint bpfix_flow_key_hash(gconstpointer key);
gboolean bpfix_flow_key_equal(gconstpointer a, gconstpointer b);
guint bpfix_conn_key_hash(gconstpointer key);
gboolean bpfix_conn_key_equal(gconstpointer a, gconstpointer b);

#endif /* BPFIX_FLOW_KEY_HASH_H */
