// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of the packet case table: every row through the real TC program (bpfix_ingress,
 * replay mode) with BPF_PROG_TEST_RUN, checking the return value, the exact per-CPU counter
 * deltas (GTP-U's included) and the one flow the row creates: its key (tunnel included) and its
 * statistics. Rows with gtpu_off run through a second load with bpfix_gtpu_port 0. Rows the test
 * run refuses are checked to be refused and to be what the kernel engine counts in their place
 * (truncated). GSO rows run with ctx gso_segs and gso_size, and a row whose frame starts a longer
 * packet gets that length as the kernel engine passes it: ctx wire_len capped at 64 KiB, the
 * length itself in cb[0]. Exit 77: no BPF here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "bpfix_account.h"
#include "bpfix_flow.skel.h"
#include "meter/counters.h"
#include "meter/test_run_feed.h"
#include "packet_cases.h"

#define EXIT_SKIP 77
#define TSTAMP_BASE 1700000000000000000ull /* 2023-11-14, in ns: a plausible pcap time */

/* One load of the TC program: each has its own maps. */
struct program {
	struct bpfix_flow *skel;
	int prog_fd;
	int flows_fd;
	int conns_fd;
	int counters_fd;
};

struct harness {
	struct program gtpu_on;	 /* bpfix_gtpu_port 2152, the default */
	struct program gtpu_off; /* bpfix_gtpu_port 0, for the rows with gtpu_off */
	int ncpus;
	struct bpfix_counter_values *percpu;
	int failures;
};

/* Print one reason a row fails; a row with any failure prints no "ok" line. */
static void fail(struct harness *h, const char *row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct harness *h, const char *row, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", row);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	h->failures++;
}

static int libbpf_print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !getenv("BPFIX_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int read_counters(struct harness *h, const struct program *p, __u64 out[BPFIX_CNT_MAX])
{
	return bpfix_counters_read_kernel(p->counters_fd, h->percpu, h->ncpus, out);
}

/* Delete every entry of the map @fd (keys of @key_size); returns how many, or a negative errno. */
static int clear_map(int fd, size_t key_size)
{
	__u8 key[sizeof(struct bpfix_conn_key) > sizeof(struct bpfix_flow_key)
			 ? sizeof(struct bpfix_conn_key)
			 : sizeof(struct bpfix_flow_key)];
	int n = 0, err;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!(err = bpf_map_get_next_key(fd, NULL, key))) {
		err = bpf_map_delete_elem(fd, key);
		if (err)
			return err;
		n++;
	}
	return err == -ENOENT ? n : err;
}

static int clear_flows(const struct program *p)
{
	return clear_map(p->flows_fd, sizeof(struct bpfix_flow_key));
}

/*
 * The kernel engine's rule (src/meter/test_run_feed.c test_run_refuses): the test run takes no frame
 * shorter than Ethernet, nor an IPv4/IPv6 EtherType without a whole IP header behind it.
 */
static bool test_run_refuses(const struct frame *f)
{
	__u16 ethertype;

	if (f->len < 14)
		return true;
	ethertype = (__u16)(f->bytes[12] << 8 | f->bytes[13]);
	return (ethertype == 0x0800 && f->len < 14 + 20) ||
	       (ethertype == 0x86DD && f->len < 14 + 40);
}

/* The row's counters went up by @packets wire packets carrying @octets IP octets, in one flow. */
static void check_counters(struct harness *h, const struct packet_case *pc, __u64 packets,
			   __u64 octets, const __u64 before[BPFIX_CNT_MAX],
			   const __u64 after[BPFIX_CNT_MAX])
{
	__u64 want, got;
	int idx;

	for (idx = 0; idx < BPFIX_CNT_MAX; idx++) {
		want = pc->counters & PACKET_CASE_CNT(idx) ? packets : 0;
		if (want && idx == BPFIX_CNT_OCTETS_METERED)
			want = octets;
		if (want && (idx == BPFIX_CNT_FLOWS_CREATED || idx >= BPFIX_CNT_TCP_HANDSHAKES))
			want = 1; /* events: a flow, a handshake */
		got = after[idx] - before[idx];
		if (got != want)
			fail(h, pc->name, "counter \"%s\" went up by %llu, expected %llu",
			     bpfix_counter_name(idx), (unsigned long long)got,
			     (unsigned long long)want);
	}
}

/*
 * The key the row's flow must be under, written out here rather than taken from the accounting
 * rule: inner 5-tuple, replay's ifindex 0, ingress, and for a decapsulated G-PDU the TEID, the
 * outer destination that owns it and the outer IP version (DESIGN.md §4).
 */
static void expected_key(struct bpfix_flow_key *k, const struct bpfix_pkt_meta *m)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src_addr, m->src_addr, sizeof(k->src_addr));
	memcpy(k->dst_addr, m->dst_addr, sizeof(k->dst_addr));
	k->src_port = m->src_port;
	k->dst_port = m->dst_port;
	k->ip_version = m->ip_version;
	k->protocol = m->protocol;
	k->direction = BPFIX_DIR_INGRESS;
	if (m->tun_version) {
		memcpy(k->tun_addr, m->tun_dst_addr, sizeof(k->tun_addr));
		k->teid = m->teid;
		k->tun_version = m->tun_version;
	}
}

