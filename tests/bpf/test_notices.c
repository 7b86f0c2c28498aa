// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow notices (struct bpfix_notice, what the deadline sweep of the flow table learns from) and
 * the close program's peek, through both replay engines, against values written here: a new flow
 * is told once with its statistics as inserted; a record start is told when a packet opens a
 * record after a close or moves its start earlier, and not for the packets after; a record that
 * gains FIN or RST is told once per record; a peek reads a flow of any life and leaves it. Kernel
 * only: a full ring buffer loses notices, counts them, and the next drain says so once; notices
 * collected between drains are all kept, up to the source's queue.
 * Exit 77: no BPF here (the host engine has run and passed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <glib.h>

#include "bpfix_account.h"
#include "bpfix_proto.h"
#include "engines.h"
#include "packet_cases.h"

#define S 1000000000ull
#define T0 (1700000000ull * S) /* a plausible pcap time */
#define MAX_FLOWS 4096
#define TCP_FLAGS_AT 47	/* IPv4 without options: the TCP flags octet */
#define FIN_ACK (BPFIX_TCP_FIN | BPFIX_TCP_ACK)

/* Row ipv4-tcp-syn with its source port @port and TCP flags @flags (0: the row's SYN). */
static void make_frame(struct frame *f, __u16 port, __u8 flags)
{
	packet_case_frame(packet_case_find("ipv4-tcp-syn"), f);
	f->bytes[34] = (__u8)(port >> 8);
	f->bytes[35] = (__u8)port;
	if (flags)
		f->bytes[TCP_FLAGS_AT] = flags;
}

static void key_of(struct bpfix_flow_key *k, __u16 port)
{
	struct bpfix_pkt_meta m = packet_case_find("ipv4-tcp-syn")->meta;

	m.src_port = port;
	bpfix_flow_key_from_meta(k, &m, 0, BPFIX_DIR_INGRESS);
}

static void run(struct engine *e, __u16 port, __u8 flags, __u64 tstamp)
{
	struct frame f;

	make_frame(&f, port, flags);
	if (engine_run_frame(e, f.bytes, f.len, tstamp))
		fail(e, "run", "the frame did not run");
}

struct drained {
	GArray *notices; /* struct bpfix_notice */
	bool lost;
};

static void keep(const struct bpfix_notice *n, void *arg)
{
	g_array_append_vals(arg, n, 1);
}

/* The notices since the last drain (the caller frees them) and whether any was lost. */
static struct drained drain(struct engine *e)
{
	struct drained d = { g_array_new(FALSE, FALSE, sizeof(struct bpfix_notice)), false };

	if (e->src->ops->drain_notices(e->src->ctx, keep, d.notices, &d.lost))
		fail(e, "drain", "drain_notices failed");
	return d;
}

/* Exactly one notice was made since the last drain, of @kinds for @key: it, in *@n. */
static bool one_notice(struct engine *e, const char *what, const struct bpfix_flow_key *key,
		       __u32 kinds, struct bpfix_notice *n)
{
	struct drained d = drain(e);
	bool ok = d.notices->len == 1;

	CHECK_EQ(e, what, d.notices->len, 1);
	CHECK_EQ(e, what, d.lost, false);
	if (ok) {
		*n = g_array_index(d.notices, struct bpfix_notice, 0);
		CHECK_EQ(e, what, n->kinds, kinds);
		CHECK_EQ(e, what, memcmp(&n->key, key, sizeof(*key)), 0);
	}
	g_array_free(d.notices, TRUE);
	return ok;
}

static void no_notice(struct engine *e, const char *what)
{
	struct drained d = drain(e);

	CHECK_EQ(e, what, d.notices->len, 0);
	CHECK_EQ(e, what, d.lost, false);
	g_array_free(d.notices, TRUE);
}

static void close_record(struct engine *e, const struct bpfix_flow_key *key)
{
	struct bpfix_close c = { .key = *key, .op = BPFIX_CLOSE_RECORD };

	if (!engine_flow(e, key, &c.stats) || e->src->ops->close_many(e->src->ctx, &c, 1) ||
	    c.status != BPFIX_CLOSE_DONE)
		fail(e, "close", "the record did not close");
}

static void lifecycle(struct engine *e)
{
	struct bpfix_flow_stats s;
	struct bpfix_flow_key key;
	struct bpfix_notice n;

	key_of(&key, 41000);
	no_notice(e, "nothing yet");
	run(e, 41000, 0, T0 + 10 * S);
	if (one_notice(e, "created", &key, BPFIX_NOTICE_CREATED, &n) && engine_flow(e, &key, &s)) {
		CHECK_EQ(e, "created", n.stats.life, s.life);
		CHECK_EQ(e, "created", n.stats.packets, 1);
		CHECK_EQ(e, "created", n.stats.octets, 40);
		CHECK_EQ(e, "created", n.stats.first_ns, T0 + 10 * S);
		CHECK_EQ(e, "created", n.stats.last_ns, T0 + 10 * S);
		CHECK_EQ(e, "created", n.stats.record, s.record); /* SYN, TTL 64..64 */
	}
	run(e, 41000, 0, T0 + 11 * S);
	no_notice(e, "a packet that changes no deadline");
	run(e, 41000, 0, T0 + 9 * S);
	if (one_notice(e, "start moved earlier", &key, BPFIX_NOTICE_STARTED, &n)) {
		CHECK_EQ(e, "start moved earlier", n.stats.first_ns, T0 + 9 * S);
		CHECK_EQ(e, "start moved earlier", n.stats.last_ns, T0 + 11 * S);
		CHECK_EQ(e, "start moved earlier", n.stats.packets, 3);
	}
	run(e, 41000, FIN_ACK, T0 + 12 * S);
	if (one_notice(e, "FIN", &key, BPFIX_NOTICE_CLOSING, &n))
		CHECK_EQ(e, "FIN", n.stats.last_ns, T0 + 12 * S);
	run(e, 41000, FIN_ACK, T0 + 13 * S);
	run(e, 41000, BPFIX_TCP_RST, T0 + 13 * S); /* FIN or RST: the record is closing already */
	no_notice(e, "FIN again in the same record");
	close_record(e, &key);
	no_notice(e, "a record close");
	run(e, 41000, FIN_ACK, T0 + 14 * S);
	if (one_notice(e, "the next record", &key, BPFIX_NOTICE_STARTED | BPFIX_NOTICE_CLOSING,
		       &n)) {
		CHECK_EQ(e, "the next record", n.stats.first_ns, T0 + 14 * S);
		CHECK_EQ(e, "the next record", n.stats.packets, 7);
	}
}

/* A peek reads the flow of any life and leaves it; no flow: gone. */
static void peek(struct engine *e)
{
	const char *what = "peek";
	struct bpfix_flow_key key, absent;
	struct bpfix_close c = { .op = BPFIX_CLOSE_PEEK };
	struct bpfix_flow_stats s;

	key_of(&key, 41001);
	key_of(&absent, 41002);
	run(e, 41001, 0, T0 + 20 * S);
	run(e, 41001, 0, T0 + 21 * S);
	if (!engine_flow(e, &key, &s)) {
		fail(e, what, "no flow");
		return;
	}
	c.key = key;
	c.stats.life = s.life;
	e->src->ops->close_many(e->src->ctx, &c, 1);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_DONE);
	CHECK_EQ(e, what, c.stats.packets, 2);
	CHECK_EQ(e, what, c.stats.first_ns, T0 + 20 * S);
	CHECK_EQ(e, what, c.stats.last_ns, T0 + 21 * S);
	CHECK_EQ(e, what, engine_flow(e, &key, &s), true);
	CHECK_EQ(e, what, s.first_ns, T0 + 20 * S); /* nothing closed */
	c = (struct bpfix_close){ .key = key, .op = BPFIX_CLOSE_PEEK };
	c.stats.life = s.life + 1;
	e->src->ops->close_many(e->src->ctx, &c, 1);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_OTHER_LIFE);
	CHECK_EQ(e, what, c.stats.life, s.life);
	CHECK_EQ(e, what, c.stats.packets, 2);
	c = (struct bpfix_close){ .key = absent, .op = BPFIX_CLOSE_PEEK };
	e->src->ops->close_many(e->src->ctx, &c, 1);
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_GONE);
	drain(e); /* the notices of this flow are lifecycle()'s business */
}

