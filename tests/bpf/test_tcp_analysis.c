// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCP analysis (DESIGN.md §4a) through both replay engines: the kernel one (the TC program
 * under BPF_PROG_TEST_RUN, read through kernel_source.c) and the host one. Every scenario of
 * tcp_scenarios.c goes through each, and each flow it names must hold the gaps, retransmissions
 * and round trips written there, the TCP counters must gain what it says. Then: a record close
 * hands over the record's loss and keeps the round trips; a full connection map evicts, and
 * the evictions are counted (host: exactly; kernel: derived); a GSO super-packet retransmitted
 * counts its segments (kernel only: a capture has no GSO). Exit 77: no BPF here (the host engine
 * has run and passed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_account.h"
#include "engines.h"
#include "frame_builder.h"
#include "tcp_scenarios.h"

#define T0 (1700000000ull * 1000000000ull) /* a plausible pcap time, ns */
#define SCENARIO_SPAN_NS (1000ull * 1000000000ull) /* scenarios 1000 s apart */
#define MAX_FLOWS 4096
#define MAX_CONNS 1024
#define FEW_CONNS 4 /* the eviction check's connection map */

/* The endpoints of a segment on @path, sender first; tunnel endpoints for GTP-U. */
struct ends {
	const __u8 *src, *dst;
	const __u8 *tun_src, *tun_dst;	/* NULL: not tunnelled */
	__u32 teid;
	__u8 ip_version;
};

static struct ends ends_of(__u8 path, bool from_server)
{
	struct ends e = { 0 };
	const __u8 *gnb = path == PATH_GTPU_GNB1 ? tcp_gnb1_v4 : tcp_gnb2_v4;

	switch (path) {
	case PATH_V6:
		e.src = from_server ? tcp_server_v6 : tcp_client_v6;
		e.dst = from_server ? tcp_client_v6 : tcp_server_v6;
		e.ip_version = 6;
		return e;
	case PATH_GTPU_GNB1:
	case PATH_GTPU_GNB2:
		/* uplink to the UPF's TEID, downlink to the gNB's */
		e.src = from_server ? tcp_internet_v4 : tcp_ue_v4;
		e.dst = from_server ? tcp_ue_v4 : tcp_internet_v4;
		e.tun_src = from_server ? tcp_upf_v4 : gnb;
		e.tun_dst = from_server ? gnb : tcp_upf_v4;
		e.teid = from_server ? TCP_GTPU_TEID_DL(path) : TCP_GTPU_TEID_UL(path);
		e.ip_version = 4;
		return e;
	default:
		e.src = from_server ? tcp_server_v4 : tcp_client_v4;
		e.dst = from_server ? tcp_client_v4 : tcp_server_v4;
		e.ip_version = 4;
		return e;
	}
}

static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 mac_server[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* The frame of segment @g of the conversation on client port @port. */
static void build_segment(struct frame *f, const struct tcp_seg_spec *g, __u16 port)
{
	struct ends e = ends_of(g->path, g->from_server);
	__u16 sport = g->from_server ? TCP_SERVER_PORT : port;
	__u16 dport = g->from_server ? port : TCP_SERVER_PORT;
	struct frame_ipv4_fields v4 = { .protocol = 6, .ttl = 64 };
	struct frame_ipv6_fields v6 = { .next = 6, .hop_limit = 64 };

	frame_init(f);
	frame_eth(f, g->from_server ? mac_client : mac_server,
		  g->from_server ? mac_server : mac_client, e.ip_version == 6 ? 0x86DD : 0x0800);
	if (e.tun_src) {
		struct frame_ipv4_fields outer = { .protocol = 17, .ttl = 64 };

		memcpy(outer.src, e.tun_src, 4);
		memcpy(outer.dst, e.tun_dst, 4);
		frame_ipv4(f, &outer);
		frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
		frame_gtpu(f, FRAME_GTPU_G_PDU, e.teid);
	}
	if (e.ip_version == 6) {
		memcpy(v6.src, e.src, 16);
		memcpy(v6.dst, e.dst, 16);
		frame_ipv6(f, &v6);
	} else {
		memcpy(v4.src, e.src, 4);
		memcpy(v4.dst, e.dst, 4);
		frame_ipv4(f, &v4);
	}
	frame_tcp_seq(f, sport, dport, g->flags, g->seq, g->ack);
	frame_payload(f, g->payload);
	frame_finish(f);
}

/* The key of the flow that segments from @from_server's side on @path are, written out. */
static void flow_key(struct bpfix_flow_key *k, __u8 path, bool from_server, __u16 port)
{
	struct ends e = ends_of(path, from_server);

	memset(k, 0, sizeof(*k));
	memcpy(k->src_addr, e.src, e.ip_version == 6 ? 16 : 4);
	memcpy(k->dst_addr, e.dst, e.ip_version == 6 ? 16 : 4);
	k->src_port = from_server ? TCP_SERVER_PORT : port;
	k->dst_port = from_server ? port : TCP_SERVER_PORT;
	k->ip_version = e.ip_version;
	k->protocol = 6;
	k->direction = BPFIX_DIR_INGRESS; /* replay */
	if (e.tun_dst) {
		memcpy(k->tun_addr, e.tun_dst, 4); /* the endpoint that owns the TEID */
		k->teid = e.teid;
		k->tun_version = 4;
	}
}

static int run_frame(struct engine *e, const struct frame *f, __u64 tstamp)
{
	return engine_run_frame(e, f->bytes, f->len, tstamp);
}

static void read_counters(struct engine *e, __u64 c[BPFIX_CNT_MAX])
{
	if (e->src->ops->read_counters(e->src->ctx, c))
		fail(e, "counters", "read_counters failed");
}

static void check_flow(struct engine *e, const char *what, const struct tcp_flow_expect *x,
		       __u16 port)
{
	struct bpfix_flow_key key;
	struct bpfix_flow_stats s;
	__u32 bits;

	flow_key(&key, x->path, x->from_server, port);
	if (!engine_flow(e, &key, &s)) {
		fail(e, what, "no %s flow on path %u", x->from_server ? "server" : "client", x->path);
		return;
	}
	bits = BPFIX_TCP_STATE(s.tcp_seq) & BPFIX_TCP_RTT_BITS;
	if (BPFIX_TCP_LOSS_GAPS(s.tcp_loss) != x->gaps ||
	    BPFIX_TCP_LOSS_RETRANS(s.tcp_loss) != x->retrans || bits != x->rtt_flags ||
	    ((bits & BPFIX_TCP_RTT_SERVER) && s.rtt_server_us != x->rtt_server_us) ||
	    ((bits & BPFIX_TCP_RTT_CLIENT) && s.rtt_client_us != x->rtt_client_us))
		fail(e, what,
		     "%s flow (path %u): gaps %u, retransmissions %u, round trips 0x%x %u/%u µs; "
		     "expected %u, %u, 0x%x %u/%u", x->from_server ? "server" : "client", x->path,
		     BPFIX_TCP_LOSS_GAPS(s.tcp_loss), BPFIX_TCP_LOSS_RETRANS(s.tcp_loss), bits,
		     s.rtt_server_us, s.rtt_client_us, x->gaps, x->retrans, x->rtt_flags,
		     x->rtt_server_us, x->rtt_client_us);
}

static void check_counts(struct engine *e, const char *what, const struct tcp_counts *want,
			 const __u64 before[BPFIX_CNT_MAX], const __u64 after[BPFIX_CNT_MAX])
{
	static const struct {
		enum bpfix_counter idx;
		size_t offset;
	} map[] = {
		{ BPFIX_CNT_TCP_HANDSHAKES, offsetof(struct tcp_counts, handshakes) },
		{ BPFIX_CNT_TCP_HANDSHAKES_DONE, offsetof(struct tcp_counts, ended) },
		{ BPFIX_CNT_TCP_HANDSHAKES_MEASURED, offsetof(struct tcp_counts, measured) },
		{ BPFIX_CNT_TCP_SEQ_RESYNC, offsetof(struct tcp_counts, resyncs) },
		{ BPFIX_CNT_TCP_HANDSHAKES_EVICTED, sizeof(struct tcp_counts) }, /* none */
	};
	__u32 expected;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		expected = map[i].offset < sizeof(*want)
				   ? *(const __u32 *)((const char *)want + map[i].offset)
				   : 0;
		if (after[map[i].idx] - before[map[i].idx] != expected)
			fail(e, what, "counter %d went up by %llu, expected %u", map[i].idx,
			     (unsigned long long)(after[map[i].idx] - before[map[i].idx]),
			     expected);
	}
}

static void run_scenario(struct engine *e, unsigned int i)
{
	const struct tcp_scenario *sc = &tcp_scenarios[i];
	__u64 before[BPFIX_CNT_MAX], after[BPFIX_CNT_MAX];
	__u64 start = T0 + i * SCENARIO_SPAN_NS;
	struct frame f;
	unsigned int j;
	int before_failures = failures;

	read_counters(e, before);
	for (j = 0; j < sc->n_segs; j++) {
		build_segment(&f, &sc->segs[j], TCP_CLIENT_PORT(i));
		if (run_frame(e, &f, start + sc->segs[j].at_us * 1000ull))
			fail(e, sc->name, "segment %u did not run", j);
	}
	for (j = 0; j < sc->n_flows; j++)
		check_flow(e, sc->name, &sc->flows[j], TCP_CLIENT_PORT(i));
	read_counters(e, after);
	check_counts(e, sc->name, &sc->counts, before, after);
	if (failures == before_failures)
		printf("ok   %s %s\n", e->name, sc->name);
}

/* The scenario named @name's index. */
static unsigned int scenario_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < tcp_scenario_count; i++)
		if (!strcmp(tcp_scenarios[i].name, name))
			return i;
	abort();
}

