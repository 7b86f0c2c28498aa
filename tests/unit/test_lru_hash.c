// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host engine's exact-LRU hash map (src/meter/lru_hash.c) against a plain model (an array of
 * keys with their last use), through random inserts, uses and removals while the map grows, with
 * a good hash and with hashes made to collide and to wrap around the slot array; the key hash
 * (every octet counts, the low bits spread); and the host engine's eviction order and life ids
 * through whole frames.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bpfix_flow.h"
#include "frame_builder.h"
#include "meter/flow_key_hash.h"
#include "meter/host_meter.h"
#include "meter/lru_hash.h"

#define UNIVERSE 1000	/* distinct keys the random runs draw from */
#define MAX_ENTRIES 300 /* not a power of two: the last growth stops short */
#define OPS 20000

struct value {
	__u32 id;
	__u32 stamp;
};

struct model {
	__u32 n;
	__u32 ids[MAX_ENTRIES];
	__u32 used[MAX_ENTRIES]; /* op number of the last insert or use */
};

typedef __u32 (*hash_fn)(const struct bpfix_flow_key *key, __u32 id);

static void key_of(struct bpfix_flow_key *k, __u32 id)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src_addr, &id, sizeof(id));
	k->ip_version = 4;
}

static __u32 good_hash(const struct bpfix_flow_key *key, __u32 id)
{
	(void)id;
	return bpfix_key_hash(key, sizeof(*key));
}

/* Eight hashes for every key: long clusters, equal hashes of different keys. */
static __u32 colliding_hash(const struct bpfix_flow_key *key, __u32 id)
{
	(void)key;
	return id % 8;
}

/* Homes in the last slots whatever the table's size: every cluster wraps to slot 0. */
static __u32 wrapping_hash(const struct bpfix_flow_key *key, __u32 id)
{
	(void)key;
	return 0xFFFFFFFFu - id % 4;
}

static int model_find(const struct model *m, __u32 id)
{
	__u32 i;

	for (i = 0; i < m->n; i++)
		if (m->ids[i] == id)
			return (int)i;
	return -1;
}

static int model_stalest(const struct model *m)
{
	__u32 i, best = 0;

	for (i = 1; i < m->n; i++)
		if (m->used[i] < m->used[best])
			best = i;
	return (int)best;
}

static void model_remove(struct model *m, int i)
{
	m->n--;
	m->ids[i] = m->ids[m->n];
	m->used[i] = m->used[m->n];
}

/* The stalest the same; if @all, every model key found with its value and keys not in the model
 * absent. */
static void check_against(const struct bpfix_lru_hash *map, const struct model *m, hash_fn hash,
			  int all)
{
	struct bpfix_flow_key k;
	const struct value *v;
	__u32 i, e, id;

	assert_int_equal(map->count, m->n);
	for (i = 0; all && i < m->n; i++) {
		key_of(&k, m->ids[i]);
		e = bpfix_lru_hash__find(map, &k, hash(&k, m->ids[i]));
		assert_int_not_equal(e, BPFIX_LRU_NONE);
		v = bpfix_lru_hash__value(map, e);
		assert_int_equal(v->id, m->ids[i]);
		assert_int_equal(v->stamp, m->used[i]);
	}
	for (id = UNIVERSE; all && id < UNIVERSE + 20; id++) {
		key_of(&k, id);
		assert_int_equal(bpfix_lru_hash__find(map, &k, hash(&k, id)), BPFIX_LRU_NONE);
	}
	if (m->n) {
		v = bpfix_lru_hash__value(map, bpfix_lru_hash__stalest(map));
		assert_int_equal(v->id, m->ids[model_stalest(m)]);
	} else {
		assert_int_equal(bpfix_lru_hash__stalest(map), BPFIX_LRU_NONE);
	}
}

/* A packet of key @id: use it, or insert it after evicting the stalest when full. */
static void use_or_insert(struct bpfix_lru_hash *map, struct model *m, __u32 id, __u32 op,
			  hash_fn hash)
{
	struct bpfix_flow_key k;
	struct value *v;
	int i = model_find(m, id);
	__u32 e;

	key_of(&k, id);
	e = bpfix_lru_hash__find(map, &k, hash(&k, id));
	if (i >= 0) {
		assert_int_not_equal(e, BPFIX_LRU_NONE);
		bpfix_lru_hash__touch(map, e);
		((struct value *)bpfix_lru_hash__value(map, e))->stamp = op;
		m->used[i] = op;
		return;
	}
	assert_int_equal(e, BPFIX_LRU_NONE);
	if (bpfix_lru_hash__full(map)) {
		int s = model_stalest(m);

		e = bpfix_lru_hash__stalest(map);
		assert_int_equal(((struct value *)bpfix_lru_hash__value(map, e))->id, m->ids[s]);
		bpfix_lru_hash__delete(map, e);
		model_remove(m, s);
	}
	e = bpfix_lru_hash__insert(map, &k, hash(&k, id));
	assert_int_not_equal(e, BPFIX_LRU_NONE);
	v = bpfix_lru_hash__value(map, e);
	v->id = id;
	v->stamp = op;
	m->ids[m->n] = id;
	m->used[m->n++] = op;
}

