// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow source over the kernel maps: batch reads, runs of the close program (record closes,
 * removals, peeks), the forced-end drain, the program's flow notices and per-CPU counter sums,
 * with the connection map's evictions derived (the kernel's LRU tells no one). It never writes a
 * flow's value or a connection.
 * Loading is bpf_loader.c's, feeding frames test_run_feed.c's, attaching live's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_account.h"
#include "meter/ahead.h"
#include "meter/counters.h"
#include "meter/kernel_source.h"
#include "util/log.h"

#define BATCH_FLOWS 1024 /* flows read per bpf_map_lookup_batch call */
#define LRU_LOCAL_FREE 128 /* free entries an LRU map keeps per CPU (kernel/bpf/bpf_lru_list.h) */

struct bpfix_kernel_source {
	struct bpfix_flow_source source;
	int flows_fd;
	int counters_fd;
	int conns_fd;			/* TCP handshakes under way: counted, never read */
	int close_fd;			/* the close program */
	struct bpfix_close *closing;	/* its request array, mapped */
	size_t closing_len;
	int ncpus;
	struct bpfix_counter_values *percpu; /* the counters of each possible CPU */
	struct bpfix_flow_key *keys;	/* batch buffers: two batches of BATCH_FLOWS */
	struct bpfix_flow_stats *values;
	struct bpfix_conn_key *conn_keys; /* batch buffers of the connection count */
	struct bpfix_conn *conns;
	__u64 refused_truncated;	/* frames that never reached the program, all truncated */
	struct ring_buffer *notices;	/* the program's flow notices */
	__u64 notices_lost;		/* the program's count of lost notices at the last drain */
	bpfix_notice_fn notice_fn;	/* the drain under way: where each notice goes */
	void *notice_arg;
	struct bpfix_notice *held;	/* notices collected from the ring since the last drain */
	size_t held_len, held_cap;
	bool held_lost;			/* a collect found the queue full and dropped a notice */
	__u32 taken, take_max;		/* notices read by this consume, and at most (the ring's) */
};

/* A walk of the map in batches (of each: keys and values in one half of the source's buffers). */
struct walk {
	struct bpfix_kernel_source *ks;
	bool delete;		/* each batch also removed, atomically per flow */
	__u32 in_batch, out_batch;
	__u32 count[2];		/* flows of the batch in each half */
};

/* Read batch @step into half @step % 2; *@last: the map's end was reached. */
static int walk_step(void *ctx, __u32 step, bool *last)
{
	struct walk *w = ctx;
	struct bpfix_kernel_source *ks = w->ks;
	size_t half = (step % 2) * BATCH_FLOWS;
	__u32 count = BATCH_FLOWS;
	int err;

	err = (w->delete ? bpf_map_lookup_and_delete_batch : bpf_map_lookup_batch)(
		ks->flows_fd, step ? &w->in_batch : NULL, &w->out_batch, ks->keys + half,
		ks->values + half, &count, NULL);
	if (err && err != -ENOENT)
		return err;
	w->count[step % 2] = count;
	w->in_batch = w->out_batch;
	*last = err == -ENOENT;
	return 0;
}

/* Visit the flows of batch @step; a visit's non-zero return stops a walk that removes nothing. */
static int visit_batch(const struct walk *w, __u32 step, bpfix_flow_visit_fn fn, void *arg)
{
	size_t half = (step % 2) * BATCH_FLOWS;
	__u32 i;
	int ret;

	for (i = 0; i < w->count[step % 2]; i++) {
		ret = fn(&w->ks->keys[half + i], &w->ks->values[half + i], arg);
		if (ret && !w->delete)
			return ret;
	}
	return 0;
}

static int walk_failed(int err)
{
	bpfix_warn("reading the flow map: %s\n", strerror(-err));
	return err;
}