/*
 * A record close (active timeout) hands over the record's gaps and retransmissions and starts
 * the next record at none; the round trips are the connection's, in the next record too.
 */
static void record_close(struct engine *e)
{
	unsigned int i = scenario_index("gaps-and-retransmissions");
	const char *what = "record close";
	struct bpfix_flow_stats s;
	struct bpfix_close c = { .op = BPFIX_CLOSE_RECORD };

	flow_key(&c.key, PATH_V4, true, TCP_CLIENT_PORT(i));
	if (!engine_flow(e, &c.key, &c.stats)) {
		fail(e, what, "no server flow");
		return;
	}
	if (e->src->ops->close_many(e->src->ctx, &c, 1))
		fail(e, what, "close_many failed");
	CHECK_EQ(e, what, c.status, BPFIX_CLOSE_DONE);
	CHECK_EQ(e, what, BPFIX_TCP_LOSS_GAPS(c.stats.tcp_loss), 2);
	CHECK_EQ(e, what, BPFIX_TCP_LOSS_RETRANS(c.stats.tcp_loss), 4);
	engine_flow(e, &c.key, &s);
	CHECK_EQ(e, what, s.tcp_loss, 0);
	CHECK_EQ(e, what, BPFIX_TCP_STATE(s.tcp_seq) & BPFIX_TCP_RTT_BITS, BPFIX_TCP_RTT_SERVER);
	CHECK_EQ(e, what, s.rtt_server_us, 1000);
	if (!failures)
		printf("ok   %s %s\n", e->name, what);
}

