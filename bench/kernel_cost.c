// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel cost per packet: bpfix's TC program (bpfix_ingress, loaded as the kernel engine loads
 * it, live clock) against bench/baseline.bpf.c (Ethernet/IPv4/L4 5-tuple into an LRU hash of the
 * same size), each run with BPF_PROG_TEST_RUN over one frame repeated @repeat times; the kernel
 * reports the mean duration per repetition. Rounds alternate bpfix and baseline; medians are
 * reported. The TCP analysis (DESIGN.md §4a) is measured too: the TCP kinds run once more through
 * the program loaded with it off (bpfix_tcp_analysis 0), and the difference is what it adds per
 * packet. A TCP frame repeated is, to the analysis, a retransmitted segment each time (it
 * classifies it and adds to the loss word: one atomic, as in-order data costs one compare-and-
 * swap); a pure ACK only passes its compares; a SYN also looks its handshake up in the
 * connection map (a SYN again: t1 moves, in place). A full-size UDP datagram (ipv4_udp_1400)
 * shows what the length of the header copy costs. GTP-U is measured against a second baseline
 * program that decapsulates the same frames (base_gtpu). Every kind runs once more through the
 * program loaded with --clock coarse (bpfix_coarse_clock: bpf_ktime_get_coarse_ns), whose worst
 * ratio is kernel_ratio_coarse. It also reports the verified instructions of each of bpfix's
 * programs (bpf_prog_info.verified_insns), live configuration.
 * Usage: kernel_cost [repeat [rounds]]. Needs root (CAP_BPF + CAP_NET_ADMIN).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_baseline.skel.h"
#include "bpfix_flow.skel.h"
#include "frame_builder.h"

#define MAX_ROUNDS 64
#define MAX_FLOWS 65536
#define GTPU_TEID 0x1234abcd

static const __u8 mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const __u8 mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void build_ipv4_tcp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 6, .ttl = 64 });
	frame_tcp(f, 40000, 443, FRAME_TCP_ACK | FRAME_TCP_PSH);
	frame_payload(f, 64);
}

static void build_ipv4_tcp_ack(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 6, .ttl = 64 });
	frame_tcp(f, 40001, 443, FRAME_TCP_ACK);
}

/* A SYN: each repetition is the SYN again, which looks its handshake up in the connection map */
static void build_ipv4_tcp_syn(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 6, .ttl = 64 });
	frame_tcp(f, 40002, 443, FRAME_TCP_SYN);
}

static void build_ipv6_udp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x86DD);
	frame_ipv6(f, &(struct frame_ipv6_fields){
			      .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
			      .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
			      .next = 17, .hop_limit = 64 });
	frame_udp(f, 40000, 53);
	frame_payload(f, 64);
}

static void build_gtpu_psc(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 192, 0, 2, 1 },
						    .dst = { 198, 51, 100, 2 }, .protocol = 17,
						    .ttl = 64 });
	frame_udp(f, FRAME_GTPU_PORT, FRAME_GTPU_PORT);
	frame_gtpu_header(f, FRAME_GTPU_V1 | FRAME_GTPU_E, FRAME_GTPU_G_PDU, GTPU_TEID);
	frame_gtpu_opt(f, 0, 0, FRAME_GTPU_EXT_PDU_SESSION);
	frame_gtpu_pdu_session(f, &(struct frame_pdu_session_fields){ .pdu_type = FRAME_PSC_UL,
								       .qfi = 9 });
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 1, 0, 1 }, .dst = { 10, 1, 0, 2 },
						    .protocol = 6, .ttl = 64 });
	frame_tcp(f, 40000, 443, FRAME_TCP_ACK);
	frame_payload(f, 64);
}

static void build_qinq_ipv4_udp(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x88A8);
	frame_vlan(f, 100, 0x8100);
	frame_vlan(f, 200, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 17, .ttl = 64 });
	frame_udp(f, 40000, 4789);
	frame_payload(f, 64);
}

/* A full-size datagram: what the header copy's length matters for (bpf/flow.bpf.c) */
static void build_ipv4_udp_1400(struct frame *f)
{
	frame_eth(f, mac_b, mac_a, 0x0800);
	frame_ipv4(f, &(struct frame_ipv4_fields){ .src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
						    .protocol = 17, .ttl = 64 });
	frame_udp(f, 40003, 443);
	frame_payload(f, 1400);
}

