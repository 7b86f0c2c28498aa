// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table's entry store (src/flow/flow_store.c) against a plain model (which keys are in,
 * and where each entry was put): random adds and removals over a few thousand keys, so the index
 * and the chunks grow while entries come and go; every entry stays where it was put (the timer
 * wheel links into them), freed entries are reused, and a filter removes exactly what it chose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "flow/flow_table_impl.h"

#define UNIVERSE 5000u
#define OPS 60000u

struct model {
	struct flow_entry *where[UNIVERSE]; /* NULL: not in the store */
	__u32 n, peak;
};

static void key_of(struct bpfix_flow_key *k, __u32 id)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src_addr, &id, sizeof(id));
	k->ip_version = 4;
}

static struct flow_entry *find_id(const struct flow_store *s, __u32 id)
{
	struct bpfix_flow_key k;

	key_of(&k, id);
	return bpfix_flow_store_find(s, &k, bpfix_flow_store_hash(&k));
}

static void check_against(const struct flow_store *s, const struct model *m)
{
	struct flow_entry *e;
	__u32 id;

	assert_int_equal(s->count, m->n);
	/* entries are reused: never more made than were in at once */
	assert_true(s->top <= m->peak);
	for (id = 0; id < UNIVERSE; id++) {
		e = find_id(s, id);
		assert_ptr_equal(e, m->where[id]);
		if (e)
			assert_int_equal(e->exported_packets, id);
	}
}

static void add_id(struct flow_store *s, struct model *m, __u32 id)
{
	struct flow_entry fresh = { .exported_packets = id }, *e;

	key_of(&fresh.key, id);
	e = bpfix_flow_store_add(s, &fresh);
	assert_non_null(e);
	assert_memory_equal(&e->key, &fresh.key, sizeof(fresh.key));
	m->where[id] = e;
	if (++m->n > m->peak)
		m->peak = m->n;
}

static bool odd(struct flow_entry *e, void *arg)
{
	struct model *m = arg;

	if (!(e->exported_packets & 1))
		return false;
	m->where[e->exported_packets] = NULL;
	m->n--;
	return true;
}

static void random_adds_and_removals(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct flow_store s;
	__u32 op, id;

	(void)state;
	assert_non_null(m);
	bpfix_flow_store_init(&s);
	srand(15);
	for (op = 1; op <= OPS; op++) {
		/* adds win early (the store grows to thousands), removals later (it shrinks) */
		bool grow = (__u32)rand() % OPS >= op;

		id = (__u32)rand() % UNIVERSE;
		if (!m->where[id] && (grow || rand() % 3 == 0)) {
			add_id(&s, m, id);
		} else if (m->where[id] && !grow) {
			bpfix_flow_store_remove(&s, m->where[id]);
			m->where[id] = NULL;
			m->n--;
		}
		if (op % 5000 == 0)
			check_against(&s, m);
	}
	assert_true(m->peak > 2048); /* the index grew and chunks were added */
	for (id = 0; id < UNIVERSE; id += 3)
		if (!m->where[id])
			add_id(&s, m, id);
	bpfix_flow_store_filter(&s, odd, m);
	check_against(&s, m);
	for (id = 0; id < UNIVERSE; id++)
		if (m->where[id])
			assert_int_equal(m->where[id]->exported_packets % 2, 0);
	bpfix_flow_store_fini(&s);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_adds_and_removals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