static void check_flow(struct harness *h, const struct program *p, const struct packet_case *pc,
		       __u64 tstamp, __u64 packets, __u64 octets)
{
	const struct bpfix_pkt_meta *m = &pc->meta;
	struct bpfix_flow_key key, rule_key;
	struct bpfix_flow_stats s;

	expected_key(&key, m);
	bpfix_flow_key_from_meta(&rule_key, m, 0, BPFIX_DIR_INGRESS);
	if (memcmp(&key, &rule_key, sizeof(key)))
		fail(h, pc->name, "bpfix_flow_key_from_meta builds another key than expected");
	if (bpf_map_lookup_elem(p->flows_fd, &key, &s)) {
		fail(h, pc->name, "no flow under the key of the expected metadata (%s)",
		     strerror(errno));
		return;
	}
	if (s.packets != packets)
		fail(h, pc->name, "packets %llu, expected %llu", (unsigned long long)s.packets,
		     (unsigned long long)packets);
	if (s.octets != octets)
		fail(h, pc->name, "octets %llu, expected %llu", (unsigned long long)s.octets,
		     (unsigned long long)octets);
	if (s.first_ns != tstamp || s.last_ns != tstamp)
		fail(h, pc->name, "first/last %llu/%llu ns, expected the test run's tstamp %llu",
		     (unsigned long long)s.first_ns, (unsigned long long)s.last_ns,
		     (unsigned long long)tstamp);
	if (s.tcp_flags != m->tcp_flags)
		fail(h, pc->name, "tcp_flags 0x%x, expected 0x%x", s.tcp_flags, m->tcp_flags);
	if (BPFIX_TTL_MIN(s.ttl_range) != m->ttl || BPFIX_TTL_MAX(s.ttl_range) != m->ttl)
		fail(h, pc->name, "ttl min/max %u/%u, expected %u", BPFIX_TTL_MIN(s.ttl_range),
		     BPFIX_TTL_MAX(s.ttl_range), m->ttl);
	if (s.tos != m->tos)
		fail(h, pc->name, "tos 0x%x, expected 0x%x", s.tos, m->tos);
	if (s.vlan_id != m->vlan_id)
		fail(h, pc->name, "vlan_id %u, expected %u", s.vlan_id, m->vlan_id);
	/* the tunnel's first packet: outer source, PDU Session Container; zero without one */
	if (memcmp(s.tun_src_addr, m->tun_src_addr, sizeof(s.tun_src_addr)))
		fail(h, pc->name, "tun_src_addr differs from the expected outer source");
	if (s.has_pdu_session != m->has_pdu_session)
		fail(h, pc->name, "has_pdu_session %u, expected %u", s.has_pdu_session,
		     m->has_pdu_session);
	if (s.qfi != m->qfi)
		fail(h, pc->name, "qfi %u, expected %u", s.qfi, m->qfi);
	if (s.pdu_type != m->pdu_type)
		fail(h, pc->name, "pdu_type %u, expected %u", s.pdu_type, m->pdu_type);
	/* every flow keeps its first packet's TCP flags; TCP rows may spell out the whole state */
	if ((BPFIX_TCP_STATE(s.tcp_seq) & BPFIX_TCP_FIRST_FLAGS) != m->tcp_flags)
		fail(h, pc->name, "first packet's TCP flags 0x%x, expected 0x%x",
		     BPFIX_TCP_STATE(s.tcp_seq) & BPFIX_TCP_FIRST_FLAGS, m->tcp_flags);
	if (pc->tcp_state && (BPFIX_TCP_STATE(s.tcp_seq) != pc->tcp_state ||
			      BPFIX_TCP_SEQ_END(s.tcp_seq) != pc->tcp_seq_end))
		fail(h, pc->name, "TCP state 0x%x, highest end %u; expected 0x%x, %u",
		     BPFIX_TCP_STATE(s.tcp_seq), BPFIX_TCP_SEQ_END(s.tcp_seq), pc->tcp_state,
		     pc->tcp_seq_end);
	if (s.tcp_loss || s.rtt_server_us || s.rtt_client_us)
		fail(h, pc->name, "one packet made TCP loss %llx or round trips %u/%u",
		     (unsigned long long)s.tcp_loss, s.rtt_server_us, s.rtt_client_us);
}