static const struct kind {
	const char *name;
	void (*build)(struct frame *f);
	bool baseline_meters; /* untagged IPv4: else the baseline stops at the EtherType */
	bool tcp;	      /* measured again without the TCP analysis */
	bool tunnel;	      /* against the decapsulating baseline (base_gtpu) */
	bool handshake;	      /* a handshake packet's cost, not a packet of a flow's steady state:
			       * not in kernel_ratio (the worst kind) */
} kinds[] = {
	{ "ipv4_tcp", build_ipv4_tcp, true, true, false, false },
	{ "ipv4_tcp_ack", build_ipv4_tcp_ack, true, true, false, false },
	{ "ipv4_tcp_syn", build_ipv4_tcp_syn, true, true, false, true },
	{ "ipv6_udp", build_ipv6_udp, false, false, false, false },
	{ "gtpu", build_gtpu_psc, true, true, true, false },
	{ "qinq", build_qinq_ipv4_udp, false, false, false, false },
	{ "ipv4_udp_1400", build_ipv4_udp_1400, true, false, false, false },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* bpfix's TC program loaded as the live meter loads it, the TCP analysis @tcp_analysis, the
 * coarse clock if @coarse_clock; NULL after saying why not. */
static struct bpfix_flow *load_bpfix(__u8 tcp_analysis, __u8 coarse_clock)
{
	struct bpfix_flow *skel = bpfix_flow__open();
	int err;

	if (!skel) {
		fprintf(stderr, "opening bpfix_flow: %s\n", strerror(errno));
		return NULL;
	}
	skel->rodata->bpfix_replay = 0; /* live: bpf_ktime_get_ns, skb->ifindex */
	skel->rodata->bpfix_gtpu_port = FRAME_GTPU_PORT;
	skel->rodata->bpfix_tcp_analysis = tcp_analysis;
	skel->rodata->bpfix_coarse_clock = coarse_clock;
	bpf_map__set_max_entries(skel->maps.bpfix_flows, MAX_FLOWS);
	err = bpfix_flow__load(skel);
	if (err) {
		fprintf(stderr, "loading bpfix_flow: %s\n", strerror(-err));
		bpfix_flow__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Mean ns per packet of one test run of @repeat repetitions, or a negative errno. */
static double run_once(int prog_fd, const struct frame *f, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f->bytes, .data_size_in = f->len,
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &run);

	if (err)
		return err;
	return run.duration; /* the kernel's mean per repetition, ns */
}

/* The largest verified instruction count of @obj's programs, each printed; 0 when the kernel
 * does not report it. */
static __u32 print_verified_insns(struct bpf_object *obj)
{
	struct bpf_program *prog;
	__u32 most = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    len < offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns))
			continue;
		printf("verified instructions: %-16s %u\n", bpf_program__name(prog),
		       info.verified_insns);
		if (info.verified_insns > most)
			most = info.verified_insns;
	}
	return most;
}

/* 0 when base_gtpu metered the GTP-U frame as an inner flow (its key has the frame's TEID), so the
 * tunnel's ratio is against a baseline that did decapsulate. */
