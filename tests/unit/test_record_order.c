// SPDX-License-Identifier: GPL-2.0-only
/*
 * The order records of a sweep go out in (bpfix_records_in_time_order): by start, then end, then
 * key (its hash, then its octets), and records equal in all of that in the order they came.
 * The expected order comes from qsort with that rule written out here, the position in the
 * batch as the last tie-break, over batches with many equal times, repeated keys, a pair of
 * keys whose hashes collide, and times spread over the whole 64-bit range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flow/record.h"
#include "meter/flow_key_hash.h"

static __u64 rng_state = 0x9E3779B97F4A7C15ull;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void key_of(struct bpfix_flow_key *k, __u32 i)
{
	memset(k, 0, sizeof(*k));
	k->ip_version = 4;
	k->protocol = 17;
	k->src_addr[0] = 10;
	memcpy(&k->src_addr[1], &i, 3);
	k->dst_port = (__u16)(i >> 24) + 53;
	k->src_port = (__u16)i;
}

/* Two keys with the same bpfix_flow_key_hash, found by trying (32-bit hashes: a few 100 000
 * keys hold a pair); false if none. */
static bool colliding_keys(struct bpfix_flow_key *a, struct bpfix_flow_key *b)
{
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct bpfix_flow_key k;
	gpointer other;
	bool found = false;
	__u32 i;

	for (i = 1; i < 2000000 && !found; i++) {
		key_of(&k, i);
		if (g_hash_table_lookup_extended(seen, GUINT_TO_POINTER(bpfix_flow_key_hash(&k)),
						 NULL, &other)) {
			key_of(a, GPOINTER_TO_UINT(other));
			*b = k;
			found = true;
		}
		g_hash_table_insert(seen, GUINT_TO_POINTER(bpfix_flow_key_hash(&k)),
				    GUINT_TO_POINTER(i));
	}
	g_hash_table_destroy(seen);
	return found;
}

static const struct bpfix_record *ref_recs;

static int ref_order(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct bpfix_record *a = &ref_recs[ia], *b = &ref_recs[ib];
	guint ha = bpfix_flow_key_hash(&a->key), hb = bpfix_flow_key_hash(&b->key);
	int c;

	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	if (a->end_ms != b->end_ms)
		return a->end_ms < b->end_ms ? -1 : 1;
	if (ha != hb)
		return ha < hb ? -1 : 1;
	c = memcmp(&a->key, &b->key, sizeof(a->key));
	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

static void expect_reference_order(const struct bpfix_record *recs, size_t n)
{
	const struct bpfix_record **order = calloc(n + 1, sizeof(*order));
	size_t *ref = calloc(n + 1, sizeof(*ref)), i;

	assert_non_null(order);
	assert_non_null(ref);
	for (i = 0; i < n; i++)
		ref[i] = i;
	ref_recs = recs;
	qsort(ref, n, sizeof(*ref), ref_order);
	bpfix_records_in_time_order(recs, n, order);
	for (i = 0; i < n; i++)
		assert_ptr_equal(order[i], &recs[ref[i]]);
	free(order);
	free(ref);
}

/* Few distinct times, keys repeated (the same flow twice in a batch, equal times included). */
static void equal_times_and_repeated_keys(void **state)
{
	enum { N = 20000, KEYS = 500 };
	struct bpfix_record *recs = calloc(N, sizeof(*recs));
	size_t i;

	(void)state;
	assert_non_null(recs);
	for (i = 0; i < N; i++) {
		key_of(&recs[i].key, (__u32)(rng() % KEYS));
		recs[i].start_ms = 1700000000000ull + rng() % 40;
		recs[i].end_ms = recs[i].start_ms + rng() % 3;
		recs[i].packets = i; /* tells equal records apart for the eye, not for the order */
	}
	expect_reference_order(recs, N);
	free(recs);
}

/* Times anywhere in 64 bits: every digit of the start and end varies. */
static void times_over_the_whole_range(void **state)
{
	enum { N = 5000 };
	struct bpfix_record *recs = calloc(N, sizeof(*recs));
	size_t i;

	(void)state;
	assert_non_null(recs);
	for (i = 0; i < N; i++) {
		key_of(&recs[i].key, (__u32)i);
		recs[i].start_ms = i % 7 ? rng() : (i % 2 ? 0 : UINT64_MAX);
		recs[i].end_ms = i % 5 ? rng() : UINT64_MAX;
	}
	expect_reference_order(recs, N);
	free(recs);
}

/* Equal times and equal hashes: the keys' octets decide, whichever came first. */
static void colliding_hashes_in_key_order(void **state)
{
	struct bpfix_record recs[6] = { 0 };
	struct bpfix_flow_key a, b;
	size_t i;

	(void)state;
	if (!colliding_keys(&a, &b))
		skip();
	for (i = 0; i < 6; i++) {
		recs[i].key = i % 2 ? a : b; /* b, a, b, a, b, a */
		recs[i].start_ms = recs[i].end_ms = 5000;
	}
	recs[4].start_ms = 4000; /* an earlier one first whatever its key */
	expect_reference_order(recs, 6);
}

static void empty_and_single_batches(void **state)
{
	struct bpfix_record rec = { .start_ms = 1, .end_ms = 2 };
	const struct bpfix_record *order[1] = { NULL };

	(void)state;
	bpfix_records_in_time_order(&rec, 0, order);
	assert_null(order[0]);
	bpfix_records_in_time_order(&rec, 1, order);
	assert_ptr_equal(order[0], &rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_times_and_repeated_keys),
		cmocka_unit_test(times_over_the_whole_range),
		cmocka_unit_test(colliding_hashes_in_key_order),
		cmocka_unit_test(empty_and_single_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