static void run_row(struct harness *h, const struct packet_case *pc, __u64 tstamp)
{
	__u64 before[BPFIX_CNT_MAX], after[BPFIX_CNT_MAX];
	/* the packet as the kernel engine gives it (src/meter/test_run_feed.c), GSO as an skb */
	struct __sk_buff ctx = {
		.tstamp = tstamp,
		.wire_len = pc->wire_len < BPFIX_TEST_RUN_MAX_WIRE_LEN ? pc->wire_len
								       : BPFIX_TEST_RUN_MAX_WIRE_LEN,
		.cb = { [BPFIX_TEST_RUN_CB_WIRE_LEN] = pc->wire_len },
		.gso_segs = pc->gso_segs,
		.gso_size = pc->gso_size,
	};
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	const struct program *p = pc->gtpu_off ? &h->gtpu_off : &h->gtpu_on;
	int failures_before = h->failures;
	bool refused_by_rule;
	struct frame *f;
	int err, flows;

	f = malloc(sizeof(*f));
	if (!f) {
		fail(h, pc->name, "out of memory");
		return;
	}
	packet_case_frame(pc, f);
	refused_by_rule = test_run_refuses(f);
	run.data_in = f->bytes;
	run.data_size_in = f->len;

	/* start from empty flow and connection maps, whatever an earlier row left */
	if (clear_flows(p) < 0 || clear_map(p->conns_fd, sizeof(struct bpfix_conn_key)) < 0 ||
	    read_counters(h, p, before)) {
		fail(h, pc->name, "preparing the maps: %s", strerror(errno));
		goto out;
	}
	err = bpf_prog_test_run_opts(p->prog_fd, &run);
	if (err == -EINVAL && refused_by_rule) {
		/* the kernel engine counts these as seen and truncated without running them */
		if (pc->counters != (PACKET_CASE_CNT(BPFIX_CNT_SEEN) |
				     PACKET_CASE_CNT(BPFIX_CNT_NOT_METERED_TRUNCATED)))
			fail(h, pc->name, "refused by the test run, but not expected truncated");
		if (h->failures == failures_before)
			printf("ok   %s (%u octets, refused by the test run: host only)\n",
			       pc->name, f->len);
		goto out;
	}
	if (err) {
		fail(h, pc->name, "BPF_PROG_TEST_RUN on %u octets: %s", f->len, strerror(-err));
		goto out;
	}
	if (run.retval != (__u32)TC_ACT_UNSPEC)
		fail(h, pc->name, "returned %d, expected TC_ACT_UNSPEC", (int)run.retval);
	if (read_counters(h, p, after)) {
		fail(h, pc->name, "reading counters: %s", strerror(errno));
		goto out;
	}
	/* one packet of its IP octets, or a GSO row's segments as they are on the wire */
	check_counters(h, pc, packet_case_packets(pc), packet_case_octets(pc), before, after);
	if (pc->rc == BPFIX_PARSE_OK)
		check_flow(h, p, pc, tstamp, packet_case_packets(pc), packet_case_octets(pc));

	/* a metered row makes exactly one flow, any other none */
	flows = clear_flows(p);
	if (flows < 0)
		fail(h, pc->name, "clearing the flow map: %s", strerror(-flows));
	else if (flows != (pc->rc == BPFIX_PARSE_OK ? 1 : 0))
		fail(h, pc->name, "%d flows in the map after one frame", flows);
	if (h->failures == failures_before)
		printf("ok   %s (%u octets%s%s)\n", pc->name, f->len,
		       pc->gso_segs > 1 ? ", GSO" : "",
		       refused_by_rule ? ", taken though the engine's rule expects a refusal" : "");
out:
	free(f);
}