static void remove_id(struct bpfix_lru_hash *map, struct model *m, __u32 id, hash_fn hash)
{
	struct bpfix_flow_key k;
	int i = model_find(m, id);
	__u32 e;

	key_of(&k, id);
	e = bpfix_lru_hash__find(map, &k, hash(&k, id));
	assert_int_equal(e == BPFIX_LRU_NONE, i < 0);
	if (i < 0)
		return;
	bpfix_lru_hash__delete(map, e);
	model_remove(m, i);
}

static void random_run(hash_fn hash, unsigned int seed)
{
	struct bpfix_lru_hash *map = bpfix_lru_hash__new(sizeof(struct bpfix_flow_key),
							 sizeof(struct value), MAX_ENTRIES);
	struct model *m = calloc(1, sizeof(*m));
	__u32 op, grew_to = 0;

	assert_non_null(map);
	assert_non_null(m);
	srand(seed);
	for (op = 1; op <= OPS; op++) {
		__u32 id = (__u32)rand() % UNIVERSE;

		if (rand() % 5 == 0)
			remove_id(map, m, id, hash);
		else
			use_or_insert(map, m, id, op, hash);
		check_against(map, m, hash, op % 7 == 0);
		if (map->room > grew_to)
			grew_to = map->room;
		if (op == OPS / 2) { /* emptied and refilled: the arrays are reused */
			bpfix_lru_hash__clear(map);
			m->n = 0;
			check_against(map, m, hash, 1);
		}
	}
	assert_int_equal(grew_to, MAX_ENTRIES); /* it grew from its first room to the maximum */
	assert_true(map->slot_mask + 1 >= 2 * MAX_ENTRIES);
	bpfix_lru_hash__free(map);
	free(m);
}

static void test_random_good_hash(void **state)
{
	(void)state;
	random_run(good_hash, 1);
	random_run(good_hash, 2);
}

static void test_random_colliding_hash(void **state)
{
	(void)state;
	random_run(colliding_hash, 3);
}

static void test_random_wrapping_hash(void **state)
{
	(void)state;
	random_run(wrapping_hash, 4);
}

static __u32 stalest_id(const struct bpfix_lru_hash *map)
{
	return ((const struct value *)bpfix_lru_hash__value(map, bpfix_lru_hash__stalest(map)))->id;
}

static void test_sizes_refused(void **state)
{
	struct bpfix_lru_hash *m;

	(void)state;
	assert_null(bpfix_lru_hash__new(64, 32, 0));
	assert_null(bpfix_lru_hash__new(62, 32, 16));
	errno = 0;
	assert_null(bpfix_lru_hash__new(64, 32, (1u << 30) + 1)); /* its slots would wrap */
	assert_int_equal(errno, EINVAL);
	m = bpfix_lru_hash__new(64, 32, 1u << 30); /* allocated as it fills: small at first */
	assert_non_null(m);
	bpfix_lru_hash__free(m);
}

/* The stalest follows the order of last use exactly, a removal in the middle included. */
static void test_eviction_order(void **state)
{
	struct bpfix_lru_hash *map = bpfix_lru_hash__new(sizeof(struct bpfix_flow_key),
							 sizeof(struct value), 4);
	struct bpfix_flow_key k;
	__u32 e[5], id;

	(void)state;
	for (id = 0; id < 4; id++) {
		key_of(&k, id);
		e[id] = bpfix_lru_hash__insert(map, &k, good_hash(&k, id));
		((struct value *)bpfix_lru_hash__value(map, e[id]))->id = id;
	}
	assert_true(bpfix_lru_hash__full(map));
	key_of(&k, 4);
	assert_int_equal(bpfix_lru_hash__insert(map, &k, good_hash(&k, 4)), BPFIX_LRU_NONE);
	bpfix_lru_hash__touch(map, e[0]); /* order, stalest first: 1 2 3 0 */
	assert_int_equal(bpfix_lru_hash__stalest(map), e[1]);
	bpfix_lru_hash__delete(map, e[1]); /* 2 3 0; entry 3 moved into 1's place */
	assert_int_equal(stalest_id(map), 2);
	bpfix_lru_hash__delete(map, bpfix_lru_hash__stalest(map)); /* 3 0 */
	assert_int_equal(stalest_id(map), 3);
	bpfix_lru_hash__free(map);
}

/* Flipping any one bit of a key, padding included, changes its hash. */
static void flip_every_bit(size_t len)
{
	__u8 key[80];
	__u32 h;
	size_t i;
	int bit;

	for (i = 0; i < len; i++)
		key[i] = (__u8)(i * 37 + 11);
	h = bpfix_key_hash(key, len);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			key[i] ^= (__u8)(1u << bit);
			assert_int_not_equal(bpfix_key_hash(key, len), h);
			key[i] ^= (__u8)(1u << bit);
		}
	memset(key, 0, sizeof(key)); /* an all-zero key too: no lane may ignore its words */
	h = bpfix_key_hash(key, len);
	for (i = 0; i < len; i++) {
		key[i] = 1;
		assert_int_not_equal(bpfix_key_hash(key, len), h);
		key[i] = 0;
	}
}

