// SPDX-License-Identifier: GPL-2.0-only
/*
 * Skeleton lifecycle: open, set the knobs (replay clock, GTP-U port, flow and connection map
 * sizes, the notice ring buffer's), load, and say why a load failed. Nothing here touches a
 * map's contents or an interface.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_flow.h"
#include "bpfix_flow.skel.h"
#include "meter/bpf_loader.h"
#include "util/log.h"
#include "util/privilege.h"

struct bpfix_bpf {
	struct bpfix_flow *skel;
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

__u32 bpfix_notice_ring_bytes(__u32 max_flows)
{
	__u64 want = (__u64)max_flows / BPFIX_NOTICE_RING_FLOWS_PER_SLOT * BPFIX_NOTICE_RING_RECORD;
	__u32 bytes = BPFIX_NOTICE_RING_MIN;

	while (bytes < want && bytes < BPFIX_NOTICE_RING_MAX)
		bytes <<= 1;
	return bytes;
}

struct bpfix_bpf *bpfix_bpf__load(const struct bpfix_bpf_opts *opts)
{
	struct bpfix_bpf *b = calloc(1, sizeof(*b));
	int err;

	if (!b)
		return NULL;
	bpfix_libbpf_log_init();
	b->skel = bpfix_flow__open();
	if (!b->skel) {
		err = -errno;
		bpfix_err("opening the BPF object failed: %s\n", strerror(errno));
		goto fail;
	}
	b->skel->rodata->bpfix_replay = opts->replay;
	b->skel->rodata->bpfix_gtpu_port = opts->gtpu_port;
	b->skel->rodata->bpfix_coarse_clock = opts->coarse_clock;
	/* replay feeds the ingress program only: verifying the egress one too cost 12-38 ms */
	bpf_program__set_autoload(b->skel->progs.bpfix_egress, !opts->replay);
	err = bpf_map__set_max_entries(b->skel->maps.bpfix_flows, opts->max_flows);
	if (err) {
		bpfix_err("cannot size the flow map to %u entries: %s\n", opts->max_flows,
			  strerror(-err));
		goto fail;
	}
	err = bpf_map__set_max_entries(b->skel->maps.bpfix_conns, opts->max_conns);
	if (err) {
		bpfix_err("cannot size the connection map to %u entries: %s\n", opts->max_conns,
			  strerror(-err));
		goto fail;
	}
	err = bpf_map__set_max_entries(b->skel->maps.bpfix_notices,
				       opts->replay ? BPFIX_NOTICE_RING_MIN :
						      bpfix_notice_ring_bytes(opts->max_flows));
	if (err) {
		bpfix_err("cannot size the notice ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	err = bpfix_flow__load(b->skel);
	if (err) {
		explain_load_error(err, opts->replay);
		goto fail;
	}
	return b;
fail:
	bpfix_bpf__free(b);
	errno = -err;
	return NULL;
}

int bpfix_bpf__flows_fd(const struct bpfix_bpf *b)
{
	return bpf_map__fd(b->skel->maps.bpfix_flows);
}

int bpfix_bpf__counters_fd(const struct bpfix_bpf *b)
{
	return bpf_map__fd(b->skel->maps.bpfix_counters);
}

int bpfix_bpf__conns_fd(const struct bpfix_bpf *b)
{
	return bpf_map__fd(b->skel->maps.bpfix_conns);
}

int bpfix_bpf__prog_fd(const struct bpfix_bpf *b, bool egress)
{
	return bpf_program__fd(egress ? b->skel->progs.bpfix_egress : b->skel->progs.bpfix_ingress);
}

int bpfix_bpf__close_prog_fd(const struct bpfix_bpf *b)
{
	return bpf_program__fd(b->skel->progs.bpfix_close);
}

__u32 bpfix_bpf__max_flows(const struct bpfix_bpf *b)
{
	return bpf_map__max_entries(b->skel->maps.bpfix_flows);
}

int bpfix_bpf__notices_fd(const struct bpfix_bpf *b)
{
	return bpf_map__fd(b->skel->maps.bpfix_notices);
}

__u32 bpfix_bpf__notice_ring_bytes(const struct bpfix_bpf *b)
{
	return bpf_map__max_entries(b->skel->maps.bpfix_notices);
}

int bpfix_bpf__closing_fd(const struct bpfix_bpf *b)
{
	return bpf_map__fd(b->skel->maps.bpfix_closing);
}

void bpfix_bpf__free(struct bpfix_bpf *b)
{
	if (!b)
		return;
	bpfix_flow__destroy(b->skel);
	free(b);
}