/* SYNs that are never answered, @n of them on ports from @port, at @t. */
static void unanswered_syns(struct engine *e, unsigned int n, __u16 port, __u64 t)
{
	struct tcp_seg_spec syn = { .path = PATH_V4, .flags = 0x02, .seq = 1 };
	struct frame f;
	unsigned int i;

	for (i = 0; i < n; i++) {
		build_segment(&f, &syn, (__u16)(port + i));
		run_frame(e, &f, t + i);
	}
}

/*
 * A connection map of FEW_CONNS entries and twice as many handshakes: the host engine evicts
 * the oldest for each one over, and counts it; the kernel's LRU evicts at its own pace (it may
 * evict before it is full), and what the program put in, took out and what is left say how many.
 */
static void evictions(struct engine *e)
{
	const char *what = "connection map evictions";
	__u64 c[BPFIX_CNT_MAX];

	unanswered_syns(e, 2 * FEW_CONNS, 50000, T0);
	read_counters(e, c);
	CHECK_EQ(e, what, c[BPFIX_CNT_TCP_HANDSHAKES], 2 * FEW_CONNS);
	CHECK_EQ(e, what, c[BPFIX_CNT_TCP_HANDSHAKES_DONE], 0);
	if (e->host)
		CHECK_EQ(e, what, c[BPFIX_CNT_TCP_HANDSHAKES_EVICTED], FEW_CONNS);
	else if (c[BPFIX_CNT_TCP_HANDSHAKES_EVICTED] < FEW_CONNS ||
		 c[BPFIX_CNT_TCP_HANDSHAKES_EVICTED] > 2 * FEW_CONNS)
		fail(e, what, "%llu evicted of %u in a map of %u",
		     (unsigned long long)c[BPFIX_CNT_TCP_HANDSHAKES_EVICTED], 2 * FEW_CONNS,
		     FEW_CONNS);
	if (!failures)
		printf("ok   %s %s (%llu)\n", e->name, what,
		       (unsigned long long)c[BPFIX_CNT_TCP_HANDSHAKES_EVICTED]);
}

