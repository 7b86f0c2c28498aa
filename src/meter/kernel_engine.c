// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel engine: skeleton lifecycle (open, knobs, load) and the flow source over the kernel maps
 * (batch reads, deletes, per-CPU counter sums). Replay feeds frames with BPF_PROG_TEST_RUN and
 * the pcap time in skb->tstamp. Attaching to interfaces is not done here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_account.h"
#include "bpfix_flow.skel.h"
#include "meter/kernel_engine.h"
#include "util/log.h"
#include "util/privilege.h"

#define BATCH_FLOWS 1024 /* flows read per bpf_map_lookup_batch call */

struct bpfix_kernel_engine {
	struct bpfix_flow *skel;
	struct bpfix_flow_source source;
	int flows_fd;
	int counters_fd;
	int prog_fd;
	int ncpus;
	__u64 *percpu;			/* one counter value per possible CPU */
	struct bpfix_flow_key *keys;	/* batch buffers */
	struct bpfix_flow_stats *values;
	__u64 refused_truncated;	/* frames the test run refuses, all truncated: see run_frame */
};

/* Every flow in batches; @delete: each batch is also removed, atomically per flow. */
static int walk_batches(struct bpfix_kernel_engine *eng, bool delete, bpfix_flow_visit_fn fn,
			void *arg)
{
	__u32 in_batch, out_batch, count, i;
	void *in = NULL;
	int err, ret;

	for (;;) {
		count = BATCH_FLOWS;
		err = (delete ? bpf_map_lookup_and_delete_batch : bpf_map_lookup_batch)(
			eng->flows_fd, in, &out_batch, eng->keys, eng->values, &count, NULL);
		if (err && err != -ENOENT) {
			bpfix_warn("reading the flow map: %s\n", strerror(-err));
			return err;
		}
		for (i = 0; i < count; i++) {
			ret = fn(&eng->keys[i], &eng->values[i], arg);
			if (ret && !delete)
				return ret;
		}
		if (err == -ENOENT)
			return 0; /* walked to the end */
		in_batch = out_batch;
		in = &in_batch;
	}
}

static int kernel_for_each(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return walk_batches(ctx, false, fn, arg);
}

static int kernel_remove_many(void *ctx, const struct bpfix_flow_key *keys, __u32 n)
{
	struct bpfix_kernel_engine *eng = ctx;
	__u32 done = 0, count;
	int err;

	while (done < n) {
		count = n - done;
		err = bpf_map_delete_batch(eng->flows_fd, keys + done, &count, NULL);
		done += count;
		if (err == -ENOENT) {
			done++; /* gone already (evicted): skip it */
			continue;
		}
		if (err) {
			bpfix_warn("removing flows from the flow map: %s\n", strerror(-err));
			return err;
		}
	}
	return 0;
}

static int kernel_drain(void *ctx, bpfix_flow_visit_fn fn, void *arg)
{
	return walk_batches(ctx, true, fn, arg);
}

static int kernel_remove(void *ctx, const struct bpfix_flow_key *key,
			 struct bpfix_flow_stats *final)
{
	struct bpfix_kernel_engine *eng = ctx;

	/* atomic: a packet the program adds before the delete is in *final, not lost */
	return bpf_map_lookup_and_delete_elem(eng->flows_fd, key, final);
}

static int kernel_close_record(void *ctx, const struct bpfix_flow_key *key,
			       const struct bpfix_flow_stats *seen)
{
	struct bpfix_kernel_engine *eng = ctx;
	struct bpfix_flow_stats next;
	int err;

	/*
	 * User space cannot write one field of a hash map value: read the totals afresh and write
	 * them back with the per-record fields reset. A packet the program adds between this read
	 * and the write is lost to the counters (a window of one syscall, live only; measured in
	 * bench/README.md).
	 */
	err = bpf_map_lookup_elem(eng->flows_fd, key, &next);
	if (err)
		return err == -ENOENT ? 0 : err;
	bpfix_flow_stats_close_record(&next, next.packets > seen->packets);
	err = bpf_map_update_elem(eng->flows_fd, key, &next, BPF_EXIST);
	return err == -ENOENT ? 0 : err;
}

static int kernel_read_counters(void *ctx, __u64 counters[BPFIX_CNT_MAX])
{
	struct bpfix_kernel_engine *eng = ctx;
	__u32 idx;
	int cpu, err;

	for (idx = 0; idx < BPFIX_CNT_MAX; idx++) {
		err = bpf_map_lookup_elem(eng->counters_fd, &idx, eng->percpu);
		if (err)
			return err;
		counters[idx] = 0;
		for (cpu = 0; cpu < eng->ncpus; cpu++)
			counters[idx] += eng->percpu[cpu];
	}
	counters[BPFIX_CNT_SEEN] += eng->refused_truncated;
	counters[BPFIX_CNT_NOT_METERED_TRUNCATED] += eng->refused_truncated;
	return 0;
}

static const struct bpfix_flow_source_ops kernel_source_ops = {
	.for_each = kernel_for_each,
	.remove = kernel_remove,
	.remove_many = kernel_remove_many,
	.drain = kernel_drain,
	.close_record = kernel_close_record,
	.read_counters = kernel_read_counters,
};

