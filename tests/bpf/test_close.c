// SPDX-License-Identifier: GPL-2.0-only
/*
 * The close program (bpfix_close, DESIGN.md §4) and the flow value's per-life and per-record
 * fields, through both replay engines: the kernel one (the TC program and the close program under
 * BPF_PROG_TEST_RUN, read through kernel_source.c) and the host one. Each scenario runs the same
 * frames and the same close requests through both, and checks both against values written here:
 * a record close returns the record and leaves the per-record fields empty, a removal reads and
 * deletes, or refuses when the flow had packets since, another life or no flow is left alone;
 * each life has its own id; a record starts at its earliest packet, whatever the file order;
 * more requests than one run takes, and (kernel) answers handed over run by run while the next
 * runs go on. Exit 77: no BPF here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <glib.h>

#include "bpfix_account.h"
#include "engines.h"
#include "packet_cases.h"

#define S 1000000000ull
#define T0 (1700000000ull * S) /* a plausible pcap time */
#define MAX_FLOWS 4096
#define MANY (BPFIX_CLOSE_BATCH + BPFIX_CLOSE_BATCH / 2) /* two runs of the close program */
#define IN_RUNS (3 * BPFIX_CLOSE_BATCH + BPFIX_CLOSE_BATCH / 2) /* the answers taken in runs */

/* A frame of row @name, its TCP source port set to @port and its TTL to @ttl (0: the row's). */
static void make_frame(struct frame *f, const char *name, __u16 port, __u8 ttl)
{
	const struct packet_case *pc = packet_case_find(name);

	packet_case_frame(pc, f);
	if (port) { /* IPv4 without options: the TCP header at 34 */
		f->bytes[34] = (__u8)(port >> 8);
		f->bytes[35] = (__u8)port;
	}
	if (ttl)
		f->bytes[22] = ttl; /* no checksum is checked */
}

static int run_frame(struct engine *e, const struct frame *f, __u64 tstamp)
{
	return engine_run_frame(e, f->bytes, f->len, tstamp);
}

static bool flow_of(struct engine *e, const struct bpfix_flow_key *key,
		    struct bpfix_flow_stats *stats)
{
	return engine_flow(e, key, stats);
}

static unsigned int flow_count(struct engine *e)
{
	return engine_flow_count(e);
}

static void key_of(struct bpfix_flow_key *k, const char *name, __u16 port)
{
	const struct packet_case *pc = packet_case_find(name);
	struct bpfix_pkt_meta m = pc->meta;

	if (port)
		m.src_port = port;
	bpfix_flow_key_from_meta(k, &m, 0, BPFIX_DIR_INGRESS);
}

static struct bpfix_close request(const struct bpfix_flow_key *key, enum bpfix_close_op op,
				  const struct bpfix_flow_stats *seen)
{
	return (struct bpfix_close){ .key = *key, .op = op, .stats = *seen };
}

static void close_one(struct engine *e, struct bpfix_close *c)
{
	if (e->src->ops->close_many(e->src->ctx, c, 1))
		fail(e, "close", "close_many failed");
}

/* A record closes: the record's fields come back, the flow's are empty, the totals go on. */
static void record_close(struct engine *e)
{
	const char *what = "record close";
	struct bpfix_flow_stats s, seen;
	struct bpfix_flow_key key;
	struct bpfix_close c;
	struct frame f;

	key_of(&key, "ipv4-tcp-syn", 0);
	make_frame(&f, "ipv4-tcp-syn", 0, 0); /* TTL 64, SYN */
	run_frame(e, &f, T0 + 10 * S);
	make_frame(&f, "ipv4-tcp-syn", 0, 50);
	run_frame(e, &f, T0 + 10 * S + S / 2);
	if (!flow_of(e, &key, &seen)) {
		fail(e, what, "no flow after two packets");
		return;
	}
	c = request(&key, BPFIX_CLOSE_RECORD, &seen);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_DONE);
	CHECK_EQ(e, what, c.stats.packets, 2);
	CHECK_EQ(e, what, c.stats.octets, 80);
	CHECK_EQ(e, what, c.stats.first_ns, T0 + 10 * S);
	CHECK_EQ(e, what, c.stats.last_ns, T0 + 10 * S + S / 2);
	CHECK_EQ(e, what, c.stats.tcp_flags, 0x02);
	CHECK_EQ(e, what, c.stats.ttl_range, BPFIX_TTL_RANGE(50, 64));
	CHECK_EQ(e, what, c.stats.life, seen.life);
	if (!flow_of(e, &key, &s)) {
		fail(e, what, "the flow is gone after its record closed");
		return;
	}
	CHECK_EQ(e, what, s.packets, 2);
	CHECK_EQ(e, what, s.first_ns, 0);
	CHECK_EQ(e, what, s.record, 0x00ff); /* TTL range empty (255, 0), no flags */
	CHECK_EQ(e, what, s.life, seen.life);
	/* the next packet opens the next record */
	make_frame(&f, "ipv4-tcp-syn", 0, 60);
	run_frame(e, &f, T0 + 11 * S);
	flow_of(e, &key, &s);
	CHECK_EQ(e, what, s.packets, 3);
	CHECK_EQ(e, what, s.first_ns, T0 + 11 * S);
	CHECK_EQ(e, what, s.ttl_range, BPFIX_TTL_RANGE(60, 60));
	CHECK_EQ(e, what, s.tcp_flags, 0x02);
}