/*
 * A GSO super-packet of 3 segments sent again counts 3 retransmitted segments; the highest end
 * is the super-packet's whole payload. Kernel only: replay never has GSO.
 */
static void gso_retransmission(struct engine *e)
{
	struct tcp_seg_spec data = { .path = PATH_V4, .flags = 0x18, .seq = 1, .payload = 300 };
	struct tcp_seg_spec next = { .path = PATH_V4, .flags = 0x18, .seq = 301, .payload = 100 };
	const char *what = "GSO retransmission";
	struct __sk_buff ctx = { .gso_segs = 3, .gso_size = 100 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	struct bpfix_flow_key key;
	struct bpfix_flow_stats s;
	struct frame f;
	int i;

	build_segment(&f, &data, 60000);
	run.data_in = f.bytes;
	run.data_size_in = f.len;
	for (i = 0; i < 2; i++) {
		ctx.tstamp = T0 + (__u64)i * 1000000;
		if (bpf_prog_test_run_opts(bpfix_bpf__prog_fd(e->bpf, false), &run))
			fail(e, what, "test run failed");
	}
	build_segment(&f, &next, 60000); /* in order after the whole super-packet */
	run_frame(e, &f, T0 + 2000000);
	flow_key(&key, PATH_V4, false, 60000);
	if (!engine_flow(e, &key, &s)) {
		fail(e, what, "no flow");
		return;
	}
	CHECK_EQ(e, what, BPFIX_TCP_LOSS_RETRANS(s.tcp_loss), 3);
	CHECK_EQ(e, what, BPFIX_TCP_LOSS_GAPS(s.tcp_loss), 0);
	CHECK_EQ(e, what, BPFIX_TCP_SEQ_END(s.tcp_seq), 401);
	if (!failures)
		printf("ok   %s %s\n", e->name, what);
}

static void run_all(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < tcp_scenario_count; i++)
		run_scenario(e, i);
	record_close(e);
}

int main(void)
{
	struct engine host = { .name = "host" }, kernel = { .name = "kernel" };
	int ret;

	engine_quiet_libbpf();
	if (engine_open_host(&host, MAX_FLOWS, MAX_CONNS))
		return 1;
	run_all(&host);
	engine_close(&host);
	if (engine_open_host(&host, MAX_FLOWS, FEW_CONNS))
		return 1;
	evictions(&host);
	engine_close(&host);

	ret = engine_open_kernel(&kernel, MAX_FLOWS, MAX_CONNS);
	if (ret == EXIT_SKIP)
		return engine_kernel_skipped();
	if (!ret) {
		run_all(&kernel);
		gso_retransmission(&kernel);
	}
	engine_close(&kernel);
	if (!ret)
		ret = engine_open_kernel(&kernel, MAX_FLOWS, FEW_CONNS);
	if (!ret)
		evictions(&kernel);
	engine_close(&kernel);
	printf("%d failure(s)\n", failures);
	return ret || failures ? 1 : 0;
}