/* Load the program with GTP-U decapsulation on @gtpu_port (0: off). */
static int load_program(struct program *p, __u16 gtpu_port)
{
	int err;

	p->skel = bpfix_flow__open();
	if (!p->skel) {
		fprintf(stderr, "opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	p->skel->rodata->bpfix_replay = 1; /* clock = skb->tstamp, ifindex 0 */
	p->skel->rodata->bpfix_gtpu_port = gtpu_port;
	err = bpfix_flow__load(p->skel);
	if (err == -EPERM || err == -EACCES) {
		printf("SKIP: loading the TC program was refused (%s): needs root or CAP_BPF with "
		       "CAP_NET_ADMIN\n", strerror(-err));
		return EXIT_SKIP;
	}
	if (err == -ENOSYS || err == -EOPNOTSUPP) {
		printf("SKIP: this kernel has no usable bpf() (%s)\n", strerror(-err));
		return EXIT_SKIP;
	}
	if (err) {
		fprintf(stderr, "loading the TC program (GTP-U port %u): %s (BPFIX_DEBUG=1 shows "
			"libbpf's log)\n", gtpu_port, strerror(-err));
		return 1;
	}
	p->prog_fd = bpf_program__fd(p->skel->progs.bpfix_ingress);
	p->flows_fd = bpf_map__fd(p->skel->maps.bpfix_flows);
	p->conns_fd = bpf_map__fd(p->skel->maps.bpfix_conns);
	p->counters_fd = bpf_map__fd(p->skel->maps.bpfix_counters);
	return 0;
}

static int open_harness(struct harness *h)
{
	int err;

	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0) {
		fprintf(stderr, "cannot count possible CPUs: %s\n", strerror(-h->ncpus));
		return 1;
	}
	h->percpu = calloc(h->ncpus, sizeof(*h->percpu));
	if (!h->percpu)
		return 1;
	err = load_program(&h->gtpu_on, BPFIX_GTPU_PORT);
	if (!err)
		err = load_program(&h->gtpu_off, 0);
	return err;
}

int main(void)
{
	struct harness h = { 0 };
	unsigned int i;
	int ret;

	libbpf_set_print(libbpf_print_warnings);
	ret = open_harness(&h);
	if (!ret) {
		for (i = 0; i < packet_case_table_len(); i++)
			/* a distinct time per row, so a stale flow cannot pass for a new one */
			run_row(&h, &packet_case_table()[i], TSTAMP_BASE + (__u64)(i + 1) * 1000003);
		printf("%u rows, %d failure(s)\n", packet_case_table_len(), h.failures);
		ret = h.failures ? 1 : 0;
	}
	bpfix_flow__destroy(h.gtpu_on.skel);
	bpfix_flow__destroy(h.gtpu_off.skel);
	free(h.percpu);
	return ret;
}