/* A record starts at its earliest packet, not at its first in file order (issue 12 §2). */
static void earliest_start(struct engine *e)
{
	const char *what = "earliest start";
	struct bpfix_flow_stats s;
	struct bpfix_flow_key key;
	struct bpfix_close c;
	struct frame f;

	key_of(&key, "ipv4-tcp-fin-ack", 0);
	make_frame(&f, "ipv4-tcp-fin-ack", 0, 0);
	run_frame(e, &f, T0 + 20 * S + 600000000);
	run_frame(e, &f, T0 + 20 * S + 300000000); /* earlier, later in the file */
	if (!flow_of(e, &key, &s)) {
		fail(e, what, "no flow");
		return;
	}
	CHECK_EQ(e, what, s.first_ns, T0 + 20 * S + 300000000);
	CHECK_EQ(e, what, s.last_ns, T0 + 20 * S + 600000000);
	/* and in the record after a close */
	c = request(&key, BPFIX_CLOSE_RECORD, &s);
	close_one(e, &c);
	run_frame(e, &f, T0 + 21 * S);
	run_frame(e, &f, T0 + 20 * S + 900000000);
	flow_of(e, &key, &s);
	CHECK_EQ(e, what, s.first_ns, T0 + 20 * S + 900000000);
	CHECK_EQ(e, what, s.last_ns, T0 + 21 * S);
}

/* Removals: done (read and deleted), alive, another life, no flow; each flow its own life. */
static void removals_and_lives(struct engine *e)
{
	const char *what = "removal";
	struct bpfix_flow_stats a, b, s;
	struct bpfix_flow_key ka, kb;
	struct bpfix_close c;
	struct frame f;

	key_of(&ka, "ipv4-tcp-syn", 1001);
	key_of(&kb, "ipv4-tcp-syn", 1002);
	make_frame(&f, "ipv4-tcp-syn", 1001, 0);
	run_frame(e, &f, T0 + 30 * S);
	make_frame(&f, "ipv4-tcp-syn", 1002, 0);
	run_frame(e, &f, T0 + 30 * S);
	if (!flow_of(e, &ka, &a) || !flow_of(e, &kb, &b)) {
		fail(e, what, "missing flows");
		return;
	}
	/* lives: non-zero, distinct; the kernel's carry a CPU number below the sequence */
	if (!a.life || !b.life || a.life == b.life)
		fail(e, "lives", "life ids %llu and %llu", (unsigned long long)a.life,
		     (unsigned long long)b.life);
	if (e->bpf && ((a.life >> BPFIX_LIFE_CPU_BITS) == 0 ||
		       (int)(a.life & ((1u << BPFIX_LIFE_CPU_BITS) - 1)) >=
			       libbpf_num_possible_cpus()))
		fail(e, "lives", "life id 0x%llx is not sequence << %d | CPU",
		     (unsigned long long)a.life, BPFIX_LIFE_CPU_BITS);

	/* a packet came since the walk: alive, left alone, its totals back */
	s = a;
	s.packets--;
	c = request(&ka, BPFIX_CLOSE_REMOVE, &s);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_ALIVE);
	CHECK_EQ(e, what, c.stats.packets, a.packets);
	CHECK_EQ(e, what, flow_of(e, &ka, &s), 1);
	/* another life under the key: left alone */
	s = a;
	s.life++;
	c = request(&ka, BPFIX_CLOSE_REMOVE, &s);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_OTHER_LIFE);
	CHECK_EQ(e, what, flow_of(e, &ka, &s), 1);
	c = request(&ka, BPFIX_CLOSE_RECORD, &s);
	c.stats.life++;
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_OTHER_LIFE);
	CHECK_EQ(e, what, flow_of(e, &ka, &s), 1);
	CHECK_EQ(e, what, s.first_ns, T0 + 30 * S); /* not closed */
	/* as the walk saw it: read and removed */
	c = request(&ka, BPFIX_CLOSE_REMOVE, &a);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_DONE);
	CHECK_EQ(e, what, c.stats.packets, 1);
	CHECK_EQ(e, what, c.stats.octets, 40);
	CHECK_EQ(e, what, flow_of(e, &ka, &s), 0);
	CHECK_EQ(e, what, flow_of(e, &kb, &s), 1);
	/* gone: nothing to do either way */
	c = request(&ka, BPFIX_CLOSE_REMOVE, &a);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_GONE);
	c = request(&ka, BPFIX_CLOSE_RECORD, &a);
	close_one(e, &c);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_GONE);
	/* the key again: a new life */
	make_frame(&f, "ipv4-tcp-syn", 1001, 0);
	run_frame(e, &f, T0 + 31 * S);
	flow_of(e, &ka, &s);
	if (s.life == a.life || s.life == b.life || !s.life)
		fail(e, "lives", "the key's new life has id %llu (before: %llu)",
		     (unsigned long long)s.life, (unsigned long long)a.life);
}