static int check_gtpu_baseline(struct bench_baseline *base)
{
	struct { __u32 inner[4]; __u32 teid; } key; /* struct base_gtpu_key */
	int fd = bpf_map__fd(base->maps.base_gtpu_flows);

	_Static_assert(sizeof(key) == 20, "struct base_gtpu_key");
	if (bpf_map_get_next_key(fd, NULL, &key) || ntohl(key.teid) != GTPU_TEID ||
	    bpf_map_get_next_key(fd, &key, &key) != -ENOENT) {
		fprintf(stderr, "base_gtpu did not meter the GTP-U frame as one inner flow\n");
		return -EINVAL;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * bpfix's @ns on kind @k over its baseline @base_ns; against a baseline that does no work the
 * ratio says nothing, so those kinds compare with what the baseline costs when it meters (its
 * ipv4_tcp, @v4_base_ns).
 */
static double fair_ratio(unsigned int k, double ns, double base_ns, double v4_base_ns)
{
	if (kinds[k].baseline_meters)
		return base_ns > 0 ? ns / base_ns : 0;
	return v4_base_ns > 0 ? ns / v4_base_ns : 0;
}

int main(int argc, char **argv)
{
	__u32 repeat = argc > 1 ? (__u32)strtoul(argv[1], NULL, 0) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	static double t_bpfix[NKINDS][MAX_ROUNDS], t_base[NKINDS][MAX_ROUNDS];
	static double t_plain[NKINDS][MAX_ROUNDS]; /* TCP kinds, the analysis off */
	static double t_coarse[NKINDS][MAX_ROUNDS]; /* every kind, --clock coarse */
	static struct frame frames[NKINDS];
	struct bench_baseline *base = NULL;
	struct bpfix_flow *skel = NULL, *plain = NULL, *coarse = NULL;
	double ratio[NKINDS], fair, worst = 0, worst_coarse = 0, v4_base;
	int bpfix_fd, base_fd, gtpu_base_fd, plain_fd, coarse_fd, r, err = 1;
	__u32 verified;
	unsigned int k;

	if (rounds < 1 || rounds > MAX_ROUNDS || !repeat) {
		fprintf(stderr, "usage: kernel_cost [repeat [rounds<=%d]]\n", MAX_ROUNDS);
		return 2;
	}
	libbpf_set_print(quiet);
	for (k = 0; k < NKINDS; k++) {
		frame_init(&frames[k]);
		kinds[k].build(&frames[k]);
		frame_finish(&frames[k]);
	}

	skel = load_bpfix(1, 0);
	plain = load_bpfix(0, 0);
	coarse = load_bpfix(1, 1);
	if (!skel || !plain || !coarse)
		goto out;
	base = bench_baseline__open();
	if (!base) {
		fprintf(stderr, "opening baseline: %s\n", strerror(errno));
		err = 1;
		goto out;
	}
	bpf_map__set_max_entries(base->maps.base_flows, MAX_FLOWS);
	bpf_map__set_max_entries(base->maps.base_gtpu_flows, MAX_FLOWS);
	if ((err = bench_baseline__load(base))) {
		fprintf(stderr, "loading baseline: %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	bpfix_fd = bpf_program__fd(skel->progs.bpfix_ingress);
	plain_fd = bpf_program__fd(plain->progs.bpfix_ingress);
	coarse_fd = bpf_program__fd(coarse->progs.bpfix_ingress);
	base_fd = bpf_program__fd(base->progs.base_ingress);
	gtpu_base_fd = bpf_program__fd(base->progs.base_gtpu);

	verified = print_verified_insns(skel->obj);
	printf("kernel_cost: %u repetitions per test run, %d alternating rounds, kernel %s\n",
	       repeat, rounds, "BPF_PROG_TEST_RUN");
	/* warm-up: creates the flows so every timed run updates an existing one */
	for (k = 0; k < NKINDS; k++) {
		if (run_once(bpfix_fd, &frames[k], 1000) < 0 ||
		    run_once(plain_fd, &frames[k], 1000) < 0 ||
		    run_once(coarse_fd, &frames[k], 1000) < 0 ||
		    run_once(kinds[k].tunnel ? gtpu_base_fd : base_fd, &frames[k], 1000) < 0) {
			fprintf(stderr, "test run of %s failed\n", kinds[k].name);
			err = 1;
			goto out;
		}
	}
	if (check_gtpu_baseline(base)) {
		err = 1;
		goto out;
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NKINDS; k++) {
			int kind_base_fd = kinds[k].tunnel ? gtpu_base_fd : base_fd;

			/* alternate which goes first, so drift hits both alike */
			if (r % 2) {
				t_base[k][r] = run_once(kind_base_fd, &frames[k], repeat);
				t_bpfix[k][r] = run_once(bpfix_fd, &frames[k], repeat);
			} else {
				t_bpfix[k][r] = run_once(bpfix_fd, &frames[k], repeat);
				t_base[k][r] = run_once(kind_base_fd, &frames[k], repeat);
			}
			t_plain[k][r] = kinds[k].tcp ? run_once(plain_fd, &frames[k], repeat) : 0;
			t_coarse[k][r] = run_once(coarse_fd, &frames[k], repeat);
			if (t_bpfix[k][r] < 0 || t_base[k][r] < 0 || t_plain[k][r] < 0 ||
			    t_coarse[k][r] < 0) {
				fprintf(stderr, "test run of %s failed\n", kinds[k].name);
				err = 1;
				goto out;
			}
		}
	}
	printf("%-10s %6s %12s %12s %7s\n", "kind", "octets", "bpfix_ns", "baseline_ns", "ratio");
	v4_base = median(t_base[0], rounds);
	for (k = 0; k < NKINDS; k++) {
		double b = median(t_bpfix[k], rounds), s = median(t_base[k], rounds);

		ratio[k] = s > 0 ? b / s : 0;
		fair = fair_ratio(k, b, s, v4_base);
		if (fair > worst && !kinds[k].handshake)
			worst = fair;
		fair = fair_ratio(k, median(t_coarse[k], rounds), s, v4_base);
		if (fair > worst_coarse && !kinds[k].handshake)
			worst_coarse = fair;
		printf("%-10s %6u %12.1f %12.1f %7.2f\n", kinds[k].name, frames[k].len, b, s,
		       ratio[k]);
	}
	printf("(duration is the kernel's integer mean per repetition; the test run's own overhead "
	       "is in both. The baseline meters only IPv4: on ipv6_udp and qinq it returns at the "
	       "EtherType, so for those kernel_ratio uses kernel_ratio_vs_v4_<kind>, bpfix's cost over "
	       "the baseline's ipv4_tcp cost; gtpu's baseline is base_gtpu, which decapsulates)\n");
	printf("%-12s %12s %12s %10s   (the TCP analysis: what it adds per packet)\n", "kind",
	       "with_ns", "without_ns", "added_ns");
	for (k = 0; k < NKINDS; k++)
		if (kinds[k].tcp)
			printf("%-12s %12.1f %12.1f %10.1f\n", kinds[k].name,
			       median(t_bpfix[k], rounds), median(t_plain[k], rounds),
			       median(t_bpfix[k], rounds) - median(t_plain[k], rounds));
	printf("%-12s %12s %12s %10s %7s   (--clock coarse; ratio as kernel_ratio takes it)\n",
	       "kind", "precise_ns", "coarse_ns", "saved_ns", "ratio");
	for (k = 0; k < NKINDS; k++)
		printf("%-12s %12.1f %12.1f %10.1f %7.2f\n", kinds[k].name,
		       median(t_bpfix[k], rounds), median(t_coarse[k], rounds),
		       median(t_bpfix[k], rounds) - median(t_coarse[k], rounds),
		       fair_ratio(k, median(t_coarse[k], rounds), median(t_base[k], rounds),
				  v4_base));
	printf("RESULT kernel_ratio=%.3f kernel_ratio_coarse=%.3f", worst, worst_coarse);
	for (k = 0; k < NKINDS; k++)
		printf(" kernel_ratio_%s=%.3f kernel_ns_bpfix_%s=%.1f kernel_ns_baseline_%s=%.1f"
		       " kernel_ratio_vs_v4_%s=%.3f",
		       kinds[k].name, ratio[k], kinds[k].name, median(t_bpfix[k], rounds),
		       kinds[k].name, median(t_base[k], rounds), kinds[k].name,
		       median(t_bpfix[k], rounds) / median(t_base[0], rounds));
	/* the TCP-with-analysis row: ipv4_tcp (kinds[0]), each frame a segment the analysis counts */
	printf(" kernel_ratio_tcp_analysis=%.3f verified_insns=%u", ratio[0], verified);
	for (k = 0; k < NKINDS; k++)
		if (kinds[k].tcp)
			printf(" kernel_ns_tcp_analysis_added_%s=%.1f", kinds[k].name,
			       median(t_bpfix[k], rounds) - median(t_plain[k], rounds));
	for (k = 0; k < NKINDS; k++)
		printf(" kernel_ns_coarse_%s=%.1f", kinds[k].name, median(t_coarse[k], rounds));
	printf("\n");
	err = 0;
out:
	bench_baseline__destroy(base);
	bpfix_flow__destroy(skel);
	bpfix_flow__destroy(plain);
	bpfix_flow__destroy(coarse);
	return err;
}