static void explain_load_error(int err, bool replay)
{
	char missing[96];

	bpfix_missing_capabilities(missing, sizeof(missing));
	if (err == -EPERM || err == -EACCES)
		bpfix_err("loading the BPF program was refused (%s): %s%s; run as root or grant "
			  "CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN%s\n", strerror(-err),
			  *missing ? "this process lacks " : "a kernel or LSM policy forbids it",
			  missing, replay ? " (replay's --engine host needs no privilege)" : "");
	else if (err == -ENOSYS || err == -EOPNOTSUPP)
		bpfix_err("this kernel has no usable bpf() (%s): BPF is disabled or not built in\n",
			  strerror(-err));
	else
		bpfix_err("loading the BPF program failed: %s (run with BPFIX_DEBUG=1 for the "
			  "libbpf log)\n", strerror(-err));
}

struct bpfix_kernel_engine *bpfix_kernel_engine__open(const struct bpfix_kernel_engine_opts *opts)
{
	struct bpfix_kernel_engine *eng = calloc(1, sizeof(*eng));
	int err;

	if (!eng)
		return NULL;
	bpfix_libbpf_log_init();
	eng->ncpus = libbpf_num_possible_cpus();
	if (eng->ncpus <= 0) {
		err = eng->ncpus ? eng->ncpus : -EINVAL;
		bpfix_err("cannot count possible CPUs: %s\n", strerror(-err));
		goto fail;
	}
	eng->percpu = calloc(eng->ncpus, sizeof(*eng->percpu));
	eng->keys = calloc(BATCH_FLOWS, sizeof(*eng->keys));
	eng->values = calloc(BATCH_FLOWS, sizeof(*eng->values));
	if (!eng->percpu || !eng->keys || !eng->values) {
		err = -ENOMEM;
		goto fail;
	}
	eng->skel = bpfix_flow__open();
	if (!eng->skel) {
		err = -errno;
		bpfix_err("opening the BPF object failed: %s\n", strerror(errno));
		goto fail;
	}
	eng->skel->rodata->bpfix_replay = opts->replay;
	eng->skel->rodata->bpfix_gtpu_port = opts->gtpu_port;
	err = bpf_map__set_max_entries(eng->skel->maps.bpfix_flows, opts->max_flows);
	if (err) {
		bpfix_err("cannot size the flow map to %u entries: %s\n", opts->max_flows,
			  strerror(-err));
		goto fail;
	}
	err = bpfix_flow__load(eng->skel);
	if (err) {
		explain_load_error(err, opts->replay);
		goto fail;
	}
	eng->flows_fd = bpf_map__fd(eng->skel->maps.bpfix_flows);
	eng->counters_fd = bpf_map__fd(eng->skel->maps.bpfix_counters);
	eng->prog_fd = bpf_program__fd(eng->skel->progs.bpfix_ingress);
	eng->source.ops = &kernel_source_ops;
	eng->source.ctx = eng;
	return eng;
fail:
	bpfix_kernel_engine__free(eng);
	errno = -err;
	return NULL;
}

/*
 * BPF_PROG_TEST_RUN refuses (EINVAL) frames shorter than Ethernet, and IPv4/IPv6 frames whose IP
 * header is incomplete. The program would find all of them truncated, so they are counted so
 * here, under the same counters.
 */
static bool test_run_refuses(const __u8 *frame, __u32 len)
{
	__u16 ethertype;

	if (len < BPFIX_TEST_RUN_MIN_FRAME)
		return true;
	ethertype = (__u16)(frame[12] << 8 | frame[13]);
	return (ethertype == 0x0800 && len < BPFIX_TEST_RUN_MIN_FRAME + 20) ||
	       (ethertype == 0x86DD && len < BPFIX_TEST_RUN_MIN_FRAME + 40);
}

int bpfix_kernel_engine__run_frame(struct bpfix_kernel_engine *eng, const void *frame, __u32 len,
				   __u32 wire_len, __u64 tstamp_ns)
{
	struct __sk_buff ctx = {
		.tstamp = tstamp_ns,
		.wire_len = wire_len > len ? wire_len : len,
	};
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int err;

	if (test_run_refuses(frame, len)) {
		eng->refused_truncated++;
		return 0;
	}
	err = bpf_prog_test_run_opts(eng->prog_fd, &run);
	if (err)
		bpfix_err("BPF_PROG_TEST_RUN failed on a %u-octet frame: %s\n", len, strerror(-err));
	return err;
}

int bpfix_kernel_engine__prog_fd(const struct bpfix_kernel_engine *eng, bool egress)
{
	return bpf_program__fd(egress ? eng->skel->progs.bpfix_egress : eng->skel->progs.bpfix_ingress);
}

struct bpfix_flow_source *bpfix_kernel_engine__source(struct bpfix_kernel_engine *eng)
{
	return &eng->source;
}

void bpfix_kernel_engine__free(struct bpfix_kernel_engine *eng)
{
	if (!eng)
		return;
	bpfix_flow__destroy(eng->skel);
	free(eng->percpu);
	free(eng->keys);
	free(eng->values);
	free(eng);
}