/* Kernel: more new flows than the ring holds between two drains. */
static void overflow(struct engine *e)
{
	const char *what = "full ring buffer";
	__u32 room = bpfix_bpf__notice_ring_bytes(e->bpf) / (sizeof(struct bpfix_notice) + 8);
	__u32 i, flows = room + 100;
	__u64 counters[BPFIX_CNT_MAX];
	struct drained d;

	for (i = 0; i < flows; i++)
		run(e, (__u16)(1000 + i), 0, T0 + 30 * S);
	if (e->src->ops->read_counters(e->src->ctx, counters))
		fail(e, what, "reading counters failed");
	d = drain(e);
	CHECK_EQ(e, what, d.lost, true);
	CHECK_EQ(e, what, d.notices->len + counters[BPFIX_CNT_NOTICES_LOST], flows);
	if (d.notices->len > room || d.notices->len < room / 2)
		fail(e, what, "%u notices kept of %u, the ring holds %u", d.notices->len, flows,
		     room);
	g_array_free(d.notices, TRUE);
	d = drain(e);
	CHECK_EQ(e, what, d.lost, false); /* told once */
	g_array_free(d.notices, TRUE);
}

/*
 * Kernel: notices collected between drains (bpfix_kernel_source__collect_notices, as replay and
 * live do) are kept for the next drain, in order: twice the ring's room loses none. Past the
 * source's own queue (as many notices as the map holds flows) they are lost, and that is said.
 */