static void test_hash_every_octet(void **state)
{
	size_t len;

	(void)state;
	flip_every_bit(sizeof(struct bpfix_flow_key));
	flip_every_bit(sizeof(struct bpfix_conn_key));
	/* every length the hash takes (a multiple of 4 up to 80): each tail case */
	for (len = 4; len <= 80; len += 4)
		flip_every_bit(len);
}

/* 2^16 IPv4 flows differing in address and port only: the low 17 bits (what a table of 2^17
 * slots indexes with) spread about evenly, and the 32-bit hashes hardly ever collide. */
static void test_hash_spreads_low_bits(void **state)
{
	enum { N = 1 << 16, BUCKETS = 1 << 17 };
	__u8 *load = calloc(BUCKETS, 1);
	__u32 *all = calloc(N, sizeof(*all));
	struct bpfix_flow_key k;
	__u32 i, most = 0, same = 0;

	(void)state;
	assert_non_null(load);
	assert_non_null(all);
	for (i = 0; i < N; i++) {
		memset(&k, 0, sizeof(k));
		k.src_addr[0] = 10;
		k.src_addr[3] = (__u8)i;
		k.src_addr[2] = (__u8)(i >> 8);
		k.dst_addr[0] = 192;
		k.src_port = (__u16)(40000 + i % 7);
		k.dst_port = 443;
		k.ip_version = 4;
		k.protocol = 6;
		all[i] = bpfix_key_hash(&k, sizeof(k));
		if (++load[all[i] & (BUCKETS - 1)] > most)
			most = load[all[i] & (BUCKETS - 1)];
	}
	for (i = 1; i < N; i++) /* neighbours differ by one address octet: the likeliest clash */
		same += all[i] == all[i - 1];
	assert_true(most <= 8); /* Poisson(0.5): P(any bucket > 8) is about 1e-5 */
	assert_int_equal(same, 0);
	free(load);
	free(all);
}

/* A UDP frame of flow @n (its source port), ready for the host engine. */
static struct frame *udp_frame(__u16 n)
{
	static const __u8 mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };
	static struct frame f;

	frame_init(&f);
	frame_eth(&f, mac_b, mac_a, 0x0800);
	frame_ipv4(&f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 17, .ttl = 64 });
	frame_udp(&f, n, 53);
	frame_payload(&f, 10);
	frame_finish(&f);
	return &f;
}

struct seen {
	__u32 n;
	__u16 port[8];
	__u64 packets[8], life[8];
};

static int record_flow(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
		       void *arg)
{
	struct seen *s = arg;

	s->port[s->n] = key->src_port;
	s->packets[s->n] = stats->packets;
	s->life[s->n++] = stats->life;
	return 0;
}

/* The engine evicts the least recently updated flow, hands it to drain_evicted with its totals,
 * and a key created again gets a new life. */
static void test_engine_evicts_least_recently_updated(void **state)
{
	struct bpfix_host_engine *eng = bpfix_host_engine__new(2, 16, BPFIX_GTPU_PORT);
	struct bpfix_flow_source *src;
	struct seen ev = { 0 }, live = { 0 };
	__u64 counters[BPFIX_CNT_MAX];
	const __u16 ports[] = { 1001, 1002, 1001, 1003, 1002 };
	__u32 i;

	(void)state;
	assert_non_null(eng);
	src = bpfix_host_engine__source(eng);
	/* A B A C: B is the stalest when C comes; then B again: A goes */
	for (i = 0; i < 5; i++) {
		struct frame *f = udp_frame(ports[i]);

		bpfix_host_engine__run_frame(eng, f->bytes, f->len, 1000 + i);
	}
	/* whatever the engine still holds back is accounted before anything is read */
	src->ops->read_counters(src->ctx, counters);
	assert_int_equal(counters[BPFIX_CNT_METERED], 5);
	assert_int_equal(counters[BPFIX_CNT_FLOWS_CREATED], 4);
	src->ops->drain_evicted(src->ctx, record_flow, &ev);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.port[0], 1002);
	assert_int_equal(ev.packets[0], 1);
	assert_int_equal(ev.life[0], 2);
	assert_int_equal(ev.port[1], 1001);
	assert_int_equal(ev.packets[1], 2);
	assert_int_equal(ev.life[1], 1);
	src->ops->drain(src->ctx, record_flow, &live);
	assert_int_equal(live.n, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(live.packets[i], 1);
		assert_int_equal(live.life[i], live.port[i] == 1003 ? 3 : 4); /* B's second life */
	}
	bpfix_host_engine__free(eng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_good_hash),
		cmocka_unit_test(test_random_colliding_hash),
		cmocka_unit_test(test_random_wrapping_hash),
		cmocka_unit_test(test_sizes_refused),
		cmocka_unit_test(test_eviction_order),
		cmocka_unit_test(test_hash_every_octet),
		cmocka_unit_test(test_hash_spreads_low_bits),
		cmocka_unit_test(test_engine_evicts_least_recently_updated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