static int visit_request(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			 void *arg)
{
	GArray *reqs = arg;
	struct bpfix_close c = request(key, BPFIX_CLOSE_REMOVE, stats);

	g_array_append_val(reqs, c);
	return 0;
}

/* @n flows made (source ports from @port), then read as removal requests into a new array. */
static GArray *flows_to_remove(struct engine *e, const char *what, unsigned int n, __u16 port)
{
	GArray *reqs = g_array_new(FALSE, FALSE, sizeof(struct bpfix_close));
	unsigned int i, before = flow_count(e);
	struct frame f;

	for (i = 0; i < n; i++) {
		make_frame(&f, "ipv4-tcp-syn", (__u16)(port + i), 0);
		run_frame(e, &f, T0 + 40 * S);
	}
	CHECK_EQ(e, what, flow_count(e), before + n);
	e->src->ops->for_each(e->src->ctx, visit_request, reqs);
	return reqs;
}

static unsigned int removed(const GArray *reqs)
{
	unsigned int i, done = 0;

	for (i = 0; i < reqs->len; i++)
		done += g_array_index(reqs, struct bpfix_close, i).status == BPFIX_CLOSE_DONE;
	return done;
}

/* More removals than one run of the close program takes, in one call. */
static void many(struct engine *e)
{
	const char *what = "many";
	unsigned int before = flow_count(e);
	GArray *reqs = flows_to_remove(e, what, MANY, 20000);

	if (e->src->ops->close_many(e->src->ctx, (struct bpfix_close *)reqs->data, reqs->len))
		fail(e, what, "close_many failed");
	CHECK_EQ(e, what, removed(reqs), before + MANY);
	CHECK_EQ(e, what, flow_count(e), 0);
	g_array_free(reqs, TRUE);
}

/* What close_many_each handed over so far. */
struct answers {
	struct engine *e;
	const struct bpfix_close *reqs;
	unsigned int handed, not_done;
};

static void take_run(__u32 first, __u32 count, void *arg)
{
	struct answers *a = arg;
	unsigned int i;

	if (first != a->handed)
		fail(a->e, "in runs", "a run from request %u after %u handed over", first, a->handed);
	for (i = first; i < first + count; i++)
		a->not_done += a->reqs[i].status != BPFIX_CLOSE_DONE;
	a->handed = first + count;
}

/*
 * Removals enough for the answers to come in runs (the kernel's: the close program on a second
 * thread; how many runs depends on who gets a CPU first): each request handed over once, in
 * order, answered when handed over.
 */
static void in_runs(struct engine *e)
{
	const char *what = "in runs";
	GArray *reqs;
	struct answers a = { .e = e };

	if (!e->src->ops->close_many_each)
		return; /* the source answers all at once: close_many */
	reqs = flows_to_remove(e, what, IN_RUNS, 30000);
	a.reqs = (const struct bpfix_close *)reqs->data;
	if (e->src->ops->close_many_each(e->src->ctx, (struct bpfix_close *)reqs->data, reqs->len,
					 take_run, &a))
		fail(e, what, "close_many_each failed");
	CHECK_EQ(e, what, a.handed, IN_RUNS);
	CHECK_EQ(e, what, a.not_done, 0);
	CHECK_EQ(e, what, removed(reqs), IN_RUNS);
	CHECK_EQ(e, what, flow_count(e), 0);
	g_array_free(reqs, TRUE);
}

static void run_all(struct engine *e)
{
	int before = failures;

	record_close(e);
	earliest_start(e);
	removals_and_lives(e);
	many(e);
	in_runs(e);
	if (failures == before)
		printf("ok   %s engine: record close, earliest start, removals, lives, %u at once%s\n",
		       e->name, MANY, e->src->ops->close_many_each ? ", answers in runs" : "");
}

int main(void)
{
	struct engine host = { .name = "host" }, kernel = { .name = "kernel" };
	int ret;

	if (engine_open_host(&host, MAX_FLOWS, MAX_FLOWS))
		return 1;
	run_all(&host);
	engine_close(&host);

	engine_quiet_libbpf();
	ret = engine_open_kernel(&kernel, MAX_FLOWS, MAX_FLOWS);
	if (ret == EXIT_SKIP)
		return engine_kernel_skipped();
	if (!ret) {
		run_all(&kernel);
		printf("%d failure(s)\n", failures);
	}
	engine_close(&kernel);
	return ret || failures ? 1 : 0;
}