static void collected(struct engine *e)
{
	const char *what = "collected between drains";
	__u32 room = bpfix_bpf__notice_ring_bytes(e->bpf) / (sizeof(struct bpfix_notice) + 8);
	__u32 i, flows = 2 * room + 100, in_order = 0;
	struct bpfix_flow_key key;
	struct drained d;

	for (i = 0; i < flows; i++) {
		run(e, (__u16)(20000 + i), 0, T0 + 40 * S);
		if (i % (room / 2) == 0)
			bpfix_kernel_source__collect_notices(e->ks);
	}
	d = drain(e);
	CHECK_EQ(e, what, d.lost, false);
	CHECK_EQ(e, what, d.notices->len, flows);
	for (i = 0; i < d.notices->len && i < flows; i++) {
		key_of(&key, (__u16)(20000 + i));
		in_order += !memcmp(&g_array_index(d.notices, struct bpfix_notice, i).key, &key,
				    sizeof(key));
	}
	CHECK_EQ(e, what, in_order, flows);
	g_array_free(d.notices, TRUE);

	what = "collected past the queue";
	flows = MAX_FLOWS + room;
	for (i = 0; i < flows; i++) {
		run(e, (__u16)(30000 + i), 0, T0 + 50 * S);
		if (i % (room / 2) == 0)
			bpfix_kernel_source__collect_notices(e->ks);
	}
	d = drain(e);
	CHECK_EQ(e, what, d.lost, true);
	if (d.notices->len < MAX_FLOWS || d.notices->len >= flows)
		fail(e, what, "%u notices kept of %u, the queue holds %u and the ring %u",
		     d.notices->len, flows, MAX_FLOWS, room);
	g_array_free(d.notices, TRUE);
	d = drain(e);
	CHECK_EQ(e, what, d.lost, false); /* told once */
	g_array_free(d.notices, TRUE);
}

int main(void)
{
	struct engine host = { .name = "host" }, kernel = { .name = "kernel" };
	int ret;

	if (engine_open_host(&host, MAX_FLOWS, MAX_FLOWS))
		return 1;
	lifecycle(&host);
	peek(&host);
	engine_close(&host);
	if (!failures)
		printf("ok   host engine: created, started, closing, peek\n");

	engine_quiet_libbpf();
	ret = engine_open_kernel(&kernel, MAX_FLOWS, MAX_FLOWS);
	if (ret == EXIT_SKIP)
		return engine_kernel_skipped();
	if (!ret) {
		int before = failures;

		lifecycle(&kernel);
		peek(&kernel);
		overflow(&kernel);
		collected(&kernel);
		if (failures == before)
			printf("ok   kernel engine: created, started, closing, peek, lost, "
			       "collected\n");
		printf("%d failure(s)\n", failures);
	}
	engine_close(&kernel);
	return ret || failures ? 1 : 0;
}