/* The walk on this thread only (no second one could start). */
static int walk_here(struct walk *w, bpfix_flow_visit_fn fn, void *arg)
{
	bool last = false;
	__u32 step;
	int err, ret;

	for (step = 0; !last; step++) {
		err = walk_step(w, step, &last);
		if (err)
			return walk_failed(err);
		ret = visit_batch(w, step, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Every flow, the next batch read on a second thread while this one visits the last (a walk of
 * a million flows: the kernel's half and the table's side by side).
 */
static int walk_batches(struct bpfix_kernel_source *ks, bool delete, bpfix_flow_visit_fn fn,
			void *arg)
{
	struct walk w = { .ks = ks, .delete = delete };
	struct bpfix_ahead ahead;
	bool finished = false;
	__u32 taken = 0, done;
	int err, ret = 0;

	if (bpfix_ahead_start(&ahead, walk_step, &w, 2))
		return walk_here(&w, fn, arg);
	while (!finished && !ret) {
		done = bpfix_ahead_wait(&ahead, taken, &finished);
		for (; taken < done && !ret; taken++) {
			ret = visit_batch(&w, taken, fn, arg);
			bpfix_ahead_took(&ahead, taken + 1);
		}
	}
	err = bpfix_ahead_end(&ahead);
	if (ret)
		return ret;
	return err ? walk_failed(err) : 0;
}

static int kernel_for_each(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return walk_batches(ctx, false, fn, arg);
}

static int kernel_drain(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return walk_batches(ctx, true, fn, arg);
}

/* One run of the close program over @count (at most BPFIX_CLOSE_BATCH) requests, answered in
 * place; 0 or a negative errno. */
static int close_run(struct bpfix_kernel_source *ks, struct bpfix_close *reqs, __u32 count)
{
	struct bpfix_close_ctx args = { .count = count };
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int err;

	memcpy(ks->closing, reqs, count * sizeof(*reqs));
	err = bpf_prog_test_run_opts(ks->close_fd, &run);
	if (!err && run.retval != count)
		err = -EIO;
	if (!err)
		memcpy(reqs, ks->closing, count * sizeof(*reqs));
	return err;
}

static __u32 run_length(__u32 done, __u32 n)
{
	return n - done < BPFIX_CLOSE_BATCH ? n - done : BPFIX_CLOSE_BATCH;
}

static int close_failed(int err)
{
	bpfix_warn("running the close program: %s\n", strerror(-err));
	return err;
}

/* The close program over @n requests, a batch of BPFIX_CLOSE_BATCH at a time. */
static int kernel_close_many(void *ctx, struct bpfix_close *reqs, __u32 n)
{
	__u32 done, count;
	int err;

	for (done = 0; done < n; done += count) {
		count = run_length(done, n);
		err = close_run(ctx, reqs + done, count);
		if (err)
			return close_failed(err);
	}
	return 0;
}

/* A long request list for the close program, one run a step. */
struct close_job {
	struct bpfix_kernel_source *ks;
	struct bpfix_close *reqs;
	__u32 n;
};

static int close_step(void *ctx, __u32 step, bool *last)
{
	struct close_job *j = ctx;
	__u32 first = step * BPFIX_CLOSE_BATCH, count = run_length(first, j->n);

	*last = first + count == j->n;
	return close_run(j->ks, j->reqs + first, count);
}

/* Runs that make a second thread worth it: the first answers are taken in while more come. */
#define CLOSE_AHEAD_MIN_RUNS 3

/*
 * The close program run after run on a second thread while the caller takes in the answers of
 * the runs done (a mass expiry: the kernel's removals, about half a microsecond a flow, beside
 * the table's records from them).
 */
static int kernel_close_many_each(void *ctx, struct bpfix_close *reqs, __u32 n,
				  bpfix_answered_fn answered, void *arg)
{
	struct close_job job = { .ks = ctx, .reqs = reqs, .n = n };
	struct bpfix_ahead ahead;
	bool finished = false;
	__u32 handed = 0, runs = 0, done;
	int err;

	if (n < CLOSE_AHEAD_MIN_RUNS * BPFIX_CLOSE_BATCH ||
	    bpfix_ahead_start(&ahead, close_step, &job, UINT32_MAX)) {
		err = kernel_close_many(ctx, reqs, n);
		answered(0, n, arg);
		return err;
	}
	while (!finished) {
		runs = bpfix_ahead_wait(&ahead, runs, &finished);
		done = runs * BPFIX_CLOSE_BATCH < n ? runs * BPFIX_CLOSE_BATCH : n;
		if (done > handed)
			answered(handed, done - handed, arg);
		handed = done;
	}
	err = bpfix_ahead_end(&ahead);
	if (handed < n)
		answered(handed, n - handed, arg); /* not done: still BPFIX_CLOSE_PENDING */
	return err ? close_failed(err) : 0;
}

/* Entries in the connection map now, or a negative errno. */
static long long count_conns(struct bpfix_kernel_source *ks)
{
	__u32 in_batch, out_batch, count;
	long long n = 0;
	void *in = NULL;
	int err;

	for (;;) {
		count = BATCH_FLOWS;
		err = bpf_map_lookup_batch(ks->conns_fd, in, &out_batch, ks->conn_keys, ks->conns,
					   &count, NULL);
		if (err && err != -ENOENT)
			return err;
		n += count;
		if (err == -ENOENT)
			return n;
		in_batch = out_batch;
		in = &in_batch;
	}
}

/*
 * The program counts handshakes it put into the connection map and took out; the rest of those
 * it put in are there still, or were evicted. A handshake racing the count may be off by one
 * until the next read.
 */
static int derive_conns_evicted(struct bpfix_kernel_source *ks, __u64 counters[BPFIX_CNT_MAX])
{
	__u64 left = counters[BPFIX_CNT_TCP_HANDSHAKES] - counters[BPFIX_CNT_TCP_HANDSHAKES_DONE];
	long long present = count_conns(ks);

	if (present < 0) {
		bpfix_warn("counting the connection map: %s\n", strerror((int)-present));
		return (int)present;
	}
	counters[BPFIX_CNT_TCP_HANDSHAKES_EVICTED] = left > (__u64)present ? left - present : 0;
	return 0;
}

static int kernel_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	struct bpfix_kernel_source *ks = ctx;
	int err;

	err = bpfix_counters_read_kernel(ks->counters_fd, ks->percpu, ks->ncpus, counters);
	if (err)
		return err;
	counters[BPFIX_CNT_SEEN] += ks->refused_truncated;
	counters[BPFIX_CNT_NOT_METERED_TRUNCATED] += ks->refused_truncated;
	return derive_conns_evicted(ks, counters);
}

/*
 * Keep a notice until the next drain. The queue holds at most as many notices as the map holds
 * flows (about three quarters of the map's own memory, and only under a flood of new flows);
 * past that the notice is dropped and the next drain says so, as the ring would.
 */
static void hold_notice(struct bpfix_kernel_source *ks, const struct bpfix_notice *n)
{
	size_t cap = ks->held_cap ? ks->held_cap * 2 : 1024;
	struct bpfix_notice *grown;

	if (ks->held_len == ks->held_cap) {
		if (cap > ks->source.silent_capacity)
			cap = ks->source.silent_capacity;
		grown = cap > ks->held_cap ? realloc(ks->held, cap * sizeof(*grown)) : NULL;
		if (!grown) {
			ks->held_lost = true;
			return;
		}
		ks->held = grown;
		ks->held_cap = cap;
	}
	ks->held[ks->held_len++] = *n;
}

/*
 * libbpf hands over notices for as long as the program adds them: a consume stops after a ring's
 * worth (this one is kept; the rest is the next consume's), so a flood cannot hold a sweep.
 */
static int on_notice(void *ctx, void *data, size_t size)
{
	struct bpfix_kernel_source *ks = ctx;

	if (size < sizeof(struct bpfix_notice))
		return 0;
	if (ks->notice_fn)
		ks->notice_fn(data, ks->notice_arg);
	else
		hold_notice(ks, data);
	return ++ks->taken < ks->take_max ? 0 : -EAGAIN;
}

/* Consume at most a ring's worth of notices: 0, or a negative errno. */
static int consume_notices(struct bpfix_kernel_source *ks)
{
	int err;

	ks->taken = 0;
	err = ring_buffer__consume(ks->notices);
	return err < 0 && err != -EAGAIN ? err : 0;
}

int bpfix_kernel_source__collect_notices(struct bpfix_kernel_source *ks)
{
	ks->notice_fn = NULL;
	return consume_notices(ks);
}

/*
 * The loss is read before the ring: a notice lost while it is consumed is the next drain's. The
 * notices collected before go first: they are older than those still in the ring.
 */
static int kernel_drain_notices(void *ctx, bpfix_notice_fn fn, void *arg, bool *lost)
{
	struct bpfix_kernel_source *ks = ctx;
	__u64 counters[BPFIX_CNT_MAX];
	size_t i;
	int err;

	err = bpfix_counters_read_kernel(ks->counters_fd, ks->percpu, ks->ncpus, counters);
	if (err) {
		bpfix_warn("reading the notice loss count: %s\n", strerror(-err));
		return err;
	}
	*lost = counters[BPFIX_CNT_NOTICES_LOST] != ks->notices_lost || ks->held_lost;
	ks->notices_lost = counters[BPFIX_CNT_NOTICES_LOST];
	ks->held_lost = false;
	for (i = 0; i < ks->held_len; i++)
		fn(&ks->held[i], arg);
	ks->held_len = 0;
	ks->notice_fn = fn;
	ks->notice_arg = arg;
	err = consume_notices(ks);
	ks->notice_fn = NULL;
	if (err) {
		bpfix_warn("reading the flow notices: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static const struct bpfix_flow_source_ops kernel_source_ops = {
	.for_each = kernel_for_each,
	.close_many = kernel_close_many,
	.close_many_each = kernel_close_many_each,
	.drain = kernel_drain,
	.read_counters = kernel_read_counters,
	.drain_notices = kernel_drain_notices,
};

/*
 * How many flows the LRU map holds before it may evict: each CPU keeps up to LRU_LOCAL_FREE free
 * entries of its own (the kernel's LOCAL_FREE_TARGET, at most half the map on recent kernels),
 * which the others cannot take, so a CPU may evict that much before the map is full.
 */
static __u64 silent_capacity(__u32 max_flows, int ncpus)
{
	__u64 reserved = (__u64)ncpus * LRU_LOCAL_FREE;

	if (reserved > max_flows / 2)
		reserved = max_flows / 2;
	return max_flows - reserved;
}

struct bpfix_kernel_source *bpfix_kernel_source__new(const struct bpfix_bpf *bpf)
{
	struct bpfix_kernel_source *ks = calloc(1, sizeof(*ks));
	int err;

	if (!ks)
		return NULL;
	ks->ncpus = libbpf_num_possible_cpus();
	if (ks->ncpus <= 0) {
		err = ks->ncpus ? ks->ncpus : -EINVAL;
		bpfix_err("cannot count possible CPUs: %s\n", strerror(-err));
		goto fail;
	}
	ks->percpu = calloc(ks->ncpus, sizeof(*ks->percpu));
	ks->keys = calloc(2 * BATCH_FLOWS, sizeof(*ks->keys)); /* a batch visited, one read */
	ks->values = calloc(2 * BATCH_FLOWS, sizeof(*ks->values));
	ks->conn_keys = calloc(BATCH_FLOWS, sizeof(*ks->conn_keys));
	ks->conns = calloc(BATCH_FLOWS, sizeof(*ks->conns));
	if (!ks->percpu || !ks->keys || !ks->values || !ks->conn_keys || !ks->conns) {
		err = -ENOMEM;
		goto fail;
	}
	ks->flows_fd = bpfix_bpf__flows_fd(bpf);
	ks->counters_fd = bpfix_bpf__counters_fd(bpf);
	ks->conns_fd = bpfix_bpf__conns_fd(bpf);
	ks->close_fd = bpfix_bpf__close_prog_fd(bpf);
	/* an mmapable array's values start at offset 0, each rounded up to 8 octets */
	_Static_assert(sizeof(struct bpfix_close) % 8 == 0, "bpfix_close: array stride");
	ks->closing_len = BPFIX_CLOSE_BATCH * sizeof(struct bpfix_close);
	ks->closing = mmap(NULL, ks->closing_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			   bpfix_bpf__closing_fd(bpf), 0);
	if (ks->closing == MAP_FAILED) {
		err = -errno;
		ks->closing = NULL;
		bpfix_err("cannot map the close program's requests: %s\n", strerror(-err));
		goto fail;
	}
	ks->notices = ring_buffer__new(bpfix_bpf__notices_fd(bpf), on_notice, ks, NULL);
	if (!ks->notices) {
		err = -errno;
		bpfix_err("cannot map the flow notice ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	ks->source.ops = &kernel_source_ops;
	ks->source.ctx = ks;
	ks->take_max = bpfix_bpf__notice_ring_bytes(bpf) / BPFIX_NOTICE_RING_RECORD;
	ks->source.silent_capacity = silent_capacity(bpfix_bpf__max_flows(bpf), ks->ncpus);
	return ks;
fail:
	bpfix_kernel_source__free(ks);
	errno = -err;
	return NULL;
}

struct bpfix_flow_source *bpfix_kernel_source__source(struct bpfix_kernel_source *ks)
{
	return &ks->source;
}

void bpfix_kernel_source__add_truncated(struct bpfix_kernel_source *ks, __u64 packets)
{
	ks->refused_truncated += packets;
}

void bpfix_kernel_source__free(struct bpfix_kernel_source *ks)
{
	if (!ks)
		return;
	if (ks->closing)
		munmap(ks->closing, ks->closing_len);
	ring_buffer__free(ks->notices);
	free(ks->held);
	free(ks->percpu);
	free(ks->keys);
	free(ks->values);
	free(ks->conn_keys);
	free(ks->conns);
	free(ks);
}
