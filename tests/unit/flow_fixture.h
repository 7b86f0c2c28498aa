/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the flow table's unit tests share: a fake flow source whose totals a test sets by hand (it
 * closes and removes flows with the close program's own step, bpfix_flow_close), a record sink
 * that keeps what it gets, and the cmocka fixture of a table over both. Clock: program clock 1 s
 * is epoch 1001 s; 0 means no record open.
 */
#ifndef BPFIX_TEST_FLOW_FIXTURE_H
#define BPFIX_TEST_FLOW_FIXTURE_H

#include <stdbool.h>

#include "bpfix_account.h"
#include "flow/flow_table.h"

#define S 1000000000ull /* ns per second */
#define MAX_FAKE 8

struct fake_source {
	struct bpfix_flow_key keys[MAX_FAKE];
	struct bpfix_flow_stats stats[MAX_FAKE];
	bool live[MAX_FAKE];
	int close_calls; /* close_many calls */
	int closed; /* records closed by close_many */
	int removed; /* flows removed by close_many */
	__u64 stragglers; /* packets the "program" adds between the walk and the close */
	int evict_before_close; /* 1 + the flow the map evicts between the walk and the close */
	__u64 life_before_close; /* non-zero: flow 0 is evicted and made again with this life */
	/* flows the source evicted and reports (the host engine does, the kernel cannot) */
	struct bpfix_flow_key evicted_keys[MAX_FAKE];
	struct bpfix_flow_stats evicted_stats[MAX_FAKE];
	int n_evicted;
};

struct sink {
	struct bpfix_record recs[16];
	int n;
	int fail; /* make the next emit fail */
};

struct fixture {
	struct fake_source src;
	struct bpfix_flow_source source;
	struct sink sink;
	struct bpfix_flow_table *ft;
};

/* The fixture's options, for a test to change before reopen(). */
struct bpfix_flow_table_opts default_opts(void);
/* cmocka setup and teardown: *state is the struct fixture. */
int setup(void **state);
int teardown(void **state);
/* A new table with @opts over the same source and sink. */
void reopen(struct fixture *f, const struct bpfix_flow_table_opts *opts);
/* Put flow @i in the source: port @port, totals and times as given. */
void set_flow(struct fixture *f, int i, __u16 port, __u64 packets, __u64 octets, __u64 first_ns,
	      __u64 last_ns, __u32 tcp_flags);
/* The source evicts flow @i and reports it, with these final totals. */
void evict_reported(struct fake_source *src, int i, __u64 packets, __u64 octets, __u64 last_ns);
void expect_record(const struct bpfix_record *r, __u16 port, __u64 packets, __u64 octets,
		   __u64 start_ms, __u64 end_ms, int reason);

#endif /* BPFIX_TEST_FLOW_FIXTURE_H */
